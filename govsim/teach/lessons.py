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
_SET = re.compile(r"--set\s+([A-Za-z_][\w.]*)=|`(policies\.\d+\.\w+)`")
#: The line that opens a header's Chinese half (its title follows on the same line).
_ZH = "zh:"
#: The line that opens a half's lesson sheet, in English and in Chinese; the story ends above it.
_SHEET = ("Sheet:", "学习单：", "学习单:")
#: The sheet's parts: the key that opens each item, by language, and the part it belongs to.
SHEET_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (("Question:", "question"), ("Try:", "tries"), ("Look for:", "looks"), ("Discuss:", "discuss")),
    "zh": (("问题：", "question"), ("试一试：", "tries"), ("看什么：", "looks"), ("讨论：", "discuss"),
           ("问题:", "question"), ("试一试:", "tries"), ("看什么:", "looks"), ("讨论:", "discuss")),
}
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
class Sheet:
    """A lesson's printable sheet in one language: the question it asks, what to try,
    what to look for, and prompts for discussion (each item one paragraph)."""

    question: str = ""
    tries: tuple[str, ...] = ()
    looks: tuple[str, ...] = ()
    discuss: tuple[str, ...] = ()

    def complete(self) -> bool:
        """Whether every part is there (a question, something to try and to look for, two prompts)."""
        return bool(self.question and self.tries and self.looks and len(self.discuss) >= 2)


@dataclass(frozen=True)
class LessonText:
    """What the lessons table adds to a scenario file (a Chinese title and story only
    for a file whose header has none)."""

    title_zh: str = ""
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
    sheet_en: Sheet = Sheet()
    sheet_zh: Sheet = Sheet()

    def title(self, lang: str) -> str:
        """The title in ``lang``; English when there is no Chinese title."""
        return self.title_zh if lang == "zh" and self.title_zh else self.title_en

    def story(self, lang: str) -> tuple[str, bool]:
        """The story in ``lang`` and whether it is in that language (False: English stands in)."""
        if lang == "zh":
            return (self.story_zh, True) if self.story_zh else (self.story_en, False)
        return self.story_en, True

    def sheet(self, lang: str) -> Sheet:
        """The lesson sheet in ``lang`` (empty parts when the header has none)."""
        return self.sheet_zh if lang == "zh" else self.sheet_en


#: Per-lesson extras, in the order lessons are offered: the levers worth a slider
#: (a lesson without levers here gets the settings its file makes). Titles and
#: stories, in both languages, are in the scenario files' headers.
LESSONS: dict[str, LessonText] = {
    "baseline": LessonText(levers=(
        LeverSpec("staff.per_10k_urban", 5, 40), LeverSpec("staff.per_10k_rural", 5, 50),
        LeverSpec("departments.reporting_hours", 0, 30), LeverSpec("departments.extra_systems", 0, 20),
        LeverSpec("behaviour.online_available"), LeverSpec("staff.priority"))),
    "target_inflation": LessonText(levers=(
        LeverSpec("policies.0.margin", 0, 0.6), LeverSpec("policies.0.top_target", 0.2, 0.9),
        LeverSpec("policies.0.levels", 0, 4), LeverSpec("policies.0.pressure"), LeverSpec("staff.priority"))),
    "crop_mandate": LessonText(levers=(
        LeverSpec("policies.0.suitability_mean", 0, 1), LeverSpec("policies.0.enforce"),
        LeverSpec("policies.0.target_share", 0, 0.8), LeverSpec("policies.1.margin", 0, 0.6))),
    "budget_earmarking": LessonText(levers=(
        LeverSpec("policies.0.flexible_share", 0, 1),
        LeverSpec("budget.service_funds_per_capita_urban", 0, 15),
        LeverSpec("budget.service_funds_per_capita_rural", 0, 20))),
    "digital_channels": LessonText(),
    "community_app": LessonText(),
    "procedures": LessonText(),
    "data_integration": LessonText(),
    "mediation": LessonText(),
    "parking_dispute": LessonText(),
    "participation": LessonText(),
    "elevator_renovation": LessonText(),
    "transparency": LessonText(),
    "migration": LessonText(),
    "emergency": LessonText(),
    "procurement": LessonText(),
    "staffing_training": LessonText(),
    "burden_reduction": LessonText(),
    "grid_management": LessonText(),
    "crop_mandate_tolerant": LessonText(),
    "petition_wave": LessonText(),
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
    sheet_en, sheet_zh = parse_sheet(text), parse_sheet(text, lang="zh")
    return Lesson(
        name=path.stem, path=path, title_en=title or path.stem.replace("_", " "), story_en=story,
        title_zh=title_zh or (extra.title_zh if extra else ""),
        story_zh=story_zh or (extra.story_zh if extra else ""),
        levers=with_story_levers(levers, " ".join((story, *sheet_en.tries))),
        sheet_en=sheet_en, sheet_zh=sheet_zh,
    )


def story_levers(story: str) -> list[str]:
    """Every parameter the story tells the class to change (``--set PATH=VALUE``) or names
    (```policies.0.amplify_share```), in order."""
    return list(dict.fromkeys(a or b for a, b in _SET.findall(story)))


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
    lines = _split_sheet(chinese if lang == "zh" else english)[0]
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


def parse_sheet(text: str, lang: str = "en") -> Sheet:
    """The lesson sheet at the end of one half of a file's header.

    It opens with a line ``# Sheet:`` (Chinese half: ``# 学习单：``), below the
    story; each item then opens with its part's key, ``# Question:``,
    ``# Try:``, ``# Look for:`` or ``# Discuss:`` (``# 问题：``, ``# 试一试：``,
    ``# 看什么：``, ``# 讨论：``), and runs on over the lines that follow until
    the next key, reflowed as the story is. Lines before the first key are
    ignored. A half without the marker has an empty sheet.
    """
    english, chinese = header_halves(text)
    sheet_lines = _split_sheet(chinese if lang == "zh" else english)[1]
    keys = SHEET_KEYS["zh" if lang == "zh" else "en"]
    items: list[tuple[str, list[str]]] = []
    for line in sheet_lines:
        key = next(((k, part) for k, part in keys if line.startswith(k)), None)
        if key:
            items.append((key[1], [line[len(key[0]):].strip()]))
        elif items and line:
            items[-1][1].append(line)
    parts: dict[str, list[str]] = {"question": [], "tries": [], "looks": [], "discuss": []}
    for part, lines in items:
        joined = _join([line for line in lines if line] or [""], lang)
        if joined:
            parts[part].append(joined)
    return Sheet(question=" ".join(parts["question"]), tries=tuple(parts["tries"]),
                 looks=tuple(parts["looks"]), discuss=tuple(parts["discuss"]))


def _split_sheet(lines: list[str]) -> tuple[list[str], list[str]]:
    """One half's lines split at its sheet marker: the story's, then the sheet's."""
    for i, line in enumerate(lines):
        if line in _SHEET:
            return lines[:i], lines[i + 1:]
    return lines, []


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
