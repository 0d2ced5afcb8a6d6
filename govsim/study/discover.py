"""Scenario discovery with PRIM: which factor values lead to an outcome of interest?

:func:`discover` samples a spec's factors with EMA Workbench
(:func:`govsim.study.ema.ema_model`, Latin hypercube by default), runs every
sample with govsim's replication seeds, marks the experiments whose metric
falls below (or rises above) a value as the cases of interest, and lets PRIM
(Friedman & Fisher 1999; Bryant & Lempert 2010) peel the factor space down to
boxes that hold them. For each box it reports:

* **coverage**: the share of all cases of interest that fall inside the box
  (how much of the problem the box explains);
* **density**: the share of the experiments inside the box that are cases of
  interest (how sure one may be of the problem inside it);
* **mass**: the share of all experiments inside the box;
* the limits on each factor it restricts, with PRIM's quasi-p value (a
  one-sided binomial test: above 0.05, the restriction may be noise).

PRIM peels step by step, each step trading coverage for density. EMA 3 returns
the whole peeling trajectory and leaves the choice to the analyst; here a box
is the step with the highest coverage among those whose density reaches the
threshold (fewer restricted factors breaking ties), or the densest step when
none does (said so). After a box, PRIM looks again among the experiments left
outside it, for at most ``max_boxes`` boxes; a further box is kept only if it
reaches the threshold. Feature scores (extra trees, EMA's
``get_ex_feature_scores``) rank the factors by how much of the metric's
variation they explain, box or no box.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim.files import csv_bytes, json_bytes, prepare_output_dir, write_atomic
from govsim.study.ema import FAILED, ema_model, parameter_names, quiet_import, require_ema
from govsim.study.errors import StudyError
from govsim.study.specschema import ExperimentSpec, Factor

EXPERIMENTS, OUTCOMES, BOXES, PEELING = "experiments.csv", "outcomes.csv", "boxes.csv", "peeling.csv"
SCORES, FIGURE, REPORT = "scores.csv", "boxes.png", "discovery.json"
#: The columns of PRIM's peeling trajectory kept with each box.
TRAJECTORY = ("coverage", "density", "mass", "res_dim", "n", "k")
#: Lever samples crossed with every scenario when a spec has both uncertainties and levers.
DEFAULT_POLICIES = 4


@dataclass(frozen=True)
class PrimSettings:
    """How PRIM peels and which box is reported (EMA's defaults, and a density threshold).

    Attributes:
        threshold: Least density a reported box should reach.
        mass_min: Least share of the experiments a box may hold (PRIM stops peeling there).
        peel_alpha: Share of the experiments peeled off at each step.
        paste_alpha: Share pasted back at each step of the pasting phase.
        max_boxes: Most boxes looked for.
    """

    threshold: float = 0.8
    mass_min: float = 0.05
    peel_alpha: float = 0.05
    paste_alpha: float = 0.05
    max_boxes: int = 3


@dataclass(frozen=True)
class Box:
    """One box PRIM found.

    Attributes:
        number: 1 for the first box, and so on.
        coverage: Share of all cases of interest inside the box.
        density: Share of the box's experiments that are cases of interest.
        mass: Share of all experiments inside the box.
        restricted: Factors the box restricts.
        cases: Cases of interest inside the box.
        size: Experiments inside the box.
        dense: The box reaches the density threshold.
        limits: One row per restricted factor: factor, path, low, high, values,
            range_low, range_high, qp_low, qp_high.
        step: The chosen step of the peeling trajectory.
        trajectory: PRIM's peeling trajectory (coverage, density, mass, res_dim per step).
    """

    number: int
    coverage: float
    density: float
    mass: float
    restricted: int
    cases: int
    size: int
    dense: bool
    limits: pd.DataFrame
    step: int
    trajectory: pd.DataFrame


@dataclass
class Discovery:
    """What :func:`discover` found; :func:`describe` gives it as JSON, :func:`write_discovery` as files.

    Attributes:
        spec: The spec (its name and factors).
        metric: The metric that defines the cases of interest.
        condition: ``below`` or ``above``.
        value: The cut: a case of interest has ``metric < value`` (below) or ``> value``.
        settings: PRIM's settings.
        experiments: EMA's experiments (one row per experiment, factors by EMA name).
        outcomes: One row per experiment: each metric, ``failed_runs`` and ``of_interest``.
        boxes: The boxes found (none when no experiment, or every one, is of interest).
        scores: Feature scores of the metric: factor, path, score (highest first).
        replications: Runs per experiment.
        wall_seconds: Time the experiments took.
    """

    spec: ExperimentSpec
    metric: str
    condition: str
    value: float
    settings: PrimSettings
    experiments: pd.DataFrame
    outcomes: pd.DataFrame
    boxes: list[Box] = field(default_factory=list)
    scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    replications: int = 1
    wall_seconds: float = 0.0

    @property
    def usable(self) -> pd.Series:
        """Experiments with a value of the metric (those PRIM sees)."""
        return self.outcomes[self.metric].notna()

    @property
    def of_interest(self) -> int:
        """Cases of interest among the usable experiments."""
        return int(self.outcomes["of_interest"].sum())

    @property
    def failed_runs(self) -> int:
        """Runs that raised (all experiments, all replications)."""
        return int(self.outcomes[FAILED].sum())


def discover(spec: ExperimentSpec, metric: str = "coverage", *, below: float | None = None,
             above: float | None = None, samples: int = 100, policies: int | None = None,
             replications: int | None = None, metrics: tuple[str, ...] = (), workers: int = 1,
             settings: PrimSettings | None = None, progress: bool = False) -> Discovery:
    """Sample the spec's factors, run them, and find PRIM boxes where ``metric`` is below/above a value.

    Args:
        spec: A spec with factors.
        metric: The metric whose whole-run value (overall) defines the cases of interest.
        below: Cases of interest have ``metric < below``.
        above: Cases of interest have ``metric > above`` (give one of the two).
        samples: Scenarios (uncertainty samples), or policies when every factor is a lever.
        policies: Lever samples per scenario when there are both (default :data:`DEFAULT_POLICIES`).
        replications: Runs per experiment (default: the spec's).
        metrics: Further metrics to record beside ``metric``.
        workers: Processes (EMA's multiprocessing evaluator above 1).
        settings: PRIM's settings.
        progress: Show EMA's progress bar on stderr.

    Raises:
        StudyError: EMA Workbench 3 is missing, the spec has no factors, or the condition is unclear.
    """
    if (below is None) == (above is None):
        raise StudyError("say which experiments are of interest: give exactly one of below or above")
    settings = settings or PrimSettings()
    require_ema()
    model = ema_model(spec, (metric, *metrics), replications=replications)
    clock = time.perf_counter()
    experiments, results = run_experiments(model, spec.seed, samples, policies, workers, progress)
    outcomes = pd.DataFrame({name: np.asarray(v, dtype=float) for name, v in results.items()})
    values = outcomes[metric].to_numpy()
    condition, cut = ("below", float(below)) if below is not None else ("above", float(above))
    outcomes["of_interest"] = (values < cut) if condition == "below" else (values > cut)
    found = Discovery(spec, metric, condition, cut, settings, experiments, outcomes,
                      replications=len(model.replications), wall_seconds=time.perf_counter() - clock)
    x = factor_columns(spec, experiments)[found.usable.to_numpy()]
    y = outcomes.loc[found.usable, "of_interest"].to_numpy()
    if 0 < y.sum() < len(y):
        found.boxes = find_boxes(x, y, spec.factors, settings)
    if len(y) >= 2:
        found.scores = feature_scores(x, values[found.usable.to_numpy()], spec)
    return found


def run_experiments(model: Any, seed: int, samples: int, policies: int | None, workers: int,
                    progress: bool) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """EMA's ``perform_experiments`` on the model: Latin hypercubes seeded from the spec's seed."""
    import ema_workbench as ema

    if not len(model.uncertainties) and not len(model.levers):
        raise StudyError("every factor of the spec has a single value: there is nothing to sample")
    scenarios, levers = (samples, 0) if len(model.uncertainties) else (0, samples)
    if len(model.uncertainties) and len(model.levers):
        levers = policies or DEFAULT_POLICIES
    elif policies:
        raise StudyError("policies (--policies) are samples of levers, and the spec marks no factor "
                         "'role: lever' (or marks every factor one): leave policies out")
    evaluator = (ema.SequentialEvaluator(model) if workers <= 1
                 else ema.MultiprocessingEvaluator(model, n_processes=workers))
    with evaluator:
        return evaluator.perform_experiments(
            scenarios=scenarios, policies=levers, log_progress=not progress,
            uncertainty_sampling_kwargs={"rng": np.random.default_rng([seed, 0])},
            lever_sampling_kwargs={"rng": np.random.default_rng([seed, 1])})


def factor_columns(spec: ExperimentSpec, experiments: pd.DataFrame) -> pd.DataFrame:
    """The experiments' factor columns (EMA's names), without EMA's scenario, policy and model labels."""
    names = [n for n in parameter_names(spec.factors).values() if n in experiments.columns]
    return experiments[names].reset_index(drop=True)


def find_boxes(x: pd.DataFrame, y: np.ndarray, factors: tuple[Factor, ...],
               settings: PrimSettings) -> list[Box]:
    """Up to ``max_boxes`` PRIM boxes; the first is always kept, later ones only when dense enough."""
    with quiet_import():
        from ema_workbench.analysis.prim import Prim

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas' deprecation notices about EMA's own code
        prim = Prim(x, np.asarray(y, dtype=bool), peel_alpha=settings.peel_alpha,
                    paste_alpha=settings.paste_alpha, mass_min=settings.mass_min)
    boxes: list[Box] = []
    for number in range(1, settings.max_boxes + 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = prim.find_box()
        if found is None:
            break
        step = choose_step(found.peeling_trajectory, settings.threshold)
        found.select(step)  # the next box is looked for among the experiments outside this one
        box = _box(number, found, step, factors, settings.threshold)
        if number > 1 and (not box.dense or box.cases == 0):
            break
        boxes.append(box)
    return boxes


def choose_step(trajectory: pd.DataFrame, threshold: float) -> int:
    """The step with the most coverage whose density reaches ``threshold`` (fewest restricted
    factors, then most density, breaking ties); the densest step when none reaches it."""
    dense = trajectory[trajectory["density"] >= threshold]
    if dense.empty:
        return int(trajectory["density"].to_numpy().argmax())
    ranked = dense.assign(neg_dims=-dense["res_dim"]).sort_values(
        ["coverage", "neg_dims", "density"], ascending=False, kind="stable")
    return int(ranked.index[0])


def _box(number: int, found: Any, step: int, factors: tuple[Factor, ...], threshold: float) -> Box:
    row = found.peeling_trajectory.iloc[step]
    limits = box_limits(found.box_lims[step], found.box_lims[0], found.p_values[step], factors)
    return Box(number=number, coverage=float(row["coverage"]), density=float(row["density"]),
               mass=float(row["mass"]), restricted=int(row["res_dim"]), cases=int(row["k"]),
               size=int(row["n"]), dense=bool(row["density"] >= threshold), limits=limits, step=step,
               trajectory=found.peeling_trajectory[list(TRAJECTORY)].copy())


def box_limits(box: pd.DataFrame, initial: pd.DataFrame, p_values: dict[str, list[float]],
               factors: tuple[Factor, ...]) -> pd.DataFrame:
    """One row per factor the box restricts: its limits, the factor's range, and quasi-p values."""
    paths = {name: path for path, name in parameter_names(factors).items()}
    by_path = {f.path: f for f in factors}
    rows = []
    for name in box.columns:
        low, high = box[name].iloc[0], box[name].iloc[1]
        if isinstance(low, set):
            if low == initial[name].iloc[0]:
                continue
            row = {"low": None, "high": None, "values": sorted(low, key=str)}
        elif low == initial[name].iloc[0] and high == initial[name].iloc[1]:
            continue
        else:
            row = {"low": _number(low) if low != initial[name].iloc[0] else None,
                   "high": _number(high) if high != initial[name].iloc[1] else None, "values": None}
        factor = by_path[paths[name]]
        qp = [None if q is None or q < 0 else float(q) for q in p_values.get(name, [None, None])]
        rows.append({"factor": name, "path": factor.path, **row,
                     "range_low": factor.low, "range_high": factor.high,
                     "range_values": list(factor.values) if factor.values is not None else None,
                     "qp_low": qp[0], "qp_high": qp[1]})
    columns = ["factor", "path", "low", "high", "values", "range_low", "range_high", "range_values",
               "qp_low", "qp_high"]
    # object: an open side stays None (not NaN) for readers of the table
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _number(value: Any) -> float | int:
    return value.item() if isinstance(value, np.generic) else value


def feature_scores(x: pd.DataFrame, values: np.ndarray, spec: ExperimentSpec) -> pd.DataFrame:
    """Extra-trees feature scores of the metric on the factors (EMA's ``get_ex_feature_scores``)."""
    with quiet_import():
        from ema_workbench.analysis.feature_scoring import get_ex_feature_scores
        from ema_workbench.analysis.scenario_discovery_util import RuleInductionType

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's notes on out-of-bag estimates of small samples
        scores, _ = get_ex_feature_scores(x, values, mode=RuleInductionType.REGRESSION,
                                          max_features=max(1, round(x.shape[1] / 3)),
                                          random_state=spec.seed % 2**32)
    paths = {name: path for path, name in parameter_names(spec.factors).items()}
    frame = scores.reset_index()
    frame.columns = ["factor", "score"]
    frame.insert(1, "path", frame["factor"].map(paths))
    return frame


def describe(found: Discovery) -> dict[str, Any]:
    """Everything :func:`discover` found, as one JSON-ready document."""
    return {
        "spec": found.spec.name, "metric": found.metric, "condition": found.condition,
        "value": found.value, "experiments": len(found.outcomes), "replications": found.replications,
        "runs": len(found.outcomes) * found.replications, "failed_runs": found.failed_runs,
        "without_value": int((~found.usable).sum()), "of_interest": found.of_interest,
        "settings": vars(found.settings), "wall_seconds": round(found.wall_seconds, 3),
        "boxes": [{"box": b.number, "coverage": b.coverage, "density": b.density, "mass": b.mass,
                   "restricted": b.restricted, "cases": b.cases, "experiments": b.size,
                   "dense": b.dense, "step": b.step, "limits": _records(b.limits)} for b in found.boxes],
        "scores": _records(found.scores),
    }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.astype(object).where(frame.notna(), None)
    return [{k: _number(v) for k, v in row.items()} for row in clean.to_dict(orient="records")]


def write_discovery(found: Discovery, out: str | Path) -> dict[str, Path]:
    """Write the experiments, outcomes, boxes, peeling trajectories, scores, JSON and figure to ``out``."""
    from govsim.study.discover_figure import boxes_figure
    from govsim.study.figures import png

    root = prepare_output_dir(out)
    boxes = [b.limits.assign(box=b.number, coverage=b.coverage, density=b.density, mass=b.mass,
                             dense=b.dense) for b in found.boxes]
    peeling = [b.trajectory.assign(box=b.number, chosen=lambda t, b=b: t.index == b.step)
               for b in found.boxes]
    tables = {EXPERIMENTS: found.experiments, OUTCOMES: found.outcomes,
              BOXES: pd.concat(boxes, ignore_index=True) if boxes else pd.DataFrame(columns=["box"]),
              PEELING: pd.concat(peeling, ignore_index=True) if peeling else pd.DataFrame(columns=["box"]),
              SCORES: found.scores}
    files = {}
    for name, frame in tables.items():
        write_atomic(root / name, csv_bytes(frame))
        files[name] = root / name
    write_atomic(root / FIGURE, png(boxes_figure(found)))
    files[FIGURE] = root / FIGURE
    document = {**describe(found), "files": {k: str(v) for k, v in files.items()}}
    write_atomic(root / REPORT, json_bytes(document))
    files[REPORT] = root / REPORT
    return files

