"""Hostile models (issue 26): what is loaded is verified.

Each test damages a model the way an attacker or a broken disk would (the checksums recomputed so that
only the damage itself is seen), runs the command line, and expects exit status 1, one line naming the
file, no traceback and no warning; the model or checkpoint is still there afterwards.

- defect 8: NaN or infinity in ``vectors.npy``, ``output.npy``, ``ngrams.npy`` or a fastText ``.bin``;
- defect 9: ``model.json`` not matching its schema (types, 100,000-deep nesting, oversized);
- defect 12: array paths outside the model directory;
- defects 9 and 17: a checkpoint whose ``reading``, ``corpus``, ``params``, ``info`` or epochs are wrong;
- defect 17: ``format_version`` 1.0, "2" or true;
- defect 18: the zero vector's neighbours (``similar base UNK``, an analogy ``coffee - coffee``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import warnings
from pathlib import Path

import numpy as np
import pytest

from wordvec.cli import main
from wordvec.formats import load_model, save_fasttext, save_model, save_word2vec
from wordvec.vectors import SubwordVectors, Vectors, ZeroVectorError

MARKER = 12345.0  # a value written in one row of the fastText file, found again to be damaged


@pytest.fixture
def base(trained_model_dir) -> Path:
    """A 1-epoch model of the embedded sample (small: dim 16); its UNK row is zero (tests/conftest.py)."""
    return trained_model_dir


@pytest.fixture(scope="session")
def subword_model(tmp_path_factory) -> Path:
    words = ["UNK", "coffee", "tea", "cup"]
    rng = np.random.default_rng(3)
    vectors = SubwordVectors(words, rng.normal(size=(4, 4)).astype(np.float32),
                             rng.normal(size=(5, 4)).astype(np.float32), np.arange(5, dtype=np.int32),
                             min_n=3, max_n=4, unknown="UNK")
    return save_model(tmp_path_factory.mktemp("hostile") / "subwords", vectors,
                      output_weights=rng.normal(size=(4, 4)).astype(np.float32))


def run(capsys, *argv) -> tuple[int, str]:
    """Exit status and standard error of the command line, every warning an error."""
    capsys.readouterr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


def assert_refused(code: int, err: str, expected: str) -> None:
    assert code == 1, err
    assert err.startswith("wordvec: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert expected in err, err


def copy(model: Path, tmp_path: Path, name: str = "model") -> Path:
    target = tmp_path / name
    shutil.copytree(model, target)
    return target


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def edit_meta(model: Path, edit) -> None:
    meta_path = model / "model.json"
    meta = json.loads(meta_path.read_text())
    edit(meta)
    meta_path.write_text(json.dumps(meta))


def put_in_array(model: Path, name: str, value: float, row: int = 2) -> None:
    """Write ``value`` into one row of an array of ``model``, the checksum in model.json updated to match."""
    path = model / f"{name}.npy"
    array = np.load(path)
    array[row, 1] = value
    np.save(path, array)
    edit_meta(model, lambda meta: meta["arrays"][name].update(sha256=sha256(path)))


# -- defect 8: NaN and infinity ----------------------------------------------------------------

@pytest.mark.parametrize("model, array, value", [
    ("base", "vectors", np.nan),
    ("base", "vectors", np.inf),
    ("base", "output", -np.inf),
    ("subword_model", "ngrams", np.nan),
    ("subword_model", "vectors", np.inf),
])
@pytest.mark.parametrize("command", ["similar", "export"])
def test_nan_or_inf_in_a_model_directory_is_refused(request, tmp_path, capsys, model, array, value, command):
    damaged = copy(request.getfixturevalue(model), tmp_path)
    put_in_array(damaged, array, value)
    out = tmp_path / "out.txt"
    export = ["export", damaged, "--format", "word2vec", "--out", out]
    code, err = run(capsys, *(["similar", damaged, "coffee"] if command == "similar" else export))
    assert_refused(code, err, f"{damaged / f'{array}.npy'}: holds NaN or infinite values")
    assert not out.exists() and (damaged / "model.json").exists()


def _fasttext_file(tmp_path: Path, value: float) -> Path:
    rows = np.ones((4, 3), np.float32)
    rows[2, 1] = MARKER
    vectors = SubwordVectors(["UNK", "coffee", "tea", "cup"], rows, np.ones((2, 3), np.float32),
                             np.array([0, 1, -1], np.int32), min_n=3, max_n=4, unknown="UNK")
    path = tmp_path / "vectors.bin"
    save_fasttext(vectors, path)
    data = path.read_bytes()
    assert data.count(struct.pack("<f", MARKER)) == 1
    path.write_bytes(data.replace(struct.pack("<f", MARKER), struct.pack("<f", value)))
    return path


def _word2vec_file(tmp_path: Path, value: float) -> Path:
    path = tmp_path / "vectors.txt"
    save_word2vec(Vectors(["coffee", "tea", "cup"], np.ones((3, 2), np.float32)), path)
    path.write_text(path.read_text().replace("tea 1 1", f"tea 1 {value}"))
    return path


@pytest.mark.parametrize("write, value, expected", [
    (_fasttext_file, np.nan, "holds NaN or infinite values (the vector of word 2)"),
    (_fasttext_file, -np.inf, "holds NaN or infinite values (the vector of word 2)"),
    (_word2vec_file, np.nan, "line 3: NaN or infinite values"),
])
def test_nan_or_inf_in_a_vectors_file_is_refused(tmp_path, capsys, write, value, expected):
    path = write(tmp_path, value)
    code, err = run(capsys, "similar", path, "coffee")
    assert_refused(code, err, f"{path}")
    assert expected in err


# -- defects 9, 12 and 17: model.json against its schema -----------------------------------------

def _set(*keys_and_value):
    *keys, value = keys_and_value

    def edit(meta):
        for key in keys[:-1]:
            meta = meta[key]
        meta[keys[-1]] = value
    return edit


WHOLE = "must be a whole number of at least 1"
SCHEMA_CASES = {
    "arrays is a list": (_set("arrays", [1, 2]), "arrays must be an object of name -> {file, shape, sha256}, not a"),
    "arrays is a string": (_set("arrays", "vectors.npy"), "arrays must be an object"),
    "arrays is empty": (_set("arrays", {}), "arrays must be an object"),
    "array entry is a list": (_set("arrays", "vectors", []), "arrays.vectors must be an object, not a list"),
    "file is 5": (_set("arrays", "vectors", "file", 5), "arrays.vectors.file must be a file name"),
    "file is null": (_set("arrays", "vectors", "file", None), "arrays.vectors.file must be a file name"),
    "file missing": (lambda meta: meta["arrays"]["vectors"].pop("file"), "missing entry 'arrays.vectors.file'"),
    "shape is a string": (_set("arrays", "vectors", "shape", "2385x16"), "arrays.vectors.shape must be a list"),
    "negative shape": (_set("arrays", "vectors", "shape", [-1, 16]), "arrays.vectors.shape must be a list"),
    "sha256 is a number": (_set("arrays", "vectors", "sha256", 5), "arrays.vectors.sha256 must be 64 hexadecimal"),
    "unknown array": (_set("arrays", "extra", {}), "unknown array 'extra'"),
    "params is a list": (_set("params", [1]), "params must be an object, not a list"),
    "info is a string": (_set("info", "x"), "info must be an object"),
    "n_words is a string": (_set("n_words", "many"), "n_words must be a whole number"),
    "n_words is wrong": (_set("n_words", 7), "n_words is 7, but the arrays hold"),
    "subwords is a list": (_set("subwords", [3, 6]), "subwords must be an object or null, not a list"),
    "format_version 1.0": (_set("format_version", 1.0), f"format_version {WHOLE}, not 1.0"),
    "format_version '2'": (_set("format_version", "2"), f"format_version {WHOLE}, not '2'"),
    "format_version true": (_set("format_version", True), f"format_version {WHOLE}, not true"),
    "format_version 0": (_set("format_version", 0), f"format_version {WHOLE}, not 0"),
    "deep nesting in info": (_set("info", "x", json.loads("[" * 200 + "]" * 200)), "nested deeper than"),
}


@pytest.mark.slow
@pytest.mark.parametrize("edit, expected", SCHEMA_CASES.values(), ids=SCHEMA_CASES.keys())
def test_model_json_must_match_its_schema(base, tmp_path, capsys, edit, expected):
    damaged = copy(base, tmp_path)
    edit_meta(damaged, edit)
    code, err = run(capsys, "similar", damaged, "coffee")
    assert_refused(code, err, f"{damaged / 'model.json'}: {expected}")
    assert "newer than" not in err


def _deep(model: Path) -> None:
    (model / "model.json").write_text("[" * 100_000 + "]" * 100_000)


def _oversized(model: Path) -> None:
    (model / "model.json").write_text('{"format": "wordvec-model", "pad": "' + "x" * (16 << 20) + '"}')


def _device(name: str):
    def replace(model: Path) -> None:
        (model / name).unlink()
        (model / name).symlink_to("/dev/zero")
    return replace


@pytest.mark.parametrize("damage, file, expected", [
    (_deep, "model.json", "corrupted (maximum recursion depth exceeded"),
    (_oversized, "model.json", "larger than 16 MiB"),
    (_device("model.json"), "model.json", "not a regular file"),
    (_device("vocab.tsv"), "vocab.tsv", "not a regular file"),
    (_device("vectors.npy"), "vectors.npy", "not a regular file"),
])
def test_unparsable_oversized_or_endless_files_are_one_line(base, tmp_path, capsys, damage, file, expected):
    damaged = copy(base, tmp_path)
    damage(damaged)
    code, err = run(capsys, "similar", damaged, "coffee")
    assert_refused(code, err, f"{damaged / file}: {expected}")


@pytest.mark.parametrize("name", ["absolute", "../elsewhere/vectors.npy", "sub/vectors.npy", ".."])
def test_array_paths_stay_inside_the_model_directory(base, tmp_path, capsys, name):
    damaged = copy(base, tmp_path)
    outside = copy(base, tmp_path, "elsewhere")
    (damaged / "sub").mkdir()
    shutil.copy(base / "vectors.npy", damaged / "sub" / "vectors.npy")
    name = str(outside / "vectors.npy") if name == "absolute" else name
    edit_meta(damaged, _set("arrays", "vectors", "file", name))  # the checksum matches the file named
    code, err = run(capsys, "similar", damaged, "coffee")
    assert_refused(code, err, "arrays.vectors.file must be a file name in the model directory (no directory part)")
    assert (outside / "vectors.npy").exists()


# -- defects 9 and 17: checkpoints given to train --resume -----------------------------------------

def _reading(key, value):
    return _set("info", "reading", key, value)


CHECKPOINT_CASES = {
    "reading is a list": (_set("info", "reading", [1]), "info.reading must be an object, not list"),
    "reading is a string": (_set("info", "reading", "auto"), "info.reading must be an object, not str"),
    "corpus is a string": (_reading("corpus", "corpus.txt"), "info.reading.corpus must be a list of paths"),
    "corpus holds numbers": (_reading("corpus", [1, 2]), "info.reading.corpus must be a list of paths"),
    "format is a number": (_reading("format", 5), "info.reading.format must be auto or snap"),
    "phrases is a string": (_reading("phrases", "2"), "info.reading.phrases must be 0, 1 or 2, not '2'"),
    "include_summary is a string": (_reading("include_summary", "no"), "info.reading.include_summary must be"),
    "params is a list": (_set("params", [1]), "params must be an object, not a list"),
    "params dim is a string": (_set("params", "dim", "x"), "its saved parameters are not valid: invalid dim='x'"),
    "params dim differs": (_set("params", "dim", 64), "its parameters say dim=64, but its vectors have 16"),
    "info is a list": (_set("info", [1]), "info must be an object, not a list"),
    "epochs_done 99": (_set("info", "epochs_done", 99), "its epochs_done is 99"),
    "epochs_done -3": (_set("info", "epochs_done", -3), "its epochs_done is -3"),
    "99 epochs of a 1-epoch run": (lambda meta: meta["info"].update(epochs_done=99, epoch_losses=[0.5] * 99),
                                   "it records 99 epochs done, more than the 1 of its run"),
    "epoch_losses is a string": (_set("info", "epoch_losses", "0.5"), "its epoch_losses must be a list of finite"),
}


@pytest.mark.slow
@pytest.mark.parametrize("edit, expected", CHECKPOINT_CASES.values(), ids=CHECKPOINT_CASES.keys())
def test_a_damaged_checkpoint_is_refused_before_any_work(base, tmp_path, capsys, edit, expected):
    out = tmp_path / "run"
    checkpoint = copy(base, out, "checkpoint")
    edit_meta(checkpoint, edit)
    before = (checkpoint / "model.json").read_bytes()
    code, err = run(capsys, "train", "--resume", out, "--quiet")
    assert_refused(code, err, expected)
    assert str(checkpoint) in err
    assert (checkpoint / "model.json").read_bytes() == before and not (out / "model.json").exists()


# -- defect 18: the zero vector has no neighbours -------------------------------------------------

ZERO = "this vector is zero: it has no direction, so no neighbours"


def test_the_zero_vector_has_no_neighbours_on_the_command_line(base, capsys):
    assert not load_model(base).vectors["UNK"].any()
    code, err = run(capsys, "similar", base, "UNK")
    assert_refused(code, err, f"'UNK': {ZERO}")


@pytest.mark.parametrize("method, query", [
    ("most_similar", dict(positive="UNK")),
    ("most_similar", dict(positive="coffee", negative="coffee")),
    ("most_similar", dict(positive=["coffee", "tea"], negative=["tea", "coffee"])),
    ("most_similar_cosmul", dict(positive="UNK")),
    ("most_similar_cosmul", dict(positive="coffee", negative="UNK")),
])
def test_the_zero_vector_has_no_neighbours_in_python(base, method, query):
    vectors = load_model(base, mmap=True).vectors
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ZeroVectorError, match=ZERO):
            getattr(vectors, method)(**query)


def test_the_zero_vector_has_no_neighbours_in_the_explorer(base, tmp_path):
    pytest.importorskip("flask", reason="the explorer needs flask")
    from wordvec.explore import create_app

    app = create_app(copy(base, tmp_path), top=30, progress=False)  # a copy: the map is cached beside it
    app.extensions["wordvec_explorer"].map.result(timeout=60)
    client = app.test_client()
    for url in ("/api/analogy?positive=coffee&negative=coffee", "/api/similar?word=UNK"):
        response = client.get(url)
        assert response.status_code == 400, response.get_json()
        assert ZERO in response.get_json()["error"]
    assert client.get("/api/analogy?positive=coffee&negative=tea").status_code == 200
