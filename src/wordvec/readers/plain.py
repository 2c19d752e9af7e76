"""Plain text: one document a line.

Each line is decoded (UTF-8, else Windows-1252) and cleaned (:func:`~wordvec.text.clean_text`);
blank lines are skipped. ``\\r\\n`` ends a line as ``\\n`` does, and a line longer than
:data:`~wordvec.readers.limits.MAX_LINE_BYTES` is read in pieces (:mod:`~wordvec.readers.lines`).

>>> text_document(bytearray(b"Caf\\xc3\\xa9 <br />ok\\r\\n"), (0, 0, 0, 20))
'Café  ok'
"""

from __future__ import annotations

from typing import Iterator

from ..text import clean_text, clean_text_fast, decode_line
from .lines import lines_of


def read_text(source, **_) -> Iterator[str]:
    """The cleaned documents of a plain text file (a :class:`~wordvec.readers.sources.Source`)."""
    with lines_of(source) as handle:
        for raw in handle:
            text = clean_text(decode_line(raw.rstrip(b"\r\n")))
            if text.strip():
                yield text


def text_document(block: bytearray, where) -> str:
    """The document of a line of ``block`` found at ``where`` (``start`` and ``end`` last), as
    :func:`read_text` yields it (cleaned alike, faster)."""
    _, _, start, end = where
    return clean_text_fast(decode_line(block[start:end].rstrip(b"\r\n")))
