"""Disputes and mediation: directions of effect, switching off, and accounting.

Directions are measured where disputes matter: one urban community of 4,000
with the parking-dispute scenario's part-time mediators and a heavy dispute
load (a quarter of working-age residents a year), so that recurring disputes
strain the staff. Runs are paired by seed.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from conftest import (
    assert_cases_conserved,
    assert_hours_balance,
    assert_same_as_baseline,
    mean_over,
    overall,
    small,
    summary,
)

import govsim
from govsim.model import GovModel
from govsim.model.trust import COMMUNITY, COUNTY, TOWNSHIP

SEEDS = range(3)
LOADED = ("population.residents=4000", "needs.dispute.rate_working_age=0.25")
NEUTRAL = "policies=[{type: mediation, agreement_holds: 1.0, amplify_share: 0.0}]"


@cache
def _runs(*overrides: str) -> list[govsim.RunResult]:
    return [govsim.simulate(small("parking_dispute", *LOADED, *overrides), seed=s) for s in SEEDS]


def test_follow_up_means_fewer_recurrences_and_escalations():
    part_time, follow_up = _runs(), _runs("policies.0.follow_up=true")
    assert mean_over(follow_up, "recurrences") < 0.4 * mean_over(part_time, "recurrences")
    assert mean_over(follow_up, "escalations") < mean_over(part_time, "escalations")
    assert mean_over(follow_up, "trust") > mean_over(part_time, "trust")


def test_professional_mediators_mean_fewer_recurrences_and_escalations():
    part_time, professional = _runs(), _runs("policies.0.professional_mediators=4")
    assert mean_over(professional, "recurrences") < 0.6 * mean_over(part_time, "recurrences")
    assert mean_over(professional, "escalations") < mean_over(part_time, "escalations")
    assert mean_over(professional, "org_hours") > mean_over(part_time, "org_hours")  # the mediators' work


def test_more_amplification_means_more_incidents_and_lower_trust():
    low, high = _runs(), _runs("policies.0.amplify_share=0.5")
    assert mean_over(high, "incidents") > mean_over(low, "incidents") + 5
    assert mean_over(high, "trust") < mean_over(low, "trust")


def test_neutral_mediation_is_the_baseline(baseline_run):
    run = govsim.simulate(small("baseline", NEUTRAL), seed=3)
    assert_same_as_baseline(run, baseline_run)
    assert summary(run)["recurrences"] == 0 and summary(run)["incidents"] == 0


def test_mediation_outside_its_window_is_the_baseline(baseline_run):
    run = govsim.simulate(small("mediation", "policies.0.professional_mediators=0",
                                "policies.0.start=100"), seed=3)
    assert_same_as_baseline(run, baseline_run)


def test_recurrences_are_exactly_the_extra_needs_raised():
    """Needs come from their own stream, so broken agreements only add needs."""
    neutral = overall(govsim.simulate(small("baseline", NEUTRAL), seed=2))
    part_time = overall(govsim.simulate(small("baseline", "policies=[{type: mediation}]"), seed=2))
    extra = part_time["cases_raised"] - neutral["cases_raised"]
    assert part_time["recurrences"].sum() > 0
    pd.testing.assert_series_equal(extra, part_time["recurrences"], check_names=False)


def test_cases_and_hours_balance_with_the_programme():
    run = govsim.simulate(small("mediation", "policies.0.amplify_share=1"), seed=1, cases=True)
    o = overall(run)
    assert_cases_conserved(run.cases, run.timeseries)
    c = assert_hours_balance(run.timeseries)
    by_community = c.groupby(level="key")["incidents"].sum()
    assert by_community.sum() == o["incidents"].sum()


def test_a_community_wide_trust_change_touches_that_community_s_residents_alone():
    for residents in ("vectorised", "agents"):
        model = GovModel(small("baseline", "population.residents=600"), seed=1, residents=residents)
        res = model.residents
        before = res.trust_in(COMMUNITY).astype(np.float64)
        res.change_trust_in(np.array([1]), -0.2)
        res.change_trust_in(np.array([0, 1]), np.array([0.0, 0.9]))
        in_second = res.community == 1
        np.testing.assert_array_equal(res.trust_in(COMMUNITY)[~in_second], before[~in_second])
        # Bounded steps: a fifth of the way to 0, then nine tenths of the way to 1.
        lowered = before[in_second] * 0.8
        expected = lowered + 0.9 * (1.0 - lowered)
        np.testing.assert_allclose(res.trust_in(COMMUNITY)[in_second], expected, atol=1e-6)
        for level in (TOWNSHIP, COUNTY):  # the community's matter alone
            np.testing.assert_allclose(res.trust_in(level), res.trust0, atol=1e-6)
