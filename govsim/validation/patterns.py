"""Validation patterns: stylised facts from sources, read from YAML (``patterns.yaml``).

A pattern names a model configuration (a ready scenario and ``--set``
overrides), optionally a counterfactual one, a measure over the whole-run
summary (a metric, perhaps of one resident group, minus or over another) and
a test (``above``, ``below`` or ``within``). The file is data: adding a pattern
needs no code. Reading it checks every entry and names the file, the entry and
the key of anything wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

#: The patterns shipped with govsim.
DEFAULT_PATTERNS = Path(__file__).resolve().parent / "patterns.yaml"
KINDS = ("validation", "calibration_target")
STRENGTHS = ("A", "B", "C", "D")
_FIELDS = {"id", "kind", "statement", "source", "observed", "run", "against", "measure", "test"}
_SOURCE_FIELDS = {"citation", "where", "url", "strength"}
_REF = re.compile(r"^(?P<metric>[a-z_0-9]+)(\[(?P<key>[a-z_0-9]+)\])?$")


class PatternError(ValueError):
    """A patterns file that cannot be used; the message names file, entry and key."""


@dataclass(frozen=True)
class Ref:
    """A whole-run value: ``metric`` overall, or of resident group ``key``."""

    metric: str
    key: str | None = None

    @classmethod
    def parse(cls, text: str) -> Ref:
        match = _REF.match(str(text))
        if match is None:
            raise ValueError(f"{text!r} is not a metric name or metric[group]")
        return cls(match["metric"], match["key"])

    def __str__(self) -> str:
        return self.metric if self.key is None else f"{self.metric}[{self.key}]"


@dataclass(frozen=True)
class Config:
    """A model configuration: a ready scenario by name and ``--set`` overrides."""

    scenario: str
    overrides: tuple[str, ...] = ()

    def __str__(self) -> str:
        return " ".join([self.scenario, *(f"--set {o}" for o in self.overrides)])


@dataclass(frozen=True)
class Pattern:
    """One stylised fact and the test the model's output must pass (see ``patterns.yaml``)."""

    id: str
    kind: str
    statement: str
    source: dict[str, str]
    observed: str
    run: Config
    against: Config | None
    value: Ref
    minus: Ref | None
    over: Ref | None
    test: tuple[str, float, float]  # (above | below | within, low, high)

    @property
    def short_source(self) -> str:
        """The citation up to its year, e.g. ``Ghanem, D. & Zhang, J. (2014)``, for tables."""
        text = " ".join(self.source["citation"].split())
        cited = re.match(r"^(.*?\(\d{4}\))", text)
        return cited[1] if cited else text.split(" (")[0].split(". ")[0]

    def test_text(self) -> str:
        """The test in words, e.g. ``> 0`` or ``in [0.03, 0.15]``."""
        op, low, high = self.test
        return {"above": f"> {low:g}", "below": f"< {high:g}"}.get(op, f"in [{low:g}, {high:g}]")

    def measure_text(self) -> str:
        """The measure in words, e.g. ``trust_centre − trust_township``."""
        text = str(self.value)
        if self.minus is not None:
            text += f" − {self.minus}"
        if self.over is not None:
            text += f" / {self.over}"
        return f"({text}) with − without" if self.against is not None else text


def load_patterns(path: str | Path = DEFAULT_PATTERNS) -> list[Pattern]:
    """Read and check a patterns file.

    Raises:
        PatternError: the file is missing or malformed, or an entry lacks a key, has an unknown
            one, or a value of the wrong kind (the message says which, and what was expected).
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise PatternError(f"{path}: cannot read the patterns file ({err.strerror}).") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise PatternError(f"{path}{where}: not valid YAML ({getattr(err, 'problem', err)}).") from None
    entries = data.get("patterns") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise PatternError(f"{path}: expected a top-level key 'patterns' holding a list of patterns.")
    patterns = [_pattern(path, i, entry) for i, entry in enumerate(entries)]
    seen: set[str] = set()
    for p in patterns:
        if p.id in seen:
            raise PatternError(f"{path}: pattern id {p.id!r} is used twice; ids must be unique.")
        seen.add(p.id)
    return patterns


def _pattern(path: Path, index: int, entry: Any) -> Pattern:
    def fail(key: str, expected: str) -> PatternError:
        name = entry.get("id", f"#{index + 1}") if isinstance(entry, dict) else f"#{index + 1}"
        return PatternError(f"{path}: pattern {name}, key '{key}': expected {expected}.")

    if not isinstance(entry, dict):
        raise fail("(entry)", "a mapping with id, kind, statement, source, observed, run, measure, test")
    unknown = set(entry) - _FIELDS
    if unknown:
        raise fail(sorted(unknown)[0], f"one of {', '.join(sorted(_FIELDS))} (unknown key)")
    for key in _FIELDS - {"against"}:
        if key not in entry:
            raise fail(key, "a value (the key is missing)")
    for key in ("id", "statement", "observed"):
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise fail(key, "a non-empty string")
    if entry["kind"] not in KINDS:
        raise fail("kind", f"one of {', '.join(KINDS)}")
    source = entry["source"]
    if not isinstance(source, dict) or set(source) != _SOURCE_FIELDS:
        raise fail("source", f"a mapping with exactly {', '.join(sorted(_SOURCE_FIELDS))}")
    if source["strength"] not in STRENGTHS:
        raise fail("source.strength", f"one of {', '.join(STRENGTHS)}")
    try:
        run = _config(entry["run"])
        against = _config(entry["against"]) if entry.get("against") is not None else None
    except ValueError as err:
        raise fail("run/against", f"{{scenario: NAME, set: [KEY=VALUE, ...]}} ({err})") from None
    measure = entry["measure"]
    if not isinstance(measure, dict) or "metric" not in measure or set(measure) - {"metric", "minus", "over"}:
        raise fail("measure", "{metric: NAME or NAME[group]} with at most one of minus or over")
    if "minus" in measure and "over" in measure:
        raise fail("measure", "minus or over, not both")
    try:
        value = Ref.parse(measure["metric"])
        minus = Ref.parse(measure["minus"]) if "minus" in measure else None
        over = Ref.parse(measure["over"]) if "over" in measure else None
    except ValueError as err:
        raise fail("measure", str(err)) from None
    return Pattern(id=entry["id"], kind=entry["kind"], statement=" ".join(entry["statement"].split()),
                   source={k: str(v) for k, v in source.items()}, observed=entry["observed"],
                   run=run, against=against, value=value, minus=minus, over=over,
                   test=_test(entry["test"], fail))


def _config(value: Any) -> Config:
    if not isinstance(value, dict) or not isinstance(value.get("scenario"), str) \
            or set(value) - {"scenario", "set"}:
        raise ValueError(f"got {value!r}")
    overrides = value.get("set", [])
    if not isinstance(overrides, list) or not all(isinstance(o, str) and "=" in o for o in overrides):
        raise ValueError("set must be a list of KEY=VALUE strings")
    return Config(value["scenario"], tuple(overrides))


def _test(value: Any, fail: Any) -> tuple[str, float, float]:
    expected = "one of {above: x}, {below: x} or {within: [low, high]}"
    if not isinstance(value, dict) or len(value) != 1:
        raise fail("test", expected)
    (op, bound), = value.items()
    try:
        if op == "above":
            return op, float(bound), float("inf")
        if op == "below":
            return op, float("-inf"), float(bound)
        if op == "within" and isinstance(bound, list) and len(bound) == 2:
            low, high = float(bound[0]), float(bound[1])
            if low <= high:
                return op, low, high
    except (TypeError, ValueError):
        pass
    raise fail("test", expected)
