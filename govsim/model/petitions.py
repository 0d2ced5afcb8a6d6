"""Petitions (信访, 上访): grievances that residents carry above the level that failed them.

A grievance is an abandoned case, a case answered late, a need given up by a
resident shut out of every channel, an unfair mediation, or harm from a
mandate, with the level held responsible. Each week every
grievance may become a petition (``docs/odd.md`` §7.33):

* the chance grows with distrust of the level that failed:
  ``rate_kind × (1 − T_responsible)``;
* the petition goes to the office one level up. At each office, with chance
  ``skip_level × (1 − T_office)``, the resident goes over that office's head
  to the next (越级上访). Above the county the petition leaves the model
  ("beyond": the city, the province, Beijing);
* township and county letters-and-visits offices work their petitions first
  come, first served, with hours of their own per week. A petition answered
  by its deadline is a good experience with that office. One left past the
  deadline is closed as a bad one, and may come back one level up as a new
  grievance (``repeat``);
* a petition beyond the county puts stability pressure (维稳) on the county,
  which passes it down as hours and as a target. Hours: of the petitioner's
  community (added to its admin next week) and of its township's office. Target:
  the petitioner, and any resident whose petition the county bureau left
  unanswered, is put on the community's watch list (重点人员稳控) for
  ``watch_weeks``; each week the community owes ``watch_hours`` per watched
  resident as compulsory target hours, and the share of them its staff can
  give is the chance, times ``watch_deterrence``, that a watched resident whose
  petition would go beyond the county is persuaded to take it to the county
  instead (劝返).

Every petition is counted once when filed, by level, stratum and community,
and once when it closes: answered, expired, or beyond.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from govsim.model.trust import CENTRE, COUNTY, LEVELS, TOWNSHIP, attribution

if TYPE_CHECKING:
    from govsim.model.govmodel import GovModel

#: What a grievance is about.
GRIEVANCES = ("abandoned", "late", "excluded", "unfair_mediation", "mandate")
#: Where a petition goes: the township office, the county bureau, or beyond the county.
OFFICES = ("township", "county", "beyond")
AT_TOWNSHIP, AT_COUNTY, BEYOND = range(3)
#: A resident's last week on the watch list when she is not on it (weeks fit in 16 bits).
_NOT_WATCHED = np.iinfo(np.int16).min
#: The trust level of each office (beyond the county: the centre's).
OFFICE_LEVEL = np.array([TOWNSHIP, COUNTY, CENTRE])
_QUEUE = {"resident": np.int64, "community": np.int64, "stratum": np.int64, "office": np.int64,
          "deadline": np.int64, "hours_left": np.float64}


class Petitions:
    """The county's petitions: this week's grievances, the offices' queues and the week's counts."""

    def __init__(self, model: GovModel) -> None:
        p = self.params = model.params["petitions"]
        h = model.hierarchy
        self.township_of = h.community_township.astype(np.int64)
        self.townships = h.townships
        people = np.bincount(self.township_of, weights=h.community_residents, minlength=h.townships)
        self.township_hours = people * p["office_hours_per_10k_township"] / 1e4
        self.county_hours = float(h.community_residents.sum()) * p["office_hours_per_10k_county"] / 1e4
        self.queue = {name: np.zeros(0, dtype=t) for name, t in _QUEUE.items()}
        self._grievances: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._repeats: list[tuple[np.ndarray, np.ndarray]] = []  # (rows, office that failed)
        self._owed_township = np.zeros(h.townships)
        self.communities = h.communities
        #: The stability watch list: residents who went beyond the county or whom the county left
        #: unanswered, and their community; each resident's last week on it is kept per resident
        #: (``_until``, 2 bytes each), so that asking whether a petitioner is watched costs no search.
        self.watched = np.zeros(0, dtype=np.int64)
        self._watched_community = np.zeros(0, dtype=np.int64)
        self._until = np.full(model.residents.n, _NOT_WATCHED, dtype=np.int16)
        #: Share of each community's watch hours its staff gave this week (0 where none was owed).
        self.watch_cover = np.zeros(h.communities)
        self.watch_hours_given = np.zeros(h.communities)
        self._owed_watch: np.ndarray | None = None
        self.reset_week(h.communities)

    def reset_week(self, communities: int) -> None:
        """Zero the week's counts (called by the model before recording)."""
        self.filed: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # (office, stratum, community)
        self.answered = self.expired = 0
        self.hours = 0.0
        self.stability_hours = np.zeros(communities)

    def grievance(self, rows: np.ndarray, kind: str, responsible: int | np.ndarray) -> None:
        """Residents ``rows`` hold a grievance of ``kind`` against trust level ``responsible``."""
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size:
            rate = np.full(rows.size, self.params[f"rate_{kind}"])
            self._grievances.append((rows, rate, np.broadcast_to(np.asarray(responsible, np.int64),
                                                                 rows.shape)))

    def week(self, model: GovModel, week: int, rng: np.random.Generator) -> None:
        """File this week's petitions, let the offices work, close what is answered or expired."""
        self._file(model, week, rng)
        self._serve(model, week)
        self._expire(model, week, rng)

    def watch_demand(self, week: int) -> np.ndarray | None:
        """Hours each community owes this week to watch the residents on its list (None if nobody).

        Those whose time on the list is over leave it first.
        """
        keep = self._until[self.watched] >= week
        if not keep.all():
            self._until[self.watched[~keep]] = _NOT_WATCHED
            self.watched, self._watched_community = self.watched[keep], self._watched_community[keep]
        self._owed_watch = (self.params["watch_hours"] * self.watched_per_community()
                            if self.watched.size else None)
        return self._owed_watch

    def watch_work(self, given: np.ndarray) -> None:
        """The staff hours given to the watch this week, out of what :meth:`watch_demand` asked."""
        owed = self._owed_watch
        self.watch_hours_given = given
        self.watch_cover = np.zeros(self.communities) if owed is None else np.divide(
            given, owed, out=np.zeros(self.communities), where=owed > 0)

    def watched_per_community(self) -> np.ndarray:
        """Residents on each community's watch list."""
        return np.bincount(self._watched_community, minlength=self.communities)

    def forget(self, rows: np.ndarray) -> None:
        """Residents who moved away leave the watch list (newcomers take their rows)."""
        if self.watched.size:
            self._until[rows] = _NOT_WATCHED
            stay = self._until[self.watched] != _NOT_WATCHED
            self.watched, self._watched_community = self.watched[stay], self._watched_community[stay]

    @property
    def open(self) -> int:
        """Petitions waiting at the township and county offices."""
        return int(self.queue["resident"].size)

    # -- inside -------------------------------------------------------------------------
    def _file(self, model: GovModel, week: int, rng: np.random.Generator) -> None:
        res, p = model.residents, self.params
        parts = self._grievances
        for rows, failed in self._repeats:  # unanswered petitions taken one level up
            parts.append((rows, np.ones(rows.size), OFFICE_LEVEL[failed]))
        self._grievances, self._repeats = [], []
        if not parts:
            return
        rows = np.concatenate([r for r, _, _ in parts])
        rate = np.concatenate([q for _, q, _ in parts])
        responsible = np.concatenate([np.asarray(g) for _, _, g in parts]).astype(np.int64)
        u = rng.random((2 + len(OFFICES), rows.size))
        files = u[0] < rate * (1.0 - res.trust_at(responsible, rows))
        rows, responsible, u = rows[files], responsible[files], u[:, files]
        # The office one level above the responsible one: the codes line up (community → township
        # office, township → county bureau, county → beyond).
        office = np.minimum(responsible, BEYOND)
        for step in range(len(OFFICES) - 1):
            distrust = 1.0 - res.trust_at(OFFICE_LEVEL[office], rows)
            skips = (office < BEYOND) & (u[1 + step] < p["skip_level"] * distrust)
            office = np.where(skips, office + 1, office)
        community = res.community[rows].astype(np.int64)
        if self.watched.size:  # a watched resident may be persuaded to stay in the county (劝返)
            persuaded = ((office == BEYOND) & (self._until[rows] != _NOT_WATCHED)
                         & (u[len(OFFICES)] < p["watch_deterrence"] * self.watch_cover[community]))
            office = np.where(persuaded, AT_COUNTY, office)
        self.filed.append((office, res.stratum[rows].astype(np.int64), community))
        beyond = office == BEYOND
        self._beyond(model, rows[beyond], community[beyond])
        self._watch(rows[beyond], community[beyond], week)
        here = ~beyond
        self._push(rows[here], community[here], res.stratum[rows[here]], office[here],
                   week + p["deadline_weeks"])

    def _beyond(self, model: GovModel, rows: np.ndarray, community: np.ndarray) -> None:
        """Petitions above the county: stability pressure passed down to community and township."""
        if rows.size == 0:
            return
        p, k = self.params, model.hierarchy.communities
        hours = p["stability_hours_community"] * np.bincount(community, minlength=k)
        model.extra_admin += hours
        self.stability_hours += hours
        self._owed_township += p["stability_hours_township"] * np.bincount(
            self.township_of[community], minlength=self._owed_township.size)
        # Fetched back by the county (截访): a bad experience with the county and the township.
        loss = model.params["behaviour"]["trust_gain"] * model.params["behaviour"]["negativity_bias"]
        model.residents.change_trust(rows, -loss, attribution(township=1.0, county=1.0))

    def _watch(self, rows: np.ndarray, community: np.ndarray, week: int) -> None:
        """Put residents on their community's watch list, or extend their time on it."""
        if rows.size == 0:
            return
        rows, first = np.unique(rows, return_index=True)
        new = self._until[rows] == _NOT_WATCHED
        self._until[rows] = week + self.params["watch_weeks"]
        self.watched = np.concatenate([self.watched, rows[new]])
        self._watched_community = np.concatenate([self._watched_community, community[first][new]])

    def _push(self, rows: np.ndarray, community: np.ndarray, stratum: np.ndarray, office: np.ndarray,
              deadline: int) -> None:
        if rows.size == 0:
            return
        new = {"resident": rows, "community": community, "stratum": stratum, "office": office,
               "deadline": np.full(rows.size, deadline), "hours_left": np.full(rows.size,
                                                                               self.params["hours_per_petition"])}
        self.queue = {name: np.concatenate([self.queue[name], np.asarray(new[name], dtype=t)])
                      for name, t in _QUEUE.items()}

    def _serve(self, model: GovModel, week: int) -> None:
        """Each office works its petitions in the order filed, as far as its hours go."""
        q = self.queue
        township_hours = self.township_hours
        if self._owed_township.any():  # stability work owed comes first
            township_hours = np.maximum(0.0, self.township_hours - self._owed_township)
            self.hours += float(np.minimum(self.township_hours, self._owed_township).sum())
            self._owed_township = np.maximum(0.0, self._owed_township - self.township_hours)
        if q["resident"].size == 0:
            return
        office_key = np.where(q["office"] == AT_TOWNSHIP, self.township_of[q["community"]], self.townships)
        budget = np.r_[township_hours, self.county_hours]
        order = np.argsort(office_key, kind="stable")  # filed order within each office
        need = q["hours_left"][order]
        before = np.r_[0.0, np.cumsum(need)]
        starts = np.searchsorted(office_key[order], np.arange(budget.size))
        used_before = before[:-1] - before[starts[office_key[order]]]
        given = np.clip(budget[office_key[order]] - used_before, 0.0, need)
        q["hours_left"][order] = need - given
        self.hours += float(given.sum())
        done = q["hours_left"] <= 1e-9
        self._close(model, done, good=True)
        self.answered += int(done.sum())

    def _expire(self, model: GovModel, week: int, rng: np.random.Generator) -> None:
        q = self.queue
        late = q["deadline"] < week
        if not late.any():
            return
        again = late.copy()
        again[late] = rng.random(int(late.sum())) < self.params["repeat"]
        self._repeats.append((q["resident"][again], q["office"][again]))
        # The county knows whom it failed: they are the ones likeliest to go beyond it next.
        unanswered = late & (q["office"] == AT_COUNTY)
        self._watch(q["resident"][unanswered], q["community"][unanswered], week)
        self.expired += int(late.sum())
        self._close(model, late, good=False)

    def _close(self, model: GovModel, which: np.ndarray, good: bool) -> None:
        q = self.queue
        if not which.any():
            return
        beh = model.params["behaviour"]
        loss = beh["trust_gain"] * beh["negativity_bias"] * beh["late_loss"]
        step = beh["trust_gain"] if good else -loss
        weights = np.zeros((len(LEVELS), int(which.sum())))
        weights[OFFICE_LEVEL[q["office"][which]], np.arange(weights.shape[1])] = 1.0
        model.residents.change_trust(q["resident"][which], step, weights)
        self.queue = {name: column[~which] for name, column in q.items()}
