#!/usr/bin/env python
"""Do wordvec vectors help a small Keras sentiment model? The tutorial's next step.

Labels the reviews shipped with wordvec as positive (score 4-5) or negative
(score 1-2; score 3 is left out) and trains one small Keras model,
``Embedding -> GlobalAveragePooling1D -> Dense(1, sigmoid)``, three ways:
its embedding initialised at random (Keras's default), or from a
``wordvec.Word2Vec`` model trained on the training split only, kept frozen
or trained further. Same model, same epochs and batches, same split and
Keras seed within each seed; several seeds. It prints the held-out accuracy
(and balanced accuracy, the mean of the two classes' recalls) of each
beside the majority-class baseline, and says plainly whether the vectors helped.

Needs the keras extra (``pip install "wordvec[keras]"``). With the defaults the
run takes about a minute on two CPU cores::

    python examples/sentiment.py
    python examples/sentiment.py --seeds 1 --epochs 2 --dim 16      # a quick check

Usage: ``python examples/sentiment.py [--seeds N] [--epochs N] [--batch N]
[--dim N] [--w2v-epochs N] [--num-words N] [--maxlen N] [--test-size F]
[--reviews FILE ...]``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402

ARMS = ("random init", "wordvec init, frozen", "wordvec init, trainable")


def _open_text(path):
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    raw = gzip.open(path, "rb") if gzipped else open(path, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")


def read_snap_scores(path) -> list[tuple[str, float]]:
    """``(text, score)`` of each review of a SNAP ``finefoods.txt`` file (gzip or not)."""
    from wordvec.text import clean_text

    reviews, score = [], None
    with _open_text(path) as handle:
        for line in handle:
            if line.startswith("review/score:"):
                score = float(line.split(":", 1)[1])
            elif line.startswith("review/text:") and score is not None:
                reviews.append((clean_text(line.split(":", 1)[1].strip()), score))
                score = None
    return reviews


def read_csv_scores(path) -> list[tuple[str, float]]:
    """``(text, score)`` of each row of a Kaggle-style CSV with ``Score`` and ``Text`` columns."""
    from wordvec.text import clean_text

    with _open_text(path) as handle:
        return [(clean_text(row["Text"]), float(row["Score"])) for row in csv.DictReader(handle)
                if row.get("Text") and row.get("Score")]


def load_labelled_reviews(paths=None):
    """Texts and labels (1: score 4-5, 0: score 1-2) and how many score-3 reviews were left out."""
    from wordvec.readers import default_corpus

    reviews = []
    for path in paths or default_corpus():
        name = str(path).lower()
        reviews += read_csv_scores(path) if name.endswith((".csv", ".csv.gz")) else read_snap_scores(path)
    kept = [(text, 1 if score >= 4 else 0) for text, score in reviews if score != 3]
    texts = [text for text, _ in kept]
    labels = np.array([label for _, label in kept], dtype=np.int32)
    return texts, labels, len(reviews) - len(kept)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--reviews", type=Path, nargs="+", default=None,
        help="SNAP finefoods.txt(.gz) or CSV files with Score and Text columns (default: the shipped sample)")
    add("--seeds", type=int, default=3, help="seeds (splits, vectors and Keras inits) to average (default 3)")
    add("--epochs", type=int, default=10, help="Keras training epochs, every arm (default 10)")
    add("--batch", type=int, default=32, help="Keras batch size (default 32)")
    add("--dim", type=int, default=64, help="embedding size (default 64)")
    add("--w2v-epochs", type=int, default=10, help="Word2Vec epochs on the training split (default 10)")
    add("--min-count", type=int, default=3, help="Word2Vec min_count (default 3)")
    add("--num-words", type=int, default=10000, help="tokenizer vocabulary: Keras num_words (default 10000)")
    add("--maxlen", type=int, default=200, help="review length in words, longer ones cut (default 200)")
    add("--test-size", type=float, default=0.25, help="held-out share of the reviews (default 0.25)")
    add("--lr", type=float, default=1e-2,
        help="Adam learning rate (default 0.01: at 0.001, 10 epochs leave every arm at the majority class)")
    add("--threads", type=int, default=1, help="PyTorch CPU threads (default 1)")
    return parser.parse_args(argv)


def split(n: int, test_size: float, seed: int):
    """Shuffled training and held-out row numbers."""
    order = np.random.default_rng(seed).permutation(n)
    n_test = max(1, int(round(n * test_size)))
    return order[n_test:], order[:n_test]


def scores(labels: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    """Accuracy and balanced accuracy (mean recall of the two classes)."""
    accuracy = float(np.mean(predicted == labels))
    recalls = [float(np.mean(predicted[labels == c] == c)) for c in (0, 1) if np.any(labels == c)]
    return accuracy, float(np.mean(recalls))


def build_classifier(keras, embedding, maxlen: int, lr: float):
    """The same small model for every arm: mean of the word vectors, then a logistic unit."""
    model = keras.Sequential([
        keras.Input((maxlen,), dtype="int32"),
        embedding,
        keras.layers.GlobalAveragePooling1D(),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def run_seed(keras, texts, labels, args, seed: int) -> dict:
    """One split, one Word2Vec model, the three arms; returns each arm's (accuracy, balanced)."""
    import wordvec
    from wordvec.preprocessing import Tokenizer

    train, test = split(len(texts), args.test_size, seed)
    train_texts = [texts[i] for i in train]
    tokenizer = Tokenizer(num_words=args.num_words)
    tokenizer.fit_on_texts(train_texts)
    pad = keras.utils.pad_sequences
    x_train = pad(tokenizer.texts_to_sequences(train_texts), maxlen=args.maxlen)
    x_test = pad(tokenizer.texts_to_sequences([texts[i] for i in test]), maxlen=args.maxlen)
    y_train, y_test = labels[train], labels[test]
    w2v = wordvec.Word2Vec(dim=args.dim, epochs=args.w2v_epochs, min_count=args.min_count,
                           num_words=None, threads=1, seed=seed, progress=False).fit(train_texts)
    embedded = w2v.vectors_.embedding_matrix(tokenizer, missing="random", seed=seed)
    majority = int(np.mean(y_train) >= 0.5)
    results = {"majority class": scores(y_test, np.full_like(y_test, majority)),
               "missing": (embedded.missing, min(args.num_words, len(tokenizer.word_index) + 1) - 1)}
    for arm in ARMS:
        keras.utils.set_random_seed(seed)
        if arm == "random init":
            layer = keras.layers.Embedding(embedded.matrix.shape[0], args.dim, mask_zero=True)
        else:
            layer = wordvec.to_keras_embedding(embedded, trainable=arm.endswith("trainable"), mask_zero=True)
        model = build_classifier(keras, layer, args.maxlen, args.lr)
        model.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch, verbose=0)
        predicted = (model.predict(x_test, batch_size=256, verbose=0)[:, 0] >= 0.5).astype(np.int32)
        results[arm] = scores(y_test, predicted)
    return results


def spread(values) -> tuple[float, float]:
    values = np.asarray(values, dtype=np.float64)
    return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0


def verdict(per_seed: list[dict]) -> list[str]:
    """Each wordvec arm against random init, seed by seed (the same split and Keras seed)."""
    lines = []
    for arm in ARMS[1:]:
        gains = [r[arm][0] - r["random init"][0] for r in per_seed]
        mean, sd = spread(gains)
        if len(gains) > 1 and abs(mean) > sd and all(np.sign(g) == np.sign(mean) for g in gains):
            word = "helped" if mean > 0 else "hurt"
        else:
            word = "made no clear difference"
        lines.append(f"verdict: {arm} {word} against random init "
                     f"(accuracy {mean:+.3f} ± {sd:.3f} per seed, {len(gains)} seeds)")
    return lines


def main(argv=None) -> int:
    args = parse_args(argv)
    import keras
    import torch

    torch.set_num_threads(args.threads)
    texts, labels, dropped = load_labelled_reviews(args.reviews)
    print(f"reviews: {len(texts)} labelled ({int(labels.sum())} positive, {int((labels == 0).sum())} negative; "
          f"{dropped} with score 3 left out)")
    print(f"settings: {args.seeds} seeds, held out {args.test_size:.0%}, dim {args.dim}, {args.epochs} epochs, "
          f"batch {args.batch}; Word2Vec {args.w2v_epochs} epochs, min_count {args.min_count}, "
          f"on the training split only", flush=True)
    per_seed = []
    for seed in range(1, args.seeds + 1):
        result = run_seed(keras, texts, labels, args, seed)
        per_seed.append(result)
        cells = "  ".join(f"{name} {result[name][0]:.3f}" for name in ("majority class",) + ARMS)
        print(f"seed {seed}: {cells}  (vectors missing for {result['missing'][0]} of "
              f"{result['missing'][1]} words: random rows)", flush=True)
    print(f"\nheld-out accuracy, mean ± sd over {args.seeds} seeds:")
    for name in ("majority class",) + ARMS:
        acc, bal = spread([r[name][0] for r in per_seed]), spread([r[name][1] for r in per_seed])
        print(f"{name:<25} accuracy {acc[0]:.3f} ± {acc[1]:.3f}   balanced {bal[0]:.3f} ± {bal[1]:.3f}")
    print("\n".join(verdict(per_seed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
