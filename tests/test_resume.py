"""Checkpoints: a run killed with SIGKILL resumes and finishes; Ctrl-C saves and says so."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from wordvec.cli import main
from wordvec.formats import load_model

# Enough epochs (about 0.1 s each here) that the run is still going when the test sees its second
# checkpoint and kills or interrupts it; every epoch is trained again by the uninterrupted run.
EPOCHS = 20
TRAIN = ["train", "--dim", "16", "--epochs", str(EPOCHS), "--min-count", "3", "--threads", "1", "--seed", "3",
         "--quiet"]


def _start(out, *extra):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # A shell without job control starts background jobs with SIGINT ignored, and Python then never
    # turns it into KeyboardInterrupt: the child gets SIGINT's default back, as in a terminal.
    return subprocess.Popen([sys.executable, "-m", "wordvec", *TRAIN, "--out", str(out), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _wait_for_checkpoint(out, process, timeout=180):
    meta = out / "checkpoint" / "model.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"training ended before a checkpoint: {process.communicate()}")
        try:
            done = json.loads(meta.read_text())["info"]["epochs_done"]
        except (OSError, ValueError, KeyError):
            done = 0
        if done >= 2:
            return
        time.sleep(0.02)
    pytest.fail("no checkpoint appeared")


@pytest.mark.slow
def test_killed_run_resumes_to_the_same_vectors_as_an_uninterrupted_one(tmp_path, capsys):
    out = tmp_path / "killed"
    process = _start(out, "--checkpoint-every", "1")
    _wait_for_checkpoint(out, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not (out / "model.json").exists()
    assert main(["train", "--resume", str(out), "--quiet"]) == 0
    resumed = load_model(out)
    assert resumed.info["epochs_done"] == EPOCHS and len(resumed.info["epoch_losses"]) == EPOCHS
    assert not (out / "checkpoint").exists()

    whole = tmp_path / "whole"
    assert main([*TRAIN, "--out", str(whole)]) == 0
    assert np.array_equal(load_model(whole).vectors.matrix, resumed.vectors.matrix)


@pytest.mark.slow
def test_ctrl_c_writes_a_checkpoint_and_exits_with_one_line(tmp_path):
    out = tmp_path / "interrupted"
    process = _start(out, "--checkpoint-every", "1")
    _wait_for_checkpoint(out, process)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert err.count("\n") == 1 and "checkpoint saved in" in err and "--resume" in err
    assert load_model(out / "checkpoint").vectors.dim == 16
    assert main(["train", "--resume", str(out), "--quiet"]) == 0
    assert load_model(out).info["epochs_done"] == EPOCHS


def test_resume_without_checkpoint_is_one_line(tmp_path, capsys):
    assert main(["train", "--resume", str(tmp_path / "nothing")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no checkpoint to resume" in err


def test_interrupted_swap_is_recovered(tmp_path):
    from wordvec.formats import save_model
    from wordvec.vectors import Vectors

    out = tmp_path / "model"
    save_model(out, Vectors(["UNK", "a"], np.ones((2, 3), np.float32), unknown="UNK"))
    os.replace(out, tmp_path / ".model.old.abc123")  # as if killed between the two renames
    assert load_model(out).vectors.words == ["UNK", "a"]
