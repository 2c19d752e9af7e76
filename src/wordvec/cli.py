"""The ``wordvec`` command: parse arguments, call one public function, print.

Every choice and default shown here comes from the library (:mod:`wordvec.api`;
the training options, their help and defaults, from the table of :mod:`wordvec.params`),
so a new format, engine, export format or training parameter needs no edit in this file.

>>> main(["--version"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import json
import sys

from . import api
from .cli_classify import add_classify_command
from .errors import ParameterError, TrainingInterrupted, WordvecError

_MODEL_HELP = ("a model directory written by 'wordvec train', or a vectors file (word2vec text or binary, GloVe, "
               "TSV, fastText .vec or .bin; compressed or not)")
_LIMIT_HELP = "use only the first N words (usually the most frequent) of the model or file"


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


def _num_words(text: str):
    return None if text.lower() in ("0", "none", "all") else _integer(text)


def _switch(text: str) -> bool:
    value = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False,
             "off": False}.get(text.lower())
    if value is None:
        raise argparse.ArgumentTypeError(f"not 1/0, true/false or yes/no: {text!r}")
    return value


#: How the command line reads each kind of training parameter (:attr:`wordvec.params.Parameter.kind`).
_READERS = {"integer": _integer, "number": _number, "limit": _num_words, "choice": str, "engine": str,
            "switch": _switch}


def _add_training_options(parser) -> None:
    """One option per training parameter (:func:`wordvec.api.training_parameters`), with its help and default."""
    for p in api.training_parameters():
        choices = list(api.engines()) if p.kind == "engine" else (list(p.choices) if p.choices else None)
        parser.add_argument(p.flag, dest=p.name, type=_READERS[p.kind], choices=choices, default=argparse.SUPPRESS,
                            help=p.cli_help)


def _add_reading_options(parser) -> None:
    parser.add_argument("--format", default="auto", choices=list(api.FORMATS))
    parser.add_argument("--text-column", help="CSV (or table) column holding the text (default: 'Text')")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``wordvec`` parser; with ``command`` (a sub-command's name), only that sub-command is built.

    >>> build_parser("similar").parse_args(["similar", "model", "coffee"]).words
    ['coffee']
    """
    from . import __version__

    parser = argparse.ArgumentParser(prog="wordvec", description="Learn word embeddings from raw text and explore them.")
    parser.add_argument("--version", action="version", version=f"wordvec {__version__} (kernels: {api.backend()})")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, add_command in _COMMANDS.items():
        if command in (None, name):
            add_command(commands)
    return parser


def _add_train_command(commands) -> None:
    """The ``wordvec train`` sub-command."""
    engines = "; ".join(f"{name}: {text}" for name, text in api.engines().items())
    train = commands.add_parser("train", help="train vectors on a corpus",
                                description="Train word vectors. With no CORPUS, trains on the embedded "
                                            f"sample of 2,000 Amazon Fine Foods reviews. Engines: {engines}.")
    train.add_argument("corpus", nargs="*", metavar="CORPUS",
                       help="files (.txt, .csv, SNAP finefoods.txt, optionally compressed), folders, or a dataset "
                            f"name ({', '.join(api.datasets())})")
    train.add_argument("--out", help="model directory to write (required unless --resume); an existing one is "
                                     "replaced only if it holds a wordvec model or nothing")
    _add_reading_options(train)
    train.add_argument("--with-summary", action="store_true", help="put each review's summary before its text")
    train.add_argument("--tokenizer", default="words", choices=list(api.TOKENIZERS),
                       help="words: lower-cased words, punctuation off (default); whitespace: the tokens between "
                            "whitespace, kept as they are (graph walks, item sessions, pre-split text)")
    _add_training_options(train)
    train.add_argument("--subwords", action="store_true",
                       help="learn subword vectors (fastText-style): the same as --engine subword")
    train.add_argument("--phrases", type=int, nargs="?", const=1, default=0, metavar="PASSES",
                       help="join frequent collocations (peanut_butter) first, in 1 or 2 passes")
    train.add_argument("--checkpoint-every", type=_integer, default=None, metavar="N",
                       help="save a checkpoint in OUT/checkpoint every N epochs and on Ctrl-C")
    train.add_argument("--resume", metavar="DIR",
                       help="finish an interrupted run from DIR/checkpoint (same corpus, same settings)")
    train.add_argument("--quiet", action="store_true", help="no progress bars")
    train.set_defaults(run=_run_train)


def _add_similar_command(commands) -> None:
    """The ``wordvec similar`` sub-command."""
    similar = commands.add_parser("similar", help="nearest words by cosine similarity")
    similar.add_argument("model", help=_MODEL_HELP)
    similar.add_argument("words", nargs="+", metavar="WORD")
    similar.add_argument("-n", type=_integer, default=5, help="how many neighbours (default 5)")
    similar.add_argument("--limit", type=_integer, metavar="N", help=_LIMIT_HELP)
    similar.set_defaults(run=_run_similar)


def _add_export_command(commands) -> None:
    """The ``wordvec export`` sub-command."""
    export = commands.add_parser("export", help="write vectors for other tools",
                                 description=f"Write a model's vectors as one of: {', '.join(api.EXPORT_FORMATS)}. "
                                             "'fasttext' writes a fastText .bin model (subword models only: "
                                             "wordvec train --subwords), which fastText and gensim load.")
    export.add_argument("model", help=_MODEL_HELP)
    export.add_argument("--format", required=True, choices=list(api.EXPORT_FORMATS))
    export.add_argument("--out", required=True, help="file (or directory, for directory formats) to write; a device "
                                                     "or FIFO such as /dev/null is written in place")
    export.set_defaults(run=_run_export)


def _add_plot_command(commands) -> None:
    """The ``wordvec plot`` sub-command."""
    plot = commands.add_parser("plot", help="t-SNE map of the most frequent words, as PNG or SVG")
    plot.add_argument("model", help=_MODEL_HELP)
    plot.add_argument("--top", type=_integer, default=500, help="how many words (default 500)")
    plot.add_argument("--out", help="image to write (.png or .svg)")
    plot.add_argument("--html", metavar="FILE", help="write a self-contained interactive map (zoom, hover, search)")
    plot.add_argument("--perplexity", type=_number, default=30.0)
    plot.add_argument("--seed", type=_integer, default=1)
    plot.add_argument("--limit", type=_integer, metavar="N", help=_LIMIT_HELP)
    plot.set_defaults(run=_run_plot)


def _add_evaluate_command(commands) -> None:
    """The ``wordvec evaluate`` sub-command."""
    evaluate = commands.add_parser("evaluate", help="word-similarity and analogy benchmarks",
                                   description="Score vectors on word-pair similarity sets (Spearman, Pearson) "
                                               "and analogy sets (accuracy). With no files: WordSim-353, "
                                               "SimLex-999 and Google's analogy questions, shipped with wordvec.")
    evaluate.add_argument("model", help=_MODEL_HELP)
    evaluate.add_argument("--similarity", nargs="+", metavar="FILE", help="word1<TAB>word2<TAB>score files")
    evaluate.add_argument("--analogies", nargs="+", metavar="FILE", help="': section' then 'a b c d' files")
    evaluate.add_argument("--restrict-vocab", type=_integer, default=300000,
                          help="answer analogies among the N most frequent words (default 300000)")
    evaluate.add_argument("--method", default=api.EVALUATION_METHODS[0], choices=list(api.EVALUATION_METHODS))
    evaluate.add_argument("--limit", type=_integer, metavar="N", help=_LIMIT_HELP)
    evaluate.add_argument("--all-pairs", action="store_true",
                          help="models with subwords: score every pair, building unknown words from subwords")
    evaluate.add_argument("--json", action="store_true", help="print JSON")
    evaluate.set_defaults(run=_run_evaluate)


def _add_phrases_command(commands) -> None:
    """The ``wordvec phrases`` sub-command."""
    phrases = commands.add_parser("phrases", help="find frequent collocations (peanut butter, green tea)")
    phrases.add_argument("corpus", nargs="*", metavar="CORPUS", help="as for train; the review sample if omitted")
    _add_reading_options(phrases)
    phrases.add_argument("--min-count", type=_integer, default=5, help="ignore rarer pairs (default 5)")
    phrases.add_argument("--threshold", type=_number, default=10.0, help="score to join a pair (default 10)")
    phrases.add_argument("--passes", type=_integer, default=1, help="1 or 2 (default 1)")
    phrases.add_argument("-n", type=_integer, default=30, help="how many to print (default 30; 0: only the count)")
    phrases.add_argument("--out", help="write every phrase and its score to this TSV file")
    phrases.set_defaults(run=_run_phrases)


def _add_explore_command(commands) -> None:
    """The ``wordvec explore`` sub-command."""
    explore = commands.add_parser("explore", help="explore a model in the browser: neighbours, analogies, a word map")
    explore.add_argument("model", help=_MODEL_HELP)
    explore.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1: this machine only)")
    explore.add_argument("--port", type=_integer, default=8000, help="port (default 8000; 0: any free port)")
    explore.add_argument("--open", action="store_true", help="open the page in the web browser")
    explore.add_argument("--top", type=_integer, default=2000, help="words on the map (default 2000)")
    explore.add_argument("--limit", type=_integer, metavar="N", help=_LIMIT_HELP)
    explore.set_defaults(run=_run_explore)


def _add_download_command(commands) -> None:
    """The ``wordvec download`` sub-command."""
    download = commands.add_parser("download", help="fetch a dataset into the cache")
    download.add_argument("name", choices=api.datasets())
    download.add_argument("--cache-dir", help="where to keep it (default: the per-user cache)")
    download.add_argument("--url", help="fetch from this address instead (a mirror)")
    download.set_defaults(run=_run_download)


def _add_embed_command(commands) -> None:
    """The ``wordvec embed`` sub-command."""
    embed = commands.add_parser("embed", help="each document's vector, for a whole dataset, to a file",
                                description="Write each document's vector (fastText's print-sentence-vectors): "
                                            "for word vectors the mean of its words' unit vectors (words outside "
                                            "the vocabulary from their subwords, where the model has them), for "
                                            "a classifier the mean of its input rows. Streamed, batch by batch.")
    embed.add_argument("model", help=_MODEL_HELP + "; or a classifier")
    embed.add_argument("corpus", nargs="+", metavar="CORPUS", help="files or folders: text, SNAP, CSV, JSON lines, "
                                                                   "Parquet, Arrow")
    embed.add_argument("--out", required=True, help="the file to write: .parquet, .jsonl or .csv (id, vector)")
    _add_reading_options(embed)
    embed.add_argument("--id-column", help="table column written as 'id' (default: row numbers from 0)")
    embed.add_argument("--tokenizer", choices=list(api.SENTENCE_TOKENIZERS),
                       help="how word vectors split a text: whitespace (fastText's) or words (wordvec's); default: "
                            "the model directory's own, else whitespace")
    embed.add_argument("--resume", action="store_true", help="go on from OUT.partial, which an interrupted run leaves")
    embed.add_argument("--quiet", action="store_true", help="no progress bar")
    embed.set_defaults(run=_run_embed)


def _run_embed(args) -> int:
    result = api.embed_dataset(args.model, args.corpus, args.out, tokenizer=args.tokenizer, format=args.format,
                               text_column=args.text_column, id_column=args.id_column, resume=args.resume,
                               progress=not args.quiet)
    resumed = f" ({result.resumed:,} of them from the partial file)" if result.resumed else ""
    print(f"wrote the vectors of {result.rows:,} rows to {result.path}{resumed}")
    return 0


def _run_train(args) -> int:
    params = {p.name: getattr(args, p.name) for p in api.training_parameters() if hasattr(args, p.name)}
    if args.subwords:
        if params.get("engine", "subword") != "subword":
            raise ParameterError(f"--subwords trains the subword engine; it cannot be combined with "
                                 f"--engine {params['engine']}")
        params["engine"] = "subword"
    if args.resume:
        unused = sorted(set(params) - {"threads"})
        if unused or args.corpus or args.out:
            raise ParameterError("--resume takes the settings of the checkpoint: give only --threads and --quiet")
        result = api.resume(args.resume, progress=not args.quiet, threads=params.get("threads"))
        return _report_training(result)
    if not args.out:
        raise ParameterError("train needs --out DIR (or --resume DIR)")
    result = api.train(args.corpus, args.out, format=args.format, text_column=args.text_column,
                       include_summary=args.with_summary, progress=not args.quiet, phrases=args.phrases,
                       checkpoint_every=args.checkpoint_every, tokenizer=args.tokenizer, **params)
    return _report_training(result)


def _report_training(result) -> int:
    speed = f", {result.words_per_second:,.0f} words/s" if result.words_per_second else ""
    loss = f", final loss {result.epoch_losses[-1]:.4f}" if result.epoch_losses else ""
    print(f"saved {len(result.vectors):,} words x {result.vectors.dim} to {result.out}{loss}{speed}")
    return 0


def _run_similar(args) -> int:
    result = api.similar(args.model, args.words, n=args.n, limit=args.limit)
    for word, neighbours in result.items():
        if word in result.labels:
            print(f"{word}: (a label: the words that push a text most towards it, by dot product)")
        else:
            print(f"{word}: (not in the vocabulary: built from subwords)" if word in result.built else f"{word}:")
        for other, score in neighbours:
            print(f"  {other:<20} {score:.4f}")
    return 0


def _run_export(args) -> int:
    print(f"wrote {api.export(args.model, args.out, args.format)}")
    return 0


def _run_plot(args) -> int:
    if not args.out and not args.html:
        raise ParameterError("plot needs --out IMAGE (.png or .svg) and/or --html FILE")
    for path in api.plot(args.model, args.out, html=args.html, top=args.top, perplexity=args.perplexity,
                         seed=args.seed, limit=args.limit):
        print(f"wrote {path}")
    return 0


def _run_explore(args) -> int:
    return api.explore(args.model, host=args.host, port=args.port, open_browser=args.open, top=args.top,
                       limit=args.limit)


def _run_evaluate(args) -> int:
    results = api.evaluate(args.model, similarity=args.similarity, analogies=args.analogies,
                           restrict_vocab=args.restrict_vocab, method=args.method, limit=args.limit,
                           all_pairs=args.all_pairs)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    for name, r in results.get("similarity", {}).items():
        built = f"  built from subwords {r['subword_words']} words" if args.all_pairs else ""
        print(f"{name:<20} spearman {r['spearman']:.4f}  pearson {r['pearson']:.4f}  "
              f"pairs {r['pairs']}  oov {r['oov']:.1%}{built}")
    for name, r in results.get("analogies", {}).items():
        built = f", built from subwords {r['subword_words']} words" if args.all_pairs else ""
        print(f"{name:<20} accuracy {r['accuracy']:.4f}  ({r['correct']}/{r['total']}, {args.method}{built})")
        for section, sr in r["sections"].items():
            print(f"  {section:<28} {sr['accuracy']:.4f}  ({sr['correct']}/{sr['total']})")
    return 0


def _run_phrases(args) -> int:
    if args.n < 0:
        raise ParameterError.out_of_range("n", args.n, "an integer of at least 0 (how many phrases to print)")
    model = api.learn_phrases(args.corpus, format=args.format, text_column=args.text_column,
                              passes=args.passes, min_count=args.min_count, threshold=args.threshold,
                              out=args.out)
    for phrase, score in model.top(args.n):
        print(f"{phrase.replace('_', ' '):<30} {score:10.1f}")
    print(f"{len(model.phrases_):,} phrases")
    return 0


def _run_download(args) -> int:
    print(api.download(args.name, cache_dir=args.cache_dir, url=args.url))
    return 0


_COMMANDS = {"train": _add_train_command, "similar": _add_similar_command, "export": _add_export_command,
             "plot": _add_plot_command, "evaluate": _add_evaluate_command, "phrases": _add_phrases_command,
             "explore": _add_explore_command, "download": _add_download_command, "embed": _add_embed_command,
             "classify": add_classify_command}


def _command_named(argv: list[str]) -> str | None:
    """The sub-command ``argv`` names, if it names a known one (the first argument not an option) and
    asks no help of ``wordvec`` itself before it."""
    for arg in argv:
        if arg in ("-h", "--help"):
            return None
        if not arg.startswith("-"):
            return arg if arg in _COMMANDS else None
    return None


def main(argv=None) -> int:
    """Run the command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(_command_named(argv)).parse_args(argv)
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
