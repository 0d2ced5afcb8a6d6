"""Every need's fate: the due book behind coverage, and the case ledger behind ``--cases``.

Coverage and the other due-based measures are defined over needs, not over
the week's events: a need *falls due* in the week of its deadline, whether it
was filed or not, and it *was met in time* when its case closed in that week
or before. An in-time answer always comes by the deadline, so when week ``w``
ends both counts of the needs due in ``w`` are final and can be recorded then.
:class:`DueBook` keeps these counts, filed by deadline week, per stratum and
per community; the metrics of week ``w`` take them out.

:class:`CaseLedger` (kept only on request: it costs memory) writes one row per
need as it closes, and the still-open ones at the end, so that every reported
figure can be recomputed from cases (``docs/odd.md``, "Case ledger").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from govsim.model.cases import CHANNELS, LEVELS
from govsim.model.residents import N_STRATA
from govsim.scenario.declarations import CATEGORIES, FLAGS, GROUPS

if TYPE_CHECKING:
    from govsim.model.govmodel import GovModel

#: What became of a need, in the ledger's ``outcome`` column.
OUTCOMES = ("in_time", "late", "abandoned", "excluded", "open", "left")
IN_TIME, LATE, ABANDONED, EXCLUDED, OPEN, LEFT = range(len(OUTCOMES))
#: Channel code of a need that could not be filed (it has no channel).
NO_CHANNEL = -1
#: Level code of a need that never reached a level (excluded) or has not closed (open).
NO_LEVEL = -1


class DueBook:
    """Needs counted by deadline week: how many fall due, and how many were met in time.

    Each entry is a pair of count arrays, per stratum (``N_STRATA``) and per
    community, for one deadline week. Weeks are added to as needs are raised
    and answered, and taken out (and forgotten) once their week is over.
    """

    def __init__(self, communities: int) -> None:
        self.communities = communities
        self._due: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._met: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def add_due(self, deadline: np.ndarray, stratum: np.ndarray, community: np.ndarray) -> None:
        """Count needs with these deadlines as falling due then."""
        self._add(self._due, deadline, stratum, community)

    def add_met(self, deadline: np.ndarray, stratum: np.ndarray, community: np.ndarray) -> None:
        """Count needs answered by their deadline (call only for those)."""
        self._add(self._met, deadline, stratum, community)

    def take(self, week: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Needs due in ``week`` and of those met in time: (due by stratum, due by community,
        met by stratum, met by community). The week's entries are forgotten."""
        zero = (np.zeros(N_STRATA, dtype=np.int64), np.zeros(self.communities, dtype=np.int64))
        due, met = self._due.pop(week, zero), self._met.pop(week, zero)
        return due[0], due[1], met[0], met[1]

    def _add(self, book: dict, deadline: np.ndarray, stratum: np.ndarray,
             community: np.ndarray) -> None:
        if deadline.size == 0:
            return
        first = int(deadline.min())
        span = int(deadline.max()) - first + 1
        offset = deadline.astype(np.int64) - first
        by_stratum = np.bincount(offset * N_STRATA + stratum, minlength=span * N_STRATA)
        by_community = np.bincount(offset * self.communities + community,
                                   minlength=span * self.communities)
        for i in range(span):
            s = by_stratum[i * N_STRATA:(i + 1) * N_STRATA]
            k = by_community[i * self.communities:(i + 1) * self.communities]
            if not k.any():
                continue
            held = book.get(first + i)
            if held is None:
                book[first + i] = (s.copy(), k.copy())
            else:
                held[0][:] += s
                held[1][:] += k


#: Columns of the case table the ledger keeps of each need.
CASE_FIELDS = ("case_id", "resident", "stratum", "community", "category", "channel", "raised",
               "deadline", "level", "bounced")
#: The ledger's columns as kept while the run goes (codes; labels are put on at the end).
_COLUMNS = (*CASE_FIELDS, "closed", "outcome")


class CaseLedger:
    """One row per need, appended as needs close; the open ones are added by :meth:`frame`."""

    def __init__(self) -> None:
        self._parts: list[dict[str, np.ndarray]] = []

    def close(self, outcome: int, week: int, **columns: np.ndarray) -> None:
        """Log needs that closed in ``week`` with ``outcome``; ``columns`` as in the case table
        (``case_id, resident, stratum, community, category, channel, raised, deadline, level,
        bounced``)."""
        n = columns["case_id"].size
        if n == 0:
            return
        part = {name: np.array(columns[name]) for name in CASE_FIELDS}
        part["closed"] = np.full(n, week, dtype=np.int64)
        part["outcome"] = np.full(n, outcome, dtype=np.int8)
        self._parts.append(part)

    def frame(self, model: GovModel) -> pd.DataFrame:
        """The whole ledger, open cases included, as a DataFrame (see ``docs/odd.md``).

        Weeks are the model's: week 0 is the first reported week, and needs
        raised during the warm-up have negative weeks.
        """
        c = model.cases
        parts = list(self._parts)
        if len(c):
            parts.append({name: np.array(c[name]) for name in CASE_FIELDS}
                         | {"closed": np.full(len(c), -1, dtype=np.int64),
                            "outcome": np.full(len(c), OPEN, dtype=np.int8)})
        waiting = model.waiting.cols
        if waiting["resident"].size:  # needs not yet filed: open, with no channel and no level
            n = waiting["resident"].size
            parts.append({name: np.array(waiting[name]) for name in CASE_FIELDS if name in waiting}
                         | {"channel": np.full(n, NO_CHANNEL), "level": np.full(n, NO_LEVEL),
                            "bounced": np.zeros(n, dtype=np.int8),
                            "closed": np.full(n, -1, dtype=np.int64),
                            "outcome": np.full(n, OPEN, dtype=np.int8)})
        cols = {name: np.concatenate([p[name] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
                for name in _COLUMNS}
        order = np.argsort(cols["case_id"], kind="stable")
        cols = {name: values[order] for name, values in cols.items()}
        return _labelled(model, cols)


def _labelled(model: GovModel, cols: dict[str, np.ndarray]) -> pd.DataFrame:
    """Codes to labels (categoricals), flags to columns, no week for what has none."""
    h = model.hierarchy
    stratum = cols["stratum"].astype(np.int64)
    age, bits = np.divmod(stratum, 2 ** len(FLAGS))
    community = cols["community"].astype(np.int64)
    township_names = [name.split("/")[0] for name in h.community_names]
    open_ = cols["outcome"] == OPEN
    excluded = cols["outcome"] == EXCLUDED

    def coded(codes: np.ndarray, labels: tuple[str, ...] | list[str]) -> pd.Categorical:
        return pd.Categorical.from_codes(codes.astype(np.int64), categories=list(labels))

    def weeks(values: np.ndarray, missing: np.ndarray | None = None) -> pd.array:
        out = pd.array(values.astype(np.int64), dtype="Int32")
        if missing is not None:
            out[missing] = pd.NA
        return out

    frame = pd.DataFrame({
        "case_id": cols["case_id"].astype(np.int64),
        "resident": cols["resident"].astype(np.int64),
        "group": coded(age, GROUPS),
        **{flag: (bits >> f & 1).astype(bool) for f, flag in enumerate(FLAGS)},
        "community": coded(community, h.community_names),
        "township": pd.Categorical(np.asarray(township_names, dtype=object)[community],
                                   categories=list(dict.fromkeys(township_names))),
        "rural": h.community_rural[community],
        "category": coded(cols["category"], CATEGORIES),
        "channel": coded(np.where(cols["channel"] == NO_CHANNEL, -1, cols["channel"]), CHANNELS),
        "raised_week": weeks(cols["raised"]),
        "deadline_week": weeks(cols["deadline"]),
        "closed_week": weeks(cols["closed"], open_),
        "level_closed": coded(np.where(open_ | excluded, -1, cols["level"]), LEVELS),
        "outcome": coded(cols["outcome"], OUTCOMES),
        "bounced": cols["bounced"].astype(np.int8),
    })
    return frame
