"""Comparison statistics: paired differences with Student-t confidence intervals.

Arms share seeds by replication (common random numbers), so each replication
gives one paired difference, arm minus baseline, of a metric's whole-run
value (for ratios such as coverage, the run's own ratio). The interval is the
t interval of the mean of those differences, on ``n - 1`` degrees of freedom:
pairing removes the noise both arms share, which is why it is narrower than
comparing two independent sets of runs, and why the replications are the
unit (weeks within a run are not independent). Fewer than two pairs give no
interval (NaN).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from govsim.metrics import METRICS

LEVEL = 0.95

EFFECT_COLUMNS = ["metric", "label", "unit", "scope", "key", "arm", "n", "baseline_mean", "arm_mean",
                  "difference", "ci_low", "ci_high", "relative", "verdict"]


def t_interval(values: np.ndarray, level: float = LEVEL) -> tuple[float, float, float]:
    """Mean and t confidence interval of ``values`` (NaNs dropped): ``(mean, low, high)``."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(x.mean())
    if x.size < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return mean, mean - half, mean + half


def paired_effect(baseline: np.ndarray, arm: np.ndarray, level: float = LEVEL) -> dict[str, float]:
    """Effect of an arm over the baseline from paired values (same replication, same index).

    Pairs where either value is missing are dropped.
    """
    b, a = np.asarray(baseline, dtype=float), np.asarray(arm, dtype=float)
    keep = np.isfinite(b) & np.isfinite(a)
    b, a = b[keep], a[keep]
    diff, low, high = t_interval(a - b, level)
    base_mean = float(b.mean()) if b.size else float("nan")
    arm_mean = float(a.mean()) if a.size else float("nan")
    return {"n": int(b.size), "baseline_mean": base_mean, "arm_mean": arm_mean,
            "difference": diff, "ci_low": low, "ci_high": high,
            "relative": diff / base_mean if base_mean else float("nan")}


def effects(summaries: pd.DataFrame, baseline: str, *, metrics: Sequence[str] | None = None,
            scopes: Sequence[str] = ("overall", "group"), level: float = LEVEL) -> pd.DataFrame:
    """The effect table: every arm against the baseline, per metric, scope and key.

    Args:
        summaries: Whole-run values with columns label (the arm), replication,
            metric, scope, key, value (as from :func:`govsim.study.load_summaries`).
        baseline: Label of the baseline arm.
        metrics: Metrics to include (default: all present), in this order.
        scopes: Scopes to include.
        level: Confidence level.

    Returns:
        Columns :data:`EFFECT_COLUMNS`. ``verdict`` is ``better``/``worse`` when
        the interval excludes zero and the metric has a direction, ``no clear
        difference`` when it includes zero, else ``changed``/``n/a``.
    """
    sub = summaries[summaries["scope"].isin(scopes)]
    if metrics is not None:
        sub = sub[sub["metric"].isin(metrics)]
    wide = sub.set_index(["metric", "scope", "key", "replication", "label"])["value"].unstack("label")
    arms = [a for a in dict.fromkeys(summaries["label"]) if a != baseline]
    rows = []
    order = {m: i for i, m in enumerate(metrics or METRICS)}
    for (metric, scope, key), block in wide.groupby(level=["metric", "scope", "key"], sort=False):
        if baseline not in block.columns:
            continue
        for arm in arms:
            if arm not in block.columns:
                continue
            effect = paired_effect(block[baseline].to_numpy(), block[arm].to_numpy(), level)
            m = METRICS.get(metric)
            rows.append({"metric": metric, "label": m.label if m else metric,
                         "unit": m.summary_unit if m else "",
                         "scope": scope, "key": key, "arm": arm, **effect,
                         "verdict": verdict(effect, m.higher_is_better if m else None)})
    table = pd.DataFrame(rows, columns=EFFECT_COLUMNS)
    rank = table["metric"].map(lambda m: order.get(m, len(order)))
    scope_rank = table["scope"].map({"overall": 0, "group": 1, "community": 2})
    arm_rank = table["arm"].map({a: i for i, a in enumerate(arms)})
    keys = pd.DataFrame({"s": scope_rank, "m": rank, "a": arm_rank, "k": table["key"]})
    return table.loc[keys.sort_values(["s", "m", "a", "k"]).index].reset_index(drop=True)


def verdict(effect: dict[str, float], higher_is_better: bool | None) -> str:
    """In words: is the arm better, worse, or not clearly different from the baseline?"""
    low, high = effect["ci_low"], effect["ci_high"]
    if not (np.isfinite(low) and np.isfinite(high)):
        return "n/a"
    if low <= 0 <= high:
        return "no clear difference"
    if higher_is_better is None:
        return "changed"
    up = low > 0
    return "better" if up == higher_is_better else "worse"


def widths(table: pd.DataFrame, metrics: Sequence[str]) -> pd.Series:
    """Widest overall interval (upper - lower) per metric across arms; NaN when there is none yet."""
    overall = table[(table["scope"] == "overall") & table["metric"].isin(metrics)]
    width = (overall["ci_high"] - overall["ci_low"]).groupby(overall["metric"]).max()
    return width.reindex(list(metrics))


def weekly_bands(results: pd.DataFrame, metric: str, *, by: str = "label",
                 level: float = LEVEL) -> pd.DataFrame:
    """Mean and t interval across replications of a weekly metric: by, week, mean, low, high."""
    rows = []
    for (group, week), values in results.groupby([by, "week"], sort=False)[metric]:
        mean, low, high = t_interval(values.to_numpy(), level)
        rows.append((group, week, mean, low, high))
    return pd.DataFrame(rows, columns=[by, "week", "mean", "low", "high"])


def replications_for(width_now: float, n_now: int, target: float) -> int:
    """Replications expected to bring an interval of ``width_now`` at ``n_now`` under ``target``.

    The width shrinks as ``1/sqrt(n)``; 10% more is asked for, since the
    spread estimate itself is noisy.
    """
    if not np.isfinite(width_now) or width_now <= 0 or target <= 0:
        return n_now + 2
    return int(np.ceil(1.1 * n_now * (width_now / target) ** 2))
