"""Render the README's headline tables from the benchmark results, so that the two never disagree.

    python benchmarks/render_readme.py            # rewrite the tables in README.md
    python benchmarks/render_readme.py --check    # exit 1 (and say which) when README.md differs

Each table sits in README.md between two marker comments::

    <!-- table:speed -->
    ...rendered text, never edited by hand...
    <!-- /table -->

and is rendered from ``benchmarks/results/*.json`` (what the benchmark scripts write) by the
function of the same name in :data:`TABLES`: ``speed``, ``quality`` and ``memory``. Every figure is
read from those files (medians as the scripts computed them; the ten-seed row averages the
``runs``), and every table names the machine the figures come from and links the full result
files. Standard library only: no wordvec, no NumPy, so the test that calls it stays instant.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import statistics
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
README = ROOT / "README.md"

#: The result files the tables read, in benchmarks/results/: key -> (file stem, the link's label).
SOURCES = {
    "gensim": ("compare_gensim_skipgram_e5_t1-2", "skip-gram"),          # 1 and 2 threads, 3 runs each
    "gensim_cbow": ("compare_gensim_cbow_e5_t1-2", "CBOW"),              # 1 and 2 threads
    "gensim_seeds": ("compare_gensim_skipgram_e5_t1", "ten seeds"),      # skip-gram, 1 thread, 10 seeds
    "gensim_whole": ("compare_gensim_whole_command_skipgram_e5_t2", "whole command"),
    "subwords": ("compare_subwords_skipgram_e5_t2", "subwords"),         # wordvec, fastText, gensim
    "subwords_shuffled": ("compare_subwords_skipgram_e5_t2_shuffled", "subwords, shuffled lines"),
    "subwords_b100k": ("compare_subwords_skipgram_e5_t2_b100k", "100,000 buckets"),
    "fullsize": ("fullsize_finefoods_e5_t2", "full-size Fine Foods"),
    "supervised": ("compare_supervised_finefoods_langid_predict_t2", "classifiers"),
    "graphs": ("compare_graphs_n20000_w2_e1_t2", "graphs and sessions"),
}

WIDTH = 110  # captions are wrapped at this width; table rows and the lines of links are not

THREADS = 2  # the thread count of the headline rows

MARKER = re.compile(r"(<!-- table:(?P<name>[a-z_]+) -->\n)(?P<body>.*?)(<!-- /table -->)", re.S)


class RenderError(Exception):
    """A results file or a README marker is missing or does not hold what a table needs."""


# ---------------------------------------------------------------------------------------------
# Reading the results


def load_results(results_dir: Path = RESULTS) -> dict:
    """Every file of :data:`SOURCES`, parsed: ``{key: json}``."""
    results = {}
    for key, (stem, _) in SOURCES.items():
        path = Path(results_dir) / f"{stem}.json"
        try:
            results[key] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise RenderError(f"{path}: missing (the README's tables read it)") from None
    return results


def _row(rows: list, **match) -> dict:
    """The one entry of ``rows`` whose fields equal ``match``."""
    found = [row for row in rows if all(row.get(k) == v for k, v in match.items())]
    if len(found) != 1:
        raise RenderError(f"expected one row with {match}, found {len(found)}")
    return found[0]


def _mean(runs: list, trainer: str, key: str) -> float:
    return statistics.mean(run[key] for run in runs if run["trainer"] == trainer)


# ---------------------------------------------------------------------------------------------
# Formatting: the same precision as the results' own Markdown tables


def words_per_s(x: float) -> str:
    return f"{x / 1e6:.3f}M"


def seconds(x: float) -> str:
    return f"{x:.1f} s"


def mib(x: float) -> str:
    return f"{x:.0f}"


def ratio(x: float) -> str:
    return f"{x:.2f}x"


def spearman(x: float) -> str:
    return f"{x:.4f}"


def percent(x: float) -> str:
    return f"{100 * x:.2f}"


def pair(ours: str, theirs: str) -> str:
    return f"{ours} / {theirs}"


def table(header: list[str], align: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table; ``align`` holds ``l`` or ``r`` per column."""
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---" if a == "l" else "---:" for a in align) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def paragraph(text: str) -> list[str]:
    """``text`` wrapped at :data:`WIDTH`, never inside a word."""
    return textwrap.wrap(text, WIDTH, break_long_words=False, break_on_hyphens=False)


def footer(results: dict, keys: list[str]) -> list[str]:
    """The machine and the other tools' versions of the files ``keys``, and links to their full tables."""
    machines = sorted({results[k]["machine"] for k in keys})
    versions: dict[str, str] = {}
    for key in keys:
        for name, version in results[key].get("versions", {}).items():
            if name in ("gensim", "fasttext", "numpy"):
                versions.setdefault(name, version.split()[0])
    shown = "".join(f"{'; ' if i == 0 else ', '}{name} {versions[name]}" for i, name in enumerate(sorted(versions)))
    links = ", ".join(f"[{SOURCES[k][1]}](benchmarks/results/{SOURCES[k][0]}.md)" for k in keys)
    return [f"Machine: {'; '.join(machines)}, shared with other work{shown}.", f"Full tables: {links}."]


# ---------------------------------------------------------------------------------------------
# The tables


def speed(results: dict) -> str:
    """Training words/s and whole commands against gensim and fastText, and the full-size job."""
    g, c, w, s, f = (results[k] for k in ("gensim", "gensim_cbow", "gensim_whole", "subwords", "fullsize"))
    rows = []
    for label, res in (("word2vec skip-gram, training words/s, vs gensim `Word2Vec`", g),
                       ("word2vec CBOW, training words/s, vs gensim `Word2Vec`", c)):
        ours = _row(res["summary"], trainer="wordvec", threads=THREADS)
        theirs = _row(res["summary"], trainer="gensim", threads=THREADS)
        rows.append([label, words_per_s(ours["words_per_second"]), words_per_s(theirs["words_per_second"]),
                     ratio(_row(res["ratios"], threads=THREADS)["speed_ratio"])])
    ours = _row(w["whole_summary"], trainer="wordvec", threads=THREADS)
    theirs = _row(w["whole_summary"], trainer="gensim", threads=THREADS)
    words = w["settings"]["whole_command_num_words"]
    rows.append([f"whole `wordvec train` command ({words:,} words) vs gensim from `LineSentence`",
                 seconds(ours["whole_seconds"]), seconds(theirs["whole_seconds"]),
                 ratio(_row(w["whole_ratios"], threads=THREADS)["whole_speedup"])])
    ours = _row(s["summary"], tool="wordvec", threads=THREADS)
    for other, name in (("fasttext", "fastText"), ("gensim", "gensim `FastText`")):
        theirs = _row(s["summary"], tool=other, threads=THREADS)
        rows.append([f"subword vectors, whole command, vs {name}", seconds(ours["whole_seconds"]),
                     seconds(theirs["whole_seconds"]),
                     ratio(_row(s["comparisons"], other=other, threads=THREADS)["whole_speedup"])])
    median, corpus, settings = f["median"], f["corpus"], f["settings"]
    rows.append([f"the tutorial's job on a full-size Fine Foods file ({corpus['reviews']:,} reviews, "
                 f"{corpus['raw_words'] / 1e6:.1f}M words, dim {settings['dim']}, {settings['epochs']} epochs)",
                 f"{seconds(median['whole_seconds'])} (training {words_per_s(median['words_per_second'])} words/s)",
                 "-", "-"])
    lines = paragraph(f"{THREADS} threads; the benchmark corpus ({g['raw_words']:,} words of English), skip-gram "
                      f"unless named, dim {g['settings']['dim']}, {g['settings']['epochs']} epochs; medians of "
                      f"{g['repeats']} runs, the tools alternating (the full-size job: {settings['repeats']} runs).")
    lines += [""] + table(["job", "wordvec", "other", "wordvec faster by"], ["l", "r", "r", "r"], rows)
    lines += [""] + footer(results, ["gensim", "gensim_cbow", "gensim_whole", "subwords", "fullsize"])
    return "\n".join(lines) + "\n"


def quality(results: dict) -> str:
    """WordSim-353, SimLex-999 and analogies, wordvec beside gensim and fastText."""
    g, seeds, w = results["gensim"], results["gensim_seeds"], results["gensim_whole"]
    rows = []

    def gensim_row(label, ours, theirs):
        rows.append([label, pair(spearman(ours["wordsim353"]), spearman(theirs["wordsim353"])),
                     pair(spearman(ours["simlex999"]), spearman(theirs["simlex999"])),
                     pair(percent(ours["analogy_shared"]), percent(theirs["analogy_shared"]))])

    gensim_row(f"skip-gram vs gensim, {THREADS} threads, medians of {g['repeats']}",
               _row(g["summary"], trainer="wordvec", threads=THREADS),
               _row(g["summary"], trainer="gensim", threads=THREADS))
    runs = seeds["runs"]
    gensim_row(f"skip-gram vs gensim, 1 thread, means of {seeds['repeats']} seeds",
               {k: _mean(runs, "wordvec", k) for k in ("wordsim353", "simlex999", "analogy_shared")},
               {k: _mean(runs, "gensim", k) for k in ("wordsim353", "simlex999", "analogy_shared")})
    gensim_row(f"whole command ({w['settings']['whole_command_num_words']:,} words) vs gensim, "
               f"{THREADS} threads",
               _row(w["whole_summary"], trainer="wordvec", threads=THREADS),
               _row(w["whole_summary"], trainer="gensim", threads=THREADS))

    for key, other, name, how in (("subwords_shuffled", "fasttext", "fastText", "lines shuffled per run"),
                                  ("subwords", "fasttext", "fastText", "the file as written"),
                                  ("subwords", "gensim", "gensim `FastText`", "the file as written")):
        res = results[key]
        ours = _row(res["summary"], tool="wordvec", threads=THREADS)["in_vocab"]
        theirs = _row(res["summary"], tool=other, threads=THREADS)["in_vocab"]
        rows.append([f"subwords vs {name}, {how}", pair(spearman(ours["wordsim353"]), spearman(theirs["wordsim353"])),
                     pair(spearman(ours["simlex999"]), spearman(theirs["simlex999"])),
                     pair(percent(ours["analogy_shared"]), percent(theirs["analogy_shared"]))])
    restrict = g["settings"]["restrict_vocab"]
    lines = paragraph("wordvec / the other tool: Spearman correlation on WordSim-353 and SimLex-999, accuracy on "
                      "Google's analogy questions (those both vocabularies cover, among the "
                      f"{restrict:,} most frequent words); word2vec scored by gensim's evaluator, subwords by "
                      "wordvec's (the same figures, `benchmarks/evaluate_vs_gensim.py`).")
    lines += [""] + table(["vectors", "WordSim-353", "SimLex-999", "analogy %"], ["l", "r", "r", "r"], rows)
    lines += [""] + footer(results, ["gensim", "gensim_seeds", "gensim_whole", "subwords", "subwords_shuffled"])
    return "\n".join(lines) + "\n"


def memory(results: dict) -> str:
    """Peak resident memory of whole jobs, wordvec against gensim and fastText."""
    g, w, s, b, f = (results[k] for k in ("gensim", "gensim_whole", "subwords", "subwords_b100k", "fullsize"))
    rows = []
    ours = _row(g["memory_summary"], trainer="wordvec", threads=THREADS)
    theirs = _row(g["memory_summary"], trainer="gensim", threads=THREADS)
    rows.append(["skip-gram training job, both streaming the token file, vs gensim", mib(ours["peak_rss_mib"]),
                 mib(theirs["peak_rss_mib"]), ratio(_row(g["memory_ratios"], threads=THREADS)["memory_ratio"])])
    ours = _row(w["whole_summary"], trainer="wordvec", threads=THREADS)
    theirs = _row(w["whole_summary"], trainer="gensim", threads=THREADS)
    rows.append(["whole `wordvec train` command vs gensim from `LineSentence`", mib(ours["peak_rss_mib"]),
                 mib(theirs["peak_rss_mib"]), ratio(_row(w["whole_ratios"], threads=THREADS)["memory_ratio"])])
    ours = _row(s["summary"], tool="wordvec", threads=THREADS)
    for other, name in (("fasttext", "fastText"), ("gensim", "gensim `FastText`")):
        theirs = _row(s["summary"], tool=other, threads=THREADS)
        rows.append([f"subword vectors, whole command, vs {name}", mib(ours["peak_rss_mib"]),
                     mib(theirs["peak_rss_mib"]),
                     ratio(_row(s["comparisons"], other=other, threads=THREADS)["peak_rss_ratio"])])
    small = _row(b["summary"], tool="wordvec", threads=THREADS)
    fasttext = _row(s["summary"], tool="fasttext", threads=THREADS)
    rows.append([f"subword vectors with `--buckets {b['settings']['buckets']}`, vs fastText "
                 f"({s['settings']['buckets']:,} buckets)",
                 mib(small["peak_rss_mib"]), mib(fasttext["peak_rss_mib"]),
                 ratio(small["peak_rss_mib"] / fasttext["peak_rss_mib"])])
    rows.append([f"the tutorial's job on a full-size Fine Foods file ({f['corpus']['reviews']:,} reviews)",
                 mib(f["median"]["peak_rss_mib"]), "-", "-"])
    lines = paragraph(f"Peak resident memory of the whole process tree, MiB, {THREADS} threads (the first row: "
                      "both trainers stream the same token file, as a job on a real corpus does).")
    lines += [""] + table(["job", "wordvec", "other", "wordvec / other"], ["l", "r", "r", "r"], rows)
    lines += [""] + footer(results, ["gensim", "gensim_whole", "subwords", "subwords_b100k", "fullsize"])
    return "\n".join(lines) + "\n"


def _training_medians(rows: list, task: str, tool: str) -> dict:
    mine = [r for r in rows if r["task"] == task and r["tool"] == tool]
    if not mine:
        raise RenderError(f"no {tool} runs of {task} in {SOURCES['supervised'][0]}.json")
    return {key: statistics.median(r[key] for r in mine) for key in ("seconds", "peak_rss_mib", "p_at_1")}


def classifier(results: dict) -> str:
    """Text classifiers: training whole commands, accuracy and memory against fastText; prediction with lid.176."""
    r = results["supervised"]
    rows = []
    names = {"finefoods": "Fine Foods review scores (568,454 reviews)", "langid": "language ID, UDHR, char n-grams"}
    for task, name in names.items():
        ours, theirs = (_training_medians(r["training"], task, tool) for tool in ("wordvec", "fasttext"))
        rows.append([f"train: {name}", f"{ours['seconds']:.1f} s, {mib(ours['peak_rss_mib'])} MiB, "
                     f"P@1 {ours['p_at_1']:.3f}", f"{theirs['seconds']:.1f} s, {mib(theirs['peak_rss_mib'])} MiB, "
                     f"P@1 {theirs['p_at_1']:.3f}", ratio(theirs["seconds"] / ours["seconds"])])
    p = r["prediction"]
    m = p["median_seconds"]
    rows.append([f"predict with `lid.176.ftz`: a list of {p['texts']:,} texts", f"{m['wordvec_list']:.2f} s",
                 f"{m['fasttext_list']:.2f} s", ratio(m["fasttext_list"] / m["wordvec_list"])])
    rows.append([f"predict with `lid.176.ftz`: one call per text, {p['loop_texts']:,} texts",
                 f"{m['wordvec_loop']:.2f} s", f"{m['fasttext_loop']:.2f} s",
                 ratio(m["fasttext_loop"] / m["wordvec_loop"])])
    diff = max(p["k1"]["max_prob_diff"], p["k5"]["max_prob_diff"])
    same = "identical" if diff == 0 else f"within {diff:.0e}"
    lines = paragraph(f"`wordvec classify` against fastText, same settings, {r['threads']} threads, medians of "
                      f"{r['repeats']} alternating runs; whole commands, peak memory, P@1 on held-out text. "
                      f"`lid.176.ftz`: top-1 labels identical on {p['k1']['same_top1']:,} of {p['texts']:,} UDHR "
                      f"paragraphs, probabilities {same}.")
    lines += [""] + table(["job", "wordvec", "fastText", "wordvec faster by"], ["l", "r", "r", "r"], rows)
    lines += [""] + footer(results, ["supervised"])
    return "\n".join(lines) + "\n"


_GRAPH_TASKS = {"graph-ns": ("graph walks, negative sampling", "macro_f1", "link_auc_cosine"),
                "graph-hs": ("graph walks, `hs=1, negative=0`", "macro_f1", "link_auc_cosine"),
                "sessions": ("item sessions, `ns_exponent=-0.5`", "macro_f1", "hit_at_10")}


def graphs(results: dict) -> str:
    """Graph walks and item sessions: gensim's Word2Vec against wordvec.compat.gensim's (lists of str)
    and wordvec.Word2Vec on int32 arrays: whole-call seconds, quality, peak memory."""
    r = results["graphs"]
    summary = r["summary"]
    rows = []
    for task, (name, first, second) in _GRAPH_TASKS.items():
        cells = {t: _row(summary, task=task, trainer=t) for t in ("gensim", "wordvec", "wordvec-int")}
        if not all(cells.values()):
            continue
        g = cells["gensim"]

        def cell(c):
            return (f"{c['seconds']:.1f} s, {c[first]:.3f} / {c[second]:.3f}, {mib(c['peak_rss_mib'])} / "
                    f"{mib(c['peak_over_import_mib'])} MiB")
        rows.append([name, cell(g), cell(cells["wordvec"]) + f" ({ratio(g['seconds'] / cells['wordvec']['seconds'])})",
                     cell(cells["wordvec-int"]) + f" ({ratio(g['seconds'] / cells['wordvec-int']['seconds'])})"])
    data = next(iter(r["data"].values()))
    o = r["options"]
    lines = paragraph(f"`Word2Vec(walks, ...)` as node2vec calls it (dim {o['dim']}, window {o['window']}, sg, "
                      f"{o['workers']} workers), whole call, medians of {o['repeats']} runs (quality: means): walks over a "
                      f"{data['graph']['nodes']:,}-node block model ({data['graph']['tokens']:,} tokens; node "
                      f"macro-F1 / link AUC) and {data['sessions']['sessions']:,} item sessions (category F1 / "
                      f"next-item hit rate); memory: process peak / peak over the imports.")
    lines += [""] + table(["task", "gensim", "wordvec.compat.gensim, lists of str", "wordvec, int32 arrays"],
                          ["l", "r", "r", "r"], rows)
    lines += [""] + footer(results, ["graphs"])
    return "\n".join(lines) + "\n"


#: The tables README.md holds, by the name in its marker.
TABLES = {"speed": speed, "quality": quality, "memory": memory, "classifier": classifier, "graphs": graphs}


# ---------------------------------------------------------------------------------------------
# README.md


def render_tables(results_dir: Path = RESULTS) -> dict[str, str]:
    """Every table of :data:`TABLES`, rendered from the results in ``results_dir``."""
    results = load_results(results_dir)
    return {name: render(results) for name, render in TABLES.items()}


def render_readme(text: str, tables: dict[str, str]) -> str:
    """``text`` with the body of each marked table replaced; every table must be marked exactly once."""
    seen = []

    def replace(match):
        name = match["name"]
        if name not in tables:
            raise RenderError(f"README.md marks an unknown table {name!r} (known: {', '.join(tables)})")
        seen.append(name)
        return match[1] + tables[name] + match[4]

    rendered = MARKER.sub(replace, text)
    missing = [name for name in tables if name not in seen]
    doubled = sorted({name for name in seen if seen.count(name) > 1})
    if missing or doubled:
        raise RenderError(f"README.md: tables not marked {missing}, marked twice {doubled} "
                          "(each needs <!-- table:NAME --> ... <!-- /table -->)")
    return rendered


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when README.md differs")
    parser.add_argument("--readme", type=Path, default=README)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    try:
        text = args.readme.read_text(encoding="utf-8")
        rendered = render_readme(text, render_tables(args.results))
    except (RenderError, OSError) as err:
        print(f"render_readme: {err}", file=sys.stderr)
        return 2
    if rendered == text:
        print(f"{args.readme}: the tables agree with {args.results}")
        return 0
    if args.check:
        sys.stdout.writelines(difflib.unified_diff(text.splitlines(True), rendered.splitlines(True),
                                                   str(args.readme), "rendered"))
        print(f"{args.readme} differs from {args.results}: run python benchmarks/render_readme.py",
              file=sys.stderr)
        return 1
    args.readme.write_text(rendered, encoding="utf-8")
    print(f"{args.readme}: tables rendered from {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
