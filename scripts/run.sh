#!/usr/bin/env bash
# The project's main command: install govsim into .venv if needed, then run a
# scenario. Arguments go to `govsim run`; with none it runs the default scenario
# and saves results under runs/. Examples:
#   ./scripts/run.sh
#   ./scripts/run.sh scenarios/baseline.yaml --seed 2 --plot
#   ./scripts/run.sh --set population.residents=5000 --json
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$root" && source scripts/_venv.sh && ensure_venv && ensure_system_packages fonts-wqy-microhei)
# Run from the caller's directory so relative paths (scenario, --out) mean what they typed.
exec "$root/.venv/bin/python" -m govsim run "$@"
