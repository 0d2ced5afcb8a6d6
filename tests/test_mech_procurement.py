"""Procurement of services from social organisations, and their incubation.

Directions over paired seeds in the understaffed county of the ready scenario
(with more organisations per community, so that the two small communities
have some to buy from), the neutral switch, and the contracts' bounds.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from conftest import mean_over, overall, rows_on, small

import govsim
from govsim.model import GovModel

SEEDS = range(4)
ORGS = ("organisations.per_community=6", "policies.0.start=0")
NONE = ("policies.0.budget_yuan=0", "policies.0.incubation=0")


@cache
def _runs(*overrides: str) -> list[govsim.RunResult]:
    return [govsim.simulate(small("procurement", *ORGS, *overrides), seed=s) for s in SEEDS]


def test_more_money_buys_more_hours_better_coverage_and_lighter_workload():
    none = _runs(*NONE)
    some = _runs("policies.0.budget_yuan=100000", "policies.0.incubation=0")
    more = _runs("policies.0.budget_yuan=300000", "policies.0.incubation=0")
    assert mean_over(none, "org_hours") < mean_over(some, "org_hours") < mean_over(more, "org_hours")
    assert mean_over(none, "procurement_spent") == 0 < mean_over(some, "procurement_spent")
    assert mean_over(more, "workload") < mean_over(some, "workload") < mean_over(none, "workload")
    assert mean_over(more, "hours_cases") < mean_over(none, "hours_cases")
    for group in ("elderly", "disabled"):  # whose care and health needs organisations serve
        assert mean_over(more, "coverage", group) > mean_over(none, "coverage", group)
    assert mean_over(more, "coverage") > mean_over(none, "coverage")


def test_incubation_wakes_organisations_over_time():
    for run in _runs("policies.0.budget_yuan=0", "policies.0.incubation=0.02"):
        active = overall(run)["active_organisations"]
        assert (np.diff(active.to_numpy()) >= 0).all()
        assert active.iloc[-1] > active.iloc[0]
    for run in _runs(*NONE):
        assert overall(run)["active_organisations"].nunique() == 1


def test_no_money_and_no_incubation_is_the_baseline_exactly():
    base = govsim.simulate(small("baseline", "staff.per_10k_urban=15", "staff.per_10k_rural=21"), seed=3)
    run = govsim.simulate(small("procurement", *NONE), seed=3)
    metrics = base.timeseries["metric"]
    assert rows_on(run.timeseries, metrics).equals(rows_on(base.timeseries, metrics))


def test_contracts_stay_within_budget_and_capacity_and_end_with_the_window():
    scenario = small("procurement", *ORGS, "policies.0.budget_yuan=1000000", "policies.0.end=20", steps=30)
    model = GovModel(scenario, seed=2)
    policy = model.policies[0]
    weekly_budget = 1e6 / model.weeks_per_year
    standing = {id(o) for o in model.organisations if o.funded}
    for week in range(scenario.steps):
        model.step()
        assert policy.spent.sum() <= weekly_budget + 1e-6
        for org in model.organisations:
            assert org.weekly_hours <= org.capacity_hours
            if id(org) not in standing and week >= 20:
                assert not org.funded and org.contract_hours is None
    ts = model.recorder.table()
    o = ts[ts["scope"] == "overall"].pivot(index="week", columns="metric", values="value")
    assert (o["procurement_spent"].loc[21:] == 0).all() and (o["procurement_spent"].loc[:20] > 0).all()
