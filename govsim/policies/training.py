"""Training: community workers learn their trade, at the cost of hours away from cases.

While the policy is in force every worker in post trains each week. Her skill
(the productivity multiplier of her hours) rises by ``skill_gain`` up to
``skill_cap``, and never falls because of training:

    skill ← max(skill, min(skill_cap, skill + skill_gain))

Each week of training costs ``hours_per_worker`` of every worker in post, as
compulsory admin of that week (phase 5), so the hours for cases fall at once
while the skill pays off later. Newcomers arrive with ``staff.new_worker_skill``
and are trained like the others. Skill gained stays when the programme ends;
burnout still lowers productivity as before. S0: older staff had little
systematic training and struggle with data platforms and emergency work; S3:
skills training for grid workers (网格“七员”的技能培训).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govsim.model.policy import Policy, declare
from govsim.scenario.params import Param

if TYPE_CHECKING:
    from govsim.model.caseflow import WeekTally
    from govsim.model.govmodel import GovModel


class Training(Policy):
    """A standing training programme for community workers."""

    type_name = "training"
    PARAMS = declare(
        "training", "Systematic training that raises workers' skill (S0, S3).",
        Param("skill_gain", "float", 0.004, "Skill gained per week of training.", unit="score/week",
              low=0.0, high=1.0,
              source="assumption: a year of training lifts an average worker by about 0.2"),
        Param("skill_cap", "float", 0.9, "Highest skill training can reach.", unit="score",
              low=0.05, high=1.0, source="assumption: experience matters beyond courses"),
        Param("hours_per_worker", "float", 2.0, "Hours each worker in post spends training per week.",
              unit="hours/week", low=0.0, high=40.0,
              source="assumption: half a day a fortnight; S0: staff lack systematic training"),
    )

    def week_start(self, model: GovModel, week: int) -> None:
        """This week's training hours are compulsory admin."""
        model.levers.extra_admin = model.levers.extra_admin + (
            self.params["hours_per_worker"] * model.workforce.count())

    def weekly(self, model: GovModel, week: int, tally: WeekTally) -> None:
        """Workers in post gain skill while the programme runs."""
        if self.active(week):
            model.workforce.train(self.params["skill_gain"], self.params["skill_cap"])
