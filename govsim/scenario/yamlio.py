"""Safe YAML reading that remembers where every key was written.

Scenario files are read with a :class:`yaml.SafeLoader` subclass (never the
unsafe loader) that resolves plain scalars by the YAML 1.2 core schema rather
than PyYAML's YAML 1.1 defaults: ``yes``/``no``/``on``/``off`` stay text (so a
typo'd boolean is caught instead of silently becoming ``True``), ``1e6`` is a
number (population sizes are often written that way), ``010`` is ten, not
eight, and dates stay text. Duplicate keys, which YAML would silently resolve
to the last one, are errors.

Data comes back as plain dicts, lists and scalars, plus a side table from
dotted path (``population.residents``, ``policies[0].margin``) to the 1-based
line and column where it was written, so every later error can point to
``file:line``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from govsim.scenario.errors import Origin, Problem, ScenarioError

_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"

#: Scenario files are a few kilobytes; refuse anything that is clearly not one.
MAX_FILE_BYTES = 10_000_000
#: How every message about YAML that cannot be parsed begins.
MALFORMED = "the YAML is malformed"
#: Cap on scalars after alias expansion, against "billion laughs" documents.
MAX_VALUES = 1_000_000

_CORE = (
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (_INT, r"^(?:[-+]?[0-9][0-9_]*|0x[0-9a-fA-F_]+|0o[0-7_]+)$", "-+0123456789"),
    (
        _FLOAT,
        r"^(?:[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (_MERGE, r"^(?:<<)$", "<"),
)


def _core_resolvers() -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    table: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, pattern, firsts in _CORE:
        for first in firsts:
            table.setdefault(first, []).append((tag, re.compile(pattern)))
    return table


def _construct_int(loader: yaml.SafeLoader, node: ScalarNode) -> int:
    text = str(loader.construct_scalar(node)).replace("_", "")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    if text.startswith("0x"):
        return sign * int(text[2:], 16)
    if text.startswith("0o"):
        return sign * int(text[2:], 8)
    return sign * int(text, 10)


class ScenarioLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema scalars (see the module docstring)."""

    yaml_implicit_resolvers = _core_resolvers()


ScenarioLoader.add_constructor(_INT, _construct_int)


def _dumper_resolvers() -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    table = {k: list(v) for k, v in yaml.SafeDumper.yaml_implicit_resolvers.items()}
    for first, rules in _core_resolvers().items():
        table.setdefault(first, []).extend(rules)
    return table


class ScenarioDumper(yaml.SafeDumper):
    """SafeDumper that quotes any text YAML 1.1 or 1.2 would read as something
    else, so its output means the same to :class:`ScenarioLoader` and to other
    YAML tools."""

    yaml_implicit_resolvers = _dumper_resolvers()


def dump(data: Any) -> str:
    """YAML text for plain data, keys in the given order, readable by :func:`parse`."""
    return yaml.dump(
        data, Dumper=ScenarioDumper, sort_keys=False, allow_unicode=True,
        default_flow_style=False, width=100,
    )


@dataclass
class Document:
    """Parsed YAML plus where each part of it was written.

    Attributes:
        data: Plain data (dicts, lists, scalars); None for an empty document.
        file: The file as named by the user, or None for text from elsewhere.
        marks: Dotted path -> (line, column) of the key (or list item), 1-based.
        value_marks: Dotted path -> (line, column) where the value starts.
    """

    data: Any
    file: str | None
    marks: dict[str, tuple[int, int]] = field(default_factory=dict)
    value_marks: dict[str, tuple[int, int]] = field(default_factory=dict)


def read(path: Path, label: str | None = None) -> Document:
    """Read and parse a scenario file.

    Args:
        path: File to read (the caller has checked it exists).
        label: How to name the file in messages; defaults to ``str(path)``.

    Raises:
        ScenarioError: unreadable, not UTF-8, too large, malformed YAML or
            duplicate keys.
    """
    label = str(path) if label is None else label
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(
                f"the file is {size:,} bytes; a scenario file is a short YAML text "
                f"(at most {MAX_FILE_BYTES:,} bytes)", file=label)
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"the file is not UTF-8 text ({exc.reason} at byte "
                            f"{exc.start})", file=label) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read the file: {exc.strerror or exc}",
                            file=label) from None
    return parse(text, label)


def parse(text: str, file: str | None = None, *, origin: Origin | None = None) -> Document:
    """Parse YAML text into a :class:`Document`.

    Args:
        text: The YAML text.
        file: Name used in messages and recorded on the document.
        origin: Where to report errors instead of ``file`` (used for ``--set``
            values, which have no file).

    Raises:
        ScenarioError: malformed YAML, duplicate keys, recursive aliases or a
            document that expands to too many values.
    """
    try:
        loader = ScenarioLoader(text)
    except yaml.reader.ReaderError as exc:  # the reader checks the first characters at once
        raise ScenarioError(_reader_problem(exc, text, file, origin)) from None
    try:
        node = loader.get_single_node()
        doc = Document(None, file)
        if node is not None:
            problems: list[Problem] = []
            _Marker(doc, problems, file, origin).walk(node, "")
            if problems:
                raise ScenarioError(problems)
            try:
                doc.data = _unshare(loader.construct_document(node), [0])
            except ValueError as exc:
                raise ScenarioError(Problem(str(exc), origin or Origin(file=file))) from None
        return doc
    except yaml.reader.ReaderError as exc:
        raise ScenarioError(_reader_problem(exc, text, file, origin)) from None
    except yaml.MarkedYAMLError as exc:
        raise ScenarioError(_syntax_problem(exc, file, origin)) from None
    except yaml.YAMLError as exc:
        where = origin or Origin(file=file)
        raise ScenarioError(Problem(f"{MALFORMED}: {exc}", where)) from None
    except RecursionError:
        where = origin or Origin(file=file)
        raise ScenarioError(Problem("the YAML is nested too deeply to read", where)) from None
    finally:
        loader.dispose()


def _reader_problem(exc: yaml.reader.ReaderError, text: str, file: str | None,
                    origin: Origin | None) -> Problem:
    """A character YAML does not allow (a NUL, another control character), at its line."""
    line = text.count("\n", 0, exc.position) + 1
    where = origin or Origin(file=file, line=line)
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
    return Problem(f"{MALFORMED}: it holds a control character (U+{code:04X}), which YAML does not allow "
                   "in a text file", where, hint="delete the character; the file may not be a text file")


def _syntax_problem(exc: yaml.MarkedYAMLError, file: str | None,
                    origin: Origin | None) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    where = origin or Origin(
        file=file,
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
    )
    col = f" (column {mark.column + 1})" if mark and origin is None else ""
    text = f"{MALFORMED}{col}: {exc.problem or 'syntax error'}"
    if exc.context:
        ctx_line = f" started on line {exc.context_mark.line + 1}" if exc.context_mark else ""
        text += f" ({exc.context}{ctx_line})"
    hint = None
    if exc.problem and ("\\t" in exc.problem or "tab" in exc.problem):
        hint = "indent with spaces, not tabs"
    elif exc.problem and "mapping values are not allowed" in exc.problem:
        hint = "put a space after each colon, and quote text that itself contains ': '"
    return Problem(text, where, hint=hint)


class _Marker:
    """Walks the node tree once, recording positions and duplicate keys."""

    def __init__(self, doc: Document, problems: list[Problem], file: str | None,
                 origin: Origin | None) -> None:
        self.doc, self.problems, self.file, self.origin = doc, problems, file, origin
        self.seen: set[int] = set()
        self.stack: set[int] = set()

    def walk(self, node: Node, path: str) -> None:
        if id(node) in self.stack:
            line = node.start_mark.line + 1
            self.problems.append(Problem(
                f"{path or 'the document'} refers to itself through a YAML alias; "
                "recursive structures are not allowed",
                self.origin or Origin(self.file, line), key=path or None))
            return
        if id(node) in self.seen:
            return  # an alias: its positions were recorded where it was defined
        self.seen.add(id(node))
        self.stack.add(id(node))
        if isinstance(node, MappingNode):
            self._mapping(node, path)
        elif isinstance(node, SequenceNode):
            for i, item in enumerate(node.value):
                item_path = f"{path}[{i}]"
                self.doc.marks[item_path] = _pos(item)
                self.doc.value_marks[item_path] = _pos(item)
                self.walk(item, item_path)
        self.stack.discard(id(node))

    def _mapping(self, node: MappingNode, path: str) -> None:
        first_line: dict[tuple[str, str], int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                continue
            name = str(key_node.value) if isinstance(key_node, ScalarNode) else "?"
            key_path = join(path, name)
            line = key_node.start_mark.line + 1
            ident = (key_node.tag, name)
            if ident in first_line:
                self.problems.append(Problem(
                    f"{key_path} appears twice in the same mapping (lines "
                    f"{first_line[ident]} and {line}); YAML would silently keep only "
                    "the last one", self.origin or Origin(self.file, line, key_node.start_mark.column + 1),
                    key=key_path, hint="delete one of them"))
                continue
            first_line[ident] = line
            self.doc.marks[key_path] = _pos(key_node)
            self.doc.value_marks[key_path] = _pos(value_node)
            self.walk(value_node, key_path)


def _pos(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _unshare(value: Any, count: list[int]) -> Any:
    """Copy into a tree with no shared parts, so editing one place (an
    override, a merge) never changes another that was a YAML alias of it."""
    count[0] += 1
    if count[0] > MAX_VALUES:
        raise ValueError(
            f"the document expands (through YAML aliases) to more than {MAX_VALUES:,} "
            "values; a scenario is far smaller than that")
    if isinstance(value, dict):
        return {k: _unshare(v, count) for k, v in value.items()}
    if isinstance(value, list):
        return [_unshare(v, count) for v in value]
    return value


# --- dotted paths -------------------------------------------------------------

_NAME = r"[^.\[\]\s][^.\[\]]*"
_PATH = re.compile(rf"{_NAME}(?:\.{_NAME}|\[\d+\])*")
_TOKEN = re.compile(rf"({_NAME})|\[(\d+)\]")


def join(prefix: str, key: Any) -> str:
    """``prefix.key``, or just ``key`` at the top."""
    return f"{prefix}.{key}" if prefix else str(key)


def split_path(text: str) -> list[str | int]:
    """Tokens of a dotted path: ``policies[0].margin`` -> ``['policies', 0, 'margin']``.

    Numeric dotted parts (``policies.0.margin``) stay strings here; they become
    list indices where they meet a list.

    Raises:
        ValueError: the text is not a path.
    """
    text = text.strip()
    if not _PATH.fullmatch(text):
        raise ValueError(f"{text!r} is not a key path like population.residents "
                         "or policies[0].margin")
    return [name.strip() if name else int(index)
            for name, index in _TOKEN.findall(text)]


def format_path(tokens: list[str | int]) -> str:
    """Inverse of :func:`split_path`, with indices written as ``[i]``."""
    out = ""
    for token in tokens:
        out = f"{out}[{token}]" if isinstance(token, int) else join(out, token)
    return out


def parents(path: str) -> list[str]:
    """``path`` and each enclosing path, innermost first: ``a.b[0].c`` ->
    ``['a.b[0].c', 'a.b[0]', 'a.b', 'a']``."""
    out = [path]
    while True:
        cut = max(path.rfind("."), path.rfind("["))
        if cut <= 0:
            return out
        path = path[:cut]
        out.append(path)
