"""What the page shows of a session: the week, the numbers, the charts and the map.

Each view is a Solara component called with the model and the week, so it
is redrawn after each step and only then. Text is in the page's language
(:data:`lang`); the figures themselves come from :mod:`govsim.teach.figures`.
Charts are drawn large (read from the back of a classroom) and each carries
one message: the one number it is about, for both runs, under its title.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

import solara

from govsim.i18n import community_label, metric_label, text, unit_label
from govsim.metrics import METRICS
from govsim.teach import figures, maps
from govsim.teach.config import settings
from govsim.teach.session import Session

if TYPE_CHECKING:
    from govsim.teach.lesson_model import TeachModel

# --- state of one browser tab (solara keeps module-level reactives per tab) -------------
lang = solara.reactive(settings().lang)
compare_mode = solara.reactive("overlay")
map_metric = solara.reactive("trust")
#: The measure each chart's message is about.
MESSAGE_METRIC = {"coverage": "coverage", "trust": "trust", "workload": "workload", "hours": "admin_share"}


def message(kind: str, session: Session, current: str) -> str:
    """The chart's one message: its measure so far, for both runs, and the difference."""
    metric = MESSAGE_METRIC[kind]
    number = next((n for n in session.numbers() if n.metric == metric), None)
    if number is None or session.week == 0:
        return ""
    unit = METRICS[metric].summary_unit
    names = figures.run_labels(session, current)
    shown = [format_number(v, unit, signed=i == 2) + ("%" if unit == "share" else "")
             for i, v in enumerate((number.policy, number.baseline, number.difference))]
    return text("teach.message", current, measure=metric_label(metric, current), first=names[0],
                a=shown[0], second=names[1], b=shown[1], diff=shown[2])


@solara.component
def ChartView(model: TeachModel, kind: str, week: int) -> None:
    """One chart: title, figure (PNG) and colour key; redrawn only when something it shows changed."""
    current, mode = lang.value, compare_mode.value
    live = solara.use_memo(lambda: figures.LiveChart(kind, model.session, current, mode),
                           [model, kind, current, mode])

    chart = solara.use_memo(live.update, [live, week])
    title, key, image = chart.title, chart.key, chart.image
    said = message(kind, model.session, current)
    with solara.Column(gap="2px", classes=["govsim-chart", f"govsim-chart-{kind}"]):
        # flex: none, so that a column of fixed height never squeezes the text under the figure.
        solara.HTML(tag="div", unsafe_innerHTML=f"<b>{html.escape(title)}</b>",
                    style="font-size: 1.25em; flex: none")
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(said), classes=["govsim-message"],
                    style="font-size: 1.1em; min-height: 1.4em; line-height: 1.4; color: #333; flex: none")
        solara.Image(image, width="100%", classes=["govsim-figure"])
        solara.HTML(tag="div", unsafe_innerHTML=key_html(key), style="font-size: 1em; line-height: 1.4")


def key_html(key: tuple[tuple[str, str, bool], ...]) -> str:
    """A colour key: a short line (dashed for the baseline) before each label."""
    items = []
    for label, colour, dashed in key:
        line = f"border-top: 3px {'dashed' if dashed else 'solid'} {colour}"
        items.append(f'<span style="white-space: nowrap; margin-right: 10px"><span style="display: '
                     f'inline-block; width: 18px; vertical-align: middle; {line}"></span> '
                     f"{html.escape(label)}</span>")
    return " ".join(items)


@solara.component
def Status(model: TeachModel, week: int) -> None:
    """Where the run is, how to compare, and the numbers so far."""
    session, current = model.session, lang.value
    week_text = text("teach.week", current, week=session.week, steps=session.steps)
    with solara.Column(gap="4px", classes=["govsim-status"]):
        solara.HTML(tag="div", unsafe_innerHTML=f"<b>{html.escape(week_text)}</b>", classes=["govsim-week"],
                    attributes={"data-week": str(session.week)}, style="font-size: 1.5em")
        with solara.Row(gap="8px"):
            solara.Select(text("teach.view", current), value=text(f"teach.{compare_mode.value}", current),
                          values=[text(f"teach.{m}", current) for m in figures.MODES],
                          on_value=lambda v: compare_mode.set(_mode_of(v, current)))
            solara.Select(text("teach.map_colour", current), value=_map_name(map_metric.value, current),
                          values=[_map_name(m, current) for m in maps.MAP_METRICS],
                          on_value=lambda v: map_metric.set(_metric_of(v, current)))
        solara.HTML(tag="div", unsafe_innerHTML=f"<b>{html.escape(text('teach.numbers', current))}</b>",
                    style="font-size: 1.1em")
        solara.HTML(tag="div", unsafe_innerHTML=numbers_html(session, current), classes=["govsim-numbers"])


def _mode_of(label: str, current: str) -> str:
    return next(m for m in figures.MODES if text(f"teach.{m}", current) == label)


def _map_name(metric: str, current: str) -> str:
    key = "teach.map_trust" if metric == "trust" else "teach.map_coverage"
    return text(key, current, weeks=maps.MAP_WEEKS)


def _metric_of(label: str, current: str) -> str:
    return next(m for m in maps.MAP_METRICS if _map_name(m, current) == label)


def numbers_html(session: Session, current: str) -> str:
    """The headline numbers so far as a table; each value cell carries its exact value."""
    names = figures.run_labels(session, current)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in
                   (text("teach.measure", current), *names, text("teach.difference", current)))
    rows = []
    for number in session.numbers():
        unit = METRICS[number.metric].summary_unit
        shown_unit = "%" if unit == "share" else unit_label(unit, current)
        label = f"{metric_label(number.metric, current)} ({shown_unit})"
        cells = [f"<td>{html.escape(label)}</td>"]
        for run, value in (("policy", number.policy), ("baseline", number.baseline),
                           ("difference", number.difference)):
            shown = format_number(value, unit, signed=run == "difference")
            cells.append(f'<td data-metric="{number.metric}" data-run="{run}" data-value="{value!r}" '
                         f'style="text-align: right; padding-left: 6px">{html.escape(shown)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return ('<div style="max-height: 420px; overflow-y: auto"><table style="font-size: 1em; '
            f'border-collapse: collapse; width: 100%"><tr>{head}</tr>' + "".join(rows) + "</table></div>")


def format_number(value: float, unit: str, signed: bool = False) -> str:
    """A value for reading: shares in percent, large numbers grouped, small ones to 3 digits."""
    if not math.isfinite(value):
        return "–"
    if unit == "share":
        shown = f"{100 * value:.1f}"
    elif abs(value) >= 100 or float(value).is_integer():
        shown = f"{value:,.0f}"
    else:
        shown = f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    if float(shown.replace(",", "")) == 0:
        return "0"  # not "-0.000" for a difference too small to show
    return f"+{shown}" if signed and value > 0 else shown


@solara.component
def CommunityMap(model: TeachModel, week: int) -> None:
    """One coloured box per community, townships as rows, both runs side by side."""
    current, metric = lang.value, map_metric.value
    rows = maps.map_cells(model.session, metric)
    names = figures.run_labels(model.session, current)
    panels = []
    for run, name in (("policy", names[0]), ("baseline", names[1])):
        lines = []
        for row in rows:
            boxes = "".join(_box(cell, run, metric, current) for cell in row)
            town = community_label(row[0].community, current).split("/")[0] if row else ""
            lines.append('<div style="display: flex; align-items: center; gap: 3px; margin: 3px 0">'
                         f'<span style="width: 80px; font-size: 1em">{html.escape(town)}</span>'
                         f"{boxes}</div>")
        panels.append('<div style="flex: 1; min-width: 300px"><div style="font-size: 1em">'
                      f"<b>{html.escape(name)}</b></div>" + "".join(lines) + "</div>")
    title = f"{text('teach.map', current)}: {_map_name(metric, current)}"
    solara.HTML(tag="div", unsafe_innerHTML=f"<b style='font-size: 1.25em'>{html.escape(title)}</b>"
                f'<div style="display: flex; flex-wrap: wrap; gap: 4px 12px">{"".join(panels)}</div>',
                classes=["govsim-map"])


def _box(cell: maps.Cell, run: str, metric: str, current: str) -> str:
    value = cell.policy if run == "policy" else cell.baseline
    colour = cell.policy_colour if run == "policy" else cell.baseline_colour
    shown = "–" if not math.isfinite(value) else (f"{value:.0%}" if metric == "coverage" else f"{value:.2f}")
    ink = "#FFFFFF" if _dark(colour) else "#000000"
    place = community_label(cell.community, current).split("/")[-1]
    return (f'<div title="{html.escape(cell.community)}" style="flex: 1; background: {colour}; color: {ink}; '
            f'text-align: center; padding: 4px 2px; border-radius: 3px; font-size: 1em">'
            f"{html.escape(place)}<br><b>{shown}</b></div>")


def _dark(colour: str) -> bool:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.299 * red + 0.587 * green + 0.114 * blue < 140
