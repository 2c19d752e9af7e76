"""Tokenizer and vocabulary: known answers."""

from __future__ import annotations

import os

import numpy as np
import pytest

from wordvec.encoding import encode_documents, forget_pages
from wordvec.errors import CorpusError
from wordvec.text import clean_text, tokenize
from wordvec.vocab import Vocabulary, alias_table


def test_tokenize_known_answer():
    text = 'Great "TASTE"! 2 cups/day, (really) - don\'t miss-it.\tYum\r\nok'
    assert tokenize(text) == ["great", "taste", "2", "cups", "day", "really", "don't", "miss", "it", "yum", "ok"]


def test_clean_text_removes_tags_and_fixes_mojibake():
    assert tokenize(clean_text("Loved it.<br /><br />CafÃ© style")) == ["loved", "it", "café", "style"]


def test_vocabulary_order_counts_and_cut():
    docs = ["b a a c", "c c d e", "a"]
    vocab, corpus = encode_documents(docs, num_words=3)
    # a:3, c:3 (tie: a seen first), b:1, d:1, e:1 (ties in order of first appearance)
    assert vocab.words == ["UNK", "a", "c", "b"]
    assert vocab.counts.tolist() == [2, 3, 3, 1]
    assert corpus.tokens.tolist() == [3, 1, 1, 2, 2, 2, 1]
    assert corpus.doc_offsets.tolist() == [0, 4, 6, 7]
    assert corpus.raw_word_count == 9


def test_min_count_and_empty_corpus():
    vocab, _ = encode_documents(["x y y z z z"], num_words=None, min_count=2)
    assert vocab.words == ["UNK", "z", "y"]
    with pytest.raises(CorpusError, match="empty"):
        encode_documents(["", "!!! ..."])
    with pytest.raises(CorpusError, match="min_count=5"):
        encode_documents(["a b c"], min_count=5)


def test_keep_probabilities_follow_word2vec():
    vocab = Vocabulary(["UNK", "the", "rare"], [0, 1000, 1])
    keep = vocab.keep_probabilities(1e-3)
    t = 1e-3 * 1001
    assert keep[1] == pytest.approx((np.sqrt(1000 / t) + 1) * t / 1000, rel=1e-6)
    assert keep[2] == 1.0 and keep[0] == 0.0
    assert vocab.keep_probabilities(0).tolist() == [1.0, 1.0, 1.0]


def test_alias_table_reproduces_the_distribution():
    weights = np.array([0.0, 5.0, 1.0, 2.0, 0.5])
    accept, alias = alias_table(weights)
    implied = np.zeros(len(weights))
    for slot in range(len(weights)):
        implied[slot] += accept[slot] / len(weights)
        implied[alias[slot]] += (1 - accept[slot]) / len(weights)
    np.testing.assert_allclose(implied, weights / weights.sum(), atol=1e-6)


def test_block_by_block_encoding_matches_the_whole(monkeypatch):
    import wordvec.encoding.spool as encode

    rng = np.random.default_rng(2)
    docs = [" ".join(f"w{rng.zipf(1.5) % 40}" for _ in range(rng.integers(0, 12))) for _ in range(300)]
    whole_vocab, whole = encode_documents(docs, num_words=15)
    monkeypatch.setattr(encode, "_BLOCK", 7)
    vocab, blocked = encode_documents(docs, num_words=15)
    assert vocab.words == whole_vocab.words
    assert np.array_equal(np.asarray(blocked.tokens), np.asarray(whole.tokens))
    assert np.array_equal(blocked.doc_offsets, whole.doc_offsets)
    expected = [[vocab.word_to_id[w] for w in d.split() if w in vocab.word_to_id] for d in docs if d.split()]
    got = [np.asarray(blocked.tokens[a:b]).tolist() for a, b in zip(blocked.doc_offsets[:-1], blocked.doc_offsets[1:])]
    assert got == expected


def _resident_kib_of_mapping(array: np.ndarray) -> int:
    """Resident size of the memory mapping that holds ``array``'s data (Linux /proc)."""
    address, inside = array.ctypes.data, False
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            head = line.split()[0]
            if "-" in head and ":" not in head:
                low, high = (int(x, 16) for x in head.split("-"))
                inside = low <= address < high
            elif inside and line.startswith("Rss:"):
                return int(line.split()[1])
    raise AssertionError("no mapping holds the array")


@pytest.mark.skipif(not os.path.exists("/proc/self/smaps"), reason="needs Linux /proc")
def test_forgotten_pages_leave_memory_but_not_the_data():
    docs = [[f"w{(7 * i + j) % 50}" for j in range(100)] for i in range(2000)]  # 200,000 tokens, 800 kB
    _, corpus = encode_documents(docs, num_words=None)
    tokens = corpus.tokens
    assert int(np.asarray(tokens, dtype=np.int64).sum()) > 0  # every page is now resident
    assert _resident_kib_of_mapping(tokens) >= 700
    copy = np.array(tokens)
    forget_pages(tokens, 0, tokens.shape[0])
    assert _resident_kib_of_mapping(tokens) == 0
    assert np.array_equal(tokens, copy)  # read back from the page cache


def test_forget_pages_leaves_ordinary_arrays_alone():
    array = np.arange(10_000, dtype=np.int32)
    forget_pages(array, 0, 10_000)
    assert np.array_equal(array, np.arange(10_000))
