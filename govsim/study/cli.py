"""The experiment commands of ``govsim``: sweep, compare, report, sensitivity, calibrate, export.

Part of the command line (:mod:`govsim.cli` adds these subcommands), and like
it the only study code that prints: each command parses its arguments, calls
the library and prints the answer, or one JSON object with ``--json``. A
progress bar (runs done, failures, time left) goes to stderr on a terminal.
Ctrl-C stops at once; every run finished so far is already stored, and
``--resume`` finishes the rest.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from govsim.console import EXIT_FAILURE, EXIT_OK, EXIT_UNMET, UsageError, err, int_at_least, quiet
from govsim.files import jsonable

#: Runs a command starts without --max-runs (as :data:`govsim.study.plan.MAX_RUNS`, not imported:
#: it loads pandas); tests/test_hostile_input.py checks they agree.
MAX_RUNS = 20_000
#: Calibration methods (as in :data:`govsim.study.specschema.METHODS`, not imported: it loads pandas).
METHODS = ("nelder-mead", "powell", "differential-evolution", "abc")


def add_commands(sub: Any, common: argparse.ArgumentParser) -> None:
    """Add the experiment subcommands to the ``govsim`` parser."""
    for add in (_add_plan, _add_sweep, _add_compare, _add_report, _add_sensitivity, _add_calibrate,
                _add_export):
        add(sub, common)


# -- arguments ---------------------------------------------------------------------------------


def _max_runs_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--max-runs", type=_count, metavar="N",
                   help=f"start a design of up to N runs (default: {MAX_RUNS:,}; a bigger one is refused at "
                        "once, with its size and an estimate of its time and memory)")


def _executor_args(p: argparse.ArgumentParser) -> None:
    _max_runs_arg(p)
    p.add_argument("--workers", type=_count, default=default_workers(), metavar="N",
                   help=f"worker processes (default: {default_workers()}, the CPUs here; 1 runs serially)")
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="local process pool, or Dask (pip install 'govsim[distributed]') (default: local)")
    p.add_argument("--scheduler", metavar="ADDR",
                   help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (default: start a local cluster)")
    p.add_argument("--resume", action="store_true",
                   help="continue an experiment already in the output directory, skipping stored runs")
    p.add_argument("--out", type=Path, metavar="DIR", help="results directory (default: the spec's out, "
                   "else results/NAME)")
    p.add_argument("--json", action="store_true", help="print the outcome as one JSON object")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show a progress bar on stderr (default: only when stderr is a terminal)")


def _posterior_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--posterior", type=Path, metavar="FILE",
                   help="draw each replication's parameters from this posterior sample (CSV: a weight "
                        "column and one column per scenario path, e.g. the posterior.csv of 'govsim "
                        "calibrate --method abc'), the same in every arm, so intervals include "
                        "parameter uncertainty as well as stochastic noise (default: parameters fixed)")


def _spec_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", type=Path, metavar="SPEC", help="experiment spec (experiments/*.yaml)")
    p.add_argument("--reps", type=_count, metavar="N", help="replications (default: the spec's)")
    p.add_argument("--steps", type=_count, metavar="T", help="weeks per run (default: the spec's)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                   help="override a scenario parameter in every arm or design point (repeatable)")
    _executor_args(p)


def _add_sweep(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("sweep", parents=[common], help="run every arm or design point of an experiment",
                       description="Run every arm or design point of an experiment spec, each replication "
                                   "with shared seeds, storing each run as it finishes. Interrupted "
                                   "sweeps lose only the runs in flight: run again with --resume.")
    _spec_args(p)
    p.add_argument("--cases", action="store_true", default=None,
                   help="also store each run's case ledger in DIR/cases (one row per need; "
                        "pd.read_parquet('DIR/cases') reads them all) (default: the spec's cases)")
    _posterior_arg(p)
    p.set_defaults(handler=cmd_sweep)


def _add_compare(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("compare", parents=[common],
                       help="what does each scenario do compared with a baseline?",
                       description="Run a baseline and other scenarios with shared seeds and print each "
                                   "metric's paired difference from the baseline with a 95% confidence "
                                   "interval, overall and by group. One experiment spec with arms may "
                                   "stand for the scenarios.")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                   help="BASELINE then OTHER scenario files (or one experiment spec with arms)")
    amount = p.add_mutually_exclusive_group()
    amount.add_argument("--reps", type=_count, metavar="N", help="replications per scenario (default: 10)")
    amount.add_argument("--precision", action="append", metavar="X|METRIC=X",
                        help="add replications until every compared metric's interval is narrower than "
                             "X (upper - lower, in the metric's unit; shares as fractions); repeatable as "
                             "METRIC=X")
    p.add_argument("--max-reps", type=_count, default=200, metavar="N",
                   help="most replications --precision may run (default: 200)")
    p.add_argument("--metrics", type=metric_list, metavar="A,B",
                   help="metrics to compare (default: headline)")
    p.add_argument("--seed", type=int_at_least(0), metavar="N",
                   help="master seed (default: the baseline's seed)")
    p.add_argument("--steps", type=_count, metavar="T", help="weeks per run (default: the scenarios')")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                   help="override a parameter in every scenario (repeatable)")
    _posterior_arg(p)
    _executor_args(p)
    p.set_defaults(handler=cmd_compare)


def _add_report(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("report", parents=[common], help="write a self-contained HTML report of results",
                       description="Write one HTML file (figures embedded) with the question, a headline "
                                   "per arm in plain words (what changed, by how much, with its interval, "
                                   "and whether that is large enough to matter), the effects with "
                                   "Bonferroni-adjusted intervals, counts beside their rates, time series "
                                   "with uncertainty bands, effects by group, response curves for designs "
                                   "over factors, sensitivity indices with their flags, and the manifest.")
    p.add_argument("results", type=Path, metavar="DIR", help="results directory of a sweep or comparison")
    p.add_argument("--out", type=Path, metavar="FILE",
                   help="where to write it (default: DIR/report.html, or DIR/report.zh.html with --lang zh)")
    p.add_argument("--metrics", type=metric_list, metavar="A,B", help="metrics to show (default: the spec's)")
    p.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="language of the whole report: English or Chinese (default: en)")
    p.set_defaults(handler=cmd_report)


def _add_sensitivity(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("sensitivity", parents=[common], help="Sobol' indices or Morris screening",
                       description="Run a spec with 'design: sobol' or 'design: morris' and print, per "
                                   "metric and factor, Sobol' first-order and total indices (or Morris "
                                   "mu* and sigma) with 95% intervals, and warn, with a suggested "
                                   "sample size, where the intervals show the indices are not "
                                   "converged; writes sensitivity.csv and .png.")
    _spec_args(p)
    p.set_defaults(handler=cmd_sensitivity)


def _add_calibrate(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("calibrate", parents=[common], help="fit parameters to target statistics",
                       description="Fit a spec's factors to its targets by simulated moments (fixed seeds, "
                                   "scipy.optimize), report the targets met and missed, and write the "
                                   "calibrated scenario. With --method abc, find instead a posterior "
                                   "over the factors by ABC-SMC (pyabc; pip install "
                                   "'govsim[calibration]'): its samples, credible intervals, diagnostics "
                                   "per generation and a pair plot.")
    _spec_args(p)
    p.add_argument("--scenario-out", type=Path, metavar="FILE",
                   help="where to write the calibrated scenario (default: DIR/calibrated.yaml)")
    p.add_argument("--method", choices=METHODS, help="search method (default: the spec's optimizer.method, "
                   "else nelder-mead); abc: Bayesian ABC-SMC")
    abc = p.add_argument_group("ABC-SMC (--method abc; defaults: the spec's abc section)")
    abc.add_argument("--population", type=_count, metavar="N", help="particles per generation")
    abc.add_argument("--max-generations", type=_count, metavar="N", help="stop after N generations")
    abc.add_argument("--max-simulations", type=_count, metavar="N",
                     help="stop once N parameter sets were simulated (checked between generations)")
    abc.add_argument("--min-epsilon", type=_non_negative, metavar="X",
                     help="stop once the acceptance distance is at most X (default: every target off by "
                          "its tolerance)")
    abc.add_argument("--max-minutes", type=_non_negative, metavar="X",
                     help="stop after X minutes of wall time (checked between generations)")
    p.set_defaults(handler=cmd_calibrate)


def _add_plan(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("plan", parents=[common], help="list the runs a spec implies, and their time here",
                       description="Read and check an experiment spec, then list its arms or design "
                                   "points, the runs they imply (times the replications) and an "
                                   "estimate of the time they would take on this machine, from two short "
                                   "runs of the base scenario timed here. Nothing is stored.")
    p.add_argument("spec", type=Path, metavar="SPEC", help="experiment spec (experiments/*.yaml)")
    p.add_argument("--reps", type=_count, metavar="N", help="replications (default: the spec's)")
    p.add_argument("--steps", type=_count, metavar="T", help="weeks per run (default: the spec's)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                   help="override a scenario parameter in every arm or design point (repeatable)")
    p.add_argument("--workers", type=_count, default=default_workers(), metavar="N",
                   help=f"workers the estimate assumes (default: {default_workers()}, the CPUs here)")
    p.add_argument("--all", action="store_true", help="list every point (default: the first 20)")
    _max_runs_arg(p)
    p.add_argument("--json", action="store_true", help="print the plan as one JSON object")
    p.set_defaults(handler=cmd_plan)


def _add_export(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("export", parents=[common], help="write an experiment's results as CSV or Parquet",
                       description="Write govsim.load_results(DIR): one row per run and week, the design's "
                                   "parameters as columns, one column per metric.")
    p.add_argument("results", type=Path, metavar="DIR", help="results directory")
    p.add_argument("out", type=Path, metavar="FILE", help="output file, .csv or .parquet")
    p.add_argument("--scope", choices=("overall", "group"), default="overall",
                   help="overall (one row per run and week) or group (also per group) (default: overall)")
    p.set_defaults(handler=cmd_export)


# -- commands ----------------------------------------------------------------------------------


def cmd_plan(args: argparse.Namespace) -> int:
    """``govsim plan``: the runs of a spec and their estimated time, without running them."""
    from govsim.study import load_spec
    from govsim.study.plan import plan, size, too_big
    from govsim.study.text import plan_text

    spec = load_spec(args.spec, parse_set(args.overrides), replications=args.reps, steps=args.steps)
    refusal = too_big(spec, args.max_runs, workers=args.workers)
    if refusal is not None:  # say its size, but neither time nor list it: that would take long itself
        if args.json:
            print_json({"spec": spec.name, "over_max_runs": True,
                        **size(spec, workers=args.workers).describe()}, args)
        elif not quiet(args):
            print(refusal)
        return EXIT_OK
    result = plan(spec, workers=args.workers)
    if args.json:
        print_json({"spec": spec.name, **result.describe()}, args)
    elif not quiet(args):
        print(plan_text(spec.name, result, limit=None if args.all else 20))
    return EXIT_OK


def cmd_sweep(args: argparse.Namespace) -> int:
    """``govsim sweep``: run and store every run of a spec."""
    from govsim.study import run_sweep
    from govsim.study.posterior import intervals_note

    spec = _load_spec(args)
    _check_size(spec, args)
    posterior = _posterior(args)
    with _interrupted(spec, args), run_progress(args, "sweep") as progress:
        summary = run_sweep(spec, out=args.out, resume=args.resume, workers=args.workers,
                            executor=args.executor, scheduler=args.scheduler, progress=progress,
                            cases=args.cases, posterior=posterior)
    document = {"out": str(summary.out), "planned": summary.planned, "already_stored": summary.already,
                "done": summary.done, "failed": summary.failed,
                "wall_seconds": round(summary.wall_seconds, 3), "errors": summary.errors,
                "posterior": posterior.describe() if posterior is not None else None,
                "intervals": intervals_note(posterior)}
    if args.json:
        print_json(document, args)
    elif not quiet(args):
        print(f"{spec.name}: {summary.planned} runs ({summary.already} already stored, {summary.done} run "
              f"now, {summary.failed} failed) in {summary.wall_seconds:.1f} s")
        print(document["intervals"])
        print(f"results: {summary.out}  (govsim.load_results, govsim report {summary.out})")
    return _failures(summary.failed, summary.errors, summary.out)


def cmd_compare(args: argparse.Namespace) -> int:
    """``govsim compare``: effects of each scenario against the baseline, with intervals."""
    from govsim.study.compare import compare, describe

    spec = _compare_spec(args)
    precision = _precision(args.precision, spec.metrics)
    _check_size(spec, args, replications=args.max_reps if precision else None)
    posterior = _posterior(args)
    with _interrupted(spec, args), run_progress(args, "compare") as progress:
        result = compare(spec, out=args.out, resume=args.resume, precision=precision, max_reps=args.max_reps,
                         workers=args.workers, executor=args.executor, scheduler=args.scheduler,
                         progress=progress, posterior=posterior)
    if args.json:
        print_json(describe(result), args)
    elif not quiet(args):
        from govsim.study.text import comparison_text

        print(comparison_text(result))
    status = _failures(result.failed, [e for s in result.sweeps for e in s.errors], result.out)
    if status == EXIT_OK and result.met is False:
        err(f"govsim compare: the precision asked for was not reached within --max-reps "
            f"{args.max_reps} replications (exit {EXIT_UNMET}); every run is stored, and the "
            "intervals are wider than asked: see 'widths' and 'precision_met' in --json")
        return EXIT_UNMET
    return status


def cmd_report(args: argparse.Namespace) -> int:
    """``govsim report``: the HTML report of a results directory."""
    from govsim.study.report import write_report

    out = write_report(args.results, args.out, metrics=args.metrics, lang=args.lang)
    if not quiet(args):
        print(out)
    return EXIT_OK


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """``govsim sensitivity``: Sobol' or Morris indices of a spec's factors, with convergence flags.

    Prints the indices, the sample size and runs used, and, when any index is flagged as
    not converged, a warning paragraph with the flags and the suggested sample size.
    """
    from govsim.study.sensitivity import run_sensitivity

    spec = _load_spec(args)
    _check_size(spec, args)
    with _interrupted(spec, args), run_progress(args, "sensitivity") as progress:
        result = run_sensitivity(spec, out=args.out, resume=args.resume, workers=args.workers,
                                 executor=args.executor, scheduler=args.scheduler, progress=progress)
    if args.json:
        from govsim.study.sensitivity import describe
        from govsim.study.text import sensitivity_warning

        print_json({**describe(result), "warning": sensitivity_warning(result)}, args)
    elif not quiet(args):
        from govsim.study.text import sensitivity_text

        print(sensitivity_text(result))
    return EXIT_OK


def cmd_calibrate(args: argparse.Namespace) -> int:
    """``govsim calibrate``: fit parameters to targets and write the calibrated scenario."""
    from govsim.study.calibrate import calibrate

    spec = _calibration_spec(args)
    _check_size(spec, args)
    if spec.method == "abc":
        return _calibrate_abc(spec, args)
    with _interrupted(spec, args), run_progress(args, "calibrate") as progress:
        result = calibrate(spec, out=args.out, resume=args.resume, workers=args.workers,
                           executor=args.executor, scheduler=args.scheduler, progress=progress,
                           scenario_out=args.scenario_out)
    if args.json:
        print_json({"out": str(result.out), "parameters": result.parameters, "objective": result.objective,
                     "evaluations": result.evaluations, "message": result.message,
                     "scenario": str(result.scenario), "targets_met": result.met,
                     "targets": result.targets.to_dict(orient="records")}, args)
    elif not quiet(args):
        from govsim.study.text import calibration_text

        print(calibration_text(result))
    return EXIT_OK


#: ``govsim calibrate`` options -> fields of the spec's ``abc`` settings.
ABC_OPTIONS = {"population": "population_size", "max_generations": "max_generations",
               "max_simulations": "max_simulations", "min_epsilon": "minimum_epsilon",
               "max_minutes": "max_minutes"}


def _calibration_spec(args: argparse.Namespace) -> Any:
    """The spec with ``--method`` and the ABC options applied; ABC options need the abc method."""
    import dataclasses

    spec = _load_spec(args)
    if args.method is not None:
        spec = spec.replace(method=args.method)
    given = {field: getattr(args, option) for option, field in ABC_OPTIONS.items()
             if getattr(args, option) is not None}
    if given and spec.method != "abc":
        names = ", ".join("--" + o.replace("_", "-") for o in ABC_OPTIONS if getattr(args, o) is not None)
        raise UsageError(f"{names}: ABC-SMC options; add --method abc (the method is {spec.method})")
    return spec.replace(abc=dataclasses.replace(spec.abc, **given)) if given else spec


def _calibrate_abc(spec: Any, args: argparse.Namespace) -> int:
    """``govsim calibrate --method abc``: the posterior, its diagnostics and why it stopped."""
    from govsim.study.abc import calibrate_abc, describe

    if args.scenario_out is not None:
        raise UsageError("--scenario-out is for the simulated-moments methods; ABC-SMC writes a posterior")
    with _interrupted(spec, args):
        result = calibrate_abc(spec, out=args.out, resume=args.resume, workers=args.workers,
                               executor=args.executor, scheduler=args.scheduler)
    if args.json:
        print_json(describe(result), args)
    elif not quiet(args):
        from govsim.study.text import abc_text

        print(abc_text(result))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """``govsim export``: results as one CSV or Parquet file."""
    from govsim.study import export_results

    out = export_results(args.results, args.out, scope=args.scope)
    if not quiet(args):
        print(out)
    return EXIT_OK


# -- helpers -----------------------------------------------------------------------------------


def default_workers() -> int:
    """CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _check_size(spec: Any, args: argparse.Namespace, replications: int | None = None) -> None:
    """Refuse at once a design of more runs than --max-runs allows (a StudyError: exit 2)."""
    from govsim.study.plan import check_size

    check_size(spec, args.max_runs, workers=args.workers, replications=replications)


def _start_workers_early(args: argparse.Namespace) -> None:
    """Let a local pool's forkserver import the model while this process reads the spec."""
    from govsim.study.executors import start_early

    start_early(args.executor, args.workers)


def _load_spec(args: argparse.Namespace) -> Any:
    from govsim.study import load_spec

    _start_workers_early(args)
    return load_spec(args.spec, parse_set(args.overrides), replications=args.reps, steps=args.steps,
                     out=args.out)


def _compare_spec(args: argparse.Namespace) -> Any:
    from govsim import load_scenario
    from govsim.scenario import yamlio
    from govsim.study.compare import arms_spec

    _start_workers_early(args)
    first = Path(args.scenarios[0])
    if len(args.scenarios) == 1:
        data = yamlio.read(first).data if first.is_file() else None
        if not (isinstance(data, dict) and "arms" in data):
            raise UsageError("compare needs a baseline and at least one other scenario, or one experiment "
                             "spec with arms")
        from govsim.study import load_spec

        spec = load_spec(first, parse_set(args.overrides), replications=args.reps, steps=args.steps,
                         out=args.out)
        return spec.replace(**({"seed": args.seed} if args.seed is not None else {}),
                            **({"metrics": tuple(args.metrics)} if args.metrics else {}))
    extra = [*args.overrides, *([f"steps={args.steps}"] if args.steps else [])]
    scenarios = [load_scenario(path, extra) for path in args.scenarios]
    return arms_spec(scenarios, seed=args.seed, replications=args.reps or 10, metrics=args.metrics)


def _posterior(args: argparse.Namespace) -> Any:
    if args.posterior is None:
        return None
    from govsim.study.posterior import load_posterior

    return load_posterior(args.posterior)


def parse_set(overrides: list[str]) -> dict[str, str]:
    out = {}
    for text in overrides:
        key, sep, value = text.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set {text}: expected KEY=VALUE, e.g. --set population.residents=5000")
        out[key.strip()] = value
    return out


def _precision(values: list[str] | None, metrics: tuple[str, ...]) -> dict[str, float] | None:
    if not values:
        return None
    out: dict[str, float] = {}
    for text in values:
        name, sep, number = text.rpartition("=")
        try:
            width = float(number)
        except ValueError:
            raise UsageError(f"--precision {text}: expected a number or METRIC=NUMBER") from None
        if not width > 0:
            raise UsageError(f"--precision {text}: the width must be above 0")
        names = [name] if sep else list(metrics)
        for metric in names:
            known_metric(metric)
            out[metric] = width
    return out


def known_metric(name: str) -> str:
    from govsim.metrics import METRICS  # pandas: imported only when a command needs it
    from govsim.scenario.suggest import closest

    if name not in METRICS:
        near = closest(name, METRICS)
        hint = f" Did you mean {near!r}?" if near else ""
        raise UsageError(f"{name!r} is not a metric.{hint} See the metrics in govsim/metrics.py.")
    return name


def metric_list(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    try:
        return [known_metric(n) for n in names]
    except UsageError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


_count = int_at_least(1)


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected a number of at least 0, got {text}")
    return value


@contextlib.contextmanager
def _interrupted(spec: Any, args: argparse.Namespace) -> Iterator[None]:
    """Hold the results directory's lock (one govsim writes a store at a time); on Ctrl-C, say
    what was kept and how to finish, then let the CLI exit with 130."""
    from govsim.study.store import lock_store

    out = args.out or spec.out_dir
    with lock_store(out):
        try:
            yield
        except KeyboardInterrupt:
            print(f"\nstopped: every finished run is stored in {out}; run the same command with --resume "
                  "to finish", file=sys.stderr)
            raise


@contextlib.contextmanager
def run_progress(args: argparse.Namespace, what: str) -> Iterator[Callable[[Any], None] | None]:
    """A tqdm bar of runs (done, failed, time left) on stderr, or None when off."""
    show = args.progress if args.progress is not None else sys.stderr.isatty()
    if not show or quiet(args):
        yield None
        return
    from tqdm import tqdm

    with tqdm(desc=what, unit="run", file=sys.stderr, leave=False, dynamic_ncols=True) as bar:

        def update(counts: Any) -> None:
            bar.total = counts.total
            bar.update(counts.done - bar.n)
            bar.set_postfix(failed=counts.failed, refresh=False)

        yield update


def _failures(failed: int, errors: list[str], out: Path) -> int:
    if not failed:
        return EXIT_OK
    print(f"{failed} runs failed; their errors are in {out}/failed/ and {out}/index.csv:", file=sys.stderr)
    for error in errors:
        print(f"  {error}", file=sys.stderr)
    return EXIT_FAILURE


def print_json(document: Any, args: argparse.Namespace) -> None:
    """The answer as one JSON object on stdout; ``-q`` does not silence it (``--json`` asked for it)."""
    print(json.dumps(jsonable(document), ensure_ascii=False, default=str))

