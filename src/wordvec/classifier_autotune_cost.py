"""What an autotune trial is expected to take, so that a sample that cannot finish in the time left is drawn again.

A trial still training at the deadline is stopped and thrown away: in a search of a minute, one
sample of many epochs, a wide dimension and character n-grams can take the whole minute and
leave the search at its first trial. Its cost is known before it starts, up to one factor: the
work of a trial is counted in *units*, one row of ``dim`` floats read and updated once. A pass
over the training lines touches each token's rows (its word, its character n-grams, the word
n-grams that start at it) and, for each line, the rows of the output layer (every label for
softmax and one-vs-all, a path for hierarchical softmax, ``negative + 1`` for negative
sampling); a trial makes ``epochs`` passes, after filling its input matrix (counted as half a
unit per row). The seconds per unit are the median of the trials scored so far.

>>> shape = CorpusShape(tokens=1000, lines=100, labels=4, token_chars=4.0)
>>> cost = TrialCost(shape)
>>> plain = {"epochs": 5, "dim": 10, "word_ngrams": 1, "min_n": 0, "max_n": 0, "buckets": 0, "loss": "softmax"}
>>> cost.units(plain)                     # 5 passes x (1000 word rows + 100 lines x 4 labels) x 10
70000.0
>>> cost.expected(plain) is None          # nothing measured yet
True
>>> cost.learn(plain, 0.7)
>>> round(cost.expected({**plain, "epochs": 50}), 3)
7.0
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Callable

from .classifier_training import bucket_rows

#: How many samples a trial may draw to find one expected to finish before the deadline.
DRAWS = 20
#: The bytes of training data read to measure its shape (the rest is taken to be alike).
SAMPLE_BYTES = 4 << 20


@dataclass(frozen=True)
class CorpusShape:
    """The training data in the figures a trial's cost depends on."""

    tokens: int
    lines: int
    labels: int
    token_chars: float

    @classmethod
    def of(cls, blocks: list, labels: set, label_prefix: str) -> "CorpusShape":
        """Measured on the first :data:`SAMPLE_BYTES` of ``blocks`` (labelled lines, as bytes), scaled to all."""
        total = sum(len(block) for block in blocks)
        sample, taken = [], 0
        for block in blocks:
            if taken >= SAMPLE_BYTES:
                break
            sample.append(block)
            taken += len(block)
        data = b"".join(sample)
        prefix = label_prefix.encode()
        words = [token for token in data.split() if not token.startswith(prefix)]
        scale = total / max(taken, 1)
        chars = sum(map(len, words)) / max(len(words), 1)
        return cls(int(len(words) * scale), int(data.count(b"\n") * scale), max(len(labels), 1), chars)


@dataclass
class TrialCost:
    """A trial's expected seconds: its units of work times the seconds per unit of the trials scored."""

    shape: CorpusShape
    rates: list = field(default_factory=list)

    def units(self, params: dict) -> float:
        """The rows of ``dim`` floats a trial with these settings reads and updates (see the module)."""
        shape, dim = self.shape, float(params["dim"])
        per_token = 1 + max(int(params["word_ngrams"]) - 1, 0) + self._char_ngrams(params)
        per_line = {"softmax": shape.labels, "ova": shape.labels, "hs": math.log2(shape.labels) + 1,
                    "ns": int(params.get("negative", 5)) + 1}.get(params["loss"], shape.labels)
        passes = float(params["epochs"]) * (shape.tokens * per_token + shape.lines * per_line)
        return (passes + 0.5 * bucket_rows(params)) * dim

    def _char_ngrams(self, params: dict) -> float:
        """The character n-grams of a word of the mean length, ``<`` and ``>`` around it."""
        low, high = int(params["min_n"]), int(params["max_n"])
        if low <= 0 or high < low:
            return 0.0
        return float(sum(max(self.shape.token_chars + 3 - n, 0.0) for n in range(low, high + 1)))

    def learn(self, params: dict, seconds: float) -> None:
        """A trial with these settings was scored in ``seconds``."""
        self.rates.append(seconds / max(self.units(params), 1.0))

    def expected(self, params: dict) -> float | None:
        """The seconds a trial with these settings should take; None before any trial was scored."""
        if not self.rates:
            return None
        return statistics.median(self.rates) * self.units(params)


def affordable(ask: Callable[[], dict], cost: TrialCost, seconds_left: float) -> tuple[dict, int]:
    """The first of up to :data:`DRAWS` samples from ``ask`` expected to finish in ``seconds_left`` (the
    cheapest where none is), and how many were set aside."""
    params = ask()
    expected = cost.expected(params)
    if expected is None or expected <= seconds_left:
        return params, 0
    cheapest = (expected, params)
    for drawn in range(1, DRAWS):
        params = ask()
        expected = cost.expected(params)
        if expected <= seconds_left:
            return params, drawn
        if expected < cheapest[0]:
            cheapest = (expected, params)
    return cheapest[1], DRAWS
