"""Grid management (网格化管理): small matters stay in the grid, big ones in the community.

The escalation ladder of S3 — "small matters do not leave the grid, big
matters do not leave the community, hard matters do not leave the street"
(小事不出网格、大事不出社区、难事不出街道) — is already the model's case flow:
each case needs a level, and one the grid cannot resolve is screened there and
passed up, waiting ``escalation_delay`` weeks at each step. Grid management
changes the ladder through the week's levers while it is in force:

* empowerment: of the new cases that would need the community, a share
  ``empowerment`` is resolved at the grid instead (staff and resources sunk
  into the grid, 一网多员、一员多能), saving the pass-up's hours and wait.
  Composed with other policies as ``e ← 1 − (1 − e)(1 − empowerment)``;
* a shorter ladder: ``escalation_delay ← max(0, escalation_delay − delay_cut)``
  for every step below the county (daily and weekly hearings replace the
  queue for the next meeting);
* its cost: every grid holds ``meeting_hours`` of hearings a week
  (网格每日说事), counted as compulsory admin of its community.

Grid workers are pooled with the community's staff in the model, so their
training is the ``training`` mechanism's. Departments' own approval delays
at the county are unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govsim.model.policy import Policy, declare
from govsim.scenario.params import Param

if TYPE_CHECKING:
    from govsim.model.govmodel import GovModel


class GridManagement(Policy):
    """Empower grids and shorten the escalation ladder."""

    type_name = "grid_management"
    PARAMS = declare(
        "grid_management", "Grid management and the escalation ladder (S3).",
        Param("empowerment", "float", 0.0,
              "Share of new cases needing the community that the grid resolves instead.",
              unit="share", low=0.0, high=1.0,
              source="S3: 小事不出网格、大事不出社区; assumption for the size"),
        Param("delay_cut", "int", 0, "Weeks cut from each step of the ladder below the county.",
              unit="weeks", low=0, high=26, source="S3: hearings every day in the grid, every week "
              "with cadres (网格每日说事、干部每周听事); assumption for the size"),
        Param("meeting_hours", "float", 0.0, "Hours of hearings per grid per week.",
              unit="hours/week", low=0.0, high=40.0, source="S3: 网格每日说事; assumption for the size"),
    )

    def week_start(self, model: GovModel, week: int) -> None:
        """Empower the grid, shorten the ladder, and charge the hearings."""
        levers, p = model.levers, self.params
        levers.grid_empowerment = 1.0 - (1.0 - levers.grid_empowerment) * (1.0 - p["empowerment"])
        levers.escalation_delay = max(0, levers.escalation_delay - p["delay_cut"])
        levers.extra_admin = levers.extra_admin + p["meeting_hours"] * model.hierarchy.community_grids
