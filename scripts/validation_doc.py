"""Write docs/validation.md (TRACE structure) from a run of ``govsim check``.

    .venv/bin/python scripts/validation_doc.py                # runs the check, writes the doc
    .venv/bin/python scripts/validation_doc.py --workers 1 --out -

The document's tables and counts come from :func:`govsim.validation.check`
(10 replications, each scenario's own length) and from the parameter
declarations, never typed by hand. Its first lines hold a fingerprint of the
patterns file and of the model's checked-in result digests
(``tests/fixtures/result_digests.json``, which change whenever the model's
behaviour does); ``tests/test_validation.py`` fails when either has changed
since the document was written, so its numbers cannot go stale unnoticed.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "validation.md"
DIGESTS = ROOT / "tests" / "fixtures" / "result_digests.json"

#: What each miss tells us, shown only while the pattern is missed (the check decides).
MISS_NOTES = {
    "trust_gap_centre_township_size": (
        "The model orders the levels as the surveys do, but its gap is small (see the table) "
        "where surveys find tens of points. In the model trust in the centre moves only by "
        "credit and blame for services (`centre_credit`, `centre_blame`, §7.11); the surveys' gap "
        "also reflects media, propaganda and the centre's distance from daily friction, which the "
        "model leaves out. Calibrating `centre_credit` to this pattern would make it a calibration "
        "target, not a validation."),
    "reporting_gap_size": (
        "The model's reporting gap is a point or two of attainment at most (see the table), "
        "against a fifth in Liaoning's fiscal revenue. The model's officials pad only the share "
        "of a target their effort falls short of, and audits deter them (§7.14); Liaoning's inflation was "
        "province-wide and sustained, closer to collusion across levels, which the model does not "
        "have (each level decides alone)."),
    "paperwork_takes_half": (
        "In the baseline well under half of staff hours go to admin (see the table), against "
        "reports of over half of cadres' effort before Nanjing's reform. The baseline's admin "
        "load was set to keep staff at 70-90% of their contract hours (docs/odd.md, 'What is "
        "assumed'), not from a time-use survey; no national time-use figure was found. The "
        "burden scenarios reach higher shares."),
    "reports_run_ahead_of_truth": (
        "The mean gap is positive but its interval reaches zero: with audits as set, padding is "
        "small and rare in the model (see `reporting_gap_size`)."),
    "audits_narrow_the_gap": (
        "The direction is right but the interval reaches zero, because the gap audits could close "
        "is small to begin with (see `reporting_gap_size`)."),
}


def fingerprint(patterns: Path) -> str:
    """Short hashes of the patterns file and of the model's result digests."""
    def short(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]

    return f"patterns {short(patterns)}, model digests {short(DIGESTS)}"


def source_counts() -> Counter:
    """Parameter defaults by the kind of their source: assumption, seed document, or published."""
    from govsim.scenario import describe_params

    kinds: Counter = Counter()
    for row in describe_params():
        if row.get("default") is None or isinstance(row.get("default"), (str, bool)):
            continue
        source = str(row.get("source") or "").strip().lower()
        if source.startswith("assumption") or not source:
            kinds["assumption"] += 1
        elif source.startswith("a scenario choice"):
            kinds["scenario choice"] += 1
        elif "assum" in source:
            kinds["form from a source, number assumed"] += 1
        elif source.startswith(("s0", "s1", "s2", "s3")):
            kinds["seed documents"] += 1
        else:
            kinds["data or literature"] += 1
    return kinds


def pattern_table(result, kind: str) -> list[str]:
    rows = ["| pattern | source | observed | test | model [95% interval] | verdict |",
            "|---|---|---|---|---|---|"]
    for o in result.outcomes:
        p = o.pattern
        if p.kind != kind:
            continue
        model = _num(o.mean) if o.low != o.low else f"{_num(o.mean)} [{_num(o.low)}, {_num(o.high)}]"
        rows.append(f"| `{p.id}`: {p.statement} ({p.measure_text()}; `{p.run}`) | "
                    f"{' '.join(p.source['citation'].split())} ({p.source['strength']}) | {p.observed} | "
                    f"{p.test_text()} | {model} | **{o.verdict}** |")
    return rows


def _num(x: float) -> str:
    return f"{x:.4g}"


def document(result, patterns: Path) -> str:
    counts = result.counts("validation")
    calibration = result.counts("calibration_target")
    kinds = source_counts()
    misses = [o for o in result.outcomes if o.verdict != "pass"]
    lines = [
        "# Validation of govsim (TRACE)",
        "",
        f"Generated by `.venv/bin/python scripts/validation_doc.py` (do not edit by hand) from "
        f"`govsim check` with {result.reps} replications per configuration on seeds {result.seed}"
        f"–{result.seed + result.reps - 1}, each scenario's own length. "
        f"Fingerprint: {fingerprint(patterns)}.",
        "",
        "The structure follows TRACE (Grimm et al. 2014, *Ecological Modelling* 280: 129–139): "
        "problem formulation, model description, data evaluation, conceptual model evaluation, "
        "implementation verification, model output verification, model analysis, and model output "
        "corroboration.",
        "",
        "## 1 Problem formulation",
        "",
        "govsim asks how policies handed down through county, township and community change "
        "service coverage, residents' trust in each level, and staff workload in Chinese urban "
        "communities and villages (docs/odd.md §1). Its users compare interventions against a "
        "baseline, so what must be credible is the *direction and rough size* of effects, and the "
        "patterns below are chosen to test those.",
        "",
        "## 2 Model description",
        "",
        "The model is described in the ODD protocol, `docs/odd.md`, with every mechanism's equations "
        "and the source of each default number.",
        "",
        "## 3 Data evaluation",
        "",
        "Where the model's numeric defaults come from (`govsim params`, counted by "
        "`scripts/validation_doc.py`):",
        "",
        "| kind of source | defaults |",
        "|---|---:|",
        *[f"| {k} | {v} |" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])],
        f"| total | {sum(kinds.values())} |",
        "",
        "Assumptions are named as such in `docs/odd.md`'s parameter table; they are what calibration "
        "has to pin down.",
        "",
        "## 4 Conceptual model evaluation",
        "",
        "Each mechanism's form is taken from the literature cited in its ODD section: blame "
        "attribution and hierarchical trust (§7.11), petitions and stability maintenance (§7.33), "
        "strategic reporting under audits (§7.14), the rigidity of mandates (§7.15), the digital "
        "divide and proxy help (§7.19). The patterns of section 8 test their joint consequences.",
        "",
        "## 5 Implementation verification",
        "",
        "The test suite (`.venv/bin/python -m pytest`) checks invariants (people, money, hours and "
        "cases are neither created nor lost; every reported case figure is recomputed from the case "
        "ledger), exact reproducibility (serial and parallel runs give identical tables; checked-in "
        "result digests), the direction of every mechanism, and a per-agent reference "
        "implementation against the vectorised one.",
        "",
        "## 6 Model output verification: calibration targets",
        "",
        "These patterns were used to choose a default; passing them shows only that the calibration "
        "still holds, not that the model is valid.",
        "",
        *pattern_table(result, "calibration_target"),
        "",
        f"Calibration targets: {calibration['pass']} pass, {calibration['miss']} missed, "
        f"{calibration['unclear']} unclear.",
        "",
        "## 7 Model analysis",
        "",
        "Sensitivity: `govsim sensitivity experiments/staff_workload_sobol.yaml` (Sobol' indices of "
        "workload, admin share, overtime, burnout and coverage). Mechanism effects with paired "
        "intervals: `docs/mechanism_effects.md` (`scripts/mechanism_effects.py`).",
        "",
        "## 8 Model output corroboration: validation patterns",
        "",
        "No default was set from these patterns. Verdicts: *pass* when the interval lies on the "
        "right side of a one-sided test or the mean lies in a range; *miss* when it lies on the "
        "wrong side or outside the range; *unclear* when the interval straddles the bound.",
        "",
        *pattern_table(result, "validation"),
        "",
        f"**{counts['pass']} of {sum(counts.values())} validation patterns pass, {counts['miss']} are "
        f"missed and {counts['unclear']} unclear.** Sources: "
        f"{len({o.pattern.short_source for o in result.outcomes if o.pattern.kind == 'validation'})} "
        "distinct sources.",
        "",
        "### What the misses say",
        "",
    ]
    for o in misses:
        note = MISS_NOTES.get(o.pattern.id, "No explanation has been written for this miss yet.")
        lines += [f"- **`{o.pattern.id}`** ({o.verdict}; model {_num(o.mean)}, test "
                  f"{o.pattern.test_text()}): {note}", ""]
    if not misses:
        lines += ["Every pattern passes.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=10, help="replications (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--out", default=str(OUT), help="file to write, or - for standard output")
    args = parser.parse_args(argv)
    from govsim.validation import DEFAULT_PATTERNS, check, load_patterns

    result = check(load_patterns(DEFAULT_PATTERNS), reps=args.reps, workers=args.workers)
    text = document(result, DEFAULT_PATTERNS)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.out}: {result.status()}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
