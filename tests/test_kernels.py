"""Numba kernels against a plain NumPy oracle."""

from __future__ import annotations

import numpy as np
import pytest

from wordvec import _kernels as K
from wordvec.vocab import alias_table


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


def cbow_oracle(w_in, w_out, contexts, targets, lr):
    w_in, w_out = w_in.astype(np.float64), w_out.astype(np.float64)
    hidden = w_in[contexts].mean(axis=0)
    new_in, new_out = w_in.copy(), w_out.copy()
    hidden_grad = np.zeros_like(hidden)
    for k, t in enumerate(targets):
        if k > 0 and t == targets[0]:
            continue
        g = ((1.0 if k == 0 else 0.0) - 1 / (1 + np.exp(-hidden @ new_out[t]))) * lr
        hidden_grad += g * new_out[t]
        new_out[t] += g * hidden
    np.add.at(new_in, contexts, np.tile(hidden_grad, (len(contexts), 1)))
    return new_in, new_out


@pytest.fixture
def weights():
    rng = np.random.default_rng(7)
    return rng.normal(0, 0.5, (12, 6)).astype(np.float32), rng.normal(0, 0.5, (12, 6)).astype(np.float32)


def test_sgns_block_matches_numpy_oracle(weights):
    w_in, w_out = weights
    contexts = np.array([2, 5, 5, 7], dtype=np.int32)  # a repeated context word
    targets = np.array([3, 9, 3, 11], dtype=np.int32)  # a negative equal to the centre is skipped
    expected_in, expected_out, expected_loss, expected_terms = sgns_oracle(w_in, w_out, contexts, targets, 0.1)
    grads = np.empty((4, 4), np.float32)
    ctx_grad = np.empty((4, 6), np.float32)
    loss, terms = K.sgns_block(w_in, w_out, contexts, 4, targets, 4, 0.1, grads, ctx_grad)
    np.testing.assert_allclose(w_in, expected_in, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w_out, expected_out, rtol=1e-5, atol=1e-6)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    assert terms == 12


def test_cbow_step_matches_numpy_oracle(weights):
    w_in, w_out = weights
    contexts = np.array([1, 4, 6], dtype=np.int32)
    targets = np.array([8, 2, 10], dtype=np.int32)
    expected_in, expected_out = cbow_oracle(w_in, w_out, contexts, targets, 0.05)
    K.cbow_step(w_in, w_out, contexts, 3, targets, 3, 0.05, np.empty(6, np.float32), np.empty(6, np.float32))
    np.testing.assert_allclose(w_in, expected_in, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w_out, expected_out, rtol=1e-5, atol=1e-6)


def test_subsample_keeps_words_at_their_rate():
    tokens = np.array([1, 2] * 50_000, dtype=np.int32)
    keep = np.array([0.0, 1.0, 0.25], dtype=np.float32)
    out = np.empty_like(tokens)
    n, _ = K.subsample(tokens, 0, tokens.shape[0], keep, np.uint64(5), out)
    kept = out[:n]
    assert (kept == 1).sum() == 50_000
    assert (kept == 2).sum() == pytest.approx(12_500, rel=0.05)


def test_noise_draws_follow_the_alias_table():
    accept, alias = alias_table(np.array([0.0, 1.0, 3.0]))
    state = np.uint64(11)
    draws = []
    with np.errstate(over="ignore"):
        for _ in range(20000):
            state = K._next_state.py_func(state)
            draws.append(K._draw_noise.py_func(state, accept, alias))
    draws = np.bincount(draws, minlength=3) / 20000
    assert draws[0] == 0
    assert draws[2] == pytest.approx(0.75, abs=0.02)


def test_windows_do_not_cross_documents():
    # Output rows of document 1 point along e0, those of document 2 along e1. With no
    # negatives, an input row moves only along the output rows of its own context words.
    w_in = np.zeros((7, 2), dtype=np.float32)
    w_out = np.array([[0, 0], [1, 0], [1, 0], [1, 0], [0, 1], [0, 1], [0, 1]], dtype=np.float32)
    stream = K.TokenStream(np.array([1, 2, 3, 4, 5, 6], dtype=np.int32), np.array([0, 3, 6], dtype=np.int64))
    accept, alias = alias_table(np.array([0, 1, 1, 1, 1, 1, 1], dtype=np.float64))
    sampler = K.Sampler(np.ones(7, np.float32), accept, alias)
    settings = K.Settings(K.SKIP_GRAM, 5, 0, 0.1, 0.1)
    K.train_task(K.Weights(w_in, w_out), stream, sampler, settings, 0, 6, np.uint64(1))
    assert (w_in[1:4, 0] > 0).all() and (w_in[1:4, 1] == 0).all()
    assert (w_in[4:7, 1] > 0).all() and (w_in[4:7, 0] == 0).all()
