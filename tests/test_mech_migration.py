"""Migration: turnover, registration and the needs of the unregistered.

Directions over paired seeds (common random numbers), the neutral switch, and
the invariants migration could break: residents counted, cases accounted for.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from conftest import assert_cases_conserved, mean_over, overall, rows_on, small

import govsim
from govsim.model import GovModel
from govsim.model.residents import MEMBERSHIP, N_STRATA
from govsim.scenario.declarations import FLAGS

SEEDS = range(4)
SETTLED = ("policies.0.turnover=0", "policies.0.initially_unregistered=0")
SLOW = ("policies.0.registration_rate=0.005", "policies.0.drive_rate=0")


@cache
def _runs(*overrides: str) -> list[govsim.RunResult]:
    return [govsim.simulate(small("migration", *overrides), seed=s) for s in SEEDS]


def test_turnover_with_slow_registration_excludes_needs_and_lowers_migrant_coverage():
    settled, churning = _runs(*SETTLED), _runs(*SLOW)
    assert mean_over(settled, "excluded") == 0
    assert mean_over(churning, "excluded") > 50
    assert mean_over(churning, "coverage", "migrant") < mean_over(settled, "coverage", "migrant") - 0.05
    assert mean_over(churning, "coverage") < mean_over(settled, "coverage")
    assert mean_over(churning, "trust", "migrant") < mean_over(settled, "trust", "migrant")
    assert mean_over(churning, "arrivals") > 0


def test_a_registration_drive_lowers_the_unregistered_share_and_raises_migrant_coverage():
    without = _runs(*SLOW)
    drive = _runs("policies.0.registration_rate=0.005", "policies.0.drive_start=13")
    assert mean_over(drive, "unregistered_share") < 0.7 * mean_over(without, "unregistered_share")
    assert mean_over(drive, "registrations") > mean_over(without, "registrations")
    assert mean_over(drive, "coverage", "migrant") > mean_over(without, "coverage", "migrant")
    assert mean_over(drive, "excluded") < mean_over(without, "excluded")
    late = [overall(r)["unregistered_share"].loc[40:].mean() for r in drive]
    early = [overall(r)["unregistered_share"].loc[:12].mean() for r in drive]
    assert np.mean(late) < np.mean(early)


def test_settled_and_registered_is_the_baseline_exactly(baseline_run):
    run = govsim.simulate(small("migration", *SETTLED), seed=3)
    base = baseline_run.timeseries
    assert rows_on(run.timeseries, base["metric"]).equals(rows_on(base, base["metric"]))
    assert (overall(run)["arrivals"] == 0).all()


def test_residents_are_counted_every_week_and_cases_accounted_for():
    model = GovModel(small("migration", "policies.0.turnover=0.05"), seed=2, cases=True)
    res = model.residents
    layout = np.bincount(res.community).tolist()
    migrants, farmers = res.flags[:, FLAGS.index("migrant")].sum(), res.plot_mu.copy()
    for _ in range(40):
        model.step()
        sizes = res.group_sizes()
        assert sizes[:3].sum() == res.n == 6000
        assert np.array_equal(sizes, np.bincount(res.stratum, minlength=N_STRATA) @ MEMBERSHIP)
        assert np.bincount(res.community).tolist() == layout
        assert res.flags[:, FLAGS.index("migrant")].sum() == migrants
    assert np.array_equal(res.plot_mu, farmers)  # migrants who farm stay
    o = _overall_of(model)
    assert_cases_conserved(model.case_ledger(), model.recorder.table())
    assert o["cases_left"].sum() > 0
    assert o["arrivals"].sum() > 0


def _overall_of(model: GovModel):
    ts = model.recorder.table()
    return ts[ts["scope"] == "overall"].pivot(index="week", columns="metric", values="value")


def test_the_agent_reference_replaces_residents_too():
    scenario = small("migration", "population.residents=400", "policies.0.turnover=0.2")
    model = GovModel(scenario, seed=1, residents="agents")
    for _ in range(3):
        model.step()
    res = model.residents
    assert [a.group for a in res.agents] == res.group.tolist()
    assert [a.flags for a in res.agents] == [tuple(map(bool, f)) for f in res.flags]
    assert res.group_sizes()[:3].sum() == res.n
    assert _overall_of(model)["arrivals"].sum() > 0


def test_migration_refuses_residents_it_cannot_replace(monkeypatch):
    from govsim.model import residents as residents_module

    monkeypatch.delattr(residents_module.Residents, "replace")
    with pytest.raises(ValueError, match="replaced"):
        GovModel(small("migration"), seed=1)
