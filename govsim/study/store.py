"""The results store: one directory per experiment, one file per finished run.

Layout::

    DIR/experiment.json        what was asked: the spec, the design, seeds, versions (written first)
    DIR/design.csv             one row per design point: point, label, scenario_hash, factor values
    DIR/plan.csv               with --posterior: per point and replication, its run id and the
                               parameter values drawn (the scenario differs by replication)
    DIR/runs/<run_id>.parquet  one finished run: weekly series; record and summary in the metadata
    DIR/cases/<run_id>.parquet its case ledger, one row per need (only when the sweep asked for it)
    DIR/failed/<run_id>.json   one failed run: its error and traceback
    DIR/index.csv              one row per stored run, rebuilt from the files (a convenience
                               that govsim never reads: editing it changes nothing)
    DIR/damaged/               run files ``--resume`` found unreadable, moved aside and recomputed
    DIR/.lock                  held (``flock``) by the one govsim writing the store

A run's file is written atomically (:func:`govsim.files.write_atomic`: a
temporary file, fsync, rename) the moment the run finishes, so a crash,
Ctrl-C or ``kill -9`` loses only the runs in flight, never leaves half a file,
and the parent holds no results in memory. The files are the truth: which
runs are done is read from the directory, so ``--resume`` needs no journal,
and ``pd.read_parquet("DIR/runs")`` reads every stored series in one call.
A run's case ledger is written before its series file, so a stored run
always has the ledger it was asked for. A run is keyed by its scenario hash
and seed (:func:`govsim.study.worker.run_id`).

Faults: one process writes a store at a time (:func:`lock_store`; a second
is refused with the first one's pid, and a killed holder's lock goes with
it). A write that fails (a full disk) stops the sweep with one sentence;
what is stored stays readable and ``--resume`` finishes once there is space.
A damaged file is named when it is read; ``--resume`` moves unreadable run
files to ``DIR/damaged/`` and runs them again, and rewrites an unreadable
``experiment.json`` (runs are known by their scenario and seed, not by it).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from govsim.files import csv_bytes, json_bytes, output_error, prepare_output_dir, write_atomic
from govsim.study.errors import StudyError
from govsim.study.worker import META_KEY, RunRecord

FORMAT = "govsim-experiment/1"
EXPERIMENT, DESIGN, INDEX = "experiment.json", "design.csv", "index.csv"
#: With ``--posterior``: each point and replication's run id and parameter draw.
PLAN = "plan.csv"
RUNS, FAILED, CASES = "runs", "failed", "cases"
DAMAGED, LOCK = "damaged", ".lock"
#: Keys every experiment.json has; without them the store cannot be read.
REQUIRED = ("identity", "seed", "replications")


class StoreWarning(UserWarning):
    """Something in a results store was damaged and has been set aside to be recomputed."""


#: Locks this process holds: resolved root -> [open lock file, how many holders].
_HELD: dict[Path, list[Any]] = {}


@contextlib.contextmanager
def lock_store(root: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold ``DIR/.lock`` while writing a store, so that two processes never write one store.

    An exclusive ``flock``, taken at once or refused: the lock dies with its
    process (also by ``kill -9``), so a stale lock file blocks nothing. Taken
    again by the same process (nested calls), it is shared. The directory is
    made if missing; the lock file is left in place (removing it could let
    two processes lock two different files).

    Raises:
        StudyError: Another process holds the lock: its pid and start time.
        govsim.files.OutputError: The directory cannot be made or written.
    """
    import fcntl

    key = prepare_output_dir(root).resolve()
    if key in _HELD:
        _HELD[key][1] += 1
    else:
        path = key / LOCK
        try:
            handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held past this block)
        except OSError as err:
            raise output_error(err, path, "creating") from err
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = _lock_holder(handle.read())
            handle.close()
            raise StudyError(f"{root} is in use by another govsim ({holder}); wait for it or choose "
                             "another --out.") from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "started": datetime.now(UTC).isoformat(
            timespec="seconds"), "command": " ".join(sys.argv)}) + "\n")
        handle.flush()
        _HELD[key] = [handle, 1]
    try:
        yield key
    finally:
        _HELD[key][1] -= 1
        if _HELD[key][1] == 0:
            _HELD.pop(key)[0].close()  # closing the file releases the lock


def _lock_holder(text: str) -> str:
    try:
        held = json.loads(text)
        return f"pid {held['pid']}, started {held['started']}"
    except (ValueError, KeyError, TypeError):
        return "its pid unknown"


def damaged(path: Path, err: BaseException) -> StudyError:
    """The error of a stored run file that cannot be read."""
    return StudyError(f"{path}: cannot be read as a stored run ({type(err).__name__}: {err}); the file is "
                      "damaged. Run the same command with --resume to move it aside and run it again.")


class RunStore:
    """An experiment's results directory (see the module docstring)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.runs = self.root / RUNS
        self.failed = self.root / FAILED
        self.cases = self.root / CASES

    # -- opening ---------------------------------------------------------------------------

    def open(self, meta: Mapping[str, Any], *, resume: bool) -> None:
        """Create the store, or check that it holds this same experiment.

        Args:
            meta: The experiment's description; ``meta["identity"]`` says which
                experiment it is (its design points and master seed), and two
                specs with the same identity may share stored runs.
            resume: Continue an experiment already in the directory.

        Raises:
            StudyError: The directory holds a different experiment, holds this
                one and ``resume`` is False, or is a non-empty directory that
                is not an experiment.
            govsim.files.OutputError: The directory is a file, lies under one,
                or cannot be created or written.
        """
        prepare_output_dir(self.root)
        old = self._old_experiment(resume)
        if old is None and any(p.name != LOCK for p in self.root.iterdir()) and not self.done():
            raise StudyError(f"{self.root} is not empty and holds no {EXPERIMENT}: not a govsim results "
                             "directory. Choose another output directory (--out).")
        if old is not None and old.get("identity") != meta.get("identity"):
            raise StudyError(f"{self.root} holds a different experiment ({old.get('name')!r}, "
                             f"{old.get('points')} design points); not mixing results. Choose another "
                             "output directory (--out), or delete it to start over.")
        if old is not None and not resume:
            raise StudyError(f"{self.root} already holds this experiment ({len(self.done())} runs stored). "
                             "Pass --resume to finish it, or choose another output directory (--out).")
        if old is None and self.done() and not resume:
            raise StudyError(f"{self.root} holds stored runs but its {EXPERIMENT} is missing or "
                             "damaged; pass --resume to rewrite it and keep the runs that belong to this "
                             "experiment, or choose another output directory (--out).")
        self.runs.mkdir(parents=True, exist_ok=True)
        self.failed.mkdir(exist_ok=True)
        if resume:
            self.set_aside_damaged()
        write_atomic(self.root / EXPERIMENT, json_bytes({"format": FORMAT, **meta}))

    def _old_experiment(self, resume: bool) -> dict[str, Any] | None:
        """The experiment already stored, or None; with ``resume`` a damaged one is set aside."""
        if not (self.root / EXPERIMENT).is_file():
            return None
        try:
            return self.experiment()
        except StudyError as err:
            if not resume:
                raise
            warnings.warn(f"{err} It is rewritten from this spec; the stored runs that belong to this "
                          "experiment are kept (they are known by scenario and seed).", StoreWarning,
                          stacklevel=3)
            return None

    def set_aside_damaged(self) -> list[Path]:
        """Move every run file that cannot be read to ``DIR/damaged/`` (to be run again); their paths.

        A run file is trusted when its Parquet footer reads and names the run its
        file name says; a file cut short (a torn copy, a full disk outside govsim)
        has no footer.
        """
        moved = []
        for run_id in sorted(self.done()):
            path = self.path(run_id)
            if self._readable(path, run_id):
                continue
            aside = self.root / DAMAGED
            aside.mkdir(exist_ok=True)
            os.replace(path, aside / path.name)
            moved.append(aside / path.name)
        if moved:
            warnings.warn(f"{len(moved)} run file{'s' * (len(moved) != 1)} in {self.runs} could not be "
                          f"read ({', '.join(p.name for p in moved[:3])}{', ...' * (len(moved) > 3)}); "
                          f"moved to {self.root / DAMAGED} and run again.", StoreWarning, stacklevel=3)
        return moved

    @staticmethod
    def _readable(path: Path, run_id: str) -> bool:
        import pyarrow.parquet as pq

        try:
            meta = pq.read_schema(path).metadata or {}
            return json.loads(meta[META_KEY]).get("run_id") == run_id
        except Exception:  # any failure to read it means: not to be trusted
            return False

    def write_design(self, design: pd.DataFrame) -> None:
        """Write the design table (atomically; calibration rewrites it as points are added)."""
        write_atomic(self.root / DESIGN, csv_bytes(design))

    def write_plan(self, plan: pd.DataFrame) -> None:
        """Write the run plan of an experiment with posterior draws (atomically; rewritten per batch)."""
        write_atomic(self.root / PLAN, csv_bytes(plan))

    # -- reading what is there ---------------------------------------------------------------

    def experiment(self) -> dict[str, Any]:
        """The experiment's description.

        Raises:
            StudyError: The directory is not a results directory.
        """
        path = self.root / EXPERIMENT
        if not path.is_file():
            what = "no such directory" if not self.root.is_dir() else f"it has no {EXPERIMENT}"
            raise StudyError(f"{self.root} is not a govsim results directory ({what}). Results "
                             "directories are written by 'govsim sweep', 'compare', 'sensitivity' and "
                             "'calibrate'.")
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise StudyError(f"{path}: cannot be read ({err}); the file is damaged. Run the same "
                             "command with --resume to rewrite it.") from err
        missing = [k for k in REQUIRED if k not in meta] if isinstance(meta, dict) else list(REQUIRED)
        if missing:
            raise StudyError(f"{path}: not a govsim experiment description (no {', '.join(missing)}); "
                             "the file is damaged. Run the same command with --resume to rewrite it.")
        return meta

    def design(self) -> pd.DataFrame:
        """The design table: point, label, scenario_hash and one column per factor."""
        return pd.read_csv(self.root / DESIGN, dtype={"label": "str", "scenario_hash": "str"},
                           keep_default_na=False, na_values=[""])

    def plan(self) -> pd.DataFrame | None:
        """The run plan (point, replication, run_id, scenario_hash, posterior:PATH...), if written."""
        path = self.root / PLAN
        if not path.is_file():
            return None
        return pd.read_csv(path, dtype={"run_id": "str", "scenario_hash": "str"})

    def done(self) -> set[str]:
        """Ids of the runs stored as finished (temporary files of interrupted writes are ignored)."""
        if not self.runs.is_dir():
            return set()
        return {p.stem for p in self.runs.iterdir() if p.suffix == ".parquet" and not p.name.startswith(".")}

    def with_cases(self) -> set[str]:
        """Ids of the runs whose case ledger is stored."""
        if not self.cases.is_dir():
            return set()
        return {p.stem for p in self.cases.iterdir() if p.suffix == ".parquet" and not p.name.startswith(".")}

    def failures(self) -> dict[str, dict[str, Any]]:
        """Failed runs by id: their error and traceback."""
        out = {}
        for path in sorted(self.failed.glob("*.json")) if self.failed.is_dir() else []:
            try:
                out[path.stem] = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
        return out

    def path(self, run_id: str) -> Path:
        """Where a finished run's file is."""
        return self.runs / f"{run_id}.parquet"

    def records(self, run_ids: Iterable[str]) -> Iterator[dict[str, Any]]:
        """Each stored run's record (identity, manifest, summary), read from the file's footer only."""
        import pyarrow.parquet as pq

        for run_id in run_ids:
            path = self.path(run_id)
            try:
                meta = pq.read_schema(path).metadata or {}
                record = json.loads(meta[META_KEY])
            except Exception as err:  # any failure to read it: name the file
                raise damaged(path, err) from err
            yield record

    # -- writing runs --------------------------------------------------------------------------

    def put(self, record: RunRecord) -> None:
        """Store one run as it finishes: its file, or its failure."""
        failed = self.failed / f"{record.run_id}.json"
        if record.ok:
            if record.cases is not None:
                self.cases.mkdir(exist_ok=True)
                write_atomic(self.cases / f"{record.run_id}.parquet", record.cases)
            write_atomic(self.path(record.run_id), record.payload)
            if failed.exists():
                failed.unlink()
            return
        write_atomic(failed, json_bytes({
            "run_id": record.run_id, "scenario_hash": record.scenario_hash, "seed": record.seed,
            "error": record.error, "traceback": record.detail, "wall_seconds": record.wall_seconds,
        }))

    def rebuild_index(self) -> pd.DataFrame:
        """Write ``index.csv`` from the files: one row per stored run, finished or failed."""
        done = self.done()
        rows = [{"run_id": r["run_id"], "scenario_hash": r["scenario_hash"], "seed": r["seed"],
                 "status": "done", "wall_seconds": r["manifest"].get("wall_seconds"), "error": ""}
                for r in self.records(sorted(done))]
        rows += [{"run_id": k, "scenario_hash": v.get("scenario_hash"), "seed": v.get("seed"),
                  "status": "failed", "wall_seconds": v.get("wall_seconds"), "error": v.get("error")}
                 for k, v in self.failures().items() if k not in done]
        index = pd.DataFrame(rows, columns=["run_id", "scenario_hash", "seed", "status", "wall_seconds",
                                            "error"])
        write_atomic(self.root / INDEX, csv_bytes(index))
        return index
