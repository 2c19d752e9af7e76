"""Text classifiers: fastText's supervised models, loaded from their files and predicting as fastText does.

:func:`load_classifier` reads a fastText ``.bin`` or quantized ``.ftz``
classifier (``lid.176.ftz``, say) and gives a :class:`Classifier`, whose
:meth:`~Classifier.predict` returns what fastText's ``predict`` returns: the
same labels, in the same order, with the same probabilities (to float32
rounding), for any ``k`` and ``threshold``, in fastText's shapes. A list of
texts is predicted a batch at a time on NumPy arrays
(:mod:`wordvec.classifier_predict`); a text's input rows come from
:mod:`wordvec.classifier_lines`. Training comes with the next part of the work.

>>> import tempfile, numpy as np
>>> from wordvec.formats.fasttext_supervised import FastTextSupervised, save_fasttext_supervised
>>> path = tempfile.mkdtemp() + "/sentiment.bin"
>>> save_fasttext_supervised(FastTextSupervised.from_arrays(
...     ["</s>", "good", "bad"], ["__label__pos", "__label__neg"],
...     [[0, 0], [1, 0], [-1, 0]], [[4, 0], [-4, 0]]), path)
>>> clf = load_classifier(path)
>>> labels, probs = clf.predict("good tea", k=2)
>>> labels, probs.round(3)
(('__label__pos', '__label__neg'), array([0.982, 0.018]))
>>> clf.predict(["bad", "good"])[0]
[['__label__neg'], ['__label__pos']]
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np

from .classifier_lines import LineEncoder, packed_lines, text_bytes
from .classifier_predict import Predictor
from .errors import ModelFormatError, ParameterError, WordvecError
from .formats.classifier_dir import is_classifier_dir, load_classifier_dir, save_classifier_dir
from .formats.fasttext_supervised import FastTextSupervised, read_fasttext_supervised
from .params import check_classifier, classifier_defaults
from .shared_models import shared_model
from .text import PackedTexts
from .threads import resolve_threads
from .vectors import Vectors

_TEXTS_PER_BATCH = 4096


def load_classifier(path) -> "Classifier":
    """Load a text classifier: a supervised fastText ``.bin`` or quantized ``.ftz`` (compressed or not).

    Parameters
    ----------
    path : str or Path
        A classifier directory (``wordvec classify train``'s, memory-mapped), or a fastText file.

    Returns
    -------
    Classifier

    Raises
    ------
    ModelFormatError
        One line naming the file: not a fastText model, an unsupervised one
        (word vectors: :func:`wordvec.load_vectors` reads those), a truncated
        or corrupted file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from wordvec.formats.fasttext_supervised import FastTextSupervised, save_fasttext_supervised
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.bin"
    >>> save_fasttext_supervised(FastTextSupervised.from_arrays(["</s>"], ["__label__a"], [[1.0]], [[1.0]]), path)
    >>> load_classifier(path).labels_
    ['__label__a']
    """
    if Path(path).is_dir() and not is_classifier_dir(path):
        raise ModelFormatError(f"{path}: a folder without classifier.json, not a classifier directory "
                               "('wordvec classify train' writes those; word vectors load with wordvec.load_vectors)")
    if is_classifier_dir(path):
        model, meta = load_classifier_dir(path)
        clf = Classifier(**{k: v for k, v in meta.get("params", {}).items() if k in classifier_defaults()})
        clf._set_model(model, path)
        clf.info_ = meta.get("info", {})
        return clf
    return Classifier.from_fasttext(read_fasttext_supervised(path), path=path)


def _unpickled_classifier(params: dict, model, info) -> "Classifier":
    """A classifier pickled whole (trained in memory, never saved) made again."""
    clf = Classifier(**params)
    if model is not None:
        clf._set_model(model)
    if info is not None:
        clf.info_ = info
    return clf


class Classifier:
    """A text classifier: fastText's supervised model (prediction; training comes next).

    Attributes
    ----------
    labels_ : list of str
        The labels, in the model's order (with their prefix, ``__label__``).
    loss_ : str
        ``'softmax'``, ``'ns'``, ``'hs'`` or ``'ova'``.
    model_ : FastTextSupervised
        The model's dictionary, settings and matrices, as its file holds them.

    Examples
    --------
    >>> from wordvec.formats.fasttext_supervised import FastTextSupervised
    >>> clf = Classifier.from_fasttext(FastTextSupervised.from_arrays(
    ...     ["</s>", "tea"], ["__label__drink", "__label__food"], [[0.0], [1.0]], [[3.0], [-3.0]], loss="ova"))
    >>> clf.labels_, clf.loss_
    (['__label__drink', '__label__food'], 'ova')
    >>> clf.predict("tea", k=-1, threshold=0.5)
    (('__label__drink',), array([0.81758451]))
    """

    def __init__(self, dim: int = 100, lr: float = 0.1, epochs: int = 5, loss: str = "softmax", negative: int = 5,
                 word_ngrams: int = 1, min_n: int = 0, max_n: int = 0, buckets: int = 2_000_000, min_count: int = 1,
                 min_count_label: int = 1, label_prefix: str = "__label__", threads: int | None = None,
                 seed: int = 0):
        self.dim, self.lr, self.epochs, self.loss, self.negative = dim, lr, epochs, loss, negative
        self.word_ngrams, self.min_n, self.max_n, self.buckets = word_ngrams, min_n, max_n, buckets
        self.min_count, self.min_count_label, self.label_prefix = min_count, min_count_label, label_prefix
        self.threads, self.seed = threads, seed
        self.model_ = None

    def get_params(self, deep: bool = True) -> dict:
        """The parameters, by name (scikit-learn's estimator contract)."""
        return {name: getattr(self, name) for name in classifier_defaults()}

    def set_params(self, **params) -> "Classifier":
        """Set parameters by name; refuses names it does not take."""
        for name, value in params.items():
            if name not in classifier_defaults():
                raise ParameterError(f"unknown classifier parameter {name!r}")
            setattr(self, name, value)
        return self

    @classmethod
    def from_fasttext(cls, model: FastTextSupervised, path=None) -> "Classifier":
        """A classifier predicting with a supervised fastText model (:func:`read_fasttext_supervised`'s)."""
        args = model.args
        clf = cls(dim=args["dim"], epochs=args["epoch"], loss=model.loss, negative=args["neg"],
                  word_ngrams=args["word_ngrams"], min_n=args["minn"], max_n=args["maxn"],
                  buckets=max(args["bucket"], 1), min_count=max(args["min_count"], 1), threads=1)
        clf._set_model(model, path)
        return clf

    def _set_model(self, model: FastTextSupervised, path=None) -> None:
        self.model_ = model
        self.labels_ = model.labels
        self.loss_ = model.loss
        args = model.args
        self._lines = LineEncoder(model.words + model.labels_raw, len(model.words), word_ngrams=args["word_ngrams"],
                                  bucket=args["bucket"], minn=args["minn"], maxn=args["maxn"],
                                  pruneidx=model.pruneidx)
        self._predictor = Predictor(model)
        self._path = None if path is None else Path(path).resolve()

    # -- training --------------------------------------------------------------------

    def fit(self, texts, labels=None, *, pretrained_vectors=None, progress: bool = False) -> "Classifier":
        """Train on texts and their labels (fastText's ``train_supervised``).

        Parameters
        ----------
        texts : list of str
            One text each (newlines are read as spaces). Without ``labels``,
            lines in fastText's format: labels are the words starting with
            ``label_prefix`` (``__label__positive great tea``).
        labels : list, optional
            One label (str) per text, or a list of labels per text (for
            ``loss="ova"``); the prefix is added.
        pretrained_vectors : Vectors or path, optional
            Word vectors of dimension ``dim`` the words' input rows start from.
        progress : bool, default=False
            Show a progress bar with the loss.

        Examples
        --------
        >>> clf = Classifier(dim=8, epochs=20, lr=0.5, threads=1).fit(["hot tea", "iced water"] * 10,
        ...                                                         ["hot", "cold"] * 10)
        >>> clf.labels_, clf.predict("tea")[0]
        (['__label__hot', '__label__cold'], ('__label__hot',))
        """
        from .classifier_training import fit_classifier
        from .formats import load_vectors
        from .readers.labelled import labelled_lines

        params = self.get_params()
        check_classifier(params)
        if pretrained_vectors is not None and not hasattr(pretrained_vectors, "matrix"):
            pretrained_vectors = load_vectors(pretrained_vectors)
        blocks = labelled_lines(texts, labels, self.label_prefix)
        model, self.info_ = fit_classifier(blocks, params, progress=progress, pretrained=pretrained_vectors)
        self._set_model(model)
        return self

    def save(self, directory) -> Path:
        """Write the classifier as a classifier directory (open formats, memory-mapped on load)."""
        self._fitted()
        written = save_classifier_dir(directory, self.model_, params=self.get_params(),
                                      info=getattr(self, "info_", {}))
        self._path = Path(directory).resolve()  # pickled as this path from now on
        return written

    def quantize(self, cutoff: int | None = None, retrain_on=None, *, qnorm: bool = False, qout: bool = False,
                 dsub: int = 2, epochs: int | None = None, lr: float | None = None,
                 threads: int | None = None) -> "Classifier":
        """A quantized copy, as fastText's ``quantize`` makes it (:mod:`wordvec.classifier_quantize`).

        Parameters
        ----------
        cutoff : int, optional
            Keep the input rows (words and n-grams) of the ``cutoff`` largest norms, ``</s>`` always.
        retrain_on : path, list of paths, or list of fastText-format lines, optional
            Fine-tune the rows kept (needs ``cutoff``) on the training data.
        qnorm, qout : bool
            Quantize the rows' norms apart; quantize the output matrix too.
        dsub : int
            Columns of a sub-vector (the last may be fewer).
        epochs, lr : optional
            Fine-tuning: default the model's epochs and 0.05 (fastText's ``quantize`` default).

        Returns
        -------
        Classifier
            Predicting from codes and centroids; :func:`wordvec.classifier_quantize.save_ftz`
            (or ``export_classifier``) writes it as an ``.ftz``.

        Examples
        --------
        >>> clf = Classifier(dim=4, epochs=5, word_ngrams=2, buckets=500, threads=1).fit(
        ...     ["hot tea", "iced water"] * 10, ["hot", "cold"] * 10)
        >>> small = clf.quantize(cutoff=300)
        >>> small.model_.quantized, small.model_.input.shape
        (True, (300, 4))
        """
        from .classifier_quantize import quantize_model, retrain_blocks, settings_for

        self._fitted()
        settings = settings_for(self.model_, self.get_params(), cutoff=cutoff, qnorm=qnorm, qout=qout, dsub=dsub,
                                epochs=epochs, lr=lr, threads=threads)
        blocks = None if retrain_on is None else retrain_blocks(retrain_on, self.label_prefix)
        clf = Classifier(**self.get_params())
        clf._set_model(quantize_model(self.model_, settings, retrain=blocks))
        clf.info_ = {**getattr(self, "info_", {}), "quantized": dict(vars(settings))}
        return clf

    def __reduce__(self):
        """How a classifier pickles: one loaded from a file or saved as its path, loaded once per process
        (memory-mapped) however many tasks unpickle it (:func:`~wordvec.shared_models.shared_model`); one
        trained in memory and never saved whole (its parameters, model and figures).

        Examples
        --------
        >>> import pickle
        >>> clf = Classifier(dim=4, epochs=10, lr=0.5, threads=1).fit(["hot tea", "iced water"] * 5,
        ...                                                          ["hot", "cold"] * 5)
        >>> pickle.loads(pickle.dumps(clf)).predict("tea")[0]
        ('__label__hot',)
        """
        if getattr(self, "_path", None) is not None:
            return (shared_model, (load_classifier, str(self._path)))
        return (_unpickled_classifier, (self.get_params(), self.model_, getattr(self, "info_", None)))

    def __copy__(self) -> "Classifier":
        return self.__deepcopy__({})

    def __deepcopy__(self, memo) -> "Classifier":
        """A classifier of its own (loaded again from its file, or rebuilt), never the one unpickling shares."""
        if getattr(self, "_path", None) is not None:
            return load_classifier(self._path)
        return _unpickled_classifier(*copy.deepcopy((self.get_params(), self.model_, getattr(self, "info_", None)),
                                                    memo))

    def _fitted(self) -> None:
        if self.model_ is None:
            raise WordvecError("this classifier has no model yet: fit it, or load one with wordvec.load_classifier")

    # -- predicting ------------------------------------------------------------------

    def predict(self, texts, k: int = 1, threshold: float = 0.0, threads: int | None = None):
        """The ``k`` most probable labels of a text, or of each text of a list, as fastText's ``predict``.

        Parameters
        ----------
        texts : str, bytes, or a list (any iterable) of them
            One line of text each (a newline inside is refused, as fastText does).
        k : int
            How many labels at most; -1 for every label.
        threshold : float
            Leave out labels of probability below it.
        threads : int, optional
            Threads a list is predicted on (the compiled kernel, the GIL
            released); default: the classifier's ``threads`` (1).

        Returns
        -------
        For one text ``(labels, probabilities)``: a tuple of str and a float64
        array. For a list ``(list of lists of labels, list of float32 arrays)``.
        Probabilities are fastText's: ``p + 1e-5`` (so they can pass 1); the
        hierarchical softmax (``hs``) may return fewer than ``k`` labels.

        Raises
        ------
        ParameterError
            ``k`` neither -1 nor at least 1, or a text holding a newline.

        Examples
        --------
        >>> from wordvec.formats.fasttext_supervised import FastTextSupervised
        >>> clf = Classifier.from_fasttext(FastTextSupervised.from_arrays(
        ...     ["</s>", "tea"], ["__label__a", "__label__b"], [[0.0], [1.0]], [[1.0], [0.0]]))
        >>> labels, probs = clf.predict(["tea", ""], k=2)   # "": only the end of line, a row of zeros here
        >>> labels                                        # equal scores: fastText's heap order, kept
        [['__label__a', '__label__b'], ['__label__b', '__label__a']]
        >>> probs
        [array([0.62246937, 0.3775507 ], dtype=float32), array([0.50001, 0.50001], dtype=float32)]
        >>> clf.predict("tea", k=0)
        Traceback (most recent call last):
        wordvec.errors.ParameterError: k needs to be 1 or higher, or -1 for every label (got 0)
        """
        self._fitted()
        k = self._check_k(k)
        if isinstance(texts, (str, bytes, bytearray)):
            data = texts.encode("utf-8", "surrogatepass") if isinstance(texts, str) else bytes(texts)
            if b"\n" in data:
                self._line_bytes([data])
            labels, probs = self._predictor.text_model().predict_one(data, k, threshold)
            names = self.labels_
            return tuple([names[i] for i in labels]), np.array(probs)
        threads = resolve_threads(self.threads if threads is None else threads)
        results = self._predict(list(texts), k, threshold, threads)
        return [labels for labels, _ in results], [probs for _, probs in results]

    def predict_batch(self, batch, column: str = "text", k: int = 1, threshold: float = 0.0,
                      threads: int | None = None, clean: bool = True):
        """``batch`` with its texts' predictions as new columns, the same kind of batch back.

        Parameters
        ----------
        batch : pandas.DataFrame, pyarrow.Table or RecordBatch, or dict of arrays
            What ``dask.dataframe.map_partitions`` and Ray's ``map_batches`` hand over.
        column : str, default="text"
            The column holding the texts.
        k, threshold, threads
            As for :meth:`predict`.
        clean : bool, default=True
            Clean each text as the readers clean a table's text column (encoding repaired, HTML tags
            off), so that a table gives what ``wordvec classify predict --out`` gives for it; with
            False, texts go in as they are (line feeds as spaces), as fastText's ``predict`` takes them.

        Returns
        -------
        The same kind of batch with ``label`` (the best label, None where none passed the threshold)
        and ``probability``; for ``k`` other than 1 also ``labels`` and ``probabilities`` (lists).

        Examples
        --------
        >>> import pyarrow as pa
        >>> from wordvec.formats.fasttext_supervised import FastTextSupervised
        >>> clf = Classifier.from_fasttext(FastTextSupervised.from_arrays(
        ...     ["</s>", "tea"], ["__label__a", "__label__b"], [[0.0], [1.0]], [[1.0], [0.0]]))
        >>> out = clf.predict_batch(pa.table({"id": [1, 2], "text": ["tea", "<b>tea</b>"]}))
        >>> out.column_names, out["label"].to_pylist()
        (['id', 'text', 'label', 'probability'], ['__label__a', '__label__a'])
        """
        from .batches import batch_texts, prediction_columns, with_columns

        self._fitted()
        texts = batch_texts(batch, column, clean=clean)
        label_ids, probabilities, counts = self.predict_arrays(texts, k=k, threshold=threshold, threads=threads)
        return with_columns(batch, prediction_columns(label_ids, probabilities, counts, self.labels_, k))

    def _check_k(self, k) -> int:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not (k >= 1 or k == -1):
            raise ParameterError(f"k needs to be 1 or higher, or -1 for every label (got {k!r})")
        return len(self.labels_) if k == -1 else int(k)

    def predict_arrays(self, texts, k: int = 1, threshold: float = 0.0, threads: int | None = None) -> tuple:
        """:meth:`predict` for a list of texts, as arrays: what a pipeline over many texts wants.

        Returns
        -------
        label_ids : int32 array of shape (texts, k)
            Indices into :attr:`labels_`, best first; text ``t``'s first ``counts[t]`` are its labels.
        probabilities : float32 array of shape (texts, k)
            Their probabilities, as :meth:`predict` gives them.
        counts : int64 array of shape (texts,)
            How many labels each text has (fewer than ``k`` where the threshold left some out).

        Examples
        --------
        >>> from wordvec.formats.fasttext_supervised import FastTextSupervised
        >>> clf = Classifier.from_fasttext(FastTextSupervised.from_arrays(
        ...     ["</s>", "tea"], ["__label__a", "__label__b"], [[0.0], [1.0]], [[1.0], [0.0]]))
        >>> ids, probs, counts = clf.predict_arrays(["tea", "tea tea"], threshold=0.6)
        >>> ids.tolist(), counts.tolist(), [clf.labels_[i] for i in ids[:, 0]]
        ([[0], [0]], [1, 1], ['__label__a', '__label__a'])
        """
        self._fitted()
        k = self._check_k(k)
        threads = resolve_threads(self.threads if threads is None else threads)
        texts = texts if isinstance(texts, (list, PackedTexts)) else list(texts)
        model, parts = self._predictor.text_model(), []
        for first in range(0, len(texts), _TEXTS_PER_BATCH):
            try:
                blob, starts = packed_lines(texts[first:first + _TEXTS_PER_BATCH])
            except ValueError as err:
                raise ParameterError(f"text {first + err.args[0] + 1} holds a newline: predict takes one line "
                                     "per text (remove '\\n', as fastText asks)") from None
            parts.append(model.predict_many(blob, starts, k, threshold, threads))
        if not parts:
            width = max(1, min(k, len(self.labels_)))
            return np.zeros((0, width), np.int32), np.zeros((0, width), np.float32), np.zeros(0, np.int64)
        return tuple(np.concatenate(arrays) for arrays in zip(*parts))

    def _predict(self, texts: list, k: int, threshold: float, threads: int = 1) -> list:
        """``[(labels, float32 probabilities)]`` for each text, predicted in the compiled kernel."""
        label_ids, probabilities, counts = self.predict_arrays(texts, k, threshold, threads)
        names = self.labels_
        return [([names[i] for i in row[:count]], text_probs[:count])
                for row, text_probs, count in zip(label_ids.tolist(), probabilities, counts.tolist())]

    @staticmethod
    def _line_bytes(texts: list, first: int = 0) -> list:
        """Each text's UTF-8 bytes; a text holding a newline refused (``first``: the number of the first)."""
        data = [text_bytes(t) for t in texts]
        if any(b"\n" in one for one in data):
            i = next(i for i, one in enumerate(data) if b"\n" in one)
            raise ParameterError(f"text {first + i + 1} holds a newline: predict takes one line per text "
                                 "(remove '\\n', as fastText asks)")
        return data

    def _rows(self, texts: list) -> tuple[np.ndarray, np.ndarray]:
        return self._lines.flat_rows(self._line_bytes(texts))

    # -- vectors ---------------------------------------------------------------------

    def embed(self, texts) -> np.ndarray:
        """Each text's vector (the mean of its input rows, fastText's ``get_sentence_vector``), float32.

        Examples
        --------
        >>> from wordvec.formats.fasttext_supervised import FastTextSupervised
        >>> clf = Classifier.from_fasttext(FastTextSupervised.from_arrays(
        ...     ["</s>", "tea"], ["__label__a"], [[0.0, 2.0], [1.0, 0.0]], [[1.0, 1.0]]))
        >>> clf.embed(["tea", "tea tea"]).tolist()
        [[0.5, 1.0], [0.6666666865348816, 0.6666666865348816]]
        """
        self._fitted()
        texts = [texts] if isinstance(texts, (str, bytes, bytearray)) else list(texts)
        out = np.zeros((len(texts), self.model_.args["dim"]), dtype=np.float32)
        for first in range(0, len(texts), _TEXTS_PER_BATCH):
            rows, starts = self._rows(texts[first:first + _TEXTS_PER_BATCH])
            out[first:first + len(starts) - 1] = self._predictor.hidden(rows, starts)
        return out

    def get_sentence_vector(self, text) -> np.ndarray:
        """One text's vector, as fastText's ``get_sentence_vector`` gives it (float32, the model's dimension)."""
        return self.embed([text])[0]

    def word_vectors(self, limit: int | None = None) -> "Vectors":
        """The words' input rows as :class:`~wordvec.vectors.Vectors` (``wordvec similar`` and ``explore`` query them).

        ``</s>`` (the end of a line) is one of the words, as in fastText's
        ``get_words``; a quantized model's rows are decoded.

        Examples
        --------
        >>> from wordvec.formats.fasttext_supervised import FastTextSupervised
        >>> clf = Classifier.from_fasttext(FastTextSupervised.from_arrays(
        ...     ["</s>", "tea", "cup"], ["__label__a"], [[0, 1], [1, 0], [1, 0.1]], [[1, 0]]))
        >>> clf.word_vectors().most_similar("tea", n=1)
        [('cup', 0.995037...)]
        """
        self._fitted()
        n = len(self.model_.words) if limit is None else min(int(limit), len(self.model_.words))
        words = [w.decode("utf-8", "replace") for w in self.model_.words[:n]]
        matrix = self.model_.input
        rows = matrix.rows(np.arange(n)) if hasattr(matrix, "rows") else np.asarray(matrix[:n], dtype=np.float32)
        return Vectors(words, rows, counts=np.asarray(self.model_.word_counts[:n]))

    def label_words(self, label: str, n: int = 10) -> list:
        """The words that push a text most towards ``label``: the largest dot products of their input rows
        with the label's output row, ``[(word, score), ...]`` (not for ``hs``, whose output rows are the
        label tree's inner nodes).

        Examples
        --------
        >>> from wordvec.formats.fasttext_supervised import FastTextSupervised
        >>> clf = Classifier.from_fasttext(FastTextSupervised.from_arrays(
        ...     ["</s>", "tea", "car"], ["__label__drink", "__label__road"], [[0, 0], [2, 0], [0, 2]],
        ...     [[1, 0], [0, 1]]))
        >>> clf.label_words("__label__drink", n=2)
        [('tea', 2.0), ('</s>', 0.0)]
        """
        self._fitted()
        if label not in self.labels_:
            raise ParameterError(f"unknown label {label!r}: the classifier's labels are "
                                 f"{', '.join(self.labels_[:10])}{' ...' if len(self.labels_) > 10 else ''}")
        if self.loss_ == "hs":
            raise ParameterError("a classifier trained with loss 'hs' has no row per label to query")
        output = self.model_.output
        row = output.rows([self.labels_.index(label)])[0] if hasattr(output, "rows") else \
            np.asarray(output[self.labels_.index(label)], dtype=np.float32)
        vectors = self.word_vectors()
        scores = vectors.matrix @ row
        best = np.argsort(-scores, kind="stable")[:n]
        return [(vectors.words[i], round(float(scores[i]), 6)) for i in best]

    def input_rows(self, texts) -> list:
        """The input matrix rows whose mean is a text's vector, in fastText's order (words, then n-grams).

        For one text a list of row numbers; for a list of texts a list of them.

        Examples
        --------
        >>> from wordvec.formats.fasttext_supervised import FastTextSupervised
        >>> clf = Classifier.from_fasttext(FastTextSupervised.from_arrays(
        ...     ["</s>", "tea"], ["__label__a"], [[0.0]] * 12, [[1.0]], word_ngrams=2))
        >>> clf.input_rows("tea tea"), clf.input_rows(["tea", ""])
        ([1, 1, 0, 10, 10], [[1, 0, 10], [0]])
        """
        self._fitted()
        if isinstance(texts, (str, bytes, bytearray)):
            return self._lines.rows(texts)
        rows, starts = self._rows(list(texts))
        return [part.tolist() for part in np.split(rows, starts[1:-1])]
