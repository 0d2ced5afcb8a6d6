"""The keys of an experiment spec, declared once like the scenario's parameters, and the
resolved spec they become.

Experiment specs are checked by the scenario language's own machinery
(:class:`govsim.scenario.params.Param` and the scenario validator), so a typo
in a spec gets the same file-and-line message, with "did you mean", as a typo
in a scenario. Keys whose values are free-form (``set``, ``arms``,
``factors``, ``targets``) are declared here by name and checked in
:mod:`govsim.study.spec`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govsim.metrics import METRICS, SCOPES
from govsim.scenario import Scenario
from govsim.scenario.params import Param, Section

DESIGNS = ("grid", "lhs", "sobol", "morris")
METHODS = ("nelder-mead", "powell", "differential-evolution", "abc")
#: Prior distributions a calibration factor may take over its range (ABC-SMC).
PRIORS = ("uniform", "loguniform")
#: What a factor is to EMA Workbench (govsim discover): an uncertainty (the world) or a lever (a policy).
ROLES = ("uncertainty", "lever")
#: Design points drawn when a sampling design gives no ``samples``.
DEFAULT_SAMPLES = {"lhs": 64, "sobol": 64, "morris": 10}
#: Metrics compared when a spec names none: those shown after every run.
HEADLINE = tuple(name for name, m in METRICS.items() if m.headline)
#: Keys whose values the validator leaves to :mod:`govsim.study.spec`.
STRUCTURED = ("set", "arms", "factors", "targets", "optimizer", "abc", "reference")


def _p(name: str, kind: str, default: object, description: str, **kw: object) -> Param:
    return Param(name=name, kind=kind, default=default, description=description, **kw)


SPEC = Section("experiment", "An experiment: arms or factors, a design, replications and seeds.", (
    _p("name", "str", None, "Short name; the default results directory is results/NAME."),
    _p("description", "str", "", "What the experiment shows."),
    _p("question", "str", "", "The question it answers, in the words of whoever asked it."),
    _p("question_zh", "str", "", "The question in Chinese, for 'govsim report --lang zh'."),
    _p("description_zh", "str", "", "The description in Chinese, for 'govsim report --lang zh'."),
    _p("base", "str", None, "Scenario file every arm or design point starts from (relative to the spec)."),
    _p("baseline", "str", None, "Arm the others are compared with (default: the first arm)."),
    _p("steps", "int", None, "Weeks to simulate (default: the scenario's).", unit="weeks", low=1, high=5200),
    _p("design", "choice", None, "How factor values are combined.", choices=DESIGNS),
    _p("samples", "int", None, "Design size: LHS points, Sobol base samples N, Morris trajectories.",
       low=1, high=1_000_000),
    _p("levels", "int", 4, "Morris grid levels (num_levels).", low=2, high=100),
    _p("second_order", "bool", False, "Sobol: also estimate second-order indices (more runs)."),
    _p("replications", "int", 10, "Runs per arm or design point, each with its own seed.",
       low=1, high=100_000),
    _p("seed", "int", 1, "Master seed: replication r runs with a seed derived from (seed, r) alone.",
       low=0, high=2**63 - 1),
    _p("metrics", "list", list(HEADLINE), "Output metrics of interest.", choices=tuple(METRICS)),
    _p("out", "str", None, "Results directory (default: results/NAME), relative to the working directory."),
    _p("cases", "bool", False,
       "Also store each run's case ledger (DIR/cases/RUN.parquet), one row per need."),
))

#: ``values`` (a list) and ``range`` ([low, high]) are checked in :mod:`govsim.study.spec`.
FACTOR_LISTS = ("values", "range")
FACTOR = Section("factor", "One parameter varied by the design.", (
    _p("levels", "int", None, "Grid: evenly spaced values across the range.", low=2, high=10_000),
    _p("start", "float", None, "Calibration: the starting value (default: the base scenario's)."),
    _p("prior", "choice", "uniform", "ABC calibration: the prior over the range (loguniform needs low > 0).",
       choices=PRIORS),
    _p("role", "choice", "uncertainty", "EMA Workbench (govsim discover): an uncertainty, sampled as "
       "scenarios, or a lever, sampled as policies and crossed with every scenario.", choices=ROLES),
))

TARGET = Section("target", "A statistic the calibrated model should reproduce.", (
    _p("metric", "choice", None, "Metric whose whole-run value is matched.", choices=tuple(METRICS)),
    _p("scope", "choice", "overall", "Scope of the value.", choices=SCOPES),
    _p("key", "str", "all", "Group or community (for scope group or community)."),
    _p("value", "float", None, "Target value, in the metric's summary unit."),
    _p("weight", "float", 1.0, "Weight in the objective.", low=0.0),
    _p("scale", "float", None, "Divides the error (default: |value|, or 1 when the value is 0).", low=0.0),
    _p("tolerance", "float", None, "Largest error counted as met (default: 5% of |value|, at least 0.001).",
       low=0.0),
))

OPTIMIZER = Section("optimizer", "How calibration searches.", (
    _p("method", "choice", "nelder-mead",
       "scipy.optimize method, or abc for a Bayesian posterior by ABC-SMC (pyabc).", choices=METHODS),
    _p("max_evaluations", "int", 60, "Most parameter sets tried.", low=1, high=100_000),
))

ABC = Section("abc", "ABC-SMC calibration (optimizer.method: abc): population and stopping rules.", (
    _p("population_size", "int", 100, "Particles per generation.", low=5, high=1_000_000),
    _p("max_generations", "int", 8, "Stop after this many generations.", low=1, high=1000),
    _p("max_simulations", "int", 5000, "Stop once this many parameter sets were simulated (checked "
       "between generations, so the last one may go past it).", low=1, high=100_000_000),
    _p("minimum_epsilon", "float", None, "Stop once the acceptance threshold is at or below this distance "
       "(default: the distance at which every target is off by exactly its tolerance).", low=0.0),
    _p("max_minutes", "float", None, "Stop once this much wall time has passed (checked between "
       "generations).", unit="minutes", low=0.0),
))


# -- the resolved spec -------------------------------------------------------------------------


@dataclass(frozen=True)
class Factor:
    """One parameter a design varies.

    Attributes:
        path: Dotted scenario path, e.g. ``policies.0.margin``.
        values: Explicit values (grid designs), or None.
        low: Lowest value of a range, or None.
        high: Highest value of a range, or None.
        levels: Grid: number of evenly spaced values across the range.
        start: Calibration: starting value.
        integer: The parameter is a whole number; sampled values are rounded.
        prior: ABC calibration: ``uniform`` or ``loguniform`` over the range.
        range_source: Where the range comes from, when the spec asked for the parameter's
            declared plausible range (``range: plausible``); None for a range the spec gives.
        role: EMA Workbench: ``uncertainty`` (sampled as scenarios) or ``lever`` (sampled as
            policies); the other analyses treat every factor alike.
    """

    path: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    levels: int | None = None
    start: float | None = None
    integer: bool = False
    prior: str = "uniform"
    range_source: str | None = None
    role: str = "uncertainty"

    def scale(self, unit: float) -> float | int:
        """The value at ``unit`` in [0, 1] across the range (rounded for whole-number parameters)."""
        value = float(self.low) + float(unit) * (float(self.high) - float(self.low))
        return round(value) if self.integer else value


@dataclass(frozen=True)
class Arm:
    """A named variant: its resolved scenario, and where it came from (for reports)."""

    name: str
    scenario: Scenario
    source: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    """A calibration target: the whole-run value of a metric in one scope and key."""

    metric: str
    value: float
    scope: str = "overall"
    key: str = "all"
    weight: float = 1.0
    scale: float | None = None
    tolerance: float | None = None

    @property
    def divisor(self) -> float:
        """What the error is divided by, so targets in different units weigh alike."""
        return self.scale or (abs(self.value) if self.value else 1.0)

    @property
    def within(self) -> float:
        """Largest absolute error counted as met."""
        return self.tolerance if self.tolerance is not None else max(0.05 * abs(self.value), 1e-3)


@dataclass(frozen=True)
class AbcSettings:
    """ABC-SMC settings (the spec's ``abc`` section); see :data:`ABC` for each."""

    population_size: int = 100
    max_generations: int = 8
    max_simulations: int = 5000
    minimum_epsilon: float | None = None
    max_minutes: float | None = None


@dataclass(frozen=True)
class ExperimentSpec:
    """A resolved experiment; see the module docstring for the file format."""

    name: str
    base: Scenario
    arms: tuple[Arm, ...] = ()
    factors: tuple[Factor, ...] = ()
    design: str | None = None
    targets: tuple[Target, ...] = ()
    baseline: str | None = None
    replications: int = 10
    seed: int = 1
    metrics: tuple[str, ...] = HEADLINE
    samples: int | None = None
    levels: int = 4
    second_order: bool = False
    method: str = "nelder-mead"
    max_evaluations: int = 60
    abc: AbcSettings = field(default_factory=AbcSettings)
    description: str = ""
    question: str = ""
    out: str | None = None
    cases: bool = False
    source: str | None = None
    document: dict[str, Any] = field(default_factory=dict)
    reference: dict[str, Any] | None = None

    @property
    def kind(self) -> str:
        """``arms``, ``design`` or ``calibration``."""
        return "arms" if self.arms else "calibration" if self.targets else "design"

    @property
    def out_dir(self) -> Path:
        """Where results go."""
        return Path(self.out) if self.out else Path("results") / self.name

    def replace(self, **changes: Any) -> ExperimentSpec:
        """A copy with some fields changed (e.g. ``replications=20``)."""
        return dataclasses.replace(self, **changes)
