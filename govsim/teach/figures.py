"""What the teaching page draws: small, fast figures of a session so far.

A :class:`LiveChart` of each kind in :data:`KINDS` draws a
:class:`~govsim.teach.session.Session` and gives a :class:`Chart`: a picture
of a matplotlib figure (no pyplot) with its title and colour key, which the
page sets in HTML. Charts are redrawn after every step,
so they are kept small and plain (no layout engine, no text inside but tick
labels) for a step and its redraw to fit in half a second
(``benchmarks/bench_teach.py``). The policy run is drawn solid and the
baseline dashed (``mode="overlay"``) or in a second panel on the same scale
(``mode="side"``). Colours follow :mod:`govsim.plots`.

The little text inside a figure (axis label, panel names) is Chinese only
where :func:`govsim.fonts.figure_lang` finds a CJK font, English otherwise.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, PercentFormatter
from PIL import Image as PILImage

from govsim.fonts import figure_lang
from govsim.i18n import group_label, metric_label, text
from govsim.plots import HOURS as PLOT_HOURS
from govsim.plots import OKABE_ITO, ROLLING_WEEKS
from govsim.teach.session import History, Session, ratio

MODES = ("overlay", "side")
#: Large enough to read from the back of a classroom on a projector.
SIZE = (7.0, 3.2)
DPI = 96
#: Staff hours in the hours panel, service at the bottom: metric, colour (as in
#: :mod:`govsim.plots`), text key (the classroom's own words).
HOURS = tuple((metric, dict(PLOT_HOURS)[metric], key) for metric, key in (
    ("hours_cases", "teach.hours_service"),
    ("hours_admin", "teach.hours_admin"),
    ("hours_targets", "teach.hours_targets"),
    ("hours_idle", "teach.hours_idle"),
))


def run_labels(session: Session, lang: str) -> tuple[str, str]:
    """What the two runs are called: with/without policy, or your settings/as written."""
    if session.has_policies:
        return text("teach.policy", lang), text("teach.baseline", lang)
    return text("teach.settings", lang), text("teach.as_written", lang)


@dataclass(frozen=True)
class Chart:
    """A chart the page shows: its title, its picture (PNG), and the key to its colours.

    Title and key are drawn by the page (HTML), not in the figure: text is
    the slowest thing matplotlib draws, and the browser sets it in any language.
    """

    title: str
    image: bytes
    key: tuple[tuple[str, str, bool], ...]  # (label, colour, dashed)


Getter = Callable[[], tuple[np.ndarray, np.ndarray]]


class LiveChart:
    """A chart kept from week to week: built once, its data replaced after each step.

    Building a figure costs as much as drawing it, and its text (tick labels)
    costs most of the drawing, so the page keeps one chart per kind, language
    and mode, and :meth:`update` redraws only the data over a saved picture of
    the axes ("blitting"). The y-axis only ever widens, in round steps, so the
    saved axes stay valid for most weeks and are redrawn only when they change.

    Args:
        kind: One of :data:`KINDS`.
        session: The session it shows.
        lang: Language of the title and key (the figure's own text falls back to English).
        mode: "overlay" (baseline dashed) or "side" (baseline in a second panel).
    """

    def __init__(self, kind: str, session: Session, lang: str = "en", mode: str = "overlay") -> None:
        self.kind, self.session, self.lang, self.mode = kind, session, lang, mode
        self.figure, self.axes = _figure(mode, lang)
        self._lines: list[tuple[Line2D, Getter]] = []
        self._stacks: list[tuple[Axes, History]] = []
        self._stack_artists: list[Any] = []
        self._cache: dict[tuple[Any, ...], tuple[np.ndarray, np.ndarray]] = {}
        self._ylim: tuple[float, float] | None = _initial_ylim(kind, session)
        self._canvas = FigureCanvasAgg(self.figure)
        self._background: Any = None
        self._state: tuple[Any, ...] = ()
        self.title, self.key = _BUILDERS[kind](self)
        self._notes = _finish(self.axes, session, lang, mode, share=kind == "coverage")

    def update(self) -> Chart:
        """Show the session as it is now."""
        self._cache.clear()
        for line, getter in self._lines:
            line.set_data(*getter())
        for artist in self._stack_artists:
            artist.remove()
        self._stack_artists = []
        for ax, history in self._stacks:
            self._stack_artists += self._stack(ax, history)
        limits = self._limits()
        for ax in dict.fromkeys(self.axes):
            ax.set_ylim(*limits)
        for note in self._notes:
            note.set_visible(self.session.week == 0)
        return Chart(self.title, self._render(), self.key)

    def _limits(self) -> tuple[float, float]:
        """The y-range (one for all panels): the old one, widened to round numbers when the data leave it."""
        data = [np.asarray(artist.get_ydata(), dtype=float) for ax in dict.fromkeys(self.axes)
                for artist in ax.lines if artist.get_animated()]
        data += [np.asarray(path.vertices[:, 1]) for artist in self._stack_artists
                 for path in artist.get_paths()]
        values = np.concatenate(data) if data else np.zeros(0)
        values = values[np.isfinite(values)]
        if values.size == 0:
            return self._ylim or (0.0, 1.0)
        low, high = float(values.min()), float(values.max())
        if self._ylim and self._ylim[0] <= low and high <= self._ylim[1]:
            return self._ylim
        pad = 0.08 * (high - low) or 0.05 * max(abs(high), 1e-3)
        ticks = MaxNLocator(5).tick_values(low - pad, high + pad)
        new = (float(ticks[0]) if low < 0 else max(float(ticks[0]), 0.0), float(ticks[-1]))
        if self.kind in ("coverage", "trust"):
            new = (new[0], min(new[1], 1.02))
        if self._ylim:
            new = (min(new[0], self._ylim[0]), max(new[1], self._ylim[1]))
        self._ylim = new
        return new

    def _render(self) -> bytes:
        """The figure as PNG: saved axes plus the data, redrawing the axes only when they changed."""
        state = (self._ylim, self.session.week == 0)
        if self._background is None or state != self._state:
            self._canvas.draw()  # everything but the data (drawn "animated")
            self._background = self._canvas.copy_from_bbox(self.figure.bbox)
            self._state = state
        else:
            self._canvas.restore_region(self._background)
        for ax in dict.fromkeys(self.axes):
            for artist in [*self._stack_artists, *ax.lines]:
                if artist.get_animated() and artist.axes is ax:
                    ax.draw_artist(artist)
        width, height = self._canvas.get_width_height()
        image = PILImage.frombuffer("RGBA", (width, height), self._canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    # -- building blocks ------------------------------------------------------------
    def runs(self) -> list[tuple[Axes, History, bool]]:
        """(axes, history, drawn dashed) for the policy run and the baseline."""
        histories = (self.session.policy, self.session.baseline)
        return [(ax, h, run == 1 and self.mode == "overlay")
                for run, (ax, h) in enumerate(zip(self.axes, histories, strict=True))]

    def line(self, ax: Axes, getter: Getter, **style: Any) -> None:
        """A line whose data ``getter`` gives after every step."""
        (artist,) = ax.plot([], [], animated=True, **style)
        self._lines.append((artist, getter))

    def series(self, history: History, name: str, scope: str,
               compute: Callable[[History, str], tuple[np.ndarray, np.ndarray]] | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """A history's series, computed once per update however many lines use it."""
        key = (id(history), name, scope)
        if key not in self._cache:
            self._cache[key] = compute(history, scope) if compute else history.series(name, scope)
        return self._cache[key]

    def stack(self, ax: Axes, history: History) -> None:
        """Staff hours stacked by use, redrawn after every step."""
        self._stacks.append((ax, history))

    def _stack(self, ax: Axes, history: History) -> list[Any]:
        present = [(m, c) for m, c, _ in HOURS if history.has(m)]
        if not present:
            return []
        weeks = history.series(present[0][0])[0]
        values = np.vstack([history.series(m)[1][:, 0] for m, _ in present])
        return list(ax.stackplot(weeks, values, colors=[c for _, c in present], alpha=0.85, linewidth=0,
                                 animated=True))


#: Where the y-axis starts, wide enough for most weeks of most lessons, so the
#: axes (and the saved picture of them) rarely need redrawing.
INITIAL_YLIM = {"coverage": (0.6, 1.02), "trust": (0.5, 0.7), "workload": (0.0, 1.5)}


def _initial_ylim(kind: str, session: Session) -> tuple[float, float] | None:
    if kind == "hours":  # the stack tops out at the hours available (contract + overtime)
        available = float(np.sum(session.policy_model.hours_available))
        return (0.0, float(MaxNLocator(5).tick_values(0, 1.05 * available)[-1])) if available > 0 else None
    return INITIAL_YLIM.get(kind)


def _by_group_builder(compute: Callable[[History, str], tuple[np.ndarray, np.ndarray]] | None, name: str
                      ) -> Callable[[LiveChart], tuple[str, tuple]]:
    def build(chart: LiveChart) -> tuple[str, tuple]:
        groups = chart.session.policy.keys["group"]
        for ax, history, dashed in chart.runs():
            style = {"linestyle": "--", "alpha": 0.8} if dashed else {}
            for i in range(len(groups)):
                chart.line(ax, _column(chart, history, name, "group", i, compute),
                           color=OKABE_ITO[i % len(OKABE_ITO)], linewidth=1.2, **style)
            chart.line(ax, _column(chart, history, name, "overall", 0, compute), color="black",
                       linewidth=2.0, **style)
        lang = chart.lang
        key = [(text("plot.overall", lang), "#000000", False)]
        key += [(group_label(g, lang), OKABE_ITO[i % len(OKABE_ITO)], False) for i, g in enumerate(groups)]
        if name == "coverage":
            title = text("plot.rolling", lang, label=metric_label("coverage", lang), weeks=ROLLING_WEEKS)
        else:
            title = text("plot.by_group", lang, label=metric_label(name, lang))
        return title, (*key, *_dashed_key(chart))
    return build


def _column(chart: LiveChart, history: History, name: str, scope: str, i: int,
            compute: Callable[[History, str], tuple[np.ndarray, np.ndarray]] | None = None) -> Getter:
    def get() -> tuple[np.ndarray, np.ndarray]:
        weeks, values = chart.series(history, name, scope, compute)
        return (weeks, values[:, i]) if values.size else (weeks, np.zeros(0))
    return get


def _build_workload(chart: LiveChart) -> tuple[str, tuple]:
    for ax, history, dashed in chart.runs():
        if not dashed:
            for k in range(len(chart.session.communities)):
                chart.line(ax, _column(chart, history, "workload", "community", k), color="#999999",
                           linewidth=0.6, alpha=0.6)
        chart.line(ax, _column(chart, history, "workload", "overall", 0), color="black", linewidth=2.0,
                   linestyle="--" if dashed else "-")
    for ax in dict.fromkeys(chart.axes):
        ax.axhline(1.0, color="#D55E00", linestyle=":", linewidth=1.2)
    lang = chart.lang
    key = ((text("plot.overall", lang), "#000000", False), (text("plot.communities", lang), "#999999", False),
           (text("plot.capacity", lang), "#D55E00", True))
    return text("plot.workload", lang), (*key, *_dashed_key(chart))


def _build_hours(chart: LiveChart) -> tuple[str, tuple]:
    present = [(m, c, text(k, chart.lang)) for m, c, k in HOURS if chart.session.policy.has(m)
               or chart.session.week == 0]
    for ax, history, dashed in chart.runs():
        if not dashed:
            chart.stack(ax, history)
            continue
        for level in range(len(present)):
            chart.line(ax, _cumulative(chart, history, [m for m, _, _ in present[:level + 1]]), color="black",
                       linestyle="--", linewidth=1.0)
    key = tuple((label, colour, False) for _, colour, label in present)
    return text("teach.hours", chart.lang), (*key, *_dashed_key(chart))


def _cumulative(chart: LiveChart, history: History, metrics: list[str]) -> Getter:
    def get() -> tuple[np.ndarray, np.ndarray]:
        parts = [chart.series(history, m, "overall") for m in metrics if history.has(m)]
        if not parts:
            return np.zeros(0), np.zeros(0)
        return parts[0][0], np.sum([values[:, 0] for _, values in parts], axis=0)
    return get


def rolling_coverage(history: History, scope: str) -> tuple[np.ndarray, np.ndarray]:
    """Coverage over a rolling window, as cases in time over cases due (as :mod:`govsim.plots`)."""
    weeks, done = history.series("resolved_in_time", scope)
    _, due = history.series("cases_due", scope)
    if done.shape[0] == 0:
        return weeks, done
    return weeks, ratio(_rolling_sum(done), _rolling_sum(due))


def _rolling_sum(values: np.ndarray, window: int = ROLLING_WEEKS) -> np.ndarray:
    total = np.cumsum(np.nan_to_num(values), axis=0)
    out = total.copy()
    out[window:] = total[window:] - total[:-window]
    return out


_BUILDERS: dict[str, Callable[[LiveChart], tuple[str, tuple]]] = {
    "coverage": _by_group_builder(rolling_coverage, "coverage"),
    "trust": _by_group_builder(None, "trust"),
    "workload": _build_workload,
    "hours": _build_hours,
}
KINDS = tuple(_BUILDERS)


def _dashed_key(chart: LiveChart) -> tuple[tuple[str, str, bool], ...]:
    if chart.mode != "overlay":
        return ()
    return ((run_labels(chart.session, chart.lang)[1], "#000000", True),)


def _figure(mode: str, lang: str) -> tuple[Figure, list[Axes]]:
    # Fonts are fixed when the axes are made: make Chinese drawable first.
    figure_lang(lang)
    # Fixed margins: a layout engine would double the time a redraw takes.
    fig = Figure(figsize=SIZE, dpi=DPI)
    if mode == "side":
        axes = list(fig.subplots(1, 2, sharey=True))
        fig.subplots_adjust(left=0.09, right=0.99, bottom=0.16, top=0.9, wspace=0.06)
    else:
        ax = fig.subplots()
        fig.subplots_adjust(left=0.09, right=0.99, bottom=0.16, top=0.97)
        axes = [ax, ax]
    return fig, axes


def _finish(axes: list[Axes], session: Session, lang: str, mode: str, share: bool = False) -> list[Any]:
    lang = figure_lang(lang)  # the text inside the figure: English where Chinese would be boxes
    names = run_labels(session, lang)
    notes = []
    for i, ax in enumerate(dict.fromkeys(axes)):
        ax.set_xlim(0, max(session.steps - 1, session.week, 1))
        ax.xaxis.set_major_locator(MaxNLocator(7, integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(5))
        ax.set_xlabel(text("plot.week", lang), fontsize=13, labelpad=1)
        ax.tick_params(labelsize=12, pad=2)
        ax.grid(True, color="#E5E5E5", linewidth=0.6)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if share:
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        if mode == "side":
            ax.set_title(names[i], fontsize=11, pad=2)
        notes.append(ax.text(0.5, 0.5, text("teach.no_data", lang), ha="center", va="center",
                             transform=ax.transAxes, fontsize=13, color="#666666"))
    return notes
