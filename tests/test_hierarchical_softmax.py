"""Hierarchical softmax (``hs``), CBOW's sum (``cbow_mean=False``), whole windows (``shrink_windows=False``)
and wide windows: the Huffman tree against gensim's, the kernels against the NumPy oracles of ``oracles.py``,
and the engine end to end."""

from __future__ import annotations

import numpy as np
import pytest

import oracles as R
from wordvec.encoding import encode_documents
from wordvec.engines.base import TrainingCallbacks, TrainingData
from wordvec.engines.native import NativeEngine
from wordvec.kernels import library
from wordvec.kernels import tasks as K
from wordvec.kernels import training as C
from wordvec.vocab import Vocabulary, alias_table


# -- the Huffman tree ------------------------------------------------------------------------------

def _gensim_paths(counts: dict) -> tuple[list, dict]:
    """gensim 4's vocabulary (its word order) and each word's (codes, points), built with hs=1."""
    gensim = pytest.importorskip("gensim.models")
    model = gensim.Word2Vec(vector_size=4, hs=1, negative=0, min_count=1)
    model.build_vocab_from_freq(counts)
    words = list(model.wv.index_to_key)
    return words, {w: (model.wv.get_vecattr(w, "code").tolist(), model.wv.get_vecattr(w, "point").tolist())
                   for w in words}


@pytest.mark.parametrize("n_words, seed", [(2, 0), (3, 1), (7, 2), (60, 3), (2000, 4)])
def test_each_words_codes_and_points_are_gensims(n_words, seed):
    # Counts with many ties, where the heap's order decides the tree.
    rng = np.random.default_rng(seed)
    counts = {f"w{i}": int(c) for i, c in enumerate(rng.zipf(1.5, n_words).clip(max=500) + rng.integers(0, 3, n_words))}
    words, gensim_paths = _gensim_paths(counts)
    vocab = Vocabulary(["UNK"] + words, [0] + [counts[w] for w in words])
    tree = vocab.huffman_tree()
    assert tree.n_nodes == n_words - 1
    assert tree.offsets[0] == tree.offsets[1] == 0  # UNK has no path
    for row, word in enumerate(words, 1):
        path = slice(tree.offsets[row], tree.offsets[row + 1])
        codes, points = gensim_paths[word]
        assert tree.codes[path].tolist() == codes
        # gensim numbers inner node i by its merge (the root last); here the root is row 0
        assert (tree.n_nodes - 1 - tree.nodes[path]).tolist() == points


def test_the_tree_of_an_encoded_corpus_is_gensims_on_the_same_counts():
    documents = ["the tea and the coffee and a cup of tea", "a cup of coffee or tea", "milk and sugar"] * 3
    vocab, _ = encode_documents(documents, num_words=None, min_count=1)
    # gensim orders equal counts last seen first: handing it the words in reverse keeps ours
    words, gensim_paths = _gensim_paths(dict(zip(vocab.words[:0:-1], vocab.counts[:0:-1].tolist())))
    assert words == vocab.words[1:]
    tree = vocab.huffman_tree()
    for row, word in enumerate(words, 1):
        path = slice(tree.offsets[row], tree.offsets[row + 1])
        assert (tree.codes[path].tolist(), (tree.n_nodes - 1 - tree.nodes[path]).tolist()) == gensim_paths[word]


def test_the_root_is_row_0_and_rows_go_down_the_tree():
    counts = np.random.default_rng(5).zipf(1.3, 500).clip(max=10_000)
    vocab = Vocabulary(["UNK"] + [f"w{i}" for i in range(500)], [0] + sorted(counts.tolist(), reverse=True))
    tree = vocab.huffman_tree()
    starts = tree.offsets[1:-1][np.diff(tree.offsets[1:]) > 0]
    assert (tree.nodes[starts] == 0).all()  # every path starts at the root
    for first, last in zip(tree.offsets[1:-1], tree.offsets[2:]):
        assert (np.diff(tree.nodes[first:last]) > 0).all()  # a node's row comes after its parent's
    assert sorted(set(tree.nodes.tolist())) == list(range(499))
    short = Vocabulary(["UNK", "only"], [3, 9]).huffman_tree()
    assert short.offsets.tolist() == [0, 0, 0] and short.n_nodes == 0


# -- one step against the NumPy oracles ------------------------------------------------------------

def _path(rng, n_nodes, length):
    return rng.choice(n_nodes, length, replace=False).astype(np.int32), rng.integers(0, 2, length).astype(np.uint8)


@pytest.mark.parametrize("dim", [1, 7, 16, 37, 100])
def test_a_skipgram_block_along_a_path_is_the_oracles(vector_code, dim):
    # Paths of 1 to 20 nodes, contexts repeated; up to 70 distinct contexts (trained 32 at a time).
    rng = np.random.default_rng(dim)
    for case in range(30):
        w_in, w_nodes = (rng.normal(0, 0.5, (n, dim)).astype(np.float32) for n in (80, 25))
        n_contexts, length = int(rng.integers(1, 12 if case % 5 else 90)), int(rng.integers(1, 21))
        contexts = rng.integers(0, 9 if case % 5 else 80, n_contexts).astype(np.int32)
        nodes, codes = _path(rng, 25, length)
        want_in, want_nodes, want_loss, want_terms = R.hs_sgns_oracle(w_in, w_nodes, contexts, nodes, codes, 0.1)
        loss, terms = C.sgns_block(K.Weights(w_in, w_nodes), K.Block(contexts, n_contexts, nodes, length), 0.1, codes)
        np.testing.assert_allclose(w_in, want_in, atol=2e-5)
        np.testing.assert_allclose(w_nodes, want_nodes, atol=2e-5)
        assert terms == want_terms
        assert loss == pytest.approx(want_loss, rel=1e-5)


@pytest.mark.parametrize("mean", [True, False])
@pytest.mark.parametrize("dim", [3, 32, 100])
def test_a_cbow_step_along_a_path_is_the_oracles(vector_code, dim, mean):
    rng = np.random.default_rng(dim + mean)
    scale = 0.5 if mean else 0.2  # scores inside the logistic table's range (a sum is larger than a mean)
    for _ in range(30):
        w_in, w_nodes = (rng.normal(0, scale, (n, dim)).astype(np.float32) for n in (9, 25))
        n_contexts, length = int(rng.integers(1, 12)), int(rng.integers(1, 21))
        contexts = rng.integers(0, 9, n_contexts).astype(np.int32)
        nodes, codes = _path(rng, 25, length)
        want_in, want_nodes, want_loss, want_terms = R.hs_cbow_oracle(w_in, w_nodes, contexts, nodes, codes, 0.1, mean)
        loss, terms = C.cbow_step(K.Weights(w_in, w_nodes), K.Block(contexts, n_contexts, nodes, length), 0.1, codes,
                                  cbow_mean=mean)
        np.testing.assert_allclose(w_in, want_in, atol=2e-5)
        np.testing.assert_allclose(w_nodes, want_nodes, atol=2e-5)
        assert terms == want_terms
        assert loss == pytest.approx(want_loss, rel=1e-5)


@pytest.mark.parametrize("dim", [3, 32, 100])
def test_a_cbow_step_on_the_sum_of_the_contexts_is_the_oracles(vector_code, dim):
    rng = np.random.default_rng(dim)
    for _ in range(30):
        w_in, w_out = (rng.normal(0, 0.2, (8, dim)).astype(np.float32) for _ in range(2))
        n_contexts, n_targets = int(rng.integers(1, 11)), int(rng.integers(1, 8))
        contexts, targets = (rng.integers(0, 8, n).astype(np.int32) for n in (n_contexts, n_targets))
        want_in, want_out = R.cbow_oracle(w_in, w_out, contexts, targets, 0.1, mean=False)
        C.cbow_step(K.Weights(w_in, w_out), K.Block(contexts, n_contexts, targets, n_targets), 0.1, cbow_mean=False)
        np.testing.assert_allclose(w_in, want_in, atol=2e-5)
        np.testing.assert_allclose(w_out, want_out, atol=2e-5)


def test_a_block_of_thousands_of_contexts_trains_in_pieces_of_2048(vector_code):
    # Up to 2,048 distinct contexts are one block; more (a wide window) go in pieces, each
    # scored against the target rows as the pieces before left them.
    rng = np.random.default_rng(4)
    w_in, w_out = rng.normal(0, 0.1, (3100, 8)).astype(np.float32), rng.normal(0, 0.1, (6, 8)).astype(np.float32)
    contexts = np.r_[rng.permutation(3000) + 100, rng.integers(100, 3100, 500)].astype(np.int32)  # repeats too
    targets = np.array([0, 1, 2, 3], dtype=np.int32)
    _, first = np.unique(contexts, return_index=True)
    distinct = contexts[np.sort(first)]
    pieces = [contexts[np.isin(contexts, distinct[:2048])], contexts[np.isin(contexts, distinct[2048:])]]
    want_in, want_out = w_in, w_out
    for piece in pieces:
        want_in, want_out, _, _ = R.sgns_oracle(want_in, want_out, piece, targets, 0.05)
    C.sgns_block(K.Weights(w_in, w_out), K.Block(contexts, len(contexts), targets, 4), 0.05)
    np.testing.assert_allclose(w_in, want_in, atol=2e-5)
    np.testing.assert_allclose(w_out, want_out, atol=2e-5)


# -- whole tasks -----------------------------------------------------------------------------------

def _stream(documents, n_words):
    tokens = np.concatenate(documents).astype(np.int32)
    offsets = np.r_[0, np.cumsum([len(d) for d in documents])].astype(np.int64)
    accept, alias = alias_table(np.r_[0.0, np.ones(n_words - 1)])
    return K.TokenStream(tokens, offsets), K.Sampler(np.ones(n_words, np.float32), accept, alias)


def _tree(documents, n_words, dim):
    counts = np.bincount(np.concatenate(documents), minlength=n_words)
    tree = Vocabulary(["UNK"] + [f"w{i}" for i in range(1, n_words)], counts).huffman_tree()
    return K.Tree(np.zeros((tree.n_nodes, dim), np.float32), *tree)


@pytest.mark.parametrize("model, mean", [(K.SKIP_GRAM, True), (K.CBOW, True), (K.CBOW, False)])
def test_a_task_of_whole_windows_is_the_oracle_word_by_word(vector_code, model, mean):
    # Every word kept, no negatives, whole windows: no draw decides anything, and the task must
    # train each word of each document along its path from all the others, in order.
    rng = np.random.default_rng(6)
    documents = [rng.integers(1, 30, size).astype(np.int32) for size in (12, 1, 40, 25)]
    stream, sampler = _stream(documents, 30)
    tree = _tree(documents, 30, 10)
    tree.weights[...] = rng.normal(0, 0.3, tree.weights.shape)
    w_in, w_out = rng.normal(0, 0.3, (30, 10)).astype(np.float32), np.zeros((30, 10), np.float32)
    want_in, want_nodes = R.hs_documents_oracle(w_in, tree.weights, documents, tree[1:], 0.02, model == K.CBOW, mean)
    tasks = K.Tasks(np.array([0, stream.tokens.shape[0]]), np.array([3], dtype=np.uint64), np.zeros((1, 3)))
    settings = K.Settings(model, 40, 0, 0.02, 0.02, cbow_mean=mean, shrink_windows=False)
    C.train_chunk(K.Weights(w_in, w_out), stream, sampler, settings, tasks, tree=tree)
    np.testing.assert_allclose(w_in, want_in, atol=1e-4)
    np.testing.assert_allclose(tree.weights, want_nodes, atol=1e-4)
    assert not w_out.any()  # no negatives: the output rows are not trained


def test_a_window_wider_than_every_sequence_sees_every_pair_and_no_more(vector_code):
    # Sequences of 2,100 items (more contexts than the 2,048 of a scratch piece) with window=5000: the
    # same model as window=2099, each centre against all 2,099 others (the loss counts them: one centre
    # in LOSS_EVERY, times its path), none against the other sequence.
    rng = np.random.default_rng(7)
    length = 2100
    documents = [rng.integers(1, 200, length).astype(np.int32) for _ in range(2)]
    stream, sampler = _stream(documents, 200)
    start = rng.normal(0, 0.1, (200, 8)).astype(np.float32)
    results = []
    for window in (length - 1, 5000):
        tree = _tree(documents, 200, 8)
        weights = K.Weights(start.copy(), np.zeros((200, 8), np.float32))
        tasks = K.Tasks(np.array([0, 2 * length]), np.array([3], dtype=np.uint64), np.zeros((1, 3)))
        C.train_chunk(weights, stream, sampler, K.Settings(K.SKIP_GRAM, window, 0, 0.001, 0.001,
                                                            shrink_windows=False), tasks, tree=tree)
        results.append((weights.w_in, tree.weights, tasks.stats[0]))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    depth = np.diff(tree.offsets)
    centres = np.concatenate(documents)[::K.LOSS_EVERY]  # the centre words whose loss is computed
    assert results[1][2][2] == (length - 1) * depth[centres].sum()
    assert np.abs(results[1][0] - start).max() > 1e-3 and np.abs(results[1][1]).max() > 1e-3


def test_the_whole_window_is_every_word_of_the_document_and_shrinking_draws_fewer(vector_code):
    rng = np.random.default_rng(8)
    documents = [rng.integers(1, 50, 300).astype(np.int32)]
    stream, sampler = _stream(documents, 50)
    terms = {}
    for shrink in (True, False):
        weights = K.Weights(rng.normal(0, 0.1, (50, 8)).astype(np.float32), np.zeros((50, 8), np.float32))
        tasks = K.Tasks(np.array([0, 300]), np.array([3], dtype=np.uint64), np.zeros((1, 3)))
        C.train_chunk(weights, stream, sampler, K.Settings(K.SKIP_GRAM, 10, 0, 0.01, 0.01, shrink_windows=shrink),
                      tasks)
        terms[shrink] = tasks.stats[0][2]
    # no negatives and no tree: one term per context of every centre whose loss is computed
    positions = np.arange(0, 300, K.LOSS_EVERY)
    assert terms[False] == sum(min(i + 10, 299) - max(i - 10, 0) for i in positions)
    assert terms[True] < terms[False]


def test_a_huge_window_allocates_for_its_task_not_for_the_window(vector_code):
    rng = np.random.default_rng(9)
    documents = [rng.integers(1, 40, 500).astype(np.int32)]
    stream, sampler = _stream(documents, 40)
    weights = K.Weights(rng.normal(0, 0.1, (40, 8)).astype(np.float32), np.zeros((40, 8), np.float32))
    tasks = K.Tasks(np.array([0, 500]), np.array([3], dtype=np.uint64), np.zeros((1, 3)))
    C.train_chunk(weights, stream, sampler, K.Settings(K.SKIP_GRAM, 100_000, 5, 0.001, 0.001), tasks,
                  tree=_tree(documents, 40, 8))
    assert tasks.stats[0][2] > 0


# -- the engine ------------------------------------------------------------------------------------

DOCUMENTS = ["the cat sat on the mat with the dog", "a dog and a cat drank milk from the cup",
             "tea and coffee in a cup on the table", "the dog sat by the door and the cat slept"] * 40


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
@pytest.mark.parametrize("negative", [0, 5])
def test_hierarchical_softmax_trains_seeded_runs_bit_for_bit(model, negative):
    vocab, corpus = encode_documents(DOCUMENTS, num_words=None, min_count=1)
    params = dict(NativeEngine.defaults(), model=model, dim=16, epochs=3, threads=1, seed=4, hs=True,
                  negative=negative, cbow_mean=model == "skipgram")
    states = [NativeEngine().train(TrainingData(vocab, corpus), params, TrainingCallbacks()) for _ in range(2)]
    first, second = states
    np.testing.assert_array_equal(first.input_weights, second.input_weights)
    np.testing.assert_array_equal(first.hs_weights, second.hs_weights)
    assert first.hs_weights.shape == (len(vocab) - 2, 16) and np.abs(first.hs_weights).max() > 0
    assert first.epoch_losses[-1] < first.epoch_losses[0]
    assert bool(np.abs(first.output_weights).max() > 0) == (negative > 0)


def test_a_state_without_tree_rows_goes_on_from_fresh_ones_and_a_wrong_one_is_refused():
    from wordvec.errors import TrainingError

    vocab, corpus = encode_documents(DOCUMENTS, num_words=None, min_count=1)
    params = dict(NativeEngine.defaults(), dim=8, epochs=2, threads=1, hs=True)
    engine = NativeEngine()
    start = engine.initial_state(vocab, dict(params, hs=False))
    assert start.hs_weights is None
    assert engine.train(TrainingData(vocab, corpus), params, TrainingCallbacks(), start).hs_weights.shape[0] == \
        len(vocab) - 2
    start = engine.initial_state(vocab, params)
    start.hs_weights = np.zeros((3, 8), np.float32)
    with pytest.raises(TrainingError, match="hierarchical softmax rows"):
        engine.train(TrainingData(vocab, corpus), params, TrainingCallbacks(), start)


def test_save_load_and_resume_keep_the_tree_rows(tmp_path):
    from wordvec.formats import load_model
    from wordvec.model import Word2Vec

    settings = dict(dim=12, epochs=3, min_count=1, num_words=None, threads=1, seed=5, hs=True, negative=0,
                    progress=False)
    after_one = {}

    def save_the_first(model, epoch, loss):
        if epoch == 1:
            model.save(tmp_path / "one")  # a checkpoint after the first of three epochs
            after_one["rows"] = model.hs_weights_.copy()

    whole = Word2Vec(**settings).fit(DOCUMENTS, callbacks=[save_the_first])
    saved = load_model(tmp_path / "one")
    assert saved.hs_weights.shape == (len(saved.vectors) - 2, 12)
    np.testing.assert_array_equal(saved.hs_weights, after_one["rows"])
    resumed = Word2Vec.load(tmp_path / "one", progress=False).resume(DOCUMENTS)
    np.testing.assert_array_equal(resumed.vectors_.matrix, whole.vectors_.matrix)
    np.testing.assert_array_equal(resumed.hs_weights_, whole.hs_weights_)
    resumed.save(tmp_path / "three")
    assert load_model(tmp_path / "three").hs_weights.shape == whole.hs_weights_.shape
    assert load_model(tmp_path / "three").info["epochs_done"] == 3


def test_a_model_directory_keeps_the_tree_rows_and_checks_them(tmp_path):
    import json

    from wordvec.errors import ModelFormatError
    from wordvec.formats import load_model, save_model
    from wordvec.vectors import Vectors

    vectors = Vectors(["UNK", "tea", "cup", "mug"], np.ones((4, 3), np.float32), unknown="UNK")
    nodes = np.arange(6, dtype=np.float32).reshape(2, 3)
    out = save_model(tmp_path / "m", vectors, output_weights=np.zeros((4, 3), np.float32), hs_weights=nodes)
    assert json.loads((out / "model.json").read_text())["format_version"] == 3  # older readers refuse it whole
    np.testing.assert_array_equal(load_model(out).hs_weights, nodes)
    assert load_model(save_model(tmp_path / "plain", vectors)).hs_weights is None
    save_model(tmp_path / "bad", vectors, hs_weights=np.ones((3, 3), np.float32))
    with pytest.raises(ModelFormatError, match="hierarchical softmax rows"):
        load_model(tmp_path / "bad")
