"""Residents as columns: one row a resident, behaviour as array operations.

Residents are many (10^3–10^6), so they are not Mesa agents: their state is a
set of numpy arrays and every weekly rule touches only the rows it concerns.
Needs are drawn per category as one Poisson total over the whole population
and assigned to residents in proportion to their personal rates (a weighted
draw by binary search on cumulative rates), so raising needs costs time in
proportion to the cases raised, not to the residents.
"""

from __future__ import annotations

import numpy as np

from govsim.model.trust import COMMUNITY_ONLY, LOCAL, TrustBook
from govsim.scenario.declarations import CATEGORIES, FLAGS, GROUPS
from govsim.scenario.layout import Hierarchy

#: Groups that metrics are reported by: the age groups, then the flags.
REPORT_GROUPS = (*GROUPS, *FLAGS)
ELDERLY, WORKING_AGE, CHILD = 0, 1, 2
N_STRATA = len(GROUPS) * 2 ** len(FLAGS)


def _membership() -> np.ndarray:
    """Bool matrix (stratum × report group): which groups a stratum belongs to."""
    member = np.zeros((N_STRATA, len(REPORT_GROUPS)), dtype=bool)
    for stratum in range(N_STRATA):
        age, bits = divmod(stratum, 2 ** len(FLAGS))
        member[stratum, age] = True
        for f in range(len(FLAGS)):
            member[stratum, len(GROUPS) + f] = bool(bits >> f & 1)
    return member


MEMBERSHIP = _membership()


class Residents:
    """The population's state and its weekly rules.

    Attributes:
        community: Community index of each resident (rows sorted by community).
        grid: Global grid index of each resident.
        group: 0 elderly, 1 working-age, 2 child.
        flags: Bool matrix (resident × flag) in the order of ``FLAGS``.
        literacy: Digital literacy, 0-1.
        trust_book: Trust in each level of government (:mod:`govsim.model.trust`).
        trust: Mean trust over the local levels, 0-1 (read only; the aggregate metric).
        trust0: Resting trust, toward which every level fades back (read only).
        plot_mu: Farmland of each resident (0 for non-farmers), in mu.
        farm_income: Weekly farm income of each resident (yuan/week).
        stratum: Age group × flag combination, for cheap by-group sums.
        registered: Whether the resident is known to the community's records;
            all are, unless a migration mechanism brings unregistered arrivals.
    """

    def __init__(self, hierarchy: Hierarchy, params: dict, rng: np.random.Generator) -> None:
        pop = params["population"]
        self.n = int(hierarchy.community_residents.sum())
        self.community = np.repeat(
            np.arange(hierarchy.communities, dtype=np.int32), hierarchy.community_residents
        )
        self.grid = self._grids(hierarchy)
        rural = hierarchy.community_rural[self.community]
        self.group = self._ages(pop, rural, rng)
        self.flags = self._flags(pop, rural, rng)
        self.literacy = self._beta_by_group(
            [pop["literacy_elderly"], pop["literacy_working_age"], pop["literacy_child"]],
            pop["literacy_concentration"], rng,
        )
        trust = _beta(np.full(self.n, pop["trust_mean"]), pop["trust_concentration"], rng)
        farmer = self.flags[:, FLAGS.index("farmer")]
        mean_mu = params["farming"]["plot_mu_mean"]
        self.plot_mu = np.where(farmer, rng.gamma(2.0, mean_mu / 2.0, self.n), 0.0).astype(np.float32)
        weeks = params["budget"]["weeks_per_year"]
        self.staple_income = self.plot_mu * np.float32(params["farming"]["staple_income_per_mu"] / weeks)
        self.farm_income = self.staple_income.copy()
        bits = (self.flags * (1 << np.arange(len(FLAGS)))).sum(axis=1)
        # Platform integers: np.bincount would convert a narrower type on every call.
        self.stratum = (self.group.astype(np.intp) * 2 ** len(FLAGS) + bits).astype(np.intp)
        self.registered = np.ones(self.n, dtype=bool)
        self._rate_table = stratum_need_rates(params["needs"], weeks)
        self._rate_max = self._rate_table.max(axis=0)
        self._rate_of = [np.ascontiguousarray(column) for column in self._rate_table.T]  # by category
        self._community_index = np.arange(hierarchy.communities)
        self._stratum_sizes: np.ndarray | None = None
        self._bounds = hierarchy.community_bounds
        # Every level starts at the resident's one draw: orderings between levels come from the model.
        self.trust_book = TrustBook(trust, self.community, self.stratum, hierarchy.communities, N_STRATA)

    # -- construction -------------------------------------------------------------
    def _grids(self, hierarchy: Hierarchy) -> np.ndarray:
        first_grid = np.r_[0, np.cumsum(hierarchy.community_grids)[:-1]]
        start = np.r_[0, np.cumsum(hierarchy.community_residents)[:-1]]
        rank = np.arange(self.n) - np.repeat(start, hierarchy.community_residents)
        per_grid = np.maximum(1, np.ceil(hierarchy.community_residents / hierarchy.community_grids))
        local = rank // np.repeat(per_grid, hierarchy.community_residents).astype(np.int64)
        return (np.repeat(first_grid, hierarchy.community_residents) + local).astype(np.int32)

    def _ages(self, pop: dict, rural: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        elderly_share = np.where(rural, pop["share_elderly_rural"], pop["share_elderly_urban"])
        u = rng.random(self.n)
        group = np.full(self.n, WORKING_AGE, dtype=np.int8)
        group[u < elderly_share] = ELDERLY
        group[(u >= elderly_share) & (u < elderly_share + pop["share_child"])] = CHILD
        return group

    def _flags(self, pop: dict, rural: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        u = rng.random((self.n, len(FLAGS)))
        adult = self.group != CHILD
        share = {
            "disabled": np.full(self.n, pop["share_disabled"]),
            "low_income": np.where(rural, pop["share_low_income_rural"], pop["share_low_income_urban"]),
            "migrant": np.where(self.group == ELDERLY, 0.0,
                                np.where(rural, pop["share_migrant_rural"], pop["share_migrant_urban"])),
            "farmer": np.where(rural & adult, pop["share_farmer_rural"], 0.0),
        }
        return np.stack([u[:, i] < share[f] for i, f in enumerate(FLAGS)], axis=1)

    def _beta_by_group(self, means: list[float], concentration: float,
                       rng: np.random.Generator) -> np.ndarray:
        return _beta(np.asarray(means)[self.group], concentration, rng).astype(np.float32)


    # -- weekly rules ---------------------------------------------------------------
    def need_rates(self) -> np.ndarray:
        """Weekly need rate of every resident per category, shape (category, resident)."""
        return self._rate_table[self.stratum].T

    def raise_needs(self, rng: np.random.Generator,
                    multiplier: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """This week's new needs: (resident index, category index) per need.

        Each resident raises needs of a category as a Poisson process with her
        own rate (times ``multiplier[community, category]``, e.g. during an
        emergency). They are drawn by thinning, at a cost that follows the
        needs raised rather than the residents: candidates arrive in each
        community at the category's highest rate, fall on residents uniformly,
        and each is kept with probability (her rate / the highest rate).
        """
        lo, sizes = self._bounds[:-1], np.diff(self._bounds)
        expected = sizes[None, :] * self._rate_max[:, None]  # candidates per (category, community)
        if multiplier is not None and not (multiplier == 1.0).all():
            expected = expected * np.maximum(multiplier.T, 0.0)
        kept = []
        for c, top in enumerate(self._rate_max):
            if top <= 0:
                kept.append(np.zeros(0, dtype=np.int64))
                continue
            counts = rng.poisson(expected[c])
            total = int(counts.sum())
            u = rng.random(2 * total)  # where each candidate falls, then whether she is kept
            community = np.repeat(self._community_index, counts)
            who = lo[community] + (u[:total] * sizes[community]).astype(np.int64)
            kept.append(who[u[total:] * top < self._rate_of[c][self.stratum[who]]])
        categories = np.repeat(np.arange(len(kept), dtype=np.int8), [k.size for k in kept])
        return np.concatenate(kept), categories

    def replace(self, rows: np.ndarray, group: np.ndarray, flags: np.ndarray, literacy: np.ndarray,
                trust: np.ndarray, registered: np.ndarray) -> None:
        """Put newcomers into ``rows`` (the places of people who left).

        Used by migration: the population keeps its size and community layout
        while the people in it change. Newcomers hold no farmland; need rates
        and group sizes are recomputed.
        """
        self.group[rows] = group
        self.flags[rows] = flags
        self.literacy[rows] = literacy
        old_stratum = self.stratum[rows].copy()
        self.registered[rows] = registered
        for name in ("plot_mu", "staple_income", "farm_income"):
            getattr(self, name)[rows] = 0.0
        bits = (flags * (1 << np.arange(len(FLAGS)))).sum(axis=1)
        if self._stratum_sizes is not None:
            np.subtract.at(self._stratum_sizes, self.stratum[rows], 1)
        self.stratum[rows] = group.astype(np.intp) * 2 ** len(FLAGS) + bits
        if self._stratum_sizes is not None:
            np.add.at(self._stratum_sizes, self.stratum[rows], 1)
        self.trust_book.reset(rows, trust, old_stratum)

    # -- trust ------------------------------------------------------------------------
    @property
    def trust(self) -> np.ndarray:
        """Each resident's mean trust over the local levels (a new array: read only)."""
        return self.trust_book.local()

    @property
    def trust0(self) -> np.ndarray:
        """Each resident's resting trust (read only)."""
        return self.trust_book.rest.copy()

    def trust_in(self, level: int, rows: np.ndarray | None = None) -> np.ndarray:
        """Trust in one level (:data:`govsim.model.trust.LEVELS`) of residents ``rows`` (default all)."""
        return self.trust_book.level(level, rows)

    def trust_at(self, levels: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Trust of resident ``rows[j]`` in level ``levels[j]``."""
        return self.trust_book.at(levels, rows)

    def trust_sums(self, level: int | None) -> tuple[np.ndarray, np.ndarray]:
        """Sums of trust in ``level`` (None: the local mean) by stratum and by community."""
        if level is not None:
            return self.trust_book.sums(level)
        parts = [self.trust_book.sums(k) for k in LOCAL]
        return (sum(p[0] for p in parts) / len(LOCAL), sum(p[1] for p in parts) / len(LOCAL))

    def change_trust(self, who: np.ndarray, step: np.ndarray | float,
                     weights: np.ndarray = COMMUNITY_ONLY, distinct: bool = False) -> None:
        """Experiences of signed size ``step`` for residents ``who``, attributed to levels by ``weights``.

        Bounded steps (:class:`~govsim.model.trust.TrustBook`): a good one moves
        trust a share ``step`` of the way to 1, a bad one a share ``-step`` of
        the way to 0. Repeats compound; ``distinct=True`` promises there are none.
        """
        self.trust_book.change(who, step, weights, distinct)

    def change_trust_in(self, communities: np.ndarray, step: np.ndarray | float,
                        weights: np.ndarray = COMMUNITY_ONLY) -> None:
        """One experience of size ``step`` (one value, or one per community) for every resident of
        ``communities``: a block of rows per community, as residents are stored by community."""
        steps = np.broadcast_to(np.asarray(step, dtype=np.float64), np.shape(communities))
        for k, d in zip(np.asarray(communities).tolist(), steps.tolist(), strict=True):
            self.trust_book.change_rows(slice(int(self._bounds[k]), int(self._bounds[k + 1])), d, weights)

    def drift_trust(self, rate: float) -> None:
        """A week of fading: trust in every level moves a share ``rate`` back toward rest."""
        self.trust_book.fade(rate)

    def learn_trust(self) -> None:
        """Count experiences from now on, to start the reported weeks at stationary trust."""
        self.trust_book.learn()

    def settle_trust(self, weeks: int, rate: float) -> None:
        """Put trust at the stationary point of the experiences counted (``TrustBook.settle``)."""
        self.trust_book.settle(weeks, rate)

    # -- reporting --------------------------------------------------------------------
    def stratum_sizes(self) -> np.ndarray:
        """Residents in each stratum (kept up to date by :meth:`replace`)."""
        if self._stratum_sizes is None:
            self._stratum_sizes = np.bincount(self.stratum, minlength=N_STRATA)
        return self._stratum_sizes

    def group_sizes(self) -> np.ndarray:
        """Residents in each report group."""
        return self.stratum_sizes() @ MEMBERSHIP


def stratum_need_rates(needs: dict, weeks: int) -> np.ndarray:
    """Weekly need rate per (stratum, category): group rate × flag multipliers, or 0 if not eligible."""
    table = np.zeros((N_STRATA, len(CATEGORIES)))
    for stratum in range(N_STRATA):
        age, bits = divmod(stratum, 2 ** len(FLAGS))
        has = {flag: bool(bits >> f & 1) for f, flag in enumerate(FLAGS)}
        for c, name in enumerate(CATEGORIES):
            spec = needs[name]
            rate = spec[f"rate_{GROUPS[age]}"] / weeks
            for flag in FLAGS:
                if has[flag]:
                    rate *= spec[f"multiplier_{flag}"]
            eligible = spec["who"] == "everyone" or has[spec["who"]]
            table[stratum, c] = rate if eligible else 0.0
    return table


def _beta(mean: np.ndarray, concentration: float, rng: np.random.Generator) -> np.ndarray:
    """Beta draws with the given means, clamped away from 0 and 1 for the shape."""
    m = np.clip(mean, 1e-3, 1 - 1e-3)
    return rng.beta(m * concentration, (1 - m) * concentration)
