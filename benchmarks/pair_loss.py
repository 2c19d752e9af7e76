"""How well trained models fit their corpus: skip-gram's loss on (word, context) pairs drawn from all of it.

    python benchmarks/pair_loss.py --tokens /tmp/t.txt --make-tokens --max-words 2500000   # write the token file
    wordvec train /tmp/t.txt --format text --subwords --out /tmp/m --num-words 0 --min-count 5 --dim 100
    python benchmarks/pair_loss.py --tokens /tmp/t.txt /tmp/m other.bin ...

The token file holds one document a line (``--make-tokens`` writes the first
``--max-words`` words of the benchmark corpus, tokenized by wordvec, as
``compare_subwords.py`` does). Every model is scored on the same pairs: lines
drawn uniformly from the whole file, so that a model which fits best the stretch
it saw last is not favoured; each word kept with word2vec's subsampling
probability (``--sample``), each context within a window drawn from
``1..--window``, and ``--negative`` noise words per pair drawn in proportion to
count ** 0.5 (fastText's). A pair's loss is ``-log sigmoid(w . c)`` and
``-log sigmoid(-w . n)`` for each noise word ``n``; ``w`` is the word's input
vector (for subword models, the mean of its pieces, as the model answers
queries), ``c`` and ``n`` output rows. Models are wordvec model directories
(with their output rows, as ``wordvec train`` saves them) or fastText ``.bin``
files (the ``fasttext`` package).

Used to find where the vectors of two trainers with the same update rule differ
(``benchmarks/README.md``, "The order of the corpus").
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import BENCH_CORPUS, first_words, tokenized_documents, write_token_lines  # noqa: E402


def sample_pairs(lines: list[list[str]], args) -> tuple[list[str], list[tuple[str, str]], np.ndarray]:
    """The vocabulary (``min_count``), the sampled (word, context) pairs, and their noise words."""
    rng = np.random.default_rng(args.seed)
    counts = Counter(word for line in lines for word in line)
    vocab = sorted((w for w, c in counts.items() if c >= args.min_count), key=lambda w: -counts[w])
    total = sum(counts[w] for w in vocab)
    keep = {w: min(1.0, np.sqrt(args.sample * total / counts[w]) + args.sample * total / counts[w]) for w in vocab}
    pairs: list[tuple[str, str]] = []
    for index in rng.permutation(len(lines)):
        kept = [w for w in lines[index] if w in keep and rng.random() < keep[w]]
        for i, word in enumerate(kept):
            reach = int(rng.integers(1, args.window + 1))
            pairs += [(word, kept[j]) for j in range(max(0, i - reach), min(len(kept), i + reach + 1)) if j != i]
        if len(pairs) >= args.pairs:
            break
    weights = np.sqrt(np.array([counts[w] for w in vocab], dtype=np.float64))
    noise = rng.choice(len(vocab), size=(min(len(pairs), args.pairs), args.negative), p=weights / weights.sum())
    return vocab, pairs[: args.pairs], noise


def wordvec_rows(path: Path, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Input vectors of ``words`` (as the model answers queries) and the output rows of a model directory."""
    from wordvec.formats import load_vectors

    vectors = load_vectors(path)
    index = {w: i for i, w in enumerate(vectors.words)}
    output = np.load(path / "output.npy")
    return np.stack([vectors[w] for w in words]), output[[index[w] for w in words]]


def fasttext_rows(path: Path, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The same for a fastText ``.bin``."""
    import fasttext

    model = fasttext.load_model(str(path))
    output = model.get_output_matrix()
    return (np.stack([model.get_word_vector(w) for w in words]),
            output[[model.get_word_id(w) for w in words]])


def pair_loss(model: Path, vocab: list[str], pairs, noise) -> dict:
    """Mean loss of the true contexts, of the noise words, and per term (1 + negative terms a pair)."""
    rows = fasttext_rows if model.suffix == ".bin" else wordvec_rows
    inputs, outputs = rows(model, vocab)
    at = {w: i for i, w in enumerate(vocab)}
    word = np.array([at[w] for w, _ in pairs])
    context = np.array([at[c] for _, c in pairs])
    hidden = inputs[word]
    true = np.logaddexp(0.0, -np.einsum("ij,ij->i", hidden, outputs[context]))
    false = np.logaddexp(0.0, np.einsum("ij,ikj->ik", hidden, outputs[noise]))
    return {"context": float(true.mean()), "noise": float(false.mean()),
            "per_term": float((true.sum() + false.sum()) / (true.size + false.size))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("models", type=Path, nargs="*", help="wordvec model directories or fastText .bin files")
    parser.add_argument("--tokens", type=Path, required=True, help="token file, one document a line")
    parser.add_argument("--make-tokens", action="store_true", help="write --tokens from --corpus first")
    parser.add_argument("--corpus", type=Path, default=BENCH_CORPUS)
    parser.add_argument("--max-words", type=int, default=None, help="with --make-tokens: the first N words")
    parser.add_argument("--pairs", type=int, default=200_000)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--negative", type=int, default=5)
    parser.add_argument("--sample", type=float, default=1e-3)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.make_tokens:
        words, documents = write_token_lines(first_words(tokenized_documents(args.corpus), args.max_words),
                                             args.tokens)
        print(f"wrote {args.tokens}: {words:,} words, {documents:,} documents")
    lines = [line.split() for line in args.tokens.read_text(encoding="utf-8").splitlines()]
    vocab, pairs, noise = sample_pairs(lines, args)
    print(f"{len(pairs):,} pairs from {len(lines):,} documents; loss per true context, per noise word, per term")
    for model in args.models:
        loss = pair_loss(model, vocab, pairs, noise)
        print(f"{model}: context {loss['context']:.4f}  noise {loss['noise']:.4f}  per term {loss['per_term']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
