"""Files and folders: the files a list of sources names, folders expanded; the shipped sample.

A folder is read file by file in sorted order (its subfolders too), skipping hidden files and the
side files that Hugging Face ``datasets``, Spark, Dask and Hadoop write beside their data
(:data:`SIDE_FILES`, names starting with ``_committed_`` or ``_started_``, and ``*.crc``).

>>> [path.name for path in files(default_corpus())]
['finefoods_sample.txt.gz', 'fine_food_reviews_1k.csv.gz']
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Iterable

from ..errors import CorpusError

#: File names skipped inside folders: what ``datasets``, Spark, Dask and Hadoop write beside the data.
SIDE_FILES = frozenset({"_SUCCESS", "_metadata", "_common_metadata", "state.json", "dataset_info.json",
                        "dataset_dict.json"})

_SIDE_FILE_PREFIXES = ("_committed_", "_started_")


def default_corpus() -> list[Path]:
    """The review sample shipped with wordvec (2,000 real Amazon Fine Foods reviews, CC0)."""
    folder = resources.files("wordvec") / "data" / "finefoods"
    return [Path(str(folder / "finefoods_sample.txt.gz")), Path(str(folder / "fine_food_reviews_1k.csv.gz"))]


def _is_side_file(path: Path) -> bool:
    name = path.name
    return (name.startswith(".") or name in SIDE_FILES or name.startswith(_SIDE_FILE_PREFIXES)
            or name.endswith(".crc"))


def _files_in_folder(folder: Path) -> list[Path]:
    found = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not found:
        raise CorpusError(f"no files in directory: {folder}")
    corpus_files = [p for p in found if not _is_side_file(p)]
    if not corpus_files:
        shown = ", ".join(p.name for p in found[:5])
        raise CorpusError(f"no corpus files in directory: {folder} (only side files: {shown})")
    return corpus_files


def files(sources: Iterable) -> list[Path]:
    """The files of ``sources`` (files and folders), in order; a missing one, or none, is one line."""
    found = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            found.extend(_files_in_folder(path))
        elif path.exists():
            found.append(path)
        else:
            raise CorpusError(f"no such file or directory: {path}")
    if not found:
        raise CorpusError("no corpus given")
    return found
