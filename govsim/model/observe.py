"""Turn one week's state and events into metric rows (see :mod:`govsim.metrics`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from govsim.model.allocate import segment_sums
from govsim.model.residents import MEMBERSHIP, N_STRATA

if TYPE_CHECKING:
    from govsim.model.caseflow import WeekTally
    from govsim.model.govmodel import GovModel
    from govsim.model.workplan import HourPlan
    from govsim.policies.base import Policy


def _ratio(num: np.ndarray | float, den: np.ndarray | float) -> np.ndarray:
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    return np.divide(num, den, out=np.full(np.broadcast(num, den).shape, np.nan), where=den > 0)


#: Event kinds of the week's tally that metrics count, and the metric each count becomes.
_COUNTED = (("raised", "cases_raised"), ("in_time", "resolved_in_time"), ("late", "resolved_late"),
            ("escalated", "escalations"), ("went_late", "went_late"), ("excluded", "excluded"),
            ("online", "online"), ("abandoned", "abandoned"), ("left", "left"))
#: Case metrics recorded overall, by group and by community, in this order.
_CASE_METRICS = ("cases_raised", "cases_due", "resolved_in_time", "resolved_late", "abandoned",
                 "coverage", "excluded", "cases_filed", "cases_online", "online_share")


def record_week(model: GovModel, week: int, tally: WeekTally, plan: HourPlan, org_hours: np.ndarray,
                departures: np.ndarray, lapsed: np.ndarray) -> None:
    """Record every metric of the week at its declared scopes."""
    rec, res = model.recorder, model.residents
    events = _count_events(model, tally)
    # Residents who left with open cases gave up on them, as far as coverage goes.
    events["abandoned"] = [a + b for a, b in zip(events["abandoned"], events.pop("left"), strict=True)]
    # A need that could not even be filed is due and unmet, like one that went late.
    due = [a + b + c for a, b, c in zip(events["resolved_in_time"], events["went_late"],
                                        events["excluded"], strict=True)]
    events["cases_due"] = due
    events["coverage"] = [_ratio(a, b) for a, b in zip(events["resolved_in_time"], due, strict=True)]
    filed = [a - b for a, b in zip(events["cases_raised"], events["excluded"], strict=True)]
    events["cases_filed"], events["cases_online"] = filed, events["online"]
    events["online_share"] = [_ratio(a, b) for a, b in zip(events["online"], filed, strict=True)]
    for name in _CASE_METRICS:
        overall, by_group, by_community = events[name]
        rec.overall(week, name, float(overall))
        rec.by(week, name, "group", by_group)
        rec.by(week, name, "community", by_community)
    rec.overall(week, "escalations", float(events["escalations"][0]))
    rec.by(week, "escalations", "community", events["escalations"][2])
    rec.overall(week, "bounces", float(model.bounces))
    model.bounces = 0
    # Few are unregistered, if any: find them rather than sum the whole population.
    unregistered = np.diff(np.searchsorted(np.flatnonzero(~res.registered), model.community_bounds))
    rec.overall(week, "unregistered_share", float(unregistered.sum() / res.n) if res.n else np.nan)
    rec.by(week, "unregistered_share", "community", _ratio(unregistered, model.hierarchy.community_residents))

    trust_strata = np.bincount(res.stratum, weights=res.trust, minlength=N_STRATA)
    rec.overall(week, "trust", float(trust_strata.sum() / res.n) if res.n else np.nan)
    rec.by(week, "trust", "group", _ratio(trust_strata @ MEMBERSHIP, res.group_sizes()))
    rec.by(week, "trust", "community", _ratio(model.community_sums(res.trust),
                                              model.hierarchy.community_residents))
    _record_response(model, week, tally)
    _record_staff(model, week, plan, departures)
    _record_money_and_farms(model, week, tally, org_hours, lapsed)
    for policy in reporting_policies(model.policies, week):
        policy.record(model, week, rec)


def _count_events(model: GovModel, tally: WeekTally) -> dict[str, list[np.ndarray]]:
    """Count each event kind overall, by report group and by community, in one pass.

    Returns, per metric name of :data:`_COUNTED`, ``[overall, by_group,
    by_community]``. Every kind's residents are labelled and counted together
    (two bincounts for the week rather than two per kind).
    """
    res, k, n_kinds = model.residents, model.hierarchy.communities, len(_COUNTED)
    parts = [tally.rows(kind) for kind, _ in _COUNTED]
    rows = np.concatenate(parts)
    label = np.repeat(np.arange(n_kinds), [part.size for part in parts])
    by_group = np.bincount(label * N_STRATA + res.stratum[rows], minlength=n_kinds * N_STRATA)
    by_community = np.bincount(label * k + res.community[rows], minlength=n_kinds * k)
    by_group = by_group.reshape(n_kinds, N_STRATA) @ MEMBERSHIP
    by_community = by_community.reshape(n_kinds, k)
    return {name: [np.float64(by_community[i].sum()), by_group[i], by_community[i]]
            for i, (_, name) in enumerate(_COUNTED)}


def reporting_policies(policies: list[Policy], week: int) -> list[Policy]:
    """One policy per metric family: the latest to have started by ``week`` (else the first)."""
    chosen: dict[str, Policy] = {}
    for policy in sorted(policies, key=lambda q: (q.start, q.index)):
        family = policy.metric_family
        if family is not None and (family not in chosen or policy.start <= week):
            chosen[family] = policy
    return list(chosen.values())


def _record_response(model: GovModel, week: int, tally: WeekTally) -> None:
    rec, res = model.recorder, model.residents
    rows = np.concatenate([tally.rows("in_time"), tally.rows("late")])
    waits = np.concatenate(tally.wait_weeks) if tally.wait_weeks else np.zeros(0)
    rec.overall(week, "response_weeks", float(waits.mean()) if waits.size else np.nan)
    wait_sum = np.bincount(res.stratum[rows], weights=waits, minlength=N_STRATA) @ MEMBERSHIP
    n = np.bincount(res.stratum[rows], minlength=N_STRATA) @ MEMBERSHIP
    rec.by(week, "response_weeks", "group", _ratio(wait_sum, n))
    backlog = np.bincount(model.cases["community"], minlength=model.hierarchy.communities)
    rec.overall(week, "backlog", float(backlog.sum()))
    rec.by(week, "backlog", "community", backlog)


def _record_staff(model: GovModel, week: int, plan: HourPlan, departures: np.ndarray) -> None:
    rec, staff = model.recorder, model.workforce
    count = staff.count()
    worked = plan.worked
    overtime = np.maximum(0.0, worked - plan.contract)
    rows = {
        "workload": (plan.demanded, plan.contract),
        "admin_share": (plan.admin, worked),
        "target_share": (plan.targets, worked),
        "overtime": (overtime, count),
        "burnout": (staff.mean_burnout() * count, count),
    }
    for name, (num, den) in rows.items():
        rec.overall(week, name, float(_ratio(num.sum(), den.sum())))
        rec.by(week, name, "community", _ratio(num, den))
    skill = np.bincount(staff.community, weights=staff.skill * staff.present, minlength=staff.communities)
    rec.overall(week, "staff_skill", float(_ratio(skill.sum(), count.sum())))
    rec.by(week, "staff_skill", "community", _ratio(skill, count))
    totals = {
        "departures": departures, "staff": count, "hours_available": plan.available,
        "hours_admin": plan.admin, "hours_targets": plan.targets, "hours_cases": plan.cases,
        "hours_idle": plan.idle,
    }
    for name, values in totals.items():
        rec.overall(week, name, float(values.sum()))
        rec.by(week, name, "community", values)


def _record_money_and_farms(model: GovModel, week: int, tally: WeekTally, org_hours: np.ndarray,
                            lapsed: np.ndarray) -> None:
    rec, res, c = model.recorder, model.residents, model.cases
    waiting = np.bincount(c["community"][c["done"]], minlength=model.hierarchy.communities)
    spent = tally.money_spent if tally.money_spent is not None else np.zeros_like(lapsed)
    lapsed_unmet = np.where(waiting > 0, lapsed, 0.0)
    for name, values in (("org_hours", org_hours), ("money_spent", spent), ("money_lapsed", lapsed),
                         ("money_lapsed_unmet", lapsed_unmet), ("cases_waiting_money", waiting)):
        rec.overall(week, name, float(values.sum()))
        rec.by(week, name, "community", values)
    farmers = model.farmers
    if farmers.size:
        income = res.farm_income[farmers]
        rec.overall(week, "farmer_income", float(income.mean()))
        rec.by(week, "farmer_income", "community",
               _ratio(segment_sums(income, model.farmer_bounds), np.diff(model.farmer_bounds)))
