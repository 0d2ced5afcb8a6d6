"""Statistics against known answers: interval coverage, Sobol' indices and their convergence flags,
calibration recovery."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import govsim
from govsim.study import load_spec, stats
from govsim.study.design import replication_seed, salib_sample
from govsim.study.sensitivity import TARGET, Sensitivity, analyse, with_flags
from govsim.study.spec import ExperimentSpec, Factor
from govsim.study.sweep import SweepSummary
from govsim.study.text import sensitivity_text

ROOT = Path(__file__).resolve().parent.parent


def test_paired_intervals_cover_a_known_difference_at_the_nominal_rate() -> None:
    # Toy model with common random numbers: each replication's shared noise is the same in
    # both arms (as the model's streams make it), the arm adds a known shift plus its own noise.
    rng = np.random.default_rng(2024)
    true_shift, experiments, reps = 0.5, 2000, 8
    covered = 0
    for _ in range(experiments):
        shared = rng.normal(10.0, 3.0, reps)
        baseline = shared + rng.normal(0.0, 0.4, reps)
        arm = shared + true_shift + rng.normal(0.0, 0.4, reps)
        effect = stats.paired_effect(baseline, arm)
        covered += effect["ci_low"] <= true_shift <= effect["ci_high"]
    rate = covered / experiments
    tolerance = 4 * np.sqrt(0.95 * 0.05 / experiments)  # four binomial standard errors
    assert abs(rate - 0.95) < tolerance, rate


def test_pairing_is_what_makes_intervals_narrow() -> None:
    rng = np.random.default_rng(1)
    shared = rng.normal(10.0, 3.0, 10)
    effect = stats.paired_effect(shared, shared + 0.5 + rng.normal(0, 0.1, 10))
    assert effect["ci_high"] - effect["ci_low"] < 0.3  # an unpaired interval would be ~5 wide
    assert effect["n"] == 10 and effect["difference"] == pytest.approx(0.5, abs=0.1)


def test_effect_table_pairs_by_replication_and_reads_directions() -> None:
    rows = []
    for rep in range(5):
        for arm, shift in (("base", 0.0), ("better", 0.05), ("worse", -0.05)):
            noise = 0.01 * rep
            rows.append({"label": arm, "replication": rep, "metric": "coverage", "scope": "overall",
                         "key": "all", "value": 0.8 + noise + shift})
            rows.append({"label": arm, "replication": rep, "metric": "abandoned", "scope": "overall",
                         "key": "all", "value": 100.0 + rep})
    rows = [r for r in rows if not (r["label"] == "worse" and r["replication"] == 4)]  # a failed run
    table = stats.effects(pd.DataFrame(rows), "base", metrics=["coverage", "abandoned"])
    got = table.set_index(["metric", "arm"])
    assert got.loc[("coverage", "better"), "difference"] == pytest.approx(0.05)
    assert got.loc[("coverage", "better"), "verdict"] == "better"
    assert got.loc[("coverage", "worse"), "verdict"] == "worse"
    assert got.loc[("coverage", "worse"), "n"] == 4  # unpaired replication dropped
    assert got.loc[("abandoned", "better"), "difference"] == 0  # the same in every pair
    assert got.loc[("abandoned", "better"), "verdict"] == "no clear difference"
    assert list(table["metric"]) == ["coverage", "coverage", "abandoned", "abandoned"]


def test_replications_for_a_target_width() -> None:
    assert stats.replications_for(0.2, 10, 0.1) == 44  # width halves with four times the runs (+10%)
    assert stats.replications_for(float("nan"), 3, 0.1) == 5


def ishigami_spec(design: str, samples: int) -> ExperimentSpec:
    factors = tuple(Factor(f"x{i}", low=-np.pi, high=np.pi) for i in (1, 2, 3))
    return ExperimentSpec(name="ishigami", base=govsim.load_scenario(None), factors=factors, design=design,
                          samples=samples, seed=7)


def test_sobol_indices_match_the_ishigami_function() -> None:
    from SALib.test_functions import Ishigami

    spec = ishigami_spec("sobol", 1024)
    sample = salib_sample(spec)
    table = analyse(spec, sample, Ishigami.evaluate(sample)).set_index(["factor", "index"])
    # Analytic indices for a = 7, b = 0.1 (Ishigami & Homma 1990; Saltelli et al. 2008).
    expected = {("x1", "S1"): 0.3139, ("x2", "S1"): 0.4424, ("x3", "S1"): 0.0,
                ("x1", "ST"): 0.5576, ("x2", "ST"): 0.4424, ("x3", "ST"): 0.2437}
    for key, value in expected.items():
        assert table.loc[key, "value"] == pytest.approx(value, abs=0.06), key
        assert table.loc[key, "conf"] < 0.1


def test_morris_ranks_the_ishigami_inputs() -> None:
    from SALib.test_functions import Ishigami

    spec = ishigami_spec("morris", 40)
    sample = salib_sample(spec)
    table = analyse(spec, sample, Ishigami.evaluate(sample)).set_index(["factor", "index"])
    mu_star = {f: table.loc[(f, "mu_star"), "value"] for f in ("x1", "x2", "x3")}
    assert all(v > 1.0 for v in mu_star.values())  # all three matter (x3 through its interaction)
    assert table.loc[("x3", "sigma"), "value"] > table.loc[("x2", "sigma"), "value"] * 0.5


def test_constant_output_has_zero_indices() -> None:
    spec = ishigami_spec("sobol", 8)
    sample = salib_sample(spec)
    table = analyse(spec, sample, np.ones(len(sample)))
    assert (table["value"] == 0).all()


def test_constant_output_raises_no_flags() -> None:
    spec = ishigami_spec("sobol", 8)
    table = analyse(spec, salib_sample(spec), np.ones(8 * 5))
    assert (table["flag"] == "").all() and table["suggested_n"].isna().all()


def power_of_two_at_least(n: float) -> int:
    return int(2 ** np.ceil(np.log2(n)))


def test_a_linear_model_with_a_large_sample_raises_no_flags() -> None:
    # y = x1 + 2 x2 + 3 x3 with equal input ranges: S1 = ST = a_i^2 / 14, all in [0, 1].
    spec = ishigami_spec("sobol", 1024)
    sample = salib_sample(spec)
    table = analyse(spec, sample, sample @ np.array([1.0, 2.0, 3.0]), metric="linear")
    got = table.set_index(["factor", "index"])["value"]
    for factor, share in (("x1", 1 / 14), ("x2", 4 / 14), ("x3", 9 / 14)):
        assert got[(factor, "S1")] == pytest.approx(share, abs=0.02)
        assert got[(factor, "ST")] == pytest.approx(share, abs=0.02)
    assert list(table.columns) == ["metric", "factor", "index", "value", "conf", "flag", "suggested_n"]
    assert (table["flag"] == "").all() and table["suggested_n"].isna().all()
    assert (table["conf"] > 0).all()  # the intervals are kept


def test_noise_on_a_small_sample_is_flagged_wide_with_a_suggested_n() -> None:
    spec = ishigami_spec("sobol", 16)
    sample = salib_sample(spec)
    table = analyse(spec, sample, np.random.default_rng(3).normal(size=len(sample)), metric="noise")
    assert table["flag"].str.contains("wide").all()
    # Half-widths shrink like 1/sqrt(N): N (widest / TARGET)^2, up to a power of two.
    expected = power_of_two_at_least(16 * (table["conf"].max() / TARGET) ** 2)
    assert (table["suggested_n"] == expected).all() and expected > 16
    assert int(np.log2(expected)) == np.log2(expected)


def two_factor_spec() -> ExperimentSpec:
    factors = (Factor("a", low=0.0, high=1.0), Factor("b", low=0.0, high=1.0))
    return ExperimentSpec(name="constructed", base=govsim.load_scenario(None), factors=factors,
                          design="sobol", samples=16, seed=7)


def test_constructed_outputs_flag_out_of_range_and_total_below_first_order() -> None:
    # Saltelli rows come in blocks (A, AB_a, AB_b, B). Identical blocks give zero bootstrap
    # half-widths, so each impossible estimate lies beyond its interval.
    spec = two_factor_spec()
    sample = salib_sample(spec)
    total_below = analyse(spec, sample, np.tile([0.0, 1.0, 1.0, 2.0], 16)).set_index(["factor", "index"])
    assert total_below.loc[("a", "S1"), "value"] == pytest.approx(1.0)
    assert total_below.loc[("a", "ST"), "value"] == pytest.approx(0.5)
    assert total_below.loc[("a", "ST"), "flag"] == "ST < S1" and total_below.loc[("a", "S1"), "flag"] == ""
    # The error is at least the gap (0.5): 16 (0.5 / 0.05)^2 = 1600, up to 2048.
    assert total_below.loc[("a", "ST"), "suggested_n"] == 2048
    outside = analyse(spec, sample, np.tile([0.0, 1.0, 1.0, 1.0], 16)).set_index(["factor", "index"])
    assert outside.loc[("b", "ST"), "value"] == pytest.approx(2.0)
    assert outside.loc[("b", "ST"), "flag"] == "outside [0, 1]"
    assert outside.loc[("b", "ST"), "suggested_n"] == 8192  # excess 1: 16 * 400 = 6400, up to 8192


def sobol_table(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame([("y", f, i, v, c) for f, i, v, c in rows],
                        columns=["metric", "factor", "index", "value", "conf"])


def test_an_index_outside_the_unit_interval_only_counts_beyond_its_half_width() -> None:
    table = with_flags(sobol_table([("a", "S1", -0.08, 0.09), ("a", "ST", 1.05, 0.09),
                                    ("b", "S1", -0.08, 0.05), ("b", "ST", 1.08, 0.05),
                                    ("c", "S1", 0.5, 0.02), ("c", "ST", 0.47, 0.02)]), "sobol", 64)
    assert list(table["flag"]) == ["", "", "outside [0, 1]", "outside [0, 1]", "", ""]
    # ST 0.06 below S1 is beyond the two half-widths together (0.04); 0.03 (above) is not.
    gap = with_flags(sobol_table([("c", "S1", 0.5, 0.02), ("c", "ST", 0.44, 0.02)]), "sobol", 64)
    assert list(gap["flag"]) == ["", "ST < S1"]
    assert pd.isna(gap["suggested_n"][0]) and gap["suggested_n"][1] == 128  # at least 2N, a power of two


def test_morris_flags_mu_star_whose_interval_is_wider_than_itself() -> None:
    spec = ishigami_spec("morris", 4)
    sample = salib_sample(spec)
    clean = analyse(spec, sample, sample @ np.array([1.0, 2.0, 3.0]))
    assert (clean["flag"] == "").all()  # exact elementary effects: zero-width intervals
    noisy_y = sample @ np.array([0.0, 0.0, 3.0]) + np.random.default_rng(5).normal(0, 1.0, len(sample))
    noisy = analyse(spec, sample, noisy_y).set_index(["factor", "index"])
    mu = noisy.xs("mu_star", level="index")
    unresolved = mu[mu["flag"] == "unresolved"]
    assert set(unresolved.index) == set(mu.index[2 * mu["conf"] > mu["value"]]) and len(unresolved)
    assert "x3" not in unresolved.index  # the one real effect is resolved
    assert (noisy.xs("sigma", level="index")["flag"] == "").all()
    # Width shrinks like 1/sqrt(N): N (2c / mu*)^2 trajectories make it as wide as mu* (at least 2N).
    need = max(8, int(np.ceil(4 * np.max((2 * unresolved["conf"] / unresolved["value"]) ** 2))))
    assert (unresolved["suggested_n"] == need).all()


def sensitivity_of(spec: ExperimentSpec, table: pd.DataFrame, runs: int) -> Sensitivity:
    out = Path("out")
    return Sensitivity(out, spec.design, table, out / "sensitivity.png", SweepSummary(out, runs),
                       samples=spec.samples, replications=1, runs=runs)


def test_the_text_warns_with_the_flags_and_suggested_size_only_when_flagged() -> None:
    spec = ishigami_spec("sobol", 16)
    sample = salib_sample(spec)
    noisy = sensitivity_of(spec, analyse(spec, sample, np.random.default_rng(3).normal(size=len(sample))),
                           len(sample))
    text = sensitivity_text(noisy)
    assert "N = 16 base samples (Saltelli: 80 design points) × 1 replication = 80 runs used" in text
    warning = text[text.index("WARNING"):]
    assert "6 indices not converged" in warning and "x1 S1 (wide)" in warning.replace("\n", " ")
    assert f"{noisy.suggested['y']} for y" in warning
    spec = ishigami_spec("sobol", 1024)
    sample = salib_sample(spec)
    clean = sensitivity_of(spec, analyse(spec, sample, sample @ np.array([1.0, 2.0, 3.0])), len(sample))
    assert clean.flagged.empty and clean.suggested == {} and "WARNING" not in sensitivity_text(clean)


def test_calibration_recovers_a_known_parameter(tmp_path: Path) -> None:
    from govsim.study.calibrate import calibrate

    # The target is the model's own output at contract_hours = 36; start from 44.
    overrides = ["population.residents=2000", "hierarchy.communities_per_township=1", "steps=8"]
    truth = govsim.load_scenario(ROOT / "scenarios" / "baseline.yaml",
                                 [*overrides, "staff.contract_hours=36"])

    seeds = [replication_seed(3, r) for r in range(2)]
    target = float(np.mean([govsim.simulate(truth, s).summary.query(
        "metric == 'workload' and scope == 'overall'")["value"].iloc[0] for s in seeds]))
    spec_path = tmp_path / "cal.yaml"
    spec_path.write_text(
        f"base: {ROOT / 'scenarios' / 'baseline.yaml'}\nset:\n"
        + "".join(f"  {o.replace('=', ': ')}\n" for o in overrides)
        + "factors:\n  staff.contract_hours: {range: [30, 50], start: 44}\n"
        + f"targets:\n  - {{metric: workload, value: {target}, tolerance: 0.01}}\n"
        + "replications: 2\nseed: 3\noptimizer: {method: nelder-mead, max_evaluations: 25}\n")
    result = calibrate(load_spec(spec_path), out=tmp_path / "out")
    assert result.parameters["staff.contract_hours"] == pytest.approx(36, abs=1.0)
    assert result.met == 1 and result.targets["met"].all()
    calibrated = govsim.load_scenario(result.scenario)
    assert calibrated.get("staff.contract_hours") == pytest.approx(result.parameters["staff.contract_hours"])
    assert calibrated.get("population.residents") == 2000
    text = result.scenario.read_text()
    assert "extends:" in text and "Targets met: 1 of 1" in text
    log = pd.read_csv(tmp_path / "out" / "calibration.csv")
    assert len(log) == result.evaluations <= 25
    # Fixed seeds make the objective deterministic: a resumed calibration replays from the store.
    again = calibrate(load_spec(spec_path), out=tmp_path / "out", resume=True)
    assert again.parameters == result.parameters and again.objective == result.objective
