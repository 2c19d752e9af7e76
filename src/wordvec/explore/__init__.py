"""Explore word vectors in the browser: neighbours, analogies and a zoomable word map.

Two ways in:

- :func:`serve` runs a small local web server (``wordvec explore MODEL``) with a
  search box, an analogy box and a t-SNE map of the most frequent words, backed
  by a JSON API (see ``/api/openapi.json``);
- :func:`write_html_map` writes the map as one self-contained HTML file
  (``wordvec plot MODEL --html map.html``) that needs no server and no network.

The page is plain HTML, CSS and JavaScript shipped in ``wordvec/explore/static``:
no build step, no CDN, it works offline.

Names are imported on first use, so importing this package does not import
Flask (the HTML map does not need it).

>>> import wordvec.explore as explore
>>> sorted(explore.__all__)
['MapStore', 'VocabIndex', 'create_app', 'make_server', 'serve', 'write_html_map']
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "serve": "server",
    "make_server": "server",
    "create_app": "routes",
    "write_html_map": "htmlmap",
    "MapStore": "mapdata",
    "VocabIndex": "vocabindex",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'wordvec.explore' has no attribute {name!r}")
