"""An experiment spec as an EMA Workbench model (the ``ema`` extra: EMA Workbench 3).

EMA Workbench (Kwakkel 2017) runs exploratory modelling: it samples
uncertainties and levers, runs a model at each sample
(:func:`ema_workbench.perform_experiments`) and analyses what came out
(PRIM scenario discovery, feature scoring, CART, ...). :func:`ema_model`
turns a govsim experiment spec into the model it needs, so all of that works
on govsim without a line of glue:

* Each factor becomes a parameter named by the last part of its path (the
  whole path, with ``_`` for ``.``, should two factors share it), mapped back
  to the path. A range gives a :class:`~ema_workbench.RealParameter`, or an
  :class:`~ema_workbench.IntegerParameter` for a whole-number parameter; a
  list of ``values`` a :class:`~ema_workbench.CategoricalParameter`. A factor
  with a single value is no parameter: every run takes that value.
* A factor is an uncertainty unless the spec marks it ``role: lever``. EMA
  samples uncertainties as scenarios and levers as policies, and by default
  runs every policy in every scenario.
* Outcomes are govsim metrics: the whole-run (summary) value, overall scope,
  averaged over the replications; ``failed_runs`` counts replications whose
  run raised (their metrics are left out of the mean).
* Replications are govsim's own: replication ``r`` runs with
  :func:`~govsim.study.design.replication_seed` of the spec's seed and ``r``
  at the scenario :func:`~govsim.study.design.point_for` builds, so each run
  is the very run ``govsim sweep`` makes at the same values.

The model's function is an instance of a module-level class, so EMA's
multiprocessing evaluator can pickle it. EMA Workbench 3 needs Python 3.12
or newer.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import sys
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from govsim.study.errors import StudyError
from govsim.study.specschema import ExperimentSpec, Factor, Target

INSTALL = "pip install 'govsim[ema]'"
#: The keyword that carries a replication's seed into the model function.
SEED = "seed"
#: The outcome counting the replications whose run failed.
FAILED = "failed_runs"
DEFAULT_METRICS = ("coverage",)
LOG = logging.getLogger(__name__)


def require_ema() -> None:
    """Fail with one sentence saying how to get EMA Workbench 3 when it cannot be imported.

    Raises:
        StudyError: Python is older than 3.12, or ema-workbench 3 is not installed.
    """
    if sys.version_info < (3, 12):
        raise StudyError(f"EMA Workbench 3 needs Python >= 3.12 and this is Python "
                         f"{sys.version_info.major}.{sys.version_info.minor}: install govsim in a "
                         f"Python 3.12 or newer environment with {INSTALL}.")
    try:
        with quiet_import():
            import ema_workbench
    except ImportError:
        raise StudyError(f"this needs EMA Workbench 3, which is not installed: {INSTALL} "
                         "(Python >= 3.12).") from None
    if not str(ema_workbench.__version__).startswith("3."):
        raise StudyError(f"this needs EMA Workbench 3; version {ema_workbench.__version__} is "
                         f"installed: {INSTALL}.")


@contextlib.contextmanager
def quiet_import() -> Iterator[None]:
    """Import EMA without its notices about optional back ends (ipyparallel, altair) it may lack."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not (installed|available)", category=UserWarning)
        warnings.filterwarnings("ignore", category=ImportWarning)
        yield


def parameter_names(factors: Sequence[Factor]) -> dict[str, str]:
    """EMA names of the factors, by path: valid identifiers, as EMA 3 requires.

    The last part of the path (``per_10k_urban``) reads best in PRIM's boxes; two
    factors sharing it get their whole paths instead.
    """
    last = {f.path: _identifier(re.split(r"[.\[\]]+", f.path.strip("]"))[-1]) for f in factors}
    names = {path: name if list(last.values()).count(name) == 1 else _identifier(path)
             for path, name in last.items()}
    taken: set[str] = set()
    for path, name in names.items():
        unique, n = name, 2
        while unique in taken:
            unique, n = f"{name}_{n}", n + 1
        names[path] = unique
        taken.add(unique)
    return names


def _identifier(text: str) -> str:
    name = re.sub(r"\W+", "_", text).strip("_") or "factor"
    return f"f_{name}" if name[0].isdigit() else name


def ema_parameter(factor: Factor, name: str) -> Any:
    """The EMA parameter of one factor (with two values or more), its ``variable_name`` the path."""
    import ema_workbench as ema

    if factor.values is not None:
        return ema.CategoricalParameter(name, list(factor.values), variable_name=factor.path)
    if factor.integer:
        return ema.IntegerParameter(name, round(factor.low), round(factor.high), variable_name=factor.path)
    return ema.RealParameter(name, float(factor.low), float(factor.high), variable_name=factor.path)


class GovsimFunction:
    """The model function EMA calls once per replication: factor values in, metrics out.

    EMA passes each factor's value under its path (the parameters' ``variable_name``)
    and the replication's seed under :data:`SEED`; factors with a single value take it
    here (EMA's constants of a replicated model would arrive under their names, not
    their paths). A plain class, not a closure, so EMA's multiprocessing evaluator
    can pickle it.
    """

    def __init__(self, spec: ExperimentSpec, metrics: Sequence[str]) -> None:
        self.spec = spec
        self.metrics = tuple(metrics)
        # Lookup keys only: the summary's whole-run value, overall scope, of each metric.
        self.targets = [Target(metric=m, value=math.nan) for m in self.metrics]
        self.kinds = {f.path: f for f in spec.factors}
        self.fixed = {f.path: f.values[0] for f in fixed(spec.factors)}

    def __call__(self, **values: Any) -> dict[str, float]:
        from govsim.run import simulate
        from govsim.study.calibrate import summary_values
        from govsim.study.design import point_for

        seed = int(values.pop(SEED))
        values = {**self.fixed, **{path: self._plain(path, v) for path, v in values.items()}}
        try:
            point = point_for(self.spec, 0, values)
            result = simulate(point.scenario, seed)
        except Exception as err:  # one failed run is counted (FAILED), not the end of the experiments
            LOG.warning("run with seed %s at %s failed: %s: %s", seed, values, type(err).__name__, err)
            return {**dict.fromkeys(self.metrics, math.nan), FAILED: 1.0}
        outcomes = summary_values(result.summary, self.targets)
        return {**dict(zip(self.metrics, outcomes, strict=True)), FAILED: 0.0}

    def _plain(self, path: str, value: Any) -> Any:
        """A sampled value as the scenario takes it (numpy numbers become Python's)."""
        factor = self.kinds.get(path)
        if factor is not None and factor.values is None:
            return int(value) if factor.integer else float(value)
        return value.item() if isinstance(value, np.generic) else value


def fixed(factors: Sequence[Factor]) -> list[Factor]:
    """Factors with a single value: they vary nothing, so EMA does not sample them."""
    return [f for f in factors if f.values is not None and len(f.values) == 1]


def mean_of_replications(values: Sequence[float]) -> float:
    """Mean over the replications that gave a value; NaN when none did (no warning)."""
    finite = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    return float(np.mean(finite)) if finite else math.nan


def sum_of_replications(values: Sequence[float]) -> float:
    """Sum over the replications (for :data:`FAILED`)."""
    return float(np.sum(values))


def replication_seeds(spec: ExperimentSpec, replications: int | None = None) -> list[int]:
    """The seeds of the replications: those of every govsim experiment with this spec's seed."""
    from govsim.study.design import replication_seed

    return [replication_seed(spec.seed, r) for r in range(replications or spec.replications)]


def ema_model(spec: ExperimentSpec, metrics: Sequence[str] | None = None, *,
              replications: int | None = None, name: str | None = None) -> Any:
    """The EMA Workbench model of an experiment spec with factors.

    Args:
        spec: A spec with ``factors`` (its design, samples and targets are not used:
            EMA samples the factors itself).
        metrics: govsim metrics to record as outcomes (default: ``coverage``).
        replications: Runs per experiment (default: the spec's ``replications``).
        name: The model's name (default: the spec's name, made an identifier).

    Returns:
        An :class:`ema_workbench.ReplicatorModel`: uncertainties and levers from
        the factors, one outcome per metric plus :data:`FAILED`.

    Raises:
        StudyError: EMA Workbench 3 is missing, the spec has no factors, or a
            metric is unknown.
    """
    require_ema()
    import ema_workbench as ema

    metrics = _checked(spec, metrics)
    names = parameter_names(spec.factors)
    varied = [f for f in spec.factors if f not in fixed(spec.factors)]
    model = ema.ReplicatorModel(_identifier(name or spec.name), function=GovsimFunction(spec, metrics))
    model.uncertainties = [ema_parameter(f, names[f.path]) for f in varied if f.role != "lever"]
    model.levers = [ema_parameter(f, names[f.path]) for f in varied if f.role == "lever"]
    model.outcomes = [*(ema.ScalarOutcome(m, function=mean_of_replications) for m in metrics),
                      ema.ScalarOutcome(FAILED, function=sum_of_replications)]
    model.replications = [{SEED: s} for s in replication_seeds(spec, replications)]
    return model


def _checked(spec: ExperimentSpec, metrics: Sequence[str] | None) -> tuple[str, ...]:
    from govsim.metrics import METRICS
    from govsim.scenario.suggest import closest

    if not spec.factors:
        raise StudyError(f"{spec.source or 'the spec'} has no factors: EMA Workbench samples a spec's "
                         "factors, so it needs 'factors' (arms are compared with govsim compare).")
    if any(f.path == SEED for f in spec.factors):
        raise StudyError("a factor cannot be the seed: the replications set it (from the spec's 'seed')")
    chosen = tuple(dict.fromkeys(metrics or DEFAULT_METRICS))
    for metric in chosen:
        if metric not in METRICS:
            near = closest(metric, METRICS)
            raise StudyError(f"{metric!r} is not a metric" + (f"; did you mean {near!r}?" if near else "")
                             + " (the metrics are listed in govsim/metrics.py)")
    return chosen
