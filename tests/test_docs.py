"""The documentation site: ``mkdocs build --strict`` succeeds with no warning (a broken link,
a missing reference or a missing docstring is a warning, see ``docs/hooks.py``), and the
getting-started tutorial's commands, taken from the page itself, run in an empty folder and
make the report.

The tutorial page runs as written: every ```` ```bash ```` block is executed, in order, one
command at a time (a ``\\`` at a line's end continues it), and every ```` ```python
title="NAME" ```` block is saved as NAME in the folder first; ```` ```text ```` blocks are
shown output and are not run.

The README is the front page: its links (to the docs pages, the datasheet, the licence) point at
files of the checkout and headings that exist, so they work on GitHub, and it links every page
of the site; these checks need no mkdocs and are quick.
"""

from __future__ import annotations

import importlib.util
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

README = REPO / "README.md"
LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)")

#: the site's tests build it or run its tutorial (slow), with the docs extra
needs_mkdocs = pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None,
                                  reason="the docs extra: pip install -e '.[docs]'")


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


@pytest.mark.slow
@needs_mkdocs
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


@pytest.mark.slow
@needs_mkdocs
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


@pytest.mark.slow
@needs_mkdocs
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


def slugs(markdown: str) -> set[str]:
    """The anchors of a Markdown file's headings as GitHub makes them (lower case, punctuation
    but ``-`` and ``_`` dropped, spaces as ``-``); mkdocs' ``toc`` makes the same for these."""
    headings = re.findall(r"^#{1,6} +(.+?) *$", FENCE.sub("", markdown), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def readme_links() -> list[tuple[str, str]]:
    """``(text, target)`` of every Markdown link of the README outside code blocks."""
    return LINK.findall(FENCE.sub("", README.read_text(encoding="utf-8")))


def test_the_readme_links_point_at_files_and_headings_that_exist():
    links = [(text, target) for text, target in readme_links()
             if not re.match(r"[a-z]+:", target)]
    assert links, "the README links no file of the checkout"
    for text, target in links:
        path, _, anchor = target.partition("#")
        file = (REPO / path).resolve() if path else README
        assert file.is_relative_to(REPO) and file.exists(), f"[{text}]({target}): no {path}"
        if anchor:
            assert file.suffix == ".md", f"[{text}]({target}): an anchor in a non-Markdown file"
            assert anchor in slugs(file.read_text(encoding="utf-8")), \
                f"[{text}]({target}): {path or 'README.md'} has no heading #{anchor}"


def test_the_readme_links_every_page_of_the_site():
    linked = {(REPO / target.partition("#")[0]).resolve() for _, target in readme_links()
              if not re.match(r"[a-z]+:", target)}
    pages = sorted(p for p in (REPO / "docs").rglob("*.md"))
    assert pages
    missing = [str(p.relative_to(REPO)) for p in pages if p.resolve() not in linked]
    assert not missing, f"the README links no {missing}"


def test_the_readme_gives_the_two_commands_of_a_fresh_machine():
    # .ci/run runs "the README's test command"; a newcomer starts with these two
    text = README.read_text(encoding="utf-8")
    quick_start = re.search(r"^## Quick start\n(.*?)^## ", text, re.M | re.S)
    assert quick_start, "the README has no Quick start section"
    commands = [line.split("#")[0].strip() for body in
                re.findall(r"^```[^\n]*\n(.*?)^```$", quick_start.group(1), re.M | re.S)
                for line in body.splitlines()]
    assert "make reports" in commands and "make test" in commands, commands
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")
