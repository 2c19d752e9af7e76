"""Hostile inputs to training, downloading and the explorer (issue 26: defects 6, 7, 13, and 17's ``--min-lr``).

Each test runs ``wordvec.cli.main`` (or, for the explorer, the server ``wordvec explore`` runs)
in ``tmp_path`` and checks the exit code, the one line on standard error, and what is (not)
left behind. Nothing here touches the internet (a loopback server stands in for mirrors) or the
user's cache folder (``WORDVEC_CACHE`` points into ``tmp_path``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import hashlib
import random
import socket
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from wordvec import download
from wordvec.cli import main

WORDS = ["tea", "coffee", "good", "bad", "taste", "dog", "food", "price", "great", "bitter"]
#: What a captive portal or a mirror's login page answers instead of the file (116 bytes).
LOGIN_PAGE = (b"<!DOCTYPE html><html><head><title>Sign in</title></head>"
              b"<body><form action=/login>Log in</form></body></html>\n").ljust(116)
assert len(LOGIN_PAGE) == 116
PASSWD = b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
CSV_REVIEWS = b"Id,ProductId,Score,Summary,Text\n1,B001,5,Good,Good tea for a good price\n" * 20
#: Text the reader trains on happily: what a garbage file in the cache gave a model from.
PLAIN_TEXT = ("please log in to continue to the mirror of the dataset\n" * 300).encode()


def _error_line(capsys) -> str:
    """The one line a failed command wrote on standard error, last (a download's progress bar aside)."""
    err = capsys.readouterr().err
    lines = [line for line in err.replace("\r", "\n").splitlines() if line.strip()]
    ours = [line for line in lines if line.startswith("wordvec")]
    assert len(ours) == 1 and lines[-1] == ours[0], err
    assert ours[0].startswith("wordvec: error: ")
    return ours[0]


def _text_file(path, lines) -> str:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def _sentences(n: int, words_per_line: int = 8, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(words_per_line)) for _ in range(n)]


# -- defect 6: garbage trusted as the dataset ----------------------------------------------------

class _Mirror:
    """A loopback HTTP server answering every GET with ``body`` (200, with its length)."""

    def __init__(self, body: bytes):
        self.body = body
        self.sent_everything = False
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the http.server API)
                self.send_response(200)
                self.send_header("Content-Length", str(len(mirror.body)))
                self.end_headers()
                try:
                    for first in range(0, len(mirror.body), 1 << 16):
                        self.wfile.write(mirror.body[first:first + (1 << 16)])
                    mirror.sent_everything = True
                except OSError:
                    pass  # the client stopped reading

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/finefoods.txt.gz"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "_Mirror":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("WORDVEC_CACHE", str(folder))
    return folder


def _nothing_cached(cache) -> bool:
    return not any((cache / name).exists() for name in
                   ("finefoods.txt.gz", "finefoods.txt.gz.sha256", "finefoods.txt.gz.part"))


@pytest.mark.parametrize("where, body, reason", [
    ("file", PASSWD, "not gzip-compressed"),                                  # --url file:///etc/passwd
    ("http", LOGIN_PAGE, "not gzip-compressed"),                              # a mirror's login page
    ("http", gzip.compress(LOGIN_PAGE), "its first record is not a SNAP review"),
    ("http", gzip.compress(CSV_REVIEWS), "its first record is not a SNAP review"),
    ("http", b"\x1f\x8b" + bytes(200), "its gzip data is damaged"),
], ids=["file-passwd", "login-page", "gzip-login-page", "gzip-csv", "damaged-gzip"])
def test_a_download_that_is_not_the_dataset_is_not_cached(tmp_path, cache, capsys, where, body, reason):
    if where == "file":
        served = tmp_path / "passwd"
        served.write_bytes(body)
        url = served.as_uri()
        assert main(["download", "finefoods", "--url", url]) == 1
    else:
        with _Mirror(body) as mirror:
            url = mirror.url
            assert main(["download", "finefoods", "--url", url]) == 1
    line = _error_line(capsys)
    assert f"{url} is not the Fine Foods dataset: {reason}" in line
    assert _nothing_cached(cache)


def test_a_wrong_download_stops_at_the_first_mebibyte(cache, capsys):
    """``--url file:///dev/zero`` and its like: the format is judged after 1 MiB, not at the end."""
    with _Mirror(bytes(32 << 20)) as mirror:
        assert main(["download", "finefoods", "--url", mirror.url]) == 1
    assert "is not the Fine Foods dataset: not gzip-compressed" in _error_line(capsys)
    assert not mirror.sent_everything
    assert _nothing_cached(cache)


@pytest.mark.parametrize("cached", [LOGIN_PAGE * 40, gzip.compress(PLAIN_TEXT)], ids=["html", "gzip-text"])
def test_a_cached_file_that_is_not_the_dataset_is_not_trained_on(tmp_path, cache, capsys, monkeypatch, cached):
    """A copy cached (with its digest) by an earlier wordvec is checked again, and fetched again."""
    cache.mkdir()
    (cache / "finefoods.txt.gz").write_bytes(cached)
    (cache / "finefoods.txt.gz.sha256").write_text(f"{hashlib.sha256(cached).hexdigest()}  finefoods.txt.gz\n")
    out = tmp_path / "model"
    with _Mirror(LOGIN_PAGE) as mirror:  # the next fetch, answered on loopback
        monkeypatch.setitem(download.DATASETS, "finefoods",
                            dataclasses.replace(download.DATASETS["finefoods"], url=mirror.url))
        assert main(["train", "finefoods", "--out", str(out), "--dim", "8", "--epochs", "1",
                     "--min-count", "1", "--threads", "1", "--quiet"]) == 1
    assert "is not the Fine Foods dataset: not gzip-compressed" in _error_line(capsys)
    assert not out.exists()
    assert download.cached_path("finefoods") is None


# -- defect 7: an untrained model reported as success -------------------------------------------

ONE_WORD_PER_LINE = [random.Random(1).choice(WORDS) for _ in range(3000)]


@pytest.mark.parametrize("lines, options, message", [
    (ONE_WORD_PER_LINE, [], "no training pairs: every document of the corpus has fewer than 2 words"),
    (ONE_WORD_PER_LINE, ["--model", "cbow"], "no training pairs: every document"),
    (ONE_WORD_PER_LINE, ["--subwords", "--buckets", "1000"], "no training pairs: every document"),
    (_sentences(300), ["--threads", "100000"], "invalid threads=100000: must be at most 1024"),
    (_sentences(300), ["--threads", "1025"], "invalid threads=1025"),
], ids=["one-word-lines", "one-word-lines-cbow", "one-word-lines-subword", "threads-100000", "threads-1025"])
def test_training_that_cannot_train_says_so(tmp_path, capsys, lines, options, message):
    corpus = _text_file(tmp_path / "corpus.txt", lines)
    out = tmp_path / "model"
    assert main(["train", corpus, "--out", str(out), "--dim", "8", "--epochs", "1", "--min-count", "1",
                 "--quiet", *options]) == 1
    assert message in _error_line(capsys)
    assert not out.exists()


def test_more_threads_than_the_corpus_can_feed_are_clamped_with_a_message(tmp_path, capsys):
    corpus = _text_file(tmp_path / "corpus.txt", _sentences(300))  # 2,400 words: 2 threads' worth
    out = tmp_path / "model"
    assert main(["train", corpus, "--out", str(out), "--dim", "8", "--epochs", "1", "--min-count", "1",
                 "--threads", "64"]) == 0
    assert "wordvec: training on 2 threads, not 64: the corpus has 2,400 words to train" in capsys.readouterr().err
    from wordvec.formats import load_model

    model = load_model(out)
    assert model.info["epoch_losses"][0] > 0.1  # trained: not the 0.0 of threads with nothing to do
    assert np.abs(np.asarray(model.output_weights)[1:]).sum() > 0


# -- defect 17 (part): --min-lr above --lr ------------------------------------------------------

@pytest.mark.parametrize("options, message", [
    (["--lr", "0.1", "--min-lr", "0.5"], "min_lr=0.5 is above lr=0.1"),
    (["--min-lr", "0.5"], "min_lr=0.5 is above lr=0.025 (the native engine's default for skipgram)"),
    (["--model", "cbow", "--min-lr", "0.06"], "min_lr=0.06 is above lr=0.05 (the native engine's default for cbow)"),
    (["--subwords", "--min-lr", "0.06"], "min_lr=0.06 is above lr=0.05 (the subword engine's default"),
    (["--min-lr", "inf"], "invalid min_lr=inf: must be a finite number >= 0"),
], ids=["given", "default-skipgram", "default-cbow", "default-subword", "inf"])
def test_min_lr_above_lr_is_refused(tmp_path, capsys, options, message):
    corpus = _text_file(tmp_path / "corpus.txt", _sentences(50))
    out = tmp_path / "model"
    assert main(["train", corpus, "--out", str(out), "--dim", "8", "--epochs", "1", "--min-count", "1",
                 "--quiet", *options]) == 1
    assert message in _error_line(capsys)
    assert not out.exists()


# -- defect 13: the explorer holds no thread per connection -------------------------------------

@contextlib.contextmanager
def _serving_explorer():
    """``wordvec explore``'s server on a free loopback port, serving on a thread."""
    from wordvec.explore import make_server
    from wordvec.vectors import Vectors

    vectors = Vectors(["UNK", "tea", "coffee", "dog"],
                      np.array([[0, 0], [1, .1], [1, .2], [0, 1]], dtype=np.float32), unknown="UNK")
    server = make_server(vectors, "127.0.0.1", 0, top=3, progress=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def _answers(server) -> str:
    with urllib.request.urlopen(server.url + "api/similar?word=tea&n=1", timeout=10) as response:
        return response.read().decode()


@pytest.mark.parametrize("half", [b"GET /api/sim", b"GET /api/info HTTP/1.1\r\nHost: 127.0.0.1\r\nAcc"],
                         ids=["request-line", "headers"])
def test_half_sent_requests_hold_no_thread(half):
    with _serving_explorer() as server:
        before = threading.active_count()
        connections = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(50)]
        try:
            for connection in connections:
                connection.sendall(half)
            assert '"coffee"' in _answers(server)  # answered after all 50 were accepted
            assert threading.active_count() <= before + 2
        finally:
            for connection in connections:
                connection.close()


@pytest.mark.slow
def test_a_half_sent_request_is_closed_after_the_connection_timeout(monkeypatch):
    from wordvec.explore import server as explore_server

    monkeypatch.setattr(explore_server, "CONNECTION_TIMEOUT", 1)
    monkeypatch.setattr(explore_server, "CLEANUP_INTERVAL", 1)
    with _serving_explorer() as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
            connection.sendall(b"GET /api/info HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            assert connection.recv(100) == b""  # closed by the server, unanswered
        assert '"coffee"' in _answers(server)
