"""Reading training text, in every layout a corpus comes in, recognised from the content.

The only code that opens training input. Layouts (:data:`FORMATS`, the choices of
``wordvec train --format``):

- ``snap``: the SNAP ``finefoods.txt`` dump (``review/summary:`` and ``review/text:`` lines);
- ``csv``: CSV with a header and a text column (Kaggle's ``Reviews.csv``);
- ``text``: plain text, one document per line;
- ``jsonl``: JSON lines, one object per line, the text in one of its fields;
- ``parquet``: Parquet files, as pandas, Spark and Dask write them;
- ``arrow``: Arrow IPC files (Feather v2) and IPC streams (Hugging Face ``datasets.save_to_disk``).

The text layouts may be compressed with gzip, bzip2, xz or zstd, recognised by their magic bytes
whatever the file is called (zstd needs ``pip install "wordvec[zstd]"``). Parquet and Arrow need
``pip install "wordvec[parquet]"`` (pyarrow); they are read one record batch at a time, only the
text (and summary) columns, never the whole table. In CSV, JSON lines, Parquet and Arrow the text
column is the one named by ``text_column``, compared without case, or else the first of ``Text``,
``Review``, ``ReviewText``, ``Review_Text``, ``Body``, ``Content``. A folder is read file by file in
sorted order, skipping hidden files and the side files that Hugging Face ``datasets``, Spark, Dask
and Hadoop write beside their data (:data:`SIDE_FILES`, names starting with ``_committed_`` or
``_started_``, and ``*.crc``).

Every reader streams: it yields one cleaned document (review) at a time and never holds the whole
text. Bytes that are not UTF-8 are repaired (read as Windows-1252, the bytes it leaves undefined as
Latin-1), never fatal. No line is ever held whole: a line of a text or SNAP file longer than
:data:`MAX_LINE_BYTES` (1 MiB) is read as several documents (:mod:`~wordvec.readers.lines`), and a
JSON line or CSV record longer than :data:`MAX_RECORD_BYTES` (16 MiB) is refused with one line
naming the file and line. Each file is opened once (:mod:`~wordvec.readers.sources`), so a pipe
(``wordvec train <(zcat x.gz)``, a FIFO) gives the same documents as the file; Parquet and Arrow are
read from regular files only. A file that is none of the layouts is refused, with one line naming
it and what it looks like (the rule: :mod:`~wordvec.readers.sniffing`).

The package, one module per concern: ``compression`` (decompression by magic bytes, shared with
the vectors files' readers), ``sniffing`` (what a file looks like), ``sources`` (a file opened once),
``lines`` (long lines cut), ``plain``, ``snap``, ``tables`` (CSV, JSON lines), ``columnar``
(Parquet, Arrow), ``folders``, ``files`` (a file opened and read by its layout's reader),
``blocks`` (text and SNAP in blocks of lines, for the encoder), ``documents`` (:func:`iter_documents`),
``limits`` (every bound on what is held at once).

>>> docs = list(iter_documents([default_corpus()[0]]))
>>> len(docs)
1000
>>> docs[0][:40]
'I have bought several of the Vitality ca'
>>> detect_format(default_corpus()[1])
'csv'
"""

from __future__ import annotations

from .blocks import BLOCK_LAYOUTS, hard_documents
from .compression import is_compressed
from .documents import TOKENIZERS, Documents, Reading, iter_documents, unstarted_reading
from .files import DocumentCount, OpenFile, detect_format, errors_named, open_file
from .folders import SIDE_FILES, default_corpus
from .labelled import iter_labelled, labelled_lines
from .limits import BLOCK_BYTES, MAX_LINE_BYTES, MAX_RECORD_BYTES
from .sniffing import FORMATS

__all__ = ["TOKENIZERS", "BLOCK_BYTES", "BLOCK_LAYOUTS", "DocumentCount", "Documents", "FORMATS", "MAX_LINE_BYTES",
           "MAX_RECORD_BYTES", "OpenFile", "Reading", "SIDE_FILES", "default_corpus", "detect_format",
           "errors_named", "hard_documents", "is_compressed", "iter_documents", "iter_labelled", "labelled_lines",
           "open_file",
           "unstarted_reading"]
