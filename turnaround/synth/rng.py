"""Named random streams, so each part of the generator is reproducible on its own.

A change to how one module draws numbers must not shift every other module's output, so each
module asks for its own stream by name instead of sharing one generator.
"""

from __future__ import annotations

import hashlib

import numpy as np


def rng_for(seed: int, stream: str) -> np.random.Generator:
    """A generator for ``stream`` that depends only on the city's seed and the stream's name."""
    key = int.from_bytes(hashlib.sha256(stream.encode("utf-8")).digest()[:8], "little")
    return np.random.default_rng([seed, key])
