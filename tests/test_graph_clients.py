"""Graph libraries' walks trained through ``wordvec.compat.gensim.Word2Vec``: node2vec's and PecanPy's.

Each test runs the library's own walk generator on a small graph with two planted communities and
hands the walks to wordvec's drop-in exactly as the library hands them to gensim's ``Word2Vec``:

* node2vec (PyPI ``node2vec``; ``pip install --no-deps node2vec==0.5.0`` with networkx, joblib, gensim
  and tqdm): ``Node2Vec(graph, ...).fit(**kwargs)``, which calls ``gensim.models.Word2Vec(walks,
  workers=..., vector_size=..., sg=1, **kwargs)``; skipped without node2vec;
* PecanPy 2.0.9 needs NumPy < 2, so it runs in an interpreter of its own, named by the environment
  variable ``WORDVEC_PECANPY_PYTHON``: its ``SparseOTF`` generates the walks from an edge file (JSON
  back on stdout), trained as PecanPy's ``embed`` and command line train them; skipped when the
  variable is unset.

Vectors of nodes come out with the right shape, and a node's nearest neighbours lie mostly in its own
community (gensim's vectors from the same walks pass the same bar).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

PECANPY_PYTHON = "WORDVEC_PECANPY_PYTHON"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "graph_embeddings.py"
COMMUNITY_SIZE = 30
#: Share of each node's 5 nearest neighbours in its own community that the vectors must reach
#: (gensim's reach 0.97 to 1.0 on these graphs; chance is about 0.5).
PURITY = 0.85
DIM = 16


@pytest.fixture(scope="module")
def compat():
    return pytest.importorskip("wordvec.compat.gensim")


def two_communities(seed: int = 0, inside: float = 0.3, across: float = 0.02) -> list[tuple[int, int]]:
    """Edges ``(u, v)``, ``u < v``, of a graph of two communities of 30 nodes: node ``i`` is in
    community ``i // 30``; each pair is an edge with probability ``inside`` or ``across``."""
    rng = np.random.default_rng(seed)
    nodes = 2 * COMMUNITY_SIZE
    u, v = np.triu_indices(nodes, k=1)
    same = u // COMMUNITY_SIZE == v // COMMUNITY_SIZE
    chosen = rng.random(len(u)) < np.where(same, inside, across)
    return list(zip(u[chosen].tolist(), v[chosen].tolist()))


def community_purity(wv, nodes, topn: int = 5) -> float:
    """Mean share of each node's ``topn`` nearest neighbours (by ``wv.most_similar``) in its community."""
    same = [int(other) // COMMUNITY_SIZE == int(node) // COMMUNITY_SIZE
            for node in nodes for other, _ in wv.most_similar(str(node), topn=topn)]
    return float(np.mean(same))


def test_two_communities_known_answer():
    edges = two_communities()
    assert all(0 <= u < v < 2 * COMMUNITY_SIZE for u, v in edges)
    crossing = sum(u // COMMUNITY_SIZE != v // COMMUNITY_SIZE for u, v in edges)
    assert 0 < crossing < len(edges) / 5
    assert two_communities() == edges


# -- node2vec ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def node2vec_walks():
    """node2vec's object, with its walks of the two-community graph."""
    nx = pytest.importorskip("networkx")
    node2vec = pytest.importorskip("node2vec")
    graph = nx.Graph(two_communities(seed=1))
    return node2vec.Node2Vec(graph, dimensions=DIM, walk_length=10, num_walks=5, workers=1, quiet=True, seed=1)


@pytest.mark.slow
def test_node2vec_fit_trains_through_compat(compat, node2vec_walks, monkeypatch):
    # node2vec's fit() calls gensim.models.Word2Vec(self.walks, workers=..., vector_size=..., sg=1, **kwargs):
    # the one-line swap, made where node2vec looks the class up.
    import gensim.models

    monkeypatch.setattr(gensim.models, "Word2Vec", compat.Word2Vec)
    model = node2vec_walks.fit(window=5, min_count=1, batch_words=4, epochs=30, seed=1)
    assert isinstance(model, compat.Word2Vec)
    nodes = sorted(node2vec_walks.graph.nodes())
    assert sorted(model.wv.index_to_key, key=int) == [str(node) for node in nodes]
    assert model.wv[str(nodes[0])].shape == (DIM,)
    assert model.wv[str(nodes[0])].dtype == np.float32
    assert np.all(np.isfinite(model.wv[[str(node) for node in nodes]]))
    assert community_purity(model.wv, nodes) >= PURITY


@pytest.mark.slow
def test_node2vec_walks_same_call_as_gensim(compat, node2vec_walks):
    # The call node2vec's fit() makes, written out, with gensim's Word2Vec as the oracle of the bar.
    from gensim.models import Word2Vec as GensimWord2Vec

    walks = node2vec_walks.walks
    assert all(isinstance(node, str) for walk in walks for node in walk)
    settings = dict(workers=node2vec_walks.workers, vector_size=node2vec_walks.dimensions, sg=1, window=5,
                    min_count=1, epochs=30, seed=1)
    ours, theirs = compat.Word2Vec(walks, **settings), GensimWord2Vec(walks, **settings)
    assert set(ours.wv.index_to_key) == set(theirs.wv.index_to_key)
    nodes = sorted(node2vec_walks.graph.nodes())
    assert community_purity(theirs.wv, nodes) >= PURITY
    assert community_purity(ours.wv, nodes) >= PURITY


# -- PecanPy ----------------------------------------------------------------------------
#: PecanPy's walks of an edge file, as JSON. SparseOTF is its command line's default mode; every mode
#: returns the walks of ``Base.simulate_walks`` (PreComp precomputes the transition probabilities
#: first, and compiling its numba kernels too takes half a minute more).
PECANPY_WALKS = """
import json, sys
from pecanpy import pecanpy

graph = pecanpy.SparseOTF(p=1, q=1, workers=1, verbose=False, random_state=0)
graph.read_edg(sys.argv[1], weighted=False, directed=False)
graph.preprocess_transition_probs()
json.dump({"nodes": list(graph.nodes), "walks": graph.simulate_walks(num_walks=5, walk_length=10)}, sys.stdout)
"""


@pytest.fixture
def pecanpy_walks(tmp_path):
    """PecanPy's walks of the two-community graph, from its own interpreter."""
    python = os.environ.get(PECANPY_PYTHON)
    if not python:
        pytest.skip(f"{PECANPY_PYTHON} is unset: no interpreter with pecanpy installed")
    edges = tmp_path / "graph.edg"
    edges.write_text("".join(f"{u}\t{v}\n" for u, v in two_communities(seed=2)))
    completed = subprocess.run([python, "-c", PECANPY_WALKS, str(edges)], cwd=tmp_path, capture_output=True,
                               text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.mark.slow
def test_pecanpy_walks_train_through_compat(compat, pecanpy_walks, tmp_path):
    nodes, walks = pecanpy_walks["nodes"], pecanpy_walks["walks"]
    edges = {frozenset(map(str, edge)) for edge in two_communities(seed=2)}
    assert len(walks) == 5 * len(nodes)
    assert all(frozenset(step) in edges for walk in walks for step in zip(walk, walk[1:]))
    # The call of PecanPy's command line (learn_embeddings) and of its embed().
    model = compat.Word2Vec(walks, vector_size=DIM, window=5, min_count=0, sg=1, workers=1, epochs=30, seed=0)
    embeddings = model.wv[nodes]  # embed() returns w2v.wv[self.nodes]
    assert embeddings.shape == (len(nodes), DIM)
    assert np.all(np.isfinite(embeddings))
    # The command line's outputs: np.savez(IDs=wv.index_to_key, data=wv.vectors), or word2vec text.
    assert sorted(model.wv.index_to_key) == sorted(nodes)
    assert model.wv.vectors.shape == (len(nodes), DIM)
    np.testing.assert_array_equal(model.wv.vectors[model.wv.index_to_key.index(nodes[0])], embeddings[0])
    model.wv.save_word2vec_format(str(tmp_path / "pecanpy.emb"))
    assert (tmp_path / "pecanpy.emb").read_text().split("\n", 1)[0].split() == [str(len(nodes)), str(DIM)]
    assert community_purity(model.wv, nodes) >= PURITY


# -- examples/graph_embeddings.py ------------------------------------------------------
@pytest.mark.slow
def test_graph_example_runs(compat, capsys):
    pytest.importorskip("networkx")
    pytest.importorskip("node2vec")
    spec = importlib.util.spec_from_file_location("graph_embeddings_example", EXAMPLE)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    purity = example.run(example.parse_args([]))
    assert purity >= PURITY
    assert "nearest neighbours of node 0" in capsys.readouterr().out
