"""wordvec.preprocessing: known answers on tiny inputs, and Keras's legacy preprocessing as the oracle."""

from __future__ import annotations

import csv
import json
import os
import random
from collections import Counter

import numpy as np
import pytest

from wordvec.errors import ParameterError
from wordvec.preprocessing import (Tokenizer, make_sampling_table, skipgrams, text_to_word_sequence,
                                   tokenizer_from_json)

os.environ.setdefault("KERAS_BACKEND", "torch")


# -- known answers -------------------------------------------------------------

def test_word_index_ranks_by_count_ties_in_first_seen_order():
    tok = Tokenizer()
    tok.fit_on_texts(["c b a", "a b d", "e"])
    assert list(tok.word_index.items()) == [("b", 1), ("a", 2), ("c", 3), ("d", 4), ("e", 5)]
    assert tok.index_word == {1: "b", 2: "a", 3: "c", 4: "d", 5: "e"}
    assert tok.word_counts == {"c": 1, "b": 2, "a": 2, "d": 1, "e": 1}
    assert tok.word_docs == {"a": 2, "b": 2, "c": 1, "d": 1, "e": 1}
    assert tok.index_docs == {1: 2, 2: 2, 3: 1, 4: 1, 5: 1}
    assert tok.document_count == 3


def test_filters_lower_and_split_on_spaces_only():
    assert text_to_word_sequence("Tea, TEA!  tea\tcoffee\r\nmilk") == ["tea", "tea", "tea", "coffee\r", "milk"]
    tok = Tokenizer(lower=False, filters="")
    tok.fit_on_texts(["Tea, tea"])
    assert tok.word_index == {"Tea,": 1, "tea": 2}
    tok = Tokenizer(split=",")
    tok.fit_on_texts(["a b,c"])
    assert tok.word_index == {"a b": 1, "c": 2}


def test_num_words_keeps_indices_below_it_and_oov():
    tok = Tokenizer(num_words=3)
    tok.fit_on_texts(["a a a b b c"])
    assert tok.texts_to_sequences(["c b a z"]) == [[2, 1]]
    assert tok.sequences_to_texts([[1, 2, 3, 0, 99]]) == ["a b"]
    tok = Tokenizer(num_words=3, oov_token="<OOV>")
    tok.fit_on_texts(["a a a b b c"])
    assert tok.word_index == {"<OOV>": 1, "a": 2, "b": 3, "c": 4}
    assert tok.texts_to_sequences(["c b a z"]) == [[1, 1, 2, 1]]
    assert tok.sequences_to_texts([[2, 3, 0]]) == ["a <OOV> <OOV>"]
    tok = Tokenizer(num_words=1)
    tok.fit_on_texts(["a b"])
    assert tok.texts_to_sequences(["a b"]) == [[]]


def test_generator_char_level_and_token_lists():
    tok = Tokenizer(char_level=True)
    tok.fit_on_texts(["abA"])
    assert tok.word_index == {"a": 1, "b": 2}
    assert next(tok.texts_to_sequences_generator(["BA"])) == [2, 1]
    tok = Tokenizer()
    tok.fit_on_texts([["Already", "split", "split"]])
    assert tok.word_index == {"split": 1, "already": 2}
    assert tok.texts_to_sequences([["SPLIT", "x"]]) == [[1]]


def test_fitting_twice_adds_up():
    tok = Tokenizer()
    tok.fit_on_texts(["x y"])
    tok.fit_on_texts(["y"])
    assert tok.word_index == {"y": 1, "x": 2}
    assert tok.document_count == 2


def test_to_json_round_trip():
    tok = Tokenizer(num_words=4, oov_token="?", lower=False)
    tok.fit_on_texts(["Tea and tea", "and more Tea"])
    text = tok.to_json(indent=1)
    assert json.loads(text)["class_name"] == "Tokenizer"
    again = tokenizer_from_json(text)
    for attr in ("num_words", "filters", "lower", "split", "char_level", "oov_token", "document_count",
                 "word_counts", "word_docs", "index_docs", "word_index", "index_word"):
        assert getattr(again, attr) == getattr(tok, attr), attr
    assert list(again.word_index) == list(tok.word_index)
    texts = ["Tea and more", "unknown tea"]
    assert again.texts_to_sequences(texts) == tok.texts_to_sequences(texts)
    with pytest.raises(ParameterError):
        tokenizer_from_json("{}")


def test_skipgrams_known_answer():
    couples, labels = skipgrams([1, 2, 3], vocabulary_size=5, window_size=1, negative_samples=0, shuffle=False)
    assert couples == [[1, 2], [2, 1], [2, 3], [3, 2]]
    assert labels == [1, 1, 1, 1]
    # index 0 is a non-word: never a target, never a context
    couples, _ = skipgrams([4, 0, 2], vocabulary_size=5, window_size=2, negative_samples=0, shuffle=False)
    assert couples == [[4, 2], [2, 4]]
    assert skipgrams([], 5) == ([], [])
    assert skipgrams([3], 5) == ([], [])
    assert skipgrams([1, 2], 5, window_size=0) == ([], [])


def test_skipgrams_negatives_categorical_and_seed():
    seq = [1, 2, 3, 4, 5]
    couples, labels = skipgrams(seq, vocabulary_size=7, window_size=2, negative_samples=2.0,
                                categorical=True, seed=3)
    positives = [c for c, l in zip(couples, labels) if l == [0, 1]]
    negatives = [c for c, l in zip(couples, labels) if l == [1, 0]]
    assert len(positives) == 14 and len(negatives) == 28 and len(couples) == len(labels) == 42
    assert Counter(c[0] for c in negatives) == Counter({t: 2 * n for t, n in Counter(c[0] for c in positives).items()})
    assert all(1 <= c[1] < 7 for c in negatives)
    assert skipgrams(seq, 7, window_size=2, seed=3) == skipgrams(seq, 7, window_size=2, seed=3)
    assert skipgrams(seq, 7, window_size=2, seed=3) != skipgrams(seq, 7, window_size=2, seed=4)
    state = random.getstate()
    skipgrams(seq, 7, seed=1)
    assert random.getstate() == state
    _, labels = skipgrams(seq, 7, negative_samples=0.5, shuffle=False)
    assert labels.count(0) == int(labels.count(1) * 0.5)


def test_skipgrams_sampling_table_keeps_targets_by_probability():
    table = np.array([0.0, 1.0, 0.0, 1.0])
    couples, _ = skipgrams([1, 2, 3], 4, window_size=1, negative_samples=0, shuffle=False, sampling_table=table)
    assert couples == [[1, 2], [3, 2]]


def test_make_sampling_table_known_values():
    table = make_sampling_table(5, sampling_factor=0.1)
    assert table[0] == table[1]
    np.testing.assert_allclose(table, [0.315225, 0.315225, 0.547597, 0.741556, 0.912817], atol=1e-6)
    table = make_sampling_table(1000)
    assert table[10] < table[-1] <= 1.0   # frequent words are kept less often
    assert make_sampling_table(1).shape == (1,)


@pytest.mark.parametrize("call", [
    lambda: Tokenizer(num_words=0),
    lambda: Tokenizer(split=""),
    lambda: Tokenizer().fit_on_texts("a single string"),
    lambda: skipgrams([1, 2], vocabulary_size=0),
    lambda: skipgrams([1, 2], vocabulary_size=1),          # negatives need a range to draw from
    lambda: skipgrams([1, 2], 5, window_size=-1),
    lambda: skipgrams([1, 2], 5, negative_samples=-1.0),
    lambda: skipgrams([1, 2], 5, negative_samples=float("nan")),
    lambda: make_sampling_table(0),
    lambda: make_sampling_table(10, sampling_factor=0),
])
def test_bad_parameters(call):
    with pytest.raises(ParameterError, match="invalid|must|not a single"):
        call()


# -- Keras's legacy preprocessing as the oracle ---------------------------------------

@pytest.fixture(scope="module")
def kpre():
    pytest.importorskip("torch")
    pytest.importorskip("keras")
    from keras.src.legacy.preprocessing import sequence, text

    return text, sequence


@pytest.fixture(scope="module")
def reviews(finefoods) -> list[str]:
    with open(finefoods / "Reviews_sample.csv", newline="", encoding="utf-8-sig") as handle:
        texts = [row["Text"] for row in csv.DictReader(handle)]
    assert len(texts) == 1000
    return texts


def _assert_same_tokenizer(ours, theirs):
    assert list(ours.word_index.items()) == list(theirs.word_index.items())
    assert ours.index_word == theirs.index_word
    assert list(ours.word_counts.items()) == list(theirs.word_counts.items())
    assert ours.word_docs == dict(theirs.word_docs)
    assert ours.index_docs == dict(theirs.index_docs)
    assert ours.document_count == theirs.document_count


@pytest.mark.slow
@pytest.mark.parametrize("oov_token", [None, "<OOV>"])
@pytest.mark.parametrize("num_words", [None, 1, 10, 500, 20000])
def test_tokenizer_matches_keras(kpre, reviews, num_words, oov_token):
    ktext, _ = kpre
    ours, theirs = Tokenizer(num_words=num_words, oov_token=oov_token), \
        ktext.Tokenizer(num_words=num_words, oov_token=oov_token)
    ours.fit_on_texts(reviews)
    theirs.fit_on_texts(reviews)
    _assert_same_tokenizer(ours, theirs)
    held_out = reviews[::7] + ["zzzunseen words, Unseen!", ""]
    sequences = ours.texts_to_sequences(held_out)
    assert sequences == theirs.texts_to_sequences(held_out)
    assert list(ours.texts_to_sequences_generator(held_out[:3])) == sequences[:3]
    probe = sequences + [[0, 1, 2, 9, 10, 11, 499, 500, 501, 19999, 20000, 10 ** 6]]
    assert ours.sequences_to_texts(probe) == theirs.sequences_to_texts(probe)


@pytest.mark.parametrize("options", [
    {"char_level": True},
    {"lower": False},
    {"filters": "", "split": "e"},
    {"oov_token": "the", "num_words": 20},     # the OOV token is also a word: its later index wins
])
@pytest.mark.slow
def test_tokenizer_options_match_keras(kpre, reviews, options):
    ktext, _ = kpre
    texts = reviews[:150]
    ours, theirs = Tokenizer(**options), ktext.Tokenizer(**options)
    ours.fit_on_texts(texts)
    theirs.fit_on_texts(texts)
    _assert_same_tokenizer(ours, theirs)
    assert ours.texts_to_sequences(reviews[150:200]) == theirs.texts_to_sequences(reviews[150:200])


@pytest.mark.slow
def test_json_is_interchangeable_with_keras(kpre, reviews):
    ktext, _ = kpre
    ours = Tokenizer(num_words=500, oov_token="<OOV>")
    ours.fit_on_texts(reviews[:300])
    theirs = ktext.tokenizer_from_json(ours.to_json())
    back = tokenizer_from_json(theirs.to_json())
    _assert_same_tokenizer(back, theirs)
    assert back.texts_to_sequences(reviews[300:400]) == theirs.texts_to_sequences(reviews[300:400])


@pytest.fixture(scope="module")
def sequences(reviews) -> list[list[int]]:
    tok = Tokenizer(num_words=500)
    tok.fit_on_texts(reviews)
    return tok.texts_to_sequences(reviews[:150]) + [[], [7], [0, 0, 3, 0]]


def _split(couples, labels, positive):
    pos = [tuple(c) for c, l in zip(couples, labels) if l == positive]
    neg = [tuple(c) for c, l in zip(couples, labels) if l != positive]
    return pos, neg


SLOW = pytest.mark.slow


@pytest.mark.parametrize("window_size, negative_samples", [
    (1, 0), (1, 1.0), (1, 2.0), (4, 0), (5, 0),
    pytest.param(4, 1.0, marks=SLOW), pytest.param(4, 2.0, marks=SLOW), pytest.param(5, 1.0, marks=SLOW),
    pytest.param(5, 2.0, marks=SLOW),
])
@pytest.mark.slow
def test_skipgrams_match_keras(kpre, sequences, window_size, negative_samples):
    _, ksequence = kpre
    vocabulary_size = 501
    random.seed(0)
    # 50 reviews and the three odd sequences: Keras draws in Python, seconds for all 150 reviews
    for k, seq in enumerate(sequences[:50] + sequences[-3:]):
        ours = skipgrams(seq, vocabulary_size, window_size=window_size, negative_samples=negative_samples, seed=k)
        theirs = ksequence.skipgrams(seq, vocabulary_size, window_size=window_size,
                                     negative_samples=negative_samples, seed=k)
        assert len(ours[0]) == len(ours[1]) == len(theirs[0]) == len(theirs[1])
        assert np.asarray(ours[0]).shape == np.asarray(theirs[0]).shape
        assert sorted(ours[1]) == sorted(theirs[1])
        our_pos, our_neg = _split(*ours, positive=1)
        their_pos, their_neg = _split(*theirs, positive=1)
        assert Counter(our_pos) == Counter(their_pos)
        assert len(our_neg) == len(their_neg)
        # each positive target is paired with negatives as often as in Keras
        assert Counter(c[0] for c in our_neg) == Counter(c[0] for c in their_neg)
        assert all(1 <= c[1] < vocabulary_size for c in our_neg)
        # unshuffled: the positive couples come first, in the same order
        plain = skipgrams(seq, vocabulary_size, window_size, negative_samples, shuffle=False)
        kplain = ksequence.skipgrams(seq, vocabulary_size, window_size, negative_samples, shuffle=False)
        n_pos = len(their_pos)
        assert plain[0][:n_pos] == kplain[0][:n_pos] and plain[1] == kplain[1]


@pytest.mark.slow
def test_skipgrams_categorical_and_sampling_table_match_keras(kpre, sequences):
    _, ksequence = kpre
    table = np.where(np.arange(501) % 3 == 0, 1.0, 0.0)     # keep or drop targets without chance
    for seq in sequences[:40]:
        ours = skipgrams(seq, 501, window_size=3, categorical=True, sampling_table=table, shuffle=False)
        theirs = ksequence.skipgrams(seq, 501, window_size=3, categorical=True, sampling_table=table,
                                     shuffle=False)
        assert ours[1] == theirs[1]
        n_pos = theirs[1].count([0, 1])
        assert ours[0][:n_pos] == theirs[0][:n_pos]


@pytest.mark.parametrize("size", [1, 2, 10, 501, 20001])
@pytest.mark.parametrize("factor", [1e-5, 1e-3, 0.1])
@pytest.mark.slow
def test_make_sampling_table_matches_keras(kpre, size, factor):
    _, ksequence = kpre
    np.testing.assert_array_equal(make_sampling_table(size, factor), ksequence.make_sampling_table(size, factor))
