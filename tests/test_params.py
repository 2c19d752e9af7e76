"""The table of training parameters is the one place they are declared: the estimator, the
engines, the command line and the fastText header all agree with it."""

from __future__ import annotations

import inspect
import math

import pytest

from wordvec.cli import build_parser
from wordvec.engines import engine_names, get_engine
from wordvec.errors import ParameterError
from wordvec.formats.fasttext_bin import HEADER_DEFAULTS
from wordvec.model import Word2Vec
from wordvec.params import (DEFAULT_LR, ENGINE_NAMES, MAX_THREADS, NAMES, PARAMETER, PARAMETERS, check,
                            defaults, engine_parameters, not_taken)

#: For every parameter, values out of range: at least one for each of its rules.
OUT_OF_RANGE = {
    "dim": [0, 10001, 16.0, True], "window": [0, 100_001], "negative": [-1, 1001], "epochs": [0, "5"],
    "min_count": [-1, 1.5], "num_words": [1, 2.5], "sample": [1.0, -0.1, "x"], "model": ["glove", None],
    "lr": [0, 10.5, float("nan")], "min_lr": [-1e-4, math.inf], "threads": [0, MAX_THREADS + 1, 100000],
    "seed": [-1, 1.5], "engine": ["gpu", 3], "min_n": [0, 33], "max_n": [0, 33], "buckets": [0, 2**31],
    "steps_per_epoch": [0, 2.0], "negative_samples": [-1.0, math.nan, math.inf],
    "hs": [2, "yes", None], "ns_exponent": [math.nan, math.inf, "0.75"], "cbow_mean": [-1, 0.5],
    "shrink_windows": ["no", 3],
}


def _train_options() -> dict:
    train = build_parser()._subparsers._group_actions[0].choices["train"]
    return {action.dest: action for action in train._actions}


def test_every_parameter_of_the_estimator_is_in_the_table_and_no_other():
    signature = inspect.signature(Word2Vec.__init__).parameters
    given = [name for name in signature if name not in ("self", "progress")]
    assert tuple(given) == NAMES
    assert {name: signature[name].default for name in given} == defaults()
    assert Word2Vec.defaults() == defaults() and tuple(Word2Vec().get_params()) == NAMES


def test_every_training_option_comes_from_the_table_with_its_default_in_the_help():
    options = _train_options()
    for p in PARAMETERS:
        action = options[p.name]
        assert action.option_strings == [p.flag] and action.help == p.cli_help
        shown = f"(default {p.default})" if p.default is not None else f"(default: {p.none_means})"
        assert action.help.endswith(shown), p.name
    assert options["lr"].help == "initial learning rate (default: 0.025, CBOW 0.05)"
    assert options["buckets"].help.startswith("subword engine: ")
    assert options["engine"].choices == engine_names() and options["model"].choices == ["skipgram", "cbow"]


def test_the_fasttext_header_defaults_are_the_tables():
    assert HEADER_DEFAULTS and all(HEADER_DEFAULTS[name] == PARAMETER[name].default for name in HEADER_DEFAULTS)


def test_every_engine_takes_the_parameters_the_table_gives_it():
    assert sorted(ENGINE_NAMES) == engine_names()
    for name in engine_names():
        engine = get_engine(name)
        assert engine.parameters == engine_parameters(name), name
        assert engine.defaults() == {n: PARAMETER[n].default for n in engine.parameters}
    assert get_engine("native").default_lr == DEFAULT_LR["native"] == {"skipgram": 0.025, "cbow": 0.05}
    assert get_engine("subword").default_lr == DEFAULT_LR["subword"]


def test_negative_zero_needs_hierarchical_softmax():
    with pytest.raises(ParameterError, match="negative=0 trains nothing without hs=True"):
        check({**defaults(), "negative": 0})
    check({**defaults(), "negative": 0, "hs": True})
    check({**defaults(), "negative": 0, "hs": 1})


def test_gensim_style_switches_count_as_their_defaults():
    assert not_taken({**defaults(), "hs": 0, "cbow_mean": 1, "shrink_windows": 1}, engine_parameters("keras")) == []
    assert not_taken({**defaults(), "hs": 1}, engine_parameters("subword")) == ["hs"]


def test_the_table_covers_every_rule_of_every_parameter():
    assert set(OUT_OF_RANGE) == set(NAMES)
    refused_with = set()
    for name, values in OUT_OF_RANGE.items():
        for value in values:
            with pytest.raises(ParameterError) as err:
                check({**defaults(), name: value})
            refused_with.add((name, str(err.value).split(": must be ", 1)[1]))
    expected = {(p.name, valid) for p in PARAMETERS for _, valid in p.rules} | {("engine", "keras or native or subword")}
    assert refused_with == expected


@pytest.mark.parametrize("name, value", [(name, value) for name, values in OUT_OF_RANGE.items() for value in values])
def test_each_check_refuses_its_out_of_range_value_with_the_tables_message(name, value):
    p = PARAMETER[name]
    rules = p.rules or ((lambda v: v in engine_names(), " or ".join(engine_names())),)
    valid = next(valid for accepts, valid in rules if not accepts(value))
    message = f"invalid {name}={value!r}: must be {valid}"
    with pytest.raises(ParameterError) as err:
        Word2Vec(progress=False, **{name: value}).check_parameters()
    assert str(err.value) == message


def test_defaults_pass_and_the_checks_between_parameters_say_why():
    check(defaults())
    with pytest.raises(ParameterError, match=r"^min_n=5 is larger than max_n=4: n-grams run from min_n to max_n$"):
        Word2Vec(min_n=5, max_n=4).check_parameters()
    with pytest.raises(ParameterError, match=r"min_lr=0\.06 is above lr=0\.05 \(the native engine's default for cbow\)"):
        Word2Vec(model="cbow", min_lr=0.06).check_parameters()


def test_parameters_an_engine_does_not_take_are_named_only_when_set():
    values = {**defaults(), "window": 5, "negative": 9, "buckets": 2_000_000.0, "steps_per_epoch": 3}
    assert not_taken(values, engine_parameters("native")) == ["steps_per_epoch"]
    assert not_taken(values, engine_parameters("keras")) == ["negative"]
