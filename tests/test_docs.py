"""Generated parts of the documentation are current (scripts/docs_tables.py)."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_parameter_table_in_odd_md_is_generated_from_the_declarations():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "docs_tables.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_experiments_md_is_generated_from_the_spec_declarations():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "experiments_doc.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"docs/experiments.md is stale: run scripts/experiments_doc.py {done.stderr}"


def test_every_worked_example_in_experiments_md_is_a_valid_spec(tmp_path):
    import re

    from govsim.study import load_spec
    from govsim.study.specschema import SPEC

    text = (ROOT / "docs" / "experiments.md").read_text(encoding="utf-8")
    examples = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    assert len(examples) >= 6  # arms, grid, LHS, Sobol', Morris, calibration
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")  # the examples name ../scenarios/
    (tmp_path / "experiments").mkdir()
    kinds = set()
    for i, example in enumerate(examples):
        path = tmp_path / "experiments" / f"example{i}.yaml"
        path.write_text(example, encoding="utf-8")
        spec = load_spec(path)
        kinds.add(spec.design or spec.kind)
    assert kinds >= {"arms", "grid", "lhs", "sobol", "morris", "calibration"}
    for key in SPEC.names():
        assert f"| `{key}` |" in text, f"spec key {key!r} is not in the key table"
