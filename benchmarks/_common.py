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


def write_report(out_dir: Path, stem: str, report: dict, table: str) -> None:
    """Write ``stem.json`` and ``stem.md`` to ``out_dir`` and print the table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n")
    (out_dir / f"{stem}.md").write_text(table)
    print()
    print(table)
    print(f"written: {out_dir / (stem + '.json')}, {out_dir / (stem + '.md')}")
