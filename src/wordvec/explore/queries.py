"""What the explorer's API computes from a model: neighbours, analogies, completions and its description.

:class:`Explorer` answers on one model and knows nothing of HTTP (the routes
in :mod:`wordvec.explore.routes` parse requests and call it). The model may be
a model directory, a vectors file (GloVe, word2vec text or binary, fastText
``.vec`` or ``.bin``, compressed or not: whatever :func:`wordvec.formats.load_vectors`
reads) or vectors in memory; :func:`explorer_for` opens each.

A model with subwords (``wordvec train --subwords``, or a fastText ``.bin``)
answers for words outside its vocabulary too, their vectors built from their
character n-grams (:meth:`Explorer.built` names those query words; the API
sends them in the :data:`BUILT_HEADER` header). Answers are always vocabulary
words.

>>> import numpy as np
>>> from wordvec.vectors import Vectors
>>> vecs = Vectors(["UNK", "tea", "coffee", "dog"],
...                np.array([[0, 0], [1, .1], [1, .2], [0, 1]], dtype=np.float32), unknown="UNK")
>>> explorer = Explorer(vecs, progress=False, start_map=False)
>>> explorer.similar("tea", 1)[0]["word"]
'coffee'
>>> [answer["word"] for answer in explorer.vocab("d", 5)]
['dog']
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import __version__
from ..errors import ParameterError, UnknownWordError
from ..vectors import SubwordVectors
from .mapdata import MapStore
from .vocabindex import VocabIndex

#: Most neighbours, analogy answers or completions one request may ask for.
MAX_N = 1000
#: Most words in one analogy question.
MAX_ANALOGY_WORDS = 20
#: Longest word accepted in a query.
MAX_WORD_LENGTH = 200
#: The response header naming the query words built from subwords (percent-encoded, comma-separated).
BUILT_HEADER = "X-Built-From-Subwords"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


class Explorer:
    """The queries behind the API, on one model (independent of Flask)."""

    def __init__(self, vectors, model_dir=None, *, top: int = 2000, perplexity: float = 30.0, seed: int = 1,
                 progress: bool = True, name: str | None = None, engine: str | None = None,
                 start_map: bool = True, source_file=None, limit: int | None = None):
        if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 2:
            raise ParameterError.out_of_range("top", top, "an integer of at least 2")
        self.vectors = vectors
        self.model_dir = None if model_dir is None else Path(model_dir)
        self.name = name or (self.model_dir.resolve().name if self.model_dir else "vectors")
        self.engine = engine
        self.index = VocabIndex(vectors.words, skip=vectors.unknown)
        _ = vectors.unit_matrix  # normalise once, before the first request
        self.map = MapStore(vectors, self.model_dir, top=int(top), perplexity=perplexity, seed=seed,
                            progress=progress, start=start_map, source_file=source_file, limit=limit)

    def _count(self, row: int):
        counts = self.vectors.counts
        return None if counts is None else int(counts[row])

    @property
    def subwords(self) -> bool:
        """Whether words outside the vocabulary are answered, built from their subwords."""
        return isinstance(self.vectors, SubwordVectors)

    def built(self, words: list[str]) -> list[str]:
        """The query words that are not in the vocabulary (built from subwords), each once."""
        return list(dict.fromkeys(w for w in words if w not in self.vectors.key_to_index))

    def _known(self, word: str) -> str:
        if word not in self.vectors.key_to_index and not self.subwords:
            raise UnknownWordError(_short(word))
        return word

    def _answers(self, pairs) -> list[dict]:
        index = self.vectors.key_to_index
        return [{"word": w, "similarity": round(s, 6), "count": self._count(index[w])} for w, s in pairs]

    def similar(self, word: str, n: int) -> list[dict]:
        return self._answers(self.vectors.most_similar(self._known(word), n=n))

    def analogy(self, positive: list[str], negative: list[str], n: int) -> list[dict]:
        if not positive:
            raise ParameterError("an analogy needs at least one 'positive' word (a − b + c: positive=a,c&negative=b)")
        if len(positive) + len(negative) > MAX_ANALOGY_WORDS:
            raise ParameterError(f"too many words in the analogy (at most {MAX_ANALOGY_WORDS})")
        for word in positive + negative:
            self._known(word)
        return self._answers(self.vectors.most_similar(positive=positive, negative=negative, n=n))

    def vocab(self, prefix: str, limit: int) -> list[dict]:
        return [{"word": self.vectors.words[row], "count": self._count(row)}
                for row in self.index.rows(prefix, limit).tolist()]

    def info(self) -> dict:
        v = self.vectors
        subwords = ({"min_n": v.min_n, "max_n": v.max_n, "buckets": v.buckets} if self.subwords else None)
        return {"model": self.name, "engine": self.engine, "words": len(v), "dim": v.dim,
                "unknown": v.unknown, "subwords": subwords, "map_top": self.map.top, "max_n": MAX_N,
                "version": __version__}


def explorer_for(model, *, limit: int | None, **settings) -> Explorer:
    """An explorer of a model directory, a vectors file or vectors in memory."""
    from ..formats import check_limit, first_rows, is_classifier, load_model, load_vectors

    check_limit(limit)
    if not isinstance(model, (str, Path)):
        return Explorer(first_rows(model, limit), None, **settings)
    path = Path(model)
    if is_classifier(path):  # a text classifier: the input rows of its words
        from ..classifier import load_classifier

        return Explorer(load_classifier(path).word_vectors(limit), None, name=path.name, engine="supervised",
                        **settings)
    if path.is_dir():
        saved = load_model(path, mmap=True)
        return Explorer(first_rows(saved.vectors, limit), path, engine=saved.engine, **settings)
    vectors = load_vectors(path, limit=limit)
    return Explorer(vectors, None, name=path.name, source_file=path, limit=limit, **settings)
