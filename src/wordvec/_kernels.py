"""Numba kernels for word2vec training: flat arrays in, numbers out.

No objects, no I/O, no printing. The trainer (``model.py``) owns epochs,
learning-rate decay, seeding and progress, and calls :func:`train_chunk` on
slices of the token stream.

Skip-gram updates follow pWord2Vec (Ji et al., 2016): all the context words
of one centre word share one set of negative samples, so the block of
``contexts x (centre + negatives)`` dot products is computed at once and
both sides are updated from the same gradients.

How the kernels are kept fast (``benchmarks/README.md`` has the measurements):

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
* the targets of the next centre word are drawn one step ahead and their rows
  prefetched for writing (``llvm.prefetch``) while the current word trains,
  across document boundaries, since a task first subsamples its whole range;
* random numbers come from a counter-based splitmix64 generator; a noise word
  takes one 64-bit draw (32 bits pick the alias slot, 32 bits decide it);
* scratch buffers are allocated once per task (once per thread per chunk);
* tasks run on plain Python threads (the kernel releases the GIL), which
  spares Numba compiling the whole kernel again for a ``prange`` loop.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from ._tasks import (CBOW, LOSS_EVERY, SKIP_GRAM, Block, Sampler, Settings, Tasks,  # noqa: F401 (re-exported)
                     TokenStream, Weights, run_tasks)
from ._tasks import SIGMOID_LAST as _SIG_LAST
from ._tasks import SIGMOID_MAX as _SIG_MAX
from ._tasks import SIGMOID_SCALE as _SIG_SCALE
from ._tasks import SIGMOID_TABLE as _SIG_TABLE

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


@intrinsic
def _prefetch_row(typingctx, matrix, row):
    """Ask the CPU to start loading row ``row`` of a C-contiguous 2-D array into cache, to write it.

    A hint only (LLVM's ``llvm.prefetch`` with write intent, one per 64-byte line
    of the row): nothing is read and nothing can fault. Every row prefetched is
    updated soon after; fetching it for writing takes the lines from the other
    thread's cache at once rather than on the first write (CBOW with 2 threads:
    6 % faster than a prefetch for reading).
    """
    if not (isinstance(matrix, types.Array) and matrix.ndim == 2 and matrix.layout == "C"
            and isinstance(row, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        intp = context.get_value_type(types.intp)
        row_index = context.cast(builder, args[1], signature.args[1], types.intp)
        row_bytes = builder.mul(builder.extract_value(ary.shape, 1), ary.itemsize)
        byte = ir.IntType(8)
        base = builder.gep(builder.bitcast(ary.data, byte.as_pointer()), [builder.mul(row_index, row_bytes)])
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte.as_pointer(), i32, i32, i32]), "llvm.prefetch.p0")
        hint = [ir.Constant(i32, 1), ir.Constant(i32, 3), ir.Constant(i32, 1)]  # for writing, keep, data
        with cgutils.for_range_slice(builder, ir.Constant(intp, 0), row_bytes, ir.Constant(intp, 64)) as (offset, _):
            builder.call(fn, [builder.gep(base, [offset])] + hint)
        builder.call(fn, [builder.gep(base, [builder.sub(row_bytes, ir.Constant(intp, 1))])] + hint)
        return context.get_dummy_value()

    return types.void(matrix, row), codegen


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
def cbow_step(weights, block, lr, scratch, want_loss=True):
    """One CBOW step: the mean of the block's context vectors predicts ``targets[0]`` against negatives.

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
        coef[j] = inv
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
        reach = window - int(_uniform(state) * window)
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
            step_loss, step_terms = cbow_step(weights, block, lr, scratch.cbow, want_loss)
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


def train_chunk(weights, stream, sampler, settings, tasks):
    """Run every task of :func:`train_task` at once, one thread each (see :func:`run_tasks`)."""
    run_tasks(train_task, tasks, weights, stream, sampler, settings)


