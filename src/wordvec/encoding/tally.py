"""From provisional ids to vocabulary rows: the counts, the vocabulary, one remap.

While reading, each new word gets a provisional id in order of first appearance and every token is
appended as an int32 (a :class:`Tally`); once the counts are known, one vectorised remap turns
provisional ids into vocabulary rows and drops the words left out (:func:`remap_tokens`).

>>> tally = Tally()
>>> tally.ids.extend([0, 1, 0, 2]); tally.lengths.extend([2, 2])
>>> tally.name_words(3, words_by_number(["the", "tea", "cup"]))
>>> vocab, corpus = tally.encode(num_words=1, min_count=1)
>>> vocab.words, corpus.tokens.tolist(), corpus.doc_offsets.tolist()
(['UNK', 'the'], [1, 1], [0, 1, 2])
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import CorpusError
from ..kernels.text import remap_range
from ..vocab import Vocabulary, select_words
from .memory import forget_pages, release_free_memory
from .spool import GrowingInts, SpooledInts, block_size, blocks


@dataclass
class TokenCorpus:
    """A corpus as vocabulary rows.

    Attributes
    ----------
    tokens : ndarray of int32
        Rows (>= 1) of the kept words, documents one after another. From
        :func:`~wordvec.encoding.encode_documents` it is a read-only map of an unnamed temporary
        file, so its size costs disk and page cache, not resident memory.
    doc_offsets : ndarray of int64
        Document ``i`` is ``tokens[doc_offsets[i]:doc_offsets[i + 1]]``.
    raw_word_count : int
        Words in the text before dropping those outside the vocabulary.
    """

    tokens: np.ndarray
    doc_offsets: np.ndarray
    raw_word_count: int

    @property
    def n_documents(self) -> int:
        return int(self.doc_offsets.shape[0] - 1)


class Tally:
    """What one reading pass gathers, until :meth:`encode` turns it into the vocabulary and the corpus.

    ``ids`` holds every token's provisional id (its word's number in order of first appearance),
    spooled to disk; ``lengths`` the sizes of the documents that have words. Once reading is done,
    :meth:`name_words` says how many words were numbered and how to name some of them; the tally
    holds the only reference to that table, and lets it go as soon as the vocabulary is built.
    """

    def __init__(self):
        self.ids = SpooledInts()
        self.lengths = GrowingInts(np.int64)
        self.n_words = 0
        self.words_at: Callable | None = None

    def name_words(self, n_words: int, words_at: Callable) -> None:
        """``n_words`` words were numbered; ``words_at(numbers)`` gives the words of some numbers."""
        self.n_words, self.words_at = n_words, words_at

    def encode(self, num_words: int | None, min_count: int) -> tuple[Vocabulary, "TokenCorpus"]:
        """The vocabulary (the words kept by ``num_words`` and ``min_count``) and the corpus as its rows."""
        provisional = self.ids.to_array()
        if provisional.shape[0] == 0:
            raise CorpusError("the corpus is empty: no words found in the input")
        counts = np.zeros(self.n_words, dtype=np.int64)
        for start, end in blocks(provisional.shape[0]):
            counts += np.bincount(provisional[start:end], minlength=self.n_words)
            forget_pages(provisional, start, end)
        vocab, order = _vocabulary(counts, self.words_at, num_words, min_count)
        self.words_at = None
        corpus = remap_tokens(provisional, self.lengths.to_array(), _rows(order, counts.shape[0]))
        del provisional
        self.ids = self.lengths = None
        release_free_memory()
        return vocab, corpus


def words_by_number(words: list[str]) -> Callable:
    """``words_at`` for :meth:`Tally.name_words` from a list of the words in number order (it holds the list)."""
    return functools.partial(_pick, words)


def _pick(words: list[str], numbers) -> list[str]:
    return [words[i] for i in numbers]


def _vocabulary(freqs: np.ndarray, words_at, num_words: int | None, min_count: int) -> tuple[Vocabulary, np.ndarray]:
    """The vocabulary kept from words numbered by first appearance, and the numbers of its words.

    ``freqs[i]`` counts word ``i``; ``words_at(numbers)`` gives the words of some numbers.
    """
    order = select_words(freqs, num_words, min_count)
    if order.shape[0] == 0:
        raise CorpusError(
            f"no word occurs at least min_count={min_count} times "
            f"(the most frequent occurs {int(freqs.max())} times); lower --min-count"
        )
    vocab = Vocabulary(["UNK"] + words_at(order),
                       [int(freqs.sum() - freqs[order].sum())] + freqs[order].tolist())
    return vocab, order


def _rows(order: np.ndarray, n_words: int) -> np.ndarray:
    """The vocabulary row of each word number (0 for the words left out)."""
    remap = np.zeros(n_words, dtype=np.int32)
    remap[order] = np.arange(1, order.shape[0] + 1, dtype=np.int32)
    return remap


def remap_tokens(provisional: np.ndarray, lengths: np.ndarray, remap: np.ndarray) -> TokenCorpus:
    """Map ids through ``remap`` and drop those mapped to 0; ``lengths`` are the documents' sizes.

    Works block by block (a compiled loop), so memory stays flat whatever the corpus size.

    Examples
    --------
    >>> corpus = remap_tokens(np.array([0, 1, 2, 1], dtype=np.int32), np.array([2, 2]),
    ...                       np.array([0, 5, 6], dtype=np.int32))
    >>> corpus.tokens.tolist(), corpus.doc_offsets.tolist(), corpus.raw_word_count
    ([5, 6, 5], [0, 1, 3], 4)
    """
    starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    offsets = np.zeros_like(starts)
    tokens = SpooledInts()
    out = np.empty(block_size(), dtype=np.int32)
    state = np.zeros(2, dtype=np.int64)
    remap = np.ascontiguousarray(remap, dtype=np.int32)
    for start, end in blocks(provisional.shape[0]):
        n_kept = remap_range(provisional[start:end], start, remap, starts, offsets, state, out)
        tokens.extend(out[:n_kept])
        forget_pages(provisional, start, end)
    offsets[int(state[0]):] = state[1]
    return TokenCorpus(tokens.to_array(), offsets, int(provisional.shape[0]))
