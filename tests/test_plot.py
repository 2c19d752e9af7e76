"""t-SNE word maps: coordinates, PNG and SVG output, and parameter errors."""

from __future__ import annotations

import numpy as np
import pytest

from wordvec.errors import ParameterError
from wordvec.plot import plot_map, tsne_coordinates
from wordvec.vectors import Vectors

FOOD_WORDS = [
    "tea", "coffee", "chocolate", "cookie", "sugar", "salt", "dog", "cat", "treat", "bag",
    "price", "amazon", "taste", "flavor", "sweet", "bitter", "good", "great", "bad", "love",
    "milk", "cream", "butter", "bread", "rice", "pasta", "sauce", "spicy", "hot", "cold",
    "water", "juice", "soda", "candy", "gum", "nuts", "almond", "peanut", "honey", "jam",
    "oil", "vinegar", "pepper", "garlic", "onion", "soup", "chips", "cracker", "cereal", "oats",
    "organic", "fresh", "stale", "box", "order", "ship", "$5$", "café", "brand", "product",
]


@pytest.fixture(scope="module")
def vectors() -> Vectors:
    """60 food words after an UNK row, random but seeded, most frequent first."""
    rng = np.random.default_rng(42)
    words = ["UNK"] + FOOD_WORDS
    matrix = rng.normal(size=(len(words), 16)).astype(np.float32)
    counts = np.arange(len(words), 0, -1) * 10
    return Vectors(words, matrix, counts=counts, unknown="UNK")


def test_coordinates_shape_and_word_order(vectors):
    words, coords = tsne_coordinates(vectors, top=25)
    assert words == FOOD_WORDS[:25]
    assert coords.shape == (25, 2)
    assert np.isfinite(coords).all()


@pytest.mark.slow
def test_coordinates_are_deterministic_for_a_seed(vectors):
    _, first = tsne_coordinates(vectors, top=30, seed=3)
    _, again = tsne_coordinates(vectors, top=30, seed=3)
    np.testing.assert_array_equal(first, again)


def test_small_map_is_not_collapsed(vectors):
    # A perplexity near the number of points makes t-SNE put every word on one spot.
    _, coords = tsne_coordinates(vectors, top=30, perplexity=30.0)
    assert coords.std(axis=0).min() > 1.0


@pytest.mark.slow
def test_unknown_word_is_skipped_and_top_is_capped(vectors):
    words, coords = tsne_coordinates(vectors, top=500)  # more than there are
    assert "UNK" not in words
    assert words == FOOD_WORDS
    assert coords.shape == (60, 2)


def test_without_unknown_row_zero_is_a_word(vectors):
    plain = Vectors(vectors.words, vectors.matrix)
    words, _ = tsne_coordinates(plain, top=5)
    assert words == ["UNK", "tea", "coffee", "chocolate", "cookie"]


@pytest.mark.slow
@pytest.mark.parametrize("top", [2, 3, 4])
def test_perplexity_is_lowered_for_few_words(vectors, top):
    words, coords = tsne_coordinates(vectors, top=top, perplexity=30.0)
    assert words == FOOD_WORDS[:top]
    assert coords.shape == (top, 2)
    assert np.isfinite(coords).all()


def test_fewer_than_two_words_is_parameter_error(vectors):
    with pytest.raises(ParameterError, match="at least 2 words"):
        tsne_coordinates(vectors, top=1)
    only_unknown = Vectors(["UNK", "tea"], np.ones((2, 4), dtype=np.float32), unknown="UNK")
    with pytest.raises(ParameterError, match="at least 2 words"):
        tsne_coordinates(only_unknown)


@pytest.mark.parametrize("top", [0, -3, 2.5])
def test_bad_top_is_parameter_error(vectors, top):
    with pytest.raises(ParameterError, match="top"):
        tsne_coordinates(vectors, top=top)


@pytest.mark.parametrize("perplexity", [0, -1.0, float("nan")])
def test_bad_perplexity_is_parameter_error(vectors, perplexity):
    with pytest.raises(ParameterError, match="perplexity"):
        tsne_coordinates(vectors, perplexity=perplexity)


@pytest.mark.slow
def test_png_is_written(vectors, tmp_path):
    out = tmp_path / "maps" / "words.png"
    result = plot_map(vectors, out, top=40, figsize=(6, 6), title="Food words", progress=False)
    assert result == out
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in out.parent.iterdir()] == ["words.png"]  # no temporary left


@pytest.mark.slow
def test_svg_has_labels_as_text_and_no_unknown(vectors, tmp_path):
    import matplotlib

    fonttype_before = matplotlib.rcParams["svg.fonttype"]
    out = tmp_path / "words.SVG"  # the extension is case-insensitive
    plot_map(vectors, out, top=60, figsize=(6, 6), progress=False)
    svg = out.read_text(encoding="utf-8")

    assert svg.lstrip().startswith("<?xml")
    for word in ["tea", "coffee", "café", "product"]:
        assert f">{word}</text>" in svg
    assert ">$5$</text>" in svg  # drawn literally, not as mathtext
    assert "UNK" not in svg
    assert matplotlib.rcParams["svg.fonttype"] == fonttype_before  # global settings untouched


@pytest.mark.parametrize("name", ["words.jpg", "words.pdf", "words"])
def test_unsupported_extension_is_parameter_error(vectors, tmp_path, name):
    with pytest.raises(ParameterError, match=r"\.png, \.svg"):
        plot_map(vectors, tmp_path / name, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_plot_prints_nothing_on_stdout(vectors, tmp_path, capsys):
    plot_map(vectors, tmp_path / "quiet.png", top=10, figsize=(3, 3), progress=True)
    assert capsys.readouterr().out == ""
