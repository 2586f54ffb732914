"""The Jupyter kernel of a batch worker: started once, reset to a known state before every
report, recycled after :data:`RECYCLE_AFTER` reports, and tied to the worker's life.

Reset (:data:`RESET`, run before each report): the kernel moves into the report's staging
folder first (so a folder deleted after a failure is never its working folder), then IPython's
namespace is reset and every piece of process state a report could change is put back as it was
when the kernel started: matplotlib's figures and ``rcParams``, pandas' options, numpy's error
state and global random state, Python's ``random`` state, the environment, ``sys.path`` and the
warning filters. What the reset cannot reach (a module a notebook imported and changed, memory
it fragmented) is cleared by recycling: a fresh kernel every :data:`RECYCLE_AFTER` reports.

Processes: a worker dies with its parent (``PR_SET_PDEATHSIG`` on Linux and a thread watching
the parent's pid elsewhere, plus a check before every install, :func:`_parent_alive`); a kernel
dies with its worker (jupyter_client sets ``JPY_PARENT_PID`` and ipykernel polls it).
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import functools
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: reports one kernel makes before it is replaced by a fresh one [count]
RECYCLE_AFTER = 20
#: environment of every report kernel: one thread per kernel, the pool gives the parallelism
KERNEL_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "NUMEXPR_NUM_THREADS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
              "MPLBACKEND": "module://matplotlib_inline.backend_inline"}

#: run in a fresh kernel, once: what "as it started" means for the reset
SNAPSHOT = """\
import sys as _sys
if "_ccgmodels_kernel_state" not in _sys.modules:
    import os, random, types, warnings
    import matplotlib, matplotlib.pyplot, numpy, pandas
    _st = types.ModuleType("_ccgmodels_kernel_state")
    _st.rc = matplotlib.rcParams.copy()
    _st.env, _st.path = dict(os.environ), list(_sys.path)
    _st.filters = list(warnings.filters)
    _st.np_err, _st.np_rng = numpy.geterr(), numpy.random.get_state()
    _st.py_rng = random.getstate()
    _sys.modules["_ccgmodels_kernel_state"] = _st
    del os, random, types, warnings, matplotlib, numpy, pandas, _st
    try:  # what every report imports, once per kernel (state it sets is in the snapshot)
        import ccgmodels.outputs.report, ccgmodels.outputs.workbook
    except ImportError:  # another template's kernel, without ccgmodels
        pass
del _sys
"""
RESET = """\
import os as _os
_os.chdir({folder!r})
get_ipython().reset(new_session=True)
def _ccgmodels_reset():
    import os, random, sys, warnings
    import matplotlib, matplotlib.pyplot, numpy, pandas
    st = sys.modules["_ccgmodels_kernel_state"]
    matplotlib.pyplot.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.update(st.rc)
        pandas.reset_option("all")
    os.environ.clear()
    os.environ.update(st.env)
    sys.path[:] = st.path
    warnings.filters[:] = st.filters
    warnings._filters_mutated()
    numpy.seterr(**st.np_err)
    numpy.random.set_state(st.np_rng)
    random.setstate(st.py_rng)
_ccgmodels_reset()
get_ipython().reset(new_session=True)
__import__("gc").freeze()
"""

_KERNELS: dict[int, Any] = {}
_MADE: dict[int, int] = {}
_PARENT: list[int] = []


def _kernel():
    """This thread's kernel, started on first use and reused for the next report, until it
    dies or has made :data:`RECYCLE_AFTER` reports.

    An AsyncKernelManager, as nbclient expects: with a blocking client nbclient cannot notice a
    dead kernel or a cell timeout while it waits for output.
    """
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    me = threading.get_ident()
    km = _KERNELS.get(me)
    if km is not None and _MADE.get(me, 0) >= RECYCLE_AFTER:
        _discard_kernel()
        km = None
    if km is not None and run_sync(km.is_alive)():
        return km
    if km is not None:
        _discard_kernel()
    km = AsyncKernelManager(kernel_name="python3")
    run_sync(km.start_kernel)(env={**os.environ, **KERNEL_ENV}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    _KERNELS[me], _MADE[me] = km, 0
    return km


def _count_report() -> None:
    me = threading.get_ident()
    _MADE[me] = _MADE.get(me, 0) + 1


def _shutdown(km) -> None:
    from jupyter_core.utils import run_sync

    try:
        run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001 - a dead kernel cannot be shut down twice
        pass
    try:
        run_sync(km.cleanup_resources)()
    except Exception:  # noqa: BLE001
        pass
    ctx = getattr(km, "context", None)
    if ctx is not None and not ctx.closed:
        ctx.destroy(linger=0)  # its sockets: a replaced kernel leaves none open


def _discard_kernel() -> None:
    me = threading.get_ident()
    _MADE.pop(me, None)
    km = _KERNELS.pop(me, None)
    if km is not None:
        _shutdown(km)


@atexit.register
def _shutdown_kernels() -> None:
    for km in list(_KERNELS.values()):
        _shutdown(km)
    _KERNELS.clear()


#: seconds a kernel may take to answer its first request: generous, for a busy machine
READY_TIMEOUT = 120
#: attempts at starting a kernel that dies or does not answer before a report fails
START_ATTEMPTS = 3


async def wait_ready(kc, timeout: float = READY_TIMEOUT) -> None:
    """Wait until the kernel of client ``kc`` (blocking or async) answers: a ``kernel_info``
    request is replied to on the shell channel and its ``idle`` status has arrived on IOPub
    (so IOPub is connected and drained up to that request).

    jupyter_client's ``wait_for_ready`` ends with a fixed 0.2 s of IOPub silence, on every
    report; this waits on those two conditions only. The request is sent again every second
    until then (a kernel still starting, an IOPub subscription not yet joined).

    Raises
    ------
    RuntimeError
        If the kernel dies or does not answer within ``timeout`` seconds.
    """
    import time
    from queue import Empty

    from jupyter_core.utils import ensure_async

    async def first(channel, sent: str, until: float, wanted) -> bool:
        """Whether a message answering ``sent`` that is ``wanted`` arrives by ``until``."""
        while (left := until - time.monotonic()) > 0:
            try:
                msg = await ensure_async(channel.get_msg(timeout=left))
            except Empty:
                return False
            if msg.get("parent_header", {}).get("msg_id") == sent and wanted(msg):
                return True  # anything else: an earlier attempt's, or from before
        return False

    deadline = time.monotonic() + timeout
    while True:
        sent = kc.kernel_info()
        until = min(time.monotonic() + 1.0, deadline)
        if (await first(kc.shell_channel, sent, until,
                        lambda m: m["msg_type"] == "kernel_info_reply")
                and await first(kc.iopub_channel, sent, until,
                                lambda m: m["msg_type"] == "status"
                                and m["content"].get("execution_state") == "idle")):
            return
        if not await ensure_async(kc.is_alive()):
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() >= deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")


def _execute(kc, code: str, timeout: float) -> None:
    """Run ``code`` silently in the kernel of blocking client ``kc`` and wait for its reply
    on the shell channel (no IOPub: nothing is shown)."""
    import time
    from queue import Empty

    sent = kc.execute(code, silent=True, store_history=False)
    deadline = time.monotonic() + timeout
    while True:
        try:
            reply = kc.get_shell_msg(timeout=max(deadline - time.monotonic(), 0.01))
        except Empty:
            raise RuntimeError(f"kernel reset took over {timeout:.0f} s") from None
        if reply.get("parent_header", {}).get("msg_id") == sent:
            break
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"kernel reset failed: {reply['content'].get('evalue')}")


def _prepare(km, folder: Path | None, timeout: float = READY_TIMEOUT) -> None:
    """Reset the kernel to its state at start (:data:`RESET`) in ``folder``; with ``folder``
    None, only take that state (:data:`SNAPSHOT`, what :func:`warm` does)."""
    from jupyter_client.blocking import BlockingKernelClient
    from jupyter_core.utils import run_sync

    kc = BlockingKernelClient()
    kc.load_connection_info(km.get_connection_info())
    kc.start_channels()
    try:
        run_sync(wait_ready)(kc, timeout)
        for code in (SNAPSHOT, *([RESET.format(folder=str(folder))] if folder else [])):
            _execute(kc, code, timeout)
    finally:
        kc.stop_channels()
        if not kc.context.closed:
            kc.context.destroy(linger=0)


#: the thread started by :func:`warm`, by the thread whose kernel it warms
_WARMING: dict[int, threading.Thread] = {}


def warm() -> None:
    """Start this thread's kernel now and, in a thread of its own, wait for it and take its
    state at start (:data:`SNAPSHOT`, with the report's imports), while this one goes on (a
    pool worker: its own imports, its first task). The first :func:`ready_kernel` waits for
    it; a kernel that failed to warm is replaced there as at any start."""
    from jupyter_client.blocking import BlockingKernelClient  # noqa: F401 (imported here:
    # a thread importing while the worker is told to stop could wait for ever on the lock)

    km = _kernel()

    def snapshot() -> None:
        try:
            _prepare(km, None)
        except Exception:  # noqa: BLE001 - ready_kernel finds it dead and replaces it
            pass

    thread = threading.Thread(target=snapshot, name="ccgmodels-kernel-warm", daemon=True)
    _WARMING[threading.get_ident()] = thread
    thread.start()


def ready_kernel(folder: Path):
    """This thread's kernel, answering and reset in ``folder``: a kernel that dies or does not
    answer at start is replaced, up to :data:`START_ATTEMPTS` times (a busy machine)."""
    warming = _WARMING.pop(threading.get_ident(), None)
    if warming is not None:
        warming.join(READY_TIMEOUT)
    for attempt in range(1, START_ATTEMPTS + 1):
        km = _kernel()
        try:
            _prepare(km, folder)
            return km
        except RuntimeError:
            _discard_kernel()
            if attempt == START_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


@contextmanager
def report_kernel(folder: Path) -> Iterator[Any]:
    """This thread's kernel for one report, reset in ``folder`` (:func:`ready_kernel`), its
    clients closed after (:func:`closing_clients`); counted towards :data:`RECYCLE_AFTER`
    when the block ends, discarded when it raises an error (a failed report never leaves
    state for the next one)."""
    km = ready_kernel(folder)
    try:
        with closing_clients(km):
            yield km
    except Exception:  # not on SIGTERM's SystemExit: the worker unwinds at once, its kernel
        _discard_kernel()  # following it (atexit, and ipykernel watching its parent)
        raise
    _count_report()


@contextmanager
def closing_clients(km) -> Iterator[None]:
    """Close every kernel client made from ``km`` inside the block.

    nbclient, given a kernel manager it does not own (ours, kept for the next report), starts a
    client of it for each notebook and never stops that client's channels: five zmq sockets and
    the executed notebook kept alive per report (issue #15: a worker grew 31 -> 320 MB over 40
    reports). The manager's ``client`` is wrapped for the block so each one made is stopped,
    and waits for its kernel with :func:`wait_ready`.
    """
    made: list = []
    original = km.client

    def client(*args, **kwargs):
        kc = original(*args, **kwargs)
        kc.wait_for_ready = functools.partial(wait_ready, kc)  # no fixed 0.2 s per report
        made.append(kc)
        return kc

    km.client = client
    try:
        yield
    finally:
        del km.client  # the class's method again
        for kc in made:
            try:
                kc.stop_channels()
            except Exception:  # noqa: BLE001 - a client of a dead kernel may be half-closed
                pass


def _die_with_parent(sig: int | None = None) -> None:
    """Ask Linux to send ``sig`` (SIGKILL) to this process when its parent dies
    (PR_SET_PDEATHSIG); elsewhere the watching thread does it alone."""
    if not sys.platform.startswith("linux"):
        return
    sig = signal.SIGKILL if sig is None else sig
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, int(sig), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _watch_parent(interval: float = 0.5) -> None:
    """Exit at once when the parent has gone, wherever the worker is (a thread: nbclient
    replaces signal handlers while a notebook runs, and a pool worker whose parent died would
    otherwise wait for the next task for ever)."""
    import time

    while _parent_alive():
        time.sleep(interval)
    os._exit(143)


def _worker_init(parent: int | None = None) -> None:
    """Pool workers leave Ctrl-C to the parent and unwind (cleaning up) on SIGTERM or SIGHUP.
    When the parent (pid ``parent``) dies, however it dies (kill -9 included), the worker is
    killed (``PR_SET_PDEATHSIG``; a watching thread elsewhere): its kernel follows within a
    second (ipykernel polls its parent), and the batch's guardian clears its staging."""
    _PARENT[:] = [parent or os.getppid()]
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if hasattr(signal, "SIGHUP"):  # POSIX only
        signal.signal(signal.SIGHUP, lambda *_: sys.exit(129))
    _die_with_parent()
    if not _parent_alive():  # died before the request took effect
        os._exit(143)
    threading.Thread(target=_watch_parent, name="ccgmodels-parent-watch", daemon=True).start()


def _parent_alive() -> bool:
    """False when this is a pool worker whose parent (the batch) has gone."""
    return not _PARENT or os.getppid() == _PARENT[0]
