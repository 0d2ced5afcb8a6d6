"""One run, as a worker executes it: scenario and seed in, compact bytes out.

This is the function every executor calls (in this process, in a worker
process, or on a Dask worker). It goes through :func:`govsim.simulate`, the
one door to the model, and returns the run already encoded as the store's
file: the parent then only writes bytes, so it never becomes the bottleneck
and never holds more than the runs in flight. A run that raises comes back as
a failed record carrying its error, so one bad run does not stop a sweep.
"""

from __future__ import annotations

import io
import json
import time
import traceback
from dataclasses import dataclass
from typing import Any

from govsim.scenario import Scenario

#: Scopes kept in the store by default: overall and by group. Community
#: series multiply the size of every file by three; keep them with
#: ``scopes=("overall", "group", "community")``.
STORED_SCOPES = ("overall", "group")
#: Parquet key-value metadata entry holding the run's record.
META_KEY = b"govsim"
#: Every module a run imports, loaded once when a worker process starts (for
#: the local pool, once in the forkserver its workers fork from). The model
#: package loads ``GovModel`` lazily, so naming ``govsim.model`` alone would
#: leave each worker to import Mesa, SciPy, NetworkX and Parquet during its
#: first run: about a second per worker, a tenth of a 40-run sweep.
RUN_MODULES = ("govsim.run", "govsim.model.govmodel", "govsim.policies", "govsim.study.worker",
               "pyarrow.parquet")


@dataclass(frozen=True)
class RunTask:
    """One run to execute: a resolved scenario and a seed."""

    run_id: str
    scenario: Scenario
    seed: int
    scopes: tuple[str, ...] = STORED_SCOPES
    cases: bool = False


@dataclass(frozen=True)
class RunRecord:
    """What comes back from a worker.

    Attributes:
        run_id: The task's id.
        scenario_hash: The scenario's hash.
        seed: The seed.
        payload: The store file's bytes (Parquet), or None when the run failed.
        cases: The run's case ledger as Parquet bytes, when the task asked for it.
        error: ``"TypeName: message"`` when the run failed.
        detail: The traceback of a failed run.
        wall_seconds: Time the run took in the worker.
    """

    run_id: str
    scenario_hash: str
    seed: int
    payload: bytes | None = None
    cases: bytes | None = None
    error: str | None = None
    detail: str | None = None
    wall_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the run finished."""
        return self.payload is not None


def run_id(scenario_hash: str, seed: int) -> str:
    """The store key of a run: scenario hash (first 16 hex digits) and seed."""
    return f"{scenario_hash[:16]}-{int(seed)}"


def execute(task: RunTask) -> RunRecord:
    """Run one task and encode it; an exception in the model becomes a failed record."""
    from govsim.run import simulate

    clock = time.perf_counter()
    digest = task.scenario.hash
    try:
        result = simulate(task.scenario, task.seed, cases=task.cases)
        payload = encode(task.run_id, result, task.scopes)
        ledger = encode_cases(task.run_id, result.cases) if task.cases else None
    except Exception as err:  # any model error is recorded and the sweep goes on
        return RunRecord(task.run_id, digest, task.seed, error=f"{type(err).__name__}: {err}",
                         detail=traceback.format_exc(), wall_seconds=time.perf_counter() - clock)
    return RunRecord(task.run_id, digest, task.seed, payload, ledger,
                     wall_seconds=time.perf_counter() - clock)


def encode(run_id: str, result: Any, scopes: tuple[str, ...]) -> bytes:
    """A run as one Parquet file: the weekly series, and the run's record in the metadata.

    Columns: run_id, week, metric, scope, key, value. The metadata entry
    ``govsim`` holds JSON with the run's identity, manifest and whole-run
    summary, so an index of every run reads only the files' footers.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    # Arrow all the way: pandas' string columns convert without a Python object per cell. One
    # thread: pyarrow would otherwise start threads for every run, beside the other workers.
    series = pa.Table.from_pandas(result.timeseries, columns=["week", "metric", "scope", "key", "value"],
                                  preserve_index=False, nthreads=1)
    series = series.filter(pc.is_in(series["scope"], value_set=pa.array(list(scopes), pa.string())))
    ids = pa.DictionaryArray.from_arrays(pa.array(np.zeros(series.num_rows, np.int32)), pa.array([run_id]))
    table = pa.table({"run_id": ids, **{name: series[name] for name in series.column_names}})
    summary = result.summary
    record = {
        "run_id": run_id, "scenario_hash": result.manifest.get("scenario_hash"), "seed": result.seed,
        "steps": result.manifest.get("steps"), "manifest": result.manifest,
        "summary": {column: summary[column].tolist() for column in ("metric", "scope", "key", "value")},
    }
    meta = json.dumps(record, separators=(",", ":"), allow_nan=True, default=_plain).encode("utf-8")
    table = table.replace_schema_metadata({META_KEY: meta})
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def encode_cases(run_id: str, cases: Any) -> bytes:
    """A run's case ledger as one Parquet file, with a leading ``run_id`` column.

    The column lets ``pd.read_parquet("DIR/cases")`` read every run's ledger
    in one call and still tell the runs apart.
    """
    import pandas as pd

    from govsim.files import parquet_bytes

    frame = cases.copy()
    frame.insert(0, "run_id", pd.Categorical([run_id] * len(frame)))
    return parquet_bytes(frame)


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return str(value)
