"""The output layer: every file and folder wordvec writes goes through here.

The rules (``docs/reliability.md``, "Outputs"), each enforced by the checks
that run before any work (:func:`check_writable_file`,
:func:`check_writable_directory`) and again by the writers
(:func:`atomic_path`, :func:`atomic_open`, :func:`atomic_directory`):

1. Nothing is deleted or replaced that wordvec did not write: an existing
   folder is replaced only when it is empty or holds nothing but what wordvec
   writes there (a model, a projector export); anything else is refused.
2. An output that is, holds or lies inside one of the run's inputs is refused.
3. An output that exists and is not a regular file is written through when it
   is a character device or a FIFO (``--out /dev/null`` discards, a FIFO feeds
   its reader): opened and written in place, never renamed over. A socket,
   a block device or a folder where a file is expected is refused.
4. A symbolic link is followed: what it points to is written, the link stays.
5. A folder that cannot be renamed (the current directory or one holding it,
   a mount point) is refused, since replacing it would fail after the work.
6. The checks create nothing; folders made for an output are removed again
   when the write fails.
7. Regular files are written to a temporary name beside the target, synced and
   renamed; folders are written whole beside the target and swapped in.

>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "new" / "out.txt"
>>> with atomic_path(target) as tmp:
...     _ = tmp.write_text("done")
>>> target.read_text()
'done'
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Callable, Iterable

from .errors import OutputError, ParameterError

#: Existing non-regular files that are written in place instead of replaced.
WRITE_THROUGH = ("character device", "FIFO")

_KINDS = ((stat.S_ISDIR, "directory"), (stat.S_ISCHR, "character device"), (stat.S_ISFIFO, "FIFO"),
          (stat.S_ISSOCK, "socket"), (stat.S_ISBLK, "block device"))


class RefusedOutput(OutputError, ParameterError):
    """An output wordvec will not write there (an :class:`OutputError`, and a
    :class:`ParameterError` for the writers of :mod:`wordvec.formats`, which raised one before)."""


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _everything_is_foreign(directory: Path) -> list[str]:
    """Default owner check: only an empty folder may be replaced."""
    return sorted(os.listdir(directory))


# -- what is there ------------------------------------------------------------------

def _resolve(target: Path, what: str) -> Path:
    """``target`` absolute, with every symbolic link followed (rule 4)."""
    real = Path(os.path.realpath(target))
    if not os.path.lexists(real) and os.path.exists(target):
        # A /proc link to a pipe or socket (/dev/stdout in a pipeline): open() follows it, realpath cannot.
        return Path(os.path.abspath(target))
    if real.is_symlink():
        raise RefusedOutput(f"cannot write the {what} {target}: it is a symbolic link that leads nowhere (a loop)")
    return real


def _kind(path: Path) -> str | None:
    """What ``path`` is when it is not a regular file: ``"directory"``, ``"FIFO"``...; None for
    a regular file or nothing."""
    try:
        mode = os.stat(path).st_mode
    except OSError:  # nothing there, or nothing that can be looked at: the folder probe will say why
        return None
    return next((name for test, name in _KINDS if test(mode)), None)


def _refuse_inputs(target: Path, real: Path, inputs: Iterable, what: str) -> None:
    """Rule 2: refuse an output that is, holds or lies inside one of ``inputs``."""
    for item in inputs:
        source = Path(os.path.realpath(item))
        if real == source or _same_file(real, source):
            raise RefusedOutput(f"cannot write the {what} {target}: it is the input {item}; give another name")
        if source.is_dir() and real.is_relative_to(source):
            raise RefusedOutput(f"cannot write the {what} {target}: it lies inside the input folder {item}; "
                                "write it elsewhere")
        if source.is_relative_to(real):
            raise RefusedOutput(f"cannot write the {what} {target}: it holds the input {item}; write it elsewhere")


def _same_file(a: Path, b: Path) -> bool:
    """Whether two existing paths are one file (hard links included)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _check_replaceable(target: Path, real: Path, what: str, foreign: Callable[[Path], list[str]]) -> None:
    """Rules 1 and 5 for an existing folder ``real``."""
    try:
        cwd = Path(os.path.realpath(os.getcwd()))
    except OSError:  # the current directory was deleted: it cannot be the target
        cwd = None
    if cwd is not None and cwd.is_relative_to(real):
        where = "the current directory" if cwd == real else "a folder holding the current directory"
        raise RefusedOutput(f"cannot write the {what} {target}: it is {where}, which cannot be replaced; "
                            "give a new folder name")
    if os.path.ismount(real):
        raise RefusedOutput(f"cannot write the {what} {target}: it is a mount point, which cannot be replaced; "
                            "give a new folder inside it")
    others = foreign(real)
    if others:
        shown = ", ".join(map(_shown_name, others[:3])) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        raise RefusedOutput(f"cannot write the {what} {target}: it holds other files ({shown}) that wordvec "
                            "did not write; choose a new or empty directory")


def _shown_name(name: str) -> str:
    """A file name as one line shows it: quoted if it holds control characters, cut after 40 characters."""
    shown = repr(name) if any(ord(c) < 32 or ord(c) == 127 for c in name) else name
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _probe_folder(folder: Path, what: str) -> None:
    """Check that a file can be made in ``folder``, creating nothing that stays (rule 6)."""
    existing, missing = folder, []
    while not existing.exists() and existing != existing.parent:
        missing.append(existing)
        existing = existing.parent
    if not existing.is_dir():
        raise RefusedOutput(f"cannot write {what}: cannot create {missing[-1] if missing else folder} "
                            f"({existing} is not a directory)")
    try:
        fd, probe = tempfile.mkstemp(prefix=".wordvec-probe-", dir=existing)
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        if missing:
            raise RefusedOutput(f"cannot write {what}: cannot create {missing[-1]} ({err.strerror or err})") from None
        raise RefusedOutput(f"cannot write {what}: {folder} does not take new files ({err.strerror or err})") from None


# -- the checks before any work ----------------------------------------------------------

def check_writable_file(target, what: str = "output file", *, inputs: Iterable = ()) -> Path:
    """Raise :class:`OutputError` unless a file can be written at ``target``.

    Checked before any work, creating nothing: ``target`` (its link followed)
    must be a regular file, nothing yet, a character device or a FIFO (rule 3);
    it must not be, hold or lie inside one of ``inputs``; and its folder must
    exist or be creatable and take new files. Returns ``target`` as a Path.

    >>> import tempfile
    >>> check_writable_file(tempfile.mkdtemp())
    Traceback (most recent call last):
    ...
    wordvec.outputs.RefusedOutput: cannot write the output file ...: it is a directory; give a file name
    """
    target = Path(target)
    real = _resolve(target, what)
    kind = _kind(real)
    if kind == "directory":
        raise RefusedOutput(f"cannot write the {what} {target}: it is a directory; give a file name")
    if kind is not None and kind not in WRITE_THROUGH:
        raise RefusedOutput(f"cannot write the {what} {target}: it is a {kind}; give a regular file")
    _refuse_inputs(target, real, inputs, what)
    if kind is None:
        _probe_folder(real.parent, f"the {what} {target}")
    return target


def check_writable_directory(target, what: str = "output directory", *, inputs: Iterable = (),
                             foreign: Callable[[Path], list[str]] = _everything_is_foreign) -> Path:
    """Raise :class:`OutputError` unless a folder can be (re)written at ``target``.

    ``target`` (its link followed) may not exist yet, or be a folder that
    ``foreign`` finds nothing foreign in (the names it returns are what
    wordvec did not write there; by default anything is foreign, so only an
    empty folder is replaced), that is not the current directory, nor holds
    it, nor is a mount point. It must not be, hold or lie inside one of
    ``inputs``. Nothing is created. Returns ``target`` as a Path.
    """
    target = Path(target)
    real = _resolve(target, what)
    kind = _kind(real)
    if real.exists() and kind != "directory":
        raise RefusedOutput(f"cannot write the {what} {target}: a file of that name exists")
    _refuse_inputs(target, real, inputs, what)
    if kind == "directory":
        _check_replaceable(target, real, what, foreign)
    _probe_folder(real.parent, f"the {what} {target}")
    return target


# -- the writers -------------------------------------------------------------------

def make_folders(folder) -> list[Path]:
    """Create ``folder`` and its missing parents; returns those created, outermost first."""
    folder = Path(folder)
    missing = []
    while not os.path.lexists(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    created = []
    try:
        for path in reversed(missing):
            os.mkdir(path)
            created.append(path)
    except FileExistsError:
        pass  # made by someone else meanwhile: not ours to remove
    except BaseException:
        remove_folders(created)
        raise
    return created


def remove_folders(created: list[Path]) -> None:
    """Remove the folders :func:`make_folders` created, innermost first, while they are empty."""
    for path in reversed(created):
        try:
            os.rmdir(path)
        except OSError:
            return


@contextlib.contextmanager
def atomic_path(target, suffix: str = "", *, what: str = "output file"):
    """Yield the path to write for ``target``; on success it is ``target``.

    A regular file (or nothing yet) is written to a temporary name beside
    ``target``, synced and renamed onto it; on any exception the temporary
    file, and the folders made for it, are removed and ``target`` is
    untouched. A character device or FIFO is yielded itself and written in
    place (rule 3); its write errors become one-line :class:`OutputError`.
    A symbolic link is followed. ``suffix`` keeps an extension on the
    temporary name for libraries that choose a format from it (matplotlib).
    """
    given = Path(target)
    real = _resolve(given, what)
    kind = _kind(real)
    if kind in WRITE_THROUGH:
        try:
            yield real
        except OSError as err:
            raise OutputError(f"cannot write the {what} {given}: {err.strerror or err}") from None
        return
    if kind is not None:
        raise RefusedOutput(f"cannot write the {what} {given}: it is a {kind}; give a regular file")
    created = make_folders(real.parent)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{real.name}.", suffix=suffix or ".tmp", dir=real.parent)
    except BaseException:
        remove_folders(created)
        raise
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, real)
    except BaseException:
        tmp.unlink(missing_ok=True)
        remove_folders(created)
        raise


@contextlib.contextmanager
def atomic_open(target, mode: str = "w", *, what: str = "output file", **kwargs):
    """Open ``target`` for writing through :func:`atomic_path`: it is replaced only if the block succeeds."""
    with atomic_path(target, suffix=Path(target).suffix, what=what) as path:
        with open(path, mode, **kwargs) as handle:
            yield handle


@contextlib.contextmanager
def atomic_directory(target, what: str = "output directory", *,
                     foreign: Callable[[Path], list[str]] = _everything_is_foreign):
    """Yield an empty staging folder beside ``target``; on success it replaces ``target`` whole.

    An existing ``target`` must pass :func:`check_writable_directory`'s owner
    rules (checked here again, just before writing). On any exception the
    staging folder, and the folders made for it, are removed and ``target``
    is untouched. A symbolic link is followed (the folder it points to is
    replaced; the link stays).
    """
    given = Path(target)
    real = _resolve(given, what)
    kind = _kind(real)
    if real.exists() and kind != "directory":
        raise RefusedOutput(f"cannot write the {what} {given}: a file of that name exists (not a directory)")
    if kind == "directory":
        _check_replaceable(given, real, what, foreign)
    created = make_folders(real.parent)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{real.name}.", dir=real.parent))
    except BaseException:
        remove_folders(created)
        raise
    try:
        yield staging
        os.chmod(staging, 0o777 & ~current_umask())
        _swap_in(staging, real)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        remove_folders(created)
        raise


def _swap_in(staging: Path, directory: Path) -> None:
    """Put ``staging`` in place of ``directory``. Between the two renames a crash
    leaves the old version as ``.NAME.old.*``; :func:`recover_directory` puts it back."""
    if not directory.exists():
        os.replace(staging, directory)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{directory.name}.old.", dir=directory.parent))
    os.rmdir(retired)
    os.replace(directory, retired)
    os.replace(staging, directory)
    shutil.rmtree(retired, ignore_errors=True)


def recover_directory(directory, marker: str) -> None:
    """Restore the previous version of a folder whose swap (:func:`atomic_directory`) was cut short:
    the newest ``.NAME.old.*`` beside it that holds ``marker``."""
    directory = Path(os.path.realpath(directory))
    if directory.exists() or not directory.parent.is_dir():
        return
    retired = sorted(directory.parent.glob(f".{directory.name}.old.*"), key=lambda p: p.stat().st_mtime)
    if retired and (retired[-1] / marker).exists():
        os.replace(retired[-1], directory)
