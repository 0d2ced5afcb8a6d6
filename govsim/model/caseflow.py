"""The life of a case: raised, worked level by level, resolved, late, escalated or abandoned.

Every function here takes the model and acts on its open cases with array
operations. Outcomes are tallied in a :class:`WeekTally` that the model turns
into metrics and trust changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from govsim.model import trust as trust_levels
from govsim.model.allocate import grouped_sum, order_by, serve_in_order
from govsim.model.cases import COMMUNITY, COUNTY, GRID, ONLINE, PROXY, TOWNSHIP
from govsim.model.ledger import ABANDONED, CASE_FIELDS, EXCLUDED, IN_TIME, LATE, LEFT, NO_CHANNEL, NO_LEVEL
from govsim.model.levers import can_file_online, choose_channel
from govsim.model.residents import CHILD, ELDERLY
from govsim.model.selection import mask_of
from govsim.model.shut_out import family_files
from govsim.scenario.declarations import CATEGORIES, FLAGS

if TYPE_CHECKING:
    from govsim.model.govmodel import GovModel


KINDS = ("raised", "online", "excluded", "left", "in_time", "late", "abandoned", "escalated")
#: The level of government a case at each rung of the ladder (cases.LEVELS) is in the hands of:
#: the grid is the community's.
TRUST_LEVEL = np.array([trust_levels.COMMUNITY, trust_levels.COMMUNITY, trust_levels.TOWNSHIP,
                        trust_levels.COUNTY], dtype=np.intp)


@dataclass
class WeekTally:
    """This week's events: for each kind, the residents (rows), categories and strata involved.

    Kinds: ``raised`` needs, of which ``online`` were filed online and
    ``excluded`` could not be filed; cases resolved ``in_time`` or ``late``,
    ``abandoned``, ``escalated`` by residents, or
    closed because the resident ``left``. Repeats are allowed. Closed cases
    also carry the level of government that had them (:data:`TRUST_LEVEL`),
    to which the resident attributes the outcome. The stratum is
    the one the resident had when the need was raised (a resident who moves
    away is replaced by a newcomer in the same row), so that counts by group
    match the case ledger.
    """

    events: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]]] = field(
        default_factory=lambda: {kind: [] for kind in KINDS})
    wait_weeks: list[np.ndarray] = field(default_factory=list)  # aligned with in_time + late
    money_spent: np.ndarray | None = None
    #: Concatenated columns already asked for, by (kind, column): several phases read the same
    #: ones each week (trust, petitions, policies, metrics). Read only; cleared by :meth:`add`.
    _joined: dict[tuple[str, int], np.ndarray] = field(default_factory=dict, repr=False)

    def add(self, kind: str, rows: np.ndarray, categories: np.ndarray, strata: np.ndarray,
            levels: np.ndarray | None = None) -> None:
        """Record residents ``rows`` with the categories and strata of their needs, and the level of
        government that had each case (default: the community)."""
        self.events[kind].append((rows, categories, strata, levels))
        for column in range(4):
            self._joined.pop((kind, column), None)

    def rows(self, kind: str) -> np.ndarray:
        """All residents of one event kind, concatenated."""
        return self._column(kind, 0, np.int64)

    def categories(self, kind: str) -> np.ndarray:
        """Categories of one event kind, aligned with :meth:`rows`."""
        return self._column(kind, 1, np.int8)

    def strata(self, kind: str) -> np.ndarray:
        """Strata of one event kind, aligned with :meth:`rows`."""
        return self._column(kind, 2, np.int8)

    def levels(self, kind: str) -> np.ndarray:
        """Level of government (``govsim.model.trust.LEVELS``) of each event, aligned with :meth:`rows`."""
        return self._column(kind, 3, np.intp)

    def _column(self, kind: str, i: int, dtype: type) -> np.ndarray:
        joined = self._joined.get((kind, i))
        if joined is None:
            parts = [event[i] if event[i] is not None  # levels default to the community's
                     else np.full(event[0].size, trust_levels.COMMUNITY, np.intp)
                     for event in self.events[kind]]
            joined = np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)
            joined.setflags(write=False)
            self._joined[(kind, i)] = joined
        return joined


def raise_needs(model: GovModel, week: int, tally: WeekTally) -> None:
    """Residents shut out last week try again; then residents raise this week's needs (and any
    scheduled ones); each becomes a case."""
    retry_waiting(model, week, tally)
    who, category = model.residents.raise_needs(model.streams("needs"), model.levers.need_multiplier)
    open_cases(model, week, who, category, tally)
    for who, category, stream in model.needs_schedule.take(week):
        open_cases(model, week, who, category, tally, rng=model.streams(stream))


def open_cases(model: GovModel, week: int, who: np.ndarray, category: np.ndarray, tally: WeekTally,
               extra_hours: float = 0.0, rng: np.random.Generator | None = None) -> None:
    """Turn residents' needs into cases at their grid.

    Each need gets a number, a deadline, the level able to resolve it and
    whether it needs money; then it is filed (:func:`file_needs`).

    Args:
        model: The model.
        week: The current week.
        who: Resident rows, one per need.
        category: Category index of each need.
        tally: This week's tally.
        extra_hours: Effective hours added to each case (e.g. a procedure's steps).
        rng: Stream for the intake draws (level needed, money, family help).
            Residents' own needs use ``case_intake``; a policy that opens cases
            passes its own stream, so switching it on leaves every other
            case's draws unchanged.
    """
    if who.size == 0:
        return
    needs = model.needs
    own_needs = rng is None
    rng = model.streams("case_intake") if own_needs else rng
    need_level = needs.level_needed(category, rng.random(who.size))
    if model.levers.grid_empowerment > 0:
        draws = model.streams("grid_empowerment") if own_needs else rng
        empowered = draws.random(who.size) < model.levers.grid_empowerment
        need_level[(need_level == COMMUNITY) & empowered] = GRID
    needs_money = rng.random(who.size) < needs.money_share[category]
    case_id = model.next_case_id + np.arange(who.size, dtype=np.int64)
    model.next_case_id += who.size
    stratum = model.residents.stratum[who].astype(np.int8)
    community = model.residents.community[who]
    deadline = week + needs.deadline[category]
    model.due_book.add_due(deadline, stratum, community)
    tally.add("raised", who, category, stratum)
    new = {"case_id": case_id, "resident": who, "stratum": stratum, "community": community,
           "category": category, "raised": np.full(who.size, week), "deadline": deadline,
           "need_level": need_level, "needs_money": needs_money,
           "extra_hours": np.full(who.size, float(extra_hours))}
    if own_needs:
        file_needs(model, week, new, tally, model.streams("family_help"), model.streams("grid_help"),
                   model.streams("shut_out_retry"))
    else:
        file_needs(model, week, new, tally, rng, rng, rng)


def retry_waiting(model: GovModel, week: int, tally: WeekTally) -> None:
    """Needs of residents shut out last week are tried again (see :mod:`govsim.model.shut_out`)."""
    if len(model.waiting) == 0:
        return
    rng = model.streams("shut_out_retry")
    file_needs(model, week, model.waiting.take(), tally, rng, rng, rng, retried=True)


def file_needs(model: GovModel, week: int, new: dict[str, np.ndarray], tally: WeekTally,
               family_rng: np.random.Generator, grid_rng: np.random.Generator,
               retry_rng: np.random.Generator, retried: bool = False) -> None:
    """Give needs a channel and open them as cases (``new``: columns of
    :data:`govsim.model.shut_out.COLUMNS`).

    The channel follows :func:`~govsim.model.levers.choose_channel`. A
    resident who is unregistered where that bars service is excluded at once;
    one shut out of every channel with no one to file for her tries again next
    week or gives up (excluded), see :mod:`govsim.model.shut_out`.
    """
    res = model.residents
    who, category = new["resident"], new["category"]
    elderly = res.group[who] == ELDERLY
    child = res.group[who] == CHILD
    home = elderly | res.flags[who, FLAGS.index("disabled")]
    channels = model.levers.channels
    # The family draw is taken whenever family help is on, so that the stream stays in step;
    # family can only matter when the app is the only door.
    family_draw = family_rng.random(who.size) if channels.family_help > 0 else None
    shut_out_possible = channels.online and not channels.offline and not channels.proxy
    family = (family_files(channels, res.literacy[who], elderly, family_draw)
              if shut_out_possible and family_draw is not None else np.zeros(who.size, dtype=bool))
    grid_chance = None
    if shut_out_possible and channels.grid_help > 0:
        # Shut out of every channel but the app, a resident may ask the grid worker she knows,
        # the more readily the more she trusts the community (§7.19).
        draws = grid_rng.random(who.size)
        grid_chance = draws < channels.grid_help * res.trust_in(trust_levels.COMMUNITY, who)
    avoids = channels.avoid_online[who] if channels.avoid_online is not None else None
    channel = choose_channel(channels, res.literacy[who], elderly, child, home, family, grid_chance, avoids)
    if shut_out_possible:
        shut = ~can_file_online(channels, res.literacy[who], elderly, child, avoids)
        model.filed_for += [int((shut & (channel == ONLINE)).sum()), int((shut & (channel == PROXY)).sum())]
    registered = res.registered[who]
    nobody = (channel < 0) & registered
    waits = np.zeros(who.size, dtype=bool)
    if nobody.any() and channels.retry > 0:
        waits[nobody] = retry_rng.random(int(nobody.sum())) < channels.retry
    if waits.any():
        model.waiting.add({k: v[waits] for k, v in new.items()})
    keep = (channel >= 0) & registered
    if not keep.all():
        barred = ~keep & ~waits
        _exclude(model, week, {k: v[barred] for k, v in new.items()}, tally)
        new, channel = {k: v[keep] for k, v in new.items()}, channel[keep]
    if retried:
        model.filed_after_waiting += int(channel.size)
    who, category, stratum = new["resident"], new["category"], new["stratum"]
    online = np.flatnonzero(channel == ONLINE)  # read from three columns: indices, not a mask
    tally.add("online", who[online], category[online], stratum[online])
    level = np.zeros(who.size, dtype=np.int8)
    factor = model.levers.hours_factor[channel] * model.levers.category_hours_factor[category]
    hours = model.needs.handling_hours(category, level, new["need_level"], factor)
    community = new["community"]
    model.cases.add(
        case_id=new["case_id"], resident=who, stratum=stratum, community=community,
        township=model.hierarchy.community_township[community],
        category=category, department=model.needs.department[category], level=level,
        need_level=new["need_level"], hours_left=hours + new["extra_hours"],
        raised=new["raised"], deadline=new["deadline"],
        ready=np.full(who.size, week), channel=channel,
        cost=np.where(new["needs_money"], model.needs.cost[category], 0.0),
        late=np.zeros(who.size, dtype=bool), done=np.zeros(who.size, dtype=bool),
        bounced=np.zeros(who.size, dtype=np.int8),
    )


def _exclude(model: GovModel, week: int, needs: dict[str, np.ndarray], tally: WeekTally) -> None:
    """Needs given up unfiled: counted as excluded and, if a ledger is kept, closed at no level."""
    who = needs["resident"]
    tally.add("excluded", who, needs["category"], needs["stratum"])
    if model.ledger is not None:
        model.ledger.close(EXCLUDED, week, **_unfiled_columns(needs))


def _unfiled_columns(needs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Ledger columns of needs that never became cases: no channel, no level, never bounced."""
    n = needs["resident"].size
    return {"case_id": needs["case_id"], "resident": needs["resident"], "stratum": needs["stratum"],
            "community": needs["community"], "category": needs["category"],
            "channel": np.full(n, NO_CHANNEL), "raised": needs["raised"], "deadline": needs["deadline"],
            "level": np.full(n, NO_LEVEL), "bounced": np.zeros(n)}


def workable(model: GovModel, week: int, levels: tuple[int, ...]) -> np.ndarray:
    """Indices of open cases at ``levels`` (consecutive) whose delay is over and work is not done."""
    c = model.cases
    at_levels = (c["level"] >= levels[0]) & (c["level"] <= levels[-1])
    return np.flatnonzero(at_levels & (c["ready"] <= week) & ~c["done"])


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


def serve_by_helpers(model: GovModel, week: int, capacity: np.ndarray) -> np.ndarray:
    """Helpers outside the staff (organisations, volunteers, mediators) work cases first.

    They take open grid and community cases of the categories they serve
    (``capacity`` is hours per community × category) that the community can
    resolve. Returns the hours they gave, per community.
    """
    c = model.cases
    idx = workable(model, week, (GRID, COMMUNITY))
    idx = idx[c["need_level"][idx] <= COMMUNITY]
    group = c["community"][idx].astype(np.int64) * len(CATEGORIES) + c["category"][idx]
    served = np.flatnonzero(capacity.ravel()[group] > 0)
    idx, group = idx[served], group[served]
    given = serve(model, idx, group, capacity.ravel())
    return grouped_sum(c["community"][idx], given, model.hierarchy.communities)


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


def serve_upper_levels(model: GovModel, week: int) -> tuple[float, float]:
    """Township offices, then county departments, work the cases escalated to them.

    Each office is a queue: the cases whose review lead time is over wait
    there, served in triage order (:func:`serve`) with the office's hours of
    the week; what its hours do not reach waits for next week. Returns the
    hours given at the township and at the county.
    """
    c = model.cases
    idx = workable(model, week, (TOWNSHIP,))
    township = serve(model, idx, c["township"][idx].astype(np.int64), model.township_capacity)
    idx = workable(model, week, (COUNTY,))
    county = serve(model, idx, c["department"][idx].astype(np.int64), model.department_capacity)
    return float(township.sum()), float(county.sum())


def finish_work(model: GovModel, week: int) -> np.ndarray:
    """Cases whose work at this level is done: pass up, or mark done. Returns indices passed up."""
    c = model.cases
    finished = np.flatnonzero(~c["done"] & (c["hours_left"] <= 1e-9))
    passing = c["level"][finished] < c["need_level"][finished]
    c["done"][finished[~passing]] = True
    passed = finished[passing]
    move_up(model, week, passed, resident_push=False)
    return passed


def move_up(model: GovModel, week: int, idx: np.ndarray, resident_push: bool) -> None:
    """Move cases one level up with the ladder's delay (a department's own at the county).

    A case pushed up by its resident is resolved at the new level, which does
    the full work. A case passed up because the level below could not resolve
    it gets the full work where it can be resolved, else only the pass-up share.
    """
    c = model.cases
    new_level = np.minimum(c["level"][idx] + 1, COUNTY).astype(np.int8)
    dept_delay = model.department_delay[c["department"][idx]]
    delay = np.where(new_level == COUNTY, dept_delay, model.levers.escalation_delay)
    if model.levers.bounce_probability > 0:
        to_county = np.flatnonzero(new_level == COUNTY)
        passes = model.streams("bounces").geometric(1.0 - model.levers.bounce_probability,
                                                     to_county.size) - 1
        delay[to_county] += passes * dept_delay[to_county]
        c["bounced"][idx[to_county]] += passes.astype(np.int8)
        model.bounces += int(passes.sum())
    need = c["need_level"][idx] if not resident_push else np.minimum(c["need_level"][idx], new_level)
    c["level"][idx] = new_level
    c["need_level"][idx] = need
    c["ready"][idx] = week + delay
    factor = (model.levers.hours_factor[c["channel"][idx]]
              * model.levers.category_hours_factor[c["category"][idx]])
    c["hours_left"][idx] = model.needs.handling_hours(c["category"][idx], new_level, need, factor)


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
    on_time = resolved & (week <= c["deadline"])
    # As indices: each is read from several columns (a mask would be scanned once per column).
    in_time, late = np.flatnonzero(on_time), np.flatnonzero(resolved & ~on_time)
    model.due_book.add_met(c["deadline"][in_time], c["stratum"][in_time], c["community"][in_time])
    for kind, outcome, which in (("in_time", IN_TIME, in_time), ("late", LATE, late)):
        tally.add(kind, c["resident"][which], c["category"][which], c["stratum"][which],
                  TRUST_LEVEL[c["level"][which]])
        log_closed(model, week, outcome, which)
    tally.wait_weeks.append(week - np.concatenate([c["raised"][in_time], c["raised"][late]]))
    return ~resolved


def log_closed(model: GovModel, week: int, outcome: int, which: np.ndarray) -> None:
    """Write open cases ``which`` (a mask or indices) into the case ledger, if one is kept."""
    if model.ledger is None:
        return
    c = model.cases
    model.ledger.close(outcome, week, **{name: c[name][which] for name in CASE_FIELDS})


def close_for_residents(model: GovModel, rows: np.ndarray, tally: WeekTally) -> None:
    """Close the open cases, and the needs waiting to be filed, of residents who left (outcome
    ``left``, without trust change)."""
    c = model.cases
    moved = mask_of(rows, model.residents.n)
    leaving = moved[c["resident"]]
    tally.add("left", c["resident"][leaving], c["category"][leaving], c["stratum"][leaving])
    log_closed(model, model.week, LEFT, leaving)
    c.keep(~leaving)
    if len(model.waiting):
        gone = model.waiting.take(moved[model.waiting.cols["resident"]])
        tally.add("left", gone["resident"], gone["category"], gone["stratum"])
        if model.ledger is not None:
            model.ledger.close(LEFT, model.week, **_unfiled_columns(gone))


def react_to_delay(model: GovModel, week: int, tally: WeekTally, still_open: np.ndarray) -> np.ndarray:
    """Late cases: count those newly late; residents escalate or give up.

    Returns the updated mask of cases that stay open.
    """
    c, beh = model.cases, model.params["behaviour"]
    rng = model.streams("residents_react")
    overdue = still_open & (week > c["deadline"])
    newly = overdue & ~c["late"]
    c["late"][newly] = True
    candidates = np.flatnonzero(overdue)
    u_abandon, u_escalate = rng.random(candidates.size), rng.random(candidates.size)
    gives_up = u_abandon < 1.0 / beh["patience_weeks"]
    # Whether to push a case up depends on trust in the level that has it now.
    trust = model.residents.trust_at(TRUST_LEVEL[c["level"][candidates]], c["resident"][candidates])
    push_rate = beh["escalation_rate"] * (1.0 + beh["low_trust_escalation"] * (1.0 - trust))
    pushes = ~gives_up & (u_escalate < push_rate) & (c["level"][candidates] < COUNTY) & ~c["done"][
        candidates]
    abandoned = candidates[gives_up]
    tally.add("abandoned", c["resident"][abandoned], c["category"][abandoned], c["stratum"][abandoned],
              TRUST_LEVEL[c["level"][abandoned]])
    log_closed(model, week, ABANDONED, abandoned)
    escalated = candidates[pushes]
    tally.add("escalated", c["resident"][escalated], c["category"][escalated], c["stratum"][escalated])
    from_community = escalated[c["level"][escalated] == COMMUNITY]  # leaving the community
    model.extra_admin += beh["escalation_report_hours"] * np.bincount(
        c["community"][from_community], minlength=model.hierarchy.communities)
    move_up(model, week, escalated, resident_push=True)
    still_open = still_open.copy()
    still_open[abandoned] = False
    return still_open
