"""What handing token sequences over costs: the same walks as Python lists, arrays, one array, or a file.

Graph walks (node ids) are generated once; each form is then encoded (vocabulary + token ids: the
step before training, which is the same for every form) by ``wordvec.encoding.encode_documents``, as
``Word2Vec.fit`` encodes it. The file is read twice: with ``--tokenizer whitespace`` (the tokens as
they are) and with the default words tokenizer (the compiled block reader). Forms alternate; medians.

    python benchmarks/sequence_input.py --tokens 8000000 --repeats 3
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from wordvec.encoding import TokenSequences, encode_documents
from wordvec.kernels import backend
from wordvec.readers import iter_documents

RESULTS = Path(__file__).parent / "results"


def make_walks(n_tokens: int, n_nodes: int, length: int, seed: int) -> list[np.ndarray]:
    """Walks of ``length`` node ids (int32), about ``n_tokens`` in all; node popularity is skewed as in real graphs."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, n_nodes + 1) ** 0.8
    nodes = rng.choice(n_nodes, size=n_tokens // length * length, p=weights / weights.sum()).astype(np.int32)
    return list(nodes.reshape(-1, length))


def forms(walks: list[np.ndarray], folder: Path) -> dict:
    """Each form the same walks come in: name -> a function giving what to encode."""
    as_strings = [[f"n{t}" for t in w.tolist()] for w in walks]
    as_ints = [w.tolist() for w in walks]
    flat = np.concatenate(walks)
    offsets = np.cumsum([0] + [len(w) for w in walks]).astype(np.int64)
    path = folder / "walks.txt"
    path.write_text("".join(" ".join(w) + "\n" for w in as_strings))
    return {
        "list of str lists": lambda: as_strings,
        "list of int lists": lambda: as_ints,
        "list of int32 arrays": lambda: walks,
        "TokenSequences": lambda: TokenSequences(flat, offsets),
        "file, --tokenizer whitespace": lambda: iter_documents(path, tokenizer="whitespace"),
        "file, words tokenizer": lambda: iter_documents(path),
    }


def time_forms(named: dict, repeats: int) -> dict:
    seconds = {name: [] for name in named}
    for _ in range(repeats):
        for name, given in named.items():
            gc.collect()
            started = time.perf_counter()
            vocab, corpus = encode_documents(given(), num_words=None, min_count=1, threads=2)
            seconds[name].append(time.perf_counter() - started)
            n_tokens = int(corpus.tokens.shape[0])
            del vocab, corpus
    return {name: {"seconds": statistics.median(s), "runs": s, "tokens": n_tokens} for name, s in seconds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=8_000_000)
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--length", type=int, default=80)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--name", default="sequence_input")
    args = parser.parse_args()
    walks = make_walks(args.tokens, args.nodes, args.length, seed=1)
    with tempfile.TemporaryDirectory() as folder:
        results = time_forms(forms(walks, Path(folder)), args.repeats)
    machine = f"{platform.machine()}, {platform.processor() or platform.system()}, kernels {backend()}"
    report = {"machine": machine, "tokens": args.tokens, "nodes": args.nodes, "walk_length": args.length,
              "repeats": args.repeats, "forms": results}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [f"Encoding {args.tokens:,} walk tokens ({args.nodes:,} nodes), median of {args.repeats}; {machine}", "",
             "| form | seconds | M tokens/s |", "|---|---|---|"]
    for name, r in results.items():
        lines.append(f"| {name} | {r['seconds']:.2f} | {r['tokens'] / r['seconds'] / 1e6:.1f} |")
    (RESULTS / f"{args.name}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
