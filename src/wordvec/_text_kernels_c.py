"""The reading kernels of the compiled library (``csrc/text.c``), through ctypes, without Numba.

The same kernels, taking and giving the same arrays, as :mod:`wordvec._text_kernels_numba`, with
the same results byte for byte; :mod:`wordvec._text_kernels` picks these when :func:`available`.
The C code allocates nothing: the arrays are made here, and when a table of words is full the
kernel stops, a larger table is made here (:func:`_grown`) and the kernel goes on where it stopped.
ctypes releases the GIL during each call, so encoding threads run at once.

>>> import numpy as np
>>> if available():
...     docs, hard = find_lines(np.frombuffer(bytearray(b"Tea\\n\\ncaf\\xc3\\xa9"), dtype=np.uint8))
...     print(docs.tolist(), hard.tolist())
... else:
...     print([[0, 0, 0, 3], [0, 0, 4, 4], [0, 0, 5, 10]], [0, 0, 1])
[[0, 0, 0, 3], [0, 0, 4, 4], [0, 0, 5, 10]] [0, 0, 1]
"""

from __future__ import annotations

import ctypes

import numpy as np

from . import _library
from ._library import checked_array as _checked

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


def _declare(library: ctypes.CDLL | None) -> ctypes.CDLL | None:
    """The library with its reading kernels' signatures set; None where it is missing or lacks them."""
    if library is None:
        return None
    try:
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
    except AttributeError:  # a library built before these kernels
        return None
    return library


_LIBRARY = _declare(_library.load())


def available() -> bool:
    """Whether the compiled reading kernels were built and load on this machine."""
    return _LIBRARY is not None


def compiled() -> bool:
    """Always True: these kernels need no compiling at run time."""
    return True


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
    _LIBRARY.wv_rehash(ctypes.byref(_words(grown)))
    return grown


def _within(ranges: np.ndarray, size: int) -> bool:
    """Whether every ``(start, end)`` pair in the rows of ``ranges`` lies in ``[0, size]``, start first."""
    return ranges.shape[0] == 0 or bool(ranges.min() >= 0 and ranges.max() <= size
                                        and np.all(ranges[:, 0] <= ranges[:, 1]))


def encode_block(buf, docs, hard, replaced, table, fold):
    """Number the words of a block's documents in the table of words seen so far.

    Takes and gives what :func:`wordvec._text_kernels_numba.encode_block` does: returns
    ``(slots, starts, arena, ids, lengths)``, the table's arrays new ones where it grew.
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
    while _LIBRARY.wv_encode_block(ctypes.byref(_words(table)), ctypes.byref(block), ctypes.byref(at)) == _GROW:
        table = _grown(table, at.more_bytes)
    slots, starts, arena, _ = table
    return slots, starts, arena, ids[:tally[0]], tally[3:3 + tally[2]].copy()


def _documents_of(buf) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``buf`` as a contiguous byte array, and zeroed ``docs`` and ``hard`` with a row per line."""
    buf = np.ascontiguousarray(buf, np.uint8)
    n_lines = _LIBRARY.wv_count_lines(_address(buf), buf.shape[0])
    return buf, np.zeros((n_lines, 4), dtype=np.int64), np.zeros(n_lines, dtype=np.uint8)


def find_lines(buf) -> tuple[np.ndarray, np.ndarray]:
    """The lines of a block of plain text as documents: ``(docs, hard)`` as :func:`encode_block` takes them.

    A line ends at a line feed (not kept); it is hard when it holds a byte outside ASCII.
    """
    buf, docs, hard = _documents_of(buf)
    _LIBRARY.wv_find_lines(_address(buf), buf.shape[0], _address(docs), _address(hard))
    return docs, hard


def find_reviews(buf, include_summary: bool) -> tuple[np.ndarray, np.ndarray]:
    """The reviews of a block in the SNAP layout: ``(docs, hard)`` as :func:`encode_block` takes them.

    As :func:`wordvec._text_kernels_numba.find_reviews` finds them.
    """
    buf, docs, hard = _documents_of(buf)
    found = _LIBRARY.wv_find_reviews(_address(buf), buf.shape[0], int(bool(include_summary)), _address(docs),
                                     _address(hard))
    return docs[:found], hard[:found]


def remap_range(ids, first, remap, doc_starts, offsets, state, out) -> int:
    """Rows ``remap[ids]`` into ``out``, those mapped to 0 left out; returns how many were kept.

    As :func:`wordvec._text_kernels_numba.remap_range` does (``offsets``, ``state`` and ``out``
    are written in place; ``ids`` must be below ``remap``'s size).
    """
    ids, remap = np.ascontiguousarray(ids, np.int32), np.ascontiguousarray(remap, np.int32)
    doc_starts = np.ascontiguousarray(doc_starts, np.int64)
    offsets, state, out = _checked(offsets, np.int64), _checked(state, np.int64), _checked(out, np.int32)
    if out.shape[0] < ids.shape[0] or offsets.shape[0] < doc_starts.shape[0] or state.shape[0] < 2:
        raise ValueError("out, offsets or state too small")
    arguments = _Remap(_address(ids), ids.shape[0], int(first), _address(remap), _address(doc_starts),
                       doc_starts.shape[0], _address(offsets), _address(state), _address(out))
    return int(_LIBRARY.wv_remap_range(ctypes.byref(arguments)))
