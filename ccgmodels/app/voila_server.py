"""The Voila server of ``ccgmodels app``, run in the child process the app starts
(``python -m ccgmodels.app.voila_server NOTEBOOK [voila options]``): Voila as it is, but

* **a token.** The page and everything that reaches a kernel need the token the app prints in
  its URL (``?token=...``, as JupyterLab prints it): the app passes it in the environment
  (``JUPYTER_TOKEN``, with Voila's ``--token``), never on a command line other users can read,
  and it is dropped from the environment once read, so kernels do not inherit it;
* **a Host check.** A request whose ``Host`` header is not a loopback address or
  ``localhost`` is refused (403), as Jupyter Server refuses it: Voila switches the check off
  (``allow_remote_access``), and without it a web page elsewhere could reach the app by DNS
  rebinding;
* **a kernel per open page, no more.** Voila starts a kernel for every page load; the page's
  script stops it when the page goes away (a beacon on ``beforeunload``), and
  :class:`SessionKernels` stops any kernel no page is connected to after
  :attr:`~SessionKernels.gone_timeout` (a page loaded by a script, a crashed browser, a lost
  network), and one whose page stays open without a message for ``cull_idle_timeout``. The
  page's beacon needs the ``_xsrf`` cookie once the page is reached with a token, and Voila's
  page never set it: :class:`PageHandler` does (without it every beacon was refused, 403).

Voila, Jupyter Server and traitlets are imported here only: the app extra
(``pip install 'ccgmodels[app]'``); :mod:`ccgmodels.app.launch` never imports them.
"""

from __future__ import annotations

import os
import sys

from jupyter_core.utils import ensure_async
from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Integer
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler


class SessionKernels(AsyncMappingKernelManager):
    """Voila's kernels, each stopped when no page is connected to it for :attr:`gone_timeout`
    seconds, or when its page sends nothing for ``cull_idle_timeout`` seconds (the culler runs
    every ``cull_interval`` seconds; a kernel busy executing is never stopped)."""

    gone_timeout = Integer(
        60, config=True,
        help="Seconds a kernel lives with no page connected to it after its last message: long "
             "enough for a page to connect once Voila has rendered it [s]")

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        kernel = self._kernels.get(kernel_id)
        if kernel is None or not hasattr(kernel, "last_activity"):
            return
        if getattr(kernel, "execution_state", None) == "dead":
            await super().cull_kernel_if_idle(kernel_id)
            return
        if kernel.execution_state == "busy":  # still rendering its page, or computing
            return
        connected = self._kernel_connections.get(kernel_id, 0) > 0
        limit = self.cull_idle_timeout if connected else self.gone_timeout
        idle = (utcnow() - kernel.last_activity).total_seconds()
        if idle > limit:
            self.log.info("Stopping kernel %s: %s for %.0f s", kernel_id,
                          "its page idle" if connected else "no page connected", idle)
            await ensure_async(self.shutdown_kernel(kernel_id))


class PageHandler(TornadoVoilaHandler):
    """Voila's page, which also sets the ``_xsrf`` cookie: the page's script sends it back with
    the beacon that stops its kernel when the page goes away, and Jupyter Server refuses the
    beacon without it once the page is reached with a token (Voila's page never sets it)."""

    async def prepare(self, *args, **kwargs):
        await super().prepare(*args, **kwargs)
        self.xsrf_token  # noqa: B018 - reading it sets the cookie


class SessionVoila(Voila):
    """Voila with the Host check on, the token kept out of the kernels' environment and the
    page setting the cookie its kernel's shutdown needs."""

    def init_handlers(self) -> list:
        return [(h[0], PageHandler, *h[2:]) if h[1] is TornadoVoilaHandler else h
                for h in super().init_handlers()]

    def init_settings(self) -> dict:
        settings = super().init_settings()
        # Jupyter Server's check of the Host header (JupyterHandler.check_host): loopback
        # addresses and "localhost" only; Voila turns it off
        settings["allow_remote_access"] = False
        settings["local_hostnames"] = ["localhost"]
        _ = self.identity_provider.token  # read JUPYTER_TOKEN now, then forget it
        os.environ.pop("JUPYTER_TOKEN", None)
        return settings


def main(argv: list[str] | None = None) -> None:
    """Run the server with Voila's command line ``argv``."""
    SessionVoila.launch_instance(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
