"""gensim's keys as wordvec's words, and back: in the vocabulary, and in model directories.

gensim's keys are what the sentences hold: strings, or integers (node ids). wordvec keeps
tokens exactly as given, with two exceptions this module undoes:

- row 0 of a wordvec vocabulary is its own ``"UNK"``, never trained; a key ``"UNK"`` of the
  sentences is therefore trained under the word :data:`UNKNOWN_ALIAS`, and given back as ``"UNK"``;
- NumPy integers (from integer arrays) are given back as Python ints.

A model directory stores its words as lines of text (``vocab.tsv``), so keys are written as
:func:`stored_words` says and read back by :func:`restored_keys`: strings as they are, integers
as digits, and a mix of both (or strings holding a line break) as JSON.

>>> import numpy as np
>>> key_of(UNKNOWN_ALIAS), key_of(np.int64(7)), key_of("tea")
('UNK', 7, 'tea')
>>> stored_words([3, 1])
(['3', '1'], 'int')
>>> restored_keys(*stored_words(["3", 3]))
['3', 3]
"""

from __future__ import annotations

import json

import numpy as np

from ..errors import ModelFormatError, ParameterError
from ..vectors import SubwordVectors, Vectors
from ..vocab import UNKNOWN

__all__ = ["UNKNOWN", "UNKNOWN_ALIAS", "KEY_KINDS", "key_of", "is_integer_key", "stored_words", "restored_keys",
           "relabelled"]

#: The word a key ``"UNK"`` is trained as (row 0, ``"UNK"``, is wordvec's placeholder).
UNKNOWN_ALIAS = "UNK\x00"
#: How a model directory stores keys: as they are (strings), as digits (integers), as JSON (a mix).
KEY_KINDS = ("str", "int", "json")


def key_of(word):
    """The gensim key of a vocabulary word."""
    if isinstance(word, str):
        return UNKNOWN if word == UNKNOWN_ALIAS else word
    if isinstance(word, np.integer):
        return int(word)
    return word


def is_integer_key(key) -> bool:
    """An integer key (Python's or NumPy's), not a bool."""
    return isinstance(key, (int, np.integer)) and not isinstance(key, bool)


def stored_words(keys: list) -> tuple[list, str]:
    """The words a model directory stores for ``keys``, and their kind (one of :data:`KEY_KINDS`).

    Strings without line breaks are stored as they are (the same list is returned).
    """
    if all(isinstance(key, str) for key in keys) and not any("\n" in key for key in keys):
        return keys, "str"
    if all(is_integer_key(key) for key in keys):
        return [str(int(key)) for key in keys], "int"
    for key in keys:
        if not isinstance(key, (str, int, np.integer)):
            raise ParameterError(f"the key {str(key)[:40]!r} ({type(key).__name__}) cannot be saved: keys are "
                                 "saved as strings or integers")
    return [json.dumps(key if isinstance(key, str) else int(key)) for key in keys], "json"


def restored_keys(words: list, kind: str) -> list:
    """The keys of the words a model directory stores, of ``kind`` (:func:`stored_words`)."""
    try:
        if kind == "str":
            return list(words)
        if kind == "int":
            return [int(word) for word in words]
        if kind == "json":
            keys = [json.loads(word) for word in words]
            if all(isinstance(key, (str, int)) for key in keys):
                return keys
    except ValueError:
        pass
    raise ModelFormatError(f"the keys of this model cannot be read back as {str(kind)[:20]!r} keys")


def relabelled(vectors: Vectors, words: list) -> Vectors:
    """``vectors`` with other words for the same rows (the same object when they are its own)."""
    if words is vectors.words:
        return vectors
    if isinstance(vectors, SubwordVectors):
        if not all(isinstance(word, str) for word in words):
            raise ParameterError("subword vectors need string keys")
        return SubwordVectors(words, vectors.word_rows, vectors.ngram_rows, vectors.bucket_rows,
                              min_n=vectors.min_n, max_n=vectors.max_n, counts=vectors.counts,
                              unknown=vectors.unknown)
    return Vectors(words, vectors.matrix, counts=vectors.counts, unknown=vectors.unknown)
