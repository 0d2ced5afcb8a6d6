"""The county's structure: results per capita do not depend on how many residents are
simulated, upper offices are queues whose capacity matters, staffing is smooth, the
warm-up is not reported and the budget year leaves no artefact (issue: credible accounting)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SCENARIOS, small

import govsim
from govsim.scenario.declarations import DEPARTMENTS
from govsim.scenario.plausibility import ScenarioWarning


def _overall(run: govsim.RunResult) -> dict[str, float]:
    s = run.summary
    return s[s["scope"] == "overall"].set_index("metric")["value"].to_dict()


def test_per_capita_results_hold_at_two_sizes_ten_times_apart():
    """Regression: with fixed townships, communities, capacities and budgets, the baseline at
    240,000 residents answered 82% in time instead of 91%, abandoned 14.7% of due needs instead
    of 2.3%, and spent 3% of hours on admin instead of 30%."""
    small_county, large_county = (
        _overall(govsim.simulate(govsim.load_scenario(SCENARIOS / "baseline.yaml",
                                                      overrides=[f"population.residents={n}"])))
        for n in (24_000, 240_000))
    assert abs(small_county["coverage"] - large_county["coverage"]) < 0.02
    assert abs(small_county["admin_share"] - large_county["admin_share"]) < 0.03
    assert abs(small_county["abandoned_share"] - large_county["abandoned_share"]) < 0.01


def test_the_layout_grows_with_the_population():
    sizes = {}
    for n in (24_000, 240_000):
        scenario = govsim.load_scenario(SCENARIOS / "baseline.yaml", overrides=[f"population.residents={n}"])
        model = govsim.model.GovModel(scenario)
        sizes[n] = (model.hierarchy.communities, model.hierarchy.townships,
                    model.township_capacity.sum(), model.department_capacity.sum(),
                    model.budget.yearly.sum(), model.workforce.posts().sum())
    for small_county, large_county in zip(sizes[24_000], sizes[240_000], strict=True):
        assert large_county == pytest.approx(10 * small_county, rel=0.02)


def test_a_fixed_layout_that_implies_huge_communities_is_warned_about():
    with pytest.warns(ScenarioWarning, match="residents per urban community"):
        govsim.load_scenario(SCENARIOS / "baseline.yaml",
                             overrides=["hierarchy.townships=2", "population.residents=240000"])


def _upper_capacity(factor: float) -> list[str]:
    base = govsim.load_scenario(SCENARIOS / "baseline.yaml")
    h, d = base.params["hierarchy"], base.params["departments"]
    return ([f"hierarchy.township_capacity_per_10k={h['township_capacity_per_10k'] * factor}"]
            + [f"departments.{k}.capacity_per_10k={d[k]['capacity_per_10k'] * factor}"
               for k in DEPARTMENTS])


@pytest.fixture(scope="module")
def by_capacity() -> dict[float, dict[str, float]]:
    """The baseline with township and county capacity scaled, two seeds averaged."""
    out = {}
    for factor in (0.1, 0.2, 0.5, 1.0, 5.0, 20.0):
        runs = [_overall(govsim.simulate(small("baseline", *_upper_capacity(factor), steps=104), seed=s))
                for s in (1, 2)]
        out[factor] = {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}
    return out


def test_cutting_upper_capacity_costs_coverage(by_capacity):
    """Regression: township and county capacity changed nothing (x50 moved coverage by 0.0001)."""
    assert by_capacity[0.1]["coverage"] < by_capacity[1.0]["coverage"] - 0.02
    assert by_capacity[0.1]["abandoned_share"] > by_capacity[1.0]["abandoned_share"]
    assert by_capacity[0.1]["township_use"] > 0.9  # the queue is the bottleneck


def test_raising_upper_capacity_helps_while_it_is_the_bottleneck(by_capacity):
    assert by_capacity[0.1]["coverage"] < by_capacity[0.2]["coverage"] < by_capacity[0.5]["coverage"]


def test_raising_upper_capacity_past_the_bottleneck_saturates(by_capacity):
    for metric in ("coverage", "abandoned_share", "backlog"):
        assert by_capacity[5.0][metric] == pytest.approx(by_capacity[20.0][metric], abs=1e-12)
    assert by_capacity[20.0]["township_use"] < 0.05


def test_small_steps_in_staffing_are_small_steps_in_results():
    """Regression: staff were whole people, so one worker fewer per community moved coverage
    from 0.91 to 0.79 and burnout from 0.02 to 0.37 at a rounding threshold."""
    levels = np.arange(15.0, 19.01, 0.5)
    coverage, burnout = [], []
    for urban in levels:
        runs = [_overall(govsim.simulate(
            small("baseline", "population.residents=60000", f"staff.per_10k_urban={urban}",
                  f"staff.per_10k_rural={urban * 25 / 18}"), seed=s)) for s in (1, 2)]
        coverage.append(np.mean([r["coverage"] for r in runs]))
        burnout.append(np.mean([r["burnout"] for r in runs]))
    assert coverage[-1] > coverage[0]  # staffing matters...
    assert np.abs(np.diff(coverage)).max() < 0.04  # ...in steps, not at a cliff
    assert np.abs(np.diff(burnout)).max() < 0.1


def test_posts_are_full_time_equivalents():
    model = govsim.model.GovModel(small("baseline", "staff.per_10k_urban=18.3"))
    urban = ~model.hierarchy.community_rural
    expected = model.hierarchy.community_residents[urban] * 18.3 / 1e4
    np.testing.assert_allclose(model.workforce.posts()[urban], expected)
    assert (model.workforce.fte < 1).sum() >= 1


def test_warm_up_weeks_are_simulated_but_not_reported():
    cold = govsim.simulate(small("baseline", "warmup_weeks=0", steps=20), seed=1)
    warm = govsim.simulate(small("baseline", "warmup_weeks=104", steps=20), seed=1)
    assert warm.timeseries["week"].min() == 0 and warm.timeseries["week"].max() == 19
    backlog = {name: run.timeseries.query("metric == 'backlog' and scope == 'overall'")["value"].to_numpy()
               for name, run in (("cold", cold), ("warm", warm))}
    # From empty queues the first weeks' backlog is far below its later level; after the warm-up
    # the first reported week already looks like the rest.
    assert backlog["cold"][0] < 0.6 * backlog["cold"][10:].mean()
    assert backlog["warm"][0] > 0.8 * backlog["warm"][10:].mean()


def test_no_year_end_dip_in_coverage():
    """The dip was money paid in at the year's start running out before its end."""
    scenario = govsim.load_scenario(SCENARIOS / "baseline.yaml")
    weekly = []
    for seed in (1, 2, 3):
        ts = govsim.simulate(scenario, seed=seed).timeseries
        weekly.append(ts.query("metric == 'coverage' and scope == 'overall'")["value"].to_numpy())
    by_week = np.array(weekly).reshape(3, -1, 52).mean(axis=(0, 1))
    last_quarter, rest = by_week[-13:].mean(), by_week[:-13].mean()
    assert last_quarter > rest - 0.01
    year_start = govsim.simulate(govsim.load_scenario(SCENARIOS / "baseline.yaml",
                                                      overrides=["budget.release=year_start"]), seed=1)
    dip = year_start.timeseries.query("metric == 'coverage' and scope == 'overall'")["value"].to_numpy()
    dip = dip.reshape(-1, 52).mean(axis=0)
    assert dip[-13:].mean() < dip[:-13].mean() - 0.01  # the old rule still shows it
