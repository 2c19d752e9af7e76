"""Numba kernels for subword (fastText-style) training: flat arrays in, numbers out.

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
learning-rate segments, seeding, threads) is shared with :mod:`wordvec._kernels`.
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
from ._tasks import SubwordTable  # noqa: F401 (re-exported)

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
