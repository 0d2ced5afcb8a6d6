"""Same scenario and seed, same bytes: on every Python, Mesa, NumPy and pandas that CI runs.

Each ready scenario (and every mechanism at once), shrunk to two communities
and 60 weeks (a budget year's end included), is run and its two tables are
encoded exactly as ``govsim run`` writes them (``timeseries.csv``,
``summary.csv``). Their SHA-256 digests must equal the ones checked in beside
this file, which were written on Python 3.11 with Mesa 3.3. CI runs this file
on Python 3.11 and 3.13 (Mesa 3.5), so a library release that changes a single
draw or a single rounding shows here, named by scenario.

A change to the model that is meant to change results changes digests too:
regenerate them with ``python tests/test_result_digests.py --update`` and say
in the commit message which scenarios changed and why.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DIGESTS = Path(__file__).with_name("fixtures") / "result_digests.json"
SHRINK = ["population.residents=6000", "hierarchy.communities_per_township=1", "steps=60"]
SEED = 5


def scenario_files() -> dict[str, Path]:
    """Every ready scenario by name, and the benchmark's scenario with every mechanism on."""
    files = {path.stem: path for path in sorted((ROOT / "scenarios").glob("*.yaml"))}
    return {**files, "all_mechanisms": ROOT / "benchmarks" / "all_mechanisms.yaml"}


def digests(path: Path) -> dict[str, str]:
    """SHA-256 of a short run's two tables, encoded as ``govsim run`` writes them."""
    import govsim
    from govsim.files import csv_bytes
    from govsim.io import labelled_summary

    result = govsim.simulate(govsim.load_scenario(path, overrides=SHRINK), seed=SEED)
    tables = {"timeseries": csv_bytes(result.timeseries),
              "summary": csv_bytes(labelled_summary(result.summary))}
    return {name: hashlib.sha256(data).hexdigest() for name, data in tables.items()}


def test_digests_cover_every_ready_scenario() -> None:
    assert set(json.loads(DIGESTS.read_text())) == set(scenario_files())


@pytest.mark.parametrize("name", sorted(scenario_files()))
def test_tables_are_byte_identical_to_the_checked_in_digests(name: str) -> None:
    expected = json.loads(DIGESTS.read_text())[name]
    assert digests(scenario_files()[name]) == expected, (
        f"{name}: this run's tables differ from the checked-in digests. If the model was changed "
        f"on purpose, regenerate them (python tests/test_result_digests.py --update) and say why in "
        f"the commit; if only Python or a library changed, results are no longer reproducible.")


def main(argv: list[str]) -> int:
    """``--update`` rewrites the checked-in digests from this interpreter's runs."""
    if argv != ["--update"]:
        print("usage: python tests/test_result_digests.py --update", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    table = {name: digests(path) for name, path in scenario_files().items()}
    DIGESTS.write_text(json.dumps(table, indent=2, sort_keys=True) + "\n")
    print(f"wrote {len(table)} scenarios' digests to {DIGESTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
