"""ABC-SMC calibration (govsim calibrate --method abc): recovery of a known parameter, budget
stops said plainly, spec and command-line checks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import govsim
from govsim.cli import main
from govsim.scenario import ScenarioError
from govsim.study import load_spec
from govsim.study.design import replication_seed
from govsim.study.spec import Target

pytest.importorskip("pyabc")

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
#: A small county for half a season: about a tenth of a second a run.
SMALL = {"population.residents": 2000, "hierarchy.communities_per_township": 1}
STEPS = 13


def _spec(tmp_path: Path, target: float, abc: str, extra: str = "") -> Path:
    path = tmp_path / "abc.yaml"
    path.write_text(f"base: {BASELINE}\nset:\n" + "".join(f"  {k}: {v}\n" for k, v in SMALL.items())
                    + f"steps: {STEPS}\n"
                    + "factors:\n  staff.contract_hours: {range: [30, 50]}\n"
                    + f"targets:\n  - {{metric: workload, value: {target}}}\n"
                    + f"replications: 1\nseed: 11\noptimizer: {{method: abc}}\nabc: {abc}\n{extra}")
    return path


def _workload(contract_hours: float, seeds: list[int]) -> float:
    """The model's own whole-run workload at these contract hours: the synthetic observation."""
    overrides = [*(f"{k}={v}" for k, v in SMALL.items()), f"steps={STEPS}",
                 f"staff.contract_hours={contract_hours}"]
    truth = govsim.load_scenario(BASELINE, overrides)
    return float(np.mean([govsim.simulate(truth, s).summary.query(
        "metric == 'workload' and scope == 'overall'")["value"].iloc[0] for s in seeds]))


def test_abc_recovers_a_known_parameter_in_its_credible_interval(tmp_path: Path) -> None:
    from govsim.study.abc import calibrate_abc

    true_hours = 36.0
    target = _workload(true_hours, [replication_seed(99, r) for r in range(3)])
    budget = "{population_size: 20, max_generations: 3, max_simulations: 600}"
    spec = load_spec(_spec(tmp_path, target, budget))
    result = calibrate_abc(spec, out=tmp_path / "out")

    row = result.summary.set_index("parameter").loc["staff.contract_hours"]
    assert row.ci90_low <= true_hours <= row.ci90_high, row.to_dict()
    # The targets inform the parameter: the interval is well inside the prior [30, 50], and the
    # data pull the posterior towards the truth, away from the prior mean of 40 (sd 5.8).
    assert row.ci90_share_of_prior < 0.75, row.to_dict()
    assert row.ci95_low <= row.ci90_low <= row["median"] <= row.ci90_high <= row.ci95_high
    assert abs(row["mean"] - true_hours) < 3

    posterior = pd.read_csv(tmp_path / "out" / "posterior.csv")
    assert len(posterior) == 20 and posterior["weight"].sum() == pytest.approx(1.0)
    assert posterior["staff.contract_hours"].between(30, 50).all()
    generations = pd.read_csv(tmp_path / "out" / "generations.csv")
    assert list(generations["generation"]) == [0, 1, 2]
    assert generations["epsilon"].is_monotonic_decreasing
    assert (generations["acceptance_rate"] <= 1).all() and (generations["ess"] <= 20 + 1e-9).all()
    assert generations["cumulative_simulations"].iloc[-1] == result.simulations
    document = json.loads((tmp_path / "out" / "abc.json").read_text())
    assert document["stop"]["reason"] in ("epsilon", "generations")
    assert document["posterior"][0]["parameter"] == "staff.contract_hours"
    assert (tmp_path / "out" / "posterior.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "out" / "abc.db").stat().st_size > 0


def test_a_budget_stop_is_reported_in_the_json(tmp_path: Path, capsys) -> None:
    spec = _spec(tmp_path, 5.0, "{population_size: 8, max_generations: 5}")
    assert main(["calibrate", str(spec), "--out", str(tmp_path / "out"), "--json", "--workers", "1",
                 "--max-simulations", "10", "--min-epsilon", "0.001"]) == 0
    document = json.loads(capsys.readouterr().out)
    stop = document["stop"]
    assert stop["reason"] == "simulations" and stop["budget"] is True
    assert "simulation budget" in stop["message"] and "wider than it would be" in stop["message"]
    assert document["generations"] == 1 and document["simulations"] >= 10
    assert document["minimum_epsilon"] == 0.001 and document["final_epsilon"] > 0.001
    # The text says the same, first.
    assert main(["calibrate", str(spec), "--out", str(tmp_path / "out2"), "--workers", "1",
                 "--max-generations", "1", "--min-epsilon", "0.001"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("WARNING: stopped after 1 generations (max_generations)")
    assert "90% CI" in text and "ESS" in text


def test_abc_options_need_the_abc_method(tmp_path: Path, capsys) -> None:
    spec = _spec(tmp_path, 5.0, "{population_size: 8}").read_text().replace("optimizer: {method: abc}\n", "")
    (tmp_path / "smm.yaml").write_text(spec)
    assert main(["calibrate", str(tmp_path / "smm.yaml"), "--population", "10"]) == 2
    assert "--population: ABC-SMC options; add --method abc" in capsys.readouterr().err


def test_abc_spec_keys_are_checked(tmp_path: Path) -> None:
    path = _spec(tmp_path, 5.0, "{population_size: 2, max_generations: 3, populaton: 4}")
    text = path.read_text().replace("{range: [30, 50]}", "{range: [0, 50], prior: logunifrom}")
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_spec(path)
    message = str(err.value)
    assert "abc.population_size" in message and "populaton" in message and "population_size" in message
    assert "logunifrom" in message and "loguniform" in message
    path.write_text(text.replace("logunifrom", "loguniform").replace(", populaton: 4", "")
                    .replace("population_size: 2", "population_size: 20"))
    with pytest.raises(ScenarioError, match="a loguniform prior needs a range above 0"):
        load_spec(path)


def test_distance_and_default_epsilon_follow_the_targets_scales() -> None:
    from govsim.study.abc import ScaledDistance, default_minimum_epsilon, particle_seeds

    targets = [Target("workload", 4.0), Target("coverage", 0.5, scale=0.1, weight=4.0)]
    distance = ScaledDistance(targets)
    observed = {"workload": 4.0, "coverage": 0.5}
    assert distance(observed, observed) == 0
    # 10% off the workload (scale 4) and 0.05 off coverage (scale 0.1, weight 4): sqrt(0.01 + 4 * 0.25).
    assert distance({"workload": 4.4, "coverage": 0.55}, observed) == pytest.approx(np.sqrt(1.01))
    assert distance({"workload": float("nan"), "coverage": 0.5}, observed) == np.inf
    # Every target off by its tolerance (5% of the value, by default).
    assert default_minimum_epsilon(targets) == pytest.approx(np.sqrt(0.05**2 + 4 * (0.025 / 0.1) ** 2))
    # A particle's seeds depend on the calibration seed and its values only.
    assert particle_seeds(1, {"a": 0.5}, 2) == particle_seeds(1, {"a": 0.5}, 2)
    assert particle_seeds(1, {"a": 0.5}, 2) != particle_seeds(1, {"a": 0.50001}, 2)
    assert particle_seeds(1, {"a": 0.5}, 2) != particle_seeds(2, {"a": 0.5}, 2)


def test_the_command_line_knows_the_specs_methods() -> None:
    from govsim.study.cli import METHODS
    from govsim.study.specschema import METHODS as SPEC_METHODS

    assert METHODS == SPEC_METHODS


def test_a_prior_can_be_the_parameters_plausible_range_with_its_source(tmp_path: Path, capsys) -> None:
    """``range: plausible``: the prior is the declared plausible range, and the output says whence."""
    path = _spec(tmp_path, 5.0, "{population_size: 5, max_generations: 1}")
    path.write_text(path.read_text().replace("staff.contract_hours: {range: [30, 50]}",
                                             "staff.per_10k_urban: {range: plausible}"))
    factor = load_spec(path).factors[0]
    assert (factor.low, factor.high) == (9.0, 60.0)
    assert factor.range_source.startswith("MCA 2020")
    assert main(["calibrate", str(path), "--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    assert "prior of staff.per_10k_urban: its plausible range, from MCA 2020" in capsys.readouterr().out
    summary = pd.read_csv(tmp_path / "out" / "posterior_summary.csv")
    assert summary["prior_source"].iloc[0].startswith("MCA 2020")
    # A parameter without a declared plausible range says so and lists those that have one.
    path.write_text(path.read_text().replace("staff.per_10k_urban", "staff.contract_hours"))
    with pytest.raises(ScenarioError, match=r"staff\.contract_hours has no declared plausible range") as err:
        load_spec(path)
    assert "staff.per_10k_urban" in str(err.value)
