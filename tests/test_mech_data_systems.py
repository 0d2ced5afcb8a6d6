"""Data silos and integration: a shared platform cuts entry hours and wrong passes.

Runs pair seeds: residents raise the same needs in every variant.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from conftest import SCENARIOS, SMALL, overall, small, summary

import govsim
from govsim.model import GovModel

SEEDS = range(3)
SILOS = ("policies.1.start=1000",)            # the platform never comes
INTEGRATED = ("policies.1.start=0",)          # the platform from the first week
SHORT_STAFFED = ("staff.per_10k_urban=14", "staff.per_10k_rural=19")


@cache
def _runs(name: str, *overrides: str) -> list[govsim.RunResult]:
    return [govsim.simulate(small(name, *overrides), seed=s) for s in SEEDS]


def _mean(runs: list[govsim.RunResult], metric: str) -> float:
    return float(np.mean([summary(r)[metric] for r in runs]))


def test_silos_pass_county_cases_around_and_more_are_abandoned():
    base, silos = _runs("baseline"), _runs("data_integration", *SILOS)
    assert _mean(base, "bounces") == 0
    assert _mean(silos, "bounces") > 50
    assert _mean(silos, "abandoned") > _mean(base, "abandoned")


def test_integration_cuts_admin_hours_wrong_passes_and_abandoned_cases():
    silos, integrated = _runs("data_integration", *SILOS), _runs("data_integration", *INTEGRATED)
    assert _mean(integrated, "hours_admin") < 0.95 * _mean(silos, "hours_admin")
    assert _mean(integrated, "admin_share") < _mean(silos, "admin_share")
    assert _mean(integrated, "bounces") < 0.5 * _mean(silos, "bounces")
    assert _mean(integrated, "abandoned") < _mean(silos, "abandoned")


def test_where_staff_are_short_integration_raises_coverage():
    """The hours freed from data entry go to cases when cases are waiting for them."""
    silos = _runs("data_integration", *SILOS, *SHORT_STAFFED)
    integrated = _runs("data_integration", *INTEGRATED, *SHORT_STAFFED)
    assert _mean(integrated, "coverage") > _mean(silos, "coverage") + 0.01
    assert _mean(integrated, "escalations") < _mean(silos, "escalations")


def test_the_rollout_costs_hours_before_it_saves_them():
    silos, staged = _runs("data_integration", *SILOS), _runs("data_integration", "policies.1.start=10")
    for s, r in zip(silos, staged, strict=True):
        before, after = overall(s)["hours_admin"], overall(r)["hours_admin"]
        assert after.loc[10] > before.loc[10]        # first week: rollout hours, little saving
        assert after.loc[40:].sum() < before.loc[40:].sum()  # rollout over: full saving


def test_added_systems_raise_data_entry_hours():
    silos = _runs("data_integration", *SILOS)
    more = _runs("data_integration", *SILOS, "policies.0.added_systems=5")
    assert _mean(more, "hours_admin") > _mean(silos, "hours_admin")


def test_neutral_silos_and_integration_are_the_baseline_exactly():
    neutral = ("policies.0.bounce_probability=0", "policies.1.merged_share=0", "policies.1.rollout_hours=0")
    for base, run in zip(_runs("baseline"), _runs("data_integration", *neutral), strict=True):
        assert run.timeseries.equals(base.timeseries)


def test_integration_listed_before_the_silos_is_refused(tmp_path):
    path = tmp_path / "wrong_order.yaml"
    path.write_text(f"extends: {SCENARIOS / 'baseline.yaml'}\n"
                    "policies:\n  - {type: data_integration}\n  - {type: data_silos}\n")
    with pytest.raises(ValueError, match="after data_silos"):
        GovModel(govsim.load_scenario(path, overrides=SMALL))


def test_hours_still_balance_with_silos_and_integration():
    for run in _runs("data_integration", *INTEGRATED):
        ts = run.timeseries
        c = ts[ts["scope"] == "community"].pivot_table(index=["week", "key"], columns="metric",
                                                       values="value")
        spent = c["hours_admin"] + c["hours_targets"] + c["hours_cases"] + c["hours_idle"]
        np.testing.assert_allclose(spent, c["hours_available"], rtol=1e-9, atol=1e-6)
        assert (c["hours_idle"] >= -1e-9).all()
