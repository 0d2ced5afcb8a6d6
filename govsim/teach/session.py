"""A teaching session: a policy run and its baseline, stepped together.

The page shows two copies of the county: one with the lesson's settings (and
whatever the class changed) and a *baseline* without the policies. Both are
built from the same seed, and every stochastic process in the model draws
from its own stream, so both face the same residents and the same needs week
by week: what differs is the policy alone. The current settings can be
exported as a scenario file that ``govsim run`` reproduces exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from govsim.files import write_atomic
from govsim.metrics import METRICS, Recorder
from govsim.scenario import Scenario


class History:
    """Weekly values of one model, read from its recorder as the weeks come.

    Reading only what is new keeps a step's cost flat however long the run,
    where rebuilding the recorder's table would grow with every week.
    """

    def __init__(self, recorder: Recorder) -> None:
        self._recorder = recorder
        self._seen = 0
        self._values: dict[tuple[str, str], list[np.ndarray]] = {}
        self._weeks: dict[tuple[str, str], list[int]] = {}
        self._stacked: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        self.keys: dict[str, tuple[str, ...]] = dict(recorder.keys)

    def update(self) -> None:
        """Take in whatever the model recorded since the last call."""
        new = self._recorder.records(self._seen)
        for week, metric, scope, values in new:
            self._values.setdefault((metric, scope), []).append(values)
            self._weeks.setdefault((metric, scope), []).append(week)
            self._stacked.pop((metric, scope), None)
        self._seen += len(new)

    def has(self, metric: str, scope: str = "overall") -> bool:
        """Whether the model has recorded ``metric`` at ``scope`` at all."""
        return (metric, scope) in self._values

    def series(self, metric: str, scope: str = "overall") -> tuple[np.ndarray, np.ndarray]:
        """Weeks and values (one row a week, one column a key) of one metric at one scope.

        Stacked once per step however many charts, numbers and map cells ask
        (read them, never write into them).
        """
        if not self.has(metric, scope):
            return np.zeros(0, dtype=np.int64), np.zeros((0, len(self.keys[scope])))
        key = (metric, scope)
        if key not in self._stacked:
            self._stacked[key] = np.asarray(self._weeks[key]), np.vstack(self._values[key])
        return self._stacked[key]

    def summary(self, metric: str, scope: str = "overall") -> np.ndarray:
        """The whole run so far, one value per key, by the metric's declared summary rule.

        The same rules as :func:`govsim.metrics.summarise`: sums of counts,
        means of levels (missing weeks skipped), the last recorded value of
        stocks, and ratios as a sum over a sum.
        """
        rule = METRICS[metric].summary
        if rule.startswith("ratio:"):
            num, den = rule.removeprefix("ratio:").split("/")
            return ratio(self._reduce(num, scope, np.nansum), self._reduce(den, scope, np.nansum))
        reducer = {"sum": np.nansum, "mean": _nanmean, "last": _last}[rule]
        return self._reduce(metric, scope, reducer)

    def _reduce(self, metric: str, scope: str, reducer: Any) -> np.ndarray:
        _, values = self.series(metric, scope)
        if values.shape[0] == 0:
            return np.full(values.shape[1], np.nan)
        return reducer(values, axis=0)


def ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """``top / bottom`` where ``bottom`` is positive, else NaN (nothing to divide by)."""
    return np.divide(top, bottom, out=np.full(np.broadcast(top, bottom).shape, np.nan), where=bottom > 0)


def _nanmean(values: np.ndarray, axis: int) -> np.ndarray:
    present = ~np.isnan(values)
    count = present.sum(axis=axis)
    total = np.where(present, values, 0.0).sum(axis=axis)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _last(values: np.ndarray, axis: int) -> np.ndarray:
    # The last value that is not missing, per column (as pandas' GroupBy.last).
    present = ~np.isnan(values)
    index = values.shape[0] - 1 - np.argmax(present[::-1], axis=axis)
    out = values[index, np.arange(values.shape[1])]
    return np.where(present.any(axis=axis), out, np.nan)


@dataclass(frozen=True)
class Number:
    """One row of the page's table: a headline measure for both runs so far."""

    metric: str
    policy: float
    baseline: float

    @property
    def difference(self) -> float:
        """Policy minus baseline."""
        return self.policy - self.baseline


def baseline_for(lesson: Scenario, current: Scenario) -> Scenario:
    """The run the current settings are compared with.

    With policies in force: the current settings with the policies removed,
    so other changed settings (a priority rule, staffing) apply to both and
    the difference is the policies alone. Without policies: the lesson's
    scenario as written, so the difference is what the class changed.
    """
    if current.policies:
        return current.with_overrides({"policies": []}).replace(name=f"{current.name} (baseline)")
    return lesson


class Session:
    """The policy run and its baseline, stepped together from the same seed.

    Args:
        lesson: The lesson's scenario as loaded.
        overrides: Changed settings by dotted path (``{"policies.0.margin": 0.3}``).

    Raises:
        ScenarioError: an override is not valid for the scenario.
    """

    def __init__(self, lesson: Scenario, overrides: Mapping[str, Any] | None = None) -> None:
        from govsim.model import GovModel

        self.lesson = lesson
        self.overrides = dict(overrides or {})
        self.scenario = lesson.with_overrides(self.overrides) if self.overrides else lesson
        self.baseline_scenario = baseline_for(lesson, self.scenario)
        self.policy_model = GovModel(self.scenario)
        self.baseline_model = GovModel(self.baseline_scenario)
        # The class starts at week 0 of a running county, as a run reports it.
        self.policy_model.warm_up()
        self.baseline_model.warm_up()
        self.policy = History(self.policy_model.recorder)
        self.baseline = History(self.baseline_model.recorder)

    @property
    def week(self) -> int:
        """Weeks simulated so far."""
        return int(self.policy_model.week)

    @property
    def steps(self) -> int:
        """Weeks the scenario runs for."""
        return int(self.scenario.steps)

    @property
    def finished(self) -> bool:
        """Whether the scenario's last week has been simulated."""
        return self.week >= self.steps

    @property
    def has_policies(self) -> bool:
        """Whether the comparison is with and without policies (else: settings vs scenario)."""
        return bool(self.scenario.policies)

    @property
    def communities(self) -> tuple[str, ...]:
        """Community names, in the model's order."""
        return tuple(self.policy_model.hierarchy.community_names)

    @property
    def community_townships(self) -> np.ndarray:
        """Township index of each community."""
        return np.asarray(self.policy_model.hierarchy.community_township)

    def step(self) -> None:
        """Advance both runs by one week (nothing once the scenario is over)."""
        if self.finished:
            return
        self.policy_model.step()
        self.baseline_model.step()
        self.policy.update()
        self.baseline.update()

    def numbers(self) -> list[Number]:
        """The headline measures so far, for both runs, in :data:`METRICS` order."""
        return [Number(name, float(self.policy.summary(name)[0]), float(self.baseline.summary(name)[0]))
                for name, metric in METRICS.items() if metric.headline and self.policy.has(name)]

    def export_yaml(self) -> str:
        """The current settings as a scenario file: resolved, with seed and weeks."""
        changed = ", ".join(f"{k}={v}" for k, v in sorted(self.overrides.items())) or "none"
        return (f"# Exported from the govsim teaching page: lesson {self.lesson.name!r}, "
                f"week {self.week} of {self.steps}.\n"
                f"# Settings changed on the page: {changed}.\n"
                f"# Reproduce with: govsim run THIS_FILE (the first {self.week} weeks are the page's).\n"
                + self.scenario.to_yaml())

    def export_name(self) -> str:
        """A file name that differs whenever the settings differ."""
        return f"{self.scenario.name}-s{self.scenario.seed}-{self.scenario.hash[:8]}.yaml"

    def export(self, folder: str | Path) -> Path:
        """Write :meth:`export_yaml` into ``folder`` (created if needed); return the file."""
        out = Path(folder) / self.export_name()
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, self.export_yaml().encode("utf-8"))
        return out
