"""The run figure: a real PNG, robust to missing metrics, reproducible, no pyplot state."""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from govsim.plots import OKABE_ITO, group_colours, plot_run, rolling_coverage

GROUPS = ("elderly", "working_age", "child")


def fake_timeseries(weeks: int = 60, seed: int = 3) -> pd.DataFrame:
    """Every metric the figure draws, with plausible shapes."""
    rng = np.random.default_rng(seed)
    w = np.arange(weeks)
    rows: list[tuple] = []

    def add(metric: str, scope: str, key: str, values: np.ndarray) -> None:
        rows.extend((int(a), metric, scope, key, float(b)) for a, b in zip(w, values, strict=True))

    total_due, total_res = np.zeros(weeks), np.zeros(weeks)
    for i, group in enumerate(GROUPS):
        due = rng.poisson(12, weeks).astype(float)
        res = rng.binomial(due.astype(int), 0.8 - 0.2 * i).astype(float)
        add("cases_due", "group", group, due)
        add("resolved_in_time", "group", group, res)
        add("trust", "group", group, 0.6 - 0.1 * i - 0.001 * w)
        total_due, total_res = total_due + due, total_res + res
    add("cases_due", "overall", "all", total_due)
    add("resolved_in_time", "overall", "all", total_res)
    add("trust", "overall", "all", 0.5 - 0.001 * w)
    add("workload", "overall", "all", 0.9 + 0.01 * w)
    for j, community in enumerate(("Riverside", "Hilltop")):
        add("workload", "community", community, 0.8 + 0.012 * w + 0.1 * j)
    hours = {"hours_admin": 300, "hours_targets": 100, "hours_cases": 400, "hours_idle": 50}
    for name, base in hours.items():
        add(name, "overall", "all", base + rng.normal(0, 5, weeks))
    add("target_true", "overall", "all", np.minimum(1, 0.01 * w))
    add("target_reported", "overall", "all", np.minimum(1, 0.015 * w))
    add("farmer_income", "overall", "all", 600 + rng.normal(0, 10, weeks))
    add("money_spent", "overall", "all", 4000 + rng.normal(0, 100, weeks))
    add("money_lapsed", "overall", "all", np.where(w % 52 == 51, 20000.0, 0.0))
    return pd.DataFrame(rows, columns=["week", "metric", "scope", "key", "value"])


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_full_figure_is_a_sensible_png(tmp_path: Path) -> None:
    out = plot_run(fake_timeseries(), tmp_path / "figure.png", title="tiny — seed 1")
    assert out == tmp_path / "figure.png"
    width, height = png_size(out)
    assert 1000 <= width <= 2500 and 800 <= height <= 3000  # four rows of panels, readable
    assert out.stat().st_size > 50_000  # seven panels of lines, not a blank canvas
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figure.png"]  # no temporaries left
    pyplot = sys.modules.get("matplotlib.pyplot")
    assert pyplot is None or pyplot.get_fignums() == []  # no global figure state touched


@pytest.mark.parametrize("metrics", [
    ["trust"],
    ["workload"],
    ["coverage"],
    ["cases_due"],  # a panel's metric without its partner: skipped, not an error
    ["money_lapsed", "hours_cases"],
    ["not_a_metric"],
    [],
])
def test_missing_metrics_still_give_a_figure(tmp_path: Path, metrics: list[str]) -> None:
    ts = fake_timeseries(weeks=10)
    if "coverage" in metrics:
        ts = pd.concat([ts, ts[ts["metric"] == "trust"].assign(metric="coverage")])
    if "not_a_metric" in metrics:
        ts = ts.assign(metric="not_a_metric")
    ts = ts[ts["metric"].isin(metrics)]
    width, height = png_size(plot_run(ts, tmp_path / "f.png"))
    assert width > 500 and height > 200


def test_empty_table_gives_a_figure(tmp_path: Path) -> None:
    empty = pd.DataFrame(columns=["week", "metric", "scope", "key", "value"])
    assert png_size(plot_run(empty, tmp_path / "f.png"))[0] > 500


def test_same_data_same_bytes(tmp_path: Path) -> None:
    ts = fake_timeseries(weeks=20)
    ts = ts[ts["metric"].isin(["trust", "workload"])]
    a, b = plot_run(ts, tmp_path / "a.png"), plot_run(ts, tmp_path / "b.png")
    assert a.read_bytes() == b.read_bytes()


def test_each_group_keeps_one_colour_from_the_colour_blind_safe_palette() -> None:
    colours = group_colours(fake_timeseries(weeks=5))
    assert list(colours) == list(GROUPS)
    assert list(colours.values()) == list(OKABE_ITO[:3])


def test_rolling_coverage_is_a_ratio_of_sums_not_a_mean_of_ratios() -> None:
    rows = [(0, "cases_due", "overall", "all", 1.0), (0, "resolved_in_time", "overall", "all", 0.0),
            (1, "cases_due", "overall", "all", 9.0), (1, "resolved_in_time", "overall", "all", 9.0),
            (2, "cases_due", "overall", "all", 0.0), (2, "resolved_in_time", "overall", "all", 0.0)]
    ts = pd.DataFrame(rows, columns=["week", "metric", "scope", "key", "value"])
    cov = rolling_coverage(ts, "overall").iloc[:, 0]
    assert cov.loc[0] == 0.0
    assert cov.loc[1] == pytest.approx(0.9)  # 9 of 10 cases; a mean of shares would say 0.5
    assert cov.loc[2] == pytest.approx(0.9)
