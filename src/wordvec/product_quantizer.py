"""fastText's product quantizer: k-means per sub-vector, 8-bit codes, a row norm quantized apart.

A matrix of ``dim`` columns is cut into sub-vectors of ``dsub`` columns (the
last one shorter where ``dsub`` does not divide ``dim``: ``lastdsub``). Each
sub-vector has a quantizer of 256 centroids (fastText's ``ksub``), trained by
k-means and stored in fastText's layout (:func:`centroid_tables`); a row is
then stored as one byte per sub-vector, the number of its nearest centroid.

The rules are fastText's (``src/productquantizer.cc``):

- k-means trains on at most 256 * 256 points per sub-quantizer: every row
  when there are no more, else a fresh random sample for each sub-quantizer;
- the centroids start as 256 points drawn at random; 25 rounds of assigning
  each point to its nearest centroid (squared distance summed in float32 in
  column order, the first of equal distances) and moving each centroid to the
  mean of its points;
- a centroid left without points takes the place of half of a cluster picked
  at random (walking the clusters from the first, taking cluster ``m`` with
  probability ``(size_m - 1) / (n - 256)``), both nudged apart by 1e-7;
- with ``qnorm`` each row is divided by its L2 norm (rows of norm 0 are kept)
  and the norms get a quantizer of their own (one column, 256 values).

The random draws are NumPy's, seeded with fastText's seed (1234) and the
sub-quantizer's number, so that a result does not depend on the threads.
Decoding is :class:`~wordvec.formats.fasttext_supervised.QuantizedMatrix`'s.

>>> rng = np.random.default_rng(0)
>>> matrix = rng.normal(size=(1000, 4)).astype(np.float32)
>>> quantized = quantize_matrix(matrix, dsub=2)
>>> quantized.codes.shape, quantized.centroids.shape
((1000, 2), (1024,))
>>> error = np.square(quantized.rows(np.arange(1000)) - matrix).mean()   # the rows' variance is 1
>>> bool(error < 0.02)
True
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .errors import ParameterError
from .formats.fasttext_supervised import KSUB, QuantizedMatrix

#: k-means rounds (fastText's ``niter``).
NITER = 25
#: Points a sub-quantizer trains on at most (fastText: 256 per centroid).
MAX_POINTS = 256 * KSUB
#: fastText's seed for its quantizers.
SEED = 1234
#: How far apart a split cluster's two centroids are nudged.
EPS = np.float32(1e-7)
_BLOCK = 2048  # points compared with all centroids at once (a block of distances stays in cache)
_NORM_BLOCK = 1 << 16  # rows whose norms are computed at once


def subvector_layout(dim: int, dsub: int) -> tuple[int, int]:
    """``(nsubq, lastdsub)``: how many sub-vectors a row of ``dim`` has, and the size of the last.

    Examples
    --------
    >>> subvector_layout(100, 2), subvector_layout(10, 4), subvector_layout(3, 5)
    ((50, 2), (3, 2), (1, 3))
    """
    nsubq, last = divmod(dim, dsub)
    return (nsubq, dsub) if last == 0 else (nsubq + 1, last)


def row_norms(matrix) -> np.ndarray:
    """Each row's L2 norm as fastText computes it: float32 squares summed in float64, the root as float32.

    Read a block of rows at a time (a memory-mapped matrix is never copied whole).

    Examples
    --------
    >>> row_norms(np.array([[3, 4], [0, 0]], np.float32)).tolist()
    [5.0, 0.0]
    """
    norms = np.empty(matrix.shape[0], np.float32)
    for start in range(0, matrix.shape[0], _NORM_BLOCK):
        block = np.asarray(matrix[start:start + _NORM_BLOCK], dtype=np.float32)
        norms[start:start + len(block)] = np.sqrt(np.square(block).sum(axis=1, dtype=np.float64))
    return norms


def nearest_centroids(points: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """The number (uint8) of the nearest of 256 centroids to each point, as fastText's ``assign_centroid``.

    Squared distances are summed in float32 column by column; of equal
    distances the first centroid wins.

    Examples
    --------
    >>> centroids = np.zeros((256, 2), np.float32); centroids[7] = [1, 1]; centroids[9] = [1, 1]
    >>> nearest_centroids(np.array([[0.9, 1.2], [0.1, 0.0]], np.float32), centroids).tolist()
    [7, 0]
    """
    points = np.asarray(points, dtype=np.float32)
    centroids = np.ascontiguousarray(centroids, dtype=np.float32)
    n, d = points.shape
    codes = np.empty(n, np.uint8)
    columns = [np.ascontiguousarray(centroids[:, j]) for j in range(d)]
    dist = np.empty((min(n, _BLOCK), len(centroids)), np.float32)
    diff = np.empty_like(dist)
    for start in range(0, n, _BLOCK):
        block = points[start:start + _BLOCK]
        out, tmp = dist[:len(block)], diff[:len(block)]
        np.subtract(block[:, :1], columns[0], out=out)
        np.multiply(out, out, out=out)
        for j in range(1, d):
            np.subtract(block[:, j:j + 1], columns[j], out=tmp)
            np.multiply(tmp, tmp, out=tmp)
            np.add(out, tmp, out=out)
        codes[start:start + len(block)] = np.argmin(out, axis=1)
    return codes


def _cluster_means(points: np.ndarray, codes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each cluster's mean (zeros where empty, float32) and its number of points."""
    counts = np.bincount(codes, minlength=k)
    sums = np.stack([np.bincount(codes, weights=points[:, j], minlength=k) for j in range(points.shape[1])], axis=1)
    means = np.zeros_like(sums)
    full = counts > 0
    means[full] = sums[full] / counts[full, None]
    return means.astype(np.float32), counts


def _pick_cluster(counts: np.ndarray, n: int, rng: np.random.Generator) -> int:
    """fastText's choice of the cluster to split: from the first, cluster ``m`` taken with probability
    ``(counts[m] - 1) / (n - k)``, walking round until one is taken."""
    k, m = len(counts), 0
    while True:
        order = (m + np.arange(k)) % k
        taken = np.flatnonzero(rng.random(k) * (n - k) < counts[order] - 1)
        if len(taken):
            return int(order[taken[0]])


def _split_empty(centroids: np.ndarray, counts: np.ndarray, n: int, rng: np.random.Generator) -> None:
    """Give every empty cluster half of a cluster picked at random (fastText's ``MStep``), in place."""
    sign = np.where(np.arange(centroids.shape[1]) % 2 == 1, EPS, -EPS).astype(np.float32)
    for k in range(len(counts)):
        if counts[k] != 0:
            continue
        m = _pick_cluster(counts, n, rng)
        centroids[k] = centroids[m] + sign
        centroids[m] -= sign
        counts[k] = counts[m] // 2
        counts[m] -= counts[k]


def kmeans(points, rng: np.random.Generator, niter: int = NITER, k: int = KSUB) -> np.ndarray:
    """fastText's k-means of ``points`` (n x d, n >= k): ``k`` centroids (float32, k x d).

    Examples
    --------
    >>> points = np.arange(512, dtype=np.float32).reshape(256, 2)   # as many points as centroids
    >>> centroids = kmeans(points, np.random.default_rng(0))
    >>> bool((np.sort(centroids, axis=0) == points).all())
    True
    """
    points = np.ascontiguousarray(points, dtype=np.float32)
    n = len(points)
    if n < k:
        raise ParameterError(f"k-means of {k} centroids needs at least {k} points (got {n})")
    centroids = points[rng.permutation(n)[:k]].copy()
    for _ in range(niter):
        codes = nearest_centroids(points, centroids)
        centroids, counts = _cluster_means(points, codes, k)
        _split_empty(centroids, counts, n, rng)
    return centroids


def centroid_tables(centroids: np.ndarray, dim: int, dsub: int) -> list[np.ndarray]:
    """Views of fastText's flat centroid array (``dim * 256`` float32), one ``256 x d`` table per sub-vector.

    Examples
    --------
    >>> [t.shape for t in centroid_tables(np.zeros(5 * 256, np.float32), 5, 2)]
    [(256, 2), (256, 2), (256, 1)]
    """
    nsubq, lastdsub = subvector_layout(dim, dsub)
    sizes = [dsub] * (nsubq - 1) + [lastdsub]
    return [centroids[m * KSUB * dsub:m * KSUB * dsub + KSUB * d].reshape(KSUB, d) for m, d in enumerate(sizes)]


def _sample_rows(n: int, rng: np.random.Generator) -> np.ndarray | slice:
    """The rows a sub-quantizer trains on: all of them, or a random sample of :data:`MAX_POINTS`."""
    if n <= MAX_POINTS:
        return slice(None)
    return np.sort(rng.choice(n, MAX_POINTS, replace=False))


def train_quantizer(matrix: np.ndarray, dsub: int, *, threads: int = 1, seed: int = SEED) -> np.ndarray:
    """The centroids of a product quantizer of ``matrix`` (n x dim, n >= 256), in fastText's flat layout.

    Sub-quantizer ``m`` draws its sample and starting centroids from
    ``default_rng([seed, m])``; ``threads`` train sub-quantizers side by side.

    Examples
    --------
    >>> matrix = np.random.default_rng(1).normal(size=(300, 3)).astype(np.float32)
    >>> train_quantizer(matrix, 2).shape
    (768,)
    """
    n, dim = matrix.shape
    if n < KSUB:
        raise ParameterError(f"product quantization needs at least {KSUB} rows, this matrix has {n} "
                             "(fastText's rule too)")
    nsubq, _ = subvector_layout(dim, dsub)
    centroids = np.zeros(dim * KSUB, np.float32)
    tables = centroid_tables(centroids, dim, dsub)

    def train_one(m: int) -> None:
        rng = np.random.default_rng([seed, m])
        columns = slice(m * dsub, m * dsub + tables[m].shape[1])
        tables[m][:] = kmeans(matrix[_sample_rows(n, rng), columns], rng)

    _each(train_one, nsubq, threads)
    return centroids


def encode(matrix: np.ndarray, centroids: np.ndarray, dsub: int, *, threads: int = 1) -> np.ndarray:
    """Each row's codes (uint8, n x nsubq): its sub-vectors' nearest centroids (fastText's ``compute_codes``).

    Examples
    --------
    >>> centroids = np.zeros(2 * 256, np.float32); centroids[2:4] = [1, 1]   # centroid 1 of sub-vector 0
    >>> encode(np.array([[0.9, 1.1], [0, 0]], np.float32), centroids, 2).tolist()
    [[1], [0]]
    """
    n, dim = matrix.shape
    tables = centroid_tables(centroids, dim, dsub)
    codes = np.empty((n, len(tables)), np.uint8)

    def encode_one(m: int) -> None:
        columns = slice(m * dsub, m * dsub + tables[m].shape[1])
        codes[:, m] = nearest_centroids(matrix[:, columns], tables[m])

    _each(encode_one, len(tables), threads)
    return codes


def _each(work, count: int, threads: int) -> None:
    """``work(m)`` for ``m`` in ``range(count)``, on up to ``threads`` threads (NumPy releases the GIL)."""
    if threads <= 1 or count <= 1:
        for m in range(count):
            work(m)
        return
    with ThreadPoolExecutor(max_workers=min(threads, count)) as pool:
        list(pool.map(work, range(count)))


def quantize_matrix(matrix, dsub: int = 2, qnorm: bool = False, *, threads: int = 1) -> QuantizedMatrix:
    """A dense matrix product-quantized as fastText's ``QuantMatrix`` does it.

    Parameters
    ----------
    matrix : array of float32, shape (n, dim), n >= 256
    dsub : int
        Columns per sub-vector (the last may be fewer), 1 to ``dim``.
    qnorm : bool
        Divide each row by its norm and quantize the norms apart (256 values).
    threads : int
        Sub-quantizers trained and encoded side by side.

    Raises
    ------
    ParameterError
        Fewer than 256 rows, or ``dsub`` out of range.
    """
    matrix = np.array(matrix, dtype=np.float32, order="C")  # a copy: qnorm divides it in place
    n, dim = matrix.shape
    if isinstance(dsub, bool) or not isinstance(dsub, (int, np.integer)) or not 1 <= dsub <= dim:
        raise ParameterError(f"dsub needs to be an integer from 1 to the dimension ({dim}), got {dsub!r}")
    if n < KSUB:
        raise ParameterError(f"product quantization needs at least {KSUB} rows, this matrix has {n} "
                             "(fastText's rule too)")
    norm_codes = norm_centroids = None
    if qnorm:
        norms = row_norms(matrix)
        nonzero = norms != 0
        matrix[nonzero] /= norms[nonzero, None]
        norm_centroids = train_quantizer(norms[:, None], 1, threads=1)
        norm_codes = encode(norms[:, None], norm_centroids, 1)[:, 0].copy()
    centroids = train_quantizer(matrix, dsub, threads=threads)
    codes = encode(matrix, centroids, dsub, threads=threads)
    _, lastdsub = subvector_layout(dim, dsub)
    return QuantizedMatrix((n, dim), codes, centroids, int(dsub), lastdsub, norm_codes, norm_centroids)
