"""Global sensitivity: Sobol' indices or Morris screening of a spec's factors, by SALib.

The spec's design (``sobol`` or ``morris``) draws its sample with SALib
(:func:`govsim.study.design.salib_sample`); each design point runs
``replications`` times with shared seeds and its output is the mean
whole-run value of each metric of interest. SALib's matching analysis then
gives, per metric and factor, first-order (S1) and total (ST) Sobol' indices
with bootstrap confidence intervals, or Morris's mu* (mean absolute
elementary effect, with its bootstrap interval) and sigma. The method and its
bootstrap are SALib's, not re-implemented here.

Sensitivity that knows when it is not converged: every index keeps its 95%
half-width (``conf``), and :func:`flags` reads the intervals to mark indices
that a larger sample would still change (column ``flag``, empty when fine):

* Sobol' ``outside [0, 1]``: an index (S1, ST or S2) below 0 or above 1 by
  more than its half-width. True indices are fractions of variance, so such
  an estimate is sampling error the bootstrap did not even see.
* Sobol' ``ST < S1``: a total index below its first-order index by more than
  the two half-widths together; the total includes the first-order part.
* Sobol' ``wide``: a half-width above :data:`WIDE` (0.1): the index is not
  known to better than a tenth of the output's variance.
* Morris ``unresolved``: a mu* whose interval (twice the half-width) is wider
  than mu* itself, so neither its size nor its rank is settled.

Each flagged metric gets a suggested sample size (column ``suggested_n`` on
its flagged rows; :func:`suggested_sizes`). SALib's bootstrap half-widths
shrink like 1/sqrt(N), so the Sobol' suggestion is the base sample N that
brings the metric's widest error to :data:`TARGET` (0.05), rounded up to a
power of two as Saltelli sampling wants; the Morris one is the number of
trajectories that makes the widest flagged interval as wide as its mu*.
Either is at least double the present size.
"""

from __future__ import annotations

import concurrent.futures as cf
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim.files import csv_bytes, write_atomic
from govsim.metrics import METRICS
from govsim.study.design import points, salib_problem, salib_sample
from govsim.study.errors import StudyError
from govsim.study.executors import Progress
from govsim.study.results import load_summaries
from govsim.study.spec import ExperimentSpec, Factor
from govsim.study.sweep import SweepSummary, run_sweep

COLUMNS = ["metric", "factor", "index", "value", "conf", "flag", "suggested_n"]
TABLE, FIGURE = "sensitivity.csv", "sensitivity.png"
WIDE = 0.1
"""Sobol' half-width above which an index is flagged ``wide`` (a tenth of the output's variance)."""
TARGET = 0.05
"""Sobol' half-width the suggested base sample size aims for."""


@dataclass
class Sensitivity:
    """Indices of a sensitivity analysis.

    Attributes:
        out: Results directory.
        method: ``sobol`` or ``morris``.
        table: Long table: metric, factor, index (S1, ST, S2 / mu_star, sigma), value,
            conf (half-width of SALib's bootstrap 95% interval), flag (empty when fine; see
            the module's rules), suggested_n (on flagged rows: the sample size to run next).
        figure: Path of the bar chart.
        sweep: What the sweep ran.
        samples: SALib's N that the design used: the Sobol' base sample, or the number of
            Morris trajectories.
        replications: Runs per design point (their mean is the point's output).
        runs: Runs the analysis used: design points times replications (for Morris,
            trajectories x (factors + 1) x replications). Repeated design points share one
            model run, so ``sweep.planned`` may be fewer.
    """

    out: Path
    method: str
    table: pd.DataFrame
    figure: Path
    sweep: SweepSummary
    samples: int = 0
    replications: int = 1
    runs: int = 0

    @property
    def flagged(self) -> pd.DataFrame:
        """The rows of :attr:`table` with a flag."""
        return self.table[self.table["flag"] != ""]

    @property
    def suggested(self) -> dict[str, int]:
        """Suggested sample size (Sobol' N or Morris trajectories) per flagged metric."""
        return suggested_sizes(self.table)


def run_sensitivity(spec: ExperimentSpec, *, out: str | Path | None = None, resume: bool = False,
                    workers: int = 1, executor: str | cf.Executor = "local", scheduler: str | None = None,
                    progress: Callable[[Progress], None] | None = None) -> Sensitivity:
    """Run a Sobol' or Morris design and analyse it; write the table and figure into the results.

    Raises:
        StudyError: The design is not sobol or morris, or runs failed (every
            point is needed; fix the cause and run again with ``resume``).
    """
    if spec.design not in ("sobol", "morris"):
        raise StudyError(f"sensitivity needs 'design: sobol' or 'design: morris'; "
                         f"{spec.source or 'the spec'} has design {spec.design!r}. Use 'govsim sweep' for "
                         "other designs.")
    pts = points(spec)
    sweep = run_sweep(spec, out=out, resume=resume, workers=workers, executor=executor,
                      scheduler=scheduler, progress=progress, design=pts)
    outputs = point_means(sweep.out, spec.metrics, len(pts), spec.replications)
    table = pd.concat([analyse(spec, salib_sample(spec), outputs[m].to_numpy(), metric=m)
                       for m in spec.metrics], ignore_index=True)
    write_atomic(sweep.out / TABLE, csv_bytes(table))
    figure = write_figure(table, spec.design, sweep.out / FIGURE)
    samples = base_samples(spec.design, len(pts), len(spec.factors), second_order=spec.second_order)
    return Sensitivity(sweep.out, spec.design, table, figure, sweep, samples=samples,
                       replications=spec.replications, runs=len(pts) * spec.replications)


def describe(result: Sensitivity) -> dict[str, Any]:
    """The analysis as JSON-ready data (``--json``): indices with intervals and flags, sizes used.

    ``samples`` is SALib's N (Morris: also under ``trajectories``), ``runs`` the runs the
    analysis used (design points x replications) and ``distinct_runs`` the model runs behind
    them (repeated points share one); ``flags`` lists the flagged indices and
    ``suggested_samples`` the size to run next per flagged metric.
    """
    def clean(value: Any) -> Any:
        if value is None or value is pd.NA or (isinstance(value, float) and not math.isfinite(value)):
            return None
        return int(value) if isinstance(value, np.integer) else value

    def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
        rows = frame.astype(object).to_dict(orient="records")
        return [{k: clean(v) for k, v in row.items()} for row in rows]

    sizes = {"samples": result.samples, "replications": result.replications, "runs": result.runs,
             "distinct_runs": result.sweep.planned}
    if result.method == "morris":
        sizes["trajectories"] = result.samples
    return {"out": str(result.out), "method": result.method, "figure": str(result.figure), **sizes,
            "indices": records(result.table), "flags": records(result.flagged.drop(columns="suggested_n")),
            "suggested_samples": result.suggested}


def point_means(out: Path, metrics: Sequence[str], n_points: int, replications: int) -> pd.DataFrame:
    """Mean overall whole-run value of each metric per design point (rows in design order)."""
    summaries = load_summaries(out, replications=replications)
    overall = summaries[(summaries["scope"] == "overall") & summaries["metric"].isin(metrics)]
    missing = n_points * replications - len(overall.drop_duplicates(["point", "replication"]))
    if missing:
        raise StudyError(f"{missing} of {n_points * replications} runs are missing or failed, and the "
                         f"analysis needs every design point; see {out}/index.csv, fix the cause and run "
                         "again with --resume.")
    means = overall.pivot_table(index="point", columns="metric", values="value", aggfunc="mean")
    return means.reindex(range(n_points))


def analyse(spec: ExperimentSpec, sample: np.ndarray, y: np.ndarray, *, metric: str = "y") -> pd.DataFrame:
    """SALib's analysis of one output ``y`` over the spec's sample; a long table of indices, flagged.

    An output that does not vary at all has every index 0 (SALib would divide by zero), and
    no flags: there is nothing left to estimate.
    """
    factors = spec.factors
    y = np.asarray(y, dtype=float)
    samples = base_samples(spec.design, len(y), len(factors), second_order=spec.second_order)
    if np.nanstd(y) == 0:
        names = ("S1", "ST") if spec.design == "sobol" else ("mu_star", "sigma")
        table = pd.DataFrame([(metric, f.path, name, 0.0, 0.0) for f in factors for name in names],
                             columns=COLUMNS[:5])
        return with_flags(table, spec.design, samples)
    problem = salib_problem(factors)
    if spec.design == "sobol":
        from SALib.analyze import sobol

        result = sobol.analyze(problem, y, calc_second_order=spec.second_order, seed=spec.seed)
        rows = _rows(metric, factors, result, (("S1", "S1_conf"), ("ST", "ST_conf")))
        if spec.second_order:
            rows += _second_order(metric, factors, result)
    else:
        from SALib.analyze import morris

        result = morris.analyze(problem, sample, y, num_levels=spec.levels, seed=spec.seed)
        rows = _rows(metric, factors, result, (("mu_star", "mu_star_conf"), ("sigma", None)))
    return with_flags(pd.DataFrame(rows, columns=COLUMNS[:5]), spec.design, samples)


def base_samples(method: str, n_points: int, n_factors: int, *, second_order: bool = False) -> int:
    """SALib's N behind ``n_points`` design points: what the confidence intervals scale with.

    Saltelli's Sobol' sample has N (D + 2) points, or N (2D + 2) with second order; a Morris
    sample has N trajectories of D + 1 points each (D factors).
    """
    per_sample = {"sobol": n_factors * (2 if second_order else 1) + 2, "morris": n_factors + 1}[method]
    return n_points // per_sample


def with_flags(table: pd.DataFrame, method: str, samples: int) -> pd.DataFrame:
    """The table with its ``flag`` and ``suggested_n`` columns (rules in the module docstring).

    ``samples`` is the N the table was estimated with (:func:`base_samples`); the
    suggestion is per metric and shown on that metric's flagged rows.
    """
    parts = []
    for _, block in table.groupby("metric", sort=False):
        block = block.assign(flag=sobol_flags(block) if method == "sobol" else morris_flags(block))
        flagged = (block["flag"] != "").to_numpy()
        suggest = suggest_sobol if method == "sobol" else suggest_morris
        n = suggest(block, samples) if flagged.any() else None
        block["suggested_n"] = pd.array([n if f else None for f in flagged], dtype="Int64")
        parts.append(block)
    if not parts:
        return table.assign(flag="", suggested_n=pd.array([], dtype="Int64"))
    return pd.concat(parts, ignore_index=True)


def sobol_flags(block: pd.DataFrame) -> list[str]:
    """Per row of one metric's Sobol' table: ``outside [0, 1]``, ``ST < S1``, ``wide``, joined by "; "."""
    wide = block["conf"].to_numpy(float) > WIDE
    reasons = zip(_outside(block) > 0, _total_gap(block) > 0, wide, strict=True)
    names = ("outside [0, 1]", "ST < S1", "wide")
    return ["; ".join(name for name, hit in zip(names, hits, strict=True) if hit) for hits in reasons]


def morris_flags(block: pd.DataFrame) -> list[str]:
    """Per row of one metric's Morris table: ``unresolved`` where the mu* interval is wider than mu*."""
    mu_star = (block["index"] == "mu_star").to_numpy()
    wider = 2 * block["conf"].to_numpy(float) > block["value"].to_numpy(float)
    return ["unresolved" if hit else "" for hit in mu_star & wider]


def suggest_sobol(block: pd.DataFrame, samples: int) -> int:
    """The Sobol' base sample N that would bring one metric's widest error to :data:`TARGET`.

    Half-widths shrink like 1/sqrt(N): N' = N (e / TARGET)^2, with e the metric's largest
    half-width, or the largest amount by which an estimate is outside [0, 1] or ST below
    S1 beyond its interval (its error is at least that). At least 2N, rounded up to a
    power of two (Saltelli sampling wants one).
    """
    error = max(float(np.nanmax(block["conf"].to_numpy(float), initial=0.0)),
                float(np.max(_outside(block), initial=0.0)), float(np.max(_total_gap(block), initial=0.0)))
    return _power_of_two(max(2 * samples, math.ceil(samples * (error / TARGET) ** 2)))


def suggest_morris(block: pd.DataFrame, samples: int) -> int:
    """Morris trajectories that make the widest flagged mu* interval as wide as mu* (at least 2N).

    mu*'s bootstrap half-width c shrinks like 1/sqrt(N), so 2c <= mu* needs N (2c / mu*)^2.
    """
    rows = block[block["flag"] != ""]
    ratio = float(np.max(2 * rows["conf"].to_numpy(float) / rows["value"].to_numpy(float), initial=0.0))
    return max(2 * samples, math.ceil(samples * ratio ** 2))


def suggested_sizes(table: pd.DataFrame) -> dict[str, int]:
    """Suggested sample size per flagged metric of a flagged table (metric order kept)."""
    rows = table.dropna(subset=["suggested_n"]).drop_duplicates("metric")
    return {str(m): int(n) for m, n in zip(rows["metric"], rows["suggested_n"], strict=True)}


def _power_of_two(n: int) -> int:
    """The smallest power of two at or above ``n``."""
    return 1 << max(n - 1, 0).bit_length()


def _outside(block: pd.DataFrame) -> np.ndarray:
    """How far each index lies outside [0, 1] beyond its half-width (0 where it does not)."""
    value, conf = block["value"].to_numpy(float), np.nan_to_num(block["conf"].to_numpy(float))
    return np.maximum(0.0, np.maximum(-value - conf, value - 1 - conf))


def _total_gap(block: pd.DataFrame) -> np.ndarray:
    """On ST rows, how far ST lies below its S1 beyond both half-widths (0 on other rows)."""
    first = block[block["index"] == "S1"].set_index("factor")
    s1 = first["value"].reindex(block["factor"]).to_numpy(float)
    s1_conf = first["conf"].reindex(block["factor"]).to_numpy(float)
    gap = s1 - block["value"].to_numpy(float) - (s1_conf + block["conf"].to_numpy(float))
    is_total = (block["index"] == "ST").to_numpy()
    return np.where(is_total & np.isfinite(gap), np.maximum(gap, 0.0), 0.0)


def _rows(metric: str, factors: Sequence[Factor], result: Any,
          names: Sequence[tuple[str, str | None]]) -> list[tuple]:
    return [(metric, f.path, name, float(result[name][i]), float(result[conf][i]) if conf else float("nan"))
            for i, f in enumerate(factors) for name, conf in names]


def _second_order(metric: str, factors: Sequence[Factor], result: Any) -> list[tuple]:
    rows = []
    for i in range(len(factors)):
        for j in range(i + 1, len(factors)):
            pair = f"{factors[i].path} × {factors[j].path}"
            rows.append((metric, pair, "S2", float(result["S2"][i, j]), float(result["S2_conf"][i, j])))
    return rows


def figure(table: pd.DataFrame, method: str) -> Any:
    """Bar chart per metric: S1 and ST (or mu* and sigma) per factor, 95% intervals as error bars."""
    from matplotlib.figure import Figure

    metrics = list(dict.fromkeys(table["metric"]))
    first, second = ("S1", "ST") if method == "sobol" else ("mu_star", "sigma")
    factors = list(dict.fromkeys(table.loc[table["index"] == first, "factor"]))
    fig = Figure(figsize=(4.2 * min(len(metrics), 3), (1.2 + 0.45 * len(factors)) * -(-len(metrics) // 3)),
                 layout="constrained")
    axes = fig.subplots(-(-len(metrics) // 3), min(len(metrics), 3), squeeze=False).ravel()
    y = np.arange(len(factors))
    for ax, metric in zip(axes, metrics, strict=False):
        block = table[table["metric"] == metric].set_index(["index", "factor"])
        for offset, name, colour in ((-0.2, first, "#4c72b0"), (0.2, second, "#dd8452")):
            values = block.loc[name].reindex(factors)
            err = values["conf"].where(np.isfinite(values["conf"]), 0.0)
            ax.barh(y + offset, values["value"], height=0.38, xerr=err, color=colour, label=name, capsize=2)
        ax.set_yticks(y, [f.split(".")[-1] for f in factors], fontsize=8)
        ax.invert_yaxis()
        ax.set_title(METRICS[metric].label if metric in METRICS else metric, fontsize=9)
        ax.axvline(0, color="grey", lw=0.6)
    for ax in axes[len(metrics):]:
        ax.set_visible(False)
    axes[0].legend(fontsize=8, loc="lower right")
    return fig


def write_figure(table: pd.DataFrame, method: str, path: Path) -> Path:
    """Draw :func:`figure` to a PNG, atomically."""
    sink = io.BytesIO()
    figure(table, method).savefig(sink, format="png", dpi=110)
    write_atomic(path, sink.getvalue())
    return path
