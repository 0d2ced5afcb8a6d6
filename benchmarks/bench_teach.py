"""How long the teaching page takes to step and redraw, at the default lesson sizes.

Measures, per lesson, the work the server does for one press of "Step":
both runs advance one week, the four charts (kept alive between steps, as
the page keeps them) are updated and encoded as PNG, and the map and the
numbers table are computed (the HTML the browser receives is cheap next to
these). Prints one JSON document: median and 95th
percentile seconds per step, overall and per lesson, and the share of the
time spent stepping the models. Not a test: nothing is asserted.

    .venv/bin/python benchmarks/bench_teach.py            # 40 weeks of each ready lesson
    .venv/bin/python benchmarks/bench_teach.py --weeks 80 --lang zh
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

import govsim
from govsim.teach import figures, maps
from govsim.teach.lessons import discover_lessons
from govsim.teach.session import Session


def render(charts: list[figures.LiveChart], session: Session) -> None:
    """Everything the page computes after a step (figures to PNG, map, numbers)."""
    for chart in charts:
        chart.update()
    maps.map_cells(session, "trust")
    session.numbers()


def measure(session: Session, weeks: int, lang: str, mode: str) -> tuple[list[float], list[float]]:
    """Seconds per step+render and per step alone, for ``weeks`` weeks."""
    charts = [figures.LiveChart(kind, session, lang, mode) for kind in figures.KINDS]
    total, stepping = [], []
    for _ in range(min(weeks, session.steps)):
        start = time.perf_counter()
        session.step()
        stepped = time.perf_counter()
        render(charts, session)
        stepping.append(stepped - start)
        total.append(time.perf_counter() - start)
    return total, stepping


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    """Run the benchmark and print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=40, help="weeks stepped per lesson")
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    parser.add_argument("--mode", choices=figures.MODES, default="overlay")
    args = parser.parse_args()
    found = discover_lessons()
    measure(Session(govsim.load_scenario(next(iter(found.values())).path)), 2, args.lang,
            args.mode)  # warm-up: imports, font cache
    lessons, everything = {}, []
    for name, lesson in found.items():
        scenario = govsim.load_scenario(lesson.path)
        session = Session(scenario)
        total, stepping = measure(session, args.weeks, args.lang, args.mode)
        everything += total
        lessons[name] = {
            "residents": scenario.params["population"]["residents"],
            "communities": len(session.communities),
            "median_s": round(statistics.median(total), 4), "p95_s": round(p95(total), 4),
            "step_only_median_s": round(statistics.median(stepping), 4),
        }
    print(json.dumps({
        "benchmark": "teach step+render", "weeks_per_lesson": args.weeks, "lang": args.lang,
        "mode": args.mode, "median_s": round(statistics.median(everything), 4),
        "p95_s": round(p95(everything), 4), "lessons": lessons,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_average_1min": os.getloadavg()[0]},
    }, indent=2))


if __name__ == "__main__":
    main()
