"""Social organisations: active, barely alive or dormant, each with a specialty.

When funded (a government service contract, 政府购买服务) and not dormant, an
organisation gives its weekly hours to open cases of its specialty in its
community, before staff do; the model sees them as a capacity matrix
(community × category).
"""

from __future__ import annotations

import mesa
import numpy as np

from govsim.model.agent import GovAgent
from govsim.scenario.declarations import CATEGORIES

STATUSES = ("active", "barely", "dormant")


class Organisation(GovAgent):
    """One social organisation.

    Attributes:
        community: Community it serves.
        status: ``active``, ``barely`` or ``dormant``.
        specialty: Index of the need category it serves.
        funded: Whether it holds a service contract.
        capacity_hours: Hours per week it gives when funded and not dormant.
        contract_hours: Most hours a week its contract pays for (None: all it
            can give, as under the standing contracts the scenario draws;
            procurement buys a set number of hours).
    """

    def __init__(self, model: mesa.Model, community: int, status: str, specialty: int,
                 funded: bool, capacity_hours: float) -> None:
        super().__init__(model)
        self.community = community
        self.status = status
        self.specialty = specialty
        self.funded = funded
        self.capacity_hours = capacity_hours
        self.contract_hours: float | None = None

    @property
    def weekly_hours(self) -> float:
        """Hours it gives this week."""
        if not self.funded or self.status == "dormant":
            return 0.0
        if self.contract_hours is None:
            return self.capacity_hours
        return min(self.capacity_hours, self.contract_hours)


def build_organisations(model: mesa.Model, spec: dict, communities: int,
                        rng: np.random.Generator) -> list[Organisation]:
    """Draw each community's organisations: number, status, specialty, contract."""
    orgs = []
    counts = rng.poisson(spec["per_community"], communities)
    specialties = [CATEGORIES.index(c) for c in spec["specialties"]]
    shares = [spec["share_active"], spec["share_barely"]]
    for k, count in enumerate(counts):
        for _ in range(count):
            u = rng.random()
            status = "active" if u < shares[0] else "barely" if u < sum(shares) else "dormant"
            capacity = spec["capacity_active"] if status == "active" else spec["capacity_barely"]
            funded = status != "dormant" and rng.random() < spec["funded_share"]
            specialty = specialties[rng.integers(len(specialties))] if specialties else 0
            orgs.append(Organisation(model, k, status, specialty, funded, capacity))
    return orgs


def capacity_matrix(orgs: list[Organisation], communities: int) -> np.ndarray:
    """Weekly hours of funded organisations per (community, category)."""
    cap = np.zeros((communities, len(CATEGORIES)))
    for org in orgs:
        cap[org.community, org.specialty] += org.weekly_hours
    return cap
