"""The administrative tree: county → townships → communities/villages → grids.

The tree is static for a run. Communities are numbered 0..K-1, urban ones
first; each township is urban (a street, 街道) or rural (a township, 乡镇).
How many there are follows the population (communities and villages of a set
size, a set number to a township) unless the scenario fixes the counts.
Residents are split between urban and rural areas by ``urban_share`` and
evenly over the communities of each kind; grids cut each community into
blocks of ``grid_size`` residents.

It is a pure function of the scenario's parameters, so it sits in the scenario
layer: the loader checks the layout a scenario implies (:mod:`.plausibility`)
and the model builds on it, both importing it from below.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Hierarchy:
    """Sizes and labels of the tree.

    Attributes:
        community_names: One label per community, e.g. ``street1/community2``.
        community_township: Township index of each community.
        community_rural: True for villages.
        community_residents: Residents in each community.
        community_grids: Number of grids in each community.
        township_rural: True for rural townships.
        community_bounds: Where each community's residents start, and their total at the end
            (``K + 1`` entries): residents are stored community by community, so community
            ``k`` holds rows ``community_bounds[k]`` to ``community_bounds[k + 1]``.
    """

    community_names: tuple[str, ...]
    community_township: np.ndarray
    community_rural: np.ndarray
    community_residents: np.ndarray
    community_grids: np.ndarray
    township_rural: np.ndarray
    community_bounds: np.ndarray

    @property
    def communities(self) -> int:
        """Number of communities and villages."""
        return len(self.community_names)

    @property
    def townships(self) -> int:
        """Number of townships and streets."""
        return len(self.township_rural)


def build_hierarchy(hierarchy: dict, population: dict) -> Hierarchy:
    """Lay out the tree from the scenario's hierarchy and population sections.

    By default the layout follows the population: urban residents fill
    communities of about ``residents_per_community``, rural ones villages of
    about ``residents_per_village``, and communities are grouped about
    ``communities_per_township`` to a street or township (as evenly as the
    counts allow), so a county ten times as large has ten times the units.
    Setting ``townships`` fixes the layout instead: that many townships of
    exactly ``communities_per_township`` communities each, a
    ``rural_township_share`` of them rural.
    """
    residents = population["residents"]
    layout = _layout_by_population if hierarchy["townships"] is None else _layout_by_count
    per_town, rural_of_town = layout(hierarchy, population)
    community_township = np.repeat(np.arange(per_town.size), per_town)
    community_rural = rural_of_town[community_township]
    n_urban = round(residents * _urban_share(population, community_rural))
    counts = np.zeros(community_township.size, dtype=np.int64)
    counts[~community_rural] = _split_evenly(n_urban, int((~community_rural).sum()))
    counts[community_rural] = _split_evenly(residents - n_urban, int(community_rural.sum()))
    grids = np.maximum(1, np.ceil(counts / hierarchy["grid_size"]).astype(np.int64))

    first = np.r_[0, np.cumsum(per_town)[:-1]]
    names = []
    for k in range(community_township.size):
        t = community_township[k]
        kind, unit = ("township", "village") if community_rural[k] else ("street", "community")
        names.append(f"{kind}{t + 1}/{unit}{k - first[t] + 1}")
    return Hierarchy(tuple(names), community_township, community_rural, counts, grids, rural_of_town,
                     np.r_[0, np.cumsum(counts)])


def township_capacity(hierarchy: dict, h: Hierarchy) -> np.ndarray:
    """Hours per week each township gives to escalated cases: fixed, or per 10,000 of its residents."""
    if hierarchy["township_capacity_hours"] is not None:
        return np.full(h.townships, float(hierarchy["township_capacity_hours"]))
    residents = np.bincount(h.community_township, weights=h.community_residents, minlength=h.townships)
    return hierarchy["township_capacity_per_10k"] * residents / 1e4


def _layout_by_population(hierarchy: dict, population: dict) -> tuple[np.ndarray, np.ndarray]:
    """Communities per township and whether each township is rural, from the population."""
    residents = population["residents"]
    n_urban = round(residents * population["urban_share"])
    urban = _units(n_urban, hierarchy["residents_per_community"])
    rural = _units(residents - n_urban, hierarchy["residents_per_village"])
    if urban + rural == 0:
        urban = 1  # a county of a handful of residents: one community holds them all
    per = hierarchy["communities_per_township"]
    streets = _split_evenly(urban, -(-urban // per))
    towns = _split_evenly(rural, -(-rural // per))
    per_town = np.r_[streets, towns].astype(np.int64)
    rural_of_town = np.r_[np.zeros(streets.size, dtype=bool), np.ones(towns.size, dtype=bool)]
    return per_town, rural_of_town


def _layout_by_count(hierarchy: dict, population: dict) -> tuple[np.ndarray, np.ndarray]:
    """Communities per township and whether each township is rural, as the scenario fixes them."""
    n_town = hierarchy["townships"]
    n_rural = round(hierarchy["rural_township_share"] * n_town)
    per_town = np.full(n_town, hierarchy["communities_per_township"], dtype=np.int64)
    return per_town, np.arange(n_town) >= n_town - n_rural


def _units(residents: int, per_unit: float) -> int:
    """Units of about ``per_unit`` residents for ``residents`` (none for nobody, else at least one)."""
    return 0 if residents <= 0 else max(1, round(residents / per_unit))


def _urban_share(population: dict, community_rural: np.ndarray) -> float:
    if community_rural.all():
        return 0.0
    if not community_rural.any():
        return 1.0
    return population["urban_share"]


def _split_evenly(total: int, parts: int) -> np.ndarray:
    if parts == 0:
        return np.zeros(0, dtype=np.int64)
    base = np.full(parts, total // parts, dtype=np.int64)
    base[: total % parts] += 1
    return base
