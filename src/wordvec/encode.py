"""Documents → vocabulary + a compact int32 array of token ids, in one streaming pass.

While reading, each new word gets a provisional id in order of first
appearance and every token is appended as an int32; raw text is never kept.
Once the counts are known, one vectorised remap turns provisional ids into
vocabulary rows and drops the words left out.

>>> vocab, corpus = encode_documents(["the tea", "the cup of tea"], num_words=2)
>>> vocab.words
['UNK', 'the', 'tea']
>>> corpus.tokens.tolist(), corpus.doc_offsets.tolist()
([1, 2, 1, 2], [0, 2, 4])
"""

from __future__ import annotations

import ctypes
import mmap
import re
import tempfile
from dataclasses import dataclass
from typing import Iterable, Iterator

import numpy as np

from .errors import CorpusError
from .text import tokenize
from .vocab import Vocabulary, select_words

_BLOCK = 1 << 20
_PIECE = 1 << 20
_WHITESPACE = re.compile(r"\s")


@dataclass
class TokenCorpus:
    """A corpus as vocabulary rows.

    Attributes
    ----------
    tokens : ndarray of int32
        Rows (>= 1) of the kept words, documents one after another. From
        :func:`encode_documents` it is a read-only map of an unnamed temporary
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


class _GrowingInts:
    """An append-only int array kept as a list of fixed-size numpy blocks."""

    def __init__(self, dtype):
        self.dtype = dtype
        self.blocks: list[np.ndarray] = []
        self.current = np.empty(_BLOCK, dtype=dtype)
        self.filled = 0

    def extend(self, values) -> None:
        values = np.asarray(values, dtype=self.dtype)
        start = 0
        while start < values.shape[0]:
            take = min(values.shape[0] - start, _BLOCK - self.filled)
            self.current[self.filled:self.filled + take] = values[start:start + take]
            self.filled += take
            start += take
            if self.filled == _BLOCK:
                self._spill(self.current)
                self.current = np.empty(_BLOCK, dtype=self.dtype)
                self.filled = 0

    def _spill(self, block: np.ndarray) -> None:
        self.blocks.append(block)

    def to_array(self) -> np.ndarray:
        return np.concatenate(self.blocks + [self.current[:self.filled]])


class _SpooledInts(_GrowingInts):
    """An append-only int32 array written to an unnamed temporary file and read back
    memory-mapped, so a corpus larger than memory costs only page cache."""

    def __init__(self):
        super().__init__(np.int32)
        self.file = tempfile.TemporaryFile(prefix="wordvec-tokens-")
        self.count = 0

    def _spill(self, block: np.ndarray) -> None:
        self.file.write(block.tobytes())
        self.count += block.shape[0]

    def to_array(self) -> np.ndarray:
        self._spill(self.current[:self.filled])
        self.filled = 0
        self.file.flush()
        if self.count == 0:
            return np.empty(0, dtype=np.int32)
        mapping = mmap.mmap(self.file.fileno(), self.count * 4, access=mmap.ACCESS_READ)
        return np.frombuffer(mapping, dtype=np.int32)


def forget_pages(array: np.ndarray, start: int, end: int) -> None:
    """Unmap the pages of ``array[start:end]`` from this process if ``array`` is a file
    mapping made by the encoder; anything else is left alone.

    The pages stay in the operating system's page cache (read back on the next
    access), so a pass over a corpus holds in memory only the stretch it is at.
    """
    mapping = array.base.obj if isinstance(array.base, memoryview) else array.base
    if not isinstance(mapping, mmap.mmap) or not hasattr(mmap, "MADV_DONTNEED") or end <= start:
        return
    first = start * array.itemsize // mmap.PAGESIZE * mmap.PAGESIZE
    mapping.madvise(mmap.MADV_DONTNEED, first, end * array.itemsize - first)


def _blocks(n: int):
    for start in range(0, n, _BLOCK):
        yield start, min(start + _BLOCK, n)


def _word_pieces(document) -> Iterator[list[str]]:
    """The words of a document, in pieces of about a million characters each, so a
    single huge line is tokenized in bounded memory and linear time."""
    if not isinstance(document, str):
        yield list(document)
        return
    start, size = 0, len(document)
    while start < size:
        end = start + _PIECE
        if end < size:
            space = _WHITESPACE.search(document, end)
            end = size if space is None else space.start()
        yield tokenize(document[start:end])
        start = end


def encode_documents(documents: Iterable, num_words: int | None = 20000, min_count: int = 1,
                     progress=None) -> tuple[Vocabulary, TokenCorpus]:
    """Tokenize documents, build the vocabulary and the token-id array in one pass.

    Parameters
    ----------
    documents : iterable of str, or of lists of words (already tokenized)
    num_words : int or None, default=20000
        Keep at most this many words (the most frequent).
    min_count : int, default=1
        Keep only words seen at least this often.
    progress : callable(n_words) or None
        Called after each document with the number of words it held.
    """
    first_seen: dict[str, int] = {}
    ids = _SpooledInts()
    lengths = _GrowingInts(np.int64)
    for document in documents:
        length = 0
        for words in _word_pieces(document):
            ids.extend([first_seen.setdefault(w, len(first_seen)) for w in words])
            length += len(words)
        if not length:
            continue
        lengths.extend([length])
        if progress is not None:
            progress(length)
    provisional = ids.to_array()
    if provisional.shape[0] == 0:
        raise CorpusError("the corpus is empty: no words found in the input")
    freqs = np.zeros(len(first_seen), dtype=np.int64)
    for start, end in _blocks(provisional.shape[0]):
        freqs += np.bincount(provisional[start:end], minlength=len(first_seen))
        forget_pages(provisional, start, end)
    order = select_words(freqs, num_words, min_count)
    if order.shape[0] == 0:
        raise CorpusError(
            f"no word occurs at least min_count={min_count} times "
            f"(the most frequent occurs {int(freqs.max())} times); lower --min-count"
        )
    words = list(first_seen)
    vocab = Vocabulary(["UNK"] + [words[i] for i in order],
                       [int(freqs.sum() - freqs[order].sum())] + freqs[order].tolist())
    remap = np.zeros(len(first_seen), dtype=np.int32)
    remap[order] = np.arange(1, order.shape[0] + 1, dtype=np.int32)
    del first_seen, words
    corpus = remap_tokens(provisional, lengths.to_array(), remap)
    del provisional, ids
    release_free_memory()
    return vocab, corpus


def release_free_memory() -> None:
    """Hand memory freed by the C allocator back to the operating system (glibc only).

    Reading leaves the heap full of holes where the words of each line were;
    glibc keeps them for reuse unless asked, and the training that follows
    would then peak that much higher.
    """
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError, TypeError):  # not glibc, or no C library to open by None
        pass


def remap_tokens(provisional: np.ndarray, lengths: np.ndarray, remap: np.ndarray) -> TokenCorpus:
    """Map ids through ``remap`` and drop those mapped to 0; ``lengths`` are the documents' sizes.

    Works block by block, so memory stays flat whatever the corpus size.
    """
    starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    offsets = np.zeros_like(starts)
    tokens = _SpooledInts()
    kept_so_far = 0
    for start, end in _blocks(provisional.shape[0]):
        rows = remap[provisional[start:end]]
        kept = rows > 0
        kept_before = kept_so_far + np.cumsum(kept, dtype=np.int64)
        first, last = np.searchsorted(starts, [start + 1, end + 1])
        offsets[first:last] = kept_before[starts[first:last] - start - 1]
        tokens.extend(rows[kept])
        kept_so_far = int(kept_before[-1]) if kept_before.shape[0] else kept_so_far
        forget_pages(provisional, start, end)
    return TokenCorpus(tokens.to_array(), offsets, int(provisional.shape[0]))
