"""TSV: ``word<TAB>x1<TAB>x2...`` per line, no header.

Written here; read by the text parser of :mod:`wordvec.formats.word2vec`,
which reads GloVe's ``word x1 x2 ...`` lines too (GloVe has no writer: word2vec
text is the same plus a header).
"""

from __future__ import annotations

import numpy as np

from ..outputs import atomic_open
from ..vectors import Vectors
from .rows import exported_rows


def save_tsv(vectors: Vectors, path, *, include_unknown: bool = False) -> None:
    """Write ``word<TAB>x1<TAB>x2...`` per line, no header (:func:`~wordvec.formats.load_vectors` reads it back).

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> path = tempfile.mkdtemp() + "/v.tsv"
    >>> save_tsv(Vectors(["tea"], np.array([[0.5, 2]], dtype=np.float32)), path)
    >>> open(path).read()
    'tea\\t0.5\\t2\\n'
    """
    matrix = np.asarray(vectors.matrix, dtype=np.float32)
    line = "\t".join(["%.6g"] * vectors.dim) + "\n"
    with atomic_open(path, "w", encoding="utf-8", newline="\n") as handle:
        for i in exported_rows(vectors, include_unknown):
            handle.write(vectors.words[i] + "\t" + line % tuple(matrix[i].tolist()))

