"""Phrases: the same collocations as gensim's Phrases, and phrases in a trained vocabulary."""

from __future__ import annotations

import pytest

from wordvec.api import learn_phrases, train
from wordvec.readers import default_corpus, iter_documents
from wordvec.errors import ParameterError
from wordvec.phrases import PhraseModel, Phrases
from wordvec.text import tokenize


@pytest.fixture(scope="module")
def review_sentences():
    return [tokenize(t) for t in iter_documents(default_corpus()[0])]


@pytest.mark.slow
@pytest.mark.parametrize("min_count, threshold", [(5, 10.0), (3, 50.0), (10, 1.0)])
def test_same_phrases_and_output_as_gensim(review_sentences, min_count, threshold):
    gensim_phrases = pytest.importorskip("gensim.models.phrases")
    theirs = gensim_phrases.Phrases(review_sentences, min_count=min_count, threshold=threshold)
    ours = Phrases(min_count=min_count, threshold=threshold).fit(review_sentences)
    expected = theirs.export_phrases()
    assert set(ours.phrases_) == set(expected)
    for phrase, score in expected.items():
        assert ours.phrases_[phrase] == pytest.approx(score, rel=1e-9)
    for sentence in review_sentences[:300]:
        assert ours.apply(sentence) == theirs[sentence]


def test_two_passes_join_longer_phrases():
    sentences = [["new", "york", "times", "report"]] * 30 + [["new", "car"], ["york", "city"], ["times", "up"]]
    model = PhraseModel(passes=2, min_count=5, threshold=0.1).fit(lambda: iter(sentences))
    assert model.apply(["new", "york", "times", "report"]) == ["new_york_times_report"]
    one_pass = PhraseModel(passes=1, min_count=5, threshold=0.1).fit(lambda: iter(sentences))
    assert one_pass.apply(["new", "york", "times", "report"]) == ["new_york", "times_report"]


@pytest.mark.slow
def test_phrases_on_the_reviews_and_in_training(tmp_path):
    found = learn_phrases(min_count=5, threshold=10.0).phrases_
    for phrase in ("peanut_butter", "green_tea", "dog_food"):
        assert phrase in found
    result = train(out=tmp_path / "m", phrases=1, dim=16, epochs=1, progress=False)
    assert "peanut_butter" in result.vectors and "green_tea" in result.vectors


def test_invalid_passes():
    with pytest.raises(ParameterError, match="passes"):
        PhraseModel(passes=3)
