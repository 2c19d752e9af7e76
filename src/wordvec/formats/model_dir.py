"""Model directories: what :func:`save_model` writes and :func:`load_model` reads, in open formats only
(no pickle anywhere).

A model directory holds:

- ``vectors.npy``: the word vectors, float32, row ``i`` for word ``i`` (loadable memory-mapped);
- ``output.npy``: the context weights, kept so training can continue (optional);
- ``hs.npy``: with hierarchical softmax, the rows of the Huffman tree's inner nodes
  (``n_words - 2`` rows, the root first; optional, kept so training can continue; format version 3);
- ``vocab.tsv``: ``word<TAB>count`` per row, row 0 ``UNK``;
- ``model.json``: format version, engine, the parameters used, training figures,
  and the shape and SHA-256 of each array file (its schema: :mod:`wordvec.formats.model_schema`).

A model with subwords (:class:`~wordvec.vectors.SubwordVectors`) keeps its raw
rows instead: ``vectors.npy`` holds each word's own row (not the composed
vector), ``ngrams.npy`` the rows of the n-gram buckets that were trained and
``buckets.npy`` (int32, one entry per bucket) each bucket's row in
``ngrams.npy`` or -1; ``model.json`` records ``"subwords": {"min_n", "max_n",
"buckets"}`` and format version 2 (plain directories keep version 1, which
older readers read).

An existing directory is replaced only once the new one is complete (and only
when it holds nothing but a model: :func:`foreign_to_model`); a replacement
cut short is undone on the next read.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..outputs import atomic_directory, recover_directory
from ..errors import ModelFormatError, ParameterError
from ..vectors import SubwordVectors, Vectors
from .model_schema import ARRAY_DTYPES, FORMAT_NAME, read_meta
from .rows import first_non_finite_row

#: The newest model directory format this version reads: 2 for directories with subwords, 3 for
#: directories with hierarchical softmax rows (``hs.npy``, which readers of version 2 do not know).
FORMAT_VERSION = 3
#: The version written for directories without subwords (which readers of version 1 read as well).
PLAIN_FORMAT_VERSION = 1


@dataclass
class SavedModel:
    """What a model directory holds."""

    vectors: Vectors
    params: dict = field(default_factory=dict)
    engine: str = "native"
    output_weights: np.ndarray | None = None
    info: dict = field(default_factory=dict)
    hs_weights: np.ndarray | None = None


def save_model(directory, vectors: Vectors, *, params: dict | None = None, engine: str = "native",
               output_weights: np.ndarray | None = None, info: dict | None = None,
               hs_weights: np.ndarray | None = None) -> Path:
    """Write a model directory; an existing one is replaced only once the new one is complete.

    ``hs_weights``: the rows of a hierarchical softmax's inner nodes, where training may go on with them.

    Vectors without counts (read from a file by :func:`~wordvec.formats.load_vectors`) are saved
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
        arrays, subwords = _model_arrays(vectors, output_weights, hs_weights)
        files = {name: _save_array(staging / f"{name}.npy", array) for name, array in arrays.items()}
        counts = vectors.counts if vectors.counts is not None else np.zeros(len(vectors), dtype=np.int64)
        with open(staging / "vocab.tsv", "w", encoding="utf-8", newline="\n") as handle:
            for word, count in zip(vectors.words, counts.tolist()):
                handle.write(f"{word}\t{count}\n")
        meta = {
            "format": FORMAT_NAME,
            "format_version": _format_version(arrays, subwords),
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
MODEL_FILES = frozenset({"model.json", "vocab.tsv", "vectors.npy", "output.npy", "ngrams.npy", "buckets.npy",
                         "hs.npy"})
#: The checkpoint folder, and the staging and retired copies a run killed while replacing it leaves beside it.
_CHECKPOINT_ENTRY = re.compile(r"checkpoint|\.checkpoint\.(old\.)?\w+")
#: ... those copies alone: killed while written or removed, they may lack their model.json.
_CHECKPOINT_COPY = re.compile(r"\.checkpoint\.(old\.)?\w+")
#: The explorer's cached maps (``explore.mapdata.cache_path``), and their temporary names while written.
_MAP_FILE = re.compile(r"map_tsne_\d+\.json|\.map_tsne_\d+\.json\.\w+\.json")


def foreign_to_model(directory) -> list[str]:
    """The entries of ``directory`` that a wordvec model does not hold (none: it may be replaced).

    A model's own files (and the explorer's cached maps) count only beside a
    ``model.json`` of the wordvec format; a ``checkpoint`` folder counts when it
    holds nothing foreign itself, and so does what a run killed while replacing
    the checkpoint leaves beside it (``.checkpoint.old.*``, ``.checkpoint.*``: a model folder, or
    some of its files without the ``model.json``, when killed while writing or removing them).

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
        if _CHECKPOINT_ENTRY.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
            if not foreign_to_model(entry.path) or (_CHECKPOINT_COPY.fullmatch(entry.name)
                                                    and _holds_model_files_only(entry.path)):
                continue
        elif (ours and (entry.name in MODEL_FILES or _MAP_FILE.fullmatch(entry.name))
              and entry.is_file(follow_symlinks=False)):
            continue
        foreign.append(entry.name)
    return foreign


def _holds_model_files_only(directory) -> bool:
    """Whether every entry of ``directory`` is a file with a model file's name (a copy of a checkpoint
    that a killed run was writing or removing: some files, maybe not its model.json)."""
    return all(entry.is_file(follow_symlinks=False) and (entry.name in MODEL_FILES or _MAP_FILE.fullmatch(entry.name))
               for entry in os.scandir(directory))


def _is_wordvec_meta(path: Path) -> bool:
    """Whether ``path`` is a ``model.json`` naming the wordvec format (read defensively: any file may be there)."""
    try:
        if not path.is_file() or path.stat().st_size > 16 << 20:
            return False
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(meta, dict) and meta.get("format") == FORMAT_NAME


def _format_version(arrays: dict, subwords: dict | None) -> int:
    """The oldest format version that holds these arrays (so that older readers read what they can)."""
    return FORMAT_VERSION if "hs" in arrays else PLAIN_FORMAT_VERSION if subwords is None else 2


def _model_arrays(vectors: Vectors, output_weights, hs_weights=None) -> tuple[dict, dict | None]:
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
    if hs_weights is not None:
        arrays["hs"] = np.asarray(hs_weights, dtype=np.float32)
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

    ``model.json`` is checked against its schema (:mod:`~wordvec.formats.model_schema`) before
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
    meta = read_meta(directory, FORMAT_VERSION)
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
    return SavedModel(vectors, meta.get("params", {}), meta.get("engine", "native"), output, meta.get("info", {}),
                      _checked_nodes(directory, arrays.get("hs"), matrix))


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


def _checked_nodes(directory: Path, nodes, matrix):
    """The hierarchical softmax rows (or None), once they fit the vectors: one fewer than the words
    of the tree, which leaves ``UNK`` out."""
    if nodes is not None and (nodes.ndim != 2 or nodes.shape != (max(matrix.shape[0] - 2, 0), matrix.shape[1])):
        raise ModelFormatError(f"{directory}: hierarchical softmax rows {nodes.shape} do not fit vectors "
                               f"{matrix.shape} (one row per inner node of the tree: {max(matrix.shape[0] - 2, 0)})")
    return nodes


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
    expected = np.dtype(ARRAY_DTYPES[name])
    if array.dtype.kind != expected.kind or array.dtype.itemsize != expected.itemsize:
        raise ModelFormatError(f"{path}: holds {array.dtype} values where {expected} are expected")
    if expected.kind == "f":
        _check_finite(path, array)
    return array


def _check_finite(path: Path, array: np.ndarray) -> None:
    row = first_non_finite_row(array)
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
    raise TypeError(f"cannot store {type(value).__name__} in JSON")

