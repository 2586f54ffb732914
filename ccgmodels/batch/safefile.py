"""The safe writer's rules for one file a command writes (``ccgmodels workbook -o``), as
:mod:`ccgmodels.batch.outdir` applies them to an output folder (issue #25): nothing ccgmodels
did not write is replaced without ``--force``, the file a command reads never, and nothing is
written through a link, folder, FIFO or device; a replaced file keeps its permissions.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from .outdir import UnsafeOutput, _our_workbook

#: the first line of every scenario YAML ``ccgmodels workbook import`` writes
IMPORT_HEAD = b"# Written by `ccgmodels workbook import`"


def ours_file(path: Path) -> bool:
    """Whether the single file ``path`` is one ccgmodels wrote and nobody has saved since, by
    what it is: an ``.xlsx`` by its document properties (:func:`_our_workbook`), a scenario
    YAML by the first line ``workbook import`` writes."""
    if Path(path).suffix.lower() == ".xlsx":
        return _our_workbook(path, unedited=True)
    try:
        with open(path, "rb") as fh:
            return fh.read(len(IMPORT_HEAD)) == IMPORT_HEAD
    except OSError:
        return False


def check_file(path: Path, *, force: bool = False, reads: tuple = (),
               ours: Callable[[Path], bool] = ours_file) -> int | None:
    """The safe writer's rules for one file a command writes (``workbook -o``): refuse
    (:class:`UnsafeOutput`, naming it) a symbolic link, a folder, a FIFO, socket or device (a
    write would go through it or fail half way), a file the command reads (``reads``), and,
    unless ``force``, an existing file ccgmodels did not write (``ours``).

    Returns the permission bits to keep when a file is replaced (None: no file there).
    """
    import stat

    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:  # a name too long, a file where a folder should be
        raise UnsafeOutput(f"{path}: cannot be written: {exc.strerror}") from None
    if stat.S_ISLNK(st.st_mode):
        raise UnsafeOutput(f"{path} is a symbolic link: ccgmodels never writes through one; "
                           "remove it or choose another file")
    if stat.S_ISDIR(st.st_mode):
        raise UnsafeOutput(f"{path} is a folder: name the file to write")
    if not stat.S_ISREG(st.st_mode):
        raise UnsafeOutput(f"{path} is not a regular file (a FIFO, socket or device): "
                           "ccgmodels never writes through one; choose another file")
    for source in reads:
        try:
            same = os.path.samefile(path, source)
        except (OSError, TypeError, ValueError):
            same = False
        if same:
            raise UnsafeOutput(f"{path} is the file this command reads: it is never "
                               "overwritten; choose another file")
    if not force and not ours(path):
        raise UnsafeOutput(f"{path} exists and was not written by ccgmodels (or was saved "
                           "since); refusing to replace it: choose another file, or pass "
                           "--force to replace it")
    return stat.S_IMODE(st.st_mode)


def write_file(path: Path, write: Callable[[Path], object], *, force: bool = False,
               reads: tuple = ()) -> Path:
    """Write ``path`` through ``write(tmp)`` on a temporary file beside it, moved into place
    when complete (:func:`~ccgmodels.batch.outdir.write_atomic`), after :func:`check_file`;
    a replaced file keeps its permissions. Any refusal or file-system error is an
    :class:`~ccgmodels.batch.outdir.UnsafeOutput` naming ``path``."""
    from .outdir import write_atomic

    mode = check_file(path, force=force, reads=reads)
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return write_atomic(Path(path), write, 0o644 if mode is None else mode)
    except OSError as exc:  # the folder cannot be made or written (read-only, full, a file)
        raise UnsafeOutput(f"{path}: cannot be written: {exc.strerror or exc}") from None
