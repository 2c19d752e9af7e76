"""The estimator: parameters, fit / update / resume, progress, checkpoints; engines train.

:class:`Word2Vec` reads and encodes the corpus, validates the parameters, picks
an engine from the registry (:mod:`wordvec.engines`), and owns the progress
bar, the timing, the checkpoints and the model directory it saves. It imports
no kernel: how vectors are learned is the engine's business.

>>> from wordvec.readers import default_corpus, iter_documents
>>> model = Word2Vec(dim=16, epochs=1, min_count=2, progress=False).fit(
...     iter_documents(default_corpus()))
>>> model.vectors_.dim, model.vectors_.words[0]
(16, 'UNK')
"""

from __future__ import annotations

import math
import numbers
import sys
import time
from typing import Callable, Iterable

import numpy as np

from .threads import resolve_threads
from .encoding import TokenCorpus, encode_documents, remap_tokens
from .engines import Engine, EngineState, TrainingCallbacks, TrainingData, engine_names, get_engine
from .errors import CorpusError, ModelFormatError, ParameterError, TrainingInterrupted
from .vectors import SubwordVectors, Vectors
from .vocab import Vocabulary

MODELS = ("skipgram", "cbow")
#: The longest character n-gram the subword engine takes.
MAX_NGRAM = 32
#: The most worker threads a run may ask for, on any machine (a fixed bound, so that a
#: command valid on one machine is valid on every other).
MAX_THREADS = 1024
#: A thread needs at least this many corpus words (of the vocabulary) to train: a run uses
#: fewer threads on a smaller corpus, and says so when ``threads`` was given.
MIN_WORDS_PER_THREAD = 1000


class Word2Vec:
    """Word embeddings by skip-gram or CBOW with negative sampling.

    Parameters
    ----------
    dim : int, default=128
        Dimension of the vectors (the tutorial's 128).
    window : int, default=5
        Largest distance between a word and its context; each centre word
        uses a window drawn uniformly from 1..window.
    negative : int, default=5
        Negative samples per centre word, drawn from unigram counts ** 0.75.
    epochs : int, default=5
        Passes over the corpus.
    min_count : int, default=5
        Ignore words seen fewer times.
    num_words : int or None, default=20000
        Keep at most this many words, the most frequent (the tutorial's 20,000).
    sample : float, default=1e-3
        Subsampling threshold for frequent words (0 disables it).
    model : {"skipgram", "cbow"}, default="skipgram"
    lr : float or None, default=None
        Initial learning rate, decayed linearly to ``min_lr``; None means
        0.025 for skip-gram and 0.05 for CBOW (word2vec's defaults).
    min_lr : float, default=1e-4
    threads : int or None, default=None
        Worker threads, for every engine (at most :data:`MAX_THREADS`); None uses
        every core. Engines that take tokens use at most one thread per
        :data:`MIN_WORDS_PER_THREAD` words of the corpus.
    seed : int, default=1
        With ``threads=1`` the same seed gives bit-identical vectors.
    engine : str, default="native"
        The trainer, by its name in :data:`wordvec.engines.ENGINES` (``"native"``,
        ``"keras"``). A parameter the engine does not take, set away from its
        default, is refused before any work.
    min_n, max_n : int, default=3, 6
        Subword engine: shortest and longest character n-gram (fastText's defaults).
    buckets : int, default=2000000
        Subword engine: hash buckets for the n-grams (fastText's default); fewer
        buckets, less memory.
    steps_per_epoch : int or None, default=None
        Keras engine: reviews per epoch (None: all).
    negative_samples : float, default=1.0
        Keras engine: negative couples per positive couple.
    progress : bool, default=True
        Show progress bars on standard error.

    Attributes
    ----------
    vocabulary_ : Vocabulary
        The words trained (tokens engines).
    vectors_ : Vectors
        The word vectors; row 0 is ``UNK`` (all zeros for the native engine:
        words outside the vocabulary are dropped from training, as in
        word2vec). For the native engine its matrix is the training weights
        themselves: a callback that keeps it across epochs should keep a copy.
    output_weights_ : ndarray or None
        The context (output) weights, kept to continue training.
    epoch_losses_ : list of float
        Mean loss of each epoch.
    train_seconds_ : float
        Time spent training (reading excluded).
    read_seconds_ : float or None
        Time spent reading and encoding the corpus (None when
        :meth:`fit_corpus` was given an encoded corpus).
    kernels_ : str or None
        The compiled kernels that trained the model and their vector code
        (``"c, avx512"``: the engine's ``kernels()``); None for engines that
        train with other code (Keras).
    words_per_second_ : float or None
        Raw corpus words processed per second of training (None where the
        engine does not count words).
    raw_word_count_ : int or None
        Corpus words per epoch.
    """

    def __init__(self, dim=128, window=5, negative=5, epochs=5, min_count=5, num_words=20000,
                 sample=1e-3, model="skipgram", lr=None, min_lr=1e-4, threads=None, seed=1,
                 engine="native", min_n=3, max_n=6, buckets=2_000_000, steps_per_epoch=None,
                 negative_samples=1.0, progress=True):
        self.dim = dim
        self.window = window
        self.negative = negative
        self.epochs = epochs
        self.min_count = min_count
        self.num_words = num_words
        self.sample = sample
        self.model = model
        self.lr = lr
        self.min_lr = min_lr
        self.threads = threads
        self.seed = seed
        self.engine = engine
        self.min_n = min_n
        self.max_n = max_n
        self.buckets = buckets
        self.steps_per_epoch = steps_per_epoch
        self.negative_samples = negative_samples
        self.progress = progress

    # -- parameters ---------------------------------------------------------
    _PARAMS = ("dim", "window", "negative", "epochs", "min_count", "num_words", "sample", "model", "lr",
               "min_lr", "threads", "seed", "engine", "min_n", "max_n", "buckets", "steps_per_epoch",
               "negative_samples")

    def get_params(self) -> dict:
        """The constructor parameters, as given (``progress`` aside)."""
        return {name: getattr(self, name) for name in self._PARAMS}

    @classmethod
    def defaults(cls) -> dict:
        """The default of every parameter, as :meth:`get_params` gives them.

        >>> Word2Vec.defaults()["dim"]
        128
        """
        return cls().get_params()

    def check_parameters(self) -> Engine:
        """Validate every parameter against its range and the engine; returns the engine.

        Raises :class:`~wordvec.errors.ParameterError` (one line) for a value
        out of range or a parameter the engine does not take.
        """
        _check_ranges(self)
        engine = get_engine(self.engine)
        defaults = self.defaults()
        refused = sorted(name for name in self._PARAMS
                         if name != "engine" and name not in engine.parameters
                         and not _same(getattr(self, name), defaults[name]))
        if refused:
            raise ParameterError(f"the {engine.name} engine does not take: {', '.join(refused)}")
        _check_learning_rates(self, engine)
        return engine

    def _engine_params(self, engine: Engine) -> dict:
        return {name: getattr(self, name) for name in self._PARAMS if name in engine.parameters}

    # -- training -----------------------------------------------------------
    def fit(self, documents: Iterable[str], callbacks: Iterable[Callable] = ()) -> "Word2Vec":
        """Learn the vocabulary and the vectors from an iterable of texts.

        ``callbacks`` are called as ``callback(model, epoch, mean_loss)`` after
        each epoch; a :class:`Checkpoint` among them also saves a checkpoint
        when training is interrupted (Ctrl-C).
        """
        callbacks = list(callbacks)
        engine = self._check_callbacks(self.check_parameters(), callbacks)
        if engine.input == "texts":
            started = time.perf_counter()
            texts = list(documents)
            if not texts:
                raise CorpusError("the corpus is empty: no documents found")
            if not any(len(text.split(maxsplit=1)) >= 2 for text in texts):
                raise CorpusError(_NO_PAIRS.format(what="the corpus"))
            self._reading = time.perf_counter() - started
            return self._train(engine, TrainingData(texts=texts), callbacks)
        vocab, corpus = self._encode(documents, self.num_words, self.min_count)
        return self.fit_corpus(vocab, corpus, callbacks=callbacks)

    def fit_corpus(self, vocab: Vocabulary, corpus: TokenCorpus, callbacks: Iterable[Callable] = ()) -> "Word2Vec":
        """Train on an already encoded corpus (engines that take tokens)."""
        callbacks = list(callbacks)
        engine = self._check_callbacks(self.check_parameters(), callbacks)
        if engine.input != "tokens":
            raise ParameterError(f"the {engine.name} engine reads texts, not an encoded corpus: use fit()")
        _check_trainable(corpus, "the corpus")
        self.vocabulary_ = vocab
        return self._train(engine, TrainingData(vocab, corpus), callbacks)

    def update(self, documents: Iterable[str], callbacks: Iterable[Callable] = ()) -> "Word2Vec":
        """Train further on new text; words of the new text become part of the vocabulary.

        Every word already known stays (with its vector); new words seen at least
        ``min_count`` times in the new text are added (at most ``num_words`` of
        them), counts add up, and training runs ``epochs`` passes over the new
        text. This is what gensim calls ``build_vocab(update=True)`` then ``train``.

        >>> from wordvec.readers import default_corpus, iter_documents
        >>> first, second = default_corpus()
        >>> model = Word2Vec(dim=8, epochs=1, min_count=2, progress=False).fit(iter_documents(first))
        >>> known = len(model.vectors_)
        >>> len(model.update(iter_documents(second)).vectors_) > known
        True
        """
        engine = self._continuable_engine("update()")
        if isinstance(self.vectors_, SubwordVectors):
            raise ParameterError("update() cannot add words to a subword model yet: train it again on all the text")
        callbacks = list(callbacks)
        self._check_callbacks(engine, callbacks)
        new_vocab, new_corpus = self._encode(documents, None, 1)
        merged, rows_of_old, rows_of_new = self.vocabulary_.merge(new_vocab, self.min_count, self.num_words)
        start = engine.initial_state(merged, dict(self._engine_params(engine), seed=[self.seed, len(merged)]))
        start.input_weights[rows_of_old[1:]] = np.asarray(self.vectors_.matrix)[1:]
        start.output_weights[rows_of_old[1:]] = np.asarray(self.output_weights_)[1:]
        corpus = remap_tokens(new_corpus.tokens, np.diff(new_corpus.doc_offsets), rows_of_new.astype(np.int32))
        _check_trainable(corpus, "the new text")
        self.vocabulary_ = merged
        return self._train(engine, TrainingData(merged, corpus), callbacks, start)

    def resume(self, documents: Iterable[str], callbacks: Iterable[Callable] = ()) -> "Word2Vec":
        """Finish an interrupted run: train the epochs a checkpoint has not done yet.

        Load the checkpoint with :meth:`load`, then pass the same corpus: it is
        read again, must give the same vocabulary, and training goes on from the
        last finished epoch, giving the vectors an uninterrupted run gives.

        >>> model = Word2Vec.load("out/checkpoint", progress=False)      # doctest: +SKIP
        >>> model.resume(iter_documents(sources), [Checkpoint("out/checkpoint")])  # doctest: +SKIP
        """
        engine = self._continuable_engine("resume()")
        if len(self.epoch_losses_) > self.epochs:
            raise ParameterError(f"the checkpoint has done {len(self.epoch_losses_)} epochs, more than the "
                                 f"run's epochs={self.epochs}")
        callbacks = list(callbacks)
        self._check_callbacks(engine, callbacks)
        vocab, corpus = self._encode(documents, self.num_words, self.min_count)
        if vocab.words != self.vocabulary_.words:
            raise CorpusError("the corpus changed since the checkpoint was written (its vocabulary differs)")
        _check_trainable(corpus, "the corpus")
        self.vocabulary_ = vocab
        start = _training_state(self.vectors_, self.output_weights_, self.epoch_losses_)
        start.words, start.counts = vocab.words, vocab.counts
        return self._train(engine, TrainingData(vocab, corpus), callbacks, start)

    def _continuable_engine(self, what: str) -> Engine:
        if not hasattr(self, "vocabulary_") or getattr(self, "output_weights_", None) is None:
            raise ParameterError(f"{what} needs a trained model: call fit() or Word2Vec.load() first")
        engine = self.check_parameters()
        if not engine.checkpoints:
            raise ParameterError(f"the {engine.name} engine cannot continue training")
        return engine

    def _check_callbacks(self, engine: Engine, callbacks: list) -> Engine:
        if not engine.checkpoints and any(isinstance(c, Checkpoint) for c in callbacks):
            raise ParameterError(f"the {engine.name} engine cannot save checkpoints")
        return engine

    def _encode(self, documents, num_words, min_count):
        """The vocabulary and the encoded corpus; the seconds of reading are kept for :meth:`_train`."""
        reading = _ReadingBar(self.progress)
        started = time.perf_counter()
        try:
            encoded = encode_documents(documents, num_words=num_words, min_count=min_count, progress=reading,
                                       threads=self.threads)
        finally:
            reading.close()
        self._reading = time.perf_counter() - started
        return encoded

    def _train(self, engine: Engine, data: TrainingData, callbacks: list,
               start: EngineState | None = None) -> "Word2Vec":
        read_seconds = self.__dict__.pop("_reading", None)
        monitor = _Monitor(self, callbacks, first_epoch=start.epochs_done if start else 0)
        self.epoch_losses_ = list(start.epoch_losses) if start else []
        params = self._engine_params(engine)
        if data.corpus is not None and "threads" in params:
            params["threads"] = self._threads_for(data.corpus)
        try:
            state = engine.train(data, params, monitor, start)
        except KeyboardInterrupt:
            monitor.close()
            self._checkpoint_interrupted(monitor.live, callbacks)
            raise
        finally:
            monitor.close()
        self._publish(state)
        self.epoch_losses_ = list(state.epoch_losses)
        self.train_seconds_ = monitor.seconds()
        self.read_seconds_ = read_seconds
        self.kernels_ = engine.kernels() if hasattr(engine, "kernels") else None
        self.raw_word_count_ = state.raw_words
        epochs_run = state.epochs_done - monitor.first_epoch
        self.words_per_second_ = (epochs_run * state.raw_words / max(self.train_seconds_, 1e-9)
                                  if state.raw_words else None)
        return self

    def _threads_for(self, corpus: TokenCorpus) -> int | None:
        """The threads a run on ``corpus`` uses: ``threads``, or fewer where the corpus cannot
        feed them (:data:`MIN_WORDS_PER_THREAD` words each); a reduction of a number the user
        gave is said on standard error."""
        wanted = resolve_threads(self.threads)
        fed = max(1, int(corpus.tokens.shape[0]) // MIN_WORDS_PER_THREAD)
        if wanted <= fed:
            return self.threads
        if self.threads is not None and self.progress:
            from tqdm.auto import tqdm

            tqdm.write(f"wordvec: training on {fed} thread{'s' * (fed > 1)}, not {wanted}: the corpus has "
                       f"{corpus.tokens.shape[0]:,} words to train, and a thread needs at least "
                       f"{MIN_WORDS_PER_THREAD:,}", file=sys.stderr)
        return fed

    def _checkpoint_interrupted(self, live: EngineState | None, callbacks: list) -> None:
        checkpoint = next((c for c in callbacks if isinstance(c, Checkpoint)), None)
        if checkpoint is None or live is None:
            return
        self._publish(live)
        self.epoch_losses_ = list(live.epoch_losses)
        checkpoint.save(self)
        raise TrainingInterrupted(f"interrupted in epoch {live.epochs_done + 1}; checkpoint saved in "
                                  f"{checkpoint.directory}") from None

    def _publish(self, state: EngineState) -> None:
        # No copy: between epochs the trained weights are the vectors (as in gensim),
        # which keeps one matrix of the size of the model out of the peak memory.
        if state.subwords is not None:
            n = len(state.words)
            self.vectors_ = SubwordVectors(state.words, state.input_weights[:n], state.input_weights[n:],
                                           state.subwords["bucket_rows"], min_n=state.subwords["min_n"],
                                           max_n=state.subwords["max_n"], counts=state.counts,
                                           unknown=state.unknown)
        else:
            self.vectors_ = Vectors(state.words, state.input_weights, counts=state.counts, unknown=state.unknown)
        self.output_weights_ = state.output_weights
        if not hasattr(self, "vocabulary_") or self.vocabulary_.words is not state.words:
            self.vocabulary_ = Vocabulary(state.words, state.counts if state.counts is not None
                                          else np.zeros(len(state.words), dtype=np.int64))

    # -- persistence --------------------------------------------------------
    def training_record(self) -> dict:
        """What a model directory records of the training: losses, epochs, words, speed, and the
        seconds of the last run's reading and training, and the kernels that trained it."""
        return {"epoch_losses": list(getattr(self, "epoch_losses_", [])),
                "epochs_done": len(getattr(self, "epoch_losses_", [])),
                "raw_words": getattr(self, "raw_word_count_", None),
                "train_seconds": getattr(self, "train_seconds_", None),
                "words_per_second": getattr(self, "words_per_second_", None),
                "read_seconds": getattr(self, "read_seconds_", None),
                "kernels": getattr(self, "kernels_", None)}

    def save(self, directory, extra_info: dict | None = None):
        """Write the model directory: vectors, vocabulary, output weights, parameters and
        :meth:`training_record`, plus ``extra_info`` (the corpus it was read from, say).

        Returns the directory.
        """
        from .formats import save_model

        engine = get_engine(self.engine)
        return save_model(directory, self.vectors_, params=self._engine_params(engine), engine=engine.name,
                          output_weights=getattr(self, "output_weights_", None),
                          info={**self.training_record(), **(extra_info or {})})

    @classmethod
    def load(cls, directory, **overrides) -> "Word2Vec":
        """A trained estimator from a model directory (or checkpoint), ready for
        :meth:`update` or :meth:`resume`.

        ``overrides`` replace saved parameters (``epochs=2``, ``progress=False``...).
        """
        from .formats import load_model

        saved = load_model(directory)
        params = _saved_parameters(cls, directory, saved)
        if saved.output_weights is None or not get_engine(saved.engine).checkpoints:
            raise ModelFormatError(f"{directory}: a {saved.engine} model without output weights "
                                   "cannot be trained further")
        if "buckets" in get_engine(saved.engine).parameters and not isinstance(saved.vectors, SubwordVectors):
            raise ModelFormatError(f"{directory}: this {saved.engine} model was saved without its n-gram rows "
                                   "(by an earlier wordvec) and cannot be trained further; train it again")
        losses = _saved_epoch_losses(directory, saved.info)
        model = cls(**{**params, **overrides})
        model.vocabulary_ = Vocabulary(saved.vectors.words, saved.vectors.counts)
        state = _training_state(saved.vectors, saved.output_weights, losses)
        state.words = model.vocabulary_.words
        model._publish(state)
        model.epoch_losses_ = list(losses)
        raw_words = saved.info.get("raw_words")
        model.raw_word_count_ = raw_words if _is_int(raw_words) and raw_words >= 0 else None
        return model


class Checkpoint:
    """A callback that saves the model every ``every`` epochs, and on Ctrl-C.

    >>> model = Word2Vec(epochs=4, progress=False)                         # doctest: +SKIP
    >>> model.fit(documents, callbacks=[Checkpoint("ckpt", every=2)])     # doctest: +SKIP
    """

    def __init__(self, directory, every: int = 1, extra_info: dict | None = None):
        if not isinstance(every, int) or isinstance(every, bool) or every < 1:
            raise ParameterError.out_of_range("every", every, "an integer of at least 1")
        self.directory = directory
        self.every = every
        self.extra_info = extra_info

    def __call__(self, model: "Word2Vec", epoch: int, loss: float) -> None:
        if epoch % self.every == 0:
            self.save(model)

    def save(self, model: "Word2Vec") -> None:
        model.save(self.directory, self.extra_info)


class _Monitor(TrainingCallbacks):
    """The estimator's side of the engine callbacks: progress bar, clock, epoch callbacks.

    The clock and the bar start when the engine calls :meth:`started`, after its setup
    and warm-up.
    """

    def __init__(self, model: Word2Vec, callbacks: list, first_epoch: int):
        self.model = model
        self.callbacks = callbacks
        self.first_epoch = first_epoch
        self.epoch = first_epoch + 1
        self.live = None
        self.bar = None
        self.started_at = None
        self.ended_at = None

    def started(self, state, total: int, unit: str = "word") -> None:
        self.live = state
        self.started_at = time.perf_counter()
        if self.model.progress:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, unit=unit, unit_scale=True, smoothing=0.1, dynamic_ncols=True)

    def advanced(self, done: int, loss: float) -> None:
        if self.bar is not None:
            self.bar.set_description(f"epoch {self.epoch}/{self.model.epochs}")
            self.bar.set_postfix_str(f"loss={loss:.4f}", refresh=False)
            self.bar.update(done)

    def epoch_finished(self, epoch: int, loss: float, state) -> None:
        self.epoch = epoch + 1
        if state is not None:
            self.model._publish(state)
            self.model.epoch_losses_ = list(state.epoch_losses)
        else:
            self.model.epoch_losses_.append(loss)
        for callback in self.callbacks:
            callback(self.model, epoch, loss)

    def note(self, text: str) -> None:
        if self.model.progress:
            from tqdm.auto import tqdm

            tqdm.write(text.rstrip("\n"), file=sys.stdout)

    def seconds(self) -> float:
        if self.started_at is None:
            return 0.0
        return (self.ended_at or time.perf_counter()) - self.started_at

    def close(self) -> None:
        if self.ended_at is None and self.started_at is not None:
            self.ended_at = time.perf_counter()
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _saved_parameters(cls, directory, saved) -> dict:
    """The parameters a model directory records, checked as :meth:`Word2Vec.check_parameters` checks them."""
    params = {k: v for k, v in saved.params.items() if k in cls._PARAMS}
    params["engine"] = saved.engine
    try:
        cls(**params).check_parameters()
    except ParameterError as err:
        raise ModelFormatError(f"{directory}: its saved parameters are not valid: {err}") from None
    if params.get("dim", saved.vectors.dim) != saved.vectors.dim:
        raise ModelFormatError(f"{directory}: its parameters say dim={params['dim']!r}, but its vectors "
                               f"have {saved.vectors.dim} dimensions")
    return params


def _saved_epoch_losses(directory, info: dict) -> list:
    """The losses of the epochs a model directory (or checkpoint) records as done, checked."""
    losses = info.get("epoch_losses", [])
    if not isinstance(losses, list) or not all(_is_number(x) and math.isfinite(x) for x in losses):
        raise ModelFormatError(f"{directory}: its epoch_losses must be a list of finite numbers")
    done = info.get("epochs_done", len(losses))
    if not _is_int(done) or not 0 <= done <= len(losses):
        raise ModelFormatError(f"{directory}: its epochs_done is {str(done)[:20]}, where the "
                               f"{len(losses)} epoch losses it records allow 0 to {len(losses)}")
    return losses[:done]


def _training_state(vectors: Vectors, output_weights, epoch_losses) -> EngineState:
    """A writable training state from saved vectors (the raw rows of subword vectors)."""
    subwords = None
    if isinstance(vectors, SubwordVectors):
        weights = np.concatenate([np.asarray(vectors.word_rows, dtype=np.float32),
                                  np.asarray(vectors.ngram_rows, dtype=np.float32)])
        subwords = {"bucket_rows": np.array(vectors.bucket_rows), "min_n": vectors.min_n, "max_n": vectors.max_n}
    else:
        weights = np.array(vectors.matrix, dtype=np.float32)
    return EngineState(list(vectors.words), vectors.counts, weights, np.array(output_weights, dtype=np.float32),
                       list(epoch_losses), unknown=vectors.unknown, subwords=subwords)


def _same(value, default) -> bool:
    return value is default or (type(value) is type(default) and value == default) or (
        isinstance(value, numbers.Number) and isinstance(default, numbers.Number)
        and not isinstance(value, bool) and value == default)


_NO_PAIRS = ("no training pairs: every document of {what} has fewer than 2 words in the vocabulary (a word "
             "learns only from neighbours in its own document); join short lines into documents, or lower min_count")


def _check_trainable(corpus: TokenCorpus, what: str, rows_at_once: int = 1 << 20) -> None:
    """Refuse a corpus without one training pair: no document with 2 words of the vocabulary.

    (Read a block of document offsets at a time: the first block nearly always answers.)
    """
    offsets = corpus.doc_offsets
    for first in range(0, max(offsets.shape[0] - 1, 0), rows_at_once):
        block = np.asarray(offsets[first:first + rows_at_once + 1])
        if np.any(block[1:] - block[:-1] >= 2):
            return
    raise CorpusError(_NO_PAIRS.format(what=what))


def _check_learning_rates(model: Word2Vec, engine: Engine) -> None:
    """Refuse ``min_lr`` above the starting learning rate (``lr``, or the engine's default)."""
    if "min_lr" not in engine.parameters:
        return
    if model.lr is not None:
        start, whose = model.lr, ""
    elif engine.default_lr is not None and model.model in engine.default_lr:
        start, whose = engine.default_lr[model.model], f" (the {engine.name} engine's default for {model.model})"
    else:
        return
    if model.min_lr > start:
        raise ParameterError(f"min_lr={float(model.min_lr)!r} is above lr={float(start)!r}{whose}: the learning "
                             "rate decays from lr down to min_lr; give a smaller min_lr or a larger lr")


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _check_ranges(model: Word2Vec) -> None:
    def need(name, ok, valid):
        if not ok:
            raise ParameterError.out_of_range(name, getattr(model, name), valid)

    m = model
    need("dim", _is_int(m.dim) and 1 <= m.dim <= 10000, "an integer from 1 to 10000")
    need("window", _is_int(m.window) and 1 <= m.window <= 1000, "an integer from 1 to 1000")
    need("negative", _is_int(m.negative) and 0 <= m.negative <= 1000, "an integer from 0 to 1000")
    need("epochs", _is_int(m.epochs) and m.epochs >= 1, "an integer of at least 1")
    need("min_count", _is_int(m.min_count) and m.min_count >= 1, "an integer of at least 1")
    need("num_words", m.num_words is None or (_is_int(m.num_words) and m.num_words >= 2),
         "an integer of at least 2, or None for no limit")
    need("sample", _is_number(m.sample) and 0 <= m.sample < 1, "a number in [0, 1)")
    need("model", m.model in MODELS, " or ".join(MODELS))
    need("lr", m.lr is None or (_is_number(m.lr) and 0 < m.lr <= 10), "a number in (0, 10]")
    need("min_lr", _is_number(m.min_lr) and math.isfinite(m.min_lr) and m.min_lr >= 0, "a finite number >= 0")
    need("threads", m.threads is None or (_is_int(m.threads) and m.threads >= 1), "an integer of at least 1")
    need("threads", m.threads is None or m.threads <= MAX_THREADS,
         f"at most {MAX_THREADS} (more threads than any machine feeds)")
    need("seed", _is_int(m.seed) and m.seed >= 0, "an integer >= 0")
    need("engine", isinstance(m.engine, str) and m.engine in engine_names(), " or ".join(engine_names()))
    need("min_n", _is_int(m.min_n) and 1 <= m.min_n <= MAX_NGRAM, f"an integer from 1 to {MAX_NGRAM}")
    need("max_n", _is_int(m.max_n) and 1 <= m.max_n <= MAX_NGRAM, f"an integer from 1 to {MAX_NGRAM}")
    if m.min_n > m.max_n:
        raise ParameterError(f"min_n={m.min_n} is larger than max_n={m.max_n}: n-grams run from min_n to max_n")
    need("buckets", _is_int(m.buckets) and 1 <= m.buckets <= 2**31 - 1, "an integer from 1 to 2147483647")
    need("steps_per_epoch", m.steps_per_epoch is None or (_is_int(m.steps_per_epoch) and m.steps_per_epoch >= 1),
         "an integer of at least 1, or None for every review")
    need("negative_samples", _is_number(m.negative_samples) and math.isfinite(m.negative_samples)
         and m.negative_samples >= 0, "a finite number >= 0")


class _ReadingBar:
    """Counts words while the corpus is read; call it per document, close it at the end.

    The bar appears with the first words read, so an input rejected up front
    prints nothing but its error.
    """

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar = None
        self.pending = 0

    def __call__(self, n_words: int) -> None:
        self.pending += n_words
        if self.enabled and self.pending >= 50_000:
            self._flush()

    def _flush(self) -> None:
        if self.bar is None:
            from tqdm.auto import tqdm

            self.bar = tqdm(unit="word", unit_scale=True, desc="reading", dynamic_ncols=True, mininterval=0.5)
        self.bar.update(self.pending)
        self.pending = 0

    def close(self) -> None:
        if self.enabled and (self.bar is not None or self.pending):
            self._flush()
            self.bar.close()
