"""The training kernels, compiled (C) and reference (``oracles.py``, Numba), against the plain NumPy oracles;
the reference kernels' own pieces (the sigmoid table, subsampling, noise draws)."""

from __future__ import annotations

import numpy as np
import pytest

import oracles as R
from oracles import cbow_oracle, sgns_oracle
from wordvec.kernels import tasks as K
from wordvec.kernels import training as C
from wordvec.vocab import alias_table


@pytest.fixture
def weights():
    rng = np.random.default_rng(7)
    return rng.normal(0, 0.5, (12, 6)).astype(np.float32), rng.normal(0, 0.5, (12, 6)).astype(np.float32)


def _sgns_scratch(n_contexts, n_targets, dim):
    return R.SkipGramScratch(np.empty((n_targets, dim), np.float32), np.empty((n_contexts, n_targets), np.float32),
                             np.empty((n_targets, n_contexts), np.float32), np.arange(n_targets, dtype=np.int32))


def _sgns_block(kernels, weights, block, lr):
    """One skip-gram block on the compiled kernels (``C``) or the reference ones (``R``, with their scratch)."""
    if kernels is C:
        return C.sgns_block(weights, block, lr)
    return R.sgns_block(weights, block, lr, _sgns_scratch(block.n_contexts, block.n_targets, weights.w_in.shape[1]))


KERNELS = pytest.mark.parametrize("kernels", [R, C], ids=["reference", "c"])


@KERNELS
def test_sgns_block_matches_numpy_oracle(weights, kernels):
    w_in, w_out = weights
    contexts = np.array([2, 5, 5, 7], dtype=np.int32)  # a repeated context word
    targets = np.array([3, 9, 3, 11], dtype=np.int32)  # a negative equal to the centre is skipped
    expected_in, expected_out, expected_loss, expected_terms = sgns_oracle(w_in, w_out, contexts, targets, 0.1)
    loss, terms = _sgns_block(kernels, K.Weights(w_in, w_out), K.Block(contexts, 4, targets, 4), 0.1)
    np.testing.assert_allclose(w_in, expected_in, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w_out, expected_out, rtol=1e-5, atol=1e-6)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    assert terms == expected_terms == 12


@KERNELS
@pytest.mark.parametrize("n_contexts, n_targets, dim", [(1, 1, 3), (2, 2, 17), (3, 6, 100), (5, 7, 33),
                                                         (10, 6, 100), (10, 13, 64), (7, 3, 1)])
def test_sgns_block_matches_oracle_for_every_row_grouping(kernels, n_contexts, n_targets, dim):
    # The reference's fused row loops take rows 6, 3, 2 and 1 at a time, C's targets 8 at a time:
    # every remainder is covered.
    rng = np.random.default_rng(n_contexts * 100 + n_targets)
    w_in = rng.normal(0, 0.5, (20, dim)).astype(np.float32)
    w_out = rng.normal(0, 0.5, (20, dim)).astype(np.float32)
    contexts = rng.integers(1, 20, n_contexts).astype(np.int32)
    targets = rng.integers(1, 20, n_targets).astype(np.int32)
    expected_in, expected_out, expected_loss, expected_terms = sgns_oracle(w_in, w_out, contexts, targets, 0.05)
    loss, terms = _sgns_block(kernels, K.Weights(w_in, w_out), K.Block(contexts, n_contexts, targets, n_targets), 0.05)
    np.testing.assert_allclose(w_in, expected_in, rtol=1e-5, atol=2e-6)
    np.testing.assert_allclose(w_out, expected_out, rtol=1e-5, atol=2e-6)
    assert loss == pytest.approx(expected_loss, rel=1e-5)
    assert terms == expected_terms


def test_sgns_block_can_skip_the_loss(weights):
    w_in, w_out = weights
    contexts = np.array([2, 5], dtype=np.int32)
    targets = np.array([3, 9, 4], dtype=np.int32)
    expected_in, expected_out, _, _ = sgns_oracle(w_in, w_out, contexts, targets, 0.1)
    loss, terms = R.sgns_block(K.Weights(w_in, w_out), K.Block(contexts, 2, targets, 3), 0.1, _sgns_scratch(2, 3, 6),
                               False)
    assert (loss, terms) == (0.0, 0)
    np.testing.assert_allclose(w_in, expected_in, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w_out, expected_out, rtol=1e-5, atol=1e-6)


def test_sigmoid_table_is_accurate():
    scores = np.linspace(-30, 30, 200001)
    table = np.array([R._sigmoid_table.py_func(s) for s in scores[::50]])
    exact = 1 / (1 + np.exp(-scores[::50]))
    inside = np.abs(scores[::50]) <= K.SIGMOID_MAX
    assert np.abs(table - exact)[inside].max() < 1e-6
    assert np.abs(table - exact).max() < 5e-5


def _cbow_scratch(n_contexts, n_targets, dim):
    return R.CbowScratch(np.empty(dim, np.float32), np.empty(dim, np.float32),
                         np.empty(max(n_contexts, n_targets), np.float32))


@KERNELS
@pytest.mark.parametrize("contexts, targets", [
    ([1, 4, 6], [8, 2, 10]),
    ([1, 4, 4, 6, 7, 9, 11, 3], [8, 2, 10, 5, 9, 1, 7]),  # rows fused 6 + 2 at a time
    ([1, 4, 6], [8, 2, 8, 10]),                            # a negative equal to the centre is skipped
    ([1, 4, 6, 3], [8, 2, 10, 2, 5]),                      # a negative drawn twice: taken one after the other
])
def test_cbow_step_matches_numpy_oracle(weights, kernels, contexts, targets):
    w_in, w_out = weights
    contexts = np.array(contexts, dtype=np.int32)
    targets = np.array(targets, dtype=np.int32)
    expected_in, expected_out = cbow_oracle(w_in, w_out, contexts, targets, 0.05)
    block = K.Block(contexts, len(contexts), targets, len(targets))
    if kernels is C:
        C.cbow_step(K.Weights(w_in, w_out), block, 0.05)
    else:
        R.cbow_step(K.Weights(w_in, w_out), block, 0.05, _cbow_scratch(len(contexts), len(targets), 6))
    np.testing.assert_allclose(w_in, expected_in, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w_out, expected_out, rtol=1e-5, atol=1e-6)


def test_subsample_keeps_words_at_their_rate():
    tokens = np.array([1, 2] * 50_000, dtype=np.int32)
    keep = np.array([0.0, 1.0, 0.25], dtype=np.float32)
    out = np.empty_like(tokens)
    n, _ = R.subsample(tokens, 0, tokens.shape[0], keep, np.uint64(5), out)
    kept = out[:n]
    assert (kept == 1).sum() == 50_000
    assert (kept == 2).sum() == pytest.approx(12_500, rel=0.05)


def test_noise_draws_follow_the_alias_table():
    accept, alias = alias_table(np.array([0.0, 1.0, 3.0]))
    state = np.uint64(11)
    draws = []
    with np.errstate(over="ignore"):
        for _ in range(20000):
            state = R._next_state.py_func(state)
            draws.append(R._draw_noise.py_func(state, accept, alias))
    draws = np.bincount(draws, minlength=3) / 20000
    assert draws[0] == 0
    assert draws[2] == pytest.approx(0.75, abs=0.02)


@KERNELS
def test_windows_do_not_cross_documents(kernels):
    # Output rows of document 1 point along e0, those of document 2 along e1. With no
    # negatives, an input row moves only along the output rows of its own context words.
    w_in = np.zeros((7, 2), dtype=np.float32)
    w_out = np.array([[0, 0], [1, 0], [1, 0], [1, 0], [0, 1], [0, 1], [0, 1]], dtype=np.float32)
    stream = K.TokenStream(np.array([1, 2, 3, 4, 5, 6], dtype=np.int32), np.array([0, 3, 6], dtype=np.int64))
    accept, alias = alias_table(np.array([0, 1, 1, 1, 1, 1, 1], dtype=np.float64))
    sampler = K.Sampler(np.ones(7, np.float32), accept, alias)
    settings = K.Settings(K.SKIP_GRAM, 5, 0, 0.1, 0.1)
    kernels.train_chunk(K.Weights(w_in, w_out), stream, sampler, settings,
                        K.Tasks(np.array([0, 6]), np.array([1], dtype=np.uint64), np.zeros((1, 3))))
    assert (w_in[1:4, 0] > 0).all() and (w_in[1:4, 1] == 0).all()
    assert (w_in[4:7, 1] > 0).all() and (w_in[4:7, 0] == 0).all()


@KERNELS
def test_train_chunk_runs_every_task_and_reports_its_words_and_loss(kernels):
    rng = np.random.default_rng(3)
    tokens = rng.integers(1, 30, 5000).astype(np.int32)
    stream = K.TokenStream(tokens, np.arange(0, 5001, 50, dtype=np.int64))
    accept, alias = alias_table(np.r_[0.0, np.ones(29)])
    sampler = K.Sampler(np.ones(30, np.float32), accept, alias)
    w_in = rng.normal(0, 0.1, (30, 8)).astype(np.float32)
    w_out = np.zeros((30, 8), np.float32)
    tasks = K.Tasks(np.array([0, 1700, 3400, 5000]), np.array([1, 2, 3], dtype=np.uint64), np.zeros((3, 3)))
    kernels.train_chunk(K.Weights(w_in, w_out), stream, sampler, K.Settings(K.SKIP_GRAM, 3, 4, 0.05, 0.05), tasks)
    assert tasks.stats[:, 0].tolist() == [1700, 1700, 1600]
    # The loss is computed for one centre word in LOSS_EVERY (at most 6 contexts x 5
    # targets each); with all-zero output rows the first terms are log(2) each.
    assert (tasks.stats[:, 2] > 0).all()
    assert tasks.stats[:, 2].sum() <= (5000 / K.LOSS_EVERY + 3) * 6 * 5
    mean = tasks.stats[:, 1].sum() / tasks.stats[:, 2].sum()
    assert 0.1 < mean < np.log(2) + 0.05
    assert np.abs(w_out).sum() > 0
