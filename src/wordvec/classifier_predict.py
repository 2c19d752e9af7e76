"""fastText's prediction, from a text's input rows to its k best labels, for many texts at once.

The numbers are fastText's, computed in its order and with its roundings, so
that they come out the same to the bit as fastText's Linux build (glibc's
``expf``, no fused multiply-add):

- the text's vector (``hidden``) is the sum of its input rows in float32, row
  after row, times ``float32(1 / number of rows)``; each score is a float32
  dot product summed in order of the dimensions;
- ``softmax``: the exponentials of the scores less their maximum, over their
  float32 sum; ``ova`` and ``ns``: fastText's sigmoid *table* (512 steps
  over [-8, 8]) of each score;
- a label's log-score is ``log(p + 1e-5)`` (in double), and the probability
  returned is :func:`expf` of it: ``p + 1e-5``, which can pass 1;
- ``hs``: a walk down the Huffman tree over the labels (rebuilt from the
  label counts), each inner node splitting with the exact sigmoid of its
  score; a branch stops below ``log(threshold + 1e-5)`` (so some labels are
  never reached, even with ``k=-1``), or below the k-th best leaf found;
- the k best come out of a binary heap with libstdc++'s order for equal
  log-scores (not "lowest label first").

Each step is done on NumPy arrays for a batch of texts; the few texts whose
result depends on the heap's order (equal log-scores among those returned,
or, for ``hs``, leaves too close to the k-th to tell which fastText's walk
keeps) are redone one by one, exactly as fastText walks. :meth:`Predictor.predict_rows`
takes flat arrays; for a dense input matrix with ``softmax``, ``ova`` or ``ns`` (and a
dense output matrix), a batch of more than a few texts runs in the compiled kernel
(:mod:`wordvec.kernels.classify`) on ``threads`` threads, the GIL released, and only the
texts it flags (equal log-scores) are redone here.

>>> import numpy as np
>>> from wordvec.formats.fasttext_supervised import FastTextSupervised
>>> model = FastTextSupervised.from_arrays(["</s>", "good"], ["__label__pos", "__label__neg"],
...                                       [[0, 0], [1, 0]], [[2, 0], [-2, 0]])
>>> [(labels, [round(float(p), 4) for p in probs]) for labels, probs in
...  Predictor(model).predict_rows(np.array([1, 0]), np.array([0, 2]), k=2, threshold=0.0)]
[([0, 1], [0.8808, 0.1192])]
"""

from __future__ import annotations

from array import array

import numpy as np

from .formats.fasttext_supervised import FastTextSupervised, QuantizedMatrix

_F32 = np.float32
_MAX_SIGMOID = 8
_SIGMOID_TABLE = 512
_LOG_EPS = 1e-5
_ROWS_PER_BLOCK = 1 << 18  # input rows gathered at a time
_FEW_TEXTS = 16  # up to this many texts: one at a time (less NumPy overhead than the batch's steps)
_SMALL_PRODUCTS = 1 << 16  # texts x labels x dim up to this: scored in one reduction
_FEW_BEST = 4  # up to this many best labels: found by passes of argmax
_SCORES_PER_BLOCK = 1 << 21  # texts x labels scored at a time
_POSITIVE_STEP = 2e-5  # more than log(1 + 1e-5) plus rounding: the most a node's log-score grows
# glibc's expf (Arm's optimized routines): 2^(k/32) from a table, a cubic for the rest, in double
_EXPF_N = 32
_EXPF_TABLE = np.array([int(np.float64(2.0 ** (i / _EXPF_N)).view(np.uint64)) - (i << 47) for i in range(_EXPF_N)],
                       dtype=np.uint64)
_EXPF_POLY = (float.fromhex("0x1.c6af84b912394p-5") / _EXPF_N ** 3,
              float.fromhex("0x1.ebfce50fac4f3p-3") / _EXPF_N ** 2,
              float.fromhex("0x1.62e42ff0c52d6p-1") / _EXPF_N)
_EXPF_SCALE = float.fromhex("0x1.71547652b82fep+0") * _EXPF_N
_EXPF_SHIFT = float.fromhex("0x1.8p+52")
_EXPF_HIGH, _EXPF_LOW = _F32(float.fromhex("0x1.62e42ep6")), _F32(float.fromhex("-0x1.9fe368p6"))  # inf, 0 past
_EXPF_MASK, _EXPF_BITS = np.int64(_EXPF_N - 1), np.uint64(47)


def expf(x) -> np.ndarray:
    """C's ``expf`` as glibc computes it, the one fastText calls (float32 in, float32 out).

    It is not always the correctly rounded ``exp`` (1 float in about 1,700
    differs by one unit in the last place), and fastText's probabilities carry
    its rounding.

    Examples
    --------
    >>> expf(np.array([0.0, 1.0, -np.inf, 100.0], np.float32)).tolist()
    [1.0, 2.7182817459106445, 0.0, inf]
    """
    x = np.asarray(x, dtype=_F32)
    inside = (x >= _EXPF_LOW) & (x <= _EXPF_HIGH)
    if not inside.all():  # past float32's range, infinities, NaN
        with np.errstate(invalid="ignore", over="ignore"):
            y = expf(np.where(inside, x, _F32(0)))
        return np.where(inside, y, np.where(x > _EXPF_HIGH, _F32(np.inf), np.where(x < _EXPF_LOW, _F32(0), x)))
    z = x.astype(np.float64)
    z *= _EXPF_SCALE
    shifted = z + _EXPF_SHIFT  # rounds z to an integer k, kept in the low bits
    scale = _EXPF_TABLE[shifted.view(np.int64) & _EXPF_MASK] + (shifted.view(np.uint64) << _EXPF_BITS)
    r = z - (shifted - _EXPF_SHIFT)
    y = _EXPF_POLY[0] * r + _EXPF_POLY[1]
    y *= r * r
    y += _EXPF_POLY[2] * r + 1.0
    y *= scale.view(np.float64)
    return y.astype(_F32)


def std_log(p) -> np.ndarray:
    """fastText's ``std_log``: ``float32(log(float32(p) + 1e-5))``, computed in double."""
    return np.log(np.asarray(p, dtype=_F32).astype(np.float64) + _LOG_EPS).astype(_F32)


def sigmoid_table() -> np.ndarray:
    """fastText's 513 sigmoid values at ``-8 + 16 i / 512`` (float32, from :func:`expf`)."""
    x = np.arange(_SIGMOID_TABLE + 1, dtype=_F32) * _F32(2 * _MAX_SIGMOID) / _F32(_SIGMOID_TABLE) - _F32(_MAX_SIGMOID)
    return (1.0 / (1.0 + expf(-x).astype(np.float64))).astype(_F32)


def table_sigmoid(x: np.ndarray, table: np.ndarray) -> np.ndarray:
    """fastText's ``Loss::sigmoid``: 0 below -8, 1 above 8, else the table at ``trunc((x + 8) * 32)``."""
    x = np.asarray(x, dtype=_F32)
    index = ((x + _F32(_MAX_SIGMOID)) * _F32(_SIGMOID_TABLE) / _F32(_MAX_SIGMOID) / _F32(2))
    index = np.clip(np.nan_to_num(index), 0, _SIGMOID_TABLE).astype(np.int64)
    return np.where(x < -_MAX_SIGMOID, _F32(0), np.where(x > _MAX_SIGMOID, _F32(1), table[index]))


def exact_sigmoid(x: np.ndarray) -> np.ndarray:
    """The sigmoid fastText's hierarchical softmax uses: ``float32(1.0 / float32(1 + expf(-x)))``."""
    return (1.0 / (_F32(1) + expf(-np.asarray(x, dtype=_F32))).astype(np.float64)).astype(_F32)


def ordered_dots(hidden: np.ndarray, rows_t: np.ndarray) -> np.ndarray:
    """``hidden @ rows_t`` in float32, each dot product summed in order of the dimensions (fastText's loop).

    ``rows_t`` is the transposed matrix (``dim x rows``). Each product is
    rounded, then added (no fused multiply-add), as fastText's ``dotRow``.

    Examples
    --------
    >>> ordered_dots(np.ones((1, 3), np.float32), np.array([[1e8], [1], [-1e8]], np.float32)).tolist()
    [[0.0]]
    """
    if hidden.shape[0] * rows_t.size <= _SMALL_PRODUCTS:  # a reduction over the first axis adds in order
        return np.add.reduce(rows_t[:, None, :] * hidden.T[:, :, None], axis=0)
    out = hidden[:, 0, None] * rows_t[0]
    step = np.empty_like(out)  # one buffer: a new large one each time would be mapped afresh
    for j in range(1, hidden.shape[1]):
        out += np.multiply(hidden[:, j, None], rows_t[j], out=step)
    return out


class HuffmanTree:
    """fastText's Huffman tree over the labels, as ``HierarchicalSoftmaxLoss`` builds it from their counts.

    Leaves are the labels ``0 .. n-1``; inner node ``v`` (``n .. 2n-2``, the root
    last) uses output row ``v - n``; its ``right`` child is the branch of
    probability ``sigmoid(score)``.

    Examples
    --------
    >>> tree = HuffmanTree([5, 3, 1])
    >>> tree.left.tolist(), tree.right.tolist(), tree.depth
    ([-1, -1, -1, 2, 3], [-1, -1, -1, 1, 0], 2)
    """

    def __init__(self, counts):
        n = len(counts)
        count = [int(c) for c in counts] + [10 ** 15] * (n - 1)
        left, right, depth = [-1] * (2 * n - 1), [-1] * (2 * n - 1), [0] * (2 * n - 1)
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
            left[i], right[i] = picked
            count[i] = count[picked[0]] + count[picked[1]]
        for i in range(2 * n - 2, n - 1, -1):  # parents come after their children
            depth[left[i]] = depth[right[i]] = depth[i] + 1
        self.labels, self.root = n, 2 * n - 2
        self.left, self.right = np.array(left, np.int64), np.array(right, np.int64)
        self.left_list, self.right_list = left, right
        self.depth = max(depth)


class Predictor:
    """The k best labels of texts given by their input rows, as fastText's ``predict`` finds them.

    Parameters
    ----------
    model : FastTextSupervised
        The model's header, dictionary counts and matrices (dense or quantized).
    threads : int
        Threads the compiled kernel splits a batch over (dense models, losses
        ``softmax``, ``ova``, ``ns``).
    """

    def __init__(self, model: FastTextSupervised, threads: int = 1):
        self.model = model
        self.threads = threads
        self.loss = model.loss
        self.dim = model.args["dim"]
        self.labels = len(model.labels_raw)
        self.tree = HuffmanTree(model.label_counts) if self.loss == "hs" else None
        self._table = sigmoid_table()
        output = model.output
        if self.tree is not None:  # the inner nodes' rows (the last row is never used)
            index = np.arange(self.labels - 1)
        else:
            index = np.arange(self.labels)
        if isinstance(output, QuantizedMatrix):  # fastText: (sum of x * centroid) * norm
            self._out_t, self._out_norms = np.ascontiguousarray(output.unscaled_rows(index).T), output.norms(index)
        else:
            self._out_t, self._out_norms = np.ascontiguousarray(np.asarray(output[index], dtype=_F32).T), None
        self._kernel_model = None  # made on first use (wordvec.kernels.classify.DenseModel), or False
        self._text_model = None

    def text_model(self):
        """The compiled kernel's view of the whole model, dictionary included (made once).

        :class:`wordvec.kernels.classify.TextModel`: predicts from the texts
        themselves, any input matrix and loss.
        """
        if self._text_model is None:
            from .kernels.classify import TextModel
            model, input = self.model, self.model.input
            if isinstance(input, QuantizedMatrix):
                matrix = {"codes": input.codes, "centroids": input.centroids, "dsub": input.dsub,
                          "lastdsub": input.lastdsub, "norm_codes": input.norm_codes,
                          "norm_centroids": input.norm_centroids}
            else:
                matrix = {"dense": input}
            tables = {"sigmoid": self._table}
            if self.tree is not None:
                tables.update(left=self.tree.left, right=self.tree.right)
            self._text_model = TextModel(model.words + model.labels_raw, len(model.words), model.args,
                                         model.pruneidx, matrix, self._out_t.T, self._out_norms, self.loss, tables)
        return self._text_model

    def _kernel(self):
        """The compiled kernel's view of the model, or None where the model takes the NumPy path."""
        if self._kernel_model is None:
            self._kernel_model = False
            from .kernels import classify
            if (self.loss in classify.LOSSES and self._out_norms is None and self.labels > 0
                    and isinstance(self.model.input, np.ndarray) and self.model.input.dtype == _F32
                    and self.model.input.flags.c_contiguous and self.model.input.ndim == 2):
                try:
                    self._kernel_model = classify.DenseModel(self.model.input, np.ascontiguousarray(self._out_t.T),
                                                             self.loss, self._table)
                except Exception:  # the library missing or refusing: the NumPy path
                    self._kernel_model = False
        return self._kernel_model or None

    # -- the texts' vectors ----------------------------------------------------------

    def hidden(self, rows: np.ndarray, starts: np.ndarray) -> np.ndarray:
        """The vector of each text: the mean of its input rows (zeros for a text without rows)."""
        n = len(starts) - 1
        out = np.zeros((n, self.dim), dtype=_F32)
        if n <= _FEW_TEXTS:
            bounds = starts.tolist()
            for i in range(n):  # a reduction over the first axis adds the rows in order
                if bounds[i + 1] > bounds[i]:
                    total = np.add.reduce(self.model.input[rows[bounds[i]:bounds[i + 1]]], axis=0)
                    out[i] = total * _F32(1.0 / (bounds[i + 1] - bounds[i]))
            return out
        first = 0
        while first < n:  # blocks of texts of at most _ROWS_PER_BLOCK rows (or one text)
            last = int(np.searchsorted(starts, starts[first] + _ROWS_PER_BLOCK, side="right")) - 1
            last = min(max(last, first + 1), n)
            self._hidden_block(rows, starts, first, last, out)
            first = last
        return out

    def _hidden_block(self, rows, starts, first: int, last: int, out: np.ndarray) -> None:
        """Texts ``first:last``: their rows added one position at a time (each sum in fastText's order)."""
        lengths = np.diff(starts[first:last + 1])
        block = self.model.input[rows[starts[first]:starts[last]]]
        order = np.argsort(-lengths, kind="stable")  # longest first: the texts still adding are a prefix
        begins, ascending = starts[first:last][order] - starts[first], lengths[order][::-1]
        sums = np.zeros((len(order), self.dim), dtype=_F32)
        for position in range(int(ascending[-1]) if len(ascending) else 0):
            adding = len(ascending) - int(np.searchsorted(ascending, position, side="right"))
            sums[:adding] += block[begins[:adding] + position]
        filled = lengths[order] > 0
        sums[filled] *= (1.0 / lengths[order][filled]).astype(_F32)[:, None]
        out[first + order] = sums

    # -- the labels ------------------------------------------------------------------

    def predict_rows(self, rows: np.ndarray, starts: np.ndarray, k: int, threshold: float,
                     threads: int | None = None) -> list:
        """Each text's k best labels (indices) and their probabilities (float32), as fastText gives them.

        ``rows`` and ``starts``: the texts' input rows, one after the other, and
        where each text's begin (:meth:`LineEncoder.flat_rows`); ``k`` at least
        1 (the number of labels for every label). ``threads``: the compiled
        kernel's (default: the predictor's).
        """
        n = len(starts) - 1
        kernel = self._kernel() if n > _FEW_TEXTS else None
        if kernel is not None:
            return self._predict_kernel(kernel, rows, starts, k, threshold,
                                        self.threads if threads is None else threads)
        return self.predict_rows_numpy(rows, starts, k, threshold)

    def _predict_kernel(self, kernel, rows, starts, k: int, threshold: float, threads: int) -> list:
        """:meth:`predict_rows` in the compiled kernel; the texts it flags redone on the NumPy path."""
        from .kernels.classify import predict_dense
        rows = np.asarray(rows, dtype=np.int64)
        starts = np.asarray(starts, dtype=np.int64)
        labels, scores, counts, redo = predict_dense(kernel, rows, starts, k, _F32(threshold), threads)
        probs = expf(scores)  # fastText's probabilities, every text's at once
        labels_list, redone = labels.tolist(), np.flatnonzero(redo).tolist()
        out = [(labels_list[t][:c], probs[t, :c]) for t, c in enumerate(counts.tolist())]
        if redone:
            pieces = [rows[starts[t]:starts[t + 1]] for t in redone]
            sub_starts = np.concatenate([[0], np.cumsum([len(p) for p in pieces])]).astype(np.int64)
            sub_rows = np.concatenate(pieces) if pieces else np.zeros(0, np.int64)
            for t, result in zip(redone, self.predict_rows_numpy(sub_rows, sub_starts, k, threshold)):
                out[t] = result
        return out

    def predict_rows_numpy(self, rows: np.ndarray, starts: np.ndarray, k: int, threshold: float) -> list:
        """:meth:`predict_rows` on NumPy arrays only (the reference the compiled kernel is held to)."""
        hidden = self.hidden(rows, starts)
        has_rows = np.diff(starts) > 0
        results = []
        per_block = max(1, _SCORES_PER_BLOCK // max(self.labels, 1))
        for first in range(0, len(hidden), per_block):
            results.extend(self.predict_hidden(hidden[first:first + per_block], has_rows[first:first + per_block],
                                               k, threshold))
        return results

    def predict_hidden(self, hidden: np.ndarray, has_rows: np.ndarray, k: int, threshold: float) -> list:
        """:meth:`predict_rows` from the texts' vectors; a text without rows gets no labels."""
        threshold = _F32(threshold)
        if self.loss == "hs" and len(hidden) <= _FEW_TEXTS:
            down_left, down_right = self._hs_steps(hidden)
            floor = std_log(threshold)
            return _with_probabilities([_walk(self.tree, down_left[:, i], down_right[:, i], k, floor)
                                        if has_rows[i] else [] for i in range(len(hidden))])
        if self.loss == "hs":
            scores, exact = self._hs_scores(hidden, threshold)
        else:
            probs = self._probabilities(hidden)
            scores = np.where(probs < threshold, _F32(-np.inf), std_log(probs))
            exact = lambda row, k: _heap_k_best(scores[row], k)  # noqa: E731
        scores[~has_rows] = -np.inf
        return _k_best(scores, k, exact, self._margin())

    def _scores(self, hidden: np.ndarray) -> np.ndarray:
        scores = ordered_dots(hidden, self._out_t)
        if self._out_norms is not None:
            scores *= self._out_norms[None, :]
        return scores

    def _probabilities(self, hidden: np.ndarray) -> np.ndarray:
        """softmax, or the sigmoid table for ``ova`` and ``ns``, of every label's score (float32)."""
        scores = self._scores(hidden)
        if self.loss != "softmax":
            return table_sigmoid(scores, self._table)
        e = np.exp((scores - scores.max(axis=1, keepdims=True)).astype(np.float64)).astype(_F32)
        total = np.add.accumulate(e, axis=1)[:, -1:]  # summed label after label, as fastText does
        return e / total

    def _margin(self) -> float:
        """How close to the k-th log-score another leaf must be for fastText's walk to maybe keep it instead."""
        return 0.0 if self.tree is None else (self.tree.depth + 1) * _POSITIVE_STEP

    def _hs_steps(self, hidden: np.ndarray) -> tuple:
        """What each inner node adds to the log-score down its left and its right branch (nodes x texts)."""
        if self.labels == 1:
            return np.zeros((0, len(hidden)), _F32), np.zeros((0, len(hidden)), _F32)
        probs = exact_sigmoid(self._scores(hidden)).T
        return std_log((1.0 - probs.astype(np.float64)).astype(_F32)), std_log(probs)

    def _hs_scores(self, hidden: np.ndarray, threshold) -> tuple:
        """Every label's log-score down the tree (-inf where a branch stopped), and the exact walk per text."""
        tree, n = self.tree, self.labels
        floor = std_log(threshold)
        down_left, down_right = self._hs_steps(hidden)
        score = np.zeros((2 * n - 1, len(hidden)), dtype=_F32)
        alive = np.zeros((2 * n - 1, len(hidden)), dtype=bool)
        alive[tree.root] = score[tree.root] >= floor
        for node in range(tree.root, n - 1, -1):
            for child, step in ((tree.left[node], down_left), (tree.right[node], down_right)):
                score[child] = score[node] + step[node - n]
                alive[child] = alive[node] & (score[child] >= floor)
        leaves = np.where(alive[:n], score[:n], _F32(-np.inf)).T.copy()

        def exact(row: int, k: int) -> list:
            return _walk(tree, down_left[:, row], down_right[:, row], k, floor)
        return leaves, exact


def _k_best(scores: np.ndarray, k: int, exact, margin: float) -> list:
    """The k best of each row of log-scores (-inf: not a candidate), in fastText's order.

    Rows with equal log-scores among those returned (or within ``margin`` of
    the k-th, for the tree walk) are redone by ``exact(row, k)``.
    """
    n_rows, n_labels = scores.shape
    keep = min(k + 1, n_labels)
    top = _top(scores, keep)
    top_scores = np.take_along_axis(scores, top, axis=1)
    order = np.argsort(-top_scores, axis=1, kind="stable")
    top, top_scores = np.take_along_axis(top, order, axis=1), np.take_along_axis(top_scores, order, axis=1)
    candidates = np.minimum(np.isfinite(scores).sum(axis=1), keep)
    with np.errstate(invalid="ignore"):  # -inf - -inf past the candidates, masked below
        close = top_scores[:, :-1] - top_scores[:, 1:] <= 0
        if margin and keep > k:
            close[:, k - 1] |= top_scores[:, k - 1] - top_scores[:, k] <= margin
    close &= np.arange(1, keep)[None, :] < candidates[:, None]
    redo, counts = close.any(axis=1).tolist(), np.minimum(candidates, k).tolist()
    top, top_scores = top.tolist(), top_scores.tolist()
    return _with_probabilities([exact(row, k) if redo[row] else
                                list(zip(top_scores[row][:counts[row]], top[row][:counts[row]]))
                                for row in range(n_rows)])


def _top(scores: np.ndarray, keep: int) -> np.ndarray:
    """The columns of each row's ``keep`` largest values, in no particular order."""
    n_rows, n_labels = scores.shape
    if keep >= n_labels:
        return np.broadcast_to(np.arange(n_labels), (n_rows, n_labels))
    if keep > _FEW_BEST:
        return np.argpartition(-scores, keep - 1, axis=1)[:, :keep]
    rest, rows = scores.copy(), np.arange(n_rows)
    top = np.empty((n_rows, keep), dtype=np.intp)
    for i in range(keep):  # a few passes of argmax beat a partition
        top[:, i] = rest.argmax(axis=1)
        rest[rows, top[:, i]] = -np.inf
    return top


def _with_probabilities(bests: list) -> list:
    """Each text's ``[(log-score, label)]`` as ``(labels, float32 probabilities)``: fastText's ``expf``."""
    lengths = [len(best) for best in bests]
    probs = expf(np.fromiter((score for best in bests for score, _ in best), dtype=_F32, count=sum(lengths)))
    out, start = [], 0
    for best, length in zip(bests, lengths):
        out.append(([label for _, label in best], probs[start:start + length]))
        start += length
    return out


# -- fastText's exact order, one text at a time ---------------------------------------

def _heap_k_best(scores: np.ndarray, k: int) -> list:
    """fastText's ``findKBest`` on one text's log-scores (-inf: below the threshold): ``[(score, label)]``."""
    heap: list = []
    for label, score in enumerate(scores.tolist()):
        if score != -np.inf:
            _offer(heap, (score, label), k)
    _sort_heap(heap)
    return heap


def _walk(tree: HuffmanTree, down_left: np.ndarray, down_right: np.ndarray, k: int, floor) -> list:
    """fastText's depth-first walk of the tree for one text, with its pruning: ``[(score, label)]``.

    Log-scores are float32 sums: each is added in double (exact for two
    float32 numbers) and rounded to float32 by storing it in a float array.
    """
    heap: list = []
    left, right, n = tree.left_list, tree.right_list, tree.labels
    down_left, down_right = down_left.tolist(), down_right.tolist()
    rounded = array("f", [0.0])
    stack = [(tree.root, 0.0)]
    floor = float(floor)
    while stack:
        node, score = stack.pop()
        if score < floor or (len(heap) == k and score < heap[0][0]):
            continue
        if node < n:
            _offer(heap, (score, node), k)
            continue
        rounded[0] = score + down_right[node - n]
        stack.append((right[node], rounded[0]))
        rounded[0] = score + down_left[node - n]
        stack.append((left[node], rounded[0]))  # the left branch is walked first
    _sort_heap(heap)
    return heap


def _offer(heap: list, item: tuple, k: int) -> None:
    """Keep ``item`` among the k best: fastText's push_heap, and pop_heap once there are more than k."""
    if len(heap) == k and item[0] < heap[0][0]:
        return
    heap.append(item)
    _sift_up(heap, len(heap) - 1, 0, item)
    if len(heap) > k:
        last = heap.pop()  # pop_heap: the back fills the front's hole, the front (smallest) goes
        _adjust(heap, 0, len(heap), last)


def _sift_up(heap: list, hole: int, top: int, item: tuple) -> None:
    """libstdc++'s ``__push_heap`` with fastText's comparison (greater log-score first): a min-heap."""
    parent = (hole - 1) // 2
    while hole > top and heap[parent][0] > item[0]:
        heap[hole] = heap[parent]
        hole = parent
        parent = (hole - 1) // 2
    heap[hole] = item


def _adjust(heap: list, hole: int, length: int, item: tuple) -> None:
    """libstdc++'s ``__adjust_heap``: move the hole down to a leaf along the smaller child, then sift up."""
    top = child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if heap[child][0] > heap[child - 1][0]:
            child -= 1
        heap[hole] = heap[child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        heap[hole] = heap[child - 1]
        hole = child - 1
    _sift_up(heap, hole, top, item)


def _sort_heap(heap: list) -> None:
    """libstdc++'s ``sort_heap``: pop the smallest to the back until sorted best first."""
    for last in range(len(heap) - 1, 0, -1):
        item, heap[last] = heap[last], heap[0]
        _adjust(heap, 0, last, item)
