"""``ccgmodels app`` left running: a token, a Host check, and no kernel left behind by a page
that went away (issue #25: every page load used to start a ~150 MB kernel that never stopped).

The server is started on 127.0.0.1 with the app's own command line (:func:`app.command`,
:func:`app.environment`), with a short :data:`GONE` timeout so that the test does not wait a
minute, and its pages are loaded with plain HTTP requests: the harshest client, which runs no
script and so never says it has gone. Its kernels are counted as the server's child processes.
"""

from __future__ import annotations

import http.client
import importlib.util
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ccgmodels.app import launch as app

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    importlib.util.find_spec("voila") is None or importlib.util.find_spec("psutil") is None,
    reason="needs voila and psutil: pip install -e '.[dev]'")]

#: seconds a kernel lives once its page is gone, for this test (the app's is 60); the culler's
#: interval [s]
GONE, INTERVAL = 6, 1
#: page loads, as the issue counts them
LOADS = 8
#: seconds a page may take to render, on a loaded machine [s]
RENDER = 180


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((app.HOST, 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, port: int, token: str, proc: subprocess.Popen):
        self.port, self.token, self.proc = port, token, proc

    def request(self, method: str, path: str, host: str | None = None, body: bytes = b"",
                headers: dict | None = None) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection(app.HOST, self.port, timeout=RENDER)
        try:
            conn.putrequest(method, path, skip_host=True)
            conn.putheader("Host", host or f"{app.HOST}:{self.port}")
            for k, v in (headers or {}).items():
                conn.putheader(k, v)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            r = conn.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            conn.close()

    def kernels(self) -> list:
        import psutil

        out = []
        for child in psutil.Process(self.proc.pid).children(recursive=True):
            try:
                if "ipykernel" in " ".join(child.cmdline()):
                    out.append(child)
            except psutil.NoSuchProcess:
                continue
        return out

    def wait_kernels(self, most: int, timeout: float) -> int:
        end = time.monotonic() + timeout
        while (n := len(self.kernels())) > most and time.monotonic() < end:
            time.sleep(0.5)
        return n


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    port, token = _free_port(), app.new_token()
    folder = tmp_path_factory.mktemp("app_saved")
    log = (tmp_path_factory.mktemp("app_log") / "voila.log").open("w")
    proc = subprocess.Popen(app.command(port, gone=GONE, interval=INTERVAL),
                            env=app.environment("cpr_2019_20", folder, token),
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        app.wait_listening(port, proc)
        yield Server(port, token, proc)
    finally:
        import os

        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def test_the_token_is_not_on_the_command_line_and_the_url_needs_it(server):
    cmdline = " ".join(app.command(server.port))
    assert server.token not in cmdline and "--token" in cmdline
    status, headers, _ = server.request("GET", "/")
    assert status in (302, 403), status  # to the login page, or refused
    assert "token" not in headers.get("Location", "") or "login" in headers["Location"]
    assert server.kernels() == []  # nothing started for a page without the token
    status, _, _ = server.request("GET", "/?token=" + "0" * 48)
    assert status in (302, 403) and server.kernels() == []


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "192.168.1.5",
                                  "localhost.evil.example"])
def test_a_request_naming_another_host_is_refused(server, host):
    status, _, body = server.request("GET", f"/?token={server.token}", host=host)
    assert status == 403, (status, body[:200])
    assert server.kernels() == []


def test_repeated_page_loads_leave_at_most_one_kernel(server):
    import psutil

    most, rss = 0, 0
    for i in range(LOADS):
        status, headers, body = server.request("GET", f"/?token={server.token}")
        assert status == 200, status
        kernels = server.kernels()
        most = max(most, len(kernels))
        for k in kernels:
            try:
                rss = max(rss, k.memory_info().rss)
            except psutil.NoSuchProcess:
                pass
        if i % 2:  # closed as a browser closes it: the page's script asks for its kernel to stop
            kernel = re.search(rb'"kernelId":\s*"([0-9a-f-]{36})"', body)
            assert kernel, "no kernel id in the page"
            status, _, _ = server.request(
                "POST", f"/voila/api/shutdown/{kernel.group(1).decode()}?token={server.token}")
            assert status == 204
        # else dropped, as a script or a crashed browser drops it: the server stops it once
        # no page has connected for GONE seconds
    left = server.wait_kernels(0, GONE + 10 * INTERVAL + 30)
    print(f"{LOADS} loads: at most {most} kernels at once, each at most {rss / 2**20:.0f} MB; "
          f"{left} left")
    assert left <= 1
    assert most <= 4  # never one a load: a load's kernel is gone within seconds of its page
    assert server.proc.poll() is None


def test_app_prints_a_url_with_its_token(tmp_path):
    proc = subprocess.Popen(
        [__import__("sys").executable, "-m", "ccgmodels", "app", "cpr_2019_20", "--port",
         str(_free_port()), "--folder", str(tmp_path)], cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        line = proc.stdout.readline()
        assert re.search(r"http://127\.0\.0\.1:\d+/\?token=[0-9a-f]{48} ", line), line
    finally:
        import os

        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    assert Path(tmp_path).is_dir()
