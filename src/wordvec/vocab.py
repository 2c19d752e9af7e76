"""The vocabulary: words, their counts, and the sampling tables and Huffman tree training needs.

Row 0 is always ``UNK``, the tutorial's token 0 for every word left out; rows
1.. are the kept words, most frequent first, ties in order of first appearance
(the order Keras's ``Tokenizer`` gives).

>>> vocab = Vocabulary.from_counts({"the": 5, "tea": 2, "cup": 2, "rare": 1}, num_words=3)
>>> vocab.words
['UNK', 'the', 'tea', 'cup']
>>> vocab.counts.tolist()
[1, 5, 2, 2]
"""

from __future__ import annotations

import heapq
from typing import Mapping, NamedTuple, Sequence

import numpy as np

from .errors import CorpusError, ParameterError

UNKNOWN = "UNK"


class HuffmanTree(NamedTuple):
    """Each word's path in a Huffman tree of the vocabulary, from the root down.

    Word ``w``'s path passes the inner nodes ``nodes[offsets[w]:offsets[w + 1]]`` (int32) and
    takes branch ``codes[...]`` (uint8, 0 or 1) below each. Inner nodes are numbered from the
    root (0) down, in order of decreasing count; row 0 (``UNK``) has no path.
    """

    offsets: np.ndarray
    nodes: np.ndarray
    codes: np.ndarray

    @property
    def n_nodes(self) -> int:
        """The number of inner nodes (one fewer than the words in the tree)."""
        return int(self.nodes.max()) + 1 if self.nodes.size else 0


class _Count(float):
    """A count in the Huffman heap, compared by its value alone as gensim's ``Heapitem`` is
    (so that ties fall as they fall in gensim), and the node it counts."""

    __slots__ = ("node",)


class Vocabulary:
    """Kept words and their corpus counts; ``counts[0]`` counts the words left out.

    Parameters
    ----------
    words : sequence of str
        ``["UNK", w1, w2, ...]``, most frequent first.
    counts : sequence of int
        Count of each word; ``counts[0]`` is the number of dropped tokens.
    """

    def __init__(self, words: Sequence[str], counts: Sequence[int]):
        if not words or words[0] != UNKNOWN:
            raise ParameterError(f"a vocabulary starts with {UNKNOWN!r}")
        self.words = list(words)
        self.counts = np.asarray(counts, dtype=np.int64)
        if self.counts.shape != (len(self.words),):
            raise ParameterError(f"{self.counts.shape[0]} counts for {len(self.words)} words")
        self.word_to_id = {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self.word_to_id

    @classmethod
    def from_counts(cls, counts: Mapping[str, int], num_words: int | None = 20000, min_count: int = 1) -> "Vocabulary":
        """Keep the ``num_words`` most frequent words with at least ``min_count`` occurrences.

        ``counts`` must iterate in order of first appearance (a ``dict`` built while
        reading does) so that ties are broken as Keras breaks them.
        """
        words = list(counts)
        freqs = np.fromiter((counts[w] for w in words), dtype=np.int64, count=len(words))
        order = select_words(freqs, num_words, min_count)
        dropped = int(freqs.sum() - freqs[order].sum())
        return cls([UNKNOWN] + [words[i] for i in order], [dropped] + freqs[order].tolist())

    def merge(self, new: "Vocabulary", min_count: int = 1, max_new: int | None = None):
        """Grow this vocabulary with the words of ``new`` (counted on new text).

        Every current word stays; new words seen at least ``min_count`` times
        are added (at most ``max_new`` of them, the most frequent); counts add up
        and rows are re-sorted by the merged counts.

        Returns ``(merged, rows_of_old, rows_of_new)``: the merged vocabulary and,
        for each row of ``self`` and of ``new``, its row in it (0 for a word left out).
        """
        added = [i for i in select_words(new.counts[1:], None, min_count) + 1 if new.words[i] not in self.word_to_id]
        if max_new is not None:
            added = added[:max_new]
        words = self.words[1:] + [new.words[i] for i in added]
        counts = np.concatenate([self.counts[1:], new.counts[added]]).astype(np.int64)
        for i, word in enumerate(new.words[1:], 1):
            row = self.word_to_id.get(word)
            if row is not None:
                counts[row - 1] += new.counts[i]
        order = np.argsort(-counts, kind="stable")
        unknown = self.total_words + new.total_words - int(counts.sum())
        merged = Vocabulary([UNKNOWN] + [words[i] for i in order], [unknown] + counts[order].tolist())
        rows_of_old = np.array([merged.word_to_id[w] if i else 0 for i, w in enumerate(self.words)], dtype=np.int64)
        rows_of_new = np.array([merged.word_to_id.get(w, 0) if i else 0 for i, w in enumerate(new.words)],
                               dtype=np.int64)
        return merged, rows_of_old, rows_of_new

    @property
    def total_words(self) -> int:
        """Number of tokens in the corpus, kept or not."""
        return int(self.counts.sum())

    def keep_probabilities(self, sample: float) -> np.ndarray:
        """Probability of keeping each occurrence of a word under frequent-word subsampling.

        word2vec's formula: ``(sqrt(f / t) + 1) * t / f`` with ``f`` the word's count
        and ``t = sample * (number of kept tokens)``, capped at 1; ``sample=0`` keeps all.
        """
        counts = self.counts.astype(np.float64)
        if sample <= 0:
            return np.ones(len(self), dtype=np.float32)
        threshold = sample * counts[1:].sum()
        with np.errstate(divide="ignore", invalid="ignore"):
            keep = (np.sqrt(counts / threshold) + 1.0) * threshold / counts
        keep[~np.isfinite(keep)] = 1.0
        keep[0] = 0.0
        return np.minimum(keep, 1.0).astype(np.float32)

    def huffman_tree(self) -> HuffmanTree:
        """The Huffman tree of the words' counts (row 0, ``UNK``, left out), built as gensim 4 builds it.

        gensim's ``_build_heap`` merges the two smallest counts of a heap of words (in their row
        order) until one node is left; the first popped takes branch 0, the second 1. Its
        ``point`` of inner node ``i`` (the ``i``-th merge) is row ``n_nodes - 1 - i`` here, so that
        the root, on every path, is row 0, and the rows nearest the root come first.

        >>> tree = Vocabulary(["UNK", "a", "b", "c"], [0, 5, 3, 2]).huffman_tree()
        >>> [(tree.nodes[s:e].tolist(), tree.codes[s:e].tolist()) for s, e in zip(tree.offsets, tree.offsets[1:])]
        [([], []), ([0], [0]), ([0, 1], [1, 1]), ([0, 1], [1, 0])]
        """
        n = len(self.words) - 1
        if n < 2:
            return HuffmanTree(np.zeros(len(self.words) + 1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.uint8))
        parent, branch = _huffman_merges(self.counts[1:])
        depth = np.zeros(n, dtype=np.int64)
        at, root = np.arange(n), 2 * n - 2
        while (climbing := at != root).any():
            depth += climbing
            at = np.where(climbing, parent[at], at)
        offsets = np.zeros(n + 2, dtype=np.int64)
        np.cumsum(depth, out=offsets[2:])
        nodes, codes = np.empty(offsets[-1], dtype=np.int32), np.empty(offsets[-1], dtype=np.uint8)
        place, at = offsets[2:] - 1, np.arange(n)  # each path filled from its end (the word) up
        while place.size:
            nodes[place] = root - parent[at]
            codes[place] = branch[at]
            at = parent[at]
            going = at != root
            place, at = place[going] - 1, at[going]
        return HuffmanTree(offsets, nodes, codes)

    def noise_table(self, power: float = 0.75) -> tuple[np.ndarray, np.ndarray]:
        """Walker alias tables for drawing negatives from ``count ** power`` (UNK excluded)."""
        with np.errstate(divide="ignore"):  # UNK's count may be 0; its weight is set to 0 below
            weights = self.counts.astype(np.float64) ** power
        weights[0] = 0.0
        return alias_table(weights)


def select_words(freqs: np.ndarray, num_words: int | None, min_count: int) -> np.ndarray:
    """Indices of the kept words, most frequent first, ties by index (first appearance)."""
    order = np.argsort(-freqs, kind="stable")
    order = order[freqs[order] >= min_count]
    if num_words is not None:
        order = order[:num_words]
    return order


def _huffman_merges(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """gensim's ``_build_heap`` on ``counts``: node ``n + i`` is merge ``i``; returns each
    node's parent and the branch (0 first popped, 1 second) that leads to it."""
    n = counts.shape[0]
    heap = list(map(_Count, counts.tolist()))
    for node, item in enumerate(heap):
        item.node = node
    heapq.heapify(heap)
    parent, branch = [0] * (2 * n - 1), [0] * (2 * n - 1)
    pop, push = heapq.heappop, heapq.heappush
    for merge in range(n, 2 * n - 1):
        first, second = pop(heap), pop(heap)
        parent[first.node] = parent[second.node] = merge
        branch[second.node] = 1
        item = _Count(first + second)  # exact: counts sum to far below 2 ** 53
        item.node = merge
        push(heap, item)
    return np.array(parent, dtype=np.int64), np.array(branch, dtype=np.uint8)


def alias_table(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Walker's alias method: draw ``i`` with probability ``weights[i] / sum`` in O(1).

    Returns ``(accept, alias)``: pick a uniform slot ``i``; keep it with
    probability ``accept[i]``, otherwise take ``alias[i]``.

    >>> accept, alias = alias_table(np.array([1.0, 3.0]))
    >>> accept.tolist(), alias.tolist()
    ([0.5, 1.0], [1, 1])
    """
    n = weights.shape[0]
    total = weights.sum()
    if not total > 0:
        raise CorpusError("no words to draw negative samples from")
    scaled = weights * (n / total)
    accept = np.ones(n, dtype=np.float64)
    alias = np.arange(n, dtype=np.int32)
    small = [i for i in range(n) if scaled[i] < 1.0]
    large = [i for i in range(n) if scaled[i] >= 1.0]
    while small and large:
        s, g = small.pop(), large.pop()
        accept[s] = scaled[s]
        alias[s] = g
        scaled[g] -= 1.0 - scaled[s]
        (small if scaled[g] < 1.0 else large).append(g)
    return accept.astype(np.float32), alias
