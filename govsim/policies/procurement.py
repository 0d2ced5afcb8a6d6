"""Government purchase of services (政府购买服务) and incubation of social organisations.

S3: the government can buy services from social organisations (elderly care,
counselling, legal aid), but of the registered organisations about a third
are active, a third barely operate and a third are dormant, and few take part
in the projects put out to tender. Money can only buy services someone is
able to give; incubation (培育) grows the supply.

**Buying hours (each week in force, phase 1).** The county's yearly budget
The yearly budget B (``budget_per_capita`` × residents, or a fixed
``budget_yuan``) is spent in equal weekly shares. At ``price_per_hour`` it buys
H = B / (W × price_per_hour) hours a week from the organisations
without a standing contract that are not dormant and serve one of
``specialties`` (empty: any). Each is offered the same share of its capacity
c_i, so no one sells more than it can give:

    h_i = c_i × min(1, H / Σ c_j).

An organisation with a contract is ``funded`` with ``contract_hours = h_i``
and gives those hours to open cases of its specialty in its community before
staff do (phase 4), like the organisations the scenario funds from the start
(``organisations.funded_share``, untouched). Contracts are renewed each week
for the hours then on offer and cancelled after the window's last week. Money
not spent in a week (too few sellers) is not carried over. The purchase
budget is the county's, separate from the communities' service money.

**Incubation (each week in force, phase 12).** Each dormant organisation
becomes barely operating, and each barely operating one active, with
probability ``incubation`` (one step a week at most; drawn from the policy's
stream). Its capacity becomes ``organisations.capacity_barely`` or
``capacity_active``. Organisations woken up stay awake after the window.

Recorded: ``procurement_spent`` (money paid for contracted hours, by the
organisation's community) and ``active_organisations``.
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
    from govsim.model.organisations import Organisation


class Procurement(Policy):
    """Buy hours from social organisations and incubate dormant ones."""

    type_name = "procurement"
    metric_family = "procurement"
    PARAMS = declare(
        "procurement", "Buying services from social organisations, and incubating them (S3).",
        Param("budget_per_capita", "float", 5.0,
              "County money a year for buying services, per resident of the county.",
              unit="yuan/resident/year", low=0.0, high=1e6,
              source="S3: government purchase of services (购买服务); assumption for the size "
                     "(the earlier 120,000 yuan a year for the teaching county of 24,000)"),
        Param("budget_yuan", "float", None,
              "Fix the county's money a year for buying services instead (default: per capita).",
              unit="yuan/year", low=0.0, high=1e10, source="a scenario choice"),
        Param("price_per_hour", "float", 60.0, "Price of one hour of an organisation's service.",
              unit="yuan/hour", low=0.01, high=1e5,
              source="assumption: a social worker's hourly cost with overheads"),
        Param("incubation", "float", 0.005,
              "Weekly chance a dormant organisation wakes up, or a barely operating one becomes active.",
              unit="1/week", low=0.0, high=1.0,
              source="S3: rural organisations need cultivating (培育); assumption: a quarter a year"),
        Param("specialties", "list", [], "Categories of service bought (empty: any).",
              choices=CATEGORIES, source="S3: elderly care, counselling, legal aid"),
    )

    def setup(self, model: GovModel) -> None:
        """Note what is bought; no contracts yet."""
        self.rng = model.streams(self.stream_name())
        wanted = self.params["specialties"] or CATEGORIES
        self.wanted = {CATEGORIES.index(c) for c in wanted}
        self.contracts: list[Organisation] = []
        self.spent = np.zeros(model.hierarchy.communities)

    def yearly_budget(self, model: GovModel) -> float:
        """The county's money a year for buying services: fixed, or per resident."""
        fixed = self.params["budget_yuan"]
        return fixed if fixed is not None else self.params["budget_per_capita"] * model.residents.n

    def week_start(self, model: GovModel, week: int) -> None:
        """Renew this week's contracts with the hours the weekly budget buys."""
        self._cancel()
        p, k = self.params, model.hierarchy.communities
        sellers = [o for o in model.organisations
                   if not o.funded and o.status != "dormant" and o.specialty in self.wanted]
        capacity = np.array([o.capacity_hours for o in sellers])
        hours_bought = self.yearly_budget(model) / (model.weeks_per_year * p["price_per_hour"])
        total = capacity.sum()
        if hours_bought <= 0 or total <= 0:
            self.spent = np.zeros(k)
            return
        hours = capacity * min(1.0, hours_bought / total)
        for org, h in zip(sellers, hours, strict=True):
            org.funded, org.contract_hours = True, float(h)
        self.contracts = sellers
        community = np.array([o.community for o in sellers], dtype=np.int64)
        self.spent = np.bincount(community, weights=hours * p["price_per_hour"], minlength=k)

    def weekly(self, model: GovModel, week: int, tally: WeekTally) -> None:
        """Incubate while in force; cancel the contracts when the window closes."""
        if self.active(week):
            self._incubate(model)
        else:
            self.spent = np.zeros(model.hierarchy.communities)
        if not self.active(week + 1):
            self._cancel()

    def _incubate(self, model: GovModel) -> None:
        orgs = model.organisations
        steps = self.rng.random(len(orgs)) < self.params["incubation"]
        spec = model.params["organisations"]
        for org, step in zip(orgs, steps, strict=True):
            if step and org.status == "dormant":
                org.status, org.capacity_hours = "barely", spec["capacity_barely"]
            elif step and org.status == "barely":
                org.status, org.capacity_hours = "active", spec["capacity_active"]

    def _cancel(self) -> None:
        for org in self.contracts:
            org.funded, org.contract_hours = False, None
        self.contracts = []

    def record(self, model: GovModel, week: int, recorder: Recorder) -> None:
        k = model.hierarchy.communities
        active = np.bincount(np.array([o.community for o in model.organisations if o.status == "active"],
                                      dtype=np.int64), minlength=k).astype(np.float64)
        for name, values in (("procurement_spent", self.spent), ("active_organisations", active)):
            recorder.overall(week, name, float(values.sum()))
            recorder.by(week, name, "community", values)
