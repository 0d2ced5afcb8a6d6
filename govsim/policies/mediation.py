r"""Disputes and mediation: agreements that break, disputes that recur, incidents online.

Disputes between residents (parking, property management, neighbours) and
with firms are the need category ``dispute``; the model already raises them,
works them up the ladder and lets residents escalate or give up. Listing this
mechanism switches on what happens after and around a case (S0, S1):

* **Agreements break.** A dispute resolved by the part-time mediators of the
  baseline holds with probability ``agreement_holds``; otherwise the same
  resident raises the dispute again after a delay
  $d \sim \mathrm{Geometric}(1/\bar d)$ weeks ($\bar d$ = ``recur_weeks``).
* **Unresolved disputes go online.** Each dispute abandoned or pushed up the
  ladder by its resident this week is amplified online with probability
  ``amplify_share`` (网络发酵). When a community has at least
  ``incident_threshold`` amplified disputes within ``incident_window_weeks``,
  they turn into a collective incident (群体性事件): the community spends
  ``incident_hours`` of extra admin next week and every resident loses
  ``incident_trust_loss`` trust; the count then starts again.
* **The mediation programme.** ``professional_mediators`` adds mediators'
  hours per community per week for disputes (worked before staff) and raises
  the chance an agreement holds to ``professional_holds``;
  ``online_mediation`` multiplies a dispute's hours by
  ``online_hours_factor``; ``follow_up`` (a mediate–execute–follow-up loop)
  raises it to ``follow_up_holds`` at a cost of ``follow_up_hours`` staff hours
  per resolved dispute, charged as admin next week. With several remedies
  the best chance applies:

  $p_{hold} = \max(p_0,\ p_{pro}\,[H_{pro}>0],\ p_{fu}\,[\text{follow-up}])$.

Everything is drawn from the policy's own stream, so with agreements that
always hold, no amplification and no programme the run equals the baseline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from govsim.model.policy import Policy, declare
from govsim.scenario.declarations import CATEGORIES
from govsim.scenario.params import Param

if TYPE_CHECKING:
    from govsim.metrics import Recorder
    from govsim.model.caseflow import WeekTally
    from govsim.model.govmodel import GovModel

DISPUTE = CATEGORIES.index("dispute")


class Mediation(Policy):
    """Dispute dynamics (breaking agreements, amplification, incidents) and the mediation programme."""

    type_name = "mediation"
    metric_family = "mediation"
    PARAMS = declare(
        "mediation", "Disputes that recur and escalate online; professional, online and "
        "followed-up mediation (S0, S1).",
        Param("agreement_holds", "float", 0.6, "Chance an agreement reached by part-time mediators holds.",
              unit="share", low=0.0, high=1.0,
              source="S0: part-time mediators, no follow-up, agreements break; assumption for 0.6"),
        Param("recur_weeks", "float", 8.0, "Mean weeks before a broken agreement flares up again.",
              unit="weeks", low=1.0, high=520.0, source="assumption: within a season"),
        Param("amplify_share", "float", 0.15, "Chance an unresolved dispute (abandoned, or pushed up "
              "by its resident) is amplified online.", unit="share", low=0.0, high=1.0,
              source="S0: online amplification (网络发酵); assumption for the size"),
        Param("incident_threshold", "int", 3, "Amplified disputes in one community within the window "
              "that turn into a collective incident.", unit="disputes", low=1, high=10000,
              source="S0: amplified disputes can become a mass incident (群体性事件); assumption"),
        Param("incident_window_weeks", "int", 8, "Weeks over which amplified disputes add up.",
              unit="weeks", low=1, high=520, source="assumption: public attention lasts weeks"),
        Param("incident_hours", "float", 40.0, "Extra admin hours an incident costs its community.",
              unit="hours", low=0.0, high=10000.0,
              source="S0: incidents drain staff time; assumption: a week of one worker"),
        Param("incident_trust_loss", "float", 0.02, "Trust every resident of the community loses in an "
              "incident.", unit="score", low=0.0, high=1.0,
              source="S0: incidents damage credibility; assumption for the size"),
        Param("professional_mediators", "float", 0.0, "Professional mediators' hours per community per "
              "week for disputes (0: part-time mediators only).", unit="hours/week", low=0.0,
              high=10000.0, source="S0/S1: professional mediators as a remedy"),
        Param("professional_holds", "float", 0.8, "Chance an agreement holds where professional "
              "mediators work.", unit="share", low=0.0, high=1.0, source="assumption"),
        Param("online_mediation", "bool", False, "Disputes can be mediated online.",
              source="S1: online mediation"),
        Param("online_hours_factor", "float", 0.7, "Hours of a dispute with online mediation relative to "
              "without.", unit="×", low=0.0, high=10.0, source="assumption: fewer meetings in person"),
        Param("follow_up", "bool", False, "Agreements are followed up (mediate–execute–follow-up loop).",
              source="S0: a follow-up loop keeps agreements"),
        Param("follow_up_holds", "float", 0.9, "Chance an agreement holds when it is followed up.",
              unit="share", low=0.0, high=1.0, source="assumption"),
        Param("follow_up_hours", "float", 0.5, "Staff hours to follow up one resolved dispute.",
              unit="hours", low=0.0, high=100.0, source="assumption: a call and a visit"),
    )

    def setup(self, model: GovModel) -> None:
        """Prepare the stream, the count of amplified disputes and the recurrence log."""
        self.rng = model.streams(self.stream_name())
        k = model.hierarchy.communities
        self.amplified = np.zeros((self.params["incident_window_weeks"], k), dtype=np.int64)
        self.recurring: dict[int, np.ndarray] = {}  # week → recurrences per community
        self.incidents = np.zeros(k, dtype=np.int64)

    def hold_chance(self) -> float:
        """Chance an agreement holds under the mediation in place."""
        p = self.params
        chance = p["agreement_holds"]
        if p["professional_mediators"] > 0:
            chance = max(chance, p["professional_holds"])
        if p["follow_up"]:
            chance = max(chance, p["follow_up_holds"])
        return chance

    def week_start(self, model: GovModel, week: int) -> None:
        """The programme's mediators and online mediation."""
        p, levers = self.params, model.levers
        levers.extra_capacity[:, DISPUTE] += p["professional_mediators"]
        if p["online_mediation"]:
            levers.category_hours_factor[DISPUTE] *= p["online_hours_factor"]

    def after_cases(self, model: GovModel, week: int, tally: WeekTally) -> None:
        """Agreements break (to recur later); unresolved disputes go online and may set off incidents."""
        self.incidents = np.zeros(model.hierarchy.communities, dtype=np.int64)
        if not self.active(week):
            return
        self._agreements(model, week, tally)
        self._amplify(model, week, tally)

    def _agreements(self, model: GovModel, week: int, tally: WeekTally) -> None:
        k, community = model.hierarchy.communities, model.residents.community
        rows = _disputes(tally, "in_time", "late")
        if self.params["follow_up"]:
            model.extra_admin += self.params["follow_up_hours"] * np.bincount(community[rows], minlength=k)
        broken = rows[self.rng.random(rows.size) >= self.hold_chance()]
        if broken.size == 0:
            return
        due = week + self.rng.geometric(1.0 / self.params["recur_weeks"], broken.size)
        model.schedule_needs(due, broken, np.full(broken.size, DISPUTE, dtype=np.int8), self.stream_name())
        weeks, which = np.unique(due, return_inverse=True)
        per_week = np.bincount(which * k + community[broken], minlength=weeks.size * k).reshape(-1, k)
        for later, counts in zip(weeks.tolist(), per_week, strict=True):
            self.recurring[later] = self.recurring.get(later, 0) + counts

    def _amplify(self, model: GovModel, week: int, tally: WeekTally) -> None:
        p, k = self.params, model.hierarchy.communities
        rows = _disputes(tally, "abandoned", "escalated")
        amplified = rows[self.rng.random(rows.size) < p["amplify_share"]]
        self.amplified[week % self.amplified.shape[0]] = np.bincount(
            model.residents.community[amplified], minlength=k)
        erupt = self.amplified.sum(axis=0) >= p["incident_threshold"]
        if not erupt.any():
            return
        self.amplified[:, erupt] = 0
        self.incidents = erupt.astype(np.int64)
        model.extra_admin += np.where(erupt, p["incident_hours"], 0.0)
        if p["incident_trust_loss"] > 0:
            model.residents.change_trust_in(np.flatnonzero(erupt), -p["incident_trust_loss"])

    def record(self, model: GovModel, week: int, recorder: Recorder) -> None:
        recurring = self.recurring.pop(week, np.zeros(model.hierarchy.communities, dtype=np.int64))
        for name, values in (("recurrences", recurring), ("incidents", self.incidents)):
            recorder.overall(week, name, float(values.sum()))
            recorder.by(week, name, "community", values)


def _disputes(tally: WeekTally, *kinds: str) -> np.ndarray:
    """Residents of this week's dispute cases of the given kinds."""
    rows = np.concatenate([tally.rows(kind) for kind in kinds])
    categories = np.concatenate([tally.categories(kind) for kind in kinds])
    return rows[categories == DISPUTE]
