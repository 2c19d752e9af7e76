"""Vectors.embedding_matrix and the Keras / PyTorch embedding layers built from it."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

import wordvec  # noqa: E402
from wordvec import layers  # noqa: E402
from wordvec.errors import MissingDependencyError, ParameterError  # noqa: E402
from wordvec.preprocessing import Tokenizer  # noqa: E402
from wordvec.vectors import EmbeddingMatrix, Vectors  # noqa: E402

WORDS = ["UNK", "tea", "coffee", "milk", "sugar"]
MATRIX = np.array([[0, 0, 0], [1, 2, 3], [4, 5, 6], [7, 8, 9], [-1, -2, -3]], dtype=np.float32)
TEXTS = ["tea and coffee", "coffee with milk", "tea with milk and sugar", "coffee coffee biscuits"]


@pytest.fixture
def vectors() -> Vectors:
    return Vectors(WORDS, MATRIX.copy(), unknown="UNK")


def test_known_rows_padding_row_and_missing_count(vectors):
    word_index = {"coffee": 1, "biscuits": 2, "tea": 3, "jam": 4, "milk": 5}
    result = vectors.embedding_matrix(word_index)
    assert isinstance(result, EmbeddingMatrix)
    assert result.matrix.dtype == np.float32 and result.matrix.shape == (6, 3)
    expected = np.array([[0, 0, 0], [4, 5, 6], [0, 0, 0], [1, 2, 3], [0, 0, 0], [7, 8, 9]], dtype=np.float32)
    np.testing.assert_array_equal(result.matrix, expected)
    assert result.missing == 2 and result.missing_words == ["biscuits", "jam"]
    matrix, missing, missing_words = result                 # unpacks as a tuple
    assert missing == 2 and matrix is result.matrix


def test_matrix_is_a_copy(vectors):
    result = vectors.embedding_matrix({"tea": 1})
    result.matrix[1] = 99
    np.testing.assert_array_equal(vectors["tea"], [1, 2, 3])


def test_num_words_truncates_as_keras_does(vectors):
    word_index = {"coffee": 1, "biscuits": 2, "tea": 3, "jam": 4, "milk": 5}
    result = vectors.embedding_matrix(word_index, num_words=4)       # indices 1..3 kept
    assert result.matrix.shape == (4, 3)
    np.testing.assert_array_equal(result.matrix[3], [1, 2, 3])
    assert result.missing_words == ["biscuits"]                      # "jam" (index 4) is cut, not missing
    wide = vectors.embedding_matrix({"tea": 1}, num_words=5)
    assert wide.matrix.shape == (5, 3) and not wide.matrix[2:].any()
    assert vectors.embedding_matrix({}).matrix.shape == (1, 3)


def test_oov_token_takes_the_unknown_vector_and_is_not_missing():
    matrix = MATRIX.copy()
    matrix[0] = [0.5, 0.5, 0.5]                                      # a trained UNK row
    vecs = Vectors(WORDS, matrix, unknown="UNK")
    result = vecs.embedding_matrix({"<OOV>": 1, "tea": 2, "jam": 3}, oov_token="<OOV>")
    np.testing.assert_array_equal(result.matrix[1], [0.5, 0.5, 0.5])
    assert result.missing_words == ["jam"]
    own = vecs.embedding_matrix({"sugar": 1, "tea": 2}, oov_token="sugar")   # the vectors know the token
    np.testing.assert_array_equal(own.matrix[1], [-1, -2, -3])
    plain = Vectors(WORDS[1:], MATRIX[1:].copy())                    # no placeholder: zeros
    result = plain.embedding_matrix({"<OOV>": 1, "tea": 2}, oov_token="<OOV>", missing="random")
    assert not result.matrix[1].any() and result.missing == 0


def test_oov_token_not_given_is_an_ordinary_missing_word(vectors):
    result = vectors.embedding_matrix({"<OOV>": 1, "tea": 2})
    assert result.missing_words == ["<OOV>"]


def test_random_rows_are_small_seeded_and_leave_known_rows(vectors):
    word_index = {"tea": 1, "jam": 2, "biscuits": 3, "milk": 4}
    a = vectors.embedding_matrix(word_index, missing="random", seed=3)
    b = vectors.embedding_matrix(word_index, missing="random", seed=3)
    c = vectors.embedding_matrix(word_index, missing="random", seed=4)
    np.testing.assert_array_equal(a.matrix, b.matrix)
    assert not np.array_equal(a.matrix[2:4], c.matrix[2:4])
    rows = a.matrix[2:4]
    assert np.all(np.abs(rows) <= 0.05) and np.all(rows != 0)
    assert not a.matrix[0].any()                                     # padding stays zero
    np.testing.assert_array_equal(a.matrix[[1, 4]], [[1, 2, 3], [7, 8, 9]])
    assert a.missing == 2
    wide = vectors.embedding_matrix(word_index, missing="random", scale=0.5, seed=3)
    assert np.abs(wide.matrix[2:4]).max() > 0.05


def test_subwords_need_a_model_that_has_them(vectors):
    with pytest.raises(ParameterError, match="subword") as err:
        vectors.embedding_matrix({"tea": 1}, missing="subwords")
    assert "vector_for_unknown" in str(err.value)


def test_subwords_use_the_vector_for_unknown_hook():
    class SubwordVectors(Vectors):
        def vector_for_unknown(self, word):
            return None if word == "zzz" else np.full(self.dim, len(word), dtype=np.float32)

    vecs = SubwordVectors(WORDS, MATRIX.copy(), unknown="UNK")
    result = vecs.embedding_matrix({"tea": 1, "teas": 2, "zzz": 3}, missing="subwords")
    np.testing.assert_array_equal(result.matrix[1:], [[1, 2, 3], [4, 4, 4], [0, 0, 0]])
    assert result.missing_words == ["teas", "zzz"]                   # not in the vocabulary, rows built


@pytest.mark.parametrize("kwargs, message", [
    ({"missing": "mean"}, "missing"),
    ({"num_words": 0}, "num_words"),
    ({"num_words": 2.5}, "num_words"),
    ({"scale": -1.0}, "scale"),
])
def test_bad_options_are_refused(vectors, kwargs, message):
    with pytest.raises(ParameterError, match=message):
        vectors.embedding_matrix({"tea": 1}, **kwargs)


@pytest.mark.parametrize("word_index", [{"tea": 0}, {"tea": -1}, {"tea": "1"}, ["tea"]])
def test_bad_word_indices_are_refused(vectors, word_index):
    with pytest.raises(ParameterError):
        vectors.embedding_matrix(word_index)


def test_wordvec_tokenizer_object_lends_num_words_and_oov_token(vectors):
    tok = Tokenizer(num_words=4, oov_token="<OOV>")
    tok.fit_on_texts(TEXTS)
    assert tok.word_index["<OOV>"] == 1
    result = vectors.embedding_matrix(tok)
    assert result.matrix.shape == (4, 3)                             # num_words rows
    for word, i in tok.word_index.items():
        if 1 < i < 4:
            expected = vectors[word] if word in vectors else np.zeros(3)
            np.testing.assert_array_equal(result.matrix[i], expected)
    assert not result.matrix[1].any()                                # the OOV row: the zero UNK vector
    assert result.missing == sum(1 for w, i in tok.word_index.items() if 1 < i < 4 and w not in vectors)
    everything = vectors.embedding_matrix(tok, num_words=100)        # an explicit num_words wins
    assert everything.matrix.shape == (100, 3)


@pytest.mark.slow
def test_same_matrix_from_keras_tokenizer_word_index(vectors):
    text = pytest.importorskip("keras.src.legacy.preprocessing.text")
    ours, theirs = Tokenizer(oov_token="<OOV>"), text.Tokenizer(oov_token="<OOV>")
    ours.fit_on_texts(TEXTS)
    theirs.fit_on_texts(TEXTS)
    assert ours.word_index == theirs.word_index
    from_keras = vectors.embedding_matrix(theirs)
    np.testing.assert_array_equal(from_keras.matrix, vectors.embedding_matrix(ours).matrix)
    for word, i in theirs.word_index.items():
        if word in vectors:
            np.testing.assert_array_equal(from_keras.matrix[i], vectors[word])
    assert from_keras.missing_words == sorted(
        (w for w in theirs.word_index if w not in vectors and w != "<OOV>"), key=theirs.word_index.get)


# -- Keras ---------------------------------------------------------------------

def _keras():
    pytest.importorskip("torch")
    return pytest.importorskip("keras")


def _fit_one_step(keras, layer):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,), dtype="int32"), layer,
                              keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    x = np.array([[1, 2, 3], [3, 4, 0]], dtype=np.int32)
    model.fit(x, np.array([1.0, -1.0]), epochs=1, batch_size=2, verbose=0)


@pytest.mark.slow
def test_keras_layer_holds_the_matrix_and_looks_rows_up(vectors):
    keras = _keras()
    word_index = {"coffee": 1, "jam": 2, "tea": 3, "milk": 4}
    expected = vectors.embedding_matrix(word_index).matrix
    layer = wordvec.to_keras_embedding(vectors, word_index)
    assert isinstance(layer, keras.layers.Embedding)
    assert layer.input_dim == 5 and layer.output_dim == 3
    np.testing.assert_array_equal(layer.get_weights()[0], expected)
    batch = np.array([[1, 3, 0], [4, 4, 2]], dtype=np.int32)
    out = keras.ops.convert_to_numpy(layer(batch))
    np.testing.assert_array_equal(out, expected[batch])


@pytest.mark.slow
def test_keras_layer_frozen_or_trainable(vectors):
    keras = _keras()
    word_index = {"coffee": 1, "jam": 2, "tea": 3, "milk": 4}
    frozen = layers.to_keras_embedding(vectors, word_index)
    assert frozen.trainable is False and frozen.trainable_weights == []
    before = frozen.get_weights()[0].copy()
    _fit_one_step(keras, frozen)
    np.testing.assert_array_equal(frozen.get_weights()[0], before)
    trainable = layers.to_keras_embedding(vectors, word_index, trainable=True)
    assert len(trainable.trainable_weights) == 1
    _fit_one_step(keras, trainable)
    assert not np.array_equal(trainable.get_weights()[0], before)


@pytest.mark.slow
def test_keras_layer_passes_matrix_options_and_takes_a_ready_matrix(vectors):
    _keras()
    word_index = {"coffee": 1, "jam": 2, "tea": 3}
    layer = layers.to_keras_embedding(vectors, word_index, num_words=3, missing="random", seed=5,
                                      mask_zero=True, name="words")
    expected = vectors.embedding_matrix(word_index, num_words=3, missing="random", seed=5)
    np.testing.assert_array_equal(layer.get_weights()[0], expected.matrix)
    assert layer.name == "words" and layer.mask_zero
    ready = layers.to_keras_embedding(expected)
    np.testing.assert_array_equal(ready.get_weights()[0], expected.matrix)
    with pytest.raises(ParameterError, match="word_index"):
        layers.to_keras_embedding(vectors)
    with pytest.raises(ParameterError):
        layers.to_keras_embedding(expected.matrix, word_index)


# -- PyTorch -------------------------------------------------------------------

@pytest.mark.slow
def test_torch_layer_holds_the_matrix_and_looks_rows_up(vectors):
    torch = pytest.importorskip("torch")
    tok = Tokenizer(oov_token="<OOV>")
    tok.fit_on_texts(TEXTS)
    expected = vectors.embedding_matrix(tok).matrix
    layer = wordvec.to_torch_embedding(vectors, tok)
    assert isinstance(layer, torch.nn.Embedding)
    assert layer.weight.dtype == torch.float32 and tuple(layer.weight.shape) == expected.shape
    np.testing.assert_array_equal(layer.weight.detach().numpy(), expected)
    batch = torch.tensor([[2, 3, 0], [1, 4, 4]])
    np.testing.assert_array_equal(layer(batch).detach().numpy(), expected[batch.numpy()])


@pytest.mark.slow
def test_torch_layer_frozen_or_trainable(vectors):
    torch = pytest.importorskip("torch")
    word_index = {"coffee": 1, "jam": 2, "tea": 3}
    frozen = layers.to_torch_embedding(vectors, word_index)
    assert frozen.weight.requires_grad is False
    trainable = layers.to_torch_embedding(vectors, word_index, freeze=False)
    assert trainable.weight.requires_grad is True and trainable.padding_idx == 0
    trainable(torch.tensor([[0, 1, 3]])).sum().backward()
    grad = trainable.weight.grad.numpy()
    assert not grad[0].any() and grad[1].any() and grad[3].any()     # the padding row gets no gradient
    every_row = layers.to_torch_embedding(vectors, word_index, freeze=False, padding_idx=None)
    every_row(torch.tensor([[0]])).sum().backward()
    assert every_row.weight.grad[0].any()


# -- optional dependencies -----------------------------------------------------

def test_missing_keras_is_one_clear_line(vectors, monkeypatch):
    monkeypatch.setitem(sys.modules, "keras", None)                  # "import keras" now fails
    with pytest.raises(MissingDependencyError) as err:
        layers.to_keras_embedding(vectors, {"tea": 1})
    message = str(err.value)
    assert 'pip install "wordvec[keras]"' in message and "\n" not in message


def test_missing_torch_is_one_clear_line(vectors, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(MissingDependencyError) as err:
        layers.to_torch_embedding(vectors, {"tea": 1})
    message = str(err.value)
    assert "pip install torch" in message and "\n" not in message
    assert isinstance(err.value, ImportError)


def test_importing_layers_imports_no_framework(tmp_path):
    code = ("import sys, wordvec\n"
            "wordvec.to_keras_embedding, wordvec.to_torch_embedding, wordvec.Vectors\n"
            "heavy = sorted(m for m in ('keras', 'torch', 'tensorflow') if m in sys.modules)\n"
            "print(heavy)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
