"""Run the validation patterns against the model: paired seeds, intervals, verdicts.

Every configuration the patterns name (a ready scenario with ``--set``
overrides) runs on the same seeds ``seed, seed + 1, ...`` (common random
numbers), so a pattern with a counterfactual compares replication with
replication. A pattern's measure is computed per replication from the
whole-run summary; its mean and 95% t interval decide the verdict:

* ``above x`` / ``below x``: **pass** when the whole interval lies on the
  right side of x, **miss** when it lies on the wrong side, **unclear**
  otherwise (more replications may decide it);
* ``within [a, b]``: **pass** when the mean is in the range, else **miss**.

Runs go through the experiment executors (:mod:`govsim.study.executors`):
serially, on a local process pool, or on Dask.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from govsim.validation.patterns import Config, Pattern, Ref

#: Where ready scenarios are looked up by name (the source tree).
SCENARIOS = Path(__file__).resolve().parent.parent.parent / "scenarios"
#: First seed of every configuration (the ready scenarios' own seed).
DEFAULT_SEED = 20240601
VERDICTS = ("pass", "miss", "unclear")


@dataclass
class Outcome:
    """One pattern's result: the measure per replication, its mean and interval, the verdict."""

    pattern: Pattern
    values: np.ndarray
    mean: float
    low: float
    high: float
    verdict: str

    def as_dict(self) -> dict[str, Any]:
        p = self.pattern
        return {"id": p.id, "kind": p.kind, "statement": p.statement, "source": p.source,
                "observed": p.observed, "run": str(p.run), "against": str(p.against) if p.against else None,
                "measure": p.measure_text(), "test": p.test_text(), "mean": _plain(self.mean),
                "ci_low": _plain(self.low), "ci_high": _plain(self.high),
                "replications": int(self.values.size), "verdict": self.verdict}


@dataclass
class CheckResult:
    """Every pattern's outcome, and how the check was run."""

    outcomes: list[Outcome]
    reps: int
    steps: int | None
    seed: int
    runs: int
    settings: dict[str, Any] = field(default_factory=dict)

    def counts(self, kind: str | None = None) -> dict[str, int]:
        """Verdicts counted, for one kind of pattern or all."""
        chosen = [o for o in self.outcomes if kind is None or o.pattern.kind == kind]
        return {v: sum(o.verdict == v for o in chosen) for v in VERDICTS}

    @property
    def all_pass(self) -> bool:
        return all(o.verdict == "pass" for o in self.outcomes)

    def status(self) -> str:
        """One sentence: how many patterns pass, miss or are unclear."""
        c = self.counts()
        return (f"{c['pass']} of {len(self.outcomes)} patterns pass, {c['miss']} missed, "
                f"{c['unclear']} unclear ({self.reps} replications each"
                f"{'' if self.steps is None else f', {self.steps} weeks'})")

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status(), "all_pass": self.all_pass, "counts": self.counts(),
                "reps": self.reps, "steps": self.steps, "seed": self.seed, "runs": self.runs,
                **self.settings, "patterns": [o.as_dict() for o in self.outcomes]}

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=1)


def check(patterns: list[Pattern], *, reps: int = 10, steps: int | None = None, seed: int = DEFAULT_SEED,
          scenarios: Path = SCENARIOS, executor: str = "local", workers: int = 1,
          scheduler: str | None = None, on_progress: Callable[[Any], None] | None = None) -> CheckResult:
    """Run every configuration the patterns need, ``reps`` times each, and judge each pattern.

    Args:
        patterns: From :func:`govsim.validation.load_patterns`.
        reps: Replications of each configuration (seeds ``seed`` .. ``seed + reps - 1``).
        steps: Weeks per run (default: each scenario's own).
        seed: First seed.
        scenarios: Folder of the ready scenarios the patterns name.
        executor, workers, scheduler: As for ``govsim sweep`` (local pool or Dask).
        on_progress: Called with :class:`govsim.study.executors.Progress` as runs finish.

    Raises:
        govsim.ScenarioError: a pattern names a scenario or override that does not load.
        govsim.study.errors.StudyError: a run failed or a worker died.
    """
    from govsim.study.errors import StudyError
    from govsim.study.executors import Progress, make_executor, run_tasks
    from govsim.study.worker import RunTask

    configs = list(dict.fromkeys(c for p in patterns for c in (p.run, p.against) if c is not None))
    loaded = {c: _load(c, scenarios, steps) for c in configs}
    tasks = [RunTask(f"{i}-{r}", loaded[c], seed + r, scopes=("overall", "group"))
             for i, c in enumerate(configs) for r in range(reps)]
    values: dict[str, dict[tuple[str, str], float]] = {}
    progress = Progress(total=len(tasks))

    def keep(record: Any) -> None:
        if not record.ok:
            raise StudyError(f"a run of the check failed: {record.error}")
        values[record.run_id] = _summary(record.payload)
        progress.done += 1
        if on_progress is not None:
            on_progress(progress)

    with make_executor(executor, workers, scheduler) as pool:
        run_tasks(tasks, pool, keep, in_flight=max(2, 2 * workers))
    index = {c: i for i, c in enumerate(configs)}

    def per_rep(config: Config, p: Pattern) -> np.ndarray:
        return np.array([_measure(values[f"{index[config]}-{r}"], p) for r in range(reps)])

    from govsim.study.stats import t_interval  # scipy: loaded when a check runs, not for --help

    outcomes = []
    for p in patterns:
        q = per_rep(p.run, p)
        if p.against is not None:
            q = q - per_rep(p.against, p)
        mean, low, high = t_interval(q)
        outcomes.append(Outcome(p, q, mean, low, high, _verdict(p, mean, low, high)))
    return CheckResult(outcomes, reps, steps, seed, len(tasks))


def _load(config: Config, scenarios: Path, steps: int | None) -> Any:
    from govsim import load_scenario

    overrides = [*config.overrides, *([f"steps={steps}"] if steps is not None else [])]
    return load_scenario(scenarios / f"{config.scenario}.yaml", overrides=overrides)


def _summary(payload: bytes) -> dict[tuple[str, str], float]:
    """Whole-run values by (metric, key) from a stored run (the record in the Parquet footer)."""
    import pyarrow.parquet as pq

    from govsim.study.worker import META_KEY

    record = json.loads(pq.read_metadata(io.BytesIO(payload)).metadata[META_KEY])["summary"]
    return {(m, k): float(v) if v is not None else float("nan")
            for m, s, k, v in zip(record["metric"], record["scope"], record["key"], record["value"],
                                  strict=True) if s in ("overall", "group")}


def _value(summary: dict[tuple[str, str], float], ref: Ref) -> float:
    key = (ref.metric, ref.key or "all")
    if key not in summary:
        raise KeyError(f"the run has no whole-run value {ref} (is the metric recorded for that group?)")
    return summary[key]


def _measure(summary: dict[tuple[str, str], float], p: Pattern) -> float:
    x = _value(summary, p.value)
    if p.minus is not None:
        x -= _value(summary, p.minus)
    if p.over is not None:
        denominator = _value(summary, p.over)
        x = x / denominator if denominator else float("nan")
    return x


def _verdict(p: Pattern, mean: float, low: float, high: float) -> str:
    op, a, b = p.test
    if not np.isfinite(mean):
        return "unclear"
    if op == "within":
        return "pass" if a <= mean <= b else "miss"
    if not (np.isfinite(low) and np.isfinite(high)):
        return "unclear"
    good, bad = (low > a, high <= a) if op == "above" else (high < b, low >= b)
    return "pass" if good else "miss" if bad else "unclear"


def _plain(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None
