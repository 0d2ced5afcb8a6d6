"""Write the generated parts of docs/experiments.md: the key table and the shipped specs.

    .venv/bin/python scripts/experiments_doc.py           # rewrite the document
    .venv/bin/python scripts/experiments_doc.py --check   # exit 1 when it is out of date

The key table comes from govsim.study.specjson.spec_keys (the declarations the spec
reader validates against); the shipped specs' lines are what `govsim validate` prints.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "experiments.md"


def key_table() -> str:
    from govsim.study.specjson import spec_keys

    lines = ["| key | kind | default | unit | range | meaning |", "|---|---|---|---|---|---|"]
    for row in spec_keys():
        default = "" if row["default"] in (None, "") else f"`{row['default']}`"
        cells = [f"`{row['path']}`", row["kind"], default, row["unit"], row["range"], row["description"]]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def shipped() -> str:
    from govsim.cli import main

    out = io.StringIO()
    specs = sorted((ROOT / "experiments").glob("*.yaml"))
    with contextlib.redirect_stdout(out):
        status = main(["validate", *(str(p.relative_to(ROOT)) for p in specs)])
    if status != 0:
        raise SystemExit(f"govsim validate failed on the shipped specs (exit {status})")
    return "```console\n$ govsim validate experiments/*.yaml\n" + out.getvalue() + "```"


def generated(text: str) -> str:
    for name, body in (("keys", key_table()), ("shipped", shipped())):
        text = re.sub(rf"<!-- {name}:start -->.*?<!-- {name}:end -->",
                      lambda _m, n=name, b=body: f"<!-- {n}:start -->\n{b}\n<!-- {n}:end -->", text,
                      flags=re.S)
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the document is out of date")
    args = parser.parse_args()
    import os

    os.chdir(ROOT)  # the shipped specs' lines name them relative to the repository
    text = DOC.read_text(encoding="utf-8")
    new = generated(text)
    if args.check:
        return 0 if new == text else 1
    DOC.write_text(new, encoding="utf-8")
    print(DOC)
    return 0


if __name__ == "__main__":
    sys.exit(main())
