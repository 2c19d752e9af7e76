"""Saving and loading models and vectors, in open formats only (no pickle anywhere): one module per format.

- :mod:`~wordvec.formats.model_dir`: wordvec's model directories (:func:`save_model`,
  :func:`load_model`), their ``model.json`` checked by :mod:`~wordvec.formats.model_schema`;
- :mod:`~wordvec.formats.word2vec`: word2vec text (also fastText's ``.vec``) and binary,
  and the text parser that also reads GloVe and TSV;
- :mod:`~wordvec.formats.fasttext_bin`: fastText's ``.bin`` model, written and read;
- :mod:`~wordvec.formats.fasttext_supervised`: fastText's classifiers (supervised ``.bin`` and
  quantized ``.ftz``), read and written;
- :mod:`~wordvec.formats.tsv` and :mod:`~wordvec.formats.projector`: TSV and the
  TensorBoard Projector directory;
- :mod:`~wordvec.formats.sources` (the bytes of a file, decompressed by its magic bytes) and
  :mod:`~wordvec.formats.sniff` (what a file is, from its content, never its name);
- :mod:`~wordvec.formats.load` and :mod:`~wordvec.formats.export` on top: :func:`load_vectors`
  reads a model directory or any vectors file in :data:`READ_FORMATS`, each also gzip-, bzip2-
  or xz-compressed; :func:`export_vectors` writes any of :data:`EXPORT_FORMATS`.

Nothing here imports the estimator or the engines: training reads and writes
through this package, never the other way round.

>>> import tempfile, numpy as np
>>> from wordvec.vectors import Vectors
>>> v = Vectors(["tea", "cup"], np.ones((2, 3), dtype=np.float32))
>>> path = tempfile.mkdtemp() + "/v.txt"
>>> save_word2vec(v, path)
>>> detect_format(path), load_vectors(path).words
('word2vec', ['tea', 'cup'])
"""

from __future__ import annotations

from .export import DIRECTORY_EXPORTS, EXPORT_FORMATS, export_vectors
from .fasttext_bin import save_fasttext
from .fasttext_supervised import FastTextSupervised, read_fasttext_supervised, save_fasttext_supervised
from .load import check_limit, first_rows, load_vectors, load_word2vec
from .model_dir import (FORMAT_VERSION, MODEL_FILES, PLAIN_FORMAT_VERSION, SavedModel, foreign_to_model, load_model,
                        save_model)
from .model_schema import FORMAT_NAME, MAX_META_BYTES, MAX_META_DEPTH
from .projector import PROJECTOR_FILES, foreign_to_projector, save_projector
from .sniff import READ_FORMATS, detect_format, is_classifier
from .tsv import save_tsv
from .word2vec import save_word2vec

__all__ = ["DIRECTORY_EXPORTS", "EXPORT_FORMATS", "FORMAT_NAME", "FORMAT_VERSION", "FastTextSupervised",
           "MAX_META_BYTES", "MAX_META_DEPTH", "MODEL_FILES", "PLAIN_FORMAT_VERSION", "PROJECTOR_FILES",
           "READ_FORMATS", "SavedModel", "check_limit", "detect_format", "export_vectors", "first_rows",
           "foreign_to_model", "foreign_to_projector", "is_classifier", "load_model", "load_vectors", "load_word2vec",
           "read_fasttext_supervised", "save_fasttext", "save_fasttext_supervised", "save_model",
           "save_projector", "save_tsv", "save_word2vec"]
