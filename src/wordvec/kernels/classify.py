"""Prediction kernels for supervised fastText models (``csrc/classify.c``, ``csrc/classify_lines.c``).

:class:`TextModel` predicts from the texts themselves: fastText's dictionary lookup, character and word
n-gram hashing and pruning (``classify_lines.c``), then the text's vector from a dense or
product-quantized input matrix and any loss (``softmax``, ``ova``, ``ns``, ``hs``), with fastText's
heap order and glibc's ``expf``: :meth:`TextModel.predict_one` for one text (one call, no NumPy), and
:meth:`TextModel.predict_many` for many, split over threads with the GIL released.
:meth:`TextModel.rows` gives a text's input rows (held to ``wordvec.classifier_lines`` in the tests).

The older kernel below works from input rows, for dense models only:

:func:`predict_dense` computes, for a batch of texts given as flat arrays (their input rows and
where each text begins), each text's vector and its k best labels with their log-scores, for
``softmax`` and for the sigmoid-table losses (``ova``, ``ns``), exactly as
:class:`wordvec.classifier_predict.Predictor` does on NumPy arrays. The texts are split over
``threads`` threads; ctypes releases the GIL during each call, so they run at once. A text whose
result depends on the order of equal log-scores is flagged in ``redo``: the caller redoes it in
Python (fastText's heap order).

>>> import numpy as np
>>> model = DenseModel(np.array([[0, 0], [1, 0]], np.float32), np.array([[2, 0], [-2, 0]], np.float32), "softmax")
>>> labels, scores, counts, redo = predict_dense(model, np.array([1, 0]), np.array([0, 2]), k=2, threshold=0.0)
>>> labels.tolist(), counts.tolist(), redo.tolist()
([[0, 1]], [2], [False])
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import threading

import numpy as np

from .library import checked_array as _checked
from .library import load
from .tasks import run_on_threads

__all__ = ["DenseModel", "EXPF_TABLE", "LOSSES", "TEXT_LOSSES", "TextModel", "predict_dense"]

#: The losses the kernel predicts (``hs`` and quantized models stay on the NumPy path).
LOSSES = {"softmax": 0, "ova": 1, "ns": 1}

_ref = ctypes.c_void_p


class _Model(ctypes.Structure):
    _fields_ = [("input", _ref), ("output", _ref), ("dim", ctypes.c_int64), ("n_labels", ctypes.c_int64),
                ("loss", ctypes.c_int32), ("sigmoid_table", _ref)]


class _Batch(ctypes.Structure):
    _fields_ = [("rows", _ref), ("starts", _ref), ("k", ctypes.c_int64), ("threshold", ctypes.c_float),
                ("labels", _ref), ("scores", _ref), ("counts", _ref), ("redo", _ref)]


@functools.cache
def _library() -> ctypes.CDLL:
    library = load()
    library.wv_classify_dense.argtypes = [ctypes.POINTER(_Model), ctypes.POINTER(_Batch), ctypes.c_int64,
                                          ctypes.c_int64, _ref, _ref]
    library.wv_classify_dense.restype = None
    i64, f32 = ctypes.c_int64, ctypes.c_float
    for name, argtypes, restype in (
            ("wv_lines_build_slots", [_ref, _ref, i64, _ref, i64], None),
            ("wv_lines_build_prune", [_ref, i64, _ref, i64, _ref, i64], None),
            ("wv_lines_bucket_magic", [i64], ctypes.c_uint64),
            ("wv_lines_word_rows", [_ref, _ref, _ref], i64),
            ("wv_lines_row_bound", [_ref, i64], i64),
            ("wv_lines_hash_bound", [i64], i64),
            ("wv_lines_text", [_ref, ctypes.c_char_p, i64, _ref, _ref], i64),
            ("wv_classify_text", [_ref, _ref, ctypes.c_char_p, i64, i64, f32, _ref, _ref], i64),
            ("wv_classify_texts", [_ref, _ref, _ref, _ref, i64, i64, i64, f32, _ref, _ref, _ref], i64),
            ("wv_classify_expf", [f32, _ref], f32)):
        getattr(library, name).argtypes = argtypes
        getattr(library, name).restype = restype
    return library


class DenseModel:
    """A model's matrices as the kernel reads them: ``input`` (rows x dim) and ``output`` (labels x dim), float32.

    Parameters
    ----------
    input, output : numpy.ndarray
        C-contiguous float32 matrices (kept referenced while the model is).
    loss : str
        One of :data:`LOSSES`.
    sigmoid_table : numpy.ndarray, optional
        fastText's 513 sigmoid values (``classifier_predict.sigmoid_table()``), for ``ova`` and ``ns``.
    """

    def __init__(self, input: np.ndarray, output: np.ndarray, loss: str, sigmoid_table=None):
        if loss not in LOSSES:
            raise ValueError(f"the kernel predicts {', '.join(LOSSES)}, not {loss!r}")
        self.input = _checked(input, np.float32)
        self.output = _checked(output, np.float32)
        if input.ndim != 2 or output.ndim != 2 or input.shape[1] != output.shape[1]:
            raise ValueError("input and output must be matrices of the same width")
        if sigmoid_table is None:
            if LOSSES[loss]:
                raise ValueError(f"{loss!r} needs fastText's sigmoid table")
            sigmoid_table = np.zeros(513, np.float32)
        self.table = np.ascontiguousarray(sigmoid_table, dtype=np.float32)
        if self.table.shape != (513,):
            raise ValueError("the sigmoid table has 513 values")
        self._struct = _Model(input.ctypes.data, output.ctypes.data, input.shape[1], output.shape[0], LOSSES[loss],
                              self.table.ctypes.data)

    @property
    def labels(self) -> int:
        return self.output.shape[0]


def predict_dense(model: DenseModel, rows: np.ndarray, starts: np.ndarray, k: int, threshold: float,
                  threads: int = 1) -> tuple:
    """The k best labels of each text, on ``threads`` threads.

    Returns ``(labels, scores, counts, redo)``: int32 and float32 arrays of
    shape ``(texts, k)`` (text t's first ``counts[t]`` entries, best first;
    scores are fastText's log-scores ``log(p + 1e-5)``), and a bool array of
    the texts to redo in Python.
    """
    library = _library()
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    starts = np.ascontiguousarray(starts, dtype=np.int64)
    n = len(starts) - 1
    if n < 0:
        raise ValueError("starts needs at least one entry")
    if len(rows) and (int(rows.min()) < 0 or int(rows.max()) >= model.input.shape[0]):
        raise ValueError("an input row outside the matrix")
    if n and (starts[0] != 0 or starts[-1] != len(rows) or np.any(np.diff(starts) < 0)):
        raise ValueError("starts must rise from 0 to len(rows)")
    k = int(k)
    if k < 1:
        raise ValueError("k needs to be 1 or higher")
    labels = np.zeros((n, k), np.int32)
    scores = np.zeros((n, k), np.float32)
    counts = np.zeros(n, np.int64)
    redo = np.zeros(n, np.uint8)
    batch = _Batch(rows.ctypes.data, starts.ctypes.data, k, float(threshold), labels.ctypes.data,
                   scores.ctypes.data, counts.ctypes.data, redo.ctypes.data)
    threads = max(1, min(int(threads), n))
    bounds = [n * t // threads for t in range(threads + 1)]
    dim, n_labels = model.input.shape[1], model.labels

    def run(t: int) -> None:
        work = np.empty(dim + 2 * n_labels, np.float32)
        work_labels = np.empty(max(n_labels, 1), np.int32)
        library.wv_classify_dense(ctypes.byref(model._struct), ctypes.byref(batch), bounds[t], bounds[t + 1],
                                  work.ctypes.data, work_labels.ctypes.data)

    run_on_threads(run, threads)
    return labels, scores, counts, redo.astype(bool)


# -- prediction from the texts themselves ---------------------------------------------------

#: The losses :class:`TextModel` predicts, as ``csrc/classify_lines.h`` numbers them.
TEXT_LOSSES = {"softmax": 0, "ova": 1, "ns": 1, "hs": 2}
#: glibc's ``expf`` table: the bits of ``2 ** (i / 32)`` less ``i << 47``.
EXPF_TABLE = np.array([int(np.float64(2.0 ** (i / 32)).view(np.uint64)) - (i << 47) for i in range(32)],
                      dtype=np.uint64)


class _Lines(ctypes.Structure):
    _fields_ = [("words", _ref), ("word_starts", _ref), ("n_entries", ctypes.c_int64), ("nwords", ctypes.c_int64),
                ("slots", _ref), ("slot_mask", ctypes.c_int64), ("word_rows", _ref), ("word_row_starts", _ref),
                ("bucket", ctypes.c_int64), ("minn", ctypes.c_int64), ("maxn", ctypes.c_int64),
                ("word_ngrams", ctypes.c_int64), ("pruned", ctypes.c_int64), ("prune_slots", _ref),
                ("prune_mask", ctypes.c_int64), ("prune_count", ctypes.c_int64), ("prune_bits", _ref),
                ("bucket_magic", ctypes.c_uint64)]


class _Predictor(ctypes.Structure):
    _fields_ = [("dim", ctypes.c_int64), ("n_labels", ctypes.c_int64), ("loss", ctypes.c_int64), ("input", _ref),
                ("codes", _ref), ("centroids", _ref), ("nsubq", ctypes.c_int64), ("dsub", ctypes.c_int64),
                ("lastdsub", ctypes.c_int64), ("norm_codes", _ref), ("norm_centroids", _ref), ("output", _ref),
                ("output_norms", _ref), ("sigmoid_table", _ref), ("left", _ref), ("right", _ref),
                ("expf_table", _ref)]


def _table_size(n: int) -> int:
    """A power of two at least twice ``n`` (open addressing stays short)."""
    return 1 << max(4, (2 * max(n, 1) - 1).bit_length())


def _address(array) -> int:
    return 0 if array is None else array.ctypes.data


class TextModel:
    """A supervised model as the text kernels read it: the dictionary's tables and the matrices.

    Parameters
    ----------
    words : list of bytes
        The dictionary's words, then its labels.
    nwords : int
        How many of ``words`` are words.
    settings : dict
        ``word_ngrams``, ``bucket``, ``minn``, ``maxn`` (fastText's).
    pruneidx : ndarray of int, shape (n, 2), or None
        A pruned model's ``(bucket, row offset)`` pairs.
    input : dict
        ``{"dense": matrix}`` or the product quantizer's ``codes``, ``centroids``, ``dsub``,
        ``lastdsub``, ``norm_codes`` and ``norm_centroids`` (None without ``qnorm``).
    output : ndarray of float32
        The output rows (unscaled), one per label (``hs``: per inner node).
    output_norms : ndarray of float32 or None
        A quantized output matrix's row norms.
    loss : str
        One of :data:`TEXT_LOSSES`.
    tables : dict
        ``sigmoid`` (fastText's 513 values, for ``ova`` and ``ns``) and, for ``hs``,
        ``left`` and ``right`` (the Huffman tree's children).

    Examples
    --------
    >>> import numpy as np
    >>> model = TextModel([b"</s>", b"good", b"__label__pos", b"__label__neg"], 2,
    ...                   {"word_ngrams": 1, "bucket": 0, "minn": 0, "maxn": 0}, None,
    ...                   {"dense": np.array([[0, 0], [1, 0]], np.float32)},
    ...                   np.array([[2, 0], [-2, 0]], np.float32), None, "softmax", {})
    >>> labels, probs = model.predict_one(b"good", 2, 0.0)   # probabilities are p + 1e-5, as fastText's
    >>> model.rows(b"good tea"), labels, [round(p, 5) for p in probs]
    ([1, 0], [0, 1], [0.88081, 0.11921])
    """

    def __init__(self, words: list, nwords: int, settings: dict, pruneidx, input: dict, output, output_norms,
                 loss: str, tables: dict):
        if loss not in TEXT_LOSSES:
            raise ValueError(f"the kernel predicts {', '.join(TEXT_LOSSES)}, not {loss!r}")
        self._library = _library()
        self._keep = []  # every array the structures point into
        self._lines = self._dictionary(words, nwords, settings, pruneidx)
        self._model = self._matrices(input, output, output_norms, loss, tables)
        self.labels = int(self._model.n_labels)
        self._lines_at, self._model_at = ctypes.addressof(self._lines), ctypes.addressof(self._model)
        self._buffers = threading.local()

    def _kept(self, array, dtype):
        array = None if array is None else np.ascontiguousarray(array, dtype=dtype)
        self._keep.append(array)
        return array

    def _dictionary(self, words: list, nwords: int, settings: dict, pruneidx) -> _Lines:
        """The dictionary's hash table, its words' rows and the pruned buckets' table, built in C."""
        library = self._library
        lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        starts = self._kept(np.concatenate([[0], np.cumsum(lengths)]), np.int64)
        blob = self._kept(np.frombuffer(b"".join(words) or b"\0", dtype=np.uint8), np.uint8)
        slots = self._kept(np.empty(_table_size(len(words)), np.int32), np.int32)
        library.wv_lines_build_slots(blob.ctypes.data, starts.ctypes.data, len(words), slots.ctypes.data,
                                     len(slots) - 1)
        pairs = self._kept(np.zeros((0, 2)) if pruneidx is None else pruneidx, np.int64).reshape(-1, 2)
        bucket = int(settings["bucket"])
        prune_slots = self._kept(np.zeros((_table_size(len(pairs)), 2), np.int32), np.int32)
        bits = self._kept(np.zeros(max(1, (bucket + 63) // 64) if pruneidx is not None else 1, np.uint64), np.uint64)
        library.wv_lines_build_prune(pairs.ctypes.data, len(pairs), prune_slots.ctypes.data, len(prune_slots) - 1,
                                     bits.ctypes.data, bucket if pruneidx is not None else 0)
        lines = _Lines(blob.ctypes.data, starts.ctypes.data, len(words), nwords, slots.ctypes.data, len(slots) - 1,
                       None, None, bucket, int(settings["minn"]), int(settings["maxn"]), int(settings["word_ngrams"]),
                       pruneidx is not None, prune_slots.ctypes.data, len(prune_slots) - 1, len(pairs),
                       bits.ctypes.data, library.wv_lines_bucket_magic(bucket))
        word_rows = np.empty(library.wv_lines_word_rows(ctypes.byref(lines), None, None), np.int32)
        row_starts = np.empty(len(words) + 1, np.int64)
        used = library.wv_lines_word_rows(ctypes.byref(lines), row_starts.ctypes.data, word_rows.ctypes.data)
        word_rows = self._kept(word_rows[:used], np.int32)
        self._kept(row_starts, np.int64)
        lines.word_rows, lines.word_row_starts = word_rows.ctypes.data, row_starts.ctypes.data
        return lines

    def _matrices(self, input: dict, output, output_norms, loss: str, tables: dict) -> _Predictor:
        output = self._kept(output, np.float32)
        n_labels = len(output) + (loss == "hs")
        dense = self._kept(input.get("dense"), np.float32)
        codes = self._kept(input.get("codes"), np.uint8)
        model = _Predictor(output.shape[1], n_labels, TEXT_LOSSES[loss], _address(dense), _address(codes),
                           _address(self._kept(input.get("centroids"), np.float32)),
                           0 if codes is None else codes.shape[1], input.get("dsub", 0), input.get("lastdsub", 0),
                           _address(self._kept(input.get("norm_codes"), np.uint8)),
                           _address(self._kept(input.get("norm_centroids"), np.float32)), _address(output),
                           _address(self._kept(output_norms, np.float32)),
                           _address(self._kept(tables.get("sigmoid", np.zeros(513)), np.float32)),
                           _address(self._kept(tables.get("left"), np.int32)),
                           _address(self._kept(tables.get("right"), np.int32)),
                           _address(self._kept(EXPF_TABLE, np.uint64)))
        return model

    def rows(self, text: bytes) -> list:
        """The input rows of one line of text (bytes), in fastText's order."""
        library = self._library
        rows = np.empty(library.wv_lines_row_bound(self._lines_at, len(text)), np.int32)
        hashes = np.empty(library.wv_lines_hash_bound(len(text)), np.int32)
        n = library.wv_lines_text(self._lines_at, text, len(text), rows.ctypes.data, hashes.ctypes.data)
        return rows[:n].tolist()

    def predict_one(self, text: bytes, k: int, threshold: float) -> tuple:
        """One line's k best labels (numbers) and probabilities (floats), best first, as two lists."""
        try:
            labels, probs, labels_at, probs_at = self._buffers.out
        except AttributeError:  # this thread's first call
            labels, probs = (ctypes.c_int32 * max(self.labels, 1))(), (ctypes.c_float * max(self.labels, 1))()
            labels_at, probs_at = ctypes.addressof(labels), ctypes.addressof(probs)
            self._buffers.out = labels, probs, labels_at, probs_at
        n = self._library.wv_classify_text(self._lines_at, self._model_at, text, len(text), k, threshold,
                                           labels_at, probs_at)
        if n < 0:
            raise MemoryError("no memory left to predict a text")
        return labels[:n], probs[:n]

    def predict_many(self, blob, starts: np.ndarray, k: int, threshold: float, threads: int = 1) -> tuple:
        """The k best labels of each text ``blob[starts[t]:starts[t + 1]]`` (``blob``: bytes or a uint8
        array), on ``threads`` threads.

        Returns ``(labels, probs, counts)``: int32 and float32 arrays of shape
        ``(texts, k)`` (text t's first ``counts[t]`` entries, best first).
        """
        starts = np.ascontiguousarray(starts, dtype=np.int64)
        blob = np.frombuffer(blob, dtype=np.uint8)  # bytes or any buffer (Arrow's), not copied
        if len(starts) < 1 or starts[0] < 0 or starts[-1] > len(blob) or np.any(starts[1:] < starts[:-1]):
            raise ValueError("starts needs non-decreasing offsets inside the texts' bytes")
        n, k = len(starts) - 1, max(1, min(int(k), self.labels))
        labels, probs = np.empty((n, k), np.int32), np.empty((n, k), np.float32)
        counts = np.empty(n, np.int64)
        threads = max(1, min(int(threads), n))
        addresses = (blob.ctypes.data, starts.ctypes.data, labels.ctypes.data, probs.ctypes.data, counts.ctypes.data)
        # Threads take runs of texts as they go, not one fixed share each: a thread that another
        # process (or the reading thread) slows down then holds up no one.
        step = n if threads == 1 else max(64, min(1024, n // (8 * threads)))
        firsts = itertools.count(0, step)

        def run(_: int) -> None:
            for first in firsts:
                if first >= n:
                    return
                if self._library.wv_classify_texts(self._lines_at, self._model_at, *addresses[:2], first,
                                                   min(n, first + step), k, threshold, *addresses[2:]) < 0:
                    raise MemoryError("no memory left to predict the texts")

        run_on_threads(run, threads)
        return labels, probs, counts
