"""The teaching page in Chinese, in a real browser: no English word on it.

Starts ``govsim teach --lang zh``, steps a week, opens a lesson with long
text (the parking dispute) and checks the visible text
(``document.body.innerText``) for ASCII words of two or more letters outside
``<code>`` (commands, file and metric names the class types as they are).
Leaves screenshots in ``test-artifacts/``. Uses the browser fixtures of
:mod:`tests.test_teach_browser`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_teach_browser import ARTIFACTS, browser_page, teach_server, week

__all__ = ["browser_page"]
#: Visible text minus every <code> element's text (true code, kept as typed).
PROSE = """() => {
  let text = document.body.innerText;
  for (const code of document.querySelectorAll('code')) text = text.split(code.innerText).join(' ');
  return text;
}"""
ENGLISH = re.compile(r"[A-Za-z]{2,}")


@pytest.fixture()
def zh_server(tmp_path: Path) -> Iterator[str]:
    with teach_server(tmp_path, "--lang", "zh") as address:
        yield address


def english_words(page) -> list[str]:
    return ENGLISH.findall(page.evaluate(PROSE))


def test_the_chinese_page_has_no_english_word(browser_page, zh_server) -> None:
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1500, "height": 1100})
    page.goto(zh_server)
    page.get_by_role("button", name="单步").wait_for(timeout=60_000)
    week(page, 0)
    page.get_by_role("button", name="单步").click()
    week(page, 1)
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "teach-zh.png"), full_page=True)
    assert english_words(page) == []

    page.locator(".govsim-lesson .v-select").click()
    page.get_by_role("option", name="反复发生的停车纠纷（S1，案例 2：调解困境）").click()
    page.get_by_text("未化解纠纷被发到网上的概率").or_(page.get_by_text("回访")).first.wait_for(timeout=30_000)
    week(page, 0)
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS / "teach-zh-parking.png"), full_page=True)
    assert english_words(page) == []
    # No clipped text: the title and every lever label wrap inside their box.
    clipped = page.evaluate("""() => [...document.querySelectorAll(
        '.govsim-title, .govsim-lever-label, .v-select__selection, .govsim-story p')]
        .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)""")
    assert clipped == []
