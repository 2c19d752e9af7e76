"""``wordvec explore``: serving the explorer's app (:mod:`wordvec.explore.routes`) on waitress.

Why waitress: the app is served by waitress, a production WSGI server in pure
Python, not by Werkzeug's development server (one thread per connection, no
timeout while a request's headers arrive: 500 half-sent requests held 500
threads). Waitress reads every connection on one thread and hands only complete
requests to a fixed pool of :data:`SERVER_THREADS` threads; a connection idle
for :data:`CONNECTION_TIMEOUT` seconds (a request cut off halfway included) is
closed, at most :data:`CONNECTION_LIMIT` are open at once (later ones wait to be
accepted), and request headers are limited to :data:`MAX_HEADER_BYTES`.

The server binds 127.0.0.1 by default and, when bound to the loopback
interface, answers only requests addressed to a loopback name (which defeats
DNS-rebinding pages).

The model may be a model directory or a vectors file (GloVe, word2vec text or
binary, fastText ``.vec`` or ``.bin``, compressed or not: whatever
:func:`wordvec.formats.load_vectors` reads); the map of a file is cached in the
user's cache folder, not beside it.

>>> import numpy as np
>>> from wordvec.vectors import Vectors
>>> vecs = Vectors(["UNK", "tea", "coffee", "dog"],
...                np.array([[0, 0], [1, .1], [1, .2], [0, 1]], dtype=np.float32), unknown="UNK")
>>> server = make_server(vecs, "127.0.0.1", 0, progress=False)
>>> server.url.startswith("http://127.0.0.1:")
True
>>> server.server_close()
"""

from __future__ import annotations

import errno
import socket
import sys
import threading
from pathlib import Path

from .. import __version__
from ..errors import MissingDependencyError, ParameterError, WordvecError
from .routes import _LOOPBACK_NAMES, create_app

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
        vectors file :func:`~wordvec.formats.load_vectors` reads (GloVe, word2vec,
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
