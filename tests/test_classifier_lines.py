"""A text's input rows from the compiled kernel (``csrc/classify_lines.c``) against the Python oracle.

:class:`wordvec.classifier_lines.LineEncoder` (held to fastText in ``test_classifier_files.py``) and
:meth:`wordvec.kernels.classify.TextModel.rows` must give the same rows in the same order: words and
labels, unknown tokens, character n-grams counted in UTF-8 characters (odd bytes too), word n-grams,
pruned buckets, separators, ``</s>`` written in the text, long words, empty text, real multilingual text.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from wordvec.classifier_lines import LineEncoder
from wordvec.kernels.classify import TextModel

MULTILINGUAL = [
    "All human beings are born free and equal in dignity and rights.",
    "Tous les êtres humains naissent libres et égaux en dignité et en droits.",
    "Alle Menschen sind frei und gleich an Würde und Rechten geboren.",
    "Все люди рождаются свободными и равными в своем достоинстве и правах.",
    "人人生而自由，在尊严和权利上一律平等。",
    "すべての人間は、生まれながらにして自由であり、かつ、尊厳と権利とについて平等である。",
    "يولد جميع الناس أحراراً متساوين في الكرامة والحقوق.",
    "सभी मनुष्यों को गौरव और अधिकारों के मामले में जन्मजात स्वतन्त्रता और समानता प्राप्त है।",
    "Όλοι οι άνθρωποι γεννιούνται ελεύθεροι και ίσοι στην αξιοπρέπεια και τα δικαιώματα.",
    "모든 인간은 태어날 때부터 자유로우며 그 존엄과 권리에 있어 동등하다.",
    "Kila mtu amezaliwa huru, hadhi na haki zake ni sawa.",
    "ทุกคนเกิดมามีอิสระและเสมอภาคกันในเกียรติศักด[เกียรติศักดิ์]และสิทธิ",
]
WORDS = [b"</s>", b"the", b"and", b"libres", "dignité".encode(), "人人".encode(), b"the", b"tea",
         "Würde".encode(), b"__label__en", b"__label__fr"]
SETTINGS = [
    {"word_ngrams": 1, "bucket": 0, "minn": 0, "maxn": 0},
    {"word_ngrams": 3, "bucket": 997, "minn": 0, "maxn": 0},
    {"word_ngrams": 1, "bucket": 2000, "minn": 2, "maxn": 4},
    {"word_ngrams": 2, "bucket": 5000, "minn": 1, "maxn": 6},
]


def _models(settings: dict, pruned: bool) -> tuple:
    rng = np.random.default_rng(5)
    nwords = 9
    pruneidx = None
    if pruned and settings["bucket"]:
        kept = rng.choice(settings["bucket"], size=settings["bucket"] // 3, replace=False)
        pruneidx = np.stack([kept, rng.permutation(len(kept))], axis=1)
        pruneidx = np.concatenate([pruneidx, [[kept[0], 7]]])  # a bucket listed twice: its last place
    oracle = LineEncoder(WORDS, nwords, pruneidx=pruneidx, **settings)
    rows = nwords + (settings["bucket"] if pruneidx is None else len(pruneidx))
    kernel = TextModel(WORDS, nwords, settings, pruneidx, {"dense": np.zeros((rows, 2), np.float32)},
                       np.zeros((2, 2), np.float32), None, "softmax", {})
    return oracle, kernel


def _random_texts(rng, n: int) -> list:
    pieces = [w.decode() for w in WORDS] + ["é", "東", "ß", "\u00a0", "💡", "a", "zz", "__label__x", "</s>"]
    separators = [" ", " ", "  ", "\t", "\v", "\f", "\r", "\0"]
    texts = []
    for _ in range(n):
        parts = [str(rng.choice(pieces)) * int(rng.integers(1, 4)) for _ in range(int(rng.integers(0, 12)))]
        text = "".join(p + str(rng.choice(separators)) for p in parts)
        texts.append(text.encode())
    odd = [bytes(rng.integers(0, 256, size=int(rng.integers(0, 40)), dtype=np.uint8).tolist()).replace(b"\n", b"")
           for _ in range(n // 2)]
    return texts + odd + [b"", b" ", b"\t\v\f\r\0", b"x" * 3000, "東京".encode() * 400, b"\x80\xbf\xc3", b"</s>",
                          b"a </s> b", b"__label__", b"__label__en __label__zz the"]


@pytest.mark.parametrize("pruned", [False, True])
@pytest.mark.parametrize("settings", SETTINGS)
def test_kernel_rows_are_the_oracles(settings, pruned):
    oracle, kernel = _models(settings, pruned)
    texts = _random_texts(np.random.default_rng(11), 150) + [t.encode() for t in MULTILINGUAL]
    want = oracle.batch_rows(texts)
    for text, rows in zip(texts, want):
        assert kernel.rows(text) == rows, text


def test_a_line_stops_at_a_written_end_of_line():
    oracle, kernel = _models(SETTINGS[3], False)
    assert kernel.rows(b"the tea </s> and more") == kernel.rows(b"the tea") == oracle.rows(b"the tea </s> x")


def test_duplicate_words_keep_the_last_entry():
    words = [b"</s>", b"tea", b"tea", b"__label__a"]
    kernel = TextModel(words, 3, SETTINGS[0], None, {"dense": np.zeros((3, 1), np.float32)},
                       np.zeros((1, 1), np.float32), None, "softmax", {})
    assert kernel.rows(b"tea") == LineEncoder(words, 3).rows(b"tea") == [2, 0]


def _lid176() -> str:
    """fastText's lid.176.ftz: the copy in tests/data (see its README), or ``WORDVEC_LID176``."""
    return os.environ.get("WORDVEC_LID176") or os.path.join(os.path.dirname(__file__), "data", "lid.176.ftz")


@pytest.mark.slow
def test_lid176_rows_are_the_oracles():
    from wordvec.classifier import load_classifier
    clf = load_classifier(_lid176())
    kernel = clf._predictor.text_model()
    texts = [t.encode() for t in MULTILINGUAL] + _random_texts(np.random.default_rng(2), 100)
    for text, rows in zip(texts, clf._lines.batch_rows(texts)):
        assert kernel.rows(text) == rows
