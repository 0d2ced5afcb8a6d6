"""A self-contained HTML report of an experiment, to hand on, in English or Chinese.

One file, no external assets: figures are embedded as base64 PNG and tables
are plain HTML. It answers the spec's question in a headline per arm (what
changed, by how much, with its interval, and whether that is large enough to
matter), then shows the effect table, the time series with uncertainty bands,
who gains and who loses by group, response curves for designs over factors,
sensitivity indices with their intervals and convergence flags, calibration
results, and the manifest (versions, spec, seeds, scenario hashes) that lets
anyone reproduce the numbers.

The HTML comes from one Jinja2 template (``templates/report.html.j2``, with
autoescaping) shared by both languages; every word comes from the catalogue
:mod:`govsim.study.report_text`. What the report may claim follows
:mod:`govsim.study.significance`: practical-significance thresholds, counts
shown next to their rates and never judged by themselves, and
Bonferroni-adjusted intervals for the many comparisons.
"""

from __future__ import annotations

import base64
import math
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from markupsafe import Markup

from govsim.files import writable_file, write_atomic
from govsim.i18n import LANGS
from govsim.metrics import METRICS
from govsim.study import figures, significance, stats
from govsim.study.errors import StudyError
from govsim.study.report_text import Words
from govsim.study.results import load_results, load_summaries
from govsim.study.sensitivity import WIDE
from govsim.study.store import DESIGN, RunStore

#: Time-series panels in the report.
MAX_BANDS = 6
#: Sentences in an arm's headline (the rest are in the effect table).
HEADLINE_SENTENCES = 3
#: Response-curve panels (metrics) for designs over factors.
MAX_CURVES = 6
#: Design points listed by name in the manifest.
MAX_POINTS_LISTED = 50


def write_report(results_dir: str | os.PathLike[str], out: str | os.PathLike[str] | None = None, *,
                 metrics: list[str] | None = None, lang: str = "en") -> Path:
    """Write the report of a results directory (default ``DIR/report.html``, or ``report.zh.html``)."""
    default = "report.html" if lang == "en" else f"report.{lang}.html"
    target = Path(out) if out is not None else Path(results_dir) / default
    RunStore(results_dir).experiment()  # not a results directory: say so first
    writable_file(target)  # before the report is built, not after
    write_atomic(target, build_report(results_dir, metrics=metrics, lang=lang).encode("utf-8"))
    return target


def build_report(results_dir: str | os.PathLike[str], *, metrics: list[str] | None = None,
                 lang: str = "en") -> str:
    """The report's HTML text.

    Raises:
        StudyError: ``results_dir`` is not a results directory, or ``lang`` is not one of
            :data:`govsim.i18n.LANGS`.
    """
    if lang not in LANGS:
        raise StudyError(f"no report language {lang!r}; choose one of {', '.join(LANGS)}")
    store = RunStore(results_dir)
    meta = store.experiment()
    words = Words(lang)
    chosen = [m for m in (metrics or meta.get("metrics") or []) if m in METRICS]
    has_design = (store.root / DESIGN).is_file()
    summaries = load_summaries(store.root) if has_design else pd.DataFrame()
    context: dict[str, Any] = {"w": words, "lang": lang, "title": str(meta.get("name") or "experiment"),
                               "header": _header(meta, summaries, words), "sections": []}
    sections = context["sections"]
    kind = meta.get("kind")
    if has_design:
        sections.append(_compared(meta, store, words))
    if kind == "arms" and len(summaries):
        baseline = meta.get("baseline") or str(store.design()["label"].iloc[0])
        sections += _comparison(summaries, baseline, chosen, meta, store, words, labels=None)
    elif kind == "design" and len(summaries):
        sections += _design(summaries, chosen, meta, store, words)
    elif has_design and not len(summaries):
        sections.append({"id": "effects", "title": words("effects.title"),
                         "body": [_p(words("effects.none"))]})
    sections += [s for s in (_sensitivity(store.root, words), _calibration(store.root, meta, words)) if s]
    sections.append(_how_to_read(words))
    context["manifest"] = _manifest(meta, store, words, has_design)
    return _render(context)


# -- rendering -------------------------------------------------------------------------------------


def _render(context: dict[str, Any]) -> str:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("govsim.study", "templates"),
                      autoescape=select_autoescape(["html", "j2"], default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("report.html.j2").render(**context)


def _p(text: Any, css: str = "") -> dict[str, Any]:
    return {"type": "p", "text": text, "css": css}


def _table(head: Sequence[Any], rows: Sequence[Sequence[Any]], css: str = "",
           row_css: Sequence[str] | None = None) -> dict[str, Any]:
    return {"type": "table", "head": list(head), "rows": [list(r) for r in rows], "css": css,
            "row_css": list(row_css) if row_css is not None else [""] * len(rows)}


def _figure(fig: Any, alt: str) -> dict[str, Any]:
    return {"type": "img", "src": "data:image/png;base64," + _b64(figures.png(fig)), "alt": alt}


def _code(text: Any) -> Markup:
    return Markup("<code>{}</code>").format(text)


# -- header and what was compared ----------------------------------------------------------------------


def _header(meta: dict[str, Any], summaries: pd.DataFrame, w: Words) -> dict[str, Any]:
    spec = meta.get("spec") or {}
    question, description = (meta.get("question") or ""), (meta.get("description") or "")
    translated = w.lang == "en"
    if w.lang != "en":
        question_t, description_t = spec.get(f"question_{w.lang}"), spec.get(f"description_{w.lang}")
        translated = bool(question_t or not question) and bool(description_t or not description)
        question, description = question_t or question, description_t or description
    runs = summaries["run_id"].nunique() if len(summaries) else 0
    unit = w("header.per_arm") if meta.get("kind") == "arms" else w("header.per_point")
    info = meta.get("posterior")
    draws = w("header.posterior", file=_code(info["file"]), particles=info["particles"]) if info else ""
    when = datetime.now(UTC).strftime(str(w("header.when")))
    return {"question": question, "description": description if description != question else "",
            "original": not translated,
            "runs": w("header.runs", runs=runs, reps=meta.get("replications"), unit=unit, draws=draws,
                      when=when, govsim=_code("govsim"))}


def _compared(meta: dict[str, Any], store: RunStore, w: Words) -> dict[str, Any]:
    if meta.get("kind") == "arms":
        rows = []
        for a in meta.get("arms", []):
            name = _code(a["name"])
            if a["name"] == meta.get("baseline"):
                name = Markup("{} {}").format(name, w("arms.baseline_mark"))
            overrides = _overrides(a.get("overrides") or {})
            rows.append([name, _code(a["scenario"]),
                         _code(os.path.normpath(a["source"])) if a.get("source") else "",
                         overrides or w("arms.no_overrides"), _code(a["scenario_hash"][:12])])
        return {"id": "arms", "title": w("arms.title"), "body": [
            _table([w("arms.arm"), w("arms.scenario"), w("arms.file"), w("arms.overrides"), w("arms.hash")],
                   rows)]}
    rows = []
    for f in meta.get("factors", []):
        values = (", ".join(map(_num_text, f["values"])) if f.get("values")
                  else w("design.range", low=_num_text(f["low"]), high=_num_text(f["high"])))
        rows.append([w.param(f["path"]), _code(f["path"]), values])
    design = str(meta.get("design") or meta.get("kind"))
    body = [_p(w("design.summary", design=w(f"design.kind.{design}") if w.has(f"design.kind.{design}")
                 else _code(design), points=len(store.design()),
                 base=_code(meta.get("base_scenario"))))]
    reference = _reference(meta)
    if reference:
        body.append(_p(w("design.reference", point=_point_text(reference, w))))
    elif meta.get("design") == "grid":
        body.append(_p(w("design.no_reference"), "muted"))
    body.append(_table([w("design.factor"), w("design.path"), w("design.values")], rows))
    return {"id": "design", "title": w("design.title"), "body": body}


def _overrides(overrides: dict[str, Any]) -> Markup:
    """Overrides as ``key = value`` lines (nested values in flow YAML)."""
    lines = [Markup("<code>{} = {}</code>").format(k, _yaml_value(v)) for k, v in overrides.items()]
    return Markup("<br>").join(lines)


def _yaml_value(value: Any) -> str:
    if isinstance(value, str | int | float | bool) or value is None:
        return yaml.safe_dump(value, default_flow_style=True).removesuffix("\n...\n").strip()
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False,
                          width=10_000).strip()


def _reference(meta: dict[str, Any]) -> dict[str, Any] | None:
    ref = meta.get("reference")
    if ref is None:
        ref = (meta.get("spec") or {}).get("reference")
    return dict(ref) if isinstance(ref, dict) and ref else None


def _point_words(values: dict[str, Any], w: Words) -> str:
    """A design point in words, e.g. "Raise added at each level = 0.1, Hand-down levels = 2"."""
    return w.join([f"{w.param(k, plain=True)} = {_num_text(v)}" for k, v in values.items()])


def _point_text(values: dict[str, Any], w: Words) -> Markup:
    return Markup("<b>{}</b>").format(_point_words(values, w))


# -- comparisons ---------------------------------------------------------------------------------------


def _comparison(summaries: pd.DataFrame, baseline: str, chosen: list[str], meta: dict[str, Any],
                store: RunStore, w: Words, labels: dict[str, str] | None) -> list[dict[str, Any]]:
    """Headlines, the effect table, time series and groups: every arm (or point) against ``baseline``."""
    shown = significance.with_rates(chosen)
    summaries = significance.add_rates(summaries, shown)
    shown = [m for m in shown if m in set(summaries["metric"])]
    # Volumes beside the counts: to say in a count's note that it moved with them.
    volumes = sorted({significance.VOLUME_OF[m] for m in shown if m in significance.VOLUME_OF})
    arms = [a for a in dict.fromkeys(summaries["label"]) if a != baseline]
    n_comparisons = len(shown) * len(arms)
    level = significance.bonferroni_level(n_comparisons)
    adjusted = stats.effects(summaries, baseline, metrics=shown, level=level)
    plain = stats.effects(summaries, baseline, metrics=[*shown, *volumes])
    if adjusted.empty:
        return [{"id": "effects", "title": w("effects.title"), "body": [_p(w("effects.none"))]}]
    rows = _effect_rows(adjusted, plain, shown, volumes)
    def name(arm: str) -> Markup:
        return Markup("<b>{}</b>").format(labels[arm]) if labels else _code(arm)

    multiplicity = {"n": n_comparisons, "metrics": len(shown), "arms": len(arms), "level": level,
                    "posterior": bool(meta.get("posterior"))}
    headlines = [_headline(arm, rows[rows["arm"] == arm], baseline, name, w) for arm in arms]
    out = [{"id": "headline", "title": w("headline.title"), "body": [
        {"type": "headlines", "items": headlines},
        _p(w("headline.multiplicity", n=n_comparisons, m=len(shown), k=len(arms),
             what=w("headline.points" if labels else "headline.arms"), level=_pct(level)), "note")]}]
    out.append(_effect_table(rows, shown, arms, baseline, name, w, multiplicity))
    bands = _bands(store.root, [m for m in chosen if m in METRICS][:MAX_BANDS], w, labels)
    if bands:
        out.append(bands)
    groups = _groups(summaries, baseline, [m for m in shown if m in METRICS], w, name)
    if groups:
        out.append(groups)
    return out


def _effect_rows(adjusted: pd.DataFrame, plain: pd.DataFrame, shown: list[str],
                 volumes: list[str]) -> pd.DataFrame:
    """Overall effects with adjusted and per-comparison intervals, thresholds and verdicts."""
    adj = adjusted[adjusted["scope"] == "overall"].copy()
    each = plain[plain["scope"] == "overall"].set_index(["arm", "metric"])
    adj["ci95_low"] = [each.loc[(a, m), "ci_low"] for a, m in zip(adj["arm"], adj["metric"], strict=True)]
    adj["ci95_high"] = [each.loc[(a, m), "ci_high"] for a, m in zip(adj["arm"], adj["metric"], strict=True)]
    adj["unit"] = [significance.unit(m) for m in adj["metric"]]
    adj["threshold"] = [significance.threshold(m).at(b) for m, b in zip(adj["metric"], adj["baseline_mean"],
                                                                      strict=True)]
    adj["practical"] = [significance.practical(lo, hi, t) for lo, hi, t in
                        zip(adj["ci_low"], adj["ci_high"], adj["threshold"], strict=True)]
    adj["judged"] = [significance.judged(m, lo, hi) for m, lo, hi in
                     zip(adj["metric"], adj["ci_low"], adj["ci_high"], strict=True)]
    change = {}
    for (arm, metric), row in each.iterrows():
        if metric in volumes:
            change[(arm, metric)] = row["relative"]
    adj["volume_change"] = [change.get((a, significance.VOLUME_OF.get(m, "")), float("nan"))
                            for a, m in zip(adj["arm"], adj["metric"], strict=True)]
    adj["volume"] = [significance.VOLUME_OF.get(m, "") for m in adj["metric"]]
    return adj.reset_index(drop=True)


_RANK = {significance.MATTERS: 0, significance.MAY_MATTER: 1, significance.TOO_SMALL: 2,
         significance.UNKNOWN: 3}


def _headline(arm: str, rows: pd.DataFrame, baseline: str, name: Any, w: Words) -> dict[str, Any]:
    """An arm's headline: up to :data:`HEADLINE_SENTENCES` sentences on the effects that (may) matter."""
    # Judged metrics (rates, and metrics with a direction) before counts that move with volume.
    order = rows.assign(rank=rows["practical"].map(_RANK),
                        count=rows["metric"].map(significance.is_volume),
                        size=-(rows["difference"].abs() / rows["threshold"].where(rows["threshold"] > 0)))
    order = order.sort_values(["count", "rank", "size"], kind="stable")
    picked = order[order["practical"].isin([significance.MATTERS, significance.MAY_MATTER])]
    sentences = [sentence(r, baseline, arm, name, w)
                 for r in picked.head(HEADLINE_SENTENCES).to_dict("records")]
    if not sentences:
        sentences = [w("headline.nothing", arm=name(arm), baseline=name(baseline))]
    counts = rows["practical"].value_counts()
    tally = w("headline.tally", n=len(rows), matters=int(counts.get(significance.MATTERS, 0)),
              may=int(counts.get(significance.MAY_MATTER, 0)),
              small=int(counts.get(significance.TOO_SMALL, 0)))
    return {"arm": name(arm), "sentences": sentences, "tally": tally}


def sentence(row: dict[str, Any], baseline: str, arm: str, name: Any, w: Words) -> Markup:
    """One effect in plain words, e.g. "Against the baseline, 'x' lowers coverage by 1.2 points
    (95% simultaneous CI 0.8 to 1.6); that is larger than the 1-point change ..."."""
    unit, diff, low, high = row["unit"], row["difference"], row["ci_low"], row["ci_high"]
    clear = np.isfinite(low) and np.isfinite(high) and (low > 0 or high < 0)
    metric = w.metric(row["metric"], in_sentence=True)
    limit = w.amount(row["threshold"], unit)
    if clear:
        lo, hi = sorted((abs(low), abs(high)))
        text = w("sentence.change", baseline=name(baseline), arm=name(arm), metric=metric,
                 verb=w("sentence.raises" if diff > 0 else "sentence.lowers"),
                 amount=w.amount(abs(diff), unit),
                 low=w.number(lo, unit), high=w.number(hi, unit))
    else:
        text = w("sentence.unclear", baseline=name(baseline), arm=name(arm), metric=metric,
                 amount=w.amount(diff, unit, signed=True), low=w.number(low, unit, signed=True),
                 high=w.number(high, unit, signed=True))
    key = {significance.MATTERS: "sentence.matters", significance.MAY_MATTER: "sentence.may_matter",
           significance.TOO_SMALL: "sentence.too_small"}.get(row["practical"], "sentence.no_interval")
    text = Markup("{}; {}").format(text, w(key, limit=limit)) if w.lang == "en" else \
        Markup("{}；{}").format(text, w(key, limit=limit))
    judged = row["judged"]
    if judged in ("better", "worse"):
        text += w(f"sentence.{judged}")
    elif significance.is_volume(row["metric"]):
        text += w("sentence.volume", rate=w.metric(significance.VOLUME[row["metric"]], in_sentence=True))
    return text + w("sentence.end")


def _effect_table(rows: pd.DataFrame, shown: list[str], arms: list[str], baseline: str, name: Any,
                  w: Words, multiplicity: dict[str, Any]) -> dict[str, Any]:
    cells = rows.set_index(["arm", "metric"])
    head = [w("effects.metric"), w("effects.threshold"),
            Markup("{}<br>{}").format(name(baseline), w("effects.baseline_mean"))]
    for arm in arms:
        head.append(Markup("{}<br>{}").format(name(arm), w("effects.vs_baseline")))
    body, css = [], []
    for metric in shown:
        first = rows[rows["metric"] == metric]
        if first.empty:
            continue
        unit = significance.unit(metric)
        label = Markup("{} <span class=unit>({})</span>").format(w.metric(metric), w.unit_header(unit))
        if significance.is_volume(metric):
            label += Markup("<br><span class=note>{}</span>").format(
                w("effects.volume_note", rate=w.metric(significance.VOLUME[metric])))
        line = [label, w.amount(first["threshold"].iloc[0], unit),
                w.number(first["baseline_mean"].iloc[0], unit)]
        for arm in arms:
            if (arm, metric) not in cells.index:
                line.append("")
                continue
            line.append(_effect_cell(cells.loc[(arm, metric)], w))
        body.append(line)
        css.append("volume" if significance.is_volume(metric) else
                   "rate" if metric in significance.VOLUME.values() else "")
    note = w("effects.note", n=int(rows["n"].min()), level=_pct(multiplicity["level"]),
             count=multiplicity["n"])
    return {"id": "effects", "title": w("effects.title"),
            "body": [_table(head, body, "effects", css), _p(note, "note"),
                     _p(w("effects.intervals_posterior" if multiplicity["posterior"]
                          else "effects.intervals_noise"), "note")]}


def _effect_cell(e: pd.Series, w: Words) -> Markup:
    unit = e["unit"]
    main = Markup("{} <span class=ci>[{}, {}]</span>").format(
        w.number(e["difference"], unit, signed=True), w.number(e["ci_low"], unit, signed=True),
        w.number(e["ci_high"], unit, signed=True))
    each = w("effects.each", low=w.number(e["ci95_low"], unit, signed=True),
             high=w.number(e["ci95_high"], unit, signed=True))
    verdict = w(f"verdict.{e['practical']}")
    judged = e["judged"]
    css = judged if judged in ("better", "worse") else "neutral"
    mark = w(f"judged.{judged}")
    extra = Markup("")
    if significance.is_volume(e.name[1]) and np.isfinite(e["volume_change"]):
        extra = Markup("<br><span class=note>{}</span>").format(
            w("effects.volume_moved", volume=w.metric(e["volume"]),
              change=w.number(e["volume_change"], "share", signed=True)))
    return Markup("<span class='{}'>{}<br><span class=verdict>{} · {}</span></span>"
                  "<br><span class=each>{}</span>{}").format(css, main, mark, verdict, each, extra)


def _groups(summaries: pd.DataFrame, baseline: str, metrics: list[str], w: Words,
            name: Any) -> dict[str, Any] | None:
    table = stats.effects(summaries, baseline, metrics=metrics, scopes=("group",))
    if table.empty:
        return None
    fig = figures.group_effects(table, metrics, lang=w.lang)
    body: list[dict[str, Any]] = [_figure(fig, w("groups.title"))]
    for arm, block in table.groupby("arm", sort=False):
        shown = list(dict.fromkeys(block["metric"]))
        rows = []
        for key, by_key in block.groupby("key", sort=False):
            cells = by_key.set_index("metric")
            line: list[Any] = [w.group(str(key))]
            for m in shown:
                if m not in cells.index:
                    line.append("")
                    continue
                e = cells.loc[m]
                judged = significance.judged(m, e["ci_low"], e["ci_high"])
                text = Markup("{} <span class=ci>[{}, {}]</span>").format(
                    w.number(e["difference"], e["unit"], signed=True),
                    w.number(e["ci_low"], e["unit"], signed=True),
                    w.number(e["ci_high"], e["unit"], signed=True))
                line.append(Markup("<span class='{}'>{}</span>").format(
                    judged if judged in ("better", "worse") else "neutral", text))
            rows.append(line)
        head = [w("groups.group"), *(Markup("{} <span class=unit>({})</span>").format(
            w.metric(m), w.unit_header(significance.unit(m))) for m in shown)]
        body.append({"type": "h3", "text": w("groups.arm", arm=name(arm), baseline=name(baseline))})
        body.append(_table(head, rows))
    body.append(_p(w("groups.note"), "note"))
    return {"id": "groups", "title": w("groups.title"), "body": body}


def _bands(root: Path, metrics: list[str], w: Words, labels: dict[str, str] | None) -> dict[str, Any] | None:
    results = load_results(root, metrics=metrics)
    if results.empty or not metrics:
        return None
    if labels:
        results = results.assign(label=results["label"].map(lambda a: labels.get(a, a)))
    return {"id": "time", "title": w("time.title"), "body": [
        _figure(figures.bands(results, metrics, lang=w.lang), w("time.title")), _p(w("time.note"), "note")]}


# -- designs over factors ---------------------------------------------------------------------------------


def _design(summaries: pd.DataFrame, chosen: list[str], meta: dict[str, Any], store: RunStore,
            w: Words) -> list[dict[str, Any]]:
    """Response curves (grids) or scatter with a smoother (sampled designs); against the spec's
    reference point when it names one, never against an arbitrary corner."""
    factors = [f["path"] for f in meta.get("factors", [])]
    metrics = [m for m in chosen if m in METRICS][:MAX_CURVES] or chosen[:MAX_CURVES]
    out: list[dict[str, Any]] = []
    if meta.get("design") == "grid":
        fig = figures.response(summaries, factors, metrics, lang=w.lang)
        note = w("response.grid_note", n=int(summaries.groupby("point")["replication"].nunique().min()))
        out.append({"id": "response", "title": w("response.title"), "body": [
            _figure(fig, w("response.title")), _p(note, "note"),
            _point_table(summaries, metrics, factors, w)]})
        reference = _reference(meta)
        if reference:
            design = store.design()
            label = _reference_label(design, reference, factors)
            if label is None:
                out.append({"id": "effects", "title": w("effects.title"),
                            "body": [_p(w("design.reference_missing"), "warn")]})
            else:
                labels = {str(r["label"]): _point_words({f: r[f] for f in factors}, w)
                          for r in design.to_dict("records")}
                out += _comparison(summaries, label, chosen, meta, store, w, labels)
    else:
        fig = figures.scatter(summaries, factors, metrics, lang=w.lang)
        out.append({"id": "response", "title": w("response.title"), "body": [
            _figure(fig, w("response.title")), _p(w("response.sampled_note"), "note")]})
    return out


def _reference_label(design: pd.DataFrame, reference: dict[str, Any], factors: list[str]) -> str | None:
    keep = np.ones(len(design), dtype=bool)
    for f in factors:
        if f not in reference:
            return None
        column = design[f]
        want = reference[f]
        if pd.api.types.is_numeric_dtype(column) and isinstance(want, int | float):
            keep &= np.isclose(column.to_numpy(float), float(want))
        else:
            keep &= column.astype(str).to_numpy() == str(want)
    hits = design[keep]
    return str(hits["label"].iloc[0]) if len(hits) else None


def _point_table(summaries: pd.DataFrame, metrics: list[str], factors: list[str], w: Words) -> dict[str, Any]:
    """Each design point's mean whole-run value with its 95% interval over replications."""
    overall = summaries[(summaries["scope"] == "overall") & summaries["metric"].isin(metrics)]
    design = overall.drop_duplicates("point").set_index("point").sort_index()
    rows = []
    for point, block in overall.groupby("point", sort=True):
        line: list[Any] = [_num_text(design.loc[point, f]) for f in factors]
        for m in metrics:
            mean, low, high = stats.t_interval(block.loc[block["metric"] == m, "value"].to_numpy())
            unit = significance.unit(m)
            line.append(Markup("{} <span class=ci>[{}, {}]</span>").format(
                w.number(mean, unit), w.number(low, unit), w.number(high, unit)))
        rows.append(line)
    head = [*(w.param(f) for f in factors), *(Markup("{} <span class=unit>({})</span>").format(
        w.metric(m), w.unit_header(significance.unit(m))) for m in metrics)]
    return _table(head, rows, "numbers")


# -- sensitivity and calibration ---------------------------------------------------------------------------


def _sensitivity(root: Path, w: Words) -> dict[str, Any] | None:
    """The indices with their 95% half-widths, the convergence flags and the suggested sample size."""
    path = root / "sensitivity.csv"
    if not path.is_file():
        return None
    table = pd.read_csv(path)
    if "flag" not in table:  # written before the flags existed
        table["flag"] = ""
    if "suggested_n" not in table:
        table["suggested_n"] = np.nan
    table["flag"] = table["flag"].fillna("")
    names = list(dict.fromkeys(table["index"]))
    rows, css = [], []
    for (metric, factor), block in table.groupby(["metric", "factor"], sort=False):
        cells = {r.index: _pm(r.value, r.conf) for r in block.itertuples()}
        flags = "; ".join(f"{w.index_name(r.index)}: {w.flag(r.flag)}" for r in block.itertuples() if r.flag)
        suggested = block["suggested_n"].dropna()
        rows.append([w.metric(metric), w.param(factor), *(cells.get(n, "") for n in names), flags,
                     str(int(suggested.iloc[0])) if len(suggested) else ""])
        css.append("flagged" if flags else "")
    body: list[dict[str, Any]] = []
    png = root / "sensitivity.png"
    if png.is_file():
        body.append({"type": "img", "src": "data:image/png;base64," + _b64(png.read_bytes()),
                     "alt": w("sensitivity.title")})
    body.append(_table([w("sensitivity.metric"), w("sensitivity.factor"), *(w.index_name(n) for n in names),
                        w("sensitivity.flag"), w("sensitivity.suggested")], rows, row_css=css))
    body.append(_p(w("sensitivity.note"), "note"))
    if table["flag"].astype(bool).any():
        suggested = table.dropna(subset=["suggested_n"]).drop_duplicates("metric")
        sizes = w.join([w("sensitivity.size", n=int(n), metric=w.metric(m))
                        for m, n in zip(suggested["metric"], suggested["suggested_n"], strict=True)])
        body.append(_p(w("sensitivity.warning", wide=WIDE, sizes=sizes), "warn"))
    return {"id": "sensitivity", "title": w("sensitivity.title"), "body": body}


def _pm(value: float, conf: float) -> str:
    return f"{value:.3f} ± {conf:.3f}" if math.isfinite(conf) else f"{value:.3f}"


def _calibration(root: Path, meta: dict[str, Any], w: Words) -> dict[str, Any] | None:
    body: list[dict[str, Any]] = []
    log = root / "calibration.csv"
    if log.is_file():
        frame = pd.read_csv(log)
        rows = [[*(f"{v:.4g}" if isinstance(v, float) else v for v in row)]
                for row in frame.to_numpy().tolist()]
        body.append(_table([w.column(c) for c in frame.columns], rows))
    posterior = root / "posterior_summary.csv"
    if posterior.is_file():
        frame = pd.read_csv(posterior)
        rows = [[w.param(r["parameter"]), _num_text(r["prior_low"]) + " – " + _num_text(r["prior_high"]),
                 _num_text(r["mean"]), _num_text(r["median"]),
                 f"{_num_text(r['ci95_low'])} – {_num_text(r['ci95_high'])}",
                 w.number(r["ci90_share_of_prior"], "share") + " %"] for r in frame.to_dict("records")]
        body.append(_table([w("calibration.parameter"), w("calibration.prior"), w("calibration.mean"),
                            w("calibration.median"), w("calibration.ci95"), w("calibration.share")], rows))
        png = root / "posterior.png"
        if png.is_file():
            body.append({"type": "img", "src": "data:image/png;base64," + _b64(png.read_bytes()),
                         "alt": w("calibration.title")})
        info = root / "abc.json"
        if info.is_file():
            import json

            abc = json.loads(info.read_text())
            body.append(_p(w("calibration.abc", generations=abc.get("generations"),
                             simulations=abc.get("simulations"), particles=abc.get("particles"),
                             epsilon=_num_text(abc.get("final_epsilon")),
                             minimum=_num_text(abc.get("minimum_epsilon")))))
            if (abc.get("stop") or {}).get("budget"):
                body.append(_p(w("calibration.budget"), "warn"))
    targets = meta.get("targets") or []
    if targets and body:
        body.insert(0, _table([w("calibration.target"), w("calibration.value"), w("calibration.tolerance")],
                              [[w.metric(t["metric"]), _num_text(t["value"]), _num_text(t.get("tolerance"))]
                               for t in targets]))
    scenario = root / "calibrated.yaml"
    if scenario.is_file():
        body.append(_p(w("calibration.scenario", file=_code("calibrated.yaml"))))
        body.append({"type": "pre", "text": scenario.read_text()})
    return {"id": "calibration", "title": w("calibration.title"), "body": body} if body else None


# -- reading guide and manifest -----------------------------------------------------------------------------


def _how_to_read(w: Words) -> dict[str, Any]:
    rows = []
    for metric, t in significance.THRESHOLDS.items():
        limit = (w("read.relative", share=w.number(t.value, "share"), floor=_num_text(t.floor))
                 if t.relative else w.amount(t.value, significance.unit(metric)))
        rows.append([w.metric(metric), limit, t.reason[w.lang]])
    pairs = [[w.metric(c), w.metric(r)] for c, r in significance.VOLUME.items()]
    return {"id": "read", "title": w("read.title"), "body": [
        _p(w("read.headline")), _p(w("read.multiplicity")), _p(w("read.volume")),
        _table([w("read.count"), w("read.rate")], pairs),
        _p(w("read.thresholds", default=w.number(significance.DEFAULT_RELATIVE, "share"))),
        _table([w("effects.metric"), w("effects.threshold"), w("read.reason")], rows),
        _p(w("read.colours"), "note")]}


def _manifest(meta: dict[str, Any], store: RunStore, w: Words, has_design: bool) -> dict[str, Any]:
    failures = store.failures()
    done = store.done()
    failed = {k: v for k, v in failures.items() if k not in done}
    spec = meta.get("spec_source")
    commands = {"arms": "compare", "design": "sensitivity" if meta.get("design") in ("sobol", "morris")
                else "sweep", "calibration": "calibrate"}
    command = f"govsim {commands.get(str(meta.get('kind')), 'sweep')} {spec} --resume" if spec else ""
    seeds = meta.get("replication_seeds", [])
    lines = [("govsim", (meta.get("versions") or {}).get("govsim", "")),
             *(((k, v) for k, v in (meta.get("versions") or {}).items() if k != "govsim")),
             ("git_commit", meta.get("git_commit")), ("seed", meta.get("seed")),
             ("replications", meta.get("replications")),
             ("replication_seeds", ", ".join(map(str, seeds[:12])) + (" …" if len(seeds) > 12 else "")),
             ("base_scenario", meta.get("base_scenario")),
             ("base_scenario_hash", meta.get("base_scenario_hash")),
             ("spec_source", spec), ("updated_at", meta.get("updated_at"))]
    points = []
    if has_design:
        points = [[_code(r.label), _code(r.scenario_hash)]
                  for r in store.design().head(MAX_POINTS_LISTED).itertuples()]
    errors = [f"{k}: {v.get('error')}" for k, v in list(failed.items())[:5]]
    labelled = [(w(f"manifest.k.{k}") if w.has(f"manifest.k.{k}") else w("manifest.k.version", name=_code(k)),
                 k, "" if v is None else str(v)) for k, v in lines]
    return {"command": command, "lines": labelled,
            "points": _table([w("manifest.point"), w("manifest.hash")], points) if points else None,
            "failed": len(failed), "errors": errors,
            "spec": yaml.safe_dump(meta.get("spec") or {}, allow_unicode=True, sort_keys=False, width=100)}


# -- numbers -----------------------------------------------------------------------------------------


def _num_text(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        return str(value)
    v = float(value)
    if not math.isfinite(v):
        return "–"
    if v == int(v) and abs(v) < 1e15:
        return f"{int(v):,}" if abs(v) >= 10_000 else str(int(v))
    return f"{v:.4g}"


def _pct(level: float) -> str:
    text = f"{100 * level:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
