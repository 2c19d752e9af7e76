"""Saving and loading models and vectors, in open formats only (no pickle anywhere).

A model directory holds:

- ``vectors.npy``: the word vectors, float32, row ``i`` for word ``i`` (loadable memory-mapped);
- ``output.npy``: the context weights, kept so training can continue (optional);
- ``vocab.tsv``: ``word<TAB>count`` per row, row 0 ``UNK``;
- ``model.json``: format version, engine, the parameters used, training figures,
  and the shape and SHA-256 of each array file.

A model with subwords (:class:`~wordvec.vectors.SubwordVectors`) keeps its raw
rows instead: ``vectors.npy`` holds each word's own row (not the composed
vector), ``ngrams.npy`` the rows of the n-gram buckets that were trained and
``buckets.npy`` (int32, one entry per bucket) each bucket's row in
``ngrams.npy`` or -1; ``model.json`` records ``"subwords": {"min_n", "max_n",
"buckets"}`` and format version 2 (plain directories keep version 1, which
older readers read).

:func:`load_vectors` also reads the vectors other tools publish, the format
found from the file's content (never its name): word2vec text and fastText
``.vec``, word2vec binary (the GoogleNews layout), GloVe text, TSV and fastText
``.bin`` models (as subword vectors: every word gets a vector), each also
gzip-, bzip2- or xz-compressed. :func:`export_vectors` writes word2vec text
and binary, fastText ``.vec`` and ``.bin``, TSV and a TensorBoard Projector
directory.

>>> import tempfile, numpy as np
>>> from wordvec.vectors import Vectors
>>> v = Vectors(["tea", "cup"], np.ones((2, 3), dtype=np.float32))
>>> path = tempfile.mkdtemp() + "/v.txt"
>>> save_word2vec(v, path)
>>> load_vectors(path).words
['tea', 'cup']
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import json
import lzma
import mmap
import os
import re
import shutil
import struct
import tempfile
import warnings
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._atomic import atomic_directory, atomic_open, recover_directory
from .errors import ModelFormatError, ParameterError
from .vectors import SubwordVectors, Vectors

FORMAT_NAME = "wordvec-model"
#: The newest model directory format this version reads: 2 for directories with subwords.
FORMAT_VERSION = 2
#: The version written for directories without subwords (which readers of version 1 read as well).
PLAIN_FORMAT_VERSION = 1
#: Export formats that write a directory rather than one file.
DIRECTORY_EXPORTS = frozenset()


@dataclass
class SavedModel:
    """What a model directory holds."""

    vectors: Vectors
    params: dict = field(default_factory=dict)
    engine: str = "native"
    output_weights: np.ndarray | None = None
    info: dict = field(default_factory=dict)


# -- model directories ------------------------------------------------------

def save_model(directory, vectors: Vectors, *, params: dict | None = None, engine: str = "native",
               output_weights: np.ndarray | None = None, info: dict | None = None) -> Path:
    """Write a model directory; an existing one is replaced only once the new one is complete.

    Vectors without counts (read from a file by :func:`load_vectors`) are saved
    too, and come back without counts; the directory then loads memory-mapped.
    Subword vectors are saved as their raw rows (see the module's description)
    and come back as :class:`~wordvec.vectors.SubwordVectors`.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> out = save_model(tempfile.mkdtemp() + "/m", Vectors(["tea"], np.ones((1, 2), dtype=np.float32)))
    >>> load_model(out, mmap=True).vectors.counts is None
    True
    """
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ParameterError(f"{directory} exists and is not a directory")
    with atomic_directory(directory, "model directory", foreign=foreign_to_model) as staging:
        arrays, subwords = _model_arrays(vectors, output_weights)
        files = {name: _save_array(staging / f"{name}.npy", array) for name, array in arrays.items()}
        counts = vectors.counts if vectors.counts is not None else np.zeros(len(vectors), dtype=np.int64)
        with open(staging / "vocab.tsv", "w", encoding="utf-8", newline="\n") as handle:
            for word, count in zip(vectors.words, counts.tolist()):
                handle.write(f"{word}\t{count}\n")
        meta = {
            "format": FORMAT_NAME,
            "format_version": PLAIN_FORMAT_VERSION if subwords is None else FORMAT_VERSION,
            "engine": engine,
            "unknown": vectors.unknown,
            "n_words": len(vectors),
            "dim": vectors.dim,
            "params": params or {},
            "info": info or {},
            "arrays": files,
            "vocab_sha256": _sha256(staging / "vocab.tsv"),
        }
        if vectors.counts is None:
            meta["counts"] = False  # vectors read from a file: the zeros in vocab.tsv are not counts
        if subwords is not None:
            meta["subwords"] = subwords
        with open(staging / "model.json", "w", encoding="utf-8") as handle:
            json.dump(meta, handle, indent=2, default=_json_default)
    return directory


#: The files :func:`save_model` writes in a model directory; ``checkpoint`` is the folder of
#: ``wordvec train --checkpoint-every`` (``api.CHECKPOINT``), itself a model directory.
MODEL_FILES = frozenset({"model.json", "vocab.tsv", "vectors.npy", "output.npy", "ngrams.npy", "buckets.npy"})
_CHECKPOINT_FOLDER = "checkpoint"
#: The explorer's cached maps (``explore.mapdata.cache_path``), and their temporary names while written.
_MAP_FILE = re.compile(r"map_tsne_\d+\.json|\.map_tsne_\d+\.json\.\w+\.json")


def foreign_to_model(directory) -> list[str]:
    """The entries of ``directory`` that a wordvec model does not hold (none: it may be replaced).

    A model's own files (and the explorer's cached maps) count only beside a
    ``model.json`` of the wordvec format; a ``checkpoint`` folder counts when it
    holds nothing foreign itself.

    >>> import tempfile, numpy as np
    >>> folder = tempfile.mkdtemp()
    >>> _ = open(folder + "/notes.txt", "w").write("mine")
    >>> foreign_to_model(folder)
    ['notes.txt']
    >>> foreign_to_model(save_model(folder + "/m", Vectors(["tea"], np.ones((1, 2), dtype=np.float32))))
    []
    """
    directory = Path(directory)
    ours = _is_wordvec_meta(directory / "model.json")
    foreign = []
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        if entry.name == _CHECKPOINT_FOLDER and entry.is_dir(follow_symlinks=False):
            if not foreign_to_model(entry.path):
                continue
        elif (ours and (entry.name in MODEL_FILES or _MAP_FILE.fullmatch(entry.name))
              and entry.is_file(follow_symlinks=False)):
            continue
        foreign.append(entry.name)
    return foreign


def _is_wordvec_meta(path: Path) -> bool:
    """Whether ``path`` is a ``model.json`` naming the wordvec format (read defensively: any file may be there)."""
    try:
        if not path.is_file() or path.stat().st_size > 16 << 20:
            return False
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(meta, dict) and meta.get("format") == FORMAT_NAME


def _model_arrays(vectors: Vectors, output_weights) -> tuple[dict, dict | None]:
    """The arrays a model directory holds, and what ``model.json`` records of the subwords (or None)."""
    if isinstance(vectors, SubwordVectors):
        arrays = {"vectors": np.asarray(vectors.word_rows, dtype=np.float32),
                  "ngrams": np.asarray(vectors.ngram_rows, dtype=np.float32),
                  "buckets": np.asarray(vectors.bucket_rows, dtype=np.int32)}
        subwords = {"min_n": vectors.min_n, "max_n": vectors.max_n, "buckets": vectors.buckets}
    else:
        arrays, subwords = {"vectors": np.asarray(vectors.matrix, dtype=np.float32)}, None
    if output_weights is not None:
        arrays["output"] = np.asarray(output_weights, dtype=np.float32)
    return arrays, subwords


def _save_array(path: Path, array: np.ndarray) -> dict:
    """Write one ``.npy`` file, synced; returns its entry in ``model.json``."""
    with open(path, "wb") as handle:
        np.save(handle, array, allow_pickle=False)
        handle.flush()
        os.fsync(handle.fileno())
    return {"file": path.name, "shape": list(array.shape), "sha256": _sha256(path)}


def _recover(directory: Path) -> None:
    """Restore the previous version of a model directory whose replacement was cut short."""
    recover_directory(directory, "model.json")


def load_model(directory, *, mmap: bool = False, verify: bool = True) -> SavedModel:
    """Read a model directory written by :func:`save_model`.

    ``model.json`` is checked against its schema (:data:`_META_SCHEMA`) before
    any array is opened, and every array against what it must hold: no NaN or
    infinite value is ever loaded.

    Parameters
    ----------
    mmap : bool, default=False
        Memory-map the arrays read-only instead of reading them.
    verify : bool, default=True
        Check each file's SHA-256 against ``model.json``.

    Raises
    ------
    ModelFormatError
        One line naming the file: missing, corrupted, not matching the schema or the other files.
    """
    directory = Path(directory)
    _recover(directory)
    if not directory.is_dir():
        raise ModelFormatError(f"no model directory at {directory}")
    meta = _read_meta(directory)
    arrays = {name: _load_array(directory, name, spec, mmap, verify) for name, spec in meta["arrays"].items()}
    words, counts = _read_vocab(directory / "vocab.tsv", meta.get("vocab_sha256") if verify else None)
    matrix, output = _check_sizes(directory, meta, arrays, words)
    try:
        counts = counts if meta.get("counts", True) is not False else None
        if meta.get("subwords") is not None:
            vectors = _saved_subword_vectors(directory, meta, arrays, words, counts)
        else:
            vectors = Vectors(words, matrix, counts=counts, unknown=meta.get("unknown"))
    except ParameterError as err:
        raise ModelFormatError(f"{directory}: {err}") from None
    return SavedModel(vectors, meta.get("params", {}), meta.get("engine", "native"), output, meta.get("info", {}))


def _check_sizes(directory: Path, meta: dict, arrays: dict, words: list):
    """The vectors and output arrays, once their sizes agree with the vocabulary and ``model.json``."""
    matrix = arrays.get("vectors")
    if matrix is None or matrix.ndim != 2:
        raise ModelFormatError(f"{directory}: no vectors array")
    if matrix.shape[0] != len(words):
        raise ModelFormatError(
            f"{directory}: the vocabulary has {len(words)} words but the matrix has {matrix.shape[0]} rows")
    for key, size in (("n_words", len(words)), ("dim", matrix.shape[1])):
        if key in meta and meta[key] != size:
            raise ModelFormatError(f"{directory / 'model.json'}: {key} is {meta[key]}, but the arrays hold {size}")
    output = arrays.get("output")
    if output is not None and output.shape != matrix.shape:
        raise ModelFormatError(f"{directory}: output weights {output.shape} do not match vectors {matrix.shape}")
    return matrix, output


# -- model.json: its schema -----------------------------------------------------

#: The largest ``model.json`` read: the ones wordvec writes take a few KiB.
MAX_META_BYTES = 16 << 20
#: The deepest nesting of lists and objects a ``model.json`` may hold.
MAX_META_DEPTH = 32
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _is_whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_count(value) -> bool:
    """A whole number >= 0 that fits an int64 (and a one-line message)."""
    return _is_whole(value) and 0 <= value < 1 << 63


def _is_file_name(value) -> bool:
    """A plain file name: no directory part, so it can only name a file of the model directory."""
    return (isinstance(value, str) and value not in ("", ".", "..") and "\0" not in value
            and not any(sep in value for sep in ("/", "\\", os.sep, os.altsep) if sep))


_SHA256_FIELD = (lambda v: isinstance(v, str) and _SHA256.fullmatch(v) is not None, "64 hexadecimal digits")
#: model.json's fields: name -> (required, test, what the value must be). Other fields are ignored.
_META_SCHEMA = {
    "format_version": (True, lambda v: _is_whole(v) and v >= 1, "a whole number of at least 1"),
    "arrays": (True, lambda v: isinstance(v, dict) and len(v) > 0, "an object of name -> {file, shape, sha256}"),
    "engine": (False, lambda v: isinstance(v, str), "a string"),
    "unknown": (False, lambda v: v is None or isinstance(v, str), "a string or null"),
    "n_words": (False, _is_count, "a whole number >= 0"),
    "dim": (False, _is_count, "a whole number >= 0"),
    "params": (False, lambda v: isinstance(v, dict), "an object"),
    "info": (False, lambda v: isinstance(v, dict), "an object"),
    "counts": (False, lambda v: isinstance(v, bool), "true or false"),
    "vocab_sha256": (False, *_SHA256_FIELD),
    "subwords": (False, lambda v: v is None or isinstance(v, dict), "an object or null"),
}
#: Each entry of ``"arrays"``.
_ARRAY_SCHEMA = {
    "file": (True, _is_file_name, "a file name in the model directory (no directory part)"),
    "shape": (True, lambda v: isinstance(v, list) and 1 <= len(v) <= 2 and all(map(_is_count, v)),
              "a list of one or two whole numbers >= 0"),
    "sha256": (True, *_SHA256_FIELD),
}
#: ``"subwords"``, when present.
_SUBWORD_SCHEMA = {key: (True, _is_count, "a whole number >= 0") for key in ("min_n", "max_n", "buckets")}
#: The arrays a model directory may hold, and the kind of number each holds.
_ARRAY_DTYPES = {"vectors": np.float32, "output": np.float32, "ngrams": np.float32, "buckets": np.int32}


def _shown(value) -> str:
    """A JSON value as a message shows it: short, on one line."""
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list"
    text = json.dumps(value) if value is None or isinstance(value, bool) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_fields(meta_path: Path, where: str, value, schema: dict) -> None:
    """Check ``value`` (the object at ``where`` in ``model.json``) against ``schema``."""
    if not isinstance(value, dict):
        raise ModelFormatError(f"{meta_path}: {where} must be an object, not {_shown(value)}")
    for name, (required, test, what) in schema.items():
        field_name = f"{where}.{name}" if where else name
        if name not in value:
            if required:
                raise ModelFormatError(f"{meta_path}: missing entry {field_name!r}")
            continue
        if not test(value[name]):
            raise ModelFormatError(f"{meta_path}: {field_name} must be {what}, not {_shown(value[name])}")


def _nesting_depth(value) -> int:
    """How deeply lists and objects nest in a parsed JSON value (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        if children:
            deepest = max(deepest, depth)
            if deepest > MAX_META_DEPTH:
                break
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _read_meta(directory: Path) -> dict:
    """``model.json``, parsed and checked against :data:`_META_SCHEMA`."""
    meta_path = directory / "model.json"
    if not meta_path.exists():
        raise ModelFormatError(f"{directory} is not a wordvec model (no model.json)")
    if not meta_path.is_file():
        raise ModelFormatError(f"{meta_path}: not a regular file")
    try:
        with open(meta_path, "rb") as handle:
            raw = handle.read(MAX_META_BYTES + 1)
        if len(raw) > MAX_META_BYTES:
            raise ModelFormatError(f"{meta_path}: larger than {MAX_META_BYTES >> 20} MiB, which no model "
                                   "description is")
        meta = json.loads(raw.decode("utf-8"))
    except OSError as err:
        raise ModelFormatError(f"{meta_path}: cannot be read ({err.strerror or err})") from None
    except (ValueError, RecursionError) as err:  # UnicodeDecodeError is a ValueError
        raise ModelFormatError(f"{meta_path}: corrupted ({str(err)[:200]})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise ModelFormatError(f"{meta_path}: not a wordvec model description")
    if _nesting_depth(meta) > MAX_META_DEPTH:
        raise ModelFormatError(f"{meta_path}: nested deeper than {MAX_META_DEPTH} levels, which no model "
                               "description is")
    _check_fields(meta_path, "", meta, _META_SCHEMA)
    if meta["format_version"] > FORMAT_VERSION:
        raise ModelFormatError(
            f"{directory}: model format version {meta['format_version']} is newer than this wordvec reads "
            f"({FORMAT_VERSION}); upgrade wordvec")
    for name, spec in meta["arrays"].items():
        if name not in _ARRAY_DTYPES:
            raise ModelFormatError(f"{meta_path}: unknown array {_shown(name)} (a model holds "
                                   f"{', '.join(_ARRAY_DTYPES)})")
        _check_fields(meta_path, f"arrays.{name}", spec, _ARRAY_SCHEMA)
    if meta.get("subwords") is not None:
        _check_fields(meta_path, "subwords", meta["subwords"], _SUBWORD_SCHEMA)
    return meta


def _saved_subword_vectors(directory: Path, meta: dict, arrays: dict, words: list, counts) -> SubwordVectors:
    """The subword vectors of a model directory, their arrays checked against each other."""
    spec, ngrams, buckets = meta["subwords"], arrays.get("ngrams"), arrays.get("buckets")
    lengths = [spec.get(key) if isinstance(spec, dict) else None for key in ("min_n", "max_n", "buckets")]
    if not all(isinstance(value, int) and value >= 0 for value in lengths):
        raise ModelFormatError(f"{directory}: model.json's 'subwords' needs min_n, max_n and buckets")
    if ngrams is None or buckets is None:
        raise ModelFormatError(f"{directory}: a model with subwords needs ngrams.npy and buckets.npy")
    if buckets.ndim != 1 or buckets.dtype != np.int32 or buckets.shape[0] != lengths[2]:
        raise ModelFormatError(f"{directory}: buckets.npy must hold {lengths[2]} int32 rows, "
                               f"not {buckets.shape} {buckets.dtype}")
    if buckets.size and (int(buckets.min()) < -1 or int(buckets.max()) >= ngrams.shape[0]):
        raise ModelFormatError(f"{directory}: buckets.npy points outside the {ngrams.shape[0]} rows of ngrams.npy")
    return SubwordVectors(words, arrays["vectors"], ngrams, buckets, min_n=lengths[0], max_n=lengths[1],
                          counts=counts, unknown=meta.get("unknown"))


def _load_array(directory: Path, name: str, spec: dict, mmap: bool, verify: bool) -> np.ndarray:
    """One array of a model directory, checked: checksum, shape, kind of number, finite values."""
    path = directory / spec["file"]  # a plain file name (the schema says so): always inside ``directory``
    if not path.exists():
        raise ModelFormatError(f"{path}: missing")
    if not path.is_file():
        raise ModelFormatError(f"{path}: not a regular file")
    if verify and _sha256(path) != spec["sha256"]:
        raise ModelFormatError(f"{path}: checksum mismatch (the file is truncated or corrupted)")
    try:
        array = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (ValueError, OSError, EOFError) as err:
        raise ModelFormatError(f"{path}: unreadable ({err})") from None
    if list(array.shape) != list(spec["shape"]):
        raise ModelFormatError(f"{path}: shape {list(array.shape)} where {spec['shape']} was saved")
    expected = np.dtype(_ARRAY_DTYPES[name])
    if array.dtype.kind != expected.kind or array.dtype.itemsize != expected.itemsize:
        raise ModelFormatError(f"{path}: holds {array.dtype} values where {expected} are expected")
    if expected.kind == "f":
        _check_finite(path, array)
    return array


#: Values checked for NaN and infinity at a time (a block of rows), so the check takes little memory.
_FINITE_BLOCK = 1 << 22


def _first_non_finite_row(array: np.ndarray, start: int = 0, stop: int | None = None) -> int | None:
    """The first row of ``array[start:stop]`` that holds NaN or an infinite value, or None.

    One pass, a block of rows at a time: a memory-mapped array is read once and never copied whole.
    """
    stop = array.shape[0] if stop is None else stop
    if array.size == 0 or stop <= start:
        return None
    rows = max(1, _FINITE_BLOCK // (array.size // array.shape[0]))
    for first in range(start, stop, rows):
        finite = np.isfinite(array[first:min(first + rows, stop)])
        if not finite.all():
            return first + int(np.argmin(finite.reshape(finite.shape[0], -1).all(axis=1)))
    return None


def _check_finite(path: Path, array: np.ndarray) -> None:
    row = _first_non_finite_row(array)
    if row is not None:
        raise ModelFormatError(f"{path}: holds NaN or infinite values (row {row})")


def _read_vocab(path: Path, expected_sha: str | None):
    if not path.exists():
        raise ModelFormatError(f"{path}: missing")
    if not path.is_file():  # a device or FIFO (a link to /dev/zero, say) would be read forever
        raise ModelFormatError(f"{path}: not a regular file")
    if expected_sha is not None and _sha256(path) != expected_sha:
        raise ModelFormatError(f"{path}: checksum mismatch (the file is truncated or corrupted)")
    words, counts = [], []
    with open(path, encoding="utf-8", newline="\n") as handle:
        for number, line in enumerate(handle, 1):
            word, tab, count = line.rstrip("\n").rpartition("\t")
            if not tab or not count.isdigit():
                raise ModelFormatError(f"{path}, line {number}: expected word<TAB>count")
            words.append(word)
            counts.append(int(count))
    return words, np.asarray(counts, dtype=np.int64)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__} in model.json")


# -- writing vectors for other tools --------------------------------------------

def _exported_rows(vectors: Vectors, include_unknown: bool) -> list[int]:
    return [i for i, w in enumerate(vectors.words) if include_unknown or w != vectors.unknown]


def save_word2vec(vectors: Vectors, path, *, binary: bool = False, include_unknown: bool = False) -> None:
    """Write the word2vec text (or binary) format; ``UNK`` is left out unless asked for.

    The text format (a header ``<words> <dimension>``, then ``word x1 x2 ...``
    per line) is also fastText's ``.vec`` format, and what spaCy's
    ``spacy init vectors`` and gensim's ``KeyedVectors.load_word2vec_format`` read.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> path = tempfile.mkdtemp() + "/v.txt"
    >>> save_word2vec(Vectors(["tea"], np.array([[0.5, 1]], dtype=np.float32)), path)
    >>> open(path).read()
    '1 2\\ntea 0.5 1\\n'
    """
    rows = _exported_rows(vectors, include_unknown)
    matrix = np.asarray(vectors.matrix, dtype=np.float32)
    for i in rows:
        if not vectors.words[i] or any(c.isspace() for c in vectors.words[i]):
            raise ParameterError(f"word {vectors.words[i]!r} cannot be written in word2vec format (whitespace)")
    line = " ".join(["%.6g"] * vectors.dim) + "\n"
    with atomic_open(path, "wb") as handle:
        handle.write(f"{len(rows)} {vectors.dim}\n".encode())
        for i in rows:
            if binary:
                handle.write(vectors.words[i].encode("utf-8") + b" " + matrix[i].astype("<f4").tobytes() + b"\n")
            else:
                handle.write(vectors.words[i].encode("utf-8") + b" " + (line % tuple(matrix[i].tolist())).encode())


def save_tsv(vectors: Vectors, path, *, include_unknown: bool = False) -> None:
    """Write ``word<TAB>x1<TAB>x2...`` per line, no header (:func:`load_vectors` reads it back).

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
        for i in _exported_rows(vectors, include_unknown):
            handle.write(vectors.words[i] + "\t" + line % tuple(matrix[i].tolist()))


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
    rows = _exported_rows(vectors, include_unknown)
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


# -- fastText .bin ---------------------------------------------------------------

_FASTTEXT_MAGIC = 793712314
_FASTTEXT_VERSION = 12
_FASTTEXT_MODELS = {"cbow": 1, "skipgram": 2}
_FASTTEXT_NEGATIVE_SAMPLING = 2  # fastText's loss_name::ns
_FASTTEXT_LR_UPDATE_RATE = 100  # fastText's default; not a wordvec setting
_BIN_ROWS = 1 << 15  # rows written at a time


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
    >>> back = load_vectors(path)
    >>> back.words, np.allclose(back["tae"], v["tae"]), np.allclose(back["tea"], v["tea"])
    (['tea'], True, True)
    """
    if not isinstance(vectors, SubwordVectors):
        raise ParameterError("only vectors with subwords (wordvec train --subwords, or a fastText .bin) can be "
                             "written as a fastText .bin; write these as fasttext-vec")
    rows = np.asarray(_exported_rows(vectors, include_unknown=False), dtype=np.int64)
    words = [vectors.words[i].encode("utf-8") for i in rows.tolist()]
    if any(not w or b"\0" in w for w in words):
        raise ParameterError("a word that is empty or holds a NUL character cannot be written to a fastText .bin")
    counts = (np.ones(len(rows), np.int64) if vectors.counts is None
              else np.maximum(np.asarray(vectors.counts)[rows], 1))
    if output_weights is not None and np.shape(output_weights) != (len(vectors), vectors.dim):
        raise ParameterError(f"output weights of shape {np.shape(output_weights)} do not match "
                             f"{len(vectors)} words x {vectors.dim}")
    with atomic_open(path, "wb") as handle:
        handle.write(struct.pack("<ii", _FASTTEXT_MAGIC, _FASTTEXT_VERSION))
        handle.write(struct.pack("<12id", *_fasttext_header(vectors, params or {})))
        _write_fasttext_dictionary(handle, words, counts)
        handle.write(struct.pack("<?qq", False, len(rows) + vectors.buckets, vectors.dim))
        _write_blocks(handle, len(rows), lambda a, b: vectors.word_rows[rows[a:b]])
        _write_blocks(handle, vectors.buckets, lambda a, b: _bucket_block(vectors, a, b))
        handle.write(struct.pack("<?qq", False, len(rows), vectors.dim))
        zeros = lambda a, b: np.zeros((b - a, vectors.dim), np.float32)  # noqa: E731
        _write_blocks(handle, len(rows), zeros if output_weights is None
                      else lambda a, b: output_weights[rows[a:b]])


def _fasttext_header(vectors: SubwordVectors, params: dict) -> tuple:
    """fastText's ``Args`` as its ``.bin`` stores them, from a model's parameters."""
    from .model import Word2Vec

    p = {**Word2Vec.defaults(), **{k: v for k, v in params.items() if v is not None}}
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


# -- reading vector files: the bytes ------------------------------------------------

_COMPRESSIONS = {b"\x1f\x8b": ("gzip", gzip.open), b"BZh": ("bzip2", bz2.open), b"\xfd7zXZ\x00": ("xz", lzma.open)}
_LOOKS_LIKE = {
    b"(\xb5/\xfd": "zstd-compressed data (decompress it first: zstd -d)",
    b"PK\x03\x04": "a zip archive (extract the vectors file first)",
    b"\x93NUMPY": "a NumPy array (give the model directory that holds it)",
    b"PAR1": "a Parquet file",
}
_BOM = b"\xef\xbb\xbf"


class _NeedMore(Exception):
    """A reader reached the end of a partly decompressed file: decompress more and read again."""


class _Source:
    """The bytes of a vectors file: memory-mapped, or decompressed (all, or a prefix that grows)."""

    def __init__(self, path: Path, whole: bool):
        self.path = path
        with open(path, "rb") as handle:
            magic = handle.read(6)
            compression = next((c for m, c in _COMPRESSIONS.items() if magic.startswith(m)), None)
            self.compression = compression[0] if compression else None
            self._stream = self._map = None
            self._released = 0
            self.complete = True
            self.data = b""
            if compression is None:
                if os.fstat(handle.fileno()).st_size:
                    self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
                    self.data = self._map
                return
        self._stream = compression[1](path, "rb")
        self.complete = False
        self._read(-1 if whole else 1 << 20)

    def _read(self, size: int) -> None:
        chunks = []
        try:
            while size < 0 or sum(map(len, chunks)) < size:
                chunk = self._stream.read(1 << 24 if size < 0 else size - sum(map(len, chunks)))
                if not chunk:
                    self.complete = True
                    break
                chunks.append(chunk)
        except (OSError, EOFError, lzma.LZMAError, zlib.error) as err:
            reason = "ends early (truncated file)" if isinstance(err, EOFError) else f"is corrupted ({err})"
            raise ModelFormatError(f"{self.path}: the {self.compression} data {reason}") from None
        self.data = b"".join([self.data, *chunks])

    def grow(self) -> None:
        """Decompress as much again (only while not complete)."""
        self._read(max(len(self.data), 1 << 20))

    def release(self, upto: int) -> None:
        """Hand back the memory-mapped pages before ``upto`` (they are read again from the page cache if needed)."""
        end = upto - upto % mmap.PAGESIZE
        if self._map is not None and hasattr(self._map, "madvise") and end > self._released:
            self._map.madvise(mmap.MADV_DONTNEED, self._released, end - self._released)
            self._released = end

    def read_all(self) -> None:
        if not self.complete:
            self._read(-1)

    def head(self, size: int = 1 << 16) -> bytes:
        while len(self.data) < size and not self.complete:
            self.grow()
        return bytes(self.data[:size])

    def at(self, offset: int) -> str:
        """``'PATH, byte N'`` for messages (the offset in the decompressed data when compressed)."""
        where = f"{self.path}, byte {offset}"
        return where + (f" of the {self.compression}-decompressed data" if self.compression else "")

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
        self.data = b""
        if self._map is not None:
            try:
                self._map.close()
            except BufferError:  # an array still views it; it closes when that array goes
                pass


def _open_source(path: Path, whole: bool) -> _Source:
    try:
        return _Source(path, whole)
    except OSError as err:  # unreadable, or mmap refused (a FIFO, say)
        raise ModelFormatError(f"{path}: cannot be read ({err.strerror or err})") from None


def _lines_after(data, start: int, stop: int) -> int:
    """Number of lines in ``data[start:stop]`` (a last line without a newline counts)."""
    count = 0
    for block in range(start, stop, 1 << 26):
        count += data[block:min(stop, block + (1 << 26))].count(b"\n")
    if stop > start and data[stop - 1:stop] != b"\n":
        count += 1
    return count


def _decode_joined(joined: bytes, sep: bytes, count: int) -> list[str]:
    """``count`` UTF-8 words joined by ``sep``; bytes that are not UTF-8 are kept as ``\\xNN`` escapes."""
    if not count:
        return []
    try:
        words = joined.decode("utf-8").split(sep.decode())
        if len(words) == count:
            return words
    except UnicodeDecodeError:
        pass
    raw = joined.split(sep)
    words = [w.decode("utf-8", "backslashreplace") for w in raw]
    bad = sum(1 for w, r in zip(words, raw) if len(w.encode("utf-8")) != len(r))
    if bad:
        warnings.warn(f"{bad} words are not valid UTF-8; their other bytes are kept as \\xNN escapes",
                      stacklevel=5)
    return words


def _decode_words(raw: list) -> list[str]:
    return _decode_joined(b"\n".join(raw), b"\n", len(raw))


def _new_vectors(words: list[str], matrix: np.ndarray, counts, subwords: dict | None) -> Vectors:
    if subwords is None:
        return Vectors(words, matrix, counts=counts)
    return SubwordVectors(words, matrix, subwords["ngram_rows"], subwords["bucket_rows"], min_n=subwords["min_n"],
                          max_n=subwords["max_n"], counts=counts)


def _as_vectors(path: Path, words: list[str], matrix: np.ndarray, counts=None, subwords: dict | None = None) -> Vectors:
    """Vectors of a file (subword vectors where ``subwords`` gives their n-gram rows); a word listed
    twice keeps its first vector, as gensim does, with a warning."""
    try:
        return _new_vectors(words, matrix, counts, subwords)
    except ParameterError as err:
        if len(set(words)) == len(words):
            raise ModelFormatError(f"{path}: {err}") from None
        first = {}
        for i, word in enumerate(words):
            first.setdefault(word, i)
        keep = np.fromiter(first.values(), dtype=np.int64, count=len(first))
        warnings.warn(f"{path}: {len(words) - len(keep)} words appear more than once; "
                      "the first vector of each is kept", stacklevel=3)
        return _new_vectors(list(first), matrix[keep], None if counts is None else np.asarray(counts)[keep],
                            subwords)


# -- reading vector files: what they are ------------------------------------------------

_HEADER = re.compile(rb"[ \t]*([0-9]+)[ \t]+([0-9]+)[ \t]*\r?")
_MAX_WORD_BYTES = 100_000


def _is_numbers(fields: list) -> bool:
    try:
        [float(f) for f in fields]
    except ValueError:
        return False
    return bool(fields)


def _sniff(src: _Source) -> dict:
    """What a file is, from its first bytes: its format and where its rows begin."""
    head = src.head()
    start = 3 if head.startswith(_BOM) else 0
    if len(head) >= 8 and int.from_bytes(head[:4], "little") == _FASTTEXT_MAGIC:
        return {"format": "fasttext-bin"}
    newline = head.find(b"\n", start)
    first = head[start:newline if newline >= 0 else len(head)]
    header = _HEADER.fullmatch(first)
    if header:
        n_words, dim = int(header[1]), int(header[2])
        if dim < 1:
            raise ModelFormatError(f"{src.path}, line 1: the header gives dimension {dim}; it must be at least 1")
        body = newline + 1 if newline >= 0 else len(head)
        return {"format": "word2vec-binary" if _binary_row(head, body, dim) else "word2vec",
                "n_words": n_words, "dim": dim, "start": body, "sep": b" "}
    sep = b"\t" if b"\t" in first else b" "
    fields = first.rstrip().split(sep)
    if len(fields) >= 2 and _is_numbers(fields[1:]):
        return {"format": "tsv" if sep == b"\t" else "glove", "dim": len(fields) - 1, "start": start, "sep": sep}
    raise ModelFormatError(f"{src.path}: not a vectors file wordvec reads: {_looks_like(head, first)}")


def _binary_row(head: bytes, start: int, dim: int) -> bool:
    """Whether the first row after a word2vec header is binary: not numbers, and not plain text."""
    end = head.find(b"\n", start)
    row = head[start:end if end >= 0 else len(head)]
    if not row or _is_numbers(row.rstrip().split(b" ")[1:]):
        return False
    space = head.find(b" ", start)
    vector = head[space + 1:space + 1 + 4 * dim] if space >= 0 else b""
    return bool(re.search(rb"[^\t\n\r\x20-\x7e]", vector))  # else text with a typo: the text reader says where


def _looks_like(head: bytes, first: bytes) -> str:
    if not head:
        return "the file is empty"
    for magic, what in _LOOKS_LIKE.items():
        if head.startswith(magic):
            return f"it is {what}"
    try:
        head[:4096].decode("utf-8")
        text = b"\0" not in head[:4096]
    except UnicodeDecodeError as err:
        text = err.start > 4090  # a character cut at the end of the sample
    if not text:
        return ("it is binary data, but not word2vec binary (no '<words> <dimension>' header line) "
                "nor a fastText .bin model")
    return (f"its first line {first[:60].decode('utf-8', 'replace')!r} is neither a header "
            "'<words> <dimension>' nor a word followed by numbers")


#: Formats :func:`load_vectors` reads (each also gzip-, bzip2- or xz-compressed).
READ_FORMATS = ("model", "word2vec", "word2vec-binary", "glove", "tsv", "fasttext-bin")


def detect_format(path) -> str:
    """Which of :data:`READ_FORMATS` a path holds, judged from its content (never its name).

    ``word2vec`` also covers fastText's ``.vec`` files; ``glove`` is
    ``word x1 x2 ...`` lines without a header; ``model`` a wordvec model directory.

    Raises
    ------
    ModelFormatError
        When the path is missing or holds none of them (the message says what it looks like).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "vectors.bin"
    >>> _ = path.write_text("the 0.1 0.2\\ncat 0.3 0.4\\n")
    >>> detect_format(path)
    'glove'
    """
    path = Path(path)
    if path.is_dir():
        return "model"
    if not path.is_file():
        raise ModelFormatError(f"no such file or directory: {path}")
    src = _open_source(path, whole=False)
    try:
        return _sniff(src)["format"]
    finally:
        src.close()


# -- reading vector files: text ---------------------------------------------------------

_TEXT_BLOCK = 1 << 24  # bytes of text parsed at a time


def _parse_numbers(text: bytes) -> np.ndarray | None:
    """All numbers of a whitespace-separated text, or None if one is not a number."""
    try:
        return np.fromstring(text, dtype=np.float32, sep=" ")
    except ValueError:
        return None


class _TextRows:
    """Parses blocks of ``word<sep>x1<sep>...<sep>xdim`` lines into words and a matrix."""

    def __init__(self, src: _Source, dim: int, sep: bytes, spaced_words: bool):
        self.src, self.dim, self.sep, self.spaced_words = src, dim, sep, spaced_words

    def fail(self, line: int, message: str):
        raise ModelFormatError(f"{self.src.path}, line {line}: {message}")

    def parse(self, lines: list, first_line: int, max_rows: int | None):
        """Words (bytes), their vectors and how many of ``lines`` were used."""
        rows = [line.rstrip() for line in lines]
        numbers = None if all(rows) else [i for i, row in enumerate(rows) if row]
        if numbers is not None:
            rows = [rows[i] for i in numbers]
        cut = max_rows is not None and len(rows) > max_rows
        if cut:
            rows = rows[:max_rows]
        line_of = (lambda r: first_line + r) if numbers is None else (lambda r: first_line + numbers[r])
        used = line_of(len(rows) - 1) - first_line + 1 if cut else len(lines)
        if not rows:
            return [], np.zeros((0, self.dim), dtype=np.float32), used
        words, rests = self._split(rows, line_of)
        values = _parse_numbers(b" ".join(rests))
        if values is None or values.size != len(rows) * self.dim:
            self._find_bad_row(rests, line_of)
        matrix = values.reshape(len(rows), self.dim)
        finite = np.isfinite(matrix).all(axis=1)
        if not finite.all():
            self.fail(line_of(int(np.argmin(finite))), "NaN or infinite values")
        return words, matrix, used

    def _split(self, rows: list, line_of):
        sep, dim = self.sep, self.dim
        fields = np.fromiter((row.count(sep) for row in rows), dtype=np.int64, count=len(rows))
        wrong = np.flatnonzero(fields < dim if self.spaced_words else fields != dim)
        if wrong.size:
            r = int(wrong[0])
            self.fail(line_of(r), f"expected a word and {dim} numbers, got {int(fields[r])}")
        parts = [row.partition(sep) for row in rows]
        words = [p[0] for p in parts]
        rests = [p[2] for p in parts]
        for r in np.flatnonzero(fields > dim).tolist():  # a token with spaces (GloVe 840B): numbers from the right
            words[r] = rows[r].rsplit(sep, dim)[0]
            rests[r] = rows[r][len(words[r]) + 1:]
            if _is_numbers(words[r].split(sep)[1:]):  # 'word 0.1 0.2 ...' with too many numbers: a ragged row
                self.fail(line_of(r), f"expected a word and {dim} numbers, got {int(fields[r])}")
        return words, rests

    def _find_bad_row(self, rests: list, line_of):
        for r, rest in enumerate(rests):
            values = _parse_numbers(rest)
            if values is None or values.size != self.dim:
                self.fail(line_of(r), "not a number among the values")
        self.fail(line_of(0), "the values could not be read as numbers")


def _read_text(src: _Source, info: dict, limit: int | None):
    """Words and matrix of a text file: word2vec/fastText .vec (with a header), GloVe or TSV."""
    expected = info.get("n_words")
    wanted = expected if limit is None else (limit if expected is None else min(limit, expected))
    start = info["start"]
    first_line = 2 if expected is not None else 1
    while wanted is not None and not src.complete and src.data.count(b"\n", start) < wanted:
        src.grow()
    data = src.data
    stop = len(data) if src.complete else data.rfind(b"\n") + 1
    if wanted is None:
        capacity = _lines_after(data, start, stop)
    else:  # a row takes at least two bytes a number: a header cannot make this allocate more
        capacity = min(wanted, (stop - start) // (2 * info["dim"]) + 1)
    rows = _TextRows(src, info["dim"], info["sep"], spaced_words=expected is None)
    words, matrix, pos, line = [], np.empty((capacity, info["dim"]), dtype=np.float32), start, first_line
    while pos < stop and (wanted is None or len(words) < wanted):
        end = data.find(b"\n", min(pos + _TEXT_BLOCK, stop - 1), stop)
        end = stop if end < 0 else end + 1
        lines = data[pos:end].split(b"\n")
        if lines and not lines[-1]:
            lines.pop()
        block_words, block, used = rows.parse(lines, line, None if wanted is None else wanted - len(words))
        if len(words) + len(block_words) > capacity:
            rows.fail(line + used - 1, f"more rows than the {capacity} counted")  # pragma: no cover
        matrix[len(words):len(words) + len(block_words)] = block
        words += block_words
        src.release(end)
        pos += end - pos if used == len(lines) else sum(len(x) + 1 for x in lines[:used])
        line += used
    if wanted is not None and len(words) < wanted and not src.complete:
        raise _NeedMore
    if expected is not None:
        _check_row_count(src, rows, words, wanted, data[pos:stop] if limit is None else b"", line)
    matrix = matrix[:len(words)]
    return _decode_words(words), matrix if len(words) > 0.99 * capacity else matrix.copy()


def _check_row_count(src: _Source, rows: _TextRows, words: list, expected: int, rest: bytes, line: int) -> None:
    if len(words) < expected:
        raise ModelFormatError(f"{src.path}, line {line}: the header promises {expected} words but the file "
                               f"ends after {len(words)}")
    extra = rest.lstrip()
    if extra:
        rows.fail(line + rest[:len(rest) - len(extra)].count(b"\n"),
                  f"more rows than the {expected} in the header")


# -- reading vector files: word2vec binary -------------------------------------------

def _scan_binary(src: _Source, start: int, first_row: int, rows: int, n_rows: int, width: int):
    """Each row's word and the offset of its vector: ``[\\n]word<space><width bytes>``.

    word2vec.c ends each vector with a newline, the GoogleNews file does not:
    the newline, if any, is left at the start of the next word (and stripped
    from all words at once by the caller). This loop is the only per-row
    Python work; ``find`` runs in C.
    """
    data, complete = src.data, src.complete
    size, find = len(data), data.find
    words, offsets = [], []
    append_word, append_offset = words.append, offsets.append
    pos = start
    for row in range(first_row, first_row + rows):
        space = find(b" ", pos, pos + _MAX_WORD_BYTES)
        end = space + 1 + width
        if space < 0 or end > size:
            if not complete:
                raise _NeedMore
            _binary_ends(src, pos, space, row, n_rows)
        append_word(data[pos:space])
        append_offset(space + 1)
        pos = end
    return words, np.array(offsets, dtype=np.int64), pos


def _binary_ends(src: _Source, pos: int, space: int, row: int, n_rows: int):
    size = len(src.data)
    if space < 0 and size - pos >= _MAX_WORD_BYTES:
        raise ModelFormatError(f"{src.at(pos)}: word {row + 1} is not followed by a space "
                               "(is the header's dimension right?)")
    part = "word" if space < 0 else "vector of word"
    raise ModelFormatError(f"{src.at(size)}: the file ends in the {part} {row + 1} of {n_rows} "
                           "(truncated, or the header promises more words than the file has)")


def _gather_vectors(data, offsets: np.ndarray, dim: int) -> np.ndarray:
    """Rows of ``dim`` float32 starting at arbitrary byte offsets: one fancy index of a sliding window."""
    if not len(offsets):
        return np.zeros((0, dim), dtype=np.float32)
    windows = np.lib.stride_tricks.sliding_window_view(np.frombuffer(data, dtype=np.uint8), 4 * dim)
    matrix = windows[offsets].view("<f4").astype(np.float32, copy=False)
    del windows
    return matrix


_BINARY_CHUNK = 1 << 17  # rows scanned, checked and copied at a time


def _read_word2vec_binary(src: _Source, info: dict, limit: int | None):
    """Words and matrix of a word2vec binary file, a chunk of rows at a time.

    The file is memory-mapped; each chunk's pages are handed back once its
    vectors are copied, so the peak memory is the matrix, not the file too.
    """
    n_rows = info["n_words"] if limit is None else min(limit, info["n_words"])
    dim, width = info["dim"], 4 * info["dim"]
    room = (len(src.data) - info["start"]) // (width + 1) + 1  # a row takes more than its vector's bytes
    matrix = np.empty((min(n_rows, room), dim), dtype=np.float32)
    pieces, pos, done = [], info["start"], 0
    while done < n_rows:
        raw, offsets, pos = _scan_binary(src, pos, done, min(_BINARY_CHUNK, n_rows - done), n_rows, width)
        pieces.append(_binary_words(src, raw, offsets, done, dim))
        block = matrix[done:done + len(raw)]
        block[:] = _gather_vectors(src.data, offsets, dim)
        finite = np.isfinite(block).all(axis=1)
        if not finite.all():
            row = int(np.argmin(finite))
            raise ModelFormatError(f"{src.at(int(offsets[row]))}: the vector of word {done + row + 1} holds NaN "
                                   "or infinite values")
        src.release(pos)
        done += len(raw)
    end, size = pos, len(src.data)
    if limit is None and size > end and (size - end > 64 or bytes(src.data[end:]).strip()):
        raise ModelFormatError(f"{src.at(end)}: {size - end} more bytes after the {n_rows} words the "
                               f"header announces (is its dimension {dim} right?)")
    return _decode_joined(b" ".join(pieces), b" ", n_rows), matrix


def _binary_words(src: _Source, raw: list, offsets: np.ndarray, first_row: int, dim: int) -> bytes:
    """A chunk's words joined by spaces, the newline that ends the previous vector taken off each."""
    joined = b" ".join(raw)
    if b"\n" in joined:
        joined = (b" " + joined).replace(b" \n", b" ")[1:]
    junk = re.search(rb"[\x00-\x1f]", joined)
    if junk:
        row = joined[:junk.start()].count(b" ")
        raise ModelFormatError(f"{src.at(int(offsets[row]) - 1 - len(raw[row]))}: word {first_row + row + 1} "
                               f"holds control characters (is the header's dimension {dim} right?)")
    return joined


# -- reading vector files: fastText .bin ------------------------------------------------

_FASTTEXT_ARGS = ("dim", "ws", "epoch", "min_count", "neg", "word_ngrams", "loss", "model", "bucket",
                  "minn", "maxn", "lr_update_rate", "t")
_FASTTEXT_SUPERVISED = 3


class _Cursor:
    """Reads little-endian fields from a buffer, naming the byte where the file ends too early."""

    def __init__(self, src: _Source, pos: int = 0):
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


def _read_fasttext_bin(src: _Source, info: dict, limit: int | None):
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
    words, nwords = _decode_words(raw[:keep]), len(raw)
    with_ngrams = not (prune == 0 or args["maxn"] < 1 or args["bucket"] < 1)
    _check_fasttext_finite(src, matrix, keep, nwords if with_ngrams else rows)
    if not with_ngrams:  # each word is its own row
        return words, np.array(matrix[:keep], dtype=np.float32), counts[:keep]
    subwords = {"ngram_rows": matrix[nwords:], "bucket_rows": np.arange(args["bucket"], dtype=np.int32),
                "min_n": args["minn"], "max_n": args["maxn"]}
    return words, matrix[:keep], counts[:keep], subwords


def _check_fasttext_finite(src: _Source, matrix: np.ndarray, words: int, ngrams_from: int) -> None:
    """Refuse NaN or infinity in the rows read: the first ``words`` rows, the n-gram rows from ``ngrams_from``."""
    row = _first_non_finite_row(matrix, 0, words)
    if row is None:
        row = _first_non_finite_row(matrix, ngrams_from)
    if row is not None:
        what = f"the vector of word {row + 1}" if row < words else f"n-gram row {row - ngrams_from}"
        raise ModelFormatError(f"{src.path}: holds NaN or infinite values ({what})")


# -- reading vector files: the entry points ---------------------------------------------

_READERS = {
    "word2vec": _read_text,
    "glove": _read_text,
    "tsv": _read_text,
    "word2vec-binary": _read_word2vec_binary,
    "fasttext-bin": _read_fasttext_bin,
}


def _check_limit(limit) -> None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, (int, np.integer)) or limit < 1):
        raise ParameterError.out_of_range("limit", limit, "a whole number of at least 1, or None")


def _read_file(path: Path, limit: int | None, expect=None, binary: bool | None = None) -> Vectors:
    if not path.is_file():
        raise ModelFormatError(f"no such file or directory: {path}")
    src = _open_source(path, whole=limit is None)
    try:
        info = _sniff(src)
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
            except _NeedMore:  # a decompressed prefix was too short for ``limit`` rows
                src.grow()
    finally:
        src.close()
    return _as_vectors(path, *result)


def _first_rows(vectors: Vectors, limit: int | None) -> Vectors:
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
    _check_limit(limit)
    path = Path(path)
    if path.is_dir():
        return _first_rows(load_model(path, mmap=mmap).vectors, limit)
    return _read_file(path, limit)


def load_word2vec(path, *, binary: bool | None = None, limit: int | None = None) -> Vectors:
    """Read the word2vec text or binary format (``binary=None``: found from the content).

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> path = tempfile.mkdtemp() + "/v.bin"
    >>> save_word2vec(Vectors(["tea"], np.ones((1, 3), dtype=np.float32)), path, binary=True)
    >>> load_word2vec(path).matrix.tolist()
    [[1.0, 1.0, 1.0]]
    """
    _check_limit(limit)
    return _read_file(Path(path), limit, ("word2vec", "word2vec-binary"), binary)
