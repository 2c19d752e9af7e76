"""Exceptions raised by wordvec.

Every error a user can cause derives from :class:`WordvecError`; the command
line turns each into one line on standard error and a non-zero exit status.

>>> try:
...     raise UnknownWordError("zzz")
... except WordvecError as err:
...     print(err)
word not in vocabulary: 'zzz'
"""

from __future__ import annotations


class WordvecError(Exception):
    """Base class of the errors a user can cause (bad input, bad parameters)."""


class CorpusError(WordvecError):
    """The training text cannot be read, or yields nothing to train on."""


class ParameterError(WordvecError, ValueError):
    """A parameter is outside its valid range."""

    @classmethod
    def out_of_range(cls, name: str, value, valid: str) -> "ParameterError":
        """Build the standard message: the parameter, its value and its valid range."""
        return cls(f"invalid {name}={value!r}: must be {valid}")


class UnknownWordError(WordvecError, KeyError):
    """A queried word is not in the vocabulary."""

    def __init__(self, word: str):
        super().__init__(word)
        self.word = word

    def __str__(self) -> str:
        return f"word not in vocabulary: {self.word!r}"


class ModelFormatError(WordvecError):
    """A saved model or a vectors file is missing, truncated, corrupted or inconsistent."""


class TrainingError(WordvecError):
    """Training failed, for example the loss diverged to NaN or infinity."""


class TrainingInterrupted(WordvecError):
    """Training was interrupted (Ctrl-C) after a checkpoint was saved."""


class OutputError(WordvecError):
    """An output (model directory, exported file, picture) cannot be written there."""


class DownloadError(WordvecError):
    """A dataset could not be downloaded or failed its integrity check."""


class MissingDependencyError(WordvecError, ImportError):
    """An optional extra (such as Keras) is needed but not installed."""
