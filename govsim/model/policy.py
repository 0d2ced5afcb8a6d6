"""The policy protocol: what every policy shares (declared parameters, an active window, hooks).

A policy is plain data in the scenario (``type:`` plus its parameters) and a
small class that subclasses :class:`Policy`. The model calls the hooks below at
fixed phases of its step; a policy never edits the model's code, only the state
the hooks hand it. The protocol lives in the model because the model is what
calls it: the policies (``govsim/policies/``, and any plugin's) sit above the
model and import it, never the reverse. Classes are found through the entry
points of :mod:`govsim.scenario.plugins`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from govsim.scenario import plugins
from govsim.scenario.params import Param, Section

if TYPE_CHECKING:
    from govsim.metrics import Recorder
    from govsim.model.caseflow import WeekTally
    from govsim.model.govmodel import GovModel

FOREVER = 5200

WINDOW = (
    Param("start", "int", 0, "First week the policy is in force.", unit="week", low=0, high=FOREVER),
    Param("end", "int", FOREVER, "Last week it is in force (default: to the end of the run).",
          unit="week", low=0, high=FOREVER),
    Param("label", "str", "", "Optional name for this policy in outputs."),
)


class Policy:
    """Base class: parameters, window and no-op hooks.

    Subclasses set ``type_name`` and ``PARAMS`` (their own parameters; the
    window is added by :func:`declare`).
    """

    type_name: ClassVar[str] = ""
    PARAMS: ClassVar[Section]
    #: Metrics this policy records belong to this family (None: records none).
    #: When several policies of one family are in a scenario, each week only the
    #: latest to have started records, so every metric has one value a week.
    metric_family: ClassVar[str | None] = None

    def __init__(self, params: dict[str, Any], index: int) -> None:
        self.params = params
        self.index = index
        self.start = params["start"]
        self.end = params["end"]

    def active(self, week: int) -> bool:
        """Whether the policy is in force in ``week``."""
        return self.start <= week <= self.end

    def stream_name(self) -> str:
        """Name of this policy's own random stream."""
        return f"policy{self.index}:{self.type_name}"

    # Hooks, in the order the model calls them ------------------------------------
    def setup(self, model: GovModel) -> None:
        """Once, after the model is built."""

    def link(self, model: GovModel) -> None:
        """Once, after every policy's setup: compose with other policies."""

    def week_start(self, model: GovModel, week: int) -> None:
        """While in force, at the start of each week: adjust ``model.levers``."""

    def year_start(self, model: GovModel, week: int) -> None:
        """At the start of each budget year, before money is paid in."""

    def target_demand(self, model: GovModel, week: int) -> np.ndarray | None:
        """Staff hours per community this policy's targets ask for this week."""
        return None

    def target_work(self, model: GovModel, week: int, hours: np.ndarray) -> None:
        """Spend the hours the community gave to this policy's targets."""

    def after_cases(self, model: GovModel, week: int, tally: WeekTally) -> None:
        """After this week's cases were closed, before trust moves: react to outcomes."""

    def weekly(self, model: GovModel, week: int, tally: WeekTally) -> None:
        """Once a week after trust has moved: the policy's own processes."""

    def record(self, model: GovModel, week: int, recorder: Recorder) -> None:
        """Record this policy's metrics for the week."""

    def forget(self, model: GovModel, rows: np.ndarray) -> None:
        """Newcomers now live in ``rows`` (migration): drop what the policy holds about the leavers."""

    # Helpers for subclasses ------------------------------------------------------
    def pressure(self) -> float:
        """Share of the target demand treated as compulsory; 0 when a policy has none."""
        return float(self.params.get("pressure", 0.0))


def declare(name: str, description: str, *params: Param) -> Section:
    """A policy's parameter section: its own parameters plus the window."""
    return Section(name, description, (*params, *WINDOW))


def build_policies(specs: tuple[dict[str, Any], ...] | list[dict[str, Any]]) -> list[Policy]:
    """Instantiate the scenario's resolved policy entries, in order, from the installed types."""
    built = []
    for i, spec in enumerate(specs):
        cls = plugins.policy_class(spec["type"])
        if not issubclass(cls, Policy):
            raise TypeError(f"policy type {spec['type']!r}: {cls.__qualname__} does not subclass "
                            "govsim.api.Policy")
        built.append(cls({k: v for k, v in spec.items() if k != "type"}, i))
    return built
