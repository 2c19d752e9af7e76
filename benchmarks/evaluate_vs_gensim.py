"""Score one model with wordvec's evaluator and with gensim's, and print both side by side.

    python benchmarks/evaluate_vs_gensim.py MODEL_DIR [--restrict-vocab 30000]

MODEL_DIR is a wordvec model directory (e.g. from
`wordvec train ../shared/data/corpora/bench_en.txt.gz --out m2 --dim 100`). The vectors are
handed to gensim's KeyedVectors unchanged (UNK row left out) and scored on the sets shipped
with wordvec. Exits non-zero if any figure differs by more than 1e-6.
"""

from __future__ import annotations

import argparse
import logging
import sys

import numpy as np
from gensim.models import KeyedVectors

from wordvec.evaluate import evaluate, packaged_eval_sets
from wordvec.formats import load_model
from wordvec.vectors import Vectors


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("--restrict-vocab", type=int, default=30000)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)

    loaded = load_model(args.model).vectors
    keep = [i for i, w in enumerate(loaded.words) if w != loaded.unknown]
    words = [loaded.words[i] for i in keep]
    matrix = np.asarray(loaded.matrix)[keep]
    ours = evaluate(Vectors(words, matrix), restrict_vocab=args.restrict_vocab)
    kv = KeyedVectors(vector_size=matrix.shape[1])
    kv.add_vectors(words, matrix)

    sets = packaged_eval_sets()
    worst = 0.0
    print(f"{'set':<18} {'figure':<10} {'wordvec':>12} {'gensim':>12}")
    for name, path in sets["similarity"].items():
        pearson, spearman, oov = kv.evaluate_word_pairs(str(path), restrict_vocab=args.restrict_vocab)
        theirs = {"spearman": spearman[0], "pearson": pearson[0], "oov": oov / 100}
        for figure, value in theirs.items():
            mine = ours["similarity"][name][figure]
            worst = max(worst, abs(mine - value))
            print(f"{name:<18} {figure:<10} {mine:12.8f} {value:12.8f}")
    for name, path in sets["analogies"].items():
        accuracy, sections = kv.evaluate_word_analogies(str(path), restrict_vocab=args.restrict_vocab)
        total = sections[-1]
        mine = ours["analogies"][name]
        worst = max(worst, abs(mine["accuracy"] - accuracy))
        print(f"{name:<18} {'accuracy':<10} {mine['accuracy']:12.8f} {accuracy:12.8f}")
        print(f"{name:<18} {'correct':<10} {mine['correct']:12d} {len(total['correct']):12d}")
        if mine["correct"] != len(total["correct"]):
            worst = max(worst, 1.0)
    print(f"largest difference: {worst:.2e}")
    return 0 if worst <= 1e-6 else 1


if __name__ == "__main__":
    sys.exit(main())
