"""The result figures quoted in docs/odd.md, one markdown block per paragraph.

    .venv/bin/python scripts/odd_effects.py                  # every paragraph (about 5 minutes)
    .venv/bin/python scripts/odd_effects.py mediation        # one paragraph
    .venv/bin/python scripts/odd_effects.py --list           # the paragraphs and where they are quoted

Each paragraph runs the configurations its text describes: a ready scenario from
``scenarios/``, the ``--set`` overrides of the comparison, and the seeds the text
states (the scenario's own seed, 20240601, for "one run"; seeds 0, 1 and 2 for
"means over seeds 0–2"). Every figure is a whole-run value from ``result.summary``
(reported weeks only, after the warm-up; scope ``overall``, or ``group`` with a
key such as ``elderly``), or a mean of the weekly series over the weeks named.
Runs are cached within one call, so paragraphs that share a run (the baseline on
seeds 0–2, say) run it once. One process, one run at a time.

Parameter defaults are not results: the parameter tables in docs/odd.md come
from ``scripts/docs_tables.py``.
"""

from __future__ import annotations

import argparse
import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (0, 1, 2)  # "means over seeds 0–2"
OWN = None  # the scenario's own seed ("one run")


# --- running and reading ---------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """What the paragraphs read from one run (the rest of the tables is dropped)."""

    overall: pd.Series  # metric -> whole-run value
    group: pd.Series  # (key, metric) -> whole-run value
    community: pd.Series  # (key, metric) -> whole-run value
    weekly: pd.DataFrame  # week x metric, overall scope
    ledger: pd.DataFrame | None  # the case ledger, when asked for


def scenario(name: str, sets: Sequence[str] = ()):
    import govsim

    return govsim.load_scenario(ROOT / "scenarios" / f"{name}.yaml", overrides=list(sets))


@functools.cache
def run(name: str, sets: tuple[str, ...] = (), seed: int | None = OWN, cases: bool = False) -> Run:
    """One simulation of scenario ``name`` with ``--set`` overrides ``sets`` (cached)."""
    import govsim

    sc = scenario(name, sets)
    result = govsim.simulate(sc, seed=sc.seed if seed is None else seed, cases=cases)
    s, ts = result.summary, result.timeseries
    by_scope = {scope: s[s["scope"] == scope] for scope in ("overall", "group", "community")}
    weekly = ts[ts["scope"] == "overall"].pivot_table(index="week", columns="metric", values="value")
    return Run(
        overall=by_scope["overall"].set_index("metric")["value"],
        group=by_scope["group"].set_index(["key", "metric"])["value"],
        community=by_scope["community"].set_index(["key", "metric"])["value"],
        weekly=weekly,
        ledger=result.cases,
    )


Reader = Callable[[Run], float]


def o(metric: str) -> Reader:
    """Whole-run overall value."""
    return lambda r: float(r.overall[metric])


def g(key: str, metric: str) -> Reader:
    """Whole-run value for one resident group (``elderly``, ``migrant``, ...)."""
    return lambda r: float(r.group[(key, metric)])


def weeks(metric: str, first: int, last: int | None = None) -> Reader:
    """Mean of the weekly overall values over weeks ``first``..``last`` (inclusive)."""
    return lambda r: float(r.weekly[metric].loc[first:last].mean())


def ratio(num: Reader, den: Reader) -> Reader:
    return lambda r: num(r) / den(r)


def value(name: str, sets: Sequence[str], seeds: int | Sequence[int] | None, read: Reader) -> float:
    """``read`` of one run, or its mean over several seeds."""
    seeds = seeds if isinstance(seeds, (tuple, list)) else (seeds,)
    return float(np.mean([read(run(name, tuple(sets), s)) for s in seeds]))


# --- printing --------------------------------------------------------------------------


def fmt(x: float, spec: str) -> str:
    if np.isnan(x):  # a metric the run does not record
        return "–"
    if spec == "n":  # a count: thousands separated, no decimals
        return f"{x:,.0f}"
    if spec == "%":
        return f"{100 * x:.1f}%"
    return format(x, spec)


#: A column: header, reader, format ("n" count, "%" percent, else a format spec).
Column = tuple[str, Reader, str]
#: A row: label, scenario, --set overrides.
Row = tuple[str, str, tuple[str, ...]]


def table(rows: Sequence[Row], columns: Sequence[Column], seeds: int | Sequence[int] | None) -> None:
    print("| run | " + " | ".join(c[0] for c in columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for label, name, sets in rows:
        cells = [fmt(value(name, sets, seeds, read), spec) for _, read, spec in columns]
        print(f"| {label} | " + " | ".join(cells) + " |")
    print()


def heading(title: str, where: str, seeds: int | Sequence[int] | None) -> None:
    runs = "one run, seed 20240601" if seeds is OWN else f"means over seeds {seeds[0]}–{seeds[-1]}"
    print(f"## {title} ({where}; {runs}; whole run unless a column names weeks)\n")


def in_time_by_level(ledger: pd.DataFrame, reported_weeks: int) -> pd.Series:
    """Share of needs due in the reported weeks answered in time, by the level where they closed."""
    due = ledger[ledger["deadline_week"].between(0, reported_weeks - 1) & ledger["level_closed"].notna()]
    return (due["outcome"] == "in_time").groupby(due["level_closed"], observed=True).mean()


# --- the paragraphs --------------------------------------------------------------------

FIRST_FOUR = ("baseline", "target_inflation", "crop_mandate", "budget_earmarking")
SUMMARY_ROWS: tuple[Column, ...] = (
    ("coverage (in time)", o("coverage"), ".3f"),
    ("cases abandoned (total)", o("abandoned"), "n"),
    ("escalations by residents (total)", o("escalations"), "n"),
    ("mean trust, final week", o("trust"), ".3f"),
    ("workload (demanded / contract hours)", o("workload"), ".3f"),
    ("share of worked hours on admin", o("admin_share"), ".3f"),
    ("share of worked hours on targets", o("target_share"), ".3f"),
    ("mean burnout, final week", o("burnout"), ".4f"),
    ("farmers' mean income (yuan/week)", o("farmer_income"), ".1f"),
    ("money lapsed (yuan, total)", o("money_lapsed"), "n"),
    ("money lapsed while cases waited (yuan, total)", o("money_lapsed_unmet"), "n"),
)


def patterns() -> None:
    heading("§1 patterns: the first four scenarios", "§1, §7.14, §7.16", OWN)
    print("| Metric | " + " | ".join(FIRST_FOUR) + " |")
    print("|---|" + "---|" * len(FIRST_FOUR))
    for label, read, spec in SUMMARY_ROWS:
        print(f"| {label} | " + " | ".join(fmt(read(run(n)), spec) for n in FIRST_FOUR) + " |")
    ti, crop = run("target_inflation"), run("crop_mandate")
    bottom = ti.community.xs("target_bottom", level="metric")
    rural = bottom.index.str.contains("village")
    print(f"\nP4: target reaching communities {o('target_bottom')(ti):.3f} (villages "
          f"{bottom[rural].mean():.3f}, urban communities {bottom[~rural].mean():.3f}); true attainment "
          f"at the end {o('target_true')(ti):.3f}, reported {o('target_reported')(ti):.3f}")
    print(f"P5: farmers' income {o('farmer_income')(run('baseline')):.1f} -> "
          f"{o('farmer_income')(crop):.1f} yuan/week; planted at the end {o('planted_true')(crop):.3f} "
          f"against an area target of {crop_target():.3f}, reported {o('planted_reported')(crop):.3f}")
    print("P6: coverage by group, baseline -> budget_earmarking: " + ", ".join(
        f"{k} {g(k, 'coverage')(run('baseline')):.3f} -> {g(k, 'coverage')(run('budget_earmarking')):.3f}"
        for k in ("elderly", "disabled", "farmer", "working_age")))
    print("P3: baseline, needs due answered in time, by the level where they closed: "
          + ", ".join(f"{lvl} {share:.1%}" for lvl, share in baseline_levels().items()) + "\n")


def crop_target() -> float:
    """The villages' area target after inflation (§7.16), weighted by farmland: a set-up draw."""
    from govsim.model import GovModel

    model = GovModel(scenario("crop_mandate"))
    mandate = next(p for p in model.policies if p.type_name == "crop_mandate")
    return float((mandate.target * mandate.farmland).sum() / mandate.farmland.sum())


def baseline_levels() -> pd.Series:
    r = run("baseline", cases=True)
    return in_time_by_level(r.ledger, scenario("baseline").steps).reindex(
        ["grid", "community", "township", "county"])


#: The second table of §1: each ready scenario's own figure (label, reader, format).
OWN_METRIC: dict[str, tuple[str, Reader, str]] = {
    "community_app": ("online share", o("online_share"), ".3f"),
    "digital_channels": ("online share", o("online_share"), ".3f"),
    "procedures": ("subsidy take-up", o("subsidy_takeup"), ".3f"),
    "data_integration": ("bounces", o("bounces"), "n"),
    "mediation": ("recurrences", o("recurrences"), "n"),
    "parking_dispute": ("recurrences", o("recurrences"), "n"),
    "participation": ("lapsed while cases waited", o("money_lapsed_unmet"), "n"),
    "elevator_renovation": ("lapsed while cases waited", o("money_lapsed_unmet"), "n"),
    "transparency": ("elderly trust", g("elderly", "trust"), ".3f"),
    "migration": ("unregistered share", o("unregistered_share"), ".3f"),
    "emergency": ("need multiplier (mean)", o("need_multiplier"), ".3f"),
    "procurement": ("organisation hours", o("org_hours"), "n"),
    "staffing_training": ("staff skill, end", o("staff_skill"), ".3f"),
    "burden_reduction": ("admin share", o("admin_share"), ".3f"),
    "grid_management": ("response weeks", o("response_weeks"), ".3f"),
    "crop_mandate_tolerant": ("planted share, end", o("planted_true"), ".3f"),
    "petition_wave": ("petitions beyond the county", o("petitions_beyond"), "n"),
}
SCENARIO_COLUMNS: tuple[Column, ...] = (
    ("coverage", o("coverage"), ".3f"),
    ("elderly coverage", g("elderly", "coverage"), ".3f"),
    ("excluded", o("excluded"), "n"),
    ("abandoned", o("abandoned"), "n"),
    ("escalations", o("escalations"), "n"),
    ("trust", o("trust"), ".3f"),
    ("workload", o("workload"), ".3f"),
    ("admin share", o("admin_share"), ".3f"),
)


def scenarios() -> None:
    heading("§1: every other ready scenario", "§1", OWN)
    print("| Scenario | " + " | ".join(c[0] for c in SCENARIO_COLUMNS) + " | own metric |")
    print("|---|" + "---|" * (len(SCENARIO_COLUMNS) + 1))
    for name in ("baseline", *OWN_METRIC):
        r = run(name)
        cells = [fmt(read(r), spec) for _, read, spec in SCENARIO_COLUMNS]
        own = "–"
        if name in OWN_METRIC:
            label, read, spec = OWN_METRIC[name]
            own = f"{label}: {fmt(read(r), spec)}"
        print(f"| `{name}` | " + " | ".join(cells) + f" | {own} |")
    print()


def population() -> None:
    """Set-up draws of the baseline (§5): no weeks are run."""
    from govsim.model import GovModel
    from govsim.model.residents import FLAGS

    print("## §5 the baseline's population and organisations (set-up draws, seed 20240601)\n")
    model = GovModel(scenario("baseline"))
    res = model.residents
    groups = np.bincount(res.group, minlength=3)
    flags = {f: int(res.flags[:, i].sum()) for i, f in enumerate(FLAGS)}
    farmers = res.plot_mu[res.plot_mu > 0]
    print(f"- residents: {groups[0]:,} elderly, {groups[1]:,} working age, {groups[2]:,} children; "
          + ", ".join(f"{n:,} {f}" for f, n in flags.items()) + f" (mean plot {farmers.mean():.2f} mu)\n")
    orgs = model.organisations
    per_community = np.zeros(model.hierarchy.communities)
    for org in orgs:
        per_community[org.community] += org.weekly_hours
    print(f"- organisations: {len(orgs)} ({sum(org.status == 'active' for org in orgs)} active), "
          f"{sum(org.funded for org in orgs)} funded; weekly funded hours per community "
          + ", ".join(f"{h:.0f}" for h in per_community) + "\n")


def digital_channels() -> None:
    heading("§7.19 digital channels", "§7.19", OWN)
    base = run("baseline")
    print(f"Baseline: elderly online share {g('elderly', 'online_share')(base):.1%}, coverage "
          f"{o('coverage')(base):.3f}, elderly coverage {g('elderly', 'coverage')(base):.3f}, "
          f"elderly trust {g('elderly', 'trust')(base):.3f}, staff hours on cases "
          f"{o('hours_cases')(base):,.0f}, workload {o('workload')(base):.3f}\n")
    rows: tuple[Row, ...] = (
        ("community_app: online only", "community_app", ()),
        ("… elder mode", "community_app", ("policies.0.elder_mode=true",)),
        ("… volunteers, 20 per 10,000 a week", "community_app", ("policies.0.volunteer_reach=20",)),
        ("… a staff proxy", "community_app", ("policies.0.proxy=true",)),
        ("… offline windows kept", "community_app", ("policies.0.mode=online_plus_offline",)),
        ("digital_channels (from week 13, double entry 0.3)", "digital_channels", ()),
        ("… a staff proxy", "digital_channels", ("policies.0.proxy=true",)),
    )
    table(rows, (
        ("excluded", o("excluded"), "n"),
        ("coverage", o("coverage"), ".3f"),
        ("elderly coverage", g("elderly", "coverage"), ".3f"),
        ("elderly trust", g("elderly", "trust"), ".3f"),
        ("filed by family", o("filed_by_family"), "n"),
        ("filed by grid worker", o("filed_by_grid_worker"), "n"),
        ("filed after waiting", o("filed_after_waiting"), "n"),
        ("staff hours on cases", o("hours_cases"), "n"),
        ("workload", o("workload"), ".3f"),
    ), OWN)
    windows = run("community_app", ("policies.0.mode=online_plus_offline",))
    same = windows.overall.equals(base.overall)
    print(f"Offline windows kept: every whole-run value equal to the baseline's: {'yes' if same else 'no'}\n")


def procedures() -> None:
    heading("§7.20 procedures", "§7.20", OWN)
    table((
        ("baseline", "baseline", ()),
        ("procedures (eight steps, disabled, from week 4)", "procedures", ()),
        ("… two steps", "procedures", ("policies.0.steps=2",)),
    ), (
        ("eligible", lambda r: float(r.overall.get("subsidy_eligible", np.nan)), "n"),
        ("take-up", lambda r: float(r.overall.get("subsidy_takeup", np.nan)), ".3f"),
        ("take-up, elderly", lambda r: float(r.group.get(("elderly", "subsidy_takeup"), np.nan)), ".3f"),
        ("take-up, working age",
         lambda r: float(r.group.get(("working_age", "subsidy_takeup"), np.nan)), ".3f"),
        ("staff hours on cases", o("hours_cases"), "n"),
        ("coverage", o("coverage"), ".3f"),
        ("abandoned", o("abandoned"), "n"),
    ), OWN)


def data_integration() -> None:
    heading("§7.21 data silos and integration", "§7.21", OWN)
    table((
        ("baseline", "baseline", ()),
        ("silos alone", "data_integration", ("policies.1.merged_share=0", "policies.1.rollout_hours=0")),
        ("silos, platform from week 52", "data_integration", ()),
    ), (
        ("wrong passes", o("bounces"), "n"),
        ("abandoned", o("abandoned"), "n"),
        ("escalations", o("escalations"), "n"),
        ("coverage", o("coverage"), ".3f"),
        ("admin hours", o("hours_admin"), "n"),
        ("admin share", o("admin_share"), ".3f"),
        ("idle hours", o("hours_idle"), "n"),
    ), OWN)


MEDIATION_OFF = ("policies.0.professional_mediators=0", "policies.0.online_mediation=false",
                 "policies.0.follow_up=false")


def mediation() -> None:
    heading("§7.22 disputes and mediation", "§7.22", SEEDS)
    table((
        ("parking_dispute (part-time)", "parking_dispute", ()),
        ("… `follow_up=true`", "parking_dispute", ("policies.0.follow_up=true",)),
        ("… `professional_mediators=4`", "parking_dispute", ("policies.0.professional_mediators=4",)),
        ("mediation (programme)", "mediation", ()),
        ("… programme off (part-time)", "mediation", MEDIATION_OFF),
        ("baseline", "baseline", ()),
    ), (
        ("recurrences", lambda r: float(r.overall.get("recurrences", np.nan)), "n"),
        ("incidents", lambda r: float(r.overall.get("incidents", np.nan)), ".1f"),
        ("escalations", o("escalations"), "n"),
        ("trust (end)", o("trust"), ".3f"),
        ("coverage", o("coverage"), ".3f"),
        ("workload", o("workload"), ".3f"),
    ), SEEDS)


ELEVATOR_NO_COUNCIL = ("policies.1.council=false", "policies.1.online_voting=false",
                       "policies.1.micro_renewal_yuan=0")


def participation() -> None:
    heading("§7.23 participation", "§7.23", SEEDS)
    table((
        ("budget_earmarking", "budget_earmarking", ()),
        ("participation", "participation", ()),
        ("… `tokenism=true`", "participation", ("policies.1.tokenism=true",)),
        ("elevator_renovation (real council)", "elevator_renovation", ()),
        ("… `tokenism=true`", "elevator_renovation", ("policies.1.tokenism=true",)),
        ("… no council, no contributions", "elevator_renovation", ELEVATOR_NO_COUNCIL),
    ), (
        ("coverage", o("coverage"), ".3f"),
        ("elderly coverage", g("elderly", "coverage"), ".3f"),
        ("trust (end)", o("trust"), ".3f"),
        ("trust, working age", g("working_age", "trust"), ".3f"),
        ("trust, elderly", g("elderly", "trust"), ".3f"),
        ("money lapsed", o("money_lapsed"), "n"),
        ("lapsed while cases waited", o("money_lapsed_unmet"), "n"),
        ("cases waiting for money", o("cases_waiting_money"), ".1f"),
    ), SEEDS)


def transparency() -> None:
    heading("§7.24 transparency and fairness", "§7.24", SEEDS)
    table((
        ("baseline", "baseline", ()),
        ("transparency (open, fair 0.8)", "transparency", ()),
        ("… closed, fairness 0.3, opaque spending", "transparency",
         ("policies.0.open_decisions=false", "policies.0.mediation_fairness=0.3",
          "policies.0.opaque_spending=true")),
    ), (
        ("trust (end)", o("trust"), ".3f"),
        ("trust in the community (end)", o("trust_community"), ".3f"),
        ("escalations", o("escalations"), "n"),
        ("coverage", o("coverage"), ".3f"),
    ), SEEDS)


def migration() -> None:
    heading("§7.25 migration", "§7.25", SEEDS)
    table((
        ("settled, all registered", "migration",
         ("policies.0.turnover=0", "policies.0.initially_unregistered=0")),
        ("turnover, no drive", "migration", ("policies.0.drive_rate=0",)),
        ("turnover, drive from week 52", "migration", ()),
    ), (
        ("migrants' coverage", g("migrant", "coverage"), ".3f"),
        ("migrants' trust", g("migrant", "trust"), ".3f"),
        ("unregistered share (mean)", o("unregistered_share"), ".3f"),
        ("excluded", o("excluded"), "n"),
        ("coverage", o("coverage"), ".3f"),
    ), SEEDS)


EMERGENCY_PREPARED = ("policies.0.plans=1", "policies.0.reserves=1", "policies.0.teams=1",
                      "policies.0.drills=1")


def emergency() -> None:
    heading("§7.26 emergencies", "§7.26", SEEDS)
    rows = (
        ("no flood (`surge=1`)", "emergency", ("policies.0.surge=1",)),
        ("flood, unprepared", "emergency", ()),
        ("flood, fully prepared", "emergency", EMERGENCY_PREPARED),
    )
    table(rows, (
        ("backlog", o("backlog"), ".0f"),
        ("abandoned", o("abandoned"), "n"),
        ("escalations", o("escalations"), "n"),
        ("coverage", o("coverage"), ".3f"),
        ("money lapsed", o("money_lapsed"), "n"),
    ), SEEDS)
    print("Cases waiting for money (mean of the weekly counts), before, during and after the flood's year:\n")
    table(rows, (
        ("weeks 0–29", weeks("cases_waiting_money", 0, 29), ".1f"),
        ("weeks 30–39", weeks("cases_waiting_money", 30, 39), ".1f"),
        ("weeks 40–51", weeks("cases_waiting_money", 40, 51), ".1f"),
        ("weeks 52–103", weeks("cases_waiting_money", 52, 103), ".1f"),
    ), SEEDS)


PROCUREMENT_NONE = ("policies.0.budget_per_capita=0", "policies.0.incubation=0")


def procurement() -> None:
    heading("§7.27 purchase of services", "§7.27", SEEDS)
    table((
        ("no buying, no incubation", "procurement", PROCUREMENT_NONE),
        ("procurement (buying and incubation)", "procurement", ()),
        ("… no incubation", "procurement", ("policies.0.incubation=0",)),
    ), (
        ("organisation hours", o("org_hours"), "n"),
        ("staff hours on cases", o("hours_cases"), "n"),
        ("workload", o("workload"), ".2f"),
        ("overtime (h/week)", o("overtime"), ".1f"),
        ("coverage", o("coverage"), ".3f"),
        ("elderly", g("elderly", "coverage"), ".3f"),
        ("disabled", g("disabled", "coverage"), ".3f"),
        ("active organisations (end)", o("active_organisations"), ".1f"),
        ("money spent", o("procurement_spent"), "n"),
    ), SEEDS)
    sc = scenario("procurement")
    policy = sc.policies[0]
    weeks_bought = sc.steps - policy["start"]
    budget = policy["budget_per_capita"] * sc.params["population"]["residents"] * weeks_bought / 52
    print(f"Budget over weeks {policy['start']}–{sc.steps - 1}: {budget:,.0f} yuan; weekly hours it buys "
          f"at the price: {budget / weeks_bought / policy['price_per_hour']:.0f}")
    from govsim.model import GovModel

    model = GovModel(sc)
    spare = sum(org.capacity_hours for org in model.organisations
                if org.status != "dormant" and not org.funded)
    print(f"Live organisations without a contract at the start (seed 20240601): {spare:.0f} hours a week\n")


STAFFING_OFF = ("policies.0.add_per_10k_urban=0", "policies.0.add_per_10k_rural=0")
TRAINING_OFF = ("policies.1.skill_gain=0", "policies.1.hours_per_worker=0")
BURDEN_OFF = ("policies.0.task_cut=0", "policies.0.data_entry_cut=0", "policies.0.reporting_cap=1000")


def staff_capacity() -> None:
    heading("§7.28–§7.31 staff capacity (and §6's table)", "§6, §7.28–§7.31", SEEDS)
    print("staffing_training.yaml (understaffed county):\n")
    table((
        ("neither policy", "staffing_training", STAFFING_OFF + TRAINING_OFF),
        ("staffing and training", "staffing_training", ()),
        ("staffing alone", "staffing_training", TRAINING_OFF),
        ("training alone", "staffing_training", STAFFING_OFF),
    ), (
        ("coverage", o("coverage"), ".3f"),
        ("workload", o("workload"), ".2f"),
        ("overtime (h/week)", o("overtime"), ".1f"),
        ("burnout (end)", o("burnout"), ".2f"),
        ("escalations", o("escalations"), "n"),
        ("staff (mean)", o("staff"), ".1f"),
        ("skill (end)", o("staff_skill"), ".2f"),
        ("admin share", o("admin_share"), ".3f"),
        ("… weeks 0–51", weeks("admin_share", 0, 51), ".3f"),
        ("… weeks 52–155", weeks("admin_share", 52), ".3f"),
    ), SEEDS)
    print("burden_reduction.yaml (understaffed county):\n")
    table((
        ("no cuts", "burden_reduction", BURDEN_OFF),
        ("cuts from week 26", "burden_reduction", ()),
    ), (
        ("admin share", o("admin_share"), ".3f"),
        ("… from week 26", weeks("admin_share", 26), ".3f"),
        ("coverage", o("coverage"), ".3f"),
        ("workload", o("workload"), ".2f"),
        ("overtime (h/week)", o("overtime"), ".1f"),
        ("burnout (end)", o("burnout"), ".2f"),
        ("backlog", o("backlog"), ".0f"),
    ), SEEDS)
    print("grid_management.yaml (baseline staffing) against the baseline:\n")
    table((
        ("baseline", "baseline", ()),
        ("grid management from week 13", "grid_management", ()),
    ), (
        ("response (weeks)", o("response_weeks"), ".2f"),
        ("… from week 13", weeks("response_weeks", 13), ".2f"),
        ("escalations", o("escalations"), "n"),
        ("coverage", o("coverage"), ".3f"),
        ("backlog", o("backlog"), ".0f"),
        ("admin share", o("admin_share"), ".3f"),
        ("workload", o("workload"), ".3f"),
    ), SEEDS)


CONTRACT, OVERTIME = 40.0, 9.0  # hours a week (staff.contract_hours, overtime_limit)


def worked_share(hours: Callable[[str], float]) -> tuple[float, float]:
    """Hours worked over contract hours, and over contract plus overtime hours."""
    worked = hours("hours_admin") + hours("hours_targets") + hours("hours_cases")
    available = hours("hours_available")  # contract plus overtime
    return worked / (available * CONTRACT / (CONTRACT + OVERTIME)), worked / available


def rates_raised(factor: float) -> tuple[str, ...]:
    """``--set`` overrides multiplying every need rate by ``factor``."""
    needs = scenario("baseline").params["needs"]
    return tuple(f"needs.{c}.{k}={v * factor:.6g}" for c, spec in needs.items()
                 for k, v in spec.items() if k.startswith("rate_"))


def baseline_load() -> None:
    import govsim

    heading("the baseline's load", "§7.32 upper offices, 'What is assumed'", OWN)
    sc = scenario("baseline")
    print("```\n" + govsim.simulate(sc).headline().to_string() + "\n```\n")
    r = run("baseline")
    years = sc.steps / sc.params["budget"]["weeks_per_year"]
    print(f"- needs raised per resident a year: "
          f"{o('cases_raised')(r) / sc.params['population']['residents'] / years:.3f}")
    contract, with_overtime = worked_share(lambda m: o(m)(r))
    by_community = {k: worked_share(lambda m, k=k: float(r.community[(k, m)]))[0]
                    for k in r.community.index.get_level_values("key").unique()}
    print(f"- hours worked: {contract:.1%} of contract hours ({with_overtime:.1%} of contract plus "
          f"overtime), from {min(by_community.values()):.1%} to {max(by_community.values()):.1%} "
          "by community")
    print("- coverage by group: " + ", ".join(
        f"{k} {float(r.group[(k, 'coverage')]):.3f}"
        for k in ("elderly", "working_age", "child", "disabled", "low_income", "migrant", "farmer")))
    print("- in time by the level where the need closed: "
          + ", ".join(f"{lvl} {share:.1%}" for lvl, share in baseline_levels().items()))
    print(f"- trust: week 0 {r.weekly['trust'].iloc[0]:.3f}, end {o('trust')(r):.3f}")
    print(f"- upper offices' hours used: township {o('township_use')(r):.1%}, "
          f"county {o('county_use')(r):.1%}")
    print(f"- departures {o('departures')(r):.1f}, burnout {o('burnout')(r):.3f}")
    hot = run("baseline", rates_raised(1.1))
    burnout = hot.community.xs("burnout", level="metric").sort_values(ascending=False)
    print(f"- every need rate +10%: coverage {o('coverage')(hot):.3f}, workload {o('workload')(hot):.3f}, "
          f"burnout {o('burnout')(hot):.3f} county-wide, highest by community "
          + ", ".join(f"{k} {v:.2f}" for k, v in burnout.head(3).items())
          + f"; departures {o('departures')(hot):.1f}\n")


#: name -> (where in docs/odd.md, function)
PARAGRAPHS: dict[str, tuple[str, Callable[[], None]]] = {
    "patterns": ("§1 first table, P3–P5; §7.14, §7.16 draws", patterns),
    "scenarios": ("§1 second table", scenarios),
    "population": ("§5 baseline population and organisations", population),
    "digital_channels": ("§7.19 Effects, elderly online share", digital_channels),
    "procedures": ("§7.20 Effects", procedures),
    "data_integration": ("§7.21 Effects", data_integration),
    "mediation": ("§7.22 Effects", mediation),
    "participation": ("§7.23 Effects", participation),
    "transparency": ("§7.24 Effects", transparency),
    "migration": ("§7.25 Effects", migration),
    "emergency": ("§7.26 Effects", emergency),
    "procurement": ("§7.27 Effects", procurement),
    "staff_capacity": ("Effects of §7.28–§7.31; §6 table", staff_capacity),
    "baseline_load": ("'What is assumed, and how the baseline load was set'; §7.32 upper offices",
                      baseline_load),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paragraphs", nargs="*", metavar="PARAGRAPH",
                        help="paragraphs to compute (default: all); see --list")
    parser.add_argument("--list", action="store_true", help="list the paragraphs and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name, (where, _) in PARAGRAPHS.items():
            print(f"{name:18} {where}")
        return 0
    unknown = [name for name in args.paragraphs if name not in PARAGRAPHS]
    if unknown:
        parser.error(f"unknown paragraph(s) {', '.join(unknown)}; choose from {', '.join(PARAGRAPHS)}")
    clock = time.perf_counter()
    for name in args.paragraphs or PARAGRAPHS:
        PARAGRAPHS[name][1]()
    print(f"<!-- {run.cache_info().currsize} runs, {time.perf_counter() - clock:.0f} s -->")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
