"""The compiled kernels: wordvec's C library (``csrc/``, built by ``pip install``) and its ctypes bindings.

* :mod:`.library` finds and opens the library and says which code runs (:func:`backend`);
* :mod:`.tasks` holds what every training kernel takes (named tuples of flat arrays) and the
  thread runner;
* :mod:`.training` binds the word2vec and subword training kernels;
* :mod:`.text` binds the reading kernels (documents found in blocks of bytes, words numbered).

Nothing here reads files or knows a model: flat arrays in, numbers out.

>>> backend().startswith("c, ")
True
"""

from .library import backend

__all__ = ["backend"]
