"""Did-you-mean suggestions for misspelt keys, choices and file names.

Typos are the commonest scenario mistake, and a strict loader (every unknown
key is an error) is only bearable if it points at the likely fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

#: How many names an "Expected one of" list shows before eliding the rest.
_MAX_LISTED = 25


def closest(word: Any, candidates: Iterable[Any], cutoff: float = 0.6) -> str | None:
    """The candidate most like ``word``, or None when nothing is close."""
    names = [str(c) for c in candidates]
    matches = difflib.get_close_matches(str(word), names, n=1, cutoff=cutoff)
    if matches:
        return matches[0]
    # Case slips ("Residents") score low on difflib's ratio; catch them here.
    lowered = {name.lower(): name for name in names}
    return lowered.get(str(word).lower())


def one_of(names: Iterable[Any]) -> str:
    """A readable list of accepted names, elided when very long."""
    shown = [str(n) for n in names]
    if not shown:
        return "(nothing: this section takes no keys)"
    if len(shown) > _MAX_LISTED:
        rest = len(shown) - _MAX_LISTED
        shown = [*shown[:_MAX_LISTED], f"... ({rest} more)"]
    return ", ".join(shown)


def close_file(path: Path) -> str | None:
    """A file next to ``path`` whose name is close to it, as the user would type it.

    Returns the suggested path in the same form as ``path`` (same directory
    prefix), or None when the directory is missing or nothing is close.
    Scenario files (``.yaml``/``.yml``) are preferred over other files.
    """
    folder = path.parent
    try:
        entries = sorted(p.name for p in folder.iterdir() if p.is_file())
    except OSError:
        return None
    yaml_files = [n for n in entries if n.endswith((".yaml", ".yml"))]
    match = closest(path.name, yaml_files) or closest(path.name, entries)
    if match is None:
        return None
    return str(path.with_name(match))
