"""The native engine: word2vec skip-gram and CBOW with negative sampling, hierarchical softmax or
both, on native kernels.

It owns what the algorithm decides: the initial weights, the learning rate
decayed linearly over the whole run, the order each epoch trains the corpus in
(its blocks shuffled afresh every epoch, :mod:`.epoch_order`), the seeds of
every task, and the divergence check. The compiled kernels
(:mod:`wordvec.kernels.training`) train one call's blocks at a time on every thread
(Hogwild).

>>> from wordvec.encoding import encode_documents
>>> vocab, corpus = encode_documents(["tea and coffee and tea"] * 50, num_words=None, min_count=1)
>>> params = dict(NativeEngine.defaults(), dim=8, epochs=1, threads=1)
>>> state = NativeEngine().train(TrainingData(vocab, corpus), params, TrainingCallbacks())
>>> state.input_weights.shape, state.epochs_done
((4, 8), 1)
>>> params.update(hs=True, negative=0)
>>> NativeEngine().train(TrainingData(vocab, corpus), params, TrainingCallbacks()).hs_weights.shape
(2, 8)
"""

from __future__ import annotations

import math

import numpy as np

from ..kernels import backend, training
from ..kernels import tasks as K
from ..encoding.memory import forget_pages, release_free_memory
from ..errors import TrainingError
from ..params import DEFAULT_LR, MODELS, engine_parameters
from .base import Engine, EngineState, TrainingCallbacks, TrainingData, resolve_threads
from .epoch_order import EpochOrder

_WORDS_PER_TASK = 1 << 16


#: Input rows start uniform in +-INITIAL_RANGE / dim. word2vec.c draws in +-0.5/dim, gensim 4 and
#: fastText in +-1/dim; on the benchmark corpus each doubling up to 4 scored higher on WordSim-353
#: and the analogies, on seeds held out, a corpus five times smaller, CBOW and two threads
#: (benchmarks/README.md, "Where the rows start"); 8 lost on the smaller corpus.
INITIAL_RANGE = 4.0


class NativeEngine(Engine):
    """Skip-gram (shared negatives, block updates) or CBOW, on every core."""

    name = "native"
    description = ("word2vec skip-gram or CBOW with negative sampling and/or hierarchical softmax, native "
                   "kernels on every core")
    input = "tokens"
    parameters = engine_parameters("native")
    checkpoints = True
    default_lr = DEFAULT_LR["native"]

    @staticmethod
    def kernels() -> str:
        """The compiled kernels this engine trains with and their vector code (``"c, avx512"``), as
        ``model.json`` records them."""
        return backend()

    def train(self, data: TrainingData, params: dict, callbacks: TrainingCallbacks,
              start: EngineState | None = None) -> EngineState:
        vocab, corpus = data.vocabulary, data.corpus
        state = start if start is not None else self.initial_state(vocab, params)
        state.raw_words = corpus.raw_word_count
        # (a copy only for weights from elsewhere: a checkpoint, a model being updated)
        state.input_weights, state.output_weights = weight_rows(state.input_weights), weight_rows(state.output_weights)
        w_in, w_out = state.input_weights, state.output_weights
        w_in[0] = 0.0  # UNK is never trained: zeroed once, the weights can be published without a copy
        state.hs_weights = node_rows(state, len(vocab), params)
        threads = resolve_threads(params["threads"])
        run = self.make_run(vocab, corpus, params, state)
        release_free_memory()  # what building the run freed, so that it does not add to the peak
        run.warm_up(w_in, w_out)
        first_epoch = state.epochs_done
        callbacks.started(state, (params["epochs"] - first_epoch) * corpus.raw_word_count)
        for epoch in range(first_epoch, params["epochs"]):
            mean_loss = run.epoch(w_in, w_out, epoch, threads, callbacks)
            if not (math.isfinite(mean_loss) and math.isfinite(np.sum(w_in, dtype=np.float64))):
                raise TrainingError(f"training diverged in epoch {epoch + 1} (loss {mean_loss}); "
                                    f"lower the learning rate (lr={run.initial_lr})")
            state.epoch_losses.append(mean_loss)
            callbacks.epoch_finished(epoch + 1, mean_loss, state)
        return state


    def initial_state(self, vocab, params: dict) -> EngineState:
        """Fresh weights: input rows uniform in ``+-INITIAL_RANGE / dim``, output rows zero, and with
        ``hs`` the rows of the tree's inner nodes zero (as word2vec's and gensim's)."""
        rng = np.random.default_rng(params["seed"])
        dim = params["dim"]
        w_in = uniform_weight_rows(rng, len(vocab), dim, INITIAL_RANGE / dim)
        w_out = empty_weight_rows(len(vocab), dim, zeros=True)
        state = EngineState(vocab.words, vocab.counts, w_in, w_out)
        state.hs_weights = node_rows(state, len(vocab), params)
        return state

    def make_run(self, vocab, corpus, params: dict, state: EngineState) -> "Run":
        """The fixed parts of a run over ``corpus``."""
        return Run(vocab, corpus, params, state.hs_weights)


def node_rows(state: EngineState, n_words: int, params: dict) -> np.ndarray | None:
    """The rows of the Huffman tree's inner nodes to train with ``hs`` (``state``'s, laid out for
    the kernels; zeros where it has none, a state saved without ``hs``), else None."""
    if not params.get("hs"):
        return state.hs_weights
    n_nodes, dim = max(n_words - 2, 0), state.input_weights.shape[1]
    if state.hs_weights is None:
        return empty_weight_rows(n_nodes, dim, zeros=True)
    if state.hs_weights.shape != (n_nodes, dim):
        raise TrainingError(f"the hierarchical softmax rows {state.hs_weights.shape} do not fit a vocabulary of "
                            f"{n_words} words ({n_nodes} inner nodes of {dim})")
    return weight_rows(state.hs_weights)


def weight_rows(matrix: np.ndarray) -> np.ndarray:
    """``matrix`` laid out as the kernels train fastest (a copy only where it is not): rows on
    64-byte boundaries (:func:`wordvec.kernels.training.empty_rows`)."""
    return training.aligned_rows(matrix)


def empty_weight_rows(n_rows: int, dim: int, zeros: bool = False) -> np.ndarray:
    """A new float32 matrix laid out as :func:`weight_rows` lays one out (uninitialised, or zeros)."""
    return training.empty_rows(n_rows, dim, zeros)


def uniform_weight_rows(rng: np.random.Generator, n_rows: int, dim: int, bound: float,
                        rows_per_block: int = 1024) -> np.ndarray:
    """float32 rows uniform in ``+-bound``, laid out as :func:`empty_weight_rows` lays them
    out: the numbers of one ``rng.uniform`` call, drawn a block of rows at a time so that
    no float64 copy of the whole matrix is ever held.

    >>> rows = uniform_weight_rows(np.random.default_rng(1), 3, 4, 0.25)
    >>> rows.shape, rows.dtype, bool(np.all(np.abs(rows) <= 0.25))
    ((3, 4), dtype('float32'), True)
    """
    out = empty_weight_rows(n_rows, dim)
    for first in range(0, n_rows, rows_per_block):
        last = min(first + rows_per_block, n_rows)
        out[first:last] = rng.uniform(-bound, bound, (last - first, dim))
    return out


def initial_lr(params: dict, defaults: dict = DEFAULT_LR["native"]) -> float:
    """The starting learning rate: ``lr``, or the default for the model."""
    return float(params["lr"]) if params.get("lr") is not None else defaults[params["model"]]


class Run:
    """One training run's fixed parts: the token stream, the samplers, the schedule.

    Subclasses train other models on the same loop by overriding :meth:`train_chunk`.
    """

    default_lr = DEFAULT_LR["native"]
    #: Negatives are drawn in proportion to count ** noise_power (word2vec's 0.75), unless the
    #: parameters give ``ns_exponent``.
    noise_power = 0.75
    #: The blocks each epoch shuffles (:mod:`.epoch_order`), a task's worth each. Blocks of
    #: 1,024 tokens fitted the benchmark corpus better (pair loss 0.343 against 0.350) but
    #: scored no better on WordSim-353, SimLex-999 or analogies, and trained 4 % slower.
    #: Tasks of four blocks trained 3-5 % faster (fewer calls) but scored 0.43 points lower
    #: on analogies over seeds 1-6.
    block_tokens = _WORDS_PER_TASK

    def __init__(self, vocab, corpus, params: dict, hs_weights: np.ndarray | None = None):
        self.corpus = corpus
        self.params = params
        #: With ``hs``: the tree's inner-node rows (``hs_weights``, trained in place) and every word's
        #: path; None without.
        self.tree = K.Tree(hs_weights, *vocab.huffman_tree()) if params.get("hs") else None
        self.order = EpochOrder(corpus.tokens, corpus.doc_offsets, self.block_tokens)
        accept, alias = vocab.noise_table(self.noise_power if params.get("ns_exponent") is None
                                           else params["ns_exponent"])
        self.sampler = K.Sampler(vocab.keep_probabilities(params["sample"]), accept, alias)
        self.n_tokens = corpus.tokens.shape[0]
        self.raw_per_token = corpus.raw_word_count / self.n_tokens
        self.initial_lr = initial_lr(params, self.default_lr)
        self.schedule = _LinearDecay(self.initial_lr, params["min_lr"], params["epochs"] * self.n_tokens)
        self.model = MODELS.index(params["model"])
        #: Output rows each task copies: as :func:`~wordvec.kernels.training.hot_rows` says (None),
        #: or none where the most frequent words are not much more frequent than the others.
        self.n_hot = None if training.hot_rows_pay(vocab.counts, params["dim"]) else 0

    def settings(self, lr_start: float, lr_end: float) -> K.Settings:
        return K.Settings(self.model, self.params["window"], self.params["negative"], lr_start, lr_end,
                          bool(self.params.get("cbow_mean", True)), bool(self.params.get("shrink_windows", True)))

    def train_chunk(self, weights, stream, settings, tasks) -> None:
        training.train_chunk(weights, stream, self.sampler, settings, tasks, n_hot=self.n_hot, tree=self.tree)

    def warm_up(self, w_in, w_out) -> None:
        """Load the kernels: one task over no tokens trains nothing."""
        empty = K.TokenStream(np.zeros(0, dtype=np.int32), np.zeros(1, dtype=np.int64))
        self.train_chunk(K.Weights(w_in, w_out), empty, self.settings(0.0, 0.0),
                         _make_tasks(0, 1, self.params["seed"], 0, 0))

    def epoch(self, w_in, w_out, epoch: int, threads: int, callbacks: TrainingCallbacks) -> float:
        """Train one epoch; returns its mean loss."""
        weights = K.Weights(w_in, w_out)
        loss, terms = 0.0, 0
        recent = _RecentLoss()
        done = epoch * self.n_tokens
        blocks_per_call = max(1, _WORDS_PER_TASK * threads // self.block_tokens)
        for number, call in enumerate(self.order.calls(blocks_per_call, self.params["seed"], epoch)):
            size = call.n_tokens
            settings = self.settings(self.schedule(done), self.schedule(done + size))
            done += size
            tasks = _make_tasks(size, threads, self.params["seed"], epoch, number)
            self.train_chunk(weights, call.stream, settings, tasks)
            # The whole mapping, not only the call's blocks: reading a block maps the pages
            # around it too (a whole large page-cache folio), which may belong to blocks not yet trained.
            forget_pages(self.corpus.tokens, 0, self.n_tokens)
            chunk_loss, chunk_terms = float(tasks.stats[:, 1].sum()), int(tasks.stats[:, 2].sum())
            loss += chunk_loss
            terms += chunk_terms
            recent.add(chunk_loss, chunk_terms)
            callbacks.advanced(round(size * self.raw_per_token), recent.mean())
        return loss / max(terms, 1)


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


def _make_tasks(n_tokens: int, threads: int, seed: int, epoch: int, call: int) -> K.Tasks:
    """A call's tasks: its ``n_tokens`` tokens split evenly over ``threads``, a seed each."""
    bounds = np.linspace(0, n_tokens, threads + 1).astype(np.int64)
    seeds = np.random.SeedSequence([seed, epoch, call]).generate_state(threads, dtype=np.uint64)
    return K.Tasks(bounds, seeds, np.zeros((threads, 3), dtype=np.float64))
