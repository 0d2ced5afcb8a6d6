"""Picking rows: membership masks and random samples within segments.

Residents are stored community by community, so "some residents of each
community" is a question about segments of one index array. These helpers
answer such questions with a fixed number of array operations, however many
segments there are: no Python loop over communities, and no sort where a
mask will do (``np.isin`` sorts both sides on every call).
"""

from __future__ import annotations

import numpy as np


def mask_of(rows: np.ndarray, size: int) -> np.ndarray:
    """Bool array of length ``size``, True at ``rows`` (for membership tests by indexing)."""
    mask = np.zeros(size, dtype=bool)
    mask[rows] = True
    return mask


def sample_segments(rng: np.random.Generator, sizes: np.ndarray, takes: np.ndarray) -> np.ndarray:
    """A uniform random subset of ``takes[k]`` positions of each segment ``k``, without replacement.

    Segments are consecutive runs of ``sizes[k]`` positions (0 to
    ``sizes.sum()``); ``takes`` is capped at ``sizes``. Returns global
    positions, segment by segment.

    Positions are drawn with replacement and repeats are dropped, round after
    round, until each segment has its count: a draw that treats every
    position alike, so the subset is uniform. Where more than half a segment
    is wanted, the positions left out are drawn instead, so rounds stay few.
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    takes = np.minimum(np.asarray(takes, dtype=np.int64), sizes)
    starts = np.cumsum(sizes) - sizes
    most = 2 * takes > sizes
    draws = np.where(most, sizes - takes, takes)
    picked = np.zeros(0, dtype=np.int64)  # global positions, distinct, in draw order
    have = np.zeros(sizes.size, dtype=np.int64)
    while (need := draws - have).any():
        segment = np.repeat(np.arange(sizes.size), need)
        fresh = starts[segment] + (rng.random(segment.size) * sizes[segment]).astype(np.int64)
        candidates = np.concatenate([picked, fresh])
        _, first = np.unique(candidates, return_index=True)
        picked = candidates[np.sort(first)]
        have = np.diff(np.searchsorted(np.sort(picked), np.append(starts, sizes.sum())))
    if not most.any():
        return np.sort(picked)
    # Segments wanted mostly: everything in them except what was drawn.
    in_most = np.repeat(most, sizes)
    keep = np.zeros(int(sizes.sum()), dtype=bool)
    keep[picked] = True
    keep[in_most] = ~keep[in_most]
    return np.flatnonzero(keep)
