"""Welch's procedure for the warm-up: when do the baseline's weekly outputs settle?

    .venv/bin/python scripts/warmup_analysis.py              # 8 replications, 6 years, no warm-up
    .venv/bin/python scripts/warmup_analysis.py --seeds 16 --years 8

Runs a scenario (default the baseline) from empty queues with ``warmup_weeks=0``,
averages each output over replications week by week, smooths the average with
a centred moving average (Welch 1983; Law 2015, section 9.5.1) and prints, per
output, the mean of each year and the first week after which the smoothed
average stays within ``--tolerance`` of its mean over the last ``--tail``
years. docs/odd.md ("Warm-up") quotes its output.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
METRICS = ("backlog", "workload", "coverage", "burnout", "backlog_township", "staff_skill")


def main(argv: list[str] | None = None) -> int:
    import govsim

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=ROOT / "scenarios" / "baseline.yaml")
    parser.add_argument("--seeds", type=int, default=8, help="replications (default 8)")
    parser.add_argument("--years", type=int, default=6, help="years to run (default 6)")
    parser.add_argument("--tail", type=int, default=2, help="last years taken as the steady state (2)")
    parser.add_argument("--window", type=int, default=52,
                        help="moving-average window, weeks (52: a budget year, so a yearly cycle "
                             "does not count as a trend)")
    parser.add_argument("--tolerance", type=float, default=0.05, help="relative band (0.05)")
    args = parser.parse_args(argv)
    weeks = 52 * args.years
    scenario = govsim.load_scenario(args.scenario, overrides=[f"steps={weeks}", "warmup_weeks=0"])
    runs = {m: [] for m in METRICS}
    for seed in range(1, args.seeds + 1):
        ts = govsim.simulate(scenario, seed=seed).timeseries
        overall = ts[ts["scope"] == "overall"]
        for m in METRICS:
            runs[m].append(overall.loc[overall["metric"] == m, "value"].to_numpy())
    print(f"{scenario.name}: {args.seeds} replications x {weeks} weeks from empty queues; "
          f"steady state = mean of the last {args.tail} years; band ±{args.tolerance:.0%}")
    print(f"{'output':18} {'settles in week':>15}   yearly means")
    for m, values in runs.items():
        mean = np.nanmean(np.array(values), axis=0)
        half = args.window // 2
        smooth = np.convolve(np.nan_to_num(mean, nan=float(np.nanmean(mean))),
                             np.ones(args.window) / args.window, mode="valid")
        steady = float(np.nanmean(mean[-52 * args.tail:]))
        outside = np.flatnonzero(np.abs(smooth - steady) > args.tolerance * abs(steady))
        settles = half + (int(outside[-1]) + 1 if outside.size else 0)
        yearly = " ".join(f"{np.nanmean(mean[y * 52:(y + 1) * 52]):.3f}" for y in range(args.years))
        print(f"{m:18} {settles:>15}   {yearly}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
