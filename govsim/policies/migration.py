"""Migrant turnover and registration (流动人口): who is known to the community's records.

S0: migrants move often, so the community cannot keep track of where they
live, work and with whom; registration is incomplete and out of date, and
services miss them. The mechanism has four parts.

**Start.** A share ``initially_unregistered`` of migrants is unregistered
(drawn once, at set-up, whether or not the window has opened).

**Turnover (each week in force, after trust has moved).** Each migrant
without farmland leaves with probability ``turnover``; her open cases are
closed as left behind (counted with the abandoned, without a trust change)
and a newcomer takes her row, so the population keeps its size and layout.
The newcomer is a migrant of the leaver's age group (working-age or child;
the age mix of migrants is held steady) with the other flags, literacy and
trust drawn as the population's are (``Residents``): disabled with
``share_disabled``, low-income with the area's share, never a farmer
(newcomers hold no land; migrants who farm a plot stay), literacy
Beta(mean of the age group, ``literacy_concentration``), trust
Beta(``trust_mean``, ``trust_concentration``). She is unregistered with
probability ``unregistered_share_new``.

**Registration (each week in force).** Each unregistered resident registers
with probability ``registration_rate``, plus ``drive_rate`` from week
``drive_start`` (a registration drive: grid workers go door to door). Each
registration the drive makes costs ``drive_hours`` of staff time, charged as
extra admin of the next week.

**Missing services.** The model already bars the needs of unregistered
residents: they are counted as ``excluded`` (due and unmet, so coverage falls)
and cost trust like an abandoned case. Newcomers raise needs at their own
rates from the week they arrive.

Not modelled: the "invisible to planning" effect beyond exclusion (staff,
organisations and money are sized on the whole population, registered or
not); migrants moving between communities of the county (each leaver leaves
the county); registration lapsing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from govsim.model import caseflow
from govsim.model.policy import FOREVER, Policy, declare
from govsim.model.residents import _beta
from govsim.scenario.declarations import FLAGS
from govsim.scenario.params import Param

if TYPE_CHECKING:
    from govsim.metrics import Recorder
    from govsim.model.caseflow import WeekTally
    from govsim.model.govmodel import GovModel

MIGRANT, DISABLED, LOW_INCOME = FLAGS.index("migrant"), FLAGS.index("disabled"), FLAGS.index("low_income")


class Migration(Policy):
    """Migrants come and go; the unregistered miss services until they register."""

    type_name = "migration"
    metric_family = "migration"
    PARAMS = declare(
        "migration", "Migrant arrivals and departures, and their registration (S0).",
        Param("turnover", "float", 0.01, "Weekly chance that a migrant without farmland leaves "
              "(a newcomer takes her place).", unit="1/week", low=0.0, high=1.0,
              source="S0: migrants move often (流动性强); assumption: about 40% a year"),
        Param("initially_unregistered", "float", 0.2, "Share of migrants unregistered at the start.",
              unit="share", low=0.0, high=1.0,
              source="S0: registration incomplete and out of date; assumption for the size"),
        Param("unregistered_share_new", "float", 0.6, "Chance that a newcomer arrives unregistered.",
              unit="share", low=0.0, high=1.0, source="S0; assumption: most arrive unannounced"),
        Param("registration_rate", "float", 0.02, "Weekly chance that an unregistered resident registers.",
              unit="1/week", low=0.0, high=1.0,
              source="assumption: about a year to register unprompted"),
        Param("drive_rate", "float", 0.0,
              "Weekly chance added by a registration drive (grid workers door to door).",
              unit="1/week", low=0.0, high=1.0, source="assumption: a drive reaches most in a few months"),
        Param("drive_start", "int", 0, "First week of the registration drive.", unit="week",
              low=0, high=FOREVER, source="assumption"),
        Param("drive_hours", "float", 0.5, "Staff hours per registration the drive makes.",
              unit="hours/registration", low=0.0, high=40.0,
              source="assumption: a visit and a form"),
    )

    def setup(self, model: GovModel) -> None:
        """Check the residents can be replaced; mark the initially unregistered."""
        if not hasattr(model.residents, "replace"):
            raise ValueError("migration needs residents that can be replaced; "
                             f"{type(model.residents).__name__} cannot")
        self.rng = model.streams(self.stream_name())
        res, p = model.residents, model.params["population"]
        migrants = np.flatnonzero(res.flags[:, MIGRANT])
        unregistered = migrants[self.rng.random(migrants.size) < self.params["initially_unregistered"]]
        res.registered[unregistered] = False
        # A newcomer takes a leaver's row as a migrant without land, so these rows stay
        # the migrants (everyone who can be unregistered) and the movers (who turn over).
        self.migrants = migrants
        self.movers = migrants[res.plot_mu[migrants] == 0]
        rural = model.hierarchy.community_rural[res.community]
        self.low_income_share = np.where(rural, p["share_low_income_rural"], p["share_low_income_urban"])
        self.literacy_mean = np.array([p["literacy_elderly"], p["literacy_working_age"],
                                       p["literacy_child"]])
        self.arrivals = np.zeros(model.hierarchy.communities)
        self.registrations = np.zeros(model.hierarchy.communities)

    def weekly(self, model: GovModel, week: int, tally: WeekTally) -> None:
        """Departures and arrivals, then registrations, while in force."""
        k = model.hierarchy.communities
        self.arrivals, self.registrations = np.zeros(k), np.zeros(k)
        if not self.active(week):
            return
        self._turnover(model, tally)
        self._register(model, week)

    def _turnover(self, model: GovModel, tally: WeekTally) -> None:
        res, p = model.residents, self.params
        leaving = self.movers[self.rng.random(self.movers.size) < p["turnover"]]
        if leaving.size == 0:
            return
        caseflow.close_for_residents(model, leaving, tally)
        pop = model.params["population"]
        group = res.group[leaving].copy()
        flags = np.zeros((leaving.size, len(FLAGS)), dtype=bool)
        flags[:, MIGRANT] = True
        u = self.rng.random((leaving.size, 2))
        flags[:, DISABLED] = u[:, 0] < pop["share_disabled"]
        flags[:, LOW_INCOME] = u[:, 1] < self.low_income_share[leaving]
        literacy = _beta(self.literacy_mean[group], pop["literacy_concentration"], self.rng)
        trust = _beta(np.full(leaving.size, pop["trust_mean"]), pop["trust_concentration"], self.rng)
        registered = self.rng.random(leaving.size) >= p["unregistered_share_new"]
        res.replace(leaving, group, flags, literacy.astype(np.float32), trust.astype(np.float32),
                    registered)
        model.residents_replaced(leaving)
        self.arrivals = np.bincount(res.community[leaving], minlength=model.hierarchy.communities)

    def _register(self, model: GovModel, week: int) -> None:
        res, p = model.residents, self.params
        waiting = self.migrants[~res.registered[self.migrants]]
        drive = p["drive_rate"] if week >= p["drive_start"] else 0.0
        u = self.rng.random(waiting.size)
        on_own = waiting[u < p["registration_rate"]]
        by_drive = waiting[(u >= p["registration_rate"]) & (u < p["registration_rate"] + drive)]
        res.registered[on_own] = True
        res.registered[by_drive] = True
        k = model.hierarchy.communities
        self.registrations = np.bincount(res.community[np.concatenate([on_own, by_drive])], minlength=k)
        model.extra_admin += p["drive_hours"] * np.bincount(res.community[by_drive], minlength=k)

    def record(self, model: GovModel, week: int, recorder: Recorder) -> None:
        for name, values in (("registrations", self.registrations), ("arrivals", self.arrivals)):
            recorder.overall(week, name, float(values.sum()))
            recorder.by(week, name, "community", values)

