"""Rows and words as every format reads and writes them.

The rows an export writes (``UNK`` left out unless asked for), the words of
a file decoded from UTF-8 (bytes that are not UTF-8 kept as ``\\xNN``
escapes, with a warning), a file's vectors with a word listed twice keeping
its first vector, and the NaN and infinity check of every float array read.

>>> import numpy as np
>>> first_non_finite_row(np.array([[1.0, 2.0], [np.nan, 0.0]]))
1
>>> decode_joined(b"tea cup", b" ", 2)
['tea', 'cup']
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from ..errors import ModelFormatError, ParameterError
from ..vectors import SubwordVectors, Vectors


def exported_rows(vectors: Vectors, include_unknown: bool) -> list[int]:
    """The rows an export writes: every word, ``UNK`` only when asked for."""
    return [i for i, w in enumerate(vectors.words) if include_unknown or w != vectors.unknown]


#: Values checked for NaN and infinity at a time (a block of rows), so the check takes little memory.
_FINITE_BLOCK = 1 << 22


def first_non_finite_row(array: np.ndarray, start: int = 0, stop: int | None = None) -> int | None:
    """The first row of ``array[start:stop]`` that holds NaN or an infinite value, or None.

    One pass, a block of rows at a time: a memory-mapped array is read once and never copied whole.
    """
    stop = array.shape[0] if stop is None else stop
    if array.size == 0 or stop <= start:
        return None
    rows = max(1, _FINITE_BLOCK // (array.size // array.shape[0]))
    for first in range(start, stop, rows):
        finite = np.isfinite(array[first:min(first + rows, stop)])
        if not finite.all():
            return first + int(np.argmin(finite.reshape(finite.shape[0], -1).all(axis=1)))
    return None


def decode_joined(joined: bytes, sep: bytes, count: int) -> list[str]:
    """``count`` UTF-8 words joined by ``sep``; bytes that are not UTF-8 are kept as ``\\xNN`` escapes."""
    if not count:
        return []
    try:
        words = joined.decode("utf-8").split(sep.decode())
        if len(words) == count:
            return words
    except UnicodeDecodeError:
        pass
    raw = joined.split(sep)
    words = [w.decode("utf-8", "backslashreplace") for w in raw]
    bad = sum(1 for w, r in zip(words, raw) if len(w.encode("utf-8")) != len(r))
    if bad:
        warnings.warn(f"{bad} words are not valid UTF-8; their other bytes are kept as \\xNN escapes",
                      stacklevel=5)
    return words


def decode_words(raw: list) -> list[str]:
    """Words given as bytes, decoded as :func:`decode_joined` does."""
    return decode_joined(b"\n".join(raw), b"\n", len(raw))


def _new_vectors(words: list[str], matrix: np.ndarray, counts, subwords: dict | None) -> Vectors:
    if subwords is None:
        return Vectors(words, matrix, counts=counts)
    return SubwordVectors(words, matrix, subwords["ngram_rows"], subwords["bucket_rows"], min_n=subwords["min_n"],
                          max_n=subwords["max_n"], counts=counts)


def as_vectors(path: Path, words: list[str], matrix: np.ndarray, counts=None, subwords: dict | None = None) -> Vectors:
    """Vectors of a file (subword vectors where ``subwords`` gives their n-gram rows); a word listed
    twice keeps its first vector, as gensim does, with a warning."""
    try:
        return _new_vectors(words, matrix, counts, subwords)
    except ParameterError as err:
        if len(set(words)) == len(words):
            raise ModelFormatError(f"{path}: {err}") from None
        first = {}
        for i, word in enumerate(words):
            first.setdefault(word, i)
        keep = np.fromiter(first.values(), dtype=np.int64, count=len(first))
        warnings.warn(f"{path}: {len(words) - len(keep)} words appear more than once; "
                      "the first vector of each is kept", stacklevel=3)
        return _new_vectors(list(first), matrix[keep], None if counts is None else np.asarray(counts)[keep],
                            subwords)

