"""Prediction kernel for supervised fastText models with a dense input matrix (``csrc/classify.c``).

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

import numpy as np

from .library import checked_array as _checked
from .library import load
from .tasks import _pool

__all__ = ["DenseModel", "LOSSES", "predict_dense"]

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

    others = [_pool(threads - 1).submit(run, t) for t in range(1, threads)]
    try:
        run(0)
    finally:
        for future in others:
            future.result()
    return labels, scores, counts, redo.astype(bool)
