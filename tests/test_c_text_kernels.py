"""The reading kernels in C (``kernels/csrc/text.c``) against the reference kernels (``oracles.py``, Numba), output
for output.

Every kernel gets the same adversarial input on both sides: random bytes (separators, tags, line
feeds, upper case and bytes outside ASCII over-represented), long words (hashed keys), enough
distinct words to grow small tables many times, and SNAP reviews with and without their summary.
The arrays that come back, and the tables the kernels fill, must be equal byte for byte.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import oracles
from wordvec.kernels import text as T

# Bytes a random buffer is drawn from, separators and markup over-represented.
ALPHABET = np.frombuffer(bytearray(b"abcXYZ'09  \t\n\n\r\x00<<>>/,.!-\x80\xc3\xa9\xff\x1c\x0b"), dtype=np.uint8)
FOLD = T.fold_table()
NO_REPLACEMENTS = (np.zeros(0, np.uint8), np.zeros(1, np.int64))


@pytest.fixture(scope="module")
def numba_kernels():
    """The reference reading kernels (Numba)."""
    return oracles


def as_buffer(data: bytes) -> np.ndarray:
    return np.frombuffer(bytearray(data), dtype=np.uint8)


def random_bytes(seed: int, size: int) -> bytes:
    rng = np.random.default_rng(seed)
    return ALPHABET[rng.integers(0, ALPHABET.shape[0], size)].tobytes()


def long_words(seed: int, count: int) -> bytes:
    """Lines of distinct words of 1 to 30 letters (most over 7 bytes: hashed keys), mixed case."""
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
    words = [letters[rng.integers(0, letters.shape[0], rng.integers(1, 31))].tobytes() for _ in range(count)]
    return b"\n".join(b" ".join(words[i:i + 9]) + b", " + words[i] for i in range(0, count, 9)) + b"\n"


def snap_reviews(seed: int, count: int) -> bytes:
    """SNAP-like records: summaries (some with tags or bytes outside ASCII), texts, other fields, odd lines."""
    rng = np.random.default_rng(seed)

    def field(k: int, size: int) -> bytes:
        text = random_bytes(k, size) if rng.random() < 0.3 else long_words(k, size // 4 + 1)
        return text.replace(b"\n", b" ")

    lines = []
    for k in range(count):
        if rng.random() < 0.8:
            lines.append(b"review/summary:" + field(seed * 1000 + k, int(rng.integers(0, 40))))
        if rng.random() < 0.3:
            lines.append(b"review/score: 5.0")
        if rng.random() < 0.9:
            lines.append(b"review/text:" + field(seed * 2000 + k, int(rng.integers(0, 80))))
        lines.append([b"", b"review/textual: no", b"review/summary", b"review/text", b"product/x: y"][k % 5])
    return b"\n".join(lines)


def replacements_for(hard: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Some cleaned text for each hard document (what the Python reader would pass back)."""
    rng = np.random.default_rng(seed)
    pieces = [b" ".join(b"w%d" % rng.integers(0, 50) for _ in range(rng.integers(0, 6))) for _ in range(int(hard.sum()))]
    starts = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum([len(piece) for piece in pieces], out=starts[1:])
    return as_buffer(b"".join(pieces)), starts


def copy_table(table) -> tuple:
    return tuple(array.copy() for array in table)


def assert_same_arrays(left, right) -> None:
    assert len(left) == len(right)
    for a, b in zip(left, right):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)


def assert_same_tables(left, right) -> None:
    """Two tables ``(slots, starts, arena, sizes)`` equal, the arena compared where it is used."""
    used = int(left[3][1])
    assert_same_arrays(left[:2] + (left[2][:used], left[3]), right[:2] + (right[2][:used], right[3]))


def encode_both(numba_kernels, buf, docs, hard, replaced, tables):
    """``encode_block`` on both sides, each on its own table; returns the two results."""
    c_table, numba_table = tables
    c_result = T.encode_block(buf, docs, hard, replaced, c_table, FOLD)
    numba_result = numba_kernels.encode_block(buf, docs, hard, replaced, numba_table, FOLD)
    assert_same_tables(c_result[:3] + (c_table[3],), numba_result[:3] + (numba_table[3],))
    assert_same_arrays(c_result[3:], numba_result[3:])
    return c_result, numba_result


def empty_tables(n_slots: int = 16, arena_bytes: int = 64) -> tuple:
    table = T.new_table(n_slots, arena_bytes)
    return table, copy_table(table)


# --- documents of a block ------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [b"", b"\n", b"\n\n", b"a", b"a\n", b"\xff", b"ab\ncd", b"x\r\n\xc3\xa9\n\n"])
def test_lines_of_edge_buffers(numba_kernels, data):
    assert_same_arrays(T.find_lines(as_buffer(data)), numba_kernels.find_lines(as_buffer(data)))


@pytest.mark.parametrize("seed", range(6))
def test_lines_of_random_bytes(numba_kernels, seed):
    buf = as_buffer(random_bytes(seed, 5000 + seed))
    docs, hard = T.find_lines(buf)
    assert_same_arrays((docs, hard), numba_kernels.find_lines(buf))
    assert hard.any() and not hard.all()


@pytest.mark.slow
@pytest.mark.parametrize("include_summary", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_reviews_of_snap_records(numba_kernels, include_summary, seed):
    buf = as_buffer(snap_reviews(seed, 300))
    docs, hard = T.find_reviews(buf, include_summary)
    assert_same_arrays((docs, hard), numba_kernels.find_reviews(buf, include_summary))
    assert docs.shape[0] > 200 and (docs[:, 1] > docs[:, 0]).any() == include_summary


@pytest.mark.parametrize("data", [b"", b"review/text:", b"review/summary:<\nreview/text:a", b"review/text:x\n"])
def test_reviews_of_edge_buffers(numba_kernels, data):
    for include_summary in (False, True):
        assert_same_arrays(T.find_reviews(as_buffer(data), include_summary),
                           numba_kernels.find_reviews(as_buffer(data), include_summary))


# --- words of a block ----------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(6))
def test_random_bytes_are_encoded_alike(numba_kernels, seed):
    buf = as_buffer(random_bytes(seed, 20000))
    docs, hard = T.find_lines(buf)
    c_result, _ = encode_both(numba_kernels, buf, docs, hard, replacements_for(hard, seed), empty_tables())
    assert c_result[3].shape[0] > 1000 and c_result[4].sum() == c_result[3].shape[0]


@pytest.mark.parametrize("data", [
    b"a<b>c <no close\nx<y<z>w", b"<" + b"q" * 199 + b">after", b"<" + b"q" * 200 + b">kept", b"<a\nb>c",
    b"<>empty<<>>", b"tag at end <", b"TeA<br />TEA, tea\n\n\nCUP!", b"\x00nul\x00between", b"",
])
def test_tags_and_separators_are_encoded_alike(numba_kernels, data):
    buf = as_buffer(data)
    docs, hard = T.find_lines(buf)
    encode_both(numba_kernels, buf, docs, hard, replacements_for(hard, 1), empty_tables())


@pytest.mark.slow
@pytest.mark.parametrize("start", [(16, 64), (1, 64), (4096, 1 << 16)])
def test_long_and_many_words_grow_the_tables_alike(numba_kernels, start):
    buf = as_buffer(long_words(3, 6000))
    docs, hard = T.find_lines(buf)
    tables = empty_tables(*start)
    c_result, _ = encode_both(numba_kernels, buf, docs, hard, NO_REPLACEMENTS, tables)
    assert int(tables[0][3][0]) > 5000 and c_result[0].shape[0] >= 8192
    rows = np.arange(int(tables[0][3][0]))
    words = T.Words(*c_result[:3], tables[0][3]).words(rows)
    assert words[:3] == [word.decode().lower() for word in buf.tobytes().split(b"\n")[0].split(b" ")[:3]]


@pytest.mark.slow
@pytest.mark.parametrize("include_summary", [False, True])
def test_snap_blocks_in_one_growing_table_are_encoded_alike(numba_kernels, include_summary):
    tables = empty_tables()
    for seed in range(5):
        buf = as_buffer(snap_reviews(seed, 200) + long_words(seed, 300).replace(b"\n", b"\nreview/text:"))
        docs, hard = T.find_reviews(buf, include_summary)
        c_result, numba_result = encode_both(numba_kernels, buf, docs, hard, replacements_for(hard, seed), tables)
        tables = (c_result[:3] + (tables[0][3],), numba_result[:3] + (tables[1][3],))


def test_rows_read_before_a_table_grows_stay_valid():
    table = T.Words.empty(16, 64)
    first = as_buffer(b"tea cup mug")
    words, _, _ = T.encode(first, *T.find_lines(first), NO_REPLACEMENTS, table, FOLD)
    before = (words.starts.copy(), words.arena[:int(words.sizes[1])].copy())
    more = as_buffer(long_words(5, 2000))
    grown, _, _ = T.encode(more, *T.find_lines(more), NO_REPLACEMENTS, words, FOLD)
    assert grown.slots.shape[0] > words.slots.shape[0] and grown.arena is not words.arena
    assert np.array_equal(words.starts[:4], before[0][:4]) and np.array_equal(words.arena[:12], before[1])
    assert grown.words([0, 1, 2]) == ["tea", "cup", "mug"] and np.array_equal(grown.starts[:4], before[0][:4])


def test_merge_numbers_words_alike(numba_kernels):
    text = as_buffer(b" ".join(long_words(7, 900).lower().replace(b",", b"").split()) + b" ")
    total = T.Words.empty(16, 64)
    c_total, c_rows = T.merge(total, text, FOLD)
    whole = np.array([[0, 0, 0, text.shape[0]]], dtype=np.int64)
    table = numba_kernels.new_table(16, 64)
    result = numba_kernels.encode_block(text, whole, np.zeros(1, np.uint8), NO_REPLACEMENTS, table, FOLD)
    assert_same_tables(tuple(c_total[:3]) + (c_total.sizes,), result[:3] + (table[3],))
    assert_same_arrays((c_rows,), (result[3],))


@pytest.mark.slow
def test_threads_encode_their_own_tables_at_once():
    blocks = [as_buffer(random_bytes(seed, 200_000) + long_words(seed, 3000)) for seed in range(4)]
    documents = [T.find_lines(buf) for buf in blocks]
    replaced = [replacements_for(hard, seed) for seed, (_, hard) in enumerate(documents)]

    def encode_alone(k):
        return T.encode_block(blocks[k], *documents[k], replaced[k], T.new_table(16, 64), FOLD)

    alone = [encode_alone(k) for k in range(len(blocks))]
    together = [None] * len(blocks)

    def encode(k):
        together[k] = encode_alone(k)

    threads = [threading.Thread(target=encode, args=(k,)) for k in range(len(blocks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for one, other in zip(alone, together):
        assert_same_arrays(one[3:], other[3:])


def test_wrong_arrays_are_refused_before_the_kernel_runs():
    buf = as_buffer(b"tea cup")
    docs, hard = T.find_lines(buf)
    with pytest.raises(TypeError, match="uint64"):
        T.encode_block(buf, docs, hard, NO_REPLACEMENTS, (np.zeros((16, 2), np.int64),) + T.new_table(16, 64)[1:], FOLD)
    with pytest.raises(ValueError, match="power of two"):
        T.encode_block(buf, docs, hard, NO_REPLACEMENTS, T.new_table(12, 64), FOLD)
    with pytest.raises(ValueError, match="outside"):
        T.encode_block(buf, docs + 100, hard, NO_REPLACEMENTS, T.new_table(16, 64), FOLD)
    with pytest.raises(ValueError, match="outside"):
        T.encode_block(buf, docs, np.ones(1, np.uint8), NO_REPLACEMENTS, T.new_table(16, 64), FOLD)


# --- the corpus in vocabulary rows ---------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(3))
def test_remap_in_ranges_alike(numba_kernels, seed):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, 500, 20_000).astype(np.int32)
    remap = np.where(rng.random(500) < 0.3, 0, rng.integers(1, 400, 500)).astype(np.int32)
    lengths = rng.integers(1, 40, 2000)
    doc_starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    results = []
    for kernel in (T.remap_range, numba_kernels.remap_range):
        offsets, state, kept = np.zeros_like(doc_starts), np.zeros(2, np.int64), []
        for start in range(0, ids.shape[0], 3001):
            out = np.empty(3001, np.int32)
            kept.append(out[:kernel(ids[start:start + 3001], start, remap, doc_starts, offsets, state, out)].copy())
        results.append((np.concatenate(kept), offsets, state))
    assert_same_arrays(results[0], results[1])
    assert results[0][0].shape[0] == np.count_nonzero(remap[ids])


# --- which kernels read a corpus -----------------------------------------------------------------------

def run_python(code: str, tmp_path: Path, **env) -> subprocess.CompletedProcess:
    """``code`` in a fresh interpreter that imports this wordvec, a small text file at ``corpus.txt``."""
    (tmp_path / "corpus.txt").write_text("Tea, tea and a CUP.\nCafé au lait\n\n<b>bold</b> tea\n" * 50)
    source = str(Path(T.__file__).resolve().parents[2])
    environ = dict(os.environ)
    environ.update(PYTHONPATH=os.pathsep.join([source, environ.get("PYTHONPATH", "")]), **env)
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=environ, capture_output=True, text=True,
                          timeout=120)


READ_CORPUS = ("import sys, wordvec.encoding as E; "
               "vocab, corpus = E.encode_files('corpus.txt', threads=2); "
               "print('numba' in sys.modules, vocab.words[:2], corpus.n_documents)")


@pytest.mark.slow
def test_reading_a_corpus_never_imports_numba(tmp_path):
    done = run_python(READ_CORPUS, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "False"
    assert "['UNK', 'tea']" in done.stdout and done.stdout.split()[-1] == "150"
