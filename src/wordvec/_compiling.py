"""Knowing when Numba compiles, so that the first run after an install does not wait in silence.

Numba compiles a kernel the first time it is called with new argument types,
unless its on-disk cache (``cache=True``) already holds it; a kernel found in
the cache compiles nothing. Numba broadcasts a ``"numba:compile"`` event around
each real compile (:mod:`numba.core.event`), never around a cache load, so a
:class:`CompileWatch` over a stretch of work knows whether it compiled, when it
started to, and for how long.

>>> from numba import njit
>>> with CompileWatch(lambda: print("compiling...")) as watch:
...     njit(lambda x: x + 1)(1)
compiling...
2
>>> watch.seconds > 0
True
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
import threading
import time
from typing import Callable


class CompileWatch:
    """A context manager that watches Numba compile while it is active.

    ``announce`` is called once, as the first compile starts (from the thread
    that compiles). After the block, :attr:`seconds` is the time spent
    compiling: 0.0 when every kernel came from the cache or was compiled already.
    Compiles nested in a compile (a kernel's callees) count once. Where Numba
    is not loaded when the block starts (the compiled kernels need none), the
    watch starts as soon as something in the block imports it.
    """

    def __init__(self, announce: Callable[[], None] = lambda: None):
        self.announce = announce
        self.seconds = 0.0
        self._depth = 0
        self._since = 0.0
        self._announced = False
        self._lock = threading.Lock()
        self._listener = None
        self._waiting = None

    @property
    def compiled(self) -> bool:
        """Whether anything compiled (so far)."""
        return self._announced

    def __enter__(self) -> "CompileWatch":
        if "numba" in sys.modules:
            self._listen()
        else:  # loading Numba only to watch it would cost 65 MiB: listen once something imports it
            self._waiting = _AfterImport("numba", self._listen)
            sys.meta_path.insert(0, self._waiting)
        return self

    def _listen(self) -> None:
        from numba.core import event

        class Listener(event.Listener):
            def on_start(_, _event):
                self._started()

            def on_end(_, _event):
                self._ended()

        self._listener = Listener()
        event.register("numba:compile", self._listener)

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop watching (the context's exit; safe to call twice)."""
        if self._waiting in sys.meta_path:
            sys.meta_path.remove(self._waiting)
        if self._listener is not None:
            from numba.core import event

            event.unregister("numba:compile", self._listener)
            self._listener = None

    def _started(self) -> None:
        with self._lock:
            self._depth += 1
            if self._depth == 1:
                self._since = time.perf_counter()
            first, self._announced = not self._announced, True
        if first:
            self.announce()

    def _ended(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                self.seconds += time.perf_counter() - self._since


class _AfterImport(importlib.abc.MetaPathFinder):
    """An import hook that calls ``then()`` right after module ``name`` is first imported, by anyone.

    It finds the module as the other finders would and runs ``then`` once the module's code has run;
    then it takes itself off ``sys.meta_path``.
    """

    def __init__(self, name: str, then: Callable[[], None]):
        self.name, self.then = name, then

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        run_module = spec.loader.exec_module

        def exec_module(module):
            run_module(module)
            self.then()

        spec.loader.exec_module = exec_module
        return spec
