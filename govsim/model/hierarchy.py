"""The administrative tree: county → townships → communities/villages → grids.

The tree is static for a run. Communities are numbered 0..K-1, urban ones
first; each township is urban (a street, 街道) or rural (a township, 乡镇) and
holds ``communities_per_township`` communities. Residents are split between
urban and rural areas by ``urban_share`` and evenly over the communities of
each kind; grids cut each community into blocks of ``grid_size`` residents.
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
    """Lay out the tree from the scenario's hierarchy and population sections."""
    n_town = hierarchy["townships"]
    per = hierarchy["communities_per_township"]
    n_rural_towns = round(hierarchy["rural_township_share"] * n_town)
    township_rural = np.arange(n_town) >= n_town - n_rural_towns
    community_township = np.repeat(np.arange(n_town), per)
    community_rural = township_rural[community_township]

    residents = population["residents"]
    if n_rural_towns == 0:
        urban_share = 1.0
    elif n_rural_towns == n_town:
        urban_share = 0.0
    else:
        urban_share = population["urban_share"]
    n_urban = round(residents * urban_share)
    counts = np.zeros(community_township.size, dtype=np.int64)
    counts[~community_rural] = _split_evenly(n_urban, int((~community_rural).sum()))
    counts[community_rural] = _split_evenly(residents - n_urban, int(community_rural.sum()))
    grids = np.maximum(1, np.ceil(counts / hierarchy["grid_size"]).astype(np.int64))

    names = []
    for k in range(community_township.size):
        t = community_township[k]
        kind, unit = ("township", "village") if community_rural[k] else ("street", "community")
        names.append(f"{kind}{t + 1}/{unit}{k % per + 1}")
    return Hierarchy(tuple(names), community_township, community_rural, counts, grids, township_rural,
                     np.r_[0, np.cumsum(counts)])


def _split_evenly(total: int, parts: int) -> np.ndarray:
    if parts == 0:
        return np.zeros(0, dtype=np.int64)
    base = np.full(parts, total // parts, dtype=np.int64)
    base[: total % parts] += 1
    return base
