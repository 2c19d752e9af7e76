"""Corpora from the data ecosystem: Parquet, Arrow, JSON lines, bzip2/xz/zstd, and the text-or-binary rule."""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import lzma
import sys
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wordvec.readers import FORMATS, SIDE_FILES, default_corpus, detect_format, iter_documents
from wordvec.errors import CorpusError, MissingDependencyError
from wordvec.model import Word2Vec

SHIPPED_CSV = default_corpus()[1]
COMPRESSORS = {
    "gzip": gzip.compress,
    "bzip2": bz2.compress,
    "xz": lzma.compress,
    "zstd": lambda data: zstandard.ZstdCompressor().compress(data),
}


@pytest.fixture(scope="module")
def reviews() -> pa.Table:
    """The shipped CSV as an Arrow table of strings, read with the standard library's csv module."""
    with gzip.open(SHIPPED_CSV, "rt", encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return pa.table({name or "index": [row[i] for row in rows] for i, name in enumerate(header)})


@pytest.fixture(scope="module")
def csv_documents() -> dict:
    return {
        "plain": list(iter_documents(SHIPPED_CSV)),
        "summary first": list(iter_documents(SHIPPED_CSV, include_summary=True)),
        "summary column": list(iter_documents(SHIPPED_CSV, text_column="Summary")),
    }


READINGS = {"plain": {}, "summary first": {"include_summary": True}, "summary column": {"text_column": "summary"}}


def write_arrow(table: pa.Table, path: Path, layout: str = "stream", batch_rows: int = 128) -> Path:
    opener = pa.ipc.new_stream if layout == "stream" else pa.ipc.new_file
    with opener(path, table.schema) as writer:
        writer.write_table(table, max_chunksize=batch_rows)
    return path


def refusal(path: Path, **kwargs) -> str:
    """The one-line message reading ``path`` gives, checking that no document came out first."""
    documents = []
    with pytest.raises(CorpusError) as caught:
        documents.extend(iter_documents(path, **kwargs))
    assert documents == []
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


# --- Parquet and Arrow ------------------------------------------------------------------------------

@pytest.mark.parametrize("reading", READINGS)
def test_parquet_copy_of_the_shipped_reviews_gives_the_same_documents(tmp_path, reviews, csv_documents, reading):
    path = tmp_path / "reviews.parquet"
    pq.write_table(reviews, path, row_group_size=300)
    assert detect_format(path) == "parquet"
    documents = list(iter_documents(path, **READINGS[reading]))
    assert len(documents) == 1000
    assert documents == csv_documents[reading]


@pytest.mark.parametrize("layout", ["file", "stream"])
@pytest.mark.parametrize("reading", READINGS)
def test_arrow_copies_give_the_same_documents(tmp_path, reviews, csv_documents, layout, reading):
    path = write_arrow(reviews, tmp_path / "reviews.arrow", layout)
    assert detect_format(path) == "arrow"
    assert list(iter_documents(path, **READINGS[reading])) == csv_documents[reading]


def test_huggingface_save_to_disk_folder_is_read_without_its_side_files(tmp_path, reviews, csv_documents):
    split = tmp_path / "dataset" / "train"
    split.mkdir(parents=True)
    write_arrow(reviews.slice(0, 600), split / "data-00000-of-00002.arrow")
    write_arrow(reviews.slice(600), split / "data-00001-of-00002.arrow")
    (split / "state.json").write_text(json.dumps({"_data_files": [{"filename": "x"}]}, indent=2))
    (split / "dataset_info.json").write_text(json.dumps({"citation": "", "features": {}}, indent=2))
    (tmp_path / "dataset" / "dataset_dict.json").write_text('{"splits": ["train"]}')
    assert list(iter_documents(tmp_path / "dataset")) == csv_documents["plain"]


@pytest.mark.parametrize("writer", ["spark", "dask"])
def test_spark_and_dask_parquet_folders_are_read_without_their_side_files(tmp_path, reviews, csv_documents,
                                                                          writer):
    folder = tmp_path / "out.parquet"
    folder.mkdir()
    names = (["part-00000-1f2e-c000.snappy.parquet", "part-00001-1f2e-c000.snappy.parquet"] if writer == "spark"
             else ["part.0.parquet", "part.1.parquet"])
    row_groups = []
    for name, rows in zip(names, [reviews.slice(0, 500), reviews.slice(500)]):
        pq.write_table(rows, folder / name, metadata_collector=row_groups)
        row_groups[-1].set_file_path(name)
    if writer == "spark":
        (folder / "_SUCCESS").write_bytes(b"")
        (folder / "_committed_5071").write_text('{"added": []}')
        (folder / f".{names[0]}.crc").write_bytes(b"crc\x00\x01\x02\x03" * 4)
        (folder / "part-00000.crc").write_bytes(b"crc\x00\x01\x02\x03" * 4)
    else:  # _metadata points at the parts' row groups: read as a Parquet file it fails
        pq.write_metadata(reviews.schema, folder / "_common_metadata")
        pq.write_metadata(reviews.schema, folder / "_metadata", metadata_collector=row_groups)
    assert list(iter_documents(folder)) == csv_documents["plain"]


def test_a_parquet_folder_trains_the_same_vectors_as_the_csv(tmp_path, reviews):
    folder = tmp_path / "parts"
    folder.mkdir()
    pq.write_table(reviews.slice(0, 400), folder / "part-0.parquet")
    pq.write_table(reviews.slice(400), folder / "part-1.parquet")
    (folder / "_SUCCESS").write_bytes(b"")
    settings = dict(dim=8, epochs=1, min_count=3, threads=1, seed=3, progress=False)
    from_parquet = Word2Vec(**settings).fit(iter_documents(folder)).vectors_
    from_csv = Word2Vec(**settings).fit(iter_documents(SHIPPED_CSV)).vectors_
    assert len(from_parquet.words) > 1000
    assert from_parquet.words == from_csv.words
    assert np.array_equal(from_parquet.matrix, from_csv.matrix)


def test_parquet_is_read_one_batch_at_a_time(tmp_path, reviews, monkeypatch):
    path = tmp_path / "reviews.parquet"
    pq.write_table(reviews, path, row_group_size=100)
    requests, pulled = [], []
    original = pq.ParquetFile.iter_batches

    def counting_iter_batches(self, *args, **kwargs):
        requests.append(kwargs)
        for batch in original(self, *args, **kwargs):
            pulled.append(batch.num_rows)
            yield batch

    def whole_table(*args, **kwargs):
        raise AssertionError("the whole table was read")

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", counting_iter_batches)
    monkeypatch.setattr(pq.ParquetFile, "read", whole_table)
    monkeypatch.setattr(pq, "read_table", whole_table)
    documents = iter_documents(path, include_summary=True)
    first = next(documents)
    assert first.startswith("where does one")
    assert len(pulled) == 1 and pulled[0] <= 4096
    assert requests[0]["columns"] == ["Text", "Summary"]
    documents.close()


def test_text_columns_of_every_arrow_type_are_decoded(tmp_path):
    table = pa.table({
        "id": pa.array([1, 2, 3]),
        "body": pa.array([b"caf\xe9 cr\xe8me", "tea \u2615".encode(), None], type=pa.binary()),
        "label": pa.array(["good", "fine", "good"]).dictionary_encode(),
        "notes": pa.array(["a", None, "c"], type=pa.large_string()),
    })
    path = tmp_path / "typed.parquet"
    pq.write_table(table, path)
    assert list(iter_documents(path)) == ["café crème", "tea \u2615", ""]
    assert list(iter_documents(path, text_column="LABEL")) == ["good", "fine", "good"]
    assert list(iter_documents(path, text_column="notes")) == ["a", "", "c"]
    message = refusal(path, text_column="id")
    assert message.endswith("the column 'id' holds int64 values, not text; name the text column with --text-column")


@pytest.mark.parametrize("kind", ["parquet", "arrow", "jsonl"])
def test_a_missing_text_column_is_one_line_listing_the_columns(tmp_path, kind):
    table = pa.table({"title": ["a"], "score": [5]})
    path = tmp_path / f"data.{kind}"
    if kind == "parquet":
        pq.write_table(table, path)
    elif kind == "arrow":
        write_arrow(table, path, "file")
    else:
        path.write_text('{"title": "a", "score": 5}\n')
    kind_words = {"parquet": "Parquet columns", "arrow": "Arrow columns", "jsonl": "JSON fields"}[kind]
    assert refusal(path) == f"{path}: no text column among the {kind_words} (title, score); name it with --text-column"
    assert refusal(path, text_column="body") == (
        f"{path}: no column 'body' among the {kind_words} (title, score); name it with --text-column")


def test_damaged_parquet_and_arrow_name_the_file(tmp_path, reviews):
    whole = tmp_path / "whole.parquet"
    pq.write_table(reviews, whole)
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(whole.read_bytes()[:5000])
    assert "not a readable Parquet file" in refusal(cut)
    stream = write_arrow(reviews, tmp_path / "whole.arrow")
    cut_stream = tmp_path / "cut.arrow"
    cut_stream.write_bytes(stream.read_bytes()[:30000])
    with pytest.raises(CorpusError, match=r"cut.arrow: not a readable Arrow IPC file or stream \("):
        list(iter_documents(cut_stream))


def test_without_pyarrow_the_error_names_the_extra(tmp_path, reviews, monkeypatch):
    path = tmp_path / "reviews.parquet"
    pq.write_table(reviews.slice(0, 3), path)
    for module in ("pyarrow", "pyarrow.parquet", "pyarrow.ipc"):
        monkeypatch.setitem(sys.modules, module, None)
    assert detect_format(path) == "parquet"
    with pytest.raises(MissingDependencyError) as caught:
        list(iter_documents(path))
    assert str(caught.value) == (
        f'{path}: looks like a Parquet file; reading it needs pyarrow: pip install "wordvec[parquet]"')


# --- JSON lines -------------------------------------------------------------------------------------

def test_json_lines_known_answer(tmp_path):
    path = tmp_path / "reviews.jsonl"
    path.write_bytes(
        b'\xef\xbb\xbf{"id": 1, "Summary": "Great", "TEXT": "Loved it, a lot"}\n'
        b"\n"
        b'{"id": 2, "Summary": null, "TEXT": "caf\xe9 \\u00e9t\\u00e9"}\r\n'
        b'{"id": 3, "TEXT": null}\n'
        b'{"id": 4, "Summary": "", "TEXT": 42}\n'
    )
    assert detect_format(path) == "jsonl"
    assert list(iter_documents(path)) == ["Loved it, a lot", "café été", "", "42"]
    assert list(iter_documents(path, include_summary=True))[:2] == ["Great. Loved it, a lot", "café été"]
    assert list(iter_documents(path, text_column="summary")) == ["Great", "", "", ""]


@pytest.mark.parametrize("second_line, message", [
    (b'{"text": "fine",}\n', r"bad.jsonl, line 2: not valid JSON \(Expecting property name .*, column 17\)$"),
    (b'["a", "list"]\n', "line 2: expected a JSON object, got an array"),
    (b'{"text": ["a", "list"]}\n', "line 2: the field 'text' holds an array, not text"),
])
def test_json_lines_errors_name_the_line(tmp_path, second_line, message):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"text": "fine"}\n' + second_line)
    with pytest.raises(CorpusError, match=message):
        list(iter_documents(path))


def test_a_single_json_document_is_refused_unless_read_as_text(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps([{"text": "good tea"}, {"text": "bad tea"}], indent=2))
    message = refusal(path)
    assert "looks like a single JSON document" in message and "--format text" in message
    assert [line.strip() for line in iter_documents(path, format="text")][:3] == ["[", "{", '"text": "good tea"']


def test_a_long_first_json_line_is_still_json_lines(tmp_path):
    path = tmp_path / "long.jsonl"
    long_text = "word " * 5000
    path.write_text(json.dumps({"text": long_text}) + "\n" + json.dumps({"text": "short"}) + "\n")
    assert detect_format(path) == "jsonl"
    assert list(iter_documents(path)) == [long_text, "short"]


# --- compression ------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("compression", COMPRESSORS)
def test_compression_is_recognised_from_the_content(tmp_path, csv_documents, compression):
    csv_bytes = gzip.decompress(SHIPPED_CSV.read_bytes())
    path = tmp_path / "reviews.data"
    path.write_bytes(COMPRESSORS[compression](csv_bytes))
    assert detect_format(path) == "csv"
    assert list(iter_documents(path)) == csv_documents["plain"]
    lines = tmp_path / "lines.gz"  # the name says gzip; the content decides
    lines.write_bytes(COMPRESSORS[compression](b"first line\nsecond\r\n"))
    assert list(iter_documents(lines)) == ["first line", "second"]


@pytest.mark.parametrize("compression", COMPRESSORS)
def test_concatenated_streams_are_all_read(tmp_path, compression):
    path = tmp_path / "two.txt"
    compress = COMPRESSORS[compression]
    path.write_bytes(compress(b"one\ntwo\n") + compress(b"three\n"))
    assert list(iter_documents(path)) == ["one", "two", "three"]


@pytest.mark.slow
@pytest.mark.parametrize("compression", COMPRESSORS)
def test_truncated_compressed_text_says_where_it_stopped(tmp_path, compression):
    text = "".join(f"review number {i} with words\n" for i in range(40000)).encode()
    whole = COMPRESSORS[compression](text)
    path = tmp_path / "cut.txt"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(CorpusError, match=r"cut.txt: compressed data is truncated or corrupted \(.*\); "
                                          r"stopped after \d+ documents"):
        list(iter_documents(path))


@pytest.mark.parametrize("compression", ["bzip2", "xz", "zstd"])
def test_corrupted_compressed_text_is_one_line(tmp_path, compression):
    whole = COMPRESSORS[compression](b"some words here\n" * 1000)
    damaged = bytearray(whole)
    for i in range(len(damaged) // 2, len(damaged) // 2 + 16):
        damaged[i] ^= 0xFF
    path = tmp_path / "damaged.txt"
    path.write_bytes(bytes(damaged))
    with pytest.raises(CorpusError, match="damaged.txt: compressed data is truncated or corrupted"):
        list(iter_documents(path))


def test_without_zstandard_the_error_names_the_extra(tmp_path, monkeypatch):
    path = tmp_path / "corpus.txt"
    path.write_bytes(COMPRESSORS["zstd"](b"words\n"))
    monkeypatch.setitem(sys.modules, "zstandard", None)
    with pytest.raises(MissingDependencyError) as caught:
        list(iter_documents(path))
    assert str(caught.value) == f'{path}: zstd-compressed; reading it needs zstandard: pip install "wordvec[zstd]"'


# --- text or binary ---------------------------------------------------------------------------------

def _zip_archive(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("reviews.txt", "good tea\n" * 100)


def _tar_gz(path: Path) -> None:
    data = b"good tea\n" * 100
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("reviews.txt")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))


def _png(path: Path) -> None:
    from matplotlib.image import imsave

    imsave(path, np.random.default_rng(0).random((16, 16)), format="png")


def _parquet_in_gzip(path: Path) -> None:
    buffer = io.BytesIO()
    pq.write_table(pa.table({"text": ["good tea"]}), buffer)
    path.write_bytes(gzip.compress(buffer.getvalue()))


REFUSED = {
    "random bytes": (lambda p: p.write_bytes(np.random.default_rng(1).bytes(20000)),
                     r"looks like binary data \(\d+% of its first 8,192 bytes are NUL or other control bytes\), "
                     r"not a corpus wordvec can read$"),
    "random bytes in gzip": (lambda p: p.write_bytes(gzip.compress(np.random.default_rng(2).bytes(20000))),
                             r"looks like binary data \(.*\) \(gzip-compressed\), not a corpus"),
    "zip archive": (_zip_archive, "looks like a zip archive, not a corpus wordvec can read; unpack it"),
    "tar.gz archive": (_tar_gz, r"looks like a tar archive \(gzip-compressed\), not a corpus .*; unpack it"),
    "PNG image": (_png, "looks like a PNG image, not a corpus wordvec can read$"),
    "Parquet in gzip": (_parquet_in_gzip, r"looks like a Parquet file \(gzip-compressed\).*decompress it first"),
    "UTF-16 without BOM": (lambda p: p.write_bytes("good tea\nbad tea\n".encode("utf-16-le")),
                           "looks like UTF-16 text without a byte-order mark.*save it as UTF-8"),
}


@pytest.mark.slow
@pytest.mark.parametrize("format", ["auto", "text", "csv", "snap", "jsonl"])
@pytest.mark.parametrize("name", REFUSED)
def test_files_that_are_no_corpus_are_refused_never_read_as_text(tmp_path, name, format):
    make, expected = REFUSED[name]
    path = tmp_path / "corpus.txt"
    make(path)
    assert_matches = pytest.raises(CorpusError, match=expected)
    with assert_matches:
        detect_format(path)
    message = refusal(path, format=format)
    assert message.startswith(f"{path}: looks like ")


def test_latin1_and_stray_nul_bytes_are_text(tmp_path):
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("café crème brûlée\nÆsop's façade\n".encode("latin-1"))
    assert list(iter_documents(latin1)) == ["café crème brûlée", "Æsop's façade"]
    one_in_25 = tmp_path / "sparse_nul.txt"
    one_in_25.write_bytes(b"tea\x00cup good tea cup ok\n" * 50)  # 4% control bytes
    assert list(iter_documents(one_in_25))[0] == "tea cup good tea cup ok"
    one_in_16 = tmp_path / "dense_nul.txt"
    one_in_16.write_bytes(b"tea\x00cup tea cup\n" * 50)  # 6.25%: more than 1 in 20
    assert "looks like binary data (6% of its first 800 bytes" in refusal(one_in_16)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_with_a_byte_order_mark_read_like_utf8(tmp_path, encoding):
    text = "Id,Text\r\n1,\"café \U0001F375, good\"\r\n2,\"line one\r\nline two\"\r\n"
    utf8 = tmp_path / "utf8.dat"
    utf8.write_text(text, encoding="utf-8", newline="")
    wide = tmp_path / "wide.dat"
    wide.write_bytes("\ufeff".encode(encoding) + text.encode(encoding))
    assert detect_format(wide) == detect_format(utf8) == "csv"
    expected = ["café \U0001F375, good", "line one\r\nline two"]
    assert list(iter_documents(wide)) == list(iter_documents(utf8)) == expected


# --- formats and folders ----------------------------------------------------------------------------

def _example_of(layout: str, tmp_path: Path) -> Path:
    table = pa.table({"Text": ["good tea", "bad coffee"]})
    path = tmp_path / f"example.{layout}"
    if layout == "snap":
        path.write_text("product/productId: B1\nreview/text: good tea\n\nproduct/productId: B2\n"
                        "review/text: bad coffee\n")
    elif layout == "csv":
        path.write_text("Id,Text\n1,good tea\n2,bad coffee\n")
    elif layout == "text":
        path.write_text("good tea\nbad coffee\n")
    elif layout == "jsonl":
        path.write_text('{"Text": "good tea"}\n{"Text": "bad coffee"}\n')
    elif layout == "parquet":
        pq.write_table(table, path)
    else:
        write_arrow(table, path, "file")
    return path


@pytest.mark.parametrize("layout", [name for name in FORMATS if name != "auto"])
def test_every_format_name_is_detected_and_accepted(tmp_path, layout):
    path = _example_of(layout, tmp_path)
    assert detect_format(path) == layout
    assert list(iter_documents(path, format=layout)) == list(iter_documents(path)) == ["good tea", "bad coffee"]


def test_formats_list_is_the_one_the_cli_offers():
    assert FORMATS[0] == "auto"
    assert set(FORMATS) == {"auto", "snap", "csv", "text", "jsonl", "parquet", "arrow"}


def test_an_explicit_format_never_reads_columnar_data_as_text_or_text_as_columnar(tmp_path):
    parquet = _example_of("parquet", tmp_path)
    assert refusal(parquet, format="text") == (
        f"{parquet}: looks like a Parquet file, not text; read it with --format parquet or auto")
    text = _example_of("text", tmp_path)
    assert refusal(text, format="parquet") == f"{text}: looks like text, not a Parquet file"
    assert refusal(parquet, format="arrow") == f"{parquet}: looks like a Parquet file, not an Arrow IPC file or stream"


def test_a_folder_of_side_files_only_is_one_clear_error(tmp_path):
    folder = tmp_path / "empty_job"
    folder.mkdir()
    (folder / "_SUCCESS").write_bytes(b"")
    with pytest.raises(CorpusError, match=r"no corpus files in directory: .*empty_job \(only side files: _SUCCESS\)"):
        list(iter_documents(folder))
    assert {"_SUCCESS", "_metadata", "_common_metadata", "state.json", "dataset_info.json"} <= SIDE_FILES


def test_extras_named_in_the_errors_are_declared():
    tomllib = pytest.importorskip("tomllib")
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    extras = tomllib.loads(pyproject.read_text())["project"]["optional-dependencies"]
    assert any(req.startswith("pyarrow") for req in extras["parquet"])
    assert any(req.startswith("zstandard") for req in extras["zstd"])
    assert {"pyarrow", "zstandard"} <= {req.split(">")[0].split("=")[0].strip() for req in extras["test"]}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=3000),
       prefix=st.sampled_from([b"", b"PAR1", b"ARROW1\x00\x00", b"\xff\xff\xff\xff\x08\x00\x00\x00", b"\xff\xfe", b"{",
                               b"PK\x03\x04"]),
       compression=st.sampled_from([None, *COMPRESSORS]), cut=st.integers(min_value=0, max_value=40),
       format=st.sampled_from(FORMATS))
@pytest.mark.slow
def test_any_bytes_give_texts_or_one_line_corpus_error(tmp_path, data, prefix, compression, cut, format):
    data = prefix + data
    if compression:
        data = COMPRESSORS[compression](data)
        data = data[: max(len(data) - cut, 0)] if cut % 2 else data
    path = tmp_path / "any.bin"
    path.write_bytes(data)
    try:
        documents = list(iter_documents(path, format=format))
    except CorpusError as err:
        assert "\n" not in str(err) and str(err).startswith(str(path))
        return
    assert all(isinstance(document, str) for document in documents)


_TRICKY_TEXTS = ["plain", None, "", "a\x00b<br />c", "x<a\nhref>y", "<<b>>", "a>b<c", "<" + "x" * 199 + ">",
                 "<" + "x" * 200 + ">", "<" + "y" * 201 + ">z", "Caf\u00c3\u00a9 <i>ok</i>\nnext",
                 "line1\nline2\r\nline3", "\u201cquoted\u201d", "unclosed <tag", "emoji \U0001F600 <br>"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(alphabet="<>a /\n\x00\u00e9\u00c3\u00a9\u201c", max_size=30), max_size=40))
def test_a_table_column_is_cleaned_in_arrow_as_each_text_is_in_python(extra):
    """ASCII texts are cleaned by Arrow a column at a time, the others one by one: the oracle is
    clean_text on each text, line feeds as spaces (invalid UTF-8 repaired as the readers repair it)."""
    from wordvec.readers.columnar import record_lines
    from wordvec.text import clean_text, decode_line

    texts = _TRICKY_TEXTS + extra
    want = [clean_text(text or "").replace("\n", " ") for text in texts]
    assert record_lines(pa, pa.array(texts, type=pa.string())) == want
    assert record_lines(pa, pa.array(texts, type=pa.large_string()).dictionary_encode()) == want
    if hasattr(pa, "string_view"):
        assert record_lines(pa, pa.array(texts, type=pa.string()).cast(pa.string_view())) == want
    broken = pa.Array.from_buffers(pa.string(), 2, [None, pa.py_buffer(np.array([0, 2, 8], np.int32)),
                                                    pa.py_buffer(b"\xff<b>\x00tea")])
    assert record_lines(pa, broken) == [clean_text(decode_line(b"\xff<")), clean_text("b>\x00tea")]
