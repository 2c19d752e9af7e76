"""Reading training text: SNAP ``finefoods.txt``, Kaggle-style CSV, plain text, gzip, folders.

Every reader streams: it yields one cleaned document (review) at a time and
never holds the whole text. Bytes that are not UTF-8 are repaired, never fatal.

>>> docs = list(iter_documents([default_corpus()[0]]))
>>> len(docs)
1000
>>> docs[0][:40]
'I have bought several of the Vitality ca'
"""

from __future__ import annotations

import csv
import gzip
import io
import sys
import zlib
from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator

from .errors import CorpusError
from .text import clean_text, decode_line

FORMATS = ("auto", "snap", "csv", "text")
_TEXT_COLUMNS = ("text", "review", "reviewtext", "review_text", "body", "content")
_SNAP_TEXT = b"review/text:"
_SNAP_SUMMARY = b"review/summary:"

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def default_corpus() -> list[Path]:
    """The review sample shipped with wordvec (2,000 real Amazon Fine Foods reviews, CC0)."""
    folder = resources.files("wordvec") / "data" / "finefoods"
    return [Path(str(folder / "finefoods_sample.txt.gz")), Path(str(folder / "fine_food_reviews_1k.csv.gz"))]


def _open_binary(path: Path):
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb")
    return open(path, "rb")


def _head(path: Path, size: int = 8192) -> bytes:
    try:
        with _open_binary(path) as handle:
            return handle.read(size)
    except (OSError, EOFError, zlib.error):
        return b""


def detect_format(path) -> str:
    """Guess ``"snap"``, ``"csv"`` or ``"text"`` from a file's first bytes (gzip or not)."""
    head = _head(Path(path)).lstrip(b"\xef\xbb\xbf")
    first_line = head.split(b"\n", 1)[0].strip()
    if head.startswith(b"product/productId:") or _SNAP_TEXT in head[:4096]:
        return "snap"
    name = Path(path).name.lower()
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    try:
        header = next(csv.reader([decode_line(first_line)]))
    except (csv.Error, StopIteration):
        return "text"
    if len(header) > 1 and any(col.strip().lower() in _TEXT_COLUMNS for col in header):
        return "csv"
    return "text"


def _files(sources: Iterable) -> list[Path]:
    files = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            if not found:
                raise CorpusError(f"no files in directory: {path}")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise CorpusError(f"no such file or directory: {path}")
    if not files:
        raise CorpusError("no corpus given")
    return files


def iter_documents(sources, format: str = "auto", text_column: str | None = None,
                   include_summary: bool = False) -> Iterator[str]:
    """Yield the cleaned text of each document in ``sources`` (files or folders).

    Parameters
    ----------
    sources : path or list of paths
        Files (optionally gzip-compressed) or directories of them.
    format : {"auto", "snap", "csv", "text"}, default="auto"
        ``auto`` detects each file's layout from its content.
    text_column : str, optional
        CSV column holding the text (default: a column named like ``Text``).
    include_summary : bool, default=False
        Put the review summary before its text (SNAP and Kaggle layouts).
    """
    if format not in FORMATS:
        raise CorpusError(f"unknown format {format!r}: choose one of {', '.join(FORMATS)}")
    if isinstance(sources, (str, Path)):
        sources = [sources]
    for path in _files(sources):
        layout = detect_format(path) if format == "auto" else format
        reader = {"snap": _read_snap, "csv": _read_csv, "text": _read_text}[layout]
        count = 0
        try:
            for doc in reader(path, text_column=text_column, include_summary=include_summary):
                count += 1
                yield doc
        except (EOFError, zlib.error, gzip.BadGzipFile) as err:
            raise CorpusError(
                f"{path}: compressed data is truncated or corrupted ({err}); "
                f"stopped after {count} documents"
            ) from None
        except PermissionError:
            raise CorpusError(f"{path}: permission denied") from None
        except IsADirectoryError:
            raise CorpusError(f"{path}: is a directory") from None


def _read_text(path: Path, **_) -> Iterator[str]:
    with _open_binary(path) as handle:
        for raw in handle:
            text = clean_text(decode_line(raw.rstrip(b"\r\n")))
            if text.strip():
                yield text


def _read_snap(path: Path, include_summary: bool = False, **_) -> Iterator[str]:
    summary = ""
    with _open_binary(path) as handle:
        for raw in handle:
            if raw.startswith(_SNAP_SUMMARY):
                summary = decode_line(raw[len(_SNAP_SUMMARY):].strip())
            elif raw.startswith(_SNAP_TEXT):
                text = decode_line(raw[len(_SNAP_TEXT):].strip())
                if include_summary and summary:
                    text = f"{summary}. {text}"
                summary = ""
                yield clean_text(text)


def _read_csv(path: Path, text_column: str | None = None, include_summary: bool = False) -> Iterator[str]:
    with _open_binary(path) as raw:
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace_with_latin1", newline="")
        reader = csv.reader(stream, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise CorpusError(f"{path}: not a readable CSV file ({err})") from None
        text_at = _column(path, header, text_column)
        summary_at = _column(path, header, "summary") if include_summary and "summary" in (h.lower() for h in header) else None
        while True:
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


def _column(path: Path, header: list[str], wanted: str | None) -> int:
    lowered = [h.strip().lower() for h in header]
    candidates = [wanted.lower()] if wanted else list(_TEXT_COLUMNS)
    for name in candidates:
        if name in lowered:
            return lowered.index(name)
    shown = ", ".join(header[:12])
    what = f"no column {wanted!r}" if wanted else "no text column"
    raise CorpusError(f"{path}: {what} among the CSV columns ({shown}); name it with --text-column")
