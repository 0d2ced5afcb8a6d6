"""Load a scenario: read YAML, follow ``extends:``, apply overrides, validate, fill defaults.

The steps, in order:

1. Read the file (:mod:`govsim.scenario.yamlio`: safe YAML with line numbers).
2. Follow ``extends: base.yaml`` (relative to the extending file; bases may
   extend further). Mappings merge deeply, child keys winning; a child's
   ``policies`` list *replaces* the base's list whole (policies are an ordered
   list, and merging lists item by item would silently mix two designs);
   scalars and lists override.
3. Apply ``--set a.b=c`` overrides, each value read as YAML.
4. Validate every key and value against the declarations, collecting every
   problem; fill every unset parameter with its default.
5. Run the cross-field checks and refuse scenarios too large for memory.

Every problem, in any step, names the file and line (or the ``--set``
option) it came from, and all problems found are raised together.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govsim.scenario import plugins, yamlio
from govsim.scenario.errors import Origin, Problem, ScenarioError, show
from govsim.scenario.memory import estimate_bytes
from govsim.scenario.params import Declarations
from govsim.scenario.plausibility import warn_if_implausible
from govsim.scenario.scenario import Scenario
from govsim.scenario.suggest import close_file
from govsim.scenario.validate import Validator

#: Share of physical memory a single run may plan to use.
MEMORY_SHARE = 0.8

Overrides = Mapping[str, Any] | Sequence[str] | None


def default_declarations() -> Declarations:
    """The real model's declarations, with the policy types of every installed plugin."""
    from govsim.scenario import declarations

    return Declarations(
        model=declarations.MODEL,
        top_level=tuple(declarations.TOP_LEVEL),
        checks=tuple(declarations.CHECKS),
        policy_types=plugins.policy_types,
        policy_section=plugins.policy_section,
        estimate_bytes=estimate_bytes,
        policy_refused=_refused,
    )


def _refused(type_name: str) -> str | None:
    problem = plugins.registry().refused(type_name)
    return None if problem is None else str(problem)


def load_scenario(
    path: str | os.PathLike[str] | None = None,
    overrides: Overrides = None,
    *,
    max_memory_bytes: int | None = None,
    declarations: Declarations | None = None,
    referred_by: Reference | None = None,
) -> Scenario:
    """Load, validate and resolve a scenario file.

    Args:
        path: The YAML file; None for the built-in defaults (named "default").
        overrides: ``["population.residents=5000", "policies[0].margin=0.2"]``
            or ``{"population.residents": 5000}``; string values are read as
            YAML, so ``true``, ``0.3`` and ``[a, b]`` work.
        max_memory_bytes: Refuse scenarios estimated to need more memory than
            this; default 80% of physical memory.
        declarations: What to validate against; default the model's own.
        referred_by: The file position and key that named ``path`` (an experiment spec's
            ``base``, say); then ``path`` must be a ``.yaml``/``.yml`` file, and whatever
            makes it not a scenario file is said there, without quoting the file.

    Returns:
        The resolved scenario: every declared parameter set.

    Raises:
        ScenarioError: listing every problem found, each with its file and line.
    """
    decl = declarations or default_declarations()
    doc = _Doc({}, {}, None) if path is None else _read_file(Path(path), str(path), [], referred_by)
    return _resolve(doc, overrides, decl, max_memory_bytes, source=doc.file)


def scenario_from_dict(
    data: Mapping[str, Any],
    overrides: Overrides = None,
    *,
    source: str | None = None,
    max_memory_bytes: int | None = None,
    declarations: Declarations | None = None,
) -> Scenario:
    """Validate and resolve a scenario given as plain data instead of a file.

    ``extends:`` in ``data`` is read relative to ``source``'s directory (or
    the working directory). Errors name ``source`` without line numbers.
    """
    decl = declarations or default_declarations()
    if not isinstance(data, Mapping):
        raise ScenarioError(Problem(f"a scenario must be a mapping; got {show(data)}",
                                    Origin(file=source)))
    try:
        plain = yamlio._unshare(dict(data), [0])
    except ValueError as exc:
        raise ScenarioError(Problem(str(exc), Origin(file=source))) from None
    folder = Path(source).parent if source else Path(".")
    doc = _expand(_Doc(plain, {}, source), folder, [])
    return _resolve(doc, overrides, decl, max_memory_bytes, source=source)


# --- documents and where their values came from --------------------------------


@dataclass
class _Doc:
    """Raw scenario data plus the origin of each dotted path."""

    data: dict[str, Any]
    origins: dict[str, Origin]
    file: str | None

    def where(self, path: str | None) -> Origin:
        """Origin of ``path`` or of its nearest enclosing path that has one."""
        if path:
            for candidate in yamlio.parents(path):
                if candidate in self.origins:
                    return self.origins[candidate]
        return Origin(file=self.file)

    def drop_under(self, path: str) -> None:
        """Forget origins at and below ``path`` (its value was replaced)."""
        for key in [k for k in self.origins if _under(k, path)]:
            del self.origins[key]


def _under(key: str, path: str) -> bool:
    return key == path or key.startswith((path + ".", path + "["))


#: Endings a scenario file may have; a file named by ``extends``, a spec's ``base`` or an
#: arm's ``scenario`` must have one, so a path that strays to some other file (a password file,
#: a key) is refused before the file is even looked at.
SCENARIO_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Reference:
    """Where a file was named by another: the naming file's position and key.

    Attributes:
        origin: The file, line and column of the key that named it.
        key: The key, e.g. ``extends``, ``base`` or ``arms.strict.scenario``.
    """

    origin: Origin
    key: str


def _read_file(path: Path, label: str, chain: list[tuple[Path, str]], ref: Reference | None) -> _Doc:
    """Read one file and everything it extends. ``ref`` is the key that named this file
    (None for a file the user named directly).

    A file named by another is never quoted: whatever is wrong with it as a file (not YAML,
    not a mapping, binary, a directory) is said at the naming file's line and key, with the
    file's path and what kind of thing it is, since it may be any file on the machine.
    """
    if ref is not None:
        _check_reference(path, label, ref)
        parsed = _read_referenced(path, label, ref)
    else:
        if not path.exists():
            raise ScenarioError(_missing_file(path, label, ref))
        if path.is_dir():
            raise ScenarioError(_directory(path, label, ref))
        parsed = yamlio.read(path, label)
        if parsed.data is None:
            raise ScenarioError(Problem(
                "the file is empty; a scenario is a YAML mapping, e.g. 'name: my-scenario'",
                Origin(file=label)))
        if not isinstance(parsed.data, dict):
            raise ScenarioError(Problem(
                f"a scenario must be a mapping of keys to values (like 'steps: 52'); "
                f"got {show(parsed.data)}", Origin(file=label, line=1)))
    origins = {p: Origin(label, line, col) for p, (line, col) in parsed.marks.items()}
    return _expand(_Doc(parsed.data, origins, label), path.parent,
                   [*chain, (path.resolve(), label)])


def _check_reference(path: Path, label: str, ref: Reference) -> None:
    """Refuse a named file that is not a ``.yaml``/``.yml`` file, is missing or is a folder."""
    if path.suffix.lower() not in SCENARIO_SUFFIXES:
        raise ScenarioError(Problem(
            f"{ref.key} names {label}, which is not a scenario file: a scenario file's name ends in "
            f"{' or '.join(SCENARIO_SUFFIXES)}", ref.origin, key=ref.key,
            expected="a .yaml or .yml file", got=label))
    if not path.exists():
        raise ScenarioError(_missing_file(path, label, ref))
    if path.is_dir():
        raise ScenarioError(_directory(path, label, ref))


def _directory(path: Path, label: str, ref: Reference | None) -> Problem:
    names = sorted(p.name for p in path.glob("*.y*ml"))
    hint = f"scenario files in it: {', '.join(names[:12])}" if names else None
    if ref is None:
        return Problem("this is a directory, not a scenario file", Origin(file=label), hint=hint)
    return Problem(f"{ref.key} names {label}, which is a directory, not a scenario file", ref.origin,
                   key=ref.key, hint=hint)


def _read_referenced(path: Path, label: str, ref: Reference) -> yamlio.Document:
    """Read a named file, saying what is wrong with it without quoting any of it."""

    def refuse(what: str) -> ScenarioError:
        return ScenarioError(Problem(f"{ref.key} names {label}, which is not a scenario file: {what}",
                                     ref.origin, key=ref.key, expected="a YAML mapping", got=label))

    try:
        size = path.stat().st_size
        if size > yamlio.MAX_FILE_BYTES:
            raise refuse(f"it is {size:,} bytes, far more than a scenario file "
                         f"(at most {yamlio.MAX_FILE_BYTES:,})")
        raw = path.read_bytes()
    except OSError as exc:
        raise refuse(f"it cannot be read ({exc.strerror or type(exc).__name__})") from None
    if b"\0" in raw:
        raise refuse("it is a binary file, not YAML text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise refuse("it is not UTF-8 text") from None
    try:
        parsed = yamlio.parse(text, label)
    except ScenarioError as err:
        malformed = [p for p in err.problems if p.message.startswith(yamlio.MALFORMED)]
        if not malformed:
            raise  # duplicate keys or aliases in a YAML mapping: said at its own lines, as for any scenario
        line = malformed[0].origin.line
        raise refuse(f"it is not valid YAML{f' (at its line {line})' if line else ''}") from None
    if parsed.data is None:
        raise refuse("it is empty")
    if not isinstance(parsed.data, dict):
        raise refuse(f"it holds {kind(parsed.data)}, not a mapping of keys to values")
    return parsed


def kind(value: Any) -> str:
    """What sort of YAML value this is, in words, without showing it."""
    if isinstance(value, bool):
        return "a true/false value"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a line of text" if "\n" not in value.strip() else "plain text"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' * (len(value) != 1)}"
    return "a single value"


def _missing_file(path: Path, label: str, ref: Reference | None) -> Problem:
    guess = close_file(path)
    if ref is None:
        where = "no such file" if path.parent.is_dir() else f"no such folder: {path.parent}"
        return Problem(f"cannot open the scenario: {where}", Origin(file=label),
                       suggestion=guess)
    shown = str(Path(guess).name) if guess else None
    what = "a base file" if ref.key == "extends" else "a scenario file"
    return Problem(f"{ref.key} names {what} that does not exist (looked for {label})",
                   ref.origin, key=ref.key, suggestion=shown)


def _expand(doc: _Doc, folder: Path, chain: list[tuple[Path, str]]) -> _Doc:
    """Resolve the ``extends`` key of ``doc``: read its base and merge onto it."""
    if "extends" not in doc.data:
        return doc
    target = doc.data.pop("extends")
    ref = doc.where("extends")
    doc.drop_under("extends")
    if not isinstance(target, str) or not target.strip():
        raise ScenarioError(Problem(
            f"extends must be a file name (relative to this file); got {show(target)}",
            ref, key="extends", expected="a file name", got=show(target)))
    base_path = folder / target
    label = os.path.normpath(os.path.join(os.path.dirname(doc.file or ""), target))
    resolved = base_path.resolve()
    if any(seen == resolved for seen, _ in chain):
        loop = " -> ".join([*(name for _, name in chain), label])
        raise ScenarioError(Problem(f"extends makes a cycle: {loop}", ref, key="extends",
                                    hint="remove one of the extends keys in the cycle"))
    base = _read_file(base_path, label, chain, Reference(ref, "extends"))
    return _merge(base, doc)


def _merge(base: _Doc, child: _Doc) -> _Doc:
    replaced: list[str] = []
    data = _merge_data(base.data, child.data, "", replaced)
    for path in replaced:
        base.drop_under(path)
    return _Doc(data, {**base.origins, **child.origins}, child.file)


def _merge_data(base: dict, child: dict, prefix: str, replaced: list[str]) -> dict:
    out = dict(base)
    for key, value in child.items():
        path = yamlio.join(prefix, key)
        old = base.get(key)
        if isinstance(old, dict) and isinstance(value, dict):
            out[key] = _merge_data(old, value, path, replaced)
        elif isinstance(old, dict) and value is None:
            continue  # an empty 'section:' in the child leaves the base section be
        else:
            if key in base:
                replaced.append(path)
            out[key] = value
    return out


# --- overrides ------------------------------------------------------------------


def _apply_overrides(doc: _Doc, overrides: Overrides) -> list[Problem]:
    """Apply ``--set`` overrides to ``doc`` in place; return their problems."""
    if overrides is None:
        return []
    if isinstance(overrides, str):
        overrides = [overrides]
    items: list[tuple[str, str, Any]] = []
    problems: list[Problem] = []
    if isinstance(overrides, Mapping):
        for key, value in overrides.items():
            label = f"--set {key}={value if isinstance(value, str) else show(value)}"
            if isinstance(value, str):
                value = _parse_value(value, label, problems)
            items.append((label, str(key), value))
    else:
        for text in overrides:
            label = f"--set {text}"
            key, sep, raw = str(text).partition("=")
            if not sep:
                problems.append(Problem(
                    "an override must be path=value, e.g. population.residents=5000",
                    Origin(override=label), got=show(text)))
                continue
            items.append((label, key, _parse_value(raw, label, problems)))
    for label, key, value in items:
        if value is not _INVALID:
            problem = _set_path(doc, key, value, Origin(override=label))
            if problem:
                problems.append(problem)
    return problems


_INVALID = object()


def _parse_value(text: str, label: str, problems: list[Problem]) -> Any:
    origin = Origin(override=label)
    try:
        return yamlio.parse(text, origin=origin).data
    except ScenarioError as err:
        problems.extend(Problem(f"the value is not valid YAML: {p.message}", origin,
                                hint="quote text that contains ':' or starts with '['")
                        for p in err.problems)
        return _INVALID


def _set_path(doc: _Doc, key: str, value: Any, origin: Origin) -> Problem | None:
    try:
        tokens = yamlio.split_path(key)
    except ValueError as exc:
        return Problem(str(exc), origin, key=key)
    node: Any = doc.data
    done: list[str | int] = []
    for pos, token in enumerate(tokens):
        here = yamlio.format_path(done) or "the scenario"
        if isinstance(node, list):
            index = token if isinstance(token, int) else int(token) if token.isdigit() else None
            if index is None:
                return Problem(f"{here} is a list; index it by number, e.g. {here}[0]",
                               origin, key=key)
            if not 0 <= index < len(node):
                span = f"entries 0 to {len(node) - 1}" if node else "no entries"
                return Problem(f"{here} has {span}, so there is no {here}[{index}]", origin,
                               key=yamlio.format_path([*done, index]),
                               expected=f"an index in [0, {len(node) - 1}]" if node else None)
            token = index
        elif not isinstance(node, dict):
            return Problem(f"{here} is a single value ({show(node)}), so it has no "
                           f"{token!s} inside", origin, key=key)
        done.append(token)
        if pos == len(tokens) - 1:
            node[token] = value
        else:
            if isinstance(node, dict) and node.get(token) is None:
                node[token] = [] if isinstance(tokens[pos + 1], int) else {}
            node = node[token]
    path = yamlio.format_path(done)
    doc.drop_under(path)
    doc.origins[path] = origin
    return None


# --- resolution -----------------------------------------------------------------


def _resolve(doc: _Doc, overrides: Overrides, decl: Declarations, max_memory: int | None,
             source: str | None) -> Scenario:
    problems = _apply_overrides(doc, overrides)
    validator = Validator(decl.model, decl.top_level, decl.policy_types, decl.policy_section,
                          doc.where, decl.policy_refused)
    top, params, policies = validator.document(doc.data)
    problems += validator.problems
    if problems:
        raise ScenarioError(problems)
    for check in decl.checks:
        for path, message in check(copy.deepcopy(params)):
            text = message if path in message else f"{path}: {message}"
            problems.append(Problem(text, doc.where(path), key=path))
    if not problems:
        memory = _memory_problem(params, decl, max_memory, doc)
        problems += [memory] if memory else []
    if problems:
        raise ScenarioError(problems)
    name = top.pop("name", None) or "default"
    warn_if_implausible(params, source, decl)
    return Scenario(
        name=name, description=top.pop("description", ""), seed=top.pop("seed", 0),
        steps=top.pop("steps", 1), params={**top, **params}, policies=tuple(policies),
        source=source,
    )


def default_memory_limit() -> int | None:
    """80% of physical memory, or None where the OS will not say."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None
    return int(total * MEMORY_SHARE) if total > 0 else None


def _memory_problem(params: dict, decl: Declarations, limit: int | None,
                    doc: _Doc) -> Problem | None:
    if decl.estimate_bytes is None:
        return None
    estimate = decl.estimate_bytes(params)
    default_limit = limit is None
    limit = default_memory_limit() if limit is None else limit
    if estimate is None or limit is None or estimate <= limit:
        return None
    key = "population.residents"
    residents = params.get("population", {}).get("residents")
    what = f"{key} = {residents:,}" if residents is not None else "this scenario"
    share = f" ({MEMORY_SHARE:.0%} of this machine's memory)" if default_limit else ""
    return Problem(
        f"{what} would need an estimated {_gb(estimate)} of memory, more than the limit "
        f"of {_gb(limit)}{share}; the run was refused before building anything",
        doc.where(key) if residents is not None else doc.where(None),
        key=key if residents is not None else None,
        expected=f"at most {_gb(limit)} of memory", got=_gb(estimate),
        hint=f"lower {key}, or raise the limit (max_memory_bytes) if the machine has the memory",
    )


def _gb(n: float) -> str:
    gb = n / 1e9
    return f"{gb:,.1f} GB" if gb >= 0.1 else f"{gb:.2g} GB"
