"""The Mesa model the teaching page steps: one lesson's :class:`~govsim.teach.session.Session`.

Apart from the page (:mod:`govsim.teach.app`) so that the page's views can name it
without importing the page that imports them.
"""

from __future__ import annotations

import functools
from typing import Any

import mesa

from govsim import load_scenario
from govsim.scenario import Scenario
from govsim.teach.levers import changed_settings


@functools.lru_cache(maxsize=32)
def lesson_scenario(path: str) -> Scenario:
    """A lesson's scenario as loaded (cached: every Reset builds a model from it)."""
    return load_scenario(path)


class TeachModel(mesa.Model):
    """What the page steps and rebuilds on Restart: a :class:`Session` with the levers' values.

    Args:
        lesson: The lesson's scenario file.
        scenario: Mesa's own scenario object (``mesa.experimental.scenarios``),
            which Mesa 3.5's SolaraViz passes back on Reset; kept so the model
            still runs under SolaraViz. The lesson's file fixes every setting
            and the seed, so it is not used.
        overrides: Settings applied before the levers (the classroom's one
            community per student), by dotted path.
        **kwargs: Lever values by scenario path (``policies.0.margin=0.3``).
    """

    def __init__(self, lesson: str, scenario: Any = None, overrides: dict[str, Any] | None = None,
                 **kwargs: Any) -> None:
        from govsim.teach.session import Session

        base = lesson_scenario(str(lesson))
        resolved = base.with_overrides(overrides) if overrides else base
        super().__init__(rng=resolved.seed)
        self.lesson = str(lesson)
        self.levers = dict(kwargs)
        self.session = Session(resolved, changed_settings(resolved, kwargs))

    def step(self) -> None:
        """One week of both runs; stops the play button at the scenario's end."""
        self.session.step()
        self.running = not self.session.finished
