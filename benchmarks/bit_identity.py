"""Train every engine with one thread and a seed on the embedded sample; print each array's SHA-256.

Run it before and after a change that must not alter training (a refactor): the digests must match.

    python benchmarks/bit_identity.py > before.txt   # ... change ...
    python benchmarks/bit_identity.py | diff before.txt -
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile

import numpy as np

import wordvec

RUNS = {
    "native-skipgram": dict(engine="native", model="skipgram", dim=32, epochs=2, min_count=3),
    "native-cbow": dict(engine="native", model="cbow", dim=32, epochs=2, min_count=3),
    "subword-skipgram": dict(engine="subword", dim=32, epochs=1, buckets=50000, min_count=3),
    "keras": dict(engine="keras", dim=16, epochs=1, steps_per_epoch=50, num_words=2000),
}


def digests(name: str, params: dict) -> dict[str, str]:
    out = tempfile.mkdtemp(prefix="bitid-") + "/model"
    wordvec.train(out=out, threads=1, seed=7, progress=False, **params)
    saved = wordvec.load_model(out)
    arrays = {"vectors": np.asarray(saved.vectors.matrix)}
    if saved.output_weights is not None:
        arrays["output"] = np.asarray(saved.output_weights)
    return {key: hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()[:16] for key, a in arrays.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-keras", action="store_true", help="leave out the Keras engine (needs wordvec[keras])")
    args = parser.parse_args()
    for name, params in RUNS.items():
        if name == "keras" and args.skip_keras:
            continue
        for key, digest in digests(name, params).items():
            print(f"{name}\t{key}\t{digest}")


if __name__ == "__main__":
    main()
