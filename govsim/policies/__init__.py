"""Policies, one module each, found by their ``type:`` through a registry.

Adding a policy is adding a module with a :class:`~govsim.policies.base.Policy`
subclass and one line in :data:`REGISTRY`; the model is not edited.
"""

from __future__ import annotations

from typing import Any

from govsim.policies.base import Policy
from govsim.policies.budget_earmarking import BudgetEarmarking
from govsim.policies.crop_mandate import CropMandate
from govsim.policies.target_inflation import TargetInflation
from govsim.scenario.params import Section

REGISTRY: dict[str, type[Policy]] = {
    cls.type_name: cls for cls in (TargetInflation, CropMandate, BudgetEarmarking)
}


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
