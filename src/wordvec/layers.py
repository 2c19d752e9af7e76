"""Word vectors as the first layer of a model: Keras and PyTorch embeddings.

Both functions build the weights with :meth:`wordvec.vectors.Vectors.embedding_matrix`
(row ``i`` is the vector of the word of index ``i`` in a Keras-style
``word_index``, row 0 the zero padding row) and hand them to the framework.
Keras and PyTorch are optional: each is imported only when its function is
called, and :class:`~wordvec.errors.MissingDependencyError` says how to
install it when it is absent.

>>> import numpy as np
>>> from wordvec.vectors import Vectors
>>> vectors = Vectors(["tea", "coffee"], np.eye(2, dtype=np.float32))
>>> layer = to_torch_embedding(vectors, {"coffee": 1, "tea": 2})   # row 0: the padding row
>>> layer.weight.tolist()
[[0.0, 0.0], [0.0, 1.0], [1.0, 0.0]]
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

import numpy as np

from .errors import MissingDependencyError, ParameterError

__all__ = ["to_keras_embedding", "to_torch_embedding"]

_KERAS_HINT = 'pip install "wordvec[keras]"'
_TORCH_HINT = "pip install torch"


def _weights(vectors, word_index, options: dict) -> np.ndarray:
    """The embedding matrix: built from ``vectors`` and ``word_index``, or given as it is."""
    if hasattr(vectors, "embedding_matrix"):
        if word_index is None:
            raise ParameterError("word_index is needed to build an embedding matrix from vectors")
        return vectors.embedding_matrix(word_index, **options).matrix
    if word_index is not None or options:
        raise ParameterError("word_index and matrix options apply to Vectors, not to a ready matrix")
    matrix = getattr(vectors, "matrix", vectors)           # an EmbeddingMatrix or an array
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] < 1:
        raise ParameterError(f"an embedding matrix must be 2-D with at least one row, not of shape {matrix.shape}")
    return matrix


def _import_keras():
    """Import Keras 3, or raise MissingDependencyError naming the extra.

    When Keras is not yet imported, ``KERAS_BACKEND`` is unset and TensorFlow
    (Keras's default backend) is not installed, the torch backend is chosen:
    the one the ``keras`` extra installs.
    """
    if ("keras" not in sys.modules and "KERAS_BACKEND" not in os.environ
            and importlib.util.find_spec("tensorflow") is None):
        os.environ["KERAS_BACKEND"] = "torch"
    try:
        keras = importlib.import_module("keras")
    except ImportError as err:
        raise MissingDependencyError(f"to_keras_embedding needs Keras 3 and a backend: {_KERAS_HINT} ({err})") from err
    if int(str(keras.__version__).split(".")[0]) < 3:
        raise MissingDependencyError(
            f"to_keras_embedding needs Keras 3, found Keras {keras.__version__}: {_KERAS_HINT}")
    return keras


def _import_torch():
    """Import PyTorch, or raise MissingDependencyError."""
    try:
        return importlib.import_module("torch")
    except ImportError as err:
        raise MissingDependencyError(f"to_torch_embedding needs PyTorch: {_TORCH_HINT} ({err})") from err


def to_keras_embedding(vectors, word_index=None, trainable: bool = False, mask_zero: bool = False,
                       name: str | None = None, **matrix_options):
    """A ``keras.layers.Embedding`` whose weights are word vectors.

    Parameters
    ----------
    vectors : Vectors, EmbeddingMatrix or array of shape (rows, dim)
        Word vectors (then ``word_index`` is needed), or a matrix already built
        by :meth:`~wordvec.vectors.Vectors.embedding_matrix`.
    word_index : dict of str to int, or a fitted tokenizer, optional
        Keras-style word -> 1-based index (see ``embedding_matrix``).
    trainable : bool, default=False
        Let training update the vectors (False keeps them frozen).
    mask_zero : bool, default=False
        Treat index 0 as padding to be masked (passed to Keras).
    name : str, optional
        The layer's name.
    **matrix_options
        ``num_words``, ``missing``, ``seed``, ``scale``, ``oov_token``, as for
        :meth:`~wordvec.vectors.Vectors.embedding_matrix`.

    Returns
    -------
    keras.layers.Embedding
        Built, with ``input_dim`` = rows of the matrix and ``output_dim`` = its columns.

    Raises
    ------
    MissingDependencyError
        Keras 3 (or a backend for it) is not installed.

    Examples
    --------
    >>> import numpy as np
    >>> from wordvec.preprocessing import Tokenizer
    >>> from wordvec.vectors import Vectors
    >>> tokenizer = Tokenizer()
    >>> tokenizer.fit_on_texts(["good tea", "good coffee"])
    >>> vectors = Vectors(["good", "tea", "coffee"], np.eye(3, dtype=np.float32))
    >>> layer = to_keras_embedding(vectors, tokenizer.word_index, trainable=True)
    >>> layer.get_weights()[0].shape      # the padding row 0, then one row per word
    (4, 3)
    >>> import keras
    >>> model = keras.Sequential([layer, keras.layers.GlobalAveragePooling1D(),
    ...                           keras.layers.Dense(1, activation="sigmoid")])
    >>> tuple(model(np.array([[1, 2, 0]])).shape)
    (1, 1)
    """
    matrix = _weights(vectors, word_index, matrix_options)
    keras = _import_keras()
    layer = keras.layers.Embedding(matrix.shape[0], matrix.shape[1], mask_zero=mask_zero,
                                   trainable=trainable, name=name)
    layer.build((None,))
    layer.set_weights([matrix])
    return layer


def to_torch_embedding(vectors, word_index=None, freeze: bool = True, padding_idx: int | None = 0,
                       **matrix_options):
    """A ``torch.nn.Embedding`` whose weights are word vectors (``from_pretrained``).

    Parameters
    ----------
    vectors : Vectors, EmbeddingMatrix or array of shape (rows, dim)
        Word vectors (then ``word_index`` is needed), or a matrix already built
        by :meth:`~wordvec.vectors.Vectors.embedding_matrix`.
    word_index : dict of str to int, or a fitted tokenizer, optional
        Keras-style word -> 1-based index (see ``embedding_matrix``).
    freeze : bool, default=True
        Keep the vectors fixed during training (PyTorch's ``from_pretrained`` default).
    padding_idx : int or None, default=0
        Row that never receives a gradient: 0, the padding row. None trains every row.
    **matrix_options
        ``num_words``, ``missing``, ``seed``, ``scale``, ``oov_token``, as for
        :meth:`~wordvec.vectors.Vectors.embedding_matrix`.

    Returns
    -------
    torch.nn.Embedding
        Float32 weights of shape ``(rows, dim)``.

    Raises
    ------
    MissingDependencyError
        PyTorch is not installed.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from wordvec.preprocessing import Tokenizer
    >>> from wordvec.vectors import Vectors
    >>> tokenizer = Tokenizer()
    >>> tokenizer.fit_on_texts(["good tea", "good coffee"])
    >>> vectors = Vectors(["good", "tea", "coffee"], np.eye(3, dtype=np.float32))
    >>> layer = to_torch_embedding(vectors, tokenizer, freeze=False)
    >>> layer(torch.tensor([[1, 2, 0]])).shape
    torch.Size([1, 3, 3])
    """
    matrix = _weights(vectors, word_index, matrix_options)
    torch = _import_torch()
    return torch.nn.Embedding.from_pretrained(torch.from_numpy(np.array(matrix, dtype=np.float32)),
                                              freeze=freeze, padding_idx=padding_idx)
