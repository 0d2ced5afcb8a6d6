"""Turn one week's state and events into metric rows (see :mod:`govsim.metrics`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from govsim.model.allocate import segment_sums
from govsim.model.cases import COUNTY, TOWNSHIP
from govsim.model.petitions import OFFICES
from govsim.model.residents import MEMBERSHIP, N_STRATA
from govsim.model.trust import LEVELS

if TYPE_CHECKING:
    from govsim.model.caseflow import WeekTally
    from govsim.model.govmodel import GovModel
    from govsim.model.policy import Policy
    from govsim.model.workplan import HourPlan


def _ratio(num: np.ndarray | float, den: np.ndarray | float) -> np.ndarray:
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    return np.divide(num, den, out=np.full(np.broadcast(num, den).shape, np.nan), where=den > 0)


#: Event kinds of the week's tally that metrics count.
#: The trust metrics: the aggregate over the local levels (None), then one per level.
TRUST_METRICS = (("trust", None), *((f"trust_{name}", k) for k, name in enumerate(LEVELS)))
_KINDS = ("raised", "late", "escalated", "excluded", "online", "abandoned", "left")
_ESCALATED = _KINDS.index("escalated")
#: Case metrics recorded overall, by group and by community, in this order.
_CASE_METRICS = ("cases_raised", "cases_due", "resolved_in_time", "resolved_late", "abandoned",
                 "cases_left", "coverage", "abandoned_share", "excluded", "cases_filed",
                 "cases_online", "online_share")


def record_week(model: GovModel, week: int, tally: WeekTally, plan: HourPlan, org_hours: np.ndarray,
                departures: np.ndarray, lapsed: np.ndarray) -> None:
    """Record every metric of the week at its declared scopes (nothing during the warm-up)."""
    due = model.due_book.take(week)
    bounces, model.bounces = model.bounces, 0
    if week < 0:
        return
    rec, res = model.recorder, model.residents
    counts = _count_events(model, tally, due)
    for scope, n in counts.items():
        rec.block(week, scope, _CASE_METRICS, _case_metrics(n))
    rec.overall(week, "escalations", float(counts["overall"][_ESCALATED, 0]))
    rec.by(week, "escalations", "community", counts["community"][_ESCALATED])
    rec.overall(week, "bounces", float(bounces))
    # Few are unregistered, if any: find them rather than sum the whole population.
    unregistered = np.diff(np.searchsorted(np.flatnonzero(~res.registered), model.hierarchy.community_bounds))
    rec.overall(week, "unregistered_share", float(unregistered.sum() / res.n) if res.n else np.nan)
    rec.by(week, "unregistered_share", "community", _ratio(unregistered, model.hierarchy.community_residents))

    for metric, level in TRUST_METRICS:
        by_stratum, by_community = res.trust_sums(level)
        rec.overall(week, metric, float(by_stratum.sum() / res.n) if res.n else np.nan)
        rec.by(week, metric, "group", _ratio(by_stratum @ MEMBERSHIP, res.group_sizes()))
        rec.by(week, metric, "community", _ratio(by_community, model.hierarchy.community_residents))
    _record_response(model, week, tally)
    _record_staff(model, week, plan, departures)
    _record_petitions(model, week)
    rec.overall(week, "filed_by_family", float(model.filed_for[0]))
    rec.overall(week, "filed_by_grid_worker", float(model.filed_for[1]))
    waiting = model.waiting.per_community(model.hierarchy.communities)
    rec.overall(week, "waiting_to_file", float(waiting.sum()))
    rec.by(week, "waiting_to_file", "community", waiting)
    rec.overall(week, "filed_after_waiting", float(model.filed_after_waiting))
    _record_money_and_farms(model, week, tally, org_hours, lapsed)
    for policy in reporting_policies(model.policies, week):
        policy.record(model, week, rec)


def _count_events(model: GovModel, tally: WeekTally,
                  due: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> dict[str, np.ndarray]:
    """Needs of each event kind of :data:`_KINDS`, then those due and met in time, per scope.

    Returns, per scope, an array with a row per kind (the last two: due this
    week, and of those met in time) and a column per key. Every kind's needs
    are labelled and counted together (two bincounts for the week rather than
    two per kind), by the stratum each need was raised in.
    """
    res, k, n_kinds = model.residents, model.hierarchy.communities, len(_KINDS)
    rows = [tally.rows(kind) for kind in _KINDS]
    strata = np.concatenate([tally.strata(kind) for kind in _KINDS]).astype(np.intp)
    label = np.repeat(np.arange(n_kinds), [part.size for part in rows])
    by_stratum = np.bincount(label * N_STRATA + strata, minlength=n_kinds * N_STRATA)
    by_community = np.bincount(label * k + res.community[np.concatenate(rows)],
                               minlength=n_kinds * k).reshape(n_kinds, k)
    due_s, due_k, met_s, met_k = due
    by_stratum = np.vstack([by_stratum.reshape(n_kinds, N_STRATA), due_s, met_s])
    by_community = np.vstack([by_community, due_k, met_k])
    return {"overall": by_community.sum(axis=1, keepdims=True),
            "group": by_stratum @ MEMBERSHIP,
            "community": by_community}


def _case_metrics(n: np.ndarray) -> np.ndarray:
    """The rows of :data:`_CASE_METRICS` from counts (a row per kind of :data:`_KINDS`, then
    due and met in time)."""
    raised, late, _, excluded, online, abandoned, left, due, met = n.astype(np.float64)
    filed = raised - excluded
    return np.array([raised, due, met, late, abandoned, left, _ratio(met, due), _ratio(abandoned, due),
                     excluded, filed, online, _ratio(online, filed)])


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
    rec.overall(week, "response_weeks", float(waits.sum() / waits.size) if waits.size else np.nan)
    wait_sum = np.bincount(res.stratum[rows], weights=waits, minlength=N_STRATA) @ MEMBERSHIP
    n = np.bincount(res.stratum[rows], minlength=N_STRATA) @ MEMBERSHIP
    rec.by(week, "response_weeks", "group", _ratio(wait_sum, n))
    backlog = np.bincount(model.cases["community"], minlength=model.hierarchy.communities)
    rec.overall(week, "backlog", float(backlog.sum()))
    rec.by(week, "backlog", "community", backlog)
    level = np.bincount(model.cases["level"], minlength=4)
    rec.overall(week, "backlog_township", float(level[TOWNSHIP]))
    rec.overall(week, "backlog_county", float(level[COUNTY]))
    township, county = model.upper_hours
    rec.overall(week, "hours_township", township)
    rec.overall(week, "hours_county", county)
    rec.overall(week, "township_capacity", float(model.township_capacity.sum()))
    rec.overall(week, "county_capacity", float(model.department_capacity.sum()))
    rec.overall(week, "township_use", float(_ratio(township, model.township_capacity.sum())))
    rec.overall(week, "county_use", float(_ratio(county, model.department_capacity.sum())))


def _record_petitions(model: GovModel, week: int) -> None:
    """Petitions filed this week by office, group and community; answered, expired, open; hours."""
    rec, res, pet = model.recorder, model.residents, model.petitions
    k = model.hierarchy.communities
    office = np.concatenate([f[0] for f in pet.filed]) if pet.filed else np.zeros(0, np.int64)
    stratum = np.concatenate([f[1] for f in pet.filed]) if pet.filed else np.zeros(0, np.int64)
    community = np.concatenate([f[2] for f in pet.filed]) if pet.filed else np.zeros(0, np.int64)
    by_office = np.bincount(office, minlength=len(OFFICES))
    rec.overall(week, "petitions", float(office.size))
    by_group = np.bincount(stratum, minlength=N_STRATA) @ MEMBERSHIP
    rec.by(week, "petitions", "group", by_group.astype(float))
    rec.by(week, "petitions", "community", np.bincount(community, minlength=k).astype(float))
    for k, (name, count) in enumerate(zip(OFFICES, by_office.tolist(), strict=True)):
        rec.overall(week, f"petitions_{name}", float(count))
        rec.by(week, f"petitions_{name}", "group",
               (np.bincount(stratum[office == k], minlength=N_STRATA) @ MEMBERSHIP).astype(float))
    per_year = model.weeks_per_year * 1e4
    rec.overall(week, "petitions_per_10k", office.size * per_year / res.n if res.n else np.nan)
    rec.by(week, "petitions_per_10k", "group", _ratio(by_group * per_year, res.group_sizes()))
    rec.overall(week, "petitions_answered", float(pet.answered))
    rec.overall(week, "petitions_expired", float(pet.expired))
    rec.overall(week, "petitions_open", float(pet.open))
    rec.overall(week, "petition_hours", pet.hours + float(pet.stability_hours.sum()))
    watched = pet.watched_per_community().astype(float)
    rec.overall(week, "stability_watch", float(watched.sum()))
    rec.by(week, "stability_watch", "community", watched)
    rec.overall(week, "hours_stability", float(pet.watch_hours_given.sum()))
    rec.by(week, "hours_stability", "community", pet.watch_hours_given.astype(float))


def _record_staff(model: GovModel, week: int, plan: HourPlan, departures: np.ndarray) -> None:
    staff = model.workforce
    count = staff.count()
    worked = plan.worked
    skill = np.bincount(staff.community, weights=staff.skill * staff.fte * staff.present,
                        minlength=staff.communities)
    _record_ratios(model, week, {
        "workload": (plan.demanded, plan.contract),
        "admin_share": (plan.admin, worked),
        "target_share": (plan.targets, worked),
        "overtime": (np.maximum(0.0, worked - plan.contract), count),
        "burnout": (staff.mean_burnout() * count, count),
        "staff_skill": (skill, count),
    })
    _record_totals(model, week, {
        "departures": departures, "staff": count, "hours_available": plan.available,
        "hours_admin": plan.admin, "hours_targets": plan.targets, "hours_cases": plan.cases,
        "hours_idle": plan.idle,
    })


def _record_ratios(model: GovModel, week: int, ratios: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
    """Per community ``num / den``; overall the ratio of their sums."""
    num, den = (np.array(parts, dtype=np.float64) for parts in zip(*ratios.values(), strict=True))
    names = tuple(ratios)
    model.recorder.block(week, "overall", names, _ratio(num.sum(axis=1), den.sum(axis=1))[:, None])
    model.recorder.block(week, "community", names, _ratio(num, den))


def _record_totals(model: GovModel, week: int, totals: dict[str, np.ndarray]) -> None:
    """Per community values; overall their sum."""
    values = np.array(list(totals.values()), dtype=np.float64)
    model.recorder.block(week, "overall", tuple(totals), values.sum(axis=1, keepdims=True))
    model.recorder.block(week, "community", tuple(totals), values)


def _record_money_and_farms(model: GovModel, week: int, tally: WeekTally, org_hours: np.ndarray,
                            lapsed: np.ndarray) -> None:
    rec, res, c = model.recorder, model.residents, model.cases
    waiting = np.bincount(c["community"][c["done"]], minlength=model.hierarchy.communities)
    spent = tally.money_spent if tally.money_spent is not None else np.zeros_like(lapsed)
    _record_totals(model, week, {
        "org_hours": org_hours, "money_spent": spent, "money_lapsed": lapsed,
        "money_lapsed_unmet": np.where(waiting > 0, lapsed, 0.0), "cases_waiting_money": waiting,
    })
    farmers = model.farmers
    if farmers.size:
        income = res.farm_income[farmers]
        rec.overall(week, "farmer_income", float(income.sum() / income.size))  # .mean() is slow
        rec.by(week, "farmer_income", "community",
               _ratio(segment_sums(income, model.farmer_bounds), np.diff(model.farmer_bounds)))
