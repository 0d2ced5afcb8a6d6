"""Complicated procedures: a subsidy whose application takes many steps (S0).

S0: "some livelihood subsidies have complicated conditions and cumbersome
procedures; grassroots staff spend much effort helping residents prepare
materials and submit applications, and still some eligible residents give up
because of the procedures" (部分民生补贴政策申请条件复杂、流程繁琐 …).

Eligible residents (one group or flag: low-income, elderly, disabled, farmer or
migrant) have not yet applied. Each week, while the programme is in force,
each of them who has not applied, been granted or given up considers applying
with probability ``consider_rate``. She gets through the ``s`` steps of the
procedure with probability

.. math:: p_i = p_0 \\, \\bigl(1 - \\delta \\, (1 - \\ell_i)\\bigr)^{s}

where :math:`\\ell_i` is her digital literacy (standing for her ease with forms,
portals and documents: most procedures now run online or through printed
forms alike) and :math:`\\delta` is ``drop_per_step``, the chance that a
resident with no literacy at all drops out at one step. A resident who drops
out gives up on the programme for good.

A completed application becomes a case of category ``assistance`` through
:func:`~govsim.model.caseflow.open_cases` with ``s × hours_per_step`` extra
effective hours at the grid (staff checking materials and helping fill in
forms): it then climbs the ladder, waits for money and meets its deadline like
any other case. It may also be excluded (the resident cannot file) or, when
late, abandoned; either way she has given up.

The application is recognised by its resident, its category and its week:
once no open ``assistance`` case of hers raised in her application week is
left, it has closed, and it counts as granted if an ``assistance`` case of
hers was resolved (in time or late) that week. (A resident whose own ordinary
assistance need was resolved the same week her application was abandoned
would be counted as granted; this is rare.) A resident who moves away is
forgotten: the newcomer migration puts in her row has not applied.

Take-up is granted eligible residents over eligible residents, overall and
by group.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from govsim.model import caseflow
from govsim.model.policy import Policy, declare
from govsim.model.residents import ELDERLY, MEMBERSHIP, N_STRATA
from govsim.model.selection import mask_of
from govsim.scenario.declarations import CATEGORIES, FLAGS
from govsim.scenario.params import Param

if TYPE_CHECKING:
    from govsim.metrics import Recorder
    from govsim.model.caseflow import WeekTally
    from govsim.model.govmodel import GovModel

ELIGIBLE = ("low_income", "elderly", "disabled", "farmer", "migrant")
ASSISTANCE = CATEGORIES.index("assistance")
#: An application's progress, per resident.
NONE, PENDING, GRANTED, GAVE_UP = 0, 1, 2, 3


class Procedures(Policy):
    """A subsidy programme whose take-up falls with its steps."""

    type_name = "procedures"
    metric_family = "subsidy"
    PARAMS = declare(
        "procedures", "A subsidy with a multi-step application procedure (S0).",
        Param("eligible", "choice", "low_income", "Who is eligible for the subsidy.", choices=ELIGIBLE,
              source="S0: livelihood subsidies (民生补贴) for groups in need"),
        Param("steps", "int", 6, "Steps of the application procedure (forms, certificates, visits).",
              unit="steps", low=0, high=50,
              source="S0: complicated conditions and cumbersome procedures; assumption for the number"),
        Param("consider_rate", "float", 0.05,
              "Weekly chance that an eligible resident who has not applied considers applying.",
              unit="1/week", low=0.0, high=1.0,
              source="assumption: most eligible residents hear of the programme within a year"),
        Param("base_completion", "float", 0.95,
              "Chance to complete an application with no steps at all.", unit="share",
              low=0.0, high=1.0, source="assumption: a few drop out even of a one-click form"),
        Param("drop_per_step", "float", 0.12,
              "Chance that a resident with zero literacy gives up at one step "
              "(times 1 − literacy for others).", unit="share", low=0.0, high=1.0,
              source="S0: eligible residents give up because of the procedures; assumption for the size"),
        Param("hours_per_step", "float", 0.5,
              "Effective staff hours per step to check materials and help fill in forms.",
              unit="hours/step", low=0.0, high=50.0,
              source="S0: staff spend much effort helping residents prepare materials"),
    )

    def setup(self, model: GovModel) -> None:
        """Start with nobody having applied."""
        self.rng = model.streams(self.stream_name())
        self.eligible_strata = _eligible_strata(self.params["eligible"])
        n = model.residents.n
        self.state = np.zeros(n, dtype=np.int8)
        self.applied_week = np.full(n, -1, dtype=np.int32)
        self.applications = 0

    def eligible(self, model: GovModel) -> np.ndarray:
        """Bool per resident: eligible for the subsidy now (her stratum can change with migration)."""
        return self.eligible_strata[model.residents.stratum]

    def completion(self, literacy: np.ndarray) -> np.ndarray:
        """Chance each resident gets through every step (see the module docstring)."""
        p = self.params
        per_step = 1.0 - p["drop_per_step"] * (1.0 - literacy.astype(np.float64))
        return p["base_completion"] * per_step ** p["steps"]

    def after_cases(self, model: GovModel, week: int, tally: WeekTally) -> None:
        """Close applications whose case has closed: granted if resolved, else given up."""
        pending = np.flatnonzero(self.state == PENDING)
        if pending.size == 0:
            return
        closed = pending[~self._with_open_application(model)[pending]]
        resolved = np.concatenate([tally.rows("in_time")[tally.categories("in_time") == ASSISTANCE],
                                   tally.rows("late")[tally.categories("late") == ASSISTANCE]])
        granted = mask_of(resolved, model.residents.n)[closed]
        self.state[closed] = np.where(granted, GRANTED, GAVE_UP)

    def weekly(self, model: GovModel, week: int, tally: WeekTally) -> None:
        """Eligible residents consider applying; those who get through the steps file a case."""
        if not self.active(week):
            return
        candidates = np.flatnonzero(self.eligible(model) & (self.state == NONE))
        considering = candidates[self.rng.random(candidates.size) < self.params["consider_rate"]]
        completes = self.rng.random(considering.size) < self.completion(
            model.residents.literacy[considering])
        applicants = considering[completes]
        self.state[considering[~completes]] = GAVE_UP
        extra = self.params["steps"] * self.params["hours_per_step"]
        caseflow.open_cases(model, week, applicants, np.full(applicants.size, ASSISTANCE, dtype=np.int8),
                            tally, extra_hours=extra, rng=self.rng)
        self.state[applicants], self.applied_week[applicants] = PENDING, week
        opened = self._with_open_application(model)[applicants]  # else: could not file
        self.state[applicants[~opened]] = GAVE_UP
        self.applications += int(opened.sum())

    def forget(self, model: GovModel, rows: np.ndarray) -> None:
        """A newcomer in a leaver's row has not applied (the leaver's application went with her)."""
        self.state[rows], self.applied_week[rows] = NONE, -1

    def _with_open_application(self, model: GovModel) -> np.ndarray:
        """Bool per resident: an open assistance case of hers was raised in her application week."""
        c = model.cases
        resident = c["resident"]
        mine = ((c["category"] == ASSISTANCE) & (self.state[resident] == PENDING)
                & (c["raised"] == self.applied_week[resident]))
        return mask_of(resident[mine], model.residents.n)

    def record(self, model: GovModel, week: int, recorder: Recorder) -> None:
        res = model.residents
        # Eligibility follows the stratum, so the eligible are counted from the strata's sizes.
        eligible = res.stratum_sizes() * self.eligible_strata
        n_eligible = eligible @ MEMBERSHIP  # report groups overlap: their sum is not the total
        granted = np.flatnonzero(self.state == GRANTED)
        granted = granted[self.eligible_strata[res.stratum[granted]]]
        n_granted = np.bincount(res.stratum[granted], minlength=N_STRATA) @ MEMBERSHIP
        total = float(eligible.sum())
        recorder.overall(week, "subsidy_eligible", total)
        recorder.by(week, "subsidy_eligible", "group", n_eligible)
        recorder.overall(week, "subsidy_takeup", granted.size / total if total else np.nan)
        recorder.by(week, "subsidy_takeup", "group", np.divide(
            n_granted, n_eligible, out=np.full(n_eligible.size, np.nan), where=n_eligible > 0))


def _eligible_strata(who: str) -> np.ndarray:
    """Bool per stratum: its residents are eligible (strata are age group × flags)."""
    age, bits = np.divmod(np.arange(N_STRATA), 2 ** len(FLAGS))
    if who == "elderly":
        return age == ELDERLY
    return (bits >> FLAGS.index(who) & 1).astype(bool)
