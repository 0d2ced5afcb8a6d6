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

from typing import TYPE_CHECKING

import mesa
import numpy as np

from govsim.model.agent import GovAgent
from govsim.model.residents import MEMBERSHIP, N_STRATA, Residents
from govsim.scenario.declarations import CATEGORIES, FLAGS, GROUPS

if TYPE_CHECKING:
    from govsim.model.hierarchy import Hierarchy


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
        trust: Trust in the local government, 0-1.
        trust0: Initial trust, toward which trust drifts back.
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
        self.trust = trust
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

    def change_trust(self, delta: float) -> None:
        """Add ``delta`` to her trust, kept in [0, 1]."""
        self.trust = min(1.0, max(0.0, self.trust + delta))

    def drift_trust(self, rate: float) -> None:
        """Move her trust a share ``rate`` of the way back to where it started."""
        self.trust += rate * (self.trust0 - self.trust)


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
        self._stratum_sizes = np.bincount(self.stratum, minlength=N_STRATA)

    @property
    def trust(self) -> np.ndarray:
        """Trust of every resident, gathered from the agents (a copy: read only)."""
        return np.fromiter((a.trust for a in self.agents), dtype=np.float32, count=self.n)

    @property
    def trust0(self) -> np.ndarray:
        """Initial trust of every resident, gathered from the agents."""
        return np.fromiter((a.trust0 for a in self.agents), dtype=np.float32, count=self.n)

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
            agent.trust = agent.trust0 = float(trust[i])
            agent.need_rates = [(c, rate) for c, rate in enumerate(
                weekly_need_rates(self._needs, self._weeks, int(group[i]), own)) if rate > 0]
        self._stratum_sizes = np.bincount(self.stratum, minlength=N_STRATA)

    def change_trust(self, who: np.ndarray, delta: np.ndarray | float) -> None:
        """Add ``delta`` (one value, or one per entry of ``who``) to the trust of agents ``who``."""
        deltas = np.broadcast_to(np.asarray(delta, dtype=np.float64), np.shape(who))
        for row, d in zip(np.asarray(who).tolist(), deltas.tolist(), strict=True):
            self.agents[row].change_trust(d)

    def change_trust_in(self, communities: np.ndarray, delta: np.ndarray | float) -> None:
        """Add ``delta`` (one value, or one per community) to every agent's trust in ``communities``."""
        deltas = np.broadcast_to(np.asarray(delta, dtype=np.float64), np.shape(communities))
        for k, d in zip(np.asarray(communities).tolist(), deltas.tolist(), strict=True):
            self.change_trust(np.flatnonzero(self.community == k), d)

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
