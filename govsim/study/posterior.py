"""Posterior draws for sweeps and comparisons: parameter uncertainty as well as noise.

``govsim compare --posterior FILE`` and ``govsim sweep --posterior FILE`` read
a posterior sample such as the ``posterior.csv`` of ``govsim calibrate
--method abc``: one row per particle, one column per parameter (a scenario
path), and a ``weight`` column. Each replication draws one particle by weight
and runs every arm or design point with its parameter values, so the
parameters are shared across arms just as the seeds are (common random
numbers): replication ``r`` always gets the same particle, from the master
seed and ``r`` alone. The spread of the replications, and so every effect
interval, then carries the parameters' uncertainty as well as the model's
stochastic noise.

Which columns are parameters: those listed as the posterior's parameters in
``abc.json`` when it sits next to the file (as ``calibrate`` writes it), else
every column except ``weight``, ``distance`` and the simulated targets
(``sim:...``). Applying a draw to a scenario checks that each is a scenario
path; values are cast to int where the scenario's value is an int.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from govsim.study.errors import StudyError

#: Columns of an ABC posterior that are not parameters (besides the ``sim:`` targets).
NON_PARAMETERS = ("weight", "distance")
SIMULATED_PREFIX = "sim:"
#: Plan-table columns (``plan.csv``, :func:`govsim.study.load_results`) of a replication's draw.
POSTERIOR_PREFIX = "posterior:"
#: Mixed into the draws' seed so that they are unrelated to the replication seeds.
_STREAM = 0x706F7374


@dataclass(frozen=True)
class Posterior:
    """A weighted sample of parameter values.

    Attributes:
        path: The file it was read from.
        parameters: Scenario paths, one per column of ``values``.
        values: One row per particle.
        weights: One per particle, summing to 1.
        digest: SHA-256 of the parameters, values and weights (the experiment's identity).
    """

    path: Path
    parameters: tuple[str, ...]
    values: np.ndarray
    weights: np.ndarray
    digest: str

    @property
    def particles(self) -> int:
        """How many particles."""
        return len(self.weights)

    def describe(self) -> dict[str, Any]:
        """JSON-ready: file, particles, parameters, digest."""
        return {"file": str(self.path), "particles": self.particles, "parameters": list(self.parameters),
                "digest": self.digest}


def load_posterior(path: str | Path) -> Posterior:
    """Read a posterior sample (CSV: parameter columns and ``weight``).

    Raises:
        StudyError: The file is missing or unreadable, has no ``weight`` column,
            no parameter columns, no rows, or values that are not finite numbers
            (weights: not negative, some above 0).
    """
    import pandas as pd

    file = Path(path)
    expected = ("expected a CSV with one row per particle, a 'weight' column and one column per "
                "parameter (a scenario path), such as the posterior.csv of 'govsim calibrate --method abc'")
    if not file.is_file():
        raise StudyError(f"--posterior {file}: no such file; {expected}")
    try:
        frame = pd.read_csv(file)
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise StudyError(f"--posterior {file}: cannot be read as CSV ({err}); {expected}") from None
    if "weight" not in frame.columns:
        columns = ", ".join(map(str, frame.columns))
        raise StudyError(f"--posterior {file}: no 'weight' column (columns: {columns}); {expected}")
    parameters = _parameters(file, [str(c) for c in frame.columns])
    if not parameters:
        raise StudyError(f"--posterior {file}: no parameter columns; {expected}")
    if frame.empty:
        raise StudyError(f"--posterior {file}: no particles (no rows); {expected}")
    values = _numbers(frame, parameters, file)
    weights = _numbers(frame, ["weight"], file)[:, 0]
    if (weights < 0).any() or not weights.sum() > 0:
        raise StudyError(f"--posterior {file}: weights must be at least 0 and not all 0")
    weights = weights / weights.sum()
    content = json.dumps([list(parameters), values.tolist(), weights.tolist()])
    digest = hashlib.sha256(content.encode()).hexdigest()
    return Posterior(file, tuple(parameters), values, weights, digest)


def draws(posterior: Posterior, replications: int, seed: int) -> list[dict[str, float]]:
    """The parameter values of each replication: ``[{path: value}, ...]``, one per replication.

    Replication ``r`` draws one particle by weight with a generator seeded from
    ``(seed, r)`` alone, so it gets the same values in every arm, in every
    batch and on resume, and adding replications keeps the earlier draws.
    """
    out = []
    for r in range(replications):
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), int(r), _STREAM]))
        i = int(rng.choice(posterior.particles, p=posterior.weights))
        out.append({p: float(v) for p, v in zip(posterior.parameters, posterior.values[i], strict=True)})
    return out


def check_not_varied(posterior: Posterior, scenarios: Mapping[str, Any]) -> None:
    """Refuse a posterior parameter that the arms or design points set differently.

    The draw would overwrite the difference, so the comparison would silently
    compare nothing on that parameter. ``scenarios``: label -> scenario.

    Raises:
        StudyError: Naming the parameter and each label's value.
    """
    for path in posterior.parameters:
        seen = {}
        for label, scenario in scenarios.items():
            try:
                seen[label] = scenario.get(path)
            except KeyError:
                continue  # apply() says which path is unknown
        if len({repr(v) for v in seen.values()}) > 1:
            values = ", ".join(f"{label}: {value}" for label, value in seen.items())
            raise StudyError(f"--posterior {posterior.path}: parameter {path!r} differs between the arms or "
                             f"design points ({values}); each replication's draw would overwrite that "
                             f"difference. Drop {path!r} from the posterior file, or from what the arms "
                             "vary")


def apply(scenario: Any, values: Mapping[str, Any]) -> Any:
    """The scenario with a draw's values set (ints where the scenario has an int).

    Raises:
        StudyError: A parameter is not a path of the scenario, or its value is refused.
    """
    from govsim.scenario import ScenarioError

    overrides = {}
    for path, value in values.items():
        try:
            current = scenario.get(path)
        except KeyError as err:
            raise StudyError(f"posterior parameter {path!r} is not a scenario path: {err}") from None
        integer = isinstance(current, int) and not isinstance(current, bool)
        overrides[path] = round(value) if integer else value
    try:
        return scenario.with_overrides(overrides)
    except ScenarioError as err:
        raise StudyError(f"posterior values {overrides} do not fit scenario {scenario.name!r}: "
                         f"{err}") from None


def intervals_note(posterior: Posterior | Mapping[str, Any] | None) -> str:
    """What the intervals include, in words (``posterior``: the object or its :meth:`Posterior.describe`)."""
    if posterior is None:
        return "intervals include stochastic noise only (no --posterior: parameters fixed)"
    info = posterior.describe() if isinstance(posterior, Posterior) else posterior
    return (f"intervals include parameter uncertainty from {info['file']} ({info['particles']} particles) "
            "as well as stochastic noise")


def _parameters(file: Path, columns: list[str]) -> list[str]:
    listed = _abc_parameters(file.parent / "abc.json") if file.name == "posterior.csv" else None
    if listed is not None:
        missing = [p for p in listed if p not in columns]
        if missing:
            raise StudyError(f"--posterior {file}: parameters {missing} of {file.parent / 'abc.json'} are "
                             "not columns of the file")
        return listed
    return [c for c in columns if c not in NON_PARAMETERS and not c.startswith(SIMULATED_PREFIX)]


def _abc_parameters(report: Path) -> list[str] | None:
    try:
        rows = json.loads(report.read_text(encoding="utf-8")).get("posterior")
        names = [str(row["parameter"]) for row in rows]
    except (OSError, ValueError, AttributeError, TypeError, KeyError):
        return None
    return names or None


def _numbers(frame: Any, columns: list[str], file: Path) -> np.ndarray:
    import pandas as pd

    block = frame[columns].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    bad = [c for j, c in enumerate(columns) if not np.isfinite(block[:, j]).all()]
    if bad:
        raise StudyError(f"--posterior {file}: column(s) {', '.join(bad)} hold values that are not finite "
                         "numbers")
    return block

