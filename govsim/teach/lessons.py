"""Lessons: the ready scenarios, each with its story, title and key levers.

Lessons are discovered at run time from ``scenarios/*.yaml``: each file opens
with a comment block telling its story, in English, then (after a line
``# zh: 标题``) the same story in Chinese, so both languages of a lesson live
in one place and are edited together. :data:`LESSONS` adds what a file
cannot hold: the order of lessons and the few parameters worth a slider;
every parameter a story tells the class to ``--set`` is a lever too. The table tolerates both kinds of gap: an
entry whose scenario does not exist is skipped, and a scenario with no entry
(or an entry without levers) still appears, with the settings its own file
makes as levers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

#: The folder of ready scenarios in a source checkout.
SCENARIOS = Path(__file__).resolve().parent.parent.parent / "scenarios"
#: Most levers generated from a scenario file when the table names none.
MAX_AUTO_LEVERS = 6
#: A story's instruction to change a parameter: ``--set policies.0.proxy=true``.
_SET = re.compile(r"--set\s+([A-Za-z_][\w.]*)=")
#: The line that opens a header's Chinese half (its title follows on the same line).
_ZH = "zh:"
#: Keys that are never levers: identity, structure of the file, a policy's window.
_NOT_LEVERS = {"name", "description", "seed", "steps", "extends", "type", "label", "start", "end"}


@dataclass(frozen=True)
class LeverSpec:
    """A parameter the page offers as a control.

    Attributes:
        path: Dotted path in the scenario, e.g. ``policies.0.margin``.
        low: Smallest value on the slider (default: the declared minimum).
        high: Largest value on the slider (default: the declared maximum).
    """

    path: str
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class LessonText:
    """What the lessons table adds to a scenario file."""

    title_zh: str
    story_zh: str = ""
    levers: tuple[LeverSpec, ...] = ()


@dataclass(frozen=True)
class Lesson:
    """One lesson: a scenario file, its story in both languages, its levers."""

    name: str
    path: Path
    title_en: str
    story_en: str
    title_zh: str = ""
    story_zh: str = ""
    levers: tuple[LeverSpec, ...] = ()

    def title(self, lang: str) -> str:
        """The title in ``lang``; English when there is no Chinese title."""
        return self.title_zh if lang == "zh" and self.title_zh else self.title_en

    def story(self, lang: str) -> tuple[str, bool]:
        """The story in ``lang`` and whether it is in that language (False: English stands in)."""
        if lang == "zh":
            return (self.story_zh, True) if self.story_zh else (self.story_en, False)
        return self.story_en, True


#: Per-lesson extras, in the order lessons are offered. Mechanism lessons that
#: are not written yet have a title only; their levers come from their files.
LESSONS: dict[str, LessonText] = {
    "baseline": LessonText(
        "基线：一个城市街道和一个农村乡镇，三年，无政策",
        "一个 24,000 人的小县。街道 1 有四个城市社区，每个约 4,000 名居民，各有七名社区工作者"
        "（每万人 18 名，国家规划的数字）；乡镇 2 有四个村，每村约 2,000 人，各有五名村干部。"
        "工作人员一人多岗，要填 17 个数据系统，剩下的时间大多用来办理居民的事项：老年人的照护和"
        "医疗、流动人口子女入学、维修、纠纷、补贴。\n\n"
        "看什么：工作人员用掉合同工时的 70–90%，大约九成事项按时办结；逾期的大多是必须上报到乡镇"
        "或县里的事项。老年人需求最多、又很少上网，得到的服务略差。最忙的社区已接近极限：需求再多"
        " 10%，有的社区就会陷入积压、加班、倦怠和离职的恶性循环。其他现成情景都以它为基础。",
        (LeverSpec("staff.per_10k_urban", 5, 40), LeverSpec("staff.per_10k_rural", 5, 50),
         LeverSpec("departments.reporting_hours", 0, 30), LeverSpec("departments.extra_systems", 0, 20),
         LeverSpec("behaviour.online_available"), LeverSpec("staff.priority")),
    ),
    "target_inflation": LessonText(
        "层层加码",
        "县里定下全年健康体检签约率 60% 的指标。县里下达给乡镇时加了 20% 的“保险系数”，乡镇下达"
        "给社区时又加了一道：到社区时，指标已变成 86–95%。越往后越难找到还没签约的居民，指标越高，"
        "所需工时增长越快；考核压力使其中一半工时排在居民事项之前。\n\n"
        "与基线对比看什么：工时从办理事项转向指标任务；覆盖率下降、放弃的事项增多；加班与倦怠；"
        "年底最后一批居民无法触及时，上报完成率与真实完成率之间的差距拉大；信任下降——既因为服务"
        "变差，也因为居民被“为数字而签约”。试试把每级加码幅度调为 0，或把优先顺序改为指标优先。",
        (LeverSpec("policies.0.margin", 0, 0.6), LeverSpec("policies.0.top_target", 0.2, 0.9),
         LeverSpec("policies.0.levels", 0, 4), LeverSpec("policies.0.pressure"), LeverSpec("staff.priority")),
    ),
    "crop_mandate": LessonText(
        "在不适宜的土地上强制种植经济作物",
        "县里要求各村把 30% 的耕地改种猕猴桃。乡镇 2 的山地并不适合（平均适宜度 0.35）：在这个"
        "适宜度下，一亩猕猴桃毛收入约 840 元、种植成本 900 元，而原来的粮食能挣 600 元。村干部能劝"
        "的就劝，劝不动的有一半时候硬推；每次上门都占用本该办理村民事项的工时，而且乡镇的面积指标"
        "本身也被层层加码，两级各加 20%。\n\n"
        "与基线对比看什么：农民收入下降，农民的信任比谁都下降得快，上报的种植面积跑在真实面积前面，"
        "村干部的工时被运动式任务占用。试试把适宜度调到 0.8：在适宜的土地上，同样的指令会提高收入。",
        (LeverSpec("policies.0.suitability_mean", 0, 1), LeverSpec("policies.0.enforce"),
         LeverSpec("policies.0.target_share", 0, 0.8), LeverSpec("policies.1.margin", 0, 0.6)),
    ),
    "budget_earmarking": LessonText(
        "与本地需求不匹配的专款专用",
        "社区每年得到的服务经费与基线相同，但现在全部按类别切块下达，而且切块沿用的是过去的重点："
        "大部分用于房屋维修，一小部分用于社会救助，照护和农业一分没有。维修的钱不能用来给老人装扶手"
        "和坡道。\n\n"
        "与基线对比看什么：年底经费作废，同时事项却因为钱在“错误的科目”里而等待；老年人、残疾人和"
        "农民的覆盖率下降。试试把可统筹比例调到 1：同样的钱变回一般性拨款。",
        (LeverSpec("policies.0.flexible_share", 0, 1),
         LeverSpec("budget.service_funds_per_capita_urban", 0, 15),
         LeverSpec("budget.service_funds_per_capita_rural", 0, 20)),
    ),
    "digital_channels": LessonText("数字渠道与数字鸿沟"),
    "community_app": LessonText("社区 App"),
    "procedures": LessonText("繁琐的办事程序"),
    "data_integration": LessonText("数据整合与信息孤岛"),
    "mediation": LessonText("矛盾纠纷调解"),
    "parking_dispute": LessonText("小区停车纠纷"),
    "participation": LessonText("居民参与"),
    "elevator_renovation": LessonText("老旧小区加装电梯"),
    "transparency": LessonText("公开透明"),
    "migration": LessonText("人口流动与登记"),
    "emergency": LessonText("突发事件与应急准备"),
    "procurement": LessonText("政府购买服务"),
    "staffing_training": LessonText("人员配备与培训"),
    "burden_reduction": LessonText("基层减负"),
    "grid_management": LessonText("网格化管理"),
}


def discover_lessons(folder: str | Path = SCENARIOS,
                     table: Mapping[str, LessonText] = LESSONS) -> dict[str, Lesson]:
    """Every scenario in ``folder`` as a lesson: those in ``table`` first, in its order.

    Args:
        folder: A folder of scenario YAML files.
        table: Per-lesson extras by scenario file name (without ``.yaml``).

    Returns:
        Lessons by name; empty when the folder has no scenarios.
    """
    files = {path.stem: path for path in sorted(Path(folder).glob("*.yaml"))}
    order = [name for name in table if name in files] + sorted(set(files) - set(table))
    return {name: lesson_from_file(files[name], table.get(name)) for name in order}


def lesson_from_file(path: str | Path, extra: LessonText | None = None) -> Lesson:
    """A lesson from one scenario file and (optionally) its table entry."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    title, story = parse_header(text)
    title_zh, story_zh = parse_header(text, lang="zh")
    levers = extra.levers if extra and extra.levers else auto_levers(text)
    return Lesson(
        name=path.stem, path=path, title_en=title or path.stem.replace("_", " "), story_en=story,
        title_zh=title_zh or (extra.title_zh if extra else ""),
        story_zh=story_zh or (extra.story_zh if extra else ""),
        levers=with_story_levers(levers, story),
    )


def story_levers(story: str) -> list[str]:
    """Every parameter path the story tells the class to change (``--set PATH=VALUE``), in order."""
    return list(dict.fromkeys(_SET.findall(story)))


def with_story_levers(levers: tuple[LeverSpec, ...], story: str) -> tuple[LeverSpec, ...]:
    """``levers`` plus a lever for each parameter the story names that they lack.

    A story that says "try ``--set policies.0.proxy=true``" must find that
    switch on the page, or the class cannot do what it reads.
    """
    have = {lever.path for lever in levers}
    return levers + tuple(LeverSpec(path) for path in story_levers(story) if path not in have)


def parse_header(text: str, lang: str = "en") -> tuple[str, str]:
    """The title (first line) and story (the rest) of a file's opening comment block.

    The block is English up to a line ``# zh: 标题`` and Chinese from there
    (``lang="zh"``: empty when there is no such line). Paragraphs are
    separated by empty comment lines; lines within a paragraph are joined
    (with a space in English, without one in Chinese), so the story reflows
    on the page.
    """
    english, chinese = header_halves(text)
    lines = chinese if lang == "zh" else english
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        return "", ""
    first = paragraphs[0]
    title = first[0].rstrip(".。")
    rest = ([first[1:]] if len(first) > 1 else []) + paragraphs[1:]
    return title, "\n\n".join(_join(p, lang) for p in rest)


def header_halves(text: str) -> tuple[list[str], list[str]]:
    """The lines of a file's opening comment block, ``#`` removed: before and after ``# zh:``."""
    english: list[str] = []
    chinese: list[str] | None = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        if chinese is None and body.startswith(_ZH):
            chinese = [body[len(_ZH):].strip()]
        elif chinese is None:
            english.append(body)
        else:
            chinese.append(body)
    return english, chinese or []


def _join(lines: list[str], lang: str) -> str:
    if lang != "zh":
        return " ".join(lines)
    # Chinese needs no space between lines, except around Latin text (numbers, code).
    out = lines[0]
    for line in lines[1:]:
        ascii_edge = out[-1:].isascii() and line[:1].isascii()
        out += (" " if ascii_edge else "") + line
    return out


def auto_levers(text: str, limit: int = MAX_AUTO_LEVERS) -> tuple[LeverSpec, ...]:
    """Levers for a scenario with none in the table: the scalar settings its file makes.

    What a scenario sets by hand is what its story is about. Paths that turn
    out not to be declared numbers, switches or choices are dropped later,
    when the controls are built.
    """
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        return ()
    if not isinstance(doc, dict):
        return ()
    return tuple(LeverSpec(path) for path in _scalar_paths(doc))[:limit]


def _scalar_paths(doc: dict[str, Any]) -> Iterator[str]:
    for i, policy in enumerate(doc.get("policies") or []):
        if isinstance(policy, dict):
            yield from (f"policies.{i}.{key}" for key, value in policy.items()
                        if key not in _NOT_LEVERS and _is_scalar(value))
    for key, value in doc.items():
        if key not in _NOT_LEVERS and key != "policies" and isinstance(value, dict):
            yield from _leaves(value, key)


def _leaves(node: dict[str, Any], prefix: str) -> Iterator[str]:
    for key, value in node.items():
        path = f"{prefix}.{key}"
        if isinstance(value, dict):
            yield from _leaves(value, path)
        elif _is_scalar(value):
            yield path


def _is_scalar(value: Any) -> bool:
    return isinstance(value, bool | int | float | str)
