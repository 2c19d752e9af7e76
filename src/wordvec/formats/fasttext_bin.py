"""fastText's ``.bin`` model (format version 12, unsupervised): the writer and the reader.

Written from subword vectors (:func:`save_fasttext`), so that fastText's
``load_model`` and gensim's ``load_facebook_model`` give the vectors wordvec
gives; read (:func:`read_fasttext_bin`, through
:func:`wordvec.formats.load_vectors`) as subword vectors whose matrix stays
where it lies in the file.

The header stores training settings; those a model's parameters leave out
come from :data:`HEADER_DEFAULTS`, the training parameters' defaults
(:mod:`wordvec.params`, so that reading and writing files never imports the
trainer):

>>> HEADER_DEFAULTS["window"], HEADER_DEFAULTS["model"]
(5, 'skipgram')
"""

from __future__ import annotations

import struct

import numpy as np

from ..outputs import atomic_open
from ..errors import ModelFormatError, ParameterError
from ..params import defaults_of
from ..vectors import SubwordVectors, Vectors
from .rows import decode_words, exported_rows, first_non_finite_row
from .sources import Source

#: The first four bytes of a fastText model (little-endian).
FASTTEXT_MAGIC = 793712314
_FASTTEXT_VERSION = 12
_FASTTEXT_MODELS = {"cbow": 1, "skipgram": 2}
_FASTTEXT_NEGATIVE_SAMPLING = 2  # fastText's loss_name::ns
_FASTTEXT_LR_UPDATE_RATE = 100  # fastText's default; not a wordvec setting
_BIN_ROWS = 1 << 15  # rows written at a time
#: wordvec's defaults (:mod:`wordvec.params`) for the training settings a ``.bin`` header stores.
HEADER_DEFAULTS = defaults_of(("model", "window", "epochs", "min_count", "negative", "sample"))


# -- writing ---------------------------------------------------------------------------

def save_fasttext(vectors: Vectors, path, *, params: dict | None = None,
                  output_weights: np.ndarray | None = None) -> None:
    """Write subword vectors as a fastText ``.bin`` model (format version 12, unsupervised).

    fastText's ``load_model`` and gensim's ``load_facebook_model`` and
    ``load_facebook_vectors`` read it and give the same vectors as wordvec, for
    vocabulary words and for any other word. Its header takes the training
    settings from ``params`` (a model's parameters; wordvec's defaults for
    those missing): ``model``, ``dim``, ``window``, ``epochs``,
    ``min_count``, ``negative``, ``buckets``, ``min_n``, ``max_n`` and
    ``sample`` (0, no subsampling, is written as fastText's ``t=1``, which
    discards nothing). The format has no place for the learning rate.

    The dictionary leaves out the ``UNK`` row (counts below 1 are written as
    1, which fastText and gensim need); the input matrix holds the words' own
    rows then every bucket, buckets no vocabulary n-gram uses written as zeros;
    the output matrix is ``output_weights`` without ``UNK``, or zeros. The
    file is written a block of rows at a time, and replaces ``path`` only
    once complete.

    Raises
    ------
    ParameterError
        For vectors without subwords (write ``fasttext-vec`` for them).

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> v = SubwordVectors(["UNK", "tea"], np.ones((2, 2), np.float32), np.ones((1, 2), np.float32),
    ...                    np.array([0, -1, 0], np.int32), min_n=3, max_n=4, unknown="UNK")
    >>> path = tempfile.mkdtemp() + "/v.bin"
    >>> save_fasttext(v, path)
    >>> from wordvec.formats import load_vectors
    >>> back = load_vectors(path)
    >>> back.words, np.allclose(back["tae"], v["tae"]), np.allclose(back["tea"], v["tea"])
    (['tea'], True, True)
    """
    rows, words, counts = _dictionary(vectors, output_weights)
    with atomic_open(path, "wb") as handle:
        handle.write(struct.pack("<ii", FASTTEXT_MAGIC, _FASTTEXT_VERSION))
        handle.write(struct.pack("<12id", *_fasttext_header(vectors, params or {})))
        _write_fasttext_dictionary(handle, words, counts)
        handle.write(struct.pack("<?qq", False, len(rows) + vectors.buckets, vectors.dim))
        _write_blocks(handle, len(rows), lambda a, b: vectors.word_rows[rows[a:b]])
        _write_blocks(handle, vectors.buckets, lambda a, b: _bucket_block(vectors, a, b))
        handle.write(struct.pack("<?qq", False, len(rows), vectors.dim))
        zeros = lambda a, b: np.zeros((b - a, vectors.dim), np.float32)  # noqa: E731
        _write_blocks(handle, len(rows), zeros if output_weights is None
                      else lambda a, b: output_weights[rows[a:b]])


def _dictionary(vectors: Vectors, output_weights) -> tuple:
    """The rows a ``.bin`` holds (``UNK`` left out), their words as UTF-8 and their counts (at least 1),
    once the vectors and output weights are known to fit the format."""
    if not isinstance(vectors, SubwordVectors):
        raise ParameterError("only vectors with subwords (wordvec train --subwords, or a fastText .bin) can be "
                             "written as a fastText .bin; write these as fasttext-vec")
    rows = np.asarray(exported_rows(vectors, include_unknown=False), dtype=np.int64)
    words = [vectors.words[i].encode("utf-8") for i in rows.tolist()]
    if any(not w or b"\0" in w for w in words):
        raise ParameterError("a word that is empty or holds a NUL character cannot be written to a fastText .bin")
    counts = (np.ones(len(rows), np.int64) if vectors.counts is None
              else np.maximum(np.asarray(vectors.counts)[rows], 1))
    if output_weights is not None and np.shape(output_weights) != (len(vectors), vectors.dim):
        raise ParameterError(f"output weights of shape {np.shape(output_weights)} do not match "
                             f"{len(vectors)} words x {vectors.dim}")
    return rows, words, counts


def _fasttext_header(vectors: SubwordVectors, params: dict) -> tuple:
    """fastText's ``Args`` as its ``.bin`` stores them, from a model's parameters (:data:`HEADER_DEFAULTS`
    for those missing)."""
    p = {**HEADER_DEFAULTS, **{k: v for k, v in params.items() if v is not None}}
    model = _FASTTEXT_MODELS.get(p["model"])
    if model is None:
        raise ParameterError(f"a fastText .bin holds skipgram or cbow models, not {p['model']!r}")
    sample = float(p["sample"]) if p["sample"] else 1.0
    return (vectors.dim, int(p["window"]), int(p["epochs"]), int(p["min_count"]), int(p["negative"]), 1,
            _FASTTEXT_NEGATIVE_SAMPLING, model, vectors.buckets, vectors.min_n, vectors.max_n,
            _FASTTEXT_LR_UPDATE_RATE, sample)


def _write_fasttext_dictionary(handle, words: list[bytes], counts: np.ndarray) -> None:
    """Sizes, token count, no pruning (-1), then ``word\\0``, int64 count, int8 type 0 (a word) per entry."""
    handle.write(struct.pack("<iiiqq", len(words), len(words), 0, int(counts.sum()), -1))
    tails = np.zeros(len(words), dtype=np.dtype([("count", "<i8"), ("type", "i1")]))
    tails["count"] = counts
    tail_bytes = tails.tobytes()
    for start in range(0, len(words), _BIN_ROWS):
        stop = min(start + _BIN_ROWS, len(words))
        handle.write(b"".join(word + b"\0" + tail_bytes[9 * i:9 * i + 9]
                              for i, word in enumerate(words[start:stop], start)))


def _bucket_block(vectors: SubwordVectors, start: int, stop: int) -> np.ndarray:
    """Rows ``start:stop`` of fastText's bucket matrix: trained rows, zeros for the buckets never used."""
    block = np.zeros((stop - start, vectors.dim), dtype=np.float32)
    rows = np.asarray(vectors.bucket_rows[start:stop])
    used = rows >= 0
    block[used] = vectors.ngram_rows[rows[used]]
    return block


def _write_blocks(handle, n_rows: int, rows_of) -> None:
    """Write ``n_rows`` float32 rows, ``rows_of(start, stop)`` giving each block."""
    for start in range(0, n_rows, _BIN_ROWS):
        block = np.asarray(rows_of(start, min(start + _BIN_ROWS, n_rows)), dtype="<f4")
        handle.write(np.ascontiguousarray(block).data)



# -- reading ---------------------------------------------------------------------------

_FASTTEXT_ARGS = ("dim", "ws", "epoch", "min_count", "neg", "word_ngrams", "loss", "model", "bucket",
                  "minn", "maxn", "lr_update_rate", "t")
_FASTTEXT_SUPERVISED = 3


class _Cursor:
    """Reads little-endian fields from a buffer, naming the byte where the file ends too early."""

    def __init__(self, src: Source, pos: int = 0):
        self.src, self.pos = src, pos

    def take(self, layout: str):
        size = struct.calcsize(layout)
        if self.pos + size > len(self.src.data):
            self.truncated()
        values = struct.unpack_from(layout, self.src.data, self.pos)
        self.pos += size
        return values

    def truncated(self):
        raise ModelFormatError(f"{self.src.at(len(self.src.data))}: the fastText model ends early (truncated file)")

    def refuse(self, message: str):
        raise ModelFormatError(f"{self.src.path}: {message}")


def _fasttext_dictionary(cursor: _Cursor, args: dict):
    size, nwords, nlabels, _, prune = cursor.take("<iiiqq")
    if nlabels > 0 or args["model"] == _FASTTEXT_SUPERVISED:
        cursor.refuse("a supervised fastText model (a text classifier): it holds no word vectors to load; "
                      "use an unsupervised (skipgram or cbow) model")
    if not 0 <= nwords <= size:
        cursor.refuse(f"corrupted fastText dictionary ({nwords} words of {size} entries)")
    data, find = cursor.src.data, cursor.src.data.find
    raw, counts, pos = [], [], cursor.pos
    for entry in range(size):
        end = find(b"\0", pos)
        if end < 0 or end + 10 > len(data):
            cursor.pos = len(data)
            cursor.truncated()
        raw.append(data[pos:end])
        counts.append(data[end + 1:end + 10])
        pos = end + 10
    cursor.pos = pos + max(prune, 0) * 8
    entries = np.frombuffer(b"".join(counts), dtype=np.dtype([("count", "<i8"), ("type", "i1")]))
    if entries["type"][:nwords].any():
        cursor.refuse("corrupted fastText dictionary (labels among the words)")
    return raw[:nwords], entries["count"][:nwords].astype(np.int64), prune


def read_fasttext_bin(src: Source, info: dict, limit: int | None):
    """Words, own rows, counts and n-gram rows of a fastText ``.bin`` model.

    The input matrix is not copied: its rows are read where they lie (in the
    memory-mapped file, or in the decompressed bytes of a compressed one).
    A model without subwords (``maxn`` 0) gives plain vectors.
    """
    cursor = _Cursor(src)
    _, version = cursor.take("<ii")
    if version > 12:
        cursor.refuse(f"fastText model format version {version} is newer than wordvec reads (12)")
    args = dict(zip(_FASTTEXT_ARGS, cursor.take("<12id")))
    raw, counts, prune = _fasttext_dictionary(cursor, args)
    (quantized,) = cursor.take("<?")
    if quantized:
        cursor.refuse("a quantized fastText model (.ftz); wordvec reads full .bin models only")
    if prune > 0:
        cursor.refuse("a pruned fastText dictionary (made by quantize); wordvec reads full .bin models only")
    rows, dim = cursor.take("<qq")
    if dim != args["dim"] or (prune < 0 and rows != len(raw) + args["bucket"]):
        cursor.refuse(f"the input matrix is {rows} x {dim}, where the header gives dimension {args['dim']} "
                      f"and {len(raw)} words + {args['bucket']} buckets (corrupted file)")
    if cursor.pos + 4 * rows * dim > len(src.data):
        cursor.truncated()
    matrix = np.frombuffer(src.data, dtype="<f4", count=rows * dim, offset=cursor.pos).reshape(rows, dim)
    cursor.pos += 4 * rows * dim
    cursor.take("<?")
    out_rows, out_dim = cursor.take("<qq")
    if cursor.pos + 4 * out_rows * out_dim > len(src.data):
        cursor.truncated()
    keep = len(raw) if limit is None else min(limit, len(raw))
    words, nwords = decode_words(raw[:keep]), len(raw)
    with_ngrams = not (prune == 0 or args["maxn"] < 1 or args["bucket"] < 1)
    _check_fasttext_finite(src, matrix, keep, nwords if with_ngrams else rows)
    if not with_ngrams:  # each word is its own row
        return words, np.array(matrix[:keep], dtype=np.float32), counts[:keep]
    subwords = {"ngram_rows": matrix[nwords:], "bucket_rows": np.arange(args["bucket"], dtype=np.int32),
                "min_n": args["minn"], "max_n": args["maxn"]}
    return words, matrix[:keep], counts[:keep], subwords


def _check_fasttext_finite(src: Source, matrix: np.ndarray, words: int, ngrams_from: int) -> None:
    """Refuse NaN or infinity in the rows read: the first ``words`` rows, the n-gram rows from ``ngrams_from``."""
    row = first_non_finite_row(matrix, 0, words)
    if row is None:
        row = first_non_finite_row(matrix, ngrams_from)
    if row is not None:
        what = f"the vector of word {row + 1}" if row < words else f"n-gram row {row - ngrams_from}"
        raise ModelFormatError(f"{src.path}: holds NaN or infinite values ({what})")

