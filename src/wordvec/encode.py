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

import contextlib
import ctypes
import functools
import mmap
import re
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from queue import Empty, Full, Queue
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

import numpy as np

from ._text_kernels import Words, encode, find_lines, find_reviews, fold_table, merge, remap_range
from ._text_kernels import compiled as kernels_compiled
from .corpus import (BLOCK_LAYOUTS, DocumentCount, Documents, Reading, errors_named, hard_documents,
                     is_compressed, open_file)
from ._threads import resolve_threads
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

    def extend(self, values) -> None:
        values = np.asarray(values, dtype=np.int32)
        if values.shape[0] < _BLOCK // 4:
            super().extend(values)
            return
        self._spill(self.current[:self.filled])
        self.filled = 0
        self._spill(np.ascontiguousarray(values))

    def _spill(self, block: np.ndarray) -> None:
        self.file.write(memoryview(block))
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
                     progress=None, threads: int | None = None) -> tuple[Vocabulary, TokenCorpus]:
    """Tokenize documents, build the vocabulary and the token-id array in one pass.

    Parameters
    ----------
    documents : iterable of str, or of lists of words (already tokenized)
        Documents from :func:`~wordvec.corpus.iter_documents`, not yet started, are read by
        :func:`encode_files` instead (same result, faster).
    num_words : int or None, default=20000
        Keep at most this many words (the most frequent).
    min_count : int, default=1
        Keep only words seen at least this often.
    progress : callable(n_words) or None
        Called as words are read, with the number of words read since the last call.
    threads : int or None, default=None
        Threads that :func:`encode_files` reads with (None: every core); unused otherwise.

    Examples
    --------
    >>> vocab, corpus = encode_documents(["a b a", "c"], num_words=None)
    >>> vocab.words, corpus.tokens.tolist()
    (['UNK', 'a', 'b', 'c'], [1, 2, 1, 3])
    """
    if isinstance(documents, Documents) and not documents.started and _blocks_pay(documents.reading):
        return encode_files(*documents.take(), num_words=num_words, min_count=min_count,
                            threads=threads, progress=progress)
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
    words = list(first_seen)
    del first_seen
    vocab, order = _vocabulary(freqs, lambda rows: [words[i] for i in rows], num_words, min_count)
    del words
    corpus = remap_tokens(provisional, lengths.to_array(), _rows(order, freqs.shape[0]))
    del provisional, ids
    release_free_memory()
    return vocab, corpus


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
    tokens = _SpooledInts()
    out = np.empty(_BLOCK, dtype=np.int32)
    state = np.zeros(2, dtype=np.int64)
    remap = np.ascontiguousarray(remap, dtype=np.int32)
    for start, end in _blocks(provisional.shape[0]):
        n_kept = remap_range(provisional[start:end], start, remap, starts, offsets, state, out)
        tokens.extend(out[:n_kept])
        forget_pages(provisional, start, end)
    offsets[int(state[0]):] = state[1]
    return TokenCorpus(tokens.to_array(), offsets, int(provisional.shape[0]))


# --- reading files in blocks ------------------------------------------------------------------------

#: Words gathered from documents read one by one (CSV, JSON lines, Parquet, Arrow) per merge.
_PART_WORDS = 1 << 20
#: Freed memory is handed back to the system every this many parts read.
_TRIM_EVERY = 8
#: :func:`encode_documents` reads in blocks from this much text (compressed files counted three
#: times their size): below it, loading the compiled kernels (about half a second) takes longer
#: than reading in Python.
BLOCKS_FROM_BYTES = 8 << 20
#: ... and from this much when the kernels must be compiled first (5-10 s, once; Numba's cache
#: keeps them): about what reading in Python takes as long.
BLOCKS_COLD_FROM_BYTES = 32 << 20


class _Part(NamedTuple):
    """Some documents, their words numbered in a table of words (:class:`~wordvec._text_kernels.Words`).

    ``source`` names the table (an encoding thread keeps one from block to block; documents read
    one by one get a table each); rows ``first`` to ``last`` of ``words`` are the words the table
    first met in these documents. ``ids`` are the rows of the documents' words in reading order,
    ``lengths`` the sizes of the documents that have words.
    """

    source: object
    words: Words
    first: int
    last: int
    ids: np.ndarray
    lengths: np.ndarray


class _Numbering:
    """The words of the whole corpus, numbered by first appearance, and each thread table's rows in it."""

    def __init__(self, fold: np.ndarray):
        self.fold = fold
        self.total = Words.empty()
        self.maps: dict[object, tuple[np.ndarray, int]] = {}

    def numbers(self, part: _Part) -> np.ndarray:
        """The corpus numbers of the words of ``part`` (parts must come in reading order)."""
        mapped, filled = self.maps.pop(part.source, (np.zeros(0, dtype=np.int32), 0))
        if filled != part.first:
            raise RuntimeError("parts of one table merged out of order")
        starts = part.words.starts
        text = part.words.arena[starts[part.first]:starts[part.last]]
        self.total, new = merge(self.total, text, self.fold)
        if mapped.shape[0] < part.last:
            mapped = np.concatenate([mapped[:filled], np.empty(max(part.last, 2 * filled) - filled, dtype=np.int32)])
        mapped[part.first:part.last] = new
        if isinstance(part.source, _Table):  # more parts of this table follow
            self.maps[part.source] = (mapped, part.last)
        return mapped[part.ids]


def encode_files(sources, format: str = "auto", text_column: str | None = None, include_summary: bool = False,
                 num_words: int | None = 20000, min_count: int = 1, threads: int | None = None,
                 progress=None) -> tuple[Vocabulary, TokenCorpus]:
    """Read files and encode them: ``encode_documents(iter_documents(...))``, faster.

    Text and SNAP files are decompressed in blocks of whole lines; the lines of each block are
    split into words by a compiled kernel, on ``threads`` threads at once (documents with bytes
    outside ASCII are cleaned in Python first, exactly as the reader cleans them). The other layouts
    are read document by document. The vocabulary (words, counts, order), the token ids, the
    document boundaries and the raw word count are those of :func:`encode_documents` on
    ``iter_documents(sources, format, text_column, include_summary)``.

    Parameters
    ----------
    sources, format, text_column, include_summary
        As :func:`~wordvec.corpus.iter_documents` takes them.
    num_words, min_count, progress
        As :func:`encode_documents` takes them.
    threads : int or None, default=None
        Threads that split words at once (None: every core).

    Raises
    ------
    CorpusError
        As :func:`~wordvec.corpus.iter_documents` raises it (naming the file), or the corpus has no
        words (or none seen ``min_count`` times).

    Examples
    --------
    >>> from wordvec.corpus import default_corpus
    >>> vocab, corpus = encode_files(default_corpus()[0], num_words=100)
    >>> vocab.words[:4], corpus.n_documents
    (['UNK', 'the', 'i', 'and'], 1000)
    """
    if isinstance(sources, (str, Path)):
        sources = [sources]
    reading = Reading(list(sources), format, text_column, include_summary)
    numbering = _Numbering(fold_table())
    ids = _SpooledInts()
    lengths = _GrowingInts(np.int64)
    for count, part in enumerate(_parts_in_order(_jobs(reading, numbering.fold), _workers(threads)), 1):
        ids.extend(numbering.numbers(part))
        lengths.extend(part.lengths)
        if progress is not None and part.ids.shape[0]:
            progress(int(part.ids.shape[0]))
        if count % _TRIM_EVERY == 0:
            release_free_memory()  # the encoding threads' freed blocks, which glibc keeps otherwise
    release_free_memory()
    provisional = ids.to_array()
    if provisional.shape[0] == 0:
        raise CorpusError("the corpus is empty: no words found in the input")
    counts = np.zeros(int(numbering.total.sizes[0]), dtype=np.int64)
    for start, end in _blocks(provisional.shape[0]):
        counts += np.bincount(provisional[start:end], minlength=counts.shape[0])
        forget_pages(provisional, start, end)
    vocab, order = _vocabulary(counts, numbering.total.words, num_words, min_count)
    del numbering
    corpus = remap_tokens(provisional, lengths.to_array(), _rows(order, counts.shape[0]))
    del provisional, ids
    release_free_memory()
    return vocab, corpus


def _blocks_pay(reading: Reading) -> bool:
    """Whether reading in blocks is worth it: enough text (:data:`BLOCKS_FROM_BYTES`) to pay for the kernels."""
    try:
        files = reading.files()
        if not all(path.is_file() for path in files):
            return False  # a pipe (``<(zcat x.gz)``, a FIFO) or a device: no size to go by, and read once
        size = sum(path.stat().st_size * (3 if is_compressed(path) else 1) for path in files)
    except (OSError, CorpusError):
        return False  # reading the documents one by one reports it
    return size >= (BLOCKS_FROM_BYTES if kernels_compiled() else BLOCKS_COLD_FROM_BYTES)


def _workers(threads: int | None) -> int:
    return resolve_threads(threads)


def _jobs(reading: Reading, fold: np.ndarray) -> Iterator[tuple]:
    """``(path, count, job)`` in reading order: a job encodes a block (a callable) or is a ready :class:`_Part`."""
    tables = _ThreadTables()
    for path in reading.files():
        read = DocumentCount()
        with open_file(path, reading.format, read) as file:
            if file.layout in BLOCK_LAYOUTS:
                for block in file.blocks(reading.include_summary):
                    yield path, read, functools.partial(_encode_bytes, block, file.layout,
                                                        reading.include_summary, fold, tables)
                continue
            documents = _counted(file.documents(reading.text_column, reading.include_summary), read)
            for part in _parts_of_documents(documents):
                yield path, DocumentCount(), part


def _counted(documents: Iterator[str], read: DocumentCount) -> Iterator[str]:
    """``documents``, counted in ``read`` as they are read (the number an error message gives)."""
    for document in documents:
        read.count += 1
        yield document


class _ThreadTables:
    """The table of words of each thread that encodes blocks, kept from block to block.

    A thread encodes its blocks in reading order (the pool hands blocks out first come, first
    served), so the words its table first meets in a block are always the rows it added last.
    """

    def __init__(self):
        self.tables: dict[int, _Table] = {}

    def of_this_thread(self) -> "_Table":
        """The table of the calling thread."""
        return self.tables.setdefault(threading.get_ident(), _Table(Words.empty(1 << 14, 1 << 18)))


class _Table:
    """One thread's table of words (replaced by a copy when it grows); names its parts' source."""

    __slots__ = ("words",)

    def __init__(self, words: Words):
        self.words = words


def _parts_in_order(jobs: Iterator[tuple], workers: int) -> Iterator[_Part]:
    """The parts of ``jobs`` in order.

    With one worker, everything runs here. With more, a reading thread runs ``jobs`` (decompressing
    the blocks) and hands the blocks to ``workers`` encoding threads, at most ``workers`` ahead
    of the parts taken here; an error on the reading thread is raised here, and stopping here (an
    error, Ctrl-C) stops the reading thread and closes the file.
    """
    if workers <= 1:
        for path, read, job in jobs:
            yield _done(path, read, job)
        return
    pool = ThreadPoolExecutor(workers, thread_name_prefix="wordvec-encode")
    handed: Queue = Queue(maxsize=workers)
    stop = threading.Event()
    reader = threading.Thread(target=_read_ahead, args=(jobs, pool, handed, stop), name="wordvec-read", daemon=True)
    reader.start()
    try:
        while True:
            item = handed.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield _done(*item)
    finally:
        stop.set()
        while reader.is_alive():
            with contextlib.suppress(Empty):
                handed.get(timeout=0.05)
        pool.shutdown(wait=True, cancel_futures=True)


def _read_ahead(jobs: Iterator[tuple], pool: ThreadPoolExecutor, handed: Queue, stop: threading.Event) -> None:
    """Run ``jobs`` (on the reading thread), blocks submitted to ``pool``; then ``None``, or the error."""
    try:
        for path, read, job in jobs:
            if callable(job):
                job = pool.submit(job)
            if not _hand(handed, (path, read, job), stop):
                return
        _hand(handed, None, stop)
    except BaseException as err:  # raised again on the thread taking the parts
        _hand(handed, err, stop)
    finally:
        jobs.close()


def _hand(handed: Queue, item, stop: threading.Event) -> bool:
    """Put ``item`` in the queue unless told to stop first; whether it was put."""
    while not stop.is_set():
        with contextlib.suppress(Full):
            handed.put(item, timeout=0.05)
            return True
    return False


def _done(path: Path, read: DocumentCount, job) -> _Part:
    """The part a job gives (waiting for it if it runs on a thread); errors name the file."""
    with errors_named(path, read):
        part = job.result() if isinstance(job, Future) else job() if callable(job) else job
    read.count += part.lengths.shape[0]
    return part


def _encode_bytes(block: bytearray, layout: str, include_summary: bool, fold: np.ndarray,
                  tables: _ThreadTables) -> _Part:
    """Encode one block of whole lines of a text (``layout="text"``) or SNAP file, in this thread's table."""
    buf = np.frombuffer(block, dtype=np.uint8)
    docs, hard = find_reviews(buf, include_summary) if layout == "snap" else find_lines(buf)
    replacements, starts = hard_documents(block, docs, hard, layout, include_summary)
    table = tables.of_this_thread()
    first = int(table.words.sizes[0])
    words, ids, lengths = encode(buf, docs, hard, (np.frombuffer(replacements, dtype=np.uint8), starts),
                                 table.words, fold)
    table.words = words
    return _Part(table, words, first, int(words.sizes[0]), ids, lengths)


def _parts_of_documents(documents: Iterable) -> Iterator[_Part]:
    """Documents read one by one, tokenized in Python, in parts of about :data:`_PART_WORDS` words."""
    first_seen: dict[str, int] = {}
    ids: list[int] = []
    lengths: list[int] = []
    for document in documents:
        length = 0
        for words in _word_pieces(document):
            ids.extend([first_seen.setdefault(w, len(first_seen)) for w in words])
            length += len(words)
        if length:
            lengths.append(length)
        if len(ids) >= _PART_WORDS:
            yield _part(first_seen, ids, lengths)
            first_seen, ids, lengths = {}, [], []
    if ids:
        yield _part(first_seen, ids, lengths)


def _part(first_seen: dict[str, int], ids: list[int], lengths: list[int]) -> _Part:
    """A :class:`_Part` of words tokenized in Python (in its arena each word is followed by a space)."""
    encoded = [word.encode("utf-8", "surrogatepass") + b" " for word in first_seen]
    numbers = np.asarray(ids, dtype=np.int32)
    starts = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(word) for word in encoded], out=starts[1:])
    arena = np.frombuffer(bytearray(b"".join(encoded)), dtype=np.uint8)
    sizes = np.array([len(encoded), arena.shape[0], numbers.shape[0]], dtype=np.int64)
    return _Part(object(), Words(np.zeros((0, 2), dtype=np.uint64), starts, arena, sizes), 0, len(encoded),
                 numbers, np.asarray(lengths, dtype=np.int64))
