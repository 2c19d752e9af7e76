"""The reading kernels: documents found in blocks of bytes, their words numbered and counted.

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

The kernels are those of the compiled library (``csrc/text.c``, :mod:`wordvec._text_kernels_c`)
where it was built, else the same kernels in Numba (:mod:`wordvec._text_kernels_numba`, imported
only then; ``WORDVEC_KERNELS=numba`` asks for them): both give the same results, byte for byte.

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

import importlib
from typing import NamedTuple

import numpy as np

from . import _text_kernels_c

_kernels = _text_kernels_c if _text_kernels_c.available() else importlib.import_module(
    "._text_kernels_numba", __package__)
find_lines = _kernels.find_lines
find_reviews = _kernels.find_reviews
encode_block = _kernels.encode_block
remap_range = _kernels.remap_range

__all__ = ["Words", "compiled", "encode", "encode_block", "find_lines", "find_reviews", "fold_table", "merge",
           "remap_range"]


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
        return cls(*_kernels.new_table(n_slots, arena_bytes))

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
    from .text import KERAS_FILTERS

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


def compiled() -> bool:
    """Whether the kernels are ready to run without compiling: always for the compiled library; for
    Numba, whether they are compiled in this process or in Numba's cache (a guess that errs towards False).

    >>> isinstance(compiled(), bool)
    True
    """
    return _kernels.compiled()
