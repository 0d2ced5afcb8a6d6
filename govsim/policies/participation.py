r"""Participation: councils, online voting, micro-renewal money and volunteer points.

Deliberation councils (议事会), online voting, micro-renewal budgets (微更新)
and points for volunteering (积分制) bring residents into decisions (S1, S2,
S3). They align what is funded with what residents need and raise trust, if
decisions are real; where they are for show (``tokenism``) they lower it.

* **Who takes part.** Each week an adult resident $i$ takes part with
  probability $\frac{r}{W}\,(c + v\,\ell_i)$: $r$ = ``participation_rate``
  (per year), $W$ weeks a year, $c = 1$ with a ``council`` (anyone can come),
  $v = 1$ with ``online_voting``, $\ell_i = 1$ if her digital literacy (plus
  the elder mode's boost for the elderly) reaches the online channel's
  threshold. Online voting alone leaves out most of the elderly.
* **Trust.** A participant gains ``trust_gain_real`` when decisions are
  real, loses ``tokenism_loss`` under tokenism.
* **Alignment.** While decisions are real, the council records the money
  the community's needs ask for: each need raised adds
  $s_c\,\kappa_c$ (money share × cost of its category). At the next budget
  year's start the earmarked lines move a share $\alpha$ (``alignment``) of
  the way from the earmark's weights $w_c$ toward the community's own
  shares: $w_{kc}' = (1-\alpha)\,w_c + \alpha\,m_{kc}/\sum_{c'} m_{kc'}$.
  There is nothing to align before a year of records, nor in a block grant.
* **Money and hands.** ``micro_renewal_yuan`` is added to each community's
  flexible pool every year; ``volunteer_points_hours`` are volunteers' hours
  per community per week for ``care`` cases, worked before staff.

With no council, no voting, no money and no volunteers the run equals the
baseline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from govsim.model.policy import Policy, declare
from govsim.model.residents import CHILD, ELDERLY
from govsim.scenario.declarations import CATEGORIES
from govsim.scenario.params import Param

if TYPE_CHECKING:
    from govsim.metrics import Recorder
    from govsim.model.caseflow import WeekTally
    from govsim.model.govmodel import GovModel

CARE = CATEGORIES.index("care")


class Participation(Policy):
    """Residents take part in decisions: trust, aligned money, micro-renewal funds, volunteers."""

    type_name = "participation"
    metric_family = "participation"
    PARAMS = declare(
        "participation", "Councils, online voting, micro-renewal budgets and volunteer points "
        "(S1, S2, S3).",
        Param("council", "bool", False, "A deliberation council meets, open to every adult.",
              source="S1: 改造议事会, 居民议事厅"),
        Param("online_voting", "bool", False, "Residents vote online (only those able to use the online "
              "channel).", source="S1: anonymous voting in a mini-program"),
        Param("participation_rate", "float", 0.1, "Share of adults taking part per year through each "
              "channel.", unit="1/year", low=0.0, high=52.0,
              source="assumption: one adult in ten attends or votes in a year"),
        Param("trust_gain_real", "float", 0.03, "Trust a participant gains when decisions are real.",
              unit="score", low=0.0, high=1.0, source="S2: participation raises trust; assumption"),
        Param("tokenism", "bool", False, "Decisions are made elsewhere; participation is for show.",
              source="S2: guard against formalism (形式主义)"),
        Param("tokenism_loss", "float", 0.05, "Trust a participant loses under tokenism.",
              unit="score", low=0.0, high=1.0,
              source="S0: projects without real participation meet distrust; assumption"),
        Param("alignment", "float", 0.5, "Share by which earmarked lines move toward the community's "
              "recorded money needs each year (real decisions only).", unit="share", low=0.0,
              high=1.0, source="S1: a needs heat map guides the plan; assumption for the share"),
        Param("micro_renewal_yuan", "float", 0.0, "Money per community per year added to the flexible "
              "pool (micro-renewal funds, residents' contributions).", unit="yuan/year", low=0.0,
              high=1e9, source="S1: 社区微更新; government subsidy + residents' own funds"),
        Param("volunteer_points_hours", "float", 0.0, "Volunteers' hours per community per week on "
              "care cases, earned as points.", unit="hours/week", low=0.0, high=10000.0,
              source="S1: points system (积分制) for volunteering"),
    )

    def setup(self, model: GovModel) -> None:
        """Prepare the stream, the record of money needs and the weekly count."""
        self.rng = model.streams(self.stream_name())
        k = model.hierarchy.communities
        self.need_money = np.zeros((k, len(CATEGORIES)))
        self.participants = np.zeros(k, dtype=np.int64)
        self.unit_money = model.needs.money_share * model.needs.cost

    @property
    def channels(self) -> bool:
        """Whether residents have any way to take part."""
        return bool(self.params["council"] or self.params["online_voting"])

    def week_start(self, model: GovModel, week: int) -> None:
        """Volunteers earning points work care cases."""
        model.levers.extra_capacity[:, CARE] += self.params["volunteer_points_hours"]

    def year_start(self, model: GovModel, week: int) -> None:
        """Micro-renewal money; lines bent toward last year's recorded needs."""
        if not self.active(week):
            return
        p = self.params
        if p["micro_renewal_yuan"] > 0:
            model.budget.add_flexible(p["micro_renewal_yuan"])
        if self.channels and not p["tokenism"] and p["alignment"] > 0:
            model.budget.align(p["alignment"], self.need_money)
        self.need_money = np.zeros_like(self.need_money)

    def weekly(self, model: GovModel, week: int, tally: WeekTally) -> None:
        """Residents take part and their trust moves; the council records the week's needs."""
        self.participants = np.zeros(model.hierarchy.communities, dtype=np.int64)
        if not (self.active(week) and self.channels):
            return
        p, res = self.params, model.residents
        if not p["tokenism"]:
            raised = tally.rows("raised")
            np.add.at(self.need_money, (res.community[raised], tally.categories("raised")),
                      self.unit_money[tally.categories("raised")])
        chance = p["participation_rate"] / model.weeks_per_year * self._reach(model)
        who = np.flatnonzero(self.rng.random(res.n) < chance)
        self.participants = np.bincount(res.community[who], minlength=model.hierarchy.communities)
        delta = -p["tokenism_loss"] if p["tokenism"] else p["trust_gain_real"]
        if delta:
            res.change_trust(who, delta)

    def _reach(self, model: GovModel) -> np.ndarray:
        """Channels open to each resident: 1 per council, 1 more per online vote she can cast."""
        res, channels = model.residents, model.levers.channels
        reach = np.full(res.n, float(self.params["council"]))
        if self.params["online_voting"] and channels.online:
            elderly = res.group == ELDERLY
            effective = res.literacy + np.where(elderly, channels.elder_boost, 0.0)
            reach += effective >= channels.literacy_threshold
        reach[res.group == CHILD] = 0.0
        return reach

    def record(self, model: GovModel, week: int, recorder: Recorder) -> None:
        recorder.overall(week, "participants", float(self.participants.sum()))
        recorder.by(week, "participants", "community", self.participants)
