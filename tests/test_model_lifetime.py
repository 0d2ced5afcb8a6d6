"""A finished model is freed: loops over simulate (a sweep's worker, the teaching page) stay flat."""

from __future__ import annotations

import gc
import weakref

import mesa
import pytest
from conftest import small

import govsim
from govsim.model import GovModel


@pytest.mark.parametrize("residents", ["vectorised", "agents"])
def test_a_dropped_model_is_freed(residents: str) -> None:
    scenario = small("baseline", "population.residents=600", steps=3)
    model = GovModel(scenario, seed=1, residents=residents)
    for _ in range(3):
        model.step()
    freed = weakref.ref(model)
    del model
    gc.collect()
    assert freed() is None, "something still holds the model (Mesa < 3.4 kept it in Agent._ids)"


def test_simulate_leaves_no_model_behind() -> None:
    scenario = small("baseline", "population.residents=600", steps=2)
    govsim.simulate(scenario, 1)
    gc.collect()
    before = sum(isinstance(o, mesa.Model) for o in gc.get_objects())
    for seed in range(3):
        govsim.simulate(scenario, seed)
    gc.collect()
    assert sum(isinstance(o, mesa.Model) for o in gc.get_objects()) == before


def test_agent_ids_count_from_one_in_each_model_across_kinds() -> None:
    """As Mesa numbers them: 1, 2, ... per model in creation order, departments then organisations."""
    scenario = small("baseline", "population.residents=600", steps=1)
    for _ in range(2):
        model = GovModel(scenario, seed=1)
        ids = [a.unique_id for a in (*model.departments, *model.organisations)]
        assert ids == list(range(1, len(ids) + 1))
