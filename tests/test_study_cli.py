"""The experiment commands: help, JSON output, precision stopping, reports, sensitivity, exit codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from govsim.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
TINY = ["--set", "population.residents=2000", "--set", "hierarchy.communities_per_township=1",
        "--steps", "8", "--workers", "1"]
COMMANDS = ("sweep", "compare", "report", "sensitivity", "calibrate", "export")


@pytest.mark.parametrize("command", COMMANDS)
def test_help(command: str, capsys) -> None:
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: govsim {command}") and "--debug" in out


def compare_json(capsys, *argv: str, status: int = 0) -> dict:
    assert main(["compare", *argv, "--json"]) == status, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def short_hours(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A scenario that differs from the baseline from the first week."""
    path = tmp_path_factory.mktemp("scenario") / "short_hours.yaml"
    path.write_text(f"extends: {SCENARIOS / 'baseline.yaml'}\nname: short_hours\n"
                    "staff:\n  contract_hours: 30\n")
    return str(path)


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory, short_hours: str) -> Path:
    out = tmp_path_factory.mktemp("compare") / "out"
    assert main(["-q", "compare", str(SCENARIOS / "baseline.yaml"), short_hours, "--reps", "3",
                 "--out", str(out), *TINY]) == 0
    return out


def test_compare_prints_effects_overall_and_by_group(comparison: Path, short_hours: str, capsys) -> None:
    document = compare_json(capsys, str(SCENARIOS / "baseline.yaml"), short_hours,
                            "--reps", "3", "--out", str(comparison), "--resume", *TINY)
    assert document["baseline"] == "baseline" and document["replications"] == 3
    effects = document["effects"]
    overall = {e["metric"]: e for e in effects if e["scope"] == "overall"}
    assert set(overall) >= {"coverage", "trust", "workload"}
    coverage = overall["coverage"]
    assert coverage["arm"] == "short_hours" and coverage["n"] == 3
    assert coverage["ci_low"] <= coverage["difference"] <= coverage["ci_high"]
    assert coverage["difference"] == pytest.approx(coverage["arm_mean"] - coverage["baseline_mean"])
    groups = {e["key"] for e in effects if e["scope"] == "group" and e["metric"] == "coverage"}
    assert {"elderly", "working_age", "child"} <= groups
    assert main(["compare", str(SCENARIOS / "baseline.yaml"), short_hours,
                 "--reps", "3", "--out", str(comparison), "--resume", *TINY]) == 0
    text = capsys.readouterr().out
    assert "difference [95% CI]" in text and "by group, short_hours − baseline" in text
    assert re.search(r"Staff workload .* worse", text)


def test_precision_adds_replications_until_met_or_capped(tmp_path: Path, short_hours: str, capsys) -> None:
    files = [str(SCENARIOS / "baseline.yaml"), short_hours]
    loose = compare_json(capsys, *files, "--precision", "trust=1", "--metrics", "trust", "--out",
                         str(tmp_path / "a"), *TINY)
    assert loose["precision_met"] is True and loose["replications"] == 10  # met at once
    tight = compare_json(capsys, *files, "--precision", "1e-9", "--metrics", "coverage,trust",
                         "--max-reps", "4", "--out", str(tmp_path / "b"), *TINY, status=3)
    assert tight["precision_met"] is False and tight["replications"] == 4
    assert main(["compare", *files, "--precision", "1e-9", "--metrics", "trust", "--max-reps", "4",
                 "--out", str(tmp_path / "b"), "--resume", *TINY]) == 3  # ran, but not as precise as asked
    said = capsys.readouterr()
    assert "precision NOT reached" in said.out
    assert "was not reached within --max-reps 4 replications (exit 3)" in said.err


def test_quiet_json_still_prints_the_json(comparison: Path, short_hours: str, capsys) -> None:
    assert main(["-q", "compare", str(SCENARIOS / "baseline.yaml"), short_hours, "--reps", "3",
                 "--out", str(comparison), "--resume", "--json", *TINY]) == 0
    assert json.loads(capsys.readouterr().out)["baseline"] == "baseline"
    assert main(["-q", "params", "--json", "--filter", "contract_hours"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["path"] == "staff.contract_hours"


def test_help_shows_percent_signs_once(capsys) -> None:
    for command in ("compare", "sensitivity"):
        assert main([command, "--help"]) == 0
        text = capsys.readouterr().out
        assert "95%" in text and "%%" not in text


def test_compare_a_spec_with_arms(tmp_path: Path, capsys) -> None:
    spec = tmp_path / "arms.yaml"
    spec.write_text(f"base: {SCENARIOS / 'baseline.yaml'}\nquestion: Does staffing matter?\n"
                    "arms:\n  today: {}\n  long_hours: {set: {staff.contract_hours: 50}}\nreplications: 2\n")
    document = compare_json(capsys, str(spec), "--out", str(tmp_path / "out"), *TINY)
    assert document["baseline"] == "today"
    workload = next(e for e in document["effects"] if e["metric"] == "workload" and e["scope"] == "overall")
    assert workload["arm"] == "long_hours" and workload["difference"] < 0


def test_report_is_one_self_contained_html_file(comparison: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "report.html"
    assert main(["report", str(comparison), "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    html = out.read_text()
    for section in ("The arms", "Effects", "Over time", "Who gains, who loses", "Reproduce"):
        assert f">{section}<" in html
    assert html.count("data:image/png;base64,") >= 2
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)  # nothing fetched from elsewhere
    assert "<code>short_hours</code> against <code>baseline</code>" in html
    assert "<code>git_commit = " in html and "<details>" in html


def test_sensitivity_command_writes_indices_and_figure(tmp_path: Path, capsys) -> None:
    spec = tmp_path / "morris.yaml"
    spec.write_text(f"base: {SCENARIOS / 'baseline.yaml'}\n"
                    "factors:\n  staff.per_10k_urban: {range: [10, 30]}\n"
                    "  departments.civil_affairs.task_hours: {range: [0, 20]}\n"
                    "design: morris\nsamples: 3\nreplications: 2\nmetrics: [workload, admin_share]\n")
    assert main(["sensitivity", str(spec), "--out", str(tmp_path / "out"), "--json", *TINY]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["method"] == "morris" and Path(document["figure"]).is_file()
    mu = {(r["metric"], r["factor"]): r["value"] for r in document["indices"] if r["index"] == "mu_star"}
    assert mu[("workload", "staff.per_10k_urban")] > 0
    assert mu[("admin_share", "departments.civil_affairs.task_hours")] > 0
    # Trajectories and runs used: 3 trajectories x (2 factors + 1) x 2 replications.
    assert document["trajectories"] == document["samples"] == 3 and document["replications"] == 2
    assert document["runs"] == 18 and document["distinct_runs"] <= 18
    flagged = [r for r in document["indices"] if r["flag"]]
    assert [{k: v for k, v in r.items() if k != "suggested_n"} for r in flagged] == document["flags"]
    assert set(document["suggested_samples"]) == {r["metric"] for r in flagged}
    assert (document["warning"] is None) == (not flagged)
    assert all(r["suggested_n"] >= 6 for r in flagged)  # at least double the trajectories
    table = (tmp_path / "out" / "sensitivity.csv").read_text().splitlines()
    assert table[0] == "metric,factor,index,value,conf,flag,suggested_n"
    assert main(["sensitivity", str(spec), "--out", str(tmp_path / "out"), "--resume", *TINY]) == 0
    text = capsys.readouterr().out
    assert "3 trajectories × (2 factors + 1) × 2 replications = 18 runs used" in text
    assert ("WARNING" in text) == bool(flagged)
    assert main(["report", str(tmp_path / "out")]) == 0
    html = (tmp_path / "out" / "report.html").read_text()
    assert ">Sensitivity<" in html and " ± " in html and "<th>convergence flag</th>" in html
    assert "<th>suggested sample size</th>" in html


def test_sensitivity_needs_a_sobol_or_morris_design(tmp_path: Path, capsys) -> None:
    spec = tmp_path / "grid.yaml"
    spec.write_text(f"base: {SCENARIOS / 'baseline.yaml'}\n"
                    "factors:\n  staff.per_10k_urban: {values: [10, 30]}\ndesign: grid\n")
    assert main(["sensitivity", str(spec), "--out", str(tmp_path / "out"), *TINY]) == 2
    assert "needs 'design: sobol' or 'design: morris'" in capsys.readouterr().err


def test_report_of_a_missing_directory_is_an_input_error(tmp_path: Path, capsys) -> None:
    assert main(["report", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err
    assert "not a govsim results directory" in err and "Traceback" not in err


def test_bad_metric_names_are_caught_with_a_suggestion(capsys) -> None:
    assert main(["compare", "a.yaml", "b.yaml", "--metrics", "coverge"]) == 2
    assert "Did you mean 'coverage'?" in capsys.readouterr().err


def test_calibrate_command_keeps_command_line_overrides_in_the_scenario(tmp_path: Path, capsys) -> None:
    spec = tmp_path / "cal.yaml"
    spec.write_text(f"base: {SCENARIOS / 'baseline.yaml'}\n"
                    "factors:\n  staff.contract_hours: {range: [30, 50]}\n"
                    "targets:\n  - {metric: workload, value: 0.9, tolerance: 0.5}\n"
                    "replications: 1\noptimizer: {method: powell, max_evaluations: 4}\n")
    assert main(["calibrate", str(spec), "--out", str(tmp_path / "out"), "--json",
                 "--set", "population.urban_share=0.5", *TINY]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["evaluations"] <= 4 and document["targets_met"] == 1
    scenario = Path(document["scenario"]).read_text()
    assert "urban_share: 0.5" in scenario and "residents: 2000" in scenario and "steps: 8" in scenario
    assert "contract_hours:" in scenario
