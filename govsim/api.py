"""The extension API: everything a plugin package needs, and nothing else (version 1).

A plugin imports from here only, so that govsim may reorganise its modules without
breaking it; what this module exports changes only with :data:`API_VERSION`.
``docs/plugins.md`` walks through a complete plugin (``examples/govsim-curfew``).

- :class:`Policy`: subclass it, set ``type_name`` (the scenario's ``type:``, equal
  to the entry point's name) and ``PARAMS`` (from :func:`declare`), and override
  the hooks the model calls (``setup``, ``week_start``, ``target_demand``,
  ``after_cases``, ``weekly``, ``record``, ...; their order is in
  ``GovModel.step``'s docstring). Set ``govsim_api = 1`` to say which version of
  this API the class was written for.
- :func:`declare` and :class:`Param`: the policy's parameters, with kind, default,
  unit, range and source, validated like every built-in parameter.
- :class:`Metric`: an output measure a policy records with ``recorder.overall(week,
  name, value)`` or ``recorder.by(week, name, scope, values)``; register it under
  the ``govsim.metrics`` entry points.
- :data:`FOREVER`: the default last week of a policy's window; :data:`CATEGORIES`:
  the need categories, in the order of the columns of ``model.levers.extra_capacity``
  and ``need_multiplier``.

Register in the plugin's ``pyproject.toml``::

    [project.entry-points."govsim.policies"]
    curfew = "govsim_curfew:Curfew"
    [project.entry-points."govsim.metrics"]
    curfew = "govsim_curfew:METRICS"
"""

from govsim.metrics import Metric
from govsim.model.policy import FOREVER, Policy, declare
from govsim.scenario.declarations import CATEGORIES
from govsim.scenario.params import Param, Section
from govsim.scenario.plugins import API_VERSION, PluginWarning

__all__ = ["API_VERSION", "CATEGORIES", "FOREVER", "Metric", "Param", "PluginWarning", "Policy", "Section",
           "declare"]
