"""Layered target inflation (层层加码): a target raised at every level on the way down.

A share target (e.g. of residents enrolled in a programme) is set at the top
and handed down ``levels`` times, each office adding its margin. The bottom
unit works toward what reaches it, paced evenly over the campaign. Reaching a
share ``a`` of ``N`` residents takes ``N·h·(−ln(1−a))`` hours (the last ones
are the hardest), so the hours asked for grow without bound as the target
nears 1. The community gives hours according to its priority rule; what is
out of reach is partly padded in reports. Residents pushed into enrolment
beyond the original target lose trust (they were enrolled for the number, not
for their need).

With ``indicator: crop_area`` the policy instead inflates a crop mandate's
area target (the two policies compose).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from govsim.model.policy import Policy, declare
from govsim.model.trust import COMMUNITY, mandate_attribution
from govsim.policies.reporting import REPORTING_PARAMS, Reporter, inflate
from govsim.scenario.params import Param

if TYPE_CHECKING:
    from govsim.metrics import Recorder
    from govsim.model.govmodel import GovModel

CROP_AREA = "crop_area"


class TargetInflation(Policy):
    """A share target inflated down the hierarchy."""

    type_name = "target_inflation"
    PARAMS = declare(
        "target_inflation", "A target raised by a margin at each level on the way down (S0).",
        Param("indicator", "str", "enrolment",
              "What the target counts; 'crop_area' inflates a crop mandate's area target instead."),
        Param("top_target", "float", 0.5, "Target set at the top, as a share of residents.",
              unit="share", low=0.0, high=1.0, source="assumption: a typical campaign target"),
        Param("levels", "int", 2, "Hand-downs between the top and the community "
              "(county→township→community is 2).", unit="levels", low=0, high=6,
              source="S0: 层层加码 county, township, village"),
        Param("margin", "float", 0.15, "Raise each level adds to what it received.", unit="share",
              low=0.0, high=5.0, source="assumption: a 10-20% safety margin per level"),
        Param("margin_sd", "float", 0.05, "Spread of the raise between offices of a level.",
              unit="share", low=0.0, high=5.0, source="assumption"),
        Param("hours_per_unit", "float", 0.5, "Staff hours to reach one resident at low attainment.",
              unit="hours/resident", low=0.0, high=100.0, source="assumption: a visit and a form"),
        Param("pressure", "float", 0.5, "How hard the target is enforced: the share of its hours taken "
              "before cases under service_first, and the drive to pad reports.", unit="share",
              low=0.0, high=1.0, source="S0: evaluation pressure on grassroots cadres"),
        Param("effort_cap", "float", 0.5, "Most of a community's hours the target can take in a week.",
              unit="share", low=0.0, high=1.0, source="assumption"),
        Param("audit_probability", "float", 0.2, "Yearly chance that a community's report is audited.",
              unit="1/year", low=0.0, high=1.0, source="assumption"),
        *REPORTING_PARAMS,
        Param("rectification_hours", "float", 20.0, "Hours a community spends after an audit finds padding.",
              unit="hours", low=0.0, high=1000.0, source="assumption"),
        Param("coercion_trust_loss", "float", 0.02,
              "Trust lost by a resident enrolled beyond the original target.", unit="score",
              low=0.0, high=1.0, source="S0: discontent with campaign-style work"),
    )

    def setup(self, model: GovModel) -> None:
        """Hand the target down and prepare each community's attainment."""
        p = self.params
        self.rng = model.streams(self.stream_name())
        h = model.hierarchy
        # The last hand-down is made by each township; those above it by one office each.
        top_offices = [np.zeros(h.communities, dtype=np.int64)] * max(0, p["levels"] - 1)
        lineage = [*top_offices, h.community_township] if p["levels"] else []
        self.bottom = inflate(p["top_target"], p["margin"], p["margin_sd"], lineage, self.rng,
                              units=h.communities)
        self.true = np.zeros(h.communities)
        self.reported = np.zeros(h.communities)
        self.size = h.community_residents.astype(np.float64)
        self.reporter = Reporter(h.communities, p, model.weeks_per_year, self.rng)
        self.caught = np.zeros(h.communities, dtype=bool)
        self.owns_target = p["indicator"] != CROP_AREA
        # The campaign's deadline: its end week, or the run's last week if that comes first.
        self.deadline = min(self.end, model.gov_scenario.steps - 1)

    @property
    def metric_family(self) -> str | None:  # type: ignore[override]
        """``target``; none when inflating a crop mandate, which reports the area itself."""
        return "target" if self.owns_target else None

    def link(self, model: GovModel) -> None:
        """With ``indicator: crop_area``, inflate the crop mandate's target instead."""
        if self.owns_target:
            return
        mandates = [q for q in model.policies if q.type_name == "crop_mandate"]
        if not mandates:
            raise ValueError("target_inflation with indicator crop_area needs a crop_mandate policy")
        for mandate in mandates:
            mandate.inflate_target(self.bottom / max(self.params["top_target"], 1e-12))

    def paced_target(self, week: int) -> np.ndarray:
        """The share due by ``week``: the bottom target spread evenly up to the deadline."""
        span = max(1, self.deadline - self.start + 1)
        return self.bottom * min(1.0, max(0.0, (week - self.start + 1) / span))

    def target_demand(self, model: GovModel, week: int) -> np.ndarray | None:
        if not (self.owns_target and self.active(week)):
            return None
        goal = np.minimum(self.paced_target(week), 0.999)
        gap = np.log((1.0 - self.true) / (1.0 - np.maximum(goal, self.true)))
        hours = self.size * self.params["hours_per_unit"] * gap
        return np.minimum(hours, self.params["effort_cap"] * model.hours_available)

    def target_work(self, model: GovModel, week: int, hours: np.ndarray) -> None:
        if not self.owns_target:
            return
        p = self.params
        effort = np.divide(hours, self.size * p["hours_per_unit"], out=np.zeros_like(hours),
                           where=self.size * p["hours_per_unit"] > 0)
        before = self.true.copy()
        self.true = 1.0 - (1.0 - self.true) * np.exp(-effort)
        self._coerce(model, before)
        audited, self.caught = self.reporter.audit(self.reported, self.true, week)
        model.extra_admin += np.where(self.caught, p["rectification_hours"], 0.0)
        exposed = np.flatnonzero(self.reporter.exposed(self.caught))
        model.residents.change_trust_in(exposed, -p["exposure_trust_loss"])
        self.reported = self.reporter.report(self.true, self.paced_target(week), week)
        self.reported[audited] = self.true[audited]

    def _coerce(self, model: GovModel, before: np.ndarray) -> None:
        """Residents enrolled past the original target lose trust."""
        top = self.params["top_target"]
        beyond = np.maximum(0.0, self.true - np.maximum(before, top)) * self.size
        counts = self.rng.poisson(beyond)
        if counts.sum() == 0 or self.params["coercion_trust_loss"] == 0:
            return
        who = model.residents_in(counts, self.rng)
        model.residents.change_trust(who, -self.params["coercion_trust_loss"],
                                     mandate_attribution(model.params["behaviour"]))
        model.petitions.grievance(who, "mandate", COMMUNITY)  # against the community that enrolled them

    def record(self, model: GovModel, week: int, recorder: Recorder) -> None:
        weights = self.size / self.size.sum()
        for name, values in (("target_bottom", self.bottom), ("target_true", self.true),
                             ("target_reported", self.reported), ("target_gap", self.reported - self.true)):
            recorder.overall(week, name, float(values @ weights))
            recorder.by(week, name, "community", values)
        recorder.overall(week, "target_caught", float(self.caught.sum()))
