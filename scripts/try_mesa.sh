#!/usr/bin/env bash
# The test suite on a chosen Mesa release, e.g. a pre-release before it is allowed for:
#     PYTHON=python3.13 ./scripts/try_mesa.sh 4.0.0a0 -x
# Makes (or reuses) the venv $GOVSIM_VENV (default .venv-mesa-VERSION) with $PYTHON
# (default python3), installs govsim with its test tools as scripts/test.sh does, then
# mesa[rec]==VERSION over whatever the pin chose (--pre lets pip take a pre-release),
# runs ruff and scripts/mesa_interop.py, then pytest; extra arguments go to pytest.
# docs/mesa.md records what it gave on each version tried.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
version="${1:?usage: scripts/try_mesa.sh MESA_VERSION [pytest arguments]}"
shift
export GOVSIM_VENV="${GOVSIM_VENV:-.venv-mesa-$version}"
source scripts/_venv.sh
ensure_venv test
ensure_system_packages chromium fonts-wqy-microhei
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --pre "mesa[rec]==$version"
"$VENV/bin/python" -m ruff check govsim tests benchmarks scripts
"$VENV/bin/python" scripts/mesa_interop.py
exec "$VENV/bin/python" -m pytest -q "$@"
