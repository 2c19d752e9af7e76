"""Pictures of a classifier's test: the confusion matrix (``wordvec classify test --confusion m.png``).

>>> import tempfile, numpy as np
>>> path = plot_confusion(np.array([[0, 0], [1, 0], [1, 1]]), ["__label__a", "__label__b"],
...                       tempfile.mkdtemp() + "/m.png")
>>> path.stat().st_size > 0
True
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .outputs import atomic_path

#: At most this many labels are drawn (the most frequent true labels); the rest are summed as "other".
MAX_LABELS = 40


def confusion_counts(pairs: np.ndarray, n_labels: int) -> np.ndarray:
    """Counts of (true label, predicted label); index ``n_labels`` holds unknown or missing ones.

    >>> confusion_counts(np.array([[0, 0], [1, 0], [1, -1]]), 2).tolist()
    [[1, 0, 0], [1, 0, 1], [0, 0, 0]]
    """
    pairs = np.where(np.asarray(pairs) < 0, n_labels, pairs).reshape(-1, 2)
    counts = np.zeros((n_labels + 1, n_labels + 1), np.int64)
    np.add.at(counts, (pairs[:, 0], pairs[:, 1]), 1)
    return counts


def plot_confusion(pairs: np.ndarray, labels: list, path) -> Path:
    """Draw the confusion matrix of (true, predicted) label indices, rows normalised, to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = confusion_counts(pairs, len(labels))
    names = [name.removeprefix("__label__") for name in labels] + ["(none)"]
    keep = np.argsort(-counts.sum(axis=1), kind="stable")[:MAX_LABELS]
    keep = np.sort(keep[counts.sum(axis=1)[keep] + counts.sum(axis=0)[keep] > 0])
    shown = counts[np.ix_(keep, keep)]
    rates = shown / np.maximum(shown.sum(axis=1, keepdims=True), 1)
    size = 2.5 + 0.35 * len(keep)
    figure, axes = plt.subplots(figsize=(size, size))
    image = axes.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    ticks = np.arange(len(keep))
    axes.set_xticks(ticks, [names[i] for i in keep], rotation=90)
    axes.set_yticks(ticks, [names[i] for i in keep])
    axes.set_xlabel("predicted label")
    axes.set_ylabel("true label")
    if len(keep) <= 12:
        for (row, col), value in np.ndenumerate(shown):
            axes.text(col, row, str(value), ha="center", va="center",
                      color="white" if rates[row, col] > 0.5 else "black", fontsize=8)
    figure.colorbar(image, ax=axes, fraction=0.046, label="share of the true label")
    figure.tight_layout()
    target = Path(path)
    with atomic_path(target, suffix=target.suffix, what="confusion matrix picture") as staging:
        figure.savefig(staging)
    plt.close(figure)
    return target
