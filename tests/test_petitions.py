"""Petitions: counted once, worked by offices with hours, driven by distrust and unfair mediation."""

from __future__ import annotations

from functools import cache

import numpy as np
from conftest import assert_hours_balance, mean_over, overall, small

import govsim
from govsim.model import GovModel
from govsim.model.petitions import GRIEVANCES

SEEDS = range(3)
NONE = [f"petitions.rate_{kind}=0" for kind in GRIEVANCES]


@cache
def _runs(name: str, *overrides: str, steps: int = 78) -> list[govsim.RunResult]:
    return [govsim.simulate(small(name, *overrides, steps=steps), seed=s) for s in SEEDS]


def test_every_petition_is_filed_once_and_closed_once():
    for run in _runs("petition_wave"):
        o = overall(run)
        by_office = o["petitions_township"] + o["petitions_county"] + o["petitions_beyond"]
        assert (o["petitions"] == by_office).all()
        # No warm-up here: nothing is open before week 0.
        worked = (o["petitions_township"] + o["petitions_county"]).cumsum()
        closed = (o["petitions_answered"] + o["petitions_expired"]).cumsum()
        np.testing.assert_array_equal(worked - closed, o["petitions_open"])
        assert o["petitions"].sum() > 50
        assert_hours_balance(run.timeseries)
        # By group too: each group's petitions are the sum of its petitions at each office.
        g = run.summary[run.summary["scope"] == "group"].pivot(index="key", columns="metric", values="value")
        np.testing.assert_array_equal(g["petitions"], g["petitions_township"] + g["petitions_county"]
                                      + g["petitions_beyond"])


def test_without_grievance_rates_nobody_petitions():
    for run in _runs("petition_wave", *NONE):
        o = overall(run)
        assert o["petitions"].sum() == 0 and o["petition_hours"].sum() == 0


def test_fair_mediation_means_fewer_petitions():
    unfair = _runs("petition_wave")
    fair = _runs("petition_wave", "policies.2.mediation_fairness=0.95")
    assert mean_over(fair, "petitions") < 0.8 * mean_over(unfair, "petitions")
    assert mean_over(fair, "petition_hours") < mean_over(unfair, "petition_hours")


def test_distrust_makes_petitions_more_likely():
    trusting = _runs("petition_wave", "population.trust_mean=0.8")
    wary = _runs("petition_wave", "population.trust_mean=0.3")
    assert mean_over(wary, "petitions") > 1.3 * mean_over(trusting, "petitions")
    assert mean_over(wary, "petitions_beyond") > mean_over(trusting, "petitions_beyond")


def test_offices_without_hours_answer_nothing_and_send_petitions_up():
    staffed = _runs("petition_wave", "petitions.office_hours_per_10k_township=1000",
                    "petitions.office_hours_per_10k_county=1000")
    idle = _runs("petition_wave", "petitions.office_hours_per_10k_township=0",
                 "petitions.office_hours_per_10k_county=0")
    assert mean_over(idle, "petitions_answered") == 0
    assert mean_over(staffed, "petitions_expired") == 0
    assert mean_over(idle, "petitions_beyond") > mean_over(staffed, "petitions_beyond")
    # Unanswered petitions cost trust in the offices that let them lapse.
    assert mean_over(idle, "trust_township") < mean_over(staffed, "trust_township")


def test_petitions_beyond_the_county_cost_community_hours():
    light = _runs("petition_wave", "petitions.stability_hours_community=0")
    heavy = _runs("petition_wave", "petitions.stability_hours_community=40")
    assert mean_over(heavy, "hours_admin") > mean_over(light, "hours_admin")
    for run in heavy:
        assert_hours_balance(run.timeseries)


def test_petitions_beyond_the_county_become_a_watch_target_in_staff_hours():
    for run in _runs("petition_wave"):
        o = overall(run)
        assert o["petitions_beyond"].sum() > 0 and o["stability_watch"].max() > 0
        # The watch is the only target in this scenario: its hours are the week's target hours,
        # and never more than the hours owed for those on the list.
        np.testing.assert_allclose(o["hours_stability"], o["hours_targets"], rtol=1e-12, atol=1e-9)
        assert (o["hours_stability"] <= 1.0 * o["stability_watch"] + 1e-9).all()
        assert o["hours_stability"].sum() > 0
        assert_hours_balance(run.timeseries)


def test_the_watch_keeps_petitions_in_the_county_at_a_cost_in_hours():
    free = _runs("petition_wave", "petitions.watch_deterrence=0", steps=104)
    watched = _runs("petition_wave", "petitions.watch_deterrence=1", steps=104)
    assert mean_over(watched, "petitions_beyond") < 0.9 * mean_over(free, "petitions_beyond")
    assert mean_over(watched, "petitions_county") > mean_over(free, "petitions_county")
    unpaid = _runs("petition_wave", "petitions.watch_deterrence=1", "petitions.watch_hours=0", steps=104)
    # A watch nobody staffs deters nobody, and costs nothing.
    assert mean_over(unpaid, "hours_stability") == 0
    assert mean_over(unpaid, "petitions_beyond") > mean_over(watched, "petitions_beyond")


def test_residents_leave_the_watch_list_when_their_time_is_up_or_they_move_away():
    model = GovModel(small("petition_wave", "petitions.watch_weeks=4"), seed=0)
    pet = model.petitions
    pet._watch(np.array([5, 9, 5]), model.residents.community[[5, 9, 5]].astype(np.int64), week=0)
    assert sorted(pet.watched.tolist()) == [5, 9] and pet.watch_demand(4) is not None
    pet.forget(np.array([9]))
    assert pet.watched.tolist() == [5]
    assert pet.watch_demand(5) is None and pet.watched.size == 0
