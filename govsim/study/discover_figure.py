"""The figure of a scenario discovery (``boxes.png``): PRIM's trade-off and the boxes' limits.

Left, each box's peeling trajectory as coverage against density, so the
reader sees what the chosen box (ringed) gave up for its density, with the
density threshold as a line. Right, each box's limits on the factors it
restricts, drawn across the factor's whole range (0 = the range's low end,
1 = its high end). Drawn on a matplotlib ``Figure`` (never pyplot), like
:mod:`govsim.study.figures`.
"""

from __future__ import annotations

from typing import Any

from govsim.study.figures import COLOURS


def boxes_figure(found: Any) -> Any:
    """The two-panel figure of a :class:`~govsim.study.discover.Discovery`."""
    from matplotlib.figure import Figure

    rows = sum(len(b.limits) for b in found.boxes)
    fig = Figure(figsize=(10, max(3.2, 1.2 + 0.35 * rows)), layout="constrained")
    trade, limits = fig.subplots(1, 2)
    _tradeoff(trade, found)
    _limits(limits, found)
    sign = "<" if found.condition == "below" else ">"
    fig.suptitle(f"{found.spec.name}: where {found.metric} {sign} {found.value:g}", fontsize=10)
    return fig


def _tradeoff(ax: Any, found: Any) -> None:
    for colour, box in zip(COLOURS * 4, found.boxes, strict=False):
        t = box.trajectory
        ax.plot(t["coverage"], t["density"], "-o", color=colour, ms=3, lw=1, label=f"box {box.number}")
        ax.plot(box.coverage, box.density, "o", ms=11, mfc="none", mec=colour, mew=1.5)
    ax.axhline(found.settings.threshold, color="#8c8c8c", lw=0.8, ls="--", label="density threshold")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("coverage (share of the cases of interest in the box)", fontsize=8)
    ax.set_ylabel("density (share of the box that is of interest)", fontsize=8)
    ax.set_title("peeling trajectory (ringed: the box reported)", fontsize=9)
    ax.tick_params(labelsize=7)
    if found.boxes:
        ax.legend(fontsize=7, loc="lower left")
    else:
        ax.text(0.5, 0.5, "no box: no experiment, or every one, is of interest", ha="center",
                fontsize=8, transform=ax.transAxes)


def _limits(ax: Any, found: Any) -> None:
    labels: list[str] = []
    for colour, box in zip(COLOURS * 4, found.boxes, strict=False):
        for row in box.limits.itertuples():
            y = len(labels)
            low, high = _span(row)
            ax.barh(y, high - low, left=low, height=0.6, color=colour, alpha=0.75)
            labels.append(f"box {box.number}: {row.factor}\n{_words(row)}")
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_ylim(max(len(labels), 4) - 0.5, -0.5)  # first box on top; a lone bar not a wall
    ax.set_xlim(0, 1)
    ax.set_xlabel("position in the factor's range (0 = low end, 1 = high end)", fontsize=8)
    ax.set_title("limits of each box on the factors it restricts", fontsize=9)
    ax.tick_params(axis="x", labelsize=7)


def _span(row: Any) -> tuple[float, float]:
    """A limit as a share of the factor's range; a set of values as the share of the values kept."""
    if row.values is not None:
        kept = len(row.values) / max(1, len(row.range_values or row.values))
        return 0.0, kept
    full = float(row.range_high) - float(row.range_low)
    low = 0.0 if row.low is None else (float(row.low) - float(row.range_low)) / full
    high = 1.0 if row.high is None else (float(row.high) - float(row.range_low)) / full
    return max(0.0, low), min(1.0, high)


def _words(row: Any) -> str:
    if row.values is not None:
        return "one of " + ", ".join(str(v) for v in row.values)
    if row.low is not None and row.high is not None:
        return f"{row.low:.4g} to {row.high:.4g}"
    return f"at least {row.low:.4g}" if row.low is not None else f"at most {row.high:.4g}"
