"""Emergencies: a flood, an epidemic or an accident multiplies needs for a time.

S0: the grassroots are the first line in natural disasters, public-health
events and accidents, and often respond slowly: plans copied from above that
cannot be started quickly (预案), thin reserves (物资储备), part-time teams
without training or drills (队伍、演练).

**Events.** An event strikes in week ``week`` and, at ``random_rate`` a year,
in further weeks (a weekly chance ``random_rate / W`` drawn from the policy's
stream), but only while the policy is in force. Each event hits a share
``scope`` of the communities (at least one, drawn at random) in the
categories of its ``kind`` (``categories`` overrides them):

* flood: repair, care, assistance;
* epidemic: health, care, assistance;
* accident: health.

**Surge.** With preparedness P = (plans + reserves + teams + drills) / 4, an
event lasts D = max(1, ``duration_weeks`` × (1 − ``speedup`` × P)) weeks and, t weeks
after it struck, multiplies the need rates of the cells it hit by

    m(t) = 1 + (surge − 1) × max(0, 1 − t / D).

Several events add their excesses (m − 1). The multiplier applies through
``levers.need_multiplier`` (multiplying what other policies set).

**Response.** While an event lasts, trained surge teams give
``team_hours × teams`` hours a week to each community hit, split evenly over
the event's categories (``levers.extra_capacity``), before staff. In the week
it strikes, reserves release ``reserve_yuan × reserves`` into each hit
community's flexible money pool (``model.budget.deposit``, at
the end of that week, phase 12, so the year's opening cannot overwrite it);
like the rest of the pool it lapses at the year's end.

Recorded: ``need_multiplier``, the mean of this policy's multiplier over every
community and the kind's categories (1 when nothing is happening).
Simplifications: an event's effects stop when the policy's window closes;
events raise needs only (no staff are hurt, no offices close); surge teams
work cases the community can resolve, like other helpers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from govsim.model.policy import FOREVER, Policy, declare
from govsim.scenario.declarations import CATEGORIES
from govsim.scenario.params import Param

if TYPE_CHECKING:
    from govsim.metrics import Recorder
    from govsim.model.caseflow import WeekTally
    from govsim.model.govmodel import GovModel

KINDS: dict[str, tuple[str, ...]] = {
    "flood": ("repair", "care", "assistance"),
    "epidemic": ("health", "care", "assistance"),
    "accident": ("health",),
}
PREPAREDNESS = ("plans", "reserves", "teams", "drills")


def _share(name: str, description: str, source: str) -> Param:
    return Param(name, "float", 0.0, description, unit="share", low=0.0, high=1.0, source=source)


class Emergency(Policy):
    """Shock events that multiply needs, absorbed faster when prepared."""

    type_name = "emergency"
    metric_family = "emergency"
    PARAMS = declare(
        "emergency", "Floods, epidemics and accidents, and preparedness for them (S0).",
        Param("kind", "choice", "flood", "What strikes; sets the categories whose needs surge.",
              choices=tuple(KINDS), source="S0: natural disasters, public-health events, accidents"),
        Param("categories", "list", [], "Categories whose needs surge (empty: the kind's own).",
              choices=CATEGORIES, source="assumption: see the module docstring"),
        Param("week", "int", 30, "Week of the first event (none if outside the policy's window).",
              unit="week", low=0, high=FOREVER, source="assumption"),
        Param("random_rate", "float", 0.0, "Further events per year at random weeks.", unit="1/year",
              low=0.0, high=52.0, source="assumption"),
        Param("surge", "float", 3.0, "Need rates at an event's peak, relative to normal.", unit="×",
              low=1.0, high=50.0, source="S0: needs surge in emergencies; assumption for the size"),
        Param("duration_weeks", "float", 8.0, "Weeks an unprepared community takes to absorb the surge.",
              unit="weeks", low=1.0, high=104.0, source="assumption: two months of aftermath"),
        Param("scope", "float", 1.0, "Share of communities each event hits (at least one).",
              unit="share", low=0.0, high=1.0, source="assumption"),
        _share("plans", "Emergency plans fitted to local risks (0 copied from above, 1 ready).",
               "S0: plans copied from above cannot be started quickly"),
        _share("reserves", "Stocks of food, medicine and equipment (0 none, 1 full).",
               "S0: reserves short and unevenly spread"),
        _share("teams", "Trained emergency teams (0 part-time and untrained, 1 full).",
               "S0: teams mostly part-time, without training"),
        _share("drills", "Drills with residents (0 none, 1 regular).",
               "S0: residents take little part in drills"),
        Param("speedup", "float", 0.6, "Share of the surge's duration full preparedness saves.",
              unit="share", low=0.0, high=1.0, source="assumption"),
        Param("team_hours", "float", 40.0, "Surge-team hours per hit community per week at full teams.",
              unit="hours/week", low=0.0, high=10000.0, source="assumption: one full-time team member"),
        Param("reserve_yuan", "float", 10000.0, "Money released per hit community at full reserves.",
              unit="yuan", low=0.0, high=1e9, source="assumption"),
    )

    def setup(self, model: GovModel) -> None:
        """Fix the categories, preparedness and duration; no events yet."""
        p = self.params
        self.rng = model.streams(self.stream_name())
        names = p["categories"] or KINDS[p["kind"]]
        self.categories = np.array([CATEGORIES.index(c) for c in names])
        self.preparedness = sum(p[name] for name in PREPAREDNESS) / len(PREPAREDNESS)
        self.duration = max(1.0, p["duration_weeks"] * (1.0 - p["speedup"] * self.preparedness))
        self.events: list[tuple[int, np.ndarray]] = []  # (week struck, communities hit)
        self.multiplier = np.ones((model.hierarchy.communities, len(CATEGORIES)))

    def week_start(self, model: GovModel, week: int) -> None:
        """Strike new events, then apply every live event's surge and teams."""
        p, k = self.params, model.hierarchy.communities
        random_event = self.rng.random() < p["random_rate"] / model.weeks_per_year
        if week == p["week"] or random_event:
            hit = max(1, round(p["scope"] * k))
            self.events.append((week, np.sort(self.rng.choice(k, size=hit, replace=False))))
        self.events = [(t0, hit) for t0, hit in self.events if week - t0 < self.duration]
        excess = np.zeros(k)
        teams = np.zeros(k)
        for t0, hit in self.events:
            excess[hit] += (p["surge"] - 1.0) * max(0.0, 1.0 - (week - t0) / self.duration)
            teams[hit] += p["team_hours"] * p["teams"]
        self.multiplier = np.ones((k, len(CATEGORIES)))
        self.multiplier[:, self.categories] += excess[:, None]
        if self.events:
            model.levers.need_multiplier = model.levers.need_multiplier * self.multiplier
            model.levers.extra_capacity = model.levers.extra_capacity + np.outer(
                teams, np.isin(np.arange(len(CATEGORIES)), self.categories) / self.categories.size)

    def weekly(self, model: GovModel, week: int, tally: WeekTally) -> None:
        """Release reserves into the flexible pools of the communities struck this week."""
        amount = self.params["reserve_yuan"] * self.params["reserves"]
        for t0, hit in self.events:
            if t0 == week and amount > 0:
                model.budget.deposit(np.flatnonzero(hit) if hit.dtype == bool else hit, amount)

    def record(self, model: GovModel, week: int, recorder: Recorder) -> None:
        value = self.multiplier[:, self.categories].mean() if self.active(week) else 1.0
        recorder.overall(week, "need_multiplier", float(value))
