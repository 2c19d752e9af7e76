"""word2vec text (also fastText's ``.vec``) and word2vec binary (the GoogleNews layout).

The text reader also reads the headerless relatives of word2vec text, GloVe
(``word x1 x2 ...``) and TSV (``word<TAB>x1<TAB>x2...``): one parser, the
separator and the header found by :mod:`wordvec.formats.sniff`.

>>> import tempfile, numpy as np
>>> from wordvec.formats import load_vectors
>>> v = Vectors(["tea", "cup"], np.ones((2, 3), dtype=np.float32))
>>> path = tempfile.mkdtemp() + "/v.txt"
>>> save_word2vec(v, path)
>>> load_vectors(path).words
['tea', 'cup']
"""

from __future__ import annotations

import re

import numpy as np

from ..outputs import atomic_open
from ..errors import ModelFormatError, ParameterError
from ..vectors import Vectors
from .rows import decode_joined, decode_words, exported_rows
from .sniff import is_numbers
from .sources import NeedMore, Source

_MAX_WORD_BYTES = 100_000  # a word2vec binary word longer than this: the header's dimension is wrong
_TEXT_BLOCK = 1 << 24  # bytes of text parsed at a time
_BINARY_CHUNK = 1 << 17  # rows scanned, checked and copied at a time


# -- writing ----------------------------------------------------------------------------

def save_word2vec(vectors: Vectors, path, *, binary: bool = False, include_unknown: bool = False) -> None:
    """Write the word2vec text (or binary) format; ``UNK`` is left out unless asked for.

    The text format (a header ``<words> <dimension>``, then ``word x1 x2 ...``
    per line) is also fastText's ``.vec`` format, and what spaCy's
    ``spacy init vectors`` and gensim's ``KeyedVectors.load_word2vec_format`` read.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> path = tempfile.mkdtemp() + "/v.txt"
    >>> save_word2vec(Vectors(["tea"], np.array([[0.5, 1]], dtype=np.float32)), path)
    >>> open(path).read()
    '1 2\\ntea 0.5 1\\n'
    """
    rows = exported_rows(vectors, include_unknown)
    matrix = np.asarray(vectors.matrix, dtype=np.float32)
    for i in rows:
        if not vectors.words[i] or any(c.isspace() for c in vectors.words[i]):
            raise ParameterError(f"word {vectors.words[i]!r} cannot be written in word2vec format (whitespace)")
    line = " ".join(["%.6g"] * vectors.dim) + "\n"
    with atomic_open(path, "wb") as handle:
        handle.write(f"{len(rows)} {vectors.dim}\n".encode())
        for i in rows:
            if binary:
                handle.write(vectors.words[i].encode("utf-8") + b" " + matrix[i].astype("<f4").tobytes() + b"\n")
            else:
                handle.write(vectors.words[i].encode("utf-8") + b" " + (line % tuple(matrix[i].tolist())).encode())


# -- reading text: word2vec, fastText .vec, GloVe, TSV -----------------------------------

def _parse_numbers(text: bytes) -> np.ndarray | None:
    """All numbers of a whitespace-separated text, or None if one is not a number."""
    try:
        return np.fromstring(text, dtype=np.float32, sep=" ")
    except ValueError:
        return None


class _TextRows:
    """Parses blocks of ``word<sep>x1<sep>...<sep>xdim`` lines into words and a matrix."""

    def __init__(self, src: Source, dim: int, sep: bytes, spaced_words: bool):
        self.src, self.dim, self.sep, self.spaced_words = src, dim, sep, spaced_words

    def fail(self, line: int, message: str):
        raise ModelFormatError(f"{self.src.path}, line {line}: {message}")

    def parse(self, lines: list, first_line: int, max_rows: int | None):
        """Words (bytes), their vectors and how many of ``lines`` were used."""
        rows = [line.rstrip() for line in lines]
        numbers = None if all(rows) else [i for i, row in enumerate(rows) if row]
        if numbers is not None:
            rows = [rows[i] for i in numbers]
        cut = max_rows is not None and len(rows) > max_rows
        if cut:
            rows = rows[:max_rows]
        line_of = (lambda r: first_line + r) if numbers is None else (lambda r: first_line + numbers[r])
        used = line_of(len(rows) - 1) - first_line + 1 if cut else len(lines)
        if not rows:
            return [], np.zeros((0, self.dim), dtype=np.float32), used
        words, rests = self._split(rows, line_of)
        values = _parse_numbers(b" ".join(rests))
        if values is None or values.size != len(rows) * self.dim:
            self._find_bad_row(rests, line_of)
        matrix = values.reshape(len(rows), self.dim)
        finite = np.isfinite(matrix).all(axis=1)
        if not finite.all():
            self.fail(line_of(int(np.argmin(finite))), "NaN or infinite values")
        return words, matrix, used

    def _split(self, rows: list, line_of):
        sep, dim = self.sep, self.dim
        fields = np.fromiter((row.count(sep) for row in rows), dtype=np.int64, count=len(rows))
        wrong = np.flatnonzero(fields < dim if self.spaced_words else fields != dim)
        if wrong.size:
            r = int(wrong[0])
            self.fail(line_of(r), f"expected a word and {dim} numbers, got {int(fields[r])}")
        parts = [row.partition(sep) for row in rows]
        words = [p[0] for p in parts]
        rests = [p[2] for p in parts]
        for r in np.flatnonzero(fields > dim).tolist():  # a token with spaces (GloVe 840B): numbers from the right
            words[r] = rows[r].rsplit(sep, dim)[0]
            rests[r] = rows[r][len(words[r]) + 1:]
            if is_numbers(words[r].split(sep)[1:]):  # 'word 0.1 0.2 ...' with too many numbers: a ragged row
                self.fail(line_of(r), f"expected a word and {dim} numbers, got {int(fields[r])}")
        return words, rests

    def _find_bad_row(self, rests: list, line_of):
        for r, rest in enumerate(rests):
            values = _parse_numbers(rest)
            if values is None or values.size != self.dim:
                self.fail(line_of(r), "not a number among the values")
        self.fail(line_of(0), "the values could not be read as numbers")


def _lines_after(data, start: int, stop: int) -> int:
    """Number of lines in ``data[start:stop]`` (a last line without a newline counts)."""
    count = 0
    for block in range(start, stop, 1 << 26):
        count += data[block:min(stop, block + (1 << 26))].count(b"\n")
    if stop > start and data[stop - 1:stop] != b"\n":
        count += 1
    return count


def read_text(src: Source, info: dict, limit: int | None):
    """Words and matrix of a text file: word2vec/fastText .vec (with a header), GloVe or TSV."""
    expected = info.get("n_words")
    wanted = expected if limit is None else (limit if expected is None else min(limit, expected))
    start = info["start"]
    first_line = 2 if expected is not None else 1
    while wanted is not None and not src.complete and src.data.count(b"\n", start) < wanted:
        src.grow()
    data = src.data
    stop = len(data) if src.complete else data.rfind(b"\n") + 1
    if wanted is None:
        capacity = _lines_after(data, start, stop)
    else:  # a row takes at least two bytes a number: a header cannot make this allocate more
        capacity = min(wanted, (stop - start) // (2 * info["dim"]) + 1)
    rows = _TextRows(src, info["dim"], info["sep"], spaced_words=expected is None)
    words, matrix, pos, line = [], np.empty((capacity, info["dim"]), dtype=np.float32), start, first_line
    while pos < stop and (wanted is None or len(words) < wanted):
        end = data.find(b"\n", min(pos + _TEXT_BLOCK, stop - 1), stop)
        end = stop if end < 0 else end + 1
        lines = data[pos:end].split(b"\n")
        if lines and not lines[-1]:
            lines.pop()
        block_words, block, used = rows.parse(lines, line, None if wanted is None else wanted - len(words))
        if len(words) + len(block_words) > capacity:
            rows.fail(line + used - 1, f"more rows than the {capacity} counted")  # pragma: no cover
        matrix[len(words):len(words) + len(block_words)] = block
        words += block_words
        src.release(end)
        pos += end - pos if used == len(lines) else sum(len(x) + 1 for x in lines[:used])
        line += used
    if wanted is not None and len(words) < wanted and not src.complete:
        raise NeedMore
    if expected is not None:
        _check_row_count(src, rows, words, wanted, data[pos:stop] if limit is None else b"", line)
    matrix = matrix[:len(words)]
    return decode_words(words), matrix if len(words) > 0.99 * capacity else matrix.copy()


def _check_row_count(src: Source, rows: _TextRows, words: list, expected: int, rest: bytes, line: int) -> None:
    if len(words) < expected:
        raise ModelFormatError(f"{src.path}, line {line}: the header promises {expected} words but the file "
                               f"ends after {len(words)}")
    extra = rest.lstrip()
    if extra:
        rows.fail(line + rest[:len(rest) - len(extra)].count(b"\n"),
                  f"more rows than the {expected} in the header")


# -- reading word2vec binary ------------------------------------------------------------

def _scan_binary(src: Source, start: int, first_row: int, rows: int, n_rows: int, width: int):
    """Each row's word and the offset of its vector: ``[\\n]word<space><width bytes>``.

    word2vec.c ends each vector with a newline, the GoogleNews file does not:
    the newline, if any, is left at the start of the next word (and stripped
    from all words at once by the caller). This loop is the only per-row
    Python work; ``find`` runs in C.
    """
    data, complete = src.data, src.complete
    size, find = len(data), data.find
    words, offsets = [], []
    append_word, append_offset = words.append, offsets.append
    pos = start
    for row in range(first_row, first_row + rows):
        space = find(b" ", pos, pos + _MAX_WORD_BYTES)
        end = space + 1 + width
        if space < 0 or end > size:
            if not complete:
                raise NeedMore
            _binary_ends(src, pos, space, row, n_rows)
        append_word(data[pos:space])
        append_offset(space + 1)
        pos = end
    return words, np.array(offsets, dtype=np.int64), pos


def _binary_ends(src: Source, pos: int, space: int, row: int, n_rows: int):
    size = len(src.data)
    if space < 0 and size - pos >= _MAX_WORD_BYTES:
        raise ModelFormatError(f"{src.at(pos)}: word {row + 1} is not followed by a space "
                               "(is the header's dimension right?)")
    part = "word" if space < 0 else "vector of word"
    raise ModelFormatError(f"{src.at(size)}: the file ends in the {part} {row + 1} of {n_rows} "
                           "(truncated, or the header promises more words than the file has)")


def _gather_vectors(data, offsets: np.ndarray, dim: int) -> np.ndarray:
    """Rows of ``dim`` float32 starting at arbitrary byte offsets: one fancy index of a sliding window."""
    if not len(offsets):
        return np.zeros((0, dim), dtype=np.float32)
    windows = np.lib.stride_tricks.sliding_window_view(np.frombuffer(data, dtype=np.uint8), 4 * dim)
    matrix = windows[offsets].view("<f4").astype(np.float32, copy=False)
    del windows
    return matrix


def read_word2vec_binary(src: Source, info: dict, limit: int | None):
    """Words and matrix of a word2vec binary file, a chunk of rows at a time.

    The file is memory-mapped; each chunk's pages are handed back once its
    vectors are copied, so the peak memory is the matrix, not the file too.
    """
    n_rows = info["n_words"] if limit is None else min(limit, info["n_words"])
    dim, width = info["dim"], 4 * info["dim"]
    room = (len(src.data) - info["start"]) // (width + 1) + 1  # a row takes more than its vector's bytes
    matrix = np.empty((min(n_rows, room), dim), dtype=np.float32)
    pieces, pos, done = [], info["start"], 0
    while done < n_rows:
        raw, offsets, pos = _scan_binary(src, pos, done, min(_BINARY_CHUNK, n_rows - done), n_rows, width)
        pieces.append(_binary_words(src, raw, offsets, done, dim))
        block = matrix[done:done + len(raw)]
        block[:] = _gather_vectors(src.data, offsets, dim)
        finite = np.isfinite(block).all(axis=1)
        if not finite.all():
            row = int(np.argmin(finite))
            raise ModelFormatError(f"{src.at(int(offsets[row]))}: the vector of word {done + row + 1} holds NaN "
                                   "or infinite values")
        src.release(pos)
        done += len(raw)
    end, size = pos, len(src.data)
    if limit is None and size > end and (size - end > 64 or bytes(src.data[end:]).strip()):
        raise ModelFormatError(f"{src.at(end)}: {size - end} more bytes after the {n_rows} words the "
                               f"header announces (is its dimension {dim} right?)")
    return decode_joined(b" ".join(pieces), b" ", n_rows), matrix


def _binary_words(src: Source, raw: list, offsets: np.ndarray, first_row: int, dim: int) -> bytes:
    """A chunk's words joined by spaces, the newline that ends the previous vector taken off each."""
    joined = b" ".join(raw)
    if b"\n" in joined:
        joined = (b" " + joined).replace(b" \n", b" ")[1:]
    junk = re.search(rb"[\x00-\x1f]", joined)
    if junk:
        row = joined[:junk.start()].count(b" ")
        raise ModelFormatError(f"{src.at(int(offsets[row]) - 1 - len(raw[row]))}: word {first_row + row + 1} "
                               f"holds control characters (is the header's dimension {dim} right?)")
    return joined

