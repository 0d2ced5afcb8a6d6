"""Experiment specs (``experiments/*.yaml``): read, validate strictly, resolve.

A spec names a ``base`` scenario and then either ``arms`` (named variants,
each a scenario file and/or overrides, compared with the ``baseline`` arm) or
``factors`` (parameters by dotted path, with ``values`` or a ``range``:
``[low, high]``, or ``plausible`` for the parameter's declared plausible
range, whose source then goes with the factor into reports) and a
``design``; ``targets`` instead of a design makes it a calibration. It is read
with the scenario language's YAML reader and checked with its validator, and
every arm and factor value is tried on the base scenario at load time, so a
mistake anywhere is a :class:`~govsim.ScenarioError` naming the spec's file,
line and key (with "did you mean"), before a single run starts.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from govsim.scenario import Scenario, ScenarioError, load_scenario, yamlio
from govsim.scenario.errors import Origin, Problem, show
from govsim.scenario.loader import Reference
from govsim.scenario.params import Section
from govsim.scenario.suggest import closest, one_of
from govsim.scenario.validate import Validator
from govsim.study import specschema as schema
from govsim.study.specschema import AbcSettings, Arm, ExperimentSpec, Factor, Target

__all__ = ["AbcSettings", "Arm", "ExperimentSpec", "Factor", "Target", "is_spec", "load_spec"]

#: Keys only an experiment spec has (a scenario has none of them).
SPEC_ONLY = ("base", "arms", "factors", "targets", "design", "replications", "optimizer", "abc",
             "question", "baseline")


def is_spec(path: str | os.PathLike[str]) -> bool:
    """Whether a YAML file is an experiment spec rather than a scenario, by its top-level keys.

    A file that cannot be read or parsed is not a spec: the scenario loader then says what
    is wrong with it, with its line.
    """
    try:  # the scenario reader: bounded in size, nesting and aliases, so no file can hang or crash this
        data = yamlio.read(Path(path)).data if Path(path).is_file() else None
    except ScenarioError:
        return False
    return isinstance(data, dict) and any(key in data for key in SPEC_ONLY)


def load_spec(path: str | os.PathLike[str], scenario_overrides: Mapping[str, Any] | None = None, *,
              replications: int | None = None, steps: int | None = None,
              out: str | os.PathLike[str] | None = None) -> ExperimentSpec:
    """Read, validate and resolve an experiment spec file.

    Args:
        path: The spec's YAML file.
        scenario_overrides: Further ``{dotted.path: value}`` overrides for every
            arm and design point (after the spec's own ``set``), e.g. to shrink
            the county for a quick try.
        replications: Replace the spec's ``replications``.
        steps: Replace the spec's ``steps``.
        out: Replace the spec's ``out``.

    Raises:
        ScenarioError: Every problem found in the spec, or in a scenario it
            names, each with its file, line and key.
    """
    label = str(path)
    doc = yamlio.read(Path(path), label)
    if not isinstance(doc.data, dict):
        raise ScenarioError(Problem(f"an experiment spec must be a mapping of keys to values; got "
                                    f"{show(doc.data)}", Origin(file=label, line=1)))
    return _Reader(doc, label).resolve(dict(scenario_overrides or {}), replications, steps, out)


class _Reader:
    """Validates one spec document, collecting every problem before raising."""

    def __init__(self, doc: yamlio.Document, label: str) -> None:
        self.doc, self.label, self.data = doc, label, doc.data
        self.folder = Path(label).parent
        self.validator = Validator(schema.SPEC, (), tuple, lambda name: Section(name, ""), self.where)
        # One list: the validator's problems and this reader's, in the order found.
        self.problems: list[Problem] = self.validator.problems

    def where(self, path: str | None) -> Origin:
        """The file position of ``path``, or of the nearest enclosing key written in the file."""
        for candidate in yamlio.parents(path) if path else []:
            if candidate in self.doc.marks:
                line, column = self.doc.marks[candidate]
                return Origin(self.label, line, column)
        return Origin(file=self.label)

    def add(self, message: str, path: str, **fields: Any) -> None:
        self.problems.append(Problem(message, self.where(path), key=path or None, **fields))

    def unknown(self, key: Any, known: tuple[str, ...], prefix: str, what: str) -> None:
        path = yamlio.join(prefix, key)
        self.add(f"{path} is not a known key of {what}. Expected one of: {one_of(known)}", path,
                 expected=f"one of: {one_of(known)}", got=show(key), suggestion=closest(key, known))

    def resolve(self, extra: dict[str, Any], replications: int | None, steps: int | None,
                out: Any) -> ExperimentSpec:
        # Bad values come back as defaults, so checking goes on and every problem is reported.
        top = self.validator.section(schema.SPEC, self.data, "", extra=schema.STRUCTURED)
        if steps is not None:
            top["steps"] = steps
        common = self._overrides(self.data.get("set"), "set")
        common.update({k: (v, None) for k, v in extra.items()})
        if top["steps"] is not None:
            common["steps"] = (top["steps"], "steps")
        base = self._base(top["base"], common)
        arms = self._arms(self.data.get("arms"), top["base"], common)
        factors = self._factors(self.data.get("factors"), base)
        targets = self._targets(self.data.get("targets"))
        optimizer = self.validator.section(schema.OPTIMIZER, self.data.get("optimizer"), "optimizer")
        abc = self.validator.section(schema.ABC, self.data.get("abc"), "abc")
        self._check_shape(top, arms, factors, targets)
        reference = self._reference(self.data.get("reference"), top["design"], factors)
        self._raise()
        return ExperimentSpec(
            name=top["name"] or Path(self.label).stem, base=base or arms[0].scenario, arms=tuple(arms),
            factors=tuple(factors), design=top["design"], targets=tuple(targets),
            baseline=top["baseline"] or (arms[0].name if arms else None),
            replications=replications or top["replications"], seed=top["seed"],
            metrics=tuple(dict.fromkeys(top["metrics"])), samples=top["samples"], levels=top["levels"],
            second_order=top["second_order"], method=optimizer["method"],
            max_evaluations=optimizer["max_evaluations"], abc=AbcSettings(**abc),
            description=top["description"],
            question=top["question"], out=str(out) if out is not None else top["out"], cases=top["cases"],
            source=self.label, document=self.data, reference=reference,
        )

    def _raise(self) -> None:
        if self.problems:
            # The base and an arm that names no file of its own load the same file: say its problems once.
            raise ScenarioError(dict.fromkeys(self.problems))

    def _overrides(self, value: Any, path: str) -> dict[str, tuple[Any, str | None]]:
        """``{key: (value, spec path it was written at)}`` from a ``set`` mapping."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.add(f"{path} must be a mapping of scenario paths to values, e.g. "
                     f"'population.residents: 6000'; got {show(value)}", path, expected="a mapping")
            return {}
        return {str(k): (v, yamlio.join(path, k)) for k, v in value.items()}

    def _scenario(self, file: str | None, overrides: dict[str, tuple[Any, str | None]],
                  ref: str) -> Scenario | None:
        """Load a scenario named in the spec, moving override problems to the spec's lines."""
        target = None if file is None else self.folder / file
        named = None if file is None else Reference(self.where(ref), ref)
        try:
            return load_scenario(target, {k: v for k, (v, _) in overrides.items()}, referred_by=named)
        except ScenarioError as err:
            spots = {k: self.where(p) for k, (_, p) in overrides.items() if p is not None}
            self.problems += [_relocate(p, spots, self.where(ref) if file else None) for p in err.problems]
            return None

    def _base(self, base: str | None, common: dict) -> Scenario | None:
        if base is None:
            if not self.data.get("arms") or self.data.get("factors"):
                self.add("the spec names no base scenario; add e.g. 'base: ../scenarios/baseline.yaml' "
                         "(relative to the spec)", "base", expected="a scenario file")
            return None
        return self._scenario(base, common, "base")

    def _arms(self, value: Any, base: str | None, common: dict) -> list[Arm]:
        if value is None:
            return []
        if not isinstance(value, dict) or not value:
            self.add(f"arms must be a mapping of arm names to variants; got {show(value)}", "arms",
                     hint="e.g. 'arms: {baseline: {}, strict: {set: {policies.0.margin: 0.3}}}'")
            return []
        arms = []
        for name, body in value.items():
            path = yamlio.join("arms", name)
            body = {} if body is None else body
            if not isinstance(body, dict):
                self.add(f"{path} must be a mapping with 'scenario' and/or 'set'; got {show(body)}", path)
                continue
            for key in body:
                if key not in ("scenario", "set"):
                    self.unknown(key, ("scenario", "set"), path, "an arm")
            file = body.get("scenario", base)
            if not isinstance(file, str):
                said = f"got {show(file)}" if "scenario" in body else "it names none and there is no base"
                self.add(f"{path}.scenario must be a scenario file name; {said}", f"{path}.scenario")
                continue
            own = self._overrides(body.get("set"), f"{path}.set")
            scenario = self._scenario(file, {**common, **own}, f"{path}.scenario" if "scenario" in body
                                      else "base")
            if scenario is not None:
                arms.append(Arm(str(name), scenario, body.get("scenario"),
                                {k: v for k, (v, _) in own.items()}))
        return arms

    def _factors(self, value: Any, base: Scenario | None) -> list[Factor]:
        if value is None:
            return []
        if not isinstance(value, dict) or not value:
            self.add(f"factors must be a mapping of scenario paths to values or ranges; got {show(value)}",
                     "factors", hint="e.g. 'factors: {policies.0.margin: {values: [0, 0.1, 0.2]}}'")
            return []
        out = []
        for key, body in value.items():
            factor = self._factor(str(key), body, base)
            if factor is not None:
                out.append(factor)
        return out

    def _factor(self, key: str, body: Any, base: Scenario | None) -> Factor | None:
        path = yamlio.join("factors", key)
        if not isinstance(body, dict):
            self.add(f"{path} must be a mapping with 'values' or 'range'; got {show(body)}", path,
                     hint="e.g. '{values: [0, 0.1, 0.2]}' or '{range: [0, 0.4]}'")
            return None
        settings = self.validator.section(schema.FACTOR, body, path, extra=schema.FACTOR_LISTS)
        if base is None:
            return None
        values, bounds = body.get("values"), body.get("range")
        origin = None
        if bounds == PLAUSIBLE:
            bounds, origin = self._plausible(key, f"{path}.range")
            if bounds is None:
                return None
        current = self._current(base, key, path, values, bounds)
        if current is _MISSING:
            return None
        if (values is None) == (bounds is None):
            self.add(f"{path} needs either 'values' (a list) or 'range' ([low, high]), not "
                     f"{'both' if values is not None else 'neither'}", path)
            return None
        integer = isinstance(current, int) and not isinstance(current, bool)
        factor = Factor(key, levels=settings["levels"], start=settings["start"], integer=integer,
                        prior=settings["prior"], role=settings["role"])
        if values is not None:
            factor = self._values(factor, values, f"{path}.values")
        else:
            factor = self._range(factor, bounds, f"{path}.range", current)
            if factor is not None and origin is not None:
                factor = dataclasses.replace(factor, range_source=origin)
        if factor is not None:
            self._try(base, factor, path)
        return factor

    def _plausible(self, key: str, path: str) -> tuple[list[float] | None, str | None]:
        """The declared plausible range of parameter ``key`` and its source (``range: plausible``)."""
        from govsim.scenario.loader import default_declarations

        declared = dict(default_declarations().model.walk())
        param = declared.get(key)
        if param is None or param.plausible is None:
            ranged = sorted(p for p, d in declared.items() if d.plausible is not None)
            self.add(f"{path}: {key} has no declared plausible range ('govsim params' lists each "
                     "parameter's); give the range as [low, high]", path,
                     hint=f"parameters with a plausible range: {', '.join(ranged)}")
            return None, None
        return [float(param.plausible[0]), float(param.plausible[1])], param.plausible_source

    def _current(self, base: Scenario, key: str, path: str, values: Any, bounds: Any) -> Any:
        """The base's value at a factor's path; a key the base leaves out (a line of a mapping
        parameter) is accepted when the scenario takes a value there."""
        try:
            return base.get(key)
        except KeyError as err:
            sample = values[0] if isinstance(values, list) and values else (
                bounds[0] if isinstance(bounds, list) and bounds else None)
            try:
                base.with_overrides({key: sample})
            except ScenarioError:
                self.add(f"{path}: {err.args[0]}", path, got=show(key))
                return _MISSING
            return sample

    def _values(self, factor: Factor, values: Any, path: str) -> Factor | None:
        if not isinstance(values, list) or not values or any(isinstance(v, dict | list) for v in values):
            self.add(f"{path} must be a non-empty list of values; got {show(values)}", path)
            return None
        return dataclasses.replace(factor, values=tuple(values))

    def _range(self, factor: Factor, bounds: Any, path: str, current: Any) -> Factor | None:
        numeric = isinstance(current, int | float) and not isinstance(current, bool)
        ok = (isinstance(bounds, list) and len(bounds) == 2
              and all(isinstance(b, int | float) and not isinstance(b, bool) and math.isfinite(b)
                      for b in bounds))
        if not numeric:
            self.add(f"{path}: {factor.path} is not a number ({show(current)}), so it takes 'values', "
                     "not a range", path)
            return None
        if not ok or not bounds[0] < bounds[1]:
            self.add(f"{path} must be [low, high] with low < high, both finite; got "
                     f"{show(bounds)}", path, expected="[low, high]")
            return None
        start = factor.start
        if start is not None and not bounds[0] <= start <= bounds[1]:
            self.add(f"{path}: start {show(start)} is outside the range {show(bounds)}", path)
        if factor.prior == "loguniform" and bounds[0] <= 0:
            self.add(f"{path}: a loguniform prior needs a range above 0; got {show(bounds)}", path,
                     hint="raise the low end, or use 'prior: uniform'")
        return dataclasses.replace(factor, low=float(bounds[0]), high=float(bounds[1]))

    def _try(self, base: Scenario, factor: Factor, path: str) -> None:
        """Apply each value (or both ends of the range) to the base, so bad values fail now."""
        values = factor.values if factor.values is not None else (factor.low, factor.high)
        for value in values:
            whole = factor.integer and isinstance(value, float) and math.isfinite(value)
            value = round(value) if whole else value  # .inf and .nan go on to be refused by the scenario
            try:
                base.with_overrides({factor.path: value})
            except ScenarioError as err:
                self.problems += [_relocate(p, {factor.path: self.where(path)}, None) for p in err.problems]
                return

    def _targets(self, value: Any) -> list[Target]:
        if value is None:
            return []
        if not isinstance(value, list) or not value:
            self.add(f"targets must be a list of targets, each with metric and value; got {show(value)}",
                     "targets", hint="e.g. '- {metric: admin_share, value: 0.3}'")
            return []
        out = []
        for i, item in enumerate(value):
            path = f"targets[{i}]"
            settings = self.validator.section(schema.TARGET, item, path)
            missing = [k for k in ("metric", "value") if isinstance(item, dict) and item.get(k) is None]
            if missing:
                self.add(f"{path} needs a {' and a '.join(missing)}", path,
                         hint="e.g. '- {metric: admin_share, value: 0.3}'")
            elif isinstance(item, dict):
                out.append(Target(**settings))
        return out

    def _reference(self, value: Any, design: str | None, factors: list[Factor]) -> dict[str, Any] | None:
        """The design point reports compare every other point with (``reference:``), checked to be
        a point of the grid."""
        if value is None:
            return None
        if design != "grid":
            self.add("'reference' names a point of a grid design (design: grid) to compare the other "
                     f"points with; {'design ' + design if design else 'this spec'} has no fixed points",
                     "reference", hint="remove 'reference', or use 'design: grid'")
            return None
        if not isinstance(value, dict) or not value:
            self.add(f"reference must be a mapping of factor paths to one of their values; got {show(value)}",
                     "reference", hint="e.g. 'reference: {policies.0.margin: 0.0, policies.0.levels: 1}'")
            return None
        by_path = {f.path: f for f in factors}
        paths = tuple(by_path)
        ok = True
        for key, chosen in value.items():
            path = yamlio.join("reference", key)
            factor = by_path.get(str(key))
            if factor is None:
                self.add(f"{path}: {key} is not a factor of this design; factors: {', '.join(paths)}", path,
                         got=show(key), suggestion=closest(str(key), paths))
                ok = False
                continue
            grid = _grid_values(factor)
            if not any(_same(chosen, v) for v in grid):
                self.add(f"{path}: {show(chosen)} is not a point of the design: factors.{key} takes "
                         f"{', '.join(show(v) for v in grid)}", path, got=show(chosen),
                         expected=f"one of: {', '.join(show(v) for v in grid)}")
                ok = False
        missing = [p for p in paths if p not in {str(k) for k in value}]
        if missing:
            self.add(f"reference must give a value for every factor, to name one point of the grid; "
                     f"missing: {', '.join(missing)}", "reference")
            ok = False
        if not ok:
            return None
        return {str(k): next(v for v in _grid_values(by_path[str(k)]) if _same(c, v))
                for k, c in value.items()}

    def _check_shape(self, top: dict, arms: list, factors: list, targets: list) -> None:
        has_arms, has_factors = "arms" in self.data, "factors" in self.data
        if has_arms == has_factors:
            self.add("a spec has either 'arms' (named variants to compare) or 'factors' (parameters to "
                     f"vary), not {'both' if has_arms else 'neither'}", "arms" if has_arms else "")
        if has_factors and self.data.get("targets") is None and self.data.get("design") is None:
            self.add("factors need a design: one of " + ", ".join(schema.DESIGNS), "design",
                     hint="add e.g. 'design: grid'")
        if self.data.get("targets") is not None and top["design"] is not None:
            self.add("a calibration (targets) searches by itself; remove 'design'", "design")
        if self.data.get("abc") is not None and self.data.get("targets") is None:
            self.add("'abc' settings are for a calibration: add 'targets', or remove 'abc'", "abc")
        if top["baseline"] is not None and arms and top["baseline"] not in {a.name for a in arms}:
            names = [a.name for a in arms]
            self.add(f"baseline {top['baseline']!r} is not one of the arms ({', '.join(names)})",
                     "baseline", suggestion=closest(top["baseline"], names))
        needs_range = top["design"] in ("lhs", "sobol", "morris") or self.data.get("targets") is not None
        what = f"design {top['design']}" if top["design"] else "calibration"
        for f in factors:
            if needs_range and f.low is None:
                self.add(f"{what} samples a range: give factors.{f.path} a 'range: [low, high]'",
                         f"factors.{f.path}")
            if top["design"] == "grid" and f.values is None and f.levels is None:
                self.add(f"a grid over a range needs 'levels' (how many values): factors.{f.path}",
                         f"factors.{f.path}", hint="add e.g. 'levels: 5', or list 'values'")


def _grid_values(factor: Factor) -> list[Any]:
    """The values a grid takes for a factor (as :func:`govsim.study.design.grid_values`)."""
    if factor.values is not None:
        return list(factor.values)
    if factor.low is None or factor.high is None:
        return []
    steps = factor.levels or 2
    return list(dict.fromkeys(factor.scale(i / (steps - 1)) for i in range(steps)))


def _same(a: Any, b: Any) -> bool:
    """Whether a reference value names a grid value (numbers compared with a tolerance)."""
    def number(x: Any) -> bool:
        return isinstance(x, int | float) and not isinstance(x, bool)

    if number(a) and number(b):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(b)))
    return a == b


#: Marks a factor whose path the base scenario does not have.
_MISSING = object()
#: ``range: plausible``: the parameter's declared plausible range (``govsim params``), with its source.
PLAUSIBLE = "plausible"


def _relocate(problem: Problem, spots: dict[str, Origin], fallback: Origin | None) -> Problem:
    """Point a problem raised by an override at the spec line that wrote the override."""
    label = problem.origin.override
    if label is None:
        return problem
    key = label.removeprefix("--set ").partition("=")[0]
    origin = spots.get(key) or fallback
    return dataclasses.replace(problem, origin=origin) if origin is not None else problem
