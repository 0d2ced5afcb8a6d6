"""Figures of experiments, drawn on matplotlib ``Figure`` objects (never pyplot).

Each function takes tidy tables (from :mod:`govsim.study.results` and
:mod:`govsim.study.stats`) and returns a figure; :func:`png` turns one into
bytes for a file or an HTML report.
"""

from __future__ import annotations

import io
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


def _label(metric: str, whole_run: bool = False) -> str:
    m = METRICS.get(metric)
    return f"{m.label} ({m.summary_unit if whole_run else m.unit})" if m else metric


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
        ax.set_title(f"{_label(metric, whole_run=True)}: difference", fontsize=9)
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
