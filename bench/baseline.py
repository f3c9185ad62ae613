"""The fixed workload every bench times beside its own, so that ratios survive a noisy machine.

Benches print each time as a multiple of this one, measured in the same session: sorting and
counting ten million integers three times with NumPy.
"""

from __future__ import annotations

import time

import numpy as np


def baseline_seconds() -> float:
    """A fixed NumPy workload: sorting and grouping ten million numbers, three times."""
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    for _ in range(3):
        x = rng.integers(0, 1_000_000, 10_000_000)
        np.sort(x)
        np.bincount(x)
    return time.perf_counter() - t0
