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

from govsim.files import write_atomic
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
    original = load_scenario(spec.base.source).to_dict()
    for tokens, value in _differences(original, fitted.to_dict()):
        if tokens[0] in ("name", "description"):
            continue
        if tokens[0] == "policies":
            document["policies"] = [dict(p) for p in fitted.policies]  # extends replaces the list whole
            continue
        node = document
        for token in tokens[:-1]:
            node = node.setdefault(token, {})
        node[tokens[-1]] = value
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


def _differences(old: Any, new: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Leaf paths where ``new`` differs from ``old`` (lists compared whole), with the new values:
    the spec's overrides, those given on the command line, and the fitted parameters."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key, value in new.items():
            out += _differences(old.get(key), value, (*path, str(key)))
        return out
    return [] if old == new else [(path, new)]


def _check(path: Path, expected: Any) -> None:
    loaded = load_scenario(path)
    if loaded.hash != expected.hash:
        raise StudyError(f"{path} was written but does not load back to the calibrated settings; "
                         "please report this as a bug.")
