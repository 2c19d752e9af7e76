"""The reference implementations the compiled kernels (``wordvec.kernels``) are held against.

* NumPy oracles of one training step, written plainly (:func:`sgns_oracle`, :func:`cbow_oracle`,
  :func:`pieces_oracle`; hierarchical softmax: :func:`hs_sgns_oracle`, :func:`hs_cbow_oracle`, and
  whole documents in :func:`hs_documents_oracle`), and fastText's supervised update
  (:func:`supervised_oracle`);
* the reference kernels in Numba (a test-only dependency), in ``oracle_kernels.py``: the word2vec
  kernels (``train_chunk``, ``sgns_block``, ``cbow_step``), the subword kernels
  (``train_subword_chunk``) and the reading kernels (``encode_block``, ``find_lines``,
  :func:`find_reviews`, ``remap_range``). They are reached from here (``oracles.train_chunk``), and
  ``oracle_kernels`` is imported when the first of them is asked for (:data:`KERNELS`): collecting
  the tests, and the tests that use no kernel, never import Numba, which with its cache takes a
  second or more in every process.
"""

from __future__ import annotations

import numpy as np

#: The names ``oracle_kernels`` lends this module: the Numba kernels and the scratch and block types
#: they take, and the few helpers the tests call alone.
KERNELS = frozenset({
    "train_chunk", "sgns_block", "cbow_step", "subsample", "SkipGramScratch", "CbowScratch",
    "train_subword_chunk", "pieces_step", "make_pieces_scratch", "PiecesBlock",
    "encode_block", "find_lines", "new_table", "remap_range",
    "_draw_noise", "_next_state", "_sigmoid_table",
})


def _kernels():
    """The module of the Numba kernels, imported on first use."""
    import oracle_kernels

    return oracle_kernels


def __getattr__(name: str):
    """A kernel of :data:`KERNELS`, from ``oracle_kernels`` (imported then)."""
    if name in KERNELS:
        return getattr(_kernels(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- NumPy oracles of one step ---------------------------------------------------------------------

def sgns_oracle(w_in, w_out, contexts, targets, lr):
    """One skip-gram block update written plainly: every context against every target."""
    w_in, w_out = w_in.astype(np.float64), w_out.astype(np.float64)
    ctx, tgt = w_in[contexts], w_out[targets]
    scores = ctx @ tgt.T
    labels = np.zeros(len(targets))
    labels[0] = 1.0
    mask = np.ones(len(targets))
    mask[1:] = np.asarray(targets[1:]) != targets[0]
    grads = (labels - 1 / (1 + np.exp(-scores))) * lr * mask
    loss = np.sum(mask * np.where(labels > 0, np.logaddexp(0, -scores), np.logaddexp(0, scores)))
    new_in, new_out = w_in.copy(), w_out.copy()
    np.add.at(new_out, targets, grads.T @ ctx)
    np.add.at(new_in, contexts, grads @ tgt)
    return new_in, new_out, loss, int(mask.sum()) * len(contexts)


def cbow_oracle(w_in, w_out, contexts, targets, lr, mean=True):
    """One CBOW step written plainly: the mean of the contexts (their sum unless ``mean``, each
    context then moved by the gradient over their number, as gensim's ``cbow_mean=0``) against
    the targets in turn."""
    w_in, w_out = w_in.astype(np.float64), w_out.astype(np.float64)
    hidden = w_in[contexts].mean(axis=0) if mean else w_in[contexts].sum(axis=0)
    new_in, new_out = w_in.copy(), w_out.copy()
    hidden_grad = np.zeros_like(hidden)
    for k, t in enumerate(targets):
        if k > 0 and t == targets[0]:
            continue
        g = ((1.0 if k == 0 else 0.0) - 1 / (1 + np.exp(-hidden @ new_out[t]))) * lr
        hidden_grad += g * new_out[t]
        new_out[t] += g * hidden
    np.add.at(new_in, contexts, np.tile(hidden_grad if mean else hidden_grad / len(contexts), (len(contexts), 1)))
    return new_in, new_out


def hs_sgns_oracle(w_in, w_nodes, contexts, nodes, codes, lr):
    """One skip-gram step of hierarchical softmax written plainly, as gensim's ``fast_sentence_sg_hs``
    takes each context: the distinct contexts one after another (in order of first appearance, the
    gradient times how often each occurs); each walks the centre word's path from the root, node
    ``k`` labelled ``1 - codes[k]``, moving each node's row before the next node, and its own row
    once, after the path, by the nodes' rows as it found them."""
    new_in, new_nodes = w_in.astype(np.float64), w_nodes.astype(np.float64)
    distinct, first_seen, repeats = np.unique(np.asarray(contexts), return_index=True, return_counts=True)
    loss = 0.0
    order = np.argsort(first_seen, kind="stable")
    for context, times in zip(distinct[order], repeats[order]):
        ctx, step = new_in[context].copy(), np.zeros(new_in.shape[1])
        for node, code in zip(nodes, codes):
            score, label = new_nodes[node] @ ctx, 1.0 - code
            grad = (label - 1 / (1 + np.exp(-score))) * lr * times
            loss += times * (np.logaddexp(0, -score) if label > 0 else np.logaddexp(0, score))
            step += grad * new_nodes[node]
            new_nodes[node] += grad * ctx
        new_in[context] += step
    return new_in, new_nodes, loss, len(contexts) * len(nodes)


def hs_cbow_oracle(w_in, w_nodes, contexts, nodes, codes, lr, mean=True):
    """One CBOW step of hierarchical softmax written plainly: the mean (or sum) of the contexts
    against the inner nodes of the centre word's path (gensim's ``fast_sentence_cbow_hs``)."""
    w_in, w_nodes = w_in.astype(np.float64), w_nodes.astype(np.float64)
    hidden = w_in[contexts].mean(axis=0) if mean else w_in[contexts].sum(axis=0)
    scores = w_nodes[nodes] @ hidden
    labels = 1.0 - np.asarray(codes, dtype=np.float64)
    grads = (labels - 1 / (1 + np.exp(-scores))) * lr
    loss = np.sum(np.where(labels > 0, np.logaddexp(0, -scores), np.logaddexp(0, scores)))
    hidden_grad = grads @ w_nodes[nodes]
    new_in, new_nodes = w_in.copy(), w_nodes.copy()
    new_nodes[nodes] += np.outer(grads, hidden)
    np.add.at(new_in, contexts, np.tile(hidden_grad if mean else hidden_grad / len(contexts), (len(contexts), 1)))
    return new_in, new_nodes, loss, len(nodes)


def hs_documents_oracle(w_in, w_nodes, documents, tree, lr, cbow=False, mean=True):
    """Hierarchical softmax alone over whole documents, every window the whole document
    (``shrink_windows=False`` with a window as long as any document), every word kept: each word
    of each document in turn is predicted along its path (``tree``: offsets, nodes, codes) from
    all the others, one step each (:func:`hs_sgns_oracle` or :func:`hs_cbow_oracle`)."""
    offsets, nodes, codes = tree
    w_in, w_nodes = w_in.astype(np.float64), w_nodes.astype(np.float64)
    for document in documents:
        for i, word in enumerate(document):
            contexts = np.delete(np.asarray(document), i)
            path = slice(offsets[word], offsets[word + 1])
            if len(contexts) == 0 or path.start == path.stop:
                continue
            step = hs_cbow_oracle if cbow else hs_sgns_oracle
            extra = {"mean": mean} if cbow else {}
            w_in, w_nodes, _, _ = step(w_in, w_nodes, contexts, nodes[path], codes[path], lr, **extra)
    return w_in, w_nodes


def pieces_oracle(w_in, w_out, pieces, targets, group_size, lr):
    """fastText's updates for one centre word, in float64: for each group (a true target, then
    its noise words) in turn, the mean of the pieces as the groups before left them, scored
    against the group; every piece row gets each group's gradient."""
    w_in, w_out = w_in.astype(np.float64), w_out.astype(np.float64)
    hidden = w_in[pieces].mean(axis=0)
    total = np.zeros_like(hidden)
    loss, terms = 0.0, 0
    for first in range(0, len(targets), group_size):
        group = targets[first:first + group_size]
        labels = np.array([1.0] + [0.0] * (group_size - 1))
        mask = np.array([k == 0 or t != group[0] for k, t in enumerate(group)], float)
        scores = w_out[group] @ hidden
        grads = (labels - 1 / (1 + np.exp(-scores))) * lr * mask
        loss += np.sum(mask * np.where(labels > 0, np.logaddexp(0, -scores), np.logaddexp(0, scores)))
        terms += int(mask.sum())
        step = grads @ w_out[group]
        np.add.at(w_out, group, np.outer(grads, hidden))
        hidden = hidden + step      # each piece row moved by ``step``: so did their mean
        total += step
    new_in = w_in.copy()
    np.add.at(new_in, pieces, np.tile(total, (len(pieces), 1)))
    return new_in, w_out, loss, terms


# --- the reading kernels' entry point with a doctest (the kernels themselves are in oracle_kernels) -

_SNAP_TEXT = np.frombuffer(bytearray(b"review/text:"), dtype=np.uint8)
_SNAP_SUMMARY = np.frombuffer(bytearray(b"review/summary:"), dtype=np.uint8)


def find_reviews(buf: np.ndarray, include_summary: bool) -> tuple[np.ndarray, np.ndarray]:
    """The reviews of a block in the SNAP layout: ``(docs, hard)`` as ``encode_block`` takes them.

    A document is the rest of a ``review/text:`` line, after the rest of the last
    ``review/summary:`` line since the previous text when ``include_summary``. It is hard when
    either part holds a byte outside ASCII, or the summary holds a ``<`` (a tag could run on into
    the text).

    Examples
    --------
    >>> block = bytearray(b"review/summary: Ok <b\\nreview/text: Tea\\nreview/text: Caf\\xc3\\xa9\\n")
    >>> docs, hard = find_reviews(np.frombuffer(block, dtype=np.uint8), True)
    >>> docs.tolist(), hard.tolist()
    ([[15, 21, 34, 38], [0, 0, 51, 57]], [1, 1])
    """
    return _kernels()._find_reviews(buf, include_summary, _SNAP_SUMMARY, _SNAP_TEXT)


# --- the supervised classifier (fastText's supervised model) ---------------------------------------

_MASK64 = (1 << 64) - 1


class SplitMix:
    """The C kernels' random numbers in plain Python: splitmix64, one 64-bit draw per choice."""

    def __init__(self, state):
        self.state = int(state)

    def below(self, n):
        """An index below ``n``: the next draw's high 32 bits times n, shifted down 32."""
        self.state = (self.state + 0x9E3779B97F4A7C15) & _MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
        return (((z ^ (z >> 31)) >> 32) * int(n)) >> 32


def _fasttext_log(x):
    """fastText's ``Loss::log``: its 513-entry table of ``log((i + 1e-5) / 512)``."""
    x = np.float32(x)
    if x > 1.0:
        return 0.0
    return float(np.log((np.float32(int(x * np.float32(512))) + np.float32(1e-5)) / np.float32(512)))


def _binary_logistic(output, row, hidden, label, lr, grad, sigmoid):
    """fastText's ``binaryLogistic`` on one output row: grad and the row updated; returns the loss."""
    p = np.float32(sigmoid(np.float32(np.dot(hidden, output[row]))))
    alpha = np.float32(lr * (np.float32(label) - p))
    grad += alpha * output[row]
    output[row] += alpha * hidden
    return -_fasttext_log(p if label else np.float32(1.0) - p)


def _softmax_forward(output, hidden, target, lr, grad):
    scores = (output @ hidden).astype(np.float32)
    exps = np.exp((scores - scores.max()).astype(np.float64)).astype(np.float32)
    probs = exps / exps.sum(dtype=np.float32)
    for i in range(output.shape[0]):
        alpha = np.float32(lr * (np.float32(i == target) - probs[i]))
        grad += alpha * output[i]
        output[i] += alpha * hidden
    return -_fasttext_log(probs[target])


def _supervised_forward(output, labels, targets, hidden, lr, grad, rng, sigmoid):
    """One example's forward pass (fastText's ``Loss::forward``), one output row at a time."""
    if labels.loss == "ova":
        return sum(_binary_logistic(output, j, hidden, j in targets, lr, grad, sigmoid)
                   for j in range(output.shape[0]))
    target = int(targets[rng.below(len(targets))])
    if labels.loss == "softmax":
        return _softmax_forward(output, hidden, target, lr, grad)
    if labels.loss == "hs":
        begin, end = labels.path_starts[target], labels.path_starts[target + 1]
        return sum(_binary_logistic(output, int(labels.paths[k]), hidden, int(labels.codes[k]), lr, grad, sigmoid)
                   for k in range(begin, end))
    loss = _binary_logistic(output, target, hidden, 1, lr, grad, sigmoid)
    for _ in range(labels.negatives):
        negative = target
        while negative == target:
            negative = int(labels.negative_table[rng.below(len(labels.negative_table))])
        loss += _binary_logistic(output, negative, hidden, 0, lr, grad, sigmoid)
    return loss


def supervised_oracle(input, output, examples, labels, first, last, lr_first, lr_last, seed_state):
    """fastText's ``Model::update`` for examples ``first..last-1`` in order, on one thread, in NumPy;
    the draws from ``seed_state`` as the C kernel makes them. Returns ``(loss sum, examples trained)``."""
    from wordvec.classifier_predict import sigmoid_table, table_sigmoid

    table = sigmoid_table()
    sigmoid = lambda x: table_sigmoid(np.array([x], np.float32), table)[0]  # noqa: E731
    rng = SplitMix(seed_state)
    tokens = examples.tokens[first:last]
    before, total = np.concatenate(([0], np.cumsum(tokens))), max(int(tokens.sum()), 1)
    loss, trained = 0.0, 0
    for e in range(first, last):
        lr = np.float32(lr_first + (lr_last - lr_first) * int(before[e - first]) / total)
        rows = examples.rows[examples.row_starts[e]:examples.row_starts[e + 1]]
        targets = examples.targets[examples.target_starts[e]:examples.target_starts[e + 1]]
        if not len(rows) or not len(targets):
            continue
        hidden = input[rows].sum(axis=0, dtype=np.float32) * np.float32(1.0 / len(rows))
        grad = np.zeros(input.shape[1], np.float32)
        loss += _supervised_forward(output, labels, [int(t) for t in targets], hidden, lr, grad, rng, sigmoid)
        grad *= np.float32(1.0 / len(rows))
        for row in rows:
            input[row] += grad
        trained += 1
    return loss, trained
