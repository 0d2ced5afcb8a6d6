"""Every word of the HTML report, in English and Chinese: the catalogue the template reads.

Entries are (English, Chinese) pairs with ``{name}`` placeholders, kept here
rather than in :mod:`govsim.i18n` (the shared tables of metric, unit, group and
parameter names, which the report also reads) so that the report's sentences
live next to the template that shows them. :class:`Words` is what the
template and :mod:`govsim.study.report` call: it picks the language, escapes
the fields it fills in (the result is safe HTML) and formats numbers and units.
"""

from __future__ import annotations

import math
import re
from typing import Any

from markupsafe import Markup, escape

from govsim import i18n
from govsim.study import significance

#: Factors of the shipped experiments whose paths :data:`govsim.i18n.PARAMS` does not list.
FACTORS: dict[str, tuple[str, str]] = {
    "policies.0.audit_probability": ("Yearly audit chance", "每年被检查的概率"),
    "policies.0.lines.repair": ("Weight of the repair line", "维修专项的权重"),
    "staff.contract_hours": ("Weekly contract hours", "每周合同工时"),
    "staff.post_overhead_hours": ("Hours lost to holding several posts", "身兼数职损耗的工时"),
    "departments.civil_affairs.task_hours": ("Civil affairs tasks pushed down", "民政下派任务工时"),
    "departments.health.data_entry_hours": ("Health data entry", "卫健数据录入工时"),
    "behaviour.online_hours_factor": ("Hours an online case takes (share of offline)", "线上事项所需工时"
                                                                                       "（占线下比例）"),
    "behaviour.escalation_report_hours": ("Hours to report an escalated case", "上报一件事项的工时"),
}

#: Sensitivity index names.
INDICES: dict[str, tuple[str, str]] = {
    "S1": ("S1 (first order)", "S1（一阶）"), "ST": ("ST (total)", "ST（总效应）"),
    "S2": ("S2 (second order)", "S2（二阶）"), "mu_star": ("μ*", "μ*"), "sigma": ("σ", "σ"),
    "mu": ("μ", "μ"),
}
#: Convergence flags written by :func:`govsim.study.sensitivity.with_flags`.
FLAGS: dict[str, tuple[str, str]] = {
    "outside [0, 1]": ("outside [0, 1]", "超出 [0, 1]"),
    "ST < S1": ("ST < S1", "ST < S1"),
    "wide": ("wide interval", "区间过宽"),
    "unresolved": ("unresolved", "未分辨"),
}

#: Units the shared table (:data:`govsim.i18n.UNITS`) lacks, as a whole-run sum shows them.
UNITS_ZH: dict[str, str] = {"communities": "个社区", "incidents": "起", "petitions/10k/year": "件/万人/年"}

CI_EN, CI_ZH = "95% simultaneous CI", "95% 联合置信区间"

CATALOGUE: dict[str, tuple[str, str]] = {
    # page
    "page.title": ("govsim report: {name}", "govsim 报告：{name}"),
    "page.contents": ("Contents", "目录"),
    "page.question": ("The question", "研究问题"),
    "page.original": ("(as the experiment's author wrote it; no translation given)",
                      "（实验作者原文，未提供译文）"),
    "header.per_arm": ("arm", "方案"),
    "header.per_point": ("design point", "设计点"),
    "header.posterior": (" and parameter draws from the posterior {file} ({particles} particles)",
                         "，参数取自后验样本 {file}（{particles} 个粒子）"),
    "header.runs": ("{runs} runs, {reps} replications per {unit}, sharing seeds (common random "
                    "numbers{draws}). Report written {when} by {govsim}.",
                    "共 {runs} 次运行，每个{unit}重复 {reps} 次，各{unit}共用随机种子（公共随机数{draws}）。"
                    "本报告由 {govsim} 于 {when} 生成。"),
    "header.when": ("%Y-%m-%d %H:%M UTC", "%Y年%m月%d日 %H:%M（协调世界时）"),
    # arms and design
    "arms.title": ("The arms", "比较的方案"),
    "arms.baseline_mark": ("(baseline)", "（基线）"),
    "arms.no_overrides": ("none", "无"),
    "arms.arm": ("arm", "方案"),
    "arms.scenario": ("scenario", "情景"),
    "arms.file": ("file", "文件"),
    "arms.overrides": ("overrides", "参数改动"),
    "arms.hash": ("scenario hash", "情景哈希"),
    "design.title": ("The design", "实验设计"),
    "design.range": ("{low} to {high}", "{low} 至 {high}"),
    "design.summary": ("{design}, {points} points, base scenario {base}.",
                       "{design}，共 {points} 个设计点，基础情景 {base}。"),
    "design.kind.grid": ("Full grid", "全因子网格设计"),
    "design.kind.lhs": ("Latin hypercube sample", "拉丁超立方抽样"),
    "design.kind.sobol": ("Saltelli sample for Sobol' indices", "用于索博尔指数的萨尔特利抽样"),
    "design.kind.morris": ("Morris trajectories", "莫里斯轨迹抽样"),
    "design.reference": ("Reference point (named in the spec): {point}. Every other point is compared "
                         "with it.", "参照点（实验设定中指定）：{point}。其余各点均与之比较。"),
    "design.no_reference": ("The spec names no reference point, so no point is singled out as the "
                            "baseline: the response curves show every point. Add 'reference:' to the "
                            "spec to compare every point with one.",
                            "实验设定未指定参照点，因此不把任何一点当作基线，响应曲线展示全部设计点。"
                            "如需与某一点比较，请在实验设定中加入参照点。"),
    "design.reference_missing": ("The reference point is not a point of this design.",
                                 "参照点不是本设计中的点。"),
    "design.factor": ("factor", "因素"),
    "design.path": ("parameter", "参数"),
    "design.values": ("values", "取值"),
    # headline
    "headline.title": ("Headline", "要点"),
    "headline.arms": ("arms", "个方案"),
    "headline.points": ("design points", "个设计点"),
    "headline.multiplicity": ("{n} comparisons ({m} metrics × {k} {what}). So that all of them hold "
                              "together, the headline and the verdicts use Bonferroni-adjusted "
                              "intervals, each at level {level} (95% for the whole family).",
                              "共 {n} 项比较（{m} 个指标 × {k} {what}）。为使所有比较同时成立，要点与结论"
                              "均采用邦费罗尼校正后的区间，每个区间的置信水平为 {level}（整体为 95%）。"),
    "headline.nothing": ("Against the baseline {baseline}, {arm} changes no metric by enough to matter: "
                         "every interval lies within its threshold or is missing.",
                         "与基线 {baseline} 相比，{arm} 没有使任何指标发生足以重要的变化：所有区间都在阈"
                         "值之内，"
                         "或无法计算。"),
    "headline.tally": ("Of {n} metrics — matter: {matters}; may matter: {may}; too small to matter: "
                       "{small}.", "{n} 个指标中：{matters} 个重要，{may} 个可能重要，{small} 个变化太小"
                                  "、不重要。"),
    "sentence.change": ("Against the baseline {baseline}, {arm} {verb} {metric} by {amount} (" + CI_EN
                        + " {low} to {high})",
                        "与基线 {baseline} 相比，{arm} 使“{metric}”{verb} {amount}（" + CI_ZH
                        + " {low} 至 {high}）"),
    "sentence.raises": ("raises", "提高"),
    "sentence.lowers": ("lowers", "降低"),
    "sentence.unclear": ("Against the baseline {baseline}, {arm} changes {metric} by {amount} (" + CI_EN
                         + " {low} to {high}), an interval that includes no change",
                         "与基线 {baseline} 相比，{arm} 使“{metric}”变化 {amount}（" + CI_ZH
                         + " {low} 至 {high}），区间包含零，方向不明"),
    "sentence.matters": ("that is larger than the {limit} change this report treats as mattering",
                         "超过本报告视为重要的 {limit} 变化"),
    "sentence.may_matter": ("the interval straddles the {limit} change this report treats as mattering, "
                            "so it may matter", "区间跨越本报告视为重要的 {limit} 变化，可能重要"),
    "sentence.too_small": ("the whole interval is within the {limit} change this report treats as "
                           "mattering: too small to matter",
                           "整个区间都小于本报告视为重要的 {limit} 变化：变化太小，不重要"),
    "sentence.no_interval": ("too few replications for an interval", "重复次数太少，无法计算区间"),
    "sentence.better": (", and it is better", "，属于改善"),
    "sentence.worse": (", and it is worse", "，属于变差"),
    "sentence.volume": (". It is a count that moves with the number of cases, so it is not judged by "
                        "itself: read it with {rate}", "。这是随事项数量变化的计数，不单独评判好坏，"
                        "请结合“{rate}”来读"),
    "sentence.end": (".", "。"),
    # effects
    "effects.title": ("Effects", "效果"),
    "effects.none": ("No finished runs yet.", "尚无完成的运行。"),
    "effects.metric": ("metric", "指标"),
    "effects.threshold": ("matters from", "重要性阈值"),
    "effects.baseline_mean": ("baseline mean", "基线均值"),
    "effects.vs_baseline": ("difference from the baseline", "与基线之差"),
    "effects.volume_note": ("count: moves with volume; judged by {rate}",
                            "计数：随事项量变化，以“{rate}”评判"),
    "effects.volume_moved": ("{volume}: {change}%", "{volume}：{change}%"),
    "effects.each": ("95% each: [{low}, {high}]", "单项 95%：[{low}, {high}]"),
    "effects.note": ("Each cell: the mean of paired differences (same seed) over {n} replications, "
                     "with its Bonferroni-adjusted interval (level {level}, {count} comparisons) in "
                     "brackets, the verdict on that interval, and in grey the unadjusted 95% interval. "
                     "Shares are in percent, their differences in percentage points.",
                     "每格：{n} 次重复（同一种子）配对差值的均值，方括号内为邦费罗尼校正区间"
                     "（置信水平 {level}，{count} 项比较），其下为据此区间作出的结论，灰色为未校正的单项"
                     " 95% 区间。"
                     "比例以百分数表示，其差值以百分点表示。"),
    "effects.intervals_noise": ("The intervals include stochastic noise only: the model's parameters are "
                                "fixed.", "区间只包含随机波动：模型参数固定不变。"),
    "effects.intervals_posterior": ("The intervals include parameter uncertainty from the posterior as "
                                    "well as stochastic noise.", "区间同时包含后验样本的参数不确定性与随"
                                                                 "机波动。"),
    "verdict.matters": ("matters", "重要"),
    "verdict.may matter": ("may matter", "可能重要"),
    "verdict.too small to matter": ("too small to matter", "太小，不重要"),
    "verdict.n/a": ("no interval", "无区间"),
    "judged.better": ("better", "更好"),
    "judged.worse": ("worse", "更差"),
    "judged.neutral": ("not judged", "不评判"),
    "judged.unclear": ("no clear change", "无明确变化"),
    # time series, groups
    "time.title": ("Over time", "随时间变化"),
    "time.note": ("Weekly mean over replications; the band is its 95% interval.",
                  "各次重复的周均值；阴影为其 95% 置信区间。"),
    "groups.title": ("Who gains, who loses", "谁得益，谁受损"),
    "groups.group": ("group", "群体"),
    "groups.arm": ("{arm} against {baseline}", "{arm} 与 {baseline} 相比"),
    "groups.note": ("Difference from the baseline for each resident group, with its unadjusted 95% "
                    "interval (exploratory: not adjusted for the many groups). Green where the group is "
                    "clearly better off, red where clearly worse off; counts that move with volume are "
                    "never coloured.",
                    "各居民群体与基线之差及其未校正的 95% 区间（探索性结果，未对多个群体作校正）。"
                    "绿色表示该群体明显改善，红色表示明显变差；随事项量变化的计数不着色。"),
    # designs over factors
    "response.title": ("Response to the factors", "对各因素的响应"),
    "response.grid_note": ("Each line is a metric's whole-run value against a factor: the mean over {n} "
                           "replications at each point, with its 95% interval as a band; with two "
                           "factors, one line per value of the second.",
                           "每条线为指标的全程值随因素的变化：各点为 {n} 次重复的均值，阴影为 95% 区间；"
                           "有两个因素时，第二个因素的每个取值画一条线。"),
    "response.sampled_note": ("Each dot is a design point (mean over its replications); the line is a "
                              "kernel smoother over the dots, averaging over the other factors.",
                              "每个点为一个设计点（各次重复的均值）；曲线为核平滑，对其他因素取平均。"),
    # sensitivity
    "sensitivity.title": ("Sensitivity", "敏感性分析"),
    "sensitivity.metric": ("metric", "指标"),
    "sensitivity.factor": ("factor", "因素"),
    "sensitivity.flag": ("convergence flag", "收敛警示"),
    "sensitivity.suggested": ("suggested sample size", "建议样本量"),
    "sensitivity.note": ("Each index ± the half-width of its bootstrap 95% interval.",
                         "各指数 ± 其自助法 95% 区间的半宽。"),
    "sensitivity.size": ("{n} for {metric}", "“{metric}”{n}"),
    "sensitivity.warning": ("Not converged. Flagged indices are outside [0, 1] beyond their interval, have "
                            "a total index below the first-order one beyond both intervals, have a "
                            "half-width above {wide} (wide), or (Morris) a μ* interval wider than μ* "
                            "(unresolved). Suggested sample size (the spec's samples): {sizes}.",
                            "尚未收敛。被标记的指数或超出 [0, 1] 且超过其区间，或总效应指数低于一阶指数"
                            "且超过两者的区间，"
                            "或区间半宽大于 {wide}（过宽），或（莫里斯法）μ* 的区间宽于 μ*（未分辨）。"
                            "建议样本量（实验设定中的样本数）：{sizes}。"),
    # calibration
    "calibration.title": ("Calibration", "校准"),
    "calibration.parameter": ("parameter", "参数"),
    "calibration.prior": ("prior range", "先验范围"),
    "calibration.mean": ("posterior mean", "后验均值"),
    "calibration.median": ("posterior median", "后验中位数"),
    "calibration.ci95": ("95% credible interval", "95% 可信区间"),
    "calibration.share": ("90% interval, share of the prior", "90% 区间占先验范围的比例"),
    "calibration.abc": ("ABC-SMC: {generations} generations, {simulations} simulations, {particles} "
                        "particles; final epsilon {epsilon} (minimum asked: {minimum}).",
                        "近似贝叶斯计算（序贯蒙特卡洛）：{generations} 代，{simulations} 次模拟，"
                        "{particles} 个粒子；"
                        "最终容差 {epsilon}（要求的最小值：{minimum}）。"),
    "calibration.budget": ("Stopped at a budget before epsilon reached its minimum: the posterior is wider "
                           "than it would be at the minimum epsilon.",
                           "在容差达到最小值之前因预算用尽而停止：后验分布比达到最小容差时更宽。"),
    "calibration.target": ("target metric", "目标指标"),
    "calibration.value": ("target value", "目标值"),
    "calibration.tolerance": ("tolerance", "容许误差"),
    "calibration.scenario": ("Calibrated scenario ({file}):", "校准后的情景（{file}）："),
    "calibration.column": ("{name}", "{name}"),
    # how to read
    "read.title": ("How to read this report", "如何阅读本报告"),
    "read.headline": ("Each arm's headline names the effects that matter most. An effect is the mean of "
                      "paired differences, arm minus baseline, over replications that share seeds (the "
                      "same residents raise the same needs in every arm). It matters when its whole "
                      "interval lies beyond the metric's practical-significance threshold, is too small to "
                      "matter when its whole interval lies within it, and may matter when the interval "
                      "straddles it.",
                      "每个方案的要点列出最重要的效果。效果是各次重复（共用随机种子，同样的居民在每个方"
                      "案中提出同样的需求）"
                      "中方案减基线的配对差值的均值。整个区间都超出该指标的实际重要性阈值时为“重要”，"
                      "整个区间都在阈值之内时为“太小，不重要”，区间跨越阈值时为“可能重要”。"),
    "read.multiplicity": ("Many comparisons: with M metrics in K arms the report makes N = M × K "
                          "comparisons, and at 95% each about one interval in twenty would miss by chance. "
                          "The headline, the verdicts and the colours therefore use Bonferroni-adjusted "
                          "intervals, each at level 1 − 0.05/N, so that all N cover their true effects "
                          "together with at least 95% probability (simultaneous intervals). Bonferroni "
                          "rather than Holm: Holm's procedure adjusts tests and has no matching intervals, "
                          "while every verdict here is read off an interval. Bonferroni is conservative "
                          "when metrics move together, which errs towards \"may matter\". The unadjusted "
                          "95% interval of each comparison is shown beneath it in grey. Group tables are "
                          "exploratory and unadjusted.",
                          "多重比较：M 个指标、K 个方案共 N = M × K 项比较，若每项都用 95% 区间，约每二"
                          "十个区间就有一个"
                          "会因偶然而偏离。因此要点、结论和颜色都采用邦费罗尼校正区间，每个区间的置信水"
                          "平为 1 − 0.05/N，"
                          "使全部 N 个区间同时覆盖真实效果的概率不低于 95%（联合区间）。选用邦费罗尼而非"
                          "霍尔姆："
                          "霍尔姆法只校正检验，没有对应的区间，而本报告的每个结论都依据区间作出。指标之"
                          "间相关时，"
                          "邦费罗尼法偏保守，宁可判为“可能重要”。每项比较未校正的单项 95% 区间以灰色列在"
                          "其下。"
                          "分群体的表格为探索性结果，未作校正。"),
    "read.volume": ("Volume and rate: some measures are counts or loads that move with the number of cases "
                    "(fewer cases abandoned because fewer were filed; lower workload because residents "
                    "shut out never came). They are shown in grey next to a rate per case or per "
                    "resident and are never marked better or worse: only the rate is judged. The pairs:",
                    "数量与比率：有些指标是随事项数量变化的计数或负荷（因为提交的事项少了，放弃的也少了；"
                    "因为被拒之门外的居民没有来，工作负荷也低了）。它们以灰色显示，旁边列出按事项或按居"
                    "民计的比率，"
                    "本身从不标为更好或更差，只评判比率。对应关系如下："),
    "read.count": ("count", "计数"),
    "read.rate": ("read with", "对应的比率"),
    "read.thresholds": ("Practical-significance thresholds, in each metric's whole-run unit (shares in "
                        "percentage points), and why. A metric not listed uses {default}% of the "
                        "baseline mean.",
                        "实际重要性阈值（按各指标全程值的单位，比例以百分点计）及其理由。未列出的指标取"
                        "基线均值的 "
                        "{default}%。"),
    "read.reason": ("why", "理由"),
    "read.relative": ("{share}% of the baseline mean", "基线均值的 {share}%"),
    "read.relative_floor": ("{share}% of the baseline mean, at least {floor}",
                            "基线均值的 {share}%，至少 {floor}"),
    "read.colours": ("Green: better; red: worse, where the adjusted interval excludes zero and the metric "
                     "has a direction and is not a count that moves with volume. Grey: no direction, a "
                     "count that moves with volume, or no clear change.",
                     "绿色为更好，红色为更差：仅当校正区间不含零、指标有方向且不是随事项量变化的计数时才"
                     "着色。"
                     "灰色：无方向、随事项量变化的计数，或无明确变化。"),
    # manifest
    "manifest.title": ("Reproduce", "复现"),
    "manifest.summary": ("Manifest: versions, seeds, scenario hashes and the spec",
                         "清单：版本、随机种子、情景哈希与实验设定"),
    "manifest.intro": ("Every run is a pure function of its scenario (by hash) and seed.",
                       "每次运行完全由其情景（以哈希标识）与随机种子决定。"),
    "manifest.command": ("To rerun or extend:", "重新运行或扩展："),
    "manifest.failed": ("{n} runs failed:", "{n} 次运行失败："),
    "manifest.point": ("point", "设计点"),
    "manifest.hash": ("scenario hash", "情景哈希"),
    "manifest.spec": ("The spec", "实验设定"),
    "manifest.points": ("Design points", "设计点"),
    "manifest.k.git_commit": ("git commit", "代码提交"),
    "manifest.k.seed": ("master seed", "主随机种子"),
    "manifest.k.replications": ("replications", "重复次数"),
    "manifest.k.replication_seeds": ("replication seeds", "各次重复的种子"),
    "manifest.k.base_scenario": ("base scenario", "基础情景"),
    "manifest.k.base_scenario_hash": ("base scenario hash", "基础情景哈希"),
    "manifest.k.spec_source": ("spec file", "实验设定文件"),
    "manifest.k.updated_at": ("results updated", "结果更新时间"),
    "manifest.k.version": ("{name} version", "{name} 版本"),
    # units in sentences
    "unit.point": ("point", "个百分点"),
    "unit.points": ("points", "个百分点"),
}


class Words:
    """The catalogue in one language, with number and unit formatting."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._i = 1 if lang == "zh" else 0

    def has(self, key: str) -> bool:
        return key in CATALOGUE

    def __call__(self, key: str, **fields: Any) -> Markup:
        """Entry ``key`` with ``fields`` filled in (escaped unless already markup)."""
        template = Markup(escape(CATALOGUE[key][self._i]))
        return template.format(**fields) if fields else template

    def join(self, items: list[Any]) -> Any:
        sep = "、" if self.lang == "zh" else ", "
        if items and all(isinstance(i, Markup) for i in items):
            return Markup(sep).join(items)
        return sep.join(str(i) for i in items)

    # -- names --------------------------------------------------------------------------------

    def metric(self, name: str, *, in_sentence: bool = False) -> str:
        """A metric's label, or a derived rate's (:data:`govsim.study.significance.RATES`); in an
        English sentence with a lower-case first letter ("lowers service coverage")."""
        if name in significance.RATES:
            label = significance.RATES[name].label[self.lang]
        else:
            label = i18n.metric_label(name, self.lang)
        if in_sentence and self.lang == "en" and label[:2].istitle():
            label = label[0].lower() + label[1:]
        return label

    def group(self, key: str) -> str:
        return i18n.group_label(key, self.lang)

    def param(self, path: str, *, plain: bool = False) -> Any:
        """A factor's label; its path in ``<code>`` when no label in this language is known."""
        label = self._param(path)
        if plain:
            return label or path
        return Markup("{}").format(label) if label else Markup("<code>{}</code>").format(path)

    def _param(self, path: str) -> str:
        if path in FACTORS:
            return FACTORS[path][self._i]
        if path in i18n.PARAMS:
            return i18n.param_label(path, self.lang)
        match = re.fullmatch(r"policies\.\d+\.(.+)", path)
        if match:  # policies.0.margin: the policy's parameter, when one policy type declares it
            pattern = r"policies\.[a-z_]+\." + re.escape(match.group(1))
            keys = [k for k in i18n.PARAMS if re.fullmatch(pattern, k)]
            if len(keys) == 1:
                return i18n.param_label(keys[0], self.lang)
        return ""

    def index_name(self, name: str) -> str:
        pair = INDICES.get(name)
        return pair[self._i] if pair else name

    def flag(self, text: str) -> str:
        parts = [FLAGS[p][self._i] if p in FLAGS else p for p in str(text).split("; ") if p]
        return ("；" if self.lang == "zh" else "; ").join(parts)

    def column(self, name: str) -> Markup:
        return Markup("<code>{}</code>").format(name)

    # -- numbers ----------------------------------------------------------------------------------

    def unit_header(self, unit: str) -> str:
        """A unit as shown beside a metric's name: shares in percent."""
        if unit == "share":
            return "%"
        return self.unit(unit)

    def unit(self, unit: str) -> str:
        """A unit in this language."""
        if self.lang == "zh" and unit in UNITS_ZH:
            return UNITS_ZH[unit]
        return i18n.unit_label(unit, self.lang)

    def number(self, value: Any, unit: str, signed: bool = False) -> str:
        """A value in its display unit (shares as percent), "–" when missing."""
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return "–"
        v = 100 * float(value) if unit == "share" else float(value)
        sign = "+" if signed else ""
        if abs(v) >= 100:
            return f"{v:{sign},.0f}"
        return "0" if v == 0 else f"{v:{sign}.3g}"

    def amount(self, value: Any, unit: str, signed: bool = False) -> str:
        """A change with its unit in words: "1.2 points", "0.8 个百分点", "35 cases"."""
        text = self.number(value, unit, signed)
        if text == "–":
            return text
        if unit == "share":
            one = abs(100 * float(value)) == 1
            return f"{text} {self('unit.point' if one else 'unit.points')}" if self.lang == "en" else \
                f"{text} {self('unit.points')}"
        if unit in ("score 0-1", "ratio", "", "×"):
            return text
        word = self.unit(unit)
        if self.lang == "en" and text.lstrip("+-") == "1" and word.endswith("s") and "/" not in word:
            word = word[:-1]  # 1 case, 1 hour
        return f"{text} {word}"
