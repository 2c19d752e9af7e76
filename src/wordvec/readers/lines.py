"""The lines of a text or SNAP file, no line ever held whole.

A line longer than :data:`~wordvec.readers.limits.MAX_LINE_BYTES` (1 MiB) is read as several
documents, each cut at the last ASCII whitespace within 1 MiB (where there is none, at 1 MiB itself,
between two UTF-8 characters): no word is lost, and a piece of a SNAP ``review/text:`` line is a
review of its own (word2vec and gensim cut far shorter: 1,000 and 10,000 words). A piece of such a
line of which more than 1 byte in 20 is a control byte (the hole of a sparse file, a disk image
after some text) is refused as binary data, with the byte where it starts (:class:`BinaryLine`).

>>> b"".join(bounded_lines([b"tea and cups\\n"], snap=False))
b'tea and cups\\n'
"""

from __future__ import annotations

import io
from typing import Iterable, Iterator

from . import limits
from .compression import Chunks
from .sniffing import CONTROL_BYTES, MAX_CONTROL_SHARE, SNAP_TEXT

_CUT_BYTES = (b" ", b"\t", b"\r", b"\x0b", b"\x0c")
_SNAP_TEXT_PIECE = SNAP_TEXT + b" "


class BinaryLine(ValueError):
    """A line of over :data:`~wordvec.readers.limits.MAX_LINE_BYTES` that is mostly NUL or other control bytes."""


def lines_of(source, snap: bool = False):
    """The lines of a text or SNAP file (a :class:`~wordvec.readers.sources.Source`), long lines cut
    (:func:`bounded_lines`), as a binary stream."""
    return io.BufferedReader(Chunks(bounded_lines(source.chunks(), snap)))


def bounded_lines(chunks: Iterable[bytes], snap: bool, limit: int | None = None) -> Iterator[bytes]:
    """The bytes of ``chunks`` with every line longer than ``limit`` (:data:`~wordvec.readers.limits.MAX_LINE_BYTES`)
    cut into pieces.

    A piece ends at the last ASCII whitespace byte within the limit, which becomes its line feed, or,
    where there is none, at the limit itself (never inside a UTF-8 character), so no word is lost and
    no line is held whole. In SNAP (``snap``), each piece of a ``review/text:`` line is a
    ``review/text:`` line too: a review in pieces (pieces of other lines are not read). A piece of which
    more than 1 byte in 20 is a control byte (the hole of a sparse file, a disk image after some text)
    raises :class:`BinaryLine`. Yields bytes-like objects.

    Examples
    --------
    >>> b"".join(bounded_lines([b"tea and cups of tea\\nreview/text: a cup of tea and milk"], True, limit=16))
    b'tea and cups of\\ntea\\nreview/text: a\\nreview/text: cup of tea and\\nreview/text: milk'
    """
    limit = limits.MAX_LINE_BYTES if limit is None else limit
    cutter = _LineCutter(snap, limit)
    for chunk in chunks:
        for start in range(0, len(chunk), limit):
            yield from cutter.feed(chunk if len(chunk) <= limit else bytes(chunk[start:start + limit]))
    yield from cutter.finish()


class _LineCutter:
    """The state of :func:`bounded_lines`: the unfinished last line, and what its next piece starts with."""

    def __init__(self, snap: bool, limit: int):
        self.snap, self.limit = snap, limit
        self.line = bytearray()
        self.label = b""
        self.line_at = 0  # where ``line`` starts in the bytes fed

    def feed(self, piece: bytes) -> Iterator[bytes]:
        """The lines that ``piece`` (at most ``limit`` long) ends, cut where too long."""
        newline = piece.find(b"\n")
        if newline < 0 and len(self.line) + len(piece) <= self.limit:
            self.line += piece
            return
        if 0 <= newline and len(self.line) + newline <= self.limit:
            # the usual case: the first line fits, the others are shorter than the piece
            end = piece.rfind(b"\n") + 1
            if self.label or self.line:
                yield self.label + bytes(self.line)
            yield memoryview(piece)[:end]
            self.line_at += len(self.line) + end
            self.label, self.line = b"", bytearray(piece[end:])
            return
        yield from self._cut(piece)

    def _cut(self, piece: bytes) -> Iterator[bytes]:
        buf, start, limit = self.line + piece, 0, self.limit
        while True:
            newline = buf.rfind(b"\n", start, start + limit + 1)
            if newline >= 0:
                yield self.label + bytes(buf[start:newline + 1])
                self.label, start = b"", newline + 1
                continue
            if len(buf) - start <= limit:
                break
            cut, skip = _cut_point(buf, start, start + limit)
            _refuse_binary(buf[start:cut], self.line_at + start, limit)
            text_line = self.label or (self.snap and buf.startswith(SNAP_TEXT, start))
            yield self.label + bytes(buf[start:cut]) + b"\n"
            self.label = _SNAP_TEXT_PIECE if text_line else b""
            start = cut + skip
        self.line_at += start
        self.line = buf[start:]

    def finish(self) -> Iterator[bytes]:
        """The last line, if the bytes do not end with a line feed."""
        if self.line:
            yield self.label + bytes(self.line)


def _cut_point(buf: bytearray, start: int, limit: int) -> tuple[int, int]:
    """Where the line from ``start`` is cut: at its last whitespace byte up to ``limit`` (replaced: 1 byte),
    else at ``limit``, moved back to the start of a UTF-8 character (nothing replaced: 0)."""
    cut = max(buf.rfind(space, start + 1, limit + 1) for space in _CUT_BYTES)
    if cut > start:
        return cut, 1
    cut = limit
    for _ in range(3):
        if 0x80 <= buf[cut] < 0xC0 and cut > start + 1:
            cut -= 1
    return cut, 0


def _refuse_binary(piece: bytearray, at: int, limit: int) -> None:
    """Raise :class:`BinaryLine` if more than 1 byte in 20 of ``piece`` (from byte ``at``) is a control byte."""
    controls = len(piece) - len(piece.translate(None, CONTROL_BYTES))
    if controls > MAX_CONTROL_SHARE * len(piece):
        raise BinaryLine(f"from byte {at:,} on (a line of over {limit:,} bytes, "
                         f"{controls / len(piece):.0%} NUL or other control bytes)")
