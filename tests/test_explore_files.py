"""``wordvec explore FILE``: the explorer on vectors files (GloVe, word2vec, compressed); maps in the user cache."""

from __future__ import annotations

import importlib.util
import gzip
import json
import os

import numpy as np
import pytest

from wordvec.errors import ModelFormatError
from wordvec.explore import MapStore, create_app, make_server, mapdata
from wordvec.formats import save_word2vec
from wordvec.vectors import Vectors

# Flask is found here, not imported: the tests that serve import it (a quarter second for collecting).
pytestmark = pytest.mark.skipif(importlib.util.find_spec("flask") is None, reason="the explorer needs flask")

WORDS = ["the", "tea", "coffee", "cup", "dog", "cat", "milk", "sugar", "café", "日本", "New York", "good",
         "bad", "sweet", "salt", "bread"]
TOP = 12


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    """The user's cache folder, here a temporary one ($WORDVEC_CACHE, as for downloads)."""
    folder = tmp_path / "user-cache"
    monkeypatch.setenv("WORDVEC_CACHE", str(folder))
    return folder


def _vectors() -> Vectors:
    rng = np.random.default_rng(11)
    matrix = rng.normal(size=(len(WORDS), 8)).astype(np.float32)
    matrix[2] = matrix[1] + 0.05 * rng.normal(size=8)  # coffee beside tea
    return Vectors(WORDS, matrix)


@pytest.fixture
def glove(tmp_path):
    """A GloVe-layout file: no header, 'word x1 ... x8' (one token with a space, as in GloVe 840B)."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    path = folder / "glove.small.txt"
    v = _vectors()
    path.write_text("".join(w + " " + " ".join(f"{x:.7g}" for x in row) + "\n"
                            for w, row in zip(v.words, v.matrix.tolist())), encoding="utf-8")
    return path


def test_explore_serves_a_glove_file(glove):
    app = create_app(glove, top=TOP, progress=False)
    client = app.test_client()
    answers = client.get("/api/similar?word=tea&n=3").get_json()
    assert answers[0]["word"] == "coffee" and answers[0]["count"] is None  # a file has no counts
    assert [a["word"] for a in answers] == [w for w, _ in _vectors().most_similar("tea", n=3)]
    info = client.get("/api/info").get_json()
    assert info["model"] == "glove.small.txt" and info["words"] == len(WORDS) and info["dim"] == 8
    assert client.get("/api/similar?word=New York").get_json()[0]["word"]
    assert [w["word"] for w in client.get("/api/vocab?prefix=caf").get_json()] == ["café"]


@pytest.mark.slow
def test_the_map_of_a_file_is_kept_in_the_user_cache(glove, cache, monkeypatch):
    app = create_app(glove, top=TOP, progress=False)
    first = app.extensions["wordvec_explorer"].map.result(timeout=60)
    body = app.test_client().get("/api/map").get_json()
    assert body["words"] == WORDS[:TOP] and len(body["x"]) == TOP and first["cached"] is False
    assert sorted(p.name for p in glove.parent.iterdir()) == ["glove.small.txt"]  # nothing beside the file
    cached = list((cache / "maps").glob("*_tsne_12.json"))
    assert cached == [mapdata.file_cache_path(glove, TOP)]
    stored = json.loads(cached[0].read_text(encoding="utf-8"))
    assert stored["source"] == str(glove.resolve()) and stored["model_sha256"] == mapdata.file_fingerprint(glove)
    # the same file again: the map comes from the cache
    monkeypatch.setattr(mapdata, "compute_map", lambda *a, **k: pytest.fail("recomputed a cached map"))
    again = create_app(glove, top=TOP, progress=False).extensions["wordvec_explorer"].map.result(timeout=60)
    assert again["cached"] is True and again["x"] == first["x"]


@pytest.mark.slow
def test_a_changed_file_gets_a_new_map(glove, cache):
    MapStore(_vectors(), source_file=glove, top=TOP, progress=False).result(timeout=60)
    old = mapdata.file_cache_path(glove, TOP)
    stat = glove.stat()
    os.utime(glove, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # edited in place
    new = mapdata.file_cache_path(glove, TOP)
    assert new != old
    assert MapStore(_vectors(), source_file=glove, top=TOP, progress=False).result(timeout=60)["cached"] is False
    assert new.exists() and old.exists()
    assert mapdata.file_cache_path(glove, TOP, limit=5) != new  # a limited read is another map


def test_explore_a_compressed_word2vec_binary_with_a_limit(tmp_path):
    plain = tmp_path / "vectors.bin"
    v = _vectors()
    save_word2vec(Vectors([w.replace(" ", "_") for w in v.words], v.matrix), plain, binary=True)
    packed = tmp_path / "GoogleNews-like.bin.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    client = create_app(packed, top=4, progress=False, limit=6).test_client()
    assert client.get("/api/info").get_json()["words"] == 6
    assert client.get("/api/similar?word=tea&n=1").get_json()[0]["word"] == "coffee"
    assert client.get("/api/similar?word=milk").status_code == 404  # row 7: past the limit


@pytest.mark.slow
def test_the_cache_folder_is_the_one_set_when_the_map_was_asked_for(glove, cache, tmp_path, monkeypatch):
    store = MapStore(_vectors(), source_file=glove, top=TOP, progress=False, start=False)
    monkeypatch.setenv("WORDVEC_CACHE", str(tmp_path / "another-cache"))  # changed while the map is computed
    store.result(timeout=60)
    assert len(list((cache / "maps").glob("*_tsne_12.json"))) == 1 and not (tmp_path / "another-cache").exists()


def test_a_model_directory_still_caches_beside_itself(tmp_path, cache):
    from wordvec.formats import save_model

    model = save_model(tmp_path / "model", _vectors())
    app = create_app(model, top=TOP, progress=False)
    app.extensions["wordvec_explorer"].map.result(timeout=60)
    assert (model / f"map_tsne_{TOP}.json").exists() and not (cache / "maps").exists()


def test_make_server_takes_a_file(glove):
    server = make_server(glove, port=0, progress=False)
    try:
        assert server.explorer.name == "glove.small.txt" and len(server.explorer.vectors) == len(WORDS)
    finally:
        server.server_close()


def test_a_file_that_is_not_vectors_is_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("some notes\nnot vectors\n", encoding="utf-8")
    with pytest.raises(ModelFormatError, match="not a vectors file"):
        create_app(path, progress=False)
