"""Regenerate the generated parts of docs/odd.md: the parameter table.

    .venv/bin/python scripts/docs_tables.py          # rewrite docs/odd.md in place
    .venv/bin/python scripts/docs_tables.py --check  # exit 1 if docs/odd.md is stale

The table "Parameters and their sources" lists every declared parameter
(``govsim.scenario.describe_params``) with default, unit, range, the kind of
evidence behind the default (data, literature, calibrated, assumption, choice)
and source, with the plausible range and its source where one is declared;
tests/test_docs.py runs ``--check`` so the document cannot drift from the code.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ODD = ROOT / "docs" / "odd.md"
HEADER = "| path | default | unit | range | evidence | source |"
OMITTED = ("name", "description")


def _value(value: object) -> str:
    if value is None:
        return "(derived)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _source(row: dict) -> str:
    """The source, and the plausible range with its own source where one is declared."""
    if not row["plausible"]:
        return row["source"]
    low, high = row["plausible"]
    return f"{row['source']}. Plausible {low:g} to {high:g}: {row['plausible_source']}"


def parameter_table() -> tuple[list[str], int]:
    """The table's lines (header included) and its number of rows."""
    from govsim.scenario import describe_params

    rows = [r for r in describe_params() if r["path"] not in OMITTED]
    lines = [HEADER, "|---|---|---|---|---|---|"]
    lines += [f"| `{r['path']}` | {_value(r['default'])} | {r['unit']} | {r['range']} | {r['evidence']} | "
              f"{_source(r).replace('|', '/')} |".replace("  |", " |") for r in rows]
    return lines, len(rows)


def render(text: str) -> str:
    """``text`` (docs/odd.md) with its generated parts brought up to date."""
    lines, n = parameter_table()
    start = text.index(HEADER)
    end = text.index("\n\n", start)
    text = text[:start] + "\n".join(lines) + text[end:]
    return re.sub(r"the \d+ rows below are all the others", f"the {n} rows below are all the others", text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; exit 1 when stale")
    args = parser.parse_args(argv)
    text = ODD.read_text(encoding="utf-8")
    fresh = render(text)
    if args.check:
        if fresh != text:
            print(f"{ODD} is stale: run scripts/docs_tables.py", file=sys.stderr)
            return 1
        return 0
    ODD.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
