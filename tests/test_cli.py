"""The govsim command: exit codes, messages, machine-readable output, no tracebacks for user errors."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from govsim import cli
from govsim.cli import main
from govsim.metrics import summarise
from govsim.run import RunResult

REPO = Path(__file__).resolve().parent.parent
SUBCOMMANDS = ("run", "validate", "plot", "params", "schema")


def fake_run_dir(path: Path) -> Path:
    """A run directory written by the real writer from a tiny fake result."""
    from govsim.io import write_run

    rows = [(w, "trust", scope, key, 0.5 - 0.01 * w) for w in range(8)
            for scope, key in (("overall", "all"), ("group", "elderly"))]
    ts = pd.DataFrame(rows, columns=["week", "metric", "scope", "key", "value"])
    scenario = SimpleNamespace(name="tiny", seed=3, steps=8, hash="ab" * 32, to_yaml=lambda: "name: tiny\n")
    manifest = {"scenario": {"name": "tiny"}, "scenario_hash": scenario.hash, "seed": 3, "steps": 8}
    return write_run(RunResult(scenario, 3, ts, summarise(ts), manifest), path)


def run_cli(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "govsim", *argv], capture_output=True, text=True,
                          cwd=cwd or REPO, env=env, timeout=120, check=False)


# -- help, version, usage errors ---------------------------------------------------------------


@pytest.mark.parametrize("command", ["", *SUBCOMMANDS])
def test_help_for_every_command(command: str, capsys) -> None:
    argv = [command, "--help"] if command else ["--help"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: govsim {command}".rstrip())
    assert "--debug" in out and "--quiet" in out


def test_version(capsys) -> None:
    assert main(["--version"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith(f"govsim {cli.__version__} (Python {platform.python_version()}; Mesa ")
    assert f"pandas {metadata.version('pandas')})" in out


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["run", "--steps", "0"], ["run", "--seed", "x"],
                                  ["validate"], ["plot"]])
def test_bad_arguments_exit_2_with_usage(argv: list[str], capsys) -> None:
    assert main(argv) == 2
    assert "usage: govsim" in capsys.readouterr().err


# -- user errors: exit 2, a message, never a traceback ----------------------------------------


def test_validate_missing_file(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "nope.yaml"
    assert main(["validate", str(missing)]) == 2
    captured = capsys.readouterr()
    assert "nope.yaml" in captured.err and "Traceback" not in captured.err
    assert captured.out == ""


def test_validate_bad_yaml_names_file_and_line(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: broken\npopulation:\n  residents: [1, 2\n")
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and "line" in err and "Traceback" not in err


def test_validate_reports_ok_and_errors_per_file(tmp_path: Path, capsys) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("name: tiny\nsteps: 4\n")
    bad = tmp_path / "typo.yaml"
    bad.write_text("name: typo\npopulaton:\n  residents: 100\n")
    assert main(["validate", str(good)]) == 0
    assert capsys.readouterr().out.startswith("ok: scenario tiny (hash ")
    assert main(["validate", str(good), str(bad)]) == 2
    captured = capsys.readouterr()
    assert "ok: scenario tiny" in captured.out
    assert "typo.yaml" in captured.err and "population" in captured.err  # did you mean


def test_bad_override_is_an_input_error(tmp_path: Path, capsys) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("name: tiny\n")
    assert main(["validate", str(good), "--set", "population.residents=many"]) == 2
    err = capsys.readouterr().err
    assert "population.residents" in err and "Traceback" not in err


def test_run_missing_scenario_is_exit_2_without_running(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["run", "missing.yaml"]) == 2
    captured = capsys.readouterr()
    assert "missing.yaml" in captured.err and "Traceback" not in captured.err
    assert not (tmp_path / "runs").exists()


def test_subprocess_user_error_has_no_traceback(tmp_path: Path) -> None:
    done = run_cli("run", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert "missing.yaml" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


# -- failures, Ctrl-C, --debug ----------------------------------------------------------------


def test_unexpected_error_is_exit_1_with_one_line_and_hint(monkeypatch, capsys) -> None:
    def broken(args: object) -> int:
        raise ValueError("something inside broke")

    monkeypatch.setattr(cli, "cmd_params", broken)
    assert main(["params"]) == 1
    err = capsys.readouterr().err
    assert "something inside broke" in err and "--debug" in err and "Traceback" not in err
    with pytest.raises(ValueError, match="inside broke"):
        main(["--debug", "params"])
    with pytest.raises(ValueError):
        main(["params", "--debug"])  # after the subcommand too


def test_ctrl_c_is_exit_130(monkeypatch, capsys) -> None:
    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "cmd_schema", interrupted)
    assert main(["schema"]) == 130
    assert capsys.readouterr().err.strip() == "interrupted"


def test_ctrl_c_during_a_run_leaves_nothing_half_written(tmp_path: Path, monkeypatch, capsys) -> None:
    import govsim

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(govsim, "simulate", interrupted, raising=False)
    out = tmp_path / "run"
    assert main(["run", "--out", str(out)]) == 130
    assert not out.exists()


def test_run_refuses_a_foreign_directory_before_simulating(tmp_path: Path, monkeypatch, capsys) -> None:
    import govsim

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulated although the output directory was refused")

    monkeypatch.setattr(govsim, "simulate", must_not_run, raising=False)
    (tmp_path / "timeseries.csv").write_text("someone else's\n")
    assert main(["run", "--out", str(tmp_path)]) == 2
    assert "no manifest.json" in capsys.readouterr().err
    assert (tmp_path / "timeseries.csv").read_text() == "someone else's\n"


# -- params, schema, plot ---------------------------------------------------------------------


def test_params_json_lists_every_field(capsys) -> None:
    assert main(["params", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) > 10
    assert {"path", "default", "unit", "range", "description", "source"} <= set(rows[0])


def test_params_table_is_aligned_and_filtered(capsys) -> None:
    assert main(["params", "--filter", "RESIDENTS"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:4] == ["PATH", "DEFAULT", "UNIT", "RANGE"]
    assert any(line.startswith("population.residents ") for line in lines)
    column = lines[0].index("DEFAULT")
    assert all(line[column - 2:column] == "  " for line in lines[1:] if line.isascii())


def test_params_filter_without_match(capsys) -> None:
    assert main(["params", "--filter", "zzzz-no-such-thing"]) == 0
    assert "no parameter matches" in capsys.readouterr().err


def test_schema_to_stdout_and_file(tmp_path: Path, capsys) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["type"] == "object" and "$schema" in schema
    target = tmp_path / "scenario.schema.json"
    assert main(["schema", "--out", str(target)]) == 0
    assert json.loads(target.read_text()) == schema
    assert main(["schema", "--out", str(tmp_path / "no" / "dir.json")]) == 2


def test_plot_a_run_directory(tmp_path: Path, capsys) -> None:
    run = fake_run_dir(tmp_path / "run")
    assert main(["plot", str(run)]) == 0
    assert capsys.readouterr().out.strip() == str(run / "figure.png")
    assert (run / "figure.png").read_bytes()[:4] == b"\x89PNG"
    other = tmp_path / "elsewhere.png"
    assert main(["-q", "plot", str(run), "--out", str(other)]) == 0
    assert other.exists() and capsys.readouterr().out == ""


def test_plot_refuses_incomplete_run(tmp_path: Path, capsys) -> None:
    (tmp_path / "timeseries.csv").write_text("week,metric,scope,key,value\n")
    assert main(["plot", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "manifest.json" in err and "Traceback" not in err


# -- formatting -------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (0.7123, "share", ("71.2", "%")),
    (26705.0, "cases/week", ("26,705", "cases/week")),
    (402.4, "cases", ("402", "cases")),
    (6.7213, "ratio", ("6.72", "ratio")),
    (0.5051, "score 0-1", ("0.505", "score 0-1")),
    (0.0, "cases", ("0", "cases")),
    (float("nan"), "share", ("n/a", "share")),
])
def test_format_value(value: float, unit: str, expected: tuple[str, str]) -> None:
    assert cli.format_value(value, unit) == expected


def test_headline_table_aligns_values() -> None:
    headline = pd.DataFrame({"name": ["coverage", "backlog"], "label": ["Coverage", "Open cases"],
                             "value": [0.5, 1234.0], "unit": ["share", "cases"]})
    lines = cli.headline_text(headline).splitlines()
    assert lines == ["  Coverage     50.0  %", "  Open cases  1,234  cases"]


# -- end to end with the real model -------------------------------------------------------------


def test_run_json_writes_a_complete_reproducible_run(tmp_path: Path, capsys) -> None:
    from govsim.io import read_run

    out = tmp_path / "run"
    argv = ["run", "--steps", "3", "--seed", "5", "--out", str(out), "--json", "--plot", "--no-progress"]
    assert main(argv) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["out"] == str(out) and document["seed"] == 5 and document["steps"] == 3
    assert document["figure"] == str(out / "figure.png") and (out / "figure.png").exists()
    assert {"metric", "label", "value", "unit"} <= set(document["headline"][0])
    run = read_run(out)
    assert run.timeseries["week"].nunique() == 3
    first = (out / "timeseries.csv").read_bytes()
    assert main([*argv[:-3], "--no-progress", "-q"]) == 0  # same run again: allowed, silent
    assert capsys.readouterr().out == ""
    assert (out / "timeseries.csv").read_bytes() == first


def test_run_default_output_dir_and_table(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--steps", "2"]) == 0
    out = capsys.readouterr().out
    runs = list((tmp_path / "runs").iterdir())
    assert len(runs) == 1 and (runs[0] / "manifest.json").exists()
    assert f"results: {Path('runs') / runs[0].name}" in out
    assert "Service coverage" in out
    # A different run must not land in (or clobber) the same directory.
    assert main(["run", "--steps", "2", "--seed", "99", "-q"]) == 0
    assert len(list((tmp_path / "runs").iterdir())) == 2


def test_run_refuses_to_clobber_a_different_run(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    assert main(["run", "--steps", "2", "--out", str(out), "-q"]) == 0
    assert main(["run", "--steps", "2", "--seed", "8", "--out", str(out)]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert main(["run", "--steps", "2", "--seed", "8", "--out", str(out), "--overwrite", "-q"]) == 0
