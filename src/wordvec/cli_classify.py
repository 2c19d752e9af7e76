"""``wordvec classify``: train, predict, test, export and quantize text classifiers (parse, call one function, print).

The training options, their help and defaults come from the classifier's table
in :mod:`wordvec.params`; the jobs are :mod:`wordvec.api`'s.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from . import api
from .errors import ParameterError

_CLASSIFIER_HELP = "a classifier directory written by 'wordvec classify train', or a fastText .bin or .ftz classifier"
_READ = {"integer": int, "number": float, "choice": str, "text": str}


def _k(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


def add_classify_command(commands) -> None:
    """The ``wordvec classify`` command and its sub-commands."""
    classify = commands.add_parser("classify", help="text classifiers: train, predict, test, export, quantize "
                                                    "(fastText's supervised model)")
    jobs = classify.add_subparsers(dest="job", metavar="JOB", required=True)
    _add_train(jobs)
    _add_predict(jobs)
    _add_test(jobs)
    _add_export(jobs)
    _add_quantize(jobs)


def _add_reading(parser) -> None:
    parser.add_argument("--format", default="auto", choices=list(api.FORMATS))
    parser.add_argument("--label-column", help="table column(s) holding the labels: a name, several names "
                                               "comma-separated, or a column of lists")
    parser.add_argument("--text-column", help="table column holding the text (default: 'Text' and the like)")


def _add_train(jobs) -> None:
    train = jobs.add_parser("train", help="train a classifier on labelled text",
                            description="Train fastText's supervised classifier. Input: fastText's format (one "
                                        "text a line, labels as __label__ words), CSV / JSON lines / Parquet "
                                        "with --label-column, or SNAP reviews (the score is the label).")
    train.add_argument("corpus", nargs="+", metavar="CORPUS", help="files or folders of labelled text")
    train.add_argument("--out", required=True, help="classifier directory to write (a .ftz file with "
                                                    "--autotune-model-size)")
    _add_reading(train)
    for p in api.classifier_parameters():
        train.add_argument(p.flag, dest=p.name, type=_READ[p.kind], choices=list(p.choices) if p.choices else None,
                           default=argparse.SUPPRESS, help=p.cli_help.removeprefix("supervised engine: "))
    train.add_argument("--pretrained-vectors", metavar="PATH",
                       help="word vectors (.vec or a wordvec model) the words' rows start from")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_autotune(train)
    train.set_defaults(run=_run_train)


def _add_autotune(train) -> None:
    tune = train.add_argument_group("autotune (fastText's -autotune-*: search the settings that score best on "
                                    "validation data; settings given explicitly are kept)")
    tune.add_argument("--autotune-validation", metavar="FILE", help="labelled data to score each trial on; "
                                                                    "turns autotune on")
    tune.add_argument("--autotune-duration", metavar="SECONDS", type=float, default=None,
                      help="seconds of search (default 300); the final model is then trained on the best settings")
    tune.add_argument("--autotune-metric", metavar="METRIC", default=None,
                      help="f1 (default), f1:LABEL, precisionAtRecall:P[:LABEL] or recallAtPrecision:P[:LABEL] "
                           "(P in percent)")
    tune.add_argument("--autotune-predictions", metavar="K", type=_k, default=None,
                      help="labels predicted per validation line (default 1)")
    tune.add_argument("--autotune-model-size", metavar="SIZE", default=None,
                      help="largest model file (2M, 800k): each candidate is quantized to fit; --out is then a .ftz")


def _add_predict(jobs) -> None:
    predict = jobs.add_parser("predict", help="the most probable labels of each line",
                              description="Predict each line of FILE (or standard input, '-'), one output line "
                                          "each, as fastText's predict (or predict-prob) prints it.")
    predict.add_argument("model", help=_CLASSIFIER_HELP)
    predict.add_argument("file", metavar="FILE", help="text, one line per prediction; '-' for standard input; "
                                                      "with --out a corpus file or folder")
    predict.add_argument("-k", type=_k, default=1, help="how many labels (default 1; -1: all)")
    predict.add_argument("--threshold", type=float, default=0.0, help="leave out labels below this probability")
    shown = predict.add_mutually_exclusive_group()
    shown.add_argument("--probabilities", action="store_true", help="each label followed by its probability")
    shown.add_argument("--json", action="store_true", help="one JSON object a line: labels and probabilities")
    predict.add_argument("--threads", type=_k, default=None, help="threads (default: all cores)")
    dataset = predict.add_argument_group("a whole dataset to a file (--out)")
    dataset.add_argument("--out", help="write id, label, probability (and with -k other than 1 labels, "
                                       "probabilities) of every record to this .parquet, .jsonl or .csv, streamed; "
                                       "FILE is then any corpus: a file or folder of text, CSV, JSON lines, "
                                       "Parquet or Arrow")
    dataset.add_argument("--format", default="auto", choices=list(api.FORMATS), help="the corpus's layout")
    dataset.add_argument("--text-column", help="table column holding the text (default: 'Text' and the like)")
    dataset.add_argument("--id-column", help="table column written as 'id' (default: row numbers from 0)")
    dataset.add_argument("--resume", action="store_true", help="go on from OUT.partial, which an interrupted run "
                                                               "leaves")
    dataset.add_argument("--quiet", action="store_true", help="no progress bar")
    predict.set_defaults(run=_run_predict)


def _add_test(jobs) -> None:
    test = jobs.add_parser("test", help="precision and recall at k on labelled text",
                           description="Score a classifier on labelled text: N, P@k and R@k as fastText's test "
                                       "prints them.")
    test.add_argument("model", help=_CLASSIFIER_HELP)
    test.add_argument("file", metavar="FILE", help="labelled text (any input 'classify train' reads)")
    _add_reading(test)
    test.add_argument("-k", type=_k, default=1, help="labels predicted per line (default 1)")
    test.add_argument("--threshold", type=float, default=0.0, help="leave out labels below this probability")
    test.add_argument("--per-label", action="store_true", help="precision, recall and F1 of each label "
                                                               "(fastText's test-label)")
    test.add_argument("--confusion", metavar="IMAGE", help="write a confusion matrix picture (.png, .svg, .pdf)")
    test.add_argument("--json", action="store_true", help="print the scores as JSON")
    test.set_defaults(run=_run_test)


def _add_export(jobs) -> None:
    export = jobs.add_parser("export", help="write a classifier for fastText",
                             description="Write a classifier as a fastText .bin that fastText's load_model reads.")
    export.add_argument("model", help=_CLASSIFIER_HELP)
    export.add_argument("--format", default="fasttext", choices=list(api.CLASSIFIER_EXPORTS))
    export.add_argument("--out", required=True, help="the file to write (m.bin)")
    export.set_defaults(run=_run_export)


def _add_quantize(jobs) -> None:
    quantize = jobs.add_parser("quantize", help="shrink a classifier to a fastText .ftz (product quantization)",
                               description="Quantize a classifier as fastText's quantize does: keep the --cutoff "
                                           "words and n-grams of largest norm, optionally fine-tune them on the "
                                           "training data (--retrain --input), product-quantize the rows, and "
                                           "write a .ftz that fastText and wordvec load.")
    quantize.add_argument("model", help="a classifier directory written by 'wordvec classify train', or a fastText "
                                        ".bin classifier (not one quantized already)")
    quantize.add_argument("--out", required=True, help="the .ftz file to write")
    quantize.add_argument("--cutoff", type=_k, help="keep this many words and n-grams (largest norms first; "
                                                    "default: all)")
    quantize.add_argument("--retrain", action="store_true", help="fine-tune the rows kept on --input")
    quantize.add_argument("--input", metavar="FILE", help="the training data, for --retrain (any input "
                                                          "'classify train' reads)")
    _add_reading(quantize)
    quantize.add_argument("--qnorm", action="store_true", help="quantize the rows' norms apart")
    quantize.add_argument("--qout", action="store_true", help="quantize the output matrix too (256 labels or more)")
    quantize.add_argument("--dsub", type=_k, default=2, help="values per sub-vector (default 2)")
    quantize.add_argument("--epochs", type=_k, help="--retrain's epochs (default: the model's)")
    quantize.add_argument("--lr", type=float, help="--retrain's starting learning rate (default 0.05, "
                                                   "fastText's)")
    quantize.add_argument("--threads", type=_k, default=None, help="threads (default: all cores)")
    quantize.set_defaults(run=_run_quantize)


def _autotune_request(args) -> dict | None:
    given = {name: getattr(args, f"autotune_{name}") for name in ("duration", "metric", "predictions", "model_size")}
    given = {name: value for name, value in given.items() if value is not None}
    if args.autotune_validation is None:
        if given:
            raise ParameterError(f"--autotune-{next(iter(given)).replace('_', '-')} goes with --autotune-validation")
        return None
    return {"validation": args.autotune_validation, **given}


def _run_train(args) -> int:
    params = {p.name: getattr(args, p.name) for p in api.classifier_parameters() if hasattr(args, p.name)}
    result = api.train_classifier(args.corpus, args.out, format=args.format, label_column=args.label_column,
                                  text_column=args.text_column, pretrained_vectors=args.pretrained_vectors,
                                  progress=not args.quiet, autotune=_autotune_request(args), **params)
    info, clf = result.info, result.classifier
    if "autotune" in info:
        _print_autotune(info["autotune"], result)
    loss = f", final loss {info['epoch_losses'][-1]:.4f}" if info["epoch_losses"] else ""
    skipped = f" ({info['skipped']:,} lines without a label or a word skipped)" if info["skipped"] else ""
    print(f"saved a classifier of {len(clf.labels_):,} labels and {len(clf.model_.words):,} words to "
          f"{result.path}: {info['examples']:,} examples{skipped}{loss}")
    return 0


def _print_autotune(summary: dict, result) -> None:
    for warning in summary["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    best = " ".join(f"{name}={value}" for name, value in summary["best"].items())
    score = "nan" if summary["best_score"] is None else f"{summary['best_score']:.6f}"
    final = "nan" if summary["final_score"] is None else f"{summary['final_score']:.6f}"
    aside = summary.get("set_aside", 0)
    aside = f" ({aside} samples too slow for the time left set aside)" if aside else ""
    print(f"autotune: {summary['trials']} trials{aside}, best {summary['metric']} {score} with {best}; "
          f"the final model scores {final}")
    if result.path is not None and result.path.suffix == ".ftz":
        print(f"wrote {result.path} ({result.path.stat().st_size:,} bytes) and "
              f"{result.path.with_suffix('.autotune.json')}")


def _run_predict(args) -> int:
    if args.out:
        if args.json or args.probabilities:
            raise ParameterError("--out writes labels and probabilities in the file's own format: leave out "
                                 "--json and --probabilities")
        result = api.predict_dataset(args.model, [args.file], args.out, k=args.k, threshold=args.threshold,
                                     threads=args.threads, format=args.format, text_column=args.text_column,
                                     id_column=args.id_column, resume=args.resume, progress=not args.quiet)
        resumed = f" ({result.resumed:,} of them from the partial file)" if result.resumed else ""
        print(f"wrote the predictions of {result.rows:,} rows to {result.path}{resumed}")
        return 0
    unused = [flag for flag, value in (("--id-column", args.id_column), ("--text-column", args.text_column),
                                       ("--resume", args.resume), ("--format", args.format != "auto")) if value]
    if unused:
        raise ParameterError(f"{unused[0]} goes with --out (predictions of a whole dataset written to a file)")
    output = "json" if args.json else "probabilities" if args.probabilities else "labels"
    for line in api.predict_file(args.model, args.file, k=args.k, threshold=args.threshold, threads=args.threads,
                                 output=output):
        print(line)
    return 0


def _run_test(args) -> int:
    scores = api.score_classifier(args.model, args.file, k=args.k, threshold=args.threshold, format=args.format,
                                  label_column=args.label_column, text_column=args.text_column,
                                  per_label=args.per_label, confusion=args.confusion)
    if scores["examples"] == 0:
        raise ParameterError(f"{args.file}: no line holds a label to test against")
    if args.json:
        print(json.dumps(_no_nan(scores), indent=2))
    else:
        print(api.format_test(scores))
    if args.confusion:
        print(f"wrote {args.confusion}")
    return 0


def _no_nan(value):
    """JSON has no NaN: a score with nothing to count (no prediction of a label) becomes null."""
    if isinstance(value, dict):
        return {key: _no_nan(v) for key, v in value.items()}
    return None if isinstance(value, float) and math.isnan(value) else value


def _run_export(args) -> int:
    print(f"wrote {api.export_classifier(args.model, args.out, args.format)}")
    return 0


def _run_quantize(args) -> int:
    done = api.quantize_classifier(args.model, args.out, input=args.input, cutoff=args.cutoff, retrain=args.retrain,
                               qnorm=args.qnorm, qout=args.qout, dsub=args.dsub, epochs=args.epochs, lr=args.lr,
                               threads=args.threads, format=args.format, label_column=args.label_column,
                               text_column=args.text_column)
    kept = (f"{done['rows_kept']:,} of {done['rows']:,} input rows kept" if done["rows_kept"] < done["rows"]
            else f"all {done['rows']:,} input rows kept")
    retrained = ", fine-tuned" if done["retrained"] else ""
    print(f"wrote {done['out']} ({done['bytes']:,} bytes): {kept}{retrained}")
    return 0
