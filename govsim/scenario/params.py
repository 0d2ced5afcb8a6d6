"""Parameter declarations: every scenario parameter is declared once, here in kind.

A :class:`Param` carries everything a user or a tool needs to know about one
setting: its type, default, unit, allowed range, a one-line description and,
where the number comes from the world, its source. A :class:`Section` groups
params (and sub-sections) under one key of the scenario file. The loader
validates against these declarations, ``govsim params`` lists them and
``govsim schema`` turns them into a JSON Schema, so the three can never drift
apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

#: The value kinds a parameter may have.
KINDS = ("int", "float", "bool", "str", "choice", "mapping", "list")


@dataclass(frozen=True)
class Param:
    """One scenario parameter.

    Attributes:
        name: Key in the scenario file (within its section).
        kind: One of :data:`KINDS`. ``choice`` takes one of ``choices``;
            ``mapping`` maps each of ``keys`` (or any key when ``keys`` is None)
            to a float in ``[low, high]``; ``list`` is a list of ``choices``.
        default: Value used when the scenario does not set it.
        description: One line saying what the parameter means.
        unit: Unit of the value ("" for dimensionless, "share" for 0–1 fractions).
        low: Smallest allowed value (inclusive), for numbers and mapping values.
        high: Largest allowed value (inclusive).
        choices: Allowed values for ``choice`` and ``list``.
        keys: Allowed keys for ``mapping`` (None: any string key).
        source: Where the default comes from (a seed document, a statistic,
            or "assumption: <why>").
    """

    name: str
    kind: str
    default: Any
    description: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] | None = None
    keys: tuple[str, ...] | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"param {self.name}: unknown kind {self.kind!r}")
        if self.kind in ("choice", "list") and not self.choices:
            raise ValueError(f"param {self.name}: kind {self.kind} needs choices")

    def expected(self) -> str:
        """Describe the accepted form in words, for error messages."""
        rng = ""
        if self.low is not None or self.high is not None:
            lo = "-inf" if self.low is None else _fmt(self.low)
            hi = "inf" if self.high is None else _fmt(self.high)
            rng = f" in [{lo}, {hi}]"
        unit = f" ({self.unit})" if self.unit else ""
        if self.kind == "int":
            return f"an integer{rng}{unit}"
        if self.kind == "float":
            return f"a number{rng}{unit}"
        if self.kind == "bool":
            return "true or false"
        if self.kind == "str":
            return "a text string"
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices or ())
        if self.kind == "list":
            return "a list of " + ", ".join(repr(c) for c in self.choices or ())
        keys = ", ".join(self.keys) if self.keys else "any name"
        return f"a mapping from {keys} to numbers{rng}"


@dataclass(frozen=True)
class Section:
    """A named group of parameters: one mapping in the scenario file."""

    name: str
    description: str
    entries: tuple[Param | Section, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        names = [e.name for e in self.entries]
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise ValueError(f"section {self.name}: declared twice: {sorted(dupes)}")

    def get(self, name: str) -> Param | Section | None:
        """The entry called ``name``, or None."""
        for entry in self.entries:
            if entry.name == name:
                return entry
        return None

    def names(self) -> list[str]:
        """Names of the entries, in declaration order."""
        return [e.name for e in self.entries]

    def defaults(self) -> dict[str, Any]:
        """A fresh nested dict of every default in this section."""
        out: dict[str, Any] = {}
        for entry in self.entries:
            if isinstance(entry, Section):
                out[entry.name] = entry.defaults()
            else:
                out[entry.name] = _copy(entry.default)
        return out

    def walk(self, prefix: str = "") -> Iterator[tuple[str, Param]]:
        """Yield ``(dotted.path, param)`` for every param, depth first."""
        for entry in self.entries:
            path = f"{prefix}{entry.name}"
            if isinstance(entry, Section):
                yield from entry.walk(path + ".")
            else:
                yield path, entry


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list | tuple):
        return list(value)
    return value


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)
