"""The teaching page's logic, without a browser: lessons, controls, paired runs, export, text."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import govsim
from govsim.cli import main
from govsim.i18n import METRIC_ZH, PARAMS, TEXT, missing_chinese, text
from govsim.metrics import METRICS, summarise
from govsim.teach import figures, maps
from govsim.teach.lessons import LESSONS, LessonText, LeverSpec, discover_lessons, parse_header, story_levers
from govsim.teach.levers import build_controls, changed_settings, coerce, declared, model_params, nice_step
from govsim.teach.server import ServeError, check_port, is_loopback, url_for
from govsim.teach.session import Session
from tests.conftest import SCENARIOS, small

READY = ("baseline", "target_inflation", "crop_mandate", "budget_earmarking")


# --- lessons -----------------------------------------------------------------------------


def test_ready_scenarios_are_lessons_in_table_order_with_their_stories() -> None:
    lessons = discover_lessons(SCENARIOS)
    assert list(lessons)[:4] == list(READY)
    for name in READY:
        lesson = lessons[name]
        assert lesson.title_en and lesson.story_en, name
        assert lesson.title_zh and lesson.story_zh, name
        assert lesson.levers, name
    assert lessons["target_inflation"].title_en == "Layered target inflation (层层加码)"
    assert "What to look for" in lessons["target_inflation"].story_en


def test_lessons_tolerate_missing_scenarios_and_missing_entries(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text("# Base: a county.\n#\n# It has people.\nname: base\n")
    (tmp_path / "extra.yaml").write_text(
        "# Extra.\nextends: base.yaml\nname: extra\nstaff:\n  per_10k_urban: 30\n"
        "policies:\n  - type: target_inflation\n    margin: 0.3\n    label: x\n    start: 4\n")
    table = {"nowhere": LessonText("无"), "base": LessonText("基础")}
    lessons = discover_lessons(tmp_path, table)
    assert list(lessons) == ["base", "extra"]  # the entry without a file is skipped
    assert lessons["base"].title("zh") == "基础" and lessons["base"].story("zh") == ("It has people.", False)
    # No entry: the settings the file makes become the levers (not its label or window).
    assert [lever.path for lever in lessons["extra"].levers] == ["policies.0.margin", "staff.per_10k_urban"]
    assert lessons["extra"].title("zh") == "Extra"  # English stands in


def test_parse_header_reflows_paragraphs() -> None:
    header = "# Title line.\n# more of para one\n#\n# Para two\n# continues.\nname: x\n# later\n"
    title, story = parse_header(header)
    assert title == "Title line"
    assert story == "more of para one\n\nPara two continues."
    assert parse_header("name: x\n") == ("", "")


# --- controls from declarations ----------------------------------------------------------


@pytest.mark.parametrize("name", READY)
def test_controls_come_from_the_declarations(name: str) -> None:
    lesson = discover_lessons(SCENARIOS)[name]
    scenario = govsim.load_scenario(lesson.path)
    controls = build_controls(scenario, lesson.levers)
    assert [c.path for c in controls] == [lever.path for lever in lesson.levers]  # none dropped
    for control in controls:
        _, param = declared(scenario, control.path)
        assert control.kind == param.kind and control.unit == param.unit
        assert control.value == scenario.get(control.path)
        entry = control.model_param("en")
        if param.kind in ("int", "float"):
            assert entry["type"] == ("SliderInt" if param.kind == "int" else "SliderFloat")
            assert param.low is None or entry["min"] >= param.low
            assert param.high is None or entry["max"] <= param.high
            assert entry["min"] <= control.value <= entry["max"] and entry["step"] > 0
        elif param.kind == "bool":
            assert entry["type"] == "Checkbox"
        else:
            assert entry["type"] == "Select" and entry["values"] == list(param.choices)


def test_margin_slider_range_unit_and_labels() -> None:
    scenario = govsim.load_scenario(SCENARIOS / "target_inflation.yaml")
    margin, levels = build_controls(scenario, [LeverSpec("policies.0.margin", 0, 0.6),
                                               LeverSpec("policies.0.levels")])
    assert (margin.low, margin.high, margin.step, margin.unit) == (0.0, 0.6, 0.01, "share")
    assert margin.label("en") == "Raise added at each level (share)"
    assert margin.label("zh") == "每级加码幅度（比例）"
    assert (levels.low, levels.high, levels.step) == (0, 6, 1)  # the declared range
    params = model_params([margin], "zh", {"policies.0.margin": 0.35}, lesson="x.yaml")
    assert params["lesson"] == "x.yaml" and params["policies.0.margin"]["value"] == 0.35


def test_unusable_levers_are_dropped_and_huge_ranges_tamed() -> None:
    scenario = govsim.load_scenario(SCENARIOS / "target_inflation.yaml")
    controls = build_controls(scenario, [LeverSpec("policies.0.indicator"), LeverSpec("policies.5.margin"),
                                         LeverSpec("no.such"), LeverSpec("population.residents")])
    assert [c.path for c in controls] == ["population.residents"]
    assert controls[0].high == 2 * 24000  # not two billion


def test_coercion_and_changed_settings() -> None:
    scenario = govsim.load_scenario(SCENARIOS / "target_inflation.yaml")
    assert coerce("float", 0.1 + 0.2) == 0.3 and coerce("int", 2.0) == 2 and coerce("bool", 1) is True
    changed = changed_settings(scenario, {"policies.0.margin": 0.30000000000000004,
                                          "policies.0.levels": 2.0, "staff.priority": "target_first"})
    assert changed == {"policies.0.margin": 0.3, "staff.priority": "target_first"}  # levels unchanged
    with pytest.raises(ValueError, match="not a parameter"):
        changed_settings(scenario, {"policies.0.nope": 1})
    assert nice_step(0.6) == 0.01 and nice_step(60000) == 1000 and nice_step(35) == 0.5


# --- paired runs and export -------------------------------------------------------------


@pytest.mark.parametrize("name", ["target_inflation", "crop_mandate", "budget_earmarking"])
def test_policy_and_baseline_share_seeds_and_needs(name: str) -> None:
    session = Session(small(name, steps=40))
    assert not session.baseline_scenario.policies and session.baseline_scenario.seed == session.scenario.seed
    for _ in range(30):
        session.step()
    for scope in ("overall", "group", "community"):
        np.testing.assert_array_equal(session.policy.series("cases_raised", scope)[1],
                                      session.baseline.series("cases_raised", scope)[1])
    assert any(n.difference != 0 for n in session.numbers())  # and yet the policy shows


def test_baseline_without_policies_is_the_scenario_as_written() -> None:
    lesson = small("baseline", steps=10)
    session = Session(lesson, {"staff.per_10k_urban": 30.0})
    assert session.baseline_scenario == lesson and not session.has_policies
    assert session.scenario.get("staff.per_10k_urban") == 30.0
    with_policy = Session(small("target_inflation", steps=10), {"staff.priority": "target_first"})
    assert with_policy.baseline_scenario.get("staff.priority") == "target_first"  # shared, not the policy


def test_session_stops_at_the_scenario_end() -> None:
    session = Session(small("baseline", steps=3))
    for _ in range(5):
        session.step()
    assert session.week == 3 and session.finished


def test_export_reproduces_the_page_exactly(tmp_path: Path, capsys) -> None:
    session = Session(small("target_inflation", steps=52), {"policies.0.margin": 0.35, "policies.0.start": 2})
    for _ in range(20):
        session.step()
    path = session.export(tmp_path / "exports")
    assert govsim.load_scenario(path).hash == session.scenario.hash
    assert "policies.0.margin=0.35" in path.read_text()
    out = tmp_path / "run"
    assert main(["run", str(path), "--out", str(out), "--no-plot", "-q"]) == 0
    ran = pd.read_csv(out / "timeseries.csv", keep_default_na=True)
    # CSV reads the table's categoricals back as text.
    page = session.policy_model.recorder.table().astype({"metric": "str", "scope": "str", "key": "str"})
    first = ran[ran["week"] < session.week].reset_index(drop=True)
    pd.testing.assert_frame_equal(first, page, check_dtype=False, check_exact=True)
    overall = summarise(first).query("scope == 'overall'").set_index("metric")["value"]
    for number in session.numbers():
        assert number.policy == pytest.approx(overall[number.metric], rel=1e-12, nan_ok=True), number.metric


def test_history_summary_follows_the_declared_rules() -> None:
    session = Session(small("crop_mandate", steps=30))
    for _ in range(30):
        session.step()
    expected = summarise(session.policy_model.recorder.table())
    for row in expected.itertuples():
        keys = session.policy.keys[row.scope]
        got = session.policy.summary(row.metric, row.scope)[keys.index(row.key)]
        assert got == pytest.approx(row.value, rel=1e-9, nan_ok=True), (row.metric, row.scope, row.key)


# --- what the page draws ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", figures.MODES)
def test_live_charts_redraw_as_weeks_pass(mode: str) -> None:
    session = Session(small("target_inflation", steps=30))
    charts = [figures.LiveChart(kind, session, "zh", mode) for kind in figures.KINDS]
    before = [chart.update().image for chart in charts]
    for _ in range(10):
        session.step()
    after = [chart.update() for chart in charts]
    for old, new in zip(before, after, strict=True):
        assert new.image.startswith(b"\x89PNG") and new.image != old
        assert new.title and new.key
    dashed = [entry for entry in after[0].key if entry[2]]
    if mode == "overlay":  # the baseline is drawn dashed over the policy run
        assert after[0].key[-1] == (text("teach.baseline", "zh"), "#000000", True)
    else:  # the baseline has its own panel: no dashed entry
        assert dashed == []


def test_map_cells_one_per_community_by_township() -> None:
    session = Session(small("baseline", steps=20))
    for _ in range(10):
        session.step()
    for metric in maps.MAP_METRICS:
        rows = maps.map_cells(session, metric)
        assert [len(row) for row in rows] == [1, 1]  # the small county: one community per township
        cell = rows[0][0]
        assert 0 <= cell.policy <= 1 and cell.policy_colour.startswith("#")


# --- language ---------------------------------------------------------------------------------


def test_every_english_string_has_chinese() -> None:
    assert missing_chinese() == []
    assert set(METRICS) <= set(METRIC_ZH)
    assert all("{" not in zh or set(_fields(zh)) == set(_fields(en)) for en, zh in TEXT.values())


def _fields(template: str) -> list[str]:
    import string

    return [field for _, field, _, _ in string.Formatter().parse(template) if field]


def test_every_lever_of_a_ready_lesson_has_a_chinese_label() -> None:
    for name, lesson in discover_lessons(SCENARIOS).items():
        scenario = govsim.load_scenario(lesson.path)
        for control in build_controls(scenario, lesson.levers):
            assert control.key in PARAMS, (name, control.key)
    assert set(LESSONS) <= set(discover_lessons(SCENARIOS))  # no entry for a scenario that is gone


def test_every_lesson_tells_its_story_in_chinese_with_the_same_numbers() -> None:
    """The Chinese half of each header (``# zh:``) is the English story translated: same numbers,
    and no English words except inside `code` (commands, file and metric names)."""
    for name, lesson in discover_lessons(SCENARIOS).items():
        assert lesson.title_zh and lesson.story_zh and lesson.story("zh")[1], name
        prose = re.sub(r"`[^`]*`", "", lesson.story_zh + lesson.title_zh)
        assert not re.findall(r"[A-Za-z]{2,}", prose), (name, re.findall(r"[A-Za-z]{2,}", prose)[:5])
        assert lesson.story_zh.count("`") % 2 == 0, name
        english = set(re.findall(r"\d[\d,.]*\d", lesson.story_en)) - {"10,000"}  # 每万人
        missing = english - set(re.findall(r"\d[\d,.]*\d", lesson.story_zh)) - {"1980"}  # 80 年代
        assert not missing, (name, sorted(missing))


def test_every_lever_a_story_names_is_on_the_page() -> None:
    for name, lesson in discover_lessons(SCENARIOS).items():
        named = story_levers(lesson.story_en) + story_levers(lesson.story_zh)
        controls = {c.path for c in build_controls(govsim.load_scenario(lesson.path), lesson.levers)}
        assert set(named) <= controls, (name, sorted(set(named) - controls))
    assert story_levers("try `--set policies.0.proxy=true` or `policies.1.alignment`") == [
        "policies.0.proxy", "policies.1.alignment"]


def test_chinese_header_is_read_apart_from_the_english() -> None:
    header = ("# Title.\n#\n# Story `--set a.b=1`\n# goes on.\n#\n# zh: 标题\n#\n# 第一行\n# 接着 `--set\n"
              "# a.b=1` 完。\nname: x\n")
    assert parse_header(header) == ("Title", "Story `--set a.b=1` goes on.")
    assert parse_header(header, "zh") == ("标题", "第一行接着 `--set a.b=1` 完。")


# --- serving ---------------------------------------------------------------------------------


def test_loopback_and_addresses() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert url_for("127.0.0.1", 8765) == "http://127.0.0.1:8765/"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(ServeError, match="--port"):
            check_port("127.0.0.1", taken.getsockname()[1])


def test_teach_refuses_an_unknown_lesson(capsys) -> None:
    assert main(["teach", "no_such_lesson", "--no-browser"]) == 2
    assert "target_inflation" in capsys.readouterr().err


def test_teach_model_builds_sessions_from_lever_values() -> None:
    from govsim.teach.app import TeachModel, first_lesson, format_number

    model = TeachModel(lesson=str(SCENARIOS / "target_inflation.yaml"), **{"policies.0.margin": 0.25})
    assert model.session.overrides == {"policies.0.margin": 0.25}
    model.step()
    assert model.session.week == 1 and model.running
    # Mesa counts the week too: in model.time from Mesa 3.4 on (Mesa 4 drops model.steps),
    # in model.steps before.
    assert getattr(model, "time", getattr(model, "steps", None)) == 1
    assert first_lesson(discover_lessons(SCENARIOS), "crop_mandate") == "crop_mandate"
    assert format_number(0.9234, "share") == "92.3" and format_number(1234.5, "cases") == "1,234"
    assert format_number(-0.01, "score 0-1", signed=True) == "-0.010"
    assert format_number(-0.00001, "score 0-1", signed=True) == "0"
    assert format_number(0.02, "share", signed=True) == "+2.0"


def test_restart_rebuilds_the_model_from_its_levers() -> None:
    """Restart builds a fresh model at week 0 from the levers (and the classroom's overrides)."""
    from govsim.teach.app import TeachModel, new_model

    lesson = discover_lessons(SCENARIOS)["target_inflation"]
    model = new_model(lesson, {"policies.0.margin": 0.3})
    model.step()
    fresh = TeachModel(lesson=model.lesson, **model.levers)
    assert fresh.session.week == 0 and fresh.session.overrides == {"policies.0.margin": 0.3}
    assert fresh.session.scenario.hash == model.session.scenario.hash
    one = new_model(lesson, overrides={"population.residents": 6000, "hierarchy.communities_per_township": 1})
    assert len(one.session.communities) == 2


def test_lever_values_are_written_out() -> None:
    from govsim.teach.controls import shown_value

    scenario = govsim.load_scenario(SCENARIOS / "target_inflation.yaml")
    levers = [LeverSpec("policies.0.margin"), LeverSpec("staff.priority"), LeverSpec("policies.0.levels")]
    margin, priority, levels = build_controls(scenario, levers)
    assert shown_value(margin, 0.30000000000000004, "zh") == "0.3"
    assert shown_value(priority, "target_first", "zh") == "先完成指标"
    assert shown_value(levels, 2.0, "en") == "2"


def test_teach_command_configures_and_warns_off_loopback(tmp_path: Path, monkeypatch, capsys) -> None:
    from govsim.teach import server

    seen = {}
    monkeypatch.setattr(server, "configure", lambda conf: seen.update(conf=conf))
    monkeypatch.setattr(server, "serve", lambda **kw: seen.update(kw) or kw["on_ready"]("http://x:1/"))
    assert main(["teach", "crop_mandate", "--host", "0.0.0.0", "--port", "9999", "--lang", "zh",
                 "--no-browser", "--export-dir", str(tmp_path)]) == 130  # the server stopped
    captured = capsys.readouterr()
    assert "warning: serving on 0.0.0.0" in captured.err and "http://x:1/" in captured.out
    assert (seen["host"], seen["port"]) == ("0.0.0.0", 9999)
    conf = seen["conf"]
    assert (conf.lesson, conf.lang, conf.export_dir) == ("crop_mandate", "zh", tmp_path)
    assert main(["teach", "--no-browser"]) == 130 and "warning" not in capsys.readouterr().err


def test_a_lesson_that_does_not_load_is_set_aside(tmp_path: Path) -> None:
    from govsim.teach.app import catalogue

    (tmp_path / "good.yaml").write_text(f"# Good.\nextends: {SCENARIOS / 'baseline.yaml'}\nname: good\n")
    (tmp_path / "future.yaml").write_text("# Future.\nname: future\npolicies:\n  - type: community_app\n")
    lessons, broken = catalogue(tmp_path)
    assert list(lessons) == ["good"] and "community_app" in broken["future"]


def test_a_scenario_file_outside_the_lessons_joins_the_list(tmp_path: Path) -> None:
    from govsim.teach.app import catalogue, first_lesson

    own = tmp_path / "my_county.yaml"
    own.write_text(f"# My county.\nextends: {SCENARIOS / 'baseline.yaml'}\nname: my_county\n")
    lessons, broken = catalogue(SCENARIOS, str(own))
    assert not broken
    assert next(iter(lessons)) == "my_county" and first_lesson(lessons, str(own)) == "my_county"
    assert first_lesson(lessons, str(SCENARIOS / "crop_mandate.yaml")) == "crop_mandate"


def _hear_ctrl_c() -> None:
    """Give the child the default Ctrl-C: a shell that runs the tests in the background
    ignores SIGINT, and the child would inherit that (as in tests/test_study_sweep.py)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_stops_teach_with_exit_130(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(SCENARIOS.parent), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "govsim", "teach", "--no-browser", "--port", str(port)],
                               cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, preexec_fn=_hear_ctrl_c)
    try:
        assert "http://" in process.stdout.readline()  # serving
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, err
    assert "Traceback" not in err
