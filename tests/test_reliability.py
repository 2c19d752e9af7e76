"""Nothing lost, nothing cut: full disks, huge lines, odd bytes."""

from __future__ import annotations

import errno

import numpy as np
import pytest

import wordvec.formats.model_dir as wio
from wordvec.cli import main
from wordvec.readers import iter_documents
from wordvec.formats import load_model, save_model
from wordvec.model import Word2Vec
from wordvec.vectors import Vectors


def _vectors(n, seed):
    rng = np.random.default_rng(seed)
    words = ["UNK"] + [f"w{i}" for i in range(n - 1)]
    return Vectors(words, rng.normal(size=(n, 4)).astype(np.float32), unknown="UNK")


def test_full_disk_during_save_leaves_the_previous_model_intact(tmp_path, monkeypatch):
    out = tmp_path / "model"
    first = _vectors(10, 1)
    save_model(out, first)
    real_save = np.save

    def save_half_then_fail(handle, array, allow_pickle=False):
        handle.write(b"\x93NUMPY" + b"\0" * 100)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(wio.np, "save", save_half_then_fail)
    with pytest.raises(OSError, match="No space left"):
        save_model(out, _vectors(20, 2))
    monkeypatch.setattr(wio.np, "save", real_save)
    kept = load_model(out)
    assert np.array_equal(kept.vectors.matrix, first.matrix)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_full_disk_in_the_cli_is_one_line(tmp_path, monkeypatch, capsys):
    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(wio.np, "save", no_space)
    code = main(["train", "--out", str(tmp_path / "m"), "--dim", "4", "--epochs", "1", "--quiet"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "No space left on device" in err
    assert not (tmp_path / "m").exists()


@pytest.mark.slow
def test_a_single_100mb_line_is_trained_in_full(tmp_path):
    words = [f"word{i}" for i in range(40)]
    sentence = (" ".join(words) + " ").encode()
    repeats = 100_000_000 // len(sentence) + 1
    path = tmp_path / "one_line.txt"
    path.write_bytes(sentence * repeats + b"\n")
    docs = iter_documents(path)
    # (the least training that still counts every word: the reading is what is tested)
    model = Word2Vec(dim=4, epochs=1, window=1, negative=1, min_count=1, sample=0, progress=False).fit(docs)
    assert model.raw_word_count_ == 40 * repeats
    assert len(model.vectors_) == 41


def test_nul_bytes_crlf_and_invalid_utf8_train(tmp_path):
    path = tmp_path / "odd.txt"
    path.write_bytes(b"tea\x00cup tea cup\r\n" * 50 + b"caf\xe9 tea cup \xff\r\n" * 50)
    model = Word2Vec(dim=4, epochs=1, min_count=1, progress=False).fit(iter_documents(path))
    assert {"tea", "cup", "café"} <= set(model.vectors_.words)


def test_unreadable_file_is_one_clear_error(tmp_path, monkeypatch):
    import wordvec.readers.files as corpus
    from wordvec.errors import CorpusError

    path = tmp_path / "secret.txt"
    path.write_text("some words\n")

    def refuse(p):
        raise PermissionError(13, "Permission denied", str(p))

    monkeypatch.setattr(corpus, "_open_binary", refuse)
    with pytest.raises(CorpusError, match="secret.txt: permission denied"):
        list(iter_documents(path))


def test_pickled_arrays_are_never_loaded(tmp_path):
    import json

    from wordvec.errors import ModelFormatError
    from wordvec.formats.model_dir import _sha256

    out = tmp_path / "model"
    save_model(out, _vectors(3, 1))
    evil = np.empty((3, 4), dtype=object)
    np.save(out / "vectors.npy", evil, allow_pickle=True)
    meta = json.loads((out / "model.json").read_text())
    meta["arrays"]["vectors"]["sha256"] = _sha256(out / "vectors.npy")
    (out / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFormatError, match="unreadable"):
        load_model(out)
