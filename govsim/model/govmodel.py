"""GovModel: the county as a Mesa model, advanced one week per step."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
import pandas as pd

from govsim.metrics import Recorder
from govsim.model import caseflow
from govsim.model.allocate import segment_sums
from govsim.model.budget import Budget
from govsim.model.cases import Cases
from govsim.model.ledger import CaseLedger, DueBook
from govsim.model.levers import Levers
from govsim.model.needs import NeedTable
from govsim.model.observe import record_week
from govsim.model.offices import admin_hours, build_departments
from govsim.model.organisations import build_organisations, capacity_matrix
from govsim.model.petitions import Petitions
from govsim.model.policy import build_policies
from govsim.model.residents import REPORT_GROUPS, Residents
from govsim.model.schedule import NeedSchedule
from govsim.model.shut_out import WaitingNeeds
from govsim.model.streams import Streams
from govsim.model.trust import COMMUNITY, case_attribution_table
from govsim.model.workforce import Workforce
from govsim.model.workplan import HourPlan, plan_hours
from govsim.scenario.layout import build_hierarchy, township_capacity

if TYPE_CHECKING:
    from govsim.scenario import Scenario


class GovModel(mesa.Model):
    """Residents, staff, departments and organisations of one county.

    Built from a resolved scenario; every random draw comes from a named
    stream of :class:`~govsim.model.streams.Streams` seeded by ``seed``.

    Args:
        scenario: A resolved scenario.
        seed: Random seed; defaults to the scenario's own.
        residents: ``"vectorised"`` (the default, and the only one for real
            runs) holds residents as columns; ``"agents"`` uses
            :class:`~govsim.model.reference.AgentResidents`, one ``mesa.Agent``
            per resident with the same weekly rules written agent by agent. It
            is much slower and exists as a test oracle (the two must agree
            statistically) and as the benchmark's reference.
        cases: Keep the case ledger (one row per need, :meth:`case_ledger`).

    Weeks are numbered so that the first reported week is 0: the model starts
    at week ``-warmup_weeks`` and records nothing before week 0
    (:meth:`warm_up` runs those weeks).
    """

    def __init__(self, scenario: Scenario, seed: int | None = None,
                 residents: str = "vectorised", cases: bool = False) -> None:
        seed = scenario.seed if seed is None else int(seed)
        self.streams = Streams(seed)
        super().__init__(rng=self.streams("mesa"))
        # Not ``self.scenario``: Mesa 3.5's and 4's Model owns that name (a property for its
        # own Scenario objects; Mesa 3.5's setter writes ``scenario.model``).
        self.gov_scenario = scenario
        self.params = p = scenario.params
        self.week = -p["warmup_weeks"]
        self.year_open = False
        self.weeks_per_year = p["budget"]["weeks_per_year"]
        #: Weights per level of a case's outcome: [good][level the case was at] (§7.11).
        self.attribution = case_attribution_table(p["behaviour"])
        self.hierarchy = h = build_hierarchy(p["hierarchy"], p["population"])
        if residents == "vectorised":
            self.residents = Residents(h, p, self.streams("population"))
        elif residents == "agents":
            from govsim.model.reference import AgentResidents

            self.residents = AgentResidents(self, h, p, self.streams("population"))
        else:
            raise ValueError(f"residents must be 'vectorised' or 'agents', not {residents!r}")
        self.farmers = np.flatnonzero(self.residents.plot_mu > 0)
        self.farmer_bounds = np.searchsorted(self.residents.community[self.farmers],
                                             np.arange(h.communities + 1))
        self.workforce = Workforce(h, p["staff"], self.streams("staff_setup"))
        self.departments = build_departments(self, p["departments"])
        self.organisations = build_organisations(self, p["organisations"], h.communities,
                                                 self.streams("organisations"))
        self.org_capacity = capacity_matrix(self.organisations, h.communities)
        self.budget = Budget(h, p["budget"])
        self.needs = NeedTable.from_params(p["needs"])
        self.levers = self._default_levers()
        self.needs_schedule = NeedSchedule()
        self.bounces = 0
        self.township_capacity = township_capacity(p["hierarchy"], h)
        self.department_capacity = np.array([d.capacity_hours for d in self.departments])
        self.department_delay = np.array([d.delay_weeks for d in self.departments])
        self.posts = h.community_grids + len(self.departments)
        self.cases = Cases()
        self.upper_hours = (0.0, 0.0)  # hours given this week at the township and county
        self.next_case_id = 0
        self.due_book = DueBook(h.communities)
        self.ledger = CaseLedger() if cases else None
        self.extra_admin = np.zeros(h.communities)
        self.petitions = Petitions(self)
        #: Needs of residents shut out of the app filed this week by family, and by a grid worker.
        self.filed_for = np.zeros(2, dtype=np.int64)
        #: Needs of residents shut out of every channel, to be tried again next week (§7.19).
        self.waiting = WaitingNeeds()
        self.filed_after_waiting = 0
        self.productivity = self.workforce.productivity()
        self.hours_available = self._hours_available()
        self.recorder = Recorder(REPORT_GROUPS, h.community_names)
        self.policies = build_policies(scenario.policies)
        for policy in self.policies:
            policy.setup(self)
        for policy in self.policies:
            policy.link(self)

    def step(self) -> None:
        """Advance one week, in these phases:

        1. The week's levers are reset to the scenario's defaults, then each
           policy in force adjusts them (channels, need rates, helpers' hours,
           admin, ...); organisations' hours are totted up.
        2. New budget year: policies set the split (default: a block grant),
           then the year's money is set aside; each week an allotment of it
           is released to the communities.
        3. Residents raise needs (and needs scheduled earlier, such as a
           dispute that flares up again); each becomes a case at their grid,
           with a channel, hours, deadline and level needed, or is excluded
           when the resident cannot file.
        4. Helpers outside the staff work cases of their categories: funded
           social organisations, then volunteers, mediators or surge teams.
        5. Hours are planned per community: compulsory admin (departments'
           tasks, data entry, reports, post overhead, and extra admin such as
           escalation reports, audit rectification and incidents), targets and
           cases in the order the priority rule sets, within contract hours
           plus overtime.
        6. Staff work community cases; policies spend their target hours, and the
           communities their stability watch hours (§7.33).
        7. Township offices and county departments work escalated cases.
        8. Finished work is passed up the ladder or marked done; done cases
           are paid for from their line, then the flexible pool, and closed.
        9. Residents react to late cases: some escalate, some give up.
        10. Policies react to the week's outcomes (e.g. broken agreements).
        11. Trust in each level moves with this week's experiences, then fades a little; grievances
            (abandoned and late cases, and those policies reported) may become petitions, which
            the township and county offices work (§7.33).
        12. Policies' weekly processes (migration, training, participation, ...).
        13. Staff wear: burnout, departures, refills.
        14. End of budget year: unspent money lapses.
        15. Metrics are recorded.
        """
        week, tally = self.week, caseflow.WeekTally()
        self.petitions.reset_week(self.hierarchy.communities)
        self.filed_for[:] = 0
        self.filed_after_waiting = 0
        self.levers = self._default_levers()                                   # 1
        self.levers.extra_admin += self.extra_admin
        self.extra_admin = np.zeros(self.hierarchy.communities)
        for policy in self.policies:
            if policy.active(week):
                policy.week_start(self, week)
        self.org_capacity = capacity_matrix(self.organisations, self.hierarchy.communities)
        if week % self.weeks_per_year == 0 or not self.year_open:             # 2
            for policy in self.policies:
                policy.year_start(self, week)
            # A run that starts within a budget year gets that year's remaining share.
            self.budget.open_year(share=(-week % self.weeks_per_year or self.weeks_per_year)
                                  / self.weeks_per_year)
            self.year_open = True
            self.budget.block_grant()  # the default again next year unless a policy splits it
        self.budget.release()
        caseflow.raise_needs(self, week, tally)                                # 3
        org_hours = caseflow.serve_by_helpers(self, week, self.org_capacity)   # 4
        extra_hours = caseflow.serve_by_helpers(self, week, self.levers.extra_capacity)
        plan = self._plan(week)                                                # 5
        plan.cases = caseflow.serve_by_staff(self, week, plan.cases)           # 6
        *policy_hours, watch_hours = plan.per_policy
        for policy, hours in zip(self.policies, policy_hours, strict=True):
            policy.target_work(self, week, hours)
        self.petitions.watch_work(watch_hours)
        self.upper_hours = caseflow.serve_upper_levels(self, week)             # 7
        caseflow.finish_work(self, week)                                       # 8
        still_open = caseflow.settle(self, week, tally)
        still_open = caseflow.react_to_delay(self, week, tally, still_open)   # 9
        self.cases.keep(still_open)
        for policy in self.policies:                                           # 10
            policy.after_cases(self, week, tally)
        self._update_trust(tally)                                              # 11
        self.petitions.grievance(tally.rows("abandoned"), "abandoned", tally.levels("abandoned"))
        self.petitions.grievance(tally.rows("late"), "late", tally.levels("late"))
        self.petitions.grievance(tally.rows("excluded"), "excluded", COMMUNITY)
        self.petitions.week(self, week, self.streams("petitions"))
        for policy in self.policies:                                           # 12
            policy.weekly(self, week, tally)
        departures = self.workforce.wear(plan.strain, week, self.streams("staff_turnover"))  # 13
        lapsed = np.zeros(self.hierarchy.communities)
        if week % self.weeks_per_year == self.weeks_per_year - 1:              # 14
            lapsed = self.budget.close_year()
        record_week(self, week, tally, plan, org_hours + extra_hours, departures, lapsed)  # 15
        self.productivity = self.workforce.productivity()
        self.hours_available = self._hours_available()
        # Trust: experiences counted over the warm-up's second half (the first settles queues and
        # staff), then the reported weeks start at stationary trust (§7.11).
        learning = self.params["warmup_weeks"] // 2
        if self.week == -learning - 1:
            self.residents.learn_trust()
        if self.week == -1:
            self.residents.settle_trust(learning, self.params["behaviour"]["trust_drift"])
        self.week += 1

    def warm_up(self) -> None:
        """Run the warm-up weeks (simulated, not reported), so that week 0 comes next."""
        while self.week < 0:
            self.step()

    def case_ledger(self) -> pd.DataFrame:
        """One row per need so far, closed or open (needs ``cases=True``); see ``docs/odd.md``."""
        if self.ledger is None:
            raise RuntimeError("this model keeps no case ledger: build it with GovModel(..., cases=True)")
        return self.ledger.frame(self)

    # -- phases ---------------------------------------------------------------------
    def _default_levers(self) -> Levers:
        return Levers.defaults(self.params["behaviour"], self.hierarchy.communities,
                               self.params["hierarchy"]["escalation_delay_weeks"])

    def _hours_available(self) -> np.ndarray:
        staff = self.workforce
        return staff.count() * (staff.contract_hours + staff.overtime_limit)

    def _plan(self, week: int) -> HourPlan:
        overhead = np.maximum(0, self.posts - self.workforce.count()) * self.params["staff"][
            "post_overhead_hours"]
        levers = self.levers
        admin = admin_hours(self.departments, self.params["departments"], overhead,
                            levers.data_entry_factor, levers.reporting_cap,
                            levers.task_factor) + levers.extra_admin
        # The county's stability target (§7.33) is compulsory, as if under full pressure (一票否决).
        demands = [policy.target_demand(self, week) for policy in self.policies]
        demands.append(self.petitions.watch_demand(week))
        return plan_hours(
            available=self.hours_available,
            contract=self.workforce.count() * self.workforce.contract_hours,
            admin=admin,
            targets=demands,
            pressures=[policy.pressure() for policy in self.policies] + [1.0],
            cases=caseflow.community_case_demand(self, week),
            rule=self.params["staff"]["priority"],
        )

    def _update_trust(self, tally: caseflow.WeekTally) -> None:
        """Residents' experiences of the week, each attributed to levels (§7.11), then fading."""
        beh, res = self.params["behaviour"], self.residents
        loss = beh["trust_gain"] * beh["negativity_bias"]
        rows, steps, weights = [], [], []
        for kind, step in (("in_time", beh["trust_gain"]), ("late", -loss * beh["late_loss"]),
                           ("abandoned", -loss * beh["abandon_loss"]),
                           ("excluded", -loss * beh["abandon_loss"])):
            who = tally.rows(kind)
            rows.append(who)
            steps.append(np.full(who.size, step))
            weights.append(self.attribution[int(step > 0)][tally.levels(kind)])
        res.change_trust(np.concatenate(rows), np.concatenate(steps), np.concatenate(weights).T)
        res.drift_trust(beh["trust_drift"])

    # -- helpers for policies -------------------------------------------------------
    def schedule_needs(self, weeks: int | np.ndarray, who: np.ndarray, category: np.ndarray,
                       stream: str) -> None:
        """Have residents ``who`` raise needs of ``category`` in later ``weeks`` (one, or one each).

        ``stream`` names the random stream their intake draws come from: the
        scheduling policy's own, so the other cases' draws stay paired.
        """
        self.needs_schedule.add(weeks, who, category, stream)

    def residents_replaced(self, rows: np.ndarray) -> None:
        """Newcomers took the rows of residents who left: every policy forgets the leavers."""
        for policy in self.policies:
            policy.forget(self, rows)
        self.petitions.forget(rows)

    def community_sums(self, values: np.ndarray) -> np.ndarray:
        """Sum of a per-resident array within each community (rows are stored community by community)."""
        return segment_sums(values, self.hierarchy.community_bounds)

    def residents_in(self, counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Rows of ``counts[k]`` residents drawn at random (with repeats) in each community."""
        sizes = self.hierarchy.community_residents
        counts = np.where(sizes > 0, counts, 0)
        community = np.repeat(np.arange(sizes.size), counts)
        start = self.hierarchy.community_bounds[community]
        return start + (rng.random(community.size) * sizes[community]).astype(np.int64)
