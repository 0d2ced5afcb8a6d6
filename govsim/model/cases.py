"""Open cases as a table of columns.

A case is one resident's need on its way through the hierarchy. Only open
cases are held; each week's closed ones are counted into the metrics and then
dropped, so the table's size follows the backlog, not the run's length.
"""

from __future__ import annotations

import numpy as np

#: Levels of the escalation ladder, bottom up.
LEVELS = ("grid", "community", "township", "county")
GRID, COMMUNITY, TOWNSHIP, COUNTY = range(4)
#: Channels a case can come in by.
CHANNELS = ("online", "office", "home_visit", "proxy")
ONLINE, OFFICE, HOME_VISIT, PROXY = range(4)

COLUMNS: dict[str, type] = {
    "case_id": np.int64,      # the need's number, in the order needs were raised (from 0)
    "resident": np.int64,     # row of the resident who raised it
    "stratum": np.int8,       # the resident's stratum (age group × flags) when it was raised
    "community": np.int32,
    "township": np.int32,
    "category": np.int8,
    "department": np.int8,
    "level": np.int8,         # where it is now (LEVELS)
    "need_level": np.int8,    # lowest level able to resolve it
    "hours_left": np.float64, # work left at the current level, in effective hours
    "raised": np.int32,       # week raised
    "deadline": np.int32,     # last week for an in-time answer
    "ready": np.int32,        # first week the current level can work on it (escalation delay)
    "channel": np.int8,
    "cost": np.float64,       # money still needed (0 once paid or if none)
    "late": np.bool_,         # already counted as gone late
    "done": np.bool_,         # work finished, waiting only for money
    "bounced": np.int8,       # times passed to the wrong department
}


class Cases:
    """The open cases, one column per field (see :data:`COLUMNS`)."""

    def __init__(self) -> None:
        self.cols: dict[str, np.ndarray] = {k: np.zeros(0, dtype=t) for k, t in COLUMNS.items()}

    def __len__(self) -> int:
        return self.cols["resident"].size

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name]

    def add(self, **values: np.ndarray) -> None:
        """Append new cases; every column must be given."""
        missing = COLUMNS.keys() - values.keys()
        if missing:
            raise ValueError(f"new cases lack columns {sorted(missing)}")
        for key, dtype in COLUMNS.items():
            self.cols[key] = np.concatenate([self.cols[key], np.asarray(values[key], dtype=dtype)])

    def keep(self, mask: np.ndarray) -> None:
        """Drop every case where ``mask`` is False."""
        for key in self.cols:
            self.cols[key] = self.cols[key][mask]
