"""Figures of experiments, drawn on matplotlib ``Figure`` objects (never pyplot).

Each function takes tidy tables (from :mod:`govsim.study.results` and
:mod:`govsim.study.stats`) and returns a figure; :func:`png` turns one into
bytes for a file or an HTML report.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from govsim.metrics import METRICS
from govsim.study import stats

COLOURS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c")


def png(fig: Any, dpi: int = 100) -> bytes:
    """A figure as PNG bytes."""
    sink = io.BytesIO()
    fig.savefig(sink, format="png", dpi=dpi)
    return sink.getvalue()


def _grid(n: int, width: float = 4.4, height: float = 2.8, columns: int = 2) -> tuple[Any, np.ndarray]:
    from matplotlib.figure import Figure

    cols = min(n, columns)
    rows = -(-n // cols)
    fig = Figure(figsize=(width * cols, height * rows), layout="constrained")
    return fig, fig.subplots(rows, cols, squeeze=False).ravel()


def _label(metric: str, whole_run: bool = False, width: int = 48) -> str:
    """A metric's label and unit as a panel title, wrapped to fit a panel."""
    m = METRICS.get(metric)
    text = f"{m.label} ({m.summary_unit if whole_run else m.unit})" if m else metric
    return "\n".join(textwrap.wrap(text, width))


def bands(results: pd.DataFrame, metrics: Sequence[str], *, by: str = "label") -> Any:
    """Weekly mean of each metric per arm, with its 95% interval across replications as a band."""
    metrics = [m for m in metrics if m in results.columns]
    fig, axes = _grid(max(1, len(metrics)))
    arms = list(dict.fromkeys(results[by]))
    for ax, metric in zip(axes, metrics, strict=False):
        table = stats.weekly_bands(results, metric, by=by)
        for colour, arm in zip(COLOURS * 4, arms, strict=False):
            block = table[table[by] == arm]
            ax.plot(block["week"], block["mean"], color=colour, lw=1.3, label=str(arm))
            ax.fill_between(block["week"], block["low"], block["high"], color=colour, alpha=0.2, lw=0)
        ax.set_title(_label(metric), fontsize=9)
        ax.set_xlabel("week", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes[len(metrics):]:
        ax.set_visible(False)
    if metrics:
        axes[0].legend(fontsize=7)
    return fig


def group_effects(effects: pd.DataFrame, metrics: Sequence[str]) -> Any:
    """Per metric, each arm's difference from the baseline by group, with 95% intervals."""
    groups = effects[effects["scope"] == "group"]
    metrics = [m for m in metrics if m in set(groups["metric"])]
    fig, axes = _grid(max(1, len(metrics)), height=3.0)
    arms = list(dict.fromkeys(groups["arm"]))
    colours = COLOURS[1:] * 4  # the first colour is the baseline's in the other figures
    for ax, metric in zip(axes, metrics, strict=False):
        block = groups[groups["metric"] == metric]
        keys = list(dict.fromkeys(block["key"]))
        y = np.arange(len(keys))
        step = 0.8 / max(1, len(arms))
        for i, (colour, arm) in enumerate(zip(colours, arms, strict=False)):
            rows = block[block["arm"] == arm].set_index("key").reindex(keys)
            err = np.vstack([rows["difference"] - rows["ci_low"], rows["ci_high"] - rows["difference"]])
            ax.errorbar(rows["difference"], y - 0.4 + step * (i + 0.5), xerr=np.nan_to_num(err), fmt="o",
                        ms=3, color=colour, capsize=2, label=str(arm))
        ax.axvline(0, color="grey", lw=0.7)
        ax.set_yticks(y, keys, fontsize=7)
        ax.invert_yaxis()
        ax.set_title(_label(f"{metric}", whole_run=True) + ": difference", fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in axes[len(metrics):]:
        ax.set_visible(False)
    if metrics and len(arms) > 1:
        axes[0].legend(fontsize=7)
    return fig


def scatter(summaries: pd.DataFrame, factors: Sequence[str], metrics: Sequence[str]) -> Any:
    """Each metric's whole-run value (mean over replications) against each factor, one panel per pair."""
    overall = summaries[(summaries["scope"] == "overall") & summaries["metric"].isin(metrics)]
    means = overall.groupby(["point", "metric"])["value"].mean().unstack("metric")
    design = summaries.drop_duplicates("point").set_index("point")
    pairs = [(f, m) for m in metrics if m in means.columns for f in factors]
    fig, axes = _grid(max(1, len(pairs)), width=3.2, height=2.4, columns=max(1, len(factors)))
    for ax, (factor, metric) in zip(axes, pairs, strict=False):
        ax.scatter(design.loc[means.index, factor], means[metric], s=8, color=COLOURS[0], alpha=0.7)
        ax.set_xlabel(factor, fontsize=7)
        ax.set_ylabel(METRICS[metric].label if metric in METRICS else metric, fontsize=7)
        ax.tick_params(labelsize=7)
    for ax in axes[len(pairs):]:
        ax.set_visible(False)
    return fig


def posterior_pairs(posterior: pd.DataFrame, factors: Sequence[Any]) -> Any:
    """Pair plot of weighted ABC particles: weighted histograms on the diagonal, scatter below it
    with each point's area proportional to its weight; axes span the prior ranges, so a
    posterior that fills its panel was hardly narrowed by the targets."""
    from matplotlib.figure import Figure

    n = len(factors)
    size = 2.6 if n > 1 else 4.0
    fig = Figure(figsize=(size * n + 0.6, size * n + 0.4), layout="constrained")
    axes = fig.subplots(n, n, squeeze=False)
    weights = posterior["weight"].to_numpy()
    area = 6 + 400 * weights / max(weights.max(), 1e-12)
    for i, fy in enumerate(factors):
        for j, fx in enumerate(factors):
            ax = axes[i, j]
            if j > i:
                ax.set_axis_off()
                continue
            if i == j:
                ax.hist(posterior[fx.path], bins=_bins(fx), weights=weights, color=COLOURS[0], alpha=0.8)
                ax.set_yticks([])
            else:
                ax.scatter(posterior[fx.path], posterior[fy.path], s=area, color=COLOURS[0], alpha=0.4,
                           linewidths=0)
                ax.set_ylim(fy.low, fy.high)
                ax.set_yscale("log" if fy.prior == "loguniform" else "linear")
            ax.set_xlim(fx.low, fx.high)
            if fx.prior == "loguniform":
                ax.set_xscale("log")
            if i == n - 1:
                ax.set_xlabel(fx.path, fontsize=8)
            if j == 0 and i > 0:
                ax.set_ylabel(fy.path, fontsize=8)
    fig.suptitle(f"ABC posterior: {len(posterior)} weighted particles (last generation)", fontsize=10)
    return fig


def _bins(factor: Any, n: int = 20) -> np.ndarray:
    """Histogram bins over a factor's prior range, evenly spaced on its prior's scale."""
    if factor.prior == "loguniform":
        return np.geomspace(factor.low, factor.high, n + 1)
    return np.linspace(factor.low, factor.high, n + 1)
