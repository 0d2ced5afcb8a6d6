"""Budget earmarking (专款专用): service money tied to categories.

While in force, each year's service money reaches communities split into a
flexible share and category lines weighted by ``lines``. A case that needs
money draws on its own line, then on the flexible share; money left at year
end lapses. When the lines do not match local needs (S0: funds for basic
repairs, none for handrails), money lapses while cases wait.

The split is set at each year's start, so a window that starts mid-year takes
effect from the next year. With several earmarking policies, the last in the
scenario's list that is in force decides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from govsim.model.policy import Policy, declare
from govsim.scenario.declarations import CATEGORIES
from govsim.scenario.params import Param

if TYPE_CHECKING:
    from govsim.model.govmodel import GovModel


class BudgetEarmarking(Policy):
    """Split each year's service money into category lines and a flexible share."""

    type_name = "budget_earmarking"
    PARAMS = declare(
        "budget_earmarking", "Money tied to category lines, with a flexible share (S0, S2, S3).",
        Param("flexible_share", "float", 0.0, "Share of the money usable for any case "
              "(0 fully earmarked, 1 block grant).", unit="share", low=0.0, high=1.0,
              source="S3: working funds mostly tied to office costs"),
        Param("lines", "mapping", {"repair": 1.0}, "Relative weight of each category's line.",
              unit="weight", low=0.0, high=1e9, keys=CATEGORIES,
              source="S0: funds for basic repairs, none for handrails and ramps"),
    )

    def year_start(self, model: GovModel, week: int) -> None:
        """Split this year's money if the policy is in force, else leave a block grant."""
        if self.active(week):
            weights = np.array([float(self.params["lines"].get(c, 0.0)) for c in CATEGORIES])
            model.budget.earmark(self.params["flexible_share"], weights)
