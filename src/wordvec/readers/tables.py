"""CSV and JSON lines: a table of records, the text in one column or field.

The text column is the one named by ``text_column``, compared without case, or else the first of
``Text``, ``Review``, ``ReviewText``, ``Review_Text``, ``Body``, ``Content``; with
``include_summary``, a ``Summary`` column goes before the text. A JSON line or a CSV record (one
line or many, in quotes) longer than :data:`~wordvec.readers.limits.MAX_RECORD_BYTES` (16 MiB) is
refused with one line naming the file and line.

>>> column(Path("reviews.csv"), ["Id", "Summary", "Text"], None)
2
>>> document("Good <br />tea", "Tasty")
'Tasty. Good  tea'
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Iterator

from ..errors import CorpusError
from ..text import clean_text, decode_line, quoted, shortened
from . import limits
from .sniffing import TEXT_COLUMNS

csv.field_size_limit(max(csv.field_size_limit(), 1 << 24))  # a record is refused first: MAX_RECORD_BYTES

_JSON_TYPE_NAMES = {list: "an array", dict: "an object"}


def column(path: Path, header: list[str], wanted: str | None, kind: str = "CSV columns") -> int:
    """Index of the wanted column (without case), or of the first usual text column; else one line."""
    lowered = [h.strip().lower() for h in header]
    candidates = [wanted.lower()] if wanted else list(TEXT_COLUMNS)
    for name in candidates:
        if name in lowered:
            return lowered.index(name)
    shown = shortened(", ".join(header[:12])) + (f", ... ({len(header) - 12} more)" if len(header) > 12 else "")
    what = f"no column {wanted!r}" if wanted else "no text column"
    raise CorpusError(f"{path}: {what} among the {kind} ({shown}); name it with --text-column")


def text_and_summary_names(path: Path, names: list[str], text_column: str | None, include_summary: bool,
                           kind: str) -> tuple[str, str | None]:
    """The text column's name and, with ``include_summary``, the summary column's name if there is one."""
    text_name = names[column(path, names, text_column, kind)]
    lowered = [n.strip().lower() for n in names]
    summary_name = names[lowered.index("summary")] if include_summary and "summary" in lowered else None
    return text_name, summary_name


def document(text: str | None, summary: str | None) -> str:
    """A row's cleaned document, as the CSV reader makes it: a missing text is an empty one."""
    text = text or ""
    if summary:
        text = f"{summary}. {text}"
    return clean_text(text)


# --- CSV ---------------------------------------------------------------------------------------------

class _CsvLines:
    """The lines of a CSV file for :func:`csv.reader`, refusing a record of over
    :data:`~wordvec.readers.limits.MAX_RECORD_BYTES` characters (one line or many, in quotes) with one
    line instead of holding it."""

    def __init__(self, path: Path, stream):
        self.path, self.stream = path, stream
        self.number = self.record = 0

    def __iter__(self) -> "_CsvLines":
        return self

    def __next__(self) -> str:
        line = self.stream.readline(limits.MAX_RECORD_BYTES + 1)
        if not line:
            raise StopIteration
        self.number += 1
        self.record += len(line)
        if self.record > limits.MAX_RECORD_BYTES:
            raise CorpusError(f"{self.path}, line {self.number}: a CSV record longer than "
                              f"{limits.MAX_RECORD_BYTES:,} characters; is it CSV, with its quotes closed?")
        return line


def read_csv(source, text_column: str | None = None, include_summary: bool = False) -> Iterator[str]:
    """The cleaned documents of a CSV file with a header (a :class:`~wordvec.readers.sources.Source`)."""
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
        yield from _csv_rows(path, reader, lines, *_csv_columns(path, header, text_column, include_summary))


def _csv_columns(path: Path, header: list[str], text_column: str | None,
                 include_summary: bool) -> tuple[int, int | None]:
    """Where the text column is and, with ``include_summary``, the summary column (None: there is none)."""
    text_at = column(path, header, text_column)
    with_summary = include_summary and "summary" in (h.lower() for h in header)
    return text_at, column(path, header, "summary") if with_summary else None


def _csv_rows(path: Path, reader, lines: _CsvLines, text_at: int, summary_at: int | None) -> Iterator[str]:
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


# --- JSON lines --------------------------------------------------------------------------------------

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


def _json_lines(source) -> Iterator[tuple[int, bytes]]:
    """(1-based number, bytes) of each line of a JSON lines file; a line of over
    :data:`~wordvec.readers.limits.MAX_RECORD_BYTES` bytes is refused with one line instead of being held."""
    with source.binary_stream() as handle:
        number = 0
        while True:
            raw = handle.readline(limits.MAX_RECORD_BYTES + 1)
            if not raw:
                return
            number += 1
            if len(raw) > limits.MAX_RECORD_BYTES and not raw.endswith(b"\n"):
                raise CorpusError(f"{source.path}, line {number}: a JSON line longer than "
                                  f"{limits.MAX_RECORD_BYTES:,} bytes; JSON lines hold one object per line")
            yield number, raw


def read_jsonl(source, text_column: str | None = None, include_summary: bool = False) -> Iterator[str]:
    """The cleaned documents of a JSON lines file (a :class:`~wordvec.readers.sources.Source`)."""
    path, names = source.path, None
    for line_number, raw in _json_lines(source):
        if not raw.strip():
            continue
        record = _json_record(path, line_number, raw)
        if names is None:
            names = text_and_summary_names(path, list(record), text_column, include_summary, "JSON fields")
        text_name, summary_name = names
        text = _json_text(path, line_number, text_name, record.get(text_name))
        summary = _json_text(path, line_number, summary_name, record.get(summary_name)) if summary_name else None
        yield document(text, summary)
