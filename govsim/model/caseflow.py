"""The life of a case: raised, worked level by level, resolved, late, escalated or abandoned.

Every function here takes the model and acts on its open cases with array
operations. Outcomes are tallied in a :class:`WeekTally` that the model turns
into metrics and trust changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from govsim.model.allocate import grouped_sum, order_by, serve_in_order
from govsim.model.cases import COMMUNITY, COUNTY, GRID, HOME_VISIT, OFFICE, ONLINE, TOWNSHIP
from govsim.model.residents import CHILD, ELDERLY
from govsim.scenario.declarations import CATEGORIES, FLAGS

if TYPE_CHECKING:
    from govsim.model.govmodel import GovModel


@dataclass
class WeekTally:
    """Residents (rows) touched by each kind of event this week; repeats allowed."""

    raised: list[np.ndarray] = field(default_factory=list)
    in_time: list[np.ndarray] = field(default_factory=list)
    late: list[np.ndarray] = field(default_factory=list)
    went_late: list[np.ndarray] = field(default_factory=list)
    abandoned: list[np.ndarray] = field(default_factory=list)
    escalated: list[np.ndarray] = field(default_factory=list)
    wait_weeks: list[np.ndarray] = field(default_factory=list)  # aligned with in_time + late
    money_spent: np.ndarray | None = None

    def rows(self, kind: str) -> np.ndarray:
        """All residents of one event kind, concatenated."""
        parts = getattr(self, kind)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def raise_needs(model: GovModel, week: int, tally: WeekTally) -> None:
    """Residents raise this week's needs; each becomes a case at the grid."""
    res, needs = model.residents, model.needs
    who, category = res.raise_needs(model.streams("needs"))
    if who.size == 0:
        return
    rng = model.streams("case_intake")
    beh = model.params["behaviour"]
    online = beh["online_available"] & (res.literacy[who] >= beh["online_literacy_threshold"])
    home = (res.group[who] == ELDERLY) | res.flags[who, FLAGS.index("disabled")]
    carer_online = (res.group[who] == CHILD) & beh["online_available"]
    channel = np.where(online | carer_online, ONLINE, np.where(home, HOME_VISIT, OFFICE))
    need_level = (rng.random(who.size)[:, None] > needs.level_cdf[category]).sum(axis=1)
    needs_money = rng.random(who.size) < needs.money_share[category]
    level = np.zeros(who.size, dtype=np.int8)
    community = res.community[who]
    model.cases.add(
        resident=who, community=community, township=model.hierarchy.community_township[community],
        category=category, department=needs.department[category], level=level,
        need_level=need_level,
        hours_left=needs.handling_hours(category, level, need_level, model.channel_factor[channel]),
        raised=np.full(who.size, week), deadline=week + needs.deadline[category],
        ready=np.full(who.size, week), channel=channel,
        cost=np.where(needs_money, needs.cost[category], 0.0),
        late=np.zeros(who.size, dtype=bool), done=np.zeros(who.size, dtype=bool),
    )
    tally.raised.append(who)


def workable(model: GovModel, week: int, levels: tuple[int, ...]) -> np.ndarray:
    """Indices of open cases at ``levels`` whose delay is over and work is not done."""
    c = model.cases
    return np.flatnonzero(np.isin(c["level"], levels) & (c["ready"] <= week) & ~c["done"])


def serve(model: GovModel, idx: np.ndarray, group: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Give cases ``idx`` (grouped by ``group``) hours; returns hours given.

    Triage order: cases that can still be answered in time come first, by
    deadline; late ones after them. (Serving the oldest first would make every
    case late once a queue is overloaded.)
    """
    c = model.cases
    order = order_by(group, c["late"][idx], c["deadline"][idx], c["raised"][idx])
    given = np.zeros(idx.size)
    given[order] = serve_in_order(group[order], c["hours_left"][idx[order]], capacity)
    c["hours_left"][idx] -= given
    return given


def serve_by_organisations(model: GovModel, week: int) -> np.ndarray:
    """Funded organisations work open grid/community cases of their specialty first.

    Returns the hours they gave, per community.
    """
    c = model.cases
    idx = workable(model, week, (GRID, COMMUNITY))
    idx = idx[c["need_level"][idx] <= COMMUNITY]
    group = c["community"][idx].astype(np.int64) * len(CATEGORIES) + c["category"][idx]
    has_org = model.org_capacity.ravel()[group] > 0
    given = serve(model, idx[has_org], group[has_org], model.org_capacity.ravel())
    return grouped_sum(c["community"][idx[has_org]], given, model.hierarchy.communities)


def community_case_demand(model: GovModel, week: int) -> np.ndarray:
    """Staff hours (not effective hours) that open community cases ask for, per community."""
    c = model.cases
    idx = workable(model, week, (GRID, COMMUNITY))
    effective = grouped_sum(c["community"][idx], c["hours_left"][idx], model.hierarchy.communities)
    return np.divide(effective, model.productivity, out=np.zeros_like(effective),
                     where=model.productivity > 0)


def serve_by_staff(model: GovModel, week: int, staff_hours: np.ndarray) -> np.ndarray:
    """Community staff work their cases with ``staff_hours``; returns hours used per community."""
    c = model.cases
    idx = workable(model, week, (GRID, COMMUNITY))
    community = c["community"][idx]
    given = serve(model, idx, community, staff_hours * model.productivity)
    used = grouped_sum(community, given, model.hierarchy.communities)
    return np.divide(used, model.productivity, out=np.zeros_like(used), where=model.productivity > 0)


def serve_upper_levels(model: GovModel, week: int) -> None:
    """Township offices, then county departments, work the cases escalated to them."""
    c = model.cases
    idx = workable(model, week, (TOWNSHIP,))
    serve(model, idx, c["township"][idx].astype(np.int64), model.township_capacity)
    idx = workable(model, week, (COUNTY,))
    serve(model, idx, c["department"][idx].astype(np.int64), model.department_capacity)


def finish_work(model: GovModel, week: int) -> np.ndarray:
    """Cases whose work at this level is done: pass up, or mark done. Returns indices passed up."""
    c = model.cases
    finished = np.flatnonzero(~c["done"] & (c["hours_left"] <= 1e-9))
    passing = c["level"][finished] < c["need_level"][finished]
    c["done"][finished[~passing]] = True
    move_up(model, week, finished[passing], resident_push=False)
    return finished[passing]


def move_up(model: GovModel, week: int, idx: np.ndarray, resident_push: bool) -> None:
    """Move cases one level up with the ladder's delay (a department's own at the county).

    A case pushed up by its resident is resolved at the new level, which does
    the full work. A case passed up because the level below could not resolve
    it gets the full work where it can be resolved, else only the pass-up share.
    """
    c = model.cases
    new_level = np.minimum(c["level"][idx] + 1, COUNTY).astype(np.int8)
    delay = np.where(new_level == COUNTY, model.department_delay[c["department"][idx]],
                     model.escalation_delay)
    need = c["need_level"][idx] if not resident_push else np.minimum(c["need_level"][idx], new_level)
    c["level"][idx] = new_level
    c["need_level"][idx] = need
    c["ready"][idx] = week + delay
    c["hours_left"][idx] = model.needs.handling_hours(
        c["category"][idx], new_level, need, model.channel_factor[c["channel"][idx]])


def settle(model: GovModel, week: int, tally: WeekTally) -> np.ndarray:
    """Pay for done cases that need money and close every resolved case.

    Returns a bool mask over open cases: True for those that stay open.
    """
    c = model.cases
    waiting = np.flatnonzero(c["done"] & (c["cost"] > 0))
    paid = model.budget.pay(c["community"][waiting], c["category"][waiting], c["cost"][waiting],
                            c["deadline"][waiting])
    tally.money_spent = grouped_sum(c["community"][waiting[paid]], c["cost"][waiting[paid]],
                                    model.hierarchy.communities)
    c["cost"][waiting[paid]] = 0.0
    resolved = c["done"] & (c["cost"] <= 0)
    in_time = resolved & (week <= c["deadline"])
    late = resolved & ~in_time
    tally.in_time.append(c["resident"][in_time])
    tally.late.append(c["resident"][late])
    tally.wait_weeks.append(np.r_[week - c["raised"][in_time], week - c["raised"][late]])
    return ~resolved


def react_to_delay(model: GovModel, week: int, tally: WeekTally, still_open: np.ndarray) -> np.ndarray:
    """Late cases: count those newly late; residents escalate or give up.

    Returns the updated mask of cases that stay open.
    """
    c, beh = model.cases, model.params["behaviour"]
    rng = model.streams("residents_react")
    overdue = still_open & (week > c["deadline"])
    newly = overdue & ~c["late"]
    c["late"][newly] = True
    tally.went_late.append(c["resident"][newly])
    candidates = np.flatnonzero(overdue)
    u_abandon, u_escalate = rng.random(candidates.size), rng.random(candidates.size)
    gives_up = u_abandon < 1.0 / beh["patience_weeks"]
    trust = model.residents.trust[c["resident"][candidates]]
    push_rate = beh["escalation_rate"] * (1.0 + beh["low_trust_escalation"] * (1.0 - trust))
    pushes = ~gives_up & (u_escalate < push_rate) & (c["level"][candidates] < COUNTY) & ~c["done"][
        candidates]
    abandoned = candidates[gives_up]
    tally.abandoned.append(c["resident"][abandoned])
    escalated = candidates[pushes]
    tally.escalated.append(c["resident"][escalated])
    from_community = escalated[c["level"][escalated] == COMMUNITY]  # leaving the community
    model.extra_admin += beh["escalation_report_hours"] * np.bincount(
        c["community"][from_community], minlength=model.hierarchy.communities)
    move_up(model, week, escalated, resident_push=True)
    still_open = still_open.copy()
    still_open[abandoned] = False
    return still_open
