"""Texts kept in Arrow's buffers (``text/packed.py``): a sequence of str over the bytes, and what the
classifier predicts from them is what it predicts from the same texts as a list."""

from __future__ import annotations

import numpy as np
import pytest

from wordvec.errors import ParameterError
from wordvec.text import PackedTexts

pa = pytest.importorskip("pyarrow")

TEXTS = ["Good tea", "", "Caf\u00e9 \u6771\u4eac", "a", "last one"]


@pytest.mark.parametrize("kind", ["string", "large_string"])
def test_an_arrow_column_reads_back_text_by_text(kind):
    texts = PackedTexts.from_arrow(pa.array(TEXTS, type=getattr(pa, kind)()))
    assert len(texts) == 5 and list(texts) == TEXTS and texts == TEXTS
    assert texts[2] == TEXTS[2] and texts[-1] == "last one"
    assert list(texts[1:4]) == TEXTS[1:4] and texts[::2] == TEXTS[::2] and list(texts[4:1]) == []
    data, starts = texts.bytes_and_starts()
    assert starts.tolist() == [0, 8, 8, 20, 21, 29]
    assert bytes(data[starts[2]:starts[3]]).decode() == TEXTS[2]
    with pytest.raises(IndexError):
        texts[5]


def test_a_slice_of_an_array_and_a_chunked_array_keep_their_own_texts():
    sliced = pa.array(TEXTS).slice(2, 2)
    assert list(PackedTexts.from_arrow(sliced)) == TEXTS[2:4]
    chunked = pa.chunked_array([pa.array(TEXTS[:2]), pa.array(TEXTS[2:])])
    assert list(PackedTexts.from_arrow(chunked)) == TEXTS
    assert list(PackedTexts.from_arrow(pa.array([], type=pa.string()))) == []
    assert list(PackedTexts.from_arrow(pa.array(["", ""]))) == ["", ""]


def test_nulls_and_other_types_are_refused():
    with pytest.raises(TypeError, match="without nulls"):
        PackedTexts.from_arrow(pa.array(["a", None]))
    with pytest.raises(TypeError):
        PackedTexts.from_arrow(pa.array([1, 2]))


def _classifier():
    from wordvec.classifier import Classifier
    from wordvec.formats.fasttext_supervised import FastTextSupervised

    rng = np.random.default_rng(3)
    words = ["</s>", "good", "tea", "bad", "coffee", "caf\u00e9"]
    return Classifier.from_fasttext(FastTextSupervised.from_arrays(
        words, ["__label__pos", "__label__neg", "__label__mixed"], rng.normal(size=(len(words) + 50, 12)),
        rng.normal(size=(3, 12)), word_ngrams=2))


def test_predictions_from_packed_texts_are_those_from_the_list():
    clf = _classifier()
    texts = ["good tea", "bad coffee", "", "caf\u00e9 good", "tea tea bad", "unknown words only"] * 30
    packed = PackedTexts.from_arrow(pa.array(["skipped"] + texts).slice(1))
    for k in (1, 2):
        want = clf.predict_arrays(texts, k=k, threads=2)
        got = clf.predict_arrays(packed, k=k, threads=2)
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a, b)


def test_a_packed_text_with_a_newline_is_refused_by_its_number():
    clf = _classifier()
    packed = PackedTexts.from_arrow(pa.array(["good tea", "bad", "tea\ncoffee", "good"]))
    with pytest.raises(ParameterError, match="text 3 holds a newline"):
        clf.predict_arrays(packed)
