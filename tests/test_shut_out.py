"""Residents shut out of the app: family by age and literacy, grid workers, trying again (§7.19).

Directions are averaged over paired seeds; the accounting (every need one row
and one outcome) is checked on the case ledger.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from conftest import SCENARIOS, SMALL, assert_cases_conserved, mean_over, small

import govsim
from govsim.model.levers import Channels
from govsim.model.shut_out import family_files

SEEDS = range(3)


@cache
def _runs(*overrides: str) -> list[govsim.RunResult]:
    return [govsim.simulate(small("community_app", *overrides), seed=s, cases=True) for s in SEEDS]


def test_family_files_by_nearness_asking_and_literacy():
    ch = Channels(online=True, offline=False, literacy_threshold=0.5, family_help=0.5, family_near=0.8,
                  family_near_elderly=0.4, family_literacy=0.5)
    literacy = np.array([0.0, 0.25, 0.5, 0.0])
    elderly = np.array([False, False, False, True])
    chance = np.array([0.5 * 0.8 * 0.5, 0.5 * 0.8 * 0.75, 0.5 * 0.8 * 1.0, 0.5 * 0.4 * 0.5])
    assert (family_files(ch, literacy, elderly, chance - 1e-9)).all()
    assert not (family_files(ch, literacy, elderly, chance + 1e-9)).any()


def test_residents_left_with_no_one_to_file_try_again_and_fewer_needs_are_given_up():
    once = _runs("behaviour.shut_out_retry=0")
    again = _runs()
    assert mean_over(once, "waiting_to_file") == mean_over(once, "filed_after_waiting") == 0
    assert mean_over(again, "waiting_to_file") > 0 and mean_over(again, "filed_after_waiting") > 0
    assert mean_over(again, "excluded") < 0.9 * mean_over(once, "excluded")
    assert mean_over(again, "excluded", "elderly") < 0.9 * mean_over(once, "excluded", "elderly")
    # Trying again costs staff hours too: more needs reach the grid worker and family.
    assert mean_over(again, "filed_by_grid_worker") > mean_over(once, "filed_by_grid_worker")
    for run in again:
        assert_cases_conserved(run.cases, run.timeseries)


def test_needs_filed_after_waiting_keep_their_number_week_raised_and_deadline():
    for run in _runs():
        c = run.cases
        filed = c["channel"].notna()
        # A need filed late still carries its own deadline; some of them are answered late.
        assert (c.loc[filed, "deadline_week"] > c.loc[filed, "raised_week"]).all()
        unfiled_open = (c["outcome"] == "open") & ~filed
        assert (c.loc[unfiled_open, "level_closed"].isna()).all()


def test_the_elderly_with_family_at_hand_are_helped_more():
    apart = _runs()
    near = _runs("behaviour.family_near_elderly=1")
    assert mean_over(near, "filed_by_family") > 1.2 * mean_over(apart, "filed_by_family")
    assert mean_over(near, "excluded", "elderly") < mean_over(apart, "excluded", "elderly")


def test_residents_with_some_digital_skill_ask_family_more_readily():
    plain = _runs("behaviour.family_help_literacy=0")
    skill = _runs("behaviour.family_help_literacy=1")
    assert mean_over(skill, "filed_by_family") < mean_over(plain, "filed_by_family")


def test_needs_waiting_when_their_resident_moves_away_close_as_left(tmp_path):
    spec = tmp_path / "app_and_migration.yaml"
    spec.write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\n"
        "name: app_and_migration\n"
        "policies:\n"
        "  - type: digital_channels\n    mode: online_only\n"
        "  - type: migration\n    turnover: 0.05\n")
    # Few can use the app, so that movers, too, are often shut out.
    hard_app = ("behaviour.online_literacy_threshold=0.95",)
    for seed in SEEDS:
        run = govsim.simulate(govsim.load_scenario(spec, overrides=[*SMALL, "steps=52", *hard_app]),
                              seed=seed, cases=True)
        assert_cases_conserved(run.cases, run.timeseries)
        c = run.cases
        left_unfiled = (c["outcome"] == "left") & c["channel"].isna()
        assert left_unfiled.any()
