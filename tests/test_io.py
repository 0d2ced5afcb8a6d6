"""Run directories: complete or absent, exact, reproducible, and safe for user files."""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from govsim import io
from govsim.io import MANIFEST, RunDirError, read_run, write_run
from govsim.metrics import summarise
from govsim.run import RunResult

RUN_FILES = ("timeseries.csv", "summary.csv", "summary.json", "scenario.yaml")


@dataclass(frozen=True)
class FakeScenario:
    """Just what the writers use of a Scenario."""

    name: str = "tiny"
    seed: int = 7
    steps: int = 6
    params: dict = field(default_factory=lambda: {"population": {"residents": 100}})

    def to_dict(self) -> dict:
        return {"name": self.name, "seed": self.seed, "steps": self.steps, **self.params}

    @property
    def hash(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False)


def fake_timeseries(weeks: int = 6) -> pd.DataFrame:
    """A small tidy table with awkward floats: 0.1, thirds, tiny, huge, inf and NaN."""
    rows = []
    for week in range(weeks):
        due = {"elderly": 3.0 + week, "child": 1.0}
        for key, value in due.items():
            rows.append((week, "cases_due", "group", key, value))
            rows.append((week, "resolved_in_time", "group", key, value / 3))
        rows.append((week, "cases_due", "overall", "all", sum(due.values())))
        rows.append((week, "resolved_in_time", "overall", "all", sum(due.values()) / 3))
        rows.append((week, "trust", "overall", "all", 0.1 + week * 1e-300))
        rows.append((week, "workload", "overall", "all", 1e300 if week == 2 else 2 / 3))
        rows.append((week, "workload", "community", "Hilltop", math.inf if week == 3 else math.nan))
    return pd.DataFrame(rows, columns=["week", "metric", "scope", "key", "value"])


def fake_result(seed: int = 7, name: str = "tiny") -> RunResult:
    scenario = FakeScenario(name=name, seed=seed)
    timeseries = fake_timeseries(scenario.steps)
    manifest = {
        "scenario": scenario.to_dict(), "scenario_hash": scenario.hash, "seed": seed,
        "steps": scenario.steps, "versions": {"govsim": "test"}, "started_at": "2024-01-01T00:00:00+00:00",
        "wall_seconds": 0.25,
    }
    return RunResult(scenario, seed, timeseries, summarise(timeseries), manifest)


def tmp_leftovers(path: Path) -> list[Path]:
    return sorted(path.glob("*.tmp")) + sorted(path.glob(".*.tmp"))


def test_write_run_writes_every_file_and_checksums_them(tmp_path: Path) -> None:
    out = write_run(fake_result(), tmp_path / "run")
    manifest = json.loads((out / MANIFEST).read_text())
    assert set(manifest["files"]) == set(RUN_FILES)
    for name, entry in manifest["files"].items():
        data = (out / name).read_bytes()
        assert entry == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    assert manifest["seed"] == 7 and manifest["format"] == io.FORMAT
    assert (out / "scenario.yaml").read_text() == FakeScenario().to_yaml()
    assert tmp_leftovers(out) == []


def test_rewriting_the_same_result_is_byte_identical(tmp_path: Path) -> None:
    result = fake_result()
    first, second = write_run(result, tmp_path / "a"), write_run(result, tmp_path / "b")
    for name in (*RUN_FILES, MANIFEST):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    before = {name: (first / name).read_bytes() for name in (*RUN_FILES, MANIFEST)}
    write_run(result, first)  # same run into the same directory: no flag needed
    assert before == {name: (first / name).read_bytes() for name in (*RUN_FILES, MANIFEST)}


def test_timeseries_reads_back_exactly_in_one_read_csv_call(tmp_path: Path) -> None:
    result = fake_result()
    out = write_run(result, tmp_path / "run")
    table = pd.read_csv(out / "timeseries.csv")
    assert list(table.columns) == ["week", "metric", "scope", "key", "value"]
    assert table["value"].dtype == np.float64
    expected = result.timeseries["value"].to_numpy()
    got = table["value"].to_numpy()
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    assert np.array_equal(got[~np.isnan(got)], expected[~np.isnan(expected)])  # exact, not close
    assert "0.1," not in (out / "timeseries.csv").read_text()  # shortest form ends the line: "0.1\n"
    assert "\n0,trust,overall,all,0.1\n" in (out / "timeseries.csv").read_text()


def test_read_run_round_trips_the_tables(tmp_path: Path) -> None:
    result = fake_result()
    run = read_run(write_run(result, tmp_path / "run"))
    as_text = {"metric": object, "scope": object, "key": object}
    pd.testing.assert_frame_equal(run.timeseries.astype(as_text), result.timeseries.astype(as_text))
    assert run.seed == 7 and run.name == "tiny"
    assert run.manifest["scenario_hash"] == result.scenario.hash
    assert list(run.headline()["name"]) == list(result.headline()["name"])


def test_summary_files_carry_labels_units_and_valid_json(tmp_path: Path) -> None:
    out = write_run(fake_result(), tmp_path / "run")
    summary = pd.read_csv(out / "summary.csv")
    assert {"label", "unit", "higher_is_better"} <= set(summary.columns)
    trust = summary[summary["metric"] == "trust"].iloc[0]
    assert trust["label"] == "Mean trust in local government" and trust["unit"] == "score 0-1"
    text = (out / "summary.json").read_text()
    document = json.loads(text)  # strict JSON: no NaN or Infinity tokens
    assert "NaN" not in text and "Infinity" not in text
    assert document["seed"] == 7 and document["scenario"] == "tiny"
    assert {"coverage", "trust", "workload"} <= {h["metric"] for h in document["headline"]}
    coverage = next(h for h in document["headline"] if h["metric"] == "coverage")
    assert coverage["value"] == pytest.approx(1 / 3) and coverage["unit"] == "share"


def test_crash_after_first_file_leaves_no_directory_and_no_temporary(tmp_path, monkeypatch) -> None:
    real = io.write_atomic
    calls = []

    def flaky(path: Path, data: bytes) -> dict:
        calls.append(path.name)
        if len(calls) == 2:
            raise OSError("disk full (simulated)")
        return real(path, data)

    monkeypatch.setattr(io, "write_atomic", flaky)
    out = tmp_path / "run"
    with pytest.raises(OSError, match="simulated"):
        write_run(fake_result(), out)
    # The files went to a temporary sibling, removed on the failure: no run, nothing half-made.
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(RunDirError, match="no such run directory"):
        read_run(out)


@pytest.mark.parametrize("error", [OSError("no space"), KeyboardInterrupt()])
def test_interrupted_file_write_leaves_old_file_and_no_temporary(tmp_path, monkeypatch, error) -> None:
    target = tmp_path / "file.csv"
    target.write_bytes(b"old")

    def boom(*args: object) -> None:
        raise error

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(type(error)):
        io.write_atomic(target, b"new contents")
    assert target.read_bytes() == b"old"
    assert tmp_leftovers(tmp_path) == []


def test_crash_while_writing_a_replacement_keeps_the_old_run_whole(tmp_path, monkeypatch) -> None:
    out = write_run(fake_result(), tmp_path / "run")
    real = io.write_atomic

    def crash_on_summary(path: Path, data: bytes) -> dict:
        if path.name == "summary.csv":
            raise RuntimeError("crash")
        return real(path, data)

    monkeypatch.setattr(io, "write_atomic", crash_on_summary)
    with pytest.raises(RuntimeError):
        write_run(fake_result(seed=8), out, overwrite=True)
    assert read_run(out).seed == 7  # the new files never reached the directory
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_crash_while_moving_files_in_leaves_the_run_marked_incomplete(tmp_path, monkeypatch) -> None:
    out = write_run(fake_result(), tmp_path / "run")
    real = os.replace

    def crash_on_summary(src, dst) -> None:
        if Path(dst).name == "summary.csv" and Path(dst).parent == out:
            raise KeyboardInterrupt
        real(src, dst)

    monkeypatch.setattr(os, "replace", crash_on_summary)
    with pytest.raises(KeyboardInterrupt):
        write_run(fake_result(seed=8), out, overwrite=True)
    with pytest.raises(RunDirError, match="not a complete govsim run"):
        read_run(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_replacement_drops_the_old_runs_extra_files_and_leftover_temporaries(tmp_path) -> None:
    out = write_run(fake_result(), tmp_path / "run", figure=True)
    left = tmp_path / ".run.deadbeef.tmp"  # what a killed write leaves: no manifest
    left.mkdir()
    (left / "timeseries.csv").write_text("torn")
    write_run(fake_result(seed=8), out, overwrite=True)
    assert not (out / "figure.png").exists()  # it showed seed 7
    assert read_run(out).seed == 8
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_refuses_to_overwrite_a_different_run_and_keeps_user_files(tmp_path: Path) -> None:
    out = write_run(fake_result(seed=7), tmp_path / "run")
    (out / "notes.txt").write_text("mine")
    with pytest.raises(RunDirError, match="different run"):
        write_run(fake_result(seed=8), out)
    assert read_run(out).seed == 7
    write_run(fake_result(seed=8), out, overwrite=True)
    assert read_run(out).seed == 8
    assert (out / "notes.txt").read_text() == "mine"


def test_read_run_catches_changed_files(tmp_path: Path) -> None:
    out = write_run(fake_result(), tmp_path / "run")
    with (out / "summary.csv").open("a") as handle:
        handle.write("extra,row\n")
    with pytest.raises(RunDirError, match="checksum"):
        read_run(out)
    (out / "timeseries.csv").unlink()
    with pytest.raises(RunDirError, match="missing"):
        read_run(out, verify=True)


def test_read_run_on_missing_or_foreign_directories(tmp_path: Path) -> None:
    with pytest.raises(RunDirError, match="no such run directory"):
        read_run(tmp_path / "nope")
    (tmp_path / MANIFEST).write_text("{not json")
    with pytest.raises(RunDirError, match="cannot be read"):
        read_run(tmp_path)


def test_output_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(RunDirError, match="is a file, not a directory"):
        write_run(fake_result(), target)
    with pytest.raises(RunDirError, match=f"lies under the file {target}"):
        write_run(fake_result(), target / "run")


def test_written_files_follow_the_umask_not_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        out = write_run(fake_result(), tmp_path / "run")
    finally:
        os.umask(old)
    assert (out / "timeseries.csv").stat().st_mode & 0o777 == 0o644


def test_files_without_a_manifest_are_not_overwritten_silently(tmp_path: Path) -> None:
    (tmp_path / "timeseries.csv").write_text("my own data\n")
    with pytest.raises(RunDirError, match=r"no manifest\.json"):
        write_run(fake_result(), tmp_path)
    assert (tmp_path / "timeseries.csv").read_text() == "my own data\n"
    write_run(fake_result(), tmp_path, overwrite=True)
    assert read_run(tmp_path).seed == 7
