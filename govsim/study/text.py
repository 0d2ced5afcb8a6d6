"""Plain-text tables of experiment results, for the terminal.

Formatting only (the CLI prints them): values are shown as ``govsim run``
shows them (shares in percent, big numbers grouped), differences of shares
in percentage points, each with its 95% interval.
"""

from __future__ import annotations

import math
import textwrap
import unicodedata
from typing import Any

import pandas as pd

from govsim.console import format_value


def table_text(head: list[str], rows: list[list[str]]) -> str:
    """An aligned table: first column left, the rest right."""
    widths = [max(_width(str(r[i])) for r in [head, *rows]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        out = [_pad(str(cells[0]), widths[0], left=True)]
        out += [_pad(str(c), w, left=False) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join(out).rstrip()

    return "\n".join([line(head), *(line(r) for r in rows)])


def comparison_text(result: Any) -> str:
    """The comparison's answer: overall effects per arm, then by group, then the precision verdict."""
    table = result.effects
    arms = list(dict.fromkeys(table["arm"]))
    lines = [f"{', '.join(arms)} compared with {result.baseline}: {result.replications} replications each, "
             f"seeds shared (paired differences, 95% intervals)", f"{result.intervals}"]
    overall = table[table["scope"] == "overall"]
    for arm in arms:
        rows = [[r.label, _value(r.baseline_mean, r.unit), _value(r.arm_mean, r.unit),
                 _interval(r), _unit(r.unit), r.verdict] for r in overall[overall["arm"] == arm].itertuples()]
        lines += ["", table_text(["metric", result.baseline, arm, "difference [95% CI]", "unit", ""], rows)]
    groups = table[table["scope"] == "group"]
    for arm in arms:
        block = groups[groups["arm"] == arm]
        if block.empty:
            continue
        rows = [[f"{r.label}: {r.key}", _interval(r), _unit(r.unit), r.verdict] for r in block.itertuples()]
        lines += ["", f"by group, {arm} − {result.baseline}:",
                  table_text(["metric: group", "difference [95% CI]", "unit", ""], rows)]
    lines += ["", *_precision_lines(result), f"results: {result.out}  (govsim report {result.out})"]
    return "\n".join(lines)


def _precision_lines(result: Any) -> list[str]:
    if result.precision is None:
        return []
    wide = {m: w for m, w in result.widths.items() if m in result.precision and not w < result.precision[m]}
    if result.met:
        return [f"precision reached: every interval is narrower than asked after {result.replications} "
                "replications"]
    listed = ", ".join(f"{m} {_num(w)} (asked {_num(result.precision[m])})" for m, w in wide.items())
    return [f"precision NOT reached: stopped at the cap of {result.replications} replications; "
            f"intervals still too wide: {listed}"]


def sensitivity_text(result: Any) -> str:
    """Indices per metric and factor with their 95% half-widths, the sizes used, and any warning."""
    table = result.table
    names = ("S1", "ST") if result.method == "sobol" else ("mu_star", "sigma")
    lines = [f"{result.method} sensitivity ({result.sweep.planned} runs): index ± 95% half-width",
             sensitivity_size(result)]
    for metric, block in table.groupby("metric", sort=False):
        rows = []
        for factor, by_factor in block[block["index"].isin(names)].groupby("factor", sort=False):
            cells = by_factor.set_index("index")
            rows.append([factor, *(_pm(cells.loc[n, "value"], cells.loc[n, "conf"]) for n in names)])
        lines += ["", f"{metric}:", table_text(["factor", *names], rows)]
    warning = sensitivity_warning(result)
    lines += ["", *([warning, ""] if warning else []), f"figure: {result.figure}",
              f"table: {result.out / 'sensitivity.csv'}"]
    return "\n".join(lines)


def sensitivity_size(result: Any) -> str:
    """What the analysis used: SALib's N (base samples or trajectories) and the runs.

    Design points that repeat (Morris trajectories often share one) are run once, so the
    distinct model runs can be fewer than the runs the analysis reads.
    """
    reps = _plural(result.replications, "replication")
    if result.method == "morris":
        factors = result.table.loc[result.table["index"] == "mu_star", "factor"].nunique()
        text = (f"{_plural(result.samples, 'trajectory', 'trajectories')} × ({factors} factors + 1) × "
                f"{reps} = {result.runs} runs used")
    else:
        points = result.runs // max(result.replications, 1)
        text = (f"N = {result.samples} base samples (Saltelli: {points} design points) × {reps} "
                f"= {result.runs} runs used")
    distinct = result.sweep.planned
    return text + (f" ({distinct} distinct model runs)" if distinct < result.runs else "")


def sensitivity_warning(result: Any) -> str | None:
    """One paragraph naming the flagged indices and the sample size to run next, or None."""
    flagged = result.flagged
    if flagged.empty:
        return None
    by_metric = flagged.groupby("metric", sort=False)
    listed = "; ".join(f"{metric}: {_flag_list(block)}" for metric, block in by_metric)
    size = "base samples N" if result.method == "sobol" else "trajectories"
    suggested = ", ".join(f"{n} for {m}" for m, n in result.suggested.items())
    text = (f"WARNING: {_plural(len(flagged), 'index', 'indices')} not converged: {listed}. Suggested {size} "
            f"(now {result.samples}; 'samples:' in the spec): {suggested}.")
    return textwrap.fill(text, width=100, break_long_words=False, break_on_hyphens=False)


def _flag_list(block: pd.DataFrame) -> str:
    """``factor index (reason)`` for each flagged row of one metric."""
    rows = zip(block["factor"], block["index"], block["flag"], strict=True)
    return ", ".join(f"{factor} {index} ({reason})" for factor, index, reason in rows)


def calibration_text(result: Any) -> str:
    """Fitted parameters, each target met or missed, and where the calibrated scenario is."""
    fitted = [[k, _num(v)] for k, v in result.parameters.items()]
    lines = [f"calibration: {result.evaluations} parameter sets tried; {result.message}",
             "", table_text(["parameter", "fitted"], fitted), ""]
    rows = [[f"{r.metric} ({r.scope}:{r.key})", _num(r.target), _num(r.fitted),
             f"[{_num(r.ci_low)}, {_num(r.ci_high)}]", _num(r.tolerance), "met" if r.met else "MISSED"]
            for r in result.targets.itertuples()]
    lines += [table_text(["target", "target", "fitted", "95% CI", "tolerance", ""], rows), "",
              f"targets met: {result.met} of {len(result.targets)}; objective {_num(result.objective)}",
              f"calibrated scenario: {result.scenario}", f"results: {result.out}"]
    return "\n".join(lines)


def abc_text(result: Any) -> str:
    """An ABC-SMC posterior: credible intervals, generations, why it stopped (a budget stop first
    and in capitals, since the posterior is then wider than asked), and the files."""
    stop = result.stop
    lines = [f"WARNING: {stop.message}." if stop.budget else f"ABC-SMC {stop.message}.", ""]
    rows = [[r.parameter, f"{r.prior} [{_num(r.prior_low)}, {_num(r.prior_high)}]", _num(r.mean),
             _num(r.median), f"[{_num(r.ci90_low)}, {_num(r.ci90_high)}]",
             f"[{_num(r.ci95_low)}, {_num(r.ci95_high)}]"] for r in result.summary.itertuples()]
    lines += [table_text(["parameter", "prior", "mean", "median", "90% CI", "95% CI"], rows)]
    lines += [f"prior of {r.parameter}: its plausible range, from {r.prior_source}"
              for r in result.summary.itertuples() if r.prior_source != "the spec's range"]
    lines.append("")
    rows = [[str(g.generation), _num(g.epsilon), _num(g.acceptance_rate), f"{g.ess:.1f}", str(g.simulations)]
            for g in result.generations.itertuples()]
    lines += [table_text(["generation", "epsilon", "acceptance", "ESS", "simulations"], rows), "",
              f"{result.simulations} simulations in all (with "
              f"{result.simulations - int(result.generations['simulations'].sum())} "
              f"from the prior to set the first epsilon); minimum epsilon {_num(result.minimum_epsilon)}"]
    if result.moving:
        lines.append(f"still moving in the last generation: {', '.join(result.moving)} "
                     "(run more generations)")
    lines += [f"posterior: {result.files['posterior']} (one row per particle, with its weight)",
              f"pair plot: {result.files['pairs']}", f"results: {result.out}"]
    return "\n".join(lines)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"


def _value(value: Any, unit: str) -> str:
    return format_value(value, unit)[0]


def _unit(unit: str) -> str:
    return "% (points)" if unit == "share" else unit


def _interval(row: Any) -> str:
    scale = 100.0 if row.unit == "share" else 1.0
    return (f"{_num(row.difference * scale, True)} "
            f"[{_num(row.ci_low * scale, True)}, {_num(row.ci_high * scale, True)}]")


def _num(value: Any, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)) or pd.isna(value):
        return "n/a"
    v = float(value)
    sign = "+" if signed else ""
    return f"{v:{sign},.0f}" if abs(v) >= 1000 else f"{v:{sign}.3g}"


def _pm(value: float, conf: float) -> str:
    return f"{_num(value)} ± {_num(conf)}" if math.isfinite(conf) else _num(value)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, *, left: bool) -> str:
    gap = " " * (width - _width(text))
    return text + gap if left else gap + text


def plan_text(name: str, plan: Any, limit: int | None = 20) -> str:
    """What ``govsim plan`` prints: the points, the run count and the estimated time here."""
    what = {"arms": "arms", "design": "design points", "calibration": "calibration budget"}[plan.kind]
    rows = [[p["label"], f"{p['residents']:,}", f"{p['weeks']:,}", f"{p['runs']:,}"]
            for p in plan.points[:limit]]
    lines = [f"{name}: {len(plan.points):,} {what}, {plan.replications:,} replications each"]
    lines += ["", table_text(["point", "residents", "weeks (with warm-up)", "runs"], rows)]
    if limit is not None and len(plan.points) > limit:
        lines.append(f"… and {len(plan.points) - limit:,} more points (--all lists them)")
    cap = "at most " if plan.bounded else ""
    lines += ["", f"runs: {cap}{plan.runs:,}",
              f"estimated time on this machine: {cap}{duration_text(plan.seconds)} with {plan.workers} "
              f"worker{'s' if plan.workers != 1 else ''}",
              f"  (timed here: {plan.timing['setup'] * 1e3:.3g} ms to set up a run; a week "
              f"{plan.timing['per_week'] * 1e3:.3g} ms and {plan.timing['per_resident_week'] * 1e9:.3g} ns "
              "per resident; policies that add work take longer)"]
    return "\n".join(lines)


def duration_text(seconds: float) -> str:
    """``42 s``, ``3 min 20 s``, ``2 h 5 min`` or ``3.1 days``."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min {seconds % 60:.0f} s"
    if seconds < 86400:
        return f"{seconds // 3600:.0f} h {seconds % 3600 // 60:.0f} min"
    return f"{seconds / 86400:.1f} days"
