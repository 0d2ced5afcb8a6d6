"""Per-category constants of needs, gathered into arrays for vectorised use."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govsim.scenario.declarations import CATEGORIES, DEPARTMENTS

#: Share of a case's hours that a level spends when it only screens the case
#: and passes it up (the grid worker's intake, the community's report).
PASS_UP_SHARE = 0.25


@dataclass(frozen=True)
class NeedTable:
    """Category-indexed arrays built from the scenario's ``needs`` section."""

    hours: np.ndarray
    deadline: np.ndarray
    department: np.ndarray
    money_share: np.ndarray
    cost: np.ndarray
    level_cdf: np.ndarray  # (category × 4) cumulative shares grid, community, township, county

    @classmethod
    def from_params(cls, needs: dict) -> NeedTable:
        """Gather one array per field, in the order of :data:`CATEGORIES`."""
        spec = [needs[c] for c in CATEGORIES]
        shares = np.array([[s["share_grid"], s["share_community"], s["share_township"]] for s in spec])
        cdf = np.c_[np.cumsum(shares, axis=1), np.ones(len(spec))]
        return cls(
            hours=np.array([s["hours"] for s in spec]),
            deadline=np.array([s["deadline_weeks"] for s in spec], dtype=np.int32),
            department=np.array([DEPARTMENTS.index(s["department"]) for s in spec], dtype=np.int8),
            money_share=np.array([s["money_share"] for s in spec]),
            cost=np.array([s["cost_yuan"] for s in spec]),
            level_cdf=cdf,
        )

    def level_needed(self, category: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Lowest level able to resolve each case, given one uniform draw per case.

        The number of cumulative level shares the draw exceeds (the county's is
        1, never exceeded), one category column at a time: three comparisons
        are much cheaper than one over a (cases × 4) table.
        """
        level = np.zeros(category.size, dtype=np.int64)
        for bound in self.level_cdf[:, :-1].T:
            level += u > bound[category]
        return level

    def handling_hours(self, category: np.ndarray, level: np.ndarray, need_level: np.ndarray,
                       channel_factor: np.ndarray) -> np.ndarray:
        """Hours a case needs at ``level``: full where it can be resolved, else a pass-up share."""
        full = self.hours[category] * channel_factor
        return np.where(level >= need_level, full, PASS_UP_SHARE * full)
