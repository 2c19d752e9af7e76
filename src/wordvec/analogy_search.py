"""The analogy search behind :func:`wordvec.evaluate.evaluate_analogies`: gensim's answers, batched.

gensim answers each question ``a : b :: c : ?`` with one ``most_similar`` call; here a block of
questions is scored at once by matrix products over the unit vectors (one product per distinct
question word), and the answer is the one gensim would give: the best row that is not a question
word, case variants of question words skipped when they come first among gensim's five
candidates (see the notes of :mod:`wordvec.evaluate`).

>>> import numpy as np
>>> unit = np.array([[1, 0], [0, 1], [1, 1], [1, 2]], dtype=np.float32)
>>> unit /= np.linalg.norm(unit, axis=1, keepdims=True)
>>> rows = np.arange(4)
>>> predict_analogies(unit, np.ones(4, dtype=bool), rows, {}, np.array([0]), np.array([1]), np.array([2]),
...                   "3cosadd").tolist()     # row 0 : row 1 :: row 2 : ? (rows 0-2 never answer)
[3]
"""

from __future__ import annotations

import numpy as np

__all__ = ["predict_analogies", "case_variants"]

#: Scores computed at once: about 64 MB of float32 per block of questions.
BLOCK_ELEMENTS = 1 << 24
#: gensim asks most_similar for this many candidates per analogy question.
TOPN = 5


def case_variants(canon: np.ndarray) -> dict[int, np.ndarray]:
    """``{row: the other rows it stands for}`` (rows that share an upper-case form)."""
    variants: dict[int, list] = {}
    shared = np.flatnonzero(canon != np.arange(len(canon)))
    for row in shared:
        variants.setdefault(int(canon[row]), []).append(row)
    return {r: np.array(v, dtype=np.int64) for r, v in variants.items()}


def predict_analogies(unit: np.ndarray, usable: np.ndarray, canon: np.ndarray, variants: dict[int, np.ndarray],
                      qa: np.ndarray, qb: np.ndarray, qc: np.ndarray, method: str, queries=None) -> np.ndarray:
    """gensim's prediction (a row's canonical row, or -1 for none) for each question.

    ``unit`` holds the searchable rows; ``usable`` is False for rows never ranked (zeros);
    ``variants[r]`` lists the rows other than ``r`` whose canonical row is ``r``.
    ``queries`` (default ``unit``) holds the rows of the question words: ``unit``
    followed by rows built from subwords, which are never answers.
    """
    queries = unit if queries is None else queries
    n_rows = unit.shape[0]
    block = max(1, BLOCK_ELEMENTS // max(n_rows, 1))
    predicted = np.full(len(qa), -1, dtype=np.int64)
    blocked = np.flatnonzero(~usable)
    unit_t = unit.T
    for start in range(0, len(qa), block):
        a, b, c = qa[start:start + block], qb[start:start + block], qc[start:start + block]
        scores = _block_scores(queries, unit_t, a, b, c, method)
        scores[:, blocked] = -np.inf
        local = np.arange(len(a))
        for rows in (a, b, c):  # gensim never returns the question words' own rows
            own = rows < n_rows
            scores[local[own], rows[own]] = -np.inf
        hidden = _hide_variants(scores, variants, a, b, c)
        best = np.argmax(scores, axis=1)
        best_score = scores[local, best]
        found = np.isfinite(best_score)
        predicted[start:start + block] = np.where(found, canon[best], -1)
        _restore_variants(predicted[start:start + block], hidden, best_score, found, canon)
    return predicted


def _block_scores(queries: np.ndarray, unit_t: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray,
                  method: str) -> np.ndarray:
    """The score of every searchable row for each question of a block (higher is better)."""
    # Questions next to each other share words: one product per distinct word in the block.
    distinct, where = np.unique(np.concatenate([a, b, c]), return_inverse=True)
    wa, wb, wc = np.split(where, 3)
    cosines = queries[distinct] @ unit_t
    if method == "3cosadd":
        # cos(row, b + c - a) up to the positive factor 1 / |b + c - a|, which leaves the
        # order of the rows (all that matters here) as it is
        scores = cosines[wb]
        scores += cosines[wc]
        scores -= cosines[wa]
    else:  # 3cosmul, with cosines shifted to [0, 1] as in gensim's most_similar_cosmul
        cosines += 1.0
        cosines *= 0.5
        scores = cosines[wb]
        scores *= cosines[wc]
        scores /= cosines[wa] + np.float32(1e-6)
    return scores


def _hide_variants(scores: np.ndarray, variants: dict[int, np.ndarray], a: np.ndarray, b: np.ndarray,
                   c: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Take the case variants of each question's words out of its scores; returns
    ``{question: (their rows, their scores)}`` for :func:`_restore_variants`.

    gensim skips those variants when they come first among its five best candidates: they
    are taken out here and put back where they would have won.
    """
    hidden = {}
    if variants:
        for j in range(len(a)):
            rows = [variants[r] for r in {a[j], b[j], c[j]} if r in variants]
            if rows:
                rows = np.concatenate(rows)
                hidden[j] = (rows, scores[j, rows].copy())
                scores[j, rows] = -np.inf
    return hidden


def _restore_variants(predicted: np.ndarray, hidden: dict, best_score: np.ndarray, found: np.ndarray,
                      canon: np.ndarray) -> None:
    """Where all of gensim's five candidates are hidden variants of question words, predict the last."""
    for j, (rows, values) in hidden.items():
        keep = np.isfinite(values)
        rows, values = rows[keep], values[keep]
        above = values > best_score[j] if found[j] else np.ones(len(values), dtype=bool)
        if found[j] and above.sum() < TOPN:
            continue
        # all of gensim's candidates are variants of question words: it predicts the last
        order = np.argsort(-values[above], kind="stable")[:TOPN]
        if len(order):
            predicted[j] = canon[rows[above][order[-1]]]
