"""A corpus file opened once: its first bytes read to recognise it, then handed on to its reader.

Nothing is seeked back, so a pipe (``wordvec train <(zcat x.gz)``, a FIFO) gives the same documents
as the file. The first raw bytes tell the compression (:mod:`~wordvec.readers.compression`) and
whether the file is columnar (Parquet and Arrow are read by pyarrow from the path, regular files
only); the first decompressed bytes (the ``head``) are re-encoded as UTF-8 where a UTF-16 or UTF-32
byte-order mark starts them, and :func:`~wordvec.readers.sniffing.look` recognises the layout from them.

>>> from wordvec.readers import default_corpus
>>> with Source(default_corpus()[0]) as source:
...     source.compression, source.head[:18]
('gzip', b'product/productId:')
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Iterator

from . import limits
from .compression import (DATA_ERRORS, MAGIC_BYTES, ChunkedReader, Chunks, compression_of, decompressing, replayed,
                          rewound)
from .sniffing import columnar_look


class _Utf8FromUnicode(ChunkedReader):
    """UTF-16 or UTF-32 text (with its byte-order mark) re-encoded as UTF-8 bytes.

    Line ends are passed through unchanged; malformed code units become U+FFFD.
    """

    def __init__(self, stream, encoding: str):
        super().__init__()
        self._text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")

    def _next_chunk(self) -> bytes:
        return self._text.read(limits.HEAD_BYTES).encode("utf-8")

    def close(self) -> None:
        if hasattr(self, "_text"):
            self._text.close()
        super().close()


def _unicode_encoding(first_bytes: bytes) -> str | None:
    """``utf-32`` or ``utf-16`` when the bytes start with that encoding's byte-order mark."""
    if first_bytes.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if first_bytes.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return None


def _read_some(stream, size: int) -> tuple[bytes, BaseException | None]:
    """Up to ``size`` bytes of ``stream`` and, if reading them failed (damaged data), the error."""
    chunks, got = [], 0
    try:
        while got < size:
            chunk = stream.read1(size - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except PermissionError:
        raise
    except (OSError, *DATA_ERRORS) as err:
        return b"".join(chunks), err  # raised again when the reader gets there, with the documents read
    return b"".join(chunks), None


class Source:
    """A corpus file opened once, for recognising it and for reading it.

    Its first raw bytes (``magic``) and its first bytes as the readers see them (``head``: decompressed,
    UTF-16 and UTF-32 re-encoded as UTF-8) are read to recognise it, and :meth:`chunks` gives them again
    before the rest: nothing is read twice and nothing is seeked back in a pipe (``<(zcat x.gz)``, a
    FIFO), so a pipe gives the reader every byte the file would. Parquet and Arrow files are read by
    pyarrow from their path (``head`` is empty).
    """

    def __init__(self, path: Path):
        self.path = path
        self.head, self._head_error, self._stream = b"", None, None
        self._closing = contextlib.ExitStack()
        try:
            file = self._closing.enter_context(open(path, "rb"))
            self.magic = file.read(MAGIC_BYTES)
            self.compression = compression_of(self.magic)
            self.columnar = columnar_look(self.magic)
            if self.columnar is None:
                raw = rewound(file, self.magic)
                self._stream = self._closing.enter_context(decompressing(raw, self.compression, path))
                self._read_head()
        except BaseException:
            self._closing.close()
            raise

    def _read_head(self) -> None:
        head, error = _read_some(self._stream, limits.HEAD_BYTES)
        encoding = _unicode_encoding(head[:4])
        if encoding is not None:
            replay = io.BufferedReader(Chunks(replayed(head, self._stream, error)))
            self._stream = self._closing.enter_context(io.BufferedReader(_Utf8FromUnicode(replay, encoding)))
            head, error = _read_some(self._stream, limits.HEAD_BYTES)
        self.head, self._head_error = head, error

    def chunks(self) -> Iterator[bytes]:
        """The bytes of a text file as the readers take them, ``head`` first; once."""
        stream, self._stream = self._stream, None
        if stream is None:
            raise ValueError(f"{self.path}: read already, or not a text file")
        return replayed(self.head, stream, self._head_error)

    def binary_stream(self):
        """:meth:`chunks` as a buffered binary stream."""
        return io.BufferedReader(Chunks(self.chunks()))

    def __enter__(self) -> "Source":
        return self

    def __exit__(self, *exc) -> None:
        self._closing.close()
