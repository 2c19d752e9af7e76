"""Labelled lines → fastText's supervised dictionary and every example's input rows, as flat arrays.

The input is blocks of fastText-format lines (:func:`~wordvec.readers.labelled.iter_labelled`). The
rules are fastText's (``Dictionary::readWord``, ``add``, ``threshold``, the supervised ``getLine``):

- a token is a run of bytes between the seven separators (space, ``\\n``, ``\\r``, ``\\t``, ``\\v``,
  ``\\f``, NUL); each line ends with the word ``</s>``, counted once per line like any word;
- a token starting with the label prefix is a label; the dictionary keeps the words seen at least
  ``min_count`` times and the labels seen at least ``min_count_label`` times, each sorted by count,
  most frequent first (ties in order of first appearance; fastText's sort leaves their order open);
- an example's input rows are, token by token, a known word's row (then, with ``maxn`` > 0, its
  character n-grams' rows ``nwords + bucket``), an unknown word's n-gram rows alone (none for
  ``</s>``), then the word n-grams up to ``word_ngrams`` long over the hashes of all its words,
  known or not (:class:`~wordvec.classifier_lines.LineEncoder` gives the same rows for the same line);
- its targets are its known labels, in order, repeated where repeated; a line with no target or no
  row is skipped (and counted), as fastText's training loop skips it.

The tokens are split, numbered and counted by a compiled kernel (:class:`~wordvec.kernels.labelled.LineSplitter`)
on ``threads`` threads, each numbering them in a table of its own; the tables' new tokens are merged
in reading order into one numbering by first appearance. Each line's tokens are kept as int32 ids
(spooled to a temporary file and mapped back), never its text. The dictionary
and each distinct token's hash, type and rows are made with NumPy (character n-grams hashed
16,384 tokens at a time, so the hashing's working arrays stay small); the examples by the compiled
kernel (:mod:`wordvec.kernels.labelled`) on ``threads`` threads, in two passes over the ids, a slice
of lines at a time: each line's sizes, then its rows and targets into arrays of exactly their size.
Each slice's mapped pages are handed back once it is passed, so the ids never stay resident whole.

>>> corpus = encode_labelled([b"__label__a good tea\\n__label__b bad tea\\nno label\\n"])
>>> corpus.words, corpus.labels, corpus.skipped
(['</s>', 'tea', 'good', 'bad', 'no', 'label'], ['__label__a', '__label__b'], 1)
>>> corpus.rows.tolist(), corpus.row_starts.tolist(), corpus.targets.tolist(), corpus.tokens.tolist()
([2, 1, 0, 3, 1, 0], [0, 3, 6], [0, 1], [4, 4])
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterable, NamedTuple

import numpy as np

from ..errors import CorpusError, ParameterError
from ..kernels.labelled import LineSplitter, SeenTokens, TokenTable, example_sizes, fill_examples
from ..kernels.text import Words, merge
from ..subwords import FNV_OFFSET, FNV_PRIME, fasttext_hash, ngram_hash_table
from .memory import forget_pages, release_free_memory
from .pipeline import parts_in_order
from .spool import GrowingInts, SpooledInts, mapped_empty

__all__ = ["LabelledCorpus", "encode_labelled", "fasttext_fold"]

#: fastText's end-of-line word, and the bytes that separate its tokens.
EOS = b"</s>"
SEPARATORS = b" \n\r\t\v\f\0"
_SHORT = 64  # tokens up to this many bytes are hashed together with NumPy
_SLICE_TOKENS = 1 << 20  # token ids passed over at a time (their mapped pages then handed back)
_GRAM_TOKENS = 1 << 14  # distinct tokens whose character n-grams are hashed at a time (bounds its working arrays)


class LabelledCorpus(NamedTuple):
    """fastText's supervised dictionary and the flat arrays of every kept example.

    ``words`` and ``labels`` (prefix kept) are in dictionary order, with their counts; example
    ``i``'s input rows are ``rows[row_starts[i]:row_starts[i + 1]]`` (words ``0..nwords - 1``,
    hashed n-grams ``nwords + bucket``), its label ids ``targets[target_starts[i]:target_starts[i + 1]]``,
    and ``tokens[i]`` the tokens its line counts for the learning rate (fastText's ``getLine``).
    ``n_tokens`` is the dictionary's token count (all lines, skipped ones too), ``skipped`` the lines
    left out, ``bucket`` the bucket count as fastText saves it (0 without n-grams).
    """

    words: list
    word_counts: np.ndarray
    labels: list
    label_counts: np.ndarray
    rows: np.ndarray
    row_starts: np.ndarray
    targets: np.ndarray
    target_starts: np.ndarray
    tokens: np.ndarray
    n_tokens: int
    skipped: int
    bucket: int


def fasttext_fold() -> np.ndarray:
    """The block encoder's byte table for fastText's tokens: 0 at the seven separators, else the byte.

    Examples
    --------
    >>> fold = fasttext_fold()
    >>> int(fold[ord(" ")]), int(fold[0x0B]), chr(fold[ord("<")]), chr(fold[ord("A")])
    (0, 0, '<', 'A')
    """
    fold = np.arange(256, dtype=np.uint8)
    fold[list(SEPARATORS)] = 0
    return fold


class _Tokens(NamedTuple):
    """What the block encoder gave: each line's token ids (``</s>`` first), the distinct tokens, their counts."""

    ids: np.ndarray
    lengths: np.ndarray
    arena: bytes
    starts: np.ndarray
    counts: np.ndarray


class _SplitBlock(NamedTuple):
    """A block split by a reading thread: its lines' token ids in the thread's table ``seen``
    (tokens ``first`` to ``last`` are those the table first met in this block); ``source`` is
    the thread's splitter."""

    source: LineSplitter
    seen: SeenTokens
    first: int
    last: int
    ids: np.ndarray
    lengths: np.ndarray


def _split_block(block, splitters: dict) -> _SplitBlock:
    """Split a block of lines into fastText's tokens, with the calling thread's splitter."""
    splitter = splitters.setdefault(threading.get_ident(), LineSplitter())
    first = int(splitter.seen.sizes[0])
    ids, lengths = splitter.split(block)
    return _SplitBlock(splitter, splitter.seen, first, int(splitter.seen.sizes[0]), ids, lengths)


class _Numbering:
    """The tokens of all blocks numbered by first appearance in the input: each thread table's
    tokens looked up in one table of the whole input, in reading order."""

    def __init__(self):
        self.fold, self.total = fasttext_fold(), Words.empty()
        self.maps: dict[LineSplitter, np.ndarray] = {}

    def numbers(self, split: _SplitBlock) -> np.ndarray:
        """The input's numbers of the token ids of ``split`` (splits must come in reading order)."""
        mapped = self.maps.get(split.source, np.zeros(0, dtype=np.int32))
        if mapped.shape[0] < split.last:
            grown = np.empty(max(split.last, 2 * mapped.shape[0]), dtype=np.int32)
            grown[:split.first] = mapped[:split.first]
            self.maps[split.source] = mapped = grown
        starts = split.seen.starts
        new_tokens = split.seen.arena[starts[split.first]:starts[split.last]]
        self.total, mapped[split.first:split.last] = merge(self.total, new_tokens, self.fold)
        return np.take(mapped, split.ids)

    def counts(self) -> np.ndarray:
        """How often each token was read (every thread table's counts, added)."""
        counts = np.zeros(int(self.total.sizes[0]), dtype=np.int64)
        for splitter, mapped in self.maps.items():
            read = int(splitter.seen.sizes[0])
            counts[mapped[:read]] += splitter.seen.counts[:read]
        return counts


def _tokenize(blocks: Iterable, threads: int) -> _Tokens:
    """All lines' tokens numbered by first appearance, on ``threads`` threads."""
    splitters: dict = {}
    name = Path("labelled input")

    def jobs():
        from ..readers import DocumentCount

        for block in blocks:
            if len(block):
                yield name, DocumentCount(), lambda block=block: _split_block(block, splitters)

    numbering, ids, lengths = _Numbering(), SpooledInts(), GrowingInts(np.int32)
    for split in parts_in_order(jobs(), max(1, int(threads))):
        ids.extend(numbering.numbers(split))
        lengths.extend(split.lengths)
    total: Words = numbering.total
    n_distinct, used = int(total.sizes[0]), int(total.sizes[1])
    tokens = _Tokens(ids.to_array(), lengths.to_array().astype(np.int64), total.arena[:used].tobytes(),
                     total.starts[:n_distinct + 1].copy(), numbering.counts())
    del numbering, total, splitters, lengths
    split = None  # the last block's splitter and its table
    release_free_memory()  # the thread tables' and the blocks' holes in the C heap
    return tokens


class _Dictionary(NamedTuple):
    """Per distinct token: its count, whether it is a label, its word row / label id (-1: none)."""

    counts: np.ndarray
    is_label: np.ndarray
    word_index: np.ndarray
    label_index: np.ndarray
    word_order: np.ndarray
    label_order: np.ndarray


def _starts_with(tokens: _Tokens, prefix: bytes) -> np.ndarray:
    """Whether each distinct token starts with ``prefix``."""
    arena = np.frombuffer(tokens.arena, dtype=np.uint8)
    first, sizes = tokens.starts[:-1], np.diff(tokens.starts) - 1
    found = sizes >= len(prefix)
    for k, byte in enumerate(prefix):
        where = np.flatnonzero(found)
        found[where] = arena[first[where] + k] == byte
    return found


def _dictionary(tokens: _Tokens, min_count: int, min_count_label: int, label_prefix: bytes) -> _Dictionary:
    """fastText's ``threshold``: the words and labels kept, most frequent first; one line for bad input."""
    n_distinct, counts = tokens.starts.shape[0] - 1, tokens.counts
    is_label = _starts_with(tokens, label_prefix)
    _check_labels(tokens, counts, is_label, label_prefix)
    orders = []
    for wanted, least in ((~is_label, min_count), (is_label, min_count_label)):
        kept = np.flatnonzero(wanted & (counts >= least))
        orders.append(kept[np.argsort(-counts[kept], kind="stable")])
    word_order, label_order = orders
    if word_order.shape[0] == 0:
        raise CorpusError(f"no word occurs min_count={min_count} times: the vocabulary is empty")
    if label_order.shape[0] == 0:
        raise CorpusError(f"no label occurs min_count_label={min_count_label} times")
    word_index = np.full(n_distinct, -1, dtype=np.int64)
    word_index[word_order] = np.arange(word_order.shape[0])
    label_index = np.full(n_distinct, -1, dtype=np.int64)
    label_index[label_order] = np.arange(label_order.shape[0])
    return _Dictionary(counts, is_label, word_index, label_index, word_order, label_order)


def _check_labels(tokens: _Tokens, counts: np.ndarray, is_label: np.ndarray, label_prefix: bytes) -> None:
    """Refuse input without lines, without any label, or with one label only."""
    prefix = label_prefix.decode("utf-8", "surrogateescape")
    if tokens.lengths.shape[0] == 0:
        raise CorpusError("no lines to train on: the input is empty")
    found = np.flatnonzero(is_label & (counts > 0))
    if found.shape[0] == 0:
        raise CorpusError(f"no line has a label: a label is a token starting with {prefix!r} (fastText's format); "
                          f"for CSV, JSON lines or Parquet name the label column")
    if found.shape[0] == 1:
        raise CorpusError(f"only one label in all the data ({_token(tokens, int(found[0]))}): "
                          f"a classifier needs at least two")


def _token(tokens: _Tokens, k: int) -> str:
    return tokens.arena[tokens.starts[k]:tokens.starts[k + 1] - 1].decode("utf-8", "surrogateescape")


def _token_bytes(tokens: _Tokens, which: np.ndarray) -> list[bytes]:
    arena, starts = tokens.arena, tokens.starts
    return [arena[s:e - 1] for s, e in zip(starts[which].tolist(), starts[which + 1].tolist())]


def _hashes(tokens: _Tokens, which: np.ndarray) -> np.ndarray:
    """fastText's hash of each token in ``which``, as the int32 it keeps sign-extended to uint64."""
    arena = np.frombuffer(tokens.arena, dtype=np.uint8)
    signed = arena.astype(np.uint32)
    signed[arena >= 0x80] |= np.uint32(0xFFFFFF00)  # fastText hashes bytes as signed chars
    first, sizes = tokens.starts[which], tokens.starts[which + 1] - 1 - tokens.starts[which]
    h = np.full(which.shape[0], FNV_OFFSET, dtype=np.uint32)
    short = sizes <= _SHORT
    for step in range(int(sizes[short].max()) if short.any() else 0):
        active = np.flatnonzero(short & (sizes > step))
        h[active] = (h[active] ^ signed[first[active] + step]) * np.uint32(FNV_PRIME)
    for k in np.flatnonzero(~short).tolist():
        h[k] = fasttext_hash(tokens.arena[first[k]:first[k] + sizes[k]])
    return h.view(np.int32).astype(np.int64).view(np.uint64)


class _TokenRows(NamedTuple):
    """Per distinct token: its input rows (CSR: ``table[starts[k]:starts[k + 1]]``) and its hash."""

    starts: np.ndarray
    table: np.ndarray
    hashes: np.ndarray | None


def _token_rows(tokens: _Tokens, dictionary: _Dictionary, word_ngrams: int, bucket: int, minn: int,
                maxn: int) -> _TokenRows:
    """Each distinct token's rows: a known word's row, then its character n-grams; labels none."""
    own = dictionary.word_index >= 0
    n_distinct = own.shape[0]
    needing = np.zeros(0, dtype=np.int64)
    if maxn > 0 and bucket > 0:
        needing = np.flatnonzero(~dictionary.is_label & (np.arange(n_distinct) != _eos_index(tokens)))
    pieces = [_gram_rows(tokens, dictionary, needing[first:first + _GRAM_TOKENS], minn, maxn, bucket)
              for first in range(0, needing.shape[0], _GRAM_TOKENS)]
    sizes = own.astype(np.int64)
    for which, counts, _ in pieces:
        sizes[which] += counts
    starts = np.zeros(n_distinct + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    del sizes
    table = np.empty(int(starts[-1]), dtype=np.int32)
    known = np.flatnonzero(own)
    table[starts[known]] = dictionary.word_index[known]
    while pieces:
        which, counts, grams = pieces.pop(0)
        first = starts[which] + own[which]
        table[np.repeat(first - (np.cumsum(counts) - counts), counts) + np.arange(grams.shape[0])] = grams
    hashes = None
    if word_ngrams > 1:
        hashes = np.zeros(n_distinct, dtype=np.uint64)
        words = np.flatnonzero(~dictionary.is_label)
        hashes[words] = _hashes(tokens, words)
    release_free_memory()  # the hashing's working arrays, freed in the C heap
    return _TokenRows(starts, table, hashes)


def _gram_rows(tokens: _Tokens, dictionary: _Dictionary, which: np.ndarray, minn: int, maxn: int,
               bucket: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The character n-gram rows of the tokens ``which``: ``(which, count of each, rows)``, rows int32."""
    indptr, grams = ngram_hash_table(_token_bytes(tokens, which), minn, maxn, bucket)
    rows = grams.astype(np.int32)
    rows += np.int32(dictionary.word_order.shape[0])
    return which, np.diff(indptr), rows


def _eos_index(tokens: _Tokens) -> int:
    """The id of ``</s>``: the first token of the first line."""
    return int(tokens.ids[0]) if tokens.ids.shape[0] else -1


def _line_slices(lengths: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Lines ``(first, end)`` and their tokens ``(begin, stop)`` in slices of about :data:`_SLICE_TOKENS` tokens."""
    ends = np.cumsum(lengths)
    cuts = np.searchsorted(ends, np.arange(_SLICE_TOKENS, int(ends[-1]), _SLICE_TOKENS), side="right")
    bounds = np.unique(np.concatenate([[0], cuts, [lengths.shape[0]]]).clip(0, lengths.shape[0])).tolist()
    tokens = [int(ends[line - 1]) if line else 0 for line in bounds]
    return list(zip(bounds[:-1], bounds[1:], tokens[:-1], tokens[1:]))


def _sizes(tokens: _Tokens, table: TokenTable, slices: list, threads: int) -> tuple[np.ndarray, np.ndarray]:
    """Each line's row and target counts, a slice of lines at a time."""
    n_lines = tokens.lengths.shape[0]
    n_rows, n_targets = np.empty(n_lines, dtype=np.int64), np.empty(n_lines, dtype=np.int64)
    for first, end, begin, stop in slices:
        n_rows[first:end], n_targets[first:end] = example_sizes(table, tokens.ids[begin:stop],
                                                                tokens.lengths[first:end], threads)
        forget_pages(tokens.ids, begin, stop)
    return n_rows, n_targets


def _starts(sizes: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """Where each kept line's items start in the flat array, and where the last one ends."""
    starts = np.zeros(int(np.count_nonzero(kept)) + 1, dtype=np.int64)
    np.cumsum(sizes[kept], out=starts[1:])
    return starts


def _check(min_count, min_count_label, word_ngrams, bucket, minn, maxn, threads) -> None:
    for name, value, least in (("min_count", min_count, 0), ("min_count_label", min_count_label, 0),
                               ("word_ngrams", word_ngrams, 1), ("bucket", bucket, 0), ("minn", minn, 0),
                               ("maxn", maxn, 0), ("threads", threads, 1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
            raise ParameterError.out_of_range(name, value, f"an integer of at least {least}")
    if (word_ngrams > 1 or maxn > 0) and bucket == 0:
        raise ParameterError("bucket must be at least 1 with word n-grams or character n-grams")


def encode_labelled(blocks: Iterable, *, min_count: int = 1, min_count_label: int = 0, word_ngrams: int = 1,
                    bucket: int = 2_000_000, minn: int = 0, maxn: int = 0, label_prefix: str = "__label__",
                    threads: int = 1) -> LabelledCorpus:
    """fastText's supervised dictionary and input rows of blocks of fastText-format lines (see the module).

    Parameters
    ----------
    blocks : iterable of bytes
        Whole lines, each ended by a line feed (:func:`~wordvec.readers.labelled.iter_labelled`).
    min_count, min_count_label : int
        fastText's ``-minCount`` and ``-minCountLabel``.
    word_ngrams, bucket, minn, maxn : int
        fastText's ``-wordNgrams``, ``-bucket``, ``-minn``, ``-maxn``.
    label_prefix : str
        fastText's ``-label``.
    threads : int
        Threads splitting the blocks into tokens and writing the examples.

    Returns
    -------
    LabelledCorpus

    Raises
    ------
    CorpusError
        No lines, no label in any line, one label in all the data, nothing left after the cut-offs.

    Examples
    --------
    >>> lines = b"__label__x a b\\n__label__y b c\\n"
    >>> corpus = encode_labelled([lines], word_ngrams=2, bucket=10)
    >>> corpus.words, corpus.rows[:corpus.row_starts[1]].tolist()
    (['</s>', 'b', 'a', 'c'], [2, 1, 0, 5, 12])
    """
    _check(min_count, min_count_label, word_ngrams, bucket, minn, maxn, threads)
    if word_ngrams <= 1 and maxn == 0:
        bucket = 0
    prefix = label_prefix.encode("utf-8", "surrogateescape")
    tokens = _tokenize(blocks, threads)
    dictionary = _dictionary(tokens, min_count, min_count_label, prefix)
    token_rows = _token_rows(tokens, dictionary, word_ngrams, bucket, minn, maxn)
    return _assemble(tokens, dictionary, token_rows, word_ngrams, bucket, threads)


def _assemble(tokens: _Tokens, dictionary: _Dictionary, token_rows: _TokenRows, word_ngrams: int, bucket: int,
              threads: int) -> LabelledCorpus:
    """Every kept line's rows and targets, counted then written by the kernel into arrays of their size."""
    table = TokenTable(token_rows.starts, token_rows.table, token_rows.hashes, dictionary.is_label,
                       dictionary.label_index, word_ngrams, bucket, dictionary.word_order.shape[0])
    slices = _line_slices(tokens.lengths)
    n_rows, n_targets = _sizes(tokens, table, slices, threads)
    kept = (n_rows > 0) & (n_targets > 0)
    row_starts, target_starts = _starts(n_rows, kept), _starts(n_targets, kept)
    del n_rows, n_targets
    rows = mapped_empty(int(row_starts[-1]), np.int32)  # the largest array: resident only while written or trained
    targets = np.empty(int(target_starts[-1]), dtype=np.int32)
    first_kept = 0
    for first, end, begin, stop in slices:
        fill_examples(table, tokens.ids[begin:stop], tokens.lengths[first:end], kept[first:end], first_kept,
                      row_starts, rows, target_starts, targets, threads)
        forget_pages(tokens.ids, begin, stop)
        passed = first_kept + int(np.count_nonzero(kept[first:end]))
        forget_pages(rows, int(row_starts[first_kept]), int(row_starts[passed]))
        first_kept = passed
    return _corpus(tokens, dictionary, rows, row_starts, targets, target_starts, kept, bucket)


def _corpus(tokens, dictionary, rows, row_starts, targets, target_starts, kept, bucket) -> LabelledCorpus:
    words = [_token(tokens, k) for k in dictionary.word_order.tolist()]
    labels = [_token(tokens, k) for k in dictionary.label_order.tolist()]
    return LabelledCorpus(words, dictionary.counts[dictionary.word_order], labels,
                          dictionary.counts[dictionary.label_order], rows, row_starts, targets, target_starts,
                          tokens.lengths[kept], int(tokens.ids.shape[0]), int(kept.shape[0] - kept.sum()),
                          int(bucket))
