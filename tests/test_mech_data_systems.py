"""Data silos and integration: a shared platform cuts entry hours and wrong passes.

Runs pair seeds: residents raise the same needs in every variant.
"""

from __future__ import annotations

from functools import cache

import pytest
from conftest import SCENARIOS, SMALL, assert_hours_balance, mean_over, overall, small

import govsim
from govsim.model import GovModel

SEEDS = range(3)
SILOS = ("policies.1.start=1000",)            # the platform never comes
INTEGRATED = ("policies.1.start=0",)          # the platform from the first week
SHORT_STAFFED = ("staff.per_10k_urban=14", "staff.per_10k_rural=19")


@cache
def _runs(name: str, *overrides: str) -> list[govsim.RunResult]:
    return [govsim.simulate(small(name, *overrides), seed=s) for s in SEEDS]


def test_silos_pass_county_cases_around_and_more_are_abandoned():
    base, silos = _runs("baseline"), _runs("data_integration", *SILOS)
    assert mean_over(base, "bounces") == 0
    assert mean_over(silos, "bounces") > 50
    assert mean_over(silos, "abandoned") > mean_over(base, "abandoned")


def test_integration_cuts_admin_hours_wrong_passes_and_abandoned_cases():
    silos, integrated = _runs("data_integration", *SILOS), _runs("data_integration", *INTEGRATED)
    assert mean_over(integrated, "hours_admin") < 0.95 * mean_over(silos, "hours_admin")
    assert mean_over(integrated, "admin_share") < mean_over(silos, "admin_share")
    assert mean_over(integrated, "bounces") < 0.5 * mean_over(silos, "bounces")
    assert mean_over(integrated, "abandoned") < mean_over(silos, "abandoned")


def test_where_staff_are_short_integration_raises_coverage():
    """The hours freed from data entry go to cases when cases are waiting for them."""
    silos = _runs("data_integration", *SILOS, *SHORT_STAFFED)
    integrated = _runs("data_integration", *INTEGRATED, *SHORT_STAFFED)
    assert mean_over(integrated, "coverage") > mean_over(silos, "coverage") + 0.01
    assert mean_over(integrated, "escalations") < mean_over(silos, "escalations")


def test_the_rollout_costs_hours_before_it_saves_them():
    silos, staged = _runs("data_integration", *SILOS), _runs("data_integration", "policies.1.start=10")
    for s, r in zip(silos, staged, strict=True):
        before, after = overall(s)["hours_admin"], overall(r)["hours_admin"]
        assert after.loc[10] > before.loc[10]        # first week: rollout hours, little saving
        assert after.loc[40:].sum() < before.loc[40:].sum()  # rollout over: full saving


def test_added_systems_raise_data_entry_hours():
    silos = _runs("data_integration", *SILOS)
    more = _runs("data_integration", *SILOS, "policies.0.added_systems=5")
    assert mean_over(more, "hours_admin") > mean_over(silos, "hours_admin")


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
        assert_hours_balance(run.timeseries)
