"""The compiled training kernels (C, ``kernels/csrc/``) against the oracles of ``oracles.py``: NumPy, step by step,
and the reference kernels (Numba), task for task."""

from __future__ import annotations

import numpy as np
import pytest

import oracles as R
from oracles import cbow_oracle, sgns_oracle
from wordvec.kernels import backend, library
from wordvec.kernels import tasks as K
from wordvec.kernels import training as C
from wordvec.kernels.tasks import SubwordTable
from wordvec.vocab import alias_table


def _random_block(rng, n_rows, n_contexts, n_targets):
    contexts = rng.integers(0, n_rows, n_contexts).astype(np.int32)
    targets = rng.integers(0, n_rows, n_targets).astype(np.int32)
    return contexts, targets


@pytest.mark.parametrize("dim", [1, 6, 16, 37, 100, 128])
def test_sgns_block_matches_numpy_oracle(vector_code, dim):
    # Few rows, so that contexts and targets repeat and negatives hit the centre word;
    # up to 11 targets, more than the registers hold at once.
    rng = np.random.default_rng(dim)
    for _ in range(40):
        w_in, w_out = (rng.normal(0, 0.5, (8, dim)).astype(np.float32) for _ in range(2))
        n_contexts, n_targets = int(rng.integers(1, 11)), int(rng.integers(1, 12))
        contexts, targets = _random_block(rng, 8, n_contexts, n_targets)
        want_in, want_out, want_loss, want_terms = sgns_oracle(w_in, w_out, contexts, targets, 0.1)
        loss, terms = C.sgns_block(K.Weights(w_in, w_out), K.Block(contexts, n_contexts, targets, n_targets), 0.1)
        np.testing.assert_allclose(w_in, want_in, atol=2e-5)
        np.testing.assert_allclose(w_out, want_out, atol=2e-5)
        assert terms == want_terms
        assert loss == pytest.approx(want_loss, rel=1e-5)


def test_a_nan_score_reads_the_logistic_table_not_past_it(vector_code):
    # A diverged row gives NaN scores: the step carries them on (the engine then says "diverged")
    # instead of reading far outside the table; the tree's step too.
    w_in, w_out = (np.full((6, 16), 0.1, dtype=np.float32) for _ in range(2))
    w_in[2] = np.nan
    contexts, targets = np.array([1, 2, 3], np.int32), np.array([4, 5, 0], np.int32)
    loss, terms = C.sgns_block(K.Weights(w_in, w_out), K.Block(contexts, 3, targets, 3), 0.1)
    assert terms == 9 and np.isnan(loss) and np.isnan(w_out[4]).all() and np.isfinite(w_in[1]).all()
    nodes, codes = np.array([0, 1, 2], np.int32), np.array([0, 1, 1], np.uint8)
    loss, terms = C.sgns_block(K.Weights(w_in, w_out), K.Block(contexts, 3, nodes, 3), 0.1, codes)
    assert terms == 9 and np.isnan(loss) and np.isnan(w_out[:3]).all()


@pytest.mark.parametrize("dim", [3, 32, 100])
def test_cbow_step_matches_numpy_oracle(vector_code, dim):
    rng = np.random.default_rng(dim)
    for _ in range(40):
        w_in, w_out = (rng.normal(0, 0.5, (8, dim)).astype(np.float32) for _ in range(2))
        n_contexts, n_targets = int(rng.integers(1, 11)), int(rng.integers(1, 8))
        contexts, targets = _random_block(rng, 8, n_contexts, n_targets)
        want_in, want_out = cbow_oracle(w_in, w_out, contexts, targets, 0.1)
        C.cbow_step(K.Weights(w_in, w_out), K.Block(contexts, n_contexts, targets, n_targets), 0.1)
        np.testing.assert_allclose(w_in, want_in, atol=2e-5)
        np.testing.assert_allclose(w_out, want_out, atol=2e-5)


def _stream_and_sampler(rng, n_rows=40, n_tokens=6000):
    tokens = rng.integers(1, n_rows, n_tokens).astype(np.int32)
    ends = np.sort(rng.choice(np.arange(1, n_tokens), 120, replace=False))
    stream = K.TokenStream(tokens, np.r_[0, ends, n_tokens].astype(np.int64))
    counts = np.bincount(tokens, minlength=n_rows).astype(np.float64)
    accept, alias = alias_table(counts ** 0.75)
    keep = rng.uniform(0.3, 1.0, n_rows).astype(np.float32)
    return stream, K.Sampler(keep, accept, alias)


@pytest.mark.parametrize("model, cbow_mean, shrink_windows", [(K.SKIP_GRAM, True, True), (K.CBOW, True, True),
                                                               (K.SKIP_GRAM, True, False), (K.CBOW, False, True),
                                                               (K.CBOW, False, False)])
def test_a_task_trains_the_same_model_as_the_reference_kernel(vector_code, model, cbow_mean, shrink_windows):
    # The same seed draws the same subsample, windows and negatives, so after a task
    # over a few thousand words both kernels hold the same weights and loss.
    rng = np.random.default_rng(5)
    stream, sampler = _stream_and_sampler(rng)
    start = rng.normal(0, 0.1, (40, 24)).astype(np.float32), rng.normal(0, 0.1, (40, 24)).astype(np.float32)
    settings = K.Settings(model, 4, 5, 0.05, 0.01, cbow_mean, shrink_windows)
    results = []
    for kernels in (R, C):
        weights = K.Weights(start[0].copy(), start[1].copy())
        tasks = K.Tasks(np.array([150, 5800]), np.array([11], dtype=np.uint64), np.zeros((1, 3)))
        kernels.train_chunk(weights, stream, sampler, settings, tasks)
        results.append((weights, tasks.stats[0]))
    (reference_weights, reference_stats), (c_weights, c_stats) = results
    assert np.abs(reference_weights.w_in - start[0]).max() > 0.01
    np.testing.assert_allclose(c_weights.w_in, reference_weights.w_in, atol=1e-5)
    np.testing.assert_allclose(c_weights.w_out, reference_weights.w_out, atol=1e-5)
    assert c_stats[0] == reference_stats[0] and c_stats[2] == reference_stats[2]
    assert c_stats[1] == pytest.approx(reference_stats[1], rel=1e-5)


def test_a_task_on_its_own_copy_of_the_hot_rows_adds_back_exactly_its_changes(vector_code):
    rng = np.random.default_rng(8)
    stream, sampler = _stream_and_sampler(rng)
    start = rng.normal(0, 0.1, (40, 16)).astype(np.float32), rng.normal(0, 0.1, (40, 16)).astype(np.float32)
    results = []
    for n_hot, hot_sync in ((0, 0), (10, 0), (40, 0), (40, 500)):
        weights = K.Weights(start[0].copy(), start[1].copy())
        tasks = K.Tasks(np.array([0, 6000]), np.array([4], dtype=np.uint64), np.zeros((1, 3)))
        C.train_chunk(weights, stream, sampler, K.Settings(K.SKIP_GRAM, 4, 5, 0.05, 0.01), tasks, n_hot=n_hot,
                      hot_sync=hot_sync)
        results.append(weights)
    for weights in results[1:]:
        np.testing.assert_allclose(weights.w_out, results[0].w_out, atol=1e-5)
        np.testing.assert_allclose(weights.w_in, results[0].w_in, atol=1e-5)


def _tree_of(stream, n_words, dim, rng):
    from wordvec.vocab import Vocabulary

    tree = Vocabulary(["UNK"] + [f"w{i}" for i in range(1, n_words)],
                      np.bincount(stream.tokens, minlength=n_words)).huffman_tree()
    return K.Tree(rng.normal(0, 0.1, (tree.n_nodes, dim)).astype(np.float32), *tree)


@pytest.mark.parametrize("model, negative", [(K.SKIP_GRAM, 0), (K.SKIP_GRAM, 4), (K.CBOW, 4)])
def test_a_task_on_its_own_copy_of_the_hot_tree_rows_adds_back_exactly_its_changes(vector_code, model, negative):
    rng = np.random.default_rng(11)
    stream, sampler = _stream_and_sampler(rng)
    start = rng.normal(0, 0.1, (40, 16)).astype(np.float32), rng.normal(0, 0.1, (40, 16)).astype(np.float32)
    first_tree = _tree_of(stream, 40, 16, rng)
    results = []
    for n_hot_nodes, hot_sync in ((0, 0), (6, 0), (38, 0), (38, 500)):
        weights = K.Weights(start[0].copy(), start[1].copy())
        tree = first_tree._replace(weights=first_tree.weights.copy())
        tasks = K.Tasks(np.array([0, 6000]), np.array([4], dtype=np.uint64), np.zeros((1, 3)))
        C.train_chunk(weights, stream, sampler, K.Settings(model, 4, negative, 0.05, 0.01), tasks, n_hot=8,
                      hot_sync=hot_sync, tree=tree, n_hot_nodes=n_hot_nodes)
        results.append((weights, tree.weights))
    assert np.abs(results[0][1] - first_tree.weights).max() > 0.01
    for weights, nodes in results[1:]:
        np.testing.assert_allclose(nodes, results[0][1], atol=1e-5)
        np.testing.assert_allclose(weights.w_in, results[0][0].w_in, atol=1e-5)
        np.testing.assert_allclose(weights.w_out, results[0][0].w_out, atol=1e-5)


def _rows_with_nan_between(matrix):
    """``matrix`` laid out as the engines lay weights out (rows 64-byte aligned, 16 floats apart
    per 16 of the dimension), every float between the rows NaN: a kernel that read one would show it."""
    rows = C.empty_rows(*matrix.shape)
    rows.base[...] = np.nan
    rows[...] = matrix
    return rows


@pytest.mark.parametrize("model, n_hot", [(K.SKIP_GRAM, 12), (K.CBOW, 0)])
def test_tree_rows_laid_out_on_cache_lines_train_exactly_as_contiguous_rows(vector_code, model, n_hot):
    test_rows_laid_out_on_cache_lines_train_exactly_as_contiguous_rows(vector_code, model, n_hot, hs=True)


@pytest.mark.parametrize("model, n_hot", [(K.SKIP_GRAM, 0), (K.SKIP_GRAM, 12), (K.CBOW, 0), ("subwords", 0)])
def test_rows_laid_out_on_cache_lines_train_exactly_as_contiguous_rows(vector_code, model, n_hot, hs=False):
    rng = np.random.default_rng(10)
    stream, sampler = _stream_and_sampler(rng)
    table = _subword_table(rng, 40, 25)
    start = rng.normal(0, 0.1, (65, 20)).astype(np.float32), rng.normal(0, 0.1, (40, 20)).astype(np.float32)
    tree = _tree_of(stream, 65, 20, rng) if hs else None
    results = []
    for layout in (np.copy, _rows_with_nan_between):
        weights = K.Weights(layout(start[0]), layout(start[1]))
        tasks = K.Tasks(np.array([100, 5900]), np.array([12], dtype=np.uint64), np.zeros((1, 3)))
        if model == "subwords":
            C.train_subword_chunk(weights, table, stream, sampler, K.Settings(K.SKIP_GRAM, 3, 4, 0.05, 0.01), tasks)
        else:
            laid_tree = None if tree is None else tree._replace(weights=layout(tree.weights))
            C.train_chunk(weights, stream, sampler, K.Settings(model, 3, 4, 0.05, 0.01), tasks, n_hot=n_hot,
                          hot_sync=300, tree=laid_tree, n_hot_nodes=n_hot)
            weights = weights if laid_tree is None else (*weights, laid_tree.weights)
        results.append(weights)
    contiguous, laid_out = results
    assert laid_out[0].strides == (128, 4) and np.abs(contiguous[0] - start[0]).max() > 0.01
    for matrix, expected in zip(laid_out, contiguous):
        np.testing.assert_array_equal(matrix, expected)
        assert np.isnan(matrix.base).sum() == matrix.base.size - matrix.size  # nothing between or around the rows


def test_hot_rows_fill_about_a_core_cache_and_only_when_tasks_run_together():
    assert C.hot_rows((100_000, 128), 2) * 128 * 4 == C.HOT_BYTES
    assert C.hot_rows((300, 128), 2) == 300
    assert C.hot_rows((100_000, 128), 1) == 0


def test_tasks_run_on_every_thread_and_report_their_words():
    rng = np.random.default_rng(3)
    stream, sampler = _stream_and_sampler(rng)
    weights = K.Weights(rng.normal(0, 0.1, (40, 8)).astype(np.float32), np.zeros((40, 8), np.float32))
    tasks = K.Tasks(np.array([0, 2000, 4000, 6000]), np.array([1, 2, 3], dtype=np.uint64), np.zeros((3, 3)))
    C.train_chunk(weights, stream, sampler, K.Settings(K.SKIP_GRAM, 3, 4, 0.05, 0.05), tasks)
    assert tasks.stats[:, 0].tolist() == [2000, 2000, 2000]
    assert (tasks.stats[:, 2] > 0).all()
    assert np.abs(weights.w_out).sum() > 0


def test_wrong_arrays_are_refused_before_the_kernel_runs():
    rng = np.random.default_rng(3)
    stream, sampler = _stream_and_sampler(rng)
    tasks = K.Tasks(np.array([0, 100]), np.array([1], dtype=np.uint64), np.zeros((1, 3)))
    settings = K.Settings(K.SKIP_GRAM, 3, 4, 0.05, 0.05)
    float64 = K.Weights(np.zeros((40, 8)), np.zeros((40, 8)))
    with pytest.raises(TypeError, match="float32"):
        C.train_chunk(float64, stream, sampler, settings, tasks)
    transposed = K.Weights(np.zeros((8, 40), np.float32).T, np.zeros((40, 8), np.float32))
    with pytest.raises(TypeError, match="contiguous rows"):
        C.train_chunk(transposed, stream, sampler, settings, tasks)
    unlike = K.Weights(C.empty_rows(40, 8, zeros=True), np.zeros((40, 8), np.float32))
    with pytest.raises(ValueError, match="laid out alike"):
        C.train_chunk(unlike, stream, sampler, settings, tasks)


def test_the_install_builds_the_kernels_and_names_them_with_their_vector_code():
    assert library.vector_code() in ("generic", "avx2", "avx512")
    assert backend() == f"c, {library.vector_code()}"


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
def test_the_engine_trains_the_same_model_on_the_reference_kernels(monkeypatch, model):
    from wordvec.model import Word2Vec

    documents = [["tea", "and", "coffee", "with", "milk"], ["a", "cup", "of", "tea", "or", "coffee"]] * 60

    def train():
        return Word2Vec(model=model, dim=12, epochs=2, min_count=1, num_words=None, threads=1, seed=3,
                        progress=False).fit(documents)

    compiled = train()
    monkeypatch.setattr(C, "train_chunk", R.train_chunk)
    reference = train()
    np.testing.assert_allclose(compiled.vectors_.matrix, reference.vectors_.matrix, atol=1e-5)


def _subword_table(rng, n_words, n_buckets):
    """Each word: its own row, then 0-6 n-gram rows among the buckets (repeats allowed, as hashing gives)."""
    sizes = 1 + rng.integers(0, 7, n_words)
    offsets = np.r_[0, np.cumsum(sizes)].astype(np.int64)
    rows = np.empty(offsets[-1], dtype=np.int32)
    for word in range(n_words):
        rows[offsets[word]] = word
        rows[offsets[word] + 1:offsets[word + 1]] = n_words + rng.integers(0, n_buckets, sizes[word] - 1)
    return SubwordTable(offsets, rows, int(sizes.max()))


@pytest.mark.parametrize("model", [K.SKIP_GRAM, K.CBOW])
def test_a_subword_task_trains_the_same_model_as_the_reference_kernel(vector_code, model):
    rng = np.random.default_rng(9)
    stream, sampler = _stream_and_sampler(rng)
    table = _subword_table(rng, 40, 25)
    start = rng.normal(0, 0.1, (65, 20)).astype(np.float32), rng.normal(0, 0.1, (40, 20)).astype(np.float32)
    settings = K.Settings(model, 3, 4, 0.05, 0.01)
    results = []
    for train in (R.train_subword_chunk, C.train_subword_chunk):
        weights = K.Weights(start[0].copy(), start[1].copy())
        tasks = K.Tasks(np.array([100, 5900]), np.array([12], dtype=np.uint64), np.zeros((1, 3)))
        train(weights, table, stream, sampler, settings, tasks)
        results.append((weights, tasks.stats[0]))
    (reference_weights, reference_stats), (c_weights, c_stats) = results
    assert np.abs(reference_weights.w_in[40:] - start[0][40:]).max() > 0.01  # the n-gram rows trained
    np.testing.assert_allclose(c_weights.w_in, reference_weights.w_in, atol=1e-5)
    np.testing.assert_allclose(c_weights.w_out, reference_weights.w_out, atol=1e-5)
    assert c_stats[2] == reference_stats[2]
    assert c_stats[1] == pytest.approx(reference_stats[1], rel=1e-5)


def test_the_subword_engine_trains_the_same_model_on_the_reference_kernels(monkeypatch):
    from wordvec.model import Word2Vec

    documents = [["tea", "and", "coffee", "with", "milk"], ["a", "cup", "of", "tea", "or", "coffee"]] * 60

    def train():
        return Word2Vec(engine="subword", dim=12, epochs=2, min_count=1, num_words=None, threads=1, seed=3,
                        buckets=500, progress=False).fit(documents)

    compiled = train()
    monkeypatch.setattr(C, "train_subword_chunk", R.train_subword_chunk)
    reference = train()
    np.testing.assert_allclose(compiled.vectors_.matrix, reference.vectors_.matrix, atol=1e-5)
