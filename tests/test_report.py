"""govsim report: headlines, thresholds, counts beside rates, multiplicity, reference points, layout,
and the English and Chinese reports of every shipped experiment."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from govsim.cli import main
from govsim.scenario import ScenarioError
from govsim.study import significance
from govsim.study.report import _effect_cell, _effect_rows, build_report, sentence
from govsim.study.report_text import Words
from govsim.study.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = ROOT / "experiments"
SCENARIOS = ROOT / "scenarios"
SMALL = ["population.residents=1000", "hierarchy.communities_per_township=1"]
TINY = [x for s in SMALL for x in ("--set", s)] + ["--steps", "6", "--workers", "1"]


def visible_words(doc: str) -> list[str]:
    """ASCII words of three letters or more in a page's visible prose: tags, <code>, <pre>, <style>,
    <title> and images stripped (identifiers, file names, hashes and the spec live in <code>/<pre>)."""
    doc = re.sub(r"(?is)<(style|script|pre|code|title)\b.*?</\1>", " ", doc)
    doc = re.sub(r"(?s)<[^>]+>", " ", doc)
    return sorted(set(re.findall(r"[A-Za-z]{3,}", html.unescape(doc))))


# -- the rules, on made-up numbers -----------------------------------------------------------------


def summaries(values: dict[str, dict[str, list[float]]]) -> pd.DataFrame:
    """Whole-run summaries: ``{arm: {metric: [value per replication]}}``, overall scope."""
    rows = [{"run_id": f"{arm}{r}", "point": i, "label": arm, "replication": r, "seed": r,
             "scenario_hash": arm, "metric": metric, "scope": "overall", "key": "all", "value": v}
            for i, (arm, metrics) in enumerate(values.items())
            for metric, series in metrics.items() for r, v in enumerate(series)]
    return pd.DataFrame(rows)


def effect_rows(table: pd.DataFrame, metrics: list[str], baseline: str = "base") -> pd.DataFrame:
    from govsim.study import stats

    shown = significance.with_rates(metrics)
    table = significance.add_rates(table, shown)
    assert set(shown) <= set(table["metric"])
    level = significance.bonferroni_level(len(shown))
    volumes = sorted({significance.VOLUME_OF[m] for m in shown if m in significance.VOLUME_OF})
    return _effect_rows(stats.effects(table, baseline, metrics=shown, level=level),
                        stats.effects(table, baseline, metrics=[*shown, *volumes]), shown, volumes)


def test_practical_significance_against_the_threshold() -> None:
    assert significance.practical(0.012, 0.02, 0.01) == "matters"
    assert significance.practical(-0.02, -0.011, 0.01) == "matters"
    assert significance.practical(-0.004, 0.006, 0.01) == "too small to matter"
    assert significance.practical(0.002, 0.003, 0.01) == "too small to matter"  # clear, but small
    assert significance.practical(0.005, 0.015, 0.01) == "may matter"
    assert significance.practical(float("nan"), 1.0, 0.01) == "n/a"
    assert significance.threshold("coverage").at(0.8) == 0.01
    assert significance.threshold("abandoned").at(1000) == pytest.approx(50)  # 5% of the baseline
    assert significance.threshold("abandoned").at(4) == 1.0  # at least one case
    assert significance.threshold("not_declared").at(200) == pytest.approx(10)  # the default rule
    for name, t in significance.THRESHOLDS.items():
        assert t.value > 0 and t.reason["en"] and t.reason["zh"], name


def test_a_drop_in_a_count_because_fewer_cases_were_filed_is_not_marked_better() -> None:
    # The arm halves the needs due (residents shut out never come); the share abandoned is the same.
    rng = np.random.default_rng(1)
    noise = rng.normal(0, 1, 6)
    base_due = 1000 + 5 * noise
    table = summaries({
        "base": {"abandoned": list(0.1 * base_due), "cases_due": list(base_due),
                 "cases_filed": list(base_due)},
        "fewer": {"abandoned": list(0.05 * base_due + 0.2 * noise), "cases_due": list(0.5 * base_due),
                  "cases_filed": list(0.5 * base_due)}})
    rows = effect_rows(table, ["abandoned"]).set_index(["arm", "metric"])
    count = rows.loc[("fewer", "abandoned")]
    assert count["ci_high"] < 0 and count["practical"] == "matters"  # a clear, large drop...
    assert count["judged"] == "neutral"  # ...that is not called better
    assert count["volume_change"] == pytest.approx(-0.5)
    rate = rows.loc[("fewer", "abandoned_share")]
    assert rate["judged"] != "better" and rate["practical"] == "too small to matter"
    w = Words("en")
    cell = str(_effect_cell(count, w))
    assert "class='better'" not in cell and "class='neutral'" in cell and "not judged" in cell
    assert "Needs due (deadline this week, filed or not): -50%" in cell
    text = str(sentence(count.to_dict() | {"metric": "abandoned"}, "base", "fewer",
                        lambda a: a, w))
    assert "lowers cases abandoned by 50 cases" in text and "not judged by itself" in text
    assert "cases abandoned per need due" in text and "better" not in text


def test_headline_in_plain_words_with_interval_and_threshold() -> None:
    base = [0.86, 0.85, 0.87, 0.86, 0.85, 0.86]
    jitter = [0.0005, -0.0005, 0.0003, -0.0003, 0, 0]
    table = summaries({"base": {"coverage": base},
                       "inflated": {"coverage": [b - 0.012 + d for b, d in zip(base, jitter, strict=True)]}})
    row = effect_rows(table, ["coverage"]).iloc[0].to_dict()
    text = html.unescape(str(sentence(row, "base", "inflated", lambda a: f"'{a}'", Words("en"))))
    assert re.fullmatch(r"Against the baseline 'base', 'inflated' lowers service coverage \(in time\) "
                        r"by 1\.2 points \(95% simultaneous CI 1\.\d+ to 1\.\d+\); that is larger than "
                        r"the 1 point change this report treats as mattering, and it is worse\.", text), text
    zh = str(sentence(row, "base", "inflated", lambda a: a, Words("zh")))
    assert "使“服务覆盖率（按时）”降低 1.2 个百分点" in zh and "95% 联合置信区间" in zh and zh.endswith("。")
    small = dict(row, ci_low=-0.004, ci_high=0.003, difference=-0.0005, practical="too small to matter",
                 judged="unclear")
    assert "too small to matter" in str(sentence(small, "base", "x", str, Words("en")))
    straddle = dict(row, ci_low=-0.015, ci_high=-0.006, difference=-0.01, practical="may matter")
    assert "straddles the 1 point change" in str(sentence(straddle, "base", "x", str, Words("en")))


def test_bonferroni_level() -> None:
    assert significance.bonferroni_level(1) == pytest.approx(0.95)
    assert significance.bonferroni_level(18) == pytest.approx(1 - 0.05 / 18)


# -- reference points ---------------------------------------------------------------------------------


def grid_spec(tmp_path: Path, extra: str, design: str = "grid") -> Path:
    factors = ("  policies.0.margin: {values: [0.0, 0.2]}\n  policies.0.levels: {values: [1, 2]}\n"
               if design == "grid" else "  policies.0.margin: {range: [0.0, 0.2]}\n")
    path = tmp_path / "grid.yaml"
    path.write_text(f"base: {SCENARIOS / 'target_inflation.yaml'}\nfactors:\n{factors}design: {design}\n"
                    f"replications: 2\nmetrics: [coverage, abandoned, overtime]\n{extra}")
    return path


def test_reference_must_be_a_point_of_the_grid(tmp_path: Path) -> None:
    ok = load_spec(grid_spec(tmp_path, "reference: {policies.0.margin: 0, policies.0.levels: 1}\n"))
    assert ok.reference == {"policies.0.margin": 0.0, "policies.0.levels": 1}
    cases = {
        "reference: {policies.0.margin: 0.1, policies.0.levels: 1}\n":
            "reference.policies.0.margin: 0.1 is not a point of the design: factors.policies.0.margin "
            "takes 0.0, 0.2",
        "reference: {policies.0.margin: 0}\n": "missing: policies.0.levels",
        "reference: {policies.0.margn: 0, policies.0.levels: 1}\n": "policies.0.margn is not a factor",
        "reference: 3\n": "reference must be a mapping",
    }
    for text, message in cases.items():
        with pytest.raises(ScenarioError, match=re.escape(message)):
            load_spec(grid_spec(tmp_path, text))
    with pytest.raises(ScenarioError, match="names a point of a grid design"):
        load_spec(grid_spec(tmp_path, "samples: 4\nreference: {policies.0.margin: 0}\n", design="lhs"))


def test_a_grid_is_compared_with_its_reference_only(tmp_path: Path, capsys) -> None:
    spec = grid_spec(tmp_path, "")
    out = tmp_path / "out"
    assert main(["-q", "sweep", str(spec), "--out", str(out), *TINY]) == 0
    page = build_report(out)
    assert ">Response to the factors<" in page and "names no reference point" in page
    assert ">Headline<" not in page  # no arbitrary corner as the baseline
    spec.write_text(spec.read_text() + "reference: {policies.0.margin: 0.2, policies.0.levels: 1}\n")
    assert main(["-q", "sweep", str(spec), "--out", str(out), "--resume", *TINY]) == 0
    page = build_report(out)
    assert "Reference point (named in the spec)" in page and ">Headline<" in page
    # coverage, abandoned (with its rate, abandoned_share) and overtime; 3 other points
    assert "12 comparisons (4 metrics × 3 design points)" in page
    assert "Against the baseline <b>Raise added at each level = 0.2, Hand-down levels = 1</b>" in page


# -- the shipped experiments, in both languages --------------------------------------------------------------


def run_experiment(name: str, out: Path) -> None:
    spec = EXPERIMENTS / f"{name}.yaml"
    if name == "staff_workload_sobol":  # no --samples on the command line: shrink the design here
        from govsim.study.sensitivity import run_sensitivity

        small = load_spec(spec, dict(s.split("=") for s in SMALL), replications=1, steps=6)
        run_sensitivity(small.replace(samples=2, document=dict(small.document)), out=out, workers=1)
        return
    if name == "calibrate_abc_synthetic":
        pytest.importorskip("pyabc")
        argv = ["calibrate", str(spec), "--population", "5", "--max-generations", "1",
                "--max-simulations", "10"]
    else:
        command = "compare" if "arms:" in spec.read_text() else "sweep"
        argv = [command, str(spec), "--reps", "2"]
    assert main(["-q", *argv, "--out", str(out), *TINY]) == 0


@pytest.mark.parametrize("name", sorted(p.stem for p in EXPERIMENTS.glob("*.yaml")))
def test_english_and_chinese_reports_of_each_shipped_experiment(name: str, tmp_path: Path) -> None:
    out = tmp_path / name
    run_experiment(name, out)
    assert main(["-q", "report", str(out)]) == 0
    assert main(["-q", "report", str(out), "--lang", "zh"]) == 0
    english = (out / "report.html").read_text()
    chinese = (out / "report.zh.html").read_text()
    assert ">How to read this report<" in english and ">如何阅读本报告<" in chinese
    assert '<html lang="zh-CN">' in chinese
    assert visible_words(chinese) == [], "English prose in the Chinese report"
    for page in (english, chinese):
        assert "@media print" in page and "break-before:page" in page and "@page{size:A4" in page
        assert 'name="viewport"' in page and ".scroll{overflow-x:auto" in page
        assert "img{max-width:100%" in page
        assert "<details>" in page
        assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)
    if name == "digital_channels_elderly":
        assert "<code>policies = [{type: digital_channels, mode: online_only}]</code>" in english
        assert "comparisons (" in english and "Bonferroni-adjusted" in english
        assert "count: moves with volume" in english and "计数：随事项量变化" in chinese
        assert "项比较（" in chinese
    if name == "staff_workload_sobol":
        assert " ± " in english and "<th>convergence flag</th>" in english
        assert "<th>收敛警示</th>" in chinese and "<th>建议样本量</th>" in chinese
    if name in ("target_inflation_levels", "reporting_gap", "earmarking_mismatch"):
        assert ">Response to the factors<" in english and ">Headline<" not in english
