"""Readers: SNAP, CSV, plain text, gzip, folders; encoding repair; errors."""

from __future__ import annotations

import csv
import gzip
import hashlib

import pytest

from wordvec.readers import default_corpus, detect_format, iter_documents
from wordvec.errors import CorpusError


def test_kaggle_sample_is_rebuilt_from_the_packaged_snap_sample(finefoods, shared_file):
    """The fixture's Kaggle-layout CSV is Kaggle's ``Reviews.csv`` rows 1-1000 as published."""
    built = (finefoods / "Reviews_sample.csv").read_bytes()
    assert len(built) == 486_565
    assert hashlib.sha256(built).hexdigest() == "c4796d2dd68e75e3e2181556178680a68e887dfedb5d1dfec6aff8f99ebc4f41"
    assert built.startswith(b"\xef\xbb\xbfId,ProductId,UserId,ProfileName,HelpfulnessNumerator,"
                            b"HelpfulnessDenominator,Score,Time,Summary,Text\n1,B001E4KFG0,A3SGXH7AUHU8GW,"
                            b"delmartian,1,1,5,1303862400,Good Quality Dog Food,I have bought several")
    original = shared_file("finefoods/Reviews_sample.csv")
    if original is not None:                   # extra check where ../shared/data is beside the checkout
        assert built == original.read_bytes()


def test_snap_and_kaggle_csv_give_the_same_thousand_texts(finefoods):
    with open(finefoods / "Reviews_sample.csv", newline="", encoding="utf-8-sig") as handle:
        raw = [row["Text"] for row in csv.DictReader(handle)]
    assert sum("<br />" in text for text in raw) == 253
    snap = list(iter_documents(finefoods / "finefoods_sample.txt.gz"))
    kaggle = list(iter_documents(finefoods / "Reviews_sample.csv"))
    assert len(snap) == len(kaggle) == 1000
    assert snap == kaggle
    assert not any("<br" in text for text in snap)
    assert kaggle[0] == raw[0]
    assert kaggle[-1].startswith("I have to admit, I was a sucker for the large quantity, 12 oz,")


def test_layouts_are_detected_from_content(finefoods, tmp_path):
    assert detect_format(finefoods / "finefoods_sample.txt.gz") == "snap"
    assert detect_format(finefoods / "Reviews_sample.csv") == "csv"
    renamed = tmp_path / "reviews.dat"
    renamed.write_bytes((finefoods / "Reviews_sample.csv").read_bytes())
    assert detect_format(renamed) == "csv"
    plain = tmp_path / "plain.txt"
    plain.write_text("just some words\nand more\n")
    assert detect_format(plain) == "text"


def test_reduced_csv_with_named_column(finefoods):
    texts = list(iter_documents(finefoods / "fine_food_reviews_1k.csv", text_column="Text"))
    summaries = list(iter_documents(finefoods / "fine_food_reviews_1k.csv", text_column="Summary"))
    assert len(texts) == len(summaries) == 1000
    assert texts[1].startswith("Not pleased at all.")
    assert summaries[1] == "Arrived in pieces"


def test_summary_is_put_before_the_text(finefoods):
    first = next(iter_documents(finefoods / "finefoods_sample.txt.gz", include_summary=True))
    assert first.startswith("Good Quality Dog Food. I have bought several")


def test_invalid_utf8_is_repaired_not_dropped(tmp_path):
    path = tmp_path / "old.txt.gz"
    with gzip.open(path, "wb") as out:
        out.write(b"product/productId: B1\nreview/summary: ok\nreview/text: caf\xe9 cr\xe8me <br />good\n\n")
        out.write(b"product/productId: B2\nreview/summary: ok\nreview/text: plain \xff\xfe text\n\n")
    docs = list(iter_documents(path))
    assert docs[0].split() == ["café", "crème", "good"]
    assert len(docs) == 2 and docs[1].startswith("plain")


def test_mojibake_is_fixed(tmp_path):
    path = tmp_path / "m.txt"
    path.write_text("the cafÃ© was great\n", encoding="utf-8")
    assert list(iter_documents(path)) == ["the café was great"]


def test_plain_text_crlf_nul_and_folders(tmp_path):
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"first line\r\nsecond\x00line\r\n\r\n")
    with gzip.open(folder / "b.txt.gz", "wt") as out:
        out.write("third line\n")
    assert list(iter_documents(folder)) == ["first line", "second line", "third line"]


def test_default_corpus_is_two_thousand_reviews():
    assert sum(1 for _ in iter_documents(default_corpus())) == 2000


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "missing.txt", "no such file"),
    (lambda p: (p / "empty").mkdir() or p / "empty", "no files in directory"),
])
def test_missing_inputs_name_the_path(tmp_path, make, message):
    with pytest.raises(CorpusError, match=message):
        list(iter_documents(make(tmp_path)))


def test_truncated_gzip_says_where_it_stopped(tmp_path):
    whole = gzip.compress(("a review line with words\n" * 20000).encode())
    path = tmp_path / "cut.txt.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(CorpusError, match=r"truncated or corrupted.*stopped after \d+ documents"):
        list(iter_documents(path))


def test_csv_without_text_column_and_broken_quoting(tmp_path):
    nocol = tmp_path / "nocol.csv"
    nocol.write_text("a,b\n1,2\n")
    with pytest.raises(CorpusError, match="no text column"):
        list(iter_documents(nocol))
    broken = tmp_path / "broken.csv"
    broken.write_text('Id,Text\n1,"fine"\n2,"bro"ken"\n')
    with pytest.raises(CorpusError, match="line 3"):
        list(iter_documents(broken))


def test_unknown_format_is_refused(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("x\n")
    with pytest.raises(CorpusError, match="unknown format"):
        list(iter_documents(path, format="xml"))
