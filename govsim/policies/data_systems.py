"""Data silos and their integration (S0, S2, S3).

S3: in one district's e-government, communities entered data into as many as
17 systems, each developed and run by its own department, so residents'
information was scattered, work was repeated, and still "the numbers were
unclear". S0: departments do not share data or procedures; a cross-cutting
case such as illegal construction is passed back and forth between them
(推诿) and stays unsolved. S2: a shared platform avoids repeated entry and lets
departments work a case together.

The baseline already carries the 17 systems' data-entry hours (each
department's system plus ``departments.extra_systems``); two policy types act
on top of it through the week's levers:

``data_silos`` switches on the passing back and forth. A case reaching the
county is first sent to a wrong department a geometric number of times, each
pass costing the department's approval delay (the model's ``bounce_probability``
lever, counted in the metric ``bounces``). Systems may be added: with
:math:`E` the baseline's data-entry hours per community and ``added_systems``
:math:`a` systems of ``hours_per_system`` :math:`h` each, data-entry hours
are multiplied by :math:`(E + a h) / E`.

``data_integration`` merges a share :math:`m` (``merged_share``) of the
systems into one platform. A merged system's entry is cut by ``entry_saving``
:math:`s` (data entered once serves every department), and merged data lets a
case reach the right department first time:

.. math::

   f_{entry} \\leftarrow f_{entry} \\, (1 - r_t\\, m\\, s), \\qquad
   b \\leftarrow b \\, (1 - r_t\\, m)

where :math:`r_t` is the share of the rollout done: it grows linearly from 0 to
1 over ``rollout_weeks`` after the policy starts. During the rollout each
community also spends ``rollout_hours`` a week migrating records and learning
the platform (S0: staff spend a lot of time learning to use new systems).

Integration reduces what the silos set, so ``data_silos`` must be listed
before ``data_integration`` in the scenario (checked when the model is built).
With ``bounce_probability`` 0 and no added systems, or ``merged_share`` 0 and
no rollout hours, a policy leaves every lever at the baseline's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govsim.model.policy import Policy, declare
from govsim.scenario.declarations import DEPARTMENTS
from govsim.scenario.params import Param

if TYPE_CHECKING:
    from govsim.model.govmodel import GovModel


def baseline_entry_hours(departments: dict) -> float:
    """Data-entry hours per community per week in the scenario's own systems."""
    own = sum(departments[name]["data_entry_hours"] for name in DEPARTMENTS)
    return own + departments["extra_systems"] * departments["extra_system_hours"]


class DataSilos(Policy):
    """Departments' separate systems: cases passed to the wrong department, systems added."""

    type_name = "data_silos"
    PARAMS = declare(
        "data_silos", "Departments that do not share data: cases passed back and forth (S0, S3).",
        Param("bounce_probability", "float", 0.3,
              "Chance that a case reaching the county is passed to the wrong department "
              "(again after each wrong pass).", unit="share", low=0.0, high=0.95,
              source="S0: cross-department cases passed back and forth (推诿); assumption for the number"),
        Param("added_systems", "int", 0, "Systems added on top of the scenario's own.",
              unit="systems", low=0, high=100, source="S3: 17 systems, each department its own"),
        Param("hours_per_system", "float", 1.0,
              "Data-entry hours per community per week of each added system.",
              unit="hours/week", low=0.0, high=40.0, source="assumption: as the scenario's extra systems"),
    )

    def setup(self, model: GovModel) -> None:
        """Work out how much the added systems raise data entry."""
        p = self.params
        base = baseline_entry_hours(model.params["departments"])
        added = p["added_systems"] * p["hours_per_system"]
        self.entry_factor = (base + added) / base if base > 0 else 1.0
        self.added_hours = added if base <= 0 else 0.0

    def week_start(self, model: GovModel, week: int) -> None:
        """Raise the chance of wrong passes and the data-entry hours."""
        levers = model.levers
        levers.bounce_probability = 1.0 - (1.0 - levers.bounce_probability) * (
            1.0 - self.params["bounce_probability"])
        levers.data_entry_factor *= self.entry_factor
        if self.added_hours:
            levers.extra_admin += self.added_hours


class DataIntegration(Policy):
    """A shared platform merging departments' systems, rolled out over some weeks."""

    type_name = "data_integration"
    PARAMS = declare(
        "data_integration", "Systems merged into one platform: less entry, cases routed right (S2, S3).",
        Param("merged_share", "float", 0.8, "Share of the data systems merged into the platform.",
              unit="share", low=0.0, high=1.0,
              source="S2: a unified database and platform; assumption: some systems stay apart"),
        Param("entry_saving", "float", 0.7, "Share of a merged system's entry hours saved.",
              unit="share", low=0.0, high=1.0,
              source="S2: sharing avoids repeated entry; assumption: data is still entered once"),
        Param("rollout_weeks", "int", 26, "Weeks over which the savings grow to their full size.",
              unit="weeks", low=0, high=520, source="assumption: half a year to move the records"),
        Param("rollout_hours", "float", 3.0,
              "Hours per community per week spent migrating records and learning the platform "
              "during the rollout.", unit="hours/week", low=0.0, high=100.0,
              source="S0: staff spend a lot of time learning to operate new systems"),
    )

    def link(self, model: GovModel) -> None:
        """Integration cuts what the silos set, so the silos must come first."""
        silos = [q.index for q in model.policies if q.type_name == DataSilos.type_name]
        if any(index > self.index for index in silos):
            raise ValueError("data_integration must be listed after data_silos in the scenario's policies")

    def progress(self, week: int) -> float:
        """Share of the rollout done by ``week`` (1 once it is over)."""
        weeks = self.params["rollout_weeks"]
        return 1.0 if weeks <= 0 else min(1.0, (week - self.start + 1) / weeks)

    def week_start(self, model: GovModel, week: int) -> None:
        """Cut data entry and wrong passes by the merged share; charge rollout hours."""
        p, levers = self.params, model.levers
        done = self.progress(week) * p["merged_share"]
        levers.data_entry_factor *= 1.0 - done * p["entry_saving"]
        levers.bounce_probability *= 1.0 - done
        if week - self.start < p["rollout_weeks"] and p["rollout_hours"] > 0:
            levers.extra_admin += p["rollout_hours"]
