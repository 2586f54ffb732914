"""The output folder's lock, ``OUT/.lock``, from the standard library alone.

The lock is the operating system's: :func:`fcntl.flock` of the whole file on POSIX, and
:func:`msvcrt.locking` of its first byte on Windows, the same locks the ``filelock`` package
takes, so a process using either sees the other's. The kernel drops it when its holder dies
(``kill -9`` included): no stale lock is ever left to clean up. The file is opened without
following a symbolic link, never truncated and never deleted.
"""

from __future__ import annotations

import errno
import os
import sys
import time
from pathlib import Path


class Held(Exception):
    """Another process holds the lock (still, after the time allowed)."""


def _try_lock(fd: int) -> bool:
    """Lock the open file ``fd`` if no other open file holds it (True), else False."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:  # EACCES (or EDEADLOCK): locked by another process
            if exc.errno in (errno.EACCES, getattr(errno, "EDEADLOCK", errno.EDEADLK)):
                return False
            raise
        return True
    import fcntl  # POSIX only: imported here, never at the top (Windows has none)

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # EWOULDBLOCK: locked by another open file
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


class FolderLock:
    """An exclusive lock on the file ``path`` (created when missing, left in place)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._fd: int | None = None

    def acquire(self, timeout: float = 0.0, poll: float = 0.2) -> None:
        """Take the lock, waiting up to ``timeout`` seconds (0: not at all), checking every
        ``poll`` seconds; :class:`Held` when it is not free by then. Any other refusal (a
        symbolic link, a read-only folder) is the :class:`OSError` itself."""
        flags = (os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
                 | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0))
        fd = os.open(self.path, flags, 0o644)
        deadline = time.monotonic() + timeout
        try:
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise Held(str(self.path))
                time.sleep(poll)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        """Give the lock back (nothing when not held)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                _unlock(fd)
            finally:
                os.close(fd)
