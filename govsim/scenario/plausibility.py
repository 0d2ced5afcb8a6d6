"""Warnings for scenarios that are valid but imply implausible units.

A value inside a parameter's hard range can still describe a county that
does not exist: 30,000 residents in one urban community because the layout
was fixed while the population grew, or a village of 40,000. Such a scenario
runs (the user may mean it), but the user is told, with the source of the
plausible range.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

#: Plausible mean residents per urban community, and the source of the range.
COMMUNITY_RANGE = (300.0, 25000.0)
COMMUNITY_SOURCE = ("the national mean of about 8,000 residents per residents' committee, "
                    "Census2020 urban population over MCA2020's 113,000 committees; large-city "
                    "communities reach about 13,000, and the Urban Residents' Committee Law, art. 6, "
                    "still names 100-700 households")
#: Plausible mean residents per village, and its source.
VILLAGE_RANGE = (100.0, 10000.0)
VILLAGE_SOURCE = ("the national mean of about 1,000 residents per villagers' committee, Census2020 "
                  "rural population over MCA2020's 502,000 committees")
#: Plausible communities or villages under one street or township, and its source.
PER_TOWNSHIP_MAX = 60
PER_TOWNSHIP_SOURCE = ("the national means of about 13 communities per street and 17 villages per "
                       "township (MCA2020)")


class ScenarioWarning(UserWarning):
    """A scenario is valid but implausible; ``str()`` is a user-facing sentence."""


def implausible(params: dict[str, Any]) -> list[str]:
    """Sentences naming each implausible unit the scenario implies (empty when none)."""
    from govsim.scenario.layout import build_hierarchy

    if "hierarchy" not in params or "population" not in params:
        return []  # a model of other declarations (the loader's own tests)
    h = build_hierarchy(params["hierarchy"], params["population"])
    out = []
    for rural, (low, high), unit, source in (
            (False, COMMUNITY_RANGE, "urban community", COMMUNITY_SOURCE),
            (True, VILLAGE_RANGE, "village", VILLAGE_SOURCE)):
        sizes = h.community_residents[h.community_rural == rural]
        if sizes.size == 0:
            continue
        mean = float(sizes.mean())
        if not low <= mean <= high:
            key = "residents_per_village" if rural else "residents_per_community"
            hint = ("hierarchy.townships is set, so the layout does not grow with the population: "
                    "leave it unset" if params["hierarchy"]["townships"] is not None
                    else f"check hierarchy.{key}")
            out.append(f"the scenario implies about {mean:,.0f} residents per {unit}, outside the "
                       f"plausible {low:,.0f} to {high:,.0f}; source of the range: {source}. "
                       f"Suggestion: {hint}")
    per = int(np.bincount(h.community_township).max())
    if per > PER_TOWNSHIP_MAX:
        out.append(f"the scenario puts {per} communities under one street or township, more than a "
                   f"plausible {PER_TOWNSHIP_MAX}; source: {PER_TOWNSHIP_SOURCE}. Suggestion: check "
                   f"hierarchy.communities_per_township")
    return out


def outside_plausible(params: dict[str, Any], declarations: Any) -> list[str]:
    """Sentences naming each parameter set outside its declared plausible range (and its source)."""
    out = []
    for path, param in declarations.model.walk():
        if param.plausible is None:
            continue
        value: Any = params
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        low, high = param.plausible
        if not low <= value <= high:
            unit = f" {param.unit}" if param.unit and param.unit != "share" else ""
            out.append(f"{path} = {value:g}{unit} is outside the plausible {low:g} to {high:g}; source of "
                       f"the range: {param.plausible_source}. It runs as given; check that you meant it")
    return out


def warn_if_implausible(params: dict[str, Any], source: str | None, declarations: Any = None) -> None:
    """Issue a :class:`ScenarioWarning` for each implausible unit and each parameter outside its
    plausible range."""
    where = f"{source}: " if source else ""
    sentences = implausible(params)
    if declarations is not None:
        sentences += outside_plausible(params, declarations)
    for sentence in sentences:
        warnings.warn(where + sentence, ScenarioWarning, stacklevel=3)
