"""Integer tokens numbered in order of first appearance, by a compiled hash table (``csrc/sequences.c``).

Graph walks and item sessions often come as integer arrays (node ids, item ids); numbering them in
C costs a few nanoseconds a token, where a Python dictionary costs a hundred.

>>> table = TokenTable()
>>> table.number(np.array([7, -3, 7, 2**40], dtype=np.int64)).tolist(), table.tokens().tolist()
([0, 1, 0, 2], [7, -3, 1099511627776])
"""

from __future__ import annotations

import ctypes
import functools

import numpy as np

from .library import checked_array, load

_ref = ctypes.c_void_p


class _Table(ctypes.Structure):
    _fields_ = [("keys", _ref), ("numbers", _ref), ("n_slots", ctypes.c_int64), ("n_numbered", ctypes.c_int64),
                ("seen", _ref)]


@functools.cache
def _library() -> ctypes.CDLL:
    library = load()
    library.wv_number_ints.argtypes = [_ref, _ref, ctypes.c_int64, _ref]
    library.wv_number_ints.restype = ctypes.c_int64
    return library


class TokenTable:
    """The integer tokens seen so far, each with its number (0, 1, ... in order of first appearance).

    Any int64 token is taken, negative ones too; the table doubles as it fills, so its memory is
    about 24 bytes for each distinct token.
    """

    def __init__(self, slots: int = 1 << 16):
        self._allocate(slots)

    def _allocate(self, slots: int) -> None:
        self._keys = np.zeros(slots, dtype=np.int64)
        self._numbers = np.full(slots, -1, dtype=np.int32)
        self._seen = np.zeros(slots // 2, dtype=np.int64)
        self._table = _Table(self._keys.ctypes.data, self._numbers.ctypes.data, slots, 0, self._seen.ctypes.data)

    def __len__(self) -> int:
        return int(self._table.n_numbered)

    def number(self, tokens: np.ndarray) -> np.ndarray:
        """The number of each of ``tokens`` (an int64 array), new tokens numbered as they come (int32)."""
        tokens = checked_array(tokens, np.int64)
        out = np.empty(tokens.shape[0], dtype=np.int32)
        done = 0
        while done < tokens.shape[0]:
            done += _library().wv_number_ints(ctypes.byref(self._table), tokens[done:].ctypes.data,
                                              tokens.shape[0] - done, out[done:].ctypes.data)
            if done < tokens.shape[0]:
                self._grow()
        return out

    def _grow(self) -> None:
        seen = self.tokens().copy()
        self._allocate(self._keys.shape[0] * 2)
        self.number(seen)

    def tokens(self) -> np.ndarray:
        """The tokens seen, in the order of their numbers (a view, valid until the next :meth:`number`)."""
        return self._seen[:len(self)]
