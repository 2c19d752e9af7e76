"""fastText's supervised files (``.bin``, quantized ``.ftz``): read, predicted from as fastText does, written.

The oracle is the ``fasttext`` package (``fasttext-numpy2-wheel``, in the test extra): small
classifiers are trained here for every loss (softmax, ns, hs, ova), with word n-grams, with
character n-grams, and quantized (with and without ``qnorm``, pruned by ``cutoff``, with ``qout``);
wordvec must give fastText's labels in fastText's order (ties included) and its probabilities within
1e-5. fastText's real ``lid.176.ftz`` (a copy in ``tests/data``, or ``WORDVEC_LID176``) is checked
too; nothing relies on it alone.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import numpy as np
import pytest

import wordvec
from wordvec.classifier import Classifier, load_classifier
from wordvec.errors import ModelFormatError, ParameterError
from wordvec.formats.fasttext_supervised import (FastTextSupervised, QuantizedMatrix, read_fasttext_supervised,
                                                 save_fasttext_supervised)

fasttext = pytest.importorskip("fasttext")

LABELS = ["sport", "food", "music", "travel", "tech", "santé"]
TOPIC_WORDS = {label: [f"{label[:3]}{i}" for i in range(12)] for label in LABELS}
TOPIC_WORDS["food"] += ["café", "crème", "brûlée", "寿司", "борщ"]
TOPIC_WORDS["travel"] += ["東京", "Москва", "Αθήνα", "naïve"]
COMMON = ["the", "a", "of", "and", "to", "is", "very", "not", "really", "but", "😀", "ß"]

#: Texts to predict: plain, unknown words, other scripts, fastText's separators, labels inside, empty.
TEXTS = [
    "spo1 spo2 the game", "foo3 café crème", "mus4 mus5 and the band", "tra1 東京 Москва", "tec2 tec3 tec4",
    "san1 santé", "the a of", "", "   ", "zzz qqq unknown words only", "café", "東京", "😀 😀 😀",
    "spo1\tfoo1\rmus1\x0btra1\x0ctec1\x00san1", "spo1\u00a0foo1 mus1\u3000tra1", "__label__sport spo3 spo4",
    "__label__food", "__label__unknown foo2 foo5", "very very very very not", "naïve Αθήνα Αθήνα",
    "spo1 foo1 mus1 tra1 tec1 san1 " * 20, "ß ß ß the", "borщ бор борщ", "寿司 寿 司", "FOO1 Spo2",
    "tec11 mus11 foo11", "x", "a b c d e f g h i j k l m n o p", "crème brûlée 🍮", "\x00\x00",
]


def _corpus(path: Path, labels=LABELS, lines: int = 1500, seed: int = 0) -> Path:
    """A labelled corpus in fastText's format: topic words of one or two labels, and common words."""
    rng = np.random.default_rng(seed)
    topics = {label: TOPIC_WORDS.get(label, [f"w{label}{i}" for i in range(4)]) for label in labels}
    out = []
    for _ in range(lines):
        chosen = list(rng.choice(labels, size=1 + (rng.random() < 0.2), replace=False))
        words = [str(rng.choice(topics[str(rng.choice(chosen))])) if rng.random() < 0.6 else str(rng.choice(COMMON))
                 for _ in range(int(rng.integers(3, 12)))]
        out.append(" ".join([f"__label__{label}" for label in chosen] + words))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


#: name -> (training options, quantize options or None)
MODELS = {
    "softmax": ({"loss": "softmax"}, None),
    "ns": ({"loss": "ns", "neg": 3}, None),
    "hs": ({"loss": "hs"}, None),
    "ova": ({"loss": "ova"}, None),
    "bigrams": ({"loss": "softmax", "wordNgrams": 2, "bucket": 5000}, None),
    "chars-hs": ({"loss": "hs", "wordNgrams": 3, "minn": 2, "maxn": 4, "bucket": 5000}, None),
    "ftz-qnorm-cutoff": ({"loss": "softmax", "wordNgrams": 2, "minn": 2, "maxn": 3, "bucket": 2000},
                         {"qnorm": True, "cutoff": 400}),
    "ftz-plain": ({"loss": "ova", "minn": 3, "maxn": 3, "bucket": 600}, {"dsub": 3}),
}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """``trained(name)``: ``(fasttext model, path)`` of one of :data:`MODELS`, trained once."""
    folder = tmp_path_factory.mktemp("classifiers")
    corpus = _corpus(folder / "train.txt")
    done: dict = {}

    def get(name: str):
        if name not in done:
            options, quantize = MODELS[name]
            # dim 10 and 10 threads: fastText initialises the input matrix in 10 blocks, one per thread
            model = fasttext.train_supervised(str(corpus), dim=10, epoch=5, lr=0.5, thread=10, verbose=0,
                                              **options)
            path = folder / f"{name}.bin"
            if quantize is not None:
                model.quantize(input=str(corpus), retrain=False, **quantize)
                path = folder / f"{name}.ftz"
            model.save_model(str(path))
            done[name] = (fasttext.load_model(str(path)), path)
        return done[name]

    return get


def assert_predicts_as_fasttext(ft_model, clf, texts=TEXTS, ks=(1, 3, -1), thresholds=(0.0, 0.3)) -> None:
    """Same labels in the same order, probabilities within 1e-5, fastText's shapes; lists and single texts."""
    for k in ks:
        for threshold in thresholds:
            want_labels, want_probs = ft_model.predict(list(texts), k=k, threshold=threshold)
            labels, probs = clf.predict(list(texts), k=k, threshold=threshold)
            assert labels == want_labels, (k, threshold)
            for got, want in zip(probs, want_probs):
                assert got.dtype == np.float32
                np.testing.assert_allclose(got, want, rtol=0, atol=1e-5)
            for text in texts[:8]:
                want_one = ft_model.predict(text, k=k, threshold=threshold)
                one = clf.predict(text, k=k, threshold=threshold)
                assert one[0] == want_one[0] and one[1].dtype == np.float64
                np.testing.assert_allclose(one[1], want_one[1], rtol=0, atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(MODELS))
def test_trained_models_predict_as_fasttext(trained, name):
    ft_model, path = trained(name)
    clf = load_classifier(path)
    assert clf.labels_ == ft_model.labels
    assert clf.model_.quantized == name.startswith("ftz")
    assert_predicts_as_fasttext(ft_model, clf)
    vectors = clf.embed(TEXTS)
    want = np.array([ft_model.get_sentence_vector(t) for t in TEXTS])
    np.testing.assert_allclose(vectors, want, rtol=0, atol=1e-6)
    # the rows of a batch (put together with NumPy) are those of the texts one by one (in Python)
    assert clf.input_rows(TEXTS * 2) == [clf.input_rows(t) for t in TEXTS * 2]


@pytest.mark.slow
def test_a_quantized_model_stays_codes_and_centroids(trained):
    _, path = trained("ftz-qnorm-cutoff")
    model = read_fasttext_supervised(path)
    assert isinstance(model.input, QuantizedMatrix) and model.input.qnorm
    assert model.pruneidx is not None and model.input.shape[0] == len(model.words) + len(model.pruneidx) <= 400
    assert model.input.codes.base is not None  # a view of the file, not a decoded copy


@pytest.mark.slow
def test_quantized_output_qout(tmp_path):
    labels = [f"l{i}" for i in range(260)]  # fastText quantizes a matrix of at least 256 rows
    corpus = _corpus(tmp_path / "many.txt", labels=labels, lines=3000, seed=1)
    model = fasttext.train_supervised(str(corpus), dim=10, epoch=3, lr=0.5, thread=10, verbose=0, minCount=1)
    model.quantize(input=str(corpus), retrain=False, qout=True, qnorm=True)
    model.save_model(str(tmp_path / "qout.ftz"))
    clf = load_classifier(tmp_path / "qout.ftz")
    assert isinstance(clf.model_.output, QuantizedMatrix)
    texts = [" ".join(TOPIC_WORDS.get(label, [f"w{label}0"])[:2]) for label in labels[:40]] + TEXTS
    assert_predicts_as_fasttext(fasttext.load_model(str(tmp_path / "qout.ftz")), clf, texts, ks=(1, 5))


@pytest.mark.slow
@pytest.mark.parametrize("loss", ["softmax", "ns", "hs", "ova"])
@pytest.mark.parametrize("output", ["zeros", "nearly zeros"])
def test_equal_and_nearly_equal_scores_come_out_in_fasttexts_order(tmp_path, loss, output):
    # zeros: equal log-scores, in the order of fastText's heap (not lowest label first); nearly zeros
    # (hs): leaves so close that which ones fastText's pruned walk keeps is decided by walking as it does
    rng = np.random.default_rng(3)
    labels = [f"__label__L{i}" for i in range(7)]
    rows = np.zeros((7, 4), np.float32) if output == "zeros" else (rng.standard_normal((7, 4)) * 1e-6)
    model = FastTextSupervised.from_arrays(["</s>", "hello", "world"], labels,
                                           rng.standard_normal((3, 4)).astype(np.float32), rows, loss=loss,
                                           label_counts=range(10, 3, -1))
    save_fasttext_supervised(model, tmp_path / "ties.bin")
    texts = ["hello world", "hello", "", "zzz", "world hello world"] * 4  # more than 16: the batch's path too
    assert_predicts_as_fasttext(fasttext.load_model(str(tmp_path / "ties.bin")), load_classifier(tmp_path / "ties.bin"),
                                texts, ks=(1, 2, 3, 6, -1), thresholds=(0.0, 0.1))
    if output == "zeros":
        labels, _ = load_classifier(tmp_path / "ties.bin").predict("hello", k=-1)
        assert labels != tuple(sorted(labels)) or loss == "hs"


# -- fastText's arithmetic, against plain loops ---------------------------------------------

def _sequential_dots(hidden, rows):
    """Each dot product as fastText's loop: float32 products added one dimension after another."""
    out = np.zeros((len(hidden), len(rows)), np.float32)
    for b in range(len(hidden)):
        for i in range(len(rows)):
            total = np.float32(0)
            for j in range(hidden.shape[1]):
                total = np.float32(total + np.float32(hidden[b, j] * rows[i, j]))
            out[b, i] = total
    return out


def _hard_floats(rng, shape):
    """Values of wildly different sizes and signs, where the order of a sum changes its float32 result."""
    return (rng.standard_normal(shape) * 10.0 ** rng.integers(-4, 5, shape)).astype(np.float32)


@pytest.mark.parametrize("texts", [1, 7, 400])
def test_dot_products_and_text_vectors_are_summed_in_fasttexts_order(texts):
    from wordvec.classifier_predict import Predictor, ordered_dots

    rng = np.random.default_rng(texts)
    hidden, rows = _hard_floats(rng, (texts, 12)), _hard_floats(rng, (20, 12))
    assert np.array_equal(ordered_dots(hidden, np.ascontiguousarray(rows.T)), _sequential_dots(hidden, rows))
    model = FastTextSupervised.from_arrays(["</s>", "a"], ["__label__x"], _hard_floats(rng, (50, 12)),
                                           np.ones((1, 12), np.float32))
    lengths = rng.integers(0, 30, texts)
    starts = np.concatenate([[0], np.cumsum(lengths)])
    ids = rng.integers(0, 50, starts[-1])
    want = np.zeros((texts, 12), np.float32)
    for t in range(texts):
        total = np.zeros(12, np.float32)
        for i in ids[starts[t]:starts[t + 1]]:
            total = total + model.input[i]
        want[t] = total * np.float32(1.0 / lengths[t]) if lengths[t] else 0
    assert np.array_equal(Predictor(model).hidden(ids, starts), want)


def test_expf_is_glibcs():
    import ctypes
    import ctypes.util
    import platform

    from wordvec.classifier_predict import expf

    if platform.libc_ver()[0] != "glibc" or not ctypes.util.find_library("m"):
        pytest.skip("glibc's libm is not here (fastText calls the platform's expf)")
    libm = ctypes.CDLL(ctypes.util.find_library("m"))
    libm.expf.restype, libm.expf.argtypes = ctypes.c_float, [ctypes.c_float]
    rng = np.random.default_rng(0)
    values = np.concatenate([rng.uniform(-110, 95, 20000), rng.uniform(-12, 0.1, 20000),
                             [np.inf, -np.inf, 88.72, 88.73, -103.97, -104.0, 0.0]]).astype(np.float32)
    want = np.array([libm.expf(float(v)) for v in values], np.float32)
    assert np.array_equal(expf(values), want)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["softmax", "hs", "chars-hs", "ftz-qnorm-cutoff", "ftz-plain"])
def test_written_back_byte_for_byte_and_fasttext_reads_it(trained, tmp_path, name):
    ft_model, path = trained(name)
    out = tmp_path / path.name
    save_fasttext_supervised(read_fasttext_supervised(path), out)
    assert out.read_bytes() == path.read_bytes()
    assert_predicts_as_fasttext(ft_model, load_classifier(out), ks=(2,), thresholds=(0.0,))


def test_a_model_built_from_arrays_is_read_by_fasttext(tmp_path):
    rng = np.random.default_rng(5)
    words = ["</s>", "tea", "coffee", "thé", "茶"]
    model = FastTextSupervised.from_arrays(words, ["__label__a", "__label__b", "__label__c"],
                                           rng.standard_normal((len(words) + 50, 6)), rng.standard_normal((3, 6)),
                                           loss="hs", word_ngrams=2, minn=1, maxn=3, label_counts=[9, 5, 2])
    save_fasttext_supervised(model, tmp_path / "m.bin")
    ft_model = fasttext.load_model(str(tmp_path / "m.bin"))
    assert_predicts_as_fasttext(ft_model, Classifier.from_fasttext(model), ["tea coffee", "thé 茶 tea", "zzz", ""])


# -- bad input -------------------------------------------------------------------------

def _one_line(err) -> str:
    message = str(err.value)
    assert "\n" not in message
    return message


@pytest.mark.slow
def test_an_unsupervised_model_is_refused(tmp_path):
    corpus = tmp_path / "plain.txt"
    corpus.write_text(" ".join(COMMON * 30) + "\n", encoding="utf-8")
    fasttext.train_unsupervised(str(corpus), dim=10, epoch=1, minCount=1, thread=10, verbose=0,
                                bucket=100).save_model(str(tmp_path / "vectors.bin"))
    with pytest.raises(ModelFormatError) as err:
        load_classifier(tmp_path / "vectors.bin")
    assert _one_line(err).startswith(f"{tmp_path / 'vectors.bin'}: an unsupervised fastText model (skipgram)")


def test_truncated_damaged_and_foreign_files_are_refused(trained, tmp_path):
    _, path = trained("ftz-qnorm-cutoff")
    data = path.read_bytes()
    for cut in (4, 30, 100, len(data) // 3, len(data) // 2, len(data) - 1100, len(data) - 1):
        (tmp_path / "cut.ftz").write_bytes(data[:cut])
        with pytest.raises(ModelFormatError) as err:
            load_classifier(tmp_path / "cut.ftz")
        assert "ends early (truncated file)" in _one_line(err) or "magic" in _one_line(err), cut
    cases = {"magic": b"\0" * 4 + data[4:], "version": data[:4] + struct.pack("<i", 13) + data[8:],
             "trailing": data + b"\0\0", "empty": b""}
    messages = {"magic": "not a fastText model", "version": "format version 13 is newer",
                "trailing": "2 bytes after the model's end", "empty": "not a fastText model"}
    for case, content in cases.items():
        (tmp_path / f"{case}.ftz").write_bytes(content)
        with pytest.raises(ModelFormatError, match=messages[case]) as err:
            load_classifier(tmp_path / f"{case}.ftz")
        _one_line(err)


def test_bad_k_and_texts_are_refused_with_one_line(trained):
    clf = load_classifier(trained("softmax")[1])
    for k in (0, -2, 1.5, True, "3"):
        with pytest.raises(ParameterError, match="k needs to be 1 or higher") as err:
            clf.predict("spo1", k=k)
        _one_line(err)
    with pytest.raises(ParameterError, match="text 2 holds a newline") as err:
        clf.predict(["spo1", "a\nb"])
    _one_line(err)
    with pytest.raises(TypeError):
        clf.predict([3])


def test_public_names_and_pickling_by_path(trained):
    import pickle

    _, path = trained("hs")
    clf = wordvec.load_classifier(path)
    again = pickle.loads(pickle.dumps(clf))
    assert again.labels_ == clf.labels_ and again.predict(TEXTS[:5], k=3)[0] == clf.predict(TEXTS[:5], k=3)[0]
    assert isinstance(clf, wordvec.Classifier)


# -- fastText's lid.176.ftz ------------------------------------------------------------

def _lid176() -> Path:
    """fastText's lid.176.ftz: the copy in tests/data (see its README), or ``WORDVEC_LID176``."""
    return Path(os.environ.get("WORDVEC_LID176") or Path(__file__).parent / "data" / "lid.176.ftz")


LANGUAGES = [
    "Hello, how are you today?", "The weather is lovely this morning.", "Bonjour, je m'appelle Marie.",
    "Le chat dort sur le canapé.", "Das ist ein kleiner Test.", "Ich möchte ein Glas Wasser, bitte.",
    "¿Dónde está la estación de tren?", "Me gusta mucho la música.", "Dove si trova il museo?",
    "Eu gosto de café com leite.", "Ik woon in een klein huis.", "Jag heter Anna och bor i Stockholm.",
    "Hvor er toilettet?", "Kiitos paljon avusta.", "Dzień dobry, jak się masz?", "Děkuji za pomoc.",
    "Köszönöm szépen.", "Bună ziua, ce mai faci?", "Привет, как дела?", "Я люблю читать книги.",
    "Добрий день, як справи?", "Здравейте, как сте?", "Добар дан, како сте?", "Καλημέρα, τι κάνεις;",
    "Merhaba, nasılsın?", "שלום, מה שלומך?", "مرحبا، كيف حالك؟", "سلام، حال شما چطور است؟",
    "آپ کیسے ہیں؟", "नमस्ते, आप कैसे हैं?", "আপনি কেমন আছেন?", "வணக்கம், எப்படி இருக்கிறீர்கள்?",
    "నమస్కారం, మీరు ఎలా ఉన్నారు?", "ನಮಸ್ಕಾರ", "สวัสดีครับ คุณสบายดีไหม", "Xin chào, bạn khỏe không?",
    "Apa kabar? Saya baik-baik saja.", "Habari yako? Nzuri sana.", "これは日本語の文章です。", "今天天气很好。",
    "안녕하세요, 만나서 반갑습니다.", "გამარჯობა, როგორ ხარ?", "Բարև, ինչպես ես?", "Сайн байна уу?",
    "Sveiki, kā jums klājas?", "Labas, kaip sekasi?", "Tere, kuidas läheb?", "Halló, hvernig hefur þú það?",
    "Dia duit, conas atá tú?", "Bore da, sut wyt ti?", "Saluton, kiel vi fartas?", "Salve, quid agis?",
    "ሰላም እንዴት ነህ", "", "123 456", "OK",
]


def test_lid176_predicts_as_fasttext():
    path = _lid176()
    ft_model, clf = fasttext.load_model(str(path)), load_classifier(path)
    assert clf.loss_ == "hs" and clf.model_.quantized and len(clf.labels_) == 176
    for k in (1, 3):
        want_labels, want_probs = ft_model.predict(LANGUAGES, k=k)
        labels, probs = clf.predict(LANGUAGES, k=k)
        assert labels == want_labels
        np.testing.assert_allclose(np.concatenate(probs), np.concatenate(want_probs), rtol=0, atol=1e-5)
    assert_predicts_as_fasttext(ft_model, clf, LANGUAGES[::5] + TEXTS[::4])
