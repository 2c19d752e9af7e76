"""Block reading (``encode_files``) against today's reader as the oracle: the same vocabulary, counts,
token ids, document offsets and raw word count on every input; errors, progress, Ctrl-C and threads.

The oracle is ``encode_documents`` fed the documents of ``iter_documents`` one by one, the path every
other iterable of texts takes.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import threading
import zlib
from pathlib import Path

import ftfy
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wordvec.readers.limits as corpus_module
import wordvec.encoding.encode as encode_module
from wordvec import text as text_module
from wordvec.text import fast_ftfy
from wordvec.kernels.text import fold_table
from wordvec.readers import default_corpus, iter_documents
from wordvec.readers.compression import decompressed
from wordvec.encoding import encode_documents, encode_files
from wordvec.errors import CorpusError
from wordvec.model import Word2Vec
from wordvec.text import KERAS_FILTERS, clean_text, clean_text_fast, fix_text

SNAP_SAMPLE, CSV_SAMPLE = default_corpus()


def oracle(sources, num_words=20000, min_count=1, **reading):
    return encode_documents((d for d in iter_documents(sources, **reading)), num_words=num_words,
                            min_count=min_count)


def assert_identical(expected, got):
    (vocab_a, corpus_a), (vocab_b, corpus_b) = expected, got
    assert vocab_b.words == vocab_a.words
    assert vocab_b.counts.tolist() == vocab_a.counts.tolist()
    assert np.array_equal(corpus_b.tokens, corpus_a.tokens)
    assert np.array_equal(corpus_b.doc_offsets, corpus_a.doc_offsets)
    assert corpus_b.raw_word_count == corpus_a.raw_word_count


def assert_same_as_oracle(sources, threads=2, num_words=20000, min_count=1, **reading):
    """Both paths give the same result, or both raise the same error."""
    try:
        expected = oracle(sources, num_words, min_count, **reading)
    except CorpusError as err:
        with pytest.raises(CorpusError) as caught:
            encode_files(sources, num_words=num_words, min_count=min_count, threads=threads, **reading)
        assert str(caught.value) == str(err)
        return None
    got = encode_files(sources, num_words=num_words, min_count=min_count, threads=threads, **reading)
    assert_identical(expected, got)
    return got


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of a few dozen bytes: every line and review boundary case meets a block boundary."""
    monkeypatch.setattr(corpus_module, "BLOCK_BYTES", 37)


def snap_record(summary: bytes, text: bytes, eol: bytes = b"\n") -> bytes:
    fields = [b"product/productId: B00", b"review/userId: A1", b"review/profileName: Caf\xc3\xa9 fan",
              b"review/helpfulness: 1/1", b"review/score: 5.0", b"review/time: 1303862400",
              b"review/summary: " + summary, b"review/text: " + text]
    return eol.join(fields) + eol + eol


# --- the shipped data ---------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("include_summary", [False, True])
@pytest.mark.parametrize("threads", [1, 2])
def test_shipped_snap_sample_is_encoded_as_today(include_summary, threads):
    assert_same_as_oracle(SNAP_SAMPLE, threads=threads, include_summary=include_summary)
    assert_same_as_oracle(SNAP_SAMPLE, threads=threads, num_words=None, include_summary=include_summary)


@pytest.mark.slow
def test_shipped_csv_and_both_files_together_are_encoded_as_today():
    assert_same_as_oracle(CSV_SAMPLE, include_summary=True)
    assert_same_as_oracle([SNAP_SAMPLE, CSV_SAMPLE], num_words=None, min_count=3)
    assert_same_as_oracle([CSV_SAMPLE, SNAP_SAMPLE], threads=1, num_words=500)


@pytest.mark.slow
def test_shipped_snap_as_plain_text_and_in_small_blocks(small_blocks, tmp_path):
    # the first 200 reviews: blocks of 37 bytes meet every boundary case many times over already
    plain = tmp_path / "finefoods.txt"
    reviews = gzip.decompress(SNAP_SAMPLE.read_bytes()).split(b"\n\nproduct/productId:")
    plain.write_bytes(b"\n\nproduct/productId:".join(reviews[:200]) + b"\n\n")
    assert_same_as_oracle(plain, format="text")
    assert_same_as_oracle(plain, include_summary=True)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["finefoods_sample.txt.gz", "Reviews_sample.csv", "fine_food_reviews_1k.csv"])
def test_the_finefoods_files_read_as_the_python_reader_does(shared_file, finefoods, name):
    # ../shared's copy where it is beside the checkout, else the same file made from the package's data.
    path = shared_file(f"finefoods/{name}") or finefoods / name
    assert_same_as_oracle(path, include_summary=True)


@pytest.mark.slow
def test_a_large_corpus_reads_as_the_python_reader_does(shared_file, tmp_path):
    # The start of the benchmark corpus (8 MB) where ../shared is beside the checkout; else the
    # packaged reviews as plain text, many times over (about 8 MB): read in many blocks on every thread.
    bench = shared_file("corpora/bench_en.txt.gz")
    path = tmp_path / "large.txt.gz"
    if bench is not None:
        with gzip.open(bench, "rb") as handle:
            start = handle.read(8 << 20)
        path.write_bytes(gzip.compress(start[:start.rindex(b"\n") + 1]))
    else:
        import wordvec

        with gzip.open(Path(wordvec.__file__).parent / "data" / "finefoods" / "finefoods_sample.txt.gz", "rt",
                       encoding="utf-8") as handle:
            lines = [line.split(":", 1)[1].strip() for line in handle if line.startswith("review/text:")]
        with gzip.open(path, "wt", encoding="utf-8") as out:
            for copy in range(10):
                out.writelines(f"{line} {copy}\n" for line in lines)
    assert_same_as_oracle(path, num_words=None)


# --- adversarial text --------------------------------------------------------------------------------

ODD_LINES = [
    b"plain words, Plain WORDS!",
    b"crlf line\r",
    b"\xef\xbb\xbfbyte order mark first",
    b"invalid utf-8 \xff\xfe here caf\xe9 cr\xe8me",
    "latin-1 café".encode("latin-1"),
    "mojibake: CafÃ© and donâ€™t and Ã\xa0 la".encode(),
    b"entities &amp; &lt;b&gt; &eacute; &#39; and &nbsp;",
    "entities outside ASCII: caf\u00e9 &amp; &eacute;t\u00e9 &#x2019;".encode(),
    b"tags <br /><br/>Good<p class='x'>tea</p> a<b <c>d > e< f",
    "tags outside ASCII: <i>caf\u00e9</i> and < open".encode(),
    b"<" + b"x" * 200 + b"> kept out",
    b"<" + b"y" * 201 + b"> kept in",
    b"a tag opened <on one line",
    b"and closed> on the next is no tag",
    b"nul\x00bytes\x00 here",
    b"control \x01chars\x7f and \x1cfile\x1dgroup\x1erecord\x1funit separators",
    "unicode spaces:\u00a0nbsp\u2003em\u3000ideo\u0085nel\u2028ls\u202fnarrow".encode(),
    "no-break space inside ASCII-looking\u00a0words".encode(),
    "curly \u201cquotes\u201d and \u2018single\u2019 ones, don\u2019t".encode(),
    "ligatures \ufb01ne \ufb02ow, fullwidth \uff37\uff4f\uff52\uff44".encode(),
    "Greek ΑΒΓ and Cyrillic ЖЗИ and ДОМ, Turkish İstanbul, German STRASSE straße".encode(),
    "emoji \U0001f600 tea \u2615 and kaomoji \u00af\\_(\u30c4)_/\u00af".encode(),
    "terminal \x1b[31mred\x1b[0m text \u00e9".encode(),
    "line\u2029separator and \r inner carriage return é".encode(),
    b"",
    b"   \t  ",
    b"!!! ... ???",
    "\u00a0\u3000".encode(),
    b"tab\tseparated\vvertical\fform",
    b"trailing backslash \\ and 'quotes' and \"double\"",
    b"UPPER lower MiXeD 123 4.5 6,7",
]


def odd_text() -> bytes:
    return b"\n".join(ODD_LINES * 3) + b"\nlast line without a line feed"


@pytest.mark.parametrize("compress", [None, gzip.compress, bz2.compress, lzma.compress])
def test_odd_plain_text_is_encoded_as_today(tmp_path, compress, small_blocks):
    data = odd_text()
    path = tmp_path / "odd.txt"
    path.write_bytes(compress(data) if compress else data)
    assert_same_as_oracle(path, num_words=None)
    assert_same_as_oracle(path, threads=1, num_words=5, min_count=2)


@pytest.mark.slow
def test_odd_text_in_the_usual_block_size(tmp_path):
    path = tmp_path / "odd.txt.gz"
    path.write_bytes(gzip.compress(odd_text() * 50))
    assert_same_as_oracle(path, num_words=None)


def test_crlf_file_utf16_and_utf32_files(tmp_path, small_blocks):
    text = odd_text().decode("utf-8", "replace")
    for encoding in ("utf-16", "utf-32"):
        path = tmp_path / f"odd-{encoding}.txt"
        path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
        assert_same_as_oracle(path, num_words=None)
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(odd_text().replace(b"\n", b"\r\n"))
    assert_same_as_oracle(crlf, num_words=None)


@pytest.mark.parametrize("include_summary", [False, True])
def test_odd_snap_reviews_are_encoded_as_today(tmp_path, include_summary, small_blocks):
    records = [snap_record(summary, text) for summary, text in zip(ODD_LINES, reversed(ODD_LINES))]
    records += [
        snap_record(b"Open <b tag in the summary", b"closed> in the text"),
        snap_record(b"  ", b"blank summary"),
        snap_record(b"", b""),
        b"review/summary: a summary without its text\n\n",
        b"review/text: a text without its summary\n",
        b"review/summary: first\nreview/summary: second wins\nother/line: x\nreview/text: the text\n",
        snap_record(b"CRLF summary", b"CRLF text", eol=b"\r\n"),
        b"review/text:no space after the colon\n",
        b"review/textual: not a review text line\nreview/summary:\n",
    ]
    path = tmp_path / "reviews.txt.gz"
    path.write_bytes(gzip.compress(b"".join(records) + b"review/text: last, no line feed"))
    assert_same_as_oracle(path, num_words=None, include_summary=include_summary)
    assert_same_as_oracle(path, threads=1, include_summary=include_summary, min_count=2)


@pytest.mark.slow
def test_a_long_line_across_many_blocks(tmp_path, monkeypatch):
    # The shapes of 4.9 MB lines read in 64 KiB blocks and cut into pieces of at most 1 MiB, at a
    # sixteenth of the size: lines of 306 KB, blocks of 4 KiB, pieces of at most 64 KiB.
    monkeypatch.setattr(corpus_module, "BLOCK_BYTES", 1 << 12)
    monkeypatch.setattr(corpus_module, "MAX_LINE_BYTES", 1 << 16)
    words = " ".join(f"word{i % 5000} Caf\u00e9{i % 7}" for i in range(300_000 // 16))
    path = tmp_path / "long.txt"
    path.write_text("short first line\n" + words + "\n" + words.upper() + "\nshort last line\n")
    result = assert_same_as_oracle(path, num_words=None)
    assert result[1].n_documents == 2 + 2 * 5  # each long line read in 5 pieces of at most MAX_LINE_BYTES


def test_empty_and_blank_inputs_fail_as_today(tmp_path):
    for name, data in [("empty.txt", b""), ("blank.txt", b"\n  \n\t\r\n"), ("filters.txt", b"!!! ...\n")]:
        path = tmp_path / name
        path.write_bytes(data)
        assert_same_as_oracle(path)
    path = tmp_path / "few.txt"
    path.write_bytes(b"a b c\n")
    assert_same_as_oracle(path, min_count=5)


def texts_of(pieces, max_size):
    """Texts joined from ``pieces`` (characters and short strings)."""
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


documents = st.lists(texts_of(list("aAbZ z.,<>/&;#!'\"\t\r\x00\x1c\x85\xa0é’“”–ÃÂ©€ﬁＷİß\u2003\u3000\u2028")
                              + ["<br />", "&amp;", "Ã©", "â€™"], 40), max_size=12)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=documents, snap=st.booleans(), include_summary=st.booleans())
def test_random_documents_are_encoded_as_today(tmp_path_factory, lines, snap, include_summary):
    path = tmp_path_factory.mktemp("random") / "corpus.txt"
    if snap:
        data = b"".join(snap_record(line[:9].encode(), line.encode()) for line in lines)
    else:
        data = "\n".join(lines).encode("utf-8", "surrogatepass")
    path.write_bytes(data)
    assert_same_as_oracle(path, num_words=None, include_summary=include_summary)


# --- the pieces the identity rests on -----------------------------------------------------------------

def test_fold_table_separates_what_tokenize_separates():
    fold = fold_table()
    for byte in range(128):
        char = chr(byte)
        separates = char.isspace() or char in KERAS_FILTERS or byte == 0
        assert (fold[byte] == 0) == separates
        if not separates:
            assert chr(fold[byte]) == char.lower()
    assert all(fold[byte] == byte for byte in range(128, 256))


def test_word_bytes_split_at_ascii_spaces_gives_the_tokens():
    spaces = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
    for text in [line.decode("utf-8", "replace") for line in ODD_LINES] + [f"a{spaces}b{spaces}", spaces]:
        cleaned = clean_text(text)
        words = [word for word in text_module.word_bytes(cleaned).split(b" ") if word]
        assert words == [token.encode() for token in text_module.tokenize(cleaned)]


def mojibake_texts() -> list[str]:
    texts = [line.decode("utf-8", "replace") for line in ODD_LINES]
    with gzip.open(SNAP_SAMPLE, "rt", encoding="utf-8") as handle:
        texts += [line for line in handle if not line.isascii()]
    return texts + ["Ã©tÃ©", "â€œquotedâ€\x9d", "Ã\xa0 la", "sÃ³", "voilÃ le travail", "\x93curly\x94"]


def test_fix_text_is_ftfy_on_known_texts():
    for text in mojibake_texts():
        assert fix_text(text) == ftfy.fix_text(text, normalization=None), text
        assert clean_text_fast(text) == clean_text(text)


@settings(max_examples=300, deadline=None)
@given(texts_of(list("aé’“”‘–—…ÃÂâ€œ©®™°±²³¼½¾×÷ÐÎØÙ\x80\x93\x9d\xa0\xadﬁＷ&<>;#\r\x1b[m\u2028\x0b\x01")
                + ["&amp;", "&eacute;", "&#x2019;", "Ã©", "â€™", "\n"], 60))
@pytest.mark.slow
def test_fix_text_is_ftfy_on_random_texts(text):
    assert fix_text(text) == ftfy.fix_text(text, normalization=None)
    assert clean_text_fast(text) == clean_text(text)


MOJIBAKE_ENCODINGS = ["sloppy-windows-1252", "latin-1", "sloppy-windows-1251", "macroman", "cp437", "iso-8859-2"]


@settings(max_examples=300, deadline=None)
@given(texts_of(list("abc .,'\"éèàçñöüßøæœ’‘“”–—…€£©®™°±×αβжзи日本\xa0") + [" the ", "Ã©", "â€™"], 50),
       st.sampled_from(MOJIBAKE_ENCODINGS), st.integers(0, 60), st.booleans())
@pytest.mark.slow
def test_fix_text_is_ftfy_on_mojibake(text, encoding, keep, nbsp):
    """Text encoded as UTF-8 and decoded in another encoding, in part, NBSPs for spaces or not."""
    try:
        garbled = text.encode("utf-8").decode(encoding)
    except UnicodeDecodeError:
        garbled = text
    garbled = garbled[:keep] + text[keep:]
    if nbsp:
        garbled = garbled.replace(" ", "\xa0")
    assert fix_text(garbled) == ftfy.fix_text(garbled, normalization=None)
    assert fast_ftfy._fix_encoding(garbled, ftfy.badness.is_bad) == ftfy.fix_encoding(garbled)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(texts_of(list("aZ .,ÃÂâ€œ©®™°±²³×ÐÎØÙ\x80\x93\xa0¡«¿ВГРСΒΓΞΟ√≈‚Ä"), 40))
def test_windowed_mojibake_test_is_ftfys(text):
    steps = fast_ftfy._ftfy_steps()
    assert steps is not None, "the installed ftfy should be one fix_text was checked against"
    assert steps.is_bad(text) == ftfy.badness.is_bad(text)


def test_mojibake_pattern_of_the_installed_ftfy_is_searched_in_windows():
    assert fast_ftfy._badness_windows(ftfy.badness.BADNESS_RE) is not None


def _gzip_cases() -> dict[str, bytes]:
    data = bytes(range(256)) * 40 + b"tea and cups\n" * 50_000
    whole = gzip.compress(data)
    return {
        "one member": whole, "two members": gzip.compress(data[:999]) + gzip.compress(data[999:]),
        "zero padding": whole + b"\x00" * 100, "padding between": gzip.compress(b"a") + b"\x00" * 7 + whole,
        "empty member": gzip.compress(b"") + whole, "garbage after": whole + b"garbage",
        "one byte after": whole + b"\x1f", "cut": whole[:-10], "cut in the header": whole[:5],
        "bad crc": whole[:-8] + bytes([whole[-8] ^ 1]) + whole[-7:], "bad data": whole[:500] + b"\xff" + whole[501:],
    }


@pytest.mark.parametrize("case", list(_gzip_cases()))
def test_gzip_is_read_as_gzip_open_reads_it(tmp_path, case):
    path = tmp_path / "data.gz"
    path.write_bytes(_gzip_cases()[case])

    def read(opener):
        try:
            with opener(path) as handle:
                return handle.read()
        except (EOFError, OSError, zlib.error) as err:
            return "damaged" if isinstance(err, (EOFError, gzip.BadGzipFile, zlib.error)) else repr(err)

    assert read(decompressed) == read(lambda p: gzip.open(p, "rb"))


# --- the reader around it: dispatch, errors, progress, Ctrl-C, threads ------------------------------

def test_iter_documents_given_to_the_encoder_is_read_in_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(encode_module, "BLOCKS_FROM_BYTES", 0)
    used = []
    real = encode_module.encode_files
    monkeypatch.setattr(encode_module, "encode_files", lambda *a, **k: used.append(a) or real(*a, **k))
    documents = iter_documents(SNAP_SAMPLE, include_summary=True)
    assert_identical(oracle(SNAP_SAMPLE, include_summary=True), encode_documents(documents))
    assert used and list(documents) == []
    started = iter_documents(SNAP_SAMPLE)
    first = next(started)
    vocab, corpus = encode_documents(started)
    assert len(used) == 1 and corpus.n_documents == 999 and first


def test_small_inputs_stay_document_by_document(monkeypatch):
    monkeypatch.setattr(encode_module, "encode_files", None)
    vocab, _ = encode_documents(iter_documents(SNAP_SAMPLE))
    assert vocab.words[:3] == ["UNK", "the", "i"]


def test_fit_on_iter_documents_uses_the_threads_and_gives_todays_vocabulary(monkeypatch):
    monkeypatch.setattr(encode_module, "BLOCKS_FROM_BYTES", 0)
    seen = []
    real = encode_module.encode_files
    monkeypatch.setattr(encode_module, "encode_files", lambda *a, **k: seen.append(k["threads"]) or real(*a, **k))
    settings_ = dict(dim=4, epochs=1, min_count=2, threads=1, progress=False)
    fast = Word2Vec(**settings_).fit(iter_documents(SNAP_SAMPLE))
    slow = Word2Vec(**settings_).fit(d for d in iter_documents(SNAP_SAMPLE))
    assert seen == [1]
    assert fast.vectors_.words == slow.vectors_.words
    assert np.array_equal(fast.vectors_.matrix, slow.vectors_.matrix)


def test_progress_counts_every_word():
    counted = []
    _, corpus = encode_files(SNAP_SAMPLE, progress=counted.append)
    assert sum(counted) == corpus.raw_word_count


def test_errors_name_the_file(tmp_path):
    cut = tmp_path / "cut.txt.gz"
    cut.write_bytes(gzip.compress(b"tea and cups\n" * 200_000)[:-5000])
    with pytest.raises(CorpusError, match=r"cut.txt.gz: compressed data is truncated or corrupted.*"
                                          r"stopped after \d+ documents"):
        encode_files(cut)
    with pytest.raises(CorpusError, match="no such file or directory: .*missing.txt"):
        encode_files(tmp_path / "missing.txt")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    with pytest.raises(CorpusError, match="image.txt: looks like a PNG image"):
        encode_files(binary)
    with pytest.raises(CorpusError, match="unknown format"):
        encode_files(SNAP_SAMPLE, format="yaml")


def test_documents_are_lazy_and_closable(tmp_path):
    documents = iter_documents(tmp_path / "missing.txt", format="yaml")
    with pytest.raises(CorpusError, match="unknown format"):
        next(documents)
    documents = iter_documents(SNAP_SAMPLE)
    assert not documents.started
    next(documents)
    documents.close()
    assert list(documents) == []
    with pytest.raises(ValueError):
        documents.take()


def _reading_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("wordvec-")]


def test_ctrl_c_stops_reading_and_its_threads(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_module, "BLOCK_BYTES", 1 << 12)
    path = tmp_path / "many.txt"
    path.write_bytes(b"tea and cups of tea\n" * 50_000)

    def interrupt(n_words):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        encode_files(path, threads=2, progress=interrupt)
    assert _reading_threads() == []


@pytest.mark.slow
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_threads_bound_the_encoding_threads(tmp_path, monkeypatch, threads):
    monkeypatch.setattr(corpus_module, "BLOCK_BYTES", 1 << 12)
    path = tmp_path / "many.txt"
    path.write_bytes(b"tea and cups of tea\n" * 20_000)
    seen = set()
    encode_files(path, threads=threads, progress=lambda n: seen.update(_reading_threads()))
    encoders = {name for name in seen if name.startswith("wordvec-encode")}
    assert len(encoders) <= (0 if threads == 1 else threads)
    assert bool(seen) == (threads > 1)
