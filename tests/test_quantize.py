"""Quantizing classifiers (``wordvec classify quantize``, ``Classifier.quantize``) as fastText's ``quantize`` does.

Oracles: NumPy (the product quantizer's pieces written as plain loops), fastText's own ``quantize``
on tiny models (the rows a cutoff keeps, the codes its centroids give), and the ``fasttext``
package reading wordvec's ``.ftz`` (the same labels, probabilities within 1e-5).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from wordvec.classifier import Classifier, load_classifier
from wordvec.classifier_lines import LineEncoder
from wordvec.classifier_quantize import (QuantizeSettings, prune, pruned_examples, quantize_model, save_ftz,
                                         select_rows)
from wordvec.cli import main
from wordvec.errors import ParameterError
from wordvec.formats.fasttext_supervised import (FastTextSupervised, QuantizedMatrix, read_fasttext_supervised,
                                                 save_fasttext_supervised)
from wordvec.product_quantizer import (centroid_tables, encode, kmeans, nearest_centroids, quantize_matrix,
                                       row_norms, subvector_layout, train_quantizer)

fasttext = pytest.importorskip("fasttext")

WORDS = ["</s>"] + [f"w{i}" for i in range(59)]


def _model(dim: int = 6, buckets: int = 1200, labels: int = 3, seed: int = 0, loss: str = "softmax",
           minn: int = 0, maxn: int = 0) -> FastTextSupervised:
    """A dense model of random rows of varied norms (word bigrams hashed into ``buckets`` rows)."""
    rng = np.random.default_rng(seed)
    rows = rng.normal(size=(len(WORDS) + buckets, dim)) * rng.uniform(0.1, 2.0, size=(len(WORDS) + buckets, 1))
    return FastTextSupervised.from_arrays(WORDS, [f"__label__{i}" for i in range(labels)], rows.astype(np.float32),
                                          rng.normal(size=(labels, dim)).astype(np.float32), word_ngrams=2,
                                          loss=loss, minn=minn, maxn=maxn,
                                          word_counts=np.arange(len(WORDS), 0, -1),
                                          label_counts=np.arange(labels, 0, -1) * 10)


def _texts(n: int = 60, seed: int = 1) -> list[str]:
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS[1:] + ["unknown", "zz"], size=int(rng.integers(1, 8)))) for _ in range(n)]


def _same_predictions(ours, theirs, texts: list[str], k: int = 2) -> None:
    our_labels, our_probs = ours.predict(texts, k=k)
    their_labels, their_probs = theirs.predict(texts, k=k)
    assert [list(x) for x in our_labels] == [list(x) for x in their_labels]
    for a, b in zip(our_probs, their_probs):
        np.testing.assert_allclose(a, b, atol=1e-5)


# -- the product quantizer's pieces against NumPy -----------------------------------------------

def _oracle_nearest(points, centroids):
    dist = np.zeros((len(points), len(centroids)), np.float32)
    for j in range(points.shape[1]):  # fastText's order: column by column, in float32
        dist += np.square(points[:, j:j + 1] - centroids[None, :, j])
    return dist.argmin(axis=1)


def _oracle_kmeans(points, rng, niter=25, k=256):
    """fastText's k-means written plainly (the random draws consumed as the rule says: rounds of k)."""
    n, d = points.shape
    centroids = points[rng.permutation(n)[:k]].copy()
    for _ in range(niter):
        codes = _oracle_nearest(points, centroids)
        counts = np.array([np.sum(codes == c) for c in range(k)])
        centroids = np.array([points[codes == c].astype(np.float64).mean(axis=0) if counts[c] else np.zeros(d)
                              for c in range(k)], np.float32)
        sign = np.array([1e-7 if j % 2 else -1e-7 for j in range(d)], np.float32)
        for c in range(k):
            if counts[c]:
                continue
            m = None
            while m is None:
                draws = rng.random(k)
                for step in range(k):
                    if draws[step] * (n - k) < counts[step] - 1:
                        m = step
                        break
            centroids[c] = centroids[m] + sign
            centroids[m] -= sign
            counts[c] = counts[m] // 2
            counts[m] -= counts[c]
    return centroids


def test_nearest_centroids_is_numpys_argmin_first_of_ties():
    rng = np.random.default_rng(3)
    points = rng.normal(size=(5000, 3)).astype(np.float32)
    centroids = rng.normal(size=(256, 3)).astype(np.float32)
    centroids[10] = centroids[200]  # a tie: the first wins
    points[:5] = centroids[200]
    codes = nearest_centroids(points, centroids)
    assert codes.dtype == np.uint8
    assert codes.tolist() == _oracle_nearest(points, centroids).tolist()
    assert codes[:5].tolist() == [10] * 5


def test_row_norms_are_fasttexts_float64_sums():
    rng = np.random.default_rng(4)
    matrix = rng.normal(size=(1000, 7)).astype(np.float32)
    total = np.zeros(1000, np.float64)
    for j in range(7):  # fastText: each float32 square added to a double, in column order
        total += np.square(matrix[:, j]).astype(np.float64)
    expected = np.sqrt(total).astype(np.float32)
    np.testing.assert_array_equal(row_norms(matrix), expected)


@pytest.mark.parametrize("dim, dsub", [(6, 2), (7, 3), (5, 5), (4, 1)])
def test_encode_decode_round_trip(dim, dsub):
    """Rows made of centroids encode to those centroids' numbers and decode exactly."""
    rng = np.random.default_rng(dim * 10 + dsub)
    nsubq, lastdsub = subvector_layout(dim, dsub)
    centroids = rng.normal(size=dim * 256).astype(np.float32)
    tables = centroid_tables(centroids, dim, dsub)
    assert [t.shape[1] for t in tables] == [dsub] * (nsubq - 1) + [lastdsub]
    codes = rng.integers(0, 256, size=(400, nsubq)).astype(np.uint8)
    matrix = np.concatenate([tables[m][codes[:, m]] for m in range(nsubq)], axis=1)
    assert encode(matrix, centroids, dsub).tolist() == codes.tolist()
    decoded = QuantizedMatrix((400, dim), codes, centroids, dsub, lastdsub).rows(np.arange(400))
    np.testing.assert_array_equal(decoded, matrix)


def test_kmeans_equals_the_plain_oracle():
    points = np.random.default_rng(5).normal(size=(700, 2)).astype(np.float32)
    ours = kmeans(points, np.random.default_rng(9))
    theirs = _oracle_kmeans(points, np.random.default_rng(9))
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_kmeans_on_256_clear_clusters_finds_a_fixed_point():
    """256 tight clusters: as many centroids as points recovers every point; more points give a fixed point
    of the rounds (each centroid the mean of the points nearest to it, none far from its points)."""
    centers = np.stack(np.meshgrid(np.arange(16), np.arange(16)), -1).reshape(-1, 2).astype(np.float32) * 10
    found = kmeans(centers, np.random.default_rng(0))
    assert sorted(map(tuple, found.tolist())) == sorted(map(tuple, centers.tolist()))
    rng = np.random.default_rng(1)
    points = (np.repeat(centers, 4, axis=0) + rng.normal(scale=0.1, size=(1024, 2))).astype(np.float32)
    centroids = kmeans(points, np.random.default_rng(2), niter=60)
    codes = nearest_centroids(points, centroids)
    for c in np.unique(codes):
        np.testing.assert_allclose(centroids[c], points[codes == c].mean(axis=0), atol=1e-4)
    assert np.sqrt(np.square(points - centroids[codes]).sum(axis=1)).max() < 10  # never across two clusters
    nearest_center = _oracle_nearest(centroids, centers)
    assert len(set(nearest_center.tolist())) > 150


def test_quantize_matrix_samples_at_most_65536_points_and_refuses_small_matrices(monkeypatch):
    import wordvec.product_quantizer as pq

    sizes = []
    real = pq.kmeans
    monkeypatch.setattr(pq, "MAX_POINTS", 300)
    monkeypatch.setattr(pq, "kmeans", lambda points, rng: sizes.append(len(points)) or real(points, rng, niter=2))
    train_quantizer(np.random.default_rng(0).normal(size=(1000, 4)).astype(np.float32), 2)
    assert sizes == [300, 300]
    with pytest.raises(ParameterError, match="at least 256 rows"):
        quantize_matrix(np.zeros((255, 4), np.float32))
    with pytest.raises(ParameterError, match="dsub"):
        quantize_matrix(np.zeros((300, 4), np.float32), dsub=5)


def test_qnorm_quantizes_unit_rows_and_their_norms():
    rng = np.random.default_rng(6)
    matrix = (rng.normal(size=(600, 4)) * rng.uniform(0.5, 3, size=(600, 1))).astype(np.float32)
    matrix[7] = 0  # a row of norm 0 stays zero
    q = quantize_matrix(matrix, 2, qnorm=True)
    assert q.qnorm and q.norm_codes.shape == (600,) and q.norm_centroids.shape == (256,)
    unit = q.unscaled_rows(np.arange(600))
    assert np.abs(np.linalg.norm(unit[8:], axis=1) - 1).mean() < 0.05
    assert np.abs(q.norms(np.arange(600)) - row_norms(matrix)).mean() < 0.01  # 256 values for 600 norms
    assert np.abs(q.rows([7])).max() < 0.05


# -- pruning: the rows fastText keeps -------------------------------------------------------------

def test_select_rows_keeps_eos_first_then_largest_norms():
    input = np.array([[0.1, 0], [5, 0], [0, 3], [1, 1], [0, 3]], np.float32)
    assert select_rows(input, 3, eos_row=0).tolist() == [0, 1, 2]
    assert select_rows(input, 2, eos_row=-1).tolist() == [1, 2]


@pytest.mark.parametrize("qnorm, dsub", [(False, 2), (True, 3)])
def test_cutoff_keeps_fasttexts_rows_and_fasttexts_centroids_give_its_codes(tmp_path, qnorm, dsub):
    model = _model(dim=7)
    save_fasttext_supervised(model, tmp_path / "m.bin")
    ft = fasttext.load_model(str(tmp_path / "m.bin"))
    ft.quantize(cutoff=500, qnorm=qnorm, dsub=dsub)
    ft.save_model(str(tmp_path / "ft.ftz"))
    theirs = read_fasttext_supervised(tmp_path / "ft.ftz")
    ours = quantize_model(model, cutoff=500, qnorm=qnorm, dsub=dsub)
    assert ours.words == theirs.words
    assert sorted(map(tuple, ours.pruneidx.tolist())) == sorted(map(tuple, theirs.pruneidx.tolist()))
    assert ours.input.shape == theirs.input.shape == (500, 7)
    pruned = np.array(prune(model, select_rows(model.input, 500, 0)).input)
    if qnorm:
        norms = row_norms(pruned)
        assert encode(norms[:, None], theirs.input.norm_centroids, 1)[:, 0].tolist() == \
            theirs.input.norm_codes.tolist()
        pruned /= norms[:, None]
    assert encode(pruned, theirs.input.centroids, dsub).tolist() == theirs.input.codes.tolist()
    dense = np.array(prune(model, select_rows(model.input, 500, 0)).input)
    error = [np.square(m.input.rows(np.arange(500)) - dense).mean() for m in (ours, theirs)]
    assert error[0] < error[1] * 1.15  # k-means as good as fastText's (random starts differ)


# -- the .ftz through fastText ------------------------------------------------------------------

@pytest.mark.parametrize("options", [{"cutoff": 400}, {"cutoff": 400, "qnorm": True, "qout": True},
                                     {"qnorm": True, "dsub": 4}, {"cutoff": 300, "loss": "hs"},
                                     {"cutoff": 300, "maxn": 3}])
def test_ftz_round_trip_through_fasttext(tmp_path, options):
    options = dict(options)
    model = _model(dim=8, labels=300 if options.get("qout") else 4, loss=options.pop("loss", "softmax"),
                   minn=2 if "maxn" in options else 0, maxn=options.pop("maxn", 0))
    clf = Classifier.from_fasttext(model).quantize(**options, threads=2)
    path = save_ftz(clf, tmp_path / "m.ftz")
    theirs = fasttext.load_model(str(path))
    texts = _texts()
    _same_predictions(clf, theirs, texts)
    loaded = load_classifier(path)
    assert isinstance(loaded.model_.input, QuantizedMatrix)
    assert loaded.model_.input.codes.tolist() == clf.model_.input.codes.tolist()
    _same_predictions(loaded, theirs, texts)


def test_a_quantized_classifier_is_not_a_classifier_directory_and_a_dense_one_not_an_ftz(tmp_path):
    clf = Classifier.from_fasttext(_model(buckets=300))
    with pytest.raises(ParameterError, match="only a quantized classifier"):
        save_ftz(clf, tmp_path / "m.ftz")
    with pytest.raises(ParameterError, match=r"\.ftz"):
        clf.quantize(cutoff=300).save(tmp_path / "dir")
    assert sorted(os.listdir(tmp_path)) == []


# -- retraining ---------------------------------------------------------------------------------

def test_pruned_examples_are_the_rows_the_pruned_model_reads():
    model = _model(dim=4, minn=2, maxn=3)
    pruned = prune(model, select_rows(model.input, 400, 0))
    lines = [f"__label__{i % 3} {text}" for i, text in enumerate(_texts(40))] + ["__label__9 w1 w2"]
    examples = pruned_examples(pruned, [("\n".join(lines) + "\n").encode()], QuantizeSettings(cutoff=400))
    reader = LineEncoder(pruned.words + pruned.labels_raw, len(pruned.words), word_ngrams=2,
                         bucket=model.args["bucket"], minn=2, maxn=3, pruneidx=pruned.pruneidx)
    assert len(examples.tokens) == len(lines)
    for i, line in enumerate(lines):
        rows = examples.rows[examples.row_starts[i]:examples.row_starts[i + 1]].tolist()
        assert rows == reader.rows(line)
        targets = examples.targets[examples.target_starts[i]:examples.target_starts[i + 1]].tolist()
        assert targets == ([] if line.startswith("__label__9") else [i % 3])
        assert examples.tokens[i] == len(line.split()) + 1


def test_retraining_after_pruning_keeps_the_classifier_accurate(tmp_path):
    rng = np.random.default_rng(0)
    topics = {label: [f"{label}{i}" for i in range(40)] for label in ("tea", "car", "sky")}
    lines = [f"__label__{label} " + " ".join(rng.choice(topics[label], size=6)) for label in topics
             for _ in range(150)]
    rng.shuffle(lines)
    clf = Classifier(dim=8, epochs=10, lr=0.5, word_ngrams=2, buckets=3000, threads=1).fit(lines)
    texts = [line.split(" ", 1)[1] for line in lines]
    truth = [[line.split(" ", 1)[0]] for line in lines]
    plain = clf.quantize(cutoff=300)
    tuned = clf.quantize(cutoff=300, retrain_on=lines, epochs=5, lr=0.1)
    assert tuned.model_.args["epoch"] == 5
    assert not np.array_equal(tuned.model_.input.codes, plain.model_.input.codes)
    accuracy = np.mean([p == t for p, t in zip(tuned.predict(texts)[0], truth)])
    assert accuracy > 0.95
    save_ftz(tuned, tmp_path / "t.ftz")
    _same_predictions(tuned, fasttext.load_model(str(tmp_path / "t.ftz")), texts[:50])


# -- the command and its refusals ---------------------------------------------------------------

@pytest.fixture
def trained(tmp_path) -> tuple[Path, Path]:
    rng = np.random.default_rng(2)
    lines = [f"__label__{label} " + " ".join(rng.choice([f"{label}{i}" for i in range(30)], size=5))
             for label in ("a", "b") for _ in range(100)]
    data = tmp_path / "train.txt"
    data.write_text("\n".join(lines) + "\n")
    assert main(["classify", "train", str(data), "--out", str(tmp_path / "clf"), "--quiet", "--dim", "4",
                 "--word-ngrams", "2", "--buckets", "500", "--threads", "1"]) == 0
    return tmp_path / "clf", data


def test_the_command_writes_an_ftz_fasttext_reads(trained, tmp_path, capsys):
    clf_dir, data = trained
    out = tmp_path / "m.ftz"
    assert main(["classify", "quantize", str(clf_dir), "--out", str(out), "--cutoff", "300", "--retrain", "--input",
                 str(data), "--qnorm", "--threads", "1"]) == 0
    assert "300 of" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".") or "tmp" in p.name] == []
    texts = [line.split(" ", 1)[1] for line in data.read_text().splitlines()]
    _same_predictions(load_classifier(out), fasttext.load_model(str(out)), texts[:40])
    assert main(["classify", "test", str(out), str(data)]) == 0


@pytest.mark.parametrize("flags, message", [
    (["--cutoff", "0"], "cutoff needs to be a whole number of at least 1"),
    (["--cutoff", "-5"], "cutoff needs to be a whole number of at least 1"),
    (["--cutoff", "100"], "fewer than 256 rows"),
    (["--cutoff", "300", "--retrain"], "retrain needs the training data"),
    (["--retrain", "--input", "x.txt"], "give a cutoff too"),
    (["--dsub", "0"], "dsub needs to be"),
    (["--dsub", "5"], "dsub needs to be a whole number from 1 to the dimension (4)"),
])
def test_bad_settings_are_one_line_and_write_nothing(trained, tmp_path, capsys, flags, message):
    clf_dir, _ = trained
    before = sorted(os.listdir(tmp_path))
    assert main(["classify", "quantize", str(clf_dir), "--out", str(tmp_path / "m.ftz"), *flags]) != 0
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert sorted(os.listdir(tmp_path)) == before


def test_dsub_that_does_not_divide_the_dimension_leaves_a_smaller_last_subvector(trained, tmp_path):
    clf_dir, _ = trained
    assert main(["classify", "quantize", str(clf_dir), "--out", str(tmp_path / "m.ftz"), "--dsub", "3"]) == 0
    matrix = read_fasttext_supervised(tmp_path / "m.ftz").input
    assert (matrix.dsub, matrix.lastdsub, matrix.nsubq) == (3, 1, 2)


def test_refused_models_and_outputs(trained, tmp_path, capsys):
    clf_dir, _ = trained
    assert main(["classify", "quantize", str(clf_dir), "--out", str(tmp_path / "m.ftz")]) == 0
    assert main(["classify", "quantize", str(tmp_path / "m.ftz"), "--out", str(tmp_path / "again.ftz")]) != 0
    assert "quantized already" in capsys.readouterr().err
    assert main(["classify", "quantize", str(clf_dir), "--out", str(tmp_path)]) != 0
    assert "it is a directory" in capsys.readouterr().err
    (tmp_path / "afile").write_text("x")
    assert main(["classify", "quantize", str(clf_dir), "--out", str(tmp_path / "afile" / "m.ftz")]) != 0
    assert capsys.readouterr().err.count("\n") == 1
    assert not (tmp_path / "again.ftz").exists()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_unwritable_folder_is_refused_before_any_work(trained, tmp_path, capsys):
    clf_dir, _ = trained
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert main(["classify", "quantize", str(clf_dir), "--out", str(locked / "m.ftz")]) != 0
    finally:
        locked.chmod(stat.S_IRWXU)
    assert capsys.readouterr().err.count("\n") == 1
    assert list(locked.iterdir()) == []


def test_remapping_in_blocks_equals_the_whole_remap(monkeypatch):
    import wordvec.classifier_quantize as cq

    rng = np.random.default_rng(7)
    lengths = rng.integers(1, 9, size=300)
    starts = np.concatenate([[0], np.cumsum(lengths)])
    values = rng.integers(0, 50, size=int(starts[-1])).astype(np.int32)
    mapping = np.where(rng.random(50) < 0.4, -1, rng.integers(0, 1000, size=50)).astype(np.int32)
    expected = [mapping[values[a:b]][mapping[values[a:b]] >= 0].tolist() for a, b in zip(starts[:-1], starts[1:])]
    monkeypatch.setattr(cq, "_REMAP_BLOCK", 37)
    kept, new_starts = cq._remapped(values.copy(), starts, mapping)
    assert [kept[a:b].tolist() for a, b in zip(new_starts[:-1], new_starts[1:])] == expected


def test_retraining_data_is_a_file_or_lines(tmp_path):
    from wordvec.classifier_quantize import retrain_blocks

    path = tmp_path / "train.txt"
    path.write_text("__label__a tea\n__label__b cup\n")
    assert b"".join(retrain_blocks(path)) == b"".join(retrain_blocks(str(path))) == path.read_bytes()
    assert b"".join(retrain_blocks(["__label__a tea", "__label__b cup"])) == path.read_bytes()
