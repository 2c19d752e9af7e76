"""The bounds on what reading holds in memory at once, in one place.

The readers look these up when they run (``limits.MAX_LINE_BYTES``), not when they are imported,
so that a test can lower them to make a few kilobytes "too long".

>>> MAX_LINE_BYTES, MAX_RECORD_BYTES, BLOCK_BYTES
(1048576, 16777216, 1048576)
"""

from __future__ import annotations

#: The longest line of a text or SNAP file read as one document: a longer line is cut into pieces of
#: at most this many bytes (see :func:`~wordvec.readers.lines.bounded_lines`), so no line is ever held whole.
MAX_LINE_BYTES = 1 << 20
#: The longest JSON line or CSV record (in bytes, in characters for CSV); a longer one is refused.
MAX_RECORD_BYTES = 1 << 24
#: Bytes decompressed at a time; a block of :meth:`~wordvec.readers.files.OpenFile.blocks` runs on to
#: the end of its last line.
BLOCK_BYTES = 1 << 20
#: The first bytes of a file (after decompression) that recognising its layout looks at.
HEAD_BYTES = 8192
