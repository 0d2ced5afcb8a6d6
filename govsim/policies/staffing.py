"""Staffing: more (or fewer) community workers per 10,000 residents.

Community k holds n_k = N_k × d_k / 10,000 posts (in full-time equivalents,
the last one part-time) at the scenario's density d_k (``staff.per_10k_urban`` or ``per_10k_rural``). While
the policy is in force the density is d_k + Δ_k (``add_per_10k_urban`` or
``add_per_10k_rural``, negative to cut). Posts are added or abolished at the
end of the week before the window opens (at set-up when it opens in week 0)
and put back at the end of its last week:

* a new post is vacant and filled after ``staff.refill_delay_weeks`` by a
  newcomer with ``staff.new_worker_skill``, like any refill (S0: recruiting
  takes time, newcomers are untrained);
* a cut abolishes vacant posts first, then posts of workers drawn at random
  (from the policy's stream); the last post cut may be cut in part only.

More workers share the same compulsory admin and the posts each community
must hold (one per department and grid): the post overhead,
``max(0, posts − workers) × post_overhead_hours``, falls as they arrive (S0:
一人多岗). The policy records no metrics of its own: ``staff``, ``workload``
and ``coverage`` tell its story.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from govsim.model.policy import Policy, declare
from govsim.scenario.params import Param

if TYPE_CHECKING:
    from govsim.model.caseflow import WeekTally
    from govsim.model.govmodel import GovModel


class Staffing(Policy):
    """Raise or cut the headcount of community workers per 10,000 residents."""

    type_name = "staffing"
    PARAMS = declare(
        "staffing", "More or fewer community workers per 10,000 residents (S0, S3).",
        Param("add_per_10k_urban", "float", 0.0,
              "Workers per 10,000 residents added in urban communities (negative: cut).",
              unit="staff/10k residents", low=-500.0, high=500.0,
              source="S3: staffing to be tilted toward streets and communities (人员编制向基层倾斜)"),
        Param("add_per_10k_rural", "float", 0.0,
              "Workers per 10,000 residents added in rural villages (negative: cut).",
              unit="staff/10k residents", low=-500.0, high=500.0,
              source="S0: few staff for thousands of residents; assumption for the size"),
    )

    def setup(self, model: GovModel) -> None:
        """Remember the scenario's posts; open the window now if it is open in the first week."""
        self.rng = model.streams(self.stream_name())
        h, staff = model.hierarchy, model.params["staff"]
        base = np.where(h.community_rural, staff["per_10k_rural"], staff["per_10k_urban"])
        add = np.where(h.community_rural, self.params["add_per_10k_rural"],
                       self.params["add_per_10k_urban"])
        self.base_posts = _posts(h.community_residents, base)
        self.new_posts = _posts(h.community_residents, np.maximum(0.0, base + add))
        self.applied = False
        if self.active(model.week):
            self._set_posts(model, self.new_posts, week=model.week)
            self.applied = True
            # The model sized the first week's hours before set-up; a cut must count from the start.
            model.productivity = model.workforce.productivity()
            model.hours_available = model._hours_available()

    def weekly(self, model: GovModel, week: int, tally: WeekTally) -> None:
        """Open or close the window for next week: add or abolish posts."""
        wanted = self.active(week + 1)
        if wanted != self.applied:
            self._set_posts(model, self.new_posts if wanted else self.base_posts, week=week)
            self.applied = wanted

    def _set_posts(self, model: GovModel, target: np.ndarray, week: int) -> None:
        model.workforce.set_posts(target, week, self.rng)


def _posts(residents: np.ndarray, per_10k: np.ndarray) -> np.ndarray:
    """Posts per community at a density, in FTE, as the workforce is built."""
    return residents * per_10k / 1e4
