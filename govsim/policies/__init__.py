"""Policies and mechanisms, one module each, found by their ``type:`` through a registry.

Every module in this package that defines a :class:`~govsim.policies.base.Policy`
subclass with a ``type_name`` is registered: adding a policy is adding a
module, and neither the model nor this file is edited.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from govsim.policies.base import Policy
from govsim.scenario.params import Section

_SUPPORT = {"base", "reporting"}


def _discover() -> dict[str, type[Policy]]:
    registry: dict[str, type[Policy]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name in _SUPPORT or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Policy) and value.type_name \
                    and value.__module__ == module.__name__:
                if value.type_name in registry:
                    raise ValueError(f"policy type {value.type_name!r} is defined twice")
                registry[value.type_name] = value
    return registry


REGISTRY: dict[str, type[Policy]] = _discover()


def policy_types() -> list[str]:
    """Every known ``type:``, sorted."""
    return sorted(REGISTRY)


def policy_section(type_name: str) -> Section:
    """The declared parameters of one policy type."""
    return REGISTRY[type_name].PARAMS


def build_policies(specs: tuple[dict[str, Any], ...] | list[dict[str, Any]]) -> list[Policy]:
    """Instantiate the scenario's resolved policy entries, in order."""
    return [REGISTRY[spec["type"]]({k: v for k, v in spec.items() if k != "type"}, i)
            for i, spec in enumerate(specs)]
