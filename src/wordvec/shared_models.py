"""Models loaded once per process: what a pickled classifier or vectors object becomes in a worker.

A classifier or a vectors object loaded from a file pickles as a call to :func:`shared_model` with its
loader and path, so a worker process (Dask, Ray, ``multiprocessing``) loads the file (memory-mapped
where its format allows) once, and every task that unpickles it again gets that same object, for as
long as the file is not changed (its size and modification time are part of the key). A few models
are kept, the least recently used let go first.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "words.txt"
>>> _ = path.write_text("tea")
>>> first = shared_model(pathlib.Path.read_text, path)
>>> first, shared_model(pathlib.Path.read_text, path) is first
('tea', True)
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path

__all__ = ["MODELS_KEPT", "shared_model"]

#: How many loaded models a process keeps for unpickling.
MODELS_KEPT = 4

_models: OrderedDict = OrderedDict()
_lock = threading.Lock()


def shared_model(loader, path, options: dict | None = None):
    """``loader(path, **options)``, loaded once per process while the file stays the same."""
    path = Path(path)
    options = dict(options or {})
    try:
        stat = os.stat(path)
        stamp = (stat.st_size, stat.st_mtime_ns)
    except OSError:
        return loader(path, **options)  # the loader says, in one line, what is wrong with it
    key = (getattr(loader, "__module__", ""), getattr(loader, "__qualname__", repr(loader)), str(path),
           tuple(sorted(options.items())), stamp)
    with _lock:
        if key in _models:
            _models.move_to_end(key)
            return _models[key]
        model = loader(path, **options)
        _models[key] = model
        while len(_models) > MODELS_KEPT:
            _models.popitem(last=False)
        return model
