"""Cleaning a document: decoding bytes that may not be UTF-8, repairing mojibake, removing HTML tags.

:func:`clean_text` defines what a document's text is; :func:`clean_text_fast` gives exactly the
same on every text, faster when it is not pure ASCII (:mod:`~wordvec.text.fast_ftfy`). Importing this
module registers the ``replace_with_latin1`` codec error handler that :func:`decode_line` and the
CSV reader use.

>>> clean_text("Caf\u00c3\u00a9<br />ok"), clean_text("tea\\x00cup")
('Café ok', 'tea cup')
>>> decode_line(b"caf\\xe9")
'café'
"""

from __future__ import annotations

import codecs
import re

from .fast_ftfy import fix_text

#: An HTML tag as the cleaning takes it off (a regular expression that Python and RE2, Arrow's, read alike).
HTML_TAG_PATTERN = r"<[^<>]{0,200}>"
_HTML_TAG = re.compile(HTML_TAG_PATTERN)


def decode_line(raw: bytes) -> str:
    """Decode bytes that should be UTF-8 but may not be.

    Valid UTF-8 is decoded as is; anything else is read as Windows-1252 (the
    encoding of the older review dumps), with bytes that it leaves undefined
    mapped to their Latin-1 characters, so no byte is ever dropped or fatal.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace_with_latin1")


def _latin1_fallback(err: UnicodeDecodeError):
    return err.object[err.start:err.end].decode("latin-1"), err.end


codecs.register_error("replace_with_latin1", _latin1_fallback)


def clean_text(text: str) -> str:
    """Repair mojibake (``Ã©`` → ``é``), drop NUL bytes and HTML tags such as ``<br />``."""
    if not text.isascii():
        import ftfy  # imported on first use: 0.1 s that ASCII text never needs

        text = ftfy.fix_text(text, normalization=None)
    if "\x00" in text:
        text = text.replace("\x00", " ")
    if "<" in text:
        text = _HTML_TAG.sub(" ", text)
    return text


def clean_text_fast(text: str) -> str:
    """:func:`clean_text`, with the same result on every text, faster when it is not pure ASCII.

    Examples
    --------
    >>> clean_text_fast("Caf\u00c3\u00a9 \u201cgood\u201d<br />")
    'Café "good" '
    """
    if not text.isascii():
        text = fix_text(text)
    if "\x00" in text:
        text = text.replace("\x00", " ")
    if "<" in text:
        text = _HTML_TAG.sub(" ", text)
    return text
