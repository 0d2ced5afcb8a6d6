"""Residents shut out of every channel: who files for them, and who tries again next week.

When the app is the only channel (no office, no home visit, no official proxy), a
resident who cannot use it goes down a ladder of fallbacks for each need
(``docs/odd.md`` §7.19):

1. family files online for her, with probability
   ``p_fam = h × a × (1 − w + w·min(1, ℓ/θ))``: ``a`` the chance that family is at
   hand (``family_near``; ``family_near_elderly`` for the elderly, many of whom live
   apart from their children), ``h`` the chance she asks them (``family_help``), and
   a literacy factor: the more she can do herself, the more readily she asks (weight
   ``w`` = ``family_help_literacy``; ``ℓ`` her effective literacy, ``θ`` the app's
   threshold);
2. else she asks the grid worker she knows, with probability ``grid_help × T_community``;
3. else she tries again next week with probability ``shut_out_retry``, or gives up:
   only then is the need ``excluded``.

A need waiting to be tried again is not yet a case. It keeps its number, week
raised and deadline (it counts as due at its deadline like any other), and the
intake draws it was raised with (level needed, money); the ledger shows it as
open, with no channel. Each week every waiting need is tried again, with fresh
draws for family and grid help from the stream ``shut_out_retry``; one filed late
in this way is likely to be answered late.
"""

from __future__ import annotations

import numpy as np

from govsim.model.levers import Channels

#: Columns of a need waiting to be filed again.
COLUMNS: dict[str, type] = {
    "case_id": np.int64, "resident": np.int64, "stratum": np.int8, "community": np.int32,
    "category": np.int8, "raised": np.int32, "deadline": np.int32, "need_level": np.int8,
    "needs_money": np.bool_, "extra_hours": np.float64,
}


def family_files(channels: Channels, literacy: np.ndarray, elderly: np.ndarray,
                 draw: np.ndarray) -> np.ndarray:
    """Whether family files online for each resident who cannot (``draw``: one uniform each)."""
    effective = literacy + np.where(elderly, channels.elder_boost, 0.0)
    skill = np.minimum(1.0, effective / channels.literacy_threshold) if channels.literacy_threshold > 0 \
        else np.ones(literacy.size)
    w = channels.family_literacy
    near = np.where(elderly, channels.family_near_elderly, channels.family_near)
    return draw < channels.family_help * near * (1.0 - w + w * skill)


class WaitingNeeds:
    """Needs whose residents found no way to file this week and will try again next week."""

    def __init__(self) -> None:
        self.cols: dict[str, np.ndarray] = {k: np.zeros(0, dtype=t) for k, t in COLUMNS.items()}

    def __len__(self) -> int:
        return self.cols["resident"].size

    def add(self, needs: dict[str, np.ndarray]) -> None:
        """Put needs (every column of :data:`COLUMNS`) in the queue."""
        if needs["resident"].size:
            self.cols = {k: np.concatenate([self.cols[k], np.asarray(needs[k], dtype=t)])
                         for k, t in COLUMNS.items()}

    def take(self, which: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Remove and return the needs ``which`` (a mask; all of them when None)."""
        if which is None:
            which = np.ones(len(self), dtype=bool)
        taken = {k: v[which] for k, v in self.cols.items()}
        self.cols = {k: v[~which] for k, v in self.cols.items()}
        return taken

    def per_community(self, communities: int) -> np.ndarray:
        """Needs waiting in each community."""
        return np.bincount(self.cols["community"], minlength=communities)
