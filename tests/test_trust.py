"""Trust by level: the bounded update, attribution to levels, stationarity and recovery."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SCENARIOS, mean_over, small

import govsim
from govsim.model import GovModel
from govsim.model.trust import CENTRE, COMMUNITY, COUNTY, LEVELS, TOWNSHIP, TrustBook, attribution


def plain_step(trust: float, step: float) -> float:
    """The rule as written in docs/odd.md §7.11, for one experience."""
    step = min(1.0, max(-1.0, step))
    return trust + step * (1.0 - trust) if step > 0 else trust * (1.0 + step)


def test_the_book_follows_the_plain_rule_through_changes_fading_and_newcomers():
    rng = np.random.default_rng(5)
    n, communities, strata = 300, 3, 4
    community = np.repeat(np.arange(communities), n // communities)
    stratum = rng.integers(0, strata, n)
    rest = rng.uniform(0.2, 0.9, n)
    book = TrustBook(rest, community, stratum, communities, strata)
    plain = np.tile(rest.astype(np.float32).astype(np.float64), (len(LEVELS), 1))
    plain_rest = rest.astype(np.float32).astype(np.float64)
    for week in range(120):  # long enough for several rescalings at this fading rate
        who = rng.integers(0, n, 40)
        steps = rng.uniform(-0.2, 0.2, who.size)
        weights = rng.uniform(0, 1, len(LEVELS)) * (rng.random(len(LEVELS)) < 0.7)
        book.change(who, steps, weights)
        for k in np.flatnonzero(weights):
            for good in (True, False):  # good experiences first, as documented
                for row, d in zip(who, steps, strict=True):
                    if (d > 0) == good:
                        plain[k, row] = plain_step(plain[k, row], d * weights[k])
        if week % 10 == 3:
            block = slice(100, 200)
            book.change_rows(block, -0.1, attribution(community=1.0))
            plain[COMMUNITY, block] = plain[COMMUNITY, block] * 0.9
        if week % 25 == 7:  # newcomers
            rows = rng.choice(n, 5, replace=False)
            old = stratum[rows].copy()
            stratum[rows] = rng.integers(0, strata, rows.size)
            fresh = rng.uniform(0.2, 0.9, rows.size)
            book.reset(rows, fresh, old)
            plain[:, rows] = plain_rest[rows] = fresh.astype(np.float32)
        book.fade(0.03)
        plain += 0.03 * (plain_rest - plain)
    for k in range(len(LEVELS)):
        np.testing.assert_allclose(book.level(k), plain[k], atol=2e-5)
        by_stratum, by_community = book.sums(k)
        np.testing.assert_allclose(by_stratum, np.bincount(stratum, plain[k], strata), atol=1e-3)
        np.testing.assert_allclose(by_community, np.bincount(community, plain[k], communities), atol=1e-3)


def test_steps_are_bounded_shrink_near_the_bounds_and_bad_weighs_more():
    rest = np.array([0.5, 0.95, 0.05, 0.5])
    book = TrustBook(rest, np.zeros(4, int), np.zeros(4, int), 1, 1)
    only = attribution(community=1.0)
    book.change(np.array([0, 1]), 0.1, only)
    up = book.level(COMMUNITY) - rest.astype(np.float32)
    assert up[0] == pytest.approx(0.05, abs=1e-6) and up[1] == pytest.approx(0.005, abs=1e-6)
    book.change(np.array([2, 3]), -0.1, only)
    down = book.level(COMMUNITY) - rest.astype(np.float32)
    assert down[2] == pytest.approx(-0.005, abs=1e-6) and down[3] == pytest.approx(-0.05, abs=1e-6)
    book.change(np.arange(4), np.array([1.0, 5.0, -1.0, -7.0]), only)  # out-of-range steps stop at a bound
    assert book.level(COMMUNITY).tolist() == [1.0, 1.0, 0.0, 0.0]
    for k in (TOWNSHIP, COUNTY, CENTRE):  # an experience of the community's moves no other level
        np.testing.assert_array_equal(book.level(k), rest.astype(np.float32))


def test_every_level_starts_at_the_same_trust():
    model = GovModel(small("baseline"), seed=3)
    res = model.residents
    for k in range(len(LEVELS)):
        np.testing.assert_array_equal(res.trust_in(k), res.trust0)


@pytest.fixture(scope="module")
def ten_years() -> govsim.RunResult:
    """The ready baseline (with its warm-up) for ten reported years."""
    return govsim.simulate(govsim.load_scenario(SCENARIOS / "baseline.yaml", overrides=["steps=520"]))


@pytest.mark.parametrize("metric", ["trust", "trust_community", "trust_township", "trust_county",
                                    "trust_centre"])
def test_baseline_trust_is_stationary_over_ten_years(ten_years, metric):
    ts = ten_years.timeseries
    y = ts[(ts["scope"] == "overall") & (ts["metric"] == metric)]["value"].to_numpy()
    slope = np.polyfit(np.arange(y.size), y, 1)[0]
    assert abs(slope * y.size) < 0.002  # less than 0.002 over the decade
    assert 0.3 < np.mean(np.diff(y) > 0) < 0.7  # it rose in 68% of weeks before trust had levels


def test_orderings_between_levels_come_from_the_mechanism(ten_years):
    """The levels start equal; cases climb to the township and county when they are already late,
    so those levels see mostly bad outcomes and end lower than the community."""
    last = ten_years.summary
    value = last[last["scope"] == "overall"].set_index("metric")["value"]
    assert value["trust_community"] > value["trust_county"]
    assert value["trust_community"] > value["trust_township"]


def _runs(*overrides: str, name: str = "baseline") -> list[govsim.RunResult]:
    return [govsim.simulate(small(name, *overrides, steps=104), seed=s) for s in range(3)]


def test_a_slower_township_costs_trust_in_the_township_most():
    base = _runs()
    slow = _runs("hierarchy.township_capacity_per_10k=5")

    def loss(metric: str) -> float:
        return mean_over(base, metric) - mean_over(slow, metric)

    assert loss("trust_township") > 0.002
    assert loss("trust_township") > loss("trust_community") and loss("trust_township") > loss("trust_centre")


def test_a_crop_mandate_hurts_the_levels_that_set_and_enforced_it():
    base, mandate = _runs(), _runs(name="crop_mandate")

    def loss(metric: str) -> float:
        return mean_over(base, metric, "farmer") - mean_over(mandate, metric, "farmer")

    assert loss("trust_county") > 0.01 and loss("trust_community") > 0.01
    assert loss("trust_township") < loss("trust_county")  # it only relayed the mandate
    assert abs(loss("trust_centre")) < 0.2 * loss("trust_county")


def test_a_shock_recovers_partly_within_a_year():
    model = GovModel(small("baseline", steps=104), seed=2)
    res = model.residents
    for _ in range(52):
        model.step()
    before = float(res.trust_in(COMMUNITY).mean())
    res.change_trust_in(np.arange(model.hierarchy.communities), -0.3)
    trough = float(res.trust_in(COMMUNITY).mean())
    for _ in range(52):
        model.step()
    after = float(res.trust_in(COMMUNITY).mean())
    assert trough < before - 0.15
    assert trough + 0.05 * (before - trough) < after < before - 0.5 * (before - trough)
