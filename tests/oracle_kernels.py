"""The reference kernels in Numba, which the compiled kernels (``wordvec.kernels``) are held against.

* the reference training kernels: the word2vec kernels (:func:`train_chunk`, :func:`sgns_block`,
  :func:`cbow_step`) and the subword kernels (:func:`train_subword_chunk`). They take the same
  draws as the C kernels (the same splitmix64 stream, alias draws, window reaches and block
  updates), so both train the same model up to the order of float sums:
  ``tests/test_compiled_kernels.py`` holds the C kernels against them on whole tasks,
  ``tests/test_kernels.py`` holds them against the NumPy oracles of ``oracles.py`` step by step.
  They have no copies of the hot output rows and no row strides (C only: those tests train the
  same model with and without them);
* the reference reading kernels (:func:`encode_block`, :func:`find_lines`, ``oracles.find_reviews``,
  :func:`remap_range`), which ``tests/test_c_text_kernels.py`` holds the C reading kernels against,
  output for output.

These were wordvec's own kernels (its fallback where the C library was not built) until the C
kernels became required. Numba is a test-only dependency: the tests reach these kernels through
``oracles`` (``oracles.train_chunk``), which imports this module when one is first asked for, so
that collecting the tests, and the tests that use no kernel, never import Numba (importing it and
loading its cache take a second or more in every process). This module holds no test and no
doctest: ``tests/conftest.py`` leaves it out of the collection.


The word2vec kernels
--------------------
Flat arrays in, numbers out, as the C kernels: the trainer (the native engine) owns epochs,
learning-rate decay, seeding and progress, and calls :func:`train_chunk` on slices of the token
stream.

Skip-gram updates follow pWord2Vec (Ji et al., 2016): all the context words
of one centre word share one set of negative samples, so the block of
``contexts x (centre + negatives)`` dot products is computed at once and
both sides are updated from the same gradients.

How these kernels were kept fast (``docs/design/01-compiled-kernels.md``):

* every loop over the vector dimension reads whole rows (1-D views of C-contiguous
  rows) and several rows per pass: ``_dot_rows`` scores one row against up to 6
  rows at once, ``_add_rows`` adds up to 6 scaled rows to one row at once, so the
  partial sums stay in vector registers (one dot product per pass spends most of
  its time on loop overhead and scalar remainders);
* a skip-gram block copies only its target rows (the contexts are read in
  place and change last), so the scores are all computed from the rows as they
  were, as the block update is defined;
* the logistic function is read from an interpolated table (error below 1e-6);
* the loss (an exp and a log per term) is computed for one centre word in
  ``LOSS_EVERY``, a fixed subsample: the mean it reports estimates the mean over
  all updates, and training does not pay for it;
* the targets of the next centre word are drawn one step ahead (the C kernels
  prefetch their rows for writing meanwhile; here :func:`_prefetch_row` does
  nothing), across document boundaries, since a task first subsamples its whole range;
* random numbers come from a counter-based splitmix64 generator; a noise word
  takes one 64-bit draw (32 bits pick the alias slot, 32 bits decide it);
* scratch buffers are allocated once per task (once per thread per chunk);
* tasks run on plain Python threads (the kernel releases the GIL), which
  spares Numba compiling the whole kernel again for a ``prange`` loop.

The subword kernels
-------------------
For subword (fastText-style) training.

A word's input vector is the mean of its *pieces*: its own row and the rows of
its character n-grams, listed per word in a compressed table
(:class:`SubwordTable`). The input matrix holds the word rows first, then the
n-gram rows.

One step (:func:`pieces_step`) does, for one centre word, what fastText does
for each of its (centre, context) pairs in turn, with the block scheme's savings
(Wszola, Jaggi and Püschel, 2021):

* skip-gram: the centre word's pieces are averaged once into ``hidden``; then
  each context word (label 1) and its ``negative`` noise words (label 0), a
  *group*, is scored against ``hidden``, its output rows updated, and ``hidden``
  moved by the group's gradient, which is what fastText's writing that gradient
  into every piece row does to their mean. The piece rows are written once, with
  the summed gradient (fastText adds it without dividing by the number of
  pieces);
* CBOW: the pieces of every context word are averaged into ``hidden``, which
  predicts the centre word against its noise words: one group.

fastText recomputes the centre's pieces and writes every piece row for every
pair; here that is done once per centre word. (Noise words shared by the whole
window, as the word2vec kernels do, were measured too: faster, but clearly worse
vectors; see benchmarks/README.md.) Everything else (subsampling,
learning-rate segments, seeding, threads) is shared with the word2vec kernels above.

The reading kernels
-------------------
The kernels take plain arrays, and the per-word table lookup is written out in the loop that
splits words (:func:`_encode_range`) rather than called: in Numba a call passing arrays costs
more than the lookup itself.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit

from wordvec.kernels.tasks import LOSS_EVERY, SKIP_GRAM, Block, run_tasks
from wordvec.kernels.tasks import SIGMOID_LAST as _SIG_LAST
from wordvec.kernels.tasks import SIGMOID_MAX as _SIG_MAX
from wordvec.kernels.tasks import SIGMOID_SCALE as _SIG_SCALE
from wordvec.kernels.tasks import SIGMOID_TABLE as _SIG_TABLE



# --- the word2vec kernels ------------------------------------------------------------------------

#: Scratch of :func:`sgns_block`: target rows (``n_targets x dim``), gradients
#: (``n_contexts x n_targets``, exactly ``n_targets`` columns), their transpose,
#: and ``iota = 0, 1, ..., n_targets - 1``.
SkipGramScratch = namedtuple("SkipGramScratch", ["tgt", "grads", "grads_t", "iota"])
#: Scratch of :func:`cbow_step`: the hidden vector and its gradient (``dim``), and
#: ``coef`` (``max(n_contexts, n_targets)``).
CbowScratch = namedtuple("CbowScratch", ["hidden", "hidden_grad", "coef"])
#: A subsampled run of words cut into segments (documents): segment ``s`` is
#: ``words[segments[s]:segments[s + 1]]``, trained at learning rate ``rates[s]``.
WordRun = namedtuple("WordRun", ["words", "n_words", "segments", "rates"])
#: Everything a task allocates once: the context and target buffers (targets two
#: rows: the current word's and the next one's, drawn ahead) and both models' scratch.
TaskScratch = namedtuple("TaskScratch", ["contexts", "targets", "skipgram", "cbow"])

# Counters start from this rather than from a literal 0: a variable first typed as the
# literal 0 makes Numba compile every function it is passed to twice.
_ZERO = np.int64(0)

_OPTS = dict(cache=True, error_model="numpy", boundscheck=False)
_FAST = dict(_OPTS, fastmath=True)

_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_S32 = np.uint64(32)
_LOW32 = np.uint64(0xFFFFFFFF)
_TO_UNIT = 1.0 / 9007199254740992.0
_TO_UNIT32 = 1.0 / 4294967296.0


@njit(inline="always", **_OPTS)
def _prefetch_row(matrix, row):
    """Nothing here: the C kernels prefetch the row for writing (a hint, no effect on results); kept so
    that the loops read as the C kernels' do."""


@njit(inline="always", **_OPTS)
def _next_state(state):
    return state + _M1


@njit(inline="always", **_OPTS)
def _mix(state):
    """splitmix64 output for ``state``: 64 random bits."""
    z = state
    z = (z ^ (z >> _S30)) * _M2
    z = (z ^ (z >> _S27)) * _M3
    return z ^ (z >> _S31)


@njit(inline="always", **_OPTS)
def _uniform(state):
    """splitmix64 output of ``state`` mapped to [0, 1)."""
    return float(_mix(state) >> _S11) * _TO_UNIT


@njit(inline="always", **_OPTS)
def _draw_noise(state, accept, alias):
    """A noise word from one 64-bit draw: the high half picks a slot, the low half accepts it."""
    z = _mix(state)
    slot = int(((z >> _S32) * np.uint64(accept.shape[0])) >> _S32)
    if float(z & _LOW32) * _TO_UNIT32 < accept[slot]:
        return slot
    return alias[slot]


@njit(inline="always", **_FAST)
def _log_sigmoid_loss(score, label):
    """``-log(sigmoid(score))`` for a positive pair, ``-log(1 - sigmoid(score))`` for a negative."""
    x = -score if label > 0 else score
    if x > 30.0:
        return x
    return math.log1p(math.exp(x))


@njit(inline="always", **_FAST)
def _sigmoid_table(score):
    u = min(max((score + _SIG_MAX) * _SIG_SCALE, 0.0), float(_SIG_LAST))
    i = int(u)
    lo = _SIG_TABLE[i]
    return lo + (u - i) * (_SIG_TABLE[i + 1] - lo)


# -- fused row operations ----------------------------------------------------
# A loop over the dimension that reads several rows at once keeps the partial
# sums in vector registers and runs at close to the machine's FMA rate; one
# loop per pair of rows is dominated by loop overhead and scalar remainders.
# ``_dot_rows`` and ``_add_rows`` take up to 6 rows per pass.

@njit(inline="always", **_FAST)
def _dot6(v, r0, r1, r2, r3, r4, r5, dim):
    s0 = s1 = s2 = s3 = s4 = s5 = np.float32(0.0)
    for x in range(dim):
        a = v[x]
        s0 += a * r0[x]
        s1 += a * r1[x]
        s2 += a * r2[x]
        s3 += a * r3[x]
        s4 += a * r4[x]
        s5 += a * r5[x]
    return s0, s1, s2, s3, s4, s5


@njit(inline="always", **_FAST)
def _dot3(v, r0, r1, r2, dim):
    s0 = s1 = s2 = np.float32(0.0)
    for x in range(dim):
        a = v[x]
        s0 += a * r0[x]
        s1 += a * r1[x]
        s2 += a * r2[x]
    return s0, s1, s2


@njit(inline="always", **_FAST)
def _dot2(v, r0, r1, dim):
    s0 = s1 = np.float32(0.0)
    for x in range(dim):
        a = v[x]
        s0 += a * r0[x]
        s1 += a * r1[x]
    return s0, s1


@njit(inline="always", **_FAST)
def _dot1(v, r0, dim):
    s0 = np.float32(0.0)
    for x in range(dim):
        s0 += v[x] * r0[x]
    return s0


@njit(inline="always", **_FAST)
def _dot_rows(v, rows, index, count, out, dim):
    """``out[i] = v . rows[index[i]]`` for ``i < count``."""
    i = 0
    while count - i >= 6:
        out[i], out[i + 1], out[i + 2], out[i + 3], out[i + 4], out[i + 5] = _dot6(
            v, rows[index[i]], rows[index[i + 1]], rows[index[i + 2]], rows[index[i + 3]], rows[index[i + 4]], rows[index[i + 5]], dim)
        i += 6
    while count - i >= 3:
        out[i], out[i + 1], out[i + 2] = _dot3(v, rows[index[i]], rows[index[i + 1]], rows[index[i + 2]], dim)
        i += 3
    if count - i == 2:
        out[i], out[i + 1] = _dot2(v, rows[index[i]], rows[index[i + 1]], dim)
    elif count - i == 1:
        out[i] = _dot1(v, rows[index[i]], dim)


@njit(inline="always", **_FAST)
def _add6(dst, c, rows, dim):
    c0, c1, c2, c3, c4, c5 = c
    r0, r1, r2, r3, r4, r5 = rows
    for x in range(dim):
        dst[x] += c0 * r0[x] + c1 * r1[x] + c2 * r2[x] + c3 * r3[x] + c4 * r4[x] + c5 * r5[x]


@njit(inline="always", **_FAST)
def _add3(dst, c0, c1, c2, r0, r1, r2, dim):
    for x in range(dim):
        dst[x] += c0 * r0[x] + c1 * r1[x] + c2 * r2[x]


@njit(inline="always", **_FAST)
def _add2(dst, c0, c1, r0, r1, dim):
    for x in range(dim):
        dst[x] += c0 * r0[x] + c1 * r1[x]


@njit(inline="always", **_FAST)
def _add1(dst, c0, r0, dim):
    for x in range(dim):
        dst[x] += c0 * r0[x]


@njit(inline="always", **_FAST)
def _add_rows(dst, coef, rows, index, count, dim):
    """``dst += sum(coef[i] * rows[index[i]] for i < count)``."""
    i = 0
    while count - i >= 6:
        _add6(dst, (coef[i], coef[i + 1], coef[i + 2], coef[i + 3], coef[i + 4], coef[i + 5]),
              (rows[index[i]], rows[index[i + 1]], rows[index[i + 2]], rows[index[i + 3]], rows[index[i + 4]],
               rows[index[i + 5]]), dim)
        i += 6
    while count - i >= 3:
        _add3(dst, coef[i], coef[i + 1], coef[i + 2], rows[index[i]], rows[index[i + 1]], rows[index[i + 2]], dim)
        i += 3
    if count - i == 2:
        _add2(dst, coef[i], coef[i + 1], rows[index[i]], rows[index[i + 1]], dim)
    elif count - i == 1:
        _add1(dst, coef[i], rows[index[i]], dim)


@njit(**_FAST)
def sgns_block(weights, block, lr, scratch, want_loss=True):
    """One skip-gram step: the block's contexts against its targets (a :class:`Block`).

    ``targets[0]`` is the centre word (label 1), the rest are negatives (label 0);
    a negative equal to the centre word is skipped. Every score is computed from
    the rows as they were before the step, then ``w_in`` rows of the contexts and
    ``w_out`` rows of the targets are updated in place (a repeated word gets
    every one of its updates). ``scratch`` is a :class:`SkipGramScratch` at least
    as large as the block. Returns ``(loss sum, number of terms)``, or ``(0.0, 0)``
    unless ``want_loss``.
    """
    w_in, w_out = weights.w_in, weights.w_out
    contexts, n_contexts, targets, n_targets = block
    tgt, grads, grads_t, iota = scratch
    dim = w_in.shape[1]
    centre = targets[0]
    # Only the target rows are copied: the context rows are read in place, and
    # they change last, after the target rows have been updated from them.
    for k in range(n_targets):
        src = w_out[targets[k]]
        dst = tgt[k]
        for x in range(dim):
            dst[x] = src[x]
    for j in range(n_contexts):
        _dot_rows(w_in[contexts[j]], tgt, iota, n_targets, grads[j], dim)
    loss = 0.0
    terms = 0
    if want_loss:
        for j in range(n_contexts):
            for k in range(n_targets):
                if k == 0 or targets[k] != centre:
                    loss += _log_sigmoid_loss(grads[j, k], 1.0 if k == 0 else 0.0)
                    terms += 1
    # g = (label - sigmoid(score)) * lr: one flat loop over the block with label 0,
    # then the centre's column gets its label 1, and a negative equal to the centre 0.
    flat = grads.reshape(grads.shape[0] * grads.shape[1])
    neg_lr = np.float32(-lr)
    for e in range(n_contexts * n_targets):
        flat[e] = neg_lr * _sigmoid_table(flat[e])
    for j in range(n_contexts):
        grads[j, 0] += lr
    for k in range(1, n_targets):
        if targets[k] == centre:
            for j in range(n_contexts):
                grads[j, k] = 0.0
    for j in range(n_contexts):
        for k in range(n_targets):
            grads_t[k, j] = grads[j, k]
    for k in range(n_targets):
        _add_rows(w_out[targets[k]], grads_t[k], w_in, contexts, n_contexts, dim)
    for j in range(n_contexts):
        _add_rows(w_in[contexts[j]], grads[j], tgt, iota, n_targets, dim)
    return loss, terms


@njit(**_FAST)
def cbow_step(weights, block, lr, scratch, want_loss=True, mean=True):
    """One CBOW step: the mean of the block's context vectors (their sum unless ``mean``, and each
    context row then moved by the gradient over their number) predicts ``targets[0]`` against negatives.

    The targets are taken one after another: a target drawn twice is scored
    the second time with its row as the first update left it. ``scratch`` is a
    :class:`CbowScratch`. Returns ``(loss sum, number of terms)``, or ``(0.0, 0)``
    unless ``want_loss``.
    """
    w_in, w_out = weights.w_in, weights.w_out
    contexts, n_contexts, targets, n_targets = block
    hidden, hidden_grad, coef = scratch
    dim = w_in.shape[1]
    centre = targets[0]
    inv = np.float32(1.0 / n_contexts)
    for j in range(n_contexts):
        coef[j] = inv if mean else np.float32(1.0)
    for x in range(dim):
        hidden[x] = 0.0
        hidden_grad[x] = 0.0
    _add_rows(hidden, coef, w_in, contexts, n_contexts, dim)
    distinct = True
    for k in range(2, n_targets):
        for k2 in range(1, k):
            if targets[k] == targets[k2] and targets[k] != centre:
                distinct = False
    loss = 0.0
    terms = 0
    if distinct:
        # No row is used twice: score every target from the rows as they are, then update.
        _dot_rows(hidden, w_out, targets, n_targets, coef, dim)
        for k in range(n_targets):
            score = coef[k]
            if k > 0 and targets[k] == centre:
                coef[k] = 0.0
                continue
            label = 1.0 if k == 0 else 0.0
            if want_loss:
                loss += _log_sigmoid_loss(score, label)
                terms += 1
            coef[k] = (label - _sigmoid_table(score)) * lr
        _add_rows(hidden_grad, coef, w_out, targets, n_targets, dim)
        for k in range(n_targets):
            g = coef[k]
            if g != 0.0:
                row = w_out[targets[k]]
                for x in range(dim):
                    row[x] += g * hidden[x]
    else:
        for k in range(n_targets):
            if k > 0 and targets[k] == centre:
                continue
            row = w_out[targets[k]]
            score = np.float32(0.0)
            for x in range(dim):
                score += hidden[x] * row[x]
            label = 1.0 if k == 0 else 0.0
            g = np.float32((label - _sigmoid_table(score)) * lr)
            if want_loss:
                loss += _log_sigmoid_loss(score, label)
                terms += 1
            for x in range(dim):
                hidden_grad[x] += g * row[x]
                row[x] += g * hidden[x]
    if not mean:
        for x in range(dim):
            hidden_grad[x] *= inv
    for j in range(n_contexts):
        row = w_in[contexts[j]]
        for x in range(dim):
            row[x] += hidden_grad[x]
    return loss, terms


@njit(**_OPTS)
def subsample(tokens, start, end, keep_prob, state, out):
    """Copy ``tokens[start:end]`` into ``out``, keeping each with its word's probability."""
    n = _ZERO
    for i in range(start, end):
        word = tokens[i]
        state = _next_state(state)
        if keep_prob[word] >= 1.0 or _uniform(state) < keep_prob[word]:
            out[n] = word
            n += 1
    return n, state


@njit(inline="always", **_OPTS)
def _draw_targets(words, i, n_targets, sampler, state, out, w_out):
    """``out[0] = words[i]`` and ``n_targets - 1`` noise words after it; prefetches their rows."""
    accept, alias = sampler.noise_accept, sampler.noise_alias
    out[0] = words[i]
    _prefetch_row(w_out, out[0])
    for k in range(1, n_targets):
        state = _next_state(state)
        out[k] = _draw_noise(state, accept, alias)
        _prefetch_row(w_out, out[k])
    return state


@njit(**_FAST)
def train_words(weights, run, sampler, settings, state, counter, scratch):
    """Train on a subsampled run of words cut into segments (a :class:`WordRun`).

    No window crosses a segment boundary. ``counter`` numbers the centre words
    of the task; the loss is computed for those with ``counter % LOSS_EVERY == 0``.
    ``scratch`` is a :class:`TaskScratch`. Returns ``(loss, terms, state, counter)``.
    """
    w_in, w_out = weights.w_in, weights.w_out
    words, n_words, segments, rates = run
    window = settings.window
    n_targets = settings.negative + 1
    contexts, targets = scratch.contexts, scratch.targets
    loss = 0.0
    terms = 0
    # The targets of word i + 1 are drawn while word i is trained, and their rows
    # (with the row of a word about to enter a window) are prefetched meanwhile.
    if n_words > 0:
        state = _draw_targets(words, 0, n_targets, sampler, state, targets[0], w_out)
    segment = -1
    first = last = _ZERO
    lr = 0.0
    for i in range(n_words):
        while i >= last:
            segment += 1
            first, last = segments[segment], segments[segment + 1]
            lr = rates[segment]
        now = targets[i & 1]
        if i + 1 < n_words:
            state = _draw_targets(words, i + 1, n_targets, sampler, state, targets[(i + 1) & 1], w_out)
            if i + 1 + window < n_words:
                _prefetch_row(w_in, words[i + 1 + window])
        state = _next_state(state)
        reach = window - int(_uniform(state) * window) if settings.shrink_windows else window
        n_contexts = _ZERO
        for j in range(max(first, i - reach), min(last, i + reach + 1)):
            if j != i:
                contexts[n_contexts] = words[j]
                n_contexts += 1
        if n_contexts == 0:
            continue
        want_loss = counter % LOSS_EVERY == 0
        counter += 1
        block = Block(contexts, n_contexts, now, n_targets)
        if settings.model == SKIP_GRAM:
            step_loss, step_terms = sgns_block(weights, block, lr, scratch.skipgram, want_loss)
        else:
            step_loss, step_terms = cbow_step(weights, block, lr, scratch.cbow, want_loss, settings.cbow_mean)
        loss += step_loss
        terms += step_terms
    return loss, terms, state, counter


@njit(**_OPTS)
def make_scratch(window, negative, dim):
    """A :class:`TaskScratch` for windows up to ``window``, ``negative`` negatives, vectors of ``dim``."""
    n_targets = negative + 1
    skipgram = SkipGramScratch(np.empty((n_targets, dim), dtype=np.float32),
                               np.empty((2 * window, n_targets), dtype=np.float32),
                               np.empty((n_targets, 2 * window), dtype=np.float32),
                               np.arange(n_targets).astype(np.int32))
    cbow = CbowScratch(np.empty(dim, dtype=np.float32), np.empty(dim, dtype=np.float32),
                       np.empty(max(2 * window, n_targets), dtype=np.float32))
    return TaskScratch(np.empty(2 * window, dtype=np.int32), np.empty((2, n_targets), dtype=np.int32),
                       skipgram, cbow)


@njit(nogil=True, **_OPTS)
def subsample_range(stream, sampler, settings, start, end, state):
    """Subsample token positions ``start:end`` into a :class:`WordRun`, one segment per document.

    Each document's words are trained at the learning rate of its position
    between ``settings.lr_start`` and ``settings.lr_end``. Returns ``(run, state)``.
    """
    offsets = stream.doc_offsets
    first_doc = np.searchsorted(offsets, start, side="right") - 1
    last_doc = np.searchsorted(offsets, end, side="left")
    n_docs = max(last_doc - first_doc, 0)
    words = np.empty(max(end - start, 1), dtype=np.int32)
    segments = np.empty(n_docs + 1, dtype=np.int64)
    rates = np.empty(max(n_docs, 1), dtype=np.float64)
    span = max(end - start, 1)
    n_words = _ZERO
    n_segments = _ZERO
    segments[0] = 0
    for doc in range(first_doc, last_doc):
        position = max(start, offsets[doc])
        kept, state = subsample(stream.tokens, position, min(end, offsets[doc + 1]), sampler.keep_prob, state,
                                words[n_words:])
        if kept == 0:
            continue
        rates[n_segments] = settings.lr_start + (settings.lr_end - settings.lr_start) * (position - start) / span
        n_words += kept
        n_segments += 1
        segments[n_segments] = n_words
    return WordRun(words, n_words, segments, rates), state


@njit(nogil=True, **_OPTS)
def train_task(weights, stream, sampler, settings, start, end, seed):
    """Train on token positions ``start:end``; windows never cross a document boundary.

    The whole range is subsampled first (:func:`subsample_range`), then trained
    in one pass. Returns ``(loss sum, loss terms)``.
    """
    run, state = subsample_range(stream, sampler, settings, start, end, np.uint64(seed))
    scratch = make_scratch(settings.window, settings.negative, weights.w_in.shape[1])
    loss, terms, state, counter = train_words(weights, run, sampler, settings, state, _ZERO, scratch)
    return loss, terms


def train_chunk(weights, stream, sampler, settings, tasks, n_hot=None, tree=None):
    """Run every task of :func:`train_task` at once, one thread each (see :func:`run_tasks`).

    Takes the compiled ``train_chunk``'s keywords: ``n_hot`` (copies of rows, which change nothing
    the reference trains shared) and ``tree``, which it does not train."""
    if tree is not None:
        raise NotImplementedError("the reference kernels have no hierarchical softmax")
    run_tasks(train_task, tasks, weights, stream, sampler, settings)


# --- the subword kernels -------------------------------------------------------------------------

#: One step: the input rows to average (``pieces[:n_pieces]``) against ``n_groups`` groups of
#: ``group_size`` targets, ``targets[:n_groups * group_size]``: each group a true target (label 1)
#: then its noise words (label 0).
PiecesBlock = namedtuple("PiecesBlock", ["pieces", "n_pieces", "targets", "n_groups", "group_size"])
#: Scratch of one task: the gathered pieces (CBOW), targets, the hidden vector, its summed gradient
#: and one group's gradient, coefficients, and scores.
PiecesScratch = namedtuple("PiecesScratch", ["pieces", "targets", "hidden", "grad", "step", "coef", "scores"])


@njit(**_FAST)
def pieces_step(weights, block, lr, scratch, want_loss=True):
    """One update: the mean of the block's pieces against its groups of targets, in turn.

    A group is what fastText updates for one (centre, context) pair. fastText adds
    each pair's gradient to every piece row before the next pair, which moves their
    mean, the hidden vector, by exactly that gradient; here the hidden vector is moved
    the same way, group after group, and the piece rows are written once, with the
    summed gradient, at the end. Within a group every score comes from the rows as
    the group found them. A noise word equal to its group's true target is skipped
    (fastText redraws it). Returns ``(loss sum, number of terms)``, or ``(0.0, 0)``
    unless ``want_loss``.
    """
    w_in = weights.w_in
    pieces, n_pieces, targets, n_groups, group_size = block
    hidden, grad, step, coef = scratch.hidden, scratch.grad, scratch.step, scratch.coef
    dim = w_in.shape[1]
    for k in range(n_groups * group_size):  # the groups are taken in turn: start loading every one
        _prefetch_row(weights.w_out, targets[k])
    inv = np.float32(1.0 / n_pieces)
    for j in range(n_pieces):
        coef[j] = inv
    for x in range(dim):
        hidden[x] = 0.0
        grad[x] = 0.0
    _add_rows(hidden, coef, w_in, pieces, n_pieces, dim)
    loss = 0.0
    terms = 0
    for g in range(n_groups):
        group = targets[g * group_size:(g + 1) * group_size]
        group_loss, group_terms = _group_step(weights.w_out, group, group_size, lr, scratch, want_loss)
        loss += group_loss
        terms += group_terms
        for x in range(dim):
            grad[x] += step[x]
            hidden[x] += step[x]
    for j in range(n_pieces):
        row = w_in[pieces[j]]
        for x in range(dim):
            row[x] += grad[x]
    return loss, terms


@njit(inline="always", **_FAST)
def _group_step(w_out, group, size, lr, scratch, want_loss):
    """Score ``group`` (a true target, then noise) against ``scratch.hidden``, update its output
    rows, and leave the hidden vector's gradient in ``scratch.step``."""
    hidden, step, coef, scores = scratch.hidden, scratch.step, scratch.coef, scratch.scores
    dim = hidden.shape[0]
    _dot_rows(hidden, w_out, group, size, scores, dim)
    loss = 0.0
    terms = 0
    for k in range(size):
        if k > 0 and group[k] == group[0]:
            coef[k] = 0.0
            continue
        label = 1.0 if k == 0 else 0.0
        if want_loss:
            loss += _log_sigmoid_loss(scores[k], label)
            terms += 1
        coef[k] = (label - _sigmoid_table(scores[k])) * lr
    for x in range(dim):
        step[x] = 0.0
    _add_rows(step, coef, w_out, group, size, dim)
    for k in range(size):
        g = coef[k]
        if g != 0.0:
            row = w_out[group[k]]
            for x in range(dim):
                row[x] += g * hidden[x]
    return loss, terms


@njit(inline="always", **_OPTS)
def _draw_noise_into(targets, first, count, sampler, state):
    for k in range(first, first + count):
        state = _next_state(state)
        targets[k] = _draw_noise(state, sampler.noise_accept, sampler.noise_alias)
    return state


@njit(inline="always", **_OPTS)
def _gather_pieces(table, words, lo, hi, centre, out):
    """The pieces of every word in ``words[lo:hi]`` but the one at ``centre``, one after another."""
    n = _ZERO
    for j in range(lo, hi):
        if j != centre:
            w = words[j]
            for r in range(table.offsets[w], table.offsets[w + 1]):
                out[n] = table.rows[r]
                n += 1
    return n


@njit(inline="always", **_OPTS)
def _prefetch_pieces(w_in, table, word):
    """Start loading the piece rows of ``word``, trained next (a no-op here, as :func:`_prefetch_row`)."""
    for r in range(table.offsets[word], table.offsets[word + 1]):
        _prefetch_row(w_in, table.rows[r])


@njit(**_FAST)
def train_subword_words(weights, table, run, sampler, settings, state, scratch):
    """Train on a subsampled run of words (a :class:`WordRun`).

    No window crosses a segment boundary; the loss is computed for one centre
    word in ``LOSS_EVERY``. Returns ``(loss, terms, state)``.
    """
    words, n_words, segments, rates = run
    window, negative = settings.window, settings.negative
    targets = scratch.targets
    loss = 0.0
    terms = 0
    segment = -1
    first = last = _ZERO
    lr = 0.0
    for i in range(n_words):
        while i >= last:
            segment += 1
            first, last = segments[segment], segments[segment + 1]
            lr = rates[segment]
        state = _next_state(state)
        reach = window - int(_uniform(state) * window)
        lo, hi = max(first, i - reach), min(last, i + reach + 1)
        if hi - lo < 2:
            continue
        centre = words[i]
        group_size = 1 + negative
        if settings.model == SKIP_GRAM:
            n_groups = _ZERO
            for j in range(lo, hi):
                if j != i:
                    first_target = n_groups * group_size
                    targets[first_target] = words[j]
                    state = _draw_noise_into(targets, first_target + 1, negative, sampler, state)
                    n_groups += 1
            pieces = table.rows[table.offsets[centre]:table.offsets[centre + 1]]
            n_pieces = table.offsets[centre + 1] - table.offsets[centre]
        else:
            targets[0] = centre
            state = _draw_noise_into(targets, 1, negative, sampler, state)
            n_groups = 1
            pieces = scratch.pieces
            n_pieces = _gather_pieces(table, words, lo, hi, i, pieces)
        ahead = i + 1 if settings.model == SKIP_GRAM else i + 1 + window
        if ahead < n_words:
            _prefetch_pieces(weights.w_in, table, words[ahead])
        want_loss = i % LOSS_EVERY == 0
        step_loss, step_terms = pieces_step(
            weights, PiecesBlock(pieces, n_pieces, targets, n_groups, group_size), lr, scratch, want_loss)
        loss += step_loss
        terms += step_terms
    return loss, terms, state


@njit(**_OPTS)
def make_pieces_scratch(window, negative, dim, max_pieces):
    """A :class:`PiecesScratch` for windows up to ``window`` and words of up to ``max_pieces`` pieces."""
    n_targets = 2 * window * (1 + negative)
    longest = max(2 * window * max_pieces, 1)
    return PiecesScratch(np.empty(longest, dtype=np.int32), np.empty(n_targets, dtype=np.int32),
                         np.empty(dim, dtype=np.float32), np.empty(dim, dtype=np.float32),
                         np.empty(dim, dtype=np.float32), np.empty(max(longest, n_targets), dtype=np.float32),
                         np.empty(n_targets, dtype=np.float32))


@njit(nogil=True, **_OPTS)
def train_subword_task(weights, table, stream, sampler, settings, start, end, seed):
    """Train on token positions ``start:end``. Returns ``(loss sum, loss terms)``."""
    run, state = subsample_range(stream, sampler, settings, start, end, np.uint64(seed))
    scratch = make_pieces_scratch(settings.window, settings.negative, weights.w_in.shape[1], table.max_pieces)
    loss, terms, state = train_subword_words(weights, table, run, sampler, settings, state, scratch)
    return loss, terms


def train_subword_chunk(weights, table, stream, sampler, settings, tasks):
    """Run every task of :func:`train_subword_task` at once, one thread each."""
    run_tasks(train_subword_task, tasks, weights, table, stream, sampler, settings)


# --- the reading kernels -------------------------------------------------------------------------

_TEXT_OPTS = dict(cache=True, nogil=True, boundscheck=False)
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_LONG = np.uint64(1 << 63)
_SHORT = 7
_U8 = np.uint64(8)
_U32 = np.uint64(32)
_NEWLINE = 10
_SPACE = 32
_TAG_OPEN = 60
_TAG_CLOSE = 62
_TAG_MAX_INSIDE = 200



# --- the table -------------------------------------------------------------------------------------

def new_table(n_slots: int, arena_bytes: int) -> tuple:
    """The arrays of an empty table of ``n_slots`` slots and ``arena_bytes`` bytes (at least 64)."""
    return _new_table(n_slots, arena_bytes)


@njit(**_TEXT_OPTS)
def _new_table(n_slots, arena_bytes):
    """The arrays of an empty table: ``(slots, starts, arena, sizes)`` (:class:`~wordvec.kernels.text.Words`)."""
    return (np.zeros((n_slots, 2), dtype=np.uint64), np.zeros(n_slots * 3 // 4 + 2, dtype=np.int64),
            np.empty(max(arena_bytes, 64), dtype=np.uint8), np.zeros(3, dtype=np.int64))


@njit(**_TEXT_OPTS)
def _word_key(src, start, end):
    """The key of the word ``src[start:end]`` (lower case already; see :class:`~wordvec.kernels.text.Words`)."""
    key = np.uint64(0)
    if end - start <= _SHORT:
        for k in range(end - start):
            key |= np.uint64(src[start + k]) << (_U8 * np.uint64(k))
        return key
    key = _FNV_OFFSET
    for i in range(start, end):
        key = (key ^ np.uint64(src[i])) * _FNV_PRIME
    return key | _LONG


@njit(**_TEXT_OPTS)
def _grown(slots, starts, arena, sizes, more_bytes):
    """A table with room for one more row and ``more_bytes`` more bytes: ``(slots, starts, arena)``."""
    n_rows, used = sizes[0], sizes[1]
    n_slots = slots.shape[0]
    while 4 * (n_rows + 1) > 3 * n_slots:
        n_slots *= 2
    new_slots, new_starts, new_arena, _ = _new_table(n_slots, max(arena.shape[0], 2 * (used + more_bytes)))
    for i in range(used):
        new_arena[i] = arena[i]
    for row in range(n_rows + 1):
        new_starts[row] = starts[row]
    if n_slots == slots.shape[0]:
        return slots, new_starts, new_arena
    mask = n_slots - 1
    for row in range(n_rows):
        key = _word_key(new_arena, new_starts[row], new_starts[row + 1] - 1)
        slot = np.int64(((key * _MIX) >> _U32) & np.uint64(mask))
        while new_slots[slot, 1] != 0:
            slot = (slot + 1) & mask
        new_slots[slot, 0], new_slots[slot, 1] = key, row + 1
    return new_slots, new_starts, new_arena


# --- words of a document ---------------------------------------------------------------------------

@njit(**_TEXT_OPTS)
def _after_tag(src, start, end):
    """Where reading goes on after the ``<`` at ``start``: past its tag (``<[^<>]{0,200}>``), or the next byte."""
    for i in range(start + 1, min(end, start + _TAG_MAX_INSIDE + 2)):
        if src[i] == _TAG_CLOSE:
            return i + 1
        if src[i] == _TAG_OPEN or src[i] == _NEWLINE:  # a tag never runs on to the next document
            break
    return start + 1


@njit(**_TEXT_OPTS)
def _encode_range(src, span, table, fold, ids, tally):
    """Append the rows of the words of ``src[span[0]:span[1]]`` to ``ids``, in the table
    ``(slots, starts, arena, sizes)``.

    Words are split at the bytes ``fold`` maps to 0, and ``<`` starts a tag when one follows;
    other bytes (those from ``0x80`` up too) are word bytes, lower-cased by ``fold``. ``tally`` is
    ``[words written to ids, where the current document started in ids, documents with words,
    their sizes...]``: a line feed ends a document, and so does the end of the range when
    ``span[2]`` (no more documents are recorded than ``tally`` has room for). Returns where it stopped: ``span[1]``, or where a new word was met with the table
    full (grow it and go on from there). The table lookup is written out here, not called: a call
    passing arrays costs more than the lookup itself, and this runs for every word.
    """
    slots, starts, arena, sizes = table
    i, end, closes = span
    n_ids, mask = tally[0], slots.shape[0] - 1
    while i < end:
        if fold[src[i]] == 0:
            if src[i] == _NEWLINE and n_ids > tally[1] and 3 + tally[2] < tally.shape[0]:
                tally[3 + tally[2]], tally[1], tally[2] = n_ids - tally[1], n_ids, tally[2] + 1
            i = _after_tag(src, i, end) if src[i] == _TAG_OPEN else i + 1
            continue
        packed, hashed, j = np.uint64(0), _FNV_OFFSET, i
        while j < end and fold[src[j]] != 0:
            folded = np.uint64(fold[src[j]])
            hashed = (hashed ^ folded) * _FNV_PRIME
            if j - i < _SHORT:
                packed |= folded << (_U8 * np.uint64(j - i))
            j += 1
        key = packed if j - i <= _SHORT else hashed | _LONG
        slot = np.int64(((key * _MIX) >> _U32) & np.uint64(mask))
        while slots[slot, 1] != 0:
            if slots[slot, 0] == key:
                if j - i <= _SHORT:
                    break
                first = starts[np.int64(slots[slot, 1]) - 1]
                k = 0 if starts[np.int64(slots[slot, 1])] - 1 - first == j - i else j - i + 1
                while k < j - i and arena[first + k] == fold[src[i + k]]:
                    k += 1
                if k == j - i:
                    break
            slot = (slot + 1) & mask
        row = np.int64(slots[slot, 1]) - 1
        if row < 0:
            row, used = sizes[0], sizes[1]
            if 4 * (row + 1) > 3 * slots.shape[0] or used + j - i + 1 > arena.shape[0]:
                break
            for k in range(j - i):
                arena[used + k] = fold[src[i + k]]
            arena[used + j - i] = _SPACE
            slots[slot, 0], slots[slot, 1] = key, row + 1
            starts[row + 1] = used + j - i + 1
            sizes[0], sizes[1] = row + 1, used + j - i + 1
        ids[n_ids] = row
        n_ids += 1
        i = j
    tally[0] = n_ids
    if i >= end and closes and n_ids > tally[1] and 3 + tally[2] < tally.shape[0]:
        tally[3 + tally[2]], tally[1], tally[2] = n_ids - tally[1], n_ids, tally[2] + 1
    return i


@njit(**_TEXT_OPTS)
def encode_block(buf, docs, hard, replaced, table, fold):
    """Number the words of a block's documents in the table of words seen so far.

    Document ``d`` is ``buf[docs[d, 0]:docs[d, 1]]`` then ``buf[docs[d, 2]:docs[d, 3]]`` (a review's
    summary and text), or, where ``hard[d]``, the next replacement (``replaced`` is
    ``(replacements, starts)``: replacement ``k`` is ``replacements[starts[k]:starts[k + 1]]``).
    Documents that are consecutive lines (no summary) are read in one go, the line feeds between
    them ending each. ``table`` is ``(slots, starts, arena, sizes)`` (:class:`~wordvec.kernels.text.Words`); new words are
    added to it. Returns ``(slots, starts, arena, ids, lengths)``: the table's arrays (new ones if
    it grew; ``sizes`` is updated in place), the rows of the block's words in order, and the number
    of words of each document that has any (documents without words are left out).
    """
    replacements, replacement_starts = replaced
    n_docs = docs.shape[0]
    room = replacements.shape[0] // 2 + n_docs + 1  # a word takes a byte and a separator, or ends a range
    for d in range(n_docs):
        room += (docs[d, 1] - docs[d, 0] + 1) // 2 + (docs[d, 3] - docs[d, 2] + 1) // 2
    ids = np.empty(room, dtype=np.int32)
    tally = np.zeros(n_docs + 3, dtype=np.int64)
    d = k = 0
    while d < n_docs:
        last = d
        if hard[d]:
            src, span, k = replacements, (replacement_starts[k], replacement_starts[k + 1], True), k + 1
        else:
            while (last + 1 < n_docs and not hard[last + 1] and docs[last + 1, 1] == docs[last + 1, 0]
                   and docs[last + 1, 2] == docs[last, 3] + 1):
                last += 1
            src, span = buf, (docs[d, 2], docs[last, 3], True)
            if docs[d, 1] > docs[d, 0]:
                table = _encode_all(buf, (docs[d, 0], docs[d, 1], False), table, fold, ids, tally)
        table = _encode_all(src, span, table, fold, ids, tally)
        d = last + 1
    slots, starts, arena, sizes = table
    return slots, starts, arena, ids[:tally[0]], tally[3:3 + tally[2]].copy()


@njit(**_TEXT_OPTS)
def _encode_all(src, span, table, fold, ids, tally):
    """:func:`_encode_range` on the whole span, growing the table as needed; returns the table."""
    start, end, closes = span
    while True:
        start = _encode_range(src, (start, end, closes), table, fold, ids, tally)
        if start >= end:
            return table
        slots, starts, arena, sizes = table
        slots, starts, arena = _grown(slots, starts, arena, sizes, end - start)
        table = (slots, starts, arena, sizes)


# --- documents of a block --------------------------------------------------------------------------

@njit(**_TEXT_OPTS)
def _count_lines(buf):
    n = 0
    for byte in buf:
        if byte == _NEWLINE:
            n += 1
    if buf.shape[0] and buf[buf.shape[0] - 1] != _NEWLINE:
        n += 1
    return n


@njit(**_TEXT_OPTS)
def find_lines(buf):
    """The lines of a block of plain text as documents: ``(docs, hard)`` as :func:`encode_block` takes them.

    A line ends at a line feed (not kept); it is hard when it holds a byte outside ASCII.
    """
    n = _count_lines(buf)
    docs = np.zeros((n, 4), dtype=np.int64)
    hard = np.zeros(n, dtype=np.uint8)
    start = 0
    k = 0
    seen = np.uint8(0)
    for i in range(buf.shape[0]):
        byte = buf[i]
        if byte == _NEWLINE:
            docs[k, 2], docs[k, 3], hard[k] = start, i, seen >> 7
            k += 1
            start = i + 1
            seen = np.uint8(0)
        else:
            seen |= byte
    if start < buf.shape[0]:
        docs[k, 2], docs[k, 3], hard[k] = start, buf.shape[0], seen >> 7
    return docs, hard


@njit(**_TEXT_OPTS)
def _find_reviews(buf, include_summary, summary_prefix, text_prefix):
    """:func:`find_reviews`, the two line prefixes passed in (compared here, not called: a call per
    line passing arrays would cost more than the comparison)."""
    n = _count_lines(buf)
    docs = np.zeros((n, 4), dtype=np.int64)
    hard = np.zeros(n, dtype=np.uint8)
    summary_start = summary_end = -1
    summary_hard = False
    k = 0
    start = 0
    while start < buf.shape[0]:
        end, seen, tagged = start, np.uint8(0), False
        while end < buf.shape[0] and buf[end] != _NEWLINE:
            seen |= buf[end]
            tagged |= buf[end] == _TAG_OPEN
            end += 1
        is_summary = end - start >= summary_prefix.shape[0]
        is_text = end - start >= text_prefix.shape[0]
        for i in range(summary_prefix.shape[0]):
            is_summary = is_summary and buf[start + i] == summary_prefix[i]
            is_text = is_text and (i >= text_prefix.shape[0] or buf[start + i] == text_prefix[i])
        if is_summary:
            summary_start, summary_end = start + summary_prefix.shape[0], end
            summary_hard = seen >= 0x80 or tagged
        elif is_text:
            docs[k, 2], docs[k, 3], hard[k] = start + text_prefix.shape[0], end, seen >> 7
            if include_summary and summary_start >= 0:
                docs[k, 0], docs[k, 1] = summary_start, summary_end
                hard[k] |= summary_hard
            summary_start = summary_end = -1
            k += 1
        start = end + 1
    return docs[:k], hard[:k]


# --- the corpus in vocabulary rows -----------------------------------------------------------------

@njit(**_TEXT_OPTS)
def remap_range(ids, first, remap, doc_starts, offsets, state, out):
    """Rows ``remap[ids]`` into ``out``, those mapped to 0 left out; returns how many were kept.

    ``ids`` are the corpus' ids from position ``first``; ``state`` holds the next document and the
    rows kept so far, carried from range to range; every document starting in the range (at
    ``doc_starts[d]``) gets ``offsets[d]``, the rows kept before it.
    """
    doc, kept = state[0], state[1]
    n_kept = 0
    for i in range(ids.shape[0]):
        while doc < doc_starts.shape[0] and doc_starts[doc] == first + i:
            offsets[doc] = kept + n_kept
            doc += 1
        row = remap[ids[i]]
        if row > 0:
            out[n_kept] = row
            n_kept += 1
    state[0], state[1] = doc, kept + n_kept
    return n_kept
