"""examples/sentiment.py: its review readers, and a whole run with small settings."""

from __future__ import annotations

import gzip
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sentiment.py"
SUMMARY = re.compile(r"^(majority class|random init|wordvec init, frozen|wordvec init, trainable) +"
                     r"accuracy (\d\.\d{3}) ± (\d\.\d{3}) +balanced (\d\.\d{3}) ± (\d\.\d{3})$", re.M)


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("sentiment_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reads_scores_and_texts_from_snap_and_csv(example, tmp_path):
    snap = tmp_path / "foods.txt.gz"
    with gzip.open(snap, "wt", encoding="utf-8") as handle:
        handle.write("product/productId: B1\nreview/score: 5.0\nreview/summary: Yum\n"
                     "review/text: Great tea.<br />Really.\n\n"
                     "product/productId: B2\nreview/score: 2.0\nreview/text: Stale caf\u00e9 beans\n\n")
    assert example.read_snap_scores(snap) == [("Great tea. Really.", 5.0), ("Stale caf\u00e9 beans", 2.0)]
    table = tmp_path / "reviews.csv"
    table.write_text('Id,Score,Summary,Text\n1,3,ok,"Fine, I guess"\n2,1,no,Awful\n', encoding="utf-8")
    assert example.read_csv_scores(table) == [("Fine, I guess", 3.0), ("Awful", 1.0)]
    texts, labels, dropped = example.load_labelled_reviews([snap, table])
    assert texts == ["Great tea. Really.", "Stale caf\u00e9 beans", "Awful"]
    assert labels.tolist() == [1, 0, 0] and dropped == 1


def test_scores_and_verdict(example):
    accuracy, balanced = example.scores(np.array([1, 1, 1, 0]), np.array([1, 1, 0, 0]))
    assert accuracy == 0.75 and balanced == pytest.approx((1.0 + 2 / 3) / 2)
    per_seed = [{"random init": (0.80, 0), "wordvec init, frozen": (0.70, 0), "wordvec init, trainable": (0.81, 0)},
                {"random init": (0.82, 0), "wordvec init, frozen": (0.71, 0), "wordvec init, trainable": (0.81, 0)}]
    frozen, trainable = example.verdict(per_seed)
    assert "frozen hurt" in frozen and "trainable made no clear difference" in trainable


@pytest.mark.slow
def test_runs_with_small_settings_and_prints_accuracies(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("keras")
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE), "--seeds", "2", "--epochs", "1", "--dim", "8", "--w2v-epochs", "1",
         "--maxlen", "50", "--num-words", "2000"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert re.search(r"^reviews: 1850 labelled \(1569 positive, 281 negative; 150 with score 3 left out\)$", out, re.M)
    rows = {m.group(1): [float(g) for g in m.groups()[1:]] for m in SUMMARY.finditer(out)}
    assert set(rows) == {"majority class", "random init", "wordvec init, frozen", "wordvec init, trainable"}
    for name, (acc, acc_sd, balanced, balanced_sd) in rows.items():
        assert 0 <= acc <= 1 and 0 <= balanced <= 1 and acc_sd >= 0 and balanced_sd >= 0, name
    assert rows["majority class"][2:] == [0.5, 0.0]                 # one class predicted: balanced 0.5
    assert rows["majority class"][0] > 0.5
    assert len(re.findall(r"^seed \d: ", out, re.M)) == 2
    assert len(re.findall(r"^verdict: wordvec init, (frozen|trainable) (helped|hurt|made no clear difference) ", out, re.M)) == 2
