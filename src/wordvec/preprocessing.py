"""Keras-compatible text preprocessing: ``Tokenizer``, ``skipgrams``, ``make_sampling_table``.

These reproduce the Keras 2 preprocessing utilities that the tutorial "Word
Embeddings with Keras" is built on (``keras.preprocessing.text.Tokenizer`` and
``keras.preprocessing.sequence.skipgrams``), without needing Keras: the same
``word_index`` (ties in first-seen order), the same sequences (``num_words``
cut and out-of-vocabulary handling included) and the same sampling table.
The Keras engine (:mod:`wordvec.engines.keras`) uses them.

How this differs from wordvec's native pipeline
-----------------------------------------------
* Words: :class:`Tokenizer` splits on the ``split`` character only (a space),
  as Keras does, after turning the filter characters (which include ``\\t``
  and ``\\n``) into that character. :func:`wordvec.text.tokenize` splits on
  *any* whitespace, so text holding ``\\r``, form feeds or non-breaking spaces
  yields different words here (``"a\\rb"`` is one word here, two there).
* Unknown words: with ``oov_token`` set, :meth:`Tokenizer.texts_to_sequences`
  maps words outside the vocabulary (or past ``num_words``) to the OOV index;
  without it they are left out. The native engine always drops them and
  reserves row 0 (``"UNK"``) of its vectors, never training it.
* ``num_words=n`` keeps the word indices ``1 .. n-1`` (``n - 1`` words), as in
  Keras.
* :func:`skipgrams` with a ``seed`` is reproducible as a whole (the negative
  samples too) and leaves Python's global random state alone; Keras seeds only
  the final shuffle, through the global ``random`` module. The couples drawn
  are therefore the same *set* as Keras's, not the same random order.

>>> tok = Tokenizer()
>>> tok.fit_on_texts(["the cat sat", "the dog"])
>>> tok.word_index
{'the': 1, 'cat': 2, 'sat': 3, 'dog': 4}
>>> tok.texts_to_sequences(["the dog sat down"])
[[1, 4, 3]]
>>> couples, labels = skipgrams([1, 2, 3], vocabulary_size=5, window_size=1,
...                             negative_samples=0, shuffle=False)
>>> couples, labels
([[1, 2], [2, 1], [2, 3], [3, 2]], [1, 1, 1, 1])
"""

from __future__ import annotations

import json
import math
import numbers
from typing import Iterable, Iterator

import numpy as np

from .errors import ParameterError
from .text import KERAS_FILTERS

__all__ = ["Tokenizer", "tokenizer_from_json", "text_to_word_sequence", "skipgrams", "make_sampling_table"]


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def text_to_word_sequence(text: str, filters: str = KERAS_FILTERS, lower: bool = True,
                          split: str = " ") -> list[str]:
    """Split a text into words the way Keras's ``text_to_word_sequence`` does.

    Every character of ``filters`` becomes ``split``; the text is then cut at
    ``split`` and empty pieces are dropped.

    Parameters
    ----------
    text : str
    filters : str, default=KERAS_FILTERS
        Characters to remove (punctuation, tab and newline by default).
    lower : bool, default=True
        Lower-case the text first.
    split : str, default=" "
        The word separator (a non-empty string).

    Returns
    -------
    list of str

    Examples
    --------
    >>> text_to_word_sequence("Hello, World!  Tea\\tand\\rcoffee")
    ['hello', 'world', 'tea', 'and\\rcoffee']
    """
    if lower:
        text = text.lower()
    if filters:
        text = text.translate(str.maketrans({c: split for c in filters}))
    return [piece for piece in text.split(split) if piece]


class Tokenizer:
    """Map words to integer indices by frequency, as Keras's legacy ``Tokenizer``.

    Index 0 is reserved (never a word). With ``oov_token`` the OOV token takes
    index 1 and the words follow from 2. Words are ranked by count, most
    frequent first; words with equal counts keep the order they were first seen.

    Parameters
    ----------
    num_words : int or None, default=None
        Keep only the word indices below ``num_words`` when turning texts into
        sequences (so ``num_words - 1`` words). ``None`` keeps all.
        Fitting always counts every word.
    filters : str, default=KERAS_FILTERS
        Characters removed from texts (replaced by ``split``).
    lower : bool, default=True
        Lower-case texts.
    split : str, default=" "
        Word separator.
    char_level : bool, default=False
        Treat every character as a token.
    oov_token : str or None, default=None
        If given, it gets index 1 and replaces out-of-vocabulary words in
        :meth:`texts_to_sequences` (and indices past ``num_words``).

    Attributes
    ----------
    word_counts : dict
        Word -> number of occurrences, in first-seen order.
    word_docs : dict
        Word -> number of texts it occurs in.
    index_docs : dict
        Word index -> number of texts it occurs in.
    word_index : dict
        Word -> index (1-based, most frequent first).
    index_word : dict
        Index -> word.
    document_count : int
        Number of texts fitted on.

    Notes
    -----
    Besides strings, texts may be lists of tokens, which are used as they are
    (lower-cased if ``lower``), as in Keras.

    Examples
    --------
    >>> tok = Tokenizer(num_words=3, oov_token="<OOV>")
    >>> tok.fit_on_texts(["b a b", "c a b"])
    >>> tok.word_index
    {'<OOV>': 1, 'b': 2, 'a': 3, 'c': 4}
    >>> tok.texts_to_sequences(["a b c d"])
    [[1, 2, 1, 1]]
    >>> tok.sequences_to_texts([[2, 3, 9]])
    ['b <OOV> <OOV>']
    """

    def __init__(self, num_words: int | None = None, filters: str = KERAS_FILTERS, lower: bool = True,
                 split: str = " ", char_level: bool = False, oov_token: str | None = None,
                 document_count: int = 0):
        if num_words is not None and (not _is_int(num_words) or num_words < 1):
            raise ParameterError.out_of_range("num_words", num_words, "None or an integer >= 1")
        if not isinstance(split, str) or not split:
            raise ParameterError.out_of_range("split", split, "a non-empty string")
        if filters is None:
            filters = ""
        if not isinstance(filters, str):
            raise ParameterError.out_of_range("filters", filters, "a string of characters")
        if oov_token is not None and not isinstance(oov_token, str):
            raise ParameterError.out_of_range("oov_token", oov_token, "None or a string")
        self.num_words = None if num_words is None else int(num_words)
        self.filters = filters
        self.lower = bool(lower)
        self.split = split
        self.char_level = bool(char_level)
        self.oov_token = oov_token
        self.document_count = int(document_count)
        self.word_counts: dict[str, int] = {}
        self.word_docs: dict[str, int] = {}
        self.index_docs: dict[int, int] = {}
        self.word_index: dict[str, int] = {}
        self.index_word: dict[int, str] = {}

    def __repr__(self) -> str:
        return (f"Tokenizer(num_words={self.num_words!r}, oov_token={self.oov_token!r}, "
                f"{len(self.word_index)} words, {self.document_count} documents)")

    # -- tokenizing ---------------------------------------------------------
    def _tokens(self, text) -> list[str] | str:
        if isinstance(text, list):
            return [t.lower() for t in text] if self.lower else text
        if self.char_level:
            return text.lower() if self.lower else text
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    # -- fitting ------------------------------------------------------------
    def fit_on_texts(self, texts: Iterable) -> None:
        """Count the words of ``texts`` and (re)build the index.

        Counts add up over several calls.

        Parameters
        ----------
        texts : iterable of str (or of lists of tokens)

        Examples
        --------
        >>> tok = Tokenizer()
        >>> tok.fit_on_texts(["Red, red wine!"])
        >>> tok.word_counts, tok.document_count
        ({'red': 2, 'wine': 1}, 1)
        """
        if isinstance(texts, str):
            raise ParameterError("texts must be a list of texts, not a single string")
        counts, docs = self.word_counts, self.word_docs
        for text in texts:
            self.document_count += 1
            tokens = self._tokens(text)
            for word in tokens:
                counts[word] = counts.get(word, 0) + 1
            for word in set(tokens):
                docs[word] = docs.get(word, 0) + 1
        # A stable sort on descending counts: ties stay in first-seen order.
        ranked = sorted(counts, key=counts.__getitem__, reverse=True)
        if self.oov_token is not None:
            ranked.insert(0, self.oov_token)
        # Built like Keras's dict(zip(...)): should the OOV token also occur as a
        # word, its later index wins.
        self.word_index = {}
        for index, word in enumerate(ranked, start=1):
            self.word_index[word] = index
        self.index_word = {index: word for word, index in self.word_index.items()}
        self.index_docs = {self.word_index[w]: c for w, c in docs.items()}

    def fit_on_sequences(self, sequences: Iterable[Iterable[int]]) -> None:
        """Update ``index_docs`` and ``document_count`` from already-encoded sequences."""
        for seq in sequences:
            self.document_count += 1
            for index in set(seq):
                self.index_docs[index] = self.index_docs.get(index, 0) + 1

    # -- encoding -----------------------------------------------------------
    def texts_to_sequences(self, texts: Iterable) -> list[list[int]]:
        """Encode each text as a list of word indices.

        Words outside the vocabulary, or whose index is ``num_words`` or more,
        become the OOV index if ``oov_token`` is set and are dropped otherwise.

        Examples
        --------
        >>> tok = Tokenizer(num_words=3)
        >>> tok.fit_on_texts(["a a a b b c"])
        >>> tok.texts_to_sequences(["c b a z", "a"])
        [[2, 1], [1]]
        """
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts: Iterable) -> Iterator[list[int]]:
        """Like :meth:`texts_to_sequences`, one text at a time (a generator).

        Examples
        --------
        >>> tok = Tokenizer()
        >>> tok.fit_on_texts(["a b"])
        >>> next(tok.texts_to_sequences_generator(["b a"]))
        [2, 1]
        """
        if isinstance(texts, str):
            raise ParameterError("texts must be a list of texts, not a single string")
        limit = self.num_words
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        for text in texts:
            seq = []
            for word in self._tokens(text):
                index = self.word_index.get(word)
                if index is not None and (limit is None or index < limit):
                    seq.append(index)
                elif oov is not None:
                    seq.append(oov)
            yield seq

    def sequences_to_texts(self, sequences: Iterable[Iterable[int]]) -> list[str]:
        """Decode sequences of indices back to space-joined texts.

        Indices without a word, or of ``num_words`` or more, become the OOV
        token if set and are dropped otherwise.

        Examples
        --------
        >>> tok = Tokenizer()
        >>> tok.fit_on_texts(["good tea"])
        >>> tok.sequences_to_texts([[2, 1, 7]])
        ['tea good']
        """
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences: Iterable[Iterable[int]]) -> Iterator[str]:
        """Like :meth:`sequences_to_texts`, one sequence at a time (a generator)."""
        limit = self.num_words
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        oov_word = self.index_word.get(oov) if oov is not None else None
        for seq in sequences:
            words = []
            for index in seq:
                word = self.index_word.get(index)
                if word is not None and (limit is None or index < limit):
                    words.append(word)
                elif oov_word is not None:
                    words.append(oov_word)
            yield " ".join(words)

    # -- serialising --------------------------------------------------------
    def get_config(self) -> dict:
        """The settings and fitted state, in the layout of Keras's ``Tokenizer.get_config``."""
        return {
            "num_words": self.num_words,
            "filters": self.filters,
            "lower": self.lower,
            "split": self.split,
            "char_level": self.char_level,
            "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts),
            "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs),
            "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self, **kwargs) -> str:
        """The tokenizer as a JSON string that Keras's ``tokenizer_from_json`` can read too.

        Keyword arguments go to :func:`json.dumps`.

        Examples
        --------
        >>> tok = Tokenizer(oov_token="?")
        >>> tok.fit_on_texts(["x y y"])
        >>> tokenizer_from_json(tok.to_json()).word_index
        {'?': 1, 'y': 2, 'x': 3}
        """
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()}, **kwargs)


def tokenizer_from_json(json_string: str) -> Tokenizer:
    """Rebuild a :class:`Tokenizer` from :meth:`Tokenizer.to_json` (or Keras's own JSON).

    Examples
    --------
    >>> tok = Tokenizer(num_words=10)
    >>> tok.fit_on_texts(["tea and more tea"])
    >>> again = tokenizer_from_json(tok.to_json())
    >>> again.num_words, again.texts_to_sequences(["more tea"])
    (10, [[3, 1]])
    """
    try:
        config = dict(json.loads(json_string)["config"])
        word_counts = json.loads(config.pop("word_counts"))
        word_docs = json.loads(config.pop("word_docs"))
        index_docs = {int(k): v for k, v in json.loads(config.pop("index_docs")).items()}
        index_word = {int(k): v for k, v in json.loads(config.pop("index_word")).items()}
        word_index = json.loads(config.pop("word_index"))
    except (TypeError, KeyError, ValueError, AttributeError) as err:
        raise ParameterError(f"not a tokenizer JSON string: {err}") from None
    known = {"num_words", "filters", "lower", "split", "char_level", "oov_token", "document_count"}
    tokenizer = Tokenizer(**{k: v for k, v in config.items() if k in known})
    tokenizer.word_counts = word_counts
    tokenizer.word_docs = word_docs
    tokenizer.index_docs = index_docs
    tokenizer.word_index = word_index
    tokenizer.index_word = index_word
    return tokenizer


def skipgrams(sequence, vocabulary_size: int, window_size: int = 4, negative_samples: float = 1.0,
              shuffle: bool = True, categorical: bool = False, sampling_table=None, seed=None):
    """Skip-gram couples of a word-index sequence, with random negative couples.

    For each word ``w_i`` (index 0 is a non-word and is skipped, as a target and as a
    context), every non-zero word ``w_j`` with ``0 < |i - j| <= window_size`` gives the
    positive couple ``[w_i, w_j]`` labelled 1. Then ``int(n_positive * negative_samples)``
    negative couples labelled 0 pair the positive targets (shuffled, cycled through) with
    words drawn uniformly from ``[1, vocabulary_size)``.

    Parameters
    ----------
    sequence : sequence of int
        Word indices (as from :meth:`Tokenizer.texts_to_sequences`).
    vocabulary_size : int
        The largest possible word index + 1; negatives are drawn below it.
    window_size : int, default=4
        Half-window: how many words on each side are contexts.
    negative_samples : float, default=1.0
        Negatives per positive couple; 0 for none.
    shuffle : bool, default=True
        Shuffle the couples (and their labels alike).
    categorical : bool, default=False
        Labels as ``[0, 1]`` (positive) / ``[1, 0]`` (negative) instead of 1 / 0.
    sampling_table : array-like, optional
        ``sampling_table[i]``: the probability of keeping word index ``i`` as a target (:func:`make_sampling_table`).
    seed : int or numpy.random.Generator, optional
        Makes the whole result reproducible (negatives, sampling and shuffle).

    Returns
    -------
    couples : list of [int, int]
        ``[target, context]`` pairs.
    labels : list of int (or of [int, int] if ``categorical``)

    Examples
    --------
    >>> couples, labels = skipgrams([3, 0, 5], vocabulary_size=6, window_size=2,
    ...                             negative_samples=1.0, seed=0)
    >>> sorted(c for c, l in zip(couples, labels) if l == 1)
    [[3, 5], [5, 3]]
    >>> sum(1 for l in labels if l == 0)
    2
    """
    _check_skipgram_args(vocabulary_size, window_size, negative_samples)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    seq = [int(w) for w in sequence]
    if sampling_table is not None:
        keep = [bool(w) and not (sampling_table[w] < rng.random()) for w in seq]
    else:
        keep = [bool(w) for w in seq]
    couples = _positive_couples(seq, keep, window_size)
    labels = [[0, 1] if categorical else 1 for _ in range(len(couples))]
    _add_negatives(couples, labels, vocabulary_size, negative_samples, categorical, rng)
    if shuffle and couples:
        perm = rng.permutation(len(couples))
        couples = [couples[k] for k in perm]
        labels = [labels[k] for k in perm]
    return couples, labels


def _check_skipgram_args(vocabulary_size, window_size, negative_samples) -> None:
    if not _is_int(vocabulary_size) or vocabulary_size < 1:
        raise ParameterError.out_of_range("vocabulary_size", vocabulary_size, "an integer >= 1")
    if not _is_int(window_size) or window_size < 0:
        raise ParameterError.out_of_range("window_size", window_size, "an integer >= 0")
    if (not isinstance(negative_samples, numbers.Real) or isinstance(negative_samples, bool)
            or not math.isfinite(negative_samples) or negative_samples < 0):
        raise ParameterError.out_of_range("negative_samples", negative_samples, "a finite number >= 0")


def _positive_couples(seq: list[int], keep: list[bool], window_size: int) -> list[list[int]]:
    """``[target, context]`` for each kept target and each non-zero word within ``window_size`` of it."""
    n = len(seq)
    couples = []
    for i, target in enumerate(seq):
        if not keep[i]:
            continue
        for j in range(max(0, i - window_size), min(n, i + window_size + 1)):
            if j != i and seq[j]:
                couples.append([target, seq[j]])
    return couples


def _add_negatives(couples: list, labels: list, vocabulary_size: int, negative_samples: float,
                   categorical: bool, rng: np.random.Generator) -> None:
    """Append ``int(n_positive * negative_samples)`` negative couples (and labels): the positive
    targets, shuffled and cycled through, each with a word drawn uniformly from ``[1, vocabulary_size)``."""
    n_positive = len(couples)
    n_negative = int(n_positive * negative_samples) if negative_samples > 0 else 0
    if not n_negative:
        return
    if vocabulary_size < 2:
        raise ParameterError.out_of_range(
            "vocabulary_size", vocabulary_size, "at least 2 to draw negative samples")
    targets = [c[0] for c in couples]
    order = rng.permutation(n_positive)
    contexts = rng.integers(1, vocabulary_size, size=n_negative)
    for k in range(n_negative):
        couples.append([targets[order[k % n_positive]], int(contexts[k])])
        labels.append([1, 0] if categorical else 0)


def make_sampling_table(size: int, sampling_factor: float = 1e-5) -> np.ndarray:
    """Word2vec's subsampling probabilities by frequency rank, as Keras computes them.

    The frequency of the word of rank ``r`` is approximated by Zipf's law,
    ``1 / (r (ln r + gamma) + 1/2 - 1/(12 r))`` with ``gamma = 0.577``; the
    probability of keeping it is ``min(1, sqrt(sampling_factor / frequency))``.
    Entry 0 (the non-word) gets the value of rank 1.

    Parameters
    ----------
    size : int
        Number of entries (the vocabulary size).
    sampling_factor : float, default=1e-5
        The word2vec subsampling threshold.

    Returns
    -------
    ndarray of float64, shape (size,)

    Examples
    --------
    >>> make_sampling_table(5, sampling_factor=0.1).round(3)
    array([0.315, 0.315, 0.548, 0.742, 0.913])
    """
    if not _is_int(size) or size < 1:
        raise ParameterError.out_of_range("size", size, "an integer >= 1")
    if not isinstance(sampling_factor, numbers.Real) or not sampling_factor > 0 or not math.isfinite(sampling_factor):
        raise ParameterError.out_of_range("sampling_factor", sampling_factor, "a finite number > 0")
    gamma = 0.577
    rank = np.arange(size)
    rank[0] = 1
    inverse_frequency = rank * (np.log(rank) + gamma) + 0.5 - 1.0 / (12.0 * rank)
    scaled = sampling_factor * inverse_frequency
    # Written as scaled / sqrt(scaled) (not sqrt(scaled)) to match Keras bit for bit.
    return np.minimum(1.0, scaled / np.sqrt(scaled))
