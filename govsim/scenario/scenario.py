"""The resolved scenario: every parameter set, frozen, hashable, picklable.

A :class:`Scenario` is what the loader hands to the model: nothing is left
to a default at run time, so the scenario alone says everything a run did.
Its :attr:`Scenario.hash` identifies the content (not the file it came from)
and goes into every run's manifest, so results can be traced to the exact
settings that produced them and caches can tell two runs apart.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from govsim.scenario import yamlio
from govsim.scenario.suggest import closest

if TYPE_CHECKING:
    from govsim.scenario.params import Declarations

#: Top-level keys that are fields of the scenario, in document order.
_FIELDS = ("name", "description", "seed", "steps")


@dataclass(frozen=True)
class Scenario:
    """A fully resolved scenario.

    Treat ``params`` and ``policies`` as read-only: the dataclass is frozen
    but dicts inside it are not, and the hash is computed from them.

    Attributes:
        name: Short name.
        description: What the scenario shows.
        seed: Random seed.
        steps: Weeks to simulate.
        params: The model sections (``params["population"]["residents"]``),
            every declared parameter present.
        policies: One dict per policy, ``type`` first, every parameter present.
        source: The file it was loaded from, if any. Not part of equality or
            the hash: the same settings from two files are the same scenario.
    """

    name: str
    description: str
    seed: int
    steps: int
    params: dict[str, Any]
    policies: tuple[dict[str, Any], ...] = ()
    source: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The whole resolved document as plain data (a fresh copy), in a stable key order."""
        out: dict[str, Any] = {key: getattr(self, key) for key in _FIELDS}
        out.update(copy.deepcopy(self.params))
        out["policies"] = [copy.deepcopy(p) for p in self.policies]
        return out

    @property
    def hash(self) -> str:
        """SHA-256 (hex) of the canonical JSON of :meth:`to_dict`; independent of
        key order in the file and of the file's path."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False, allow_nan=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def __hash__(self) -> int:
        return int(self.hash[:16], 16)

    def get(self, path: str) -> Any:
        """The value at a dotted path, e.g. ``population.residents`` or ``policies[0].end``.

        Raises:
            KeyError: no such path (the message suggests a close one).
        """
        node: Any = {**{key: getattr(self, key) for key in _FIELDS}, **self.params,
                     "policies": list(self.policies)}
        try:
            tokens = yamlio.split_path(path)
        except ValueError as exc:  # not a path at all: no such path either
            raise KeyError(str(exc)) from None
        for token in tokens:
            if isinstance(node, list) and str(token).isdigit() and int(token) < len(node):
                node = node[int(token)]
            elif isinstance(node, dict) and token in node:
                node = node[token]
            else:
                near = closest(token, node) if isinstance(node, dict) else None
                hint = f"; did you mean {near!r}?" if near else ""
                raise KeyError(f"no {path!r} in scenario {self.name!r}{hint}")
        return copy.deepcopy(node)

    def to_yaml(self) -> str:
        """YAML text of the resolved scenario; :func:`load_scenario` reads it back
        to an equal scenario with the same hash."""
        header = (f"# Scenario {self.name!r}, fully resolved: every parameter is set.\n"
                  f"# sha256: {self.hash}\n")
        return header + yamlio.dump(self.to_dict())

    def replace(self, **changes: Any) -> Scenario:
        """A copy with some fields changed (e.g. ``seed=2``), not re-validated:
        use :meth:`with_overrides` for parameters."""
        return dataclasses.replace(self, **changes)

    def with_overrides(
        self,
        overrides: Mapping[str, Any] | Sequence[str],
        *,
        max_memory_bytes: int | None = None,
        declarations: Declarations | None = None,
    ) -> Scenario:
        """A copy with ``--set``-style overrides applied and everything re-validated.

        Args:
            overrides: ``["population.residents=5000"]`` or ``{"seed": 3}``.
            max_memory_bytes: As for :func:`load_scenario`.
            declarations: As for :func:`load_scenario`.

        Raises:
            ScenarioError: an override is invalid.
        """
        from govsim.scenario.loader import scenario_from_dict

        return scenario_from_dict(self.to_dict(), overrides, source=self.source,
                                  max_memory_bytes=max_memory_bytes, declarations=declarations)
