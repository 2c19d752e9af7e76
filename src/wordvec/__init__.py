"""wordvec: learn word embeddings from raw text, fast, on the CPU, and explore them.

>>> import wordvec
>>> result = wordvec.train(dim=16, epochs=1, progress=False)   # the embedded review sample
>>> result.vectors.dim, "coffee" in result.vectors
(16, True)
>>> neighbours = result.vectors.most_similar("coffee", n=3)     # [(word, cosine similarity), ...]
>>> len(neighbours), "coffee" in dict(neighbours)
(3, False)

Names are imported on first use, so ``import wordvec`` stays cheap.
"""

from __future__ import annotations

import importlib
import sys
import types

__version__ = "0.1.0"

_EXPORTS = {
    "train": "api",
    "resume": "api",
    "similar": "api",
    "TrainResult": "api",
    "export": "api",
    "learn_phrases": "api",
    "autotune_classifier": "api",
    "evaluate": "evaluate",
    "evaluate_word_pairs": "evaluate",
    "evaluate_analogies": "evaluate",
    "Word2Vec": "model",
    "Checkpoint": "model",
    "Classifier": "classifier",
    "load_classifier": "classifier",
    "Phrases": "phrases",
    "PhraseModel": "phrases",
    "Engine": "engines",
    "engine_names": "engines",
    "get_engine": "engines",
    "Vectors": "vectors",
    "EmbeddingMatrix": "vectors",
    "to_keras_embedding": "layers",
    "to_torch_embedding": "layers",
    "Vocabulary": "vocab",
    "iter_documents": "readers",
    "TokenSequences": "encoding",
    "default_corpus": "readers",
    "save_model": "formats",
    "load_model": "formats",
    "load_vectors": "formats",
    "load_word2vec": "formats",
    "save_word2vec": "formats",
    "WordvecError": "errors",
    "CorpusError": "errors",
    "ParameterError": "errors",
    "UnknownWordError": "errors",
    "ModelFormatError": "errors",
    "TrainingError": "errors",
    "DownloadError": "errors",
    "TrainingInterrupted": "errors",
    "MissingDependencyError": "errors",
    "OutputError": "errors",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


class _Package(types.ModuleType):
    """The package module: a public name keeps naming its function or class when a
    submodule of the same name (``wordvec.evaluate``) is imported, which would
    otherwise bind the submodule over it."""

    def __setattr__(self, name: str, value) -> None:
        if name in _EXPORTS and isinstance(value, types.ModuleType) and value.__name__ == f"{__name__}.{name}":
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'wordvec' has no attribute {name!r}")
