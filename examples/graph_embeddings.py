#!/usr/bin/env python
"""node2vec's walks trained by wordvec: the one line that changes.

node2vec generates random walks over a graph and hands them, lists of node ids as str, to gensim's
``Word2Vec``; ``wordvec.compat.gensim.Word2Vec`` takes the same call, so switching is one line::

    from gensim.models import Word2Vec          # before
    from wordvec.compat.gensim import Word2Vec  # after

    model = Word2Vec(node2vec.walks, vector_size=32, window=5, min_count=1, sg=1, workers=2)
    model.wv["0"], model.wv.most_similar("0")

(``Node2Vec.fit(**kwargs)`` makes that same call: ``gensim.models.Word2Vec(walks, workers=...,
vector_size=dimensions, sg=1, **kwargs)``.) This example builds a graph of 200 nodes in four planted
communities (networkx's stochastic block model), generates node2vec's walks, trains, and prints a
node's nearest neighbours and the share of every node's nearest neighbours in its own community.
It runs in seconds::

    pip install networkx joblib tqdm gensim && pip install --no-deps node2vec==0.5.0
    python examples/graph_embeddings.py
    python examples/graph_embeddings.py --gensim      # the same call with gensim's Word2Vec

Usage: ``python examples/graph_embeddings.py [--gensim] [--communities N] [--size N] [--seed N]``.
"""

from __future__ import annotations

import argparse
import sys
import time


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gensim", action="store_true", help="train with gensim's Word2Vec instead")
    parser.add_argument("--communities", type=int, default=4)
    parser.add_argument("--size", type=int, default=50, help="nodes in each community")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def planted_graph(communities: int, size: int, seed: int):
    """A stochastic block model: edges inside a community with probability 0.2, across 0.01."""
    import networkx as nx

    chances = [[0.2 if a == b else 0.01 for b in range(communities)] for a in range(communities)]
    return nx.stochastic_block_model([size] * communities, chances, seed=seed)


def run(args: argparse.Namespace) -> float:
    """Walk, train, print; returns the share of the nodes' 5 nearest neighbours in their own community."""
    from node2vec import Node2Vec

    if args.gensim:
        from gensim.models import Word2Vec
    else:
        from wordvec.compat.gensim import Word2Vec

    graph = planted_graph(args.communities, args.size, args.seed)
    community = dict(graph.nodes(data="block"))
    started = time.perf_counter()
    walker = Node2Vec(graph, dimensions=32, walk_length=20, num_walks=10, workers=1, quiet=True, seed=args.seed)
    walked = time.perf_counter()
    model = Word2Vec(walker.walks, vector_size=32, window=5, min_count=1, sg=1, workers=2, epochs=5,
                     seed=args.seed)
    trained = time.perf_counter()
    print(f"graph: {graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges, {args.communities} communities; "
          f"{len(walker.walks)} node2vec walks ({walked - started:.1f} s); {Word2Vec.__module__}.Word2Vec "
          f"trained in {trained - walked:.1f} s")
    print(f"vector of node 0: {model.wv['0'].shape[0]} numbers, community {community[0]}")
    neighbours = model.wv.most_similar("0", topn=5)
    print("nearest neighbours of node 0: " + ", ".join(
        f"{node} (community {community[int(node)]}, {similarity:.2f})" for node, similarity in neighbours))
    same = [community[int(other)] == community[node] for node in graph
            for other, _ in model.wv.most_similar(str(node), topn=5)]
    purity = sum(same) / len(same)
    print(f"nearest 5 neighbours in the node's own community: {purity:.1%} (by chance: {1 / args.communities:.0%})")
    return purity


def main(argv=None) -> int:
    run(parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
