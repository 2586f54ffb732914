"""``ccgmodels app`` without a browser: what it serves, where, and how it refuses. The served
page itself is tested in headless Chromium (test_app_browser.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ccgmodels.app import launch as app
from ccgmodels.outputs.explorer import ENV_FOLDER, ENV_SCENARIO


def test_it_serves_the_package_notebook_on_localhost_with_its_template():
    cmd = app.command(8999)
    assert cmd[:4] == [sys.executable, "-m", "ccgmodels.app.voila_server", str(app.NOTEBOOK)]
    assert "--Voila.ip=127.0.0.1" in cmd and "--port=8999" in cmd and "--no-browser" in cmd
    assert f"--template={app.TEMPLATE}" in cmd
    # a token, and kernels stopped when their page goes away or idles
    assert "--token" in cmd
    assert f"--SessionKernels.gone_timeout={app.GONE_TIMEOUT}" in cmd
    assert f"--SessionKernels.cull_idle_timeout={app.IDLE_TIMEOUT}" in cmd
    template = app.TEMPLATES / "voila" / "templates" / app.TEMPLATE
    assert json.loads((template / "conf.json").read_text())["base_template"] == "lab"
    # nothing in the template points off the machine
    assert "http" not in (template / "index.html.j2").read_text()
    # the notebook is one call into the package: no logic in it
    nb = json.loads(app.NOTEBOOK.read_text())
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert len(code) == 1 and code[0].rstrip().endswith("app()")
    assert "def " not in code[0]


def test_the_kernel_is_told_what_to_show_and_where_to_save(tmp_path):
    token = app.new_token()
    env = app.environment("footprint_2019_20", tmp_path, token)
    assert env["JUPYTER_PATH"].split(os.pathsep)[0] == str(app.TEMPLATES)
    assert env["JUPYTER_TOKEN"] == token and len(token) == 48 and token != app.new_token()
    assert env[ENV_SCENARIO] == "footprint_2019_20" and env[ENV_FOLDER] == str(tmp_path)


def test_a_file_scenario_is_passed_as_an_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.yaml").write_text("extends: cpr_2019_20\nname: mine\n")
    assert app.resolve_scenario("mine.yaml") == str(tmp_path / "mine.yaml")
    assert app.resolve_scenario("cpr_2019_20") == "cpr_2019_20"


def test_an_invalid_scenario_is_refused_before_anything_starts(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: cpr_2019_20\nname: bad\noverrides:\n"
                   "  organisations.cpr_ccg.allocation.growth.programme: 3\n")
    done = subprocess.run([sys.executable, "-m", "ccgmodels", "app", str(bad)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "programme" in done.stderr and "per cent" in done.stderr
    assert done.stdout == ""


def test_a_free_port_is_found_when_the_usual_one_is_taken():
    import socket

    with socket.socket() as s:
        s.bind((app.HOST, 0))
        s.listen()
        taken = s.getsockname()[1]
        assert app.free_port(taken) != taken
