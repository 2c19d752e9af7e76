"""Tables in, the same tables out with new columns: what ``predict_batch`` and ``embed_batch`` take and give.

A batch is a pandas ``DataFrame``, a pyarrow ``Table`` or ``RecordBatch``, or a dict of NumPy arrays
(Ray Data's ``map_batches`` default); :func:`batch_texts` takes a column's texts out of it and
:func:`with_columns` gives the same kind of batch back with the new columns (replacing columns of the
same name), so that ``dask.dataframe.map_partitions`` and Ray's ``map_batches`` can call them. The
columns themselves (:func:`prediction_columns`, ``vector``) are the ones ``wordvec classify predict
--out`` and ``wordvec embed`` write. Neither pandas nor pyarrow is imported unless a batch is one.

>>> batch = {"text": np.array(["good <br />tea", None], dtype=object)}
>>> batch_texts(batch, "text")
['good  tea', '']
>>> columns = prediction_columns(np.array([[0], [0]]), np.array([[0.9], [0.0]], np.float32), [1, 0], ["__label__pos"], 1)
>>> out = with_columns(batch, columns)
>>> sorted(out), out["label"].tolist()
(['label', 'probability', 'text'], ['__label__pos', None])
"""

from __future__ import annotations

import math

import numpy as np

from .errors import ParameterError
from .readers.columnar import holds_text, record_lines
from .text import clean_text_fast, decode_line

__all__ = ["LabelColumn", "batch_texts", "is_pandas", "prediction_columns", "with_columns"]


def is_pandas(batch) -> bool:
    """Whether ``batch`` is a pandas DataFrame (found without importing pandas)."""
    return type(batch).__module__.split(".")[0] == "pandas" and hasattr(batch, "assign")


def _is_arrow(batch) -> bool:
    return type(batch).__module__.split(".")[0] == "pyarrow" and hasattr(batch, "schema")


def _column_values(batch, column: str) -> list:
    if is_pandas(batch) or isinstance(batch, dict):
        names = list(batch.columns) if is_pandas(batch) else list(batch)
        values = batch[column] if column in names else None
        if values is not None:
            return values.tolist() if is_pandas(batch) else np.asarray(values, dtype=object).tolist()
    elif _is_arrow(batch):
        names = list(batch.schema.names)
        if column in names:
            return batch.column(column).to_pylist()
    else:
        raise ParameterError(f"expected a pandas DataFrame, a pyarrow Table or RecordBatch, or a dict of arrays, "
                             f"not {type(batch).__name__}")
    shown = ", ".join(map(str, names[:12])) + (" ..." if len(names) > 12 else "")
    raise ParameterError(f"no column {column!r} in the batch (its columns: {shown}); name it with column=")


def _arrow_strings_of(batch, column: str):
    """The column as one pyarrow string array, where the batch holds it as Arrow strings (a pyarrow
    batch, or a pandas column that converts to Arrow, as Dask's Parquet columns do); else None."""
    if is_pandas(batch) and column in batch.columns and hasattr(batch[column].array, "__arrow_array__"):
        import pyarrow as pa

        try:
            values = batch[column].array.__arrow_array__()
        except (pa.ArrowException, TypeError, ValueError):  # values Arrow cannot take as they are
            return None
    elif _is_arrow(batch) and column in batch.schema.names:
        import pyarrow as pa

        values = batch.column(column)
    else:
        return None
    values = values.combine_chunks() if hasattr(values, "combine_chunks") else values
    return values if holds_text(pa, values) else None


def batch_texts(batch, column: str, clean: bool = True) -> list:
    """The texts of ``batch[column]``, one line each: a missing value (None, NaN) is an empty text.

    With ``clean`` each is cleaned as the readers clean a table's text column
    (:func:`~wordvec.text.clean_text`: encoding repaired, HTML tags off), so that a batch gives what
    ``wordvec classify predict --out`` gives for the same table; line feeds become spaces. Bytes are
    decoded as the readers decode them where cleaned, kept as bytes otherwise.
    """
    strings = _arrow_strings_of(batch, column) if clean else None
    if strings is not None:
        import pyarrow as pa

        return record_lines(pa, strings)
    texts = []
    for value in _column_values(batch, column):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            value = ""
        elif not isinstance(value, (str, bytes)):
            value = str(value)
        if clean:
            value = clean_text_fast(decode_line(value) if isinstance(value, bytes) else value)
        texts.append(value.replace(b"\n", b" ") if isinstance(value, bytes) else value.replace("\n", " "))
    return texts


class LabelColumn:
    """A column of best labels kept as indices into the label names (-1: none passed the threshold):
    a list of str or None to Python, a string column made in one step to pyarrow.

    >>> column = LabelColumn(np.array([1, -1, 0]), ["__label__a", "__label__b"])
    >>> len(column), column[0], column.tolist()
    (3, '__label__b', ['__label__b', None, '__label__a'])
    """

    def __init__(self, ids: np.ndarray, names):
        self.ids = np.asarray(ids, dtype=np.int32)
        self.names = list(names)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, i: int):
        return self.names[self.ids[i]] if self.ids[i] >= 0 else None

    def __iter__(self):
        return iter(self.tolist())

    def tolist(self) -> list:
        names = self.names
        return [names[i] if i >= 0 else None for i in self.ids.tolist()]

    def to_arrow(self):
        import pyarrow as pa

        indices = _arrow_numbers(self.ids, valid=self.ids >= 0)
        return pa.DictionaryArray.from_arrays(indices, _arrow_strings(self.names)).cast(pa.string())


def prediction_columns(label_ids: np.ndarray, probabilities: np.ndarray, counts: np.ndarray, names, k: int) -> dict:
    """The columns of predictions, from :meth:`~wordvec.classifier.Classifier.predict_arrays`'s arrays:
    ``label`` and ``probability`` (the best label; None where none passed the threshold) and, for ``k``
    other than 1, ``labels`` and ``probabilities`` (lists).

    >>> columns = prediction_columns(np.array([[1, 0], [0, 0]]), np.array([[0.75, 0.25], [0.5, 0]], np.float32),
    ...                              np.array([2, 1]), ["__label__a", "__label__b"], 2)
    >>> columns["label"].tolist(), columns["probability"], columns["labels"]
    (['__label__b', '__label__a'], [0.75, 0.5], [['__label__b', '__label__a'], ['__label__a']])
    """
    counts = np.asarray(counts)
    none = counts == 0
    best = np.where(none, -1, np.asarray(label_ids)[:, 0] if len(counts) else np.zeros(0, np.int32))
    chances = np.asarray(probabilities, dtype=np.float32)[:, 0].tolist() if len(counts) else []
    for i in np.flatnonzero(none).tolist():
        chances[i] = None
    columns = {"label": LabelColumn(best, names), "probability": chances}
    if k != 1:
        columns["labels"] = [[names[i] for i in row[:n]] for row, n in zip(label_ids.tolist(), counts.tolist())]
        columns["probabilities"] = [row[:n] for row, n in zip(np.asarray(probabilities, np.float32), counts.tolist())]
    return columns


def arrow_column(name: str, values):
    """A column of :func:`prediction_columns` (or ``vector``, a 2-D float32 array) as a pyarrow array."""
    import pyarrow as pa

    if name == "label":
        return values.to_arrow() if isinstance(values, LabelColumn) else pa.array(values, type=pa.string())
    if name == "probability":
        valid = np.array([p is not None for p in values], dtype=bool)
        return _arrow_numbers(np.array([p if p is not None else 0.0 for p in values], np.float32), valid)
    if name == "labels":
        return pa.array(values, type=pa.list_(pa.string()))
    if name == "probabilities":
        offsets = np.zeros(len(values) + 1, dtype=np.int32)
        np.cumsum([len(p) for p in values], out=offsets[1:])
        flat = np.concatenate(values).astype(np.float32) if values else np.zeros(0, np.float32)
        return pa.ListArray.from_arrays(_arrow_numbers(offsets), _arrow_numbers(flat))
    if name == "vector":
        matrix = np.ascontiguousarray(values, dtype=np.float32)
        return pa.FixedSizeListArray.from_arrays(_arrow_numbers(matrix.reshape(-1)), matrix.shape[1])
    if isinstance(values, range):
        return _arrow_numbers(np.arange(values.start, values.stop, values.step, dtype=np.int64))
    if isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype.kind in "iuf":
        return _arrow_numbers(values)
    return pa.array(values)


def _arrow_numbers(values: np.ndarray, valid: np.ndarray | None = None):
    """A 1-D NumPy array of numbers as a pyarrow array (null where ``valid`` is False), built from its
    buffers: ``pyarrow.array`` imports pandas, where installed, to look at its argument (0.5 s).

    >>> _arrow_numbers(np.array([1.5, 2.5], np.float32), valid=np.array([True, False])).to_pylist()
    [1.5, None]
    """
    import pyarrow as pa

    values = np.ascontiguousarray(values)
    bitmap = None if valid is None or valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [bitmap, pa.py_buffer(values)])


def _arrow_strings(strings):
    """A list of str as a pyarrow string array, from its buffers (see :func:`_arrow_numbers`)."""
    import pyarrow as pa

    encoded = [s.encode("utf-8") for s in strings]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return pa.Array.from_buffers(pa.string(), len(encoded), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))])


def _numpy_column(name: str, values) -> np.ndarray:
    if name == "vector":
        return np.asarray(values, dtype=np.float32)
    if name == "probability":
        return np.array([np.nan if p is None else p for p in values], dtype=np.float32)
    column = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        column[i] = value
    return column


def with_columns(batch, columns: dict):
    """``batch`` with ``columns`` added (same kind of batch; a column of the same name is replaced)."""
    if is_pandas(batch):
        return batch.assign(**{name: _numpy_column(name, values) if name != "vector" else list(values)
                               for name, values in columns.items()})
    if isinstance(batch, dict):
        return {**batch, **{name: _numpy_column(name, values) for name, values in columns.items()}}
    for name, values in columns.items():
        array = arrow_column(name, values)
        if name in batch.schema.names:
            batch = batch.set_column(batch.schema.get_field_index(name), name, array)
        else:
            batch = batch.append_column(name, array)
    return batch
