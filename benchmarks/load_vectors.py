"""Loading a pretrained vectors file: wordvec's ``load_vectors`` against gensim's ``load_word2vec_format``.

Writes a word2vec binary file of ``--words`` random vectors (the GoogleNews
layout: ``word<space><dim float32>``, here with word2vec.c's newline after each
vector) and, with ``--text-words``, a word2vec text file, into a temporary
folder that is deleted at the end. Each load runs in a child process of its
own (so each peak memory is that load's alone), the two loaders alternating
and taking turns going first; the file is read once beforehand so both find it
in the page cache. Reports the median and range of the load times and the
peak resident memory.

    python benchmarks/load_vectors.py --words 3000000 --dim 50 --repeats 3
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import peak_rss_mib, run_child, write_child_result  # noqa: E402

_SYLLABLES = ["ka", "lo", "mi", "ré", "to", "ün", "sa", "日", "be", "na"]


def _word(i: int) -> str:
    """Distinct words of varying length, some not ASCII."""
    letters = [_SYLLABLES[int(d)] for d in str(i)]
    return "".join(letters) + ("s" if i % 3 == 0 else "")


def write_files(folder: Path, words: int, dim: int, text_words: int) -> dict:
    import numpy as np

    rng = np.random.default_rng(0)
    paths = {"binary": folder / "vectors.bin"}
    with open(paths["binary"], "wb") as out:
        out.write(f"{words} {dim}\n".encode())
        for begin in range(0, words, 100_000):
            block = rng.normal(size=(min(100_000, words - begin), dim)).astype("<f4")
            out.write(b"".join(_word(begin + i).encode() + b" " + row.tobytes() + b"\n"
                               for i, row in enumerate(block)))
    if text_words:
        paths["text"] = folder / "vectors.txt"
        with open(paths["text"], "w", encoding="utf-8") as out:
            out.write(f"{text_words} {dim}\n")
            line = " ".join(["%.6g"] * dim) + "\n"
            for begin in range(0, text_words, 100_000):
                block = rng.normal(size=(min(100_000, text_words - begin), dim)).astype("<f4")
                out.writelines(_word(begin + i) + " " + line % tuple(row) for i, row in enumerate(block.tolist()))
    return paths


def child(kind: str, path: str, binary: bool) -> dict:
    if kind == "write":  # in a child too, so that the parent stays small (a child starts from its RSS)
        words, dim, text_words = map(int, binary.split(","))
        return {key: str(value) for key, value in write_files(Path(path), words, dim, text_words).items()}
    binary = bool(int(binary))
    if kind == "gensim":
        from gensim.models import KeyedVectors

        began = time.perf_counter()
        vectors = KeyedVectors.load_word2vec_format(path, binary=binary)
        seconds = time.perf_counter() - began
        n, first = len(vectors.index_to_key), vectors.index_to_key[0]
    else:
        from wordvec.formats import load_vectors

        began = time.perf_counter()
        vectors = load_vectors(path)
        seconds = time.perf_counter() - began
        n, first = len(vectors), vectors.words[0]
    return {"seconds": seconds, "peak_rss_mib": peak_rss_mib(), "words": n, "first": first}


def measure(path: Path, binary: bool, repeats: int) -> dict:
    with open(path, "rb") as handle:  # into the page cache, for both
        while handle.read(1 << 24):
            pass
    runs = {"gensim": [], "wordvec": []}
    for repeat in range(repeats):
        order = ["gensim", "wordvec"] if repeat % 2 == 0 else ["wordvec", "gensim"]
        for kind in order:
            result = run_child(__file__, kind, ["--path", str(path), "--binary", str(int(binary))])
            assert result["first"] == _word(0)
            runs[kind].append(result)
            print(f"  {path.name} {kind:<8} {result['seconds']:7.2f} s  peak {result['peak_rss_mib']:7.0f} MiB",
                  flush=True)
    assert runs["gensim"][0]["words"] == runs["wordvec"][0]["words"]
    return runs


def summary(name: str, size: int, runs: dict) -> list[str]:
    lines = []
    medians = {k: statistics.median(r["seconds"] for r in v) for k, v in runs.items()}
    for kind, results in runs.items():
        times = [r["seconds"] for r in results]
        peak = statistics.median(r["peak_rss_mib"] for r in results)
        lines.append(f"| {name} ({size / 2**20:,.0f} MiB) | {kind} | {medians[kind]:.2f} s "
                     f"({min(times):.2f}-{max(times):.2f}) | {peak:,.0f} MiB |")
    lines.append(f"| | gensim / wordvec time | {medians['gensim'] / medians['wordvec']:.2f}x | |")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=3_000_000)
    parser.add_argument("--dim", type=int, default=50)
    parser.add_argument("--text-words", type=int, default=0, help="also a word2vec text file of this many words")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dir", default=None, help="where the temporary files go (default: the system's temp)")
    parser.add_argument("--child", choices=["gensim", "wordvec", "write"], help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--binary", default="1", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        write_child_result(args.child_out, child(args.child, args.path, args.binary))
        return 0
    folder = Path(tempfile.mkdtemp(prefix="wordvec-load-bench-", dir=args.dir))
    try:
        began = time.perf_counter()
        sizes = f"{args.words},{args.dim},{args.text_words}"
        written = run_child(__file__, "write", ["--path", str(folder), "--binary", sizes])
        paths = {name: Path(path) for name, path in written.items()}
        print(f"wrote the files in {time.perf_counter() - began:.0f} s", flush=True)
        table = ["| file | loader | load time, median (range) | peak RSS |", "|---|---|---:|---:|"]
        for name, path in paths.items():
            runs = measure(path, name == "binary", args.repeats)
            label = f"word2vec {name}, {args.words if name == 'binary' else args.text_words:,} x {args.dim}"
            table += summary(label, os.path.getsize(path), runs)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\n{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
          f"{args.repeats} runs each, alternating\n")
    print("\n".join(table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
