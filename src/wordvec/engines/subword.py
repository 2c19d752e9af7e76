"""The subword engine: fastText's skip-gram and CBOW, where a word is the mean of its pieces.

A word's input vector is the mean of its own row and the rows of its character
n-grams (``min_n`` to ``max_n`` characters of ``<word>``, hashed into
``buckets`` as fastText hashes them, :mod:`wordvec.subwords`). Only the
buckets that some vocabulary word's n-grams fall into are held while training
(``bucket_rows`` maps a bucket to its row); the others would never be updated.
The training loop, schedule and threads are the native engine's; the kernels
are the compiled subword kernels (:func:`wordvec.kernels.training.train_subword_chunk`).

>>> from wordvec.encoding import encode_documents
>>> vocab, corpus = encode_documents(["tea and coffee and tea"] * 50, num_words=None, min_count=1)
>>> params = dict(SubwordEngine.defaults(), dim=8, epochs=1, threads=1, buckets=1000)
>>> state = SubwordEngine().train(TrainingData(vocab, corpus), params, TrainingCallbacks())
>>> state.subwords["min_n"], state.input_weights.shape[0] > len(vocab)
(3, True)
"""

from __future__ import annotations

import numpy as np

from ..kernels import tasks as K
from ..kernels import training
from ..params import DEFAULT_LR, engine_parameters
from ..subwords import ngram_hash_table
from .base import EngineState, TrainingCallbacks, TrainingData  # noqa: F401  (the doctest uses them)
from .epoch_order import BLOCK_TOKENS
from .native import NativeEngine, Run, empty_weight_rows, uniform_weight_rows


class SubwordEngine(NativeEngine):
    """Skip-gram or CBOW on subword pieces, shared negatives per window, every core."""

    name = "subword"
    description = ("fastText-style subword vectors (character n-grams): every word gets a vector, "
                   "known or not")
    parameters = engine_parameters("subword")
    checkpoints = True
    default_lr = DEFAULT_LR["subword"]  # fastText's

    def initial_state(self, vocab, params: dict) -> EngineState:
        """Word rows and the rows of every bucket the vocabulary uses, uniform in +-1/dim
        (fastText's); output rows zero."""
        hashes = _vocabulary_ngrams(vocab.words, params)[1]
        used = np.unique(hashes)
        bucket_rows = np.full(params["buckets"], -1, dtype=np.int32)
        bucket_rows[used] = np.arange(used.shape[0], dtype=np.int32)
        dim = params["dim"]
        rng = np.random.default_rng(params["seed"])
        w_in = uniform_weight_rows(rng, len(vocab) + used.shape[0], dim, 1.0 / dim)
        w_out = empty_weight_rows(len(vocab), dim, zeros=True)
        subwords = {"bucket_rows": bucket_rows, "min_n": params["min_n"], "max_n": params["max_n"]}
        return EngineState(vocab.words, vocab.counts, w_in, w_out, subwords=subwords)

    def make_run(self, vocab, corpus, params: dict, state: EngineState) -> Run:
        return SubwordRun(vocab, corpus, params, subword_table(vocab.words, state.subwords["bucket_rows"], params))


class SubwordRun(Run):
    """The native run with the subword kernels and fastText's learning rate."""

    default_lr = DEFAULT_LR["subword"]  # fastText's
    #: fastText draws negatives in proportion to count ** 0.5 (word2vec: 0.75); measured on the
    #: benchmark corpus, 0.5 gives the better vectors here too.
    noise_power = 0.5
    #: Short blocks, shuffled: on the benchmark corpus they fitted the corpus better than
    #: blocks of 65,536 tokens (pair loss 0.314 against 0.324) and lifted WordSim-353 by
    #: about 0.02 (seeds 1-3), at the same speed.
    block_tokens = BLOCK_TOKENS

    def __init__(self, vocab, corpus, params: dict, table: K.SubwordTable):
        super().__init__(vocab, corpus, params)
        self.table = table

    def train_chunk(self, weights, stream, settings, tasks) -> None:
        training.train_subword_chunk(weights, self.table, stream, self.sampler, settings, tasks)


def _vocabulary_ngrams(words: list, params: dict) -> tuple[np.ndarray, np.ndarray]:
    """The n-gram buckets of every word (none for row 0, ``UNK``, which is never trained)."""
    indptr, hashes = ngram_hash_table(words, params["min_n"], params["max_n"], params["buckets"])
    first = indptr[1]
    return indptr - first * (np.arange(indptr.shape[0]) > 0), hashes[first:]


def subword_table(words: list, bucket_rows: np.ndarray, params: dict) -> K.SubwordTable:
    """Each word's pieces: its own row, then the rows of its n-grams (after the word rows)."""
    indptr, hashes = _vocabulary_ngrams(words, params)
    n_words = len(words)
    sizes = 1 + np.diff(indptr)
    offsets = np.zeros(n_words + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    rows = np.empty(offsets[-1], dtype=np.int32)
    is_word = np.zeros(offsets[-1], dtype=bool)
    is_word[offsets[:-1]] = True
    rows[is_word] = np.arange(n_words, dtype=np.int32)
    rows[~is_word] = n_words + bucket_rows[hashes]
    return K.SubwordTable(offsets, rows, int(sizes.max()))
