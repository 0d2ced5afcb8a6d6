"""Participation: trust when decisions are real or for show, aligned money, switching off."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from conftest import overall, small, summary

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


def assert_same_as_baseline(run: govsim.RunResult, baseline: govsim.RunResult) -> None:
    """The run's rows on the baseline's metrics equal the baseline's table exactly."""
    ts = run.timeseries
    restricted = ts[ts["metric"].isin(set(baseline.timeseries["metric"]))].reset_index(drop=True)
    pd.testing.assert_frame_equal(restricted, baseline.timeseries.reset_index(drop=True))


def _mean(runs: list[govsim.RunResult], metric: str, scope: str = "overall", key: str | None = None):
    values = [summary(r, scope)[metric] if key is None else summary(r, scope)[(metric, key)] for r in runs]
    return float(np.mean(values))


def test_real_participation_raises_trust_and_tokenism_lowers_it():
    base = _runs("baseline")
    real = _runs("baseline", _only(council=True, online_voting=True))
    token = _runs("baseline", _only(council=True, online_voting=True, tokenism=True))
    assert _mean(real, "participants") > 0
    assert _mean(real, "trust") > _mean(base, "trust") + 0.002
    assert _mean(token, "trust") < _mean(base, "trust") - 0.002


def test_online_voting_alone_leaves_the_elderly_out():
    base = _runs("baseline")
    voting = _runs("baseline", _only(online_voting=True))

    def gain(group: str) -> float:
        return _mean(voting, "trust", "group", group) - _mean(base, "trust", "group", group)

    assert gain("working_age") > 2 * gain("elderly")


def test_alignment_moves_misaligned_money_to_where_it_is_needed():
    fixed = _runs("participation", *EARMARKED, "policies.1.alignment=0", steps=104)
    aligned = _runs("participation", *EARMARKED, "policies.1.alignment=1", steps=104)
    assert _mean(aligned, "cases_waiting_money") < 0.8 * _mean(fixed, "cases_waiting_money")
    assert _mean(aligned, "money_lapsed") < _mean(fixed, "money_lapsed")
    assert _mean(aligned, "money_spent") > _mean(fixed, "money_spent")
    assert _mean(aligned, "coverage") > _mean(fixed, "coverage")


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
    budget.open_year()
    yearly = budget.yearly
    assert budget.lines[0, CATEGORIES.index("care")] == pytest.approx(0.5 * yearly[0])
    assert budget.lines[0, CATEGORIES.index("repair")] == pytest.approx(0.5 * yearly[0])
    assert budget.lines[1, CATEGORIES.index("repair")] == pytest.approx(yearly[1])
    np.testing.assert_allclose(budget.flexible, [100.0, 0.0])
    budget.block_grant()
    budget.close_year()
    budget.open_year()
    np.testing.assert_allclose(budget.flexible, yearly)
    assert budget.lines.sum() == 0


def test_money_paid_in_with_micro_renewal_is_spent_lapsed_or_held():
    scenario = small("participation", steps=110)
    model = GovModel(scenario, seed=5)
    for _ in range(scenario.steps):
        model.step()
    ts = model.recorder.table()
    o = ts[ts["scope"] == "overall"].pivot(index="week", columns="metric", values="value")
    years = -(-scenario.steps // model.weeks_per_year)
    micro = scenario.policies[1]["micro_renewal_yuan"] * model.hierarchy.communities
    held = model.budget.lines.sum() + model.budget.flexible.sum()
    paid_in = (model.budget.yearly.sum() + micro) * years
    assert o["money_spent"].sum() + o["money_lapsed"].sum() + held == pytest.approx(paid_in)
    assert (overall_participants := o["participants"]).min() >= 0 and overall_participants.sum() > 0


def test_participants_by_community_add_up():
    run = _runs("baseline", _only(council=True, online_voting=True))[0]
    ts = run.timeseries
    by_community = ts[(ts["metric"] == "participants") & (ts["scope"] == "community")]
    assert by_community["value"].sum() == overall(run)["participants"].sum()
