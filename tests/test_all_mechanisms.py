"""Every mechanism switched on at once: the invariants still hold.

``benchmarks/all_mechanisms.yaml`` lists every policy type govsim knows; this
test also fails when a new type is added without being listed there, so the
stress test keeps covering everything.
"""

from __future__ import annotations

import pytest
from conftest import ROOT, SMALL, assert_cases_conserved, assert_hours_balance

import govsim
from govsim.model import GovModel
from govsim.scenario.plugins import policy_types

ALL = ROOT / "benchmarks" / "all_mechanisms.yaml"


def _scenario() -> govsim.Scenario:
    return govsim.load_scenario(ALL, overrides=[*SMALL, "steps=110"])


@pytest.fixture(scope="module")
def run() -> govsim.RunResult:
    return govsim.simulate(_scenario(), seed=11, cases=True)


def test_every_policy_type_is_switched_on():
    listed = {p["type"] for p in _scenario().policies}
    assert listed == set(policy_types())


def test_reproducible_with_everything_on(run):
    again = govsim.simulate(_scenario(), seed=11)
    assert again.timeseries.equals(run.timeseries)


def test_one_value_per_metric_and_week(run):
    assert not run.timeseries[["week", "metric", "scope", "key"]].duplicated().any()


def test_cases_are_conserved(run):
    assert_cases_conserved(run.cases, run.timeseries)


def test_hours_balance(run):
    assert_hours_balance(run.timeseries)


def test_money_and_people_are_conserved():
    scenario = _scenario()
    model = GovModel(scenario, seed=11)
    n = model.residents.n
    for _ in range(scenario.steps):
        model.step()
        sizes = model.residents.group_sizes()
        assert sizes[0] + sizes[1] + sizes[2] == n  # elderly + working-age + children
    ts = model.recorder.table()
    o = ts[ts["scope"] == "overall"].pivot(index="week", columns="metric", values="value")
    held = model.budget.held()
    assert o["money_spent"].sum() + o["money_lapsed"].sum() + held == pytest.approx(model.budget.paid_in)
    assert model.residents.trust.min() >= 0.0 and model.residents.trust.max() <= 1.0
