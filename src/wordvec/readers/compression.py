"""Decompression by magic bytes: the one decompression stack of wordvec, for corpora and vectors files.

A file is gzip, bzip2, xz or zstd data when its first bytes say so, whatever it is called
(:func:`compression_of`). :func:`decompressed` opens a file as a buffered binary stream of its
decompressed bytes; :func:`decompressing` wraps a stream already open (a pipe, read once). Damaged
data raises one of :data:`DATA_ERRORS` while it is read. zstd needs ``pip install "wordvec[zstd]"``
(:func:`require_zstandard` says so); the others are in Python's standard library.

What it offers:

- :data:`COMPRESSIONS`, :data:`MAGIC_BYTES`, :data:`DATA_ERRORS`;
- :func:`compression_of` (from a file's first bytes), :func:`is_compressed` (from a path);
- :func:`decompressed` (a path) and :func:`decompressing` (an open binary stream);
- :func:`rewound`, :func:`replayed`, :class:`Chunks` and :class:`ChunkedReader`: streams made of
  chunks, so that bytes read to recognise a file are given again, not seeked back.

gzip is read member after member as ``gzip.open`` reads it, with larger reads (about a sixth less
work); zstd frame after frame, a cut-off last frame being an error (zstandard's own reader ends
silently there).

>>> import gzip, io
>>> data = gzip.compress(b"tea and cups\\n")
>>> compression_of(data[:MAGIC_BYTES])
'gzip'
>>> decompressing(io.BytesIO(data), "gzip", "tea.gz").read()
b'tea and cups\\n'
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import zlib
from pathlib import Path
from typing import Iterator

from ..errors import MissingDependencyError
from . import limits

#: The compressions recognised, by their magic bytes.
COMPRESSIONS = ("gzip", "bzip2", "xz", "zstd")
#: The first bytes of a file that :func:`compression_of` (and the columnar signatures) need.
MAGIC_BYTES = 16

_ZSTD_READ_BYTES = 1 << 16
_GZIP_READ_BYTES = 1 << 18
_GZIP_OUT_BYTES = 1 << 20


class _ZstdDataError(ValueError):
    """zstd data that cannot be decompressed."""


#: What reading damaged (truncated or corrupted) compressed data raises.
DATA_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile, lzma.LZMAError, _ZstdDataError)


def compression_of(magic: bytes) -> str | None:
    """``gzip``, ``bzip2``, ``xz`` or ``zstd`` from a file's first bytes, or None.

    Examples
    --------
    >>> compression_of(b"BZh91AY&SY"), compression_of(b"tea")
    ('bzip2', None)
    """
    if magic.startswith(b"\x1f\x8b"):
        return "gzip"
    if magic.startswith(b"BZh") and magic[3:4].isdigit() and magic[4:10] in (b"1AY&SY", b"\x17rE8P\x90"):
        return "bzip2"
    if magic.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if magic.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    return None


def is_compressed(path: Path) -> bool:
    """Whether the file is gzip, bzip2, xz or zstd data (from its first bytes); False if unreadable.

    Examples
    --------
    >>> from wordvec.readers import default_corpus
    >>> is_compressed(default_corpus()[0])
    True
    """
    try:
        with open(path, "rb") as probe:
            return compression_of(probe.read(MAGIC_BYTES)) is not None
    except OSError:
        return False


class ChunkedReader(io.RawIOBase):
    """A readable raw stream over a source of byte chunks (``_next_chunk`` returns b"" at the end)."""

    def __init__(self):
        super().__init__()
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            chunk = self._next_chunk()
            if not chunk:
                return 0
            self._pending = memoryview(chunk)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def _next_chunk(self) -> bytes:
        raise NotImplementedError


class _ZstdReader(ChunkedReader):
    """The decompressed bytes of a zstd file (a binary stream, closed with it), frame after frame; a
    cut-off last frame raises EOFError.

    (zstandard's own ``stream_reader`` ends silently at a truncated frame, so frames are followed here.)
    """

    def __init__(self, source, path: Path):
        super().__init__()
        zstandard = require_zstandard(path)
        self._zstd_error = zstandard.ZstdError
        self._decompressor = zstandard.ZstdDecompressor()
        self._frame = self._decompressor.decompressobj()
        self._inside_frame = False
        self._source = source

    def _next_chunk(self) -> bytes:
        while True:
            compressed = self._source.read(_ZSTD_READ_BYTES)
            if not compressed:
                if self._inside_frame:
                    raise EOFError("zstd data ended before the end of its last frame")
                return b""
            decompressed = self._decompress(compressed)
            if decompressed:
                return decompressed

    def _decompress(self, compressed: bytes) -> bytes:
        pieces = []
        try:
            while compressed:
                pieces.append(self._frame.decompress(compressed))
                self._inside_frame = not self._frame.eof
                compressed = b""
                if self._frame.eof:
                    compressed = self._frame.unused_data
                    self._frame = self._decompressor.decompressobj()
        except self._zstd_error as err:
            raise _ZstdDataError(str(err)) from None
        return b"".join(pieces)

    def close(self) -> None:
        if hasattr(self, "_source"):
            self._source.close()
        super().close()


class _GzipReader(ChunkedReader):
    """The decompressed bytes of a gzip file (a binary stream, closed with it), member after member, as
    ``gzip.open`` reads them.

    zlib parses each member's header and checks its CRC and length; zero bytes between or after
    members are skipped; anything else after a member is not gzip (``BadGzipFile``), and a cut-off
    member raises ``EOFError``. Each call inflates up to :data:`_GZIP_OUT_BYTES` from large reads,
    about a sixth less work than ``gzip.GzipFile``, which inflates in small pieces.
    """

    def __init__(self, source):
        super().__init__()
        self._source = source
        self._inflate = zlib.decompressobj(31)
        self._input = b""
        self._inside = False

    def _next_chunk(self) -> bytes:
        while True:
            if not self._input:
                self._input = self._source.read(_GZIP_READ_BYTES)
                if not self._input:
                    if self._inside:
                        raise EOFError("Compressed file ended before the end-of-stream marker was reached")
                    return b""
            if not self._inside and not self._next_member():
                continue
            out = self._inflate.decompress(self._input, _GZIP_OUT_BYTES)
            self._input = self._inflate.unconsumed_tail or self._inflate.unused_data
            if self._inflate.eof:
                self._inside = False
                self._inflate = zlib.decompressobj(31)
            if out:
                return out

    def _next_member(self) -> bool:
        """Skip zero bytes; True if a member starts here (False: more input is needed)."""
        self._input = self._input.lstrip(b"\x00")
        if len(self._input) < 2:
            more = self._source.read(_GZIP_READ_BYTES)
            if not more:
                if self._input:
                    raise gzip.BadGzipFile(f"Not a gzipped file ({self._input!r})")
                return False
            self._input += more
            return False
        if not self._input.startswith(b"\x1f\x8b"):
            raise gzip.BadGzipFile(f"Not a gzipped file ({self._input[:2]!r})")
        self._inside = True
        return True

    def close(self) -> None:
        if hasattr(self, "_source"):
            self._source.close()
        super().close()


def require_zstandard(path: Path):
    """The ``zstandard`` module, or one line naming the file and the install that reads it."""
    try:
        import zstandard
    except ImportError:
        raise MissingDependencyError(
            f'{path}: zstd-compressed; reading it needs zstandard: pip install "wordvec[zstd]"') from None
    return zstandard


class Chunks(ChunkedReader):
    """A readable raw stream over an iterator of byte chunks (bytes, bytearrays or memoryviews)."""

    def __init__(self, chunks: Iterator):
        super().__init__()
        self._chunks = chunks

    def _next_chunk(self):
        return next(self._chunks, b"")


def replayed(first: bytes, stream, error: BaseException | None = None) -> Iterator[bytes]:
    """``first`` (bytes already read from ``stream``), then ``error`` if reading them failed, then the rest."""
    if first:
        yield first
    if error is not None:
        raise error
    while True:
        chunk = stream.read1(limits.BLOCK_BYTES)
        if not chunk:
            return
        yield chunk


def rewound(file, first: bytes):
    """``file`` from its start again: seeked back, or (a pipe) ``first``, already read, given again."""
    if file.seekable():
        file.seek(0)
        return file
    return io.BufferedReader(Chunks(replayed(first, file)))


def decompressing(raw, compression: str | None, path: Path):
    """A buffered stream of the bytes of ``raw`` decompressed (``gzip``, ``bzip2``, ``xz``, ``zstd``), or ``raw``.

    ``path`` names the file in the message of a missing zstandard.
    """
    if compression == "gzip":
        return io.BufferedReader(_GzipReader(raw), buffer_size=_GZIP_OUT_BYTES)
    if compression == "bzip2":
        return bz2.BZ2File(raw)
    if compression == "xz":
        return lzma.LZMAFile(raw)
    if compression == "zstd":
        return io.BufferedReader(_ZstdReader(raw, path), buffer_size=_ZSTD_READ_BYTES)
    return raw


@contextlib.contextmanager
def decompressed(path: Path):
    """A buffered binary stream of the file's bytes, decompressed if they are gzip, bzip2, xz or zstd.

    The file is opened once and never seeked back where it cannot be (a pipe).

    Examples
    --------
    >>> from wordvec.readers import default_corpus
    >>> with decompressed(default_corpus()[0]) as stream:
    ...     stream.read(18)
    b'product/productId:'
    """
    with open(path, "rb") as file:
        magic = file.read(MAGIC_BYTES)
        with decompressing(rewound(file, magic), compression_of(magic), path) as stream:
            yield stream
