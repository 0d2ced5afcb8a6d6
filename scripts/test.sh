#!/usr/bin/env bash
# The project's test command: install govsim with its test tools into .venv if
# needed, lint with ruff, then run the test suite. Extra arguments go to pytest,
# e.g. ./scripts/test.sh -k cli -x
# The venv is made with python3 (or $PYTHON); see scripts/_venv.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/_venv.sh
ensure_venv test
# The teaching page's browser test drives Debian's Chromium; Chinese figures need a CJK font.
ensure_system_packages chromium fonts-wqy-microhei

lint=()
for dir in govsim tests benchmarks scripts examples; do
    if [ -d "$dir" ]; then
        lint+=("$dir")
    fi
done
if [ "${#lint[@]}" -gt 0 ]; then
    "$VENV/bin/python" -m ruff check "${lint[@]}"
fi
# pytest's own exit code is the result: 5 ("no tests collected") fails too.
exec "$VENV/bin/python" -m pytest -q "$@"
