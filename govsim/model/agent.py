"""GovAgent: the Mesa agent base of govsim's agents, which lets finished models be freed.

Mesa before 3.4 numbers each model's agents with a counter kept in a class
attribute, ``mesa.Agent._ids``, a dictionary keyed by the model itself
(mesa#3179, fixed in Mesa 3.4, which needs Python ≥ 3.12). That dictionary
keeps every model ever built alive, with all its arrays: about 4 MB per run
at 10,000 residents, so a sweep's worker, the teaching page and any loop over
``simulate`` grew without bound. Agents look the attribute up on their own
class first, so govsim's agents count in :data:`GovAgent._ids` instead, which
holds each model weakly; ids are the same (1, 2, ... per model, in creation
order across all of a model's agents). Mesa 3.4 and later no longer use
``_ids``, and this attribute is then simply unused.
"""

from __future__ import annotations

import itertools
import weakref

import mesa


class _CountersByModel(weakref.WeakKeyDictionary):
    """One ``itertools.count(1)`` per model, dropped when the model is."""

    def __getitem__(self, model: mesa.Model) -> itertools.count:
        try:
            return super().__getitem__(model)
        except KeyError:
            counter = itertools.count(1)
            self[model] = counter
            return counter


class GovAgent(mesa.Agent):
    """A Mesa agent whose model is not kept alive by Mesa's id counters (see the module docstring)."""

    _ids = _CountersByModel()
