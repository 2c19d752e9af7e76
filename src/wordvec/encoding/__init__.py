"""Documents or token sequences → vocabulary + int32 token ids (memory-mapped), in one streaming pass.

While reading, each new word gets a provisional id in order of first appearance and every token is
appended as an int32; raw text is never kept. Once the counts are known, one vectorised remap turns
provisional ids into vocabulary rows and drops the words left out.

The package: ``encode`` (:func:`encode_documents`, :func:`encode_files`), ``tokens`` (the Python
token loop), ``pipeline`` (files in blocks, split into words on threads by the compiled kernels),
``tally`` (counts → vocabulary → one remap; :class:`TokenCorpus`), ``sequences`` (token
sequences kept as given: lists, integer arrays, :class:`TokenSequences`), ``spool`` (append-only arrays
spooled to disk), ``memory`` (pages and heap handed back to the operating system).

>>> vocab, corpus = encode_documents(["the tea", "the cup of tea"], num_words=2)
>>> vocab.words
['UNK', 'the', 'tea']
>>> corpus.tokens.tolist(), corpus.doc_offsets.tolist()
([1, 2, 1, 2], [0, 2, 4])
"""

from __future__ import annotations

from .encode import BLOCKS_FROM_BYTES, encode_documents, encode_files
from .labelled import LabelledCorpus, encode_labelled
from .memory import forget_pages, release_free_memory
from .sequences import TokenSequences, encode_sequences
from .tally import TokenCorpus, remap_tokens

__all__ = ["BLOCKS_FROM_BYTES", "LabelledCorpus", "TokenCorpus", "TokenSequences", "encode_documents", "encode_files",
           "encode_sequences",
           "encode_labelled", "forget_pages",
           "release_free_memory", "remap_tokens"]
