"""gensim's corpora for wordvec: sentences checked, files read as ``LineSentence``, vocabularies as gensim builds them.

gensim trains on an iterable of sentences, each a list of keys (strings or integers), or on a file
of whitespace-separated words (``corpus_file``, read as :class:`LineSentence` reads it). Here they
are encoded once by :func:`wordvec.encoding.encode_documents`, and the vocabulary is ordered and
cut as gensim's ``build_vocab`` orders and cuts it:

- most frequent first; among keys of equal count, the key first seen *last* comes first (gensim's
  ``sort_by_descending_frequency``; wordvec's own order puts the one seen first first);
- ``max_final_vocab`` raises ``min_count`` to the smallest count that keeps at most that many keys.

>>> vocab, corpus, sentences = encode_sentences([["a", "b"], ["b", "c"]], min_count=1)
>>> vocab.words, sentences
(['UNK', 'b', 'c', 'a'], 2)
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from ..encoding import TokenCorpus, TokenSequences, encode_documents, release_free_memory, remap_tokens
from ..errors import CorpusError, ParameterError
from ..readers.compression import decompressed
from ..vocab import Vocabulary
from .keys import UNKNOWN, UNKNOWN_ALIAS, key_of

__all__ = ["LineSentence", "MAX_SENTENCE_LENGTH", "encode_sentences", "encode_with_vocabulary",
           "sentences_for_update", "known_words", "gensim_order"]

#: gensim cuts longer lines into sentences of this many words (its ``MAX_WORDS_IN_BATCH``).
MAX_SENTENCE_LENGTH = 10000
#: Characters of a corpus file read at a time.
_CHUNK_CHARS = 1 << 20


class LineSentence:
    """The sentences of a text file, one a line, words split on whitespace (gensim's ``LineSentence``).

    Lines are split at ``\\n`` only, words with :meth:`str.split` (case and punctuation kept); a
    line of more than ``max_sentence_length`` words gives several sentences, and a blank line none.
    The file is UTF-8 text, decompressed if it is gzip, bzip2, xz or zstd (by its content); no line
    is held whole.

    Parameters
    ----------
    source : str or path-like
    max_sentence_length : int, default=10000
    limit : int or None, default=None
        Read only the first ``limit`` lines.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "corpus.txt"
    >>> _ = path.write_text("The cat  sat\\n\\na b c d e\\n")
    >>> list(LineSentence(path, max_sentence_length=3))
    [['The', 'cat', 'sat'], ['a', 'b', 'c'], ['d', 'e']]
    """

    def __init__(self, source, max_sentence_length: int = MAX_SENTENCE_LENGTH, limit: int | None = None):
        if not isinstance(source, (str, Path)):
            raise TypeError(f"LineSentence reads a file named by a path, not {type(source).__name__}")
        if not isinstance(max_sentence_length, int) or max_sentence_length < 1:
            raise ParameterError.out_of_range("max_sentence_length", max_sentence_length, "an integer >= 1")
        self.source = source
        self.max_sentence_length = max_sentence_length
        self.limit = limit

    def __iter__(self) -> Iterator[list[str]]:
        path = Path(self.source)
        try:
            with decompressed(path) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                yield from _cut(_line_parts(text), self.max_sentence_length, self.limit)
        except FileNotFoundError:
            raise CorpusError(f"{path}: no such file") from None
        except UnicodeDecodeError as err:
            raise CorpusError(f"{path}: not UTF-8 text ({err.reason} at a byte {err.object[err.start:err.start + 1]!r})"
                              ) from None


def _line_parts(text) -> Iterator[tuple[list[str], bool]]:
    """``(words, ends_line)`` for each part of each line: a line longer than what is read at a time
    comes in several parts, cut between words."""
    rest = ""
    while True:
        chunk = text.read(_CHUNK_CHARS)
        if not chunk:
            break
        *lines, rest = (rest + chunk).split("\n")
        for line in lines:
            yield line.split(), True
        words = rest.split()
        if words and not rest[-1].isspace():
            rest = words.pop()  # a word cut by the chunk's end, finished by the next chunk
        else:
            rest = ""
        if words:
            yield words, False
    yield rest.split(), True


def _cut(parts: Iterable[tuple[list[str], bool]], max_length: int, limit: int | None) -> Iterator[list[str]]:
    """Sentences of at most ``max_length`` words from the parts of lines; blank lines give none."""
    sentence: list[str] = []
    lines = 0
    for words, ends_line in parts:
        sentence.extend(words)
        while len(sentence) >= max_length:
            yield sentence[:max_length]
            sentence = sentence[max_length:]
        if ends_line:
            if sentence:
                yield sentence
            sentence = []
            lines += 1
            if limit is not None and lines >= limit:
                return


class _Counted:
    """The sentences of a corpus, checked, and counted as they pass (a
    :class:`~wordvec.encoding.TokenSequences` is handed to wordvec as it is: see :func:`_documents`)."""

    def __init__(self, sentences):
        if isinstance(sentences, (str, bytes)):
            raise ParameterError("the corpus must be an iterable of sentences (lists of keys), not a string: "
                                 "a file is read with corpus_file=")
        self.sentences = sentences
        self.count = 0

    def __iter__(self):
        for sentence in self.sentences:
            self.count += 1
            yield _checked(sentence)


def _documents(sentences):
    """What wordvec encodes for ``sentences``, and a function that counts them once encoded."""
    if isinstance(sentences, TokenSequences):
        return sentences, lambda: len(sentences)
    counted = _Counted(sentences)
    return counted, lambda: counted.count


def _checked(sentence):
    """A sentence as wordvec takes it: a list (or tuple) of keys, or a 1-D array of integers."""
    if isinstance(sentence, (str, bytes)):
        raise ParameterError(f"a sentence must be a list of keys, not a string ({str(sentence)[:30]!r}...): "
                             "gensim would train on its single characters; split it into words first")
    if isinstance(sentence, np.ndarray):
        return sentence if sentence.dtype.kind in "iu" and sentence.ndim == 1 else sentence.tolist()
    return sentence if isinstance(sentence, (list, tuple)) else list(sentence)


def gensim_order(counts: np.ndarray, max_final_vocab: int | None = None) -> np.ndarray:
    """The indices of ``counts`` (words in order of first appearance, or in wordvec's vocabulary
    order, ties by first appearance) as gensim orders and keeps them.

    >>> gensim_order(np.array([1, 3, 1, 2])).tolist()
    [1, 3, 2, 0]
    >>> gensim_order(np.array([1, 3, 1, 2]), max_final_vocab=3).tolist()   # 3 would keep a tie of 1s
    [1, 3]
    """
    order = np.lexsort((-np.arange(counts.shape[0]), -counts))
    if max_final_vocab is not None and max_final_vocab < order.shape[0]:
        order = order[counts[order] >= counts[order[max_final_vocab]] + 1]
    return order


def encode_sentences(sentences, min_count: int, max_final_vocab: int | None = None,
                     threads: int | None = None) -> tuple[Vocabulary, TokenCorpus, int]:
    """The vocabulary gensim's ``build_vocab`` keeps, the corpus as its rows, and the number of sentences.

    Raises :class:`~wordvec.errors.CorpusError` when no key is kept.
    """
    documents, count = _documents(sentences)
    vocab, corpus = encode_documents(documents, num_words=None, min_count=min_count, threads=threads)
    vocab = _aliased(vocab)
    order = gensim_order(vocab.counts[1:], max_final_vocab)
    if order.shape[0] == 0:
        raise CorpusError(f"max_final_vocab={max_final_vocab} keeps no key")
    if np.array_equal(order, np.arange(len(vocab) - 1)):
        return vocab, corpus, count()
    rows = order + 1
    remap = np.zeros(len(vocab), dtype=np.int32)
    remap[rows] = np.arange(1, rows.shape[0] + 1, dtype=np.int32)
    kept = vocab.counts[rows]
    ordered = Vocabulary([UNKNOWN] + [vocab.words[row] for row in rows.tolist()],
                         [int(vocab.counts.sum() - kept.sum())] + kept.tolist())
    return ordered, _remapped(corpus, remap), count()


def encode_with_vocabulary(sentences, vocab: Vocabulary, threads: int | None = None) -> tuple[TokenCorpus, int]:
    """Sentences as the rows of an existing vocabulary (keys outside it dropped, as gensim's
    ``train`` drops them), and the number of sentences."""
    documents, count = _documents(sentences)
    found, corpus = encode_documents(documents, num_words=None, min_count=0, threads=threads)
    found = _aliased(found)
    remap = np.fromiter((vocab.word_to_id.get(word, 0) if row else 0 for row, word in enumerate(found.words)),
                        dtype=np.int32, count=len(found))
    return _remapped(corpus, remap), count()


def sentences_for_update(sentences, known: dict | None) -> Iterator:
    """Sentences for :meth:`wordvec.Word2Vec.update`: a key ``"UNK"`` renamed, and where ``known``
    (key -> vocabulary word) is given, only the keys it holds, as gensim's ``train`` keeps them."""
    for sentence in _Counted(sentences):
        if known is not None:
            yield [known[key] for key in _listed(sentence) if key in known]
        elif not isinstance(sentence, np.ndarray) and UNKNOWN in sentence:
            yield [UNKNOWN_ALIAS if key == UNKNOWN else key for key in sentence]
        else:
            yield sentence


def known_words(vocab: Vocabulary) -> dict:
    """key -> vocabulary word, for :func:`sentences_for_update`."""
    return {key_of(word): word for word in vocab.words[1:]}


def _listed(sentence) -> list:
    return sentence.tolist() if isinstance(sentence, np.ndarray) else sentence


def _aliased(vocab: Vocabulary) -> Vocabulary:
    """``vocab`` with a key ``"UNK"`` of the sentences renamed :data:`UNKNOWN_ALIAS` (row 0 is wordvec's)."""
    row = vocab.word_to_id.get(UNKNOWN, 0)  # the last row of that word: the sentences' own, if any
    if not row:
        return vocab
    words = list(vocab.words)
    words[row] = UNKNOWN_ALIAS
    return Vocabulary(words, vocab.counts)


def _remapped(corpus: TokenCorpus, remap: np.ndarray) -> TokenCorpus:
    remapped = remap_tokens(corpus.tokens, np.diff(corpus.doc_offsets), remap)
    release_free_memory()  # the blocks' buffers: 8 MiB kept through training on 3.2M tokens of walks
    return dataclasses.replace(remapped, raw_word_count=corpus.raw_word_count)
