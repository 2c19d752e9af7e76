"""Labelled input for text classifiers, as fastText-format lines: ``__label__a __label__b text``.

:func:`iter_labelled` reads labelled files and yields blocks of such lines (bytes, each line ended
by a line feed, no line feed inside a text), the input of
:func:`~wordvec.encoding.labelled.encode_labelled`:

- fastText-format text (``text``): passed on byte for byte, as fastText reads it (no cleaning): the
  labels are the tokens that start with the label prefix, anywhere in the line; compressed files and
  folders as everywhere in :mod:`wordvec.readers`;
- CSV, JSON lines, Parquet and Arrow with ``label_column``: one column (or field) name, several names
  separated by commas (one label from each), or a column holding a list (a label per item); the text
  is the text column's cleaned document (:mod:`~wordvec.readers.tables`), after the ``Summary``
  column where there is one and ``include_summary``;
- SNAP (``snap``): ``review/score:`` is the label (``5.0`` gives ``__label__5``), the text the
  summary and the review as :func:`~wordvec.readers.snap.read_snap` gives them.

A label value is put after the prefix (unless it starts with it already), its whitespace runs turned
into ``_`` so that it stays one token. A null or empty label, a missing label column, or a label
column given for a fastText-format file is refused with one line. Records without a label are
passed on (a line without label, as fastText would read it: skipped and counted by the encoder).
:func:`labelled_lines` does the same for texts and labels in Python lists.

>>> b"".join(labelled_lines(["good tea", "bad\\ncup"], ["pos", ["neg", "x y"]]))
b'__label__pos good tea\\n__label__neg __label__x_y bad cup\\n'
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import CorpusError, ParameterError
from ..text import clean_text_fast, decode_line
from . import limits
from .columnar import _arrow_errors_named, _open_arrow, _require_pyarrow, _strings
from .files import DocumentCount, open_file
from .folders import files
from .sniffing import FORMATS
from .tables import _CsvLines, _json_lines, _json_record, document

__all__ = ["iter_labelled", "labelled_lines", "label_token"]

_SNAP_FIELD = re.compile(rb"^review/(score|summary|text):([^\n]*)", re.MULTILINE)
_HTML_TAG = re.compile(rb"<[^<>]{0,200}>")
_TABLES = ("csv", "jsonl", "parquet", "arrow")
_TABLE_NAMES = {"csv": "CSV columns", "jsonl": "JSON fields", "parquet": "Parquet columns",
                "arrow": "Arrow columns"}
_BATCH_ROWS = 4096


def label_token(value, label_prefix: str = "__label__") -> bytes | None:
    """One label value as a fastText label token; None for a null or empty value.

    Examples
    --------
    >>> label_token(5.0), label_token("very good"), label_token("__label__x"), label_token(" ")
    (b'__label__5', b'__label__very_good', b'__label__x', None)
    """
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bytes):
        value = decode_line(value)
    text = "_".join(str(value).replace("\0", " ").split())
    if not text:
        return None
    if not text.startswith(label_prefix):
        text = label_prefix + text
    return text.encode("utf-8", "surrogatepass")


def _text_bytes(text) -> bytes:
    """A text as UTF-8 bytes on one line (line feeds become spaces: fastText's tokens stay the same)."""
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else bytes(text)
    return raw.replace(b"\n", b" ")


def _line(labels: list[bytes], text: bytes) -> bytes:
    return b" ".join([*labels, text]) + b"\n" if labels else text + b"\n"


def _in_blocks(lines: Iterable[bytes]) -> Iterator[bytes]:
    """Lines joined into blocks of about :data:`~wordvec.readers.limits.BLOCK_BYTES`."""
    pending, size = [], 0
    for line in lines:
        pending.append(line)
        size += len(line)
        if size >= limits.BLOCK_BYTES:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


def labelled_lines(texts, labels, label_prefix: str = "__label__") -> Iterator[bytes]:
    """Texts and their labels (a str per text, or a list of str per text) as blocks of fastText lines.

    The texts are taken as they are (no cleaning), as fastText's ``predict`` takes them. With
    ``labels`` None the texts are fastText's format already (their labels are the words that
    start with ``label_prefix``).

    Examples
    --------
    >>> list(labelled_lines([b"tea", "cup"], [[], "b"]))
    [b'tea\\n__label__b cup\\n']
    >>> list(labelled_lines(["__label__a tea"], None))
    [b'__label__a tea\\n']
    """
    if labels is None:
        return _in_blocks(_line([], _text_bytes(text)) for text in texts)
    texts, labels = list(texts), list(labels)
    if len(texts) != len(labels):
        raise ParameterError(f"{len(texts)} texts but {len(labels)} labels: give one label (or list) per text")

    def lines():
        for number, (text, label) in enumerate(zip(texts, labels), start=1):
            values = label if isinstance(label, (list, tuple)) else [label]
            tokens = [label_token(value, label_prefix) for value in values]
            if None in tokens:
                raise ParameterError(f"text {number}: its label is missing or empty")
            yield _line(tokens, _text_bytes(text))

    return _in_blocks(lines())


def iter_labelled(source, *, format: str = "auto", label_column: str | None = None,
                  text_column: str | None = None, label_prefix: str = "__label__",
                  include_summary: bool = True) -> Iterator[bytes]:
    """Blocks of fastText-format lines from labelled files (see the module).

    Parameters
    ----------
    source : str, Path, or a list of them
        Files and folders (a folder: its files in sorted order).
    format : str
        One of :data:`~wordvec.readers.FORMATS`; ``auto`` recognises each file from its content.
    label_column : str, optional
        CSV, JSON lines, Parquet, Arrow: the label column (or several, separated by commas).
    text_column : str, optional
        The text column, as for :func:`~wordvec.readers.iter_documents`.
    label_prefix : str
        What starts a label (fastText's ``-label``).
    include_summary : bool
        SNAP, and tables with a ``Summary`` column: the summary goes before the text.

    Yields
    ------
    bytes
        Whole lines, each ended by a line feed.

    Examples
    --------
    >>> from wordvec.readers import default_corpus
    >>> first = next(iter_labelled(default_corpus()[0]))
    >>> first[:60]
    b'__label__5 Good Quality Dog Food. I have bought several of t'
    """
    if format not in FORMATS:
        raise ParameterError.out_of_range("format", format, "one of " + ", ".join(FORMATS))
    sources = [source] if isinstance(source, (str, Path)) else list(source)
    for path in files(sources):
        read = DocumentCount()
        with open_file(path, format, read) as file:
            yield from _file_blocks(file, label_column, text_column, label_prefix, include_summary)


def _file_blocks(file, label_column, text_column, label_prefix, include_summary) -> Iterator[bytes]:
    """The blocks of one opened file, read by its layout."""
    path, layout = file.source.path, file.layout
    if layout in _TABLES:
        if not label_column:
            raise CorpusError(f"{path}: looks like {layout.upper() if layout != 'jsonl' else 'JSON lines'}; "
                              f"name its label column (--label-column), or read it as fastText-format text "
                              f"with --format text")
        names = [name.strip() for name in label_column.split(",") if name.strip()]
        yield from _in_blocks(_table_lines(file, names, text_column, label_prefix, include_summary))
    elif label_column:
        raise CorpusError(f"{path}: a {layout} file has no columns; --label-column is for CSV, JSON lines, "
                          f"Parquet and Arrow")
    elif layout == "snap":
        yield from _in_blocks(_snap_lines(file, label_prefix, include_summary))
    else:
        for block in file.blocks():
            if not block.endswith(b"\n"):
                block += b"\n"
            yield block


# --- SNAP ----------------------------------------------------------------------------------------------

def _snap_lines(file, label_prefix: str, include_summary: bool) -> Iterator[bytes]:
    """One line per ``review/text:`` line: the last score since the previous review, the summary and text."""
    score = summary = None
    labels: dict[bytes, bytes | None] = {}
    for block in file.blocks():
        for match in _SNAP_FIELD.finditer(block):
            kind, value = match.group(1), match.group(2)
            if kind == b"text":
                if score not in labels:
                    labels[score] = _score_label(score, label_prefix)
                label = labels[score]
                yield _line([label] if label else [], _snap_text(value, summary if include_summary else None))
                score = summary = None
            elif kind == b"score":
                score = value
            else:
                summary = value


def _score_label(score: bytes | None, label_prefix: str) -> bytes | None:
    """``5.0`` → ``__label__5``; a score that is no number is a label as written."""
    if score is None:
        return None
    text = decode_line(score.strip())
    try:
        return label_token(float(text), label_prefix)
    except ValueError:
        return label_token(text, label_prefix)


def _snap_text(text: bytes, summary: bytes | None) -> bytes:
    """A review's text (after its summary), cleaned exactly as :func:`~wordvec.readers.snap.read_snap` cleans it."""
    text, summary = text.strip(), summary.strip() if summary else b""
    if text.isascii() and summary.isascii():
        joined = summary + b". " + text if summary else text
        if b"\0" in joined:
            joined = joined.replace(b"\0", b" ")
        if b"<" in joined:
            joined = _HTML_TAG.sub(b" ", joined)
        return joined
    decoded, decoded_summary = decode_line(text), decode_line(summary)
    if decoded_summary:
        decoded = f"{decoded_summary}. {decoded}"
    return _text_bytes(clean_text_fast(decoded))


# --- tables --------------------------------------------------------------------------------------------

def _table_lines(file, names: list[str], text_column, label_prefix: str, include_summary: bool) -> Iterator[bytes]:
    """The lines of a CSV, JSON lines, Parquet or Arrow file: ``(where, labels, text)`` records made lines."""
    records = {"csv": _csv_records, "jsonl": _jsonl_records}.get(file.layout, _columnar_records)
    path = file.source.path
    for where, values, text in records(file, names, text_column, include_summary):
        tokens = []
        for name, value in zip(names, values):
            items = value if isinstance(value, (list, tuple)) else [value]
            for item in items:
                token = label_token(item, label_prefix)
                if token is None:
                    raise CorpusError(f"{path}, {where}: the label column {name!r} is null or empty there; "
                                      f"give every record a label, or drop those records")
                tokens.append(token)
        yield _line(tokens, _text_bytes(text))


def _label_columns(path: Path, header: list[str], names: list[str], kind: str) -> list[int]:
    """Where each label column is (names compared without case); a missing one names the columns there are."""
    lowered = [h.strip().lower() for h in header]
    found = []
    for name in names:
        if name.lower() not in lowered:
            shown = ", ".join(header[:12]) + (f", ... ({len(header) - 12} more)" if len(header) > 12 else "")
            raise CorpusError(f"{path}: no label column {name!r} among the {kind} ({shown}); "
                              f"name it with --label-column")
        found.append(lowered.index(name.lower()))
    return found


def _text_columns(path: Path, header: list[str], text_column, include_summary: bool, kind: str):
    """Where the text column and (None: none) the summary column are."""
    from .tables import column

    text_at = column(path, header, text_column, kind)
    lowered = [h.strip().lower() for h in header]
    summary_at = lowered.index("summary") if include_summary and "summary" in lowered else None
    return text_at, summary_at


def _csv_records(file, names, text_column, include_summary) -> Iterator[tuple]:
    """``(line N, label values, cleaned text)`` of each CSV record."""
    path = file.source.path
    with file.source.binary_stream() as raw:
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace_with_latin1", newline="")
        lines = _CsvLines(path, stream)
        reader = csv.reader(lines, strict=True)
        try:
            header = next(reader)
            label_at = _label_columns(path, header, names, "CSV columns")
            text_at, summary_at = _text_columns(path, header, text_column, include_summary, "CSV columns")
            for row in reader:
                lines.record = 0
                if not row:
                    continue
                values = [row[i] if i < len(row) else None for i in label_at]
                text = row[text_at] if text_at < len(row) else ""
                summary = row[summary_at] if summary_at is not None and summary_at < len(row) else None
                yield f"line {reader.line_num}", values, document(text, summary)
        except StopIteration:
            return
        except csv.Error as err:
            raise CorpusError(f"{path}, line {reader.line_num}: broken CSV quoting ({err})") from None


def _jsonl_records(file, names, text_column, include_summary) -> Iterator[tuple]:
    """``(line N, label values, cleaned text)`` of each JSON line."""
    path, columns = file.source.path, None
    for number, raw in _json_lines(file.source):
        if not raw.strip():
            continue
        record = _json_record(path, number, raw)
        if columns is None:
            keys = list(record)
            label_names = [keys[i] for i in _label_columns(path, keys, names, "JSON fields")]
            text_at, summary_at = _text_columns(path, keys, text_column, include_summary, "JSON fields")
            columns = label_names, keys[text_at], (keys[summary_at] if summary_at is not None else None)
        label_names, text_name, summary_name = columns
        summary = record.get(summary_name) if summary_name else None
        yield (f"line {number}", [record.get(name) for name in label_names],
               document(_as_text(record.get(text_name)), _as_text(summary)))


def _as_text(value) -> str | None:
    return value if value is None or isinstance(value, str) else str(value)


def _columnar_records(file, names, text_column, include_summary) -> Iterator[tuple]:
    """``(row N, label values, cleaned text)`` of each record of a Parquet or Arrow file, a batch at a time."""
    path = file.source.path
    if not path.is_file():
        raise CorpusError(f"{path}: Parquet and Arrow are read from a regular file, not a pipe; save it first")
    kind = _TABLE_NAMES[file.layout]
    pa = _require_pyarrow(path, "a Parquet file" if file.layout == "parquet" else "an Arrow IPC file")
    what = kind[:-8] + " file"
    with _arrow_errors_named(pa, path, what):
        schema, batches_of, closing = _columnar_batches(pa, path, file.layout)
    with closing:
        header = list(schema.names)
        label_names = [header[i] for i in _label_columns(path, header, names, kind)]
        text_at, summary_at = _text_columns(path, header, text_column, include_summary, kind)
        text_name, summary_name = header[text_at], (header[summary_at] if summary_at is not None else None)
        wanted = list(dict.fromkeys([*label_names, text_name] + ([summary_name] if summary_name else [])))
        row = 0
        with _arrow_errors_named(pa, path, what):
            for batch in batches_of(wanted):
                labels = [batch.column(name).to_pylist() for name in label_names]
                texts = _strings(pa, batch.column(text_name))
                summaries = _strings(pa, batch.column(summary_name)) if summary_name else [None] * len(texts)
                for k, (text, summary) in enumerate(zip(texts, summaries)):
                    row += 1
                    yield f"row {row}", [column[k] for column in labels], document(text, summary)


def _columnar_batches(pa, path: Path, layout: str):
    """``(schema, the record batches of some columns, what closes the file)`` of a Parquet or Arrow file."""
    if layout == "parquet":
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(path)
        return (parquet.schema_arrow, lambda columns: parquet.iter_batches(batch_size=_BATCH_ROWS, columns=columns),
                _Closing(parquet.close))
    source = pa.memory_map(str(path))
    reader, batches = _open_arrow(source)
    return reader.schema, lambda columns: batches, _Closing(source.close)


class _Closing:
    """A context manager that calls ``close`` on leaving."""

    def __init__(self, close):
        self.close = close

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
