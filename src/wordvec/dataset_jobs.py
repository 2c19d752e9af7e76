"""Whole datasets predicted or embedded, streamed: ``wordvec classify predict --out`` and ``wordvec embed``.

:func:`predict_dataset` and :func:`embed_dataset` read any corpus the readers take (files, folders of
Parquet, ...) a batch of records at a time (:func:`~wordvec.readers.records.iter_records`: the text,
and the id column where one is named, else the row's number from 0), predict or embed each batch
(the classifier's list prediction in C on threads; the texts' vectors), and write it at once
(:mod:`wordvec.dataset_outputs`: Parquet, JSON lines or CSV, from the output's suffix), so that what
they hold at a time is a few batches, whatever the corpus's size. The next batch is read while one
is predicted.

Nothing is half-written: the output is written under a temporary name beside it and renamed at the
end. An interrupted job (Ctrl-C, or an error such as a damaged file half-way) keeps the rows it wrote
as ``OUT.partial`` and says so in one line; the same call with ``resume=True`` (``--resume``) copies
those rows, skips as many records of the corpus, and goes on. The output is checked before any work.

>>> import tempfile, pathlib
>>> from wordvec.formats.fasttext_supervised import FastTextSupervised, save_fasttext_supervised
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> save_fasttext_supervised(FastTextSupervised.from_arrays(
...     ["</s>", "good", "bad"], ["__label__pos", "__label__neg"],
...     [[0, 0], [1, 0], [-1, 0]], [[4, 0], [-4, 0]]), folder / "m.bin")
>>> _ = (folder / "reviews.txt").write_text("good tea\\nbad cup\\n")
>>> predict_dataset(folder / "m.bin", [folder / "reviews.txt"], folder / "out.jsonl", progress=False).rows
2
>>> print((folder / "out.jsonl").read_text().splitlines()[1])
{"id": 1, "label": "__label__neg", "probability": 0.982024}
"""

from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

from .batches import prediction_columns
from .classifier import Classifier, load_classifier
from .dataset_outputs import open_writer, output_format, partial_path, rows_in
from .errors import OutputError, ParameterError, TrainingInterrupted, WordvecError
from .formats import is_classifier, load_model, load_vectors
from .outputs import atomic_path, check_writable_file
from .readers.records import RECORDS_PER_BATCH, iter_records, row_total
from .sentence_vectors import SENTENCE_TOKENIZERS
from .threads import resolve_threads
from .vectors import Vectors

__all__ = ["DatasetInterrupted", "DatasetResult", "embed_dataset", "predict_dataset"]


class DatasetInterrupted(TrainingInterrupted):
    """A dataset job stopped by Ctrl-C: the rows written are kept in ``OUT.partial`` (``--resume`` goes on)."""


@dataclass
class DatasetResult:
    """What a dataset job wrote: the output, its rows (``resumed`` of them copied from ``OUT.partial``),
    and the seconds it took."""

    path: Path
    rows: int
    resumed: int
    seconds: float


@dataclass
class _Reading:
    sources: list
    format: str
    text_column: str | None
    id_column: str | None
    batch: int


def predict_dataset(model, corpus: Sequence, out, *, k: int = 1, threshold: float = 0.0, threads: int | None = None,
                    format: str = "auto", text_column: str | None = None, id_column: str | None = None,
                    resume: bool = False, progress: bool = True, batch: int = RECORDS_PER_BATCH) -> DatasetResult:
    """Predict every record of a corpus and write ``id``, ``label``, ``probability`` (and, for ``k`` other
    than 1, ``labels`` and ``probabilities``) to ``out``.

    Parameters
    ----------
    model : path or Classifier
        A classifier directory or a fastText ``.bin`` / ``.ftz``.
    corpus : list of paths
        Files and folders, any layout the readers take (:func:`~wordvec.readers.records.iter_records`).
    out : path
        ``.parquet`` (or ``.pq``), ``.jsonl`` (or ``.ndjson``) or ``.csv``.
    k, threshold : as for :meth:`Classifier.predict <wordvec.classifier.Classifier.predict>`.
    threads : int, optional
        Threads each batch is predicted on (default: every core).
    format, text_column : as for :func:`~wordvec.readers.iter_documents`.
    id_column : str, optional
        A column (CSV, JSON lines, Parquet, Arrow) whose values become ``id``; else rows are numbered from 0.
    resume : bool
        Go on from ``OUT.partial``, which an interrupted run of the same job left.
    progress : bool
        A progress bar on standard error.

    Returns
    -------
    DatasetResult

    Raises
    ------
    DatasetInterrupted
        On Ctrl-C, after the rows written were kept in ``OUT.partial`` (the message says so).
    """
    reading, target = _prepare(corpus, out, "predictions file", resume, format, text_column, id_column, batch)
    if isinstance(k, bool) or not isinstance(k, int) or not (k >= 1 or k == -1):
        raise ParameterError(f"k needs to be 1 or higher, or -1 for every label (got {k!r})")
    threads = resolve_threads(threads)
    clf = model if isinstance(model, Classifier) else load_classifier(model)

    def predicted(texts: list) -> dict:
        label_ids, probabilities, counts = clf.predict_arrays(texts, k=k, threshold=threshold, threads=threads)
        return prediction_columns(label_ids, probabilities, counts, clf.labels_, k)

    names = ["id", "label", "probability"] + (["labels", "probabilities"] if k != 1 else [])
    return _run(reading, target, names, predicted, None, resume, progress, "predicting")


def embed_dataset(model, corpus: Sequence, out, *, tokenizer: str | None = None, format: str = "auto",
                  text_column: str | None = None, id_column: str | None = None, resume: bool = False,
                  progress: bool = True, batch: int = RECORDS_PER_BATCH) -> DatasetResult:
    """Write every record's vector (``id``, ``vector``) to ``out``, as fastText's ``print-sentence-vectors``.

    ``model`` is a classifier (its :meth:`~wordvec.classifier.Classifier.embed`: the mean of the text's
    input rows) or word vectors (a model directory, a vectors file, or a
    :class:`~wordvec.vectors.Vectors`: the mean of the text's words' unit vectors, words outside the
    vocabulary from their n-grams where the vectors have subwords). ``tokenizer`` splits the texts for
    word vectors (:data:`~wordvec.sentence_vectors.SENTENCE_TOKENIZERS`): by default ``words`` for a
    model directory whose corpus was read with wordvec's tokenizer, ``whitespace`` (fastText's) for
    anything else. The other parameters are :func:`predict_dataset`'s.
    """
    reading, target = _prepare(corpus, out, "vectors file", resume, format, text_column, id_column, batch)
    if tokenizer is not None and tokenizer not in SENTENCE_TOKENIZERS:
        raise ParameterError.out_of_range("tokenizer", tokenizer, " or ".join(SENTENCE_TOKENIZERS))
    embed, dim = _embedder(model, tokenizer)
    return _run(reading, target, ["id", "vector"], lambda texts: {"vector": embed(texts)}, dim, resume, progress,
                "embedding")


def _embedder(model, tokenizer: str | None) -> tuple[Callable, int]:
    """What gives a list of texts' vectors, and their dimension."""
    if isinstance(model, Classifier) or (not isinstance(model, Vectors) and is_classifier(model)):
        clf = model if isinstance(model, Classifier) else load_classifier(model)
        if tokenizer is not None:
            raise ParameterError("a classifier splits its texts as fastText does: leave out the tokenizer")
        return clf.embed, clf.model_.args["dim"]
    if isinstance(model, Vectors):
        vectors = model
    elif Path(model).is_dir():
        saved = load_model(model, mmap=True)
        vectors = saved.vectors
        read_with = ((saved.info or {}).get("reading") or {}).get("tokenizer", "words")
        tokenizer = tokenizer or ("words" if read_with == "words" else "whitespace")
    else:
        vectors = load_vectors(model)
    tokenizer = tokenizer or "whitespace"
    return (lambda texts: vectors.embed(texts, tokenizer)), vectors.dim


def _prepare(corpus, out, what: str, resume: bool, format: str, text_column, id_column, batch: int):
    """The checks before any work: the output's format and place, the corpus given, ``OUT.partial``."""
    if isinstance(corpus, (str, Path)):
        corpus = [corpus]
    sources = [Path(p) for p in corpus]
    if not sources:
        raise ParameterError("give the corpus to read (files or folders)")
    output_format(out)
    target = check_writable_file(out, what, inputs=sources)
    check_writable_file(partial_path(target), f"partial {what}", inputs=sources)
    if resume and not partial_path(target).is_file():
        raise ParameterError(f"nothing to resume: {partial_path(target)} does not exist (an interrupted run "
                             "leaves it)")
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ParameterError.out_of_range("batch", batch, "an integer of at least 1")
    return _Reading(sources, format, text_column, id_column, batch), target


def _run(reading: _Reading, target: Path, names: list, compute: Callable, dim, resume: bool, progress: bool,
         doing: str) -> DatasetResult:
    """Read, compute and write batch by batch to a temporary file; renamed to ``target`` at the end,
    kept as ``OUT.partial`` if anything stops the job after rows were written."""
    started, partial = time.perf_counter(), partial_path(target)
    with atomic_path(target, suffix=target.suffix, what="output file") as temporary:
        writer = open_writer(temporary, names, dim, output_format(target))
        resumed, copied, bar = 0, not resume, None
        try:
            resumed, copied = (writer.copy_from(partial), True) if resume else (0, True)
            bar = _bar(progress, row_total(reading.sources) if progress else None, resumed, doing)
            records = iter_records(reading.sources, reading.format, reading.text_column, reading.id_column,
                                   skip=resumed, batch=reading.batch)
            with contextlib.closing(_prefetched(records)) as parts:
                for part in parts:
                    ids = list(part.ids) if part.ids is not None else range(writer.rows, writer.rows + len(part.texts))
                    writer.write({"id": ids, **compute(part.texts)})
                    bar.update(len(part.texts))
            writer.close()
        except BaseException as err:  # an OUT.partial of a resumed run is replaced only once copied whole
            kept = _keep_partial(writer, temporary, target, partial) if copied else None
            replacement = _stopped(err, writer.rows, kept)
            if replacement is err:
                raise
            raise replacement from None
        finally:
            if bar is not None:
                bar.close()
    partial.unlink(missing_ok=True)
    return DatasetResult(target, writer.rows, resumed, time.perf_counter() - started)


class _NoBar:
    """What stands for the progress bar when there is none (tqdm is then not even imported)."""

    def update(self, rows: int) -> None:
        pass

    def close(self) -> None:
        pass


def _bar(progress: bool, total: int | None, done: int, doing: str):
    if not progress:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=done, unit="row", unit_scale=True, desc=doing, file=sys.stderr,
                dynamic_ncols=True, mininterval=0.5)


def _keep_partial(writer, temporary: Path, target: Path, partial: Path) -> Path | None:
    """Close what was written, cut it after its last whole batch and keep it as ``OUT.partial``
    (None: no row to keep, or the output is a device or FIFO written in place)."""
    try:
        writer.keep_whole_rows()
        writer.close()
    except Exception:  # what cannot be closed cleanly is not worth keeping
        return None
    if writer.rows == 0 or os.path.realpath(temporary) == os.path.realpath(target):
        return None
    os.replace(temporary, partial)
    return partial


def _stopped(err: BaseException, rows: int, kept: Path | None) -> BaseException:
    """The error to raise: the one that stopped the job, its message saying what was kept and how to go on."""
    if kept is None:
        return err
    note = f"the {rows:,} rows written are kept in {kept}; the same command with --resume goes on from there"
    if isinstance(err, KeyboardInterrupt):
        return DatasetInterrupted(f"interrupted: {note}")
    if isinstance(err, WordvecError):
        try:
            return type(err)(f"{err}; {note}")
        except TypeError:
            return WordvecError(f"{err}; {note}")
    if isinstance(err, OSError):
        return OutputError(f"{err.strerror or err}; {note}")
    err.add_note(note)
    return err


def _prefetched(batches: Iterator, depth: int = 2) -> Iterator:
    """``batches``, the next ones read on a thread of their own while the caller works on one."""
    handed: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def read() -> None:
        try:
            for part in batches:
                while not stop.is_set():
                    try:
                        handed.put((part, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    break
            handed.put((end, None))
        except BaseException as err:  # handed to the caller, raised there
            handed.put((end, err))
        finally:
            getattr(batches, "close", lambda: None)()

    reader = threading.Thread(target=read, name="wordvec-reader", daemon=True)
    reader.start()
    try:
        while True:
            part, err = handed.get()
            if err is not None:
                raise err
            if part is end:
                return
            yield part
    finally:
        stop.set()
        while reader.is_alive():
            try:
                handed.get_nowait()
            except queue.Empty:
                reader.join(0.05)
