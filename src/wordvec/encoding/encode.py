"""Documents → vocabulary + a compact int32 array of token ids, in one streaming pass.

:func:`encode_documents` takes any iterable of texts (or of token lists) and runs the Python token
loop; given the documents of :func:`~wordvec.readers.iter_documents`, not yet started, and enough
text to pay for it (:data:`BLOCKS_FROM_BYTES`), it reads the files in blocks instead
(:func:`encode_files`, the block pipeline), with the same result.

>>> vocab, corpus = encode_documents(["the tea", "the cup of tea"], num_words=2)
>>> vocab.words
['UNK', 'the', 'tea']
>>> corpus.tokens.tolist(), corpus.doc_offsets.tolist()
([1, 2, 1, 2], [0, 2, 4])
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Iterable

from ..threads import resolve_threads
from ..errors import CorpusError
from ..kernels.text import fold_table
from ..readers import Reading, is_compressed, unstarted_reading
from ..vocab import Vocabulary
from .memory import release_free_memory
from .sequences import TokenSequences, encode_sequences, is_token_sequence
from .pipeline import Numbering, jobs_of, parts_in_order
from .tally import Tally, TokenCorpus, words_by_number
from .tokens import number_words

#: Freed memory is handed back to the system every this many parts read.
_TRIM_EVERY = 8
#: :func:`encode_documents` reads in blocks from this much text (compressed files counted three
#: times their size): below it, loading the compiled kernels (about half a second) takes longer
#: than reading in Python.
BLOCKS_FROM_BYTES = 8 << 20


def encode_documents(documents: Iterable, num_words: int | None = 20000, min_count: int = 1,
                     progress=None, threads: int | None = None) -> tuple[Vocabulary, TokenCorpus]:
    """Tokenize documents, build the vocabulary and the token-id array in one pass.

    Parameters
    ----------
    documents : iterable of str, or token sequences
        Texts, tokenized here; Documents from :func:`~wordvec.readers.iter_documents`, not yet
        started, are read by :func:`encode_files` instead (same result, faster). Token sequences
        (lists, tuples or integer arrays of tokens, or a
        :class:`~wordvec.encoding.sequences.TokenSequences`) are kept as given
        (:func:`~wordvec.encoding.sequences.encode_sequences`).
    num_words : int or None, default=20000
        Keep at most this many words (the most frequent).
    min_count : int, default=1
        Keep only words seen at least this often.
    progress : callable(n_words) or None
        Called as words are read, with the number of words read since the last call.
    threads : int or None, default=None
        Threads that :func:`encode_files` reads with (None: every core); unused otherwise.

    Examples
    --------
    >>> vocab, corpus = encode_documents(["a b a", "c"], num_words=None)
    >>> vocab.words, corpus.tokens.tolist()
    (['UNK', 'a', 'b', 'c'], [1, 2, 1, 3])
    """
    reading = unstarted_reading(documents)
    if reading is not None and _blocks_pay(reading):
        return encode_files(*documents.take()[:4], num_words=num_words, min_count=min_count,
                            threads=threads, progress=progress)
    if isinstance(documents, TokenSequences):
        return encode_sequences(documents, num_words, min_count, progress)
    documents = iter(documents)
    first = next(documents, None)
    documents = itertools.chain(() if first is None else [first], documents)
    if first is not None and is_token_sequence(first):
        return encode_sequences(documents, num_words, min_count, progress)
    first_seen: dict[str, int] = {}
    tally = Tally()
    for document in documents:
        length = number_words(document, first_seen, tally.ids)
        if not length:
            continue
        tally.lengths.extend([length])
        if progress is not None:
            progress(length)
    tally.name_words(len(first_seen), words_by_number(list(first_seen)))
    del first_seen
    return tally.encode(num_words, min_count)


def encode_files(sources, format: str = "auto", text_column: str | None = None, include_summary: bool = False,
                 num_words: int | None = 20000, min_count: int = 1, threads: int | None = None,
                 progress=None) -> tuple[Vocabulary, TokenCorpus]:
    """Read files and encode them: ``encode_documents(iter_documents(...))``, faster.

    Text and SNAP files are decompressed in blocks of whole lines; the lines of each block are
    split into words by a compiled kernel, on ``threads`` threads at once (documents with bytes
    outside ASCII are cleaned in Python first, exactly as the reader cleans them). The other layouts
    are read document by document. The vocabulary (words, counts, order), the token ids, the
    document boundaries and the raw word count are those of :func:`encode_documents` on
    ``iter_documents(sources, format, text_column, include_summary)``.

    Parameters
    ----------
    sources, format, text_column, include_summary
        As :func:`~wordvec.readers.iter_documents` takes them.
    num_words, min_count, progress
        As :func:`encode_documents` takes them.
    threads : int or None, default=None
        Threads that split words at once (None: every core).

    Raises
    ------
    CorpusError
        As :func:`~wordvec.readers.iter_documents` raises it (naming the file), or the corpus has no
        words (or none seen ``min_count`` times).

    Examples
    --------
    >>> from wordvec.readers import default_corpus
    >>> vocab, corpus = encode_files(default_corpus()[0], num_words=100)
    >>> vocab.words[:4], corpus.n_documents
    (['UNK', 'the', 'i', 'and'], 1000)
    """
    if isinstance(sources, (str, Path)):
        sources = [sources]
    reading = Reading(list(sources), format, text_column, include_summary)
    numbering = Numbering(fold_table())
    tally = Tally()
    for count, part in enumerate(parts_in_order(jobs_of(reading, numbering.fold), resolve_threads(threads)), 1):
        tally.ids.extend(numbering.numbers(part))
        tally.lengths.extend(part.lengths)
        if progress is not None and part.ids.shape[0]:
            progress(int(part.ids.shape[0]))
        if count % _TRIM_EVERY == 0:
            release_free_memory()  # the encoding threads' freed blocks, which glibc keeps otherwise
    release_free_memory()
    tally.name_words(int(numbering.total.sizes[0]), numbering.total.words)
    del numbering
    return tally.encode(num_words, min_count)


def _blocks_pay(reading: Reading) -> bool:
    """Whether reading in blocks is worth it: enough text (:data:`BLOCKS_FROM_BYTES`) to pay for the kernels."""
    try:
        files = reading.files()
        if not all(path.is_file() for path in files):
            return False  # a pipe (``<(zcat x.gz)``, a FIFO) or a device: no size to go by, and read once
        size = sum(path.stat().st_size * (3 if is_compressed(path) else 1) for path in files)
    except (OSError, CorpusError):
        return False  # reading the documents one by one reports it
    return size >= BLOCKS_FROM_BYTES
