"""Run directories: a run written to disk as plain, checksummed files.

A run directory holds the run's tables as CSV (for spreadsheets and pandas),
the summary again as JSON (for programs), the resolved scenario as YAML (to
rerun it) and ``manifest.json``. The files are written into a hidden
temporary directory beside it and renamed into place, and the manifest is
written last and lists every other file with its SHA-256, so a directory with
a manifest is complete and intact and one without is not: a crash, Ctrl-C or
``kill -9`` part-way leaves no file half-written and no manifest over
files it does not describe (see :func:`write_run`).

Floats are written in Python's shortest exact form (``repr``), which reads
back to the identical double, so writing the same result twice gives
byte-identical files and a run can be compared to a rerun with ``cmp``.
"""

from __future__ import annotations

import glob
import json
import math
import os
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from govsim.files import (
    OutputError,
    check_output_dir,
    csv_bytes,
    fsync_dir,
    json_bytes,
    output_error,
    parquet_bytes,
    prepare_output_dir,
    sha256,
    write_atomic,
)
from govsim.metrics import METRICS, headline_table

#: Version of the run-directory layout, recorded in the manifest.
FORMAT = "govsim-run/1"
MANIFEST = "manifest.json"
TIMESERIES = "timeseries.csv"
SUMMARY_CSV = "summary.csv"
SUMMARY_JSON = "summary.json"
SCENARIO = "scenario.yaml"
CASES = "cases.parquet"
FIGURE = "figure.png"
#: How the temporary directory of a write in progress ends (``.NAME.XXXXXXXX.tmp``, hidden).
TMP_SUFFIX = ".tmp"

#: dtypes given to ``pd.read_csv``: a column that happens to hold only whole
#: numbers must still come back as floats, and keys must stay text.
TIMESERIES_DTYPES = {"week": "int64", "metric": "str", "scope": "str", "key": "str", "value": "float64"}


class RunDirError(Exception):
    """A run directory cannot be read or written; ``str()`` is a user-facing message."""


@dataclass(frozen=True)
class StoredRun:
    """A run read back from its directory: the same tables as a ``RunResult``.

    Attributes:
        path: The run directory.
        scenario: The resolved scenario, as the plain data of ``scenario.yaml``.
        seed: The seed the run used.
        timeseries: Weekly values, tidy: week, metric, scope, key, value.
        summary: Whole-run values with label, unit and higher_is_better.
        manifest: The manifest, including the ``files`` checksums.
        cases: The case ledger, when the run was written with one (``cases.parquet``).
    """

    path: Path
    scenario: dict[str, Any]
    seed: int | None
    timeseries: pd.DataFrame
    summary: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    cases: pd.DataFrame | None = None

    @property
    def name(self) -> str:
        """The scenario's name, for titles."""
        return str(self.scenario.get("name") or self.path.name)

    def headline(self) -> pd.DataFrame:
        """Overall values of the headline metrics: columns name, label, value, unit."""
        return headline_table(self.summary)


def write_run(result: Any, out_dir: str | os.PathLike[str], *, overwrite: bool = False,
              figure: bool = False) -> Path:
    """Write a run to ``out_dir`` and return the directory.

    Files: ``timeseries.csv``, ``summary.csv``, ``summary.json``,
    ``scenario.yaml``, ``cases.parquet`` when the result has a case ledger,
    optionally ``figure.png``, and last ``manifest.json``.
    Writing the same result again gives byte-identical files.

    The files are written first into a hidden temporary sibling,
    ``.NAME.XXXXXXXX.tmp``, which never holds a manifest (so it is never taken
    for a run). A new directory is then renamed into place whole and its
    manifest written; in an existing directory the run's files are moved in
    one rename each, the old manifest removed first and the new one written
    last. A crash or ``kill -9`` at any point leaves the old run complete, or
    a directory without a manifest (which :func:`read_run` refuses), or no
    directory at all; never a manifest over files it does not describe.
    Temporaries left by a killed write are removed by the next write to the
    same directory.

    Args:
        result: A ``RunResult`` (anything with ``scenario``, ``seed``,
            ``timeseries``, ``summary`` and ``manifest``).
        out_dir: Directory to write; created if missing. Files in it that are
            not the run's own are left alone; a ``cases.parquet`` or
            ``figure.png`` of the run it replaces that this run does not
            write is removed.
        overwrite: Replace a *different* run already in ``out_dir``. Rewriting
            the same run (same scenario hash, seed and weeks) needs no flag.
        figure: Also draw ``figure.png`` (before the manifest, so a complete
            directory has its figure). The figure is a view of the data, so it
            is not checksummed: ``govsim plot`` may redraw it.

    Returns:
        The run directory.

    Raises:
        RunDirError: ``out_dir`` is a file, lies under one, cannot be
            written, or holds a different run and ``overwrite`` is False.
        govsim.files.OutputError: A file could not be written (a full disk).
    """
    out = Path(out_dir)
    manifest = dict(result.manifest)
    check_run_dir(out, manifest, overwrite)
    payloads = {
        TIMESERIES: csv_bytes(result.timeseries),
        SUMMARY_CSV: csv_bytes(labelled_summary(result.summary)),
        SUMMARY_JSON: json_bytes(summary_document(result)),
        SCENARIO: result.scenario.to_yaml().encode("utf-8"),
    }
    if getattr(result, "cases", None) is not None:
        payloads[CASES] = parquet_bytes(result.cases)
    prepare_output_dir(out.parent)
    _remove_temporaries(out)
    tmp = out.parent / f".{out.name}.{secrets.token_hex(4)}{TMP_SUFFIX}"
    try:
        tmp.mkdir()
    except OSError as err:
        raise output_error(err, tmp, "creating") from err
    try:
        files = {name: write_atomic(tmp / name, data) for name, data in payloads.items()}
        if figure:
            from govsim.plots import plot_run

            plot_run(result.timeseries, tmp / FIGURE, title=figure_title(result))
        _move_into_place(tmp, out, [*payloads, *([FIGURE] if figure else [])])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    manifest["format"] = FORMAT
    manifest["files"] = files
    write_atomic(out / MANIFEST, json_bytes(manifest))
    return out


def _move_into_place(tmp: Path, out: Path, names: list[str]) -> None:
    """Rename the written files from ``tmp`` to ``out``: the whole directory when ``out`` is new."""
    try:
        if not out.exists():
            try:
                os.rename(tmp, out)  # atomic: the directory appears whole, or not at all
                fsync_dir(out.parent)
                return
            except OSError:
                if not out.is_dir():  # made by someone else meanwhile: move the files in instead
                    raise
        if (out / MANIFEST).exists():
            # Mark the directory incomplete while its files are replaced.
            (out / MANIFEST).unlink()
            fsync_dir(out)
        for name in (CASES, FIGURE):
            if name not in names and (out / name).exists():
                (out / name).unlink()  # the replaced run's, not this one's
        for name in names:
            os.replace(tmp / name, out / name)
        fsync_dir(out)
    except OSError as err:
        raise output_error(err, out) from err


def _remove_temporaries(out: Path) -> None:
    """Remove the temporaries of writes to ``out`` that were killed (they hold no manifest)."""
    for old in out.parent.glob(f".{glob.escape(out.name)}.*{TMP_SUFFIX}"):
        if old.is_dir() and not (old / MANIFEST).exists():
            shutil.rmtree(old, ignore_errors=True)


def read_run(run_dir: str | os.PathLike[str], *, verify: bool = True) -> StoredRun:
    """Read a complete run directory back into tables.

    The time series is read in one call,
    ``pd.read_csv(run_dir / "timeseries.csv", dtype=TIMESERIES_DTYPES)``, which
    any other program may use in the same way; values come back as the exact
    doubles the run produced.

    Args:
        run_dir: A directory written by :func:`write_run`.
        verify: Check every file against its size and SHA-256 in the manifest,
            so an edited or truncated file is caught instead of silently used.

    Raises:
        RunDirError: No such directory, no manifest (the run is incomplete or
            not a run), or a file missing or changed since it was written.
    """
    path = Path(run_dir)
    manifest = read_manifest(path)
    if verify:
        verify_files(path, manifest)
    timeseries = pd.read_csv(path / TIMESERIES, dtype=TIMESERIES_DTYPES)
    summary = pd.read_csv(path / SUMMARY_CSV, dtype={"key": "str", "value": "float64"})
    scenario = manifest.get("scenario")
    if not isinstance(scenario, dict):
        scenario = _read_yaml(path / SCENARIO)
    seed = manifest.get("seed")
    files = manifest.get("files")
    cases = pd.read_parquet(path / CASES) if isinstance(files, dict) and CASES in files else None
    return StoredRun(path, scenario, None if seed is None else int(seed), timeseries, summary, manifest,
                     cases)


#: The same as :func:`read_run`, for readers who think of it as loading.
load_run = read_run


def check_run_dir(out_dir: str | os.PathLike[str], identity: Mapping[str, Any],
                  overwrite: bool = False) -> None:
    """Check, without changing anything, that a run may be written to ``out_dir``.

    Callers run this before a long simulation so that a refusal comes at once,
    not after the work is done. :func:`write_run` checks again.

    Args:
        out_dir: The intended run directory (need not exist).
        identity: ``scenario_hash``, ``seed`` and ``steps`` of the run to write.
        overwrite: As for :func:`write_run`.

    Raises:
        RunDirError: ``out_dir`` is a file, lies under a file, cannot be
            created or written; or it holds a different run, or run-named
            files without a manifest, and ``overwrite`` is False.
    """
    out = Path(out_dir)
    try:
        check_output_dir(out)
    except OutputError as err:
        raise RunDirError(str(err)) from err
    if overwrite or not out.is_dir():
        return
    old_path = out / MANIFEST
    if not old_path.exists():
        ours = [name for name in (TIMESERIES, SUMMARY_CSV, SUMMARY_JSON, SCENARIO) if (out / name).exists()]
        if ours:
            raise RunDirError(
                f"{out} holds {', '.join(ours)} but no {MANIFEST}: an interrupted run, or files that "
                "govsim did not write. Not overwriting them; choose another output directory, or pass "
                "--overwrite (overwrite=True) to replace them."
            )
        return
    try:
        old = json.loads(old_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        old = {}
    if not (isinstance(old, dict) and all(old.get(k) == identity.get(k) for k in _IDENTITY)):
        raise RunDirError(
            f"{out} already holds a different run ({_describe(old)}); not overwriting it. "
            "Choose another output directory, or pass --overwrite (overwrite=True) to replace it."
        )


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of a run directory, or a :class:`RunDirError` saying why not."""
    if not path.is_dir():
        raise RunDirError(f"{path}: no such run directory.")
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise RunDirError(
            f"{path} is not a complete govsim run: it has no {MANIFEST}. The run was interrupted "
            "before it finished writing, or the directory was not written by govsim. Run it again."
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise RunDirError(f"{manifest_path}: cannot be read as a govsim manifest ({err}).") from err
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise RunDirError(f"{manifest_path}: not a govsim manifest (no 'files' entry).")
    return manifest


def verify_files(path: Path, manifest: Mapping[str, Any]) -> None:
    """Check every file named in the manifest against its recorded size and SHA-256."""
    for name, expected in manifest["files"].items():
        file = path / name
        if not file.is_file():
            raise RunDirError(f"{file}: missing, but listed in {MANIFEST}; the run directory is damaged.")
        data = file.read_bytes()
        if len(data) != expected.get("bytes") or sha256(data) != expected.get("sha256"):
            raise RunDirError(
                f"{file}: does not match its checksum in {MANIFEST}; it was changed or damaged "
                "after the run was written. Run it again, or read it with verify=False."
            )


def labelled_summary(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary with each metric's label, unit and direction, for readers without the code."""
    out = summary[["metric", "scope", "key", "value"]].copy()
    known = out["metric"].map(METRICS.get)
    out["label"] = [m.label if m else "" for m in known]
    out["unit"] = [m.summary_unit if m else "" for m in known]
    out["higher_is_better"] = pd.Series([m.higher_is_better if m else None for m in known], dtype=object)
    return out


def summary_document(result: Any) -> dict[str, Any]:
    """What ``summary.json`` holds: the run's identity, headline and full summary."""
    manifest = result.manifest
    summary = labelled_summary(result.summary)
    records = [
        {**row, "value": _json_float(row["value"])}
        for row in summary.to_dict(orient="records")
    ]
    headline = [
        {**row, "metric": row.pop("name"), "value": _json_float(row["value"])}
        for row in headline_table(result.summary).to_dict(orient="records")
    ]
    return {
        "scenario": getattr(result.scenario, "name", None),
        "scenario_hash": manifest.get("scenario_hash", getattr(result.scenario, "hash", None)),
        "seed": result.seed,
        "steps": manifest.get("steps"),
        "headline": headline,
        "summary": records,
    }


def figure_title(result: Any) -> str:
    """A figure title naming the scenario and seed."""
    scenario = result.scenario
    name = scenario.get("name") if isinstance(scenario, dict) else getattr(scenario, "name", None)
    return f"{name or 'run'} — seed {result.seed}"


#: Manifest keys that say which run a directory holds.
_IDENTITY = ("scenario_hash", "seed", "steps")


def _describe(manifest: Any) -> str:
    if not isinstance(manifest, dict):
        return "unreadable manifest"
    scenario = manifest.get("scenario")
    name = scenario.get("name", "?") if isinstance(scenario, dict) else "?"
    digest = str(manifest.get("scenario_hash") or "?")[:12]
    return f"scenario {name}, hash {digest}, seed {manifest.get('seed')}, {manifest.get('steps')} weeks"


def _json_float(x: Any) -> float | None:
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else float(x)


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise RunDirError(f"{path}: cannot be read ({err}).") from err
    return data if isinstance(data, dict) else {}
