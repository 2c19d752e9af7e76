"""The wordvec command, called in-process (and in a process of its own, to see what the first run loads)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import wordvec
from wordvec.kernels import backend
from wordvec.cli import main
from wordvec.formats import load_model, load_word2vec


@pytest.fixture
def model_dir(trained_model_dir):
    """The session's model of the embedded sample, trained by the command line (tests/conftest.py: dim 16)."""
    return trained_model_dir


def test_train_on_embedded_sample_and_query(model_dir, capsys):
    loaded = load_model(model_dir)
    assert loaded.params["dim"] == 16 and loaded.vectors.words[0] == "UNK"
    assert main(["similar", str(model_dir), "coffee", "dog", "-n", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("coffee:\n") and "dog:\n" in out
    assert len([line for line in out.splitlines() if line.startswith("  ")]) == 6


def test_train_on_files_with_format_and_column(finefoods, tmp_path, capsys):
    out = tmp_path / "m"
    code = main(["train", str(finefoods / "fine_food_reviews_1k.csv"), "--format", "csv", "--text-column", "Text",
                 "--out", str(out), "--dim", "8", "--epochs", "1", "--min-count", "2", "--threads", "1", "--quiet"])
    assert code == 0
    assert "saved" in capsys.readouterr().out
    assert load_model(out).info["corpus"][0].endswith("fine_food_reviews_1k.csv")


@pytest.mark.slow
def test_the_first_run_compiles_nothing_and_loads_no_numba(tmp_path):
    script = ("import sys\nfrom wordvec.cli import main\n"
              f"code = main(['train', '--out', {str(tmp_path / 'm')!r}, '--dim', '8', '--epochs', '1'])\n"
              "print('numba' in sys.modules, code)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == ["False", "0"]
    assert "compil" not in done.stderr


def test_version_names_the_kernels_and_their_vector_code(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"wordvec {wordvec.__version__} (kernels: {backend()})\n"
    assert backend().startswith("c, ")


def test_a_trained_model_records_its_kernels(model_dir):
    assert load_model(model_dir).info["kernels"] == backend()


@pytest.mark.parametrize("fmt, binary", [("word2vec", False), ("word2vec-binary", True)])
def test_export(model_dir, tmp_path, fmt, binary):
    out = tmp_path / "vectors.out"
    assert main(["export", str(model_dir), "--format", fmt, "--out", str(out)]) == 0
    back = load_word2vec(out, binary=binary)
    model = load_model(model_dir).vectors
    assert back.words == model.words[1:]
    np.testing.assert_allclose(back.matrix, model.matrix[1:], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("argv, message", [
    (["similar", "{model}", "zzzunknownzzz"], "word not in vocabulary: 'zzzunknownzzz'"),
    (["similar", "{tmp}/nomodel", "tea"], "no such file or directory: "),
    (["train", "{tmp}/missing.txt", "--out", "{tmp}/m"], "no such file or directory"),
    (["train", "{tmp}/empty.txt", "--out", "{tmp}/m"], "corpus is empty"),
    (["train", "--out", "{tmp}/m", "--dim", "0"], "invalid dim=0"),
])
def test_bad_input_gives_one_line_and_no_output(model_dir, tmp_path, capsys, argv, message):
    (tmp_path / "empty.txt").write_text("\n\n")
    argv = [a.format(model=model_dir, tmp=tmp_path) for a in argv]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and err.startswith("wordvec: error:")
    assert not (tmp_path / "m").exists()


def test_unknown_format_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--out", "x", "--format", "xml"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["train", "similar", "export", "plot", "download", "evaluate", "phrases", "explore"])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: wordvec" in capsys.readouterr().out


def test_evaluate_prints_json_in_the_documented_shape(model_dir, capsys):
    import json

    assert main(["evaluate", str(model_dir), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["similarity"]) == {"wordsim353", "simlex999"}
    assert set(result["similarity"]["wordsim353"]) == {"spearman", "pearson", "oov", "pairs", "subword_words"}
    analogies = result["analogies"]["questions-words"]
    assert {"accuracy", "correct", "total", "sections"} <= set(analogies)


def test_evaluate_table_with_given_files(model_dir, tmp_path, capsys):
    pairs = tmp_path / "food.tsv"
    pairs.write_text("# mine\ncoffee\ttea\t9\ncoffee\tdog\t1\ndog\tcat\t8\ntea\tcat\t2\n")
    assert main(["evaluate", str(model_dir), "--similarity", str(pairs)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("food ") and "spearman" in out and "pairs 4" in out


def test_phrases_command(tmp_path, capsys):
    out = tmp_path / "phrases.tsv"
    assert main(["phrases", "-n", "5", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert len(printed.splitlines()) == 6 and printed.rstrip().endswith("phrases")
    assert "peanut_butter\t" in out.read_text()
