"""What every test and doctest of the run shares: private folders, and the rules for collecting doctests.

``python -m pytest`` (see ``[tool.pytest.ini_options]`` in ``pyproject.toml``) runs ``tests/`` and the
doctests of every module of ``src/wordvec`` (``--doctest-modules``). This file sits at the root so
that both are under it; the test data and the trained models the tests share are in
``tests/conftest.py``.

- No test or doctest reaches the user's real cache, home or temporary folder (``private_folders``).
- ``src/wordvec/__main__.py`` is never imported by the doctest collector: it runs the command line.
- A doctest that needs an optional extra (``keras``, ``torch``, ...) is skipped, with the reason,
  where that extra is not installed (``NEEDS``); collecting a module never needs one. Such doctests are
  marked ``slow``: importing Keras or PyTorch alone takes seconds, which the quick tier leaves out.
"""

from __future__ import annotations

import importlib.util
import tempfile

import pytest

collect_ignore = ["src/wordvec/__main__.py"]

# Doctests (by their name: module, or module.function) and the optional modules they need.
NEEDS = {
    "wordvec.layers": ("torch",),
    "wordvec.layers.to_torch_embedding": ("torch",),
    "wordvec.layers.to_keras_embedding": ("keras", "torch"),
    "wordvec.engines.keras": ("keras", "torch"),
    "wordvec.engines.keras.build_model": ("keras", "torch"),
    "wordvec.engines.keras.train_keras": ("keras", "torch"),
}


def pytest_collection_modifyitems(items):
    """Mark the doctests that import an optional framework ``slow``, as the tests that do are."""
    for item in items:
        if isinstance(item, pytest.DoctestItem) and item.name in NEEDS:
            item.add_marker(pytest.mark.slow)


def pytest_runtest_setup(item):
    """Skip a doctest whose optional dependency is missing (found, not imported: the code picks Keras's backend)."""
    if isinstance(item, pytest.DoctestItem):
        for module in NEEDS.get(item.name, ()):
            if importlib.util.find_spec(module) is None:
                pytest.skip(f"needs {module}, an optional extra (pip install -e \".[keras]\")")


@pytest.fixture(scope="session", autouse=True)
def private_folders(tmp_path_factory):
    """The per-user cache, the home folder and the temporary folder, made private to this test run.

    ``XDG_CACHE_HOME`` and ``HOME`` (which ``platformdirs`` reads), ``TMPDIR`` and ``tempfile.tempdir`` point
    at folders under pytest's own temporary folder, so models rescued by a failing save, downloads and
    temporary files of the tests and doctests never land in the user's real folders (``WORDVEC_CACHE``
    is unset for the same reason). Returns ``{"cache", "home", "tmp"}``.
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
