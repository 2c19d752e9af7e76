"""The explorer as a Flask (WSGI) app: its page, its static files and its JSON API.

Why Flask: the work behind every request is a NumPy product that takes
milliseconds and holds no state, so a plain synchronous WSGI app is all this
needs; Flask is small, stable and well kept, and brings an in-process test
client. An async stack (Starlette + uvicorn) would add an event loop and more
dependencies for no gain here. (:mod:`wordvec.explore.server` serves the app.)

The app is read-only (GET only) and, when told to (``loopback_only``), answers
only requests addressed to a loopback name (which defeats DNS-rebinding
pages). It serves a fixed list of its own static files (no file system paths
come from a request) and the one model it was given. The queries themselves
are :class:`~wordvec.explore.queries.Explorer`'s.

A model with subwords answers for words outside its vocabulary too; the answer
then carries the header ``X-Built-From-Subwords``: those query words, each
percent-encoded (UTF-8), separated by commas. Answers are always vocabulary
words.

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

import re
from importlib import resources
from urllib.parse import quote

from ..errors import ParameterError, UnknownWordError, WordvecError
from .openapi import openapi_document
from .queries import BUILT_HEADER, MAX_N, MAX_WORD_LENGTH, _short, explorer_for

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


def _prefix_arg(args) -> str:
    prefix = args.get("prefix", "").strip()
    if len(prefix) > MAX_WORD_LENGTH:
        raise ParameterError(f"prefix too long ({len(prefix)} characters, at most {MAX_WORD_LENGTH})")
    return prefix


# -- answers ----------------------------------------------------------------------

def _mark_built(response, built: list[str]):
    """Name the query words built from subwords in the response's :data:`BUILT_HEADER` (if any).

    >>> class Response: headers = {}
    >>> _mark_built(Response(), ["tëa", "a,b"]).headers
    {'X-Built-From-Subwords': 't%C3%ABa,a%2Cb'}
    """
    if built:
        response.headers[BUILT_HEADER] = ",".join(quote(word, safe="") for word in built)
    return response


def _error(status: int, message: str):
    """``{"error": "one line"}`` with ``status``."""
    from flask import jsonify

    response = jsonify({"error": " ".join(str(message).split())})
    response.status_code = status
    return response


def _request_host(host: str) -> str:
    """The name in a ``Host`` header, without its port (``[::1]:80`` → ``::1``)."""
    return host.rsplit(":", 1)[0] if not host.startswith("[") else host[1:].split("]")[0]


# -- the application ----------------------------------------------------------

def _add_guards(app, loopback_only: bool) -> None:
    """Refuse a foreign ``Host`` (when ``loopback_only``); set the security headers on every answer."""
    from flask import request

    @app.before_request
    def check_host():
        if not loopback_only:
            return None
        if _request_host(request.host).lower() not in _LOOPBACK_NAMES:
            return _error(400, f"unexpected Host {_short(request.host)!r}: this server answers on localhost only")
        return None

    @app.after_request
    def headers(response):
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Content-Security-Policy"] = _CSP
        response.headers.setdefault("Cache-Control", "no-cache")
        return response


def _add_error_handlers(app) -> None:
    """Every error as one JSON line: 404 for an unknown word or path, 400 for bad parameters, 500 otherwise."""
    from flask import request
    from werkzeug.exceptions import HTTPException

    @app.errorhandler(UnknownWordError)
    def unknown_word(err):
        return _error(404, str(err))

    @app.errorhandler(WordvecError)
    def bad_request(err):
        return _error(400, str(err))

    @app.errorhandler(HTTPException)
    def http_error(err):
        if err.code == 404:
            return _error(404, f"not found: {_short(request.path)}")
        if err.code == 405:
            return _error(405, f"method {request.method} not allowed: this server is read-only")
        return _error(err.code or 500, err.name)

    @app.errorhandler(Exception)
    def internal_error(err):
        app.logger.exception("error in %s", request.path)
        return _error(500, f"internal error ({type(err).__name__})")


def _add_page_routes(app) -> None:
    """The page (``/``), its files (``/static/NAME``, from :data:`STATIC_FILES` only) and the icon."""
    from flask import Response, request

    static = {name: read_static(name) for name in STATIC_FILES}

    def static_file(name: str):
        return Response(static[name], content_type=STATIC_FILES[name])

    @app.get("/")
    def index():
        return static_file("index.html")

    @app.get("/static/<name>")
    def static_route(name):
        if name not in STATIC_FILES or name == "index.html":
            return _error(404, f"not found: {_short(request.path)}")
        return static_file(name)

    @app.get("/favicon.ico")
    def favicon():
        return static_file("favicon.svg")


def _add_query_routes(app, explorer) -> None:
    """``/api/similar``, ``/api/analogy`` and ``/api/vocab``: request parameters in, the explorer's answers out."""
    from flask import jsonify, request

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
        prefix = _prefix_arg(request.args)
        limit = _int_arg(request.args, "limit", 10, 1, MAX_N)
        return jsonify(explorer.vocab(prefix, limit))


def _add_model_routes(app, explorer) -> None:
    """``/api/map`` (503 while it is computed), ``/api/info`` and ``/api/openapi.json``."""
    from flask import Response, jsonify

    @app.get("/api/map")
    def word_map():
        try:
            body = explorer.map.json_bytes()
        except WordvecError as err:
            return _error(404, f"no map: {err}")
        if body is None:
            response = _error(503, "the map is being computed; try again in a moment")
            response.headers["Retry-After"] = "1"
            return response
        return Response(body, content_type="application/json; charset=utf-8")

    @app.get("/api/info")
    def info():
        return jsonify(explorer.info())

    @app.get("/api/openapi.json")
    def openapi():
        return jsonify(openapi_document())


def create_app(model, *, top: int = 2000, perplexity: float = 30.0, seed: int = 1, progress: bool = True,
               loopback_only: bool = True, start_map: bool = True, limit: int | None = None):
    """The explorer as a Flask (WSGI) application.

    Parameters
    ----------
    model : path or Vectors
        A model directory (memory-mapped; the word map is cached in it), a
        vectors file that :func:`~wordvec.formats.load_vectors` reads (the map is
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
    from flask import Flask

    explorer = explorer_for(model, top=top, perplexity=perplexity, seed=seed, progress=progress,
                            start_map=start_map, limit=limit)

    app = Flask(__name__, static_folder=None)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.extensions["wordvec_explorer"] = explorer
    _add_guards(app, loopback_only)
    _add_error_handlers(app)
    _add_page_routes(app)
    _add_query_routes(app, explorer)
    _add_model_routes(app, explorer)
    return app
