"""Generated parts of the documentation are current (scripts/docs_tables.py)."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_parameter_table_in_odd_md_is_generated_from_the_declarations():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "docs_tables.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
