"""Write files so that a crash never leaves a half-written one behind.

>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
>>> with atomic_path(target) as tmp:
...     _ = tmp.write_text("done")
>>> target.read_text()
'done'
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import OutputError


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(target, suffix: str = ""):
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success.

    On any exception the temporary file is removed and ``target`` is untouched.
    ``suffix`` keeps an extension on the temporary name for libraries that
    choose a format from it (matplotlib's ``savefig``).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix or ".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_open(target, mode: str = "w", **kwargs):
    """Open a temporary file for writing; it replaces ``target`` only if the block succeeds."""
    with atomic_path(target, suffix=Path(target).suffix) as tmp:
        with open(tmp, mode, **kwargs) as handle:
            yield handle


def check_writable_file(target, what: str = "output file") -> Path:
    """Raise :class:`OutputError` unless a file can be written at ``target``.

    Checked before any work: ``target`` must not be a directory, and its folder
    must exist or be creatable, and take new files (a probe file is made there
    and removed). Returns ``target`` as a Path.

    >>> import tempfile
    >>> check_writable_file(tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    wordvec.errors.OutputError: cannot write the output file ...: it is a directory; give a file name
    """
    target = Path(target)
    if target.is_dir():
        raise OutputError(f"cannot write the {what} {target}: it is a directory; give a file name")
    _probe_folder(target.parent, f"the {what} {target}")
    return target


def check_writable_directory(target, what: str = "output directory") -> Path:
    """Raise :class:`OutputError` unless a directory can be (re)written at ``target``.

    ``target`` may exist as a directory (it is replaced) or not exist yet; an
    existing file there, or a parent folder that cannot be created or written,
    is refused. Returns ``target`` as a Path.
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise OutputError(f"cannot write the {what} {target}: a file of that name exists")
    _probe_folder(target.parent, f"the {what} {target}")
    return target


def _probe_folder(folder: Path, what: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"cannot write {what}: cannot create {err.filename or folder} "
                          f"({err.strerror or err})") from None
    try:
        fd, probe = tempfile.mkstemp(prefix=".wordvec-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        raise OutputError(f"cannot write {what}: {folder} does not take new files ({err.strerror or err})") from None
