"""Every kind of bad scenario gives a one-paragraph error with file, line, key and a fix."""

from __future__ import annotations

import importlib.util
import pickle
import tracemalloc
from pathlib import Path

import pytest

from govsim.scenario import ScenarioError, load_scenario
from govsim.scenario.errors import Origin, Problem

FIXTURES = Path(__file__).parent / "fixtures" / "scenarios"


def _load_toy():
    spec = importlib.util.spec_from_file_location("toy_declarations", FIXTURES / "toy_declarations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DECL = _load_toy().DECL


def error_of(path, overrides=None, **kw) -> ScenarioError:
    if isinstance(path, str) and not path.startswith("/"):
        path = FIXTURES / path
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides, declarations=DECL, **kw)
    err = info.value
    text = str(err)
    assert "Traceback" not in text
    for problem in err.problems:  # one paragraph each
        assert "\n" not in problem.render()
    assert len(text.splitlines()) == (1 if len(err.problems) == 1 else len(err.problems) + 1)
    return err


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the file itself ----------------------------------------------------------------


def test_malformed_yaml_names_line_and_column():
    err = error_of("malformed.yaml")
    assert (err.line, err.column) == (4, 15)
    assert "malformed.yaml, line 4: the YAML is malformed (column 15)" in str(err)
    assert "mapping values are not allowed" in str(err)


def test_tab_indentation_gets_a_hint(tmp_path):
    err = error_of(write(tmp_path, "population:\n\tresidents: 5\n"))
    assert err.line == 2 and "spaces, not tabs" in str(err)


def test_duplicate_key_names_both_lines():
    err = error_of("duplicate_key.yaml")
    assert err.key == "population.residents"
    assert "duplicate_key.yaml, line 5: population.residents appears twice" in str(err)
    assert "lines 3 and 5" in str(err)


def test_empty_file():
    assert "the file is empty" in str(error_of("empty.yaml"))


def test_non_mapping_document():
    err = error_of("list_doc.yaml")
    assert "list_doc.yaml, line 1: a scenario must be a mapping" in str(err)
    assert "got a list of 2 items" in str(err)


def test_scalar_document(tmp_path):
    assert "got 'hello'" in str(error_of(write(tmp_path, "hello\n")))


def test_missing_file_suggests_close_name():
    err = error_of(str(FIXTURES / "bsae.yaml"))
    assert err.file.endswith("bsae.yaml")
    assert "cannot open the scenario: no such file" in str(err)
    assert err.suggestion == str(FIXTURES / "base.yaml")


def test_directory_is_not_a_scenario():
    err = error_of(str(FIXTURES))
    assert "is a directory" in str(err) and "base.yaml" in str(err)


def test_not_utf8(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    assert "not UTF-8" in str(error_of(path))


def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    err = error_of(write(tmp_path, "\n".join(lines) + "\n"))
    assert "YAML aliases" in str(err)


# --- keys -------------------------------------------------------------------------


def test_unknown_keys_everywhere_are_all_reported_with_suggestions():
    err = error_of("unknown_keys.yaml")
    assert [p.key for p in err.problems] == ["stpes", "population.residnts", "policies[0].marign"]
    assert [p.origin.line for p in err.problems] == [2, 4, 7]
    assert [p.suggestion for p in err.problems] == ["steps", "residents", "margin"]
    text = str(err)
    assert text.startswith("3 problems in ")
    assert ("unknown_keys.yaml, line 4: population.residnts is not a known key. Expected one of: "
            "residents, urban_share, share_elderly_urban. Did you mean 'residents'?") in text
    assert "of a 'target_inflation' policy" in text
    assert "\n1. " in text and "\n3. " in text


def test_unknown_key_without_close_match_has_no_suggestion(tmp_path):
    err = error_of(write(tmp_path, "zzzzzz: 1\n"))
    assert err.suggestion is None and "Did you mean" not in str(err)


def test_section_given_a_scalar(tmp_path):
    err = error_of(write(tmp_path, "population: 5\n"))
    assert err.key == "population" and "must be a section" in str(err)


# --- values -----------------------------------------------------------------------


def test_wrong_types():
    err = error_of("wrong_types.yaml")
    by_key = {p.key: p for p in err.problems}
    assert set(by_key) == {"population.residents", "population.urban_share", "staff.contract_hours",
                           "staff.overtime", "needs.care.deadline_weeks"}
    text = str(err)
    assert "line 3: population.residents must be an integer in [10, 2000000000] (residents); " \
           "got '50000' (text, not a number)" in text
    assert "without quotes" in by_key["population.residents"].hint
    assert "line 4: population.urban_share must be a number in [0, 1] (share); got true" in text
    assert "line 6: staff.contract_hours must be a number in [1, 84] (hours/week); got 'abc'" in text
    assert "line 7: staff.overtime must be true or false; got 'yes'" in text
    assert "yes/no/on/off" in by_key["staff.overtime"].hint
    assert "line 10: needs.care.deadline_weeks must be an integer" in text
    assert "got 2.5 (not a whole number)" in text


def test_out_of_range_and_bad_choices():
    err = error_of("out_of_range.yaml")
    text = str(err)
    assert "out_of_range.yaml, line 5: staff.contract_hours must be a number in [1, 84] " \
           "(hours/week); got -3. Suggestion: the default is 40.0." in text
    by_key = {p.key: p for p in err.problems}
    assert by_key["staff.priority"].suggestion == "target_first"
    assert by_key["needs.shares.health"].got == "1.5"
    assert by_key["needs.shares.houseing"].suggestion == "housing"
    assert by_key["needs.channels[1]"].got == "'fax'"


def test_nan_and_inf_are_not_numbers(tmp_path):
    err = error_of(write(tmp_path, "population:\n  urban_share: .nan\nstaff:\n  contract_hours: .inf\n"))
    assert len(err.problems) == 2 and "not a finite number" in str(err)


def test_null_where_a_value_is_required(tmp_path):
    err = error_of(write(tmp_path, "staff:\n  contract_hours:\n"))
    assert "got null" in str(err) and "leave the key out" in str(err)


def test_number_where_text_is_expected(tmp_path):
    err = error_of(write(tmp_path, "name: 2024\n"))
    assert "name must be a text string; got 2024" in str(err) and "quotes" in str(err)


# --- policies ---------------------------------------------------------------------


def test_unknown_and_missing_policy_type():
    err = error_of("unknown_policy.yaml")
    first, second = err.problems
    assert first.key == "policies[1].type" and first.origin.line == 4
    assert first.suggestion == "budget_earmarking"
    assert "'budget_earmarkng' is not a known policy type" in first.render()
    assert second.key == "policies[2].type" and "has no type" in second.render()


def test_start_after_end():
    err = error_of("start_after_end.yaml")
    assert err.key == "policies[0].end" and err.line == 5
    assert "policies[0].end (10) is before policies[0].start (30)" in str(err)


def test_policies_not_a_list(tmp_path):
    err = error_of(write(tmp_path, "policies:\n  type: target_inflation\n"))
    assert err.key == "policies" and "must be a list" in str(err)


# --- extends ----------------------------------------------------------------------


def test_missing_extends_file_names_the_extending_line():
    err = error_of("extends_missing.yaml")
    assert err.file.endswith("extends_missing.yaml") and err.line == 2 and err.key == "extends"
    assert "does not exist" in str(err) and "bsae.yaml" in str(err)
    assert err.suggestion == "base.yaml"


def test_extends_cycle_lists_the_chain():
    err = error_of("cycle_a.yaml")
    assert "extends makes a cycle: " in str(err)
    assert "cycle_a.yaml -> " in str(err) and "cycle_b.yaml -> " in str(err)
    assert err.file.endswith("cycle_b.yaml") and err.line == 2


def test_self_extension(tmp_path):
    assert "cycle" in str(error_of(write(tmp_path, "extends: s.yaml\n")))


def test_errors_in_a_base_point_into_the_base(tmp_path):
    write(tmp_path, "seed: 1\nstaff:\n  contract_hours: 500\n", "base.yaml")
    err = error_of(write(tmp_path, "extends: base.yaml\nname: child\n", "child.yaml"))
    assert err.file.endswith("base.yaml") and err.line == 3


def test_extends_must_be_a_name(tmp_path):
    err = error_of(write(tmp_path, "extends: [a.yaml]\n"))
    assert err.key == "extends" and "must be a file name" in str(err)


# --- overrides --------------------------------------------------------------------


def test_bad_override_path_suggests():
    err = error_of("base.yaml", ["population.residnts=5000"])
    assert str(err).startswith("--set population.residnts=5000: population.residnts is not a known key")
    assert err.suggestion == "residents" and err.file is None


def test_bad_override_value():
    err = error_of("base.yaml", ["population.residents=abc"])
    assert str(err).startswith("--set population.residents=abc: population.residents must be an integer")


def test_bad_override_index_and_shapes():
    err = error_of("base.yaml", ["policies[5].margin=0.2", "policies.x.margin=1", "seed.x=1",
                                 "noequals", "a..b=1", "staff.team=[a"])
    messages = [p.render() for p in err.problems]
    assert len(messages) == 6
    assert "--set noequals: an override must be path=value" in messages[0]
    assert "not valid YAML" in messages[1]
    assert "policies has entries 0 to 1, so there is no policies[5]" in messages[2]
    assert "policies is a list; index it by number" in messages[3]
    assert "seed is a single value (7)" in messages[4]
    assert "not a key path" in messages[5]


def test_override_index_into_missing_list(tmp_path):
    err = error_of(write(tmp_path, "seed: 1\n"), ["policies[0].margin=0.2"])
    assert "policies has no entries, so there is no policies[0]" in str(err)


def test_override_problems_are_reported_with_file_problems():
    err = error_of("out_of_range.yaml", ["seed=-1"])
    assert len(err.problems) == 6
    assert any(p.origin.override == "--set seed=-1" for p in err.problems)


# --- checks and memory --------------------------------------------------------------


def test_cross_field_check_points_to_its_line():
    err = error_of("check_fail.yaml")
    assert err.key == "population.share_elderly_urban" and err.line == 4
    assert "must be at most 1" in str(err)


def test_absurd_population_is_refused_without_allocating():
    tracemalloc.start()
    try:
        err = error_of("absurd.yaml", max_memory_bytes=8 * 10**9)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000
    assert err.key == "population.residents" and err.line == 4
    text = str(err)
    assert "estimated 2,000.0 GB" in text and "limit of 8.0 GB" in text
    assert "1,000,000,000" in text


def test_default_memory_limit_is_used(monkeypatch):
    err = error_of("absurd.yaml", ["population.residents=2000000000"])
    assert "4,000.0 GB" in str(err) and "of this machine's memory" in str(err)
    assert err.problems[0].origin.override == "--set population.residents=2000000000"


def test_memory_within_limit_passes():
    load_scenario(FIXTURES / "base.yaml", declarations=DECL, max_memory_bytes=10**8)


# --- the error object ---------------------------------------------------------------


def test_error_pickles_and_keeps_every_problem():
    err = error_of("unknown_keys.yaml")
    again = pickle.loads(pickle.dumps(err))
    assert str(again) == str(err) and again.problems == err.problems


def test_error_from_a_message():
    err = ScenarioError("x must be y", file="a.yaml", line=3, key="x", suggestion="z")
    assert str(err) == "a.yaml, line 3: x must be y. Did you mean 'z'?"
    assert Problem("m", Origin(override="--set a=1")).render() == "--set a=1: m."
    with pytest.raises(ValueError):
        ScenarioError([])
