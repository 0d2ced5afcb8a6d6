"""Calibration by ABC-SMC: a posterior over the parameters, not a single best fit.

The simulated method of moments (:mod:`govsim.study.calibrate`) finds one
parameter set. Approximate Bayesian computation (ABC) asks instead which
parameter sets make the model reproduce the targets as often as the data
allow, and so says how sure the fit is. It is likelihood-free: it only runs
the model, which is all an agent-based model offers. pyabc's ABC-SMC
(sequential Monte Carlo) does it in generations: particles are drawn from
the prior, simulated, and kept when their simulated targets lie within a
distance epsilon of the observed ones; each generation perturbs the last
one's particles and lowers epsilon (the median of the last distances), so
the weighted particles approach the posterior.

Here:

* Priors come from the spec's factors: uniform over each ``range``, or
  ``prior: loguniform``.
* The distance is the square root of the SMM objective: the weighted
  Euclidean norm of each target's error divided by its scale. Epsilon is
  thus in units of scaled error; the default ``minimum_epsilon`` is the
  distance at which every target is off by exactly its tolerance.
* A particle is one :func:`govsim.simulate` run per replication at its
  parameters (the mean over ``replications``), with seeds derived from the
  calibration's seed and the parameter values: a particle's runs are the
  same whichever process draws it. Serially (``--workers 1``) the whole
  calibration is reproducible given the seed; pyabc's parallel samplers draw
  proposals in worker processes with their own random state, so parallel
  calibrations differ in their particles (not in what any one of them runs).
* Samplers: serial, pyabc's multicore sampler for the local pool (forked
  processes), its Dask sampler for ``--executor dask``.
* Stopping: epsilon reached, or a budget spent (generations, simulations,
  wall time). A budget stop is said plainly: the posterior is then wider
  than it would be at the minimum epsilon.

Written to the results directory: ``abc.db`` (pyabc's History, every
generation), ``posterior.csv`` (final particles with weights),
``posterior_summary.csv``, ``generations.csv``, ``convergence.csv``,
``posterior.png`` (pair plot) and ``abc.json`` (all of it, with the stop).
Runs are not kept in the run store: the History is the record.
"""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim.files import csv_bytes, json_bytes, write_atomic
from govsim.study.calibrate import summary_values, target_name
from govsim.study.design import point_for, replication_seed
from govsim.study.errors import StudyError
from govsim.study.executors import check_local, dask_client
from govsim.study.spec import ExperimentSpec, Factor, Target
from govsim.study.store import RunStore
from govsim.study.sweep import experiment_meta

DB, POSTERIOR, SUMMARY = "abc.db", "posterior.csv", "posterior_summary.csv"
GENERATIONS, CONVERGENCE, PAIRS, REPORT = "generations.csv", "convergence.csv", "posterior.png", "abc.json"
INSTALL = "pip install 'govsim[calibration]'"
#: A parameter's posterior mean "still moves" when the last generation shifted it by more than
#: this share of its final 90% interval.
SETTLED_SHIFT = 0.25
LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stop:
    """Why ABC-SMC stopped.

    Attributes:
        reason: ``epsilon`` (converged), or the budget spent: ``generations``,
            ``simulations`` or ``walltime``.
        budget: True when a budget, not epsilon, ended the calibration.
        message: What happened and what it means, in words.
    """

    reason: str
    budget: bool
    message: str


@dataclass
class AbcCalibration:
    """The outcome of an ABC-SMC calibration.

    Attributes:
        out: Results directory.
        posterior: Final generation: one row per particle, parameter values,
            ``weight``, ``distance`` and the simulated target values.
        summary: Per parameter: prior, weighted mean, sd, median, 90% and 95%
            credible intervals.
        generations: Per generation: epsilon, particles, simulations,
            acceptance rate, effective sample size, wall seconds.
        convergence: Per generation and parameter: weighted mean, median and 90% interval.
        stop: Why it stopped.
        minimum_epsilon: The epsilon it aimed for.
        simulations: Parameter sets simulated in all (with the prior sample
            that set the first epsilon).
        files: Name -> path of each file written.
    """

    out: Path
    posterior: pd.DataFrame
    summary: pd.DataFrame
    generations: pd.DataFrame
    convergence: pd.DataFrame
    stop: Stop
    minimum_epsilon: float
    simulations: int
    files: dict[str, Path]

    @property
    def moving(self) -> list[str]:
        """Parameters whose posterior mean was still moving in the last generation."""
        moved = shifts(self.convergence, self.summary)
        return moved.loc[moved["shift_share"] > SETTLED_SHIFT, "parameter"].tolist()


# -- the pieces pyabc calls --------------------------------------------------------------------


class SimulatedTargets:
    """pyabc's model: a parameter set in, the mean of each target's statistic over the
    replications out (NaN where undefined or where every run failed).

    A plain class, not a closure, so that the multicore and Dask samplers can pickle it.
    """

    def __init__(self, spec: ExperimentSpec) -> None:
        self.spec = spec
        self.names = target_names(spec.targets)

    def __call__(self, parameters: dict[str, Any]) -> dict[str, float]:
        values = factor_values(self.spec.factors, parameters)
        point = point_for(self.spec, 0, values)
        seeds = particle_seeds(self.spec.seed, values, self.spec.replications)
        per_run = np.array([run_targets(point.scenario, s, self.spec.targets) for s in seeds], dtype=float)
        means = [float(np.nanmean(col)) if np.isfinite(col).any() else math.nan for col in per_run.T]
        return dict(zip(self.names, means, strict=True))


class ScaledDistance:
    """The square root of the SMM objective: sqrt(sum of weight * (error / scale)^2).

    Undefined simulated values give an infinite distance, so such a particle is never accepted.
    """

    def __init__(self, targets: Sequence[Target]) -> None:
        self.names = target_names(targets)
        self.weights = np.array([t.weight for t in targets], dtype=float)
        self.divisors = np.array([t.divisor for t in targets], dtype=float)

    def __call__(self, simulated: dict[str, float], observed: dict[str, float]) -> float:
        errors = np.array([simulated[n] - observed[n] for n in self.names], dtype=float) / self.divisors
        if not np.isfinite(errors).all():
            return math.inf
        return float(np.sqrt(np.sum(self.weights * errors**2)))


def target_names(targets: Sequence[Target]) -> list[str]:
    """Summary-statistic names, one per target (made unique should two targets share one)."""
    names = [target_name(t) for t in targets]
    return [n if names.count(n) == 1 else f"{n}#{i}" for i, n in enumerate(names)]


def observed(targets: Sequence[Target]) -> dict[str, float]:
    """The targets' values, as pyabc's observed summary statistics."""
    return dict(zip(target_names(targets), [float(t.value) for t in targets], strict=True))


def default_minimum_epsilon(targets: Sequence[Target]) -> float:
    """The distance at which every target is off by exactly its tolerance: below it, the
    accepted particles meet the targets about as well as the spec asks."""
    return float(np.sqrt(sum(t.weight * (t.within / t.divisor) ** 2 for t in targets)))


def factor_values(factors: Sequence[Factor], parameters: dict[str, Any]) -> dict[str, Any]:
    """Scenario values of a particle: plain floats, whole-number parameters rounded."""
    return {f.path: round(float(parameters[f.path])) if f.integer else float(parameters[f.path])
            for f in factors}


def particle_seeds(master: int, values: dict[str, Any], replications: int) -> list[int]:
    """Replication seeds of a particle, from the calibration's seed and the particle's values alone.

    Deriving them from the values (not from a counter) keeps a particle's runs the same in
    whichever process and order the sampler evaluates it; different particles get
    unrelated noise, as ABC assumes.
    """
    bits = [int(np.float64(v).view(np.uint64)) for v in values.values()]
    words = np.random.SeedSequence([int(master), *bits]).generate_state(2, np.uint32)
    particle = (int(words[0]) << 32) | int(words[1])
    return [replication_seed(particle, r) for r in range(replications)]


def run_targets(scenario: Any, seed: int, targets: Sequence[Target]) -> list[float]:
    """Each target's statistic in one run; NaN for all of them when the run fails (logged)."""
    from govsim.run import simulate

    try:
        result = simulate(scenario, seed)
    except Exception as err:  # a failed run rejects the particle instead of ending the calibration
        LOG.warning("run with seed %s failed: %s: %s", seed, type(err).__name__, err)
        return [math.nan] * len(targets)
    return summary_values(result.summary, targets)


def priors(factors: Sequence[Factor]) -> Any:
    """pyabc's prior: each factor uniform (or log-uniform) over its range, independently."""
    import pyabc

    def rv(f: Factor) -> Any:
        if f.prior == "loguniform":
            return pyabc.RV("loguniform", f.low, f.high)
        return pyabc.RV("uniform", f.low, f.high - f.low)

    return pyabc.Distribution(**{f.path: rv(f) for f in factors})


@contextlib.contextmanager
def sampler(executor: str, workers: int, scheduler: str | None) -> Iterator[Any]:
    """pyabc's sampler for govsim's executor choice: serial for one worker, the multicore
    sampler for the local pool, the Dask sampler for ``dask``."""
    from pyabc import sampler as samplers

    if executor == "dask":
        with dask_client(workers, scheduler) as client:
            yield samplers.DaskDistributedSampler(dask_client=client)
        return
    check_local(executor, scheduler)
    if workers <= 1:
        yield samplers.SingleCoreSampler()
    else:
        yield samplers.MulticoreEvalParallelSampler(n_procs=workers)


# -- running -----------------------------------------------------------------------------------


def calibrate_abc(spec: ExperimentSpec, *, out: str | Path | None = None, resume: bool = False,
                  workers: int = 1, executor: str = "local", scheduler: str | None = None,
                  **_ignored: Any) -> AbcCalibration:
    """Run ABC-SMC on the spec's factors and targets; write the posterior, its summary,
    diagnostics and pair plot to the results directory.

    Raises:
        StudyError: The spec is not a calibration, pyabc is missing, ``out``
            holds another experiment or an earlier ABC run, or ``resume`` is asked.
    """
    if spec.kind != "calibration":
        raise StudyError(f"{spec.source or 'the spec'} has no targets: calibration needs 'targets' and "
                         "factors with a 'range'.")
    _require_pyabc()
    store = _open_store(spec, out, resume)
    minimum = _minimum_epsilon(spec)
    clock = time.perf_counter()
    with _seeded(spec.seed), _quiet_pyabc(), sampler(executor, workers, scheduler) as chosen:
        history = _run(spec, store.root / DB, chosen, minimum)
    return finish(spec, store.root, history, minimum, time.perf_counter() - clock)


def _require_pyabc() -> None:
    try:
        import pyabc  # noqa: F401
    except ImportError:
        raise StudyError(f"--method abc needs pyabc: {INSTALL}") from None


def _open_store(spec: ExperimentSpec, out: str | Path | None, resume: bool) -> RunStore:
    store = RunStore(out if out is not None else spec.out_dir)
    if resume or (store.root / DB).exists():
        raise StudyError(f"ABC-SMC does not resume: {store.root} would be started over. Choose another "
                         "output directory (--out), or delete it (its abc.db keeps every finished "
                         "generation).")
    identity = {"kind": "calibration-abc", "base": spec.base.hash, "seed": spec.seed,
                "replications": spec.replications, "abc": vars(spec.abc),
                "factors": [(f.path, f.low, f.high, f.prior) for f in spec.factors],
                "targets": [vars(t) for t in spec.targets]}
    store.open(experiment_meta(spec, identity, 0), resume=False)
    return store


def _minimum_epsilon(spec: ExperimentSpec) -> float:
    given = spec.abc.minimum_epsilon
    return float(given) if given is not None else default_minimum_epsilon(spec.targets)


@contextlib.contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """Seed numpy's global generator, which pyabc draws from, and restore it afterwards."""
    state = np.random.get_state()
    np.random.seed(int(seed) % 2**32)
    try:
        yield
    finally:
        np.random.set_state(state)


@contextlib.contextmanager
def _quiet_pyabc() -> Iterator[None]:
    """pyabc logs every generation at INFO on stderr; govsim reports the generations itself."""
    logger = logging.getLogger("ABC")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _run(spec: ExperimentSpec, db: Path, chosen: Any, minimum: float) -> Any:
    import pyabc

    settings = spec.abc
    abc = pyabc.ABCSMC(SimulatedTargets(spec), priors(spec.factors), ScaledDistance(spec.targets),
                       population_size=settings.population_size, sampler=chosen)
    abc.new(f"sqlite:///{db.resolve()}", observed(spec.targets))
    walltime = timedelta(minutes=settings.max_minutes) if settings.max_minutes is not None else None
    return abc.run(minimum_epsilon=minimum, max_nr_populations=settings.max_generations,
                   max_total_nr_simulations=settings.max_simulations, max_walltime=walltime)


# -- reading the History back ------------------------------------------------------------------


def finish(spec: ExperimentSpec, root: Path, history: Any, minimum: float, seconds: float) -> AbcCalibration:
    """Tables, stop reason, files: everything the calibration reports, from pyabc's History."""
    paths = [f.path for f in spec.factors]
    posterior = posterior_table(history, history.max_t)
    generations = generations_table(history)
    summary = summary_table(spec.factors, posterior)
    convergence = pd.concat([credible(paths, posterior_table(history, t)).assign(generation=t)
                             for t in generations["generation"]], ignore_index=True)
    simulations = int(history.total_nr_simulations)
    stop = stop_reason(spec, generations, simulations, minimum, seconds)
    result = AbcCalibration(root, posterior, summary, generations, convergence, stop, minimum,
                            simulations, {})
    result.files = write_outputs(spec, result)
    return result


def posterior_table(history: Any, t: int) -> pd.DataFrame:
    """Generation ``t``'s particles: parameters, weight, distance, simulated target values."""
    rows = [{**{k: float(v) for k, v in p.parameter.items()}, "weight": float(p.weight),
             "distance": float(p.distance), **{f"sim:{k}": float(v) for k, v in p.sum_stat.items()}}
            for p in history.get_population(t=t).particles]
    frame = pd.DataFrame(rows)
    frame["weight"] /= frame["weight"].sum()
    return frame


def generations_table(history: Any) -> pd.DataFrame:
    """Per generation: epsilon, particles, simulations (and cumulative), acceptance rate, ESS."""
    from pyabc.weighted_statistics import effective_sample_size

    pops = history.get_all_populations()
    prior_sample = int(pops.loc[pops["t"] < 0, "samples"].sum())
    pops = pops[pops["t"] >= 0].reset_index(drop=True)
    ess = [float(effective_sample_size(history.get_distribution(m=0, t=int(t))[1])) for t in pops["t"]]
    return pd.DataFrame({
        "generation": pops["t"].astype(int), "epsilon": pops["epsilon"].astype(float),
        "particles": pops["particles"].astype(int), "simulations": pops["samples"].astype(int),
        "cumulative_simulations": prior_sample + pops["samples"].cumsum().astype(int),
        "acceptance_rate": pops["particles"] / pops["samples"], "ess": ess,
        "wall_seconds": pops["wall_time"].astype(float)})


def credible(paths: Sequence[str], particles: pd.DataFrame) -> pd.DataFrame:
    """Weighted mean, sd, median, 90% and 95% credible intervals of each parameter."""
    from pyabc.weighted_statistics import weighted_quantile

    w = particles["weight"].to_numpy()
    rows = []
    for path in paths:
        x = particles[path].to_numpy()
        mean = float(np.sum(w * x))
        q = {a: float(weighted_quantile(x, w, alpha=a)) for a in (0.025, 0.05, 0.5, 0.95, 0.975)}
        rows.append({"parameter": path, "mean": mean, "sd": float(np.sqrt(np.sum(w * (x - mean) ** 2))),
                     "median": q[0.5], "ci90_low": q[0.05], "ci90_high": q[0.95],
                     "ci95_low": q[0.025], "ci95_high": q[0.975]})
    return pd.DataFrame(rows)


def summary_table(factors: Sequence[Factor], posterior: pd.DataFrame) -> pd.DataFrame:
    """:func:`credible` of the final generation, with each prior and how much of its range
    the 90% interval still spans (near 1: the targets hardly inform the parameter)."""
    table = credible([f.path for f in factors], posterior)
    table.insert(1, "prior", [f.prior for f in factors])
    table.insert(2, "prior_low", [f.low for f in factors])
    table.insert(3, "prior_high", [f.high for f in factors])
    table.insert(4, "prior_source", [f.range_source or "the spec's range" for f in factors])
    table["ci90_share_of_prior"] = (table["ci90_high"] - table["ci90_low"]) / (table["prior_high"]
                                                                              - table["prior_low"])
    return table


def shifts(convergence: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """How far each posterior mean moved in the last generation, as a share of its final 90% interval."""
    last = convergence["generation"].max()
    rows = []
    for row in summary.itertuples():
        means = convergence.query("parameter == @row.parameter").set_index("generation")["mean"]
        width = row.ci90_high - row.ci90_low
        moved = abs(means[last] - means[last - 1]) if last - 1 in means.index else math.nan
        rows.append({"parameter": row.parameter, "shift": moved,
                     "shift_share": moved / width if width > 0 else math.nan})
    return pd.DataFrame(rows, columns=["parameter", "shift", "shift_share"])


def stop_reason(spec: ExperimentSpec, generations: pd.DataFrame, simulations: int, minimum: float,
                seconds: float) -> Stop:
    """Which stopping rule ended the run (pyabc only logs it), and what that means for the posterior."""
    settings = spec.abc
    n, last = len(generations), float(generations["epsilon"].iloc[-1])
    if last <= minimum:
        return Stop("epsilon", False, f"converged: epsilon {_g(last)} reached the minimum {_g(minimum)} "
                                      f"after {n} generations and {simulations} simulations")
    short = (f"before epsilon reached the minimum {_g(minimum)} (the last generation's was {_g(last)}): "
             "the posterior is wider than it would be at the minimum epsilon")
    if n >= settings.max_generations:
        return Stop("generations", True, f"stopped after {n} generations (max_generations) {short}; "
                                         "allow more generations to narrow it")
    if simulations >= settings.max_simulations:
        return Stop("simulations", True, f"stopped at the simulation budget ({simulations} simulations, "
                                         f"max_simulations {settings.max_simulations}) {short}; "
                                         "allow more simulations to narrow it")
    if settings.max_minutes is None:
        return Stop("sampler", True, f"stopped by the sampler after {n} generations {short}")
    return Stop("walltime", True, f"stopped at the wall-time budget ({seconds / 60:.1f} minutes, max_minutes "
                                  f"{_g(settings.max_minutes)}) {short}; allow more time to narrow it")


def _g(value: Any) -> str:
    return "none" if value is None else f"{float(value):.4g}"


# -- files -------------------------------------------------------------------------------------


def describe(result: AbcCalibration) -> dict[str, Any]:
    """The calibration as one JSON-ready document (``abc.json`` and ``--json``)."""
    settled = shifts(result.convergence, result.summary)
    return {
        "method": "abc", "out": str(result.out), "stop": vars(result.stop),
        "minimum_epsilon": result.minimum_epsilon,
        "final_epsilon": float(result.generations["epsilon"].iloc[-1]),
        "generations": len(result.generations), "simulations": result.simulations,
        "particles": len(result.posterior), "ess": float(result.generations["ess"].iloc[-1]),
        "posterior": result.summary.to_dict(orient="records"),
        "diagnostics": result.generations.to_dict(orient="records"),
        "convergence": {"last_generation_shift": settled.to_dict(orient="records"),
                        "still_moving": result.moving,
                        "meaning": f"a posterior mean that moved by more than {SETTLED_SHIFT:.0%} of its 90% "
                                   "interval in the last generation is still moving: run more generations"},
        "files": {k: str(v) for k, v in result.files.items()},
    }


def write_outputs(spec: ExperimentSpec, result: AbcCalibration) -> dict[str, Path]:
    """Write the tables, the pair plot and ``abc.json``; name -> path."""
    from govsim.study.figures import png, posterior_pairs

    root = result.out
    files = {"history": root / DB, "posterior": root / POSTERIOR, "summary": root / SUMMARY,
             "generations": root / GENERATIONS, "convergence": root / CONVERGENCE, "pairs": root / PAIRS,
             "report": root / REPORT}
    write_atomic(files["posterior"], csv_bytes(result.posterior))
    write_atomic(files["summary"], csv_bytes(result.summary))
    write_atomic(files["generations"], csv_bytes(result.generations))
    write_atomic(files["convergence"], csv_bytes(result.convergence))
    write_atomic(files["pairs"], png(posterior_pairs(result.posterior, spec.factors)))
    result.files = files
    write_atomic(files["report"], json_bytes(describe(result)))
    return files

