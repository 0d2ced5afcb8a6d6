"""Sweep throughput: serial against a pool of workers, and the sweep's cost over bare simulate.

Runs the baseline scenario (``scenarios/baseline.yaml``) at 10,000 residents,
40 replications (40 runs, each with its own seed), in two settings:

* cold: ``govsim sweep SPEC --workers 1`` (``serial_cold_seconds``) and
  ``--workers W`` (``pool_seconds``), each timed from the command's start to
  its exit, imports and pool start-up included. ``speedup`` is their ratio:
  what a user of the command gains.
* warm, in this process with every import done before the clock starts:
  bare ``govsim.simulate(scenario, seed)`` for each of the 40 seeds, results
  dropped; ``run_sweep(..., workers=1)`` (``serial_seconds``), the same runs,
  each encoded and written to the results store as it finishes; and
  ``run_sweep`` on a pool of W workers already running
  (``pool_warm_seconds``). ``speedup_warm`` is serial over pool: the steady
  state of a long sweep. The per-run overhead of a sweep over bare
  ``simulate`` is measured seed by seed, the two back to back
  (``per_run_overhead_pct``), and round by round, serial over bare.

Before each round it measures the speed-up the machine itself gives right now
to as many processes as workers: running pure-CPU loops (``machine_speedup``:
about 2 on an idle 2-core machine, less when other work shares the cores) and
running the sweep's own work, bare ``simulate`` calls in independent processes
(``workload_speedup``: what any executor could reach here, memory traffic
included), so that the sweep's speed-up can be read against what was possible
(``pool_efficiency``). Serial and pool sweeps of one round run back to back;
``speedup_paired`` gives their ratio round by round, steadier than a ratio of
best times taken minutes apart on a machine whose speed drifts.

It also reports this process's resident memory after each round
(``rss_mb_by_round``), each round adding 2 × N runs of its own (bare and
serial): a sweep's memory must stay flat however many runs there are.

Prints one JSON object on stdout (progress on stderr). Timings are reported,
never asserted; on a shared machine use ``--repeat`` (best of R).

Usage::

    .venv/bin/python benchmarks/bench_sweep.py [--runs N] [--residents N] [--workers W] [--repeat R]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
TARGET_SPEEDUP = 1.8  # on 2 cores with 2 workers
TARGET_OVERHEAD_PCT = 5.0  # serial sweep per run over bare simulate per run


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def rss_mb() -> float | None:
    """This process's resident memory now, in MB (Linux), after a full garbage collection."""
    import gc

    gc.collect()
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def measure_bare(spec) -> tuple[float, float]:
    """Seconds (wall, CPU) for bare ``simulate`` calls over the sweep's (scenario, seed) pairs."""
    from govsim import simulate
    from govsim.study.design import replication_seed

    clock, cpu = time.perf_counter(), time.process_time()
    for r in range(spec.replications):
        simulate(spec.base, replication_seed(spec.seed, r))
    return time.perf_counter() - clock, time.process_time() - cpu


def measure_interleaved(spec) -> tuple[float, float]:
    """Seconds of bare ``simulate`` and of the sweep's whole work per run, measured alternately.

    For each seed, a bare ``simulate`` call and then what a serial sweep does
    for the same run (``execute``: simulate and encode; ``store.put``: the
    atomic write), back to back, so that load from other processes falls on
    both alike. Returns the two totals (bare, sweep).
    """
    from govsim import simulate
    from govsim.study.design import replication_seed
    from govsim.study.store import RunStore
    from govsim.study.worker import RunTask, execute, run_id

    bare = swept = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        store = RunStore(Path(tmp) / "out")
        store.runs.mkdir(parents=True)
        store.failed.mkdir()
        for r in range(spec.replications):
            seed = replication_seed(spec.seed, r)
            clock = time.perf_counter()
            simulate(spec.base, seed)
            bare += time.perf_counter() - clock
            clock = time.perf_counter()
            store.put(execute(RunTask(run_id(spec.base.hash, seed), spec.base, seed)))
            swept += time.perf_counter() - clock
    return bare, swept


def measure_serial(spec) -> tuple[float, float]:
    """Seconds (wall, CPU) for a serial sweep into a fresh store."""
    from govsim.study import run_sweep

    with tempfile.TemporaryDirectory() as tmp:
        clock, cpu = time.perf_counter(), time.process_time()
        summary = run_sweep(spec, out=Path(tmp) / "out", workers=1)
        wall, cpu = time.perf_counter() - clock, time.process_time() - cpu
    if summary.done != spec.replications:
        raise RuntimeError(f"sweep ran {summary.done} of {spec.replications} runs ({summary.errors})")
    return wall, cpu


def measure_cold(args: argparse.Namespace, scenario, workers: int) -> float:
    """Seconds for ``govsim sweep SPEC --workers W`` from start to exit, in a fresh process.

    What a user waits for: the interpreter's start, govsim's imports, reading
    the spec, the model's import (serial: in the process; a pool: in the
    forkserver its workers fork from, started while the spec is read) and the
    runs, each stored as it finishes.
    """
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "bench.yaml"
        spec.write_text(json.dumps({"base": str(BASELINE), "set": {"population.residents": args.residents},
                                    "arms": {"baseline": {}}, "replications": args.runs,
                                    "seed": scenario.seed}))
        command = [sys.executable, "-m", "govsim", "sweep", str(spec), "--workers", str(workers),
                   "--out", str(Path(tmp) / "out"), "--quiet"]
        clock = time.perf_counter()
        subprocess.run(command, check=True, timeout=3600)
        return time.perf_counter() - clock


def measure_warm_pool(spec, workers: int) -> tuple[float, float]:
    """Seconds for a sweep on a pool already running (workers reused), and that pool's start-up."""
    from govsim.study import run_sweep
    from govsim.study.executors import make_executor

    with tempfile.TemporaryDirectory() as tmp:
        clock = time.perf_counter()
        with make_executor("local", workers) as pool:
            list(pool.map(abs, range(4 * workers)))  # every worker up
            startup = time.perf_counter() - clock
            clock = time.perf_counter()
            summary = run_sweep(spec, out=Path(tmp) / "out", executor=pool, workers=workers)
            seconds = time.perf_counter() - clock
    if summary.done != spec.replications:
        raise RuntimeError(f"sweep ran {summary.done} of {spec.replications} runs ({summary.errors})")
    return seconds, startup


def measure_machine(workers: int, size: int = 60_000_000) -> float:
    """The speed-up this machine gives right now to ``workers`` CPU-bound processes.

    The same pure-CPU task (``sum(range(size))``, no I/O, no memory traffic)
    once per worker, one after another and then on a pool of ``workers``: on
    an idle machine with ``workers`` cores the ratio is about ``workers``; on
    a shared one it says how much parallelism was actually there, so the
    sweep's speed-up can be read against it.
    """
    from govsim.study.executors import make_executor

    clock = time.perf_counter()
    for _ in range(workers):
        sum(range(size))
    serial = time.perf_counter() - clock
    with make_executor("local", workers) as pool:
        list(pool.map(abs, range(4 * workers)))
        clock = time.perf_counter()
        list(pool.map(sum, [range(size)] * workers))
        parallel = time.perf_counter() - clock
    return serial / parallel


_WORKLOAD = """
import sys, time
import govsim.model, govsim.run
from govsim import load_scenario, simulate
scenario = load_scenario(sys.argv[1], [f"population.residents={sys.argv[2]}"])
simulate(scenario.with_overrides({"steps": 2}), 1)
clock = time.perf_counter()
for seed in range(int(sys.argv[3])):
    simulate(scenario, 1000 + seed)
print(time.perf_counter() - clock)
"""


def measure_workload(args: argparse.Namespace, runs: int = 6) -> float:
    """The speed-up this machine gives right now to ``workers`` processes running the sweep's work.

    The same bare ``simulate`` runs, in one process alone and then in
    ``workers`` independent processes at once (no pool, no store): the most
    any executor could get here, memory traffic and a shared machine included.
    """
    command = [sys.executable, "-c", _WORKLOAD, str(BASELINE), str(args.residents), str(runs)]

    def together(n: int) -> list[float]:
        procs = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(n)]
        return [float(proc.communicate(timeout=3600)[0]) for proc in procs]

    alone = together(1)[0]
    return args.workers * alone / max(together(args.workers))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40, help="runs (replications of the baseline)")
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="best of R measurements of each")
    args = parser.parse_args(argv)

    import govsim
    import govsim.model  # imported before any clock starts
    from govsim.study.compare import arms_spec

    scenario = govsim.load_scenario(BASELINE, [f"population.residents={args.residents}"])
    spec = arms_spec([scenario], replications=args.runs, name="bench")
    govsim.simulate(scenario.with_overrides({"steps": 2}), 1)  # warm caches
    best: dict[str, float] = {}
    machine, workload, paired, paired_warm, overhead_by_round, rss = [], [], [], [], [], []
    for attempt in range(args.repeat):
        machine.append(measure_machine(args.workers))
        workload.append(measure_workload(args))
        _log(f"[{attempt + 1}/{args.repeat}] machine speed-up for {args.workers} processes: "
             f"{machine[-1]:.2f} pure CPU, {workload[-1]:.2f} running simulate")
        this_round = {}
        for name, measure in (("bare", lambda: measure_bare(spec)),
                              ("serial", lambda: measure_serial(spec)),
                              ("serial_cold", lambda: (measure_cold(args, scenario, 1), 0.0)),
                              ("pool", lambda: (measure_cold(args, scenario, args.workers), 0.0)),
                              ("pool_warm", lambda: measure_warm_pool(spec, args.workers))):
            seconds, extra = measure()
            this_round[name] = seconds
            cpu = name in ("bare", "serial")
            _log(f"[{attempt + 1}/{args.repeat}] {name}: {seconds:.2f} s"
                 + (f" ({extra:.2f} s CPU)" if cpu else f" (+{extra:.2f} s pool start-up)" if extra else ""))
            best[name] = min(best.get(name, float("inf")), seconds)
            if name == "pool_warm":
                best["startup"] = min(best.get("startup", float("inf")), extra)
        # Serial and pool of the same round ran back to back, under the same load.
        paired.append(this_round["serial_cold"] / this_round["pool"])
        paired_warm.append(this_round["serial"] / this_round["pool_warm"])
        overhead_by_round.append(100.0 * (this_round["serial"] / this_round["bare"] - 1.0))
        rss.append(rss_mb())
    bare, swept = measure_interleaved(spec)
    _log(f"interleaved: bare {bare:.2f} s, sweep {swept:.2f} s")
    bare_per_run = best["bare"] / args.runs
    overhead = 100.0 * (swept - bare) / bare
    result = {
        "runs": args.runs, "residents": args.residents, "steps": scenario.steps, "workers": args.workers,
        "cpus": os.cpu_count(), "repeat": args.repeat, "python": platform.python_version(),
        "bare_simulate_seconds": round(best["bare"], 3),
        "bare_simulate_seconds_per_run": round(bare_per_run, 4),
        "serial_seconds": round(best["serial"], 3),
        "serial_cold_seconds": round(best["serial_cold"], 3),
        "pool_seconds": round(best["pool"], 3),
        "pool_warm_seconds": round(best["pool_warm"], 3),
        "pool_startup_seconds": round(best.get("startup", 0.0), 3),
        "speedup": round(best["serial_cold"] / best["pool"], 3),
        "speedup_warm": round(best["serial"] / best["pool_warm"], 3),
        "speedup_paired": [round(x, 3) for x in paired],
        "speedup_warm_paired": [round(x, 3) for x in paired_warm],
        "per_run_overhead_pct": round(overhead, 2),
        "per_run_overhead_by_round_pct": [round(x, 2) for x in overhead_by_round],
        "machine_speedup": round(max(machine), 3),
        "workload_speedup": [round(x, 3) for x in workload],
        "pool_efficiency": round(best["serial"] / best["pool_warm"] / max(workload), 3),
        "rss_mb_by_round": [None if x is None else round(x, 1) for x in rss],
    }
    result["targets"] = {"speedup_at_least_1.8": result["speedup"] >= TARGET_SPEEDUP,
                         "speedup_warm_at_least_1.8": result["speedup_warm"] >= TARGET_SPEEDUP,
                         "overhead_at_most_5pct": overhead <= TARGET_OVERHEAD_PCT}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
