"""Compare arms with the baseline, replications added until the answer is precise enough.

``govsim compare BASELINE OTHER...`` asks "what does each scenario do compared
with the baseline?". It runs every scenario with the same replication seeds
(an arms experiment, stored like any sweep so that ``govsim report`` can read
it), and returns the table of paired effects with confidence intervals,
overall and by group (:func:`govsim.study.stats.effects`). With a precision
target it adds replications in batches, sized from the current spread, until
every compared metric's overall interval is narrower than the target (width =
upper - lower, in the metric's summary unit), or a cap is reached; it says
which.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from govsim.files import csv_bytes, write_atomic
from govsim.scenario import Scenario
from govsim.study import stats
from govsim.study.executors import Progress, make_executor
from govsim.study.posterior import Posterior, intervals_note
from govsim.study.results import load_summaries
from govsim.study.spec import Arm, ExperimentSpec
from govsim.study.specschema import HEADLINE
from govsim.study.sweep import SweepSummary, run_sweep

DEFAULT_MAX_REPS = 200


@dataclass
class Comparison:
    """The answer of a comparison.

    Attributes:
        out: Results directory (``govsim report`` reads it).
        baseline: The baseline arm's name.
        effects: The effect table (:data:`govsim.study.stats.EFFECT_COLUMNS`).
        replications: Replications run per arm.
        precision: The width target per metric, when one was asked for.
        met: Whether every target was met (None without targets).
        widths: The widest overall interval per compared metric.
        sweeps: What each batch ran.
        posterior: The posterior each replication drew parameters from (None: parameters fixed).
    """

    out: Path
    baseline: str
    effects: pd.DataFrame
    replications: int
    precision: dict[str, float] | None = None
    met: bool | None = None
    widths: dict[str, float] = field(default_factory=dict)
    sweeps: list[SweepSummary] = field(default_factory=list)
    posterior: Posterior | None = None

    @property
    def intervals(self) -> str:
        """What the intervals include: stochastic noise, and parameter uncertainty with a posterior."""
        return intervals_note(self.posterior)

    @property
    def failed(self) -> int:
        """Runs that failed across all batches."""
        return sum(s.failed for s in self.sweeps)


def arms_spec(scenarios: Sequence[Scenario], *, seed: int | None = None, replications: int = 10,
              metrics: Sequence[str] | None = None, name: str | None = None) -> ExperimentSpec:
    """An arms experiment from scenarios, the first being the baseline; arm names are unique."""
    names: list[str] = []
    for scenario in scenarios:
        base = scenario.name
        names.append(base if base not in names else f"{base}_{len(names) + 1}")
    arms = tuple(Arm(n, s, s.source) for n, s in zip(names, scenarios, strict=True))
    label = name or "compare-" + "-vs-".join(_slug(n) for n in names[:3])
    return ExperimentSpec(name=label, base=scenarios[0], arms=arms, baseline=names[0],
                          replications=replications, seed=scenarios[0].seed if seed is None else seed,
                          metrics=tuple(metrics or HEADLINE),
                          question=f"What does {', '.join(names[1:])} do compared with {names[0]}?",
                          document={"compare": [s.source or s.name for s in scenarios]})


def compare(spec: ExperimentSpec, *, out: str | Path | None = None, resume: bool = False,
            precision: float | Mapping[str, float] | None = None, max_reps: int = DEFAULT_MAX_REPS,
            workers: int = 1, executor: str | cf.Executor = "local", scheduler: str | None = None,
            progress: Callable[[Progress], None] | None = None,
            posterior: Posterior | None = None) -> Comparison:
    """Run an arms experiment and compute its effects, adding replications for a precision target.

    Args:
        spec: An arms spec (:func:`arms_spec`, or an experiment file with ``arms``).
        out: Results directory (default: the spec's).
        resume: Reuse runs already stored in ``out`` for this experiment.
        precision: Largest acceptable interval width: one number for every
            compared metric, or ``{metric: width}``.
        max_reps: Cap on replications when adding them for precision.
        workers: As for :func:`govsim.study.run_sweep`.
        executor: As for :func:`govsim.study.run_sweep`.
        scheduler: As for :func:`govsim.study.run_sweep`.
        progress: As for :func:`govsim.study.run_sweep`.
        posterior: As for :func:`govsim.study.run_sweep`: each replication draws parameters from
            it, the same in every arm, so the intervals carry parameter uncertainty too.
    """
    if not isinstance(executor, cf.Executor):
        # Start the workers once for every batch.
        with make_executor(executor, workers, scheduler) as pool:
            return compare(spec, out=out, resume=resume, precision=precision, max_reps=max_reps,
                           workers=workers, executor=pool, progress=progress, posterior=posterior)
    targets = _targets(precision, spec.metrics)
    reps = spec.replications if targets is None else min(spec.replications, max_reps)
    sweeps: list[SweepSummary] = []
    while True:
        batch = spec.replace(replications=reps)
        sweeps.append(run_sweep(batch, out=out, resume=resume or bool(sweeps), workers=workers,
                                executor=executor, progress=progress, posterior=posterior))
        table = effect_table(sweeps[-1].out, spec.baseline, spec.metrics, reps)
        if targets is None:
            break
        width = stats.widths(table, list(targets))
        short = [m for m, w in width.items() if not w < targets[m]]
        if not short or reps >= max_reps:
            break
        wanted = max(stats.replications_for(width[m], reps, targets[m]) for m in short)
        reps = min(max_reps, max(reps + 2, wanted))
    out_dir = sweeps[-1].out
    write_atomic(out_dir / "effects.csv", csv_bytes(table))
    width = stats.widths(table, list(spec.metrics))
    met = None if targets is None else all(width[m] < t for m, t in targets.items())
    return Comparison(out_dir, spec.baseline or spec.arms[0].name, table, reps, targets, met,
                      {m: float(w) for m, w in width.items()}, sweeps, posterior)


def effect_table(out: str | Path, baseline: str | None, metrics: Sequence[str],
                 replications: int | None = None) -> pd.DataFrame:
    """The effect table of an arms experiment already stored in ``out``."""
    summaries = load_summaries(out, replications=replications)
    if baseline is None:
        baseline = str(summaries["label"].iloc[0]) if len(summaries) else ""
    return stats.effects(summaries, baseline, metrics=list(metrics))


def _targets(precision: float | Mapping[str, float] | None,
             metrics: Sequence[str]) -> dict[str, float] | None:
    if precision is None:
        return None
    if isinstance(precision, Mapping):
        return {str(k): float(v) for k, v in precision.items()}
    return {m: float(precision) for m in metrics}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "arm"


def describe(comparison: Comparison) -> dict[str, Any]:
    """The comparison as JSON-ready data (``--json``)."""
    def clean(value: Any) -> Any:
        return None if isinstance(value, float) and not math.isfinite(value) else value

    rows = [{k: clean(v) for k, v in row.items()} for row in comparison.effects.to_dict(orient="records")]
    return {"out": str(comparison.out), "baseline": comparison.baseline,
            "replications": comparison.replications, "failed_runs": comparison.failed,
            "precision": comparison.precision, "precision_met": comparison.met,
            "widths": {k: clean(v) for k, v in comparison.widths.items()},
            "posterior": comparison.posterior.describe() if comparison.posterior is not None else None,
            "intervals": comparison.intervals, "effects": rows}
