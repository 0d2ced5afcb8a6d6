"""Headline figures of every ready scenario: coverage, abandonment, admin share, and more.

    .venv/bin/python scripts/scenario_figures.py                 # markdown table on stdout
    .venv/bin/python scripts/scenario_figures.py --json          # one JSON object per scenario
    .venv/bin/python scripts/scenario_figures.py --residents 240000 --seeds 3

Each scenario runs with its own seed (and ``--seeds N`` more, seed+1.., averaged) at its
own size unless ``--residents`` is given. Figures come from the run's summary table:

* ``coverage``: the summary's coverage (needs due in the reported weeks answered in time);
* ``abandoned_share``: cases abandoned over needs due (``abandoned / cases_due``);
* ``admin_share``: the summary's mean weekly share of worked hours on admin;
* ``workload``, ``burnout``, ``trust``: their summary values.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ("coverage", "abandoned_share", "admin_share", "workload", "burnout", "trust")


def figures(path: Path, residents: int | None, seeds: int) -> dict[str, float]:
    import govsim

    overrides = [f"population.residents={residents}"] if residents else []
    scenario = govsim.load_scenario(path, overrides=overrides)
    rows = []
    for k in range(seeds):
        summary = govsim.simulate(scenario, seed=scenario.seed + k).summary
        overall = summary[summary["scope"] == "overall"].set_index("metric")["value"]
        rows.append({
            "coverage": overall["coverage"],
            "abandoned_share": overall["abandoned"] / overall["cases_due"],
            "admin_share": overall["admin_share"],
            "workload": overall["workload"],
            "burnout": overall["burnout"],
            "trust": overall["trust"],
        })
    return {c: sum(r[c] for r in rows) / len(rows) for c in COLUMNS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", type=Path, help="default: every file in scenarios/")
    parser.add_argument("--residents", type=int, default=None, help="override population.residents")
    parser.add_argument("--seeds", type=int, default=1, help="seeds per scenario, averaged (default 1)")
    parser.add_argument("--json", action="store_true", help="JSON instead of a markdown table")
    args = parser.parse_args(argv)
    paths = args.scenarios or sorted((ROOT / "scenarios").glob("*.yaml"))
    table = {p.stem: figures(p, args.residents, args.seeds) for p in paths}
    if args.json:
        json.dump(table, sys.stdout, indent=1)
        print()
        return 0
    print("| scenario | coverage % | abandoned % of due | admin share % | workload | burnout | trust |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, f in table.items():
        print(f"| {name} | {100 * f['coverage']:.1f} | {100 * f['abandoned_share']:.1f} | "
              f"{100 * f['admin_share']:.1f} | {f['workload']:.2f} | {f['burnout']:.3f} | {f['trust']:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
