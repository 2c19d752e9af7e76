"""How wordvec's training time and peak memory grow with the corpus: 1x, 2x, 4x the benchmark corpus.

    python benchmarks/scaling.py                     # skip-gram, 5 epochs, 2 threads
    python benchmarks/scaling.py --factors 1 2 4 8 --epochs 1 --repeats 1

The corpus is read and tokenized once (``wordvec.readers.iter_documents`` +
``wordvec.text.tokenize``) into a text file, one document a line. Each size
``k`` is then a whole training job as a user runs it: ``Word2Vec.fit`` streams
that file ``k`` times over (word counts multiply by ``k``, so the vocabulary,
subsampling and the noise distribution stay the same), encodes it in one pass
and trains. Each size runs in a subprocess of its own, so each peak resident
memory (``ru_maxrss``) is that job's alone. Time and memory should grow
linearly: words/s stays flat, and memory is a fixed part (interpreter, libraries,
vocabulary, weights) plus at most the 4 bytes per word of the token-id array.

Results go to ``--out-dir`` as JSON and a Markdown table.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import (BENCH_CORPUS, HERE, TokenLines, describe_settings, peak_rss_mib, run_child, tokenized_documents,
                     write_child_result, write_report, write_token_lines)


def child_prepare(args) -> dict:
    started = time.perf_counter()
    words, documents = write_token_lines(tokenized_documents(args.corpus), Path(args.work) / "tokens.txt")
    return {"raw_words": words, "documents": documents, "seconds": time.perf_counter() - started}


def child_train(args) -> dict:
    from wordvec.model import Word2Vec

    started = time.perf_counter()
    rss_before = peak_rss_mib()
    model = Word2Vec(dim=args.dim, window=args.window, negative=args.negative, sample=args.sample,
                     min_count=args.min_count, epochs=args.epochs, num_words=None, model=args.model,
                     threads=args.threads, seed=1, progress=False)
    model.fit(TokenLines(Path(args.work) / "tokens.txt", args.factor))
    wall = time.perf_counter() - started
    return {"factor": args.factor, "raw_words": model.raw_word_count_, "vocabulary": len(model.vocabulary_),
            "train_seconds": model.train_seconds_, "words_per_second": model.words_per_second_,
            "read_seconds": wall - model.train_seconds_, "wall_seconds": wall,
            "peak_rss_mib": peak_rss_mib(), "rss_before_fit_mib": rss_before,
            "final_loss": model.epoch_losses_[-1]}


def summarize(runs: list[dict]) -> list[dict]:
    """Per size, the median of each measure over the repeats."""
    rows = []
    for factor in sorted({r["factor"] for r in runs}):
        mine = [r for r in runs if r["factor"] == factor]
        row = {key: statistics.median(r[key] for r in mine) for key in
               ("read_seconds", "train_seconds", "words_per_second", "peak_rss_mib")}
        rows.append({"factor": factor, "runs": len(mine), "raw_words": mine[0]["raw_words"], **row})
    return rows


def markdown(report: dict) -> str:
    s = report["settings"]
    lines = [f"wordvec `Word2Vec.fit` streaming `{Path(report['corpus']).name}` (tokenized, one document a line) "
             f"k times over; {describe_settings(s)}, {s['threads']} threads; medians of "
             f"{report['repeats']} runs each (sizes interleaved).", "",
             "| corpus | raw words | reading s | training s | training words/s | training time / 1x | "
             "peak RSS MiB | growth over 1x | growth per added word |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    base = report["summary"][0]
    for r in report["summary"]:
        added = r["raw_words"] - base["raw_words"]
        growth = r["peak_rss_mib"] - base["peak_rss_mib"]
        per_word = f"{growth * 2**20 / added:.2f} bytes" if added else "-"
        lines.append(f"| {r['factor']}x | {r['raw_words']:,} | {r['read_seconds']:.1f} | {r['train_seconds']:.1f} | "
                     f"{r['words_per_second'] / 1e6:.3f}M | {r['train_seconds'] / base['train_seconds']:.2f} | "
                     f"{r['peak_rss_mib']:.0f} | {growth:+.0f} MiB | {per_word} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=BENCH_CORPUS)
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3, help="runs per size (medians are reported)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--negative", type=int, default=5)
    parser.add_argument("--sample", type=float, default=1e-3)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--model", choices=("skipgram", "cbow"), default="skipgram")
    parser.add_argument("--out-dir", type=Path, default=HERE / "results")
    parser.add_argument("--child", choices=("prepare", "train"), help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    parser.add_argument("--factor", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        result = child_prepare(args) if args.child == "prepare" else child_train(args)
        write_child_result(args.child_out, result)
        return 0

    work = Path(tempfile.mkdtemp(prefix="wordvec-scaling-"))
    try:
        common = ["--work", str(work), "--corpus", str(args.corpus), "--min-count", str(args.min_count)]
        info = run_child(__file__, "prepare", common)
        print(f"tokenized {args.corpus.name}: {info['raw_words']:,} words in {info['documents']:,} documents "
              f"({info['seconds']:.1f} s)", flush=True)
        runs = []
        for repeat, factor in itertools.product(range(args.repeats), args.factors):
            flags = common + ["--factor", str(factor), "--threads", str(args.threads), "--epochs", str(args.epochs),
                              "--dim", str(args.dim), "--window", str(args.window), "--negative",
                              str(args.negative), "--sample", str(args.sample), "--model", args.model]
            result = run_child(__file__, "train", flags)
            result["repeat"] = repeat
            runs.append(result)
            print(f"[{repeat + 1}/{args.repeats}] {factor}x: {result['raw_words']:,} words, "
                  f"read {result['read_seconds']:.1f} s, "
                  f"train {result['train_seconds']:.1f} s "
                  f"({result['words_per_second'] / 1e6:.3f}M words/s), peak {result['peak_rss_mib']:.0f} MiB",
                  flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = {"corpus": str(args.corpus), "tokenized": info, "runs": runs, "summary": summarize(runs),
              "repeats": args.repeats,
              "settings": {"model": args.model, "dim": args.dim, "window": args.window, "negative": args.negative,
                           "sample": args.sample, "min_count": args.min_count, "epochs": args.epochs,
                           "threads": args.threads}}
    stem = f"scaling_{args.model}_e{args.epochs}_t{args.threads}"
    write_report(args.out_dir, stem, report, markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
