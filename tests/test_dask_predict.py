"""A classifier on a Dask cluster: ``map_partitions(clf.predict_batch)`` gives the single-machine command's rows.

Two worker processes on the loopback interface (``distributed.LocalCluster(n_workers=2,
threads_per_worker=1, processes=True)``) predict a folder of Parquet files made by
``examples/dask_predict.py``; the oracle is ``predict_dataset`` (``wordvec classify predict --out``) on
the same folder: the same ids in the same order, the same labels, the same float32 probabilities.
Each worker holds one copy of the model, however many partitions it predicts. Skipped without dask
(``pip install "dask[dataframe]" distributed``); slow (a cluster takes seconds to start).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from wordvec import load_classifier
from wordvec.dataset_jobs import predict_dataset

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "dask_predict.py"


def _example():
    spec = importlib.util.spec_from_file_location("dask_predict_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _models_held() -> int:
    from wordvec import shared_models

    return len(shared_models._models)


def test_cluster_predictions_equal_the_single_machine_command(tmp_path):
    example = _example()
    model = example.train_review_classifier(tmp_path / "clf")
    data = example.make_reviews_folder(tmp_path / "reviews", parts=6)
    dd = pytest.importorskip("dask.dataframe")  # (imported here: collecting the module stays cheap)
    distributed = pytest.importorskip("distributed")
    pq = pytest.importorskip("pyarrow.parquet")
    clf = load_classifier(model)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        frame = dd.read_parquet(str(data), columns=["review_id", "Text"])
        predicted = frame.map_partitions(clf.predict_batch, column="Text", k=2, threads=1).compute()
        held = client.run(_models_held)
    assert sorted(held.values()) == [1, 1]  # each worker loaded the model once
    single = predict_dataset(model, [data], tmp_path / "single.parquet", k=2, id_column="review_id", progress=False)
    expected = pq.read_table(single.path).to_pydict()
    assert predicted["review_id"].tolist() == expected["id"]
    assert predicted["label"].tolist() == expected["label"]
    assert [list(names) for names in predicted["labels"]] == expected["labels"]
    assert [[float(p) for p in row] for row in predicted["probabilities"]] == expected["probabilities"]


def test_the_example_runs_on_two_workers(tmp_path, capsys):
    pytest.importorskip("dask.dataframe")
    pytest.importorskip("distributed")
    example = _example()
    assert example.main([]) == 0
    assert "gives the same labels: True" in capsys.readouterr().out
