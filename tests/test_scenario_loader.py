"""The scenario loader on good input: defaults, extends, overrides, hashing, round trips, schema."""

from __future__ import annotations

import importlib.util
import json
import pickle
import shutil
from pathlib import Path

import pytest

from govsim.scenario import Scenario, ScenarioError, describe_params, json_schema, load_scenario
from govsim.scenario.yamlio import parse

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "scenarios"


def _load_toy():
    spec = importlib.util.spec_from_file_location("toy_declarations", FIXTURES / "toy_declarations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TOY = _load_toy()
DECL = TOY.DECL


def load(path=None, overrides=None, **kw) -> Scenario:
    return load_scenario(path, overrides, declarations=DECL, **kw)


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- defaults ---------------------------------------------------------------------


def test_no_path_gives_every_default():
    scenario = load()
    assert scenario.name == "default"
    assert (scenario.seed, scenario.steps, scenario.policies, scenario.source) == (1, 52, (), None)
    for path, param in TOY.MODEL.walk():
        assert scenario.get(path) == param.default, path


def test_partial_file_is_filled_with_defaults(tmp_path):
    scenario = load(write(tmp_path, "name: x\npopulation:\n  residents: 2000\nstaff:\n"))
    assert scenario.get("population.residents") == 2000
    assert scenario.get("population.urban_share") == 0.5
    assert scenario.get("staff") == {"contract_hours": 40.0, "overtime": False,
                                     "priority": "service_first", "team": "alpha"}
    assert scenario.get("needs.care.deadline_weeks") == 2
    assert scenario.description == ""


def test_policies_are_filled_with_their_defaults(tmp_path):
    scenario = load(write(tmp_path, "policies:\n  - type: budget_earmarking\n    end: null\n"
                                    "  - type: target_inflation\n    end: 20\n"))
    assert scenario.policies == (
        {"type": "budget_earmarking", "share": 0.5, "start": 0, "end": None},
        {"type": "target_inflation", "margin": 0.1, "start": 0, "end": 20},
    )
    assert scenario.get("policies[1].end") == 20


def test_numbers_follow_what_people_write(tmp_path):
    scenario = load(write(tmp_path, "population:\n  residents: 1e6\n  urban_share: 0\n"
                                    "steps: 1_04\nneeds:\n  shares: {health: 1}\n"))
    assert scenario.get("population.residents") == 1_000_000
    assert isinstance(scenario.get("population.residents"), int)
    assert isinstance(scenario.get("population.urban_share"), float)
    assert scenario.steps == 104
    assert scenario.get("needs.shares") == {"health": 1.0, "housing": 0.5}
    assert load(write(tmp_path, "seed: 010\n", "octal.yaml")).seed == 10


def test_open_mapping_replaces_its_default_and_list_is_kept(tmp_path):
    scenario = load(write(tmp_path, "needs:\n  weights: {x: 2, y: 3}\n  channels: [web, office]\n"))
    assert scenario.get("needs.weights") == {"x": 2.0, "y": 3.0}
    assert scenario.get("needs.channels") == ["web", "office"]


def test_yaml11_words_stay_text(tmp_path):
    scenario = load(write(tmp_path, "name: no\ndescription: on\nstaff:\n  team: yes\n"))
    assert (scenario.name, scenario.description, scenario.get("staff.team")) == ("no", "on", "yes")


# --- extends ----------------------------------------------------------------------


def test_extends_merges_deeply_and_child_policies_replace_base():
    scenario = load(FIXTURES / "child.yaml")
    assert scenario.name == "child"
    assert scenario.seed == 7  # from the base
    assert scenario.get("population") == {"residents": 8000, "urban_share": 0.6,
                                          "share_elderly_urban": 0.2}
    assert scenario.get("staff.contract_hours") == 38.0
    assert scenario.policies == ({"type": "budget_earmarking", "share": 0.3, "start": 0, "end": None},)


def test_extends_is_recursive():
    scenario = load(FIXTURES / "grandchild.yaml")
    assert scenario.name == "grandchild"
    assert scenario.get("staff.overtime") is True
    assert scenario.get("staff.team") == "beta"
    assert scenario.get("population.residents") == 8000


def test_extends_is_relative_to_the_extending_file(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "seed: 99\n", "base.yaml")
    write(tmp_path / "sub", "extends: base.yaml\n", "child.yaml")
    monkeypatch.chdir(tmp_path)
    assert load("sub/child.yaml").seed == 99


def test_base_without_policies_keeps_child_policies_and_vice_versa(tmp_path):
    write(tmp_path, "policies:\n  - type: target_inflation\n", "base.yaml")
    child = write(tmp_path, "extends: base.yaml\nseed: 3\n", "child.yaml")
    assert [p["type"] for p in load(child).policies] == ["target_inflation"]


# --- overrides --------------------------------------------------------------------


def test_overrides_apply_as_yaml_values():
    scenario = load(FIXTURES / "base.yaml", ["population.residents=50000", "staff.overtime=true",
                                             "needs.channels=[web, phone]", "policies[0].margin=0.3",
                                             "policies.1.end=40", "description=a b c"])
    assert scenario.get("population.residents") == 50000
    assert scenario.get("staff.overtime") is True
    assert scenario.get("needs.channels") == ["web", "phone"]
    assert scenario.policies[0]["margin"] == 0.3
    assert scenario.policies[1]["end"] == 40
    assert scenario.description == "a b c"


def test_overrides_as_mapping_and_on_defaults():
    scenario = load(None, {"population.residents": "7000", "seed": 5, "staff.team": "x"})
    assert (scenario.get("population.residents"), scenario.seed, scenario.get("staff.team")) == (7000, 5, "x")


def test_with_overrides_revalidates():
    base = load(FIXTURES / "base.yaml")
    changed = base.with_overrides(["staff.contract_hours=30"], declarations=DECL)
    assert changed.get("staff.contract_hours") == 30.0
    assert base.get("staff.contract_hours") == 38.0
    with pytest.raises(ScenarioError, match=r"--set staff.contract_hours=300: .*\[1, 84\]"):
        base.with_overrides(["staff.contract_hours=300"], declarations=DECL)


def test_override_does_not_leak_through_yaml_aliases(tmp_path):
    text = "policies:\n  - &p {type: target_inflation, margin: 0.2}\n  - *p\n"
    scenario = load(write(tmp_path, text), ["policies[0].margin=0.5"])
    assert [p["margin"] for p in scenario.policies] == [0.5, 0.2]


# --- identity: hash, pickle, YAML round trip --------------------------------------


def test_hash_ignores_path_and_key_order(tmp_path):
    a = write(tmp_path, "name: h\nseed: 3\npopulation:\n  residents: 900\n  urban_share: 0.4\n", "a.yaml")
    (tmp_path / "elsewhere").mkdir()
    b = shutil.copy(a, tmp_path / "elsewhere" / "b.yaml")
    c = write(tmp_path, "population:\n  urban_share: 0.4\n  residents: 900\nseed: 3\nname: h\n", "c.yaml")
    sa, sb, sc = load(a), load(b), load(c)
    assert sa.source != sb.source
    assert sa.hash == sb.hash == sc.hash
    assert sa == sb == sc
    assert hash(sa) == hash(sc)
    assert len(sa.hash) == 64


def test_hash_changes_when_a_value_changes(tmp_path):
    a = load(write(tmp_path, "population:\n  residents: 900\n"))
    assert a.hash != a.with_overrides(["population.residents=901"], declarations=DECL).hash
    assert a.hash != a.replace(seed=2).hash


def test_int_and_float_spelling_hash_the_same(tmp_path):
    one = load(write(tmp_path, "staff:\n  contract_hours: 40\n", "a.yaml"))
    two = load(write(tmp_path, "staff:\n  contract_hours: 40.0\n", "b.yaml"))
    assert one.hash == two.hash == load().hash


def test_pickle_round_trip():
    scenario = load(FIXTURES / "child.yaml")
    again = pickle.loads(pickle.dumps(scenario))
    assert again == scenario and again.hash == scenario.hash and again.source == scenario.source


def test_yaml_round_trip(tmp_path):
    scenario = load(FIXTURES / "base.yaml", ["staff.team=yes", "description='1e6'"])
    path = write(tmp_path, scenario.to_yaml(), "resolved.yaml")
    again = load(path)
    assert again == scenario
    assert again.hash == scenario.hash
    assert again.to_dict() == scenario.to_dict()


def test_to_dict_order_and_copy():
    scenario = load(FIXTURES / "base.yaml")
    data = scenario.to_dict()
    assert list(data) == ["name", "description", "seed", "steps", "population", "staff", "needs",
                          "policies"]
    data["population"]["residents"] = 1
    assert scenario.get("population.residents") == 5000


def test_get_unknown_path_suggests():
    with pytest.raises(KeyError, match="residents"):
        load().get("population.residnts")


def test_parse_records_key_lines():
    doc = parse("a:\n  b: 1\n  c:\n    - x\n    - {d: 2}\n", "f.yaml")
    assert doc.marks["a.b"] == (2, 3)
    assert doc.marks["a.c[1]"][0] == 5
    assert doc.marks["a.c[1].d"][0] == 5


# --- exports: JSON Schema and the parameter table ----------------------------------


def test_describe_params_covers_everything():
    rows = describe_params(DECL)
    paths = [r["path"] for r in rows]
    assert {"name", "seed", "population.residents", "needs.care.hours",
            "policies.target_inflation.margin", "policies.budget_earmarking.end"} <= set(paths)
    row = rows[paths.index("staff.contract_hours")]
    assert row == {"path": "staff.contract_hours", "kind": "float", "default": 40.0,
                   "unit": "hours/week", "range": "[1, 84]", "description": "Contract hours.",
                   "source": "LabourLaw", "evidence": "assumption",  # a name, not a figure
                   "plausible": None, "plausible_source": ""}


def test_json_schema_shape():
    schema = json_schema(DECL)
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["additionalProperties"] is False
    residents = schema["properties"]["population"]["properties"]["residents"]
    assert residents["type"] == "integer" and residents["minimum"] == 10 and residents["default"] == 1000
    assert "Unit: residents" in residents["description"] and "Source:" in residents["description"]
    variants = schema["properties"]["policies"]["items"]["oneOf"]
    assert {v["properties"]["type"]["const"] for v in variants} == set(TOY.POLICIES)
    json.dumps(schema)


def test_json_schema_validates_good_and_rejects_bad():
    import jsonschema
    schema = json_schema(DECL)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for name in ("base.yaml", "child.yaml", "start_after_end.yaml"):
        validator.validate(parse((FIXTURES / name).read_text(), name).data)
    validator.validate(load(FIXTURES / "base.yaml").to_dict())
    for bad in ("unknown_keys.yaml", "wrong_types.yaml", "out_of_range.yaml", "unknown_policy.yaml"):
        assert not validator.is_valid(parse((FIXTURES / bad).read_text(), bad).data), bad


# --- the real model's declarations --------------------------------------------------




def test_real_defaults_round_trip(tmp_path):
    scenario = load_scenario()
    again = load_scenario(write(tmp_path, scenario.to_yaml()))
    assert again == scenario and again.hash == scenario.hash


BASELINE = ROOT / "scenarios" / "baseline.yaml"


def test_real_schema_is_valid_draft_2020_12():
    import jsonschema
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(load_scenario().to_dict())
    assert len(describe_params()) > 50


def test_real_absurd_population_is_refused():
    with pytest.raises(ScenarioError, match=r"GB") as info:
        load_scenario(None, ["population.residents=1e9"], max_memory_bytes=10**9)
    assert info.value.key == "population.residents"


def test_baseline_loads_and_matches_the_schema():
    scenario = load_scenario(BASELINE)
    assert scenario.to_dict()["policies"] == list(scenario.policies)
    assert load_scenario(BASELINE).hash == scenario.hash
    import jsonschema
    jsonschema.Draft202012Validator(json_schema()).validate(parse(BASELINE.read_text(), "b").data)


def test_every_shipped_scenario_loads():
    import jsonschema
    validator = jsonschema.Draft202012Validator(json_schema())
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        load_scenario(path)
        validator.validate(parse(path.read_text(), path.name).data)


def test_each_default_says_what_evidence_it_rests_on():
    from govsim.scenario.params import EVIDENCE, Param

    rows = {r["path"]: r for r in describe_params()}
    assert rows["population.share_elderly_urban"]["evidence"] == "data"  # Census2020: 15.82%
    assert rows["behaviour.negativity_bias"]["evidence"] == "assumption"  # "assumption for 2.5"
    assert rows["population.literacy_elderly"]["evidence"] == "calibrated"
    assert rows["seed"]["evidence"] == "choice"
    assert {r["evidence"] for r in rows.values() if r["evidence"]} <= set(EVIDENCE)
    # A seed document that names the mechanism but gives no figure is no evidence for the number.
    assert Param("x", "float", 0.1, "x", source="S0: low trust, more escalation").evidence == "assumption"
    assert Param("x", "float", 0.1, "x", source="Smith (2020): 10% of cases").evidence == "literature"


def test_a_value_outside_its_plausible_range_warns_with_the_range_source(tmp_path):
    import warnings

    from govsim.scenario.plausibility import ScenarioWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_scenario(BASELINE_FILE, overrides=["staff.per_10k_urban=100"])
    messages = [str(w.message) for w in caught if issubclass(w.category, ScenarioWarning)]
    assert len(messages) == 1 and "staff.per_10k_urban = 100" in messages[0] and "MCA 2020" in messages[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)
        load_scenario(BASELINE_FILE, overrides=["staff.per_10k_urban=30"])


BASELINE_FILE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"
