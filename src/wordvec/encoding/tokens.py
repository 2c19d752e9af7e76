"""The Python token loop: a document's words, numbered in order of first appearance.

The path every iterable of texts (or of token lists) takes, and documents read one by one (CSV, JSON
lines, Parquet, Arrow) in the block pipeline; the compiled word splitter gives the same numbers.

>>> first_seen, ids = {}, []
>>> number_words("the tea, the cup", first_seen, ids), ids
(4, [0, 1, 0, 2])
"""

from __future__ import annotations

import re
from typing import Iterator

from ..text import tokenize

_PIECE = 1 << 20
_WHITESPACE = re.compile(r"\s")


def word_pieces(document) -> Iterator[list[str]]:
    """The words of a document, in pieces of about a million characters each, so a
    single huge line is tokenized in bounded memory and linear time."""
    if not isinstance(document, str):
        yield list(document)
        return
    start, size = 0, len(document)
    while start < size:
        end = start + _PIECE
        if end < size:
            space = _WHITESPACE.search(document, end)
            end = size if space is None else space.start()
        yield tokenize(document[start:end])
        start = end


def number_words(document, first_seen: dict[str, int], ids) -> int:
    """Append to ``ids`` the number of each word of ``document`` (a text, or a list of words already
    tokenized), new words numbered in ``first_seen`` in order of first appearance; its word count."""
    length = 0
    for words in word_pieces(document):
        ids.extend([first_seen.setdefault(w, len(first_seen)) for w in words])
        length += len(words)
    return length
