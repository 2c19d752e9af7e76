"""The reading kernels in Numba: used where the compiled library is not built (or ``WORDVEC_KERNELS=numba``).

:mod:`wordvec._text_kernels` describes what they do and picks these or the same kernels in C
(``csrc/text.c``), which give the same results byte for byte. Importing this module imports
Numba, so only :mod:`wordvec._text_kernels` imports it, and only when it needs it.

The kernels take plain arrays, and the per-word table lookup is written out in the loop that
splits words (:func:`_encode_range`) rather than called: in Numba a call passing arrays costs
more than the lookup itself.

>>> import numpy as np
>>> docs, hard = find_lines(np.frombuffer(bytearray(b"Tea\\n\\ncaf\\xc3\\xa9"), dtype=np.uint8))
>>> docs.tolist(), hard.tolist()
([[0, 0, 0, 3], [0, 0, 4, 4], [0, 0, 5, 10]], [0, 0, 1])
"""

from __future__ import annotations

import numpy as np
from numba import njit

_OPTS = dict(cache=True, nogil=True, boundscheck=False)
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_LONG = np.uint64(1 << 63)
_SHORT = 7
_U8 = np.uint64(8)
_U32 = np.uint64(32)
_NEWLINE = 10
_SPACE = 32
_TAG_OPEN = 60
_TAG_CLOSE = 62
_TAG_MAX_INSIDE = 200
_SNAP_TEXT = np.frombuffer(bytearray(b"review/text:"), dtype=np.uint8)
_SNAP_SUMMARY = np.frombuffer(bytearray(b"review/summary:"), dtype=np.uint8)


def compiled() -> bool:
    """Whether the main kernels are compiled: in this process, or in Numba's cache (from its index files).

    A guess that errs towards False (then the caller may pick another way to read).
    """
    kernels = (encode_block, remap_range)
    try:
        return all(kernel.signatures or kernel._cache._cache_file._load_index() for kernel in kernels)
    except Exception:  # Numba's cache internals differ in this release
        return False


# --- the table -------------------------------------------------------------------------------------

def new_table(n_slots: int, arena_bytes: int) -> tuple:
    """The arrays of an empty table of ``n_slots`` slots and ``arena_bytes`` bytes (at least 64)."""
    return _new_table(n_slots, arena_bytes)


@njit(**_OPTS)
def _new_table(n_slots, arena_bytes):
    """The arrays of an empty table: ``(slots, starts, arena, sizes)`` (:class:`~wordvec._text_kernels.Words`)."""
    return (np.zeros((n_slots, 2), dtype=np.uint64), np.zeros(n_slots * 3 // 4 + 2, dtype=np.int64),
            np.empty(max(arena_bytes, 64), dtype=np.uint8), np.zeros(3, dtype=np.int64))


@njit(**_OPTS)
def _word_key(src, start, end):
    """The key of the word ``src[start:end]`` (lower case already; see :class:`~wordvec._text_kernels.Words`)."""
    key = np.uint64(0)
    if end - start <= _SHORT:
        for k in range(end - start):
            key |= np.uint64(src[start + k]) << (_U8 * np.uint64(k))
        return key
    key = _FNV_OFFSET
    for i in range(start, end):
        key = (key ^ np.uint64(src[i])) * _FNV_PRIME
    return key | _LONG


@njit(**_OPTS)
def _grown(slots, starts, arena, sizes, more_bytes):
    """A table with room for one more row and ``more_bytes`` more bytes: ``(slots, starts, arena)``."""
    n_rows, used = sizes[0], sizes[1]
    n_slots = slots.shape[0]
    while 4 * (n_rows + 1) > 3 * n_slots:
        n_slots *= 2
    new_slots, new_starts, new_arena, _ = _new_table(n_slots, max(arena.shape[0], 2 * (used + more_bytes)))
    for i in range(used):
        new_arena[i] = arena[i]
    for row in range(n_rows + 1):
        new_starts[row] = starts[row]
    if n_slots == slots.shape[0]:
        return slots, new_starts, new_arena
    mask = n_slots - 1
    for row in range(n_rows):
        key = _word_key(new_arena, new_starts[row], new_starts[row + 1] - 1)
        slot = np.int64(((key * _MIX) >> _U32) & np.uint64(mask))
        while new_slots[slot, 1] != 0:
            slot = (slot + 1) & mask
        new_slots[slot, 0], new_slots[slot, 1] = key, row + 1
    return new_slots, new_starts, new_arena


# --- words of a document ---------------------------------------------------------------------------

@njit(**_OPTS)
def _after_tag(src, start, end):
    """Where reading goes on after the ``<`` at ``start``: past its tag (``<[^<>]{0,200}>``), or the next byte."""
    for i in range(start + 1, min(end, start + _TAG_MAX_INSIDE + 2)):
        if src[i] == _TAG_CLOSE:
            return i + 1
        if src[i] == _TAG_OPEN or src[i] == _NEWLINE:  # a tag never runs on to the next document
            break
    return start + 1


@njit(**_OPTS)
def _encode_range(src, span, table, fold, ids, tally):
    """Append the rows of the words of ``src[span[0]:span[1]]`` to ``ids``, in the table
    ``(slots, starts, arena, sizes)``.

    Words are split at the bytes ``fold`` maps to 0, and ``<`` starts a tag when one follows;
    other bytes (those from ``0x80`` up too) are word bytes, lower-cased by ``fold``. ``tally`` is
    ``[words written to ids, where the current document started in ids, documents with words,
    their sizes...]``: a line feed ends a document, and so does the end of the range when
    ``span[2]`` (no more documents are recorded than ``tally`` has room for). Returns where it stopped: ``span[1]``, or where a new word was met with the table
    full (grow it and go on from there). The table lookup is written out here, not called: a call
    passing arrays costs more than the lookup itself, and this runs for every word.
    """
    slots, starts, arena, sizes = table
    i, end, closes = span
    n_ids, mask = tally[0], slots.shape[0] - 1
    while i < end:
        if fold[src[i]] == 0:
            if src[i] == _NEWLINE and n_ids > tally[1] and 3 + tally[2] < tally.shape[0]:
                tally[3 + tally[2]], tally[1], tally[2] = n_ids - tally[1], n_ids, tally[2] + 1
            i = _after_tag(src, i, end) if src[i] == _TAG_OPEN else i + 1
            continue
        packed, hashed, j = np.uint64(0), _FNV_OFFSET, i
        while j < end and fold[src[j]] != 0:
            folded = np.uint64(fold[src[j]])
            hashed = (hashed ^ folded) * _FNV_PRIME
            if j - i < _SHORT:
                packed |= folded << (_U8 * np.uint64(j - i))
            j += 1
        key = packed if j - i <= _SHORT else hashed | _LONG
        slot = np.int64(((key * _MIX) >> _U32) & np.uint64(mask))
        while slots[slot, 1] != 0:
            if slots[slot, 0] == key:
                if j - i <= _SHORT:
                    break
                first = starts[np.int64(slots[slot, 1]) - 1]
                k = 0 if starts[np.int64(slots[slot, 1])] - 1 - first == j - i else j - i + 1
                while k < j - i and arena[first + k] == fold[src[i + k]]:
                    k += 1
                if k == j - i:
                    break
            slot = (slot + 1) & mask
        row = np.int64(slots[slot, 1]) - 1
        if row < 0:
            row, used = sizes[0], sizes[1]
            if 4 * (row + 1) > 3 * slots.shape[0] or used + j - i + 1 > arena.shape[0]:
                break
            for k in range(j - i):
                arena[used + k] = fold[src[i + k]]
            arena[used + j - i] = _SPACE
            slots[slot, 0], slots[slot, 1] = key, row + 1
            starts[row + 1] = used + j - i + 1
            sizes[0], sizes[1] = row + 1, used + j - i + 1
        ids[n_ids] = row
        n_ids += 1
        i = j
    tally[0] = n_ids
    if i >= end and closes and n_ids > tally[1] and 3 + tally[2] < tally.shape[0]:
        tally[3 + tally[2]], tally[1], tally[2] = n_ids - tally[1], n_ids, tally[2] + 1
    return i


@njit(**_OPTS)
def encode_block(buf, docs, hard, replaced, table, fold):
    """Number the words of a block's documents in the table of words seen so far.

    Document ``d`` is ``buf[docs[d, 0]:docs[d, 1]]`` then ``buf[docs[d, 2]:docs[d, 3]]`` (a review's
    summary and text), or, where ``hard[d]``, the next replacement (``replaced`` is
    ``(replacements, starts)``: replacement ``k`` is ``replacements[starts[k]:starts[k + 1]]``).
    Documents that are consecutive lines (no summary) are read in one go, the line feeds between
    them ending each. ``table`` is ``(slots, starts, arena, sizes)`` (:class:`~wordvec._text_kernels.Words`); new words are
    added to it. Returns ``(slots, starts, arena, ids, lengths)``: the table's arrays (new ones if
    it grew; ``sizes`` is updated in place), the rows of the block's words in order, and the number
    of words of each document that has any (documents without words are left out).
    """
    replacements, replacement_starts = replaced
    n_docs = docs.shape[0]
    room = replacements.shape[0] // 2 + n_docs + 1  # a word takes a byte and a separator, or ends a range
    for d in range(n_docs):
        room += (docs[d, 1] - docs[d, 0] + 1) // 2 + (docs[d, 3] - docs[d, 2] + 1) // 2
    ids = np.empty(room, dtype=np.int32)
    tally = np.zeros(n_docs + 3, dtype=np.int64)
    d = k = 0
    while d < n_docs:
        last = d
        if hard[d]:
            src, span, k = replacements, (replacement_starts[k], replacement_starts[k + 1], True), k + 1
        else:
            while (last + 1 < n_docs and not hard[last + 1] and docs[last + 1, 1] == docs[last + 1, 0]
                   and docs[last + 1, 2] == docs[last, 3] + 1):
                last += 1
            src, span = buf, (docs[d, 2], docs[last, 3], True)
            if docs[d, 1] > docs[d, 0]:
                table = _encode_all(buf, (docs[d, 0], docs[d, 1], False), table, fold, ids, tally)
        table = _encode_all(src, span, table, fold, ids, tally)
        d = last + 1
    slots, starts, arena, sizes = table
    return slots, starts, arena, ids[:tally[0]], tally[3:3 + tally[2]].copy()


@njit(**_OPTS)
def _encode_all(src, span, table, fold, ids, tally):
    """:func:`_encode_range` on the whole span, growing the table as needed; returns the table."""
    start, end, closes = span
    while True:
        start = _encode_range(src, (start, end, closes), table, fold, ids, tally)
        if start >= end:
            return table
        slots, starts, arena, sizes = table
        slots, starts, arena = _grown(slots, starts, arena, sizes, end - start)
        table = (slots, starts, arena, sizes)


# --- documents of a block --------------------------------------------------------------------------

@njit(**_OPTS)
def _count_lines(buf):
    n = 0
    for byte in buf:
        if byte == _NEWLINE:
            n += 1
    if buf.shape[0] and buf[buf.shape[0] - 1] != _NEWLINE:
        n += 1
    return n


@njit(**_OPTS)
def find_lines(buf):
    """The lines of a block of plain text as documents: ``(docs, hard)`` as :func:`encode_block` takes them.

    A line ends at a line feed (not kept); it is hard when it holds a byte outside ASCII.
    """
    n = _count_lines(buf)
    docs = np.zeros((n, 4), dtype=np.int64)
    hard = np.zeros(n, dtype=np.uint8)
    start = 0
    k = 0
    seen = np.uint8(0)
    for i in range(buf.shape[0]):
        byte = buf[i]
        if byte == _NEWLINE:
            docs[k, 2], docs[k, 3], hard[k] = start, i, seen >> 7
            k += 1
            start = i + 1
            seen = np.uint8(0)
        else:
            seen |= byte
    if start < buf.shape[0]:
        docs[k, 2], docs[k, 3], hard[k] = start, buf.shape[0], seen >> 7
    return docs, hard


def find_reviews(buf: np.ndarray, include_summary: bool) -> tuple[np.ndarray, np.ndarray]:
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
    return _find_reviews(buf, include_summary, _SNAP_SUMMARY, _SNAP_TEXT)


@njit(**_OPTS)
def _find_reviews(buf, include_summary, summary_prefix, text_prefix):
    """:func:`find_reviews`, the two line prefixes passed in (compared here, not called: a call per
    line passing arrays would cost more than the comparison)."""
    n = _count_lines(buf)
    docs = np.zeros((n, 4), dtype=np.int64)
    hard = np.zeros(n, dtype=np.uint8)
    summary_start = summary_end = -1
    summary_hard = False
    k = 0
    start = 0
    while start < buf.shape[0]:
        end, seen, tagged = start, np.uint8(0), False
        while end < buf.shape[0] and buf[end] != _NEWLINE:
            seen |= buf[end]
            tagged |= buf[end] == _TAG_OPEN
            end += 1
        is_summary = end - start >= summary_prefix.shape[0]
        is_text = end - start >= text_prefix.shape[0]
        for i in range(summary_prefix.shape[0]):
            is_summary = is_summary and buf[start + i] == summary_prefix[i]
            is_text = is_text and (i >= text_prefix.shape[0] or buf[start + i] == text_prefix[i])
        if is_summary:
            summary_start, summary_end = start + summary_prefix.shape[0], end
            summary_hard = seen >= 0x80 or tagged
        elif is_text:
            docs[k, 2], docs[k, 3], hard[k] = start + text_prefix.shape[0], end, seen >> 7
            if include_summary and summary_start >= 0:
                docs[k, 0], docs[k, 1] = summary_start, summary_end
                hard[k] |= summary_hard
            summary_start = summary_end = -1
            k += 1
        start = end + 1
    return docs[:k], hard[:k]


# --- the corpus in vocabulary rows -----------------------------------------------------------------

@njit(**_OPTS)
def remap_range(ids, first, remap, doc_starts, offsets, state, out):
    """Rows ``remap[ids]`` into ``out``, those mapped to 0 left out; returns how many were kept.

    ``ids`` are the corpus' ids from position ``first``; ``state`` holds the next document and the
    rows kept so far, carried from range to range; every document starting in the range (at
    ``doc_starts[d]``) gets ``offsets[d]``, the rows kept before it.
    """
    doc, kept = state[0], state[1]
    n_kept = 0
    for i in range(ids.shape[0]):
        while doc < doc_starts.shape[0] and doc_starts[doc] == first + i:
            offsets[doc] = kept + n_kept
            doc += 1
        row = remap[ids[i]]
        if row > 0:
            out[n_kept] = row
            n_kept += 1
    state[0], state[1] = doc, kept + n_kept
    return n_kept
