"""Issue 26, reading: bounded memory on any input, pipes read once, short quotes, finite gold scores.

One table-driven test per defect: 3 (``evaluate`` streams its files), 4 (the corpus reader never
holds a whole line), 5 (a pipe gives every byte the file gives), 11 (an error quotes at most about 80
characters of a line) and the ``evaluate`` part of 17 (NaN or infinite gold scores are refused). The
memory cases, with a measured peak, are the ``slow`` tests at the end.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import os
import resource
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import wordvec.readers.limits as corpus_module
from wordvec.cli import main
from wordvec.readers import default_corpus, iter_documents
from wordvec.encoding import encode_documents, encode_files
from wordvec.errors import CorpusError
from wordvec.formats import save_model
from wordvec.text import tokenize
from wordvec.vectors import Vectors

SNAP_SAMPLE, CSV_SAMPLE = default_corpus()
SNAP_BYTES = gzip.decompress(SNAP_SAMPLE.read_bytes())
#: A gzip member of 1 MiB of spaces (about 1 KB); members one after another are one gzip file.
SPACES_MIB_GZ = gzip.compress(b" " * (1 << 20))
#: Limits monkeypatched in, so that a few kilobytes make a line or record "too long".
LIMIT = 1000


def one_line_error(err: str) -> str:
    assert err.count("\n") == 1 and err.startswith("wordvec: error: "), err
    return err


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    words = ["UNK", "tea", "cup", "coffee", "milk", "sugar", "water", "bread"]
    vectors = Vectors(words, np.random.default_rng(0).normal(size=(len(words), 4)).astype(np.float32),
                      unknown="UNK")
    out = tmp_path_factory.mktemp("hostile") / "base"
    save_model(out, vectors)
    return out


# --- defect 4: the corpus reader never holds a whole line -------------------------------------------

def _long_line() -> str:
    return " ".join(f"w{i % 97} caf\u00e9{i % 5}" for i in range(3000))  # about 35 KB, no line feed


def _snap(summary: str, text: str) -> bytes:
    return f"product/productId: B1\nreview/summary: {summary}\nreview/text: {text}\n\n".encode()


LONG = _long_line()
LONG_LINE_CASES = {
    "text": ("long.txt", b"short first line\n" + LONG.encode() + b"\nshort last line\n", None),
    "text, no line feed at all": ("long.txt", LONG.encode(), None),
    "text, gzip": ("long.txt.gz", gzip.compress(LONG.encode()), None),
    "text, bzip2": ("long.txt.bz2", bz2.compress(b"one\n" + LONG.encode()), None),
    "text, UTF-16": ("long16.txt", ("one\r\n" + LONG).encode("utf-16"), None),
    "SNAP, gzip": ("long.snap.gz", gzip.compress(_snap("Tasty tea", "first") + _snap("Long one", LONG)), None),
    "SNAP with summaries": ("long.snap", _snap("Tasty tea", "first") + _snap("Long one", LONG), True),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(LONG_LINE_CASES))
def test_a_long_line_is_read_in_pieces_of_at_most_the_limit_and_no_word_is_lost(tmp_path, monkeypatch, case):
    monkeypatch.setattr(corpus_module, "MAX_LINE_BYTES", LIMIT, raising=False)
    name, data, include_summary = LONG_LINE_CASES[case]
    path = tmp_path / name
    path.write_bytes(data)
    docs = list(iter_documents(path, include_summary=bool(include_summary)))
    assert len(docs) > 30 and max(len(doc.encode()) for doc in docs) <= LIMIT
    words = [word for doc in docs for word in tokenize(doc)]
    assert words.count("w5") == 31 and words.count("café3") == 600 and "\ufffd" not in "".join(docs)
    # with summaries, the summary goes with the first piece only
    assert [doc.startswith("Long one. w0 caf\u00e9") for doc in docs].count(True) == bool(include_summary)
    assert words.count("long") == bool(include_summary)
    # the block reader cuts the same pieces: the same vocabulary, counts and documents
    expected_vocab, expected = encode_documents(docs, num_words=None)
    vocab, got = encode_files(path, num_words=None, threads=2, include_summary=bool(include_summary))
    assert vocab.words == expected_vocab.words and vocab.counts.tolist() == expected_vocab.counts.tolist()
    assert np.array_equal(got.doc_offsets, expected.doc_offsets) and np.array_equal(got.tokens, expected.tokens)


def test_a_line_without_whitespace_is_cut_between_characters(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_module, "MAX_LINE_BYTES", LIMIT, raising=False)
    path = tmp_path / "accents.txt"
    path.write_bytes(("\u00e9" * 1500 + "\u20ac" * 1000).encode())  # 3,000 + 3,000 bytes, no whitespace
    docs = list(iter_documents(path))
    assert "".join(docs) == "\u00e9" * 1500 + "\u20ac" * 1000
    assert max(len(doc.encode()) for doc in docs) <= LIMIT


RECORD_CASES = {
    "a JSON line": ("reviews.jsonl", b'{"text": "tea"}\n{"text": "' + b"tea " * 400 + b'"}\n',
                    "reviews.jsonl, line 2: a JSON line longer than 1,000 bytes"),
    "a JSON line without a line feed": ("reviews.jsonl", b'{"text": "' + b"x" * 20_000,
                                        "reviews.jsonl, line 1: a JSON line longer than 1,000 bytes"),
    "a CSV field": ("reviews.csv", b"id,text\n1,tea\n2," + b"tea " * 400 + b"\n",
                    "reviews.csv, line 3: a CSV record longer than 1,000 characters"),
    "a CSV quote never closed": ("reviews.csv", b'id,text\n1,"tea\n' + b"cup of tea\n" * 200,
                                 "reviews.csv, line 93: a CSV record longer than 1,000 characters"),
}


@pytest.mark.parametrize("case", list(RECORD_CASES))
def test_a_record_over_the_limit_is_refused_with_one_line(tmp_path, monkeypatch, case):
    monkeypatch.setattr(corpus_module, "MAX_RECORD_BYTES", LIMIT, raising=False)
    name, data, message = RECORD_CASES[case]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(CorpusError) as caught:
        list(iter_documents(path))
    assert str(caught.value).startswith(f"{path.parent}/{message}") and "\n" not in str(caught.value)


def _text_then_hole(path: Path, size: int) -> Path:
    path.write_bytes(b"tea and cups of tea\n" * 5000)  # 100,000 bytes of text
    os.truncate(path, size)  # then NUL bytes (a hole: no disk used)
    return path


@pytest.mark.parametrize("make", [
    lambda folder: _text_then_hole(folder / "sparse.txt", 3 << 20),
    lambda folder: _text_then_hole(folder / "sparse_large.txt", 64 << 20),  # read in blocks
])
def test_text_then_a_hole_is_refused_as_binary_after_the_text(tmp_path, capsys, make):
    path = make(tmp_path)
    out = tmp_path / "model"
    code = main(["train", str(path), "--out", str(out), "--epochs", "1", "--quiet"])
    err = one_line_error(capsys.readouterr().err)
    assert code == 1 and f"{path}: looks like binary data from byte 100,000 on" in err
    assert not out.exists() and path.stat().st_size >= 3 << 20


# --- defect 5: a pipe is read once, and whole ---------------------------------------------------------

@contextlib.contextmanager
def fifo_of(folder: Path, data: bytes):
    """A named pipe in ``folder`` that a thread fills with ``data``, as ``<(zcat x.gz)`` would.

    The writer holds the pipe open for reading too (``O_RDWR``), so a reader that opens it twice
    finds what the first open left, as with process substitution, instead of waiting forever.
    """
    path = folder / "pipe"
    os.mkfifo(path)

    def write():
        with contextlib.suppress(OSError), open(os.open(path, os.O_RDWR), "wb") as pipe:
            pipe.write(data)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        yield path
    finally:
        drain = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        while writer.is_alive():  # a reader that stopped early: let the writer finish
            with contextlib.suppress(BlockingIOError):
                os.read(drain, 1 << 16)
            writer.join(0.01)
        os.close(drain)
        path.unlink()


PIPE_CASES = {
    "SNAP, gzip (<(cat finefoods.txt.gz))": SNAP_SAMPLE.read_bytes(),
    "SNAP (<(zcat finefoods.txt.gz))": SNAP_BYTES,
    "plain text": b"".join(line[len(b"review/text: "):] + b"\n" for line in SNAP_BYTES.split(b"\n")
                           if line.startswith(b"review/text: ")),
    "CSV, gzip": CSV_SAMPLE.read_bytes(),
    "plain text, bzip2": bz2.compress(SNAP_BYTES),
}


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize("case", list(PIPE_CASES))
def test_a_pipe_gives_the_documents_vocabulary_and_counts_of_the_file(tmp_path, case):
    data = PIPE_CASES[case]
    path = tmp_path / "corpus"
    path.write_bytes(data)
    expected = list(iter_documents(path))
    with fifo_of(tmp_path, data) as pipe:
        got = list(iter_documents(pipe))
    assert len(got) == len(expected) == 1000 and got == expected
    expected_vocab, expected_corpus = encode_documents(iter_documents(path), num_words=None)
    with fifo_of(tmp_path, data) as pipe:
        vocab, corpus = encode_documents(iter_documents(pipe), num_words=None)
    assert vocab.words == expected_vocab.words and vocab.counts.tolist() == expected_vocab.counts.tolist()
    assert corpus.raw_word_count == expected_corpus.raw_word_count


# --- defect 3: evaluate streams its files, a line at most 64 KiB --------------------------------------

def _bomb(folder: Path) -> Path:
    """2.5 GiB of spaces without a line feed, in 2.6 MB of gzip."""
    path = folder / "bomb.gz"
    path.write_bytes(SPACES_MIB_GZ * 2560)
    return path


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # reading the bomb whole cannot fit


EVALUATE_CASES = {
    "--similarity /dev/zero": ("--similarity", lambda folder: Path("/dev/zero"),
                               "/dev/zero, line 1: holds NUL bytes: binary data, not an evaluation file"),
    "--analogies /dev/zero": ("--analogies", lambda folder: Path("/dev/zero"),
                              "/dev/zero, line 1: holds NUL bytes"),
    "--analogies bomb.gz": ("--analogies", _bomb, "bomb.gz, line 1: longer than 65,536 bytes, "
                                                  "not a line of an evaluation file"),
    "--similarity bomb.gz": ("--similarity", _bomb, "bomb.gz, line 1: longer than 65,536 bytes"),
}


@pytest.mark.slow
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("case", list(EVALUATE_CASES))
def test_evaluate_refuses_endless_and_bomb_files_with_one_line_in_bounded_memory(tmp_path, model, case):
    option, make, message = EVALUATE_CASES[case]
    path = make(tmp_path)
    done = subprocess.run([sys.executable, "-m", "wordvec", "evaluate", str(model), option, str(path)],
                          capture_output=True, text=True, timeout=120, preexec_fn=_limit_memory)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr[-500:]


# --- defect 11: an error quotes at most about 80 characters of a line ----------------------------------

QUOTE_CASES = {
    "a word-pair line of 60,000 characters": (
        "--similarity", "pairs.txt", "tea\tcup\t5\n" + "tea\t" * 15000 + "\n",
        "pairs.txt, line 2: expected word1'\\t'word2'\\t'score, got 'tea\\ttea\\t"),
    "a score of 60,000 characters": (
        "--similarity", "pairs.txt", "tea\tcup\t" + "5" * 60000 + "x\n", "pairs.txt, line 1: score '5555"),
    "an analogy line of 60,000 characters": (
        "--analogies", "questions.txt", ": family\n" + "tea " * 15000 + "\n",
        "questions.txt, line 2: expected 4 words 'a b c d', got 'tea tea"),
    "a line over 64 KiB": ("--similarity", "pairs.txt", "tea\tcup\t5\n" + "tea " * 50_000,
                           "pairs.txt, line 2: longer than 65,536 bytes"),
}


@pytest.mark.parametrize("case", list(QUOTE_CASES))
def test_an_error_quotes_a_bad_line_in_at_most_about_80_characters(tmp_path, model, capsys, case):
    option, name, text, message = QUOTE_CASES[case]
    path = tmp_path / name
    path.write_text(text)
    code = main(["evaluate", str(model), option, str(path)])
    err = one_line_error(capsys.readouterr().err)
    assert code == 1 and message in err and len(err) < len(str(path)) + 200, err


def test_a_json_field_name_is_quoted_short(tmp_path):
    path = tmp_path / "reviews.jsonl"
    long_name = "x" * 5000
    path.write_text(f'{{"{long_name}": "tea"}}\n{{"{long_name}": ["tea"]}}\n')
    with pytest.raises(CorpusError) as caught:
        list(iter_documents(path, text_column=long_name))
    assert "line 2: the field 'xxxx" in str(caught.value) and len(str(caught.value)) < len(str(path)) + 200


# --- defect 17 (evaluate): gold scores must be finite numbers -----------------------------------------

@pytest.mark.parametrize("score", ["nan", "NaN", "inf", "-inf", "Infinity"])
def test_a_gold_score_that_is_not_finite_is_refused_with_the_line(tmp_path, model, capsys, score):
    path = tmp_path / "pairs.txt"
    path.write_text(f"tea\tcup\t7.5\ncoffee\tmilk\t4\nsugar\twater\t{score}\nbread\ttea\t1\n")
    code = main(["evaluate", str(model), "--similarity", str(path)])
    captured = capsys.readouterr()
    err = one_line_error(captured.err)
    assert code == 1 and f"{path}, line 3: the score is not a finite number ('{score}')" in err
    assert "spearman" not in captured.out


# --- memory, measured (slow): the peak of a whole command stays bounded -------------------------------

def _peak_mib(args: list[str], cwd: Path) -> tuple[int, float, str]:
    """Exit code, peak resident memory (MiB, from ``os.wait4``) and standard error of ``wordvec args``."""
    with open(cwd / "stderr.txt", "w+b") as errors:
        process = subprocess.Popen([sys.executable, "-m", "wordvec", *args], cwd=cwd, stdout=subprocess.DEVNULL,
                                   stderr=errors, preexec_fn=_limit_memory)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        return process.returncode, usage.ru_maxrss / 1024, errors.read().decode()


MEMORY_CASES = {
    "train bomb.gz (64 MiB of spaces, no line feed)": (
        lambda folder: ["train", _write(folder / "bomb.gz", SPACES_MIB_GZ * 64), "--out", "m", "--quiet"],
        "the corpus is empty"),
    "train sparse.txt (text, then a hole to 256 MiB)": (
        lambda folder: ["train", str(_text_then_hole(folder / "sparse.txt", 256 << 20)), "--out", "m", "--quiet"],
        "looks like binary data from byte 100,000 on"),
    "evaluate --analogies bomb.gz (64 MiB)": (
        lambda folder: ["evaluate", "MODEL", "--analogies", _write(folder / "bomb.gz", SPACES_MIB_GZ * 64)],
        "line 1: longer than 65,536 bytes"),
}


def _write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


@pytest.mark.slow
@pytest.mark.parametrize("case", list(MEMORY_CASES))
def test_hostile_inputs_peak_at_most_64_mib_above_starting_wordvec(tmp_path, model, case):
    make, message = MEMORY_CASES[case]
    args = [str(model) if arg == "MODEL" else arg for arg in make(tmp_path)]
    _, baseline, _ = _peak_mib(["--help"], tmp_path)  # the interpreter, numpy and wordvec, imported
    code, peak, err = _peak_mib(args, tmp_path)
    assert code == 1 and message in err and err.count("\n") == 1, err[-500:]
    assert peak - baseline < 64, f"peak {peak:.0f} MiB, {peak - baseline:.0f} MiB above `wordvec --help`"
    assert not (tmp_path / "m").exists()
