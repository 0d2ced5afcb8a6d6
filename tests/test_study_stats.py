"""Statistics against known answers: interval coverage, Sobol' indices, calibration recovery."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import govsim
from govsim.study import load_spec, stats
from govsim.study.design import replication_seed, salib_sample
from govsim.study.sensitivity import analyse
from govsim.study.spec import ExperimentSpec, Factor

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
