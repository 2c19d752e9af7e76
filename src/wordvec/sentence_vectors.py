"""A text's vector from word vectors, as fastText's ``print-sentence-vectors`` makes it for word vectors.

fastText's ``getSentenceVector`` for an unsupervised model splits a line at ASCII whitespace, takes
each word's vector (a word outside the vocabulary: the mean of its n-gram rows, for vectors with
subwords), divides it by its length, and averages those unit vectors, leaving out the words whose
vector is zero (and a text without any word is a zero vector). :class:`SentenceEmbedding` gives
:class:`~wordvec.vectors.Vectors` that rule (:meth:`~SentenceEmbedding.embed`, and
:meth:`~SentenceEmbedding.embed_batch` on tables), and its pickling: vectors loaded from a file and
marked with :meth:`~SentenceEmbedding.loaded_from` pickle as that file's path, loaded once per worker
process (:mod:`wordvec.shared_models`); vectors made in memory pickle whole, their caches left out.

>>> from wordvec.vectors import Vectors
>>> vectors = Vectors(["tea", "hot"], np.array([[3.0, 4.0], [0.0, 2.0]], np.float32))
>>> vectors.embed(["hot tea", "tea cup", ""]).tolist()
[[0.30000001192092896, 0.8999999761581421], [0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
"""

from __future__ import annotations

import copy
import re

import numpy as np

from .batches import batch_texts, with_columns
from .errors import ParameterError
from .shared_models import shared_model
from .text import decode_line, tokenize

__all__ = ["SENTENCE_TOKENIZERS", "SentenceEmbedding"]

#: How a text is split into words: ``whitespace`` (fastText's rule: at spaces, tabs, line ends,
#: vertical tabs and form feeds, words kept as they are) or ``words`` (wordvec's tokenizer, as
#: ``wordvec train`` reads text by default: lower case, punctuation off).
SENTENCE_TOKENIZERS = ("whitespace", "words")

_FASTTEXT_WORD = re.compile(r"[^ \t\n\v\f\r]+")
_CACHES = ("_unit", "_composed", "_nonzero_rows")


def _words(text, tokenizer: str) -> list:
    if isinstance(text, (bytes, bytearray)):
        text = decode_line(bytes(text))
    return _FASTTEXT_WORD.findall(text) if tokenizer == "whitespace" else tokenize(text)


def _shared_vectors(loader, path: str, options: dict):
    """Vectors pickled as ``loader(path, **options)``, loaded once per process, and pickling so again."""
    return shared_model(loader, path, options).loaded_from(loader, path, **options)


class SentenceEmbedding:
    """What :class:`~wordvec.vectors.Vectors` inherits: texts' vectors, on lists and tables, and pickling."""

    _source = None

    def embed(self, texts, tokenizer: str = "whitespace") -> np.ndarray:
        """Each text's vector: the mean of its words' unit vectors (fastText's ``print-sentence-vectors``).

        Parameters
        ----------
        texts : str or list of str (or bytes)
            One text, or a list of them.
        tokenizer : {"whitespace", "words"}, default="whitespace"
            :data:`SENTENCE_TOKENIZERS`: fastText's split, or wordvec's tokenizer (for vectors
            that ``wordvec train`` learnt from text read with its default tokenizer).

        Returns
        -------
        ndarray of float32, shape (len(texts), dim)
            Zero rows for texts none of whose words has a vector.
        """
        if tokenizer not in SENTENCE_TOKENIZERS:
            raise ParameterError.out_of_range("tokenizer", tokenizer, " or ".join(SENTENCE_TOKENIZERS))
        texts = [texts] if isinstance(texts, (str, bytes, bytearray)) else list(texts)
        unit, nonzero = self._unit_rows()
        index, known = self.key_to_index, []
        unknown_vectors, unknown_owners, built = [], [], {}
        for number, text in enumerate(texts):
            for word in _words(text, tokenizer):
                row = index.get(word)
                if row is not None:
                    known.append((number, row))
                elif hasattr(self, "vector_for_unknown"):
                    vector = built[word] if word in built else built.setdefault(word, self._unit_unknown(word))
                    if vector is not None:
                        unknown_vectors.append(vector)
                        unknown_owners.append(number)
        return self._mean_rows(len(texts), unit, nonzero, known, unknown_vectors, unknown_owners)

    def embed_batch(self, batch, column: str = "text", tokenizer: str = "whitespace", clean: bool = True):
        """``batch`` with a ``vector`` column: each text's vector (:meth:`embed`).

        Parameters
        ----------
        batch : pandas.DataFrame, pyarrow.Table or RecordBatch, or dict of arrays
            The batch (``dask.dataframe.map_partitions`` and Ray's ``map_batches`` hand these over).
        column : str, default="text"
            The column holding the texts.
        tokenizer : {"whitespace", "words"}
            As for :meth:`embed`.
        clean : bool, default=True
            Clean each text as the readers clean a table's text column (``wordvec embed`` does).

        Returns
        -------
        The same kind of batch: ``vector`` is a column of float32 arrays (pandas), a fixed-size
        list column (pyarrow) or a 2-D array (dict).

        Examples
        --------
        >>> from wordvec.vectors import Vectors
        >>> vectors = Vectors(["tea"], np.array([[0.0, 2.0]], np.float32))
        >>> vectors.embed_batch({"text": np.array(["tea", "cup"])})["vector"].tolist()
        [[0.0, 1.0], [0.0, 0.0]]
        """
        texts = batch_texts(batch, column, clean=clean)
        return with_columns(batch, {"vector": self.embed(texts, tokenizer)})

    def loaded_from(self, loader, path, **options):
        """Mark these vectors as ``loader(path, **options)``'s: they then pickle as that call, and each
        process that unpickles them loads the file once (:func:`~wordvec.shared_models.shared_model`).
        Returns the vectors."""
        self._source = (loader, str(path), dict(options))
        return self

    def __reduce_ex__(self, protocol):
        if self._source is not None:
            return _shared_vectors, self._source
        return super().__reduce_ex__(protocol)

    def __copy__(self):
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__getstate__())
        return clone

    def __deepcopy__(self, memo):
        """A copy of its own, never the object that unpickling shares in this process."""
        clone = object.__new__(type(self))
        memo[id(self)] = clone
        clone.__dict__.update(copy.deepcopy(self.__getstate__(), memo))
        return clone

    def __getstate__(self) -> dict:
        """The state pickled for vectors made in memory: everything but the caches (made again on use)."""
        state = dict(self.__dict__)
        for name in _CACHES:
            if name in state:
                state[name] = None
        return state

    def _unit_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """The unit rows of the vocabulary and which of them are not zero (kept while the rows are)."""
        unit = self.unit_matrix
        cached = getattr(self, "_nonzero_rows", None)
        if cached is None or cached[0] is not unit:
            cached = (unit, unit.any(axis=1))
            self._nonzero_rows = cached
        return cached

    def _unit_unknown(self, word: str):
        vector = self.vector_for_unknown(word).astype(np.float32)
        norm = np.float32(np.linalg.norm(vector))
        return vector / norm if norm > 0 else None

    def _mean_rows(self, n: int, unit, nonzero, known, unknown_vectors, unknown_owners) -> np.ndarray:
        out = np.zeros((n, self.dim), dtype=np.float32)
        counts = np.zeros(n, dtype=np.int64)
        if known:
            pairs = np.array(known, dtype=np.int64).reshape(-1, 2)
            pairs = pairs[nonzero[pairs[:, 1]]]
            _add_rows(out, pairs[:, 0], pairs[:, 1], unit)
            counts += np.bincount(pairs[:, 0], minlength=n)
        if unknown_vectors:
            owners = np.array(unknown_owners, dtype=np.int64)
            _add_rows(out, owners, np.arange(len(owners)), np.array(unknown_vectors, dtype=np.float32))
            counts += np.bincount(owners, minlength=n)
        out /= np.maximum(counts, 1).astype(np.float32)[:, None]
        return out


def _add_rows(out: np.ndarray, owners: np.ndarray, rows: np.ndarray, source: np.ndarray,
              per_block: int = 16384) -> None:
    """``out[owners[i]] += source[rows[i]]`` for every ``i`` (``owners`` ascending), a block of rows at a
    time so that the gathered rows never take much memory.

    >>> out = np.zeros((3, 1), np.float32)
    >>> _add_rows(out, np.array([0, 0, 2]), np.array([1, 2, 0]), np.arange(3.0)[:, None])
    >>> out.ravel().tolist()
    [3.0, 0.0, 0.0]
    """
    for first in range(0, len(owners), per_block):
        part = owners[first:first + per_block]
        starts = np.flatnonzero(np.diff(part, prepend=-1))
        out[part[starts]] += np.add.reduceat(source[rows[first:first + per_block]], starts, axis=0)
