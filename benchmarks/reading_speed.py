"""Reading speed: the whole reading and encoding step, document by document against block reading.

    python benchmarks/reading_speed.py                          # bench_en.txt.gz and a SNAP stand-in, 2 threads
    python benchmarks/reading_speed.py --threads 1 2 --repeats 5
    python benchmarks/reading_speed.py --files my_corpus.txt.gz --include-summary

What is timed is what ``Word2Vec.fit`` does before training: from a file on disk to the
vocabulary and the int32 token array (``encode_documents``), decompression included.

* ``documents``: the reader yields cleaned documents one by one and the encoder tokenizes them
  in Python (the path any other iterable of texts takes: ``encode_documents(d for d in iter_documents(...))``).
* ``blocks``: ``encode_files(path, threads=N)``, which reads text and SNAP files in blocks of bytes
  with compiled kernels on ``N`` threads (what ``encode_documents(iter_documents(...))`` and so
  ``Word2Vec.fit`` and ``wordvec train`` use for inputs of a few MB and more).

The two alternate (and which goes first alternates), ``--repeats`` times each, in this one
process; the kernel library is loaded before timing, and that first
call is reported on its own. Both results are checked identical (vocabulary, counts, token ids,
document offsets, raw word count) on every file. Figures are medians; the load average before
and after is printed, and "cores used" (CPU seconds over wall seconds) shows how much of the
machine a run got: on a machine busy with other work, two threads get less than two cores.

The SNAP stand-in (``--snap-copies`` copies of the packaged 1,000-review sample, gzip) is written
to the temporary folder once. ``bench_en.txt.gz`` is read from ``../shared/data/corpora`` when
present.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from wordvec.readers import default_corpus, iter_documents
from wordvec.encoding import encode_documents, encode_files

HERE = Path(__file__).resolve().parent
BENCH_CORPUS = HERE.parent.parent / "shared" / "data" / "corpora" / "bench_en.txt.gz"


def snap_stand_in(copies: int) -> Path:
    """The packaged SNAP sample repeated ``copies`` times, gzip-compressed, in the temporary folder.

    Examples
    --------
    >>> snap_stand_in(2).name
    'wordvec_finefoods_x2.txt.gz'
    """
    path = Path(tempfile.gettempdir()) / f"wordvec_finefoods_x{copies}.txt.gz"
    if not path.exists():
        sample = gzip.decompress(default_corpus()[0].read_bytes())
        partial = path.with_suffix(".partial")
        partial.write_bytes(gzip.compress(sample * copies, compresslevel=6))
        partial.replace(path)
    return path


def read_documents(path: Path, include_summary: bool, threads: int):
    """The document-by-document path (``threads`` unused): any other iterable of texts takes it."""
    return encode_documents(document for document in iter_documents(path, include_summary=include_summary))


def read_blocks(path: Path, include_summary: bool, threads: int):
    """The block path: ``encode_files``, what ``encode_documents`` given ``iter_documents`` itself uses
    (for inputs large enough to pay for loading the kernels)."""
    return encode_files(path, include_summary=include_summary, threads=threads)


def check_identical(first, second) -> None:
    """Raise if two ``(vocabulary, corpus)`` results differ in anything."""
    (vocab_a, corpus_a), (vocab_b, corpus_b) = first, second
    same = (vocab_a.words == vocab_b.words and np.array_equal(vocab_a.counts, vocab_b.counts)
            and np.array_equal(corpus_a.tokens, corpus_b.tokens)
            and np.array_equal(corpus_a.doc_offsets, corpus_b.doc_offsets)
            and corpus_a.raw_word_count == corpus_b.raw_word_count)
    if not same:
        raise SystemExit("the two paths gave different results")


def timed(reader, path: Path, include_summary: bool, threads: int) -> tuple[float, float, object]:
    """``(wall seconds, CPU seconds of this process, result)`` of one read."""
    started, cpu = time.perf_counter(), _cpu_seconds()
    result = reader(path, include_summary, threads)
    return time.perf_counter() - started, _cpu_seconds() - cpu, result


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def measure_file(path: Path, include_summary: bool, threads: list[int], repeats: int) -> list[dict]:
    """Median seconds and words/s of each path on one file, the paths alternating; checks identity."""
    first_call, first_cpu, reference = timed(read_blocks, path, include_summary, max(threads))
    kinds = [("documents", read_documents, 1)] + [(f"blocks, {n} threads", read_blocks, n) for n in threads]
    runs = {name: [] for name, _, _ in kinds}
    for repeat in range(repeats):
        order = kinds if repeat % 2 == 0 else kinds[::-1]
        for name, reader, n in order:
            took, cpu, result = timed(reader, path, include_summary, n)
            check_identical(reference, result)
            runs[name].append((took, cpu))
    runs["blocks, first call in the process"] = [(first_call, first_cpu)]
    words = reference[1].raw_word_count
    return [_row(path.name, name, words, timings) for name, timings in runs.items()]


def _row(file: str, path: str, words: int, timings: list[tuple[float, float]]) -> dict:
    seconds = [wall for wall, _ in timings]
    median = statistics.median(seconds)
    cores = statistics.median(cpu / wall for wall, cpu in timings)
    return {"file": file, "path": path, "words": words, "median_s": median, "words_per_s": words / median,
            "cores_used": cores, "runs_s": seconds}


def report(rows: list[dict]) -> str:
    """A Markdown table of the measurements (cores used: CPU seconds over wall seconds, median)."""
    lines = ["| file | path | words | median s | words/s | cores used | runs (s) |",
             "| --- | --- | ---: | ---: | ---: | ---: | --- |"]
    for row in rows:
        runs = ", ".join(f"{s:.2f}" for s in row["runs_s"])
        lines.append(f"| {row['file']} | {row['path']} | {row['words']:,} | {row['median_s']:.2f} "
                     f"| {row['words_per_s'] / 1e6:.2f}M | {row['cores_used']:.2f} | {runs} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", nargs="*", type=Path, help="files to read (default: bench_en and the SNAP stand-in)")
    parser.add_argument("--threads", nargs="+", type=int, default=[2])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--snap-copies", type=int, default=50)
    parser.add_argument("--include-summary", action="store_true")
    args = parser.parse_args(argv)
    files = args.files or [p for p in (BENCH_CORPUS, snap_stand_in(args.snap_copies)) if p.exists()]
    print(f"load average before: {os.getloadavg()[0]:.2f}; cores: {os.cpu_count()}")
    rows = [row for path in files for row in measure_file(path, args.include_summary, args.threads, args.repeats)]
    print(report(rows))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
