"""Other libraries' APIs on top of wordvec: code written for them runs here by changing one import.

- :mod:`wordvec.compat.gensim`: gensim 4's ``Word2Vec``, ``FastText`` and ``KeyedVectors``
  (training, ``wv`` queries, evaluation, word2vec files, saving), for node2vec, PecanPy,
  karateclub, item2vec and every script that calls gensim; ``docs/compat.md`` tells what each
  gensim option does here.

The modules of the package: ``gensim`` (the models), ``keyed_vectors`` (``wv``), ``corpus``
(sentences, ``LineSentence``, vocabularies as gensim builds them), ``evaluation`` (gensim's
evaluation results), ``options`` (what each gensim option does here, and the refusals), ``keys``
(gensim's keys as wordvec's words, in the vocabulary and in model directories). Nothing is
imported with the package.

>>> from wordvec.compat.gensim import Word2Vec
>>> model = Word2Vec([["tea", "cup"], ["tea", "pot"]] * 20, vector_size=8, min_count=1, workers=1)
>>> model.wv.index_to_key, model.wv["tea"].shape
(['tea', 'pot', 'cup'], (8,))
"""

__all__: list[str] = []
