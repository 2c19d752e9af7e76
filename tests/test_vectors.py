"""Queries on Vectors, checked against gensim's KeyedVectors on the same matrix."""

from __future__ import annotations

import numpy as np
import pytest

from wordvec.errors import UnknownWordError
from wordvec.vectors import Vectors


@pytest.fixture
def pair():
    gensim_models = pytest.importorskip("gensim.models")
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(300)]
    matrix = rng.normal(size=(300, 20)).astype(np.float32)
    kv = gensim_models.KeyedVectors(vector_size=20)
    kv.add_vectors(words, matrix)
    return Vectors(words, matrix), kv


def test_most_similar_matches_gensim(pair):
    ours, kv = pair
    for word in ("w0", "w17", "w299"):
        got = ours.most_similar(word, n=10)
        want = kv.most_similar(word, topn=10)
        assert [w for w, _ in got] == [w for w, _ in want]
        np.testing.assert_allclose([s for _, s in got], [s for _, s in want], rtol=1e-5)


def test_analogies_and_cosmul_match_gensim(pair):
    ours, kv = pair
    got = ours.most_similar(positive=["w1", "w2"], negative=["w3"], n=5)
    want = kv.most_similar(positive=["w1", "w2"], negative=["w3"], topn=5)
    assert [w for w, _ in got] == [w for w, _ in want]
    got = ours.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], n=5)
    want = kv.most_similar_cosmul(positive=["w1", "w2"], negative=["w3"], topn=5)
    assert [w for w, _ in got] == [w for w, _ in want]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in want], rtol=1e-4)


def test_similarity_n_similarity_doesnt_match(pair):
    ours, kv = pair
    assert ours.similarity("w4", "w9") == pytest.approx(float(kv.similarity("w4", "w9")), rel=1e-5)
    assert ours.n_similarity(["w1", "w2"], ["w3"]) == pytest.approx(float(kv.n_similarity(["w1", "w2"], ["w3"])), rel=1e-5)
    assert ours.doesnt_match(["w1", "w2", "w3", "w4"]) == kv.doesnt_match(["w1", "w2", "w3", "w4"])


def test_lookup_and_unknown_words():
    v = Vectors(["UNK", "a", "b"], np.array([[0, 0], [1, 0], [0, 2]], dtype=np.float32), unknown="UNK")
    assert "a" in v and "z" not in v and len(v) == 3
    assert v["b"].tolist() == [0, 2]
    assert [w for w, _ in v.most_similar("a", n=5)] == ["b"]
    with pytest.raises(UnknownWordError, match="'zebra'"):
        v.most_similar("zebra")
    with pytest.raises(KeyError):
        v["zebra"]
