"""Finds and opens wordvec's compiled library (``csrc/``, built by ``pip install``) and says which code runs.

The library is required: ``pip install`` stops where it cannot be built. It is opened on first
use, once per process; the ctypes bindings (:mod:`.training`, :mod:`.text`) declare their own
functions' signatures.

>>> vector_code() in ("avx512", "avx2", "generic")
True
"""

from __future__ import annotations

import ctypes
import functools
import importlib.machinery
from pathlib import Path

import numpy as np

_LIBRARY_NAME = "_wordvec_kernels"


class KernelsMissing(RuntimeError):
    """The compiled library is not built (or does not load) in this install."""


@functools.cache
def load() -> ctypes.CDLL:
    """The compiled library, opened (once per process, with its whole-library functions declared).

    Raises :class:`KernelsMissing` where it was not built or does not load.
    """
    here = Path(__file__).parent
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = here / f"{_LIBRARY_NAME}{suffix}"
        if path.is_file():
            try:
                return declare(ctypes.CDLL(str(path)))
            except OSError as error:
                raise KernelsMissing(f"wordvec's compiled kernels do not load ({error}); "
                                     "reinstall wordvec (pip install .)") from error
    raise KernelsMissing(f"wordvec's compiled kernels are not built (no {_LIBRARY_NAME} library in {here}); "
                         "reinstall wordvec (pip install .) where a C compiler is present")


def declare(library: ctypes.CDLL) -> ctypes.CDLL:
    """``library`` with the signatures of the functions every build has (the vector code in use) set."""
    library.wv_vector_code.argtypes = []
    library.wv_vector_code.restype = ctypes.c_char_p
    library.wv_use_generic.argtypes = [ctypes.c_int]
    library.wv_use_generic.restype = None
    return library


def vector_code() -> str:
    """The vector code the row arithmetic runs: ``"avx512"``, ``"avx2"`` or ``"generic"`` (chosen for the CPU as the
    library loads, ``csrc/vector_code.c``)."""
    return load().wv_vector_code().decode()


def use_generic(generic: bool) -> None:
    """Force the portable vector code (``True``) or let the CPU decide (``False``)."""
    load().wv_use_generic(int(bool(generic)))


def backend() -> str:
    """The kernels in use and their vector code, as ``wordvec --version`` and ``model.json`` name them.

    >>> backend() in ("c, avx512", "c, avx2", "c, generic")
    True
    """
    return f"c, {vector_code()}"


def checked_array(array: np.ndarray, dtype) -> np.ndarray:
    """``array`` itself, to be handed to a kernel: refused unless C-contiguous of ``dtype``."""
    if array.dtype != dtype:
        raise TypeError(f"expected a C-contiguous {np.dtype(dtype).name} array, got {array.dtype}")
    if not array.flags.c_contiguous:
        raise TypeError(f"expected a C-contiguous {np.dtype(dtype).name} array, got a strided view")
    return array
