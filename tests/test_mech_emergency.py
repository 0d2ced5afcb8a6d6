"""Emergencies: a surge of needs, and how preparedness absorbs it.

Directions over paired seeds, the neutral switch (surge 1 is the baseline),
the multiplier's shape, and the money reserves add.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pytest
from conftest import mean_over, overall, rows_on, small

import govsim
from govsim.model import GovModel

SEEDS = range(4)
WEEKS = 60
ALL = ("policies.0.scope=1",)
PREPARED = ("policies.0.plans=1", "policies.0.reserves=1", "policies.0.teams=1", "policies.0.drills=1")


@cache
def _runs(*overrides: str) -> list[govsim.RunResult]:
    return [govsim.simulate(small("emergency", *ALL, *overrides, steps=WEEKS), seed=s) for s in SEEDS]


def _weekly(runs, metric: str) -> pd.Series:
    """A metric's weekly value, averaged over the seeds."""
    return pd.concat([overall(r)[metric] for r in runs], axis=1).mean(axis=1)


def test_a_flood_raises_needs_backlog_and_lowers_coverage():
    calm, flood = _runs("policies.0.surge=1"), _runs()
    raised = _weekly(flood, "cases_raised").loc[30:33].sum()
    assert raised > 1.5 * _weekly(calm, "cases_raised").loc[30:33].sum()
    assert _weekly(flood, "backlog").loc[30:51].max() > 1.4 * _weekly(calm, "backlog").loc[30:51].max()
    assert mean_over(flood, "coverage") < mean_over(calm, "coverage")
    assert _weekly(flood, "coverage").loc[30:51].mean() < _weekly(calm, "coverage").loc[30:51].mean() - 0.02


def test_preparedness_lowers_the_backlog_peak_and_speeds_recovery():
    calm, unprepared, prepared = _runs("policies.0.surge=1"), _runs(), _runs(*PREPARED)
    normal = _weekly(calm, "backlog")

    def recovered(runs) -> int:
        """First week after the flood struck when the backlog is back within 10% of normal."""
        excess = _weekly(runs, "backlog").loc[31:] <= 1.1 * normal.loc[31:]
        return int(excess.idxmax()) if excess.any() else WEEKS

    assert _weekly(prepared, "backlog").loc[30:51].max() < _weekly(unprepared, "backlog").loc[30:51].max()
    assert recovered(prepared) < recovered(unprepared)
    assert _weekly(prepared, "coverage").loc[30:51].mean() > _weekly(unprepared, "coverage").loc[30:51].mean()
    assert _weekly(prepared, "cases_waiting_money").loc[30:51].sum() < _weekly(
        unprepared, "cases_waiting_money").loc[30:51].sum()


def test_no_surge_is_the_baseline_exactly(baseline_run):
    run = govsim.simulate(small("emergency", "policies.0.surge=1"), seed=3)
    base = baseline_run.timeseries
    assert rows_on(run.timeseries, base["metric"]).equals(rows_on(base, base["metric"]))
    assert (overall(run)["need_multiplier"] == 1).all()


def test_the_multiplier_peaks_when_the_event_strikes_and_ebbs_linearly():
    o = overall(_runs()[0])["need_multiplier"]
    assert (o.loc[:29] == 1).all()
    np.testing.assert_allclose(o.loc[30:38].to_numpy(), 1 + 2 * np.clip(1 - np.arange(9) / 8, 0, None))
    prepared = overall(_runs(*PREPARED)[0])["need_multiplier"]
    assert (prepared.loc[34:] == 1).all() and prepared.loc[30] == pytest.approx(3.0)  # 8 × (1 − 0.6) weeks


def test_random_events_strike_at_their_rate():
    run = govsim.simulate(small("emergency", "policies.0.week=5000", "policies.0.random_rate=6",
                                "policies.0.duration_weeks=1", steps=WEEKS), seed=1)
    strikes = (overall(run)["need_multiplier"] > 1).sum()
    assert 1 <= strikes <= 20  # about 7 expected in 60 weeks


def test_reserves_add_money_that_is_spent_lapsed_or_held():
    scenario = small("emergency", *ALL, *PREPARED, steps=WEEKS)
    model = GovModel(scenario, seed=5)
    for _ in range(scenario.steps):
        model.step()
    ts = model.recorder.table()
    o = ts[ts["scope"] == "overall"].pivot(index="week", columns="metric", values="value")
    reserves = model.policies[0].params["reserve_yuan"] * model.hierarchy.communities  # one flood, all hit
    paid_in = model.budget.yearly.sum() * 2 + reserves  # two budget years opened in 60 weeks
    held = model.budget.held()
    assert o["money_spent"].sum() + o["money_lapsed"].sum() + held == pytest.approx(paid_in)
