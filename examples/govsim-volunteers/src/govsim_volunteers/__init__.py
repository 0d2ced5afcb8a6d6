"""Volunteer points (积分制): residents earn points for hours of community service.

Seed document S1 describes the scheme: "residents who take part in community
service earn points, exchanged for daily goods or services, to stir their
enthusiasm" (推广"积分制"管理, 居民参与社区服务可获得积分, 兑换生活用品或服务). In
the model the volunteers' hours are extra capacity in the categories they serve
(visits to the elderly, neighbourly help), used before staff hours. The points
they earn are counted at ``yuan_per_hour`` as the scheme's cost; they come from
the scheme's own fund, not from the service money of the model's budget.

Each week, for every community c with N_c residents:

    volunteers_c = volunteers_per_1k × N_c / 1000 × (1 − dropout)^(weeks in force)
    hours_c      = volunteers_c × hours_per_volunteer, split evenly over ``categories``
    points_c     = hours_c × yuan_per_hour

Volunteers drift away at ``dropout`` a week (an assumption: points schemes are known
to lose members once the novelty goes; no rate was found). Every size here is an
assumption, and says so: this package is an example of a plugin, not a calibrated
mechanism.

It records two metrics, ``volunteer_hours`` and ``volunteer_points_yuan``, overall
and per community.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from govsim.api import CATEGORIES, Metric, Param, Policy, declare

__all__ = ["METRICS", "VolunteerPoints"]

METRICS = (
    Metric("volunteer_hours", "Hours given by points-scheme volunteers", "hours/week", None, "sum",
           ("overall", "community")),
    Metric("volunteer_points_yuan", "Points paid to volunteers", "yuan/week", None, "sum",
           ("overall", "community")),
)


class VolunteerPoints(Policy):
    """Volunteers who earn points add hours in the categories they serve."""

    type_name = "volunteer_points"
    govsim_api = 1
    metric_family = "volunteer_points"
    PARAMS = declare(
        "volunteer_points", "Volunteer points (积分制): residents' service hours for points (S1).",
        Param("volunteers_per_1k", "float", 10.0, "Residents per 1,000 who join the scheme.",
              unit="volunteers/1,000 residents", low=0.0, high=200.0,
              source="S1: 积分制 (points for community service); assumption for the size"),
        Param("hours_per_volunteer", "float", 2.0, "Hours each volunteer gives a week.",
              unit="hours/week", low=0.0, high=20.0, source="assumption"),
        Param("dropout", "float", 0.01, "Share of volunteers who stop each week.",
              unit="share/week", low=0.0, high=1.0, source="assumption"),
        Param("yuan_per_hour", "float", 10.0, "Value of the points earned per hour, paid by the scheme.",
              unit="yuan/hour", low=0.0, high=1000.0, source="assumption"),
        Param("categories", "list", ["care"], "Need categories the volunteers serve.",
              choices=CATEGORIES),
    )

    def setup(self, model: Any) -> None:
        """Where the hours go, and the residents of each community (fixed for the run)."""
        self.columns = [CATEGORIES.index(c) for c in self.params["categories"]]
        self.residents = np.asarray(model.hierarchy.community_residents, dtype=np.float64)
        self.hours = np.zeros_like(self.residents)

    def week_start(self, model: Any, week: int) -> None:
        """Add this week's volunteer hours to the communities' extra capacity."""
        p = self.params
        if not self.columns:
            self.hours = np.zeros_like(self.residents)
            return
        staying = (1.0 - p["dropout"]) ** (week - self.start)
        volunteers = p["volunteers_per_1k"] * self.residents / 1000.0 * staying
        self.hours = volunteers * p["hours_per_volunteer"]
        extra = model.levers.extra_capacity.copy()  # the week's levers: never change them in place
        extra[:, self.columns] += (self.hours / len(self.columns))[:, None]
        model.levers.extra_capacity = extra

    def record(self, model: Any, week: int, recorder: Any) -> None:
        """Hours and points of the week (zero while the scheme is not in force)."""
        hours = self.hours if self.active(week) else np.zeros_like(self.residents)
        points = hours * self.params["yuan_per_hour"]
        recorder.overall(week, "volunteer_hours", float(hours.sum()))
        recorder.by(week, "volunteer_hours", "community", hours)
        recorder.overall(week, "volunteer_points_yuan", float(points.sum()))
        recorder.by(week, "volunteer_points_yuan", "community", points)
