"""Parquet and Arrow (IPC file and stream), read with pyarrow one record batch at a time.

Only the text (and summary) columns are read, never the whole table; ``pip install "wordvec[parquet]"``
installs pyarrow. Text is taken from string, large string, binary (decoded as the text readers decode
bytes) and dictionary columns of them; a null is an empty document. Both are read from regular files
only (pyarrow maps them), never from a pipe.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator, Sequence

from ..errors import CorpusError, MissingDependencyError
from ..text import HTML_TAG_PATTERN, PackedTexts, clean_text_fast, decode_line
from .tables import document, text_and_summary_names

_BATCH_ROWS = 4096


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

    text_name, summary_name = text_and_summary_names(path, list(schema.names), text_column,
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


def holds_text(pa, array) -> bool:
    """Whether an Arrow array holds strings (plain, large, view, or a dictionary of them): the
    arrays :func:`record_lines` cleans in Arrow."""
    value_type = array.type.value_type if pa.types.is_dictionary(array.type) else array.type
    return _is_string_type(pa, value_type)


def record_lines(pa, array) -> Sequence[str]:
    r"""A text column of one batch as records' lines: each text cleaned as :func:`~wordvec.text.clean_text`
    cleans it, line feeds as spaces, a null as an empty text. A string column is cleaned in Arrow, a
    column at a time (its texts that are not ASCII one at a time in Python), and kept in Arrow's buffers
    (:class:`~wordvec.text.PackedTexts`); other columns are cleaned text by text into a list.

    >>> import pyarrow as pa
    >>> list(record_lines(pa, pa.array(["Good<br />tea", None, "Caf\u00c3\u00a9\nau lait"])))
    ['Good tea', '', 'Café au lait']
    """
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if _is_string_type(pa, array.type):
        try:
            return _cleaned_in_arrow(pa, array)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError, TypeError):
            pass  # not valid UTF-8 (repaired row by row), or a string type Arrow's functions lack (string_view)
    return [record_line(text) for text in _strings(pa, array)]


def _cleaned_in_arrow(pa, array) -> PackedTexts:
    import pyarrow.compute as pc

    cleaned = pc.replace_substring(array, "\x00", " ")
    cleaned = pc.replace_substring_regex(cleaned, HTML_TAG_PATTERN, " ")
    cleaned = pc.replace_substring(cleaned, "\n", " ")
    by_python = pc.invert(pc.string_is_ascii(array))
    if array.null_count:  # pyarrow.compute.fill_null would import pandas, where installed, for its "" (0.3 s)
        by_python = pc.or_kleene(pc.is_null(array), by_python)
    if pc.any(by_python).as_py():
        redone = [record_line(array[i].as_py()) for i in pc.indices_nonzero(by_python).to_pylist()]
        cleaned = pc.replace_with_mask(cleaned, by_python, pa.array(redone, type=cleaned.type))
    return PackedTexts.from_arrow(cleaned)


def record_line(text: str | None) -> str:
    """A table's text as a record's: cleaned as the readers clean it, line feeds as spaces."""
    return clean_text_fast(text or "").replace("\n", " ")


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
                yield document(text, summary)


def read_parquet(path: Path, text_column: str | None = None, include_summary: bool = False) -> Iterator[str]:
    """The cleaned documents of a Parquet file, one record batch at a time."""
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


def read_arrow(path: Path, text_column: str | None = None, include_summary: bool = False) -> Iterator[str]:
    """The cleaned documents of an Arrow IPC file (Feather v2) or IPC stream, one record batch at a time."""
    pa = _require_pyarrow(path, "an Arrow IPC file")
    what = "Arrow IPC file or stream"
    with _arrow_errors_named(pa, path, what):
        source = pa.memory_map(str(path))
    with source:
        with _arrow_errors_named(pa, path, what):
            reader, batches = _open_arrow(source)
        names = _columns_to_read(path, reader.schema, text_column, include_summary, "Arrow columns")
        yield from _documents_from_batches(path, pa, batches, names, what)
