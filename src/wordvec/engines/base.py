"""The contract every training engine implements.

An engine trains; it does not read files, print, or save. The estimator
(:class:`wordvec.model.Word2Vec`) reads and encodes the corpus, validates the
parameters, owns the progress bar and the checkpoints, and calls
:meth:`Engine.train` once per run:

- it receives a :class:`TrainingData` (the vocabulary and the encoded corpus
  for engines whose ``input`` is ``"tokens"``, or the texts themselves for
  engines that tokenize their own way, ``input = "texts"``), the parameters it
  declares in ``parameters`` (already validated, defaults filled in), a
  :class:`TrainingCallbacks`, and optionally an :class:`EngineState` to go on
  from (a checkpoint's);
- it gives back an :class:`EngineState`: the vectors (with their words) and
  whatever it needs to continue or resume.

A minimal engine, to show the shape (it learns nothing)::

    class RandomEngine(Engine):
        name = "random"
        description = "random vectors (a demonstration)"
        input = "tokens"
        parameters = frozenset({"dim", "epochs", "seed"})

        def train(self, data, params, callbacks, start=None):
            rng = np.random.default_rng(params["seed"])
            matrix = rng.random((len(data.vocabulary), params["dim"]), dtype=np.float32)
            state = EngineState(data.vocabulary.words, data.vocabulary.counts, matrix)
            callbacks.started(state, total=params["epochs"], unit="epoch")
            for epoch in range(params["epochs"]):
                callbacks.advanced(1, float("nan"))
                state.epoch_losses.append(0.0)
                callbacks.epoch_finished(epoch + 1, 0.0, state)
            return state

Register it in ``wordvec/engines/__init__.py`` (``ENGINES``) and it is offered
by ``wordvec train --engine``, :func:`wordvec.train` and the docs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar, Sequence

import numpy as np

from ..params import defaults_of
from ..threads import resolve_threads  # noqa: F401  (engines use it from here)


@dataclass(frozen=True)
class TrainingData:
    """What an engine trains on: tokens (with their vocabulary) or texts.

    Attributes
    ----------
    vocabulary : Vocabulary or None
        The vocabulary, row ``i`` of the vectors for word ``i`` (tokens engines).
    corpus : TokenCorpus or None
        Token ids and document boundaries (tokens engines).
    texts : sequence of str or None
        The documents as read (texts engines).
    """

    vocabulary: Any = None
    corpus: Any = None
    texts: Sequence[str] | None = None


@dataclass
class EngineState:
    """An engine's result, and what it goes on from.

    Attributes
    ----------
    words : list of str
        Row ``i`` of ``input_weights`` is the vector of ``words[i]``.
    counts : ndarray or None
        Corpus count of each word.
    input_weights : ndarray
        The word vectors (float32, ``len(words) x dim``). Engines may update it
        in place while training: the estimator saves it on Ctrl-C.
    output_weights : ndarray or None
        The context weights, where the engine has them and needs them to continue.
    epoch_losses : list of float
        Mean loss of each finished epoch; its length is the number of epochs done.
    unknown : str or None, default="UNK"
        The word of a row that stands for every unknown word (row 0), if any.
    raw_words : int or None
        Corpus words per epoch, where the engine counts words.
    subwords : dict or None
        For subword engines: ``{"bucket_rows": ..., "min_n": ..., "max_n": ...}``
        (see :class:`~wordvec.vectors.SubwordVectors`); ``input_weights`` then
        holds the word rows followed by the trained n-gram rows.
    hs_weights : ndarray or None
        With hierarchical softmax (``hs``): the rows of the Huffman tree's inner nodes
        (float32, ``len(words) - 2`` rows, the root first; :meth:`wordvec.vocab.Vocabulary.huffman_tree`),
        needed to continue. ``output_weights`` still holds the negative-sampling rows (zeros, and
        never trained, with ``negative=0``).
    """

    words: list
    counts: Any
    input_weights: np.ndarray
    output_weights: np.ndarray | None = None
    epoch_losses: list = field(default_factory=list)
    unknown: str | None = "UNK"
    raw_words: int | None = None
    subwords: dict | None = None
    hs_weights: np.ndarray | None = None

    @property
    def epochs_done(self) -> int:
        return len(self.epoch_losses)


class TrainingCallbacks:
    """How an engine reports while it trains. The estimator's implementation drives
    the progress bar and the checkpoints; this base class does nothing."""

    def started(self, state: EngineState, total: int, unit: str = "word") -> None:
        """Weights exist (``state``); ``total`` units of work are to come."""

    def advanced(self, done: int, loss: float) -> None:
        """``done`` more units of work are finished; ``loss`` is the recent mean loss."""

    def epoch_finished(self, epoch: int, loss: float, state: EngineState) -> None:
        """Epoch ``epoch`` (counted from 1) is done with mean loss ``loss``."""

    def note(self, text: str) -> None:
        """Something for the user to read before training starts (a model summary, say);
        the estimator prints it, since engines never print."""


class Engine(ABC):
    """A trainer. Subclasses set the class attributes and implement :meth:`train`.

    Attributes
    ----------
    name : str
        The name users pick it by (``--engine NAME``).
    description : str
        One line for ``--help`` and the docs.
    input : {"tokens", "texts"}
        What :meth:`train` receives in its :class:`TrainingData`.
    parameters : frozenset of str
        The estimator parameters it honours; any other parameter set away from
        its default is refused with one line before any work. wordvec's engines
        take theirs from the table (:func:`wordvec.params.engine_parameters`).
    checkpoints : bool
        Whether a run can be checkpointed and resumed (``start`` is honoured, and
        :meth:`initial_state` gives fresh weights, from which ``update()`` takes the
        rows of new words).
    default_lr : dict or None
        For engines that take ``lr``: the starting learning rate of each ``model``
        when ``lr`` is None (the estimator refuses a ``min_lr`` above it);
        wordvec's engines take theirs from :data:`wordvec.params.DEFAULT_LR`.
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    input: ClassVar[str] = "tokens"
    parameters: ClassVar[frozenset] = frozenset()
    checkpoints: ClassVar[bool] = False
    default_lr: ClassVar[dict | None] = None

    @classmethod
    def defaults(cls) -> dict:
        """The default of every parameter it takes (:mod:`wordvec.params`), as :meth:`train` gets them."""
        return defaults_of(cls.parameters)

    @abstractmethod
    def train(self, data: TrainingData, params: dict, callbacks: TrainingCallbacks,
              start: EngineState | None = None) -> EngineState:
        """Train on ``data`` with ``params``; go on from ``start`` when given."""

    def initial_state(self, vocabulary, params: dict) -> EngineState:
        """The weights a run starts from for ``vocabulary`` (engines with ``checkpoints``)."""
        raise NotImplementedError(f"the {self.name} engine cannot continue training")
