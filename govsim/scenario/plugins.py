"""Installed extensions: policies and metrics found through entry points, built-in ones included.

A package extends govsim by declaring entry points in its ``pyproject.toml``, as
pytest plugins do::

    [project.entry-points."govsim.policies"]
    curfew = "govsim_curfew:Curfew"          # a Policy subclass whose type_name is "curfew"

    [project.entry-points."govsim.metrics"]
    curfew = "govsim_curfew:METRICS"         # a Metric, or a tuple of them

govsim's own policies are registered the same way, in govsim's ``pyproject.toml``:
there is one path for every policy, so what a plugin can do, a built-in does the
same way. Entry points are read once, on first use, and nothing is imported
before then (``govsim --help`` loads no policy).

A plugin that cannot be imported, or that declares itself badly (a wrong type
name, parameters that are not a :class:`~govsim.scenario.params.Section`, a
parameter whose default breaks its own range, a metric name already taken, a
newer extension API than this govsim), is left out with a :class:`PluginWarning`
naming the plugin's distribution, its entry point and what is wrong; govsim runs
without it, and a scenario that uses its policy is refused with the same reason.

The extension API (:data:`API_VERSION`): a policy class may say which version it
was written for, ``govsim_api = 1``; one newer than this govsim's is refused.
What the API holds is listed in :mod:`govsim.api` and ``docs/plugins.md``.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Any

from govsim.scenario.params import Param, Section

if TYPE_CHECKING:
    from govsim.metrics import Metric

#: The version of the extension API this govsim offers (see :mod:`govsim.api`).
API_VERSION = 1
POLICY_GROUP, METRIC_GROUP = "govsim.policies", "govsim.metrics"
#: The hooks the model calls on every policy (the protocol of :class:`govsim.model.policy.Policy`).
_HOOKS = ("setup", "link", "week_start", "year_start", "target_demand", "target_work", "after_cases",
          "weekly", "record", "forget", "active")


class PluginWarning(UserWarning):
    """An installed plugin was left out; the message names it and says why."""


@dataclass(frozen=True)
class Problem:
    """Why one entry point was left out."""

    group: str
    name: str
    distribution: str
    target: str
    reason: str

    def __str__(self) -> str:
        return (f"plugin {self.distribution!r} (entry point {self.name!r} = {self.target!r} in "
                f"{self.group}) was left out: {self.reason}")


@dataclass
class Registry:
    """What the installed entry points provide, and what was left out."""

    policies: dict[str, type] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)
    #: The distribution each policy type and metric comes from ("govsim" for the built-ins).
    origin: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def refused(self, type_name: str) -> Problem | None:
        """Why an installed policy type was left out, if it was."""
        return next((p for p in self.problems if p.group == POLICY_GROUP and p.name == type_name), None)


@functools.cache
def registry() -> Registry:
    """Read every installed entry point once, warn about those left out, register their metrics."""
    from govsim.metrics import METRICS  # imported when first needed: it brings pandas

    found = Registry()
    for point in _entry_points(POLICY_GROUP):
        _add_policy(found, point)
    for point in _entry_points(METRIC_GROUP):
        _add_metrics(found, point)
    if not any(origin == "govsim" for origin in found.origin.values()):
        found.problems.append(Problem(POLICY_GROUP, "*", "govsim", "govsim.policies", (
            "govsim's own policies are not registered: govsim is not installed as a package here. "
            "Install it (pip install -e . in the source tree, or ./scripts/run.sh) rather than "
            "running it from a copy of the source")))
    METRICS.update(found.metrics)
    for problem in found.problems:
        warnings.warn(str(problem), PluginWarning, stacklevel=2)
    return found


def policy_types() -> list[str]:
    """Every installed ``type:``, sorted."""
    return sorted(registry().policies)


def policy_section(type_name: str) -> Section:
    """The declared parameters of one installed policy type."""
    return registry().policies[type_name].PARAMS


def policy_class(type_name: str) -> type:
    """The class of one installed policy type."""
    return registry().policies[type_name]


def _entry_points(group: str) -> list[metadata.EntryPoint]:
    # One entry point per (distribution, name): an editable install can list its metadata twice.
    seen, points = set(), []
    for point in metadata.entry_points(group=group):
        key = (_distribution(point), point.name, point.value)
        if key not in seen:
            seen.add(key)
            points.append(point)
    return sorted(points, key=lambda p: (_distribution(p) != "govsim", p.name))


def _distribution(point: metadata.EntryPoint) -> str:
    dist = getattr(point, "dist", None)
    return dist.name if dist is not None else "?"


def _load(found: Registry, point: metadata.EntryPoint) -> Any:
    try:
        return point.load()
    except Exception as error:  # any failure of a third party's import leaves govsim running
        found.problems.append(Problem(point.group, point.name, _distribution(point), point.value,
                                      f"importing it failed: {type(error).__name__}: {error}"))
        return None


def _add_policy(found: Registry, point: metadata.EntryPoint) -> None:
    cls = _load(found, point)
    if cls is None:
        return
    reason = _policy_problem(point.name, cls)
    if reason is None and point.name in found.policies:
        reason = f"the policy type {point.name!r} is already provided by {found.origin[point.name]!r}"
    if reason is not None:
        found.problems.append(Problem(point.group, point.name, _distribution(point), point.value, reason))
        return
    found.policies[point.name] = cls
    found.origin[point.name] = _distribution(point)


def _policy_problem(name: str, cls: Any) -> str | None:
    """What is wrong with a policy class, or None."""
    if not isinstance(cls, type):
        return f"it is {type(cls).__name__} {cls!r}, not a class"
    missing = [hook for hook in _HOOKS if not callable(getattr(cls, hook, None))]
    if missing:
        return (f"{cls.__name__} lacks the policy hooks {', '.join(missing)}: subclass "
                "govsim.api.Policy")
    if getattr(cls, "type_name", None) != name:
        return (f"{cls.__name__}.type_name is {getattr(cls, 'type_name', None)!r}, but the entry point "
                f"is named {name!r}; the two must be equal (it is the scenario's type:)")
    if not name.isidentifier():
        return f"the type name {name!r} is not a plain name (letters, digits and _)"
    api = getattr(cls, "govsim_api", API_VERSION)
    if not isinstance(api, int) or api > API_VERSION:
        return (f"it needs govsim extension API {api!r}, and this govsim offers {API_VERSION}: "
                "upgrade govsim")
    params = getattr(cls, "PARAMS", None)
    if not isinstance(params, Section):
        return (f"{cls.__name__}.PARAMS is {type(params).__name__}, not a Section: declare it with "
                "govsim.api.declare(name, description, *params)")
    return next((reason for path, param in params.walk() if (reason := _param_problem(path, param))), None)


def _param_problem(path: str, param: Param) -> str | None:
    """A default that its own declaration would refuse."""
    value = param.default
    if value is None:
        return None  # not set unless the scenario sets it
    if param.kind in ("int", "float"):
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if not numeric or (param.kind == "int" and not isinstance(value, int)):
            return f"parameter {path!r}: the default {value!r} is not {param.expected()}"
        if (param.low is not None and value < param.low) or (param.high is not None and value > param.high):
            return f"parameter {path!r}: the default {value!r} is outside its own range ({param.expected()})"
    if param.kind == "choice" and value not in (param.choices or ()):
        return f"parameter {path!r}: the default {value!r} is not {param.expected()}"
    if param.kind == "bool" and not isinstance(value, bool):
        return f"parameter {path!r}: the default {value!r} is not true or false"
    return None


def _add_metrics(found: Registry, point: metadata.EntryPoint) -> None:
    from govsim.metrics import Metric

    loaded = _load(found, point)
    if loaded is None:
        return
    items = [loaded] if isinstance(loaded, Metric) else loaded if isinstance(loaded, Iterable) else [loaded]
    metrics = list(items)
    reason = _metrics_problem(metrics, found)
    if reason is not None:
        found.problems.append(Problem(point.group, point.name, _distribution(point), point.value, reason))
        return
    for metric in metrics:
        found.metrics[metric.name] = metric
        found.origin[metric.name] = _distribution(point)


def _metrics_problem(metrics: list[Any], found: Registry) -> str | None:
    from govsim.metrics import METRICS, SCOPES, Metric

    for metric in metrics:
        if not isinstance(metric, Metric):
            return f"{metric!r} is not a govsim.api.Metric"
        if metric.name in METRICS or metric.name in found.metrics:
            return f"the metric name {metric.name!r} is already taken"
        if not metric.name.isidentifier():
            return f"the metric name {metric.name!r} is not a plain name (letters, digits and _)"
        if metric.summary not in ("sum", "mean", "last") and not metric.summary.startswith("ratio:"):
            return (f"metric {metric.name!r}: summary {metric.summary!r} is not sum, mean, last or "
                    "ratio:NUM/DEN")
        if not set(metric.scopes) <= set(SCOPES):
            return f"metric {metric.name!r}: scopes must be among {', '.join(SCOPES)}"
    return None
