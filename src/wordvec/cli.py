"""The ``wordvec`` command: parse arguments, call one public function, print.

>>> main(["--version"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import ParameterError, TrainingInterrupted, WordvecError

_MODEL_HELP = "a model directory written by 'wordvec train'"


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def _dataset_names() -> list[str]:
    from .download import DATASETS

    return sorted(DATASETS)


def _num_words(text: str):
    return None if text.lower() in ("0", "none", "all") else _integer(text)


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(prog="wordvec", description="Learn word embeddings from raw text and explore them.")
    parser.add_argument("--version", action="version", version=f"wordvec {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    train = commands.add_parser("train", help="train vectors on a corpus",
                                description="Train word vectors. With no CORPUS, trains on the embedded "
                                            "sample of 2,000 Amazon Fine Foods reviews.")
    train.add_argument("corpus", nargs="*", metavar="CORPUS",
                       help="files (.txt, .csv, SNAP finefoods.txt, optionally .gz), folders, or 'finefoods'")
    train.add_argument("--out", help="model directory to write (required unless --resume)")
    train.add_argument("--format", default="auto", choices=["auto", "snap", "csv", "text"])
    train.add_argument("--text-column", help="CSV column holding the text (default: 'Text')")
    train.add_argument("--with-summary", action="store_true", help="put each review's summary before its text")
    train.add_argument("--engine", default="native", choices=["native", "keras"])
    train.add_argument("--model", default="skipgram", choices=["skipgram", "cbow"])
    train.add_argument("--dim", type=_integer, default=128, help="vector dimension (default 128)")
    train.add_argument("--window", type=_integer, default=5, help="context window (default 5)")
    train.add_argument("--negative", type=_integer, default=5, help="negative samples (default 5)")
    train.add_argument("--epochs", type=_integer, default=5, help="passes over the corpus (default 5)")
    train.add_argument("--min-count", type=_integer, default=5, help="ignore rarer words (default 5)")
    train.add_argument("--num-words", type=_num_words, default=20000,
                       help="keep the N most frequent words; 0 for no limit (default 20000)")
    train.add_argument("--sample", type=_number, default=1e-3, help="frequent-word subsampling (default 1e-3)")
    train.add_argument("--lr", type=_number, default=None, help="initial learning rate (default 0.025, CBOW 0.05)")
    train.add_argument("--threads", type=_integer, default=None, help="worker threads (default: all cores)")
    train.add_argument("--seed", type=_integer, default=1, help="random seed (default 1)")
    train.add_argument("--steps-per-epoch", type=_integer, default=None,
                       help="keras engine: reviews per epoch (default: all)")
    train.add_argument("--negative-samples", type=_number, default=1.0,
                       help="keras engine: negatives per positive couple (default 1.0)")
    train.add_argument("--phrases", type=int, nargs="?", const=1, default=0, metavar="PASSES",
                       help="join frequent collocations (peanut_butter) first, in 1 or 2 passes")
    train.add_argument("--checkpoint-every", type=_integer, default=None, metavar="N",
                       help="save a checkpoint in OUT/checkpoint every N epochs and on Ctrl-C")
    train.add_argument("--resume", metavar="DIR",
                       help="finish an interrupted run from DIR/checkpoint (same corpus, same settings)")
    train.add_argument("--quiet", action="store_true", help="no progress bars")
    train.set_defaults(run=_run_train)

    similar = commands.add_parser("similar", help="nearest words by cosine similarity")
    similar.add_argument("model", help=_MODEL_HELP)
    similar.add_argument("words", nargs="+", metavar="WORD")
    similar.add_argument("-n", type=_integer, default=5, help="how many neighbours (default 5)")
    similar.set_defaults(run=_run_similar)

    export = commands.add_parser("export", help="write vectors as word2vec text/binary or TSV")
    export.add_argument("model", help=_MODEL_HELP)
    export.add_argument("--format", required=True, choices=["word2vec", "word2vec-binary", "tsv"])
    export.add_argument("--out", required=True, help="file to write")
    export.set_defaults(run=_run_export)

    plot = commands.add_parser("plot", help="t-SNE map of the most frequent words, as PNG or SVG")
    plot.add_argument("model", help=_MODEL_HELP)
    plot.add_argument("--top", type=_integer, default=500, help="how many words (default 500)")
    plot.add_argument("--out", help="image to write (.png or .svg)")
    plot.add_argument("--html", metavar="FILE", help="write a self-contained interactive map (zoom, hover, search)")
    plot.add_argument("--perplexity", type=_number, default=30.0)
    plot.add_argument("--seed", type=_integer, default=1)
    plot.set_defaults(run=_run_plot)

    evaluate = commands.add_parser("evaluate", help="word-similarity and analogy benchmarks",
                                   description="Score vectors on word-pair similarity sets (Spearman, Pearson) "
                                               "and analogy sets (accuracy). With no files: WordSim-353, "
                                               "SimLex-999 and Google's analogy questions, shipped with wordvec.")
    evaluate.add_argument("model", help=_MODEL_HELP + ", or a word2vec text/binary file")
    evaluate.add_argument("--similarity", nargs="+", metavar="FILE", help="word1<TAB>word2<TAB>score files")
    evaluate.add_argument("--analogies", nargs="+", metavar="FILE", help="': section' then 'a b c d' files")
    evaluate.add_argument("--restrict-vocab", type=_integer, default=300000,
                          help="answer analogies among the N most frequent words (default 300000)")
    evaluate.add_argument("--method", default="3cosadd", choices=["3cosadd", "3cosmul"])
    evaluate.add_argument("--json", action="store_true", help="print JSON")
    evaluate.set_defaults(run=_run_evaluate)

    phrases = commands.add_parser("phrases", help="find frequent collocations (peanut butter, green tea)")
    phrases.add_argument("corpus", nargs="*", metavar="CORPUS", help="as for train; the review sample if omitted")
    phrases.add_argument("--format", default="auto", choices=["auto", "snap", "csv", "text"])
    phrases.add_argument("--text-column", help="CSV column holding the text (default: 'Text')")
    phrases.add_argument("--min-count", type=_integer, default=5, help="ignore rarer pairs (default 5)")
    phrases.add_argument("--threshold", type=_number, default=10.0, help="score to join a pair (default 10)")
    phrases.add_argument("--passes", type=_integer, default=1, help="1 or 2 (default 1)")
    phrases.add_argument("-n", type=_integer, default=30, help="how many to print (default 30)")
    phrases.add_argument("--out", help="write every phrase and its score to this TSV file")
    phrases.set_defaults(run=_run_phrases)

    explore = commands.add_parser("explore", help="explore a model in the browser: neighbours, analogies, a word map")
    explore.add_argument("model", help=_MODEL_HELP)
    explore.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1: this machine only)")
    explore.add_argument("--port", type=_integer, default=8000, help="port (default 8000; 0: any free port)")
    explore.add_argument("--open", action="store_true", help="open the page in the web browser")
    explore.add_argument("--top", type=_integer, default=2000, help="words on the map (default 2000)")
    explore.set_defaults(run=_run_explore)

    download = commands.add_parser("download", help="fetch a dataset into the cache")
    download.add_argument("name", choices=_dataset_names())
    download.add_argument("--cache-dir", help="where to keep it (default: the per-user cache)")
    download.add_argument("--url", help="fetch from this address instead (a mirror)")
    download.set_defaults(run=_run_download)
    return parser


def _run_train(args) -> int:
    from .api import resume, train

    if args.resume:
        result = resume(args.resume, progress=not args.quiet, threads=args.threads)
        return _report_training(result)
    if not args.out:
        raise ParameterError("train needs --out DIR (or --resume DIR)")

    params = {"dim": args.dim, "window": args.window, "epochs": args.epochs, "num_words": args.num_words,
              "seed": args.seed}
    if args.engine == "native":
        params.update(negative=args.negative, min_count=args.min_count, sample=args.sample, lr=args.lr,
                      threads=args.threads, model=args.model)
    result = train(args.corpus, args.out, format=args.format, text_column=args.text_column,
                   include_summary=args.with_summary, engine=args.engine, progress=not args.quiet,
                   phrases=args.phrases, checkpoint_every=args.checkpoint_every,
                   steps_per_epoch=args.steps_per_epoch, negative_samples=args.negative_samples, **params)
    return _report_training(result)


def _report_training(result) -> int:
    speed = f", {result.words_per_second:,.0f} words/s" if result.words_per_second else ""
    loss = f", final loss {result.epoch_losses[-1]:.4f}" if result.epoch_losses else ""
    print(f"saved {len(result.vectors):,} words x {result.vectors.dim} to {result.out}{loss}{speed}")
    return 0


def _run_similar(args) -> int:
    from .api import similar

    for word, neighbours in similar(args.model, args.words, n=args.n).items():
        print(f"{word}:")
        for other, score in neighbours:
            print(f"  {other:<20} {score:.4f}")
    return 0


def _run_export(args) -> int:
    from .api import export

    path = export(args.model, args.out, args.format)
    print(f"wrote {path}")
    return 0


def _run_plot(args) -> int:
    from .io import load_model
    from .plot import plot_map

    if not args.out and not args.html:
        raise ParameterError("plot needs --out IMAGE (.png or .svg) and/or --html FILE")
    vectors = load_model(args.model, mmap=True).vectors
    if args.out:
        print(f"wrote {plot_map(vectors, args.out, top=args.top, perplexity=args.perplexity, seed=args.seed)}")
    if args.html:
        from .explore import write_html_map

        path = write_html_map(vectors, args.html, top=args.top, perplexity=args.perplexity, seed=args.seed,
                              progress=True)
        print(f"wrote {path}")
    return 0


def _run_explore(args) -> int:
    from .explore import serve

    return serve(args.model, host=args.host, port=args.port, open_browser=args.open, top=args.top)


def _run_evaluate(args) -> int:
    import json

    from .evaluate import evaluate
    from .io import load_vectors

    vectors = load_vectors(args.model, mmap=True)
    results = evaluate(vectors, similarity=args.similarity, analogies=args.analogies,
                       restrict_vocab=args.restrict_vocab, method=args.method)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for name, r in results.get("similarity", {}).items():
        print(f"{name:<20} spearman {r['spearman']:.4f}  pearson {r['pearson']:.4f}  "
              f"pairs {r['pairs']}  oov {r['oov']:.1%}")
    for name, r in results.get("analogies", {}).items():
        print(f"{name:<20} accuracy {r['accuracy']:.4f}  ({r['correct']}/{r['total']}, {args.method})")
        for section, sr in r["sections"].items():
            print(f"  {section:<28} {sr['accuracy']:.4f}  ({sr['correct']}/{sr['total']})")
    return 0


def _run_phrases(args) -> int:
    from ._atomic import atomic_open
    from .api import learn_phrases

    model = learn_phrases(args.corpus, format=args.format, text_column=args.text_column,
                          passes=args.passes, min_count=args.min_count, threshold=args.threshold)
    for phrase, score in model.top(args.n):
        print(f"{phrase.replace('_', ' '):<30} {score:10.1f}")
    if args.out:
        with atomic_open(args.out, "w", encoding="utf-8") as handle:
            for phrase, score in model.top(len(model.phrases_)):
                handle.write(f"{phrase}\t{score:.6g}\n")
    print(f"{len(model.phrases_):,} phrases")
    return 0


def _run_download(args) -> int:
    from .download import fetch

    path = fetch(args.name, cache_dir=args.cache_dir, url=args.url)
    print(path)
    return 0


def main(argv=None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except TrainingInterrupted as err:
        print(f"wordvec: {err}", file=sys.stderr)
        return 130
    except WordvecError as err:
        print(f"wordvec: error: {err}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except OSError as err:
        print(f"wordvec: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("wordvec: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
