"""Predicting a whole Parquet dataset: ``wordvec classify predict --out`` against a fastText loop, and Dask.

    python benchmarks/dataset_throughput.py                                  # 200,000 and 2,000,000 rows
    python benchmarks/dataset_throughput.py --rows 20000 --repeats 1         # a quick try (1x, 10x)
    python benchmarks/dataset_throughput.py --rows 20000 --cluster           # and 1 against 2 Dask workers (10x)

The data: the packaged Fine Foods reviews (``src/wordvec/data/finefoods/fine_food_reviews_1k.csv.gz``)
repeated to ``--rows`` rows (1x) and ten times that (10x), written once, untimed, as a folder of
Parquet files of 100,000 rows (``review_id``, ``Text``, ``Score``), as Spark or Dask write them. The
model: a classifier of review scores trained on the same reviews by wordvec (dim 100, word bigrams,
200,000 buckets, 5 epochs) and exported as a fastText ``.bin``, which both sides load.

Each run is a whole command in a process of its own, as a user runs it, timed from start to exit,
with the peak resident memory of its process tree (``os.wait4``'s ``ru_maxrss``):

- wordvec: ``python -m wordvec classify predict MODEL.bin DATA/ --out OUT.parquet --threads T --quiet``
  (reading in batches, the next one read while one is predicted in C on T threads, each written to
  Parquet at once);
- fastText: a child Python that reads the same folder with pyarrow a record batch at a time
  (``iter_batches``, the text column only), calls ``fasttext.load_model(...).predict(text)`` on each
  row (line feeds as spaces: fastText refuses them), and writes id, label and probability with a
  ``ParquetWriter`` a batch at a time: the loop people write around the ``fasttext`` package.

Runs alternate between the tools; reported are medians of ``--repeats``. Rows/s counts the whole
command, interpreter start and model loading included. The two tools' top labels are compared
(wordvec cleans a table's text as its readers do, HTML tags off, so a few rows differ). With
``--cluster``: the 10x folder (``--cluster-scale``) predicted by ``dask.dataframe.read_parquet(...).map_partitions(
clf.predict_batch, threads=1).to_parquet(...)`` on a ``LocalCluster`` of 1 and of 2 worker processes
(one thread each), a partition per row group of 10,000 rows, the classifier sent as its model
directory (each worker memory-maps it), timed in the parent from the workers' being ready to the
written output (the model loaded on each worker by the first task it unpickles, inside the time;
the cluster's start, reported apart, outside).

The issue's goals: >= 4x fastText's rows/s, peak memory flat from 1x to 10x, 2 Dask workers >= 1.6x
one. Not part of the test suite; needs the ``fasttext`` package (``pip install -e ".[bench]"``) and,
for ``--cluster``, dask and distributed. Results: ``benchmarks/results/dataset_throughput*.json/.md``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (machine_description, median, package_versions, run_measured,  # noqa: E402
                     write_child_result, write_report)

FILE_ROWS = 100_000
SETTINGS = {"dim": 100, "epochs": 5, "word_ngrams": 2, "buckets": 200_000, "seed": 1}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000, help="rows of the 1x dataset")
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="wordvec's prediction threads")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cluster", action="store_true", help="also 1 against 2 Dask workers")
    parser.add_argument("--cluster-scale", type=int, help="the dataset the workers predict (default: the largest "
                                                          "of --scales)")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    parser.add_argument("--child", choices=["fasttext"], help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--predictions", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def packaged_reviews() -> list[dict]:
    from wordvec.readers import default_corpus

    text = gzip.decompress(default_corpus()[1].read_bytes()).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def write_dataset(folder: Path, rows: int) -> Path:
    """``rows`` reviews (the packaged ones over and over) as Parquet files of :data:`FILE_ROWS` rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    reviews = packaged_reviews()
    folder.mkdir(parents=True)
    for first in range(0, rows, FILE_ROWS):
        count = min(FILE_ROWS, rows - first)
        chosen = [reviews[(first + i) % len(reviews)] for i in range(count)]
        pq.write_table(pa.table({"review_id": [f"r{first + i}" for i in range(count)],
                                 "Text": [r["Text"] for r in chosen], "Score": [int(r["Score"]) for r in chosen]}),
                       folder / f"part-{first // FILE_ROWS:05d}.parquet", row_group_size=10_000)
    return folder


def train_model(work: Path) -> Path:
    """The classifier both tools load: trained by wordvec on the packaged reviews, exported as a fastText ``.bin``."""
    import wordvec
    from wordvec import api

    reviews = packaged_reviews()
    clf = wordvec.Classifier(threads=1, **SETTINGS)
    clf.fit([r["Text"].replace("\n", " ") for r in reviews], [r["Score"] for r in reviews])
    clf.save(work / "clf")
    return api.export_classifier(work / "clf", work / "clf.bin")


def child_fasttext(args) -> None:
    """The fastText loop: pyarrow batches in, ``predict`` per row, a ``ParquetWriter`` out."""
    import fasttext
    import pyarrow as pa
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    model = fasttext.load_model(args.model)
    schema = pa.schema([("id", pa.string()), ("label", pa.string()), ("probability", pa.float32())])
    rows = 0
    with pq.ParquetWriter(args.predictions, schema) as writer:
        for batch in ds.dataset(args.data, format="parquet").to_batches(columns=["review_id", "Text"],
                                                                         batch_size=8192):
            labels, probabilities = [], []
            for text in batch.column(1).to_pylist():
                names, probs = model.predict((text or "").replace("\n", " "))
                labels.append(names[0] if names else None)
                probabilities.append(float(probs[0]) if len(probs) else None)
            writer.write_table(pa.table([batch.column(0), pa.array(labels), pa.array(probabilities, pa.float32())],
                                        schema=schema))
            rows += batch.num_rows
    write_child_result(args.child_out, {"rows": rows})


def measure(tool: str, model: Path, data: Path, predictions: Path, threads: int) -> dict:
    if tool == "wordvec":
        command = [sys.executable, "-m", "wordvec", "classify", "predict", str(model), str(data), "--out",
                   str(predictions), "--threads", str(threads), "--quiet"]
    else:
        command = [sys.executable, __file__, "--child", "fasttext", "--child-out", os.devnull, "--model", str(model),
                   "--data", str(data), "--predictions", str(predictions)]
    measured = run_measured(command, stdout=subprocess.DEVNULL)
    return {"seconds": measured["seconds"], "peak_rss_mib": measured["peak_rss_mib"]}


def label_agreement(a: Path, b: Path) -> float:
    import pyarrow.parquet as pq

    first, second = pq.read_table(a, columns=["label"]), pq.read_table(b, columns=["label"])
    same = sum(x == y for x, y in zip(first["label"].to_pylist(), second["label"].to_pylist()))
    return same / max(first.num_rows, 1)


def compare(model: Path, data: Path, rows: int, args, work: Path) -> dict:
    runs = {"wordvec": [], "fasttext": []}
    for repeat in range(args.repeats):
        for tool in (("wordvec", "fasttext") if repeat % 2 == 0 else ("fasttext", "wordvec")):
            runs[tool].append(measure(tool, model, data, work / f"{tool}.parquet", args.threads))
    result = {"rows": rows}
    for tool, measured in runs.items():
        seconds = median(m["seconds"] for m in measured)
        result[tool] = {"seconds": seconds, "rows_per_second": rows / seconds,
                        "peak_rss_mib": median(m["peak_rss_mib"] for m in measured), "runs": measured}
    result["speedup"] = result["wordvec"]["rows_per_second"] / result["fasttext"]["rows_per_second"]
    result["same_top_label"] = label_agreement(work / "wordvec.parquet", work / "fasttext.parquet")
    return result


def cluster_run(model: Path, data: Path, rows: int, workers: int, out: Path) -> dict:
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster

    import wordvec

    clf = wordvec.load_classifier(model)
    started = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        ready = time.perf_counter()
        frame = dd.read_parquet(str(data), columns=["review_id", "Text"], split_row_groups=True)
        frame.map_partitions(clf.predict_batch, column="Text", threads=1).drop(columns=["Text"]).to_parquet(
            str(out))
        done = time.perf_counter()
    return {"workers": workers, "rows": rows, "seconds": done - ready, "rows_per_second": rows / (done - ready),
            "seconds_with_cluster_start": done - started}


def tables(report: dict) -> str:
    lines = ["| rows | wordvec rows/s | fastText rows/s | speedup | wordvec peak MiB | fastText peak MiB "
             "| same top label |", "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in report["datasets"]:
        lines.append(f"| {r['rows']:,} | {r['wordvec']['rows_per_second']:,.0f} | "
                     f"{r['fasttext']['rows_per_second']:,.0f} | {r['speedup']:.2f}x | "
                     f"{r['wordvec']['peak_rss_mib']:,.0f} | {r['fasttext']['peak_rss_mib']:,.0f} | "
                     f"{r['same_top_label']:.2%} |")
    if report.get("cluster"):
        one, two = report["cluster"]
        lines += ["", "| Dask workers | rows | rows/s | seconds | with the cluster's start |", "|---:|---:|---:|---:|---:|"]
        lines += [f"| {c['workers']} | {c.get('rows', 0):,} | {c['rows_per_second']:,.0f} | {c['seconds']:.1f} | "
                  f"{c['seconds_with_cluster_start']:.1f} |" for c in (one, two)]
        lines.append(f"\n2 workers / 1 worker: {two['rows_per_second'] / one['rows_per_second']:.2f}x")
    lines.append(f"\nMachine: {report['machine']}; wordvec on {report['threads']} threads; medians of "
                 f"{report['repeats']} runs; command: `{report['command']}`.\n")
    return "\n".join(lines)


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.child:
        child_fasttext(args)
        return
    versions = package_versions(["fasttext-numpy2-wheel", "pyarrow", "wordvec"] +
                                (["dask", "distributed"] if args.cluster else []))
    report = {"machine": machine_description(), "threads": args.threads, "repeats": args.repeats,
              "versions": versions, "settings": SETTINGS, "datasets": [], "cluster": None,
              "command": "python benchmarks/dataset_throughput.py " + " ".join(argv or sys.argv[1:])}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        model = train_model(work)
        for scale in args.scales:
            rows = args.rows * scale
            data = write_dataset(work / f"data_{scale}x", rows)
            report["datasets"].append(compare(model, data, rows, args, work))
        if args.cluster:
            scale = args.cluster_scale or max(args.scales)
            data = work / f"data_{scale}x"
            if not data.exists():
                write_dataset(data, args.rows * scale)
            report["cluster"] = [cluster_run(work / "clf", data, args.rows * scale, workers,
                                             work / f"dask_{workers}") for workers in (1, 2)]
    stem = f"dataset_throughput_{args.rows // 1000}k_t{args.threads}"
    write_report(Path(args.out), stem, report, tables(report))


if __name__ == "__main__":
    main()
