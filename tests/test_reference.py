"""The vectorised residents against the plain per-agent oracle (govsim.model.reference).

Both implementations get the same seeds, hence the very same population, staff
and organisations; only the weekly draws differ (the vectorised class draws
one Poisson total per category and spreads it over residents, the oracle asks
each agent). So every outcome must agree in distribution, and these tests
check that with fixed seeds (deterministic) and thresholds loose enough never
to fail by chance yet tight enough to catch a rule that differs: the last
test changes one rule in the oracle only and asserts the comparison fails.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import small
from scipy import stats

from govsim import Scenario
from govsim.model import GovModel
from govsim.model import reference as ref
from govsim.model.residents import ELDERLY
from govsim.model.trust import COMMUNITY
from govsim.scenario.declarations import CATEGORIES

SEEDS = (11, 12, 13, 14, 15)
WEEKS = 52
GROUPS = ("elderly", "working_age", "child")
#: |z| above this rejects equal Poisson means: two-sided p = 6e-5 per comparison,
#: so about 3e-4 over the four counts. Five runs raise ~8,500 elderly cases, so a
#: change of ~6% in one group's rates is enough to pass it (4·sqrt(2/8500) ≈ 0.06).
Z_MAX = 4.0
#: Welch p-value below this rejects equal means of coverage or trust: 1e-3 per
#: comparison, ~2e-3 for both (5 runs each; seeds fixed, so no flakiness).
P_MIN = 1e-3


def _scenario() -> Scenario:
    # Two communities (4,000 + 2,000 residents), as in the other small tests: staff
    # serve ~92% of cases in time, the regime the model is meant for (shrinking
    # the eight communities instead leaves one or two workers each, overloaded).
    return small("baseline", steps=WEEKS)


def _run(seed: int, residents: str) -> dict[str, float]:
    """One run's outcomes: cases raised (overall and by age group), coverage, trust change."""
    model = GovModel(_scenario(), seed=seed, residents=residents)
    for _ in range(WEEKS):
        model.step()
    ts = model.recorder.table()
    total = ts.groupby(["metric", "scope", "key"])["value"].sum()
    out = {"raised": total["cases_raised", "overall", "all"]}
    out |= {f"raised_{g}": total["cases_raised", "group", g] for g in GROUPS}
    out["coverage"] = total["resolved_in_time", "overall", "all"] / total["cases_due", "overall", "all"]
    # Mean trust in the community (the level most experiences concern) at the end, less the
    # initial mean (identical in both for a seed): this removes the population's share of the
    # spread between seeds, which would otherwise hide a trust rule that differs (it is ~10x
    # the weekly rules' share).
    res = model.residents
    out["trust_change"] = float(res.trust_in(COMMUNITY).mean(dtype=np.float64)
                                - res.trust0.mean(dtype=np.float64))
    return out


def _runs(residents: str, seeds: tuple[int, ...] = SEEDS) -> list[dict[str, float]]:
    return [_run(seed, residents) for seed in seeds]


def disagreements(a: list[dict[str, float]], b: list[dict[str, float]]) -> list[str]:
    """Outcomes on which two sets of runs differ significantly (empty if they agree)."""
    failed = []
    for key in ("raised", *(f"raised_{g}" for g in GROUPS)):
        # Same seeds give the same residents, so each total over the runs is Poisson
        # with the same mean under the null: z = (A - B) / sqrt(A + B).
        x, y = sum(r[key] for r in a), sum(r[key] for r in b)
        z = (x - y) / math.sqrt(x + y)
        if abs(z) > Z_MAX:
            failed.append(f"{key}: {x / len(a) / WEEKS:.1f} vs {y / len(b) / WEEKS:.1f} per week, z={z:.1f}")
    for key in ("coverage", "trust_change"):
        xs, ys = [r[key] for r in a], [r[key] for r in b]
        p = stats.ttest_ind(xs, ys, equal_var=False).pvalue
        if p < P_MIN:
            failed.append(f"{key}: {np.mean(xs):.5f} vs {np.mean(ys):.5f}, Welch p={p:.1e}")
    return failed


@pytest.fixture(scope="module")
def vectorised_runs() -> list[dict[str, float]]:
    return _runs("vectorised")


def test_same_seed_gives_identical_initial_population():
    for seed in (1, 2):
        vec = GovModel(_scenario(), seed=seed).residents
        agents = GovModel(_scenario(), seed=seed, residents="agents").residents
        assert agents.n == vec.n == len(agents.agents)
        for name in ("community", "grid", "group", "flags", "literacy", "plot_mu", "farm_income",
                     "stratum", "trust", "trust0"):
            np.testing.assert_array_equal(getattr(agents, name), getattr(vec, name), err_msg=name)
        assert [a.group for a in agents.agents] == vec.group.tolist()
        assert [a.community for a in agents.agents] == vec.community.tolist()


def test_agent_need_rates_add_up_to_the_vectorised_totals():
    """The oracle recomputes each resident's rates from the parameters, independently."""
    agents = GovModel(_scenario(), seed=1, residents="agents").residents
    vec = GovModel(_scenario(), seed=1).residents
    per_category = np.zeros(len(CATEGORIES))
    for agent in agents.agents:
        for category, rate in agent.need_rates:
            per_category[category] += rate
    expected = vec.need_rates().sum(axis=1)
    np.testing.assert_allclose(per_category, expected, rtol=1e-9)


def test_oracle_agrees_with_vectorised_residents(vectorised_runs):
    agents_runs = _runs("agents")
    assert disagreements(vectorised_runs, agents_runs) == []
    # Not vacuous: the runs raise thousands of cases and serve most in time.
    assert sum(r["raised_elderly"] for r in agents_runs) > 5000
    assert 0.5 < np.mean([r["coverage"] for r in agents_runs]) < 1.0


def _elderly_need_more(monkeypatch: pytest.MonkeyPatch) -> None:
    plain = ref.weekly_need_rates

    def scaled(needs, weeks, group, flags):
        rates = plain(needs, weeks, group, flags)
        return [r * 1.3 for r in rates] if group == ELDERLY else rates

    monkeypatch.setattr(ref, "weekly_need_rates", scaled)


def _experiences_weigh_more(monkeypatch: pytest.MonkeyPatch) -> None:
    # Twice, not 1.3 times: a year of bounded steps moves trust in the community by ~0.0013, with
    # a seed-to-seed spread of ~0.0001, so 1.3x (p ~ 2e-3) would not stand out at P_MIN.
    plain = ref.ResidentAgent.experience
    monkeypatch.setattr(ref.ResidentAgent, "experience",
                        lambda agent, level, step: plain(agent, level, 2.0 * step))


@pytest.mark.parametrize(("change_rule", "caught_as"), [
    (_elderly_need_more, "raised_elderly"),   # z ~ -15 (elderly), -11 (all)
    (_experiences_weigh_more, "trust_change"),  # Welch p ~ 5e-6, 200x below P_MIN
])
def test_comparison_detects_a_changed_rule(vectorised_runs, monkeypatch, change_rule, caught_as):
    """A rule scaled in the oracle only (needs by 1.3, experiences by 2) must make the comparison fail."""
    change_rule(monkeypatch)
    # Four seeds suffice for effects this size (three leave the trust case at p ~ 5e-4,
    # too near P_MIN), and save time.
    failed = disagreements(vectorised_runs[:4], _runs("agents", SEEDS[:4]))
    assert any(f.startswith(caught_as) for f in failed), failed
