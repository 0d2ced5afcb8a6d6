"""Every output measure, declared once: name, label, unit, direction, summary rule.

The model records raw weekly values into a :class:`Recorder`; this module says
what each value means. Plots, reports, comparisons and the teaching page read
labels and directions from :data:`METRICS` rather than guessing from names.

Tables are tidy ("long"): one row per week, metric, scope and key, where scope
is ``overall`` (key ``all``), ``group`` (key a resident group) or
``community`` (key a community name). ``pandas.read_csv`` loads them whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter

import numpy as np
import pandas as pd

SCOPES = ("overall", "group", "community")


@dataclass(frozen=True)
class Metric:
    """One output measure.

    Attributes:
        name: Column-safe identifier.
        label: Human-readable label for tables and figures.
        unit: Unit of the weekly value.
        higher_is_better: True, False, or None when neither (a count of cases raised).
        summary: How the whole run is summarised: ``sum`` (counts), ``mean``
            (weekly levels), ``last`` (stocks such as trust at the end), or
            ``ratio:NUM/DEN`` (sum of metric NUM over sum of metric DEN).
        scopes: Scopes this metric is recorded at.
        headline: Shown in the short table after a run.
    """

    name: str
    label: str
    unit: str
    higher_is_better: bool | None
    summary: str
    scopes: tuple[str, ...] = ("overall",)
    headline: bool = False

    @property
    def summary_unit(self) -> str:
        """Unit of the whole-run value: a weekly flow summed over the run loses its ``/week``."""
        if self.summary == "sum" and self.unit.endswith("/week"):
            return self.unit.removesuffix("/week")
        return self.unit


_ALL = ("overall", "group", "community")
_OC = ("overall", "community")

METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("coverage", "Service coverage (in time)", "share", True,
           "ratio:resolved_in_time/cases_due", _ALL, headline=True),
    Metric("cases_raised", "Needs raised", "cases/week", None, "sum", _ALL),
    Metric("cases_due", "Needs due (deadline this week, filed or not)", "cases/week", None,
           "sum", _ALL),
    Metric("excluded", "Needs that could not be filed", "cases/week", False, "sum", _ALL, headline=True),
    Metric("cases_filed", "Cases filed", "cases/week", None, "sum", _ALL),
    Metric("cases_online", "Cases filed online", "cases/week", None, "sum", _ALL),
    Metric("online_share", "Share of filed cases filed online", "share", None,
           "ratio:cases_online/cases_filed", _ALL),
    Metric("resolved_in_time", "Needs due answered in time (counted in their deadline week)",
           "cases/week", True, "sum", _ALL),
    Metric("resolved_late", "Cases resolved late", "cases/week", False, "sum", _ALL),
    Metric("abandoned", "Cases abandoned", "cases/week", False, "sum", _ALL, headline=True),
    Metric("abandoned_share", "Cases abandoned per need due", "share", False,
           "ratio:abandoned/cases_due", _ALL, headline=True),
    Metric("cases_left", "Cases closed because the resident moved away", "cases/week", None, "sum",
           _ALL),
    Metric("trust", "Mean trust in local government", "score 0-1", True, "last", _ALL, headline=True),
    Metric("trust_community", "Mean trust in the community or village committee", "score 0-1", True, "last",
           _ALL),
    Metric("trust_township", "Mean trust in the township or street office", "score 0-1", True, "last", _ALL),
    Metric("trust_county", "Mean trust in the county and its departments", "score 0-1", True, "last", _ALL),
    Metric("trust_centre", "Mean trust in the central government", "score 0-1", True, "last", _ALL),
    Metric("filed_by_family", "Needs of residents shut out of the app filed by family", "cases/week", None,
           "sum"),
    Metric("filed_by_grid_worker", "Needs of residents shut out of the app filed by a grid worker",
           "cases/week", None, "sum"),
    Metric("waiting_to_file", "Needs of residents shut out of every channel who will try again",
           "needs", False, "mean", _OC),
    Metric("filed_after_waiting", "Needs filed after one or more weeks shut out", "cases/week", None,
           "sum"),
    Metric("petitions", "Petitions filed (信访)", "petitions/week", False, "sum", _ALL),
    Metric("stability_watch", "Residents on the stability watch list (重点人员)", "residents", False,
           "mean", _OC),
    Metric("hours_stability", "Staff hours given to the stability watch (a target)", "hours/week",
           False, "sum", _OC),
    Metric("petitions_township", "Petitions filed at township offices", "petitions/week", False, "sum",
           ("overall", "group")),
    Metric("petitions_county", "Petitions filed at the county bureau", "petitions/week", False, "sum",
           ("overall", "group")),
    Metric("petitions_beyond", "Petitions taken beyond the county (越级上访)", "petitions/week", False,
           "sum", ("overall", "group")),
    Metric("petitions_per_10k", "Petitions per 10,000 residents a year", "petitions/10k/year", False,
           "mean", ("overall", "group")),
    Metric("petitions_answered", "Petitions answered by their deadline", "petitions/week", None, "sum"),
    Metric("petitions_expired", "Petitions left unanswered past their deadline", "petitions/week", False,
           "sum"),
    Metric("petitions_open", "Petitions waiting at township and county offices", "petitions", False, "mean"),
    Metric("petition_hours", "Hours on petitions: offices, and communities' stability work",
           "hours/week", False, "sum"),
    Metric("response_weeks", "Mean weeks to resolution", "weeks", False, "mean", ("overall", "group")),
    Metric("backlog", "Open cases", "cases", False, "mean", _OC, headline=True),
    Metric("backlog_township", "Open cases at township offices", "cases", False, "mean"),
    Metric("backlog_county", "Open cases at county departments", "cases", False, "mean"),
    Metric("hours_township", "Township hours given to escalated cases", "hours/week", None, "sum"),
    Metric("hours_county", "County department hours given to escalated cases", "hours/week", None, "sum"),
    Metric("township_capacity", "Township hours for escalated cases", "hours/week", None, "sum"),
    Metric("county_capacity", "County department hours for escalated cases", "hours/week", None, "sum"),
    Metric("township_use", "Share of township hours used", "share", None,
           "ratio:hours_township/township_capacity"),
    Metric("county_use", "Share of county department hours used", "share", None,
           "ratio:hours_county/county_capacity"),
    Metric("escalations", "Escalations by residents", "cases/week", False, "sum", _OC, headline=True),
    Metric("bounces", "Passes to the wrong department", "cases/week", False, "sum"),
    Metric("unregistered_share", "Residents unregistered", "share", False, "mean", _OC),
    Metric("workload", "Staff workload (hours demanded / contract hours)", "ratio", False, "mean", _OC,
           headline=True),
    Metric("admin_share", "Share of worked hours on admin and data entry", "share", False, "mean", _OC,
           headline=True),
    Metric("target_share", "Share of worked hours on targets", "share", None, "mean", _OC, headline=True),
    Metric("overtime", "Overtime per worker", "hours/week", False, "mean", _OC),
    Metric("burnout", "Mean staff burnout", "score 0-1", False, "last", _OC, headline=True),
    Metric("departures", "Staff departures", "staff/week", False, "sum", _OC),
    Metric("staff", "Staff in post", "staff", True, "mean", _OC),
    Metric("hours_available", "Staff hours available (contract + overtime limit)", "hours/week", None,
           "sum", _OC),
    Metric("hours_admin", "Staff hours on admin, data entry and reports", "hours/week", None, "sum", _OC),
    Metric("hours_targets", "Staff hours on target work", "hours/week", None, "sum", _OC),
    Metric("hours_cases", "Staff hours on cases", "hours/week", None, "sum", _OC),
    Metric("hours_idle", "Staff hours unused", "hours/week", None, "sum", _OC),
    Metric("org_hours", "Hours on cases from organisations, volunteers and other helpers", "hours/week",
           None, "sum", _OC),
    Metric("target_bottom", "Target as it reaches the community", "share", None, "last", _OC),
    Metric("target_true", "True target attainment", "share", True, "last", _OC, headline=True),
    Metric("target_reported", "Reported target attainment", "share", None, "last", _OC, headline=True),
    Metric("target_gap", "Reported minus true target attainment", "share", False, "mean", _OC),
    Metric("target_caught", "Communities caught padding their report", "communities/week", False, "sum"),
    Metric("farmer_income", "Farmers' mean income", "yuan/week", True, "mean", _OC, headline=True),
    Metric("planted_true", "Farmland truly under the mandated crop", "share", None, "last", _OC),
    Metric("planted_reported", "Farmland reported under the mandated crop", "share", None, "last", _OC),
    Metric("planted_gap", "Reported minus true share of farmland under the crop", "share", False, "mean",
           _OC),
    Metric("planted_caught", "Villages caught padding the planted area", "villages/week", False, "sum"),
    Metric("villages_adapting", "Villages planting only where the crop suits", "villages", None, "mean"),
    Metric("mandate_sanctions", "Villages sanctioned for adapting the mandate", "villages/week", False,
           "sum"),
    Metric("staff_skill", "Mean staff skill", "score 0-1", True, "last", _OC),
    Metric("money_spent", "Service money spent", "yuan/week", None, "sum", _OC),
    Metric("money_lapsed", "Service money lapsed at year end", "yuan/week", False, "sum", _OC,
           headline=True),
    Metric("money_lapsed_unmet", "Money lapsed while cases waited for money", "yuan/week", False, "sum",
           _OC, headline=True),
    Metric("cases_waiting_money", "Cases held up for lack of money", "cases", False, "mean", _OC),
    # Recorded only when the mechanism that produces them is in the scenario.
    Metric("subsidy_eligible", "Residents eligible for the subsidy", "residents", None, "last",
           ("overall", "group")),
    Metric("subsidy_takeup", "Subsidy take-up among the eligible", "share", True, "last",
           ("overall", "group"), headline=True),
    Metric("recurrences", "Disputes that flared up again", "cases/week", False, "sum", _OC, headline=True),
    Metric("incidents", "Collective incidents", "incidents/week", False, "sum", _OC, headline=True),
    Metric("participants", "Residents taking part in decisions", "residents/week", None, "sum", _OC),
    Metric("registrations", "Migrants registered", "residents/week", True, "sum", _OC),
    Metric("arrivals", "Migrants arrived", "residents/week", None, "sum", _OC),
    Metric("need_multiplier", "Need rates relative to normal", "×", None, "mean"),
    Metric("procurement_spent", "Money spent buying services", "yuan/week", None, "sum", _OC),
    Metric("active_organisations", "Active social organisations", "organisations", True, "last", _OC),
)}


class Recorder:
    """Collects weekly values cheaply (arrays, not rows) and builds the tables."""

    def __init__(self, groups: tuple[str, ...], communities: tuple[str, ...]) -> None:
        self.keys = {"overall": ("all",), "group": groups, "community": communities}
        self._chunks: list[tuple[int, str, str, np.ndarray]] = []

    def overall(self, week: int, metric: str, value: float) -> None:
        """Record one overall value."""
        self._chunks.append((week, metric, "overall", np.array([value], dtype=np.float64)))

    def by(self, week: int, metric: str, scope: str, values: np.ndarray) -> None:
        """Record one value per group or per community (in declaration order)."""
        values = np.asarray(values, dtype=np.float64)
        if values.size != len(self.keys[scope]):
            raise ValueError(f"{metric}: {values.size} values for {len(self.keys[scope])} {scope} keys")
        self._chunks.append((week, metric, scope, values))

    def block(self, week: int, scope: str, metrics: tuple[str, ...], values: np.ndarray) -> None:
        """Record several metrics at one scope: ``values`` has a row per metric, a column per key."""
        values = np.asarray(values, dtype=np.float64)
        if values.shape != (len(metrics), len(self.keys[scope])):
            raise ValueError(f"{metrics}: values of shape {values.shape} for {len(metrics)} metrics "
                             f"and {len(self.keys[scope])} {scope} keys")
        self._chunks.extend((week, metric, scope, row) for metric, row in zip(metrics, values, strict=True))

    def records(self, start: int = 0) -> list[tuple[int, str, str, np.ndarray]]:
        """What was recorded from the ``start``-th record on, as (week, metric, scope, values).

        For readers that follow a run week by week (the teaching page), which
        cannot afford to rebuild :meth:`table` after every step.
        """
        return self._chunks[start:]

    def table(self) -> pd.DataFrame:
        """The weekly time series: columns week, metric, scope, key, value."""
        if not self._chunks:
            return pd.DataFrame({c: [] for c in ("week", "metric", "scope", "key", "value")})
        # Strings are looked up by code, so the table costs a few array operations, not one per chunk.
        # Per chunk only C-level loops (map, factorize), and no tuple made per chunk (zip(*chunks)
        # makes one each, which wakes the garbage collector): a run records tens of thousands.
        weeks, metrics, scopes, values = (list(map(itemgetter(i), self._chunks)) for i in range(4))
        sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values))  # 1-d values
        metric_code, metric_names = pd.factorize(np.array(metrics, dtype=object))  # first-seen order
        metric_code, metric_names = metric_code.astype(np.int64), np.array(list(metric_names), dtype=object)
        scope_names = tuple(self.keys)
        scope_code = np.fromiter(map({scope: i for i, scope in enumerate(scope_names)}.__getitem__, scopes),
                                 dtype=np.int64, count=len(scopes))
        all_keys = np.array([key for scope in scope_names for key in self.keys[scope]], dtype=object)
        first_key = np.cumsum([0, *(len(self.keys[scope]) for scope in scope_names)])[:-1]
        within = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        return pd.DataFrame({
            "week": np.repeat(np.asarray(weeks, dtype=np.int64), sizes),
            # Categoricals too: with a column of strings a row would carry its metric's name.
            "metric": _labels(np.repeat(metric_code, sizes), metric_names),
            "scope": _labels(np.repeat(scope_code, sizes), np.asarray(scope_names, dtype=object)),
            # A categorical: a county of thousands of communities has millions of rows, and a
            # code costs two bytes a row where a community's name costs dozens.
            "key": _labels(np.repeat(first_key[scope_code], sizes) + within, all_keys),
            "value": np.concatenate(values),
        })


def _labels(codes: np.ndarray, names: np.ndarray) -> pd.Categorical | np.ndarray:
    """``names[codes]`` as a categorical (as plain strings should two names be the same)."""
    if len(set(names.tolist())) < len(names):
        return names[codes]
    return pd.Categorical.from_codes(codes, categories=list(names))


def headline_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Overall headline values: columns name, label, value, unit, in :data:`METRICS` order."""
    overall = summary[summary["scope"] == "overall"].set_index("metric")["value"]
    rows = [(name, m.label, float(overall[name]), m.summary_unit)
            for name, m in METRICS.items() if m.headline and name in overall.index]
    return pd.DataFrame(rows, columns=["name", "label", "value", "unit"])


def summarise(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Whole-run summary of a time series, one row per metric, scope and key.

    Each metric is reduced by its declared rule; ratios are sums over sums, so
    coverage is the share of all due cases answered in time, not a mean of
    weekly shares.
    """
    keyed = timeseries.groupby(["metric", "scope", "key"], sort=False)["value"]
    reduced = {"sum": keyed.sum(), "mean": keyed.mean(), "last": keyed.last()}
    index = reduced["sum"].index  # (metric, scope, key), the same for every rule
    metric_of, scope_of, key_of = (np.asarray(index.get_level_values(i), dtype=object) for i in range(3))
    rows_of = {name: np.flatnonzero(metric_of == name) for name in dict.fromkeys(metric_of)}
    sums = reduced["sum"].to_numpy()

    def ratio(num: str, den: str) -> np.ndarray:
        """Sum of ``num`` over the sum of ``den`` with the same scope and key (NaN where not > 0)."""
        def places(rows: np.ndarray) -> zip:
            return zip(scope_of[rows], key_of[rows], strict=True)

        den_sums = dict(zip(places(rows_of[den]), sums[rows_of[den]], strict=True))
        below = np.array([den_sums.get(at, np.nan) for at in places(rows_of[num])])
        return sums[rows_of[num]] / np.where(below > 0, below, np.nan)

    parts = []  # (metric, its rows in ``index``, its values)
    for name, metric in METRICS.items():
        if metric.summary.startswith("ratio:"):
            num, den = metric.summary.removeprefix("ratio:").split("/")
            if num in rows_of:
                parts.append((name, rows_of[num], ratio(num, den)))
        elif name in rows_of:
            parts.append((name, rows_of[name], reduced[metric.summary].to_numpy()[rows_of[name]]))
    if not parts:
        return pd.DataFrame(columns=["metric", "scope", "key", "value"])
    names, rows, values = zip(*parts, strict=True)
    picked = np.concatenate(rows)
    return pd.DataFrame({
        "metric": np.repeat(np.array(names, dtype=object), [r.size for r in rows]),
        "scope": scope_of[picked],
        "key": key_of[picked],
        "value": np.concatenate(values).astype(np.float64),
    })
