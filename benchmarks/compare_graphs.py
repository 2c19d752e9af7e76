"""Graph walks and item sessions: gensim's ``Word2Vec`` against wordvec's drop-in, as node2vec users call it.

    python benchmarks/compare_graphs.py --quick --out-dir /tmp/cgr   # a smoke test: 2,000 nodes (under a minute)
    python benchmarks/compare_graphs.py                             # 20,000 nodes, 2 walks a node, one run each
    python benchmarks/compare_graphs.py --nodes 20000 100000 --walks-per-node 10 --repeats 3

Half of gensim's ``Word2Vec`` users train on walks over a graph (DeepWalk, node2vec, PecanPy) or on
item sessions (item2vec): short sequences over a closed vocabulary where every node counts. This
script builds such data with planted groups (``graph_data.py``), seeded:

* a stochastic block model (``--nodes``, ``--communities`` of varied sizes, ``--mean-degree``,
  ``--mixing``: the share of edges between communities); 10 % of the edges are held out before walking;
* uniform random walks over the rest (DeepWalk; node2vec with p = q = 1), ``--walks-per-node`` rounds
  from every node, ``--walk-length`` 80 (node2vec's defaults are 10 and 80);
* item sessions: as many items as nodes, in as many categories as communities, ``--sessions-per-item``
  sessions of users who mostly browse one category; the last item of 10 % of the sessions held out.

The walks and sessions are generated once, in a child process, and saved; then each measured run is a
process of its own that loads them and times the whole call a graph library makes:

* ``gensim``: ``gensim.models.Word2Vec(walks, ...)``, the walks as lists of str (node2vec and PecanPy hand
  them over so; here each node's str is one object, as in PecanPy);
* ``wordvec``: the same call, the same lists, with ``Word2Vec`` from ``wordvec.compat.gensim`` (the one
  line a user changes; ``--wordvec-module`` names another module);
* ``wordvec-int``: ``wordvec.Word2Vec(...).fit(walks)`` on the integer form, a list of 1-D int32 arrays
  (views of one array), with the same settings.

Three tasks, with settings as graph users set them (``--tasks``):

* ``graph-ns``: ``vector_size=128, window=10, min_count=0, sg=1, negative=5, workers=2, epochs=E, seed``;
* ``graph-hs``: the same with ``hs=1, negative=0``;
* ``sessions``: ``sg=1, negative=5, ns_exponent=-0.5`` (item2vec's), ``window`` = the longest session,
  ``--session-epochs``.

Time: the whole call (vocabulary and training), wall seconds. Memory: the peak resident size during
the call (the process's peak is reset just before it through ``/proc/self/clear_refs``, so the
``ru_maxrss`` read after it is the call's), less the resident size after importing NumPy and the
trainer's library (so it holds the walks, as every user's process does), and the part the call
itself added on top of the walks. Quality, the way the graph papers measure it, after the timing:
node classification (scikit-learn's ``LogisticRegression`` on the L2-normalized vectors of
``--eval-nodes`` nodes, stratified half/half splits, ``--eval-splits`` seeds; macro- and micro-F1),
link prediction ROC-AUC on the held-out edges against as many non-edges (by cosine, and by a
logistic regression on the Hadamard product fitted on as many training edges and other non-edges),
and for items: category macro-F1 and next-item hit rate (HR@10 and HR@20 of the held-out last item,
ranked by cosine to the item before it among all items; at most ``--eval-nodes`` sessions).

Runs alternate (the trainers take turns going first), run i with seed + i; seconds and memory are
reported as medians (seconds with their range), quality as means over the seeds. Results go
to ``--out-dir`` as ``compare_graphs_*.json`` (every run) and ``.md`` (the tables), with the machine.
``--from-json REPORT.json`` summarizes a saved report's runs again. Not part of the test suite: it
takes minutes and needs gensim and scikit-learn.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _common import HERE, machine_description, median, package_versions, run_child, write_child_result, write_report

TRAINERS = ("gensim", "wordvec", "wordvec-int")
TASKS = ("graph-ns", "graph-hs", "sessions")
QUICK = {"nodes": [2000], "session_epochs": 3, "eval_splits": 2}
QUALITY = ("macro_f1", "micro_f1", "link_auc_cosine", "link_auc_hadamard", "hit_at_10", "hit_at_20")


# -- memory of this process -----------------------------------------------------
def current_rss_mib() -> float:
    """Resident size now, in MiB (``/proc/self/statm``)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def reset_peak() -> bool:
    """Reset this process's peak resident size to its current size (Linux 4.0 and later); False
    where that cannot be done (the peak then counts from the start of the process)."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# -- child: the data --------------------------------------------------------------
def child_prepare(args) -> dict:
    """Generate the graph, its split and walks, and the sessions; save them under ``--work``."""
    import numpy as np

    import graph_data

    started = time.perf_counter()
    nodes = args.nodes[0]
    edges, labels = graph_data.block_model(nodes, args.communities, args.mean_degree, args.mixing, args.seed)
    split = graph_data.split_edges(edges, nodes, args.held_out, args.seed + 1)
    indptr, indices = graph_data.csr_adjacency(split["train_edges"], nodes)
    tokens, offsets = graph_data.uniform_walks(indptr, indices, args.walks_per_node, args.walk_length, args.seed + 2)
    np.savez(Path(args.work) / "graph.npz", tokens=tokens, offsets=offsets, labels=labels, **split)
    sizes = np.bincount(labels)
    graph_seconds = time.perf_counter() - started
    sessions = graph_data.item_sessions(nodes, args.communities, nodes * args.sessions_per_item, args.seed + 3)
    np.savez(Path(args.work) / "sessions.npz", **sessions)
    lengths = np.diff(sessions["offsets"])
    return {"graph": {"nodes": nodes, "edges": len(edges), "communities": args.communities,
                      "smallest_community": int(sizes.min()), "largest_community": int(sizes.max()),
                      "isolated_after_split": int(np.sum(np.diff(indptr) == 0)),
                      "held_out_edges": len(split["test_edges"]), "walks": len(offsets) - 1, "tokens": len(tokens),
                      "seconds": graph_seconds},
            "sessions": {"items": nodes, "categories": args.communities, "sessions": len(lengths),
                         "tokens": len(sessions["tokens"]), "longest": int(lengths.max()),
                         "mean_length": float(lengths.mean()), "held_out": len(sessions["target"]),
                         "seconds": time.perf_counter() - started - graph_seconds}}


# -- child: one measured run ------------------------------------------------------
def call_settings(args, longest_session: int) -> dict:
    """The keyword arguments of ``Word2Vec(walks, **settings)`` for ``args.task``."""
    settings = {"vector_size": args.dim, "window": args.window, "min_count": args.min_count, "sg": 1,
                "negative": 5, "workers": args.workers, "epochs": args.epochs, "seed": args.seed}
    if args.task == "graph-hs":
        settings.update(hs=1, negative=0)
    elif args.task == "sessions":
        settings.update(window=longest_session, ns_exponent=-0.5)
    return settings


def native_settings(settings: dict) -> dict:
    """The same settings for ``wordvec.Word2Vec`` (gensim's defaults where the call leaves them)."""
    return {"dim": settings["vector_size"], "window": settings["window"], "min_count": settings["min_count"],
            "num_words": None, "model": "skipgram" if settings["sg"] else "cbow", "negative": settings["negative"],
            "hs": bool(settings.get("hs", 0)), "ns_exponent": settings.get("ns_exponent", 0.75), "sample": 1e-3,
            "epochs": settings["epochs"], "threads": settings["workers"], "seed": settings["seed"],
            "progress": False}


def load_trainer(args):
    """Import the trainer's library (the import baseline) and return its ``Word2Vec`` class."""
    if args.trainer == "gensim":
        from gensim.models import Word2Vec
    elif args.trainer == "wordvec":
        Word2Vec = importlib.import_module(args.wordvec_module).Word2Vec
    else:
        from wordvec import Word2Vec
    return Word2Vec


def load_sequences(path: Path, as_strings: bool):
    """The walks or sessions of a saved file, as lists of str (one str object per node, as PecanPy
    gives them) or as a list of int32 array views; returns ``(sequences, tokens, longest)``."""
    import numpy as np

    with np.load(path) as data:
        tokens, offsets = data["tokens"], data["offsets"]
    longest = int(np.diff(offsets).max())
    if not as_strings:
        return np.split(tokens, offsets[1:-1]), len(tokens), longest
    names = np.array([str(i) for i in range(int(tokens.max()) + 1)], dtype=object)
    return [names[tokens[a:b]].tolist() for a, b in zip(offsets[:-1], offsets[1:])], len(tokens), longest


def embedding_matrix(model, trainer: str, count: int):
    """Row ``i``: the vector of node or item ``i``; ``(matrix, seen)``, unseen rows zero."""
    import numpy as np

    if trainer == "wordvec-int":
        words, vectors = model.vectors_.words[1:], np.asarray(model.vectors_.matrix)[1:]
    else:
        words = list(model.wv.index_to_key)
        vectors = np.asarray(model.wv[words])
    ids = np.array([int(word) for word in words], dtype=np.int64)
    matrix = np.zeros((count, vectors.shape[1]), np.float32)
    matrix[ids] = vectors
    seen = np.zeros(count, bool)
    seen[ids] = True
    return matrix, seen


def child_train(args) -> dict:
    import numpy as np

    Word2Vec = load_trainer(args)
    gc.collect()
    import_rss = current_rss_mib()
    data = Path(args.work) / ("sessions.npz" if args.task == "sessions" else "graph.npz")
    sequences, tokens, longest = load_sequences(data, as_strings=args.trainer != "wordvec-int")
    settings = call_settings(args, longest)
    gc.collect()
    peak_reset = reset_peak()
    rss_before = current_rss_mib()
    started = time.perf_counter()
    if args.trainer == "wordvec-int":
        model = Word2Vec(**native_settings(settings)).fit(sequences)
    else:
        model = Word2Vec(sequences, **settings)
    seconds = time.perf_counter() - started
    peak = peak_rss_mib()
    del sequences
    with np.load(data) as saved:
        arrays = {key: saved[key] for key in saved.files if key not in ("tokens", "offsets")}
    matrix, seen = embedding_matrix(model, args.trainer, len(arrays["labels"]))
    result = {"trainer": args.trainer, "task": args.task, "epochs": args.epochs, "seed": args.seed,
              "settings": settings, "tokens": tokens, "seconds": seconds,
              "words_per_second": tokens * args.epochs / seconds, "vocabulary": int(seen.sum()),
              "import_rss_mib": import_rss, "rss_before_call_mib": rss_before, "peak_rss_mib": peak,
              "peak_since": "call" if peak_reset else "process start",
              "peak_over_import_mib": peak - import_rss, "call_added_mib": peak - rss_before}
    result.update(score(matrix, seen, arrays, args))
    return result


# -- child: quality ------------------------------------------------------------------
def score(matrix, seen, arrays: dict, args) -> dict:
    """Node (or item category) classification, and link prediction or next-item hit rate."""
    out = classification(matrix, seen, arrays["labels"], args.eval_nodes, args.eval_splits, args.seed)
    if "test_edges" in arrays:
        out.update(link_prediction(matrix, arrays))
    else:
        most = args.eval_nodes
        out.update(next_item(matrix, seen, arrays["query"][:most], arrays["target"][:most]))
    return out


def classification(matrix, seen, labels, most: int, splits: int, seed: int) -> dict:
    """Macro- and micro-F1 of a logistic regression on the normalized vectors, averaged over
    stratified half/half splits of (at most ``most``) seen nodes."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedShuffleSplit
    from sklearn.preprocessing import normalize

    rng = np.random.default_rng(seed)
    chosen = np.flatnonzero(seen)
    chosen = np.sort(rng.choice(chosen, size=min(most, len(chosen)), replace=False))
    counts = np.bincount(labels[chosen])
    chosen = chosen[counts[labels[chosen]] >= 2]
    features, targets = normalize(matrix[chosen]), labels[chosen]
    macro, micro = [], []
    for fit, test in StratifiedShuffleSplit(splits, train_size=0.5, random_state=seed).split(features, targets):
        predicted = LogisticRegression(max_iter=1000).fit(features[fit], targets[fit]).predict(features[test])
        macro.append(f1_score(targets[test], predicted, average="macro"))
        micro.append(f1_score(targets[test], predicted, average="micro"))
    return {"macro_f1": float(np.mean(macro)), "micro_f1": float(np.mean(micro)), "classified": len(chosen)}


def link_prediction(matrix, arrays: dict) -> dict:
    """ROC-AUC on held-out edges against as many non-edges: by cosine, and by a logistic regression
    on the Hadamard product of the two vectors (fitted on training edges and other non-edges)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.preprocessing import normalize

    unit = normalize(matrix)

    def pairs(positive, negative):
        both = np.concatenate([positive, negative])
        truth = np.concatenate([np.ones(len(positive)), np.zeros(len(negative))])
        return unit[both[:, 0]] * unit[both[:, 1]], truth

    test_features, test_truth = pairs(arrays["test_edges"], arrays["test_non_edges"])
    fit_features, fit_truth = pairs(arrays["fit_edges"], arrays["fit_non_edges"])
    classifier = LogisticRegression(max_iter=1000).fit(fit_features, fit_truth)
    return {"link_auc_cosine": float(roc_auc_score(test_truth, test_features.sum(axis=1))),
            "link_auc_hadamard": float(roc_auc_score(test_truth, classifier.predict_proba(test_features)[:, 1])),
            "link_pairs": len(test_truth)}


def next_item(matrix, seen, query, target, batch: int = 512) -> dict:
    """Share of held-out last items among the 10 (20) seen items nearest by cosine to the item
    before them (that item itself left out)."""
    import numpy as np
    from sklearn.preprocessing import normalize

    unit = normalize(matrix)
    ranks = []
    for start in range(0, len(query), batch):
        asked, wanted = query[start:start + batch], target[start:start + batch]
        scores = unit[asked] @ unit.T
        scores[:, ~seen] = -np.inf
        scores[np.arange(len(asked)), asked] = -np.inf
        top = np.argpartition(-scores, 20, axis=1)[:, :20]
        top = np.take_along_axis(top, np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1), axis=1)
        hit = top == wanted[:, None]
        ranks.append(np.where(hit.any(axis=1), hit.argmax(axis=1), 20))
    ranks = np.concatenate(ranks)
    return {"hit_at_10": float(np.mean(ranks < 10)), "hit_at_20": float(np.mean(ranks < 20)),
            "next_item_queries": len(ranks)}


# -- parent ---------------------------------------------------------------------------
def run_plan(args) -> list[tuple[str, int]]:
    """The ``(task, epochs)`` pairs of each repeat."""
    plan = []
    for task in args.tasks:
        plan += [(task, args.session_epochs)] if task == "sessions" else [(task, epochs) for epochs in args.epochs]
    return plan


def measure(args, work: Path, nodes: int) -> list[dict]:
    """Every repeat of every task with every trainer, each a child process, the trainers alternating."""
    trainers = [t for t in TRAINERS if args.only is None or t.startswith(args.only)]
    runs, turn = [], 0
    for repeat in range(args.repeats):
        for task, epochs in run_plan(args):
            turn = (turn + 1) % len(trainers)
            for trainer in trainers[turn:] + trainers[:turn]:
                flags = ["--work", str(work), "--task", task, "--trainer", trainer, "--epochs", str(epochs),
                         "--seed", str(args.seed + repeat), "--workers", str(args.workers), "--dim", str(args.dim),
                         "--window", str(args.window), "--min-count", str(args.min_count), "--wordvec-module",
                         args.wordvec_module, "--eval-nodes", str(args.eval_nodes), "--eval-splits",
                         str(args.eval_splits)]
                result = run_child(__file__, "train", flags)
                result.update(repeat=repeat, nodes=nodes)
                runs.append(result)
                print(f"[{repeat + 1}/{args.repeats}] n={nodes} {task:8s} e{epochs} {trainer:11s} "
                      f"{result['seconds']:6.1f} s, {result['words_per_second'] / 1e6:.2f}M words/s, peak over "
                      f"import {result['peak_over_import_mib']:.0f} MiB (call added {result['call_added_mib']:.0f}), "
                      + ", ".join(f"{key} {result[key]:.3f}" for key in QUALITY if key in result), flush=True)
    return runs


def summarize(runs: list[dict]) -> list[dict]:
    """Medians of the seconds (with their ranges) and of the memory, and means of the quality (over
    the runs' seeds), per size, task, epochs and trainer."""
    rows = []
    for key in dict.fromkeys((r["nodes"], r["task"], r["epochs"], r["trainer"]) for r in runs):
        mine = [r for r in runs if (r["nodes"], r["task"], r["epochs"], r["trainer"]) == key]
        row = dict(zip(("nodes", "task", "epochs", "trainer"), key), runs=len(mine))
        for name in ("seconds", "words_per_second", "peak_over_import_mib", "call_added_mib", "peak_rss_mib",
                     "vocabulary"):
            if name in mine[0]:
                row[name] = median(r[name] for r in mine)
        row.update({name: sum(r[name] for r in mine) / len(mine) for name in QUALITY if name in mine[0]})
        row.update(seconds_min=min(r["seconds"] for r in mine), seconds_max=max(r["seconds"] for r in mine))
        rows.append(row)
    return rows


def ratios(summary: list[dict]) -> list[dict]:
    """Each wordvec row against gensim's: speed-up, memory ratio, quality differences."""
    gensim = {(r["nodes"], r["task"], r["epochs"]): r for r in summary if r["trainer"] == "gensim"}
    out = []
    for row in summary:
        base = gensim.get((row["nodes"], row["task"], row["epochs"]))
        if row["trainer"] == "gensim" or base is None:
            continue
        entry = {key: row[key] for key in ("nodes", "task", "epochs", "trainer")}
        entry.update(speedup=base["seconds"] / row["seconds"],
                     memory_ratio=row["peak_over_import_mib"] / base["peak_over_import_mib"],
                     process_memory_ratio=row["peak_rss_mib"] / base["peak_rss_mib"])
        entry.update({f"{key}_diff": row[key] - base[key] for key in QUALITY if key in row})
        out.append(entry)
    return out


def _figure(row: dict, key: str) -> str:
    return f"{row[key]:.3f}" if key in row else "-"


def describe_data(info: dict, args) -> str:
    g, s = info["graph"], info["sessions"]
    return (f"Stochastic block model: {g['nodes']:,} nodes in {g['communities']} communities "
            f"({g['smallest_community']:,} to {g['largest_community']:,} nodes), {g['edges']:,} edges (mean degree "
            f"{args.mean_degree:g}, {100 * args.mixing:g} % between communities), {g['held_out_edges']:,} held out "
            f"before walking; {g['walks']:,} uniform walks ({args.walks_per_node} from each node, length "
            f"{args.walk_length}): {g['tokens']:,} tokens. Item sessions: {s['items']:,} items in "
            f"{s['categories']} categories, {s['sessions']:,} sessions ({s['tokens']:,} tokens, mean length "
            f"{s['mean_length']:.1f}, longest {s['longest']}), the last item of {s['held_out']:,} held out.")


def describe_calls(args) -> str:
    """The calls timed, as one phrase."""
    return (f"`Word2Vec(walks, vector_size={args.dim}, window={args.window}, min_count={args.min_count}, sg=1, "
            f"negative=5, workers={args.workers}, epochs=E, seed=S)` (graph-ns); the same with `hs=1, negative=0` "
            f"(graph-hs); `window=` the longest session, `ns_exponent=-0.5`, epochs={args.session_epochs} "
            f"(sessions); wordvec-int: `wordvec.Word2Vec(dim={args.dim}, ..., num_words=None).fit(walks)`, the "
            f"same settings, on int32 arrays")


def markdown(report: dict) -> str:
    args = argparse.Namespace(**report["options"])
    lines = []
    for nodes, info in report["data"].items():
        lines += [describe_data(info, args), ""]
    lines += [f"Calls: {report['calls']}. Seconds: the whole call (vocabulary and training), median of "
              f"{args.repeats} runs [range]; memory: the process's peak RSS during the call (imports, walks and "
              f"call: what the machine must hold), that peak less the process's RSS after importing NumPy and the "
              f"trainer (so with the walks in memory), and the part the call added on top of its input. Quality on the vectors (means over the runs, seed {args.seed} on): node (item category) classification macro-F1 (logistic regression, "
              f"{args.eval_splits} stratified half/half splits of at most {args.eval_nodes:,} nodes); link "
              f"prediction ROC-AUC by cosine and by Hadamard product + logistic regression; next-item HR@10.", "",
              "| nodes | task | epochs | trainer | seconds | words/s | process peak MiB | peak over import MiB "
              "| added by the call MiB | macro-F1 | link AUC cosine | link AUC Hadamard | HR@10 |",
              "|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in report["summary"]:
        lines.append(f"| {r['nodes']:,} | {r['task']} | {r['epochs']} | {r['trainer']} | {r['seconds']:.1f} "
                     f"[{r['seconds_min']:.1f}-{r['seconds_max']:.1f}] | {r['words_per_second'] / 1e6:.2f}M | "
                     f"{r['peak_rss_mib']:.0f} | {r['peak_over_import_mib']:.0f} | {r['call_added_mib']:.0f} | "
                     f"{_figure(r, 'macro_f1')} | "
                     f"{_figure(r, 'link_auc_cosine')} | {_figure(r, 'link_auc_hadamard')} | "
                     f"{_figure(r, 'hit_at_10')} |")
    if report["ratios"]:
        lines += ["", "| nodes | task | epochs | trainer | gensim s / its s | process peak, it / gensim | peak over "
                      "import, it / gensim | macro-F1 diff | link AUC cosine diff | link AUC Hadamard diff | HR@10 diff |",
                  "|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
        for r in report["ratios"]:
            diffs = " | ".join(f"{r[k + '_diff']:+.3f}" if k + "_diff" in r else "-"
                               for k in ("macro_f1", "link_auc_cosine", "link_auc_hadamard", "hit_at_10"))
            lines.append(f"| {r['nodes']:,} | {r['task']} | {r['epochs']} | {r['trainer']} | **{r['speedup']:.2f}x** "
                         f"| {r['process_memory_ratio']:.2f}x | {r['memory_ratio']:.2f}x | {diffs} |")
    v = report["versions"]
    lines += ["", f"Machine: {report['machine']}; " + ", ".join(f"{k} {v[k]}" for k in sorted(v)) + "."]
    return "\n".join(lines) + "\n"


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def versions(args) -> dict:
    from wordvec.kernels import backend

    found = package_versions(("gensim", "numpy", "scikit-learn", "wordvec"))
    found["wordvec kernels"] = backend()
    if args.wordvec_module != "wordvec.compat.gensim":
        found["wordvec trainer"] = args.wordvec_module
    return found


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[20000], help="graph sizes (and item counts)")
    parser.add_argument("--walks-per-node", type=int, default=2, help="walks from each node (node2vec: 10)")
    parser.add_argument("--walk-length", type=int, default=80)
    parser.add_argument("--communities", type=int, default=20, help="communities, and item categories")
    parser.add_argument("--mean-degree", type=float, default=10.0)
    parser.add_argument("--mixing", type=float, default=0.5, help="share of edges between communities")
    parser.add_argument("--held-out", type=float, default=0.1, help="share of edges held out for link prediction")
    parser.add_argument("--sessions-per-item", type=int, default=5)
    parser.add_argument("--tasks", nargs="+", choices=TASKS, default=list(TASKS))
    parser.add_argument("--epochs", type=int, nargs="+", default=[1], help="epochs of the graph tasks (one or more)")
    parser.add_argument("--session-epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=1, help="runs per trainer and task (medians)")
    parser.add_argument("--only", choices=("gensim", "wordvec"), help="one side only (wordvec: both its inputs)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--window", type=int, default=10, help="window of the graph tasks")
    parser.add_argument("--min-count", type=int, default=0)
    parser.add_argument("--eval-nodes", type=int, default=10000,
                        help="nodes (items) classified, and sessions asked for their next item, at most")
    parser.add_argument("--eval-splits", type=int, default=3, help="stratified splits (seeds) of the classification")
    parser.add_argument("--wordvec-module", default="wordvec.compat.gensim",
                        help="the module whose Word2Vec is wordvec's drop-in (gensim.models tries the plumbing)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the data; run i trains with seed + i")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 2,000 nodes, under a minute")
    parser.add_argument("--out-dir", type=Path, default=HERE / "results")
    parser.add_argument("--from-json", type=Path, help="summarize the runs of a saved report again, rewrite it")
    parser.add_argument("--name", default=None, help="file name stem of the results (default from the settings)")
    parser.add_argument("--child", choices=("prepare", "train"), help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--task", choices=TASKS, help=argparse.SUPPRESS)
    parser.add_argument("--trainer", choices=TRAINERS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        given = set(argv if argv is not None else sys.argv[1:])
        for key, value in QUICK.items():
            if "--" + key.replace("_", "-") not in given:
                setattr(args, key, value)
    if min(args.nodes + args.epochs + [args.repeats, args.walks_per_node, args.session_epochs]) < 1:
        parser.error("sizes, epochs, repeats and walks must be at least 1")
    return args


def rerender(path: Path) -> None:
    """Summarize the runs of a saved report again and rewrite it (``--from-json``)."""
    report = json.loads(path.read_text())
    report["summary"] = summarize(report["runs"])
    report["ratios"] = ratios(report["summary"])
    write_report(path.parent, path.stem, report, markdown(report))


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.from_json:
        rerender(args.from_json)
        return 0
    if args.child:
        args.epochs = args.epochs[0]
        result = child_prepare(args) if args.child == "prepare" else child_train(args)
        write_child_result(args.child_out, result)
        return 0
    runs, data = [], {}
    for nodes in args.nodes:
        work = Path(tempfile.mkdtemp(prefix="wordvec-graphs-"))
        try:
            flags = ["--work", str(work), "--nodes", str(nodes), "--walks-per-node", str(args.walks_per_node),
                     "--walk-length", str(args.walk_length), "--communities", str(args.communities), "--mean-degree",
                     str(args.mean_degree), "--mixing", str(args.mixing), "--held-out", str(args.held_out),
                     "--sessions-per-item", str(args.sessions_per_item), "--seed", str(args.seed)]
            data[nodes] = run_child(__file__, "prepare", flags)
            print(describe_data(data[nodes], args), flush=True)
            runs += measure(args, work, nodes)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    summary = summarize(runs)
    options = {key: (str(value) if isinstance(value, Path) else value) for key, value in vars(args).items()
               if not key.startswith("child") and key not in ("work", "task", "trainer")}
    report = {"options": options, "data": data, "runs": runs, "summary": summary, "ratios": ratios(summary),
              "calls": describe_calls(args),
              "machine": f"{cpu_name()}, {machine_description()}", "versions": versions(args)}
    stem = args.name or ("compare_graphs_quick" if args.quick else
                         "compare_graphs_n" + "-".join(map(str, args.nodes)) + f"_w{args.walks_per_node}_e"
                         + "-".join(map(str, args.epochs)) + f"_t{args.workers}")
    write_report(args.out_dir, stem, report, markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
