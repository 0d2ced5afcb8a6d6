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

from govsim import i18n
from govsim.fonts import figure_lang
from govsim.metrics import METRICS
from govsim.study import significance, stats

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


def _label(metric: str, whole_run: bool = False, width: int = 48, lang: str = "en") -> str:
    """A metric's label and unit as a panel title, wrapped to fit a panel (in ``lang``)."""
    m = METRICS.get(metric)
    if metric in significance.RATES:
        rate = significance.RATES[metric]
        name, unit = rate.label[lang], rate.unit
    elif m is not None:
        name, unit = i18n.metric_label(metric, lang), (m.summary_unit if whole_run else m.unit)
    else:
        return metric
    unit = "%" if unit == "share" and whole_run else i18n.unit_label(unit, lang)
    text = f"{name} ({unit})" if lang == "en" else f"{name}（{unit}）"
    return "\n".join(textwrap.wrap(text, width if lang == "en" else width // 2))


def _factor(path: str, lang: str) -> str:
    """A factor's axis label: its short label where one is known, with the path."""
    from govsim.study.report_text import Words

    label = Words(lang).param(path, plain=True)
    return path if label == path else f"{label}\n{path}"


def bands(results: pd.DataFrame, metrics: Sequence[str], *, by: str = "label", lang: str = "en") -> Any:
    """Weekly mean of each metric per arm, with its 95% interval across replications as a band."""
    lang = figure_lang(lang)
    metrics = [m for m in metrics if m in results.columns]
    fig, axes = _grid(max(1, len(metrics)))
    arms = list(dict.fromkeys(results[by]))
    for ax, metric in zip(axes, metrics, strict=False):
        table = stats.weekly_bands(results, metric, by=by)
        for colour, arm in zip(COLOURS * 4, arms, strict=False):
            block = table[table[by] == arm]
            ax.plot(block["week"], block["mean"], color=colour, lw=1.3, label=str(arm))
            ax.fill_between(block["week"], block["low"], block["high"], color=colour, alpha=0.2, lw=0)
        ax.set_title(_label(metric, lang=lang), fontsize=9)
        ax.set_xlabel(i18n.text("plot.week", lang), fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes[len(metrics):]:
        ax.set_visible(False)
    if metrics:
        axes[0].legend(fontsize=7)
    return fig


def group_effects(effects: pd.DataFrame, metrics: Sequence[str], *, lang: str = "en") -> Any:
    """Per metric, each arm's difference from the baseline by group, with 95% intervals."""
    lang = figure_lang(lang)
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
        ax.set_yticks(y, [i18n.group_label(str(k), lang) for k in keys], fontsize=7)
        ax.invert_yaxis()
        ax.set_title(_label(metric, whole_run=True, lang=lang) + ("：与基线之差" if lang == "zh" else
                                                                 ": difference"), fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in axes[len(metrics):]:
        ax.set_visible(False)
    if metrics and len(arms) > 1:
        axes[0].legend(fontsize=7)
    return fig


def _point_means(summaries: pd.DataFrame, metrics: Sequence[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per design point: the factor values, and each metric's mean, low and high over replications."""
    overall = summaries[(summaries["scope"] == "overall") & summaries["metric"].isin(metrics)]
    design = summaries.drop_duplicates("point").set_index("point").sort_index()
    rows = []
    for (point, metric), values in overall.groupby(["point", "metric"], sort=True)["value"]:
        mean, low, high = stats.t_interval(values.to_numpy())
        rows.append((point, metric, mean, low, high))
    return design, pd.DataFrame(rows, columns=["point", "metric", "mean", "low", "high"])


def _scale(metric: str) -> float:
    """Shares are drawn in percent."""
    return 100.0 if significance.unit(metric) == "share" else 1.0


def response(summaries: pd.DataFrame, factors: Sequence[str], metrics: Sequence[str], *,
             lang: str = "en") -> Any:
    """Response curves of a grid: each metric's whole-run mean against the first factor, with its 95%
    interval over replications as a band; one line per value of the second factor (two factors),
    or one panel per factor averaged over the others (three or more)."""
    lang = figure_lang(lang)
    design, means = _point_means(summaries, metrics)
    metrics = [m for m in metrics if m in set(means["metric"])]
    per_factor = len(factors) > 2
    panels = [(m, f) for m in metrics for f in (factors if per_factor else factors[:1])]
    fig, axes = _grid(max(1, len(panels)), width=4.2, height=2.9, columns=len(factors) if per_factor else 2)
    for ax, (metric, factor) in zip(axes, panels, strict=False):
        block = means[means["metric"] == metric].set_index("point")
        block = block.join(design[list(factors)])
        k = _scale(metric)
        if len(factors) == 2:
            second = factors[1]
            for colour, (value, line) in zip(COLOURS * 4, block.groupby(second, sort=True), strict=False):
                line = line.sort_values(factor)
                ax.plot(line[factor], k * line["mean"], "o-", ms=3, lw=1.3, color=colour,
                        label=f"{_short(second, lang)} = {value:g}" if isinstance(value, float | int)
                        else f"{_short(second, lang)} = {value}")
                ax.fill_between(line[factor], k * line["low"], k * line["high"], color=colour, alpha=0.18,
                                lw=0)
        else:
            # One factor, or one of several: average the points at each value of this factor.
            line = block.groupby(factor, sort=True)[["mean", "low", "high"]].mean().reset_index()
            ax.plot(line[factor], k * line["mean"], "o-", ms=3, lw=1.3, color=COLOURS[0])
            ax.fill_between(line[factor], k * line["low"], k * line["high"], color=COLOURS[0], alpha=0.2,
                            lw=0)
        ax.set_title(_label(metric, whole_run=True, lang=lang), fontsize=9)
        ax.set_xlabel(_factor(factor, lang), fontsize=7)
        ax.tick_params(labelsize=7)
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    if panels and len(factors) == 2:
        axes[0].legend(fontsize=6)
    return fig


def _short(path: str, lang: str) -> str:
    from govsim.study.report_text import Words

    return str(Words(lang).param(path, plain=True))


def smooth(x: np.ndarray, y: np.ndarray, grid: np.ndarray, bandwidth: float | None = None) -> np.ndarray:
    """A Gaussian kernel smoother (Nadaraya-Watson) of ``y`` on ``x``, evaluated at ``grid``.

    The bandwidth defaults to Silverman's rule on ``x``; points are weighted by
    ``exp(-((x - g) / h)^2 / 2)``.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if x.size == 0:
        return np.full(len(grid), np.nan)
    h = bandwidth or 1.06 * max(float(np.std(x)), 1e-12) * x.size ** (-1 / 5)
    weights = np.exp(-0.5 * ((np.asarray(grid, dtype=float)[:, None] - x[None, :]) / h) ** 2)
    return (weights @ y) / np.maximum(weights.sum(axis=1), 1e-300)


def scatter(summaries: pd.DataFrame, factors: Sequence[str], metrics: Sequence[str], *,
            lang: str = "en") -> Any:
    """Each metric's whole-run value (mean over replications) against each factor, one panel per
    pair, with a kernel smoother through the dots (sampled designs: LHS, Sobol', Morris)."""
    lang = figure_lang(lang)
    design, means = _point_means(summaries, metrics)
    metrics = [m for m in metrics if m in set(means["metric"])]
    pairs = [(f, m) for m in metrics for f in factors]
    fig, axes = _grid(max(1, len(pairs)), width=3.2, height=2.5, columns=max(1, min(3, len(factors))))
    for ax, (factor, metric) in zip(axes, pairs, strict=False):
        block = means[means["metric"] == metric].set_index("point").join(design[[factor]])
        x, y = block[factor].to_numpy(float), _scale(metric) * block["mean"].to_numpy(float)
        ax.scatter(x, y, s=8, color=COLOURS[0], alpha=0.6)
        if np.isfinite(x).sum() >= 3:
            grid = np.linspace(np.nanmin(x), np.nanmax(x), 60)
            ax.plot(grid, smooth(x, y, grid), color=COLOURS[3], lw=1.4)
        ax.set_xlabel(_factor(factor, lang), fontsize=6)
        ax.set_title(_label(metric, whole_run=True, width=40, lang=lang), fontsize=8)
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
