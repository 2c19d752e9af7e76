"""What an autotune trial is expected to cost (``classifier_autotune_cost.py``): known answers on tiny
inputs, and the draw that sets aside a sample expected to outlast the time left."""

from __future__ import annotations

import pytest

from wordvec.classifier_autotune_cost import DRAWS, CorpusShape, TrialCost, affordable

PLAIN = {"epochs": 5, "dim": 10, "word_ngrams": 1, "min_n": 0, "max_n": 0, "buckets": 2_000_000, "loss": "softmax",
         "negative": 5}


def test_the_shape_of_labelled_lines():
    blocks = [b"__label__a good tea\n__label__b bad\n", b"__label__a tea tea tea\n"]
    shape = CorpusShape.of(blocks, {"__label__a", "__label__b"}, "__label__")
    assert (shape.tokens, shape.lines, shape.labels) == (6, 3, 2)
    assert shape.token_chars == pytest.approx(19 / 6)


def test_units_count_every_row_a_trial_touches():
    cost = TrialCost(CorpusShape(tokens=1000, lines=100, labels=4, token_chars=4.0))
    assert cost.units(PLAIN) == 5 * (1000 + 100 * 4) * 10
    assert cost.units({**PLAIN, "word_ngrams": 3}) == 5 * (3 * 1000 + 100 * 4) * 10 + 0.5 * 2_000_000 * 10
    # "<word>" of 4 characters: 4 trigrams, 3 four-grams, 2 five-grams, 1 six-gram
    assert cost.units({**PLAIN, "min_n": 3, "max_n": 6}) == 5 * (11 * 1000 + 100 * 4) * 10 + 0.5 * 2_000_000 * 10
    assert cost.units({**PLAIN, "loss": "ns"}) == 5 * (1000 + 100 * 6) * 10
    assert cost.units({**PLAIN, "loss": "hs"}) == 5 * (1000 + 100 * 3) * 10


def test_the_expected_seconds_follow_the_median_rate():
    cost = TrialCost(CorpusShape(tokens=1000, lines=100, labels=4, token_chars=4.0))
    assert cost.expected(PLAIN) is None
    for seconds in (1.0, 3.0, 2.0):
        cost.learn(PLAIN, seconds)
    assert cost.expected(PLAIN) == pytest.approx(2.0)
    assert cost.expected({**PLAIN, "epochs": 50, "dim": 20}) == pytest.approx(40.0)


def _asking(*epochs):
    samples = iter([{**PLAIN, "epochs": e} for e in epochs])
    return lambda: next(samples)


def test_a_sample_expected_to_outlast_the_time_left_is_drawn_again():
    cost = TrialCost(CorpusShape(tokens=1000, lines=100, labels=4, token_chars=4.0))
    assert affordable(_asking(500), cost, 1.0) == ({**PLAIN, "epochs": 500}, 0)  # nothing measured: no guess
    cost.learn(PLAIN, 1.0)  # 5 epochs take a second
    params, set_aside = affordable(_asking(500, 100, 20, 9), cost, 5.0)
    assert params["epochs"] == 20 and set_aside == 2
    params, set_aside = affordable(_asking(*([300, 60] + [90] * DRAWS)), cost, 5.0)
    assert params["epochs"] == 60 and set_aside == DRAWS  # none fits: the cheapest drawn


def test_a_trial_whose_pace_cannot_meet_the_deadline_is_stopped_at_its_first_chunk():
    import time

    from wordvec.classifier_autotune import _Deadline, _Skipped

    for give_up in (True, False):
        deadline = _Deadline(time.perf_counter() + 5.0, tick=lambda: None, give_up=give_up)
        deadline.started(None, total=1000)
        deadline.began -= 1.0  # a tenth of the work took a second: ten seconds in all, five left
        if give_up:
            with pytest.raises(_Skipped, match="too slow"):
                deadline.advanced(100, 0.5)
        else:
            deadline.advanced(100, 0.5)
    on_pace = _Deadline(time.perf_counter() + 60.0, tick=lambda: None, give_up=True)
    on_pace.started(None, total=1000)
    on_pace.began -= 1.0
    on_pace.advanced(100, 0.5)  # ten seconds in all, a minute left: goes on
