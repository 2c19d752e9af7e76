"""Vectors in and out: every file format load_vectors reads and export_vectors writes.

gensim is the oracle for word2vec text and binary and for GloVe
(``no_header=True``), the fastText package for ``.bin`` models and their
character n-grams, the Projector's documented layout for the projector export.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import re
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wordvec.errors import ModelFormatError, ParameterError
from wordvec.formats import (DIRECTORY_EXPORTS, EXPORT_FORMATS, READ_FORMATS, detect_format, export_vectors,
                             load_model, load_vectors, load_word2vec, save_model, save_word2vec)
from wordvec.subwords import fasttext_hash, ngram_hash_table, ngram_hashes, ngrams
from wordvec.vectors import SubwordVectors, Vectors

COMPRESSORS = {"gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress}


@pytest.fixture
def vectors():
    rng = np.random.default_rng(5)
    words = ["UNK", "the", "café", "tea", "日本語", "naïve", "cup", "x"]
    matrix = rng.normal(size=(len(words), 6)).astype(np.float32)
    return Vectors(words, matrix, counts=[0, 90, 40, 30, 20, 10, 5, 1], unknown="UNK")


def _glove_text(words, matrix) -> bytes:
    return "".join(w + " " + " ".join(f"{x:.6g}" for x in row) + "\n" for w, row in zip(words, matrix.tolist())
                   ).encode("utf-8")


def _one_line(err) -> str:
    message = str(err.value)
    assert "\n" not in message
    return message


# -- word2vec text and binary, gensim the oracle ------------------------------------------

@pytest.mark.parametrize("binary", [False, True])
def test_word2vec_written_by_wordvec_is_what_gensim_reads(vectors, tmp_path, binary):
    models = pytest.importorskip("gensim.models")
    path = tmp_path / "v.w2v"
    export_vectors(vectors, path, "word2vec-binary" if binary else "word2vec")
    kv = models.KeyedVectors.load_word2vec_format(str(path), binary=binary)
    back = load_vectors(path)
    assert kv.index_to_key == back.words == vectors.words[1:]
    assert np.array_equal(back.matrix, kv.vectors)  # both parse the same digits to the same float32
    if binary:
        assert np.array_equal(back.matrix, vectors.matrix[1:])
    else:
        np.testing.assert_allclose(back.matrix, vectors.matrix[1:], rtol=1e-5, atol=1e-6)
    assert detect_format(path) == ("word2vec-binary" if binary else "word2vec")


@pytest.mark.parametrize("binary", [False, True])
def test_word2vec_written_by_gensim_is_read(tmp_path, binary):
    models = pytest.importorskip("gensim.models")
    rng = np.random.default_rng(1)
    kv = models.KeyedVectors(vector_size=7)
    words = ["alpha", "béta", "γάμμα", "δ", "日本"] + [f"w{i}" for i in range(300)]
    kv.add_vectors(words, rng.normal(size=(len(words), 7)).astype(np.float32))
    path = tmp_path / "gensim.out"
    kv.save_word2vec_format(str(path), binary=binary)
    back = load_vectors(path)
    assert back.words == words and back.counts is None
    if binary:
        assert np.array_equal(back.matrix, kv.vectors)
    else:
        reread = models.KeyedVectors.load_word2vec_format(str(path), binary=False)
        assert np.array_equal(back.matrix, reread.vectors)


def test_googlenews_layout_without_newlines_matches_gensim(tmp_path):
    """The GoogleNews file has no newline after each vector; word2vec.c writes one. Both read alike."""
    models = pytest.importorskip("gensim.models")
    rng = np.random.default_rng(2)
    n, dim = 5000, 8
    words = [f"w{i}_{'é' * (i % 4)}" for i in range(n)]
    matrix = rng.normal(size=(n, dim)).astype("<f4")
    matrix[7] = np.frombuffer(b"  \n " * 8, dtype="<f4")  # spaces and newlines inside a vector's bytes
    body = b"".join(w.encode() + b" " + row.tobytes() for w, row in zip(words, matrix))
    path = tmp_path / "GoogleNews-like.bin"
    path.write_bytes(f"{n} {dim}\n".encode() + body)
    back = load_vectors(path)
    kv = models.KeyedVectors.load_word2vec_format(str(path), binary=True)
    assert back.words == kv.index_to_key == words
    assert np.array_equal(back.matrix, kv.vectors) and np.array_equal(back.matrix, matrix)


def test_rows_across_chunk_boundaries(tmp_path, monkeypatch):
    """Big files are parsed a block at a time; tiny blocks must give the same rows as one block."""
    import wordvec.formats.word2vec as wio

    models = pytest.importorskip("gensim.models")
    rng = np.random.default_rng(3)
    words = [f"w{i}{'ü' * (i % 3)}" for i in range(1000)]
    kv = models.KeyedVectors(vector_size=5)
    kv.add_vectors(words, rng.normal(size=(len(words), 5)).astype(np.float32))
    for binary in (True, False):
        path = tmp_path / f"v{int(binary)}"
        kv.save_word2vec_format(str(path), binary=binary)
        whole = load_vectors(path)
        monkeypatch.setattr(wio, "_BINARY_CHUNK", 7)
        monkeypatch.setattr(wio, "_TEXT_BLOCK", 50)
        chunked = load_vectors(path)
        limited = load_vectors(path, limit=333)
        monkeypatch.undo()
        assert chunked.words == whole.words == words and np.array_equal(chunked.matrix, whole.matrix)
        assert limited.words == words[:333] and np.array_equal(limited.matrix, whole.matrix[:333])
    glove = tmp_path / "blank-lines.txt"  # blank lines, here and there, are skipped
    glove.write_bytes(b"\n".join(line + (b"\n" if i % 10 == 0 else b"")
                                 for i, line in enumerate(_glove_text(words, kv.vectors).splitlines())) + b"\n")
    monkeypatch.setattr(wio, "_TEXT_BLOCK", 50)
    assert load_vectors(glove).words == words and load_vectors(glove, limit=333).words == words[:333]


def test_fasttext_vec_export_is_word2vec_text(vectors, tmp_path):
    models = pytest.importorskip("gensim.models")
    export_vectors(vectors, tmp_path / "v.vec", "fasttext-vec")
    export_vectors(vectors, tmp_path / "v.txt", "word2vec")
    text = (tmp_path / "v.vec").read_text(encoding="utf-8")
    assert text == (tmp_path / "v.txt").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "7 6"
    assert models.KeyedVectors.load_word2vec_format(str(tmp_path / "v.vec")).index_to_key == vectors.words[1:]


def test_fasttext_vec_with_trailing_spaces_and_crlf_is_read(tmp_path):
    """fastText writes a space after every number; files edited on Windows end lines with CRLF."""
    path = tmp_path / "wiki.vec"
    path.write_bytes(b"3 2\r\n</s> 0.1 0.2 \r\nthe 0.3 -0.4 \r\nof 5e-1 6 \r\n")
    back = load_vectors(path)
    assert back.words == ["</s>", "the", "of"]
    np.testing.assert_array_equal(back.matrix, np.float32([[0.1, 0.2], [0.3, -0.4], [0.5, 6]]))


# -- GloVe and TSV ---------------------------------------------------------------------

def test_glove_matches_gensim_without_header(vectors, tmp_path):
    models = pytest.importorskip("gensim.models")
    path = tmp_path / "glove.6B.6d.txt"
    path.write_bytes(_glove_text(vectors.words[1:], vectors.matrix[1:]))
    assert detect_format(path) == "glove"
    back = load_vectors(path)
    kv = models.KeyedVectors.load_word2vec_format(str(path), binary=False, no_header=True)
    assert back.words == kv.index_to_key == vectors.words[1:]
    assert np.array_equal(back.matrix, kv.vectors)


def test_glove_tokens_with_spaces_are_read_from_the_right(tmp_path):
    path = tmp_path / "glove.840B.txt"
    path.write_text(", 0.1 0.2 0.3\n. . . 1 2 3\nat name@domain.com -1 -2 -3\nNew York 4 5 6\n", encoding="utf-8")
    back = load_vectors(path)
    assert back.words == [",", ". . .", "at name@domain.com", "New York"]
    assert np.array_equal(back.matrix, np.float32([[0.1, 0.2, 0.3], [1, 2, 3], [-1, -2, -3], [4, 5, 6]]))


def test_tsv_round_trip(vectors, tmp_path):
    path = tmp_path / "v.tsv"
    export_vectors(vectors, path, "tsv")
    assert detect_format(path) == "tsv"
    back = load_vectors(path)
    assert back.words == vectors.words[1:]
    np.testing.assert_allclose(back.matrix, vectors.matrix[1:], rtol=1e-5, atol=1e-6)


def test_the_format_comes_from_the_content_not_the_name(vectors, tmp_path):
    binary, text = tmp_path / "looks.txt", tmp_path / "looks.bin"
    save_word2vec(vectors, binary, binary=True)
    save_word2vec(vectors, text)
    assert detect_format(binary) == "word2vec-binary" and detect_format(text) == "word2vec"
    assert load_vectors(binary).words == load_vectors(text).words == vectors.words[1:]
    assert detect_format(tmp_path) == "model"
    assert set(READ_FORMATS) >= {"model", "word2vec", "word2vec-binary", "glove", "tsv", "fasttext-bin"}


def test_duplicate_words_keep_their_first_vector(tmp_path):
    path = tmp_path / "dup.txt"
    path.write_text("a 1 2\nb 3 4\na 5 6\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="1 words appear more than once"):
        back = load_vectors(path)
    assert back.words == ["a", "b"] and back.matrix.tolist() == [[1, 2], [3, 4]]


def test_words_that_are_not_utf8_are_kept_escaped(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"caf\xe9 1 2\ntea 3 4\n")
    with pytest.warns(UserWarning, match="not valid UTF-8"):
        back = load_vectors(path)
    assert back.words == ["caf\\xe9", "tea"]


# -- compressed files and limit --------------------------------------------------------------

def _write_all_formats(vectors, folder) -> dict:
    paths = {"word2vec": folder / "a", "word2vec-binary": folder / "b", "glove": folder / "c", "tsv": folder / "d"}
    save_word2vec(vectors, paths["word2vec"])
    save_word2vec(vectors, paths["word2vec-binary"], binary=True)
    paths["glove"].write_bytes(_glove_text(vectors.words[1:], vectors.matrix[1:]))
    export_vectors(vectors, paths["tsv"], "tsv")
    return paths


@pytest.mark.parametrize("compression", sorted(COMPRESSORS))
def test_compressed_files_read_as_the_plain_ones(vectors, tmp_path, compression):
    for fmt, path in _write_all_formats(vectors, tmp_path).items():
        packed = path.with_name(path.name + ".packed")
        packed.write_bytes(COMPRESSORS[compression](path.read_bytes()))
        assert detect_format(packed) == fmt
        plain, unpacked = load_vectors(path), load_vectors(packed)
        assert unpacked.words == plain.words and np.array_equal(unpacked.matrix, plain.matrix)
        first = load_vectors(packed, limit=3)
        assert first.words == plain.words[:3] and np.array_equal(first.matrix, plain.matrix[:3])


def test_limit_reads_the_first_rows_of_each_format(vectors, tmp_path):
    for fmt, path in _write_all_formats(vectors, tmp_path).items():
        full = load_vectors(path)
        for limit in (1, 4, 7, 100):
            part = load_vectors(path, limit=limit)
            assert part.words == full.words[:limit], fmt
            assert np.array_equal(part.matrix, full.matrix[:limit])
    model = save_model(tmp_path / "model", vectors)
    part = load_vectors(model, mmap=True, limit=3)
    assert part.words == ["UNK", "the", "café"] and part.counts.tolist() == [0, 90, 40]
    assert isinstance(part.matrix, np.memmap)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ParameterError, match="limit"):
            load_vectors(path, limit=bad)


@pytest.mark.slow
def test_limit_decompresses_only_what_it_needs(tmp_path):
    """Rows past the limit are never decompressed: a broken tail does not matter."""
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(50_000)]
    path = tmp_path / "big.txt.gz"
    data = gzip.compress(_glove_text(words, rng.normal(size=(len(words), 20))))
    path.write_bytes(data[: len(data) * 3 // 4])  # truncated: the whole file cannot be read
    with pytest.raises(ModelFormatError, match=r"big\.txt\.gz: the gzip data ends early"):
        load_vectors(path)
    assert load_vectors(path, limit=100).words == words[:100]


def test_a_file_saved_as_a_model_directory_loads_memory_mapped(tmp_path):
    glove = tmp_path / "glove.txt"
    glove.write_text("the 1 2\nof 3 4\nand 5 6\n", encoding="utf-8")
    model = save_model(tmp_path / "model", load_vectors(glove))
    loaded = load_model(model, mmap=True).vectors
    assert isinstance(loaded.matrix, np.memmap) and loaded.matrix.tolist() == [[1, 2], [3, 4], [5, 6]]
    assert loaded.words == ["the", "of", "and"] and loaded.counts is None and loaded.unknown is None
    assert load_vectors(model, mmap=True, limit=2).words == ["the", "of"]


# -- the projector ---------------------------------------------------------------------

def test_projector_export_layout(vectors, tmp_path):
    out = tmp_path / "projector"
    export_vectors(vectors, out, "projector")
    assert sorted(p.name for p in out.iterdir()) == ["metadata.tsv", "projector_config.pbtxt", "vectors.tsv"]
    rows = (out / "vectors.tsv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == len(vectors) - 1  # UNK left out, as in the other exports
    numbers = np.array([[float(x) for x in row.split("\t")] for row in rows])  # numbers only, no word column
    np.testing.assert_allclose(numbers, vectors.matrix[1:], rtol=1e-5, atol=1e-6)
    meta = (out / "metadata.tsv").read_text(encoding="utf-8").splitlines()
    assert meta[0] == "word\tcount"
    assert [line.split("\t") for line in meta[1:]] == [[w, str(c)] for w, c in
                                                        zip(vectors.words[1:], vectors.counts[1:].tolist())]
    config = (out / "projector_config.pbtxt").read_text(encoding="utf-8")
    assert re.search(r'embeddings\s*\{[^}]*tensor_path:\s*"vectors\.tsv"[^}]*metadata_path:\s*"metadata\.tsv"',
                     config)
    assert "projector" in DIRECTORY_EXPORTS and set(DIRECTORY_EXPORTS) <= set(EXPORT_FORMATS)
    assert {"fasttext-vec", "fasttext", "projector"} <= set(EXPORT_FORMATS)


def test_projector_export_replaces_only_a_previous_export(vectors, tmp_path):
    out = tmp_path / "projector"
    export_vectors(vectors, out, "projector")
    smaller = Vectors(vectors.words[:3], vectors.matrix[:3], unknown="UNK")  # no counts: the column stays empty
    export_vectors(smaller, out, "projector")
    assert (out / "metadata.tsv").read_text(encoding="utf-8").splitlines() == ["word\tcount", "the\t", "café\t"]
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ParameterError, match="holds other files"):
        export_vectors(vectors, out, "projector")
    assert (out / "notes.txt").read_text() == "mine"
    (tmp_path / "file").write_text("x")
    with pytest.raises(ParameterError, match="not a directory"):
        export_vectors(vectors, tmp_path / "file", "projector")
    with pytest.raises(ParameterError, match="tab or line break"):
        export_vectors(Vectors(["a\tb"], np.ones((1, 2), dtype=np.float32)), tmp_path / "p2", "projector")
    assert not (tmp_path / "p2").exists()


def test_projector_export_is_atomic(vectors, tmp_path, monkeypatch):
    out = tmp_path / "projector"
    export_vectors(vectors, out, "projector")
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(OSError, match="No space"):
        export_vectors(Vectors(["a"], np.ones((1, 2), dtype=np.float32)), out, "projector")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["projector"]  # no staging folder left behind


# -- bad files: one line naming the file and the line or byte -------------------------------

def _binary(words=("a", "b", "c"), dim=4) -> bytes:
    rows = [w.encode() + b" " + np.full(dim, i + 0.5, dtype="<f4").tobytes() + b"\n" for i, w in enumerate(words)]
    return f"{len(words)} {dim}\n".encode() + b"".join(rows)


BAD_FILES = [
    ("ragged row (GloVe)", b"a 1 2\nb 1\n", r"line 2: expected a word and 2 numbers, got 1"),
    ("ragged row, a number too many", b"a 1 2\nb 1 2 3\n", r"line 2: expected a word and 2 numbers, got 3"),
    ("ragged row (word2vec text)", b"2 2\na 1 2\n\nb 1 2 3\n", r"line 4: expected a word and 2 numbers, got 3"),
    ("header dimension too large", b"2 3\na 1 2\nb 1 2\n", r"line 2: expected a word and 3 numbers, got 2"),
    ("not a number", b"2 2\na 1 2\nb 1 x\n", r"line 3: not a number"),
    ("NaN", b"a 1 2\nb nan 2\n", r"line 2: NaN or infinite"),
    ("header promising more rows (text)", b"3 2\na 1 2\nb 1 2\n", r"line 4: the header promises 3 words"),
    ("more rows than the header", b"1 2\na 1 2\nb 1 2\n", r"line 3: more rows than the 1 in the header"),
    ("truncated binary", _binary()[:-7], r"byte \d+: the file ends in the vector of word 3 of 3"),
    ("header promising more rows (binary)", _binary().replace(b"3 4", b"5 4", 1),
     r"byte \d+: the file ends in the word 4 of 5"),
    ("header dimension too small (binary)", _binary().replace(b"3 4", b"3 3", 1),
     r"byte \d+: .*(dimension|ends in)"),
    ("header dimension too large (binary)", _binary().replace(b"3 4", b"3 5", 1), r"byte \d+: "),
    ("binary NaN", _binary()[:-5] + np.float32("nan").tobytes() + b"\n",
     r"byte \d+: the vector of word 3 holds NaN"),
]


@pytest.mark.parametrize("content, message", [case[1:] for case in BAD_FILES], ids=[case[0] for case in BAD_FILES])
def test_bad_files_give_one_line_naming_file_and_place(tmp_path, content, message):
    path = tmp_path / "bad vectors.txt"
    path.write_bytes(content)
    with pytest.raises(ModelFormatError) as err:
        load_vectors(path)
    assert re.match(re.escape(str(path)) + ", " + message, _one_line(err)), str(err.value)


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty"),
    (b"PK\x03\x04" + bytes(range(256)), "a zip archive"),
    (bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8)), "binary data"),
    (b"hello world\nthis is a corpus\n", "first line 'hello world' is neither"),
    (b"(\xb5/\xfd" + bytes(20), "zstd"),
])
def test_files_that_are_not_vectors_are_refused(tmp_path, content, message):
    path = tmp_path / "not-vectors"
    path.write_bytes(content)
    with pytest.raises(ModelFormatError) as err:
        load_vectors(path)
    assert _one_line(err).startswith(f"{path}: not a vectors file") and message in str(err.value)


def test_corrupted_compressed_file(tmp_path, vectors):
    path = tmp_path / "v.bin.xz"
    save_word2vec(vectors, tmp_path / "v.bin", binary=True)
    data = bytearray(lzma.compress((tmp_path / "v.bin").read_bytes()))
    data[40] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFormatError) as err:
        load_vectors(path)
    assert _one_line(err).startswith(f"{path}: the xz data is corrupted")


def test_load_word2vec_refuses_other_layouts(tmp_path):
    path = tmp_path / "glove.txt"
    path.write_text("a 1 2\n", encoding="utf-8")
    with pytest.raises(ModelFormatError, match=r"line 1: expected a word2vec header"):
        load_word2vec(path)
    with pytest.raises(ModelFormatError, match="no such file"):
        load_vectors(tmp_path / "missing.txt")


# -- fastText .bin, the fastText package the oracle ---------------------------------------------

CORPUS_WORDS = "where the café is naïve 日本語 text tea cup dog cat good bad milk sugar où".split()


def _train_fasttext(tmp_path, **options):
    fasttext = pytest.importorskip("fasttext")
    rng = np.random.default_rng(4)
    corpus = tmp_path / "corpus.txt"
    lines = [" ".join(rng.choice(CORPUS_WORDS, size=12)) for _ in range(300)]
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # thread=10: with fewer threads fastText leaves part of the input matrix uninitialised (its
    # initialisation splits the matrix in tenths, one per thread), which can be NaN in some builds
    settings = dict(model="skipgram", dim=10, epoch=1, minCount=1, bucket=1000, thread=10, verbose=0)
    return fasttext.train_unsupervised(str(corpus), **{**settings, **options})


@pytest.fixture(scope="module")
def fasttext_model(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fasttext")
    model = _train_fasttext(tmp)
    model.save_model(str(tmp / "model.bin"))
    return model, tmp / "model.bin"


def test_fasttext_bin_gives_fasttexts_word_vectors(fasttext_model):
    model, path = fasttext_model
    assert detect_format(path) == "fasttext-bin"
    back = load_vectors(path)
    assert isinstance(back, SubwordVectors) and (back.min_n, back.max_n, back.buckets) == (3, 6, 1000)
    words, freqs = model.get_words(include_freq=True)
    assert back.words == list(words) and back.counts.tolist() == list(freqs)
    for word in words:
        np.testing.assert_allclose(back[word], model.get_word_vector(word), rtol=1e-5, atol=1e-7)
    assert back.words[0] == "</s>"  # fastText's end-of-line token, without n-grams, as fastText keeps it


@pytest.mark.parametrize("word", ["cafés", "naïvety", "日本", "teacup", "x", "</s>x", "dogcatdog"])
def test_fasttext_bin_gives_fasttexts_vectors_of_unknown_words(fasttext_model, word):
    model, path = fasttext_model
    back = load_vectors(path)
    assert word not in back and back.built_from_subwords(word)
    np.testing.assert_allclose(back[word], model.get_word_vector(word), rtol=1e-5, atol=1e-7)
    assert all(w in back for w, _ in back.most_similar(word, n=3))


def test_fasttext_bin_matrix_is_not_copied(fasttext_model):
    _, path = fasttext_model
    back = load_vectors(path)
    assert not back.ngram_rows.flags.owndata and not back.ngram_rows.flags.writeable
    assert back.ngram_rows.shape == (1000, 10) and np.array_equal(back.bucket_rows, np.arange(1000))


def test_fasttext_bin_compressed_and_limited(fasttext_model, tmp_path):
    model, path = fasttext_model
    packed = tmp_path / "model.bin.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    full, part = load_vectors(path), load_vectors(packed, limit=4)
    assert part.words == full.words[:4] and np.array_equal(part.matrix, full.matrix[:4])
    assert part.counts.tolist() == full.counts[:4].tolist()
    assert np.array_equal(part["teacups"], full["teacups"])  # every n-gram row kept


@pytest.mark.parametrize("word", ["café", "naïve", "日本語", "where", "zzz", "a", "où"])
def test_ngram_hashes_are_fasttexts_subword_ids(fasttext_model, word):
    model, _ = fasttext_model
    subwords, ids = model.get_subwords(word)
    known = model.get_word_id(word) >= 0
    if known:  # fastText lists the word itself first
        assert subwords[0] == word and ids[0] == model.get_word_id(word)
        subwords, ids = subwords[1:], ids[1:]
    assert ngrams(word, 3, 6) == list(subwords)
    assert (ngram_hashes(word, 3, 6, 1000) + len(model.words)).tolist() == ids.tolist()


@pytest.mark.slow
def test_fasttext_bin_with_other_ngram_lengths(tmp_path):
    model = _train_fasttext(tmp_path, minn=2, maxn=4, bucket=5000)
    model.save_model(str(tmp_path / "m.bin"))
    back = load_vectors(tmp_path / "m.bin")
    for word in model.words:
        np.testing.assert_allclose(back[word], model.get_word_vector(word), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(back["teacups"], model.get_word_vector("teacups"), rtol=1e-5, atol=1e-7)
    model = _train_fasttext(tmp_path, maxn=0)  # no subwords at all: the input rows themselves
    model.save_model(str(tmp_path / "plain.bin"))
    back = load_vectors(tmp_path / "plain.bin")
    assert type(back) is Vectors and "teacups" not in back
    assert np.array_equal(back.matrix, model.get_input_matrix()[:len(model.words)])


def _quant_flag_offset(model) -> int:
    """Where a .bin model stores its quantization flag: after the header, the args and the dictionary."""
    dictionary = sum(len(w.encode("utf-8")) + 1 + 8 + 1 for w in model.get_words())
    return 8 + 12 * 4 + 8 + 3 * 4 + 8 + 8 + dictionary


def test_quantized_supervised_and_damaged_fasttext_models_are_refused(fasttext_model, tmp_path):
    model, path = fasttext_model
    data = bytearray(path.read_bytes())
    offset = _quant_flag_offset(model)
    assert data[offset] == 0 and struct.unpack_from("<qq", data, offset + 1) == (len(model.words) + 1000, 10)
    data[offset] = 1
    (tmp_path / "q.bin").write_bytes(bytes(data))
    with pytest.raises(ModelFormatError) as err:
        load_vectors(tmp_path / "q.bin")
    assert _one_line(err) == f"{tmp_path / 'q.bin'}: a quantized fastText model (.ftz); wordvec reads full .bin " \
                             "models only"
    data = bytearray(path.read_bytes())
    struct.pack_into("<i", data, 8 + 7 * 4, 3)  # args.model = supervised
    (tmp_path / "s.bin").write_bytes(bytes(data))
    with pytest.raises(ModelFormatError, match="a supervised fastText model"):
        load_vectors(tmp_path / "s.bin")
    (tmp_path / "t.bin").write_bytes(path.read_bytes()[:offset + 500])
    with pytest.raises(ModelFormatError) as err:
        load_vectors(tmp_path / "t.bin")
    assert re.fullmatch(re.escape(str(tmp_path / "t.bin")) + r", byte \d+: the fastText model ends early.*",
                        _one_line(err))


def test_a_real_supervised_and_quantized_model_is_refused(tmp_path):
    fasttext = pytest.importorskip("fasttext")
    rng = np.random.default_rng(0)
    data = tmp_path / "labelled.txt"
    data.write_text("\n".join(f"__label__{rng.choice(['pos', 'neg'])} " + " ".join(rng.choice(CORPUS_WORDS, 8))
                              for _ in range(200)) + "\n", encoding="utf-8")
    model = fasttext.train_supervised(str(data), dim=10, epoch=1, thread=10, verbose=0, minn=2, maxn=3, bucket=300)
    model.save_model(str(tmp_path / "classifier.bin"))
    with pytest.raises(ModelFormatError, match="supervised fastText model"):
        load_vectors(tmp_path / "classifier.bin")
    model.quantize(input=str(data), retrain=False, cutoff=0)
    model.save_model(str(tmp_path / "classifier.ftz"))
    with pytest.raises(ModelFormatError, match="supervised fastText model|quantized fastText model"):
        load_vectors(tmp_path / "classifier.ftz")


# -- subwords --------------------------------------------------------------------------

def test_fasttext_hash_known_values():
    # FNV-1a of "a": (2166136261 ^ 97) * 16777619 mod 2**32
    assert fasttext_hash(b"a") == ((2166136261 ^ 97) * 16777619) % 2**32
    # a byte from 0x80 enters as a negative int8: 0xE9 -> 0xFFFFFFE9 (the signed-byte quirk)
    assert fasttext_hash(b"\xe9") == ((2166136261 ^ 0xFFFFFFE9) * 16777619) % 2**32
    assert fasttext_hash(b"\xe9") != ((2166136261 ^ 0xE9) * 16777619) % 2**32


def test_ngrams_follow_fasttexts_rules():
    assert ngrams("ab", 1, 2) == ["<a", "a", "ab", "b", "b>"]  # no lone '<' or '>'
    assert ngrams("ab", 3, 4) == ["<ab", "<ab>", "ab>"]  # the whole marked word when short enough
    assert ngrams("日本", 2, 2) == ["<日", "日本", "本>"]  # characters, not bytes
    assert ngrams("word", 3, 0) == [] and ngram_hashes("word", 3, 6, 0).size == 0
    with pytest.raises(ParameterError):
        ngrams("word", -1, 3)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=20), st.integers(0, 4), st.integers(0, 7))
def test_the_vectorised_table_equals_the_word_by_word_hashes(words, min_n, max_n):
    indptr, hashes = ngram_hash_table(words, min_n, max_n, 2003)
    for i, word in enumerate(words):
        assert hashes[indptr[i]:indptr[i + 1]].tolist() == ngram_hashes(word, min_n, max_n, 2003).tolist()
        assert len(ngrams(word, min_n, max_n)) == indptr[i + 1] - indptr[i]
