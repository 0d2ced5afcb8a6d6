"""The teaching page in a real browser: Debian's Chromium, driven by Playwright.

Starts ``govsim teach`` as a class would, then does what a teacher does: moves
a slider, resets, steps, switches to Chinese, exports the scenario, and checks
that ``govsim run`` on the export reproduces the page's numbers. Also checks
that the page fetched nothing from outside this machine. Leaves a screenshot
(and the measured step times) in ``test-artifacts/``.

Needs ``/usr/bin/chromium`` (the set-up installs Debian's ``chromium``) and
the ``playwright`` package (the ``test`` extra); Playwright never downloads a
browser here. Without them the test fails under CI (``CI`` set) and is
skipped elsewhere.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from queue import Empty, Queue

import pandas as pd
import pytest

from govsim.metrics import summarise

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("GOVSIM_CHROMIUM", "/usr/bin/chromium")
#: Headless, and quiet on the network: without the background-networking flags
#: Chromium's own connections are refused by a closed network and slow it down.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STEPS = 5
LOCAL = ("http://127.0.0.1", "blob:", "data:")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser_page() -> Iterator[object]:
    """A fresh headless Chromium page; the test fails under CI when there is no browser."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).is_file()):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium; scripts/_venv.sh does it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": 1500, "height": 1100})
        finally:
            browser.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def teach_server(tmp_path: Path, *args: str) -> Iterator[str]:
    """``govsim teach ARGS`` in a subprocess (exports to ``tmp_path/exports``): its address; stopped after."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "server.log"
    command = [sys.executable, "-m", "govsim", "teach", *args, "--port", str(free_port()), "--no-browser",
               "--export-dir", str(tmp_path / "exports")]
    with log.open("w") as err:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, text=True, cwd=tmp_path, env=env)
        try:
            yield _address(proc, log)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """``govsim teach`` in a subprocess: (address, export folder, stderr log); stopped afterwards."""
    with teach_server(tmp_path, "target_inflation") as address:
        yield address, tmp_path / "exports", tmp_path / "server.log"


def _address(proc: subprocess.Popen, log: Path) -> str:
    lines: Queue[str] = Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except Empty:
            if proc.poll() is not None:
                break
            continue
        if "http://" in line:
            return line[line.index("http://"):].split()[0]
    pytest.fail(f"govsim teach did not start:\n{log.read_text()}")


def test_teaching_page_in_a_browser(browser_page, server) -> None:
    page = browser_page
    url, exports, log = server
    requests, failures, errors = [], [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failures.append(f"failed {r.url}"))
    page.on("pageerror", lambda e: errors.append(str(e)))
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.goto(url)
        step = page.locator(".govsim-step")
        page.get_by_role("button", name="Step", exact=True).wait_for(timeout=60_000)
        step.wait_for(timeout=60_000)
        week(page, 0)

        # A teacher raises the margin by ten notches (0.20 -> 0.30) and resets to apply it.
        lever = page.locator(".govsim-lever", has_text="Raise added at each level")
        thumb = lever.locator("[role=slider]")
        thumb.focus()
        for _ in range(10):
            thumb.press("ArrowRight")
            page.wait_for_timeout(250)  # let each change reach the server before the next
        assert lever.locator(".govsim-value").inner_text() == "0.3"  # the value is written out
        page.get_by_role("button", name="Restart").click()
        page.wait_for_timeout(1500)
        week(page, 0)
        assert page.locator(".govsim-pending").count() == 0

        before = chart_sources(page)
        timings = []
        for n in range(1, STEPS + 1):
            started = time.perf_counter()
            step.click()
            week(page, n)
            timings.append(time.perf_counter() - started)
        changed = ("old => [...document.querySelectorAll('.govsim-chart img')]"
                   ".every((im, i) => im.src !== old[i])")
        page.wait_for_function(changed, arg=before, timeout=20_000)
        assert page.locator(".govsim-numbers [data-run=policy][data-metric=coverage]").count() == 1
        assert_no_error(page, errors, log)

        # Chinese labels, for the controls, the story, the charts and the numbers.
        page.get_by_role("button", name="中文").click()
        page.get_by_text("到目前为止的数字").wait_for(timeout=20_000)
        for label in ("每级加码幅度", "层层加码", "服务覆盖率", "有政策"):
            # The panels re-render one after another after the switch: wait for each (fails if never shown).
            page.get_by_text(label).first.wait_for(state="visible", timeout=20_000)

        # Export, then govsim run the file: the page's numbers, exactly.
        page.locator(".govsim-export").click()
        exported = Path(page.locator(".govsim-exported").get_attribute("data-path", timeout=20_000))
        assert exported.parent == exports.resolve() and "margin: 0.3\n" in exported.read_text()
        shown = page_numbers(page)
        page.set_viewport_size({"width": 1500, "height": 1700})  # the whole page, for the artefact
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "teach.png"))

        # Another lesson: its own levers, from week 0.
        page.locator(".govsim-lesson .v-select").click()
        page.get_by_role("option", name="与本地需求不匹配的专款专用").click()
        week(page, 0)
        page.get_by_text("可统筹（非专款）经费").first.wait_for(timeout=20_000)
        step.click()
        week(page, 1)
        assert_no_error(page, errors, log)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "teach-failure.png"), full_page=True)
        raise
    (ARTIFACTS / "teach-timings.json").write_text(json.dumps(
        {"browser_step_seconds": [round(t, 3) for t in timings]}, indent=2))

    assert_reproduced(exported, shown, log.parent / "run")
    outside = [u for u in requests if not u.startswith(LOCAL)]
    assert not outside, f"the page fetched from outside this machine: {outside[:5]}"
    assert not failures, f"requests failed: {failures[:5]}"


def week(page, n: int) -> None:
    page.locator(f".govsim-week[data-week='{n}']").wait_for(timeout=30_000)


def chart_sources(page) -> list[str]:
    images = page.locator(".govsim-chart img")
    images.first.wait_for(timeout=30_000)
    return [images.nth(i).get_attribute("src") for i in range(images.count())]


def page_numbers(page) -> dict[str, float]:
    cells = page.locator(".govsim-numbers td[data-run=policy]")
    return {cells.nth(i).get_attribute("data-metric"): float(cells.nth(i).get_attribute("data-value"))
            for i in range(cells.count())}


def assert_no_error(page, errors: list[str], log: Path) -> None:
    assert not errors, f"errors in the page: {errors}"
    assert page.locator(".v-alert.error, .v-alert.error--text").count() == 0, "the page shows an error"
    assert "Traceback" not in log.read_text(), log.read_text()


def assert_reproduced(exported: Path, shown: dict[str, float], out: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "govsim", "run", str(exported), "--out", str(out),
                          "--no-plot", "-q"], capture_output=True, text=True, timeout=120, check=False,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr
    table = pd.read_csv(out / "timeseries.csv")
    summary = summarise(table[table["week"] < STEPS]).query("scope == 'overall'").set_index("metric")["value"]
    assert shown and "coverage" in shown
    for metric, value in shown.items():
        assert value == pytest.approx(summary[metric], rel=1e-9, nan_ok=True), metric
