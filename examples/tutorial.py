#!/usr/bin/env python
"""The tutorial "Word Embeddings with Keras", step by step, with wordvec.

Reads Amazon Fine Foods reviews, fits a tokenizer, turns reviews into
skip-gram couples, builds and trains the tutorial's Keras model, names the
rows of the embedding matrix, finds similar words and draws a t-SNE map of
the 500 most frequent words.

Needs the keras extra (``pip install torch==2.13.0 "wordvec[keras]"``).
The defaults train a few hundred steps so the whole walk takes about a
minute on two CPU cores; the tutorial itself trained 5 epochs of 100,000
steps on all 568,454 reviews::

    python examples/tutorial.py --epochs 5 --steps-per-epoch 100000

Usage: ``python examples/tutorial.py [--epochs N] [--steps-per-epoch N]
[--num-words N] [--dim N] [--window N] [--out-dir DIR]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

def load_reviews(paths=None) -> list[str]:
    """The review texts, one string each (the tutorial's ``reviews``).

    Reads the sample shipped with wordvec (2,000 real reviews) unless other
    files are given: SNAP ``finefoods.txt.gz``, a Kaggle ``Reviews.csv``, plain text.
    Unlike the tutorial, the text is already cleaned (encoding repaired, ``<br />`` removed).
    """
    from wordvec.readers import default_corpus, iter_documents

    return list(iter_documents(paths or default_corpus()))


import numpy as np  # noqa: E402

from wordvec.engines.keras import UNKNOWN, build_model  # noqa: E402
from wordvec.errors import UnknownWordError  # noqa: E402
from wordvec.preprocessing import Tokenizer, skipgrams  # noqa: E402
from wordvec.vectors import Vectors  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=Path, nargs="*", default=None,
                        help="review files (default: the sample shipped with wordvec)")
    parser.add_argument("--num-words", type=int, default=20000, help="tokenizer vocabulary (default 20000)")
    parser.add_argument("--dim", type=int, default=128, help="embedding size (default 128)")
    parser.add_argument("--window", type=int, default=5, help="skip-gram half-window (default 5)")
    parser.add_argument("--epochs", type=int, default=3, help="training epochs (default 3)")
    parser.add_argument("--steps-per-epoch", type=int, default=200,
                        help="reviews per epoch (default 200; the tutorial used 100000)")
    parser.add_argument("--tsne-words", type=int, default=500, help="words on the t-SNE map (default 500)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out-dir", type=Path, default=None,
                        help="where to write tsne.png (default: a new temporary folder)")
    parser.add_argument("--threads", type=int, default=1,
                        help="PyTorch CPU threads (default 1: each step is one small review)")
    parser.add_argument("--verbose", type=int, default=1, choices=[0, 1, 2], help="Keras fit verbosity")
    return parser.parse_args(argv)


def section(title: str) -> None:
    print(f"\n== {title} ==", flush=True)


def skipgrams_generator(sequences, vocabulary_size, window_size, negative_samples, rng):
    """The tutorial's generator: one shuffled review's skip-gram couples per step, endlessly."""
    while True:
        for k in rng.permutation(len(sequences)):
            couples, labels = skipgrams(sequences[k], vocabulary_size=vocabulary_size,
                                        window_size=window_size, negative_samples=negative_samples, seed=rng)
            pairs = np.asarray(couples, dtype=np.int32).reshape(-1, 2)
            yield (pairs[:, :1], pairs[:, 1:]), np.asarray(labels, dtype=np.float32).reshape(-1, 1)


def find_similar_words(word: str, vectors: Vectors, n: int = 5):
    """The tutorial's ``find_similar_words``: the nearest words by cosine similarity."""
    return vectors.most_similar(word, n=n)


def tsne_map(vectors: Vectors, n_words: int, path: Path, seed: int) -> Path:
    """t-SNE of the ``n_words`` most frequent words (rows 1..n_words), labelled, saved as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.manifold import TSNE

    rows = np.arange(1, min(n_words, len(vectors) - 1) + 1)
    points = np.asarray(vectors.matrix[rows], dtype=np.float64)
    perplexity = min(50.0, (len(rows) - 1) / 3)
    xy = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(points)
    fig, ax = plt.subplots(figsize=(14, 14))
    ax.scatter(xy[:, 0], xy[:, 1], s=4, alpha=0.4)
    for (x, y), row in zip(xy, rows):
        ax.annotate(vectors.words[row], (x, y), fontsize=7, alpha=0.8)
    ax.set_title(f"t-SNE of the {len(rows)} most frequent words")
    ax.set_xticks([])
    ax.set_yticks([])
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None) -> int:
    args = parse_args(argv)
    out_dir = args.out_dir or Path(tempfile.mkdtemp(prefix="wordvec-tutorial-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)

    section("1. Reviews")
    reviews = load_reviews(args.reviews)
    print(f"{len(reviews)} reviews; the first: {reviews[0][:200]!r}")

    section("2. Tokenizer")
    tokenizer = Tokenizer(num_words=args.num_words)
    tokenizer.fit_on_texts(reviews)
    print(f"{len(tokenizer.word_index)} distinct words; the most frequent:",
          ", ".join(f"{w}={i}" for w, i in list(tokenizer.word_index.items())[:10]))
    sequences = [seq for seq in tokenizer.texts_to_sequences(reviews) if len(seq) >= 2]
    print(f"{len(sequences)} reviews with at least two words in the vocabulary")

    section("3. Skip-grams")
    couples, labels = skipgrams(sequences[0], vocabulary_size=args.num_words + 1,
                                window_size=args.window, negative_samples=1.0, seed=args.seed)
    print(f"the first review gives {len(couples)} couples, {sum(labels)} of them positive; a few:")
    for (target, context), label in list(zip(couples, labels))[:6]:
        print(f"  ({tokenizer.index_word[target]!r}, {tokenizer.index_word.get(context, '?')!r}) -> {label}")

    section("4. The model")
    model = build_model(args.num_words, args.dim, seed=args.seed)
    model.summary()

    section("5. Training")
    import torch

    torch.set_num_threads(args.threads)
    history = model.fit(
        skipgrams_generator(sequences, args.num_words + 1, args.window, 1.0, rng),
        epochs=args.epochs, steps_per_epoch=args.steps_per_epoch, shuffle=False, verbose=args.verbose)
    for epoch, loss in enumerate(history.history["loss"], start=1):
        print(f"epoch {epoch}: loss {loss:.4f}")

    section("6. The embedding matrix, with row names")
    n_rows = min(args.num_words, len(tokenizer.word_index)) + 1
    words = [UNKNOWN] + [tokenizer.index_word[i] for i in range(1, n_rows)]
    matrix = np.asarray(model.get_layer("embedding").get_weights()[0][:n_rows], dtype=np.float32)
    vectors = Vectors(words, matrix, unknown=UNKNOWN)
    print(f"{matrix.shape[0]} rows x {matrix.shape[1]} columns")
    with np.printoptions(precision=3, suppress=True):
        for word in words[:6]:
            print(f"  {word:>8} {vectors[word][:5]} ...")

    section("7. Similar words")
    for word in ["2", "little", "delicious", "cats"]:
        try:
            similar = find_similar_words(word, vectors)
        except UnknownWordError as err:
            print(f"{word}: {err}")
            continue
        print(f"{word}: " + ", ".join(f"{w} ({s:.3f})" for w, s in similar))

    section("8. t-SNE map")
    path = tsne_map(vectors, args.tsne_words, out_dir / "tsne.png", args.seed)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
