"""govsim check: the patterns file, the verdicts, the command and docs/validation.md."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from govsim.cli import main
from govsim.validation import DEFAULT_PATTERNS, PatternError, check, load_patterns

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

ONE = """patterns:
  - id: {id}
    kind: validation
    statement: A test pattern.
    source: {{citation: "Someone, A. (2020). A study.", where: p. 1, url: "", strength: B}}
    observed: "something"
    run: {{scenario: baseline{run_set}}}
{against}    measure: {{metric: {metric}}}
    test: {test}
"""


def _write(tmp_path: Path, *, id: str = "p", run_set: str = "", against: str = "", metric: str = "coverage",
           test: str = "{above: 0}") -> Path:
    path = tmp_path / "patterns.yaml"
    path.write_text(ONE.format(id=id, run_set=run_set, against=against, metric=metric, test=test))
    return path


def test_the_shipped_patterns_are_many_sourced_and_well_formed():
    patterns = load_patterns()
    validation = [p for p in patterns if p.kind == "validation"]
    assert len(validation) >= 12
    assert len({p.short_source for p in validation}) >= 8
    assert len({p.id for p in patterns}) == len(patterns)
    assert any(p.kind == "calibration_target" for p in patterns)


@pytest.mark.parametrize(("text", "names"), [
    ("patterns: []", "top-level key 'patterns'"),
    ("patterns:\n  - id: a\n    kind: validation\n", "pattern a, key"),
    (ONE.format(id="a", run_set="", against="", metric="coverage", test="{over: 3}"), "key 'test'"),
    (ONE.format(id="a", run_set="", against="", metric="Coverage!", test="{above: 0}"), "key 'measure'"),
    (ONE.format(id="a", run_set="", against="    colour: red\n", metric="coverage", test="{above: 0}"),
     "key 'colour'"),
    ("patterns: [a, b", "line"),
])
def test_a_malformed_patterns_file_is_named_with_its_entry_and_key(tmp_path, text, names):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(PatternError, match=re.escape(names)) as err:
        load_patterns(path)
    assert str(path) in str(err.value)


def test_a_missing_patterns_file_is_an_input_error(tmp_path, capsys):
    assert main(["check", "--patterns", str(tmp_path / "none.yaml"), "--quick"]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_paired_seeds_make_a_configuration_against_itself_exactly_zero(tmp_path):
    path = _write(tmp_path, against="    against: {scenario: baseline}\n", test="{above: 0}")
    result = check(load_patterns(path), reps=3, steps=8, workers=1)
    outcome = result.outcomes[0]
    np.testing.assert_array_equal(outcome.values, np.zeros(3))
    assert outcome.verdict == "miss"  # the whole interval, [0, 0], is not above 0


def test_verdicts_follow_the_interval_and_the_range(tmp_path):
    cases = {"{above: 0}": "pass", "{above: 2}": "miss", "{below: 0}": "miss",
             "{within: [0, 1]}": "pass", "{within: [1.5, 2]}": "miss"}
    for test, verdict in cases.items():
        result = check(load_patterns(_write(tmp_path, test=test)), reps=2, steps=8, workers=1)
        assert result.outcomes[0].verdict == verdict, test


def test_govsim_check_prints_json_and_exits_3_on_a_miss(tmp_path, capsys):
    passing = _write(tmp_path, test="{within: [0, 1]}")
    assert main(["check", "--patterns", str(passing), "--quick", "--workers", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["all_pass"] and out["patterns"][0]["verdict"] == "pass"
    assert out["patterns"][0]["replications"] == 3
    missing = _write(tmp_path, test="{above: 2}")
    assert main(["check", "--patterns", str(missing), "--quick", "--workers", "1"]) == 3
    text = capsys.readouterr().out
    assert "MISS" in text and "0 of 1 patterns pass" in text


def test_govsim_check_names_an_unknown_pattern_id(capsys):
    assert main(["check", "--only", "no_such_pattern", "--quick"]) == 2
    assert "no_such_pattern" in capsys.readouterr().err


def test_the_validation_document_is_current():
    """docs/validation.md was written from the current patterns and model (scripts/validation_doc.py)."""
    from validation_doc import OUT, fingerprint

    text = OUT.read_text(encoding="utf-8")
    assert f"Fingerprint: {fingerprint(DEFAULT_PATTERNS)}." in text, (
        "docs/validation.md is stale: run .venv/bin/python scripts/validation_doc.py")
    for p in load_patterns():
        assert f"`{p.id}`" in text
