"""Shared fixtures: small but complete scenarios that run in a fraction of a second."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import govsim

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"

#: One urban community of 4,000 and one village of 2,000: every mechanism, little time.
SMALL = ["population.residents=6000", "hierarchy.communities_per_township=1", "warmup_weeks=0"]


def small(name: str = "baseline", *overrides: str, steps: int = 78) -> govsim.Scenario:
    """A ready scenario shrunk to two communities, with extra ``--set`` overrides."""
    return govsim.load_scenario(SCENARIOS / f"{name}.yaml", overrides=[*SMALL, f"steps={steps}", *overrides])


def overall(result: govsim.RunResult) -> pd.DataFrame:
    """Weekly overall values, one column per metric."""
    ts = result.timeseries
    ts = ts[ts["scope"] == "overall"].astype({"metric": "str"})  # columns named by plain strings
    return ts.pivot(index="week", columns="metric", values="value")


def summary(result: govsim.RunResult, scope: str = "overall") -> pd.Series:
    """Whole-run values of one scope, indexed by metric (and key for groups/communities)."""
    s = result.summary[result.summary["scope"] == scope]
    return s.set_index("metric")["value"] if scope == "overall" else s.set_index(["metric", "key"])["value"]


def mean_over(runs: list[govsim.RunResult], metric: str, key: str | None = None) -> float:
    """Mean over runs of a whole-run value: overall, or of the resident group ``key``."""
    if key is None:
        return float(np.mean([summary(r)[metric] for r in runs]))
    return float(np.mean([summary(r, "group")[(metric, key)] for r in runs]))


def rows_on(timeseries: pd.DataFrame, metrics: object) -> pd.DataFrame:
    """The rows of ``metrics``, with metric, scope and key as plain strings: the table's
    categoricals list every metric the run recorded, so a run with a policy's own metrics and one
    without have different categories even where their rows are the same."""
    names = set(metrics)
    rows = timeseries[timeseries["metric"].isin(names)].reset_index(drop=True)
    return rows.astype({"metric": "str", "scope": "str", "key": "str"})


def assert_same_as_baseline(run: govsim.RunResult, baseline: govsim.RunResult) -> None:
    """The run's rows on the baseline's metrics equal the baseline's table exactly."""
    base = baseline.timeseries
    pd.testing.assert_frame_equal(rows_on(run.timeseries, base["metric"]), rows_on(base, base["metric"]))


def assert_hours_balance(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Every community's hours each week are spent on admin, targets or cases, or idle (never below 0).

    Returns the community table (week and key × metric) for further checks.
    """
    c = timeseries[timeseries["scope"] == "community"].pivot_table(index=["week", "key"], columns="metric",
                                                                   values="value")
    spent = c["hours_admin"] + c["hours_targets"] + c["hours_cases"] + c["hours_idle"]
    np.testing.assert_allclose(spent, c["hours_available"], rtol=1e-9, atol=1e-6)
    assert (c["hours_idle"] >= -1e-9).all()
    return c


def assert_cases_conserved(ledger: pd.DataFrame, timeseries: pd.DataFrame) -> None:
    """Nothing created or lost: every need has one ledger row and one outcome, and the weekly
    counts of needs raised, due, met in time, late, abandoned, left, excluded and open are
    counts of those rows."""
    assert (ledger["case_id"].to_numpy() == np.arange(len(ledger))).all()
    assert ledger["outcome"].notna().all()
    ts = timeseries[timeseries["scope"] == "overall"]
    o = ts.pivot(index="week", columns="metric", values="value")
    last = int(o.index.max())

    def within(column: str) -> pd.Series:
        return ledger[column].between(0, last).fillna(False).astype(bool)

    outcome = ledger["outcome"]
    assert o["cases_raised"].sum() == within("raised_week").sum()
    # A need is excluded when its resident gives up trying to file it (§7.19).
    assert o["excluded"].sum() == (within("closed_week") & (outcome == "excluded")).sum()
    assert o["cases_due"].sum() == within("deadline_week").sum()
    assert o["resolved_in_time"].sum() == (within("deadline_week") & (outcome == "in_time")).sum()
    for name, metric in (("late", "resolved_late"), ("abandoned", "abandoned"), ("left", "cases_left")):
        assert o[metric].sum() == (within("closed_week") & (outcome == name)).sum(), name
    unfiled = ledger["channel"].isna()  # open needs not yet filed: waiting to try again
    assert o["backlog"].iloc[-1] == ((outcome == "open") & ~unfiled).sum()
    assert o["waiting_to_file"].iloc[-1] == ((outcome == "open") & unfiled).sum()
    closed = ledger["closed_week"]
    assert (closed.dropna() >= ledger.loc[closed.notna(), "raised_week"]).all()
    in_time = outcome == "in_time"
    assert (ledger.loc[in_time, "closed_week"] <= ledger.loc[in_time, "deadline_week"]).all()
    late = outcome == "late"
    assert (ledger.loc[late, "closed_week"] > ledger.loc[late, "deadline_week"]).all()


@pytest.fixture(scope="session")
def baseline_run() -> govsim.RunResult:
    """One small baseline run shared by the invariant tests."""
    return govsim.simulate(small("baseline"), seed=3, cases=True)
