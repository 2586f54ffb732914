"""Chunks of Monte Carlo runs over local worker processes, their results taken in chunk order.

A pool of ``workers`` processes is started for one call and ended with it, whatever happens
(a chunk that raises, Ctrl-C; on Linux a worker is killed with the process that started it,
even by ``kill -9``): no process outlives the command. The work's shared inputs (the
scenario, the seed, what is made once) reach each worker once, when it starts: inherited by
``fork`` where the platform has it, else pickled to a ``spawn``ed worker. Each chunk's result
comes back as soon as it is done, and is given out in chunk order, so whatever the caller adds
up is added in the same order as one process would (identical numbers); at most
``2 * workers`` chunks are handed out ahead of the one awaited, so results waiting for an
earlier chunk stay few.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

_shared: tuple = ()  # the worker's shared inputs (set once, when it starts)
_task: Callable | None = None


def _start(task: Callable, shared: tuple, parent: int) -> None:
    global _task, _shared
    _task, _shared = task, shared
    if sys.platform.startswith("linux"):  # killed with the process that started it (even
        # by kill -9, which leaves it no moment to end its workers)
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # it had already gone
            os._exit(1)


def _run(a: int, b: int) -> Any:
    return _task(*_shared, a, b)


def context() -> multiprocessing.context.BaseContext:
    """``fork`` where the platform has it (Linux: Python 3.11's own default, and the one that
    needs no ``if __name__ == "__main__"`` guard in a script or a notebook), else ``spawn``
    (macOS, Windows: the caller's script needs that guard)."""
    return multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def ordered_map(task: Callable, shared: tuple, bounds: Sequence[tuple[int, int]],
                workers: int) -> Iterator[Any]:
    """``task(*shared, a, b)`` for each ``(a, b)`` of ``bounds`` on ``workers`` processes,
    given out in the order of ``bounds``. ``task`` must be a module-level function.

    Raises
    ------
    RuntimeError
        When a worker process died (killed, out of memory), naming the chunk.
    """
    ex = ProcessPoolExecutor(max_workers=workers, mp_context=context(), initializer=_start,
                             initargs=(task, shared, os.getpid()))
    ahead = 2 * workers
    pending: deque = deque()
    todo = iter(bounds)
    awaited = bounds[0] if bounds else (0, 0)
    try:
        for a, b in todo:
            pending.append(((a, b), ex.submit(_run, a, b)))
            if len(pending) >= ahead:
                break
        while pending:
            awaited, future = pending.popleft()
            result = future.result()
            for nxt in todo:  # hand out the next before giving this one out
                pending.append((nxt, ex.submit(_run, *nxt)))
                break
            yield result
    except BrokenProcessPool as e:
        a, b = awaited
        raise RuntimeError(f"a worker process ended while evaluating runs {a}..{b - 1}: "
                           "killed, out of memory (try fewer workers or a smaller "
                           "chunk_budget), or it could not start (a spawned worker imports "
                           "the caller's script: it needs an if __name__ == '__main__' "
                           "guard)") from e
    finally:
        for _, future in pending:
            future.cancel()
        ex.shutdown(wait=True, cancel_futures=True)
