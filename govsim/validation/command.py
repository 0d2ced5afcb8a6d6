"""``govsim check``: run the validation patterns and print a table of verdicts.

Exit codes: 0 every pattern passes; 3 the check ran but some patterns were
missed or unclear (the table says which; a miss is information about the
model, not a failure of the command); 2 bad input (a malformed patterns file,
an unknown scenario); 1 a run failed.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from govsim.console import EXIT_UNMET

#: The check ran and some patterns were missed or unclear.
EXIT_MISSED = EXIT_UNMET
QUICK_REPS, QUICK_STEPS = 3, 52


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the ``check`` subcommand to the ``govsim`` parser."""
    from govsim.console import int_at_least
    from govsim.study.cli import default_workers
    from govsim.validation.check import DEFAULT_SEED, SCENARIOS
    from govsim.validation.patterns import DEFAULT_PATTERNS

    count = int_at_least(1)

    p = sub.add_parser(
        "check", parents=[common], help="run the validation patterns and print their verdicts",
        description="Run every validation pattern (stylised facts from published sources, "
                    "docs/validation.md) on paired seeds and print, per pattern: source, observed "
                    "value, the model's value with its 95% interval, and the verdict.",
        epilog=f"Exit status: 0 all patterns pass; {EXIT_MISSED} some missed or unclear (see the "
               "table); 2 bad input; 1 a run failed.")
    p.add_argument("--patterns", type=Path, default=DEFAULT_PATTERNS, metavar="FILE",
                   help="patterns file (default: the patterns shipped with govsim)")
    p.add_argument("--scenarios", type=Path, default=SCENARIOS, metavar="DIR",
                   help="folder of the ready scenarios the patterns name (default: scenarios/)")
    p.add_argument("--quick", action="store_true",
                   help=f"{QUICK_REPS} replications of {QUICK_STEPS} weeks (after the warm-up): a smoke "
                        "test for CI, not a verdict to quote")
    p.add_argument("--reps", type=count, metavar="N", help="replications per configuration (default 10)")
    p.add_argument("--steps", type=count, metavar="T", help="weeks per run (default: each scenario's)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"first seed (default {DEFAULT_SEED})")
    p.add_argument("--only", action="append", default=[], metavar="ID",
                   help="run only this pattern (repeatable)")
    p.add_argument("--workers", type=count, default=default_workers(), metavar="N",
                   help=f"worker processes (default: {default_workers()}; 1 runs serially)")
    p.add_argument("--executor", choices=("local", "dask"), default="local", help="local pool or Dask")
    p.add_argument("--scheduler", metavar="ADDR", help="Dask scheduler address")
    p.add_argument("--json", action="store_true", help="print the outcome as one JSON object")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show a progress bar on stderr (default: only when stderr is a terminal)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Load the patterns, run the check, print the table (or JSON); return the exit code."""
    from govsim.console import EXIT_OK, UsageError
    from govsim.study.cli import run_progress
    from govsim.validation.check import check
    from govsim.validation.patterns import PatternError, load_patterns

    try:
        patterns = load_patterns(args.patterns)
    except PatternError as err:
        raise UsageError(str(err)) from None
    if args.only:
        unknown = sorted(set(args.only) - {p.id for p in patterns})
        if unknown:
            raise UsageError(f"no pattern {unknown[0]!r} in {args.patterns} "
                             f"(ids: {', '.join(p.id for p in patterns)})")
        patterns = [p for p in patterns if p.id in args.only]
    reps = args.reps or (QUICK_REPS if args.quick else 10)
    steps = args.steps or (QUICK_STEPS if args.quick else None)
    with run_progress(args, "check") as update:
        result = check(patterns, reps=reps, steps=steps, seed=args.seed, scenarios=args.scenarios,
                       executor=args.executor, workers=args.workers, scheduler=args.scheduler,
                       on_progress=update)
    if args.json:
        print(result.to_json())
    elif not getattr(args, "quiet", False):
        print(table_text(result))
    return EXIT_OK if result.all_pass else EXIT_MISSED


def table_text(result: Any) -> str:
    """The verdicts as a plain-text table, then the status line."""
    rows = [("pattern", "kind", "source", "test", "model [95% interval]", "verdict")]
    for o in result.outcomes:
        p = o.pattern
        rows.append((p.id, "calibration" if p.kind == "calibration_target" else "validation",
                     _short(p.short_source, 40), p.test_text(), _interval(o.mean, o.low, o.high),
                     o.verdict.upper() if o.verdict != "pass" else "pass"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join([*lines, "", result.status()])


def _interval(mean: float, low: float, high: float) -> str:
    import math

    def num(x: float) -> str:
        return "nan" if not math.isfinite(x) else f"{x:.4g}"

    return num(mean) if not (math.isfinite(low) and math.isfinite(high)) else \
        f"{num(mean)} [{num(low)}, {num(high)}]"


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
