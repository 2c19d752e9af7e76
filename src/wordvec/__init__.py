"""wordvec: learn word embeddings from raw text and explore them."""
