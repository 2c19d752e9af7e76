"""Training kernels side by side on the same encoded corpus: one epoch each, alternating.

Each ``--kernels`` entry is ``c`` (the compiled library of this checkout) or the path of another
build of the library (copy ``src/wordvec/kernels/_wordvec_kernels*.so`` aside before changing
``kernels/csrc/``), so that two versions of a kernel are timed in one run, in turns,
on the same weights (laid out as the engines lay them out; a build from before the row stride was
added to ``wv_weights`` reads that struct differently and cannot be compared this way).
Reports training words/s (raw corpus words / epoch seconds) per run and the median; the loss
shows that each trained the same model.

    python benchmarks/kernel_ab.py --kernels /tmp/before.so c --repeats 4
    python benchmarks/kernel_ab.py --model subwords --kernels /tmp/before.so c

The corpus is read and encoded once (min_count 5, no vocabulary cap); the word2vec runs start from
word2vec's initial weights, the subword runs from the subword engine's (2,000,000 buckets).
"""

from __future__ import annotations

import argparse
import ctypes
import statistics
import time

from _common import BENCH_CORPUS

from wordvec.kernels import library, training
from wordvec.encoding import encode_files
from wordvec.engines.base import TrainingCallbacks
from wordvec.engines.native import weight_rows


def _engine_run(args, vocab, corpus):
    if args.model == "subwords":
        from wordvec.engines.subword import SubwordEngine as Engine

        params = dict(Engine.defaults(), buckets=args.buckets)
    else:
        from wordvec.engines.native import NativeEngine as Engine

        params = dict(Engine.defaults(), model=args.model)
    params.update(dim=args.dim, epochs=1, threads=args.threads, min_count=5, num_words=None, seed=1)
    engine = Engine()
    state = engine.initial_state(vocab, params)
    return state, engine.make_run(vocab, corpus, params, state)


def _library(entry: str):
    if entry == "c":
        return library.load()
    return library.declare(ctypes.CDLL(entry))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=str(BENCH_CORPUS))
    parser.add_argument("--kernels", nargs="+", required=True,
                        help="c, or paths of builds of the compiled library")
    parser.add_argument("--model", choices=["skipgram", "cbow", "subwords"], default="skipgram")
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--buckets", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    vocab, corpus = encode_files([args.corpus], num_words=None, min_count=5)
    state, run = _engine_run(args, vocab, corpus)
    libraries = {entry: _library(entry) for entry in args.kernels}
    seconds = {entry: [] for entry in args.kernels}
    for repeat in range(args.repeats):
        for entry in args.kernels if repeat % 2 == 0 else args.kernels[::-1]:
            training.use_library(libraries[entry])
            w_in, w_out = weight_rows(state.input_weights.copy()), weight_rows(state.output_weights.copy())
            started = time.perf_counter()
            loss = run.epoch(w_in, w_out, 0, args.threads, TrainingCallbacks())
            seconds[entry].append(time.perf_counter() - started)
            print(f"  {entry}: {corpus.raw_word_count / seconds[entry][-1] / 1e6:.3f}M words/s, loss {loss:.4f}",
                  flush=True)
    print(f"{args.model}, dim {args.dim}, {args.threads} threads, {corpus.raw_word_count:,} words, "
          f"{args.repeats} runs each (median):")
    for entry in args.kernels:
        print(f"  {entry}: {corpus.raw_word_count / statistics.median(seconds[entry]) / 1e6:.3f}M words/s")


if __name__ == "__main__":
    main()
