"""Reading vectors: :func:`load_vectors` for a model directory or any vectors file, :func:`load_word2vec`.

A file's format is found from its content (:mod:`wordvec.formats.sniff`),
then its reader parses the bytes of its :class:`~wordvec.formats.sources.Source`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ModelFormatError, ParameterError
from ..vectors import SubwordVectors, Vectors
from .fasttext_bin import read_fasttext_bin
from .model_dir import load_model
from .rows import as_vectors
from .sniff import sniff
from .sources import NeedMore, open_source
from .word2vec import read_text, read_word2vec_binary

_READERS = {
    "word2vec": read_text,
    "glove": read_text,
    "tsv": read_text,
    "word2vec-binary": read_word2vec_binary,
    "fasttext-bin": read_fasttext_bin,
}


def check_limit(limit) -> None:
    """Refuse a ``limit`` (rows to read) that is not None nor a whole number of at least 1.

    >>> check_limit(True)
    Traceback (most recent call last):
    ...
    wordvec.errors.ParameterError: invalid limit=True: must be a whole number of at least 1, or None
    """
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1):
        raise ParameterError.out_of_range("limit", limit, "a whole number of at least 1, or None")


def _read_file(path: Path, limit: int | None, expect=None, binary: bool | None = None) -> Vectors:
    """The vectors of a file (its first ``limit`` rows); ``expect``: the formats accepted (None: any),
    ``binary``: read as word2vec binary or text whatever the content says (None: as it says)."""
    if not path.is_file():
        raise ModelFormatError(f"no such file or directory: {path}")
    src = open_source(path, whole=limit is None)
    try:
        info = sniff(src)
        if expect is not None and info["format"] not in expect:
            raise ModelFormatError(f"{path}, line 1: expected a word2vec header '<number of words> <dimension>' "
                                   f"(the file looks like {info['format']} vectors, which load_vectors reads)")
        if binary is not None:
            info["format"] = "word2vec-binary" if binary else "word2vec"
        if info["format"] == "fasttext-bin":
            src.read_all()  # the vectors of any word need the whole matrix
        while True:
            try:
                result = _READERS[info["format"]](src, info, limit)
                break
            except NeedMore:  # a decompressed prefix was too short for ``limit`` rows
                src.grow()
    finally:
        src.close()
    return as_vectors(path, *result)


def first_rows(vectors: Vectors, limit: int | None) -> Vectors:
    """The first ``limit`` words; subword vectors keep every n-gram row (any word still gets a vector)."""
    if limit is None or limit >= len(vectors):
        return vectors
    counts = None if vectors.counts is None else vectors.counts[:limit]
    if isinstance(vectors, SubwordVectors):
        return SubwordVectors(vectors.words[:limit], vectors.word_rows[:limit], vectors.ngram_rows,
                              vectors.bucket_rows, min_n=vectors.min_n, max_n=vectors.max_n, counts=counts,
                              unknown=vectors.unknown)
    return Vectors(vectors.words[:limit], vectors.matrix[:limit], counts=counts, unknown=vectors.unknown)


def load_vectors(path, *, mmap: bool = False, limit: int | None = None) -> Vectors:
    """Word vectors from a model directory or a vectors file, whose format is found from its content.

    Files may be word2vec text or fastText ``.vec`` (a ``<words> <dimension>``
    header line, then ``word x1 ... xd``), word2vec binary (the GoogleNews
    layout), GloVe text (no header; tokens that contain spaces, as in GloVe's
    840B file, are read from the right: the last ``d`` fields are the numbers,
    ``d`` fixed by the first line), word-and-numbers TSV, or a fastText ``.bin``
    model — each also gzip-, bzip2- or xz-compressed. Rows keep the file's
    order (usually most frequent first). A word listed twice keeps its first
    vector (with a warning).

    A fastText ``.bin`` model (unsupervised, not quantized) and a model
    directory trained with subwords give
    :class:`~wordvec.vectors.SubwordVectors`: each vocabulary word's vector is
    composed from its own row and its character n-grams, as fastText does,
    and any other word gets one from its n-grams. The ``.bin``'s matrix is not
    copied: its rows are read from the file where they lie (memory-mapped),
    whatever ``mmap`` says, as fastText's models run to gigabytes.

    Parameters
    ----------
    path : path
        A model directory written by wordvec, or a vectors file.
    mmap : bool, default=False
        Memory-map a model directory's matrix (files are parsed into memory;
        save them with :func:`save_model` once to memory-map them later).
    limit : int, optional
        Read the first ``limit`` rows only (a compressed file is decompressed
        only as far as needed).

    Raises
    ------
    ModelFormatError
        One line naming the file and the line or byte where it goes wrong.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "glove.txt"
    >>> _ = path.write_text("the 0.1 0.2\\nof 0.3 0.4\\nNew York 0.5 0.6\\n")
    >>> v = load_vectors(path)
    >>> v.words, v.dim
    (['the', 'of', 'New York'], 2)
    >>> load_vectors(path, limit=1).words
    ['the']
    """
    check_limit(limit)
    path = Path(path)
    if path.is_dir():
        vectors = first_rows(load_model(path, mmap=mmap).vectors, limit)
    else:
        vectors = _read_file(path, limit)
    return vectors.loaded_from(load_vectors, path.resolve(), mmap=True, limit=limit)  # pickled as this call


def load_word2vec(path, *, binary: bool | None = None, limit: int | None = None) -> Vectors:
    """Read the word2vec text or binary format (``binary=None``: found from the content).

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from wordvec.formats import save_word2vec
    >>> path = tempfile.mkdtemp() + "/v.bin"
    >>> save_word2vec(Vectors(["tea"], np.ones((1, 3), dtype=np.float32)), path, binary=True)
    >>> load_word2vec(path).matrix.tolist()
    [[1.0, 1.0, 1.0]]
    """
    check_limit(limit)
    return _read_file(Path(path), limit, ("word2vec", "word2vec-binary"), binary)
