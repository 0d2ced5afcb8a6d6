"""--posterior: each replication draws parameters from a posterior, shared across arms like seeds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import govsim
from govsim.study import StudyError, load_summaries
from govsim.study.compare import arms_spec, compare, describe
from govsim.study.posterior import draws, load_posterior
from govsim.study.report import build_report
from govsim.study.text import comparison_text

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["population.residents=2000", "hierarchy.communities_per_township=1", "steps=6"]
REPS = 6
PATH = "staff.per_10k_urban"


def write_posterior(path: Path, rows: str = "10,10,0.5,0.3,1.0\n40,40,0.5,0.2,2.0\n") -> Path:
    """Two particles far apart, in the shape calibrate --method abc writes."""
    path.write_text(f"{PATH},staff.per_10k_rural,weight,distance,sim:workload\n{rows}")
    return path


def arms(*extra: str) -> list[govsim.Scenario]:
    """Baseline and more contract hours: the effect on workload (demand / hours) scales with 1/staff."""
    base = ROOT / "scenarios" / "baseline.yaml"
    return [govsim.load_scenario(base, [*SMALL, *extra]),
            govsim.load_scenario(base, [*SMALL, *extra, "staff.contract_hours=60"])]


def run(tmp_path: Path, name: str, posterior: Path | None):
    spec = arms_spec(arms(), seed=5, replications=REPS, metrics=["workload"], name=name)
    drawn = load_posterior(posterior) if posterior is not None else None
    return compare(spec, out=tmp_path / name, executor="local", workers=1, posterior=drawn)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory):
    """The same comparison without and with the posterior: (fixed, with posterior)."""
    tmp = tmp_path_factory.mktemp("posterior")
    file = write_posterior(tmp / "posterior.csv")
    return run(tmp, "fixed", None), run(tmp, "drawn", file)


def test_loading_finds_the_parameter_columns(tmp_path: Path) -> None:
    post = load_posterior(write_posterior(tmp_path / "p.csv", "10,10,1,0.3,1\n40,40,3,0.2,2\n"))
    assert post.parameters == (PATH, "staff.per_10k_rural")
    assert post.weights.tolist() == [0.25, 0.75]
    assert post.particles == 2


def test_draws_are_fixed_by_seed_and_replication_and_use_every_particle(tmp_path: Path) -> None:
    post = load_posterior(write_posterior(tmp_path / "p.csv"))
    first = draws(post, 40, seed=5)
    assert draws(post, 10, seed=5) == first[:10]      # more replications keep the earlier draws
    assert {d[PATH] for d in first} == {10.0, 40.0}
    assert draws(post, 40, seed=6) != first


def test_a_replication_uses_the_same_draw_in_every_arm(pair) -> None:
    _, drawn = pair
    summaries = load_summaries(drawn.out)
    per_run = summaries.drop_duplicates("run_id")
    assert len(per_run) == 2 * REPS
    by_rep = per_run.groupby("replication")[f"posterior:{PATH}"]
    assert (by_rep.nunique() == 1).all()                 # shared across the two arms
    assert set(per_run[f"posterior:{PATH}"]) == {10.0, 40.0}  # and both particles used
    # each arm's scenario differs by replication: the runs really used the drawn values
    assert per_run.groupby("label")["scenario_hash"].nunique().min() == 2
    runs = {p.stem for p in (drawn.out / "runs").glob("*.parquet")}
    assert runs == set(per_run["run_id"])


def test_parameter_uncertainty_widens_the_effect_interval(pair) -> None:
    fixed, drawn = pair
    width = {name: float(c.effects.query("scope == 'overall' and metric == 'workload'")
                         .eval("ci_high - ci_low").iloc[0])
             for name, c in (("fixed", fixed), ("drawn", drawn))}
    # Same seeds and scenarios but for the draws: without them the two widths would be equal.
    assert width["drawn"] > 1.5 * width["fixed"], width


def test_parameter_uncertainty_spreads_one_arms_replications(pair) -> None:
    fixed, drawn = pair
    spread = {name: load_summaries(c.out).query("scope == 'overall' and metric == 'workload' "
                                                "and label == 'baseline'")["value"].std()
              for name, c in (("fixed", fixed), ("drawn", drawn))}
    assert spread["drawn"] > 3 * spread["fixed"], spread


def test_the_outputs_say_what_the_intervals_include(pair) -> None:
    fixed, drawn = pair
    assert "stochastic noise only" in comparison_text(fixed)
    text = comparison_text(drawn)
    assert "parameter uncertainty from" in text and "(2 particles)" in text
    assert describe(drawn)["posterior"]["particles"] == 2
    assert "parameter uncertainty" in describe(drawn)["intervals"]
    meta = json.loads((drawn.out / "experiment.json").read_text())
    assert meta["posterior"]["parameters"] == [PATH, "staff.per_10k_rural"]
    assert "parameter uncertainty from" in build_report(drawn.out)
    assert "stochastic noise only" in build_report(fixed.out)


def test_resume_reruns_nothing_and_another_posterior_is_not_mixed_in(pair, tmp_path: Path) -> None:
    _, drawn = pair
    post = load_posterior(drawn.out.parent / "posterior.csv")
    spec = arms_spec(arms(), seed=5, replications=REPS, metrics=["workload"], name="drawn")
    again = compare(spec, out=drawn.out, resume=True, executor="local", workers=1, posterior=post)
    assert sum(s.done for s in again.sweeps) == 0
    pd.testing.assert_frame_equal(again.effects, drawn.effects)
    other = load_posterior(write_posterior(tmp_path / "other.csv", "20,20,1,0.1,1\n"))
    with pytest.raises(StudyError, match="different experiment"):
        compare(spec, out=drawn.out, resume=True, executor="local", workers=1, posterior=other)


@pytest.mark.parametrize(("content", "message"), [
    (None, "no such file"),
    (f"{PATH},distance\n10,0.1\n", "no 'weight' column"),
    ("weight,distance,sim:workload\n1,0.1,2\n", "no parameter columns"),
    (f"{PATH},weight\n10,abc\n", "not finite numbers"),
    (f"{PATH},weight\n10,0\n", "not all 0"),
])
def test_a_malformed_posterior_is_refused_clearly(tmp_path: Path, content: str | None, message: str) -> None:
    file = tmp_path / "bad.csv"
    if content is not None:
        file.write_text(content)
    with pytest.raises(StudyError, match=message) as err:
        load_posterior(file)
    assert str(file) in str(err.value) and "weight" in str(err.value)


def test_a_parameter_that_is_no_scenario_path_fails_before_anything_is_written(tmp_path: Path) -> None:
    file = tmp_path / "p.csv"
    file.write_text("staff.per_10k_urbn,weight\n10,1\n")
    spec = arms_spec(arms(), seed=5, replications=2, metrics=["workload"], name="bad")
    with pytest.raises(StudyError, match="per_10k_urbn"):
        compare(spec, out=tmp_path / "out", executor="local", workers=1, posterior=load_posterior(file))
    assert not (tmp_path / "out").exists()


def test_the_cli_sweep_and_compare_take_posterior(tmp_path: Path) -> None:
    file = write_posterior(tmp_path / "posterior.csv")
    spec = tmp_path / "arms.yaml"
    spec.write_text(f"base: {ROOT / 'scenarios' / 'baseline.yaml'}\nset:\n"
                    + "".join(f"  {s.replace('=', ': ')}\n" for s in SMALL)
                    + "arms:\n  base: {}\n  hours: {set: {staff.contract_hours: 60}}\n"
                    + "replications: 2\nseed: 5\nmetrics: [workload]\n")
    env_cmd = [sys.executable, "-m", "govsim"]
    sweep = subprocess.run([*env_cmd, "sweep", str(spec), "--posterior", str(file), "--out",
                            str(tmp_path / "s"), "--workers", "1", "--json"], capture_output=True, text=True,
                           cwd=ROOT, check=False)
    assert sweep.returncode == 0, sweep.stderr
    assert "parameter uncertainty" in json.loads(sweep.stdout)["intervals"]
    bad = subprocess.run([*env_cmd, "compare", str(spec), "--posterior", str(tmp_path / "none.csv"),
                          "--out", str(tmp_path / "c"), "--workers", "1"], capture_output=True, text=True,
                         cwd=ROOT, check=False)
    assert bad.returncode != 0 and "no such file" in bad.stderr


def test_a_parameter_the_arms_vary_is_refused(tmp_path: Path) -> None:
    """Drawing contract hours would erase the arms' only difference: say so, run nothing."""
    file = tmp_path / "p.csv"
    file.write_text("staff.contract_hours,weight\n38,1\n42,1\n")
    spec = arms_spec(arms(), seed=5, replications=2, metrics=["workload"], name="varied")
    with pytest.raises(StudyError, match=r"'staff.contract_hours' differs between the arms.*baseline: 40"):
        compare(spec, out=tmp_path / "out", executor="local", workers=1, posterior=load_posterior(file))
    assert not (tmp_path / "out").exists()
