"""Reading training text, in every layout a corpus comes in, recognised from the content.

Layouts (:data:`FORMATS`, the choices of ``wordvec train --format``):

- ``snap``: the SNAP ``finefoods.txt`` dump (``review/summary:`` and ``review/text:`` lines);
- ``csv``: CSV with a header and a text column (Kaggle's ``Reviews.csv``);
- ``text``: plain text, one document per line;
- ``jsonl``: JSON lines, one object per line, the text in one of its fields;
- ``parquet``: Parquet files, as pandas, Spark and Dask write them;
- ``arrow``: Arrow IPC files (Feather v2) and IPC streams (Hugging Face ``datasets.save_to_disk``).

The text layouts may be compressed with gzip, bzip2, xz or zstd, recognised by their magic bytes
whatever the file is called (zstd needs ``pip install "wordvec[zstd]"``). Parquet and Arrow need
``pip install "wordvec[parquet]"`` (pyarrow); they are read one record batch at a time, only the
text (and summary) columns, never the whole table. In CSV, JSON lines, Parquet and Arrow the text
column is the one named by ``text_column``, compared without case, or else the first of ``Text``,
``Review``, ``ReviewText``, ``Review_Text``, ``Body``, ``Content``. A folder is read file by file in
sorted order, skipping hidden files and the side files that Hugging Face ``datasets``, Spark, Dask
and Hadoop write beside their data (:data:`SIDE_FILES`, names starting with ``_committed_`` or
``_started_``, and ``*.crc``).

Every reader streams: it yields one cleaned document (review) at a time and never holds the whole
text. Bytes that are not UTF-8 are repaired (read as Windows-1252, the bytes it leaves undefined as
Latin-1), never fatal.

Long lines and pipes
--------------------
No line is ever held whole, so memory stays bounded whatever the input:

- A line of a text or SNAP file longer than :data:`MAX_LINE_BYTES` (1 MiB) is read as several
  documents, each cut at the last ASCII whitespace within 1 MiB (where there is none, at 1 MiB itself,
  between two UTF-8 characters): no word is lost, and a piece of a SNAP ``review/text:`` line is a
  review of its own (word2vec and gensim cut far shorter: 1,000 and 10,000 words).
- A piece of such a line of which more than 1 byte in 20 is a control byte (the hole of a sparse
  file, a disk image after some text) is refused as binary data, with the byte where it starts.
- A JSON line or a CSV record (one line or many, in quotes) longer than :data:`MAX_RECORD_BYTES`
  (16 MiB) is refused with one line naming the file and line.

Each file is opened once: its first bytes, read to recognise it, are handed on to its reader, and
nothing is seeked back, so a pipe (``wordvec train <(zcat x.gz)``, a FIFO) gives the same documents
as the file. Parquet and Arrow are read from regular files only.

Text or binary
--------------
A file that is none of these layouts is refused, with one line naming it and what it looks like;
it is never trained on as text. Decided on the file's first bytes, in this order:

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

>>> docs = list(iter_documents([default_corpus()[0]]))
>>> len(docs)
1000
>>> docs[0][:40]
'I have bought several of the Vitality ca'
>>> detect_format(default_corpus()[1])
'csv'
"""

from __future__ import annotations

import bz2
import contextlib
import csv
import gzip
import io
import json
import lzma
import zlib
from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from .errors import CorpusError, MissingDependencyError
from .text import clean_text, clean_text_fast, decode_line, quoted, shortened, word_bytes

#: The layouts :func:`iter_documents` reads; ``auto`` recognises each file's layout from its content.
FORMATS = ("auto", "snap", "csv", "text", "jsonl", "parquet", "arrow")
#: File names skipped inside folders: what ``datasets``, Spark, Dask and Hadoop write beside the data.
SIDE_FILES = frozenset({"_SUCCESS", "_metadata", "_common_metadata", "state.json", "dataset_info.json",
                        "dataset_dict.json"})

_TEXT_LAYOUTS = ("snap", "csv", "text", "jsonl")
_COLUMNAR_NAMES = {"parquet": "a Parquet file", "arrow": "an Arrow IPC file or stream"}
_SIDE_FILE_PREFIXES = ("_committed_", "_started_")
_TEXT_COLUMNS = ("text", "review", "reviewtext", "review_text", "body", "content")
_CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.xz", ".csv.zst")
_SNAP_TEXT = b"review/text:"
_SNAP_SUMMARY = b"review/summary:"
_HEAD_BYTES = 8192
_MAGIC_BYTES = 16
_BATCH_ROWS = 4096
_ZSTD_READ_BYTES = 1 << 16
_GZIP_READ_BYTES = 1 << 18
_GZIP_OUT_BYTES = 1 << 20
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1A), *range(0x1C, 0x20)])
_MAX_CONTROL_SHARE = 1 / 20
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

csv.field_size_limit(max(csv.field_size_limit(), 1 << 24))  # a record is refused first: MAX_RECORD_BYTES


class _Look(NamedTuple):
    """What a file's first bytes look like: a layout (or ``json``/``binary``) and words for messages."""

    layout: str
    what: str
    hint: str = ""


class _ZstdDataError(ValueError):
    """zstd data that cannot be decompressed."""


def default_corpus() -> list[Path]:
    """The review sample shipped with wordvec (2,000 real Amazon Fine Foods reviews, CC0)."""
    folder = resources.files("wordvec") / "data" / "finefoods"
    return [Path(str(folder / "finefoods_sample.txt.gz")), Path(str(folder / "fine_food_reviews_1k.csv.gz"))]


# --- bytes: decompression and Unicode byte-order marks ---------------------------------------------

def _compression_of(magic: bytes) -> str | None:
    """``gzip``, ``bzip2``, ``xz`` or ``zstd`` from a file's first bytes, or None."""
    if magic.startswith(b"\x1f\x8b"):
        return "gzip"
    if magic.startswith(b"BZh") and magic[3:4].isdigit() and magic[4:10] in (b"1AY&SY", b"\x17rE8P\x90"):
        return "bzip2"
    if magic.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if magic.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    return None


def _read_magic(path: Path) -> bytes:
    with open(path, "rb") as probe:
        return probe.read(_MAGIC_BYTES)


class _ChunkedReader(io.RawIOBase):
    """A readable raw stream over a source of byte chunks (``_next_chunk`` returns b"" at the end)."""

    def __init__(self):
        super().__init__()
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            chunk = self._next_chunk()
            if not chunk:
                return 0
            self._pending = memoryview(chunk)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def _next_chunk(self) -> bytes:
        raise NotImplementedError


class _ZstdReader(_ChunkedReader):
    """The decompressed bytes of a zstd file (a binary stream, closed with it), frame after frame; a
    cut-off last frame raises EOFError.

    (zstandard's own ``stream_reader`` ends silently at a truncated frame, so frames are followed here.)
    """

    def __init__(self, source, path: Path):
        super().__init__()
        zstandard = _require_zstandard(path)
        self._zstd_error = zstandard.ZstdError
        self._decompressor = zstandard.ZstdDecompressor()
        self._frame = self._decompressor.decompressobj()
        self._inside_frame = False
        self._source = source

    def _next_chunk(self) -> bytes:
        while True:
            compressed = self._source.read(_ZSTD_READ_BYTES)
            if not compressed:
                if self._inside_frame:
                    raise EOFError("zstd data ended before the end of its last frame")
                return b""
            decompressed = self._decompress(compressed)
            if decompressed:
                return decompressed

    def _decompress(self, compressed: bytes) -> bytes:
        pieces = []
        try:
            while compressed:
                pieces.append(self._frame.decompress(compressed))
                self._inside_frame = not self._frame.eof
                compressed = b""
                if self._frame.eof:
                    compressed = self._frame.unused_data
                    self._frame = self._decompressor.decompressobj()
        except self._zstd_error as err:
            raise _ZstdDataError(str(err)) from None
        return b"".join(pieces)

    def close(self) -> None:
        if hasattr(self, "_source"):
            self._source.close()
        super().close()


class _GzipReader(_ChunkedReader):
    """The decompressed bytes of a gzip file (a binary stream, closed with it), member after member, as
    ``gzip.open`` reads them.

    zlib parses each member's header and checks its CRC and length; zero bytes between or after
    members are skipped; anything else after a member is not gzip (``BadGzipFile``), and a cut-off
    member raises ``EOFError``. Each call inflates up to :data:`_GZIP_OUT_BYTES` from large reads,
    about a sixth less work than ``gzip.GzipFile``, which inflates in small pieces.
    """

    def __init__(self, source):
        super().__init__()
        self._source = source
        self._inflate = zlib.decompressobj(31)
        self._input = b""
        self._inside = False

    def _next_chunk(self) -> bytes:
        while True:
            if not self._input:
                self._input = self._source.read(_GZIP_READ_BYTES)
                if not self._input:
                    if self._inside:
                        raise EOFError("Compressed file ended before the end-of-stream marker was reached")
                    return b""
            if not self._inside and not self._next_member():
                continue
            out = self._inflate.decompress(self._input, _GZIP_OUT_BYTES)
            self._input = self._inflate.unconsumed_tail or self._inflate.unused_data
            if self._inflate.eof:
                self._inside = False
                self._inflate = zlib.decompressobj(31)
            if out:
                return out

    def _next_member(self) -> bool:
        """Skip zero bytes; True if a member starts here (False: more input is needed)."""
        self._input = self._input.lstrip(b"\x00")
        if len(self._input) < 2:
            more = self._source.read(_GZIP_READ_BYTES)
            if not more:
                if self._input:
                    raise gzip.BadGzipFile(f"Not a gzipped file ({self._input!r})")
                return False
            self._input += more
            return False
        if not self._input.startswith(b"\x1f\x8b"):
            raise gzip.BadGzipFile(f"Not a gzipped file ({self._input[:2]!r})")
        self._inside = True
        return True

    def close(self) -> None:
        if hasattr(self, "_source"):
            self._source.close()
        super().close()


class _Utf8FromUnicode(_ChunkedReader):
    """UTF-16 or UTF-32 text (with its byte-order mark) re-encoded as UTF-8 bytes.

    Line ends are passed through unchanged; malformed code units become U+FFFD.
    """

    def __init__(self, stream, encoding: str):
        super().__init__()
        self._text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")

    def _next_chunk(self) -> bytes:
        return self._text.read(_HEAD_BYTES).encode("utf-8")

    def close(self) -> None:
        if hasattr(self, "_text"):
            self._text.close()
        super().close()


def _require_zstandard(path: Path):
    try:
        import zstandard
    except ImportError:
        raise MissingDependencyError(
            f'{path}: zstd-compressed; reading it needs zstandard: pip install "wordvec[zstd]"') from None
    return zstandard


class _Chunks(_ChunkedReader):
    """A readable raw stream over an iterator of byte chunks (bytes, bytearrays or memoryviews)."""

    def __init__(self, chunks: Iterator):
        super().__init__()
        self._chunks = chunks

    def _next_chunk(self):
        return next(self._chunks, b"")


def _replayed(first: bytes, stream, error: BaseException | None = None) -> Iterator[bytes]:
    """``first`` (bytes already read from ``stream``), then ``error`` if reading them failed, then the rest."""
    if first:
        yield first
    if error is not None:
        raise error
    while True:
        chunk = stream.read1(BLOCK_BYTES)
        if not chunk:
            return
        yield chunk


def _rewound(file, first: bytes):
    """``file`` from its start again: seeked back, or (a pipe) ``first``, already read, given again."""
    if file.seekable():
        file.seek(0)
        return file
    return io.BufferedReader(_Chunks(_replayed(first, file)))


def _decompressing(raw, compression: str | None, path: Path):
    """A buffered stream of the bytes of ``raw`` decompressed (``gzip``, ``bzip2``, ``xz``, ``zstd``), or ``raw``."""
    if compression == "gzip":
        return io.BufferedReader(_GzipReader(raw), buffer_size=_GZIP_OUT_BYTES)
    if compression == "bzip2":
        return bz2.BZ2File(raw)
    if compression == "xz":
        return lzma.LZMAFile(raw)
    if compression == "zstd":
        return io.BufferedReader(_ZstdReader(raw, path), buffer_size=_ZSTD_READ_BYTES)
    return raw


@contextlib.contextmanager
def _decompressed(path: Path):
    """A buffered binary stream of the file's bytes, decompressed if they are gzip, bzip2, xz or zstd."""
    with open(path, "rb") as file:
        magic = file.read(_MAGIC_BYTES)
        with _decompressing(_rewound(file, magic), _compression_of(magic), path) as stream:
            yield stream


def _unicode_encoding(first_bytes: bytes) -> str | None:
    """``utf-32`` or ``utf-16`` when the bytes start with that encoding's byte-order mark."""
    if first_bytes.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if first_bytes.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return None


_DATA_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile, lzma.LZMAError, _ZstdDataError)


def _read_some(stream, size: int) -> tuple[bytes, BaseException | None]:
    """Up to ``size`` bytes of ``stream`` and, if reading them failed (damaged data), the error."""
    chunks, got = [], 0
    try:
        while got < size:
            chunk = stream.read1(size - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except PermissionError:
        raise
    except (OSError, *_DATA_ERRORS) as err:
        return b"".join(chunks), err  # raised again when the reader gets there, with the documents read
    return b"".join(chunks), None


class _Source:
    """A corpus file opened once, for recognising it and for reading it.

    Its first raw bytes (``magic``) and its first bytes as the readers see them (``head``: decompressed,
    UTF-16 and UTF-32 re-encoded as UTF-8) are read to recognise it, and :meth:`chunks` gives them again
    before the rest: nothing is read twice and nothing is seeked back in a pipe (``<(zcat x.gz)``, a
    FIFO), so a pipe gives the reader every byte the file would. Parquet and Arrow files are read by
    pyarrow from their path (``head`` is empty).
    """

    def __init__(self, path: Path):
        self.path = path
        self.head, self._head_error, self._stream = b"", None, None
        self._closing = contextlib.ExitStack()
        try:
            file = self._closing.enter_context(open(path, "rb"))
            self.magic = file.read(_MAGIC_BYTES)
            self.compression = _compression_of(self.magic)
            self.columnar = _columnar_look(self.magic)
            if self.columnar is None:
                raw = _rewound(file, self.magic)
                self._stream = self._closing.enter_context(_decompressing(raw, self.compression, path))
                self._read_head()
        except BaseException:
            self._closing.close()
            raise

    def _read_head(self) -> None:
        head, error = _read_some(self._stream, _HEAD_BYTES)
        encoding = _unicode_encoding(head[:4])
        if encoding is not None:
            replay = io.BufferedReader(_Chunks(_replayed(head, self._stream, error)))
            self._stream = self._closing.enter_context(io.BufferedReader(_Utf8FromUnicode(replay, encoding)))
            head, error = _read_some(self._stream, _HEAD_BYTES)
        self.head, self._head_error = head, error

    def chunks(self) -> Iterator[bytes]:
        """The bytes of a text file as the readers take them, ``head`` first; once."""
        stream, self._stream = self._stream, None
        if stream is None:
            raise ValueError(f"{self.path}: read already, or not a text file")
        return _replayed(self.head, stream, self._head_error)

    def binary_stream(self):
        """:meth:`chunks` as a buffered binary stream."""
        return io.BufferedReader(_Chunks(self.chunks()))

    def __enter__(self) -> "_Source":
        return self

    def __exit__(self, *exc) -> None:
        self._closing.close()


def _open_binary(path: Path) -> _Source:
    """The file opened once, its first bytes read (see :class:`_Source`)."""
    return _Source(path)


# --- what a file looks like -------------------------------------------------------------------------

def _columnar_look(magic: bytes) -> _Look | None:
    if magic.startswith(b"PAR1"):
        return _Look("parquet", "a Parquet file")
    if magic.startswith(b"ARROW1"):
        return _Look("arrow", "an Arrow IPC file")
    if len(magic) >= 8 and magic.startswith(b"\xff\xff\xff\xff") and int.from_bytes(magic[4:8], "little") % 8 == 0:
        return _Look("arrow", "an Arrow IPC stream")
    return None


def _looks_like_utf16(head: bytes) -> bool:
    """Mostly NUL bytes on one parity of positions and almost none on the other."""
    pairs = len(head) // 2
    if pairs < 2:
        return False
    even, odd = head[0::2].count(0), head[1::2].count(0)
    return max(even, odd) > 0.4 * pairs and min(even, odd) < 0.05 * pairs


def _binary_look(head: bytes) -> _Look | None:
    """How ``head`` looks when it is not text (rule steps 4 and 5 of the module docstring), else None."""
    for signature, what, hint in _BINARY_SIGNATURES:
        if head.startswith(signature):
            return _Look("binary", what, hint)
    if head[257:262] == b"ustar":
        return _Look("binary", "a tar archive", _UNPACK)
    if _looks_like_utf16(head):
        return _Look("binary", "UTF-16 text without a byte-order mark",
                     "save it as UTF-8 (or as UTF-16 with a byte-order mark)")
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if head and controls > _MAX_CONTROL_SHARE * len(head):
        share = controls / len(head)
        return _Look("binary", f"binary data ({share:.0%} of its first {len(head):,} bytes are NUL "
                               f"or other control bytes)")
    return None


def _json_look(head: bytes) -> _Look | None:
    """JSON lines, a single JSON document, or None (neither) from the first line."""
    stripped = head.lstrip()
    if not stripped.startswith((b"{", b"[")):
        return None
    line, newline, _ = stripped.partition(b"\n")
    if not newline and len(head) >= _HEAD_BYTES:  # a first line longer than the head
        return _Look("jsonl", "JSON lines") if stripped.startswith(b'{"') else None
    try:
        value = json.loads(decode_line(line))
    except (ValueError, RecursionError):
        value = None
    if isinstance(value, dict):
        return _Look("jsonl", "JSON lines")
    if line.strip() in (b"{", b"[") or line.startswith((b"[{", b'{"')):
        return _Look("json", "a single JSON document",
                     "JSON lines hold one object per line; --format text reads it as plain text")
    return None


def _text_look(path: Path, head: bytes) -> _Look:
    head = head.lstrip(b"\xef\xbb\xbf")
    if head.startswith(b"product/productId:") or _SNAP_TEXT in head[:4096]:
        return _Look("snap", "SNAP reviews")
    if path.name.lower().endswith(_CSV_SUFFIXES):
        return _Look("csv", "CSV")
    json_look = _json_look(head)
    if json_look:
        return json_look
    first_line = head.split(b"\n", 1)[0].strip()
    try:
        header = next(csv.reader([decode_line(first_line)]))
    except (csv.Error, StopIteration):
        return _Look("text", "text")
    if len(header) > 1 and any(col.strip().lower() in _TEXT_COLUMNS for col in header):
        return _Look("csv", "CSV")
    return _Look("text", "text")


def _look(source: _Source) -> _Look:
    """Apply the text-or-binary rule of the module docstring to an opened file."""
    if source.columnar:
        return source.columnar
    head = source.head
    columnar_inside = _columnar_look(head) if source.compression else None
    if columnar_inside:
        binary = _Look("binary", columnar_inside.what, "decompress it first: Parquet and Arrow compress themselves")
    else:
        binary = _binary_look(head)
    if binary is None:
        return _text_look(source.path, head)
    if source.compression:
        binary = binary._replace(what=f"{binary.what} ({source.compression}-compressed)")
    return binary


def _sniff(path: Path) -> _Look:
    """Apply the text-or-binary rule of the module docstring to a file."""
    with _open_binary(path) as source:
        return _look(source)


def _refusal(path: Path, look: _Look) -> str:
    hint = f"; {look.hint}" if look.hint else ""
    return f"{path}: looks like {look.what}, not a corpus wordvec can read{hint}"


def detect_format(path) -> str:
    """Recognise a file's layout from its content (see the module docstring for the rule).

    Parameters
    ----------
    path : str or Path
        A file, compressed or not.

    Returns
    -------
    str
        One of :data:`FORMATS` other than ``auto``.

    Raises
    ------
    CorpusError
        The file is none of the layouts: binary data, an archive, an image, a single JSON document...

    Examples
    --------
    >>> detect_format(default_corpus()[0])
    'snap'
    """
    path = Path(path)
    try:
        look = _sniff(path)
    except OSError as err:
        raise CorpusError(f"{path}: {err.strerror or err}") from None
    if look.layout not in FORMATS:
        raise CorpusError(_refusal(path, look))
    return look.layout


def _layout_to_read(source: _Source, format: str) -> str:
    """The layout to read an opened file as: ``format``, or the detected one for ``auto``; refusals raise."""
    path, look = source.path, _look(source)
    if format == "auto" or look.layout == "binary":
        if look.layout not in FORMATS:
            raise CorpusError(_refusal(path, look))
        return look.layout
    if format in _COLUMNAR_NAMES and look.layout != format:
        raise CorpusError(f"{path}: looks like {look.what}, not {_COLUMNAR_NAMES[format]}")
    if format in _TEXT_LAYOUTS and look.layout in _COLUMNAR_NAMES:
        raise CorpusError(f"{path}: looks like {look.what}, not text; read it with --format {look.layout} or auto")
    return format


# --- files and folders ------------------------------------------------------------------------------

def _is_side_file(path: Path) -> bool:
    name = path.name
    return (name.startswith(".") or name in SIDE_FILES or name.startswith(_SIDE_FILE_PREFIXES)
            or name.endswith(".crc"))


def _files_in_folder(folder: Path) -> list[Path]:
    found = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not found:
        raise CorpusError(f"no files in directory: {folder}")
    corpus_files = [p for p in found if not _is_side_file(p)]
    if not corpus_files:
        shown = ", ".join(p.name for p in found[:5])
        raise CorpusError(f"no corpus files in directory: {folder} (only side files: {shown})")
    return corpus_files


def _files(sources: Iterable) -> list[Path]:
    files = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            files.extend(_files_in_folder(path))
        elif path.exists():
            files.append(path)
        else:
            raise CorpusError(f"no such file or directory: {path}")
    if not files:
        raise CorpusError("no corpus given")
    return files


def iter_documents(sources, format: str = "auto", text_column: str | None = None,
                   include_summary: bool = False) -> "Documents":
    """Yield the cleaned text of each document in ``sources`` (files or folders).

    Parameters
    ----------
    sources : path or list of paths
        Files (optionally gzip-, bzip2-, xz- or zstd-compressed) or folders of them.
    format : {"auto", "snap", "csv", "text", "jsonl", "parquet", "arrow"}, default="auto"
        ``auto`` recognises each file's layout from its content (see :data:`FORMATS`).
    text_column : str, optional
        Column (CSV, Parquet, Arrow) or field (JSON lines) holding the text, compared without case;
        by default the first of ``Text``, ``Review``, ``ReviewText``, ``Review_Text``, ``Body``,
        ``Content``.
    include_summary : bool, default=False
        Put the review summary before its text (SNAP, and a ``Summary`` column where one exists).

    Returns
    -------
    Documents
        An iterator over the documents that also remembers what it reads, so that
        :func:`~wordvec.encode.encode_documents` given it before it is started reads the files
        in blocks instead (same words, faster).

    Raises
    ------
    CorpusError
        A file is missing, unreadable, damaged, or none of the layouts; the message names it.
    MissingDependencyError
        A Parquet or Arrow file without pyarrow, a zstd file without zstandard.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "reviews.jsonl"
    >>> _ = path.write_text('{"Summary": "Tasty", "Text": "Good <br />tea"}\\n')
    >>> list(iter_documents(path, include_summary=True))
    ['Tasty. Good  tea']
    """
    if isinstance(sources, (str, Path)):
        sources = [sources]
    return Documents(Reading(list(sources), format, text_column, include_summary))


class Reading(NamedTuple):
    """What :func:`iter_documents` was asked to read."""

    sources: list
    format: str
    text_column: str | None
    include_summary: bool

    def files(self) -> list[Path]:
        """The files to read, in order (folders expanded); checks the format first.

        Examples
        --------
        >>> [p.name for p in Reading(default_corpus(), "auto", None, False).files()]
        ['finefoods_sample.txt.gz', 'fine_food_reviews_1k.csv.gz']
        """
        if self.format not in FORMATS:
            raise CorpusError(f"unknown format {self.format!r}: choose one of {', '.join(FORMATS)}")
        return _files(self.sources)


class Documents:
    """The documents of :func:`iter_documents`: an iterator, started by the first ``next``.

    ``reading`` says what it reads; :meth:`take` hands that over to a reader of its own (the
    encoder's block reader), once, before iteration has started.

    Examples
    --------
    >>> docs = iter_documents(default_corpus()[0])
    >>> docs.reading.format, next(docs)[:13]
    ('auto', 'I have bought')
    """

    def __init__(self, reading: Reading):
        self.reading = reading
        self._documents: Iterator[str] | None = None

    def __iter__(self) -> "Documents":
        return self

    def __next__(self) -> str:
        if self._documents is None:
            self._documents = self._read()
        return next(self._documents)

    def _read(self) -> Iterator[str]:
        reading = self.reading
        for path in reading.files():
            yield from _read_file(path, reading.format, reading.text_column, reading.include_summary)

    @property
    def started(self) -> bool:
        """Whether documents have been asked for (or :meth:`take` was called)."""
        return self._documents is not None

    def take(self) -> Reading:
        """Hand over what to read: this iterator is then exhausted. Only before it is started."""
        if self.started:
            raise ValueError("these documents are being read already")
        self._documents = iter(())
        return self.reading

    def close(self) -> None:
        """Stop reading (closes the file being read), as a generator's ``close``."""
        if self._documents is not None and hasattr(self._documents, "close"):
            self._documents.close()


class DocumentCount:
    """How many documents of a file have been read: the number a damaged file's message gives."""

    def __init__(self):
        self.count = 0


def _read_file(path: Path, format: str, text_column: str | None, include_summary: bool) -> Iterator[str]:
    read = DocumentCount()
    with open_file(path, format, read) as file:
        for doc in file.documents(text_column, include_summary):
            read.count += 1
            yield doc


@contextlib.contextmanager
def errors_named(path: Path, read: DocumentCount):
    """Turn the errors of reading ``path`` into one :class:`CorpusError` line naming it.

    Damaged compressed data says how many documents (``read.count``) came before the damage.

    Examples
    --------
    >>> try:
    ...     with errors_named(Path("reviews.txt"), DocumentCount()):
    ...         raise PermissionError(13, "Permission denied")
    ... except CorpusError as err:
    ...     print(err)
    reviews.txt: permission denied
    """
    try:
        yield
    except _DATA_ERRORS as err:
        raise CorpusError(_damaged(path, err, read.count)) from None
    except _BinaryLine as err:
        raise CorpusError(f"{path}: looks like binary data {err}, not a corpus wordvec can read") from None
    except PermissionError:
        raise CorpusError(f"{path}: permission denied") from None
    except IsADirectoryError:
        raise CorpusError(f"{path}: is a directory") from None
    except OSError as err:
        if err.errno is None and path.is_file() and is_compressed(path):  # never open a pipe twice
            raise CorpusError(_damaged(path, err, read.count)) from None
        raise CorpusError(f"{path}: {err.strerror or err}") from None


@contextlib.contextmanager
def open_file(path: Path, format: str, read: DocumentCount) -> Iterator["OpenFile"]:
    """A corpus file opened once and its layout recognised (``format``, or ``auto``); errors name it.

    Errors raised while reading it inside the ``with`` are turned into one line naming the file too
    (:func:`errors_named`, with ``read.count`` documents read).

    Examples
    --------
    >>> with open_file(default_corpus()[0], "auto", DocumentCount()) as file:
    ...     file.layout, next(file.documents())[:13]
    ('snap', 'I have bought')
    """
    with errors_named(path, read), _open_binary(path) as source:
        yield OpenFile(source, _layout_to_read(source, format))


class OpenFile(NamedTuple):
    """A corpus file opened by :func:`open_file`, read once: as documents, or (text, SNAP) in blocks."""

    source: _Source
    layout: str

    def documents(self, text_column: str | None = None, include_summary: bool = False) -> Iterator[str]:
        """The cleaned documents (see :func:`iter_documents`)."""
        if self.layout in _TEXT_LAYOUTS:
            return _READERS[self.layout](self.source, text_column=text_column, include_summary=include_summary)
        path = self.source.path
        if not path.is_file():
            raise CorpusError(f"{path}: looks like {_COLUMNAR_NAMES[self.layout]}, which is read from a "
                              f"regular file, not a pipe or a device; save it to a file first")
        return _READERS[self.layout](path, text_column=text_column, include_summary=include_summary)

    def blocks(self, include_summary: bool = False) -> Iterator[bytearray]:
        """The bytes of a text or SNAP file, decompressed, in blocks of whole lines.

        The readers see the same bytes (UTF-16 and UTF-32 re-encoded as UTF-8, long lines cut as
        :func:`_bounded_lines` cuts them). In the SNAP layout with ``include_summary``, a block whose
        last summary is not yet followed by its text passes that summary line on to the start of the
        next block, so each block can be read on its own.

        Examples
        --------
        >>> with open_file(default_corpus()[0], "auto", DocumentCount()) as file:
        ...     blocks = list(file.blocks())
        >>> len(blocks), bytes(blocks[0][:19])
        (1, b'product/productId: ')
        """
        snap = self.layout == "snap"
        return _line_blocks(_bounded_lines(self.source.chunks(), snap), include_summary and snap)


# --- long lines -------------------------------------------------------------------------------------

#: The longest line of a text or SNAP file read as one document: a longer line is cut into pieces of
#: at most this many bytes (see :func:`_bounded_lines`), so no line is ever held whole.
MAX_LINE_BYTES = 1 << 20
#: The longest JSON line or CSV record (in bytes, in characters for CSV); a longer one is refused.
MAX_RECORD_BYTES = 1 << 24
_CUT_BYTES = (b" ", b"\t", b"\r", b"\x0b", b"\x0c")
_SNAP_TEXT_PIECE = _SNAP_TEXT + b" "


class _BinaryLine(ValueError):
    """A line of over :data:`MAX_LINE_BYTES` that is mostly NUL or other control bytes."""


def _bounded_lines(chunks: Iterable[bytes], snap: bool, limit: int | None = None) -> Iterator[bytes]:
    """The bytes of ``chunks`` with every line longer than ``limit`` (:data:`MAX_LINE_BYTES`) cut into pieces.

    A piece ends at the last ASCII whitespace byte within the limit, which becomes its line feed, or,
    where there is none, at the limit itself (never inside a UTF-8 character), so no word is lost and
    no line is held whole. In SNAP (``snap``), each piece of a ``review/text:`` line is a
    ``review/text:`` line too: a review in pieces (pieces of other lines are not read). A piece of which
    more than 1 byte in 20 is a control byte (the hole of a sparse file, a disk image after some text)
    raises :class:`_BinaryLine`. Yields bytes-like objects.

    Examples
    --------
    >>> b"".join(_bounded_lines([b"tea and cups of tea\\nreview/text: a cup of tea and milk"], True, limit=16))
    b'tea and cups of\\ntea\\nreview/text: a\\nreview/text: cup of tea and\\nreview/text: milk'
    """
    limit = MAX_LINE_BYTES if limit is None else limit
    cutter = _LineCutter(snap, limit)
    for chunk in chunks:
        for start in range(0, len(chunk), limit):
            yield from cutter.feed(chunk if len(chunk) <= limit else bytes(chunk[start:start + limit]))
    yield from cutter.finish()


class _LineCutter:
    """The state of :func:`_bounded_lines`: the unfinished last line, and what its next piece starts with."""

    def __init__(self, snap: bool, limit: int):
        self.snap, self.limit = snap, limit
        self.line = bytearray()
        self.label = b""
        self.line_at = 0  # where ``line`` starts in the bytes fed

    def feed(self, piece: bytes) -> Iterator[bytes]:
        """The lines that ``piece`` (at most ``limit`` long) ends, cut where too long."""
        newline = piece.find(b"\n")
        if newline < 0 and len(self.line) + len(piece) <= self.limit:
            self.line += piece
            return
        if 0 <= newline and len(self.line) + newline <= self.limit:
            # the usual case: the first line fits, the others are shorter than the piece
            end = piece.rfind(b"\n") + 1
            if self.label or self.line:
                yield self.label + bytes(self.line)
            yield memoryview(piece)[:end]
            self.line_at += len(self.line) + end
            self.label, self.line = b"", bytearray(piece[end:])
            return
        yield from self._cut(piece)

    def _cut(self, piece: bytes) -> Iterator[bytes]:
        buf, start, limit = self.line + piece, 0, self.limit
        while True:
            newline = buf.rfind(b"\n", start, start + limit + 1)
            if newline >= 0:
                yield self.label + bytes(buf[start:newline + 1])
                self.label, start = b"", newline + 1
                continue
            if len(buf) - start <= limit:
                break
            cut, skip = _cut_point(buf, start, start + limit)
            _refuse_binary(buf[start:cut], self.line_at + start, limit)
            text_line = self.label or (self.snap and buf.startswith(_SNAP_TEXT, start))
            yield self.label + bytes(buf[start:cut]) + b"\n"
            self.label = _SNAP_TEXT_PIECE if text_line else b""
            start = cut + skip
        self.line_at += start
        self.line = buf[start:]

    def finish(self) -> Iterator[bytes]:
        """The last line, if the bytes do not end with a line feed."""
        if self.line:
            yield self.label + bytes(self.line)


def _cut_point(buf: bytearray, start: int, limit: int) -> tuple[int, int]:
    """Where the line from ``start`` is cut: at its last whitespace byte up to ``limit`` (replaced: 1 byte),
    else at ``limit``, moved back to the start of a UTF-8 character (nothing replaced: 0)."""
    cut = max(buf.rfind(space, start + 1, limit + 1) for space in _CUT_BYTES)
    if cut > start:
        return cut, 1
    cut = limit
    for _ in range(3):
        if 0x80 <= buf[cut] < 0xC0 and cut > start + 1:
            cut -= 1
    return cut, 0


def _refuse_binary(piece: bytearray, at: int, limit: int) -> None:
    """Raise :class:`_BinaryLine` if more than 1 byte in 20 of ``piece`` (from byte ``at``) is a control byte."""
    controls = len(piece) - len(piece.translate(None, _CONTROL_BYTES))
    if controls > _MAX_CONTROL_SHARE * len(piece):
        raise _BinaryLine(f"from byte {at:,} on (a line of over {limit:,} bytes, "
                          f"{controls / len(piece):.0%} NUL or other control bytes)")


# --- blocks of lines, for the encoder's fast reader -------------------------------------------------

#: Layouts read in blocks of bytes by :meth:`OpenFile.blocks` (the others are read document by document).
BLOCK_LAYOUTS = ("text", "snap")
#: Bytes decompressed at a time; a block of :meth:`OpenFile.blocks` runs on to the end of its last line.
BLOCK_BYTES = 1 << 20


def _line_blocks(chunks: Iterable[bytes], carry_summary: bool) -> Iterator[bytearray]:
    block = bytearray()
    searched = 0
    for chunk in chunks:
        block += chunk
        if len(block) < BLOCK_BYTES:
            continue
        cut = block.rfind(b"\n", searched) + 1
        if cut == 0:
            searched = len(block)
            continue
        rest = block[cut:]
        del block[cut:]
        if carry_summary:
            rest[:0] = _pending_summary(block)
        yield block
        block, searched = rest, 0
    if block:
        yield block


def _pending_summary(block: bytearray) -> bytes:
    """The last ``review/summary:`` line of a block (ending in a line feed) if no text line follows it."""
    summary_at = _last_line_start(block, _SNAP_SUMMARY)
    if summary_at <= _last_line_start(block, _SNAP_TEXT):
        return b""
    return bytes(block[summary_at:block.index(b"\n", summary_at) + 1])


def _last_line_start(block: bytearray, prefix: bytes) -> int:
    at = block.rfind(b"\n" + prefix)
    if at >= 0:
        return at + 1
    return 0 if block.startswith(prefix) else -1


def hard_documents(block: bytearray, docs, hard, layout: str,
                   include_summary: bool) -> tuple[bytearray, "np.ndarray"]:
    """The flagged documents of a block, cleaned as the readers clean them, ready for the word splitter.

    ``docs`` and ``hard`` are what :func:`wordvec._text_kernels.find_lines` (``text``) or
    ``find_reviews`` (``snap``) found in ``block``. Returns the documents ``hard`` flags, each
    cleaned exactly as :func:`_read_text` or :func:`_read_snap` cleans it and passed through
    :func:`~wordvec.text.word_bytes`, one after another, and where each starts (with the end last).

    Examples
    --------
    >>> import numpy as np
    >>> docs, hard = np.array([[0, 0, 0, 11]]), np.array([1], dtype=np.uint8)
    >>> hard_documents(bytearray("Caf\u00c3\u00a9, ok".encode()), docs, hard, "text", False)
    (bytearray(b'caf\\xc3\\xa9  ok'), array([0, 9]))
    """
    import numpy as np

    pieces = [word_bytes(_hard_document(block, where, layout, include_summary))
              for where in docs[hard.astype(bool)].tolist()]
    starts = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum([len(piece) for piece in pieces], out=starts[1:])
    return bytearray(b"".join(pieces)), starts


def _hard_document(block: bytearray, where, layout: str, include_summary: bool) -> str:
    """One document as :func:`_read_text` or :func:`_read_snap` yields it (cleaned alike, faster)."""
    summary_start, summary_end, start, end = where
    if layout == "text":
        return clean_text_fast(decode_line(block[start:end].rstrip(b"\r\n")))
    text = decode_line(block[start:end].strip())
    if include_summary and summary_end > summary_start:
        summary = decode_line(block[summary_start:summary_end].strip())
        if summary:
            text = f"{summary}. {text}"
    return clean_text_fast(text)


def is_compressed(path: Path) -> bool:
    """Whether the file is gzip, bzip2, xz or zstd data (from its first bytes); False if unreadable.

    Examples
    --------
    >>> is_compressed(default_corpus()[0])
    True
    """
    try:
        return _compression_of(_read_magic(path)) is not None
    except OSError:
        return False


def _damaged(path: Path, err: Exception, count: int) -> str:
    return f"{path}: compressed data is truncated or corrupted ({err}); stopped after {count} documents"


# --- text readers -----------------------------------------------------------------------------------

def _lines_of(source: _Source, snap: bool = False):
    """The lines of a text or SNAP file, long lines cut (:func:`_bounded_lines`), as a binary stream."""
    return io.BufferedReader(_Chunks(_bounded_lines(source.chunks(), snap)))


def _read_text(source: _Source, **_) -> Iterator[str]:
    with _lines_of(source) as handle:
        for raw in handle:
            text = clean_text(decode_line(raw.rstrip(b"\r\n")))
            if text.strip():
                yield text


def _read_snap(source: _Source, include_summary: bool = False, **_) -> Iterator[str]:
    summary = ""
    with _lines_of(source, snap=True) as handle:
        for raw in handle:
            if raw.startswith(_SNAP_SUMMARY):
                summary = decode_line(raw[len(_SNAP_SUMMARY):].strip())
            elif raw.startswith(_SNAP_TEXT):
                text = decode_line(raw[len(_SNAP_TEXT):].strip())
                if include_summary and summary:
                    text = f"{summary}. {text}"
                summary = ""
                yield clean_text(text)


class _CsvLines:
    """The lines of a CSV file for :func:`csv.reader`, refusing a record of over :data:`MAX_RECORD_BYTES`
    characters (one line or many, in quotes) with one line instead of holding it."""

    def __init__(self, path: Path, stream):
        self.path, self.stream = path, stream
        self.number = self.record = 0

    def __iter__(self) -> "_CsvLines":
        return self

    def __next__(self) -> str:
        line = self.stream.readline(MAX_RECORD_BYTES + 1)
        if not line:
            raise StopIteration
        self.number += 1
        self.record += len(line)
        if self.record > MAX_RECORD_BYTES:
            raise CorpusError(f"{self.path}, line {self.number}: a CSV record longer than "
                              f"{MAX_RECORD_BYTES:,} characters; is it CSV, with its quotes closed?")
        return line


def _read_csv(source: _Source, text_column: str | None = None, include_summary: bool = False) -> Iterator[str]:
    path = source.path
    with source.binary_stream() as raw:
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace_with_latin1", newline="")
        lines = _CsvLines(path, stream)
        reader = csv.reader(lines, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise CorpusError(f"{path}: not a readable CSV file ({err})") from None
        text_at = _column(path, header, text_column)
        summary_at = _column(path, header, "summary") if include_summary and "summary" in (h.lower() for h in header) else None
        while True:
            lines.record = 0
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as err:
                raise CorpusError(f"{path}, line {reader.line_num}: broken CSV quoting ({err})") from None
            if len(row) <= text_at:
                continue
            text = row[text_at]
            if summary_at is not None and len(row) > summary_at and row[summary_at]:
                text = f"{row[summary_at]}. {text}"
            yield clean_text(text)


def _column(path: Path, header: list[str], wanted: str | None, kind: str = "CSV columns") -> int:
    """Index of the wanted column (without case), or of the first usual text column; else one line."""
    lowered = [h.strip().lower() for h in header]
    candidates = [wanted.lower()] if wanted else list(_TEXT_COLUMNS)
    for name in candidates:
        if name in lowered:
            return lowered.index(name)
    shown = shortened(", ".join(header[:12])) + (f", ... ({len(header) - 12} more)" if len(header) > 12 else "")
    what = f"no column {wanted!r}" if wanted else "no text column"
    raise CorpusError(f"{path}: {what} among the {kind} ({shown}); name it with --text-column")


def _text_and_summary_names(path: Path, names: list[str], text_column: str | None, include_summary: bool,
                            kind: str) -> tuple[str, str | None]:
    """The text column's name and, with ``include_summary``, the summary column's name if there is one."""
    text_name = names[_column(path, names, text_column, kind)]
    lowered = [n.strip().lower() for n in names]
    summary_name = names[lowered.index("summary")] if include_summary and "summary" in lowered else None
    return text_name, summary_name


def _document(text: str | None, summary: str | None) -> str:
    """A row's cleaned document, as the CSV reader makes it: a missing text is an empty one."""
    text = text or ""
    if summary:
        text = f"{summary}. {text}"
    return clean_text(text)


_JSON_TYPE_NAMES = {list: "an array", dict: "an object"}


def _json_record(path: Path, line_number: int, raw: bytes) -> dict:
    line = decode_line(raw)
    if line_number == 1:
        line = line.lstrip("\ufeff")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise CorpusError(f"{path}, line {line_number}: not valid JSON ({err.msg}, column {err.colno})") from None
    except (ValueError, RecursionError) as err:
        reason = type(err).__name__
        raise CorpusError(f"{path}, line {line_number}: not valid JSON ({reason})") from None
    if not isinstance(record, dict):
        kind = _JSON_TYPE_NAMES.get(type(record), "a single value")
        raise CorpusError(f"{path}, line {line_number}: expected a JSON object, got {kind}")
    return record


def _json_text(path: Path, line_number: int, name: str, value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, dict)):
        raise CorpusError(f"{path}, line {line_number}: the field {quoted(name)} holds "
                          f"{_JSON_TYPE_NAMES[type(value)]}, not text")
    return str(value)


def _json_lines(source: _Source) -> Iterator[tuple[int, bytes]]:
    """(1-based number, bytes) of each line of a JSON lines file; a line of over
    :data:`MAX_RECORD_BYTES` bytes is refused with one line instead of being held."""
    with source.binary_stream() as handle:
        number = 0
        while True:
            raw = handle.readline(MAX_RECORD_BYTES + 1)
            if not raw:
                return
            number += 1
            if len(raw) > MAX_RECORD_BYTES and not raw.endswith(b"\n"):
                raise CorpusError(f"{source.path}, line {number}: a JSON line longer than {MAX_RECORD_BYTES:,} "
                                  f"bytes; JSON lines hold one object per line")
            yield number, raw


def _read_jsonl(source: _Source, text_column: str | None = None, include_summary: bool = False) -> Iterator[str]:
    path, names = source.path, None
    for line_number, raw in _json_lines(source):
        if not raw.strip():
            continue
        record = _json_record(path, line_number, raw)
        if names is None:
            names = _text_and_summary_names(path, list(record), text_column, include_summary, "JSON fields")
        text_name, summary_name = names
        text = _json_text(path, line_number, text_name, record.get(text_name))
        summary = _json_text(path, line_number, summary_name, record.get(summary_name)) if summary_name else None
        yield _document(text, summary)


# --- Parquet and Arrow (pyarrow) --------------------------------------------------------------------

def _require_pyarrow(path: Path, what: str):
    try:
        import pyarrow
    except ImportError:
        raise MissingDependencyError(
            f'{path}: looks like {what}; reading it needs pyarrow: pip install "wordvec[parquet]"') from None
    return pyarrow


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split()) or type(err).__name__


def _columns_to_read(path: Path, schema, text_column: str | None, include_summary: bool,
                     kind: str) -> list[str]:
    """Names of the text (and summary) columns of an Arrow schema, checked to hold text."""
    import pyarrow as pa

    text_name, summary_name = _text_and_summary_names(path, list(schema.names), text_column,
                                                      include_summary, kind)
    names = [text_name] + ([summary_name] if summary_name and summary_name != text_name else [])
    for name in names:
        value_type = schema.field(name).type
        if pa.types.is_dictionary(value_type):
            value_type = value_type.value_type
        if not (_is_string_type(pa, value_type) or _is_binary_type(pa, value_type)
                or pa.types.is_null(value_type)):
            raise CorpusError(f"{path}: the column {name!r} holds {value_type} values, not text; "
                              f"name the text column with --text-column")
    return names


def _is_string_type(pa, value_type) -> bool:
    view = getattr(pa.types, "is_string_view", lambda _: False)
    return pa.types.is_string(value_type) or pa.types.is_large_string(value_type) or view(value_type)


def _is_binary_type(pa, value_type) -> bool:
    view = getattr(pa.types, "is_binary_view", lambda _: False)
    return pa.types.is_binary(value_type) or pa.types.is_large_binary(value_type) or view(value_type)


def _strings(pa, array) -> list:
    """A column of one batch as Python strings (None for nulls); bytes and bad UTF-8 repaired."""
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if _is_string_type(pa, array.type):
        try:
            return array.to_pylist()
        except UnicodeDecodeError:
            array = array.cast(pa.large_binary())
    values = array.to_pylist()
    if _is_binary_type(pa, array.type):
        return [None if value is None else decode_line(value) for value in values]
    return values


@contextlib.contextmanager
def _arrow_errors_named(pa, path: Path, what: str):
    """Turn pyarrow's errors (``ArrowException``, or ``OSError`` for I/O) into one line naming the file."""
    try:
        yield
    except PermissionError:
        raise
    except (pa.ArrowException, OSError) as err:
        raise CorpusError(f"{path}: not a readable {what} ({_one_line(err)})") from None


def _documents_from_batches(path: Path, pa, batches, names: list[str], what: str) -> Iterator[str]:
    text_name, summary_name = names[0], (names[1] if len(names) > 1 else None)
    with _arrow_errors_named(pa, path, what):
        for batch in batches:
            texts = _strings(pa, batch.column(text_name))
            summaries = _strings(pa, batch.column(summary_name)) if summary_name else [None] * len(texts)
            for text, summary in zip(texts, summaries):
                yield _document(text, summary)


def _read_parquet(path: Path, text_column: str | None = None, include_summary: bool = False) -> Iterator[str]:
    pa = _require_pyarrow(path, "a Parquet file")
    import pyarrow.parquet as pq

    with _arrow_errors_named(pa, path, "Parquet file"):
        parquet = pq.ParquetFile(path)
    try:
        names = _columns_to_read(path, parquet.schema_arrow, text_column, include_summary, "Parquet columns")
        batches = parquet.iter_batches(batch_size=_BATCH_ROWS, columns=names)
        yield from _documents_from_batches(path, pa, batches, names, "Parquet file")
    finally:
        parquet.close()


def _open_arrow(source):
    """A reader and its record batches, for an Arrow IPC file or an IPC stream."""
    import pyarrow.ipc

    if source.read(6) == b"ARROW1":
        reader = pyarrow.ipc.open_file(source)
        return reader, (reader.get_batch(i) for i in range(reader.num_record_batches))
    source.seek(0)
    reader = pyarrow.ipc.open_stream(source)
    return reader, iter(reader)


def _read_arrow(path: Path, text_column: str | None = None, include_summary: bool = False) -> Iterator[str]:
    pa = _require_pyarrow(path, "an Arrow IPC file")
    what = "Arrow IPC file or stream"
    with _arrow_errors_named(pa, path, what):
        source = pa.memory_map(str(path))
    with source:
        with _arrow_errors_named(pa, path, what):
            reader, batches = _open_arrow(source)
        names = _columns_to_read(path, reader.schema, text_column, include_summary, "Arrow columns")
        yield from _documents_from_batches(path, pa, batches, names, what)


_READERS = {"snap": _read_snap, "csv": _read_csv, "text": _read_text, "jsonl": _read_jsonl,
            "parquet": _read_parquet, "arrow": _read_arrow}
