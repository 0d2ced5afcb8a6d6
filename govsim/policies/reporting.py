"""How attainment is reported upward: a decision of the official who reports.

Each reporting unit (a community or village) has an official who chooses how
much of the gap between the target and the truth to pad, weighing the reward of
a better figure against the expected sanction if an audit finds it (the
expected-utility form of Becker 1968). With ``p`` the pressure on the
indicator, ``q`` the yearly chance of an audit as the official sees it and
``s`` the sanction, a padded share ``x`` of the gap ``G`` earns ``p·x·G`` and
risks ``q·s·x²·G/2``. The quadratic term says bigger lies are easier to see
(Ghanem & Zhang 2014: falsification clusters where it is least detectable). The
best share is

    x* = min(1, p / (q · s))        (x* = 1 when q · s = 0 and p > 0)
    reported = true + x* · max(0, target − true)

An audit (weekly hazard from ``q``) replaces the figure with the truth. If the
report was padded, the official is caught:
- rectification hours (by the policy);
- audits ``vigilance`` times as likely for ``vigilance_weeks`` weeks, which the
  official knows, so padding falls;
- with chance ``exposure`` the case is made public, costing every resident of
  the unit trust in its committee.

The gap between reported and true attainment is thus an output of pressure,
audit intensity, sanction and each unit's history, not a fixed formula.
"""

from __future__ import annotations

import numpy as np

from govsim.scenario.params import Param

#: Parameters of the reporting decision, shared by every policy with a reported figure.
REPORTING_PARAMS = (
    Param("sanction", "float", 5.0,
          "Weight of being caught padding, against the reward of a better figure (Becker's f).",
          unit="×", low=0.0, high=1000.0,
          source="Becker 1968, Crime and punishment (expected-utility form); assumption for 5"),
    Param("vigilance", "float", 3.0, "How many times likelier audits are after padding was caught.",
          unit="×", low=1.0, high=100.0, source="assumption: closer inspection of those caught"),
    Param("vigilance_weeks", "int", 52, "Weeks audits stay closer after padding was caught.",
          unit="weeks", low=0, high=520, source="assumption: one evaluation year"),
    Param("exposure", "float", 0.3, "Chance caught padding is made public.", unit="share", low=0.0,
          high=1.0, source="assumption"),
    Param("exposure_trust_loss", "float", 0.05,
          "Trust in its committee each resident of a unit loses when its padding is made public.",
          unit="score", low=0.0, high=1.0, source="assumption"),
)


class Reporter:
    """The reporting officials of ``units`` units (see the module docstring).

    Args:
        units: Number of reporting units.
        params: The policy's parameters (``pressure``, ``audit_probability`` and
            :data:`REPORTING_PARAMS`).
        weeks_per_year: Weeks in a year (audit hazards are weekly).
        rng: The policy's random stream.
    """

    def __init__(self, units: int, params: dict, weeks_per_year: int, rng: np.random.Generator) -> None:
        self.params, self.weeks, self.rng = params, weeks_per_year, rng
        self.alert_until = np.full(units, np.iinfo(np.int64).min)
        self.caught_total = np.zeros(units, dtype=np.int64)

    def audit_probability(self, week: int) -> np.ndarray:
        """Each unit's yearly audit chance this week: higher for a while after being caught."""
        p = self.params
        alert = week <= self.alert_until
        return np.minimum(1.0, p["audit_probability"] * np.where(alert, p["vigilance"], 1.0))

    def padding(self, week: int) -> np.ndarray:
        """The share of the gap each unit's official chooses to pad: ``min(1, p / (q s))``."""
        pressure = self.params["pressure"]
        risk = self.audit_probability(week) * self.params["sanction"]
        if pressure <= 0:
            return np.zeros(risk.size)
        return np.minimum(1.0, np.divide(pressure, risk, out=np.ones(risk.size), where=risk > 0))

    def audit(self, reported: np.ndarray, true: np.ndarray, week: int) -> tuple[np.ndarray, np.ndarray]:
        """This week's audits of the standing reports: (audited, caught padding) per unit."""
        chance = 1.0 - (1.0 - self.audit_probability(week)) ** (1.0 / self.weeks)
        audited = self.rng.random(chance.size) < chance
        caught = audited & (reported > true + 1e-9)
        self.alert_until[caught] = week + self.params["vigilance_weeks"]
        self.caught_total += caught
        return audited, caught

    def report(self, true: np.ndarray, target: np.ndarray, week: int) -> np.ndarray:
        """This week's reports: the truth plus each official's chosen share of the gap."""
        return true + self.padding(week) * np.maximum(0.0, target - true)

    def exposed(self, caught: np.ndarray) -> np.ndarray:
        """Which of the caught units see their padding made public (one draw per unit caught)."""
        out = np.zeros(caught.size, dtype=bool)
        out[caught] = self.rng.random(int(caught.sum())) < self.params["exposure"]
        return out


def weekly_audit_chance(yearly: float, weeks_per_year: int) -> float:
    """Weekly hazard that gives the yearly audit probability."""
    return 1.0 - (1.0 - yearly) ** (1.0 / weeks_per_year)


def inflate(top: float, margin: float, margin_sd: float, lineage: list[np.ndarray],
            rng: np.random.Generator, units: int, cap: float = 1.0) -> np.ndarray:
    """The target as it reaches each bottom unit after one hand-down per level.

    Args:
        top: The target set at the top.
        margin: Mean raise each level adds to what it received (0.1 = +10%).
        margin_sd: Standard deviation of that raise between offices of a level.
        lineage: For each level, top down, the office of that level above each
            bottom unit (e.g. ``[zeros, township_of_unit, unit_ids]``); each
            office draws one raise, shared by every unit below it.
        rng: The policy's random stream.
        units: Number of bottom units.
        cap: Upper bound for the bottom target (1 for a share).

    Returns:
        The bottom target per unit; a raise is never negative.
    """
    target = np.full(units, float(top))
    for office in lineage:
        raises = np.maximum(0.0, margin + margin_sd * rng.standard_normal(int(office.max()) + 1))
        target *= 1.0 + raises[office]
    return np.minimum(cap, target)
