"""The compiled training kernels (``csrc/``): word2vec and subwords, through ctypes.

Each task runs on its own thread (:func:`wordvec.kernels.tasks.run_tasks`); ctypes releases the
GIL during each call. The tests hold these kernels against the oracles of ``tests/oracles.py``
(NumPy and the reference kernels in Numba); their skip-gram block uses AVX-512 where the CPU has
it (:func:`wordvec.kernels.library.vector_code`).

>>> hot_rows((100_000, 128), 2)
4096
"""

from __future__ import annotations

import ctypes

import numpy as np

from . import tasks as K
from .library import checked_array as _checked
from .library import load

#: With more than one task at once, each task trains its own copy of the output rows of
#: the most frequent words (the first rows), as many as fit in this many bytes (about a
#: core's L2 cache), and adds its changes to the shared rows at its end (``csrc/train.c``).
HOT_BYTES = 2 << 20
#: ... but only where those words are hot: where they take at least this share of the corpus's
#: tokens (text: about 80 %). Graph walks and item sessions, near-uniform over their nodes or
#: items, take no copies: on 20,000-node walks (2 threads) the copies' 4,096 rows held 20 % of the
#: tokens and cost 9 MiB for no speed (5.59 s against 5.56 s, medians of 4).
HOT_SHARE = 0.5
#: ... and merges its changes into the shared rows (taking a fresh copy) after this many centre
#: words too: a copy kept for a whole task (about 45,000 centre words) cost 0.3 points of analogy
#: accuracy on the benchmark corpus; this interval wins them back for 3 % of the speed.
HOT_SYNC = 16384
#: The kernels read and write a weight row in slices of 16 floats (64 bytes: one cache line, one
#: AVX-512 vector). Where rows start on 64-byte boundaries every slice is one line; elsewhere every
#: slice spans two (rows of dim 100 are 400 bytes apart; a large array from malloc starts 16 bytes
#: past a boundary). See :func:`empty_rows`.
ROW_ALIGN_FLOATS = 16
_c_float_p = ctypes.POINTER(ctypes.c_float)
_c_int32_p = ctypes.POINTER(ctypes.c_int32)
_c_int64_p = ctypes.POINTER(ctypes.c_int64)
_c_uint8_p = ctypes.POINTER(ctypes.c_uint8)


class _Weights(ctypes.Structure):
    _fields_ = [("w_in", _c_float_p), ("w_out", _c_float_p), ("dim", ctypes.c_int64), ("stride", ctypes.c_int64),
                ("n_hot", ctypes.c_int64), ("hot_out", _c_float_p)]


class _Stream(ctypes.Structure):
    _fields_ = [("tokens", _c_int32_p), ("doc_offsets", _c_int64_p), ("n_offsets", ctypes.c_int64)]


class _Sampler(ctypes.Structure):
    _fields_ = [("keep_prob", _c_float_p), ("noise_accept", _c_float_p), ("noise_alias", _c_int32_p),
                ("noise_size", ctypes.c_int64)]


class _Tree(ctypes.Structure):
    _fields_ = [("w_nodes", _c_float_p), ("offsets", _c_int64_p), ("nodes", _c_int32_p), ("codes", _c_uint8_p),
                ("max_depth", ctypes.c_int64)]


class _Settings(ctypes.Structure):
    _fields_ = [("model", ctypes.c_int32), ("window", ctypes.c_int32), ("negative", ctypes.c_int32),
                ("loss_every", ctypes.c_int32), ("hot_rows", ctypes.c_int64), ("hot_sync", ctypes.c_int64),
                ("lr_start", ctypes.c_double), ("lr_end", ctypes.c_double),
                ("sigmoid_table", _c_float_p), ("sigmoid_last", ctypes.c_int64), ("sigmoid_max", ctypes.c_double),
                ("sigmoid_scale", ctypes.c_double), ("cbow_mean", ctypes.c_int32), ("shrink_windows", ctypes.c_int32),
                ("tree", ctypes.POINTER(_Tree)), ("hot_nodes", ctypes.c_int64)]


class _Task(ctypes.Structure):
    _fields_ = [("start", ctypes.c_int64), ("end", ctypes.c_int64), ("seed", ctypes.c_uint64)]


class _SubwordTable(ctypes.Structure):
    _fields_ = [("offsets", _c_int64_p), ("rows", _c_int32_p), ("max_pieces", ctypes.c_int64)]


class _Block(ctypes.Structure):
    _fields_ = [("contexts", _c_int32_p), ("n_contexts", ctypes.c_int32), ("targets", _c_int32_p),
                ("n_targets", ctypes.c_int32), ("codes", _c_uint8_p)]


def declare(library: ctypes.CDLL) -> ctypes.CDLL:
    """``library`` with the training kernels' signatures set."""
    ref = ctypes.c_void_p
    loss = ctypes.POINTER(ctypes.c_double)
    library.wv_train_task.argtypes = [ref, ref, ref, ref, ref, loss]
    library.wv_train_task.restype = ctypes.c_int
    library.wv_train_subword_task.argtypes = [ref, ref, ref, ref, ref, ref, loss]
    library.wv_train_subword_task.restype = ctypes.c_int
    for step in (library.wv_sgns_block, library.wv_cbow_step):
        step.argtypes = [ref, ref, ctypes.c_double, ref, ctypes.POINTER(ctypes.c_double)]
        step.restype = ctypes.c_int
    return library


_LIBRARY: ctypes.CDLL | None = None


def use_library(library: ctypes.CDLL | None) -> None:
    """Train with another build of the library (``benchmarks/kernel_ab.py`` times two builds in
    turns); None goes back to the installed one."""
    global _LIBRARY
    _LIBRARY = None if library is None else declare(library)


def _library() -> ctypes.CDLL:
    global _LIBRARY
    if _LIBRARY is None:
        _LIBRARY = declare(load())
    return _LIBRARY




def _pointer(array: np.ndarray, kind):
    return array.ctypes.data_as(kind)


def _aligned_stride(dim: int) -> int:
    """Floats from one row to the next in :func:`empty_rows`: ``dim`` rounded up to a multiple of 16."""
    return -(-max(dim, 1) // ROW_ALIGN_FLOATS) * ROW_ALIGN_FLOATS


def empty_rows(n_rows: int, dim: int, zeros: bool = False) -> np.ndarray:
    """A float32 matrix of ``n_rows`` rows of ``dim`` whose every row starts on a 64-byte
    boundary: ``dim`` rounded up to 16 floats apart, a view of a larger buffer unless ``dim``
    is a multiple of 16. Uninitialised, or zeros. The kernels train such rows faster
    (one epoch on the benchmark corpus, 2 threads: 15 % at dim 100, 10 % at dim 128).

    >>> rows = empty_rows(3, 100)
    >>> rows.shape, rows.strides, rows.ctypes.data % 64
    ((3, 100), (448, 4), 0)
    """
    stride = _aligned_stride(dim)
    size = n_rows * stride + ROW_ALIGN_FLOATS
    buffer = np.zeros(size, dtype=np.float32) if zeros else np.empty(size, dtype=np.float32)
    first = (-buffer.ctypes.data % (4 * ROW_ALIGN_FLOATS)) // 4
    return buffer[first:first + n_rows * stride].reshape(n_rows, stride)[:, :dim]


def aligned_rows(matrix: np.ndarray) -> np.ndarray:
    """``matrix`` itself when it is laid out as :func:`empty_rows` lays rows out, else such a copy.

    >>> plain = np.ones((4, 100), dtype=np.float32)
    >>> rows = aligned_rows(plain)
    >>> aligned_rows(rows) is rows, bool((rows == plain).all())
    (True, True)
    """
    n_rows, dim = matrix.shape
    stride = _aligned_stride(dim)
    if (matrix.dtype == np.float32 and matrix.ctypes.data % (4 * ROW_ALIGN_FLOATS) == 0 and matrix.strides[1] == 4
            and (n_rows < 2 or matrix.strides[0] == 4 * stride)):
        return matrix
    rows = empty_rows(n_rows, dim)
    rows[...] = matrix
    return rows


def _row_stride(matrix: np.ndarray) -> int | None:
    """Floats from one row to the next (None for fewer than two rows); refuses anything
    but float32 rows, each contiguous, in order."""
    if matrix.dtype != np.float32 or matrix.ndim != 2:
        raise TypeError(f"expected a float32 matrix, got {matrix.dtype} of {matrix.ndim} dimensions")
    if matrix.shape[0] < 2:
        return None
    if matrix.strides[1] != 4 or matrix.strides[0] % 4 or matrix.strides[0] < 4 * matrix.shape[1]:
        raise TypeError(f"expected a matrix of contiguous rows in order, got strides {matrix.strides}")
    return matrix.strides[0] // 4


def _weights(weights: K.Weights) -> _Weights:
    w_in, w_out = weights.w_in, weights.w_out
    strides = {_row_stride(w_in), _row_stride(w_out)} - {None}
    if w_in.shape[1] != w_out.shape[1] or len(strides) > 1:
        raise ValueError("w_in and w_out must be matrices with rows of one length, laid out alike")
    dim = w_in.shape[1]
    return _Weights(_pointer(w_in, _c_float_p), _pointer(w_out, _c_float_p), dim, strides.pop() if strides else dim,
                    0, None)


def _settings(settings: K.Settings, n_hot: int = 0, hot_sync: int = HOT_SYNC, tree: _Tree | None = None,
              hot_nodes: int = 0) -> _Settings:
    table = K.SIGMOID_TABLE
    return _Settings(int(settings.model), int(settings.window), int(settings.negative), K.LOSS_EVERY, n_hot, hot_sync,
                     float(settings.lr_start), float(settings.lr_end), _pointer(table, _c_float_p),
                     K.SIGMOID_LAST, K.SIGMOID_MAX, K.SIGMOID_SCALE, int(bool(settings.cbow_mean)),
                     int(bool(settings.shrink_windows)), None if tree is None else ctypes.pointer(tree), hot_nodes)


def _tree(tree: K.Tree, weights: K.Weights) -> _Tree:
    """The C view of ``tree``, its arrays checked against each other and against ``weights``."""
    offsets, nodes = _checked(tree.offsets, np.int64), _checked(tree.nodes, np.int32)
    codes, rows = _checked(tree.codes, np.uint8), tree.weights
    stride = _row_stride(rows)
    if rows.shape[1] != weights.w_in.shape[1] or stride not in (None, _weights(weights).stride):
        raise ValueError("the tree's rows must be laid out as w_in and w_out")
    if offsets.shape[0] != weights.w_in.shape[0] + 1 or nodes.shape != codes.shape or offsets[-1] != nodes.shape[0]:
        raise ValueError("the tree needs a path for every row of w_in: offsets, nodes and codes that agree")
    if nodes.size and (int(nodes.min()) < 0 or int(nodes.max()) >= rows.shape[0]):
        raise ValueError(f"the tree's paths name rows outside its {rows.shape[0]} inner-node rows")
    depth = int(np.diff(offsets).max()) if offsets.shape[0] > 1 else 0
    return _Tree(_pointer(rows, _c_float_p), _pointer(offsets, _c_int64_p), _pointer(nodes, _c_int32_p),
                 _pointer(codes, _c_uint8_p), depth)


def hot_rows(shape: tuple[int, int], n_tasks: int) -> int:
    """How many of the first rows each task copies (none when one task runs alone).

    >>> hot_rows((100_000, 128), 2), hot_rows((3_000, 32), 2), hot_rows((100_000, 128), 1)
    (4096, 3000, 0)
    """
    rows, dim = shape
    return 0 if n_tasks < 2 else min(rows, HOT_BYTES // (4 * max(dim, 1)))


def hot_rows_pay(counts: np.ndarray, dim: int) -> bool:
    """Whether the words whose output rows :func:`hot_rows` copies (the first rows) take at least
    :data:`HOT_SHARE` of the tokens; ``counts[1:]`` are the vocabulary's counts, most frequent first.

    >>> hot_rows_pay(np.array([0] + [1000 // r for r in range(1, 20_001)]), 128)  # Zipf's law
    True
    >>> hot_rows_pay(np.array([0] + [100] * 20_000), 128)
    False
    """
    counts = np.asarray(counts, dtype=np.int64)[1:]
    copied = counts[:hot_rows((counts.shape[0], dim), 2)]
    return bool(counts.sum() == 0 or copied.sum() >= HOT_SHARE * counts.sum())


def train_chunk(weights: K.Weights, stream: K.TokenStream, sampler: K.Sampler, settings: K.Settings,
                tasks: K.Tasks, n_hot: int | None = None, hot_sync: int = HOT_SYNC, tree: K.Tree | None = None,
                n_hot_nodes: int | None = None) -> None:
    """Train skip-gram or CBOW (``settings.model``) on every task of ``tasks`` at once, one thread each,
    in place; fills ``tasks.stats`` with ``[words seen, loss sum, loss terms]`` per task.

    Each task trains its token range ``tasks.bounds[t]:tasks.bounds[t + 1]`` (windows never cross a
    document boundary), its centre words kept with ``sampler.keep_prob``, its negatives drawn from
    the alias table, from its own seed, the learning rate decaying linearly from ``settings.lr_start``
    to ``settings.lr_end`` over the chunk. Each task copies the first ``n_hot`` output rows (default :func:`hot_rows`) and merges
    them every ``hot_sync`` centre words and at its end.

    With a ``tree`` (:class:`~wordvec.kernels.tasks.Tree`), each centre word is predicted along its
    path too (hierarchical softmax, before its negatives; ``settings.negative`` 0: no negatives),
    and each task copies the first ``n_hot_nodes`` inner-node rows likewise (default :func:`hot_rows`).
    """
    if n_hot is None and tree is not None and settings.negative == 0:
        n_hot = 0  # no output row is trained
    if tree is not None and n_hot_nodes is None:
        n_hot_nodes = hot_rows(tree.weights.shape, len(tasks.seeds))
    _run(_library().wv_train_task, (), weights, stream, sampler, settings, tasks, (n_hot, hot_sync),
         (tree, n_hot_nodes))


def train_subword_chunk(weights: K.Weights, table, stream: K.TokenStream, sampler: K.Sampler,
                        settings: K.Settings, tasks: K.Tasks, n_hot: int | None = 0) -> None:
    """:func:`train_chunk` for subword models: a word's input vector is the mean of the rows of its
    pieces, ``table.rows[table.offsets[w]:table.offsets[w + 1]]``.

    By default no task copies output rows (``n_hot=0``; None: :func:`hot_rows`). A subword
    step's time goes to the piece rows, so the copies saved about 1 % on the benchmark corpus
    (one epoch, 2 threads, alternating: 0.805M words/s against 0.797M), while the copies'
    staleness cost about a point of analogy accuracy (two seeds each: 54.3 % against 55.4 %)."""
    offsets, rows = _checked(table.offsets, np.int64), _checked(table.rows, np.int32)
    c_table = _SubwordTable(_pointer(offsets, _c_int64_p), _pointer(rows, _c_int32_p), int(table.max_pieces))
    _run(_library().wv_train_subword_task, (ctypes.byref(c_table),), weights, stream, sampler, settings, tasks,
         (n_hot, HOT_SYNC))


def _run(function, before, weights, stream, sampler, settings, tasks, hot, tree=(None, 0)) -> None:
    """Run ``function(weights, *before, stream, sampler, settings, task, loss)`` for every task;
    ``hot`` is ``(n_hot or None for the default, hot_sync)``, ``tree`` ``(tree or None, n_hot_nodes)``."""
    n_hot, hot_sync = hot
    c_tree = None if tree[0] is None else _tree(tree[0], weights)
    hot_nodes = 0 if tree[0] is None else min(int(tree[1]), tree[0].weights.shape[0])
    if n_hot is None:
        n_hot = hot_rows(weights.w_out.shape, len(tasks.seeds))
    tokens, offsets = _checked(stream.tokens, np.int32), _checked(stream.doc_offsets, np.int64)
    keep, accept, alias = (_checked(sampler.keep_prob, np.float32), _checked(sampler.noise_accept, np.float32),
                           _checked(sampler.noise_alias, np.int32))
    arguments = (ctypes.byref(_weights(weights)), *before,
                 ctypes.byref(_Stream(_pointer(tokens, _c_int32_p), _pointer(offsets, _c_int64_p), offsets.shape[0])),
                 ctypes.byref(_Sampler(_pointer(keep, _c_float_p), _pointer(accept, _c_float_p),
                                       _pointer(alias, _c_int32_p), accept.shape[0])),
                 ctypes.byref(_settings(settings, min(int(n_hot), weights.w_out.shape[0]), int(hot_sync), c_tree,
                                        hot_nodes)))

    def task(start, end, seed):
        loss = (ctypes.c_double * 2)()
        if function(*arguments, ctypes.byref(_Task(start, end, int(seed))), loss) != 0:
            raise MemoryError("not enough memory for a training task's buffers")
        return loss[0], int(loss[1])

    K.run_tasks(task, tasks)


def _step(function, weights: K.Weights, block: K.Block, lr: float, codes, cbow_mean: bool) -> tuple[float, int]:
    contexts, targets = _checked(block.contexts, np.int32), _checked(block.targets, np.int32)
    if codes is not None:
        codes = _checked(codes, np.uint8)
        if codes.shape[0] < block.n_targets:
            raise ValueError(f"{codes.shape[0]} codes for a path of {block.n_targets} nodes")
    c_block = _Block(_pointer(contexts, _c_int32_p), int(block.n_contexts), _pointer(targets, _c_int32_p),
                     int(block.n_targets), None if codes is None else _pointer(codes, _c_uint8_p))
    loss = (ctypes.c_double * 2)()
    settings = _settings(K.Settings(K.SKIP_GRAM, 1, max(int(block.n_targets) - 1, 0), lr, lr, cbow_mean))
    if function(ctypes.byref(_weights(weights)), ctypes.byref(c_block), lr, ctypes.byref(settings), loss) != 0:
        raise MemoryError("not enough memory for a training step's buffers")
    return loss[0], int(loss[1])


def sgns_block(weights: K.Weights, block: K.Block, lr: float, codes: np.ndarray | None = None) -> tuple[float, int]:
    """One skip-gram block in place: every context row of ``block`` against every target row (the
    first target positive, the rest negatives); returns ``(loss, terms)``.

    With ``codes`` (uint8), the targets are the inner nodes of a path, labelled ``1 - codes[k]``,
    and ``weights.w_out`` holds the inner nodes' rows (hierarchical softmax)."""
    return _step(_library().wv_sgns_block, weights, block, lr, codes, True)


def cbow_step(weights: K.Weights, block: K.Block, lr: float, codes: np.ndarray | None = None,
              cbow_mean: bool = True) -> tuple[float, int]:
    """One CBOW step in place: the mean of the context rows (their sum, without ``cbow_mean``)
    against every target row, or against a path's inner nodes with ``codes`` (as :func:`sgns_block`);
    returns ``(loss, terms)``."""
    return _step(_library().wv_cbow_step, weights, block, lr, codes, cbow_mean)
