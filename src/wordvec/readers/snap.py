"""The SNAP ``finefoods.txt`` dump: a review is a ``review/text:`` line, its summary a ``review/summary:`` line.

The other lines of a record (``product/productId:``, ``review/score:``...) are not read. With
``include_summary`` the summary is put before its text (``"Tasty. Good tea"``). A ``review/text:``
line longer than :data:`~wordvec.readers.limits.MAX_LINE_BYTES` is read as several reviews, the
summary going with the first.

>>> pending_summary(bytearray(b"review/text: a\\nreview/summary: Tasty\\n"))
b'review/summary: Tasty\\n'
"""

from __future__ import annotations

from typing import Iterator

from ..text import clean_text, clean_text_fast, decode_line
from .lines import lines_of
from .sniffing import SNAP_SUMMARY, SNAP_TEXT


def read_snap(source, include_summary: bool = False, **_) -> Iterator[str]:
    """The cleaned reviews of a SNAP file (a :class:`~wordvec.readers.sources.Source`)."""
    summary = ""
    with lines_of(source, snap=True) as handle:
        for raw in handle:
            if raw.startswith(SNAP_SUMMARY):
                summary = decode_line(raw[len(SNAP_SUMMARY):].strip())
            elif raw.startswith(SNAP_TEXT):
                text = decode_line(raw[len(SNAP_TEXT):].strip())
                if include_summary and summary:
                    text = f"{summary}. {text}"
                summary = ""
                yield clean_text(text)


def snap_document(block: bytearray, where, include_summary: bool) -> str:
    """The review of ``block`` found at ``where`` (summary start and end, text start and end), as
    :func:`read_snap` yields it (cleaned alike, faster)."""
    summary_start, summary_end, start, end = where
    text = decode_line(block[start:end].strip())
    if include_summary and summary_end > summary_start:
        summary = decode_line(block[summary_start:summary_end].strip())
        if summary:
            text = f"{summary}. {text}"
    return clean_text_fast(text)


def pending_summary(block: bytearray) -> bytes:
    """The last ``review/summary:`` line of a block (ending in a line feed) if no text line follows it."""
    summary_at = _last_line_start(block, SNAP_SUMMARY)
    if summary_at <= _last_line_start(block, SNAP_TEXT):
        return b""
    return bytes(block[summary_at:block.index(b"\n", summary_at) + 1])


def _last_line_start(block: bytearray, prefix: bytes) -> int:
    at = block.rfind(b"\n" + prefix)
    if at >= 0:
        return at + 1
    return 0 if block.startswith(prefix) else -1
