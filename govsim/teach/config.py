"""The page's settings, passed from the server to the page in environment variables.

Solara imports the page module itself (by the name in ``SOLARA_APP``), so the
server cannot call it with arguments; the environment is how Solara apps are
configured. Kept apart from :mod:`govsim.teach.app` so that setting them
never imports solara (whose own settings are read at import).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from govsim.i18n import LANGS
from govsim.teach.lessons import SCENARIOS

ENV_LESSONS, ENV_LESSON, ENV_LANG, ENV_EXPORTS, ENV_CLASSROOM = (
    "GOVSIM_TEACH_SCENARIOS", "GOVSIM_TEACH_LESSON", "GOVSIM_TEACH_LANG", "GOVSIM_TEACH_EXPORT_DIR",
    "GOVSIM_TEACH_CLASSROOM")
DEFAULT_EXPORTS = Path("runs") / "exports"


@dataclass(frozen=True)
class Settings:
    """What the server tells the page.

    Attributes:
        lessons_dir: Folder of scenario files offered as lessons.
        lesson: The lesson to open: a name, or a scenario file (which joins the list).
        lang: "en" or "zh", the language the page opens in.
        export_dir: Where "export" writes scenario files.
        classroom: A page per student and the teacher's dashboard (:mod:`govsim.teach.classroom`).
    """

    lessons_dir: Path = SCENARIOS
    lesson: str = ""
    lang: str = "en"
    export_dir: Path = DEFAULT_EXPORTS
    classroom: bool = False


def settings() -> Settings:
    """The settings in the environment (defaults: the ready scenarios, English)."""
    lang = os.environ.get(ENV_LANG, "en")
    return Settings(Path(os.environ.get(ENV_LESSONS) or SCENARIOS), os.environ.get(ENV_LESSON, ""),
                    lang if lang in LANGS else "en", Path(os.environ.get(ENV_EXPORTS) or DEFAULT_EXPORTS),
                    os.environ.get(ENV_CLASSROOM) == "1")


def app_env(conf: Settings) -> dict[str, str]:
    """The environment variables that give the page ``conf`` (paths made absolute)."""
    return {ENV_LESSONS: str(Path(conf.lessons_dir).resolve()), ENV_LESSON: conf.lesson,
            ENV_LANG: conf.lang, ENV_EXPORTS: str(Path(conf.export_dir).resolve()),
            ENV_CLASSROOM: "1" if conf.classroom else ""}
