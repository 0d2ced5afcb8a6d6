"""A self-contained HTML report of an experiment, to hand on.

One file, no external assets: figures are embedded as base64 PNG and tables
are plain HTML. It states the question, what was compared, the effect table
(paired differences with 95% intervals), the time series with uncertainty
bands, who gains and who loses by group, and the manifest (versions, spec,
seeds, scenario hashes) that lets anyone reproduce the numbers.
"""

from __future__ import annotations

import base64
import json
import math
import os
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from govsim.files import writable_file, write_atomic
from govsim.metrics import METRICS
from govsim.study import figures, stats
from govsim.study.results import load_results, load_summaries
from govsim.study.sensitivity import WIDE
from govsim.study.store import RunStore

#: Grids with at most this many points are reported like arms (each point against the first).
MAX_POINTS_AS_ARMS = 12
#: Time-series panels in the report.
MAX_BANDS = 6

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.6em 0;font-size:.88em}
th,td{padding:.25em .6em;border-bottom:1px solid #eee;text-align:right;vertical-align:top}
th{background:#f6f6f6}td:first-child,th:first-child{text-align:left}
.better{color:#1a7f37;font-weight:600}.worse{color:#b42318;font-weight:600}.muted{color:#777}
.question{font-size:1.15em;background:#f3f6fb;border-left:4px solid #4c72b0;padding:.6em 1em}
img{max-width:100%}pre{background:#f6f6f6;padding:.8em;overflow-x:auto;font-size:.8em}
"""


def write_report(results_dir: str | os.PathLike[str], out: str | os.PathLike[str] | None = None, *,
                 metrics: list[str] | None = None) -> Path:
    """Write the report of a results directory (default ``DIR/report.html``) and return its path."""
    target = Path(out) if out is not None else Path(results_dir) / "report.html"
    RunStore(results_dir).experiment()  # not a results directory: say so first
    writable_file(target)  # before the report is built, not after
    write_atomic(target, build_report(results_dir, metrics=metrics).encode("utf-8"))
    return target


def build_report(results_dir: str | os.PathLike[str], *, metrics: list[str] | None = None) -> str:
    """The report's HTML text.

    Raises:
        StudyError: ``results_dir`` is not a results directory.
    """
    store = RunStore(results_dir)
    meta = store.experiment()
    metrics = [m for m in (metrics or meta.get("metrics") or []) if m in METRICS]
    summaries = load_summaries(store.root)
    parts = [_header(meta, summaries), _compared(meta, store)]
    labels = list(dict.fromkeys(store.design()["label"]))
    small_grid = meta.get("design") == "grid" and len(labels) <= MAX_POINTS_AS_ARMS
    if meta.get("kind") == "arms" or small_grid:
        baseline = meta.get("baseline") or labels[0]
        table = stats.effects(summaries, baseline, metrics=metrics) if len(summaries) else pd.DataFrame()
        parts += [_effects(table, baseline, meta), _bands(store.root, metrics), _groups(table, metrics)]
    elif len(summaries):
        factors = [f["path"] for f in meta.get("factors", [])]
        fig = figures.scatter(summaries, factors, metrics[:4])
        parts.append(f"<h2>Outputs against each factor</h2>{_img(fig)}<p class=muted>Each dot is a design "
                     "point: the mean whole-run value over its replications.</p>")
    parts += [_sensitivity(store.root), _calibration(store.root), _manifest(meta, store)]
    title = escape(str(meta.get("name") or "experiment"))
    return (f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>govsim: {title}</title>"
            f"<style>{_STYLE}</style></head><body>{''.join(parts)}</body></html>\n")


def _header(meta: dict[str, Any], summaries: pd.DataFrame) -> str:
    question = meta.get("question") or meta.get("description") or ""
    runs = summaries["run_id"].nunique() if len(summaries) else 0
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = f"<h1>{escape(str(meta.get('name')))}</h1>"
    if question:
        text += f"<p class=question>{escape(question)}</p>"
    if meta.get("description") and meta.get("description") != question:
        text += f"<p>{escape(meta['description'])}</p>"
    return text + (f"<p class=muted>{runs} runs, {meta.get('replications')} replications per "
                   f"{'arm' if meta.get('kind') == 'arms' else 'design point'}, sharing seeds "
                   f"(common random numbers{_shared_draws(meta)}). Report written {when} by govsim.</p>")


def _compared(meta: dict[str, Any], store: RunStore) -> str:
    if meta.get("kind") == "arms":
        rows = [[a["name"] + (" (baseline)" if a["name"] == meta.get("baseline") else ""), a["scenario"],
                 os.path.normpath(a["source"]) if a.get("source") else "",
                 ", ".join(f"{k}={v}" for k, v in (a.get("overrides") or {}).items()),
                 a["scenario_hash"][:12]] for a in meta.get("arms", [])]
        return "<h2>The arms</h2>" + _table(["arm", "scenario", "file", "overrides", "hash"], rows)
    rows = [[f["path"], ", ".join(map(str, f["values"])) if f.get("values") else f"{f['low']} to {f['high']}"]
            for f in meta.get("factors", [])]
    text = (f"<h2>The design</h2><p>{escape(str(meta.get('design') or meta.get('kind')))} design, "
            f"{len(store.design())} points, base scenario {escape(str(meta.get('base_scenario')))}.</p>")
    return text + _table(["factor", "values"], rows)


def _effects(table: pd.DataFrame, baseline: str, meta: dict[str, Any]) -> str:
    if table.empty:
        return "<h2>Effects</h2><p>No finished runs yet.</p>"
    overall = table[table["scope"] == "overall"]
    metrics = list(dict.fromkeys(overall["metric"]))
    cells = overall.set_index(["arm", "metric"])
    first = overall.drop_duplicates("metric").set_index("metric")
    head = ["", *(f"{first.loc[m, 'label']} ({_unit(first.loc[m, 'unit'])})" for m in metrics)]
    rows = [[f"<b>{escape(baseline)}</b> (baseline)",
             *(_fmt(first.loc[m, "baseline_mean"], first.loc[m, "unit"]) for m in metrics)]]
    for arm in dict.fromkeys(overall["arm"]):
        row = [f"<b>{escape(str(arm))}</b>"]
        for m in metrics:
            if (arm, m) not in cells.index:
                row.append("")
                continue
            e = cells.loc[(arm, m)]
            row.append(f"{_fmt(e['arm_mean'], e['unit'])}<br>{_diff_cell(e)}")
        rows.append(row)
    n = int(overall["n"].min()) if len(overall) else 0
    return ("<h2>Effects</h2>" + _table(head, rows, raw=True)
            + f"<p class=muted>Each arm's mean, and below it its difference from the baseline: the mean of "
              f"paired differences (same seed) with a Student-t 95% interval over {n} replications. Green "
              "is better, red worse, where the interval excludes zero and the metric has a direction. "
              "Shares are in percent, their differences in percentage points. "
              f"<b>The {escape(_intervals(meta))}.</b></p>")


def _shared_draws(meta: dict[str, Any]) -> str:
    info = meta.get("posterior")
    return (f" and parameter draws from the posterior {escape(str(info['file']))}, {info['particles']} "
            "particles" if info else "")


def _intervals(meta: dict[str, Any]) -> str:
    """What the intervals include (``experiment.json``'s note; older stores had no posterior)."""
    from govsim.study.posterior import intervals_note

    return str(meta.get("intervals") or intervals_note(meta.get("posterior")))


def _bands(root: Path, metrics: list[str]) -> str:
    shown = metrics[:MAX_BANDS]
    results = load_results(root, metrics=shown)
    if results.empty:
        return ""
    return ("<h2>Over time</h2>" + _img(figures.bands(results, shown))
            + "<p class=muted>Weekly mean over replications; the band is its 95% interval.</p>")


def _groups(table: pd.DataFrame, metrics: list[str]) -> str:
    groups = table[table["scope"] == "group"] if not table.empty else table
    if groups.empty:
        return ""
    parts = []
    for arm, block in groups.groupby("arm", sort=False):
        shown = list(dict.fromkeys(block["metric"]))
        rows = []
        for key, by_key in block.groupby("key", sort=False):
            cells = by_key.set_index("metric")
            rows.append([escape(str(key)), *(_diff_cell(cells.loc[m]) if m in cells.index else ""
                                             for m in shown)])
        head = ["group", *(f"{METRICS[m].label} ({_unit(METRICS[m].summary_unit)})" for m in shown)]
        parts.append(f"<h3>{escape(str(arm))} − baseline</h3>" + _table(head, rows, raw=True))
    return ("<h2>Who gains, who loses</h2>" + _img(figures.group_effects(table, metrics)) + "".join(parts)
            + "<p class=muted>Difference from the baseline for each resident group, with its 95% interval: "
              "green where the group is clearly better off, red where clearly worse off.</p>")


def _sensitivity(root: Path) -> str:
    """The indices with their 95% half-widths, the convergence flags and the suggested sample size."""
    path = root / "sensitivity.csv"
    if not path.is_file():
        return ""
    table = pd.read_csv(path)
    if "flag" not in table:  # written before the flags existed
        table["flag"] = ""
    table["flag"] = table["flag"].fillna("")
    names = list(dict.fromkeys(table["index"]))
    rows = []
    for (metric, factor), block in table.groupby(["metric", "factor"], sort=False):
        cells = {r.index: _pm(r.value, r.conf) for r in block.itertuples()}
        flags = "; ".join(f"{r.index}: {r.flag}" for r in block.itertuples() if r.flag)
        rows.append([metric, factor, *(cells.get(n, "") for n in names), flags])
    png = root / "sensitivity.png"
    img = (f"<img alt=sensitivity src='data:image/png;base64,{_b64(png.read_bytes())}'>"
           if png.is_file() else "")
    return ("<h2>Sensitivity</h2>" + img + _table(["metric", "factor", *names, "flag"], rows)
            + "<p class=muted>Each index ± the half-width of its bootstrap 95% interval.</p>"
            + _sensitivity_warning(table))


def _sensitivity_warning(table: pd.DataFrame) -> str:
    """Where indices are flagged: what the flags mean and the sample size suggested per metric."""
    if "suggested_n" not in table or table["suggested_n"].isna().all():
        return ""
    suggested = table.dropna(subset=["suggested_n"]).drop_duplicates("metric")
    sizes = ", ".join(f"{int(n)} for {m}" for m, n in zip(suggested["metric"], suggested["suggested_n"],
                                                          strict=True))
    return ("<p><b>Not converged.</b> Flagged indices are outside [0, 1] beyond their interval, have a "
            f"total index below the first-order one beyond both intervals, have a half-width above {WIDE} "
            "(wide), or (Morris) a mu* interval wider than mu* (unresolved). Suggested sample size "
            f"('samples:' in the spec): {escape(sizes)}.</p>")


def _pm(value: float, conf: float) -> str:
    return f"{value:.3f} ± {conf:.3f}" if math.isfinite(conf) else f"{value:.3f}"


def _calibration(root: Path) -> str:
    path = root / "calibration.csv"
    if not path.is_file():
        return ""
    log = pd.read_csv(path)
    rows = [[*(f"{v:.4g}" if isinstance(v, float) else v for v in row)] for row in log.to_numpy().tolist()]
    text = "<h2>Calibration</h2>" + _table(list(log.columns), rows)
    scenario = root / "calibrated.yaml"
    if scenario.is_file():
        text += f"<p>Calibrated scenario (calibrated.yaml):</p><pre>{escape(scenario.read_text())}</pre>"
    return text


def _manifest(meta: dict[str, Any], store: RunStore) -> str:
    failures = store.failures()
    done = store.done()
    failed = {k: v for k, v in failures.items() if k not in done}
    spec = meta.get("spec_source")
    command = f"govsim sweep {spec} --resume" if spec and meta.get("kind") != "arms" else ""
    design = store.design()
    rows = [[r.label, r.scenario_hash] for r in design.head(50).itertuples()]
    text = ("<h2>Reproduce</h2><p>Every run is a pure function of its scenario (by hash) and seed. "
            f"Replication seeds derive from master seed {meta.get('seed')}: "
            f"{escape(', '.join(map(str, meta.get('replication_seeds', [])[:12])))}"
            f"{' …' if len(meta.get('replication_seeds', [])) > 12 else ''}.</p>")
    if command:
        text += f"<p>To rerun or extend: <code>{escape(command)}</code></p>"
    if failed:
        errors = "; ".join(f"{k}: {v.get('error')}" for k, v in list(failed.items())[:5])
        text += f"<p class=worse>{len(failed)} runs failed: {escape(errors)}</p>"
    text += _table(["point", "scenario hash"], rows)
    shown = {k: meta.get(k) for k in ("versions", "git_commit", "spec_source", "spec", "seed",
                                      "replications", "base_scenario_hash", "updated_at")}
    return text + f"<pre>{escape(json.dumps(shown, indent=2, ensure_ascii=False, default=str))}</pre>"


def _table(head: list[str], rows: list[list[Any]], *, raw: bool = False) -> str:
    cells = "".join(f"<th>{escape(str(h))}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c if raw else escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def _diff_cell(e: pd.Series) -> str:
    text = (f"{_fmt(e['difference'], e['unit'], True)} "
            f"[{_fmt(e['ci_low'], e['unit'], True)}, {_fmt(e['ci_high'], e['unit'], True)}]")
    css = e["verdict"] if e["verdict"] in ("better", "worse") else "muted" if e["verdict"] == "n/a" else ""
    return f"<span class='{css}'>{escape(text)}</span>"


def _fmt(value: Any, unit: str, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    v = 100 * float(value) if unit == "share" else float(value)
    sign = "+" if signed else ""
    if abs(v) >= 100:
        return f"{v:{sign},.0f}"
    return f"{v:{sign}.3g}" if v else "0"


def _unit(unit: str) -> str:
    return "%" if unit == "share" else unit


def _img(fig: Any) -> str:
    return f"<img alt=figure src='data:image/png;base64,{_b64(figures.png(fig))}'>"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
