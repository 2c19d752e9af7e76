"""How many threads a job uses: decided here, for reading and for every engine alike.

>>> resolve_threads(3)
3
"""

from __future__ import annotations

import os

import numpy as np

from .errors import ParameterError


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def resolve_threads(threads: int | None) -> int:
    """``threads``, or every available core when None; anything else is a one-line error."""
    if threads is None:
        return available_cores()
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ParameterError.out_of_range("threads", threads, "an integer of at least 1")
    return int(threads)
