"""Service money: lines per category, a flexible pool, and the year-end lapse.

Each community's yearly service money is set aside at the start of each
budget year and released to it in equal weekly allotments (or, with
``budget.release: year_start``, all at once); what is released and not spent
carries over within the year. A share of it is flexible (usable for any case); the rest is split into
lines tied to categories (专款专用). A case that needs money draws on its own
line first, then on the flexible pool; a case that cannot be paid in full
waits. Whatever is left at the year's end lapses. With no earmarking policy
the whole amount is flexible: a block grant.

Participation can bend the lines toward what residents actually need
(:meth:`Budget.align`) and add money to the flexible pool (micro-renewal
funds, residents' contributions: :meth:`Budget.add_flexible`). Both apply to
the coming year only: :meth:`Budget.block_grant` resets them after each
year's money is paid in, so nothing compounds.
"""

from __future__ import annotations

import numpy as np

from govsim.model.allocate import grouped_sum, order_by, serve_in_order
from govsim.scenario.declarations import CATEGORIES
from govsim.scenario.layout import Hierarchy


class Budget:
    """Money held by each community, by line.

    Attributes:
        yearly: Service money per community per year.
        flexible_share: Share of the yearly money that is flexible.
        line_weights: Share of the earmarked part given to each category line.
        lines: Money left in each (community, category) line.
        flexible: Money left in each community's flexible pool.
        alignment: Share by which the coming year's lines move from
            ``line_weights`` toward each community's own needs.
        need_money: Money needed per (community, category), the target of
            the alignment (None: no alignment).
        extra_flexible: Money per community added to the coming year's
            flexible pool.
    """

    def __init__(self, hierarchy: Hierarchy, spec: dict) -> None:
        per_capita = np.where(hierarchy.community_rural, spec["service_funds_per_capita_rural"],
                              spec["service_funds_per_capita_urban"]) * hierarchy.community_residents
        fixed = [spec["service_funds_urban"], spec["service_funds_rural"]]
        self.yearly = np.where(hierarchy.community_rural,
                               per_capita if fixed[1] is None else fixed[1],
                               per_capita if fixed[0] is None else fixed[0]).astype(np.float64)
        self.weeks_per_year = spec["weeks_per_year"]
        self.flexible_share = 1.0
        self.line_weights = np.full(len(CATEGORIES), 1.0 / len(CATEGORIES))
        self.lines = np.zeros((hierarchy.communities, len(CATEGORIES)))
        self.flexible = np.zeros(hierarchy.communities)
        self.alignment = 0.0
        self.need_money: np.ndarray | None = None
        self.extra_flexible = np.zeros(hierarchy.communities)
        self.paid_in = 0.0  # all money ever paid in, for the books to balance
        self.release_weekly = spec["release"] == "weekly"
        self.unreleased_lines = np.zeros_like(self.lines)  # not yet released this year
        self.unreleased_flexible = np.zeros_like(self.flexible)
        self.weeks_left = 0

    def earmark(self, flexible_share: float, weights: np.ndarray) -> None:
        """Set how the coming year's money is split (called by policies at a year's start).

        Args:
            flexible_share: 0 fully earmarked, 1 block grant.
            weights: Share of the earmarked money per category (normalised here).
        """
        total = weights.sum()
        self.flexible_share = flexible_share
        self.line_weights = weights / total if total > 0 else np.full(weights.size, 1.0 / weights.size)

    def align(self, share: float, need_money: np.ndarray) -> None:
        """Move the coming year's lines a ``share`` of the way toward each community's needs.

        Args:
            share: 0 keeps the earmark's weights, 1 splits each community's
                earmarked money in proportion to its needs.
            need_money: Money needed per (community, category); a community
                with no recorded need keeps the earmark's weights.
        """
        self.alignment = float(share)
        self.need_money = np.asarray(need_money, dtype=np.float64)

    def add_flexible(self, amount: np.ndarray | float) -> None:
        """Add money per community to the coming year's flexible pool."""
        self.extra_flexible = self.extra_flexible + amount

    def block_grant(self) -> None:
        """Make the coming year's money fully flexible, the default without earmarking."""
        self.earmark(1.0, np.ones(len(CATEGORIES)))
        self.alignment, self.need_money = 0.0, None
        self.extra_flexible = np.zeros_like(self.extra_flexible)

    def open_year(self, share: float = 1.0) -> None:
        """Set a new year's money aside (``share`` of it, for a year the run enters part-way).

        With weekly release it reaches the lines and pool in equal allotments,
        one each week left in the year (:meth:`release`); else all at once.
        """
        yearly = self.yearly * share
        earmarked = yearly * (1.0 - self.flexible_share)
        self.unreleased_lines = earmarked[:, None] * self._weights()
        self.unreleased_flexible = yearly * self.flexible_share + self.extra_flexible
        self.weeks_left = max(1, round(share * self.weeks_per_year)) if self.release_weekly else 1
        self.paid_in += float(yearly.sum() + self.extra_flexible.sum())

    def release(self) -> None:
        """Release this week's allotment: what is left unreleased over the weeks left in the year."""
        if self.weeks_left <= 0:
            return
        lines, pool = self.unreleased_lines / self.weeks_left, self.unreleased_flexible / self.weeks_left
        self.lines += lines
        self.flexible += pool
        self.unreleased_lines -= lines
        self.unreleased_flexible -= pool
        self.weeks_left -= 1

    def held(self) -> float:
        """All money paid in and not yet spent or lapsed: released or not."""
        return float(self.lines.sum() + self.flexible.sum() + self.unreleased_lines.sum()
                     + self.unreleased_flexible.sum())

    def deposit(self, communities: np.ndarray, amount: float) -> None:
        """Pay ``amount`` into the flexible pool of each of ``communities`` now (e.g. emergency reserves)."""
        np.add.at(self.flexible, communities, amount)
        self.paid_in += float(amount) * np.size(communities)

    def _weights(self) -> np.ndarray:
        """Line weights per (community, category): the earmark's, bent toward needs if aligned."""
        weights = self.line_weights[None, :]
        if self.alignment <= 0 or self.need_money is None:
            return weights
        total = self.need_money.sum(axis=1, keepdims=True)
        own = np.divide(self.need_money, total, out=np.zeros_like(self.need_money), where=total > 0)
        aligned = (1.0 - self.alignment) * weights + self.alignment * own
        return np.where(total > 0, aligned, weights)

    def close_year(self) -> np.ndarray:
        """Let the year's unspent money lapse; returns the amount lapsed per community."""
        lapsed = (self.lines.sum(axis=1) + self.flexible + self.unreleased_lines.sum(axis=1)
                  + self.unreleased_flexible)
        for pot in (self.lines, self.flexible, self.unreleased_lines, self.unreleased_flexible):
            pot[:] = 0.0
        self.weeks_left = 0
        return lapsed

    def pay(self, community: np.ndarray, category: np.ndarray, cost: np.ndarray,
            order: np.ndarray) -> np.ndarray:
        """Pay, in ``order``, whole costs from each case's line, then the flexible pool.

        Returns a bool array: which cases were paid in full. Unpaid cases keep waiting.
        """
        paid = np.zeros(cost.size, dtype=bool)
        if cost.size == 0:
            return paid
        n_cat = len(CATEGORIES)
        line_group = community.astype(np.int64) * n_cat + category
        idx = order_by(line_group, order)
        paid[idx] = _whole(line_group[idx], cost[idx], self.lines.ravel())
        self.lines -= grouped_sum(line_group[paid], cost[paid], self.lines.size).reshape(self.lines.shape)
        rest = np.flatnonzero(~paid)
        idx = rest[order_by(community[rest], order[rest])]
        from_pool = _whole(community[idx], cost[idx], self.flexible)
        paid[idx[from_pool]] = True
        self.flexible -= grouped_sum(community[idx[from_pool]], cost[idx[from_pool]], self.flexible.size)
        return paid


def _whole(group: np.ndarray, cost: np.ndarray, funds: np.ndarray) -> np.ndarray:
    """Which items, served in order, are covered in full (the queue stops at the first that is not)."""
    given = serve_in_order(group, cost, funds)
    return given >= cost - 1e-9
