"""The explorer on models with subwords: words outside the vocabulary are answered, and said to be built."""

from __future__ import annotations

import importlib.util
from urllib.parse import unquote

import numpy as np
import pytest

import wordvec.explore
from wordvec.cli import main
from wordvec.explore import create_app
from wordvec.explore.queries import BUILT_HEADER
from wordvec.explore.routes import read_static
from wordvec.formats import export_vectors
from wordvec.subwords import ngram_hashes
from wordvec.vectors import SubwordVectors, Vectors

# Flask is found here, not imported: the tests that serve import it (a quarter second for collecting).
pytestmark = pytest.mark.skipif(importlib.util.find_spec("flask") is None, reason="the explorer needs flask")


@pytest.fixture(scope="module")
def trained(subword_model):
    """The session's subword model of the embedded sample (tests/conftest.py: dim 16, 20,000 buckets)."""
    return subword_model


@pytest.fixture(scope="module")
def model_dir(trained, tmp_path_factory):
    return trained.save(tmp_path_factory.mktemp("explore-subwords") / "model")


@pytest.fixture(scope="module")
def client(model_dir):
    return create_app(model_dir, top=30, progress=False, start_map=False).test_client()


def _built(response) -> list[str]:
    header = response.headers.get(BUILT_HEADER)
    return [] if header is None else [unquote(part) for part in header.split(",")]


def _words(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [answer["word"] for answer in response.get_json()]


@pytest.mark.slow
def test_an_unknown_word_is_answered_and_said_to_be_built(client, trained):
    response = client.get("/api/similar?word=deliciuos&n=5")
    assert _words(response) == [w for w, _ in trained.vectors_.most_similar("deliciuos", n=5)]
    assert _built(response) == ["deliciuos"]
    assert all(w in trained.vectors_ for w in _words(response))  # answers are vocabulary words
    known = client.get("/api/similar?word=delicious&n=5")
    assert _words(known) and BUILT_HEADER not in known.headers


def test_analogies_with_unknown_words(client, trained):
    response = client.get("/api/analogy", query_string={"positive": "coffeee,tea", "negative": "teapotz,coffeee",
                                                        "n": 4})
    expected = trained.vectors_.most_similar(positive=["coffeee", "tea"], negative=["teapotz", "coffeee"], n=4)
    assert _words(response) == [w for w, _ in expected]
    assert _built(response) == ["coffeee", "teapotz"]  # each once, in the order given


def test_built_words_are_percent_encoded(client):
    response = client.get("/api/similar", query_string={"word": "crème,brûlée", "n": 2})
    assert response.headers[BUILT_HEADER] == "cr%C3%A8me%2Cbr%C3%BBl%C3%A9e"
    assert _built(response) == ["crème,brûlée"] and len(_words(response)) == 2


@pytest.mark.parametrize("query", [{"word": ""}, {"word": "   "}, {"word": "\t"}])
def test_an_empty_or_blank_word_is_a_400(client, query):
    response = client.get("/api/similar", query_string=query)
    assert response.status_code == 400
    assert response.get_json() == {"error": "empty word: give a word to look up (a blank word has no vector)"}


def test_info_gives_the_subword_settings(client, model_dir):
    info = client.get("/api/info").get_json()
    assert info["subwords"] == {"min_n": 3, "max_n": 6, "buckets": 20000} and info["engine"] == "subword"
    plain = create_app(Vectors(["UNK", "tea", "cup"], np.eye(3, dtype=np.float32), unknown="UNK"),
                       progress=False, start_map=False).test_client()
    assert plain.get("/api/info").get_json()["subwords"] is None
    assert plain.get("/api/similar?word=teaa").status_code == 404


def test_a_word_none_of_whose_ngrams_was_trained_is_a_404():
    words = ["UNK", "tea", "cup"]
    bucket_rows = np.full(500, -1, dtype=np.int32)
    used = np.unique(np.concatenate([ngram_hashes(w, 3, 4, 500) for w in words[1:]]))
    bucket_rows[used] = np.arange(used.size)
    rng = np.random.default_rng(0)
    vectors = SubwordVectors(words, rng.normal(size=(3, 4)).astype(np.float32),
                             rng.normal(size=(used.size, 4)).astype(np.float32), bucket_rows, min_n=3, max_n=4,
                             unknown="UNK")
    client = create_app(vectors, progress=False, start_map=False).test_client()
    assert (bucket_rows[ngram_hashes("qqqq", 3, 4, 500)] < 0).all()
    response = client.get("/api/similar?word=qqqq")
    assert response.status_code == 404 and "none of its n-grams was seen in training" in response.get_json()["error"]
    assert _built(client.get("/api/similar?word=teas&n=1")) == ["teas"]


def test_a_fasttext_bin_answers_unknown_words(trained, tmp_path):
    path = tmp_path / "model.bin"
    export_vectors(trained.vectors_, path, "fasttext")
    client = create_app(path, progress=False, start_map=False).test_client()
    response = client.get("/api/similar?word=coffeee&n=3")
    assert _built(response) == ["coffeee"]
    assert _words(response) == [w for w, _ in trained.vectors_.most_similar("coffeee", n=3)]
    limited = create_app(path, progress=False, start_map=False, limit=100).test_client()
    assert limited.get("/api/info").get_json()["words"] == 100
    assert _built(limited.get("/api/similar?word=coffeee&n=3")) == ["coffeee"]


def test_the_page_shows_what_the_api_says():
    script = read_static("explore.js").decode("utf-8")
    assert f'"{BUILT_HEADER}"' in script and "not in the vocabulary: built from subwords" in script


def test_explore_passes_its_limit_to_the_server(model_dir, monkeypatch):
    calls = []
    monkeypatch.setattr(wordvec.explore, "serve", lambda model, **kwargs: calls.append((model, kwargs)) or 0)
    assert main(["explore", str(model_dir), "--limit", "200", "--port", "0"]) == 0
    assert main(["explore", str(model_dir)]) == 0
    assert [kwargs["limit"] for _, kwargs in calls] == [200, None]
    assert calls[0][0] == str(model_dir) and calls[0][1]["port"] == 0
