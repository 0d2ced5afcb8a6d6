"""Digital channels and the digital divide (S0, S1).

The county decides how residents may file a case. With ``online_only`` the
community app is the only door: offices and grid workers' home visits stop
taking cases, and a resident whose effective digital literacy is below the
threshold cannot file at all (her need is *excluded*: due, unmet, and it
costs trust like an abandoned case), unless a remedy is in place. S1's case:
a street pushed a "smart community" app, under 20% of over-60s used it, and
many elderly found getting things done harder than before.

Each new case's channel is chosen by
:func:`~govsim.model.levers.choose_channel`; this policy only sets the week's
levers and, for volunteer help, residents' literacy:

* ``mode``: ``online_only`` (online on, offline off) or ``online_plus_offline``
  (both kept, the baseline's arrangement).
* Elder mode (S1 "老年版": large fonts, voice input): the elderly's effective
  literacy is ``literacy + elder_boost``.
* Proxy service (代办, S1 "社区代办员"): with offline windows closed, those who
  cannot file online have a proxy file for them. A staff proxy costs
  ``proxy_hours_factor`` (the scenario's) times an office case; a volunteer
  proxy does the form-filling, so staff handle it like an office case
  (factor 1).
* Family help: with no proxy, a chance that family members file online.
* Volunteer digital help (S1 "数字反哺", "银龄课堂"): each week each community's
  volunteers reach ``Poisson(volunteer_reach × residents / 10,000)``
  residents whose effective literacy is below the threshold, the elderly
  first, chosen at random without repeats, and each contact adds
  ``literacy_gain``:

  .. math:: \\ell_i \\leftarrow \\min(1, \\ell_i + g)

  What is learned stays after the policy ends.
* Double entry (S0 "线上线下重复工作"): staff must also enter a share ``d`` of
  online cases into the offline system, so an online case costs
  ``online_hours_factor + d × 1`` office hours.

With ``online_plus_offline`` and no remedies or double entry, every lever is
the baseline's and the run is the baseline's exactly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from govsim.model.cases import OFFICE, ONLINE, PROXY
from govsim.model.policy import Policy, declare
from govsim.model.residents import ELDERLY
from govsim.model.selection import sample_segments
from govsim.model.trust import attribution
from govsim.scenario.params import Param

if TYPE_CHECKING:
    from govsim.model.caseflow import WeekTally
    from govsim.model.govmodel import GovModel

MODES = ("online_only", "online_plus_offline")
PROXIES = ("staff", "volunteer")


class DigitalChannels(Policy):
    """How residents can file cases, and the remedies for those left out."""

    type_name = "digital_channels"
    PARAMS = declare(
        "digital_channels", "Online channels, the digital divide and its remedies (S0, S1).",
        Param("mode", "choice", "online_only",
              "online_only: the app is the only channel; online_plus_offline: offices and home "
              "visits are kept.", choices=MODES,
              source="S1: over-reliance on the online channel, offline windows cut back"),
        Param("elder_mode", "bool", False, "The app has an elder mode that raises the elderly's "
              "effective literacy by elder_boost.", source="S1: an elder version of the app (老年版)"),
        Param("elder_boost", "float", 0.2, "Literacy added to the elderly's in elder mode.",
              unit="score", low=0.0, high=1.0,
              source="assumption: a simpler interface brings about a third of the elderly within reach"),
        Param("volunteer_reach", "float", 0.0,
              "Residents below the literacy threshold reached by digital helpers per week "
              "(the elderly first).", unit="residents/10k residents/week", low=0.0, high=10000.0,
              source="S1: youth volunteers teach smartphone use one to one (数字反哺); "
                     "assumption for the number"),
        Param("literacy_gain", "float", 0.1, "Digital literacy a resident gains from one contact.",
              unit="score", low=0.0, high=1.0,
              source="assumption: a few lessons take a typical elder over the threshold"),
        Param("proxy", "bool", False, "Proxies file for residents who cannot file online "
              "(only matters when offline channels are closed).",
              source="S1: community proxy agents (社区代办员)"),
        Param("proxy_by", "choice", "staff", "Who files as proxy: staff (costs proxy_hours_factor "
              "× an office case) or volunteers (staff handle it as an office case).",
              choices=PROXIES, source="S1: staff and volunteers act as proxies"),
        Param("family_help", "float", 0.0,
              "Chance that family files online for a resident who cannot (when nobody else does); "
              "the larger of this and behaviour.family_help applies, so a campaign can only raise it.",
              unit="share", low=0.0, high=1.0, source="assumption: children file for their parents"),
        Param("double_entry", "float", 0.0,
              "Share of online cases staff must also enter offline, each costing one office case's "
              "hours.", unit="share", low=0.0, high=1.0,
              source="S0: badly designed systems cause online and offline double work"),
        Param("breach", "bool", False, "A leak of the system's personal data becomes known in breach_week.",
              source="seed 000: data security; the 2022 Shanghai police database leak"),
        Param("breach_week", "int", 26, "Week the breach becomes known (while the policy is in force).",
              unit="week", low=-1040, high=5200),
        Param("breach_reach", "float", 0.5, "Share of residents who hear of the breach.", unit="share",
              low=0.0, high=1.0, source="assumption"),
        Param("breach_trust_loss", "float", 0.1,
              "Bad experience, with the level that runs the system, of a resident who hears of it.",
              unit="score", low=0.0, high=1.0,
              source="ANU 2022 (Biddle et al.): trust that institutions keep data private fell "
                     "substantially after the Optus breach; assumption for 0.1"),
        Param("breach_stop_online", "float", 0.36,
              "Share of those who hear of it who stop using the online channel themselves.",
              unit="share", low=0.0, high=1.0,
              source="OAIC 2023: 36% of people whose data were breached stopped using the service "
                     "(47% said they would); Janakiraman et al. 2018: customers moved to unbreached "
                     "channels"),
        Param("breach_level", "choice", "county", "The level that runs the system and bears the blame.",
              choices=("community", "township", "county"),
              source="assumption: community apps run on the district's platform"),
    )

    def setup(self, model: GovModel) -> None:
        """Bind the policy's own random stream (volunteer help and the breach)."""
        self.rng = model.streams(self.stream_name())
        self.avoids: np.ndarray | None = None  # residents who stopped filing online after a breach

    def week_start(self, model: GovModel, week: int) -> None:
        """Set the week's channels and channel hours."""
        p, levers = self.params, model.levers
        channels = levers.channels
        channels.online = True
        channels.offline = p["mode"] == "online_plus_offline"
        if p["elder_mode"]:
            channels.elder_boost += p["elder_boost"]
        channels.proxy = channels.proxy or p["proxy"]
        channels.family_help = max(channels.family_help, p["family_help"])
        if p["proxy"] and p["proxy_by"] == "volunteer":
            levers.hours_factor[PROXY] = levers.hours_factor[OFFICE]
        levers.hours_factor[ONLINE] += p["double_entry"] * levers.hours_factor[OFFICE]
        if self.avoids is not None:
            channels.avoid_online = self.avoids

    def weekly(self, model: GovModel, week: int, tally: WeekTally) -> None:
        """A data breach becomes known; volunteers teach residents who cannot yet use the app."""
        p = self.params
        if not self.active(week):
            return
        if p["breach"] and week == p["breach_week"] and self.avoids is None:
            self._breach(model)
        if p["volunteer_reach"] <= 0 or p["literacy_gain"] <= 0:
            return
        chosen, literacy = self.reached(model), model.residents.literacy
        literacy[chosen] = np.minimum(np.float32(1.0), literacy[chosen] + np.float32(p["literacy_gain"]))

    def _breach(self, model: GovModel) -> None:
        """Residents who hear of the leak lose trust in the level running the system; some stop
        using the online channel themselves for as long as the policy is in force."""
        p, res = self.params, model.residents
        heard = self.rng.random(res.n) < p["breach_reach"]
        self.avoids = heard & (self.rng.random(res.n) < p["breach_stop_online"])
        blame = attribution(**{p["breach_level"]: 1.0})
        res.change_trust(np.flatnonzero(heard), -p["breach_trust_loss"], blame)

    def reached(self, model: GovModel) -> np.ndarray:
        """Rows of the residents volunteers reach this week: below the threshold, elderly first."""
        res, channels = model.residents, model.levers.channels
        elderly = res.group == ELDERLY
        effective = res.literacy + np.float32(channels.elder_boost) * elderly
        below = effective < channels.literacy_threshold
        bounds = model.hierarchy.community_bounds  # residents are stored community by community
        quota = self.rng.poisson(self.params["volunteer_reach"] * np.diff(bounds) / 10_000.0)
        first, then = np.flatnonzero(below & elderly), np.flatnonzero(below & ~elderly)
        first_sizes = np.diff(np.searchsorted(first, bounds))
        then_sizes = np.diff(np.searchsorted(then, bounds))
        from_first = np.minimum(quota, first_sizes)
        # One draw over both pools: each community's elderly, then each community's others.
        chosen = sample_segments(self.rng, np.concatenate([first_sizes, then_sizes]),
                                 np.concatenate([from_first, quota - from_first]))
        return np.concatenate([first, then])[chosen]
