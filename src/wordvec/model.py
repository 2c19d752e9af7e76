"""The native word2vec estimator: owns epochs, learning-rate decay, seeding and progress.

>>> from wordvec.corpus import default_corpus, iter_documents
>>> model = Word2Vec(dim=16, epochs=1, min_count=2, progress=False).fit(
...     iter_documents(default_corpus()))
>>> model.vectors_.dim, model.vectors_.words[0]
(16, 'UNK')
"""

from __future__ import annotations

import math
import os
import time
from typing import Callable, Iterable

import numpy as np

from . import _kernels as K
from .encode import TokenCorpus, encode_documents, forget_pages, remap_tokens
from .errors import CorpusError, ParameterError, TrainingError
from .vectors import Vectors
from .vocab import Vocabulary

MODELS = ("skipgram", "cbow")
_WORDS_PER_TASK = 1 << 16


class Word2Vec:
    """Word embeddings by skip-gram or CBOW with negative sampling, trained on the CPU.

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
        Worker threads (Hogwild); None uses every core.
    seed : int, default=1
        With ``threads=1`` the same seed gives bit-identical vectors.
    progress : bool, default=True
        Show a progress bar on standard error.

    Attributes
    ----------
    vocabulary_ : Vocabulary
    vectors_ : Vectors
        The word vectors; row 0 is ``UNK`` (all zeros: words outside the
        vocabulary are dropped from training, as in word2vec). Its matrix is
        the training weights themselves: a callback that keeps it across
        epochs should keep a copy.
    output_weights_ : ndarray
        The context (output) weights, kept to continue training.
    epoch_losses_ : list of float
        Mean loss of each epoch.
    train_seconds_ : float
        Time spent in the training loop.
    words_per_second_ : float
        Raw corpus words processed per second of training.
    """

    def __init__(self, dim=128, window=5, negative=5, epochs=5, min_count=5, num_words=20000,
                 sample=1e-3, model="skipgram", lr=None, min_lr=1e-4, threads=None, seed=1,
                 progress=True):
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
        self.progress = progress

    # -- parameters ---------------------------------------------------------
    def get_params(self) -> dict:
        """The constructor parameters, as given."""
        names = ("dim", "window", "negative", "epochs", "min_count", "num_words", "sample",
                 "model", "lr", "min_lr", "threads", "seed")
        return {name: getattr(self, name) for name in names}

    def _validate(self) -> None:
        def need(name, ok, valid):
            if not ok:
                raise ParameterError.out_of_range(name, getattr(self, name), valid)

        def is_int(v):
            return isinstance(v, (int, np.integer)) and not isinstance(v, bool)

        need("dim", is_int(self.dim) and 1 <= self.dim <= 10000, "an integer from 1 to 10000")
        need("window", is_int(self.window) and 1 <= self.window <= 1000, "an integer from 1 to 1000")
        need("negative", is_int(self.negative) and 0 <= self.negative <= 1000, "an integer from 0 to 1000")
        need("epochs", is_int(self.epochs) and self.epochs >= 1, "an integer of at least 1")
        need("min_count", is_int(self.min_count) and self.min_count >= 1, "an integer of at least 1")
        need("num_words", self.num_words is None or (is_int(self.num_words) and self.num_words >= 2),
             "an integer of at least 2, or None for no limit")
        need("sample", isinstance(self.sample, (int, float)) and 0 <= self.sample < 1, "a number in [0, 1)")
        need("model", self.model in MODELS, " or ".join(MODELS))
        need("lr", self.lr is None or (isinstance(self.lr, (int, float)) and 0 < self.lr <= 10),
             "a number in (0, 10]")
        need("min_lr", isinstance(self.min_lr, (int, float)) and self.min_lr >= 0, "a number >= 0")
        need("threads", self.threads is None or (is_int(self.threads) and self.threads >= 1),
             "an integer of at least 1")
        need("seed", is_int(self.seed) and self.seed >= 0, "an integer >= 0")

    @property
    def initial_lr(self) -> float:
        if self.lr is not None:
            return float(self.lr)
        return 0.025 if self.model == "skipgram" else 0.05

    # -- training -----------------------------------------------------------
    def fit(self, documents: Iterable[str], callbacks: Iterable[Callable] = ()) -> "Word2Vec":
        """Learn the vocabulary and the vectors from an iterable of texts.

        ``callbacks`` are called as ``callback(model, epoch, mean_loss)`` after each epoch.
        """
        self._validate()
        reading = _ReadingBar(self.progress)
        try:
            vocab, corpus = encode_documents(documents, num_words=self.num_words,
                                             min_count=self.min_count, progress=reading)
        finally:
            reading.close()
        return self.fit_corpus(vocab, corpus, callbacks=callbacks)

    def fit_corpus(self, vocab: Vocabulary, corpus: TokenCorpus, callbacks: Iterable[Callable] = ()) -> "Word2Vec":
        """Train on an already encoded corpus."""
        self._validate()
        if corpus.tokens.shape[0] < 2:
            raise CorpusError("the corpus has fewer than 2 words in the vocabulary: nothing to learn")
        rng = np.random.default_rng(self.seed)
        w_in = ((rng.random((len(vocab), self.dim), dtype=np.float32) - 0.5) / self.dim).astype(np.float32)
        w_out = np.zeros((len(vocab), self.dim), dtype=np.float32)
        self.vocabulary_ = vocab
        self._train(w_in, w_out, corpus, list(callbacks))
        return self

    def update(self, documents: Iterable[str], callbacks: Iterable[Callable] = ()) -> "Word2Vec":
        """Train further on new text; words of the new text become part of the vocabulary.

        Every word already known stays (with its vector); new words seen at least
        ``min_count`` times in the new text are added (at most ``num_words`` of
        them), counts add up, and training runs ``epochs`` passes over the new
        text. This is what gensim calls ``build_vocab(update=True)`` then ``train``.

        >>> from wordvec.corpus import default_corpus, iter_documents
        >>> first, second = default_corpus()
        >>> model = Word2Vec(dim=8, epochs=1, min_count=2, progress=False).fit(iter_documents(first))
        >>> known = len(model.vectors_)
        >>> len(model.update(iter_documents(second)).vectors_) > known
        True
        """
        if not hasattr(self, "vocabulary_"):
            raise ParameterError("update() needs a trained model: call fit() or Word2Vec.load() first")
        self._validate()
        reading = _ReadingBar(self.progress)
        try:
            new_vocab, new_corpus = encode_documents(documents, num_words=None, min_count=1, progress=reading)
        finally:
            reading.close()
        merged, rows_of_old, rows_of_new = self.vocabulary_.merge(new_vocab, self.min_count, self.num_words)
        rng = np.random.default_rng([self.seed, len(merged)])
        w_in = ((rng.random((len(merged), self.dim), dtype=np.float32) - 0.5) / self.dim).astype(np.float32)
        w_out = np.zeros_like(w_in)
        w_in[rows_of_old[1:]] = np.asarray(self.vectors_.matrix)[1:]
        w_out[rows_of_old[1:]] = np.asarray(self.output_weights_)[1:]
        corpus = remap_tokens(new_corpus.tokens, np.diff(new_corpus.doc_offsets), rows_of_new.astype(np.int32))
        if corpus.tokens.shape[0] < 2:
            raise CorpusError("the new text has fewer than 2 words in the vocabulary: nothing to learn")
        self.vocabulary_ = merged
        self._train(w_in, w_out, corpus, list(callbacks))
        return self

    # -- persistence --------------------------------------------------------
    def save(self, directory, extra_info: dict | None = None, live: bool = False) -> None:
        """Write the model directory (vectors, vocabulary, output weights, parameters).

        ``live`` saves the weights as they are right now, mid-epoch (for a
        checkpoint on interruption) instead of as of the last finished epoch.
        """
        from .io import save_model

        if live and hasattr(self, "_live_weights"):
            self._publish(*self._live_weights)
        info = {"epoch_losses": getattr(self, "epoch_losses_", []),
                "epochs_done": len(getattr(self, "epoch_losses_", [])),
                "raw_words": getattr(self, "raw_word_count_", None), **(extra_info or {})}
        save_model(directory, self.vectors_, params=self.get_params(), engine="native",
                   output_weights=self.output_weights_, info=info)

    @classmethod
    def load(cls, directory, **overrides) -> "Word2Vec":
        """A trained estimator from a model directory, ready for :meth:`update`.

        ``overrides`` replace saved parameters (``epochs=2``, ``progress=False``...).
        """
        from .errors import ModelFormatError
        from .io import load_model

        saved = load_model(directory)
        if saved.engine != "native" or saved.output_weights is None:
            raise ModelFormatError(f"{directory}: a {saved.engine} model without output weights "
                                   "cannot be trained further by the native engine")
        names = cls().get_params()
        params = {k: v for k, v in saved.params.items() if k in names}
        model = cls(**{**params, **overrides})
        model.vocabulary_ = Vocabulary(saved.vectors.words, saved.vectors.counts)
        model._publish(np.array(saved.vectors.matrix), np.array(saved.output_weights))
        model.epoch_losses_ = list(saved.info.get("epoch_losses", []))
        return model

    def _train(self, w_in, w_out, corpus: TokenCorpus, callbacks, first_epoch: int = 0,
               previous_losses=()) -> None:
        vocab = self.vocabulary_
        threads = _set_threads(self.threads)
        weights = K.Weights(w_in, w_out)
        stream = K.TokenStream(corpus.tokens, corpus.doc_offsets)
        accept, alias = vocab.noise_table()
        sampler = K.Sampler(vocab.keep_probabilities(self.sample), accept, alias)
        n_tokens = corpus.tokens.shape[0]
        raw_per_token = corpus.raw_word_count / n_tokens
        schedule = _LinearDecay(self.initial_lr, self.min_lr, self.epochs * n_tokens)
        bar = _training_bar(self.progress, (self.epochs - first_epoch) * corpus.raw_word_count)
        self.epoch_losses_ = list(previous_losses)
        w_in[0] = 0.0  # UNK is never trained: zeroed once, w_in can be published without a copy
        self._live_weights = (w_in, w_out)
        # Load (or compile) the kernel before the clock starts: one task over no tokens trains nothing.
        K.train_chunk(weights, stream, sampler, K.Settings(MODELS.index(self.model), self.window, self.negative,
                                                           0.0, 0.0), _make_tasks(0, 0, 1, self.seed, 0, 0))
        started = time.perf_counter()
        try:
            for epoch in range(first_epoch, self.epochs):
                loss, terms = 0.0, 0
                recent = _RecentLoss()
                for call, (start, end) in enumerate(_chunks(n_tokens, threads)):
                    done = epoch * n_tokens + start
                    settings = K.Settings(MODELS.index(self.model), self.window, self.negative,
                                          schedule(done), schedule(done + end - start))
                    tasks = _make_tasks(start, end, threads, self.seed, epoch, call)
                    K.train_chunk(weights, stream, sampler, settings, tasks)
                    forget_pages(corpus.tokens, start, end)
                    chunk_loss, chunk_terms = float(tasks.stats[:, 1].sum()), int(tasks.stats[:, 2].sum())
                    loss += chunk_loss
                    terms += chunk_terms
                    recent.add(chunk_loss, chunk_terms)
                    if bar is not None:
                        bar.set_description(f"epoch {epoch + 1}/{self.epochs}")
                        bar.set_postfix_str(f"loss={recent.mean():.4f}", refresh=False)
                        bar.update(round((end - start) * raw_per_token))
                mean_loss = loss / max(terms, 1)
                if not (math.isfinite(mean_loss) and math.isfinite(np.sum(w_in, dtype=np.float64))):
                    raise TrainingError(
                        f"training diverged in epoch {epoch + 1} (loss {mean_loss}); "
                        f"lower the learning rate (lr={self.initial_lr})")
                self.epoch_losses_.append(mean_loss)
                self._publish(w_in, w_out)
                for callback in callbacks:
                    callback(self, epoch + 1, mean_loss)
        finally:
            if bar is not None:
                bar.close()
        self.train_seconds_ = time.perf_counter() - started
        self.words_per_second_ = ((self.epochs - first_epoch) * corpus.raw_word_count
                                  / max(self.train_seconds_, 1e-9))
        self.raw_word_count_ = corpus.raw_word_count

    def _publish(self, w_in, w_out) -> None:
        # No copy: between epochs the trained weights are the vectors (as in gensim),
        # which keeps one matrix of the size of the model out of the peak memory.
        self.vectors_ = Vectors(self.vocabulary_.words, w_in, counts=self.vocabulary_.counts, unknown="UNK")
        self.output_weights_ = w_out


class Checkpoint:
    """A callback that saves the model every ``every`` epochs.

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
            model.save(self.directory, self.extra_info)


class _LinearDecay:
    """Learning rate at a position of the whole run, from ``start`` down to ``end``."""

    def __init__(self, start: float, end: float, total: int):
        self.start, self.end, self.total = start, min(end, start), max(total, 1)

    def __call__(self, position: int) -> float:
        return self.start - (self.start - self.end) * min(position / self.total, 1.0)


class _RecentLoss:
    """Mean loss over the last few chunks (about a million updates: the kernel computes
    the loss of one update in ``K.LOSS_EVERY``, so ``horizon`` counts those)."""

    def __init__(self, horizon: int = 1_000_000 // K.LOSS_EVERY):
        self.items: list[tuple[float, int]] = []
        self.horizon = horizon

    def add(self, loss: float, terms: int) -> None:
        self.items.append((loss, terms))
        while len(self.items) > 1 and sum(t for _, t in self.items[1:]) >= self.horizon:
            self.items.pop(0)

    def mean(self) -> float:
        terms = sum(t for _, t in self.items)
        return sum(loss for loss, _ in self.items) / terms if terms else float("nan")


def _chunks(n_tokens: int, threads: int):
    step = _WORDS_PER_TASK * threads
    for start in range(0, n_tokens, step):
        yield start, min(start + step, n_tokens)


def _make_tasks(start: int, end: int, threads: int, seed: int, epoch: int, call: int) -> K.Tasks:
    bounds = np.linspace(start, end, threads + 1).astype(np.int64)
    seeds = np.random.SeedSequence([seed, epoch, call]).generate_state(threads, dtype=np.uint64)
    return K.Tasks(bounds, seeds, np.zeros((threads, 3), dtype=np.float64))


def _set_threads(threads: int | None) -> int:
    import numba

    available = numba.config.NUMBA_NUM_THREADS
    wanted = os.cpu_count() or 1 if threads is None else threads
    wanted = max(1, min(wanted, available))
    numba.set_num_threads(wanted)
    return wanted


def _training_bar(enabled: bool, total: int):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="word", unit_scale=True, smoothing=0.1, dynamic_ncols=True)


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
