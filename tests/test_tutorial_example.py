"""examples/tutorial.py runs top to bottom with small settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "tutorial.py"


@pytest.mark.slow
def test_tutorial_runs_and_draws_the_map(tmp_path):
    """The tutorial's model (20,000 words x 128, its defaults) on the embedded reviews, every step of the walk.

    Fewer epochs (2, not 3), steps per epoch (10, not 200) and words on the map (60, not 500) than its
    defaults: the same output, in a fraction of the time (most of it importing Keras and PyTorch).
    """
    pytest.importorskip("torch")
    pytest.importorskip("keras")
    pytest.importorskip("sklearn")
    out_dir = tmp_path / "out"
    env = {**os.environ, "KERAS_BACKEND": "torch", "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE), "--verbose", "2", "--out-dir", str(out_dir), "--steps-per-epoch", "10",
         "--epochs", "2", "--tsne-words", "60"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert "2000 reviews" in out
    assert "Total params: 2,560,130" in out          # (20000 + 1) * 128 + 2, as in the tutorial
    assert "epoch 1: loss" in out and "epoch 2: loss" in out
    assert "x 128 columns" in out
    for word in ("2", "little", "delicious", "cats"):
        assert f"\n{word}: " in out
    png = out_dir / "tsne.png"
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
