"""Subword models on disk: model directories, checkpoints and --resume, fastText .bin out and in.

The fastText package and gensim are the oracles of the .bin files: a file written by wordvec must give
them the vectors wordvec gives, for vocabulary words and for words it never saw.
"""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from wordvec.formats import model_dir as io
from wordvec.cli import main
from wordvec.readers import default_corpus, iter_documents
from wordvec.errors import ModelFormatError, ParameterError, TrainingInterrupted
from wordvec.formats import export_vectors, load_model, load_vectors, save_model
from wordvec.model import Checkpoint, Word2Vec
from wordvec.subwords import ngram_hashes
from wordvec.vectors import SubwordVectors, Vectors

UNSEEN = ["deliciuos", "coffeee", "teapotz", "bananana", "aaaaaaa", "café", "日本語"]
SMALL = dict(engine="subword", dim=16, epochs=1, buckets=20000, threads=1, seed=3, progress=False)


@pytest.fixture(scope="module")
def trained(subword_model):
    """The session's subword model of the embedded sample (tests/conftest.py): SMALL's settings."""
    return subword_model


@pytest.fixture(scope="module")
def model_dir(trained, tmp_path_factory):
    return trained.save(tmp_path_factory.mktemp("subword") / "model")


@pytest.fixture(scope="module")
def exported(model_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("bin") / "model.bin"
    assert main(["export", str(model_dir), "--format", "fasttext", "--out", str(out)]) == 0
    return out


def _same(a, b):
    np.testing.assert_allclose(np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32),
                               rtol=1e-5, atol=1e-6)


# -- model directories ---------------------------------------------------------------------

def test_a_subword_directory_holds_the_raw_rows(trained, model_dir):
    vectors = trained.vectors_
    meta = json.loads((model_dir / "model.json").read_text())
    assert meta["format_version"] == 2
    assert meta["subwords"] == {"min_n": 3, "max_n": 6, "buckets": 20000}
    assert set(meta["arrays"]) == {"vectors", "ngrams", "buckets", "output"}
    rows = np.load(model_dir / "vectors.npy")
    assert np.array_equal(rows, vectors.word_rows) and not np.allclose(rows[1:], vectors.matrix[1:])
    assert np.array_equal(np.load(model_dir / "ngrams.npy"), vectors.ngram_rows)
    buckets = np.load(model_dir / "buckets.npy")
    assert buckets.dtype == np.int32 and np.array_equal(buckets, vectors.bucket_rows)


def test_a_subword_directory_loads_memory_mapped_with_the_same_vectors(trained, model_dir):
    saved = load_model(model_dir, mmap=True)
    back, vectors = saved.vectors, trained.vectors_
    assert isinstance(back, SubwordVectors) and (back.min_n, back.max_n, back.buckets) == (3, 6, 20000)
    for array in (back.word_rows, back.ngram_rows, back.bucket_rows, saved.output_weights):
        assert isinstance(array, np.memmap) and not array.flags.writeable
    assert back.words == vectors.words and np.array_equal(back.counts, vectors.counts)
    assert np.array_equal(back.matrix, vectors.matrix)
    for word in UNSEEN:
        assert word not in back and np.array_equal(back[word], vectors[word])
    assert load_vectors(model_dir).words == vectors.words


def test_a_limit_keeps_every_ngram_row(trained, model_dir):
    first = load_vectors(model_dir, mmap=True, limit=50)
    assert isinstance(first, SubwordVectors) and first.words == trained.vectors_.words[:50]
    assert np.array_equal(first.matrix, trained.vectors_.matrix[:50])
    assert np.array_equal(first["deliciuos"], trained.vectors_["deliciuos"])


def test_plain_directories_keep_format_version_1(tmp_path):
    out = save_model(tmp_path / "plain", Vectors(["tea", "cup"], np.eye(2, dtype=np.float32)))
    meta = json.loads((out / "model.json").read_text())
    assert meta["format_version"] == 1 and "subwords" not in meta and set(meta["arrays"]) == {"vectors"}
    assert type(load_model(out).vectors) is Vectors


def test_a_reader_of_version_1_refuses_a_subword_directory(model_dir, monkeypatch):
    monkeypatch.setattr(io, "FORMAT_VERSION", 1)  # what wordvec read before subwords
    with pytest.raises(ModelFormatError, match="model format version 2 is newer than this wordvec reads"):
        load_model(model_dir)


def _tiny(bucket_rows, n_ngrams=2) -> SubwordVectors:
    return SubwordVectors(["UNK", "tea"], np.ones((2, 3), np.float32), np.ones((n_ngrams, 3), np.float32),
                          np.asarray(bucket_rows, dtype=np.int32), min_n=3, max_n=4, unknown="UNK")


def test_inconsistent_subword_directories_are_refused(tmp_path):
    out = save_model(tmp_path / "bad", _tiny([0, 1, 2, -1]))
    with pytest.raises(ModelFormatError, match="buckets.npy points outside the 2 rows of ngrams.npy"):
        load_model(out)
    out = save_model(tmp_path / "missing", _tiny([0, 1, -1]))
    meta = json.loads((out / "model.json").read_text())
    del meta["arrays"]["ngrams"]
    (out / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFormatError, match="needs ngrams.npy and buckets.npy"):
        load_model(out)
    meta["arrays"]["ngrams"] = {"file": "ngrams.npy", "shape": [2, 3], "sha256": io._sha256(out / "ngrams.npy")}
    meta["subwords"]["buckets"] = 7
    (out / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFormatError, match="buckets.npy must hold 7 int32 rows"):
        load_model(out)


# -- checkpoints and --resume ------------------------------------------------------------------

def _interrupt_after(epoch):
    def callback(model, done, loss):
        if done == epoch:
            raise KeyboardInterrupt
    return callback


@pytest.mark.slow
def test_resume_finishes_like_an_uninterrupted_run(tmp_path):
    settings = dict(SMALL, dim=8, epochs=4, min_count=2, buckets=5000, seed=5)
    whole = Word2Vec(**settings).fit(iter_documents(default_corpus()))
    checkpoint = tmp_path / "ckpt"
    with pytest.raises(TrainingInterrupted, match="interrupted in epoch 3; checkpoint saved in"):
        Word2Vec(**settings).fit(iter_documents(default_corpus()),
                                 callbacks=[Checkpoint(checkpoint), _interrupt_after(2)])
    resumed = Word2Vec.load(checkpoint, progress=False)
    assert isinstance(resumed.vectors_, SubwordVectors) and resumed.epoch_losses_ == whole.epoch_losses_[:2]
    resumed.resume(iter_documents(default_corpus()))
    for name in ("word_rows", "ngram_rows", "bucket_rows"):
        np.testing.assert_array_equal(getattr(resumed.vectors_, name), getattr(whole.vectors_, name))
    np.testing.assert_array_equal(resumed.output_weights_, whole.output_weights_)
    assert resumed.epoch_losses_ == whole.epoch_losses_


TRAIN = ["train", "--subwords", "--dim", "8", "--epochs", "3", "--min-count", "3", "--buckets", "5000",
         "--threads", "1", "--seed", "2", "--quiet"]


@pytest.mark.slow
def test_cli_checkpoints_and_resume_give_the_uninterrupted_vectors(tmp_path, monkeypatch, capsys):
    save = Checkpoint.__call__

    def save_then_stop(self, model, epoch, loss):
        save(self, model, epoch, loss)
        if epoch == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(Checkpoint, "__call__", save_then_stop)
    out = tmp_path / "run"
    assert main([*TRAIN, "--checkpoint-every", "1", "--out", str(out)]) == 130
    assert f"finish with: wordvec train --resume {out}" in capsys.readouterr().err
    assert load_model(out / "checkpoint").info["epochs_done"] == 2 and not (out / "model.json").exists()
    monkeypatch.undo()
    assert main(["train", "--resume", str(out), "--quiet"]) == 0
    assert main([*TRAIN, "--out", str(tmp_path / "whole")]) == 0
    resumed, whole = load_model(out).vectors, load_model(tmp_path / "whole").vectors
    assert not (out / "checkpoint").exists() and isinstance(resumed, SubwordVectors)
    for name in ("word_rows", "ngram_rows", "bucket_rows"):
        np.testing.assert_array_equal(getattr(resumed, name), getattr(whole, name))


def test_a_subword_model_saved_without_its_ngrams_cannot_resume(trained, tmp_path):
    out = save_model(tmp_path / "old", Vectors(trained.vectors_.words, trained.vectors_.matrix,
                                               counts=trained.vectors_.counts, unknown="UNK"),
                     params=trained.get_params(), engine="subword", output_weights=trained.output_weights_)
    with pytest.raises(ModelFormatError, match="saved without its n-gram rows"):
        Word2Vec.load(out)


# -- fastText .bin out ---------------------------------------------------------------------------

@pytest.mark.slow
def test_bin_loads_in_fasttext_with_the_same_vectors(trained, exported):
    fasttext = pytest.importorskip("fasttext")
    model, vectors = fasttext.load_model(str(exported)), trained.vectors_
    assert list(model.words) == vectors.words[1:]  # UNK left out
    for word in vectors.words[1:]:
        _same(model.get_word_vector(word), vectors[word])
    for word in UNSEEN:
        _same(model.get_word_vector(word), vectors[word])
    args = model.f.getArgs()
    assert (args.dim, args.ws, args.epoch, args.minCount, args.neg, args.wordNgrams, args.bucket, args.minn,
            args.maxn) == (16, 5, 1, 5, 5, 1, 20000, 3, 6)
    assert args.model.name == "skipgram" and args.loss.name == "ns" and args.t == pytest.approx(1e-3)
    assert np.array_equal(model.get_output_matrix(), trained.output_weights_[1:])
    bucket_part = model.get_input_matrix()[len(vectors) - 1:]
    untrained = np.flatnonzero(vectors.bucket_rows < 0)
    assert untrained.size and not bucket_part[untrained].any()


@pytest.mark.slow
def test_bin_loads_in_gensim_with_the_same_vectors(trained, exported):
    pytest.importorskip("gensim")
    from gensim.models.fasttext import load_facebook_model, load_facebook_vectors

    vectors = trained.vectors_
    for wv in (load_facebook_vectors(str(exported)), load_facebook_model(str(exported)).wv):
        assert list(wv.index_to_key) == vectors.words[1:]
        _same(wv.vectors, vectors.matrix[1:])
        for word in UNSEEN:
            assert word not in wv.key_to_index
            _same(wv[word], vectors[word])
    model = load_facebook_model(str(exported))
    assert (model.sg, model.window, model.wv.bucket, model.wv.min_n, model.wv.max_n) == (1, 5, 20000, 3, 6)
    assert np.array_equal(model.syn1neg, trained.output_weights_[1:])


def test_bin_reads_back_as_subword_vectors(trained, exported):
    back = load_vectors(exported)
    assert isinstance(back, SubwordVectors) and back.words == trained.vectors_.words[1:]
    assert back.counts.tolist() == trained.vectors_.counts[1:].tolist()
    _same(back.matrix, trained.vectors_.matrix[1:])
    for word in UNSEEN:
        _same(back[word], trained.vectors_[word])


def test_cbow_without_subsampling_and_without_output_weights(trained, tmp_path):
    out = tmp_path / "cbow.bin"
    export_vectors(trained.vectors_, out, "fasttext", params={"model": "cbow", "sample": 0, "window": 3})
    data = out.read_bytes()
    header = struct.unpack_from("<ii12id", data)
    assert header[:2] == (793712314, 12)
    assert (header[3], header[9], header[14]) == (3, 1, 1.0)  # ws, model cbow, t that discards nothing
    fasttext = pytest.importorskip("fasttext")
    model = fasttext.load_model(str(out))
    assert not model.get_output_matrix().any()
    _same(model.get_word_vector("deliciuos"), trained.vectors_["deliciuos"])


def test_plain_vectors_are_not_written_as_bin(tmp_path, capsys):
    plain = save_model(tmp_path / "plain", Vectors(["UNK", "tea"], np.ones((2, 3), np.float32), unknown="UNK"))
    assert main(["export", str(plain), "--format", "fasttext", "--out", str(tmp_path / "v.bin")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "only vectors with subwords" in err and "fasttext-vec" in err
    assert not (tmp_path / "v.bin").exists()
    with pytest.raises(ParameterError, match="NUL"):
        export_vectors(SubwordVectors(["a\0b"], np.ones((1, 2), np.float32), np.ones((1, 2), np.float32),
                                      np.zeros(3, np.int32), min_n=3, max_n=3), tmp_path / "n.bin", "fasttext")


def test_bin_rows_are_streamed_in_blocks(trained, tmp_path, monkeypatch):
    from wordvec.formats import fasttext_bin as io

    monkeypatch.setattr(io, "_BIN_ROWS", 1000)  # many blocks, the last one short
    export_vectors(trained.vectors_, tmp_path / "blocks.bin", "fasttext")
    back = load_vectors(tmp_path / "blocks.bin")
    _same(back.matrix, trained.vectors_.matrix[1:])
    _same(back["teapotz"], trained.vectors_["teapotz"])


# -- fastText .bin in, through the commands ------------------------------------------------------

def test_similar_and_evaluate_answer_unknown_words_from_a_bin(exported, tmp_path, capsys):
    assert main(["similar", str(exported), "coffeee", "coffee", "-n", "3"]) == 0
    out = capsys.readouterr().out
    assert "coffeee: (not in the vocabulary: built from subwords)\n" in out and "\ncoffee:\n" in out
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("coffee\tcoffeee\t9\ntea\tteapotz\t7\ncoffee\tdog\t1\ndog\tdogz\t8\n")
    assert main(["evaluate", str(exported), "--similarity", str(pairs), "--all-pairs", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)["similarity"]["pairs"]
    assert (result["pairs"], result["subword_words"]) == (4, 3)


def test_a_word_without_trained_ngrams_has_no_neighbours():
    words = ["UNK", "tea", "cup"]
    bucket_rows = np.full(1000, -1, dtype=np.int32)
    trained = np.unique(np.concatenate([ngram_hashes(w, 3, 4, 1000) for w in words[1:]]))
    bucket_rows[trained] = np.arange(trained.size)
    rng = np.random.default_rng(1)
    vectors = SubwordVectors(words, rng.normal(size=(3, 4)).astype(np.float32),
                             rng.normal(size=(trained.size, 4)).astype(np.float32), bucket_rows,
                             min_n=3, max_n=4, unknown="UNK")
    assert [w for w, _ in vectors.most_similar("teaa", n=1)] in (["tea"], ["cup"])  # shares <te, tea
    assert (bucket_rows[ngram_hashes("qqqq", 3, 4, 1000)] < 0).all() and not vectors["qqqq"].any()
    with pytest.raises(KeyError, match="none of its n-grams was seen in training: 'qqqq'"):
        vectors.most_similar("qqqq")


# -- the command a user types ----------------------------------------------------------------------

@pytest.mark.slow
def test_similar_finds_delicious_for_a_misspelling(tmp_path, capsys):
    out = tmp_path / "reviews"
    assert main(["train", "--subwords", "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["similar", str(out), "deliciuos"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "deliciuos: (not in the vocabulary: built from subwords)"
    assert "delicious" in [line.split()[0] for line in lines[1:]]
