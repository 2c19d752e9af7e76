"""What a run shows and times: the reading bar, and the training bar and clock.

The estimator (:class:`wordvec.model.Word2Vec`) makes them: a :class:`ReadingBar`
counts the words read, and a :class:`TrainingMonitor` is the engine's
:class:`~wordvec.engines.TrainingCallbacks`, which hands every finished epoch
back to the estimator. Bars go to standard error, notes (a model summary) to
standard output, and nothing is shown when ``show`` is false.

>>> bar = ReadingBar(False)
>>> bar(10); bar.close()
>>> monitor = TrainingMonitor(False, epochs=1, first_epoch=0, on_epoch=lambda epoch, loss, state: None)
>>> monitor.seconds()
0.0
"""

from __future__ import annotations

import sys
import time
from typing import Callable

from .engines import EngineState, TrainingCallbacks


class ReadingBar:
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


class TrainingMonitor(TrainingCallbacks):
    """The estimator's side of the engine callbacks: progress bar, clock, and each finished
    epoch handed to ``on_epoch(epoch, mean_loss, state)``.

    The clock and the bar start when the engine calls :meth:`started`, after its setup
    and warm-up; ``live`` is then the state the engine trains in place.
    """

    def __init__(self, show: bool, epochs: int, first_epoch: int,
                 on_epoch: Callable[[int, float, EngineState | None], None]):
        self.show = show
        self.epochs = epochs
        self.on_epoch = on_epoch
        self.first_epoch = first_epoch
        self.epoch = first_epoch + 1
        self.live = None
        self.bar = None
        self.started_at = None
        self.ended_at = None

    def started(self, state, total: int, unit: str = "word") -> None:
        self.live = state
        self.started_at = time.perf_counter()
        if self.show:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=total, unit=unit, unit_scale=True, smoothing=0.1, dynamic_ncols=True)

    def advanced(self, done: int, loss: float) -> None:
        if self.bar is not None:
            self.bar.set_description(f"epoch {self.epoch}/{self.epochs}")
            self.bar.set_postfix_str(f"loss={loss:.4f}", refresh=False)
            self.bar.update(done)

    def epoch_finished(self, epoch: int, loss: float, state) -> None:
        self.epoch = epoch + 1
        self.on_epoch(epoch, loss, state)

    def note(self, text: str) -> None:
        if self.show:
            from tqdm.auto import tqdm

            tqdm.write(text.rstrip("\n"), file=sys.stdout)

    def seconds(self) -> float:
        """Seconds of training: from :meth:`started` to :meth:`close` (or now)."""
        if self.started_at is None:
            return 0.0
        return (self.ended_at or time.perf_counter()) - self.started_at

    def close(self) -> None:
        if self.ended_at is None and self.started_at is not None:
            self.ended_at = time.perf_counter()
        if self.bar is not None:
            self.bar.close()
            self.bar = None
