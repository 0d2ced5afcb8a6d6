"""Community and village workers: hours, productivity, burnout and turnover.

Workers are held as columns, like residents, because their number grows with
the population (18 per 10,000 urban residents), and counted in full-time
equivalents. Each community's workers pool
their hours: the weekly plan (:mod:`govsim.model.workplan`) decides how the
pool is spent, and every worker in a community carries the same strain (hours
worked over contract hours). Sustained overtime builds burnout; burnout lowers
productivity and drives departures; a vacancy is refilled, by a less skilled
newcomer, after a delay, who learns on the job toward the staff's mean
skill. Mechanisms may add or cut posts (staffing) and raise
skills (training); without them the posts are fixed for the run.
"""

from __future__ import annotations

import numpy as np

from govsim.model.allocate import order_by
from govsim.scenario.layout import Hierarchy

#: ``refill_week`` of a post that is filled or not to be refilled (weeks may be negative).
NO_REFILL = np.iinfo(np.int64).min


class Workforce:
    """All posts, one row each; a row is a post, full-time or part-time, that may be vacant.

    Staffing is in full-time equivalents (FTE): a community of N residents at
    a density of d workers per 10,000 holds N·d/10,000 FTE, as whole posts
    and one part-time post for the remainder (``fte`` below 1), so a small
    change in staffing is a small change in hours rather than a whole worker
    gained or lost at a rounding threshold. A part-time post brings its
    share of contract hours, overtime and departures.
    """

    def __init__(self, hierarchy: Hierarchy, staff: dict, rng: np.random.Generator) -> None:
        per_10k = np.where(hierarchy.community_rural, staff["per_10k_rural"], staff["per_10k_urban"])
        self.communities = hierarchy.communities
        self.community, self.fte = split_posts(hierarchy.community_residents * per_10k / 1e4)
        n = self.community.size
        self.skill = np.clip(rng.normal(staff["skill_mean"], staff["skill_sd"], n), 0.05, 1.0)
        self.burnout = np.zeros(n)
        self.present = np.ones(n, dtype=bool)
        self.refill_week = np.full(n, NO_REFILL, dtype=np.int64)
        self.contract_hours = staff["contract_hours"]
        self.overtime_limit = staff["overtime_limit"]
        self.params = staff

    def count(self) -> np.ndarray:
        """Workers in post per community, in FTE."""
        return np.bincount(self.community, weights=self.fte * self.present, minlength=self.communities)

    def productivity(self) -> np.ndarray:
        """Mean effective hours per hour worked, per community (0 where nobody is in post)."""
        loss = self.params["burnout_productivity_loss"]
        per_worker = np.where(self.present, self.fte * self.skill * (1.0 - loss * self.burnout), 0.0)
        total = np.bincount(self.community, weights=per_worker, minlength=self.communities)
        count = self.count()
        return np.divide(total, count, out=np.zeros(self.communities), where=count > 0)

    def mean_burnout(self) -> np.ndarray:
        """Mean burnout of the workers in post (weighted by FTE), per community."""
        total = np.bincount(self.community, weights=self.burnout * self.fte * self.present,
                            minlength=self.communities)
        count = self.count()
        return np.divide(total, count, out=np.zeros(self.communities), where=count > 0)

    def wear(self, strain: np.ndarray, week: int, rng: np.random.Generator) -> np.ndarray:
        """Apply a week of strain per community: burnout, departures, refills.

        Args:
            strain: Hours worked over contract hours, per community.
            week: The current week.
            rng: The workforce's own random stream.

        Returns:
            Departures per community this week, in FTE.
        """
        p = self.params
        mine = strain[self.community]
        change = p["burnout_gain"] * np.maximum(0.0, mine - 1.0) - p["burnout_recovery"] * np.maximum(
            0.0, 1.0 - mine)
        self.burnout = np.where(self.present, np.clip(self.burnout + change, 0.0, 1.0), 0.0)
        # Newcomers learn on the job: skill below the staff's mean closes the gap over learning_weeks.
        learning = self.present & (self.skill < p["skill_mean"])
        self.skill[learning] += (p["skill_mean"] - self.skill[learning]) / p["learning_weeks"]
        chance = p["base_departure_rate"] + p["departure_rate"] * self.burnout**2
        leaving = self.present & (rng.random(self.community.size) < chance)
        self.present[leaving] = False
        self.refill_week[leaving] = week + p["refill_delay_weeks"]
        hired = ~self.present & (self.refill_week != NO_REFILL) & (self.refill_week <= week)
        self.present[hired] = True
        self.skill[hired] = p["new_worker_skill"]
        self.burnout[hired] = 0.0
        self.refill_week[hired] = NO_REFILL
        return np.bincount(self.community[leaving], weights=self.fte[leaving], minlength=self.communities)

    def posts(self) -> np.ndarray:
        """Posts per community, filled or vacant, in FTE."""
        return np.bincount(self.community, weights=self.fte, minlength=self.communities)

    def set_posts(self, target: np.ndarray, week: int, rng: np.random.Generator) -> None:
        """Bring each community's posts to ``target`` FTE.

        New posts (whole ones and a part-time one for the remainder) are
        vacant and filled after the refill delay by a newcomer with the skill
        of a new worker, like any refill. Cuts abolish vacant posts first,
        then posts of workers drawn at random; the last post cut may be cut
        only in part (it becomes part-time).
        """
        change = np.asarray(target, dtype=np.float64) - self.posts()
        self._add_posts(np.maximum(0.0, change), week)
        self._cut_posts(np.maximum(0.0, -change), rng)

    def _add_posts(self, fte: np.ndarray, week: int) -> None:
        community, row_fte = split_posts(fte)
        n = community.size
        if n == 0:
            return
        self.community = np.r_[self.community, community]
        self.fte = np.r_[self.fte, row_fte]
        self.skill = np.r_[self.skill, np.full(n, self.params["new_worker_skill"])]
        self.burnout = np.r_[self.burnout, np.zeros(n)]
        self.present = np.r_[self.present, np.zeros(n, dtype=bool)]
        self.refill_week = np.r_[self.refill_week, np.full(n, week + self.params["refill_delay_weeks"])]

    def _cut_posts(self, fte: np.ndarray, rng: np.random.Generator) -> None:
        if fte.sum() <= _EPS:
            return
        order = order_by(self.community, self.present, rng.random(self.community.size))
        row_fte = self.fte[order]
        start = np.r_[0.0, np.cumsum(self.posts())[:-1]]
        upto = np.cumsum(row_fte) - start[self.community[order]]  # FTE within the community so far
        # What is left of each row: none while the cut is not used up, part of the row where it
        # ends, all of the rows after it.
        keep_fte = np.clip(upto - fte[self.community[order]], 0.0, row_fte)
        new_fte = np.empty_like(self.fte)
        new_fte[order] = keep_fte
        keep = new_fte > _EPS
        self.fte = new_fte
        for name in ("community", "fte", "skill", "burnout", "present", "refill_week"):
            setattr(self, name, getattr(self, name)[keep])

    def train(self, gain: float, cap: float) -> None:
        """Raise the skill of every worker in post by ``gain``, up to ``cap`` (never lowering it)."""
        self.skill = np.where(self.present, np.maximum(self.skill, np.minimum(cap, self.skill + gain)),
                              self.skill)


#: FTE below this is nothing (floating-point dust from sums of fractions).
_EPS = 1e-9


def split_posts(fte: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Posts for ``fte[k]`` FTE in each community: whole posts, then one part-time post for the
    remainder. Returns (community of each post, its FTE), posts grouped by community."""
    fte = np.maximum(np.asarray(fte, dtype=np.float64), 0.0)
    whole = np.floor(fte + _EPS).astype(np.int64)
    part = fte - whole
    part[part <= _EPS] = 0.0
    counts = whole + (part > 0)
    community = np.repeat(np.arange(fte.size, dtype=np.int32), counts)
    row_fte = np.ones(community.size)
    last = np.cumsum(counts) - 1
    row_fte[last[part > 0]] = part[part > 0]
    return community, row_fte
