"""``model.json``, the description of a model directory: read defensively and checked against its schema.

Any file may sit where a ``model.json`` is expected: it is read only up to
:data:`MAX_META_BYTES`, nested at most :data:`MAX_META_DEPTH` levels, and
every field a reader uses is checked (kind, range, plain file names for the
arrays) before any array is opened. Fields this version does not know are
ignored.

>>> import tempfile, pathlib, json
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "model.json").write_text(json.dumps({"format": FORMAT_NAME, "format_version": 1, "arrays": []}))
>>> try:
...     read_meta(folder, newest=2)
... except ModelFormatError as err:
...     print(str(err).split(": ", 1)[1])
arrays must be an object of name -> {file, shape, sha256}, not a list
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np

from ..errors import ModelFormatError

#: The ``"format"`` of every ``model.json`` wordvec writes.
FORMAT_NAME = "wordvec-model"
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
ARRAY_DTYPES = {"vectors": np.float32, "output": np.float32, "ngrams": np.float32, "buckets": np.int32, "hs": np.float32}


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


def read_meta(directory: Path, newest: int) -> dict:
    """``directory``'s ``model.json``, parsed and checked against :data:`_META_SCHEMA`; ``newest`` is the
    newest format version the caller reads."""
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
    if meta["format_version"] > newest:
        raise ModelFormatError(
            f"{directory}: model format version {meta['format_version']} is newer than this wordvec reads "
            f"({newest}); upgrade wordvec")
    for name, spec in meta["arrays"].items():
        if name not in ARRAY_DTYPES:
            raise ModelFormatError(f"{meta_path}: unknown array {_shown(name)} (a model holds "
                                   f"{', '.join(ARRAY_DTYPES)})")
        _check_fields(meta_path, f"arrays.{name}", spec, _ARRAY_SCHEMA)
    if meta.get("subwords") is not None:
        _check_fields(meta_path, "subwords", meta["subwords"], _SUBWORD_SCHEMA)
    return meta

