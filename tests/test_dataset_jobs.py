"""Whole datasets predicted and embedded, streamed (``wordvec classify predict --out``, ``wordvec embed``).

Oracles: the classifier's own list prediction (``Classifier.predict`` on the documents
``iter_documents`` reads, row by row), ``Classifier.embed``, and fastText's sentence-vector rule for
word vectors written out in NumPy (the ``fasttext`` package itself in the slow test). Also: every output
format read back, ids carried, interruptions (a writer made to fail after N batches) kept as
``OUT.partial`` and resumed to the very output of an uninterrupted run, nothing half-written, outputs
refused before any work, pickling, and ``predict_batch`` / ``embed_batch`` on every kind of table.
"""

from __future__ import annotations

import copy
import csv
import gzip
import io
import json
import pickle
import re

import numpy as np
import pytest

import wordvec
from wordvec import api, dataset_jobs
from wordvec.cli import main
from wordvec.dataset_jobs import DatasetInterrupted, embed_dataset, predict_dataset
from wordvec.errors import CorpusError, OutputError, ParameterError
from wordvec.readers import default_corpus, iter_documents
from wordvec.text import tokenize
from wordvec.vectors import Vectors

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

FORMATS = ["parquet", "jsonl", "csv"]


def _reviews() -> list[dict]:
    """The packaged 1,000 reviews of the reduced Kaggle CSV (``Text``, ``Score``, ...)."""
    text = gzip.decompress(default_corpus()[1].read_bytes()).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def reviews():
    rows = _reviews()[:600]
    rows[3]["Text"] = "first line\nsecond line <br />of the review"  # a line feed inside a table's text
    rows[4]["Text"] = ""
    return rows


@pytest.fixture(scope="module")
def classifier_dir(tmp_path_factory, reviews):
    clf = wordvec.Classifier(dim=8, epochs=5, lr=0.5, word_ngrams=2, buckets=20000, threads=1, seed=1)
    clf.fit([r["Text"].replace("\n", " ") for r in reviews], [r["Score"] for r in reviews])
    return clf.save(tmp_path_factory.mktemp("clf") / "clf")


@pytest.fixture(scope="module")
def classifier(classifier_dir):
    return wordvec.load_classifier(classifier_dir)


@pytest.fixture(scope="module")
def parquet_folder(tmp_path_factory, reviews):
    """Three Parquet files (a Dask-style folder, with a ``_SUCCESS`` side file), ids as strings."""
    folder = tmp_path_factory.mktemp("reviews") / "parquet"
    folder.mkdir()
    for part in range(3):
        rows = reviews[part * 200:(part + 1) * 200]
        texts = [r["Text"] or None for r in rows]  # the empty text as a null
        pq.write_table(pa.table({"review_id": [f"r{part}-{i}" for i in range(len(rows))], "Text": texts}),
                       folder / f"part.{part}.parquet", row_group_size=64)
    (folder / "_SUCCESS").write_text("")
    return folder


def _read_back(path) -> list[dict]:
    """An output file's rows as dicts (CSV lists split at spaces, numbers as floats)."""
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["probability"] = float(row["probability"]) if row["probability"] else None
        for name in ("labels", "probabilities"):
            if name in row:
                row[name] = [float(p) for p in row[name].split()] if name == "probabilities" else row[name].split()
    return rows


def _expected(classifier, corpus, k=1):
    texts = [doc.replace("\n", " ") for doc in iter_documents(corpus)]
    return classifier.predict(texts, k=k, threads=1)


@pytest.mark.parametrize("kind", FORMATS)
def test_predictions_of_a_parquet_folder_equal_the_list_prediction_row_by_row(classifier_dir, classifier,
                                                                             parquet_folder, tmp_path, kind):
    out = tmp_path / f"predictions.{kind}"
    result = predict_dataset(classifier_dir, [parquet_folder], out, k=2, id_column="review_id", threads=2,
                             progress=False, batch=50)
    rows = _read_back(out)
    labels, probabilities = _expected(classifier, parquet_folder, k=2)
    assert result.rows == len(rows) == len(labels) == 600
    assert [row["id"] for row in rows] == [f"r{p}-{i}" for p in range(3) for i in range(200)]
    assert [row["label"] for row in rows] == [names[0] for names in labels]
    assert [row["labels"] for row in rows] == labels
    got = np.array([row["probabilities"] for row in rows], dtype=np.float64)
    np.testing.assert_allclose(got, np.array(probabilities), atol=1e-6 if kind != "parquet" else 0)
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # no temporary file, no partial


def test_rows_are_numbered_from_zero_and_text_lines_taken_as_fasttext_reads_them(classifier_dir, classifier,
                                                                                 tmp_path):
    corpus = tmp_path / "lines.txt"
    corpus.write_bytes(b"great tea\r\n\nawful <b>coffee</b>\ncaf\xe9 au lait\n")
    out = tmp_path / "out.jsonl"
    predict_dataset(classifier_dir, [corpus], out, progress=False)
    rows = _read_back(out)
    assert [row["id"] for row in rows] == [0, 1, 2, 3]
    expected = list(api.predict_file(classifier_dir, corpus))  # the line-by-line command's labels
    assert [row["label"] for row in rows] == expected
    assert set(rows[0]) == {"id", "label", "probability"}


def test_csv_and_jsonl_inputs_carry_their_id_column(classifier_dir, classifier, reviews, tmp_path):
    table = tmp_path / "reviews.csv"
    with open(table, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Key", "Text"])
        writer.writerows([[f"k{i}", r["Text"]] for i, r in enumerate(reviews[:50])])
    lines = tmp_path / "reviews.jsonl"
    lines.write_text("".join(json.dumps({"n": i * 10, "text": r["Text"]}) + "\n" for i, r in enumerate(reviews[:50])))
    for corpus, id_column, ids in ((table, "key", [f"k{i}" for i in range(50)]),
                                   (lines, "N", [i * 10 for i in range(50)])):
        out = tmp_path / f"{corpus.stem}-{corpus.suffix[1:]}.parquet"
        predict_dataset(classifier_dir, [corpus], out, id_column=id_column, progress=False)
        rows = _read_back(out)
        assert [row["id"] for row in rows] == ids
        assert [row["label"] for row in rows] == [names[0] for names in _expected(classifier, corpus)[0]]


def _failing_after(monkeypatch, batches: int, error: BaseException) -> None:
    """Make every writer the jobs open raise ``error`` when asked to write batch ``batches + 1``."""
    real_open = dataset_jobs.open_writer

    def open_failing(*args, **kwargs):
        writer = real_open(*args, **kwargs)
        real_write, calls = writer.write, []

        def write(columns):
            if len(calls) == batches:
                raise error
            calls.append(1)
            real_write(columns)

        writer.write = write
        return writer

    monkeypatch.setattr(dataset_jobs, "open_writer", open_failing)


@pytest.mark.parametrize("kind", FORMATS)
def test_an_interrupted_job_keeps_its_rows_and_resumes_to_the_same_output(classifier_dir, parquet_folder, tmp_path,
                                                                         monkeypatch, kind):
    whole = tmp_path / "whole" / f"p.{kind}"
    predict_dataset(classifier_dir, [parquet_folder], whole, k=-1, id_column="review_id", progress=False, batch=70)
    out = tmp_path / "run" / f"p.{kind}"
    _failing_after(monkeypatch, 3, KeyboardInterrupt())  # batches of 70 never span two files: 70 + 70 + 60
    kept = r"the 200 rows written are kept in .*p\." + kind + r"\.partial.*--resume"
    with pytest.raises(DatasetInterrupted, match=kept):
        predict_dataset(classifier_dir, [parquet_folder], out, k=-1, id_column="review_id", progress=False, batch=70)
    assert sorted(p.name for p in out.parent.iterdir()) == [f"p.{kind}.partial"]  # nothing half-written
    assert len(_read_back_partial(out.parent / f"p.{kind}.partial", kind)) == 200
    _failing_after(monkeypatch, 2, KeyboardInterrupt())  # interrupted again after the copy: 200 + 70 + 70
    with pytest.raises(DatasetInterrupted, match="the 340 rows"):
        predict_dataset(classifier_dir, [parquet_folder], out, k=-1, id_column="review_id", progress=False,
                        batch=70, resume=True)
    monkeypatch.undo()
    result = predict_dataset(classifier_dir, [parquet_folder], out, k=-1, id_column="review_id", progress=False,
                             batch=70, resume=True)
    assert (result.rows, result.resumed) == (600, 340)
    assert _read_back(out) == _read_back(whole)
    assert sorted(p.name for p in out.parent.iterdir()) == [f"p.{kind}"]


def test_an_interruption_while_resuming_leaves_the_partial_file_as_it_was(classifier_dir, parquet_folder, tmp_path,
                                                                         monkeypatch):
    out = tmp_path / "p.jsonl"
    _failing_after(monkeypatch, 1, KeyboardInterrupt())
    with pytest.raises(DatasetInterrupted):
        predict_dataset(classifier_dir, [parquet_folder], out, progress=False, batch=100)
    kept = (tmp_path / "p.jsonl.partial").read_bytes()
    real_open = dataset_jobs.open_writer

    def open_stopping_copy(*args, **kwargs):
        writer = real_open(*args, **kwargs)
        writer.copy_from = lambda path: (_ for _ in ()).throw(KeyboardInterrupt())
        return writer

    monkeypatch.setattr(dataset_jobs, "open_writer", open_stopping_copy)
    with pytest.raises(KeyboardInterrupt):
        predict_dataset(classifier_dir, [parquet_folder], out, progress=False, batch=100, resume=True)
    assert (tmp_path / "p.jsonl.partial").read_bytes() == kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.jsonl.partial"]


def _read_back_partial(path, kind):
    copy = path.parent.parent / f"copy.{kind}"  # read back under a name that tells its format
    copy.write_bytes(path.read_bytes())
    return _read_back(copy)


def test_an_error_half_way_keeps_the_rows_and_says_how_to_go_on(classifier_dir, parquet_folder, tmp_path,
                                                              monkeypatch):
    _failing_after(monkeypatch, 1, OSError(28, "No space left on device"))
    with pytest.raises(OutputError, match=r"No space left on device; the 64 rows written are kept in .*\.partial"):
        predict_dataset(classifier_dir, [parquet_folder], tmp_path / "p.csv", progress=False, batch=64)
    _failing_after(monkeypatch, 0, KeyboardInterrupt())  # before any row: nothing to keep, nothing left
    with pytest.raises(KeyboardInterrupt):
        predict_dataset(classifier_dir, [parquet_folder], tmp_path / "q.csv", progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv.partial"]


def test_a_damaged_file_half_way_keeps_the_rows_before_it(classifier_dir, parquet_folder, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.parquet").write_bytes((parquet_folder / "part.0.parquet").read_bytes())
    (corpus / "b.jsonl").write_text('{"text": "good"}\n{"text": "tea"}\n{"text": broken\n')
    with pytest.raises(CorpusError, match=r"b\.jsonl, line 3: not valid JSON.*the 200 rows written are kept"):
        predict_dataset(classifier_dir, [corpus], tmp_path / "out.parquet", progress=False)


def test_outputs_are_checked_before_any_work(classifier_dir, parquet_folder, tmp_path, capsys):
    missing = tmp_path / "no such corpus"
    (tmp_path / "folder.parquet").mkdir()
    with pytest.raises(OutputError, match="it is a directory"):
        predict_dataset(classifier_dir, [missing], tmp_path / "folder.parquet", progress=False)
    with pytest.raises(ParameterError, match=r"end it in \.parquet"):
        predict_dataset(classifier_dir, [missing], tmp_path / "out.txt", progress=False)
    with pytest.raises(OutputError, match="inside"):
        predict_dataset(classifier_dir, [parquet_folder], parquet_folder / "out.parquet", progress=False)
    with pytest.raises(ParameterError, match="nothing to resume"):
        predict_dataset(classifier_dir, [parquet_folder], tmp_path / "out.parquet", resume=True, progress=False)
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert main(["classify", "predict", str(classifier_dir), str(missing), "--out", str(blocked / "p.parquet")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot" in err and "no such corpus" not in err


def test_command_line_predict_and_embed(classifier_dir, parquet_folder, trained_model_dir, tmp_path, capsys):
    out = tmp_path / "p.parquet"
    assert main(["classify", "predict", str(classifier_dir), str(parquet_folder), "--out", str(out),
                 "--id-column", "review_id", "--threads", "1", "--quiet"]) == 0
    assert capsys.readouterr().out == f"wrote the predictions of 600 rows to {out}\n"
    assert main(["embed", str(trained_model_dir), str(parquet_folder), "--out", str(tmp_path / "v.csv"),
                 "--quiet"]) == 0
    assert "wrote the vectors of 600 rows" in capsys.readouterr().out
    assert main(["classify", "predict", str(classifier_dir), str(parquet_folder), "--id-column", "x"]) == 1
    assert "--id-column goes with --out" in capsys.readouterr().err


def test_embedding_with_a_classifier_is_its_embed(classifier_dir, classifier, parquet_folder, tmp_path):
    out = tmp_path / "v.parquet"
    embed_dataset(classifier_dir, [parquet_folder], out, progress=False, batch=128)
    table = pq.read_table(out)
    assert table.schema.field("vector").type == pa.list_(pa.float32(), 8)
    expected = classifier.embed([doc.replace("\n", " ") for doc in iter_documents(parquet_folder)])
    np.testing.assert_array_equal(np.array(table["vector"].to_pylist(), dtype=np.float32), expected)
    assert table["id"].to_pylist() == list(range(600))


def _FASTTEXT_SPLIT(text: str) -> list[str]:
    """fastText's words: what lies between ASCII spaces, tabs, line ends, vertical tabs and form feeds."""
    return [word for word in re.split(r"[ \t\n\v\f\r]+", text) if word]


def _sentence_oracle(vectors, text: str, split) -> np.ndarray:
    """fastText's getSentenceVector for word vectors, word by word: unit vectors averaged, zero ones left out."""
    total, count = np.zeros(vectors.dim), 0
    for word in split(text):
        if word not in vectors and not hasattr(vectors, "vector_for_unknown"):
            continue
        vector = np.asarray(vectors.get_vector(word), dtype=np.float64)
        if np.linalg.norm(vector) > 0:
            total, count = total + vector / np.linalg.norm(vector), count + 1
    return total / max(count, 1)


def test_embedding_with_word_vectors_follows_fasttexts_rule(trained_model_dir, subword_model, tmp_path):
    texts = [doc.replace("\n", " ") for doc in iter_documents(default_corpus()[1])][:80] + ["", "zzqx UNK"]
    vectors = wordvec.load_vectors(trained_model_dir)
    got = vectors.embed(texts, "words")
    oracle = np.array([_sentence_oracle(vectors, t, tokenize) for t in texts])
    np.testing.assert_allclose(got, oracle, atol=1e-6)
    subwords, texts_with_spaces = subword_model.vectors_, texts + ["tea\tcoffee\u00a0cup\x1cmilk"]
    got = subwords.embed(texts_with_spaces)
    oracle = np.array([_sentence_oracle(subwords, t, _FASTTEXT_SPLIT) for t in texts_with_spaces])
    np.testing.assert_allclose(got, oracle, atol=1e-6)
    corpus = tmp_path / "texts.jsonl"
    corpus.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
    embed_dataset(trained_model_dir, [corpus], tmp_path / "v.jsonl", progress=False)  # the directory's tokenizer
    rows = _read_back(tmp_path / "v.jsonl")
    np.testing.assert_allclose(np.array([row["vector"] for row in rows]), vectors.embed(texts, "words"), atol=1e-6)


@pytest.mark.slow
def test_sentence_vectors_equal_fasttexts_own(subword_model, tmp_path):
    fasttext = pytest.importorskip("fasttext")
    model_dir = tmp_path / "model"
    subword_model.save(model_dir)
    api.export(model_dir, tmp_path / "m.bin", "fasttext")
    vectors, theirs = wordvec.load_vectors(tmp_path / "m.bin"), fasttext.load_model(str(tmp_path / "m.bin"))
    texts = [doc.replace("\n", " ") for doc in iter_documents(default_corpus()[1])][:200]
    texts += ["", "zzqx qqqq", "tea\tcoffee\u00a0cup\x0bmilk", "The TEA, the tea."]
    np.testing.assert_allclose(vectors.embed(texts), [theirs.get_sentence_vector(t) for t in texts], atol=1e-6)


def test_classifiers_pickle_as_their_path_or_whole(classifier_dir, classifier):
    texts = ["great tea, will buy again", "awful", ""]
    data = pickle.dumps(classifier)
    assert len(data) < 300  # the path, not the model
    again = pickle.loads(data)
    assert again is pickle.loads(data)  # one copy per process however many tasks unpickle it
    (labels, probabilities), (expected, expected_probabilities) = (again.predict(texts, k=2),
                                                                   classifier.predict(texts, k=2))
    assert labels == expected
    np.testing.assert_array_equal(np.array(probabilities), np.array(expected_probabilities))
    copied = copy.deepcopy(again)  # a copy of its own, not the object unpickling shares
    assert copied is not again and copy.copy(again) is not again
    assert copied.predict(texts)[0] == classifier.predict(texts)[0]
    in_memory = wordvec.Classifier(dim=4, epochs=5, lr=0.5, threads=1).fit(["hot tea", "iced water"] * 5,
                                                                           ["hot", "cold"] * 5)
    in_memory.predict(["tea"])  # the compiled kernel's state is made, and not pickled
    whole = pickle.loads(pickle.dumps(in_memory))
    assert whole.predict(["tea", "water"], k=2)[0] == in_memory.predict(["tea", "water"], k=2)[0]
    assert whole.info_ == in_memory.info_


def test_vectors_pickle_whole_or_as_the_file_they_came_from(trained_model_dir):
    vectors = wordvec.load_vectors(trained_model_dir, mmap=True)
    vectors.embed(["tea"])  # caches made: not pickled
    whole = pickle.loads(pickle.dumps(vectors))
    assert whole.__getstate__()["_unit"] is None  # the caches are made again, not pickled
    np.testing.assert_array_equal(whole.embed(["good tea", "cup"]), vectors.embed(["good tea", "cup"]))
    marked = wordvec.load_vectors(trained_model_dir, mmap=True).loaded_from(wordvec.load_vectors, trained_model_dir,
                                                                             mmap=True)
    data = pickle.dumps(marked)
    assert len(data) < 400
    again = pickle.loads(data)
    assert again is pickle.loads(data) and copy.deepcopy(again) is not again
    np.testing.assert_array_equal(again.embed(["good tea"]), vectors.embed(["good tea"]))
    assert len(pickle.dumps(copy.copy(again))) == len(data)  # a copy still pickles as the file


def test_predict_batch_gives_back_the_same_kind_of_table(classifier):
    pandas = pytest.importorskip("pandas")
    texts = ["great tea <br />would buy", None, "awful\ncoffee", "ok"]
    cleaned = ["great tea  would buy", "", "awful coffee", "ok"]
    labels, probabilities = classifier.predict(cleaned, k=2)
    frame = classifier.predict_batch(pandas.DataFrame({"id": [1, 2, 3, 4], "text": texts}), k=2)
    assert list(frame.columns) == ["id", "text", "label", "probability", "labels", "probabilities"]
    assert frame["label"].tolist() == [names[0] for names in labels]
    assert frame["labels"].tolist() == labels
    table = classifier.predict_batch(pa.table({"body": texts}), column="body")
    assert table.column_names == ["body", "label", "probability"]
    assert table["label"].to_pylist() == [names[0] for names in labels]
    np.testing.assert_array_equal(table["probability"].to_numpy(), [p[0] for p in probabilities])
    batch = classifier.predict_batch({"text": np.array(texts, dtype=object)}, clean=False, threshold=1.5)
    assert batch["label"].tolist() == [None] * 4 and np.isnan(batch["probability"]).all()
    empty = classifier.predict_batch(pandas.DataFrame({"text": pandas.Series([], dtype=object)}))
    assert list(empty.columns) == ["text", "label", "probability"] and len(empty) == 0
    with pytest.raises(ParameterError, match="no column 'Text'"):
        classifier.predict_batch(pa.table({"text": ["x"]}), column="Text")


def test_embed_batch_on_tables():
    vectors = Vectors(["tea", "hot"], np.array([[3.0, 4.0], [0.0, 2.0]], np.float32))
    table = vectors.embed_batch(pa.table({"text": ["hot tea", "cold"]}))
    assert table.schema.field("vector").type == pa.list_(pa.float32(), 2)
    np.testing.assert_allclose(table["vector"].to_pylist(), [[0.3, 0.9], [0.0, 0.0]], atol=1e-7)
    pandas = pytest.importorskip("pandas")
    frame = vectors.embed_batch(pandas.DataFrame({"text": ["tea"]}))
    assert frame["vector"][0].tolist() == [0.6000000238418579, 0.800000011920929]


def test_a_list_predicted_at_once_equals_each_text_predicted_alone(classifier, reviews):
    texts = [r["Text"].replace("\n", " ") for r in reviews[:40]] + ["", "caf\u00e9 cr\u00e8me", b"good tea",
                                                                    "good </s> awful", "  \t", "\u00e9" * 300]
    for k, threshold in ((1, 0.0), (-1, 0.0), (2, 0.3)):
        ids, probabilities, counts = classifier.predict_arrays(texts, k=k, threshold=threshold, threads=2)
        for text, row, chances, count in zip(texts, ids, probabilities, counts):
            labels, alone = classifier.predict(text, k=k, threshold=threshold)
            assert [classifier.labels_[i] for i in row[:count]] == list(labels)
            np.testing.assert_allclose(chances[:count], alone, rtol=0, atol=1e-7)
    with pytest.raises(ParameterError, match="text 3 holds a newline"):
        classifier.predict_arrays(["good", b"tea", "bad\ntea"])
    assert classifier.predict_arrays([])[0].shape[0] == 0
