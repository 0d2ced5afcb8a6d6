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
    ahead = np.cumsum(need) - need  # need ahead of each item in the whole queue
    first = np.empty(need.size, dtype=bool)  # the first item of its group
    first[0] = True
    np.not_equal(group[1:], group[:-1], out=first[1:])
    start = np.maximum.accumulate(np.where(first, np.arange(need.size), 0))  # its group's first
    left = capacity[group] - (ahead - ahead[start])  # minus need ahead within its group
    return np.clip(left, 0.0, need)


#: Queues shorter than this are sorted by np.lexsort: packing keys costs more than it saves.
PACK_FROM = 1000


def order_by(group: np.ndarray, *keys: np.ndarray) -> np.ndarray:
    """Permutation that sorts items by group, then by each key in turn (ties keep their order).

    On long queues, whole-number keys that fit together in 63 bits are packed
    into one integer and sorted once (stably): the same order as
    ``np.lexsort``, which sorts once per key and costs twice as much there.
    """
    columns = (*reversed(keys), group)  # least significant first, as for np.lexsort
    if group.size < PACK_FROM or not all(np.issubdtype(c.dtype, np.integer) or c.dtype == bool
                                         for c in columns):
        return np.lexsort(columns)
    packed, shift = np.zeros(group.size, dtype=np.int64), 0
    for column in columns:
        low = int(column.min())
        bits = (int(column.max()) - low).bit_length()
        if shift + bits > 63:
            return np.lexsort(columns)
        packed |= (column.astype(np.int64) - low) << shift
        shift += bits
    return np.argsort(packed, kind="stable")


def grouped_sum(group: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sum of ``values`` per group, as an array of length ``size``."""
    return np.bincount(group, weights=values, minlength=size)[:size]


def segment_sums(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Sum of ``values[bounds[i]:bounds[i + 1]]`` for each i (0 for an empty segment).

    For items stored group by group (residents by community, farmers by
    village): a contiguous reduction, much faster than :func:`grouped_sum`,
    whose bincount is slow when neighbouring items share a group.
    """
    filled = np.diff(bounds) > 0
    sums = np.zeros(filled.size)
    if filled.any():  # each filled segment runs to the next filled one's start
        sums[filled] = np.add.reduceat(values, bounds[:-1][filled], dtype=np.float64)
    return sums
