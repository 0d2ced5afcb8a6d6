"""English and Chinese text for figures, reports and the teaching page.

One table per kind of text, each entry an (English, Chinese) pair, so a
missing translation is a visible hole in a table (and a failing test), not a
string scattered in code. Metric labels in English stay in
:data:`govsim.metrics.METRICS` (the one place that names a measure); this
module adds their Chinese. Anything without a Chinese entry falls back to
English rather than failing: a new metric must never break a figure.

Figures should ask :func:`govsim.fonts.figure_lang` for their language first:
it answers "en" on a machine with no CJK font, so no figure shows boxes.
"""

from __future__ import annotations

import re

from govsim.metrics import METRICS

LANGS = ("en", "zh")

#: Chinese labels of the metrics, by metric name. Includes measures recorded
#: only by some mechanisms, so they are ready when those mechanisms are merged.
METRIC_ZH: dict[str, str] = {
    "coverage": "服务覆盖率（按时）",
    "cases_raised": "提出的需求",
    "cases_due": "到期的需求（含未能提交的）",
    "excluded": "未能提交的需求",
    "cases_filed": "提交的事项",
    "cases_online": "线上提交的事项",
    "online_share": "线上提交的比例",
    "resolved_in_time": "到期需求中按时办结的",
    "resolved_late": "逾期办结",
    "abandoned": "放弃的事项",
    "abandoned_share": "每个到期需求的放弃率",
    "backlog_township": "乡镇待办事项",
    "backlog_county": "县级部门待办事项",
    "hours_township": "乡镇处理上报事项的工时",
    "hours_county": "县级部门处理上报事项的工时",
    "township_capacity": "乡镇可用于上报事项的工时",
    "county_capacity": "县级部门可用于上报事项的工时",
    "township_use": "乡镇工时使用率",
    "county_use": "县级部门工时使用率",
    "cases_left": "因居民迁出而关闭的事项",
    "trust": "对基层政府的平均信任",
    "trust_community": "对社区（村）居委会的平均信任",
    "trust_township": "对街道（乡镇）的平均信任",
    "trust_county": "对县级政府及其部门的平均信任",
    "trust_centre": "对中央政府的平均信任",
    "filed_by_family": "无法使用应用、由家人代为提交的诉求",
    "filed_by_grid_worker": "无法使用应用、由网格员代办的诉求",
    "waiting_to_file": "无法提交、准备再次尝试的诉求",
    "filed_after_waiting": "等待后才提交的诉求",
    "petitions": "信访件数",
    "stability_watch": "稳控重点人员数",
    "hours_stability": "稳控工作工时",
    "petitions_township": "乡镇（街道）信访件数",
    "petitions_county": "县级信访件数",
    "petitions_beyond": "越级上访件数",
    "petitions_per_10k": "每万人每年信访件数",
    "petitions_answered": "按期办结的信访",
    "petitions_expired": "逾期未办结的信访",
    "petitions_open": "待办信访",
    "petition_hours": "信访与维稳工时",
    "response_weeks": "平均办结周数",
    "backlog": "未办结事项",
    "escalations": "居民上访与上报",
    "bounces": "转错部门的次数",
    "unregistered_share": "未登记居民比例",
    "workload": "工作负荷（所需工时 / 合同工时）",
    "admin_share": "用于行政与填报的工时比例",
    "target_share": "用于指标任务的工时比例",
    "overtime": "人均加班",
    "burnout": "工作人员平均倦怠",
    "departures": "工作人员离职",
    "staff": "在岗工作人员",
    "hours_available": "可用工时（合同 + 加班上限）",
    "hours_admin": "行政、填报与报告工时",
    "hours_targets": "指标任务工时",
    "hours_cases": "办理事项工时",
    "hours_idle": "未用工时",
    "org_hours": "社会组织、志愿者等办理事项的工时",
    "target_bottom": "层层加码后到达社区的指标",
    "target_true": "指标真实完成率",
    "target_reported": "指标上报完成率",
    "target_gap": "上报与实际完成率之差",
    "target_caught": "被查出虚报的社区数",
    "farmer_income": "农民平均收入",
    "planted_true": "真实种植指定作物的耕地比例",
    "planted_reported": "上报种植指定作物的耕地比例",
    "planted_gap": "上报与实际种植比例之差",
    "planted_caught": "被查出虚报面积的村数",
    "villages_adapting": "因地制宜变通执行的村数",
    "mandate_sanctions": "因变通执行被问责的村数",
    "staff_skill": "工作人员平均能力",
    "money_spent": "已支出的服务经费",
    "money_lapsed": "年底作废的服务经费",
    "money_lapsed_unmet": "有事项等钱时作废的经费",
    "cases_waiting_money": "因缺钱搁置的事项",
    "subsidy_eligible": "符合补贴条件的居民",
    "subsidy_takeup": "符合条件者的补贴领取率",
    "recurrences": "复发的纠纷",
    "incidents": "群体性事件",
    "participants": "参与决策的居民",
    "registrations": "完成登记的流动人口",
    "arrivals": "新到的流动人口",
    "need_multiplier": "需求相对常态的倍数",
    "procurement_spent": "购买服务支出",
    "active_organisations": "活跃的社会组织",
}

#: Resident groups as reported in tables and figures.
GROUPS: dict[str, tuple[str, str]] = {
    "elderly": ("elderly", "老年人"),
    "working_age": ("working age", "劳动年龄人口"),
    "child": ("children", "儿童"),
    "disabled": ("disabled", "残疾人"),
    "low_income": ("low income", "低收入户"),
    "migrant": ("migrants", "流动人口"),
    "farmer": ("farmers", "农民"),
}

#: Units in Chinese, as shown on axes and beside numbers (in English a unit is shown as
#: declared).
UNITS: dict[str, str] = {
    "share": "比例",
    "score": "分值",
    "score 0-1": "分值 0-1",
    "ratio": "比值",
    "cases": "件",
    "cases/week": "件/周",
    "needs": "件",
    "petitions": "件",
    "petitions/week": "件/周",
    "petitions/10k/year": "件/万人/年",
    "communities/week": "个/周",
    "villages/week": "个/周",
    "villages": "个",
    "hours": "小时",
    "hours/week": "小时/周",
    "weeks": "周",
    "week": "周",
    "yuan": "元",
    "yuan/week": "元/周",
    "yuan/year": "元/年",
    "staff": "人",
    "staff/week": "人/周",
    "staff/10k residents": "人/万居民",
    "residents": "人",
    "levels": "级",
    "count": "个",
    "systems": "个系统",
    "1/week": "每周",
    "1/year": "每年",
    "×": "倍",
    "%": "%",
    "incidents/week": "起/周",
    "organisations": "个组织",
    "residents/week": "人/周",
    "yuan/resident/year": "元/人/年",
    "residents/10k residents/week": "人/万居民/周",
    "hours/step": "小时/步",
    "steps": "步",
    "yuan/hour": "元/小时",
    "score/week": "分值/周",
}

#: Short labels of parameters offered as levers, by the path ``govsim params``
#: lists (``policies.<type>.<name>`` for a policy's). Parameters without an
#: entry are labelled with their declared description.
PARAMS: dict[str, tuple[str, str]] = {
    "staff.per_10k_urban": ("Urban community workers", "城市社区工作者"),
    "staff.per_10k_rural": ("Village cadres", "村干部"),
    "staff.priority": ("Priority after compulsory admin", "必办行政事务之后先做"),
    "departments.reporting_hours": ("Reports and inspections", "报表与检查"),
    "departments.extra_systems": ("Extra data systems", "额外的数据系统"),
    "behaviour.online_available": ("An online channel exists", "开通线上渠道"),
    "budget.service_funds_per_capita_urban": ("Urban service money per resident", "城市社区人均服务经费"),
    "budget.service_funds_per_capita_rural": ("Village service money per resident", "村级人均服务经费"),
    "policies.target_inflation.margin": ("Raise added at each level", "每级加码幅度"),
    "policies.target_inflation.top_target": ("Target set at the top", "上级设定的指标"),
    "policies.target_inflation.levels": ("Hand-down levels", "下达层级"),
    "policies.target_inflation.pressure": ("Enforcement pressure", "考核压力"),
    "policies.crop_mandate.suitability_mean": ("Land suitability for the crop", "土地适宜度"),
    "policies.crop_mandate.enforce": ("Forcing farmers who refuse", "强推不愿改种的农户"),
    "policies.crop_mandate.tolerance": ("Share of the target accepted from a village that adapts",
                                        "上级对因地制宜变通的村可接受的指标比例"),
    "policies.crop_mandate.inspection": ("Yearly chance the county inspects a village",
                                         "县里每年检查某村的概率"),
    "policies.crop_mandate.distortion_sanction": ("Weight of a sanction for distortion",
                                                  "政策走样问责的分量"),
    "policies.crop_mandate.target_share": ("Farmland ordered into the crop", "要求改种的耕地"),
    "policies.budget_earmarking.flexible_share": ("Flexible (not earmarked) money", "可统筹（非专款）经费"),
    "hierarchy.rural_township_share": ("Share of rural townships", "农村乡镇比例"),
    "hierarchy.townships": ("Townships and streets", "乡镇与街道数"),
    "hierarchy.residents_per_community": ("Residents per community", "每个社区的居民"),
    "hierarchy.residents_per_village": ("Residents per village", "每个村的居民"),
    "hierarchy.township_capacity_per_10k": ("Township hours for referred cases", "乡镇处理上报事项的工时"),
    "population.residents": ("Residents", "居民人数"),
    "population.urban_share": ("Share living in urban communities", "城镇社区居民比例"),
    "needs.dispute.rate_working_age": ("Disputes per working-age resident a year", "劳动年龄居民年均纠纷数"),
    "policies.burden_reduction.data_entry_cut": ("Data entry saved", "数据录入减少"),
    "policies.burden_reduction.reporting_cap": ("Cap on reporting hours", "报表时长上限"),
    "policies.burden_reduction.task_cut": ("Pushed-down tasks cut", "下派任务削减"),
    "policies.data_integration.entry_saving": ("Entry hours saved per merged system", "合并系统节省的录入"),
    "policies.data_integration.merged_share": ("Systems merged into one platform", "并入统一平台的系统"),
    "policies.data_integration.rollout_hours": ("Rollout hours per week", "上线期每周投入"),
    "policies.data_integration.rollout_weeks": ("Rollout weeks", "上线周数"),
    "policies.data_silos.bounce_probability": ("Chance of being passed around", "被推诿的概率"),
    "policies.digital_channels.double_entry": ("Cases entered twice", "重复录入的案件"),
    "policies.digital_channels.mode": ("Channels", "办事渠道"),
    "policies.emergency.duration_weeks": ("Weeks to absorb the surge", "消化激增所需周数"),
    "policies.emergency.kind": ("Kind of emergency", "突发事件类型"),
    "policies.emergency.plans": ("Emergency plans", "应急预案"),
    "policies.emergency.scope": ("Share of communities hit", "受灾社区比例"),
    "policies.emergency.surge": ("Surge of needs", "需求激增倍数"),
    "policies.emergency.week": ("Week it strikes", "发生周"),
    "policies.grid_management.delay_cut": ("Weeks cut per ladder step", "每级上报缩短周数"),
    "policies.grid_management.empowerment": ("Matters settled in the grid", "网格内解决的事项"),
    "policies.grid_management.meeting_hours": ("Grid hearing hours", "网格议事时长"),
    "policies.mediation.agreement_holds": ("Agreements that hold", "调解协议履行率"),
    "policies.mediation.follow_up": ("Follow-up after mediation", "调解后回访"),
    "policies.mediation.online_mediation": ("Online mediation", "线上调解"),
    "policies.mediation.professional_mediators": ("Professional mediators' hours", "专职调解员工时"),
    "policies.migration.drive_rate": ("Registration drive", "登记专项行动"),
    "policies.migration.drive_start": ("Drive starts in week", "专项行动开始周"),
    "policies.migration.initially_unregistered": ("Migrants unregistered at first", "初始未登记的流动人口"),
    "policies.migration.registration_rate": ("Registration per week", "每周登记概率"),
    "policies.migration.turnover": ("Migrant turnover per week", "流动人口每周流转率"),
    "policies.migration.unregistered_share_new": ("Newcomers unregistered", "新来者未登记比例"),
    "policies.participation.alignment": ("Funding follows needs", "经费向需求倾斜"),
    "policies.participation.council": ("Deliberation council", "议事会"),
    "policies.participation.micro_renewal_yuan": ("Micro-renewal money", "微更新经费"),
    "policies.participation.online_voting": ("Online voting", "线上投票"),
    "policies.participation.participation_rate": ("Residents taking part", "参与居民比例"),
    "policies.procedures.eligible": ("Who is eligible", "补贴对象"),
    "policies.procedures.hours_per_step": ("Staff hours per step", "每个环节的工时"),
    "policies.procurement.budget_per_capita": ("Money for buying services per resident", "人均购买服务经费"),
    "policies.procurement.incubation": ("Incubating organisations", "社会组织孵化"),
    "policies.procurement.price_per_hour": ("Price per hour", "每小时价格"),
    "policies.staffing.add_per_10k_rural": ("Village cadres added", "增加的村干部"),
    "policies.staffing.add_per_10k_urban": ("Community workers added", "增加的社区工作者"),
    "policies.training.hours_per_worker": ("Training hours per worker", "人均培训时长"),
    "policies.training.skill_cap": ("Highest skill from training", "培训可达最高技能"),
    "policies.training.skill_gain": ("Skill gained per week", "每周技能提升"),
    "policies.transparency.mediation_fairness": ("Fair mediation", "调解公平"),
    "policies.transparency.opaque_spending": ("Spending not disclosed", "经费不公开"),
    "policies.transparency.open_decisions": ("Decisions published", "决策公开"),
    "policies.digital_channels.proxy": ("Staff file for those who cannot", "工作人员代办"),
    "policies.digital_channels.breach": ("A data leak becomes known", "发生个人信息泄露"),
    "policies.digital_channels.elder_mode": ("Elder mode of the app", "App 适老化模式"),
    "policies.digital_channels.volunteer_reach": ("Volunteers teaching digital skills", "志愿者教数字技能"),
    "policies.procedures.steps": ("Steps of the procedure", "办事程序的步骤"),
    "policies.participation.tokenism": ("Participation for show only", "参与只是走过场"),
    "policies.emergency.reserves": ("Emergency stocks", "应急物资储备"),
    "policies.emergency.teams": ("Trained emergency teams", "专业应急队伍"),
    "policies.emergency.drills": ("Drills with residents", "居民应急演练"),
    "policies.mediation.amplify_share": ("Chance an unresolved dispute goes online",
                                         "未化解纠纷被发到网上的概率"),
}

#: The values of choice levers as a class reads them, by value (resident groups use :data:`GROUPS`).
CHOICES: dict[str, tuple[str, str]] = {
    "service_first": ("residents' cases first", "先办居民事项"),
    "target_first": ("targets first", "先完成指标"),
    "online_only": ("online only", "只走线上"),
    "online_plus_offline": ("online and offline windows", "线上加线下窗口"),
    "flood": ("flood", "洪水"),
    "epidemic": ("epidemic", "疫情"),
    "accident": ("accident", "事故"),
}

#: Everything else, by key: figure text, then the teaching page. ``{name}``
#: placeholders are filled by :func:`text`.
TEXT: dict[str, tuple[str, str]] = {
    # figures
    "plot.overall": ("overall", "总体"),
    "plot.week": ("week", "周"),
    "plot.rolling": ("{label}, {weeks}-week rolling", "{label}（{weeks} 周滚动）"),
    "plot.by_group": ("{label} by group", "{label}（按群体）"),
    "plot.workload": ("Staff workload: hours demanded / contract hours", "工作负荷：所需工时 / 合同工时"),
    "plot.communities": ("communities", "各社区"),
    "plot.capacity": ("capacity (1.0)", "满负荷 (1.0)"),
    "plot.hours": ("Staff hours by use", "工作人员工时的去向"),
    "plot.hours_admin": ("admin, data entry, reports", "行政、填报、报告"),
    "plot.hours_targets": ("targets", "指标任务"),
    "plot.hours_cases": ("cases", "办理事项"),
    "plot.hours_idle": ("unused", "未用"),
    "plot.targets": ("Target attainment: true vs reported", "指标完成率：真实与上报"),
    "plot.true": ("true", "真实"),
    "plot.reported": ("reported", "上报"),
    "plot.gap": ("gap", "差距"),
    "plot.money": ("Service money spent and lapsed", "服务经费：支出与作废"),
    "plot.spent": ("spent", "支出"),
    "plot.lapsed": ("lapsed at year end", "年底作废"),
    "plot.empty": ("No plottable metrics in this run", "本次运行没有可绘制的指标"),
    # the teaching page
    "teach.title": ("govsim classroom: a community, live", "govsim 课堂：看得见的基层治理"),
    "teach.lesson": ("Lesson", "课程"),
    "teach.language": ("Language", "语言"),
    "teach.story": ("The story", "故事"),
    "teach.levers_hint": ("Move a lever, then press Restart to start again with it.",
                          "调整参数后，按“重新开始”以新设置从头运行。"),
    "teach.levers": ("Levers", "政策参数"),
    "teach.run": ("Run", "运行"),
    "teach.step": ("Step", "单步"),
    "teach.play": ("▶ Play", "▶ 播放"),
    "teach.pause": ("❚❚ Pause", "❚❚ 暂停"),
    "teach.reset": ("Restart", "重新开始"),
    "teach.pending": ("Changed: press Restart to apply.", "参数已改：按“重新开始”生效。"),
    "teach.on": ("yes", "是"),
    "teach.off": ("no", "否"),
    "teach.lang_en": ("English", "英文"),
    "teach.lang_zh": ("中文", "中文"),
    "teach.message": ("{measure} so far: {first} {a}, {second} {b} (difference {diff})",
                      "{measure}（到目前为止）：{first} {a}，{second} {b}（差值 {diff}）"),
    "teach.teacher": ("Teacher's dashboard", "教师面板"),
    "teach.restart_all": ("Restart every student", "全体重新开始"),
    "teach.broadcast": ("Send this lesson to everyone", "把这一课发给全体学生"),
    "teach.student": ("student", "学生"),
    "teach.week_short": ("week", "周"),
    "teach.no_students": ("No student has opened the page yet.", "还没有学生打开页面。"),
    "teach.week": ("Week {week} of {steps}", "第 {week} 周（共 {steps} 周）"),
    "teach.policy": ("with policy", "有政策"),
    "teach.baseline": ("baseline (no policy)", "基线（无政策）"),
    "teach.settings": ("your settings", "你的设置"),
    "teach.as_written": ("scenario as written", "原始情景"),
    "teach.view": ("Baseline and policy", "基线与政策"),
    "teach.overlay": ("overlaid", "叠加"),
    "teach.side": ("side by side", "并排"),
    "teach.map": ("Map of the communities", "社区地图"),
    "teach.map_colour": ("Colour the map by", "地图颜色表示"),
    "teach.map_trust": ("trust", "信任"),
    "teach.map_coverage": ("coverage, last {weeks} weeks", "覆盖率（最近 {weeks} 周）"),
    "teach.numbers": ("The numbers so far", "到目前为止的数字"),
    "teach.measure": ("measure", "指标"),
    "teach.difference": ("difference", "差值"),
    "teach.hours": ("Staff hours: service, administration, targets", "工时去向：服务、行政、指标"),
    "teach.hours_service": ("service (cases)", "服务（办理事项）"),
    "teach.hours_admin": ("administration", "行政事务"),
    "teach.hours_targets": ("targets", "指标任务"),
    "teach.hours_idle": ("unused", "未用"),
    "teach.no_data": ("No weeks yet: press Step or ▶.", "还没有数据：请按“单步”或 ▶。"),
    "teach.export": ("Export scenario", "导出情景"),
    "teach.export_help": ("Writes the current settings as a scenario file; `govsim run FILE` "
                          "reproduces this page's numbers.",
                          "把当前设置写成情景文件；`govsim run 文件` 可复现本页的数字。"),
    "teach.exported": ("Written: {path}", "已写入：{path}"),
    "teach.download": ("Download the scenario file", "下载情景文件"),
    "teach.broken": ("Lesson {name} could not be loaded: {reason}", "课程 {name} 无法载入：{reason}"),
    "teach.no_story": ("(No Chinese text for this lesson yet; the English story follows.)",
                       "（本课的中文说明尚未写好，以下为英文原文。）"),
    # the printable lesson sheet (govsim teach --sheet)
    "sheet.kind": ("Lesson sheet", "学习单"),
    "sheet.page_title": ("Lesson sheet: {title}", "学习单：{title}"),
    "sheet.name": ("Name:", "姓名："),
    "sheet.date": ("Date:", "日期："),
    "sheet.question": ("The question", "问题"),
    "sheet.try": ("What to try", "试一试"),
    "sheet.look": ("What to look for", "看什么"),
    "sheet.discuss": ("Discuss", "讨论"),
    "sheet.notes": ("What I saw", "我看到了什么"),
    "sheet.run": ("Run it", "运行方法"),
    "sheet.run_cli": ("From the command line: ", "在命令行运行："),
    "sheet.run_page": ("On the teaching page: ", "在课堂页面中打开："),
    "sheet.print": ("Print this page (A4).", "打印本页（纸张大小选择 A4）。"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    """The Chinese of an (English, Chinese) pair when asked for and there is one, else the English."""
    en, zh = pair
    return zh if lang == "zh" and zh else en


def text(key: str, lang: str = "en", **fields: object) -> str:
    """The text ``key`` in ``lang`` with ``{fields}`` filled in; English when there is no Chinese.

    Raises:
        KeyError: ``key`` is not in :data:`TEXT` (a typo in code, not a user error).
    """
    chosen = _pick(TEXT[key], lang)
    return chosen.format(**fields) if fields else chosen


def metric_label(name: str, lang: str = "en") -> str:
    """The label of a metric; its name when :data:`METRICS` does not know it."""
    if lang == "zh" and name in METRIC_ZH:
        return METRIC_ZH[name]
    metric = METRICS.get(name)
    return metric.label if metric else name


def group_label(key: str, lang: str = "en") -> str:
    """A resident group's name, e.g. ``working_age`` -> "working age" / "劳动年龄人口"."""
    return _pick(GROUPS.get(key, (key.replace("_", " "), "")), lang)


def unit_label(unit: str, lang: str = "en") -> str:
    """A unit as shown to readers; unknown units pass through unchanged."""
    return _pick((unit, UNITS.get(unit, "")), lang)


_PLACE = {"street": "街道", "township": "乡镇", "community": "社区", "village": "村"}


def param_label(key: str, lang: str = "en", default: str = "") -> str:
    """A parameter's short label by its ``govsim params`` path; ``default`` when it has none."""
    return _pick(PARAMS.get(key, (default or key, "")), lang)


def choice_label(value: str, lang: str = "en") -> str:
    """A choice lever's value as a class reads it (``target_first`` -> "targets first" / "先完成指标")."""
    if value in GROUPS:
        return group_label(value, lang)
    return _pick(CHOICES.get(value, (value.replace("_", " "), "")), lang)


def community_label(name: str, lang: str = "en") -> str:
    """A community's name, e.g. ``township2/village1`` -> "乡镇2/村1"."""
    if lang != "zh":
        return name
    return re.sub(r"[a-z]+", lambda m: _PLACE.get(m.group(0), m.group(0)), name)


def missing_chinese() -> list[str]:
    """Keys of every table entry with English but no Chinese (empty when complete)."""
    holes = [f"metric:{name}" for name in METRICS if not METRIC_ZH.get(name)]
    holes += sorted({f"unit:{metric.unit}" for metric in METRICS.values() if not UNITS.get(metric.unit)})
    for table, prefix in ((GROUPS, "group"), (PARAMS, "param"), (CHOICES, "choice"), (TEXT, "text")):
        holes += [f"{prefix}:{key}" for key, (_, zh) in table.items() if not zh]
    return holes
