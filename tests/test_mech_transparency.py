"""Transparency and fairness: trust moves with openness, fair mediation and opaque spending."""

from __future__ import annotations

from functools import cache

from conftest import assert_same_as_baseline, mean_over, overall, small

import govsim

SEEDS = range(3)
NEUTRAL = ("policies=[{type: transparency, open_decisions: false, fairness_stake: 0.0, "
           "mediation_fairness: 1.0}]")


@cache
def _runs(name: str, *overrides: str) -> list[govsim.RunResult]:
    return [govsim.simulate(small(name, *overrides), seed=s) for s in SEEDS]


def test_open_decisions_and_fair_mediation_raise_trust():
    base, open_fair = _runs("baseline"), _runs("transparency", "policies.0.mediation_fairness=1")
    # Decisions and mediation are the community's: trust in the community committee moves.
    assert mean_over(open_fair, "trust_community") > mean_over(base, "trust_community") + 0.001
    assert mean_over(open_fair, "trust_county") == mean_over(base, "trust_county")


def test_unfair_mediation_lowers_trust():
    base = _runs("baseline")
    unfair = _runs("transparency", "policies.0.open_decisions=false", "policies.0.mediation_fairness=0.2")
    fair = _runs("transparency", "policies.0.open_decisions=false", "policies.0.mediation_fairness=1")
    assert mean_over(unfair, "trust") < mean_over(base, "trust") < mean_over(fair, "trust")


def test_opaque_spending_lowers_trust_more_the_more_it_weighs():
    base = _runs("baseline")
    opaque = ("policies.0.open_decisions=false", "policies.0.fairness_stake=0",
              "policies.0.opaque_spending=true")
    light = _runs("transparency", *opaque, "policies.0.opaque_loss_per_10k=10")
    heavy = _runs("transparency", *opaque, "policies.0.opaque_loss_per_10k=40")
    assert (mean_over(heavy, "trust_community") < mean_over(light, "trust_community")
            < mean_over(base, "trust_community") - 0.003)


def test_neutral_transparency_is_the_baseline(baseline_run):
    assert_same_as_baseline(govsim.simulate(small("baseline", NEUTRAL), seed=3), baseline_run)


def test_transparency_outside_its_window_is_the_baseline(baseline_run):
    run = govsim.simulate(small("transparency", "policies.0.opaque_spending=true", "policies.0.start=100"),
                          seed=3)
    assert_same_as_baseline(run, baseline_run)


def test_trust_alone_moves_needs_stay_and_trust_stays_in_range():
    """The mechanism touches trust only: the same needs are raised, and trust stays in [0, 1]."""
    base = overall(_runs("baseline")[0])
    harsh = govsim.simulate(small("transparency", "policies.0.mediation_fairness=0",
                                  "policies.0.fairness_stake=1", "policies.0.opaque_spending=true",
                                  "policies.0.opaque_loss_per_10k=10000"), seed=0)
    o = overall(harsh)
    assert (o["cases_raised"] == base["cases_raised"]).all()
    trust = harsh.timeseries[harsh.timeseries["metric"] == "trust"]["value"]
    assert trust.between(0.0, 1.0).all() and o["trust"].iloc[-1] < base["trust"].iloc[-1]
