"""The tutorial's Keras skip-gram model ("Word Embeddings with Keras"), trained on reviews.

Two one-word inputs (a target and a context) look up ONE shared
``Embedding(num_words + 1, dim)``; the dot product of the two vectors goes
through ``Dense(1, activation="sigmoid")`` and the model learns, with binary
cross-entropy and Adam, whether the context really occurred near the target
(label 1) or was drawn at random (label 0). Each training step is the
skip-gram couples of one review, the reviews taken in shuffled order.

Keras 3 runs on its PyTorch backend and is imported only when used; without it
(or without torch) :class:`~wordvec.errors.MissingDependencyError` is raised.

>>> result = train_keras(["good tea", "good coffee"] * 10, num_words=10, dim=4,
...                      epochs=1, verbose=0)              # doctest: +SKIP
>>> result.vectors.words                                   # doctest: +SKIP
['UNK', 'good', 'tea', 'coffee']
"""

from __future__ import annotations

import contextlib
import math
import numbers
import os
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

import numpy as np

from ..errors import CorpusError, MissingDependencyError, ParameterError
from ..params import engine_parameters
from ..preprocessing import Tokenizer, skipgrams
from ..vectors import Vectors
from .base import Engine, EngineState, TrainingCallbacks, TrainingData, resolve_threads

__all__ = ["KerasEngine", "KerasResult", "build_model", "train_keras", "UNKNOWN"]

#: The word of row 0 (index 0 is never a word).
UNKNOWN = "UNK"

_MISSING = 'the Keras engine needs the keras extra: pip install "wordvec[keras]" (and torch)'


@dataclass
class KerasResult:
    """What :func:`train_keras` produced.

    Attributes
    ----------
    vectors : Vectors
        Row 0 is ``"UNK"``, row ``i`` the word of tokenizer index ``i``.
    history : list of float
        Mean training loss of each epoch.
    model : keras.Model
        The trained model.
    tokenizer : wordvec.preprocessing.Tokenizer
        The tokenizer fitted on the texts.
    """

    vectors: Vectors
    history: list = field(default_factory=list)
    model: Any = None
    tokenizer: Tokenizer | None = None


def _import_keras():
    """Import Keras 3 on the PyTorch backend, or raise MissingDependencyError."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    try:
        import torch  # noqa: F401  (the backend must be importable)
        import keras
    except ImportError as err:
        raise MissingDependencyError(_MISSING) from err
    if int(str(keras.__version__).split(".")[0]) < 3:
        raise MissingDependencyError(f"{_MISSING}; found Keras {keras.__version__}, Keras 3 is needed")
    if keras.backend.backend() != "torch":
        raise MissingDependencyError(
            f"the Keras engine runs on the torch backend, but Keras was loaded with "
            f"{keras.backend.backend()!r}: set KERAS_BACKEND=torch before importing keras")
    return keras


def _check_int(name: str, value, low: int, allow_none: bool = False):
    if value is None and allow_none:
        return None
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < low:
        valid = f"an integer >= {low}" + (" or None" if allow_none else "")
        raise ParameterError.out_of_range(name, value, valid)
    return int(value)


def build_model(num_words: int = 20000, dim: int = 128, seed: int | None = 1):
    """The tutorial's skip-gram model, compiled (binary cross-entropy, Adam).

    Parameters
    ----------
    num_words : int, default=20000
        Vocabulary size; the embedding has ``num_words + 1`` rows (row 0 unused).
    dim : int, default=128
        Embedding size.
    seed : int or None, default=1
        Seed of the initial weights.

    Returns
    -------
    keras.Model
        Inputs ``[target, context]`` of shape ``(batch, 1)``, output ``(batch, 1)``.

    Examples
    --------
    >>> build_model(20000, 128).count_params()             # doctest: +SKIP
    2560130
    """
    num_words = _check_int("num_words", num_words, 1)
    dim = _check_int("dim", dim, 1)
    seed = _check_int("seed", seed, 0, allow_none=True)
    keras = _import_keras()
    layers = keras.layers
    target_in = keras.Input(shape=(1,), dtype="int32", name="target")
    context_in = keras.Input(shape=(1,), dtype="int32", name="context")
    embedding = layers.Embedding(
        num_words + 1, dim, name="embedding",
        embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, seed=seed))
    target_vector = layers.Flatten(name="target_vector")(embedding(target_in))
    context_vector = layers.Flatten(name="context_vector")(embedding(context_in))
    dot_product = layers.Dot(axes=1, name="dot_product")([target_vector, context_vector])
    output = layers.Dense(1, activation="sigmoid", name="output",
                          kernel_initializer=keras.initializers.GlorotUniform(seed=seed))(dot_product)
    model = keras.Model([target_in, context_in], output, name="skipgram")
    model.compile(loss="binary_crossentropy", optimizer="adam")
    return model


@contextlib.contextmanager
def _torch_threads(threads: int | None):
    """Run a block with ``threads`` PyTorch CPU threads, then restore the previous number.

    One training step is one review's few hundred couples, too small for threads to pay: two
    threads gain ~25% on an idle machine but are several times slower when other processes
    share the cores, hence :func:`train_keras`'s default of one.
    """
    if threads is None:
        yield
        return
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _skipgram_batches(sequences: list, vocabulary_size: int, window: int, negative_samples: float,
                      rng: np.random.Generator) -> Iterator:
    """Endless batches: the skip-grams of one review per step (``vocabulary_size=num_words + 1``),
    reviews in shuffled order, reshuffled on each pass (reviews with fewer than 2 kept tokens were
    left out by :func:`_tokenize`: they give no couples)."""
    while True:
        for k in rng.permutation(len(sequences)):
            couples, labels = skipgrams(sequences[k], vocabulary_size, window_size=window,
                                        negative_samples=negative_samples, seed=rng)
            pairs = np.asarray(couples, dtype=np.int32).reshape(-1, 2)
            y = np.asarray(labels, dtype=np.float32).reshape(-1, 1)
            yield (pairs[:, :1], pairs[:, 1:]), y


def train_keras(texts: Iterable[str], *, num_words: int = 20000, dim: int = 128, window: int = 5,
                negative_samples: float = 1.0, epochs: int = 1, steps_per_epoch: int | None = None,
                seed: int | None = 1, verbose: int = 1, threads: int | None = 1,
                callbacks: list | None = None, summary=None) -> KerasResult:
    """Train the tutorial's Keras skip-gram model on review texts.

    Fits a :class:`~wordvec.preprocessing.Tokenizer`, then trains one review's skip-grams per step.

    Parameters
    ----------
    texts : iterable of str
        The reviews, one string each.
    num_words : int, default=20000
        Tokenizer vocabulary limit; the embedding has ``num_words + 1`` rows.
    dim : int, default=128
        Embedding size.
    window : int, default=5
        Skip-gram half-window.
    negative_samples : float, default=1.0
        Negative couples per positive couple.
    epochs : int, default=1
    steps_per_epoch : int or None, default=None
        Reviews per epoch; ``None`` for one pass over all usable reviews.
    seed : int or None, default=1
        Seeds the initial weights, the review order and the skip-gram draws.
    verbose : {0, 1, 2}, default=1
        Keras's ``fit`` verbosity (1: progress bar and the loss of each epoch).
    threads : int or None, default=1
        PyTorch CPU threads while fitting (then restored; see :func:`_torch_threads`); ``None``: torch's.
    callbacks : list of keras.callbacks.Callback, optional
        Passed to Keras's ``fit``.
    summary : callable, optional
        Receives the model summary as text ("Total params: 2,560,130" with the tutorial's settings)
        whatever ``verbose`` is; with ``verbose`` and no ``summary`` Keras prints it.

    Returns
    -------
    KerasResult
        ``.vectors`` (:func:`_trained_vectors`), ``.history`` (loss per epoch), ``.model``, ``.tokenizer``.

    Raises
    ------
    ParameterError, CorpusError, MissingDependencyError
        A parameter is out of range; no review has two words to pair; Keras or torch is missing.

    Examples
    --------
    >>> result = train_keras(["good tea", "good coffee"] * 10, num_words=10, dim=4, epochs=2, verbose=0)  # doctest: +SKIP
    >>> len(result.history), result.vectors.words[0]       # doctest: +SKIP
    (2, 'UNK')
    """
    num_words, dim, window, epochs, steps_per_epoch, seed, threads = _check_settings(
        texts, num_words, dim, window, negative_samples, epochs, steps_per_epoch, seed, verbose, threads)
    _import_keras()  # fail early, before the tokenizing work
    tokenizer, sequences = _tokenize(texts, num_words)
    model = _built_model(num_words, dim, seed, summary, verbose)
    losses = _fit(model, sequences, num_words + 1, window, float(negative_samples), epochs, steps_per_epoch,
                  seed, verbose, threads, callbacks)
    return KerasResult(_trained_vectors(model, tokenizer, num_words), losses, model, tokenizer)


def _check_settings(texts, num_words, dim, window, negative_samples, epochs, steps_per_epoch, seed, verbose,
                    threads) -> tuple:
    """:func:`train_keras`'s arguments, checked; returns the integer ones: ``(num_words, dim, window,
    epochs, steps_per_epoch, seed, threads)``."""
    if isinstance(texts, (str, bytes)):
        raise ParameterError("texts must be an iterable of review strings, not a single string")
    num_words = _check_int("num_words", num_words, 1)
    dim = _check_int("dim", dim, 1)
    window = _check_int("window", window, 1)
    epochs = _check_int("epochs", epochs, 1)
    steps_per_epoch = _check_int("steps_per_epoch", steps_per_epoch, 1, allow_none=True)
    seed = _check_int("seed", seed, 0, allow_none=True)
    if (not isinstance(negative_samples, numbers.Real) or isinstance(negative_samples, bool)
            or not math.isfinite(negative_samples) or negative_samples < 0):
        raise ParameterError.out_of_range("negative_samples", negative_samples, "a finite number >= 0")
    if verbose not in (0, 1, 2):
        raise ParameterError.out_of_range("verbose", verbose, "0, 1 or 2")
    threads = _check_int("threads", threads, 1, allow_none=True)
    return num_words, dim, window, epochs, steps_per_epoch, seed, threads


def _tokenize(texts: Iterable[str], num_words: int) -> tuple[Tokenizer, list]:
    """The tokenizer fitted on the texts, and the word-index sequences of the reviews with two words or more."""
    texts = list(texts)
    tokenizer = Tokenizer(num_words=num_words)
    tokenizer.fit_on_texts(texts)
    sequences = [seq for seq in tokenizer.texts_to_sequences_generator(texts) if len(seq) >= 2]
    if not sequences:
        raise CorpusError("no review has two words in the vocabulary: nothing to train on")
    return tokenizer, sequences


def _built_model(num_words: int, dim: int, seed: int | None, summary, verbose: int):
    """:func:`build_model`, its summary handed to ``summary`` as text, or (``verbose`` and no
    ``summary``) printed by Keras."""
    model = build_model(num_words, dim, seed=seed)
    if summary is not None:
        lines = []
        model.summary(print_fn=lambda text, **_: lines.append(text))
        summary("\n".join(lines))
    elif verbose:
        model.summary()
    return model


def _fit(model, sequences: list, vocabulary_size: int, window: int, negative_samples: float, epochs: int,
         steps_per_epoch: int | None, seed: int | None, verbose: int, threads: int | None,
         callbacks: list | None) -> list[float]:
    """Fit the model on :func:`_skipgram_batches` (seeded by ``seed``); the mean loss of each epoch."""
    rng = np.random.default_rng(seed)
    batches = _skipgram_batches(sequences, vocabulary_size, window, negative_samples, rng)
    with _torch_threads(threads):
        history = model.fit(batches, epochs=epochs, steps_per_epoch=steps_per_epoch or len(sequences),
                            shuffle=False, verbose=verbose, callbacks=callbacks)
    return [float(x) for x in history.history.get("loss", [])]


def _trained_vectors(model, tokenizer: Tokenizer, num_words: int) -> Vectors:
    """The embedding as vectors: row 0 ``"UNK"``, row ``i`` the word of tokenizer index ``i``.

    Every index the tokenizer can emit has its row (``1 .. num_words - 1``, as Keras's
    ``Tokenizer`` keeps indices below ``num_words``; fewer if the texts have fewer words). The
    embedding's last row (index ``num_words``) belongs to no word the tokenizer emits and is left
    out. The count of ``"UNK"`` is that of every word past the cut.
    """
    n_rows = min(num_words, len(tokenizer.word_index) + 1)
    words = [UNKNOWN] + [tokenizer.index_word[i] for i in range(1, n_rows)]
    counts = [tokenizer.word_counts.get(w, 0) for w in words[1:]]
    counts.insert(0, sum(tokenizer.word_counts.values()) - sum(counts))
    weights = model.get_layer("embedding").get_weights()[0]
    matrix = np.array(weights[:n_rows], dtype=np.float32)
    return Vectors(words, matrix, counts=counts, unknown=UNKNOWN)


class KerasEngine(Engine):
    """The tutorial's Keras model as an engine: texts in, :func:`train_keras` on them.

    Progress is reported per review (one training step each). The Keras model's
    optimizer state is not kept, so runs cannot be checkpointed or resumed.
    """

    name = "keras"
    description = "the tutorial's Keras model (shared embedding, dot, sigmoid; Adam), needs wordvec[keras]"
    input = "texts"
    parameters = engine_parameters("keras")
    checkpoints = False

    def train(self, data: TrainingData, params: dict, callbacks: TrainingCallbacks,
              start: EngineState | None = None) -> EngineState:
        if start is not None:
            raise ParameterError("the keras engine cannot continue a run")
        if params["num_words"] is None:
            raise ParameterError("the keras engine needs a vocabulary size (num_words): its embedding "
                                 "has one row per word index")
        if not data.texts:
            raise CorpusError("the corpus is empty: no documents found")
        _import_keras()
        result = train_keras(data.texts, num_words=params["num_words"], dim=params["dim"],
                             window=params["window"], negative_samples=params["negative_samples"],
                             epochs=params["epochs"], steps_per_epoch=params["steps_per_epoch"],
                             seed=params["seed"], verbose=0, threads=resolve_threads(params["threads"]),
                             callbacks=[_progress_reporter(callbacks)], summary=callbacks.note)
        vectors = result.vectors
        return EngineState(vectors.words, vectors.counts, np.asarray(vectors.matrix), None,
                           list(result.history), unknown=UNKNOWN)


def _progress_reporter(callbacks: TrainingCallbacks):
    """A Keras callback that reports steps (reviews) and epochs to wordvec's callbacks."""
    keras = _import_keras()

    class Reporter(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            steps = self.params.get("steps") or 0
            callbacks.started(None, steps * self.params.get("epochs", 1), unit="review")

        def on_train_batch_end(self, batch, logs=None):
            callbacks.advanced(1, float((logs or {}).get("loss", float("nan"))))

        def on_epoch_end(self, epoch, logs=None):
            callbacks.epoch_finished(epoch + 1, float((logs or {}).get("loss", float("nan"))), None)

    return Reporter()
