"""What a vectors file is, from its first bytes (never its name).

A fastText ``.bin`` by its magic number; word2vec text or binary by a header
line ``<words> <dimension>`` (binary when the first row is neither numbers
nor plain text); GloVe or TSV by a first line of a word and numbers. Anything
else is refused with one line that says what the file looks like.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "v.tsv"
>>> _ = path.write_text("tea\\t0.1\\t0.2\\n")
>>> detect_format(path)
'tsv'
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ModelFormatError
from .fasttext_bin import FASTTEXT_MAGIC
from .sources import Source, open_source

_LOOKS_LIKE = {
    b"(\xb5/\xfd": "zstd-compressed data (decompress it first: zstd -d)",
    b"PK\x03\x04": "a zip archive (extract the vectors file first)",
    b"\x93NUMPY": "a NumPy array (give the model directory that holds it)",
    b"PAR1": "a Parquet file",
}
_BOM = b"\xef\xbb\xbf"
_HEADER = re.compile(rb"[ \t]*([0-9]+)[ \t]+([0-9]+)[ \t]*\r?")


def is_numbers(fields: list) -> bool:
    """Whether ``fields`` (one or more) are all numbers."""
    try:
        [float(f) for f in fields]
    except ValueError:
        return False
    return bool(fields)


def sniff(src: Source) -> dict:
    """What a file is, from its first bytes: its format and where its rows begin."""
    head = src.head()
    start = 3 if head.startswith(_BOM) else 0
    if len(head) >= 8 and int.from_bytes(head[:4], "little") == FASTTEXT_MAGIC:
        return {"format": "fasttext-bin"}
    newline = head.find(b"\n", start)
    first = head[start:newline if newline >= 0 else len(head)]
    header = _HEADER.fullmatch(first)
    if header:
        n_words, dim = int(header[1]), int(header[2])
        if dim < 1:
            raise ModelFormatError(f"{src.path}, line 1: the header gives dimension {dim}; it must be at least 1")
        body = newline + 1 if newline >= 0 else len(head)
        return {"format": "word2vec-binary" if _binary_row(head, body, dim) else "word2vec",
                "n_words": n_words, "dim": dim, "start": body, "sep": b" "}
    sep = b"\t" if b"\t" in first else b" "
    fields = first.rstrip().split(sep)
    if len(fields) >= 2 and is_numbers(fields[1:]):
        return {"format": "tsv" if sep == b"\t" else "glove", "dim": len(fields) - 1, "start": start, "sep": sep}
    raise ModelFormatError(f"{src.path}: not a vectors file wordvec reads: {_looks_like(head, first)}")


def _binary_row(head: bytes, start: int, dim: int) -> bool:
    """Whether the first row after a word2vec header is binary: not numbers, and not plain text."""
    end = head.find(b"\n", start)
    row = head[start:end if end >= 0 else len(head)]
    if not row or is_numbers(row.rstrip().split(b" ")[1:]):
        return False
    space = head.find(b" ", start)
    vector = head[space + 1:space + 1 + 4 * dim] if space >= 0 else b""
    return bool(re.search(rb"[^\t\n\r\x20-\x7e]", vector))  # else text with a typo: the text reader says where


def _looks_like(head: bytes, first: bytes) -> str:
    if not head:
        return "the file is empty"
    for magic, what in _LOOKS_LIKE.items():
        if head.startswith(magic):
            return f"it is {what}"
    try:
        head[:4096].decode("utf-8")
        text = b"\0" not in head[:4096]
    except UnicodeDecodeError as err:
        text = err.start > 4090  # a character cut at the end of the sample
    if not text:
        return ("it is binary data, but not word2vec binary (no '<words> <dimension>' header line) "
                "nor a fastText .bin model")
    return (f"its first line {first[:60].decode('utf-8', 'replace')!r} is neither a header "
            "'<words> <dimension>' nor a word followed by numbers")


#: Formats :func:`load_vectors` reads (each also gzip-, bzip2- or xz-compressed).
READ_FORMATS = ("model", "word2vec", "word2vec-binary", "glove", "tsv", "fasttext-bin")


def detect_format(path) -> str:
    """Which of :data:`READ_FORMATS` a path holds, judged from its content (never its name).

    ``word2vec`` also covers fastText's ``.vec`` files; ``glove`` is
    ``word x1 x2 ...`` lines without a header; ``model`` a wordvec model directory.

    Raises
    ------
    ModelFormatError
        When the path is missing or holds none of them (the message says what it looks like).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "vectors.bin"
    >>> _ = path.write_text("the 0.1 0.2\\ncat 0.3 0.4\\n")
    >>> detect_format(path)
    'glove'
    """
    path = Path(path)
    if path.is_dir():
        return "model"
    if not path.is_file():
        raise ModelFormatError(f"no such file or directory: {path}")
    src = open_source(path, whole=False)
    try:
        return sniff(src)["format"]
    finally:
        src.close()


#: fastText's header: after the magic number and the version, 12 int32 settings, ``model`` the 8th.
_FASTTEXT_MODEL_FIELD = 8 + 4 * 7
_FASTTEXT_SUPERVISED = 3


def is_classifier(path) -> bool:
    """Whether ``path`` is a text classifier: a classifier directory, or a supervised fastText ``.bin``/``.ftz``
    (compressed or not). Never raises: anything unreadable is not one.

    >>> import tempfile
    >>> is_classifier(tempfile.mkdtemp())
    False
    """
    path = Path(path)
    if path.is_dir():
        return (path / "classifier.json").is_file()
    if not path.is_file():
        return False
    try:
        src = open_source(path, whole=False)
    except ModelFormatError:
        return False
    try:
        head = src.head()
    except (OSError, ModelFormatError, EOFError):
        return False
    finally:
        src.close()
    return (len(head) >= _FASTTEXT_MODEL_FIELD + 4 and int.from_bytes(head[:4], "little") == FASTTEXT_MAGIC
            and int.from_bytes(head[_FASTTEXT_MODEL_FIELD:_FASTTEXT_MODEL_FIELD + 4], "little") == _FASTTEXT_SUPERVISED)

