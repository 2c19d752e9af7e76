"""Turning raw text into words: encoding repair, HTML removal, Keras-style tokenizing.

:func:`clean_text` and :func:`tokenize` define what a document's words are.
:func:`clean_text_fast` gives exactly what :func:`clean_text` gives, faster on
text that is not pure ASCII: ftfy's slow steps (its mojibake heuristic, a regular
expression tried at every position, and its table lookups) are run only where
they can change something (see :func:`fix_text`).

The package: ``cleaning`` (decoding, mojibake, HTML), ``fast_ftfy`` (the fast path of ftfy's
``fix_text``), ``tokens`` (Keras-style words, and the bytes the compiled word splitter takes),
``quoting`` (how a message quotes a bad input), ``packed`` (texts kept in Arrow's buffers).

>>> tokenize(clean_text("Delicious!<br />Tasty, and GOOD."))
['delicious', 'tasty', 'and', 'good']
>>> decode_line(b"caf\\xe9")
'café'
>>> text = "It\u2019s caf\u00c3\u00a9 style"
>>> clean_text_fast(text) == clean_text(text) == "It's café style"
True
"""

from __future__ import annotations

from .cleaning import HTML_TAG_PATTERN, clean_text, clean_text_fast, decode_line
from .fast_ftfy import fix_text
from .packed import PackedTexts
from .quoting import QUOTE_CHARS, quoted, shortened
from .tokens import KERAS_FILTERS, tokenize, word_bytes

__all__ = ["HTML_TAG_PATTERN", "KERAS_FILTERS", "PackedTexts", "QUOTE_CHARS", "clean_text", "clean_text_fast", "decode_line", "fix_text", "quoted",
           "shortened", "tokenize", "word_bytes"]
