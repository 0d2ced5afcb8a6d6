"""Plugins: policies and metrics from installed packages, through the entry points built-ins use too.

The example plugin (examples/govsim-volunteers) is installed for real, into a
folder of its own, and its own tests run against it; broken plugins are made as
real distributions on a path (a dist-info folder with entry points) and govsim
is run beside them in a child process, so that every registry is read afresh.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT

import govsim.policies
from govsim.cli import main
from govsim.model.policy import Policy
from govsim.scenario import plugins

EXAMPLE = ROOT / "examples" / "govsim-volunteers"
EXAMPLE_SCENARIO = EXAMPLE / "scenarios" / "volunteer_points.yaml"


def _govsim(*args: str, path: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(path) if path else ""}
    return subprocess.run([sys.executable, "-m", "govsim", *args], env=env, capture_output=True, text=True,
                          timeout=300, cwd=ROOT)


@pytest.fixture(scope="module")
def installed_example(tmp_path_factory) -> Path:
    """The example plugin built and installed (not editable) into a folder of its own."""
    target = tmp_path_factory.mktemp("site")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                           "--disable-pip-version-check", "--target", str(target), str(EXAMPLE)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return target


def _distribution(root: Path, name: str, entry_points: str, modules: dict[str, str]) -> None:
    """A real installed distribution: its metadata, its entry points and its modules."""
    info = root / f"{name.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points))
    for module, source in modules.items():
        (root / f"{module}.py").write_text(textwrap.dedent(source))


def test_every_built_in_policy_registers_through_an_entry_point() -> None:
    defined = {}
    for info in pkgutil.iter_modules(govsim.policies.__path__):
        module = importlib.import_module(f"govsim.policies.{info.name}")
        for cls in vars(module).values():
            if inspect.isclass(cls) and issubclass(cls, Policy) and cls.type_name \
                    and cls.__module__ == module.__name__:
                defined[cls.type_name] = cls
    found = plugins.registry()
    assert defined, "no built-in policy found"
    assert {name: found.policies.get(name) for name in defined} == defined
    assert {found.origin[name] for name in defined} == {"govsim"}
    assert not [p for p in found.problems if p.distribution == "govsim"]


def test_the_example_plugin_passes_its_own_tests_once_installed(installed_example) -> None:
    env = {**os.environ, "PYTHONPATH": str(installed_example)}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                          cwd=EXAMPLE, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "4 passed" in done.stdout


def test_the_example_plugin_is_seen_by_params_schema_and_plugins(installed_example) -> None:
    listed = json.loads(_govsim("plugins", "--json", path=installed_example).stdout)
    assert {"kind": "policy", "name": "volunteer_points", "distribution": "govsim-volunteers"} \
        in listed["provided"]
    params = json.loads(_govsim("params", "--json", "--filter", "volunteer", path=installed_example).stdout)
    assert "policies.volunteer_points.hours_per_volunteer" in {row["path"] for row in params}
    schema = json.loads(_govsim("schema", path=installed_example).stdout)
    assert "volunteer_points" in json.dumps(schema["properties"]["policies"])
    ran = _govsim("validate", str(EXAMPLE_SCENARIO), path=installed_example)
    assert ran.returncode == 0, ran.stderr


def test_without_the_plugin_its_scenario_is_refused_clearly(capsys) -> None:
    if "volunteer_points" in plugins.policy_types():
        pytest.skip("the example plugin is installed in this environment")
    assert main(["validate", str(EXAMPLE_SCENARIO)]) == 2
    said = capsys.readouterr().err
    assert "volunteer_points.yaml, line" in said
    assert "type 'volunteer_points' is not a known policy type" in said
    assert "comes from a plugin package: install the package" in said
    assert "Traceback" not in said


BROKEN = {
    "broken-import": ("""
        [govsim.policies]
        quake = broken_import:Quake
        """, {"broken_import": "raise ImportError('no module named seismology')\n"}),
    "wrong-name": ("""
        [govsim.policies]
        curfew = wrong_name:Curfew
        """, {"wrong_name": """
        from govsim.api import Policy, declare
        class Curfew(Policy):
            type_name = "curfews"
            PARAMS = declare("curfews", "A curfew.")
        """}),
    "bad-default": ("""
        [govsim.policies]
        levy = bad_default:Levy
        """, {"bad_default": """
        from govsim.api import Param, Policy, declare
        class Levy(Policy):
            type_name = "levy"
            PARAMS = declare("levy", "A levy.", Param("rate", "float", 2.0, "Rate.", low=0.0, high=1.0))
        """}),
    "too-new": ("""
        [govsim.policies]
        drone = too_new:Drone
        """, {"too_new": """
        from govsim.api import Policy, declare
        class Drone(Policy):
            type_name = "drone"
            govsim_api = 99
            PARAMS = declare("drone", "Drones.")
        """}),
    "taken-names": ("""
        [govsim.policies]
        mediation = taken_names:Mediation
        [govsim.metrics]
        coverage = taken_names:METRICS
        """, {"taken_names": """
        from govsim.api import Metric, Policy, declare
        class Mediation(Policy):
            type_name = "mediation"
            PARAMS = declare("mediation", "Another mediation.")
        METRICS = (Metric("coverage", "Another coverage", "share", True, "mean"),)
        """}),
}


@pytest.fixture(scope="module")
def broken_plugins(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("broken")
    for name, (points, modules) in BROKEN.items():
        _distribution(root, name, points, modules)
    return root


def test_broken_plugins_are_left_out_with_their_reasons_and_govsim_still_runs(broken_plugins, tmp_path):
    listed = _govsim("plugins", "--json", path=broken_plugins)
    assert listed.returncode == 2
    left: dict[str, str] = {}
    for problem in json.loads(listed.stdout)["left_out"]:
        left[problem["distribution"]] = left.get(problem["distribution"], "") + problem["reason"] + "; "
    assert set(left) == set(BROKEN)
    assert "importing it failed: ImportError: no module named seismology" in left["broken-import"]
    assert "type_name is 'curfews', but the entry point is named 'curfew'" in left["wrong-name"]
    assert "parameter 'rate': the default 2.0 is outside its own range" in left["bad-default"]
    assert "needs govsim extension API 99, and this govsim offers 1" in left["too-new"]
    assert "the policy type 'mediation' is already provided by 'govsim'" in left["taken-names"]
    assert "the metric name 'coverage' is already taken" in left["taken-names"]
    provided = {row["name"]: row["distribution"] for row in json.loads(listed.stdout)["provided"]}
    assert provided["mediation"] == "govsim"  # the built-in is kept
    ran = _govsim("run", "scenarios/target_inflation.yaml", "--set", "population.residents=2000",
                  "--steps", "4", "--set", "warmup_weeks=0", "--out", str(tmp_path / "run"),
                  path=broken_plugins)
    assert ran.returncode == 0, ran.stderr
    assert "plugin 'broken-import' (entry point 'quake'" in ran.stderr
    assert "Traceback" not in ran.stderr


def test_a_scenario_using_a_refused_plugin_is_told_why(broken_plugins, tmp_path):
    scenario = tmp_path / "levy.yaml"
    scenario.write_text("policies:\n  - type: levy\n")
    done = _govsim("validate", str(scenario), path=broken_plugins)
    assert done.returncode == 2
    assert "type 'levy' is not a known policy type: its plugin 'bad-default'" in done.stderr
    assert "outside its own range" in done.stderr
