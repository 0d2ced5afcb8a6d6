#!/usr/bin/env bash
# The project's main command: install govsim into .venv if needed, then run a
# scenario. Arguments go to `govsim run`; with none it runs the default scenario
# and saves results under runs/. Examples:
#   ./scripts/run.sh
#   ./scripts/run.sh scenarios/baseline.yaml --seed 2 --plot
#   ./scripts/run.sh --set population.residents=5000 --json
# The venv is made with python3 (or $PYTHON); see scripts/_venv.sh.
set -euo pipefail
caller="$PWD"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/_venv.sh
ensure_venv
ensure_system_packages fonts-wqy-microhei
python="$(cd "$VENV" && pwd)/bin/python"
# Run from the caller's directory so relative paths (scenario, --out) mean what they typed.
cd "$caller"
exec "$python" -m govsim run "$@"
