"""Designs: from a spec to design points (scenarios) and replication seeds.

A design point is one scenario: an arm, or one combination of factor values
applied to the base. Every point runs once per replication, and replication
``r`` always uses the seed derived from the spec's ``seed`` and ``r`` alone.
So arms and points share seeds (common random numbers): with the model's
separate random streams, two points of one replication face the same draws
wherever their settings do not differ, and their difference is the settings'
effect, not noise. Adding replications later keeps the earlier seeds.

Sampling designs use the libraries that define them: Latin hypercubes from
:mod:`scipy.stats.qmc`, Saltelli/Sobol' and Morris samples from SALib, so the
matching analyses (:mod:`govsim.study.sensitivity`) read them back in order.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from govsim.scenario import Scenario, ScenarioError
from govsim.study.spec import ExperimentSpec, Factor


@dataclass(frozen=True)
class Point:
    """One design point.

    Attributes:
        index: Position in the design (0-based); the analyses rely on this order.
        label: The arm's name, or the factor settings in words.
        values: Factor path -> value (empty for arms).
        scenario: The resolved scenario the point runs.
    """

    index: int
    label: str
    values: dict[str, Any]
    scenario: Scenario


def replication_seed(master: int, replication: int) -> int:
    """The seed of replication ``replication``: from the master seed and the index only.

    ``numpy.random.SeedSequence`` mixes the pair so that nearby masters or
    indices give unrelated streams; the result fits the scenario's seed range.
    """
    state = np.random.SeedSequence([int(master), int(replication)]).generate_state(2, np.uint32)
    return int((int(state[0]) << 31) ^ int(state[1])) & (2**63 - 1)


def points(spec: ExperimentSpec) -> list[Point]:
    """Every design point of an arms or design spec, in design order.

    Raises:
        ScenarioError: A combination of factor values that the scenario's
            cross-field checks refuse (single values were checked at load time).
    """
    if spec.arms:
        return [Point(i, arm.name, {}, arm.scenario) for i, arm in enumerate(spec.arms)]
    rows = factor_table(spec)
    labels = _labels(spec.factors)
    return [point_for(spec, i, row, labels) for i, row in enumerate(rows)]


#: Characters of a design point's factor values that an error message quotes.
_SHOWN = 240


def point_for(spec: ExperimentSpec, index: int, values: dict[str, Any],
              labels: dict[str, str] | None = None) -> Point:
    """The design point with these factor values, applied to the spec's base scenario."""
    labels = labels or _labels(spec.factors)
    text = ", ".join(f"{labels[path]}={_show(value)}" for path, value in values.items())
    try:
        scenario = spec.base.with_overrides(values)
    except ScenarioError as err:
        shown = text if len(text) <= _SHOWN else f"{text[:_SHOWN]}… ({len(values)} factors)"
        raise ScenarioError([dataclasses.replace(p, message=f"design point {index} ({shown}): {p.message}")
                             for p in err.problems]) from None
    return Point(index, text, dict(values), scenario)


def factor_table(spec: ExperimentSpec) -> list[dict[str, Any]]:
    """The factor values of every design point, as ``{path: value}`` rows in design order."""
    factors = spec.factors
    if spec.design == "grid":
        grids = [grid_values(f) for f in factors]
        paths = [f.path for f in factors]
        return [dict(zip(paths, combo, strict=True)) for combo in itertools.product(*grids)]
    if spec.design == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(factors), rng=np.random.default_rng(spec.seed)).random(_samples(spec))
        return [{f.path: f.scale(u) for f, u in zip(factors, row, strict=True)} for row in unit]
    if spec.design in ("sobol", "morris"):
        matrix = salib_sample(spec)
        return [{f.path: _cast(f, x) for f, x in zip(factors, row, strict=True)} for row in matrix]
    raise ValueError(f"unknown design {spec.design!r}")


def count_points(spec: ExperimentSpec) -> int:
    """How many design points (or arms) ``spec`` has, counted without building any.

    A grid's count is the product of its factors' value counts, so a grid of millions
    of points is counted at once; a Sobol' design of N base samples and k factors has
    N × (k + 2) points (N × (2k + 2) with second-order indices), a Morris design
    N × (k + 1). A calibration's count is its budget of parameter sets.
    """
    if spec.arms:
        return len(spec.arms)
    if spec.targets:
        return spec.abc.max_simulations if spec.method == "abc" else spec.max_evaluations
    k = len(spec.factors)
    if spec.design == "grid":
        return math.prod(len(f.values) if f.values is not None else len(grid_values(f)) for f in spec.factors)
    if spec.design == "sobol":
        return _samples(spec) * (2 * k + 2 if spec.second_order else k + 2)
    if spec.design == "morris":
        return _samples(spec) * (k + 1)
    return _samples(spec)


def salib_problem(factors: tuple[Factor, ...]) -> dict[str, Any]:
    """SALib's problem definition for these factors."""
    return {"num_vars": len(factors), "names": [f.path for f in factors],
            "bounds": [[f.low, f.high] for f in factors]}


def salib_sample(spec: ExperimentSpec) -> np.ndarray:
    """The Sobol' (Saltelli) or Morris sample matrix of a spec, one row per design point."""
    problem = salib_problem(spec.factors)
    if spec.design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, _samples(spec), calc_second_order=spec.second_order, seed=spec.seed)
    from SALib.sample import morris

    return morris.sample(problem, _samples(spec), num_levels=spec.levels, seed=spec.seed)


def grid_values(factor: Factor) -> list[Any]:
    """The values a grid takes for one factor: its list, or ``levels`` evenly spaced in its range."""
    if factor.values is not None:
        return list(factor.values)
    values = [factor.scale(u) for u in np.linspace(0.0, 1.0, factor.levels or 2)]
    return list(dict.fromkeys(values))


def _samples(spec: ExperimentSpec) -> int:
    from govsim.study.specschema import DEFAULT_SAMPLES

    return spec.samples or DEFAULT_SAMPLES[spec.design or "lhs"]


def _cast(factor: Factor, x: float) -> float | int:
    return round(float(x)) if factor.integer else float(x)


def _labels(factors: tuple[Factor, ...]) -> dict[str, str]:
    """Short names for factors: the last part of the path, unless two share it."""
    last = {f.path: f.path.replace("[", ".").rstrip("]").split(".")[-1] for f in factors}
    counts = {name: list(last.values()).count(name) for name in last.values()}
    return {path: name if counts[name] == 1 else path for path, name in last.items()}


def _show(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
