"""Complicated procedures: take-up falls with the steps and with low literacy; hours rise.

Residents raise the same ordinary needs in every variant (their own stream),
so the applications a run adds are its cases raised minus the baseline's.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from conftest import assert_cases_conserved, mean_over, rows_on, small, summary

import govsim
from govsim.model import GovModel
from govsim.model.residents import ELDERLY
from govsim.scenario.declarations import FLAGS

SEEDS = range(3)


@cache
def _runs(name: str, *overrides: str) -> list[govsim.RunResult]:
    return [govsim.simulate(small(name, *overrides), seed=s, cases=True) for s in SEEDS]


def _hours_per_application(runs: list[govsim.RunResult]) -> float:
    base = _runs("baseline")
    extra = [summary(r)["hours_cases"] - summary(b)["hours_cases"] for r, b in zip(runs, base, strict=True)]
    apps = [summary(r)["cases_raised"] - summary(b)["cases_raised"] for r, b in zip(runs, base, strict=True)]
    assert min(apps) > 50
    return float(np.mean(extra) / np.mean(apps))


def test_more_steps_lower_takeup_and_cost_more_staff_hours_per_application():
    simple = _runs("procedures", "policies.0.steps=1")
    complicated = _runs("procedures", "policies.0.steps=12")
    assert mean_over(complicated, "subsidy_takeup") < mean_over(simple, "subsidy_takeup") - 0.15
    assert _hours_per_application(complicated) > 1.3 * _hours_per_application(simple)


def test_takeup_falls_with_low_literacy():
    plain = _runs("procedures")
    # Within a run: the elderly, with less literacy, take the subsidy up less often.
    assert mean_over(plain, "subsidy_takeup", "elderly") < mean_over(plain, "subsidy_takeup", "working_age")
    # Across runs: a population with less literacy takes it up less often.
    low = _runs("procedures", "population.literacy_elderly=0.1", "population.literacy_working_age=0.4")
    assert mean_over(low, "subsidy_takeup") < mean_over(plain, "subsidy_takeup") - 0.05


def test_takeup_and_eligible_are_counted_among_the_eligible_only():
    scenario = small("procedures", "policies.0.eligible=low_income")
    model = GovModel(scenario, seed=0)
    for _ in range(scenario.steps):
        model.step()
    policy = model.policies[0]
    low_income = model.residents.flags[:, FLAGS.index("low_income")]
    ts = model.recorder.table()
    o = ts[ts["scope"] == "overall"].pivot(index="week", columns="metric", values="value")
    assert (o["subsidy_eligible"] == low_income.sum()).all()
    assert o["subsidy_takeup"].is_monotonic_increasing
    assert 0 < o["subsidy_takeup"].iloc[-1] <= 1
    granted = (policy.state == 2) & low_income
    assert o["subsidy_takeup"].iloc[-1] == granted.sum() / low_income.sum()
    assert not (policy.state[~low_income] > 0).any()
    # Elderly eligibility is the age group.
    elderly = GovModel(small("procedures", "policies.0.eligible=elderly"), seed=0)
    assert elderly.policies[0].eligible(elderly).sum() == (elderly.residents.group == ELDERLY).sum()


def test_completion_falls_with_steps_and_rises_with_literacy():
    policy = GovModel(small("procedures"), seed=0).policies[0]
    literacy = np.array([0.0, 0.5, 1.0], dtype=np.float32)
    p = policy.completion(literacy)
    assert p[0] < p[1] < p[2] == policy.params["base_completion"]
    policy.params = {**policy.params, "steps": 0}
    assert np.allclose(policy.completion(literacy), policy.params["base_completion"])


def test_a_programme_that_never_starts_leaves_the_baseline_exactly():
    for base, seed in zip(_runs("baseline"), SEEDS, strict=True):
        off = govsim.simulate(small("procedures", "policies.0.start=1000"), seed=seed).timeseries
        metrics = base.timeseries["metric"]
        assert rows_on(off, metrics).equals(rows_on(base.timeseries, metrics))


def test_every_case_including_applications_is_accounted_for():
    for run in _runs("procedures"):
        assert_cases_conserved(run.cases, run.timeseries)


def test_a_newcomer_does_not_inherit_the_application_of_the_resident_who_left():
    base = small("procedures", "policies.0.eligible=migrant", "policies.0.start=0",
                 "policies.0.consider_rate=0.5", steps=12)
    policies = [*base.to_dict()["policies"], {"type": "migration", "turnover": 0.2}]
    model = GovModel(base.with_overrides({"policies": policies}))
    procedures = model.policies[0]
    replaced: list[np.ndarray] = []
    forget = model.residents_replaced
    model.residents_replaced = lambda rows: (replaced.append(rows.copy()), forget(rows))
    for _ in range(12):
        model.step()
        # Procedures acts before migration in the week, so this week's newcomers have done nothing.
        assert (procedures.state[replaced[-1]] == 0).all()
        assert (procedures.applied_week[replaced[-1]] == -1).all()
    assert sum(rows.size for rows in replaced) > 100
