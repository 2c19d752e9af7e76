"""Fetch public datasets into a per-user cache, resumably and verified.

The cache lives in ``platformdirs.user_cache_dir("wordvec")``; the environment
variable ``WORDVEC_CACHE`` or a ``cache_dir`` argument puts it elsewhere.
A dataset is downloaded to ``NAME.part`` beside its final name; an interrupted
download keeps that file and the next :func:`fetch` asks the server for the
rest (``Range: bytes=N-``), starting over if the server answers with the whole
file (200 instead of 206). Size and SHA-256 are checked *before* the file is
renamed into place, and the digest of every completed download is written to a
sidecar ``FILENAME.sha256`` (the ``sha256sum`` format), so each later use can
check that the cached file has not been truncated or corrupted since.

A digest only proves that the file did not change, not that it is the dataset,
so a dataset that knows its format is checked for it too: the Fine Foods file
must be gzip whose first record is a SNAP review (``product/productId:`` ...
``review/text:``). That check reads only the first kilobytes: it runs as soon
as the first mebibyte of a download has arrived (a wrong address stops there,
``file:///dev/zero`` included), again on the whole file before it is cached,
and on every later use of the cached copy. A file that fails it is never
cached, never gets a digest recorded, and a cached one that fails it is not used.

Why not pooch? pooch downloads to a temporary file that it throws away on any
failure, so it cannot resume a 116 MB download that broke at 90 %; it also
needs a known hash up front. A short loop over :mod:`urllib.request` gives
resume, a byte progress bar and precise one-line errors, with no extra
dependency.

Examples
--------
>>> from wordvec.download import DATASETS, cached_path
>>> DATASETS["finefoods"].filename
'finefoods.txt.gz'
>>> import tempfile
>>> cached_path("finefoods", cache_dir=tempfile.mkdtemp()) is None
True

Fetching needs the network (``wordvec download finefoods`` does the same)::

    >>> path = fetch("finefoods")            # doctest: +SKIP
    finefoods: 100%|██████████| 116M/116M [00:20<00:00, 5.9MB/s]
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .outputs import atomic_open
from .errors import DownloadError, ParameterError

__all__ = ["Dataset", "DATASETS", "cache_root", "cached_path", "fetch"]

CACHE_ENV_VAR = "WORDVEC_CACHE"
TIMEOUT_SECONDS = 30.0
CHUNK_BYTES = 1 << 20
#: A download's format is checked once this many bytes have arrived (and again when it is complete).
PROBE_AFTER_BYTES = 1 << 20


@dataclass(frozen=True)
class Dataset:
    """A downloadable file and what is known about it.

    Parameters
    ----------
    name : str
        The name passed to :func:`fetch` (``"finefoods"``).
    url : str
        Where to download it from.
    filename : str
        Its name in the cache directory.
    size : int or None
        Exact size in bytes, checked before the file is used, if known.
    sha256 : str or None
        Hex SHA-256 digest, checked before the file is used, if known.
    description : str
        One line for people.
    title : str
        What the file is, for messages (``"the Fine Foods dataset"``).
    format_problem : callable or None
        ``format_problem(path)`` says why the file at ``path`` is not this
        dataset (one short phrase), or returns None when it is. It must read
        only the start of the file and accept a prefix of the real file, as it
        also judges a download in progress. None: any bytes are accepted.
    """

    name: str
    url: str
    filename: str
    size: int | None = None
    sha256: str | None = None
    description: str = ""
    title: str = ""
    format_problem: Callable[[Path], str | None] | None = None


# -- what a SNAP review file looks like ------------------------------------------
_GZIP_MAGIC = b"\x1f\x8b"
_SNAP_FIRST_FIELD = b"product/productId:"
_SNAP_TEXT_FIELD = b"review/text:"
#: The first record must show its fields within this many decompressed bytes
#: (a real one takes a few hundred).
_RECORD_PROBE_BYTES = 64 * 1024
#: ... and this many compressed bytes are read at most to find them.
_GZIP_PROBE_BYTES = 4 << 20


def _gunzip_head(handle, limit: int = _RECORD_PROBE_BYTES, budget: int = _GZIP_PROBE_BYTES) -> bytes:
    """At most ``limit`` decompressed bytes from the start of the gzip stream ``handle``
    (a cut stream gives what it has); reads at most ``budget`` bytes. Raises ``zlib.error``."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    out = bytearray()
    while len(out) < limit and not inflater.eof:
        data = inflater.unconsumed_tail
        if not data:
            if budget <= 0:
                break
            data = handle.read(min(1 << 16, budget))
            budget -= len(data)
            if not data:
                break
        out += inflater.decompress(data, limit - len(out))
    return bytes(out)


def _is_snap_record(text: bytes) -> bool:
    """Whether ``text`` starts with a SNAP review: ``product/productId:`` first, and a
    ``review/text:`` line before the blank line that ends the record."""
    record = text.lstrip().split(b"\n\n", 1)[0]
    lines = record.splitlines()
    return bool(lines) and lines[0].startswith(_SNAP_FIRST_FIELD) and any(
        line.startswith(_SNAP_TEXT_FIELD) for line in lines[1:])


def snap_gzip_problem(path: Path) -> str | None:
    """Why ``path`` is not gzip-compressed SNAP reviews, judged by its first record;
    None when it is. Reads at most a few megabytes, whatever the file.

    Examples
    --------
    >>> from wordvec.readers import default_corpus
    >>> snap_gzip_problem(default_corpus()[0]) is None
    True
    >>> snap_gzip_problem(default_corpus()[1])   # gzip, but CSV
    'its first record is not a SNAP review'
    """
    with open(path, "rb") as handle:
        if handle.read(2) != _GZIP_MAGIC:
            return "not gzip-compressed"
        handle.seek(0)
        try:
            head = _gunzip_head(handle)
        except zlib.error:
            return "its gzip data is damaged"
    return None if _is_snap_record(head) else "its first record is not a SNAP review"


DATASETS: dict[str, Dataset] = {
    "finefoods": Dataset(
        name="finefoods",
        url="https://snap.stanford.edu/data/finefoods.txt.gz",
        filename="finefoods.txt.gz",
        # About 116 MB; exact size and digest not pinned yet. Each download
        # is still checked against the server's Content-Length, and its
        # digest is recorded in the sidecar for later uses.
        size=None,
        sha256=None,
        description="Amazon Fine Food Reviews (SNAP), 568,454 reviews, gzip text",
        title="the Fine Foods dataset",
        format_problem=snap_gzip_problem,
    ),
}


# -- cache locations ---------------------------------------------------------
def cache_root(cache_dir=None) -> Path:
    """The cache directory: ``cache_dir``, else ``$WORDVEC_CACHE``, else the per-user cache.

    Examples
    --------
    >>> cache_root("/tmp/somewhere").as_posix()
    '/tmp/somewhere'
    """
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    from_env = os.environ.get(CACHE_ENV_VAR)
    if from_env:
        return Path(from_env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("wordvec"))


def _dataset(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        known = ", ".join(sorted(DATASETS))
        raise ParameterError(f"unknown dataset {name!r}: choose one of {known}") from None


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _part(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _read_sidecar(path: Path) -> str | None:
    try:
        text = _sidecar(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    digest = text.split()[0].lower() if text else ""
    return digest if re.fullmatch(r"[0-9a-f]{64}", digest) else None


def _write_sidecar(path: Path, digest: str) -> None:
    with atomic_open(_sidecar(path), "w", encoding="ascii") as handle:
        handle.write(f"{digest}  {path.name}\n")


def _is_verified(path: Path, dataset: Dataset) -> bool:
    """Whether the cached ``path`` is complete and intact.

    It must match the registry's size and digest where those are known, be of
    the dataset's format (its ``format_problem``), and match the digest its
    sidecar recorded when it was downloaded. A file without a
    sidecar counts as unverified (only :func:`fetch` puts files there, and it
    always writes the sidecar first).
    """
    if not path.is_file():
        return False
    if dataset.size is not None and path.stat().st_size != dataset.size:
        return False
    if _format_problem(path, dataset) is not None:
        return False
    recorded = _read_sidecar(path)
    if recorded is None:
        return False
    if dataset.sha256 is not None and recorded != dataset.sha256.lower():
        return False
    return _file_sha256(path) == recorded


def cached_path(name: str, cache_dir=None) -> Path | None:
    """The verified cached file of dataset ``name``, or None if it is absent or damaged.

    Verifying reads the whole file once to check its SHA-256 (a fraction of a
    second for ``finefoods``); no network is used.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS`.
    cache_dir : path, optional
        Cache directory; see :func:`cache_root`.

    Returns
    -------
    pathlib.Path or None

    Examples
    --------
    >>> import tempfile
    >>> cached_path("finefoods", cache_dir=tempfile.mkdtemp()) is None
    True
    """
    dataset = _dataset(name)
    path = cache_root(cache_dir) / dataset.filename
    return path if _is_verified(path, dataset) else None


# -- downloading ---------------------------------------------------------------
def _one_line(reason) -> str:
    text = " ".join(str(reason).split())
    return text or type(reason).__name__


def _unreachable(name: str, url: str, reason) -> DownloadError:
    return DownloadError(
        f"cannot download {name} from {url}: {_one_line(reason)}; "
        "check your connection or pass the file path directly"
    )


def _http_error(name: str, url: str, err: urllib.error.HTTPError) -> DownloadError:
    return DownloadError(
        f"cannot download {name} from {url}: HTTP {err.code} {_one_line(err.reason)}; "
        "check the address or pass the file path directly"
    )


_CONTENT_RANGE = re.compile(r"bytes\s+(?:(\d+)-(\d+)|\*)/(\d+|\*)", re.IGNORECASE)


def _parse_content_range(value: str | None):
    """``(first_byte, total)`` from a Content-Range header; None where unknown."""
    match = _CONTENT_RANGE.match(value or "")
    if not match:
        return None, None
    first = int(match.group(1)) if match.group(1) is not None else None
    total = int(match.group(3)) if match.group(3) != "*" else None
    return first, total


def _open(url: str, offset: int):
    headers = {"User-Agent": "wordvec", "Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=TIMEOUT_SECONDS)


class _NotTheDataset(Exception):
    """A download is not the dataset it claims to be (the reason: one short phrase)."""


def _format_problem(path: Path, dataset: Dataset) -> str | None:
    """Why the file at ``path`` is not ``dataset`` (None when it is, or when any bytes will do)."""
    if dataset.format_problem is None:
        return None
    try:
        return dataset.format_problem(path)
    except OSError as err:
        return f"it cannot be read ({_one_line(err.strerror or err)})"


def _check_format(path: Path, dataset: Dataset) -> None:
    problem = _format_problem(path, dataset)
    if problem is not None:
        raise _NotTheDataset(problem)


def _resume_offset(part: Path, expected_size: int | None) -> int:
    """Bytes of ``part`` a download can go on from (0: start over)."""
    offset = part.stat().st_size if part.exists() else 0
    if expected_size is not None and offset > expected_size:
        return 0  # longer than the whole file: cannot be a prefix of it
    return offset


def _unsatisfiable_total(name: str, url: str, err: urllib.error.HTTPError, offset: int) -> int | None:
    """The total size a 416 (range not satisfiable) announces; any other HTTP error is raised."""
    headers = err.headers
    err.close()
    if err.code != 416 or not offset:
        raise _http_error(name, url, err) from None
    return _parse_content_range(headers.get("Content-Range"))[1]


def _plan_transfer(response, offset: int):
    """``(offset, total, mode)`` for writing ``response`` into the part, or None when the
    server sent a range other than the one asked for (ask again for everything)."""
    length = response.headers.get("Content-Length")
    length = int(length) if length and length.isdigit() else None
    if offset and response.status == 206:
        first, total = _parse_content_range(response.headers.get("Content-Range"))
        if first != offset:
            return None
        if total is None and length is not None:
            total = offset + length
        return offset, total, "ab"
    return 0, length, "wb"  # a 200 is the whole file


def _download_part(name: str, url: str, part: Path, expected_size: int | None, progress: bool,
                   probe: Callable[[Path], None] = lambda path: None) -> int | None:
    """Complete ``part`` from ``url``, resuming from its current size.

    Returns the total size the server announced (None if it did not say).
    Network failures raise :class:`DownloadError` and keep ``part`` for a
    later resume. ``probe(part)`` is called once the part holds
    :data:`PROBE_AFTER_BYTES` (it may raise to stop the download).
    """
    offset = _resume_offset(part, expected_size)
    if expected_size is not None and offset == expected_size:
        return expected_size  # complete already; the caller verifies it
    for _ in range(2):
        try:
            response = _open(url, offset)
        except urllib.error.HTTPError as err:
            total = _unsatisfiable_total(name, url, err, offset)
            if total == offset:
                return total  # the part holds the whole file already
            offset = 0  # the part is not a prefix of this file: start over
            continue
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as err:
            raise _unreachable(name, url, getattr(err, "reason", err)) from None
        with response:
            plan = _plan_transfer(response, offset)
            if plan is None:
                offset = 0  # not the range we asked for: ask for everything
                continue
            return _receive(name, url, response, part, *plan, progress=progress, probe=probe)
    raise DownloadError(f"cannot download {name} from {url}: the server does not honour byte ranges consistently")


def _receive(name: str, url: str, response, part: Path, offset: int, total: int | None, mode: str, *,
             progress: bool, probe: Callable[[Path], None]) -> int | None:
    """Write ``response`` into ``part`` (from ``offset``), streamed; returns ``total``."""
    from tqdm.auto import tqdm

    received = offset
    probed = False
    try:
        with open(part, mode) as out, tqdm(
            total=total, initial=offset, desc=name, unit="B", unit_scale=True,
            unit_divisor=1024, disable=not progress, dynamic_ncols=True,
        ) as bar:
            while chunk := response.read(CHUNK_BYTES):
                out.write(chunk)
                received += len(chunk)
                bar.update(len(chunk))
                if not probed and received >= PROBE_AFTER_BYTES:
                    out.flush()
                    probe(part)
                    probed = True
            out.flush()
            os.fsync(out.fileno())
    except (OSError, http.client.HTTPException) as err:
        raise DownloadError(
            f"download of {name} from {url} interrupted after {received} bytes: "
            f"{_one_line(err)}; run it again to resume"
        ) from None
    if total is not None and received < total:
        raise DownloadError(
            f"download of {name} from {url} interrupted after {received} of {total} bytes; "
            "run it again to resume"
        )
    return total


def fetch(name: str = "finefoods", *, cache_dir=None, url: str | None = None, progress: bool = True) -> Path:
    """Download dataset ``name`` into the cache (if needed) and return its path.

    A cached file that passes its check is returned at once, without any
    network access. Otherwise the download resumes from ``NAME.part`` if one
    is there, and the completed file is checked (size, and SHA-256 where the
    registry knows it) before it is renamed into place; its digest is written
    to the ``.sha256`` sidecar.

    Parameters
    ----------
    name : str, default="finefoods"
        A key of :data:`DATASETS`.
    cache_dir : path, optional
        Cache directory; default ``$WORDVEC_CACHE`` or the per-user cache.
    url : str, optional
        Download from here instead of the registry's address (a mirror). The
        registry's size and digest still apply.
    progress : bool, default=True
        Show a byte progress bar on standard error.

    Returns
    -------
    pathlib.Path
        The cached file, e.g. ``~/.cache/wordvec/finefoods.txt.gz``.

    Raises
    ------
    DownloadError
        Unreachable server, HTTP error status, interrupted transfer (the
        partial file is kept; call again to resume), a file that is not the
        dataset (not its format: nothing is cached), or a size/checksum
        mismatch (the bad file is removed).
    ParameterError
        ``name`` is not a known dataset.

    Examples
    --------
    >>> path = fetch("finefoods", progress=False)   # doctest: +SKIP
    >>> path.name                                   # doctest: +SKIP
    'finefoods.txt.gz'
    """
    dataset = _dataset(name)
    url = url or dataset.url
    path = cache_root(cache_dir) / dataset.filename
    if _is_verified(path, dataset):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    part = _part(path)
    announced = _download_dataset(name, dataset, url, part, progress)
    digest = _complete_digest(dataset, url, part, announced)
    # Sidecar first, then the rename: a final file always has its digest beside it.
    _write_sidecar(path, digest)
    os.replace(part, path)
    return path


def _download_dataset(name: str, dataset: Dataset, url: str, part: Path, progress: bool) -> int | None:
    """Complete ``part`` from ``url`` (:func:`_download_part`), checking early that it is the
    dataset's format; returns the size the server announced. A file that is not the dataset
    is removed (:class:`DownloadError`, nothing cached)."""
    try:
        announced = _download_part(name, url, part, dataset.size, progress,
                                   probe=lambda path: _check_format(path, dataset))
        _check_format(part, dataset)  # a download shorter than the probe, or resumed past it
    except _NotTheDataset as err:
        part.unlink(missing_ok=True)
        raise DownloadError(f"{url} is not {dataset.title or name}: {err}; nothing was cached") from None
    return announced


def _complete_digest(dataset: Dataset, url: str, part: Path, announced: int | None) -> str:
    """The SHA-256 of the downloaded ``part`` once its size (the registry's, else the one the
    server announced) and digest (where the registry knows it) are right; else the part is
    removed and :class:`DownloadError` raised."""
    size = part.stat().st_size
    expected = dataset.size if dataset.size is not None else announced
    if expected is not None and size != expected:
        part.unlink(missing_ok=True)
        raise DownloadError(
            f"download of {dataset.name} from {url} has {size} bytes, expected {expected}; "
            "the file was removed, run it again to retry"
        )
    digest = _file_sha256(part)
    if dataset.sha256 is not None and digest != dataset.sha256.lower():
        part.unlink(missing_ok=True)
        raise DownloadError(
            f"checksum mismatch for {dataset.name} from {url}: sha256 {digest}, "
            f"expected {dataset.sha256.lower()}; the file was removed, run it again to retry"
        )
    return digest
