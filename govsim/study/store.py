"""The results store: one directory per experiment, one file per finished run.

Layout::

    DIR/experiment.json        what was asked: the spec, the design, seeds, versions (written first)
    DIR/design.csv             one row per design point: point, label, scenario_hash, factor values
    DIR/plan.csv               with --posterior: per point and replication, its run id and the
                               parameter values drawn (the scenario differs by replication)
    DIR/runs/<run_id>.parquet  one finished run: weekly series; record and summary in the metadata
    DIR/cases/<run_id>.parquet its case ledger, one row per need (only when the sweep asked for it)
    DIR/failed/<run_id>.json   one failed run: its error and traceback
    DIR/index.csv              one row per stored run, rebuilt from the files (a convenience)

A run's file is written atomically (:func:`govsim.files.write_atomic`: a
temporary file, fsync, rename) the moment the run finishes, so a crash,
Ctrl-C or ``kill -9`` loses only the runs in flight, never leaves half a file,
and the parent holds no results in memory. The files are the truth: which
runs are done is read from the directory, so ``--resume`` needs no journal,
and ``pd.read_parquet("DIR/runs")`` reads every stored series in one call.
A run's case ledger is written before its series file, so a stored run
always has the ledger it was asked for. A run is keyed by its scenario hash
and seed (:func:`govsim.study.worker.run_id`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from govsim.files import csv_bytes, json_bytes, prepare_output_dir, write_atomic
from govsim.study.errors import StudyError
from govsim.study.worker import META_KEY, RunRecord

FORMAT = "govsim-experiment/1"
EXPERIMENT, DESIGN, INDEX = "experiment.json", "design.csv", "index.csv"
#: With ``--posterior``: each point and replication's run id and parameter draw.
PLAN = "plan.csv"
RUNS, FAILED, CASES = "runs", "failed", "cases"


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
        old = self.experiment() if (self.root / EXPERIMENT).is_file() else None
        if old is None and self.root.is_dir() and any(self.root.iterdir()):
            raise StudyError(f"{self.root} is not empty and holds no {EXPERIMENT}: not a govsim results "
                             "directory. Choose another output directory (--out).")
        if old is not None and old.get("identity") != meta.get("identity"):
            raise StudyError(f"{self.root} holds a different experiment ({old.get('name')!r}, "
                             f"{old.get('points')} design points); not mixing results. Choose another "
                             "output directory (--out), or delete it to start over.")
        if old is not None and not resume:
            raise StudyError(f"{self.root} already holds this experiment ({len(self.done())} runs stored). "
                             "Pass --resume to finish it, or choose another output directory (--out).")
        self.runs.mkdir(parents=True, exist_ok=True)
        self.failed.mkdir(exist_ok=True)
        write_atomic(self.root / EXPERIMENT, json_bytes({"format": FORMAT, **meta}))

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
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise StudyError(f"{path}: cannot be read ({err}).") from err

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
            meta = pq.read_schema(self.path(run_id)).metadata or {}
            yield json.loads(meta[META_KEY])

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
