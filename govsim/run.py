"""simulate(scenario, seed) -> RunResult: the one door to the model.

The CLI, sweeps and the teaching page all go through :func:`simulate`. It is
pure (the same scenario and seed give byte-identical tables) and its result is
plain data, so it can be pickled to and from worker processes.
"""

from __future__ import annotations

import functools
import platform
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from govsim.metrics import headline_table, summarise
from govsim.scenario import Scenario


@dataclass(frozen=True)
class RunResult:
    """The outcome of one run.

    Attributes:
        scenario: The resolved scenario that was run.
        seed: The seed used (may differ from ``scenario.seed`` when overridden).
        timeseries: Weekly values, tidy: columns week, metric, scope, key, value; metric, scope
            and key are categoricals (a county of thousands of communities has millions of
            rows), so ``ts[ts.metric == "coverage"]`` works as with strings, and
            ``.astype(str)`` gives plain text where a comparison needs it.
        summary: Whole-run values by :func:`govsim.metrics.summarise`.
        manifest: What is needed to reproduce the run: resolved scenario, hash,
            seed, versions, git commit, start time and wall time.
        cases: The case ledger, one row per need (``simulate(..., cases=True)``), else None.
    """

    scenario: Scenario
    seed: int
    timeseries: pd.DataFrame
    summary: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    cases: pd.DataFrame | None = None

    def headline(self) -> pd.DataFrame:
        """Overall whole-run values of the headline metrics: name, label, value, unit."""
        return headline_table(self.summary)


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    *,
    steps: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cases: bool = False,
) -> RunResult:
    """Run one scenario to the end and return its tables.

    Args:
        scenario: A resolved scenario from :func:`govsim.load_scenario`.
        seed: Random seed; defaults to the scenario's own.
        steps: Weeks to run; defaults to the scenario's own.
        progress: Called as ``progress(week_done, total_weeks)`` after each week,
            the warm-up's included (its weeks come first).
        cases: Keep the case ledger (``RunResult.cases``): one row per need.

    Returns:
        The run's tables and manifest.
    """
    from govsim.model import GovModel

    seed = scenario.seed if seed is None else int(seed)
    if steps is not None and int(steps) != scenario.steps:
        scenario = scenario.with_overrides([f"steps={int(steps)}"])  # policies pace to the run's end
    steps = scenario.steps
    started = datetime.now(UTC)
    clock = time.perf_counter()
    model = GovModel(scenario, seed=seed, cases=cases)
    total = steps + scenario.params["warmup_weeks"]
    for week in range(total):
        model.step()
        if progress is not None:
            progress(week + 1, total)
    timeseries = model.recorder.table()
    ledger = model.case_ledger() if cases else None
    manifest = build_manifest(scenario, seed, steps, started, time.perf_counter() - clock)
    return RunResult(scenario, seed, timeseries, summarise(timeseries), manifest, ledger)


def build_manifest(
    scenario: Scenario, seed: int, steps: int, started: datetime, wall_seconds: float
) -> dict[str, Any]:
    """Everything needed to reproduce a run, as JSON-ready data."""
    return {
        "scenario": scenario.to_dict(),
        "scenario_hash": scenario.hash,
        "scenario_source": scenario.source,
        "seed": seed,
        "steps": steps,
        "versions": versions(),
        "git_commit": git_commit(),
        "started_at": started.isoformat(timespec="seconds"),
        "wall_seconds": round(wall_seconds, 3),
    }


def versions() -> dict[str, str]:
    """The versions of govsim, Python and the packages a run's results depend on.

    Read from the installed packages' metadata, not by importing them: a
    sweep's parent records them without importing Mesa (most of a second),
    which only its workers need.
    """
    return dict(_versions())


@functools.cache
def _versions() -> tuple[tuple[str, str], ...]:
    from importlib import metadata

    from govsim.version import __version__

    packages = ((name, metadata.version(name)) for name in ("mesa", "numpy", "pandas"))
    return (("govsim", __version__), *packages, ("python", platform.python_version()))


@functools.cache
def git_commit() -> str | None:
    """The commit of the govsim source tree, when it is a git checkout.

    Asked once per process: the code running is the code imported at start,
    whatever the checkout's HEAD later becomes, and a sweep's workers would
    otherwise start ``git`` once per run.
    """
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=5, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None
