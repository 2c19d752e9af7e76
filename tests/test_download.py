"""Downloads against a real HTTP server on 127.0.0.1: resume, verification, errors.

Nothing here touches the internet; every file lives under ``tmp_path``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import random
import re
import socket
import sys
import threading
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from wordvec import download
from wordvec.download import DATASETS, Dataset, cache_root, cached_path, fetch
from wordvec.errors import DownloadError, ParameterError


class FileServer:
    """What the loopback server serves and what it was asked."""

    def __init__(self, files: dict[str, bytes]):
        self.files = files
        self.requests: list[tuple[str, str | None]] = []  # (path, Range header)
        self.honour_range = True  # False: answer 200 with the whole file, as some servers do
        self.send_at_most: int | None = None  # cut the connection after this many body bytes
        self.base_url = ""

    def url(self, name: str) -> str:
        return f"{self.base_url}/{name}"

    @property
    def ranges(self) -> list[str | None]:
        return [rng for _, rng in self.requests]


def _make_handler(state: FileServer):
    class RangeHandler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server API)
            range_header = self.headers.get("Range")
            state.requests.append((self.path, range_header))
            body = state.files.get(self.path.lstrip("/"))
            if body is None:
                self.send_error(404, "Not Found")
                return
            start = 0
            if range_header and state.honour_range:
                match = re.fullmatch(r"bytes=(\d+)-", range_header)
                assert match, range_header
                start = int(match.group(1))
                if start >= len(body):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(body)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            else:
                self.send_response(200)
            payload = body[start:]
            self.send_header("Content-Type", "application/gzip")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if state.send_at_most is not None:
                payload = payload[: state.send_at_most]
                self.close_connection = True
            self.wfile.write(payload)

        def log_message(self, *args):  # keep the test output quiet
            pass

    return RangeHandler


@pytest.fixture(scope="module")
def gzip_bytes() -> bytes:
    """A small gzip file of random reviews (the same bytes every time; bytes cannot be changed, so made once)."""
    rng = random.Random(0)
    words = ["tea", "coffee", "good", "bad", "taste", "dog", "food", "price", "great", "bitter"]
    text = "\n".join(" ".join(rng.choice(words) for _ in range(12)) for _ in range(4000))
    return gzip.compress(text.encode(), mtime=0)


@pytest.fixture
def server(gzip_bytes, tmp_path):
    # The gzip file is made in tmp_path and served from memory.
    source = tmp_path / "served" / "tiny.txt.gz"
    source.parent.mkdir()
    source.write_bytes(gzip_bytes)
    state = FileServer({"tiny.txt.gz": source.read_bytes()})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(state))
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def tiny(monkeypatch, gzip_bytes):
    """Register a dataset ``tiny`` whose size and digest are known."""
    dataset = Dataset(
        name="tiny",
        url="http://127.0.0.1:9/unused",  # always overridden with url=
        filename="tiny.txt.gz",
        size=len(gzip_bytes),
        sha256=hashlib.sha256(gzip_bytes).hexdigest(),
    )
    monkeypatch.setitem(DATASETS, "tiny", dataset)
    return dataset


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/tiny.txt.gz"


# -- complete downloads ------------------------------------------------------
def test_full_download_is_verified_and_recorded(server, tiny, cache, gzip_bytes):
    path = fetch("tiny", cache_dir=cache, url=server.url("tiny.txt.gz"), progress=False)

    assert path == cache / "tiny.txt.gz"
    assert path.read_bytes() == gzip_bytes
    assert gzip.decompress(path.read_bytes()).count(b"\n") == 3999
    sidecar = cache / "tiny.txt.gz.sha256"
    assert sidecar.read_text().split() == [tiny.sha256, "tiny.txt.gz"]
    assert not (cache / "tiny.txt.gz.part").exists()
    assert server.ranges == [None]
    assert cached_path("tiny", cache_dir=cache) == path


def test_download_without_known_digest_checks_content_length(server, monkeypatch, cache, gzip_bytes):
    monkeypatch.setitem(DATASETS, "loose", Dataset("loose", "http://127.0.0.1:9/", "tiny.txt.gz"))
    path = fetch("loose", cache_dir=cache, url=server.url("tiny.txt.gz"), progress=False)
    assert path.read_bytes() == gzip_bytes
    assert (cache / "tiny.txt.gz.sha256").read_text().split()[0] == hashlib.sha256(gzip_bytes).hexdigest()


def test_progress_bar_goes_to_stderr(server, tiny, cache, capsys):
    fetch("tiny", cache_dir=cache, url=server.url("tiny.txt.gz"), progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "tiny" in captured.err


# -- resuming ------------------------------------------------------------------
def test_resume_sends_range_and_gives_identical_bytes(server, tiny, cache, gzip_bytes):
    cache.mkdir()
    (cache / "tiny.txt.gz.part").write_bytes(gzip_bytes[:1000])

    path = fetch("tiny", cache_dir=cache, url=server.url("tiny.txt.gz"), progress=False)

    assert server.ranges == ["bytes=1000-"]
    assert path.read_bytes() == gzip_bytes
    assert not (cache / "tiny.txt.gz.part").exists()


def test_resume_restarts_when_server_ignores_range(server, tiny, cache, gzip_bytes):
    server.honour_range = False
    cache.mkdir()
    (cache / "tiny.txt.gz.part").write_bytes(gzip_bytes[:1000])

    path = fetch("tiny", cache_dir=cache, url=server.url("tiny.txt.gz"), progress=False)

    assert server.ranges == ["bytes=1000-"]  # asked for the rest, got a 200 with everything
    assert path.read_bytes() == gzip_bytes  # not the first 1000 bytes twice


def test_interrupted_download_keeps_part_and_resumes(server, tiny, cache, gzip_bytes):
    server.send_at_most = 3000
    with pytest.raises(DownloadError, match="interrupted.*resume") as excinfo:
        fetch("tiny", cache_dir=cache, url=server.url("tiny.txt.gz"), progress=False)
    assert "\n" not in str(excinfo.value)
    assert (cache / "tiny.txt.gz.part").read_bytes() == gzip_bytes[:3000]
    assert not (cache / "tiny.txt.gz").exists()

    server.send_at_most = None
    path = fetch("tiny", cache_dir=cache, url=server.url("tiny.txt.gz"), progress=False)
    assert server.ranges == [None, "bytes=3000-"]
    assert path.read_bytes() == gzip_bytes


def test_complete_part_with_unknown_size_is_finished_after_416(server, monkeypatch, cache, gzip_bytes):
    monkeypatch.setitem(DATASETS, "loose", Dataset("loose", "http://127.0.0.1:9/", "tiny.txt.gz"))
    cache.mkdir()
    (cache / "tiny.txt.gz.part").write_bytes(gzip_bytes)

    path = fetch("loose", cache_dir=cache, url=server.url("tiny.txt.gz"), progress=False)

    assert server.ranges == [f"bytes={len(gzip_bytes)}-"]
    assert path.read_bytes() == gzip_bytes


def test_complete_part_with_known_size_needs_no_request(server, tiny, cache, gzip_bytes):
    cache.mkdir()
    (cache / "tiny.txt.gz.part").write_bytes(gzip_bytes)
    path = fetch("tiny", cache_dir=cache, url=server.url("tiny.txt.gz"), progress=False)
    assert server.requests == []
    assert path.read_bytes() == gzip_bytes


# -- verification failures -------------------------------------------------
def test_checksum_mismatch_removes_the_file(server, monkeypatch, cache, gzip_bytes):
    monkeypatch.setitem(
        DATASETS, "tiny", Dataset("tiny", "http://127.0.0.1:9/", "tiny.txt.gz", size=len(gzip_bytes), sha256="0" * 64)
    )
    with pytest.raises(DownloadError, match="checksum mismatch") as excinfo:
        fetch("tiny", cache_dir=cache, url=server.url("tiny.txt.gz"), progress=False)

    assert "\n" not in str(excinfo.value)
    assert sorted(p.name for p in cache.iterdir()) == []  # no file, no .part, no sidecar
    assert cached_path("tiny", cache_dir=cache) is None


def test_size_mismatch_removes_the_file(server, monkeypatch, cache, gzip_bytes):
    monkeypatch.setitem(DATASETS, "tiny", Dataset("tiny", "http://127.0.0.1:9/", "tiny.txt.gz", size=len(gzip_bytes) + 5))
    with pytest.raises(DownloadError, match="expected"):
        fetch("tiny", cache_dir=cache, url=server.url("tiny.txt.gz"), progress=False)
    assert list(cache.iterdir()) == []


def test_corrupted_cache_is_detected_and_fetched_again(server, tiny, cache, gzip_bytes):
    path = fetch("tiny", cache_dir=cache, url=server.url("tiny.txt.gz"), progress=False)
    damaged = bytearray(gzip_bytes)
    damaged[100] ^= 0xFF
    path.write_bytes(bytes(damaged))

    assert cached_path("tiny", cache_dir=cache) is None
    again = fetch("tiny", cache_dir=cache, url=server.url("tiny.txt.gz"), progress=False)
    assert again.read_bytes() == gzip_bytes
    assert len(server.requests) == 2


def test_cached_file_without_sidecar_is_not_trusted(server, tiny, cache, gzip_bytes):
    cache.mkdir()
    (cache / "tiny.txt.gz").write_bytes(gzip_bytes[:500])  # e.g. a copy that broke off
    assert cached_path("tiny", cache_dir=cache) is None
    assert fetch("tiny", cache_dir=cache, url=server.url("tiny.txt.gz"), progress=False).read_bytes() == gzip_bytes


# -- network failures ----------------------------------------------------------
def test_refused_connection_is_one_line_download_error(tiny, cache):
    url = _closed_port_url()
    with pytest.raises(DownloadError) as excinfo:
        fetch("tiny", cache_dir=cache, url=url, progress=False)
    message = str(excinfo.value)
    assert "\n" not in message
    assert message.startswith(f"cannot download tiny from {url}: ")
    assert "pass the file path directly" in message
    assert not (cache / "tiny.txt.gz").exists()


def test_http_404_is_download_error(server, tiny, cache):
    with pytest.raises(DownloadError, match="HTTP 404") as excinfo:
        fetch("tiny", cache_dir=cache, url=server.url("missing.txt.gz"), progress=False)
    assert "\n" not in str(excinfo.value)
    assert not (cache / "tiny.txt.gz").exists()


# -- the cache -------------------------------------------------------------------
def test_cached_file_is_returned_without_any_request(server, tiny, cache, gzip_bytes):
    first = fetch("tiny", cache_dir=cache, url=server.url("tiny.txt.gz"), progress=False)
    server.requests.clear()

    second = fetch("tiny", cache_dir=cache, url=server.url("tiny.txt.gz"), progress=False)
    assert second == first
    assert server.requests == []
    # Not even an unreachable address matters once the file is cached.
    assert fetch("tiny", cache_dir=cache, url=_closed_port_url(), progress=False) == first


def test_cache_dir_comes_from_environment(monkeypatch, tmp_path, server, tiny, gzip_bytes):
    monkeypatch.setenv("WORDVEC_CACHE", str(tmp_path / "from-env"))
    assert cache_root() == tmp_path / "from-env"
    assert cache_root(tmp_path / "explicit") == tmp_path / "explicit"
    path = fetch("tiny", url=server.url("tiny.txt.gz"), progress=False)
    assert path == tmp_path / "from-env" / "tiny.txt.gz"
    assert cached_path("tiny") == path


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the per-user cache of Linux (XDG)")
def test_default_cache_dir_is_per_user(monkeypatch, tmp_path):
    monkeypatch.delenv("WORDVEC_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "wordvec"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "wordvec"


def test_unknown_dataset_is_parameter_error(tmp_path):
    with pytest.raises(ParameterError, match="finefoods"):
        fetch("nope", cache_dir=tmp_path)
    with pytest.raises(ParameterError):
        cached_path("nope", cache_dir=tmp_path)


class _Response(io.BytesIO):
    """Enough of an HTTP response for ``fetch``: a 200 with a Content-Length."""

    status = 200

    def __init__(self, body: bytes):
        super().__init__(body)
        self.headers = {"Content-Length": str(len(body))}


def test_finefoods_is_fetched_from_snap_into_finefoods_txt_gz(tmp_path, monkeypatch):
    """With no mirror, ``fetch("finefoods")`` asks SNAP for the file (answered here, not by the internet)."""
    body = gzip.compress(b"product/productId: B1\nreview/text: good tea\n\n")
    asked = []

    def answer(request, timeout):
        asked.append(request.full_url)
        return _Response(body)

    monkeypatch.setattr(download.urllib.request, "urlopen", answer)
    assert cached_path("finefoods", cache_dir=tmp_path) is None
    path = fetch("finefoods", cache_dir=tmp_path, progress=False)
    assert asked == ["https://snap.stanford.edu/data/finefoods.txt.gz"]
    assert path == tmp_path / "finefoods.txt.gz" and path.read_bytes() == body
    assert cached_path("finefoods", cache_dir=tmp_path) == path
    assert fetch("finefoods", cache_dir=tmp_path, progress=False) == path and len(asked) == 1


def test_cli_download_then_train_uses_the_cached_copy(tmp_path, monkeypatch, capsys):
    """`wordvec download finefoods` from a loopback mirror, then `wordvec train finefoods` offline."""
    from wordvec.cli import main

    sample = Path(__file__).resolve().parents[1] / "src" / "wordvec" / "data" / "finefoods" / "finefoods_sample.txt.gz"
    state = FileServer({"finefoods.txt.gz": sample.read_bytes()})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(state))
    state.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    cache = tmp_path / "cache"
    monkeypatch.setenv("WORDVEC_CACHE", str(cache))
    try:
        assert main(["download", "finefoods", "--url", state.url("finefoods.txt.gz")]) == 0
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
    cached = Path(capsys.readouterr().out.strip())
    assert cached == cache / "finefoods.txt.gz"
    assert cached.read_bytes() == sample.read_bytes()
    out = tmp_path / "model"
    assert main(["train", "finefoods", "--out", str(out), "--dim", "8", "--epochs", "1", "--quiet"]) == 0
    from wordvec.formats import load_model

    assert load_model(out).info["corpus"] == [str(cached)]
    monkeypatch.setenv("WORDVEC_CACHE", str(tmp_path / "empty-cache"))
    assert main(["download", "finefoods", "--url", _closed_port_url()]) == 1
    assert capsys.readouterr().err.startswith("wordvec: error: cannot download finefoods")
