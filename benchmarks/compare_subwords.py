"""Subword vectors side by side: wordvec's subword engine, Facebook's fastText and gensim's FastText.

    python benchmarks/compare_subwords.py                  # the benchmark corpus, 2 threads, 3 repeats
    python benchmarks/compare_subwords.py --model cbow --threads 1 2
    python benchmarks/compare_subwords.py --max-words 300000 --repeats 1 --buckets 200000   # a quick try
    python benchmarks/compare_subwords.py --shuffle-lines --tools wordvec fasttext   # each repeat another order

The corpus is read and tokenized once by wordvec's own pipeline
(``wordvec.readers.iter_documents`` + ``wordvec.text.tokenize``: lowercased,
punctuation stripped) into a text file, one document a line, and all three
tools train from that file on disk, with the same settings (skip-gram or CBOW,
dim, window, negatives, epochs, min_count with no vocabulary cap, sample,
n-grams ``min_n..max_n`` hashed into ``--buckets``), each with its own default
learning rate (fastText 0.05, gensim 0.025, wordvec its engine's default).

Each run is a whole command in a process of its own, as a user runs it:

* wordvec: ``python -m wordvec train FILE --format text --subwords --out DIR
  --quiet ...`` (the CLI: reading, vocabulary, training and saving the model);
* fastText: a child Python that calls ``fasttext.train_unsupervised`` on the
  file (``t=1e-3``, ``verbose=0``) and saves no model;
* gensim: a child that builds ``FastText(...)`` from ``corpus_file=FILE``
  (``build_vocab`` then ``train``, what ``FastText(corpus_file=...)`` does),
  gensim's fastest input: its workers read the file themselves, no Python
  iterator in between.

Runs alternate between the tools within each repeat (which goes first turns
too). Reported per tool and thread count: the whole command's seconds (start
to exit, minus the time the fastText and gensim children spend writing
vectors for scoring, which no user command does), training words/s (corpus
words x epochs / training seconds: wordvec's own ``words_per_second`` from
``model.json``; for fastText and gensim the train call timed inside the
child; fastText's call also makes its vocabulary pass over the file), the
peak resident memory of the command's process tree (``os.wait4``'s
``ru_maxrss``), and the ratios of wordvec to each of the others.

Quality is scored by one evaluator, wordvec's (``evaluate_word_pairs`` and
``evaluate_analogies`` on the packaged WordSim-353, SimLex-999 and Google
analogy sets; analogies with ``restrict_vocab`` 30000, word pairs over the
whole vocabulary), in two modes: in-vocabulary only (a pair or question with
a word outside the tool's vocabulary is skipped, as gensim's evaluator does)
and every pair scored (such words get the vector the tool itself builds from
their n-grams: fastText's ``get_word_vector``, gensim's ``wv[word]``,
wordvec's ``SubwordVectors.vector_for_unknown``). Each child writes its
vocabulary vectors (in its own frequency order) and those out-of-vocabulary
vectors to files; the parent scores all runs at the end.

wordvec runs once untimed first, on the first lines of the file, so that the
file and the kernel library sit in the page cache (the time of that run is reported).

fastText takes no seed: its runs on one file differ only by thread timing, so
its repeats measure one draw of its random numbers. With ``--shuffle-lines``
each repeat trains every tool on its own copy of the token file, the lines in
an order drawn from the repeat's seed (the same copy for every tool), so that
the repeats of every tool differ as independent runs do.

Not part of the test suite: it takes many minutes and needs fasttext and gensim.
"""

from __future__ import annotations

import argparse
import gzip
import inspect
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import (BENCH_CORPUS, HERE, describe_settings, first_words, machine_description, median,
                     package_versions, run_child, run_child_measured, run_measured, tokenized_documents,
                     warm_up_wordvec, write_child_result, write_report, write_token_lines)

from wordvec.kernels import backend as kernels_backend

TOOLS = ("wordvec", "fasttext", "gensim")
OTHERS = ("fasttext", "gensim")
QUALITY = ("wordsim353", "simlex999", "analogy")
MODES = ("in_vocab", "all_pairs")
WARM_UP_LINES = 2000


# -- run in a child process -----------------------------------------------------
def _eval_words() -> list[str]:
    """Every word of the packaged evaluation sets, lowercased (the corpus is), sorted."""
    from wordvec.evaluate import packaged_eval_sets

    sets = packaged_eval_sets()
    words = set()
    for path in list(sets["similarity"].values()) + list(sets["analogies"].values()):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith(("#", ":")):
                continue
            fields = line.split("\t")[:2] if "\t" in line else line.split()[:4]  # a pair + score, or 4 words
            words.update(w.strip().lower() for w in fields)
    return sorted(words - {""})


def child_tokenize(args) -> dict:
    """Tokenize the corpus once with wordvec's pipeline into ``--tokens`` (one document a line),
    cut after ``--max-words``; list the evaluation words in ``--eval-words``."""
    started = time.perf_counter()
    words, documents = write_token_lines(first_words(tokenized_documents(args.corpus), args.max_words), args.tokens)
    Path(args.eval_words).write_text("\n".join(_eval_words()) + "\n", encoding="utf-8")
    return {"raw_words": words, "documents": documents, "seconds": time.perf_counter() - started}


def _write_vectors(args, words: list[str], matrix, unknown_vector) -> dict:
    """Write the vocabulary (``words.txt``, ``vectors.npy``) to ``--run-dir`` and, when
    ``unknown_vector`` is given (a function of a word), the vectors of the words of
    ``--eval-words`` outside the vocabulary (``oov_words.txt``, ``oov_vectors.npy``).
    Returns what was written, in figures."""
    import numpy as np

    run_dir = Path(args.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "words.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    np.save(run_dir / "vectors.npy", np.asarray(matrix, dtype=np.float32))
    if unknown_vector is None:
        return {"vocab_size": len(words), "oov_eval_words": None}
    known = set(words)
    eval_words = Path(args.eval_words).read_text(encoding="utf-8").split()
    oov = [w for w in eval_words if w not in known]
    rows = np.array([unknown_vector(w) for w in oov], dtype=np.float32).reshape(len(oov), np.shape(matrix)[1])
    (run_dir / "oov_words.txt").write_text("\n".join(oov) + "\n", encoding="utf-8")
    np.save(run_dir / "oov_vectors.npy", rows)
    return {"vocab_size": len(words), "oov_eval_words": len(oov)}


def child_fasttext(args) -> dict:
    """Train with ``fasttext.train_unsupervised`` on the token file; write vectors for scoring."""
    import fasttext
    import numpy as np

    started = time.perf_counter()
    model = fasttext.train_unsupervised(
        input=args.tokens, model=args.model, dim=args.dim, ws=args.window, neg=args.negative, epoch=args.epochs,
        minCount=args.min_count, minn=args.min_n, maxn=args.max_n, bucket=args.buckets, t=args.sample,
        thread=args.threads, verbose=0)
    train_seconds = time.perf_counter() - started
    export_started = time.perf_counter()
    words = [w for w in model.words if w != "</s>"]  # fastText's end-of-line token is no word
    matrix = np.array([model.get_word_vector(w) for w in words], dtype=np.float32)
    written = _write_vectors(args, words, matrix, model.get_word_vector)
    return dict(written, train_seconds=train_seconds, export_seconds=time.perf_counter() - export_started)


def child_gensim(args) -> dict:
    """Train gensim's ``FastText`` from ``corpus_file`` (vocabulary, then the timed ``train``)."""
    from gensim.models import FastText

    model = FastText(sg=int(args.model == "skipgram"), vector_size=args.dim, window=args.window,
                     negative=args.negative, epochs=args.epochs, min_count=args.min_count, min_n=args.min_n,
                     max_n=args.max_n, bucket=args.buckets, sample=args.sample, workers=args.threads,
                     seed=args.seed)
    model.build_vocab(corpus_file=args.tokens)
    started = time.perf_counter()
    model.train(corpus_file=args.tokens, total_words=model.corpus_total_words, epochs=model.epochs)
    train_seconds = time.perf_counter() - started
    export_started = time.perf_counter()
    written = _write_vectors(args, list(model.wv.index_to_key), model.wv.vectors,
                             lambda word: model.wv[word])
    return dict(written, train_seconds=train_seconds, export_seconds=time.perf_counter() - export_started)


def child_wordvec_export(args) -> dict:
    """Load the model directory the CLI wrote; write its vectors for scoring and return its
    training record. Words outside the vocabulary get vectors only if the loaded vectors can
    build them (``vector_for_unknown``); the ``UNK`` row is left out."""
    import numpy as np
    from wordvec.formats import load_model

    saved = load_model(Path(args.run_dir) / "model")
    vectors = saved.vectors
    keep = [i for i, w in enumerate(vectors.words) if w != vectors.unknown]
    words = [vectors.words[i] for i in keep]
    matrix = np.asarray(vectors.matrix)[keep]
    written = _write_vectors(args, words, matrix, getattr(vectors, "vector_for_unknown", None))
    info = saved.info
    return dict(written, train_seconds=info.get("train_seconds"), words_per_second=info.get("words_per_second"),
                wordvec_raw_words=info.get("raw_words"), vectors_class=type(vectors).__name__)


# -- parent: running --------------------------------------------------------------
def _setting_flags(args) -> list[str]:
    """The training settings, as flags of this script's children."""
    return ["--model", args.model, "--dim", str(args.dim), "--window", str(args.window), "--negative",
            str(args.negative), "--epochs", str(args.epochs), "--min-count", str(args.min_count), "--sample",
            str(args.sample), "--min-n", str(args.min_n), "--max-n", str(args.max_n), "--buckets", str(args.buckets)]


def wordvec_command(args, tokens: Path, out: Path, threads: int, seed: int) -> list[str]:
    """The wordvec CLI command of one run, with the same settings as the others (no vocabulary cap)."""
    return [sys.executable, "-m", "wordvec", "train", str(tokens), "--format", "text", "--subwords", "--out",
            str(out), "--quiet", "--model", args.model, "--dim", str(args.dim), "--window", str(args.window),
            "--negative", str(args.negative), "--epochs", str(args.epochs), "--min-count", str(args.min_count),
            "--num-words", "0", "--sample", str(args.sample), "--min-n", str(args.min_n), "--max-n",
            str(args.max_n), "--buckets", str(args.buckets), "--threads", str(threads), "--seed", str(seed)]


def warm_up(args, workdir: Path, tokens: Path) -> float:
    """Run ``wordvec train`` once on the first lines of the token file (:func:`_common.warm_up_wordvec`)."""

    def command_for(sample: Path, out: Path) -> list[str]:
        command = wordvec_command(args, sample, out, max(args.threads), args.seed)
        command[command.index("--min-count") + 1] = "1"
        return command

    return warm_up_wordvec(tokens, workdir, command_for, WARM_UP_LINES)


def run_wordvec(args, tokens: Path, run_dir: Path, threads: int, seed: int) -> dict:
    """One wordvec run: the CLI command measured, then its model exported for scoring (not timed)."""
    measured = run_measured(wordvec_command(args, tokens, run_dir / "model", threads, seed), stdout=subprocess.DEVNULL)
    result = run_child(__file__, "wordvec-export", ["--run-dir", str(run_dir), "--eval-words",
                                                     str(tokens.parent / "eval_words.txt")])
    shutil.rmtree(run_dir / "model", ignore_errors=True)
    result.update(whole_seconds=measured["seconds"], peak_rss_mib=measured["peak_rss_mib"])
    return result


def run_other(tool: str, args, tokens: Path, run_dir: Path, threads: int, seed: int) -> dict:
    """One fastText or gensim run in a child; its whole time leaves out writing the vectors for scoring."""
    flags = _setting_flags(args) + ["--tokens", str(tokens), "--eval-words", str(tokens.parent / "eval_words.txt"),
                                    "--run-dir", str(run_dir), "--threads", str(threads), "--seed", str(seed)]
    result = run_child_measured(__file__, tool, flags)
    result.update(whole_seconds=result["process_seconds"] - result["export_seconds"],
                  peak_rss_mib=result["process_peak_rss_mib"])
    return result


def child_shuffle_lines(args) -> dict:
    """Write the lines of ``--tokens`` to ``--shuffled`` in an order drawn from ``--seed``."""
    import numpy as np

    lines = Path(args.tokens).read_bytes().splitlines(keepends=True)
    order = np.random.default_rng(args.seed).permutation(len(lines))
    Path(args.shuffled).write_bytes(b"".join(lines[i] for i in order))
    return {"lines": len(lines)}


def repeat_tokens(args, tokens: Path, repeat: int) -> Path:
    """The token file of one repeat: ``tokens``, or with ``--shuffle-lines`` a copy of it in the order of
    the repeat's seed (written in a child, so that the parent stays small)."""
    if not args.shuffle_lines:
        return tokens
    shuffled = tokens.parent / f"tokens-r{repeat}.txt"
    run_child(__file__, "shuffle-lines", ["--tokens", str(tokens), "--shuffled", str(shuffled), "--seed",
                                          str(args.seed + repeat)])
    return shuffled


def run_all(args, workdir: Path, tokens: Path, raw_words: int) -> list[dict]:
    """Every run: for each repeat and thread count, the three tools one after another, the order
    turning from one repeat to the next."""
    runs = []
    tools = [tool for tool in TOOLS if tool in args.tools]
    every_repeat = tokens
    for repeat in range(args.repeats):
        tokens = repeat_tokens(args, every_repeat, repeat)
        order = tools[repeat % len(tools):] + tools[:repeat % len(tools)]
        for threads in args.threads:
            for tool in order:
                run_dir = workdir / "runs" / f"{tool}-t{threads}-r{repeat}"
                seed = args.seed + repeat
                result = (run_wordvec(args, tokens, run_dir, threads, seed) if tool == "wordvec"
                          else run_other(tool, args, tokens, run_dir, threads, seed))
                if result.get("words_per_second") is None:
                    result["words_per_second"] = raw_words * args.epochs / result["train_seconds"]
                result.update(tool=tool, threads=threads, repeat=repeat, seed=seed, run_dir=str(run_dir))
                runs.append(result)
                _print_run(f"[{repeat + 1}/{args.repeats}]", result)
        if tokens != every_repeat:
            tokens.unlink()
    return runs


def _print_run(label: str, r: dict) -> None:
    """One line per finished run."""
    print(f"{label} {r['tool']:8s} threads={r['threads']}: whole command {r['whole_seconds']:.1f} s, "
          f"training {r['words_per_second'] / 1e6:.3f}M words/s ({r['train_seconds']:.1f} s), "
          f"peak {r['peak_rss_mib']:.0f} MiB, {r['vocab_size']:,} words", flush=True)


# -- parent: scoring --------------------------------------------------------------
def all_pairs_supported() -> bool:
    """Whether wordvec's evaluator takes ``all_pairs`` (scoring words outside the vocabulary)."""
    from wordvec.evaluate import evaluate_analogies, evaluate_word_pairs

    return all("all_pairs" in inspect.signature(f).parameters for f in (evaluate_word_pairs, evaluate_analogies))


def tool_vectors(run_dir: Path):
    """A run's vectors as a ``wordvec.vectors.Vectors`` whose ``vector_for_unknown`` gives the
    tool's own vectors of the evaluation words outside its vocabulary, and whether the tool
    wrote such vectors at all."""
    import numpy as np
    from wordvec.vectors import Vectors

    class ToolVectors(Vectors):
        """Vocabulary vectors plus the vectors the tool built for words outside its vocabulary."""

        def __init__(self, words, matrix, unknown_vectors: dict):
            super().__init__(words, matrix)
            self.unknown_vectors = unknown_vectors

        def vector_for_unknown(self, word: str) -> np.ndarray:
            """The tool's vector of ``word`` (any case): its subword vector, or its vocabulary
            vector for a known word (one beyond ``restrict_vocab``, say)."""
            key = word.lower()
            if key in self.unknown_vectors:
                return self.unknown_vectors[key]
            if key in self.key_to_index:
                return np.asarray(self.matrix[self.key_to_index[key]])
            raise KeyError(f"no vector written for {word!r}: not among the evaluation words")

    words = (run_dir / "words.txt").read_text(encoding="utf-8").split("\n")[:-1]
    matrix = np.load(run_dir / "vectors.npy")
    if not (run_dir / "oov_vectors.npy").exists():
        return ToolVectors(words, matrix, {}), False
    oov = (run_dir / "oov_words.txt").read_text(encoding="utf-8").split("\n")[:-1]
    return ToolVectors(words, matrix, dict(zip(oov, np.load(run_dir / "oov_vectors.npy")))), True


def score(vectors, restrict_vocab: int, all_pairs: bool) -> dict:
    """WordSim-353 and SimLex-999 Spearman (pairs scored) and analogy accuracy (questions scored),
    by wordvec's evaluator, with the number of words built from subwords for each set;
    ``all_pairs`` passes its every-pair switch."""
    from wordvec.evaluate import evaluate_analogies, evaluate_word_pairs, packaged_eval_sets

    extra = {"all_pairs": True} if all_pairs else {}
    sets = packaged_eval_sets()
    out = {}
    for name in ("wordsim353", "simlex999"):
        result = evaluate_word_pairs(vectors, sets["similarity"][name], restrict_vocab=None, **extra)
        out[name], out[name + "_pairs"] = result["spearman"], result["pairs"]
        out[name + "_subword_words"] = result.get("subword_words", 0)
    result = evaluate_analogies(vectors, sets["analogies"]["questions-words"], restrict_vocab=restrict_vocab,
                                **extra)
    out["analogy"], out["analogy_questions"] = result["accuracy"], result["total"]
    out["analogy_subword_words"] = result.get("subword_words", 0)
    return out


def shared_questions(runs: list[dict], restrict_vocab: int, out: Path) -> Path:
    """The analogy questions whose four words are among the first ``restrict_vocab`` words of
    every run, written to ``out`` (sections kept). The tools order words of equal count
    differently, so each tool's own in-vocabulary questions differ near the cut-off; scored on
    these, every run answers the same questions."""
    from wordvec.evaluate import packaged_eval_sets

    known = None
    for run in runs:
        words = (Path(run["run_dir"]) / "words.txt").read_text(encoding="utf-8").split("\n")[:restrict_vocab]
        first = {word.upper() for word in words}
        known = first if known is None else known & first
    path = packaged_eval_sets()["analogies"]["questions-words"]
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as lines:
        kept = [line for line in lines if line.startswith(":") or all(w.upper() in known for w in line.split())]
    out.write_text("".join(kept), encoding="utf-8")
    return out


def score_runs(runs: list[dict], restrict_vocab: int, workdir: Path) -> str:
    """Score every run in both modes (in place, under ``in_vocab`` and ``all_pairs``; in-vocabulary
    also on the questions every run scores, ``analogy_shared``); returns a sentence saying how the
    every-pair mode ran."""
    from wordvec.evaluate import evaluate_analogies

    supported, errors = all_pairs_supported(), set()
    common = shared_questions(runs, restrict_vocab, workdir / "shared_questions.txt")
    for run in runs:
        vectors, has_oov = tool_vectors(Path(run["run_dir"]))
        run["in_vocab"] = score(vectors, restrict_vocab, all_pairs=False)
        shared = evaluate_analogies(vectors, common, restrict_vocab=restrict_vocab)
        run["in_vocab"]["analogy_shared"], run["in_vocab"]["analogy_shared_questions"] = (shared["accuracy"],
                                                                                        shared["total"])
        run["all_pairs"] = None
        if supported and has_oov:
            try:  # a failure here must not lose the runs
                run["all_pairs"] = score(vectors, restrict_vocab, all_pairs=True)
            except Exception as err:  # noqa: BLE001
                errors.add(f"{run['tool']}: {type(err).__name__}: {err}")
    if not supported:
        return ("Every-pair mode not run: this wordvec's evaluator has no `all_pairs` parameter yet; "
                "only in-vocabulary scores.")
    note = "Every pair scored with wordvec's evaluator, `all_pairs=True`"
    missing = sorted({r["tool"] for r in runs if r["all_pairs"] is None and r.get("oov_eval_words") is None})
    if missing:
        note += f"; not for {', '.join(missing)}: its saved model cannot build vectors for unknown words yet"
    if errors:
        note += "; failed for " + "; ".join(sorted(errors))
    return note + "."


# -- parent: report ---------------------------------------------------------------
def summarize(runs: list[dict], threads_list: list[int]) -> list[dict]:
    """Medians (and ranges of time and words/s) per tool and thread count."""
    rows = []
    for threads in threads_list:
        for tool in TOOLS:
            mine = [r for r in runs if r["tool"] == tool and r["threads"] == threads]
            if not mine:
                continue
            row = {"tool": tool, "threads": threads, "runs": len(mine)}
            for key in ("whole_seconds", "words_per_second", "train_seconds", "peak_rss_mib", "vocab_size"):
                row[key] = median(r[key] for r in mine)
            for key in ("whole_seconds", "words_per_second"):
                row[key + "_min"], row[key + "_max"] = min(r[key] for r in mine), max(r[key] for r in mine)
            for mode in MODES:
                scored = [r[mode] for r in mine if r.get(mode)]
                row[mode] = ({key: median(s[key] for s in scored) for key in scored[0]} if scored else None)
            rows.append(row)
    return rows


def comparisons(rows: list[dict]) -> list[dict]:
    """wordvec against fastText and gensim at each thread count: speed and memory ratios, quality
    differences (wordvec minus the other; analogies in points) in each mode."""
    out = []
    for threads in sorted({r["threads"] for r in rows}):
        mine = {r["tool"]: r for r in rows if r["threads"] == threads}
        for other in OTHERS:
            if "wordvec" not in mine or other not in mine:
                continue
            w, o = mine["wordvec"], mine[other]
            row = {"threads": threads, "other": other, "whole_speedup": o["whole_seconds"] / w["whole_seconds"],
                   "words_per_second_ratio": w["words_per_second"] / o["words_per_second"],
                   "peak_rss_ratio": w["peak_rss_mib"] / o["peak_rss_mib"]}
            for mode in MODES:
                if w[mode] and o[mode]:
                    row[mode] = {key: (w[mode][key] - o[mode][key]) * (100 if key == "analogy" else 1)
                                 for key in QUALITY}
                else:
                    row[mode] = None
            row["analogy_shared"] = 100 * (w["in_vocab"]["analogy_shared"] - o["in_vocab"]["analogy_shared"])
            out.append(row)
    return out


def _range(row: dict, key: str, scale: float, fmt: str, unit: str = "") -> str:
    """``median [min-max]`` of one summary figure."""
    low, high = row[key + "_min"] / scale, row[key + "_max"] / scale
    return f"{row[key] / scale:{fmt}}{unit} [{low:{fmt}}-{high:{fmt}}]"


def _speed_lines(report: dict) -> list[str]:
    """The speed and memory table."""
    lines = ["| tool | threads | whole command s | training words/s | training s | peak RSS MiB | vocabulary |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in report["summary"]:
        lines.append(f"| {r['tool']} | {r['threads']} | {_range(r, 'whole_seconds', 1, '.1f')} | "
                     f"{_range(r, 'words_per_second', 1e6, '.3f', 'M')} | {r['train_seconds']:.1f} | "
                     f"{r['peak_rss_mib']:.0f} | {r['vocab_size']:,.0f} |")
    return lines


def _quality_cell(scores, key: str) -> str:
    """A score with the pairs or questions it covers; n/a for a mode that did not run."""
    if not scores:
        return "n/a"
    if key.startswith("analogy"):
        return f"{100 * scores[key]:.2f} ({scores[key + '_questions']:,.0f})"
    return f"{scores[key]:.4f} ({scores[key + '_pairs']:.0f})"


def _quality_lines(report: dict) -> list[str]:
    """The quality table, both modes."""
    lines = ["| tool | threads | WordSim-353 | SimLex-999 | analogy % | analogy %, shared questions | "
             "WordSim-353, every pair | SimLex-999, every pair | analogy %, every question |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in report["summary"]:
        cells = [_quality_cell(r[mode], key) for mode in MODES for key in QUALITY]
        cells.insert(3, _quality_cell(r["in_vocab"], "analogy_shared"))
        lines.append(f"| {r['tool']} | {r['threads']} | " + " | ".join(cells) + " |")
    return lines


def _diff_cell(diffs, key: str) -> str:
    """A signed quality difference (analogies in points)."""
    return "n/a" if not diffs else f"{diffs[key]:+.2f}" if key == "analogy" else f"{diffs[key]:+.4f}"


def _comparison_lines(report: dict) -> list[str]:
    """The table of wordvec against fastText and gensim."""
    lines = ["| threads | wordvec vs | whole command, x faster | training words/s, ratio | peak RSS, ratio | "
             "WordSim-353 diff | SimLex-999 diff | analogy diff (points) | analogy diff, shared questions (points) |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for c in report["comparisons"]:
        quality = [" / ".join(_diff_cell(c[mode], key) for mode in MODES) for key in QUALITY]
        quality.append(f"{c['analogy_shared']:+.2f}")
        lines.append(f"| {c['threads']} | {c['other']} | {c['whole_speedup']:.2f}x | "
                     f"{c['words_per_second_ratio']:.2f}x | {c['peak_rss_ratio']:.2f}x | " + " | ".join(quality) + " |")
    return lines


def markdown(report: dict) -> str:
    """The report as Markdown: speed and memory, quality in both modes, wordvec against the others."""
    s, v = report["settings"], report["versions"]
    lines = [f"Corpus `{Path(report['corpus']).name}`"
             f"{' (first ' + format(s['max_words'], ',') + ' words)' if s['max_words'] else ''}: "
             f"{report['raw_words']:,} words, {report['documents']:,} documents, tokenized once by wordvec; "
             f"{describe_settings(s)}, no vocabulary cap, n-grams {s['min_n']}-{s['max_n']}, {s['buckets']:,} "
             f"buckets, each tool's default learning rate; {report['repeats']} runs each, alternating (medians, "
             f"ranges in brackets){_order_note(report)}. Whole command: start to exit of the process, as a user "
             f"runs it (wordvec: "
             f"the `wordvec train` CLI, saving its model; fastText: `train_unsupervised`; gensim: `FastText` "
             f"from `corpus_file`). Peak RSS: the command's process tree.", ""] + _speed_lines(report)
    lines += ["", f"Quality by wordvec's evaluator (Spearman, pairs scored; analogy accuracy, questions scored; "
                  f"analogies restrict_vocab={s['restrict_vocab']}). In-vocabulary only, then every pair, words "
                  f"outside the vocabulary getting the tool's own subword vector. Shared questions: those "
                  f"whose words are all among the first {s['restrict_vocab']:,} words of every run (the tools "
                  f"order words of equal count differently, so their own question sets differ). "
                  f"{report['all_pairs_note']}", ""]
    lines += _quality_lines(report)
    if report["comparisons"]:
        lines += ["", "wordvec against each (speed: the other's time / wordvec's, wordvec's words/s / the other's; "
                      "memory: wordvec's / the other's; quality: wordvec minus the other, in-vocabulary / every "
                      "pair):", ""] + _comparison_lines(report)
    lines += ["", f"wordvec's untimed first run (the file and the kernel library in the page cache): "
                  f"{report['warm_up_seconds']:.1f} s.",
              "", f"Machine: {report['machine']}; fasttext {v['fasttext']}, gensim {v['gensim']}, "
                  f"numpy {v['numpy']}, wordvec's kernels {v['kernels']}."]
    return "\n".join(lines) + "\n"


def _order_note(report: dict) -> str:
    if not report["settings"].get("shuffle_lines"):
        return ", every run on the token file as written"
    return (", each repeat on its own copy of the token file with the lines shuffled (the same copy for "
            "every tool; fastText takes no seed, so only another order makes its runs differ)")


# -- main -------------------------------------------------------------------------
def parse_args(argv):
    """The command line (children get hidden options too)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=BENCH_CORPUS)
    parser.add_argument("--max-words", type=int, default=None, help="cut the corpus after about N words")
    parser.add_argument("--threads", type=int, nargs="+", default=[2], help="one or more thread counts")
    parser.add_argument("--repeats", type=int, default=3, help="runs per tool and thread count")
    parser.add_argument("--tools", choices=TOOLS, nargs="+", default=list(TOOLS),
                        help="which tools to run (default: all three)")
    parser.add_argument("--model", choices=("skipgram", "cbow"), default="skipgram")
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--negative", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--sample", type=float, default=1e-3)
    parser.add_argument("--min-n", type=int, default=3)
    parser.add_argument("--max-n", type=int, default=6)
    parser.add_argument("--buckets", type=int, default=2_000_000)
    parser.add_argument("--restrict-vocab", type=int, default=30000, help="analogies: words searched")
    parser.add_argument("--seed", type=int, default=1, help="first seed; repeat i uses seed + i (fastText has none)")
    parser.add_argument("--shuffle-lines", action="store_true",
                        help="train each repeat on a copy of the token file with its lines in the order of the "
                             "repeat's seed (the same copy for every tool)")
    parser.add_argument("--work-dir", type=Path, default=None, help="for the token file and vectors (default: a "
                                                                   "temporary folder, deleted at the end)")
    parser.add_argument("--out-dir", type=Path, default=HERE / "results")
    parser.add_argument("--name", default=None, help="file name stem of the results (default from the settings)")
    # internal: child processes
    parser.add_argument("--child", choices=("tokenize", "fasttext", "gensim", "wordvec-export", "shuffle-lines"),
                        help=argparse.SUPPRESS)
    for hidden in ("--child-out", "--tokens", "--eval-words", "--run-dir", "--shuffled"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def run_benchmark(args, workdir: Path) -> dict:
    """Tokenize, warm up, run everything, score: the report."""
    tokens = workdir / "tokens.txt"
    # In a child, so the parent stays small: a child inherits its parent's peak through exec.
    info = run_child(__file__, "tokenize", ["--corpus", str(args.corpus), "--tokens", str(tokens), "--eval-words",
                                         str(workdir / "eval_words.txt")]
                     + (["--max-words", str(args.max_words)] if args.max_words else []))
    print(f"tokenized {args.corpus.name}: {info['raw_words']:,} words in {info['documents']:,} documents "
          f"({info['seconds']:.1f} s)", flush=True)
    warm = warm_up(args, workdir, tokens)
    print(f"wordvec warm-up run (untimed): {warm:.1f} s", flush=True)
    runs = run_all(args, workdir, tokens, info["raw_words"])
    print("scoring...", flush=True)
    note = score_runs(runs, args.restrict_vocab, workdir)
    summary = summarize(runs, args.threads)
    settings = {key: getattr(args, key) for key in ("model", "dim", "window", "negative", "sample", "min_count",
                                                    "epochs", "min_n", "max_n", "buckets", "restrict_vocab",
                                                    "max_words", "shuffle_lines")}
    return {"corpus": str(args.corpus), "raw_words": info["raw_words"], "documents": info["documents"],
            "settings": settings, "threads": args.threads, "repeats": args.repeats, "warm_up_seconds": warm,
            "all_pairs_note": note, "runs": runs, "summary": summary, "comparisons": comparisons(summary),
            "machine": machine_description(),
            "versions": dict(package_versions(("gensim", "numpy")), fasttext=_fasttext_version(), kernels=kernels_backend())}


def _fasttext_version() -> str:
    """The version of whichever fastText distribution is installed."""
    from importlib.metadata import PackageNotFoundError, version

    for name in ("fasttext-numpy2-wheel", "fasttext-wheel", "fasttext"):
        try:
            return f"{version(name)} ({name})"
        except PackageNotFoundError:
            continue
    return "unknown"


def main(argv=None) -> int:
    """Run the benchmark, or one child's part of it with ``--child``; write and print the report."""
    args = parse_args(argv)
    if args.child:
        args.threads = args.threads[0]
        handlers = {"tokenize": child_tokenize, "fasttext": child_fasttext, "gensim": child_gensim,
                    "wordvec-export": child_wordvec_export, "shuffle-lines": child_shuffle_lines}
        write_child_result(args.child_out, handlers[args.child](args))
        return 0
    workdir = args.work_dir or Path(tempfile.mkdtemp(prefix="wordvec-subwords-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        report = run_benchmark(args, workdir)
    finally:
        if args.work_dir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    stem = args.name or (f"compare_subwords_{args.model}_e{args.epochs}_t" + "-".join(map(str, args.threads))
                         + ("_shuffled" if args.shuffle_lines else ""))
    write_report(args.out_dir, stem, report, markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
