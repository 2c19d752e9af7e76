"""Finds and opens wordvec's compiled library (``csrc/``, built by ``pip install``), without Numba.

>>> load() is None or hasattr(load(), "wv_train_task")
True
"""

from __future__ import annotations

import ctypes
import functools
import importlib.machinery
import os
from pathlib import Path

import numpy as np

_LIBRARY_NAME = "_wordvec_kernels"


@functools.cache
def load() -> ctypes.CDLL | None:
    """The compiled library, opened; None where it was not built, does not load, or
    ``WORDVEC_KERNELS=numba`` asks for the Numba kernels. Opened once per process."""
    if os.environ.get("WORDVEC_KERNELS", "").lower() == "numba":
        return None
    here = Path(__file__).parent
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = here / f"{_LIBRARY_NAME}{suffix}"
        if path.is_file():
            try:
                return ctypes.CDLL(str(path))
            except OSError:
                return None
    return None


def checked_array(array: np.ndarray, dtype) -> np.ndarray:
    """``array`` itself, to be handed to a kernel: refused unless C-contiguous of ``dtype``."""
    if array.dtype != dtype:
        raise TypeError(f"expected a C-contiguous {np.dtype(dtype).name} array, got {array.dtype}")
    if not array.flags.c_contiguous:
        raise TypeError(f"expected a C-contiguous {np.dtype(dtype).name} array, got a strided view")
    return array
