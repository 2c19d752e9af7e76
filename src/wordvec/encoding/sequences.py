"""Token sequences → vocabulary + ids, every token kept exactly as given (no cleaning, no tokenizing).

Graph walks, item sessions and pre-split text come as sequences of tokens: lists (or tuples) of
strings or integers, 1-D integer NumPy arrays, or one integer array of every token with the
offsets where each sequence starts (:class:`TokenSequences`, numbered without a Python object per
token). Strings are numbered with a dictionary, integers by a compiled hash table
(:class:`~wordvec.kernels.sequences.TokenTable`); the vocabulary's words are the tokens
themselves (Python ``str`` or ``int``), ordered as for text: most frequent first, ties in order of
first appearance.

>>> vocab, corpus = encode_sequences([[3, 1, 3], [1, 3]], num_words=None)
>>> vocab.words, corpus.tokens.tolist(), corpus.doc_offsets.tolist()
(['UNK', 3, 1], [1, 2, 1, 2, 1], [0, 3, 5])
"""

from __future__ import annotations

import itertools
import operator
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from ..errors import CorpusError
from ..kernels.sequences import TokenTable
from .tally import Tally, words_by_number

#: Sequences are numbered in batches of about this many tokens.
_BATCH_TOKENS = 1 << 20


@dataclass(frozen=True)
class TokenSequences:
    """Sequences as one integer array: sequence ``i`` is ``tokens[offsets[i]:offsets[i + 1]]``.

    The form graph libraries hold their walks in (a CSR layout); :func:`encode_sequences` numbers
    it without a Python object per token. Iterating gives each sequence as an array view.

    >>> walks = TokenSequences(np.array([4, 5, 4, 6]), np.array([0, 3, 4]))
    >>> [w.tolist() for w in walks], len(walks)
    ([[4, 5, 4], [6]], 2)
    """

    tokens: np.ndarray
    offsets: np.ndarray

    def __iter__(self) -> Iterator[np.ndarray]:
        for start, end in zip(self.offsets[:-1], self.offsets[1:]):
            yield self.tokens[start:end]

    def __len__(self) -> int:
        return max(int(len(self.offsets)) - 1, 0)

    def checked(self) -> "TokenSequences":
        """The same sequences with int64 tokens and offsets, refused with one line where they do not fit."""
        tokens, offsets = np.asarray(self.tokens), np.asarray(self.offsets)
        if tokens.ndim != 1 or not np.issubdtype(tokens.dtype, np.integer):
            raise CorpusError(f"TokenSequences.tokens must be a 1-D integer array, got {tokens.dtype} of "
                              f"{tokens.ndim} dimensions")
        if (offsets.ndim != 1 or not np.issubdtype(offsets.dtype, np.integer) or offsets.shape[0] < 1
                or offsets[0] != 0 or offsets[-1] != tokens.shape[0] or np.any(np.diff(offsets) < 0)):
            raise CorpusError("TokenSequences.offsets must be integers rising from 0 to len(tokens)")
        return TokenSequences(tokens.astype(np.int64, copy=False), offsets.astype(np.int64, copy=False))


def is_token_sequence(document) -> bool:
    """Whether a document is a sequence of tokens (a list, tuple or array), not a text.

    >>> is_token_sequence(["a", "b"]), is_token_sequence("a b"), is_token_sequence(np.arange(3))
    (True, False, True)
    """
    return isinstance(document, (list, tuple, np.ndarray))


def encode_sequences(sequences, num_words: int | None = 20000, min_count: int = 1, progress=None):
    """The vocabulary and the corpus of token sequences (see the module's description).

    Parameters
    ----------
    sequences : TokenSequences, or iterable of lists, tuples or 1-D integer arrays
        Every sequence of one kind of token: strings (or any hashable) or integers.
    num_words, min_count, progress
        As :func:`~wordvec.encoding.encode_documents` takes them.

    Returns
    -------
    (Vocabulary, TokenCorpus)

    Examples
    --------
    >>> vocab, corpus = encode_sequences([["A-1", "user:42"], ["A-1"]], num_words=None)
    >>> vocab.words, corpus.doc_offsets.tolist()
    (['UNK', 'A-1', 'user:42'], [0, 2, 3])
    """
    tally = Tally()
    numbering = _Numbering()
    for batch in _batches(sequences):
        ids, lengths = numbering.number(batch)
        kept = lengths[lengths > 0]
        tally.ids.extend(ids)
        tally.lengths.extend(kept)
        if progress is not None and ids.shape[0]:
            progress(int(ids.shape[0]))
    n_words, words_at = numbering.finish()
    tally.name_words(n_words, words_at)
    return tally.encode(num_words, min_count)


def _batches(sequences) -> Iterator:
    """Batches of about :data:`_BATCH_TOKENS` tokens: TokenSequences slices, or lists of sequences."""
    if isinstance(sequences, TokenSequences):
        checked = sequences.checked()
        tokens, offsets = checked.tokens, checked.offsets
        step = max(1, _BATCH_TOKENS * (len(offsets) - 1) // max(tokens.shape[0], 1))
        for first in range(0, len(offsets) - 1, step):
            bounds = offsets[first:first + step + 1]
            yield TokenSequences(tokens[bounds[0]:bounds[-1]], bounds - bounds[0])
        return
    batch, size = [], 0
    for sequence in sequences:
        batch.append(sequence)
        size += len(sequence)
        if size >= _BATCH_TOKENS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


class _Numbering:
    """Numbers tokens in order of first appearance: integers in a :class:`TokenTable`, anything else
    in a dictionary; the first token decides which, for the whole corpus."""

    def __init__(self):
        self.table: TokenTable | None = None
        self.first_seen: defaultdict | None = None

    def number(self, batch) -> tuple[np.ndarray, np.ndarray]:
        """The ids of a batch's tokens, and each sequence's length."""
        if isinstance(batch, TokenSequences):
            return self._integers(batch.tokens), np.diff(batch.offsets)
        _refuse_texts(batch)
        lengths = np.fromiter(map(len, batch), dtype=np.int64, count=len(batch))
        if self.table is None and self.first_seen is None:
            self._choose(batch)
        if self.table is None and self.first_seen is None:
            return np.zeros(0, dtype=np.int32), lengths  # no token yet
        if self.table is not None:
            return self._integers(_int64_tokens(batch, int(lengths.sum()))), lengths
        ids = np.fromiter(map(self.first_seen.__getitem__, itertools.chain.from_iterable(batch)),
                          dtype=np.int32, count=int(lengths.sum()))
        return ids, lengths

    def _choose(self, batch) -> None:
        first = next((s[0] for s in batch if len(s)), None)
        if first is None:
            return
        if isinstance(first, (int, np.integer)) and not isinstance(first, (bool, np.bool_)):
            self.table = TokenTable()
        else:
            self.first_seen = defaultdict(itertools.count().__next__)

    def _integers(self, tokens: np.ndarray) -> np.ndarray:
        if self.table is None:
            if self.first_seen is not None:
                raise CorpusError("the sequences mix integer arrays with sequences of other tokens")
            self.table = TokenTable()
        return self.table.number(np.ascontiguousarray(tokens, dtype=np.int64))

    def finish(self):
        """How many tokens were numbered, and ``words_at`` naming them (see :class:`Tally`)."""
        if self.table is not None:
            return len(self.table), words_by_number(self.table.tokens().tolist())
        words = list(self.first_seen or ())
        return len(words), words_by_number(words)


def _refuse_texts(batch: list) -> None:
    for sequence in batch:
        if not is_token_sequence(sequence):
            raise CorpusError(f"a token sequence must be a list, tuple or array of tokens, got "
                              f"{type(sequence).__name__} (texts and token sequences cannot be mixed)")


def _int64_tokens(batch: list, n_tokens: int) -> np.ndarray:
    """The tokens of a batch of integer sequences as one int64 array; one line where one is not an integer."""
    if all(isinstance(s, np.ndarray) for s in batch):
        if any(not np.issubdtype(s.dtype, np.integer) for s in batch):
            raise CorpusError("the sequences mix integer tokens with others: every token must be an integer")
        return np.concatenate(batch).astype(np.int64, copy=False) if batch else np.zeros(0, np.int64)
    try:  # (operator.index refuses what fromiter would convert: "3", 3.7)
        return np.fromiter(map(operator.index, itertools.chain.from_iterable(batch)), dtype=np.int64, count=n_tokens)
    except (TypeError, ValueError, OverflowError):
        raise CorpusError("the sequences mix integer tokens with others: every token must be an integer "
                          "(or every token a string)") from None
