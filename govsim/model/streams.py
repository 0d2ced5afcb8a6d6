"""Named random streams, one per stochastic process.

Each process (needs, case intake, residents' reactions to delay, staff
turnover, each policy, ...) draws from its own ``numpy.random.Generator``
derived from the scenario seed and the stream's name. Switching a policy on
therefore adds draws to that policy's stream only, and every other stream's
sequence is unchanged: residents raise exactly the same needs with and without
the policy. That is what makes paired comparisons (common random numbers)
precise. (Where a policy changes which cases are late, the reaction stream's
draws fall on other cases: pairing is by process, not by case.) A policy's
stream is named by its position in the scenario's list.
"""

from __future__ import annotations

import zlib

import numpy as np


class Streams:
    """A family of independent generators keyed by name, all from one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def __call__(self, name: str) -> np.random.Generator:
        """The generator for ``name``, created on first use."""
        stream = self._streams.get(name)
        if stream is None:
            key = zlib.crc32(name.encode("utf-8"))
            sequence = np.random.SeedSequence(entropy=self.seed, spawn_key=(key,))
            stream = np.random.Generator(np.random.PCG64(sequence))
            self._streams[name] = stream
        return stream
