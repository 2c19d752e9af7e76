"""Autotune: fastText's ``-autotune-*`` search for the classifier settings that score best on validation data.

:func:`autotune_classifier` (``wordvec classify train --autotune-validation``)
runs fastText's search (its ``AutotuneStrategy``):

- the first trial is the settings given (fastText's defaults for the rest);
- every later trial starts from the best settings so far and moves each tuned
  setting by a random step, multiplicative (``epochs`` 1..100, ``lr``
  0.01..5, ``dim`` 1..1000, ``buckets`` 10k..10M) or additive (``word_ngrams``
  1..5, ``min_n`` one of 0, 2, 3 with ``max_n = min_n + 3``, ``dsub`` 2, 4, 8
  or 16), whose spread narrows from a quarter to three quarters of the time
  (of the trials, with ``max_trials``); the loss is softmax, as fastText's;
- a setting given explicitly is kept, not tuned (fastText's rule);
- each trial trains on the training data, predicts the validation lines (``k``
  labels each) and scores them with the metric
  (:mod:`wordvec.classifier_autotune_meter`); with a model size, the candidate
  is first quantized as fastText does (``qnorm``, ``retrain``, ``qout`` from
  256 labels, the ``cutoff`` that makes the file fit), and one that cannot fit
  is skipped;
- a trial still training at the deadline is stopped (at the end of its current
  chunk of a million tokens) and not scored, so the search ends within the
  duration and one chunk; the final model is then trained again on the best
  settings (as fastText does: not bound by the duration);
- unlike fastText, a sample expected to outlast the time left (its work measured
  against the trials scored so far: :mod:`wordvec.classifier_autotune_cost`) is
  set aside and another drawn, and a trial whose pace over its first chunks says
  it cannot finish in time is stopped there (status "too slow for the time
  left"), so one slow sample cannot take the search's time.

With one thread, the same seed and ``max_trials`` (the search narrowing by
trial count, not by the clock), two runs pick the same settings.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "train.txt").write_text("__label__hot hot tea\\n__label__cold iced water\\n" * 20)
>>> result = autotune_classifier([folder / "train.txt"], folder / "train.txt", max_trials=3, duration=60,
...                              buckets=1000, threads=1, progress=False)
>>> result.info["autotune"]["trials"], result.info["autotune"]["best_score"]
(3, 1.0)
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .classifier import Classifier, load_classifier
from .classifier_autotune_cost import CorpusShape, TrialCost, affordable
from .classifier_autotune_meter import Meter, Metric, parse_metric, parse_model_size
from .classifier_training import bucket_rows, encode, fit_classifier
from .engines.base import TrainingCallbacks
from .engines.supervised import train_supervised
from .errors import ParameterError
from .formats.classifier_dir import foreign_to_classifier, save_classifier_dir
from .formats.fasttext_supervised import FastTextSupervised
from .outputs import atomic_open, check_writable_directory, check_writable_file
from .params import check_classifier, classifier_defaults
from .readers.labelled import iter_labelled

__all__ = ["AutotuneResult", "AutotuneStrategy", "autotune_classifier", "cutoff_for_size"]

#: ``--autotune-duration``'s default, in seconds (fastText's five minutes).
DEFAULT_DURATION = 300.0
#: The settings autotune moves (unless given explicitly).
TUNED = ("epochs", "lr", "dim", "word_ngrams", "min_n", "max_n", "buckets", "loss", "dsub")
#: The shortest character n-grams autotune tries (0: none); ``max_n`` is ``min_n + 3``.
MIN_N_CHOICES = (0, 2, 3)
#: fastText's smallest cutoff: a model size that needs fewer rows cannot be met.
CUTOFF_LIMIT = 256
#: The share of the memory free at the start that one trial's input matrix may take.
MEMORY_SHARE = 0.5
_STEPS = {  # setting: (lowest, highest, spread at the start, at the end, additive)
    "epochs": (1, 100, 2.8, 2.5, False), "lr": (0.01, 5.0, 1.9, 1.0, False), "dim": (1, 1000, 1.4, 0.3, False),
    "word_ngrams": (1, 5, 4.3, 2.4, True), "dsub_exponent": (1, 4, 2.0, 1.0, True),
    "min_n_index": (0, len(MIN_N_CHOICES) - 1, 4.0, 1.4, True), "buckets": (10_000, 10_000_000, 2.0, 1.5, False)}


class AutotuneStrategy:
    """fastText's random search around the best settings so far (``ask`` a trial, ``update_best``).

    Examples
    --------
    >>> strategy = AutotuneStrategy({**classifier_defaults(), "dsub": 2}, seed=0)
    >>> strategy.ask(0.0)["dim"], strategy.ask(0.0)["loss"]
    (100, 'softmax')
    """

    def __init__(self, start: dict, seed: int = 0, fixed=()):
        self.fixed = set(fixed)
        self.rng = np.random.default_rng(seed)
        self.asked = 0
        self.best_nonzero_buckets = 2_000_000
        self.update_best(start)

    def update_best(self, params: dict) -> None:
        """Make ``params`` the settings later trials start from."""
        self.best = dict(params)
        self.best_min_n_index = MIN_N_CHOICES.index(params["min_n"]) if params["min_n"] in MIN_N_CHOICES else 0
        self.best_dsub_exponent = max(int(math.log2(params["dsub"])), 1)
        if bucket_rows(params):
            self.best_nonzero_buckets = int(params["buckets"])

    def _step(self, name: str, value, progress: float):
        low, high, start, end, additive = _STEPS[name]
        spread = start - (start - end) / 0.5 * min(0.5, max(progress - 0.25, 0.0))
        change = self.rng.normal(0.0, spread)
        moved = value + change if additive else value * 2.0 ** change
        moved = moved if isinstance(value, float) else int(moved)  # fastText truncates whole numbers
        return min(max(moved, low), high)

    def ask(self, progress: float) -> dict:
        """The next trial's settings; ``progress`` (0 to 1) is the share of the time (or trials) gone."""
        self.asked += 1
        if self.asked == 1:
            return dict(self.best)
        params, fixed = dict(self.best), self.fixed
        for name in ("epochs", "lr", "dim", "word_ngrams"):
            moved = self._step(name, params[name], progress)
            params[name] = params[name] if name in fixed else moved
        dsub = 2 ** self._step("dsub_exponent", self.best_dsub_exponent, progress)
        params["dsub"] = params["dsub"] if "dsub" in fixed else dsub
        min_n = MIN_N_CHOICES[self._step("min_n_index", self.best_min_n_index, progress)]
        params["min_n"] = params["min_n"] if "min_n" in fixed else min_n
        if "max_n" not in fixed:
            params["max_n"] = 0 if params["min_n"] == 0 else params["min_n"] + 3
        buckets = self._step("buckets", self.best_nonzero_buckets, progress)
        params["buckets"] = params["buckets"] if "buckets" in fixed else buckets
        params["loss"] = params["loss"] if "loss" in fixed else "softmax"
        return params


def cutoff_for_size(size: int, dim: int, n_labels: int, dsub: int, qnorm: bool = True,
                    qout: bool = False) -> int:
    """The input rows a quantized model of ``size`` bytes can keep (fastText's estimate), at least 256.

    Examples
    --------
    >>> cutoff_for_size(2_000_000, 100, 10, 2)
    31040
    """
    if qout:
        output_bytes = 21 + n_labels * ((dim + 1) // 2) + 16 + 4 * dim * 256 + (n_labels if qnorm else 0)
    else:
        output_bytes = 16 + 4 * n_labels * dim
    target = size - 107 - 4 * 256 * dim - output_bytes
    per_row = (dim + dsub - 1) // dsub + (1 if qnorm else 0) + 10
    return max(int(target / per_row), CUTOFF_LIMIT)


class _TrialTimeout(Exception):
    """The deadline passed while a trial trained."""


class _Skipped(Exception):
    """A trial's model too large to hold, or unable to fit the model size asked for."""


class _Deadline(TrainingCallbacks):
    """Stops a trial at the end of a chunk once the search's time is up; moves the progress line. With
    ``give_up``, also a trial whose pace so far says it cannot finish before the deadline (:class:`_Skipped`)."""

    def __init__(self, deadline: float, tick, give_up: bool = False):
        self.deadline, self.tick, self.give_up = deadline, tick, give_up
        self.began, self.total, self.done = time.perf_counter(), 0, 0

    def started(self, state, total: int, unit: str = "word") -> None:
        self.total, self.done = total, 0

    def advanced(self, done: int, loss: float) -> None:
        self.tick()
        now = time.perf_counter()
        if now > self.deadline:
            raise _TrialTimeout
        self.done += done
        if self.give_up and 0 < self.done < self.total:
            if self.began + (now - self.began) * self.total / self.done > self.deadline:
                raise _Skipped("too slow for the time left")


@dataclass
class _Validation:
    """The validation lines: their text, and their gold labels (with the prefix)."""

    texts: list
    gold: list
    labels: set = field(default_factory=set)


def _read_validation(path: Path, label_prefix: str, reading: dict) -> _Validation:
    if not path.is_file():
        raise ParameterError(f"{path}: no such validation file")
    prefix = label_prefix.encode()
    texts, gold = [], []
    for block in iter_labelled(path, label_prefix=label_prefix, **reading):
        for line in block.split(b"\n")[:-1]:
            names = [t.decode("utf-8", "replace") for t in line.split() if t.startswith(prefix)]
            if names:
                texts.append(line)
                gold.append(names)
    if not texts:
        raise ParameterError(f"{path}: no validation line holds a label ('{label_prefix}...') to score against")
    return _Validation(texts, gold, {name for names in gold for name in names})


def _training_labels(blocks: list, label_prefix: str) -> set:
    """Every label the training lines hold (a word starting with the prefix, fastText's separators)."""
    pattern = re.compile(rb"(?<![^ \t\n\r\v\f\x00])" + re.escape(label_prefix.encode()) + rb"[^ \t\n\r\v\f\x00]*")
    return {m.decode("utf-8", "replace") for block in blocks for m in set(pattern.findall(block))}


def _memory_limit() -> int:
    try:
        free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        free = 8 << 30
    return int(free * MEMORY_SHARE)


@dataclass
class _Search:
    """What every trial shares: the data, the metric, the limits and the bar."""

    blocks: list
    validation: _Validation
    metric: Metric
    predictions: int
    model_size: int | None
    deadline: float
    memory_limit: int
    cost: TrialCost
    tick: object = None
    set_aside: int = 0
    by_clock: bool = True  # the search ends at the deadline (not after max_trials): slow samples are left out


def _train_trial(search: _Search, params: dict) -> FastTextSupervised:
    """One trial's model (quantized to the size asked for); :class:`_Skipped` if too large to hold or to fit."""
    corpus = encode(search.blocks, params)
    rows = len(corpus.words) + bucket_rows(params)
    if rows * int(params["dim"]) * 4 > search.memory_limit:
        raise _Skipped("too large for memory")
    run = train_supervised(corpus, {**params, "bucket_rows": bucket_rows(params)},
                           _Deadline(search.deadline, search.tick, give_up=search.by_clock))
    if not np.isfinite(run.output).all():  # fastText's "Encountered NaN": the sample is dropped
        raise _Skipped("diverged")
    model = FastTextSupervised.from_arrays(
        corpus.words, corpus.labels, run.input, run.output, loss=params["loss"], word_ngrams=params["word_ngrams"],
        minn=params["min_n"], maxn=params["max_n"], word_counts=corpus.word_counts,
        label_counts=corpus.label_counts)
    model.args.update(epoch=params["epochs"], min_count=params["min_count"], neg=params["negative"])
    if search.model_size is None:
        return model
    return _quantized(model, params, search)


def _quantized(model: FastTextSupervised, params: dict, search: _Search) -> FastTextSupervised:
    """fastText's quantization for a model size; :class:`_Skipped` where it needs a cutoff below 256 rows."""
    from .classifier_quantize import quantize_model, settings_for

    qout = len(model.labels) >= CUTOFF_LIMIT
    cutoff = cutoff_for_size(search.model_size, int(params["dim"]), len(model.labels), int(params["dsub"]),
                             qnorm=True, qout=qout)
    if cutoff == CUTOFF_LIMIT:
        raise _Skipped("does not fit the model size")
    settings = settings_for(model, params, cutoff=cutoff, qnorm=True, qout=qout, dsub=int(params["dsub"]))
    try:
        return quantize_model(model, settings, retrain=iter(search.blocks))
    except ParameterError as why:  # fewer than 256 rows: nothing to product-quantize
        raise _Skipped(f"cannot be quantized: {why}") from None


def _score(model: FastTextSupervised, search: _Search, threads) -> float:
    """The metric on the validation lines (gold labels the model lacks ignored, as fastText does)."""
    clf = Classifier.from_fasttext(model)
    index = {name: i for i, name in enumerate(clf.labels_)}
    predicted, probabilities = clf.predict(search.validation.texts, k=search.predictions, threads=threads)
    meter = Meter()
    for gold, names, probs in zip(search.validation.gold, predicted, probabilities):
        known = [index[name] for name in gold if name in index]
        if known:
            meter.log(known, [index[name] for name in names], probs)
    label = -1 if search.metric.label is None else index.get(search.metric.label, None)
    if label is None:
        raise ParameterError(f"unknown autotune metric label {search.metric.label!r}: the classifier's labels are "
                             f"{', '.join(clf.labels_[:10])}{' ...' if len(clf.labels_) > 10 else ''}")
    return meter.score(search.metric, label)


def _better(record: dict, best: dict | None) -> bool:
    """A scored trial beats the best so far; a score of None (NaN: nothing to count) beats only no trial."""
    if record["status"] != "scored":
        return False
    if best is None:
        return True
    return record["score"] is not None and (best["score"] is None or record["score"] > best["score"])


def _shown(params: dict, model_size) -> str:
    """The tuned settings, short (buckets only where n-grams use them, dsub only with a model size)."""
    parts = [f"epochs={params['epochs']}", f"lr={params['lr']:.3g}", f"dim={params['dim']}",
             f"ngrams={params['word_ngrams']}", f"minn={params['min_n']}", f"maxn={params['max_n']}",
             f"buckets={bucket_rows(params)}"]
    return " ".join(parts + ([f"dsub={params['dsub']}"] if model_size else []))


def _best_text(best: dict | None, model_size) -> str:
    """The best score so far and its settings, for the progress line."""
    if best is None:
        return "none yet"
    score = "nan" if best["score"] is None else f"{best['score']:.4f}"
    return f"{score} ({_shown(best['params'], model_size)})"


def _tuned(params: dict, model_size) -> dict:
    """The settings autotune chose among (``dsub`` only with a model size)."""
    kept = {name: params[name] for name in TUNED if name != "dsub" or model_size}
    kept["buckets"] = bucket_rows(params)  # 0 where no n-gram uses them, as fastText reports it
    return kept


@dataclass
class AutotuneResult:
    """What :func:`autotune_classifier` gives back: the final classifier, where it was saved, the figures
    (``info["autotune"]``: metric, best settings and score, trials, each trial's settings and score)."""

    classifier: Classifier
    path: Path | None
    info: dict
    warnings: list = field(default_factory=list)


def _progress_bar(show: bool, duration: float):
    from tqdm.auto import tqdm

    return tqdm(total=round(duration, 1), unit="s", file=sys.stderr, disable=not show, dynamic_ncols=True,
                bar_format="{percentage:3.0f}%|{bar:10}| {desc}")


def _run_trials(search: _Search, strategy: AutotuneStrategy, duration: float, max_trials, show: bool) -> list:
    """Trials until the deadline (or ``max_trials``); each trial's record, the best one marked."""
    started, history, best = time.perf_counter(), [], None
    bar = _progress_bar(show, duration)
    search.tick = lambda: bar.update(round(min(time.perf_counter() - started, duration), 1) - bar.n)
    search.by_clock = max_trials is None
    try:
        while time.perf_counter() < search.deadline and (max_trials is None or len(history) < max_trials):
            progress = min(len(history) / max_trials if max_trials else (time.perf_counter() - started) / duration, 1.0)
            if max_trials:  # narrowing by trials: the same samples whatever the clock says
                params = strategy.ask(progress)
            else:
                params, set_aside = affordable(lambda: strategy.ask(progress), search.cost,
                                               search.deadline - time.perf_counter())
                search.set_aside += set_aside
            bar.set_description_str(f"{len(history)} trials done, now {_shown(params, search.model_size)} | "
                                    f"best {_best_text(best, search.model_size)}")
            record = _one_trial(search, params)
            if record is None:
                break
            history.append(record)
            if record["status"] == "scored":
                search.cost.learn(params, record["seconds"])
            if _better(record, best):
                best = record
                strategy.update_best(params)
            search.tick()
    finally:
        bar.close()
    return history


def _one_trial(search: _Search, params: dict) -> dict | None:
    """Train and score one trial: its record, or None where the deadline stopped it."""
    began = time.perf_counter()
    record = {"params": dict(params), "score": None}
    try:
        model = _train_trial(search, params)
    except _TrialTimeout:
        return None
    except _Skipped as why:
        return {**record, "status": str(why), "seconds": round(time.perf_counter() - began, 3)}
    except MemoryError:  # as fastText skips a sample asking too much memory
        return {**record, "status": "too large for memory", "seconds": round(time.perf_counter() - began, 3)}
    score = _score(model, search, params["threads"])
    return {**record, "status": "scored", "score": None if math.isnan(score) else score,
            "seconds": round(time.perf_counter() - began, 3)}


def _check_request(duration, predictions, max_trials, out, model_size) -> None:
    """One line for a request that cannot work, before anything is read."""
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or not duration > 0:
        raise ParameterError(f"the autotune duration needs to be a number of seconds above 0, got {duration!r}")
    if isinstance(predictions, bool) or not isinstance(predictions, (int, np.integer)) or predictions < 1:
        raise ParameterError(f"autotune predictions needs to be a whole number of at least 1, got {predictions!r}")
    if max_trials is not None and (isinstance(max_trials, bool) or not isinstance(max_trials, int) or max_trials < 1):
        raise ParameterError(f"max_trials needs to be a whole number of at least 1, got {max_trials!r}")
    if out is not None and (model_size is not None) != (Path(out).suffix == ".ftz"):
        raise ParameterError("with a model size the quantized model is written as a .ftz file: give --out NAME.ftz"
                             if model_size is not None else
                             f"{out}: a .ftz file is written only with a model size (--autotune-model-size)")


def _check_out(out, size, inputs: list) -> None:
    """The classifier directory, or the .ftz and its record beside it, can be written."""
    if out is not None and size is None:
        check_writable_directory(out, "classifier directory", inputs=inputs, foreign=foreign_to_classifier)
    elif out is not None:
        check_writable_file(out, "quantized model file", inputs=inputs)
        check_writable_file(Path(out).with_suffix(".autotune.json"), "autotune result file", inputs=inputs)


def _settings(params: dict) -> tuple[dict, set]:
    """Every setting (fastText's defaults where not given; ``dsub`` 2) and those given, kept fixed."""
    dsub = params.pop("dsub", None)
    unknown = sorted(set(params) - set(classifier_defaults()))
    if unknown:
        raise ParameterError(f"unknown classifier parameter {unknown[0]!r}: choose from "
                             f"{', '.join(classifier_defaults())}")
    values = {**classifier_defaults(), **params}
    check_classifier(values)
    if dsub is not None and dsub not in (2, 4, 8, 16):
        raise ParameterError(f"dsub for autotune needs to be 2, 4, 8 or 16, got {dsub!r}")
    fixed = set(params) & set(TUNED) | ({"dsub"} if dsub is not None else set())
    return {**values, "dsub": dsub or 2}, fixed


def _check_labels(search: _Search, training: set, path) -> list:
    """Warnings for validation labels the training data lacks; the metric's label must be known."""
    label = search.metric.label
    if label is not None and label not in training:
        raise ParameterError(f"unknown autotune metric label {label!r}: the training data has no such label")
    missing = sorted(search.validation.labels - training)
    if not missing:
        return []
    return [f"{path}: {len(missing)} validation label(s) the training data lacks, ignored in scoring as fastText "
            f"ignores them: {', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}"]


def autotune_classifier(corpus, validation, out=None, *, duration: float = DEFAULT_DURATION, metric: str = "f1",
                        predictions: int = 1, model_size=None, max_trials: int | None = None,
                        format: str = "auto", label_column: str | None = None, text_column: str | None = None,
                        progress: bool = True, **params) -> AutotuneResult:
    """Search the classifier settings that score best on ``validation``, as fastText's autotune does.

    Parameters
    ----------
    corpus : list of paths
        The training data (any input ``wordvec classify train`` reads); held in memory for the search.
    validation : path
        Labelled lines to score each trial on (read the same way).
    out : path, optional
        Where the final model goes: a classifier directory (its ``classifier.json`` holds
        ``info["autotune"]``), or with ``model_size`` a ``.ftz`` file with ``NAME.autotune.json`` beside it.
    duration : float
        Seconds of search (default 300); the last trial is stopped when time is up.
    metric : str
        ``f1``, ``f1:LABEL``, ``precisionAtRecall:P[:LABEL]``, ``recallAtPrecision:P[:LABEL]`` (P in percent).
    predictions : int
        Labels predicted per validation line (fastText's ``-autotune-predictions``).
    model_size : str or int, optional
        The largest ``.ftz`` wanted (``"2M"``): each candidate is quantized to fit.
    max_trials : int, optional
        Stop after this many trials; the search then narrows by trials, not by the clock (repeatable).
    **params
        Classifier settings; those given are kept fixed (``dsub`` too, with ``model_size``).

    Returns
    -------
    AutotuneResult

    Raises
    ------
    ParameterError
        A bad setting, metric or size; an unknown metric label; no trial finished in time (give a longer
        duration) or none fitted the model size.
    """
    values, fixed = _settings(dict(params))
    size = parse_model_size(model_size)
    _check_request(duration, predictions, max_trials, out, size)
    chosen = parse_metric(metric)
    sources = [Path(p) for p in ([corpus] if isinstance(corpus, (str, Path)) else corpus)]
    if not sources:
        raise ParameterError("give the labelled data to train on (a file or a folder)")
    _check_out(out, size, [*sources, Path(validation)])
    reading = {"format": format, "label_column": label_column, "text_column": text_column}
    search, labels = _new_search(sources, Path(validation), reading, values["label_prefix"], chosen,
                                 (int(predictions), size, float(duration)))
    warnings = _check_labels(search, labels, validation)
    blocks = search.blocks
    history = _run_trials(search, AutotuneStrategy(values, values["seed"], fixed), float(duration), max_trials,
                          progress)
    best = _best_trial(history, duration)
    summary = {"metric": chosen.text, "predictions": int(predictions), "duration": float(duration),
               "trials": len(history), "set_aside": search.set_aside, "best_score": best["score"],
               "best": _tuned(best["params"], size),
               "fixed": sorted(fixed), "model_size": size, "history": history, "warnings": warnings,
               "corpus": [str(p) for p in sources], "validation": str(validation)}
    return _finish(blocks, best["params"], search, summary, out, progress)


def _new_search(sources: list, validation: Path, reading: dict, prefix: str, metric: Metric, limits: tuple):
    """The search's shared state (``limits``: predictions, model size, seconds of search from when the data
    are read), and the training labels."""
    valid = _read_validation(validation, prefix, reading)
    blocks = [block for source in sources for block in iter_labelled(source, label_prefix=prefix, **reading)]
    labels = _training_labels(blocks, prefix)
    predictions, size, duration = limits
    cost = TrialCost(CorpusShape.of(blocks, labels, prefix))
    return _Search(blocks, valid, metric, predictions, size, time.perf_counter() + duration, _memory_limit(),
                   cost), labels


def _best_trial(history: list, duration) -> dict:
    """The best trial (the first of equal scores, as fastText keeps it); one line where none was scored."""
    best = None
    for record in history:
        best = record if _better(record, best) else best
    if best is not None:
        return best
    if history:
        raise ParameterError("no trial fitted the model size: ask for a larger --autotune-model-size")
    raise ParameterError(f"not one trial finished within {duration:g} s: give a longer --autotune-duration")


def _finish(blocks: list, best: dict, search: _Search, summary: dict, out, progress: bool) -> AutotuneResult:
    """Train the best settings again (as fastText does), score and save that model."""
    params = {name: value for name, value in best.items() if name != "dsub"}
    model, info = fit_classifier(iter(blocks), params, progress=progress)
    if search.model_size is not None:
        model = _quantized(model, best, search)
    final = _score(model, search, params["threads"])
    summary["final_score"] = None if math.isnan(final) else final
    info["autotune"] = summary
    info["corpus"] = summary["corpus"]
    if out is None:
        return AutotuneResult(Classifier.from_fasttext(model), None, info, summary["warnings"])
    if search.model_size is None:
        save_classifier_dir(out, model, params=params, info=info)
        return AutotuneResult(load_classifier(out), Path(out), info, summary["warnings"])
    from .classifier_quantize import save_ftz

    save_ftz(model, out)
    with atomic_open(Path(out).with_suffix(".autotune.json"), what="autotune result file") as handle:
        json.dump({**info, "bytes": Path(out).stat().st_size}, handle, indent=2, default=_plain)
    return AutotuneResult(load_classifier(out), Path(out), info, summary["warnings"])


def _plain(value):
    """JSON for NumPy numbers."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON")
