"""The TensorBoard Projector export: a directory of two TSV files and a config naming them."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..outputs import atomic_directory
from ..errors import ParameterError
from ..vectors import Vectors
from .rows import exported_rows

#: The files of a TensorBoard Projector export.
PROJECTOR_FILES = ("vectors.tsv", "metadata.tsv", "projector_config.pbtxt")

_PROJECTOR_CONFIG = """embeddings {
  tensor_name: "wordvec"
  tensor_path: "vectors.tsv"
  metadata_path: "metadata.tsv"
}
"""


def save_projector(vectors: Vectors, directory, *, include_unknown: bool = False) -> Path:
    """Write a TensorBoard Projector directory, atomically.

    ``vectors.tsv`` holds the numbers only (tab-separated, one row per word),
    ``metadata.tsv`` a header ``word<TAB>count`` and one row per word (the count
    empty when unknown), and ``projector_config.pbtxt`` names the two. Load
    the two TSV files in https://projector.tensorflow.org ("Load"), or point
    TensorBoard at the directory.

    An existing directory is replaced only when it holds nothing but a
    previous export; the new one appears whole or not at all.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> out = save_projector(Vectors(["tea", "cup"], np.eye(2, dtype=np.float32)), tempfile.mkdtemp() + "/p")
    >>> sorted(p.name for p in out.iterdir())
    ['metadata.tsv', 'projector_config.pbtxt', 'vectors.tsv']
    >>> (out / "metadata.tsv").read_text().splitlines()
    ['word\\tcount', 'tea\\t', 'cup\\t']
    """
    directory = Path(directory)
    rows = exported_rows(vectors, include_unknown)
    for i in rows:
        if any(c in vectors.words[i] for c in "\t\n\r"):
            raise ParameterError(f"word {vectors.words[i]!r} cannot be written to metadata.tsv (tab or line break)")
    counts = [""] * len(vectors) if vectors.counts is None else [str(c) for c in vectors.counts.tolist()]
    matrix = np.asarray(vectors.matrix, dtype=np.float32)
    with atomic_directory(directory, "projector directory", foreign=foreign_to_projector) as staging:
        line = "\t".join(["%.6g"] * vectors.dim) + "\n"
        with open(staging / "vectors.tsv", "w", encoding="utf-8", newline="\n") as handle:
            handle.writelines(line % tuple(matrix[i].tolist()) for i in rows)
        with open(staging / "metadata.tsv", "w", encoding="utf-8", newline="\n") as handle:
            handle.write("word\tcount\n")
            handle.writelines(f"{vectors.words[i]}\t{counts[i]}\n" for i in rows)
        (staging / "projector_config.pbtxt").write_text(_PROJECTOR_CONFIG, encoding="utf-8")
        for name in PROJECTOR_FILES:
            with open(staging / name, "rb+") as handle:
                os.fsync(handle.fileno())
    return directory


def foreign_to_projector(directory) -> list[str]:
    """The entries of ``directory`` that a projector export does not hold (none: it may be replaced)."""
    return sorted(name for name in os.listdir(directory) if name not in PROJECTOR_FILES)

