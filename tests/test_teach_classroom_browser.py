"""Classroom mode in a real browser: a teacher and two students.

``govsim teach --classroom`` serves each student a model of their own; a
student moves a lever, restarts and steps, and the teacher's dashboard shows
that student's lever value and week; the teacher sends a lesson and both
students' pages open it. Uses the browser fixtures of :mod:`tests.test_teach_browser`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_teach_browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    _unavailable,
    teach_server,
)


@pytest.fixture()
def browser() -> Iterator[object]:
    """A headless Chromium; each page gets its own context (its own Solara session)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).is_file():
        _unavailable(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def classroom(tmp_path: Path) -> Iterator[str]:
    with teach_server(tmp_path, "--classroom", "--lang", "zh") as address:
        yield address


def open_page(browser, url: str):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(url)
    return page


def test_a_teacher_and_two_students(browser, classroom) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    first, second = open_page(browser, classroom), open_page(browser, classroom)
    for student in (first, second):
        student.get_by_role("button", name="单步").wait_for(timeout=60_000)
    teacher = open_page(browser, classroom + "teacher")
    rows = teacher.locator(".govsim-students tr[data-student]")
    rows.nth(1).wait_for(timeout=30_000)
    assert rows.count() == 2

    # The first student adds urban workers (three notches of 0.5: 18 -> 19.5), restarts and steps.
    lever = first.locator(".govsim-lever", has_text="城市社区工作者")
    thumb = lever.locator("[role=slider]")
    thumb.focus()
    for _ in range(3):
        thumb.press("ArrowRight")
        first.wait_for_timeout(250)
    assert lever.locator(".govsim-value").inner_text() == "19.5"
    first.get_by_role("button", name="重新开始").click()
    first.wait_for_timeout(1000)
    first.get_by_role("button", name="单步").click()
    first.locator(".govsim-week[data-week='1']").wait_for(timeout=30_000)
    teacher.locator(".govsim-students tr[data-week='1']", has_text="staff.per_10k_urban = 19.5").wait_for(
        timeout=15_000)
    assert teacher.locator(".govsim-students tr[data-week='0']").count() == 1  # the other student
    teacher.screenshot(path=str(ARTIFACTS / "teach-teacher.png"), full_page=True)

    # The teacher sends a lesson: both students open it, at week 0.
    teacher.locator(".govsim-broadcast-lesson").click()
    teacher.get_by_role("option", name="层层加码").click()
    teacher.locator(".govsim-broadcast").click()
    for student in (first, second):
        student.locator(".govsim-title", has_text="层层加码").wait_for(timeout=15_000)
        student.locator(".govsim-week[data-week='0']").wait_for(timeout=15_000)
    teacher.locator(".govsim-students tr", has_text="层层加码").nth(1).wait_for(timeout=15_000)
    first.screenshot(path=str(ARTIFACTS / "teach-student.png"), full_page=True)
