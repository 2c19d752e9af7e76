"""Shared fixtures: the review files the tests read, built from the data the package ships.

Every test runs from a clone of the repository alone. ``../shared/data`` (or the folder named by
``WORDVEC_SHARED_DATA``) is only read, where present, for extra checks: see the ``shared_file`` fixture.
No test reaches the user's real cache, home or temporary folder: see ``private_folders``.
"""

from __future__ import annotations

import csv
import gzip
import os
import tempfile
from pathlib import Path

import pytest

from wordvec.readers import default_corpus

SHARED_DATA = Path(os.environ.get("WORDVEC_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")

KAGGLE_COLUMNS = ["Id", "ProductId", "UserId", "ProfileName", "HelpfulnessNumerator", "HelpfulnessDenominator",
                  "Score", "Time", "Summary", "Text"]


@pytest.fixture(scope="session", autouse=True)
def private_folders(tmp_path_factory):
    """The per-user cache, the home folder and the temporary folder, made private to this test run.

    ``XDG_CACHE_HOME`` and ``HOME`` (which ``platformdirs`` reads), ``TMPDIR`` and ``tempfile.tempdir`` point
    at folders under pytest's own temporary folder, so models rescued by a failing save, downloads and
    temporary files of the tests never land in the user's real folders (``WORDVEC_CACHE`` is unset for the
    same reason). Returns ``{"cache", "home", "tmp"}``.
    """
    root = tmp_path_factory.mktemp("private")
    folders = {name: root / name for name in ("cache", "home", "tmp")}
    for folder in folders.values():
        folder.mkdir()
    patch = pytest.MonkeyPatch()
    patch.setenv("XDG_CACHE_HOME", str(folders["cache"]))
    patch.setenv("HOME", str(folders["home"]))
    patch.setenv("TMPDIR", str(folders["tmp"]))
    patch.setattr(tempfile, "tempdir", str(folders["tmp"]))
    patch.delenv("WORDVEC_CACHE", raising=False)
    yield folders
    patch.undo()


@pytest.fixture(scope="session")
def shared_file():
    """``shared_file("eval/x.txt")``: that file of ``../shared/data`` where it exists, else None.

    For extra checks only, never a test's only check: the suite runs without ``../shared``.
    """
    def find(relative: str) -> Path | None:
        path = SHARED_DATA / relative
        return path if path.is_file() else None

    return find


def _snap_records(path: Path) -> list[dict[str, str]]:
    """The ``key: value`` records of a SNAP file, values as written (no cleaning)."""
    with gzip.open(path, "rt", encoding="utf-8", newline="\n") as handle:
        blocks = [block for block in handle.read().split("\n\n") if block.strip()]
    records = []
    for block in blocks:
        record = {}
        for line in block.split("\n"):
            key, _, value = line.partition(": ")
            record[key] = value
        records.append(record)
    return records


def write_kaggle_csv(snap: Path, out: Path) -> Path:
    """Write the reviews of a SNAP file in the Kaggle ``Reviews.csv`` layout, as Kaggle ships it.

    A UTF-8 byte-order mark, the ten Kaggle columns, ``Id`` counting from 1, the helpfulness split
    in two columns, an integer score, and the texts as they are (``<br />`` tags and mojibake kept).
    From the packaged 1,000-review sample this gives ``Reviews_sample.csv`` byte for byte.
    """
    with open(out, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(KAGGLE_COLUMNS)
        for number, record in enumerate(_snap_records(snap), start=1):
            helpful, total = record["review/helpfulness"].split("/")
            writer.writerow([number, record["product/productId"], record["review/userId"],
                             record["review/profileName"], helpful, total, int(float(record["review/score"])),
                             record["review/time"], record["review/summary"], record["review/text"]])
    return out


@pytest.fixture(scope="session")
def finefoods(tmp_path_factory) -> Path:
    """A folder laid out as ``../shared/data/finefoods``, made from the package's review sample.

    - ``finefoods_sample.txt.gz``: the packaged SNAP sample (reviews Id 1-1000);
    - ``Reviews_sample.csv``: the same reviews in the Kaggle layout (``write_kaggle_csv``);
    - ``fine_food_reviews_1k.csv``: the packaged reduced CSV, uncompressed.
    """
    snap, reduced = default_corpus()
    folder = tmp_path_factory.mktemp("finefoods")
    (folder / "finefoods_sample.txt.gz").write_bytes(snap.read_bytes())
    (folder / "fine_food_reviews_1k.csv").write_bytes(gzip.decompress(reduced.read_bytes()))
    write_kaggle_csv(snap, folder / "Reviews_sample.csv")
    return folder
