"""Check raw scenario data against the declarations and fill in defaults.

Strict by design: an unknown key is an error, not a warning, because a
misspelt parameter that is silently ignored runs the default instead of what
the user meant, and the results look plausible. Every problem is collected
(not just the first) so one run of the loader reports them all.

Numbers follow what people write: an integer is accepted where a decimal is
expected, a whole decimal (``1e6``) where an integer is expected; but ``true``
is never a number (``bool`` is an ``int`` in Python, not in a scenario) and a
quoted ``"50000"`` is text, not a number. Float values are stored as floats so
``margin: 1`` and ``margin: 1.0`` give the same scenario and the same hash.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from govsim.scenario.errors import Origin, Problem, show
from govsim.scenario.params import Param, Section
from govsim.scenario.suggest import closest, one_of
from govsim.scenario.yamlio import join

_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n"}


class _Bad(Exception):
    """A value that does not fit its param (internal control flow)."""

    def __init__(self, note: str = "", hint: str | None = None,
                 suggestion: str | None = None) -> None:
        super().__init__(note)
        self.note, self.hint, self.suggestion = note, hint, suggestion


class Validator:
    """Validates one raw scenario document; problems accumulate in ``problems``.

    Args:
        model: Root section of the model parameters.
        top_level: Top-level scalar params.
        policy_types: Known policy type names.
        policy_section: Declared params of a policy type.
        where: Maps a dotted path to where it was written.
        policy_refused: Why an unknown policy type's plugin was left out, if one was.
    """

    def __init__(self, model: Section, top_level: Sequence[Param],
                 policy_types: Callable[[], Sequence[str]],
                 policy_section: Callable[[str], Section],
                 where: Callable[[str | None], Origin],
                 policy_refused: Callable[[str], str | None] = lambda name: None) -> None:
        self.model, self.top_level = model, tuple(top_level)
        self.policy_types, self.policy_section, self.where = policy_types, policy_section, where
        self.policy_refused = policy_refused
        self.problems: list[Problem] = []

    def document(self, data: dict[str, Any]) -> tuple[dict, dict, list[dict]]:
        """Validate a whole document.

        Returns:
            ``(top, params, policies)``: top-level values, the model sections
            and the policies, each with every declared parameter filled.
        """
        top_names = [p.name for p in self.top_level]
        sections = self.model.names()
        known = [*top_names, "extends", *sections, "policies"]
        for key in data:
            if key == "extends":
                self._add("extends can only be used in a scenario file", "extends")
            elif key not in known:
                self._unknown(key, known, "")
        top = {
            p.name: self.param(p, data[p.name], p.name) if p.name in data else default(p)
            for p in self.top_level
        }
        params = self.section(self.model, {k: v for k, v in data.items() if k in sections}, "")
        return top, params, self.policies(data.get("policies"))

    def section(self, section: Section, data: Any, prefix: str,
                extra: Sequence[str] = (), what: str = "") -> dict[str, Any]:
        """Validate one section's mapping; unknown keys are problems."""
        if data is None:
            data = {}
        if not isinstance(data, dict):
            names = ", ".join(section.names()[:3])
            self._add(f"{prefix} must be a section: a mapping of its settings ({names}, ...); "
                      f"got {show(data)}", prefix, expected="a mapping", got=show(data))
            data = {}
        for key in data:
            if key not in extra and section.get(key) is None:
                self._unknown(key, [*extra, *section.names()], prefix, what)
        out: dict[str, Any] = {}
        for entry in section.entries:
            path = join(prefix, entry.name)
            if isinstance(entry, Section):
                out[entry.name] = self.section(entry, data.get(entry.name), path)
            elif entry.name in data:
                out[entry.name] = self.param(entry, data[entry.name], path)
            else:
                out[entry.name] = default(entry)
        return out

    def param(self, param: Param, value: Any, path: str) -> Any:
        """A valid value for ``param``; on a problem, records it and returns the default."""
        if value is None and param.default is None:
            return None
        if param.kind == "mapping":
            return self._mapping(param, value, path)
        if param.kind == "list":
            return self._list(param, value, path)
        try:
            return check_scalar(param, value)
        except _Bad as bad:
            self._bad(param.expected(), value, path, bad)
            return default(param)

    def policies(self, value: Any) -> list[dict[str, Any]]:
        """Validate the ``policies`` list; each item is resolved against its type."""
        if value is None:
            return []
        if not isinstance(value, list):
            self._add(f"policies must be a list, each item a mapping with a type; got {show(value)}",
                      "policies", expected="a list", got=show(value),
                      hint="start each policy with '- type: ...'")
            return []
        types = list(self.policy_types())
        resolved = (self._policy(item, f"policies[{i}]", types) for i, item in enumerate(value))
        return [p for p in resolved if p is not None]

    def _policy(self, item: Any, path: str, types: list[str]) -> dict[str, Any] | None:
        if not isinstance(item, dict):
            self._add(f"{path} must be a policy: a mapping with a type (one of {one_of(types)}); "
                      f"got {show(item)}", path, expected="a mapping", got=show(item))
            return None
        ptype = item.get("type")
        if not isinstance(ptype, str) or ptype not in types:
            said = "has no type" if "type" not in item else f"type {show(ptype)} is not a known policy type"
            refused = self.policy_refused(ptype) if isinstance(ptype, str) else None
            if refused:
                said += f": its {refused}"
            suggestion = closest(ptype, types) if isinstance(ptype, str) else None
            hint = None if suggestion or refused or "type" not in item else (
                "a policy type that is not built in comes from a plugin package: install the package "
                "that provides it ('govsim plugins' lists the plugins installed)")
            self.problems.append(Problem(
                f"{path} {said}. Expected one of: {one_of(types)}", self.where(f"{path}.type"),
                key=f"{path}.type", expected=f"one of: {one_of(types)}",
                got=show(ptype) if "type" in item else None, suggestion=suggestion, hint=hint))
            return None
        rest = {k: v for k, v in item.items() if k != "type"}
        params = self.section(self.policy_section(ptype), rest, path, ("type",), f"a {ptype!r} policy")
        self._window(params, path)
        return {"type": ptype, **params}

    def _window(self, params: dict[str, Any], path: str) -> None:
        start, end = params.get("start"), params.get("end")
        flagged = {p.key for p in self.problems}
        if f"{path}.start" in flagged or f"{path}.end" in flagged:
            return
        if _is_int(start) and _is_int(end) and start > end:
            key = f"{path}.end"
            self.problems.append(Problem(
                f"{key} ({end}) is before {path}.start ({start}); a policy must end in or after "
                "the week it starts", self.where(key), key=key,
                expected=f"an integer >= {start}", got=show(end)))

    def _mapping(self, param: Param, value: Any, path: str) -> Any:
        if not isinstance(value, dict):
            self._bad(param.expected(), value, path, _Bad())
            return default(param)
        number = Param(param.name, "float", 0.0, "", unit=param.unit, low=param.low, high=param.high)
        out = default(param) if param.keys and isinstance(param.default, dict) else {}
        for key, item in value.items():
            if not isinstance(key, str) or (param.keys is not None and key not in param.keys):
                self._unknown(key, param.keys or (), path)
                continue
            try:
                out[key] = check_scalar(number, item)
            except _Bad as bad:
                was = default(param).get(key) if isinstance(param.default, dict) else None
                bad.hint = f"the default is {show(was)}" if was is not None else None
                self._bad(number.expected(), item, join(path, key), bad)
        return out

    def _list(self, param: Param, value: Any, path: str) -> Any:
        if not isinstance(value, list):
            self._bad(param.expected(), value, path, _Bad())
            return default(param)
        choices = param.choices or ()
        expected = "one of " + ", ".join(repr(c) for c in choices)
        out = []
        for i, item in enumerate(value):
            if isinstance(item, str) and item in choices:
                out.append(item)
            else:
                hint = closest(item, choices) if isinstance(item, str) else None
                self._bad(expected, item, f"{path}[{i}]", _Bad(suggestion=hint))
        return out

    def _add(self, message: str, path: str, **fields: Any) -> None:
        self.problems.append(Problem(message, self.where(path), key=path or None, **fields))

    def _bad(self, expected: str, value: Any, path: str, bad: _Bad) -> None:
        got = show(value) + (f" ({bad.note})" if bad.note else "")
        self._add(f"{path} must be {expected}; got {got}", path, expected=expected,
                  got=show(value), suggestion=bad.suggestion, hint=bad.hint)

    def _unknown(self, key: Any, known: Sequence[str], prefix: str, what: str = "") -> None:
        path = join(prefix, key)
        of = f" of {what}" if what else ""
        self._add(f"{path} is not a known key{of}. Expected one of: {one_of(known)}", path,
                  expected=f"one of: {one_of(known)}", got=show(key),
                  suggestion=closest(key, known))


def default(param: Param) -> Any:
    """A fresh copy of ``param``'s default, with numbers in their declared kind."""
    value = copy.deepcopy(param.default)
    if isinstance(value, tuple):
        value = list(value)
    if param.kind == "float" and _is_number(value):
        return float(value)
    if param.kind == "mapping" and isinstance(value, dict):
        return {k: float(v) if _is_number(v) else v for k, v in value.items()}
    return value


def check_scalar(param: Param, value: Any) -> Any:
    """``value`` as ``param`` stores it.

    Raises:
        _Bad: the value does not fit, with a note on what was wrong.
    """
    if value is None:
        if param.default is None:
            return None
        raise _Bad(hint=f"leave the key out to use the default ({show(default(param))})")
    if param.kind == "int":
        return _in_range(param, _as_int(value))
    if param.kind == "float":
        return _in_range(param, _as_float(value))
    if param.kind == "bool":
        if isinstance(value, bool):
            return value
        yaml11 = isinstance(value, str) and value.lower() in _YAML11_BOOLS
        raise _Bad(hint="write true or false; yes/no/on/off are not accepted" if yaml11 else None)
    if param.kind == "str":
        if isinstance(value, str):
            return value
        raise _Bad(hint=f"put it in quotes: '{show(value)}'" if _is_scalar(value) else None)
    choices = param.choices or ()
    if isinstance(value, str) and value in choices:
        return value
    raise _Bad(suggestion=closest(value, choices) if isinstance(value, str) else None)


def _as_int(value: Any) -> int:
    if isinstance(value, bool):
        raise _Bad("a true/false value, not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise _Bad("not a whole number" if math.isfinite(value) else "not a finite number")
    raise _not_number(value)


def _as_float(value: Any) -> float:
    if isinstance(value, bool):
        raise _Bad("a true/false value, not a number")
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:
            raise _Bad("too large") from None
        if not math.isfinite(number):
            raise _Bad("not a finite number")
        return number
    raise _not_number(value)


def _not_number(value: Any) -> _Bad:
    if isinstance(value, str):
        try:
            float(value.replace(",", "").replace("_", "").strip())
        except ValueError:
            return _Bad("text, not a number")
        return _Bad("text, not a number",
                    hint="write the number without quotes or thousands commas, e.g. 50000 or 50_000")
    return _Bad()


def _in_range(param: Param, value: int | float) -> int | float:
    if (param.low is not None and value < param.low) or (param.high is not None and value > param.high):
        raise _Bad(hint=_default_hint(param))
    return value


def _default_hint(param: Param) -> str | None:
    """The default in words: ``the default is 156``; for a key whose default is no value, what
    leaving it out does, as its description says (``leave the key out for the default: the
    scenario's``), or nothing, never ``the default is null``."""
    value = default(param)
    if value is not None:
        return f"the default is {show(value)}"
    said = re.search(r"\(default:\s*([^)]*)\)", param.description or "")
    return f"leave the key out for the default: {said.group(1).strip()}" if said else None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list | tuple)
