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

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

#: The value kinds a parameter may have.
KINDS = ("int", "float", "bool", "str", "choice", "mapping", "list")
#: Where a default number comes from: a statistic or a source document (``data``), a published
#: study (``literature``), fitted to a target (``calibrated``), or nothing (``assumption``); a
#: ``choice`` is a setting of the scenario (its size, its length), not a claim about the world.
EVIDENCE = ("data", "literature", "calibrated", "assumption", "choice")
#: Source prefixes of official statistics, plans and the seed documents (evidence ``data``).
_DATA_PREFIXES = ("s0", "s1", "s2", "s3", "census", "mca", "cdpf", "plan", "cnnic", "nbs", "mof",
                  "regulations", "china national committee", "oxford internet survey", "ofcom",
                  "oaic", "state bureau", "labourlaw")


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
        evidence_kind: One of :data:`EVIDENCE`, when the rule of :attr:`evidence`
            would read the source wrongly.
        plausible: The range of values found in the world, narrower than the hard
            range: a scenario outside it runs, with a warning naming
            ``plausible_source``.
        plausible_source: Where the plausible range comes from.
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
    evidence_kind: str | None = None
    plausible: tuple[float, float] | None = None
    plausible_source: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"param {self.name}: unknown kind {self.kind!r}")
        if self.evidence_kind is not None and self.evidence_kind not in EVIDENCE:
            raise ValueError(f"param {self.name}: unknown evidence kind {self.evidence_kind!r}")
        if (self.plausible is None) != (self.plausible_source is None):
            raise ValueError(f"param {self.name}: a plausible range needs its source, and the reverse")
        if self.kind in ("choice", "list") and not self.choices:
            raise ValueError(f"param {self.name}: kind {self.kind} needs choices")

    @property
    def evidence(self) -> str:
        """Where the default comes from (:data:`EVIDENCE`), read from its source unless declared.

        A source that starts with "assumption", or says the number is one ("assumption for
        0.3"), is an ``assumption`` even when a study gave the form, and so is one that names
        a mechanism but gives no figure ("S0: low trust, more escalation"); "calibrat..." is
        ``calibrated``; "a scenario choice" is a ``choice``; figures from statistics, plans and
        the seed documents are ``data``; other figures cite a study (``literature``).
        """
        if self.evidence_kind is not None:
            return self.evidence_kind
        source = (self.source or "").strip().lower()
        if not source or source.startswith("assumption") or "assumption for" in source \
                or source.endswith("assumption") or "assumption:" in source:
            return "assumption"
        if source.startswith("a scenario choice"):
            return "choice"
        if "calibrat" in source:
            return "calibrated"
        if not any(ch.isdigit() for ch in re.sub(r"\bs[0-3]\b", "", source)):
            return "assumption"  # the source names the mechanism but gives no figure
        return "data" if source.startswith(_DATA_PREFIXES) else "literature"

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


@dataclass(frozen=True)
class Declarations:
    """Everything the loader validates against; injectable for tests and tools.

    Attributes:
        model: Root section holding the model sections.
        top_level: Top-level scalar params (name, description, seed, steps).
        checks: Cross-field checks on the resolved model params; each returns
            ``(dotted.path, message)`` problems.
        policy_types: Known policy ``type:`` names.
        policy_section: The declared params of one policy type.
        estimate_bytes: Estimated memory of a run, or None when unknown.
        policy_refused: Why a policy type's plugin was left out, when it was installed but refused.
    """

    model: Section
    top_level: tuple[Param, ...]
    checks: tuple[Callable[[dict], list[tuple[str, str]]], ...] = ()
    policy_types: Callable[[], Sequence[str]] = tuple
    policy_section: Callable[[str], Section] = field(default=lambda name: Section(name, ""))
    estimate_bytes: Callable[[dict], int | None] | None = None
    policy_refused: Callable[[str], str | None] = field(default=lambda name: None)
