"""The classifier's jobs, one call each: train, predict, test, export (``wordvec classify ...``).

Each job checks that it can write its output before it reads or trains
anything. Training input comes through :mod:`wordvec.readers.labelled` (fastText's
format, CSV / JSON lines / Parquet with a label column, SNAP reviews with their
score); a model is a classifier directory or a fastText ``.bin`` / ``.ftz``.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "train.txt").write_text("__label__hot tea\\n__label__cold ice\\n" * 20)
>>> result = train_classifier([folder / "train.txt"], folder / "clf", dim=4, epochs=20, lr=0.5, progress=False)
>>> result.classifier.predict("tea")[0]
('__label__hot',)
>>> score_classifier(folder / "clf", folder / "train.txt")["precision"]
1.0
"""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from .classifier import Classifier, load_classifier
from .classifier_training import fit_classifier
from .errors import ParameterError
from .formats import load_vectors
from .formats.classifier_dir import foreign_to_classifier, save_classifier_dir
from .formats.fasttext_supervised import save_fasttext_supervised
from .outputs import check_writable_directory, check_writable_file
from .params import check_classifier, classifier_defaults
from .readers.labelled import iter_labelled

__all__ = ["ClassifierResult", "export_classifier", "predict_file", "quantize_classifier", "score_classifier",
           "train_classifier"]

#: Lines predicted together when a file is read.
LINES_PER_BATCH = 8192
#: The formats ``wordvec classify export`` writes.
CLASSIFIER_EXPORTS = ("fasttext",)


@dataclass
class ClassifierResult:
    """What :func:`train_classifier` gives back: the classifier, where it was saved, the run's figures."""

    classifier: Classifier
    path: Path | None
    info: dict


def train_classifier(corpus: Sequence, out=None, *, format: str = "auto", label_column: str | None = None,
                     text_column: str | None = None, pretrained_vectors=None, progress: bool = True,
                     autotune: dict | None = None, **params) -> ClassifierResult:
    """Read labelled input, train fastText's classifier and (if ``out`` is given) save a classifier directory.

    Parameters
    ----------
    corpus : list of paths
        Files or folders: fastText's format (``__label__`` tokens), CSV, JSON
        lines or Parquet with ``label_column``, or SNAP reviews (the score is the label).
    out : path, optional
        The classifier directory to write; checked before anything is read.
    label_column, text_column : str, optional
        For tables: the label column(s) (comma-separated for several labels)
        and the text column.
    pretrained_vectors : path, optional
        A ``.vec`` file or a wordvec model: the words' input rows start there.
    autotune : dict, optional
        Search the settings first, as fastText's ``-autotune-*`` does: ``validation`` (a path) and
        optionally ``duration``, ``metric``, ``predictions``, ``model_size``, ``max_trials``
        (:func:`wordvec.classifier_autotune.autotune_classifier`, whose result comes back).
    **params
        Classifier parameters (:func:`wordvec.params.classifier_defaults`).
    """
    if autotune is not None:
        from .classifier_autotune import autotune_classifier

        if pretrained_vectors is not None:
            raise ParameterError("autotune tries other dimensions: leave out the pretrained vectors")
        return autotune_classifier(corpus, out=out, format=format, label_column=label_column,
                                   text_column=text_column, progress=progress, **autotune, **params)
    values = {**classifier_defaults(), **params}
    unknown = sorted(set(params) - set(classifier_defaults()))
    if unknown:
        raise ParameterError(f"unknown classifier parameter {unknown[0]!r}: choose from "
                             f"{', '.join(classifier_defaults())}")
    check_classifier(values)
    sources = [Path(p) for p in corpus]
    if not sources:
        raise ParameterError("give the labelled data to train on (a file or a folder)")
    if out is not None:
        check_writable_directory(out, "classifier directory", inputs=sources, foreign=foreign_to_classifier)
    pretrained = load_vectors(pretrained_vectors) if pretrained_vectors is not None else None
    blocks = _blocks(sources, format, label_column, text_column, values["label_prefix"])
    model, info = fit_classifier(blocks, values, progress=progress, pretrained=pretrained)
    info["corpus"] = [str(p) for p in sources]
    if out is not None:
        save_classifier_dir(out, model, params=values, info=info)
        del model  # the trained matrices go before the saved ones are mapped
        return ClassifierResult(load_classifier(out), Path(out), info)
    return ClassifierResult(Classifier.from_fasttext(model), None, info)


def _blocks(sources, format, label_column, text_column, label_prefix) -> Iterator:
    for source in sources:
        yield from iter_labelled(source, format=format, label_column=label_column, text_column=text_column,
                                 label_prefix=label_prefix)


def _lines_of(source) -> Iterator[list]:
    """Batches of lines (bytes, without their newline) of a file, or of standard input for ``-``."""
    handle = sys.stdin.buffer if str(source) == "-" else open(source, "rb")
    try:
        batch = []
        for line in handle:
            batch.append(line.rstrip(b"\n").rstrip(b"\r"))
            if len(batch) == LINES_PER_BATCH:
                yield batch
                batch = []
        if batch:
            yield batch
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


def predict_file(model, source, *, k: int = 1, threshold: float = 0.0, threads: int | None = None,
                 output: str = "labels") -> Iterator[str]:
    """Predict every line of a file (or ``-``: standard input); one output line per input line.

    ``output`` is ``"labels"`` (fastText's ``predict``: the labels, space-separated),
    ``"probabilities"`` (fastText's ``predict-prob``: each label then its
    probability) or ``"json"`` (``{"labels": [...], "probabilities": [...]}``).
    """
    if output not in ("labels", "probabilities", "json"):
        raise ParameterError.out_of_range("output", output, "labels, probabilities or json")
    clf = model if isinstance(model, Classifier) else load_classifier(model)
    if str(source) != "-" and not Path(source).is_file():
        raise ParameterError(f"{source}: no such file to predict")
    for batch in _lines_of(source):
        labels, probs = clf.predict(batch, k=k, threshold=threshold, threads=threads)
        for names, values in zip(labels, probs):
            yield _format_prediction(names, values, output)


def _format_prediction(names, values, output: str) -> str:
    if output == "labels":
        return " ".join(names)
    if output == "json":
        return json.dumps({"labels": list(names), "probabilities": [round(float(p), 6) for p in values]},
                          ensure_ascii=False)
    return " ".join(f"{name} {float(p):.6g}" for name, p in zip(names, values))


def score_classifier(model, source, *, k: int = 1, threshold: float = 0.0, format: str = "auto",
                    label_column: str | None = None, text_column: str | None = None, per_label: bool = False,
                    confusion=None, threads: int | None = None) -> dict:
    """Score a classifier on labelled data as fastText's ``test`` (and ``test-label``) does.

    Returns ``{"examples", "k", "precision", "recall"}`` (P@k and R@k over
    the lines that hold a label), with ``"labels"``: per label ``{"precision",
    "recall", "f1", "gold", "predicted"}`` where ``per_label``. ``confusion``:
    a path where a confusion-matrix picture (PNG, SVG or PDF) of the top label
    against the first true label is written.
    """
    clf = model if isinstance(model, Classifier) else load_classifier(model)
    if confusion is not None:
        check_writable_file(confusion, "confusion matrix picture", inputs=[source])
    counts = _Tally(clf.labels_)
    prefix = clf.label_prefix_ if hasattr(clf, "label_prefix_") else "__label__"
    for block in iter_labelled(Path(source), format=format, label_column=label_column, text_column=text_column,
                               label_prefix=prefix):
        texts = block.split(b"\n")[:-1]
        gold = [[t for t in text.split() if t.startswith(prefix.encode())] for text in texts]
        predicted, _ = clf.predict(texts, k=k, threshold=threshold, threads=threads)
        counts.add([[g.decode("utf-8", "replace") for g in labels] for labels in gold], predicted)
    scores = counts.scores(k, per_label)
    if confusion is not None:
        counts.plot_confusion(confusion)
    return scores


class _Tally:
    """What fastText's ``Meter`` counts: examples, gold labels, predictions, and true positives per label."""

    def __init__(self, labels: list):
        self.labels = list(labels)
        self.index = {name: i for i, name in enumerate(self.labels)}
        self.examples = self.gold = self.predicted = self.correct = 0
        self.per_label = np.zeros((len(self.labels) + 1, 3), np.int64)  # gold, predicted, correct
        self.pairs: list = []

    def add(self, gold: list, predicted: list) -> None:
        for truth, guess in zip(gold, predicted):
            if not truth:
                continue
            self.examples += 1
            self.gold += len(truth)
            self.predicted += len(guess)
            hits = [g for g in guess if g in truth]
            self.correct += len(hits)
            for name in truth:
                self.per_label[self.index.get(name, -1), 0] += 1
            for name in guess:
                self.per_label[self.index[name], 1] += 1
            for name in hits:
                self.per_label[self.index[name], 2] += 1
            self.pairs.append((self.index.get(truth[0], -1), self.index[guess[0]] if guess else -1))

    def scores(self, k: int, per_label: bool) -> dict:
        result = {"examples": self.examples, "k": k,
                  "precision": self.correct / self.predicted if self.predicted else float("nan"),
                  "recall": self.correct / self.gold if self.gold else float("nan")}
        if per_label:
            result["labels"] = {name: _label_scores(*self.per_label[i]) for i, name in enumerate(self.labels)}
        return result

    def plot_confusion(self, path) -> None:
        from .classifier_plots import plot_confusion

        pairs = np.array(self.pairs, dtype=np.int64).reshape(-1, 2)
        plot_confusion(pairs, self.labels, path)


def _label_scores(gold: int, predicted: int, correct: int) -> dict:
    precision = correct / predicted if predicted else float("nan")
    recall = correct / gold if gold else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if predicted and gold and correct else (
        0.0 if predicted or gold else float("nan"))
    return {"precision": precision, "recall": recall, "f1": f1, "gold": int(gold), "predicted": int(predicted)}


def export_classifier(model, out, format: str = "fasttext") -> Path:
    """Write a classifier in another tool's format: ``fasttext`` (a ``.bin`` that fastText's ``load_model`` reads)."""
    if format not in CLASSIFIER_EXPORTS:
        raise ParameterError.out_of_range("format", format, " or ".join(CLASSIFIER_EXPORTS))
    clf = model if isinstance(model, Classifier) else load_classifier(model)
    inputs = [] if isinstance(model, Classifier) else [Path(model)]
    target = check_writable_file(out, "fastText model file", inputs=inputs)
    save_fasttext_supervised(clf.model_, target)
    return Path(out)


def quantize_classifier(model, out, *, input=None, cutoff: int | None = None, retrain: bool = False,
                        qnorm: bool = False, qout: bool = False, dsub: int = 2, epochs: int | None = None,
                        lr: float | None = None, threads: int | None = None, format: str = "auto",
                        label_column: str | None = None, text_column: str | None = None) -> dict:
    """Quantize a classifier as ``fasttext quantize`` does and write it as an ``.ftz`` (``wordvec classify quantize``).

    The settings, then ``out``, are checked before anything is read; ``input``
    (the training data, read as :func:`train_classifier` reads it) is read
    only with ``retrain``. Returns ``{"out", "bytes", "rows", "rows_kept",
    "retrained"}``.
    """
    from .classifier_quantize import check_quantizable, check_settings, quantize_model, save_ftz, settings_for

    check_settings(cutoff, dsub, retrain, input is not None)
    sources = [Path(p) for p in ([] if input is None else [input] if isinstance(input, (str, Path)) else input)]
    target = check_writable_file(out, "quantized model file", inputs=[Path(model), *sources])
    missing = [p for p in sources if retrain and not p.exists()]
    if missing:
        raise ParameterError(f"{missing[0]}: no such file to retrain on")
    clf = model if isinstance(model, Classifier) else load_classifier(model)
    check_quantizable(clf.model_, str(model))
    settings = settings_for(clf.model_, clf.get_params(), cutoff=cutoff, qnorm=qnorm, qout=qout, dsub=dsub,
                            epochs=epochs, lr=lr, threads=threads)
    blocks = _blocks(sources, format, label_column, text_column, clf.label_prefix) if retrain else None
    small = quantize_model(clf.model_, settings, retrain=blocks)
    save_ftz(small, target)
    return {"out": Path(out), "bytes": Path(out).stat().st_size, "rows": int(clf.model_.input.shape[0]),
            "rows_kept": int(small.input.shape[0]), "retrained": bool(retrain and small.pruneidx is not None)}


def format_test(scores: dict) -> str:
    """fastText's ``test`` output (``N``, ``P@k``, ``R@k``), and ``test-label``'s lines where per label.

    >>> print(format_test({"examples": 3, "k": 1, "precision": 2 / 3, "recall": 2 / 3}))  # doctest: +NORMALIZE_WHITESPACE
    N	3
    P@1	0.667
    R@1	0.667
    """
    out = io.StringIO()
    for name, s in scores.get("labels", {}).items():
        out.write(f"F1-Score : {s['f1']:.6f}  Precision : {s['precision']:.6f}  Recall : {s['recall']:.6f}"
                  f"   {name}\n")
    out.write(f"N\t{scores['examples']}\nP@{scores['k']}\t{scores['precision']:.3f}\n"
              f"R@{scores['k']}\t{scores['recall']:.3f}")
    return out.getvalue()
