"""Experiment specs: validated as strictly as scenarios, with the same kind of error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govsim import ScenarioError, load_scenario
from govsim.cli import main
from govsim.study import load_spec
from govsim.study.design import factor_table, points, replication_seed

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
EXPERIMENTS = ROOT / "experiments"
TINY = """set:
  population.residents: 2000
  hierarchy.communities_per_township: 1
  steps: 6
"""


def write(tmp_path: Path, body: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(f"base: {SCENARIOS / 'target_inflation.yaml'}\n{body}")
    return path


def test_typo_in_a_spec_is_a_scenario_error_with_file_line_and_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, "arms:\n  a: {}\n  b: {set: {policies.0.margin: 0.3}}\nreplicatons: 3\n")
    with pytest.raises(ScenarioError) as caught:
        load_spec(path)
    err = caught.value
    assert err.file == str(path) and err.line == 5 and err.key == "replicatons"
    assert err.suggestion == "replications"
    assert str(err).startswith(f"{path}, line 5: replicatons is not a known key")


def test_bad_spec_and_bad_scenario_read_alike(tmp_path: Path) -> None:
    scenario = tmp_path / "bad_scenario.yaml"
    scenario.write_text("name: x\npopulation:\n  residnts: 5\n")
    with pytest.raises(ScenarioError) as from_scenario:
        load_scenario(scenario)
    spec = write(tmp_path, "arms:\n  a: {set: {population.residnts: 5}}\n")
    with pytest.raises(ScenarioError) as from_spec:
        load_spec(spec)
    # Same message about the same key, each pointing at the line that wrote it.
    assert from_spec.value.suggestion == from_scenario.value.suggestion == "residents"
    assert from_spec.value.file == str(spec) and from_spec.value.line == 3
    assert str(from_spec.value).split(": ", 1)[1] == str(from_scenario.value).split(": ", 1)[1]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, TINY + "factors:\n  policies.0.margn: {values: [0, 1]}\n"
                 "  policies.0.margin: {values: [0, 9]}\n  policies.0.levels: {range: [3, 1]}\n"
                 "design: gird\nmetrics: [coverage, trusst]\n")
    with pytest.raises(ScenarioError) as caught:
        load_spec(path)
    text = str(caught.value)
    assert text.startswith("5 problems in")
    assert "Did you mean 'grid'?" in text and "Did you mean 'trust'?" in text
    assert "did you mean 'margin'?" in text  # the factor path, checked against the base scenario
    assert "policies[0].margin must be a number in [0, 5]" in text and "line 9" in text
    assert "[low, high] with low < high" in text
    assert "factors need a design" not in text  # 'gird' was reported; no second complaint


@pytest.mark.parametrize(("body", "needle"), [
    ("replications: 3\n", "either 'arms'"),
    ("arms: {a: {}}\nfactors: {steps: {values: [1]}}\n", "not both"),
    ("factors: {policies.0.margin: {values: [0, 1]}}\n", "factors need a design"),
    ("factors: {policies.0.margin: {values: [0, 1]}}\ndesign: sobol\n", "give factors.policies.0.margin a"),
    ("factors: {policies.0.margin: {range: [0, 1]}}\ndesign: grid\n", "needs 'levels'"),
    ("arms: {a: {scenario: nope.yaml}}\n", "does not exist"),
    ("arms: {a: {}, b: {}}\nbaseline: c\n", "is not one of the arms"),
    ("arms: {a: {sett: {}}}\n", "Did you mean 'set'?"),
    ("factors: {staff.priority: {range: [0, 1]}}\ntargets: [{metric: coverage, value: 0.9}]\n",
     "takes 'values', not a range"),
    ("factors: {staff.contract_hours: {range: [30, 50]}}\ntargets: [{metric: coverage}]\n", "needs a value"),
    ("factors: {staff.contract_hours: {range: [30, 50]}}\ntargets: [{metric: coverag, value: 1}]\n",
     "Did you mean 'coverage'?"),
])
def test_shape_problems(tmp_path: Path, body: str, needle: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_spec(write(tmp_path, body))
    assert needle in str(caught.value)


def test_cli_reports_a_bad_spec_like_a_bad_scenario(tmp_path: Path, capsys) -> None:
    path = write(tmp_path, "arms: {a: {}}\ndesing: grid\n")
    assert main(["sweep", str(path), "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert f"{path}, line 3: desing is not a known key" in err and "Traceback" not in err


def test_a_good_spec_resolves(tmp_path: Path) -> None:
    path = write(tmp_path, TINY + "factors:\n  policies.0.margin: {values: [0, 0.2]}\n"
                 "  policies.0.levels: {range: [1, 3], levels: 3}\ndesign: grid\nreplications: 2\n")
    spec = load_spec(path, {"population.urban_share": 0.5}, steps=4)
    assert spec.kind == "design" and spec.replications == 2 and spec.name == "spec"
    assert spec.base.get("population.residents") == 2000 and spec.base.steps == 4
    assert spec.base.get("population.urban_share") == 0.5
    assert [f.integer for f in spec.factors] == [False, True]
    pts = points(spec)
    assert len(pts) == 6 and pts[5].label == "margin=0.2, levels=3"
    assert pts[5].scenario.get("policies[0].levels") == 3 and len({p.scenario.hash for p in pts}) == 6


def test_sampling_designs_are_reproducible_and_in_range(tmp_path: Path) -> None:
    path = write(tmp_path, TINY + "factors:\n  policies.0.margin: {range: [0, 0.4]}\n"
                 "  policies.0.levels: {range: [1, 4]}\ndesign: lhs\nsamples: 12\n")
    spec = load_spec(path)
    rows = factor_table(spec)
    assert rows == factor_table(spec) and len(rows) == 12
    assert all(0 <= r["policies.0.margin"] <= 0.4 and r["policies.0.levels"] in (1, 2, 3, 4) for r in rows)
    sobol = factor_table(spec.replace(design="sobol", samples=8))
    assert len(sobol) == 8 * (2 + 2)  # Saltelli: N (D + 2) without second order


def test_replication_seeds_depend_on_master_and_index_only() -> None:
    seeds = [replication_seed(7, r) for r in range(50)]
    assert len(set(seeds)) == 50 and all(0 <= s < 2**63 for s in seeds)
    assert seeds[:3] == [replication_seed(7, r) for r in range(3)]
    assert replication_seed(8, 0) != seeds[0]


@pytest.mark.parametrize("path", sorted(EXPERIMENTS.glob("*.yaml")), ids=lambda p: p.name)
def test_ready_experiments_load(path: Path) -> None:
    spec = load_spec(path)
    assert spec.description and len(spec.metrics) >= 1
    text = path.read_text()
    assert text.startswith("#") and "What it shows" in text


def test_validate_tells_specs_from_scenarios_and_checks_every_shipped_spec(capsys):
    shipped = sorted(str(p) for p in (ROOT / "experiments").glob("*.yaml"))
    assert main(["validate", *shipped, str(ROOT / "scenarios" / "baseline.yaml")]) == 0
    said = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("ok: experiment spec ") for line in said) == len(shipped)
    assert any(line.startswith("ok: scenario baseline") for line in said)


def test_validate_checks_a_spec_whole_with_lines(tmp_path, capsys):
    spec = tmp_path / "bad.yaml"
    spec.write_text(f"base: {ROOT / 'scenarios' / 'baseline.yaml'}\narms:\n  a: {{}}\n"
                    "  b: {set: {staff.contract_hourz: 30}}\nfactorz: 1\n")
    assert main(["validate", str(spec)]) == 2
    said = capsys.readouterr().err
    assert "bad.yaml, line 5: factorz is not a known key" in said and "Did you mean 'factors'?" in said
    assert "bad.yaml, line 4: staff.contract_hourz is not a known key" in said


def test_the_spec_schema_accepts_every_shipped_spec_and_refuses_a_typo(capsys):
    import jsonschema
    import yaml

    assert main(["schema", "--spec"]) == 0
    schema = json.loads(capsys.readouterr().out)
    validator = jsonschema.Draft202012Validator(schema)
    for path in (ROOT / "experiments").glob("*.yaml"):
        assert not list(validator.iter_errors(yaml.safe_load(path.read_text()))), path
    assert list(validator.iter_errors({"base": "x.yaml", "desing": "grid"}))


def test_plan_counts_the_runs_and_estimates_their_time(capsys):
    assert main(["plan", str(ROOT / "experiments" / "target_inflation_levels.yaml"), "--reps", "3",
                 "--workers", "2", "--json"]) == 0
    grid = json.loads(capsys.readouterr().out)
    assert grid["kind"] == "design" and len(grid["points"]) == 12 and grid["runs"] == 36
    assert not grid["runs_are_a_cap"] and grid["estimated_seconds"] > 0
    timing = grid["timing_seconds"]
    assert timing["per_week"] > 0 or timing["per_resident_week"] > 0
    assert main(["plan", str(ROOT / "experiments" / "calibrate_abc_synthetic.yaml"), "--json"]) == 0
    calibration = json.loads(capsys.readouterr().out)
    assert calibration["runs_are_a_cap"] and calibration["runs"] == 300
    assert main(["plan", str(ROOT / "experiments" / "rigidity.yaml")]) == 0
    text = capsys.readouterr().out
    assert "rigidity: 3 arms, 10 replications each" in text and "runs: 30" in text
