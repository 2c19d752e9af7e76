"""Training text classifiers: Classifier.fit, the classifier directory, the `wordvec classify` commands.

fastText (the `fasttext` package) is the oracle where it defines what we promise: a classifier exported
as `.bin` predicts in fastText as in wordvec, `classify test` counts as fastText's `test` does, and the
accuracy of a wordvec-trained classifier is fastText's on the same data.
"""

from __future__ import annotations

import csv
import gzip
import json
import pickle
import subprocess
import sys

import numpy as np
import pytest

import wordvec
from wordvec import Classifier, load_classifier
from wordvec.classifier_jobs import score_classifier, train_classifier
from wordvec.cli import main
from wordvec.errors import ModelFormatError, ParameterError, WordvecError

fasttext = pytest.importorskip("fasttext")

LOSSES = ["softmax", "ns", "hs", "ova"]
#: fastText 0.9.2 starts only ``thread / 10`` of its input matrix at random and leaves the rest as the
#: memory was (its ``DenseMatrix::uniform`` cuts the matrix in ten blocks, one per thread): with fewer
#: than ten threads a small model may start from garbage and stop with "Encountered NaN".
FASTTEXT_THREADS = 10


def _topics(n: int = 400, seed: int = 0) -> tuple[list, list]:
    """Short texts about four topics, each topic with its own words and some shared noise words."""
    rng = np.random.default_rng(seed)
    topics = {"tea": "tea leaf brew kettle cup", "car": "car wheel engine road drive",
              "dog": "dog bark leash puppy bone", "sun": "sun beach sand summer hot"}
    noise = "the a of and to very some".split()
    texts, labels = [], []
    for i in range(n):
        label = list(topics)[i % 4]
        words = list(rng.choice(topics[label].split(), 3)) + list(rng.choice(noise, 3))
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(label)
    return texts, labels


def _reviews(path) -> list[tuple[str, str]]:
    """(score, summary + text) of the packaged reduced CSV (1,000 reviews)."""
    with open(path, newline="", encoding="utf-8") as handle:
        return [(row["Score"], " ".join(f"{row['Summary']} {row['Text']}".split())) for row in csv.DictReader(handle)]


@pytest.fixture(scope="module")
def review_files(finefoods, tmp_path_factory):
    """fastText-format train (the SNAP sample) and test (the 1,000 other reviews) files."""
    folder = tmp_path_factory.mktemp("reviews")
    train, test = folder / "train.txt", folder / "test.txt"
    rows = _reviews(finefoods / "fine_food_reviews_1k.csv")
    test.write_text("".join(f"__label__{s} {t}\n" for s, t in rows), encoding="utf-8")
    lines = []
    with gzip.open(finefoods / "finefoods_sample.txt.gz", "rt", encoding="utf-8") as handle:
        record = {}
        for line in handle:
            key, _, value = line.rstrip("\n").partition(": ")
            record[key] = value
            if key == "review/text":
                score = int(float(record["review/score"]))
                lines.append(f"__label__{score} {' '.join((record['review/summary'] + ' ' + value).split())}\n")
    train.write_text("".join(lines), encoding="utf-8")
    return train, test


# -- learning ------------------------------------------------------------------------------------

@pytest.mark.parametrize("loss", LOSSES)
def test_every_loss_learns_the_topics(loss):
    texts, labels = _topics()
    clf = Classifier(dim=10, epochs=10, lr=0.5, loss=loss, threads=1, seed=1).fit(texts, labels)
    held_out, truth = _topics(200, seed=9)
    predicted = [p[0] for p in clf.predict(held_out)[0]]
    accuracy = np.mean([p == "__label__" + t for p, t in zip(predicted, truth)])
    assert accuracy > 0.95, (loss, accuracy)
    assert sorted(clf.labels_) == ["__label__car", "__label__dog", "__label__sun", "__label__tea"]
    assert clf.loss_ == loss


def test_ova_takes_several_labels_per_text():
    texts = ["hot tea", "iced tea", "hot soup", "iced water"] * 30
    labels = [["hot", "tea"], ["cold", "tea"], ["hot", "food"], ["cold", "water"]] * 30
    clf = Classifier(dim=8, epochs=20, lr=0.5, loss="ova", threads=1).fit(texts, labels)
    found, probs = clf.predict("hot tea", k=-1, threshold=0.5)
    assert set(found) == {"__label__hot", "__label__tea"}
    assert all(p > 0.5 for p in probs)


def test_one_thread_and_a_seed_give_the_same_bits():
    texts, labels = _topics(200)
    runs = [Classifier(dim=12, epochs=3, word_ngrams=2, buckets=5000, threads=1, seed=seed).fit(texts, labels)
            for seed in (7, 7, 8)]
    same = [np.asarray(run.model_.input).tobytes() + np.asarray(run.model_.output).tobytes() for run in runs]
    assert same[0] == same[1]
    assert same[0] != same[2]


@pytest.mark.slow
def test_two_threads_learn_as_well():
    texts, labels = _topics()
    clf = Classifier(dim=10, epochs=10, lr=0.5, threads=2).fit(texts, labels)
    assert clf.info_["threads"] == 2
    assert np.mean([p[0] == "__label__" + t for p, t in zip(clf.predict(texts)[0], labels)]) > 0.95


def test_fasttext_format_lines_and_the_label_prefix():
    lines = ["__label__a tea cup", "__label__b car road"] * 20
    clf = Classifier(dim=4, epochs=10, lr=0.5, threads=1).fit(lines)
    assert clf.predict("tea")[0] == ("__label__a",)
    other = Classifier(dim=4, epochs=10, lr=0.5, threads=1, label_prefix="#").fit(["#x tea", "#y car"] * 20)
    assert other.labels_ == ["#x", "#y"] or other.labels_ == ["#y", "#x"]


@pytest.mark.slow
def test_accuracy_is_fasttexts_on_the_reviews(review_files, tmp_path):
    train, test = review_files
    ours = train_classifier([train], tmp_path / "clf", threads=1, progress=False)
    theirs = fasttext.train_supervised(str(train), thread=FASTTEXT_THREADS, verbose=0, seed=0)
    our_p = score_classifier(ours.path, test)["precision"]
    their_p = theirs.test(str(test))[1]
    assert our_p >= their_p - 0.03, (our_p, their_p)


def test_pretrained_vectors_start_the_word_rows(tmp_path):
    vec = tmp_path / "start.vec"
    vec.write_text("2 3\ntea 1 2 3\ncar -1 -2 -3\n", encoding="utf-8")
    clf = Classifier(dim=3, epochs=1, lr=1e-6, threads=1).fit(["tea x", "car y"] * 5, ["a", "b"] * 5,
                                                               pretrained_vectors=vec)
    words = [w.decode() for w in clf.model_.words]
    np.testing.assert_allclose(clf.model_.input[words.index("tea")], [1, 2, 3], atol=1e-4)
    with pytest.raises(ParameterError, match="dimension 3"):
        Classifier(dim=4, threads=1).fit(["tea", "car"], ["a", "b"], pretrained_vectors=vec)


# -- files ----------------------------------------------------------------------------------------

def test_the_directory_loads_memory_mapped_and_predicts_the_same(tmp_path):
    texts, labels = _topics(200)
    clf = Classifier(dim=8, epochs=5, word_ngrams=2, buckets=1000, min_n=2, max_n=3, threads=1).fit(texts, labels)
    folder = clf.save(tmp_path / "clf")
    loaded = load_classifier(folder)
    assert isinstance(loaded.model_.input, np.memmap)
    assert loaded.get_params() == clf.get_params()
    queries = texts[:20] + ["unseen words here", ""]
    assert loaded.predict(queries, k=2)[0] == clf.predict(queries, k=2)[0]
    again = pickle.loads(pickle.dumps(loaded))
    assert again.predict(queries)[0] == clf.predict(queries)[0]



def _mapped_rss(path) -> int | None:
    """Bytes of ``path``'s mappings resident in this process (/proc/self/smaps), None where unreadable."""
    try:
        lines = open("/proc/self/smaps", encoding="utf-8").read().splitlines()
    except OSError:
        return None
    total, inside = 0, False
    for line in lines:
        head = line.split()
        if head and "-" in head[0] and len(head) >= 5:
            inside = line.endswith(str(path))
        elif inside and line.startswith("Rss:"):
            total += int(head[1]) * 1024
    return total


def test_loading_reads_the_matrix_without_making_it_resident(tmp_path):
    texts, labels = _topics(40)
    folder = Classifier(dim=8, epochs=1, min_n=2, max_n=3, buckets=200_000, threads=1).fit(texts, labels) \
        .save(tmp_path / "clf")
    loaded = load_classifier(folder)
    resident = _mapped_rss(folder / "input.npy")
    if resident is None:
        pytest.skip("no /proc/self/smaps here")
    assert loaded.model_.input.shape[0] > 200_000
    assert resident < loaded.model_.input.nbytes // 8


def test_a_nan_in_any_block_of_the_mapped_matrix_is_refused(tmp_path, monkeypatch):
    from wordvec.formats import classifier_dir

    texts, labels = _topics(40)
    folder = Classifier(dim=4, epochs=1, threads=1).fit(texts, labels).save(tmp_path / "clf")
    monkeypatch.setattr(classifier_dir, "_FINITE_BLOCK", 5)
    matrix = np.load(folder / "input.npy", mmap_mode="r+")
    matrix[-1, -1] = np.nan
    matrix.flush()
    del matrix
    with pytest.raises(ModelFormatError, match="input.npy: holds NaN or infinite values"):
        classifier_dir.load_classifier_dir(folder, verify=False)
    with pytest.raises(ModelFormatError, match="input.npy: holds NaN or infinite values"):
        classifier_dir.load_classifier_dir(folder, mmap=False, verify=False)


def test_character_ngrams_hashed_a_few_tokens_at_a_time_give_the_same_examples(monkeypatch):
    from wordvec.encoding import labelled

    lines = b"".join(f"__label__{t} {w} zz{i % 7} caf\xc3\xa9{i % 3}\n".encode() for i, (w, t) in
                     enumerate(zip(*_topics(60))))
    settings = {"word_ngrams": 2, "bucket": 5000, "minn": 1, "maxn": 4, "min_count": 2}
    whole = labelled.encode_labelled([lines], **settings)
    monkeypatch.setattr(labelled, "_GRAM_TOKENS", 3)
    batched = labelled.encode_labelled([lines], **settings)
    assert batched.words == whole.words
    for name in ("rows", "row_starts", "targets", "target_starts", "tokens"):
        np.testing.assert_array_equal(getattr(batched, name), getattr(whole, name))


@pytest.mark.slow
@pytest.mark.parametrize("settings", [{}, {"word_ngrams": 2, "buckets": 3000}, {"min_n": 2, "max_n": 4,
                                      "buckets": 3000}, {"loss": "hs"}, {"loss": "ova"}, {"loss": "ns"}],
                         ids=["plain", "bigrams", "chars", "hs", "ova", "ns"])
def test_exported_bin_predicts_in_fasttext_as_in_wordvec(review_files, tmp_path, settings):
    train, test = review_files
    result = train_classifier([train], tmp_path / "clf", dim=16, epochs=2, threads=1, progress=False, **settings)
    out = wordvec.classifier_jobs.export_classifier(result.path, tmp_path / "m.bin")
    theirs = fasttext.load_model(str(out))
    texts = [line.split(" ", 1)[1].rstrip("\n") for line in test.read_text(encoding="utf-8").splitlines()[:300]]
    ours_labels, ours_probs = result.classifier.predict(texts, k=2)
    their_labels, their_probs = theirs.predict(texts, k=2)
    assert [list(x) for x in ours_labels] == [list(x) for x in their_labels]
    for a, b in zip(ours_probs, their_probs):
        np.testing.assert_allclose(a, b, atol=1e-5)


@pytest.mark.slow
def test_scores_count_as_fasttexts_test(review_files, tmp_path):
    train, test = review_files
    theirs = fasttext.train_supervised(str(train), thread=FASTTEXT_THREADS, verbose=0, epoch=2, dim=10)
    theirs.save_model(str(tmp_path / "ft.bin"))
    for k in (1, 2):
        n, precision, recall = theirs.test(str(test), k=k)
        ours = score_classifier(tmp_path / "ft.bin", test, k=k)
        assert ours["examples"] == n
        assert ours["precision"] == pytest.approx(precision, abs=1e-9)
        assert ours["recall"] == pytest.approx(recall, abs=1e-9)


# -- the command line -----------------------------------------------------------------------------

@pytest.mark.slow
def test_cli_train_predict_test_export(review_files, finefoods, tmp_path, capsys):
    train, test = review_files
    model = tmp_path / "clf"
    assert main(["classify", "train", str(finefoods / "finefoods_sample.txt.gz"), "--out", str(model), "--quiet",
                 "--dim", "8", "--epochs", "2", "--threads", "1"]) == 0
    assert "saved a classifier of 5 labels" in capsys.readouterr().out
    texts = tmp_path / "texts.txt"
    texts.write_text("great coffee, will buy again\nawful, stale and broken\n", encoding="utf-8")
    assert main(["classify", "predict", str(model), str(texts), "-k", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(len(line.split()) == 2 and line.startswith("__label__") for line in lines)
    assert main(["classify", "predict", str(model), str(texts), "--json"]) == 0
    record = json.loads(capsys.readouterr().out.splitlines()[0])
    assert set(record) == {"labels", "probabilities"} and len(record["labels"]) == 1
    assert main(["classify", "test", str(model), str(test), "--per-label", "--confusion",
                 str(tmp_path / "m.png")]) == 0
    out = capsys.readouterr().out
    assert "N\t1000" in out and "P@1\t" in out and "R@1\t" in out and "F1-Score" in out
    assert (tmp_path / "m.png").stat().st_size > 1000
    assert main(["classify", "export", str(model), "--out", str(tmp_path / "m.bin")]) == 0
    assert fasttext.load_model(str(tmp_path / "m.bin")).get_labels()


@pytest.mark.slow
def test_cli_predicts_standard_input(tmp_path):
    texts, labels = _topics(100)
    Classifier(dim=8, epochs=5, lr=0.5, threads=1).fit(texts, labels).save(tmp_path / "clf")
    completed = subprocess.run([sys.executable, "-m", "wordvec", "classify", "predict", str(tmp_path / "clf"), "-",
                                "--probabilities"], input="tea kettle\npuppy bone\n", capture_output=True,
                               text=True, check=True)
    first, second = completed.stdout.splitlines()
    assert first.split()[0] == "__label__tea" and 0 < float(first.split()[1]) <= 1.00001
    assert second.split()[0] == "__label__dog"


# -- bad input: one line each, nothing half-written ------------------------------------------------

def _fails(args, capsys) -> str:
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("wordvec: error:") and "\n" not in err
    return err


def test_bad_training_input_is_one_line_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "clf"
    unlabelled = tmp_path / "plain.txt"
    unlabelled.write_text("no labels here\nnor here\n", encoding="utf-8")
    assert "label" in _fails(["classify", "train", str(unlabelled), "--out", str(out), "--quiet"], capsys)
    single = tmp_path / "single.txt"
    single.write_text("__label__a tea\n__label__a cup\n", encoding="utf-8")
    assert "one label" in _fails(["classify", "train", str(single), "--out", str(out), "--quiet"], capsys)
    table = tmp_path / "t.csv"
    table.write_text("Text,Score\ngood tea,5\nbad tea,\n", encoding="utf-8")
    assert "Score" in _fails(["classify", "train", str(table), "--label-column", "Score", "--out", str(out),
                              "--quiet"], capsys)
    assert not out.exists()


def test_bad_parameters_and_models_are_one_line(tmp_path, capsys, trained_model_dir):
    texts, labels = _topics(40)
    Classifier(dim=4, epochs=1, threads=1).fit(texts, labels).save(tmp_path / "clf")
    query = tmp_path / "q.txt"
    query.write_text("tea\n", encoding="utf-8")
    assert "k needs to be 1 or higher" in _fails(["classify", "predict", str(tmp_path / "clf"), str(query), "-k", "0"],
                                                 capsys)
    truncated = tmp_path / "cut.ftz"
    wordvec.classifier_jobs.export_classifier(tmp_path / "clf", tmp_path / "whole.bin")
    truncated.write_bytes((tmp_path / "whole.bin").read_bytes()[:200])
    assert "truncated" in _fails(["classify", "predict", str(truncated), str(query)], capsys)
    with pytest.raises(ModelFormatError):
        load_classifier(trained_model_dir)
    with pytest.raises(ParameterError, match="loss"):
        Classifier(loss="cosine").fit(texts, labels)
    with pytest.raises(WordvecError, match="no model yet"):
        Classifier().predict("tea")


# -- a classifier's vectors --------------------------------------------------------------------------

def test_similar_and_explore_answer_from_a_classifier(tmp_path, capsys):
    texts, labels = _topics(400)
    Classifier(dim=10, epochs=10, lr=0.5, threads=1).fit(texts, labels).save(tmp_path / "clf")
    assert main(["similar", str(tmp_path / "clf"), "kettle", "__label__dog", "-n", "5"]) == 0
    out = capsys.readouterr().out
    kettle, dog = out.split("__label__dog")
    assert "(a label" in dog
    assert len({"bark", "leash", "puppy", "bone", "dog"} & set(dog.split())) >= 4
    assert len({"tea", "leaf", "brew", "cup"} & set(kettle.split())) >= 2

    from wordvec.explore.queries import explorer_for

    explorer = explorer_for(tmp_path / "clf", limit=None, start_map=False)
    assert explorer.info()["engine"] == "supervised" and explorer.info()["words"] == 28
