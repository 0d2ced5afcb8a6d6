"""Executors: serial, a local process pool and Dask give exactly the same results, run for run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from govsim.study import StudyError, load_results, load_spec, load_summaries, run_sweep
from govsim.study.executors import make_executor

ROOT = Path(__file__).resolve().parent.parent
SPEC = f"""base: {ROOT / "scenarios" / "baseline.yaml"}
set:
  population.residents: 2000
  hierarchy.communities_per_township: 1
  steps: 8
arms:
  baseline: {{}}
  fewer_staff: {{set: {{staff.per_10k_urban: 12}}}}
replications: 2
seed: 5
"""


@pytest.fixture(scope="module")
def spec_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spec") / "arms.yaml"
    path.write_text(SPEC)
    return path


@pytest.fixture(scope="module")
def serial(spec_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("serial") / "out"
    assert run_sweep(load_spec(spec_path), out=out, workers=1).done == 4
    return out


def same_results(a: Path, b: Path) -> None:
    pd.testing.assert_frame_equal(load_results(a), load_results(b))
    pd.testing.assert_frame_equal(load_results(a, scope="group"), load_results(b, scope="group"))
    pd.testing.assert_frame_equal(load_summaries(a), load_summaries(b))


def test_process_pool_matches_serial(spec_path: Path, serial: Path, tmp_path: Path) -> None:
    summary = run_sweep(load_spec(spec_path), out=tmp_path / "pool", workers=2)
    assert (summary.done, summary.failed) == (4, 0)
    same_results(serial, tmp_path / "pool")


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[object]:
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, death_timeout=60)
    try:
        yield cluster
    finally:
        cluster.close(timeout=30)


def test_dask_matches_serial(spec_path: Path, serial: Path, tmp_path: Path, dask_cluster) -> None:
    # --executor dask --scheduler ADDR: a client connected to a running cluster.
    with make_executor("dask", 2, dask_cluster.scheduler_address) as executor:
        summary = run_sweep(load_spec(spec_path), out=tmp_path / "dask", executor=executor, workers=2)
    assert (summary.done, summary.failed) == (4, 0)
    same_results(serial, tmp_path / "dask")


def test_any_concurrent_futures_executor_works(spec_path: Path, serial: Path, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as executor:
        run_sweep(load_spec(spec_path), out=tmp_path / "threads", executor=executor, workers=2)
    same_results(serial, tmp_path / "threads")


def modules_loaded(names: tuple[str, ...]) -> list[str]:
    """In a worker: which of ``names`` it has imported."""
    import sys

    return [name for name in names if name in sys.modules]


def test_pool_workers_start_with_what_a_run_imports() -> None:
    """Before any run, a worker holds the model, the policies and Parquet: its first run
    is as fast as the rest (importing them cost about a second per worker)."""
    from govsim.study.worker import RUN_MODULES

    with make_executor("local", 2) as pool:
        assert pool.submit(modules_loaded, RUN_MODULES).result() == list(RUN_MODULES)


def test_bad_executor_choices_are_input_errors() -> None:
    with pytest.raises(StudyError, match="unknown executor"), make_executor("mpi", 2):
        pass
    with pytest.raises(StudyError, match="--scheduler is for --executor dask"), \
            make_executor("local", 2, "tcp://127.0.0.1:1"):
        pass
