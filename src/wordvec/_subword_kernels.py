"""Numba kernels for subword (fastText-style) training: flat arrays in, numbers out.

A word's input vector is the mean of its *pieces*: its own row and the rows of
its character n-grams, listed per word in a compressed table
(:class:`SubwordTable`). The input matrix holds the word rows first, then the
n-gram rows.

One step (:func:`pieces_step`) follows the shared-negatives block scheme
(Wszola, Jaggi and Püschel, 2021), the subword counterpart of the word2vec
kernels' blocks:

* skip-gram: the centre word's pieces are averaged once into ``hidden``, which
  is scored against every context word (label 1) and ``negative`` noise words
  for each of them (label 0), fastText's count of negatives; the output rows
  are updated, and the summed gradient is added once to every piece row (as
  fastText adds it, without dividing by the number of pieces);
* CBOW: the pieces of every context word are averaged into ``hidden``, which
  predicts the centre word against the noise words.

fastText instead recomputes the centre's pieces and scatters the gradient for
every (centre, context) pair; the block does both once per centre word. (Noise
words shared by the whole window, as the word2vec kernels do, were measured too:
faster, but clearly worse vectors; see benchmarks/README.md.) Everything else (subsampling, learning-rate segments,
seeding, threads) is shared with :mod:`wordvec._kernels`.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from ._kernels import (
    _FAST,
    _OPTS,
    _ZERO,
    LOSS_EVERY,
    SKIP_GRAM,
    _add_rows,
    _dot_rows,
    _draw_noise,
    _log_sigmoid_loss,
    _next_state,
    _prefetch_row,
    _sigmoid_table,
    _uniform,
    run_tasks,
    subsample_range,
)

#: The pieces of each word: rows ``rows[offsets[w]:offsets[w + 1]]`` of the input
#: matrix; ``max_pieces`` is the largest count.
SubwordTable = namedtuple("SubwordTable", ["offsets", "rows", "max_pieces"])
#: One step: the input rows to average (``pieces[:n_pieces]``) against ``targets[:n_targets]``,
#: of which the first ``n_positive`` are true (label 1) and the rest noise (label 0), the same
#: number for each true target, in its order.
PiecesBlock = namedtuple("PiecesBlock", ["pieces", "n_pieces", "targets", "n_positive", "n_targets"])
#: Scratch of one task: the gathered pieces (CBOW), targets, the hidden vector and its
#: gradient, coefficients, and scores.
PiecesScratch = namedtuple("PiecesScratch", ["pieces", "targets", "hidden", "grad", "coef", "scores"])


@njit(**_FAST)
def pieces_step(weights, block, lr, scratch, want_loss=True):
    """One update: the mean of the block's pieces against its targets.

    All scores come from the rows as they were before the step. A noise word
    equal to the true target it was drawn for is skipped (fastText redraws it). Returns ``(loss sum, number of terms)``,
    or ``(0.0, 0)`` unless ``want_loss``.
    """
    w_in, w_out = weights.w_in, weights.w_out
    pieces, n_pieces, targets, n_positive, n_targets = block
    hidden, grad, coef, scores = scratch.hidden, scratch.grad, scratch.coef, scratch.scores
    dim = w_in.shape[1]
    inv = np.float32(1.0 / n_pieces)
    for j in range(n_pieces):
        coef[j] = inv
    for x in range(dim):
        hidden[x] = 0.0
        grad[x] = 0.0
    _add_rows(hidden, coef, w_in, pieces, n_pieces, dim)
    _dot_rows(hidden, w_out, targets, n_targets, scores, dim)
    loss = 0.0
    terms = 0
    per_positive = max((n_targets - n_positive) // n_positive, 1)
    for k in range(n_targets):
        label = 1.0 if k < n_positive else 0.0
        if k >= n_positive and targets[k] == targets[(k - n_positive) // per_positive]:
            coef[k] = 0.0
            continue
        if want_loss:
            loss += _log_sigmoid_loss(scores[k], label)
            terms += 1
        coef[k] = (label - _sigmoid_table(scores[k])) * lr
    _add_rows(grad, coef, w_out, targets, n_targets, dim)
    for k in range(n_targets):
        g = coef[k]
        if g != 0.0:
            row = w_out[targets[k]]
            for x in range(dim):
                row[x] += g * hidden[x]
    for j in range(n_pieces):
        row = w_in[pieces[j]]
        for x in range(dim):
            row[x] += grad[x]
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
    """Start loading the piece rows of ``word``, trained next (see ``_kernels._prefetch_row``)."""
    for r in range(table.offsets[word], table.offsets[word + 1]):
        _prefetch_row(w_in, table.rows[r])


@njit(**_FAST)
def train_subword_words(weights, table, run, sampler, settings, state, scratch):
    """Train on a subsampled run of words (a :class:`~wordvec._kernels.WordRun`).

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
        if settings.model == SKIP_GRAM:
            n_positive = _ZERO
            for j in range(lo, hi):
                if j != i:
                    targets[n_positive] = words[j]
                    n_positive += 1
            pieces = table.rows[table.offsets[centre]:table.offsets[centre + 1]]
            n_pieces = table.offsets[centre + 1] - table.offsets[centre]
        else:
            targets[0] = centre
            n_positive = 1
            pieces = scratch.pieces
            n_pieces = _gather_pieces(table, words, lo, hi, i, pieces)
        n_noise = negative * n_positive
        state = _draw_noise_into(targets, n_positive, n_noise, sampler, state)
        ahead = i + 1 if settings.model == SKIP_GRAM else i + 1 + window
        if ahead < n_words:
            _prefetch_pieces(weights.w_in, table, words[ahead])
        want_loss = i % LOSS_EVERY == 0
        step_loss, step_terms = pieces_step(
            weights, PiecesBlock(pieces, n_pieces, targets, n_positive, n_positive + n_noise), lr, scratch,
            want_loss)
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
                         np.empty(max(longest, n_targets), dtype=np.float32),
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
