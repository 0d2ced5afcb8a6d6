"""Printable lesson sheets: a lesson's question, what to try, what to look for and
discussion prompts, as one self-contained HTML page per language.

The words come from the lesson's own scenario header (:class:`~govsim.teach.lessons.Sheet`)
and the labels from :mod:`govsim.i18n`; the layout is ``templates/sheet.html.j2``,
rendered with autoescape on, so nothing in a header can inject markup.
"""

from __future__ import annotations

import re
from pathlib import Path

from markupsafe import Markup, escape

from govsim.files import write_atomic
from govsim.i18n import LANGS, text
from govsim.teach.lessons import SCENARIOS, Lesson

#: Where sheets go when no ``--out`` is given.
DEFAULT_SHEETS = Path("runs") / "sheets"
_CODE = re.compile(r"`([^`]*)`")


def code_markup(value: str) -> Markup:
    """``value`` escaped, with each ```code``` span as ``<code>``."""
    parts = _CODE.split(value)
    return Markup("").join(escape(part) if i % 2 == 0 else Markup("<code>%s</code>") % part
                           for i, part in enumerate(parts))


def render_sheet(lesson: Lesson, lang: str = "en") -> str:
    """The lesson's sheet in ``lang`` as a self-contained HTML page.

    Raises:
        ValueError: ``lang`` is not a language govsim speaks.
    """
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (expected one of {', '.join(LANGS)})")
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("govsim.teach", "templates"),
                      autoescape=select_autoescape(["html", "j2"], default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["code"] = code_markup
    sheet = lesson.sheet(lang)
    return env.get_template("sheet.html.j2").render(
        lang=lang, t=lambda key, **fields: text(key, lang, **fields), title=lesson.title(lang),
        name=lesson.name, sheet=sheet, run=f"govsim run {_scenario_path(lesson)}",
        teach=f"govsim teach {lesson.name}" + (" --lang zh" if lang == "zh" else ""))


def _scenario_path(lesson: Lesson) -> str:
    """How the sheet names the lesson's file: ``scenarios/NAME.yaml`` for a ready scenario."""
    if lesson.path.resolve().parent == SCENARIOS.resolve():
        return f"scenarios/{lesson.path.name}"
    return str(lesson.path)


def sheet_filename(lesson: Lesson, lang: str) -> str:
    """The file name of a lesson's sheet: ``NAME.LANG.html``."""
    return f"{lesson.name}.{lang}.html"


def write_sheet(lesson: Lesson, lang: str, path: Path) -> Path:
    """Render the sheet and write it to ``path`` (folders made as needed); return ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, render_sheet(lesson, lang).encode("utf-8"))
    return path
