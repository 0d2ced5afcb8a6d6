"""Crop mandates: an upper level orders a share of farmland into a named crop.

Each farmer's plot has a suitability for the crop (Beta distributed around
the local mean). Cadres approach the farmers of their village who have not
yet converted, in a random order drawn once per campaign, until the week's
campaign hours run out (a farmer approached is either converted or left
alone, so the order of those still waiting is as random as a fresh shuffle
each week would make it). A farmer agrees when persuaded with probability
``trust × σ(relative gain / 0.25)``, where the relative gain is what the crop
would earn on her plot over the staple; a farmer who refuses is made to
comply with probability ``enforce`` (costing more hours and some trust) or is
left alone for the campaign. A converted plot earns
``mu × (suitability × potential − input cost)`` a year: on unsuitable land
that is less than the staple, and each week of loss costs trust. True planted
area and the (padded) reported area are both recorded.

Rigid or adapted implementation (政策刚性 vs 灵活执行, seed 000): when the
mandate begins, each village decides whether to plant everywhere, as ordered,
or only where the crop suits the land (crop income at least the staple's).
Adapting spares farmers a loss but leaves the village short of its target,
which the upper level may judge a distortion (政策走样). A village adapts when
what it spares its farmers outweighs the expected sanction:

    adapt  ⇔  care × L_v  >  inspection × distortion_sanction × 1[C_v < tolerance × target_v]

with L_v the farmland-weighted relative income loss on its unsuitable plots
and C_v the share of its farmland that suits the crop. The upper level's
``tolerance`` (the share of the target it accepts from a village that adapted)
and ``inspection`` (the yearly chance it checks) are scenario parameters. An
inspected village that adapted and falls short of tolerance × its paced
target is sanctioned (``sanction_hours`` of its staff's time) and plants
everywhere from then on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from govsim.model.allocate import order_by, segment_sums, serve_in_order
from govsim.model.policy import Policy, declare
from govsim.model.trust import COMMUNITY, mandate_attribution
from govsim.policies.reporting import REPORTING_PARAMS, Reporter
from govsim.scenario.params import Param

if TYPE_CHECKING:
    from govsim.metrics import Recorder
    from govsim.model.govmodel import GovModel


class CropMandate(Policy):
    """A planting order for a cash crop, carried out by village cadres."""

    type_name = "crop_mandate"
    metric_family = "crop"
    PARAMS = declare(
        "crop_mandate", "An order to plant a share of farmland with a named crop (S0).",
        Param("crop", "str", "kiwifruit", "Name of the mandated crop (for labels)."),
        Param("target_share", "float", 0.3, "Share of farmland ordered into the crop.", unit="share",
              low=0.0, high=1.0, source="assumption"),
        Param("suitability_mean", "float", 0.7, "Mean suitability of local plots for the crop (0-1).",
              unit="score", low=0.0, high=1.0, source="S0: soil and climate may not suit the crop"),
        Param("suitability_concentration", "float", 8.0, "Beta concentration of suitability.",
              unit="", low=0.5, high=1000.0, source="assumption"),
        Param("potential_income_per_mu", "float", 2400.0,
              "Yearly gross income per mu at full suitability.", unit="yuan/mu/year", low=0.0, high=1e6,
              source="assumption: cash crops earn several times grain"),
        Param("input_cost_per_mu", "float", 900.0, "Yearly input cost per mu of the crop.",
              unit="yuan/mu/year", low=0.0, high=1e6, source="assumption"),
        Param("persuasion_hours", "float", 2.0, "Cadre hours to approach one farmer.", unit="hours",
              low=0.0, high=100.0, source="assumption"),
        Param("enforcement_hours", "float", 4.0, "Extra hours to make a refusing farmer comply.",
              unit="hours", low=0.0, high=200.0, source="assumption"),
        Param("enforce", "float", 0.5, "Chance cadres enforce when a farmer refuses.", unit="share",
              low=0.0, high=1.0, source="S0: cadres caught between the indicator and the farmers"),
        Param("forced_trust_loss", "float", 0.1, "Trust a farmer loses when forced.", unit="score",
              low=0.0, high=1.0, source="assumption"),
        Param("loss_trust_per_year", "float", 0.3,
              "Trust lost over a year by a farmer whose income fell by the whole staple income.",
              unit="score/year", low=0.0, high=5.0, source="S0: losses hit income and trust"),
        Param("pressure", "float", 0.5, "How hard the area target is enforced (hours and padding).",
              unit="share", low=0.0, high=1.0, source="S0"),
        Param("effort_cap", "float", 0.3, "Most of a village's hours the campaign can take in a week.",
              unit="share", low=0.0, high=1.0, source="assumption"),
        Param("audit_probability", "float", 0.2,
              "Yearly chance the reported area is checked; the risk deters padding.",
              unit="1/year", low=0.0, high=1.0, source="assumption"),
        Param("adaptation", "choice", "decide",
              "Whether villages plant only where the crop suits: decide (weigh farmers' loss against "
              "the sanction), never (rigid), always.", choices=("decide", "never", "always"),
              source="seed 000: policy rigidity vs flexible implementation; O'Brien & Li 1999"),
        Param("tolerance", "float", 0.8,
              "Share of its target the upper level accepts from a village that adapted.",
              unit="share", low=0.0, high=1.0,
              source="Zhou 2010; Heilmann 2008: upper levels tolerate local deviation unless visible; "
                     "assumption for 0.8"),
        Param("inspection", "float", 0.3, "Yearly chance the upper level inspects a village's planting.",
              unit="1/year", low=0.0, high=1.0, source="assumption"),
        Param("distortion_sanction", "float", 3.0,
              "Weight of a sanction for distortion (政策走样) against farmers' relative income loss "
              "(care = 1).",
              unit="×", low=0.0, high=1000.0, source="assumption"),
        Param("care", "float", 1.0, "Weight cadres give their farmers' relative income loss.",
              unit="×", low=0.0, high=1000.0, source="assumption"),
        Param("sanction_hours", "float", 40.0,
              "Staff hours a sanctioned village spends on self-criticism, rectification and reports.",
              unit="hours", low=0.0, high=10000.0, source="assumption"),
        *REPORTING_PARAMS,
    )

    def setup(self, model: GovModel) -> None:
        """Draw plot suitability and the order of approach, and set each village's area target."""
        p = self.params
        self.rng = model.streams(self.stream_name())
        self.blame = mandate_attribution(model.params["behaviour"])
        self.reporter = Reporter(model.hierarchy.communities, p, model.weeks_per_year, self.rng)
        self.caught = np.zeros(model.hierarchy.communities, dtype=bool)
        res, k = model.residents, model.hierarchy.communities
        self.farmers = model.farmers
        self.bounds = model.farmer_bounds  # farmers are stored village by village
        self.community = res.community[self.farmers]
        self.mu = res.plot_mu[self.farmers].astype(np.float64)
        self.mean_mu = max(float(self.mu.mean()), 1e-9) if self.mu.size else 1.0
        m, c = np.clip(p["suitability_mean"], 1e-3, 1 - 1e-3), p["suitability_concentration"]
        self.suitability = self.rng.beta(m * c, (1 - m) * c, self.farmers.size)
        weeks = model.weeks_per_year
        self.crop_income = self.mu * (self.suitability * p["potential_income_per_mu"]
                                      - p["input_cost_per_mu"]) / weeks
        self.staple_income = res.staple_income[self.farmers].astype(np.float64)
        loss = np.maximum(0.0, self.staple_income - self.crop_income) / np.maximum(self.staple_income, 1e-9)
        self.weekly_trust_loss = np.minimum(1.0, loss) * p["loss_trust_per_year"] / weeks
        # Farmers (indices into self.farmers) in the order cadres approach them, village by
        # village; those before next_up[v] in village v have been approached.
        self.queue = order_by(self.community, self.rng.random(self.farmers.size))
        self.next_up = self.bounds[:-1].copy()
        # Planted farmers who earn less than before (resident rows) and their weekly trust step:
        # kept as they join, since the same farmers lose trust every week from then on.
        self.losers = np.zeros(0, dtype=np.int64)
        self.loser_steps = np.zeros(0)
        self.farmland = segment_sums(self.mu, self.bounds)
        self.planted_area = np.zeros(k)
        self.target = np.where(self.farmland > 0, p["target_share"], 0.0)
        self.reported = np.zeros(k)
        self.suitable = self.crop_income >= self.staple_income  # the crop earns at least the staple
        self.limit = self.bounds[1:].copy()  # queue position each village stops at
        self.adapting: np.ndarray | None = None  # decided when the mandate begins
        self.sanctioned = np.zeros(k, dtype=bool)

    def inflate_target(self, factor: np.ndarray) -> None:
        """Raise the area target by a factor per village (from target_inflation)."""
        self.target = np.minimum(1.0, self.target * factor)

    def paced_target(self, week: int) -> np.ndarray:
        """Share of farmland due to be planted by ``week``: the target, reached in a quarter."""
        return self.target * min(1.0, (week - self.start + 1) / 13)

    def planted_share(self) -> np.ndarray:
        """Share of each village's farmland truly under the crop."""
        return np.divide(self.planted_area, self.farmland, out=np.zeros_like(self.planted_area),
                         where=self.farmland > 0)

    def decide(self) -> np.ndarray:
        """Each village's choice, when the mandate begins: plant only where the crop suits?"""
        p = self.params
        rel_loss = np.minimum(1.0, np.maximum(0.0, self.staple_income - self.crop_income)
                              / np.maximum(self.staple_income, 1e-9))
        share = np.divide(1.0, self.farmland, out=np.zeros_like(self.farmland), where=self.farmland > 0)
        suits = segment_sums(self.mu * self.suitable, self.bounds) * share
        spared = segment_sums(self.mu * rel_loss * ~self.suitable, self.bounds) * share
        risky = suits < p["tolerance"] * self.target
        if p["adaptation"] == "decide":
            adapt = p["care"] * spared > p["inspection"] * p["distortion_sanction"] * risky
        else:
            adapt = np.full(self.farmland.size, p["adaptation"] == "always")
        adapt &= self.farmland > 0
        for v in np.flatnonzero(adapt):  # suitable plots first, the rest after, each in the drawn order
            lo, hi = self.bounds[v], self.bounds[v + 1]
            segment = self.queue[lo:hi]
            self.queue[lo:hi] = segment[np.argsort(~self.suitable[segment], kind="stable")]
            self.limit[v] = lo + int(self.suitable[segment].sum())
        return adapt

    def target_demand(self, model: GovModel, week: int) -> np.ndarray | None:
        if not self.active(week):
            return None
        if self.adapting is None:
            self.adapting = self.decide()
        p = self.params
        missing = np.maximum(0.0, self.paced_target(week) - self.planted_share()) * self.farmland
        per_farmer = p["persuasion_hours"] + p["enforce"] * p["enforcement_hours"]
        hours = missing / self.mean_mu * per_farmer * 2
        waiting = self.limit - self.next_up
        cap = np.minimum(waiting * per_farmer, p["effort_cap"] * model.hours_available)
        return np.minimum(hours, cap)

    def target_work(self, model: GovModel, week: int, hours: np.ndarray) -> None:
        """Approach farmers in each village's order until the village's hours run out."""
        p = self.params
        if hours.sum() > 0:
            self._approach(model, hours)
        # Each farmer plants once, so the losing farmers are distinct.
        model.residents.change_trust(self.losers, self.loser_steps, self.blame, distinct=True)
        true = self.planted_share()
        self._inspect(model, true, week)
        audited, self.caught = self.reporter.audit(self.reported, true, week)
        exposed = np.flatnonzero(self.reporter.exposed(self.caught))
        model.residents.change_trust_in(exposed, -p["exposure_trust_loss"])
        self.reported = self.reporter.report(true, self.paced_target(week), week)
        self.reported[audited] = true[audited]

    def _inspect(self, model: GovModel, true: np.ndarray, week: int) -> None:
        """Inspections of villages that adapted: short of tolerance × target means a sanction."""
        self.sanctioned = np.zeros(self.farmland.size, dtype=bool)
        if self.adapting is None or not self.adapting.any():
            return
        p = self.params
        chance = 1.0 - (1.0 - p["inspection"]) ** (1.0 / model.weeks_per_year)
        inspected = self.rng.random(self.farmland.size) < chance
        short = true < p["tolerance"] * self.paced_target(week) - 1e-9
        self.sanctioned = inspected & self.adapting & short
        model.extra_admin += np.where(self.sanctioned, p["sanction_hours"], 0.0)
        self.adapting &= ~self.sanctioned  # from now on, planted everywhere
        self.limit[self.sanctioned] = self.bounds[1:][self.sanctioned]

    def _approach(self, model: GovModel, hours: np.ndarray) -> None:
        """The next farmers in line, as far as each village's hours go, agree, are forced or refuse."""
        p = self.params
        waiting = self.limit - self.next_up
        # Every approach costs at least the persuasion hours: nobody further down can be reached.
        reach = waiting if p["persuasion_hours"] <= 0 else np.minimum(
            waiting, np.floor(hours / p["persuasion_hours"] + 1e-9).astype(np.int64))
        village = np.repeat(np.arange(reach.size), reach)
        queue = self.queue[np.arange(village.size) - np.repeat(np.cumsum(reach) - reach, reach)
                           + self.next_up[village]]
        trust = model.residents.trust_in(COMMUNITY, self.farmers[queue])  # the village cadres asking
        gain = (self.crop_income[queue] - self.staple_income[queue]) / np.maximum(
            self.staple_income[queue], 1e-9)
        agrees = self.rng.random(queue.size) < trust / (1.0 + np.exp(-gain / 0.25))
        enforced = ~agrees & (self.rng.random(queue.size) < p["enforce"])
        cost = p["persuasion_hours"] + enforced * p["enforcement_hours"]
        reached = _until_first_miss(serve_in_order(village, cost, hours) >= cost - 1e-9, reach)
        self.next_up += np.bincount(village[reached], minlength=self.next_up.size)
        converts = queue[reached & (agrees | enforced)]
        self.planted_area += np.bincount(self.community[converts], weights=self.mu[converts],
                                         minlength=self.planted_area.size)
        model.residents.farm_income[self.farmers[converts]] = self.crop_income[converts]
        losing = converts[self.weekly_trust_loss[converts] > 0]
        self.losers = np.concatenate([self.losers, self.farmers[losing]])
        self.loser_steps = np.concatenate([self.loser_steps, -self.weekly_trust_loss[losing]])
        forced = self.farmers[queue[reached & enforced]]
        model.residents.change_trust(forced, -p["forced_trust_loss"], self.blame)
        model.petitions.grievance(forced, "mandate", COMMUNITY)  # against the village that forced them

    def record(self, model: GovModel, week: int, recorder: Recorder) -> None:
        shares = self.planted_share()
        total = self.farmland.sum()
        recorder.overall(week, "planted_true", float(shares @ self.farmland / total) if total else 0.0)
        recorder.overall(week, "planted_reported",
                         float(self.reported @ self.farmland / total) if total else 0.0)
        recorder.by(week, "planted_true", "community", shares)
        recorder.by(week, "planted_reported", "community", self.reported)
        gap = self.reported - shares
        recorder.overall(week, "planted_gap", float(gap @ self.farmland / total) if total else 0.0)
        recorder.by(week, "planted_gap", "community", gap)
        recorder.overall(week, "planted_caught", float(self.caught.sum()))
        adapting = self.adapting if self.adapting is not None else np.zeros(self.farmland.size, dtype=bool)
        recorder.overall(week, "villages_adapting", float(adapting.sum()))
        recorder.overall(week, "mandate_sanctions", float(self.sanctioned.sum()))


def _until_first_miss(reached: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """``reached``, cut at each segment's first False: hours ran out there.

    ``reached`` holds segments of ``sizes`` items (one per village, in line
    order). A later farmer who happens to cost nothing is not reached either:
    the cadres stopped at the first one they could not finish.
    """
    missed = np.cumsum(~reached)  # misses so far, this item included
    first = (np.cumsum(sizes) - sizes)[sizes > 0]
    missed_before_segment = np.repeat(missed[first] - ~reached[first], sizes[sizes > 0])
    return reached & (missed == missed_before_segment)
