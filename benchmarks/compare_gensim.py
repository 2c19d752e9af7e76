"""Train gensim and wordvec on the same tokens, alternately, and compare speed, memory and quality.

    python benchmarks/compare_gensim.py                       # the benchmark corpus, 2 threads, 3 repeats
    python benchmarks/compare_gensim.py --threads 1 2 --repeats 5
    python benchmarks/compare_gensim.py --model cbow --memory-runs 0

The corpus is read and tokenized once with wordvec's own pipeline
(``wordvec.corpus.iter_documents`` + ``wordvec.text.tokenize``), and both
trainers get exactly those token lists. Every training run happens in a
subprocess of its own, so each peak resident memory (``ru_maxrss``) is one
trainer's alone; runs alternate between the trainers (and which goes first).

Two kinds of run:

* speed runs (``--repeats``): both trainers get the token lists in memory,
  gensim's fastest way to be fed from Python; words/s and quality come from these.
* memory runs (``--memory-runs``, at the largest thread count): both trainers
  stream the same token file, one document a line, through the same restartable
  iterable, as a job on a corpus of any size would. Peak memory is compared on
  these; in the speed runs both processes mostly hold the token lists.

Peak memory is read right after training, before scoring, so it is the
training job's alone.

Reported for each run: training words/s (raw corpus words x epochs / training
seconds: gensim's ``train`` call, wordvec's ``train_seconds_``), whole-run wall
time (vocabulary + training), peak resident memory, and WordSim-353 and
SimLex-999 Spearman and Google-analogy accuracy, all scored by one evaluator
(gensim's ``KeyedVectors.evaluate_word_pairs`` / ``evaluate_word_analogies``,
``restrict_vocab=30000``; wordvec's vectors enter without their ``UNK`` row).
wordvec's JIT compile time is measured once on its own, with an empty Numba
cache, in a separate process. Results go to ``--out-dir`` as JSON and a
Markdown table.

Not part of the test suite: it takes minutes and needs gensim.
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _common import (BENCH_CORPUS, HERE, SHARED_DATA, TokenLines, describe_settings, machine_description, median,
                     package_versions, peak_rss_mib, run_child, tokenized_documents, write_child_result, write_report,
                     write_token_lines)

DEFAULT_EVAL = SHARED_DATA / "eval"
EVAL_FILES = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt", "analogy": "questions-words.txt"}


# -- run in a child process -----------------------------------------------------
def _score(kv, eval_dir: Path, restrict: int) -> dict:
    """WordSim-353 / SimLex-999 Spearman and Google-analogy accuracy, by gensim's evaluator."""
    import logging

    logging.disable(logging.WARNING)
    out = {}
    for name in ("wordsim353", "simlex999"):
        _, spearman, oov = kv.evaluate_word_pairs(str(eval_dir / EVAL_FILES[name]), restrict_vocab=restrict)
        out[name] = float(spearman[0])
        out[name + "_oov_pct"] = float(oov)
    accuracy, sections = kv.evaluate_word_analogies(str(eval_dir / EVAL_FILES["analogy"]), restrict_vocab=restrict)
    out["analogy"] = float(accuracy)
    out["analogy_questions"] = len(sections[-1]["correct"]) + len(sections[-1]["incorrect"])
    return out


def _wordvec_keyed_vectors(model):
    import numpy as np
    from gensim.models import KeyedVectors

    vectors = model.vectors_
    matrix = np.asarray(vectors.matrix)[1:]  # row 0 is the UNK placeholder
    kv = KeyedVectors(vector_size=matrix.shape[1])
    kv.add_vectors(list(vectors.words[1:]), matrix)
    return kv


def child_train(args) -> dict:
    started = time.perf_counter()
    if args.stream:
        docs = TokenLines(args.tokens)
        raw_words, n_docs = args.raw_words, args.documents
    else:
        with open(args.tokens, "rb") as handle:
            docs = pickle.load(handle)
        raw_words, n_docs = sum(len(d) for d in docs), len(docs)
    rss_loaded = peak_rss_mib()
    settings = dict(dim=args.dim, window=args.window, negative=args.negative, sample=args.sample,
                    min_count=args.min_count, epochs=args.epochs)
    result = {"trainer": args.trainer, "threads": args.threads, "seed": args.seed, "raw_words": raw_words,
              "settings": settings, "model": args.model, "input": "stream" if args.stream else "memory"}
    run_started = time.perf_counter()
    if args.trainer == "gensim":
        from gensim.models import Word2Vec as GensimWord2Vec

        model = GensimWord2Vec(vector_size=args.dim, window=args.window, negative=args.negative, sample=args.sample,
                               min_count=args.min_count, sg=int(args.model == "skipgram"), workers=args.threads,
                               epochs=args.epochs, seed=args.seed)
        model.build_vocab(docs)
        train_started = time.perf_counter()
        model.train(docs, total_examples=n_docs, epochs=args.epochs)
        train_seconds = time.perf_counter() - train_started
        peak_after_training = peak_rss_mib()
        kv = model.wv
        vocab_size = len(kv)
    else:
        from wordvec.model import Word2Vec

        model = Word2Vec(dim=args.dim, window=args.window, negative=args.negative, sample=args.sample,
                         min_count=args.min_count, epochs=args.epochs, num_words=None, model=args.model,
                         threads=args.threads, seed=args.seed, progress=False).fit(docs)
        train_seconds = model.train_seconds_
        peak_after_training = peak_rss_mib()
        kv = _wordvec_keyed_vectors(model)
        vocab_size = len(kv)
        result["epoch_losses"] = model.epoch_losses_
    result["wall_seconds"] = time.perf_counter() - run_started
    result["train_seconds"] = train_seconds
    result["words_per_second"] = raw_words * args.epochs / train_seconds
    result["vocab_size"] = vocab_size
    result["peak_rss_mib"] = peak_after_training
    result["rss_after_loading_tokens_mib"] = rss_loaded
    result.update(_score(kv, Path(args.eval_dir), args.restrict_vocab))
    result["peak_rss_with_scoring_mib"] = peak_rss_mib()
    result["process_seconds"] = time.perf_counter() - started
    return result


def child_tokenize(args) -> dict:
    """Read and tokenize the corpus once with wordvec's pipeline; pickle the token lists
    and write them as a text file too, one document a line."""
    started = time.perf_counter()
    docs = list(tokenized_documents(args.corpus))
    with open(args.tokens, "wb") as handle:
        pickle.dump(docs, handle, protocol=pickle.HIGHEST_PROTOCOL)
    words, documents = write_token_lines(docs, args.tokens_text)
    return {"raw_words": words, "documents": documents, "seconds": time.perf_counter() - started}


def child_compile(args) -> dict:
    """Time wordvec's first training call in a fresh process (NUMBA_CACHE_DIR set by the parent).

    Run once with an empty cache (the call compiles the kernels) and once more with
    the cache that run left (the call only loads them); the difference is the compile time.
    """
    from wordvec.encode import encode_documents
    from wordvec.model import Word2Vec

    docs = [["alpha", "beta", "gamma", "delta", "alpha", "beta"]] * 50
    vocab, corpus = encode_documents(docs, num_words=None, min_count=1)
    started = time.perf_counter()
    Word2Vec(dim=args.dim, epochs=1, min_count=1, num_words=None, model=args.model, threads=args.threads,
             progress=False).fit_corpus(vocab, corpus)
    return {"first_call_seconds": time.perf_counter() - started}


# -- parent ---------------------------------------------------------------------
def _common_flags(args) -> list[str]:
    return ["--dim", str(args.dim), "--window", str(args.window), "--negative", str(args.negative),
            "--sample", str(args.sample), "--min-count", str(args.min_count), "--epochs", str(args.epochs),
            "--model", args.model, "--eval-dir", str(args.eval_dir), "--restrict-vocab", str(args.restrict_vocab)]


def summarize(runs: list[dict], threads_list: list[int], kind: str = "memory") -> list[dict]:
    """Medians per trainer and thread count over the runs of one input kind ("memory" or "stream")."""
    rows = []
    for threads in threads_list:
        for trainer in ("gensim", "wordvec"):
            mine = [r for r in runs if r["trainer"] == trainer and r["threads"] == threads and r["input"] == kind]
            if not mine:
                continue
            row = {"trainer": trainer, "threads": threads, "runs": len(mine), "input": kind}
            for key in ("words_per_second", "train_seconds", "wall_seconds", "peak_rss_mib", "wordsim353",
                        "simlex999", "analogy"):
                row[key] = median(r[key] for r in mine)
            row["words_per_second_min"] = min(r["words_per_second"] for r in mine)
            row["words_per_second_max"] = max(r["words_per_second"] for r in mine)
            rows.append(row)
    return rows


def _pairs(rows: list[dict]):
    """``(threads, gensim_row, wordvec_row)`` for each thread count both trainers ran with."""
    for threads in sorted({r["threads"] for r in rows}):
        pair = {r["trainer"]: r for r in rows if r["threads"] == threads}
        if set(pair) == {"gensim", "wordvec"}:
            yield threads, pair["gensim"], pair["wordvec"]


def ratios(rows: list[dict]) -> list[dict]:
    return [{"threads": threads, "speed_ratio": w["words_per_second"] / g["words_per_second"],
             "wordsim353_diff": w["wordsim353"] - g["wordsim353"],
             "simlex999_diff": w["simlex999"] - g["simlex999"],
             "analogy_diff_points": 100 * (w["analogy"] - g["analogy"]),
             "wall_ratio": g["wall_seconds"] / w["wall_seconds"],
             "memory_ratio_in_memory_input": w["peak_rss_mib"] / g["peak_rss_mib"]}
            for threads, g, w in _pairs(rows)]


def memory_ratios(memory_rows: list[dict]) -> list[dict]:
    return [{"threads": threads, "memory_ratio": w["peak_rss_mib"] / g["peak_rss_mib"],
             "speed_ratio": w["words_per_second"] / g["words_per_second"]}
            for threads, g, w in _pairs(memory_rows)]


def markdown(report: dict) -> str:
    s = report["settings"]
    lines = [f"Corpus `{Path(report['corpus']).name}`: {report['raw_words']:,} words, {report['documents']:,} "
             f"documents; {describe_settings(s)}; {report['repeats']} runs each "
             f"(medians; words/s range in brackets). Quality by gensim's evaluator, restrict_vocab="
             f"{s['restrict_vocab']}.", "",
             "Speed runs (token lists in memory):", "",
             "| trainer | threads | training words/s | train s | whole run s | peak RSS MiB | WordSim-353 | "
             "SimLex-999 | analogy % |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in report["summary"]:
        lines.append(f"| {r['trainer']} | {r['threads']} | {r['words_per_second'] / 1e6:.3f}M "
                     f"[{r['words_per_second_min'] / 1e6:.2f}-{r['words_per_second_max'] / 1e6:.2f}] | "
                     f"{r['train_seconds']:.1f} | {r['wall_seconds']:.1f} | {r['peak_rss_mib']:.0f} | "
                     f"{r['wordsim353']:.4f} | {r['simlex999']:.4f} | {100 * r['analogy']:.2f} |")
    lines += ["", "| threads | wordvec / gensim words/s | WordSim-353 diff | SimLex-999 diff | analogy diff (points) "
              "| whole-run speed-up |", "|---:|---:|---:|---:|---:|---:|"]
    for r in report["ratios"]:
        lines.append(f"| {r['threads']} | {r['speed_ratio']:.2f}x | {r['wordsim353_diff']:+.4f} | "
                     f"{r['simlex999_diff']:+.4f} | {r['analogy_diff_points']:+.2f} | {r['wall_ratio']:.2f}x |")
    if report.get("memory_summary"):
        lines += ["", "Memory runs (both stream the token file, one document a line; peak RSS of the whole "
                      "training job: reading, vocabulary, training):", "",
                  "| trainer | threads | runs | peak RSS MiB | training words/s | whole run s |",
                  "|---|---:|---:|---:|---:|---:|"]
        for r in report["memory_summary"]:
            lines.append(f"| {r['trainer']} | {r['threads']} | {r['runs']} | {r['peak_rss_mib']:.0f} | "
                         f"{r['words_per_second'] / 1e6:.3f}M | {r['wall_seconds']:.1f} |")
        for r in report["memory_ratios"]:
            lines += ["", f"Peak memory, wordvec / gensim, streaming with {r['threads']} threads: "
                          f"**{r['memory_ratio']:.2f}x** (words/s {r['speed_ratio']:.2f}x)."]
    if report.get("compile"):
        c = report["compile"]
        lines += ["", f"wordvec JIT compile (empty Numba cache, paid once): {c['compile_seconds']:.1f} s; loading "
                      f"the cached kernels in a new process: {c['first_call_warm_cache_seconds']:.2f} s (the first "
                      f"call on a tiny corpus, {c['first_call_cold_cache_seconds']:.1f} s with the cache empty). "
                      f"Neither is in the training time."]
    lines += ["", f"Machine: {report['machine']}; gensim {report['versions']['gensim']}, numba "
                  f"{report['versions']['numba']}, numpy {report['versions']['numpy']}."]
    return "\n".join(lines) + "\n"


def _print_run(label: str, result: dict) -> None:
    print(f"{label} {result['trainer']:7s} threads={result['threads']} input={result['input']}: "
          f"{result['words_per_second'] / 1e6:.3f}M words/s, train {result['train_seconds']:.1f} s, "
          f"whole run {result['wall_seconds']:.1f} s, peak {result['peak_rss_mib']:.0f} MiB, "
          f"WS353 {result['wordsim353']:.4f}, SimLex {result['simlex999']:.4f}, "
          f"analogy {100 * result['analogy']:.2f}%", flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=BENCH_CORPUS)
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--threads", type=int, nargs="+", default=[2], help="one or more thread counts")
    parser.add_argument("--repeats", type=int, default=3, help="speed runs per trainer and thread count")
    parser.add_argument("--memory-runs", type=int, default=1,
                        help="streaming runs per trainer at the largest thread count (0: none)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--negative", type=int, default=5)
    parser.add_argument("--sample", type=float, default=1e-3)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--model", choices=("skipgram", "cbow"), default="skipgram")
    parser.add_argument("--restrict-vocab", type=int, default=30000)
    parser.add_argument("--seed", type=int, default=1, help="first seed; run i uses seed + i")
    parser.add_argument("--no-compile", action="store_true", help="skip the cold-cache compile measurement")
    parser.add_argument("--out-dir", type=Path, default=HERE / "results")
    parser.add_argument("--name", default=None, help="file name stem of the results (default from the settings)")
    # internal: child processes
    parser.add_argument("--child", choices=("train", "compile", "tokenize"), help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    parser.add_argument("--trainer", choices=("gensim", "wordvec"), help=argparse.SUPPRESS)
    parser.add_argument("--tokens", help=argparse.SUPPRESS)
    parser.add_argument("--tokens-text", help=argparse.SUPPRESS)
    parser.add_argument("--stream", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--raw-words", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--documents", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        args.threads = args.threads[0]
        result = {"train": child_train, "compile": child_compile, "tokenize": child_tokenize}[args.child](args)
        write_child_result(args.child_out, result)
        return 0

    workdir = Path(tempfile.mkdtemp(prefix="wordvec-bench-"))
    tokens_path = workdir / "tokens.pkl"
    text_path = workdir / "tokens.txt"
    # Tokenizing happens in a child too: on Linux a child inherits its parent's peak
    # resident size through exec, so the parent must stay small for the peaks to be the
    # trainers' own.
    info = run_child(__file__, "tokenize", ["--corpus", str(args.corpus), "--tokens", str(tokens_path),
                                         "--tokens-text", str(text_path)])
    raw_words, n_documents = info["raw_words"], info["documents"]
    print(f"tokenized {args.corpus.name}: {raw_words:,} words in {n_documents:,} documents "
          f"({info['seconds']:.1f} s)", flush=True)

    compile_info = None
    if not args.no_compile:
        env = dict(os.environ, NUMBA_CACHE_DIR=str(workdir / "numba-cache"))
        flags = _common_flags(args) + ["--threads", str(max(args.threads))]
        cold = run_child(__file__, "compile", flags, env=env)["first_call_seconds"]
        warm = run_child(__file__, "compile", flags, env=env)["first_call_seconds"]
        compile_info = {"compile_seconds": cold - warm, "first_call_cold_cache_seconds": cold,
                        "first_call_warm_cache_seconds": warm}
        print(f"wordvec JIT compile with an empty cache: {cold - warm:.1f} s (first call {cold:.1f} s; "
              f"with the cache filled {warm:.2f} s)", flush=True)

    runs = []
    for repeat in range(args.repeats):
        for threads in args.threads:
            order = ("gensim", "wordvec") if repeat % 2 == 0 else ("wordvec", "gensim")
            for trainer in order:
                flags = _common_flags(args) + ["--trainer", trainer, "--threads", str(threads), "--tokens",
                                               str(tokens_path), "--seed", str(args.seed + repeat)]
                result = run_child(__file__, "train", flags)
                result["repeat"] = repeat
                runs.append(result)
                _print_run(f"[{repeat + 1}/{args.repeats}]", result)
    threads = max(args.threads)
    for repeat in range(args.memory_runs):
        for trainer in (("gensim", "wordvec") if repeat % 2 == 0 else ("wordvec", "gensim")):
            flags = _common_flags(args) + ["--trainer", trainer, "--threads", str(threads), "--tokens", str(text_path),
                                           "--stream", "--raw-words", str(raw_words), "--documents",
                                           str(n_documents), "--seed", str(args.seed + repeat)]
            result = run_child(__file__, "train", flags)
            result["repeat"] = repeat
            runs.append(result)
            _print_run(f"[memory {repeat + 1}/{args.memory_runs}]", result)
    tokens_path.unlink()
    shutil.rmtree(workdir, ignore_errors=True)

    summary = summarize(runs, args.threads)
    memory_summary = summarize(runs, [threads], kind="stream")
    report = {
        "corpus": str(args.corpus), "raw_words": raw_words, "documents": n_documents,
        "settings": {"model": args.model, "dim": args.dim, "window": args.window, "negative": args.negative,
                     "sample": args.sample, "min_count": args.min_count, "epochs": args.epochs,
                     "restrict_vocab": args.restrict_vocab},
        "repeats": args.repeats, "memory_runs": args.memory_runs, "threads": args.threads, "runs": runs,
        "summary": summary,
        "ratios": ratios(summary), "memory_summary": memory_summary,
        "memory_ratios": memory_ratios(memory_summary), "compile": compile_info,
        "machine": machine_description(),
        "versions": package_versions(("gensim", "numba", "numpy")),
    }
    stem = args.name or (f"compare_gensim_{args.model}_e{args.epochs}_t" + "-".join(map(str, args.threads)))
    write_report(args.out_dir, stem, report, markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
