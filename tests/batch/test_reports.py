"""The batch runner (``ccgmodels report``): outputs, failure isolation, resume, interruption,
unsafe names, dask.

Most tests run a small stand-in template (``quick_template``): the real report's parameters
cell, then the model and the data files, without charts, and switches read from the scenario's
description: ``FAIL`` raises in a cell, ``SLOW`` sleeps (so a run can be interrupted
mid-report), ``KILLKERNEL`` ends the kernel process. Every report also asserts that nothing is
left in the kernel's namespace from the report before it. The real template runs once, in the
``real`` fixture at the end.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import psutil
import pytest
import yaml

from ccgmodels.batch import batchlog, outdir, provenance, reports
from ccgmodels.batch.reports import collect, expand_sources, plan, run_batch, safe_key
from ccgmodels.inputs.loading import load_scenario
from ccgmodels.models.seeds import DEFAULT_SEED
from ccgmodels.version import version

#: slow: every test starts kernels or batch processes
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
PARAMETERS = '''\
scenario: str = "footprint_2019_20"  # bundled scenario name or YAML path
overrides: dict = {}  # {"dotted.path": value}
org: str = "footprint"  # organisation id or footprint
runs: int = 0  # Monte Carlo draws [count]
seed: int = 20190401  # random seed [-]
output_dir: str = ""  # folder for the report's files
interactive: bool = False  # unused here
'''
CELLS = [
    "import time\nfrom ccgmodels.outputs import tables, workbook\n"
    "from ccgmodels.models.run import run_scenario\n"
    "from ccgmodels.inputs.loading import load_scenario\ns = load_scenario(scenario, overrides)",
    'assert "leftover" not in globals(), "state leaked from the previous report"\nleftover = 1',
    'if "FAIL" in s.description:\n    raise ValueError("deliberate failure in " + s.name)',
    # SLOW waits up to 8 s, or until the file its description ends with exists (the test
    # releases it)
    'if "SLOW" in s.description:\n    import os\n    end = time.monotonic() + 8\n'
    '    release = s.description.split()[-1]\n'
    '    while time.monotonic() < end and not os.path.exists(release):\n'
    '        time.sleep(0.05)',
    'if "KILLKERNEL" in s.description:\n    import os\n    os._exit(1)',
    "from ccgmodels.models import uncertainty\nresults = run_scenario(s)\n"
    "summary = uncertainty.summarise(uncertainty.simulate(s, runs, seed)) if runs else None\n"
    "book = tables.report_tables(results, s, org, summary)\n"
    "written = workbook.write_report_files(output_dir, results, book, summary)",
]


@pytest.fixture(scope="module")
def quick_template(tmp_path_factory) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(c) for c in CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = tmp_path_factory.mktemp("template") / "quick.ipynb"
    nbformat.write(nb, path)
    return path


def variant(folder: Path, name: str, description: str = "a variant", base: str = "cpr_2019_20",
            file: str | None = None, **fields) -> Path:
    """A scenario file extending ``base`` with its own name and description."""
    path = folder / (file or f"{name}.yaml")
    path.write_text(yaml.safe_dump({"extends": base, "name": name, "description": description,
                                    **fields}))
    return path


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def quiet(line: str) -> None:  # run_batch's log
    pass


# --- planning ------------------------------------------------------------------------------


def test_expand_sources_files_folders_globs_and_names(tmp_path):
    a = variant(tmp_path, "aa")
    b = variant(tmp_path, "bb")
    (tmp_path / "notes.txt").write_text("not a scenario")
    sub = tmp_path / "more"
    sub.mkdir()
    c = variant(sub, "cc", file="cc.yml")
    got = expand_sources([str(tmp_path), str(sub / "*.yml"), str(a), "cpr_2019_20",
                          str(tmp_path / "nothing*.yaml")])
    assert got == [str(a), str(b), str(c), "cpr_2019_20", str(tmp_path / "nothing*.yaml")]


def test_invalid_scenarios_are_found_before_any_kernel_starts(tmp_path, quick_template):
    typo = variant(tmp_path, "typo", allocaton={"base": 1})
    bad_name = variant(tmp_path, "../escape", file="escape.yaml")
    p = plan([str(typo), str(bad_name), "cpr_2019_20"], tmp_path / "out",
             template=quick_template)
    assert [t.name for t in p.tasks] == ["cpr_2019_20"]
    problems = {r["source"]: r["error"]["problems"] for r in p.invalid}
    assert any("allocaton" in m for m in problems[str(typo)])
    assert any("'../escape'" in m and "name" in m for m in problems[str(bad_name)])
    assert not (tmp_path / "out").exists()  # planning writes nothing


def test_duplicate_names_are_invalid_not_overwritten(tmp_path, quick_template):
    a = variant(tmp_path, "same", file="one.yaml")
    b = variant(tmp_path, "same", file="two.yaml")
    p = plan([str(a), str(b)], tmp_path / "out", template=quick_template)
    assert p.tasks == []  # neither is run: which one the user meant is not ours to guess
    assert [r["source"] for r in p.invalid] == [str(a), str(b)]
    assert all("same name" in r["error"]["problems"][0] for r in p.invalid)


def test_a_folder_that_is_not_a_report_is_never_replaced(tmp_path, quick_template):
    out = tmp_path / "out"
    (out / "cpr_2019_20").mkdir(parents=True)
    (out / "cpr_2019_20" / "my_notes.txt").write_text("keep me")
    p = plan(["cpr_2019_20"], out, template=quick_template)
    assert p.tasks == []
    assert "is not a folder ccgmodels made" in p.invalid[0]["error"]["problems"][0]
    assert (out / "cpr_2019_20" / "my_notes.txt").read_text() == "keep me"


def test_resolved_scenario_file_round_trips(tmp_path):
    s = load_scenario("footprint_2019_20_tight_funding")
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(s.model_dump(mode="json"), sort_keys=False))
    assert load_scenario(path) == s


def test_missing_template_and_bad_options_are_input_errors(tmp_path):
    with pytest.raises(reports.ReportError, match="template"):
        plan(["cpr_2019_20"], tmp_path, template=tmp_path / "none.ipynb")
    with pytest.raises(reports.ReportError, match="--workers 0"):
        run_batch(["cpr_2019_20"], tmp_path, workers=0, log=quiet)


# --- one batch: made, failed, invalid, unsafe ----------------------------------------------


@pytest.fixture(scope="module")
def batch(tmp_path_factory, quick_template):
    root = tmp_path_factory.mktemp("batch")
    src = root / "scenarios"
    src.mkdir()
    variant(src, "good_one")
    variant(src, "good_two", base="southend_2019_20")
    variant(src, "breaks", description="FAIL in a cell")
    variant(src, "typo", allocaton=1)
    variant(src, "../../evil", file="evil.yaml")
    variant(src, "<script>alert(1)</script>", file="<script>x.yaml")
    out = root / "out"
    before = files_under(root)
    summary = run_batch([str(src)], out, workers=2, template=quick_template, log=quiet)
    return root, src, out, before, summary


def test_each_good_scenario_gets_a_complete_report(batch):
    _, _, out, _, summary = batch
    assert summary.counts["ok"] == 2
    for name in ("good_one", "good_two"):
        folder = out / name
        manifest = json.loads((folder / "manifest.json").read_text())
        for f in ("report.ipynb", "report.html", "report.xlsx", "results.csv",
                  "scenario.yaml"):
            assert (folder / f).is_file(), f
            assert manifest["files_sha256"][f] == hashlib.sha256(
                (folder / f).read_bytes()).hexdigest()
        assert manifest["scenario"] == name and manifest["version"] == version()
        assert (manifest["format"], manifest["kind"]) == (provenance.FORMAT, "report")
        assert set(manifest) >= {"git_commit", "git_dirty", "scenario_sha256", "assumptions",
                                 "seed", "started", "finished", "papermill_run_id"}
        nb = nbformat.read(folder / "report.ipynb", as_version=4)
        assert nb.metadata["ccgmodels"]["run_id"] == manifest["papermill_run_id"]
        assert load_scenario(folder / "scenario.yaml").model_dump(mode="json") == \
            manifest["assumptions"]
        results = pd.read_csv(folder / "results.csv")
        assert set(results["scenario"]) == {name}


def test_a_failing_notebook_does_not_stop_the_others(batch):
    _, _, out, _, summary = batch
    assert summary.counts["failed"] == 1 and summary.exit_code == reports.EXIT_FAILED
    assert not (out / "breaks").exists()  # partial outputs are kept apart
    failure = json.loads((out / "_failed" / "breaks" / "failure.json").read_text())
    assert failure["error"]["ename"] == "ValueError"
    assert failure["error"]["evalue"] == "deliberate failure in breaks"
    assert "raise ValueError" in failure["error"]["source"]
    assert (out / "_failed" / "breaks" / "report.ipynb").is_file()
    row = next(r for r in summary.records if r["name"] == "breaks")
    assert row["status"] == "failed" and row["error"]["cell"] == failure["error"]["cell"]
    index = (out / "index.html").read_text()
    assert "deliberate failure in breaks" in index and "ValueError" in index


def test_invalid_scenarios_are_listed_with_their_problems(batch):
    _, src, out, _, summary = batch
    assert summary.counts["invalid"] == 3
    rows = {r["source"]: r for r in summary.records if r["status"] == "invalid"}
    assert any("allocaton" in p for p in rows[str(src / "typo.yaml")]["error"]["problems"])
    assert (out / "_failed" / safe_key(str(src / "typo.yaml")) / "failure.json").is_file()


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.hrefs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.hrefs += [v for k, v in attrs if k in ("href", "src")]


def test_unsafe_names_write_nothing_outside_out_and_inject_no_markup(batch):
    root, src, out, before, _ = batch
    created = files_under(root) - before
    assert created and all(p == out or out in p.parents for p in created)
    assert not (root / "evil").exists() and not (root.parent / "evil").exists()
    for page in ("index.html", "compare.html"):
        text = (out / page).read_text()
        parser = _Tags()
        parser.feed(text)
        assert "script" not in parser.tags
        assert all(".." not in h and not h.startswith("/") for h in parser.hrefs)
    assert "&lt;script&gt;" in (out / "index.html").read_text()


LOG_LINE = re.compile(r"\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00 (INFO|WARNING|ERROR) ")


def test_a_batch_writes_one_log_beside_its_index(batch):
    _, src, out, _, summary = batch
    logs = sorted(out.glob("batch-*.log"))
    assert len(logs) == 1 and batchlog.NAME.match(logs[0].name)
    assert logs == batchlog.logs(out)
    text = logs[0].read_text(encoding="utf-8")
    lines = text.splitlines()
    assert LOG_LINE.match(lines[0])
    assert f"INFO batch log of ccgmodels {version()}: report into {out}" in lines[0]
    assert (f"runs 0, seed {DEFAULT_SEED}, org footprint, workers 2, engine process"
            in lines[0])
    assert re.search(r" INFO Making 3 reports \(HTML.*into .*, 2 at a time; 3 invalid\.$",
                     text, re.M)
    assert re.search(r" WARNING .*typo\.yaml: allocaton", text)  # the plan's problems
    assert re.search(r" INFO to make: .*good_one", text)
    for name in ("good_one", "good_two"):  # each outcome, with its time and the tally
        assert re.search(rf" INFO {name}: ok in \d+\.\d s \[\d made, .* to go\]$", text, re.M)
    failed = next(line for line in lines if " breaks: failed" in line)
    assert LOG_LINE.match(failed) and " ERROR breaks: failed (In [" in failed
    assert "ValueError: deliberate failure in breaks)" in failed
    assert lines[-1].endswith(" INFO " + summary.line())
    # the index links it; nothing treats it as someone else's file or a changed report
    assert f'<a href="{logs[0].name}">Batch log</a>' in (out / "index.html").read_text()
    outdir.check_pages(out)
    # what `ccgmodels verify OUT` checks: the two report folders, and no other, match their
    # manifests (the command itself: tests/test_cli_outdir.py)
    made = sorted(d.name for d in out.iterdir() if d.is_dir() and not d.is_symlink()
                  and d.name not in (outdir.STAGING, outdir.FAILED)
                  and (d / provenance.MANIFEST).exists())
    assert made == ["good_one", "good_two"]
    assert all(not provenance.verify(out / n) for n in made)


def test_pruning_keeps_the_newest_ten_batch_logs_and_nothing_else(tmp_path):
    def log(name: str, first: str = f"{batchlog.HEAD} 0.3.0: report into x") -> Path:
        (tmp_path / name).write_text(f"2024-01-01T00:00:00.000+00:00 INFO {first}\nmore\n")
        return tmp_path / name

    ours = [log(f"batch-202401{d:02d}T120000Z.log") for d in range(1, 12)]
    ours.insert(5, log("batch-20240105T120000Z-2.log"))  # two batches in one second
    others = [log("batch-20230101T000000Z.log", first="a log of mine"),  # not ours: kept
              log("batch-x.log"), log("batch-20230101T000000Z.log.bak"), log("notes.txt")]
    (tmp_path / "elsewhere").mkdir()
    link = tmp_path / "batch-20220101T000000Z.log"
    link.symlink_to(log("elsewhere/batch-20220101T000000Z.log"))
    before = {p: p.read_bytes() for p in others}
    assert batchlog.logs(tmp_path) == ours
    assert batchlog.prune(tmp_path) == ours[:2]
    assert batchlog.logs(tmp_path) == ours[2:] and len(ours[2:]) == batchlog.KEEP
    assert not ours[0].exists() and not ours[1].exists()
    assert {p: p.read_bytes() for p in others} == before
    assert link.is_symlink() and (tmp_path / "elsewhere" / link.name).is_file()
    assert batchlog.latest(tmp_path) == "batch-20240111T120000Z.log"
    assert batchlog.prune(tmp_path, current=ours[2], keep=1) == ours[3:-1]  # never the current


def _logs(out: Path) -> list[str]:
    return sorted(p.name for p in out.glob("batch-*")) if out.exists() else []


def test_a_refused_batch_writes_no_log(tmp_path, quick_template):
    theirs = tmp_path / "theirs"  # a folder that is not a batch's: the user's own index
    theirs.mkdir()
    (theirs / "index.html").write_text("my page")
    with pytest.raises(outdir.UnsafeOutput, match="not written by ccgmodels"):
        run_batch(["cpr_2019_20"], theirs, template=quick_template, log=quiet)
    assert _logs(theirs) == [] and (theirs / "index.html").read_text() == "my page"
    busy = tmp_path / "busy"
    with outdir.locked(busy):  # another batch holds the folder
        with pytest.raises(outdir.UnsafeOutput, match="another"):
            run_batch(["cpr_2019_20"], busy, template=quick_template, log=quiet)
    assert _logs(busy) == []
    with pytest.raises(reports.ReportError, match="template"):  # refused when planning
        run_batch(["cpr_2019_20"], busy, template=tmp_path / "none.ipynb", log=quiet)
    assert _logs(busy) == []


def test_nothing_half_written_is_left(batch):
    _, _, out, _, _ = batch
    assert not (out / ".staging").exists()
    assert not [p for p in out.rglob("*") if p.name.endswith(".old") or ".tmp" in p.name]


# --- resume ---------------------------------------------------------------------------------


def test_rerun_skips_unchanged_and_remakes_changed_or_forced(tmp_path, quick_template):
    out = tmp_path / "out"
    a, b = variant(tmp_path, "keep_me"), variant(tmp_path, "change_me")
    first = run_batch([str(a), str(b)], out, workers=2, template=quick_template, log=quiet)
    assert first.counts["ok"] == 2
    ids = {n: json.loads((out / n / "manifest.json").read_text())["papermill_run_id"]
           for n in ("keep_me", "change_me")}
    variant(tmp_path, "change_me", description="edited")
    second = run_batch([str(a), str(b)], out, workers=2, template=quick_template, log=quiet)
    assert (second.counts["unchanged"], second.counts["ok"]) == (1, 1)
    after = {n: json.loads((out / n / "manifest.json").read_text())["papermill_run_id"]
             for n in ids}
    assert after["keep_me"] == ids["keep_me"] and after["change_me"] != ids["change_me"]
    assert {r["name"]: r["status"] for r in second.records} == {"keep_me": "unchanged",
                                                               "change_me": "ok"}
    third = run_batch([str(a)], out, runs=50, workers=1, template=quick_template, log=quiet)
    assert third.counts["ok"] == 1  # another number of runs is another report
    forced = run_batch([str(a)], out, runs=50, workers=1, force=True,
                       template=quick_template, log=quiet)
    assert forced.counts["ok"] == 1 and forced.exit_code == 0


def test_no_pdf_makes_html_and_excel_only_and_a_later_pdf_remakes(tmp_path, quick_template):
    from ccgmodels.outputs.pdf import chromium

    out, said = tmp_path / "out", []
    a = variant(tmp_path, "no_pdf")
    first = run_batch([str(a)], out, workers=1, template=quick_template, log=said.append,
                      pdf=False)
    assert first.counts["ok"] == 1, first.records
    assert {"report.html", "report.xlsx"} <= {p.name for p in (out / "no_pdf").iterdir()}
    assert not (out / "no_pdf" / "report.pdf").exists()
    assert any("(HTML and Excel (no PDF: --no-pdf))" in line for line in said), said
    again = run_batch([str(a)], out, workers=1, template=quick_template, log=quiet, pdf=False)
    assert again.counts["unchanged"] == 1
    if chromium() is None:
        pytest.skip("no Chromium here: a PDF cannot be asked for")
    with_pdf = run_batch([str(a)], out, workers=1, template=quick_template, log=quiet)
    assert with_pdf.counts["ok"] == 1  # a report without its PDF is not current
    assert (out / "no_pdf" / "report.pdf").read_bytes().startswith(b"%PDF")


def test_a_worker_prints_every_pdf_with_one_browser_and_none_outlives_the_batch(
        tmp_path, quick_template, monkeypatch):
    """Three reports on one worker: Chromium starts once (the old way: once a report), a
    failed report in between does not end it, and no process of it is left after the batch."""
    from ccgmodels.outputs import pdf

    if pdf.chromium() is None or pdf.chromedriver() is None:
        pytest.skip("no Chromium with its driver here")
    ours = pdf.kept()  # what this test process keeps already (an earlier test's in-process print)
    log = tmp_path / "starts.log"  # a line per browser start: its process id and group
    wrapper = tmp_path / "chromium-counted"
    wrapper.write_text('#!/bin/sh\nread -r _ _ _ _ group _ < /proc/$$/stat\n'
                       f'echo "$$ $group" >> "{log}"\nexec "{pdf.chromium()}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("CCGMODELS_CHROMIUM", str(wrapper))  # the workers inherit it
    paths = [variant(tmp_path, "pdf_a"), variant(tmp_path, "pdf_fails", "FAIL"),
             variant(tmp_path, "pdf_b"), variant(tmp_path, "pdf_c")]
    summary = run_batch(list(map(str, paths)), tmp_path / "out", workers=1,
                        template=quick_template, log=quiet)
    assert summary.counts["ok"] == 3 and summary.counts["failed"] == 1, summary.records
    for name in ("pdf_a", "pdf_b", "pdf_c"):
        assert (tmp_path / "out" / name / "report.pdf").read_bytes().startswith(b"%PDF")
    started = [line.split() for line in log.read_text().splitlines()]
    assert len(started) == 1, started
    pid, group = map(int, started[0])

    def left() -> list:
        found = []
        for proc in psutil.process_iter():
            try:
                if os.getpgid(proc.pid) == group and proc.status() != psutil.STATUS_ZOMBIE:
                    found.append(proc.cmdline())
            except (ProcessLookupError, psutil.Error):
                pass
        return found

    end = time.monotonic() + 10  # SIGKILLed processes end a moment after the signal
    while left() and time.monotonic() < end:
        time.sleep(0.1)
    assert left() == []
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    assert pdf.kept() is ours  # the batch's own process printed nothing: its workers did


def test_without_chromium_the_reports_have_no_pdf_and_the_batch_says_so(
        tmp_path, quick_template, monkeypatch):
    monkeypatch.setenv("CCGMODELS_CHROMIUM", str(tmp_path / "no-such-browser"))
    out, said = tmp_path / "out", []
    summary = run_batch([str(variant(tmp_path, "no_browser"))], out, workers=1,
                        template=quick_template, log=said.append)
    assert summary.counts["ok"] == 1, summary.records
    assert (out / "no_browser" / "report.html").is_file()
    assert not (out / "no_browser" / "report.pdf").exists()
    assert any("(HTML and Excel (no PDF: no Chromium))" in line for line in said), said


def test_a_later_failure_keeps_the_earlier_report(tmp_path, quick_template):
    out = tmp_path / "out"
    path = variant(tmp_path, "flaky")
    run_batch([str(path)], out, workers=1, template=quick_template, log=quiet)
    good = (out / "flaky" / "manifest.json").read_bytes()
    variant(tmp_path, "flaky", description="now FAIL")
    failed = run_batch([str(path)], out, workers=1, template=quick_template, log=quiet)
    assert failed.exit_code == reports.EXIT_FAILED
    assert (out / "flaky" / "manifest.json").read_bytes() == good
    row = failed.records[0]
    assert (row["status"], row["report"], row["partial"]) == ("failed", "flaky",
                                                               "_failed/flaky")
    variant(tmp_path, "flaky", description="fixed")
    fixed = run_batch([str(path)], out, workers=1, template=quick_template, log=quiet)
    assert fixed.exit_code == 0 and not (out / "_failed" / "flaky").exists()
    logs = batchlog.logs(out)  # one log per batch, even when two start in one second
    assert len(logs) == 3 and _logs(out) == sorted(p.name for p in logs)
    texts = [log.read_text(encoding="utf-8") for log in logs]
    assert " ERROR flaky: failed (In [" in texts[1] and "deliberate failure in flaky" in texts[1]
    assert [failed.line() in t for t in texts] == [False, True, False]
    assert " INFO flaky: ok in " in texts[2] and fixed.line() in texts[2]
    assert f'href="{logs[-1].name}">Batch log' in (out / "index.html").read_text()


def test_a_dead_kernel_fails_its_report_and_the_next_gets_a_new_kernel(tmp_path,
                                                                        quick_template):
    out = tmp_path / "out"
    paths = [variant(tmp_path, "dies", description="KILLKERNEL"), variant(tmp_path, "after")]
    summary = run_batch(list(map(str, paths)), out, workers=1, template=quick_template,
                        log=quiet)
    rows = {r["name"]: r for r in summary.records}
    assert rows["dies"]["status"] == "failed" and rows["after"]["status"] == "ok"
    assert rows["dies"]["error"]["ename"] == "DeadKernelError"


def test_a_cell_over_the_timeout_fails_its_report(tmp_path, quick_template):
    paths = [variant(tmp_path, "hangs", description="SLOW"), variant(tmp_path, "fine")]
    summary = run_batch(list(map(str, paths)), tmp_path / "out", workers=1, timeout=2,
                        template=quick_template, log=quiet)
    rows = {r["name"]: r for r in summary.records}
    assert rows["hangs"]["error"]["ename"] == "CellTimeoutError"
    assert rows["fine"]["status"] == "ok"


def test_progress_bar_and_summary_line(tmp_path, quick_template, capsys):
    out = tmp_path / "out"
    paths = [variant(tmp_path, "shown"), variant(tmp_path, "broken", description="FAIL")]
    said = []
    summary = run_batch(list(map(str, paths)), out, workers=1, template=quick_template,
                        progress=True, log=said.append)
    err = capsys.readouterr().err
    assert said[0].startswith("Making 2 reports (HTML") and f"into {out}, 1 at a time" in said[0]
    # the tally in the summary line's words, and a first line saying what will be made
    assert "1 made, 0 unchanged, 1 failed, 0 invalid, 0 to go" in err and "2/2" in err
    told = "\n".join(said)  # the outcomes too, as the command line shows them
    assert "broken: failed (In [" in told and "deliberate failure in broken" in told
    assert "shown: ok\n" in told + "\n"  # a bar shows the tally: not repeated
    assert summary.line().startswith("2 scenarios in ")
    assert "1 made, 0 unchanged, 1 failed, 0 invalid; index: " in summary.line()


def test_cli_exits_2_on_invalid_scenarios_without_starting_kernels(tmp_path):
    typo = variant(tmp_path, "typo", allocaton=1)
    r = subprocess.run([sys.executable, "-m", "ccgmodels", "report", str(typo), "--out",
                        str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert r.returncode == reports.EXIT_INPUT
    assert f"{typo}: allocaton" in r.stderr
    assert "1 scenario in " in r.stdout and "1 invalid" in r.stdout
    assert (tmp_path / "out" / "index.html").is_file()
    # the terminal shows plain lines; the log has them with time and level, and the summary
    assert not [line for line in r.stderr.splitlines() if LOG_LINE.match(line)]
    [log] = batchlog.logs(tmp_path / "out")
    text = log.read_text(encoding="utf-8")
    assert re.search(rf" WARNING {re.escape(str(typo))}: allocaton", text)
    assert text.rstrip().endswith(r.stdout.strip())


def test_one_folder_one_batch_at_a_time(tmp_path):
    with outdir.locked(tmp_path):
        with pytest.raises(outdir.UnsafeOutput, match="another"):
            with outdir.locked(tmp_path):
                pass


# --- interruption ---------------------------------------------------------------------------


def _as_at_a_terminal() -> None:
    # a shell without job control starts background commands with SIGINT ignored, and a child
    # inherits that: give the command the Ctrl-C a user at a terminal has
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ccgmodels", "report", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_as_at_a_terminal)


def _wait_for(check, timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.2)


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                         text=True).stdout
    return [int(x) for x in out.split()]


@pytest.mark.parametrize("how", ["ctrl-c", "kill"])
def test_interrupt_keeps_completed_reports_and_a_consistent_index(tmp_path, quick_template,
                                                                  how):
    out = tmp_path / "out"
    fast = variant(tmp_path, "fast_one")
    slow = [variant(tmp_path, f"slow_{i}", description=f"SLOW {tmp_path / 'release'}")
            for i in range(3)]
    proc = _start([str(fast), *map(str, slow), "--out", str(out), "--workers", "1",
                   "--template", str(quick_template)])
    _wait_for(lambda: (out / "fast_one" / "manifest.json").exists())
    _wait_for(lambda: any((out / ".staging").glob("slow_*")))  # a slow report under way
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    else:
        os.kill(proc.pid, signal.SIGTERM)  # kill reaches the command only
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == reports.EXIT_INTERRUPTED, err
    manifest = json.loads((out / "fast_one" / "manifest.json").read_text())
    for name, digest in manifest["files_sha256"].items():
        assert hashlib.sha256((out / "fast_one" / name).read_bytes()).hexdigest() == digest
    assert not (out / ".staging").exists()
    assert not [p for p in out.iterdir() if p.name.startswith("slow_")]
    rows = {r["name"]: r["status"] for r in collect(out)}
    assert rows == {"fast_one": "ok"}  # the index lists exactly what is on disk
    assert "fast_one" in (out / "index.html").read_text()
    [log] = batchlog.logs(out)
    text = log.read_text(encoding="utf-8")
    assert " INFO fast_one: ok in " in text and " WARNING interrupted: not made: slow_" in text
    assert text.rstrip().endswith("interrupted; index: " + str(out / "index.html"))
    # a re-run finishes the job and leaves the completed report alone
    (tmp_path / "release").touch()  # the slow report need not wait now
    again = run_batch([str(fast), str(slow[0])], out, workers=1, template=quick_template,
                      log=quiet)
    assert (again.counts["unchanged"], again.counts["ok"]) == (1, 1)


def test_a_killed_worker_costs_one_retry_not_the_batch(tmp_path, quick_template):
    out = tmp_path / "out"
    names = ["slow_a", "slow_b", "quick_c"]
    paths = [variant(tmp_path, n, description=f"SLOW {tmp_path / 'release'}"
                     if n.startswith("slow") else "") for n in names]
    proc = _start([*map(str, paths), "--out", str(out), "--workers", "2",
                   "--template", str(quick_template)])
    _wait_for(lambda: len(list((out / ".staging").glob("slow_*"))) == 2)
    # pool workers own kernels (a staging folder is made before its kernel starts)
    _wait_for(lambda: [p for p in _children(proc.pid) if _children(p)])
    workers = [p for p in _children(proc.pid) if _children(p)]
    os.kill(workers[0], signal.SIGKILL)
    (tmp_path / "release").touch()  # the retried reports need not wait
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    # the tally when stderr is not a terminal
    assert "[3 made, 0 unchanged, 0 failed, 0 invalid, 0 to go]" in err
    for name in names:
        assert (out / name / "manifest.json").is_file()
    assert {r["status"] for r in collect(out)} == {"ok"}


# --- dask -----------------------------------------------------------------------------------


@pytest.mark.dask
def test_dask_local_cluster_makes_the_same_reports(tmp_path, quick_template):
    pytest.importorskip("distributed")
    out = tmp_path / "out"
    paths = [variant(tmp_path, "dask_a"), variant(tmp_path, "dask_b", description="FAIL")]
    summary = run_batch(list(map(str, paths)), out, engine="dask", workers=2,
                        template=quick_template, log=quiet)
    assert (summary.counts["ok"], summary.counts["failed"]) == (1, 1)
    manifest = json.loads((out / "dask_a" / "manifest.json").read_text())
    assert manifest["pid"] != os.getpid()  # made in a dask worker process
    assert (out / "_failed" / "dask_b" / "failure.json").is_file()


# --- the real report template -------------------------------------------------------------


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    out = tmp_path_factory.mktemp("real") / "reports"
    summary = run_batch(["cpr_2019_20", "southend_2019_20"], out, runs=200, seed=7, workers=2,
                        log=quiet)
    assert summary.exit_code == 0, summary.records
    return out


def test_real_report_files_and_provenance(real):
    folder = real / "cpr_2019_20"
    for f in ("report.ipynb", "report.html", "report.xlsx", "results.csv", "uncertainty.csv",
              "manifest.json", "scenario.yaml"):
        assert (folder / f).is_file(), f
    manifest = json.loads((folder / "manifest.json").read_text())
    assert (manifest["runs"], manifest["seed"]) == (200, 7)
    assert manifest["template_sha256"] == hashlib.sha256(
        reports.TEMPLATE.read_bytes()).hexdigest()
    assert manifest["started"] <= manifest["finished"]
    unc = pd.read_csv(folder / "uncertainty.csv")
    assert set(unc["scenario"]) == {"cpr_2019_20"} and "prob_surplus_ge_0" in set(unc["stat"])


def test_real_report_html_has_no_code_and_no_network(real):
    html = (real / "cpr_2019_20" / "report.html").read_text()
    head, body = html.split("<body", 1)
    assert "jp-InputArea-editor" not in body and "hl-ipython3" not in body  # code inputs
    assert "load_scenario(" not in body and "import " not in body
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//|url\(\s*["']?(https?:)?//|@import""",
                         html)  # nothing fetched from the network
    assert html.count('src="data:image/png;base64,') >= 6  # five charts and the fan chart
    assert "<title>Castle Point" in html


def test_real_workbook_holds_the_numbers_of_results_csv(real):
    import openpyxl

    folder = real / "southend_2019_20"
    csv = pd.read_csv(folder / "results.csv", keep_default_na=False, dtype={"item": str})
    wb = openpyxl.load_workbook(folder / "report.xlsx")
    data = list(wb["Data"].values)
    sheet = pd.DataFrame(data[1:], columns=data[0]).fillna({"item": ""})
    assert list(sheet.columns) == list(csv.columns)
    assert sheet["value"].astype(float).round(6).tolist() == csv["value"].round(6).tolist()
    assert sheet["measure"].tolist() == csv["measure"].tolist()
    headline = wb["Headline"]
    assert headline.freeze_panes == "B2"
    years = [c.value for c in headline[1]][1:]
    rows = {r[0].value: [c.value for c in r[1:]] for r in headline.iter_rows(min_row=2)}
    fp = csv[csv["org"] == "footprint"]
    alloc = fp[(fp["measure"] == "allocation") & (fp["item"] == "total")].set_index("year")
    assert rows["Allocation"] == pytest.approx([alloc.loc[y, "value"] for y in years],
                                               abs=1e-5)
    assert headline.cell(2, 2).number_format == "#,##0;(#,##0)"


@pytest.mark.dask
def test_scheduler_address_runs_the_reports_on_that_cluster(tmp_path, quick_template):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        worker_pids = {w.process.pid for w in cluster.workers.values()}
        summary = run_batch([str(variant(tmp_path, "remote_a"))], tmp_path / "out",
                            scheduler=cluster.scheduler_address, template=quick_template,
                            log=quiet)
    assert summary.exit_code == 0
    manifest = json.loads((tmp_path / "out" / "remote_a" / "manifest.json").read_text())
    assert manifest["pid"] in worker_pids


def test_a_notes_sheet_added_to_a_made_report_is_kept_and_said(tmp_path, quick_template):
    """Issue 25: the next batch remakes the report but keeps the user's edited workbook beside
    it, and says so where the user looks (the terminal), not only in the log."""
    import openpyxl

    out = tmp_path / "out"
    a = variant(tmp_path, "noted")
    assert run_batch([str(a)], out, template=quick_template, log=quiet).counts["ok"] == 1
    book = openpyxl.load_workbook(out / "noted" / "report.xlsx")
    book.create_sheet("My notes")["A1"] = "ask the board about this"
    book.save(out / "noted" / "report.xlsx")
    said = []
    again = run_batch([str(a)], out, force=True, template=quick_template, log=said.append)
    assert again.counts["ok"] == 1
    (kept,) = (out / "noted").glob("report.yours-*.xlsx")
    assert "My notes" in openpyxl.load_workbook(kept).sheetnames
    assert "My notes" not in openpyxl.load_workbook(out / "noted" / "report.xlsx").sheetnames
    told = "\n".join(said)
    assert "noted: report.xlsx changed since the report was made" in told
    assert f"your edited copy is kept beside the remade report: {kept}" in told


def test_a_scenario_of_4000_schemes_reports(tmp_path):
    """Issue #25: 4,000 schemes validated, but the resolved copy the notebook re-read
    (scenario.yaml, 1.1 MB) was over the 1 MiB limit and the report failed."""
    from ccgmodels.inputs.yamlread import dump

    data = yaml.safe_load((REPO / "ccgmodels" / "data" / "scenarios" / "cpr_2019_20.yaml")
                          .read_text(encoding="utf-8"))
    ccg = next(o for o in data["organisations"] if o["id"] == "cpr_ccg")
    ccg["qipp"]["schemes"] = [{"id": f"s{i:05d}", "name": f"Scheme {i}", "category": "acute",
                               "net_saving": 0.01, "status": "in_progress"} for i in range(4000)]
    data["sources"] = {k: v for k, v in data["sources"].items() if "schemes" not in k}
    data["name"] = "schemes_4000"
    source = tmp_path / "schemes_4000.yaml"
    source.write_text(dump(data), encoding="utf-8")
    summary = run_batch([str(source)], tmp_path / "out", workers=1, pdf=False, log=quiet)
    assert summary.exit_code == 0, summary.records
    resolved = tmp_path / "out" / "schemes_4000" / "scenario.yaml"
    assert resolved.stat().st_size > 1 << 20
    assert len(load_scenario(resolved).org("cpr_ccg").qipp.schemes) == 4000
