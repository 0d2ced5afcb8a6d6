"""Reading an experiment's results back as pandas tables.

:func:`load_results` gives the weekly series, one row per run and week (and
group, for ``scope="group"``), wide over metrics, with the design's columns
alongside: ``run_id, point, label, replication, seed, scenario_hash``, one
column per factor path, then ``week`` and one column per metric. A run that
two design points share (the same scenario and seed) appears under both.
Runs not (yet) stored, or failed, are absent: count rows per point to see.

:func:`load_summaries` gives the whole-run values (``govsim.metrics.summarise``)
in the same shape, one row per run, from the files' footers only.

:func:`load_cases` gives the case ledgers of a sweep run with ``--cases``,
one row per need, with the design columns in front.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from govsim.metrics import METRICS
from govsim.study.design import replication_seed
from govsim.study.posterior import POSTERIOR_PREFIX
from govsim.study.store import RunStore, damaged
from govsim.study.worker import run_id

PLAN_COLUMNS = ("run_id", "point", "label", "replication", "seed", "scenario_hash")


def plan_table(store: RunStore, replications: int | None = None) -> pd.DataFrame:
    """Every planned run: design columns × replication, with its run id and whether it is stored."""
    meta = store.experiment()
    design = store.design()
    reps = int(replications if replications is not None else meta.get("replications", 1))
    seeds = pd.DataFrame({"replication": range(reps),
                          "seed": [replication_seed(int(meta["seed"]), r) for r in range(reps)]})
    drawn = store.plan()
    factors = [c for c in design.columns if c not in PLAN_COLUMNS]
    if drawn is None:
        plan = design.merge(seeds, how="cross")
        ids = [run_id(h, s) for h, s in zip(plan["scenario_hash"], plan["seed"], strict=True)]
        # New columns by concat, not insert: a design of a hundred factors stays one block.
        plan = pd.concat([plan, pd.DataFrame({"run_id": ids})], axis=1)
        extra: list[str] = []
    else:
        # With a posterior, each replication's scenario (and so its run id) differs: read them.
        plan = design.drop(columns="scenario_hash").merge(drawn, on="point").merge(seeds, on="replication")
        extra = [c for c in drawn.columns if c.startswith(POSTERIOR_PREFIX)]
    plan = pd.concat([plan, pd.DataFrame({"stored": plan["run_id"].isin(store.done())})], axis=1)
    return plan[[*PLAN_COLUMNS, *factors, *extra, "stored"]].sort_values(["point", "replication"],
                                                                        ignore_index=True)


def load_results(results_dir: str | os.PathLike[str], *, scope: str = "overall",
                 metrics: Sequence[str] | None = None) -> pd.DataFrame:
    """One DataFrame of an experiment's weekly results: one row per run and week.

    Args:
        results_dir: A directory written by a sweep, compare, sensitivity or calibration.
        scope: ``overall`` (one row per run and week) or ``group`` (one row
            per run, week and group, with a ``group`` column).
        metrics: Metric columns to read (default: every stored metric).

    Returns:
        The design columns (see the module docstring), ``week`` (and ``group``),
        and one float column per metric.

    Raises:
        StudyError: ``results_dir`` is not a results directory, or a stored
            file is damaged (the message names it).
    """
    import pyarrow.parquet as pq

    store = RunStore(results_dir)
    plan = plan_table(store)
    plan = plan[plan.pop("stored")]
    key_column = "group" if scope == "group" else "community" if scope == "community" else None
    base_columns = [*plan.columns, "week", *([key_column] if key_column else [])]
    ids = list(dict.fromkeys(plan["run_id"]))
    if not ids:
        return pd.DataFrame(columns=base_columns)
    filters = [("scope", "=", scope)] + ([("metric", "in", list(metrics))] if metrics else [])
    columns = ["run_id", "week", "metric", "key", "value"]
    try:
        table = pq.read_table([store.path(i) for i in ids], filters=filters, columns=columns)
    except Exception:  # a damaged file (pyarrow's error may not say which): find it and name it
        for i in ids:
            try:
                pq.read_table(store.path(i), filters=filters, columns=columns)
            except Exception as each:
                raise damaged(store.path(i), each) from each
        raise

    long = table.to_pandas()
    for column in ("run_id", "metric", "key"):
        long[column] = long[column].astype(str)
    index = ["run_id", "week", *(["key"] if key_column else [])]
    wide = long.pivot(index=index, columns="metric", values="value")
    ordered = [m for m in METRICS if m in wide.columns] + [m for m in wide.columns if m not in METRICS]
    wide = wide[ordered].reset_index().rename(columns={"key": key_column} if key_column else {})
    wide.columns.name = None
    out = plan.merge(wide, on="run_id", how="inner")
    sort = ["point", "replication", "week", *([key_column] if key_column else [])]
    return out.sort_values(sort, ignore_index=True)


def load_summaries(results_dir: str | os.PathLike[str], *, replications: int | None = None) -> pd.DataFrame:
    """Whole-run values: one row per stored run, metric, scope and key, with the design columns."""
    store = RunStore(results_dir)
    plan = plan_table(store, replications)
    plan = plan[plan.pop("stored")]
    frames = []
    for record in store.records(dict.fromkeys(plan["run_id"])):
        frame = pd.DataFrame(record["summary"])
        frame.insert(0, "run_id", record["run_id"])
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=[*plan.columns, "metric", "scope", "key", "value"])
    summary = pd.concat(frames, ignore_index=True)
    summary["value"] = pd.to_numeric(summary["value"], errors="coerce").astype(float)
    return plan.merge(summary, on="run_id", how="inner")


def load_cases(results_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """Every stored case ledger: one row per run and need, the design columns in front.

    Only sweeps run with ``--cases`` (or ``cases: true`` in the spec) store
    ledgers; the columns after the design's are those of ``cases.parquet``
    (``docs/odd.md``). A run two design points share appears under both.

    Raises:
        StudyError: ``results_dir`` is not a results directory, or holds no case ledgers.
    """
    from govsim.study.errors import StudyError

    store = RunStore(results_dir)
    plan = plan_table(store)
    ids = [i for i in dict.fromkeys(plan.loc[plan.pop("stored"), "run_id"]) if i in store.with_cases()]
    if not ids:
        raise StudyError(f"{store.root} holds no case ledgers. Run the sweep with --cases (or 'cases: true' "
                         "in the spec), adding --resume to keep the runs already stored.")
    cases = pd.concat([pd.read_parquet(store.cases / f"{i}.parquet") for i in ids], ignore_index=True)
    cases["run_id"] = cases["run_id"].astype(str)
    return plan.merge(cases, on="run_id", how="inner")


def export_results(results_dir: str | os.PathLike[str], path: str | os.PathLike[str], *,
                   scope: str = "overall") -> Path:
    """Write :func:`load_results` to ``.csv`` or ``.parquet`` (by the file's suffix), atomically."""
    import io

    from govsim.files import csv_bytes, writable_file, write_atomic

    target = Path(path)
    RunStore(results_dir).experiment()  # not a results directory: say so first
    writable_file(target)  # before the table is read, not after
    frame = load_results(results_dir, scope=scope)
    if target.suffix == ".csv":
        data = csv_bytes(frame)
    elif target.suffix in (".parquet", ".pq"):
        sink = io.BytesIO()
        frame.to_parquet(sink, index=False)
        data = sink.getvalue()
    else:
        from govsim.study.errors import StudyError

        raise StudyError(f"{target}: export to a .csv or .parquet file")
    write_atomic(target, data)
    return target
