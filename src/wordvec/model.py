"""The estimator: parameters, fit / update / resume, checkpoints; engines train.

:class:`Word2Vec` reads and encodes the corpus, validates the parameters
against their table (:mod:`wordvec.params`), picks an engine from the registry
(:mod:`wordvec.engines`), and owns the run: its progress bars and clock
(:mod:`wordvec.progress`), the checkpoints and the model directory it saves.
It imports no kernel: how vectors are learned is the engine's business.

>>> from wordvec.readers import default_corpus, iter_documents
>>> model = Word2Vec(dim=16, epochs=1, min_count=2, progress=False).fit(
...     iter_documents(default_corpus()))
>>> model.vectors_.dim, model.vectors_.words[0]
(16, 'UNK')
"""

from __future__ import annotations

import functools
import math
import sys
import time
from typing import Callable, Iterable

import numpy as np

from .threads import resolve_threads
from .encoding import TokenCorpus, encode_documents, remap_tokens
from .engines import Engine, EngineState, TrainingData, engine_names, get_engine
from .errors import CorpusError, ModelFormatError, ParameterError, TrainingInterrupted
from .params import NAMES, check, check_learning_rates, defaults, is_integer, is_number, not_taken
from .progress import ReadingBar, TrainingMonitor
from .vectors import SubwordVectors, Vectors
from .vocab import UNKNOWN, Vocabulary

#: A thread needs at least this many corpus words (of the vocabulary) to train: a run uses
#: fewer threads on a smaller corpus, and says so when ``threads`` was given.
MIN_WORDS_PER_THREAD = 1000


class Word2Vec:
    """Word embeddings by skip-gram or CBOW with negative sampling.

    The parameters' defaults, ranges and engines are declared once, in :mod:`wordvec.params`.

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
        Ignore words seen fewer times (0 and 1 keep every word).
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
        Worker threads, for every engine (at most :data:`wordvec.params.MAX_THREADS`); None uses
        every core. Engines that take tokens use at most one thread per
        :data:`MIN_WORDS_PER_THREAD` words of the corpus.
    seed : int, default=1
        With ``threads=1`` the same seed gives bit-identical vectors.
    engine : str, default="native"
        The trainer, by its name in :data:`wordvec.engines.ENGINES` (``"native"``,
        ``"keras"``). A parameter the engine does not take, set away from its
        default, is refused before any work.
    hs : bool, default=False
        Native engine: hierarchical softmax (a Huffman tree over the vocabulary), alone
        (``negative=0``) or beside negative sampling.
    ns_exponent : float or None, default=None
        Negatives are drawn in proportion to ``count ** ns_exponent``; 0 draws uniformly, a
        negative exponent draws rare words more often (item2vec's -0.5). None: word2vec's 0.75
        (the subword engine: fastText's 0.5).
    cbow_mean : bool, default=True
        Native engine, CBOW: the mean of the context vectors (False: their sum).
    shrink_windows : bool, default=True
        Native engine: draw each centre word's reach from 1..window (False: the whole window).
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
                 engine="native", hs=False, ns_exponent=None, cbow_mean=True, shrink_windows=True, min_n=3,
                 max_n=6, buckets=2_000_000, steps_per_epoch=None, negative_samples=1.0, progress=True):
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
        self.hs = hs
        self.ns_exponent = ns_exponent
        self.cbow_mean = cbow_mean
        self.shrink_windows = shrink_windows
        self.min_n = min_n
        self.max_n = max_n
        self.buckets = buckets
        self.steps_per_epoch = steps_per_epoch
        self.negative_samples = negative_samples
        self.progress = progress

    # -- parameters ---------------------------------------------------------
    def get_params(self) -> dict:
        """The constructor parameters, as given (``progress`` aside)."""
        return {name: getattr(self, name) for name in NAMES}

    @classmethod
    def defaults(cls) -> dict:
        """The default of every parameter, as :meth:`get_params` gives them (:func:`wordvec.params.defaults`).

        >>> Word2Vec.defaults()["dim"]
        128
        """
        return defaults()

    def check_parameters(self) -> Engine:
        """Validate every parameter against its range and the engine; returns the engine.

        Raises :class:`~wordvec.errors.ParameterError` (one line) for a value
        out of range or a parameter the engine does not take.
        """
        values = self.get_params()
        check(values, engine_names())
        engine = get_engine(self.engine)
        refused = not_taken(values, engine.parameters)
        if refused:
            raise ParameterError(f"the {engine.name} engine does not take: {', '.join(refused)}")
        if "min_lr" in engine.parameters:
            check_learning_rates(values, engine.name, engine.default_lr)
        return engine

    def _engine_params(self, engine: Engine) -> dict:
        return {name: getattr(self, name) for name in NAMES if name in engine.parameters}

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
        start = _training_state(self.vectors_, self.output_weights_, self.epoch_losses_,
                                getattr(self, "hs_weights_", None))
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
        reading = ReadingBar(self.progress)
        started = time.perf_counter()
        try:
            encoded = encode_documents(documents, num_words=num_words, min_count=min_count, progress=reading,
                                       threads=self.threads)
        finally:
            reading.close()
        self._reading = time.perf_counter() - started
        if encoded[0].word_to_id.get(UNKNOWN, 0):
            raise CorpusError(f"a token is {UNKNOWN!r}, the name of the row of the words left out; rename that "
                              "token (wordvec.compat.gensim does it for you)")
        return encoded

    def _train(self, engine: Engine, data: TrainingData, callbacks: list,
               start: EngineState | None = None) -> "Word2Vec":
        read_seconds = self.__dict__.pop("_reading", None)
        monitor = TrainingMonitor(self.progress, self.epochs, first_epoch=start.epochs_done if start else 0,
                                  on_epoch=functools.partial(self._epoch_finished, callbacks))
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

    def _epoch_finished(self, callbacks: list, epoch: int, loss: float, state: EngineState | None) -> None:
        """An epoch is done: its vectors published (where the engine gives its state), the callbacks called."""
        if state is not None:
            self._publish(state)
            self.epoch_losses_ = list(state.epoch_losses)
        else:
            self.epoch_losses_.append(loss)
        for callback in callbacks:
            callback(self, epoch, loss)

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
        self.hs_weights_ = state.hs_weights
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
                          hs_weights=getattr(self, "hs_weights_", None),
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
        state = _training_state(saved.vectors, saved.output_weights, losses, saved.hs_weights)
        state.words = model.vocabulary_.words
        model._publish(state)
        model.epoch_losses_ = list(losses)
        raw_words = saved.info.get("raw_words")
        model.raw_word_count_ = raw_words if is_integer(raw_words) and raw_words >= 0 else None
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


def _saved_parameters(cls, directory, saved) -> dict:
    """The parameters a model directory records, checked as :meth:`Word2Vec.check_parameters` checks them."""
    params = {k: v for k, v in saved.params.items() if k in NAMES}
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
    if not isinstance(losses, list) or not all(is_number(x) and math.isfinite(x) for x in losses):
        raise ModelFormatError(f"{directory}: its epoch_losses must be a list of finite numbers")
    done = info.get("epochs_done", len(losses))
    if not is_integer(done) or not 0 <= done <= len(losses):
        raise ModelFormatError(f"{directory}: its epochs_done is {str(done)[:20]}, where the "
                               f"{len(losses)} epoch losses it records allow 0 to {len(losses)}")
    return losses[:done]


def _training_state(vectors: Vectors, output_weights, epoch_losses, hs_weights=None) -> EngineState:
    """A writable training state from saved vectors (the raw rows of subword vectors) and, with
    hierarchical softmax, the rows of the tree's inner nodes."""
    subwords = None
    if isinstance(vectors, SubwordVectors):
        weights = np.concatenate([np.asarray(vectors.word_rows, dtype=np.float32),
                                  np.asarray(vectors.ngram_rows, dtype=np.float32)])
        subwords = {"bucket_rows": np.array(vectors.bucket_rows), "min_n": vectors.min_n, "max_n": vectors.max_n}
    else:
        weights = np.array(vectors.matrix, dtype=np.float32)
    return EngineState(list(vectors.words), vectors.counts, weights, np.array(output_weights, dtype=np.float32),
                       list(epoch_losses), unknown=vectors.unknown, subwords=subwords,
                       hs_weights=None if hs_weights is None else np.array(hs_weights, dtype=np.float32))


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
