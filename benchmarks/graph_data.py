"""Seeded graphs and item sessions with planted groups, and the walks over them, in NumPy.

What ``compare_graphs.py`` trains on and scores with:

* :func:`block_model`: a stochastic block model (each block's edges drawn as in G(n, m)), community
  sizes varied, a share ``mixing`` of the edges between communities;
* :func:`split_edges`: held-out edges and equal numbers of non-edges for link prediction;
* :func:`uniform_walks`: DeepWalk's uniform random walks on a CSR adjacency (node2vec with p = q = 1);
* :func:`item_sessions`: sessions of users who mostly browse one category, often stepping to a
  neighbouring item of it, with the last item of some sessions held out for next-item prediction.

Token sequences are kept flat: ``tokens`` (int32) and ``offsets`` (sequence ``i`` is
``tokens[offsets[i]:offsets[i + 1]]``).
"""

from __future__ import annotations

import numpy as np


def group_sizes(total: int, groups: int, rng: np.random.Generator, smallest: int = 10) -> np.ndarray:
    """``groups`` sizes adding up to ``total``, varied (Dirichlet shares), none under ``smallest``."""
    if total < groups * smallest:
        raise ValueError(f"{total} members cannot fill {groups} groups of at least {smallest}")
    shares = rng.dirichlet(np.full(groups, 4.0))
    return rng.multinomial(total - groups * smallest, shares) + smallest


def block_model(nodes: int, communities: int, mean_degree: float, mixing: float, seed: int):
    """A stochastic block model: ``(edges, labels)``.

    ``labels[i]`` is node ``i``'s community (node ids shuffled across communities); ``edges`` is an
    ``(m, 2)`` int32 array of distinct undirected edges ``u < v``, about ``nodes * mean_degree / 2``
    of them, a share ``mixing`` between communities and the rest inside, spread over the communities
    in proportion to their sizes (each node has about ``mean_degree * (1 - mixing)`` neighbours in
    its own community).
    """
    rng = np.random.default_rng(seed)
    sizes = group_sizes(nodes, communities, rng)
    labels = rng.permutation(np.repeat(np.arange(communities, dtype=np.int32), sizes))
    members = np.argsort(labels, kind="stable").astype(np.int32)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    edges_wanted = nodes * mean_degree / 2
    inside = np.round(edges_wanted * (1 - mixing) * sizes / nodes).astype(np.int64)
    block = np.repeat(np.arange(communities), inside)
    ends = [starts[block] + (rng.random((len(block),)) * sizes[block]).astype(np.int64) for _ in range(2)]
    pairs = [members[ends[0]], members[ends[1]]]
    crossing = int(edges_wanted * mixing / max(1e-9, 1 - np.sum((sizes / nodes) ** 2)))
    u, v = rng.integers(0, nodes, crossing), rng.integers(0, nodes, crossing)
    keep = labels[u] != labels[v]
    u = np.concatenate([pairs[0], u[keep]])
    v = np.concatenate([pairs[1], v[keep]])
    return distinct_edges(u, v, nodes), labels


def distinct_edges(u: np.ndarray, v: np.ndarray, nodes: int) -> np.ndarray:
    """The pairs as distinct undirected edges ``u < v`` (self-loops dropped), sorted, int32."""
    low, high = np.minimum(u, v).astype(np.int64), np.maximum(u, v).astype(np.int64)
    keys = np.unique((low * nodes + high)[low != high])
    return np.stack([keys // nodes, keys % nodes], axis=1).astype(np.int32)


def non_edges(count: int, nodes: int, forbidden: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``count`` distinct node pairs ``u < v`` whose key ``u * nodes + v`` is not in ``forbidden``."""
    found = np.empty(0, np.int64)
    while len(found) < count:
        draw = distinct_edges(rng.integers(0, nodes, 2 * count), rng.integers(0, nodes, 2 * count), nodes)
        keys = draw[:, 0].astype(np.int64) * nodes + draw[:, 1]
        keys = keys[~np.isin(keys, forbidden) & ~np.isin(keys, found)]
        found = np.concatenate([found, rng.permutation(keys)[:count - len(found)]])
    return np.stack([found // nodes, found % nodes], axis=1).astype(np.int32)


def split_edges(edges: np.ndarray, nodes: int, held_out: float, seed: int) -> dict:
    """Link prediction's split: ``held_out`` of the edges removed before walking.

    Returns ``train_edges`` (the graph the walks see), ``test_edges`` (the removed ones),
    ``test_non_edges`` (as many pairs that are no edge of the whole graph), and, for a classifier
    on edge features, ``fit_edges`` (as many edges of the training graph) with ``fit_non_edges``
    (as many non-edges again, none among the test pairs).
    """
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(edges))
    cut = int(round(held_out * len(edges)))
    test, train = edges[order[:cut]], edges[order[cut:]]
    forbidden = edges[:, 0].astype(np.int64) * nodes + edges[:, 1]
    negatives = non_edges(2 * cut, nodes, forbidden, rng)
    fit = train[rng.choice(len(train), size=min(cut, len(train)), replace=False)]
    return {"train_edges": train, "test_edges": test, "test_non_edges": negatives[:cut],
            "fit_edges": fit, "fit_non_edges": negatives[cut:]}


def csr_adjacency(edges: np.ndarray, nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """``(indptr, indices)`` of the undirected graph: node ``i``'s neighbours are
    ``indices[indptr[i]:indptr[i + 1]]``."""
    source = np.concatenate([edges[:, 0], edges[:, 1]])
    target = np.concatenate([edges[:, 1], edges[:, 0]])
    order = np.argsort(source, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(source, minlength=nodes))]).astype(np.int64)
    return indptr, target[order].astype(np.int32)


def uniform_walks(indptr: np.ndarray, indices: np.ndarray, walks_per_node: int, walk_length: int,
                  seed: int) -> tuple[np.ndarray, np.ndarray]:
    """DeepWalk's walks: ``walks_per_node`` rounds, each starting once from every node in a shuffled
    order, each step to a neighbour drawn uniformly. A walk from a node without neighbours is that
    node alone (node2vec stops at a dead end). Returns ``(tokens, offsets)``.

    >>> indptr, indices = csr_adjacency(np.array([[0, 1], [1, 2]]), 4)
    >>> tokens, offsets = uniform_walks(indptr, indices, 2, 5, seed=0)
    >>> np.diff(offsets).tolist().count(1), len(offsets) - 1
    (2, 8)
    """
    rng = np.random.default_rng(seed)
    nodes = len(indptr) - 1
    degree = np.diff(indptr)
    starts = np.concatenate([rng.permutation(nodes) for _ in range(walks_per_node)]).astype(np.int32)
    walks = np.empty((len(starts), walk_length), np.int32)
    walks[:, 0] = current = starts
    last = max(len(indices) - 1, 0)
    for step in range(1, walk_length):
        reach = degree[current]
        pick = indptr[current] + (rng.random(len(current)) * reach).astype(np.int64)
        current = np.where(reach > 0, indices[np.minimum(pick, last)], current)
        walks[:, step] = current
    lengths = np.where(degree[starts] > 0, walk_length, 1)
    tokens = walks[np.arange(walk_length) < lengths[:, None]]
    return tokens, np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)


def item_sessions(items: int, categories: int, sessions: int, seed: int, mean_length: float = 8.0,
                  max_length: int = 50, focus: float = 0.9, near: float = 0.5, held_out: float = 0.1) -> dict:
    """Browsing sessions over ``items`` items in ``categories`` categories of varied sizes.

    Each session keeps to one category (drawn by size): a step goes, with probability ``near``, to an
    item next to the current one in the category's order (1 to 3 places away), else with probability
    ``focus`` to an item of the category drawn with a popularity skew, else to any item (with the
    same skew). Lengths: 2 plus a geometric draw (mean ``mean_length``), at most ``max_length``.
    The last item of a ``held_out`` share of the sessions of 3 items or more is held out: it is the
    ``target`` of next-item prediction from the item before it (``query``).

    Returns ``tokens`` and ``offsets`` (the training sessions, held-out items removed), ``labels``
    (each item's category), ``query`` and ``target``.
    """
    rng = np.random.default_rng(seed)
    sizes = group_sizes(items, categories, rng)
    labels = rng.permutation(np.repeat(np.arange(categories, dtype=np.int32), sizes))
    members = np.argsort(labels, kind="stable").astype(np.int32)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    lengths = np.minimum(2 + rng.geometric(1 / max(mean_length - 1, 1.0), sessions), max_length)
    category = rng.choice(categories, size=sessions, p=sizes / items)
    size = sizes[category]
    place = (size * rng.random(sessions) ** 2).astype(np.int64)
    steps = np.empty((sessions, max_length), np.int32)
    steps[:, 0] = members[starts[category] + place]
    for column in range(1, int(lengths.max())):
        draw = rng.random(sessions)
        offset = rng.integers(1, 4, sessions) * rng.choice((-1, 1), sessions)
        stepped = np.clip(place + offset, 0, size - 1)
        jumped = (size * rng.random(sessions) ** 2).astype(np.int64)
        place = np.where(draw < near, stepped, np.where(draw < near + (1 - near) * focus, jumped, place))
        anywhere = members[(items * rng.random(sessions) ** 2).astype(np.int64)]
        inside = draw < near + (1 - near) * focus
        steps[:, column] = np.where(inside, members[starts[category] + place], anywhere)
    testable = np.flatnonzero(lengths >= 3)
    tested = np.sort(rng.choice(testable, size=int(held_out * len(testable)), replace=False))
    query, target = steps[tested, lengths[tested] - 2], steps[tested, lengths[tested] - 1]
    lengths[tested] -= 1
    tokens = steps[np.arange(max_length) < lengths[:, None]]
    return {"tokens": tokens, "offsets": np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
            "labels": labels, "query": query, "target": target}
