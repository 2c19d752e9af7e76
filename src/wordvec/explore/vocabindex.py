"""Word completion over a large vocabulary: a prefix search over a sorted list.

The words are sorted once by their case-folded form; a prefix is then a range
of that list found with two binary searches, and the most frequent words of
the range are picked with a partial sort. A query costs ``O(log V + range)``
in NumPy, so completion stays instant with hundreds of thousands of words.

>>> index = VocabIndex(["UNK", "the", "tea", "coffee", "teapot", "Tea-time"], skip="UNK")
>>> index.complete("te", limit=3)
['tea', 'teapot', 'Tea-time']
>>> index.complete("TEA")        # the exact word first, then by frequency
['tea', 'teapot', 'Tea-time']
>>> index.complete("x")
[]
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Sequence

import numpy as np

_MAX_CHAR = 0x10FFFF


def _successor(prefix: str) -> str | None:
    """The smallest string greater than every string that starts with ``prefix``."""
    while prefix:
        last = ord(prefix[-1])
        if last < _MAX_CHAR:
            return prefix[:-1] + chr(last + 1)
        prefix = prefix[:-1]
    return None


class VocabIndex:
    """Prefix completion over ``words`` (rows in frequency order, most frequent first).

    Parameters
    ----------
    words : sequence of str
        The vocabulary, row ``i`` for word ``i``; a lower row means a more
        frequent word.
    skip : str, optional
        A word never offered (the ``UNK`` placeholder).
    """

    def __init__(self, words: Sequence[str], skip: str | None = None):
        self.words = list(words)
        order = sorted((w.casefold(), row) for row, w in enumerate(self.words) if w != skip)
        self._keys = [key for key, _ in order]
        self._rows = np.fromiter((row for _, row in order), dtype=np.int64, count=len(order))

    def __len__(self) -> int:
        return len(self._keys)

    def rows(self, prefix: str, limit: int) -> np.ndarray:
        """Rows of at most ``limit`` words starting with ``prefix`` (case-insensitive).

        A word equal to the prefix comes first, then the others, most frequent first.
        """
        key = prefix.casefold()
        lo = bisect_left(self._keys, key)
        end = _successor(key)
        hi = len(self._keys) if end is None else bisect_left(self._keys, end, lo)
        if limit <= 0 or hi <= lo:
            return np.empty(0, dtype=np.int64)
        exact = []
        while key and lo < hi and self._keys[lo] == key:
            exact.append(int(self._rows[lo]))
            lo += 1
        exact.sort()
        candidates = self._rows[lo:hi]
        room = limit - len(exact)
        if room <= 0:
            return np.asarray(exact[:limit], dtype=np.int64)
        if len(candidates) > room:
            candidates = np.partition(candidates, room - 1)[:room]
        return np.concatenate([np.asarray(exact, dtype=np.int64), np.sort(candidates)])

    def complete(self, prefix: str, limit: int = 10) -> list[str]:
        """Words starting with ``prefix``: an exact match first, then by frequency."""
        return [self.words[row] for row in self.rows(prefix, limit).tolist()]
