"""A corpus that can be read only once (a pipe, a FIFO) is refused by the jobs that read it twice."""

from __future__ import annotations

import os
import threading

import pytest

from wordvec.cli import main


def _fifo_fed_with(tmp_path, text: str):
    fifo = tmp_path / "corpus.fifo"
    os.mkfifo(fifo)

    def feed():
        try:
            with open(fifo, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError:
            pass

    thread = threading.Thread(target=feed, daemon=True)
    thread.start()
    return fifo, thread


@pytest.mark.parametrize("args, says", [
    (["train", "{fifo}", "--phrases", "1", "--epochs", "1", "--out", "{out}"], "--phrases 1 reads the corpus 2 times"),
    (["phrases", "{fifo}", "--passes", "2"], "learning phrases in 2 passes reads the corpus 2 times"),
])
def test_a_pipe_is_refused_where_the_corpus_is_read_more_than_once(tmp_path, capsys, args, says):
    fifo, _ = _fifo_fed_with(tmp_path, "earl grey tea\n" * 50)
    out = tmp_path / "model"
    status = main([a.format(fifo=fifo, out=out) for a in args])
    err = capsys.readouterr().err.strip()
    assert status == 1
    assert err.startswith("wordvec: error:") and "is a pipe, which can be read only once" in err and says in err
    assert len(err.splitlines()) == 1
    assert not out.exists()
    with open(fifo, encoding="utf-8"):  # unblock the feeder: nothing was read
        pass


def test_a_pipe_read_once_is_fine(tmp_path, capsys):
    fifo, thread = _fifo_fed_with(tmp_path, "earl grey tea\n" * 50)
    assert main(["phrases", str(fifo), "--min-count", "2", "-n", "0"]) == 0
    thread.join(timeout=10)
