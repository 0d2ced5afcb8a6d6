"""Global sensitivity: Sobol' indices or Morris screening of a spec's factors, by SALib.

The spec's design (``sobol`` or ``morris``) draws its sample with SALib
(:func:`govsim.study.design.salib_sample`); each design point runs
``replications`` times with shared seeds and its output is the mean
whole-run value of each metric of interest. SALib's matching analysis then
gives, per metric and factor, first-order (S1) and total (ST) Sobol' indices
with bootstrap confidence intervals, or Morris's mu* (mean absolute
elementary effect) and sigma. The method is SALib's, not re-implemented here.
"""

from __future__ import annotations

import concurrent.futures as cf
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from govsim.io import csv_bytes, write_atomic
from govsim.metrics import METRICS
from govsim.study.design import points, salib_problem, salib_sample
from govsim.study.errors import StudyError
from govsim.study.executors import Progress
from govsim.study.results import load_summaries
from govsim.study.spec import ExperimentSpec, Factor
from govsim.study.sweep import SweepSummary, run_sweep

COLUMNS = ["metric", "factor", "index", "value", "conf"]
TABLE, FIGURE = "sensitivity.csv", "sensitivity.png"


@dataclass
class Sensitivity:
    """Indices of a sensitivity analysis.

    Attributes:
        out: Results directory.
        method: ``sobol`` or ``morris``.
        table: Long table: metric, factor, index (S1, ST, S2 / mu_star, sigma), value,
            conf (half-width of the 95% interval).
        figure: Path of the bar chart.
        sweep: What the sweep ran.
    """

    out: Path
    method: str
    table: pd.DataFrame
    figure: Path
    sweep: SweepSummary


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
    return Sensitivity(sweep.out, spec.design, table, figure, sweep)


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
    """SALib's analysis of one output ``y`` over the spec's sample; a long table of indices.

    An output that does not vary at all has every index 0 (SALib would divide by zero).
    """
    factors = spec.factors
    y = np.asarray(y, dtype=float)
    if np.nanstd(y) == 0:
        names = ("S1", "ST") if spec.design == "sobol" else ("mu_star", "sigma")
        return pd.DataFrame([(metric, f.path, name, 0.0, 0.0) for f in factors for name in names],
                            columns=COLUMNS)
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
    return pd.DataFrame(rows, columns=COLUMNS)


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
