"""The explorer's word map: t-SNE positions of the most frequent words, computed once.

t-SNE takes seconds to minutes, so :class:`MapStore` computes the map in a
background thread (the server answers other questions meanwhile) and keeps it
beside the model as ``map_tsne_N.json``, written atomically. The file records
a fingerprint of the model's ``model.json`` (which holds the checksums of the
vectors and the vocabulary) and the t-SNE settings; a file that does not match,
or cannot be read, is recomputed. When the model directory is read-only the
map is kept in memory only.

The map of a vectors *file* (GloVe, word2vec, fastText...) is kept in the
user's cache folder instead (``maps/`` under ``platformdirs.user_cache_dir("wordvec")``,
or ``$WORDVEC_CACHE``), named after a hash of the file's absolute path, size
and modification time, so nothing is written beside a downloaded file and a
changed file gets a new map.

>>> import numpy as np
>>> from wordvec.vectors import Vectors
>>> vecs = Vectors([f"w{i}" for i in range(12)], np.random.default_rng(0).normal(size=(12, 4)))
>>> store = MapStore(vecs, top=8, progress=False)
>>> data = store.result(timeout=60)
>>> data["words"][:3], len(data["x"]), data["cached"]
(['w0', 'w1', 'w2'], 8, False)
"""

from __future__ import annotations

import hashlib
import json
import contextlib
import math
import os
import sys
import threading
import time
from pathlib import Path

from ..outputs import atomic_open
from ..download import cache_root
from ..errors import WordvecError

MAP_FORMAT = "wordvec-map"
MAP_VERSION = 1


def cache_path(model_dir, top: int) -> Path:
    """Where the map of the ``top`` most frequent words of a model is cached."""
    return Path(model_dir) / f"map_tsne_{int(top)}.json"


def model_fingerprint(model_dir) -> str | None:
    """SHA-256 of the model's ``model.json`` (which lists the checksums of its files)."""
    try:
        return hashlib.sha256((Path(model_dir) / "model.json").read_bytes()).hexdigest()
    except OSError:
        return None


def file_fingerprint(path, limit: int | None = None) -> str:
    """SHA-256 of a vectors file's absolute path, size and modification time (and the row limit read).

    Hashing the whole of a multi-gigabyte file would take longer than the map;
    a file replaced or edited in place changes its size or time.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "glove.txt"
    >>> _ = path.write_text("the 0.1 0.2\\n")
    >>> file_fingerprint(path) == file_fingerprint(path) != file_fingerprint(path, limit=10)
    True
    """
    path = Path(path).resolve()
    stat = path.stat()
    key = f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0{limit}"
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def file_cache_path(path, top: int, limit: int | None = None, cache_dir=None) -> Path:
    """Where the map of the ``top`` first words of a vectors file is cached: the user's cache folder
    (``cache_dir`` if given, see :func:`wordvec.download.cache_root`)."""
    return cache_root(cache_dir) / "maps" / f"{file_fingerprint(path, limit)[:32]}_tsne_{int(top)}.json"


def _share_of_cores():
    """Limit t-SNE's OpenMP threads to half the cores while the server runs beside it.

    scikit-learn's threaded t-SNE slows down several times when its threads
    compete for busy cores (with a browser and the server on a 2-core machine,
    25 s instead of 8 s for 2,000 words), so the background map leaves room.
    """
    threads = max(1, (os.cpu_count() or 1) // 2)
    try:
        from threadpoolctl import threadpool_limits  # a scikit-learn dependency
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=threads, user_api="openmp")


def compute_map(vectors, top: int, perplexity: float = 30.0, seed: int = 1) -> dict:
    """Map data (``words``, ``x``, ``y``) of the ``top`` most frequent words."""
    from ..plot import tsne_coordinates

    with _share_of_cores():
        words, coords = tsne_coordinates(vectors, top=top, perplexity=perplexity, seed=seed)
    return {
        "words": list(words),
        "x": [round(float(v), 4) for v in coords[:, 0]],
        "y": [round(float(v), 4) for v in coords[:, 1]],
    }


def _counts_of(vectors, words) -> list:
    if vectors.counts is None:
        return [None] * len(words)
    return [int(vectors.counts[vectors.key_to_index[w]]) for w in words]


def _valid_cached(data, vectors, expected: dict) -> bool:
    if not isinstance(data, dict) or data.get("format") != MAP_FORMAT or data.get("version") != MAP_VERSION:
        return False
    if any(data.get(key) != value for key, value in expected.items()):
        return False
    words, xs, ys = data.get("words"), data.get("x"), data.get("y")
    if not (isinstance(words, list) and isinstance(xs, list) and isinstance(ys, list)):
        return False
    if not words or not len(words) == len(xs) == len(ys):
        return False
    if not all(isinstance(w, str) and w in vectors.key_to_index for w in words):
        return False
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in xs + ys)


class MapStore:
    """Computes the word map once, in the background, and caches it beside the model.

    Parameters
    ----------
    vectors : Vectors
        The model's vectors, rows in frequency order.
    model_dir : path, optional
        The model directory, where the map is cached as ``map_tsne_N.json``.
    source_file : path, optional
        Instead of ``model_dir``: the vectors file the vectors were read from;
        the map is cached in the user's cache folder (:func:`file_cache_path`).
        With neither, the map is kept in memory only.
    limit : int, optional
        The number of rows read from ``source_file``, if limited (part of the cache key).
    top : int, default=2000
        How many of the most frequent words to place.
    perplexity, seed
        t-SNE settings (see :func:`wordvec.plot.tsne_coordinates`).
    progress : bool, default=True
        Say on standard error when the map is being computed and where it went.
    start : bool, default=True
        Start computing at once (otherwise on the first :meth:`result`/:meth:`poll`).
    """

    def __init__(self, vectors, model_dir=None, *, top: int = 2000, perplexity: float = 30.0, seed: int = 1,
                 progress: bool = True, start: bool = True, source_file=None, limit: int | None = None):
        self.vectors = vectors
        self.model_dir = None if model_dir is None else Path(model_dir)
        self.source_file = None if source_file is None or model_dir is not None else Path(source_file)
        self.limit = limit
        # the cache folder as it is now, not when the background work ends (the environment may change)
        self.cache_dir = cache_root() if self.source_file is not None else None
        self.top = top
        self.perplexity = perplexity
        self.seed = seed
        self.progress = progress
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread = None
        self._data = None
        self._json = None
        self._error = None
        if start:
            self.start()

    @property
    def path(self) -> Path | None:
        """The cache file, or None when kept in memory only."""
        if self.source_file is not None:
            try:
                return file_cache_path(self.source_file, self.top, self.limit, self.cache_dir)
            except OSError:  # the file went away: keep the map in memory
                return None
        return None if self.model_dir is None else cache_path(self.model_dir, self.top)

    def start(self) -> None:
        """Start the computation (once) in a daemon thread."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="wordvec-map", daemon=True)
                self._thread.start()

    def poll(self):
        """The map data if ready, else None; raises the error that stopped the computation."""
        self.start()
        if not self._done.is_set():
            return None
        if self._error is not None:
            raise self._error
        return self._data

    def result(self, timeout: float | None = None) -> dict:
        """Wait for the map data (raises ``TimeoutError`` after ``timeout`` seconds)."""
        self.start()
        if not self._done.wait(timeout):
            raise TimeoutError("the word map is still being computed")
        return self.poll()

    def json_bytes(self) -> bytes | None:
        """The map data as compact JSON (UTF-8), if ready."""
        data = self.poll()
        if data is None:
            return None
        if self._json is None:
            self._json = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return self._json

    # -- work -------------------------------------------------------------
    def _say(self, message: str) -> None:
        if self.progress:
            print(f"wordvec explore: {message}", file=sys.stderr, flush=True)

    def _settings(self) -> dict:
        if self.source_file is not None:
            try:
                fingerprint = file_fingerprint(self.source_file, self.limit)
            except OSError:
                fingerprint = None
        else:
            fingerprint = model_fingerprint(self.model_dir) if self.model_dir else None
        return {"method": "tsne", "top": self.top, "perplexity": self.perplexity, "seed": self.seed,
                "model_sha256": fingerprint}

    def _run(self) -> None:
        try:
            data = self._load_or_compute()
            data["counts"] = _counts_of(self.vectors, data["words"])
            self._data = data
        except WordvecError as err:
            self._error = err
        except Exception as err:  # never lose the reason; the server reports it
            self._error = WordvecError(f"the word map could not be computed: {type(err).__name__}: {err}")
        finally:
            self._done.set()

    def _load_or_compute(self) -> dict:
        settings = self._settings()
        path = self.path
        if path is not None and path.is_file():
            try:
                cached = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                cached = None
            if _valid_cached(cached, self.vectors, settings):
                return {"words": cached["words"], "x": cached["x"], "y": cached["y"], "cached": True}
            self._say(f"{path.name} does not match this model; computing the map again")
        n = min(self.top, len(self.vectors))
        self._say(f"computing the t-SNE map of the {n:,} most frequent words (only once)...")
        began = time.perf_counter()
        data = compute_map(self.vectors, self.top, self.perplexity, self.seed)
        took = time.perf_counter() - began
        if path is None:
            self._say(f"map ready in {took:.1f} s")
        else:
            source = {}
            if self.source_file is not None:
                source["source"] = str(self.source_file.resolve()).encode("utf-8", "backslashreplace").decode()
            try:
                with atomic_open(path, "w", encoding="utf-8") as handle:
                    json.dump({"format": MAP_FORMAT, "version": MAP_VERSION, **settings, **source, **data}, handle,
                              ensure_ascii=False, separators=(",", ":"))
                self._say(f"map ready in {took:.1f} s, cached in {path}")
            except OSError as err:
                self._say(f"map ready in {took:.1f} s; cannot cache it in {path.parent} "
                          f"({err.strerror or err}), keeping it in memory")
        return {**data, "cached": False}
