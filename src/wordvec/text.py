"""Turning raw text into words: encoding repair, HTML removal, Keras-style tokenizing.

>>> tokenize(clean_text("Delicious!<br />Tasty, and GOOD."))
['delicious', 'tasty', 'and', 'good']
>>> decode_line(b"caf\\xe9")
'café'
"""

from __future__ import annotations

import codecs
import re

import ftfy

#: The characters Keras's ``Tokenizer`` removes by default.
KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'

_FILTER_TABLE = str.maketrans({c: " " for c in KERAS_FILTERS})
_HTML_TAG = re.compile(r"<[^<>]{0,200}>")


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
        text = ftfy.fix_text(text, normalization=None)
    if "\x00" in text:
        text = text.replace("\x00", " ")
    if "<" in text:
        text = _HTML_TAG.sub(" ", text)
    return text


def tokenize(text: str, lower: bool = True) -> list[str]:
    """Split text into words as Keras's default ``Tokenizer`` does.

    Lower-cases, replaces the Keras default filter characters with spaces and
    splits on whitespace. (Keras splits on the space character only; here any
    whitespace separates words, so a stray ``\\r`` never sticks to a word.)
    """
    if lower:
        text = text.lower()
    return text.translate(_FILTER_TABLE).split()
