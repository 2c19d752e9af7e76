"""The subword engine: its kernel against a NumPy oracle, its piece table, and training."""

from __future__ import annotations

import numpy as np
import pytest

import oracles as SK
from oracles import pieces_oracle
from wordvec.kernels import tasks as K
from wordvec.cli import main
from wordvec.readers import default_corpus, iter_documents
from wordvec.engines.subword import subword_table
from wordvec.errors import ParameterError
from wordvec.model import Word2Vec
from wordvec.subwords import ngram_hashes
from wordvec.vectors import SubwordVectors


@pytest.mark.parametrize("pieces, targets, group_size, dim", [
    ([3, 7, 9], [1, 2, 4, 5, 6, 1], 3, 6),              # skip-gram: 2 negatives per context; 1 is kept
    ([3, 7, 7, 9, 11, 12, 13, 14], [2, 5, 1], 3, 17),   # CBOW: a piece twice, fused rows 6 + 2
    ([4], [1, 1, 2, 6], 2, 100),                        # a negative equal to its own context is skipped
    ([2, 3, 4, 5, 6, 8, 10], [1, 3, 5, 1, 9, 2], 3, 33),  # a context twice
    ([5, 6], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 6, 100),  # two full groups of 1 + 5
])
def test_pieces_step_matches_numpy_oracle(pieces, targets, group_size, dim):
    rng = np.random.default_rng(len(pieces) * 10 + dim)
    w_in = rng.normal(0, 0.5, (16, dim)).astype(np.float32)
    w_out = rng.normal(0, 0.5, (16, dim)).astype(np.float32)
    pieces, targets = np.array(pieces, np.int32), np.array(targets, np.int32)
    expected_in, expected_out, expected_loss, expected_terms = pieces_oracle(w_in, w_out, pieces, targets,
                                                                             group_size, 0.05)
    scratch = SK.make_pieces_scratch(5, 5, dim, 4)
    block = SK.PiecesBlock(pieces, len(pieces), targets, len(targets) // group_size, group_size)
    loss, terms = SK.pieces_step(K.Weights(w_in, w_out), block, 0.05, scratch, True)
    np.testing.assert_allclose(w_in, expected_in, rtol=1e-5, atol=2e-6)
    np.testing.assert_allclose(w_out, expected_out, rtol=1e-5, atol=2e-6)
    assert loss == pytest.approx(expected_loss, rel=1e-5) and terms == expected_terms


def test_piece_table_lists_the_word_then_its_ngram_rows():
    words = ["UNK", "tea", "teas"]
    params = {"min_n": 3, "max_n": 4, "buckets": 50}
    used = np.unique(np.concatenate([ngram_hashes(w, 3, 4, 50) for w in words[1:]]))
    bucket_rows = np.full(50, -1, np.int32)
    bucket_rows[used] = np.arange(used.size)
    table = subword_table(words, bucket_rows, params)
    for i, word in enumerate(words):
        rows = table.rows[table.offsets[i]:table.offsets[i + 1]].tolist()
        ngrams = [] if word == "UNK" else (3 + bucket_rows[ngram_hashes(word, 3, 4, 50)]).tolist()
        assert rows == [i] + ngrams
    assert table.max_pieces == 1 + len(ngram_hashes("teas", 3, 4, 50))


@pytest.fixture(scope="module")
def trained():
    return Word2Vec(engine="subword", dim=32, epochs=5, min_count=3, buckets=200_000, threads=1,
                    progress=False).fit(iter_documents(default_corpus()))


@pytest.mark.slow
def test_every_word_gets_a_vector_and_misspellings_find_their_word(trained):
    vectors = trained.vectors_
    assert isinstance(vectors, SubwordVectors) and vectors.buckets == 200_000
    assert "deliciuos" not in vectors and "delicious" in vectors
    assert "delicious" in [w for w, _ in vectors.most_similar("deliciuos", n=5)]
    assert all(w in vectors for w, _ in vectors.most_similar("cofee", n=10))   # neighbours are known words
    with pytest.raises(ParameterError, match="an empty or blank word has no vector"):
        vectors["  "]


@pytest.mark.slow
def test_vocabulary_vectors_are_the_mean_of_their_pieces(trained):
    vectors = trained.vectors_
    word = "delicious"
    rows = vectors.bucket_rows[ngram_hashes(word, 3, 6, vectors.buckets)]
    pieces = np.vstack([vectors.word_rows[vectors.index(word)], vectors.ngram_rows[rows]])
    np.testing.assert_allclose(vectors[word], pieces.mean(axis=0), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(vectors.vector_for_unknown(word),
                               vectors.ngram_rows[rows].mean(axis=0), rtol=1e-5, atol=1e-7)


@pytest.mark.slow
def test_same_seed_one_thread_same_vectors():
    runs = [Word2Vec(engine="subword", dim=8, epochs=1, min_count=3, buckets=5000, threads=1, seed=4,
                     progress=False).fit(iter_documents(default_corpus())).vectors_ for _ in range(2)]
    np.testing.assert_array_equal(runs[0].matrix, runs[1].matrix)
    np.testing.assert_array_equal(runs[0].ngram_rows, runs[1].ngram_rows)


@pytest.mark.slow
def test_cbow_subwords_train():
    model = Word2Vec(engine="subword", model="cbow", dim=8, epochs=2, min_count=3, buckets=5000, threads=2,
                     progress=False).fit(iter_documents(default_corpus()))
    assert np.isfinite(model.vectors_.matrix).all() and model.epoch_losses_[1] < model.epoch_losses_[0]


@pytest.mark.parametrize("argv, message", [
    (["--subwords", "--min-n", "5", "--max-n", "3"], "min_n=5 is larger than max_n=3"),
    (["--subwords", "--max-n", "40"], "invalid max_n=40: must be an integer from 1 to 32"),
    (["--subwords", "--buckets", "0"], "invalid buckets=0"),
    (["--subwords", "--engine", "keras"], "--subwords trains the subword engine; it cannot be combined with "
                                          "--engine keras"),
    (["--engine", "keras", "--buckets", "10"], "the keras engine does not take: buckets"),
])
def test_bad_subword_settings_are_one_line(tmp_path, capsys, argv, message):
    assert main(["train", "--out", str(tmp_path / "m"), "--quiet", *argv]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert not (tmp_path / "m").exists()


class _Built(__import__("wordvec.vectors", fromlist=["Vectors"]).Vectors):
    """Vectors that build two unknown words, as a subword model would."""

    known = {"tiger": [1.0, 0.1, 0.0], "queen": [0.0, 1.0, 1.0]}

    def vector_for_unknown(self, word):
        return np.array(self.known.get(word, [0.0, 0.0, 0.3]), dtype=np.float32)


def test_all_pairs_scores_unknown_words_from_their_subwords(tmp_path):
    from wordvec.evaluate import evaluate_analogies, evaluate_word_pairs

    vectors = _Built(["cat", "car", "man", "king", "woman"],
                     np.array([[1, 0, 0], [0, 1, 0], [1, 0, 0], [1, 1, 0], [0, 0, 1]], dtype=np.float32))
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("cat\ttiger\t9\ncar\ttiger\t1\ncat\tcar\t0.5\n")
    known_only = evaluate_word_pairs(vectors, pairs)
    every = evaluate_word_pairs(vectors, pairs, all_pairs=True)
    assert (known_only["pairs"], known_only["subword_words"]) == (1, 0)
    assert (every["pairs"], every["oov"], every["subword_words"]) == (3, 0.0, 1)
    assert every["spearman"] == pytest.approx(1.0)  # cosines 0.995, 0.0995, 0: the order of the scores
    questions = tmp_path / "q.txt"
    questions.write_text(": family\nman king woman queen\nman woman king queen\nking man queen woman\n")
    assert evaluate_analogies(vectors, questions)["total"] == 0
    scored = evaluate_analogies(vectors, questions, all_pairs=True)
    # queen is built from subwords: as an answer it can never be found (answers are vocabulary words);
    # as a question word it is used: king - man + queen is nearest to woman.
    assert (scored["total"], scored["correct"], scored["subword_words"]) == (3, 1, 1)
