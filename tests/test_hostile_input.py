"""Hostile input: files named from outside the project, and what an error may show of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from govsim.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SECRET = "TOPSECRET_hunter2"

#: Files that are not scenarios, each holding the secret, and what the error calls them.
TARGETS = {
    "passwd": (f"root:x:0:0:{SECRET}:/root:/bin/bash\nbin:x:1:1::/bin:\n".encode(), "ends in .yaml or .yml"),
    "text.yaml": (f"{SECRET} is plain text\n".encode(), "holds a line of text"),
    "list.yaml": (f"- {SECRET}\n- two\n".encode(), "holds a list of 2 items"),
    "broken.yaml": (f"{SECRET}: [unclosed\n".encode(), "not valid YAML (at its line 2)"),
    "tab.yaml": (f"a:\n\t{SECRET}: 1\n".encode(), "not valid YAML (at its line 2)"),
    "binary.yaml": (b"\x00\x01" + SECRET.encode(), "binary file"),
    "latin1.yaml": (f"name: caf\xe9 {SECRET}\n".encode("latin-1"), "not UTF-8 text"),
    "empty.yaml": (b"", "it is empty"),
}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A project folder inside ``tmp_path`` and, beside it, the files the tests reach."""
    for name, (content, _) in TARGETS.items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / "folder.yaml").mkdir()
    (tmp_path / "project" / "scenarios").mkdir(parents=True)
    (tmp_path / "project" / "experiments").mkdir()
    return tmp_path


def _validate(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["validate", str(path)])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


@pytest.mark.parametrize("name", [*TARGETS, "folder.yaml"])
def test_extends_outside_the_folder_never_shows_the_file(outside: Path, name: str, capsys) -> None:
    child = outside / "project" / "scenarios" / "child.yaml"
    child.write_text(f"name: child\nseed: 3\nextends: ../../{name}\n")
    status, text = _validate(child, capsys)
    assert status == 2
    assert SECRET not in text and "Traceback" not in text
    assert text.startswith(f"{child}, line 3: extends names ")  # the referring file, line and key
    assert name in text
    expected = TARGETS[name][1] if name in TARGETS else "a directory"
    assert expected in text


@pytest.mark.parametrize("name", ["passwd", "text.yaml", "broken.yaml", "binary.yaml"])
def test_a_spec_base_and_an_arm_scenario_never_show_the_file(outside: Path, name: str, capsys) -> None:
    spec = outside / "project" / "experiments" / "spec.yaml"
    spec.write_text(f"name: e\nbase: ../../{name}\narms:\n  baseline: {{}}\n")
    status, text = _validate(spec, capsys)
    assert status == 2 and SECRET not in text
    assert text.startswith(f"{spec}, line 2: base names ") and text.count(name) == 1  # said once

    spec.write_text(f"base: {SCENARIOS / 'baseline.yaml'}\narms:\n  today: {{}}\n"
                    f"  other:\n    scenario: ../../{name}\n")
    status, text = _validate(spec, capsys)
    assert status == 2 and SECRET not in text
    assert text.startswith(f"{spec}, line 5: arms.other.scenario names ")


def test_a_base_outside_the_folder_that_is_a_scenario_is_allowed(outside: Path, capsys) -> None:
    (outside / "shared.yaml").write_text(f"extends: {SCENARIOS / 'baseline.yaml'}\nname: shared\n")
    child = outside / "project" / "scenarios" / "child.yaml"
    child.write_text("extends: ../../shared.yaml\nname: child\n")
    status, text = _validate(child, capsys)
    assert status == 0 and "ok: scenario child" in text
