"""Quantizing a classifier as ``fasttext quantize`` does: prune, fine-tune, product-quantize, an ``.ftz``.

:func:`quantize_model` takes a dense supervised model (a
:class:`~wordvec.formats.fasttext_supervised.FastTextSupervised`) and gives the
quantized one that fastText's ``quantize`` would make of it, which
:func:`save_ftz` writes as an ``.ftz`` that fastText's ``load_model`` reads:

1. ``cutoff`` (fastText's ``selectEmbeddings`` and ``Dictionary::prune``): the
   input rows ranked by L2 norm, ``</s>`` first whatever its norm, and the
   first ``cutoff`` kept; the words kept stay in dictionary order, the n-gram
   buckets kept follow in rank order, listed in ``pruneidx`` (bucket, place);
2. ``retrain``: the kept rows (and the output rows) trained again on the
   training data, seen through the pruned dictionary (words dropped, buckets
   not kept giving no row), the learning rate falling from ``lr`` to 0 over
   ``epochs`` (only after pruning, as in fastText: a cutoff that keeps every
   row retrains nothing);
3. the input matrix product-quantized (:mod:`wordvec.product_quantizer`,
   ``dsub`` columns a sub-vector, the norms apart with ``qnorm``), and with
   ``qout`` the output matrix too (2 columns a sub-vector, as fastText does).

>>> import numpy as np
>>> from wordvec.formats.fasttext_supervised import FastTextSupervised
>>> rows = np.random.default_rng(0).normal(size=(300, 4)).astype(np.float32)
>>> model = FastTextSupervised.from_arrays(["</s>", "tea"], ["__label__a", "__label__b"], rows,
...                                        np.ones((2, 4), np.float32), word_ngrams=2)
>>> small = quantize_model(model, cutoff=257)
>>> small.quantized, small.input.shape, len(small.pruneidx)
(True, (257, 4), 255)
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from .encoding.labelled import encode_labelled
from .engines.supervised import chunk_bounds
from .errors import ParameterError
from .formats.fasttext_supervised import KSUB, FastTextSupervised, QuantizedMatrix, save_fasttext_supervised
from .kernels import supervised as K
from .product_quantizer import quantize_matrix, row_norms
from .readers.labelled import iter_labelled, labelled_lines
from .threads import resolve_threads

#: fastText's end-of-line word: always kept by a cutoff.
EOS = b"</s>"
#: The sub-vector size of a quantized output matrix (fastText's, whatever ``dsub`` is).
OUTPUT_DSUB = 2
#: The learning rate fine-tuning starts from unless told (fastText's ``quantize`` default).
RETRAIN_LR = 0.05
_REMAP_BLOCK = 1 << 20  # corpus rows mapped to the pruned model's at a time


@dataclasses.dataclass(frozen=True)
class QuantizeSettings:
    """What :func:`quantize_model` does (fastText's ``quantize`` options).

    Attributes
    ----------
    cutoff : int or None
        Input rows kept (words and n-grams, by norm); None keeps all.
    qnorm, qout : bool
        Quantize the norms apart; quantize the output matrix too.
    dsub : int
        Columns of a sub-vector of the input matrix.
    epochs, lr, threads, seed, label_prefix : fine-tuning (with ``retrain`` blocks given to
        :func:`quantize_model`); ``threads`` also trains sub-quantizers side by side.
    """

    cutoff: int | None = None
    qnorm: bool = False
    qout: bool = False
    dsub: int = 2
    epochs: int = 5
    lr: float = RETRAIN_LR
    threads: int = 1
    seed: int = 0
    label_prefix: str = "__label__"


def settings_for(model: FastTextSupervised, params: dict, *, epochs=None, lr=None, threads=None,
                 **options) -> QuantizeSettings:
    """The settings of quantizing a classifier: fine-tuning defaults to the model's epochs, fastText's
    learning rate (:data:`RETRAIN_LR`) and the classifier's ``threads``, ``seed`` and ``label_prefix``
    (``params``: its parameters).

    Examples
    --------
    >>> m = FastTextSupervised.from_arrays(["</s>"], ["__label__a"], np.zeros((1, 2)), np.zeros((1, 2)))
    >>> settings = settings_for(m, {"threads": 1, "seed": 3, "label_prefix": "__label__"}, cutoff=1000)
    >>> settings.epochs, settings.lr
    (5, 0.05)
    """
    threads = resolve_threads(params.get("threads") if threads is None else threads)
    return QuantizeSettings(**options, epochs=model.args["epoch"] if epochs is None else int(epochs),
                            lr=float(RETRAIN_LR if lr is None else lr), threads=threads,
                            seed=int(params.get("seed", 0)), label_prefix=params.get("label_prefix", "__label__"))


def check_settings(cutoff=None, dsub: int = 2, retrain: bool = False, has_input: bool = False,
                   dim: int | None = None) -> None:
    """One clear line for a setting fastText's ``quantize`` would refuse or ignore by mistake.

    Examples
    --------
    >>> check_settings(cutoff=0)
    Traceback (most recent call last):
    wordvec.errors.ParameterError: cutoff needs to be a whole number of at least 1 (the words and n-grams kept), got 0
    >>> check_settings(retrain=True)
    Traceback (most recent call last):
    wordvec.errors.ParameterError: retrain needs the training data to fine-tune on (--input FILE, or retrain_on=...)
    """
    if cutoff is not None and (isinstance(cutoff, bool) or not isinstance(cutoff, (int, np.integer)) or cutoff < 1):
        raise ParameterError("cutoff needs to be a whole number of at least 1 (the words and n-grams kept), "
                             f"got {cutoff!r}")
    if cutoff is not None and cutoff < KSUB:
        raise ParameterError(f"cutoff {cutoff} keeps fewer than {KSUB} rows: product quantization needs at "
                             f"least {KSUB} (fastText's rule too)")
    if isinstance(dsub, bool) or not isinstance(dsub, (int, np.integer)) or dsub < 1 or (dim and dsub > dim):
        limit = f"the dimension ({dim})" if dim else "the dimension"
        raise ParameterError(f"dsub needs to be a whole number from 1 to {limit}, got {dsub!r}")
    if retrain and not has_input:
        raise ParameterError("retrain needs the training data to fine-tune on (--input FILE, or retrain_on=...)")
    if retrain and cutoff is None:
        raise ParameterError("retrain fine-tunes the rows a cutoff keeps: give a cutoff too (fastText "
                             "retrains only after pruning)")


def check_quantizable(model: FastTextSupervised, name: str = "the classifier") -> None:
    """Refuse a model that is quantized already (its rows are codes: quantize the dense one it came from)."""
    if model.quantized or isinstance(model.output, QuantizedMatrix) or model.pruneidx is not None:
        raise ParameterError(f"{name} is quantized already: quantize the dense model it came from "
                             "(a classifier directory or a .bin)")


def select_rows(input, cutoff: int, eos_row: int = -1) -> np.ndarray:
    """fastText's ``selectEmbeddings``: the ``cutoff`` input rows of largest L2 norm, ``eos_row`` first.

    Rows of equal norm keep their order.

    Examples
    --------
    >>> select_rows(np.array([[1, 0], [3, 0], [0, 2], [0, 0]], np.float32), 3, eos_row=3).tolist()
    [3, 1, 2]
    """
    order = np.argsort(-row_norms(input), kind="stable")
    if eos_row >= 0:
        order = np.concatenate([[eos_row], order[order != eos_row]])
    return order[:cutoff].astype(np.int64)


def prune(model: FastTextSupervised, selected: np.ndarray) -> FastTextSupervised:
    """fastText's ``Dictionary::prune``: a dense model of the ``selected`` rows (:func:`select_rows`).

    The words kept stay in dictionary order, then the n-gram buckets in the
    order selected; ``pruneidx`` pairs each bucket kept with its place.

    Examples
    --------
    >>> m = FastTextSupervised.from_arrays(["</s>", "a", "b"], ["__label__x"], np.arange(15.0).reshape(5, 3),
    ...                                    np.ones((1, 3)), word_ngrams=2)
    >>> p = prune(m, np.array([0, 4, 2, 3]))
    >>> p.words, p.pruneidx.tolist(), p.input[:, 0].tolist()
    ([b'</s>', b'b'], [[1, 0], [0, 1]], [0.0, 6.0, 12.0, 9.0])
    """
    nwords = len(model.words)
    selected = np.asarray(selected, dtype=np.int64)
    words = np.sort(selected[selected < nwords])
    ngrams = selected[selected >= nwords]
    pruneidx = np.stack([ngrams - nwords, np.arange(len(ngrams))], axis=1).astype(np.int32)
    rows = np.concatenate([words, ngrams])
    input_rows = np.ascontiguousarray(np.asarray(model.input)[rows], dtype=np.float32)
    return dataclasses.replace(model, words=[model.words[i] for i in words.tolist()],
                               word_counts=np.asarray(model.word_counts)[words].astype(np.int64),
                               pruneidx=pruneidx, input=input_rows)


def quantize_model(model: FastTextSupervised, settings: QuantizeSettings | None = None, retrain=None,
                   **options) -> FastTextSupervised:
    """The quantized model fastText's ``quantize`` makes of a dense one (see the module).

    Parameters
    ----------
    model : FastTextSupervised
        A dense model (``.bin``, classifier directory, or just trained).
    settings : QuantizeSettings, optional
        Or its fields as keyword ``options``.
    retrain : iterable of bytes, optional
        Blocks of fastText-format lines (:func:`retrain_blocks`): fine-tune the
        kept rows on them after pruning.

    Raises
    ------
    ParameterError
        A quantized model, a setting out of range, a matrix of fewer than 256 rows.
    """
    settings = settings or QuantizeSettings(**options)
    check_quantizable(model)
    check_settings(settings.cutoff, settings.dsub, retrain is not None, retrain is not None, model.args["dim"])
    if settings.cutoff is not None and settings.cutoff < model.input.shape[0]:
        eos = model.words.index(EOS) if EOS in model.words else -1
        model = prune(model, select_rows(model.input, settings.cutoff, eos))
        if retrain is not None:
            model = fine_tune(model, retrain, settings)
    elif model.input.shape[0] < KSUB:
        raise ParameterError(f"the input matrix has {model.input.shape[0]} rows: product quantization needs at "
                             f"least {KSUB} (fastText's rule too)")
    if settings.qout and model.output.shape[0] < KSUB:
        raise ParameterError(f"qout quantizes the output matrix, which has {model.output.shape[0]} rows (one per "
                             f"label): product quantization needs at least {KSUB} (fastText's rule too)")
    input_rows = quantize_matrix(model.input, settings.dsub, settings.qnorm, threads=settings.threads)
    if settings.qout:
        output_rows = quantize_matrix(model.output, OUTPUT_DSUB, settings.qnorm, threads=settings.threads)
    else:
        output_rows = np.ascontiguousarray(model.output, dtype=np.float32)
    return dataclasses.replace(model, input=input_rows, output=output_rows)


def retrain_blocks(data, label_prefix: str = "__label__", **reading):
    """The training data to fine-tune on, as blocks of fastText-format lines.

    ``data`` is a path (``str`` or ``Path``) or a list of ``Path``, read as
    ``wordvec classify train`` reads them (``reading``: ``format``,
    ``label_column``, ``text_column``), or a list of lines (``str``) in
    fastText's format (``"__label__pos great tea"``).

    Examples
    --------
    >>> list(retrain_blocks(["__label__a tea", "__label__b cup"]))
    [b'__label__a tea\\n__label__b cup\\n']
    """
    data = [Path(data)] if isinstance(data, (str, Path)) else list(data)
    if data and all(isinstance(item, Path) for item in data):
        return (block for source in data for block in iter_labelled(source, label_prefix=label_prefix, **reading))
    return labelled_lines(data, None, label_prefix)


def _row_map(model: FastTextSupervised, corpus) -> np.ndarray:
    """For each row of the corpus (its own words, then every bucket), the pruned model's row, or -1."""
    kept = {word: i for i, word in enumerate(model.words)}
    words = [kept.get(w.encode("utf-8", "surrogateescape"), -1) for w in corpus.words]
    row_map = np.full(len(corpus.words) + corpus.bucket, -1, dtype=np.int32)
    row_map[:len(words)] = words
    if corpus.bucket and model.pruneidx is not None and len(model.pruneidx):
        row_map[len(words) + model.pruneidx[:, 0].astype(np.int64)] = len(model.words) + model.pruneidx[:, 1]
    return row_map


def _remapped(values: np.ndarray, starts: np.ndarray, mapping: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``mapping[values]`` without the -1s, and each example's new starts (``starts`` rise from 0 to
    ``len(values)``). Written over ``values`` where it is writable, a block at a time: no second
    array of the corpus's size.

    >>> values = np.array([0, 1, 2, 1, 0], np.int32)
    >>> kept, new = _remapped(values, np.array([0, 2, 2, 5]), np.array([5, -1, 7], np.int32))
    >>> kept.tolist(), new.tolist()
    ([5, 7, 5], [0, 1, 1, 3])
    """
    out = values if values.flags.writeable else np.empty_like(values)
    new_starts = np.empty(len(starts), np.int64)
    written = 0
    for first in range(0, len(values), _REMAP_BLOCK):
        mapped = mapping[values[first:first + _REMAP_BLOCK]]
        kept = mapped >= 0
        before = np.concatenate([[0], np.cumsum(kept)])
        lo, hi = np.searchsorted(starts, [first, first + len(mapped)])
        new_starts[lo:hi] = written + before[starts[lo:hi] - first]
        count = int(before[-1])
        out[written:written + count] = mapped[kept]
        written += count
    new_starts[starts >= len(values)] = written
    return out[:written], new_starts


def pruned_examples(model: FastTextSupervised, blocks, settings: QuantizeSettings):
    """The examples of ``blocks`` as a pruned model reads them (fastText's ``getLine``), for the training kernel.

    Each line is seen through the pruned dictionary: a word no longer in it
    gives only its character n-grams, a bucket not kept no row; labels the
    model does not have are left out. The lines are encoded once with a full
    dictionary of their own (:func:`~wordvec.encoding.labelled.encode_labelled`),
    then each row is mapped to the pruned model's row, or dropped.

    Returns
    -------
    wordvec.kernels.supervised.Examples
    """
    args = model.args
    has_ngrams = args["word_ngrams"] > 1 or args["maxn"] > 0
    corpus = encode_labelled(blocks, min_count=1, min_count_label=1, word_ngrams=args["word_ngrams"],
                             bucket=args["bucket"] if has_ngrams else 0, minn=args["minn"], maxn=args["maxn"],
                             label_prefix=settings.label_prefix, threads=settings.threads)
    rows, row_starts = _remapped(corpus.rows, corpus.row_starts, _row_map(model, corpus))
    label_index = {label: i for i, label in enumerate(model.labels_raw)}
    label_map = np.array([label_index.get(w.encode("utf-8", "surrogateescape"), -1) for w in corpus.labels],
                         dtype=np.int32)
    targets, target_starts = _remapped(corpus.targets, corpus.target_starts, label_map)
    return K.make_examples(rows, row_starts, targets, target_starts, corpus.tokens)


def fine_tune(model: FastTextSupervised, blocks, settings: QuantizeSettings) -> FastTextSupervised:
    """Train a pruned dense model again on ``blocks`` (fastText's ``quantize -retrain``).

    The lines are read as the pruned model reads them (:func:`pruned_examples`);
    the input and output rows start where they are; the learning rate falls
    linearly from ``lr`` to 0 over all tokens of ``epochs`` epochs (Hogwild on
    ``threads``). The header's ``epoch`` becomes ``epochs``, as in fastText.
    """
    examples = pruned_examples(model, blocks, settings)
    input_rows = np.array(model.input, dtype=np.float32, order="C")
    output_rows = np.array(model.output, dtype=np.float32, order="C")
    labels = K.label_model(model.loss, model.label_counts, model.args["neg"], settings.seed)
    _train_epochs(input_rows, output_rows, examples, labels, settings)
    return dataclasses.replace(model, args={**model.args, "epoch": int(settings.epochs)}, input=input_rows,
                               output=output_rows)


def _train_epochs(input_rows, output_rows, examples, labels, settings: QuantizeSettings) -> None:
    """The epochs of :func:`fine_tune`, a chunk of examples per kernel call, in place."""
    tokens = examples.tokens
    starts = np.concatenate([[0], np.cumsum(tokens)]).astype(np.float64)
    bounds, per_epoch = chunk_bounds(tokens), float(starts[-1])
    total = max(per_epoch * settings.epochs, 1.0)
    for epoch in range(int(settings.epochs)):
        for chunk, (first, last) in enumerate(zip(bounds[:-1].tolist(), bounds[1:].tolist())):
            done = epoch * per_epoch
            lr_first, lr_last = (settings.lr * (1.0 - (done + starts[i]) / total) for i in (first, last))
            seed = int(np.random.SeedSequence([settings.seed, epoch, chunk]).generate_state(1, np.uint64)[0] >> 1)
            K.train_examples(input_rows, output_rows, examples, labels, first, last, lr_first, lr_last,
                             threads=settings.threads, seed=seed)


def save_ftz(model, path) -> Path:
    """Write a quantized classifier (a :class:`~wordvec.Classifier` or its model) as fastText's ``.ftz``.

    The file replaces ``path`` only once complete.

    Raises
    ------
    ParameterError
        The model is not quantized (write a ``.bin`` with ``wordvec classify export``, or quantize it first).
    """
    model = getattr(model, "model_", model)
    if not isinstance(model, FastTextSupervised) or not model.quantized:
        raise ParameterError("only a quantized classifier is saved as an .ftz: quantize it first "
                             "(Classifier.quantize, or 'wordvec classify quantize')")
    save_fasttext_supervised(model, path)
    return Path(path)
