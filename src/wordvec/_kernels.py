"""Numba kernels for word2vec training: flat arrays in, numbers out.

No objects, no I/O, no printing. The trainer (``model.py``) owns epochs,
learning-rate decay, seeding and progress, and calls :func:`train_chunk` on
slices of the token stream.

Skip-gram updates follow pWord2Vec (Ji et al., 2016): all the context words
of one centre word share one set of negative samples, so the block of
``contexts x (centre + negatives)`` dot products is computed at once and
both sides are updated from the same gradients.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit, prange

#: The two weight matrices: input (the word vectors) and output (the context model).
Weights = namedtuple("Weights", ["w_in", "w_out"])
#: The token stream: vocabulary rows and document boundaries.
TokenStream = namedtuple("TokenStream", ["tokens", "doc_offsets"])
#: Per-word keep probabilities and the alias tables of the noise distribution.
Sampler = namedtuple("Sampler", ["keep_prob", "noise_accept", "noise_alias"])
#: Scalar settings for one call: model (0 skip-gram, 1 CBOW), window, negatives,
#: learning rate at the first and last position of the chunk.
Settings = namedtuple("Settings", ["model", "window", "negative", "lr_start", "lr_end"])
#: One task per thread: token ranges ``bounds[t]:bounds[t+1]``, a seed each, and
#: an output row of ``[words seen, loss sum, loss terms]`` each.
Tasks = namedtuple("Tasks", ["bounds", "seeds", "stats"])

SKIP_GRAM = 0
CBOW = 1

_U1 = np.uint64(1)
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_M3 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0


@njit(inline="always", cache=True, error_model="numpy")
def _next_state(state):
    return state + _M1


@njit(inline="always", cache=True, error_model="numpy")
def _uniform(state):
    """splitmix64 output of ``state`` mapped to [0, 1)."""
    z = state
    z = (z ^ (z >> _S30)) * _M2
    z = (z ^ (z >> _S27)) * _M3
    z = z ^ (z >> _S31)
    return float(z >> _S11) * _TO_UNIT


@njit(inline="always", cache=True, error_model="numpy")
def _draw_noise(state, accept, alias):
    u = _uniform(state) * accept.shape[0]
    slot = int(u)
    if u - slot < accept[slot]:
        return slot
    return alias[slot]


@njit(fastmath=True, inline="always", cache=True, error_model="numpy")
def _log_sigmoid_loss(score, label):
    """``-log(sigmoid(score))`` for a positive pair, ``-log(1 - sigmoid(score))`` for a negative."""
    x = -score if label > 0 else score
    if x > 30.0:
        return x
    return math.log1p(math.exp(x))


@njit(fastmath=True, cache=True, error_model="numpy")
def sgns_block(w_in, w_out, contexts, n_contexts, targets, n_targets, lr, grads, ctx_grad):
    """One skip-gram step: ``contexts[:n_contexts]`` against ``targets[:n_targets]``.

    ``targets[0]`` is the centre word (label 1), the rest are negatives (label 0);
    a negative equal to the centre word is skipped. Updates ``w_in`` rows of the
    contexts and ``w_out`` rows of the targets in place; ``grads`` and
    ``ctx_grad`` are scratch buffers. Returns ``(loss sum, number of terms)``.
    """
    dim = w_in.shape[1]
    centre = targets[0]
    loss = 0.0
    terms = 0
    for j in range(n_contexts):
        c = contexts[j]
        for k in range(n_targets):
            t = targets[k]
            if k > 0 and t == centre:
                grads[j, k] = 0.0
                continue
            score = np.float32(0.0)
            for x in range(dim):
                score += w_in[c, x] * w_out[t, x]
            label = 1.0 if k == 0 else 0.0
            prob = 1.0 / (1.0 + math.exp(-score))
            grads[j, k] = (label - prob) * lr
            loss += _log_sigmoid_loss(score, label)
            terms += 1
    for j in range(n_contexts):
        for x in range(dim):
            ctx_grad[j, x] = 0.0
        for k in range(n_targets):
            g = grads[j, k]
            t = targets[k]
            for x in range(dim):
                ctx_grad[j, x] += g * w_out[t, x]
    for k in range(n_targets):
        t = targets[k]
        for j in range(n_contexts):
            g = grads[j, k]
            c = contexts[j]
            for x in range(dim):
                w_out[t, x] += g * w_in[c, x]
    for j in range(n_contexts):
        c = contexts[j]
        for x in range(dim):
            w_in[c, x] += ctx_grad[j, x]
    return loss, terms


@njit(fastmath=True, cache=True, error_model="numpy")
def cbow_step(w_in, w_out, contexts, n_contexts, targets, n_targets, lr, hidden, hidden_grad):
    """One CBOW step: the mean of the context vectors predicts ``targets[0]`` against negatives."""
    dim = w_in.shape[1]
    centre = targets[0]
    for x in range(dim):
        hidden[x] = 0.0
        hidden_grad[x] = 0.0
    for j in range(n_contexts):
        c = contexts[j]
        for x in range(dim):
            hidden[x] += w_in[c, x]
    inv = np.float32(1.0 / n_contexts)
    for x in range(dim):
        hidden[x] *= inv
    loss = 0.0
    terms = 0
    for k in range(n_targets):
        t = targets[k]
        if k > 0 and t == centre:
            continue
        score = np.float32(0.0)
        for x in range(dim):
            score += hidden[x] * w_out[t, x]
        label = 1.0 if k == 0 else 0.0
        g = np.float32((label - 1.0 / (1.0 + math.exp(-score))) * lr)
        loss += _log_sigmoid_loss(score, label)
        terms += 1
        for x in range(dim):
            hidden_grad[x] += g * w_out[t, x]
            w_out[t, x] += g * hidden[x]
    for j in range(n_contexts):
        c = contexts[j]
        for x in range(dim):
            w_in[c, x] += hidden_grad[x]
    return loss, terms


@njit(cache=True, error_model="numpy")
def subsample(tokens, start, end, keep_prob, state, out):
    """Copy ``tokens[start:end]`` into ``out``, keeping each with its word's probability."""
    n = 0
    for i in range(start, end):
        word = tokens[i]
        state = _next_state(state)
        if keep_prob[word] >= 1.0 or _uniform(state) < keep_prob[word]:
            out[n] = word
            n += 1
    return n, state


@njit(fastmath=True, cache=True, error_model="numpy")
def train_segment(weights, words, n_words, sampler, settings, lr, state, scratch):
    """Train on one subsampled run of words (within a single document)."""
    w_in, w_out = weights.w_in, weights.w_out
    window = settings.window
    contexts, targets, grads, ctx_grad, hidden, hidden_grad = scratch
    loss = 0.0
    terms = 0
    for i in range(n_words):
        state = _next_state(state)
        reach = window - int(_uniform(state) * window)
        n_contexts = 0
        for j in range(max(0, i - reach), min(n_words, i + reach + 1)):
            if j != i:
                contexts[n_contexts] = words[j]
                n_contexts += 1
        if n_contexts == 0:
            continue
        targets[0] = words[i]
        for k in range(1, settings.negative + 1):
            state = _next_state(state)
            targets[k] = _draw_noise(state, sampler.noise_accept, sampler.noise_alias)
        if settings.model == SKIP_GRAM:
            step_loss, step_terms = sgns_block(w_in, w_out, contexts, n_contexts, targets,
                                               settings.negative + 1, lr, grads, ctx_grad)
        else:
            step_loss, step_terms = cbow_step(w_in, w_out, contexts, n_contexts, targets,
                                              settings.negative + 1, lr, hidden, hidden_grad)
        loss += step_loss
        terms += step_terms
    return loss, terms, state


@njit(cache=True, error_model="numpy")
def _make_scratch(window, negative, dim, length):
    words = np.empty(length, dtype=np.int32)
    contexts = np.empty(2 * window, dtype=np.int32)
    targets = np.empty(negative + 1, dtype=np.int32)
    grads = np.empty((2 * window, negative + 1), dtype=np.float32)
    ctx_grad = np.empty((2 * window, dim), dtype=np.float32)
    hidden = np.empty(dim, dtype=np.float32)
    hidden_grad = np.empty(dim, dtype=np.float32)
    return words, (contexts, targets, grads, ctx_grad, hidden, hidden_grad)


@njit(cache=True, error_model="numpy")
def train_task(weights, stream, sampler, settings, start, end, seed):
    """Train on token positions ``start:end``; windows never cross a document boundary.

    Returns ``(loss sum, loss terms)``.
    """
    dim = weights.w_in.shape[1]
    words, scratch = _make_scratch(settings.window, settings.negative, dim, max(end - start, 1))
    offsets = stream.doc_offsets
    doc = np.searchsorted(offsets, start, side="right") - 1
    state = np.uint64(seed)
    loss = 0.0
    terms = 0
    position = start
    span = max(end - start, 1)
    while position < end:
        segment_end = min(end, offsets[doc + 1])
        n_words, state = subsample(stream.tokens, position, segment_end, sampler.keep_prob, state, words)
        lr = settings.lr_start + (settings.lr_end - settings.lr_start) * (position - start) / span
        seg_loss, seg_terms, state = train_segment(weights, words, n_words, sampler, settings,
                                                   lr, state, scratch)
        loss += seg_loss
        terms += seg_terms
        position = segment_end
        doc += 1
    return loss, terms


@njit(parallel=True, cache=True, error_model="numpy")
def train_chunk(weights, stream, sampler, settings, tasks):
    """Run every task in parallel (Hogwild: threads update shared rows without locks)."""
    bounds, seeds, stats = tasks.bounds, tasks.seeds, tasks.stats
    for t in prange(seeds.shape[0]):
        start, end = bounds[t], bounds[t + 1]
        loss, terms = train_task(weights, stream, sampler, settings, start, end, seeds[t])
        stats[t, 0] = end - start
        stats[t, 1] = loss
        stats[t, 2] = terms
