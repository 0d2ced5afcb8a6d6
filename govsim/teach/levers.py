"""Controls generated from the parameter declarations, never written by hand.

Each lever a lesson names is looked up in the same declarations the scenario
loader validates against (:mod:`govsim.scenario`), so a slider's range, step,
unit and type always agree with what a scenario file may say: a number
becomes a slider within its declared range (narrowed where the lesson asks),
a switch a checkbox, a choice a chooser. The result is the ``model_params``
that Mesa's SolaraViz expects.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from govsim.i18n import param_label, unit_label
from govsim.scenario import Scenario, default_declarations
from govsim.scenario.params import Param, Section
from govsim.teach.lessons import LeverSpec

#: Parameter kinds that can be a control, and the SolaraViz input for each.
INPUTS = {"float": "SliderFloat", "int": "SliderInt", "bool": "Checkbox", "choice": "Select"}
#: Roughly how many positions a slider has.
SLIDER_POSITIONS = 100


@dataclass(frozen=True)
class Control:
    """One control on the page, bound to one scenario path.

    Attributes:
        path: Dotted scenario path it overrides, e.g. ``policies.0.margin``.
        key: The parameter's path as ``govsim params`` lists it (for its label).
        kind: The declared kind: float, int, bool or choice.
        value: The value it starts at (the scenario's own).
        unit: Declared unit.
        description: Declared one-line description.
        low: Slider minimum (numbers only).
        high: Slider maximum (numbers only).
        step: Slider step (numbers only).
        choices: Allowed values (choices only).
    """

    path: str
    key: str
    kind: str
    value: Any
    unit: str = ""
    description: str = ""
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple[str, ...] | None = None

    def label(self, lang: str = "en") -> str:
        """Short label with the unit, e.g. "Raise added at each level (share)"."""
        text = param_label(self.key, lang, default=self.description.rstrip("."))
        if not self.unit:
            return text
        unit = unit_label(self.unit, lang)
        return f"{text}（{unit}）" if lang == "zh" else f"{text} ({unit})"

    def model_param(self, lang: str = "en", value: Any = None) -> dict[str, Any]:
        """The SolaraViz ``model_params`` entry, starting at ``value`` (default: :attr:`value`)."""
        entry: dict[str, Any] = {"type": INPUTS[self.kind], "label": self.label(lang),
                                 "value": self.value if value is None else value}
        if self.kind in ("float", "int"):
            entry.update(min=self.low, max=self.high, step=self.step)
        elif self.kind == "choice":
            entry["values"] = list(self.choices or ())
        return entry


def coerce(kind: str, value: Any) -> Any:
    """A value from the page as a parameter of ``kind``, without float noise (0.30000000000000004)."""
    if kind == "int":
        return round(float(value))
    if kind == "float":
        return float(f"{float(value):.10g}")
    if kind == "bool":
        return bool(value)
    return value if isinstance(value, str) else str(value)


def changed_settings(scenario: Scenario, values: dict[str, Any]) -> dict[str, Any]:
    """The values that differ from the scenario's own, each as its declared type.

    Raises:
        ValueError: a path is not a declared parameter of the scenario.
    """
    changed = {}
    for path, value in values.items():
        found = declared(scenario, path)
        if found is None:
            raise ValueError(f"{path!r} is not a parameter of scenario {scenario.name!r}")
        coerced = coerce(found[1].kind, value)
        if coerced != scenario.get(path):
            changed[path] = coerced
    return changed


def declared(scenario: Scenario, path: str) -> tuple[str, Param] | None:
    """The declaration of the parameter at ``path`` and its ``govsim params`` key, or None."""
    decl = default_declarations()
    tokens = path.split(".")
    if tokens[0] == "policies":
        if len(tokens) != 3 or not tokens[1].isdigit() or int(tokens[1]) >= len(scenario.policies):
            return None
        kind = scenario.policies[int(tokens[1])]["type"]
        found = _walk(decl.policy_section(kind), tokens[2:])
        return (f"policies.{kind}.{tokens[2]}", found) if found else None
    if len(tokens) == 1:
        top = next((p for p in decl.top_level if p.name == path), None)
        return (path, top) if top else None
    found = _walk(decl.model, tokens)
    return (path, found) if found else None


def _walk(section: Section, tokens: list[str]) -> Param | None:
    node: Param | Section | None = section
    for token in tokens:
        node = node.get(token) if isinstance(node, Section) else None
    return node if isinstance(node, Param) else None


def build_controls(scenario: Scenario, levers: Iterable[LeverSpec]) -> list[Control]:
    """The controls for a lesson's levers; levers that cannot be a control are left out.

    A lever is left out when its path is not a declared parameter of this
    scenario, or its kind (text, mapping, list) has no control.
    """
    controls = []
    for spec in levers:
        found = declared(scenario, spec.path)
        if found is None or found[1].kind not in INPUTS:
            continue
        key, param = found
        controls.append(_control(spec, key, param, scenario.get(spec.path)))
    return controls


def _control(spec: LeverSpec, key: str, param: Param, value: Any) -> Control:
    base = Control(path=spec.path, key=key, kind=param.kind, value=value, unit=param.unit,
                   description=param.description)
    if param.kind == "choice":
        return replace(base, choices=tuple(param.choices or ()))
    if param.kind == "bool":
        return base
    low, high = slider_range(spec, param, float(value))
    step = 1 if param.kind == "int" and high - low <= SLIDER_POSITIONS * 2 else nice_step(high - low)
    if param.kind == "int":
        return replace(base, low=int(low), high=int(high), step=max(1, int(step)))
    return replace(base, low=float(low), high=float(high), step=float(step))


def slider_range(spec: LeverSpec, param: Param, value: float) -> tuple[float, float]:
    """Slider ends: the lesson's range within the declared one, always including ``value``.

    Where neither says (or the declared maximum is absurd for a slider, like
    two billion residents), the slider runs from the minimum to twice the value.
    """
    low = _clip(spec.low if spec.low is not None else param.low, param)
    high = _clip(spec.high if spec.high is not None else param.high, param)
    if low is None:
        low = min(0.0, value)
    if high is None or (spec.high is None and high > 100 * max(abs(value), 1.0)):
        high = max(2 * abs(value), low + 1.0)
    return min(low, value), max(high, value)


def _clip(x: float | None, param: Param) -> float | None:
    if x is None:
        return None
    if param.low is not None:
        x = max(x, param.low)
    if param.high is not None:
        x = min(x, param.high)
    return x


def nice_step(span: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about :data:`SLIDER_POSITIONS` positions."""
    if span <= 0:
        return 1.0
    raw = span / SLIDER_POSITIONS
    base = 10.0 ** math.floor(math.log10(raw))
    return next(m * base for m in (1, 2, 5, 10) if m * base >= raw * (1 - 1e-9))


def model_params(controls: Iterable[Control], lang: str = "en",
                 values: dict[str, Any] | None = None, **fixed: Any) -> dict[str, Any]:
    """SolaraViz ``model_params``: the fixed keyword arguments, then one input per control.

    Args:
        controls: The lesson's controls.
        lang: Language of the labels.
        values: Current values by path, so a re-drawn panel keeps what the user set.
        **fixed: Arguments passed to the model unchanged (e.g. the lesson's file).
    """
    values = values or {}
    return {**fixed, **{c.path: c.model_param(lang, values.get(c.path)) for c in controls}}
