"""Quoting input in messages: an error names a bad line by its start, never megabytes of it.

>>> quoted("tea " * 100, limit=12)
"'tea tea tea ..."
"""

from __future__ import annotations

#: The most characters of an input that an error message quotes.
QUOTE_CHARS = 80


def quoted(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` as an error message quotes it: its ``repr``, cut after ``limit`` characters with ``...``.

    A bad line of an input may be megabytes long; a message quotes only its start.

    Examples
    --------
    >>> quoted("tea cup")
    "'tea cup'"
    >>> quoted("tea " * 100, limit=12)
    "'tea tea tea ..."
    """
    shown = repr(text[:limit + 1])
    if len(text) <= limit and len(shown) <= limit + 2:
        return shown
    return shown[:limit + 1] + "..."


def shortened(text: str, limit: int = QUOTE_CHARS) -> str:
    """``text`` cut after ``limit`` characters with ``...``, for a message that names it (unquoted).

    Examples
    --------
    >>> shortened("id, text"), shortened("tea " * 100, limit=12)
    ('id, text', 'tea tea tea ...')
    """
    return text if len(text) <= limit else text[:limit] + "..."
