"""Save/load round trips, word2vec formats checked with gensim, damaged files."""

from __future__ import annotations

import json

import numpy as np
import pytest

from wordvec.errors import ModelFormatError, ParameterError
from wordvec.formats import export_vectors, load_model, load_word2vec, save_model, save_word2vec
from wordvec.vectors import Vectors


@pytest.fixture
def vectors():
    rng = np.random.default_rng(3)
    words = ["UNK", "the", "café", "tea", "cup", "naïve"]
    matrix = rng.normal(size=(6, 5)).astype(np.float32)
    matrix[0] = 0
    return Vectors(words, matrix, counts=[3, 50, 9, 8, 7, 1], unknown="UNK")


def test_model_directory_round_trip_is_exact(vectors, tmp_path):
    out = tmp_path / "model"
    output = np.arange(30, dtype=np.float32).reshape(6, 5)
    save_model(out, vectors, params={"dim": 5, "window": 5}, output_weights=output, info={"epochs": [0.5]})
    loaded = load_model(out)
    assert loaded.vectors.words == vectors.words
    assert np.array_equal(loaded.vectors.matrix, vectors.matrix)
    assert loaded.vectors.counts.tolist() == [3, 50, 9, 8, 7, 1]
    assert loaded.vectors.unknown == "UNK"
    assert loaded.params == {"dim": 5, "window": 5}
    assert np.array_equal(loaded.output_weights, output)
    mapped = load_model(out, mmap=True).vectors.matrix
    assert isinstance(mapped, np.memmap) and np.array_equal(mapped, vectors.matrix)


def test_saving_over_a_model_replaces_it_whole(vectors, tmp_path):
    out = tmp_path / "model"
    save_model(out, vectors)
    smaller = Vectors(vectors.words[:3], vectors.matrix[:3], unknown="UNK")
    save_model(out, smaller)
    assert len(load_model(out).vectors) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


@pytest.mark.parametrize("binary", [False, True])
def test_word2vec_formats_load_in_gensim(vectors, tmp_path, binary):
    gensim_models = pytest.importorskip("gensim.models")
    path = tmp_path / ("v.bin" if binary else "v.txt")
    save_word2vec(vectors, path, binary=binary)
    kv = gensim_models.KeyedVectors.load_word2vec_format(str(path), binary=binary)
    assert kv.index_to_key == vectors.words[1:]
    np.testing.assert_allclose(kv.vectors, vectors.matrix[1:], rtol=1e-5 if not binary else 0, atol=1e-6)
    back = load_word2vec(path)
    assert back.words == vectors.words[1:]
    np.testing.assert_allclose(back.matrix, vectors.matrix[1:], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("binary", [False, True])
def test_word2vec_files_written_by_gensim_are_read(tmp_path, binary):
    gensim_models = pytest.importorskip("gensim.models")
    kv = gensim_models.KeyedVectors(vector_size=4)
    kv.add_vectors(["alpha", "béta", "gamma"], np.arange(12, dtype=np.float32).reshape(3, 4) / 7)
    path = tmp_path / "g.w2v"
    kv.save_word2vec_format(str(path), binary=binary)
    back = load_word2vec(path)
    assert back.words == ["alpha", "béta", "gamma"]
    np.testing.assert_allclose(back.matrix, kv.vectors, rtol=1e-5)


def test_tsv_export(vectors, tmp_path):
    path = tmp_path / "v.tsv"
    export_vectors(vectors, path, "tsv")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5 and lines[1].split("\t")[0] == "café" and len(lines[1].split("\t")) == 6
    with pytest.raises(ParameterError, match="unknown export format"):
        export_vectors(vectors, tmp_path / "x", "glove")


@pytest.mark.parametrize("content, message", [
    (b"three 4\nword 1 2 3 4\n", "header"),
    (b"1 4\nword 1 2 3\n", "expected a word and 4 numbers"),
    (b"1 2\nword 1 x\n", "not a number"),
    (b"2 2\nword 1 2\n", "promises 2 words"),
    (b"1 2\nword nan 2\n", "NaN"),
])
def test_bad_word2vec_text_files(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ModelFormatError, match=message):
        load_word2vec(path, binary=False)


def test_truncated_word2vec_binary(vectors, tmp_path):
    path = tmp_path / "v.bin"
    save_word2vec(vectors, path, binary=True)
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ModelFormatError, match="file ends"):
        load_word2vec(path, binary=True)


def test_damaged_model_directories(vectors, tmp_path):
    out = tmp_path / "model"
    save_model(out, vectors)
    data = (out / "vectors.npy").read_bytes()
    (out / "vectors.npy").write_bytes(data[:-8])
    with pytest.raises(ModelFormatError, match="checksum mismatch"):
        load_model(out)
    save_model(out, vectors)
    meta = json.loads((out / "model.json").read_text())
    meta["format_version"] = 99
    (out / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFormatError, match="newer than this wordvec"):
        load_model(out)
    save_model(out, vectors)
    with open(out / "vocab.tsv", "a", encoding="utf-8") as handle:
        handle.write("extra\t1\n")
    with pytest.raises(ModelFormatError, match="6 rows"):
        load_model(out, verify=False)
    (out / "model.json").write_text("{not json")
    with pytest.raises(ModelFormatError, match="corrupted"):
        load_model(out)
    with pytest.raises(ModelFormatError, match="no model directory"):
        load_model(tmp_path / "nothing")
