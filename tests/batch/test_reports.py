"""The batch runner (``ccgmodels report``): planning, outputs, failure isolation, logs, unsafe
names, dask, and the real report (test_reports_resume.py: reruns, PDFs, failures;
test_reports_interrupt.py: dead kernels, timeouts, interruption).

Most tests run the small stand-in template of ``tests/reportkit.py`` (``quick_template``); the
real template runs once, in the ``real`` fixture at the end.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from reportkit import LOG_LINE, files_under, log_names, quiet, variant, write_quick_template

from ccgmodels.batch import batchlog, outdir, provenance, reports
from ccgmodels.batch.reports import expand_sources, plan, run_batch, safe_key
from ccgmodels.inputs.loading import load_scenario
from ccgmodels.models.seeds import DEFAULT_SEED
from ccgmodels.version import version

#: slow: every test starts kernels or batch processes
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def quick_template(tmp_path_factory) -> Path:
    return write_quick_template(tmp_path_factory.mktemp("template"))


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



def test_a_refused_batch_writes_no_log(tmp_path, quick_template):
    theirs = tmp_path / "theirs"  # a folder that is not a batch's: the user's own index
    theirs.mkdir()
    (theirs / "index.html").write_text("my page")
    with pytest.raises(outdir.UnsafeOutput, match="not written by ccgmodels"):
        run_batch(["cpr_2019_20"], theirs, template=quick_template, log=quiet)
    assert log_names(theirs) == [] and (theirs / "index.html").read_text() == "my page"
    busy = tmp_path / "busy"
    with outdir.locked(busy):  # another batch holds the folder
        with pytest.raises(outdir.UnsafeOutput, match="another"):
            run_batch(["cpr_2019_20"], busy, template=quick_template, log=quiet)
    assert log_names(busy) == []
    with pytest.raises(reports.ReportError, match="template"):  # refused when planning
        run_batch(["cpr_2019_20"], busy, template=tmp_path / "none.ipynb", log=quiet)
    assert log_names(busy) == []


def test_nothing_half_written_is_left(batch):
    _, _, out, _, _ = batch
    assert not (out / ".staging").exists()
    assert not [p for p in out.rglob("*") if p.name.endswith(".old") or ".tmp" in p.name]


# --- resume ---------------------------------------------------------------------------------


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


