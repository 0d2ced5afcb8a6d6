"""Rigid or adapted implementation of a crop mandate: villages weigh farmers' loss against a sanction."""

from __future__ import annotations

from functools import cache

from conftest import mean_over, overall, small

import govsim

SEEDS = range(3)


@cache
def _runs(name: str, *overrides: str) -> list[govsim.RunResult]:
    return [govsim.simulate(small(name, *overrides, steps=78), seed=s) for s in SEEDS]


def test_under_a_rigid_upper_level_nobody_adapts_and_the_run_is_the_never_rule():
    rigid, never = _runs("crop_mandate"), _runs("crop_mandate", "policies.0.adaptation=never")
    assert mean_over(rigid, "villages_adapting") == 0
    for a, b in zip(rigid, never, strict=True):
        assert a.timeseries.equals(b.timeseries)


def test_a_tolerant_upper_level_lets_villages_spare_their_farmers():
    rigid, tolerant = _runs("crop_mandate"), _runs("crop_mandate_tolerant")
    assert mean_over(tolerant, "villages_adapting") > 0
    assert mean_over(tolerant, "planted_true") < mean_over(rigid, "planted_true") - 0.05
    assert mean_over(tolerant, "farmer_income") > mean_over(rigid, "farmer_income")
    assert mean_over(tolerant, "trust_county", "farmer") > mean_over(rigid, "trust_county", "farmer")
    assert mean_over(tolerant, "target_share") < mean_over(rigid, "target_share")


def test_where_the_crop_suits_adapting_costs_the_mandate_little():
    def shortfall(*overrides: str) -> float:
        rigid = _runs("crop_mandate", *overrides)
        tolerant = _runs("crop_mandate_tolerant", *overrides)
        return mean_over(rigid, "planted_true") - mean_over(tolerant, "planted_true")

    assert shortfall("policies.0.suitability_mean=0.9") < 0.3 * shortfall()


def test_an_inspected_village_short_of_the_tolerance_is_sanctioned_and_plants_everywhere():
    strict = ("policies.0.adaptation=always", "policies.0.inspection=0.99", "policies.0.tolerance=1")
    runs = _runs("crop_mandate_tolerant", *strict)
    for run in runs:
        o = overall(run)
        assert o["mandate_sanctions"].sum() >= 1
        assert o["villages_adapting"].iloc[-1] == 0  # a sanctioned village plants everywhere
    assert mean_over(runs, "hours_admin") > mean_over(_runs("crop_mandate_tolerant",
                                                            "policies.0.adaptation=always"), "hours_admin")
