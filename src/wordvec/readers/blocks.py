"""Text and SNAP files in blocks of whole lines, for the encoder's fast reader.

A block is about :data:`~wordvec.readers.limits.BLOCK_BYTES` of decompressed bytes, run on to the end
of its last line, so that each can be split into words on a thread of its own. The documents a
compiled kernel cannot split alone (bytes outside ASCII, HTML, NUL) are cleaned here as the readers
clean them (:func:`hard_documents`), so the words are the same either way.

>>> [bytes(block) for block in line_blocks([b"tea\\ncup", b"s\\n"], carry_summary=False)]
[b'tea\\ncups\\n']
"""

from __future__ import annotations

from typing import Iterable, Iterator

from ..text import word_bytes
from . import limits
from .plain import text_document
from .snap import pending_summary, snap_document

#: Layouts read in blocks of bytes by :meth:`~wordvec.readers.files.OpenFile.blocks` (the others are
#: read document by document).
BLOCK_LAYOUTS = ("text", "snap")


def line_blocks(chunks: Iterable[bytes], carry_summary: bool) -> Iterator[bytearray]:
    """``chunks`` joined and cut into blocks of whole lines of at least :data:`~wordvec.readers.limits.BLOCK_BYTES`.

    With ``carry_summary`` (SNAP with summaries), a block whose last summary is not yet followed by
    its text passes that summary line on to the start of the next block.
    """
    block = bytearray()
    searched = 0
    for chunk in chunks:
        block += chunk
        if len(block) < limits.BLOCK_BYTES:
            continue
        cut = block.rfind(b"\n", searched) + 1
        if cut == 0:
            searched = len(block)
            continue
        rest = block[cut:]
        del block[cut:]
        if carry_summary:
            rest[:0] = pending_summary(block)
        yield block
        block, searched = rest, 0
    if block:
        yield block


def hard_documents(block: bytearray, docs, hard, layout: str,
                   include_summary: bool) -> tuple[bytearray, "np.ndarray"]:
    """The flagged documents of a block, cleaned as the readers clean them, ready for the word splitter.

    ``docs`` and ``hard`` are what the text kernels' ``find_lines`` (``text``) or ``find_reviews``
    (``snap``) found in ``block``. Returns the documents ``hard`` flags, each cleaned exactly as
    the plain text or SNAP reader cleans it and passed through :func:`~wordvec.text.word_bytes`,
    one after another, and where each starts (with the end last).

    Examples
    --------
    >>> import numpy as np
    >>> docs, hard = np.array([[0, 0, 0, 11]]), np.array([1], dtype=np.uint8)
    >>> hard_documents(bytearray("Caf\\u00c3\\u00a9, ok".encode()), docs, hard, "text", False)
    (bytearray(b'caf\\xc3\\xa9  ok'), array([0, 9]))
    """
    import numpy as np

    pieces = [word_bytes(text_document(block, where) if layout == "text"
                         else snap_document(block, where, include_summary))
              for where in docs[hard.astype(bool)].tolist()]
    starts = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum([len(piece) for piece in pieces], out=starts[1:])
    return bytearray(b"".join(pieces)), starts
