"""``govsim discover SPEC``: PRIM scenario discovery on an experiment spec (EMA Workbench 3).

Part of the command line (:func:`govsim.cli.build_parser` adds it); the
work is :func:`govsim.study.discover.discover`. Prints the boxes found, each
with its coverage, density and mass and its limits on every factor it
restricts, in plain words, or one JSON object with ``--json``; ``--out DIR``
also writes the tables and the figure. Without EMA Workbench 3 (it needs
Python 3.12 or newer) it exits 2 saying how to get it.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add ``govsim discover`` to the ``govsim`` parser."""
    from govsim.console import int_at_least
    from govsim.study.cli import default_workers, metric_list

    count = int_at_least(1)
    p = sub.add_parser(
        "discover", parents=[common], help="find the factor ranges where a metric is low or high (PRIM)",
        description="Sample a spec's factors (Latin hypercube, EMA Workbench), run each sample with the "
                    "spec's replication seeds, and find with PRIM the boxes of factor values where the "
                    "metric falls below (or rises above) a value; print each box's limits, coverage, "
                    "density and mass. Needs EMA Workbench 3: pip install 'govsim[ema]' (Python >= 3.12).")
    p.add_argument("spec", type=Path, metavar="SPEC",
                   help="experiment spec with factors (experiments/*.yaml)")
    p.add_argument("--metric", default="coverage", metavar="NAME",
                   help="metric whose whole-run value defines the cases of interest (default: coverage)")
    cut = p.add_mutually_exclusive_group(required=True)
    cut.add_argument("--below", type=float, metavar="X", help="cases of interest: metric < X")
    cut.add_argument("--above", type=float, metavar="X", help="cases of interest: metric > X")
    p.add_argument("--samples", type=count, default=100, metavar="N",
                   help="scenarios sampled from the factors' ranges (default: 100)")
    p.add_argument("--policies", type=count, metavar="N", help="lever samples run in every scenario, when "
                   "the spec marks factors 'role: lever' (default: 4)")
    p.add_argument("--reps", type=count, metavar="N", help="replications per sample (default: the spec's)")
    p.add_argument("--steps", type=count, metavar="T", help="weeks per run (default: the spec's)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                   help="override a scenario parameter in every run (repeatable)")
    p.add_argument("--metrics", type=metric_list, default=[], metavar="A,B",
                   help="further metrics to record in outcomes.csv")
    prim = p.add_argument_group("PRIM")
    prim.add_argument("--threshold", type=_share, default=0.8, metavar="X",
                      help="least density of a reported box (default: 0.8)")
    prim.add_argument("--mass-min", type=_share, default=0.05, metavar="X",
                      help="least share of the samples a box may hold (default: 0.05)")
    prim.add_argument("--peel-alpha", type=_share, default=0.05, metavar="X",
                      help="share of the samples peeled off at each step (default: 0.05)")
    prim.add_argument("--max-boxes", type=count, default=3, metavar="N", help="most boxes (default: 3)")
    p.add_argument("--workers", type=count, default=default_workers(), metavar="N",
                   help=f"processes (default: {default_workers()}, the CPUs here; 1 runs serially)")
    p.add_argument("--out", type=Path, metavar="DIR", help="also write experiments.csv, outcomes.csv, "
                   "boxes.csv, peeling.csv, scores.csv, discovery.json and boxes.png to DIR")
    p.add_argument("--json", action="store_true", help="print the outcome as one JSON object")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show a progress bar on stderr (default: only when stderr is a terminal)")
    p.set_defaults(handler=cmd_discover)


def cmd_discover(args: argparse.Namespace) -> int:
    """``govsim discover``: run the samples, find the boxes, print them (and write them with --out)."""
    import sys

    from govsim.console import EXIT_FAILURE, EXIT_OK
    from govsim.study.cli import known_metric, parse_set, print_json
    from govsim.study.ema import require_ema

    if args.out is not None:
        from govsim.files import check_output_dir

        check_output_dir(args.out)  # a bad --out at once, not after the runs
    require_ema()  # before the spec is read: one sentence, exit 2, when EMA Workbench 3 is missing
    from govsim.study import load_spec
    from govsim.study.discover import PrimSettings, describe, discover, write_discovery

    known_metric(args.metric)
    spec = load_spec(args.spec, parse_set(args.overrides), replications=args.reps, steps=args.steps)
    quiet = bool(getattr(args, "quiet", False))
    show = (args.progress if args.progress is not None else sys.stderr.isatty()) and not quiet
    settings = PrimSettings(threshold=args.threshold, mass_min=args.mass_min, peel_alpha=args.peel_alpha,
                            max_boxes=args.max_boxes)
    found = discover(spec, args.metric, below=args.below, above=args.above, samples=args.samples,
                     policies=args.policies, metrics=tuple(m for m in args.metrics if m != args.metric),
                     workers=args.workers, settings=settings, progress=show)
    files = write_discovery(found, args.out) if args.out is not None else {}
    if args.json:
        print_json({**describe(found), "out": str(args.out) if args.out else None,
                     "files": {k: str(v) for k, v in files.items()}}, args)
    elif not quiet:
        print(discovery_text(found))
        if files:
            print(f"results: {args.out} ({', '.join(files)})")
    if found.failed_runs:
        print(f"{found.failed_runs} of {len(found.outcomes) * found.replications} runs failed (each "
              "error is logged above); an experiment's metrics average its other replications",
              file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK


def discovery_text(found: Any) -> str:
    """What was run, how many cases are of interest, and each box in words."""
    n, k = int(found.usable.sum()), found.of_interest
    runs = len(found.outcomes) * found.replications
    words = f"{found.metric} {found.condition} {found.value:g}"
    lines = [f"{found.spec.name}: {len(found.outcomes)} samples × {found.replications} replication"
             f"{'s' if found.replications != 1 else ''} = {runs} runs in {found.wall_seconds:.1f} s; "
             f"{words} in {k} of {n} samples ({100 * k / max(n, 1):.0f}%)."]
    if n < len(found.outcomes):
        lines.append(f"{len(found.outcomes) - n} samples have no value of {found.metric} and are left out.")
    if not found.boxes:
        lines.append(f"No box: {'no' if k == 0 else 'every'} sample has {words}, so there is nothing to "
                     f"tell apart (try a {'less' if k == 0 else 'more'} strict value).")
    for box in found.boxes:
        lines += _box_lines(box, k, found.settings.threshold)
    if not found.scores.empty:
        top = ", ".join(f"{r.factor} {r.score:.2f}" for r in found.scores.itertuples())
        lines.append(f"Feature scores of {found.metric} (extra trees; the share of its variation each factor "
                     f"explains): {top}.")
    if found.boxes:
        lines.append("Coverage: the share of all samples of interest that lie in the box. Density: the share "
                     "of the box's samples that are of interest. Mass: the share of all samples in the box. "
                     "A quasi-p above 0.05 means the restriction may be noise.")
    return "\n".join(lines)


def _box_lines(box: Any, total: int, threshold: float) -> list[str]:
    restricts = f"restricts {box.restricted} factor{'s' if box.restricted != 1 else ''}"
    head = (f"Box {box.number}: coverage {box.coverage:.2f} ({box.cases} of the {total} samples of "
            f"interest), density {box.density:.2f} ({box.cases} of its {box.size} samples), "
            f"mass {box.mass:.2f}; {restricts}" + (":" if box.restricted else "."))
    lines = [head]
    if not box.dense:
        lines.append(f"  (no step of the peeling reached density {threshold:g}: this is the densest)")
    for row in box.limits.itertuples():
        lines.append(f"  {row.factor} ({row.path}): {_limit_words(row)}{_qp_words(row)}")
    return lines


def _limit_words(row: Any) -> str:
    if row.values is not None:
        return f"one of {', '.join(map(str, row.values))} (of {', '.join(map(str, row.range_values))})"
    if row.low is not None and row.high is not None:
        said = f"from {row.low:.4g} to {row.high:.4g}"
    else:
        said = f"at least {row.low:.4g}" if row.low is not None else f"at most {row.high:.4g}"
    return f"{said} (range {row.range_low:g} to {row.range_high:g})"


def _qp_words(row: Any) -> str:
    qps = [q for q in (row.qp_low, row.qp_high) if q is not None]
    return f"; quasi-p {max(qps):.2g}" if qps else ""


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected a share above 0 and at most 1, got {text}")
    return value
