"""A font for Chinese text in figures, and the fallback when there is none.

Matplotlib's default font (DejaVu Sans) has no Chinese glyphs: drawn with it,
"覆盖率" becomes three empty boxes. The set-up installs a small CJK font
(Debian's ``fonts-wqy-microhei``); this module finds it (or another CJK font
the machine has) and appends it to matplotlib's ``font.family`` list *after*
the default family, so Latin text looks exactly as before and only the glyphs
the default font lacks come from the CJK font (matplotlib's per-glyph font
fallback). Where no CJK font exists, :func:`figure_lang` answers
"en": figures are then drawn in English rather than in boxes.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

#: Font files tried first (registered with matplotlib when present): the one the
#: set-up installs, then common Debian/Ubuntu CJK packages.
CJK_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
#: Family names with Chinese glyphs, in order of preference (Linux, macOS, Windows).
CJK_FAMILIES = (
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC",
    "Source Han Sans SC", "Droid Sans Fallback", "PingFang SC", "Heiti SC", "Microsoft YaHei",
    "SimHei", "AR PL UMing CN",
)
#: Set to a font file to use it first (e.g. a CJK font outside the usual folders).
ENV_FONT = "GOVSIM_CJK_FONT"


@functools.cache
def find_cjk_font() -> str | None:
    """The family name of a CJK-capable font matplotlib can use, or None.

    Registers the known font files that exist (and ``$GOVSIM_CJK_FONT``) with
    matplotlib's font manager, then picks the first known CJK family it has.
    Cached: the search reads the font list once per process.
    """
    from matplotlib import font_manager

    candidates = [os.environ.get(ENV_FONT, ""), *CJK_FONT_FILES]
    for path in filter(None, candidates):
        if Path(path).is_file():
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue  # unreadable or not a font: try the next
    names = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in names), None)


def enable_cjk() -> str | None:
    """Make Chinese text drawable in every figure; return the CJK family, or None.

    Appends the family to ``font.family``, so it serves only as the fallback
    for glyphs the fonts before it lack. Idempotent.
    """
    family = find_cjk_font()
    if family is None:
        return None
    import matplotlib

    families = list(matplotlib.rcParams["font.family"])
    if family not in families:
        matplotlib.rcParams["font.family"] = [*families, family]
    return family


def figure_lang(lang: str) -> str:
    """The language figures are drawn in: ``lang``, or "en" when it needs a font the machine lacks.

    Args:
        lang: The language asked for ("en" or "zh").
    """
    if lang == "en":
        return "en"
    return lang if enable_cjk() is not None else "en"
