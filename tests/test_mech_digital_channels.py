"""Digital channels: online-only service excludes the elderly; each remedy gives some of it back.

Directions are averaged over paired seeds (common random numbers: residents
raise the same needs in every variant).
"""

from __future__ import annotations

from functools import cache

import numpy as np
from conftest import assert_cases_conserved, mean_over, small, summary

import govsim
from govsim.model import GovModel
from govsim.model.cases import OFFICE, ONLINE, PROXY
from govsim.model.residents import ELDERLY

SEEDS = range(3)
NEUTRAL = ("policies.0.mode=online_plus_offline",)


@cache
def _runs(name: str, *overrides: str) -> list[govsim.RunResult]:
    return [govsim.simulate(small(name, *overrides), seed=s, cases=True) for s in SEEDS]


def test_under_a_fifth_of_the_elderlys_cases_go_online_in_the_baseline():
    """S1: under 20% of over-60s used the community app."""
    for run in _runs("baseline"):
        share = summary(run, "group")[("online_share", "elderly")]
        assert 0.0 < share < 0.2
        assert summary(run, "group")[("online_share", "working_age")] > 0.5


def test_online_only_excludes_the_elderly_and_costs_their_coverage_and_trust():
    base, only = _runs("baseline"), _runs("community_app")
    assert mean_over(base, "excluded") == 0
    assert mean_over(only, "excluded", "elderly") > 0.5 * mean_over(only, "cases_raised", "elderly")
    assert mean_over(only, "coverage", "elderly") < mean_over(base, "coverage", "elderly") - 0.3
    elderly_trust = mean_over(only, "trust_community", "elderly")
    assert elderly_trust < mean_over(base, "trust_community", "elderly") - 0.03
    # The elderly lose more than working-age residents.
    gap_only = mean_over(only, "coverage", "working_age") - mean_over(only, "coverage", "elderly")
    gap_base = mean_over(base, "coverage", "working_age") - mean_over(base, "coverage", "elderly")
    assert gap_only > gap_base


def test_each_remedy_gives_back_some_of_the_elderlys_service():
    only = _runs("community_app")
    for remedy in ("policies.0.elder_mode=true", "policies.0.proxy=true", *NEUTRAL,
                   "policies.0.family_help=0.8"):
        runs = _runs("community_app", remedy)
        assert mean_over(runs, "excluded", "elderly") < 0.9 * mean_over(only, "excluded", "elderly"), remedy
        assert mean_over(runs, "coverage", "elderly") > mean_over(only, "coverage", "elderly") + 0.05, remedy
        assert mean_over(runs, "trust", "elderly") > mean_over(only, "trust", "elderly"), remedy
    # A proxy files for everyone who cannot, and offline windows take everyone.
    assert mean_over(_runs("community_app", "policies.0.proxy=true"), "excluded") == 0


def test_a_staff_proxy_costs_more_staff_hours_than_a_volunteer_proxy():
    staff = _runs("community_app", "policies.0.proxy=true")
    volunteer = _runs("community_app", "policies.0.proxy=true", "policies.0.proxy_by=volunteer")
    assert mean_over(staff, "hours_cases") > 1.1 * mean_over(volunteer, "hours_cases")


def test_volunteer_help_raises_the_elderlys_literacy_over_time():
    scenario = small("community_app", "policies.0.volunteer_reach=40", steps=52)
    model = GovModel(scenario, seed=1)
    elderly = model.residents.group == ELDERLY
    before = model.residents.literacy[elderly].mean()
    means = []
    for _ in range(scenario.steps):
        model.step()
        means.append(model.residents.literacy[elderly].mean())
    assert means[25] > before + 0.02
    assert means[-1] > means[25] + 0.02
    assert model.residents.literacy.max() <= 1.0
    # More of the elderly can now file: fewer of their needs are excluded.
    helped = _runs("community_app", "policies.0.volunteer_reach=40")
    plain = _runs("community_app")
    assert mean_over(helped, "excluded", "elderly") < 0.9 * mean_over(plain, "excluded", "elderly")


def test_double_entry_raises_staff_hours_per_case():
    single = _runs("community_app")
    double = _runs("community_app", "policies.0.double_entry=0.5")

    def per_case(runs):
        return np.mean([summary(r)["hours_cases"] / summary(r)["cases_filed"] for r in runs])

    assert per_case(double) > 1.1 * per_case(single)
    model = GovModel(small("community_app", "policies.0.double_entry=0.5", "policies.0.proxy=true",
                           "policies.0.proxy_by=volunteer"), seed=0)
    model.step()
    factor = model.levers.hours_factor
    assert factor[ONLINE] == 0.7 + 0.5 and factor[PROXY] == factor[OFFICE] == 1.0


def test_online_plus_offline_with_no_remedies_is_the_baseline_exactly():
    for base, neutral in zip(_runs("baseline"), _runs("community_app", *NEUTRAL), strict=True):
        assert neutral.timeseries.equals(base.timeseries)


def test_every_need_is_resolved_abandoned_excluded_or_open():
    for run in _runs("community_app", "policies.0.family_help=0.8"):
        assert_cases_conserved(run.cases, run.timeseries)


def test_residents_shut_out_of_the_app_turn_to_family_and_grid_workers_at_a_cost_in_hours():
    alone = _runs("community_app", "behaviour.family_help=0", "behaviour.grid_help=0")
    helped = _runs("community_app")
    assert mean_over(alone, "filed_by_family") == mean_over(alone, "filed_by_grid_worker") == 0
    assert mean_over(helped, "filed_by_family") > 0 and mean_over(helped, "filed_by_grid_worker") > 0
    assert mean_over(helped, "excluded") < 0.8 * mean_over(alone, "excluded")
    assert mean_over(helped, "coverage", "elderly") > mean_over(alone, "coverage", "elderly") + 0.1
    # The real cost of an online-only policy: grid workers file as proxies, on staff hours.
    assert mean_over(helped, "hours_cases") > mean_over(alone, "hours_cases")
    # Those who finally give up may petition.
    assert mean_over(alone, "petitions") > mean_over(helped, "petitions")


def test_residents_who_trust_the_community_ask_its_grid_worker_more():
    wary = _runs("community_app", "population.trust_mean=0.3")
    trusting = _runs("community_app", "population.trust_mean=0.8")
    ratio = mean_over(trusting, "filed_by_grid_worker") / mean_over(wary, "filed_by_grid_worker")
    assert ratio > 1.8


def test_fallbacks_change_nothing_where_offices_are_open():
    for base, other in zip(_runs("baseline"), _runs("baseline", "behaviour.family_help=1",
                                                    "behaviour.grid_help=1"), strict=True):
        assert other.timeseries.equals(base.timeseries)


def test_a_data_breach_costs_trust_in_the_level_running_the_system_and_online_use():
    calm = _runs("digital_channels", "policies.0.mode=online_plus_offline")
    leak = _runs("digital_channels", "policies.0.mode=online_plus_offline", "policies.0.breach=true",
                 "policies.0.breach_week=20")
    drop_county = mean_over(calm, "trust_county") - mean_over(leak, "trust_county")
    drop_community = mean_over(calm, "trust_community") - mean_over(leak, "trust_community")
    assert drop_county > 0.01 and drop_county > 3 * abs(drop_community)
    # Those who stop filing online walk to the office instead, at an office case's hours.
    assert mean_over(leak, "online_share") < mean_over(calm, "online_share") - 0.05
    assert mean_over(leak, "hours_cases") > mean_over(calm, "hours_cases")


def test_without_a_breach_the_switch_draws_nothing():
    for a, b in zip(_runs("digital_channels"), _runs("digital_channels", "policies.0.breach_week=3"),
                    strict=True):
        assert a.timeseries.equals(b.timeseries)
