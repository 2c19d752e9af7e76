"""The labelled-input kernels through ctypes (``csrc/labelled.c``): fastText's tokens of blocks of
lines, numbered and counted; fastText's supervised examples from numbered lines.

:class:`LineSplitter` splits blocks of lines into fastText's tokens (runs of bytes between the
seven separators), each line led by ``</s>``, numbering them in a :class:`SeenTokens` table of the
tokens seen so far (a reading thread keeps its own splitter, from block to block) and counting them.

A line is its token ids with ``</s>`` first (as :class:`LineSplitter` numbers it; fastText reads it
last). :class:`TokenTable` holds, per distinct token, its own input rows (CSR), its fastText hash
(for word n-grams), whether it is a label and its label id. :func:`example_sizes` counts each
line's rows and targets; :func:`fill_examples` writes the rows and targets of the lines the caller
keeps, each where the caller says it starts. Both split the lines over ``threads`` threads; ctypes releases the GIL
during each call. :func:`tally` counts token ids.

>>> import numpy as np
>>> table = TokenTable(np.array([0, 1, 2, 2]), np.array([0, 1], np.int32), np.array([7, 8, 9], np.uint64),
...                    np.array([0, 0, 1], bool), np.array([-1, -1, 0]), word_ngrams=2, bucket=10, nwords=2)
>>> ids, lengths = np.array([0, 2, 1], np.int32), np.array([3])   # "__label__x a </s>"
>>> n_rows, n_targets = example_sizes(table, ids, lengths)
>>> n_rows.tolist(), n_targets.tolist()
([3], [1])
>>> rows, targets = np.empty(3, np.int32), np.empty(1, np.int32)
>>> fill_examples(table, ids, lengths, np.array([True]), 0, np.array([0, 3]), rows, np.array([0, 1]), targets)
>>> rows.tolist(), targets.tolist()    # a, </s>, then the bigram (8 * 116049371 + 7) % 10 + 2
([1, 0, 7], [0])
"""

from __future__ import annotations

import ctypes
import functools
from typing import NamedTuple

import numpy as np

from .library import checked_array as _checked
from .library import load
from .tasks import run_on_threads

__all__ = ["LineSplitter", "SeenTokens", "TokenTable", "example_sizes", "fill_examples", "tally"]

_ref = ctypes.c_void_p


class _Tokens(ctypes.Structure):
    _fields_ = [("row_starts", _ref), ("row_table", _ref), ("hashes", _ref), ("is_label", _ref),
                ("label_index", _ref), ("word_ngrams", ctypes.c_int64), ("bucket", ctypes.c_int64),
                ("nwords", ctypes.c_int64)]


class _Seen(ctypes.Structure):
    _fields_ = [("slots", _ref), ("n_slots", ctypes.c_int64), ("starts", _ref), ("arena", _ref),
                ("arena_bytes", ctypes.c_int64), ("sizes", _ref), ("counts", _ref)]


class _Split(ctypes.Structure):
    _fields_ = [("buf", _ref), ("n", ctypes.c_int64), ("ids", _ref), ("lengths", _ref), ("position", ctypes.c_int64),
                ("n_ids", ctypes.c_int64), ("n_lines", ctypes.c_int64), ("line_first", ctypes.c_int64),
                ("more_bytes", ctypes.c_int64)]


_GROW = 1  # WV_SPLIT_GROW: the table is full


@functools.cache
def _library() -> ctypes.CDLL:
    library = load()
    library.wv_labelled_split.argtypes = [_ref, _ref]
    library.wv_labelled_split.restype = ctypes.c_int
    i64 = ctypes.c_int64
    for name, argtypes in (("wv_labelled_rehash", [_ref]), ("wv_labelled_count", [_ref, i64, _ref]),
                           ("wv_labelled_tally", [_ref, i64, _ref]),
                           ("wv_labelled_sizes", [_ref, _ref, _ref, i64, _ref, _ref]),
                           ("wv_labelled_fill", [_ref, _ref, _ref, i64, _ref, i64, _ref, _ref, _ref, _ref])):
        getattr(library, name).argtypes = argtypes
        getattr(library, name).restype = None
    return library


class SeenTokens(NamedTuple):
    """The tokens a reading thread has seen, numbered from 0 by first appearance, and their counts.

    ``slots`` is an open-addressing table (a power of two of ``(key, row + 1)`` pairs, 0 where
    empty, at most three quarters full; the key is a token's bytes up to 7, else a hash); token
    ``r`` is ``arena[starts[r]:starts[r + 1] - 1]`` (each followed by a space), read ``counts[r]``
    times; ``sizes`` holds the number of tokens and of arena bytes used. A table that grows is
    copied (:meth:`LineSplitter.split`), so what was read of its tokens stays valid.
    """

    slots: np.ndarray
    starts: np.ndarray
    arena: np.ndarray
    sizes: np.ndarray
    counts: np.ndarray

    @classmethod
    def empty(cls, n_slots: int = 1 << 14, arena_bytes: int = 1 << 18) -> "SeenTokens":
        """A table with room for ``3 * n_slots // 4`` tokens (``n_slots`` a power of two) and ``arena_bytes`` bytes."""
        rows = n_slots * 3 // 4
        return cls(np.zeros((n_slots, 2), np.uint64), np.zeros(rows + 2, np.int64),
                   np.empty(max(arena_bytes, 64), np.uint8), np.zeros(2, np.int64), np.zeros(rows + 1, np.int64))

    def tokens(self) -> list[bytes]:
        """Every token, in order."""
        arena, starts = self.arena[:self.sizes[1]].tobytes(), self.starts[:self.sizes[0] + 1].tolist()
        return [arena[start:end - 1] for start, end in zip(starts[:-1], starts[1:])]

    def _struct(self) -> _Seen:
        return _Seen(self.slots.ctypes.data, self.slots.shape[0], self.starts.ctypes.data, self.arena.ctypes.data,
                     self.arena.shape[0], self.sizes.ctypes.data, self.counts.ctypes.data)

    def _grown(self, more_bytes: int) -> "SeenTokens":
        """A copy with room for one more token and ``more_bytes`` more bytes (``sizes`` and, while they have
        room, ``slots`` kept)."""
        rows, used = int(self.sizes[0]), int(self.sizes[1])
        n_slots = self.slots.shape[0]
        while 4 * (rows + 1) > 3 * n_slots:
            n_slots *= 2
        bigger = SeenTokens.empty(n_slots, max(self.arena.shape[0], 2 * (used + more_bytes)))
        bigger.arena[:used] = self.arena[:used]
        bigger.starts[:rows + 1] = self.starts[:rows + 1]
        bigger.counts[:rows] = self.counts[:rows]
        if n_slots == self.slots.shape[0]:
            return bigger._replace(slots=self.slots, sizes=self.sizes)
        bigger = bigger._replace(sizes=self.sizes)
        _library().wv_labelled_rehash(ctypes.byref(bigger._struct()))
        return bigger


class LineSplitter:
    """Splits blocks of lines into fastText's tokens, numbering them in its table ``seen``
    (:class:`SeenTokens`; a reading thread keeps one splitter, from block to block).

    >>> splitter = LineSplitter(SeenTokens.empty(16, 64))
    >>> ids, lengths = splitter.split(b"__label__a tea\\tcup\\n\\ntea\\n")
    >>> splitter.seen.tokens(), ids.tolist(), lengths.tolist(), splitter.seen.counts[:4].tolist()
    ([b'</s>', b'__label__a', b'tea', b'cup'], [0, 1, 2, 3, 0, 0, 2], [4, 1, 2], [3, 1, 2, 1])
    """

    def __init__(self, seen: SeenTokens | None = None):
        self.seen = SeenTokens.empty() if seen is None else seen

    def split(self, block) -> tuple[np.ndarray, np.ndarray]:
        """A block's ``(ids, lengths)``: every line's token ids (int32), ``</s>`` first in each, and
        each line's token count (int64). A line ends at a line feed (or the block's end). ``seen``
        is replaced by a larger copy where it is full (its ``sizes`` the same array, updated in
        place), and counts the block's tokens."""
        buf = np.frombuffer(block, dtype=np.uint8)
        library, sizes = _library(), np.zeros(2, np.int64)
        library.wv_labelled_count(buf.ctypes.data, buf.shape[0], sizes.ctypes.data)
        ids, lengths = np.empty(int(sizes[0]), np.int32), np.empty(int(sizes[1]), np.int64)
        at = _Split(buf.ctypes.data, buf.shape[0], ids.ctypes.data, lengths.ctypes.data, 0, 0, 0, -1, 0)
        while library.wv_labelled_split(ctypes.byref(self.seen._struct()), ctypes.byref(at)) == _GROW:
            self.seen = self.seen._grown(at.more_bytes)
        if at.n_ids != ids.shape[0] or at.n_lines != lengths.shape[0]:
            raise RuntimeError("the block's tokens were miscounted")
        return ids, lengths


class TokenTable:
    """Per distinct token ``k``: its rows ``row_table[row_starts[k]:row_starts[k + 1]]``, its hash
    ``hashes[k]`` (None without word n-grams), ``is_label[k]`` and ``label_index[k]`` (-1: none);
    word n-grams up to ``word_ngrams`` long into ``bucket`` rows after the ``nwords`` words."""

    def __init__(self, row_starts, row_table, hashes, is_label, label_index, word_ngrams: int, bucket: int,
                 nwords: int):
        n = len(row_starts) - 1
        self.row_starts = np.ascontiguousarray(row_starts, dtype=np.int64)
        self.row_table = np.ascontiguousarray(row_table, dtype=np.int32)
        self.is_label = np.ascontiguousarray(is_label, dtype=bool).view(np.uint8)
        self.label_index = np.ascontiguousarray(label_index, dtype=np.int32)
        with_ngrams = word_ngrams > 1 and bucket > 0
        if with_ngrams and hashes is None:
            raise ValueError("word n-grams need the tokens' hashes")
        self.hashes = np.ascontiguousarray(hashes, dtype=np.uint64) if with_ngrams else None
        sized = [self.is_label, self.label_index] + ([self.hashes] if with_ngrams else [])
        if n < 0 or any(len(array) != n for array in sized) or (n and self.row_starts[-1] > len(self.row_table)):
            raise ValueError("the token arrays must all have one entry per token")
        self.size = n
        self._struct = _Tokens(self.row_starts.ctypes.data, self.row_table.ctypes.data,
                               None if self.hashes is None else self.hashes.ctypes.data, self.is_label.ctypes.data,
                               self.label_index.ctypes.data, int(word_ngrams), int(bucket), int(nwords))


def tally(ids: np.ndarray, counts: np.ndarray) -> None:
    """Add to ``counts`` (int64) how often each token id occurs in ``ids`` (int32, each below ``len(counts)``)."""
    ids, counts = _checked(ids, np.int32), _checked(counts, np.int64)
    if len(ids) and (int(ids.min()) < 0 or int(ids.max()) >= len(counts)):
        raise ValueError("a token id outside the counts")
    _library().wv_labelled_tally(ids.ctypes.data, len(ids), counts.ctypes.data)


def _line_ranges(lengths: np.ndarray, threads: int) -> list[tuple[int, int, int]]:
    """``(first line, end line, first token)`` of ``threads`` ranges of lines of about equal tokens."""
    ends = np.cumsum(lengths)
    total = int(ends[-1]) if len(ends) else 0
    cuts = np.searchsorted(ends, [total * t // threads for t in range(1, threads)], side="right")
    bounds = [0, *cuts.tolist(), len(lengths)]
    return [(first, end, int(ends[first - 1]) if first else 0) for first, end in zip(bounds[:-1], bounds[1:])
            if end > first]


def _checked_lines(table: TokenTable, ids: np.ndarray, lengths: np.ndarray) -> tuple:
    ids, lengths = _checked(ids, np.int32), _checked(lengths, np.int64)
    if len(lengths) and (int(lengths.min()) < 1 or int(lengths.sum()) != len(ids)):
        raise ValueError("the line lengths must be at least 1 and add up to the token ids")
    if len(ids) and int(ids.view(np.uint32).max()) >= table.size:  # one pass: a negative id is read as >= 2**31
        raise ValueError("a token id outside the token table")
    return ids, lengths


def _on_threads(run, ranges: list) -> None:
    run_on_threads(lambda t: run(*ranges[t]), len(ranges))


def example_sizes(table: TokenTable, ids: np.ndarray, lengths: np.ndarray, threads: int = 1) -> tuple:
    """Each line's row count and target count (two int64 arrays), on ``threads`` threads.

    ``ids`` (int32) are the lines' tokens, ``</s>`` first in each, ``lengths`` (int64) their sizes.
    """
    ids, lengths = _checked_lines(table, ids, lengths)
    n_rows, n_targets = np.empty(len(lengths), np.int64), np.empty(len(lengths), np.int64)
    library, struct = _library(), ctypes.byref(table._struct)

    def run(first: int, end: int, token: int) -> None:
        library.wv_labelled_sizes(struct, ids.ctypes.data + 4 * token, lengths.ctypes.data + 8 * first, end - first,
                                  n_rows.ctypes.data + 8 * first, n_targets.ctypes.data + 8 * first)

    _on_threads(run, _line_ranges(lengths, max(1, int(threads))))
    return n_rows, n_targets


def fill_examples(table: TokenTable, ids: np.ndarray, lengths: np.ndarray, kept: np.ndarray, first_kept: int,
                  row_starts: np.ndarray, rows: np.ndarray, target_starts: np.ndarray, targets: np.ndarray,
                  threads: int = 1) -> None:
    """Write the rows and targets of the lines with ``kept[i]``, on ``threads`` threads: the ``j``-th
    of them (from ``first_kept``) from ``rows[row_starts[j]]`` and ``targets[target_starts[j]]``.

    ``row_starts`` and ``target_starts`` (int64) must give each kept line the room
    :func:`example_sizes` counts, inside ``rows`` and ``targets`` (int32).
    """
    ids, lengths = _checked_lines(table, ids, lengths)
    kept = _checked(kept, bool).view(np.uint8)
    row_starts, target_starts = _checked(row_starts, np.int64), _checked(target_starts, np.int64)
    rows, targets = _checked(rows, np.int32), _checked(targets, np.int32)
    first_kept = int(first_kept)
    last_kept = first_kept + int(np.count_nonzero(kept))
    if len(kept) != len(lengths) or len(target_starts) != len(row_starts) or not 0 <= first_kept < len(row_starts):
        raise ValueError("one kept flag per line, and a row start and a target start per kept line and one more")
    if last_kept >= len(row_starts) or row_starts[last_kept] > len(rows) or target_starts[last_kept] > len(targets):
        raise ValueError("the kept lines end past the starts, the rows or the targets")
    library, struct = _library(), ctypes.byref(table._struct)
    ranges = _line_ranges(lengths, max(1, int(threads)))
    before = [first_kept + int(np.count_nonzero(kept[:first])) for first, _, _ in ranges]

    def run(first: int, end: int, token: int, kept_before: int) -> None:
        library.wv_labelled_fill(struct, ids.ctypes.data + 4 * token, lengths.ctypes.data + 8 * first, end - first,
                                 kept.ctypes.data + first, kept_before, row_starts.ctypes.data, rows.ctypes.data,
                                 target_starts.ctypes.data, targets.ctypes.data)

    _on_threads(run, [(*bounds, at) for bounds, at in zip(ranges, before)])
