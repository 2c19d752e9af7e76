"""Character n-grams of words and their hashed buckets, exactly as fastText computes them.

fastText represents a word by the word itself plus the character n-grams of
``<word>`` (``<`` and ``>`` mark its beginning and end), each n-gram hashed
into one of ``buckets`` rows. The rules, from fastText's ``Dictionary``:

- lengths ``min_n`` to ``max_n`` count UTF-8 *characters*: a byte of the form
  ``10xxxxxx`` (a continuation byte) never starts an n-gram and always stays
  with the byte before it;
- the one-character n-grams ``<`` and ``>`` are left out; the whole ``<word>``
  is an n-gram when it is short enough;
- the hash is 32-bit FNV-1a over the n-gram's UTF-8 bytes, except that each
  byte is taken as a *signed* 8-bit number before the exclusive or, so bytes
  from 0x80 up enter as ``0xFFFFFF80``...``0xFFFFFFFF`` (the signed-byte quirk
  that every published fastText model carries);
- the bucket is ``hash % buckets``; fastText stores bucket ``b`` in row
  ``nwords + b`` of its input matrix.

:func:`ngrams` and :func:`ngram_hashes` follow these rules word by word, in
fastText's order (by starting character, then by length);
:func:`ngram_hash_table` computes the same for many words at once with NumPy.

>>> ngrams("where", 3, 4)
['<wh', '<whe', 'whe', 'wher', 'her', 'here', 'ere', 'ere>', 're>']
>>> fasttext_hash(b"<wh")
1048167652
>>> ngram_hashes("where", 3, 3, 1000).tolist()
[652, 941, 420, 33, 498]
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

#: FNV-1a's 32-bit offset basis and prime.
FNV_OFFSET = 2166136261
FNV_PRIME = 16777619
#: The marks fastText puts around a word before cutting it into n-grams.
BOW, EOW = "<", ">"

_MASK = 0xFFFFFFFF


def fasttext_hash(data: bytes) -> int:
    """fastText's 32-bit FNV-1a hash of ``data``, bytes taken as signed.

    Parameters
    ----------
    data : bytes
        The UTF-8 bytes of an n-gram (or of a word: fastText's dictionary
        hashes words the same way).

    Returns
    -------
    int
        The hash, from 0 to 2**32 - 1.

    Examples
    --------
    >>> fasttext_hash(b"")
    2166136261
    >>> fasttext_hash("é".encode()) == fasttext_hash(b"\\xc3\\xa9")
    True
    """
    h = FNV_OFFSET
    for byte in bytes(data):
        h ^= byte | 0xFFFFFF00 if byte >= 0x80 else byte  # int8 -> uint32: the sign fills the high bits
        h = (h * FNV_PRIME) & _MASK
    return h


def _check_lengths(min_n: int, max_n: int) -> None:
    from .errors import ParameterError

    for name, value in (("min_n", min_n), ("max_n", max_n)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ParameterError.out_of_range(name, value, "an integer of at least 0")


def _byte_ngrams(marked: bytes, min_n: int, max_n: int) -> list[bytes]:
    """The n-grams of an already marked word (``<word>`` as UTF-8), fastText's loop."""
    out = []
    size = len(marked)
    for i in range(size):
        if marked[i] & 0xC0 == 0x80:  # a continuation byte starts no n-gram
            continue
        j, n = i, 1
        while j < size and n <= max_n:
            j += 1
            while j < size and marked[j] & 0xC0 == 0x80:
                j += 1
            if n >= min_n and not (n == 1 and (i == 0 or j == size)):
                out.append(marked[i:j])
            n += 1
    return out


def ngrams(word: str, min_n: int, max_n: int) -> list[str]:
    """The character n-grams fastText uses for ``word``, in fastText's order.

    Parameters
    ----------
    word : str
        The word, without marks.
    min_n, max_n : int
        Shortest and longest n-gram, in characters (``max_n=0``: none).

    Returns
    -------
    list of str
        N-grams of ``<word>``, by starting character then by length; an
        n-gram occurring twice is listed twice (fastText counts it twice).

    Examples
    --------
    >>> ngrams("café", 3, 3)
    ['<ca', 'caf', 'afé', 'fé>']
    >>> ngrams("a", 1, 3)
    ['<a', '<a>', 'a', 'a>']
    """
    _check_lengths(min_n, max_n)
    marked = (BOW + word + EOW).encode("utf-8", "surrogateescape")
    return [g.decode("utf-8", "surrogateescape") for g in _byte_ngrams(marked, min_n, max_n)]


def ngram_hashes(word, min_n: int, max_n: int, buckets: int) -> np.ndarray:
    """The buckets of ``word``'s n-grams: ``fasttext_hash(ngram) % buckets``, in :func:`ngrams` order.

    Parameters
    ----------
    word : str or bytes
        The word, without marks (bytes: its UTF-8 form, taken as it is).
    min_n, max_n : int
        Shortest and longest n-gram, in characters.
    buckets : int
        Number of hash buckets (fastText's ``bucket``); 0 gives no n-grams.

    Returns
    -------
    ndarray of int64
        Bucket of each n-gram; fastText's row is ``nwords + bucket``.

    Examples
    --------
    >>> ngram_hashes("日本語", 3, 3, 2_000_000).tolist()
    [758587, 35559, 1674355]
    """
    _check_lengths(min_n, max_n)
    if buckets <= 0:
        return np.zeros(0, dtype=np.int64)
    raw = word if isinstance(word, (bytes, bytearray)) else word.encode("utf-8", "surrogateescape")
    grams = _byte_ngrams(b"<" + bytes(raw) + b">", min_n, max_n)
    return np.array([fasttext_hash(g) % buckets for g in grams], dtype=np.int64)


def _marked_buffer(words: Sequence) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All words as ``<word>`` UTF-8 bytes in one array, with each word's start and end."""
    raw = [w if isinstance(w, (bytes, bytearray)) else w.encode("utf-8", "surrogateescape") for w in words]
    buffer = np.frombuffer(b"<" + b"><".join(raw) + b">", dtype=np.uint8) if raw else np.zeros(0, np.uint8)
    lengths = np.fromiter((len(w) + 2 for w in raw), dtype=np.int64, count=len(raw))
    ends = np.cumsum(lengths)
    return buffer, ends - lengths, ends


def ngram_hash_table(words: Sequence, min_n: int, max_n: int, buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`ngram_hashes` of many words at once, as a compressed sparse row table.

    All n-grams of all words are hashed together with NumPy, one byte
    position per step, so a vocabulary of millions of words takes seconds.

    Parameters
    ----------
    words : sequence of str or bytes
    min_n, max_n : int
        Shortest and longest n-gram, in characters.
    buckets : int
        Number of hash buckets; 0 gives no n-grams.

    Returns
    -------
    indptr : ndarray of int64, shape (len(words) + 1,)
    hashes : ndarray of int64
        The buckets of word ``i`` are ``hashes[indptr[i]:indptr[i + 1]]``, in
        the order :func:`ngram_hashes` gives them.

    Examples
    --------
    >>> indptr, hashes = ngram_hash_table(["where", "café"], 3, 3, 1000)
    >>> hashes[indptr[0]:indptr[1]].tolist() == ngram_hashes("where", 3, 3, 1000).tolist()
    True
    """
    _check_lengths(min_n, max_n)
    buffer, starts_of_word, ends_of_word = _marked_buffer(words)
    if buckets <= 0 or max_n < 1 or len(buffer) == 0:
        return np.zeros(len(words) + 1, dtype=np.int64), np.zeros(0, dtype=np.int64)
    index = np.int32 if len(buffer) < 2**31 else np.int64  # half the memory of the working arrays
    word_of_byte = np.repeat(np.arange(len(words), dtype=index), ends_of_word - starts_of_word)
    lead = (buffer & 0xC0) != 0x80
    signed = buffer.astype(np.uint32)
    signed[buffer >= 0x80] |= np.uint32(0xFFFFFF00)
    # one running hash per n-gram start, extended a byte at a time
    start = np.flatnonzero(lead).astype(index)
    owner = word_of_byte[start]
    end = ends_of_word[owner].astype(index)
    first = start == starts_of_word[owner]
    h = np.full(len(start), FNV_OFFSET, dtype=np.uint32)
    chars = np.zeros(len(start), dtype=np.int8)
    out_start, out_word, out_hash = [], [], []
    step = 0
    while len(start):
        pos = start + step
        h = (h ^ signed[pos]) * np.uint32(FNV_PRIME)
        nxt = pos + 1
        at_end = nxt == end
        done = at_end | lead[np.minimum(nxt, len(buffer) - 1)]
        chars += done
        emit = done & (chars >= min_n) & ~((chars == 1) & (first | at_end))
        out_start.append(start[emit])
        out_word.append(owner[emit])
        out_hash.append(h[emit])
        keep = ~(at_end | (done & (chars >= max_n)))
        start, owner, end, first, h, chars = (a[keep] for a in (start, owner, end, first, h, chars))
        step += 1
    return _ordered_table(len(words), out_start, out_word, out_hash, buckets)


def _ordered_table(n_words: int, out_start, out_word, out_hash, buckets: int):
    """Sort the n-grams by start (stable: lengths stay increasing) and group them by word."""
    starts = np.concatenate(out_start)
    order = np.argsort(starts, kind="stable")  # runs already sorted per step: a cheap merge
    word = np.concatenate(out_word)[order]
    hashes = (np.concatenate(out_hash)[order] % np.uint32(buckets)).astype(np.int64)
    indptr = np.zeros(n_words + 1, dtype=np.int64)
    np.cumsum(np.bincount(word, minlength=n_words), out=indptr[1:])
    return indptr, hashes
