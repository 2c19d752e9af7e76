"""The reading kernels (compiled): documents found in blocks of bytes, their words numbered and counted.

A block is whole lines of a text or SNAP file. :func:`find_lines` and :func:`find_reviews` list its
documents as byte ranges and flag the ones that are not pure ASCII (or that need the review summary
joined in a way only the Python reader reproduces); those are cleaned in Python and passed back as
replacement text (:func:`~wordvec.text.word_bytes`: lower-cased, words separated by ASCII spaces).
:func:`encode_block` splits every document into words exactly as ``tokenize(clean_text(...))``
does, numbering and counting them in a table of the words seen so far (each encoding thread keeps
its own, from block to block); :func:`merge` looks up the words a block added to such a table in
the words of the whole corpus. Every kernel releases the GIL, so blocks are encoded on several
threads at once.

What the kernels do with the bytes of an ASCII document is what the Python reader does to it:

* ``clean_text`` on ASCII text only turns NUL bytes into spaces and removes HTML tags (the pattern
  ``<[^<>]{0,200}>``, leftmost match first, each replaced by a space);
* ``tokenize`` lower-cases ``A-Z``, turns the Keras filter characters into spaces and splits on
  whitespace (in ASCII: tab, line feed, vertical tab, form feed, carriage return, ``\\x1c-\\x1f``
  and space).

Words are stored as their UTF-8 bytes, so two words are the same exactly when their strings are.

The kernels are C (``csrc/text.c``), called through ctypes. The C code allocates nothing: the
arrays are made here, and when a table of words is full the kernel stops, a larger table is made
here (:func:`_grown`) and the kernel goes on where it stopped. ctypes releases the GIL during each
call, so encoding threads run at once. The tests hold every kernel against a reference
implementation (``tests/oracles.py``), output for output.

>>> import numpy as np
>>> fold = fold_table()
>>> buf = np.frombuffer(bytearray(b"Tea<br />tea, cup\\n\\nCUP!\\n"), dtype=np.uint8)
>>> docs, hard = find_lines(buf)
>>> none = (np.zeros(0, np.uint8), np.zeros(1, np.int64))
>>> words, ids, lengths = encode(buf, docs, hard, none, Words.empty(16, 64), fold)
>>> ids.tolist(), lengths.tolist(), words.words([0, 1])
([0, 0, 1, 1], [3, 1], ['tea', 'cup'])
"""

from __future__ import annotations

import ctypes
import functools
from typing import NamedTuple

import numpy as np

from .library import checked_array as _checked
from .library import load

__all__ = ["Words", "encode", "encode_block", "find_lines", "find_reviews", "fold_table", "merge", "new_table",
           "remap_range"]

_GROW = 1  # WV_TEXT_GROW: the table is full
_ref = ctypes.c_void_p
_int64_p = ctypes.POINTER(ctypes.c_int64)


class _Words(ctypes.Structure):
    _fields_ = [("slots", _ref), ("n_slots", ctypes.c_int64), ("starts", _ref), ("arena", _ref),
                ("arena_bytes", ctypes.c_int64), ("sizes", _ref)]


class _Block(ctypes.Structure):
    _fields_ = [("buf", _ref), ("docs", _ref), ("hard", _ref), ("n_docs", ctypes.c_int64), ("replacements", _ref),
                ("replacement_starts", _ref), ("fold", _ref)]


class _Encoding(ctypes.Structure):
    _fields_ = [("ids", _ref), ("tally", _ref), ("tally_size", ctypes.c_int64), ("doc", ctypes.c_int64),
                ("replacement", ctypes.c_int64), ("part", ctypes.c_int64), ("position", ctypes.c_int64),
                ("more_bytes", ctypes.c_int64)]


class _Remap(ctypes.Structure):
    _fields_ = [("ids", _ref), ("n_ids", ctypes.c_int64), ("first", ctypes.c_int64), ("remap", _ref),
                ("doc_starts", _ref), ("n_doc_starts", ctypes.c_int64), ("offsets", _ref), ("state", _ref),
                ("out", _ref)]


def _declare(library: ctypes.CDLL) -> ctypes.CDLL:
    """The library with its reading kernels' signatures set."""
    library.wv_encode_block.argtypes = [_ref, _ref, _ref]
    library.wv_encode_block.restype = ctypes.c_int
    library.wv_rehash.argtypes = [_ref]
    library.wv_rehash.restype = None
    library.wv_count_lines.argtypes = [_ref, ctypes.c_int64]
    library.wv_count_lines.restype = ctypes.c_int64
    library.wv_find_lines.argtypes = [_ref, ctypes.c_int64, _ref, _ref]
    library.wv_find_lines.restype = None
    library.wv_find_reviews.argtypes = [_ref, ctypes.c_int64, ctypes.c_int, _ref, _ref]
    library.wv_find_reviews.restype = ctypes.c_int64
    library.wv_remap_range.argtypes = [_ref]
    library.wv_remap_range.restype = ctypes.c_int64
    return library


@functools.cache
def _library() -> ctypes.CDLL:
    """The compiled library, its reading kernels declared (once)."""
    return _declare(load())


def _address(array: np.ndarray) -> int:
    return array.ctypes.data


def new_table(n_slots: int, arena_bytes: int) -> tuple:
    """The arrays of an empty table of ``n_slots`` slots and ``arena_bytes`` bytes (at least 64)."""
    return (np.zeros((n_slots, 2), dtype=np.uint64), np.zeros(n_slots * 3 // 4 + 2, dtype=np.int64),
            np.empty(max(arena_bytes, 64), dtype=np.uint8), np.zeros(3, dtype=np.int64))


def _words(table: tuple) -> _Words:
    """The C view of a table ``(slots, starts, arena, sizes)``, its arrays checked (the kernel writes them)."""
    slots, starts, arena, sizes = (_checked(table[0], np.uint64), _checked(table[1], np.int64),
                                   _checked(table[2], np.uint8), _checked(table[3], np.int64))
    n_slots = slots.shape[0]
    if slots.ndim != 2 or slots.shape[1] != 2 or n_slots < 1 or n_slots & (n_slots - 1):
        raise ValueError("a table's slots must be a power of two of (key, row) pairs")
    if (starts.shape[0] < n_slots * 3 // 4 + 2 or sizes.shape[0] < 2 or not 0 <= sizes[0] <= n_slots * 3 // 4
            or not 0 <= sizes[1] <= arena.shape[0]):
        raise ValueError("a table's starts, arena and sizes do not fit its slots")
    return _Words(_address(slots), n_slots, _address(starts), _address(arena), arena.shape[0], _address(sizes))


def _grown(table: tuple, more_bytes: int) -> tuple:
    """A table with room for one more row and ``more_bytes`` more bytes, rows kept (new arrays but
    ``sizes``; ``slots`` too are kept while they have room)."""
    slots, starts, arena, sizes = table
    n_rows, used = int(sizes[0]), int(sizes[1])
    n_slots = slots.shape[0]
    while 4 * (n_rows + 1) > 3 * n_slots:
        n_slots *= 2
    new_slots, new_starts, new_arena, _ = new_table(n_slots, max(arena.shape[0], 2 * (used + more_bytes)))
    new_arena[:used] = arena[:used]
    new_starts[:n_rows + 1] = starts[:n_rows + 1]
    if n_slots == slots.shape[0]:
        return slots, new_starts, new_arena, sizes
    grown = (new_slots, new_starts, new_arena, sizes)
    _library().wv_rehash(ctypes.byref(_words(grown)))
    return grown


def _within(ranges: np.ndarray, size: int) -> bool:
    """Whether every ``(start, end)`` pair in the rows of ``ranges`` lies in ``[0, size]``, start first."""
    return ranges.shape[0] == 0 or bool(ranges.min() >= 0 and ranges.max() <= size
                                        and np.all(ranges[:, 0] <= ranges[:, 1]))


def encode_block(buf, docs, hard, replaced, table, fold):
    """Number the words of a block's documents in the table of words seen so far.

    ``table`` is ``(slots, starts, arena, sizes)`` (:class:`Words`); ``replaced`` is
    ``(replacements, replacement_starts)``: the text of the hard documents, cleaned in Python.
    Returns ``(slots, starts, arena, ids, lengths)``, the table's arrays new ones where it grew
    (``sizes`` is updated in place): ``ids`` the rows of the words in reading order, ``lengths``
    the number of words of each document that has any.
    """
    buf, fold = np.ascontiguousarray(buf, np.uint8), np.ascontiguousarray(fold, np.uint8)
    docs, hard = np.ascontiguousarray(docs, np.int64), np.ascontiguousarray(hard, np.uint8)
    replacements = np.ascontiguousarray(replaced[0], np.uint8)
    replacement_starts = np.ascontiguousarray(replaced[1], np.int64)
    if docs.ndim != 2 or docs.shape[1] != 4:
        raise ValueError("docs must have four columns")
    n_docs = docs.shape[0]
    if (fold.shape[0] != 256 or hard.shape[0] != n_docs or not _within(docs[:, :2], buf.shape[0])
            or not _within(docs[:, 2:], buf.shape[0]) or np.count_nonzero(hard) > max(replacement_starts.shape[0] - 1, 0)
            or not _within(np.stack([replacement_starts[:-1], replacement_starts[1:]], 1), replacements.shape[0])):
        raise ValueError("documents or replacements outside their buffers")
    room = (replacements.shape[0] // 2 + n_docs + 1  # a word takes a byte and a separator, or ends a range
            + int(((docs[:, 1] - docs[:, 0] + 1) // 2).sum() + ((docs[:, 3] - docs[:, 2] + 1) // 2).sum()))
    ids = np.empty(room, dtype=np.int32)
    tally = np.zeros(n_docs + 3, dtype=np.int64)
    block = _Block(_address(buf), _address(docs), _address(hard), n_docs, _address(replacements),
                   _address(replacement_starts), _address(fold))
    at = _Encoding(_address(ids), _address(tally), tally.shape[0], 0, 0, 0, -1, 0)
    table = tuple(table)
    while _library().wv_encode_block(ctypes.byref(_words(table)), ctypes.byref(block), ctypes.byref(at)) == _GROW:
        table = _grown(table, at.more_bytes)
    slots, starts, arena, _ = table
    return slots, starts, arena, ids[:tally[0]], tally[3:3 + tally[2]].copy()


def _documents_of(buf) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``buf`` as a contiguous byte array, and zeroed ``docs`` and ``hard`` with a row per line."""
    buf = np.ascontiguousarray(buf, np.uint8)
    n_lines = _library().wv_count_lines(_address(buf), buf.shape[0])
    return buf, np.zeros((n_lines, 4), dtype=np.int64), np.zeros(n_lines, dtype=np.uint8)


def find_lines(buf) -> tuple[np.ndarray, np.ndarray]:
    """The lines of a block of plain text as documents: ``(docs, hard)`` as :func:`encode_block` takes them.

    A line ends at a line feed (not kept); it is hard when it holds a byte outside ASCII.
    """
    buf, docs, hard = _documents_of(buf)
    _library().wv_find_lines(_address(buf), buf.shape[0], _address(docs), _address(hard))
    return docs, hard


def find_reviews(buf, include_summary: bool) -> tuple[np.ndarray, np.ndarray]:
    """The reviews of a block in the SNAP layout: ``(docs, hard)`` as :func:`encode_block` takes them.

    A document is the rest of a ``review/text:`` line, after the rest of the last
    ``review/summary:`` line since the previous text when ``include_summary``. It is hard when
    either part holds a byte outside ASCII, or the summary holds a ``<`` (a tag could run on into
    the text).

    Examples
    --------
    >>> block = bytearray(b"review/summary: Ok <b\\nreview/text: Tea\\nreview/text: Caf\\xc3\\xa9\\n")
    >>> docs, hard = find_reviews(np.frombuffer(block, dtype=np.uint8), True)
    >>> docs.tolist(), hard.tolist()
    ([[15, 21, 34, 38], [0, 0, 51, 57]], [1, 1])
    """
    buf, docs, hard = _documents_of(buf)
    found = _library().wv_find_reviews(_address(buf), buf.shape[0], int(bool(include_summary)), _address(docs),
                                     _address(hard))
    return docs[:found], hard[:found]


def remap_range(ids, first, remap, doc_starts, offsets, state, out) -> int:
    """Rows ``remap[ids]`` into ``out``, those mapped to 0 left out; returns how many were kept.

    ``ids`` are the corpus' ids from position ``first``; ``state`` holds the next document and the
    rows kept so far, carried from range to range; every document starting in the range (at
    ``doc_starts[d]``) gets ``offsets[d]``, the rows kept before it. ``offsets``, ``state`` and
    ``out`` are written in place; ``ids`` must be below ``remap``'s size.
    """
    ids, remap = np.ascontiguousarray(ids, np.int32), np.ascontiguousarray(remap, np.int32)
    doc_starts = np.ascontiguousarray(doc_starts, np.int64)
    offsets, state, out = _checked(offsets, np.int64), _checked(state, np.int64), _checked(out, np.int32)
    if out.shape[0] < ids.shape[0] or offsets.shape[0] < doc_starts.shape[0] or state.shape[0] < 2:
        raise ValueError("out, offsets or state too small")
    arguments = _Remap(_address(ids), ids.shape[0], int(first), _address(remap), _address(doc_starts),
                       doc_starts.shape[0], _address(offsets), _address(state), _address(out))
    return int(_library().wv_remap_range(ctypes.byref(arguments)))


class Words(NamedTuple):
    """The words of a block or of a corpus, numbered from 0 in order of first appearance.

    ``slots`` is an open-addressing table (linear probing, at most three quarters full) of
    ``(key, row + 1)`` pairs, 0 where empty; a word's key is its bytes (words of up to 7 bytes,
    which never hold a 0 byte) or its hash with the top bit set. ``arena`` holds the words (UTF-8)
    one after another, each followed by a space: word ``r`` is ``arena[starts[r]:starts[r + 1] - 1]``.
    ``sizes`` holds the number of rows and of arena bytes used (its third number is unused). (Words
    are not counted here: counting them from the corpus' ids at the end costs less than a count per
    word looked up.)
    """

    slots: np.ndarray
    starts: np.ndarray
    arena: np.ndarray
    sizes: np.ndarray

    @classmethod
    def empty(cls, n_slots: int = 1 << 16, arena_bytes: int = 1 << 20) -> "Words":
        """A table of ``n_slots`` slots (a power of two; room for ``3 * n_slots // 4`` words) and ``arena_bytes`` bytes."""
        return cls(*new_table(n_slots, arena_bytes))

    def words(self, rows) -> list[str]:
        """The words of some rows, as strings."""
        rows = np.asarray(rows, dtype=np.int64)
        arena = self.arena[:self.sizes[1]].tobytes()
        spans = zip(self.starts[rows].tolist(), self.starts[rows + 1].tolist())
        return [arena[start:end - 1].decode("utf-8", "surrogatepass") for start, end in spans]


def fold_table() -> np.ndarray:
    """Per byte: 0 where it separates words (NUL, ASCII whitespace, the Keras filters), else its lower case.

    Computed from the definitions of :func:`~wordvec.text.tokenize` and
    :func:`~wordvec.text.clean_text` (which turns NUL into a space). No byte of a word is 0.

    Examples
    --------
    >>> fold = fold_table()
    >>> chr(fold[ord("Q")]), int(fold[ord(",")]), chr(fold[ord("'")])
    ('q', 0, "'")
    """
    from ..text import KERAS_FILTERS

    fold = np.arange(256, dtype=np.uint8)
    fold[ord("A"):ord("Z") + 1] += 32
    for byte in range(128):
        if chr(byte).isspace() or chr(byte) in KERAS_FILTERS or byte == 0:
            fold[byte] = 0
    return fold


def encode(buf, docs, hard, replaced, words: Words, fold) -> tuple[Words, np.ndarray, np.ndarray]:
    """:func:`encode_block` on :class:`Words`: ``(words, ids, lengths)``, ``words`` grown by the block's new words.

    ``replaced`` is ``(replacements, replacement_starts)``. Rows already in ``words`` keep their
    numbers and bytes (a table that grows is copied), so what was read of them stays valid.

    Examples
    --------
    >>> buf = np.frombuffer(bytearray(b"b a b"), dtype=np.uint8)
    >>> none = (np.zeros(0, np.uint8), np.zeros(1, np.int64))
    >>> words, ids, lengths = encode(buf, np.array([[0, 0, 0, 5]]), np.zeros(1, np.uint8), none,
    ...                              Words.empty(16, 64), fold_table())
    >>> words.words([0, 1]), ids.tolist(), lengths.tolist()
    (['b', 'a'], [0, 1, 0], [3])
    """
    slots, starts, arena, ids, lengths = encode_block(buf, docs, hard, replaced, tuple(words), fold)
    return Words(slots, starts, arena, words.sizes), ids, lengths


def merge(total: Words, text: np.ndarray, fold) -> tuple[Words, np.ndarray]:
    """Look up the words of ``text`` (words each followed by a space) in ``total``, adding new ones.

    Returns ``(total, the row of each word)``: ``text`` is encoded as one document. New words are
    added in the order of ``text``, so
    merging the new words of each block in reading order numbers every word by its first
    appearance in the whole corpus.

    Examples
    --------
    >>> fold = fold_table()
    >>> total, rows = merge(Words.empty(16, 64), np.frombuffer(bytearray(b"tea cup "), np.uint8), fold)
    >>> total, rows = merge(total, np.frombuffer(bytearray(b"mug tea "), np.uint8), fold)
    >>> rows.tolist(), total.words([0, 1, 2])
    ([2, 0], ['tea', 'cup', 'mug'])
    """
    whole = np.array([[0, 0, 0, text.shape[0]]], dtype=np.int64)
    none = (np.zeros(0, dtype=np.uint8), np.zeros(1, dtype=np.int64))
    total, numbers, _ = encode(text, whole, np.zeros(1, dtype=np.uint8), none, total, fold)
    return total, numbers
