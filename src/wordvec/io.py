"""Saving and loading models and vectors, in open formats only (no pickle anywhere).

A model directory holds:

- ``vectors.npy``: the word vectors, float32, row ``i`` for word ``i`` (loadable memory-mapped);
- ``output.npy``: the context weights, kept so training can continue (optional);
- ``vocab.tsv``: ``word<TAB>count`` per row, row 0 ``UNK``;
- ``model.json``: format version, engine, the parameters used, training figures,
  and the shape and SHA-256 of each array file.

Vectors also go to and come from the word2vec text and binary formats that
gensim's ``KeyedVectors.load_word2vec_format`` reads, and to TSV.

>>> import tempfile, numpy as np
>>> from wordvec.vectors import Vectors
>>> v = Vectors(["tea", "cup"], np.ones((2, 3), dtype=np.float32))
>>> path = tempfile.mkdtemp() + "/v.txt"
>>> save_word2vec(v, path)
>>> load_word2vec(path).words
['tea', 'cup']
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._atomic import atomic_open, current_umask
from .errors import ModelFormatError, ParameterError
from .vectors import Vectors

FORMAT_NAME = "wordvec-model"
FORMAT_VERSION = 1
EXPORT_FORMATS = ("word2vec", "word2vec-binary", "tsv")
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
    """Write a model directory; an existing one is replaced only once the new one is complete."""
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ParameterError(f"{directory} exists and is not a directory")
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        arrays = {"vectors": np.asarray(vectors.matrix, dtype=np.float32)}
        if output_weights is not None:
            arrays["output"] = np.asarray(output_weights, dtype=np.float32)
        files = {}
        for name, array in arrays.items():
            path = staging / f"{name}.npy"
            with open(path, "wb") as handle:
                np.save(handle, array, allow_pickle=False)
                handle.flush()
                os.fsync(handle.fileno())
            files[name] = {"file": path.name, "shape": list(array.shape), "sha256": _sha256(path)}
        counts = vectors.counts if vectors.counts is not None else np.zeros(len(vectors), dtype=np.int64)
        with open(staging / "vocab.tsv", "w", encoding="utf-8", newline="\n") as handle:
            for word, count in zip(vectors.words, counts.tolist()):
                handle.write(f"{word}\t{count}\n")
        meta = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "engine": engine,
            "unknown": vectors.unknown,
            "n_words": len(vectors),
            "dim": vectors.dim,
            "params": params or {},
            "info": info or {},
            "arrays": files,
            "vocab_sha256": _sha256(staging / "vocab.tsv"),
        }
        with open(staging / "model.json", "w", encoding="utf-8") as handle:
            json.dump(meta, handle, indent=2, default=_json_default)
        os.chmod(staging, 0o777 & ~current_umask())
        _swap_in(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return directory


def _swap_in(staging: Path, directory: Path) -> None:
    """Put ``staging`` in place of ``directory``. Between the two renames a crash
    leaves the old version as ``.NAME.old.*``; :func:`_recover` puts it back."""
    if not directory.exists():
        os.replace(staging, directory)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old.", dir=directory.parent))
    os.rmdir(retired)
    os.replace(directory, retired)
    os.replace(staging, directory)
    shutil.rmtree(retired, ignore_errors=True)


def _recover(directory: Path) -> None:
    """Restore the previous version of a model directory whose replacement was cut short."""
    if directory.exists() or not directory.parent.is_dir():
        return
    retired = sorted(directory.parent.glob(f".{directory.name}.old.*"), key=lambda p: p.stat().st_mtime)
    if retired and (retired[-1] / "model.json").exists():
        os.replace(retired[-1], directory)


def load_model(directory, *, mmap: bool = False, verify: bool = True) -> SavedModel:
    """Read a model directory written by :func:`save_model`.

    Parameters
    ----------
    mmap : bool, default=False
        Memory-map the arrays read-only instead of reading them.
    verify : bool, default=True
        Check each file's SHA-256 against ``model.json``.
    """
    directory = Path(directory)
    _recover(directory)
    meta_path = directory / "model.json"
    if not directory.is_dir():
        raise ModelFormatError(f"no model directory at {directory}")
    if not meta_path.exists():
        raise ModelFormatError(f"{directory} is not a wordvec model (no model.json)")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as err:
        raise ModelFormatError(f"{meta_path}: corrupted ({err})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise ModelFormatError(f"{meta_path}: not a wordvec model description")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFormatError(
            f"{directory}: model format version {version} is newer than this wordvec reads "
            f"({FORMAT_VERSION}); upgrade wordvec")
    try:
        arrays = {name: _load_array(directory, spec, mmap, verify) for name, spec in meta["arrays"].items()}
        words, counts = _read_vocab(directory / "vocab.tsv", meta.get("vocab_sha256") if verify else None)
    except KeyError as err:
        raise ModelFormatError(f"{meta_path}: missing entry {err}") from None
    matrix = arrays.get("vectors")
    if matrix is None or matrix.ndim != 2:
        raise ModelFormatError(f"{directory}: no vectors array")
    if matrix.shape[0] != len(words):
        raise ModelFormatError(
            f"{directory}: the vocabulary has {len(words)} words but the matrix has {matrix.shape[0]} rows")
    output = arrays.get("output")
    if output is not None and output.shape != matrix.shape:
        raise ModelFormatError(f"{directory}: output weights {output.shape} do not match vectors {matrix.shape}")
    try:
        vectors = Vectors(words, matrix, counts=counts, unknown=meta.get("unknown"))
    except ParameterError as err:
        raise ModelFormatError(f"{directory}: {err}") from None
    return SavedModel(vectors, meta.get("params", {}), meta.get("engine", "native"), output, meta.get("info", {}))


def _load_array(directory: Path, spec: dict, mmap: bool, verify: bool) -> np.ndarray:
    path = directory / spec["file"]
    if not path.exists():
        raise ModelFormatError(f"{path}: missing")
    if verify and _sha256(path) != spec["sha256"]:
        raise ModelFormatError(f"{path}: checksum mismatch (the file is truncated or corrupted)")
    try:
        array = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (ValueError, OSError, EOFError) as err:
        raise ModelFormatError(f"{path}: unreadable ({err})") from None
    if list(array.shape) != list(spec["shape"]):
        raise ModelFormatError(f"{path}: shape {list(array.shape)} where {spec['shape']} was saved")
    return array


def _read_vocab(path: Path, expected_sha: str | None):
    if not path.exists():
        raise ModelFormatError(f"{path}: missing")
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


# -- word2vec and TSV -------------------------------------------------------

def _exported_rows(vectors: Vectors, include_unknown: bool) -> list[int]:
    return [i for i, w in enumerate(vectors.words) if include_unknown or w != vectors.unknown]


def save_word2vec(vectors: Vectors, path, *, binary: bool = False, include_unknown: bool = False) -> None:
    """Write the word2vec text (or binary) format; ``UNK`` is left out unless asked for."""
    rows = _exported_rows(vectors, include_unknown)
    matrix = np.asarray(vectors.matrix, dtype=np.float32)
    for i in rows:
        if not vectors.words[i] or any(c.isspace() for c in vectors.words[i]):
            raise ParameterError(f"word {vectors.words[i]!r} cannot be written in word2vec format (whitespace)")
    with atomic_open(path, "wb") as handle:
        handle.write(f"{len(rows)} {vectors.dim}\n".encode())
        for i in rows:
            if binary:
                handle.write(vectors.words[i].encode("utf-8") + b" " + matrix[i].tobytes() + b"\n")
            else:
                numbers = " ".join(f"{x:.6g}" for x in matrix[i].tolist())
                handle.write(f"{vectors.words[i]} {numbers}\n".encode("utf-8"))


def save_tsv(vectors: Vectors, path, *, include_unknown: bool = False) -> None:
    """Write ``word<TAB>x1<TAB>x2...`` per line, no header."""
    matrix = np.asarray(vectors.matrix, dtype=np.float32)
    with atomic_open(path, "w", encoding="utf-8", newline="\n") as handle:
        for i in _exported_rows(vectors, include_unknown):
            handle.write(vectors.words[i] + "\t" + "\t".join(f"{x:.6g}" for x in matrix[i].tolist()) + "\n")


def export_vectors(vectors: Vectors, path, format: str) -> None:
    """Export in one of :data:`EXPORT_FORMATS`."""
    if format == "word2vec":
        save_word2vec(vectors, path)
    elif format == "word2vec-binary":
        save_word2vec(vectors, path, binary=True)
    elif format == "tsv":
        save_tsv(vectors, path)
    else:
        raise ParameterError(f"unknown export format {format!r}: choose one of {', '.join(EXPORT_FORMATS)}")


def load_word2vec(path, *, binary: bool | None = None) -> Vectors:
    """Read the word2vec text or binary format (detected when ``binary`` is None)."""
    path = Path(path)
    if not path.is_file():
        raise ModelFormatError(f"no such file: {path}")
    with open(path, "rb") as handle:
        header = handle.readline()
        n_words, dim = _parse_header(path, header)
        if binary is None:
            binary = _looks_binary(handle, dim)
        reader = _read_binary_rows if binary else _read_text_rows
        words, matrix = reader(path, handle, n_words, dim)
    try:
        return Vectors(words, matrix)
    except ParameterError as err:
        raise ModelFormatError(f"{path}: {err}") from None


def _parse_header(path: Path, header: bytes) -> tuple[int, int]:
    parts = header.split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ModelFormatError(f"{path}, line 1: expected a header '<number of words> <dimension>'")
    n_words, dim = int(parts[0]), int(parts[1])
    if dim < 1:
        raise ModelFormatError(f"{path}, line 1: dimension must be at least 1")
    return n_words, dim


def _looks_binary(handle, dim: int) -> bool:
    position = handle.tell()
    sample = handle.read(4 * dim + 256)
    handle.seek(position)
    word_end = sample.find(b" ")
    if word_end < 0:
        return False
    body = sample[word_end + 1:]
    try:
        body[: 4 * dim].decode("ascii")
    except UnicodeDecodeError:
        return True
    return False


def _read_text_rows(path: Path, handle, n_words: int, dim: int):
    words = []
    matrix = np.empty((n_words, dim), dtype=np.float32)
    for number, raw in enumerate(handle, 2):
        if not raw.strip():
            continue
        if len(words) == n_words:
            raise ModelFormatError(f"{path}, line {number}: more rows than the {n_words} in the header")
        parts = raw.rstrip().split(b" ")
        if len(parts) != dim + 1:
            raise ModelFormatError(f"{path}, line {number}: expected a word and {dim} numbers, got {len(parts) - 1}")
        try:
            matrix[len(words)] = [float(x) for x in parts[1:]]
            words.append(parts[0].decode("utf-8"))
        except ValueError:
            raise ModelFormatError(f"{path}, line {number}: not a number among the values") from None
    if len(words) != n_words:
        raise ModelFormatError(f"{path}: the header promises {n_words} words but the file has {len(words)}")
    if not np.isfinite(matrix).all():
        raise ModelFormatError(f"{path}: the vectors hold NaN or infinite values")
    return words, matrix


def _read_binary_rows(path: Path, handle, n_words: int, dim: int):
    words = []
    matrix = np.empty((n_words, dim), dtype=np.float32)
    width = 4 * dim
    for row in range(n_words):
        word = bytearray()
        while True:
            ch = handle.read(1)
            if not ch:
                raise ModelFormatError(f"{path}: file ends in word {row + 1} of {n_words}")
            if ch == b" ":
                break
            if ch != b"\n" or word:
                word += ch
            if len(word) > 10000:
                raise ModelFormatError(f"{path}: word {row + 1} is not followed by its vector")
        data = handle.read(width)
        if len(data) != width:
            raise ModelFormatError(f"{path}: file ends in the vector of word {row + 1} of {n_words}")
        try:
            words.append(bytes(word).decode("utf-8"))
        except UnicodeDecodeError:
            raise ModelFormatError(f"{path}: word {row + 1} is not valid UTF-8") from None
        matrix[row] = np.frombuffer(data, dtype="<f4")
    if not np.isfinite(matrix).all():
        raise ModelFormatError(f"{path}: the vectors hold NaN or infinite values")
    return words, matrix


def load_vectors(path, *, mmap: bool = False) -> Vectors:
    """Vectors from a model directory or a word2vec text/binary file."""
    path = Path(path)
    if not path.exists():
        raise ModelFormatError(f"no model directory or vectors file at {path}")
    if path.is_dir():
        return load_model(path, mmap=mmap).vectors
    return load_word2vec(path)
