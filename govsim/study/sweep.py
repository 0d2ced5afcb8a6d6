"""Sweeps: every design point × replication of a spec, executed and stored as they finish.

:func:`run_sweep` is what ``govsim sweep`` calls: it expands the spec into
design points, opens the results store (checking that a resumed directory
holds the same experiment), skips every run already stored, and streams the
rest through an executor into the store. Interrupting it loses only the runs
in flight; running it again with ``resume=True`` finishes the rest.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from govsim.study.design import Point, points, replication_seed
from govsim.study.errors import StudyError
from govsim.study.executors import Progress, SerialExecutor, make_executor, run_tasks, start_early
from govsim.study.posterior import (
    POSTERIOR_PREFIX,
    Posterior,
    apply,
    check_not_varied,
    draws,
    intervals_note,
)
from govsim.study.spec import ExperimentSpec
from govsim.study.store import RunStore, lock_store
from govsim.study.worker import STORED_SCOPES, RunRecord, RunTask, run_id


@dataclass
class SweepSummary:
    """What a sweep did.

    Attributes:
        out: The results directory.
        planned: Runs the experiment has (unique scenario and seed pairs).
        already: Runs found stored and skipped.
        done: Runs finished now.
        failed: Runs that raised now (recorded with their error).
        wall_seconds: Time taken.
        errors: The first few failures' messages.
    """

    out: Path
    planned: int
    already: int = 0
    done: int = 0
    failed: int = 0
    wall_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


def run_sweep(spec: ExperimentSpec, *, out: str | Path | None = None, resume: bool = False,
              workers: int = 1, executor: str | cf.Executor = "local", scheduler: str | None = None,
              progress: Callable[[Progress], None] | None = None,
              design: Sequence[Point] | None = None, cases: bool | None = None,
              posterior: Posterior | None = None) -> SweepSummary:
    """Run every design point of ``spec`` ``spec.replications`` times into a results store.

    Args:
        spec: An arms or design spec.
        out: Results directory (default: the spec's ``out``, else ``results/NAME``).
        resume: Continue an experiment already in ``out``, skipping stored runs.
        workers: Processes for the ``local`` pool or a local Dask cluster (1: serial). A script
            calling this with more than one worker needs the ``if __name__ == "__main__":``
            guard (see :mod:`govsim.study.executors`).
        executor: ``local``, ``dask``, or any ``concurrent.futures.Executor``.
        scheduler: Dask scheduler address (default: start a local cluster).
        progress: Called with the counts after every run.
        design: The design points, when the caller has built them already.
        cases: Also store each run's case ledger (default: the spec's ``cases``). Resuming
            with cases re-runs the stored runs that have no ledger yet.
        posterior: Parameter draws (:mod:`govsim.study.posterior`): each replication runs every
            point with the values of one particle, the same in every point. The runs of each
            replication are listed in ``plan.csv``.

    Returns:
        Counts of what was run, skipped and failed.

    Raises:
        StudyError: ``out`` holds a different experiment, or this one without ``resume``; another
            process is writing it (:func:`govsim.study.store.lock_store`); or a run could not be
            stored (a full disk): the message says how many are, and ``resume`` finishes.
    """
    clock = time.perf_counter()
    if isinstance(executor, str):
        start_early(executor, workers)
    pts = list(design) if design is not None else points(spec)
    cases = spec.cases if cases is None else cases
    # Planned first: a posterior that does not fit the scenarios fails before anything is written.
    needed, plan = plan_runs(pts, spec.seed, spec.replications, cases=cases, posterior=posterior)
    with lock_store(out if out is not None else spec.out_dir):
        return _sweep(spec, pts, needed, plan, out=out, resume=resume, workers=workers, executor=executor,
                      scheduler=scheduler, progress=progress, cases=cases, posterior=posterior, clock=clock)


def _sweep(spec: ExperimentSpec, pts: Sequence[Point], needed: dict[str, RunTask], plan: pd.DataFrame, *,
           out: str | Path | None, resume: bool, workers: int, executor: str | cf.Executor,
           scheduler: str | None, progress: Callable[[Progress], None] | None, cases: bool,
           posterior: Posterior | None, clock: float) -> SweepSummary:
    store = open_store(spec, pts, out, resume=resume, posterior=posterior)
    if posterior is not None:
        store.write_plan(plan)
    stored = store.done() & store.with_cases() if cases else store.done()
    todo = [key for key in needed if key not in stored]
    summary = SweepSummary(store.root, len(needed), already=len(needed) - len(todo))
    counts = Progress(total=len(needed), done=summary.already)
    if progress is not None:
        progress(counts)

    def keep(record: RunRecord) -> None:
        try:
            store.put(record)
        except OSError as err:  # a full disk: say what is kept and how to go on
            kept = len(store.done())
            raise StudyError(f"{err}; {kept} run{'s' * (kept != 1)} of {len(needed)} are stored in "
                             f"{store.root}; free space and run the same command again with "
                             "--resume.") from err
        counts.done += 1
        summary.done += record.ok
        if not record.ok:
            counts.failed += 1
            summary.failed += 1
            if len(summary.errors) < 5:
                summary.errors.append(f"{record.run_id}: {record.error}")
        if progress is not None:
            progress(counts)

    try:
        execute_runs((needed[key] for key in todo), keep, executor=executor, workers=workers,
                     scheduler=scheduler)
    except BaseException:
        # The index is a convenience: failing to write it (a full disk) must not hide why we stopped.
        with contextlib.suppress(OSError, StudyError):
            store.rebuild_index()
        raise
    summary.wall_seconds = time.perf_counter() - clock
    store.rebuild_index()
    return summary


def execute_runs(tasks: Iterator[RunTask], keep: Callable[[RunRecord], None], *,
                 executor: str | cf.Executor, workers: int, scheduler: str | None) -> None:
    """Run tasks on a named executor (started and stopped here) or on one the caller owns."""
    if isinstance(executor, cf.Executor):
        serial = isinstance(executor, SerialExecutor)
        run_tasks(tasks, executor, keep, in_flight=1 if serial else 2 * max(1, workers))
        return
    with make_executor(executor, workers, scheduler) as pool:
        execute_runs(tasks, keep, executor=pool, workers=workers, scheduler=None)


def plan_runs(pts: Sequence[Point], master: int, replications: int, *, cases: bool = False,
              posterior: Posterior | None = None) -> tuple[dict[str, RunTask], pd.DataFrame]:
    """Every run of the design, replication by replication, keyed by run id (duplicates once),
    and the plan table: one row per point and replication with its run id, scenario hash and
    (``posterior:PATH`` columns) the parameter values drawn.

    ``cases`` asks each run for its case ledger as well; with a ``posterior``, each
    replication's runs use that replication's parameter draw.
    """
    if posterior is not None:
        check_not_varied(posterior, {point.label: point.scenario for point in pts})
    drawn = draws(posterior, replications, master) if posterior is not None else [{}] * replications
    tasks: dict[str, RunTask] = {}
    rows = []
    for r in range(replications):
        seed = replication_seed(master, r)
        for point in pts:
            scenario = apply(point.scenario, drawn[r]) if drawn[r] else point.scenario
            key = run_id(scenario.hash, seed)
            tasks.setdefault(key, RunTask(key, scenario, seed, STORED_SCOPES, cases))
            rows.append({"point": point.index, "replication": r, "run_id": key,
                         "scenario_hash": scenario.hash,
                         **{f"{POSTERIOR_PREFIX}{k}": v for k, v in drawn[r].items()}})
    return tasks, pd.DataFrame(rows)


def open_store(spec: ExperimentSpec, pts: Sequence[Point], out: str | Path | None, *,
               resume: bool, posterior: Posterior | None = None) -> RunStore:
    """Open (create or check) the store of an arms or design experiment and write its design."""
    store = RunStore(out if out is not None else spec.out_dir)
    identity: dict[str, Any] = {"kind": spec.kind, "seed": spec.seed,
                                "points": [p.scenario.hash for p in pts]}
    if posterior is not None:
        identity["posterior"] = posterior.digest
    meta = experiment_meta(spec, identity, len(pts))
    meta["posterior"] = posterior.describe() if posterior is not None else None
    meta["intervals"] = intervals_note(posterior)
    store.open(meta, resume=resume)
    store.write_design(design_frame(pts))
    return store


def experiment_meta(spec: ExperimentSpec, identity: Any, n_points: int) -> dict[str, Any]:
    """``experiment.json``: the question, the arms or factors, seeds and versions."""
    from govsim.run import git_commit, versions

    packages = versions() | _extra_versions()
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()
    return {
        "name": spec.name, "kind": spec.kind, "identity": digest, "description": spec.description,
        "question": spec.question, "spec_source": spec.source, "spec": spec.document,
        "base_scenario": spec.base.name, "base_scenario_hash": spec.base.hash,
        "baseline": spec.baseline, "points": n_points, "replications": spec.replications,
        "seed": spec.seed, "replication_seeds": [replication_seed(spec.seed, r)
                                                 for r in range(spec.replications)],
        "metrics": list(spec.metrics), "design": spec.design, "samples": spec.samples,
        "levels": spec.levels, "second_order": spec.second_order,
        "arms": [{"name": a.name, "scenario": a.scenario.name, "source": a.source or a.scenario.source,
                  "overrides": a.overrides, "scenario_hash": a.scenario.hash} for a in spec.arms],
        "factors": [{"path": f.path, "values": list(f.values) if f.values is not None else None,
                     "low": f.low, "high": f.high, "integer": f.integer} for f in spec.factors],
        "targets": [vars(t) for t in spec.targets], "scopes": list(STORED_SCOPES),
        "reference": spec.reference,
        "updated_at": datetime.now(UTC).isoformat(timespec="seconds"), "versions": packages,
        "git_commit": git_commit(),
    }


def design_frame(pts: Sequence[Point]) -> pd.DataFrame:
    """The design table: point, label, scenario_hash, and one column per factor path."""
    rows = [{"point": p.index, "label": p.label, "scenario_hash": p.scenario.hash, **p.values} for p in pts]
    return pd.DataFrame(rows)


def _extra_versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for name in ("scipy", "SALib", "pyarrow"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out
