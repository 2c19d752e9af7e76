"""One call per job: what the command line does, as Python functions.

>>> import tempfile
>>> result = train(out=tempfile.mkdtemp() + "/model", dim=16, epochs=1, progress=False)
>>> len(result.vectors) > 1000
True
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from .corpus import default_corpus, iter_documents
from .errors import CorpusError, ModelFormatError, ParameterError, TrainingInterrupted
from .io import export_vectors, load_model, save_model
from .model import Checkpoint, Word2Vec
from .phrases import PhraseModel
from .text import tokenize
from .vectors import Vectors

ENGINES = ("native", "keras")
CHECKPOINT = "checkpoint"


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


def learn_phrases(corpus: Sequence[str] | None = None, *, format: str = "auto", text_column: str | None = None,
                  include_summary: bool = False, passes: int = 1, min_count: int = 5,
                  threshold: float = 10.0) -> PhraseModel:
    """Learn frequent collocations from a corpus (streamed once per pass)."""
    sources = resolve_sources(corpus)

    def sentences():
        for text in iter_documents(sources, format=format, text_column=text_column,
                                   include_summary=include_summary):
            yield tokenize(text)

    return PhraseModel(passes=passes, min_count=min_count, threshold=threshold).fit(sentences)


def train(corpus: Sequence[str] | None = None, out=None, *, format: str = "auto", text_column: str | None = None,
          include_summary: bool = False, engine: str = "native", progress: bool = True,
          steps_per_epoch: int | None = None, negative_samples: float = 1.0, phrases: int = 0,
          checkpoint_every: int | None = None, **params) -> TrainResult:
    """Read a corpus, train vectors and (if ``out`` is given) save the model directory.

    Parameters
    ----------
    corpus : list of str, optional
        Files, folders or dataset names; the embedded review sample if omitted.
    out : path, optional
        Model directory to write.
    engine : {"native", "keras"}, default="native"
        ``keras`` trains the tutorial's Keras model (needs ``wordvec[keras]``).
    phrases : int, default=0
        Join frequent collocations first, in this many passes (0: none).
    checkpoint_every : int, optional
        Save a checkpoint in ``out/checkpoint`` every N epochs (and on Ctrl-C);
        :func:`resume` finishes an interrupted run from it.
    **params
        :class:`~wordvec.model.Word2Vec` parameters (dim, window, negative, epochs, ...).
    """
    if engine not in ENGINES:
        raise ParameterError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    sources = resolve_sources(corpus, progress=progress)
    documents = iter_documents(sources, format=format, text_column=text_column,
                               include_summary=include_summary)
    phrase_info = None
    if phrases:
        phrase_model = learn_phrases(sources, format=format, text_column=text_column,
                                     include_summary=include_summary, passes=phrases)
        documents = (phrase_model.apply(tokenize(text)) for text in documents)
        phrase_info = {"passes": phrases, "min_count": phrase_model.min_count,
                       "threshold": phrase_model.threshold, "found": len(phrase_model.phrases_)}
    if engine == "keras":
        return _train_keras(documents, out, sources, progress, steps_per_epoch, negative_samples, params)
    reading = {"corpus": [str(s) for s in sources], "format": format, "text_column": text_column,
               "include_summary": include_summary, "phrases": phrases}
    model = Word2Vec(progress=progress, **params)
    callbacks = []
    if checkpoint_every:
        if out is None:
            raise ParameterError("checkpoints need an output directory (--out)")
        callbacks.append(Checkpoint(Path(out) / CHECKPOINT, every=checkpoint_every, extra_info={"reading": reading}))
    with _checkpoint_on_interrupt(model, out, reading, enabled=bool(checkpoint_every)):
        model.fit(documents, callbacks=callbacks)
    return _finish(model, out, sources, phrase_info)


def resume(out, *, progress: bool = True, threads: int | None = None) -> TrainResult:
    """Finish an interrupted ``train(..., checkpoint_every=N)`` from ``out/checkpoint``.

    The corpus is read again with the same options; training goes on from the
    last finished epoch with the checkpoint's weights, and the final model
    replaces ``out`` (the checkpoint with it).
    """
    from .encode import encode_documents

    checkpoint = Path(out) / CHECKPOINT
    try:
        saved = load_model(checkpoint)
    except ModelFormatError as err:
        raise ModelFormatError(f"no checkpoint to resume in {out}: {err}") from None
    reading = saved.info.get("reading")
    if not reading:
        raise CorpusError(f"{checkpoint} does not say which corpus it was trained on")
    params = {**saved.params, "threads": threads if threads is not None else saved.params.get("threads")}
    model = Word2Vec(progress=progress, **params)
    model._validate()
    documents = iter_documents(reading["corpus"], format=reading["format"], text_column=reading["text_column"],
                               include_summary=reading["include_summary"])
    if reading.get("phrases"):
        phrase_model = learn_phrases(reading["corpus"], format=reading["format"],
                                     text_column=reading["text_column"],
                                     include_summary=reading["include_summary"], passes=reading["phrases"])
        documents = (phrase_model.apply(tokenize(text)) for text in documents)
    vocab, corpus = encode_documents(documents, num_words=model.num_words, min_count=model.min_count)
    if vocab.words != saved.vectors.words:
        raise CorpusError(f"the corpus {reading['corpus']} changed since the checkpoint was written")
    done = int(saved.info.get("epochs_done", 0))
    model.vocabulary_ = vocab
    callbacks = [Checkpoint(checkpoint, every=1, extra_info={"reading": reading})]
    with _checkpoint_on_interrupt(model, out, reading, enabled=True):
        model._train(np.array(saved.vectors.matrix), np.array(saved.output_weights), corpus, callbacks,
                     first_epoch=done, previous_losses=saved.info.get("epoch_losses", [])[:done])
    return _finish(model, out, [Path(p) for p in reading["corpus"]], saved.info.get("phrases"))


@contextlib.contextmanager
def _checkpoint_on_interrupt(model: Word2Vec, out, reading: dict, enabled: bool):
    try:
        yield
    except KeyboardInterrupt:
        if not enabled or not hasattr(model, "_live_weights"):
            raise
        where = Path(out) / CHECKPOINT
        model.save(where, {"reading": reading}, live=True)
        raise TrainingInterrupted(
            f"interrupted in epoch {len(model.epoch_losses_) + 1}; checkpoint saved in {where}; "
            f"finish with: wordvec train --resume {out}") from None


def _finish(model: Word2Vec, out, sources, phrase_info) -> TrainResult:
    info = {"corpus": [str(s) for s in sources], "raw_words": model.raw_word_count_,
            "epoch_losses": model.epoch_losses_, "train_seconds": model.train_seconds_,
            "words_per_second": model.words_per_second_, "phrases": phrase_info,
            "epochs_done": len(model.epoch_losses_)}
    if out is not None:
        save_model(out, model.vectors_, params=model.get_params(), engine="native",
                   output_weights=model.output_weights_, info=info)
    return TrainResult(model.vectors_, None if out is None else Path(out), model.epoch_losses_,
                       model.words_per_second_, sources)


def _train_keras(documents, out, sources, progress, steps_per_epoch, negative_samples, params) -> TrainResult:
    from .engines.keras import train_keras

    allowed = {"dim", "window", "epochs", "num_words", "seed"}
    ignored = sorted(k for k, v in params.items() if k not in allowed and v is not None)
    if ignored:
        raise ParameterError(f"the keras engine does not take: {', '.join(ignored)}")
    texts = list(documents)
    if not texts:
        raise CorpusError("the corpus is empty: no documents found")
    kwargs = {k: v for k, v in params.items() if k in allowed and v is not None}
    result = train_keras(texts, steps_per_epoch=steps_per_epoch, negative_samples=negative_samples,
                         verbose=1 if progress else 0, **kwargs)
    if out is not None:
        save_model(out, result.vectors, params={**kwargs, "steps_per_epoch": steps_per_epoch,
                                                "negative_samples": negative_samples},
                   engine="keras", info={"corpus": [str(s) for s in sources], "epoch_losses": result.history})
    return TrainResult(result.vectors, None if out is None else Path(out), list(result.history), None, sources)


def similar(model_dir, words: Sequence[str], n: int = 5) -> dict:
    """Neighbours of each word: ``{word: [(neighbour, cosine), ...]}``."""
    vectors = load_model(model_dir, mmap=True).vectors
    return {word: vectors.most_similar(word, n=n) for word in words}


def export(model_dir, out, format: str = "word2vec") -> Path:
    """Export a model's vectors to word2vec text/binary or TSV."""
    vectors = load_model(model_dir, mmap=True).vectors
    export_vectors(vectors, out, format)
    return Path(out)
