"""govsim's built-in policies and mechanisms, one module each.

Each module defines one :class:`~govsim.model.policy.Policy` subclass, registered by
name in govsim's ``pyproject.toml`` under the ``govsim.policies`` entry points, the
same way a plugin package registers its own (:mod:`govsim.scenario.plugins`,
``docs/plugins.md``). Adding a built-in policy is adding a module and its entry
point; neither the model nor this file is edited.
"""
