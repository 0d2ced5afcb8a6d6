"""Printable lesson sheets (``govsim teach --sheet``): every lesson's sheet in both languages,
built from its scenario header, with no invented numbers and no English prose in Chinese."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from govsim.cli import main
from govsim.teach.lessons import SCENARIOS, Sheet, discover_lessons, parse_header, parse_sheet
from govsim.teach.sheets import code_markup, render_sheet

LESSONS = discover_lessons(SCENARIOS)
NUMBER = re.compile(r"\d[\d,.]*\d")
ENGLISH = re.compile(r"[A-Za-z]{2,}")


class _Visible(HTMLParser):
    """The text a reader sees, outside <code>, <style> and <title> (kept apart: the page's title)."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.skip += tag in ("code", "style", "script")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("code", "style", "script")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(parser.parts)


def sheet_text(sheet: Sheet) -> str:
    return " ".join((sheet.question, *sheet.tries, *sheet.looks, *sheet.discuss))


def test_there_are_lessons() -> None:
    assert len(LESSONS) >= 21


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_lesson_has_a_whole_sheet_in_both_languages(lang: str) -> None:
    for name, lesson in LESSONS.items():
        sheet = lesson.sheet(lang)
        assert sheet.question and sheet.tries and sheet.looks, (name, lang)
        assert 2 <= len(sheet.discuss) <= 3, (name, lang, sheet.discuss)
        assert sheet.complete()
        # The sheet stays out of the story the page shows.
        story = lesson.story(lang)[0]
        for marker in ("Sheet:", "Question:", "Discuss:", "学习单", "问题：", "讨论："):
            assert marker not in story, (name, lang, marker)
        assert sheet_text(sheet).count("`") % 2 == 0, (name, lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_numbers_on_a_sheet_come_from_its_story(lang: str) -> None:
    for name, lesson in LESSONS.items():
        quoted = set(NUMBER.findall(sheet_text(lesson.sheet(lang))))
        missing = quoted - set(NUMBER.findall(lesson.story(lang)[0]))
        assert not missing, (name, lang, sorted(missing))


def test_what_to_try_uses_only_levers_the_lesson_offers() -> None:
    for name, lesson in LESSONS.items():
        offered = {lever.path for lever in lesson.levers}
        for lang in ("en", "zh"):
            named = re.findall(r"--set\s+([A-Za-z_][\w.]*)=", " ".join(lesson.sheet(lang).tries))
            assert set(named) <= offered, (name, lang, sorted(set(named) - offered))


def test_sheet_parser_reads_both_halves_and_leaves_the_story_alone() -> None:
    header = ("# Title.\n#\n# The story.\n#\n# Sheet:\n# Question: Why\n#   so?\n# Try: `--set a.b=1`\n"
              "# Look for: x\n# Look for: y\n# Discuss: one\n# Discuss: two\n#\n# zh: 标题\n#\n# 故事。\n#\n"
              "# 学习单：\n# 问题：为什么\n#   这样？\n# 试一试：`--set a.b=1`\n# 看什么：甲\n"
              "# 讨论：一\n# 讨论：二\nname: x\n")
    assert parse_header(header) == ("Title", "The story.")
    assert parse_header(header, "zh") == ("标题", "故事。")
    assert parse_sheet(header) == Sheet("Why so?", ("`--set a.b=1`",), ("x", "y"), ("one", "two"))
    assert parse_sheet(header, "zh") == Sheet("为什么这样？", ("`--set a.b=1`",), ("甲",), ("一", "二"))
    assert parse_sheet("# Title.\n#\n# Story.\nname: x\n") == Sheet()
    assert not Sheet().complete()


def test_every_sheet_builds_in_both_languages_with_print_css() -> None:
    for name, lesson in LESSONS.items():
        for lang in ("en", "zh"):
            html = render_sheet(lesson, lang)
            assert html.startswith("<!DOCTYPE html>"), (name, lang)
            assert f"<h1>{escape(lesson.title(lang))}</h1>" in html, (name, lang)
            assert "@page" in html and "size: A4" in html and "@media print" in html
            assert "Noto Sans CJK SC" in html  # a font stack that has Chinese glyphs
            assert not re.search(r"(src|href)=\"?(https?:)?//", html), name  # self-contained
            assert "<script" not in html
            assert f"govsim run scenarios/{name}.yaml" in html
            assert html.count('class="lines') >= 1 + len(lesson.sheet(lang).discuss)  # room to write
    assert 'lang="zh-CN"' in render_sheet(LESSONS["baseline"], "zh")


def test_chinese_sheets_have_no_english_words_outside_code() -> None:
    for name, lesson in LESSONS.items():
        words = ENGLISH.findall(visible_text(render_sheet(lesson, "zh")))
        assert not words, (name, words[:5])
    assert ENGLISH.findall(visible_text(render_sheet(LESSONS["baseline"], "en")))  # the check sees words


def test_sheet_escapes_the_header_and_marks_code() -> None:
    assert str(code_markup("a <b> `x<y` & c")) == "a &lt;b&gt; <code>x&lt;y</code> &amp; c"
    with pytest.raises(ValueError):
        render_sheet(LESSONS["baseline"], "fr")


def test_cli_writes_one_sheet_to_the_default_place(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["teach", "--sheet", "target_inflation", "--lang", "zh"]) == 0
    path = Path("runs/sheets/target_inflation.zh.html")
    assert capsys.readouterr().out.strip() == str(path)
    assert "层层加码" in path.read_text(encoding="utf-8")


def test_cli_writes_to_out_and_all_into_a_folder(tmp_path: Path, capsys) -> None:
    out = tmp_path / "one" / "sheet.html"
    assert main(["teach", "--sheet", "crop_mandate", "--out", str(out)]) == 0
    assert "What to try" in out.read_text(encoding="utf-8")
    assert main(["teach", "--sheet", "all", "--lang", "zh", "--out", str(tmp_path / "all")]) == 0
    written = sorted(p.name for p in (tmp_path / "all").iterdir())
    assert written == sorted(f"{name}.zh.html" for name in LESSONS)
    assert len(capsys.readouterr().out.splitlines()) == 1 + len(LESSONS)


def test_cli_unknown_lesson_and_bad_out_exit_2(tmp_path: Path, capsys) -> None:
    assert main(["teach", "--sheet", "no_such_lesson"]) == 2
    err = capsys.readouterr().err
    assert "no lesson 'no_such_lesson'" in err and "target_inflation" in err and "or all" in err
    assert main(["teach", "--sheet", "all", "--out", str(tmp_path / "x.html")]) == 2
    assert "folder" in capsys.readouterr().err
    assert main(["teach", "--out", str(tmp_path / "x.html")]) == 2  # --out without --sheet
    assert not (tmp_path / "x.html").exists()
