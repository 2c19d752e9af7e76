"""Continued training: load, grow the vocabulary, train on; callbacks and checkpoints."""

from __future__ import annotations

import numpy as np
import pytest

from wordvec.readers import default_corpus, iter_documents
from wordvec.errors import ModelFormatError, ParameterError
from wordvec.formats import load_model, save_model
from wordvec.model import Checkpoint, Word2Vec
from wordvec.vocab import Vocabulary


def test_vocabulary_merge_keeps_old_words_and_adds_new():
    old = Vocabulary(["UNK", "tea", "cup"], [1, 10, 4])
    new = Vocabulary(["UNK", "cup", "mug", "rare"], [0, 9, 6, 1])
    merged, rows_old, rows_new = old.merge(new, min_count=2)
    assert merged.words == ["UNK", "cup", "tea", "mug"]
    assert merged.counts.tolist() == [2, 13, 10, 6]
    assert rows_old.tolist() == [0, 2, 1]
    assert rows_new.tolist() == [0, 1, 3, 0]


@pytest.mark.slow
def test_load_update_adds_new_words_and_keeps_the_rest_usable(tmp_path):
    snap, csv = default_corpus()
    model = Word2Vec(dim=24, epochs=8, min_count=3, threads=1, progress=False).fit(iter_documents(snap))
    model.save(tmp_path / "first")
    before = load_model(tmp_path / "first").vectors
    reloaded = Word2Vec.load(tmp_path / "first", epochs=4, progress=False)
    assert np.array_equal(reloaded.vectors_.matrix, before.matrix)
    reloaded.update(iter_documents(csv))
    after = reloaded.vectors_
    added = set(after.words) - set(before.words)
    assert len(added) > 100
    assert set(before.words) <= set(after.words)
    assert after.counts[after.index("coffee")] > before.counts[before.index("coffee")]
    assert after.similarity("coffee", "tea") > after.similarity("coffee", "dog")
    reloaded.save(tmp_path / "second")
    assert len(load_model(tmp_path / "second").vectors) == len(after)


def test_checkpoint_callback_saves_every_n_epochs(tmp_path):
    epochs_seen = []
    ckpt = Checkpoint(tmp_path / "ckpt", every=2)
    Word2Vec(dim=8, epochs=4, min_count=3, progress=False).fit(
        iter_documents(default_corpus()[0]),
        callbacks=[ckpt, lambda model, epoch, loss: epochs_seen.append(epoch)])
    assert epochs_seen == [1, 2, 3, 4]
    saved = load_model(tmp_path / "ckpt")
    assert len(saved.info["epoch_losses"]) == 4
    with pytest.raises(ParameterError, match="every"):
        Checkpoint(tmp_path, every=0)


def test_update_needs_a_trained_native_model(tmp_path):
    with pytest.raises(ParameterError, match="trained model"):
        Word2Vec().update(["some text"])
    from wordvec.vectors import Vectors
    save_model(tmp_path / "k", Vectors(["UNK", "a"], np.zeros((2, 3), np.float32), unknown="UNK"), engine="keras")
    with pytest.raises(ModelFormatError, match="cannot be trained further"):
        Word2Vec.load(tmp_path / "k")


@pytest.mark.slow
def test_update_keeps_known_rows_and_starts_new_words_as_a_fresh_run_does(monkeypatch):
    from wordvec.engines.native import INITIAL_RANGE, NativeEngine

    snap, csv = default_corpus()
    model = Word2Vec(dim=16, epochs=2, min_count=3, threads=1, progress=False).fit(iter_documents(snap))
    before = {w: model.vectors_[w].copy() for w in model.vectors_.words[1:]}

    class Captured(Exception):
        pass

    def capture(self, data, params, callbacks, start=None):
        raise Captured(start)

    monkeypatch.setattr(NativeEngine, "train", capture)
    with pytest.raises(Captured) as caught:
        model.update(iter_documents(csv))
    start = caught.value.args[0]
    rows = np.asarray(start.input_weights)
    known = [i for i, w in enumerate(start.words) if w in before]
    new = [i for i, w in enumerate(start.words) if i > 0 and w not in before]
    assert len(new) > 100 and len(known) == len(before)
    assert all(np.array_equal(rows[i], before[start.words[i]]) for i in known)
    fresh = rows[new]
    assert np.abs(fresh).max() <= INITIAL_RANGE / 16 and np.abs(fresh).max() > 0.9 * INITIAL_RANGE / 16
    assert not np.any(np.asarray(start.output_weights)[new])
