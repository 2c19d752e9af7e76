"""What the benchmark scripts share: child processes, peak memory, and writing the report.

Each measured run happens in a child process of its own (the same script run
with ``--child KIND --child-out FILE``), so each peak resident memory is that
run's alone; the child writes its result as JSON to ``FILE``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
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


def write_child_result(path: str, result: dict) -> None:
    with open(path, "w") as handle:
        json.dump(result, handle)


def tokenized_documents(corpus):
    """The corpus read and tokenized by wordvec's own pipeline; empty documents left out."""
    from wordvec.corpus import iter_documents
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


def write_report(out_dir: Path, stem: str, report: dict, table: str) -> None:
    """Write ``stem.json`` and ``stem.md`` to ``out_dir`` and print the table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
    (out_dir / f"{stem}.md").write_text(table)
    print()
    print(table)
    print(f"written: {out_dir / (stem + '.json')}, {out_dir / (stem + '.md')}")
