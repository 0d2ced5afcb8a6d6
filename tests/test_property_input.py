"""Property-based tests: mutated scenarios and specs give a clean error or a valid run, never a traceback.

Each example takes a shipped scenario or spec, changes one thing in it (a value of another
type, a number out of range, NaN or infinity, a huge integer, a misspelt or unknown key,
deeper nesting, a list for a mapping, a very long string) or in its bytes (a BOM, UTF-16,
bytes that are not UTF-8, a cut, a duplicated line, nothing at all), and reads it with the
library and with ``govsim validate``. Examples are few and runs tiny, to keep CI short.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from govsim.cli import main
from govsim.scenario import ScenarioError, load_scenario, yamlio
from govsim.study import load_spec

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
SPECS = sorted((ROOT / "experiments").glob("*.yaml"))
#: Keys naming other files, made absolute so a mutated copy elsewhere still finds them.
FILE_KEYS = ("extends", "base", "scenario")
#: Examples per property; GOVSIM_PROPERTY_EXAMPLES=2000 searches harder (locally, not in CI).
SEARCH = os.environ.get("GOVSIM_PROPERTY_EXAMPLES")
EXAMPLES = int(SEARCH or 40)  # CI: 40 fixed examples; a search draws new ones each time
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=SEARCH is None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _absolute(data: Any, folder: Path) -> Any:
    if isinstance(data, dict):
        return {k: str((folder / v).resolve()) if k in FILE_KEYS and isinstance(v, str)
                else _absolute(v, folder) for k, v in data.items()}
    if isinstance(data, list):
        return [_absolute(v, folder) for v in data]
    return data


DOCUMENTS = {path: _absolute(yamlio.read(path).data, path.parent) for path in [*SCENARIOS, *SPECS]}

#: Values of every kind, the awkward ones included.
ODD = st.one_of(
    st.none(), st.booleans(), st.integers(), st.sampled_from([2**64, -(2**63) - 1, 10**30, 0, -1]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(["x" * 5000, "1e6", "yes", "0x10", "~", "[", "ünïcødé", "a: b"]),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*prefix, i))
    return out


def _set(data: Any, path: tuple, change: Any) -> Any:
    if not path:
        return change(data)
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {**data, head: _set(data[head], rest, change)}
    copy = list(data)
    copy[head] = _set(copy[head], rest, change)
    return copy


@st.composite
def mutated(draw: st.DrawFn, documents: list[Path]) -> tuple[Path, bytes]:
    """A shipped document with one change in its data or its bytes."""
    source = draw(st.sampled_from(documents))
    data = DOCUMENTS[source]
    path = draw(st.sampled_from(_paths(data)[1:]))
    how = draw(st.sampled_from(["value", "number", "misspell", "unknown", "nest", "listify", "drop"]))
    if how == "value":
        data = _set(data, path, lambda _old: draw(ODD))
    elif how == "number":
        scale = draw(st.sampled_from([-1, 0, 1e-300, 1e300, math.nan, math.inf, -math.inf, 10**20]))
        data = _set(data, path, lambda old: old * scale if isinstance(old, int | float)
                    and not isinstance(old, bool) else scale)
    elif how in ("misspell", "unknown") and isinstance(path[-1], str):
        def rename(parent: Any) -> Any:
            key = path[-1]
            new = key[:-1] + key[-1] * 2 if how == "misspell" else draw(st.text(min_size=1, max_size=8))
            return {(new if k == key else k): v for k, v in parent.items()}
        data = _set(data, path[:-1], rename)
    elif how == "nest":
        data = _set(data, path, lambda old: {"deeper": {"still": old}})
    elif how == "listify":
        data = _set(data, path, lambda old: [old, old])
    elif how == "drop" and isinstance(path[-1], str):
        data = _set(data, path[:-1], lambda parent: {k: v for k, v in parent.items() if k != path[-1]})
    text = yamlio.dump(data)
    raw = text.encode()
    encodings = ["plain"] * 6 + ["bom", "utf16", "latin1", "junk", "cut", "dup", "empty"]
    encoding = draw(st.sampled_from(encodings))
    if encoding == "bom":
        raw = b"\xef\xbb\xbf" + raw
    elif encoding == "utf16":
        raw = text.encode("utf-16")
    elif encoding == "latin1":
        raw = text.replace("e", "é").encode("latin-1", errors="replace")
    elif encoding == "junk":
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    elif encoding == "cut":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif encoding == "dup":
        lines = raw.splitlines(keepends=True)
        at = draw(st.integers(0, len(lines) - 1))
        raw = b"".join([*lines[: at + 1], lines[at], *lines[at + 1:]])
    elif encoding == "empty":
        raw = b""
    return source, raw


def _write(raw: bytes, name: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="govsim-prop-"))
    path = folder / name
    path.write_bytes(raw)
    return path


def _validate(path: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        status = main(["validate", str(path)])
    return status, err.getvalue()


def _clean(status: int, text: str) -> None:
    assert status in (0, 2), text
    assert "Traceback" not in text and "govsim: error:" not in text, text
    for awkward in ("<class", "dict_keys", "object at 0x", "the default is null", "default is None"):
        assert awkward not in text, text
    for suggestion in re.findall(r"Suggestion: ([^\n]*)", text):  # what the user wrote may be quoted
        assert not re.search(r"\b(null|None|nan)\b", re.sub(r"'[^']*'", "", suggestion)), suggestion


@SETTINGS
@given(mutated(SCENARIOS))
def test_a_mutated_scenario_loads_or_says_what_is_wrong(case: tuple[Path, bytes]) -> None:
    source, raw = case
    path = _write(raw, source.name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            load_scenario(path)
    except ScenarioError:
        pass
    _clean(*_validate(path))


@SETTINGS
@given(mutated(SPECS))
def test_a_mutated_spec_loads_or_says_what_is_wrong(case: tuple[Path, bytes]) -> None:
    source, raw = case
    path = _write(raw, source.name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            load_spec(path, {"population.residents": 2000, "hierarchy.communities_per_township": 1})
    except ScenarioError:
        pass
    _clean(*_validate(path))


TINY = {"population.residents": 300, "hierarchy.communities_per_township": 1, "steps": 2,
        "warmup_weeks": 0}


@settings(max_examples=max(3, EXAMPLES // 4), deadline=None, derandomize=SEARCH is None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(mutated(SCENARIOS))
def test_a_mutated_scenario_that_loads_runs(case: tuple[Path, bytes]) -> None:
    from govsim.run import simulate

    source, raw = case
    path = _write(raw, source.name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scenario = load_scenario(path, TINY)
    except ScenarioError:
        assume(False)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = simulate(scenario)
    assert len(result.timeseries) > 0


#: Bad inputs whose messages must read well (item by item, the texts a user meets most).
BAD = [
    "steps: 0\n", "steps: .nan\n", "steps: 1e400\n", "seed: -1\n", "population: {residents: abc}\n",
    "population: [1, 2]\n", "staff: {contract_hours: -3}\n", "stpes: 3\n", "policies: {type: x}\n",
    "policies: [{type: target_inflaton}]\n", "name: [a]\n", "steps: ~\n", "population: {residents: ~}\n",
    "staff: {priority: 3}\n",
]
BAD_SPECS = [
    "arms: {a: {}}\nsteps: 0\n", "arms: {a: {}}\nsamples: -1\n", "arms: {a: {}}\nreplications: .nan\n",
    "arms: {a: {}}\nbaseline: 3\n", "factors: {steps: {values: 3}}\ndesign: grid\n",
    "factors: {steps: {range: [.nan, 4]}}\ndesign: lhs\n", "arms: {a: {}}\nseed: ~\n",
    "arms: {a: {}}\nmetrics: [cover]\n", "arms: [a, b]\n", "arms: {a: {}}\ndesign: gird\n",
]


@pytest.mark.parametrize("body", BAD)
def test_scenario_errors_read_well(tmp_path: Path, body: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(f"extends: {ROOT / 'scenarios' / 'target_inflation.yaml'}\n{body}")
    status, text = _validate(path)
    assert status == 2
    _clean(status, text)


@pytest.mark.parametrize("body", BAD_SPECS)
def test_spec_errors_read_well(tmp_path: Path, body: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(f"base: {ROOT / 'scenarios' / 'target_inflation.yaml'}\n{body}")
    status, text = _validate(path)
    assert status == 2
    _clean(status, text)
