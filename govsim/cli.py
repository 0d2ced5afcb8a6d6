"""The ``govsim`` command: thin argument parsing around the library.

Every command calls the library (:mod:`govsim.scenario`, :func:`govsim.simulate`,
:mod:`govsim.io`, :mod:`govsim.plots`) and only prints. This is the one module
(with the teaching page) that writes to the terminal.

Exit codes: 0 success; 1 the run failed unexpectedly (one line, and ``--debug``
for the traceback); 2 bad input (a scenario error, bad arguments, a directory
that is not a run, an output that cannot be written or a full disk); 130
interrupted with Ctrl-C (files are written atomically, so nothing
half-written is left behind); 141 output pipe closed early.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import sys
import unicodedata
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from govsim import ScenarioError, __version__
from govsim.console import (
    EXIT_FAILURE,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PIPE,
    UsageError,
    err,
    format_value,
    int_at_least,
    quiet,
)

#: The scenario ``govsim run`` uses when none is named, if the source tree has it.
DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"
#: Where runs go when ``--out`` is not given (relative to the working directory).
RUNS_DIR = Path("runs")

def _version_text() -> str:
    """govsim's version and the versions its results depend on, for bug reports."""
    from govsim.run import versions

    v = versions()
    return (f"govsim {__version__} (Python {v['python']}; Mesa {v['mesa']}, NumPy {v['numpy']}, "
            f"pandas {v['pandas']})")


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    """Warnings as one sentence on stderr, like errors (no source line of govsim's own)."""
    err(f"govsim: warning: {message}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``govsim`` command line and return its exit code.

    Args:
        argv: Arguments without the program name; default ``sys.argv[1:]``.
    """
    shown, warnings.showwarning = warnings.showwarning, _show_warning
    try:
        return _main(argv)
    finally:
        warnings.showwarning = shown


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version, or a usage error (argparse printed it)
        return stop.code if isinstance(stop.code, int) else EXIT_INPUT
    debug = getattr(args, "debug", False)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        if debug:
            raise
        err("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_PIPE
    except Exception as error:
        if debug:
            raise
        if _is_input_error(error):
            err(str(error) if isinstance(error, ScenarioError) else f"govsim: error: {error}")
            return EXIT_INPUT
        err(f"govsim: error: {type(error).__name__}: {error}")
        err("run with --debug for the traceback")
        return EXIT_FAILURE


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with every subcommand."""
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: given before or after the subcommand, neither place overwrites the other.
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback when something fails")
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="print nothing but errors")
    parser = argparse.ArgumentParser(
        prog="govsim", parents=[common],
        description="Simulate how policies are carried out at the grassroots (agent-based model).",
        epilog="Run 'govsim COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=_version_text())
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in (_add_run, _add_validate, _add_plot, _add_params, _add_schema, _add_plugins):
        add(sub, common)
    from govsim.study.cli import add_commands  # sweep, compare, report, sensitivity, calibrate, export

    add_commands(sub, common)
    from govsim.validation.command import add_parser as add_check

    add_check(sub, common)
    from govsim.study.discover_cli import add_parser as add_discover  # govsim discover (EMA Workbench)

    add_discover(sub, common)
    _add_teach(sub, common)
    return parser


def _add_run(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("run", parents=[common], help="run a scenario and save its results",
                       description="Run a scenario, save its results to a directory and print "
                                   "the headline results.")
    p.add_argument("scenario", nargs="?", metavar="SCENARIO",
                   help="scenario YAML file (default: scenarios/baseline.yaml, else built-in defaults)")
    p.add_argument("--seed", type=_seed, metavar="N", help="random seed (default: the scenario's)")
    p.add_argument("--steps", type=_positive_int, metavar="T",
                   help="weeks to simulate (default: the scenario's)")
    _add_set(p)
    p.add_argument("--out", type=Path, metavar="DIR",
                   help=f"directory for the results (default: {RUNS_DIR}/NAME-sSEED-HASH8)")
    p.add_argument("--overwrite", action="store_true", help="replace a different run already in DIR")
    p.add_argument("--cases", action="store_true",
                   help="also write DIR/cases.parquet, the case ledger: one row per need, with "
                        "its deadline and outcome (see docs/odd.md)")
    p.add_argument("--plot", action=argparse.BooleanOptionalAction, default=True,
                   help="draw DIR/figure.png of coverage, trust and workload (default: on)")
    p.add_argument("--json", action="store_true",
                   help="print the headline results and output path as one JSON object")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show a progress bar on stderr (default: only when stderr is a terminal)")
    p.set_defaults(handler=cmd_run)


def _add_validate(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("validate", parents=[common],
                       help="check scenario files and experiment specs without running them",
                       description="Load and check scenario files and experiment specs (told apart by "
                                   "their keys: a spec has a base, arms, factors, targets or a design); "
                                   "print 'ok' or every problem found. A spec is checked whole: its base "
                                   "scenario, every arm's overrides, every factor's path and values.")
    p.add_argument("scenarios", nargs="+", metavar="FILE", help="scenario or experiment spec YAML files")
    _add_set(p)
    p.set_defaults(handler=cmd_validate)


def _add_plot(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("plot", parents=[common], help="draw the figure of a saved run",
                       description="Draw the standard figure of a run directory written by 'govsim run'.")
    p.add_argument("run_dir", type=Path, metavar="DIR", help="a run directory")
    p.add_argument("--out", type=Path, metavar="PNG",
                   help="where to write the figure (default: DIR/figure.png)")
    p.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="language of the figure's text (zh needs a CJK font; without one: English)")
    p.set_defaults(handler=cmd_plot)


def _add_params(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("params", parents=[common], help="list every scenario parameter",
                       description="List every scenario parameter with its default, unit, range, "
                                   "description and source.")
    p.add_argument("--filter", metavar="TEXT",
                   help="only parameters whose path, description or source contains TEXT")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(handler=cmd_params)


def _add_plugins(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("plugins", parents=[common], help="list the installed policy and metric plugins",
                       description="List every policy type and metric that installed packages provide "
                                   "(govsim's own included), and any plugin left out, with the reason.",
                       epilog="Exit status: 0 when every installed plugin loaded; 2 when one was left out.")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(handler=cmd_plugins)


def _add_schema(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("schema", parents=[common],
                       help="write the JSON Schema of scenario files (or of experiment specs)",
                       description="Write the JSON Schema of scenario files, or with --spec of experiment "
                                   "specs, for editors' YAML completion and checking.")
    p.add_argument("--spec", action="store_true", help="the schema of experiment specs instead")
    p.add_argument("--out", type=Path, metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(handler=cmd_schema)


def _add_set(p: argparse.ArgumentParser) -> None:
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                   help="override a parameter, e.g. --set population.residents=5000 (repeatable)")


def _add_teach(sub: Any, common: argparse.ArgumentParser) -> None:
    # The teaching page's command lives with the page (govsim/teach/command.py).
    from govsim.teach.command import add_parser

    add_parser(sub, common)


def cmd_run(args: argparse.Namespace) -> int:
    """``govsim run``: load, simulate, write the run directory, print the headline."""
    from govsim import simulate
    from govsim.io import check_run_dir, write_run

    scenario = _load(args.scenario, _run_overrides(args))
    out = args.out or RUNS_DIR / default_run_name(scenario)
    # Refuse a bad output directory now, not after the simulation.
    identity = {"scenario_hash": scenario.hash, "seed": scenario.seed, "steps": scenario.steps}
    check_run_dir(out, identity, args.overwrite)
    with _progress_bar(args, scenario) as progress:
        result = simulate(scenario, progress=progress, cases=args.cases)
    write_run(result, out, overwrite=args.overwrite, figure=args.plot)
    if quiet(args) and not args.json:  # --json asks for the answer: -q silences only the rest
        return EXIT_OK
    headline = result.headline()
    figure = str(out / "figure.png") if args.plot else None
    if args.json:
        document = {
            "scenario": scenario.name, "scenario_hash": scenario.hash, "seed": result.seed,
            "steps": result.manifest.get("steps", scenario.steps), "out": str(out), "figure": figure,
            "headline": [{"metric": r.name, "label": r.label, "value": _finite(r.value), "unit": r.unit}
                         for r in headline.itertuples()],
        }
        print(json.dumps(document, ensure_ascii=False))
        return EXIT_OK
    wall = result.manifest.get("wall_seconds")
    took = f", {wall:.1f} s" if isinstance(wall, int | float) else ""
    print(f"{scenario.name}: seed {result.seed}, {result.manifest.get('steps', scenario.steps)} weeks{took}")
    print(headline_text(headline))
    print(f"results: {out}" + (f" (figure: {figure})" if figure else ""))
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    """``govsim validate``: load each file; report every problem, keep going."""
    from govsim.study.spec import is_spec

    failed = 0
    for path in args.scenarios:
        try:
            check = _check_spec if is_spec(path) else _check_scenario
            said = check(path, args.overrides)
        except ScenarioError as error:
            failed += 1
            err(str(error))
            continue
        if not quiet(args):
            print(f"ok: {said} {path}")
    return EXIT_INPUT if failed else EXIT_OK


def _check_scenario(path: str, overrides: list[str]) -> str:
    scenario = _load(path, overrides)
    return f"scenario {scenario.name} (hash {scenario.hash[:12]})"


def _check_spec(path: str, overrides: list[str]) -> str:
    from govsim.study import load_spec
    from govsim.study.cli import parse_set
    from govsim.study.design import count_points

    spec = load_spec(path, parse_set(overrides))
    if spec.arms:
        shape = f"{len(spec.arms)} arms"
    elif spec.kind == "calibration":
        shape = (f"calibration of {len(spec.factors)} factor{'s' * (len(spec.factors) != 1)} on "
                 f"{len(spec.targets)} target{'s' * (len(spec.targets) != 1)}")
    else:
        shape = f"{spec.design} design of {count_points(spec):,} points"
    reps = f"{spec.replications} replication{'s' * (spec.replications != 1)}"
    return f"experiment spec {spec.name} ({shape} × {reps})"


def cmd_plot(args: argparse.Namespace) -> int:
    """``govsim plot``: draw the figure of a saved run."""
    from govsim.files import writable_file
    from govsim.fonts import figure_lang
    from govsim.io import FIGURE, read_run
    from govsim.plots import plot_run

    run = read_run(args.run_dir)
    target = writable_file(args.out or args.run_dir / FIGURE)  # before the drawing, not after
    lang = figure_lang(args.lang)
    if lang != args.lang and not quiet(args):
        err("warning: no CJK font found (install fonts-wqy-microhei); the figure is in English")
    out = plot_run(run.timeseries, target, title=f"{run.name} — seed {run.seed}",
                   lang=lang)
    if not quiet(args):
        print(out)
    return EXIT_OK


def cmd_params(args: argparse.Namespace) -> int:
    """``govsim params``: every parameter as a table or JSON."""
    from govsim.scenario import describe_params

    rows = describe_params()
    if args.filter:
        needle = args.filter.lower()
        rows = [r for r in rows if any(needle in str(r.get(k) or "").lower()
                                       for k in ("path", "description", "source"))]
    if quiet(args) and not args.json:
        return EXIT_OK
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False, default=str))
    elif rows:
        print(params_text(rows))
    else:
        err(f"no parameter matches {args.filter!r}")
    return EXIT_OK


def cmd_plugins(args: argparse.Namespace) -> int:
    """``govsim plugins``: what each installed package provides, and what was left out."""
    import warnings as _warnings

    from govsim.scenario import plugins

    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", plugins.PluginWarning)  # listed below instead
        found = plugins.registry()
    kinds = (("policy", found.policies), ("metric", found.metrics))
    rows = [{"kind": kind, "name": name, "distribution": found.origin[name]}
            for kind, names in kinds for name in sorted(names)]
    refused = [{"group": p.group, "name": p.name, "distribution": p.distribution, "target": p.target,
                "reason": p.reason} for p in found.problems]
    if args.json:
        print(json.dumps({"api_version": plugins.API_VERSION, "provided": rows, "left_out": refused},
                         indent=2, ensure_ascii=False))
    elif not quiet(args):
        width = max(len(r["name"]) for r in rows) if rows else 0
        print(f"govsim extension API {plugins.API_VERSION}")
        for r in rows:
            print(f"  {r['kind']:<6}  {r['name']:<{width}}  from {r['distribution']}")
        for problem in found.problems:
            err(f"left out: {problem}")
    return EXIT_INPUT if found.problems else EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    """``govsim schema``: the JSON Schema of scenario files, or of experiment specs."""
    if args.spec:
        from govsim.study.specjson import spec_json_schema as make
    else:
        from govsim.scenario import json_schema as make

    text = json.dumps(make(), indent=2, ensure_ascii=False) + "\n"
    if args.out is None:
        if not quiet(args):
            sys.stdout.write(text)
        return EXIT_OK
    from govsim.files import writable_file, write_atomic

    write_atomic(writable_file(args.out), text.encode("utf-8"))
    if not quiet(args):
        print(args.out)
    return EXIT_OK


def headline_text(headline: Any) -> str:
    """The headline results as an aligned table: label, value, unit."""
    rows = [(r.label, *format_value(r.value, r.unit)) for r in headline.itertuples()]
    if not rows:
        return "  (no headline results)"
    wl = max(len(r[0]) for r in rows)
    wv = max(len(r[1]) for r in rows)
    return "\n".join(f"  {label:<{wl}}  {value:>{wv}}  {unit}".rstrip() for label, value, unit in rows)


def params_text(rows: list[dict[str, Any]]) -> str:
    """Parameters as an aligned table; long defaults are cut short (see ``--json`` for all)."""
    columns = ("path", "default", "unit", "range", "evidence", "description", "source")
    cells = [[r["path"], _short(_show(r.get("default")), 32), str(r.get("unit") or ""),
              _short(str(r.get("range") or ""), 40), str(r.get("evidence") or ""),
              str(r.get("description") or ""), str(r.get("source") or "")] for r in rows]
    widths = [max(len(c), *(_width(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = [[c.upper() for c in columns], *cells]
    return "\n".join("  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(line, widths, strict=True))
                     .rstrip() for line in lines)


def _width(text: str) -> int:
    # Terminal columns: CJK characters (网格) take two.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def default_run_name(scenario: Any) -> str:
    """``NAME-sSEED-HASH8``: readable, and two different runs never share a directory."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", scenario.name).strip("-.") or "run"
    return f"{name}-s{scenario.seed}-{scenario.hash[:8]}"


def _load(path: str | None, overrides: list[str]) -> Any:
    from govsim import load_scenario

    if path is None and DEFAULT_SCENARIO.is_file():
        path = str(DEFAULT_SCENARIO)
    return load_scenario(path, overrides)


def _run_overrides(args: argparse.Namespace) -> list[str]:
    # Seed and weeks go into the scenario itself, so scenario.yaml in the run
    # directory reruns exactly this run, and the loader validates them.
    extra = [] if args.seed is None else [f"seed={args.seed}"]
    extra += [] if args.steps is None else [f"steps={args.steps}"]
    return [*args.overrides, *extra]


@contextlib.contextmanager
def _progress_bar(args: argparse.Namespace, scenario: Any) -> Iterator[Callable[[int, int], None] | None]:
    """A tqdm bar on stderr as a ``progress(done, total)`` callback, or None when off."""
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    if not show or quiet(args):
        yield None
        return
    from tqdm import tqdm

    total = scenario.steps + scenario.params["warmup_weeks"]
    with tqdm(total=total, desc=scenario.name, unit="week", file=sys.stderr, leave=False) as bar:

        def update(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        yield update


_seed, _positive_int = int_at_least(0), int_at_least(1)


def _is_input_error(error: Exception) -> bool:
    if isinstance(error, ScenarioError | UsageError):
        return True
    io_module = sys.modules.get("govsim.io")  # not imported: cannot be its error
    if io_module is not None and isinstance(error, io_module.RunDirError):
        return True
    files = sys.modules.get("govsim.files")  # an output that cannot be written, a full disk
    if files is not None and isinstance(error, files.OutputError):
        return True
    study_errors = sys.modules.get("govsim.study.errors")
    return study_errors is not None and isinstance(error, study_errors.StudyError)


def _finite(value: Any) -> float | None:
    return float(value) if value is not None and math.isfinite(float(value)) else None


def _show(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, str):
        return value if value else '""'
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return str(value)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _silence_stdout() -> None:
    # The reader went away (`govsim params | head`): stop Python's exit-time flush from failing too.
    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


if __name__ == "__main__":
    raise SystemExit(main())
