"""Classifier directories: a text classifier (fastText's supervised model) in open formats.

:func:`save_classifier_dir` writes, and :func:`load_classifier_dir` reads back
(the matrices memory-mapped):

- ``input.npy``: float32, the input rows: one per word, then one per hash
  bucket (word and character n-grams); a text's vector is the mean of its rows;
- ``output.npy``: float32, one row per label (for ``hs``, the inner nodes of
  the label tree);
- ``words.txt`` and ``labels.txt``: the dictionary, one token a line (UTF-8 as
  the text held it; a token never holds a newline), ``</s>`` among the words;
- ``word_counts.npy``, ``label_counts.npy``: int64, how often each was seen;
- ``classifier.json``: the settings (fastText's names, under ``"args"``),
  wordvec's parameters, training figures, the kernels that trained it, and the
  shape and SHA-256 of every other file.

No pickle anywhere. An existing directory is replaced only once the new one is
complete, and only when it holds nothing but such a classifier.

>>> import tempfile, numpy as np
>>> from wordvec.formats.fasttext_supervised import FastTextSupervised
>>> model = FastTextSupervised.from_arrays(["</s>", "tea"], ["__label__drink"], np.ones((2, 3)), np.ones((1, 3)))
>>> folder = save_classifier_dir(tempfile.mkdtemp() + "/clf", model, params={"dim": 3})
>>> sorted(p.name for p in folder.iterdir())
['classifier.json', 'input.npy', 'label_counts.npy', 'labels.txt', 'output.npy', 'word_counts.npy', 'words.txt']
>>> loaded, meta = load_classifier_dir(folder)
>>> loaded.words, loaded.labels, meta["params"]
([b'</s>', b'tea'], ['__label__drink'], {'dim': 3})
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import ModelFormatError, ParameterError
from ..outputs import atomic_directory
from .fasttext_supervised import FastTextSupervised, _check_model
from .model_dir import _json_default, _sha256

#: What ``classifier.json`` says it is.
FORMAT_NAME = "wordvec-classifier"
FORMAT_VERSION = 1
_ARRAYS = {"input": "float32", "output": "float32", "word_counts": "int64", "label_counts": "int64"}
_TOKEN_FILES = ("words", "labels")
_FINITE_BLOCK = 1 << 20  # values of a mapped matrix read and checked at a time
#: Every file a classifier directory holds.
CLASSIFIER_FILES = frozenset({"classifier.json"} | {f"{n}.npy" for n in _ARRAYS} | {f"{n}.txt" for n in _TOKEN_FILES})


def is_classifier_dir(path) -> bool:
    """Whether ``path`` is a folder holding a ``classifier.json``."""
    return (Path(path) / "classifier.json").is_file()


def foreign_to_classifier(directory) -> list[str]:
    """The entries of ``directory`` that a classifier directory does not hold (what replacing it would lose)."""
    return sorted(p.name for p in Path(directory).iterdir() if p.name not in CLASSIFIER_FILES)


def save_classifier_dir(directory, model: FastTextSupervised, *, params: dict | None = None,
                        info: dict | None = None) -> Path:
    """Write a dense classifier as a classifier directory (see the module); returns its path.

    Raises
    ------
    ParameterError
        A quantized model (its matrices are codes: export it as ``.ftz``
        instead), or ``directory`` is a file.
    """
    directory = Path(directory)
    if model.quantized or not isinstance(model.output, np.ndarray):
        raise ParameterError("a quantized classifier is saved as a fastText .ftz file, not a classifier directory")
    if directory.exists() and not directory.is_dir():
        raise ParameterError(f"{directory} exists and is not a directory")
    with atomic_directory(directory, "classifier directory", foreign=foreign_to_classifier) as staging:
        arrays = {"input": model.input, "output": model.output, "word_counts": model.word_counts,
                  "label_counts": model.label_counts}
        files = {name: _save_array(staging / f"{name}.npy", np.asarray(array, _ARRAYS[name]))
                 for name, array in arrays.items()}
        for name, tokens in zip(_TOKEN_FILES, (model.words, model.labels_raw)):
            (staging / f"{name}.txt").write_bytes(b"".join(token + b"\n" for token in tokens))
            files[name] = {"file": f"{name}.txt", "count": len(tokens), "sha256": _sha256(staging / f"{name}.txt")}
        meta = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "loss": model.loss,
                "args": model.args, "ntokens": int(model.ntokens), "params": params or {}, "info": info or {},
                "files": files}
        with open(staging / "classifier.json", "w", encoding="utf-8") as handle:
            json.dump(meta, handle, indent=2, default=_json_default)
    return directory


def load_classifier_dir(directory, *, mmap: bool = True, verify: bool = True) -> tuple[FastTextSupervised, dict]:
    """Read a classifier directory: the model (matrices memory-mapped where ``mmap``) and ``classifier.json``.

    Raises
    ------
    ModelFormatError
        One line naming the file: missing, corrupted (checksum), or not
        matching the other files.
    """
    directory = Path(directory)
    meta = _read_meta(directory / "classifier.json")
    files = meta["files"]
    arrays = {name: _load_array(directory, name, files.get(name), mmap, verify) for name in _ARRAYS}
    words, labels = (_load_tokens(directory, name, files.get(name), verify) for name in _TOKEN_FILES)
    model = FastTextSupervised(dict(meta["args"]), words, np.asarray(arrays["word_counts"]), labels,
                               np.asarray(arrays["label_counts"]), int(meta["ntokens"]), None, arrays["input"],
                               arrays["output"])
    def refuse(message: str):
        raise ModelFormatError(f"{directory}: {message}")

    _check_model(model, refuse, check_values=False)  # checked block by block as the files were read
    return model, meta


def _read_meta(path: Path) -> dict:
    if not path.is_file():
        raise ModelFormatError(f"{path}: missing (not a classifier directory)")
    try:
        with open(path, encoding="utf-8") as handle:
            meta = json.load(handle)
    except (ValueError, UnicodeDecodeError) as err:
        raise ModelFormatError(f"{path}: not valid JSON ({err})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise ModelFormatError(f"{path}: not a wordvec classifier (format {FORMAT_NAME!r} expected)")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelFormatError(f"{path}: format version {meta.get('format_version')!r}; this wordvec reads "
                               f"{FORMAT_VERSION} (upgrade wordvec)")
    for key, kind in (("args", dict), ("files", dict), ("ntokens", int)):
        if not isinstance(meta.get(key), kind):
            raise ModelFormatError(f"{path}: {key!r} missing or not a {kind.__name__}")
    return meta


def _load_array(directory: Path, name: str, spec, mmap: bool, verify: bool) -> np.ndarray:
    path = directory / f"{name}.npy"
    _check_file(path, spec, verify)
    try:
        array = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (ValueError, OSError, EOFError) as err:
        raise ModelFormatError(f"{path}: unreadable ({err})") from None
    if list(array.shape) != list(spec.get("shape", [])) or array.dtype != np.dtype(_ARRAYS[name]):
        raise ModelFormatError(f"{path}: {array.dtype} {list(array.shape)} where {_ARRAYS[name]} "
                               f"{spec.get('shape')} was saved")
    if array.dtype.kind == "f" and array.size and not _all_finite(path, array):
        raise ModelFormatError(f"{path}: holds NaN or infinite values")
    return array


def _all_finite(path: Path, array: np.ndarray) -> bool:
    """Whether a float array holds no NaN and no infinity, checked a block of values at a time.

    A memory-mapped array is checked through reads of its file, not through the
    mapping: the check then leaves none of its pages resident in this process.

    >>> _all_finite(Path("unused"), np.array([[1.0, 2.0], [3.0, np.inf]]))
    False
    """
    if not isinstance(array, np.memmap):
        flat = array.reshape(-1)
        return all(np.isfinite(flat[i:i + _FINITE_BLOCK]).all() for i in range(0, flat.shape[0], _FINITE_BLOCK))
    with open(path, "rb") as handle:
        handle.seek(array.offset)
        while True:
            block = np.fromfile(handle, dtype=array.dtype, count=_FINITE_BLOCK)
            if not block.size:
                return True
            if not np.isfinite(block).all():
                return False


def _load_tokens(directory: Path, name: str, spec, verify: bool) -> list:
    path = directory / f"{name}.txt"
    _check_file(path, spec, verify)
    tokens = path.read_bytes().split(b"\n")
    if tokens[-1] != b"" or len(tokens) - 1 != spec.get("count"):
        raise ModelFormatError(f"{path}: {len(tokens) - 1} lines where {spec.get('count')} were saved")
    return tokens[:-1]


def _check_file(path: Path, spec, verify: bool) -> None:
    if not isinstance(spec, dict):
        raise ModelFormatError(f"{path.parent / 'classifier.json'}: says nothing of {path.name}")
    if not path.is_file():
        raise ModelFormatError(f"{path}: missing" if not path.exists() else f"{path}: not a regular file")
    if verify and _sha256(path) != spec.get("sha256"):
        raise ModelFormatError(f"{path}: checksum mismatch (the file is truncated or corrupted)")


def _save_array(path: Path, array: np.ndarray) -> dict:
    np.save(path, np.ascontiguousarray(array), allow_pickle=False)
    return {"file": path.name, "shape": list(array.shape), "dtype": str(array.dtype), "sha256": _sha256(path)}
