"""The array helpers the model's speed rests on, checked against plain loops."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from govsim.metrics import METRICS, Recorder, summarise
from govsim.model.allocate import PACK_FROM, order_by, segment_sums, serve_in_order
from govsim.model.selection import mask_of, sample_segments
from govsim.policies.crop_mandate import _until_first_miss


def test_serve_in_order_matches_a_loop_over_items():
    rng = np.random.default_rng(1)
    group = np.sort(rng.integers(0, 6, 300))
    need = rng.exponential(2.0, 300) * (rng.random(300) > 0.1)  # some need nothing
    capacity = rng.uniform(0, 60, 6)
    left, expected = capacity.copy(), np.zeros(300)
    for i in range(300):
        expected[i] = min(need[i], left[group[i]])
        left[group[i]] -= expected[i]
    np.testing.assert_allclose(serve_in_order(group, need, capacity), expected, atol=1e-9)


def test_segment_sums_matches_sums_of_slices_including_empty_segments():
    rng = np.random.default_rng(2)
    values = rng.random(50).astype(np.float32)
    bounds = np.array([0, 0, 7, 7, 20, 50, 50])  # empty at the start, middle and end
    expected = [values[a:b].astype(np.float64).sum() for a, b in itertools.pairwise(bounds)]
    np.testing.assert_allclose(segment_sums(values, bounds), expected, rtol=1e-12)
    assert segment_sums(np.zeros(0), np.array([0, 0, 0])).tolist() == [0.0, 0.0]


def test_mask_of_marks_exactly_the_rows_given():
    assert mask_of(np.array([4, 1, 4]), 6).tolist() == [False, True, False, False, True, False]


def test_sample_segments_takes_distinct_positions_within_each_segment_capped_at_its_size():
    rng = np.random.default_rng(3)
    sizes, takes = np.array([5, 0, 3, 40, 2]), np.array([2, 3, 3, 39, 7])
    chosen = sample_segments(rng, sizes, takes)
    segment = np.searchsorted(np.cumsum(sizes), chosen, side="right")
    assert np.unique(chosen).size == chosen.size
    assert np.bincount(segment, minlength=5).tolist() == [2, 0, 3, 39, 2]


@pytest.mark.parametrize("take", [2, 3])  # fewer than half of four, and most of them
def test_sample_segments_draws_every_subset_equally_often(take):
    rng = np.random.default_rng(4)
    counts = Counter(tuple(sample_segments(rng, np.array([4]), np.array([take])).tolist())
                     for _ in range(6000))
    subsets = list(itertools.combinations(range(4), take))
    assert set(counts) == set(subsets)
    assert stats.chisquare([counts[s] for s in subsets]).pvalue > 0.001


def test_a_village_stops_at_the_first_farmer_it_cannot_reach():
    reached = np.array([True, False, True, True, True, False, True])
    sizes = np.array([3, 0, 2, 2])
    assert _until_first_miss(reached, sizes).tolist() == [True, False, False, True, True, False, False]


def _summarise_by_pandas(timeseries: pd.DataFrame) -> pd.DataFrame:
    """The summary rules written plainly with pandas, as a reference."""
    keyed = timeseries.groupby(["metric", "scope", "key"], sort=False)["value"]
    source = {"sum": keyed.sum(), "mean": keyed.mean(), "last": keyed.last()}
    frames = []
    for name, metric in METRICS.items():
        if metric.summary.startswith("ratio:"):
            num, den = metric.summary.removeprefix("ratio:").split("/")
            if num not in source["sum"].index.get_level_values(0):
                continue
            d = source["sum"].loc[den]
            values = (source["sum"].loc[num] / d.where(d > 0)).rename("value")
        elif name in source["sum"].index.get_level_values(0):
            values = source[metric.summary].loc[name].rename("value")
        else:
            continue
        frame = values.reset_index()
        frame.insert(0, "metric", name)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)[["metric", "scope", "key", "value"]]


def test_summary_and_table_match_plain_pandas():
    rng = np.random.default_rng(5)
    recorder = Recorder(("elderly", "working_age"), ("east", "west"))
    for week in range(4):
        for name in ("resolved_in_time", "cases_due", "trust", "backlog"):
            recorder.overall(week, name, float(rng.integers(0, 5)))
            recorder.by(week, name, "community", rng.integers(0, 5, 2).astype(float))
        recorder.by(week, "trust", "group", rng.random(2))
    table = recorder.table()
    assert len(table) == 4 * (4 * 3 + 2)
    first = table[table["week"] == 0]
    assert first["key"].tolist()[:3] == ["all", "east", "west"]
    assert isinstance(table["key"].dtype, pd.CategoricalDtype)  # millions of rows in a large county
    plain = table.astype({"metric": "str", "scope": "str", "key": "str"})
    pd.testing.assert_frame_equal(summarise(table), _summarise_by_pandas(plain))


def test_order_by_gives_lexsort_s_order_packed_or_not():
    rng = np.random.default_rng(6)
    n = 2 * PACK_FROM  # long enough to be packed
    group = rng.integers(0, 5, n)
    late = rng.random(n) < 0.3
    deadline = rng.integers(-3, 40, n).astype(np.int32)
    for keys in ((late, deadline), (deadline,), (rng.random(n),), (rng.integers(0, 2**40, n),) * 2):
        np.testing.assert_array_equal(order_by(group, *keys), np.lexsort((*reversed(keys), group)))
    assert order_by(np.zeros(0, dtype=np.int64)).size == 0
