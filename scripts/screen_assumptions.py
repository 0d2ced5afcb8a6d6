"""Which numbers matter? A Morris screen of every uncertain number of the baseline county.

    .venv/bin/python scripts/screen_assumptions.py                 # writes docs/screening.md
    .venv/bin/python scripts/screen_assumptions.py --trajectories 4 --workers 2 --out -

Every numeric parameter of ``scenarios/baseline.yaml`` that is not a scenario
``choice`` (``govsim params``: its evidence is data, literature, calibrated or
an assumption) and whose value is not 0 becomes a factor, varied over its
plausible range where one is declared, else over half to one and a half times
its value (clipped to its hard range; whole numbers keep at least two values).
A Morris design (SALib, through ``govsim.study``) with
``--trajectories`` trajectories runs a smaller baseline county and gives each
factor's mu*, the mean absolute elementary effect, on the headline metrics.
To rank across metrics, each mu* is divided by the largest mu* of its metric
(1 = the most influential parameter for that metric); a parameter's rank is its
largest such share over the metrics.

The ranking, with each number's evidence beside it, tells which assumptions a
source or a calibration should pin first: a parameter near the top moves a
headline result as much as the top one over its range. Sourced numbers stay in
the screen, since a source narrows a number but does not fix it; a value the
baseline sets itself (its layout) is marked, as its evidence is the scenario's.
It is a screen, not a variance decomposition: the ±50% ranges
are themselves an assumption, Morris's mu* are bootstrap estimates (their
intervals are in the results' ``sensitivity.csv``), and the parameters of
policies absent from the baseline are not screened (they matter only in their
scenarios). Zero defaults (needs a group does not have) are left out, and so
are the shares that must not exceed 1 in sum (which level a need goes to; how
many organisations are active or barely active): varied alone they would make
impossible scenarios. The budget year's length is a definition (the calendar
year, Budget Law art. 18), not an uncertain number, and is left out too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

METRICS = ("coverage", "trust", "workload", "admin_share", "abandoned_share")
SIZE = ["population.residents=6000"]
#: Numbers that are definitions, not estimates: the budget year is the calendar year by law.
NOT_UNCERTAIN = ("budget.weeks_per_year",)


def factors(scenario) -> tuple[list, pd.DataFrame]:
    """The Morris factors: every non-zero number of ``scenario`` that is not a choice, with its range."""
    import yaml

    from govsim.scenario.loader import default_declarations
    from govsim.study.specschema import Factor

    written = yaml.safe_load((ROOT / "scenarios" / "baseline.yaml").read_text(encoding="utf-8"))
    declared = default_declarations()
    out, rows = [], []
    for path, param in [*((p.name, p) for p in declared.top_level), *declared.model.walk()]:
        if param.evidence == "choice" or param.kind not in ("int", "float"):
            continue
        try:
            default = scenario.get(path)
        except KeyError:
            continue  # a parameter the scenario does not have
        if not default or _tied(path) or path in NOT_UNCERTAIN:
            continue
        low, high, how = _range(param, float(default))
        integer = param.kind == "int"
        if integer:
            low, high = int(np.floor(low)), int(np.ceil(high))
            if high <= low:
                high = low + 1
        out.append(Factor(path, low=low, high=high, integer=integer))
        rows.append({"parameter": path, "default": default, "low": low, "high": high, "range": how,
                     "evidence": param.evidence, "set_by_baseline": _sets(written, path),
                     "unit": param.unit, "source": param.source or ""})
    return out, pd.DataFrame(rows)


def _sets(document: dict, path: str) -> bool:
    """Whether the scenario file's ``document`` itself sets ``path`` (rather than take the default)."""
    node = document
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _tied(path: str) -> bool:
    """Shares that a cross-field check ties together (they must not exceed 1 in sum): not varied alone."""
    last = path.rsplit(".", 1)[-1]
    tied = last in ("share_grid", "share_community", "share_township")
    return tied or path.startswith("organisations.share_")


def _range(param, default: float) -> tuple[float, float, str]:
    """The plausible range where declared, else half to one and a half times the value, within the
    hard range."""
    if param.plausible is not None:
        low, high = param.plausible
        return float(low), float(high), "plausible"
    low, high = sorted((0.5 * default, 1.5 * default))
    if param.low is not None:
        low = max(low, float(param.low))
    if param.high is not None:
        high = min(high, float(param.high))
    return low, high, "±50%"


def screen(trajectories: int, workers: int, seed: int, out: Path) -> tuple[pd.DataFrame, dict]:
    """Run the screen; the ranking table and what was run."""
    import govsim
    from govsim.study.sensitivity import run_sensitivity
    from govsim.study.specschema import ExperimentSpec

    base = govsim.load_scenario(ROOT / "scenarios" / "baseline.yaml", SIZE)
    chosen, table = factors(base)
    spec = ExperimentSpec(name="screen_assumptions", base=base, factors=tuple(chosen), design="morris",
                          samples=trajectories, levels=4, replications=1, seed=seed, metrics=METRICS,
                          out=str(out))
    result = run_sensitivity(spec, out=out, resume=True, workers=workers)
    rows = result.table[result.table["index"] == "mu_star"]
    mu = rows.pivot(index="factor", columns="metric", values="value")
    conf = rows.pivot(index="factor", columns="metric", values="conf")
    share = mu / mu.max()
    table = table.set_index("parameter")
    table = table.join(share.add_prefix("share:")).join(conf.div(mu.max()).add_prefix("conf:"))
    table["influence"] = share.max(axis=1)
    table["on"] = share.idxmax(axis=1)
    table = table.sort_values("influence", ascending=False)
    info = {"factors": len(chosen), "runs": result.runs, "trajectories": result.samples,
            "residents": base.get("population.residents"), "weeks": base.steps, "seed": seed,
            "flagged": int((result.table["flag"] != "").sum()),
            "assumptions": int((table["evidence"] == "assumption").sum())}
    return table, info


def markdown(table: pd.DataFrame, info: dict, top: int, command: str) -> str:
    """docs/screening.md."""
    lines = [
        "# Which numbers matter: a Morris screen of the baseline county",
        "",
        f"Generated by `{command}` (`scripts/screen_assumptions.py`; its docstring gives the method). "
        "Do not edit by hand.",
        "",
        f"{info['factors']} numbers of `scenarios/baseline.yaml` (every numeric parameter that is not a "
        f"scenario choice and is not 0; {info['assumptions']} of them assumptions) were varied together in a "
        f"Morris design of {info['trajectories']} trajectories: {info['runs']} runs of a "
        f"{info['residents']:,}-resident county for {info['weeks']} weeks, seed {info['seed']}. Each factor "
        "ran over its plausible range where one is declared, else over half to one and a half times its "
        "value. `share` is the factor's mu* (mean absolute elementary effect) divided by the largest mu* "
        "of that metric, with its bootstrap 95% half-width; `influence` is the largest share over the "
        "metrics. `evidence` is where the value comes from (`govsim params`); \"the baseline's layout\" "
        "marks a value `scenarios/baseline.yaml` sets itself.",
        "",
        f"The top {top}:",
        "",
        "| rank | parameter | value | screened | influence | on | " + " | ".join(METRICS)
        + " | evidence | source |",
        "|---|---|---|---|---|---|" + "---|" * len(METRICS) + "---|---|",
    ]
    for rank, (path, row) in enumerate(table.head(top).iterrows(), start=1):
        shares = " | ".join(f"{row[f'share:{m}']:.2f} ± {row[f'conf:{m}']:.2f}" for m in METRICS)
        source = str(row["source"]).replace("|", "/")
        evidence = "the baseline's layout" if row["set_by_baseline"] else row["evidence"]
        lines.append(f"| {rank} | `{path}` | {_num(row['default'])} | [{_num(row['low'])}, "
                     f"{_num(row['high'])}] | {row['influence']:.2f} | {row['on']} | {shares} | {evidence} | "
                     f"{source} |")
    counts = [(t, int((table["influence"] >= t).sum())) for t in (0.5, 0.2, 0.1)]
    head = table.head(top)
    assumed = int(((head["evidence"] == "assumption") & ~head["set_by_baseline"]).sum())
    lines += ["", f"Of the top {top}, {assumed} are still assumptions: the first numbers a source or a "
              "calibration should pin down.", "", "How many numbers matter: "
              + "; ".join(f"{n} of {len(table)} reach a share of {t} on some metric" for t, n in counts)
              + f". {info['flagged']} mu* rows are flagged unresolved (interval wider than mu*) in the "
              "results' `sensitivity.csv`: their ranks are not settled; more trajectories would settle "
              "them.", ""]
    return "\n".join(lines)


def _num(x: float) -> str:
    return f"{x:g}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trajectories", type=int, default=10, help="Morris trajectories (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--seed", type=int, default=20241206, help="master seed")
    parser.add_argument("--top", type=int, default=25, help="rows of the table (default 25)")
    parser.add_argument("--results", type=Path, default=ROOT / "results" / "screen_assumptions",
                        help="results directory (resumable)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screening.md"), help="file, or - for stdout")
    args = parser.parse_args(argv)
    table, info = screen(args.trajectories, args.workers, args.seed, args.results)
    command = ".venv/bin/python scripts/screen_assumptions.py" + (
        f" --trajectories {args.trajectories}" if args.trajectories != 10 else "")
    text = markdown(table, info, args.top, command)
    table.to_csv(args.results / "ranking.csv")
    if args.out == "-":
        print(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out} ({info['runs']} runs); ranking: {args.results / 'ranking.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
