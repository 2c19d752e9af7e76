"""fastText's supervised models (text classifiers): ``.bin`` and quantized ``.ftz``, read and written.

A supervised file is fastText's ``.bin`` layout (format version 12) with a
dictionary of words *then labels*, an input matrix (one row per word, then
one per hash bucket of word and character n-grams) and an output matrix (one
row per label; for the hierarchical softmax, one per inner node of a Huffman
tree over the labels). ``fasttext quantize`` makes an ``.ftz``: the input
matrix product-quantized (8-bit codes into 256 centroids per sub-vector,
optionally times a quantized row norm, ``qnorm``), the dictionary optionally
pruned to the rows of largest norm (``cutoff``: the n-gram buckets kept are
listed in ``pruneidx``), and, with ``qout``, the output matrix quantized too.

:func:`read_fasttext_supervised` gives a :class:`FastTextSupervised`: the
file's fields, its dense matrices viewed where they lie in the (memory-mapped)
file and its quantized ones as :class:`QuantizedMatrix` (codes and centroids,
rows decoded on demand, never the whole matrix). :func:`save_fasttext_supervised`
writes one back in the layout it holds, which fastText's ``load_model`` reads.
Predicting is :mod:`wordvec.classifier`'s job; nothing here imports it.

>>> import tempfile, numpy as np
>>> model = FastTextSupervised.from_arrays(["</s>", "good", "bad"], ["__label__pos", "__label__neg"],
...                                        np.eye(3, 2, dtype=np.float32), np.eye(2, dtype=np.float32))
>>> path = tempfile.mkdtemp() + "/m.bin"
>>> save_fasttext_supervised(model, path)
>>> back = read_fasttext_supervised(path)
>>> back.labels, back.loss, back.input.shape
(['__label__pos', '__label__neg'], 'softmax', (3, 2))
"""

from __future__ import annotations

import dataclasses
import math
import struct
from pathlib import Path

import numpy as np

from ..errors import ModelFormatError, ParameterError
from ..outputs import atomic_open
from .fasttext_bin import _FASTTEXT_ARGS, FASTTEXT_MAGIC, _Cursor
from .rows import first_non_finite_row
from .sources import open_source

#: fastText's ``loss_name`` codes as a ``.bin`` header stores them.
LOSSES = {1: "hs", 2: "ns", 3: "softmax", 4: "ova"}
#: fastText's ``model_name`` code of a supervised model (1 and 2 are cbow and skipgram).
SUPERVISED = 3
#: The format version written (fastText reads up to 12).
VERSION = 12
#: Centroids per sub-quantizer (fastText's 8-bit codes).
KSUB = 256
_ENTRY = np.dtype([("count", "<i8"), ("type", "i1")])
_ROWS = 1 << 15  # dense rows written at a time


@dataclasses.dataclass(frozen=True, eq=False)
class QuantizedMatrix:
    """A product-quantized matrix as fastText stores it: rows are decoded on demand, never all at once.

    Row ``i`` is sub-vector ``s`` of centroid ``codes[i, s]`` of sub-quantizer
    ``s``, for each ``s``, times ``norm_centroids[norm_codes[i]]`` when the
    norms were quantized apart (``qnorm``).

    Attributes
    ----------
    shape : tuple of int
        ``(rows, dim)``.
    codes : ndarray of uint8, shape (rows, nsubq)
    centroids : ndarray of float32, shape (dim * 256,)
        fastText's layout: sub-quantizer ``s < nsubq - 1`` holds 256 centroids
        of ``dsub`` values; the last one 256 of ``lastdsub``.
    dsub, lastdsub : int
    norm_codes : ndarray of uint8 or None
    norm_centroids : ndarray of float32 (256,) or None

    Examples
    --------
    >>> q = QuantizedMatrix((2, 3), np.array([[0, 1], [1, 0]], np.uint8), np.arange(768, dtype=np.float32), 2, 1)
    >>> q.rows(np.array([1])).tolist()
    [[2.0, 3.0, 512.0]]
    """

    shape: tuple
    codes: np.ndarray
    centroids: np.ndarray
    dsub: int
    lastdsub: int
    norm_codes: np.ndarray | None = None
    norm_centroids: np.ndarray | None = None

    @property
    def nsubq(self) -> int:
        """Number of sub-quantizers (sub-vectors per row)."""
        return self.codes.shape[1]

    @property
    def qnorm(self) -> bool:
        """Whether the row norms are quantized apart."""
        return self.norm_codes is not None

    def unscaled_rows(self, index) -> np.ndarray:
        """Rows ``index`` from their centroids alone (float32, ``len(index) x dim``), norms not applied."""
        codes = self.codes[np.asarray(index, dtype=np.intp)]
        full = self.nsubq - (self.lastdsub != self.dsub)
        # each centroid's dsub floats as one item: a single gather of whole sub-vectors
        table = self.centroids[:full * KSUB * self.dsub].view(np.dtype((np.void, 4 * self.dsub)))
        flat = codes[:, :full].astype(np.intp)
        flat += np.arange(full, dtype=np.intp) * KSUB
        head = np.take(table, flat).view(np.float32).reshape(len(codes), full * self.dsub)
        if full == self.nsubq:
            return head
        start = full * KSUB * self.dsub
        tail = self.centroids[start:start + KSUB * self.lastdsub].reshape(KSUB, self.lastdsub)[codes[:, full]]
        return np.concatenate([head, tail], axis=1)

    def norms(self, index) -> np.ndarray:
        """The norm factor of rows ``index`` (float32; ones without ``qnorm``)."""
        index = np.asarray(index, dtype=np.intp)
        if self.norm_codes is None:
            return np.ones(len(index), np.float32)
        return self.norm_centroids[self.norm_codes[index]]

    def rows(self, index) -> np.ndarray:
        """Rows ``index`` decoded as fastText adds them to a vector: ``norm * centroid`` in float32."""
        rows = self.unscaled_rows(index)
        if self.norm_codes is not None:
            rows *= self.norms(index)[:, None]
        return rows

    def __getitem__(self, index) -> np.ndarray:
        return self.rows(index)


@dataclasses.dataclass(frozen=True, eq=False)
class FastTextSupervised:
    """The content of a supervised fastText file.

    Attributes
    ----------
    args : dict
        The header's training settings under fastText's names (``dim``, ``ws``,
        ``epoch``, ``min_count``, ``neg``, ``word_ngrams``, ``loss`` (its code),
        ``model``, ``bucket``, ``minn``, ``maxn``, ``lr_update_rate``, ``t``).
    words, labels_raw : list of bytes
        The dictionary: words (``</s>`` among them), then labels, as stored
        (:attr:`labels` gives the labels as text).
    word_counts, label_counts : ndarray of int64
    ntokens : int
        Tokens read while building the dictionary.
    pruneidx : ndarray of int32, shape (n, 2), or None
        ``(bucket, row offset)`` pairs of a pruned dictionary, in file order;
        None when not pruned (every bucket has its row).
    input, output : ndarray of float32 or QuantizedMatrix
    """

    args: dict
    words: list
    word_counts: np.ndarray
    labels_raw: list
    label_counts: np.ndarray
    ntokens: int
    pruneidx: np.ndarray | None
    input: object
    output: object

    @property
    def loss(self) -> str:
        """``'softmax'``, ``'ns'``, ``'hs'`` or ``'ova'``."""
        return LOSSES[self.args["loss"]]

    @property
    def labels(self) -> list[str]:
        """The labels as text (bytes that are not UTF-8 as U+FFFD)."""
        return [label.decode("utf-8", "replace") for label in self.labels_raw]

    @property
    def quantized(self) -> bool:
        """Whether the input matrix is product-quantized (an ``.ftz``)."""
        return isinstance(self.input, QuantizedMatrix)

    @classmethod
    def from_arrays(cls, words, labels, input_rows, output_rows, *, loss: str = "softmax", word_ngrams: int = 1,
                    minn: int = 0, maxn: int = 0, word_counts=None, label_counts=None) -> "FastTextSupervised":
        """A dense model from its dictionary and matrices (the buckets are the input rows after the words).

        Examples
        --------
        >>> m = FastTextSupervised.from_arrays(["</s>"], ["__label__a"], np.zeros((5, 2), np.float32),
        ...                                    np.zeros((1, 2), np.float32), word_ngrams=2)
        >>> m.args["bucket"], m.args["word_ngrams"], m.loss
        (4, 2, 'softmax')
        """
        words = [w.encode("utf-8") if isinstance(w, str) else bytes(w) for w in words]
        labels = [w.encode("utf-8") if isinstance(w, str) else bytes(w) for w in labels]
        input_rows = np.ascontiguousarray(input_rows, dtype=np.float32)
        output_rows = np.ascontiguousarray(output_rows, dtype=np.float32)
        codes = {name: code for code, name in LOSSES.items()}
        if loss not in codes:
            raise ParameterError.out_of_range("loss", loss, "one of " + ", ".join(codes))
        word_counts = np.ones(len(words), np.int64) if word_counts is None else np.asarray(word_counts, np.int64)
        label_counts = (np.ones(len(labels), np.int64) if label_counts is None
                        else np.asarray(label_counts, np.int64))
        args = dict(zip(_FASTTEXT_ARGS, (input_rows.shape[1], 5, 5, 1, 5, word_ngrams, codes[loss], SUPERVISED,
                                         input_rows.shape[0] - len(words), minn, maxn, 100, 1e-4)))
        model = cls(args, words, word_counts, labels, label_counts,
                    int(word_counts.sum() + label_counts.sum()), None, input_rows, output_rows)
        _check_model(model, _refuse_parameter)
        return model


def _refuse_parameter(message: str):
    raise ParameterError(message)


# -- reading ---------------------------------------------------------------------------

def read_fasttext_supervised(path) -> FastTextSupervised:
    """Read a supervised fastText model, ``.bin`` or quantized ``.ftz`` (also gzip-, bzip2- or xz-compressed).

    Dense matrices stay where they lie in the memory-mapped file; quantized
    ones stay codes and centroids (:class:`QuantizedMatrix`).

    Raises
    ------
    ModelFormatError
        One line naming the file: not a fastText model, a newer format
        version, an unsupervised model, a truncated or corrupted file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.bin"
    >>> _ = path.write_bytes(b"not a model")
    >>> try:
    ...     read_fasttext_supervised(path)
    ... except ModelFormatError as err:
    ...     print(str(err).replace(str(path), "x.bin"))
    x.bin: not a fastText model (its first bytes are not fastText's magic number)
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFormatError(f"no such file: {path}")
    src = open_source(path, whole=True)
    try:
        cursor = _Cursor(src)
        if len(src.data) < 8 or struct.unpack_from("<i", src.data)[0] != FASTTEXT_MAGIC:
            cursor.refuse("not a fastText model (its first bytes are not fastText's magic number)")
        _, version = cursor.take("<ii")
        if version > VERSION:
            cursor.refuse(f"fastText model format version {version} is newer than wordvec reads ({VERSION})")
        args = dict(zip(_FASTTEXT_ARGS, cursor.take("<12id")))
        if args["model"] != SUPERVISED:
            kind = {1: "cbow", 2: "skipgram"}.get(args["model"], f"model type {args['model']}")
            cursor.refuse(f"an unsupervised fastText model ({kind}): it holds word vectors, not a classifier "
                          "(load it with wordvec.load_vectors)")
        if args["loss"] not in LOSSES:
            cursor.refuse(f"unknown fastText loss code {args['loss']} (corrupted file)")
        if version == 11:
            args["maxn"] = 0  # what fastText does with version 11 classifiers
        model = _read_body(cursor, args)
    except BaseException:
        src.close()
        raise
    return model


def _read_body(cursor: _Cursor, args: dict) -> FastTextSupervised:
    """The dictionary, the pruned buckets and both matrices, then the end of the file."""
    size, nwords, nlabels, ntokens, prune_size = cursor.take("<iiiqq")
    if not (0 <= nwords and 0 < nlabels and size == nwords + nlabels):
        cursor.refuse(f"corrupted fastText dictionary ({size} entries, {nwords} words, {nlabels} labels)")
    raw, entries = _dictionary_entries(cursor, size)
    if entries["type"][:nwords].any() or not entries["type"][nwords:].all():
        cursor.refuse("corrupted fastText dictionary (words and labels out of place)")
    pruneidx = None
    if prune_size >= 0:
        pruneidx = _array(cursor, "<i4", 2 * prune_size).reshape(prune_size, 2)
    (quant_input,) = cursor.take("<?")
    if not quant_input and pruneidx is not None:
        cursor.refuse("a pruned dictionary with a dense input matrix (fastText refuses it too; corrupted file)")
    input_rows = _matrix(cursor, quant_input)
    (qout,) = cursor.take("<?")
    output_rows = _matrix(cursor, quant_input and qout)
    if cursor.pos != len(cursor.src.data):
        cursor.refuse(f"{len(cursor.src.data) - cursor.pos} bytes after the model's end (corrupted file)")
    model = FastTextSupervised(args, raw[:nwords], entries["count"][:nwords].astype(np.int64), raw[nwords:],
                               entries["count"][nwords:].astype(np.int64), ntokens, pruneidx, input_rows,
                               output_rows)
    _check_model(model, cursor.refuse)
    return model


def _dictionary_entries(cursor: _Cursor, size: int) -> tuple[list, np.ndarray]:
    """``size`` entries ``word\\0``, int64 count, int8 type: the words and a structured array of the rest."""
    data, find = cursor.src.data, cursor.src.data.find
    raw, tails, pos = [], [], cursor.pos
    for _ in range(size):
        end = find(b"\0", pos)
        if end < 0 or end + 10 > len(data):
            cursor.pos = len(data)
            cursor.truncated()
        raw.append(bytes(data[pos:end]))
        tails.append(data[end + 1:end + 10])
        pos = end + 10
    cursor.pos = pos
    return raw, np.frombuffer(b"".join(tails), dtype=_ENTRY)


def _array(cursor: _Cursor, dtype: str, count: int) -> np.ndarray:
    """``count`` values of ``dtype`` at the cursor, viewed in place (no copy)."""
    size = np.dtype(dtype).itemsize * count
    if count < 0 or cursor.pos + size > len(cursor.src.data):
        cursor.truncated()
    array = np.frombuffer(cursor.src.data, dtype=dtype, count=count, offset=cursor.pos)
    cursor.pos += size
    return array


def _matrix(cursor: _Cursor, quantized: bool):
    """A dense matrix (int64 rows, int64 columns, float32 values), or fastText's ``QuantMatrix``."""
    if not quantized:
        rows, dim = cursor.take("<qq")
        if rows < 0 or dim < 1:
            cursor.refuse(f"a matrix of {rows} x {dim} (corrupted file)")
        return _array(cursor, "<f4", rows * dim).reshape(rows, dim)
    qnorm, rows, dim, codesize = cursor.take("<?qqi")
    if rows < 0 or dim < 1 or codesize < 0:
        cursor.refuse(f"a quantized matrix of {rows} x {dim} (corrupted file)")
    codes = _array(cursor, "u1", codesize)
    centroids, dsub, lastdsub, nsubq = _quantizer(cursor, dim)
    if codesize != rows * nsubq:
        cursor.refuse(f"{codesize} codes for {rows} rows of {nsubq} sub-vectors (corrupted file)")
    norm_codes = norm_centroids = None
    if qnorm:
        norm_codes = _array(cursor, "u1", rows)
        norm_centroids = _quantizer(cursor, 1)[0]
    return QuantizedMatrix((rows, dim), codes.reshape(rows, nsubq), centroids, dsub, lastdsub, norm_codes,
                           norm_centroids)


def _quantizer(cursor: _Cursor, dim: int) -> tuple:
    """fastText's ``ProductQuantizer``: dim, nsubq, dsub, lastdsub, then ``dim * 256`` float32 centroids."""
    qdim, nsubq, dsub, lastdsub = cursor.take("<4i")
    if not (qdim == dim and dsub >= 1 and nsubq == math.ceil(dim / dsub) and lastdsub == (dim % dsub or dsub)):
        cursor.refuse(f"a product quantizer of dimension {qdim}, {nsubq} x {dsub} (last {lastdsub}) for "
                      f"rows of {dim} (corrupted file)")
    return _array(cursor, "<f4", dim * KSUB), dsub, lastdsub, nsubq


def _check_model(model: FastTextSupervised, refuse, *, check_values: bool = True) -> None:
    """The shapes agree with the header and the dictionary; pruned rows are in range; with ``check_values``,
    every value is finite (a caller that checked them as it read the files leaves that out)."""
    args, nwords = model.args, len(model.words)
    if args["bucket"] < 0 or args["minn"] < 0 or args["maxn"] < 0 or args["word_ngrams"] < 1:
        refuse(f"impossible settings (bucket {args['bucket']}, minn {args['minn']}, maxn {args['maxn']}, "
               f"wordNgrams {args['word_ngrams']}; corrupted file)")
    if args["dim"] < 1 or model.input.shape[1] != args["dim"] or model.output.shape[1] != args["dim"]:
        refuse(f"matrices of {model.input.shape[1]} and {model.output.shape[1]} columns where the header gives "
               f"dimension {args['dim']} (corrupted file)")
    buckets = args["bucket"] if model.pruneidx is None else len(model.pruneidx)
    if model.input.shape[0] != nwords + buckets:
        refuse(f"an input matrix of {model.input.shape[0]} rows for {nwords} words and {buckets} buckets "
               "(corrupted file)")
    if model.output.shape[0] != len(model.labels_raw):
        refuse(f"an output matrix of {model.output.shape[0]} rows for {len(model.labels_raw)} labels "
               "(corrupted file)")
    if model.pruneidx is not None and len(model.pruneidx):
        keys, values = model.pruneidx[:, 0], model.pruneidx[:, 1]
        if keys.min() < 0 or keys.max() >= max(args["bucket"], 1) or values.min() < 0 or values.max() >= buckets:
            refuse("pruned buckets out of range (corrupted file)")
    for name, matrix in (("input", model.input), ("output", model.output)) if check_values else ():
        values = [matrix.centroids, *([matrix.norm_centroids] if matrix.qnorm else [])] \
            if isinstance(matrix, QuantizedMatrix) else [matrix]
        if any(first_non_finite_row(np.reshape(v, (v.shape[0], -1))) is not None for v in values):
            refuse(f"the {name} matrix holds NaN or infinite values")


# -- writing ---------------------------------------------------------------------------

def save_fasttext_supervised(model: FastTextSupervised, path) -> None:
    """Write a supervised model in fastText's format (version 12), in the layout it holds.

    A dense model gives a ``.bin``, a quantized one an ``.ftz`` (its codes,
    centroids and pruned buckets as read); fastText's ``load_model`` reads
    either and predicts what wordvec predicts. The file replaces ``path``
    only once complete.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> m = FastTextSupervised.from_arrays(["</s>"], ["__label__a", "__label__b"], np.ones((1, 4), np.float32),
    ...                                    np.ones((2, 4), np.float32), loss="hs", label_counts=[3, 1])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.bin"
    >>> save_fasttext_supervised(m, path)
    >>> path.stat().st_size
    228
    """
    with atomic_open(path, "wb") as handle:
        handle.write(struct.pack("<ii", FASTTEXT_MAGIC, VERSION))
        handle.write(struct.pack("<12id", *(model.args[name] for name in _FASTTEXT_ARGS)))
        prune_size = -1 if model.pruneidx is None else len(model.pruneidx)
        handle.write(struct.pack("<iiiqq", len(model.words) + len(model.labels_raw), len(model.words),
                                 len(model.labels_raw), model.ntokens, prune_size))
        _write_entries(handle, model.words, model.word_counts, 0)
        _write_entries(handle, model.labels_raw, model.label_counts, 1)
        if model.pruneidx is not None:
            handle.write(np.ascontiguousarray(model.pruneidx, dtype="<i4").tobytes())
        handle.write(struct.pack("<?", model.quantized))
        _write_matrix(handle, model.input)
        handle.write(struct.pack("<?", isinstance(model.output, QuantizedMatrix)))
        _write_matrix(handle, model.output)


def _write_entries(handle, words: list, counts: np.ndarray, kind: int) -> None:
    """Dictionary entries: ``word\\0``, int64 count, int8 type (0 word, 1 label)."""
    if any(not w or b"\0" in w for w in words):
        raise ParameterError("an empty word or label, or one holding a NUL character, cannot be written to a "
                             "fastText model")
    tails = np.zeros(len(words), dtype=_ENTRY)
    tails["count"], tails["type"] = counts, kind
    tail = tails.tobytes()
    for start in range(0, len(words), _ROWS):
        handle.write(b"".join(w + b"\0" + tail[9 * i:9 * i + 9]
                              for i, w in enumerate(words[start:start + _ROWS], start)))


def _write_matrix(handle, matrix) -> None:
    """A dense matrix a block of rows at a time, or a ``QuantMatrix`` as read."""
    if not isinstance(matrix, QuantizedMatrix):
        handle.write(struct.pack("<qq", *matrix.shape))
        for start in range(0, matrix.shape[0], _ROWS):
            handle.write(np.ascontiguousarray(matrix[start:start + _ROWS], dtype="<f4").tobytes())
        return
    rows, dim = matrix.shape
    handle.write(struct.pack("<?qqi", matrix.qnorm, rows, dim, rows * matrix.nsubq))
    handle.write(np.ascontiguousarray(matrix.codes, dtype="u1").tobytes())
    handle.write(struct.pack("<4i", dim, matrix.nsubq, matrix.dsub, matrix.lastdsub))
    handle.write(np.ascontiguousarray(matrix.centroids, dtype="<f4").tobytes())
    if matrix.qnorm:
        handle.write(np.ascontiguousarray(matrix.norm_codes, dtype="u1").tobytes())
        handle.write(struct.pack("<4i", 1, 1, 1, 1))
        handle.write(np.ascontiguousarray(matrix.norm_centroids, dtype="<f4").tobytes())
