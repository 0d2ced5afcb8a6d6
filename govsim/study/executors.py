"""Executors: where runs happen, behind the one ``concurrent.futures`` interface.

* ``serial``: in this process, one run after another (``--workers 1``).
* ``local``: a pool of worker processes started once and reused; each imports
  govsim once (the initializer) and builds every model itself, so nothing but
  a scenario and a seed goes out and the run's encoded tables come back.
  Workers start with ``forkserver`` (``spawn`` where there is none), never by
  changing the global start method, and ignore Ctrl-C so that the parent alone
  decides what happens on an interrupt.
* ``dask``: Dask's distributed client (``pip install govsim[distributed]``),
  connected to ``--scheduler ADDR`` or to a local cluster it starts.
* Any other :class:`concurrent.futures.Executor` can be passed to
  :func:`run_tasks` directly.

Results do not depend on the executor: a run is a pure function of its
scenario and seed (:func:`govsim.simulate`).

As with any ``spawn`` or ``forkserver`` process pool, each worker imports the
calling script as ``__mp_main__``: a script that runs a sweep with more than
one worker must keep its work under ``if __name__ == "__main__":``. The
``govsim`` command already does.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import importlib
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from govsim.study.errors import StudyError
from govsim.study.worker import RUN_MODULES, RunRecord, RunTask, execute

EXECUTORS = ("local", "dask")
#: Seconds to wait for a Dask scheduler to answer before giving up on it.
CONNECT_SECONDS = 5


class SerialExecutor(cf.Executor):
    """Runs each submitted call at once, in this process; futures come back done.

    ``KeyboardInterrupt`` and other non-``Exception`` errors propagate at once
    instead of being stored in the future, so Ctrl-C stops a serial sweep
    where it is.
    """

    def submit(self, fn, /, *args, **kwargs) -> cf.Future:
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as err:  # the caller reads it from the future, as from any executor
            future.set_exception(err)
        return future


def _init_worker(parent: int) -> None:
    """Pool worker start-up: ignore Ctrl-C (the parent handles it), watch for the parent's death,
    and import what a run needs once (imports only: runs go through :func:`govsim.simulate`).
    Under ``forkserver`` the imports are already there and cost nothing."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), name="govsim-parent-watch", daemon=True).start()
    for module in RUN_MODULES:
        importlib.import_module(module)


def _watch_parent(pid: int, interval: float = 1.0) -> None:
    """End this worker once the sweep's process is gone.

    A parent killed outright (``kill -9``, out of memory) cannot stop its
    pool, and the workers, waiting on a queue whose other end they hold
    themselves, would wait for ever.
    """
    while True:
        time.sleep(interval)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:
            continue


def check_local(kind: str, scheduler: str | None) -> None:
    """Refuse an executor other than ``local`` or ``dask``, and a scheduler without Dask (what is
    left of ``kind`` is then the local pool)."""
    if kind != "local":
        raise StudyError(f"unknown executor {kind!r}; expected one of: {', '.join(EXECUTORS)}")
    if scheduler is not None:
        raise StudyError("--scheduler is for --executor dask")


@contextlib.contextmanager
def make_executor(kind: str = "local", workers: int = 1,
                  scheduler: str | None = None) -> Iterator[cf.Executor]:
    """An executor for ``kind``, shut down (workers stopped) on exit, also on Ctrl-C.

    Args:
        kind: ``local`` (serial for one worker, else a process pool) or ``dask``.
        workers: Worker processes (local pool, or a local Dask cluster).
        scheduler: Dask scheduler address; None starts a local cluster.

    Raises:
        StudyError: An unknown kind, or Dask asked for but not installed.
    """
    if kind == "dask":
        with _dask_executor(workers, scheduler) as executor:
            yield executor
        return
    check_local(kind, scheduler)
    if workers <= 1:
        yield SerialExecutor()
        return
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_init_worker,
                                  initargs=(os.getpid(),))
    try:
        yield pool
    except BaseException:
        _stop_pool(pool)
        raise
    pool.shutdown(wait=True)


def start_early(kind: str, workers: int) -> None:
    """Start the local pool's forkserver now, without waiting for it.

    The forkserver's imports (:data:`~govsim.study.worker.RUN_MODULES`, about
    a second) then overlap the caller's own set-up, such as writing the
    experiment's store, instead of holding up the first run. The pool made
    later forks its workers from this forkserver. Does nothing for a serial
    run, Dask, or where there is no forkserver.
    """
    if kind == "local" and workers > 1 and _context().get_start_method() == "forkserver":
        multiprocessing.forkserver.ensure_running()


def _context() -> multiprocessing.context.BaseContext:
    """``forkserver`` with the model preloaded (workers then start in milliseconds), else ``spawn``.

    The preload list is a setting of the forkserver, not of the start method,
    and takes effect only if the forkserver is not yet running.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(RUN_MODULES))
    return context


def _stop_pool(pool: cf.ProcessPoolExecutor) -> None:
    """Stop a pool now: cancel queued runs and end the runs in flight (they are lost, as documented)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.terminate()


@contextlib.contextmanager
def _dask_executor(workers: int, scheduler: str | None) -> Iterator[cf.Executor]:
    with dask_client(workers, scheduler) as client:
        yield client.get_executor(pure=False)


@contextlib.contextmanager
def dask_client(workers: int, scheduler: str | None) -> Iterator[object]:
    """A ``distributed.Client`` on ``scheduler``, or on a local cluster of ``workers`` processes
    that is closed with it. ABC-SMC hands the client itself to pyabc's Dask sampler.

    Raises:
        StudyError: Dask's distributed scheduler is not installed, or the scheduler
            does not answer within :data:`CONNECT_SECONDS`.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise StudyError("--executor dask needs Dask's distributed scheduler: "
                         "pip install 'govsim[distributed]'") from None
    cluster = None
    if scheduler is None:
        # Workers started while Ctrl-C is ignored ignore it too (as the local pool's do), so
        # Ctrl-C in a terminal, which reaches every process, stops the sweep here alone,
        # quietly; and Dask's own logs are not shown, errors included: on the way out a worker
        # may log that it lost the scheduler, and a run's own failure reaches the store anyway.
        with _ctrl_c_ignored():
            cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.CRITICAL)
    if cluster is not None:
        client = Client(cluster)
    else:
        try:
            _probe(str(scheduler))  # a refused connection is known at once, not after the timeout
            client = Client(scheduler, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError) as err:
            reason = (err.strerror or str(err)).lower()
            raise StudyError(f"cannot reach the Dask scheduler at {scheduler} within {CONNECT_SECONDS} s "
                             f"({reason}); check the address and that the scheduler is running.") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@contextlib.contextmanager
def _ctrl_c_ignored() -> Iterator[None]:
    """Ignore SIGINT in this process for the block (only the main thread may change it)."""
    try:
        old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: leave it
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


def _probe(address: str) -> None:
    """Open and close a TCP connection to a ``tcp://HOST:PORT`` scheduler (other protocols: nothing)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme != "tcp" or parts.hostname is None or parts.port is None:
        return
    with socket.create_connection((parts.hostname, parts.port), timeout=CONNECT_SECONDS):
        pass


@dataclass
class Progress:
    """Counts for a progress display: runs finished, failed, and planned."""

    total: int
    done: int = 0
    failed: int = 0


def run_tasks(tasks: Iterable[RunTask], executor: cf.Executor, on_record: Callable[[RunRecord], None],
              *, in_flight: int) -> None:
    """Execute tasks with at most ``in_flight`` submitted at once; hand each record on as it comes.

    Bounded submission keeps memory flat however many tasks there are: tasks
    are drawn from the iterable only as slots free up, and each record is
    handed to ``on_record`` (which stores it) and dropped.

    Raises:
        StudyError: A worker process died (out of memory, killed); finished
            runs are stored and ``--resume`` continues.
    """
    pending: set[cf.Future] = set()
    queue = iter(tasks)
    try:
        while True:
            for task in queue:
                pending.add(executor.submit(execute, task))
                if len(pending) >= in_flight:
                    break
            if not pending:
                return
            finished, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for future in finished:
                on_record(_result(future))
    finally:
        for future in pending:
            future.cancel()


def _result(future: cf.Future) -> RunRecord:
    try:
        return future.result()
    except cf.process.BrokenProcessPool as err:
        raise StudyError(f"a worker process died ({err}); runs finished so far are stored. Free some "
                         "memory or use fewer --workers, then run again with --resume.") from None
