"""``ccgmodels app``: the explorer as a web page for people without Python, served by Voila.

Voila runs the package's ``data/templates/explorer_app.ipynb`` (one cell:
:func:`ccgmodels.outputs.widgets.app`) in a kernel per open page and shows its widgets with no
code. The server listens on localhost only, and the page fetches nothing from outside it: the
package's Voila template ``ccgmodels`` (``data/templates/voila/templates/ccgmodels``) is Voila's
lab template without its links to a CDN's icon font, which Voila already serves itself.

It is safe to leave running (:mod:`ccgmodels.app.voila_server`): the page needs the token
printed in its URL, a request naming another host is refused, and a page's kernel (about
150 MB) is stopped when the page goes away: at once by the page's own script, else
:data:`GONE_TIMEOUT` seconds after its last message once no page is connected (a page
fetched by a script, a crashed browser), and after :data:`IDLE_TIMEOUT` seconds of an open page
sending nothing.

The scenario and the folder saved scenarios go to reach the kernel through the environment
(:data:`~ccgmodels.outputs.explorer.ENV_SCENARIO`, :data:`~ccgmodels.outputs.explorer.ENV_FOLDER`),
both resolved here, against the folder ``ccgmodels app`` was started in.

Voila is the optional ``app`` extra (``pip install 'ccgmodels[app]'``); it runs in a child
process (``python -m ccgmodels.app.voila_server``), never imported here.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from importlib import resources
from pathlib import Path

from ..inputs.loading import CURRENT_PLAN, bundled_scenarios, check
from ..outputs.explorer import ENV_FOLDER, ENV_SCENARIO, default_folder

#: the installed package's folder: its templates, and the kernel's PYTHONPATH
PACKAGE_DIR = Path(str(resources.files("ccgmodels")))
NOTEBOOK = PACKAGE_DIR / "data" / "templates" / "explorer_app.ipynb"
#: a Jupyter data folder holding ``voila/templates/ccgmodels``
TEMPLATES = PACKAGE_DIR / "data" / "templates"
TEMPLATE = "ccgmodels"
HOST = "127.0.0.1"
#: Voila's usual port, used when it is free
PORT = 8866
#: seconds to wait for the server to listen
START_TIMEOUT = 60
#: seconds a kernel lives once no page is connected to it, after its last message: a page
#: connects within seconds of Voila rendering it [s]
GONE_TIMEOUT = 60
#: seconds an open page may send nothing before its kernel is stopped [s]
IDLE_TIMEOUT = 3600
#: seconds between the checks of the two timeouts [s]
CULL_INTERVAL = 10


class AppError(Exception):
    """Why the app cannot start: printed as is."""


def free_port(preferred: int = PORT) -> int:
    """``preferred`` if nothing listens on it on localhost, else a port the system picks."""
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise AppError("no free port on localhost")


def command(port: int, gone: int = GONE_TIMEOUT, idle: int = IDLE_TIMEOUT,
            interval: int = CULL_INTERVAL) -> list[str]:
    """The command line serving the explorer on ``HOST:port``: Voila with a token
    (``--token``: the one :func:`environment` passes), the Host check and kernels stopped
    ``gone`` seconds after their page went away or ``idle`` seconds after it last sent
    anything, checked every ``interval`` seconds (:mod:`ccgmodels.app.voila_server`)."""
    kernels = "SessionKernels"
    return [sys.executable, "-m", "ccgmodels.app.voila_server", str(NOTEBOOK),
            "--no-browser", f"--port={port}", f"--Voila.ip={HOST}", "--Voila.port_retries=0",
            f"--template={TEMPLATE}", "--theme=light",
            "--VoilaConfiguration.show_tracebacks=True", "--token",
            f"--VoilaConfiguration.multi_kernel_manager_class=ccgmodels.app.voila_server."
            f"{kernels}", f"--{kernels}.gone_timeout={gone}",
            f"--{kernels}.cull_idle_timeout={idle}", f"--{kernels}.cull_interval={interval}"]


def new_token() -> str:
    """A token for the app's URL: 48 hex digits, as Jupyter Server makes them."""
    return secrets.token_hex(24)


def environment(scenario: str, folder: Path, token: str) -> dict[str, str]:
    """The server's (and so the kernel's) environment: the template folder on JUPYTER_PATH,
    what to show and where to save, and the server's ``token`` (``JUPYTER_TOKEN``, which the
    server drops once read: never on its command line, where other users could read it)."""
    env = dict(os.environ)
    env["JUPYTER_TOKEN"] = token
    env["JUPYTER_PATH"] = os.pathsep.join(
        [str(TEMPLATES), *filter(None, [env.get("JUPYTER_PATH")])])
    env[ENV_SCENARIO], env[ENV_FOLDER] = scenario, str(folder)
    # the kernel imports the package from wherever this process found it
    package_root = str(PACKAGE_DIR.parent)
    env["PYTHONPATH"] = os.pathsep.join([package_root, *filter(None, [env.get("PYTHONPATH")])])
    return env


def resolve_scenario(scenario: str) -> str:
    """A bundled name as is, a file as an absolute path (the kernel runs elsewhere).

    Raises
    ------
    AppError
        If the scenario is not valid, with its problems.
    """
    source = scenario
    if scenario not in bundled_scenarios() or Path(scenario).is_file():
        source = str(Path(scenario).resolve())
    _, _, problems = check(source)
    if problems:
        raise AppError("\n".join(str(p) for p in problems))
    return source


def wait_listening(port: int, proc: subprocess.Popen, timeout: float = START_TIMEOUT) -> None:
    """Return once something accepts connections on ``HOST:port``.

    Raises
    ------
    AppError
        If the server exits first or does not listen within ``timeout`` [s].
    """
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise AppError(f"voila exited with status {proc.returncode} before listening")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            if s.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.1)
    raise AppError(f"voila did not listen on {HOST}:{port} within {timeout:.0f} s")


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def serve(scenario: str = CURRENT_PLAN, port: int | None = None,
          folder: str | Path | None = None, out=sys.stdout) -> int:
    """Serve the explorer until interrupted; prints the URL once the server listens.

    Parameters
    ----------
    scenario : str
        Bundled scenario name or scenario file shown first.
    port : int, optional
        Port on localhost (default :data:`PORT`, or a free one when it is taken).
    folder : str or Path, optional
        Where save-as writes (default :func:`~ccgmodels.outputs.explorer.default_folder`).

    Returns
    -------
    int
        0 after Ctrl-C, else Voila's exit status.

    Raises
    ------
    AppError
        If Voila is not installed, the scenario is invalid or the server does not start.
    """
    if importlib.util.find_spec("voila") is None:
        raise AppError("the app needs Voila: pip install 'ccgmodels[app]'")
    source = resolve_scenario(scenario)
    target = Path(folder).resolve() if folder else default_folder()
    port = port or free_port()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops Voila too, as Ctrl-C does
    started = time.monotonic()
    token = new_token()
    proc = subprocess.Popen(command(port), env=environment(source, target, token))
    try:
        wait_listening(port, proc)
        print(f"ccgmodels app: {source} at http://{HOST}:{port}/?token={token} (started in "
              f"{time.monotonic() - started:.1f} s; saves to {target}; Ctrl-C stops)",
              file=out, flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
