"""One self-contained HTML file with an interactive word map (``wordvec plot --html``).

The file holds its data (t-SNE positions, frequencies and each word's nearest
neighbours), its script and its style inline: it opens from disk, offline, in
any browser, with no server, and refers to nothing outside itself. The map
zooms and pans, shows a word and its frequency on hover, and a search box finds
a word and highlights its neighbours.

>>> import numpy as np, tempfile, pathlib
>>> from wordvec.vectors import Vectors
>>> vecs = Vectors([f"w{i}" for i in range(12)], np.random.default_rng(0).normal(size=(12, 4)))
>>> out = write_html_map(vecs, pathlib.Path(tempfile.mkdtemp()) / "map.html", top=10)
>>> text = out.read_text(encoding="utf-8")
>>> "<script src" in text, '"w9"' in text
(False, True)
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import numpy as np

from .. import __version__
from ..outputs import atomic_open
from ..errors import ParameterError

_PLACEHOLDER = re.compile(r"\{\{([A-Z_]+)\}\}")


def _static(name: str) -> str:
    from importlib import resources

    return resources.files(__package__).joinpath("static", name).read_text(encoding="utf-8")


def nearest_neighbours(vectors, words, n: int = 10, chunk: int = 256) -> list[list[tuple[str, float]]]:
    """The ``n`` nearest words (cosine, whole vocabulary) of each of ``words``.

    Equivalent to ``[vectors.most_similar(w, n=n) for w in words]``, computed in blocks.
    """
    unit = vectors.unit_matrix
    rows = np.asarray([vectors.index(w) for w in words], dtype=np.int64)
    n = min(n, len(vectors) - 1)
    if n <= 0 or not len(rows):
        return [[] for _ in words]
    unknown = vectors.key_to_index.get(vectors.unknown) if vectors.unknown is not None else None
    take = min(n + 2, len(vectors))  # room for the word itself and the unknown word
    answers = []
    for start in range(0, len(rows), chunk):
        block = rows[start:start + chunk]
        scores = unit[block] @ unit.T
        scores[np.arange(len(block)), block] = -np.inf
        if unknown is not None:
            scores[:, unknown] = -np.inf
        best = np.argpartition(-scores, take - 1, axis=1)[:, :take]
        for i in range(len(block)):
            order = best[i][np.argsort(-scores[i, best[i]], kind="stable")]
            answers.append([(vectors.words[j], float(scores[i, j])) for j in order[:n]
                            if np.isfinite(scores[i, j])])
    return answers


def _inline_json(data) -> str:
    """JSON safe inside a <script> element (no '<', so no '</script>')."""
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _inline_script(name: str) -> str:
    text = _static(name)
    if "</script" in text.lower() or "<!--" in text:
        raise AssertionError(f"{name} cannot be inlined in a <script> element")
    return text


def render_html_map(words, coords, counts=None, neighbours=None, *, title: str = "wordvec map",
                    subtitle: str = "") -> str:
    """The HTML text of a map of ``words`` at ``coords`` (shape (n, 2))."""
    coords = np.asarray(coords, dtype=np.float64)
    data = {
        "words": list(words),
        "x": [round(float(v), 4) for v in coords[:, 0]],
        "y": [round(float(v), 4) for v in coords[:, 1]],
        "counts": [None if c is None else int(c) for c in counts] if counts is not None else [None] * len(words),
    }
    if neighbours is not None:
        data["neighbours"] = [[[w, round(s, 4), c] for w, s, c in entry] for entry in neighbours]
    parts = {
        "VERSION": __version__,
        "TITLE": html.escape(title),
        "SUBTITLE": html.escape(subtitle),
        "CSS": _static("explore.css"),
        "DATA": _inline_json(data),
        "WORDMAP_JS": _inline_script("wordmap.js"),
        "UI_JS": _inline_script("ui.js"),
        "STANDALONE_JS": _inline_script("standalone.js"),
    }
    return _PLACEHOLDER.sub(lambda m: parts[m.group(1)], _static("standalone.html"))


def write_html_map(vectors, out, top: int = 500, perplexity: float = 30.0, seed: int = 1, *,
                   title: str | None = None, neighbours: int = 10, progress: bool = False) -> Path:
    """Write a self-contained interactive t-SNE map of the ``top`` most frequent words.

    Parameters
    ----------
    vectors : Vectors
        Word vectors whose rows are in frequency order.
    out : path
        The HTML file to write (atomically: a failure leaves no half-written file).
    top : int, default=500
        How many words to place (the unknown word is never shown).
    perplexity : float, default=30.0
        t-SNE perplexity (lowered when there are few words).
    seed : int, default=1
        Random state of t-SNE.
    title : str, optional
        Page title (default "wordvec map").
    neighbours : int, default=10
        How many nearest words (in the whole vocabulary) to list for each word
        on the map; 0 for none.
    progress : bool, default=False
        Say on standard error that t-SNE is running.

    Returns
    -------
    pathlib.Path
        ``out``.

    Raises
    ------
    ParameterError
        Fewer than two words, or ``top``, ``perplexity`` or ``neighbours`` out of range.
    """
    from ..plot import tsne_coordinates

    if isinstance(neighbours, bool) or not isinstance(neighbours, (int, np.integer)) or neighbours < 0:
        raise ParameterError.out_of_range("neighbours", neighbours, "a non-negative integer")
    out = Path(out)
    if progress:
        print(f"wordvec: computing the t-SNE map of the {min(top, len(vectors)):,} most frequent words...",
              file=sys.stderr, flush=True)
    words, coords = tsne_coordinates(vectors, top=top, perplexity=perplexity, seed=seed)
    rows = [vectors.key_to_index[w] for w in words]
    counts = None if vectors.counts is None else [int(vectors.counts[r]) for r in rows]
    near = None
    if neighbours:
        near = []
        for entry in nearest_neighbours(vectors, words, n=int(neighbours)):
            near.append([(w, s, None if vectors.counts is None else int(vectors.counts[vectors.key_to_index[w]]))
                         for w, s in entry])
    subtitle = (f"{len(words):,} most frequent of {len(vectors):,} words · {vectors.dim} dimensions · "
                f"t-SNE, perplexity {perplexity:g}, seed {seed}")
    text = render_html_map(words, coords, counts, near, title=title or "wordvec map", subtitle=subtitle)
    with atomic_open(out, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return out
