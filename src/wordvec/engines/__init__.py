"""Training engines behind one contract (:mod:`wordvec.engines.base`), and their registry.

``ENGINES`` maps each name users can pick (``wordvec train --engine NAME``) to
the module and class that implement it; an engine's module is imported only
when it is used, so the Keras engine costs nothing until asked for.

>>> engine_names()
['keras', 'native', 'subword']
>>> get_engine("native").checkpoints
True
"""

from __future__ import annotations

import importlib

from ..errors import ParameterError
from .base import Engine, EngineState, TrainingCallbacks, TrainingData, resolve_threads

#: name -> the engine: ``"module:Class"`` of a module in this package (imported when
#: first used), or an :class:`Engine` subclass itself.
ENGINES = {
    "native": "native:NativeEngine",
    "keras": "keras:KerasEngine",
    "subword": "subword:SubwordEngine",
}

__all__ = ["ENGINES", "Engine", "EngineState", "TrainingCallbacks", "TrainingData", "engine_names",
           "get_engine", "resolve_threads"]


def engine_names() -> list[str]:
    """The names of every registered engine, sorted."""
    return sorted(ENGINES)


def get_engine(name: str) -> Engine:
    """A new instance of the engine registered as ``name``."""
    if name not in ENGINES:
        raise ParameterError(f"unknown engine {name!r}: choose one of {', '.join(engine_names())}")
    entry = ENGINES[name]
    if isinstance(entry, str):
        module_name, class_name = entry.split(":")
        entry = getattr(importlib.import_module(f".{module_name}", __name__), class_name)
    return entry()
