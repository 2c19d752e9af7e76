"""How wordvec's training time and peak memory grow with the corpus: 1x, 2x, 4x the benchmark corpus.

    python benchmarks/scaling.py                     # skip-gram, 5 epochs, 2 threads
    python benchmarks/scaling.py --factors 1 2 4 8 --epochs 1

The corpus is read, tokenized (``wordvec.corpus.iter_documents`` +
``wordvec.text.tokenize``) and encoded once; the token stream is then
concatenated with itself ``k`` times (word counts multiplied by ``k``, so
subsampling and the noise distribution stay the same) and trained from the
encoded form (``Word2Vec.fit_corpus``). Each size trains in a subprocess of its
own, so each peak resident memory (``ru_maxrss``) is that run's alone. Time
and memory should grow linearly: words/s stays flat, and memory is a fixed part
(interpreter, Numba, weights) plus about 4 bytes per token.

Results go to ``--out-dir`` as JSON and a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parent.parent / "shared" / "data" / "corpora" / "bench_en.txt.gz"


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def child_encode(args) -> dict:
    import numpy as np

    from wordvec.corpus import iter_documents
    from wordvec.encode import encode_documents
    from wordvec.text import tokenize

    started = time.perf_counter()
    docs = (tokenize(text) for text in iter_documents(args.corpus))
    vocab, corpus = encode_documents(docs, num_words=None, min_count=args.min_count)
    folder = Path(args.work)
    np.save(folder / "tokens.npy", corpus.tokens)
    np.save(folder / "offsets.npy", corpus.doc_offsets)
    with open(folder / "vocab.pkl", "wb") as handle:
        pickle.dump((vocab.words, vocab.counts, corpus.raw_word_count), handle)
    return {"raw_words": corpus.raw_word_count, "tokens": int(corpus.tokens.shape[0]), "vocabulary": len(vocab),
            "documents": corpus.n_documents, "seconds": time.perf_counter() - started}


def child_train(args) -> dict:
    import numpy as np

    from wordvec.encode import TokenCorpus
    from wordvec.model import Word2Vec
    from wordvec.vocab import Vocabulary

    folder = Path(args.work)
    started = time.perf_counter()
    tokens = np.load(folder / "tokens.npy")
    offsets = np.load(folder / "offsets.npy")
    with open(folder / "vocab.pkl", "rb") as handle:
        words, counts, raw = pickle.load(handle)
    k = args.factor
    tokens = np.tile(tokens, k)
    offsets = np.concatenate([offsets[:-1] + i * offsets[-1] for i in range(k)] + [[k * offsets[-1]]]).astype(np.int64)
    corpus = TokenCorpus(tokens, offsets, raw * k)
    vocab = Vocabulary(words, np.asarray(counts) * k)
    rss_before = _peak_rss_mib()
    model = Word2Vec(dim=args.dim, window=args.window, negative=args.negative, sample=args.sample,
                     min_count=args.min_count, epochs=args.epochs, num_words=None, model=args.model,
                     threads=args.threads, seed=1, progress=False)
    fit_started = time.perf_counter()
    model.fit_corpus(vocab, corpus)
    return {"factor": k, "raw_words": raw * k, "tokens": int(tokens.shape[0]),
            "train_seconds": model.train_seconds_, "words_per_second": model.words_per_second_,
            "fit_seconds": time.perf_counter() - fit_started, "wall_seconds": time.perf_counter() - started,
            "peak_rss_mib": _peak_rss_mib(), "rss_before_fit_mib": rss_before,
            "final_loss": model.epoch_losses_[-1]}


def _run_child(kind: str, flags: list[str]) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out_path = handle.name
    completed = subprocess.run([sys.executable, __file__, "--child", kind, "--child-out", out_path] + flags)
    if completed.returncode != 0:
        raise SystemExit(f"child {kind} failed with status {completed.returncode}")
    with open(out_path) as handle:
        result = json.load(handle)
    os.unlink(out_path)
    return result


def markdown(report: dict) -> str:
    s = report["settings"]
    lines = [f"wordvec on `{Path(report['corpus']).name}` concatenated with itself; {s['model']}, dim {s['dim']}, "
             f"window {s['window']}, {s['negative']} negatives, sample {s['sample']}, {s['epochs']} epochs, "
             f"{s['threads']} threads.", "",
             "| corpus | raw words | training s | training words/s | peak RSS MiB | RSS before fit MiB | "
             "time / 1x | memory growth / 1x |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    base = report["runs"][0]
    for r in report["runs"]:
        lines.append(f"| {r['factor']}x | {r['raw_words']:,} | {r['train_seconds']:.1f} | "
                     f"{r['words_per_second'] / 1e6:.3f}M | {r['peak_rss_mib']:.0f} | {r['rss_before_fit_mib']:.0f} | "
                     f"{r['train_seconds'] / base['train_seconds']:.2f} | "
                     f"{r['peak_rss_mib'] - base['peak_rss_mib']:+.0f} MiB |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--negative", type=int, default=5)
    parser.add_argument("--sample", type=float, default=1e-3)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--model", choices=("skipgram", "cbow"), default="skipgram")
    parser.add_argument("--out-dir", type=Path, default=HERE / "results")
    parser.add_argument("--child", choices=("encode", "train"), help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--factor", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        result = child_encode(args) if args.child == "encode" else child_train(args)
        with open(args.child_out, "w") as handle:
            json.dump(result, handle)
        return 0

    work = Path(tempfile.mkdtemp(prefix="wordvec-scaling-"))
    try:
        common = ["--work", str(work), "--corpus", str(args.corpus), "--min-count", str(args.min_count)]
        info = _run_child("encode", common)
        print(f"encoded {args.corpus.name}: {info['raw_words']:,} words, {info['tokens']:,} kept tokens, "
              f"{info['vocabulary']:,} words in the vocabulary ({info['seconds']:.1f} s)", flush=True)
        runs = []
        for factor in args.factors:
            flags = common + ["--factor", str(factor), "--threads", str(args.threads), "--epochs", str(args.epochs),
                              "--dim", str(args.dim), "--window", str(args.window), "--negative",
                              str(args.negative), "--sample", str(args.sample), "--model", args.model]
            result = _run_child("train", flags)
            runs.append(result)
            print(f"{factor}x: {result['raw_words']:,} words, train {result['train_seconds']:.1f} s "
                  f"({result['words_per_second'] / 1e6:.3f}M words/s), peak {result['peak_rss_mib']:.0f} MiB",
                  flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = {"corpus": str(args.corpus), "encoded": info, "runs": runs,
              "settings": {"model": args.model, "dim": args.dim, "window": args.window, "negative": args.negative,
                           "sample": args.sample, "min_count": args.min_count, "epochs": args.epochs,
                           "threads": args.threads}}
    args.out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"scaling_{args.model}_e{args.epochs}_t{args.threads}"
    (args.out_dir / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
    table = markdown(report)
    (args.out_dir / f"{stem}.md").write_text(table)
    print()
    print(table)
    print(f"written: {args.out_dir / (stem + '.json')}, {args.out_dir / (stem + '.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
