"""The order an epoch trains the corpus in: blocks, shuffled afresh every epoch.

The corpus is cut into blocks of about ``block_tokens`` tokens, each cut moved to
the next document's start when one is near. Every epoch takes the blocks in an order
drawn from ``(seed, epoch)`` and hands them to the kernels a call at a time: the
tokens of the call's blocks gathered into one small stream, a document boundary at
every block's start, so that no window reaches from one block into the next.

In the corpus's own order the stretch an epoch trains last pulls the vectors towards
itself. Shuffled, no part of the corpus comes last; the shorter the blocks, the more
parts of the corpus each stretch of training mixes, and the better the vectors fit
the whole corpus (``benchmarks/README.md``, "The order of the corpus"). The engines
pick the block length (the subword engine :data:`BLOCK_TOKENS`).

>>> order = EpochOrder(np.arange(10, dtype=np.int32), np.array([0, 4, 10]), block_tokens=3)
>>> order.block_starts.tolist()
[0, 4, 6, 10]
>>> calls = list(order.calls(blocks_per_call=2, seed=2, epoch=0))
>>> [call.ranges for call in calls]
[[(6, 10), (0, 4)], [(4, 6)]]
>>> calls[0].stream.tokens.tolist(), calls[0].stream.doc_offsets.tolist()
([6, 7, 8, 9, 0, 1, 2, 3], [0, 4, 8])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from ..kernels import tasks as K

#: Short blocks: about 60 sentences of 17 words. Blocks of 4,096 fitted the benchmark
#: corpus a little worse, blocks of 65,536 clearly worse (3 % more loss).
BLOCK_TOKENS = 1024


@dataclass
class Call:
    """One kernel call's share of an epoch: its tokens as a stream, and where they came from."""

    stream: K.TokenStream
    ranges: list

    @property
    def n_tokens(self) -> int:
        return int(self.stream.tokens.shape[0])


class EpochOrder:
    """The blocks of a token stream, and each epoch's calls over them in a shuffled order.

    Parameters
    ----------
    tokens : ndarray of int32
        The corpus's token ids (may be a memory map: only a call's blocks are read at a time).
    doc_offsets : ndarray of int64
        Where each document starts, then the number of tokens.
    block_tokens : int, default=BLOCK_TOKENS
        The length of a block before its end is moved to the next document's start
        (when that is at most another ``block_tokens`` away).
    """

    def __init__(self, tokens: np.ndarray, doc_offsets: np.ndarray, block_tokens: int = BLOCK_TOKENS):
        self.tokens = tokens
        self.doc_offsets = np.asarray(doc_offsets, dtype=np.int64)
        self.block_starts = _block_starts(self.doc_offsets, tokens.shape[0], block_tokens)

    @property
    def n_blocks(self) -> int:
        return self.block_starts.shape[0] - 1

    def calls(self, blocks_per_call: int, seed: int, epoch: int) -> Iterator[Call]:
        """The calls of one epoch: ``blocks_per_call`` blocks each, in the order of ``(seed, epoch)``."""
        order = np.random.default_rng([seed, epoch]).permutation(self.n_blocks)
        for first in range(0, self.n_blocks, blocks_per_call):
            yield self.gather(order[first:first + blocks_per_call])

    def gather(self, blocks: np.ndarray) -> Call:
        """The tokens of ``blocks``, one after another, a document boundary at each block's start."""
        starts, ends = self.block_starts[blocks], self.block_starts[blocks + 1]
        tokens = np.concatenate([self.tokens[s:e] for s, e in zip(starts.tolist(), ends.tolist())])
        placed = np.zeros(blocks.shape[0] + 1, dtype=np.int64)
        np.cumsum(ends - starts, out=placed[1:])
        firsts = np.searchsorted(self.doc_offsets, starts, side="right")
        lasts = np.searchsorted(self.doc_offsets, ends, side="left")
        pieces = []
        for j in range(blocks.shape[0]):
            pieces.append(placed[j:j + 1])
            pieces.append(self.doc_offsets[firsts[j]:lasts[j]] - starts[j] + placed[j])
        pieces.append(placed[-1:])
        stream = K.TokenStream(tokens, np.concatenate(pieces))
        return Call(stream, list(zip(starts.tolist(), ends.tolist())))


def _block_starts(doc_offsets: np.ndarray, n_tokens: int, block_tokens: int) -> np.ndarray:
    """0, a cut every ``block_tokens`` tokens (each moved to the first document start at
    or after it, unless that is ``block_tokens`` or more further), and ``n_tokens``."""
    cuts = np.arange(block_tokens, n_tokens, block_tokens, dtype=np.int64)
    next_doc = doc_offsets[np.minimum(np.searchsorted(doc_offsets, cuts), doc_offsets.shape[0] - 1)]
    cuts = np.where((next_doc >= cuts) & (next_doc - cuts < block_tokens), next_doc, cuts)
    return np.unique(np.concatenate([[0], cuts[(cuts > 0) & (cuts < n_tokens)], [n_tokens]]))
