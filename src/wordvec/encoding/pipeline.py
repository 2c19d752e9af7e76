"""The block pipeline: files read in blocks, split into words on threads, numbered in reading order.

Text and SNAP files are decompressed in blocks of whole lines (:meth:`~wordvec.readers.OpenFile.blocks`);
the lines of each block are split into words by a compiled kernel on a pool of threads, each thread
numbering words in a table of its own (documents with bytes outside ASCII are cleaned in Python first,
exactly as the reader cleans them). The other layouts are read document by document and tokenized in
Python. Each piece of work gives a :class:`Part`; :class:`Numbering` merges the parts' words, in
reading order, into one numbering of the whole corpus by first appearance, the numbering the Python
token loop gives.

A reading thread runs ahead of the encoding threads by at most as many blocks as there are threads;
an error on any thread is raised where the parts are taken, naming the file, and stopping there
(an error, Ctrl-C) stops every thread and closes the file.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from queue import Empty, Full, Queue
from typing import Iterable, Iterator, NamedTuple

import numpy as np

from ..kernels.text import Words, encode, find_lines, find_reviews, merge
from ..readers import BLOCK_LAYOUTS, DocumentCount, Reading, errors_named, hard_documents, open_file
from .tokens import number_words

#: Words gathered from documents read one by one (CSV, JSON lines, Parquet, Arrow) per merge.
_PART_WORDS = 1 << 20


class Part(NamedTuple):
    """Some documents, their words numbered in a table of words (:class:`~wordvec.kernels.text.Words`).

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


class Numbering:
    """The words of the whole corpus, numbered by first appearance, and each thread table's rows in it."""

    def __init__(self, fold: np.ndarray):
        self.fold = fold
        self.total = Words.empty()
        self.maps: dict[object, tuple[np.ndarray, int]] = {}

    def numbers(self, part: Part) -> np.ndarray:
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


def jobs_of(reading: Reading, fold: np.ndarray) -> Iterator[tuple]:
    """``(path, count, job)`` in reading order: a job encodes a block (a callable) or is a ready :class:`Part`."""
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


def parts_in_order(jobs: Iterator[tuple], workers: int) -> Iterator[Part]:
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


def _done(path: Path, read: DocumentCount, job) -> Part:
    """The part a job gives (waiting for it if it runs on a thread); errors name the file."""
    with errors_named(path, read):
        part = job.result() if isinstance(job, Future) else job() if callable(job) else job
    read.count += part.lengths.shape[0]
    return part


def _encode_bytes(block: bytearray, layout: str, include_summary: bool, fold: np.ndarray,
                  tables: _ThreadTables) -> Part:
    """Encode one block of whole lines of a text (``layout="text"``) or SNAP file, in this thread's table."""
    buf = np.frombuffer(block, dtype=np.uint8)
    docs, hard = find_reviews(buf, include_summary) if layout == "snap" else find_lines(buf)
    replacements, starts = hard_documents(block, docs, hard, layout, include_summary)
    table = tables.of_this_thread()
    first = int(table.words.sizes[0])
    words, ids, lengths = encode(buf, docs, hard, (np.frombuffer(replacements, dtype=np.uint8), starts),
                                 table.words, fold)
    table.words = words
    return Part(table, words, first, int(words.sizes[0]), ids, lengths)


def _parts_of_documents(documents: Iterable) -> Iterator[Part]:
    """Documents read one by one, tokenized in Python, in parts of about :data:`_PART_WORDS` words."""
    first_seen: dict[str, int] = {}
    ids: list[int] = []
    lengths: list[int] = []
    for document in documents:
        length = number_words(document, first_seen, ids)
        if length:
            lengths.append(length)
        if len(ids) >= _PART_WORDS:
            yield _part(first_seen, ids, lengths)
            first_seen, ids, lengths = {}, [], []
    if ids:
        yield _part(first_seen, ids, lengths)


def _part(first_seen: dict[str, int], ids: list[int], lengths: list[int]) -> Part:
    """A :class:`Part` of words tokenized in Python (in its arena each word is followed by a space)."""
    encoded = [word.encode("utf-8", "surrogatepass") + b" " for word in first_seen]
    numbers = np.asarray(ids, dtype=np.int32)
    starts = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(word) for word in encoded], out=starts[1:])
    arena = np.frombuffer(bytearray(b"".join(encoded)), dtype=np.uint8)
    sizes = np.array([len(encoded), arena.shape[0], numbers.shape[0]], dtype=np.int64)
    return Part(object(), Words(np.zeros((0, 2), dtype=np.uint64), starts, arena, sizes), 0, len(encoded),
                numbers, np.asarray(lengths, dtype=np.int64))
