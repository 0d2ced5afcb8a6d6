"""Residents' trust in each level of government, as arrays.

Each resident holds trust in four levels (:data:`LEVELS`): the community or
village committee, the township or street office, the county (its
departments) and the centre, the reference level whose policies the others
carry out. Trust is a number in [0, 1] that moves in bounded steps
(``docs/odd.md`` §7.11):

* a good experience of size ``g`` moves trust a share ``g`` of the way up,
  ``T ← T + g(1 − T)``; a bad one of size ``l`` a share ``l`` of the way down,
  ``T ← T(1 − l)``; so steps shrink near the bounds and trust never leaves
  [0, 1];
* between experiences trust fades toward the resident's resting level ``R``,
  ``T ← T + η(R − T)`` each week, the same ``R`` for every level.

Fading touches every resident every week, and the weekly means by group and
community are read every week, so both are kept cheap. The book stores each
resident's distance from rest divided by a global scale, ``D = (T − R) / s``.
Fading multiplies ``s`` by ``1 − η``, which is O(1). A change writes only the
rows it touches. Sums of ``D`` by stratum and by community are kept up to date
with every write, so the weekly means cost O(strata + communities) rather than
O(residents). When ``s`` has shrunk below :data:`RESCALE_BELOW`, ``D`` is
multiplied out and the sums are recomputed exactly.

Memory is long (years), longer than the warm-up, so trust would still be
drifting toward its stationary level for years after week 0. Instead the
book learns during the warm-up how often residents of each stratum and
community have good and bad experiences with each level (:meth:`learn`), and
at its end puts every resident's trust in each level at the stationary point
of the expected dynamics for her cell (:meth:`settle`). The reported weeks
then start in the steady state: no drift, only the mechanism's orderings.
"""

from __future__ import annotations

import numpy as np

#: Levels trust is held in, bottom up.
LEVELS = ("community", "township", "county", "centre")
COMMUNITY, TOWNSHIP, COUNTY, CENTRE = range(4)
#: The "local government" of the aggregate ``trust`` metric: every level but the centre.
LOCAL = (COMMUNITY, TOWNSHIP, COUNTY)
#: The scale is folded back into the deviations when it falls below this (precision).
RESCALE_BELOW = 0.25
#: Mark of a resident with several entries in one call, in :attr:`TrustBook._last`.
REPEATED = -1


def _cells(who: np.ndarray, steps: np.ndarray, weights: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (level, resident) cells that experiences touch, level by level, and each one's step.

    ``weights`` is one weight per level: every entry touches the same levels,
    so the cells are a block, ``level`` a column (a level per row of the
    block), ``rows`` the entries and ``step`` a level × entry matrix, and each
    resident's rest, stratum and community are read once rather than once per
    level. Or ``weights`` is a matrix (level × entry): then the cells are
    flat arrays, and a cell whose step is zero is left out. Either way steps
    are clipped to [-1, 1].
    """
    if weights.ndim == 1:
        levels = np.flatnonzero(weights)
        level, rows, step = levels[:, None], who, np.outer(weights[levels], steps)
    else:
        table = np.multiply(steps, weights, order="C")  # weights may come transposed: ravel is free
        # Flat indices of a boolean mask: far quicker than np.nonzero of the float table.
        flat = np.flatnonzero(table != 0)
        level, entry = np.divmod(flat, who.size)
        rows, step = who[entry], table.ravel()[flat]
    np.maximum(step, -1.0, out=step)  # a new array in every branch: clipped in place
    return level, rows, np.minimum(step, 1.0, out=step)


def _sides(step: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Logs of the share of the distance left, of good steps (toward 1) and of bad ones
    (toward 0). Most calls are all good or all bad: a side with nothing on it is None."""
    good = step > 0
    with np.errstate(divide="ignore"):  # a step of ±1 takes trust to a bound: log(0) = -inf
        shrink = np.log1p(-np.abs(step))
    if good.all():
        return shrink, None
    if not good.any():
        return None, shrink
    return np.where(good, shrink, 0.0), np.where(good, 0.0, shrink)


def _group(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values, sorted, and the index of each value's group (``np.unique``'s inverse)."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    inverse = np.empty(values.size, dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse


def _part(logs: np.ndarray | None, which: np.ndarray) -> np.ndarray | None:
    return None if logs is None else logs[which]


def attribution(**weights: float) -> np.ndarray:
    """Weights of an experience per level, by name, e.g. ``attribution(community=1, county=0.5)``."""
    unknown = weights.keys() - set(LEVELS)
    if unknown:
        raise ValueError(f"unknown trust levels {sorted(unknown)}; levels are {LEVELS}")
    return np.array([float(weights.get(name, 0.0)) for name in LEVELS])


#: An experience that concerns the community or village committee alone.
COMMUNITY_ONLY = attribution(community=1.0)


class TrustBook:
    """Trust of ``n`` residents in each of :data:`LEVELS` (see the module docstring).

    Args:
        rest: Each resident's resting level; every level starts there.
        community: Community index of each resident (rows grouped by community).
        stratum: Stratum of each resident; :meth:`reset` is told when it changes.
        communities: Number of communities.
        strata: Number of strata.
    """

    def __init__(self, rest: np.ndarray, community: np.ndarray, stratum: np.ndarray, communities: int,
                 strata: int) -> None:
        self.n = rest.size
        self.rest = np.asarray(rest, dtype=np.float32).copy()
        # Resident by level: a resident's levels share a cache line, as a change touches several.
        self.dev = np.zeros((self.n, len(LEVELS)), dtype=np.float32)
        self.scale = 1.0
        self._community, self._stratum = community, stratum
        # Compact copies for the cells' sums: fewer bytes to fetch per resident touched.
        self._where_c = community.astype(np.int16 if communities < 2**15 else np.int32)
        self._where_s = stratum.astype(np.int8 if strata < 2**7 else np.int32)
        self._sizes = (communities, strata)
        self._mass: np.ndarray | None = None  # experience rates being learnt (see settle)
        self._last = np.zeros(self.n, dtype=np.int32)  # scratch for finding repeats (_mark_repeats)
        self._sum_all()

    # -- reading ------------------------------------------------------------------------
    def level(self, level: int, rows: np.ndarray | slice | None = None) -> np.ndarray:
        """Trust in ``level`` of residents ``rows`` (default: all), float32."""
        rows = slice(None) if rows is None else rows
        return self.rest[rows] + np.float32(self.scale) * self.dev[rows, level]

    def at(self, levels: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Trust of resident ``rows[j]`` in level ``levels[j]`` (e.g. where each case sits)."""
        return self.rest[rows] + np.float32(self.scale) * self.dev[rows, levels]

    def local(self) -> np.ndarray:
        """Every resident's mean trust over the local levels (:data:`LOCAL`): the aggregate."""
        # Level by level, C-contiguous as before the book was stored resident by level: the mean
        # adds the levels in the same order, so the float32 result is the same to the bit.
        local = np.ascontiguousarray(self.dev[:, list(LOCAL)].T)
        return self.rest + np.float32(self.scale) * local.mean(axis=0)

    def sums(self, level: int) -> tuple[np.ndarray, np.ndarray]:
        """Sums of trust in ``level`` by stratum and by community (float64)."""
        return (self._rest_stratum + self.scale * self._dev_stratum[level],
                self._rest_community + self.scale * self._dev_community[level])

    # -- changing -----------------------------------------------------------------------
    def change(self, who: np.ndarray, step: np.ndarray | float, weights: np.ndarray,
               distinct: bool = False) -> None:
        """Experiences: resident ``who[j]`` has one of signed size ``step[j]`` (or one size for all).

        A positive step is good, a negative one bad; level ``k`` moves by
        ``step × weights[k]`` in the bounded form of the module docstring.
        ``weights`` is one weight per level, or a matrix (level × entry) with
        one column per entry of ``who``.
        Repeats of a resident compound; within one call good experiences are
        applied before bad ones. ``distinct=True`` promises no resident appears
        twice, which spares looking for repeats.
        """
        who = np.asarray(who, dtype=np.int64)
        if who.size == 0:
            return
        steps = np.asarray(step, dtype=np.float64)
        if steps.shape != who.shape:  # one size for all (np.full: quicker than np.broadcast_to)
            steps = np.full(who.shape, steps) if steps.ndim == 0 else np.broadcast_to(steps, who.shape)
        self._apply(who, steps, weights, distinct=distinct)

    def change_rows(self, rows: slice, step: float, weights: np.ndarray) -> None:
        """One experience of size ``step`` for every resident of a block of rows (one community)."""
        index = np.arange(rows.start, rows.stop)
        if index.size:
            self._apply(index, np.full(index.size, float(step)), weights, distinct=True)

    def fade(self, rate: float) -> None:
        """A week of fading toward rest: O(1) (the scale shrinks)."""
        if rate <= 0:
            return
        self.scale *= 1.0 - rate
        if self.scale < RESCALE_BELOW:
            self.dev *= np.float32(self.scale)
            self.scale = 1.0
            self._sum_all()

    def reset(self, rows: np.ndarray, rest: np.ndarray, old_stratum: np.ndarray) -> None:
        """Newcomers in ``rows``: rest and trust in every level at ``rest``.

        ``old_stratum`` is the rows' stratum before the change; the book reads
        the new one from the residents' array.
        """
        communities, strata = self._sizes
        c = self._community[rows]
        old_rest = self.rest[rows].astype(np.float64)
        self._rest_stratum -= np.bincount(old_stratum, old_rest, strata)
        self._rest_community -= np.bincount(c, old_rest, communities)
        for k in range(len(LEVELS)):
            old = self.dev[rows, k].astype(np.float64)
            self._dev_stratum[k] -= np.bincount(old_stratum, old, strata)
            self._dev_community[k] -= np.bincount(c, old, communities)
        self.rest[rows] = rest
        self.dev[rows] = 0.0
        self._where_s[rows] = self._stratum[rows]
        new_rest = self.rest[rows].astype(np.float64)
        self._rest_stratum += np.bincount(self._stratum[rows], new_rest, strata)
        self._rest_community += np.bincount(c, new_rest, communities)

    def learn(self) -> None:
        """Start counting experiences per (level, stratum, community), for :meth:`settle`."""
        communities, strata = self._sizes
        self._mass = np.zeros((2, len(LEVELS), strata * communities))

    def settle(self, weeks: int, rate: float) -> None:
        """Put trust at the stationary point of the experiences counted over ``weeks`` weeks.

        With ``u`` and ``v`` a cell's mean weekly good and bad experience per
        resident (as rates: minus the log of the share of distance left) and
        ``e = -log(1 - rate)`` the fading rate, the expected weekly change of
        trust ``T`` with rest ``R`` is ``u(1 - T) - vT + e(R - T)``, zero at
        ``T* = (u + eR) / (u + v + e)``.
        """
        if self._mass is None or weeks <= 0:
            self._mass = None
            return
        communities, strata = self._sizes
        fading = -np.log1p(-min(rate, 1.0 - 1e-12))
        # Community by community (rows are grouped by community), so that a population of ten
        # million needs no temporary array of its size: T* - R = (u(1 - R) - vR) / (u + v + e).
        bounds = np.searchsorted(self._community, np.arange(communities + 1))
        per_cell = np.bincount(self._stratum * communities + self._community, minlength=strata * communities)
        residents = (np.maximum(per_cell, 1) * weeks).reshape(strata, communities)
        good = self._mass[0].reshape(len(LEVELS), strata, communities) / residents
        bad = self._mass[1].reshape(len(LEVELS), strata, communities) / residents
        for c in range(communities):
            block = slice(int(bounds[c]), int(bounds[c + 1]))
            stratum, rest = self._stratum[block], self.rest[block].astype(np.float64)
            u, v = good[:, stratum, c], bad[:, stratum, c]  # (level, resident)
            total = u + v + fading
            shift = np.divide(u * (1.0 - rest) - v * rest, total, out=np.zeros_like(total), where=total > 0)
            self.dev[block] = (shift / self.scale).astype(np.float32).T
        self._mass = None
        self._sum_all()

    # -- inside -------------------------------------------------------------------------
    def _apply(self, who: np.ndarray, steps: np.ndarray, weights: np.ndarray, distinct: bool) -> None:
        """Apply experiences to every level at once, as (level, resident) cells of the flat book.

        Only cells with a nonzero step are touched. Most residents have one
        experience a week, so repeats are looked for once and compounded only
        when present; within a cell the good steps come before the bad.
        """
        level, rows, step = _cells(who, steps, np.asarray(weights, dtype=np.float64))
        if step.size == 0:
            return
        if distinct or not self._mark_repeats(who):
            self._move(level, rows, *_sides(step))
            return
        level, rows = (np.broadcast_to(a, step.shape).ravel() for a in (level, rows))  # flat cells
        up, down = _sides(step.ravel())
        # Compound the few residents with several experiences apart: the others first, as they
        # come, then each repeated cell once, in cell order (the sums add up in that order).
        many = self._last[rows] == REPEATED
        once = np.flatnonzero(~many)
        self._move(level[once], rows[once], _part(up, once), _part(down, once))
        many = np.flatnonzero(many)
        cells, inverse = _group(level[many] * self.n + rows[many])
        up = None if up is None else np.bincount(inverse, up[many], cells.size)
        down = None if down is None else np.bincount(inverse, down[many], cells.size)
        self._move(*np.divmod(cells, self.n), up, down)

    def _mark_repeats(self, who: np.ndarray) -> bool:
        """Whether a resident appears more than once in ``who``; if so, each such resident's
        entry of the scratch array ``_last`` is set to :data:`REPEATED` (the others' hold their
        last position in ``who``).

        A scatter and a gather over ``who``: cheaper than sorting it, and most calls find none.
        """
        if who.size < 2:
            return False
        position = np.arange(who.size, dtype=np.int32)
        self._last[who] = position  # of a resident's several entries, the last one wins
        overwritten = self._last[who] != position
        if not overwritten.any():
            return False
        self._last[who[overwritten]] = REPEATED
        return True

    def _move(self, level: np.ndarray, rows: np.ndarray, up: np.ndarray | None,
              down: np.ndarray | None) -> None:
        """Distinct cells (``level``, ``rows``): keep ``exp(up)`` of the distance to 1, then
        ``exp(down)`` of the distance to 0 (None: no such experiences); the sums (and the
        warm-up's counts) follow, adding up cell by cell, level by level.

        The cells are flat arrays, or a block (``level`` a column, ``rows`` a row, the
        logs a matrix: see :func:`_cells`). Trust is worked out in float64 in place (the
        float32 rest and book values are promoted exactly where they meet float64).
        """
        communities, strata = self._sizes
        levels = len(LEVELS)
        where_c, where_s = self._where_c[rows], self._where_s[rows]
        if self._mass is not None:  # a step of ±1 counts as a very large rate, not infinity
            cell = (level * strata + where_s) * communities + where_c
            size = levels * strata * communities
            for side, logs in enumerate((up, down)):
                if logs is not None:
                    self._mass[side] -= np.bincount(cell.ravel(), np.maximum(logs, -50.0).ravel(),
                                                    size).reshape(levels, -1)
        cells = rows * len(LEVELS) + level
        flat = self.dev.reshape(-1)  # a view: dev is C-contiguous
        rest = self.rest[rows]
        old = flat[cells]
        trust = np.multiply(old, self.scale, dtype=np.float64)
        trust += rest
        if up is not None:  # T <- 1 - (1 - T) exp(up)
            np.subtract(1.0, trust, out=trust)
            trust *= np.exp(up)
            np.subtract(1.0, trust, out=trust)
        if down is not None:
            trust *= np.exp(down)
        trust -= rest
        trust /= self.scale
        new = trust.astype(np.float32)
        flat[cells] = new
        delta = np.subtract(new, old, dtype=np.float64).ravel()
        self._dev_stratum += np.bincount((level * strata + where_s).ravel(), delta,
                                         levels * strata).reshape(levels, -1)
        self._dev_community += np.bincount((level * communities + where_c).ravel(), delta,
                                           levels * communities).reshape(levels, -1)

    def _sum_all(self) -> None:
        communities, strata = self._sizes
        self._rest_stratum = np.bincount(self._stratum, self.rest, strata)
        self._rest_community = np.bincount(self._community, self.rest, communities)
        self._dev_stratum = np.stack([np.bincount(self._stratum, d, strata) for d in self.dev.T])
        self._dev_community = np.stack([np.bincount(self._community, d, communities) for d in self.dev.T])


def case_attribution_table(behaviour: dict) -> np.ndarray:
    """:func:`case_attribution` for every case: shape (good, level the case was at, level attributed)."""
    return np.array([[case_attribution(level, good, behaviour) for level in range(len(LEVELS))]
                     for good in (False, True)])


def case_attribution(level: int, good: bool, behaviour: dict) -> np.ndarray:
    """Weights per level of a case's outcome, for a case closed (or given up) at ``level``.

    The level that had the case bears the outcome in full. A good outcome is
    also credited in part to the centre, whose policy the service is
    (``centre_credit``); a bad one is blamed in part on the levels below that
    passed the case up without solving it (``pass_blame``) and, a little, on
    the centre (``centre_blame``). ``docs/odd.md`` §7.11 gives the sources.
    """
    weights = np.zeros(len(LEVELS))
    weights[level] = 1.0
    if good:
        weights[CENTRE] += behaviour["centre_credit"]
    else:
        weights[COMMUNITY:level] = behaviour["pass_blame"]
        weights[CENTRE] += behaviour["centre_blame"]
    return weights


def mandate_attribution(behaviour: dict) -> np.ndarray:
    """Weights per level of a harm a county mandate does (forced planting, coercion, lost income).

    The county set the mandate and the community or village enforced it: both
    bear the harm in full. The township relayed it, and under layered
    inflation (层层加码) raised it, so it bears a share ``mandate_relay_blame``.
    """
    return attribution(community=1.0, township=behaviour["mandate_relay_blame"], county=1.0)
