"""Throughput and memory of the model, against a plain per-agent Mesa reference.

Runs the baseline scenario (``scenarios/baseline.yaml``) at 100,000 residents
for 156 weeks through :func:`govsim.simulate`; the same residents with
``GovModel(..., residents="agents")`` (one ``mesa.Agent`` per resident, the
weekly rules in Python loops) for a few weeks; and 1,000,000 residents for 52
weeks. Each measured configuration runs in a fresh Python process, so that
peak memory (``ru_maxrss``) belongs to that configuration alone. Prints one
JSON object on stdout; progress goes to stderr. Timings are reported, never
asserted.

Usage::

    .venv/bin/python benchmarks/bench_model.py [--residents N] [--steps T]
        [--reference-steps K] [--skip-reference] [--skip-million] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
ALL_MECHANISMS = ROOT / "benchmarks" / "all_mechanisms.yaml"
SCENARIO = BASELINE  # set by --scenario / --all-mechanisms, in the parent and in each worker
TARGET_THROUGHPUT = 10e6  # resident-steps per second, one process
TARGET_RATIO = 50.0  # times the per-agent reference
TARGET_MILLION_MB = 2048.0  # 1M residents x 52 weeks within 2 GiB
MILLION = (1_000_000, 52)


# -- measured in a fresh process ------------------------------------------------------
def _peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (ru_maxrss is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def _import_model() -> None:
    """Import what the model imports lazily (mesa, which pulls in scipy), outside the timing."""
    import govsim.model.govmodel
    import govsim.model.reference
    import govsim.model.workforce  # noqa: F401


def _scenario(residents: int, steps: int):
    from govsim import load_scenario

    return load_scenario(SCENARIO, overrides=[f"population.residents={residents}", f"steps={steps}"])


def measure_vectorised(residents: int, steps: int) -> dict:
    """Time one ``simulate`` call (model build, every step, tables and manifest)."""
    _import_model()
    from govsim import simulate

    scenario = _scenario(residents, steps)
    ticks: list[float] = []
    start = time.perf_counter()
    result = simulate(scenario, progress=lambda done, total: ticks.append(time.perf_counter()))
    seconds = time.perf_counter() - start
    n = int(result.scenario.params["population"]["residents"])
    # Every simulated week counts, the warm-up's (reported or not, each is a full step).
    simulated = len(ticks)
    # Steps after the first, from the progress ticks: the step cost alone, like the reference's.
    later = (ticks[-1] - ticks[0]) if len(ticks) > 1 else float("nan")
    return {"residents": n, "steps": steps, "warmup_weeks": simulated - steps,
            "seconds": seconds, "resident_steps_per_s": n * simulated / seconds,
            "step_resident_steps_per_s": n * (len(ticks) - 1) / later if later > 0 else None,
            "peak_rss_mb": _peak_rss_mb()}


def measure_reference(residents: int, steps: int) -> dict:
    """Build the per-agent model (timed apart), then time its steps."""
    _import_model()
    from govsim.model import GovModel

    scenario = _scenario(residents, steps)
    start = time.perf_counter()
    model = GovModel(scenario, residents="agents")
    build = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(steps):
        model.step()
    seconds = time.perf_counter() - start
    n = model.residents.n
    return {"residents": n, "steps": steps, "build_seconds": build, "step_seconds": seconds,
            "resident_steps_per_s": n * steps / seconds, "peak_rss_mb": _peak_rss_mb()}


WORKERS = {"vectorised": measure_vectorised, "reference": measure_reference}


# -- the parent: one fresh process per measurement ------------------------------------------
def run_fresh(kind: str, residents: int, steps: int, repeat: int) -> dict:
    """Best (fastest) of ``repeat`` runs, each in a new interpreter; the highest peak memory."""
    runs = []
    for i in range(repeat):
        print(f"[bench] {kind} {residents:,} residents x {steps} weeks ({i + 1}/{repeat})",
              file=sys.stderr, flush=True)
        out = subprocess.run(
            [sys.executable, __file__, "--worker", kind, "--residents", str(residents),
             "--steps", str(steps), "--scenario", str(SCENARIO)],
            check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = max(runs, key=lambda r: r["resident_steps_per_s"])
    return best | {"peak_rss_mb": max(r["peak_rss_mb"] for r in runs)}


def _environment() -> dict:
    import mesa
    import numpy

    import govsim

    return {"python": platform.python_version(), "numpy": numpy.__version__, "mesa": mesa.__version__,
            "govsim": govsim.__version__, "machine": platform.machine(), "cpus": _cpus()}


def _cpus() -> int | None:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def report(args: argparse.Namespace) -> dict:
    """Run every configuration asked for and gather the figures and targets."""
    vec = run_fresh("vectorised", args.residents, args.steps, args.repeat)
    ref = None if args.skip_reference else run_fresh(
        "reference", args.residents, args.reference_steps, args.repeat)
    million = None if args.skip_million else run_fresh("vectorised", *MILLION, args.repeat)
    ratio = vec["resident_steps_per_s"] / ref["resident_steps_per_s"] if ref else None
    if ref and vec["step_resident_steps_per_s"]:
        ref["step_ratio"] = vec["step_resident_steps_per_s"] / ref["resident_steps_per_s"]
    return {
        "scenario": str(Path(SCENARIO).relative_to(ROOT)) if Path(SCENARIO).is_relative_to(ROOT)
        else str(SCENARIO),
        "residents": vec["residents"], "steps": vec["steps"], "seconds": round(vec["seconds"], 3),
        "resident_steps_per_s": round(vec["resident_steps_per_s"]),
        "peak_rss_mb": round(vec["peak_rss_mb"], 1),
        "reference_ratio": None if ratio is None else round(ratio, 1),
        "vectorised": _rounded(vec), "reference": _rounded(ref), "million": _rounded(million),
        "targets": {
            "throughput_10M_per_s": vec["resident_steps_per_s"] >= TARGET_THROUGHPUT,
            "reference_50x": None if ratio is None else ratio >= TARGET_RATIO,
            "million_52w_within_2GiB": None if million is None
            else million["peak_rss_mb"] <= TARGET_MILLION_MB,
        },
        "repeat": args.repeat, "environment": _environment(),
    }


def _rounded(figures: dict | None) -> dict | None:
    if figures is None:
        return None
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in figures.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=100_000, help="residents (default 100,000)")
    parser.add_argument("--steps", type=int, default=156, help="weeks of the main run (default 156)")
    parser.add_argument("--reference-steps", type=int, default=8,
                        help="weeks of the per-agent reference (default 8: it is slow)")
    parser.add_argument("--skip-reference", action="store_true", help="skip the per-agent reference")
    parser.add_argument("--skip-million", action="store_true", help="skip 1M residents x 52 weeks")
    parser.add_argument("--repeat", type=int, default=1, help="report the best of N runs (default 1)")
    parser.add_argument("--scenario", type=Path, default=BASELINE,
                        help="scenario to measure (default scenarios/baseline.yaml)")
    parser.add_argument("--all-mechanisms", action="store_true",
                        help="measure benchmarks/all_mechanisms.yaml: every mechanism switched on")
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    global SCENARIO
    SCENARIO = ALL_MECHANISMS if args.all_mechanisms else args.scenario.resolve()
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.residents, args.steps)))
        return
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    print(json.dumps(report(args), indent=2))


if __name__ == "__main__":
    main()
