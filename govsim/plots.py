"""Figures of a run: one PNG a person can read at a glance.

Figures are drawn on a :class:`matplotlib.figure.Figure` directly, never
through ``pyplot``: no global state, no GUI backend, safe in worker processes
and tests, and nothing ever calls ``plt.show()``. Labels and units come from
:data:`govsim.metrics.METRICS`, so a renamed metric changes every figure.

Colours are the Okabe-Ito palette, which stays distinct under the common
colour-vision deficiencies; each resident group keeps one colour in every
panel, and the overall line is always black and bold.

Text is English or Chinese (``lang``, from :mod:`govsim.i18n`); Chinese is
drawn only when :func:`govsim.fonts.figure_lang` finds a CJK font, else the
figure falls back to English rather than show empty boxes.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter, StrMethodFormatter

from govsim.files import write_atomic
from govsim.fonts import figure_lang
from govsim.i18n import group_label, metric_label, text, unit_label
from govsim.metrics import METRICS

#: Okabe & Ito (2008), "Color Universal Design", without black (kept for overall)
#: and with yellow last (faint on white).
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
OVERALL = {"color": "black", "linewidth": 2.4, "zorder": 5}
#: Weeks in the rolling window that smooths weekly coverage (few cases fall due
#: per group per week, so the raw weekly share jumps about).
ROLLING_WEEKS = 4
#: Staff hours stacked in the workload panel: metric and colour (labels: ``plot.<metric>``).
HOURS = (
    ("hours_admin", "#D55E00"),
    ("hours_targets", "#E69F00"),
    ("hours_cases", "#009E73"),
    ("hours_idle", "#BBBBBB"),
)

Panel = Callable[[Axes, pd.DataFrame, dict[str, str], str], bool]


def plot_run(timeseries: pd.DataFrame, path: str | os.PathLike[str], *, title: str | None = None,
             lang: str = "en") -> Path:
    """Draw the standard figure of one run and write it as a PNG.

    Panels, each drawn only when its metrics are present: service coverage
    (4-week rolling, by group), mean trust by group, staff workload ratio,
    staff hours by use, true versus reported target attainment, farmers'
    income, and service money spent and lapsed.

    Args:
        timeseries: Tidy weekly table (week, metric, scope, key, value).
        path: Where to write the PNG (written atomically).
        title: Figure title, e.g. the scenario name and seed.
        lang: "en" or "zh" for the figure's text (English when no CJK font is found).

    Returns:
        The path written.
    """
    fig = draw_run(timeseries, title=title, lang=lang)
    buffer = io.BytesIO()
    # No "Software" stamp: the same data then gives byte-identical PNGs.
    fig.savefig(buffer, format="png", metadata={"Software": None})
    out = Path(path)
    write_atomic(out, buffer.getvalue())
    return out


def draw_run(timeseries: pd.DataFrame, *, title: str | None = None, lang: str = "en") -> Figure:
    """The standard figure of one run (see :func:`plot_run`), not yet saved."""
    lang = figure_lang(lang)
    colours = group_colours(timeseries)
    panels = [draw for name, draw in PANELS.items() if _has_any(timeseries, name)]
    nrows = max(1, math.ceil(len(panels) / 2))
    fig = Figure(figsize=(13, 3.3 * nrows + (0.4 if title else 0)), layout="constrained", dpi=110)
    axes = _grid(fig, max(1, len(panels)), nrows)
    drawn = [ax for ax, draw in zip(axes, panels, strict=False) if draw(ax, timeseries, colours, lang)]
    for ax in axes:
        if ax not in drawn:
            ax.set_axis_off()
    if not drawn:
        axes[0].text(0.5, 0.5, text("plot.empty", lang), ha="center", va="center",
                     transform=axes[0].transAxes)
    if title:
        fig.suptitle(title, fontsize=14)
    for ax in drawn:
        if timeseries["week"].nunique() > 1:
            ax.set_xlim(timeseries["week"].min(), timeseries["week"].max())
    return fig


def _grid(fig: Figure, count: int, nrows: int) -> list[Axes]:
    # Two columns; an odd last panel spans the full width rather than leave a hole.
    grid = fig.add_gridspec(nrows, 2)
    axes = [fig.add_subplot(grid[i // 2, i % 2]) for i in range(count - count % 2)]
    if count % 2:
        axes.append(fig.add_subplot(grid[nrows - 1, :]))
    return axes


def group_colours(timeseries: pd.DataFrame) -> dict[str, str]:
    """One colour per resident group, in the order the groups first appear."""
    keys = pd.unique(timeseries.loc[timeseries["scope"] == "group", "key"]) if len(timeseries) else []
    return {str(key): OKABE_ITO[i % len(OKABE_ITO)] for i, key in enumerate(keys)}


def wide(timeseries: pd.DataFrame, metric: str, scope: str) -> pd.DataFrame:
    """One metric at one scope as a week × key table, keys in first-seen order."""
    rows = timeseries[(timeseries["metric"] == metric) & (timeseries["scope"] == scope)]
    if rows.empty:
        return pd.DataFrame()
    table = rows.pivot_table(index="week", columns="key", values="value", aggfunc="last", sort=False)
    return table.reindex(columns=pd.unique(rows["key"])).sort_index()


def rolling_coverage(timeseries: pd.DataFrame, scope: str) -> pd.DataFrame:
    """Coverage over a rolling window, as cases resolved in time over cases due.

    A ratio of rolling sums weighs each week by its cases, as the run summary
    does; a mean of weekly shares would let a week with one case count as
    much as a week with a hundred. Falls back to the mean of the weekly
    ``coverage`` values when the counts are absent.
    """
    num = wide(timeseries, "resolved_in_time", scope)
    den = wide(timeseries, "cases_due", scope)
    if not num.empty and not den.empty:
        num_sum = num.rolling(ROLLING_WEEKS, min_periods=1).sum()
        den_sum = den.rolling(ROLLING_WEEKS, min_periods=1).sum()
        return num_sum / den_sum.where(den_sum > 0)
    return wide(timeseries, "coverage", scope).rolling(ROLLING_WEEKS, min_periods=1).mean()


def _coverage(ax: Axes, ts: pd.DataFrame, colours: dict[str, str], lang: str) -> bool:
    groups, overall = rolling_coverage(ts, "group"), rolling_coverage(ts, "overall")
    if groups.empty and overall.empty:
        return False
    _by_group(ax, groups, overall, colours, lang)
    _dress(ax, "coverage", text("plot.rolling", lang, label=metric_label("coverage", lang),
                                weeks=ROLLING_WEEKS), lang)
    return True


def _trust(ax: Axes, ts: pd.DataFrame, colours: dict[str, str], lang: str) -> bool:
    groups, overall = wide(ts, "trust", "group"), wide(ts, "trust", "overall")
    if groups.empty and overall.empty:
        return False
    _by_group(ax, groups, overall, colours, lang)
    _dress(ax, "trust", text("plot.by_group", lang, label=metric_label("trust", lang)), lang)
    return True


def _workload(ax: Axes, ts: pd.DataFrame, colours: dict[str, str], lang: str) -> bool:
    overall, communities = wide(ts, "workload", "overall"), wide(ts, "workload", "community")
    if overall.empty and communities.empty:
        return False
    for i, key in enumerate(communities.columns):
        ax.plot(communities.index, communities[key], color="#999999", linewidth=0.7, alpha=0.6,
                label=text("plot.communities", lang) if i == 0 else None)
    if not overall.empty:
        ax.plot(overall.index, overall.iloc[:, 0], label=text("plot.overall", lang), **OVERALL)
    ax.axhline(1.0, color="#D55E00", linestyle="--", linewidth=1.2, label=text("plot.capacity", lang))
    # One community's spike must not squash the overall line and the 1.0 mark to the floor.
    peak = max(overall.max().max() if not overall.empty else 0.0,
               communities.stack().quantile(0.95) if not communities.empty else 0.0)
    if math.isfinite(peak):
        ax.set_ylim(0, max(1.5, 1.15 * peak))
    _dress(ax, "workload", text("plot.workload", lang), lang)
    return True


def _hours(ax: Axes, ts: pd.DataFrame, colours: dict[str, str], lang: str) -> bool:
    series = [(wide(ts, name, "overall"), colour, text(f"plot.{name}", lang)) for name, colour in HOURS]
    series = [(table.iloc[:, 0], colour, label) for table, colour, label in series if not table.empty]
    if not series:
        return False
    frame = pd.concat([s for s, _, _ in series], axis=1).sort_index().fillna(0.0)
    ax.stackplot(frame.index, frame.T.to_numpy(), colors=[c for _, c, _ in series],
                 labels=[label for _, _, label in series], alpha=0.85, linewidth=0)
    top = frame.sum(axis=1).max()
    if math.isfinite(top) and top > 0:
        ax.set_ylim(0, 1.3 * top)  # headroom for the legend, which would hide the stack
    _dress(ax, "hours_admin", text("plot.hours", lang), lang)
    ax.legend(fontsize=8, loc="upper center", ncols=len(series), frameon=False)
    ax.set_ylabel(unit_label("hours/week", lang))
    return True


def _targets(ax: Axes, ts: pd.DataFrame, colours: dict[str, str], lang: str) -> bool:
    true, reported = wide(ts, "target_true", "overall"), wide(ts, "target_reported", "overall")
    if true.empty and reported.empty:
        return False
    if not true.empty:
        ax.plot(true.index, true.iloc[:, 0], color="#0072B2", linewidth=2.2, label=text("plot.true", lang))
    if not reported.empty:
        ax.plot(reported.index, reported.iloc[:, 0], color="#D55E00", linewidth=2.2, linestyle="--",
                label=text("plot.reported", lang))
    if not true.empty and not reported.empty:
        both = pd.concat([true.iloc[:, 0], reported.iloc[:, 0]], axis=1).dropna()
        ax.fill_between(both.index, both.iloc[:, 0], both.iloc[:, 1], color="#D55E00", alpha=0.15,
                        linewidth=0, label=text("plot.gap", lang))
    _dress(ax, "target_true", text("plot.targets", lang), lang)
    return True


def _income(ax: Axes, ts: pd.DataFrame, colours: dict[str, str], lang: str) -> bool:
    overall = wide(ts, "farmer_income", "overall")
    if overall.empty:
        return False
    ax.plot(overall.index, overall.iloc[:, 0], label=text("plot.overall", lang), **OVERALL)
    _dress(ax, "farmer_income", metric_label("farmer_income", lang), lang)
    return True


def _money(ax: Axes, ts: pd.DataFrame, colours: dict[str, str], lang: str) -> bool:
    spent, lapsed = wide(ts, "money_spent", "overall"), wide(ts, "money_lapsed", "overall")
    if spent.empty and lapsed.empty:
        return False
    if not spent.empty:
        ax.plot(spent.index, spent.iloc[:, 0], color="#009E73", linewidth=1.6, label=text("plot.spent", lang))
    if not lapsed.empty:
        values = lapsed.iloc[:, 0]
        values = values[values != 0]
        # Bars end at the year's last week, so the last year's bar stays inside the axes.
        ax.bar(values.index, values.to_numpy(), width=-3.0, align="edge", color="#D55E00",
               label=text("plot.lapsed", lang))
    _dress(ax, "money_lapsed", text("plot.money", lang), lang)
    return True


def _by_group(ax: Axes, groups: pd.DataFrame, overall: pd.DataFrame, colours: dict[str, str],
              lang: str) -> None:
    for key in groups.columns:
        ax.plot(groups.index, groups[key], color=colours.get(str(key), "#777777"), linewidth=1.4,
                label=group_label(str(key), lang))
    if not overall.empty:
        ax.plot(overall.index, overall.iloc[:, 0], label=text("plot.overall", lang), **OVERALL)


def _dress(ax: Axes, metric: str, title: str, lang: str) -> None:
    unit = METRICS[metric].unit if metric in METRICS else ""
    ax.set_title(title, fontsize=11, loc="left")
    ax.set_xlabel(text("plot.week", lang))
    ax.set_ylabel(unit_label(unit, lang))
    if unit == "share":
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    elif abs(ax.get_ylim()[1]) >= 10_000:
        ax.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    if unit in ("share", "score 0-1"):
        low, high = ax.get_ylim()
        ax.set_ylim(max(low, -0.02), min(high, 1.02))
    ax.grid(True, color="#E5E5E5", linewidth=0.7)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    handles = ax.get_legend_handles_labels()[0]
    if handles:
        ax.legend(fontsize=8, loc="best", frameon=True, framealpha=0.85, edgecolor="none",
                  ncols=2 if len(handles) > 5 else 1)


#: Panels in reading order: name, drawing function. A panel whose metrics are
#: all absent is left out rather than drawn empty.
PANELS: dict[str, Panel] = {
    "coverage": _coverage,
    "trust": _trust,
    "workload": _workload,
    "hours": _hours,
    "targets": _targets,
    "income": _income,
    "money": _money,
}

#: Metrics each panel needs at least one of.
_NEEDS = {
    "coverage": ("coverage", "resolved_in_time"),
    "trust": ("trust",),
    "workload": ("workload",),
    "hours": tuple(name for name, _ in HOURS),
    "targets": ("target_true", "target_reported"),
    "income": ("farmer_income",),
    "money": ("money_spent", "money_lapsed"),
}


def _has_any(timeseries: pd.DataFrame, panel: str) -> bool:
    return bool(len(timeseries)) and bool(timeseries["metric"].isin(_NEEDS[panel]).any())
