"""Offices above the community: county departments and township offices.

Departments are few and individual, so they are Mesa agents: each pushes
admin tasks and a data system down to every community and works the cases
escalated to the county in its own field, with its own capacity and approval
delay. Township offices work cases escalated from their communities.
"""

from __future__ import annotations

import mesa
import numpy as np

from govsim.scenario.declarations import DEPARTMENTS


class Department(mesa.Agent):
    """A county department (civil affairs, health, ...).

    Attributes:
        name: The department's key, e.g. ``civil_affairs``.
        index: Its position in :data:`DEPARTMENTS`.
        task_hours: Admin hours pushed to each community per week.
        data_entry_hours: Hours each community spends in its data system per week.
        capacity_hours: Hours per week it gives to escalated cases.
        delay_weeks: Approval delay before it acts on an escalated case.
    """

    def __init__(self, model: mesa.Model, name: str, spec: dict) -> None:
        super().__init__(model)
        self.name = name
        self.index = DEPARTMENTS.index(name)
        self.task_hours = spec["task_hours"]
        self.data_entry_hours = spec["data_entry_hours"]
        self.capacity_hours = spec["capacity_hours"]
        self.delay_weeks = spec["delay_weeks"]


def build_departments(model: mesa.Model, spec: dict) -> list[Department]:
    """One agent per department, in the order of :data:`DEPARTMENTS`."""
    return [Department(model, name, spec[name]) for name in DEPARTMENTS]


def admin_hours(departments: list[Department], spec: dict, posts_overhead: np.ndarray) -> np.ndarray:
    """Compulsory admin hours per community this week, before any policy.

    Tasks and data entry from every department, the extra data systems,
    reporting and inspections, and the overhead of holding several posts.
    """
    per_community = sum(d.task_hours + d.data_entry_hours for d in departments)
    per_community += spec["extra_systems"] * spec["extra_system_hours"] + spec["reporting_hours"]
    return per_community + posts_overhead
