"""The engine contract and registry, the estimator around engines, and the API's output checks."""

from __future__ import annotations

import ast
import errno
import math
from pathlib import Path

import numpy as np
import pytest

import wordvec
from wordvec import api
from wordvec.cli import main
from wordvec.readers import default_corpus, iter_documents
from wordvec.encoding import encode_documents
from wordvec.engines import ENGINES, Engine, EngineState, engine_names, get_engine, resolve_threads
from wordvec.errors import ParameterError, TrainingInterrupted
from wordvec.formats import load_model
from wordvec.model import Checkpoint, Word2Vec
from wordvec.vocab import Vocabulary

SRC = Path(wordvec.__file__).parent
TEXTS = ["tea and coffee and milk", "coffee with milk and sugar", "green tea with lemon"] * 20


class CountingEngine(Engine):
    """A test engine: row i of every word is (i, i, ...), plus the epochs done."""

    name = "counting"
    description = "rows that count (a test engine)"
    input = "tokens"
    parameters = frozenset({"dim", "epochs", "min_count", "num_words"})
    checkpoints = True

    def train(self, data, params, callbacks, start=None):
        words, counts = data.vocabulary.words, data.vocabulary.counts
        rows = np.repeat(np.arange(len(words), dtype=np.float32)[:, None], params["dim"], axis=1)
        state = start or EngineState(words, counts, rows, np.zeros_like(rows))
        state.raw_words = data.corpus.raw_word_count
        callbacks.started(state, params["epochs"] - state.epochs_done, unit="epoch")
        for epoch in range(state.epochs_done, params["epochs"]):
            state.input_weights += 1.0
            state.epoch_losses.append(1.0 / (epoch + 1))
            callbacks.advanced(1, state.epoch_losses[-1])
            callbacks.epoch_finished(epoch + 1, state.epoch_losses[-1], state)
        return state


@pytest.fixture
def counting(monkeypatch):
    monkeypatch.setitem(ENGINES, "counting", CountingEngine)
    return "counting"


def test_the_training_record_times_reading_and_training_apart(counting):
    model = Word2Vec(engine=counting, dim=3, epochs=1, min_count=1, progress=False).fit(TEXTS)
    record = model.training_record()
    # the record holds both clocks (their values are measured in benchmarks/, never asserted here)
    assert all(isinstance(record[key], float) and math.isfinite(record[key])
               for key in ("read_seconds", "train_seconds"))
    model.fit_corpus(*encode_documents(TEXTS, num_words=None, min_count=1))
    assert model.read_seconds_ is None  # an encoded corpus given: nothing read


def test_registry_lists_and_builds_every_engine():
    assert engine_names() == ["keras", "native", "subword"]
    assert get_engine("native").checkpoints and get_engine("native").input == "tokens"
    assert get_engine("keras").input == "texts" and not get_engine("keras").checkpoints
    assert set(api.engines()) == {"keras", "native", "subword"}
    with pytest.raises(ParameterError, match="unknown engine 'gpu': choose one of keras, native, subword"):
        get_engine("gpu")


def test_a_registered_engine_trains_through_the_estimator_the_api_and_the_command(counting, tmp_path, capsys):
    model = Word2Vec(engine=counting, dim=3, epochs=2, min_count=1, progress=False).fit(TEXTS)
    assert model.epoch_losses_ == [1.0, 0.5]
    np.testing.assert_array_equal(model.vectors_["tea"], np.full(3, model.vectors_.index("tea") + 2.0))
    assert main(["train", "--engine", counting, "--dim", "2", "--epochs", "3", "--min-count", "1",
                 "--out", str(tmp_path / "m"), "--quiet"]) == 0
    saved = load_model(tmp_path / "m")
    assert saved.engine == "counting" and saved.params == {"dim": 2, "epochs": 3, "min_count": 1,
                                                           "num_words": 20000}
    assert saved.info["epochs_done"] == 3 and saved.info["reading"]["format"] == "auto"


def test_options_an_engine_does_not_take_are_refused_before_reading(counting):
    def never_read():
        raise AssertionError("the corpus was read")
        yield  # pragma: no cover

    with pytest.raises(ParameterError, match="the counting engine does not take: negative, window"):
        Word2Vec(engine=counting, window=2, negative=9).fit(never_read())
    Word2Vec(engine=counting, window=5, progress=False).fit(TEXTS)   # defaults are fine


@pytest.mark.parametrize("argv, message", [
    (["--engine", "keras", "--negative", "3"], "the keras engine does not take: negative"),
    (["--engine", "keras", "--min-count", "2"], "the keras engine does not take: min_count"),
    (["--engine", "keras", "--checkpoint-every", "1"], "the keras engine cannot save checkpoints"),
    (["--engine", "native", "--steps-per-epoch", "4"], "the native engine does not take: steps_per_epoch"),
])
def test_command_line_refuses_unsupported_options_in_one_line(tmp_path, capsys, argv, message):
    assert main(["train", "--out", str(tmp_path / "m"), "--quiet", *argv]) == 1
    err = capsys.readouterr().err
    assert err == f"wordvec: error: {message}\n"
    assert not (tmp_path / "m").exists()


def test_threads_are_resolved_in_one_place(monkeypatch):
    monkeypatch.setattr("wordvec.threads.available_cores", lambda: 6)
    assert resolve_threads(None) == 6 and resolve_threads(2) == 2
    with pytest.raises(ParameterError, match="invalid threads=0"):
        resolve_threads(0)


@pytest.mark.slow
def test_keras_engine_through_the_estimator(tmp_path):
    model = Word2Vec(engine="keras", num_words=5, dim=4, epochs=2, steps_per_epoch=3, threads=1,
                     progress=False).fit(TEXTS)
    assert model.vectors_.words == ["UNK", "and", "tea", "coffee", "milk"]
    assert len(model.epoch_losses_) == 2 and model.words_per_second_ is None
    saved = load_model(model.save(tmp_path / "k"))
    assert saved.engine == "keras" and saved.output_weights is None and saved.params["steps_per_epoch"] == 3


def _interrupt_after(epoch):
    def callback(model, done, loss):
        if done == epoch:
            raise KeyboardInterrupt
    return callback


@pytest.mark.slow
def test_resume_is_public_and_finishes_like_an_uninterrupted_run(tmp_path):
    settings = dict(dim=8, epochs=4, min_count=2, threads=1, seed=5, progress=False)
    whole = Word2Vec(**settings).fit(iter_documents(default_corpus()))
    checkpoint = tmp_path / "ckpt"
    with pytest.raises(TrainingInterrupted, match="interrupted in epoch 3; checkpoint saved in"):
        Word2Vec(**settings).fit(iter_documents(default_corpus()),
                                 callbacks=[Checkpoint(checkpoint), _interrupt_after(2)])
    resumed = Word2Vec.load(checkpoint, progress=False)
    assert resumed.epoch_losses_ == whole.epoch_losses_[:2]
    resumed.resume(iter_documents(default_corpus()))
    np.testing.assert_array_equal(resumed.vectors_.matrix, whole.vectors_.matrix)
    assert resumed.epoch_losses_ == whole.epoch_losses_


def test_a_model_directory_written_before_engines_loads_and_updates(tmp_path):
    from wordvec.formats import save_model
    from wordvec.vectors import Vectors

    words = ["UNK", "tea", "coffee", "and"]
    rng = np.random.default_rng(0)
    matrix = rng.random((4, 6), dtype=np.float32)
    save_model(tmp_path / "old", Vectors(words, matrix, counts=[0, 30, 20, 40], unknown="UNK"),
               params={"dim": 6, "window": 5, "negative": 5, "epochs": 1, "min_count": 1, "num_words": 20000,
                       "sample": 0.001, "model": "skipgram", "lr": None, "min_lr": 0.0001, "threads": 1,
                       "seed": 1},
               engine="native", output_weights=np.zeros_like(matrix), info={"epoch_losses": [0.5]})
    model = Word2Vec.load(tmp_path / "old", progress=False)
    assert model.engine == "native" and model.epoch_losses_ == [0.5]
    model.update(TEXTS)
    assert "milk" in model.vectors_ and np.array_equal(model.vectors_["tea"] != 0, np.ones(6, bool))


def test_train_checks_its_output_before_reading(tmp_path, monkeypatch, capsys):
    afile = tmp_path / "afile"
    afile.write_text("x")
    monkeypatch.setattr(Word2Vec, "fit", lambda *a, **k: pytest.fail("trained before checking the output"))
    assert main(["train", "--out", str(afile), "--quiet"]) == 1
    assert capsys.readouterr().err == (f"wordvec: error: cannot write the model directory {afile}: "
                                       "a file of that name exists\n")
    assert main(["train", "--out", "/proc/x/m", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("wordvec: error: cannot write the model directory /proc/x/m: cannot create /proc/x")
    assert err.count("\n") == 1


def test_export_and_plot_check_their_output_first(tmp_path, capsys):
    assert main(["export", str(tmp_path / "nomodel"), "--format", "word2vec", "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (f"wordvec: error: cannot write the export file {tmp_path}: "
                                       "it is a directory; give a file name\n")
    assert main(["plot", str(tmp_path / "nomodel"), "--out", str(tmp_path / "map.jpg")]) == 1
    assert "cannot write a map as .jpg" in capsys.readouterr().err


def test_a_model_that_cannot_be_saved_is_rescued_and_the_message_says_where(tmp_path, monkeypatch, capsys):
    from wordvec import formats as io

    real_save = io.save_model
    out = tmp_path / "m"

    def disk_full_in_out(directory, *args, **kwargs):
        if Path(directory) == out:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_save(directory, *args, **kwargs)

    monkeypatch.setattr(io, "save_model", disk_full_in_out)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert main(["train", "--out", str(out), "--dim", "4", "--epochs", "1", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"wordvec: error: could not save the model to {out} (No space left on device); "
                          "the trained model was saved to ")
    rescued = Path(err.rstrip("\n").rsplit(" saved to ", 1)[1].removesuffix(" instead"))
    assert rescued.is_relative_to(tmp_path / "cache") and load_model(rescued).vectors.dim == 4


def test_phrases_are_written_by_the_api(tmp_path):
    out = tmp_path / "phrases.tsv"
    model = api.learn_phrases(out=out, min_count=3)
    lines = out.read_text().splitlines()
    assert len(lines) == len(model.phrases_) and lines[0].split("\t")[0] == model.top(1)[0][0]


def _wordvec_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.update([node.module] if node.module else [alias.name for alias in node.names])
    return found


def test_the_command_line_reaches_the_library_through_api_and_errors_only():
    assert _wordvec_imports(SRC / "cli.py") <= {"api", "errors", "__version__", "cli_classify"}
    assert _wordvec_imports(SRC / "cli_classify.py") <= {"api", "errors"}


def test_the_estimator_imports_no_kernel():
    assert not any("kernel" in name for name in _wordvec_imports(SRC / "model.py"))


def test_public_names_are_importable_from_the_package():
    for name in ("resume", "PhraseModel", "TrainingInterrupted", "MissingDependencyError", "Engine"):
        assert getattr(wordvec, name) is not None


def _epoch_calls(monkeypatch, seed: int, epochs: int = 2) -> tuple[list[list[tuple]], object]:
    """What the native engine hands its kernels, epoch by epoch: (tokens, doc_offsets, lr_start,
    lr_end) per call; and the corpus."""
    from wordvec.engines.base import TrainingCallbacks, TrainingData
    from wordvec.engines.native import NativeEngine, Run

    calls: list[tuple] = []

    def record(self, weights, stream, settings, tasks):
        assert tasks.bounds[0] == 0 and tasks.bounds[-1] == stream.tokens.shape[0]
        calls.append((stream.tokens.copy(), stream.doc_offsets.copy(), settings.lr_start, settings.lr_end))

    monkeypatch.setattr(Run, "train_chunk", record)
    documents = [" ".join(f"w{(d * 7 + i) % 500}" for i in range(3 + d % 40)) for d in range(8_000)]
    vocab, corpus = encode_documents(documents, num_words=None, min_count=1)
    params = dict(NativeEngine.defaults(), dim=4, epochs=epochs, threads=1, seed=seed)
    NativeEngine().train(TrainingData(vocab, corpus), params, TrainingCallbacks())
    calls = [c for c in calls if c[0].shape[0]]  # the warm-up call trains nothing
    per_epoch = len(calls) // epochs
    return [calls[e * per_epoch:(e + 1) * per_epoch] for e in range(epochs)], corpus


def _documents_of(tokens, doc_offsets) -> list[tuple]:
    return [tuple(tokens[a:b].tolist()) for a, b in zip(doc_offsets[:-1], doc_offsets[1:]) if b > a]


@pytest.mark.slow
def test_every_epoch_trains_each_document_once_in_short_blocks_shuffled_with_the_rate_decaying_along_them(
        monkeypatch):
    epochs, corpus = _epoch_calls(monkeypatch, seed=3)
    documents = sorted(_documents_of(np.asarray(corpus.tokens), corpus.doc_offsets))
    for calls in epochs:
        assert len(calls) > 1
        trained = [doc for tokens, offsets, _, _ in calls for doc in _documents_of(tokens, offsets)]
        # every document once and whole: the blocks end at document starts, and no window
        # runs on from one block into the next
        assert sorted(trained) == documents
    first, second = ([tuple(tokens[:50].tolist()) for tokens, *_ in calls] for calls in epochs)
    assert first != second  # each epoch its own order
    in_corpus_order = np.concatenate([tokens for tokens, *_ in epochs[0]])
    assert not np.array_equal(in_corpus_order, np.asarray(corpus.tokens))
    rates = [rate for calls in epochs for _, _, lr_start, lr_end in calls for rate in (lr_start, lr_end)]
    assert rates == sorted(rates, reverse=True) and rates[0] == 0.025  # decays in the order trained
    again = _epoch_calls(monkeypatch, seed=3)[0]
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(again[0], epochs[0]))  # the same seed, the same order


def test_native_input_rows_start_uniform_in_the_documented_range():
    """Fresh input rows are uniform in +-INITIAL_RANGE/dim (4/dim: four times gensim's and
    fastText's 1/dim, eight times word2vec.c's); output rows start at zero."""
    from wordvec.engines.native import INITIAL_RANGE

    words = [f"w{i}" for i in range(3000)]
    dim = 40
    vocab = Vocabulary(["UNK"] + words, [0] + [1] * len(words))
    state = get_engine("native").initial_state(vocab, {"dim": dim, "seed": 3})
    rows = np.asarray(state.input_weights)
    assert INITIAL_RANGE == 4.0
    assert rows.shape == (len(vocab), dim) and rows.dtype == np.float32
    bound = INITIAL_RANGE / dim
    assert 0.99 * bound < np.abs(rows).max() <= bound
    assert np.std(rows) == pytest.approx(bound / np.sqrt(3.0), rel=0.01)
    assert abs(np.mean(rows)) < 0.01 * bound
    assert not np.any(state.output_weights)
    again = get_engine("native").initial_state(vocab, {"dim": dim, "seed": 3})
    assert np.array_equal(np.asarray(again.input_weights), rows)
