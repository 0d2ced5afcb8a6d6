"""Directions of effect, each over several replications with common random numbers.

Every comparison pairs runs by seed, so the difference is the policy alone;
the direction must hold on average over the seeds.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from conftest import overall, small, summary

import govsim

SEEDS = range(4)


@cache
def _runs(name: str, *overrides: str) -> list[govsim.RunResult]:
    return [govsim.simulate(small(name, *overrides), seed=s) for s in SEEDS]


def _mean(runs: list[govsim.RunResult], metric: str, scope: str = "overall", key: str | None = None):
    values = [summary(r, scope)[metric] if key is None else summary(r, scope)[(metric, key)] for r in runs]
    return float(np.mean(values))


def test_more_inflation_means_more_target_hours_less_coverage_and_more_padding():
    low = _runs("target_inflation", "policies.0.margin=0", "policies.0.top_target=0.6")
    high = _runs("target_inflation", "policies.0.margin=0.3", "policies.0.top_target=0.6")
    assert _mean(high, "hours_targets") > 1.5 * _mean(low, "hours_targets")
    assert _mean(high, "coverage") < _mean(low, "coverage")
    assert _mean(high, "abandoned") > _mean(low, "abandoned")

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
    assert _mean(target, "coverage") < _mean(service, "coverage")


def test_mandate_on_unsuitable_land_costs_income_and_trust():
    poor = _runs("crop_mandate", "policies.0.suitability_mean=0.3")
    good = _runs("crop_mandate", "policies.0.suitability_mean=0.85")
    assert _mean(poor, "farmer_income") < _mean(good, "farmer_income")
    assert _mean(poor, "trust", "group", "farmer") < _mean(good, "trust", "group", "farmer")


def test_mandate_on_suitable_land_raises_income_over_the_baseline():
    good = _runs("crop_mandate", "policies.0.suitability_mean=0.85")
    base = _runs("baseline")
    assert _mean(good, "farmer_income") > _mean(base, "farmer_income")


def test_inflating_the_mandate_plants_more_and_pads_reports():
    plain = _runs("crop_mandate", "policies.1.margin=0")
    inflated = _runs("crop_mandate", "policies.1.margin=0.5")
    assert _mean(inflated, "planted_true") > _mean(plain, "planted_true")
    assert _mean(inflated, "hours_targets") > _mean(plain, "hours_targets")


def test_misaligned_earmarks_lower_coverage_and_leave_money_unspent():
    earmarked = _runs("budget_earmarking")
    block = _runs("budget_earmarking", "policies.0.flexible_share=1")
    assert _mean(earmarked, "coverage") < _mean(block, "coverage")
    assert _mean(earmarked, "money_lapsed") > _mean(block, "money_lapsed")
    assert _mean(earmarked, "cases_waiting_money") > _mean(block, "cases_waiting_money")
