"""fastText's supervised input: a line of text becomes the input rows whose mean is its vector.

This is fastText's ``Dictionary::getLine`` for classifiers, rule for rule:

- the text is bytes (UTF-8), split at the seven bytes space, ``\\n``, ``\\r``,
  ``\\t``, ``\\v``, ``\\f`` and NUL (not at other Unicode spaces); the end of
  the line is the token ``</s>``, a word like any other (fastText's Python
  ``predict`` adds the newline that makes it); a ``</s>`` written in the text
  ends the line there too (what follows is not read);
- a token in the dictionary has its stored type; any other is a label when it
  starts with ``__label__`` (the prefix fastText assumes for a loaded model);
  labels give no rows;
- a known word gives its own row, then (with character n-grams, ``maxn`` > 0)
  the rows of the n-grams of ``<word>``; an unknown word only those n-gram
  rows (none for ``</s>``); n-grams are hashed into ``bucket`` rows after the
  words (:mod:`wordvec.subwords`);
- after all the words, the word n-grams up to ``word_ngrams`` long, from the
  32-bit hashes of the words in order (labels left out), combined as
  fastText does in 64-bit arithmetic: ``h = h * 116049371 + next``;
- in a pruned model (``pruneidx``) a bucket that was not kept gives no row.

Repeated rows stay repeated, and the order is fastText's, so that the sums
are the same floating-point sums. Each distinct token's rows are computed
once, for a whole batch of texts at a time, and kept.

>>> lines = LineEncoder([b"</s>", b"good", b"tea"], 3, word_ngrams=2, bucket=10)
>>> lines.rows("good tea")
[1, 2, 0, 10, 11]
"""

from __future__ import annotations

from itertools import chain

import numpy as np

from .subwords import FNV_OFFSET, FNV_PRIME, fasttext_hash, ngram_hash_table
from .text import PackedTexts

#: The bytes that separate fastText's tokens.
SEPARATORS = b" \n\r\t\v\f\0"
#: The end-of-line token.
EOS = b"</s>"
#: How fastText tells an unknown label from an unknown word once a model is loaded.
LABEL_PREFIX = b"__label__"
_NGRAM_MULTIPLIER = 116049371
_U64 = (1 << 64) - 1
_CACHE_LIMIT = 1 << 20  # distinct tokens kept before the cache starts afresh
_SHORT = 64  # tokens up to this many bytes are hashed together with NumPy
_FEW_TEXTS = 16  # up to this many texts: put together one at a time in Python (less overhead)


def text_bytes(text) -> bytes:
    """The UTF-8 bytes of a text (bytes are taken as they are; lone surrogates pass through)."""
    if isinstance(text, str):
        return text.encode("utf-8", "surrogatepass")
    if isinstance(text, (bytes, bytearray, memoryview)):
        return bytes(text)
    raise TypeError(f"a text must be str or bytes, not {type(text).__name__}")


def packed_lines(texts: list | PackedTexts) -> tuple[bytes | np.ndarray, np.ndarray]:
    """The texts' UTF-8 bytes one after another, and where each one starts (``len(texts) + 1`` offsets).

    Each text but the last keeps the line end that joins it to the next: it ends the text's line
    as fastText's ``getLine`` ends it, so the rows are those of the text alone. Texts already packed
    (:class:`~wordvec.text.PackedTexts`, a table's column read in Arrow) are given as they are: each
    line ends where its bytes end.

    Raises
    ------
    ValueError
        A text holds a newline; its number (from 0) is the error's argument.

    Examples
    --------
    >>> blob, starts = packed_lines(["a b", "", "caf\u00e9"])
    >>> blob, starts.tolist()
    (b'a b\\n\\ncaf\\xc3\\xa9', [0, 4, 5, 10])
    """
    if isinstance(texts, PackedTexts):
        data, starts = texts.bytes_and_starts()
        newlines = np.flatnonzero(data[starts[0]:starts[-1]] == 10)
        if len(newlines):
            raise ValueError(int(np.searchsorted(starts, starts[0] + newlines[0], side="right")) - 1)
        return data, starts
    n = len(texts)
    try:
        blob = "\n".join(texts).encode("utf-8", "surrogatepass")
    except TypeError:  # bytes among the texts
        blob = b"\n".join(map(text_bytes, texts))
    ends = np.flatnonzero(np.frombuffer(blob, dtype=np.uint8) == 10)
    if len(ends) != max(n - 1, 0):
        raise ValueError(next(i for i, text in enumerate(texts) if b"\n" in text_bytes(text)))
    starts = np.empty(n + 1, dtype=np.int64)
    starts[0], starts[n] = 0, len(blob)
    starts[1:n] = ends + 1
    return blob, starts


def tokens(data: bytes) -> list[bytes]:
    """fastText's tokens of one line (without the ``</s>`` that ends it, and nothing after a ``</s>`` in it).

    Examples
    --------
    >>> tokens(b"caf\\xc3\\xa9\\x00au\\tlait\\xc2\\xa0x"), tokens(b"a </s> b")
    ([b'caf\\xc3\\xa9', b'au', b'lait\\xc2\\xa0x'], [b'a'])
    """
    if b"\0" in data:
        data = data.replace(b"\0", b" ")
    line = data.split()  # bytes.split() splits at the six ASCII whitespace bytes
    if EOS in data and EOS in line:  # fastText stops reading at a "</s>" token
        del line[line.index(EOS):]
    return line


def word_hashes(words: list[bytes]) -> list[int]:
    """fastText's 32-bit hash of each word, as the signed int32 it keeps, sign-extended to 64 bits.

    Examples
    --------
    >>> [hex(h) for h in word_hashes([b"a", b"caf\\xc3\\xa9"])]   # fasttext_hash: 0xe40c292c, 0x7572c049
    ['0xffffffffe40c292c', '0x7572c049']
    """
    short = [w for w in words if len(w) <= _SHORT]
    lengths = np.fromiter(map(len, short), dtype=np.int64, count=len(short))
    buffer = np.frombuffer(b"".join(short), dtype=np.uint8)
    signed = buffer.astype(np.uint32)
    signed[buffer >= 0x80] |= np.uint32(0xFFFFFF00)  # fastText hashes the bytes as signed chars
    h = np.full(len(short), FNV_OFFSET, dtype=np.uint32)
    starts = np.cumsum(lengths) - lengths
    for step in range(int(lengths.max()) if len(short) else 0):
        active = np.flatnonzero(lengths > step)
        h[active] = (h[active] ^ signed[starts[active] + step]) * np.uint32(FNV_PRIME)
    found = dict(zip(short, h.view(np.int32).astype(np.int64).view(np.uint64).tolist()))
    return [found[w] if w in found else _signed64(fasttext_hash(w)) for w in words]


def _signed64(h: int) -> int:
    """A 32-bit hash as fastText's int32, sign-extended to an unsigned 64-bit value."""
    return h | 0xFFFFFFFF00000000 if h & 0x80000000 else h


class LineEncoder:
    """Texts to the input rows fastText averages for them (its dictionary, hashing and pruning).

    Parameters
    ----------
    words : list of bytes
        The dictionary's words, then its labels (row ``i`` of the input matrix is word ``i``).
    nwords : int
        How many of ``words`` are words (the rest are labels).
    word_ngrams, bucket, minn, maxn : int
        fastText's settings (``maxn`` 0: no character n-grams).
    pruneidx : ndarray of int, shape (n, 2), or None
        A pruned model's ``(bucket, row offset)`` pairs; None: every bucket has a row.

    Examples
    --------
    >>> lines = LineEncoder([b"</s>", b"tea", b"__label__x"], 2)
    >>> lines.rows("tea zzz __label__x tea"), lines.rows("")
    ([1, 1, 0], [0])
    """

    def __init__(self, words: list, nwords: int, *, word_ngrams: int = 1, bucket: int = 0, minn: int = 0,
                 maxn: int = 0, pruneidx=None):
        self.nwords, self.word_ngrams, self.bucket, self.minn, self.maxn = nwords, word_ngrams, bucket, minn, maxn
        self._index = {w: i for i, w in enumerate(words)}  # a word met twice: the last one, as in fastText
        self._nbuckets = bucket if pruneidx is None else len(pruneidx)
        if pruneidx is None or len(pruneidx) == 0:
            self._keys = self._offsets = None
        else:  # sorted by bucket; a bucket listed twice keeps its last place, as fastText's map does
            last = np.asarray(pruneidx, dtype=np.int64)[::-1]
            self._keys, first = np.unique(last[:, 0], return_index=True)
            self._offsets = last[first, 1]
        self._pruned = pruneidx is not None
        self._prune_map = None
        self._cache: dict = {}

    def rows(self, text) -> list[int]:
        """The input rows of one text, in fastText's order (see the module)."""
        return self.batch_rows([text_bytes(text)])[0]

    def batch_rows(self, texts: list[bytes]) -> list[list[int]]:
        """The input rows of each text (bytes, one line each), one text at a time in Python."""
        lines = [tokens(t) for t in texts]
        cache = self._entries(lines)
        return [self._line(line, cache) for line in lines]

    def flat_rows(self, texts: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """The rows of all texts as one int64 array, and where each text's begin (``len(texts) + 1``).

        A few texts go one at a time (:meth:`batch_rows`); more are put
        together with NumPy: each token's rows, then the word n-grams of all
        texts at once, in the same order.

        Examples
        --------
        >>> rows, starts = LineEncoder([b"</s>", b"tea"], 2).flat_rows([b"tea", b"x"])
        >>> rows.tolist(), starts.tolist()
        ([1, 0, 0], [0, 2, 3])
        """
        if len(texts) > _FEW_TEXTS:
            lines = [tokens(t) for t in texts]
            return self._flat_batch(lines, self._entries(lines))
        per_text = self.batch_rows(texts)
        lengths = np.fromiter(map(len, per_text), dtype=np.int64, count=len(per_text))
        starts = np.zeros(len(per_text) + 1, dtype=np.int64)
        np.cumsum(lengths, out=starts[1:])
        rows = np.fromiter(chain.from_iterable(per_text), dtype=np.int64, count=int(starts[-1]))
        return rows, starts

    def _entries(self, lines: list[list[bytes]]) -> dict:
        """The cache of token entries, holding every token of ``lines`` (and ``</s>``)."""
        cache = self._cache
        if len(cache) > _CACHE_LIMIT:  # a new dict, not clear(): a thread still reading keeps the old one
            cache = self._cache = {}
        missing = {t for line in lines for t in line if t not in cache}
        if EOS not in cache:
            missing.add(EOS)
        if missing:
            self._learn(sorted(missing), cache)
        return cache

    def _flat_batch(self, lines: list[list[bytes]], cache: dict) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`flat_rows` of many texts: the tokens' rows, then the word n-grams, merged text by text."""
        distinct = list({t for line in lines for t in line} | {EOS})
        local = {t: i for i, t in enumerate(distinct)}
        entries = [cache[t] for t in distinct]
        sizes = np.array([len(e[0]) if e is not None else 0 for e in entries], dtype=np.int64)
        table = np.fromiter(chain.from_iterable(e[0] for e in entries if e is not None), dtype=np.int64,
                            count=int(sizes.sum()))
        eos = local[EOS]
        per_line = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines)) + 1
        occurrences = np.fromiter(chain.from_iterable(chain((local[t] for t in line), (eos,)) for line in lines),
                                  dtype=np.int64, count=int(per_line.sum()))
        is_word = np.array([e is not None for e in entries], dtype=bool)[occurrences]
        words, text_of = occurrences[is_word], np.repeat(np.arange(len(lines)), per_line)[is_word]
        counts = sizes[words]
        starts_in_table = (np.cumsum(sizes) - sizes)[words]
        token_rows = table[np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts - starts_in_table,
                                                                      counts)]
        token_text = np.repeat(text_of, counts)
        if self.word_ngrams > 1 and self._nbuckets and len(words):
            hashes = np.array([e[1] if e is not None else 0 for e in entries], dtype=np.uint64)[words]
            ngram_rows, ngram_text = self._batch_word_ngrams(hashes, text_of)
            token_rows = np.concatenate([token_rows, ngram_rows])
            order = np.argsort(np.concatenate([2 * token_text, 2 * ngram_text + 1]), kind="stable")
            token_rows, token_text = token_rows[order], np.concatenate([token_text, ngram_text])[order]
        starts = np.zeros(len(lines) + 1, dtype=np.int64)
        np.cumsum(np.bincount(token_text, minlength=len(lines)), out=starts[1:])
        return token_rows, starts

    def _batch_word_ngrams(self, hashes: np.ndarray, text_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The word n-gram rows of many texts' words (``hashes`` in order, ``text_of`` each word's text).

        Row ``i`` of the n-gram table holds the n-grams word ``i`` starts, shortest
        first (fastText's order); those running past their text are left out.
        """
        n_words, longest = len(hashes), self.word_ngrams
        text_end = np.cumsum(np.bincount(text_of))[text_of]  # one past each word's text's last word
        position = np.arange(n_words)
        buckets = np.full((n_words, longest - 1), -1, dtype=np.int64)
        h = hashes.copy()
        for n in range(2, longest + 1):
            following = position + n - 1
            h = h * np.uint64(_NGRAM_MULTIPLIER) + hashes[np.minimum(following, n_words - 1)]
            inside = following < text_end
            buckets[inside, n - 2] = (h[inside] % np.uint64(self.bucket)).astype(np.int64)
        flat = buckets.ravel()
        kept = flat >= 0
        rows = self._bucket_rows(flat[kept])
        texts = np.repeat(text_of, longest - 1)[kept]
        return rows[rows >= 0], texts[rows >= 0]

    def _line(self, line: list[bytes], cache: dict) -> list[int]:
        """One text's rows from its tokens' cached entries, then its word n-grams."""
        rows, hashes = [], []
        for token in chain(line, (EOS,)):
            entry = cache[token]
            if entry is not None:
                rows.extend(entry[0])
                hashes.append(entry[1])
        if self.word_ngrams > 1 and self._nbuckets:
            self._add_word_ngrams(rows, hashes)
        return rows

    def _add_word_ngrams(self, rows: list[int], hashes: list[int]) -> None:
        """fastText's ``addWordNgrams``: for each word, the n-grams it starts, shortest first."""
        n, bucket, nwords, longest = len(hashes), self.bucket, self.nwords, self.word_ngrams
        prune = self._prune_dict() if self._pruned else None
        for i in range(n - 1):
            h = hashes[i]
            for j in range(i + 1, min(n, i + longest)):
                h = (h * _NGRAM_MULTIPLIER + hashes[j]) & _U64
                if prune is None:
                    rows.append(nwords + h % bucket)
                else:
                    offset = prune.get(h % bucket)
                    if offset is not None:
                        rows.append(nwords + offset)

    def _prune_dict(self) -> dict:
        if self._prune_map is None:
            keys = [] if self._keys is None else self._keys.tolist()
            self._prune_map = dict(zip(keys, [] if self._offsets is None else self._offsets.tolist()))
        return self._prune_map

    def _learn(self, new: list[bytes], cache: dict) -> None:
        """Cache each new token's entry: None for a label, else (its rows, its sign-extended hash)."""
        index, nwords, words = self._index, self.nwords, []
        for token in new:
            i = index.get(token, -1)
            if (i >= nwords) if i >= 0 else token.startswith(LABEL_PREFIX):
                cache[token] = None
            else:
                words.append((token, i))
        hashes = word_hashes([t for t, _ in words]) if self.word_ngrams > 1 else [0] * len(words)
        subwords = self._subword_rows([t for t, _ in words])
        for (token, i), h, extra in zip(words, hashes, subwords):
            cache[token] = (([i] if i >= 0 else []) + extra, h)

    def _subword_rows(self, words: list[bytes]) -> list[list[int]]:
        """The character n-gram rows of each word (none for ``</s>``, none without n-grams)."""
        if self.maxn <= 0 or self.bucket <= 0 or self._nbuckets == 0 or not words:
            return [[] for _ in words]
        needing = [w for w in words if w != EOS]
        indptr, buckets = ngram_hash_table(needing, self.minn, self.maxn, self.bucket)
        rows = self._bucket_rows(buckets)
        if self._keys is not None:  # buckets a pruned model dropped are -1: leave them out
            kept = rows >= 0
            indptr = np.concatenate([[0], np.cumsum(kept)])[indptr]
            rows = rows[kept]
        flat, bounds = rows.tolist(), indptr.tolist()
        per_word = {w: flat[bounds[k]:bounds[k + 1]] for k, w in enumerate(needing)}
        return [per_word.get(w, []) for w in words]

    def _bucket_rows(self, buckets: np.ndarray) -> np.ndarray:
        """The input row of each bucket (``nwords + bucket``, or its pruned place; -1 where pruned away)."""
        if self._keys is None:
            return self.nwords + buckets
        place = np.minimum(np.searchsorted(self._keys, buckets), len(self._keys) - 1)
        found = self._keys[place] == buckets
        return np.where(found, self.nwords + self._offsets[place], -1)
