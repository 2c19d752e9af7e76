"""Labelled input for the classifier: readers (fastText text, CSV, JSON lines, Parquet, SNAP) and the
encoder's dictionary and rows, held against fastText's own dictionary and against ``LineEncoder``."""

from __future__ import annotations

import gzip
import json
import random
import re
from collections import Counter

import numpy as np
import pytest

from wordvec.classifier_lines import LineEncoder
from wordvec.encoding.labelled import encode_labelled, fasttext_fold
from wordvec.errors import CorpusError, ParameterError
from wordvec.kernels.labelled import LineSplitter, SeenTokens, TokenTable, example_sizes, fill_examples, tally
from wordvec.readers import default_corpus, iter_documents
from wordvec.readers.labelled import iter_labelled, labelled_lines

VOCAB = ["tea", "cup", "Café", "日本語", "a", "b<c>", "x\x0by", "z\x0cw", "p\x00q", "ok\r", "tab\tbed", "zzz"]


def _random_lines(seed: int, n: int = 300) -> list[bytes]:
    """Lines of random words and labels (some lines without label, some empty), as bytes."""
    rng = random.Random(seed)
    lines = []
    for _ in range(n):
        tokens = [rng.choice(VOCAB) for _ in range(rng.randint(0, 9))]
        tokens += [f"__label__{rng.choice('abcd')}" for _ in range(rng.randint(0, 2))]
        rng.shuffle(tokens)
        lines.append(" ".join(tokens).encode())
    return lines + [b"", b"  \t "]


def _expected(corpus, lines: list[bytes], **settings) -> list[tuple[list[int], list[int], int]]:
    """What each kept line should give: LineEncoder's rows, its known labels, its token count."""
    encoder = LineEncoder([w.encode("utf-8", "surrogateescape") for w in corpus.words + corpus.labels],
                          len(corpus.words), bucket=corpus.bucket, **settings)
    rows, starts = encoder.flat_rows(lines)
    labels = {label.encode(): i for i, label in enumerate(corpus.labels)}
    kept = []
    for k, line in enumerate(lines):
        tokens = line.replace(b"\0", b" ").split()
        targets = [labels[t] for t in tokens if t in labels]
        line_rows = rows[starts[k]:starts[k + 1]].tolist()
        if line_rows and targets:
            kept.append((line_rows, targets, len(tokens) + 1))
    return kept


@pytest.mark.parametrize("settings", [dict(), dict(word_ngrams=2), dict(word_ngrams=3, minn=2, maxn=4),
                                      dict(min_count=25, min_count_label=40, word_ngrams=2, minn=1, maxn=3)])
def test_rows_targets_and_tokens_equal_line_encoders(settings):
    lines = _random_lines(1)
    data = b"\n".join(lines) + b"\n"
    cut = data.index(b"\n", len(data) // 2) + 1
    corpus = encode_labelled([data[:cut], data[cut:]], bucket=997, threads=2, **settings)
    ngram_settings = {k: v for k, v in settings.items() if k in ("word_ngrams", "minn", "maxn")}
    kept = _expected(corpus, lines, **ngram_settings)
    assert len(corpus.row_starts) - 1 == len(kept) and corpus.skipped == len(lines) - len(kept)
    for i, (rows, targets, n_tokens) in enumerate(kept):
        assert corpus.rows[corpus.row_starts[i]:corpus.row_starts[i + 1]].tolist() == rows
        assert corpus.targets[corpus.target_starts[i]:corpus.target_starts[i + 1]].tolist() == targets
        assert corpus.tokens[i] == n_tokens
    assert corpus.n_tokens == sum(len(line.replace(b"\0", b" ").split()) + 1 for line in lines)
    assert corpus.rows.dtype == np.int32 and corpus.targets.dtype == np.int32


@pytest.mark.parametrize("threads", [1, 3])
def test_small_slices_on_threads_give_line_encoders_rows(monkeypatch, threads):
    monkeypatch.setattr("wordvec.encoding.labelled._SLICE_TOKENS", 13)  # many slices, lines cut across none
    lines = _random_lines(4)
    corpus = encode_labelled([b"\n".join(lines) + b"\n"], bucket=997, threads=threads, word_ngrams=3, minn=2, maxn=4)
    kept = _expected(corpus, lines, word_ngrams=3, minn=2, maxn=4)
    assert corpus.row_starts.tolist() == np.cumsum([0] + [len(rows) for rows, _, _ in kept]).tolist()
    assert corpus.rows.tolist() == [row for rows, _, _ in kept for row in rows]
    assert corpus.targets.tolist() == [target for _, targets, _ in kept for target in targets]
    assert corpus.tokens.tolist() == [n for _, _, n in kept]


def _oracle_examples(table: dict, lines: list[list[int]]) -> list[tuple[list[int], list[int]]]:
    """Each line's rows and targets in plain Python: tokens in fastText's order (``</s>``, first, last)."""
    examples = []
    for line in lines:
        order = line[1:] + line[:1]
        rows = [row for k in order for row in table["rows"][k]]
        hashes = [table["hashes"][k] for k in order if not table["is_label"][k]]
        for i in range(len(hashes)):
            h = hashes[i]
            for j in range(i + 1, min(i + table["word_ngrams"], len(hashes))):
                h = (h * 116049371 + hashes[j]) % 2 ** 64
                rows.append(table["nwords"] + h % table["bucket"])
        examples.append((rows, [table["label_index"][k] for k in order if table["label_index"][k] >= 0]))
    return examples


@pytest.mark.parametrize("threads", [1, 2, 5])
def test_example_kernels_equal_a_python_oracle(threads):
    rng = np.random.default_rng(7)
    n_tokens, nwords = 40, 25
    own = [rng.integers(0, 60, rng.integers(0, 4)).tolist() for _ in range(n_tokens)]
    is_label = rng.random(n_tokens) < 0.2
    label_index = np.where(is_label & (rng.random(n_tokens) < 0.7), rng.integers(0, 5, n_tokens), -1)
    own = [[] if label else rows for rows, label in zip(own, is_label)]
    hashes = rng.integers(0, 2 ** 64, n_tokens, dtype=np.uint64)
    oracle = dict(rows=own, hashes=[int(h) for h in hashes], is_label=is_label, label_index=label_index.tolist(),
                  word_ngrams=3, bucket=101, nwords=nwords)
    starts = np.cumsum([0] + [len(rows) for rows in own])
    table = TokenTable(starts, np.array([r for rows in own for r in rows], np.int32), hashes, is_label,
                       label_index, word_ngrams=3, bucket=101, nwords=nwords)
    lines = [rng.integers(0, n_tokens, rng.integers(1, 9)).tolist() for _ in range(200)]
    ids, lengths = np.array([k for line in lines for k in line], np.int32), np.array([len(line) for line in lines])
    expected = _oracle_examples(oracle, lines)
    n_rows, n_targets = example_sizes(table, ids, lengths, threads)
    assert n_rows.tolist() == [len(rows) for rows, _ in expected]
    assert n_targets.tolist() == [len(targets) for _, targets in expected]
    kept = (n_rows > 0) & (n_targets % 2 == 0)  # any choice of lines: here those with an even target count
    row_starts = np.append(0, np.cumsum(n_rows[kept])) + 3  # room before the first
    target_starts = np.append(0, np.cumsum(n_targets[kept]))
    rows, targets = np.full(row_starts[-1], -7, np.int32), np.full(target_starts[-1], -7, np.int32)
    fill_examples(table, ids, lengths, kept, 0, row_starts, rows, target_starts, targets, threads)
    chosen = [example for example, keep in zip(expected, kept) if keep]
    assert rows.tolist() == [-7] * 3 + [row for rows, _ in chosen for row in rows]
    assert targets.tolist() == [target for _, targets in chosen for target in targets]
    counts = np.zeros(n_tokens, np.int64)
    tally(ids, counts)
    assert counts.tolist() == np.bincount(ids, minlength=n_tokens).tolist()


def test_example_kernels_refuse_arrays_that_do_not_fit():
    table = TokenTable(np.array([0, 1, 1]), np.array([0], np.int32), None, np.array([False, True]),
                       np.array([-1, 0]), word_ngrams=1, bucket=0, nwords=1)
    ids, lengths = np.array([0, 1, 0], np.int32), np.array([2, 1])
    with pytest.raises(ValueError):
        example_sizes(table, np.array([0, 2], np.int32), np.array([2]))  # a token the table lacks
    with pytest.raises(ValueError):
        example_sizes(table, ids, np.array([2, 2]))  # lengths past the ids
    with pytest.raises(ValueError):  # room for one row where the kept lines need two
        fill_examples(table, ids, lengths, np.array([True, True]), 0, np.array([0, 1, 2]), np.zeros(1, np.int32),
                      np.array([0, 1, 1]), np.zeros(1, np.int32))
    with pytest.raises(TypeError):
        fill_examples(table, ids, lengths, np.array([1, 1]), 0, np.array([0, 1, 2]), np.zeros(2, np.int32),
                      np.array([0, 1, 1]), np.zeros(1, np.int32))
    with pytest.raises(ValueError):
        TokenTable(np.array([0, 1]), np.array([0], np.int32), None, np.array([False, True]), np.array([-1, 0]),
                   word_ngrams=1, bucket=0, nwords=1)


def _split_oracle(blocks: list[bytes]) -> tuple[list, list, list, dict]:
    """fastText's tokens of each block in Python: ``(ids, lengths, tokens, counts)``, numbered by first appearance."""
    rows, counts, all_ids, all_lengths = {}, Counter(), [], []
    for block in blocks:
        lines = block.split(b"\n") if block else []
        ids, lengths = [], []
        for line in lines[:-1] if block.endswith(b"\n") else lines:
            tokens = [b"</s>"] + [t for t in re.split(rb"[ \n\r\t\v\f\0]+", line) if t]
            ids += [rows.setdefault(t, len(rows)) for t in tokens]
            lengths.append(len(tokens))
            counts.update(tokens)
        all_ids.append(ids)
        all_lengths.append(lengths)
    return all_ids, all_lengths, list(rows), counts


def _random_block(rng: random.Random) -> bytes:
    """Tokens of 1 to 90 bytes (some exactly 7, 8 or 16, some the same), every separator, empty lines."""
    pieces = []
    for _ in range(rng.randint(0, 400)):
        if rng.random() < 0.5:
            pieces.append(rng.choice([b"tea", b"cup", b"\xc3\xa9t\xc3\xa9", b"</s>", b"__label__a", b"1234567",
                                      b"12345678", b"0123456789abcdef"]))
        else:
            size = rng.choice([1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 90])
            pieces.append(bytes(rng.choice(b"abcXYZ<>\x80\xff\x01") for _ in range(size)))
        pieces.append(rng.choice([b" ", b" ", b" ", b"  ", b"\n", b"\n\n", b"\t", b"\r\n", b"\v", b"\f", b"\0"]))
    return b"".join(pieces)


@pytest.mark.parametrize("seed", range(4))
def test_line_splitter_equals_a_python_split(seed):
    """Blocks with and without a last line feed, tokens across the kernel's 64-byte stretches, a
    table that starts tiny and grows many times: the ids, line sizes, tokens and counts of Python's split."""
    rng = random.Random(seed)
    blocks = [_random_block(rng) for _ in range(6)] + [b"", b"\n", b"a", b" \n \n"]
    splitter = LineSplitter(SeenTokens.empty(4, 64))
    got = [splitter.split(block) for block in blocks]
    ids, lengths, tokens, counts = _split_oracle(blocks)
    assert [i.tolist() for i, _ in got] == ids
    assert [n.tolist() for _, n in got] == lengths
    assert all(i.dtype == np.int32 and n.dtype == np.int64 for i, n in got)
    assert splitter.seen.tokens() == tokens
    assert splitter.seen.counts[:len(tokens)].tolist() == [counts[t] for t in tokens]


def test_counts_and_order_follow_fasttexts_rules():
    lines = _random_lines(2)
    corpus = encode_labelled([b"\n".join(lines) + b"\n"], min_count=30)
    tokens = Counter(t for line in lines for t in line.replace(b"\0", b" ").split())
    tokens[b"</s>"] += len(lines)
    words = {w.decode(): c for w, c in tokens.items() if not w.startswith(b"__label__") and c >= 30}
    assert dict(zip(corpus.words, corpus.word_counts.tolist())) == words
    assert np.all(np.diff(corpus.word_counts) <= 0) and np.all(np.diff(corpus.label_counts) <= 0)
    assert corpus.bucket == 0


def test_fold_splits_at_fasttexts_seven_separators_only():
    fold = fasttext_fold()
    assert [b for b in range(256) if fold[b] == 0] == sorted(b" \n\r\t\v\f\0")
    assert np.array_equal(fold[fold != 0], np.arange(256)[fold != 0])


@pytest.mark.slow
@pytest.mark.parametrize("settings", [dict(minCount=1, minCountLabel=0), dict(minCount=20, minCountLabel=50),
                                      dict(minCount=2, minCountLabel=1, wordNgrams=2, minn=2, maxn=3)])
def test_dictionary_equals_fasttexts(tmp_path, settings):
    fasttext = pytest.importorskip("fasttext")
    lines = [line for line in _random_lines(3, 600) if b"\0" not in line]  # fastText's file reader: no NUL inside
    path = tmp_path / "train.txt"
    path.write_bytes(b"\n".join(lines) + b"\n")
    # epoch=0: the dictionary alone (fastText 0.9.3 on NumPy 2 stops with "Encountered NaN" at random when it trains)
    model = fasttext.train_supervised(str(path), epoch=0, dim=2, bucket=1000, verbose=0, thread=1, **settings)
    ours = encode_labelled(iter_labelled(path, format="text"), min_count=settings["minCount"],
                           min_count_label=settings["minCountLabel"], word_ngrams=settings.get("wordNgrams", 1),
                           bucket=1000, minn=settings.get("minn", 0), maxn=settings.get("maxn", 0))
    words, word_counts = model.get_words(include_freq=True)
    labels, label_counts = model.get_labels(include_freq=True)
    assert Counter(zip(ours.words, ours.word_counts.tolist())) == Counter(zip(words, word_counts.tolist()))
    assert Counter(zip(ours.labels, ours.label_counts.tolist())) == Counter(zip(labels, label_counts.tolist()))
    assert ours.word_counts.tolist() == sorted(word_counts.tolist(), reverse=True)
    assert ours.label_counts.tolist() == list(label_counts)


def test_fasttext_text_plain_gzip_and_folder(tmp_path):
    data = b"__label__a good tea\n__label__b bad\x0bcup\n"
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "one.txt").write_bytes(data)
    (tmp_path / "d" / "two.txt.gz").write_bytes(gzip.compress(data.rstrip(b"\n")))  # no final line feed
    assert b"".join(iter_labelled(tmp_path / "d" / "one.txt")) == data
    assert b"".join(iter_labelled(tmp_path / "d")) == data + data
    corpus = encode_labelled(iter_labelled(tmp_path / "d"))
    assert corpus.labels == ["__label__a", "__label__b"] and corpus.label_counts.tolist() == [2, 2]
    assert len(corpus.row_starts) == 5 and corpus.skipped == 0


def test_csv_several_label_columns_and_summary(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("Id,Score,Topic,Summary,Text\n1,5,tea,Nice,Good <br />tea\n2,1,\"cup, mug\",,Bad\n")
    lines = b"".join(iter_labelled(path, label_column="score, Topic")).splitlines()
    assert lines == [b"__label__5 __label__tea Nice. Good  tea", b"__label__1 __label__cup,_mug Bad"]


def test_jsonl_list_field(tmp_path):
    path = tmp_path / "r.jsonl"
    rows = [{"text": "good tea", "tags": ["a", "b"]}, {"text": "bad\ncup", "tags": []}, {"text": "x", "tags": "c"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert b"".join(iter_labelled(path, label_column="tags")) == (
        b"__label__a __label__b good tea\nbad cup\n__label__c x\n")


def test_parquet_list_and_number_columns(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "r.parquet"
    pq.write_table(pa.table({"review": ["good tea", "bad"], "stars": [5.0, 2.5], "tags": [["x"], ["y", "z"]]}), path)
    assert b"".join(iter_labelled(path, label_column="stars,tags")) == (
        b"__label__5 __label__x good tea\n__label__2.5 __label__y __label__z bad\n")


def test_snap_sample_scores_are_labels_and_text_is_the_readers():
    snap = default_corpus()[0]
    lines = b"".join(iter_labelled(snap)).split(b"\n")[:-1]
    documents = list(iter_documents([snap], include_summary=True))
    assert len(lines) == len(documents) == 1000
    assert all(line.split(b" ", 1)[1] == doc.encode().replace(b"\n", b" ") for line, doc in zip(lines, documents))
    corpus = encode_labelled(iter_labelled(snap), word_ngrams=2, threads=2)
    assert sorted(corpus.labels) == [f"__label__{s}" for s in range(1, 6)] and corpus.skipped == 0
    assert corpus.label_counts.sum() == 1000 and corpus.bucket == 2_000_000


def test_labelled_lines_from_python_lists():
    corpus = encode_labelled(labelled_lines(["good tea", "bad tea", b"so so"], ["pos", "neg", ["pos", "neg"]]))
    assert corpus.labels == ["__label__pos", "__label__neg"] and corpus.target_starts.tolist() == [0, 1, 2, 4]
    with pytest.raises(ParameterError, match="2 texts but 1 labels"):
        list(labelled_lines(["a", "b"], ["x"]))
    with pytest.raises(ParameterError, match="text 2: its label is missing"):
        list(labelled_lines(["a", "b"], ["x", None]))


def test_a_null_label_names_its_row(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("Score,Text\n5,good\n,bad\n")
    with pytest.raises(CorpusError, match=r"r\.csv, line 3: the label column 'Score' is null"):
        list(iter_labelled(path, label_column="Score"))
    jsonl = tmp_path / "r.jsonl"
    jsonl.write_text('{"text": "a", "y": 1}\n{"text": "b", "y": null}\n')
    with pytest.raises(CorpusError, match="line 2: the label column 'y' is null"):
        list(iter_labelled(jsonl, label_column="y"))


def test_a_missing_label_column_names_the_columns(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("Score,Text\n5,good\n")
    with pytest.raises(CorpusError, match=r"no label column 'stars' among the CSV columns \(Score, Text\)"):
        list(iter_labelled(path, label_column="stars"))
    with pytest.raises(CorpusError, match="name its label column"):
        list(iter_labelled(path))
    with pytest.raises(CorpusError, match="has no columns"):
        list(iter_labelled(default_corpus()[0], label_column="Score"))


def test_no_label_at_all_and_one_label_only():
    with pytest.raises(CorpusError, match="no line has a label"):
        encode_labelled([b"good tea\nbad cup\n"])
    with pytest.raises(CorpusError, match=r"only one label in all the data \(__label__x\)"):
        encode_labelled([b"__label__x good tea\nbad __label__x\n"])
    with pytest.raises(CorpusError, match="the input is empty"):
        encode_labelled([])
    with pytest.raises(CorpusError, match="min_count_label=5"):
        encode_labelled([b"__label__x a\n__label__y b\n"], min_count_label=5)


def test_other_label_prefix():
    corpus = encode_labelled([b"#pos good\n#neg bad\n__label__x\n"], label_prefix="#")
    assert corpus.labels == ["#pos", "#neg"] and "__label__x" in corpus.words
