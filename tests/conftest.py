"""Shared fixtures: the review files the tests read, built from the data the package ships, and the
trained models several test files use (``trained_model_dir``, ``subword_model``), each trained once.

Every test runs from a clone of the repository alone. ``../shared/data`` (or the folder named by
``WORDVEC_SHARED_DATA``) is only read, where present, for extra checks: see the ``shared_file`` fixture.
No test reaches the user's real cache, home or temporary folder: see ``private_folders`` in the
root ``conftest.py``, which also holds the rules for collecting the doctests of ``src/wordvec``.
"""

from __future__ import annotations

import csv
import gzip
import os
import shutil
from pathlib import Path

import pytest

from wordvec.readers import default_corpus, iter_documents

# The Numba kernels the tests hold the C kernels against: no test or doctest in it, and collecting it
# would import Numba in every run (see ``oracles.py``, which imports it on first use).
collect_ignore = ["oracle_kernels.py"]

SHARED_DATA = Path(os.environ.get("WORDVEC_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")

KAGGLE_COLUMNS = ["Id", "ProductId", "UserId", "ProfileName", "HelpfulnessNumerator", "HelpfulnessDenominator",
                  "Score", "Time", "Summary", "Text"]


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


# -- trained models, made once per session -----------------------------------------------------------
#
# Each is trained once and handed out so that no test can change what the next one sees: a model
# directory is copied for every test, the arrays of a model in memory are read-only.

MODEL_ARGS = ["--dim", "16", "--epochs", "1", "--seed", "1"]
SUBWORD_SETTINGS = dict(engine="subword", dim=16, epochs=1, buckets=20000, threads=1, seed=3, progress=False)


@pytest.fixture(scope="session")
def _trained_model_dir(tmp_path_factory) -> Path:
    """The model directory ``wordvec train --out DIR`` + ``MODEL_ARGS`` makes; never handed out as it is."""
    from wordvec.cli import main

    out = tmp_path_factory.mktemp("trained") / "model"
    assert main(["train", "--out", str(out), *MODEL_ARGS, "--quiet"]) == 0
    return out


@pytest.fixture
def trained_model_dir(_trained_model_dir, tmp_path_factory) -> Path:
    """A copy, this test's own, of a model directory of the embedded sample (word2vec skip-gram).

    Trained once by the command line with ``MODEL_ARGS``: dim 16, 1 epoch, seed 1, the default
    ``min_count`` (5), so 2,385 words, ``UNK`` first with a zero vector. The copy lies alone in a
    folder of its own (not in ``tmp_path``), named ``model``.
    """
    target = tmp_path_factory.mktemp("model") / "model"
    shutil.copytree(_trained_model_dir, target)
    return target


@pytest.fixture(scope="session")
def subword_model():
    """A subword (fastText) model of the embedded sample, trained once with ``SUBWORD_SETTINGS``.

    Dim 16, 1 epoch, 20,000 buckets, n-grams of 3 to 6 characters, 1 thread, seed 3. Shared by the
    whole session, so its arrays (word rows, n-gram rows, buckets, output weights) are read-only:
    save or export it to change a copy.
    """
    from wordvec.model import Word2Vec

    model = Word2Vec(**SUBWORD_SETTINGS).fit(iter_documents(default_corpus()))
    vectors = model.vectors_
    for array in (vectors.word_rows, vectors.ngram_rows, vectors.bucket_rows, vectors.counts,
                  model.output_weights_):
        array.flags.writeable = False
    return model


@pytest.fixture(params=["generic", "avx2", "avx512"])
def vector_code(request):
    """Each vector code of the compiled kernels this CPU can run, in turn (AVX2 where it has that and
    not AVX-512, AVX-512 where it has that); the CPU's own choice afterwards."""
    from wordvec.kernels import library

    library.use_generic(request.param == "generic")
    try:
        if library.vector_code() != request.param:
            pytest.skip(f"this CPU does not run the {request.param} code")
        yield request.param
    finally:
        library.use_generic(False)
