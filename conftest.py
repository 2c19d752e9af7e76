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
- Under ``-n auto``, the tests that need something slow to set up (a library that takes seconds to
  import, a browser) run in one worker, group by group (``GROUPS``): the other worker never pays for
  it; the groups and the longest tests start first (``LONG``, ``pytest_xdist_make_scheduler``).
- Collecting keeps the test modules pytest rewrites in ``__pycache__``, ``PYTHONDONTWRITEBYTECODE`` or
  not (``pytest_collection``).
- What importing and collecting made (modules, test items) lives to the end of the run: it is left out
  of the garbage collector's later passes (``gc.freeze``), which would otherwise walk it again at each
  full collection and at the exit of every process (``pytest_collection_finish``, ``pytest_unconfigure``).
"""

from __future__ import annotations

import gc
import importlib.util
import sys
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

# Tests (a file, or a file's test function with all its parameters) that share something slow to set
# up in each process (importing a library, a trained model or a browser), by group: under ``-n``, each
# group runs whole in one worker (``pytest_xdist_make_scheduler``), so the other worker never pays it.
# The modules themselves import these libraries in their tests, not when they are collected. A test
# missing here still passes: the other worker then pays too.
GROUPS = {
    # gensim, scikit-learn's t-SNE (with pandas and matplotlib), SciPy's statistics (word pairs), Keras
    "scipy": (
        "tests/test_compat_gensim.py", "tests/test_evaluate.py", "tests/test_io.py", "tests/test_vectors.py",
        "tests/test_noise_exponent.py", "tests/test_plot.py", "tests/test_explore.py",
        "tests/test_explore_files.py", "tests/test_graph_clients.py", "src/wordvec/plot.py",
        "src/wordvec/classifier_plots.py", "src/wordvec/evaluate.py", "src/wordvec/explore/htmlmap.py",
        "src/wordvec/explore/mapdata.py",
        "tests/test_formats.py::test_word2vec_written_by_wordvec_is_what_gensim_reads",
        "tests/test_formats.py::test_word2vec_written_by_gensim_is_read",
        "tests/test_formats.py::test_googlenews_layout_without_newlines_matches_gensim",
        "tests/test_formats.py::test_rows_across_chunk_boundaries",
        "tests/test_formats.py::test_fasttext_vec_export_is_word2vec_text",
        "tests/test_formats.py::test_glove_matches_gensim_without_header",
        "tests/test_hierarchical_softmax.py::test_each_words_codes_and_points_are_gensims",
        "tests/test_hierarchical_softmax.py::test_the_tree_of_an_encoded_corpus_is_gensims_on_the_same_counts",
        "tests/test_cli.py::test_evaluate_prints_json_in_the_documented_shape",
        "tests/test_cli.py::test_evaluate_table_with_given_files",
        "tests/test_hostile_models.py::test_the_zero_vector_has_no_neighbours_in_the_explorer",
        "tests/test_subword_io.py::test_similar_and_evaluate_answer_unknown_words_from_a_bin",
        "tests/test_subword_engine.py::test_all_pairs_scores_unknown_words_from_their_subwords",
        "tests/test_classifier_training.py::test_cli_train_predict_test_export",
        # Keras and PyTorch (all slow): Keras imports SciPy and scikit-learn too
        "tests/test_keras_engine.py", "src/wordvec/layers.py", "src/wordvec/engines/keras.py",
        "tests/test_engines.py::test_keras_engine_through_the_estimator",
        "tests/test_preprocessing.py::test_tokenizer_matches_keras",
        "tests/test_preprocessing.py::test_tokenizer_options_match_keras",
        "tests/test_preprocessing.py::test_json_is_interchangeable_with_keras",
        "tests/test_preprocessing.py::test_skipgrams_match_keras",
        "tests/test_preprocessing.py::test_skipgrams_categorical_and_sampling_table_match_keras",
        "tests/test_preprocessing.py::test_make_sampling_table_matches_keras",
        "tests/test_layers.py::test_same_matrix_from_keras_tokenizer_word_index",
        "tests/test_layers.py::test_keras_layer_holds_the_matrix_and_looks_rows_up",
        "tests/test_layers.py::test_keras_layer_frozen_or_trainable",
        "tests/test_layers.py::test_keras_layer_passes_matrix_options_and_takes_a_ready_matrix",
        "tests/test_layers.py::test_torch_layer_holds_the_matrix_and_looks_rows_up",
        "tests/test_layers.py::test_torch_layer_frozen_or_trainable",
    ),
    # the reference kernels in Numba (tests/oracle_kernels.py)
    "numba": (
        "tests/oracles.py", "tests/test_c_text_kernels.py", "tests/test_compiled_kernels.py",
        "tests/test_kernels.py", "tests/test_subword_engine.py::test_pieces_step_matches_numpy_oracle",
    ),
    # a trained model, its server and a browser (slow)
    "browser": ("tests/test_explore_browser.py",),
    # a Dask cluster (slow)
    "dask": ("tests/test_dask_predict.py",),
}

# Single tests of many seconds each (all slow): started right after the groups, never left for the end.
LONG = (
    "tests/test_tutorial_example.py",
    "tests/test_sentiment_example.py::test_runs_with_small_settings_and_prints_accuracies",
    "tests/test_autotune.py::test_a_model_size_gives_a_quantized_file_that_fits", "tests/test_resume.py",
    "tests/test_reliability.py::test_a_single_100mb_line_is_trained_in_full",
    "tests/test_fast_reading.py::test_a_large_corpus_reads_as_the_python_reader_does",
    "tests/test_hostile_reading.py::test_hostile_inputs_peak_at_most_64_mib_above_starting_wordvec",
)


def _named(nodeid: str, names) -> bool:
    """Whether a test id is one of ``names``: a file, or a test function with any of its parameters."""
    return any(nodeid == name or nodeid.startswith((f"{name}::", f"{name}[")) for name in names)


def group_of(nodeid: str) -> str | None:
    """The group of ``GROUPS`` a test belongs to, by its id, or None."""
    return next((group for group, names in GROUPS.items() if _named(nodeid, names)), None)


def pytest_collection_modifyitems(items):
    """Mark the doctests that import an optional framework ``slow``, as the tests that do are."""
    for item in items:
        if isinstance(item, pytest.DoctestItem) and item.name in NEEDS:
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under ``-n`` (xdist's ``load``): each group of ``GROUPS`` to one worker, whole; the groups first
    (largest first), then the ``LONG`` tests, then every other test, one at a time, to whichever worker is
    free. Any other ``--dist`` is xdist's own."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        """xdist's scheduling by scope, a scope being a group of ``GROUPS`` or one test."""

        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid) or nodeid

        def _assign_work_unit(self, node) -> None:
            if not self.ordered:  # the queue is complete now: the long tests after the groups
                self.ordered = True
                for scope in [scope for scope in self.workqueue if _named(scope, LONG)][::-1]:
                    self.workqueue.move_to_end(scope, last=False)
                for scope in sorted(set(self.workqueue) & set(GROUPS), key=lambda g: len(self.workqueue[g])):
                    self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

    return GroupScheduling(config, log)


@pytest.hookimpl(wrapper=True)
def pytest_collection(session):
    """Let pytest keep the test modules it rewrites (for its asserts) in ``__pycache__`` even where
    ``PYTHONDONTWRITEBYTECODE`` is set: each process of a run would otherwise rewrite them all again, a
    second or more before the first test."""
    writes = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        return (yield)
    finally:
        sys.dont_write_bytecode = writes


def pytest_collection_finish(session):
    """Leave the modules and the collected tests out of the later full collections (they live to the end)."""
    gc.freeze()


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """After pytest's own last collection (its check for unraisable exceptions), leave the whole heap out of
    the collections that the interpreter's exit makes: in a worker of ``-n auto`` they take seconds."""
    gc.freeze()


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
