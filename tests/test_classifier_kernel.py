"""The compiled prediction kernel (``kernels/classify.py`` → ``csrc/classify.c``) against the NumPy path.

Models are trained with the ``fasttext`` package (the test extra) in a temporary folder; every
loss the kernel predicts (``softmax``, ``ova``, ``ns``), with word bigrams too, is held to
:meth:`Predictor.predict_rows_numpy` (which is held to fastText in ``test_classifier_files.py``) for
k in (1, 3, -1), thresholds 0 and 0.3, on 1 and 2 threads: the same labels in the same order and
the same probabilities.
"""

from __future__ import annotations

import numpy as np
import pytest

from wordvec.classifier import load_classifier
from wordvec.classifier_predict import Predictor
from wordvec.formats.fasttext_supervised import FastTextSupervised
from wordvec.kernels import classify

fasttext = pytest.importorskip("fasttext")

LABELS = ["sport", "food", "music", "travel", "tech", "health", "art"]
WORDS = {label: [f"{label[:3]}{i}" for i in range(15)] for label in LABELS}
COMMON = ["the", "a", "of", "and", "to", "is", "very", "not", "café", "東京"]

MODELS = {
    "softmax": {"loss": "softmax"},
    "softmax-bigrams": {"loss": "softmax", "wordNgrams": 2, "bucket": 3000},
    "ova": {"loss": "ova"},
    "ns": {"loss": "ns", "neg": 3},
    "hs": {"loss": "hs"},
    "hs-quantized": {"loss": "hs", "minn": 2, "maxn": 4, "bucket": 5000},
    "softmax-quantized": {"loss": "softmax", "wordNgrams": 2, "bucket": 3000, "minn": 2, "maxn": 3},
}
#: How the quantized models are quantized (pruned dictionaries and n-grams; qnorm: norms apart).
QUANTIZE = {"hs-quantized": {"qnorm": True, "cutoff": 300}, "softmax-quantized": {"cutoff": 400}}
DENSE_KERNEL = ["softmax", "softmax-bigrams", "ova", "ns"]


def _lines(rng, n: int, labelled: bool) -> list:
    out = []
    for _ in range(n):
        chosen = list(rng.choice(LABELS, size=1 + (rng.random() < 0.2), replace=False))
        words = [str(rng.choice(WORDS[str(rng.choice(chosen))])) if rng.random() < 0.6 else str(rng.choice(COMMON))
                 for _ in range(int(rng.integers(0, 12)))]
        if rng.random() < 0.05:
            words.append("unknownword")
        out.append(" ".join(([f"__label__{label}" for label in chosen] if labelled else []) + words))
    return out


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kernel-classifiers")
    rng = np.random.default_rng(1)
    corpus = folder / "train.txt"
    corpus.write_text("\n".join(_lines(rng, 1200, True)) + "\n", encoding="utf-8")
    texts = _lines(rng, 300, False) + ["", "   ", "unknownword", "the the the", "the </s> café", "\x00\t\v\f\r",
                                       "東京" * 40, "__label__sport tea", "x" * 500]
    done: dict = {}

    def get(name: str):
        if name not in done:
            # dim 10 and 10 threads: fastText initialises the input matrix in 10 blocks, one per thread
            model = fasttext.train_supervised(str(corpus), dim=10, epoch=5, lr=0.5, thread=10, verbose=0,
                                              **MODELS[name])
            path = folder / f"{name}.bin"
            if name in QUANTIZE:
                model.quantize(input=str(corpus), retrain=False, **QUANTIZE[name])
                path = folder / f"{name}.ftz"
            model.save_model(str(path))
            done[name] = (fasttext.load_model(str(path)), load_classifier(path))
        return done[name]

    return get, texts


def _same(got: list, want: list) -> None:
    assert len(got) == len(want)
    for (labels, probs), (want_labels, want_probs) in zip(got, want):
        assert list(labels) == list(want_labels)
        assert probs.dtype == np.float32
        np.testing.assert_allclose(probs, want_probs, rtol=0, atol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("name", DENSE_KERNEL)
def test_kernel_equals_numpy_path(trained, name):
    get, texts = trained
    _, clf = get(name)
    predictor = clf._predictor
    assert predictor._kernel() is not None
    rows, starts = clf._rows(texts)
    for k in (1, 3, -1):
        kk = predictor.labels if k == -1 else k
        for threshold in (0.0, 0.3):
            want = predictor.predict_rows_numpy(rows, starts, kk, threshold)
            for threads in (1, 2):
                _same(predictor.predict_rows(rows, starts, kk, threshold, threads=threads), want)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(MODELS))
def test_kernel_predicts_as_fasttext(trained, name):
    get, texts = trained
    ft_model, clf = get(name)
    for k in (1, 3, -1):
        for threshold in (0.0, 0.3):
            want_labels, want_probs = ft_model.predict(texts, k=k, threshold=threshold)
            labels, probs = clf.predict(texts, k=k, threshold=threshold, threads=2)
            assert labels == want_labels
            for got, want in zip(probs, want_probs):
                np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(MODELS))
def test_text_kernel_equals_numpy_path(trained, name):
    """From the texts themselves (any matrix, any loss), one text or many, 1 or 2 threads: the NumPy path's answer."""
    get, texts = trained
    _, clf = get(name)
    predictor, model = clf._predictor, clf._predictor.text_model()
    rows, starts = clf._lines.flat_rows([t.encode() for t in texts])
    blob_starts = np.concatenate([[0], np.cumsum([len(t.encode()) for t in texts])])
    blob = "".join(texts).encode()
    for k in (1, 3, -1):
        kk = predictor.labels if k == -1 else k
        for threshold in (0.0, 0.3):
            want = predictor.predict_rows_numpy(rows, starts, kk, threshold)
            for threads in (1, 2):
                labels, probs, counts = model.predict_many(blob, blob_starts, kk, threshold, threads)
                _same([(labels[t, :c], probs[t, :c]) for t, c in enumerate(counts)], want)
            for text, (want_labels, want_probs) in zip(texts[::7], want[::7]):
                got_labels, got_probs = model.predict_one(text.encode(), kk, threshold)
                assert got_labels == list(want_labels)
                np.testing.assert_array_equal(np.float32(got_probs), want_probs)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(MODELS))
def test_one_text_predicts_as_fasttext(trained, name):
    get, texts = trained
    ft_model, clf = get(name)
    for k, threshold in ((1, 0.0), (3, 0.3), (-1, 0.0)):
        for text in texts[::5]:
            want_labels, want_probs = ft_model.predict(text, k=k, threshold=threshold)
            labels, probs = clf.predict(text, k=k, threshold=threshold)
            assert labels == want_labels and probs.dtype == np.float64
            np.testing.assert_allclose(probs, want_probs, rtol=0, atol=1e-5)


def test_expf_in_c_is_the_numpy_emulation():
    from wordvec.classifier_predict import expf
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.uniform(-110, 100, 20000), rng.normal(0, 3, 20000), [0, -0.0, 88.7, 89, -104, -200]])
    x = x.astype(np.float32)
    library, table = classify._library(), classify.EXPF_TABLE
    got = np.array([library.wv_classify_expf(float(v), table.ctypes.data) for v in x], np.float32)
    np.testing.assert_array_equal(got, expf(x))


def test_equal_scores_are_redone_in_fastText_order():
    """A zero output matrix: every label ties, the kernel flags every text, the heap order is kept."""
    model = FastTextSupervised.from_arrays(["</s>", "a", "b"], [f"__label__{i}" for i in range(7)],
                                           [[0.0, 1.0], [1.0, 0.0], [0.5, 0.5]], np.zeros((7, 2)))
    predictor = Predictor(model, threads=2)
    kernel = predictor._kernel()
    rows = np.array([1, 0, 2, 0] * 10, np.int64)
    starts = np.arange(0, 41, 2, dtype=np.int64)
    _, _, _, redo = classify.predict_dense(kernel, rows, starts, 3, 0.0, threads=2)
    assert redo.all()
    for k in (1, 3, 7):
        got = predictor.predict_rows(rows, starts, k, 0.0)
        _same(got, predictor.predict_rows_numpy(rows, starts, k, 0.0))
    assert predictor.predict_rows(rows, starts, 7, 0.0)[0][0] == [3, 1, 4, 6, 5, 2, 0]


def test_texts_without_rows_and_hs_stay_on_numpy():
    model = FastTextSupervised.from_arrays(["</s>", "a"], ["__label__x", "__label__y"], [[0.0], [1.0]],
                                           [[1.0], [-1.0]])
    kernel = Predictor(model)._kernel()
    labels, scores, counts, redo = classify.predict_dense(kernel, np.array([1], np.int64),
                                                          np.array([0, 0, 1, 1], np.int64), 2, 0.0, threads=2)
    assert counts.tolist() == [0, 2, 0] and not redo.any() and labels[1].tolist() == [0, 1]
    hs = FastTextSupervised.from_arrays(["</s>", "a"], ["__label__x", "__label__y"], [[0.0], [1.0]],
                                        [[1.0], [-1.0]], loss="hs")
    assert Predictor(hs)._kernel() is None


def test_bad_arguments_are_refused():
    model = FastTextSupervised.from_arrays(["</s>", "a"], ["__label__x"], [[0.0], [1.0]], [[1.0]])
    kernel = Predictor(model)._kernel()
    with pytest.raises(ValueError):
        classify.predict_dense(kernel, np.array([5], np.int64), np.array([0, 1], np.int64), 1, 0.0)
    with pytest.raises(ValueError):
        classify.predict_dense(kernel, np.array([1], np.int64), np.array([0, 2], np.int64), 1, 0.0)
    with pytest.raises(ValueError):
        classify.predict_dense(kernel, np.array([1], np.int64), np.array([0, 1], np.int64), 0, 0.0)


@pytest.mark.parametrize("dim", [3, 16, 37, 100])
def test_text_vectors_are_the_same_sums_in_every_vector_code(vector_code, dim):
    """The rows of a text added 16 floats at a time (AVX2) or one at a time: fastText's sums exactly."""
    from wordvec.classifier import Classifier

    rng = np.random.default_rng(dim)
    words = ["</s>"] + [f"w{i}" for i in range(50)]
    input_rows = rng.normal(size=(len(words) + 211, dim)).astype(np.float32)
    output_rows = rng.normal(size=(4, dim)).astype(np.float32)
    clf = Classifier.from_fasttext(FastTextSupervised.from_arrays(
        words, [f"__label__{c}" for c in "abcd"], input_rows, output_rows, word_ngrams=2))
    texts = [" ".join(f"w{i}" for i in rng.integers(0, 60, size=int(rng.integers(1, 40)))) for _ in range(60)]
    rows, starts = clf._lines.flat_rows([t.encode() for t in texts])
    want = clf._predictor.predict_rows_numpy(rows, starts, 4, 0.0)
    blob, blob_starts = "\n".join(texts).encode(), np.cumsum([0] + [len(t) + 1 for t in texts])
    blob_starts[-1] -= 1
    labels, probs, counts = clf._predictor.text_model().predict_many(blob, blob_starts, 4, 0.0, 2)
    _same([(labels[t, :c], probs[t, :c]) for t, c in enumerate(counts)], want)
