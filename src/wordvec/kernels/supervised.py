"""Training kernel of fastText's supervised classifier (``csrc/supervised.c``) through ctypes.

:func:`train_examples` trains a range of examples once, in order, as fastText's ``supervised``
model does for each line (the mean of its input rows against its labels; ``softmax``, ``ns``,
``hs`` or ``ova``), on ``threads`` threads that share the matrices without locks (Hogwild; ctypes
releases the GIL). The labels' structures come from :func:`negative_table` (``ns``) and
:func:`huffman_paths` (``hs``), both built as fastText builds them; :func:`label_model` makes
either.

>>> import numpy as np
>>> examples = make_examples(rows=[0, 1, 2], row_starts=[0, 2, 3], targets=[0, 1], target_starts=[0, 1, 2],
...                          tokens=[3, 2])
>>> input, output = np.full((3, 4), 0.1, np.float32), np.zeros((2, 4), np.float32)
>>> loss, trained = train_examples(input, output, examples, label_model("softmax", [1, 1]), 0, 2, 0.1, 0.0)
>>> trained, round(loss, 2)
(2, 1.39)
"""

from __future__ import annotations

import ctypes
import functools
from typing import NamedTuple

import numpy as np

from .library import load
from .tasks import Tasks, run_tasks

__all__ = ["LOSSES", "NEGATIVE_TABLE_SIZE", "Examples", "LabelModel", "make_examples", "label_model",
           "negative_table", "huffman_paths", "sigmoid_table", "log_table", "thread_seeds", "train_examples"]

#: The losses, in the kernel's numbering.
LOSSES = ("softmax", "ns", "hs", "ova")
#: fastText's negative table: about this many entries, each label count ** 0.5 times in proportion.
NEGATIVE_TABLE_SIZE = 10_000_000

# Input matrices larger than this (bytes) have each example's rows asked for before they are summed:
# rows then come from memory, not from the caches, and the requests overlap.
_PREFETCH_BYTES = 32 << 20

_MAX_SIGMOID = 8
_TABLE_SIZE = 512


class Examples(NamedTuple):
    """Examples as flat arrays (:func:`make_examples` checks them): example ``e`` has input rows
    ``rows[row_starts[e]:row_starts[e + 1]]`` (int32), labels ``targets[target_starts[e]:target_starts[e + 1]]``
    (int32) and counts ``tokens[e]`` tokens (int64) towards the learning rate's decay."""

    rows: np.ndarray
    row_starts: np.ndarray
    targets: np.ndarray
    target_starts: np.ndarray
    tokens: np.ndarray


class LabelModel(NamedTuple):
    """The loss and its label structures (:func:`label_model`): ``negatives`` and ``negative_table`` (int32 label
    ids) for ``ns``; ``paths`` (int32 output rows), ``codes`` (uint8) and ``path_starts`` (int64, labels + 1) for
    ``hs``; empty arrays otherwise."""

    loss: str
    negatives: int
    negative_table: np.ndarray
    paths: np.ndarray
    codes: np.ndarray
    path_starts: np.ndarray


def _flat(values, dtype, name: str) -> np.ndarray:
    array = np.ascontiguousarray(values, dtype=dtype)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a flat array")
    return array


def _check_starts(starts: np.ndarray, n_items: int, n: int, name: str, first: int = 0,
                  last: int | None = None) -> None:
    """``starts`` has an entry per example and one more, from 0 to ``n_items``, rising within first..last."""
    last = n if last is None else last
    if (len(starts) != n + 1 or starts[0] != 0 or starts[-1] != n_items or not 0 <= starts[first]
            or not starts[last] <= n_items or np.any(np.diff(starts[first:last + 1]) < 0)):
        raise ValueError(f"{name} must rise from 0 to the number of items, one entry per example and one more")


def make_examples(rows, row_starts, targets, target_starts, tokens) -> Examples:
    """:class:`Examples` from array-likes, converted to their types and checked for shape.

    >>> make_examples([4, 2], [0, 2], [1], [0, 1], [3]).row_starts.dtype
    dtype('int64')
    """
    examples = Examples(_flat(rows, np.int32, "rows"), _flat(row_starts, np.int64, "row_starts"),
                        _flat(targets, np.int32, "targets"), _flat(target_starts, np.int64, "target_starts"),
                        _flat(tokens, np.int64, "tokens"))
    _check_examples(examples)
    return examples


def _check_examples(examples: Examples, first: int = 0, last: int | None = None) -> None:
    """Types and shapes of every array; the starts' rise and the tokens' sign within examples first..last-1
    (all of them by default: :func:`train_examples` checks only the range it trains, a chunk at a time)."""
    for name, dtype in zip(Examples._fields, (np.int32, np.int64, np.int32, np.int64, np.int64)):
        _check_array(getattr(examples, name), dtype, name)
    n = len(examples.tokens)
    last = n if last is None else last
    if not 0 <= first <= last <= n:
        raise ValueError(f"first and last must satisfy 0 <= first <= last <= {n}")
    _check_starts(examples.row_starts, len(examples.rows), n, "row_starts", first, last)
    _check_starts(examples.target_starts, len(examples.targets), n, "target_starts", first, last)
    if last > first and int(examples.tokens[first:last].min()) < 0:
        raise ValueError("tokens must not be negative")


def _check_array(array, dtype, name: str) -> np.ndarray:
    """``array`` itself, for the kernel: refused (ValueError) unless a C-contiguous ``dtype`` array."""
    if not isinstance(array, np.ndarray) or array.dtype != dtype or not array.flags.c_contiguous:
        raise ValueError(f"{name} must be a C-contiguous {np.dtype(dtype).name} array")
    return array


def sigmoid_table() -> np.ndarray:
    """fastText's 513 sigmoid values at ``-8 + 16 i / 512`` (float32)."""
    x = (np.arange(_TABLE_SIZE + 1, dtype=np.float32) * np.float32(2 * _MAX_SIGMOID) / np.float32(_TABLE_SIZE)
         - np.float32(_MAX_SIGMOID))
    return (1.0 / (1.0 + np.exp(-x).astype(np.float64))).astype(np.float32)


def log_table() -> np.ndarray:
    """fastText's 513 values of ``log((i + 1e-5) / 512)`` (float32), its ``Loss::log``."""
    x = (np.arange(_TABLE_SIZE + 1, dtype=np.float32) + np.float32(1e-5)) / np.float32(_TABLE_SIZE)
    return np.log(x).astype(np.float32)


def negative_table(label_counts, seed: int = 0, size: int = NEGATIVE_TABLE_SIZE) -> np.ndarray:
    """fastText's table of negative labels: label ``i`` ``ceil(c_i * size / z)`` times (``c_i`` its count ** 0.5,
    ``z`` their sum, in float32 as fastText computes them), shuffled with ``seed`` (in C: NumPy's shuffle
    of fastText's 10M entries took 1.4 s).

    >>> np.bincount(negative_table([9, 1], size=8)).tolist()
    [6, 2]
    """
    counts = np.asarray(label_counts, dtype=np.int64)
    if counts.ndim != 1 or not len(counts) or int(counts.min()) < 0 or not counts.any():
        raise ValueError("label_counts must be a non-empty list of counts, not all zero")
    roots = np.sqrt(counts.astype(np.float64))
    z = np.float32(0.0)
    for root in roots:
        z = np.float32(np.float64(z) + root)
    repeats = np.ceil(roots.astype(np.float32) * np.float32(size) / z).astype(np.int64)
    table = np.repeat(np.arange(len(counts), dtype=np.int32), repeats)
    _library().wv_shuffle_labels(table.ctypes.data, len(table), int(thread_seeds(seed, 1)[0]))
    return table


def huffman_paths(label_counts) -> tuple:
    """Each label's path in fastText's Huffman tree, leaf to root: ``(paths, codes, path_starts)``.

    Inner node ``v`` (``n .. 2n-2``) uses output row ``v - n``; a step's code is 1 where the path
    passes through a right child (fastText's ``binary``).

    >>> paths, codes, starts = huffman_paths([5, 3, 1])
    >>> paths.tolist(), codes.tolist(), starts.tolist()
    ([1, 0, 1, 0, 1], [1, 1, 0, 0, 0], [0, 1, 3, 5])
    """
    counts = [int(c) for c in label_counts]
    n = len(counts)
    if not n:
        raise ValueError("label_counts must not be empty")
    count = counts + [10 ** 15] * (n - 1)
    parent, right = [-1] * (2 * n - 1), [False] * (2 * n - 1)
    leaf, node = n - 1, n
    for i in range(n, 2 * n - 1):
        picked = []
        for _ in range(2):
            if leaf >= 0 and count[leaf] < count[node]:
                picked.append(leaf)
                leaf -= 1
            else:
                picked.append(node)
                node += 1
        count[i] = count[picked[0]] + count[picked[1]]
        parent[picked[0]] = parent[picked[1]] = i
        right[picked[1]] = True
    paths, codes, starts = [], [], [0]
    for label in range(n):
        j = label
        while parent[j] != -1:
            paths.append(parent[j] - n)
            codes.append(int(right[j]))
            j = parent[j]
        starts.append(len(paths))
    return np.array(paths, np.int32), np.array(codes, np.uint8), np.array(starts, np.int64)


def label_model(loss: str, label_counts, negatives: int = 5, seed: int = 0,
                table_size: int = NEGATIVE_TABLE_SIZE) -> LabelModel:
    """The :class:`LabelModel` of ``loss`` for labels with these counts (``ns``: ``negatives`` a target, drawn
    from a :func:`negative_table` of ``table_size`` shuffled with ``seed``).

    >>> label_model("hs", [5, 3, 1]).path_starts.tolist()
    [0, 1, 3, 5]
    """
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}, not {loss!r}")
    no_ids, no_codes = np.zeros(0, np.int32), np.zeros(0, np.uint8)
    if loss == "ns":
        return LabelModel(loss, int(negatives), negative_table(label_counts, seed, table_size), no_ids, no_codes,
                          np.zeros(0, np.int64))
    if loss == "hs":
        return LabelModel(loss, 0, no_ids, *huffman_paths(label_counts))
    return LabelModel(loss, 0, no_ids, no_ids, no_codes, np.zeros(0, np.int64))


def thread_seeds(seed: int, threads: int) -> np.ndarray:
    """The starting random state of each thread's part (uint64), from ``(seed, thread)``.

    >>> thread_seeds(0, 2).dtype
    dtype('uint64')
    """
    return np.array([np.random.SeedSequence([int(seed), t]).generate_state(1, np.uint64)[0] for t in range(threads)],
                    dtype=np.uint64)


_ref = ctypes.c_void_p


class _Weights(ctypes.Structure):
    _fields_ = [("w_in", _ref), ("w_out", _ref), ("dim", ctypes.c_int64), ("stride", ctypes.c_int64),
                ("n_hot", ctypes.c_int64), ("hot_out", _ref)]


class _Examples(ctypes.Structure):
    _fields_ = [("rows", _ref), ("row_starts", _ref), ("targets", _ref), ("target_starts", _ref), ("tokens", _ref),
                ("prefetch", ctypes.c_int64)]


class _Labels(ctypes.Structure):
    _fields_ = [("loss", ctypes.c_int32), ("negatives", ctypes.c_int32), ("negative_table", _ref),
                ("negative_size", ctypes.c_int64), ("paths", _ref), ("codes", _ref), ("path_starts", _ref),
                ("label_ids", _ref), ("n_labels", ctypes.c_int64), ("sigmoid_table", _ref), ("log_table", _ref)]


class _Part(ctypes.Structure):
    _fields_ = [("first", ctypes.c_int64), ("last", ctypes.c_int64), ("lr_start", ctypes.c_double),
                ("lr_end", ctypes.c_double), ("seed", ctypes.c_uint64), ("hot_input", ctypes.c_int64),
                ("hot_output", ctypes.c_int64), ("hot_every", ctypes.c_int64)]


@functools.cache
def _library() -> ctypes.CDLL:
    library = load()
    library.wv_train_supervised.argtypes = [ctypes.POINTER(_Weights), ctypes.POINTER(_Examples),
                                            ctypes.POINTER(_Labels), ctypes.POINTER(_Part), _ref, _ref, _ref]
    library.wv_train_supervised.restype = None
    library.wv_shuffle_labels.argtypes = [_ref, ctypes.c_int64, ctypes.c_uint64]
    library.wv_shuffle_labels.restype = None
    return library


@functools.cache
def _tables() -> tuple:
    return sigmoid_table(), log_table()


def _check_matrices(input, output) -> None:
    _check_array(input, np.float32, "input")
    _check_array(output, np.float32, "output")
    if input.ndim != 2 or output.ndim != 2 or input.shape[1] != output.shape[1] or input.shape[1] < 1:
        raise ValueError("input and output must be matrices of the same width (1 or more)")
    if not output.shape[0]:
        raise ValueError("output needs a row per label")


def _check_range(examples: Examples, first: int, last: int, n_input: int, n_labels: int) -> None:
    """The examples first..last-1 read only rows and labels that exist."""
    if not 0 <= first <= last <= len(examples.tokens):
        raise ValueError(f"first and last must satisfy 0 <= first <= last <= {len(examples.tokens)}")
    rows = examples.rows[examples.row_starts[first]:examples.row_starts[last]]
    if len(rows) and int(rows.view(np.uint32).max()) >= n_input:  # one pass: a negative id is read as >= 2**31
        raise ValueError("an input row outside the input matrix")
    targets = examples.targets[examples.target_starts[first]:examples.target_starts[last]]
    if len(targets) and int(targets.view(np.uint32).max()) >= n_labels:
        raise ValueError("a target label outside the output matrix")


def _check_labels(labels: LabelModel, n_labels: int, targets: np.ndarray) -> None:
    """The label model fits ``n_labels`` labels, and (``ns``) no target could wait forever for a negative."""
    if labels.loss not in LOSSES:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}, not {labels.loss!r}")
    if labels.loss == "ns":
        table = _check_array(labels.negative_table, np.int32, "negative_table")
        if not 0 <= labels.negatives < 2 ** 31 - 1 or not 0 < len(table) < 2 ** 32:
            raise ValueError("ns needs 0 or more negatives and a non-empty negative table")
        low, high = int(table.min()), int(table.max())
        if low < 0 or high >= n_labels:
            raise ValueError("a negative label outside the output matrix")
        if labels.negatives and low == high and np.any(targets == low):
            raise ValueError(f"the negative table holds only label {low}, a target here: no negative to draw")
    if labels.loss == "hs":
        paths = _check_array(labels.paths, np.int32, "paths")
        _check_array(labels.codes, np.uint8, "codes")
        starts = _check_array(labels.path_starts, np.int64, "path_starts")
        if len(labels.codes) != len(paths):
            raise ValueError("paths and codes must have the same length")
        _check_starts(starts, len(paths), n_labels, "path_starts")
        if len(paths) and (int(paths.min()) < 0 or int(paths.max()) >= n_labels):
            raise ValueError("a path node outside the output matrix")


def _parts(tokens: np.ndarray, first: int, last: int, threads: int) -> tuple:
    """Bounds of ``threads`` contiguous parts of about equal tokens, and the tokens before each example."""
    before = np.zeros(last - first + 1, np.int64)
    np.cumsum(tokens[first:last], out=before[1:])
    total = int(before[-1])
    steps = np.arange(threads + 1, dtype=np.int64)
    if total > 0:
        bounds = first + np.searchsorted(before[:-1] * threads, total * steps, side="left")
    else:
        bounds = first + (last - first) * steps // threads
    bounds[0], bounds[-1] = first, last
    return bounds.astype(np.int64), before


#: With several threads, each trains its own copy of this many of the first input rows (the most
#: frequent words), of the output rows where they are at most HOT_OUTPUT_FLOATS floats, and merges
#: them into the shared rows every HOT_EVERY examples (see wv_sup_part in supervised.c). On the
#: Fine Foods stand-in, 200,000 reviews, 2 threads: 3.6-6.2 s with every row shared (slower than one
#: thread, 4.1-5.1 s), 2.7-3.5 s with the copies; held-out P@1 0.656-0.660 either way.
HOT_INPUT_ROWS, HOT_OUTPUT_FLOATS, HOT_EVERY = 1024, 65536, 256


def _hot_rows(input_shape: tuple, output_rows: int, threads: int) -> tuple:
    """``(hot_input, hot_output, hot_every)`` of each part, for ``threads`` parts (one: none)."""
    rows, dim = input_shape
    if threads == 1:
        return 0, 0, 0
    return (min(rows, HOT_INPUT_ROWS), output_rows if output_rows * dim <= HOT_OUTPUT_FLOATS else 0, HOT_EVERY)


def train_examples(input: np.ndarray, output: np.ndarray, examples: Examples, labels: LabelModel, first: int,
                   last: int, lr_first: float, lr_last: float, threads: int = 1, seed: int = 0) -> tuple:
    """Train examples ``first..last-1`` once, in order, updating ``input`` and ``output`` in place.

    The examples are split into ``threads`` contiguous parts of about equal tokens, thread ``t``
    training part ``t`` from its own random state (:func:`thread_seeds`); the learning rate falls
    linearly by tokens from ``lr_first`` at ``first`` to ``lr_last`` at ``last``. With one thread
    and the same seed, two runs give the same bits. With several, each thread trains its own copy
    of the hot rows (:data:`HOT_INPUT_ROWS`), merged into the shared ones as it goes.

    Parameters
    ----------
    input, output : numpy.ndarray
        C-contiguous float32 matrices, rows x dim and labels x dim.
    examples : Examples
        The examples (:func:`make_examples`).
    labels : LabelModel
        The loss and its structures (:func:`label_model`).

    Returns
    -------
    tuple
        ``(sum of the losses, number of examples trained)``; examples without rows or labels are skipped.
    """
    _check_matrices(input, output)
    first, last, threads = int(first), int(last), max(1, int(threads))
    _check_examples(examples, first, last)
    n_labels = output.shape[0]
    _check_range(examples, first, last, input.shape[0], n_labels)
    _check_labels(labels, n_labels, examples.targets[examples.target_starts[first]:examples.target_starts[last]])
    threads = min(threads, max(1, last - first))
    bounds, before = _parts(examples.tokens, first, last, threads)
    total = max(int(before[-1]), 1)
    library, (sigmoids, logs) = _library(), _tables()
    label_ids = np.arange(n_labels, dtype=np.int32)
    flat = _Examples(*(getattr(examples, name).ctypes.data for name in Examples._fields),
                     input.nbytes > _PREFETCH_BYTES)
    structs = _Labels(LOSSES.index(labels.loss), labels.negatives, labels.negative_table.ctypes.data,
                      len(labels.negative_table), labels.paths.ctypes.data, labels.codes.ctypes.data,
                      labels.path_starts.ctypes.data, label_ids.ctypes.data, n_labels, sigmoids.ctypes.data,
                      logs.ctypes.data)
    width, hot = max(n_labels, labels.negatives + 1), _hot_rows(input.shape, n_labels, threads)
    weights = _Weights(input.ctypes.data, output.ctypes.data, input.shape[1], input.shape[1], 0, None)

    def lr_at(example: int) -> float:
        return lr_first + (lr_last - lr_first) * int(before[example - first]) / total

    def task(start: int, end: int, part_seed) -> tuple:
        work = np.empty(3 * input.shape[1] + 2 * width, np.float32)
        work_ids = np.empty(labels.negatives + 1, np.int32)
        out = np.zeros(2, np.float64)
        part = _Part(start, end, lr_at(start), lr_at(end), int(part_seed), *hot)
        library.wv_train_supervised(ctypes.byref(weights), ctypes.byref(flat), ctypes.byref(structs),
                                    ctypes.byref(part), work.ctypes.data, work_ids.ctypes.data, out.ctypes.data)
        return float(out[0]), int(out[1])

    tasks = Tasks(bounds, thread_seeds(seed, threads), np.zeros((threads, 3), np.float64))
    run_tasks(task, tasks)
    return float(tasks.stats[:, 1].sum()), int(round(tasks.stats[:, 2].sum()))
