"""Records to predict or embed: each document's text and, where a column names it, its id.

:func:`iter_records` reads the same files and folders as :func:`~wordvec.readers.iter_documents`, in
the same order, with the same documents, and hands them over in batches (:class:`RecordBatch`), each
document with the value of an id column where ``id_column`` names one (CSV, JSON lines, Parquet,
Arrow). How a text is taken, as the classifier's training input takes it
(:mod:`~wordvec.readers.labelled`):

- plain text: every line a record, blank ones too, its bytes as they are (no cleaning: fastText's
  ``predict`` reads lines so), without its line end; a line of over
  :data:`~wordvec.readers.limits.MAX_LINE_BYTES` is read in pieces, a record each;
- SNAP: each review's text, cleaned as :func:`~wordvec.readers.snap.read_snap` cleans it;
- CSV, JSON lines, Parquet, Arrow: the text column's cleaned document (a null is an empty one), line
  feeds turned into spaces; the records :func:`~wordvec.readers.iter_documents` skips (a CSV row
  without the text column, a blank JSON line) are skipped here too, so record ``i`` is document ``i``.

``skip`` leaves out the first records (what a resumed job has written already); a Parquet file it
passes whole is not read at all.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "reviews.jsonl"
>>> _ = path.write_text('{"id": 7, "text": "Good <br />tea"}\\n{"id": 9, "text": "Bad"}\\n')
>>> list(iter_records(path, id_column="id"))
[RecordBatch(ids=[7, 9], texts=['Good  tea', 'Bad'])]
>>> list(iter_records(path, skip=1))
[RecordBatch(ids=None, texts=['Bad'])]
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Iterator, NamedTuple, Sequence

from ..errors import CorpusError
from ..text import shortened
from .columnar import _arrow_errors_named, _columns_to_read, _open_arrow, _require_pyarrow, record_line, record_lines
from .files import DocumentCount, open_file
from .folders import files
from .lines import lines_of
from .sniffing import FORMATS
from .snap import read_snap
from .tables import _CsvLines, _json_lines, _json_record, _json_text, column

__all__ = ["RECORDS_PER_BATCH", "RecordBatch", "iter_records", "parquet_row_count", "row_total"]

#: Records handed over together, at most.
RECORDS_PER_BATCH = 8192

_KINDS = {"csv": "CSV columns", "jsonl": "JSON fields", "parquet": "Parquet columns", "arrow": "Arrow columns"}


class RecordBatch(NamedTuple):
    """Records of one file, in order: their ids (None: the file has no id column asked for) and texts.

    A text is a str, or bytes for the lines of a plain text file (as fastText reads them). ``texts`` is
    a list, or for a Parquet or Arrow string column a :class:`~wordvec.text.PackedTexts` (a sequence of
    str kept in Arrow's buffers).
    """

    ids: list | None
    texts: Sequence


def iter_records(sources, format: str = "auto", text_column: str | None = None, id_column: str | None = None,
                 skip: int = 0, batch: int = RECORDS_PER_BATCH) -> Iterator[RecordBatch]:
    """Batches of records (text and id) of files and folders, in reading order.

    Parameters
    ----------
    sources : path or list of paths
        Files or folders, as :func:`~wordvec.readers.iter_documents` reads them.
    format : str, default="auto"
        One of :data:`~wordvec.readers.FORMATS`.
    text_column, id_column : str, optional
        The text column and the id column (compared without case); an id column of a
        file without columns (plain text, SNAP), or one a table lacks, is one line.
    skip : int, default=0
        Leave out the first ``skip`` records.
    batch : int
        At most this many records a batch; a batch never spans two files.

    Raises
    ------
    CorpusError
        As :func:`~wordvec.readers.iter_documents`, and for a missing id column.
    """
    if isinstance(sources, (str, Path)):
        sources = [sources]
    if format not in FORMATS:
        raise CorpusError(f"unknown format {format!r}: choose one of {', '.join(FORMATS)}")
    for path in files(sources):
        rows = parquet_row_count(path) if skip else None
        if rows is not None and rows <= skip:
            skip -= rows
            continue
        for part in _file_batches(path, format, text_column, id_column, batch):
            if skip >= len(part.texts):
                skip -= len(part.texts)
                continue
            if skip:
                part = RecordBatch(None if part.ids is None else part.ids[skip:], part.texts[skip:])
                skip = 0
            yield part


def parquet_row_count(path) -> int | None:
    """The rows of a Parquet file from its footer (nothing else is read); None for any other file."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            if handle.read(4) != b"PAR1":
                return None
    except OSError:
        return None
    pa = _require_pyarrow(path, "a Parquet file")
    import pyarrow.parquet as pq

    with _arrow_errors_named(pa, path, "Parquet file"):
        return pq.ParquetFile(path).metadata.num_rows


def row_total(sources) -> int | None:
    """How many records ``sources`` hold, where every file is Parquet (read from the footers); else None
    (also where one cannot be read: its reader says so when it gets there).

    >>> from wordvec.readers import default_corpus
    >>> row_total(default_corpus()) is None
    True
    """
    if isinstance(sources, (str, Path)):
        sources = [sources]
    total = 0
    try:
        for path in files(sources):
            rows = parquet_row_count(path)
            if rows is None:
                return None
            total += rows
    except CorpusError:
        return None
    return total


def _file_batches(path: Path, format: str, text_column, id_column, batch: int) -> Iterator[RecordBatch]:
    read = DocumentCount()
    with open_file(path, format, read) as file:
        if file.layout in ("text", "snap"):
            if id_column:
                raise CorpusError(f"{path}: a {'plain text' if file.layout == 'text' else 'SNAP'} file has no "
                                  f"columns, so no id column {id_column!r}; rows are numbered instead")
            texts = _text_lines(file.source) if file.layout == "text" else read_snap(file.source)
            records = ((None, text) for text in texts)
        elif file.layout == "csv":
            records = _csv_records(file.source, text_column, id_column)
        elif file.layout == "jsonl":
            records = _jsonl_records(file.source, text_column, id_column)
        else:
            yield from _columnar_batches(path, file.layout, text_column, id_column, batch, read)
            return
        yield from _batched(records, id_column is not None, batch, read)


def _batched(records, with_ids: bool, batch: int, read: DocumentCount) -> Iterator[RecordBatch]:
    ids, texts = [], []
    for record_id, text in records:
        ids.append(record_id)
        texts.append(text)
        read.count += 1
        if len(texts) == batch:
            yield RecordBatch(ids if with_ids else None, texts)
            ids, texts = [], []
    if texts:
        yield RecordBatch(ids if with_ids else None, texts)


def _text_lines(source) -> Iterator[bytes]:
    with lines_of(source) as handle:
        for raw in handle:
            yield raw.rstrip(b"\n").rstrip(b"\r")


def _id_index(path: Path, names: list[str], id_column: str, kind: str) -> int:
    lowered = [name.strip().lower() for name in names]
    if id_column.lower() in lowered:
        return lowered.index(id_column.lower())
    shown = shortened(", ".join(names[:12])) + (f", ... ({len(names) - 12} more)" if len(names) > 12 else "")
    raise CorpusError(f"{path}: no id column {id_column!r} among the {kind} ({shown})")


def _csv_records(source, text_column, id_column) -> Iterator[tuple]:
    """``(id, text)`` of each CSV record that has the text column (the rows the CSV reader reads)."""
    path = source.path
    with source.binary_stream() as raw:
        lines = _CsvLines(path, io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace_with_latin1",
                                                  newline=""))
        reader = csv.reader(lines, strict=True)
        try:
            header = next(reader)
            text_at = column(path, header, text_column)
            id_at = _id_index(path, header, id_column, _KINDS["csv"]) if id_column else None
            while True:
                lines.record = 0
                row = next(reader)
                if len(row) > text_at:
                    yield (row[id_at] if id_at is not None and id_at < len(row) else None), record_line(row[text_at])
        except StopIteration:
            return
        except csv.Error as err:
            raise CorpusError(f"{path}, line {reader.line_num}: broken CSV quoting ({err})") from None


def _jsonl_records(source, text_column, id_column) -> Iterator[tuple]:
    """``(id, text)`` of each JSON line that is not blank; the id as the JSON value (an array or object as JSON)."""
    path, names = source.path, None
    for number, raw in _json_lines(source):
        if not raw.strip():
            continue
        record = _json_record(path, number, raw)
        if names is None:
            fields = list(record)
            names = (fields[column(path, fields, text_column, _KINDS["jsonl"])],
                     fields[_id_index(path, fields, id_column, _KINDS["jsonl"])] if id_column else None)
        value = record.get(names[1]) if names[1] is not None else None
        if isinstance(value, (list, dict)):
            value = json.dumps(value, ensure_ascii=False)
        yield value, record_line(_json_text(path, number, names[0], record.get(names[0])))


def _columnar_batches(path: Path, layout: str, text_column, id_column, batch: int,
                      read: DocumentCount) -> Iterator[RecordBatch]:
    """Parquet or Arrow read a record batch at a time: only the text column and the id column."""
    what = "Parquet file" if layout == "parquet" else "Arrow IPC file or stream"
    pa = _require_pyarrow(path, f"a {what}")
    with _columnar_reader(pa, path, layout, what) as (schema, read_batches):
        text_name = _columns_to_read(path, schema, text_column, False, _KINDS[layout])[0]
        names = [text_name]
        if id_column:
            names.append(schema.names[_id_index(path, list(schema.names), id_column, _KINDS[layout])])
        with _arrow_errors_named(pa, path, what):
            for part in read_batches(names, batch):
                texts = record_lines(pa, part.column(names[0]))
                read.count += len(texts)
                yield RecordBatch(part.column(names[-1]).to_pylist() if id_column else None, texts)


class _columnar_reader:
    """``(schema, read_batches(columns, rows))`` of a Parquet or Arrow file, closed on leaving."""

    def __init__(self, pa, path: Path, layout: str, what: str):
        self.pa, self.path, self.layout, self.what = pa, path, layout, what
        self.handle = None

    def __enter__(self):
        with _arrow_errors_named(self.pa, self.path, self.what):
            if self.layout == "parquet":
                import pyarrow.parquet as pq

                self.handle = parquet = pq.ParquetFile(self.path)
                return parquet.schema_arrow, lambda names, rows: parquet.iter_batches(batch_size=rows, columns=names)
            self.handle = source = self.pa.memory_map(str(self.path))
            reader, batches = _open_arrow(source)
            return reader.schema, lambda names, rows: (part.select(names).slice(start, rows) for part in batches
                                                       for start in range(0, part.num_rows, rows))

    def __exit__(self, *exc) -> None:
        if self.handle is not None:
            self.handle.close()
