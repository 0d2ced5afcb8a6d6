"""Hostile input: files named from outside the project, and what an error may show of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from govsim.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SECRET = "TOPSECRET_hunter2"

#: Files that are not scenarios, each holding the secret, and what the error calls them.
TARGETS = {
    "passwd": (f"root:x:0:0:{SECRET}:/root:/bin/bash\nbin:x:1:1::/bin:\n".encode(), "ends in .yaml or .yml"),
    "text.yaml": (f"{SECRET} is plain text\n".encode(), "holds a line of text"),
    "list.yaml": (f"- {SECRET}\n- two\n".encode(), "holds a list of 2 items"),
    "broken.yaml": (f"{SECRET}: [unclosed\n".encode(), "not valid YAML (at its line 2)"),
    "tab.yaml": (f"a:\n\t{SECRET}: 1\n".encode(), "not valid YAML (at its line 2)"),
    "binary.yaml": (b"\x00\x01" + SECRET.encode(), "binary file"),
    "latin1.yaml": (f"name: caf\xe9 {SECRET}\n".encode("latin-1"), "not UTF-8 text"),
    "empty.yaml": (b"", "it is empty"),
}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A project folder inside ``tmp_path`` and, beside it, the files the tests reach."""
    for name, (content, _) in TARGETS.items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / "folder.yaml").mkdir()
    (tmp_path / "project" / "scenarios").mkdir(parents=True)
    (tmp_path / "project" / "experiments").mkdir()
    return tmp_path


def _validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["validate", str(path)])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


@pytest.mark.parametrize("name", [*TARGETS, "folder.yaml"])
def test_extends_outside_the_folder_never_shows_the_file(outside: Path, name: str, capsys) -> None:
    child = outside / "project" / "scenarios" / "child.yaml"
    child.write_text(f"name: child\nseed: 3\nextends: ../../{name}\n")
    status, text = _validate(child, capsys)
    assert status == 2
    assert SECRET not in text and "Traceback" not in text
    assert text.startswith(f"{child}, line 3: extends names ")  # the referring file, line and key
    assert name in text
    expected = TARGETS[name][1] if name in TARGETS else "a directory"
    assert expected in text


@pytest.mark.parametrize("name", ["passwd", "text.yaml", "broken.yaml", "binary.yaml"])
def test_a_spec_base_and_an_arm_scenario_never_show_the_file(outside: Path, name: str, capsys) -> None:
    spec = outside / "project" / "experiments" / "spec.yaml"
    spec.write_text(f"name: e\nbase: ../../{name}\narms:\n  baseline: {{}}\n")
    status, text = _validate(spec, capsys)
    assert status == 2 and SECRET not in text
    assert text.startswith(f"{spec}, line 2: base names ") and text.count(name) == 1  # said once

    spec.write_text(f"base: {SCENARIOS / 'baseline.yaml'}\narms:\n  today: {{}}\n"
                    f"  other:\n    scenario: ../../{name}\n")
    status, text = _validate(spec, capsys)
    assert status == 2 and SECRET not in text
    assert text.startswith(f"{spec}, line 5: arms.other.scenario names ")


def test_a_base_outside_the_folder_that_is_a_scenario_is_allowed(outside: Path, capsys) -> None:
    (outside / "shared.yaml").write_text(f"extends: {SCENARIOS / 'baseline.yaml'}\nname: shared\n")
    child = outside / "project" / "scenarios" / "child.yaml"
    child.write_text("extends: ../../shared.yaml\nname: child\n")
    status, text = _validate(child, capsys)
    assert status == 0 and "ok: scenario child" in text


# --- designs too big to run ----------------------------------------------------------------------

TINY = ("set:\n  population.residents: 2000\n  hierarchy.communities_per_township: 1\n"
        "  warmup_weeks: 0\n  steps: 2\n")


def _spec(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(f"base: {SCENARIOS / 'target_inflation.yaml'}\n{TINY}{body}")
    return path


def test_a_grid_of_ten_million_points_is_refused_at_once(tmp_path: Path, capsys) -> None:
    import time

    spec = _spec(tmp_path, "factors:\n  staff.priority: {values: [target_first, service_first]}\n"
                           "  policies.0.margin: {range: [0, 1], levels: 10000}\n"
                           "  seed: {range: [0, 1000], levels: 500}\ndesign: grid\nreplications: 1\n")
    from govsim.study import load_spec

    load_spec(spec)  # the imports and the spec's reading are not what is timed
    for command in ("sweep", "sensitivity"):
        started = time.perf_counter()
        status = main([command, str(spec), "--workers", "1", "--out", str(tmp_path / "out")])
        assert time.perf_counter() - started < 1.0
        text = capsys.readouterr().err
        assert status == 2 and "10,000,000 runs (10,000,000 design points × 1 replication)" in text
        assert " hours with 1 worker" in text and "GB of memory" in text and "--max-runs 10000000" in text
    assert not (tmp_path / "out").exists()
    status = main(["plan", str(spec), "--workers", "1"])  # the size, but nothing timed or listed
    assert status == 0 and "10,000,000 runs" in capsys.readouterr().out


def test_huge_replications_are_refused(tmp_path: Path, capsys) -> None:
    spec = _spec(tmp_path, "arms:\n  a: {}\n  b: {set: {policies.0.margin: 0.3}}\nreplications: 100000\n")
    status = main(["sweep", str(spec), "--workers", "1", "--out", str(tmp_path / "out")])
    text = capsys.readouterr().err
    assert status == 2 and "200,000 runs (2 arms × 100,000 replications)" in text
    status = main(["compare", str(spec), "--precision", "0.01", "--max-reps", "50000",
                   "--workers", "1", "--out", str(tmp_path / "out")])
    assert status == 2 and "100,000 runs (2 arms × 50,000 replications)" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_max_runs_lets_a_design_over_the_cap_through(tmp_path: Path, capsys, monkeypatch) -> None:
    from govsim.study import cli as study_cli
    from govsim.study import plan

    assert study_cli.MAX_RUNS == plan.MAX_RUNS
    monkeypatch.setattr(plan, "MAX_RUNS", 3)
    spec = _spec(tmp_path, "factors:\n  policies.0.margin: {values: [0.1, 0.3]}\ndesign: grid\n"
                           "replications: 2\n")
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--workers", "1", "--out", str(out)]) == 2
    assert "4 runs (2 design points × 2 replications), more than the 3" in capsys.readouterr().err
    assert main(["sweep", str(spec), "--workers", "1", "--out", str(out), "--max-runs", "4", "-q"]) == 0
    assert (out / "index.csv").read_text().count(",done,") == 4


def test_populations_beyond_memory_and_endless_runs_are_refused_by_the_loader(tmp_path: Path, capsys) -> None:
    spec = _spec(tmp_path, "factors:\n  population.residents: {values: [2000, 2000000000]}\ndesign: grid\n")
    assert main(["plan", str(spec)]) == 2
    text = capsys.readouterr().err
    assert "population.residents = 2,000,000,000 would need an estimated" in text and "refused" in text
    spec = _spec(tmp_path, "arms:\n  a: {set: {steps: 100000}}\n")
    assert main(["plan", str(spec)]) == 2
    assert "steps must be an integer in [1, 5200]" in capsys.readouterr().err


# --- inputs the property tests found crashing --------------------------------------------------


@pytest.mark.parametrize(("content", "needle"), [
    (b"\x00name: baseline\n", "line 1: the YAML is malformed: it holds a control character (U+0000)"),
    (b"name: a\nsteps: 3\x07\n", "line 2: the YAML is malformed: it holds a control character (U+0007)"),
    (("a: " + "[" * 20000 + "]" * 20000 + "\n").encode(), "nested too deeply"),
])
def test_control_characters_and_deep_nesting_are_input_errors(tmp_path: Path, content: bytes, needle: str,
                                                              capsys) -> None:
    path = tmp_path / "odd.yaml"
    path.write_bytes(content)
    status, text = _validate(path, capsys)
    assert status == 2 and needle in text and "Traceback" not in text


def test_infinite_and_nan_factor_values_are_input_errors(tmp_path: Path, capsys) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"base: {SCENARIOS / 'target_inflation.yaml'}\nfactors:\n"
                    "  policies.0.levels: {values: [.inf, .nan, 2]}\n"
                    "  policies.0.margin: {range: [0, .inf]}\ndesign: grid\n")
    status, text = _validate(spec, capsys)
    assert status == 2 and "got .inf (not a finite number)" in text
    assert "range must be [low, high] with low < high, both finite; got [0, .inf]" in text


def test_a_factor_path_that_is_no_path_is_an_input_error(tmp_path: Path, capsys) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"base: {SCENARIOS / 'baseline.yaml'}\nfactors:\n  '. staff.x': {{range: [30, 50]}}\n"
                    "targets: [{metric: workload, value: 5}]\n")
    status, text = _validate(spec, capsys)
    assert status == 2 and "line 3: factors.. staff.x: '. staff.x' is not a key path" in text
