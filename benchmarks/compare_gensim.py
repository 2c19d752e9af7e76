"""Train gensim and wordvec on the same tokens, alternately, and compare speed, memory and quality.

    python benchmarks/compare_gensim.py                       # the benchmark corpus, 2 threads, 3 repeats
    python benchmarks/compare_gensim.py --threads 1 2 --repeats 5
    python benchmarks/compare_gensim.py --model cbow --memory-runs 0
    python benchmarks/compare_gensim.py --repeats 0 --memory-runs 0 --whole-command-runs 5   # whole commands only
    python benchmarks/compare_gensim.py --max-words 200000 --epochs 1 --repeats 1 --whole-command-runs 1 \
        --memory-runs 0 --threads 1 --out-dir /tmp/cg   # a quick try (seconds)

The corpus (``--corpus``; ``--max-words`` cuts it after the document that
reaches that many words) is read and tokenized once with wordvec's own
pipeline (``wordvec.readers.iter_documents`` + ``wordvec.text.tokenize``:
lowercased, punctuation stripped), and every trainer gets exactly those
tokens. Every training run happens in a process of its own, so each peak
resident memory is one trainer's alone; runs alternate between the trainers
(and which goes first).

Three kinds of run:

* speed runs (``--repeats``, each thread count of ``--threads``): both trainers
  get the token lists in memory, gensim's fastest way to be fed from Python;
  training words/s and quality come from these.
* memory runs (``--memory-runs``, at the largest thread count): both trainers
  stream the same token file, one document a line, through the same restartable
  iterable, as a job on a corpus of any size would. Peak memory is compared on
  these; in the speed runs both processes mostly hold the token lists.
* whole-command runs (``--whole-command-runs``, each thread count; 0 skips
  them): the token file on disk, one document a line, trained the way a user
  runs each tool, start to exit:
  ``python -m wordvec train TOKENS --format text --out DIR --quiet`` with the
  same settings (reading, vocabulary, training, saving the model directory),
  against a Python process that builds ``gensim.models.Word2Vec`` from
  ``LineSentence(TOKENS)`` (``build_vocab``, then ``train``; ``--gensim-input
  corpus_file`` gives it ``corpus_file=TOKENS`` instead, gensim's fastest input)
  and saves its vectors (``wv.save_word2vec_format``, binary). The vocabulary
  is the ``--whole-command-num-words`` most frequent words (default 20,000,
  ``wordvec train``'s default; gensim's ``max_final_vocab``; 0: no cap, min_count
  only). Each is measured by ``_common.run_measured``: wall seconds from start to
  exit and the peak resident memory of the whole process tree. wordvec runs once
  untimed first, on the first lines of the file, so that the file and the kernel
  library sit in the page cache as after any earlier run. The saved vectors are scored
  after all the timed runs.

Peak memory of the speed and memory runs is read right after training, before
scoring, so it is the training job's alone.

Reported for each speed or memory run: training words/s (raw corpus words x
epochs / training seconds: gensim's ``train`` call, wordvec's
``train_seconds_``), whole-run wall time (vocabulary + training), peak resident
memory; for each whole-command run: its seconds, the peak RSS of its process
tree and training words/s (wordvec's from its ``model.json``, gensim's ``train``
call timed inside). Quality, for the speed and whole-command runs: WordSim-353
and SimLex-999 Spearman and Google-analogy accuracy, all scored by one
evaluator (gensim's ``KeyedVectors.evaluate_word_pairs`` /
``evaluate_word_analogies``, ``restrict_vocab=30000``; wordvec's vectors enter
without their ``UNK`` row). Each trainer's analogy accuracy is over the
questions its own vocabulary covers; as the two keep different words (with a
cap, wordvec keeps N words and gensim's ``max_final_vocab`` fewer), the
*shared* figure scores both on the same questions: those whose four words lie
within ``restrict_vocab`` of every run of both trainers of that kind.
Vocabulary of the speed and memory runs: ``--num-words`` (default 0: no cap,
min_count only). Results go to ``--out-dir`` as JSON and a Markdown table.

Not part of the test suite: it takes minutes and needs gensim.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import (BENCH_CORPUS, HERE, SHARED_DATA, TokenLines, describe_settings, first_words,
                     machine_description, median, package_versions, peak_rss_mib, run_child, run_child_measured,
                     run_measured, tokenized_documents, warm_up_wordvec, write_child_result, write_report,
                     write_token_lines)

from wordvec.kernels import backend as kernels_backend

DEFAULT_EVAL = SHARED_DATA / "eval"
EVAL_FILES = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.txt", "analogy": "questions-words.txt"}
TRAINERS = ("gensim", "wordvec")
WARM_UP_LINES = 2000


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
    questions = eval_dir / EVAL_FILES["analogy"]
    accuracy, sections = kv.evaluate_word_analogies(str(questions), restrict_vocab=restrict)
    out["analogy"] = float(accuracy)
    out["analogy_questions"] = len(sections[-1]["correct"]) + len(sections[-1]["incorrect"])
    out["analogy_outcomes"] = _analogy_outcomes(questions, sections[-1])
    return out


def _analogy_outcomes(questions: Path, total: dict) -> str:
    """One character per question of the analogy file, in its order: ``1`` answered right, ``0``
    wrong, ``-`` not scored (a word outside ``restrict_vocab``); from gensim's "Total accuracy"
    section, whose questions are upper-cased word tuples."""
    right = set(total["correct"])
    wrong = set(total["incorrect"])
    marks = []
    for line in questions.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if line.startswith(": ") or len(words) != 4:
            continue
        question = tuple(word.upper() for word in words)
        marks.append("1" if question in right else "0" if question in wrong else "-")
    return "".join(marks)


def _without_unknown(vectors):
    """gensim ``KeyedVectors`` of wordvec ``Vectors``, without the ``UNK`` placeholder row."""
    import numpy as np
    from gensim.models import KeyedVectors

    keep = [i for i, word in enumerate(vectors.words) if word != vectors.unknown]
    matrix = np.asarray(vectors.matrix)[keep]
    kv = KeyedVectors(vector_size=matrix.shape[1])
    kv.add_vectors([vectors.words[i] for i in keep], matrix)
    return kv


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
                    min_count=args.min_count, epochs=args.epochs, num_words=args.num_words or None)
    result = {"trainer": args.trainer, "threads": args.threads, "seed": args.seed, "raw_words": raw_words,
              "settings": settings, "model": args.model, "input": "stream" if args.stream else "memory"}
    run_started = time.perf_counter()
    if args.trainer == "gensim":
        from gensim.models import Word2Vec as GensimWord2Vec

        model = GensimWord2Vec(vector_size=args.dim, window=args.window, negative=args.negative, sample=args.sample,
                               min_count=args.min_count, sg=int(args.model == "skipgram"), workers=args.threads,
                               epochs=args.epochs, seed=args.seed, max_final_vocab=args.num_words or None)
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
                         min_count=args.min_count, epochs=args.epochs, num_words=args.num_words or None,
                         model=args.model,
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
    """Read and tokenize the corpus once with wordvec's pipeline (cut after ``--max-words``);
    pickle the token lists and write them as a text file too, one document a line."""
    started = time.perf_counter()
    docs = list(first_words(tokenized_documents(args.corpus), args.max_words))
    with open(args.tokens, "wb") as handle:
        pickle.dump(docs, handle, protocol=pickle.HIGHEST_PROTOCOL)
    words, documents = write_token_lines(docs, args.tokens_text)
    return {"raw_words": words, "documents": documents, "seconds": time.perf_counter() - started}


def child_gensim_command(args) -> dict:
    """gensim's whole command: ``Word2Vec`` built and trained from the token file (``LineSentence``,
    or ``corpus_file`` with ``--gensim-input corpus_file``), its vectors saved in word2vec's binary
    format to ``--vectors-out``. Returns the seconds of each step, timed inside."""
    from gensim.models import Word2Vec as GensimWord2Vec
    from gensim.models.word2vec import LineSentence

    started = time.perf_counter()
    model = GensimWord2Vec(vector_size=args.dim, window=args.window, negative=args.negative, sample=args.sample,
                           min_count=args.min_count, sg=int(args.model == "skipgram"), workers=args.threads,
                           epochs=args.epochs, seed=args.seed, max_final_vocab=args.num_words or None)
    if args.gensim_input == "corpus_file":
        model.build_vocab(corpus_file=args.tokens)
        vocab_done = time.perf_counter()
        model.train(corpus_file=args.tokens, total_words=model.corpus_total_words, epochs=args.epochs)
    else:
        sentences = LineSentence(args.tokens)
        model.build_vocab(sentences)
        vocab_done = time.perf_counter()
        model.train(sentences, total_examples=model.corpus_count, epochs=args.epochs)
    train_done = time.perf_counter()
    model.wv.save_word2vec_format(args.vectors_out, binary=True)
    saved = time.perf_counter()
    return {"vocab_seconds": vocab_done - started, "train_seconds": train_done - vocab_done,
            "save_seconds": saved - train_done, "vocab_size": len(model.wv),
            "corpus_total_words": int(model.corpus_total_words)}


def child_score(args) -> dict:
    """Score the vectors each whole-command run saved (``--score-list``: a JSON list of
    ``[trainer, path]``) with the evaluator of the other runs."""
    from gensim.models import KeyedVectors
    from wordvec import load_vectors

    scores = []
    for trainer, path in json.loads(Path(args.score_list).read_text()):
        if trainer == "gensim":
            kv = KeyedVectors.load_word2vec_format(path, binary=True)
        else:
            kv = _without_unknown(load_vectors(path))
        scores.append(dict(_score(kv, Path(args.eval_dir), args.restrict_vocab), vocab_size=len(kv)))
    return {"scores": scores}


# -- parent ---------------------------------------------------------------------
def _common_flags(args, num_words: int | None = None) -> list[str]:
    """The settings, as flags of this script's children (``num_words``: default ``--num-words``)."""
    return ["--dim", str(args.dim), "--window", str(args.window), "--negative", str(args.negative),
            "--sample", str(args.sample), "--min-count", str(args.min_count), "--epochs", str(args.epochs),
            "--model", args.model, "--eval-dir", str(args.eval_dir), "--restrict-vocab", str(args.restrict_vocab),
            "--num-words", str(args.num_words if num_words is None else num_words)]


def wordvec_command(args, tokens: Path, out: Path, threads: int | str, seed: int | str) -> list[str]:
    """``wordvec train`` as a user runs it, with the settings of the gensim command."""
    return [sys.executable, "-m", "wordvec", "train", str(tokens), "--format", "text", "--out", str(out), "--quiet",
            "--model", args.model, "--dim", str(args.dim), "--window", str(args.window), "--negative",
            str(args.negative), "--epochs", str(args.epochs), "--min-count", str(args.min_count), "--num-words",
            str(args.whole_command_num_words), "--sample", str(args.sample), "--threads", str(threads), "--seed",
            str(seed)]


def warm_up(args, workdir: Path, tokens: Path) -> float:
    """Run ``wordvec train`` once on the first lines of the token file (:func:`_common.warm_up_wordvec`)."""

    def command_for(sample: Path, out: Path) -> list[str]:
        command = wordvec_command(args, sample, out, max(args.threads), args.seed)
        command[command.index("--min-count") + 1] = "1"
        command[command.index("--epochs") + 1] = "1"
        return command

    return warm_up_wordvec(tokens, workdir, command_for, WARM_UP_LINES)


def whole_command_run(args, trainer: str, tokens: Path, run_dir: Path, threads: int, seed: int,
                      raw_words: int) -> dict:
    """One whole command, measured start to exit (peak RSS of its process tree); its vectors
    are left in ``run_dir`` for scoring later."""
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    result = {"trainer": trainer, "threads": threads, "seed": seed, "input": "whole", "raw_words": raw_words}
    if trainer == "wordvec":
        out = run_dir / "model"
        measured = run_measured(wordvec_command(args, tokens, out, threads, seed), stdout=subprocess.DEVNULL)
        meta = json.loads((out / "model.json").read_text(encoding="utf-8"))
        info = meta.get("info", {})
        result.update(vectors=str(out), train_seconds=info.get("train_seconds"),
                      read_seconds=info.get("read_seconds"),
                      wordvec_raw_words=info.get("raw_words"))
    else:
        vectors = run_dir / "vectors.bin"
        flags = _common_flags(args, args.whole_command_num_words) + [
            "--threads", str(threads), "--tokens", str(tokens), "--seed", str(seed), "--gensim-input",
            args.gensim_input, "--vectors-out", str(vectors)]
        child = run_child_measured(__file__, "gensim-command", flags)
        measured = {"seconds": child.pop("process_seconds"), "peak_rss_mib": child.pop("process_peak_rss_mib")}
        result.update(child, vectors=str(vectors))
    result.update(whole_seconds=measured["seconds"], peak_rss_mib=measured["peak_rss_mib"])
    result["words_per_second"] = (raw_words * args.epochs / result["train_seconds"] if result.get("train_seconds")
                                  else None)
    return result


def whole_command_runs(args, workdir: Path, tokens: Path, raw_words: int) -> tuple[float | None, list[dict]]:
    """The untimed warm-up, ``--whole-command-runs`` timed runs of each trainer at each thread count
    (alternating, the first turning), then every run's saved vectors scored in one child."""
    if args.whole_command_runs <= 0:
        return None, []
    warm = warm_up(args, workdir, tokens)
    print(f"wordvec warm-up command (untimed): {warm:.1f} s", flush=True)
    runs = []
    for repeat in range(args.whole_command_runs):
        for threads in args.threads:
            for trainer in (TRAINERS if repeat % 2 == 0 else TRAINERS[::-1]):
                run_dir = workdir / "whole" / f"{trainer}-t{threads}-r{repeat}"
                result = whole_command_run(args, trainer, tokens, run_dir, threads, args.seed + repeat, raw_words)
                result["repeat"] = repeat
                runs.append(result)
                print(f"[whole {repeat + 1}/{args.whole_command_runs}] {trainer:7s} threads={threads}: "
                      f"{result['whole_seconds']:.1f} s, peak {result['peak_rss_mib']:.0f} MiB (process tree), "
                      f"training {_mwords(result['words_per_second'])} words/s", flush=True)
    score_list = workdir / "whole" / "score.json"
    score_list.write_text(json.dumps([[r["trainer"], r["vectors"]] for r in runs]))
    scores = run_child(__file__, "score", ["--score-list", str(score_list), "--eval-dir", str(args.eval_dir),
                                           "--restrict-vocab", str(args.restrict_vocab)])["scores"]
    for result, score in zip(runs, scores):
        result.update(score)
    shutil.rmtree(workdir / "whole", ignore_errors=True)
    return warm, runs


def add_shared_analogies(runs: list[dict]) -> dict:
    """For each kind of run (``input``) that both trainers ran: the analogy questions that every run of
    both scored (all four words within ``restrict_vocab`` of each), and each run's accuracy on
    those alone (``analogy_shared``). The per-question marks are dropped from the runs after.
    Returns ``{input: number of shared questions}``."""
    shared_counts = {}
    for kind in dict.fromkeys(r["input"] for r in runs):
        mine = [r for r in runs if r["input"] == kind and "analogy_outcomes" in r]
        if {r["trainer"] for r in mine} != set(TRAINERS):
            continue
        shared = set.intersection(*({i for i, mark in enumerate(r["analogy_outcomes"]) if mark != "-"}
                                    for r in mine))
        shared_counts[kind] = len(shared)
        for r in mine:
            right = sum(r["analogy_outcomes"][i] == "1" for i in shared)
            r["analogy_shared"] = right / len(shared) if shared else float("nan")
            r["analogy_shared_questions"] = len(shared)
    for r in runs:
        r.pop("analogy_outcomes", None)
    return shared_counts


def summarize(runs: list[dict], threads_list: list[int], kind: str = "memory") -> list[dict]:
    """Medians per trainer and thread count over the runs of one input kind ("memory", "stream" or
    "whole"); for whole commands also the range of the seconds and of the peak memory."""
    rows = []
    for threads in threads_list:
        for trainer in TRAINERS:
            mine = [r for r in runs if r["trainer"] == trainer and r["threads"] == threads and r["input"] == kind]
            if not mine:
                continue
            row = {"trainer": trainer, "threads": threads, "runs": len(mine), "input": kind}
            keys = ["words_per_second", "train_seconds", "peak_rss_mib", "wordsim353", "simlex999", "analogy",
                    "analogy_questions", "analogy_shared", "analogy_shared_questions", "vocab_size"]
            keys += ["whole_seconds"] if kind == "whole" else ["wall_seconds"]
            for key in keys:
                values = [r.get(key) for r in mine]
                row[key] = float("nan") if None in values else median(values)
            spread = ("whole_seconds", "peak_rss_mib", "words_per_second") if kind == "whole" else ("words_per_second",)
            for key in spread:
                values = [r[key] for r in mine if r.get(key) is not None]
                row[key + "_min"] = min(values) if values else float("nan")
                row[key + "_max"] = max(values) if values else float("nan")
            rows.append(row)
    return rows


def _pairs(rows: list[dict]):
    """``(threads, gensim_row, wordvec_row)`` for each thread count both trainers ran with."""
    for threads in sorted({r["threads"] for r in rows}):
        pair = {r["trainer"]: r for r in rows if r["threads"] == threads}
        if set(pair) == set(TRAINERS):
            yield threads, pair["gensim"], pair["wordvec"]


def _quality_diffs(g: dict, w: dict) -> dict:
    return {"wordsim353_diff": w["wordsim353"] - g["wordsim353"], "simlex999_diff": w["simlex999"] - g["simlex999"],
            "analogy_diff_points": 100 * (w["analogy"] - g["analogy"]),
            "analogy_shared_diff_points": 100 * (w["analogy_shared"] - g["analogy_shared"])}


def ratios(rows: list[dict]) -> list[dict]:
    return [dict({"threads": threads, "speed_ratio": w["words_per_second"] / g["words_per_second"],
                  "wall_ratio": g["wall_seconds"] / w["wall_seconds"],
                  "memory_ratio_in_memory_input": w["peak_rss_mib"] / g["peak_rss_mib"]}, **_quality_diffs(g, w))
            for threads, g, w in _pairs(rows)]


def memory_ratios(memory_rows: list[dict]) -> list[dict]:
    return [{"threads": threads, "memory_ratio": w["peak_rss_mib"] / g["peak_rss_mib"],
             "speed_ratio": w["words_per_second"] / g["words_per_second"]}
            for threads, g, w in _pairs(memory_rows)]


def whole_ratios(whole_rows: list[dict]) -> list[dict]:
    """gensim's whole seconds / wordvec's (how many times faster wordvec's command is), wordvec's
    peak memory / gensim's, training words/s wordvec / gensim, and the quality differences."""
    return [dict({"threads": threads, "whole_speedup": g["whole_seconds"] / w["whole_seconds"],
                  "memory_ratio": w["peak_rss_mib"] / g["peak_rss_mib"],
                  "speed_ratio": w["words_per_second"] / g["words_per_second"]}, **_quality_diffs(g, w))
            for threads, g, w in _pairs(whole_rows)]


def _mwords(value) -> str:
    return "-" if value is None or value != value else f"{value / 1e6:.3f}M"


def _pct(value) -> str:
    return "-" if value is None or value != value else f"{100 * value:.2f}"


def _shared_note(report: dict, kind: str) -> str:
    n = report.get("shared_analogy_questions", {}).get(kind)
    return "" if n is None else f" Shared analogies: the {n:,} questions both trainers' vocabularies cover."


def _whole_lines(report: dict) -> list[str]:
    s = report["settings"]
    cap = s["whole_command_num_words"]
    vocab = (f"the {cap:,} most frequent words (wordvec `--num-words {cap}`, gensim `max_final_vocab={cap}`)"
             if cap else f"no cap, min_count {s['min_count']}")
    gensim_input = "`LineSentence(TOKENS)`" if s["gensim_input"] == "linesentence" else "`corpus_file=TOKENS`"
    lines = ["", f"Whole commands, as a user runs them, on the token file (one document a line): "
                 f"`{' '.join(report['whole_command'])}` against a Python process training gensim's `Word2Vec` "
                 f"from {gensim_input} and saving its vectors (word2vec binary); vocabulary: {vocab}; "
                 f"{report['whole_command_runs']} runs each (medians, ranges in brackets); seconds start to exit, "
                 f"peak RSS of the process tree, after an untimed first wordvec command "
                 f"({report['whole_command_warm_up_seconds']:.1f} s).{_shared_note(report, 'whole')}", "",
             "| trainer | threads | whole s | peak RSS MiB | training words/s | vocabulary | WordSim-353 | "
             "SimLex-999 | analogy % | analogy % (shared) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in report["whole_summary"]:
        lines.append(f"| {r['trainer']} | {r['threads']} | {r['whole_seconds']:.1f} "
                     f"[{r['whole_seconds_min']:.1f}-{r['whole_seconds_max']:.1f}] | {r['peak_rss_mib']:.0f} "
                     f"[{r['peak_rss_mib_min']:.0f}-{r['peak_rss_mib_max']:.0f}] | {_mwords(r['words_per_second'])} | "
                     f"{r['vocab_size']:,.0f} | {r['wordsim353']:.4f} | {r['simlex999']:.4f} | "
                     f"{_pct(r['analogy'])} ({r['analogy_questions']:,.0f} q.) | {_pct(r['analogy_shared'])} |")
    lines += ["", "| threads | whole command, gensim s / wordvec s | peak RSS, wordvec / gensim | training words/s, "
                  "wordvec / gensim | WordSim-353 diff | SimLex-999 diff | analogy diff (points) | "
                  "shared analogy diff (points) |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in report["whole_ratios"]:
        lines.append(f"| {r['threads']} | **{r['whole_speedup']:.2f}x** | **{r['memory_ratio']:.2f}x** | "
                     f"{r['speed_ratio']:.2f}x | {r['wordsim353_diff']:+.4f} | {r['simlex999_diff']:+.4f} | "
                     f"{r['analogy_diff_points']:+.2f} | {r['analogy_shared_diff_points']:+.2f} |")
    return lines


def markdown(report: dict) -> str:
    s = report["settings"]
    cut = f" (the first {s['max_words']:,} or so)" if s.get("max_words") else ""
    vocab = (f"; speed and memory runs keep the {s['num_words']:,} most frequent words" if s.get("num_words")
             else "")
    lines = [f"Corpus `{Path(report['corpus']).name}`{cut}: {report['raw_words']:,} words, "
             f"{report['documents']:,} documents; {describe_settings(s)}{vocab}. Quality by gensim's evaluator, "
             f"restrict_vocab={s['restrict_vocab']}; analogy %: over the questions the trainer's own vocabulary "
             f"covers; shared: over those both trainers' vocabularies cover."]
    if report["summary"]:
        lines += ["", f"Speed runs (token lists in memory; {report['repeats']} runs each, medians, words/s range in "
                      f"brackets).{_shared_note(report, 'memory')}", "",
                  "| trainer | threads | training words/s | train s | whole run s | peak RSS MiB | WordSim-353 | "
                  "SimLex-999 | analogy % | analogy % (shared) |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in report["summary"]:
            lines.append(f"| {r['trainer']} | {r['threads']} | {r['words_per_second'] / 1e6:.3f}M "
                         f"[{r['words_per_second_min'] / 1e6:.2f}-{r['words_per_second_max'] / 1e6:.2f}] | "
                         f"{r['train_seconds']:.1f} | {r['wall_seconds']:.1f} | {r['peak_rss_mib']:.0f} | "
                         f"{r['wordsim353']:.4f} | {r['simlex999']:.4f} | {_pct(r['analogy'])} "
                         f"({r['analogy_questions']:,.0f} q.) | {_pct(r['analogy_shared'])} |")
        lines += ["", "| threads | wordvec / gensim words/s | WordSim-353 diff | SimLex-999 diff | analogy diff "
                      "(points) | shared analogy diff (points) | whole-run speed-up |",
                  "|---:|---:|---:|---:|---:|---:|---:|"]
        for r in report["ratios"]:
            lines.append(f"| {r['threads']} | {r['speed_ratio']:.2f}x | {r['wordsim353_diff']:+.4f} | "
                         f"{r['simlex999_diff']:+.4f} | {r['analogy_diff_points']:+.2f} | "
                         f"{r['analogy_shared_diff_points']:+.2f} | {r['wall_ratio']:.2f}x |")
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
    if report.get("whole_summary"):
        lines += _whole_lines(report)
    v = report["versions"]
    lines += ["", f"Machine: {report['machine']}; gensim {v['gensim']}, numpy {v['numpy']}, wordvec's kernels "
                  f"{v['kernels']}."]
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
    parser.add_argument("--max-words", type=int, default=None,
                        help="cut the corpus after the document that reaches this many words (a quick try)")
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    parser.add_argument("--threads", type=int, nargs="+", default=[2], help="one or more thread counts")
    parser.add_argument("--repeats", type=int, default=3, help="speed runs per trainer and thread count (0: none)")
    parser.add_argument("--memory-runs", type=int, default=1,
                        help="streaming runs per trainer at the largest thread count (0: none)")
    parser.add_argument("--whole-command-runs", type=int, default=3,
                        help="whole-command runs (wordvec train against a gensim process, from the token file) "
                             "per trainer and thread count (0: none)")
    parser.add_argument("--whole-command-num-words", type=int, default=20000,
                        help="vocabulary of the whole commands: wordvec --num-words, gensim max_final_vocab "
                             "(default 20000, wordvec train's; 0: no cap)")
    parser.add_argument("--gensim-input", choices=("linesentence", "corpus_file"), default="linesentence",
                        help="how gensim's whole command reads the token file (default LineSentence)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--negative", type=int, default=5)
    parser.add_argument("--sample", type=float, default=1e-3)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--num-words", type=int, default=0,
                        help="vocabulary of the speed and memory runs: wordvec num_words, gensim max_final_vocab "
                             "(default 0: no cap, min_count only)")
    parser.add_argument("--model", choices=("skipgram", "cbow"), default="skipgram")
    parser.add_argument("--restrict-vocab", type=int, default=30000)
    parser.add_argument("--seed", type=int, default=1, help="first seed; run i uses seed + i")
    parser.add_argument("--out-dir", type=Path, default=HERE / "results")
    parser.add_argument("--name", default=None, help="file name stem of the results (default from the settings)")
    # internal: child processes
    parser.add_argument("--child", choices=("train", "tokenize", "gensim-command", "score"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    parser.add_argument("--trainer", choices=TRAINERS, help=argparse.SUPPRESS)
    parser.add_argument("--tokens", help=argparse.SUPPRESS)
    parser.add_argument("--tokens-text", help=argparse.SUPPRESS)
    parser.add_argument("--stream", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--raw-words", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--documents", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--vectors-out", help=argparse.SUPPRESS)
    parser.add_argument("--score-list", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        args.threads = args.threads[0]
        result = {"train": child_train, "tokenize": child_tokenize,
                  "gensim-command": child_gensim_command, "score": child_score}[args.child](args)
        write_child_result(args.child_out, result)
        return 0
    if min(args.threads) < 1 or args.epochs < 1 or min(args.repeats, args.memory_runs, args.whole_command_runs) < 0:
        parser.error("--threads and --epochs must be at least 1, the run counts at least 0")

    workdir = Path(tempfile.mkdtemp(prefix="wordvec-bench-"))
    tokens_path = workdir / "tokens.pkl"
    text_path = workdir / "tokens.txt"
    # Tokenizing happens in a child too: on Linux a child inherits its parent's peak
    # resident size through exec, so the parent must stay small for the peaks to be the
    # trainers' own.
    info = run_child(__file__, "tokenize", ["--corpus", str(args.corpus), "--tokens", str(tokens_path),
                                         "--tokens-text", str(text_path)]
                     + (["--max-words", str(args.max_words)] if args.max_words else []))
    raw_words, n_documents = info["raw_words"], info["documents"]
    print(f"tokenized {args.corpus.name}: {raw_words:,} words in {n_documents:,} documents "
          f"({info['seconds']:.1f} s)", flush=True)

    runs = []
    for repeat in range(args.repeats):
        for threads in args.threads:
            order = TRAINERS if repeat % 2 == 0 else TRAINERS[::-1]
            for trainer in order:
                flags = _common_flags(args) + ["--trainer", trainer, "--threads", str(threads), "--tokens",
                                               str(tokens_path), "--seed", str(args.seed + repeat)]
                result = run_child(__file__, "train", flags)
                result["repeat"] = repeat
                runs.append(result)
                _print_run(f"[{repeat + 1}/{args.repeats}]", result)
    tokens_path.unlink()
    threads = max(args.threads)
    for repeat in range(args.memory_runs):
        for trainer in (TRAINERS if repeat % 2 == 0 else TRAINERS[::-1]):
            flags = _common_flags(args) + ["--trainer", trainer, "--threads", str(threads), "--tokens", str(text_path),
                                           "--stream", "--raw-words", str(raw_words), "--documents",
                                           str(n_documents), "--seed", str(args.seed + repeat)]
            result = run_child(__file__, "train", flags)
            result["repeat"] = repeat
            runs.append(result)
            _print_run(f"[memory {repeat + 1}/{args.memory_runs}]", result)
    whole_warm_up, whole_runs = whole_command_runs(args, workdir, text_path, raw_words)
    runs += whole_runs
    shutil.rmtree(workdir, ignore_errors=True)
    shared_counts = add_shared_analogies(runs)

    summary = summarize(runs, args.threads)
    memory_summary = summarize(runs, [threads], kind="stream")
    whole_summary = summarize(runs, args.threads, kind="whole")
    report = {
        "corpus": str(args.corpus), "raw_words": raw_words, "documents": n_documents,
        "settings": {"model": args.model, "dim": args.dim, "window": args.window, "negative": args.negative,
                     "sample": args.sample, "min_count": args.min_count, "epochs": args.epochs,
                     "restrict_vocab": args.restrict_vocab, "num_words": args.num_words or None,
                     "whole_command_num_words": args.whole_command_num_words, "gensim_input": args.gensim_input,
                     "max_words": args.max_words},
        "repeats": args.repeats, "memory_runs": args.memory_runs, "whole_command_runs": args.whole_command_runs,
        "threads": args.threads, "runs": runs,
        "summary": summary,
        "ratios": ratios(summary), "memory_summary": memory_summary,
        "memory_ratios": memory_ratios(memory_summary),
        "whole_summary": whole_summary, "whole_ratios": whole_ratios(whole_summary),
        "whole_command": ["wordvec"] + wordvec_command(args, Path("TOKENS"), Path("DIR"),
                                                       args.threads[0] if len(args.threads) == 1 else "T",
                                                       args.seed if args.whole_command_runs == 1 else "SEED")[3:],
        "whole_command_warm_up_seconds": whole_warm_up,
        "shared_analogy_questions": shared_counts,
        "machine": machine_description(),
        "versions": dict(package_versions(("gensim", "numpy")), kernels=kernels_backend()),
    }
    stem = args.name or (f"compare_gensim_{args.model}_e{args.epochs}_t" + "-".join(map(str, args.threads))
                         + (f"_w{args.max_words}" if args.max_words else ""))
    write_report(args.out_dir, stem, report, markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
