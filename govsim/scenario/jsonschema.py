"""Export the declarations: a JSON Schema for editors, a flat table for ``govsim params``.

Both are generated from the same declarations the loader validates against,
so what an editor's YAML plugin flags, what ``govsim params`` lists and what
the loader accepts cannot drift apart. The schema is a convenience for
editing; the loader stays the authority (it also checks cross-field rules
and policy windows, which JSON Schema cannot express).
"""

from __future__ import annotations

from typing import Any

from govsim.scenario.params import Param, Section
from govsim.scenario.validate import default

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(declarations: Any = None) -> dict[str, Any]:
    """A Draft 2020-12 JSON Schema of scenario files.

    Args:
        declarations: A :class:`~govsim.scenario.loader.Declarations`; default
            the model's own.

    Returns:
        The schema as plain data (``json.dumps`` it to save).
    """
    from govsim.scenario.loader import default_declarations

    decl = declarations or default_declarations()
    props: dict[str, Any] = {p.name: _param(p) for p in decl.top_level}
    props["extends"] = {"type": "string",
                        "description": "Base scenario file, relative to this file; this file's keys "
                                       "override it, and its policies list replaces the base's."}
    props.update({entry.name: _entry(entry) for entry in decl.model.entries})
    variants = [_policy(name, decl.policy_section(name)) for name in decl.policy_types()]
    props["policies"] = {
        "type": ["array", "null"],
        "description": "Policies in force, each with a type and its parameters.",
        "items": {"oneOf": variants} if variants else False,
    }
    return {
        "$schema": DRAFT,
        "$id": "https://govsim.example/scenario.schema.json",
        "title": "govsim scenario",
        "description": "A scenario for govsim. Unknown keys are errors.",
        "type": "object",
        "properties": props,
        "additionalProperties": False,
    }


def describe_params(declarations: Any = None) -> list[dict[str, Any]]:
    """One row per parameter, for ``govsim params`` and the documentation.

    Covers the top-level keys, every model parameter and every policy type's
    parameters (as ``policies.<type>.<name>``).

    Returns:
        Dicts with keys ``path, kind, default, unit, range, description, source, evidence,
        plausible, plausible_source`` (evidence only for numbers).
    """
    from govsim.scenario.loader import default_declarations

    decl = declarations or default_declarations()
    rows = [_row(p.name, p) for p in decl.top_level]
    rows += [_row(path, p) for path, p in decl.model.walk()]
    for name in decl.policy_types():
        rows += [_row(f"policies.{name}.{path}", p)
                 for path, p in decl.policy_section(name).walk()]
    return rows


def _row(path: str, param: Param) -> dict[str, Any]:
    return {
        "path": path,
        "kind": param.kind,
        "default": default(param),
        "unit": param.unit,
        "range": _range(param),
        "description": param.description,
        "source": param.source or "",
        "evidence": param.evidence if param.kind in ("int", "float", "mapping") else "",
        "plausible": list(param.plausible) if param.plausible else None,
        "plausible_source": param.plausible_source or "",
    }


def _range(param: Param) -> str:
    if param.kind in ("choice", "list"):
        return ", ".join(param.choices or ())
    if param.low is None and param.high is None:
        return ""
    low = "-inf" if param.low is None else _num(param.low)
    high = "inf" if param.high is None else _num(param.high)
    return f"[{low}, {high}]"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


def entry_schema(entry: Param | Section) -> dict[str, Any]:
    """The JSON Schema of one declared parameter or section (for other files' schemas: specs)."""
    return _entry(entry)


def param_row(path: str, param: Param) -> dict[str, Any]:
    """One declared parameter as a table row (path, kind, default, unit, range, description, ...)."""
    return _row(path, param)


def _entry(entry: Param | Section) -> dict[str, Any]:
    return _section(entry) if isinstance(entry, Section) else _param(entry)


def _section(section: Section) -> dict[str, Any]:
    return {
        "type": ["object", "null"],
        "description": section.description,
        "properties": {e.name: _entry(e) for e in section.entries},
        "additionalProperties": False,
    }


def _policy(name: str, section: Section) -> dict[str, Any]:
    props: dict[str, Any] = {"type": {"const": name}}
    props.update({e.name: _entry(e) for e in section.entries})
    return {
        "title": name,
        "description": section.description,
        "type": "object",
        "properties": props,
        "required": ["type"],
        "additionalProperties": False,
    }


def _number(kind: str, param: Param) -> dict[str, Any]:
    out: dict[str, Any] = {"type": kind}
    if param.low is not None:
        out["minimum"] = param.low
    if param.high is not None:
        out["maximum"] = param.high
    return out


def _param(param: Param) -> dict[str, Any]:
    if param.kind in ("int", "float"):
        out = _number("integer" if param.kind == "int" else "number", param)
    elif param.kind == "bool":
        out = {"type": "boolean"}
    elif param.kind == "str":
        out = {"type": "string"}
    elif param.kind == "choice":
        out = {"type": "string", "enum": list(param.choices or ())}
    elif param.kind == "list":
        out = {"type": "array", "items": {"enum": list(param.choices or ())}}
    else:
        value = _number("number", param)
        out = {"type": "object", "additionalProperties": value}
        if param.keys is not None:
            out.update(properties={k: value for k in param.keys}, additionalProperties=False)
    if param.default is None:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    out["default"] = default(param)
    out["description"] = _describe(param)
    return out


def _describe(param: Param) -> str:
    text = param.description.rstrip()
    if param.unit:
        text += f" Unit: {param.unit}."
    if param.source:
        text += f" Source: {param.source}."
    return text
