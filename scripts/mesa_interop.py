"""Where govsim's pieces meet Mesa's, on the Mesa installed: prints one line per check.

    .venv/bin/python scripts/mesa_interop.py
    .venv-mesa4/bin/python scripts/mesa_interop.py

docs/mesa.md quotes its output for each Mesa version tried. Each check prints what
happened, the exception included; none of them fails the script.
"""

from __future__ import annotations

import importlib
import pickle
import platform
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["population.residents=6000", "hierarchy.communities_per_township=1", "warmup_weeks=0", "steps=4"]


def check(label: str, probe: Callable[[], object]) -> None:
    """Print ``label: value``, or the exception the probe raised."""
    try:
        value = probe()
    except Exception as err:  # what breaks is the finding
        value = f"{type(err).__name__}: {err}"
    print(f"{label}: {value}")


def main() -> int:
    import mesa

    import govsim
    from govsim.model import GovModel

    try:
        from mesa.experimental.scenarios import Scenario as MesaScenario
    except ImportError:
        MesaScenario = None  # Mesa before 3.5
    ours = govsim.load_scenario(ROOT / "scenarios" / "baseline.yaml", overrides=SMALL)
    model = GovModel(ours)
    print(f"Mesa {metadata.version('mesa')} on Python {platform.python_version()}")
    check("GovModel's model.scenario (Mesa's own)", lambda: type(model.scenario).__module__ + "."
          + type(model.scenario).__qualname__)
    check("model.rng is govsim's 'mesa' stream", lambda: model.rng is model.streams("mesa"))
    check("mesa.Model(scenario=<govsim Scenario>)", lambda: type(mesa.Model(scenario=ours)).__name__)
    if MesaScenario is not None:
        wrapped = MesaScenario(rng=ours.seed, gov=ours)
        check("Mesa Scenario holding a govsim Scenario, pickled and back, equal",
              lambda: pickle.loads(pickle.dumps(wrapped)).gov == ours)
        check("its spawn_replications(2): replication_id, same govsim scenario",
              lambda: [(r.replication_id, r.gov.hash == ours.hash) for r in wrapped.spawn_replications(2)])
        check("two Mesa Scenarios of the same parameters are equal",
              lambda: MesaScenario(rng=1, a=1) == MesaScenario(rng=1, a=1))
        check("GovModel(scenario=<Mesa Scenario>)", lambda: type(GovModel(scenario=wrapped)).__name__)
        check("mesa.experimental.scenarios.run_scenarios exists",
              lambda: hasattr(importlib.import_module("mesa.experimental.scenarios"), "run_scenarios"))
    check("mesa.batch_run exists", lambda: hasattr(mesa, "batch_run"))
    if hasattr(mesa, "batch_run"):
        check("mesa.batch_run(GovModel, {'scenario': [scenario]}, max_steps=4)",
              lambda: mesa.batch_run(GovModel, {"scenario": [ours]}, max_steps=4, display_progress=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
