"""The bytes of a vectors file: memory-mapped, or decompressed by its magic bytes (gzip, bzip2, xz).

This is the only module of :mod:`wordvec.formats` that opens a compressed
file, through wordvec's one decompression stack
(:mod:`wordvec.readers.compression`). A reader gets a :class:`Source` and
parses ``source.data``; a reader that needs more of a partly decompressed file
raises :class:`NeedMore`, and :meth:`Source.grow` decompresses as much again.
zstd data is not decompressed here: :mod:`~wordvec.formats.sniff` refuses it
with one line saying to decompress it first.

>>> import gzip, tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "v.txt.gz"
>>> _ = path.write_bytes(gzip.compress(b"tea 1 2\\n"))
>>> src = open_source(path, whole=True)
>>> src.compression, bytes(src.data)
('gzip', b'tea 1 2\\n')
>>> src.close()
"""

from __future__ import annotations

import mmap
import os
from pathlib import Path

from ..errors import ModelFormatError
from ..readers.compression import DATA_ERRORS, MAGIC_BYTES, compression_of, decompressing

#: The compressions a vectors file may be in.
COMPRESSIONS = ("gzip", "bzip2", "xz")


class NeedMore(Exception):
    """A reader reached the end of a partly decompressed file: decompress more and read again."""


class Source:
    """The bytes of a vectors file: memory-mapped, or decompressed (all, or a prefix that grows)."""

    def __init__(self, path: Path, whole: bool):
        self.path = path
        self._file = self._stream = self._map = None
        self._released = 0
        self.complete = True
        self.data = b""
        with open(path, "rb") as handle:
            compression = compression_of(handle.read(MAGIC_BYTES))
            self.compression = compression if compression in COMPRESSIONS else None
            if self.compression is None:
                if os.fstat(handle.fileno()).st_size:
                    self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
                    self.data = self._map
                return
        self._file = open(path, "rb")
        self._stream = decompressing(self._file, self.compression, path)
        self.complete = False
        try:
            self._read(-1 if whole else 1 << 20)
        except BaseException:
            self.close()
            raise

    def _read(self, size: int) -> None:
        chunks = []
        try:
            while size < 0 or sum(map(len, chunks)) < size:
                chunk = self._stream.read(1 << 24 if size < 0 else size - sum(map(len, chunks)))
                if not chunk:
                    self.complete = True
                    break
                chunks.append(chunk)
        except (OSError, *DATA_ERRORS) as err:
            reason = "ends early (truncated file)" if isinstance(err, EOFError) else f"is corrupted ({err})"
            raise ModelFormatError(f"{self.path}: the {self.compression} data {reason}") from None
        self.data = b"".join([self.data, *chunks])

    def grow(self) -> None:
        """Decompress as much again (only while not complete)."""
        self._read(max(len(self.data), 1 << 20))

    def release(self, upto: int) -> None:
        """Hand back the memory-mapped pages before ``upto`` (they are read again from the page cache if needed)."""
        end = upto - upto % mmap.PAGESIZE
        if self._map is not None and hasattr(self._map, "madvise") and end > self._released:
            self._map.madvise(mmap.MADV_DONTNEED, self._released, end - self._released)
            self._released = end

    def read_all(self) -> None:
        if not self.complete:
            self._read(-1)

    def head(self, size: int = 1 << 16) -> bytes:
        while len(self.data) < size and not self.complete:
            self.grow()
        return bytes(self.data[:size])

    def at(self, offset: int) -> str:
        """``'PATH, byte N'`` for messages (the offset in the decompressed data when compressed)."""
        where = f"{self.path}, byte {offset}"
        return where + (f" of the {self.compression}-decompressed data" if self.compression else "")

    def close(self) -> None:
        for stream in (self._stream, self._file):  # bz2 and lzma leave the file they read open
            if stream is not None:
                stream.close()
        self.data = b""
        if self._map is not None:
            try:
                self._map.close()
            except BufferError:  # an array still views it; it closes when that array goes
                pass


def open_source(path: Path, whole: bool) -> Source:
    """The :class:`Source` of ``path``; one line naming the file when it cannot be read."""
    try:
        return Source(path, whole)
    except OSError as err:  # unreadable, or mmap refused (a FIFO, say)
        raise ModelFormatError(f"{path}: cannot be read ({err.strerror or err})") from None

