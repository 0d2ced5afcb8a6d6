"""Sweeps: stored as runs finish, resumable after a kill, failures recorded, tables loadable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import govsim
from govsim.study import StudyError, load_cases, load_results, load_spec, load_summaries, run_sweep
from govsim.study.design import points, replication_seed
from govsim.study.store import RunStore

ROOT = Path(__file__).resolve().parent.parent
SPEC = """base: {base}
set:
  population.residents: {residents}
  hierarchy.communities_per_township: 1
  steps: {steps}
factors:
  policies.0.margin: {{values: [0.0, 0.3]}}
  policies.0.levels: {{values: [1, 3]}}
design: grid
replications: {reps}
seed: 11
metrics: [coverage, workload]
"""


def write_spec(tmp_path: Path, *, reps: int = 2, steps: int = 6, residents: int = 2000) -> Path:
    path = tmp_path / "grid.yaml"
    path.write_text(SPEC.format(base=ROOT / "scenarios" / "target_inflation.yaml", reps=reps, steps=steps,
                                residents=residents))
    return path


def cli(*argv: str, cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "govsim", *argv], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_hear_ctrl_c)


def _hear_ctrl_c() -> None:
    """Give the child the default Ctrl-C: a shell that runs the suite in the background (as
    ``.ci/run`` runs its second Python) ignores SIGINT, and the child would inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for_runs(runs: Path, count: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if runs.is_dir() and len(list(runs.glob("*.parquet"))) >= count:
            return
        if process.poll() is not None:
            pytest.fail(f"sweep ended early: {process.communicate()}")
        time.sleep(0.05)
    process.kill()
    pytest.fail("sweep stored no runs in time")


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An uninterrupted serial sweep of the slow spec: (spec, results directory)."""
    tmp = tmp_path_factory.mktemp("reference")
    spec = write_spec(tmp, reps=3, steps=30, residents=6000)
    out = tmp / "results"
    summary = run_sweep(load_spec(spec), out=out)
    assert (summary.planned, summary.done, summary.failed) == (12, 12, 0)
    return spec, out


def test_results_table_shape_and_columns(reference: tuple[Path, Path]) -> None:
    _, out = reference
    table = govsim.load_results(out)
    assert len(table) == 12 * 30  # one row per run and week
    assert list(table.columns[:10]) == ["run_id", "point", "label", "replication", "seed", "scenario_hash",
                                        "policies.0.margin", "policies.0.levels", "week", "coverage"]
    assert table.groupby("point")["run_id"].nunique().tolist() == [3, 3, 3, 3]
    # Common random numbers: the seeds of replication r are the same at every point.
    assert table.groupby("replication")["seed"].nunique().eq(1).all()
    groups = load_results(out, scope="group", metrics=["coverage", "trust"])
    assert set(groups["group"]) >= {"elderly", "working_age", "child"}
    assert list(groups.columns[-3:]) == ["group", "coverage", "trust"]
    summaries = load_summaries(out)
    assert summaries["run_id"].nunique() == 12 and set(summaries["scope"]) >= {"overall", "group"}
    # The store is readable by pandas in one call, without govsim.
    raw = pd.read_parquet(out / "runs")
    assert raw["run_id"].nunique() == 12 and set(raw["scope"]) == {"overall", "group"}


def test_a_stored_run_is_the_same_as_simulate(reference: tuple[Path, Path]) -> None:
    spec_path, out = reference
    spec = load_spec(spec_path)
    table = load_results(out)
    row = table.iloc[-1]
    scenario = spec.base.with_overrides({"policies.0.margin": row["policies.0.margin"],
                                         "policies.0.levels": int(row["policies.0.levels"])})
    assert scenario.hash == row["scenario_hash"]
    direct = govsim.simulate(scenario, int(row["seed"])).timeseries
    direct = direct[direct["scope"] == "overall"].pivot(index="week", columns="metric", values="value")
    stored = table[table["run_id"] == row["run_id"]].set_index("week")
    pd.testing.assert_series_equal(stored["coverage"], direct["coverage"], check_names=False)


def test_kill_mid_sweep_then_resume_gives_the_same_table(reference: tuple[Path, Path],
                                                         tmp_path: Path) -> None:
    spec, full = reference
    out = tmp_path / "killed"
    process = cli("sweep", str(spec), "--workers", "1", "--out", str(out), cwd=tmp_path)
    wait_for_runs(out / "runs", 3, process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    stored = len(RunStore(out).done())
    assert 3 <= stored < 12
    (out / "runs" / ".half-written.parquet.1234.tmp").write_bytes(b"PAR1 torn")  # a write cut short
    # Without --resume the directory is refused, so nothing is mixed by accident.
    with pytest.raises(StudyError, match="--resume"):
        run_sweep(load_spec(spec), out=out)
    summary = run_sweep(load_spec(spec), out=out, resume=True)
    assert summary.already == stored and summary.done == 12 - stored
    pd.testing.assert_frame_equal(load_results(out), load_results(full))
    again = run_sweep(load_spec(spec), out=out, resume=True)
    assert again.done == 0 and again.already == 12


def test_ctrl_c_exits_130_and_keeps_finished_runs(tmp_path: Path) -> None:
    # 160 runs, so the sweep is still going when Ctrl-C comes, however busy the machine
    # (the 12 of the reference spec could all finish between the check and the signal).
    spec = write_spec(tmp_path, reps=40, steps=30, residents=6000)
    out = tmp_path / "interrupted"
    process = cli("sweep", str(spec), "--workers", "2", "--out", str(out), cwd=tmp_path)
    wait_for_runs(out / "runs", 2, process)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err
    assert 2 <= len(RunStore(out).done()) < 160
    assert (out / "index.csv").is_file()


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path: Path, monkeypatch) -> None:
    import govsim.run

    real = govsim.run.simulate
    spec = load_spec(write_spec(tmp_path))
    bad_seed = replication_seed(spec.seed, 1)

    def flaky(scenario, seed=None, **kw):
        if seed == bad_seed and scenario.get("policies[0].levels") == 3:
            raise RuntimeError("model blew up")
        return real(scenario, seed, **kw)

    monkeypatch.setattr(govsim.run, "simulate", flaky)
    summary = run_sweep(spec, out=tmp_path / "out")
    assert (summary.done, summary.failed) == (6, 2)
    assert "RuntimeError: model blew up" in summary.errors[0]
    index = pd.read_csv(tmp_path / "out" / "index.csv")
    assert index["status"].value_counts().to_dict() == {"done": 6, "failed": 2}
    failure = next(iter(RunStore(tmp_path / "out").failures().values()))
    assert "model blew up" in failure["traceback"]
    # A resume retries the failed runs; once they succeed, the failures are gone.
    monkeypatch.setattr(govsim.run, "simulate", real)
    again = run_sweep(spec, out=tmp_path / "out", resume=True)
    assert (again.already, again.done, again.failed) == (6, 2, 0)
    assert not RunStore(tmp_path / "out").failures()


def test_a_different_experiment_is_not_mixed_in(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_sweep(load_spec(write_spec(tmp_path, reps=1)), out=out)
    other = load_spec(write_spec(tmp_path, reps=1, steps=5))
    with pytest.raises(StudyError, match="different experiment"):
        run_sweep(other, out=out, resume=True)
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "notes.txt").write_text("mine")
    with pytest.raises(StudyError, match="not empty"):
        run_sweep(other, out=tmp_path / "junk")


def test_export_csv_and_parquet(reference: tuple[Path, Path], tmp_path: Path) -> None:
    from govsim.cli import main

    _, out = reference
    assert main(["-q", "export", str(out), str(tmp_path / "r.csv")]) == 0
    assert main(["-q", "export", str(out), str(tmp_path / "g.parquet"), "--scope", "group"]) == 0
    table = load_results(out)
    back = pd.read_csv(tmp_path / "r.csv")
    assert back.shape == table.shape and list(back.columns) == list(table.columns)
    assert pd.read_parquet(tmp_path / "g.parquet").equals(load_results(out, scope="group"))


def _tagged_processes(tag: str) -> list[int]:
    """Processes whose environment carries ``tag`` (the sweep and every worker it started)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if tag.encode() in (proc / "environ").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
def test_kill_9_leaves_no_worker_behind(reference: tuple[Path, Path], tmp_path: Path) -> None:
    spec, _ = reference
    tag = f"GOVSIM_TEST_TAG=kill9-{os.getpid()}-{time.monotonic_ns()}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), tag.split("=")[0]: tag.split("=")[1]}
    process = subprocess.Popen([sys.executable, "-m", "govsim", "sweep", str(spec), "--workers", "2",
                                "--out", str(tmp_path / "out")], cwd=tmp_path, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_runs(tmp_path / "out" / "runs", 1, process)
    assert len(_tagged_processes(tag)) >= 3  # the sweep and its two workers
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    deadline = time.monotonic() + 20
    while _tagged_processes(tag) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _tagged_processes(tag) == []


def test_a_sweep_stores_case_ledgers_on_request(tmp_path: Path) -> None:
    spec_path = write_spec(tmp_path, reps=2, steps=8)
    spec = load_spec(spec_path)
    out = tmp_path / "results"
    run_sweep(spec, out=out)
    store = RunStore(out)
    assert store.with_cases() == set()
    with pytest.raises(StudyError, match="--cases"):
        load_cases(out)
    # Asking for ledgers on resume re-runs exactly the stored runs that lack one.
    summary = run_sweep(spec, out=out, resume=True, cases=True)
    assert (summary.already, summary.done) == (0, 8)
    assert store.with_cases() == store.done()
    again = run_sweep(spec, out=out, resume=True, cases=True)
    assert (again.already, again.done) == (8, 0)

    cases = load_cases(out)
    assert cases["run_id"].nunique() == 8
    assert list(cases.columns[:6]) == ["run_id", "point", "label", "replication", "seed", "scenario_hash"]
    # One run's stored ledger is the ledger simulate() gives for that scenario and seed.
    first = cases[cases["run_id"] == cases["run_id"].iloc[0]]
    point = next(p for p in points(spec) if p.index == first["point"].iloc[0])
    direct = govsim.simulate(point.scenario, int(first["seed"].iloc[0]), cases=True).cases
    stored = first[direct.columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(stored, direct, check_categorical=False)
    # The stored summary agrees with the stored ledger: whole-run coverage recomputed from the cases.
    summaries = load_summaries(out)
    one = summaries[(summaries["run_id"] == first["run_id"].iloc[0]) & (summaries["scope"] == "overall")]
    coverage = one[one["metric"] == "coverage"]
    due = first["deadline_week"].between(0, 7)
    in_time = (first["outcome"] == "in_time") & due
    assert in_time.sum() / due.sum() == pytest.approx(coverage["value"].item(), abs=1e-12)
    # And pandas alone reads every ledger in one call.
    assert pd.read_parquet(out / "cases")["run_id"].nunique() == 8


def test_the_spec_key_cases_asks_for_ledgers(tmp_path: Path) -> None:
    spec_path = write_spec(tmp_path, reps=1, steps=4)
    spec_path.write_text(spec_path.read_text() + "cases: true\n")
    spec = load_spec(spec_path)
    assert spec.cases is True
    summary = run_sweep(spec, out=tmp_path / "results")
    assert summary.done == 4 and RunStore(tmp_path / "results").with_cases() == RunStore(
        tmp_path / "results").done()
