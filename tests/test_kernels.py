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


def _sgns_scratch(n_contexts, n_targets, dim):
    return K.SkipGramScratch(np.empty((n_targets, dim), np.float32), np.empty((n_contexts, n_targets), np.float32),
                             np.empty((n_targets, n_contexts), np.float32), np.arange(n_targets, dtype=np.int32))


def test_sgns_block_matches_numpy_oracle(weights):
    w_in, w_out = weights
    contexts = np.array([2, 5, 5, 7], dtype=np.int32)  # a repeated context word
    targets = np.array([3, 9, 3, 11], dtype=np.int32)  # a negative equal to the centre is skipped
    expected_in, expected_out, expected_loss, expected_terms = sgns_oracle(w_in, w_out, contexts, targets, 0.1)
    loss, terms = K.sgns_block(K.Weights(w_in, w_out), K.Block(contexts, 4, targets, 4), 0.1, _sgns_scratch(4, 4, 6))
    np.testing.assert_allclose(w_in, expected_in, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w_out, expected_out, rtol=1e-5, atol=1e-6)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    assert terms == expected_terms == 12


@pytest.mark.parametrize("n_contexts, n_targets, dim", [(1, 1, 3), (2, 2, 17), (3, 6, 100), (5, 7, 33),
                                                         (10, 6, 100), (10, 13, 64), (7, 3, 1)])
def test_sgns_block_matches_oracle_for_every_row_grouping(n_contexts, n_targets, dim):
    # The fused row loops take rows 6, 3, 2 and 1 at a time: every remainder is covered.
    rng = np.random.default_rng(n_contexts * 100 + n_targets)
    w_in = rng.normal(0, 0.5, (20, dim)).astype(np.float32)
    w_out = rng.normal(0, 0.5, (20, dim)).astype(np.float32)
    contexts = rng.integers(1, 20, n_contexts).astype(np.int32)
    targets = rng.integers(1, 20, n_targets).astype(np.int32)
    expected_in, expected_out, expected_loss, expected_terms = sgns_oracle(w_in, w_out, contexts, targets, 0.05)
    loss, terms = K.sgns_block(K.Weights(w_in, w_out), K.Block(contexts, n_contexts, targets, n_targets), 0.05,
                               _sgns_scratch(n_contexts, n_targets, dim))
    np.testing.assert_allclose(w_in, expected_in, rtol=1e-5, atol=2e-6)
    np.testing.assert_allclose(w_out, expected_out, rtol=1e-5, atol=2e-6)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    assert terms == expected_terms


def test_sgns_block_can_skip_the_loss(weights):
    w_in, w_out = weights
    contexts = np.array([2, 5], dtype=np.int32)
    targets = np.array([3, 9, 4], dtype=np.int32)
    expected_in, expected_out, _, _ = sgns_oracle(w_in, w_out, contexts, targets, 0.1)
    loss, terms = K.sgns_block(K.Weights(w_in, w_out), K.Block(contexts, 2, targets, 3), 0.1, _sgns_scratch(2, 3, 6),
                               False)
    assert (loss, terms) == (0.0, 0)
    np.testing.assert_allclose(w_in, expected_in, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w_out, expected_out, rtol=1e-5, atol=1e-6)


def test_sigmoid_table_is_accurate():
    scores = np.linspace(-30, 30, 200001)
    table = np.array([K._sigmoid_table.py_func(s) for s in scores[::50]])
    exact = 1 / (1 + np.exp(-scores[::50]))
    inside = np.abs(scores[::50]) <= K._SIG_MAX
    assert np.abs(table - exact)[inside].max() < 1e-6
    assert np.abs(table - exact).max() < 5e-5


def _cbow_scratch(n_contexts, n_targets, dim):
    return K.CbowScratch(np.empty(dim, np.float32), np.empty(dim, np.float32),
                         np.empty(max(n_contexts, n_targets), np.float32))


@pytest.mark.parametrize("contexts, targets", [
    ([1, 4, 6], [8, 2, 10]),
    ([1, 4, 4, 6, 7, 9, 11, 3], [8, 2, 10, 5, 9, 1, 7]),  # rows fused 6 + 2 at a time
    ([1, 4, 6], [8, 2, 8, 10]),                            # a negative equal to the centre is skipped
    ([1, 4, 6, 3], [8, 2, 10, 2, 5]),                      # a negative drawn twice: taken one after the other
])
def test_cbow_step_matches_numpy_oracle(weights, contexts, targets):
    w_in, w_out = weights
    contexts = np.array(contexts, dtype=np.int32)
    targets = np.array(targets, dtype=np.int32)
    expected_in, expected_out = cbow_oracle(w_in, w_out, contexts, targets, 0.05)
    K.cbow_step(K.Weights(w_in, w_out), K.Block(contexts, len(contexts), targets, len(targets)), 0.05,
                _cbow_scratch(len(contexts), len(targets), 6))
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


def test_train_chunk_runs_every_task_and_reports_its_words_and_loss():
    rng = np.random.default_rng(3)
    tokens = rng.integers(1, 30, 5000).astype(np.int32)
    stream = K.TokenStream(tokens, np.arange(0, 5001, 50, dtype=np.int64))
    accept, alias = alias_table(np.r_[0.0, np.ones(29)])
    sampler = K.Sampler(np.ones(30, np.float32), accept, alias)
    w_in = rng.normal(0, 0.1, (30, 8)).astype(np.float32)
    w_out = np.zeros((30, 8), np.float32)
    tasks = K.Tasks(np.array([0, 1700, 3400, 5000]), np.array([1, 2, 3], dtype=np.uint64), np.zeros((3, 3)))
    K.train_chunk(K.Weights(w_in, w_out), stream, sampler, K.Settings(K.SKIP_GRAM, 3, 4, 0.05, 0.05), tasks)
    assert tasks.stats[:, 0].tolist() == [1700, 1700, 1600]
    # The loss is computed for one centre word in LOSS_EVERY (at most 6 contexts x 5
    # targets each); with all-zero output rows the first terms are log(2) each.
    assert (tasks.stats[:, 2] > 0).all()
    assert tasks.stats[:, 2].sum() <= (5000 / K.LOSS_EVERY + 3) * 6 * 5
    mean = tasks.stats[:, 1].sum() / tasks.stats[:, 2].sum()
    assert 0.1 < mean < np.log(2) + 0.05
    assert np.abs(w_out).sum() > 0
