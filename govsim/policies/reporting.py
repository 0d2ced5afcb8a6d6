"""How attainment is reported upward when a target is out of reach.

Reported attainment is the truth plus a share of the gap to the target. The
share grows with pressure (how hard the target is enforced) and falls with the
chance of an audit, which is what the sources describe: figures are padded when
the target cannot be met and the risk of being caught is low.

    reported = true + pressure × (1 − audit_probability) × max(0, target − true)
"""

from __future__ import annotations

import numpy as np


def reported_attainment(true: np.ndarray, target: np.ndarray, pressure: float,
                        audit_probability: float) -> np.ndarray:
    """Reported attainment per unit (see the module docstring for the rule)."""
    padding = pressure * (1.0 - audit_probability)
    return true + padding * np.maximum(0.0, target - true)


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
