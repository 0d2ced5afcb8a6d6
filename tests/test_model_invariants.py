"""Invariants: nothing created or lost (people, cases, hours, money), exact reproducibility."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from conftest import SCENARIOS, SMALL, assert_cases_conserved, assert_hours_balance, overall, small

import govsim
from govsim.model import GovModel
from govsim.model.residents import REPORT_GROUPS


def test_same_scenario_and_seed_give_identical_tables(baseline_run):
    again = govsim.simulate(small("baseline"), seed=3)
    assert again.timeseries.equals(baseline_run.timeseries)
    assert again.summary.equals(baseline_run.summary)
    assert again.timeseries.to_csv().encode() == baseline_run.timeseries.to_csv().encode()


def test_another_seed_gives_another_run(baseline_run):
    other = govsim.simulate(small("baseline"), seed=4)
    assert not other.timeseries["value"].equals(baseline_run.timeseries["value"])


def test_a_policy_does_not_shift_unrelated_draws(baseline_run):
    """Needs come from their own stream: switching a policy on leaves them unchanged."""
    with_policy = govsim.simulate(small("target_inflation"), seed=3)
    base, policy = overall(baseline_run), overall(with_policy)
    assert (base["cases_raised"] == policy["cases_raised"]).all()
    start = with_policy.scenario.policies[0]["start"]
    assert base.loc[: start - 1].equals(policy.loc[: start - 1, base.columns])


def test_every_case_raised_is_resolved_abandoned_or_open(baseline_run):
    assert_cases_conserved(baseline_run.cases, baseline_run.timeseries)
    o = overall(baseline_run)
    assert (o["cases_due"] >= o["resolved_in_time"]).all()


def test_hours_balance_every_week_in_every_community(baseline_run):
    assert_hours_balance(baseline_run.timeseries)


def test_money_paid_in_is_spent_lapsed_or_held():
    scenario = small("budget_earmarking")
    model = GovModel(scenario, seed=5)
    for _ in range(scenario.steps):
        model.step()
    o = overall_from(model)
    years_opened = -(-scenario.steps // model.weeks_per_year)
    assert model.budget.paid_in == pytest.approx(model.budget.yearly.sum() * years_opened)
    paid_in = model.budget.paid_in
    held = model.budget.held()
    assert o["money_spent"].sum() + o["money_lapsed"].sum() + held == pytest.approx(paid_in)
    assert o["money_lapsed"].sum() > 0


def overall_from(model: GovModel):
    ts = model.recorder.table()
    return ts[ts["scope"] == "overall"].pivot(index="week", columns="metric", values="value")


def test_residents_are_all_counted():
    model = GovModel(small("crop_mandate"), seed=1)
    res = model.residents
    sizes = dict(zip(REPORT_GROUPS, res.group_sizes(), strict=True))
    assert sizes["elderly"] + sizes["working_age"] + sizes["child"] == res.n == 6000
    assert model.hierarchy.community_residents.sum() == res.n
    assert np.bincount(res.community).tolist() == model.hierarchy.community_residents.tolist()


def test_cases_by_age_group_add_up_to_the_total(baseline_run):
    ts = baseline_run.timeseries
    raised = ts[ts["metric"] == "cases_raised"].pivot_table(index="week", columns="key", values="value")
    ages = raised["elderly"] + raised["working_age"] + raised["child"]
    assert (ages == raised["all"]).all()


def test_run_result_pickles(baseline_run):
    back = pickle.loads(pickle.dumps(baseline_run))
    assert back.timeseries.equals(baseline_run.timeseries)
    assert back.scenario == baseline_run.scenario


def test_trust_stays_within_bounds():
    model = GovModel(small("crop_mandate", "policies.0.suitability_mean=0.1"), seed=2)
    for _ in range(60):
        model.step()
    assert model.residents.trust.min() >= 0.0
    assert model.residents.trust.max() <= 1.0


def test_two_campaigns_give_one_value_per_metric_and_week(tmp_path):
    path = tmp_path / "two.yaml"
    path.write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\n"
        "policies:\n"
        "  - {type: target_inflation, start: 5, end: 30, top_target: 0.6}\n"
        "  - {type: target_inflation, start: 31, end: 70, top_target: 0.3}\n"
    )
    scenario = govsim.load_scenario(path, overrides=[*SMALL, "steps=78"])
    result = govsim.simulate(scenario, seed=1)
    keys = result.timeseries[["week", "metric", "scope", "key"]]
    assert not keys.duplicated().any()
    bottom = overall(result)["target_bottom"]
    assert bottom.loc[40] < bottom.loc[20]  # the second, lower target reports from its start
