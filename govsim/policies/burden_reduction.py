"""Burden reduction (基层减负): fewer tasks pushed down, merged forms, capped reporting.

Each week the policy is in force it sets three of the week's levers (so it
needs no undo when it ends):

* departments' admin tasks are cut by ``task_cut``: ``task_factor ×= 1 − task_cut``;
* data entry is cut by ``data_entry_cut`` (forms merged, one report for
  many departments, 多表合一): ``data_entry_factor ×= 1 − data_entry_cut``;
* reports and inspections take at most ``reporting_cap`` hours a week:
  ``reporting_cap ← min(reporting_cap, cap)``.

A community's compulsory admin is then

    admin = task_factor × Σ task_hours + data_entry_factor × (Σ data_entry_hours
            + extra_systems × extra_system_hours) + min(reporting_hours, reporting_cap)
            + post overhead + extra admin,

and what it frees goes to cases under either priority rule (see ``workplan``).
The factors multiply those set by other policies (e.g. data integration), and
the cap takes the lower of two caps. S3: communities filled in 17 systems and
"burden reduction for higher effectiveness" (基层减负增效) is official policy;
S0: tasks and reports pushed down by every department.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govsim.model.policy import Policy, declare
from govsim.scenario.params import Param

if TYPE_CHECKING:
    from govsim.model.govmodel import GovModel

#: A cap this high never binds: the declared reporting hours go no higher.
NO_CAP = 1000.0


class BurdenReduction(Policy):
    """Cut the admin pushed down to communities."""

    type_name = "burden_reduction"
    PARAMS = declare(
        "burden_reduction", "Fewer tasks, merged forms and capped reporting for communities (S0, S3).",
        Param("task_cut", "float", 0.0, "Share of departments' admin task hours no longer pushed down.",
              unit="share", low=0.0, high=1.0,
              source="S3: 基层减负增效; assumption for the size"),
        Param("data_entry_cut", "float", 0.0,
              "Share of data-entry hours saved by merging forms and reports (多表合一).",
              unit="share", low=0.0, high=1.0, source="S3: 17 systems in one district; assumption"),
        Param("reporting_cap", "float", NO_CAP,
              "Most hours per community per week on reports and inspections (1000: no cap).",
              unit="hours/week", low=0.0, high=NO_CAP,
              source="S0: reporting and inspection burden; assumption for the cap"),
    )

    def week_start(self, model: GovModel, week: int) -> None:
        """Lower this week's task and data-entry factors and cap reporting."""
        levers, p = model.levers, self.params
        levers.task_factor *= 1.0 - p["task_cut"]
        levers.data_entry_factor *= 1.0 - p["data_entry_cut"]
        if p["reporting_cap"] < NO_CAP:
            levers.reporting_cap = min(levers.reporting_cap, p["reporting_cap"])
