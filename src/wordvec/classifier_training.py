"""Training a text classifier: labelled input → dictionary and examples → the supervised engine → a model.

:func:`fit_classifier` is what :meth:`wordvec.Classifier.fit` and ``wordvec
classify train`` run: it encodes blocks of fastText-format lines
(:mod:`wordvec.readers.labelled` makes them from every input layout) with
fastText's dictionary rules (:func:`wordvec.encoding.labelled.encode_labelled`),
trains them (:mod:`wordvec.engines.supervised`) and gives the model as a
:class:`~wordvec.formats.fasttext_supervised.FastTextSupervised`, the same object a
fastText file reads into, with what the run measured.

>>> model, info = fit_classifier([b"__label__hot tea\\n__label__cold ice\\n" * 10],
...                              {**classifier_defaults(), "dim": 4, "epochs": 10, "threads": 1})
>>> model.labels, model.loss, info["examples"]
(['__label__hot', '__label__cold'], 'softmax', 20)
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from .encoding.labelled import encode_labelled
from .engines.supervised import train_supervised
from .errors import ParameterError
from .formats.fasttext_supervised import FastTextSupervised
from .kernels import backend
from .params import check_classifier, classifier_defaults  # noqa: F401  (the doctest uses the defaults)
from .progress import TrainingMonitor


def bucket_rows(params: dict) -> int:
    """The hashed input rows after the words: ``buckets``, or 0 with neither word nor character n-grams.

    >>> bucket_rows({"word_ngrams": 1, "max_n": 0, "buckets": 100}), bucket_rows({"word_ngrams": 2, "max_n": 0,
    ...                                                                         "buckets": 100})
    (0, 100)
    """
    return 0 if params["word_ngrams"] <= 1 and params["max_n"] == 0 else int(params["buckets"])


def encode(blocks, params: dict):
    """Blocks of fastText-format lines → the :class:`~wordvec.encoding.labelled.LabelledCorpus` to train on."""
    return encode_labelled(blocks, min_count=params["min_count"], min_count_label=params["min_count_label"],
                           word_ngrams=params["word_ngrams"], bucket=bucket_rows(params), minn=params["min_n"],
                           maxn=params["max_n"], label_prefix=params["label_prefix"],
                           threads=params["threads"] or 1)


def fit_classifier(blocks, params: dict, *, progress: bool = False, pretrained=None) -> tuple:
    """Train a classifier on blocks of fastText-format lines (bytes); ``(model, info)``.

    Parameters
    ----------
    params : dict
        Every classifier parameter (:data:`wordvec.params.CLASSIFIER_PARAMETERS`).
    progress : bool
        Show a progress bar with the loss (standard error).
    pretrained : Vectors, optional
        Word vectors of the model's dimension: the input rows of the words they
        hold start from them.

    Returns
    -------
    model : FastTextSupervised
    info : dict
        ``examples``, ``skipped`` (lines without a label or a word),
        ``tokens``, ``seconds`` (encoding, training), ``epoch_losses``,
        ``kernels``.
    """
    check_classifier(params)
    started = time.perf_counter()
    corpus = encode(blocks, params)
    encoded = time.perf_counter()
    rows = pretrained_rows(pretrained, corpus.words, params["dim"]) if pretrained is not None else None
    monitor = TrainingMonitor(progress, params["epochs"], 0, lambda epoch, loss, state: None)
    try:
        run = train_supervised(corpus, {**params, "bucket_rows": bucket_rows(params)}, monitor, rows)
    finally:
        monitor.close()
    model = FastTextSupervised.from_arrays(
        corpus.words, corpus.labels, run.input, run.output, loss=params["loss"], word_ngrams=params["word_ngrams"],
        minn=params["min_n"], maxn=params["max_n"], word_counts=corpus.word_counts,
        label_counts=corpus.label_counts)
    model.args.update(epoch=params["epochs"], min_count=params["min_count"], neg=params["negative"])
    model = dataclasses.replace(model, ntokens=int(corpus.n_tokens))
    info = {"examples": int(len(corpus.row_starts) - 1), "skipped": int(corpus.skipped),
            "tokens": int(corpus.n_tokens), "seconds": {"encoding": round(encoded - started, 3),
                                                        "training": round(monitor.seconds(), 3)},
            "epoch_losses": [float(x) for x in run.epoch_losses], "threads": run.threads, "kernels": backend()}
    return model, info


def pretrained_rows(vectors, words: list, dim: int) -> tuple[np.ndarray, np.ndarray]:
    """The dictionary rows that pretrained ``vectors`` hold, and their vectors (fastText's -pretrainedVectors).

    >>> from wordvec.vectors import Vectors
    >>> rows, found = pretrained_rows(Vectors(["tea"], np.ones((1, 2), np.float32)), ["</s>", "tea"], 2)
    >>> rows.tolist(), found.tolist()
    ([1], [[1.0, 1.0]])
    """
    if vectors.dim != dim:
        raise ParameterError(f"the pretrained vectors have dimension {vectors.dim}, the classifier {dim}: "
                             f"give dim={vectors.dim}")
    index = {word: i for i, word in enumerate(vectors.words)}
    text = [w.decode("utf-8", "replace") if isinstance(w, bytes) else w for w in words]
    pairs = [(row, index[word]) for row, word in enumerate(text) if word in index]
    rows = np.array([row for row, _ in pairs], dtype=np.int64)
    found = np.asarray(vectors.matrix)[[i for _, i in pairs]] if pairs else np.zeros((0, dim), np.float32)
    return rows, np.asarray(found, dtype=np.float32)
