"""Residents written the plain per-agent Mesa way: a test oracle and a benchmark reference.

:class:`~govsim.model.residents.Residents` holds residents as columns and
writes their weekly rules as array operations, with shortcuts (one Poisson
total per category, spread over residents by weighted draws). This module
writes the same rules the obvious way — one :class:`ResidentAgent` per
resident, each rule a Python loop over agents — so that:

* a test can check statistically that the shortcuts change nothing
  (``tests/test_reference.py``): the need rates are recomputed here from the
  parameters, independently of the vectorised code;
* the benchmark has an honest yardstick for what vectorising buys
  (``benchmarks/bench_model.py``).

It is selected by ``GovModel(..., residents="agents")`` and is far too slow
for real runs. The initial population is drawn by the vectorised class with
the same generator and copied row by row into agents, so a seed gives both
implementations the very same residents; only the weekly draws differ.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa
import numpy as np

from govsim.model.agent import GovAgent
from govsim.model.residents import MEMBERSHIP, N_STRATA, Residents
from govsim.model.trust import COMMUNITY_ONLY, LEVELS, LOCAL
from govsim.scenario.declarations import CATEGORIES, FLAGS, GROUPS

if TYPE_CHECKING:
    from govsim.scenario.layout import Hierarchy


def weekly_need_rates(needs: dict, weeks: int, group: int, flags: tuple[bool, ...]) -> list[float]:
    """Expected new needs per week of one resident, per category (in ``CATEGORIES`` order).

    A category's yearly rate for the resident's age group, times the
    multiplier of each flag she has; zero if the category is for holders of
    one flag only (``who``) and she lacks it.
    """
    rates = []
    for name in CATEGORIES:
        spec = needs[name]
        rate = spec[f"rate_{GROUPS[group]}"] / weeks
        for flag, has in zip(FLAGS, flags, strict=True):
            if has:
                rate *= spec[f"multiplier_{flag}"]
        if spec["who"] != "everyone" and not flags[FLAGS.index(spec["who"])]:
            rate = 0.0
        rates.append(rate)
    return rates


class ResidentAgent(GovAgent):
    """One resident, holding her own state and applying her own weekly rules.

    Attributes:
        row: Her row in the model's per-resident arrays (cases refer to rows).
        community: Community index.
        group: 0 elderly, 1 working-age, 2 child.
        flags: One bool per flag, in the order of ``FLAGS``.
        literacy: Digital literacy, 0-1.
        trust: Trust in each of ``LEVELS``, 0-1.
        trust0: Resting trust, toward which every level fades back.
        need_rates: ``(category, weekly rate)`` for each category she can raise.
    """

    def __init__(self, model: mesa.Model, row: int, community: int, group: int,
                 flags: tuple[bool, ...], literacy: float, trust: float,
                 need_rates: list[float]) -> None:
        super().__init__(model)
        self.row = row
        self.community = community
        self.group = group
        self.flags = flags
        self.literacy = literacy
        self.trust = [trust] * len(LEVELS)
        self.trust0 = trust
        self.need_rates = [(c, rate) for c, rate in enumerate(need_rates) if rate > 0]

    def raise_needs(self, rng: np.random.Generator, multiplier: np.ndarray | None = None) -> list[int]:
        """This week's new needs of this resident: one category per need (repeats allowed)."""
        raised = []
        for category, rate in self.need_rates:
            scale = 1.0 if multiplier is None else multiplier[self.community, category]
            count = rng.poisson(rate * scale)
            if count:
                raised.extend([category] * int(count))
        return raised

    def experience(self, level: int, step: float) -> None:
        """One experience in ``level``: a share ``step`` of the way to 1 (good) or ``-step`` to 0 (bad)."""
        step = min(1.0, max(-1.0, step))
        trust = self.trust[level]
        self.trust[level] = trust + step * (1.0 - trust) if step > 0 else trust * (1.0 + step)

    def drift_trust(self, rate: float) -> None:
        """Move her trust in every level a share ``rate`` of the way back to rest."""
        self.trust = [t + rate * (self.trust0 - t) for t in self.trust]


class AgentResidents:
    """The population as a list of :class:`ResidentAgent`, with the interface of ``Residents``.

    Columns that only migration changes (group, flags, literacy, farmland,
    incomes, stratum; see :meth:`replace`) and the community are kept as arrays, as the rest of
    the model indexes them; trust is gathered from the agents on each read.
    Code must change trust through :meth:`change_trust`, never by writing
    into :attr:`trust` (that would write into a temporary copy).
    """

    def __init__(self, model: mesa.Model, hierarchy: Hierarchy, params: dict,
                 rng: np.random.Generator) -> None:
        table = Residents(hierarchy, params, rng)
        self.n = table.n
        self.community, self.grid, self.group = table.community, table.grid, table.group
        self.flags, self.literacy, self.stratum = table.flags, table.literacy, table.stratum
        self.plot_mu, self.staple_income = table.plot_mu, table.staple_income
        self.farm_income = table.farm_income
        self.registered = table.registered
        needs, weeks = params["needs"], params["budget"]["weeks_per_year"]
        self.agents = [
            ResidentAgent(model, row, int(table.community[row]), int(table.group[row]),
                          tuple(bool(f) for f in table.flags[row]), float(table.literacy[row]),
                          float(table.trust[row]),
                          weekly_need_rates(needs, weeks, int(table.group[row]),
                                            tuple(bool(f) for f in table.flags[row])))
            for row in range(self.n)
        ]
        self._needs, self._weeks = needs, weeks
        self._communities = hierarchy.communities
        self._learnt: dict[tuple[bool, int, int, int], float] | None = None
        self._stratum_sizes = np.bincount(self.stratum, minlength=N_STRATA)

    @property
    def trust(self) -> np.ndarray:
        """Mean trust over the local levels of every resident, gathered from the agents (read only)."""
        return np.fromiter((sum(a.trust[k] for k in LOCAL) / len(LOCAL) for a in self.agents),
                           dtype=np.float32, count=self.n)

    @property
    def trust0(self) -> np.ndarray:
        """Resting trust of every resident, gathered from the agents."""
        return np.fromiter((a.trust0 for a in self.agents), dtype=np.float32, count=self.n)

    def trust_in(self, level: int, rows: np.ndarray | None = None) -> np.ndarray:
        """Trust in one level of agents ``rows`` (default all)."""
        rows = range(self.n) if rows is None else np.asarray(rows).tolist()
        return np.array([self.agents[r].trust[level] for r in rows], dtype=np.float32)

    def trust_at(self, levels: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Trust of agent ``rows[j]`` in level ``levels[j]``."""
        return np.array([self.agents[r].trust[k] for k, r in zip(np.asarray(levels).tolist(),
                                                                 np.asarray(rows).tolist(), strict=True)],
                        dtype=np.float32)

    def trust_sums(self, level: int | None) -> tuple[np.ndarray, np.ndarray]:
        """Sums of trust in ``level`` (None: the local mean) by stratum and by community."""
        values = self.trust if level is None else self.trust_in(level)
        values = values.astype(np.float64)
        return (np.bincount(self.stratum, values, N_STRATA),
                np.bincount(self.community, values, self._communities))

    # -- weekly rules ---------------------------------------------------------------
    def raise_needs(self, rng: np.random.Generator,
                    multiplier: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Ask every agent for her new needs: (resident row, category) per need.

        Needs are listed by category (stably), as the vectorised class lists
        them, because the order breaks ties when cases are served.
        """
        rows, categories = [], []
        for agent in self.agents:
            for category in agent.raise_needs(rng, multiplier):
                rows.append(agent.row)
                categories.append(category)
        rows_arr, cats_arr = np.array(rows, dtype=np.int64), np.array(categories, dtype=np.int8)
        order = np.argsort(cats_arr, kind="stable")
        return rows_arr[order], cats_arr[order]

    def replace(self, rows: np.ndarray, group: np.ndarray, flags: np.ndarray, literacy: np.ndarray,
                trust: np.ndarray, registered: np.ndarray) -> None:
        """Put newcomers into ``rows``, agent by agent (see ``Residents.replace``)."""
        self.group[rows], self.flags[rows], self.literacy[rows] = group, flags, literacy
        self.registered[rows] = registered
        for name in ("plot_mu", "staple_income", "farm_income"):
            getattr(self, name)[rows] = 0.0
        bits = (flags * (1 << np.arange(len(FLAGS)))).sum(axis=1)
        self.stratum[rows] = group.astype(np.intp) * 2 ** len(FLAGS) + bits
        for i, row in enumerate(np.asarray(rows).tolist()):
            agent, own = self.agents[row], tuple(bool(f) for f in flags[i])
            agent.group, agent.flags, agent.literacy = int(group[i]), own, float(literacy[i])
            agent.trust0 = float(trust[i])
            agent.trust = [agent.trust0] * len(LEVELS)
            agent.need_rates = [(c, rate) for c, rate in enumerate(
                weekly_need_rates(self._needs, self._weeks, int(group[i]), own)) if rate > 0]
        self._stratum_sizes = np.bincount(self.stratum, minlength=N_STRATA)

    def change_trust(self, who: np.ndarray, step: np.ndarray | float,
                     weights: np.ndarray = COMMUNITY_ONLY, distinct: bool = False) -> None:
        """Experiences of size ``step`` (one, or one per entry of ``who``), weighted per level by
        ``weights`` (one per level, or level × entry), agent by agent and level by level: the good
        ones first, then the bad, as ``Residents.change_trust`` applies them. ``distinct`` is
        accepted and ignored: one experience at a time needs no promise about repeats."""
        steps = np.broadcast_to(np.asarray(step, dtype=np.float64), np.shape(who)).tolist()
        weights = np.asarray(weights, dtype=np.float64)
        columns = (weights.T if weights.ndim == 2 else np.broadcast_to(weights, (len(steps), weights.size)))
        entries = list(zip(np.asarray(who).tolist(), steps, columns.tolist(), strict=True))
        for good in (True, False):
            for row, d, own in entries:
                if (d > 0) == good:
                    for level, w in enumerate(own):
                        if w:
                            self.agents[row].experience(level, d * w)
                            if self._learnt is not None:
                                key = (good, level, int(self.stratum[row]), int(self.community[row]))
                                rate = -math.log(max(1e-300, 1.0 - min(1.0, abs(d * w))))
                                self._learnt[key] = self._learnt.get(key, 0.0) + min(rate, 50.0)

    def change_trust_in(self, communities: np.ndarray, step: np.ndarray | float,
                        weights: np.ndarray = COMMUNITY_ONLY) -> None:
        """One experience of size ``step`` (one, or one per community) for every agent of ``communities``."""
        steps = np.broadcast_to(np.asarray(step, dtype=np.float64), np.shape(communities))
        for k, d in zip(np.asarray(communities).tolist(), steps.tolist(), strict=True):
            self.change_trust(np.flatnonzero(self.community == k), d, weights)

    def learn_trust(self) -> None:
        """Count every agent's experiences by (good, level, stratum, community) from now on."""
        self._learnt = {}

    def settle_trust(self, weeks: int, rate: float) -> None:
        """Set each agent's trust in each level to the stationary point for her stratum and community
        (``TrustBook.settle`` gives the formula)."""
        learnt, self._learnt = self._learnt, None
        if learnt is None or weeks <= 0:
            return
        sizes: dict[tuple[int, int], int] = {}
        for agent in self.agents:
            cell = (int(self.stratum[agent.row]), agent.community)
            sizes[cell] = sizes.get(cell, 0) + 1
        fading = -math.log(1.0 - min(rate, 1.0 - 1e-12))
        for agent in self.agents:
            cell = (int(self.stratum[agent.row]), agent.community)
            for level in range(len(LEVELS)):
                good = learnt.get((True, level, *cell), 0.0) / (sizes[cell] * weeks)
                bad = learnt.get((False, level, *cell), 0.0) / (sizes[cell] * weeks)
                total = good + bad + fading
                agent.trust[level] = (good + fading * agent.trust0) / total if total > 0 else agent.trust0

    def drift_trust(self, rate: float) -> None:
        """Every agent's trust drifts back toward its initial level."""
        if rate > 0:
            for agent in self.agents:
                agent.drift_trust(rate)

    # -- reporting --------------------------------------------------------------------
    def stratum_sizes(self) -> np.ndarray:
        """Residents in each stratum."""
        return self._stratum_sizes

    def group_sizes(self) -> np.ndarray:
        """Residents in each report group."""
        return self._stratum_sizes @ MEMBERSHIP
