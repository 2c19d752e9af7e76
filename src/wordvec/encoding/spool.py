"""Append-only integer arrays: in memory in fixed-size blocks, or spooled to an unnamed temporary file.

A corpus's token ids are appended as they are read and never held as a Python list; the spooled
array is read back memory-mapped, so a corpus larger than memory costs disk and page cache, not
resident memory.

>>> ids = SpooledInts()
>>> ids.extend([3, 1, 4])
>>> ids.to_array().tolist()
[3, 1, 4]
>>> list(blocks(5))
[(0, 5)]
"""

from __future__ import annotations

import mmap
import tempfile
from typing import Iterator

import numpy as np

#: Integers per block: of a growing array, and of each pass over a spooled one (:func:`blocks`).
_BLOCK = 1 << 20


def block_size() -> int:
    """Integers per block (of :func:`blocks`, and of the arrays here)."""
    return _BLOCK


def blocks(n: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each block of :func:`block_size` of ``n`` items, in order."""
    for start in range(0, n, _BLOCK):
        yield start, min(start + _BLOCK, n)


class GrowingInts:
    """An append-only int array kept as a list of fixed-size numpy blocks."""

    def __init__(self, dtype):
        self.dtype = dtype
        self.blocks: list[np.ndarray] = []
        self.current = np.empty(_BLOCK, dtype=dtype)
        self.filled = 0

    def extend(self, values) -> None:
        values = np.asarray(values, dtype=self.dtype)
        start = 0
        while start < values.shape[0]:
            take = min(values.shape[0] - start, _BLOCK - self.filled)
            self.current[self.filled:self.filled + take] = values[start:start + take]
            self.filled += take
            start += take
            if self.filled == _BLOCK:
                self._spill(self.current)
                self.current = np.empty(_BLOCK, dtype=self.dtype)
                self.filled = 0

    def _spill(self, block: np.ndarray) -> None:
        self.blocks.append(block)

    def to_array(self) -> np.ndarray:
        return np.concatenate(self.blocks + [self.current[:self.filled]])


def mapped_empty(n: int, dtype) -> np.ndarray:
    """A writable array of ``n`` items, uninitialised (zeros), kept in an unnamed temporary file and
    mapped: what :func:`~wordvec.encoding.memory.forget_pages` hands back costs page cache only.

    >>> array = mapped_empty(3, np.int32)
    >>> array[:] = 7; array.tolist()
    [7, 7, 7]
    """
    itemsize = np.dtype(dtype).itemsize
    if n == 0:
        return np.empty(0, dtype=dtype)
    with tempfile.TemporaryFile(prefix="wordvec-rows-") as file:
        file.truncate(n * itemsize)
        mapping = mmap.mmap(file.fileno(), n * itemsize, access=mmap.ACCESS_WRITE)
    return np.frombuffer(mapping, dtype=dtype)


class SpooledInts(GrowingInts):
    """An append-only int32 array written to an unnamed temporary file and read back
    memory-mapped, so a corpus larger than memory costs only page cache."""

    def __init__(self):
        super().__init__(np.int32)
        self.file = tempfile.TemporaryFile(prefix="wordvec-tokens-")
        self.count = 0

    def extend(self, values) -> None:
        values = np.asarray(values, dtype=np.int32)
        if values.shape[0] < _BLOCK // 4:
            super().extend(values)
            return
        self._spill(self.current[:self.filled])
        self.filled = 0
        self._spill(np.ascontiguousarray(values))

    def _spill(self, block: np.ndarray) -> None:
        self.file.write(memoryview(block))
        self.count += block.shape[0]

    def to_array(self) -> np.ndarray:
        self._spill(self.current[:self.filled])
        self.filled = 0
        self.file.flush()
        if self.count == 0:
            return np.empty(0, dtype=np.int32)
        mapping = mmap.mmap(self.file.fileno(), self.count * 4, access=mmap.ACCESS_READ)
        return np.frombuffer(mapping, dtype=np.int32)
