"""Community and village workers: hours, productivity, burnout and turnover.

Workers are held as columns, like residents, because their number grows with
the population (18 per 10,000 urban residents). Each community's workers pool
their hours: the weekly plan (:mod:`govsim.model.workplan`) decides how the
pool is spent, and every worker in a community carries the same strain (hours
worked over contract hours). Sustained overtime builds burnout; burnout lowers
productivity and drives departures; a vacancy is refilled, by a less skilled
newcomer, after a delay.
"""

from __future__ import annotations

import numpy as np

from govsim.model.hierarchy import Hierarchy


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
        self.refill_week = np.full(n, -1, dtype=np.int64)
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
        hired = ~self.present & (self.refill_week >= 0) & (self.refill_week <= week)
        self.present[hired] = True
        self.skill[hired] = p["new_worker_skill"]
        self.burnout[hired] = 0.0
        self.refill_week[hired] = -1
        return np.bincount(self.community[leaving], minlength=self.communities)
