"""Token sequences in, untouched: lists of strings or integers, integer arrays, TokenSequences, and
files read with ``--tokenizer whitespace``."""

import numpy as np
import pytest

import wordvec
from wordvec.encoding import TokenSequences, encode_documents, encode_sequences
from wordvec.errors import CorpusError, ParameterError
from wordvec.kernels.sequences import TokenTable
from wordvec.readers import iter_documents

WALKS = [[3, 1, 3, 7], [1, 7], [], [9, 3]]


def _first_appearance(tokens):
    numbers = {}
    return [numbers.setdefault(t, len(numbers)) for t in tokens], list(numbers)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_token_table_numbers_as_a_dictionary_does(seed):
    rng = np.random.default_rng(seed)
    tokens = np.concatenate([rng.integers(-2**62, 2**62, 5000), rng.integers(-50, 50, 200_000)]).astype(np.int64)
    rng.shuffle(tokens)
    table = TokenTable(slots=4)
    got = np.concatenate([table.number(part) for part in np.array_split(tokens, 7)])
    expected, order = _first_appearance(tokens.tolist())
    assert got.tolist() == expected
    assert table.tokens().tolist() == order


def test_integer_sequences_known_answer():
    vocab, corpus = encode_sequences(WALKS, num_words=None)
    # counts: 3 x3, 1 x2, 7 x2, 9 x1; ties (1, 7) in order of first appearance
    assert vocab.words == ["UNK", 3, 1, 7, 9]
    assert vocab.counts.tolist() == [0, 3, 2, 2, 1]
    assert corpus.tokens.tolist() == [1, 2, 1, 3, 2, 3, 4, 1]
    assert corpus.doc_offsets.tolist() == [0, 4, 6, 8]


@pytest.mark.parametrize("form", ["lists", "tuples", "arrays", "int32 arrays", "TokenSequences", "generator"])
def test_every_integer_form_encodes_alike(form):
    flat = np.array([t for w in WALKS for t in w], dtype=np.int64)
    offsets = np.cumsum([0] + [len(w) for w in WALKS])
    given = {"lists": WALKS, "tuples": [tuple(w) for w in WALKS],
             "arrays": [np.array(w, dtype=np.int64) for w in WALKS],
             "int32 arrays": [np.array(w, dtype=np.int32) for w in WALKS],
             "TokenSequences": TokenSequences(flat, offsets),
             "generator": (w for w in WALKS)}[form]
    vocab, corpus = encode_documents(given, num_words=None)
    assert vocab.words == ["UNK", 3, 1, 7, 9]
    assert corpus.tokens.tolist() == [1, 2, 1, 3, 2, 3, 4, 1]


def test_string_tokens_are_kept_exactly():
    vocab, corpus = encode_documents([["A-1", "user:42", "A-1"], ["User:42", "<b>", "A-1"]], num_words=None)
    assert vocab.words == ["UNK", "A-1", "user:42", "User:42", "<b>"]
    assert corpus.tokens.tolist() == [1, 2, 1, 3, 4, 1]


def test_num_words_and_min_count_apply_to_sequences():
    vocab, corpus = encode_sequences(WALKS, num_words=2, min_count=1)
    assert vocab.words == ["UNK", 3, 1]
    assert corpus.raw_word_count == 8 and corpus.tokens.tolist() == [1, 2, 1, 2, 1]
    vocab, _ = encode_sequences(WALKS, num_words=None, min_count=0)
    assert len(vocab) == 5


@pytest.mark.parametrize("bad, message", [
    ([["a", "b"], "a text"], "texts and token sequences cannot be mixed"),
    ([[1, 2], [3, "x"]], "every token must be an integer"),
    ([np.array([1, 2]), np.array([0.5])], "every token must be an integer"),
    ([[], []], "empty"),
    ([[1, 2, "3"]], "every token must be an integer"),
    ([[1, 2, 3.7]], "every token must be an integer"),
])
def test_bad_sequences_are_refused_with_one_line(bad, message):
    with pytest.raises(CorpusError, match=message) as err:
        encode_documents(bad, num_words=None)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("tokens, offsets", [
    (np.array([1, 2, 3]), np.array([0, 2])),
    (np.array([1, 2, 3]), np.array([1, 3])),
    (np.array([1, 2, 3]), np.array([0, 2, 1, 3])),
    (np.array([1.0, 2.0]), np.array([0, 2])),
])
def test_token_sequences_with_bad_offsets_are_refused(tokens, offsets):
    with pytest.raises(CorpusError, match="TokenSequences"):
        encode_documents(TokenSequences(tokens, offsets), num_words=None)


def _walks(n_walks=300, length=20, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 40, length) + 40 * (i % 2) for i in range(n_walks)]


def _fit(sequences):
    model = wordvec.Word2Vec(dim=16, epochs=2, min_count=1, num_words=None, threads=1, seed=3, progress=False)
    return model.fit(sequences).vectors_


def test_lists_arrays_and_token_sequences_train_the_same_vectors():
    walks = _walks()
    flat = np.concatenate(walks)
    offsets = np.cumsum([0] + [len(w) for w in walks])
    as_arrays = _fit(walks)
    as_lists = _fit([w.tolist() for w in walks])
    as_strings = _fit([[str(t) for t in w] for w in walks])
    as_csr = _fit(TokenSequences(flat, offsets))
    assert as_arrays.words == as_lists.words == as_csr.words
    assert as_strings.words == [str(w) for w in as_arrays.words]
    for other in (as_lists, as_strings, as_csr):
        assert np.array_equal(np.asarray(as_arrays.matrix), np.asarray(other.matrix))


def test_integer_keys_answer_queries():
    vectors = _fit(_walks())
    assert vectors[5].shape == (16,)
    neighbours = [key for key, _ in vectors.most_similar(5, n=10)]
    assert all(isinstance(k, int) for k in neighbours)
    assert sum(k < 40 for k in neighbours) >= 8  # node 5 walks among nodes 0..39


def test_whitespace_tokenizer_reads_tokens_as_they_are(tmp_path):
    path = tmp_path / "walks.txt"
    path.write_text("A-1 user:42 B-2\n\nUser:42  <b>x</b>\tA-1 &amp;\n")
    docs = list(iter_documents(path, tokenizer="whitespace"))
    assert docs == [["A-1", "user:42", "B-2"], ["User:42", "<b>x</b>", "A-1", "&amp;"]]
    assert list(iter_documents(path))[1] != " ".join(docs[1])  # the words tokenizer cleans


def test_whitespace_tokenizer_on_a_csv_splits_its_text_column(tmp_path):
    path = tmp_path / "sessions.csv"
    path.write_text("Id,Text\n1,item:9 item:3 item:9\n")
    assert list(iter_documents(path, tokenizer="whitespace")) == [["item:9", "item:3", "item:9"]]


def test_a_file_trains_as_the_same_tokens_in_memory(tmp_path):
    walks = [[f"n{t}" for t in w] for w in _walks()]
    path = tmp_path / "walks.txt"
    path.write_text("".join(" ".join(w) + "\n" for w in walks))
    params = dict(dim=16, epochs=2, min_count=1, num_words=None, threads=1, seed=3)
    result = wordvec.train([str(path)], tmp_path / "model", tokenizer="whitespace", progress=False, **params)
    in_memory = _fit(walks)
    assert result.vectors.words == in_memory.words
    assert np.array_equal(np.asarray(result.vectors.matrix), np.asarray(in_memory.matrix))


def test_unknown_tokenizer_and_phrases_with_whitespace_are_refused(tmp_path):
    with pytest.raises(ParameterError, match="tokenizer"):
        wordvec.train(None, tmp_path / "m", tokenizer="bpe", progress=False)
    with pytest.raises(ParameterError, match="--phrases"):
        wordvec.train(None, tmp_path / "m", tokenizer="whitespace", phrases=1, progress=False)
    with pytest.raises(CorpusError, match="unknown tokenizer"):
        iter_documents("x.txt", tokenizer="bpe")


def test_a_token_named_unk_is_refused_by_the_estimator():
    with pytest.raises(CorpusError, match="rename that token"):
        wordvec.Word2Vec(min_count=1, progress=False).fit([["UNK", "a", "b"], ["a", "b"]])
