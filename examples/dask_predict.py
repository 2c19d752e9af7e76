"""Predict a folder of Parquet files on a Dask cluster: a classifier, pickled as its path, on every worker.

    python examples/dask_predict.py                  # the packaged reviews, a classifier trained on them
    python examples/dask_predict.py --model clf --data reviews/ --text-column Text --id-column review_id

Needs ``pip install "dask[dataframe]" distributed`` (and pyarrow). The cluster is a ``LocalCluster`` of
two worker processes on the loopback interface; on a real cluster, give ``Client`` its scheduler's
address and put the model where every worker reads it at the same path.

How it works: ``clf.predict_batch`` takes a pandas ``DataFrame`` (a partition) and gives it back with
``label`` and ``probability`` columns, so ``map_partitions`` can call it. The bound method carries the
classifier, which pickles as its path (a few dozen bytes): each worker process loads the model once,
memory-mapped, however many partitions it predicts. Each partition is predicted on one thread, the
workers side by side. The result is checked against the single-machine command
(``wordvec classify predict MODEL DATA --out predictions.parquet``), row by row.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
import tempfile
import time
from pathlib import Path

import wordvec
from wordvec import api
from wordvec.readers import default_corpus


def make_reviews_folder(folder: Path, parts: int = 4, times: int = 1) -> Path:
    """A Dask-style folder of Parquet files (``review_id``, ``Text``, ``Score``) from the packaged reviews,
    ``times`` times over."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = list(csv.DictReader(io.StringIO(gzip.decompress(default_corpus()[1].read_bytes()).decode("utf-8"))))
    rows = rows * times
    folder.mkdir(parents=True, exist_ok=True)
    size = -(-len(rows) // parts)
    for part in range(parts):
        chunk = rows[part * size:(part + 1) * size]
        pq.write_table(pa.table({"review_id": [f"r{part * size + i}" for i in range(len(chunk))],
                                 "Text": [row["Text"] for row in chunk],
                                 "Score": [int(row["Score"]) for row in chunk]}),
                       folder / f"part.{part}.parquet")
    return folder


def train_review_classifier(out: Path) -> Path:
    """A small classifier of review scores, trained on the packaged reviews and saved as a directory."""
    rows = list(csv.DictReader(io.StringIO(gzip.decompress(default_corpus()[1].read_bytes()).decode("utf-8"))))
    clf = wordvec.Classifier(dim=16, epochs=5, word_ngrams=2, buckets=100_000, threads=1, seed=1)
    clf.fit([row["Text"].replace("\n", " ") for row in rows], [row["Score"] for row in rows])
    return clf.save(out)


def predict_on_cluster(model, data, *, text_column: str = "Text", columns=None, workers: int = 2, k: int = 1):
    """Every row of the Parquet folder ``data`` predicted on a local cluster of ``workers`` processes;
    a pandas DataFrame of ``columns`` plus ``label`` and ``probability`` (in the files' order)."""
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster

    clf = wordvec.load_classifier(model)
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster):
        frame = dd.read_parquet(str(data), columns=columns)
        predicted = frame.map_partitions(clf.predict_batch, column=text_column, k=k, threads=1)
        return predicted.compute()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", help="a classifier directory or fastText .bin (default: one trained here)")
    parser.add_argument("--data", help="a folder of Parquet files (default: the packaged reviews)")
    parser.add_argument("--text-column", default="Text")
    parser.add_argument("--id-column", default="review_id")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="dask-predict-"))
    model = Path(args.model) if args.model else train_review_classifier(work / "clf")
    data = Path(args.data) if args.data else make_reviews_folder(work / "reviews")

    started = time.perf_counter()
    frame = predict_on_cluster(model, data, text_column=args.text_column,
                               columns=[args.id_column, args.text_column], workers=args.workers)
    print(f"{len(frame):,} rows predicted on {args.workers} workers in {time.perf_counter() - started:.1f} s")
    print(frame[[args.id_column, "label", "probability"]].head().to_string(index=False))

    single = api.predict_dataset(model, [data], work / "predictions.parquet", text_column=args.text_column,
                                         id_column=args.id_column, progress=False)
    import pyarrow.parquet as pq

    expected = pq.read_table(single.path).to_pandas()
    same = (frame[args.id_column].astype(str).tolist() == expected["id"].astype(str).tolist()
            and frame["label"].tolist() == expected["label"].tolist())
    print(f"the single-machine command ({single.rows:,} rows) gives the same labels: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
