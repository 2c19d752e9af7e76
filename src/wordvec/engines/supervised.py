"""The supervised engine: fastText's text classifier, trained on the flat arrays of a labelled corpus.

A Python loop owns the run (the learning rate, the seeds, the progress); the
compiled kernel (:func:`wordvec.kernels.supervised.train_examples`) trains a
chunk of examples at a time on ``threads`` threads. As in fastText:

- the input rows start uniform in ``[-1/dim, 1/dim]`` (or from pretrained
  vectors for the words they hold), the output rows at zero;
- the examples are trained in their order, every epoch;
- the learning rate falls linearly from ``lr`` to 0 over all tokens of all
  epochs.

With one thread and a seed, two runs give the same bits.

>>> import numpy as np
>>> from wordvec.encoding.labelled import encode_labelled
>>> corpus = encode_labelled([b"__label__hot tea\\n__label__cold ice\\n" * 20])
>>> run = train_supervised(corpus, {"dim": 8, "lr": 0.5, "epochs": 20, "loss": "softmax", "negative": 5,
...                                 "threads": 1, "seed": 0})
>>> run.input.shape, run.output.shape, run.epoch_losses[-1] < run.epoch_losses[0]
((3, 8), (2, 8), True)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..encoding.memory import forget_pages
from ..kernels import supervised as K
from .base import EngineState, TrainingCallbacks, resolve_threads

#: Tokens trained per kernel call (the progress bar and the loss move once a call).
CHUNK_TOKENS = 1 << 20


@dataclass
class SupervisedRun:
    """A finished run: the two matrices and the mean loss of each epoch."""

    input: np.ndarray
    output: np.ndarray
    epoch_losses: list = field(default_factory=list)
    threads: int = 1


def initial_input(n_rows: int, dim: int, seed: int, pretrained=None) -> np.ndarray:
    """The input rows a run starts from: uniform in ``[-1/dim, 1/dim]``, float32.

    ``pretrained``, where given, is ``(rows, vectors)``: those rows start as
    those vectors (fastText's ``-pretrainedVectors``).

    >>> initial_input(3, 4, seed=0, pretrained=([1], np.ones((1, 4)))).tolist()[1]
    [1.0, 1.0, 1.0, 1.0]
    """
    rng = np.random.default_rng(seed)
    matrix = rng.random((n_rows, dim), dtype=np.float32)  # drawn as float32 in place: no float64 copy
    matrix *= np.float32(2.0 / dim)
    matrix -= np.float32(1.0 / dim)
    if pretrained is not None:
        rows, vectors = pretrained
        matrix[np.asarray(rows, dtype=np.int64)] = np.asarray(vectors, dtype=np.float32)
    return matrix


def chunk_bounds(tokens: np.ndarray, chunk_tokens: int = CHUNK_TOKENS) -> np.ndarray:
    """Example indices cutting the examples into runs of about ``chunk_tokens`` tokens.

    >>> chunk_bounds(np.array([5, 5, 5, 5]), chunk_tokens=10).tolist()
    [0, 2, 4]
    """
    ends = np.cumsum(tokens)
    if len(ends) == 0:
        return np.zeros(1, np.int64)
    marks = np.arange(chunk_tokens, int(ends[-1]), chunk_tokens)
    cuts = np.searchsorted(ends, marks, side="left") + 1
    return np.unique(np.concatenate([[0], cuts, [len(tokens)]])).astype(np.int64)


def _chunk_seed(seed: int, epoch: int, chunk: int) -> int:
    return int(np.random.SeedSequence([seed, epoch, chunk]).generate_state(1, np.uint64)[0] >> 1)


def train_supervised(corpus, params: dict, callbacks: TrainingCallbacks | None = None,
                     pretrained=None) -> SupervisedRun:
    """Train fastText's classifier on ``corpus`` (a :class:`~wordvec.encoding.labelled.LabelledCorpus`).

    Parameters
    ----------
    params : dict
        ``dim``, ``lr``, ``epochs``, ``loss``, ``negative``, ``threads`` (None:
        every core), ``seed``, and ``bucket_rows``: the hashed rows after the
        words (0, the default, where there are no n-grams).
    callbacks : TrainingCallbacks, optional
        Told of the start (``total``: tokens of all epochs), each chunk (tokens
        done, the chunk's mean loss) and each epoch.
    pretrained : tuple of (rows, vectors), optional
        Input rows to start from given vectors.
    """
    callbacks = callbacks or TrainingCallbacks()
    dim, epochs, lr = int(params["dim"]), int(params["epochs"]), float(params["lr"])
    threads = resolve_threads(params.get("threads"))
    examples = K.make_examples(corpus.rows, corpus.row_starts, corpus.targets, corpus.target_starts, corpus.tokens)
    n_rows = len(corpus.words) + int(params.get("bucket_rows", 0))
    run = SupervisedRun(initial_input(n_rows, dim, params["seed"], pretrained),
                        np.zeros((len(corpus.labels), dim), np.float32), threads=threads)
    labels = K.label_model(params["loss"], corpus.label_counts, params["negative"], params["seed"])
    starts = np.concatenate([[0], np.cumsum(corpus.tokens)]).astype(np.float64)
    bounds, per_epoch = chunk_bounds(corpus.tokens), float(starts[-1])
    total = max(per_epoch * epochs, 1.0)
    state = EngineState(list(corpus.words), corpus.word_counts, run.input, run.output, unknown=None)
    callbacks.started(state, total=int(per_epoch * epochs), unit="token")
    for epoch in range(epochs):
        loss_sum, counted = 0.0, 0
        for chunk, (first, last) in enumerate(zip(bounds[:-1], bounds[1:])):
            done = epoch * per_epoch
            lr_first, lr_last = (lr * (1.0 - (done + starts[i]) / total) for i in (first, last))
            loss, count = K.train_examples(run.input, run.output, examples, labels, int(first), int(last),
                                           lr_first, lr_last, threads=threads,
                                           seed=_chunk_seed(params["seed"], epoch, chunk))
            forget_pages(corpus.rows, int(corpus.row_starts[first]), int(corpus.row_starts[last]))
            loss_sum, counted = loss_sum + loss, counted + count
            callbacks.advanced(int(starts[last] - starts[first]), loss / max(count, 1))
        run.epoch_losses.append(loss_sum / max(counted, 1))
        state.epoch_losses.append(run.epoch_losses[-1])
        callbacks.epoch_finished(epoch + 1, run.epoch_losses[-1], state)
    return run
