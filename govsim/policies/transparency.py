r"""Transparency and fairness: open decisions and fair mediation build trust; opacity erodes it.

S0 names three ways the local organisation loses credibility: decisions made
behind closed doors, mediation that visibly favours one side (after which
residents turn to petitions), and spending nobody can see. This mechanism
adds those trust movements to the model's own (which come from how cases
are answered), each week while in force:

* **Open decisions** (``open_decisions``): decisions and their reasons are
  published, so every resident whose case is resolved (in time or late)
  gains ``open_gain`` on top of the model's own gain or loss.
* **Fair mediation** (``mediation_fairness`` $f$): the party of each resolved
  dispute finds the outcome fair with probability $f$ and gains
  $g$ = ``fairness_stake``; otherwise she loses $g\,\beta$, where $\beta$ is
  ``behaviour.negativity_bias``. The expected change per mediated dispute is
  $g\,(f - (1-f)\beta)$: with the default bias 2.5, mediation must be fair
  more than 71% of the time to build trust at all.
* **Opaque spending** (``opaque_spending``): service money spent without
  disclosure costs trust. Every 10,000 yuan a community spends costs
  ``opaque_loss_per_10k`` trust in all, spread evenly over its $N_k$
  residents: each loses $\lambda\,S_k / (10^4\,N_k)$, $S_k$ the week's
  spending.

Lower trust feeds back through the model: residents with low trust push late
cases up the ladder more often (``behaviour.low_trust_escalation``). With
``open_decisions`` and ``opaque_spending`` off and ``fairness_stake`` 0 the run
equals the baseline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from govsim.model.policy import Policy, declare
from govsim.model.trust import COMMUNITY
from govsim.scenario.declarations import CATEGORIES
from govsim.scenario.params import Param

if TYPE_CHECKING:
    from govsim.model.caseflow import WeekTally
    from govsim.model.govmodel import GovModel

DISPUTE = CATEGORIES.index("dispute")
PER = 10_000.0  # yuan: the unit of opaque spending


class Transparency(Policy):
    """Trust that moves with open decisions, the fairness of mediation and opaque spending."""

    type_name = "transparency"
    PARAMS = declare(
        "transparency", "Open decisions and fair mediation build trust; unfair outcomes and opaque "
        "spending erode it (S0, S2).",
        Param("open_decisions", "bool", True, "Decisions and their reasons are published.",
              source="S0/S2: open, transparent decisions (决策公开)"),
        Param("open_gain", "float", 0.005, "Extra trust a resident gains when her case is resolved under "
              "open decisions.", unit="score", low=0.0, high=1.0,
              source="assumption: half the gain of an answer in time"),
        Param("mediation_fairness", "float", 0.8, "Chance a party finds a mediated outcome fair.",
              unit="share", low=0.0, high=1.0,
              source="S0: mediation seen as biased loses residents' trust; assumption for 0.8"),
        Param("fairness_stake", "float", 0.01, "Trust a party gains from a fair outcome (an unfair one "
              "costs this times the negativity bias).", unit="score", low=0.0, high=1.0,
              source="assumption: as much as an answer in time"),
        Param("opaque_spending", "bool", False, "Service money is spent without disclosure.",
              source="S0: opaque decisions on livelihood projects (决策过程不公开)"),
        Param("opaque_loss_per_10k", "float", 20.0, "Trust lost in all, spread over a community's "
              "residents, per 10,000 yuan it spends without disclosure.", unit="score/10,000 yuan",
              low=0.0, high=1e6,
              source="assumption: 0.01-0.02 trust a year per resident at the baseline's spending"),
    )

    def setup(self, model: GovModel) -> None:
        """Prepare the policy's own stream."""
        self.rng = model.streams(self.stream_name())

    def after_cases(self, model: GovModel, week: int, tally: WeekTally) -> None:
        """This week's resolved cases, mediated disputes and spending move trust."""
        if not self.active(week):
            return
        p, res = self.params, model.residents
        resolved = np.concatenate([tally.rows("in_time"), tally.rows("late")])
        if p["open_decisions"] and p["open_gain"] > 0:
            res.change_trust(resolved, p["open_gain"])
        if p["fairness_stake"] > 0 or p["mediation_fairness"] < 1:
            categories = np.concatenate([tally.categories("in_time"), tally.categories("late")])
            parties = resolved[categories == DISPUTE]
            fair = self.rng.random(parties.size) < p["mediation_fairness"]
            bias = model.params["behaviour"]["negativity_bias"]
            res.change_trust(parties, np.where(fair, p["fairness_stake"], -p["fairness_stake"] * bias))
            # S0: after a mediation that favours one side, residents turn to petitions (§7.33).
            model.petitions.grievance(parties[~fair], "unfair_mediation", COMMUNITY)
        if p["opaque_spending"] and tally.money_spent is not None and tally.money_spent.any():
            self._opaque(model, tally.money_spent)

    def _opaque(self, model: GovModel, spent: np.ndarray) -> None:
        """Each resident loses her share of the community's loss from undisclosed spending."""
        sizes = model.hierarchy.community_residents
        per_resident = np.divide(self.params["opaque_loss_per_10k"] * spent / PER, sizes,
                                 out=np.zeros(spent.size), where=sizes > 0)
        hit = np.flatnonzero(per_resident > 0)
        model.residents.change_trust_in(hit, -per_resident[hit])
