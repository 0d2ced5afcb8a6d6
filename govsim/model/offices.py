"""Offices above the community: county departments and township offices.

Departments are few and individual, so they are Mesa agents: each pushes
admin tasks and a data system down to every community and works the cases
escalated to the county in its own field, with its own capacity and approval
delay. Township offices work cases escalated from their communities.
"""

from __future__ import annotations

import mesa
import numpy as np

from govsim.model.agent import GovAgent
from govsim.scenario.declarations import DEPARTMENTS


class Department(GovAgent):
    """A county department (civil affairs, health, ...).

    Attributes:
        name: The department's key, e.g. ``civil_affairs``.
        index: Its position in :data:`DEPARTMENTS`.
        task_hours: Admin hours pushed to each community per week.
        data_entry_hours: Hours each community spends in its data system per week.
        capacity_hours: Hours per week it gives to escalated cases (``capacity_per_10k`` per
            10,000 residents of the county, unless the scenario fixes ``capacity_hours``).
        delay_weeks: Approval delay before it acts on an escalated case.
    """

    def __init__(self, model: mesa.Model, name: str, spec: dict) -> None:
        super().__init__(model)
        self.name = name
        self.index = DEPARTMENTS.index(name)
        self.task_hours = spec["task_hours"]
        self.data_entry_hours = spec["data_entry_hours"]
        fixed = spec["capacity_hours"]
        county = int(model.hierarchy.community_residents.sum())
        self.capacity_hours = fixed if fixed is not None else spec["capacity_per_10k"] * county / 1e4
        self.delay_weeks = spec["delay_weeks"]


def build_departments(model: mesa.Model, spec: dict) -> list[Department]:
    """One agent per department, in the order of :data:`DEPARTMENTS`."""
    return [Department(model, name, spec[name]) for name in DEPARTMENTS]


def admin_hours(departments: list[Department], spec: dict, posts_overhead: np.ndarray,
                data_entry_factor: float = 1.0, reporting_cap: float = np.inf,
                task_factor: float = 1.0) -> np.ndarray:
    """Compulsory admin hours per community this week.

    Tasks from every department (times ``task_factor``, which burden
    reduction lowers); data entry into every department's system and
    the extra systems (times ``data_entry_factor``, which integration lowers);
    reporting and inspections (at most ``reporting_cap``, which burden
    reduction sets); and the overhead of holding several posts.
    """
    tasks = sum(d.task_hours for d in departments)
    entry = sum(d.data_entry_hours for d in departments) + spec["extra_systems"] * spec["extra_system_hours"]
    reporting = min(spec["reporting_hours"], reporting_cap)
    return tasks * task_factor + entry * data_entry_factor + reporting + posts_overhead
