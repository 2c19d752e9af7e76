"""Frequent collocations ("peanut butter" → ``peanut_butter``) with gensim's Phrases scoring.

A pair of adjacent words ``a b`` becomes one token when

    (count(a b) - min_count) / (count(a) * count(b)) * vocabulary_size > threshold,

``vocabulary_size`` counting the distinct words and distinct pairs seen (the
score of Mikolov et al., 2013, as gensim's ``Phrases`` computes it). Sentences
are scanned left to right and a word joins at most one phrase per pass; a
second pass over the joined text finds longer phrases.

>>> docs = [["peanut", "butter", "is", "good"]] * 20 + [["good", "butter"], ["peanut", "is"]]
>>> phrases = Phrases(min_count=5, threshold=0.1).fit(docs)
>>> phrases.apply(["i", "like", "peanut", "butter"])
['i', 'like', 'peanut_butter']
"""

from __future__ import annotations

import math
import numbers
from collections import Counter
from typing import Callable, Iterable, Iterator

from .errors import ParameterError

DELIMITER = "_"


def _check_settings(min_count, threshold) -> None:
    """One-line ParameterError unless ``min_count`` is a whole number >= 1 and ``threshold`` a finite number."""
    if isinstance(min_count, bool) or not isinstance(min_count, numbers.Integral) or min_count < 1:
        raise ParameterError.out_of_range("min_count", min_count, "an integer of at least 1")
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real) or not math.isfinite(threshold):
        raise ParameterError.out_of_range("threshold", threshold, "a finite number")


def _best(phrases: dict, n: int) -> list[tuple[str, float]]:
    """The ``n`` best-scoring entries of ``{phrase: score}``; ``n`` must be a whole number >= 0."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ParameterError.out_of_range("n", n, "an integer of at least 0")
    return sorted(phrases.items(), key=lambda item: -item[1])[:n]


class Phrases:
    """Learn and apply bigram collocations.

    Parameters
    ----------
    min_count : int, default=5
        Ignore pairs seen fewer times.
    threshold : float, default=10.0
        Join a pair whose score exceeds this.
    delimiter : str, default="_"
        Put between the words of a phrase (the tokenizer never leaves ``_`` in a word).

    Attributes
    ----------
    phrases_ : dict
        ``{"peanut_butter": score, ...}`` for every pair above the threshold.
    """

    def __init__(self, min_count: int = 5, threshold: float = 10.0, delimiter: str = DELIMITER):
        self.min_count = min_count
        self.threshold = threshold
        self.delimiter = delimiter

    def fit(self, sentences: Iterable[list[str]]) -> "Phrases":
        """Count words and adjacent pairs, then score the pairs."""
        _check_settings(self.min_count, self.threshold)
        words: Counter = Counter()
        pairs: Counter = Counter()
        for sentence in sentences:
            words.update(sentence)
            pairs.update(zip(sentence, sentence[1:]))
        vocabulary_size = len(words) + len(pairs)
        self.phrases_ = {}
        self._pairs = {}
        for (a, b), together in pairs.items():
            score = (together - self.min_count) / (words[a] * words[b]) * vocabulary_size
            if score > self.threshold:
                self._pairs[(a, b)] = score
                self.phrases_[f"{a}{self.delimiter}{b}"] = score
        return self

    def apply(self, sentence: list[str]) -> list[str]:
        """Join the learnt phrases in one tokenized sentence."""
        out = []
        i = 0
        n = len(sentence)
        while i < n:
            if i + 1 < n and (sentence[i], sentence[i + 1]) in self._pairs:
                out.append(sentence[i] + self.delimiter + sentence[i + 1])
                i += 2
            else:
                out.append(sentence[i])
                i += 1
        return out

    def top(self, n: int = 20) -> list[tuple[str, float]]:
        """The ``n`` best-scoring phrases (``n`` >= 0)."""
        return _best(self.phrases_, n)


class PhraseModel:
    """One or more passes of :class:`Phrases`, applied in order.

    Parameters
    ----------
    passes : int, default=1
        Two passes can join a phrase with a word or another phrase ("new_york_times").
    min_count, threshold : see :class:`Phrases`.
    """

    def __init__(self, passes: int = 1, min_count: int = 5, threshold: float = 10.0):
        if isinstance(passes, bool) or passes not in (1, 2):
            raise ParameterError.out_of_range("passes", passes, "1 or 2")
        _check_settings(min_count, threshold)
        self.passes = passes
        self.min_count = min_count
        self.threshold = threshold

    def fit(self, corpus: Callable[[], Iterator[list[str]]]) -> "PhraseModel":
        """Learn from ``corpus()``, a function returning a fresh iterator of token lists
        (called once per pass, so the text is streamed, never held)."""
        self.layers_ = []
        for _ in range(self.passes):
            layer = Phrases(self.min_count, self.threshold).fit(self._transform(s) for s in corpus())
            self.layers_.append(layer)
        return self

    def _transform(self, sentence: list[str]) -> list[str]:
        for layer in self.layers_:
            sentence = layer.apply(sentence)
        return sentence

    def apply(self, sentence: list[str]) -> list[str]:
        """Join the phrases of every pass in one tokenized sentence."""
        return self._transform(sentence)

    @property
    def phrases_(self) -> dict:
        found = {}
        for layer in self.layers_:
            found.update(layer.phrases_)
        return found

    def top(self, n: int = 20) -> list[tuple[str, float]]:
        """The ``n`` best-scoring phrases of every pass (``n`` >= 0)."""
        return _best(self.phrases_, n)

    def save_tsv(self, path) -> None:
        """Write every phrase and its score, best first, as ``phrase<TAB>score`` lines."""
        from .outputs import atomic_open

        with atomic_open(path, "w", what="phrase file", encoding="utf-8") as handle:
            for phrase, score in self.top(len(self.phrases_)):
                handle.write(f"{phrase}\t{score:.6g}\n")
