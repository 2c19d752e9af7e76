"""The files ``wordvec classify predict --out`` and ``wordvec embed`` write, a batch of rows at a time.

The format comes from the output's suffix (:data:`OUTPUT_FORMATS`): Parquet (``.parquet``, ``.pq``;
pyarrow's ``ParquetWriter``, batches gathered into row groups of up to 131,072 rows), JSON lines
(``.jsonl``, ``.ndjson``) or CSV (``.csv``). A batch is a dict of columns
(:func:`wordvec.batches.prediction_columns`'s, ``id``, and ``vector``, a 2-D float32 array): in
Parquet lists stay lists and ``vector`` is a fixed-size list of float32; in JSON lines they are
arrays; in CSV ``labels`` and ``probabilities`` are space-separated (labels hold no spaces) and
``vector`` becomes the columns ``vector_0``, ``vector_1``, ... Numbers in the text formats:
probabilities to 6 decimals, vector values to 7 significant digits.

A writer knows how many rows it holds (:attr:`TableWriter.rows`) and, for the text formats, where the
last whole batch ends, so that what an interrupted job keeps (``OUT.partial``, :func:`partial_path`)
holds whole rows only; :func:`rows_in` counts them again and :meth:`TableWriter.copy_from` puts them
at the start of the resumed output.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "out.jsonl"
>>> writer = open_writer(path, ["id", "label", "probability"])
>>> writer.write({"id": [7], "label": ["__label__a"], "probability": [0.25]})
>>> writer.close()
>>> path.read_text()
'{"id": 7, "label": "__label__a", "probability": 0.25}\\n'
>>> rows_in(path, ["id", "label", "probability"])
1
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
from pathlib import Path

import numpy as np

from .batches import arrow_column
from .errors import MissingDependencyError, OutputError, ParameterError

__all__ = ["OUTPUT_FORMATS", "TableWriter", "open_writer", "output_format", "partial_path", "rows_in"]

#: The most rows, and about the most bytes, of a Parquet row group (batches are gathered up to them).
ROW_GROUP_ROWS = 131072
ROW_GROUP_BYTES = 64 << 20

#: Output suffixes and the format each writes.
OUTPUT_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}


def output_format(out) -> str:
    """The format the output's suffix names; any other suffix is one line.

    >>> output_format("predictions.parquet"), output_format("v.CSV")
    ('parquet', 'csv')
    """
    kind = OUTPUT_FORMATS.get(Path(out).suffix.lower())
    if kind is None:
        raise ParameterError(f"cannot tell what to write from the name {Path(out).name!r}: end it in "
                             f"{', '.join(OUTPUT_FORMATS)}")
    if kind == "parquet":
        _pyarrow(out)
    return kind


def partial_path(out) -> Path:
    """Where an interrupted job keeps the rows it wrote: ``OUT.partial`` beside the output."""
    out = Path(out)
    return out.with_name(out.name + ".partial")


def _pyarrow(path):
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise MissingDependencyError(f'{path}: writing Parquet needs pyarrow: pip install "wordvec[parquet]"') from None
    return pyarrow


def _csv_header(names: list[str], dim: int | None) -> list[str]:
    header = []
    for name in names:
        header.extend([f"vector_{i}" for i in range(dim or 0)] if name == "vector" else [name])
    return header


def rows_in(path, names: list[str], dim: int | None = None, kind: str | None = None) -> int:
    """The rows of a file a writer wrote (an ``OUT.partial``: ``kind``, its format, else from its suffix),
    its columns checked against ``names``."""
    path, kind = Path(path), kind or output_format(path)
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            parquet = pq.ParquetFile(path)
        except Exception as err:  # pyarrow's errors, or an OSError
            raise OutputError(f"{path}: not a readable Parquet file ({' '.join(str(err).split())})") from None
        found, rows = list(parquet.schema_arrow.names), parquet.metadata.num_rows
        parquet.close()
    elif kind == "csv":
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            found, rows = next(reader, []), sum(1 for _ in reader)
        names = _csv_header(names, dim)
    else:
        with open(path, encoding="utf-8") as handle:
            first = handle.readline()
            found = list(json.loads(first)) if first.strip() else names
            rows = (1 if first else 0) + sum(1 for _ in handle)
    if found != names:
        raise ParameterError(f"{path} holds the columns {', '.join(found[:8])}, but this job writes "
                             f"{', '.join(names[:8])}: resume with the options of the first run, or delete it")
    return rows


class TableWriter:
    """Rows written a batch at a time to ``path``; :meth:`close` finishes the file."""

    def __init__(self, path: Path, names: list[str], dim: int | None = None):
        self.path, self.names, self.dim = Path(path), list(names), dim
        self.rows = 0

    def write(self, columns: dict) -> None:
        """Write one batch: ``columns`` holds a list (or array) for every name, all of one length."""
        raise NotImplementedError

    def copy_from(self, path) -> int:
        """Write the rows of an earlier output of the same columns first (a resumed job); returns them."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def keep_whole_rows(self) -> None:
        """After a failure: cut the file after the last batch written whole (text formats)."""


class _ParquetWriter(TableWriter):
    """Batches gathered into row groups of up to :data:`ROW_GROUP_ROWS` rows (or
    :data:`ROW_GROUP_BYTES`), so that the footer, which the writer holds until it closes, stays small."""

    def __init__(self, path: Path, names: list[str], dim: int | None = None):
        super().__init__(path, names, dim)
        self.pa = _pyarrow(path)
        self.writer = self.schema = None
        self.pending: list = []

    def _table(self, columns: dict):
        pa = self.pa
        arrays = [arrow_column(name, columns[name]) for name in self.names]
        if self.schema is not None and arrays[0].type != self.schema.field(0).type:
            try:
                arrays[0] = arrays[0].cast(self.schema.field(0).type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise ParameterError(f"the ids change type, from {self.schema.field(0).type} to "
                                     f"{arrays[0].type}: give an id column of one type") from None
        elif pa.types.is_null(arrays[0].type):
            arrays[0] = arrays[0].cast(pa.string())
        return pa.Table.from_arrays(arrays, names=self.names)

    def write(self, columns: dict) -> None:
        table = self._table(columns)
        self.schema = self.schema or table.schema
        self.pending.append(table)
        self.rows += table.num_rows
        if (sum(t.num_rows for t in self.pending) >= ROW_GROUP_ROWS
                or sum(t.nbytes for t in self.pending) >= ROW_GROUP_BYTES):
            self._flush()

    def _flush(self) -> None:
        import pyarrow.parquet as pq

        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, self.schema)
        if self.pending:
            self.writer.write_table(self.pa.concat_tables(self.pending), row_group_size=ROW_GROUP_ROWS)
            self.pending = []

    def copy_from(self, path) -> int:
        import pyarrow.parquet as pq

        earlier = pq.ParquetFile(path)
        try:
            self.schema = earlier.schema_arrow
            self._flush()
            for group in range(earlier.num_row_groups):
                table = earlier.read_row_group(group)
                self.writer.write_table(table)
                self.rows += table.num_rows
        finally:
            earlier.close()
        return self.rows

    def keep_whole_rows(self) -> None:
        if self.schema is not None:
            self._flush()

    def close(self) -> None:
        if self.schema is None:  # no rows: the columns alone, the ids numbered (int64)
            empty = {name: [] for name in self.names}
            empty["id"] = np.zeros(0, np.int64)
            if "vector" in empty:
                empty["vector"] = np.zeros((0, self.dim or 0), np.float32)
            self.schema = self._table(empty).schema
        self._flush()
        self.writer.close()


class _TextWriter(TableWriter):
    def __init__(self, path: Path, names: list[str], dim: int | None = None):
        super().__init__(path, names, dim)
        self.handle = open(path, "wb")
        self.whole = 0  # bytes of the batches written whole

    def write(self, columns: dict) -> None:
        n = len(columns[self.names[0]])
        self.handle.write(self._text(columns, n).encode("utf-8", "surrogatepass"))
        self.handle.flush()
        self.whole = self.handle.tell()
        self.rows += n

    def copy_from(self, path) -> int:
        self.rows = rows_in(path, self.names, self.dim, self.kind)
        with open(path, "rb") as earlier:
            shutil.copyfileobj(earlier, self.handle)
        self.handle.flush()
        self.whole = self.handle.tell()
        return self.rows

    def keep_whole_rows(self) -> None:
        if not self.handle.closed:
            self.handle.close()
        os.truncate(self.path, self.whole)

    def close(self) -> None:
        if self.rows == 0:
            self._header()
        self.handle.close()

    def _header(self) -> None:
        """What a file of no rows holds (CSV: its header)."""


def _probability(value):
    return None if value is None else round(float(value), 6)


class _JsonLinesWriter(_TextWriter):
    kind = "jsonl"

    def _text(self, columns: dict, n: int) -> str:
        """The rows as JSON lines, each column turned into JSON text at once (a label's text made once)."""
        texts = [_json_texts(name, columns[name]) for name in self.names]
        line = "{{" + ", ".join(json.dumps(name).replace("{", "{{").replace("}", "}}") + ": {}"
                                for name in self.names) + "}}\n"
        return "".join(line.format(*values) for values in zip(*texts))


def _json_texts(name: str, values) -> list[str]:
    """A column's values as JSON texts: probabilities rounded to 6 digits, vectors to 7 significant ones."""
    if name == "probability":
        return ["null" if value is None else _json_float(_probability(value)) for value in values]
    if name == "probabilities":
        return ["[" + ", ".join(_json_float(_probability(p)) for p in row) + "]" for row in values]
    if name == "vector":
        return ["[" + ",".join(f"{x:.7g}" for x in row) + "]" for row in np.asarray(values).tolist()]
    known: dict = {}

    def text(value) -> str:
        if type(value) is int:
            return str(value)
        if isinstance(value, str):
            found = known.get(value)
            if found is None:
                found = known[value] = json.dumps(value, ensure_ascii=False)
            return found
        return json.dumps(value.item() if isinstance(value, np.generic) else value, ensure_ascii=False, default=str)

    if name == "labels":
        return ["[" + ", ".join(map(text, row)) + "]" for row in values]
    return [text(value) for value in values]


def _json_float(value: float) -> str:
    return repr(value) if math.isfinite(value) else json.dumps(value)


class _CsvWriter(_TextWriter):
    kind = "csv"

    def __init__(self, path: Path, names: list[str], dim: int | None = None):
        super().__init__(path, names, dim)
        self.started = False

    def _header(self) -> None:
        if not self.started:
            self.handle.write(self._lines([_csv_header(self.names, self.dim)]).encode("utf-8"))
            self.started = True

    def copy_from(self, path) -> int:
        self.started = True
        return super().copy_from(path)

    def _text(self, columns: dict, n: int) -> str:
        rows = [] if self.started else [_csv_header(self.names, self.dim)]
        self.started = True
        for i in range(n):
            row = []
            for name in self.names:
                value = columns[name][i]
                if name == "vector":
                    row.extend(f"{x:.7g}" for x in value.tolist())
                elif name == "probability":
                    row.append("" if value is None else _probability(value))
                elif name in ("labels", "probabilities"):
                    row.append(" ".join(str(v) if name == "labels" else f"{float(v):.6f}" for v in value))
                else:
                    row.append("" if value is None else value)
            rows.append(row)
        return self._lines(rows)

    @staticmethod
    def _lines(rows: list) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        return buffer.getvalue()


_WRITERS = {"parquet": _ParquetWriter, "jsonl": _JsonLinesWriter, "csv": _CsvWriter}


def open_writer(path, names: list[str], dim: int | None = None, kind: str | None = None) -> TableWriter:
    """A writer of the columns ``names`` to ``path`` (``kind``: the format, else from the suffix);
    ``dim``: the length of the ``vector`` column."""
    return _WRITERS[kind or output_format(path)](Path(path), names, dim)
