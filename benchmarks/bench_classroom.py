"""Thirty students at once: seconds per step of each student's page, and the server's memory.

Builds ``--sessions`` classroom models (:data:`govsim.teach.classroom.ONE_COMMUNITY`,
as ``govsim teach --classroom`` gives each student) in one process, as the
server holds them, and steps them all concurrently from a thread each, for
``--weeks`` weeks. Each step is what one press of the page's Step costs the
server: the model's week, the four charts redrawn to PNG, the map and the
numbers, and the report to the teacher's registry. Browsers are left out
(``tests/test_teach_classroom_browser.py`` drives real pages). Prints JSON:
median and 95th percentile seconds per step per session, and the process's
peak resident memory. Not a test: nothing is asserted.

    .venv/bin/python benchmarks/bench_classroom.py                 # 30 sessions, 20 weeks, all at once
    .venv/bin/python benchmarks/bench_classroom.py --pace 2        # each student presses every ~2 s
    .venv/bin/python benchmarks/bench_classroom.py --sessions 10 --lesson community_app
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import threading
import time

from govsim.teach import figures, maps
from govsim.teach.app import new_model
from govsim.teach.classroom import ONE_COMMUNITY, REGISTRY
from govsim.teach.lessons import discover_lessons


def student(key: str, model, weeks: int, start: threading.Barrier, out: list[float], pace: float) -> None:
    """One student pressing Step ``weeks`` times: every ``pace`` seconds (jittered), or flat out (0)."""
    charts = [figures.LiveChart(kind, model.session, "zh") for kind in figures.KINDS]
    jitter = random.Random(key)
    start.wait()
    for _ in range(weeks):
        if pace:
            time.sleep(jitter.uniform(0.5, 1.5) * pace)
        began = time.perf_counter()
        model.step()
        for chart in charts:
            chart.update()
        maps.map_cells(model.session, "trust")
        model.session.numbers()
        REGISTRY.report(key, model)
        out.append(time.perf_counter() - began)


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    """Run the benchmark and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--weeks", type=int, default=20)
    parser.add_argument("--lesson", default="target_inflation")
    parser.add_argument("--pace", type=float, default=0.0,
                        help="seconds between a student's presses (default 0: all press at once, flat out)")
    args = parser.parse_args()
    lesson = discover_lessons()[args.lesson]
    built = time.perf_counter()
    models = [new_model(lesson, overrides=ONE_COMMUNITY) for _ in range(args.sessions)]
    build_seconds = (time.perf_counter() - built) / args.sessions
    times: list[list[float]] = [[] for _ in models]
    start = threading.Barrier(len(models))
    threads = [threading.Thread(target=student, args=(f"s{i}", m, args.weeks, start, times[i], args.pace))
               for i, m in enumerate(models)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    steps = [t for per in times for t in per]
    print(json.dumps({
        "sessions": args.sessions, "weeks": args.weeks, "lesson": args.lesson, "pace_seconds": args.pace,
        "step_seconds_per_session": {"median": round(statistics.median(steps), 3),
                                     "p95": round(p95(steps), 3)},
        "seconds_to_open_a_page": round(build_seconds, 3),
        "wall_seconds": round(wall, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cpus": os.cpu_count(), "python": platform.python_version(),
    }, indent=2))


if __name__ == "__main__":
    main()
