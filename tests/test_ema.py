"""EMA Workbench adapter and govsim discover: factors as EMA parameters, replications with govsim's
seeds, PRIM scenario discovery on a real spec, and the command's output and exit codes.

The EMA tests need EMA Workbench 3, and so Python >= 3.12; on 3.11 they are skipped and only the
"EMA missing" checks run.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import math
import pickle
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import govsim
from govsim.cli import main
from govsim.scenario import ScenarioError
from govsim.study import StudyError, load_spec
from govsim.study.design import point_for, replication_seed
from govsim.study.specschema import Factor

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SOBOL = ROOT / "experiments" / "staff_workload_sobol.yaml"
RIGIDITY = ROOT / "experiments" / "rigidity.yaml"
#: A 2,000-resident county for half a year: a quarter of a second a run.
SMALL = {"population.residents": 2000}
STEPS = 26


def _missing_reason() -> str | None:
    if sys.version_info < (3, 12):
        return "EMA Workbench 3 needs Python >= 3.12"
    if importlib.util.find_spec("ema_workbench") is None:
        return "ema-workbench 3 is not installed (pip install 'govsim[ema]')"
    return None


needs_ema = pytest.mark.skipif(_missing_reason() is not None, reason=_missing_reason() or "")


def _ema():
    from govsim.study.ema import quiet_import

    with quiet_import():
        import ema_workbench
    return ema_workbench


def _spec_file(tmp_path: Path, factors: str, name: str = "mixed") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"name: {name}\nbase: {BASELINE}\nset:\n  population.residents: 2000\nsteps: 4\n"
                    f"factors:\n{factors}design: grid\nreplications: 2\nseed: 7\n")
    return path


MIXED = ("  staff.per_10k_urban: {range: [12, 24], levels: 3}\n"
         "  population.residents: {range: [1500, 2500], levels: 3}\n"
         "  behaviour.online_hours_factor: {values: [0.5, 0.8], role: lever}\n"
         "  departments.health.task_hours: {values: [4.0]}\n")


# -- the adapter -------------------------------------------------------------------------------


@needs_ema
def test_factors_become_parameters_of_their_type_range_and_role(tmp_path: Path) -> None:
    from govsim.study.ema import FAILED, SEED, ema_model

    ema = _ema()

    spec = load_spec(_spec_file(tmp_path, MIXED))
    model = ema_model(spec, ["coverage", "workload"])
    u = {p.name: p for p in model.uncertainties}
    assert list(u) == ["per_10k_urban", "residents"]
    assert type(u["per_10k_urban"]) is ema.RealParameter
    assert (u["per_10k_urban"].lower_bound, u["per_10k_urban"].upper_bound) == (12.0, 24.0)
    assert type(u["residents"]) is ema.IntegerParameter  # the scenario's value is a whole number
    assert (u["residents"].lower_bound, u["residents"].upper_bound) == (1500, 2500)
    assert u["per_10k_urban"].variable_name == ["staff.per_10k_urban"]
    levers = {p.name: p for p in model.levers}
    assert list(levers) == ["online_hours_factor"]
    assert type(levers["online_hours_factor"]) is ema.CategoricalParameter
    assert [c.value for c in levers["online_hours_factor"].categories] == [0.5, 0.8]
    assert len(model.constants) == 0  # a single value is not sampled: every run takes it
    assert model.function.fixed == {"departments.health.task_hours": 4.0}
    assert [o.name for o in model.outcomes] == ["coverage", "workload", FAILED]
    assert [r[SEED] for r in model.replications] == [replication_seed(7, 0), replication_seed(7, 1)]
    assert model.nreplications == 2


def test_parameter_names_are_identifiers_and_unique() -> None:
    from govsim.study.ema import parameter_names

    factors = (Factor("departments.health.task_hours", low=1, high=2),
               Factor("departments.civil_affairs.task_hours", low=1, high=2),
               Factor("policies.0.margin", low=0, high=1), Factor("policies.0.lines.3", low=0, high=1))
    names = parameter_names(factors)
    assert names == {"departments.health.task_hours": "departments_health_task_hours",
                     "departments.civil_affairs.task_hours": "departments_civil_affairs_task_hours",
                     "policies.0.margin": "margin", "policies.0.lines.3": "f_3"}
    assert all(n.isidentifier() for n in names.values())


def test_a_misspelt_role_is_a_spec_error_with_a_suggestion(tmp_path: Path) -> None:
    path = _spec_file(tmp_path, "  staff.per_10k_urban: {range: [12, 24], levels: 3, role: levr}\n")
    with pytest.raises(ScenarioError, match="lever"):
        load_spec(path)


@needs_ema
def test_a_replication_is_the_run_govsim_makes_at_the_same_values_and_seed(tmp_path: Path) -> None:
    from govsim.study.ema import FAILED, ema_model

    ema = _ema()

    spec = load_spec(_spec_file(tmp_path, MIXED))
    model = pickle.loads(pickle.dumps(ema_model(spec, ["coverage", "workload"])))  # as a worker gets it
    values = {"per_10k_urban": 14.5, "residents": 1800}
    lever = {"online_hours_factor": 0.5}
    experiments, outcomes = ema.perform_experiments(model, [ema.Sample(**values)], [ema.Sample(**lever)],
                                                    log_progress=True)
    paths = {"staff.per_10k_urban": 14.5, "population.residents": 1800,
             "behaviour.online_hours_factor": 0.5, "departments.health.task_hours": 4.0}
    scenario = point_for(spec, 0, paths).scenario
    runs = [govsim.simulate(scenario, replication_seed(spec.seed, r)).summary for r in range(2)]
    for metric in ("coverage", "workload"):
        each = [float(s.query(f"metric == '{metric}' and scope == 'overall'")["value"].iloc[0]) for s in runs]
        assert each[0] != each[1]  # two replications, two different runs
        assert outcomes[metric][0] == np.mean(each)
    assert outcomes[FAILED][0] == 0
    assert experiments.loc[0, "per_10k_urban"] == 14.5


def test_a_failed_run_is_counted_not_fatal(tmp_path: Path, monkeypatch) -> None:
    import govsim.run
    from govsim.study.ema import FAILED, SEED, GovsimFunction

    def broken(scenario, seed):
        raise RuntimeError("boom")

    spec = load_spec(_spec_file(tmp_path, MIXED))
    monkeypatch.setattr(govsim.run, "simulate", broken)
    out = GovsimFunction(spec, ["coverage"])(**{SEED: 3, "staff.per_10k_urban": 13.0})
    assert math.isnan(out["coverage"]) and out[FAILED] == 1.0


# -- PRIM --------------------------------------------------------------------------------------


@needs_ema
def test_prim_finds_the_box_that_holds_the_cases_of_interest() -> None:
    from govsim.study.discover import PrimSettings, find_boxes

    rng = np.random.default_rng(5)
    x = pd.DataFrame({"a": rng.uniform(0, 1, 400), "b": rng.uniform(0, 1, 400)})
    y = (x["a"] < 0.3).to_numpy()
    factors = (Factor("x.a", low=0.0, high=1.0), Factor("x.b", low=0.0, high=1.0))
    boxes = find_boxes(x, y, factors, PrimSettings())
    assert len(boxes) == 1  # nothing of interest is left outside the first box
    box = boxes[0]
    limits = box.limits.set_index("factor")
    assert list(limits.index) == ["a"]
    assert limits.loc["a", "low"] is None and abs(limits.loc["a", "high"] - 0.3) < 0.03
    assert box.coverage > 0.95 and box.density > 0.95


def test_the_reported_step_is_the_most_coverage_at_the_threshold() -> None:
    from govsim.study.discover import choose_step

    trajectory = pd.DataFrame({"coverage": [1.0, 0.95, 0.95, 0.7], "density": [0.5, 0.85, 0.86, 0.97],
                               "res_dim": [0, 1, 2, 2]})
    assert choose_step(trajectory, 0.8) == 1  # as much coverage as step 2, with fewer factors
    assert choose_step(trajectory, 0.9) == 3
    assert choose_step(trajectory, 0.99) == 3  # none is dense enough: the densest


@pytest.fixture(scope="module")
def found():
    """PRIM on the real staffing spec, shrunk: 40 samples of a small county for half a year."""
    if _missing_reason():
        pytest.skip(_missing_reason())
    from govsim.study.discover import discover

    spec = load_spec(SOBOL, SMALL, steps=STEPS, replications=1)
    return discover(spec, "coverage", below=0.2, samples=40, metrics=("workload",))


@needs_ema
def test_prim_on_a_real_spec_restricts_staffing_where_coverage_is_low(found) -> None:
    from govsim.study.discover import factor_columns

    assert len(found.outcomes) == 40 and found.failed_runs == 0
    assert 5 < found.of_interest < 35  # the cut splits the samples
    box = found.boxes[0]
    for share in (box.coverage, box.density, box.mass):
        assert 0 <= share <= 1
    assert box.dense and box.density >= 0.8 and box.coverage >= 0.7
    staff = box.limits.set_index("factor").loc["per_10k_urban"]
    # Fewer staff, lower coverage: the box caps staffing from above, well inside its range [12, 24].
    assert staff["path"] == "staff.per_10k_urban"
    assert staff["high"] is not None and 14 < staff["high"] < 22
    assert staff["low"] is None or staff["low"] < 13
    assert staff["qp_high"] < 0.05
    # The box's numbers are what its limits give on the samples themselves.
    x = factor_columns(found.spec, found.experiments)
    y = found.outcomes["of_interest"].to_numpy()
    inside = np.ones(len(x), dtype=bool)
    for row in box.limits.itertuples():
        inside &= (x[row.factor] >= (row.low if row.low is not None else -np.inf)).to_numpy()
        inside &= (x[row.factor] <= (row.high if row.high is not None else np.inf)).to_numpy()
    assert box.coverage == pytest.approx(y[inside].sum() / y.sum())
    assert box.density == pytest.approx(y[inside].mean())
    assert box.mass == pytest.approx(inside.mean())
    coverage = found.outcomes["coverage"].to_numpy()
    assert coverage[inside].mean() < coverage[~inside].mean()
    assert found.scores["factor"].iloc[0] == "per_10k_urban"  # the factor that drives coverage
    assert "workload" in found.outcomes.columns


@needs_ema
def test_the_text_says_each_box_in_words(found) -> None:
    from govsim.study.discover_cli import discovery_text

    text = discovery_text(found)
    box = found.boxes[0]
    assert f"coverage below 0.2 in {found.of_interest} of 40 samples" in text
    assert f"Box 1: coverage {box.coverage:.2f}" in text and f"density {box.density:.2f}" in text
    assert "per_10k_urban (staff.per_10k_urban): at most" in text and "(range 12 to 24)" in text


@needs_ema
def test_written_files_hold_the_same_boxes(found, tmp_path: Path) -> None:
    from govsim.study.discover import describe, write_discovery

    files = write_discovery(found, tmp_path)
    boxes = pd.read_csv(files["boxes.csv"])
    assert boxes.loc[boxes["factor"] == "per_10k_urban", "high"].iloc[0] == pytest.approx(
        found.boxes[0].limits.set_index("factor").loc["per_10k_urban", "high"])
    assert len(pd.read_csv(files["experiments.csv"])) == len(pd.read_csv(files["outcomes.csv"])) == 40
    peeling = pd.read_csv(files["peeling.csv"])
    assert peeling["chosen"].sum() == len(found.boxes)
    assert files["boxes.png"].read_bytes()[:4] == b"\x89PNG"
    document = json.loads(files["discovery.json"].read_text())
    assert document["boxes"][0]["coverage"] == pytest.approx(describe(found)["boxes"][0]["coverage"])


@needs_ema
def test_levers_are_crossed_with_every_scenario(tmp_path: Path) -> None:
    from govsim.study.discover import discover

    spec = load_spec(_spec_file(tmp_path, MIXED), replications=1)
    result = discover(spec, "coverage", above=0.5, samples=3, policies=2)
    assert len(result.experiments) == 6
    pairs = result.experiments.groupby("scenario", observed=True)["online_hours_factor"].nunique()
    assert (pairs == 2).all()
    assert set(result.experiments["online_hours_factor"]) == {0.5, 0.8}


# -- the command -------------------------------------------------------------------------------


def _run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["discover", *args])
    return code, out.getvalue(), err.getvalue()


def test_without_ema_workbench_it_exits_2_saying_how_to_get_it(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "ema_workbench", None)  # import fails, as when not installed
    code, out, err = _run([str(SOBOL), "--below", "0.8"])
    assert code == 2 and out == ""
    assert "pip install 'govsim[ema]'" in err and "3.12" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_the_library_says_so_too(monkeypatch) -> None:
    from govsim.study.ema import require_ema

    monkeypatch.setitem(sys.modules, "ema_workbench", None)
    with pytest.raises(StudyError, match=r"govsim\[ema\]"):
        require_ema()


@needs_ema
@pytest.mark.parametrize(("args", "said"), [
    ([str(RIGIDITY), "--below", "0.8"], "has no factors"),
    ([str(SOBOL), "--metric", "coverag", "--below", "0.8"], "Did you mean 'coverage'"),
    ([str(SOBOL), "--below", "0.8", "--threshold", "1.5"], "at most 1"),
    ([str(SOBOL)], "--below --above is required"),
    ([str(SOBOL), "--below", "0.8", "--policies", "2", "--steps", "2"], "no factor 'role: lever'"),
    ([str(ROOT / "experiments" / "nope.yaml"), "--below", "0.8"], "nope.yaml"),
])
def test_bad_input_is_exit_2_with_one_clear_message(args: list[str], said: str) -> None:
    code, out, err = _run(args)
    assert code == 2 and out == ""
    assert said in err and "Traceback" not in err


@needs_ema
def test_json_output_and_exit_0(tmp_path: Path) -> None:
    code, out, err = _run([str(SOBOL), "--set", "population.residents=2000", "--steps", "13", "--reps", "1",
                           "--samples", "12", "--below", "0.15", "--workers", "1", "--json",
                           "--out", str(tmp_path / "d")])
    assert code == 0, err
    document = json.loads(out)
    assert (document["spec"], document["metric"], document["condition"], document["value"]) == (
        "staff_workload_sobol", "coverage", "below", 0.15)
    assert document["experiments"] == 12 and document["runs"] == 12 and document["failed_runs"] == 0
    outcomes = pd.read_csv(tmp_path / "d" / "outcomes.csv")
    assert document["of_interest"] == int((outcomes["coverage"] < 0.15).sum())
    for box in document["boxes"]:
        assert 0 <= box["coverage"] <= 1 and 0 <= box["density"] <= 1
        assert all(limit["path"].count(".") >= 1 for limit in box["limits"])
    assert set(document["files"]) >= {"experiments.csv", "outcomes.csv", "boxes.csv", "boxes.png"}


def test_help_names_the_extra_and_the_python_it_needs(capsys) -> None:
    assert main(["discover", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: govsim discover") and "--below" in out and "--threshold" in out
    assert "govsim[ema]" in out and "3.12" in out
