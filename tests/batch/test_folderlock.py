"""The output folder's lock from the standard library (:mod:`ccgmodels.batch.folderlock`): one
holder at a time, a wait that gives up, no symbolic link followed, nothing truncated, and the
same operating-system lock the ``filelock`` package takes (so either sees the other)."""

from __future__ import annotations

import os
import time

import pytest

from ccgmodels.batch.folderlock import FolderLock, Held


def test_one_holder_at_a_time_and_free_after_release(tmp_path):
    path = tmp_path / ".lock"
    first, second = FolderLock(path), FolderLock(path)
    first.acquire()
    with pytest.raises(Held):
        second.acquire(timeout=0)
    first.release()
    second.acquire(timeout=0)
    second.release()
    second.release()  # a second release does nothing
    assert path.is_file()  # left in place, so waiters share one file


def test_a_wait_gives_up_after_its_timeout(tmp_path):
    holder = FolderLock(tmp_path / ".lock")
    holder.acquire()
    try:
        started = time.monotonic()
        with pytest.raises(Held):
            FolderLock(tmp_path / ".lock").acquire(timeout=0.3, poll=0.05)
        assert 0.3 <= time.monotonic() - started < 5
    finally:
        holder.release()


def test_the_lock_file_is_never_truncated(tmp_path):
    path = tmp_path / ".lock"
    path.write_text("a user's text")
    lock = FolderLock(path)
    lock.acquire()
    lock.release()
    assert path.read_text() == "a user's text"


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="O_NOFOLLOW is POSIX")
def test_a_symbolic_link_is_not_followed(tmp_path):
    target = tmp_path / "elsewhere"
    (tmp_path / ".lock").symlink_to(target)
    with pytest.raises(OSError):
        FolderLock(tmp_path / ".lock").acquire()
    assert not target.exists()


def test_filelock_sees_it_and_it_sees_filelock(tmp_path):
    """``filelock`` (an older version's lock, or a tool's) and this lock exclude each other."""
    filelock = pytest.importorskip("filelock")
    path = tmp_path / ".lock"
    ours = FolderLock(path)
    ours.acquire()
    with pytest.raises(filelock.Timeout):
        filelock.FileLock(path, timeout=0).acquire()
    ours.release()
    theirs = filelock.FileLock(path, timeout=0)
    theirs.acquire()
    try:
        with pytest.raises(Held):
            FolderLock(path).acquire(timeout=0)
    finally:
        theirs.release()
