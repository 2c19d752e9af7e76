"""Autotune (fastText's -autotune-*): the search, its metrics, its refusals, the command line."""

from __future__ import annotations

import json
import math
import random

import pytest

from wordvec import api
from wordvec.classifier_autotune import (CUTOFF_LIMIT, MIN_N_CHOICES, AutotuneStrategy, autotune_classifier,
                                         cutoff_for_size)
from wordvec.classifier_autotune_meter import Meter, Metric, parse_metric, parse_model_size
from wordvec.cli import main
from wordvec.errors import ParameterError, WordvecError
from wordvec.params import classifier_defaults

TOPICS = {"tea": "tea cup hot brew leaf kettle", "car": "car road wheel drive engine tire",
          "pet": "dog cat pet bark fur paw"}
FILLER = "the of and is it good very nice".split()
QUICK = {"buckets": 10_000, "threads": 1}  # a small bucket table keeps every trial small


def _lines(n: int, seed: int) -> str:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        label = rng.choice(sorted(TOPICS))
        words = [rng.choice(TOPICS[label].split()) if rng.random() < 0.35 else rng.choice(FILLER) for _ in range(8)]
        out.append(f"__label__{label} " + " ".join(words))
    return "\n".join(out) + "\n"


@pytest.fixture
def data(tmp_path):
    train, valid = tmp_path / "train.txt", tmp_path / "valid.txt"
    train.write_text(_lines(300, 0))
    valid.write_text(_lines(100, 1))
    return train, valid


# -- the metrics ---------------------------------------------------------------------


def _meter() -> Meter:
    """Four lines, labels 0 and 1: hits at 0.9 and 0.7, misses at 0.8 and 0.6 (one gold label 1 missed)."""
    meter = Meter()
    meter.log([0], [0], [0.9])
    meter.log([1], [0], [0.8])
    meter.log([1], [1], [0.7])
    meter.log([0], [1], [0.6])
    return meter


def test_f1_over_all_labels_and_per_label():
    meter = _meter()
    assert meter.precision() == meter.recall() == 0.5
    assert meter.score(parse_metric("f1")) == 0.5
    assert meter.score(parse_metric("f1:x"), label_id=0) == pytest.approx(2 * 1 / (2 + 2))
    assert math.isnan(Meter().f1())


def test_precision_at_recall_and_recall_at_precision():
    meter = _meter()  # from the top: (1/1, 1/4), (1/2, 1/4), (2/3, 2/4), (2/4, 2/4), then (1, 0)
    assert meter.curve() == [(1.0, 0.25), (0.5, 0.25), (2 / 3, 0.5), (0.5, 0.5), (1.0, 0.0)]
    assert meter.score(parse_metric("precisionAtRecall:50")) == pytest.approx(2 / 3)
    assert meter.score(parse_metric("precisionAtRecall:60")) == 0.0
    assert meter.score(parse_metric("recallAtPrecision:60")) == 0.5
    assert meter.score(parse_metric("recallAtPrecision:100")) == 0.25
    # label 1: predicted at 0.7 (hit) and 0.6 (miss), 2 gold: (1, 1/2), (1/2, 1/2), (1, 0)
    assert meter.score(parse_metric("precisionAtRecall:50:y"), label_id=1) == 1.0
    assert meter.score(parse_metric("precisionAtRecall:60:y"), label_id=1) == 0.0
    assert meter.score(parse_metric("recallAtPrecision:50:y"), label_id=1) == 0.5


def test_tied_probabilities_count_together():
    meter = Meter()
    meter.log([0], [0], [0.5])
    meter.log([1], [0], [0.5])
    assert meter.curve() == [(0.5, 0.5), (1.0, 0.0)]


def test_metric_and_size_parsing():
    assert parse_metric("recallAtPrecision:30") == Metric("recallAtPrecision", 0.3, None)
    assert parse_metric("precisionAtRecall:30:__label__a").text == "precisionAtRecall:30:__label__a"
    for bad in ("f1:", "precisionAtRecall", "precisionAtRecall:x", "precisionAtRecall:30:", "top1"):
        with pytest.raises(ParameterError):
            parse_metric(bad)
    assert parse_model_size("2G") == 2_000_000_000 and parse_model_size("1500") == 1500
    assert parse_model_size("") is None
    for bad in ("M", "-1k", "1.5M", "0"):
        with pytest.raises(ParameterError):
            parse_model_size(bad)


# -- the search ----------------------------------------------------------------------


def test_first_trial_is_the_start_and_later_ones_stay_in_range():
    start = {**classifier_defaults(), "dsub": 2}
    strategy = AutotuneStrategy(start, seed=3)
    assert strategy.ask(0.0) == start
    for step in range(300):
        params = strategy.ask(step / 300)
        assert 1 <= params["epochs"] <= 100 and 0.01 <= params["lr"] <= 5.0 and 1 <= params["dim"] <= 1000
        assert 1 <= params["word_ngrams"] <= 5 and 10_000 <= params["buckets"] <= 10_000_000
        assert params["min_n"] in MIN_N_CHOICES and params["max_n"] == (params["min_n"] + 3 if params["min_n"] else 0)
        assert params["dsub"] in (2, 4, 8, 16) and params["loss"] == "softmax"


def test_settings_given_are_not_tuned():
    start = {**classifier_defaults(), "dim": 7, "loss": "ova", "dsub": 2}
    strategy = AutotuneStrategy(start, seed=0, fixed={"dim", "loss"})
    asked = [strategy.ask(0.5) for _ in range(20)]
    assert {p["dim"] for p in asked} == {7} and {p["loss"] for p in asked} == {"ova"}
    assert len({p["lr"] for p in asked}) > 1


def test_cutoff_for_a_model_size():
    # 2 MB, dim 100, 10 labels, dsub 2, qnorm: (2e6 - 107 - 4*256*100 - (16 + 4*10*100)) // (50 + 1 + 10)
    assert cutoff_for_size(2_000_000, 100, 10, 2) == 31040
    assert cutoff_for_size(50_000, 100, 10, 2) == CUTOFF_LIMIT


@pytest.mark.slow
def test_a_short_run_does_at_least_as_well_as_the_defaults(data, tmp_path):
    train, valid = data
    result = autotune_classifier([train], valid, tmp_path / "clf", duration=5, seed=1, progress=False, **QUICK)
    summary = result.info["autotune"]
    default = api.train_classifier([train], None, progress=False, **QUICK).classifier
    labels, _ = default.predict([line for line in valid.read_text().splitlines()])
    gold = [line.split()[0] for line in valid.read_text().splitlines()]
    default_f1 = sum(p[0] == g for p, g in zip(labels, gold)) / len(gold)  # F1 = P@1 = R@1 with one label a line
    assert summary["history"][0]["score"] == pytest.approx(default_f1)
    assert summary["best_score"] >= default_f1 and summary["trials"] >= 2
    saved = json.loads((tmp_path / "clf" / "classifier.json").read_text())
    assert saved["info"]["autotune"]["best"] == summary["best"]
    assert api.score_classifier(tmp_path / "clf", valid)["precision"] == pytest.approx(summary["final_score"])


def test_the_same_seed_and_trial_count_give_the_same_search(data):
    train, valid = data
    runs = [autotune_classifier([train], valid, duration=60, max_trials=4, seed=seed, progress=False,
                                epochs=2, **QUICK).info["autotune"] for seed in (5, 5, 6)]
    assert [h["params"] for h in runs[0]["history"]] == [h["params"] for h in runs[1]["history"]]
    assert [h["score"] for h in runs[0]["history"]] == [h["score"] for h in runs[1]["history"]]
    assert runs[0]["best"] == runs[1]["best"] and runs[0]["trials"] == 4
    assert runs[0]["history"][1]["params"] != runs[2]["history"][1]["params"]
    assert {h["params"]["epochs"] for h in runs[0]["history"]} == {2}


@pytest.mark.slow
def test_a_model_size_gives_a_quantized_file_that_fits(data, tmp_path):
    train, valid = data
    out = tmp_path / "m.ftz"
    result = autotune_classifier([train], valid, out, duration=30, max_trials=3, model_size="200k", progress=False,
                                 dim=20, word_ngrams=2, **QUICK)
    assert out.stat().st_size <= 200_000 and result.classifier.model_.quantized
    assert json.loads(out.with_suffix(".autotune.json").read_text())["autotune"]["model_size"] == 200_000


# -- refusals ------------------------------------------------------------------------


@pytest.mark.parametrize("options, message", [
    ({"duration": 0}, "duration needs to be a number of seconds above 0"),
    ({"metric": "accuracy"}, "unknown autotune metric 'accuracy'"),
    ({"metric": "f1:__label__nope"}, "unknown autotune metric label '__label__nope'"),
    ({"predictions": 0}, "predictions needs to be a whole number"),
    ({"model_size": "2X"}, "cannot read the model size"),
    ({"dsub": 3}, "dsub for autotune needs to be 2, 4, 8 or 16"),
    ({"dim": 0}, "dim"),
])
def test_bad_requests_are_one_line(data, options, message):
    train, valid = data
    with pytest.raises(ParameterError, match=message):
        autotune_classifier([train], valid, progress=False, **options)


def test_bad_files_are_refused_before_any_trial(data, tmp_path):
    train, valid = data
    with pytest.raises(ParameterError, match="no such validation file"):
        autotune_classifier([train], tmp_path / "missing.txt", progress=False)
    unlabelled = tmp_path / "plain.txt"
    unlabelled.write_text("no labels here\n")
    with pytest.raises(ParameterError, match="no validation line holds a label"):
        autotune_classifier([train], unlabelled, progress=False)
    with pytest.raises(ParameterError, match="give --out NAME.ftz"):
        autotune_classifier([train], valid, tmp_path / "dir", model_size="2M", progress=False)
    with pytest.raises(ParameterError, match="only with a model size"):
        autotune_classifier([train], valid, tmp_path / "m.ftz", progress=False)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(WordvecError):
        autotune_classifier([train], valid, blocker / "clf", progress=False)
    with pytest.raises(ParameterError, match="pretrained"):
        api.train_classifier([train], None, pretrained_vectors=train, autotune={"validation": valid})


def test_no_time_for_one_trial_says_so(data):
    train, valid = data
    with pytest.raises(ParameterError, match="not one trial finished within .* longer --autotune-duration"):
        autotune_classifier([train], valid, duration=1e-9, progress=False, **QUICK)


def test_validation_labels_the_training_lacks_are_ignored_with_a_warning(data, tmp_path):
    train, _ = data
    valid = tmp_path / "odd.txt"
    valid.write_text("__label__tea hot tea\n__label__boat sail water\n")
    result = autotune_classifier([train], valid, duration=60, max_trials=1, progress=False, epochs=1, **QUICK)
    assert "__label__boat" in result.warnings[0] and result.info["autotune"]["warnings"] == result.warnings


def test_the_command_line(data, tmp_path, capsys):
    train, valid = data
    out = tmp_path / "clf"
    assert main(["classify", "train", str(train), "--out", str(out), "--autotune-validation", str(valid),
                 "--autotune-duration", "0.5", "--autotune-metric", "f1:__label__tea", "--epochs", "1",
                 "--buckets", "10000", "--threads", "1", "--seed", "2", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "autotune:" in printed and "best f1:__label__tea" in printed
    summary = json.loads((out / "classifier.json").read_text())["info"]["autotune"]
    assert summary["fixed"] == ["buckets", "epochs"] and summary["metric"] == "f1:__label__tea"
    assert main(["classify", "train", str(train), "--out", str(out), "--autotune-metric", "f1", "--quiet"]) == 1
    assert "--autotune-metric goes with --autotune-validation" in capsys.readouterr().err
