"""govsim: how policies are carried out at the grassroots, as an agent-based model.

The library door is small: :func:`load_scenario` reads and validates a YAML
scenario, :func:`simulate` runs it and returns a :class:`RunResult` of tidy
pandas tables; :func:`load_results` reads an experiment's results directory
(written by ``govsim sweep`` and friends) into one DataFrame.
"""

from govsim.scenario import Scenario, ScenarioError, load_scenario
from govsim.version import __version__

__all__ = ["RunResult", "Scenario", "ScenarioError", "__version__", "load_results", "load_scenario",
           "simulate"]


def __getattr__(name: str):
    # run.py imports the model, mesa and pandas: load them only when asked.
    if name in ("simulate", "RunResult"):
        from govsim import run

        return getattr(run, name)
    if name == "load_results":
        from govsim.study import results

        return results.load_results
    raise AttributeError(f"module 'govsim' has no attribute {name!r}")
