"""Share a budget of hours (or money) among queued items, group by group.

The model's queues are all of one shape: items (cases) belong to a group (a
community, township or department), wait in an order (earliest deadline
first), and each group has a capacity this week. :func:`serve_in_order` gives
each item, in order, as much of its group's capacity as is left, fully
vectorised: no Python loop over items or groups.
"""

from __future__ import annotations

import numpy as np


def serve_in_order(
    group: np.ndarray, need: np.ndarray, capacity: np.ndarray
) -> np.ndarray:
    """Amount each item receives when groups serve their queues in order.

    Args:
        group: Group index of each item, items already sorted so that each
            group's items are contiguous and in service order.
        need: Amount each item still needs (>= 0).
        capacity: Amount each group can give (>= 0), indexed by group.

    Returns:
        Amount given to each item, ``0 <= given <= need``; per group the total
        given is ``min(capacity, total need)``.
    """
    if need.size == 0:
        return np.zeros(0, dtype=np.float64)
    need = need.astype(np.float64, copy=False)
    cum = np.cumsum(need)
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    offset = np.repeat(cum[starts] - need[starts], np.diff(np.r_[starts, need.size]))
    before = cum - need - offset  # need served ahead of this item, within its group
    left = capacity[group] - before
    return np.clip(left, 0.0, need)


def order_by(group: np.ndarray, *keys: np.ndarray) -> np.ndarray:
    """Permutation that sorts items by group, then by each key in turn."""
    return np.lexsort((*reversed(keys), group))


def grouped_sum(group: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sum of ``values`` per group, as an array of length ``size``."""
    return np.bincount(group, weights=values, minlength=size)[:size]
