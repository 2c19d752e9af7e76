"""wordvec.evaluate against gensim's own evaluation, on the same vectors.

The vectors are random but structured: the pairs of each analogy section share
an offset, and human similarity scores pull pair words together, so the
accuracies and correlations are neither zero nor perfect.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from wordvec.errors import ModelFormatError, ParameterError, WordvecError
from wordvec.evaluate import (
    _read_questions,
    evaluate,
    evaluate_analogies,
    evaluate_word_pairs,
    packaged_eval_sets,
)
from wordvec.vectors import Vectors


SETS = packaged_eval_sets()
PAIR_FILES = SETS["similarity"]
QUESTIONS = SETS["analogies"]["questions-words"]
DIM = 24

pytestmark = [
    pytest.mark.skipif(importlib.util.find_spec("gensim") is None, reason="could not import 'gensim'"),
    pytest.mark.filterwarnings("ignore::RuntimeWarning"),  # gensim's 0/0 on the UNK row
    pytest.mark.filterwarnings("ignore:Call to deprecated:DeprecationWarning"),  # gensim's init_sims
]


def _pairs(path):
    out = []
    for line in path.read_text().splitlines():
        if line and not line.startswith("#"):
            a, b, score = line.split("\t")
            out.append((a, b, float(score)))
    return out


def _structured(mixed_case: bool, seed: int = 0):
    """Words of the three sets plus filler, in a shuffled 'frequency' order, UNK (zeros) first."""
    rng = np.random.default_rng(seed)
    sections = _read_questions(QUESTIONS)
    pairs = [p for path in PAIR_FILES.values() for p in _pairs(path)]
    words = {w for _, qs in sections for q in qs for w in q} | {w for a, b, _ in pairs for w in (a, b)}
    words = sorted(words) + [f"filler{i}" for i in range(1500)]
    vec = {w: rng.normal(size=DIM) for w in words}
    derived = set()
    for _, questions in sections:  # b = a + offset: every section shares one relation
        offset = rng.normal(size=DIM) * 1.2
        for a, b, c, d in questions:
            for x, y in ((a, b), (c, d)):
                if y not in derived and x != y:
                    vec[y] = vec[x] + offset + rng.normal(size=DIM) * 0.5
                    derived.add(y)
    for a, b, score in pairs:  # similar pairs closer together
        if b not in derived:
            vec[b] = vec[b] + (score / 10.0) * vec[a]
    order = list(rng.permutation(words))
    if mixed_case:
        # Case variants, some ranked before the word itself (then they stand for it): variants of
        # question words sit where the answers are, so gensim's ignore rule matters.
        extra = {}
        for _, questions in sections:
            for a, b, c, d in questions[::7]:
                for w, target in ((c, vec[d]), (b, vec[b] + vec[c] - vec[a])):
                    for variant in {w.upper(), w.lower(), w.capitalize()} - {w}:
                        extra.setdefault(variant, target + rng.normal(size=DIM) * 0.05)
        for a, b, _ in pairs[::3]:
            extra.setdefault(a.capitalize(), rng.normal(size=DIM))
            extra.setdefault(b.upper(), vec[a] + rng.normal(size=DIM) * 0.3)
        for w, v in extra.items():
            if w not in vec:
                vec[w] = v
                order.insert(int(rng.integers(0, len(order) + 1)), w)
    order = ["UNK"] + order
    matrix = np.array([np.zeros(DIM)] + [vec[w] for w in order[1:]], dtype=np.float32)
    return order, matrix


def _gensim_keyed_vectors(dim: int):
    """An empty ``gensim.models.KeyedVectors``: gensim is imported by the tests that compare with it
    (seconds to import, which collecting this module, in every run and every worker, does not pay)."""
    return pytest.importorskip("gensim.models.keyedvectors").KeyedVectors(dim)


def _both(words, matrix):
    kv = _gensim_keyed_vectors(matrix.shape[1])
    kv.add_vectors(list(words), matrix.copy())
    return kv, Vectors(words, matrix, unknown="UNK")


@pytest.fixture(scope="module")
def plain():
    return _both(*_structured(mixed_case=False))


@pytest.fixture(scope="module")
def mixed():
    return _both(*_structured(mixed_case=True, seed=1))


def _gensim_analogies(kv, path, **kw):
    score, sections = kv.evaluate_word_analogies(str(path), **kw)
    assert sections[-1]["section"] == "Total accuracy"
    per = {}
    for s in sections[:-1]:
        c, i = len(s["correct"]), len(s["incorrect"])
        per.setdefault(s["section"], [0, 0])
        per[s["section"]][0] += c
        per[s["section"]][1] += c + i
    total = sections[-1]
    return score, len(total["correct"]), len(total["correct"]) + len(total["incorrect"]), per


def _assert_analogies_equal(ours, kv, path, **kw):
    score, correct, total, per = _gensim_analogies(kv, path, **kw)
    assert (ours["correct"], ours["total"]) == (correct, total)
    assert ours["accuracy"] == pytest.approx(score, abs=1e-12)
    assert list(ours["sections"]) == list(per)
    for name, (c, t) in per.items():
        got = ours["sections"][name]
        assert (got["correct"], got["total"]) == (c, t), name
        assert got["accuracy"] == pytest.approx(c / t if t else 0.0, abs=1e-12)


def _assert_pairs_equal(ours, kv, path, **kw):
    pearson, spearman, oov_percent = kv.evaluate_word_pairs(str(path), **kw)
    assert ours["pearson"] == pytest.approx(pearson[0], abs=1e-6)
    assert ours["spearman"] == pytest.approx(spearman[0], abs=1e-6)
    assert ours["oov"] == pytest.approx(oov_percent / 100, abs=1e-12)
    n_lines = len(_pairs(path))
    assert ours["pairs"] == round(n_lines * (1 - oov_percent / 100))


@pytest.mark.slow
@pytest.mark.parametrize("restrict_vocab", [300000, 500])
@pytest.mark.parametrize("case_insensitive", [True, False])
def test_word_pairs_match_gensim(plain, mixed, restrict_vocab, case_insensitive):
    for kv, vecs in (plain, mixed):
        for path in PAIR_FILES.values():
            kw = dict(restrict_vocab=restrict_vocab, case_insensitive=case_insensitive)
            ours = evaluate_word_pairs(vecs, path, **kw)
            _assert_pairs_equal(ours, kv, path, **kw)
            if restrict_vocab == 300000 and case_insensitive:
                assert ours["spearman"] > 0.1 and ours["oov"] < 0.05  # structured, not noise


@pytest.fixture(scope="module")
def some_questions(tmp_path_factory) -> Path:
    """Every eighth question of each section of Google's set, as written there.

    For the whole vocabulary (``restrict_vocab=300000``), where gensim would take 10 to 20 seconds over
    all 19,544 questions (``test_full_google_set_is_scored_whole`` scores them all).
    """
    kept, count = [], 0
    for line in QUESTIONS.read_text(encoding="utf-8").splitlines():
        count = 0 if line.startswith(":") else count + 1   # a section's header, then its questions from 1
        if count == 0 or count % 8 == 1:
            kept.append(line)
    path = tmp_path_factory.mktemp("questions") / "questions-words.txt"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return path


def _questions(restrict_vocab: int, some_questions: Path) -> Path:
    """All of Google's questions where the vocabulary is restricted, a sample of each section where not."""
    return some_questions if restrict_vocab == 300000 else QUESTIONS


@pytest.mark.parametrize("restrict_vocab", [pytest.param(300000, marks=pytest.mark.slow), 500])
def test_analogies_match_gensim(plain, restrict_vocab, some_questions):
    kv, vecs = plain
    questions = _questions(restrict_vocab, some_questions)
    ours = evaluate_analogies(vecs, questions, restrict_vocab=restrict_vocab)
    _assert_analogies_equal(ours, kv, questions, restrict_vocab=restrict_vocab)
    assert 0 < ours["correct"] < ours["total"]
    if restrict_vocab == 500:
        assert 0 < ours["oov"] < 1


@pytest.mark.slow
def test_analogies_match_gensim_case_sensitive(plain):
    kv, vecs = plain
    ours = evaluate_analogies(vecs, QUESTIONS, restrict_vocab=2000, case_insensitive=False)
    _assert_analogies_equal(ours, kv, QUESTIONS, restrict_vocab=2000, case_insensitive=False)


@pytest.mark.parametrize("restrict_vocab", [pytest.param(300000, marks=pytest.mark.slow), 1500])
def test_analogies_match_gensim_mixed_case(mixed, restrict_vocab, some_questions):
    kv, vecs = mixed
    lowered = {w.upper() for w in vecs.words if w != w.upper()}
    assert sum(w in vecs for w in lowered) > 100  # many words really have case variants
    questions = _questions(restrict_vocab, some_questions)
    ours = evaluate_analogies(vecs, questions, restrict_vocab=restrict_vocab)
    _assert_analogies_equal(ours, kv, questions, restrict_vocab=restrict_vocab)
    assert 0 < ours["correct"] < ours["total"]


def test_gensim_fallback_when_all_five_candidates_are_question_word_variants(tmp_path):
    """gensim predicts the 5th candidate when its 5 best are all case variants of question words."""
    rng = np.random.default_rng(3)
    variants = ["Cat", "cAt", "caT", "CAt", "CaT", "cAT", "CAT"]
    words = ["UNK", "man", "king", "cat", "kitten", "dog"] + variants + [f"x{i}" for i in range(20)]
    matrix = rng.normal(size=(len(words), 8)).astype(np.float32)
    matrix[0] = 0
    target = matrix[2] - matrix[1] + matrix[3]
    for i, w in enumerate(words):
        if w in variants:
            matrix[i] = target + rng.normal(size=8) * 0.01
    path = tmp_path / "q.txt"
    path.write_text(": odd\nman king cat kitten\nman king cat cat\nman king dog Cat\n"
                    ": other\nking man kitten dog\n")
    kv, vecs = _both(words, matrix)
    for restrict in (300000, 9, 4):
        for case_insensitive in (True, False):
            kw = dict(restrict_vocab=restrict, case_insensitive=case_insensitive)
            _assert_analogies_equal(evaluate_analogies(vecs, path, **kw), kv, path, **kw)
    assert evaluate_analogies(vecs, path)["sections"]["odd"]["correct"] == 1  # "cat cat"


def _cosmul_expectation(kv, questions, case_insensitive):
    """gensim's evaluation loop with most_similar_cosmul in place of most_similar."""
    ok = {}
    for i, w in enumerate(kv.index_to_key):
        ok.setdefault(w.upper() if case_insensitive else w, i)
    correct = total = 0
    for q in questions:
        keys = [w.upper() for w in q] if case_insensitive else list(q)
        if any(k not in ok for k in keys):
            continue
        a, b, c, expected = keys
        original, kv.key_to_index = kv.key_to_index, ok
        try:
            sims = kv.most_similar_cosmul(positive=[b, c], negative=[a], topn=5)
        finally:
            kv.key_to_index = original
        predicted = None
        for word, _ in sims:
            predicted = word.upper() if case_insensitive else word
            if predicted not in {a, b, c}:
                break
        total += 1
        correct += predicted == expected
    return correct, total


@pytest.mark.slow
@pytest.mark.parametrize("case_insensitive", [True, False])
def test_3cosmul_matches_gensim_most_similar_cosmul(mixed, tmp_path, case_insensitive):
    kv, vecs = mixed
    sections = _read_questions(QUESTIONS)
    questions = [q for _, qs in sections for q in qs[::40]]
    path = tmp_path / "sample.txt"
    path.write_text(": sample\n" + "".join(" ".join(q) + "\n" for q in questions))
    ours = evaluate_analogies(vecs, path, method="3cosmul", restrict_vocab=None,
                              case_insensitive=case_insensitive)
    correct, total = _cosmul_expectation(kv, questions, case_insensitive)
    assert (ours["correct"], ours["total"]) == (correct, total)
    assert 0 < correct < total
    # restrict_vocab: gensim's most_similar_cosmul ignores it, so compare with the first rows alone
    n = 1500
    small = _gensim_keyed_vectors(DIM)
    small.add_vectors(vecs.words[:n], vecs.matrix[:n].copy())
    ours = evaluate_analogies(vecs, path, method="3cosmul", restrict_vocab=n,
                              case_insensitive=case_insensitive)
    assert (ours["correct"], ours["total"]) == _cosmul_expectation(small, questions, case_insensitive)


@pytest.mark.slow
def test_full_google_set_is_scored_whole():
    rng = np.random.default_rng(0)
    sections = _read_questions(QUESTIONS)
    words = sorted({w for _, qs in sections for q in qs for w in q})
    words += [f"filler{i}" for i in range(3000 - len(words))]
    vecs = Vectors(words, rng.normal(size=(len(words), 100)).astype(np.float32))
    vecs.unit_matrix
    for method in ("3cosadd", "3cosmul"):
        result = evaluate_analogies(vecs, QUESTIONS, method=method)
        assert result["total"] == 19544 and result["oov"] == 0
        assert sum(s["total"] for s in result["sections"].values()) == 19544


PUBLISHED_SHA256 = {     # the files as gensim's test data and the original releases carry them
    "wordsim353.tsv": "f92a022fc2537793a15bc3a8c162ebcd74990e033a228bb6388cb71e4c0b1e1d",
    "simlex999.txt": "d5e0501971478a511430ee880bd0121e94ac701ba86d90544d83e6d2ba3db05d",
    "questions-words.txt": "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36",
}


def test_packaged_sets_are_found_and_complete(shared_file):
    from gensim.test.utils import datapath

    names = {kind: sorted(paths) for kind, paths in SETS.items()}
    assert names == {"similarity": ["simlex999", "wordsim353"], "analogies": ["questions-words"]}
    for kind in SETS.values():
        for path in kind.values():
            data = path.read_bytes()
            assert hashlib.sha256(data).hexdigest() == PUBLISHED_SHA256[path.name]
            assert data == Path(datapath(path.name)).read_bytes()
            original = shared_file(f"eval/{path.name}")
            if original is not None:           # extra check where ../shared/data is beside the checkout
                assert data == original.read_bytes()
    readme = (QUESTIONS.parent / "README.md").read_text()
    for credit in ("Finkelstein", "Hill", "Mikolov", "Apache"):
        assert credit in readme
    assert len(_pairs(PAIR_FILES["wordsim353"])) == 353
    assert len(_pairs(PAIR_FILES["simlex999"])) == 999
    assert sum(len(q) for _, q in _read_questions(QUESTIONS)) == 19544


def _family() -> Vectors:
    """boy/girl, king/queen, man/woman one offset apart, beside cat, tiger and car (all else orthogonal)."""
    axes = np.eye(7, dtype=np.float32)
    words = {"boy": axes[0], "king": axes[1], "man": axes[2], "cat": axes[3], "tiger": axes[4], "car": axes[5]}
    words.update(girl=axes[0] + axes[6], queen=axes[1] + axes[6], woman=axes[2] + axes[6])
    return Vectors(list(words), np.array(list(words.values())))


def test_evaluate_defaults_are_the_packaged_sets():
    vecs = _family()
    result = evaluate(vecs)
    assert sorted(result["similarity"]) == ["simlex999", "wordsim353"]
    assert list(result["analogies"]) == ["questions-words"]
    # WordSim-353 holds tiger-cat, tiger-tiger, king-queen and man-woman; SimLex-999 woman-man
    assert {name: r["pairs"] for name, r in result["similarity"].items()} == {"wordsim353": 4, "simlex999": 1}
    assert result["similarity"]["wordsim353"]["oov"] == pytest.approx(1 - 4 / 353)
    assert result["similarity"]["wordsim353"] == evaluate_word_pairs(vecs, PAIR_FILES["wordsim353"])
    # six "family" questions use only these words (boy girl king queen, ...); the offset answers them all
    for method, questions in (("3cosadd", result["analogies"]["questions-words"]),
                              ("3cosmul", evaluate(vecs, method="3cosmul")["analogies"]["questions-words"])):
        assert (questions["correct"], questions["total"]) == (6, 6), method
        assert questions["oov"] == pytest.approx(1 - 6 / 19544)
        assert len(questions["sections"]) == 14
        assert questions["sections"]["family"] == {"accuracy": 1.0, "correct": 6, "total": 6}


def test_evaluate_named_files(plain, tmp_path):
    _, vecs = plain
    gz = tmp_path / "ws.tsv.gz"
    gz.write_bytes(gzip.compress(PAIR_FILES["wordsim353"].read_bytes()))
    only = evaluate(vecs, similarity=[gz], restrict_vocab=500)
    assert only == {"similarity": {"ws": evaluate_word_pairs(vecs, PAIR_FILES["wordsim353"], restrict_vocab=500)},
                    "analogies": {}}
    family = tmp_path / "family.txt"
    family.write_text(": people\nboy girl king queen\nman woman boy girl\nking queen man cat\n"
                      ": other\nboy girl man king\nzebra tiger car boy\n")
    answers = evaluate(_family(), analogies=str(family), method="3cosmul")
    assert list(answers) == ["similarity", "analogies"] and answers["similarity"] == {}
    result = answers["analogies"]["family"]
    assert (result["correct"], result["total"]) == (2, 4)       # woman is the answer to both wrong questions
    assert result["sections"]["people"] == {"accuracy": pytest.approx(2 / 3), "correct": 2, "total": 3}
    assert result["sections"]["other"] == {"accuracy": 0.0, "correct": 0, "total": 1}
    assert result["oov"] == pytest.approx(1 / 5)


def test_nothing_in_vocabulary(tmp_path):
    vecs = Vectors(["UNK", "zzz"], np.eye(2, dtype=np.float32), unknown="UNK")
    pairs = evaluate_word_pairs(vecs, PAIR_FILES["simlex999"])
    assert pairs["pairs"] == 0 and pairs["oov"] == 1.0 and np.isnan(pairs["spearman"])
    analogies = evaluate_analogies(vecs, QUESTIONS)
    assert (analogies["accuracy"], analogies["correct"], analogies["total"], analogies["oov"]) == (0.0, 0, 0, 1.0)
    assert all(s == {"accuracy": 0.0, "correct": 0, "total": 0} for s in analogies["sections"].values())


@pytest.mark.parametrize("content, fragment", [
    ("# comment\na\tb\t1.0\nc\td\n", "line 3"),
    ("a\tb\t1.0\n\na\tb\tlots\n", "line 3: score 'lots' is not a number"),
    ("a b 1.0\n", "line 1"),
    ("# only comments\n", "no word pairs"),
    (b"a\tb\t1\n\xff\tb\t2\n", "line 2: not UTF-8"),
])
def test_malformed_pair_files(tmp_path, content, fragment):
    path = tmp_path / "bad.tsv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    vecs = Vectors(["a", "b"], np.eye(2, dtype=np.float32))
    with pytest.raises(ModelFormatError) as err:
        evaluate_word_pairs(vecs, path)
    message = str(err.value)
    assert str(path) in message and fragment in message and "\n" not in message


@pytest.mark.parametrize("content, fragment", [
    ("a b c d\n", "line 1: question before the first ': section' line"),
    (": s\na b c d\n\na b c\n", "line 4: expected 4 words"),
    (": s\n: t\n", "no analogy questions"),
])
def test_malformed_analogy_files(tmp_path, content, fragment):
    path = tmp_path / "bad.txt"
    path.write_text(content)
    vecs = Vectors(["a", "b"], np.eye(2, dtype=np.float32))
    with pytest.raises(ModelFormatError) as err:
        evaluate_analogies(vecs, path)
    assert str(path) in str(err.value) and fragment in str(err.value)


def test_missing_file_and_bad_parameters(tmp_path):
    vecs = Vectors(["a", "b"], np.eye(2, dtype=np.float32))
    missing = tmp_path / "nope.txt"
    for call in (evaluate_word_pairs, evaluate_analogies):
        with pytest.raises(WordvecError, match="nope.txt"):
            call(vecs, missing)
    with pytest.raises(ParameterError, match="method"):
        evaluate_analogies(vecs, QUESTIONS, method="3cosavg")
    with pytest.raises(ParameterError, match="restrict_vocab"):
        evaluate_word_pairs(vecs, PAIR_FILES["wordsim353"], restrict_vocab=0)
