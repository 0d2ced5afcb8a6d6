"""Needs that residents will raise in a later week (a dispute that flares up again, ...)."""

from __future__ import annotations

import numpy as np


class NeedSchedule:
    """Scheduled needs as flat columns, in the order they were scheduled.

    Taking a week's needs is one comparison over what is pending, however
    many weeks or policies scheduled them.
    """

    def __init__(self) -> None:
        self.week = np.zeros(0, dtype=np.int64)
        self.who = np.zeros(0, dtype=np.int64)
        self.category = np.zeros(0, dtype=np.int8)
        self.stream = np.zeros(0, dtype=np.int64)  # index into stream_names
        self.stream_names: list[str] = []

    def add(self, weeks: int | np.ndarray, who: np.ndarray, category: np.ndarray, stream: str) -> None:
        """Residents ``who`` will raise needs of ``category`` in ``weeks`` (one, or one each)."""
        if stream not in self.stream_names:
            self.stream_names.append(stream)
        code = self.stream_names.index(stream)
        self.week = np.concatenate([self.week, np.broadcast_to(np.asarray(weeks, dtype=np.int64), who.shape)])
        self.who = np.concatenate([self.who, who.astype(np.int64, copy=False)])
        self.category = np.concatenate([self.category, category.astype(np.int8, copy=False)])
        self.stream = np.concatenate([self.stream, np.full(who.size, code, dtype=np.int64)])

    def take(self, week: int) -> list[tuple[np.ndarray, np.ndarray, str]]:
        """The needs due in ``week`` (now forgotten): (who, category, stream) for each stream.

        Streams come in the order their first need due this week was
        scheduled; needs keep the order they were scheduled in.
        """
        due = self.week == week
        if not due.any():
            return []
        who, category, stream = self.who[due], self.category[due], self.stream[due]
        keep = ~due
        self.week, self.who = self.week[keep], self.who[keep]
        self.category, self.stream = self.category[keep], self.stream[keep]
        return [(who[stream == code], category[stream == code], self.stream_names[code])
                for code in dict.fromkeys(stream.tolist())]
