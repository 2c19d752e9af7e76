"""``wordvec explore``: a local web page to explore a model, and its JSON API.

Why Flask: the work behind every request is a NumPy product that takes
milliseconds and holds no state, so a plain synchronous WSGI app is all this
needs; Flask is small, stable and well kept, and brings an in-process test
client. An async stack (Starlette + uvicorn) would add an event loop and more
dependencies for no gain here.

Why waitress: the app is served by waitress, a production WSGI server in pure
Python, not by Werkzeug's development server (one thread per connection, no
timeout while a request's headers arrive: 500 half-sent requests held 500
threads). Waitress reads every connection on one thread and hands only complete
requests to a fixed pool of :data:`SERVER_THREADS` threads; a connection idle
for :data:`CONNECTION_TIMEOUT` seconds (a request cut off halfway included) is
closed, at most :data:`CONNECTION_LIMIT` are open at once (later ones wait to be
accepted), and request headers are limited to :data:`MAX_HEADER_BYTES`.

The server is read-only (GET only), binds 127.0.0.1 by default and, when bound
to the loopback interface, answers only requests addressed to a loopback name
(which defeats DNS-rebinding pages). It serves a fixed list of its own static
files (no file system paths come from a request) and the one model it was
given.

The model may also be a vectors file (GloVe, word2vec text or binary, fastText
``.vec`` or ``.bin``, compressed or not: whatever :func:`wordvec.io.load_vectors`
reads); the map of a file is cached in the user's cache folder, not beside it.

A model with subwords (``wordvec train --subwords``, or a fastText ``.bin``)
answers for words outside its vocabulary too, their vectors built from their
character n-grams; the answer then carries the header
``X-Built-From-Subwords``: those query words, each percent-encoded (UTF-8),
separated by commas. Answers are always vocabulary words.

API (every error is ``{"error": "one line"}`` with a 4xx status):

- ``GET /api/similar?word=W&n=N`` → ``[{"word", "similarity", "count"}, ...]``
- ``GET /api/analogy?positive=a,c&negative=b&n=N`` → same shape (a − b + c)
- ``GET /api/vocab?prefix=P&limit=L`` → ``[{"word", "count"}, ...]`` (most frequent first)
- ``GET /api/map`` → ``{"words", "x", "y", "counts", ...}`` (503 while t-SNE runs)
- ``GET /api/info`` → the model's size, its subword settings and the explorer's limits
- ``GET /api/openapi.json`` → the OpenAPI 3 description of all of these

>>> import numpy as np
>>> from wordvec.vectors import Vectors
>>> vecs = Vectors(["UNK", "tea", "coffee", "dog"],
...                np.array([[0, 0], [1, .1], [1, .2], [0, 1]], dtype=np.float32), unknown="UNK")
>>> client = create_app(vecs, progress=False).test_client()
>>> client.get("/api/similar?word=tea&n=1").get_json()[0]["word"]
'coffee'
>>> client.get("/api/similar?word=zzz").status_code
404
"""

from __future__ import annotations

import errno
import re
import socket
import sys
import threading
from importlib import resources
from pathlib import Path

from urllib.parse import quote

import numpy as np

from .. import __version__
from ..errors import MissingDependencyError, ParameterError, UnknownWordError, WordvecError
from ..vectors import SubwordVectors
from .mapdata import MapStore
from .vocabindex import VocabIndex

#: Most neighbours, analogy answers or completions one request may ask for.
MAX_N = 1000
#: Most words in one analogy question.
MAX_ANALOGY_WORDS = 20
#: Longest word accepted in a query.
MAX_WORD_LENGTH = 200
#: The response header naming the query words built from subwords (percent-encoded, comma-separated).
BUILT_HEADER = "X-Built-From-Subwords"

#: Threads that answer requests (each answer takes milliseconds).
SERVER_THREADS = 8
#: Seconds a connection may stay idle (between requests, or while a request arrives) before it is closed.
CONNECTION_TIMEOUT = 30
#: Seconds between two sweeps for idle connections.
CLEANUP_INTERVAL = 5
#: Connections open at once; more wait in the listen queue until one closes.
CONNECTION_LIMIT = 100
#: Largest request head (request line and headers) and body accepted; every request is a short GET.
MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 64 * 1024

#: The files the server may send: name → media type. Nothing else is served.
STATIC_FILES = {
    "index.html": "text/html; charset=utf-8",
    "explore.css": "text/css; charset=utf-8",
    "wordmap.js": "text/javascript; charset=utf-8",
    "ui.js": "text/javascript; charset=utf-8",
    "explore.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}

_LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1"}

_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

_INTEGER = re.compile(r"[+-]?[0-9]{1,12}")


def read_static(name: str) -> bytes:
    """The bytes of one of the explorer's packaged files."""
    return resources.files(__package__).joinpath("static", name).read_bytes()


# -- request parameters -----------------------------------------------------

def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _int_arg(args, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    text = raw.strip()
    valid = f"an integer from {low} to {high}"
    if not _INTEGER.fullmatch(text):
        raise ParameterError.out_of_range(name, _short(raw), valid)
    value = int(text)
    if not low <= value <= high:
        raise ParameterError.out_of_range(name, value, valid)
    return value


def _check_word(word: str) -> str:
    word = word.strip()
    if not word:
        raise ParameterError("empty word: give a word to look up (a blank word has no vector)")
    if len(word) > MAX_WORD_LENGTH:
        raise ParameterError(f"word too long ({len(word)} characters, at most {MAX_WORD_LENGTH})")
    return word


def _word_arg(args, name: str) -> str:
    raw = args.get(name)
    if raw is None:
        raise ParameterError(f"missing parameter {name!r}")
    return _check_word(raw)


def _word_list_arg(args, name: str) -> list[str]:
    """Words of a parameter given as ``a,b`` and/or repeated (``name=a&name=b``)."""
    words = []
    for raw in args.getlist(name):
        words.extend(_check_word(part) for part in raw.split(",") if part.strip())
    return words


# -- the application ----------------------------------------------------------

class Explorer:
    """The queries behind the API, on one model (independent of Flask)."""

    def __init__(self, vectors, model_dir=None, *, top: int = 2000, perplexity: float = 30.0, seed: int = 1,
                 progress: bool = True, name: str | None = None, engine: str | None = None,
                 start_map: bool = True, source_file=None, limit: int | None = None):
        if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 2:
            raise ParameterError.out_of_range("top", top, "an integer of at least 2")
        self.vectors = vectors
        self.model_dir = None if model_dir is None else Path(model_dir)
        self.name = name or (self.model_dir.resolve().name if self.model_dir else "vectors")
        self.engine = engine
        self.index = VocabIndex(vectors.words, skip=vectors.unknown)
        _ = vectors.unit_matrix  # normalise once, before the first request
        self.map = MapStore(vectors, self.model_dir, top=int(top), perplexity=perplexity, seed=seed,
                            progress=progress, start=start_map, source_file=source_file, limit=limit)

    def _count(self, row: int):
        counts = self.vectors.counts
        return None if counts is None else int(counts[row])

    @property
    def subwords(self) -> bool:
        """Whether words outside the vocabulary are answered, built from their subwords."""
        return isinstance(self.vectors, SubwordVectors)

    def built(self, words: list[str]) -> list[str]:
        """The query words that are not in the vocabulary (built from subwords), each once."""
        return list(dict.fromkeys(w for w in words if w not in self.vectors.key_to_index))

    def _known(self, word: str) -> str:
        if word not in self.vectors.key_to_index and not self.subwords:
            raise UnknownWordError(_short(word))
        return word

    def _answers(self, pairs) -> list[dict]:
        index = self.vectors.key_to_index
        return [{"word": w, "similarity": round(s, 6), "count": self._count(index[w])} for w, s in pairs]

    def similar(self, word: str, n: int) -> list[dict]:
        return self._answers(self.vectors.most_similar(self._known(word), n=n))

    def analogy(self, positive: list[str], negative: list[str], n: int) -> list[dict]:
        if not positive:
            raise ParameterError("an analogy needs at least one 'positive' word (a − b + c: positive=a,c&negative=b)")
        if len(positive) + len(negative) > MAX_ANALOGY_WORDS:
            raise ParameterError(f"too many words in the analogy (at most {MAX_ANALOGY_WORDS})")
        for word in positive + negative:
            self._known(word)
        return self._answers(self.vectors.most_similar(positive=positive, negative=negative, n=n))

    def vocab(self, prefix: str, limit: int) -> list[dict]:
        return [{"word": self.vectors.words[row], "count": self._count(row)}
                for row in self.index.rows(prefix, limit).tolist()]

    def info(self) -> dict:
        v = self.vectors
        subwords = ({"min_n": v.min_n, "max_n": v.max_n, "buckets": v.buckets} if self.subwords else None)
        return {"model": self.name, "engine": self.engine, "words": len(v), "dim": v.dim,
                "unknown": v.unknown, "subwords": subwords, "map_top": self.map.top, "max_n": MAX_N,
                "version": __version__}


def _mark_built(response, built: list[str]):
    """Name the query words built from subwords in the response's :data:`BUILT_HEADER` (if any).

    >>> class Response: headers = {}
    >>> _mark_built(Response(), ["tëa", "a,b"]).headers
    {'X-Built-From-Subwords': 't%C3%ABa,a%2Cb'}
    """
    if built:
        response.headers[BUILT_HEADER] = ",".join(quote(word, safe="") for word in built)
    return response


def _explorer_for(model, *, limit: int | None, **settings) -> Explorer:
    """An explorer of a model directory, a vectors file or vectors in memory."""
    from ..io import _check_limit, _first_rows, load_model, load_vectors

    _check_limit(limit)
    if not isinstance(model, (str, Path)):
        return Explorer(_first_rows(model, limit), None, **settings)
    path = Path(model)
    if path.is_dir():
        saved = load_model(path, mmap=True)
        return Explorer(_first_rows(saved.vectors, limit), path, engine=saved.engine, **settings)
    vectors = load_vectors(path, limit=limit)
    return Explorer(vectors, None, name=path.name, source_file=path, limit=limit, **settings)


def create_app(model, *, top: int = 2000, perplexity: float = 30.0, seed: int = 1, progress: bool = True,
               loopback_only: bool = True, start_map: bool = True, limit: int | None = None):
    """The explorer as a Flask (WSGI) application.

    Parameters
    ----------
    model : path or Vectors
        A model directory (memory-mapped; the word map is cached in it), a
        vectors file that :func:`~wordvec.io.load_vectors` reads (the map is
        cached in the user's cache folder) or :class:`~wordvec.vectors.Vectors`
        (the map is kept in memory).
    top : int, default=2000
        How many of the most frequent words the map shows.
    perplexity, seed
        t-SNE settings of the map.
    progress : bool, default=True
        Report the map's computation on standard error.
    loopback_only : bool, default=True
        Refuse requests whose ``Host`` is not 127.0.0.1, localhost or [::1]
        (set False when serving on another interface).
    start_map : bool, default=True
        Start computing the map at once, in a background thread (otherwise
        on the first request for it).
    limit : int, optional
        Serve only the first ``limit`` words of a model or file (a file is
        read no further).

    The explorer behind the app is ``app.extensions["wordvec_explorer"]``.
    """
    from flask import Flask, Response, jsonify, request
    from werkzeug.exceptions import HTTPException

    explorer = _explorer_for(model, top=top, perplexity=perplexity, seed=seed, progress=progress,
                             start_map=start_map, limit=limit)

    app = Flask(__name__, static_folder=None)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.extensions["wordvec_explorer"] = explorer
    static = {name: read_static(name) for name in STATIC_FILES}

    def error(status: int, message: str):
        response = jsonify({"error": " ".join(str(message).split())})
        response.status_code = status
        return response

    @app.before_request
    def check_host():
        if not loopback_only:
            return None
        host = request.host.rsplit(":", 1)[0] if not request.host.startswith("[") else request.host[1:].split("]")[0]
        if host.lower() not in _LOOPBACK_NAMES:
            return error(400, f"unexpected Host {_short(request.host)!r}: this server answers on localhost only")
        return None

    @app.after_request
    def headers(response):
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Content-Security-Policy"] = _CSP
        response.headers.setdefault("Cache-Control", "no-cache")
        return response

    @app.errorhandler(UnknownWordError)
    def unknown_word(err):
        return error(404, str(err))

    @app.errorhandler(WordvecError)
    def bad_request(err):
        return error(400, str(err))

    @app.errorhandler(HTTPException)
    def http_error(err):
        if err.code == 404:
            return error(404, f"not found: {_short(request.path)}")
        if err.code == 405:
            return error(405, f"method {request.method} not allowed: this server is read-only")
        return error(err.code or 500, err.name)

    @app.errorhandler(Exception)
    def internal_error(err):
        app.logger.exception("error in %s", request.path)
        return error(500, f"internal error ({type(err).__name__})")

    def static_file(name: str):
        return Response(static[name], content_type=STATIC_FILES[name])

    @app.get("/")
    def index():
        return static_file("index.html")

    @app.get("/static/<name>")
    def static_route(name):
        if name not in STATIC_FILES or name == "index.html":
            return error(404, f"not found: {_short(request.path)}")
        return static_file(name)

    @app.get("/favicon.ico")
    def favicon():
        return static_file("favicon.svg")

    @app.get("/api/similar")
    def similar():
        word = _word_arg(request.args, "word")
        n = _int_arg(request.args, "n", 10, 1, MAX_N)
        return _mark_built(jsonify(explorer.similar(word, n)), explorer.built([word]))

    @app.get("/api/analogy")
    def analogy():
        positive = _word_list_arg(request.args, "positive")
        negative = _word_list_arg(request.args, "negative")
        n = _int_arg(request.args, "n", 10, 1, MAX_N)
        return _mark_built(jsonify(explorer.analogy(positive, negative, n)), explorer.built(positive + negative))

    @app.get("/api/vocab")
    def vocab():
        prefix = request.args.get("prefix", "").strip()
        if len(prefix) > MAX_WORD_LENGTH:
            raise ParameterError(f"prefix too long ({len(prefix)} characters, at most {MAX_WORD_LENGTH})")
        limit = _int_arg(request.args, "limit", 10, 1, MAX_N)
        return jsonify(explorer.vocab(prefix, limit))

    @app.get("/api/map")
    def word_map():
        try:
            body = explorer.map.json_bytes()
        except WordvecError as err:
            return error(404, f"no map: {err}")
        if body is None:
            response = error(503, "the map is being computed; try again in a moment")
            response.headers["Retry-After"] = "1"
            return response
        return Response(body, content_type="application/json; charset=utf-8")

    @app.get("/api/info")
    def info():
        return jsonify(explorer.info())

    @app.get("/api/openapi.json")
    def openapi():
        return jsonify(openapi_document())

    return app


# -- OpenAPI --------------------------------------------------------------------

def _parameter(name: str, description: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def openapi_document() -> dict:
    """The OpenAPI 3 description of the explorer's API."""
    n = _parameter("n", "how many answers", {"type": "integer", "minimum": 1, "maximum": MAX_N, "default": 10})
    error = {"description": "bad parameters or an unknown word",
             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    built = {"description": "the query words not in the vocabulary, whose vectors were built from their "
                            "subwords (models with subwords only), each percent-encoded UTF-8, comma-separated",
             "schema": {"type": "string"}}
    answers = {"description": "answers (vocabulary words), most similar first",
               "headers": {BUILT_HEADER: built},
               "content": {"application/json": {"schema": {"type": "array",
                                                           "items": {"$ref": "#/components/schemas/Answer"}}}}}
    word_list = {"type": "string", "description": "comma-separated words"}
    return {
        "openapi": "3.0.3",
        "info": {"title": "wordvec explore", "version": __version__,
                 "description": "Read-only queries on one word-vector model."},
        "paths": {
            "/api/similar": {"get": {
                "summary": "Nearest words by cosine similarity (a model with subwords answers any word)",
                "operationId": "similar",
                "parameters": [_parameter("word", "the word", {"type": "string", "minLength": 1}, True), n],
                "responses": {"200": answers, "400": error, "404": error}}},
            "/api/analogy": {"get": {
                "summary": "Analogy a − b + c (3CosAdd): positive=a,c&negative=b",
                "operationId": "analogy",
                "parameters": [_parameter("positive", "words added (a, c)", word_list, True),
                               _parameter("negative", "words subtracted (b)", word_list), n],
                "responses": {"200": answers, "400": error, "404": error}}},
            "/api/vocab": {"get": {
                "summary": "Words starting with a prefix (case-insensitive), most frequent first",
                "operationId": "vocab",
                "parameters": [_parameter("prefix", "the start of the word", {"type": "string", "default": ""}),
                               _parameter("limit", "how many words", {"type": "integer", "minimum": 1,
                                                                       "maximum": MAX_N, "default": 10})],
                "responses": {"200": {"description": "matching words",
                                      "content": {"application/json": {"schema": {
                                          "type": "array", "items": {"$ref": "#/components/schemas/Word"}}}}},
                              "400": error}}},
            "/api/map": {"get": {
                "summary": "t-SNE positions of the most frequent words",
                "operationId": "map",
                "responses": {"200": {"description": "the map",
                                      "content": {"application/json": {"schema": {
                                          "$ref": "#/components/schemas/Map"}}}},
                              "404": error,
                              "503": {"description": "the map is still being computed (see Retry-After)",
                                      "content": {"application/json": {"schema": {
                                          "$ref": "#/components/schemas/Error"}}}}}}},
            "/api/info": {"get": {
                "summary": "The model and the explorer's limits",
                "operationId": "info",
                "responses": {"200": {"description": "model information",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}}}},
            "/api/openapi.json": {"get": {
                "summary": "This document",
                "operationId": "openapi",
                "responses": {"200": {"description": "OpenAPI 3 document",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        },
        "components": {"schemas": {
            "Error": {"type": "object", "required": ["error"],
                      "properties": {"error": {"type": "string", "description": "one line"}}},
            "Answer": {"type": "object", "required": ["word", "similarity"],
                       "properties": {"word": {"type": "string"},
                                      "similarity": {"type": "number", "description": "cosine similarity"},
                                      "count": {"type": "integer", "nullable": True,
                                                "description": "corpus frequency"}}},
            "Word": {"type": "object", "required": ["word"],
                     "properties": {"word": {"type": "string"},
                                    "count": {"type": "integer", "nullable": True}}},
            "Map": {"type": "object", "required": ["words", "x", "y", "counts"],
                    "properties": {"words": {"type": "array", "items": {"type": "string"}},
                                   "x": {"type": "array", "items": {"type": "number"}},
                                   "y": {"type": "array", "items": {"type": "number"}},
                                   "counts": {"type": "array", "items": {"type": "integer", "nullable": True}},
                                   "cached": {"type": "boolean"}}},
        }},
    }


# -- serving ----------------------------------------------------------------------

def _is_loopback(host: str) -> bool:
    return host.strip("[]").lower() in _LOOPBACK_NAMES or host.startswith("127.")


class ExplorerServer:
    """The explorer's app served by waitress on a socket already bound.

    :meth:`serve_forever` serves until :meth:`shutdown` is called from another
    thread (or Ctrl-C); :meth:`server_close` closes the socket and every
    connection. ``url``, ``port``, ``app`` and ``explorer`` describe it.
    """

    def __init__(self, app, listener: socket.socket, shown_host: str):
        try:
            import waitress
        except ImportError as err:
            raise MissingDependencyError(f"wordvec explore needs waitress (a dependency of wordvec): "
                                         f"pip install 'waitress>=3' ({err})") from None

        self._map: dict = {}
        self._waitress = waitress.create_server(
            app, map=self._map, sockets=[listener], threads=SERVER_THREADS, channel_timeout=CONNECTION_TIMEOUT,
            cleanup_interval=CLEANUP_INTERVAL, connection_limit=CONNECTION_LIMIT,
            max_request_header_size=MAX_HEADER_BYTES, max_request_body_size=MAX_BODY_BYTES,
            asyncore_use_poll=True, ident=f"wordvec/{__version__}")
        self.port = listener.getsockname()[1]
        self.url = f"http://{shown_host}:{self.port}/"
        self.app = app
        self.explorer = app.extensions["wordvec_explorer"]
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Answer requests until :meth:`shutdown` (another thread) or Ctrl-C."""
        from waitress import wasyncore

        self._stopped.clear()
        try:
            while not self._stop.is_set() and self._map:
                wasyncore.loop(timeout=poll_interval, use_poll=True, map=self._map, count=1)
        finally:
            self._stop.clear()
            self._stopped.set()

    def shutdown(self) -> None:
        """Make :meth:`serve_forever` return, and wait until it has."""
        self._stop.set()
        self._waitress.trigger.pull_trigger()  # wakes the loop at once
        self._stopped.wait()

    def server_close(self) -> None:
        """Close the listening socket and every open connection; stop the threads."""
        from waitress import wasyncore

        self._waitress.task_dispatcher.shutdown(timeout=5)
        wasyncore.close_all(self._map, ignore_all=True)


def make_server(model_dir, host: str = "127.0.0.1", port: int = 8000, *, top: int = 2000, progress: bool = True,
                limit: int | None = None) -> ExplorerServer:
    """The explorer's HTTP server (waitress, :class:`ExplorerServer`), bound but not yet serving.

    Call ``serve_forever()`` on it (``shutdown()`` from another thread stops
    it); ``server.url`` is its address and ``server.app`` the Flask app.
    ``port=0`` picks a free port. The word map is computed on its first
    request (or call ``server.explorer.map.start()``).
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ParameterError.out_of_range("port", port, "an integer from 0 to 65535")
    app = create_app(model_dir, top=top, progress=progress, loopback_only=_is_loopback(host), start_map=False,
                     limit=limit)
    # Bind here, to say in one line why it failed (a port taken, an unknown address).
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = socket.create_server((host, port), family=family)
    except (OSError, ValueError, UnicodeError, OverflowError) as err:
        reason = (getattr(err, "strerror", None) or str(err)).split(" (while attempting")[0]
        taken = getattr(err, "errno", None) == errno.EADDRINUSE
        raise WordvecError(f"cannot listen on {host}:{port}: {reason}"
                           + (" (choose another --port)" if taken else "")) from None
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else f"[{host}]" if ":" in host else host
    try:
        return ExplorerServer(app, listener, shown)
    except BaseException:
        listener.close()
        raise


def serve(model_dir, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False, top: int = 2000,
          limit: int | None = None) -> int:
    """Serve the explorer for ``model_dir`` until interrupted (Ctrl-C); returns 0.

    Parameters
    ----------
    model_dir : path
        A model directory written by ``wordvec train`` (any engine), or a
        vectors file :func:`~wordvec.io.load_vectors` reads (GloVe, word2vec,
        fastText; compressed or not).
    host : str, default="127.0.0.1"
        Interface to listen on; other than loopback, anyone on the network can read the model.
    port : int, default=8000
        Port to listen on (0: any free port).
    open_browser : bool, default=False
        Open the page in the default web browser.
    top : int, default=2000
        How many of the most frequent words the map shows (computed once,
        then cached in ``model_dir/map_tsne_TOP.json``, or for a file in the
        user's cache folder).
    limit : int, optional
        Serve only the first ``limit`` words (a file is read no further).
    """
    server = make_server(model_dir, host, port, top=top, limit=limit)
    print(f"wordvec explore: serving {Path(model_dir)} at {server.url} (Ctrl-C to stop)", file=sys.stderr,
          flush=True)
    server.explorer.map.start()
    if not _is_loopback(host):
        print("wordvec explore: warning: listening beyond this machine; anyone who can reach it can query "
              "the model", file=sys.stderr, flush=True)
    if open_browser:
        import webbrowser

        threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    print("wordvec explore: stopped", file=sys.stderr)
    return 0
