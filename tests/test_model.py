"""The native estimator: learning, repeatability, parameter checks."""

from __future__ import annotations

import numpy as np
import pytest

from wordvec.readers import default_corpus, iter_documents
from wordvec.errors import CorpusError, ParameterError, TrainingError
from wordvec.model import Word2Vec


@pytest.fixture(scope="module")
def reviews():
    return list(iter_documents(default_corpus()))


@pytest.fixture(scope="module")
def trained(reviews):
    return Word2Vec(dim=32, epochs=10, min_count=3, threads=2, seed=1, progress=False).fit(reviews)


@pytest.mark.slow
def test_related_words_end_up_closer_than_unrelated(trained):
    v = trained.vectors_
    assert v.similarity("coffee", "tea") > v.similarity("coffee", "dog") + 0.3
    assert v.similarity("dog", "cat") > v.similarity("dog", "coffee") + 0.3
    assert v.similarity("chocolate", "candy") > v.similarity("chocolate", "dog") + 0.3


@pytest.mark.slow
def test_loss_falls_and_is_recorded_per_epoch(trained):
    losses = trained.epoch_losses_
    assert len(losses) == 10
    assert losses[-1] < losses[0] - 0.05
    assert all(np.isfinite(losses))


def test_fitted_attributes_and_unknown_row(reviews):
    # the attributes, not the quality: one short epoch is enough (``trained`` is for the quality)
    fitted = Word2Vec(dim=8, epochs=1, min_count=3, threads=2, seed=1, progress=False).fit(reviews)
    v = fitted.vectors_
    assert v.words[0] == "UNK" and not v.matrix[0].any()
    assert len(v) == len(fitted.vocabulary_) == fitted.output_weights_.shape[0]
    assert v.counts[1] >= v.counts[2] >= v.counts[-1] >= 3
    assert all(word != "UNK" for word, _ in v.most_similar("coffee", n=50))


@pytest.mark.slow
def test_one_thread_same_seed_is_bit_identical(reviews):
    runs = [Word2Vec(dim=16, epochs=2, min_count=3, threads=1, seed=s, progress=False).fit(reviews[:500])
            for s in (4, 4, 5)]
    assert np.array_equal(runs[0].vectors_.matrix, runs[1].vectors_.matrix)
    assert not np.array_equal(runs[0].vectors_.matrix, runs[2].vectors_.matrix)


@pytest.mark.slow
def test_cbow_learns_too(reviews):
    model = Word2Vec(dim=32, epochs=10, min_count=3, model="cbow", threads=2, progress=False).fit(reviews)
    assert model.epoch_losses_[-1] < model.epoch_losses_[0]
    v = model.vectors_
    assert v.similarity("coffee", "tea") > v.similarity("coffee", "dog")


def test_callbacks_run_after_each_epoch(reviews):
    seen = []
    Word2Vec(dim=8, epochs=3, min_count=3, progress=False).fit(
        reviews[:200], callbacks=[lambda model, epoch, loss: seen.append((epoch, loss))])
    assert [e for e, _ in seen] == [1, 2, 3]


@pytest.mark.parametrize("name, value, valid", [
    ("dim", 0, "from 1"), ("window", 0, "from 1"), ("negative", -1, "from 0"), ("epochs", 0, "at least 1"),
    ("num_words", 1, "at least 2"), ("lr", 0, r"\(0, 10\]"), ("sample", 1.5, r"\[0, 1\)"),
    ("model", "glove", "skipgram or cbow"), ("threads", 0, "at least 1"),
])
def test_invalid_parameters_name_the_parameter_and_range(reviews, name, value, valid):
    with pytest.raises(ParameterError, match=rf"invalid {name}={value!r}.*{valid}"):
        Word2Vec(progress=False, **{name: value}).fit(reviews[:10])


def test_divergence_stops_with_the_epoch(reviews):
    with pytest.raises(TrainingError, match="diverged in epoch 1"):
        Word2Vec(dim=16, epochs=2, lr=10, threads=1, progress=False).fit(reviews[:300])


def test_corpus_without_frequent_words_is_refused():
    with pytest.raises(CorpusError, match="min_count"):
        Word2Vec(progress=False).fit(["every word here is unique"])


@pytest.mark.slow
def test_training_from_the_file_mapping_equals_training_from_memory(reviews):
    from wordvec.encoding import TokenCorpus, encode_documents

    vocab, mapped = encode_documents(reviews, num_words=None, min_count=3)
    in_memory = TokenCorpus(np.array(mapped.tokens), mapped.doc_offsets.copy(), mapped.raw_word_count)
    assert mapped.tokens.shape[0] > 2 * 65536  # several chunks, so pages are dropped mid-epoch
    runs = [Word2Vec(dim=16, epochs=2, min_count=3, threads=1, seed=3, progress=False).fit_corpus(vocab, corpus)
            for corpus in (mapped, in_memory)]
    assert np.array_equal(runs[0].vectors_.matrix, runs[1].vectors_.matrix)
