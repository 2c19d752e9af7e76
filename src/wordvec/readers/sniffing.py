"""Recognising a file's layout from its first bytes: text or binary, and which text.

A file that is none of the layouts of :data:`FORMATS` is refused, with one line naming it and what it
looks like; it is never trained on as text. Decided on the file's first bytes, in this order:

1. ``PAR1`` (Parquet), ``ARROW1`` (Arrow IPC file) or an Arrow IPC stream's first message
   (``FF FF FF FF`` and a metadata length that is a multiple of 8): columnar data, read with pyarrow.
2. gzip, bzip2, xz or zstd magic bytes: decompressed, and the rest of the rule applies to what is
   inside.
3. A UTF-16 or UTF-32 byte-order mark: the text is decoded (and re-encoded as UTF-8 for the readers).
4. The signature of another binary format (zip, 7-Zip, RAR, tar, PNG, JPEG, GIF, PDF, ELF, NumPy,
   HDF5, SQLite, LZ4, compress, or Parquet or Arrow inside a compressed file): refused, by name.
5. Otherwise the first 8 KiB (after decompression) are text unless more than 1 byte in 20 is a
   control byte other than tab, line feed, vertical tab, form feed, carriage return, Ctrl-Z and
   escape (bytes ``00-08``, ``0E-19``, ``1C-1F``). Every byte from ``20`` up counts as text, so UTF-8,
   Windows-1252, Latin-1 and any other ASCII-based encoding pass, and a stray NUL byte (read as a
   space) does not make a file binary. Random bytes hold about 10% such control bytes, text none.
   Text in UTF-16 without a byte-order mark (NUL bytes on every other position) is refused with a
   hint to save it as UTF-8.

Only the first 8 KiB are examined, so a short file (under a few hundred bytes) of random bytes may
pass for text. In ``auto`` mode a single JSON document (a first line ``{`` or ``[``, or a first
line starting ``[{`` or ``{"`` that is not a whole object) is refused too, with a hint: JSON lines
hold one object per line, and ``--format text`` reads it as plain text.

Steps 2 and 3 are the byte source's (:mod:`wordvec.readers.sources`); this module looks at the bytes
it gives (:func:`look`), and :func:`~wordvec.readers.files.detect_format` puts the two together.

>>> binary_look(b"\\x89PNG\\r\\n\\x1a\\n...").what
'a PNG image'
>>> text_look(Path("reviews.txt"), b'{"Text": "Good tea"}\\n').layout
'jsonl'
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import NamedTuple

from ..errors import CorpusError
from ..text import decode_line
from . import limits

#: The layouts :func:`~wordvec.readers.iter_documents` reads; ``auto`` recognises each file's layout
#: from its content.
FORMATS = ("auto", "snap", "csv", "text", "jsonl", "parquet", "arrow")
#: The layouts read from a byte stream (compressed or not); the others are read by pyarrow from a path.
TEXT_LAYOUTS = ("snap", "csv", "text", "jsonl")
#: The columnar layouts, with the words messages name them by.
COLUMNAR_NAMES = {"parquet": "a Parquet file", "arrow": "an Arrow IPC file or stream"}
#: The usual names of the text column (CSV, Parquet, Arrow) or field (JSON lines), lower-cased, in order.
TEXT_COLUMNS = ("text", "review", "reviewtext", "review_text", "body", "content")
#: The starts of the two SNAP lines that are read.
SNAP_TEXT = b"review/text:"
SNAP_SUMMARY = b"review/summary:"
#: Bytes that make text binary when more than :data:`MAX_CONTROL_SHARE` of a piece of it are among them.
CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1A), *range(0x1C, 0x20)])
MAX_CONTROL_SHARE = 1 / 20

_CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.xz", ".csv.zst")
_UNPACK = "unpack it and pass the files or their folder"
_BINARY_SIGNATURES = (
    (b"PK\x03\x04", "a zip archive", _UNPACK),
    (b"PK\x05\x06", "a zip archive", _UNPACK),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", _UNPACK),
    (b"Rar!\x1a\x07", "a RAR archive", _UNPACK),
    (b"\x89PNG\r\n\x1a\n", "a PNG image", ""),
    (b"\xff\xd8\xff", "a JPEG image", ""),
    (b"GIF87a", "a GIF image", ""),
    (b"GIF89a", "a GIF image", ""),
    (b"%PDF-", "a PDF document", "extract its text first"),
    (b"\x7fELF", "an executable (ELF)", ""),
    (b"\x93NUMPY", "a NumPy array file", ""),
    (b"\x89HDF\r\n\x1a\n", "an HDF5 file", ""),
    (b"SQLite format 3\x00", "an SQLite database", ""),
    (b"\x04\x22\x4d\x18", "an LZ4-compressed file", "decompress it first"),
    (b"\x1f\x9d", "a compress (.Z) file", "decompress it first"),
)


class Look(NamedTuple):
    """What a file's first bytes look like: a layout (or ``json``/``binary``) and words for messages."""

    layout: str
    what: str
    hint: str = ""


def columnar_look(magic: bytes) -> Look | None:
    """Parquet, an Arrow IPC file or an Arrow IPC stream from a file's first bytes (rule step 1), or None."""
    if magic.startswith(b"PAR1"):
        return Look("parquet", "a Parquet file")
    if magic.startswith(b"ARROW1"):
        return Look("arrow", "an Arrow IPC file")
    if len(magic) >= 8 and magic.startswith(b"\xff\xff\xff\xff") and int.from_bytes(magic[4:8], "little") % 8 == 0:
        return Look("arrow", "an Arrow IPC stream")
    return None


def _looks_like_utf16(head: bytes) -> bool:
    """Mostly NUL bytes on one parity of positions and almost none on the other."""
    pairs = len(head) // 2
    if pairs < 2:
        return False
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return max(even, odd) > 0.4 * pairs and min(even, odd) < 0.05 * pairs


def binary_look(head: bytes) -> Look | None:
    """How ``head`` looks when it is not text (rule steps 4 and 5 of the module docstring), else None."""
    for signature, what, hint in _BINARY_SIGNATURES:
        if head.startswith(signature):
            return Look("binary", what, hint)
    if head[257:262] == b"ustar":
        return Look("binary", "a tar archive", _UNPACK)
    if _looks_like_utf16(head):
        return Look("binary", "UTF-16 text without a byte-order mark",
                    "save it as UTF-8 (or as UTF-16 with a byte-order mark)")
    controls = len(head) - len(head.translate(None, CONTROL_BYTES))
    if head and controls > MAX_CONTROL_SHARE * len(head):
        share = controls / len(head)
        return Look("binary", f"binary data ({share:.0%} of its first {len(head):,} bytes are NUL "
                              f"or other control bytes)")
    return None


def _json_look(head: bytes) -> Look | None:
    """JSON lines, a single JSON document, or None (neither) from the first line."""
    stripped = head.lstrip()
    if not stripped.startswith((b"{", b"[")):
        return None
    line, newline, _ = stripped.partition(b"\n")
    if not newline and len(head) >= limits.HEAD_BYTES:  # a first line longer than the head
        return Look("jsonl", "JSON lines") if stripped.startswith(b'{"') else None
    try:
        value = json.loads(decode_line(line))
    except (ValueError, RecursionError):
        value = None
    if isinstance(value, dict):
        return Look("jsonl", "JSON lines")
    if line.strip() in (b"{", b"[") or line.startswith((b"[{", b'{"')):
        return Look("json", "a single JSON document",
                    "JSON lines hold one object per line; --format text reads it as plain text")
    return None


def text_look(path: Path, head: bytes) -> Look:
    """Which text layout ``head``, the first bytes of a text file, is in (``path`` for a ``.csv`` name)."""
    head = head.lstrip(b"\xef\xbb\xbf")
    if head.startswith(b"product/productId:") or SNAP_TEXT in head[:4096]:
        return Look("snap", "SNAP reviews")
    if path.name.lower().endswith(_CSV_SUFFIXES):
        return Look("csv", "CSV")
    json_look = _json_look(head)
    if json_look:
        return json_look
    first_line = head.split(b"\n", 1)[0].strip()
    try:
        header = next(csv.reader([decode_line(first_line)]))
    except (csv.Error, StopIteration):
        return Look("text", "text")
    if len(header) > 1 and any(col.strip().lower() in TEXT_COLUMNS for col in header):
        return Look("csv", "CSV")
    return Look("text", "text")


def look(source) -> Look:
    """Apply the text-or-binary rule of the module docstring to an opened file (a
    :class:`~wordvec.readers.sources.Source`)."""
    if source.columnar:
        return source.columnar
    head = source.head
    columnar_inside = columnar_look(head) if source.compression else None
    if columnar_inside:
        binary = Look("binary", columnar_inside.what, "decompress it first: Parquet and Arrow compress themselves")
    else:
        binary = binary_look(head)
    if binary is None:
        return text_look(source.path, head)
    if source.compression:
        binary = binary._replace(what=f"{binary.what} ({source.compression}-compressed)")
    return binary


def refusal(path: Path, look: Look) -> str:
    """The one line that refuses a file that looks like ``look``."""
    hint = f"; {look.hint}" if look.hint else ""
    return f"{path}: looks like {look.what}, not a corpus wordvec can read{hint}"


def layout_to_read(source, format: str) -> str:
    """The layout to read an opened file as: ``format``, or the detected one for ``auto``; refusals raise."""
    path, seen = source.path, look(source)
    if format == "auto" or seen.layout == "binary":
        if seen.layout not in FORMATS:
            raise CorpusError(refusal(path, seen))
        return seen.layout
    if format in COLUMNAR_NAMES and seen.layout != format:
        raise CorpusError(f"{path}: looks like {seen.what}, not {COLUMNAR_NAMES[format]}")
    if format in TEXT_LAYOUTS and seen.layout in COLUMNAR_NAMES:
        raise CorpusError(f"{path}: looks like {seen.what}, not text; read it with --format {seen.layout} or auto")
    return format
