"""Directions of effect, each over several replications with common random numbers.

Every comparison pairs runs by seed, so the difference is the policy alone;
the direction must hold on average over the seeds.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from conftest import mean_over, overall, small

import govsim

SEEDS = range(4)


@cache
def _runs(name: str, *overrides: str) -> list[govsim.RunResult]:
    return [govsim.simulate(small(name, *overrides), seed=s) for s in SEEDS]


def test_more_inflation_means_more_target_hours_less_coverage_and_more_padding():
    low = _runs("target_inflation", "policies.0.margin=0", "policies.0.top_target=0.6")
    high = _runs("target_inflation", "policies.0.margin=0.3", "policies.0.top_target=0.6")
    assert mean_over(high, "hours_targets") > 1.5 * mean_over(low, "hours_targets")
    assert mean_over(high, "coverage") < mean_over(low, "coverage")
    assert mean_over(high, "abandoned") > mean_over(low, "abandoned")

    def padding(runs):
        return np.mean([(overall(r)["target_reported"] - overall(r)["target_true"]).loc[13:64].mean()
                        for r in runs])

    assert padding(high) > padding(low) + 0.002


def test_padding_falls_with_audits():
    lax = _runs("target_inflation", "policies.0.margin=0.3", "policies.0.top_target=0.6",
                "policies.0.audit_probability=0")
    strict = _runs("target_inflation", "policies.0.margin=0.3", "policies.0.top_target=0.6",
                   "policies.0.audit_probability=0.9")

    def padding(runs):
        return np.mean([(overall(r)["target_reported"] - overall(r)["target_true"]).mean() for r in runs])

    assert padding(strict) < padding(lax)


def test_target_first_displaces_more_service_than_service_first():
    service = _runs("target_inflation", "policies.0.margin=0.3", "policies.0.top_target=0.6")
    target = _runs("target_inflation", "policies.0.margin=0.3", "policies.0.top_target=0.6",
                   "staff.priority=target_first")
    assert mean_over(target, "coverage") < mean_over(service, "coverage")


def test_mandate_on_unsuitable_land_costs_income_and_trust():
    poor = _runs("crop_mandate", "policies.0.suitability_mean=0.3")
    good = _runs("crop_mandate", "policies.0.suitability_mean=0.85")
    assert mean_over(poor, "farmer_income") < mean_over(good, "farmer_income")
    assert mean_over(poor, "trust", "farmer") < mean_over(good, "trust", "farmer")


def test_mandate_on_suitable_land_raises_income_over_the_baseline():
    good = _runs("crop_mandate", "policies.0.suitability_mean=0.85")
    base = _runs("baseline")
    assert mean_over(good, "farmer_income") > mean_over(base, "farmer_income")


def test_inflating_the_mandate_plants_more_and_pads_reports():
    plain = _runs("crop_mandate", "policies.1.margin=0")
    inflated = _runs("crop_mandate", "policies.1.margin=0.5")
    assert mean_over(inflated, "planted_true") > mean_over(plain, "planted_true")
    assert mean_over(inflated, "hours_targets") > mean_over(plain, "hours_targets")


def test_misaligned_earmarks_lower_coverage_and_leave_money_unspent():
    earmarked = _runs("budget_earmarking")
    block = _runs("budget_earmarking", "policies.0.flexible_share=1")
    assert mean_over(earmarked, "coverage") < mean_over(block, "coverage")
    assert mean_over(earmarked, "money_lapsed") > mean_over(block, "money_lapsed")
    assert mean_over(earmarked, "cases_waiting_money") > mean_over(block, "cases_waiting_money")
