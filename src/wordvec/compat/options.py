"""What each gensim option does here: taken, accepted without effect, or refused away from its default.

A gensim option that changes what is trained, and that wordvec cannot honour, is refused with
one line naming it (:class:`UnsupportedOption`, a :class:`~wordvec.errors.ParameterError` and so
a ``ValueError``) when it is set away from its default: never silently ignored. Options that only
tune gensim's own machinery (its thread batches, its logging) are accepted and do nothing.

>>> refuse_unsupported("Word2Vec", {"sorted_vocab": 1, "null_word": 0}, WORD2VEC_REFUSED)
>>> refuse_unsupported("Word2Vec", {"null_word": 1}, WORD2VEC_REFUSED)
Traceback (most recent call last):
    ...
wordvec.compat.options.UnsupportedOption: Word2Vec: null_word=1 is not supported: wordvec adds no padding word
"""

from __future__ import annotations

import numbers
import re

from ..errors import ParameterError

__all__ = ["UnsupportedOption", "refuse_unsupported", "refuse_unknown", "gensim_message", "NO_EFFECT",
           "WORD2VEC_REFUSED", "FASTTEXT_REFUSED", "BUILD_VOCAB_REFUSED", "TRAIN_REFUSED"]


class UnsupportedOption(ParameterError):
    """A gensim option that wordvec does not support, set away from its default.

    >>> isinstance(UnsupportedOption("x"), ValueError)
    True
    """


#: name -> (default, why a value other than the default is refused), for ``Word2Vec(...)``.
WORD2VEC_REFUSED = {
    "max_vocab_size": (None, "wordvec counts every word before it cuts the vocabulary: use max_final_vocab "
                             "or min_count"),
    "hashfxn": (hash, "wordvec draws the initial vectors from seed alone"),
    "null_word": (0, "wordvec adds no padding word"),
    "trim_rule": (None, "filter the sentences before training instead"),
    "sorted_vocab": (1, "keys are always sorted by frequency, most frequent first"),
    "compute_loss": (False, "wordvec records each epoch's mean loss anyway: read get_latest_training_loss()"),
}
#: The same for ``FastText(...)``: what the subword engine does not take, beside Word2Vec's refusals.
FASTTEXT_REFUSED = {
    **{name: WORD2VEC_REFUSED[name] for name in ("max_vocab_size", "hashfxn", "null_word", "trim_rule",
                                                 "sorted_vocab")},
    "hs": (0, "the subword engine trains with negative sampling only"),
    "cbow_mean": (1, "the subword engine always averages the context"),
    "shrink_windows": (True, "the subword engine always draws each window's reach from 1..window"),
    "word_ngrams": (1, "only word_ngrams=1 (words with their character n-grams) is trained"),
}
#: ``build_vocab(...)``'s refused options.
BUILD_VOCAB_REFUSED = {
    "keep_raw_vocab": (False, "wordvec keeps no raw vocabulary to cut again later"),
    "trim_rule": WORD2VEC_REFUSED["trim_rule"],
}
#: ``train(...)``'s refused options.
TRAIN_REFUSED = {
    "word_count": (0, "every call trains its epochs from start_alpha down to end_alpha"),
    "compute_loss": WORD2VEC_REFUSED["compute_loss"],
}
#: Options accepted without effect: they tune gensim's own threads, queues and logging.
NO_EFFECT = ("batch_words", "progress_per", "queue_factor", "report_delay")

#: wordvec's parameter names in its messages, and gensim's for them.
_GENSIM_NAMES = {"dim": "vector_size", "lr": "alpha", "min_lr": "min_alpha", "threads": "workers",
                 "buckets": "bucket"}
_WORDVEC_NAME = re.compile(r"\b(" + "|".join(_GENSIM_NAMES) + r")=")


def refuse_unsupported(where: str, values: dict, refused: dict) -> None:
    """Raise :class:`UnsupportedOption` (one line) for the first option of ``values`` in ``refused``
    set away from its default; ``where`` names the call (``"Word2Vec"``, ``"train"``)."""
    for name, (default, reason) in refused.items():
        if name in values and not _is_default(values[name], default):
            raise UnsupportedOption(f"{where}: {name}={_shown(values[name])} is not supported: {reason}")


def refuse_unknown(where: str, extra: dict) -> None:
    """Refuse keyword arguments gensim would pass on to its internals (``**kwargs``), naming the first.

    >>> refuse_unknown("train", {"dry_run": True})
    Traceback (most recent call last):
        ...
    wordvec.compat.options.UnsupportedOption: train: dry_run=True is not supported here
    """
    for name, value in extra.items():
        raise UnsupportedOption(f"{where}: {name}={_shown(value)} is not supported here")


def gensim_message(err: ParameterError) -> str:
    """wordvec's message about a parameter, with gensim's name for it (``vector_size``, not ``dim``).

    >>> gensim_message(ParameterError("invalid dim=0: must be an integer from 1 to 10000"))
    'invalid vector_size=0: must be an integer from 1 to 10000'
    """
    return _WORDVEC_NAME.sub(lambda match: _GENSIM_NAMES[match.group(1)] + "=", str(err))


def _is_default(value, default) -> bool:
    if value is default:
        return True
    plain = (bool, numbers.Number, str)
    return isinstance(value, plain) and isinstance(default, plain) and value == default


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
