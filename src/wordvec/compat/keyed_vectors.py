"""gensim's ``KeyedVectors`` and ``FastTextKeyedVectors`` (``model.wv``) on wordvec's vectors.

The vectors, their unit rows, neighbours, similarities and evaluations are those of
:class:`wordvec.vectors.Vectors` (and :class:`~wordvec.vectors.SubwordVectors`, which gives words
outside the vocabulary a vector from their character n-grams); this module gives them gensim's
names, arguments, return types and key rules:

- keys are what the sentences held, strings or integers; ``wv[5]`` is the key ``5`` if there is
  one, else the vector at index 5 (gensim's ``get_index``), and ``wv["5"]`` only the key ``"5"``;
- ``most_similar`` takes keys, vectors and ``(key, weight)`` pairs and never returns a query key;
- ``similarity`` and ``distance`` are ``numpy.float32``, neighbours ``(key, float)`` pairs;
- with subwords, every string key is ``in wv`` and has a vector (gensim's FastText rule).

>>> import numpy as np
>>> from wordvec.vectors import Vectors
>>> wv = KeyedVectors.from_vectors(Vectors(["tea", "coffee", "dog"],
...                                        np.array([[1, 0.1], [1, 0.2], [0, 1]], dtype=np.float32)))
>>> [key for key, _ in wv.most_similar("tea", topn=2)], wv[["tea", "dog"]].shape
(['coffee', 'dog'], (2, 2))
>>> wv.get_index(2), 2 in wv, "2" in wv
(2, True, False)
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

from ..errors import ParameterError, UnknownWordError
from ..formats import load_model, load_vectors, load_word2vec, save_model, save_word2vec
from ..vectors import SubwordVectors, Vectors, ZeroVectorError
from . import evaluation
from .keys import key_of, relabelled, restored_keys, stored_words
from .options import UnsupportedOption, refuse_unsupported

__all__ = ["KeyedVectors", "FastTextKeyedVectors", "KeyNotPresent"]

#: What gensim takes as one key, and as one key or vector.
_KEY_TYPES = (str, int, np.integer)
_KEY_OR_VECTOR = (str, int, np.integer, np.ndarray)
_SAVE_REFUSED = {"fvocab": (None, "the counts are not written beside the vectors"),
                 "total_vec": (None, "the header counts the vectors written"),
                 "write_header": (True, "the header is always written"),
                 "prefix": ("", "keys are written as they are"),
                 "append": (False, "the file is written whole"),
                 "sort_attr": ("count", "rows are written most frequent first")}
_LOAD_REFUSED = {"fvocab": (None, "counts are not read from a separate file"),
                 "unicode_errors": ("strict", "files are read as UTF-8, strictly")}


class KeyNotPresent(UnknownWordError):
    """A key that is neither a key of the vectors nor (an integer) an index of one.

    >>> print(KeyNotPresent("zzz"))
    Key 'zzz' not present
    """

    def __str__(self) -> str:
        return f"Key '{self.word}' not present"


class KeyedVectors:
    """gensim 4's ``KeyedVectors``: vectors looked up by key.

    ``KeyedVectors(vector_size)`` is an empty set that :meth:`add_vectors` fills; a trained model's
    ``wv``, :meth:`load` and :meth:`load_word2vec_format` give full ones.

    Examples
    --------
    >>> wv = KeyedVectors(2)
    >>> wv.add_vectors(["tea", "cup"], np.eye(2, dtype=np.float32))
    >>> wv.index_to_key, float(wv.similarity("tea", "cup"))
    (['tea', 'cup'], 0.0)
    """

    def __init__(self, vector_size, count=0, dtype=np.float32, mapfile_path=None):
        refuse_unsupported("KeyedVectors", {"count": count, "mapfile_path": mapfile_path},
                           {"count": (0, "add the vectors with add_vectors"),
                            "mapfile_path": (None, "vectors are kept in memory or mapped by load(mmap='r')")})
        if np.dtype(dtype) != np.float32:
            raise UnsupportedOption(f"KeyedVectors: dtype={np.dtype(dtype).name} is not supported: float32 only")
        self._use(Vectors([], np.zeros((0, int(vector_size)), dtype=np.float32)))

    @classmethod
    def from_vectors(cls, vectors: Vectors) -> "KeyedVectors":
        """Keyed vectors on wordvec vectors whose words are the keys (kept, not copied)."""
        keyed = cls.__new__(cls)
        keyed._use(vectors)
        return keyed

    @classmethod
    def from_trained(cls, vectors: Vectors, keys: list | None = None) -> "KeyedVectors":
        """Keyed vectors on a trained vocabulary's vectors: row 0 (wordvec's ``UNK``) left out,
        the other words given back as keys (``keys``, or :func:`~wordvec.compat.keys.key_of` of each)."""
        if keys is None:
            keys = [key_of(word) for word in vectors.words[1:]]
        counts = None if vectors.counts is None else vectors.counts[1:]
        if isinstance(vectors, SubwordVectors):
            inner = SubwordVectors(keys, vectors.word_rows[1:], vectors.ngram_rows, vectors.bucket_rows,
                                   min_n=vectors.min_n, max_n=vectors.max_n, counts=counts)
        else:
            inner = Vectors(keys, vectors.matrix[1:], counts=counts)
        return cls.from_vectors(inner)

    def _use(self, vectors: Vectors) -> None:
        self._vectors = vectors
        self.vector_size = vectors.dim

    def __str__(self) -> str:
        return f"{type(self).__name__}<vector_size={self.vector_size}, {len(self)} keys>"

    __repr__ = __str__

    # -- keys ---------------------------------------------------------------
    @property
    def index_to_key(self) -> list:
        """The keys, in index order (most frequent first for a trained model)."""
        return self._vectors.words

    @property
    def key_to_index(self) -> dict:
        """key -> index."""
        return self._vectors.key_to_index

    @property
    def vectors(self) -> np.ndarray:
        """The vectors, one row per key (for subword vectors: composed from the n-grams)."""
        return self._vectors.matrix

    @property
    def norms(self) -> np.ndarray:
        """The length of each vector."""
        return np.linalg.norm(np.asarray(self.vectors, dtype=np.float32), axis=1)

    def fill_norms(self, force: bool = False) -> None:
        """Kept for gensim's callers: the unit vectors are computed once, when first needed."""

    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, key) -> bool:
        return self.has_index_for(key)

    def has_index_for(self, key) -> bool:
        """Whether ``key`` is a key, or (an integer) an index."""
        return self.get_index(key, -1) >= 0

    def get_index(self, key, default=None) -> int:
        """The index of ``key``; an integer that is not a key is taken as an index, as gensim does.

        Raises :class:`KeyNotPresent` (a ``KeyError``) unless ``default`` is given.
        """
        index = self.key_to_index.get(key, -1)
        if index >= 0:
            return index
        if isinstance(key, (int, np.integer)) and 0 <= key < len(self):
            return int(key)
        if default is not None:
            return default
        raise KeyNotPresent(key)

    def get_vecattr(self, key, attr: str):
        """The corpus count of ``key`` (``attr="count"``, the one attribute kept)."""
        if attr != "count" or self._vectors.counts is None:
            raise KeyError(attr)
        return self._vectors.counts[self.get_index(key)]

    def _resolve(self, key):
        """The key of ``key`` for wordvec's queries (an index taken as gensim takes it)."""
        if isinstance(key, _KEY_TYPES) and key in self.key_to_index:
            return key
        return self.index_to_key[self.get_index(key)]

    # -- vectors ------------------------------------------------------------
    def __getitem__(self, key_or_keys) -> np.ndarray:
        if isinstance(key_or_keys, _KEY_TYPES):
            return self.get_vector(key_or_keys)
        return np.vstack([self.get_vector(key) for key in key_or_keys])

    def get_vector(self, key, norm: bool = False) -> np.ndarray:
        """The vector of ``key`` (unit length if ``norm``), read-only."""
        index = self.get_index(key)
        return _read_only(self._vectors.unit_matrix[index] if norm else self._vectors.matrix[index])

    def get_normed_vectors(self) -> np.ndarray:
        """Every vector scaled to unit length (zero vectors stay zero): a new array."""
        return self._vectors.unit_matrix.copy()

    def add_vectors(self, keys, weights, extras=None, replace: bool = False) -> None:
        """Add keys and their vectors; a key already present keeps its vector unless ``replace``."""
        if extras:
            raise UnsupportedOption("add_vectors: extras are not supported: the count is the one attribute kept")
        if isinstance(keys, _KEY_TYPES):
            keys = [keys]
        weights = np.asarray(weights, dtype=np.float32).reshape(len(keys), -1)
        if weights.shape[1] != self.vector_size:
            raise ParameterError(f"add_vectors: vectors of {weights.shape[1]} dimensions for keys of "
                                 f"{self.vector_size}")
        matrix = np.array(self.vectors, dtype=np.float32)
        new_keys, new_rows = [], []
        for key, row in zip(keys, weights):
            at = self.key_to_index.get(key)
            if at is None:
                new_keys.append(key)
                new_rows.append(row)
            elif replace:
                matrix[at] = row
        counts = self._vectors.counts
        if counts is not None:
            counts = np.concatenate([counts, np.zeros(len(new_keys), dtype=np.int64)])
        self._use(Vectors(list(self.index_to_key) + new_keys,
                          np.vstack([matrix] + [np.asarray(new_rows, dtype=np.float32).reshape(-1, matrix.shape[1])]),
                          counts=counts))

    def __setitem__(self, keys, weights) -> None:
        if not isinstance(keys, list):
            keys, weights = [keys], np.asarray(weights).reshape(1, -1)
        self.add_vectors(keys, weights, replace=True)

    # -- queries ------------------------------------------------------------
    def most_similar(self, positive=None, negative=None, topn=10, clip_start=0, clip_end=None,
                     restrict_vocab=None, indexer=None):
        """The keys nearest (by cosine) to the mean of the unit vectors of ``positive`` minus those
        of ``negative``, query keys excluded: ``[(key, similarity), ...]``, best first.

        Items are keys, vectors or ``(key or vector, weight)`` pairs; ``topn=None`` returns the
        similarity of every key (from ``clip_start`` to ``clip_end``) as an array.
        """
        if indexer is not None:
            raise UnsupportedOption(f"most_similar: indexer={type(indexer).__name__} is not supported: every vector is "
                                    "searched exactly")
        if isinstance(topn, Integral) and topn < 1:
            return []
        positive, negative = _as_list(positive), _as_list(negative)
        if restrict_vocab:
            clip_start, clip_end = 0, restrict_vocab
        clip_end = min(clip_end or len(self), len(self))
        if topn and not clip_start and all(isinstance(item, _KEY_TYPES) for item in positive + negative):
            return self._vectors.most_similar([self._resolve(key) for key in positive],
                                              [self._resolve(key) for key in negative], n=topn,
                                              restrict_vocab=clip_end if clip_end < len(self) else None)
        items = _weighted(positive, negative)
        scores = self._vectors.unit_matrix[clip_start:clip_end] @ self._direction(items)
        if not topn:
            return scores
        asked = {self.get_index(key) for key, _ in items if isinstance(key, _KEY_TYPES) and self.has_index_for(key)}
        best = _best(scores, topn + len(asked))
        found = [(self.index_to_key[i + clip_start], float(scores[i])) for i in best.tolist()
                 if i + clip_start not in asked]
        return found[:topn]

    def _direction(self, items: list) -> np.ndarray:
        """The unit vector of the weighted sum of the items' unit vectors (vectors taken as given)."""
        total = np.zeros(self.vector_size, dtype=np.float64)
        for item, weight in items:
            vector = item if isinstance(item, np.ndarray) else self.get_vector(item, norm=True)
            total += weight * np.asarray(vector, dtype=np.float64)
        length = np.linalg.norm(total)
        if not length > 1e-6:
            raise ZeroVectorError("the query")
        return (total / length).astype(np.float32)

    def similar_by_key(self, key, topn=10, restrict_vocab=None):
        """The neighbours of one key."""
        return self.most_similar(key, topn=topn, restrict_vocab=restrict_vocab)

    similar_by_word = similar_by_key

    def similar_by_vector(self, vector, topn=10, restrict_vocab=None):
        """The neighbours of a vector."""
        return self.most_similar(positive=[vector], topn=topn, restrict_vocab=restrict_vocab)

    def most_similar_cosmul(self, positive=None, negative=None, topn=10, restrict_vocab=None):
        """Neighbours by 3CosMul (Levy and Goldberg), keys only; ``restrict_vocab`` limits the search."""
        if isinstance(topn, Integral) and topn < 1:
            return []
        positive, negative = _as_list(positive), _as_list(negative)
        if not topn or not all(isinstance(item, _KEY_TYPES) for item in positive + negative):
            raise UnsupportedOption("most_similar_cosmul: only keys and an integer topn are supported here")
        return self._vectors.most_similar_cosmul([self._resolve(key) for key in positive],
                                                 [self._resolve(key) for key in negative], n=topn,
                                                 restrict_vocab=restrict_vocab)

    def similarity(self, w1, w2) -> np.float32:
        """Cosine similarity of two keys."""
        return np.float32(self._vectors.similarity(self._resolve(w1), self._resolve(w2)))

    def distance(self, w1, w2) -> np.float32:
        """Cosine distance of two keys: 1 - similarity."""
        return 1 - self.similarity(w1, w2)

    def n_similarity(self, ws1, ws2) -> np.float32:
        """Cosine similarity of the mean vectors of two lists of keys."""
        if not (len(ws1) and len(ws2)):
            raise ZeroDivisionError("At least one of the passed list is empty.")
        return np.float32(self._vectors.n_similarity([self._resolve(key) for key in ws1],
                                                     [self._resolve(key) for key in ws2]))

    def doesnt_match(self, words):
        """The key furthest from the mean of the others (keys not present are left out, as gensim does)."""
        used = [word for word in words if word in self]
        if not used:
            raise ValueError("cannot select a word from an empty list")
        resolved = [self._resolve(word) for word in used]
        return used[resolved.index(self._vectors.doesnt_match(resolved))]

    # -- evaluation ---------------------------------------------------------
    def evaluate_word_pairs(self, pairs, delimiter="\t", encoding="utf8", restrict_vocab=300000,
                            case_insensitive=True, dummy4unknown=False):
        """gensim's ``(pearson, spearman, oov_ratio)`` on a word-pair file (:mod:`.evaluation`)."""
        return evaluation.word_pairs(self._vectors, pairs, delimiter=delimiter, encoding=encoding,
                                     restrict_vocab=restrict_vocab, case_insensitive=case_insensitive,
                                     dummy4unknown=dummy4unknown)

    def evaluate_word_analogies(self, analogies, restrict_vocab=300000, case_insensitive=True,
                                dummy4unknown=False, similarity_function="most_similar"):
        """gensim's ``(score, sections)`` on an analogy file (:mod:`.evaluation`)."""
        return evaluation.word_analogies(self._vectors, analogies, restrict_vocab=restrict_vocab,
                                         case_insensitive=case_insensitive, dummy4unknown=dummy4unknown,
                                         similarity_function=similarity_function)

    # -- files --------------------------------------------------------------
    def save_word2vec_format(self, fname, fvocab=None, binary=False, total_vec=None, write_header=True,
                             prefix="", append=False, sort_attr="count"):
        """Write the word2vec text (or binary) format, most frequent first; keys written as text.

        Values are written with 6 significant digits (gensim writes every digit).
        """
        refuse_unsupported("save_word2vec_format", {"fvocab": fvocab, "total_vec": total_vec,
                                                    "write_header": write_header, "prefix": prefix, "append": append,
                                                    "sort_attr": sort_attr}, _SAVE_REFUSED)
        keys, matrix = self.index_to_key, self.vectors
        if self._vectors.counts is not None:
            order = np.argsort(-self._vectors.counts, kind="stable")
            keys, matrix = [keys[i] for i in order.tolist()], np.asarray(matrix)[order]
        save_word2vec(Vectors([str(key) for key in keys], matrix), fname, binary=bool(binary))

    @classmethod
    def load_word2vec_format(cls, fname, fvocab=None, binary=False, encoding="utf8", unicode_errors="strict",
                             limit=None, datatype=np.float32, no_header=False) -> "KeyedVectors":
        """Read the word2vec text or binary format (``no_header``: GloVe's, found from the content)."""
        refuse_unsupported("load_word2vec_format", {"fvocab": fvocab, "unicode_errors": unicode_errors},
                           _LOAD_REFUSED)
        if str(encoding).lower().replace("-", "") != "utf8":
            raise UnsupportedOption(f"load_word2vec_format: encoding={str(encoding)[:20]!r} is not supported: UTF-8")
        read = load_vectors(fname, limit=limit) if no_header else load_word2vec(fname, binary=bool(binary),
                                                                                 limit=limit)
        matrix = np.asarray(read.matrix)
        return cls.from_vectors(Vectors(read.words, matrix.astype(datatype, copy=False)))

    def save(self, fname, **kwargs) -> None:
        """Write a wordvec model directory at ``fname`` (:func:`wordvec.formats.save_model`);
        :meth:`load` reads it back, keys with their types."""
        refuse_unknown_save(kwargs)
        words, kind = stored_words(self.index_to_key)
        save_model(fname, relabelled(self._vectors, words), engine=_engine_of(self._vectors),
                   info={"gensim": {"class": type(self).__name__, "keys": kind}})

    @classmethod
    def load(cls, fname, mmap=None) -> "KeyedVectors":
        """Keyed vectors from a model directory: one :meth:`save` wrote, or any wordvec model
        (its ``UNK`` row left out); ``mmap="r"`` maps the matrix instead of reading it."""
        saved = load_model(fname, mmap=mmap is not None)
        settings = saved.info.get("gensim") if isinstance(saved.info.get("gensim"), dict) else {}
        vectors = saved.vectors
        trained = vectors.unknown is not None and vectors.words[:1] == [vectors.unknown]
        keys = restored_keys(vectors.words[1:] if trained else vectors.words, settings.get("keys", "str"))
        keys = [key_of(key) for key in keys]
        klass = FastTextKeyedVectors if isinstance(vectors, SubwordVectors) else cls
        if trained:
            return klass.from_trained(vectors, keys)
        return klass.from_vectors(relabelled(vectors, keys))


class FastTextKeyedVectors(KeyedVectors):
    """gensim's ``FastTextKeyedVectors``: every string has a vector, from its character n-grams.

    Keys of the vocabulary keep their trained vectors; any other string is answered from its
    n-grams (zeros where none was trained), and is ``in`` the vectors, as in gensim.
    """

    #: gensim's defaults, until vectors with subwords come (``bucket=0``: none yet).
    min_n, max_n, bucket = 3, 6, 0

    def __init__(self, vector_size, min_n, max_n, bucket, count=0, dtype=np.float32):
        super().__init__(vector_size, count=count, dtype=dtype)
        self.min_n, self.max_n, self.bucket = min_n, max_n, bucket

    def _use(self, vectors: Vectors) -> None:
        super()._use(vectors)
        if isinstance(vectors, SubwordVectors):
            self.min_n, self.max_n, self.bucket = vectors.min_n, vectors.max_n, vectors.buckets

    def _subwords(self) -> bool:
        return isinstance(self._vectors, SubwordVectors) and self._vectors.buckets > 0

    def __contains__(self, key) -> bool:
        return True if self._subwords() else super().__contains__(key)

    def _resolve(self, key):
        if isinstance(key, str) and key not in self.key_to_index and self._subwords():
            return key
        return super()._resolve(key)

    def get_vector(self, key, norm: bool = False) -> np.ndarray:
        """The vector of ``key``: its trained vector, or for another string one from its n-grams."""
        if isinstance(key, str) and key not in self.key_to_index and self._subwords():
            return _read_only(self._vectors.get_vector(key, norm=norm))
        return super().get_vector(key, norm=norm)

    def add_vectors(self, keys, weights, extras=None, replace: bool = False) -> None:
        raise UnsupportedOption("add_vectors: vectors cannot be added to a FastText model's vectors")


def refuse_unknown_save(options: dict) -> None:
    """Refuse gensim's pickle options of ``save`` (``separately``, ``pickle_protocol``...)."""
    for name, value in options.items():
        raise UnsupportedOption(f"save: {name}={str(value)[:40]!r} is not supported: a model directory is "
                                "written, not a pickle")


def _engine_of(vectors: Vectors) -> str:
    return "subword" if isinstance(vectors, SubwordVectors) else "native"


def _read_only(row) -> np.ndarray:
    row = np.asarray(row).view()
    row.flags.writeable = False
    return row


def _as_list(value) -> list:
    """gensim's ``_ensure_list``: one key or vector as a list of it; a 2-D array as its rows."""
    if value is None:
        return []
    if isinstance(value, _KEY_TYPES) or (isinstance(value, np.ndarray) and value.ndim == 1):
        return [value]
    return list(value)


def _weighted(positive: list, negative: list) -> list[tuple[object, float]]:
    """``(key or vector, weight)`` for each item: +1 for positive, -1 for negative, or the pair's own."""
    items = []
    for sign, group in ((1.0, positive), (-1.0, negative)):
        for item in group:
            if isinstance(item, _KEY_OR_VECTOR):
                items.append((item, sign))
            else:
                key, weight = item
                items.append((key, float(weight)))
    if not items:
        raise ValueError("cannot compute mean with no input")
    return items


def _best(scores: np.ndarray, n: int) -> np.ndarray:
    """The indices of the ``n`` highest scores, highest first."""
    n = min(n, scores.shape[0])
    if n <= 0:
        return np.empty(0, dtype=np.int64)
    best = np.argpartition(-scores, n - 1)[:n]
    return best[np.argsort(-scores[best], kind="stable")]
