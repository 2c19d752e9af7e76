"""The Keras engine: the tutorial's model, trained on the shared review sample."""

from __future__ import annotations

import csv
import os
import sys

import numpy as np
import pytest

from wordvec.errors import CorpusError, MissingDependencyError, ParameterError
from wordvec.vectors import Vectors

os.environ.setdefault("KERAS_BACKEND", "torch")

# Keras 3.15 on NumPy 2 warns about its own __array__ on every step; not ours to fix.
pytestmark = [
    pytest.mark.slow,  # imports Keras and PyTorch (seconds) and trains with them
    pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy:DeprecationWarning"),
]


@pytest.mark.slow
def test_missing_keras_is_a_missing_dependency_error(monkeypatch):
    from wordvec.engines import keras as engine

    monkeypatch.setitem(sys.modules, "keras", None)     # makes `import keras` fail
    with pytest.raises(MissingDependencyError, match=r'pip install "wordvec\[keras\]"'):
        engine.build_model(10, 4)
    with pytest.raises(MissingDependencyError):
        engine.train_keras(["a b c"], num_words=10, dim=4, verbose=0)


@pytest.mark.parametrize("kwargs, name", [
    ({"num_words": 0}, "num_words"),
    ({"dim": 0}, "dim"),
    ({"window": 0}, "window"),
    ({"negative_samples": -1.0}, "negative_samples"),
    ({"epochs": 0}, "epochs"),
    ({"steps_per_epoch": 0}, "steps_per_epoch"),
    ({"seed": -1}, "seed"),
    ({"verbose": 3}, "verbose"),
    ({"threads": 0}, "threads"),
    ({"dim": 2.5}, "dim"),
])
def test_bad_parameters_name_the_parameter(kwargs, name):
    from wordvec.engines.keras import train_keras

    with pytest.raises(ParameterError, match=rf"invalid {name}=.*must be"):
        train_keras(["tea and coffee"], **kwargs)


def test_a_single_string_is_refused():
    from wordvec.engines.keras import train_keras

    with pytest.raises(ParameterError, match="not a single string"):
        train_keras("tea and coffee")


@pytest.fixture(scope="module")
def keras():
    pytest.importorskip("torch")
    return pytest.importorskip("keras")


@pytest.mark.slow
def test_tutorial_model_has_2560130_parameters(keras):
    from wordvec.engines.keras import build_model

    model = build_model(num_words=20000, dim=128)
    assert model.count_params() == 2_560_130
    embeddings = [layer for layer in model.layers if isinstance(layer, keras.layers.Embedding)]
    assert len(embeddings) == 1 and embeddings[0].input_dim == 20001 and embeddings[0].output_dim == 128
    assert len(model.inputs) == 2 and all(tuple(i.shape) == (None, 1) for i in model.inputs)
    dots = [layer for layer in model.layers if isinstance(layer, keras.layers.Dot)]
    assert len(dots) == 1 and dots[0].axes == 1
    dense = model.layers[-1]
    assert isinstance(dense, keras.layers.Dense) and dense.units == 1
    assert dense.activation is keras.activations.sigmoid
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert tuple(model.outputs[0].shape) == (None, 1)


@pytest.fixture(scope="module")
def reviews(finefoods) -> list[str]:
    with open(finefoods / "Reviews_sample.csv", newline="", encoding="utf-8-sig") as handle:
        return [row["Text"] for row in csv.DictReader(handle)]


@pytest.fixture(scope="module")
def trained(keras, reviews):
    from wordvec.engines.keras import train_keras

    return train_keras(reviews, num_words=2000, dim=32, window=5, epochs=3, steps_per_epoch=100, seed=1,
                       verbose=0)


@pytest.mark.slow
def test_training_lowers_the_loss(trained):
    assert len(trained.history) == 3
    assert all(np.isfinite(trained.history))
    assert trained.history[0] > trained.history[-1]


@pytest.mark.slow
def test_vectors_rows_follow_the_word_index(trained):
    vectors, tokenizer = trained.vectors, trained.tokenizer
    assert isinstance(vectors, Vectors)
    # The tokenizer emits indices 1..num_words-1: those rows, and row 0 for UNK.
    assert len(vectors) == 2000 and vectors.dim == 32
    assert vectors.words[0] == "UNK" and vectors.unknown == "UNK"
    assert all(vectors.words[i] == tokenizer.index_word[i] for i in range(1, 2000))
    assert vectors.matrix.dtype == np.float32
    weights = trained.model.get_layer("embedding").get_weights()[0]
    np.testing.assert_array_equal(vectors.matrix, weights[:2000])
    assert vectors.counts[1] == tokenizer.word_counts[vectors.words[1]]
    assert vectors.counts.sum() == sum(tokenizer.word_counts.values())


@pytest.mark.slow
def test_vectors_answer_most_similar(trained):
    similar = trained.vectors.most_similar("coffee", n=5)
    assert len(similar) == 5
    assert all(word not in ("coffee", "UNK") and -1.0 <= score <= 1.0 for word, score in similar)


def test_rows_are_the_words_the_tokenizer_can_emit(keras):
    from wordvec.engines.keras import train_keras

    # Counts: tea 4, good 3, coffee 2, dog 1. With num_words=3 the tokenizer keeps
    # indices 1 and 2 (tea, good); coffee (index 3) never occurs in a couple.
    texts = ["tea good tea", "good tea coffee", "tea good coffee dog"]
    result = train_keras(texts, num_words=3, dim=4, epochs=1, verbose=0)
    assert result.vectors.words == ["UNK", "tea", "good"]
    assert result.vectors.counts.tolist() == [3, 4, 3]          # UNK counts coffee and dog
    assert all(max(seq) < 3 for seq in result.tokenizer.texts_to_sequences(texts))


def test_fewer_words_than_num_words_trims_the_rows(keras):
    from wordvec.engines.keras import train_keras

    import torch

    threads = torch.get_num_threads()
    texts = ["good tea", "good coffee", "strong coffee", "tea"]   # "tea" alone gives no couples
    result = train_keras(texts, num_words=50, dim=4, epochs=1, steps_per_epoch=3, verbose=0)
    assert torch.get_num_threads() == threads                     # restored after fitting
    assert result.vectors.words == ["UNK", "good", "tea", "coffee", "strong"]
    assert result.vectors.matrix.shape == (5, 4)
    assert result.model.get_layer("embedding").input_dim == 51


def test_same_seed_same_vectors(keras):
    from wordvec.engines.keras import train_keras

    texts = ["the tea was good and the coffee was strong", "good dog food", "my cat likes the food"] * 4
    runs = [train_keras(texts, num_words=30, dim=8, epochs=2, steps_per_epoch=6, seed=7, verbose=0)
            for _ in range(2)]
    np.testing.assert_array_equal(runs[0].vectors.matrix, runs[1].vectors.matrix)
    assert runs[0].history == runs[1].history


def test_no_pairs_at_all_is_a_corpus_error(keras):
    from wordvec.engines.keras import train_keras

    with pytest.raises(CorpusError):
        train_keras(["tea", "coffee!", ""], num_words=10, dim=4, verbose=0)


@pytest.mark.slow
def test_cli_run_prints_the_tutorial_model_summary(keras, tmp_path, capsys):
    from wordvec.cli import main

    status = main(["train", "--engine", "keras", "--out", str(tmp_path / "model"), "--epochs", "1",
                   "--steps-per-epoch", "2"])
    out = capsys.readouterr().out
    assert status == 0
    assert "Total params: 2,560,130" in out and "embedding" in out
