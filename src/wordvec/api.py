"""One call per job: what the command line does, as Python functions.

Each function checks that it can write its output before it reads or trains
anything, and the module offers the lists of choices the command line shows
(:data:`FORMATS`, :data:`MODELS`, :func:`engines`, :data:`EXPORT_FORMATS`,
:data:`EVALUATION_METHODS`, :func:`datasets`, :func:`training_defaults`,
:func:`training_parameters`).

>>> import tempfile
>>> result = train(out=tempfile.mkdtemp() + "/model", dim=16, epochs=1, progress=False)
>>> len(result.vectors) > 1000
True
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .outputs import check_writable_directory, check_writable_file, make_folders, remove_folders
from .readers import FORMATS, TOKENIZERS, default_corpus, iter_documents
from .engines import engine_names, get_engine
from .errors import CorpusError, ModelFormatError, OutputError, ParameterError, TrainingInterrupted
from .kernels import backend  # noqa: F401  (wordvec --version names it)
from .evaluate import METHODS as EVALUATION_METHODS
from .formats import (DIRECTORY_EXPORTS, EXPORT_FORMATS, export_vectors, foreign_to_model, foreign_to_projector,
                      is_classifier, load_model, load_vectors)
from .model import Checkpoint, Word2Vec
from .params import CLASSIFIER_PARAMETERS, MODELS, Parameter, cli_parameters, defaults
from .classifier import load_classifier
from .classifier_autotune import AutotuneResult, autotune_classifier
from .classifier_jobs import (CLASSIFIER_EXPORTS, ClassifierResult, export_classifier, format_test, predict_file,
                              quantize_classifier, score_classifier, train_classifier)
from .dataset_jobs import DatasetResult, embed_dataset, predict_dataset
from .sentence_vectors import SENTENCE_TOKENIZERS
from .phrases import PhraseModel
from .text import tokenize
from .vectors import Vectors

__all__ = ["AutotuneResult", "CHECKPOINT", "CLASSIFIER_EXPORTS", "ClassifierResult", "DatasetResult",
           "EVALUATION_METHODS", "EXPORT_FORMATS", "FORMATS", "MODELS", "Neighbours", "SENTENCE_TOKENIZERS",
           "TrainResult", "autotune_classifier", "classifier_parameters", "datasets", "download", "embed_dataset",
           "engines", "evaluate", "explore", "export", "export_classifier", "format_test", "learn_phrases", "plot",
           "predict_dataset", "predict_file", "quantize_classifier", "resolve_sources", "resume", "score_classifier",
           "similar", "train", "train_classifier", "training_defaults", "training_parameters"]

#: The sub-directory of a model directory where checkpoints are kept.
CHECKPOINT = "checkpoint"


def engines() -> dict[str, str]:
    """Every registered engine: ``{name: one-line description}``."""
    return {name: get_engine(name).description for name in engine_names()}


def training_defaults() -> dict:
    """The default of every training parameter (``Word2Vec``'s, from :mod:`wordvec.params`)."""
    return defaults()


def training_parameters() -> list[Parameter]:
    """Every training parameter (:mod:`wordvec.params`: flag, default, help), in the order
    ``wordvec train --help`` lists them."""
    return cli_parameters()


def classifier_parameters() -> list[Parameter]:
    """The text classifier's parameters (``wordvec classify train``'s options), with their defaults."""
    return list(CLASSIFIER_PARAMETERS)


def datasets() -> list[str]:
    """Names of the datasets :func:`download` can fetch."""
    from .download import DATASETS

    return sorted(DATASETS)


@dataclass
class TrainResult:
    """What :func:`train` produced."""

    vectors: Vectors
    out: Path | None
    epoch_losses: list
    words_per_second: float | None
    corpus: list


def resolve_sources(corpus: Sequence[str] | None, progress: bool = True) -> list[Path]:
    """Paths to read: the given files and folders, a dataset name (fetched into the cache
    if needed), or the embedded review sample when nothing is given."""
    if not corpus:
        return default_corpus()
    sources = []
    for item in corpus:
        path = Path(item)
        if not path.exists():
            from .download import DATASETS, fetch

            if item in DATASETS:
                path = fetch(item, progress=progress)
        sources.append(path)
    return sources


def _given_inputs(corpus: Sequence[str] | None) -> list[Path]:
    """The corpus paths given that exist (the embedded sample when none): what no output may overlap."""
    if not corpus:
        return default_corpus()
    return [Path(item) for item in corpus if os.path.lexists(item)]


def refuse_pipes(sources, why: str) -> None:
    """Raise :class:`CorpusError` if a source is a pipe or another stream that can be read
    only once (``<(zcat x.gz)``, a FIFO), since ``why`` needs it more than once.

    >>> import os, tempfile
    >>> fifo = os.path.join(tempfile.mkdtemp(), "reviews")
    >>> os.mkfifo(fifo)                       # what <(zcat x.gz) or /dev/stdin from a pipe is
    >>> refuse_pipes([fifo], "x reads the corpus twice")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    wordvec.errors.CorpusError: .../reviews is a pipe, which can be read only once, but x reads the corpus twice; ...
    """
    for source in sources:
        try:
            mode = os.stat(source).st_mode
        except OSError:
            continue  # the reader names what is missing
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise CorpusError(f"{source} is a pipe, which can be read only once, but {why}; "
                              "save it to a file first")


def learn_phrases(corpus: Sequence[str] | None = None, *, format: str = "auto", text_column: str | None = None,
                  include_summary: bool = False, passes: int = 1, min_count: int = 5,
                  threshold: float = 10.0, out=None) -> PhraseModel:
    """Learn frequent collocations from a corpus (streamed once per pass).

    With ``out``, every phrase and its score are written there as TSV
    (``phrase<TAB>score``, best first).
    """
    model = PhraseModel(passes=passes, min_count=min_count, threshold=threshold)
    if out is not None:
        check_writable_file(out, "phrase file", inputs=_given_inputs(corpus))
    sources = resolve_sources(corpus)
    if passes > 1:
        refuse_pipes(sources, f"learning phrases in {passes} passes reads the corpus {passes} times")

    def sentences():
        for text in iter_documents(sources, format=format, text_column=text_column,
                                   include_summary=include_summary):
            yield tokenize(text)

    model.fit(sentences)
    if out is not None:
        model.save_tsv(out)
    return model


def train(corpus: Sequence[str] | None = None, out=None, *, format: str = "auto", text_column: str | None = None,
          include_summary: bool = False, progress: bool = True, phrases: int = 0,
          checkpoint_every: int | None = None, tokenizer: str = "words", **params) -> TrainResult:
    """Read a corpus, train vectors and (if ``out`` is given) save the model directory.

    Parameters
    ----------
    corpus : list of str, optional
        Files, folders or dataset names; the embedded review sample if omitted.
    out : path, optional
        Model directory to write; checked before anything is read.
    format : str, default="auto"
        One of :data:`FORMATS`.
    phrases : int, default=0
        Join frequent collocations first, in this many passes (0: none).
    tokenizer : {"words", "whitespace"}, default="words"
        ``whitespace``: tokens are what lies between whitespace, kept as they are (graph walks, item
        sessions, text already tokenized); see :data:`~wordvec.readers.TOKENIZERS`.
    checkpoint_every : int, optional
        Save a checkpoint in ``out/checkpoint`` every N epochs (and on Ctrl-C);
        :func:`resume` finishes an interrupted run from it.
    **params
        :class:`~wordvec.model.Word2Vec` parameters (engine, dim, window, epochs, ...);
        see :func:`training_defaults`.
    """
    model = Word2Vec(progress=progress, **params)
    model.check_parameters()
    _check_training_options(phrases, checkpoint_every, tokenizer)
    if out is not None:
        check_writable_directory(out, "model directory", inputs=_given_inputs(corpus), foreign=foreign_to_model)
    callbacks = []
    reading = {"format": format, "text_column": text_column, "include_summary": include_summary,
               "phrases": phrases, "tokenizer": tokenizer}
    if checkpoint_every is not None:
        if out is None:
            raise ParameterError("checkpoints need an output directory (--out)")
        callbacks.append(Checkpoint(Path(out) / CHECKPOINT, every=checkpoint_every))
    sources = resolve_sources(corpus, progress=progress)
    reading["corpus"] = [str(s) for s in sources]
    for callback in callbacks:
        callback.extra_info = {"reading": reading}
    documents, phrase_info = _documents(reading)
    with _resume_hint(out):
        model.fit(documents, callbacks=callbacks)
    return _finish(model, out, reading, phrase_info)


def _check_training_options(phrases, checkpoint_every, tokenizer: str = "words") -> None:
    """The options of :func:`train` that are not the estimator's, checked before any work."""
    if tokenizer not in TOKENIZERS:
        raise ParameterError.out_of_range("tokenizer", tokenizer, " or ".join(TOKENIZERS))
    if phrases and tokenizer != "words":
        raise ParameterError("--phrases joins words of the words tokenizer; it cannot be combined with "
                             f"--tokenizer {tokenizer}")
    if phrases is not None and (isinstance(phrases, bool) or phrases not in (0, 1, 2)):
        raise ParameterError.out_of_range("phrases", phrases, "0, 1 or 2 passes")
    if checkpoint_every is not None and (isinstance(checkpoint_every, bool) or not isinstance(checkpoint_every, int)
                                         or checkpoint_every < 1):
        raise ParameterError.out_of_range("checkpoint_every", checkpoint_every, "an integer of at least 1")


def resume(out, *, progress: bool = True, threads: int | None = None) -> TrainResult:
    """Finish an interrupted ``train(..., checkpoint_every=N)`` from ``out/checkpoint``.

    The corpus is read again with the same options; training goes on from the
    last finished epoch with the checkpoint's weights, and the final model
    replaces ``out`` (the checkpoint with it).
    """
    checkpoint = Path(out) / CHECKPOINT
    try:
        saved_info = load_model(checkpoint, mmap=True).info
    except ModelFormatError as err:
        what = "cannot resume" if (checkpoint / "model.json").exists() else "no checkpoint to resume in"
        raise ModelFormatError(f"{what} {out}: {err}") from None
    reading = _checkpoint_reading(checkpoint, saved_info.get("reading"))
    check_writable_directory(out, "model directory", inputs=reading["corpus"], foreign=foreign_to_model)
    overrides = {"progress": progress} if threads is None else {"progress": progress, "threads": threads}
    model = Word2Vec.load(checkpoint, **overrides)
    if len(model.epoch_losses_) > model.epochs:
        raise ModelFormatError(f"{checkpoint}: it records {len(model.epoch_losses_)} epochs done, more than "
                               f"the {model.epochs} of its run")
    documents, phrase_info = _documents(reading)
    with _resume_hint(out):
        model.resume(documents, callbacks=[Checkpoint(checkpoint, every=1, extra_info={"reading": reading})])
    return _finish(model, out, reading, phrase_info)


#: What a checkpoint records of how its corpus was read: key -> (test, what the value must be).
_READING_SCHEMA = {
    "corpus": (lambda v: isinstance(v, list) and v and all(isinstance(p, str) and p for p in v),
               "a list of paths"),
    "format": (lambda v: v in FORMATS, " or ".join(FORMATS)),
    "text_column": (lambda v: v is None or isinstance(v, str), "a string or null"),
    "include_summary": (lambda v: isinstance(v, bool), "true or false"),
    "phrases": (lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 2, "0, 1 or 2"),
}


def _checkpoint_reading(checkpoint: Path, reading) -> dict:
    """How the checkpoint's corpus was read (its ``info.reading``), checked against :data:`_READING_SCHEMA`."""
    if not reading:
        raise CorpusError(f"{checkpoint} does not say which corpus it was trained on")
    where = f"{checkpoint / 'model.json'}: info.reading"
    if not isinstance(reading, dict):
        raise ModelFormatError(f"{where} must be an object, not {type(reading).__name__}")
    for key, (test, what) in _READING_SCHEMA.items():
        if key not in reading:
            raise ModelFormatError(f"{where} has no {key!r}")
        if not test(reading[key]):
            raise ModelFormatError(f"{where}.{key} must be {what}, not {repr(reading[key])[:40]}")
    return {key: reading[key] for key in _READING_SCHEMA}


def _documents(reading: dict):
    """The documents a run reads (phrases joined when asked for), and what phrases were found."""
    options = dict(format=reading["format"], text_column=reading["text_column"],
                   include_summary=reading["include_summary"])
    documents = iter_documents(reading["corpus"], tokenizer=reading.get("tokenizer", "words"), **options)
    if not reading.get("phrases"):
        return documents, None
    refuse_pipes(reading["corpus"], f"--phrases {reading['phrases']} reads the corpus {reading['phrases'] + 1} times")
    phrase_model = learn_phrases(reading["corpus"], passes=reading["phrases"], **options)
    phrase_info = {"passes": reading["phrases"], "min_count": phrase_model.min_count,
                   "threshold": phrase_model.threshold, "found": len(phrase_model.phrases_)}
    return (phrase_model.apply(tokenize(text)) for text in documents), phrase_info


class _resume_hint:
    """Adds how to finish an interrupted run to the message of :class:`TrainingInterrupted`."""

    def __init__(self, out):
        self.out = out

    def __enter__(self):
        return self

    def __exit__(self, kind, err, traceback):
        if kind is TrainingInterrupted:
            raise TrainingInterrupted(f"{err}; finish with: wordvec train --resume {self.out}") from None
        return False


def _finish(model: Word2Vec, out, reading: dict, phrase_info) -> TrainResult:
    if out is not None:
        _save_or_rescue(model, Path(out), {"corpus": reading["corpus"], "reading": reading,
                                           "phrases": phrase_info})
    return TrainResult(model.vectors_, None if out is None else Path(out), model.epoch_losses_,
                       model.words_per_second_, [Path(p) for p in reading["corpus"]])


def _save_or_rescue(model: Word2Vec, out: Path, extra_info: dict) -> None:
    """Save the model in ``out``; if that fails, save it elsewhere and say where."""
    try:
        model.save(out, extra_info)
        return
    except (OSError, OutputError) as err:
        failure = f"could not save the model to {out} ({getattr(err, 'strerror', None) or err})"
    for folder in _rescue_folders():
        rescued = _save_in_new_folder(model, Path(folder), extra_info)
        if rescued is not None:
            raise OutputError(f"{failure}; the trained model was saved to {rescued} instead")
    raise OutputError(f"{failure}, nor anywhere else: the trained model is lost")


def _save_in_new_folder(model: Word2Vec, folder: Path, extra_info: dict) -> Path | None:
    """Save the model in a new ``wordvec-rescued-*`` folder of ``folder``; None (and nothing
    left behind, not even ``folder`` if it was made here) when that fails."""
    try:
        made = make_folders(folder)
    except OSError:
        return None
    box = None
    try:
        box = Path(tempfile.mkdtemp(prefix="wordvec-rescued-", dir=folder))
        return model.save(box / "model", extra_info)
    except (OSError, OutputError):
        if box is not None:
            shutil.rmtree(box, ignore_errors=True)
        remove_folders(made)
        return None


def _rescue_folders() -> list[str]:
    from platformdirs import user_cache_dir

    return [user_cache_dir("wordvec"), tempfile.gettempdir(), str(Path.home())]


def _vectors(model, limit: int | None = None) -> Vectors:
    if is_classifier(model):  # a classifier's word vectors: the input rows of its words
        return load_classifier(model).word_vectors(limit)
    if limit is None:
        return load_vectors(model, mmap=True)
    return load_vectors(model, mmap=True, limit=limit)


class Neighbours(dict):
    """``{word: [(neighbour, cosine), ...]}``; ``built`` lists the query words that are
    not in the vocabulary and whose vectors were built from their subwords."""

    built: frozenset = frozenset()
    labels: frozenset = frozenset()


def similar(model_dir, words: Sequence[str], n: int = 5, *, limit: int | None = None) -> Neighbours:
    """Neighbours of each word: ``{word: [(neighbour, cosine), ...]}``.

    ``model_dir`` is a model directory, a vectors file (first ``limit`` rows if
    given) or a classifier (its words' input rows; a label's words are those of
    largest dot product with the label's output row, and the label is in ``.labels``). With subword vectors a word outside the vocabulary is answered from
    its n-grams (it is then in ``.built``); neighbours are always vocabulary words.
    """
    if is_classifier(model_dir):
        return _classifier_neighbours(load_classifier(model_dir), words, n, limit)
    vectors = _vectors(model_dir, limit)
    result = Neighbours((word, vectors.most_similar(word, n=n)) for word in words)
    result.built = frozenset(w for w in words if w not in vectors)
    return result


def _classifier_neighbours(clf, words: Sequence[str], n: int, limit: int | None) -> Neighbours:
    """A classifier's neighbours: a word's nearest words (cosine of input rows); a label's words
    (the largest dot products with its output row), marked in ``.labels``."""
    vectors = clf.word_vectors(limit)
    result = Neighbours((word, clf.label_words(word, n) if word in clf.labels_ else vectors.most_similar(word, n=n))
                        for word in words)
    result.labels = frozenset(w for w in words if w in clf.labels_)
    return result


def export(model_dir, out, format: str = "word2vec") -> Path:
    """Export a model's vectors in one of :data:`EXPORT_FORMATS` (``fasttext``, a ``.bin``
    with the model's settings and output weights, needs a model with subwords)."""
    if format not in EXPORT_FORMATS:
        raise ParameterError(f"unknown export format {format!r}: choose one of {', '.join(EXPORT_FORMATS)}")
    if format in DIRECTORY_EXPORTS:
        check_writable_directory(out, f"{format} directory", inputs=[model_dir], foreign=foreign_to_projector)
    else:
        check_writable_file(out, "export file", inputs=[model_dir])
    if Path(model_dir).is_dir():
        saved = load_model(model_dir, mmap=True)
        export_vectors(saved.vectors, out, format, params=saved.params, output_weights=saved.output_weights)
    else:
        export_vectors(_vectors(model_dir), out, format)
    return Path(out)


def plot(model_dir, out=None, *, html=None, top: int = 500, perplexity: float = 30.0, seed: int = 1,
         limit: int | None = None) -> list[Path]:
    """Draw the t-SNE map of the ``top`` most frequent words as an image (``out``: .png or
    .svg) and/or a self-contained interactive page (``html``); returns the paths written."""
    from .plot import check_map_parameters, image_format, plot_map

    if not out and not html:
        raise ParameterError("plot needs an image to write (.png or .svg) and/or an HTML file")
    check_map_parameters(top, perplexity, seed)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 2):
        raise ParameterError.out_of_range("limit", limit, "an integer of at least 2 (a map needs 2 words)")
    if out:
        image_format(Path(out))
        check_writable_file(out, "image", inputs=[model_dir])
    if html:
        check_writable_file(html, "HTML map", inputs=[model_dir])
    if out and html and os.path.realpath(out) == os.path.realpath(html):
        raise ParameterError(f"the image and the HTML map are the same file ({out}); give two names")
    vectors = _vectors(model_dir, limit)
    check_map_parameters(top, perplexity, seed, vectors)
    written = []
    if out:
        written.append(plot_map(vectors, out, top=top, perplexity=perplexity, seed=seed))
    if html:
        from .explore import write_html_map

        written.append(write_html_map(vectors, html, top=top, perplexity=perplexity, seed=seed, progress=True))
    return written


def evaluate(model_dir, *, similarity=None, analogies=None, restrict_vocab: int | None = 300000,
             method: str = "3cosadd", limit: int | None = None, all_pairs: bool = False) -> dict:
    """Score a model (directory or vectors file) on word-pair and analogy sets;
    the sets shipped with wordvec when none are given. ``all_pairs`` scores every
    pair of a model with subwords, building unknown words from their n-grams."""
    from .evaluate import evaluate as run_evaluation

    vectors = _vectors(model_dir, limit)
    if all_pairs and not callable(getattr(vectors, "vector_for_unknown", None)):
        raise ParameterError("--all-pairs needs a model with subword vectors (wordvec train --subwords, "
                             "or a fastText .bin)")
    return run_evaluation(vectors, similarity=similarity, analogies=analogies, restrict_vocab=restrict_vocab,
                          method=method, all_pairs=all_pairs)


def explore(model_dir, *, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
            top: int = 2000, limit: int | None = None) -> int:
    """Serve the explorer page for a model (directory or vectors file, its first ``limit``
    words if given) until interrupted; returns 0."""
    from .explore import serve

    return serve(model_dir, host=host, port=port, open_browser=open_browser, top=top, limit=limit)


def download(name: str, *, cache_dir=None, url: str | None = None, progress: bool = True) -> Path:
    """Fetch a dataset (see :func:`datasets`) into the cache; returns its path."""
    from .download import fetch

    return fetch(name, cache_dir=cache_dir, url=url, progress=progress)
