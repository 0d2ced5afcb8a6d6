"""The house reads one way: import-linter's contracts (pyproject.toml) hold, and they can fail.

``layers`` says which part may import which (commands over studies and pages, over
runs and output, over policies and plots, over the model, over the scenario
language, over the leaves); ``no-circles`` forbids import circles at every depth
of the package, annotation-only imports included. Two kinds of import are
exempt there, each named in the contract with its reason; the test below checks
that the model's exemptions really are annotations that never run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the package found first in ``root`` (its own copy of govsim)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([str(LINT), "--no-cache", "--config", str(root / "pyproject.toml")], cwd=root,
                          env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def lint_available() -> None:
    if not LINT.exists():
        pytest.fail(f"{LINT} is missing: install govsim's test extra (pip install -e '.[test]')")


def test_the_contracts_hold(lint_available) -> None:
    done = _lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout


def test_a_new_circle_or_an_upward_import_breaks_them(tmp_path, lint_available) -> None:
    shutil.copytree(ROOT / "govsim", tmp_path / "govsim", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with (tmp_path / "govsim" / "metrics.py").open("a", encoding="utf-8") as module:
        module.write("\n\ndef _upward():\n    import govsim.cli  # noqa: F401\n")
    done = _lint(tmp_path)
    assert done.returncode != 0
    assert "Every import points down the house BROKEN" in done.stdout
    assert "No import circles at any level BROKEN" in done.stdout
    assert "govsim.metrics -> govsim.cli" in done.stdout


def test_the_model_names_itself_in_annotations_only() -> None:
    runtime = grimp.build_graph("govsim", exclude_type_checking_imports=True)
    parts = sorted(runtime.find_children("govsim.model") - {"govsim.model.govmodel"})
    upward = [part for part in parts if runtime.direct_import_exists(importer=part,
                                                                     imported="govsim.model.govmodel")]
    assert upward == [], f"these import the model at run time, which would be a real circle: {upward}"
