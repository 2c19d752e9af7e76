"""Issue 26, the output layer: wordvec never deletes or replaces what it did not write.

One table-driven test per defect of the hostile-input sweep that concerns outputs (1, 2, 10, 14, 15,
16, 17 in part, 19, 20), each run through ``wordvec.cli.main`` in ``tmp_path``: the exit code, the one
line on standard error, and what must still be there afterwards. Device nodes are made inside
``tmp_path`` (``mknod``, as root) or replaced by a FIFO: the machine's own ``/dev`` is never written.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import socket
import stat
import tempfile
import threading
from pathlib import Path

import numpy as np
import pytest

import wordvec.api as api
import wordvec.formats.model_dir as wio
from wordvec.cli import main
from wordvec.formats import load_model
from wordvec.model import Word2Vec

WORDS = "tea coffee milk sugar cup hot cold good bad taste flavor sweet bitter green black fresh".split()
FAST = ["--dim", "8", "--epochs", "1", "--min-count", "1", "--threads", "1", "--quiet"]


def _corpus_text(seed: int = 0, lines: int = 200) -> str:
    """Reviews of random words, one in five holding "peanut butter" (a phrase to find)."""
    rng = random.Random(seed)
    vocabulary = WORDS + [f"word{i}" for i in range(300)]
    return "".join(" ".join(rng.choices(vocabulary, k=8) + ["peanut", "butter"] * (i % 5 == 0)
                            + rng.choices(vocabulary, k=8)) + "\n" for i in range(lines))


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A 1-epoch model of a small corpus and its word2vec text export, made once."""
    folder = tmp_path_factory.mktemp("base")
    (folder / "r.txt").write_text(_corpus_text())
    assert main(["train", str(folder / "r.txt"), "--out", str(folder / "base"), *FAST]) == 0
    assert main(["export", str(folder / "base"), "--format", "word2vec", "--out", str(folder / "v.txt")]) == 0
    return folder


@pytest.fixture
def layout(tmp_path, trained, capsys):
    """tmp_path holding r.txt, corp/r.txt, a copy of the model (base/) and of its export (v.txt)."""
    (tmp_path / "r.txt").write_text(_corpus_text())
    (tmp_path / "corp").mkdir()
    (tmp_path / "corp" / "r.txt").write_text(_corpus_text(1))
    shutil.copytree(trained / "base", tmp_path / "base")
    shutil.copy(trained / "v.txt", tmp_path / "v.txt")
    capsys.readouterr()
    return tmp_path


def _argv(argv, tmp_path):
    return [a.format(tmp=tmp_path) for a in argv]


def _tree(root: Path) -> dict:
    """Every path under ``root``: its kind and, for files, its bytes (what "nothing changed" compares)."""
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            found[path.relative_to(root)] = ("link", os.readlink(path))
        elif path.is_file():
            found[path.relative_to(root)] = ("file", path.read_bytes())
        else:
            found[path.relative_to(root)] = ("other", stat.S_IFMT(path.lstat().st_mode))
    return found


def _one_line(capsys, message: str) -> str:
    err = capsys.readouterr().err
    assert err.startswith("wordvec: error: ") and err.count("\n") == 1, err
    assert message in err, err
    return err


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if a command reads its corpus, trains or loads a model before refusing."""
    def work(*args, **kwargs):
        pytest.fail("work started before the output was refused")

    monkeypatch.setattr(api, "resolve_sources", work)
    monkeypatch.setattr(api, "_vectors", work)
    monkeypatch.setattr(api, "load_model", work)
    monkeypatch.setattr(Word2Vec, "fit", work)


# -- defect 1: an existing --out folder that is not a wordvec model --------------------------------

def _foreign_folder(tmp: Path) -> None:
    (tmp / "d" / "sub").mkdir(parents=True)
    (tmp / "d" / "notes.txt").write_text("precious")
    (tmp / "other").mkdir()
    (tmp / "other" / "model.json").write_text('{"format": "someone-elses-model"}')
    (tmp / "half").mkdir()
    (tmp / "half" / "vectors.npy").write_bytes(b"mine")


@pytest.mark.parametrize("argv, message", [
    (["train", "{tmp}/r.txt", "--out", "{tmp}/d"], "it holds other files (notes.txt, sub) that wordvec did not write"),
    (["train", "{tmp}/corp", "--out", "{tmp}/corp"], "it is the input"),
    (["train", "{tmp}/corp/", "--out", "{tmp}/corp/"], "it is the input"),
    (["train", "{tmp}/r.txt", "--out", "{tmp}/other"], "it holds other files (model.json)"),
    (["train", "{tmp}/r.txt", "--out", "{tmp}/half"], "it holds other files (vectors.npy)"),
    (["export", "{tmp}/base", "--format", "projector", "--out", "{tmp}/d"], "it holds other files (notes.txt, sub)"),
])
def test_defect_01_a_folder_wordvec_did_not_write_is_never_replaced(layout, capsys, no_work, argv, message):
    _foreign_folder(layout)
    before = _tree(layout)
    assert main(_argv(argv, layout)) == 1
    _one_line(capsys, message)
    assert _tree(layout) == before
    assert (layout / "d" / "notes.txt").read_text() == "precious" and (layout / "d" / "sub").is_dir()


@pytest.mark.parametrize("existing", ["model", "explored model", "empty", "checkpoint only"])
def test_defect_01_a_wordvec_model_or_an_empty_folder_is_still_replaced(layout, capsys, existing):
    out = layout / "out"
    if existing == "model":
        shutil.copytree(layout / "base", out)
    elif existing == "explored model":
        shutil.copytree(layout / "base", out)
        (out / "map_tsne_2000.json").write_text("{}")  # the explorer's cached map
    elif existing == "empty":
        out.mkdir()
    else:
        out.mkdir()
        shutil.copytree(layout / "base", out / "checkpoint")  # what an interrupted run leaves
    assert main(["train", str(layout / "r.txt"), "--out", str(out), *FAST]) == 0
    assert load_model(out).vectors.dim == 8 and sorted(p.name for p in layout.iterdir() if p.name[0] == ".") == []


# -- defect 2: outputs that are devices, FIFOs or sockets ------------------------------------------

def _device(path: Path, minor: int) -> None:
    """A character device like /dev/null (minor 3) or /dev/full (minor 7), made in tmp_path."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))
        with open(path, "w") as handle:
            handle.write("" if minor == 7 else "probe")
    except PermissionError:
        pytest.skip("making device nodes needs root and a file system that allows them")


class _FifoReader(threading.Thread):
    """Reads a FIFO to its end, as `cat fifo` would."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path, self.data = path, None

    def run(self):
        with open(self.path, "rb") as handle:
            self.data = handle.read()


@pytest.mark.parametrize("argv, node, code, message", [
    (["export", "{tmp}/base", "--format", "tsv", "--out", "{node}"], "null", 0, None),
    (["export", "{tmp}/base", "--format", "word2vec", "--out", "{node}"], "full", 1,
     "cannot write the output file {node}: No space left on device"),
    (["phrases", "{tmp}/r.txt", "--out", "{node}"], "null", 0, None),
    (["phrases", "{tmp}/r.txt", "--out", "{node}"], "full", 1, "No space left on device"),
    (["export", "{tmp}/base", "--format", "tsv", "--out", "{node}"], "fifo", 0, None),
    (["phrases", "{tmp}/r.txt", "--out", "{node}"], "fifo", 0, None),
    (["export", "{tmp}/base", "--format", "tsv", "--out", "{node}"], "pipe", 0, None),
    (["export", "{tmp}/base", "--format", "tsv", "--out", "{node}"], "socket", 1,
     "it is a socket; give a regular file"),
])
def test_defect_02_a_device_fifo_or_socket_is_written_through_or_refused_never_replaced(
        layout, capsys, argv, node, code, message):
    path = layout / node
    reader = None
    if node in ("null", "full"):
        _device(path, 3 if node == "null" else 7)
    elif node == "fifo":
        os.mkfifo(path)
        reader = _FifoReader(path)
        reader.start()
    elif node == "pipe":  # a link to a pipe, as /dev/stdout is in `wordvec export ... --out /dev/stdout | head`
        read_end, write_end = os.pipe()
        path.symlink_to(f"/proc/self/fd/{write_end}")
        reader = _FifoReader(f"/proc/self/fd/{read_end}")
        reader.start()
    else:
        server = socket.socket(socket.AF_UNIX)
        try:
            server.bind(str(path))
        except OSError:
            pytest.skip("the path is too long for a Unix socket")
    kind = stat.S_IFMT(path.lstat().st_mode)
    code_seen = main([a.format(tmp=layout, node=path) for a in argv])
    if node == "pipe":
        os.close(write_end)  # the reader sees the end once wordvec's own copy is closed too
    assert code_seen == code
    if message is None:
        assert capsys.readouterr().err == ""
    else:
        _one_line(capsys, message.format(node=path))
    assert stat.S_IFMT(path.lstat().st_mode) == kind  # the node is still there, never renamed over
    assert [p.name for p in layout.iterdir() if p.name.startswith(f".{node}.")] == []
    if reader is not None:
        reader.join(timeout=10)
        assert not reader.is_alive() and (b"peanut_butter\t" in reader.data or reader.data.count(b"\n") > 10)
    if node == "pipe":
        os.close(read_end)


# -- defect 10: an output over an input --------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["phrases", "{tmp}/r.txt", "--out", "{tmp}/r.txt"], "it is the input"),
    (["phrases", "{tmp}/r.txt", "--out", "{tmp}/link.txt"], "it is the input"),
    (["phrases", "{tmp}/corp", "--out", "{tmp}/corp/phrases.tsv"], "it lies inside the input folder"),
    (["export", "{tmp}/base", "--format", "tsv", "--out", "{tmp}/base/vectors.npy"], "it lies inside the input"),
    (["export", "{tmp}/base", "--format", "word2vec", "--out", "{tmp}/base/extra.txt"], "it lies inside the input"),
    (["export", "{tmp}/base", "--format", "projector", "--out", "{tmp}/base/checkpoint"], "lies inside the input"),
    (["export", "{tmp}/v.txt", "--format", "word2vec", "--out", "{tmp}/v.txt"], "it is the input"),
    (["export", "{tmp}/v.txt", "--format", "tsv", "--out", "{tmp}/hardlink.txt"], "it is the input"),
    (["plot", "{tmp}/base", "--out", "{tmp}/base/map.png"], "it lies inside the input"),
    (["plot", "{tmp}/base", "--html", "{tmp}/base/map.html"], "it lies inside the input"),
    (["train", "{tmp}/corp", "--out", "{tmp}/corp/model"], "it lies inside the input folder"),
    (["train", "{tmp}/corp/r.txt", "--out", "{tmp}/corp"], "it holds the input"),
])
def test_defect_10_an_output_that_is_holds_or_lies_inside_an_input_is_refused(layout, capsys, no_work, argv,
                                                                            message):
    (layout / "link.txt").symlink_to(layout / "r.txt")
    os.link(layout / "v.txt", layout / "hardlink.txt")
    before = _tree(layout)
    assert main(_argv(argv, layout)) == 1
    _one_line(capsys, message)
    assert _tree(layout) == before


# -- defect 14: a folder that cannot be renamed ----------------------------------------------------

@pytest.mark.parametrize("cwd, out, message", [
    ("work", ".", "it is the current directory, which cannot be replaced"),
    ("work", "{tmp}/work", "it is the current directory"),
    ("a/b", "{tmp}/a", "it is a folder holding the current directory"),
    ("work", "{tmp}/mnt", "it is a mount point, which cannot be replaced"),
])
def test_defect_14_a_folder_that_cannot_be_renamed_is_refused_before_training(layout, capsys, monkeypatch,
                                                                             no_work, cwd, out, message):
    for folder in ("work", "a/b", "mnt"):
        (layout / folder).mkdir(parents=True)
    real_ismount = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: Path(p) == layout / "mnt" or real_ismount(p))
    monkeypatch.chdir(layout / cwd)
    before = _tree(layout)
    assert main(["train", str(layout / "r.txt"), "--out", out.format(tmp=layout), *FAST]) == 1
    _one_line(capsys, message)
    assert _tree(layout) == before


# -- defect 15: a failed run leaves the folders it made --------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["train", "{tmp}/empty.txt", "--out", "{tmp}/new/deeper/model", *FAST], "empty"),
    (["export", "{tmp}/nomodel", "--format", "tsv", "--out", "{tmp}/new/deeper/v.tsv"], "nomodel"),
    (["phrases", "{tmp}/missing.txt", "--out", "{tmp}/new/deeper/p.tsv"], "missing.txt"),
    (["plot", "{tmp}/nomodel", "--out", "{tmp}/new/deeper/map.svg"], "nomodel"),
])
def test_defect_15_a_failed_run_removes_the_folders_it_made(layout, capsys, argv, message):
    (layout / "empty.txt").write_text("\n\n")
    assert main(_argv(argv, layout)) == 1
    _one_line(capsys, message)
    assert not (layout / "new").exists()


def test_defect_15_a_write_that_fails_removes_the_folders_it_made(layout, capsys, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    assert main(["export", str(layout / "base"), "--format", "tsv", "--out", str(layout / "new/deeper/v.tsv")]) == 1
    _one_line(capsys, "No space left on device")
    assert not (layout / "new").exists()


# -- defect 16: --out naming a symbolic link -----------------------------------------------------

@pytest.mark.parametrize("argv, link, target", [
    (["train", "{tmp}/r.txt", "--out", "{tmp}/link", *FAST], "link", "base"),
    (["train", "{tmp}/r.txt", "--out", "{tmp}/link", *FAST], "link", "elsewhere/model"),
    (["export", "{tmp}/base", "--format", "tsv", "--out", "{tmp}/link"], "link", "v.tsv"),
    (["export", "{tmp}/base", "--format", "tsv", "--out", "{tmp}/link"], "link", "elsewhere/v.tsv"),
    (["phrases", "{tmp}/r.txt", "--out", "{tmp}/link"], "link", "p.tsv"),
    (["export", "{tmp}/base", "--format", "projector", "--out", "{tmp}/link"], "link", "projector"),
])
def test_defect_16_a_symbolic_link_is_followed_and_never_left_behind(layout, capsys, argv, link, target):
    (layout / "v.tsv").write_text("old\n")
    (layout / "p.tsv").write_text("old\n")
    (layout / "elsewhere").mkdir()
    (layout / link).symlink_to(layout / target)
    assert main(_argv(argv, layout)) == 0
    assert capsys.readouterr().err == ""
    assert (layout / link).is_symlink() and os.readlink(layout / link) == str(layout / target)
    written = layout / target
    assert written.read_bytes() != b"old\n" if written.is_file() else any(written.iterdir())
    leftovers = [p for p in layout.rglob(".*") if ".old." in p.name or p.name.startswith(f".{link}.")]
    assert leftovers == []


# -- defect 17 (in part): lax checks ----------------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["train", "{tmp}/r.txt", "--out", "{tmp}/m", "--checkpoint-every", "0"], "invalid checkpoint_every=0"),
    (["train", "{tmp}/r.txt", "--out", "{tmp}/m", "--checkpoint-every", "-1"], "invalid checkpoint_every=-1"),
    (["train", "{tmp}/r.txt", "--out", "{tmp}/m", "--phrases", "3"], "invalid phrases=3"),
    (["phrases", "{tmp}/r.txt", "-n", "-1"], "invalid n=-1: must be an integer of at least 0"),
    (["phrases", "{tmp}/r.txt", "--threshold", "nan"], "invalid threshold=nan: must be a finite number"),
    (["phrases", "{tmp}/r.txt", "--threshold", "inf"], "invalid threshold=inf"),
    (["phrases", "{tmp}/r.txt", "--threshold=-inf"], "invalid threshold=-inf"),
    (["phrases", "{tmp}/r.txt", "--min-count", "0"], "invalid min_count=0"),
])
def test_defect_17_lax_checks_are_refused_before_any_work(layout, capsys, no_work, argv, message):
    assert main(_argv(argv, layout)) == 1
    _one_line(capsys, message)
    assert not (layout / "m").exists()


def test_defect_17_phrases_n_zero_prints_only_the_count(layout, capsys):
    assert main(["phrases", str(layout / "r.txt"), "-n", "0"]) == 0
    assert capsys.readouterr().out.splitlines() == ["1 phrases"]


# -- defect 19: plot parameters checked before the progress bar ------------------------------------

@pytest.mark.parametrize("options, message", [
    (["--top", "1"], "invalid top=1: must be an integer of at least 2"),
    (["--top", "0"], "invalid top=0"),
    (["--perplexity", "0"], "invalid perplexity=0.0"),
    (["--perplexity", "nan"], "invalid perplexity=nan"),
    (["--perplexity", "inf"], "invalid perplexity=inf"),
    (["--perplexity", "-5"], "invalid perplexity=-5.0"),
    (["--seed", "-1"], "invalid seed=-1"),
    (["--limit", "1"], "invalid limit=1"),
])
@pytest.mark.slow
@pytest.mark.parametrize("output", [["--out", "{tmp}/map.png"], ["--html", "{tmp}/map.html"]])
def test_defect_19_plot_parameters_are_refused_before_any_progress_is_shown(layout, capsys, no_work, options,
                                                                           message, output):
    assert main(_argv(["plot", "{tmp}/base", *output, *options], layout)) == 1
    _one_line(capsys, message)  # one line: no progress bar before it
    assert not (layout / "map.png").exists() and not (layout / "map.html").exists()


def test_defect_19_a_model_too_small_for_a_map_is_refused_before_any_progress(layout, capsys):
    small = layout / "one.vec"
    small.write_text("1 2\ntea 0.5 1\n")
    assert main(["plot", str(small), "--out", str(layout / "map.png")]) == 1
    _one_line(capsys, "a map needs at least 2 words")


# -- defect 20: rescue everywhere failing, and the suite's own folders -------------------------------

def test_defect_20_a_rescue_that_fails_everywhere_leaves_no_folder(layout, capsys, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    for name in ("home", "tmp"):
        (layout / name).mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(layout / "cache"))  # not there yet: made for the rescue
    monkeypatch.setenv("HOME", str(layout / "home"))
    monkeypatch.setattr(tempfile, "tempdir", str(layout / "tmp"))
    monkeypatch.setattr(wio.np, "save", full_disk)
    assert main(["train", str(layout / "r.txt"), "--out", str(layout / "m"), *FAST]) == 1
    _one_line(capsys, "nor anywhere else: the trained model is lost")
    assert list(layout.rglob("wordvec-rescued-*")) == [] and list(layout.rglob(".m.*")) == []
    assert not (layout / "cache").exists() and not (layout / "m").exists()
    assert list((layout / "home").iterdir()) == [] and list((layout / "tmp").iterdir()) == []


def test_defect_20_the_suite_keeps_to_its_own_cache_home_and_temporary_folders(tmp_path_factory):
    from platformdirs import user_cache_dir

    base = tmp_path_factory.getbasetemp()
    assert Path(user_cache_dir("wordvec")).is_relative_to(base)
    assert Path(tempfile.gettempdir()).is_relative_to(base) and Path.home().is_relative_to(base)
    assert "WORDVEC_CACHE" not in os.environ


def test_a_checkpoint_swap_cut_short_leaves_nothing_that_blocks_the_next_save(tmp_path):
    # A run killed between the two renames of a checkpoint swap leaves the retired copy beside it:
    # wordvec's own, so it must not make the model folder look foreign (train --resume would refuse it).
    from wordvec.formats import foreign_to_model, save_model
    from wordvec.vectors import Vectors

    vectors = Vectors(["tea"], np.ones((1, 2), dtype=np.float32))
    model = save_model(tmp_path / "model", vectors)
    save_model(model / "checkpoint", vectors)
    save_model(model / ".checkpoint.old.k2x_9q", vectors)
    save_model(model / ".checkpoint.a1b2c3", vectors)
    assert foreign_to_model(model) == []
    (model / ".checkpoint.old.k2x_9q" / "notes.txt").write_text("mine")
    assert foreign_to_model(model) == [".checkpoint.old.k2x_9q"]


@pytest.mark.parametrize("copy", [".checkpoint.old.k2x_9q", ".checkpoint.a1b2c3"])
def test_a_checkpoint_copy_cut_short_while_removed_or_written_blocks_nothing(tmp_path, copy):
    # Killed while the retired copy was being removed (or the new one written), the copy holds some
    # of a model's files and maybe no model.json: still wordvec's own (a CI run met this: train
    # --resume refused the folder). Anything else in it is still the user's.
    from wordvec.formats import foreign_to_model, save_model
    from wordvec.vectors import Vectors

    vectors = Vectors(["tea"], np.ones((1, 2), dtype=np.float32))
    model = tmp_path / "model"
    save_model(model / "checkpoint", vectors)
    save_model(model / copy, vectors)
    (model / copy / "model.json").unlink()
    assert foreign_to_model(model) == []
    (model / copy / "vocab.tsv").unlink()
    assert foreign_to_model(model) == []
    (model / copy / "notes.txt").write_text("mine")
    assert foreign_to_model(model) == [copy]
    (model / copy / "notes.txt").unlink()
    (model / copy / "inner").mkdir()
    assert foreign_to_model(model) == [copy]
