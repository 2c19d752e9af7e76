"""gensim's evaluation results, computed by wordvec's evaluation.

``evaluate_word_pairs`` returns gensim's ``(pearson, spearman, oov_ratio)``: the correlations
(each a ``(statistic, pvalue)`` pair, with ``.statistic``, ``.pvalue`` and ``.correlation``) come
from :func:`wordvec.evaluate.evaluate_word_pairs`, their p-values from SciPy's distributions as
``scipy.stats.pearsonr`` and ``spearmanr`` compute them, and ``oov_ratio`` is a percentage.

``evaluate_word_analogies`` returns gensim's ``(score, sections)``: one
``{"section", "correct", "incorrect"}`` dict per section of the file, in file order, then
``"Total accuracy"``; each question ``(a, b, c, expected)`` upper-cased where
``case_insensitive``. The answers are those of :func:`wordvec.evaluate.evaluate_analogies` (the
batched search of :mod:`wordvec.analogy_search`, which gives gensim's answers); the file is read
as gensim reads it (lines that are not four words skipped).

Where it differs from gensim: ``dummy4unknown=True`` is refused; a word-pair line that does not
parse is an error (as in :mod:`wordvec.evaluate`); ``similarity_function="most_similar_cosmul"``
answers by 3CosMul (gensim 4.4 ignores the argument and always uses 3CosAdd).

>>> Correlation(0.5, 0.01).correlation
0.5
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..analogy_search import case_variants, predict_analogies
from ..errors import ModelFormatError
from ..evaluate import evaluate_word_pairs
from ..readers.compression import decompressed
from .options import UnsupportedOption

__all__ = ["Correlation", "word_pairs", "word_analogies"]

#: gensim's ``similarity_function`` names and wordvec's analogy methods.
_METHODS = {"most_similar": "3cosadd", "most_similar_cosmul": "3cosmul"}


class Correlation(NamedTuple):
    """A correlation coefficient and its two-sided p-value, as SciPy's results unpack."""

    statistic: float
    pvalue: float

    @property
    def correlation(self) -> float:
        """The coefficient (SciPy's older name for it)."""
        return self.statistic


def word_pairs(vectors, pairs, *, delimiter: str = "\t", encoding: str = "utf8", restrict_vocab: int = 300000,
               case_insensitive: bool = True, dummy4unknown: bool = False) -> tuple:
    """gensim's ``evaluate_word_pairs`` on wordvec vectors whose words are the keys.

    Returns ``(pearson, spearman, oov_ratio)``; raises ``ValueError`` (gensim's) when no pair
    can be scored.
    """
    _refuse_options("evaluate_word_pairs", encoding, dummy4unknown)
    _check_string_keys(vectors, case_insensitive)
    result = evaluate_word_pairs(vectors, pairs, restrict_vocab=restrict_vocab, case_insensitive=case_insensitive,
                                 delimiter=delimiter)
    n = result["pairs"]
    if not n:
        raise ValueError(f"No valid similarity judgements found in {pairs}: either invalid format or all are "
                         f"out-of-vocabulary in the model")
    pearson = Correlation(result["pearson"], _pearson_pvalue(result["pearson"], n))
    spearman = Correlation(result["spearman"], _spearman_pvalue(result["spearman"], n))
    return pearson, spearman, 100.0 * result["oov"]


def _pearson_pvalue(r: float, n: int) -> float:
    """``scipy.stats.pearsonr``'s two-sided p-value of ``r`` over ``n`` pairs."""
    if not math.isfinite(r):
        return math.nan
    if n < 3:
        return 1.0
    from scipy import stats

    half = n / 2 - 1
    return float(2 * stats.beta.sf(abs(r), half, half, loc=-1, scale=2))


def _spearman_pvalue(rho: float, n: int) -> float:
    """``scipy.stats.spearmanr``'s two-sided p-value of ``rho`` over ``n`` pairs."""
    if not math.isfinite(rho) or n < 3:
        return math.nan
    from scipy import stats

    with np.errstate(divide="ignore"):
        t = rho * np.sqrt(max((n - 2) / ((rho + 1.0) * (1.0 - rho)), 0.0))
    return float(2 * stats.t.sf(abs(t), n - 2))


def word_analogies(vectors, analogies, *, restrict_vocab: int = 300000, case_insensitive: bool = True,
                   dummy4unknown: bool = False, similarity_function: str = "most_similar") -> tuple[float, list]:
    """gensim's ``evaluate_word_analogies`` on wordvec vectors whose words are the keys.

    Returns ``(score, sections)``.
    """
    _refuse_options("evaluate_word_analogies", "utf8", dummy4unknown)
    if similarity_function not in _METHODS:
        raise UnsupportedOption(f"evaluate_word_analogies: similarity_function={similarity_function!r} is not "
                                f"supported: {' or '.join(map(repr, _METHODS))}")
    _check_string_keys(vectors, case_insensitive)
    sections = _read_sections(analogies, case_insensitive)
    lookup, canon = _lookup(vectors.words[:restrict_vocab], case_insensitive)
    asked = [(s, question) for s, (_, questions) in enumerate(sections) for question in questions
             if all(word in lookup for word in question)]
    hits = _hits(vectors, lookup, canon, [question for _, question in asked], _METHODS[similarity_function],
                 case_insensitive)
    results = [{"section": name, "correct": [], "incorrect": []} for name, _ in sections]
    for (s, question), hit in zip(asked, hits.tolist()):
        results[s]["correct" if hit else "incorrect"].append(question)
    total = {"section": "Total accuracy",
             "correct": [q for section in results for q in section["correct"]],
             "incorrect": [q for section in results for q in section["incorrect"]]}
    answered = len(total["correct"]) + len(total["incorrect"])
    return (len(total["correct"]) / answered if answered else 0.0), results + [total]


def _refuse_options(where: str, encoding: str, dummy4unknown) -> None:
    if dummy4unknown:
        raise UnsupportedOption(f"{where}: dummy4unknown={dummy4unknown!r} is not supported: questions and pairs "
                                "with unknown words are skipped and counted in the out-of-vocabulary ratio")
    if str(encoding).lower().replace("-", "") != "utf8":
        raise UnsupportedOption(f"{where}: encoding={str(encoding)[:20]!r} is not supported: the files are UTF-8")


def _check_string_keys(vectors, case_insensitive: bool) -> None:
    if case_insensitive and not all(isinstance(word, str) for word in vectors.words):
        raise UnsupportedOption("case_insensitive=True needs string keys: these vectors have integer keys")


def _read_sections(path, case_insensitive: bool) -> list[tuple[str, list[tuple]]]:
    """The sections of an analogy file, as gensim reads them: ``(name, questions)`` in file order."""
    sections: list[tuple[str, list[tuple]]] = []
    try:
        with decompressed(Path(path)) as handle:
            for number, raw in enumerate(handle):
                line = raw.decode("utf-8")
                if line.startswith(": "):
                    sections.append((line.lstrip(": ").strip(), []))
                    continue
                if not sections:
                    raise ValueError(f"Missing section header before line #{number} in {path}")
                words = line.upper().split() if case_insensitive else line.split()
                if len(words) == 4:
                    sections[-1][1].append(tuple(words))
    except FileNotFoundError:
        raise ModelFormatError(f"evaluation file not found: {path}") from None
    except UnicodeDecodeError:
        raise ModelFormatError(f"{path}: not UTF-8 text") from None
    return sections


def _lookup(keys: list, case_insensitive: bool) -> tuple[dict, np.ndarray]:
    """gensim's restricted vocabulary (a key, upper-cased where asked, to the first row that has it),
    and for each row the row that stands for it."""
    lookup: dict = {}
    canon = np.empty(len(keys), dtype=np.int64)
    for row, key in enumerate(keys):
        canon[row] = lookup.setdefault(key.upper() if case_insensitive else key, row)
    return lookup, canon


def _hits(vectors, lookup: dict, canon: np.ndarray, questions: list, method: str,
          case_insensitive: bool) -> np.ndarray:
    """Whether each question (all four words known) is answered right."""
    if not questions:
        return np.zeros(0, dtype=bool)
    rows = np.array([[lookup[word] for word in question] for question in questions], dtype=np.int64)
    unit = vectors.unit_matrix[: canon.shape[0]]
    usable = np.linalg.norm(unit, axis=1) > 0
    variants = case_variants(canon) if case_insensitive else {}
    predicted = predict_analogies(unit, usable, canon, variants, rows[:, 0], rows[:, 1], rows[:, 2], method)
    return predicted == rows[:, 3]
