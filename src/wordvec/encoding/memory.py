"""Handing memory back to the operating system: the pages of a mapped token array, the C heap's holes.

Reading and training pass over token arrays larger than memory; these keep what stays resident to
the stretch being worked on.

>>> import numpy as np
>>> forget_pages(np.arange(4), 0, 4)   # not a file mapping: left alone
>>> release_free_memory()
"""

from __future__ import annotations

import ctypes
import mmap

import numpy as np


def forget_pages(array: np.ndarray, start: int, end: int) -> None:
    """Unmap the pages of ``array[start:end]`` from this process if ``array`` is a file
    mapping made by the encoder; anything else is left alone.

    The pages stay in the operating system's page cache (read back on the next
    access), so a pass over a corpus holds in memory only the stretch it is at.
    """
    mapping = array.base.obj if isinstance(array.base, memoryview) else array.base
    if not isinstance(mapping, mmap.mmap) or not hasattr(mmap, "MADV_DONTNEED") or end <= start:
        return
    first = start * array.itemsize // mmap.PAGESIZE * mmap.PAGESIZE
    mapping.madvise(mmap.MADV_DONTNEED, first, end * array.itemsize - first)


def release_free_memory() -> None:
    """Hand memory freed by the C allocator back to the operating system (glibc only).

    Reading leaves the heap full of holes where the words of each line were;
    glibc keeps them for reuse unless asked, and the training that follows
    would then peak that much higher.
    """
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError):  # not glibc, or no C library to open by None
        pass
