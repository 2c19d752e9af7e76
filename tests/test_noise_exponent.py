"""Negatives drawn from count ** ns_exponent, any real exponent: gensim's noise distribution is the oracle."""

import numpy as np
import pytest

import wordvec
from wordvec.vocab import Vocabulary


def _alias_probabilities(accept: np.ndarray, alias: np.ndarray) -> np.ndarray:
    """The probability of drawing each row from Walker's alias table."""
    n = accept.shape[0]
    p = accept.astype(np.float64).copy()
    np.add.at(p, alias, 1.0 - accept.astype(np.float64))
    return p / n


def _gensim_noise(counts: list[int], exponent: float) -> np.ndarray:
    """gensim 4's cum_table, turned back into probabilities."""
    models = pytest.importorskip("gensim.models")
    model = models.Word2Vec(vector_size=4, min_count=1, ns_exponent=exponent, sorted_vocab=0)
    model.build_vocab_from_freq({f"w{i}": c for i, c in enumerate(counts)})
    order = [model.wv.key_to_index[f"w{i}"] for i in range(len(counts))]
    cum = model.cum_table.astype(np.float64)
    return np.diff(np.concatenate([[0.0], cum]))[order] / cum[-1]


@pytest.mark.parametrize("exponent", [0.75, 0.0, -0.5, 1.0, 2.5])
def test_noise_distribution_is_gensims(exponent):
    counts = [90, 40, 40, 7, 3, 1, 1]
    vocab = Vocabulary(["UNK"] + [f"w{i}" for i in range(len(counts))], [5] + counts)
    ours = _alias_probabilities(*vocab.noise_table(exponent))
    assert ours[0] == 0.0  # UNK is never a negative
    np.testing.assert_allclose(ours[1:], _gensim_noise(counts, exponent), rtol=1e-5, atol=1e-7)


def test_a_negative_exponent_draws_rare_words_more_often():
    vocab = Vocabulary(["UNK", "common", "rare"], [0, 100, 4])
    p = _alias_probabilities(*vocab.noise_table(-0.5))
    assert p[2] == pytest.approx(5 * p[1], rel=1e-5)


def test_ns_exponent_changes_training_and_stays_seeded():
    walks = [[i % 7, (i * 3) % 11, (i * 5) % 13, i % 5] for i in range(400)]
    def fit(exponent):
        model = wordvec.Word2Vec(dim=8, epochs=1, min_count=1, num_words=None, threads=1, seed=2, progress=False,
                                 ns_exponent=exponent)
        return np.asarray(model.fit(walks).vectors_.matrix).copy()
    assert np.array_equal(fit(-0.5), fit(-0.5))
    assert not np.array_equal(fit(-0.5), fit(None))
    assert np.array_equal(fit(0.75), fit(None))
