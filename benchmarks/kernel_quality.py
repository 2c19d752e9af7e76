"""Two builds of the training kernels on the benchmark corpus, in turns: vector quality and seconds.

``kernel_ab.py`` times builds of the library against each other; this script trains whole
skip-gram models with each (the same encoded corpus, the same seed, the builds taking turns going
first) and scores them on the packaged evaluation sets, to show that a change of the kernels leaves
what they train as good as it was.

    cp src/wordvec/kernels/_wordvec_kernels*.so /tmp/before.so     # before changing kernels/csrc/
    python benchmarks/kernel_quality.py --before /tmp/before.so --seeds 1 2 --epochs 3

Prints one JSON line per model: the build (``before`` or ``now``), the seed, the seconds of
training, and WordSim-353 and SimLex-999 Spearman correlations and analogy accuracy.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import time

from _common import BENCH_CORPUS

from wordvec import Word2Vec
from wordvec.encoding import encode_files
from wordvec.evaluate import evaluate
from wordvec.kernels import training


def scores(model) -> dict:
    """The packaged sets' figures of a trained model."""
    found = evaluate(model.vectors_)
    out = {name: round(result["spearman"], 4) for name, result in found["similarity"].items()}
    out.update({name: round(result["accuracy"], 4) for name, result in found["analogies"].items()})
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", required=True, help="another build of the library (a .so file)")
    parser.add_argument("--corpus", default=str(BENCH_CORPUS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    vocab, corpus = encode_files([args.corpus], num_words=None, min_count=5)
    builds = {"before": ctypes.CDLL(args.before), "now": None}
    for turn, seed in enumerate(args.seeds):
        for name in ("before", "now") if turn % 2 == 0 else ("now", "before"):
            training.use_library(builds[name])
            model = Word2Vec(dim=args.dim, window=5, min_count=5, num_words=None, negative=5, epochs=args.epochs,
                             threads=args.threads, seed=seed, progress=False)
            started = time.perf_counter()
            model.fit_corpus(vocab, corpus)
            seconds = time.perf_counter() - started
            print(json.dumps({"build": name, "seed": seed, "seconds": round(seconds, 2), **scores(model)}), flush=True)
    training.use_library(None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
