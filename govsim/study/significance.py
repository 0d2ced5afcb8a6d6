"""What a report may say about an effect: is it large enough to matter, and is it better?

Three rules, each a table here so that the report, its "How to read this"
section and the README quote the same numbers:

* **Practical significance** (:data:`THRESHOLDS`). Each metric has the
  smallest change this project treats as mattering to the people a policy
  officer answers to, with its reason. An effect *matters* when its whole
  interval lies beyond the threshold, is *too small to matter* when its whole
  interval lies inside it, and *may matter* when the interval straddles it.
  A metric without an entry uses :data:`DEFAULT_RELATIVE` of the baseline mean.
* **Volume against rate** (:data:`VOLUME`). A count (cases abandoned, needs
  shut out, staff workload) falls when fewer cases come in, which is no
  improvement. Such metrics are shown next to a rate per case or per resident
  and are never marked better or worse themselves; only the rate is judged.
* **Multiplicity** (:func:`bonferroni_level`). A report compares M metrics in K
  arms: N = M × K intervals. At 95% each, about one in twenty would exclude
  zero by chance alone. The headline and the verdicts use Bonferroni-adjusted
  (simultaneous) intervals at level ``1 - 0.05 / N``, so that all N intervals
  cover their true effects together with at least 95% probability. Bonferroni
  rather than Holm: Holm's step-down procedure adjusts tests (p-values) and has
  no matching set of intervals, while every verdict here is read off an
  interval (against zero and against the threshold), so the adjustment has to
  widen the intervals themselves. Bonferroni is conservative when metrics are
  correlated (they are), which errs towards "may matter" rather than towards
  a claim the data do not support. Group tables are exploratory and unadjusted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from govsim.metrics import METRICS

#: Family-wise confidence level of the adjusted intervals.
FAMILY_LEVEL = 0.95
#: Threshold of a metric with no entry in :data:`THRESHOLDS`: this share of the baseline mean.
DEFAULT_RELATIVE = 0.05


@dataclass(frozen=True)
class Threshold:
    """The smallest change of a metric's whole-run value that matters.

    Attributes:
        value: In the metric's summary unit (shares as fractions), or a fraction of the
            baseline mean when ``relative``.
        relative: ``value`` is a fraction of the baseline mean.
        floor: With ``relative``: the threshold is never below this (in the summary unit),
            so that a baseline near zero does not make every change matter.
        reason: Why, in English and Chinese (``reason[lang]``).
    """

    value: float
    reason: dict[str, str]
    relative: bool = False
    floor: float = 0.0

    def at(self, baseline_mean: float) -> float:
        """The threshold in the metric's summary unit, given the baseline's mean."""
        if not self.relative:
            return self.value
        base = abs(float(baseline_mean)) if np.isfinite(baseline_mean) else 0.0
        return max(self.value * base, self.floor)


def _r(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


_POINT = _r("one need in a hundred answered in time or not is what a resident survey or a county's "
            "yearly statistics can tell apart",
            "每一百件需求中按时办结与否相差一件，是居民调查或县级年度统计能够分辨的差别")
_TRUST = _r("a hundredth of the 0-1 scale: trust surveys are rarely finer than that",
            "0-1 量表的百分之一：信任调查的精度很少高于此")
_HOURS = _r("one point of worked hours is about 25 minutes a week of a 40-hour post",
            "一个百分点的工时约相当于每周 40 小时岗位中的 25 分钟")
_COUNT = _r("a count matters when it moves by a twentieth of the baseline (at least one)",
            "计数变化达到基线的二十分之一（至少一件）才算重要")
_ATTAIN = _r("attainment is reported to the point; a smaller change is not seen by the upper level",
             "完成率按百分点上报，更小的变化上级看不到")
_GAP = _r("half a point between reported and true attainment is where an audit starts to notice",
          "上报与真实相差半个百分点，检查才开始注意到")

#: The practical-significance threshold of each metric reports commonly show.
THRESHOLDS: dict[str, Threshold] = {
    "coverage": Threshold(0.01, _POINT),
    "abandoned_share": Threshold(0.005, _r(
        "half a point: one need in two hundred given up, about a tenth of the usual abandonment rate",
        "半个百分点：每两百件需求多放弃一件，约为通常放弃率的十分之一")),
    "excluded_share": Threshold(0.005, _r(
        "half a point: one need in two hundred that cannot be filed at all is a resident shut out",
        "半个百分点：每两百件需求中有一件根本无法提交，就是有居民被拒之门外")),
    "online_share": Threshold(0.02, _r("two points of filed cases moving online is what a channel "
                                       "campaign aims at and can measure",
                                       "线上提交比例变化两个百分点，是渠道推广的目标，也可测量")),
    "late_share": Threshold(0.01, _POINT),
    "escalation_share": Threshold(0.005, _r("half a point of cases escalated is a visible load on the "
                                            "township", "上报率变化半个百分点，乡镇就能感到负担")),
    "trust": Threshold(0.01, _TRUST),
    "trust_community": Threshold(0.01, _TRUST),
    "trust_township": Threshold(0.01, _TRUST),
    "trust_county": Threshold(0.01, _TRUST),
    "trust_centre": Threshold(0.01, _TRUST),
    "workload": Threshold(0.05, _r("five hundredths of contract hours is two hours a week of a 40-hour "
                                   "post", "合同工时的百分之五，即 40 小时岗位每周两小时")),
    "hours_per_case": Threshold(0.1, _r("six minutes per case is what a changed procedure "
                                        "adds or saves", "每件事项六分钟，是一项流程改动增减的量级")),
    "admin_share": Threshold(0.01, _HOURS),
    "target_share": Threshold(0.01, _HOURS),
    "overtime": Threshold(1.0, _r("an hour of overtime a week is what staff notice and report",
                                  "每周一小时加班，工作人员会感到并反映")),
    "burnout": Threshold(0.02, _r("two hundredths of the 0-1 burnout scale, a step on the usual "
                                  "questionnaire", "倦怠量表（0-1）的百分之二，约为常用问卷的一档")),
    "target_true": Threshold(0.01, _ATTAIN),
    "target_reported": Threshold(0.01, _ATTAIN),
    "target_gap": Threshold(0.005, _GAP),
    "planted_true": Threshold(0.01, _ATTAIN),
    "planted_reported": Threshold(0.01, _ATTAIN),
    "planted_gap": Threshold(0.005, _GAP),
    "subsidy_takeup": Threshold(0.02, _r("two points of the eligible is the precision of a take-up "
                                         "audit", "符合条件者中两个百分点，是领取率核查的精度")),
    "farmer_income": Threshold(0.02, _r("2% of farmers' income is a week's spending a year",
                                        "农民收入的 2%，约相当于一年中一周的开支"), relative=True),
    "response_weeks": Threshold(0.25, _r("a quarter of a week (two working days) waiting is what a "
                                         "resident notices", "多等四分之一周（约两个工作日），居民会察觉")),
    "villages_adapting": Threshold(0.5, _r("half a village on average: one village in two runs acts "
                                           "differently", "平均半个村：每两次运行就有一个村做法不同")),
    "mandate_sanctions": Threshold(0.5, _r("half a sanction per run: one village in two runs "
                                           "sanctioned", "每次运行半次问责：每两次运行有一个村被问责")),
    "target_caught": Threshold(0.5, _r("half a community caught per run", "每次运行半个社区被查出")),
    "money_lapsed": Threshold(0.05, _r("a twentieth of the money lapsing (at least 1,000 yuan) is what a "
                                       "budget review flags", "作废经费变化达二十分之一（至少 1000 元），"
                                       "预算审查会提出"), relative=True, floor=1000.0),
    "money_lapsed_unmet": Threshold(0.05, _r("a twentieth of the money lapsing while cases wait (at least "
                                             "1,000 yuan)", "有事项等钱时作废的经费变化达二十分之一"
                                             "（至少 1000 元）"), relative=True, floor=1000.0),
    "cases_waiting_money": Threshold(0.05, _COUNT, relative=True, floor=1.0),
    "abandoned": Threshold(0.05, _COUNT, relative=True, floor=1.0),
    "excluded": Threshold(0.05, _COUNT, relative=True, floor=1.0),
    "escalations": Threshold(0.05, _COUNT, relative=True, floor=1.0),
    "resolved_late": Threshold(0.05, _COUNT, relative=True, floor=1.0),
    "backlog": Threshold(0.05, _COUNT, relative=True, floor=1.0),
    "petitions": Threshold(0.05, _COUNT, relative=True, floor=1.0),
}

_DEFAULT = Threshold(DEFAULT_RELATIVE, _r("no threshold is declared for this metric: a twentieth of the "
                                          "baseline mean", "此指标未设定阈值：取基线均值的二十分之一"),
                     relative=True)


def threshold(metric: str) -> Threshold:
    """The practical-significance threshold of ``metric`` (the default rule when none is declared)."""
    return THRESHOLDS.get(metric, _DEFAULT)


# -- volume against rate ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """A rate computed per run from two whole-run sums: ``numerator / denominator``.

    Attributes:
        name: The rate's name in reports (a metric of :data:`METRICS`, or one of :data:`RATES`).
        numerator: Metric summed over the run.
        denominator: Metric summed over the run (the volume).
        label: English and Chinese label.
        unit: Summary unit of the rate.
        higher_is_better: Direction, or None when neither.
    """

    name: str
    numerator: str
    denominator: str
    label: dict[str, str]
    unit: str = "share"
    higher_is_better: bool | None = False


#: Rates the report derives from counts (metrics of :data:`METRICS` are not repeated here).
RATES: dict[str, Rate] = {r.name: r for r in (
    Rate("excluded_share", "excluded", "cases_due",
         _r("Needs that could not be filed, per need due", "未能提交的需求占到期需求的比例")),
    Rate("late_share", "resolved_late", "cases_filed",
         _r("Cases resolved late, per case filed", "逾期办结占提交事项的比例")),
    Rate("escalation_share", "escalations", "cases_filed",
         _r("Escalations, per case filed", "上访与上报占提交事项的比例")),
    Rate("bounce_share", "bounces", "cases_filed",
         _r("Passes to the wrong department, per case filed", "转错部门次数占提交事项的比例")),
    Rate("hours_per_case", "hours_cases", "cases_filed",
         _r("Staff hours on cases, per case filed", "每件提交事项的办理工时"), unit="hours",
         higher_is_better=None),
)}

#: Counts that move with volume, and the rate (per case or per resident) each is read with.
VOLUME: dict[str, str] = {
    "abandoned": "abandoned_share",
    "excluded": "excluded_share",
    "resolved_in_time": "coverage",
    "resolved_late": "late_share",
    "escalations": "escalation_share",
    "bounces": "bounce_share",
    "petitions": "petitions_per_10k",
    "workload": "hours_per_case",
    "hours_cases": "hours_per_case",
    "backlog": "response_weeks",
}
#: The volumes a count moves with, shown in the note beside it.
VOLUME_OF: dict[str, str] = {"abandoned": "cases_due", "excluded": "cases_due",
                             "resolved_in_time": "cases_due", "resolved_late": "cases_filed",
                             "escalations": "cases_filed",
                             "bounces": "cases_filed", "petitions": "cases_due", "workload": "cases_filed",
                             "hours_cases": "cases_filed", "backlog": "cases_filed"}


def is_volume(metric: str) -> bool:
    """A count (or load) that moves with the number of cases: never judged better or worse by itself."""
    return metric in VOLUME


def with_rates(metrics: list[str]) -> list[str]:
    """``metrics`` with each volume count followed by its rate (and nothing twice)."""
    out: list[str] = []
    for m in metrics:
        out.append(m)
        if m in VOLUME:
            out.append(VOLUME[m])
    return list(dict.fromkeys(out))


def direction(metric: str) -> bool | None:
    """Whether higher is better for a metric or a derived rate; None for neither, and for counts."""
    if is_volume(metric):
        return None
    if metric in RATES:
        return RATES[metric].higher_is_better
    m = METRICS.get(metric)
    return m.higher_is_better if m else None


def unit(metric: str) -> str:
    """The summary unit of a metric or derived rate."""
    if metric in RATES:
        return RATES[metric].unit
    m = METRICS.get(metric)
    return m.summary_unit if m else ""


def _rate(name: str) -> Rate | None:
    """A derived rate, or a ratio metric of :data:`METRICS` (``ratio:NUM/DEN``), as a :class:`Rate`."""
    if name in RATES:
        return RATES[name]
    m = METRICS.get(name)
    if m is None or not m.summary.startswith("ratio:"):
        return None
    num, den = m.summary.removeprefix("ratio:").split("/")
    return Rate(name, num, den, {"en": m.label, "zh": m.label}, m.unit, m.higher_is_better)


def add_rates(summaries: pd.DataFrame, rates: list[str]) -> pd.DataFrame:
    """``summaries`` with rows for the rates in ``rates`` it lacks (per run, scope and key): the
    derived :data:`RATES`, and ratio metrics a store did not summarise."""
    present = set(summaries["metric"])
    wanted = [_rate(r) for r in rates if r not in present]
    wanted = [r for r in wanted if r is not None]
    if not wanted or summaries.empty:
        return summaries
    index = [c for c in summaries.columns if c not in ("metric", "value")]
    frames = [summaries]
    for rate in wanted:
        num = summaries[summaries["metric"] == rate.numerator].set_index(index)["value"]
        den = summaries[summaries["metric"] == rate.denominator].set_index(index)["value"]
        if num.empty or den.empty:
            continue
        value = (num / den.where(den > 0)).dropna()
        frame = value.rename("value").reset_index()
        frame["metric"] = rate.name
        frames.append(frame[summaries.columns])
    return pd.concat(frames, ignore_index=True)


# -- verdicts ------------------------------------------------------------------------------------

MATTERS, MAY_MATTER, TOO_SMALL, UNKNOWN = "matters", "may matter", "too small to matter", "n/a"


def practical(low: float, high: float, limit: float) -> str:
    """Whether an interval ``[low, high]`` lies beyond ±``limit``, within it, or straddles it."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return UNKNOWN
    if low >= limit or high <= -limit:
        return MATTERS
    if -limit < low and high < limit:
        return TOO_SMALL
    return MAY_MATTER


def judged(metric: str, low: float, high: float) -> str:
    """``better``/``worse`` when the interval excludes zero and the metric has a direction and is
    not a volume count; ``neutral`` otherwise (``unclear`` when the interval includes zero)."""
    if not (np.isfinite(low) and np.isfinite(high)) or low <= 0 <= high:
        return "unclear"
    up = low > 0
    better = direction(metric)
    if better is None:
        return "neutral"
    return "better" if up == better else "worse"


def bonferroni_level(comparisons: int, family: float = FAMILY_LEVEL) -> float:
    """The level of each of ``comparisons`` intervals so that all cover together at ``family``."""
    return 1 - (1 - family) / max(1, comparisons)
