"""The training parameters, declared once: name, default, valid range, help, the engines that take them.

The estimator (:class:`wordvec.model.Word2Vec`) checks its parameters here,
the engines take their parameter sets and default learning rates from here,
``wordvec train`` builds its options from here, and the fastText ``.bin``
header stores these defaults. It imports nothing of wordvec but the errors.

>>> defaults()["dim"], PARAMETER["dim"].engines == frozenset(ENGINE_NAMES)
(128, True)
>>> check({**defaults(), "window": 0}, engines=ENGINE_NAMES)
Traceback (most recent call last):
    ...
wordvec.errors.ParameterError: invalid window=0: must be an integer from 1 to 100000
>>> PARAMETER["lr"].flag, PARAMETER["lr"].cli_help
('--lr', 'initial learning rate (default: 0.025, CBOW 0.05)')
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from .errors import ParameterError

#: The models the word2vec engines train, in the order the kernels number them (0: skip-gram).
MODELS = ("skipgram", "cbow")
#: The engines this table knows (the registry, :mod:`wordvec.engines`, may hold more).
ENGINE_NAMES = ("keras", "native", "subword")
#: The widest context window (an item session's whole length, as item2vec sets it).
MAX_WINDOW = 100_000
#: The longest character n-gram the subword engine takes.
MAX_NGRAM = 32
#: The most worker threads a run may ask for, on any machine (a fixed bound, so that a
#: command valid on one machine is valid on every other).
MAX_THREADS = 1024
#: The starting learning rate of each model when ``lr`` is None: word2vec's for the native
#: engine, fastText's for the subword engine.
DEFAULT_LR = {"native": {"skipgram": 0.025, "cbow": 0.05}, "subword": {"skipgram": 0.05, "cbow": 0.05}}


def is_integer(value) -> bool:
    """An integer (Python's or NumPy's), not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def is_number(value) -> bool:
    """An integer or a float (Python's or NumPy's), not a bool."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _integer(low: int, high: float = math.inf, none: bool = False) -> Callable[[Any], bool]:
    """Accepts an integer from ``low`` to ``high`` (and None where ``none``)."""
    return lambda v: (none and v is None) or (is_integer(v) and low <= v <= high)


def _finite_at_least_zero(value) -> bool:
    return is_number(value) and math.isfinite(value) and value >= 0


@dataclass(frozen=True)
class Parameter:
    """One training parameter.

    Attributes
    ----------
    name : str
        The estimator's keyword; ``--name-with-dashes`` on the command line.
    default
        Its value when not given (None: see ``none_means``).
    kind : {"integer", "number", "limit", "choice", "engine", "switch", "text"}
        How the command line reads it (``limit``: an integer, or 0 for none; ``engine``:
        one of the registered engines, which the caller names; ``switch``: 1/0, true/false, yes/no).
    rules : tuple of (accepts, valid)
        Checked in order: a value ``accepts`` refuses is an error that says it must be ``valid``.
    help : str
        What it means, for ``--help`` (the engine, where only one takes it, and the default
        are added).
    engines : frozenset of str
        The engines that take it (empty for ``engine``, which picks them).
    none_means : str or None
        What a default of None means, for ``--help`` (``"all cores"``).
    then : callable or None
        A check against the parameters before it, run once it passed (``max_n``: not below ``min_n``).
    choices : tuple or None
        The values a ``choice`` takes.
    """

    name: str
    default: Any
    kind: str
    rules: tuple
    help: str
    engines: frozenset
    none_means: str | None = None
    then: Callable[[dict], None] | None = None
    choices: tuple | None = None

    @property
    def flag(self) -> str:
        """The command-line option: ``--min-count``."""
        return "--" + self.name.replace("_", "-")

    @property
    def cli_help(self) -> str:
        """The help ``wordvec train --help`` shows: the engine that takes it, its meaning, its default."""
        only = f"{next(iter(self.engines))} engine: " if len(self.engines) == 1 else ""
        default = f"(default {self.default})" if self.default is not None else f"(default: {self.none_means})"
        return f"{only}{self.help} {default}"

    def check(self, value, engines: Sequence[str] = ENGINE_NAMES) -> None:
        """Raise :class:`~wordvec.errors.ParameterError` (one line) where ``value`` is out of range;
        ``engines`` are the registered engines' names, which ``engine`` takes."""
        rules = self.rules
        if self.kind == "engine":
            rules = ((lambda v: isinstance(v, str) and v in engines, " or ".join(engines)),)
        for accepts, valid in rules:
            if not accepts(value):
                raise ParameterError.out_of_range(self.name, value, valid)


def _switch(value) -> bool:
    """True or False, or 1 or 0 as gensim's ``hs=1``."""
    return isinstance(value, (bool, np.bool_)) or (is_integer(value) and value in (0, 1))


def _check_some_loss(values: dict) -> None:
    if values["negative"] == 0 and not values.get("hs", False):
        raise ParameterError("negative=0 trains nothing without hs=True: give negative samples, hierarchical "
                             "softmax, or both")


def _check_ngram_order(values: dict) -> None:
    if values["min_n"] > values["max_n"]:
        raise ParameterError(f"min_n={values['min_n']} is larger than max_n={values['max_n']}: n-grams run "
                             "from min_n to max_n")


_ALL = frozenset(ENGINE_NAMES)
_WORD2VEC = frozenset({"native", "subword"})
_SUBWORD = frozenset({"subword"})
_NATIVE = frozenset({"native"})
_KERAS = frozenset({"keras"})
_NGRAM = ((_integer(1, MAX_NGRAM), f"an integer from 1 to {MAX_NGRAM}"),)
_LR_DEFAULT = f"{DEFAULT_LR['native']['skipgram']}, CBOW {DEFAULT_LR['native']['cbow']}"

#: Every training parameter, in the estimator's order (its signature, its checks, ``model.json``).
PARAMETERS = (
    Parameter("dim", 128, "integer", ((_integer(1, 10000), "an integer from 1 to 10000"),),
              "vector dimension", _ALL),
    Parameter("window", 5, "integer", ((_integer(1, MAX_WINDOW), f"an integer from 1 to {MAX_WINDOW}"),),
              "context window", _ALL),
    Parameter("negative", 5, "integer", ((_integer(0, 1000), "an integer from 0 to 1000"),),
              "negative samples (0: hierarchical softmax alone, with --hs)", _WORD2VEC, then=_check_some_loss),
    Parameter("epochs", 5, "integer", ((_integer(1), "an integer of at least 1"),),
              "passes over the corpus", _ALL),
    Parameter("min_count", 5, "integer", ((_integer(0), "an integer >= 0"),),
              "ignore rarer words (0 or 1: keep every word)", _WORD2VEC),
    Parameter("num_words", 20000, "limit", ((_integer(2, none=True), "an integer of at least 2, or None for no "
                                             "limit"),), "keep the N most frequent words; 0 for no limit", _ALL),
    Parameter("sample", 1e-3, "number", ((lambda v: is_number(v) and 0 <= v < 1, "a number in [0, 1)"),),
              "frequent-word subsampling", _WORD2VEC),
    Parameter("model", "skipgram", "choice", ((lambda v: v in MODELS, " or ".join(MODELS)),),
              "skip-gram or CBOW", _WORD2VEC, choices=MODELS),
    Parameter("lr", None, "number", ((lambda v: v is None or (is_number(v) and 0 < v <= 10), "a number in (0, 10]"),),
              "initial learning rate", _WORD2VEC, none_means=_LR_DEFAULT),
    Parameter("min_lr", 1e-4, "number", ((_finite_at_least_zero, "a finite number >= 0"),),
              "final learning rate", _WORD2VEC),
    Parameter("threads", None, "integer", ((_integer(1, none=True), "an integer of at least 1"),
                                           (lambda v: v is None or v <= MAX_THREADS,
                                            f"at most {MAX_THREADS} (more threads than any machine feeds)")),
              "worker threads, every engine", _ALL, none_means="all cores"),
    Parameter("seed", 1, "integer", ((_integer(0), "an integer >= 0"),), "random seed", _ALL),
    Parameter("engine", "native", "engine", (), "trainer", frozenset()),
    Parameter("hs", False, "switch", ((_switch, "True or False (1 or 0)"),),
              "hierarchical softmax (a Huffman tree over the vocabulary), alone (--negative 0) or with "
              "negative sampling", _NATIVE),
    Parameter("ns_exponent", None, "number", ((lambda v: v is None or (is_number(v) and math.isfinite(v)),
                                               "a finite number"),),
              "negatives drawn in proportion to count ** ns_exponent (negative: rare words more often)", _WORD2VEC,
              none_means="0.75, subword engine 0.5 as fastText"),
    Parameter("cbow_mean", True, "switch", ((_switch, "True or False (1 or 0)"),),
              "CBOW: the mean of the context vectors (False: their sum)", _NATIVE),
    Parameter("shrink_windows", True, "switch", ((_switch, "True or False (1 or 0)"),),
              "draw each window's reach from 1..window (False: always the whole window)", _NATIVE),
    Parameter("min_n", 3, "integer", _NGRAM, "shortest character n-gram", _SUBWORD),
    Parameter("max_n", 6, "integer", _NGRAM, "longest character n-gram", _SUBWORD, then=_check_ngram_order),
    Parameter("buckets", 2_000_000, "integer", ((_integer(1, 2**31 - 1), "an integer from 1 to 2147483647"),),
              "hash buckets for the n-grams (fewer: less memory)", _SUBWORD),
    Parameter("steps_per_epoch", None, "integer", ((_integer(1, none=True), "an integer of at least 1, or None "
                                                    "for every review"),), "reviews per epoch", _KERAS,
              none_means="all"),
    Parameter("negative_samples", 1.0, "number", ((_finite_at_least_zero, "a finite number >= 0"),),
              "negatives per positive couple", _KERAS),
)
#: name -> :class:`Parameter`.
PARAMETER = {p.name: p for p in PARAMETERS}
#: The names, in the estimator's order.
NAMES = tuple(PARAMETER)
#: The options ``wordvec train`` lists first: what to train, then how.
_CLI_FIRST = ("engine", "model")


def defaults() -> dict:
    """The default of every parameter, in the estimator's order."""
    return {p.name: p.default for p in PARAMETERS}


def defaults_of(names: Iterable[str]) -> dict:
    """The defaults of the parameters among ``names`` (an engine's ``parameters``)."""
    names = set(names)
    return {p.name: p.default for p in PARAMETERS if p.name in names}


def engine_parameters(engine: str) -> frozenset:
    """The parameters the engine named ``engine`` takes."""
    return frozenset(p.name for p in PARAMETERS if engine in p.engines)


def cli_parameters() -> list[Parameter]:
    """The parameters in the order ``wordvec train --help`` lists them."""
    return sorted(PARAMETERS, key=lambda p: _CLI_FIRST.index(p.name) if p.name in _CLI_FIRST else len(_CLI_FIRST))


def check(values: dict, engines: Sequence[str] = ENGINE_NAMES) -> None:
    """Check every parameter of ``values`` (all of them) against its range, in the table's order;
    the first out of range raises :class:`~wordvec.errors.ParameterError` (one line)."""
    for p in PARAMETERS:
        p.check(values[p.name], engines)
        if p.then is not None:
            p.then(values)


def not_taken(values: dict, taken: Iterable[str]) -> list[str]:
    """The parameters set away from their defaults that an engine, taking ``taken``, would ignore (sorted)."""
    taken = set(taken)
    return sorted(p.name for p in PARAMETERS
                  if p.name != "engine" and p.name not in taken and not _same(values[p.name], p.default))


def check_learning_rates(values: dict, engine: str, default_lr: dict | None) -> None:
    """Refuse ``min_lr`` above the starting learning rate: ``lr``, or the engine's ``default_lr`` for the model."""
    if values["lr"] is not None:
        start, whose = values["lr"], ""
    elif default_lr is not None and values["model"] in default_lr:
        start, whose = default_lr[values["model"]], f" (the {engine} engine's default for {values['model']})"
    else:
        return
    if values["min_lr"] > start:
        raise ParameterError(f"min_lr={float(values['min_lr'])!r} is above lr={float(start)!r}{whose}: the "
                             "learning rate decays from lr down to min_lr; give a smaller min_lr or a larger lr")


def _same(value, default) -> bool:
    if isinstance(default, bool):
        return _switch(value) and bool(value) == default
    return value is default or (type(value) is type(default) and value == default) or (
        isinstance(value, numbers.Number) and isinstance(default, numbers.Number)
        and not isinstance(value, bool) and value == default)


# -- the text classifier (fastText's supervised model) ---------------------------------------------

#: The losses of the classifier: softmax, negative sampling, hierarchical softmax, one-vs-all.
LOSSES = ("softmax", "ns", "hs", "ova")
_CLASSIFIER = frozenset({"supervised"})

#: The classifier's parameters (:class:`wordvec.Classifier`, ``wordvec classify train``), with
#: fastText's ``supervised`` defaults.
CLASSIFIER_PARAMETERS = (
    Parameter("dim", 100, "integer", ((_integer(1, 10000), "an integer from 1 to 10000"),),
              "vector dimension", _CLASSIFIER),
    Parameter("lr", 0.1, "number", ((lambda v: is_number(v) and 0 < v <= 10, "a number in (0, 10]"),),
              "initial learning rate (falls linearly to 0)", _CLASSIFIER),
    Parameter("epochs", 5, "integer", ((_integer(1, 100000), "an integer from 1 to 100000"),),
              "passes over the data", _CLASSIFIER),
    Parameter("loss", "softmax", "choice", ((lambda v: v in LOSSES, " or ".join(LOSSES)),),
              "loss: softmax, ns (negative sampling), hs (hierarchical softmax), ova (one-vs-all: "
              "several labels per text)", _CLASSIFIER, choices=LOSSES),
    Parameter("negative", 5, "integer", ((_integer(1, 1000), "an integer from 1 to 1000"),),
              "negatives per example (loss ns)", _CLASSIFIER),
    Parameter("word_ngrams", 1, "integer", ((_integer(1, 100), "an integer from 1 to 100"),),
              "longest word n-gram (2: bigrams too)", _CLASSIFIER),
    Parameter("min_n", 0, "integer", ((_integer(0, MAX_NGRAM), f"an integer from 0 to {MAX_NGRAM}"),),
              "shortest character n-gram (0: none)", _CLASSIFIER),
    Parameter("max_n", 0, "integer", ((_integer(0, MAX_NGRAM), f"an integer from 0 to {MAX_NGRAM}"),),
              "longest character n-gram (0: none)", _CLASSIFIER, then=_check_ngram_order),
    Parameter("buckets", 2_000_000, "integer", ((_integer(1, 2**31 - 1), "an integer from 1 to 2147483647"),),
              "hash buckets for word and character n-grams", _CLASSIFIER),
    Parameter("min_count", 1, "integer", ((_integer(1), "an integer of at least 1"),),
              "ignore rarer words", _CLASSIFIER),
    Parameter("min_count_label", 1, "integer", ((_integer(1), "an integer of at least 1"),),
              "ignore rarer labels", _CLASSIFIER),
    Parameter("label_prefix", "__label__", "text", ((lambda v: isinstance(v, str) and v != "" and not any(
        c.isspace() or c == "\0" for c in v), "a word without spaces"),), "what starts a label", _CLASSIFIER),
    Parameter("threads", None, "integer", ((_integer(1, MAX_THREADS, none=True),
                                            f"an integer from 1 to {MAX_THREADS}"),),
              "worker threads", _CLASSIFIER, none_means="all cores"),
    Parameter("seed", 0, "integer", ((_integer(0, 2**63 - 1), "an integer >= 0"),), "random seed", _CLASSIFIER),
)
#: name -> :class:`Parameter`, for the classifier.
CLASSIFIER_PARAMETER = {p.name: p for p in CLASSIFIER_PARAMETERS}


def classifier_defaults() -> dict:
    """The default of every classifier parameter.

    >>> classifier_defaults()["lr"], classifier_defaults()["loss"]
    (0.1, 'softmax')
    """
    return {p.name: p.default for p in CLASSIFIER_PARAMETERS}


def check_classifier(values: dict) -> None:
    """Check the classifier's parameters (all of them); the first out of range raises (one line).

    >>> check_classifier({**classifier_defaults(), "loss": "cosine"})
    Traceback (most recent call last):
        ...
    wordvec.errors.ParameterError: invalid loss='cosine': must be softmax or ns or hs or ova
    """
    for p in CLASSIFIER_PARAMETERS:
        p.check(values[p.name], ())
        if p.then is not None:
            p.then(values)
