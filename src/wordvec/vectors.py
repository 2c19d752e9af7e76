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

import numbers
from typing import Iterable, Mapping, NamedTuple, Sequence

import numpy as np

from .errors import ModelFormatError, ParameterError, UnknownWordError, WordvecError
from .sentence_vectors import SentenceEmbedding


def _as_word_list(words) -> list:
    """One key (a word, or an integer token of a model trained on token sequences) or several, as a list."""
    if words is None:
        return []
    if isinstance(words, (str, int, np.integer)):
        return [words]
    return list(words)


class Vectors(SentenceEmbedding):
    """Word vectors with cosine-similarity queries; texts' vectors (``embed``, ``embed_batch``).

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
        self._composed = None

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
        """Rows scaled to unit length (all-zero rows stay zero); computed once.

        The lengths are summed in float64, a block of rows at a time: any
        finite float32 row, however large, gets its unit vector (no overflow).
        """
        if self._unit is None:
            m = np.asarray(self.matrix, dtype=np.float32)
            unit = np.zeros_like(m)
            rows = max(1, _NORM_BLOCK // max(1, m.shape[1]))
            for start in range(0, m.shape[0], rows):
                block = m[start:start + rows].astype(np.float64)
                norms = np.sqrt(np.einsum("ij,ij->i", block, block))[:, None]
                unit[start:start + rows] = np.divide(block, norms, out=block, where=norms > 0)  # zero rows stay
            self._unit = unit
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

    def _query_rows(self, words: list[str]) -> list[int]:
        """Rows of the query words, never returned as answers; every word must have one."""
        return [self.index(w) for w in words]

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
        rows = self._query_rows(positive + negative)
        query = np.zeros(self.dim, dtype=np.float64)
        for w in positive:
            query += self.get_vector(w, norm=True)
        for w in negative:
            query -= self.get_vector(w, norm=True)
        _check_direction(query, positive, negative)
        scores = self._limit(restrict_vocab) @ _unit(query).astype(np.float32)
        return self._top(scores, n, rows)

    def most_similar_cosmul(self, positive=None, negative=None, n: int = 5, restrict_vocab: int | None = None):
        """Analogy answers by 3CosMul (Levy & Goldberg, 2014), as gensim computes it."""
        positive, negative = _as_word_list(positive), _as_word_list(negative)
        if not positive:
            raise ParameterError("most_similar_cosmul needs at least one positive word")
        rows = self._query_rows(positive + negative)
        for w in positive + negative:
            _check_direction(self.get_vector(w, norm=True), [w], [])
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

    # -- into models --------------------------------------------------------
    def embedding_matrix(self, word_index, num_words: int | None = None, missing: str = "zeros",
                         seed=1, scale: float = 0.05, oov_token: str | None = None) -> "EmbeddingMatrix":
        """The weights of an embedding layer for a Keras-style ``word_index``.

        Row ``i`` is the vector of the word whose index is ``i``; row 0 (never a
        word: Keras pads sequences with 0) is all zeros.

        Parameters
        ----------
        word_index : dict of str to int, or a fitted tokenizer
            Word -> 1-based index, as :class:`wordvec.preprocessing.Tokenizer` or Keras's
            ``Tokenizer`` build it. A tokenizer (anything with a ``word_index`` attribute)
            also lends its ``num_words`` and ``oov_token`` unless they are given here.
        num_words : int or None, default=None
            Number of rows, as Keras's ``Tokenizer(num_words=n)`` means it: only
            indices below ``n`` are used. None: the largest index + 1.
        missing : {"zeros", "random", "subwords"}, default="zeros"
            The rows of words these vectors do not know: all zeros; uniform in ``[-scale, scale]``
            (Keras's default ``Embedding`` initialiser), drawn from ``seed``; or built from the
            word's subwords by the vectors' ``vector_for_unknown(word)`` method (models with
            subword vectors provide it, returning a vector or None for a zero row; vectors
            without it raise :class:`ParameterError`).
        seed : int, default=1
            Seed of the ``"random"`` rows (anything ``numpy.random.default_rng`` takes).
        scale : float, default=0.05
            Half-width of the ``"random"`` rows.
        oov_token : str or None, default=None
            The tokenizer's out-of-vocabulary token (Keras gives it index 1). Its row is the
            vector of that token if these vectors have it, else that of their own unknown-word
            placeholder (:attr:`unknown`; all zeros in models trained by wordvec), else zeros.
            It is never counted missing.

        Returns
        -------
        EmbeddingMatrix
            ``(matrix, missing, missing_words)``: the float32 matrix of shape
            ``(rows, dim)``, how many words (below ``num_words``, OOV token
            excluded) these vectors do not know, and those words in index order.

        Examples
        --------
        >>> v = Vectors(["UNK", "tea", "coffee"],
        ...             np.array([[0, 0], [1, 2], [3, 4]], dtype=np.float32), unknown="UNK")
        >>> result = v.embedding_matrix({"coffee": 1, "milk": 2, "tea": 3})
        >>> result.matrix.tolist()
        [[0.0, 0.0], [3.0, 4.0], [0.0, 0.0], [1.0, 2.0]]
        >>> result.missing, result.missing_words
        (1, ['milk'])
        >>> v.embedding_matrix({"coffee": 1, "milk": 2, "tea": 3}, num_words=2).matrix.shape
        (2, 2)
        """
        word_index, num_words, oov_token = _index_options(word_index, num_words, oov_token)
        _check_missing_mode(self, missing, scale)
        matrix = np.zeros((_embedding_rows(word_index, num_words), self.dim), dtype=np.float32)
        absent = _copy_known_rows(self, matrix, word_index, oov_token)
        _fill_missing(self, matrix, absent, missing, seed, scale)
        _fill_oov_row(self, matrix, word_index, oov_token)
        return EmbeddingMatrix(matrix, len(absent), [word for _, word in absent])


def _copy_known_rows(vectors: Vectors, matrix: np.ndarray, word_index: Mapping[str, int],
                     oov_token: str | None) -> list[tuple[int, str]]:
    """Copy the vector of each known word into its index's row of ``matrix`` (indices past its
    rows and the OOV token left out); returns ``(index, word)`` of the unknown ones, in index order."""
    targets, sources, absent = [], [], []
    for word, i in word_index.items():
        if i >= matrix.shape[0] or word == oov_token:
            continue
        row = vectors.key_to_index.get(word)
        if row is None:
            absent.append((i, word))
        else:
            targets.append(i)
            sources.append(row)
    if targets:
        matrix[targets] = np.asarray(vectors.matrix[sources], dtype=np.float32)
    absent.sort()
    return absent


def _fill_oov_row(vectors: Vectors, matrix: np.ndarray, word_index: Mapping[str, int],
                  oov_token: str | None) -> None:
    """The OOV token's row: the vector of that token, else of :attr:`Vectors.unknown`, else zeros."""
    oov_row = word_index.get(oov_token) if oov_token is not None else None
    if oov_row is not None and oov_row < matrix.shape[0]:
        for stand_in in (oov_token, vectors.unknown):
            if stand_in is not None and stand_in in vectors.key_to_index:
                matrix[oov_row] = vectors.matrix[vectors.key_to_index[stand_in]]
                break


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 0 else vector


#: Values scaled to unit length at a time (a block of rows; see :attr:`Vectors.unit_matrix`).
_NORM_BLOCK = 1 << 20
#: The length under which a query (a sum of unit vectors) counts as the zero vector: rounding, not a direction.
_ZERO_LENGTH = 1e-6


class ZeroVectorError(WordvecError, ValueError):
    """A query's vector is zero (a word's all-zero row, or ``a - a``): it has no direction, so no neighbours.

    >>> print(ZeroVectorError("'UNK'"))
    'UNK': this vector is zero: it has no direction, so no neighbours
    """

    def __init__(self, query: str):
        super().__init__(f"{query}: this vector is zero: it has no direction, so no neighbours")
        self.query = query


def _check_direction(query: np.ndarray, positive: list, negative: list) -> None:
    """Raise :class:`ZeroVectorError` when the query vector (a sum of unit vectors) is zero."""
    if np.linalg.norm(query) < _ZERO_LENGTH:
        raise ZeroVectorError(" ".join([_quoted(w) for w in positive] + [f"- {_quoted(w)}" for w in negative]))


def _quoted(word: str) -> str:
    return repr(word if len(word) <= 40 else word[:37] + "...")


# -- embedding matrices (Vectors.embedding_matrix) ----------------------------
MISSING_MODES = ("zeros", "random", "subwords")


class EmbeddingMatrix(NamedTuple):
    """What :meth:`Vectors.embedding_matrix` returns; unpacks as a tuple.

    Attributes
    ----------
    matrix : ndarray of shape (rows, dim), float32
        Row ``i`` is the vector of the word of index ``i``; row 0 is zeros.
    missing : int
        How many words (below ``num_words``, OOV token excluded) the vectors do not know.
    missing_words : list of str
        Those words, in index order.

    Examples
    --------
    >>> m = EmbeddingMatrix(np.zeros((2, 3), dtype=np.float32), 1, ["tea"])
    >>> matrix, missing, missing_words = m
    >>> matrix.shape, missing
    ((2, 3), 1)
    """

    matrix: np.ndarray
    missing: int
    missing_words: list


def _is_index(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _index_options(word_index, num_words, oov_token):
    """The word index as a dict, with num_words and oov_token taken from a tokenizer if need be."""
    if not isinstance(word_index, Mapping) and hasattr(word_index, "word_index"):
        tokenizer = word_index
        word_index = tokenizer.word_index
        num_words = getattr(tokenizer, "num_words", None) if num_words is None else num_words
        oov_token = getattr(tokenizer, "oov_token", None) if oov_token is None else oov_token
    if not isinstance(word_index, Mapping):
        raise ParameterError(f"word_index must be a dict of word -> index or a fitted tokenizer, "
                             f"not {type(word_index).__name__}")
    for word, i in word_index.items():
        if not _is_index(i) or i < 1:
            raise ParameterError(f"word_index[{word!r}] = {i!r}: indices must be integers >= 1 "
                                 f"(0 is the padding row)")
    if num_words is not None and (not _is_index(num_words) or num_words < 1):
        raise ParameterError.out_of_range("num_words", num_words, "an integer of at least 1, or None")
    return {word: int(i) for word, i in word_index.items()}, num_words, oov_token


def _embedding_rows(word_index: dict, num_words) -> int:
    if num_words is not None:
        return int(num_words)
    return max(word_index.values(), default=0) + 1


def _check_missing_mode(vectors: Vectors, missing, scale) -> None:
    if missing not in MISSING_MODES:
        raise ParameterError.out_of_range("missing", missing, '"zeros", "random" or "subwords"')
    if missing == "subwords" and not callable(getattr(vectors, "vector_for_unknown", None)):
        raise ParameterError("missing='subwords' needs a model with subword vectors, and these vectors "
                             "have none (no vector_for_unknown method): use 'zeros' or 'random'")
    if not isinstance(scale, (int, float)) or isinstance(scale, bool) or not 0 <= scale < float("inf"):
        raise ParameterError.out_of_range("scale", scale, "a finite number >= 0")


def _fill_missing(vectors: Vectors, matrix: np.ndarray, absent: list, missing: str, seed, scale) -> None:
    """Fill the rows of the ``(index, word)`` pairs in ``absent`` as ``missing`` says."""
    if not absent or missing == "zeros":
        return
    rows = [i for i, _ in absent]
    if missing == "random":
        rng = np.random.default_rng(seed)
        matrix[rows] = rng.uniform(-scale, scale, size=(len(rows), matrix.shape[1])).astype(np.float32)
        return
    for i, word in absent:
        vector = vectors.vector_for_unknown(word)
        if vector is not None:
            matrix[i] = np.asarray(vector, dtype=np.float32)


#: fastText's end-of-line token: a word of fastText's dictionaries that has no n-grams.
FASTTEXT_EOS = "</s>"


class SubwordVectors(Vectors):
    """Word vectors built from pieces, as fastText's: every word gets one, known or not.

    A vocabulary word's vector is the mean of its own row and the rows of its
    character n-grams; a word outside the vocabulary gets the mean of its
    n-gram rows (fastText's rule). Neighbours are always vocabulary words, and
    ``word in vectors`` asks about the vocabulary only. The ``unknown`` word and
    fastText's end-of-line token ``</s>`` are their own row only (fastText gives
    ``</s>`` no n-grams).

    Parameters
    ----------
    words : sequence of str
        The vocabulary, row order.
    word_rows : ndarray of shape (len(words), dim)
        Each word's own input row.
    ngram_rows : ndarray of shape (n_rows, dim)
        The rows of the n-gram buckets that were trained.
    bucket_rows : ndarray of int32, shape (buckets,)
        For each hash bucket, its row in ``ngram_rows``, or -1 for a bucket no
        vocabulary n-gram fell into (a zero vector, still counted in the mean).
    min_n, max_n : int
        Shortest and longest n-gram, in characters.
    counts, unknown
        As for :class:`Vectors`; the ``unknown`` word is its own row only.

    Examples
    --------
    >>> import numpy as np
    >>> v = SubwordVectors(["tea"], np.ones((1, 2), np.float32), np.ones((1, 2), np.float32),
    ...                    np.zeros(4, np.int32), min_n=3, max_n=3)
    >>> "tae" in v, v["tae"].tolist()
    (False, [1.0, 1.0])
    """

    def __init__(self, words, word_rows, ngram_rows, bucket_rows, *, min_n: int, max_n: int, counts=None,
                 unknown: str | None = None):
        super().__init__(words, word_rows, counts=counts, unknown=unknown)
        if ngram_rows.ndim != 2 or ngram_rows.shape[1] != word_rows.shape[1]:
            raise ParameterError(f"n-gram rows of shape {ngram_rows.shape} do not match vectors of "
                                 f"dim {word_rows.shape[1]}")
        self.ngram_rows = ngram_rows
        self.bucket_rows = bucket_rows
        self.min_n, self.max_n = int(min_n), int(max_n)

    @property
    def matrix(self) -> np.ndarray:
        """The vocabulary's vectors, composed from their pieces (computed once)."""
        if self._composed is None:
            self._composed = self._compose()
        return self._composed

    @matrix.setter
    def matrix(self, word_rows) -> None:
        self.word_rows = word_rows
        self._composed = None
        self._unit = None

    @property
    def dim(self) -> int:
        """Dimension of the vectors (without composing them)."""
        return int(self.word_rows.shape[1])

    @property
    def buckets(self) -> int:
        return int(self.bucket_rows.shape[0])

    def __repr__(self) -> str:
        return (f"SubwordVectors({len(self)} words, dim={self.dim}, n-grams {self.min_n}-{self.max_n} "
                f"in {self.buckets:,} buckets)")

    def _compose(self) -> np.ndarray:
        from .subwords import ngram_hash_table

        indptr, hashes = ngram_hash_table(self.words, self.min_n, self.max_n, self.buckets)
        sizes = np.diff(indptr)
        for plain in (self.unknown, FASTTEXT_EOS):  # words that are their own row only
            if plain in self.key_to_index:
                sizes[self.key_to_index[plain]] = 0
        owner = np.repeat(np.arange(len(self.words)), np.diff(indptr))
        rows = np.asarray(self.bucket_rows)[hashes]
        keep = (rows >= 0) & (sizes[owner] > 0)
        total = np.array(self.word_rows, dtype=np.float32)
        try:
            with np.errstate(over="raise", invalid="raise"):
                _add_grouped_rows(total, owner[keep], rows[keep], self.ngram_rows)
        except FloatingPointError:  # rows of finite but enormous values
            raise ModelFormatError("the subword rows are too large: their sums overflow float32") from None
        total /= (1.0 + sizes.astype(np.float32))[:, None]
        return total

    def vector_for_unknown(self, word: str) -> np.ndarray:
        """The vector of a word outside the vocabulary: the mean of its n-gram rows."""
        from .subwords import ngram_hashes

        if not isinstance(word, str) or not word.strip():
            raise ParameterError(f"an empty or blank word has no vector: {word!r}")
        rows = np.asarray(self.bucket_rows)[ngram_hashes(word, self.min_n, self.max_n, self.buckets)]
        vector = np.zeros(self.dim, dtype=np.float32)
        if rows.size:
            trained = rows[rows >= 0]
            if trained.size:
                total = np.asarray(self.ngram_rows[trained], dtype=np.float64).sum(axis=0)  # no float32 overflow
                vector = (total / rows.size).astype(np.float32)
        return vector

    def built_from_subwords(self, word: str) -> bool:
        """Whether ``word``'s vector comes from its n-grams alone (it is not in the vocabulary)."""
        return word not in self.key_to_index

    def get_vector(self, word: str, norm: bool = False) -> np.ndarray:
        """The vector of any word: composed for vocabulary words, from n-grams for others."""
        if word in self.key_to_index:
            return super().get_vector(word, norm)
        vector = self.vector_for_unknown(word)
        return _unit(vector).astype(np.float32) if norm else vector

    def _query_rows(self, words: list[str]) -> list[int]:
        for word in words:
            if not isinstance(word, str) or not word.strip():
                raise ParameterError(f"an empty or blank word has no vector: {word!r}")
            if word not in self.key_to_index and not self.vector_for_unknown(word).any():
                raise NoTrainedSubwordsError(word)  # its neighbours would be arbitrary words at cosine 0
        return [self.key_to_index[w] for w in words if w in self.key_to_index]


class NoTrainedSubwordsError(UnknownWordError):
    """A word outside the vocabulary none of whose n-grams was trained: its vector is zero.

    >>> print(NoTrainedSubwordsError("qqq"))
    word not in vocabulary, and none of its n-grams was seen in training: 'qqq'
    """

    def __str__(self) -> str:
        return f"word not in vocabulary, and none of its n-grams was seen in training: {self.word!r}"


def _add_grouped_rows(out: np.ndarray, owner: np.ndarray, rows: np.ndarray, source: np.ndarray,
                      per_block: int = 16384) -> None:
    """``out[owner[i]] += source[rows[i]]`` for every ``i``, ``owner`` ascending; a block of
    ``rows`` at a time, so that the gathered rows never take much memory.

    >>> out = np.zeros((2, 1), dtype=np.float32)
    >>> _add_grouped_rows(out, np.array([0, 0, 1]), np.array([1, 2, 0]), np.arange(3.0)[:, None])
    >>> out.ravel().tolist()
    [3.0, 0.0]
    """
    for first in range(0, owner.shape[0], per_block):
        part_owner = owner[first:first + per_block]
        starts = np.flatnonzero(np.diff(part_owner, prepend=-1))
        gathered = np.asarray(source[rows[first:first + per_block]], dtype=np.float32)
        out[part_owner[starts]] += np.add.reduceat(gathered, starts, axis=0)
