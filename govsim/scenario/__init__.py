"""The scenario language: declarations, the YAML loader and its exports.

A scenario file is YAML: top-level ``name``, ``description``, ``seed``,
``steps``, optionally ``extends: base.yaml``, one mapping per model section
and a ``policies`` list. :func:`load_scenario` reads, validates and resolves
it into a frozen :class:`Scenario`; every mistake becomes a
:class:`ScenarioError` naming file, line, key and a likely fix.
"""

from govsim.scenario.errors import Problem, ScenarioError
from govsim.scenario.jsonschema import describe_params, json_schema
from govsim.scenario.loader import Declarations, default_declarations, load_scenario, scenario_from_dict
from govsim.scenario.scenario import Scenario

__all__ = [
    "Declarations",
    "Problem",
    "Scenario",
    "ScenarioError",
    "default_declarations",
    "describe_params",
    "json_schema",
    "load_scenario",
    "scenario_from_dict",
]
