"""Named random streams, one per stochastic process.

Each process (needs, channel choice, abandonment, staff turnover, each
policy, ...) draws from its own ``numpy.random.Generator`` derived from the
scenario seed and the stream's name. Switching a policy on therefore adds
draws to that policy's stream only, and every other draw is unchanged: that is
what makes paired comparisons (common random numbers) precise.
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
