"""Writing a calibrated scenario: the base scenario file plus the fitted settings.

The file ``extends`` the base scenario and sets only what the calibration
changed (the spec's ``set`` overrides and the fitted parameters), so a reader
sees at a glance what was calibrated. A policy's list is written whole,
because ``extends`` replaces the ``policies`` list rather than merging it. The
file is loaded back and its scenario checked against the fitted one before
the path is returned.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from govsim.io import write_atomic
from govsim.scenario import load_scenario, yamlio
from govsim.study.design import Point
from govsim.study.errors import StudyError
from govsim.study.spec import ExperimentSpec


def write_calibrated(spec: ExperimentSpec, point: Point, path: Path, targets: pd.DataFrame,
                     objective: float) -> Path:
    """Write the calibrated scenario YAML and check that it loads to the fitted scenario.

    Raises:
        StudyError: The base scenario has no file to extend, or the written
            file does not load back to the same settings.
    """
    if spec.base.source is None:
        raise StudyError("the base scenario has no file, so a calibrated scenario cannot extend it")
    fitted = point.scenario
    name = f"{spec.base.name}_calibrated"
    description = f"{spec.base.name} calibrated by govsim calibrate ({spec.name})"
    document: dict[str, Any] = {
        "extends": os.path.relpath(Path(spec.base.source).resolve(), path.resolve().parent),
        "name": name, "description": description,
    }
    changed = {p: fitted.get(p) for p in _changed_paths(spec, point)}
    for dotted, value in changed.items():
        tokens = yamlio.split_path(dotted)
        if tokens[0] == "policies":
            document["policies"] = [dict(p) for p in fitted.policies]
            continue
        node = document
        for token in tokens[:-1]:
            node = node.setdefault(str(token), {})
        node[str(tokens[-1])] = value
    met = int(targets["met"].sum())
    header = (f"# Calibrated by 'govsim calibrate' from {spec.source or spec.name} on "
              f"{datetime.now(UTC):%Y-%m-%d}.\n"
              f"# Targets met: {met} of {len(targets)}; objective {objective:.6g}; "
              f"{spec.replications} replications per evaluation, master seed {spec.seed}.\n")
    for row in targets.itertuples():
        status = "met" if row.met else "MISSED"
        header += (f"#   {row.metric} ({row.scope}:{row.key}): target {row.target:.4g}, "
                   f"fitted {row.fitted:.4g} [{status}]\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, (header + yamlio.dump(document)).encode("utf-8"))
    _check(path, fitted.replace(name=name, description=description))
    return path


def _changed_paths(spec: ExperimentSpec, point: Point) -> list[str]:
    """Paths the calibrated scenario must set: the spec's overrides and the fitted parameters."""
    overrides = spec.document.get("set") or {}
    paths = [str(k) for k in overrides]
    if spec.document.get("steps") is not None:
        paths.append("steps")
    return list(dict.fromkeys([*paths, *point.values]))


def _check(path: Path, expected: Any) -> None:
    loaded = load_scenario(path)
    if loaded.hash != expected.hash:
        raise StudyError(f"{path} was written but does not load back to the calibrated settings; "
                         "please report this as a bug.")
