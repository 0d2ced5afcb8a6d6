"""The map of communities: one coloured cell per community, townships as rows.

The map is data, not a figure: the page lays the cells out as coloured boxes
in HTML, which costs nothing to redraw and whose text the browser sets in
either language. Colours are viridis (readable under colour-vision
deficiencies) on a fixed scale per measure, so weeks and runs compare.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps

from govsim.teach.session import History, Session, ratio

MAP_METRICS = ("trust", "coverage")
#: Weeks of coverage the map colours each community by.
MAP_WEEKS = 8
#: The colour scale (viridis from low to high) for each measure.
MAP_SCALE = {"trust": (0.5, 0.65), "coverage": (0.7, 1.0)}


@dataclass(frozen=True)
class Cell:
    """One community on the map: its value and colour in each run."""

    community: str
    policy: float
    baseline: float
    policy_colour: str
    baseline_colour: str


def map_cells(session: Session, metric: str = "trust") -> list[list[Cell]]:
    """The map as rows of cells: one row per township, one cell per community, for both runs.

    The page lays these out as coloured boxes in HTML (cheaper than a figure,
    and its text is the browser's, in either language).
    """
    values = {run: community_values(history, metric)
              for run, history in (("policy", session.policy), ("baseline", session.baseline))}
    low, high = MAP_SCALE[metric]
    rows: list[list[Cell]] = []
    for k, name in enumerate(session.communities):
        town = int(session.community_townships[k])
        while len(rows) <= town:
            rows.append([])
        rows[town].append(Cell(name, float(values["policy"][k]), float(values["baseline"][k]),
                               _colour(values["policy"][k], low, high),
                               _colour(values["baseline"][k], low, high)))
    return rows


def _colour(value: float, low: float, high: float) -> str:
    if not np.isfinite(value):
        return "#DDDDDD"
    red, green, blue, _ = colormaps["viridis"](float(np.clip((value - low) / (high - low), 0, 1)))
    return f"#{int(red * 255):02X}{int(green * 255):02X}{int(blue * 255):02X}"


def community_values(history: History, metric: str) -> np.ndarray:
    """Each community's latest trust, or its coverage over the last :data:`MAP_WEEKS` weeks."""
    if metric == "trust":
        _, values = history.series("trust", "community")
        return values[-1] if values.shape[0] else np.full(values.shape[1], np.nan)
    _, done = history.series("resolved_in_time", "community")
    _, due = history.series("cases_due", "community")
    if done.shape[0] == 0:
        return np.full(done.shape[1], np.nan)
    return ratio(done[-MAP_WEEKS:].sum(axis=0), due[-MAP_WEEKS:].sum(axis=0))


