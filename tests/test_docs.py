"""The documentation site: ``mkdocs build --strict`` succeeds with no warning (a broken link,
a missing reference or a missing docstring is a warning, see ``docs/hooks.py``), and the
getting-started tutorial's commands, taken from the page itself, run in an empty folder and
make the report.

The tutorial page runs as written: every ```` ```bash ```` block is executed, in order, one
command at a time (a ``\\`` at a line's end continues it), and every ```` ```python
title="NAME" ```` block is saved as NAME in the folder first; ```` ```text ```` blocks are
shown output and are not run.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TUTORIAL = REPO / "docs" / "tutorial.md"
FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```$", re.M | re.S)

pytest.importorskip("mkdocs", reason="the docs extra: pip install -e '.[docs]'")
pytestmark = pytest.mark.slow


def environment() -> dict[str, str]:
    """This interpreter's scripts first on PATH (``ccgmodels``, ``python``, ``mkdocs``) and
    this checkout first on the import path."""
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1",
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
            "PYTHONPATH": os.pathsep.join(
                [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])}


def tutorial_steps(text: str) -> list[tuple[str, str]]:
    """``("file", NAME + "\\n" + CONTENT)`` and ``("run", COMMAND)`` in the page's order."""
    steps = []
    for lang, info, body in FENCE.findall(text):
        title = re.search(r'title="([^"]+)"', info)
        if lang == "python" and title:
            steps.append(("file", f"{title.group(1)}\n{body}"))
        elif lang == "bash":
            for command in re.sub(r"\\\n", " ", body).splitlines():
                if command.strip() and not command.lstrip().startswith("#"):
                    steps.append(("run", command.strip()))
    return steps


def test_the_site_builds_strictly_with_no_warning(tmp_path):
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                           str(tmp_path / "site")], cwd=REPO, env=environment(),
                          capture_output=True, text=True, timeout=600)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    assert "WARNING" not in log, log
    site = tmp_path / "site"
    glossary = (site / "measures" / "index.html").read_text(encoding="utf-8")
    assert "do_something_surplus" in glossary  # generated from the catalogue at build time
    assert (site / "reference" / "models" / "finance" / "index.html").exists()
    api = (site / "reference" / "api" / "index.html").read_text(encoding="utf-8")
    for anchor in ("inputs.loading.load_scenario", "inputs.scenario.Scenario",
                   "models.run.run_scenario", "models.uncertainty.simulate",
                   "outputs.summaries.stp_summary"):
        assert f'id="ccgmodels.{anchor}"' in api, anchor
    economics = (site / "guide" / "economics" / "index.html").read_text(encoding="utf-8")
    assert "Do nothing" in economics and "The system view" in economics


def test_the_tutorial_page_is_what_the_test_runs():
    steps = tutorial_steps(TUTORIAL.read_text(encoding="utf-8"))
    commands = [s for kind, s in steps if kind == "run"]
    assert [c.split()[:3] for c in commands[:1]] == [["ccgmodels", "workbook", "new"]]
    assert any(c.startswith("python fill_icb.py") for c in commands)
    for verb in ("workbook import", "run", "report"):
        assert any(c.startswith(f"ccgmodels {verb} ") for c in commands), verb
    saved = [i for i, (kind, step) in enumerate(steps) if kind == "file"
             and step.startswith("fill_icb.py\n")]
    used = [i for i, step in enumerate(steps) if step == ("run", "python fill_icb.py icb.xlsx")]
    assert saved and used and saved[0] < used[0]


def test_the_tutorial_commands_run_in_order_and_make_the_report(tmp_path):
    env = environment()
    for kind, step in tutorial_steps(TUTORIAL.read_text(encoding="utf-8")):
        if kind == "file":
            name, content = step.split("\n", 1)
            (tmp_path / name).write_text(content, encoding="utf-8")
            continue
        done = subprocess.run(shlex.split(step), cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=900)
        assert done.returncode == 0, f"{step}\n{done.stdout}\n{done.stderr}"
    report = tmp_path / "reports" / "northfield_2019_20"
    for name in ("report.html", "report.xlsx", "results.csv", "uncertainty.csv",
                 "manifest.json"):
        assert (report / name).stat().st_size > 0, name
    assert (tmp_path / "reports" / "index.html").exists()
    assert (tmp_path / "northfield.yaml").exists()
    assert (tmp_path / "runs" / "northfield_2019_20" / "results.csv").exists()
