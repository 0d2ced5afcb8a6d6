"""The mechanism effects tables: each ready scenario's policies against the same county without
them, and each behavioural switch against its counterfactual.

    .venv/bin/python scripts/mechanism_effects.py                    # writes docs/mechanism_effects.md
    .venv/bin/python scripts/mechanism_effects.py --reps 20 --workers 2 --out -

For every ready scenario with policies, replication r runs the scenario and the
same scenario with ``policies: []`` on seed ``scenario.seed + r`` (common random
numbers: both face the same needs), and the first table gives, per metric, the
mean paired difference (policies minus none) with its 95% t interval
(``govsim.study.stats.paired_effect``). What it shows is the mechanism alone, in
the county its scenario describes (some scenarios also change the county: the
understaffed ones, the urban streets of the classroom stories).

The second table does the same for the behavioural mechanisms that a switch
turns on or off within a scenario (:data:`SWITCHES`): trust attributed by level,
petitions and mediation, residents shut out of the app and their retrying, the
stability watch, reporting under audits, rigid or tolerant upper levels, a data
breach. Each row is "with minus without", on the seeds of the first scenario named.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
METRICS = ("coverage", "abandoned_share", "admin_share", "workload", "burnout", "trust", "trust_community",
           "trust_county", "petitions_per_10k")
PERCENT = {"coverage", "abandoned_share", "admin_share", "planted_true", "online_share", "target_gap"}
SWITCH_METRICS = ("coverage", "trust_community", "trust_township", "trust_county", "trust_centre",
                  "petitions_per_10k")

#: (label, with: (scenario, overrides), without: (scenario, overrides), its own metric).
SWITCHES = (
    ("a slower township office (capacity 125 → 5 per 10k): blame lands on the township",
     ("baseline", ["hierarchy.township_capacity_per_10k=5"]), ("baseline", []), "backlog_township"),
    ("fair mediation in a dispute wave (fair 4 → 9 times in 10)",
     ("petition_wave", ["policies.2.mediation_fairness=0.9"]), ("petition_wave", []), "petitions_beyond"),
    ("fallbacks for residents shut out of the app (family, grid worker)",
     ("community_app", []), ("community_app", ["behaviour.family_help=0", "behaviour.grid_help=0"]),
     "hours_cases"),
    ("shut-out residents try again next week (chance 0 → 0.5)",
     ("community_app", []), ("community_app", ["behaviour.shut_out_retry=0"]), "excluded"),
    ("the stability watch persuades watched petitioners back (deterrence 0 → 0.8)",
     ("petition_wave", []), ("petition_wave", ["petitions.watch_deterrence=0"]), "petitions_beyond"),
    ("the stability watch's hours (1 → 0 per watched resident a week)",
     ("petition_wave", []), ("petition_wave", ["petitions.watch_hours=0"]), "hours_stability"),
    ("audits of reports (yearly chance 0.2 → 0.8)",
     ("target_inflation", ["policies.0.audit_probability=0.8"]), ("target_inflation", []), "target_gap"),
    ("a tolerant upper level for the crop mandate",
     ("crop_mandate_tolerant", []), ("crop_mandate", []), "planted_true"),
    ("a data breach in week 26 (online only)",
     ("digital_channels", ["policies.0.breach=true"]), ("digital_channels", []), "online_share"),
)


def _overall(path: str, overrides: list[str], seed: int, metrics: tuple[str, ...]) -> dict[str, float]:
    import govsim

    scenario = govsim.load_scenario(path, overrides=overrides)
    s = govsim.simulate(scenario, seed=seed).summary
    overall = s[s["scope"] == "overall"].set_index("metric")["value"]
    return {m: float(overall[m]) for m in metrics}


def _summaries(path: str, seed: int) -> tuple[dict[str, float], dict[str, float]]:
    import govsim

    with_policies = govsim.load_scenario(path)
    without = with_policies.with_overrides({"policies": []})
    out = []
    for scenario in (with_policies, without):
        s = govsim.simulate(scenario, seed=seed).summary
        overall = s[s["scope"] == "overall"].set_index("metric")["value"]
        out.append({m: float(overall[m]) for m in METRICS})
    return out[0], out[1]


def _switch(index: int, r: int) -> tuple[dict[str, float], dict[str, float]]:
    import govsim

    _, (name_a, set_a), (name_b, set_b), own = SWITCHES[index]
    path_a, path_b = (str(ROOT / "scenarios" / f"{n}.yaml") for n in (name_a, name_b))
    seed = govsim.load_scenario(path_a).seed + r
    metrics = (*SWITCH_METRICS, own)
    return _overall(path_a, set_a, seed, metrics), _overall(path_b, set_b, seed, metrics)


def _cell(metric: str, a: np.ndarray, b: np.ndarray) -> str:
    from govsim.study.stats import paired_effect

    e = paired_effect(b, a)
    k = 100.0 if metric in PERCENT else 1.0
    digits = 1 if metric in PERCENT or abs(e["difference"]) >= 10 else 3
    low, high = k * e["ci_low"], k * e["ci_high"]
    return f"{k * e['difference']:+.{digits}f} [{low:+.{digits}f}, {high:+.{digits}f}]"


def main(argv: list[str] | None = None) -> int:
    import govsim

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10, help="paired replications (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "mechanism_effects.md"),
                        help="file to write, or - for standard output")
    args = parser.parse_args(argv)
    paths = [p for p in sorted((ROOT / "scenarios").glob("*.yaml"))
             if govsim.load_scenario(p).policies]
    jobs = {(p.stem, r): (str(p), govsim.load_scenario(p).seed + r) for p in paths for r in range(args.reps)}
    switch_jobs = [(i, r) for i in range(len(SWITCHES)) for r in range(args.reps)]
    with cf.ProcessPoolExecutor(args.workers) as pool:
        done = dict(zip(jobs, pool.map(_summaries, *zip(*jobs.values(), strict=True)), strict=True))
        switched = dict(zip(switch_jobs, pool.map(_switch, *zip(*switch_jobs, strict=True)), strict=True))
    lines = [
        "# Mechanism effects",
        "",
        "Generated by `.venv/bin/python scripts/mechanism_effects.py "
        f"--reps {args.reps}` (do not edit by hand). Each cell: the mean paired difference "
        f"over {args.reps} seeds (common random numbers), with its 95% interval; coverage, "
        "abandonment, admin share, planted share, online share and the reporting gap in "
        "percentage points; petitions per 10,000 residents a year. Whole-run values after the "
        "warm-up, `docs/odd.md` §7.18 and §7.32.",
        "",
        "## Each scenario's policies against the same county without them",
        "",
        "| scenario | " + " | ".join(METRICS) + " |",
        "|---|" + "---:|" * len(METRICS),
    ]
    for p in paths:
        cells = [_cell(m, np.array([done[(p.stem, r)][0][m] for r in range(args.reps)]),
                       np.array([done[(p.stem, r)][1][m] for r in range(args.reps)])) for m in METRICS]
        lines.append(f"| {p.stem} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## Behavioural mechanisms: with the switch minus without it",
        "",
        "| mechanism (scenario: with vs without) | " + " | ".join(SWITCH_METRICS) + " | own metric |",
        "|---|" + "---:|" * (len(SWITCH_METRICS) + 1),
    ]
    for i, (label, (name_a, set_a), (name_b, set_b), own) in enumerate(SWITCHES):
        cells = [_cell(m, np.array([switched[(i, r)][0][m] for r in range(args.reps)]),
                       np.array([switched[(i, r)][1][m] for r in range(args.reps)]))
                 for m in (*SWITCH_METRICS, own)]
        versus = f"{name_a} {' '.join(set_a) or '(as is)'} vs {name_b} {' '.join(set_b) or '(as is)'}"
        lines.append(f"| {label} (`{versus}`) | " + " | ".join(cells[:-1]) + f" | {own}: {cells[-1]} |")
    text = "\n".join(lines) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
