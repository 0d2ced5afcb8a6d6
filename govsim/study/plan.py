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

from govsim.study.design import factor_table
from govsim.study.specschema import ExperimentSpec

#: Residents of the timing runs.
SMALL, LARGE = 2_000, 20_000
#: Factor paths that change a run's size, and so its cost.
SIZE_PATHS = ("population.residents", "steps", "warmup_weeks")


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
