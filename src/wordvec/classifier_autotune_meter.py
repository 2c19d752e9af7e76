"""What autotune maximizes: fastText's ``-autotune-metric`` parsed, and its ``Meter`` scoring predictions.

A metric is written as fastText writes it: ``f1`` (F1 over all labels),
``f1:LABEL``, ``precisionAtRecall:P`` (the best precision at a recall of at
least P percent), ``recallAtPrecision:P``, and either of those with ``:LABEL``.
:class:`Meter` counts as fastText's ``Meter`` does: per validation line its
gold labels (those the model knows) and its ``k`` predictions with their
probabilities; the precision-recall curve walks the predictions from the most
probable down, tied probabilities taken together.

>>> meter = Meter()
>>> meter.log([0], [0], [0.9])
>>> meter.log([1], [0], [0.6])
>>> meter.log([1], [1], [0.8])
>>> round(meter.score(parse_metric("f1")), 4), meter.score(parse_metric("f1:b"), label_id=1)
(0.6667, 0.6666666666666666)
>>> meter.score(parse_metric("precisionAtRecall:50")), meter.score(parse_metric("recallAtPrecision:100"))
(1.0, 0.6666666666666666)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .errors import ParameterError

#: The metric names ``--autotune-metric`` takes (fastText's).
METRICS = ("f1", "precisionAtRecall", "recallAtPrecision")
_ALL_LABELS = -1
_UNITS = {"k": 1000, "K": 1000, "m": 1000_000, "M": 1000_000, "g": 1000_000_000, "G": 1000_000_000}


@dataclass(frozen=True)
class Metric:
    """A parsed metric: ``name`` (one of :data:`METRICS`), ``value`` (the recall or precision asked
    for, a fraction; None for F1) and ``label`` (None: every label)."""

    name: str
    value: float | None = None
    label: str | None = None

    @property
    def text(self) -> str:
        """The metric as ``--autotune-metric`` writes it."""
        parts = [self.name] + ([f"{self.value * 100:g}"] if self.value is not None else []) + \
            ([self.label] if self.label is not None else [])
        return ":".join(parts)


def parse_metric(text: str) -> Metric:
    """Read ``--autotune-metric`` as fastText does (a percentage for P); one line for anything else.

    Examples
    --------
    >>> parse_metric("f1:__label__baking")
    Metric(name='f1', value=None, label='__label__baking')
    >>> parse_metric("precisionAtRecall:30:__label__a")
    Metric(name='precisionAtRecall', value=0.3, label='__label__a')
    >>> parse_metric("accuracy")
    Traceback (most recent call last):
    wordvec.errors.ParameterError: unknown autotune metric 'accuracy': f1, f1:LABEL, precisionAtRecall:P[:LABEL] \
or recallAtPrecision:P[:LABEL] (P in percent)
    """
    name, _, rest = str(text).partition(":")
    if name not in METRICS or (name != "f1" and not rest) or (name == "f1" and ":" in str(text) and not rest):
        raise ParameterError(f"unknown autotune metric {text!r}: f1, f1:LABEL, precisionAtRecall:P[:LABEL] or "
                             "recallAtPrecision:P[:LABEL] (P in percent)")
    if name == "f1":
        return Metric("f1", None, rest or None)
    number, _, label = rest.partition(":")
    try:
        value = float(number)
    except ValueError:
        value = float("nan")
    if not 0 <= value <= 100:
        raise ParameterError(f"autotune metric {text!r}: {number!r} is not a percentage from 0 to 100")
    if rest.endswith(":") and not label:
        raise ParameterError(f"autotune metric {text!r}: the label after the last ':' is missing")
    return Metric(name, value / 100.0, label or None)


def parse_model_size(text) -> int | None:
    """``--autotune-model-size`` in bytes: a whole number with an optional k, M or G (powers of 1000).

    Examples
    --------
    >>> parse_model_size("2M"), parse_model_size("800k"), parse_model_size(None)
    (2000000, 800000, None)
    >>> parse_model_size("2MB")
    Traceback (most recent call last):
    wordvec.errors.ParameterError: cannot read the model size '2MB': a whole number of bytes, or with k, M or G
    """
    if text is None or text == "":
        return None
    body = str(text)
    multiplier = _UNITS.get(body[-1], 1)
    digits = body[:-1] if body[-1] in _UNITS else body
    if not digits.isdigit() or int(digits) * multiplier < 1:
        raise ParameterError(f"cannot read the model size {text!r}: a whole number of bytes, or with k, M or G")
    return int(digits) * multiplier


class Meter:
    """fastText's ``Meter``: gold labels, predictions and their probabilities, over all labels and per label.

    Examples
    --------
    >>> meter = Meter()
    >>> meter.log([0, 1], [0, 2], [0.5, 0.3])
    >>> meter.precision(), meter.recall(), meter.f1()
    (0.5, 0.5, 0.5)
    """

    def __init__(self):
        self.examples = 0
        self.totals = [0, 0, 0]  # gold, predicted, predicted and gold
        self.per_label: dict[int, list] = {}
        self.scored: dict[int, list] = {}  # label -> [(probability, 1.0 if gold else 0.0)]

    def log(self, gold, predicted, probabilities) -> None:
        """One validation line: its gold label ids, the predicted ids and their probabilities."""
        self.examples += 1
        self.totals[0] += len(gold)
        self.totals[1] += len(predicted)
        for label, probability in zip(predicted, probabilities):
            counts = self.per_label.setdefault(label, [0, 0, 0])
            counts[1] += 1
            hit = label in gold
            counts[2] += hit
            self.totals[2] += hit
            self.scored.setdefault(label, []).append((min(float(probability), 1.0), 1.0 if hit else 0.0))
        for label in gold:
            self.per_label.setdefault(label, [0, 0, 0])[0] += 1

    def precision(self) -> float:
        gold, predicted, hits = self.totals
        return hits / predicted if predicted else math.nan

    def recall(self) -> float:
        gold, predicted, hits = self.totals
        return hits / gold if gold else math.nan

    def f1(self, label_id: int = _ALL_LABELS) -> float:
        """F1 over all labels (from the overall precision and recall), or of one label."""
        if label_id != _ALL_LABELS:
            gold, predicted, hits = self.per_label.get(label_id, [0, 0, 0])
            return 2 * hits / (predicted + gold) if predicted + gold else math.nan
        precision, recall = self.precision(), self.recall()
        return 2 * precision * recall / (precision + recall) if precision + recall != 0 else math.nan

    def curve(self, label_id: int = _ALL_LABELS) -> list[tuple[float, float]]:
        """The (precision, recall) points from the most probable prediction down, up to full recall, then (1, 0)."""
        if label_id == _ALL_LABELS:
            pairs = [pair for label in self.scored for pair in self.scored[label]]
            golds = self.totals[0]
        else:
            pairs = list(self.scored.get(label_id, []))
            golds = self.per_label.get(label_id, [0, 0, 0])[0]
        counts, true, false, last = [], 0, 0, None
        for probability, gold in sorted(pairs, reverse=True):
            true, false = true + (gold == 1.0), false + (gold != 1.0)
            if counts and probability == last:  # tied probabilities count together
                counts[-1] = (true, false)
            else:
                counts.append((true, false))
            last = probability
        if not counts:
            return []
        full = next((i for i, (true, _) in enumerate(counts) if true >= golds), len(counts) - 1)
        points = [(t / (t + f) if t + f else 0.0, t / golds if golds else math.nan) for t, f in counts[:full + 1]]
        return points + [(1.0, 0.0)]

    def score(self, metric: Metric, label_id: int = _ALL_LABELS) -> float:
        """The metric's value (``label_id``: the metric's label, as the model numbers it)."""
        if metric.name == "f1":
            return self.f1(label_id)
        points = self.curve(label_id)
        if metric.name == "precisionAtRecall":
            return max([p for p, r in points if r >= metric.value], default=0.0)
        return max([r for p, r in points if p >= metric.value], default=0.0)
