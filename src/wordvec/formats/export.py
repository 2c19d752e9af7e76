"""Writing vectors for other tools: :func:`export_vectors` in any of :data:`EXPORT_FORMATS`."""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError
from ..vectors import Vectors
from .fasttext_bin import save_fasttext
from .projector import save_projector
from .tsv import save_tsv
from .word2vec import save_word2vec

#: Formats :func:`export_vectors` writes (the choices of ``wordvec export --format``).
EXPORT_FORMATS = ("word2vec", "word2vec-binary", "fasttext-vec", "fasttext", "tsv", "projector")
#: Export formats whose output is a directory rather than a file.
DIRECTORY_EXPORTS = frozenset({"projector"})


def export_vectors(vectors: Vectors, path, format: str, *, params: dict | None = None,
                   output_weights: np.ndarray | None = None) -> None:
    """Export in one of :data:`EXPORT_FORMATS` (``path`` is a directory for :data:`DIRECTORY_EXPORTS`).

    - ``word2vec``: word2vec text, which gensim and spaCy's ``spacy init vectors`` read;
    - ``word2vec-binary``: the binary layout of the GoogleNews vectors;
    - ``fasttext-vec``: fastText's ``.vec`` text (the same layout as ``word2vec``);
    - ``fasttext``: fastText's ``.bin`` model, subword vectors only (:func:`save_fasttext`;
      ``params`` and ``output_weights`` are the model's);
    - ``tsv``: ``word<TAB>numbers`` without a header;
    - ``projector``: a TensorBoard Projector directory (:func:`save_projector`).

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> path = tempfile.mkdtemp() + "/v.vec"
    >>> export_vectors(Vectors(["tea"], np.ones((1, 2), dtype=np.float32)), path, "fasttext-vec")
    >>> open(path).read().splitlines()
    ['1 2', 'tea 1 1']
    """
    if format in ("word2vec", "fasttext-vec"):
        save_word2vec(vectors, path)
    elif format == "word2vec-binary":
        save_word2vec(vectors, path, binary=True)
    elif format == "fasttext":
        save_fasttext(vectors, path, params=params, output_weights=output_weights)
    elif format == "tsv":
        save_tsv(vectors, path)
    elif format == "projector":
        save_projector(vectors, path)
    else:
        raise ParameterError(f"unknown export format {format!r}: choose one of {', '.join(EXPORT_FORMATS)}")

