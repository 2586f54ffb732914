"""The log of a batch: ``OUT/batch-<UTC time>.log`` beside ``index.html``, one file per
``ccgmodels report``, the newest :data:`KEEP` kept.

A batch's messages go through the stdlib :mod:`logging` hierarchy under ``ccgmodels`` (module
loggers, ``logging.getLogger(__name__)``). :func:`batch_log` attaches a UTF-8 file handler to
the ``ccgmodels`` logger for the duration of a batch (ISO time, level, message) and removes and
closes it at the end, however the batch ends; :func:`console` shows the same messages as plain
lines on stderr (or to a callable), written between the redraws of a progress bar. A record
may carry ``console``: False keeps it out of the console (what only the log needs), a text is
shown there instead of its message.

The batch opens its log only once it holds the output folder's lock and the folder's checks have
passed. A log is created exclusively (never over a file, never through a symbolic link), and
:func:`prune` deletes only regular files named like a batch log whose first line says a batch
of ccgmodels wrote it; nothing else in the folder is touched. Folder checks, ``verify`` and the
index ignore the logs: they are files at the top of OUT, where only the pages are checked.
"""

from __future__ import annotations

import logging
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ..inputs.limits import terminal
from ..version import version

LOGGER = "ccgmodels"
#: batch logs kept in an output folder, the newest
KEEP = 10
#: a batch log's name: its UTC start time, and a number when two batches start in one second
NAME = re.compile(r"\Abatch-(\d{8}T\d{6}Z)(?:-([0-9]{1,3}))?\.log\Z")
#: the first message of every batch log, by which :func:`prune` knows the file is one
HEAD = "batch log of ccgmodels"
_FIRST_LINE = re.compile(rb"\A\S+ INFO " + re.escape(HEAD.encode()) + rb" ")
_log = logging.getLogger(__name__)


class _Formatter(logging.Formatter):
    """``<ISO time, UTC, ms> <LEVEL> <message>``."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(message)s")

    def formatMessage(self, record):
        record.message = terminal(record.message)  # one line a message: none forged
        return super().formatMessage(record)

    def formatTime(self, record, datefmt=None):
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class _File(logging.FileHandler):
    """The batch's log file; a write that fails (a full disk) is said once, not per line."""

    failed = False

    def handleError(self, record):
        if not self.failed:
            self.failed = True
            print(f"batch log {self.baseFilename}: cannot be written: {sys.exc_info()[1]}",
                  file=sys.stderr)


def console_text(record: logging.LogRecord) -> str | None:
    """What the console shows of ``record`` (None: nothing)."""
    text = getattr(record, "console", True)
    if text is False:
        return None
    # a scenario's title or key reaches the terminal escaped, never as escape sequences
    return terminal(record.getMessage() if text is True else str(text))


class _Console(logging.Handler):
    """Plain messages to stderr, or to ``sink``, between the redraws of any progress bar."""

    def __init__(self, sink: Callable[[str], object] | None = None):
        super().__init__(logging.INFO)
        self.sink = sink

    def emit(self, record):
        try:
            text = console_text(record)
            if text is None:
                return
            from tqdm import tqdm

            with tqdm.external_write_mode():  # clears a bar on stdout or stderr, then redraws
                if self.sink is not None:
                    self.sink(text)
                else:
                    sys.stderr.write(text + "\n")
                    sys.stderr.flush()
        except Exception:  # noqa: BLE001 - logging's rule: a handler never raises
            self.handleError(record)


@contextmanager
def _info(logger: logging.Logger) -> Iterator[None]:
    """``logger`` passes INFO records while the block runs."""
    old = logger.level
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.setLevel(old)


@contextmanager
def _attached(handler: logging.Handler) -> Iterator[logging.Handler]:
    logger = logging.getLogger(LOGGER)
    with _info(logger):
        logger.addHandler(handler)
        try:
            yield handler
        finally:
            logger.removeHandler(handler)
            handler.close()


def console(sink: Callable[[str], object] | None = None):
    """Show the ``ccgmodels`` messages as plain lines on stderr (or to ``sink``) while the
    block runs: the command line's output."""
    return _attached(_Console(sink))


def _open(out: Path) -> tuple[Path, _File]:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for n in range(1, 1000):
        path = out / (f"batch-{stamp}.log" if n == 1 else f"batch-{stamp}-{n}.log")
        try:  # "x": O_EXCL, so never over a file nor through a symbolic link
            handler = _File(path, mode="x", encoding="utf-8")
        except FileExistsError:
            continue
        handler.setFormatter(_Formatter())
        handler.setLevel(logging.INFO)
        return path, handler
    raise FileExistsError(f"{out}: a batch log of {stamp} exists 999 times over")


@contextmanager
def batch_log(out: Path, options: Mapping[str, object]) -> Iterator[Path | None]:
    """Write the ``ccgmodels`` messages to a new log of this batch in ``out`` while the block
    runs, its first line the package version and ``options``; prune the older logs. Yields
    the log's path (None when it cannot be made: the batch goes on without it)."""
    out = Path(out)
    try:
        path, handler = _open(out)
    except OSError as exc:
        _log.warning(f"batch log not written: {exc}")
        yield None
        return
    with _attached(handler):
        _log.info(f"{HEAD} {version()}: report into {out}; "
                  + ", ".join(f"{k} {v}" for k, v in options.items()), extra={"console": False})
        prune(out, current=path)
        try:
            yield path
        except KeyboardInterrupt:
            _log.warning("batch interrupted", extra={"console": False})
            raise
        except BaseException as exc:
            _log.error(f"batch stopped: {type(exc).__name__}: {exc}", extra={"console": False})
            raise


def _ours(path: Path) -> bool:
    """Whether ``path`` is a batch log ccgmodels wrote (its first line says so)."""
    try:
        with open(path, "rb") as fh:
            return bool(_FIRST_LINE.match(fh.read(512)))
    except OSError:
        return False


def logs(out: Path) -> list[Path]:
    """The batch logs in ``out`` that ccgmodels wrote, oldest first."""
    found = []
    try:
        entries = list(Path(out).iterdir())
    except OSError:
        return []
    for entry in entries:
        m = NAME.match(entry.name)
        if m and not entry.is_symlink() and entry.is_file() and _ours(entry):
            found.append(((m[1], int(m[2] or 1)), entry))
    return [p for _, p in sorted(found)]


def latest(out: Path) -> str | None:
    """The file name of the newest batch log in ``out`` (None: none)."""
    found = logs(out)
    return found[-1].name if found else None


def prune(out: Path, keep: int = KEEP, current: Path | None = None) -> list[Path]:
    """Delete all but the newest ``keep`` batch logs of ``out`` (never ``current``, never a
    file ccgmodels did not write); returns those deleted."""
    found = logs(out)
    removed = []
    for path in found[:max(len(found) - max(keep, 1), 0)]:
        if path == current:
            continue
        try:
            path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


def say_once() -> Callable[[Path, str], None]:
    """A ``corrupt`` callback for :func:`ccgmodels.batch.pages.collect` that warns once per
    file in a batch (the index is rebuilt after every report)."""
    said: set[str] = set()

    def say(path: Path, why: str) -> None:
        if str(path) not in said:
            said.add(str(path))
            _log.warning(f"{path}: set aside, not in the index: {why} (move it away or "
                         "remove it; the batch goes on)")

    return say


def tally(counts: Counter, total: int) -> str:
    """The tally of a batch in the words of its summary line."""
    settled = sum(counts[k] for k in ("ok", "unchanged", "failed", "invalid"))
    return (f"{counts['ok']} made, {counts['unchanged']} unchanged, {counts['failed']} failed, "
            f"{counts['invalid']} invalid, {total - settled} to go")


def progress(total: int, enabled: bool | None):
    from tqdm import tqdm

    disable = (not sys.stderr.isatty()) if enabled is None else not enabled
    return tqdm(total=total, unit="report", desc="reports", file=sys.stderr, disable=disable,
                dynamic_ncols=True)
