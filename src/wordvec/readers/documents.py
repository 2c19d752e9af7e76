"""The documents of a corpus: :func:`iter_documents`, and the :class:`Documents` it returns.

:class:`Documents` is an iterator that also remembers what it reads (a :class:`Reading`), so that an
encoder given it before it is started can read the files its own way (in blocks, on threads) with
the same words.

>>> docs = iter_documents(default_corpus()[0])
>>> docs.reading.format, next(docs)[:13]
('auto', 'I have bought')
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, NamedTuple

from ..errors import CorpusError
from .files import DocumentCount, open_file
from ..text import decode_line
from .folders import default_corpus, files
from .lines import lines_of
from .sniffing import FORMATS


#: How :func:`iter_documents` hands documents over: ``words``, as cleaned texts (tokenized later by
#: :func:`~wordvec.text.tokenize`: lower case, punctuation off); ``whitespace``, as lists of the
#: tokens between whitespace, case and punctuation kept (graph walks, item sessions, pre-split
#: text; the lines of a plain text file are not cleaned either).
TOKENIZERS = ("words", "whitespace")


def iter_documents(sources, format: str = "auto", text_column: str | None = None,
                   include_summary: bool = False, tokenizer: str = "words") -> "Documents":
    """Yield the cleaned text of each document in ``sources`` (files or folders).

    Parameters
    ----------
    sources : path or list of paths
        Files (optionally gzip-, bzip2-, xz- or zstd-compressed) or folders of them.
    format : {"auto", "snap", "csv", "text", "jsonl", "parquet", "arrow"}, default="auto"
        ``auto`` recognises each file's layout from its content (see :data:`~wordvec.readers.FORMATS`).
    text_column : str, optional
        Column (CSV, Parquet, Arrow) or field (JSON lines) holding the text, compared without case;
        by default the first of ``Text``, ``Review``, ``ReviewText``, ``Review_Text``, ``Body``,
        ``Content``.
    include_summary : bool, default=False
        Put the review summary before its text (SNAP, and a ``Summary`` column where one exists).
    tokenizer : {"words", "whitespace"}, default="words"
        ``whitespace`` yields each document as the list of its whitespace-separated tokens, kept as
        they are (:data:`TOKENIZERS`).

    Returns
    -------
    Documents
        An iterator over the documents that also remembers what it reads, so that
        :func:`~wordvec.encoding.encode_documents` given it before it is started reads the files
        in blocks instead (same words, faster).

    Raises
    ------
    CorpusError
        A file is missing, unreadable, damaged, or none of the layouts; the message names it.
    MissingDependencyError
        A Parquet or Arrow file without pyarrow, a zstd file without zstandard.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "reviews.jsonl"
    >>> _ = path.write_text('{"Summary": "Tasty", "Text": "Good <br />tea"}\\n')
    >>> list(iter_documents(path, include_summary=True))
    ['Tasty. Good  tea']
    """
    if isinstance(sources, (str, Path)):
        sources = [sources]
    if tokenizer not in TOKENIZERS:
        raise CorpusError(f"unknown tokenizer {tokenizer!r}: choose one of {', '.join(TOKENIZERS)}")
    return Documents(Reading(list(sources), format, text_column, include_summary, tokenizer))


def unstarted_reading(documents) -> "Reading | None":
    """What ``documents`` reads, if it is what :func:`iter_documents` returned and is not yet started
    (:meth:`Documents.take` then hands it over); None for any other iterable.

    So an encoder can read the files its own way (in blocks, on threads), with the same words.

    Examples
    --------
    >>> docs = iter_documents(default_corpus()[0])
    >>> unstarted_reading(docs).format, unstarted_reading(["tea"])
    ('auto', None)
    """
    if isinstance(documents, Documents) and not documents.started and documents.reading.tokenizer == "words":
        return documents.reading
    return None


class Reading(NamedTuple):
    """What :func:`iter_documents` was asked to read."""

    sources: list
    format: str
    text_column: str | None
    include_summary: bool
    tokenizer: str = "words"

    def files(self) -> list[Path]:
        """The files to read, in order (folders expanded); checks the format first.

        Examples
        --------
        >>> [p.name for p in Reading(default_corpus(), "auto", None, False).files()]
        ['finefoods_sample.txt.gz', 'fine_food_reviews_1k.csv.gz']
        """
        if self.format not in FORMATS:
            raise CorpusError(f"unknown format {self.format!r}: choose one of {', '.join(FORMATS)}")
        return files(self.sources)


class Documents:
    """The documents of :func:`iter_documents`: an iterator, started by the first ``next``.

    ``reading`` says what it reads; :meth:`take` hands that over to a reader of its own (the
    encoder's block reader), once, before iteration has started.

    Examples
    --------
    >>> docs = iter_documents(default_corpus()[0])
    >>> docs.reading.format, next(docs)[:13]
    ('auto', 'I have bought')
    """

    def __init__(self, reading: Reading):
        self.reading = reading
        self._documents: Iterator[str] | None = None

    def __iter__(self) -> "Documents":
        return self

    def __next__(self) -> str:
        if self._documents is None:
            self._documents = self._read()
        return next(self._documents)

    def _read(self) -> Iterator[str]:
        reading = self.reading
        for path in reading.files():
            if reading.tokenizer == "whitespace":
                yield from _read_tokens(path, reading.format, reading.text_column, reading.include_summary)
            else:
                yield from _read_file(path, reading.format, reading.text_column, reading.include_summary)

    @property
    def started(self) -> bool:
        """Whether documents have been asked for (or :meth:`take` was called)."""
        return self._documents is not None

    def take(self) -> Reading:
        """Hand over what to read: this iterator is then exhausted. Only before it is started."""
        if self.started:
            raise ValueError("these documents are being read already")
        self._documents = iter(())
        return self.reading

    def close(self) -> None:
        """Stop reading (closes the file being read), as a generator's ``close``."""
        if self._documents is not None and hasattr(self._documents, "close"):
            self._documents.close()


def _read_file(path: Path, format: str, text_column: str | None, include_summary: bool) -> Iterator[str]:
    read = DocumentCount()
    with open_file(path, format, read) as file:
        for doc in file.documents(text_column, include_summary):
            read.count += 1
            yield doc


def _read_tokens(path: Path, format: str, text_column: str | None, include_summary: bool) -> Iterator[list]:
    """The documents of a file as lists of whitespace-separated tokens (the lines of plain text uncleaned)."""
    read = DocumentCount()
    with open_file(path, format, read) as file:
        if file.layout == "text":
            with lines_of(file.source) as handle:
                for raw in handle:
                    tokens = decode_line(raw).split()
                    if tokens:
                        read.count += 1
                        yield tokens
            return
        for doc in file.documents(text_column, include_summary):
            read.count += 1
            yield doc.split()
