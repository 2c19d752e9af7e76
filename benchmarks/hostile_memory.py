"""Peak memory of wordvec on hostile inputs (issue 26: unbounded reading, defects 3 and 4).

Each command runs as ``python -m wordvec ...`` in a child process of its own; its peak resident
memory is the child's ``ru_maxrss`` from ``os.wait4`` (this script imports neither numpy nor wordvec
and never holds an input in memory, so the child does not inherit a larger peak). The inputs are made
in a temporary folder, deleted at the end:

- ``bomb.gz``: 1 GiB of spaces without a line feed, gzip-compressed as it is streamed (about 1 MB);
- ``sparse.txt``: the packaged review sample as text, then a hole up to 10 GiB (``truncate -s``:
  NUL bytes that take no disk);
- ``/dev/zero``, and a 1-epoch model of the packaged sample (``base``) to evaluate.

Cases: ``train bomb.gz``, ``train sparse.txt``, ``evaluate base --similarity /dev/zero`` and
``evaluate base --analogies bomb.gz``, each with a time limit, and two ordinary runs for reference
(training ``base``, evaluating it on the packaged sets). Writes
``benchmarks/results/hostile_memory.json``.

    python benchmarks/hostile_memory.py [--bomb-mib 1024] [--sparse-gib 10] [--timeout 300]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "src" / "wordvec" / "data" / "finefoods" / "finefoods_sample.txt.gz"
_CHUNK = 1 << 20


def write_space_bomb(path: Path, mib: int) -> None:
    """``mib`` MiB of spaces, no line feed, gzip-compressed a MiB at a time (never all in memory)."""
    spaces = b" " * _CHUNK
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    with open(path, "wb") as out:
        for _ in range(mib):
            out.write(compressor.compress(spaces))
        out.write(compressor.flush())


def write_sparse_file(path: Path, gib: int) -> None:
    """The packaged review sample as text, then a hole up to ``gib`` GiB (NUL bytes, no disk used)."""
    with gzip.open(SAMPLE, "rb") as source, open(path, "wb") as out:
        while chunk := source.read(_CHUNK):
            out.write(chunk)
    os.truncate(path, gib << 30)


def run_case(name: str, args: list[str], shown: str, timeout: float, cwd: Path) -> dict:
    """Run ``python -m wordvec args`` in ``cwd``; its exit code, peak memory, seconds and last error line."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen([sys.executable, "-m", "wordvec", *args], cwd=cwd,
                                   stdout=subprocess.DEVNULL, stderr=errors)
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        process.returncode = code = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        stderr = errors.read().decode("utf-8", "replace").strip().splitlines()
    result = {"case": name, "command": shown, "exit_code": code, "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
              "seconds": round(seconds, 2), "timed_out": code == -9, "stderr_lines": len(stderr),
              "stderr_last_line": stderr[-1][:300] if stderr else ""}
    print(f"{name:<34} exit {code:>3}  peak {result['peak_rss_mib']:>8.1f} MiB  {seconds:6.1f} s  "
          f"{result['stderr_last_line'][:110]}", flush=True)
    return result


def cases(bomb_mib: int, sparse_gib: int) -> list[tuple[str, list[str], str]]:
    """(name, arguments, command as reported) of each run, in order (``base`` is trained first).

    The commands run in the folder of the inputs, so their messages name ``bomb.gz`` and ``sparse.txt``.
    """
    bomb, sparse = "bomb.gz", "sparse.txt"
    return [
        ("reference: train base", ["train", "--out", "base", "--epochs", "1", "--quiet"],
         "wordvec train --out base --epochs 1 --quiet"),
        ("reference: evaluate base", ["evaluate", "base"], "wordvec evaluate base"),
        ("train bomb.gz", ["train", bomb, "--out", "out_bomb", "--epochs", "1", "--quiet"],
         f"wordvec train bomb.gz --out out_bomb --epochs 1 --quiet  # {bomb_mib} MiB of spaces, no line feed"),
        ("train sparse.txt", ["train", sparse, "--out", "out_sparse", "--epochs", "1", "--quiet"],
         f"wordvec train sparse.txt --out out_sparse --epochs 1 --quiet  # text, then a hole to {sparse_gib} GiB"),
        ("evaluate --similarity /dev/zero", ["evaluate", "base", "--similarity", "/dev/zero"],
         "wordvec evaluate base --similarity /dev/zero"),
        ("evaluate --analogies bomb.gz", ["evaluate", "base", "--analogies", bomb],
         "wordvec evaluate base --analogies bomb.gz"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bomb-mib", type=int, default=1024, help="spaces in bomb.gz, in MiB (default 1024)")
    parser.add_argument("--sparse-gib", type=int, default=10, help="size of sparse.txt, in GiB (default 10)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds before a run is killed")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "hostile_memory.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wordvec-hostile-") as tmp:
        folder = Path(tmp)
        write_space_bomb(folder / "bomb.gz", args.bomb_mib)
        write_sparse_file(folder / "sparse.txt", args.sparse_gib)
        sizes = {"bomb.gz": (folder / "bomb.gz").stat().st_size, "sparse.txt": (folder / "sparse.txt").stat().st_size}
        results = [run_case(name, argv, shown, args.timeout, folder)
                   for name, argv, shown in cases(args.bomb_mib, args.sparse_gib)]
    report = {
        "what": "peak resident memory of wordvec commands on hostile inputs (os.wait4 ru_maxrss of the child)",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
                   f"{platform.python_version()}, {platform.system()} {platform.release()}",
        "inputs": {"bomb.gz": f"{args.bomb_mib} MiB of spaces, no line feed, gzip: {sizes['bomb.gz']:,} bytes",
                   "sparse.txt": f"the packaged review sample as text, then NUL bytes (a hole) up to "
                                 f"{sizes['sparse.txt']:,} bytes"},
        "timeout_seconds": args.timeout,
        "cases": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
