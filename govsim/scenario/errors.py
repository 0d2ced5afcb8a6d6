"""Scenario errors that read as one plain paragraph per problem.

Scenario files are written by people who may not be programmers, so every
problem says where it is (file and line, or the ``--set`` option that caused
it), which key, what was expected, what was found and, where one is likely,
a fix. The loader collects every problem in a scenario before raising, so a
user can fix them all in one pass instead of one per run.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

#: Longest rendering of a value inside a message, so a huge value cannot
#: drown the message (or, for YAML alias bombs, take forever to print).
_MAX_SHOWN = 60


@dataclass(frozen=True)
class Origin:
    """Where a value came from: a position in a file, or a command-line override.

    Attributes:
        file: The file as the user named it (relative paths stay relative, so
            messages match what the user typed).
        line: 1-based line, when known.
        column: 1-based column, when known.
        override: The override text, e.g. ``--set population.residents=abc``;
            when set it names the source instead of a file position.
    """

    file: str | None = None
    line: int | None = None
    column: int | None = None
    override: str | None = None

    def render(self) -> str:
        """The location as a message prefix, e.g. ``scenarios/a.yaml, line 3``."""
        if self.override is not None:
            return self.override
        if self.file is None:
            return "scenario"
        if self.line is None:
            return self.file
        return f"{self.file}, line {self.line}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario.

    Attributes:
        message: The sentence saying what is wrong (without location).
        origin: Where it is.
        key: Dotted path of the offending key, e.g. ``population.residents``
            or ``policies[0].margin``; None for file-level problems.
        expected: The accepted form in words, e.g. ``an integer in [1, 84]``.
        got: The offending value as shown to the user.
        suggestion: The closest known name ("did you mean"), if any.
        hint: A free-text fix, if any.
    """

    message: str
    origin: Origin = field(default_factory=Origin)
    key: str | None = None
    expected: str | None = None
    got: str | None = None
    suggestion: str | None = None
    hint: str | None = None

    def render(self) -> str:
        """One paragraph: location, message, did-you-mean and suggestion."""
        parts = [f"{self.origin.render()}: {_sentence(self.message)}"]
        if self.suggestion:
            parts.append(f"Did you mean {self.suggestion!r}?")
        if self.hint:
            parts.append(f"Suggestion: {_sentence(self.hint)}")
        return " ".join(" ".join(part.split()) for part in parts)


class ScenarioError(Exception):
    """A scenario cannot be loaded; holds every problem found, not just the first.

    The attributes ``file``, ``line``, ``key``, ``expected``, ``got`` and
    ``suggestion`` are those of the first problem, for callers that handle one;
    ``problems`` holds them all. ``str(err)`` is one paragraph per problem,
    numbered when there are several, and never a traceback.
    """

    def __init__(
        self,
        problems: str | Problem | Iterable[Problem],
        *,
        file: str | None = None,
        line: int | None = None,
        key: str | None = None,
        expected: str | None = None,
        got: str | None = None,
        suggestion: str | None = None,
        hint: str | None = None,
    ) -> None:
        if isinstance(problems, str):
            origin = Origin(file=file, line=line)
            problems = [Problem(problems, origin, key, expected, got, suggestion, hint)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("ScenarioError needs at least one problem")
        super().__init__(str(self))

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors may cross process boundaries (sweeps run in worker pools).
        return (type(self), (self.problems,))

    def __str__(self) -> str:
        if len(self.problems) == 1:
            return self.problems[0].render()
        files = {p.origin.file for p in self.problems if p.origin.override is None}
        where = f" in {files.pop()}" if len(files) == 1 and None not in files else ""
        lines = [f"{len(self.problems)} problems{where}:"]
        lines += [f"{i}. {p.render()}" for i, p in enumerate(self.problems, 1)]
        return "\n".join(lines)

    @property
    def file(self) -> str | None:
        """File of the first problem."""
        return self.problems[0].origin.file

    @property
    def line(self) -> int | None:
        """Line of the first problem."""
        return self.problems[0].origin.line

    @property
    def column(self) -> int | None:
        """Column of the first problem (YAML syntax errors and duplicate keys)."""
        return self.problems[0].origin.column

    @property
    def key(self) -> str | None:
        """Dotted key of the first problem."""
        return self.problems[0].key

    @property
    def expected(self) -> str | None:
        """Expected form of the first problem."""
        return self.problems[0].expected

    @property
    def got(self) -> str | None:
        """Offending value of the first problem, as shown."""
        return self.problems[0].got

    @property
    def suggestion(self) -> str | None:
        """Did-you-mean of the first problem."""
        return self.problems[0].suggestion


def show(value: Any) -> str:
    """Render a value the way the user wrote it in YAML, bounded in length.

    Containers are summarised rather than printed: a YAML alias bomb
    expands to billions of items, and even an honest long list is noise.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isnan(value):
        return ".nan"
    if isinstance(value, float) and math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        text = repr(value)
        return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 4] + "...'"
    if isinstance(value, dict):
        keys = [str(k) for k in list(value)[:4]]
        more = ", ..." if len(value) > 4 else ""
        return f"a mapping ({', '.join(keys)}{more})" if keys else "an empty mapping"
    if isinstance(value, list | tuple):
        if not value:
            return "an empty list"
        if all(not isinstance(v, dict | list | tuple) for v in value[:4]):
            items = ", ".join(show(v) for v in value[:4])
            more = ", ..." if len(value) > 4 else ""
            return f"[{items}{more}]"
        return f"a list of {len(value)} items"
    return f"a {type(value).__name__}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."
