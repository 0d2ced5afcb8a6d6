"""EMA Workbench adapter: factors as EMA parameters, replications with govsim's seeds.

The EMA tests need EMA Workbench 3, and so Python >= 3.12; on 3.11 they are skipped and only the
"EMA missing" checks run.
"""

from __future__ import annotations

import importlib.util
import math
import pickle
import sys
from pathlib import Path

import numpy as np
import pytest

import govsim
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


# -- EMA missing ------------------------------------------------------------------------------


def test_the_library_says_so_too(monkeypatch) -> None:
    from govsim.study.ema import require_ema

    monkeypatch.setitem(sys.modules, "ema_workbench", None)
    with pytest.raises(StudyError, match=r"govsim\[ema\]"):
        require_ema()
