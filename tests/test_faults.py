"""Hostile output paths and faults: every writing command says what is wrong in one sentence (exit 2),
a killed run leaves nothing that passes for a run, a full disk or a damaged store is survivable with
--resume, two sweeps never share a store, and Dask fails fast and stops quietly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from govsim.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
EXPERIMENTS = ROOT / "experiments"
SMALL = ["--set", "population.residents=2000", "--set", "hierarchy.communities_per_township=1"]
#: A grid of two points: the smallest sweep that still has a design.
SPEC = """base: {base}
set:
  population.residents: 2000
  hierarchy.communities_per_township: 1
  warmup_weeks: 0
  steps: {steps}
factors:
  policies.0.margin: {{values: [0.0, 0.3]}}
design: grid
replications: {reps}
seed: 5
metrics: [coverage]
"""
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def write_spec(folder: Path, *, reps: int = 1, steps: int = 3) -> Path:
    path = folder / "grid.yaml"
    path.write_text(SPEC.format(base=SCENARIOS / "target_inflation.yaml", reps=reps, steps=steps))
    return path


def child(code: str, *argv: str, cwd: Path, **kw) -> subprocess.Popen:
    """A Python child that runs ``code`` (patches, then ``govsim.cli.main``) with ``argv``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", code, *argv], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A spec, its finished results store and a run directory, to aim commands at."""
    tmp = tmp_path_factory.mktemp("stored")
    spec = write_spec(tmp)
    assert main(["-q", "sweep", str(spec), "--workers", "1", "--out", str(tmp / "store")]) == 0
    assert main(["-q", "run", str(SCENARIOS / "baseline.yaml"), *SMALL, "--steps", "2", "--no-plot",
                 "--out", str(tmp / "run")]) == 0
    return {"spec": spec, "store": tmp / "store", "run": tmp / "run"}


# -- 1. output paths that cannot be written -------------------------------------------------------


def _dir_commands(s: dict[str, Path]) -> dict[str, list[str]]:
    """Commands that write a directory, without their --out (each fails before running anything)."""
    few = ["--reps", "1", "--steps", "1", "--workers", "1", *SMALL]
    return {
        "run": ["run", str(SCENARIOS / "baseline.yaml"), *SMALL, "--steps", "1"],
        "sweep": ["sweep", str(s["spec"]), "--workers", "1"],
        "compare": ["compare", str(SCENARIOS / "baseline.yaml"), str(SCENARIOS / "transparency.yaml"), *few],
        "sensitivity": ["sensitivity", str(EXPERIMENTS / "staff_workload_sobol.yaml"), *few],
        "calibrate": ["calibrate", str(EXPERIMENTS / "calibrate_abc_synthetic.yaml"), "--method",
                      "nelder-mead", *few],
        "discover": ["discover", str(s["spec"]), "--below", "0.5", "--samples", "2", "--workers", "1"],
    }


def _file_commands(s: dict[str, Path]) -> dict[str, list[str]]:
    """Commands that write one file, without the file."""
    return {
        "report": ["report", str(s["store"]), "--out"],
        "export": ["export", str(s["store"])],
        "schema": ["schema", "--out"],
        "plot": ["plot", str(s["run"]), "--out"],
    }


def _bad_dir(tmp: Path, case: str) -> tuple[Path, str]:
    """An output directory that cannot be used, and the words the message must have."""
    a_file = tmp / "a-file"
    a_file.write_text("not a directory\n")
    if case == "is a file":
        return a_file, f"{a_file} is a file"
    if case == "under a file":
        return a_file / "sub" / "out", f"lies under the file {a_file}"
    locked = tmp / "read-only"
    locked.mkdir()
    locked.chmod(0o555)
    if case == "cannot be created":
        return locked / "out", "cannot be created: permission denied"
    return locked, f"{locked} is not writable"


def _bad_file(tmp: Path, case: str) -> tuple[Path, str]:
    a_file = tmp / "a-file"
    a_file.write_text("not a directory\n")
    if case == "is a directory":
        return tmp, f"{tmp} is a directory"
    if case == "under a file":
        return a_file / "out.csv", f"lies under the file {a_file}"
    locked = tmp / "read-only"
    locked.mkdir()
    locked.chmod(0o555)
    return locked / "out.csv", "is not writable"


NEEDS_PERMISSIONS = pytest.mark.skipif(AS_ROOT, reason="root writes to a read-only directory anyway; "
                                                        "the file and under-a-file cases still run")
DIR_CASES = ["is a file", "under a file", pytest.param("cannot be created", marks=NEEDS_PERMISSIONS),
             pytest.param("not writable", marks=NEEDS_PERMISSIONS)]
FILE_CASES = ["is a directory", "under a file", pytest.param("not writable", marks=NEEDS_PERMISSIONS)]


def _one_clear_sentence(err: str, *words: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Errno" not in err and "Traceback" not in err, err
    for word in words:
        assert word in err, err


@pytest.mark.parametrize("case", DIR_CASES)
@pytest.mark.parametrize("command", ["run", "sweep", "compare", "sensitivity", "calibrate", "discover"])
def test_an_output_directory_that_cannot_be_used_is_exit_2(stored, tmp_path, capsys, command, case) -> None:
    out, words = _bad_dir(tmp_path, case)
    try:
        assert main([*_dir_commands(stored)[command], "--out", str(out)]) == 2
    finally:
        (tmp_path / "read-only").exists() and (tmp_path / "read-only").chmod(0o755)
    _one_clear_sentence(capsys.readouterr().err, words)


@pytest.mark.parametrize("case", FILE_CASES)
@pytest.mark.parametrize("command", ["report", "export", "schema", "plot"])
def test_an_output_file_that_cannot_be_written_is_exit_2(stored, tmp_path, capsys, command, case) -> None:
    out, words = _bad_file(tmp_path, case)
    try:
        assert main([*_file_commands(stored)[command], str(out)]) == 2
    finally:
        (tmp_path / "read-only").exists() and (tmp_path / "read-only").chmod(0o755)
    _one_clear_sentence(capsys.readouterr().err, words)


def test_plot_of_a_file_or_a_run_it_cannot_write_into(stored, tmp_path, capsys) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    assert main(["plot", str(a_file)]) == 2
    _one_clear_sentence(capsys.readouterr().err, f"{a_file}: no such run directory")
    # The figure's own place taken by a directory: refused before drawing.
    (stored["run"] / "figure.png").mkdir()
    try:
        assert main(["plot", str(stored["run"])]) == 2
    finally:
        (stored["run"] / "figure.png").rmdir()
    _one_clear_sentence(capsys.readouterr().err, "figure.png is a directory")


def test_a_write_that_fails_names_the_file_in_one_sentence(tmp_path, monkeypatch) -> None:
    import errno

    from govsim import files

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(files.os, "fsync", full)
    target = tmp_path / "table.csv"
    with pytest.raises(files.OutputError) as caught:
        files.write_atomic(target, b"a,b\n")
    assert str(caught.value) == f"no space left on device while writing {target}"
    assert caught.value.errno == errno.ENOSPC and isinstance(caught.value, OSError)
    assert list(tmp_path.iterdir()) == []  # no temporary left


# -- 2. kill -9 during govsim run ---------------------------------------------------------------

#: ``govsim run`` whose writes stop after summary.csv (a second file) until the test kills it.
SLOW_WRITE = """
import sys, time
import govsim.io as io
real = io.write_atomic
def slow(path, data):
    out = real(path, data)
    if path.name == "summary.csv":
        print("writing", path.parent, flush=True)
        time.sleep(120)
    return out
io.write_atomic = slow
from govsim.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _kill_mid_write(tmp: Path, *argv: str) -> Path:
    """Run ``govsim run ARGV`` with slow writes, ``kill -9`` it mid-write; the directory written to."""
    import signal

    process = child(SLOW_WRITE, "run", str(SCENARIOS / "baseline.yaml"), *SMALL, "--steps", "2",
                    "--no-plot", *argv, cwd=tmp)
    line = process.stdout.readline()
    if not line.startswith("writing"):
        process.kill()
        pytest.fail(f"the run did not start writing: {line!r} {process.communicate()}")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return Path(line.split(" ", 1)[1].strip())


def test_kill_9_while_writing_a_new_run_leaves_no_run(tmp_path, capsys) -> None:
    from govsim.io import RunDirError, read_run

    out = tmp_path / "run"
    writing = _kill_mid_write(tmp_path, "--out", str(out))
    assert writing.parent == tmp_path and writing.name.startswith(".run.")  # a hidden temporary
    assert not out.exists()
    for path in (out, writing):  # neither the run nor its temporary passes for a run
        with pytest.raises(RunDirError):
            read_run(path)
        assert main(["plot", str(path)]) == 2
    assert not (writing / "manifest.json").exists()
    # The next run into the same place completes and clears the temporary away.
    assert main(["-q", "run", str(SCENARIOS / "baseline.yaml"), *SMALL, "--steps", "2", "--no-plot",
                 "--out", str(out)]) == 0
    assert read_run(out).seed is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_kill_9_while_replacing_a_run_keeps_the_old_one(tmp_path) -> None:
    from govsim.io import read_run

    out = tmp_path / "run"
    assert main(["-q", "run", str(SCENARIOS / "baseline.yaml"), *SMALL, "--steps", "2", "--no-plot",
                 "--seed", "1", "--out", str(out)]) == 0
    (out / "notes.txt").write_text("mine")
    _kill_mid_write(tmp_path, "--seed", "2", "--overwrite", "--out", str(out))
    old = read_run(out)  # checksums verified: whole, and the old run
    assert old.seed == 1 and (out / "notes.txt").read_text() == "mine"


# -- 3. a full disk during a sweep --------------------------------------------------------------


def _sweep(spec: Path, out: Path, *extra: str) -> int:
    return main(["-q", "sweep", str(spec), "--workers", "1", "--out", str(out), *extra])


def test_a_full_disk_stops_the_sweep_clearly_and_resume_finishes(tmp_path, monkeypatch, capsys) -> None:
    import errno

    import govsim
    from govsim import files
    from govsim.study import store

    spec = write_spec(tmp_path, reps=2)  # 4 runs
    out = tmp_path / "results"
    real = store.write_atomic
    stored = []

    def disk_fills_after_two_runs(path: Path, data: bytes) -> dict:
        if path.parent.name == "runs":
            if len(stored) == 2:
                def full(fd: int) -> None:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

                monkeypatch.setattr(files.os, "fsync", full)  # the disk is full from here on
            stored.append(path)
        return real(path, data)

    monkeypatch.setattr(store, "write_atomic", disk_fills_after_two_runs)
    assert _sweep(spec, out) == 2
    err = capsys.readouterr().err
    _one_clear_sentence(err, f"no space left on device while writing {out}/runs/", "2 runs of 4 are stored",
                        "free space and run the same command again with --resume")
    assert govsim.load_results(out)["run_id"].nunique() == 2  # what is stored stays readable
    monkeypatch.undo()  # space is back
    assert _sweep(spec, out, "--resume") == 0
    assert govsim.load_results(out)["run_id"].nunique() == 4


# -- 4. a damaged store -------------------------------------------------------------------------


def test_a_damaged_store_is_named_and_resume_recomputes_it(tmp_path, capsys) -> None:
    import pandas as pd

    import govsim
    from govsim.study import StudyError

    spec = write_spec(tmp_path, reps=2)
    out = tmp_path / "results"
    assert _sweep(spec, out) == 0
    whole = govsim.load_results(out)
    runs = sorted((out / "runs").glob("*.parquet"))
    torn = runs[1]
    torn.write_bytes(torn.read_bytes()[: torn.stat().st_size // 2])  # a truncated Parquet file
    (out / "index.csv").write_text("run_id,status\nnonsense,done\n")  # an edited index: never read
    with pytest.raises(StudyError, match=f"{torn}: cannot be read as a stored run"):
        govsim.load_results(out)
    for argv in (["report", str(out)], ["export", str(out), str(tmp_path / "all.csv")]):
        assert main(argv) == 2
        _one_clear_sentence(capsys.readouterr().err, str(torn), "--resume")
    # --resume moves the unreadable file aside, runs it again, and rebuilds the index.
    assert _sweep(spec, out, "--resume") == 0
    _one_clear_sentence(capsys.readouterr().err, "govsim: warning: 1 run file", torn.name,
                        f"moved to {out / 'damaged'} and run again")
    assert (out / "damaged" / torn.name).is_file()
    pd.testing.assert_frame_equal(govsim.load_results(out), whole)
    assert len(pd.read_csv(out / "index.csv")) == 4


@pytest.mark.parametrize("damage", ["{not json", '{"format": "govsim-experiment/1"}'])
def test_a_damaged_experiment_json_is_named_and_resume_rewrites_it(tmp_path, capsys, damage) -> None:
    import govsim
    from govsim.study import StudyError

    spec = write_spec(tmp_path)
    out = tmp_path / "results"
    assert _sweep(spec, out) == 0
    (out / "experiment.json").write_text(damage)
    with pytest.raises(StudyError, match=f"{out / 'experiment.json'}: .*damaged"):
        govsim.load_results(out)
    assert main(["report", str(out)]) == 2
    _one_clear_sentence(capsys.readouterr().err, str(out / "experiment.json"), "--resume")
    assert _sweep(spec, out) == 2  # not without --resume
    _one_clear_sentence(capsys.readouterr().err, "experiment.json", "--resume")
    assert main(["sweep", str(spec), "--workers", "1", "--out", str(out), "--resume", "--json"]) == 0
    said = capsys.readouterr()
    _one_clear_sentence(said.err, "govsim: warning:", "experiment.json", "rewritten from this spec")
    assert '"already_stored": 2' in said.out  # no run recomputed
    assert govsim.load_results(out)["run_id"].nunique() == 2


# -- 5. two sweeps into one directory -----------------------------------------------------------


def test_a_second_sweep_into_the_same_directory_is_refused(tmp_path, capsys) -> None:
    import json
    import signal
    import time

    import govsim

    spec = write_spec(tmp_path, reps=30, steps=20)  # 60 runs: still going when the second comes
    out = tmp_path / "results"
    first = child("import sys; from govsim.cli import main; sys.exit(main(sys.argv[1:]))", "-q", "sweep",
                  str(spec), "--workers", "1", "--out", str(out), cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while not list((out / "runs").glob("*.parquet")) if (out / "runs").is_dir() else True:
            assert first.poll() is None and time.monotonic() < deadline, first.communicate()
            time.sleep(0.05)
        holder = json.loads((out / ".lock").read_text())
        assert holder["pid"] == first.pid
        for resume in ([], ["--resume"]):
            assert _sweep(spec, out, *resume) == 2
            _one_clear_sentence(capsys.readouterr().err, f"{out} is in use by another govsim (pid "
                                f"{first.pid}, started {holder['started']}); wait for it or choose "
                                "another --out")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    # The lock died with its process (kill -9 leaves the file, not the lock): resuming goes ahead.
    done = len(list((out / "runs").glob("*.parquet")))
    assert _sweep(spec, out, "--resume", "--reps", "1") == 0
    assert json.loads((out / ".lock").read_text())["pid"] == os.getpid()
    assert len(list((out / "runs").glob("*.parquet"))) >= max(done, 2)
    assert govsim.load_results(out)["run_id"].nunique() == 2  # one replication of two points


# -- 6. Dask: an unreachable scheduler, Ctrl-C ---------------------------------------------------


def test_an_unreachable_dask_scheduler_fails_fast_naming_it(stored, tmp_path) -> None:
    import time

    pytest.importorskip("distributed")
    address = "tcp://127.0.0.1:1"  # loopback, a port nothing listens on
    clock = time.monotonic()
    process = child("import sys; from govsim.cli import main; sys.exit(main(sys.argv[1:]))", "sweep",
                    str(stored["spec"]), "--executor", "dask", "--scheduler", address, "--out",
                    str(tmp_path / "results"), cwd=tmp_path)
    _, err = process.communicate(timeout=60)
    assert time.monotonic() - clock < 10
    assert process.returncode == 2, err
    _one_clear_sentence(err, f"cannot reach the Dask scheduler at {address}", "connection refused")


def test_ctrl_c_stops_a_dask_sweep_quietly(tmp_path) -> None:
    import signal
    import time

    pytest.importorskip("distributed")
    spec = write_spec(tmp_path, reps=200, steps=40)  # far more than can finish before Ctrl-C
    out = tmp_path / "results"

    def own_group_hearing_ctrl_c() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # a background shell's children ignore it
        os.setpgrp()  # so Ctrl-C can reach the whole group, as in a terminal

    process = child("import sys; from govsim.cli import main; sys.exit(main(sys.argv[1:]))", "sweep",
                    str(spec), "--executor", "dask", "--workers", "2", "--out", str(out), cwd=tmp_path,
                    preexec_fn=own_group_hearing_ctrl_c)
    deadline = time.monotonic() + 90
    while not (out / "runs").is_dir() or not list((out / "runs").glob("*.parquet")):
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: every process hears it
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) <= 3 and "Traceback" not in err and "distributed" not in err, err
    assert "--resume" in err


def _as_nobody(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``govsim ARGS`` as an unprivileged user: as root, through setpriv (root ignores permissions)."""
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if AS_ROOT else []
    return subprocess.run([*prefix, sys.executable, "-m", "govsim", *args], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, env=env)


@pytest.mark.skipif(AS_ROOT and shutil.which("setpriv") is None, reason="needs setpriv to drop root")
def test_a_folder_it_may_not_write_to_is_exit_2_for_a_user_without_the_right(tmp_path) -> None:
    # A folder of its own under /tmp: pytest's own temporary folders are private to root.
    shared = Path(tempfile.mkdtemp(prefix="govsim-perm-", dir="/tmp"))
    try:
        shared.chmod(0o755)
        locked = shared / "read-only"
        locked.mkdir(mode=0o555)
        locked.chmod(0o555)
        cache = shared / "cache"
        cache.mkdir(mode=0o777)
        cache.chmod(0o777)
        env = {**os.environ, "MPLCONFIGDIR": str(cache), "HOME": str(cache), "PYTHONDONTWRITEBYTECODE": "1"}
        started = _as_nobody(["--version"], env)
        if started.returncode != 0:
            pytest.skip(f"an unprivileged user cannot start this Python: {started.stderr.strip()[:200]}")
        run = ["run", "scenarios/baseline.yaml", "--steps", "1", "--set", "population.residents=500",
               "--set", "warmup_weeks=0"]
        cases = [([*run, "--out", str(locked / "out")], "cannot be created: permission denied"),
                 ([*run, "--out", str(locked)], f"{locked} is not writable"),
                 (["schema", "--out", str(locked / "schema.json")], "is not writable")]
        for args, words in cases:
            done = _as_nobody(args, env)
            assert done.returncode == 2, (args, done.stderr)
            _one_clear_sentence(done.stderr, words)
    finally:
        shutil.rmtree(shared, ignore_errors=True)
