"""The model's parameters, each declared once with unit, range and source.

Sources are cited by short tags, spelled out in ``docs/odd.md``:

* ``S0``–``S3``: the four source documents on grassroots governance
  (``shared/seeds``), in order.
* ``Census2020``: China's Seventh National Population Census (2020).
* ``CDPF``: China Disabled Persons' Federation, 2010 estimate (85 million).
* ``MCA2023``: Ministry of Civil Affairs statistical bulletin 2023 (dibao).
* ``Plan14``: 14th Five-Year Plan for urban and rural community services
  (18 community workers per 10,000 urban residents by 2025).
* ``LabourLaw``: PRC Labour Law art. 36/41 and State Council rule of 1995
  (40-hour week; overtime at most 36 hours a month).
* ``assumption: ...``: a modelling choice, with the reason; these are the
  numbers a calibration (``govsim calibrate``) should revisit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from govsim.scenario.params import Param, Section

GROUPS = ("elderly", "working_age", "child")
FLAGS = ("disabled", "low_income", "migrant", "farmer")
CATEGORIES = (
    "care", "health", "assistance", "employment",
    "dispute", "repair", "schooling", "farming",
)
DEPARTMENTS = (
    "civil_affairs", "social_security", "health", "urban_management",
    "justice", "education", "agriculture", "public_security", "emergency_management",
)
PRIORITY_RULES = ("service_first", "target_first")

_ASSUME_RATE = ("assumption: about 0.7 needs per resident a year, set so staff work 70-90% of "
                "contract hours in the baseline, near the edge of overload (S0: few staff, heavy load); "
                "Beijing's 12345 hotline took 0.98 contacts per resident in 2023 (21.43 million for 21.86 "
                "million), 41.5% of them requests rather than enquiries, and sent 0.21 a resident on to "
                "agencies in 2020, so 0.7 lies between the two")
#: Recorded mediations are far fewer than the model's disputes: said beside the dispute rates.
_DISPUTE_RATE = ("; people's mediation recorded 14.94 million disputes in 2022 (Ministry of Justice, "
                 "national mediation conference 2023), 0.011 per resident, a sixth of this rate: the "
                 "count covers written mediations only, and the model's disputes include the neighbours' "
                 "complaints a community settles by word of mouth")


def _p(name: str, kind: str, default: Any, description: str, **kw: Any) -> Param:
    return Param(name=name, kind=kind, default=default, description=description, **kw)


#: The layout's plausible range: where the mean community or village of a real county lies.
_LAYOUT_RANGE = ("provincial guidance of 3,000-5,000 residents per urban community and the national "
                 "mean of about 8,000 (an upper estimate: census towns include some villages); mean "
                 "village sizes differ severalfold between provinces (NBS division codes, 2023)")

HIERARCHY = Section("hierarchy", "County → townships → communities/villages → grids.", (
    _p("residents_per_community", "float", 8000.0,
       "Residents per urban community (社区, under a residents' committee); the number of "
       "communities follows the urban population.",
       unit="residents", low=50.0, high=200000.0, evidence_kind="data",
       source="Census2020 and MCA2020: 901.99 million urban residents over 113,000 residents' "
              "committees (2020 Statistical Bulletin on Civil Affairs), 7,982 each; the baseline's "
              "teaching county sets 4,000, a county town's size",
       plausible=(3000.0, 12000.0), plausible_source=_LAYOUT_RANGE),
    _p("residents_per_village", "float", 1000.0,
       "Residents per rural village (行政村, under a villagers' committee); the number of villages "
       "follows the rural population.",
       unit="residents", low=20.0, high=100000.0, evidence_kind="data",
       source="Census2020 and MCA2020: 509.79 million rural residents over 502,000 villagers' "
              "committees, 1,016 each; the baseline's teaching county sets 2,000",
       plausible=(700.0, 2500.0), plausible_source=_LAYOUT_RANGE),
    _p("communities_per_township", "int", 4, "Communities or villages under each street or township "
       "(about this many: as evenly as the counts allow).",
       unit="count", low=1, high=200,
       source="assumption: small teaching county; national means are about 13 communities per street "
              "and 17 villages per township (MCA2020: 113,000 committees under 8,773 streets; 502,000 "
              "under 29,966 townships)"),
    _p("townships", "int", None, "Fix the layout instead: this many townships or streets of exactly "
       "communities_per_township communities each (default: follow the population).",
       unit="count", low=1, high=20000, source="a scenario choice"),
    _p("rural_township_share", "float", 0.5, "With a fixed layout (townships set): the share of "
       "townships that are rural (villages).",
       unit="share", low=0.0, high=1.0, source="assumption: one urban, one rural"),
    _p("grid_size", "int", 1000, "Residents per grid (网格), each with one grid worker post.",
       unit="residents", low=50, high=20000,
       source="assumption: a grid of a few hundred households, as in grid management (S3)"),
    _p("escalation_delay_weeks", "int", 2,
       "Review lead time before the township can act on a case passed up to it (the case is "
       "referred, reviewed and, where the rules say, publicly posted); its hours then wait in the "
       "township's queue.",
       unit="weeks", low=0, high=26,
       source="S0: long approval chains; local minimum-living-allowance rules give the township 15 "
              "working days to review (docs/odd.md, 'Upper offices'); assumption that other categories "
              "take as long"),
    _p("township_capacity_per_10k", "float", 125.0,
       "Township staff hours per week for cases escalated from its communities, per 10,000 "
       "residents of the township.",
       unit="hours/week/10k residents", low=0.0, high=100000.0,
       source="assumption: about 3 staff per 10,000 residents on residents' matters (some 10 of a "
              "township's 40-100 staff, for about 36,000 residents per township-level unit, MCA2020), "
              "at 40 hours; the same as the earlier 150 hours per township of 12,000"),
    _p("township_capacity_hours", "float", None,
       "Fix each township's hours per week for escalated cases instead (default: per 10,000 "
       "residents, township_capacity_per_10k).",
       unit="hours/week", low=0.0, high=1e7, source="a scenario choice"),
))

POPULATION = Section("population", "Residents: size, groups, literacy and trust.", (
    _p("residents", "int", 24000, "Residents in the county.", unit="residents",
       low=10, high=2_000_000_000, source="a scenario choice: a small teaching county"),
    _p("urban_share", "float", 0.67, "Share of residents living in urban communities.",
       unit="share", low=0.0, high=1.0, source="Census2020: 63.9% urban; rounded to two thirds"),
    _p("share_elderly_urban", "float", 0.158, "Share aged 60+ in urban communities.",
       unit="share", low=0.0, high=1.0, source="Census2020: 15.82% of urban population aged 60+"),
    _p("share_elderly_rural", "float", 0.238, "Share aged 60+ in rural villages.",
       unit="share", low=0.0, high=1.0, source="Census2020: 23.81% of rural population aged 60+"),
    _p("share_child", "float", 0.18, "Share aged under 15 (in villages often left behind).",
       unit="share", low=0.0, high=1.0, source="Census2020: 17.95% aged 0-14"),
    _p("share_disabled", "float", 0.062, "Share with a disability.", unit="share",
       low=0.0, high=1.0, source="CDPF: 85 million of 1.37 billion"),
    _p("share_low_income_urban", "float", 0.01, "Share of urban residents on minimum living allowance.",
       unit="share", low=0.0, high=1.0, source="MCA2023: 6.6 million urban dibao recipients"),
    _p("share_low_income_rural", "float", 0.06, "Share of rural residents on minimum living allowance.",
       unit="share", low=0.0, high=1.0, source="MCA2023: 34 million rural dibao recipients"),
    _p("share_migrant_urban", "float", 0.25, "Share of urban residents who are migrants (流动人口).",
       unit="share", low=0.0, high=1.0, source="Census2020: 376 million floating population (26.6%)"),
    _p("share_migrant_rural", "float", 0.02, "Share of rural residents who are migrants.",
       unit="share", low=0.0, high=1.0, source="assumption: migration flows mostly to towns"),
    _p("share_farmer_rural", "float", 0.6, "Share of rural adults (working-age and elderly) who farm a plot.",
       unit="share", low=0.0, high=1.0, source="assumption: most rural households keep contracted land"),
    _p("literacy_elderly", "float", 0.25, "Mean digital literacy of the elderly (0-1, Beta distributed).",
       unit="score", low=0.0, high=1.0, source="S1: under 20% of over-60s used the community app",
       evidence_kind="calibrated"),
    _p("literacy_working_age", "float", 0.7, "Mean digital literacy of working-age residents.",
       unit="score", low=0.0, high=1.0, source="assumption: most adults use smartphone services"),
    _p("literacy_child", "float", 0.5, "Mean digital literacy of children (their carers file for them).",
       unit="score", low=0.0, high=1.0, source="assumption"),
    _p("literacy_concentration", "float", 6.0, "Beta concentration (a+b) of literacy; higher is less spread.",
       unit="", low=0.5, high=1000.0, source="assumption"),
    _p("trust_mean", "float", 0.6, "Mean initial trust in the local government (0-1).",
       unit="score", low=0.0, high=1.0, evidence_kind="literature",
       source="World Values Survey wave 7 (China, 2018): 69% have a great deal or quite a lot of "
              "trust in local government, as reported by Wu, C. (2021), Washington Post, 5 May; on "
              "the four-point scale scored 0, 1/3, 2/3, 1 that is a mean near 0.6",
       plausible=(0.45, 0.75),
       plausible_source="WVS wave 7 (2018), 69% trusting local government, a mean near 0.6; up to "
                        "Wu's April 2020 survey of 19,816 people (91% trust the township government), "
                        "down by as much for the over-reporting that hierarchical trust hides (Li 2016, "
                        "China Quarterly 225)"),
    _p("trust_concentration", "float", 10.0, "Beta concentration of initial trust.",
       unit="", low=0.5, high=1000.0, source="assumption"),
))

STAFF = Section("staff", "Community and village workers: hours, skills, burnout, turnover.", (
    _p("per_10k_urban", "float", 18.0, "Community workers per 10,000 urban residents.",
       unit="staff/10k residents", low=0.1, high=500.0, source="Plan14: 18 per 10,000 by 2025",
       plausible=(9.0, 60.0),
       plausible_source="MCA 2020: about 4 million community workers for 650,000 urban and rural "
                        "communities, about 28.6 per 10,000 residents; provincial plans under "
                        "国办发〔2021〕56号 ask for 18 (Hubei) to 25 (Changji) per 10,000; the range is "
                        "half the lowest to about twice the highest"),
    _p("per_10k_rural", "float", 40.0, "Village cadres per 10,000 rural residents.",
       unit="staff/10k residents", low=0.1, high=500.0, evidence_kind="data",
       source="MCA2020: 2.073 million villagers' committee members (2020 Statistical Bulletin on "
              "Civil Affairs) for 509.79 million rural residents (Census2020), 40.7 per 10,000 and "
              "4.1 per village; the Second Agricultural Census (2006, table 4-3-2) counts 4.9 village "
              "cadres per village. The baseline's villages of 2,000 set 25: five cadres each",
       plausible=(15.0, 70.0),
       plausible_source="the Organic Law of Villagers' Committees (村民委员会组织法), art. 6: three to "
                        "seven members, for villages of 1,000 to 2,000 residents"),
    _p("contract_hours", "float", 40.0, "Contract hours per worker per week.",
       unit="hours/week", low=1.0, high=84.0, source="LabourLaw: 40-hour week"),
    _p("overtime_limit", "float", 9.0, "Most overtime a worker gives per week.",
       unit="hours/week", low=0.0, high=60.0, source="LabourLaw: 36 hours a month"),
    _p("post_overhead_hours", "float", 1.0,
       "Weekly hours each post beyond a worker's first costs (meetings, reports); a community has "
       "one post per department and one per grid.",
       unit="hours/week", low=0.0, high=40.0, source="S0: one person, several posts (一人多岗); assumption"),
    _p("skill_mean", "float", 0.7, "Mean skill (productivity multiplier, 0-1).", unit="score",
       low=0.05, high=1.0,
       source="S0/S3: older staff had little training; at most 18-23% of some 4 million community "
              "workers held a social-work certificate in 2022 (MCA); no study turns that into "
              "productivity: assumption for 0.7"),
    _p("skill_sd", "float", 0.12, "Standard deviation of skill.", unit="score", low=0.0, high=0.5,
       source="assumption"),
    _p("priority", "choice", "service_first", "Which comes first after compulsory admin: cases or targets.",
       choices=PRIORITY_RULES, source="assumption: the rule is a scenario choice"),
    _p("burnout_gain", "float", 0.08,
       "Burnout gained per week per unit of strain (worked/contract hours) above 1.", unit="1/week",
       low=0.0, high=1.0, source="assumption: months of overload to burn out"),
    _p("burnout_recovery", "float", 0.04, "Burnout lost per week per unit of strain below 1.", unit="1/week",
       low=0.0, high=1.0, source="assumption"),
    _p("burnout_productivity_loss", "float", 0.4, "Productivity lost at full burnout.", unit="share",
       low=0.0, high=1.0, evidence_kind="literature",
       source="full burnout taken as clinical severity: Beck et al. (2011), Annals of Family "
              "Medicine 9(4): each PHQ-9 point costs 1.65% of productivity, 33% at the 'severe' "
              "threshold of 20 and 45% at the top; the burnout-performance meta-analysis of Corbeanu "
              "et al. (2023), Eur. J. Work Organ. Psychol., r = -0.17 to -0.23, gives 7-18% for a "
              "typical burnt-out worker",
       plausible=(0.1, 0.45),
       plausible_source="Corbeanu et al. (2023) meta-analysis (a typical burnt-out worker, about 0.1) "
                        "to the top of the PHQ-9 scale in Beck et al. (2011), 0.45"),
    _p("departure_rate", "float", 0.008, "Weekly chance of leaving at full burnout (scales with burnout²).",
       unit="1/week", low=0.0, high=1.0, evidence_kind="literature",
       source="burnt-out staff leave about twice as often: relative risk 2.1 (Hamidi et al. 2018, BMC "
              "Health Serv. Res. 18: 851), odds ratio 1.57 (Willard-Grace et al. 2019, Ann. Fam. Med. "
              "17(1)); on a base of 8-16% a year that adds 0.002-0.007 a week for those surveyed as "
              "burnt out, about 0.008 at full burnout (burnout² about 0.5 among them)",
       plausible=(0.004, 0.015),
       plausible_source="Hamidi et al. (2018) and Willard-Grace et al. (2019): burnt-out staff leave "
                        "1.6 to 2.7 times as often, on a base of 8-16% a year"),
    _p("base_departure_rate", "float", 0.001, "Weekly chance of leaving for other reasons.",
       unit="1/week", low=0.0, high=1.0,
       source="assumption: about 5% a year, inside the range the literature gives: social workers in "
              "Shenzhen, Beijing, Shanghai and Guangzhou leave at about 20% a year (Zeng, Li & He 2020, "
              "社会工作与管理 2020(5)), grassroots civil servants at 1-2% (Fuyang, 2012-2022); community "
              "workers are mostly local women near home (NBS Changzhou survey team 2023), no national "
              "figure was found. At 10% a year the baseline drifts into overload (docs/odd.md §7.12)",
       plausible=(0.0004, 0.0045),
       plausible_source="grassroots civil servants, about 2% a year, to contracted social workers in "
                        "large cities, about 21% (Zeng, Li & He 2020)"),
    _p("refill_delay_weeks", "int", 12, "Weeks before a vacancy is filled.", unit="weeks",
       low=0, high=520,
       source="assumption: recruitment takes a quarter, as where a reserve list of candidates is kept "
              "(Ningbo Haishu); one recruitment round takes 15-16 weeks from notice to hiring (Shanghai "
              "2020), and counties that batch vacancies into one or two rounds a year (Dalian; MCA "
              "2023 notice) leave them open 28-41 weeks on average: the evidence points longer",
       plausible=(4.0, 52.0),
       plausible_source="a reserve list refills in weeks; a once-a-year recruitment round leaves a "
                        "vacancy open up to a year (Shanghai 2020 round of 15-16 weeks; Dalian)"),
    _p("new_worker_skill", "float", 0.5, "Skill of a newly hired worker.", unit="score",
       low=0.05, high=1.0, evidence_kind="literature",
       source="a new hire does 0.53-0.77 of an experienced worker's case work: 0.61 (performance rises "
              "64% in the first year; De Grip, Sauermann & Sieben 2016, J. Econ. Behav. Organ. 126, "
              "call-centre agents), 0.67 over the first year (Alpern, 1,800 agents in eight centres), "
              "new hires taking 1.3-1.8 times as long (workforce-planning practice); 0.5 is 0.71 of "
              "skill_mean 0.7",
       plausible=(0.37, 0.54),
       plausible_source="learning curves of case handlers, 0.53-0.77 of an experienced worker (De Grip "
                        "et al. 2016; Alpern), times skill_mean 0.7"),
    _p("learning_weeks", "float", 104.0,
       "Weeks over which a newcomer's skill closes the gap to the staff's mean skill (each week by "
       "1/this of what is left).",
       unit="weeks", low=1.0, high=5200.0,
       source="assumption: about two years to learn the job; without learning, every refill lowers "
              "skill for good and the county never settles"),
))


def _department(name: str, task: float, entry: float, capacity: float, delay: int) -> Section:
    return Section(name, f"The {name.replace('_', ' ')} department.", (
        _p("task_hours", "float", task, "Admin task hours it pushes to each community per week.",
           unit="hours/week", low=0.0, high=500.0,
           source="S0: tasks pushed down by departments; assumption for the number"),
        _p("data_entry_hours", "float", entry, "Hours per community per week entering data into its system.",
           unit="hours/week", low=0.0, high=100.0, source="S3: 17 systems in a district; assumption"),
        _p("capacity_per_10k", "float", round(capacity / 2.4, 2),
           "County staff hours per week for cases escalated to it, per 10,000 residents of the county.",
           unit="hours/week/10k residents", low=0.0, high=100000.0,
           source=f"assumption: the earlier {capacity:g} hours a week for the teaching county of 24,000"),
        _p("capacity_hours", "float", None,
           "Fix its hours per week for escalated cases instead (default: capacity_per_10k).",
           unit="hours/week", low=0.0, high=1e7, source="a scenario choice"),
        _p("delay_weeks", "int", delay, "Approval lead time before it can act on a case passed to it; "
           "its hours then wait in the department's queue.", unit="weeks", low=0, high=52,
           source="S0: long approval chains; local minimum-living-allowance rules give the county 10 "
                  "working days to approve (docs/odd.md, 'Upper offices')"),
    ))


DEPARTMENT_SECTIONS = Section("departments", "County departments: tasks, data systems, capacity.", (
    _department("civil_affairs", 5.0, 1.5, 40.0, 2),
    _department("social_security", 4.0, 1.5, 30.0, 2),
    _department("health", 4.0, 1.5, 30.0, 2),
    _department("urban_management", 2.0, 1.5, 30.0, 3),
    _department("justice", 2.0, 1.0, 20.0, 2),
    _department("education", 2.0, 1.0, 20.0, 2),
    _department("agriculture", 3.0, 1.0, 20.0, 2),
    _department("public_security", 1.5, 1.0, 20.0, 2),
    _department("emergency_management", 1.5, 1.0, 20.0, 2),
    _p("extra_systems", "int", 8, "Other data systems communities must also fill in.", unit="systems",
       low=0, high=100, source="S3: communities entered data into 17 systems (9 departments + 8)"),
    _p("extra_system_hours", "float", 1.0, "Hours per week per community for each extra system.",
       unit="hours/week", low=0.0, high=40.0,
       source="assumption: a cadre spends about 1.3 hours a week per work app (seven or eight apps, "
              "about two hours a day; a Zhejiang discipline inspection) or 0.7 (five apps, 40 minutes "
              "a day; China Newsweek 2024); the hours per community depend on how many staff log in",
       plausible=(0.5, 4.0),
       plausible_source="per-cadre app time in Zhejiang and China Newsweek (2024) reports, 0.7-1.3 "
                        "hours a week per system, for one to three staff logging in"),
    _p("reporting_hours", "float", 6.0, "Hours per community per week on reports and inspections.",
       unit="hours/week", low=0.0, high=200.0, source="S0/S3: reporting and inspection burden (基层减负)"),
))

ORGANISATIONS = Section("organisations", "Social organisations that can be funded to take cases.", (
    _p("per_community", "float", 3.0, "Social organisations per community.", unit="count",
       low=0.0, high=100.0, evidence_kind="data",
       source="MCA via Xinhua (12 July 2023): over 1.75 million community social organisations by the "
              "end of 2022, about 90% only filed with a street, township or community; over some "
              "615,000 communities and villages (MCA2020), 2.85 each. The 2017 target (民发〔2017〕191号) "
              "of at least 10 per urban and 5 per rural community is a target, not a count",
       plausible=(1.0, 10.0),
       plausible_source="the national count, about 2.85 per community (MCA 2022), up to the 2017 "
                        "target of 10 per urban community (民发〔2017〕191号)"),
    _p("share_active", "float", 1 / 3, "Share that are active.", unit="share", low=0.0, high=1.0,
       source="S3: about a third active, a third barely, a third dormant"),
    _p("share_barely", "float", 1 / 3, "Share that barely operate (the rest are dormant).", unit="share",
       low=0.0, high=1.0, source="S3"),
    _p("capacity_active", "float", 20.0, "Hours per week an active organisation gives when funded.",
       unit="hours/week", low=0.0, high=1000.0, source="assumption"),
    _p("capacity_barely", "float", 5.0, "Hours per week a barely-operating organisation gives when funded.",
       unit="hours/week", low=0.0, high=1000.0, source="assumption"),
    _p("funded_share", "float", 0.5, "Share of non-dormant organisations under a service contract.",
       unit="share", low=0.0, high=1.0, source="S3: government purchase of services (政府购买服务)"),
    _p("specialties", "list", ["care", "dispute", "assistance", "health"],
       "Categories organisations may specialise in (each draws one).",
       choices=CATEGORIES, source="S3: elderly care, counselling, legal aid"),
))

# category: (elderly, working_age, child per year), hours, deadline, department,
#           share needing money, cost,
#           (share grid, community, township; rest county), flag multipliers
_NEEDS: dict[str, tuple] = {
    "care":       ((0.528, 0.026, 0.099), 3.0, 2, "civil_affairs", 0.05, 200.0, (0.5, 0.35, 0.1),
                   {"disabled": 3.0}),
    "health":     ((0.462, 0.099, 0.132), 2.0, 2, "health", 0.0, 0.0, (0.6, 0.3, 0.07), {"disabled": 2.0}),
    "assistance": ((0.132, 0.046, 0.02), 4.0, 4, "civil_affairs", 0.2, 150.0, (0.2, 0.6, 0.15),
                   {"low_income": 8.0, "disabled": 2.0}),
    "employment": ((0, 0.119, 0), 2.0, 4, "social_security", 0.0, 0.0, (0.3, 0.5, 0.15),
                   {"migrant": 1.5}),
    "dispute":    ((0.066, 0.066, 0), 4.0, 3, "justice", 0.0, 0.0, (0.4, 0.4, 0.15), {}),
    "repair":     ((0.132, 0.066, 0), 2.5, 4, "urban_management", 0.2, 250.0, (0.3, 0.5, 0.15),
                   {"disabled": 2.0}),
    "schooling":  ((0, 0, 0.132), 2.0, 6, "education", 0.0, 0.0, (0.3, 0.5, 0.15),
                   {"migrant": 2.5}),
    "farming":    ((0.231, 0.231, 0), 2.0, 4, "agriculture", 0.1, 150.0, (0.4, 0.4, 0.15), {}),
}


def _need(name: str, spec: tuple) -> Section:
    rates, hours, deadline, dept, money, cost, levels, mult = spec
    entries: list[Param] = [
        _p(f"rate_{g}", "float", r, f"{name} needs per {g.replace('_', '-')} resident per year.",
           unit="1/year", low=0.0, high=100.0,
           source=_ASSUME_RATE + (_DISPUTE_RATE if name == "dispute" else ""))
        for g, r in zip(GROUPS, rates, strict=True)
    ]
    entries += [
        _p(f"multiplier_{f}", "float", mult.get(f, 1.0),
           f"Rate multiplier for {f.replace('_', '-')} residents.", unit="×", low=0.0, high=100.0,
           source="S0/S2: groups' needs differ; assumption for the size")
        for f in FLAGS
    ]
    entries.append(_p("who", "choice", "farmer" if name == "farming" else "everyone",
                      "Who can raise it: everyone, or only residents with this flag.",
                      choices=("everyone", *FLAGS), source="S0: farmers' livelihood needs"))
    entries += [
        _p("hours", "float", hours,
           "Hours a fully skilled worker needs for one office case (staff hours = this / productivity).",
           unit="hours", low=0.01, high=500.0, source="assumption"),
        _p("deadline_weeks", "int", deadline, "Weeks from raising to the deadline for an in-time answer.",
           unit="weeks", low=1, high=104, source="assumption: service promises of days to weeks"),
        _p("department", "choice", dept, "Department responsible for it above the community.",
           choices=DEPARTMENTS, source="S0: departments own categories"),
        _p("money_share", "float", money, "Share of its cases that need money from the service budget.",
           unit="share", low=0.0, high=1.0, source="S0: repairs and retrofits need funds; assumption"),
        _p("cost_yuan", "float", cost, "Money such a case needs.",
           unit="yuan", low=0.0, high=1e7, source="assumption: small grants and repairs"),
        _p("share_grid", "float", levels[0], "Share of cases the grid worker can resolve (small matters).",
           unit="share", low=0.0, high=1.0, source="S3: small matters stay in the grid"),
        _p("share_community", "float", levels[1], "Share that need the community (big matters).",
           unit="share", low=0.0, high=1.0, source="S3"),
        _p("share_township", "float", levels[2],
           "Share needing the township (hard matters); the rest need the county.",
           unit="share", low=0.0, high=1.0, source="S3"),
    ]
    return Section(name, f"Needs of category {name}.", tuple(entries))


NEEDS = Section("needs", "Needs by category: rates by group, effort, deadline, department, money.",
                tuple(_need(name, spec) for name, spec in _NEEDS.items()))

BEHAVIOUR = Section("behaviour", "How residents act and how trust moves.", (
    _p("online_literacy_threshold", "float", 0.5, "Digital literacy needed to use an online channel.",
       unit="score", low=0.0, high=1.0, source="S1: with the defaults under 20% of over-60s go online",
       evidence_kind="calibrated"),
    _p("online_available", "bool", True, "An online channel exists.", source="S1: community apps"),
    _p("online_hours_factor", "float", 0.7, "Staff hours of an online case relative to an office case.",
       unit="×", low=0.0, high=10.0,
       source="assumption: the reception is saved, the casework behind it (about 70% of a case) "
              "is not; an online contact costs 2-5% of a face-to-face one (Socitm; UK Cabinet Office "
              "2012) but those figures are for simple contacts, not casework",
       plausible=(0.3, 1.0),
       plausible_source="UK local-government channel costs (Socitm: online 15p against face to face "
                        "£8.62) with a back-office share of 30-100% of a case kept"),
    _p("proxy_hours_factor", "float", 1.6,
       "Staff hours of a case filed by proxy (代办) relative to an office case.", unit="×", low=0.0,
       high=10.0, source="S0/S1: staff fill in forms for residents; assumption for the size"),
    _p("home_visit_hours_factor", "float", 1.3, "Staff hours of a grid worker home visit relative to office.",
       unit="×", low=0.0, high=10.0, evidence_kind="literature",
       source="travel adds 0.3-0.6 of the contact time: home care staff drive 18-26% of their hours "
              "against 40-62% visiting (BMC Health Services Research 14: 439, 2014, two Norwegian "
              "municipalities); a grid worker walks a few hundred households, so the low end",
       plausible=(1.2, 1.6),
       plausible_source="driving time over visiting time in Norwegian home care, 0.29-0.59 (BMC "
                        "Health Services Research 14: 439, 2014)"),
    _p("trust_gain", "float", 0.01, "Trust gained when a case is resolved in time.", unit="score",
       low=0.0, high=1.0, source="assumption"),
    _p("negativity_bias", "float", 2.5, "How much more a bad experience weighs than a good one.", unit="×",
       low=1.0, high=20.0,
       source="Kampen, Van de Walle & Bouckaert 2006: a bad experience with a public agency weighs "
              "much more than a good one; Skogan (2006), Policing and Society 16(2): a bad encounter "
              "with the police weighs 4 to 14 times a good one, whose effect is not distinguishable "
              "from 0. With late_loss 1 and abandon_loss 3 the model's ratios are 2.5 and 7.5; for "
              "services no source gives it: assumption for 2.5"),
    _p("late_loss", "float", 1.0, "Loss of a late answer in units of trust_gain×negativity_bias.",
       unit="×", low=0.0, high=20.0, source="assumption"),
    _p("abandon_loss", "float", 3.0, "Loss of an abandoned case in units of trust_gain×negativity_bias.",
       unit="×", low=0.0, high=50.0, source="assumption"),
    _p("trust_drift", "float", 0.002, "Weekly pull of trust in every level back toward its resting value.",
       unit="1/week", low=0.0, high=1.0,
       source="assumption: experiences fade over about ten years (trust as a slow stock, Slovic 1993); "
              "the warm-up starts it at its stationary level (docs/odd.md §7.11)"),
    _p("centre_credit", "float", 0.3,
       "Share of a good outcome credited to the centre as well as to the level that delivered it.",
       unit="×", low=0.0, high=1.0,
       source="Lü 2014, APSR 108(2): the rural school-fee reform raised trust in the centre, not in "
              "local governments; Li 2016, China Quarterly 225: a third to two thirds hold hierarchical "
              "trust; assumption for 0.3"),
    _p("centre_blame", "float", 0.05,
       "Share of a bad outcome blamed on the centre as well as on the level that had the case.",
       unit="×", low=0.0, high=1.0,
       source="Huang 2018 (China and Taiwan): Chinese citizens blame local governments for what they "
              "dislike; Li 2004, Modern China 30(2); assumption for 0.05"),
    _p("pass_blame", "float", 0.5,
       "Share of a bad outcome at an upper level blamed on each level below that passed the case up.",
       unit="×", low=0.0, high=1.0,
       source="S0: cases passed up and around (推诿) cost the community its credibility; "
              "assumption for 0.5"),
    _p("mandate_relay_blame", "float", 0.5,
       "Share of a county mandate's harm blamed on the township that relayed it (the county and the "
       "enforcing community bear it in full).", unit="×", low=0.0, high=1.0,
       source="O'Brien & Li 1999, Selective policy implementation in rural China; S0: layered "
              "inflation (层层加码); assumption for 0.5"),
    _p("family_help", "float", 0.46,
       "Chance that a resident who cannot use the app asks family at hand to file for her, when no "
       "office, home visit or official proxy is left.", unit="share", low=0.0, high=1.0,
       source="Oxford Internet Survey 2013: 72% of non-users have a proxy they could ask, about a third "
              "asked one in the past year, so 0.33/0.72 = 0.46 of those with one asked; Ofcom 2011: 21%; "
              "Zhou 2014 (数字反哺): children help parents online"),
    _p("family_near", "float", 0.72,
       "Chance that a resident under 60 who cannot use the app has family at hand who could file for "
       "her.", unit="share", low=0.0, high=1.0,
       source="Oxford Internet Survey 2013: 72% of non-users have a proxy user available"),
    _p("family_near_elderly", "float", 0.4,
       "Chance that an elderly resident who cannot use the app has family at hand who could file for "
       "her.", unit="share", low=0.0, high=1.0, plausible=(0.3, 0.6),
       plausible_source="empty-nest shares of people aged 60 and over: 51.3% (2015), about 57% "
                        "(2020 census; Tao, Jin & Guo 2023, 人口研究), about 60% (CNCA 2021); a "
                        "tenth either side",
       source="China National Committee on Ageing, Fifth Sample Survey of the Aged Population in Urban "
              "and Rural China (2021): about 60% of people aged 60 and over are empty-nesters (空巢), "
              "living apart from their children; 1 - 0.6"),
    _p("family_help_literacy", "float", 0.5,
       "Weight of a resident's own digital literacy in asking family: the chance is multiplied by "
       "1 - w + w*min(1, literacy/threshold).", unit="share", low=0.0, high=1.0,
       source="Oxford Internet Survey 2013: education and income raise the activation of proxy use "
              "among non-users; the linear form and 0.5 are an assumption"),
    _p("shut_out_retry", "float", 0.5,
       "Weekly chance that a resident left with no way to file a need tries again next week instead "
       "of giving up (the need is excluded only when she gives up).", unit="1/week", low=0.0,
       high=0.99, source="assumption: no study of how long shut-out residents keep trying was found; "
                        "0.5 makes two tries on average"),
    _p("grid_help", "float", 0.3,
       "Chance, at full trust in the community, that a resident shut out of the app and without "
       "family help asks a grid worker, who files for her (staff hours of a proxy case).",
       unit="share", low=0.0, high=1.0,
       source="S1: grid workers and staff fill in forms for residents who cannot; assumption for 0.3"),
    _p("patience_weeks", "float", 6.0, "Mean weeks a resident waits past the deadline before giving up.",
       unit="weeks", low=0.1, high=520.0,
       source="assumption: no survey of how long residents wait was found; with a weekly give-up "
              "chance of 1/6 half give up within about four weeks, the 30-day windows of the petition "
              "rules (信访条例 2005: 30 days to ask for a review, at most 30 days' extension)"),
    _p("escalation_rate", "float", 0.1, "Weekly chance a resident with a late case pushes it up a level.",
       unit="1/week", low=0.0, high=1.0, source="S0: petitions (上访)"),
    _p("low_trust_escalation", "float", 3.0, "Extra escalation at zero trust (rate×(1+this×(1-trust))).",
       unit="×", low=0.0, high=50.0, source="S0: low trust, more escalation"),
    _p("escalation_report_hours", "float", 0.5, "Community hours to report one escalated case upward.",
       unit="hours", low=0.0, high=40.0, source="assumption"),
))

BUDGET = Section("budget", "Service money that reaches each community.", (
    _p("service_funds_per_capita_urban", "float", 6.25,
       "Service money per urban resident per year, paid to their community.",
       unit="yuan/resident/year", low=0.0, high=1e6,
       source="S3: 123,300 yuan working funds a year, mostly office costs; assumption for the service "
              "part (the earlier 25,000 yuan per community of 4,000)"),
    _p("service_funds_per_capita_rural", "float", 9.0,
       "Service money per rural resident per year, paid to their village.",
       unit="yuan/resident/year", low=0.0, high=1e6,
       source="assumption: the earlier 18,000 yuan per village of 2,000"),
    _p("service_funds_urban", "float", None,
       "Fix the service money per urban community per year instead (default: per capita).",
       unit="yuan/year", low=0.0, high=1e9, source="a scenario choice"),
    _p("service_funds_rural", "float", None,
       "Fix the service money per rural village per year instead (default: per capita).",
       unit="yuan/year", low=0.0, high=1e9, source="a scenario choice"),
    _p("weeks_per_year", "int", 52, "Weeks in a budget year; unspent money lapses at its end.", unit="weeks",
       low=1, high=520, evidence_kind="data",
       source="Budget Law of the PRC (预算法, 2014 revision), art. 18: the budget year is the calendar "
              "year, 1 January to 31 December"),
    _p("release", "choice", "weekly",
       "How a year's money reaches the community: 'weekly', in equal allotments through the year "
       "(what is not spent carries over to the year's end, then lapses), or 'year_start', all at once.",
       choices=("weekly", "year_start"),
       source="assumption: money is drawn against a spending plan through the year (treasury payments "
              "against plans); paid all at once, it runs out before the year ends and coverage dips in "
              "the last quarter, a shortage the sources do not describe (the literature finds the "
              "opposite, spending bunched at year end: Zhang, Zhuge and Yan 2023; docs/odd.md, 'Year end')"),
))

FARMING = Section("farming", "Farmers' plots and the staple crop they grow by default.", (
    _p("plot_mu_mean", "float", 7.5, "Mean plot size per farmer.", unit="mu", low=0.1, high=10000.0,
       source="assumption: about half a hectare per household"),
    _p("staple_income_per_mu", "float", 600.0, "Net yearly income per mu from the staple crop.",
       unit="yuan/mu/year", low=0.0, high=1e6, source="assumption: grain earns a few hundred yuan per mu"),
))

PETITIONS = Section("petitions", "Petitions (信访, 上访): grievances carried above the level that failed.", (
    _p("rate_abandoned", "float", 0.1,
       "Chance a resident petitions over an abandoned case, at zero trust in the level that had it.",
       unit="share", low=0.0, high=1.0, source="S0: unsolved cases lead to petitions; assumption for 0.1"),
    _p("rate_late", "float", 0.02,
       "Chance a resident petitions over a case answered late, at zero trust in the level that had it.",
       unit="share", low=0.0, high=1.0, source="assumption"),
    _p("rate_unfair_mediation", "float", 0.2,
       "Chance a party to an unfair mediation petitions, at zero trust in the community.",
       unit="share", low=0.0, high=1.0,
       source="S0: after mediation that favours one side residents turn to petitions; assumption for 0.2"),
    _p("rate_excluded", "float", 0.02,
       "Chance a resident who could not file a need at all (shut out of every channel) petitions, at "
       "zero trust in the community.", unit="share", low=0.0, high=1.0, source="assumption"),
    _p("rate_mandate", "float", 0.05,
       "Chance a resident harmed by a mandate (forced planting, coercion) petitions, at zero trust in "
       "the community that enforced it.", unit="share", low=0.0, high=1.0, source="assumption"),
    _p("skip_level", "float", 0.3,
       "Chance, at zero trust in the office a petition would go to, that the resident goes over its "
       "head to the next level up (越级上访).", unit="share", low=0.0, high=1.0,
       source="Li 2008, Comparative Politics 40(2): petitioners look past local levels to higher ones; "
              "State Bureau for Letters and Calls 2003: petitions to Beijing +14%, to counties -2.4%; "
              "assumption for 0.3"),
    _p("office_hours_per_10k_township", "float", 6.0,
       "Hours a week a township's letters-and-visits office gives petitions, per 10,000 residents.",
       unit="hours/week/10k residents", low=0.0, high=10000.0, source="assumption"),
    _p("office_hours_per_10k_county", "float", 3.0,
       "Hours a week the county's letters-and-visits bureau gives petitions, per 10,000 residents.",
       unit="hours/week/10k residents", low=0.0, high=10000.0, source="assumption"),
    _p("hours_per_petition", "float", 6.0, "Office hours to receive, investigate and answer one petition.",
       unit="hours", low=0.0, high=1000.0, source="assumption"),
    _p("deadline_weeks", "int", 9, "Weeks an office has to answer a petition.", unit="weeks", low=1,
       high=520, source="Regulations on Letters and Visits (信访条例, 2005), art. 33: 60 days",
       plausible=(1, 13),
       plausible_source="Regulations on Letters and Visits (2005), art. 33: 60 days, which may be "
                        "extended by up to 30 days"),
    _p("repeat", "float", 0.5,
       "Chance that a petition left unanswered past its deadline is taken one level up.",
       unit="share", low=0.0, high=1.0, source="S0: repeated and escalating petitions; assumption for 0.5"),
    _p("stability_hours_community", "float", 8.0,
       "Community hours one petition beyond the county costs the petitioner's community (fetching "
       "and persuading, 维稳 passed down by the county).", unit="hours", low=0.0, high=1000.0,
       source="S0: stability pressure (维稳); assumption for 8"),
    _p("stability_hours_township", "float", 8.0,
       "Township office hours one petition beyond the county costs (taken from its petitions).",
       unit="hours", low=0.0, high=1000.0, source="assumption"),
    _p("watch_weeks", "int", 26,
       "Weeks a resident who petitioned beyond the county stays on her community's watch list "
       "(重点人员稳控), counted from her last such petition.", unit="weeks", low=0, high=520,
       source="Lee & Zhang 2013, AJS 118(6): stability work assigns cadres to known petitioners "
              "(包保) and watches them through sensitive periods; assumption for 26"),
    _p("watch_hours", "float", 1.0,
       "Community staff hours a week owed for each watched resident: a compulsory target set by the "
       "county (visits, persuasion).", unit="hours/week", low=0.0, high=168.0,
       source="Minzner 2006, Stanford J. Int'l Law 42: localities are ranked and penalised by the "
              "petitions that leave them, so stopping them is a veto target (一票否决); assumption "
              "for 1 hour"),
    _p("watch_deterrence", "float", 0.8,
       "Chance, with the watch fully staffed, that a watched resident whose petition would go beyond "
       "the county is persuaded to take it to the county instead (劝返); scaled by the share of watch "
       "hours given.", unit="share", low=0.0, high=1.0,
       source="Lee & Zhang 2013: most petitioners are bargained with and persuaded back; "
              "assumption for 0.8"),
))

MODEL = Section("", "The model's parameters.", (
    HIERARCHY, POPULATION, STAFF, DEPARTMENT_SECTIONS, ORGANISATIONS, NEEDS, BEHAVIOUR, BUDGET,
    FARMING, PETITIONS,
))

TOP_LEVEL = (
    _p("name", "str", "default", "Short name of the scenario."),
    _p("description", "str", "", "What the scenario shows."),
    _p("seed", "int", 1, "Random seed; same scenario and seed give identical output.", low=0,
       high=2**63 - 1, evidence_kind="choice"),
    _p("steps", "int", 156, "Weeks to report.", unit="weeks", low=1, high=5200,
       source="a scenario choice: three years shows burnout and budget cycles"),
    _p("warmup_weeks", "int", 104, "Weeks simulated before week 0 and not reported, so that "
       "averages start from a running county rather than empty queues.", unit="weeks", low=0,
       high=1040, source="Welch 1983; Law 2015 s. 9.5.1: from empty queues the baseline's backlog "
                         "and workload settle within 5% after 104 weeks (scripts/warmup_analysis.py; "
                         "docs/odd.md, 'Warm-up')"),
)


def _check_level_shares(params: dict) -> list[tuple[str, str]]:
    out = []
    for cat, need in params["needs"].items():
        total = need["share_grid"] + need["share_community"] + need["share_township"]
        if total > 1.0 + 1e-9:
            out.append((f"needs.{cat}.share_township",
                        f"share_grid + share_community + share_township of {cat} add up to "
                        f"{total:.3g}; they must not exceed 1 (the rest go to the county)"))
    return out


def _check_age_shares(params: dict) -> list[tuple[str, str]]:
    pop = params["population"]
    out = []
    for area in ("urban", "rural"):
        total = pop[f"share_elderly_{area}"] + pop["share_child"]
        if total > 1.0:
            out.append((f"population.share_elderly_{area}",
                        f"share_elderly_{area} + share_child = {total:.3g} leaves no working-age "
                        f"residents; it must be at most 1"))
    return out


def _check_org_shares(params: dict) -> list[tuple[str, str]]:
    org = params["organisations"]
    total = org["share_active"] + org["share_barely"]
    if total > 1.0 + 1e-9:
        return [("organisations.share_barely",
                 f"share_active + share_barely = {total:.3g}; it must be at most 1")]
    return []


CHECKS: tuple[Callable[[dict], list[tuple[str, str]]], ...] = (
    _check_level_shares, _check_age_shares, _check_org_shares,
)
