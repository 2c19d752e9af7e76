"""Word vectors: a matrix and its words, and the queries people ask of them.

This module knows nothing of training; loading and querying stay light.

>>> import numpy as np
>>> vecs = Vectors(["UNK", "tea", "coffee", "dog"],
...                np.array([[0, 0], [1, 0.1], [1, 0.2], [0, 1]], dtype=np.float32),
...                unknown="UNK")
>>> [w for w, _ in vecs.most_similar("tea", n=2)]
['coffee', 'dog']
>>> round(vecs.similarity("tea", "coffee"), 3)
0.995
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from .errors import ParameterError, UnknownWordError


def _as_word_list(words) -> list[str]:
    if words is None:
        return []
    if isinstance(words, str):
        return [words]
    return list(words)


class Vectors:
    """Word vectors with cosine-similarity queries.

    Parameters
    ----------
    words : sequence of str
        The word of each row, in row order. Words must be unique.
    matrix : ndarray of shape (len(words), dim)
        One vector per word; may be a read-only memory map.
    counts : ndarray of shape (len(words),), optional
        Corpus frequency of each word (used by plots and the explorer).
    unknown : str or None, default=None
        The placeholder word of row 0 (``"UNK"`` in models trained by wordvec).
        It can be looked up but is never returned as a neighbour.

    Examples
    --------
    >>> import numpy as np
    >>> v = Vectors(["a", "b"], np.eye(2, dtype=np.float32))
    >>> "a" in v, len(v), v.dim
    (True, 2, 2)
    """

    def __init__(self, words: Sequence[str], matrix: np.ndarray, counts=None, unknown: str | None = None):
        words = list(words)
        if matrix.ndim != 2 or matrix.shape[0] != len(words):
            raise ParameterError(
                f"matrix of shape {matrix.shape} does not match {len(words)} words"
            )
        self.words = words
        self.matrix = matrix
        self.key_to_index = {w: i for i, w in enumerate(words)}
        if len(self.key_to_index) != len(words):
            raise ParameterError("words must be unique")
        self.counts = None if counts is None else np.asarray(counts, dtype=np.int64)
        if self.counts is not None and self.counts.shape != (len(words),):
            raise ParameterError(f"{self.counts.shape[0]} counts for {len(words)} words")
        self.unknown = unknown
        self._unit = None

    # -- container protocol -------------------------------------------------
    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word) -> bool:
        return word in self.key_to_index

    def __getitem__(self, word: str) -> np.ndarray:
        return self.get_vector(word)

    def __iter__(self):
        return iter(self.words)

    def __repr__(self) -> str:
        return f"Vectors({len(self)} words, dim={self.dim})"

    @property
    def dim(self) -> int:
        """Dimension of the vectors."""
        return int(self.matrix.shape[1])

    def index(self, word: str) -> int:
        """Row of ``word``; raises :class:`UnknownWordError` if it has none."""
        try:
            return self.key_to_index[word]
        except KeyError:
            raise UnknownWordError(word) from None

    def get_vector(self, word: str, norm: bool = False) -> np.ndarray:
        """The vector of ``word`` (unit length if ``norm``)."""
        row = self.index(word)
        return self.unit_matrix[row] if norm else np.asarray(self.matrix[row])

    @property
    def unit_matrix(self) -> np.ndarray:
        """Rows scaled to unit length (all-zero rows stay zero); computed once."""
        if self._unit is None:
            m = np.asarray(self.matrix, dtype=np.float32)
            norms = np.linalg.norm(m, axis=1, keepdims=True)
            self._unit = np.divide(m, norms, out=np.zeros_like(m), where=norms > 0)
        return self._unit

    # -- queries ------------------------------------------------------------
    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two words."""
        return float(self.get_vector(a, norm=True) @ self.get_vector(b, norm=True))

    def n_similarity(self, words_a: Iterable[str], words_b: Iterable[str]) -> float:
        """Cosine similarity of the mean vectors of two sets of words (as gensim computes it)."""
        mean_a = self._mean(_as_word_list(words_a))
        mean_b = self._mean(_as_word_list(words_b))
        return float(_unit(mean_a) @ _unit(mean_b))

    def _mean(self, words: list[str]) -> np.ndarray:
        if not words:
            raise ParameterError("an empty list of words has no mean vector")
        return np.mean([self.get_vector(w).astype(np.float64) for w in words], axis=0)

    def _top(self, scores: np.ndarray, n: int, exclude: Iterable[int]) -> list[tuple[str, float]]:
        if n <= 0:
            raise ParameterError.out_of_range("n", n, "at least 1")
        scores = np.array(scores, dtype=np.float64)
        for row in exclude:
            if row < scores.shape[0]:
                scores[row] = -np.inf
        if self.unknown is not None and self.unknown in self.key_to_index:
            unknown_row = self.key_to_index[self.unknown]
            if unknown_row < scores.shape[0]:
                scores[unknown_row] = -np.inf
        n = min(n, int(np.isfinite(scores).sum()))
        if n == 0:
            return []
        best = np.argpartition(-scores, n - 1)[:n]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(self.words[i], float(scores[i])) for i in best]

    def _limit(self, restrict_vocab: int | None) -> np.ndarray:
        unit = self.unit_matrix
        return unit if restrict_vocab is None else unit[:restrict_vocab]

    def most_similar(self, positive=None, negative=None, n: int = 5, restrict_vocab: int | None = None):
        """Nearest words by cosine similarity.

        ``most_similar("tea")`` gives the neighbours of one word (the tutorial's
        ``find_similar_words``); ``most_similar(positive=["king", "woman"],
        negative=["man"])`` answers an analogy with 3CosAdd. The query words are
        never returned.

        Parameters
        ----------
        positive : str or list of str
        negative : str or list of str, optional
        n : int, default=5
            How many neighbours.
        restrict_vocab : int, optional
            Search only the first rows (the most frequent words).

        Returns
        -------
        list of (word, cosine similarity), best first.
        """
        positive, negative = _as_word_list(positive), _as_word_list(negative)
        if not positive and not negative:
            raise ParameterError("most_similar needs at least one word")
        rows = [self.index(w) for w in positive + negative]
        query = np.zeros(self.dim, dtype=np.float64)
        for w in positive:
            query += self.get_vector(w, norm=True)
        for w in negative:
            query -= self.get_vector(w, norm=True)
        scores = self._limit(restrict_vocab) @ _unit(query).astype(np.float32)
        return self._top(scores, n, rows)

    def most_similar_cosmul(self, positive=None, negative=None, n: int = 5, restrict_vocab: int | None = None):
        """Analogy answers by 3CosMul (Levy & Goldberg, 2014), as gensim computes it."""
        positive, negative = _as_word_list(positive), _as_word_list(negative)
        if not positive:
            raise ParameterError("most_similar_cosmul needs at least one positive word")
        rows = [self.index(w) for w in positive + negative]
        unit = self._limit(restrict_vocab)
        pos = [(1.0 + unit @ self.get_vector(w, norm=True)) / 2.0 for w in positive]
        neg = [(1.0 + unit @ self.get_vector(w, norm=True)) / 2.0 for w in negative]
        scores = np.prod(pos, axis=0) / (np.prod(neg, axis=0) + 1e-6)
        return self._top(scores, n, rows)

    def doesnt_match(self, words: Iterable[str]) -> str:
        """The word furthest from the mean of the others."""
        words = [w for w in _as_word_list(words)]
        if not words:
            raise ParameterError("doesnt_match needs at least one word")
        unit = np.array([self.get_vector(w, norm=True) for w in words])
        mean = _unit(unit.mean(axis=0))
        return words[int(np.argmin(unit @ mean))]


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 0 else vector
