"""Chinese in figures: drawn with a CJK font when there is one, English (never boxes) when not."""

from __future__ import annotations

import io
import os
import re
import warnings
from pathlib import Path

import matplotlib
import pytest
from conftest import small
from test_cli import fake_run_dir

import govsim
from govsim import fonts
from govsim.cli import main
from govsim.i18n import community_label, group_label, metric_label, text, unit_label
from govsim.plots import draw_run, plot_run

CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


@pytest.fixture(scope="module")
def timeseries():
    return govsim.simulate(small("target_inflation", steps=30)).timeseries


def needs_font() -> None:
    if fonts.find_cjk_font() is None:
        if os.environ.get("CI"):
            pytest.fail("no CJK font: the set-up (scripts/_venv.sh) installs fonts-wqy-microhei")
        pytest.skip("no CJK font on this machine (apt-get install fonts-wqy-microhei)")


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text()]


def test_chinese_figure_draws_every_glyph(timeseries) -> None:
    needs_font()
    fig = draw_run(timeseries, title="层层加码", lang="zh")
    shown = texts(fig)
    assert any("服务覆盖率" in t for t in shown) and any("老年人" in t for t in shown)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s)" would be boxes
        fig.savefig(io.BytesIO(), format="png")


def test_without_a_cjk_font_figures_fall_back_to_english(timeseries, monkeypatch) -> None:
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    assert fonts.figure_lang("zh") == "en" and fonts.enable_cjk() is None
    fig = draw_run(timeseries, lang="zh")
    shown = texts(fig)
    assert shown and not any(CJK.search(t) for t in shown)
    assert any("Service coverage" in t for t in shown)


def test_english_figures_are_unchanged_by_the_cjk_fallback(timeseries, tmp_path: Path, monkeypatch) -> None:
    needs_font()
    # Start from matplotlib's own fonts: an earlier test may have added the fallback already.
    monkeypatch.setitem(matplotlib.rcParams, "font.family", list(matplotlib.rcParamsDefault["font.family"]))
    before = plot_run(timeseries, tmp_path / "a.png", lang="en").read_bytes()
    assert fonts.enable_cjk() in matplotlib.rcParams["font.family"]
    after = plot_run(timeseries, tmp_path / "b.png", lang="en").read_bytes()
    assert before == after


def test_plot_command_draws_chinese(tmp_path: Path, capsys) -> None:
    needs_font()
    run = fake_run_dir(tmp_path / "run")
    assert main(["plot", str(run), "--lang", "zh", "--out", str(tmp_path / "zh.png")]) == 0
    assert (tmp_path / "zh.png").read_bytes()[:4] == b"\x89PNG"
    assert "warning" not in capsys.readouterr().err


def test_plot_command_warns_when_it_must_fall_back(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    run = fake_run_dir(tmp_path / "run")
    assert main(["plot", str(run), "--lang", "zh"]) == 0
    assert "no CJK font" in capsys.readouterr().err


def test_labels_in_both_languages() -> None:
    assert metric_label("coverage", "zh") == "服务覆盖率（按时）"
    assert metric_label("coverage") == govsim.metrics.METRICS["coverage"].label
    assert metric_label("not_a_metric", "zh") == "not_a_metric"
    assert group_label("working_age", "zh") == "劳动年龄人口" and group_label("new_group") == "new group"
    assert unit_label("hours/week", "zh") == "小时/周" and unit_label("furlongs", "zh") == "furlongs"
    assert community_label("township2/village1", "zh") == "乡镇2/村1"
    assert text("teach.week", "zh", week=3, steps=156) == "第 3 周（共 156 周）"
