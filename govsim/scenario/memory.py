"""Estimate a run's memory before allocating anything, to refuse absurd sizes.

The figure is per resident: the state columns (about 40 bytes), the
cumulative need rates (8 bytes per category), and the temporaries of building
the population (about 10 float64 columns at peak). The constant covers the
interpreter, numpy, pandas and Mesa.
"""

from __future__ import annotations

from govsim.scenario.declarations import CATEGORIES

BYTES_PER_RESIDENT = 40 + 8 * len(CATEGORIES) + 10 * 8
BASE_BYTES = 150 * 2**20


def estimate_bytes(params: dict) -> int:
    """Peak memory a run of the resolved ``params`` is expected to need, in bytes."""
    return int(BASE_BYTES + params["population"]["residents"] * BYTES_PER_RESIDENT)
