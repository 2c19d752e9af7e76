"""What the benchmark scripts share: child processes, peak memory, and writing the report.

Each measured run happens in a child process of its own (the same script run
with ``--child KIND --child-out FILE``), so each peak resident memory is that
run's alone; the child writes its result as JSON to ``FILE``.
"""

from __future__ import annotations

import json
import shutil
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED_DATA = HERE.parent.parent / "shared" / "data"
BENCH_CORPUS = SHARED_DATA / "corpora" / "bench_en.txt.gz"


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_child(script: str, kind: str, flags: list[str], env=None) -> dict:
    """Run ``script --child kind flags...`` in a new interpreter and return the JSON it writes."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out_path = handle.name
    try:
        completed = subprocess.run([sys.executable, script, "--child", kind, "--child-out", out_path] + flags,
                                   env=env)
        if completed.returncode != 0:
            raise SystemExit(f"child {kind} {' '.join(flags)} failed with status {completed.returncode}")
        with open(out_path) as handle:
            return json.load(handle)
    finally:
        os.unlink(out_path)


def run_measured(command: list[str], env=None, stdout=None) -> dict:
    """Run a whole command as a child process and measure it as a user would see it.

    Returns ``{"seconds": wall seconds from start to exit, "peak_rss_mib": peak resident
    memory}``. The peak comes from ``os.wait4``, the child's own resource usage: its
    ``ru_maxrss`` is the largest of the child and every descendant it waited for (what
    ``getrusage(RUSAGE_CHILDREN)`` gives for all of a process's children together), so it
    is this command's process tree alone. On Linux a child inherits its parent's peak
    through exec, so the caller should stay small. ``stdout``: as for ``subprocess.Popen``
    (``subprocess.DEVNULL`` to hide it). Exits with a message if the command fails.
    """
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=stdout)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, command))} failed with status {process.returncode}")
    return {"seconds": seconds, "peak_rss_mib": usage.ru_maxrss / 1024.0}


def warm_up_wordvec(tokens: Path, workdir: Path, command_for, lines: int = 2000) -> float:
    """Run a wordvec command once on the first ``lines`` lines of the token file, so that the file
    and the kernel library sit in the page cache before the timed runs; returns its seconds.
    ``command_for(sample, out)`` gives the command for the sample file and a model
    directory; both are removed afterwards."""
    sample, out = workdir / "warm_up.txt", workdir / "warm_up_model"
    with open(tokens, encoding="utf-8") as source, open(sample, "w", encoding="utf-8") as handle:
        for _, line in zip(range(lines), source):
            handle.write(line)
    try:
        return run_measured(command_for(sample, out), stdout=subprocess.DEVNULL)["seconds"]
    finally:
        shutil.rmtree(out, ignore_errors=True)
        sample.unlink()


def run_child_measured(script: str, kind: str, flags: list[str], env=None) -> dict:
    """:func:`run_child`, timed and with the peak memory of its process tree (:func:`run_measured`):
    the JSON the child writes, plus ``process_seconds`` and ``process_peak_rss_mib``."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out_path = handle.name
    try:
        measured = run_measured([sys.executable, script, "--child", kind, "--child-out", out_path] + flags, env=env)
        with open(out_path) as handle:
            result = json.load(handle)
    finally:
        os.unlink(out_path)
    result.update(process_seconds=measured["seconds"], process_peak_rss_mib=measured["peak_rss_mib"])
    return result


def write_child_result(path: str, result: dict) -> None:
    with open(path, "w") as handle:
        json.dump(result, handle)


def tokenized_documents(corpus):
    """The corpus read and tokenized by wordvec's own pipeline; empty documents left out."""
    from wordvec.readers import iter_documents
    from wordvec.text import tokenize

    return (words for words in (tokenize(text) for text in iter_documents(corpus)) if words)


def write_token_lines(documents, path) -> tuple[int, int]:
    """Write token lists as text, one document a line; returns ``(words, documents)``."""
    words = count = 0
    with open(path, "w", encoding="utf-8") as out:
        for document in documents:
            out.write(" ".join(document) + "\n")
            words += len(document)
            count += 1
    return words, count


def first_words(documents, max_words: int | None):
    """The documents up to and including the one that reaches ``max_words`` words (all if None)."""
    seen = 0
    for document in documents:
        if max_words is not None and seen >= max_words:
            return
        seen += len(document)
        yield document


class TokenLines:
    """The documents of a file written by :func:`write_token_lines`, ``times`` times over; restartable."""

    def __init__(self, path, times: int = 1):
        self.path, self.times = path, times

    def __iter__(self):
        for _ in range(self.times):
            with open(self.path, encoding="utf-8") as handle:
                for line in handle:
                    yield line.split()


def describe_settings(s: dict) -> str:
    """The training settings of a report, as one phrase."""
    return (f"{s['model']}, dim {s['dim']}, window {s['window']}, {s['negative']} negatives, sample {s['sample']}, "
            f"min_count {s['min_count']}, {s['epochs']} epochs")


def median(values) -> float:
    """The median, NaN for no values."""
    values = list(values)
    return statistics.median(values) if values else float("nan")


def package_versions(names) -> dict:
    """Installed version of each distribution in ``names``."""
    from importlib.metadata import version

    return {name: version(name) for name in names}


def machine_description() -> str:
    """Architecture, core count and Python, as one phrase."""
    return (f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
            f"{platform.python_version()}")


def write_report(out_dir: Path, stem: str, report: dict, table: str) -> None:
    """Write ``stem.json`` and ``stem.md`` to ``out_dir`` and print the table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
    (out_dir / f"{stem}.md").write_text(table)
    print()
    print(table)
    print(f"written: {out_dir / (stem + '.json')}, {out_dir / (stem + '.md')}")
