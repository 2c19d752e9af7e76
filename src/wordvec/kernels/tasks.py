"""What every training kernel takes, and how tasks run on threads.

The engines build these named tuples of flat arrays and hand them to the
compiled kernels (:mod:`wordvec.kernels.training`); importing this module
loads no library.

>>> Settings(SKIP_GRAM, 5, 5, 0.025, 0.0001).window
5
>>> Settings(CBOW, 5, 5, 0.05, 0.0001, cbow_mean=False).shrink_windows
True
"""

from __future__ import annotations

from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor, wait

import numpy as np

#: The two weight matrices: input (the word vectors) and output (the context model).
Weights = namedtuple("Weights", ["w_in", "w_out"])
#: The token stream: vocabulary rows and document boundaries.
TokenStream = namedtuple("TokenStream", ["tokens", "doc_offsets"])
#: Per-word keep probabilities and the alias tables of the noise distribution.
Sampler = namedtuple("Sampler", ["keep_prob", "noise_accept", "noise_alias"])
#: Scalar settings for one call: model (0 skip-gram, 1 CBOW), window, negatives,
#: learning rate at the first and last position of the chunk; CBOW's hidden vector the mean
#: of the contexts (``cbow_mean``) or their sum; each window's reach drawn from 1..window
#: (``shrink_windows``) or always the whole window.
Settings = namedtuple("Settings", ["model", "window", "negative", "lr_start", "lr_end", "cbow_mean",
                                   "shrink_windows"], defaults=(True, True))
#: One task per thread: token ranges ``bounds[t]:bounds[t+1]``, a seed each, and
#: an output row of ``[words seen, loss sum, loss terms]`` each.
Tasks = namedtuple("Tasks", ["bounds", "seeds", "stats"])
#: One training step's words: ``contexts[:n_contexts]`` against ``targets[:n_targets]``
#: (``targets[0]`` the centre word, the rest negatives).
Block = namedtuple("Block", ["contexts", "n_contexts", "targets", "n_targets"])
#: Hierarchical softmax: the rows of the Huffman tree's inner nodes (``weights``, laid out as
#: the other matrices, the root row 0) and each word's path from the root: word ``w``'s inner
#: nodes are ``nodes[offsets[w]:offsets[w + 1]]`` (int32), the branch taken below each
#: ``codes[...]`` (uint8, 0 or 1; the node's label is ``1 - code``).
Tree = namedtuple("Tree", ["weights", "offsets", "nodes", "codes"])
#: The pieces of each word: rows ``rows[offsets[w]:offsets[w + 1]]`` of the input
#: matrix; ``max_pieces`` is the largest count.
SubwordTable = namedtuple("SubwordTable", ["offsets", "rows", "max_pieces"])

SKIP_GRAM = 0
CBOW = 1
#: The loss is computed for one centre word in this many (a fixed subsample).
LOSS_EVERY = 32

#: The logistic function tabulated on [-SIGMOID_MAX, SIGMOID_MAX] in steps of 1 / SIGMOID_SCALE
#: and read with linear interpolation: absolute error below 1e-6 inside the range,
#: below 5e-5 outside it (where the end value is used).
SIGMOID_MAX = 10.0
SIGMOID_SCALE = 128.0
SIGMOID_LAST = int(2 * SIGMOID_MAX * SIGMOID_SCALE)
SIGMOID_TABLE = (1.0 / (1.0 + np.exp(-(np.arange(SIGMOID_LAST + 2) / SIGMOID_SCALE - SIGMOID_MAX)))).astype(np.float32)


def run_tasks(task, tasks, *shared):
    """Run ``task(*shared, start, end, seed)`` for every task at once, one thread each
    (Hogwild: threads update shared rows without locks); fills ``tasks.stats``.

    The task functions release the GIL, so plain Python threads run them in
    parallel; task 0 runs on the calling thread.
    """
    bounds, seeds, stats = tasks.bounds, tasks.seeds, tasks.stats
    n_tasks = seeds.shape[0]

    def run(t):
        start, end = int(bounds[t]), int(bounds[t + 1])
        loss, terms = task(*shared, start, end, seeds[t])
        stats[t] = (end - start, loss, terms)

    run_on_threads(run, n_tasks)


def run_on_threads(run, n_parts: int) -> None:
    """Call ``run(t)`` for every ``t`` below ``n_parts`` at once: part 0 on the calling thread, the
    others on a kept pool. Returns once every part has ended (even on an interrupt: no thread may
    still be writing), then raises the first error a part raised."""
    others = [_pool(n_parts - 1).submit(run, t) for t in range(1, n_parts)] if n_parts > 1 else []
    try:
        if n_parts:
            run(0)
    finally:
        wait(others)
    for future in others:
        future.result()


_POOLS = {}


def _pool(workers):
    """A thread pool of ``workers`` threads, made once and kept."""
    if workers not in _POOLS:
        _POOLS[workers] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wordvec")
    return _POOLS[workers]
