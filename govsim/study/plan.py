"""What a spec will run, and about how long it will take here, before anything runs (``govsim plan``).

The runs are the design's points (or arms) times the replications; a calibration's
are bounded by its budget (evaluations, or ABC's simulations), each times the
replications. The time is estimated from three short runs of the base scenario
timed on this machine, after one untimed run that loads the code: at
:data:`SMALL` residents for 4 and 104 weeks, and at :data:`LARGE` for 104. A
week costs a fixed part (the model's array operations have a cost at any size)
and a part per resident, and a run a set-up cost, so a run of ``N`` residents
for ``W`` weeks (the warm-up included) is estimated at
``setup + W × (per_week + N × per_resident_week)``; the total is divided by the
workers. The estimate is good to a few tens of percent on an idle machine;
policies that add work (every mechanism at once costs about a third more) are
not in it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from govsim.study.design import count_points, factor_table
from govsim.study.errors import StudyError
from govsim.study.specschema import ExperimentSpec

#: Residents of the timing runs.
SMALL, LARGE = 2_000, 20_000
#: Factor paths that change a run's size, and so its cost.
SIZE_PATHS = ("population.residents", "steps", "warmup_weeks")
#: Runs a command starts without ``--max-runs``: about a day of the shipped county's runs on
#: two cores, and a design table of about 2 GB; larger designs are refused at once, with their size.
MAX_RUNS = 20_000
#: Rough costs in seconds of a run (set-up, a week, a resident-week), as :func:`time_runs`
#: measured them on a two-core machine; the refusal of a design too big uses them, so that
#: it comes at once (``govsim plan`` times runs here instead).
QUICK_TIMING = {"setup": 0.01, "per_week": 0.002, "per_resident_week": 2.5e-8}
#: Memory a built design point (its resolved scenario) takes while a sweep runs.
POINT_BYTES = 90_000


@dataclass(frozen=True)
class Plan:
    """The runs a spec implies.

    Attributes:
        kind: ``arms``, ``design`` or ``calibration``.
        points: One row per arm or design point: ``label``, ``residents``, ``weeks``
            (simulated, warm-up included) and ``runs``; for a calibration, one row
            for its budget.
        replications: Replications per point.
        runs: Every run (at most, for a calibration).
        bounded: True when ``runs`` is a budget's cap rather than an exact count.
        seconds: Estimated wall time on this machine with ``workers``.
        workers: Workers the estimate assumes.
        timing: The measured costs in seconds: ``setup`` (a run), ``per_week`` and
            ``per_resident_week``.
    """

    kind: str
    points: list[dict[str, Any]]
    replications: int
    runs: int
    bounded: bool
    seconds: float
    workers: int
    timing: dict[str, float]

    def describe(self) -> dict[str, Any]:
        """JSON-ready (``govsim plan --json``)."""
        return {"kind": self.kind, "replications": self.replications, "runs": self.runs,
                "runs_are_a_cap": self.bounded, "estimated_seconds": round(self.seconds, 1),
                "workers": self.workers, "timing_seconds": self.timing, "points": self.points}


def plan(spec: ExperimentSpec, *, workers: int = 1, timing: dict[str, float] | None = None) -> Plan:
    """The runs of ``spec`` and an estimate of their time with ``workers`` (timed here unless given)."""
    timing = timing or time_runs(spec)
    if spec.kind == "calibration":
        rows, bounded = [_calibration_row(spec)], True
    else:
        rows, bounded = _point_rows(spec), False
    runs = sum(row["runs"] for row in rows)
    cost = sum(row["runs"] * run_seconds(timing, row["residents"], row["weeks"]) for row in rows)
    return Plan(spec.kind, rows, spec.replications, runs, bounded, cost / max(1, workers), workers, timing)


def time_runs(spec: ExperimentSpec) -> dict[str, float]:
    """A run's set-up, a week's fixed cost and its cost per resident, in seconds, timed here."""
    from govsim.run import simulate

    def seconds(residents: int, weeks: int) -> float:
        scenario = spec.base.with_overrides({"steps": weeks, "warmup_weeks": 0,
                                             "population.residents": residents})
        started = time.perf_counter()
        simulate(scenario, seed=spec.seed)
        return time.perf_counter() - started

    seconds(SMALL, 1)  # loads and warms the code; not counted
    short, small, large = seconds(SMALL, 4), seconds(SMALL, 104), seconds(LARGE, 104)
    week_small = max(small - short, 0.0) / 100
    per_resident_week = max(large - small, 0.0) / 104 / (LARGE - SMALL)
    per_week = max(week_small - SMALL * per_resident_week, 0.0)
    return {"setup": max(short - 4 * week_small, 0.0), "per_week": per_week,
            "per_resident_week": per_resident_week}


def run_seconds(timing: dict[str, float], residents: int, weeks: int) -> float:
    """The estimated seconds of one run."""
    return timing["setup"] + weeks * (timing["per_week"] + residents * timing["per_resident_week"])


def _size(spec: ExperimentSpec, values: dict[str, Any]) -> tuple[int, int]:
    """Residents and simulated weeks (warm-up included) of one point."""
    params = spec.base.params
    residents = int(values.get("population.residents", params["population"]["residents"]))
    steps = int(values.get("steps", spec.base.steps))
    warmup = int(values.get("warmup_weeks", params["warmup_weeks"]))
    return residents, steps + warmup


def _point_rows(spec: ExperimentSpec) -> list[dict[str, Any]]:
    if spec.arms:
        named = [(arm.name, {"population.residents": arm.scenario.params["population"]["residents"],
                             "steps": arm.scenario.steps,
                             "warmup_weeks": arm.scenario.params["warmup_weeks"]}) for arm in spec.arms]
    else:
        named = [(", ".join(f"{path}={value}" for path, value in row.items()), row)
                 for row in factor_table(spec)]
    rows = []
    for label, values in named:
        residents, weeks = _size(spec, {k: v for k, v in values.items() if k in SIZE_PATHS})
        rows.append({"label": label, "residents": residents, "weeks": weeks, "runs": spec.replications})
    return rows


def _calibration_row(spec: ExperimentSpec) -> dict[str, Any]:
    residents, weeks = _size(spec, {})
    if spec.method == "abc":
        budget, what = spec.abc.max_simulations, "ABC: at most abc.max_simulations parameter sets"
    else:
        budget, what = spec.max_evaluations, "at most optimizer.max_evaluations parameter sets"
    return {"label": f"{spec.method}: {what} ({budget})", "residents": residents, "weeks": weeks,
            "runs": budget * spec.replications}


@dataclass(frozen=True)
class Size:
    """How big a spec's design is, counted without building it.

    Attributes:
        points: Arms, design points, or a calibration's budget of parameter sets.
        replications: Runs per point (for ``compare --precision``, its most).
        runs: ``points × replications`` (at most, for a calibration).
        residents: The largest population a run has.
        weeks: The longest run, warm-up included.
        seconds: Estimated wall time with ``workers`` (from ``timing``).
        memory: Estimated peak memory: a run's (the scenario's estimate) times the
            workers, plus the built design points.
        workers: Workers assumed.
    """

    points: int
    replications: int
    runs: int
    residents: int
    weeks: int
    seconds: float
    memory: int
    workers: int

    def describe(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"points": self.points, "replications": self.replications, "runs": self.runs,
                "largest_residents": self.residents, "longest_weeks": self.weeks,
                "estimated_seconds": round(self.seconds, 1), "estimated_memory_bytes": self.memory,
                "workers": self.workers}


def size(spec: ExperimentSpec, *, workers: int = 1, replications: int | None = None,
         timing: dict[str, float] | None = None) -> Size:
    """The size of ``spec`` and a quick estimate of its time and memory, building nothing.

    Args:
        spec: The experiment.
        workers: Workers the estimate assumes.
        replications: Replications per point instead of the spec's (``compare --max-reps``).
        timing: Costs of a run; default :data:`QUICK_TIMING`.
    """
    from govsim.scenario.memory import estimate_bytes

    timing = timing or QUICK_TIMING
    reps = replications or spec.replications
    points = count_points(spec)
    runs = points * reps
    residents, weeks = _largest(spec)
    workers = max(1, workers)
    params = {**spec.base.params, "population": {**spec.base.params["population"], "residents": residents}}
    memory = estimate_bytes(params) * min(workers, runs) + (0 if spec.arms else points * POINT_BYTES)
    seconds = runs * run_seconds(timing, residents, weeks) / workers
    return Size(points, reps, runs, residents, weeks, seconds, memory, workers)


def _largest(spec: ExperimentSpec) -> tuple[int, int]:
    """The largest population and longest run (warm-up included) of any point."""
    if spec.arms:
        return (max(a.scenario.params["population"]["residents"] for a in spec.arms),
                max(a.scenario.steps + a.scenario.params["warmup_weeks"] for a in spec.arms))
    top: dict[str, Any] = {}
    for f in spec.factors:
        if f.path in SIZE_PATHS:
            candidates = [v for v in (f.values or ()) if isinstance(v, int | float)] + [
                v for v in (f.high,) if v is not None]
            if candidates:
                top[f.path] = max(candidates)
    return _size(spec, top)


def too_big(spec: ExperimentSpec, max_runs: int | None = None, *, workers: int = 1,
            replications: int | None = None, what: str = "this experiment") -> str | None:
    """The paragraph refusing ``spec`` when it has more runs than ``max_runs`` (default
    :data:`MAX_RUNS`), with its size, time and memory and how to go ahead; else None."""
    cap = MAX_RUNS if max_runs is None else max_runs
    found = size(spec, workers=workers, replications=replications)
    if found.runs <= cap:
        return None
    reps = f"{found.replications:,} replication{'s' * (found.replications != 1)}"
    kind = "arms" if spec.arms else "parameter sets" if spec.targets else "design points"
    table = "" if spec.arms else f", {_bytes(found.points * POINT_BYTES)} of it the design points"
    return (f"{spec.source or spec.name}: {what} has {found.runs:,} runs ({found.points:,} {kind} × "
            f"{reps}), more than the {cap:,} a command starts without being asked; it would take "
            f"about {duration(found.seconds)} with {found.workers} worker{'s' * (found.workers != 1)} "
            f"(runs of up to {found.residents:,} residents for {found.weeks:,} weeks) and about "
            f"{_bytes(found.memory)} of memory{table}. Nothing was run. Make the design smaller "
            f"(fewer values, samples or replications), or confirm with --max-runs {found.runs} "
            f"('govsim plan SPEC --max-runs {found.runs}' lists the runs and times them here).")


def check_size(spec: ExperimentSpec, max_runs: int | None = None, *, workers: int = 1,
               replications: int | None = None) -> None:
    """Refuse ``spec`` at once when it has more runs than ``max_runs`` (see :func:`too_big`).

    Raises:
        StudyError: the design is too big; the message gives its size, time and memory.
    """
    problem = too_big(spec, max_runs, workers=workers, replications=replications)
    if problem is not None:
        raise StudyError(problem)


def duration(seconds: float) -> str:
    """A time span in words: ``40 s``, ``12 minutes``, ``3.5 hours``, ``12 days``, ``4 years``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} hours"
    if seconds < 730 * 86400:
        return f"{seconds / 86400:,.0f} days"
    return f"{seconds / 86400 / 365:,.0f} years"


def _bytes(n: float) -> str:
    gb = n / 1e9
    return f"{gb:,.1f} GB" if gb >= 0.1 else f"{n / 1e6:,.0f} MB"
