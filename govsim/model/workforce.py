"""Community and village workers: hours, productivity, burnout and turnover.

Workers are held as columns, like residents, because their number grows with
the population (18 per 10,000 urban residents). Each community's workers pool
their hours: the weekly plan (:mod:`govsim.model.workplan`) decides how the
pool is spent, and every worker in a community carries the same strain (hours
worked over contract hours). Sustained overtime builds burnout; burnout lowers
productivity and drives departures; a vacancy is refilled, by a less skilled
newcomer, after a delay. Mechanisms may add or cut posts (staffing) and raise
skills (training); without them the posts are fixed for the run.
"""

from __future__ import annotations

import numpy as np

from govsim.model.allocate import order_by
from govsim.model.hierarchy import Hierarchy

#: ``refill_week`` of a post that is filled or not to be refilled (weeks may be negative).
NO_REFILL = np.iinfo(np.int64).min


class Workforce:
    """All workers, one row each (a row is a post that may be vacant)."""

    def __init__(self, hierarchy: Hierarchy, staff: dict, rng: np.random.Generator) -> None:
        per_10k = np.where(hierarchy.community_rural, staff["per_10k_rural"], staff["per_10k_urban"])
        counts = np.maximum(1, np.round(hierarchy.community_residents * per_10k / 1e4)).astype(np.int64)
        self.communities = hierarchy.communities
        self.community = np.repeat(np.arange(hierarchy.communities, dtype=np.int32), counts)
        n = self.community.size
        self.skill = np.clip(rng.normal(staff["skill_mean"], staff["skill_sd"], n), 0.05, 1.0)
        self.burnout = np.zeros(n)
        self.present = np.ones(n, dtype=bool)
        self.refill_week = np.full(n, NO_REFILL, dtype=np.int64)
        self.contract_hours = staff["contract_hours"]
        self.overtime_limit = staff["overtime_limit"]
        self.params = staff

    def count(self) -> np.ndarray:
        """Workers in post per community."""
        return np.bincount(self.community[self.present], minlength=self.communities)

    def productivity(self) -> np.ndarray:
        """Mean effective hours per hour worked, per community (0 where nobody is in post)."""
        loss = self.params["burnout_productivity_loss"]
        per_worker = np.where(self.present, self.skill * (1.0 - loss * self.burnout), 0.0)
        total = np.bincount(self.community, weights=per_worker, minlength=self.communities)
        return np.divide(total, self.count(), out=np.zeros(self.communities), where=self.count() > 0)

    def mean_burnout(self) -> np.ndarray:
        """Mean burnout of the workers in post, per community."""
        total = np.bincount(self.community, weights=self.burnout * self.present,
                            minlength=self.communities)
        return np.divide(total, self.count(), out=np.zeros(self.communities), where=self.count() > 0)

    def wear(self, strain: np.ndarray, week: int, rng: np.random.Generator) -> np.ndarray:
        """Apply a week of strain per community: burnout, departures, refills.

        Args:
            strain: Hours worked over contract hours, per community.
            week: The current week.
            rng: The workforce's own random stream.

        Returns:
            Departures per community this week.
        """
        p = self.params
        mine = strain[self.community]
        change = p["burnout_gain"] * np.maximum(0.0, mine - 1.0) - p["burnout_recovery"] * np.maximum(
            0.0, 1.0 - mine)
        self.burnout = np.where(self.present, np.clip(self.burnout + change, 0.0, 1.0), 0.0)
        chance = p["base_departure_rate"] + p["departure_rate"] * self.burnout**2
        leaving = self.present & (rng.random(self.community.size) < chance)
        self.present[leaving] = False
        self.refill_week[leaving] = week + p["refill_delay_weeks"]
        hired = ~self.present & (self.refill_week != NO_REFILL) & (self.refill_week <= week)
        self.present[hired] = True
        self.skill[hired] = p["new_worker_skill"]
        self.burnout[hired] = 0.0
        self.refill_week[hired] = NO_REFILL
        return np.bincount(self.community[leaving], minlength=self.communities)

    def posts(self) -> np.ndarray:
        """Posts per community, filled or vacant."""
        return np.bincount(self.community, minlength=self.communities)

    def add_posts(self, counts: np.ndarray, week: int) -> None:
        """Create ``counts[k]`` vacant posts in each community, filled after the refill delay.

        The newcomers are hired by :meth:`wear` like any refill, with the skill
        of a new worker.
        """
        community = np.repeat(np.arange(self.communities, dtype=np.int32), counts)
        n = community.size
        if n == 0:
            return
        self.community = np.r_[self.community, community]
        self.skill = np.r_[self.skill, np.full(n, self.params["new_worker_skill"])]
        self.burnout = np.r_[self.burnout, np.zeros(n)]
        self.present = np.r_[self.present, np.zeros(n, dtype=bool)]
        self.refill_week = np.r_[self.refill_week, np.full(n, week + self.params["refill_delay_weeks"])]

    def remove_posts(self, counts: np.ndarray, rng: np.random.Generator) -> None:
        """Abolish ``counts[k]`` posts in each community: vacant posts first, then workers at random.

        Posts are cut down to no fewer than one per community.
        """
        counts = np.minimum(counts, np.maximum(0, self.posts() - 1))
        if counts.sum() <= 0:
            return
        order = order_by(self.community, self.present, rng.random(self.community.size))
        start = np.r_[0, np.cumsum(self.posts())[:-1]]
        rank = np.empty(order.size, dtype=np.int64)
        rank[order] = np.arange(order.size) - start[self.community[order]]
        keep = rank >= counts[self.community]
        for name in ("community", "skill", "burnout", "present", "refill_week"):
            setattr(self, name, getattr(self, name)[keep])

    def train(self, gain: float, cap: float) -> None:
        """Raise the skill of every worker in post by ``gain``, up to ``cap`` (never lowering it)."""
        self.skill = np.where(self.present, np.maximum(self.skill, np.minimum(cap, self.skill + gain)),
                              self.skill)
