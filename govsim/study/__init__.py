"""Experiments at scale: sweeps, comparisons with uncertainty, sensitivity, calibration.

The study layer knows the model only through :func:`govsim.simulate`. An
experiment spec (:func:`load_spec`) expands into design points and seeds
(:mod:`~govsim.study.design`); runs go through an executor
(:mod:`~govsim.study.executors`) into a results store (:mod:`~govsim.study.store`),
one file per run as it finishes; analyses read the store back
(:func:`load_results`, :mod:`~govsim.study.stats`, :mod:`~govsim.study.compare`,
:mod:`~govsim.study.sensitivity`, :mod:`~govsim.study.calibrate`,
:mod:`~govsim.study.report`).

Names are imported on first use, so that ``govsim --help`` stays quick. The
comparison and calibration entry points live in their modules
(:func:`govsim.study.compare.compare`, :func:`govsim.study.calibrate.calibrate`),
whose names they share.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "StudyError": "govsim.study.errors",
    "ExperimentSpec": "govsim.study.spec",
    "load_spec": "govsim.study.spec",
    "run_sweep": "govsim.study.sweep",
    "load_results": "govsim.study.results",
    "load_summaries": "govsim.study.results",
    "load_cases": "govsim.study.results",
    "export_results": "govsim.study.results",
    "arms_spec": "govsim.study.compare",
    "run_sensitivity": "govsim.study.sensitivity",
    "write_report": "govsim.study.report",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'govsim.study' has no attribute {name!r}")
