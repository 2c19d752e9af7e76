"""The whole ``wordvec train`` job on a full-size Fine Foods file, as a user runs it (issue 13).

    python benchmarks/fullsize_finefoods.py                       # 568,454 reviews, 5 epochs, 2 threads
    python benchmarks/fullsize_finefoods.py --threads 1 --repeats 3
    python benchmarks/fullsize_finefoods.py --reviews 20000 --epochs 1 --threads 1 --out-dir /tmp/r   # a quick try

The corpus is a stand-in for SNAP's ``finefoods.txt.gz`` (568,454 reviews,
which cannot be downloaded here): the reviews of the shared
``finefoods/finefoods_sample.txt.gz`` (SNAP layout, ``product/productId:`` to
``review/text:``) repeated, in order, until there are ``--reviews`` of them,
gzip-compressed. It is written once into ``--work-dir`` and reused by later
runs. Its text and layout are SNAP's, so reading takes the path the real file
takes; its vocabulary is the sample's (a few thousand words, fewer than the
20,000 the tutorial keeps), so training touches fewer rows than on the real
file and runs somewhat faster.

Each timed run is one whole command in a process of its own, with the
tutorial's settings (dim 128, window 5, the 20,000 most frequent words,
5 epochs; skip-gram with 5 negatives, min_count 5, sample 1e-3, wordvec's
defaults) and no progress bars::

    python -m wordvec train FILE --out DIR --dim 128 --window 5 --num-words 20000 --epochs 5 --threads 2 --quiet

Reported per run: the whole command's seconds (start to exit) and the peak
resident memory of its process tree (``_common.run_measured``), and, from the
training record the command writes to ``DIR/model.json``, the seconds of
reading (and encoding) the corpus, of training, and what is left (Python's start and imports,
setting up the training, saving the model); training words/s (corpus words x
epochs / training seconds) and whole-job words/s (the same words / the whole
command's seconds).

Before the timed runs, one untimed run (1 epoch) on the first 80,000 reviews
of the file, enough for the block reading path, puts the file and the kernel
library in the page cache, as any earlier run of a user's has; its seconds are reported.

Results go to ``--out-dir`` (default ``benchmarks/results``) as
``fullsize_finefoods_e<epochs>_t<threads>[_r<reviews>].{json,md}``.
Not part of the test suite: the full size takes minutes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import HERE, SHARED_DATA, machine_description, median, package_versions, run_measured, write_report

from wordvec.kernels import backend as kernels_backend

SNAP_SAMPLE = SHARED_DATA / "finefoods" / "finefoods_sample.txt.gz"
FULL_REVIEWS = 568_454  # SNAP's finefoods.txt.gz
WARM_UP_REVIEWS = 80_000
DEFAULT_WORK_DIR = Path(tempfile.gettempdir()) / "wordvec_fullsize_finefoods"
#: The tutorial's settings, as ``wordvec train`` flags (the rest are wordvec's defaults).
TUTORIAL = {"dim": 128, "window": 5, "num_words": 20000}


# -- the corpus ---------------------------------------------------------------------
def sample_reviews(source: Path) -> list[bytes]:
    """The reviews of a SNAP file, each from its ``product/productId:`` line to the blank line after it."""
    with gzip.open(source, "rb") as handle:
        text = handle.read()
    reviews = [r for r in re.split(rb"(?m)^(?=product/productId: )", text) if r.strip()]
    if not reviews:
        raise SystemExit(f"{source}: no SNAP reviews (product/productId: ...) found")
    return [r.rstrip(b"\n") + b"\n\n" for r in reviews]


def write_reviews(reviews: list[bytes], count: int, path: Path) -> None:
    """Write ``count`` reviews, ``reviews`` repeated in order, gzip-compressed, to ``path`` (atomically)."""
    partial = path.with_name(path.name + ".partial")
    cycle = b"".join(reviews)
    whole, rest = divmod(count, len(reviews))
    with gzip.open(partial, "wb", compresslevel=6) as out:  # gzip's own default level
        for _ in range(whole):
            out.write(cycle)
        out.write(b"".join(reviews[:rest]))
    partial.replace(path)


def make_corpus(texts: list[bytes], reviews: int, work_dir: Path) -> tuple[Path, Path, float]:
    """The stand-in file of ``reviews`` reviews (``texts`` repeated) and the warm-up file (its first
    reviews), written once into ``work_dir`` and reused; returns both paths and the seconds spent
    writing them (0 if reused)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    corpus = work_dir / f"finefoods_{reviews}.txt.gz"
    warm_up = work_dir / f"finefoods_{min(reviews, WARM_UP_REVIEWS)}.txt.gz"
    started = time.perf_counter()
    wanted = {corpus: reviews, warm_up: min(reviews, WARM_UP_REVIEWS)}  # one file when they are the same
    missing = [(path, n) for path, n in wanted.items() if not path.exists()]
    for path, n in missing:
        print(f"writing {path} ({n:,} reviews, {len(texts):,} repeated)", flush=True)
        write_reviews(texts, n, path)
    return corpus, warm_up, time.perf_counter() - started if missing else 0.0


# -- the runs -----------------------------------------------------------------------
def train_command(corpus: Path, out: Path, epochs: int, threads: int) -> list[str]:
    """``wordvec train`` as a user runs it, with the tutorial's settings."""
    return [sys.executable, "-m", "wordvec", "train", str(corpus), "--out", str(out), "--dim", str(TUTORIAL["dim"]),
            "--window", str(TUTORIAL["window"]), "--num-words", str(TUTORIAL["num_words"]), "--epochs", str(epochs),
            "--threads", str(threads), "--quiet"]


def run_once(corpus: Path, out: Path, epochs: int, threads: int) -> dict:
    """One whole command, measured, with what its training record says; the model is removed after."""
    shutil.rmtree(out, ignore_errors=True)
    measured = run_measured(train_command(corpus, out, epochs, threads), stdout=subprocess.DEVNULL)
    meta = json.loads((out / "model.json").read_text(encoding="utf-8"))
    shutil.rmtree(out, ignore_errors=True)
    info = meta.get("info", {})
    result = {"whole_seconds": measured["seconds"], "peak_rss_mib": measured["peak_rss_mib"],
              "read_seconds": info.get("read_seconds"),
              "train_seconds": info.get("train_seconds"), "words_per_second": info.get("words_per_second"),
              "raw_words": info.get("raw_words"), "epochs": info.get("epochs_done"), "vocab_size": meta.get("n_words")}
    parts = [result[k] for k in ("read_seconds", "train_seconds")]
    result["other_seconds"] = None if None in parts else result["whole_seconds"] - sum(parts)
    if result["raw_words"]:
        result["whole_words_per_second"] = result["raw_words"] * epochs / result["whole_seconds"]
    return result


def run_all(args, corpus: Path, warm_up: Path) -> tuple[dict, list[dict]]:
    """The untimed warm-up run, then ``--repeats`` timed runs."""
    out = args.work_dir / "model"
    print(f"warm-up: {warm_up.name}, 1 epoch (untimed)", flush=True)
    warm = run_once(warm_up, out, 1, args.threads)
    print(f"  {warm['whole_seconds']:.1f} s", flush=True)
    runs = []
    for repeat in range(args.repeats):
        result = dict(run_once(corpus, out, args.epochs, args.threads), repeat=repeat)
        runs.append(result)
        print(f"[{repeat + 1}/{args.repeats}] whole {result['whole_seconds']:.1f} s: reading "
              f"{_seconds(result['read_seconds'])}, training "
              f"{_seconds(result['train_seconds'])} ({_mwords(result['words_per_second'])} words/s), other "
              f"{_seconds(result['other_seconds'])}; peak {result['peak_rss_mib']:.0f} MiB", flush=True)
    return warm, runs


# -- the report -----------------------------------------------------------------------
COLUMNS = ("whole_seconds", "read_seconds", "train_seconds", "other_seconds", "words_per_second",
           "whole_words_per_second", "peak_rss_mib")


def _seconds(value) -> str:
    return "-" if value is None else f"{value:.1f} s"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _mwords(value) -> str:
    return "-" if value is None else f"{value / 1e6:.3f}M"


def summarize(runs: list[dict]) -> dict:
    """The median of each figure over the runs (None where a run lacks it)."""
    return {key: (None if any(r.get(key) is None for r in runs) else median(r[key] for r in runs))
            for key in COLUMNS}


def _row(label: str, r: dict) -> str:
    def s(key):
        return "-" if r.get(key) is None else f"{r[key]:.1f}"

    share = ("-" if r.get("train_seconds") is None else f"{100 * r['train_seconds'] / r['whole_seconds']:.0f} %")
    figures = [s("whole_seconds"), s("read_seconds"), s("train_seconds"), s("other_seconds"),
               _mwords(r.get("words_per_second")), _mwords(r.get("whole_words_per_second")), share,
               f"{r['peak_rss_mib']:.0f}"]
    return f"| {label} | " + " | ".join(figures) + " |"


def render(report: dict) -> str:
    """The Markdown report."""
    c, s, warm = report["corpus"], report["settings"], report["warm_up"]
    runs = len(report["runs"])
    lines = [f"`{report['command']}`", "",
             f"Corpus: a stand-in for SNAP's `finefoods.txt.gz`, the {c['sample_reviews']:,} reviews of "
             f"`{c['source']}` repeated to {c['reviews']:,} reviews ({c['bytes'] / 2**20:.1f} MiB gzip, "
             f"{c['raw_words']:,} words as wordvec reads them; a vocabulary of {c['vocab_size']:,} words, the "
             f"sample's, where the real file fills the 20,000 kept).",
             "",
             f"Each run: `{' '.join(s['command'])}` (dim {s['dim']}, window {s['window']}, "
             f"{s['num_words']:,} words, {_count(s['epochs'], 'epoch')}, {_count(s['threads'], 'thread')}; "
             "skip-gram, 5 negatives, min_count 5, sample 1e-3: wordvec's defaults), in a process of its own; "
             f"{_count(runs, 'run')}{', medians' if runs > 1 else ''}. Reading and training seconds "
             "from the training record in `model.json`; other = whole - those (Python's start and imports, "
             "setting up the training, saving the model).",
             "",
             "| run | whole s | reading s | training s | other s | training words/s | "
             "whole-job words/s | training / whole | peak RSS MiB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    lines += [_row(str(r["repeat"] + 1), r) for r in report["runs"]]
    if runs > 1:
        lines.append(_row("median", report["median"]))
    lines += ["",
              f"Untimed warm-up before the runs (the file and the kernel library in the page cache, as after "
              f"a user's earlier run): {warm['reviews']:,} reviews, 1 epoch, {warm['whole_seconds']:.1f} s.",
              "",
              f"Machine: {report['machine']}; "
              + ", ".join(f"{name} {version}" for name, version in report["versions"].items()) + ".", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reviews", type=int, default=FULL_REVIEWS,
                        help=f"reviews in the file (default {FULL_REVIEWS:,}, SNAP's)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1, help="timed runs")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--source", type=Path, default=SNAP_SAMPLE, help="the SNAP reviews to repeat")
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR,
                        help=f"where the corpus is written once and reused (default {DEFAULT_WORK_DIR})")
    parser.add_argument("--out-dir", type=Path, default=HERE / "results")
    parser.add_argument("--name", default=None, help="file name stem of the results (default from the settings)")
    args = parser.parse_args(argv)
    if args.reviews < 1 or args.repeats < 1 or args.epochs < 1 or args.threads < 1:
        parser.error("--reviews, --repeats, --epochs and --threads must be at least 1")

    if not args.source.is_file():
        parser.error(f"{args.source} not found: pass the shared SNAP sample with --source "
                     "(../shared/data/finefoods/finefoods_sample.txt.gz beside the checkout)")
    texts = sample_reviews(args.source)
    corpus, warm_up, writing_seconds = make_corpus(texts, args.reviews, args.work_dir)
    warm, runs = run_all(args, corpus, warm_up)
    first = runs[0]
    report = {
        "command": "python benchmarks/fullsize_finefoods.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "corpus": {"source": args.source.name, "sample_reviews": len(texts),
                   "reviews": args.reviews, "path": str(corpus), "bytes": corpus.stat().st_size,
                   "raw_words": first["raw_words"], "vocab_size": first["vocab_size"],
                   "writing_seconds": writing_seconds},
        "settings": {**TUTORIAL, "epochs": args.epochs, "threads": args.threads, "repeats": args.repeats,
                     "command": ["wordvec"] + train_command(Path("FILE"), Path("DIR"), args.epochs, args.threads)[3:]},
        "warm_up": {**warm, "reviews": min(args.reviews, WARM_UP_REVIEWS)},
        "runs": runs,
        "median": summarize(runs),
        "machine": machine_description(),
        "versions": dict(package_versions(("wordvec", "numpy")), kernels=kernels_backend()),
    }
    suffix = "" if args.reviews == FULL_REVIEWS else f"_r{args.reviews}"
    stem = args.name or f"fullsize_finefoods_e{args.epochs}_t{args.threads}{suffix}"
    write_report(args.out_dir, stem, report, render(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
