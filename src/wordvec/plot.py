"""A two-dimensional t-SNE map of the most frequent words, drawn as text labels.

The words are laid out with scikit-learn's :class:`~sklearn.manifold.TSNE` on
their unit vectors (so distances follow cosine similarity) and each word is
drawn at its point, as in the classic word2vec tutorial. matplotlib and
scikit-learn are imported only when a map is made, so ``import wordvec`` stays
light. Figures are drawn on a private :class:`~matplotlib.figure.Figure`
(rendered by Agg for PNG), so pyplot's global state and the user's backend are
left alone.

Examples
--------
>>> import numpy as np, tempfile, pathlib
>>> from wordvec.vectors import Vectors
>>> rng = np.random.default_rng(0)
>>> words = ["UNK"] + [f"word{i}" for i in range(20)]
>>> vecs = Vectors(words, rng.normal(size=(21, 8)).astype(np.float32), unknown="UNK")
>>> labels, coords = tsne_coordinates(vecs, top=10)
>>> labels[:3], coords.shape
(['word0', 'word1', 'word2'], (10, 2))
>>> out = pathlib.Path(tempfile.mkdtemp()) / "map.svg"
>>> plot_map(vecs, out, top=10, figsize=(4, 4), progress=False) == out
True
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from .outputs import atomic_path
from .errors import ParameterError

__all__ = ["IMAGE_FORMATS", "check_map_parameters", "plot_map", "tsne_coordinates"]

#: File extension → matplotlib format name.
IMAGE_FORMATS = {".png": "png", ".svg": "svg"}


def _most_frequent_rows(vectors, top: int) -> np.ndarray:
    """Row numbers of the ``top`` first rows, skipping the unknown word's row.

    Rows are in frequency order, so these are the most frequent words.
    """
    unknown_row = vectors.key_to_index.get(vectors.unknown) if vectors.unknown is not None else None
    candidates = range(min(len(vectors), top + 1))
    rows = [row for row in candidates if row != unknown_row][:top]
    return np.asarray(rows, dtype=np.int64)


def _map_rows(vectors, top: int) -> np.ndarray:
    """The rows a map of ``top`` words places, or a ParameterError when fewer than two can be."""
    rows = _most_frequent_rows(vectors, _check_top(top))
    if len(rows) < 2:
        raise ParameterError(f"a map needs at least 2 words, but only {len(rows)} can be placed")
    return rows


def _check_top(top) -> int:
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 2:
        raise ParameterError.out_of_range("top", top, "an integer of at least 2 (a map needs at least 2 words)")
    return int(top)


def _check_perplexity(perplexity) -> float:
    try:
        value = float(perplexity)
    except (TypeError, ValueError):
        value = float("nan")
    if not np.isfinite(value) or value <= 0:
        raise ParameterError.out_of_range("perplexity", perplexity, "a positive number")
    return value


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2 ** 32:
        raise ParameterError.out_of_range("seed", seed, "an integer from 0 to 4294967295")
    return int(seed)


def check_map_parameters(top, perplexity, seed, vectors=None) -> None:
    """Raise a one-line :class:`ParameterError` unless ``top``, ``perplexity`` and ``seed`` can make a map
    (of ``vectors``, when given: at least two of their words can be placed).

    Called before any work (loading the vectors, starting a progress bar).

    >>> check_map_parameters(1, 30.0, 1)
    Traceback (most recent call last):
    ...
    wordvec.errors.ParameterError: invalid top=1: must be an integer of at least 2 (a map needs at least 2 words)
    """
    _check_top(top)
    _check_perplexity(perplexity)
    _check_seed(seed)
    if vectors is not None:
        _map_rows(vectors, top)


def _usable_perplexity(perplexity: float, n_points: int) -> float:
    """``perplexity`` lowered to at most ``(n_points - 1) / 3`` (but not below 1).

    scikit-learn only requires ``perplexity < n_points``, but near that limit
    every point is every other's neighbour, the affinities are uniform and
    t-SNE collapses all words onto one spot. ``3 * perplexity <= n_points - 1``
    is the bound of van der Maaten's reference implementation.
    """
    return min(perplexity, max((n_points - 1) / 3.0, 1.0))


#: Up to this many words, t-SNE runs on one OpenMP thread.
SINGLE_THREAD_MAX_WORDS = 1000


def _single_thread_for_small(n_points: int):
    """Limit OpenMP to one thread for small maps.

    A few hundred points take a second or two on one core, while
    scikit-learn's threaded Barnes-Hut gradient can slow down tenfold or more
    when the cores are busy (spinning OpenMP barriers), as on a shared machine.
    """
    import contextlib

    if n_points > SINGLE_THREAD_MAX_WORDS:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits  # a scikit-learn dependency
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="openmp")


def tsne_coordinates(vectors, top: int = 500, perplexity: float = 30.0, seed: int = 1):
    """t-SNE positions of the ``top`` most frequent words.

    Parameters
    ----------
    vectors : Vectors
        Word vectors whose rows are in frequency order (as wordvec saves them).
    top : int, default=500
        How many words: the first ``top`` rows, skipping ``vectors.unknown``.
    perplexity : float, default=30.0
        t-SNE perplexity; lowered to ``(n_words - 1) / 3`` for small maps, where
        a larger one would collapse the map onto one spot.
    seed : int, default=1
        Random state of t-SNE; the same seed gives the same coordinates.
        With the PCA initialisation used here, other seeds usually give the
        same map too.

    Returns
    -------
    words : list of str
        The words, most frequent first.
    coords : ndarray of shape (len(words), 2)
        Their positions.

    Raises
    ------
    ParameterError
        Fewer than two words to place, or ``top``/``perplexity`` out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from wordvec.vectors import Vectors
    >>> vecs = Vectors(list("abcdef"), np.random.default_rng(1).normal(size=(6, 4)))
    >>> words, coords = tsne_coordinates(vecs, top=4, seed=7)
    >>> words, coords.shape
    (['a', 'b', 'c', 'd'], (4, 2))
    """
    check_map_parameters(top, perplexity, seed)
    rows, perplexity = _map_rows(vectors, top), float(perplexity)

    # Normalise only the selected rows (the matrix may be a large memory map).
    # On unit vectors, squared Euclidean distance is 2 - 2·cos, so t-SNE
    # follows cosine similarity and PCA initialisation sees the same geometry.
    selected = np.asarray(vectors.matrix[rows], dtype=np.float64)
    norms = np.linalg.norm(selected, axis=1, keepdims=True)
    unit = np.divide(selected, norms, out=np.zeros_like(selected), where=norms > 0)

    from sklearn.manifold import TSNE

    tsne = TSNE(
        n_components=2,
        perplexity=_usable_perplexity(perplexity, len(rows)),
        metric="euclidean",
        init="pca" if unit.shape[1] >= 2 else "random",
        random_state=seed,
    )
    with _single_thread_for_small(len(rows)):
        coords = np.asarray(tsne.fit_transform(unit), dtype=np.float64)
    return [vectors.words[row] for row in rows], coords


def image_format(out: Path) -> str:
    """The image format of a file name (``png`` or ``svg``), or a one-line ParameterError."""
    extension = out.suffix.lower()
    try:
        return IMAGE_FORMATS[extension]
    except KeyError:
        supported = ", ".join(IMAGE_FORMATS)
        shown = extension or "no extension"
        raise ParameterError(f"cannot write a map as {shown} ({out}): use one of {supported}") from None


def plot_map(vectors, out, *, top: int = 500, perplexity: float = 30.0, seed: int = 1,
             title: str | None = None, figsize=(20, 20), progress: bool = True) -> Path:
    """Draw a t-SNE map of the ``top`` most frequent words and save it as PNG or SVG.

    Parameters
    ----------
    vectors : Vectors
        Word vectors whose rows are in frequency order.
    out : path
        Image to write; its extension picks the format (``.png`` or ``.svg``).
        It is written atomically: a failure leaves no half-written image.
    top : int, default=500
        How many words to place (the unknown word is never shown).
    perplexity : float, default=30.0
        t-SNE perplexity (lowered when there are few words).
    seed : int, default=1
        Random state of t-SNE.
    title : str, optional
        Title above the map.
    figsize : (float, float), default=(20, 20)
        Size in inches (at 100 dpi for PNG).
    progress : bool, default=True
        Show a short status bar on standard error.

    Returns
    -------
    pathlib.Path
        ``out``.

    Raises
    ------
    ParameterError
        Unsupported extension, fewer than two words, or a parameter out of range.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from wordvec.vectors import Vectors
    >>> vecs = Vectors([f"w{i}" for i in range(12)], np.random.default_rng(2).normal(size=(12, 5)))
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "words.png"
    >>> plot_map(vecs, out, figsize=(4, 4), progress=False).read_bytes()[:4]
    b'\\x89PNG'
    """
    out = Path(out)
    kind = image_format(out)  # fail before the slow part
    check_map_parameters(top, perplexity, seed, vectors)

    from tqdm.auto import tqdm

    with tqdm(total=2, desc="map", unit="step", disable=not progress, leave=False, file=sys.stderr) as bar:
        bar.set_postfix_str("t-SNE")
        words, coords = tsne_coordinates(vectors, top=top, perplexity=perplexity, seed=seed)
        bar.update()
        bar.set_postfix_str("drawing")
        _draw(words, coords, out, kind, title=title, figsize=figsize)
        bar.update()
    return out


def _draw(words, coords, out: Path, image_format: str, *, title, figsize) -> None:
    import matplotlib
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize)
    axes = figure.add_subplot()
    axes.scatter(coords[:, 0], coords[:, 1], s=6, color="tab:blue", alpha=0.6)
    for word, (x, y) in zip(words, coords):
        axes.annotate(word, xy=(x, y), xytext=(4, 2), textcoords="offset points",
                      ha="left", va="bottom", fontsize=10, parse_math=False)
    axes.margins(0.05)
    axes.set_xticks([])
    axes.set_yticks([])
    if title:
        axes.set_title(title, fontsize=16)

    # svg.fonttype "none" keeps the labels as searchable, selectable text.
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        with atomic_path(out, suffix=out.suffix, what="image") as tmp:
            figure.savefig(tmp, format=image_format, dpi=100, bbox_inches="tight",
                           metadata={"Date": None} if image_format == "svg" else None)
