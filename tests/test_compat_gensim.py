"""wordvec.compat.gensim against gensim 4 itself: the same calls, on the same input, give the same shapes.

The vectors differ (other random draws), so the oracle checks what gensim defines: signatures
and defaults, the vocabulary (keys, order, counts), key rules, types and shapes, the queries on
the same vectors, the evaluation results, the files, the callbacks; and a planted-structure
corpus checks that training puts related keys nearest.
"""

from __future__ import annotations

import gzip
import importlib.util
import inspect
from pathlib import Path

import numpy as np
import pytest

from wordvec.compat.gensim import CallbackAny2Vec, FastText, KeyedVectors, LineSentence, Word2Vec
from wordvec.compat.keyed_vectors import FastTextKeyedVectors
from wordvec.compat.options import NO_EFFECT, UnsupportedOption
from wordvec.errors import CorpusError, ModelFormatError, ParameterError
from wordvec.evaluate import evaluate_analogies, packaged_eval_sets
from wordvec.vectors import Vectors

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("gensim") is None, reason="could not import 'gensim'"),
    pytest.mark.filterwarnings("ignore::RuntimeWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

FAST = {"vector_size": 16, "epochs": 1, "workers": 1}
DOCS = Path(__file__).resolve().parents[1] / "docs" / "compat.md"


@pytest.fixture(scope="module")
def gensim_models():
    """``gensim.models``, imported by the tests that use it: importing gensim takes seconds, which
    collecting this module (in every run, in every worker) does not pay."""
    return pytest.importorskip("gensim.models")


@pytest.fixture(scope="module")
def gensim_word2vec(gensim_models):
    """``gensim.models.word2vec``, for its ``LineSentence``."""
    return pytest.importorskip("gensim.models.word2vec")


def _corpus(seed=0, keys=40, n=300, integers=False):
    rng = np.random.default_rng(seed)
    sentences = [[int(k) if integers else f"w{k}" for k in rng.integers(0, keys, rng.integers(1, 12))]
                 for _ in range(n)]
    return sentences


def _planted(seed=0):
    """Four groups of eight tokens; each sentence draws from one group only."""
    rng = np.random.default_rng(seed)
    groups = [[f"g{g}t{i}" for i in range(8)] for g in range(4)]
    return [list(rng.choice(groups[g], 10)) for g in rng.integers(0, 4, 400)]


def _gensim_kv(gensim_models, wv):
    """gensim's KeyedVectors holding exactly our keys and vectors."""
    kv = gensim_models.KeyedVectors(wv.vector_size)
    kv.add_vectors(list(wv.index_to_key), np.array(wv.vectors))
    return kv


@pytest.fixture(scope="module")
def trained():
    return Word2Vec(_corpus(), min_count=1, sg=1, **FAST)


# -- signatures and settings ---------------------------------------------------------------------

@pytest.mark.parametrize("ours, theirs", [
    (Word2Vec.__init__, "Word2Vec.__init__"), (FastText.__init__, "FastText.__init__"),
    (Word2Vec.build_vocab, "Word2Vec.build_vocab"), (Word2Vec.train, "Word2Vec.train"),
    (KeyedVectors.most_similar, "KeyedVectors.most_similar"),
    (KeyedVectors.most_similar_cosmul, "KeyedVectors.most_similar_cosmul"),
    (KeyedVectors.get_vector, "KeyedVectors.get_vector"), (KeyedVectors.get_index, "KeyedVectors.get_index"),
    (KeyedVectors.similarity, "KeyedVectors.similarity"), (KeyedVectors.doesnt_match, "KeyedVectors.doesnt_match"),
    (KeyedVectors.evaluate_word_pairs, "KeyedVectors.evaluate_word_pairs"),
    (KeyedVectors.evaluate_word_analogies, "KeyedVectors.evaluate_word_analogies"),
    (KeyedVectors.save_word2vec_format, "KeyedVectors.save_word2vec_format"),
    (KeyedVectors.load_word2vec_format, "KeyedVectors.load_word2vec_format"),
])
def test_signatures_and_defaults_are_gensims(ours, theirs, gensim_models):
    owner, name = theirs.split(".")
    want = inspect.signature(getattr(getattr(gensim_models, owner), name)).parameters.values()
    assert [(p.name, p.default) for p in inspect.signature(ours).parameters.values()] == \
        [(p.name, p.default) for p in want]


def test_gensim_settings_map_to_wordvec_parameters():
    model = Word2Vec(vector_size=24, alpha=0.05, min_alpha=0.001, sg=1, workers=2, hs=1, negative=0,
                     max_final_vocab=None, seed=None)
    params = model._estimator.get_params()
    assert (params["dim"], params["lr"], params["min_lr"], params["model"], params["threads"]) == \
        (24, 0.05, 0.001, "skipgram", 2)
    assert (params["hs"], params["negative"], params["num_words"], params["seed"]) == (True, 0, None, 1)
    assert Word2Vec()._estimator.model == "cbow"           # gensim's default, not wordvec's
    ft = FastText(bucket=1000, min_n=2, max_n=4)
    assert (ft._estimator.engine, ft._estimator.buckets, ft._estimator.min_n) == ("subword", 1000, 2)


@pytest.mark.parametrize("klass, option, value", [
    (Word2Vec, "max_vocab_size", 1000), (Word2Vec, "hashfxn", lambda s: 0), (Word2Vec, "null_word", 1),
    (Word2Vec, "trim_rule", lambda w, c, m: 1), (Word2Vec, "sorted_vocab", 0), (Word2Vec, "compute_loss", True),
    (FastText, "hs", 1), (FastText, "word_ngrams", 2), (FastText, "cbow_mean", 0),
    (FastText, "max_vocab_size", 10),
])
def test_unsupported_options_are_refused_in_one_line_naming_them(klass, option, value):
    with pytest.raises(UnsupportedOption) as caught:
        klass([["a", "b"]] * 5, **{option: value})
    message = str(caught.value)
    assert f"{option}=" in message and "\n" not in message
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, ParameterError)


def test_defaults_and_no_effect_options_are_accepted():
    model = Word2Vec(_corpus(), min_count=1, batch_words=50, sorted_vocab=True, compute_loss=False,
                     comment="run 1", **FAST)
    assert model.comment == "run 1" and len(model.wv) == 40


@pytest.mark.parametrize("kwargs, name", [({"vector_size": 0}, "vector_size="), ({"alpha": -1.0}, "alpha="),
                                          ({"workers": 0}, "workers=")])
def test_out_of_range_values_are_named_as_gensim_names_them(kwargs, name):
    with pytest.raises(ParameterError, match=name):
        Word2Vec(**kwargs)


def test_call_options_are_refused_or_accepted(trained):
    with pytest.raises(UnsupportedOption, match="keep_raw_vocab="):
        Word2Vec(**FAST).build_vocab([["a", "b"]], keep_raw_vocab=True)
    with pytest.raises(UnsupportedOption, match="dry_run="):
        Word2Vec(**FAST).build_vocab([["a", "b"]], dry_run=True)
    with pytest.raises(UnsupportedOption, match="compute_loss="):
        trained.train(_corpus(), total_examples=1, epochs=1, compute_loss=True)
    with pytest.raises(UnsupportedOption, match="indexer="):
        trained.wv.most_similar("w1", indexer=object())


# -- the vocabulary --------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [{"min_count": 1}, {"min_count": 3}, {"min_count": 1, "max_final_vocab": 25},
                                    {"min_count": 5, "max_final_vocab": 30}])
@pytest.mark.parametrize("integers", [False, True])
def test_vocabulary_is_gensims(kwargs, integers, gensim_models):
    sentences = _corpus(integers=integers)
    theirs = gensim_models.Word2Vec(sentences, **FAST, **kwargs)
    ours = Word2Vec(sentences, **FAST, **kwargs)
    assert ours.wv.index_to_key == theirs.wv.index_to_key       # the order of ties included
    assert [type(k) for k in ours.wv.index_to_key] == [type(k) for k in theirs.wv.index_to_key]
    assert ours.wv.key_to_index == theirs.wv.key_to_index
    assert [ours.wv.get_vecattr(k, "count") for k in ours.wv.index_to_key] == \
        [theirs.wv.get_vecattr(k, "count") for k in theirs.wv.index_to_key]
    assert (ours.corpus_count, ours.corpus_total_words) == (theirs.corpus_count, theirs.corpus_total_words)


@pytest.mark.parametrize("sentences", [[[1, 2, 3, 40], [2, 3, 7]] * 10, [["1", "2", "3", "40"], ["2", "3", "7"]] * 10])
def test_keys_str_and_int_behave_as_gensim(sentences, gensim_models):
    theirs = gensim_models.Word2Vec(sentences, min_count=1, **FAST)
    ours = Word2Vec(sentences, min_count=1, **FAST)
    for probe in (1, 2, "3", 3, 40, "40", 4, 5, 6, 7, "1", np.int64(2), -1, 2.0):
        assert (probe in ours.wv) == (probe in theirs.wv), probe
        assert ours.wv.get_index(probe, -1) == theirs.wv.get_index(probe, -1), probe
        if isinstance(probe, float):
            continue                                              # a key or index for get_index, not for []
        if probe in ours.wv:
            np.testing.assert_array_equal(ours.wv[probe], ours.wv.vectors[theirs.wv.get_index(probe)])
        else:
            with pytest.raises(KeyError):
                ours.wv[probe]


def test_keys_of_both_kinds_in_one_corpus_are_refused_in_one_line():
    with pytest.raises(CorpusError, match="integer"):
        Word2Vec([[1, 2, "x"], [2, 3]] * 10, min_count=1, **FAST)


def test_a_key_unk_is_an_ordinary_key(tmp_path):
    sentences = [["UNK", "a", "b"], ["a", "UNK", "c"]] * 10
    model = Word2Vec(sentences, min_count=1, **FAST)
    assert sorted(model.wv.index_to_key) == ["UNK", "a", "b", "c"]
    assert model.wv["UNK"].any()
    model.save(tmp_path / "m")
    assert Word2Vec.load(tmp_path / "m").wv.index_to_key == model.wv.index_to_key


def test_integer_arrays_and_tuples_are_sentences():
    arrays = [np.array([1, 2, 3]), np.array([3, 2, 1])] * 10
    model = Word2Vec(arrays, min_count=1, **FAST)
    assert sorted(model.wv.index_to_key) == [1, 2, 3] and all(type(k) is int for k in model.wv.index_to_key)
    assert len(Word2Vec([("a", "b"), ("b", "c")] * 5, min_count=1, **FAST).wv) == 3


def test_token_sequences_and_generators_are_corpora():
    from wordvec.encoding import TokenSequences

    arrays = [np.array(s) for s in _corpus(integers=True)]
    from_lists = Word2Vec(arrays, min_count=1, **FAST)
    packed = TokenSequences(np.concatenate(arrays), np.cumsum([0] + [len(a) for a in arrays]))
    from_packed = Word2Vec(packed, min_count=1, **FAST)
    assert from_packed.wv.index_to_key == from_lists.wv.index_to_key
    assert from_packed.corpus_count == from_lists.corpus_count == len(arrays)
    from_generator = Word2Vec((list(s) for s in _corpus()), min_count=1, **FAST)   # read once, trained
    assert len(from_generator.wv) == 40 and from_generator.wv.vectors.any()


def test_strings_are_refused_as_sentences():
    with pytest.raises(ParameterError, match="not a string"):
        Word2Vec(["the cat sat", "on the mat"], min_count=1, **FAST)
    with pytest.raises(ParameterError, match="corpus_file"):
        Word2Vec("corpus.txt", min_count=1, **FAST)


# -- vectors, shapes and types ------------------------------------------------------------------

def test_vectors_shapes_and_types_are_gensims(trained, gensim_models):
    theirs = gensim_models.Word2Vec(_corpus(), min_count=1, sg=1, **FAST)
    for wv, gwv in ((trained.wv, theirs.wv),):
        for value, expected in ((wv["w1"], gwv["w1"]), (wv[["w1", "w2"]], gwv[["w1", "w2"]]),
                                (wv.vectors, gwv.vectors), (wv.get_normed_vectors(), gwv.get_normed_vectors()),
                                (wv.get_vector("w3", norm=True), gwv.get_vector("w3", norm=True))):
            assert (type(value), value.shape, value.dtype) == (type(expected), expected.shape, expected.dtype)
        assert type(wv.similarity("w1", "w2")) is type(gwv.similarity("w1", "w2"))
        assert type(wv.distance("w1", "w2")) is type(gwv.distance("w1", "w2"))
        assert type(wv.n_similarity(["w1"], ["w2"])) is type(gwv.n_similarity(["w1"], ["w2"]))
        assert len(wv) == len(gwv) and wv.vector_size == gwv.vector_size
        assert not wv["w1"].flags.writeable
    np.testing.assert_allclose(np.linalg.norm(trained.wv.get_normed_vectors(), axis=1), 1, rtol=1e-5)
    with pytest.raises(KeyError):
        trained.wv["nope"]


def test_similarity_is_the_cosine_of_the_vectors(trained):
    a, b = trained.wv["w1"], trained.wv["w7"]
    cosine = a @ b / np.linalg.norm(a) / np.linalg.norm(b)
    assert trained.wv.similarity("w1", "w7") == pytest.approx(cosine, rel=1e-5)
    assert trained.wv.distance("w1", "w7") == pytest.approx(1 - cosine, rel=1e-4)


def test_queries_match_gensim_on_the_same_vectors(trained, gensim_models):
    wv, kv = trained.wv, _gensim_kv(gensim_models, trained.wv)
    queries = [({"positive": "w1"}), ({"positive": ["w1", "w2"], "negative": ["w3"], "topn": 5}),
               ({"positive": [wv["w4"]], "topn": 3}), ({"positive": [("w1", 0.5), ("w2", 2.0)], "negative": ["w5"]}),
               ({"positive": "w1", "restrict_vocab": 20}), ({"positive": "w2", "clip_start": 5, "clip_end": 30}),
               ({"positive": ["w1", wv["w9"]], "negative": [("w4", -0.3)], "topn": 7})]
    for query in queries:
        got, want = wv.most_similar(**query), kv.most_similar(**query)
        assert [k for k, _ in got] == [k for k, _ in want], query
        np.testing.assert_allclose([s for _, s in got], [s for _, s in want], rtol=1e-4, atol=1e-6)
        assert all(type(s) is float for _, s in got)
    np.testing.assert_allclose(wv.most_similar("w1", topn=None), kv.most_similar("w1", topn=None), rtol=1e-4,
                               atol=1e-6)
    assert wv.most_similar("w1", topn=0) == [] == kv.most_similar("w1", topn=0)
    assert "w1" not in dict(wv.most_similar("w1", topn=len(wv)))
    assert [k for k, _ in wv.most_similar_cosmul(["w1", "w2"], ["w3"], topn=4)] == \
        [k for k, _ in kv.most_similar_cosmul(["w1", "w2"], ["w3"], topn=4)]
    assert wv.doesnt_match(["w1", "w2", "w3", "nope"]) == kv.doesnt_match(["w1", "w2", "w3", "nope"])
    assert wv.n_similarity(["w1", "w2"], ["w3"]) == pytest.approx(kv.n_similarity(["w1", "w2"], ["w3"]), rel=1e-5)
    assert [k for k, _ in wv.similar_by_vector(wv["w6"], topn=3)] == [k for k, _ in kv.similar_by_vector(wv["w6"],
                                                                                                     topn=3)]


def test_keyed_vectors_built_by_hand_as_gensim(gensim_models):
    ours, theirs = KeyedVectors(3), gensim_models.KeyedVectors(3)
    for kv in (ours, theirs):
        kv.add_vectors(["a", "b"], np.eye(3, dtype=np.float32)[:2])
        kv.add_vectors(["b", "c"], np.ones((2, 3), dtype=np.float32))
        kv["a"] = np.full(3, 2.0, dtype=np.float32)
    assert ours.index_to_key == theirs.index_to_key
    np.testing.assert_array_equal(ours.vectors, theirs.vectors)
    assert str(ours) == str(theirs)


# -- evaluation -------------------------------------------------------------------------------------

def _eval_vectors(words, seed=0, dim=12):
    rng = np.random.default_rng(seed)
    return Vectors(words, rng.normal(size=(len(words), dim)).astype(np.float32))


def test_evaluate_word_pairs_matches_gensim(gensim_models):
    path = packaged_eval_sets()["similarity"]["wordsim353"]
    lines = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line[:1] != "#"]
    words = sorted({w for a, b, _ in lines for w in (a, b)})[::2] + ["Tiger", "CAT"]
    ours = KeyedVectors.from_vectors(_eval_vectors(words))
    kv = _gensim_kv(gensim_models, ours)
    for kwargs in ({}, {"restrict_vocab": 100}, {"case_insensitive": False}):
        (p, pp), spearman, oov = ours.evaluate_word_pairs(path, **kwargs)
        (gp, gpp), gspearman, goov = kv.evaluate_word_pairs(path, **kwargs)
        assert (p, pp) == pytest.approx((gp, gpp), rel=1e-5)
        assert (spearman.statistic, spearman.pvalue) == pytest.approx((gspearman.statistic, gspearman.pvalue),
                                                                      rel=1e-5)
        assert spearman.correlation == spearman[0] and type(oov) is type(goov) and oov == pytest.approx(goov)


@pytest.fixture(scope="module")
def analogy_file(tmp_path_factory):
    """The first 40 questions of five sections of Google's set."""
    path = tmp_path_factory.mktemp("eval") / "analogies.txt"
    lines, taken = [], 0
    for line in packaged_eval_sets()["analogies"]["questions-words"].read_text(encoding="utf-8").splitlines():
        if line.startswith(": "):
            if len([x for x in lines if x.startswith(": ")]) == 5:
                break
            lines.append(line)
            taken = 0
        elif taken < 40:
            lines.append(line)
            taken += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _analogy_vectors(path, seed=0):
    """Question words with a shared offset per section (so some answers are right), case variants, filler."""
    rng = np.random.default_rng(seed)
    vectors, offset = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(": "):
            offset = rng.normal(size=12) * 1.5
            continue
        a, b, c, d = line.split()
        for x, y in ((a, b), (c, d)):
            vectors.setdefault(x, rng.normal(size=12))
            vectors.setdefault(y, vectors[x] + offset + rng.normal(size=12) * 0.6)
    words = list(vectors)[::-1][:-7] + [w.lower() for w in list(vectors)[:5]] + [f"filler{i}" for i in range(30)]
    matrix = [vectors.get(w, rng.normal(size=12)) for w in words]
    return KeyedVectors.from_vectors(Vectors(words, np.asarray(matrix, dtype=np.float32)))


@pytest.mark.parametrize("kwargs", [{}, {"restrict_vocab": 150}, {"case_insensitive": False}])
def test_evaluate_word_analogies_matches_gensim(analogy_file, kwargs, gensim_models):
    ours = _analogy_vectors(analogy_file)
    score, sections = ours.evaluate_word_analogies(analogy_file, **kwargs)
    want_score, want_sections = _gensim_kv(gensim_models, ours).evaluate_word_analogies(analogy_file, **kwargs)
    assert sections == want_sections
    assert score == pytest.approx(want_score) and 0 < score < 1
    if not kwargs:
        assert score == pytest.approx(evaluate_analogies(ours._vectors, analogy_file)["accuracy"])


def test_evaluation_refuses_what_it_cannot_do(trained, analogy_file):
    with pytest.raises(UnsupportedOption, match="dummy4unknown="):
        trained.wv.evaluate_word_analogies(analogy_file, dummy4unknown=True)
    with pytest.raises(UnsupportedOption, match="similarity_function="):
        trained.wv.evaluate_word_analogies(analogy_file, similarity_function="closest")


# -- training forms and callbacks -------------------------------------------------------------------

def test_two_step_form_trains_as_the_one_step_form():
    sentences = _corpus()
    one = Word2Vec(sentences, min_count=2, **FAST)
    two = Word2Vec(min_count=2, **FAST)
    two.build_vocab(sentences)
    assert two.wv.index_to_key == one.wv.index_to_key and two.wv.vectors.shape == one.wv.vectors.shape
    two.train(sentences, total_examples=two.corpus_count, epochs=two.epochs)
    np.testing.assert_array_equal(two.wv.vectors, one.wv.vectors)


def test_wv_after_build_vocab_is_small_seeded_random_vectors():
    models = [Word2Vec(seed=3, **FAST) for _ in range(2)]
    for model in models:
        model.build_vocab([["a", "b", "c"], ["b", "c"]] * 10)
    first, second = (model.wv.vectors for model in models)
    assert first.shape == (3, FAST["vector_size"]) and np.abs(first).max() <= 0.5 / FAST["vector_size"]
    np.testing.assert_array_equal(first, second)
    assert np.unique(first).size > first.size // 2


def test_train_keeps_the_vocabulary_of_build_vocab():
    model = Word2Vec(min_count=1, **FAST)
    model.build_vocab([["a", "b", "c"], ["b", "c"]] * 10)
    trained_words, raw_words = model.train([["a", "b", "z", "y"]] * 10, total_examples=10, epochs=2)
    assert model.wv.index_to_key == ["c", "b", "a"]            # gensim's: of equal counts, the later seen first
    assert (trained_words, raw_words) == (2 * 20, 2 * 40)


def test_training_checks_are_gensims():
    model = Word2Vec(**FAST)
    with pytest.raises(RuntimeError, match="build vocabulary"):
        model.train([["a", "b"]], total_examples=1, epochs=1)
    model.build_vocab([["a", "b"]] * 10)
    with pytest.raises(ValueError, match="explicit epochs"):
        model.train([["a", "b"]], total_examples=1)
    with pytest.raises(ValueError, match="total_examples or total_words"):
        model.train([["a", "b"]], epochs=1)
    with pytest.raises(TypeError, match="Both corpus_file and corpus_iterable"):
        model.train([["a", "b"]], corpus_file="x", total_examples=1, epochs=1)
    with pytest.raises(TypeError, match="corpus_file must be a valid path"):
        model.train(corpus_file="/no/such/file", total_examples=1, epochs=1)


class _Recorder(CallbackAny2Vec):
    def __init__(self):
        self.calls = []

    def on_train_begin(self, model):
        self.calls.append("train_begin")

    def on_epoch_begin(self, model):
        self.calls.append("epoch_begin")

    def on_epoch_end(self, model):
        self.calls.append(("epoch_end", len(model.wv)))

    def on_train_end(self, model):
        self.calls.append("train_end")


def test_callbacks_are_called_as_gensim_calls_them(gensim_models):
    sentences = _corpus()
    ours, theirs = _Recorder(), _Recorder()
    Word2Vec(sentences, min_count=1, vector_size=16, workers=1, epochs=3, callbacks=[ours])
    gensim_models.Word2Vec(sentences, min_count=1, vector_size=16, workers=1, epochs=3, callbacks=[theirs])
    assert ours.calls == theirs.calls


def test_gensims_own_callbacks_are_taken_and_batch_hooks_refused():
    callbacks = pytest.importorskip("gensim.models.callbacks")

    class Counter(callbacks.CallbackAny2Vec):
        epochs = 0

        def on_epoch_end(self, model):
            Counter.epochs += 1

    class PerBatch(CallbackAny2Vec):
        def on_batch_end(self, model):
            pass

    Word2Vec(_corpus(), min_count=1, vector_size=8, workers=1, epochs=2, callbacks=[Counter()])
    assert Counter.epochs == 2
    with pytest.raises(UnsupportedOption, match="on_batch_end"):
        Word2Vec(_corpus(), min_count=1, callbacks=[PerBatch()], **FAST)


def test_later_training_continues_the_run(trained):
    model = Word2Vec(_corpus(), min_count=1, **FAST)
    before = np.array(model.wv.vectors)
    model.train(_corpus(seed=1) + [["new", "keys"]] * 5, total_examples=305, epochs=1)
    assert len(model.wv) == 40 and not np.array_equal(np.sort(before, axis=0), np.sort(model.wv.vectors, axis=0))
    model.build_vocab([["new", "keys", "w1"]] * 5, update=True)
    model.train([["new", "keys", "w1"]] * 5, total_examples=model.corpus_count, epochs=1)
    assert {"new", "keys"} <= set(model.wv.index_to_key) and len(model.wv) == 42
    assert model.train_count == 3 and isinstance(model.get_latest_training_loss(), float)
    assert model.syn1neg.shape == model.wv.vectors.shape


# -- corpus files -----------------------------------------------------------------------------------

def test_line_sentence_reads_as_gensims(tmp_path, gensim_word2vec):
    text = "The  cat\tsat\r\n\n" + " ".join(f"t{i}" for i in range(25)) + "\nnbsp\u00a0split  x\u2028y\nlast"
    plain = tmp_path / "corpus.txt"
    plain.write_text(text, encoding="utf-8")
    packed = tmp_path / "corpus.txt.gz"
    packed.write_bytes(gzip.compress(text.encode("utf-8")))
    want = list(gensim_word2vec.LineSentence(str(plain), max_sentence_length=10))
    assert list(LineSentence(plain, max_sentence_length=10)) == want
    assert list(LineSentence(packed, max_sentence_length=10)) == want
    assert list(LineSentence(plain, limit=2)) == list(gensim_word2vec.LineSentence(str(plain), limit=2))


@pytest.mark.parametrize("chunk", [1, 3, 7, 64])
def test_line_sentence_cuts_lines_read_in_pieces_as_gensim(tmp_path, monkeypatch, chunk, gensim_word2vec):
    from wordvec.compat import corpus

    monkeypatch.setattr(corpus, "_CHUNK_CHARS", chunk)
    text = "alpha beta  gamma\n" + " ".join(f"word{i}" for i in range(23)) + "  \n\n\nx\ny z" + " tail" * 9
    path = tmp_path / "corpus.txt"
    path.write_text(text, encoding="utf-8")
    for length in (1, 4, 10, 10000):
        assert list(LineSentence(path, max_sentence_length=length)) == \
            list(gensim_word2vec.LineSentence(str(path), max_sentence_length=length))


def test_corpus_file_trains_as_the_same_sentences(tmp_path):
    sentences = _corpus()
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(" ".join(s) for s in sentences) + "\n", encoding="utf-8")
    from_file = Word2Vec(corpus_file=str(path), min_count=2, **FAST)
    from_list = Word2Vec(sentences, min_count=2, **FAST)
    assert from_file.wv.index_to_key == from_list.wv.index_to_key
    assert from_file.corpus_total_words == from_list.corpus_total_words
    np.testing.assert_array_equal(from_file.wv.vectors, from_list.wv.vectors)


def test_an_unreadable_corpus_file_is_one_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"caf\xe9 au lait\n")
    with pytest.raises(CorpusError, match="not UTF-8"):
        Word2Vec(corpus_file=str(path), min_count=1, **FAST)


# -- files ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sentences", [_corpus(), _corpus(integers=True),
                                       [["a", "UNK", "1", "line\nbreak"], ["1", "a"]] * 10])
def test_save_and_load_round_trip(tmp_path, sentences):
    model = Word2Vec(sentences, min_count=1, sg=1, comment="kept", **FAST)
    model.save(tmp_path / "model")
    loaded = Word2Vec.load(tmp_path / "model")
    assert type(loaded) is Word2Vec and loaded.wv.index_to_key == model.wv.index_to_key
    assert [type(k) for k in loaded.wv.index_to_key] == [type(k) for k in model.wv.index_to_key]
    np.testing.assert_array_equal(loaded.wv.vectors, model.wv.vectors)
    assert (loaded.sg, loaded.comment, loaded.corpus_count, loaded.epochs) == (1, "kept", model.corpus_count, 1)
    loaded.train(sentences, total_examples=loaded.corpus_count, epochs=1)   # it can train further
    kv = KeyedVectors.load(tmp_path / "model")
    assert kv.index_to_key == model.wv.index_to_key
    kv.save(tmp_path / "wv")
    assert KeyedVectors.load(tmp_path / "wv").index_to_key == model.wv.index_to_key


def test_keyed_vectors_of_mixed_keys_round_trip(tmp_path):
    wv = KeyedVectors(2)
    wv.add_vectors([1, "1", "a\nb", "UNK"], np.arange(8, dtype=np.float32).reshape(4, 2))
    wv.save(tmp_path / "wv")
    loaded = KeyedVectors.load(tmp_path / "wv", mmap="r")
    assert loaded.index_to_key == [1, "1", "a\nb", "UNK"] and type(loaded.index_to_key[0]) is int
    np.testing.assert_array_equal(loaded.vectors, wv.vectors)


def test_load_refuses_what_it_did_not_write(tmp_path, trained):
    (tmp_path / "pickle.model").write_bytes(b"\x80\x04")
    with pytest.raises(ModelFormatError, match="not a model directory"):
        Word2Vec.load(tmp_path / "pickle.model")
    trained.save(tmp_path / "w2v")
    with pytest.raises(ModelFormatError, match="a Word2Vec model, not a FastText one"):
        FastText.load(tmp_path / "w2v")


@pytest.mark.parametrize("binary", [False, True])
def test_word2vec_files_are_read_by_gensim_and_back(tmp_path, trained, binary, gensim_models):
    path = tmp_path / "vectors.bin"
    trained.wv.save_word2vec_format(str(path), binary=binary)
    theirs = gensim_models.KeyedVectors.load_word2vec_format(str(path), binary=binary)
    assert theirs.index_to_key == trained.wv.index_to_key
    np.testing.assert_allclose(theirs.vectors, trained.wv.vectors, rtol=1e-5, atol=1e-6)
    back = tmp_path / "gensim.bin"
    theirs.save_word2vec_format(str(back), binary=binary)
    ours = KeyedVectors.load_word2vec_format(str(back), binary=binary, limit=10)
    assert ours.index_to_key == trained.wv.index_to_key[:10]
    np.testing.assert_array_equal(ours.vectors, theirs.vectors[:10])


# -- FastText ---------------------------------------------------------------------------------------

def test_fasttext_answers_unknown_words_from_subwords_as_gensim(gensim_models):
    sentences = [["teapot", "teacup", "teabag"], ["doghouse", "dogfood", "dogtag"]] * 20
    ours = FastText(sentences, min_count=1, bucket=2000, **FAST)
    theirs = gensim_models.FastText(sentences, min_count=1, bucket=2000, **FAST)
    assert isinstance(ours.wv, FastTextKeyedVectors) and ours.wv.index_to_key == theirs.wv.index_to_key
    for probe in ("teapots", "dog", "zzz", "teapot"):
        assert (probe in ours.wv) == (probe in theirs.wv) is True
        assert (probe in ours.wv.key_to_index) == (probe in theirs.wv.key_to_index)
        assert ours.wv[probe].shape == theirs.wv[probe].shape
    assert ours.wv["teapots"].any() and "teapots" not in dict(ours.wv.most_similar("teapots"))
    assert ours.wv.similarity("teapots", "teapot") > 0.5


def test_fasttext_refuses_integer_keys_and_further_training():
    with pytest.raises(UnsupportedOption, match="not a string"):
        FastText([[1, 2, 3]] * 5, min_count=1, **FAST)
    model = FastText([["teapot", "teacup"]] * 10, min_count=1, bucket=100, **FAST)
    with pytest.raises(UnsupportedOption, match="training further"):
        model.train([["teapot", "teacup"]] * 10, total_examples=10, epochs=1)


def test_fasttext_round_trip(tmp_path):
    model = FastText([["teapot", "teacup"], ["dogfood", "doghouse"]] * 10, min_count=1, bucket=500, **FAST)
    model.save(tmp_path / "ft")
    loaded = Word2Vec.load(tmp_path / "ft")       # gensim's load gives the class that was saved
    assert type(loaded) is FastText
    np.testing.assert_allclose(loaded.wv["teapots"], model.wv["teapots"], rtol=1e-6)


# -- quality, docs ----------------------------------------------------------------------------------

@pytest.mark.parametrize("settings", [{"sg": 1}, {"sg": 1, "hs": 1, "negative": 0}])
def test_planted_structure_puts_related_keys_nearest(settings):
    model = Word2Vec(_planted(), vector_size=16, min_count=1, workers=1, epochs=5, **settings)
    same = [key[:2] == other[:2] for key in model.wv.index_to_key for other, _ in model.wv.most_similar(key, topn=3)]
    assert np.mean(same) >= 0.9


def test_docs_list_every_gensim_option(gensim_models):
    text = DOCS.read_text(encoding="utf-8")
    for klass in (gensim_models.Word2Vec, gensim_models.FastText):
        for name in inspect.signature(klass.__init__).parameters:
            if name != "self":
                assert f"`{name}`" in text, name
    rows = [line for line in text.splitlines() if line.startswith("|")]
    for name in NO_EFFECT:
        assert any(f"`{name}`" in row and "no effect" in row for row in rows), name
