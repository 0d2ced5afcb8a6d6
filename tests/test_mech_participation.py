"""Participation: trust when decisions are real or for show, aligned money, switching off."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from conftest import assert_same_as_baseline, mean_over, overall, small, summary

import govsim
from govsim.model import GovModel
from govsim.model.budget import Budget
from govsim.scenario.declarations import CATEGORIES

SEEDS = range(3)
#: The participation scenario's earmark, without its extra money and volunteers.
EARMARKED = ("policies.1.micro_renewal_yuan=0", "policies.1.volunteer_points_hours=0")


def _only(**params: object) -> str:
    """An override that makes a participation policy with ``params`` the scenario's only policy."""
    body = ", ".join(f"{k}: {str(v).lower()}" for k, v in params.items())
    return f"policies=[{{type: participation, {body}}}]"


@cache
def _runs(name: str, *overrides: str, steps: int = 78) -> list[govsim.RunResult]:
    return [govsim.simulate(small(name, *overrides, steps=steps), seed=s) for s in SEEDS]


def test_real_participation_raises_trust_and_tokenism_lowers_it():
    base = _runs("baseline")
    real = _runs("baseline", _only(council=True, online_voting=True))
    token = _runs("baseline", _only(council=True, online_voting=True, tokenism=True))
    assert mean_over(real, "participants") > 0
    assert mean_over(real, "trust_community") > mean_over(base, "trust_community") + 0.001
    assert mean_over(token, "trust_community") < mean_over(base, "trust_community") - 0.003


def test_online_voting_alone_leaves_the_elderly_out():
    base = _runs("baseline")
    voting = _runs("baseline", _only(online_voting=True))

    def gain(group: str) -> float:
        return mean_over(voting, "trust", group) - mean_over(base, "trust", group)

    assert gain("working_age") > 2 * gain("elderly")


def test_alignment_moves_misaligned_money_to_where_it_is_needed():
    fixed = _runs("participation", *EARMARKED, "policies.1.alignment=0", steps=104)
    aligned = _runs("participation", *EARMARKED, "policies.1.alignment=1", steps=104)
    assert mean_over(aligned, "cases_waiting_money") < 0.95 * mean_over(fixed, "cases_waiting_money")
    assert mean_over(aligned, "money_lapsed") < mean_over(fixed, "money_lapsed")
    assert mean_over(aligned, "money_spent") > mean_over(fixed, "money_spent")


@pytest.mark.xfail(strict=True, reason="open finding: since money is released weekly (budget.release), "
                   "aligned lines pay more cases and leave fewer waiting, yet coverage is 0.2 points "
                   "lower over three seeds; not yet explained")
def test_alignment_raises_coverage():
    fixed = _runs("participation", *EARMARKED, "policies.1.alignment=0", steps=104)
    aligned = _runs("participation", *EARMARKED, "policies.1.alignment=1", steps=104)
    assert mean_over(aligned, "coverage") > mean_over(fixed, "coverage")


def test_neutral_participation_is_the_baseline(baseline_run):
    run = govsim.simulate(small("baseline", _only(participation_rate=0.5, alignment=1)), seed=3)
    assert_same_as_baseline(run, baseline_run)
    assert summary(run)["participants"] == 0


def test_participation_outside_its_window_is_the_baseline(baseline_run):
    run = govsim.simulate(small("baseline", _only(council=True, online_voting=True, micro_renewal_yuan=5000,
                                                  volunteer_points_hours=4, start=100)), seed=3)
    assert_same_as_baseline(run, baseline_run)


def test_aligned_lines_follow_needs_and_reset_each_year():
    scenario = small("baseline")
    budget = Budget(GovModel(scenario, seed=1).hierarchy, scenario.params["budget"])
    weights = np.zeros(len(CATEGORIES))
    weights[CATEGORIES.index("repair")] = 1.0
    need = np.zeros((2, len(CATEGORIES)))
    need[0, CATEGORIES.index("care")] = 300.0  # community 1 recorded no need: keeps the earmark
    budget.earmark(0.0, weights)
    budget.align(0.5, need)
    budget.add_flexible(np.array([100.0, 0.0]))
    budget.open_year()  # nothing released yet: the unreleased money is the whole year's split
    yearly = budget.yearly
    assert budget.unreleased_lines[0, CATEGORIES.index("care")] == pytest.approx(0.5 * yearly[0])
    assert budget.unreleased_lines[0, CATEGORIES.index("repair")] == pytest.approx(0.5 * yearly[0])
    assert budget.unreleased_lines[1, CATEGORIES.index("repair")] == pytest.approx(yearly[1])
    np.testing.assert_allclose(budget.unreleased_flexible, [100.0, 0.0])
    budget.block_grant()
    budget.close_year()
    budget.open_year()
    np.testing.assert_allclose(budget.unreleased_flexible, yearly)
    assert budget.unreleased_lines.sum() == 0


def test_money_paid_in_with_micro_renewal_is_spent_lapsed_or_held():
    scenario = small("participation", steps=110)
    model = GovModel(scenario, seed=5)
    for _ in range(scenario.steps):
        model.step()
    ts = model.recorder.table()
    o = ts[ts["scope"] == "overall"].pivot(index="week", columns="metric", values="value")
    years = -(-scenario.steps // model.weeks_per_year)
    micro = scenario.policies[1]["micro_renewal_yuan"] * model.hierarchy.communities
    held = model.budget.held()
    paid_in = (model.budget.yearly.sum() + micro) * years
    assert o["money_spent"].sum() + o["money_lapsed"].sum() + held == pytest.approx(paid_in)
    assert (overall_participants := o["participants"]).min() >= 0 and overall_participants.sum() > 0


def test_participants_by_community_add_up():
    run = _runs("baseline", _only(council=True, online_voting=True))[0]
    ts = run.timeseries
    by_community = ts[(ts["metric"] == "participants") & (ts["scope"] == "community")]
    assert by_community["value"].sum() == overall(run)["participants"].sum()
