"""gensim 4's ``Word2Vec`` and ``FastText``, trained by wordvec: change one import, keep the code.

``from wordvec.compat.gensim import Word2Vec`` in place of ``from gensim.models import Word2Vec``:
the constructor takes gensim's arguments with gensim's defaults (CBOW, ``min_count=5``, every key
kept, ``workers=3``...), trains at once when given sentences, or in two steps (``build_vocab``
then ``train``), calls gensim's callbacks, and ``model.wv`` answers as gensim's ``KeyedVectors``
(:mod:`wordvec.compat.keyed_vectors`). ``FastText`` trains wordvec's subword engine, and its
``wv`` gives any string a vector from its character n-grams.

An option wordvec cannot honour, set away from its default, is refused with one line naming it
(:class:`~wordvec.compat.options.UnsupportedOption`, a ``ValueError``); options that tune only
gensim's own threads and logging are accepted and do nothing. ``docs/compat.md`` lists them all.

Where it differs from gensim: the vectors are wordvec's, not gensim's (the same model and
settings, other random draws); ``save`` writes a wordvec model directory, not a pickle; a later
``train`` call continues the run with :meth:`wordvec.Word2Vec.update` (after
``build_vocab(update=True)``, new keys are sorted in with the old ones by count, where gensim
appends them); ``get_latest_training_loss`` is the mean loss of the last epoch.

>>> sentences = [["tea", "cup", "pot"], ["dog", "cat", "fur"]] * 30
>>> model = Word2Vec(sentences, vector_size=16, min_count=1, sg=1, workers=1, epochs=2)
>>> model.wv["tea"].shape, len(model.wv), model.corpus_count
((16,), 6, 60)
>>> "tea" in dict(model.wv.most_similar("cup", topn=5))
True
"""

from __future__ import annotations

import inspect
import os
from pathlib import Path

import numpy as np

from ..errors import ModelFormatError, ParameterError
from ..formats import FORMAT_VERSION
from ..formats.model_schema import read_meta
from ..model import Word2Vec as Estimator
from ..vectors import Vectors
from ..vocab import Vocabulary
from .corpus import LineSentence, encode_sentences, encode_with_vocabulary, known_words, sentences_for_update
from .keyed_vectors import FastTextKeyedVectors, KeyedVectors, refuse_unknown_save
from .keys import UNKNOWN, relabelled, restored_keys, stored_words
from .options import (BUILD_VOCAB_REFUSED, FASTTEXT_REFUSED, TRAIN_REFUSED, WORD2VEC_REFUSED, UnsupportedOption,
                      gensim_message, refuse_unknown, refuse_unsupported)

__all__ = ["Word2Vec", "FastText", "KeyedVectors", "FastTextKeyedVectors", "CallbackAny2Vec", "LineSentence",
           "UnsupportedOption"]

#: gensim's ``MAX_WORDS_IN_BATCH``: the default of ``batch_words``, which has no effect here.
MAX_WORDS_IN_BATCH = 10000
#: Constructor arguments a saved model does not keep (the corpus, and what cannot be written).
_NOT_SAVED = frozenset({"self", "sentences", "corpus_file", "hashfxn", "trim_rule", "callbacks"})


class CallbackAny2Vec:
    """gensim's callback base class: subclass it and override the hooks you need.

    ``on_train_begin``, ``on_epoch_begin``, ``on_epoch_end`` and ``on_train_end`` are called with
    the model, in gensim's order. gensim's per-batch hooks have no counterpart (wordvec's threads
    train batches of their own): a callback that overrides them is refused. Subclasses of
    gensim's own ``CallbackAny2Vec`` are taken as well.

    Examples
    --------
    >>> class EpochCounter(CallbackAny2Vec):
    ...     def __init__(self):
    ...         self.epochs = 0
    ...     def on_epoch_end(self, model):
    ...         self.epochs += 1
    >>> counter = EpochCounter()
    >>> _ = Word2Vec([["a", "b", "c"]] * 20, min_count=1, epochs=3, workers=1, callbacks=[counter])
    >>> counter.epochs
    3
    """

    def on_epoch_begin(self, model):
        """Called before each epoch."""

    def on_epoch_end(self, model):
        """Called after each epoch; ``model.wv`` holds the vectors of the epoch."""

    def on_batch_begin(self, model):
        """gensim's hook, never called here."""

    def on_batch_end(self, model):
        """gensim's hook, never called here."""

    def on_train_begin(self, model):
        """Called when a training call begins."""

    def on_train_end(self, model):
        """Called when a training call ends."""


class _EpochHooks:
    """gensim's callbacks around one training call, as the callback wordvec calls after each epoch."""

    def __init__(self, model, callbacks, epochs: int):
        self.model, self.callbacks, self.epochs, self.done = model, list(callbacks), epochs, 0
        for callback in self.callbacks:
            _check_callback(callback)

    def call(self, hook: str) -> None:
        for callback in self.callbacks:
            method = getattr(callback, hook, None)
            if method is not None:
                method(self.model)

    def __call__(self, estimator, epoch: int, loss: float) -> None:
        self.done += 1
        self.call("on_epoch_end")
        if self.done < self.epochs:
            self.call("on_epoch_begin")


def _check_callback(callback) -> None:
    for hook in ("on_batch_begin", "on_batch_end"):
        owner = next((klass for klass in type(callback).__mro__ if hook in vars(klass)), None)
        if owner is not None and owner.__name__ != "CallbackAny2Vec":
            raise UnsupportedOption(f"callbacks: {type(callback).__name__}.{hook} is not supported: only "
                                    "on_train_begin/end and on_epoch_begin/end are called")


class Word2Vec:
    """gensim 4's ``Word2Vec``: skip-gram or CBOW, negative sampling or hierarchical softmax.

    The parameters are gensim's, with gensim's defaults; each maps to a parameter of
    :class:`wordvec.Word2Vec` (``vector_size`` -> ``dim``, ``alpha`` -> ``lr``, ``min_alpha`` ->
    ``min_lr``, ``sg`` -> ``model``, ``workers`` -> ``threads``; every key is kept that
    ``min_count`` and ``max_final_vocab`` keep, as gensim keeps them). ``seed=None`` is seed 1.

    Attributes
    ----------
    wv : KeyedVectors
        The vectors by key (gensim's).
    corpus_count, corpus_total_words : int
        Sentences and words of the corpus ``build_vocab`` read.

    Examples
    --------
    >>> model = Word2Vec(vector_size=8, min_count=1, workers=1)
    >>> model.build_vocab([["x", "y"], ["y", "z"]] * 10)
    >>> model.wv.index_to_key
    ['y', 'z', 'x']
    >>> model.train([["x", "y"], ["y", "z"]] * 10, total_examples=model.corpus_count, epochs=2)[1]
    80
    """

    _engine = "native"
    _keyed_vectors = KeyedVectors
    _refused = WORD2VEC_REFUSED

    def __init__(self, sentences=None, corpus_file=None, vector_size=100, alpha=0.025, window=5, min_count=5,
                 max_vocab_size=None, sample=1e-3, seed=1, workers=3, min_alpha=0.0001, sg=0, hs=0, negative=5,
                 ns_exponent=0.75, cbow_mean=1, hashfxn=hash, epochs=5, null_word=0, trim_rule=None,
                 sorted_vocab=1, batch_words=MAX_WORDS_IN_BATCH, compute_loss=False, callbacks=(), comment=None,
                 max_final_vocab=None, shrink_windows=True):
        self._configure({name: value for name, value in locals().items() if name not in ("self", "sentences",
                                                                                        "corpus_file")})
        if sentences is not None or corpus_file is not None:
            self._train_at_once(sentences, corpus_file)

    def _configure(self, settings: dict) -> None:
        refuse_unsupported(type(self).__name__, settings, self._refused)
        for name, value in settings.items():
            setattr(self, name, value)
        self.callbacks = tuple(self.callbacks)
        self.corpus_count = self.corpus_total_words = self.train_count = 0
        self.total_train_time = 0.0
        self._estimator = self._new_estimator()
        self._vocabulary = self._encoded = self._encoded_from = None
        self._pending_update = False
        self._wv = self._keyed_vectors.from_vectors(Vectors([], np.zeros((0, self.vector_size), np.float32)))
        self._wv_source = None

    def _estimator_params(self) -> dict:
        """The parameters of :class:`wordvec.Word2Vec` for the gensim settings."""
        return {"dim": self.vector_size, "window": self.window, "negative": self.negative, "epochs": self.epochs,
                "min_count": self.min_count, "num_words": None, "sample": self.sample,
                "model": "skipgram" if self.sg else "cbow", "lr": self.alpha, "min_lr": self.min_alpha,
                "threads": self.workers, "seed": 1 if self.seed is None else self.seed, "engine": self._engine,
                "hs": bool(self.hs), "ns_exponent": self.ns_exponent, "cbow_mean": bool(self.cbow_mean),
                "shrink_windows": bool(self.shrink_windows), "progress": False}

    def _new_estimator(self) -> Estimator:
        estimator = Estimator()
        self._prepare(estimator)
        return estimator

    def _prepare(self, estimator: Estimator) -> None:
        """Set the estimator's parameters from the gensim settings as they are now, and check them."""
        for name, value in self._estimator_params().items():
            setattr(estimator, name, value)
        try:
            estimator.check_parameters()
        except ParameterError as err:
            raise ParameterError(gensim_message(err)) from None

    def __str__(self) -> str:
        return f"{type(self).__name__}<vocab={len(self.wv)}, vector_size={self.vector_size}, alpha={self.alpha}>"

    __repr__ = __str__

    # -- the vectors ----------------------------------------------------------
    @property
    def wv(self) -> KeyedVectors:
        """The vectors by key: the trained ones, the last epoch's during training (or, after
        ``build_vocab`` alone, small random vectors, which training does not start from)."""
        trained = getattr(self._estimator, "vectors_", None)
        if trained is not None and trained is not self._wv_source:
            self._wv, self._wv_source = self._keyed_vectors.from_trained(trained), trained
        elif self._wv is None:  # made when first asked for: a whole matrix, which training does not need
            self._wv = self._initial_vectors(self._vocabulary)
        return self._wv

    @property
    def syn1neg(self) -> np.ndarray:
        """The output (context) vectors of negative sampling, one row per key of ``wv``."""
        weights = getattr(self._estimator, "output_weights_", None)
        if weights is None or not self.negative or self.hs or np.shape(weights)[0] != len(self.wv) + 1:
            raise AttributeError("syn1neg: no negative-sampling output vectors (untrained, or hs=1)")
        return np.asarray(weights)[1:]

    def get_latest_training_loss(self) -> float:
        """The mean loss of the last epoch trained (gensim's is a running sum, kept only with
        ``compute_loss=True``); 0.0 before training."""
        losses = getattr(self._estimator, "epoch_losses_", None)
        return float(losses[-1]) if losses else 0.0

    def _trained(self) -> bool:
        return getattr(self._estimator, "output_weights_", None) is not None

    # -- training ---------------------------------------------------------------
    def _train_at_once(self, sentences, corpus_file) -> None:
        self.build_vocab(sentences, corpus_file)
        self.train(sentences, corpus_file, total_examples=self.corpus_count, total_words=self.corpus_total_words,
                   epochs=self.epochs, start_alpha=self.alpha, end_alpha=self.min_alpha, callbacks=self.callbacks)

    def build_vocab(self, corpus_iterable=None, corpus_file=None, update=False, progress_per=10000,
                    keep_raw_vocab=False, trim_rule=None, **kwargs) -> None:
        """Read the corpus once: its keys, counted and cut as gensim cuts them (``min_count``,
        ``max_final_vocab``), most frequent first.

        The encoded corpus is kept until :meth:`train` is given the same corpus (the same object,
        or the same ``corpus_file``), which then does not read it again. ``update=True`` makes
        the next :meth:`train` add the new keys of its corpus to a trained model.
        """
        refuse_unsupported("build_vocab", {"keep_raw_vocab": keep_raw_vocab, "trim_rule": trim_rule},
                           BUILD_VOCAB_REFUSED)
        refuse_unknown("build_vocab", kwargs)
        source = _source(corpus_iterable, corpus_file)
        if update:
            self._plan_update(source)
            return
        vocab, corpus, count = encode_sentences(_sentences(source), self.min_count, self.max_final_vocab,
                                                self.workers)
        self._check_keys(vocab)
        self._estimator = self._new_estimator()
        self._vocabulary, self._encoded, self._encoded_from = vocab, corpus, source
        self.corpus_count, self.corpus_total_words = count, vocab.total_words
        self._wv, self._wv_source = None, None

    def _plan_update(self, source) -> None:
        if not self._trained():
            raise RuntimeError("You cannot do an online vocabulary-update of a model which has no prior vocabulary. "
                               "First build the vocabulary of your model with a corpus before doing an online update.")
        self._check_continuable()
        sentences = _sentences(source)
        if iter(sentences) is not sentences:  # counted only where it can be read again
            sizes = [len(sentence) for sentence in sentences]
            self.corpus_count, self.corpus_total_words = len(sizes), sum(sizes)
        self._pending_update = True

    def _check_keys(self, vocab: Vocabulary) -> None:
        """Refuse keys the engine cannot train (FastText: keys that are not strings)."""

    def _check_continuable(self) -> None:
        """Refuse to continue training where the engine cannot (FastText)."""

    def _initial_vectors(self, vocab: Vocabulary) -> KeyedVectors:
        """gensim's ``wv`` after ``build_vocab``: the keys, with small random vectors."""
        rng = np.random.default_rng(1 if self.seed is None else self.seed)
        matrix = (rng.random((len(vocab), self.vector_size), dtype=np.float32) - 0.5) / self.vector_size
        return self._keyed_vectors.from_trained(Vectors(vocab.words, matrix, counts=vocab.counts, unknown=UNKNOWN))

    def train(self, corpus_iterable=None, corpus_file=None, total_examples=None, total_words=None, epochs=None,
              start_alpha=None, end_alpha=None, word_count=0, queue_factor=2, report_delay=1.0,
              compute_loss=False, callbacks=(), **kwargs) -> tuple[int, int]:
        """Train ``epochs`` passes over the corpus, the learning rate falling from ``start_alpha``
        (default ``alpha``) to ``end_alpha`` (default ``min_alpha``).

        As in gensim, ``epochs`` and one of ``total_examples`` / ``total_words`` must be given
        (their values are not needed here). The first call trains the vocabulary of
        :meth:`build_vocab` (keys it does not hold are dropped); a later call continues the run.

        Returns ``(words in the vocabulary, raw words)``, each times ``epochs``.
        """
        refuse_unsupported("train", {"word_count": word_count, "compute_loss": compute_loss}, TRAIN_REFUSED)
        refuse_unknown("train", kwargs)
        self._check_training(total_examples, total_words, epochs)
        source = _source(corpus_iterable, corpus_file)
        self.alpha, self.min_alpha, self.epochs = start_alpha or self.alpha, end_alpha or self.min_alpha, epochs
        self._prepare(self._estimator)
        hooks = _EpochHooks(self, callbacks, epochs)
        hooks.call("on_train_begin")
        hooks.call("on_epoch_begin")
        kept = self._train_further(source, hooks) if self._trained() else self._train_first(source, hooks)
        hooks.call("on_train_end")
        self.train_count += 1
        self.total_train_time += self._estimator.train_seconds_
        raw = self._estimator.raw_word_count_ or 0
        return epochs * (raw if kept is None else kept), epochs * raw

    def _check_training(self, total_examples, total_words, epochs) -> None:
        """gensim's checks before training, with its messages."""
        if self._vocabulary is None and not self._trained():
            raise RuntimeError("you must first build vocabulary before training the model")
        if total_words is None and total_examples is None:
            raise ValueError("You must specify either total_examples or total_words, for proper learning-rate "
                             "and progress calculations. If you've just built the vocabulary using the same corpus, "
                             "using the count cached in the model is sufficient: total_examples=model.corpus_count.")
        if epochs is None or epochs <= 0:
            raise ValueError("You must specify an explicit epochs count. The usual value is epochs=model.epochs.")

    def _train_first(self, source, hooks: _EpochHooks) -> int:
        if self._encoded is not None and _same_source(source, self._encoded_from):
            corpus = self._encoded
        else:
            corpus, _ = encode_with_vocabulary(_sentences(source), self._vocabulary, self.workers)
        self._estimator.fit_corpus(self._vocabulary, corpus, callbacks=[hooks])
        self._encoded = self._encoded_from = None
        return int(corpus.tokens.shape[0])

    def _train_further(self, source, hooks: _EpochHooks) -> None:
        self._check_continuable()
        known = None if self._pending_update else known_words(self._estimator.vocabulary_)
        self._estimator.update(sentences_for_update(_sentences(source), known), callbacks=[hooks])
        self._pending_update = False

    # -- saving -----------------------------------------------------------------
    def save(self, fname_or_handle, **kwargs) -> None:
        """Write a wordvec model directory at ``fname_or_handle`` (a path), with the gensim
        settings; :meth:`load` reads it back, keys with their types."""
        refuse_unknown_save(kwargs)
        if not self._trained():
            raise ParameterError("save: nothing to save yet: train the model first")
        estimator, trained = self._estimator, self._estimator.vectors_
        keys, kind = stored_words(trained.words[1:])
        info = {"gensim": {"class": type(self).__name__, "keys": kind, "settings": self._settings(),
                           "corpus_count": self.corpus_count, "corpus_total_words": self.corpus_total_words}}
        if kind != "str":
            estimator.vectors_ = relabelled(trained, [UNKNOWN] + keys)
        try:
            estimator.save(fname_or_handle, extra_info=info)
        finally:
            estimator.vectors_ = trained

    def _settings(self) -> dict:
        names = inspect.signature(type(self).__init__).parameters
        return {name: getattr(self, name) for name in names if name not in _NOT_SAVED}

    @classmethod
    def load(cls, fname, mmap=None) -> "Word2Vec":
        """A model :meth:`save` wrote, ready for queries and further training (``mmap`` has no effect)."""
        path = Path(fname)
        if path.is_file():
            raise ModelFormatError(f"{path}: a file, not a model directory written by wordvec.compat.gensim "
                                   "(gensim's own files are read by gensim: export the vectors with "
                                   "wv.save_word2vec_format)")
        saved = read_meta(path, FORMAT_VERSION).get("info", {}).get("gensim")
        if not isinstance(saved, dict) or saved.get("class") not in _MODELS or not isinstance(
                saved.get("settings"), dict):
            raise ModelFormatError(f"{path}: not a model saved by wordvec.compat.gensim (a wordvec model is "
                                   "loaded by wordvec.Word2Vec.load, its vectors by KeyedVectors.load)")
        klass = _MODELS[saved["class"]]
        if not issubclass(klass, cls):
            raise ModelFormatError(f"{path}: a {klass.__name__} model, not a {cls.__name__} one")
        try:
            model = klass(**saved["settings"])
        except (TypeError, ParameterError) as err:
            raise ModelFormatError(f"{path}: its saved settings are not valid: {str(err)[:200]}") from None
        model._adopt(Estimator.load(path, progress=False), saved.get("keys", "str"))
        model.corpus_count = int(saved.get("corpus_count", 0))
        model.corpus_total_words = int(saved.get("corpus_total_words", 0))
        return model

    def _adopt(self, estimator: Estimator, kind: str) -> None:
        """Take a loaded estimator, its words given back as the keys they were."""
        if kind != "str":
            trained = estimator.vectors_
            words = [UNKNOWN] + restored_keys(trained.words[1:], kind)
            estimator.vectors_ = relabelled(trained, words)
            estimator.vocabulary_ = Vocabulary(words, estimator.vocabulary_.counts)
        self._estimator = estimator
        self._prepare(estimator)


class FastText(Word2Vec):
    """gensim 4's ``FastText``: words with their character n-grams (wordvec's subword engine).

    The parameters are gensim's; ``bucket`` -> ``buckets``, and ``min_n`` / ``max_n`` as they are.
    Keys must be strings. ``wv`` answers any string, in the vocabulary or not.

    Examples
    --------
    >>> model = FastText([["teapot", "teacup"], ["doghouse", "dogfood"]] * 20, vector_size=8, min_count=1,
    ...                  bucket=1000, workers=1)
    >>> "teapots" in model.wv, "teapots" in model.wv.key_to_index, model.wv["teapots"].shape
    (True, False, (8,))
    """

    _engine = "subword"
    _keyed_vectors = FastTextKeyedVectors
    _refused = FASTTEXT_REFUSED

    def __init__(self, sentences=None, corpus_file=None, sg=0, hs=0, vector_size=100, alpha=0.025, window=5,
                 min_count=5, max_vocab_size=None, word_ngrams=1, sample=1e-3, seed=1, workers=3, min_alpha=0.0001,
                 negative=5, ns_exponent=0.75, cbow_mean=1, hashfxn=hash, epochs=5, null_word=0, min_n=3, max_n=6,
                 sorted_vocab=1, bucket=2000000, trim_rule=None, batch_words=MAX_WORDS_IN_BATCH, callbacks=(),
                 max_final_vocab=None, shrink_windows=True):
        self.compute_loss, self.comment = False, None
        self._configure({name: value for name, value in locals().items() if name not in ("self", "sentences",
                                                                                        "corpus_file")})
        if sentences is not None or corpus_file is not None:
            self._train_at_once(sentences, corpus_file)

    def _estimator_params(self) -> dict:
        return {**super()._estimator_params(), "min_n": self.min_n, "max_n": self.max_n, "buckets": self.bucket}

    def _check_keys(self, vocab: Vocabulary) -> None:
        for word in vocab.words[1:]:
            if not isinstance(word, str):
                raise UnsupportedOption(f"FastText: the key {word!r} is not a string: character n-grams need "
                                        "string keys")

    def _check_continuable(self) -> None:
        raise UnsupportedOption("FastText: training further is not supported yet (the subword engine cannot add "
                                "to a run): train a new model on all the text")


#: The models :meth:`Word2Vec.load` reads, by the class name a saved model records.
_MODELS = {"Word2Vec": Word2Vec, "FastText": FastText}


def _source(corpus_iterable, corpus_file) -> tuple:
    """``(corpus_iterable, corpus_file)``, checked as gensim checks them."""
    if corpus_file is None and corpus_iterable is None:
        raise TypeError("Either one of corpus_file or corpus_iterable value must be provided")
    if corpus_file is not None and corpus_iterable is not None:
        raise TypeError("Both corpus_file and corpus_iterable must not be provided at the same time")
    if corpus_iterable is None and not os.path.isfile(corpus_file):
        raise TypeError(f"Parameter corpus_file must be a valid path to a file, got {corpus_file!r} instead")
    return corpus_iterable, corpus_file


def _sentences(source: tuple):
    corpus_iterable, corpus_file = source
    return corpus_iterable if corpus_file is None else LineSentence(corpus_file)


def _same_source(source: tuple, other: tuple | None) -> bool:
    """Whether two corpora are the same: the same object, or the same file."""
    if other is None:
        return False
    if source[1] is not None:
        return other[1] is not None and os.fspath(source[1]) == os.fspath(other[1])
    return source[0] is other[0]
