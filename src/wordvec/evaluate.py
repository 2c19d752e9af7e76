"""Intrinsic evaluation: word-pair similarity and word analogies.

The numbers are those gensim's ``KeyedVectors.evaluate_word_pairs`` and
``KeyedVectors.evaluate_word_analogies`` report for the same vectors (with
their default ``dummy4unknown=False``), so results can be compared with
published gensim figures; the analogy search is batched into matrix products,
which makes the whole Google set a matter of seconds.

>>> import numpy as np
>>> from wordvec.vectors import Vectors
>>> rng = np.random.default_rng(0)
>>> vecs = Vectors([f"w{i}" for i in range(50)], rng.normal(size=(50, 8)).astype(np.float32))
>>> result = evaluate(vecs)                       # the packaged sets
>>> sorted(result["similarity"]), sorted(result["analogies"])
(['simlex999', 'wordsim353'], ['questions-words'])
>>> result["analogies"]["questions-words"]["oov"]  # none of these words are in w0..w49
1.0

Semantics, as in gensim
-----------------------
* ``restrict_vocab=N`` keeps the first ``N`` rows (the most frequent words in a
  model trained by wordvec): a pair or question with a word outside them is
  out of vocabulary, and only those rows are searched for analogy answers.
* ``case_insensitive=True`` upper-cases the words of the file and of the
  vocabulary; where several vocabulary words share an upper-case form the
  first (most frequent) row stands for all of them.
* Pairs and questions with an out-of-vocabulary word are skipped and counted in
  ``oov`` (gensim's ``dummy4unknown=False``); they do not count in ``total``.
* 3CosAdd answers ``a : b :: c : ?`` with the row nearest to ``b + c - a``
  (unit vectors), never ``a``, ``b`` or ``c`` themselves. Among gensim's five
  best candidates the first whose (upper-cased) word is not a question word is
  the prediction; if all five are case variants of question words the fifth
  one is.
* Rows of all zeros (the ``UNK`` row of a model trained by wordvec) have a
  cosine of 0 with every word in similarity pairs and are never an analogy
  answer (gensim computes 0/0 = NaN for them and so never ranks them). Any
  other row, a trained ``unknown`` placeholder included, is treated like every
  other word, as gensim would, and ``unknown`` gets no special treatment.

Where wordvec differs from gensim
---------------------------------
* A line that does not parse (not three fields, a score that is not a number,
  not four words in an analogy question) raises
  :class:`~wordvec.errors.ModelFormatError` naming the file and line, where
  gensim skips it with a log message. Blank lines are skipped. A gold score that is NaN or
  infinite, a line longer than 64 KiB and a line holding NUL bytes (binary data, ``/dev/zero``)
  are refused the same way; files are streamed line by line, never read whole, and an error
  quotes at most 80 characters of a line.
* A similarity file in which no pair can be scored gives NaN correlations with
  ``pairs=0`` (gensim raises ``ValueError``), so :func:`evaluate` still reports
  the other sets; fewer than two pairs also give NaN.
* ``method="3cosmul"`` (not in gensim's evaluation) uses the formula of
  gensim's ``most_similar_cosmul`` but, like 3CosAdd, searches only the first
  ``restrict_vocab`` rows (``most_similar_cosmul`` ignores ``restrict_vocab``).
* Sections of an analogy file that share a name are merged.
* Scores are computed in float32 matrix products; two candidates whose scores
  differ by less than float32 rounding (about 1e-7) may be ordered differently
  than gensim orders them, as may exact ties.
"""

from __future__ import annotations

import gzip
import importlib.resources
import math
import os
import zlib
from pathlib import Path
from typing import Iterator

import numpy as np

from .analogy_search import case_variants, predict_analogies
from .errors import ModelFormatError, ParameterError
from .text import quoted

__all__ = ["evaluate", "evaluate_word_pairs", "evaluate_analogies", "packaged_eval_sets"]

#: The analogy methods: 3CosAdd (Mikolov et al.) and 3CosMul (Levy and Goldberg).
METHODS = ("3cosadd", "3cosmul")
#: The longest line of an evaluation file (bytes); a longer one is refused, never read whole.
MAX_LINE_BYTES = 1 << 16


# -- files ------------------------------------------------------------------

def packaged_eval_sets() -> dict[str, dict[str, Path]]:
    """The evaluation sets shipped with wordvec.

    Returns
    -------
    dict
        ``{"similarity": {name: path}, "analogies": {name: path}}``: WordSim-353
        (``wordsim353``) and SimLex-999 (``simlex999``) word pairs, and Google's
        analogy questions (``questions-words``). Attribution and licences are in
        ``wordvec/data/eval/README.md``.

    Examples
    --------
    >>> sets = packaged_eval_sets()
    >>> sorted(sets["similarity"]), sorted(sets["analogies"])
    (['simlex999', 'wordsim353'], ['questions-words'])
    """
    root = importlib.resources.files("wordvec") / "data" / "eval"
    return {
        "similarity": {"wordsim353": root / "wordsim353.tsv", "simlex999": root / "simlex999.txt"},
        "analogies": {"questions-words": root / "questions-words.txt"},
    }


def _set_name(path) -> str:
    """File name without its extension (and without ``.gz``)."""
    name = os.fspath(path) if not hasattr(path, "name") else path.name
    name = os.path.basename(name)
    if name.endswith(".gz"):
        name = name[:-3]
    stem, dot, _ = name.rpartition(".")
    return stem if dot and stem else name


def _open(path):
    """A binary stream of an evaluation file (a path or a Traversable), read once, ``.gz`` unpacked."""
    try:
        if hasattr(path, "read_bytes") and not isinstance(path, (str, bytes, os.PathLike)):
            handle = path.open("rb")          # a Traversable from importlib.resources
        else:
            handle = open(path, "rb")
    except FileNotFoundError:
        raise ModelFormatError(f"evaluation file not found: {path}") from None
    except OSError as err:
        raise ModelFormatError(f"cannot read evaluation file {path}: {err}") from None
    if str(getattr(path, "name", path)).endswith(".gz"):
        return gzip.GzipFile(fileobj=handle), handle
    return handle, handle


def _lines(path) -> Iterator[tuple[int, str]]:
    """(1-based line number, text without its line ending) for each line of a UTF-8 file.

    Lines end at ``\\n`` only, as in gensim's binary reading; a trailing ``\\r`` is dropped.
    ``path`` may be a path or an :mod:`importlib.resources` traversable; ``.gz`` is unpacked.
    The file is streamed: a line longer than :data:`MAX_LINE_BYTES`, or one holding NUL bytes
    (binary data, ``/dev/zero``), is refused with one line naming it, never held whole.
    """
    stream, handle = _open(path)
    with handle, stream:
        number = 0
        while True:
            raw = _read_line(path, stream)
            if not raw:
                return
            number += 1
            _check_line(path, number, raw)
            try:
                line = raw.rstrip(b"\n").decode("utf-8")
            except UnicodeDecodeError:
                raise ModelFormatError(f"{path}, line {number}: not UTF-8 text") from None
            yield number, line[:-1] if line.endswith("\r") else line


def _read_line(path, stream) -> bytes:
    try:
        return stream.readline(MAX_LINE_BYTES + 1)
    except (OSError, EOFError, zlib.error) as err:
        raise ModelFormatError(f"cannot read evaluation file {path}: {err}") from None


def _check_line(path, number: int, raw: bytes) -> None:
    if b"\x00" in raw:
        raise ModelFormatError(f"{path}, line {number}: holds NUL bytes: binary data, not an evaluation file")
    if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
        raise ModelFormatError(f"{path}, line {number}: longer than {MAX_LINE_BYTES:,} bytes, "
                               f"not a line of an evaluation file")


def _check_restrict(restrict_vocab) -> None:
    if restrict_vocab is not None and (
        isinstance(restrict_vocab, bool) or not isinstance(restrict_vocab, (int, np.integer)) or restrict_vocab < 1
    ):
        raise ParameterError.out_of_range("restrict_vocab", restrict_vocab, "a positive integer or None")


def _lookup(vectors, restrict_vocab, case_insensitive: bool) -> tuple[dict[str, int], np.ndarray]:
    """gensim's restricted vocabulary and, for each kept row, the row that stands for its key.

    ``lookup`` maps a (possibly upper-cased) key to the first of the first ``restrict_vocab``
    rows that has it; ``canon[r]`` is ``lookup[key of row r]`` (``r`` itself unless an earlier
    row has the same upper-case form).
    """
    words = vectors.words if restrict_vocab is None else vectors.words[:restrict_vocab]
    lookup: dict[str, int] = {}
    canon = np.empty(len(words), dtype=np.int64)
    if case_insensitive:
        for row, word in enumerate(words):
            canon[row] = lookup.setdefault(word.upper(), row)
    else:
        lookup = {word: row for row, word in enumerate(words)}
        canon[:] = np.arange(len(words))
    return lookup, canon


# -- word pairs -------------------------------------------------------------

def evaluate_word_pairs(vectors, path, *, restrict_vocab: int | None = 300000,
                        case_insensitive: bool = True, delimiter: str = "\t", all_pairs: bool = False) -> dict:
    """Correlation of cosine similarities with human judgements of word pairs.

    Gives the numbers of gensim's ``KeyedVectors.evaluate_word_pairs`` (with
    ``dummy4unknown=False``); see the module notes for the rules.

    Parameters
    ----------
    vectors : Vectors
        The word vectors (rows ordered by frequency, most frequent first).
    path : str or path-like
        A UTF-8 file of ``word1<delimiter>word2<delimiter>score`` lines; lines
        starting with ``#`` and blank lines are skipped. ``.gz`` is unpacked.
    restrict_vocab : int or None, default=300000
        Only the first ``restrict_vocab`` rows count as known words (None: all).
    case_insensitive : bool, default=True
        Compare upper-cased forms of the words; the most frequent case variant
        stands for a word.
    delimiter : str, default="\\t"

    Returns
    -------
    dict
        ``spearman`` and ``pearson`` (correlation coefficients; NaN when fewer
        than two pairs could be scored), ``oov`` (the fraction of pairs skipped
        for an out-of-vocabulary word, 0..1) and ``pairs`` (pairs scored).

    Raises
    ------
    ModelFormatError
        The file is missing, not UTF-8, holds no pairs, or a line does not parse.

    Examples
    --------
    >>> import numpy as np
    >>> from wordvec.vectors import Vectors
    >>> vecs = Vectors(["cat", "tiger", "car"], np.array([[1, 0.2], [1, 0.4], [0, 1]], dtype=np.float32))
    >>> r = evaluate_word_pairs(vecs, packaged_eval_sets()["similarity"]["wordsim353"])
    >>> r["pairs"], round(r["oov"], 3)     # only tiger-cat and tiger-tiger are known
    (2, 0.994)
    """
    _check_restrict(restrict_vocab)
    lookup, _ = _lookup(vectors, restrict_vocab, case_insensitive)
    built = _SubwordRows(vectors, lookup, all_pairs, case_insensitive)
    gold, rows_a, rows_b, oov = _read_pairs(path, delimiter, built)
    spearman, pearson = _correlations(gold, _pair_cosines(vectors, built, rows_a, rows_b))
    return {"spearman": spearman, "pearson": pearson, "oov": oov / (len(gold) + oov), "pairs": len(gold),
            "subword_words": len(built.extra)}


def _read_pairs(path, delimiter: str, built) -> tuple[list[float], list[int], list[int], int]:
    """The pairs of a word-pair file that can be scored: their gold scores, the rows of both
    words (``built.row``), and how many pairs were skipped for an out-of-vocabulary word."""
    gold: list[float] = []
    rows_a: list[int] = []
    rows_b: list[int] = []
    oov = 0
    for number, line in _lines(path):
        if line.startswith("#") or not line.strip():
            continue
        fields = line.split(delimiter)
        if len(fields) != 3:
            raise ModelFormatError(
                f"{path}, line {number}: expected word1{delimiter!r}word2{delimiter!r}score, got {quoted(line)}"
            )
        a, b, score = fields
        score = _score(path, number, score)
        row_a, row_b = built.row(a), built.row(b)
        if row_a == -1 or row_b == -1:
            oov += 1
            continue
        gold.append(score)
        rows_a.append(row_a)
        rows_b.append(row_b)
    if not gold and not oov:
        raise ModelFormatError(f"{path}: no word pairs found")
    return gold, rows_a, rows_b, oov


def _pair_cosines(vectors, built, rows_a: list[int], rows_b: list[int]) -> np.ndarray:
    """The cosine similarity of each pair (float64; 0 where a row is all zeros)."""
    unit = built.queries(vectors.unit_matrix)
    n_rows = vectors.unit_matrix.shape[0]
    rows_a, rows_b = built.resolve(rows_a, n_rows), built.resolve(rows_b, n_rows)
    return np.einsum("ij,ij->i", unit[rows_a].astype(np.float64), unit[rows_b].astype(np.float64))


def _correlations(gold: list[float], model: np.ndarray) -> tuple[float, float]:
    """Spearman's and Pearson's coefficients of the model's similarities with the gold scores
    (NaN for fewer than two pairs, or for constant input, as gensim gets it from SciPy).

    >>> [round(r, 4) for r in _correlations([1.0, 2.0, 3.0, 4.0], np.array([0.1, 0.3, 0.2, 0.9]))]
    [0.8, 0.8262]
    """
    if len(gold) < 2:
        return float("nan"), float("nan")
    gold_scores, model_scores = np.asarray(gold, dtype=np.float64), np.asarray(model, dtype=np.float64)
    spearman = _pearson(_average_ranks(gold_scores), _average_ranks(model_scores))
    return spearman, _pearson(gold_scores, model_scores)


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks from 1, tied values sharing their mean rank (SciPy's ``rankdata``, method "average")."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts_group = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    starts = np.flatnonzero(starts_group)
    ends = np.append(starts[1:], len(values))
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = ((starts + ends + 1) / 2.0)[np.cumsum(starts_group) - 1]
    return ranks


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson's coefficient, clipped to [-1, 1]; NaN when either side is constant or not finite."""
    a, b = a - a.mean(), b - b.mean()
    denominator = math.sqrt(float(a @ a) * float(b @ b))
    if not denominator or not math.isfinite(denominator):
        return float("nan")
    return max(-1.0, min(1.0, float(a @ b) / denominator))


def _score(path, number: int, field: str) -> float:
    """The human score of a word pair: a finite number, else one line naming the file and line."""
    try:
        score = float(field)
    except ValueError:
        raise ModelFormatError(f"{path}, line {number}: score {quoted(field.strip())} is not a number") from None
    if not math.isfinite(score):
        raise ModelFormatError(f"{path}, line {number}: the score is not a finite number ({quoted(field.strip())})")
    return score


class _SubwordRows:
    """Rows of evaluation words: the vocabulary's, or (``all_pairs``) new rows after the
    searchable ones for words built from subwords; -1 where a word has none."""

    def __init__(self, vectors, lookup: dict, all_pairs: bool, case_insensitive: bool):
        self.build = getattr(vectors, "vector_for_unknown", None) if all_pairs else None
        self.lookup, self.case_insensitive = lookup, case_insensitive
        self.extra: dict[str, np.ndarray] = {}
        self.order: dict[str, int] = {}

    def row(self, word: str) -> int:
        key = word.upper() if self.case_insensitive else word
        if key in self.lookup:
            return self.lookup[key]
        if self.build is None:
            return -1
        if key not in self.extra:
            self.extra[key] = _unit_row(self.build(word.lower() if self.case_insensitive else word))
            self.order[key] = len(self.order)
        return -2 - self.order[key]

    def queries(self, unit: np.ndarray) -> np.ndarray:
        """``unit`` with the built rows appended; built row ``-2 - k`` becomes row ``len(unit) + k``."""
        if not self.extra:
            return unit
        return np.vstack([unit] + [self.extra[k][None, :] for k in self.order]).astype(unit.dtype)

    def resolve(self, rows, n_rows: int) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        return np.where(rows <= -2, n_rows + (-2 - rows), rows)


def _unit_row(vector) -> np.ndarray:
    vector = np.asarray(vector, dtype=np.float32)
    norm = np.linalg.norm(vector)
    return vector / norm if norm > 0 else vector


# -- analogies --------------------------------------------------------------

def _read_questions(path) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
    """Sections in file order, each with its questions (sections of one name merged)."""
    sections: dict[str, list] = {}
    current = None
    for number, line in _lines(path):
        if line.startswith(": "):
            current = sections.setdefault(line.lstrip(": ").strip(), [])
            continue
        if not line.strip():
            continue
        if current is None:
            raise ModelFormatError(f"{path}, line {number}: question before the first ': section' line")
        words = line.split()
        if len(words) != 4:
            raise ModelFormatError(f"{path}, line {number}: expected 4 words 'a b c d', got {quoted(line)}")
        current.append(tuple(words))
    if not any(sections.values()):
        raise ModelFormatError(f"{path}: no analogy questions found")
    return list(sections.items())


class _QuestionTable:
    """A questions file as arrays: section names, the distinct words in order of first use, and each
    question's four words (indices into ``words``) and section."""

    def __init__(self, sections):
        self.names = [name for name, _ in sections]
        index: dict[str, int] = {}
        questions = [q for _, qs in sections for q in qs]
        self.table = np.array([[index.setdefault(w, len(index)) for w in q] for q in questions],
                              dtype=np.int64).reshape(-1, 4)
        self.words = list(index)
        self.section = np.repeat(np.arange(len(sections), dtype=np.int64), [len(qs) for _, qs in sections])


_QUESTION_TABLES: dict[tuple, _QuestionTable] = {}


def _question_table(path) -> _QuestionTable:
    """:func:`_read_questions` of ``path`` as a :class:`_QuestionTable`; a file read before, unchanged
    since (same size and modification time), is not read again."""
    try:
        info = os.stat(path)
        key = (os.path.realpath(path), info.st_size, info.st_mtime_ns)
    except (TypeError, OSError):
        key = None
    if key in _QUESTION_TABLES:
        return _QUESTION_TABLES[key]
    table = _QuestionTable(_read_questions(path))
    if key is not None:
        if len(_QUESTION_TABLES) >= 4:
            _QUESTION_TABLES.pop(next(iter(_QUESTION_TABLES)))
        _QUESTION_TABLES[key] = table
    return table


def evaluate_analogies(vectors, path, *, restrict_vocab: int | None = 300000,
                       case_insensitive: bool = True, method: str = "3cosadd", all_pairs: bool = False) -> dict:
    """Accuracy on analogy questions ``a b c d`` (``a`` is to ``b`` as ``c`` is to ``d``).

    Gives the numbers of gensim's ``KeyedVectors.evaluate_word_analogies``
    (with ``dummy4unknown=False``); see the module notes for the rules.

    Parameters
    ----------
    vectors : Vectors
        The word vectors (rows ordered by frequency, most frequent first).
    path : str or path-like
        A UTF-8 file of ``: section`` lines, each followed by questions of four
        words; blank lines are skipped. ``.gz`` is unpacked.
    restrict_vocab : int or None, default=300000
        Only the first ``restrict_vocab`` rows count as known words and are searched (None: all).
    case_insensitive : bool, default=True
        Compare upper-cased forms of the words.
    method : {"3cosadd", "3cosmul"}, default="3cosadd"
        3CosAdd (nearest to ``b - a + c``, as gensim) or 3CosMul (Levy &
        Goldberg, 2014, as gensim's ``most_similar_cosmul`` scores it).
    all_pairs : bool, default=False
        Score every question: words outside the vocabulary get the vector built from their
        subwords (``vectors.vector_for_unknown``); answers are still vocabulary words, so a
        question whose answer is outside the vocabulary counts as wrong.

    Returns
    -------
    dict
        ``accuracy`` (``correct / total``, 0.0 when ``total`` is 0), ``correct``, ``total``
        (questions without out-of-vocabulary words; gensim's "Total accuracy"), ``oov``
        (fraction of questions skipped for an out-of-vocabulary word, 0..1),
        ``subword_words`` (distinct words built from subwords) and ``sections``:
        ``{name: {"accuracy", "correct", "total"}}`` in file order, sections without a
        known question included.

    Raises
    ------
    ModelFormatError
        The file is missing, not UTF-8, holds no questions, or a line does not parse.

    Examples
    --------
    >>> import numpy as np
    >>> from wordvec.vectors import Vectors
    >>> words = ["man", "king", "woman", "queen", "apple"]
    >>> m = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 1], [1, -1, 1]], dtype=np.float32)
    >>> r = evaluate_analogies(Vectors(words, m), packaged_eval_sets()["analogies"]["questions-words"])
    >>> r["correct"], r["total"], r["sections"]["family"]["accuracy"]   # king-queen, man-woman
    (2, 2, 1.0)
    """
    _check_restrict(restrict_vocab)
    _check_method(method)
    questions = _question_table(path)
    lookup, canon = _lookup(vectors, restrict_vocab, case_insensitive)
    built = _SubwordRows(vectors, lookup, all_pairs, case_insensitive)
    ids, section_of = _question_rows(questions, built)
    hits = _hits(vectors, canon, built, ids, method, case_insensitive)
    return _tally(questions, section_of, hits, len(built.extra))


def _check_method(method) -> None:
    if method not in METHODS:
        raise ParameterError.out_of_range("method", method, "'3cosadd' or '3cosmul'")


def _question_rows(questions: _QuestionTable, built) -> tuple[np.ndarray, np.ndarray]:
    """The rows of the four words of each question without an out-of-vocabulary word, and the
    section of each."""
    rows_of_words = np.array([built.row(w) for w in questions.words], dtype=np.int64)
    rows = rows_of_words[questions.table]
    known = (rows != -1).all(axis=1)
    return rows[known], questions.section[known]


def _hits(vectors, canon: np.ndarray, built, ids: list, method: str, case_insensitive: bool) -> np.ndarray:
    """Whether each question (rows ``ids``) is answered right."""
    if not len(ids):
        return np.zeros(0, dtype=bool)
    unit = vectors.unit_matrix[: len(canon)]
    q = built.resolve(ids, len(canon))
    usable = np.linalg.norm(unit, axis=1) > 0
    variants = case_variants(canon) if case_insensitive else {}
    predicted = predict_analogies(unit, usable, canon, variants, q[:, 0], q[:, 1], q[:, 2], method,
                                  built.queries(unit))
    return predicted == q[:, 3]


def _accuracy(correct, total) -> dict:
    c, t = int(correct), int(total)
    return {"accuracy": c / t if t else 0.0, "correct": c, "total": t}


def _tally(questions: _QuestionTable, section_of: np.ndarray, hits: np.ndarray, subword_words: int) -> dict:
    """:func:`evaluate_analogies`'s answer: accuracy in all and per section, and the share skipped."""
    n_sections, n_questions = len(questions.names), len(questions.table)
    correct = np.bincount(section_of, weights=hits, minlength=n_sections).astype(np.int64)
    total = np.bincount(section_of, minlength=n_sections).astype(np.int64)
    result = _accuracy(correct.sum(), total.sum())
    result["oov"] = (n_questions - len(section_of)) / n_questions
    result["subword_words"] = subword_words
    result["sections"] = {name: _accuracy(correct[s], total[s]) for s, name in enumerate(questions.names)}
    return result


# -- both -------------------------------------------------------------------

def _named(paths) -> dict[str, object]:
    if paths is None:
        return {}
    if isinstance(paths, (str, bytes, os.PathLike)) or hasattr(paths, "read_bytes"):
        paths = [paths]
    named: dict[str, object] = {}
    for path in paths:
        name = _set_name(path)
        named[name if name not in named else os.fspath(path)] = path
    return named


def evaluate(vectors, similarity=None, analogies=None, restrict_vocab: int | None = 300000,
             method: str = "3cosadd", all_pairs: bool = False) -> dict:
    """Evaluate on several sets at once, by default on the packaged ones.

    Parameters
    ----------
    vectors : Vectors
    similarity : path or list of paths, optional
        Word-pair files for :func:`evaluate_word_pairs`.
    analogies : path or list of paths, optional
        Analogy files for :func:`evaluate_analogies`.
        With neither given, the sets of :func:`packaged_eval_sets` are used.
    restrict_vocab : int or None, default=300000
    method : {"3cosadd", "3cosmul"}, default="3cosadd"
    all_pairs : bool, default=False
        Score every pair and question, building the vectors of words outside
        the vocabulary from their subwords (models with subwords only).

    Returns
    -------
    dict
        ``{"similarity": {name: result}, "analogies": {name: result}}`` where
        ``name`` is the file name without its extension.

    Examples
    --------
    >>> import numpy as np
    >>> from wordvec.vectors import Vectors
    >>> vecs = Vectors(["cat", "tiger", "car"], np.array([[1, 0.2], [1, 0.4], [0, 1]], dtype=np.float32))
    >>> evaluate(vecs)["similarity"]["wordsim353"]["pairs"]
    2
    """
    _check_restrict(restrict_vocab)
    _check_method(method)
    if similarity is None and analogies is None:
        packaged = packaged_eval_sets()
        pair_sets, analogy_sets = packaged["similarity"], packaged["analogies"]
    else:
        pair_sets, analogy_sets = _named(similarity), _named(analogies)
    return {
        "similarity": {name: evaluate_word_pairs(vectors, path, restrict_vocab=restrict_vocab,
                                                 all_pairs=all_pairs)
                       for name, path in pair_sets.items()},
        "analogies": {name: evaluate_analogies(vectors, path, restrict_vocab=restrict_vocab, method=method,
                                               all_pairs=all_pairs)
                      for name, path in analogy_sets.items()},
    }
