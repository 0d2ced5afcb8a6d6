"""The one error type of experiments that is not a spec error.

A bad experiment spec raises :class:`govsim.ScenarioError`, exactly as a bad
scenario does (file, line, key, did-you-mean), so users meet one kind of
message. :class:`StudyError` is for everything else the user can fix: a
results directory that holds a different experiment, a design that cannot be
analysed, runs that failed where an analysis needs every one.
"""

from __future__ import annotations


class StudyError(Exception):
    """A user-fixable problem with an experiment; ``str()`` is the message to show."""
