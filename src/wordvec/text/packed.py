"""Texts kept as Arrow keeps a string column: their UTF-8 bytes one after another, and where each starts.

A table's text column read in Arrow stays in Arrow's buffers: :class:`PackedTexts` is a read-only
sequence of str over them (a text decoded only when asked for), and the compiled kernels read the
bytes as they lie, without a Python string per text.

>>> import pyarrow as pa
>>> texts = PackedTexts.from_arrow(pa.array(["Good tea", "", "Caf\u00e9"]))
>>> len(texts), texts[2], list(texts[1:])
(3, 'Café', ['', 'Café'])
>>> data, starts = texts.bytes_and_starts()
>>> bytes(data[starts[2]:starts[3]]), starts.tolist()
(b'Caf\\xc3\\xa9', [0, 8, 8, 13])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["PackedTexts"]


class PackedTexts(Sequence):
    """Texts as UTF-8 bytes and offsets: text ``i`` is ``data[starts[i]:starts[i + 1]]``.

    Parameters
    ----------
    data : bytes-like
        The texts' bytes (``bytes``, a ``memoryview``, a ``pyarrow.Buffer``...), kept, not copied.
    starts : array of int
        ``len(texts) + 1`` non-decreasing offsets into ``data``.
    """

    __slots__ = ("_data", "_starts")

    def __init__(self, data, starts):
        self._data = np.frombuffer(data, dtype=np.uint8)
        self._starts = np.ascontiguousarray(starts, dtype=np.int64)
        if self._starts.ndim != 1 or len(self._starts) < 1:
            raise ValueError("starts needs one offset more than there are texts")

    @classmethod
    def from_arrow(cls, array) -> "PackedTexts":
        """The texts of a pyarrow ``string`` or ``large_string`` array without nulls (a chunked one is joined).

        Raises
        ------
        TypeError
            Another type, or nulls among the values.
        """
        import pyarrow as pa

        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        wide = pa.types.is_large_string(array.type)
        if not (wide or pa.types.is_string(array.type)) or array.null_count:
            raise TypeError(f"PackedTexts takes strings without nulls (got {array.type}, "
                            f"{array.null_count} nulls)")
        _, offsets, data = array.buffers()
        if offsets is None:
            return cls(b"", np.zeros(len(array) + 1, np.int64))
        offsets = np.frombuffer(offsets, dtype=np.int64 if wide else np.int32)
        return cls(b"" if data is None else data, offsets[array.offset:array.offset + len(array) + 1])

    def bytes_and_starts(self) -> tuple[np.ndarray, np.ndarray]:
        """The bytes (a uint8 array over the data, not a copy) and the ``len(self) + 1`` offsets (int64)."""
        return self._data, self._starts

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __getitem__(self, index):
        if isinstance(index, slice):
            first, stop, step = index.indices(len(self))
            if step != 1:
                return [self[i] for i in range(first, stop, step)]
            return PackedTexts(self._data, self._starts[first:max(first, stop) + 1])
        n = len(self)
        if not -n <= index < n:
            raise IndexError("text index out of range")
        index %= n
        return self._data[self._starts[index]:self._starts[index + 1]].tobytes().decode("utf-8", "surrogateescape")

    def __iter__(self):
        data, bounds = self._data, self._starts.tolist()
        for first, stop in zip(bounds, bounds[1:]):
            yield data[first:stop].tobytes().decode("utf-8", "surrogateescape")

    def __eq__(self, other) -> bool:
        if isinstance(other, (PackedTexts, list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return f"PackedTexts({list(self)!r})"
