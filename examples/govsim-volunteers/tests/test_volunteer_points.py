"""The volunteer points plugin: found by govsim once installed, and doing what it says."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import govsim
from govsim.scenario import plugins

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "volunteer_points.yaml"
SMALL = ["population.residents=6000", "steps=52"]


def _run(*overrides: str, seed: int = 3) -> govsim.RunResult:
    return govsim.simulate(govsim.load_scenario(SCENARIO, overrides=[*SMALL, *overrides]), seed=seed)


def _overall(result: govsim.RunResult, metric: str) -> float:
    s = result.summary
    return float(s[(s.metric == metric) & (s.scope == "overall")].value.iloc[0])


def test_govsim_finds_the_plugin_and_its_metrics() -> None:
    found = plugins.registry()
    assert "volunteer_points" in plugins.policy_types()
    assert found.origin["volunteer_points"] == "govsim-volunteers"
    assert found.origin["volunteer_hours"] == "govsim-volunteers"
    assert "volunteers_per_1k" in plugins.policy_section("volunteer_points").names()
    rows = {r["path"] for r in govsim.scenario.describe_params()}
    assert "policies.volunteer_points.volunteers_per_1k" in rows


def test_the_hours_are_the_volunteers_times_their_hours() -> None:
    result = _run("policies.0.dropout=0.05")
    ts = result.timeseries
    weekly = ts[(ts.metric == "volunteer_hours") & (ts.scope == "overall")].sort_values("week")
    residents = 6000
    # The warm-up's weeks come before week 0, when the scheme starts: it drifts from week 0 on.
    expected = 10 / 1000 * residents * 2 * 0.95 ** weekly.week.to_numpy()
    np.testing.assert_allclose(weekly.value.to_numpy(), expected, rtol=1e-9)
    points = ts[(ts.metric == "volunteer_points_yuan") & (ts.scope == "overall")].sort_values("week")
    np.testing.assert_allclose(points.value.to_numpy(), 10 * weekly.value.to_numpy())


def test_volunteers_raise_coverage_in_a_county_short_of_staff() -> None:
    without = _run("policies=[]")
    with_scheme = _run("policies.0.volunteers_per_1k=40")
    assert _overall(with_scheme, "coverage") > _overall(without, "coverage") + 0.01
    assert _overall(with_scheme, "abandoned") < _overall(without, "abandoned")


def test_a_bad_value_is_refused_like_any_parameter() -> None:
    with pytest.raises(govsim.ScenarioError, match=r"policies\[0\]\.hours_per_volunteer"):
        govsim.load_scenario(SCENARIO, overrides=["policies.0.hours_per_volunteer=-1"])
