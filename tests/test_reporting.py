"""Reporting as a decision: padding weighs pressure against audits and sanctions; being caught
has lasting consequences."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from conftest import mean_over, small

import govsim
from govsim.policies.reporting import Reporter

PARAMS = {"pressure": 0.5, "audit_probability": 0.2, "sanction": 5.0, "vigilance": 3.0,
          "vigilance_weeks": 52, "exposure": 0.3, "exposure_trust_loss": 0.05}


def test_the_padding_is_pressure_over_expected_sanction():
    reporter = Reporter(3, PARAMS, 52, np.random.default_rng(1))
    assert reporter.padding(0) == pytest.approx([0.5, 0.5, 0.5])  # 0.5 / (0.2 × 5)
    reported = reporter.report(np.array([0.2, 0.5, 0.9]), np.array([0.6, 0.5, 0.8]), 0)
    np.testing.assert_allclose(reported, [0.4, 0.5, 0.9])  # half the gap, none where met
    assert Reporter(1, PARAMS | {"sanction": 0.0}, 52, np.random.default_rng(1)).padding(0) == 1.0
    assert Reporter(1, PARAMS | {"pressure": 0.0}, 52, np.random.default_rng(1)).padding(0) == 0.0


def test_a_caught_official_is_watched_closer_for_a_while_and_pads_less():
    reporter = Reporter(2, PARAMS | {"audit_probability": 1.0}, 52, np.random.default_rng(1))
    audited, caught = reporter.audit(np.array([0.6, 0.5]), np.array([0.5, 0.5]), week=10)
    assert audited.all() and caught.tolist() == [True, False]  # only a padded report is caught
    less = Reporter(2, PARAMS, 52, np.random.default_rng(1))
    less.alert_until[0] = 62
    assert less.padding(30)[0] == pytest.approx(0.5 / 3) and less.padding(30)[1] == pytest.approx(0.5)
    assert less.padding(63)[0] == pytest.approx(0.5)  # the alert is over


@cache
def _runs(name: str, *overrides: str) -> list[govsim.RunResult]:
    return [govsim.simulate(small(name, *overrides, steps=78), seed=s) for s in range(3)]


def test_audits_narrow_the_gap_and_catch_padders():
    rare = _runs("target_inflation", "policies.0.audit_probability=0.05")
    often = _runs("target_inflation", "policies.0.audit_probability=0.8")
    never = _runs("target_inflation", "policies.0.audit_probability=0")
    assert mean_over(often, "target_gap") < 0.5 * mean_over(rare, "target_gap")
    assert mean_over(never, "target_caught") == 0 < mean_over(often, "target_caught")
    # At 5% a year the official already pads the whole gap (0.5 / (0.05 × 5) > 1): as if never.
    assert mean_over(never, "target_gap") == mean_over(rare, "target_gap")
    assert mean_over(never, "target_gap") > mean_over(_runs("target_inflation"), "target_gap")


def test_a_heavier_sanction_means_less_padding():
    light = _runs("target_inflation", "policies.0.sanction=1")
    heavy = _runs("target_inflation", "policies.0.sanction=20")
    assert mean_over(heavy, "target_gap") < mean_over(light, "target_gap")


def test_padding_made_public_costs_trust_in_the_community():
    hidden = _runs("target_inflation", "policies.0.audit_probability=0.8", "policies.0.exposure=0")
    public = _runs("target_inflation", "policies.0.audit_probability=0.8", "policies.0.exposure=1",
                   "policies.0.exposure_trust_loss=0.2")
    assert mean_over(public, "trust_community") < mean_over(hidden, "trust_community") - 0.01
    assert mean_over(public, "trust_county") == pytest.approx(mean_over(hidden, "trust_county"), abs=2e-3)


def test_a_crop_mandate_s_reported_area_is_the_same_decision():
    rare = _runs("crop_mandate", "policies.0.audit_probability=0.02")
    often = _runs("crop_mandate", "policies.0.audit_probability=0.9")
    assert mean_over(rare, "planted_gap") > mean_over(often, "planted_gap") > 0
