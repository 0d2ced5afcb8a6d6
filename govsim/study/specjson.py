"""Experiment specs described for machines and readers: their JSON Schema and their keys.

Both are made from the declarations of :mod:`govsim.study.specschema`, the
ones the spec reader validates against, so ``govsim schema --spec``, the key
table of ``docs/experiments.md`` (``scripts/experiments_doc.py``) and the reader
cannot drift apart. The free-form keys (``set``, ``arms``, ``factors``,
``targets``), which the reader checks by hand, are described here once.
"""

from __future__ import annotations

import copy
from typing import Any

from govsim.scenario.jsonschema import DRAFT, entry_schema, param_row
from govsim.scenario.params import Section
from govsim.study import specschema as schema

_SET = {"type": "object", "description": "Scenario overrides, dotted path to value "
        "(e.g. population.residents: 6000), applied to every arm and design point.",
        "additionalProperties": True}
_RANGE = {"description": "[low, high], or 'plausible' for the parameter's declared plausible range "
          "(its source goes into reports).",
          "oneOf": [{"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
                    {"const": "plausible"}]}
#: The free-form keys, in the words of the reader's own messages.
FREE_FORM = {
    "set": _SET,
    "arms": {"type": "object", "description": "Named variants compared with the baseline arm: each a "
             "scenario file and/or overrides.", "minProperties": 1,
             "additionalProperties": {"type": ["object", "null"], "additionalProperties": False,
                                      "properties": {"scenario": {"type": "string", "description":
                                                                  "Scenario file (default: base)."},
                                                     "set": _SET}}},
    "factors": {"type": "object", "minProperties": 1,
                "description": "Parameters varied by the design, by dotted scenario path; each with "
                               "'values' (a list) or 'range'.",
                "additionalProperties": {"type": "object", "additionalProperties": False, "properties": {
                    "values": {"type": "array", "minItems": 1, "description": "Explicit values (grid)."},
                    "range": _RANGE}}},
    "reference": {"type": "object", "description": "Grid designs: the design point the report compares "
                  "the others with, as factor path: value (each a value of the grid); without it the "
                  "report shows response curves and compares nothing.",
                  "additionalProperties": True},
    "targets": {"type": "array", "minItems": 1, "description": "Calibration: statistics the model "
                "should reproduce.", "items": entry_schema(schema.TARGET)},
}


def spec_json_schema() -> dict[str, Any]:
    """A Draft 2020-12 JSON Schema of experiment spec files."""
    props = {entry.name: entry_schema(entry) for entry in schema.SPEC.entries}
    free = copy.deepcopy(FREE_FORM)
    free["factors"]["additionalProperties"]["properties"].update(
        {e.name: entry_schema(e) for e in schema.FACTOR.entries})
    props.update(free)
    props["optimizer"] = entry_schema(schema.OPTIMIZER)
    props["abc"] = entry_schema(schema.ABC)
    return {
        "$schema": DRAFT,
        "$id": "https://govsim.example/experiment.schema.json",
        "title": "govsim experiment spec",
        "description": "An experiment: a base scenario, then arms or factors with a design (or "
                       "calibration targets), replications and seeds. Unknown keys are errors.",
        "type": "object",
        "properties": props,
        "additionalProperties": False,
    }


def spec_keys() -> list[dict[str, Any]]:
    """Every declared key of a spec, as rows: ``path`` (e.g. ``factors.PATH.levels``), kind, default,
    unit, range and description."""
    sections: tuple[tuple[str, Section], ...] = (
        ("", schema.SPEC), ("factors.PATH.", schema.FACTOR), ("targets[].", schema.TARGET),
        ("optimizer.", schema.OPTIMIZER), ("abc.", schema.ABC))
    rows = [param_row(f"{prefix}{path}", param) for prefix, section in sections
            for path, param in section.walk()]
    for key, part in FREE_FORM.items():
        rows.append({"path": key, "kind": "mapping" if part["type"] == "object" else "list",
                     "default": None, "unit": "", "range": "", "description": part["description"]})
    rows.append({"path": "factors.PATH.values", "kind": "list", "default": None, "unit": "", "range": "",
                 "description": "Explicit values of the factor (grid designs)."})
    rows.append({"path": "factors.PATH.range", "kind": "list", "default": None, "unit": "", "range": "",
                 "description": _RANGE["description"]})
    return rows
