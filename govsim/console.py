"""What every ``govsim`` command shares: exit codes, the usage error, argument types, formatting.

The lowest layer of the command line. :mod:`govsim.cli` and the command modules
of the study, validation and teaching packages all import it, and it imports no
other part of govsim, so no command module has to import the one that registers
it (which would be an import circle).

Exit codes: 0 success; 1 the command failed unexpectedly; 2 bad input (a
scenario or spec error, bad arguments, a directory that is not a run) or an
output that cannot be written (a file where a directory should be, no
permission, a full disk: one sentence naming the path); 130
interrupted with Ctrl-C; 141 output pipe closed early; 3 the command ran to
the end but what it was asked to reach was not reached (``govsim check``: a
pattern missed or unclear; ``govsim compare --precision``: an interval still
wider than asked at ``--max-reps``). Every result is written all the same.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from typing import Any

EXIT_OK, EXIT_FAILURE, EXIT_INPUT, EXIT_UNMET, EXIT_INTERRUPTED, EXIT_PIPE = 0, 1, 2, 3, 130, 141


class UsageError(Exception):
    """A bad command line that argparse cannot catch; ``str()`` is the message."""


def int_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse ``type=`` for whole numbers of at least ``minimum`` (seeds, weeks, counts)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected at least {minimum}, got {value}")
        return value

    return parse


def format_value(value: Any, unit: str) -> tuple[str, str]:
    """A value as text, with the unit it is shown in: shares as percent, big numbers grouped."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a", unit
    v = float(value)
    if unit == "share":
        return f"{100 * v:.1f}", "%"
    if abs(v) >= 100:
        return f"{v:,.0f}", unit
    return ("0" if v == 0 else f"{v:.3g}"), unit


def err(message: str) -> None:
    """One message on stderr, where errors, warnings and progress go (stdout is for results)."""
    print(message, file=sys.stderr)


def quiet(args: argparse.Namespace) -> bool:
    """Whether ``-q``/``--quiet`` was given (before or after the subcommand)."""
    return bool(getattr(args, "quiet", False))
