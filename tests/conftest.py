"""Shared fixtures: small but complete scenarios that run in a fraction of a second."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import govsim

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"

#: One urban community of 4,000 and one village of 2,000: every mechanism, little time.
SMALL = ["population.residents=6000", "hierarchy.communities_per_township=1"]


def small(name: str = "baseline", *overrides: str, steps: int = 78) -> govsim.Scenario:
    """A ready scenario shrunk to two communities, with extra ``--set`` overrides."""
    return govsim.load_scenario(SCENARIOS / f"{name}.yaml", overrides=[*SMALL, f"steps={steps}", *overrides])


def overall(result: govsim.RunResult) -> pd.DataFrame:
    """Weekly overall values, one column per metric."""
    ts = result.timeseries
    return ts[ts["scope"] == "overall"].pivot(index="week", columns="metric", values="value")


def summary(result: govsim.RunResult, scope: str = "overall") -> pd.Series:
    """Whole-run values of one scope, indexed by metric (and key for groups/communities)."""
    s = result.summary[result.summary["scope"] == scope]
    return s.set_index("metric")["value"] if scope == "overall" else s.set_index(["metric", "key"])["value"]


@pytest.fixture(scope="session")
def baseline_run() -> govsim.RunResult:
    """One small baseline run shared by the invariant tests."""
    return govsim.simulate(small("baseline"), seed=3)
