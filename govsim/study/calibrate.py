"""Calibration by the simulated method of moments.

Chosen parameters (the spec's ``factors``, each with a ``range``) are fitted
so that the model reproduces target statistics (the spec's ``targets``: the
whole-run value of a metric, overall or for a group or community). The
objective is the weighted sum of squared, scaled distances between each
target and its mean over ``replications`` runs. The replications use the
same fixed seeds at every parameter set (common random numbers), so the
objective is a deterministic function of the parameters and a derivative-free
optimiser from :mod:`scipy.optimize` can search it: Nelder-Mead or Powell
within the bounds, or differential evolution for a global search. Every run
goes into the results store, so an interrupted calibration resumes by
replaying the same search from stored runs.

The result says which targets are met (within their tolerance) and which
are missed, and the calibrated scenario is written as YAML that ``extends``
the base scenario, checked by loading it back.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim.files import csv_bytes, write_atomic
from govsim.study import stats
from govsim.study.calibration_io import write_calibrated
from govsim.study.design import Point, point_for, replication_seed
from govsim.study.errors import StudyError
from govsim.study.executors import Progress, make_executor, run_tasks
from govsim.study.spec import ExperimentSpec, Target
from govsim.study.store import RunStore
from govsim.study.sweep import design_frame, experiment_meta
from govsim.study.worker import STORED_SCOPES, RunTask, run_id

LOG = "calibration.csv"
#: Objective value of a parameter set whose runs failed or whose target values are undefined.
PENALTY = 1e12


class _Budget(Exception):
    """The evaluation budget is spent (stops the optimiser)."""


@dataclass
class Calibration:
    """The outcome of a calibration.

    Attributes:
        out: Results directory.
        parameters: Fitted value per parameter path.
        objective: The objective at the fit.
        targets: Per target: metric, scope, key, target, fitted (mean), ci_low,
            ci_high, error, tolerance, met.
        evaluations: Parameter sets evaluated (distinct ones run).
        message: The optimiser's closing message.
        scenario: Path of the calibrated scenario YAML.
        log: Every evaluation: parameters, objective, target means.
    """

    out: Path
    parameters: dict[str, Any]
    objective: float
    targets: pd.DataFrame
    evaluations: int
    message: str
    scenario: Path
    log: pd.DataFrame

    @property
    def met(self) -> int:
        """Targets met."""
        return int(self.targets["met"].sum())


class Objective:
    """The SMM objective over the unit cube of the parameters, with its runs stored and cached."""

    def __init__(self, spec: ExperimentSpec, store: RunStore, executor: cf.Executor, in_flight: int,
                 progress: Callable[[Progress], None] | None) -> None:
        self.spec, self.store, self.executor, self.in_flight = spec, store, executor, in_flight
        self.seeds = [replication_seed(spec.seed, r) for r in range(spec.replications)]
        self.progress, self.counts = progress, Progress(total=spec.max_evaluations * len(self.seeds))
        self.points: list[Point] = []
        self.cache: dict[tuple, float] = {}
        self.rows: list[dict[str, Any]] = []
        self.calls = 0

    def values(self, unit: np.ndarray) -> dict[str, Any]:
        """Parameter values at a point of the unit cube (clipped to it)."""
        return {f.path: f.scale(u) for f, u in zip(self.spec.factors, np.clip(unit, 0.0, 1.0), strict=True)}

    def __call__(self, unit: np.ndarray) -> float:
        values = self.values(unit)
        key = tuple(values.values())
        if key in self.cache:
            return self.cache[key]
        if len(self.cache) >= self.spec.max_evaluations:
            raise _Budget
        point = point_for(self.spec, len(self.points), values)
        self.points.append(point)
        means, failed = self.target_values(point)
        value = objective(self.spec.targets, means)
        self.cache[key] = value if not failed else PENALTY
        self.rows.append({"evaluation": len(self.rows), **values, "objective": self.cache[key],
                          **{target_name(t): m for t, m in zip(self.spec.targets, means, strict=True)},
                          "failed_runs": failed})
        self.store.write_design(design_frame(self.points))
        write_atomic(self.store.root / LOG, csv_bytes(pd.DataFrame(self.rows)))
        return self.cache[key]

    def target_values(self, point: Point) -> tuple[list[float], int]:
        """Mean of each target's statistic over the replications, and how many runs failed."""
        tasks = {run_id(point.scenario.hash, s): RunTask(run_id(point.scenario.hash, s), point.scenario, s,
                                                         STORED_SCOPES) for s in self.seeds}
        done = self.store.done()

        def keep(record: Any) -> None:
            self.store.put(record)
            self.counts.done += 1
            self.counts.failed += not record.ok
            if self.progress is not None:
                self.progress(self.counts)

        todo = (t for k, t in tasks.items() if k not in done)
        run_tasks(todo, self.executor, keep, in_flight=self.in_flight)
        stored = [k for k in tasks if k in self.store.done()]
        per_run = [summary_values(r["summary"], self.spec.targets) for r in self.store.records(stored)]
        values = np.array(per_run, dtype=float).reshape(len(per_run), len(self.spec.targets))
        means = [float(np.nanmean(col)) if np.isfinite(col).any() else float("nan") for col in values.T]
        return means, len(tasks) - len(stored)


def objective(targets: Sequence[Target], means: Sequence[float]) -> float:
    """Weighted sum of squared scaled errors; undefined values count as :data:`PENALTY`."""
    total = 0.0
    for target, mean in zip(targets, means, strict=True):
        if not np.isfinite(mean):
            return PENALTY
        total += target.weight * ((mean - target.value) / target.divisor) ** 2
    return total


def summary_values(summary: dict[str, list], targets: Sequence[Target]) -> list[float]:
    """Each target's statistic in one run's summary (NaN when absent)."""
    frame = pd.DataFrame(summary)
    index = frame.set_index(["metric", "scope", "key"])["value"]
    out = []
    for t in targets:
        value = index.get((t.metric, t.scope, t.key))
        out.append(float(value) if value is not None and value == value else float("nan"))
    return out


def calibrate(spec: ExperimentSpec, *, out: str | Path | None = None, resume: bool = False,
              workers: int = 1, executor: str | cf.Executor = "local", scheduler: str | None = None,
              progress: Callable[[Progress], None] | None = None,
              scenario_out: str | Path | None = None) -> Calibration:
    """Fit the spec's factors to its targets; write the log and the calibrated scenario.

    Raises:
        StudyError: The spec is not a calibration, or ``out`` holds another experiment.
    """
    if spec.kind != "calibration":
        raise StudyError(f"{spec.source or 'the spec'} has no targets: calibration needs 'targets' and "
                         "factors with a 'range'.")
    if spec.method == "abc":
        raise StudyError("method abc gives a posterior, not a fit: use govsim.study.abc.calibrate_abc")
    store = RunStore(out if out is not None else spec.out_dir)
    identity = {"kind": "calibration", "base": spec.base.hash, "seed": spec.seed,
                "replications": spec.replications, "method": spec.method,
                "factors": [(f.path, f.low, f.high, f.start) for f in spec.factors],
                "targets": [vars(t) for t in spec.targets]}
    store.open(experiment_meta(spec, identity, 0), resume=resume)
    if isinstance(executor, cf.Executor):
        fn = Objective(spec, store, executor, 1 if workers <= 1 else 2 * workers, progress)
        return _finish(spec, store, fn, search(spec, fn), scenario_out)
    with make_executor(executor, workers, scheduler) as pool:
        return calibrate(spec, out=store.root, resume=True, workers=workers, executor=pool,
                         progress=progress, scenario_out=scenario_out)


def search(spec: ExperimentSpec, fn: Objective) -> str:
    """Run the optimiser until it converges or the budget is spent; its message."""
    from scipy import optimize

    d = len(spec.factors)
    x0 = np.array([_unit(f, f.start if f.start is not None else spec.base.get(f.path)) for f in spec.factors])
    bounds = [(0.0, 1.0)] * d
    try:
        if spec.method == "differential-evolution":
            result = optimize.differential_evolution(fn, bounds, seed=spec.seed, polish=False, x0=x0,
                                                     maxiter=max(1, spec.max_evaluations // (15 * d)))
        elif spec.method == "powell":
            result = optimize.minimize(fn, x0, method="Powell", bounds=bounds,
                                       options={"maxfev": spec.max_evaluations, "xtol": 1e-3, "ftol": 1e-6})
        else:
            simplex = np.vstack([x0] + [_step(x0, i) for i in range(d)])
            result = optimize.minimize(fn, x0, method="Nelder-Mead", bounds=bounds,
                                       options={"maxfev": spec.max_evaluations, "xatol": 1e-3,
                                                "fatol": 1e-8, "initial_simplex": simplex})
    except _Budget:
        return f"stopped after {spec.max_evaluations} evaluations (the budget); the best found is reported"
    return str(result.message)


def _finish(spec: ExperimentSpec, store: RunStore, fn: Objective, message: str,
            scenario_out: str | Path | None) -> Calibration:
    if not fn.rows:
        raise StudyError("calibration evaluated nothing")
    log = pd.DataFrame(fn.rows)
    best = int(log["objective"].idxmin())
    point = fn.points[best]
    table = target_table(spec, store, point)
    target = Path(scenario_out) if scenario_out else store.root / "calibrated.yaml"
    path = write_calibrated(spec, point, target, table, float(log.loc[best, "objective"]))
    return Calibration(store.root, dict(point.values), float(log.loc[best, "objective"]), table,
                       len(fn.rows), message, path, log)


def target_table(spec: ExperimentSpec, store: RunStore, point: Point) -> pd.DataFrame:
    """Targets against the fitted model: mean, 95% interval over replications, error, met or missed."""
    seeds = [replication_seed(spec.seed, r) for r in range(spec.replications)]
    ids = [run_id(point.scenario.hash, s) for s in seeds if run_id(point.scenario.hash, s) in store.done()]
    per_run = np.array([summary_values(r["summary"], spec.targets) for r in store.records(ids)], dtype=float)
    per_run = per_run.reshape(len(ids), len(spec.targets))
    rows = []
    for t, column in zip(spec.targets, per_run.T, strict=True):
        mean, low, high = stats.t_interval(column)
        error = mean - t.value
        rows.append({"metric": t.metric, "scope": t.scope, "key": t.key, "target": t.value, "fitted": mean,
                     "ci_low": low, "ci_high": high, "error": error, "tolerance": t.within,
                     "met": bool(np.isfinite(error) and abs(error) <= t.within)})
    return pd.DataFrame(rows)


def _unit(factor: Any, value: Any) -> float:
    return float(np.clip((float(value) - factor.low) / (factor.high - factor.low), 0.0, 1.0))


def _step(x0: np.ndarray, i: int) -> np.ndarray:
    """A simplex vertex a fifth of the range from ``x0`` along axis ``i``, inward."""
    vertex = x0.copy()
    vertex[i] = x0[i] + 0.2 if x0[i] <= 0.8 else x0[i] - 0.2
    return vertex


def target_name(target: Target) -> str:
    """A target's column name: the metric, with its group or community when not overall."""
    return target.metric if target.scope == "overall" else f"{target.metric}[{target.key}]"
