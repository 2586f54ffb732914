"""The guardian of a batch: a small process that outlives the ``ccgmodels report`` that
started it only to say, if that process dies without finishing (``kill -9``, the OOM killer),
that its remaining reports were interrupted.

:func:`start` launches ``python -m ccgmodels.batch.guardian OUT`` in its own session and hands
it, as JSON lines on its standard input, the batch's pending index records, then the name of
each report as it finishes, then ``{"end": true}``. When its input closes without that end
line, the batch died: the guardian waits for the output folder's lock (free once the batch
process is gone; workers get SIGTERM from the kernel when their parent dies and install nothing
after it), clears the staging the batch left, and rewrites ``index.html`` and ``compare.html``
with every unfinished report "interrupted". Then it exits; it never runs longer than the batch
plus :data:`GRACE` seconds.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .folderlock import FolderLock, Held

#: how long the guardian waits for the lock after the batch died [s]
GRACE = 30.0


class Guardian:
    """The batch's end of the pipe to its guardian process."""

    def __init__(self, out: Path, order: list[str], baseline: str | None, pending: dict):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ccgmodels.batch.guardian", str(out)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, close_fds=True)
        self._send({"order": order, "baseline": baseline, "pending": pending})

    def _send(self, message: dict) -> None:
        try:
            self.proc.stdin.write((json.dumps(message, default=str) + "\n").encode())
            self.proc.stdin.flush()
        except (OSError, ValueError):  # the guardian is gone: nothing to tell it
            pass

    def finished(self, name: str) -> None:
        self._send({"finished": name})

    def end(self) -> None:
        """The batch ended by its own hand (done or interrupted): the guardian has no work."""
        self._send({"end": True})
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()


def start(out: Path, order: list[str], baseline: str | None, pending: dict) -> Guardian | None:
    """Start the guardian of a batch writing ``out`` (None where it cannot start)."""
    try:
        return Guardian(out, order, baseline, pending)
    except OSError:
        return None


def _take_lock(out: Path, timeout: float) -> FolderLock | None:
    """The output folder's lock (the batch's, :func:`ccgmodels.batch.outdir.locked`), held,
    or None when it is still held after ``timeout`` seconds or is a symbolic link."""
    path = out / ".lock"
    if path.is_symlink():
        return None
    lock = FolderLock(path)
    try:
        lock.acquire(timeout=timeout, poll=0.2)
    except Held:
        return None
    return lock


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    state: dict = {"pending": {}, "order": [], "baseline": None}
    ended = False
    for line in sys.stdin.buffer:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("end"):
            ended = True
            break
        if "pending" in message:
            state.update(message)
        if "finished" in message:
            state["pending"].pop(message["finished"], None)
    if ended:
        return 0
    lock = _take_lock(out, GRACE)  # the batch is dead once its lock is free
    if lock is None:
        return 1
    try:
        from . import outdir, pages

        outdir.clear_staging(out)
        current = {name: {**rec, "status": "interrupted"}
                   for name, rec in state["pending"].items()}
        pages.write_pages(out, pages.collect(out, current, state["order"]),
                          baseline=state["baseline"], compare=True)
    finally:
        lock.release()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
