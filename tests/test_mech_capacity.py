"""Staff capacity: staffing, training, burden reduction and grid management.

The first three matter where staff are short, so their directions are tested
in the understaffed county of the ready scenarios (15 and 21 workers per
10,000 instead of 18 and 25); grid management in the baseline. Each
mechanism with neutral parameters must give the baseline exactly.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

import numpy as np
from conftest import SMALL, mean_over

import govsim
from govsim.model import GovModel

SEEDS = range(3)
SHORT = ("staff.per_10k_urban=15", "staff.per_10k_rural=21")


def _scenario(policies: str, *overrides: str, tmp: Path) -> govsim.Scenario:
    path = tmp / "capacity.yaml"
    path.write_text(f"extends: {Path(__file__).resolve().parent.parent / 'scenarios' / 'baseline.yaml'}\n"
                    f"policies: {policies}\n")
    return govsim.load_scenario(path, overrides=[*SMALL, "steps=78", *overrides])


@cache
def _runs(policies: str, *overrides: str) -> list[govsim.RunResult]:
    with tempfile.TemporaryDirectory() as tmp:
        scenario = _scenario(policies, *overrides, tmp=Path(tmp))
    return [govsim.simulate(scenario, seed=s) for s in SEEDS]


def test_more_staff_raise_coverage_and_lower_workload():
    short = _runs("[]", *SHORT)
    hired = _runs("[{type: staffing, add_per_10k_urban: 3, add_per_10k_rural: 4}]", *SHORT)
    assert mean_over(hired, "staff") > mean_over(short, "staff")
    assert mean_over(hired, "coverage") > mean_over(short, "coverage")
    assert mean_over(hired, "workload") < mean_over(short, "workload")
    assert mean_over(hired, "burnout") < mean_over(short, "burnout")


def test_cutting_staff_lowers_coverage():
    base = _runs("[]")
    cut = _runs("[{type: staffing, add_per_10k_urban: -3, add_per_10k_rural: -4}]")
    assert mean_over(cut, "staff") < mean_over(base, "staff")
    assert mean_over(cut, "coverage") < mean_over(base, "coverage")


def test_training_raises_skill_and_coverage():
    short = _runs("[]", *SHORT)
    trained = _runs("[{type: training}]", *SHORT)
    assert mean_over(trained, "staff_skill") > mean_over(short, "staff_skill") + 0.1
    assert mean_over(trained, "coverage") > mean_over(short, "coverage")
    assert mean_over(trained, "admin_share") > mean_over(short, "admin_share")  # the hours training costs


def test_burden_reduction_lowers_admin_and_raises_coverage():
    short = _runs("[]", *SHORT)
    lighter = _runs("[{type: burden_reduction, task_cut: 0.3, data_entry_cut: 0.3, reporting_cap: 2}]",
                    *SHORT)
    assert mean_over(lighter, "admin_share") < mean_over(short, "admin_share") - 0.03
    assert mean_over(lighter, "coverage") > mean_over(short, "coverage")
    assert mean_over(lighter, "overtime") < mean_over(short, "overtime")


def test_grid_management_answers_sooner_with_fewer_escalations():
    base = _runs("[]")
    grid = _runs("[{type: grid_management, empowerment: 0.5, delay_cut: 1, meeting_hours: 1}]")
    assert mean_over(grid, "response_weeks") < 0.8 * mean_over(base, "response_weeks")
    assert mean_over(grid, "escalations") < 0.5 * mean_over(base, "escalations")
    assert mean_over(grid, "coverage") > mean_over(base, "coverage")
    assert mean_over(grid, "admin_share") > mean_over(base, "admin_share")  # the hearings cost hours


def test_each_neutral_mechanism_is_the_baseline_exactly(baseline_run, tmp_path):
    neutral = ("[{type: staffing}]", "[{type: training, skill_gain: 0, hours_per_worker: 0}]",
               "[{type: burden_reduction}]", "[{type: grid_management}]")
    for policies in neutral:
        run = govsim.simulate(_scenario(policies, tmp=tmp_path), seed=3)
        assert run.timeseries.equals(baseline_run.timeseries), policies


def test_posts_are_added_after_the_delay_and_removed_when_the_window_closes(tmp_path):
    policies = "[{type: staffing, add_per_10k_urban: 10, add_per_10k_rural: 10, start: 5, end: 30}]"
    scenario = _scenario(policies, "staff.base_departure_rate=0", tmp=tmp_path)
    model = GovModel(scenario, seed=1)
    before = model.workforce.posts().copy()
    delay = model.params["staff"]["refill_delay_weeks"]
    for _ in range(5 + delay):
        model.step()
    assert (model.workforce.posts() > before).all()
    assert (model.workforce.count() == model.workforce.posts()).all()  # filled after the delay
    for _ in range(30 - 5 - delay + 1):
        model.step()
    assert (model.workforce.posts() == before).all()
    ts = model.recorder.table()
    staff = ts[(ts["metric"] == "staff") & (ts["scope"] == "overall")].set_index("week")["value"]
    # Posts open at the end of week 4; recruits are hired at the end of week 4 + delay.
    assert staff.loc[4 + delay] > staff.loc[3 + delay]
    assert staff.loc[30] < staff.loc[29]  # abolished at the end of the last week


def test_training_stops_at_the_cap_and_keeps_what_was_learnt(tmp_path):
    scenario = _scenario("[{type: training, skill_gain: 0.05, skill_cap: 0.8, end: 20}]",
                         "staff.base_departure_rate=0", tmp=tmp_path)
    model = GovModel(scenario, seed=1)
    start = model.workforce.skill.copy()
    for _ in range(30):
        model.step()
    skill = model.workforce.skill
    assert np.allclose(skill, np.maximum(start, 0.8))
