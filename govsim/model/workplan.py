"""How a community's staff hours are split each week.

Compulsory admin (departments' tasks, data entry, reports, overhead of holding
several posts) comes first. Then the priority rule:

* ``target_first``: every target's demand, then cases;
* ``service_first``: the compulsory part of target demand (``pressure`` ×
  demand: what evaluation forces), then cases, then the rest of the targets.

When several policies ask for target hours, the hours given are shared among
them in proportion to their demands.

Hours come from contract hours plus the overtime limit; what nobody asks for
is idle. Load is hours demanded over contract hours (a backlog counts in
full); strain is hours worked over contract hours, bounded by the overtime
limit, and is what builds burnout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class HourPlan:
    """One week's split of staff hours, per community (raw staff hours).

    Attributes:
        available: Contract hours plus overtime limit of the staff in post.
        contract: Contract hours of the staff in post.
        admin: Hours given to compulsory admin.
        per_policy: Hours given to each policy's targets.
        targets: Hours given to all targets (their sum).
        cases: Hours allowed for cases (after staff work: hours used).
        demanded: Hours asked for by admin, targets and cases together.
    """

    available: np.ndarray
    contract: np.ndarray
    admin: np.ndarray
    per_policy: list[np.ndarray]
    cases: np.ndarray
    demanded: np.ndarray

    def __post_init__(self) -> None:
        #: Hours given to all targets (read often; the split among policies is final).
        self.targets = sum(self.per_policy, np.zeros_like(self.available))

    @property
    def worked(self) -> np.ndarray:
        """Hours worked: admin, targets and cases."""
        return self.admin + self.targets + self.cases

    @property
    def idle(self) -> np.ndarray:
        """Hours available but not worked."""
        return self.available - self.worked

    @property
    def load(self) -> np.ndarray:
        """Hours demanded over contract hours (0 where nobody is in post)."""
        return np.divide(self.demanded, self.contract, out=np.zeros_like(self.demanded),
                         where=self.contract > 0)

    @property
    def strain(self) -> np.ndarray:
        """Hours worked over contract hours: what wears staff down (at most 1 + overtime share)."""
        return np.divide(self.worked, self.contract, out=np.zeros_like(self.worked),
                         where=self.contract > 0)


def plan_hours(available: np.ndarray, contract: np.ndarray, admin: np.ndarray,
               targets: list[np.ndarray | None], pressures: list[float], cases: np.ndarray,
               rule: str) -> HourPlan:
    """Split each community's hours by the priority rule (see the module docstring)."""
    zeros = np.zeros_like(available, dtype=np.float64)
    # Most policies ask for no target hours: only those that do enter the sums.
    asking = {i: np.asarray(t, dtype=np.float64) for i, t in enumerate(targets) if t is not None}
    total_target = sum(asking.values(), zeros)
    first_share = [1.0 if rule == "target_first" else p for p in pressures]
    first = sum((d * first_share[i] for i, d in asking.items()), zeros)
    left = available.astype(np.float64)
    admin_given = np.minimum(admin, left)
    left = left - admin_given
    first_given = np.minimum(first, left)
    left = left - first_given
    case_given = np.minimum(cases, left)
    left = left - case_given
    second_given = np.minimum(total_target - first, left)
    given = first_given + second_given
    share = np.divide(given, total_target, out=np.zeros_like(given), where=total_target > 0)
    return HourPlan(
        available=available.astype(np.float64), contract=contract.astype(np.float64),
        admin=admin_given, cases=case_given,
        per_policy=[asking[i] * share if i in asking else np.zeros_like(zeros) for i in range(len(targets))],
        demanded=admin + total_target + cases,
    )
