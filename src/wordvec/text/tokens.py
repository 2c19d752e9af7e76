"""Tokenizing: a document's words, as Keras's default ``Tokenizer`` splits them.

>>> tokenize("Delicious! Tasty, and GOOD.")
['delicious', 'tasty', 'and', 'good']
"""

from __future__ import annotations

#: The characters Keras's ``Tokenizer`` removes by default.
KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'

_FILTER_TABLE = str.maketrans({c: " " for c in KERAS_FILTERS})
_FILTER_BYTES = bytes.maketrans(KERAS_FILTERS.encode("ascii"), b" " * len(KERAS_FILTERS))


def tokenize(text: str, lower: bool = True) -> list[str]:
    """Split text into words as Keras's default ``Tokenizer`` does.

    Lower-cases, replaces the Keras default filter characters with spaces and
    splits on whitespace. (Keras splits on the space character only; here any
    whitespace separates words, so a stray ``\\r`` never sticks to a word.)
    """
    if lower:
        text = text.lower()
    return text.translate(_FILTER_TABLE).split()


def word_bytes(text: str) -> bytes:
    """Text as the fast reader's word splitter takes it: lower-cased UTF-8, words separated by ASCII spaces.

    The whitespace of ``str.split`` (Unicode's too) and the filter characters become spaces, so
    splitting the result at ASCII spaces gives the UTF-8 bytes of the words of :func:`tokenize`
    (the filter characters are ASCII, and no byte of a character outside ASCII is one).

    Examples
    --------
    >>> word_bytes("Cr\u00e8me-BR\u00dbL\u00c9E!\u00a0Tea")
    b'cr\\xc3\\xa8me br\\xc3\\xbbl\\xc3\\xa9e  tea'
    """
    return " ".join(text.lower().split()).encode("utf-8", "surrogatepass").translate(_FILTER_BYTES)
