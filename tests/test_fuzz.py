"""Property-based tests: any bytes give texts or the documented error, never another exception."""

from __future__ import annotations

import gzip

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wordvec.readers import iter_documents
from wordvec.errors import CorpusError, ModelFormatError
from wordvec.formats import load_word2vec
from wordvec.preprocessing import Tokenizer
from wordvec.text import clean_text, tokenize

pytestmark = pytest.mark.slow

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(data=st.binary(max_size=2000), fmt=st.sampled_from(["auto", "snap", "csv", "text"]),
       compress=st.booleans(), cut=st.integers(min_value=0, max_value=64))
def test_readers_yield_texts_or_corpus_error(tmp_path, data, fmt, compress, cut):
    if compress:
        data = gzip.compress(data)
        data = data[: max(len(data) - cut, 0)] if cut % 2 else data
    path = tmp_path / "in.bin"
    path.write_bytes(data)
    try:
        docs = list(iter_documents(path, format=fmt))
    except CorpusError as err:
        assert "\n" not in str(err)
        return
    assert all(isinstance(d, str) for d in docs)


@FUZZ
@given(st.text(max_size=500))
def test_tokenizer_gives_clean_lowercase_words(text):
    words = tokenize(clean_text(text))
    assert all(w and not any(c.isspace() for c in w) for w in words)
    assert all(w == w.lower() for w in words)


@FUZZ
@given(st.lists(st.text(max_size=60), max_size=8), st.integers(min_value=1, max_value=30))
def test_keras_style_tokenizer_never_fails(texts, num_words):
    tok = Tokenizer(num_words=num_words, oov_token="<OOV>")
    tok.fit_on_texts(texts)
    for seq in tok.texts_to_sequences(texts):
        assert all(1 <= i < max(num_words, 2) for i in seq)


@FUZZ
@given(header=st.sampled_from([b"", b"2 3\n", b"1 2\n", b"x y\n", b"3 1\n"]), body=st.binary(max_size=300),
       binary=st.sampled_from([None, True, False]))
def test_word2vec_parser_gives_vectors_or_format_error(tmp_path, header, body, binary):
    path = tmp_path / "v.w2v"
    path.write_bytes(header + body)
    try:
        vectors = load_word2vec(path, binary=binary)
    except ModelFormatError as err:
        assert "\n" not in str(err)
        return
    assert np.isfinite(vectors.matrix).all()
