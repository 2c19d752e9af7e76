"""A corpus file opened once, its layout recognised, read by the reader of that layout; errors name it.

:func:`open_file` opens a file (:class:`~wordvec.readers.sources.Source`), recognises its layout
(:mod:`~wordvec.readers.sniffing`) and gives an :class:`OpenFile` that reads it once: as documents, or
(text, SNAP) in blocks of whole lines for the encoder. :func:`errors_named` turns whatever goes
wrong while reading into one :class:`~wordvec.errors.CorpusError` line naming the file.
:func:`detect_format` is the recognising alone.

>>> from wordvec.readers import default_corpus
>>> detect_format(default_corpus()[1])
'csv'
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator, NamedTuple

from ..errors import CorpusError
from .blocks import line_blocks
from .columnar import read_arrow, read_parquet
from .compression import DATA_ERRORS, is_compressed
from .lines import BinaryLine, bounded_lines
from .plain import read_text
from .sniffing import COLUMNAR_NAMES, FORMATS, TEXT_LAYOUTS, layout_to_read, look, refusal
from .snap import read_snap
from .sources import Source
from .tables import read_csv, read_jsonl

#: The reader of each layout: text layouts take a :class:`~wordvec.readers.sources.Source`, columnar
#: ones a path.
READERS = {"snap": read_snap, "csv": read_csv, "text": read_text, "jsonl": read_jsonl,
           "parquet": read_parquet, "arrow": read_arrow}


def _open_binary(path: Path) -> Source:
    """The file opened once, its first bytes read (see :class:`~wordvec.readers.sources.Source`)."""
    return Source(path)


def detect_format(path) -> str:
    """Recognise a file's layout from its content (the rule is in :mod:`wordvec.readers.sniffing`).

    Parameters
    ----------
    path : str or Path
        A file, compressed or not.

    Returns
    -------
    str
        One of :data:`~wordvec.readers.sniffing.FORMATS` other than ``auto``.

    Raises
    ------
    CorpusError
        The file is none of the layouts: binary data, an archive, an image, a single JSON document...

    Examples
    --------
    >>> from wordvec.readers import default_corpus
    >>> detect_format(default_corpus()[0])
    'snap'
    """
    path = Path(path)
    try:
        with _open_binary(path) as source:
            seen = look(source)
    except OSError as err:
        raise CorpusError(f"{path}: {err.strerror or err}") from None
    if seen.layout not in FORMATS:
        raise CorpusError(refusal(path, seen))
    return seen.layout


class DocumentCount:
    """How many documents of a file have been read: the number a damaged file's message gives."""

    def __init__(self):
        self.count = 0


def _damaged(path: Path, err: Exception, count: int) -> str:
    return f"{path}: compressed data is truncated or corrupted ({err}); stopped after {count} documents"


@contextlib.contextmanager
def errors_named(path: Path, read: DocumentCount):
    """Turn the errors of reading ``path`` into one :class:`CorpusError` line naming it.

    Damaged compressed data says how many documents (``read.count``) came before the damage.

    Examples
    --------
    >>> try:
    ...     with errors_named(Path("reviews.txt"), DocumentCount()):
    ...         raise PermissionError(13, "Permission denied")
    ... except CorpusError as err:
    ...     print(err)
    reviews.txt: permission denied
    """
    try:
        yield
    except DATA_ERRORS as err:
        raise CorpusError(_damaged(path, err, read.count)) from None
    except BinaryLine as err:
        raise CorpusError(f"{path}: looks like binary data {err}, not a corpus wordvec can read") from None
    except PermissionError:
        raise CorpusError(f"{path}: permission denied") from None
    except IsADirectoryError:
        raise CorpusError(f"{path}: is a directory") from None
    except OSError as err:
        if err.errno is None and path.is_file() and is_compressed(path):  # never open a pipe twice
            raise CorpusError(_damaged(path, err, read.count)) from None
        raise CorpusError(f"{path}: {err.strerror or err}") from None


@contextlib.contextmanager
def open_file(path: Path, format: str, read: DocumentCount) -> Iterator["OpenFile"]:
    """A corpus file opened once and its layout recognised (``format``, or ``auto``); errors name it.

    Errors raised while reading it inside the ``with`` are turned into one line naming the file too
    (:func:`errors_named`, with ``read.count`` documents read).

    Examples
    --------
    >>> from wordvec.readers import default_corpus
    >>> with open_file(default_corpus()[0], "auto", DocumentCount()) as file:
    ...     file.layout, next(file.documents())[:13]
    ('snap', 'I have bought')
    """
    with errors_named(path, read), _open_binary(path) as source:
        yield OpenFile(source, layout_to_read(source, format))


class OpenFile(NamedTuple):
    """A corpus file opened by :func:`open_file`, read once: as documents, or (text, SNAP) in blocks."""

    source: Source
    layout: str

    def documents(self, text_column: str | None = None, include_summary: bool = False) -> Iterator[str]:
        """The cleaned documents (see :func:`~wordvec.readers.iter_documents`)."""
        if self.layout in TEXT_LAYOUTS:
            return READERS[self.layout](self.source, text_column=text_column, include_summary=include_summary)
        path = self.source.path
        if not path.is_file():
            raise CorpusError(f"{path}: looks like {COLUMNAR_NAMES[self.layout]}, which is read from a "
                              f"regular file, not a pipe or a device; save it to a file first")
        return READERS[self.layout](path, text_column=text_column, include_summary=include_summary)

    def blocks(self, include_summary: bool = False) -> Iterator[bytearray]:
        """The bytes of a text or SNAP file, decompressed, in blocks of whole lines.

        The readers see the same bytes (UTF-16 and UTF-32 re-encoded as UTF-8, long lines cut as
        :func:`~wordvec.readers.lines.bounded_lines` cuts them). In the SNAP layout with
        ``include_summary``, a block whose last summary is not yet followed by its text passes that
        summary line on to the start of the next block, so each block can be read on its own.

        Examples
        --------
        >>> from wordvec.readers import default_corpus
        >>> with open_file(default_corpus()[0], "auto", DocumentCount()) as file:
        ...     blocks = list(file.blocks())
        >>> len(blocks), bytes(blocks[0][:19])
        (1, b'product/productId: ')
        """
        snap = self.layout == "snap"
        return line_blocks(bounded_lines(self.source.chunks(), snap), include_summary and snap)
