"""index.html and compare.html of a batch output folder, built over real results of the bundled
cpr and southend scenarios written as a report runner would."""

import json
import os
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pandas as pd
import pytest

from ccgmodels.batch import pages
from ccgmodels.models import uncertainty
from ccgmodels.models.run import run_scenario
from ccgmodels.outputs.tables import money

EVIL = "<script>alert(1)</script>"
QUOTED = 'He said "stop" & it\'s <b>bold</b>'
FAILED_CODE = "x = plan['total'] / 0  # <b>not bold</b>"
PROBLEMS = ["allocation.growth: 3.4 looks like a percent <i>", "name: must be a slug & short"]
#: the only elements a page may contain: nothing from record text
ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3",
                "main", "p", "a", "table", "thead", "tbody", "tr", "th", "td", "span", "strong",
                "br", "pre", "ul", "li", "img"}


class Page(HTMLParser):
    """Elements, hrefs and text of a page; table rows as lists of cell texts."""

    def __init__(self, text: str):
        super().__init__()
        self.tags, self.hrefs, self.text = [], [], []
        self.tables, self.pres, self.lis, self.imgs = [], [], [], []
        self._cell = self._pre = self._li = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "a":
            self.hrefs.append(a["href"])
        elif tag == "img":
            self.imgs.append(a)
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "pre":
            self._pre = []
        elif tag == "li":
            self._li = []

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "pre":
            self.pres.append("".join(self._pre))
            self._pre = None
        elif tag == "li":
            self.lis.append("".join(self._li))
            self._li = None

    def handle_data(self, data):
        self.text.append(data)
        for part in (self._cell, self._pre, self._li):
            if part is not None:
                part.append(data)

    @property
    def all_text(self) -> str:
        return "".join(self.text)


def parse(path: Path) -> Page:
    return Page(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def results():
    return {name: run_scenario(name) for name in ("cpr_2019_20", "southend_2019_20")}


def headline(res: pd.DataFrame) -> dict:
    fp = res[res["org"] == "footprint"]
    years = sorted(fp.loc[fp["measure"] == "do_something_surplus", "year"].unique())

    def at(measure, item, year):
        sel = fp[(fp["measure"] == measure) & (fp["item"] == item) & (fp["year"] == year)]
        return float(sel["value"].sum())

    end = years[-1]
    return {"org": "footprint", "base_year": years[0], "end_year": end,
            "allocation": at("allocation", "total", end),
            "do_nothing": at("do_nothing_surplus", "", end),
            "do_something": at("do_something_surplus", "", end),
            "do_something_cumulative": at("do_something_cumulative_surplus", "", end),
            "qipp_gap": at("qipp", "unidentified", years[0])}


def record(name, status, **kw):
    base = {"name": name, "title": None, "source": f"<bundled>/{name}.yaml", "status": status,
            "report": None, "partial": None, "headline": None, "error": None, "finished": None,
            "runs": 0, "seed": None}
    return base | kw


@pytest.fixture
def out(tmp_path, results):
    """cpr: html, results, uncertainty, manifest; southend: html, xlsx, results, notebook; one
    failed scenario whose previous cpr report is kept; partial outputs of the failed one."""
    files = {"cpr_2019_20": ["report.html", "manifest.json"],
             "southend_2019_20": ["report.html", "report.xlsx", "report.ipynb"]}
    for name, res in results.items():
        folder = tmp_path / name
        folder.mkdir()
        res.to_csv(folder / "results.csv", index=False)
        for f in files[name]:
            (folder / f).write_text("x")
    uncertainty.write_summary(uncertainty.simulate("cpr_2019_20", runs=50, seed=3),
                              tmp_path / "cpr_2019_20")
    (tmp_path / "_failed" / "cpr_failed").mkdir(parents=True)
    (tmp_path / "_failed" / "cpr_failed" / "report.ipynb").write_text("{}")
    return tmp_path


@pytest.fixture
def records(results):
    return [
        record("cpr_2019_20", "ok", title="CPR 2019/20", report="cpr_2019_20",
               headline=headline(results["cpr_2019_20"]), finished="2024-05-01T10:00:00",
               runs=50, seed=3),
        record("southend_2019_20", "unchanged", report="southend_2019_20",
               headline=headline(results["southend_2019_20"])),
        record("cpr_failed", "failed", report="cpr_2019_20", partial="_failed/cpr_failed",
               error={"cell": 7, "source": FAILED_CODE, "ename": "ZeroDivisionError",
                      "evalue": "division by zero"}),
        record(EVIL, "invalid", title=QUOTED, source=f"scenarios/{EVIL}.yaml", report="/etc",
               partial=f"_failed/../{EVIL}", error={"problems": PROBLEMS}),
        record("../../evil", "invalid", title='Title "quoted" \'single\'',
               report="../../evil", partial="_failed/../_failed/cpr_failed",
               error={"problems": ["bad"]}),
        record("later", "pending", report="https://example.com/x"),
    ]


def row_of(page: Page, name: str) -> list[str]:
    rows = [r for r in page.tables[0] if r and r[0].startswith(name)]
    assert len(rows) == 1, name
    return rows[0]


def test_record_text_is_escaped_and_hrefs_are_plain_relative(out, records):
    for path in pages.write_pages(out, records):
        page = parse(path)
        assert "script" not in page.tags
        assert set(page.tags) <= ALLOWED_TAGS
        for href in page.hrefs:
            parts = urlsplit(href)
            assert not parts.scheme and not parts.netloc, href
            assert ".." not in unquote(href) and not href.startswith("/"), href
    index = parse(out / "index.html")
    assert EVIL in index.all_text and QUOTED in index.all_text
    assert 'Title "quoted" \'single\'' in index.all_text
    assert f"scenarios/{EVIL}.yaml" in index.all_text
    raw = (out / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw and "<b>" not in raw


def test_links_only_to_files_that_exist(out, records):
    index_path, _ = pages.write_pages(out, records)
    page = parse(index_path)
    for href in page.hrefs:
        assert (out / unquote(href)).exists(), href
    assert "compare.html" in page.hrefs
    cpr = {h for h in page.hrefs if h.startswith("cpr_2019_20/")}
    assert cpr == {f"cpr_2019_20/{f}" for f in
                   ("report.html", "results.csv", "uncertainty.csv", "manifest.json")}
    south = {h for h in page.hrefs if h.startswith("southend_2019_20/")}
    assert south == {f"southend_2019_20/{f}" for f in
                     ("report.html", "report.xlsx", "results.csv", "report.ipynb")}
    assert "_failed/cpr_failed/" in page.hrefs
    assert not any("evil" in h or "etc" in h or "example" in h for h in page.hrefs)


def test_rows_show_status_headline_and_reasons(out, records, results):
    page = parse(pages.write_pages(out, records)[0])
    text = page.all_text
    assert "6 scenarios: 1 ok, 1 unchanged, 1 failed, 2 invalid, 1 pending" in text
    raw = (out / "index.html").read_text(encoding="utf-8")
    assert '<span class="status status-good">ok</span>' in raw
    assert '<span class="status status-good">unchanged</span>' in raw
    assert raw.count("status status-bad") == 3
    assert '<span class="status status-other">pending</span>' in raw
    # headline figures as plans print them, end year and base-year QIPP gap
    h = headline(results["cpr_2019_20"])
    row = row_of(page, "cpr_2019_20")
    assert row[3:7] == [money(h[k]) for k in
                        ("do_nothing", "do_something", "do_something_cumulative", "qipp_gap")]
    assert row[2] == f"{h['base_year']} to {h['end_year']}"
    # failed: cell, error name and value, the cell's code; previous report and partial outputs
    assert "Failed in cell 7: ZeroDivisionError: division by zero" in text
    assert FAILED_CODE in page.pres
    failed = row_of(page, "cpr_failed")
    assert failed[7].startswith("Previous report: report.html") and "Partial outputs" in failed[7]
    # invalid: every problem listed
    assert PROBLEMS[0] in page.lis and PROBLEMS[1] in page.lis and "bad" in page.lis


def expected_measures(folder: Path) -> dict:
    """Key measures read straight from the csv files, independently of pages."""
    res = pd.read_csv(folder / "results.csv", keep_default_na=False)
    fp = res[res["org"] == "footprint"]
    years = sorted(fp.loc[fp["measure"] == "do_something_surplus", "year"].unique())

    def at(measure, item, year):
        sel = fp[(fp["measure"] == measure) & (fp["item"] == item) & (fp["year"] == year)]
        assert len(sel) == 1
        return float(sel["value"].iloc[0])

    end = years[-1]
    got = [at("allocation", "total", end), at("do_nothing_surplus", "", end),
           at("solutions", "total", end), at("do_something_surplus", "", end),
           at("do_something_cumulative_surplus", "", end), at("underlying_surplus", "", end),
           at("qipp", "unidentified", years[0])]
    prob = None
    if (folder / "uncertainty.csv").exists():
        u = pd.read_csv(folder / "uncertainty.csv", keep_default_na=False)
        sel = u[(u["org"] == "footprint") & (u["measure"] == "do_something_surplus")
                & (u["stat"] == "prob_surplus_ge_0") & (u["year"] == end)]
        prob = float(sel["value"].iloc[0])
    return {"values": got, "prob": prob, "years": f"{years[0]} to {end}"}


def test_scenarios_of_other_organisations_are_not_set_against_each_other(out, records):
    # cpr (one CCG) and southend (another) model different organisations: nothing to compare
    page = parse(pages.write_pages(out, records)[1])
    assert "nothing to compare like with like" in page.all_text
    assert "Not compared" in page.all_text and page.imgs == []
    assert "cpr_2019_20: Footprint (1 CCG): " in page.all_text
    assert not (out / "compare.xlsx").exists()


WHAT_IF = "footprint_2019_20_tight_funding"


@pytest.fixture(scope="module")
def alike():
    """Results and resolved assumptions of the footprint, its what-if and cpr."""
    from ccgmodels.inputs.loading import load_scenario

    out = {}
    for name in ("footprint_2019_20", WHAT_IF, "cpr_2019_20"):
        s = load_scenario(name)
        out[name] = (run_scenario(s), s.model_dump(mode="json"))
    return out


@pytest.fixture
def alike_out(tmp_path, alike):
    for name, (res, assumptions) in alike.items():
        folder = tmp_path / name
        folder.mkdir()
        res.to_csv(folder / "results.csv", index=False)
        (folder / "manifest.json").write_text(json.dumps({"assumptions": assumptions}))
    return tmp_path


@pytest.fixture
def alike_records(alike):
    return [record(name, "ok", title=f"Title of {name}", report=name,
                   extends="footprint_2019_20" if name == WHAT_IF else None)
            for name in (WHAT_IF, "cpr_2019_20", "footprint_2019_20")]


def test_compare_groups_like_with_like_and_defaults_to_the_extended_scenario(
        alike_out, alike_records):
    page = parse(pages.write_pages(alike_out, alike_records)[1])
    text = page.all_text
    assert ("Footprint (2 CCGs): NHS Castle Point and Rochford CCG, NHS Southend CCG, 2019/20 "
            "to 2023/24") in text
    # the what-if comes first in the records, but its baseline is the scenario it extends
    # scenarios by their titles (the records' "Title of <name>"), the name small under it
    assert "Baseline: Title of footprint_2019_20, the scenario the others extend" in text
    values, diffs = page.tables[0], page.tables[1]
    assert [r[0] for r in values[1:]] == [f"Title of {n}{n}" for n in
                                          (WHAT_IF, "footprint_2019_20")]
    exp = {n: expected_measures(alike_out / n) for n in (WHAT_IF, "footprint_2019_20")}
    for row, drow in zip(values[1:], diffs[1:], strict=True):
        name = {f"Title of {n}{n}": n for n in exp}[row[0]]
        assert row[2:9] == [money(v) for v in exp[name]["values"]]
        assert drow[2:9] == [money(v - b) for v, b in zip(
            exp[name]["values"], exp["footprint_2019_20"]["values"], strict=True)]
    assert "Title of cpr_2019_20 cpr_2019_20: Footprint (1 CCG): NHS Castle Point and Rochford " \
        "CCG" in text


def test_variance_bridge_steps_add_up_with_a_zero_residual(alike_out, alike_records, alike):
    page = parse(pages.write_pages(alike_out, alike_records)[1])
    bridge = next(t for t in page.tables if t[0][0] == "Step")
    assert bridge[0] == ["Step", f"Title of {WHAT_IF}"]
    steps = {r[0]: r[1] for r in bridge[1:]}
    assert list(steps) == ["Opening", "Funding", "Demand", "Prices", "QIPP delivery",
                           "Solutions", "Other", "Residual", "Closing"]
    end = {n: expected_measures(alike_out / n)["values"][3] for n in
           ("footprint_2019_20", WHAT_IF)}
    assert steps["Opening"] == money(end["footprint_2019_20"])
    assert steps["Closing"] == money(end[WHAT_IF])
    assert steps["Residual"] == "0"
    # the what-if changes funding, QIPP delivery and solutions (its eight overrides), nothing
    # of demand or prices
    assert steps["Demand"] == steps["Prices"] == steps["Other"] == "0"
    assert steps["Funding"].startswith("(") and steps["Solutions"] != "0"
    # the waterfall and the by-year chart, each saying what it shows
    assert len(page.imgs) == 2
    assert all(img["alt"].startswith(("Waterfall chart", "Line chart")) for img in page.imgs)
    assert "Residual 0" in page.imgs[0]["alt"]


def test_a_comparison_made_ahead_is_reused_and_the_same(alike_out, alike_records,
                                                       monkeypatch):
    """A batch compares as its reports arrive (``compare_ahead``); the page at its end reuses
    those variance bridges and charts and says exactly what a page made afresh says."""
    from ccgmodels.outputs import compare, plotting, variance

    monkeypatch.setattr(compare, "_BRIDGES", {})
    monkeypatch.setattr(pages, "_CHARTS", {})
    fresh = pages.compare_html(alike_out, alike_records, None, "now")
    bridges, waterfalls = [], []
    bridge, waterfall = variance.bridge, plotting.variance_waterfall
    monkeypatch.setattr(variance, "bridge", lambda *a, **k: bridges.append(a) or bridge(*a, **k))
    monkeypatch.setattr(plotting, "variance_waterfall",
                        lambda *a: waterfalls.append(a) or waterfall(*a))
    monkeypatch.setattr(compare, "_BRIDGES", {})
    monkeypatch.setattr(pages, "_CHARTS", {})
    pages.compare_ahead(alike_out, alike_records, None)
    assert (len(bridges), len(waterfalls)) == (1, 1)  # the what-if from its footprint
    assert pages.compare_html(alike_out, alike_records, None, "now") == fresh
    assert (len(bridges), len(waterfalls)) == (1, 1)  # nothing made twice
    # another baseline is another bridge, not the kept one
    other = pages.compare_html(alike_out, alike_records, WHAT_IF, "now")
    assert len(bridges) == 2 and other != fresh


def test_asked_for_baseline_and_one_not_in_the_group(alike_out, alike_records):
    page = parse(pages.write_pages(alike_out, alike_records, baseline=WHAT_IF)[1])
    assert f"Baseline: Title of {WHAT_IF}, as asked" in page.all_text
    diffs = page.tables[1]
    assert next(r for r in diffs if r[0].startswith(f"Title of {WHAT_IF}"))[2:9] == ["0"] * 7
    page = parse(pages.write_pages(alike_out, alike_records, baseline="cpr_2019_20")[1])
    assert ("Baseline: Title of footprint_2019_20, the scenario the others extend (asked-for "
            "baseline cpr_2019_20 is not in this group") in page.all_text


def test_compare_workbook_holds_the_comparison_as_excel_tables(alike_out, alike_records):
    import openpyxl

    pages.write_pages(alike_out, alike_records)
    wb = openpyxl.load_workbook(alike_out / "compare.xlsx")
    assert wb.sheetnames == ["Key measures", "Differences", "Variance bridge", "By year"]
    for ws in wb:
        assert len(ws.tables) == 1 and ws.page_setup.orientation == "landscape"
    bridge = wb["Variance bridge"]
    rows = list(bridge.values)
    assert rows[0][:3] == ("Comparison", "Step", WHAT_IF)
    residual = next(r for r in rows if r[1] == "Residual")
    assert abs(residual[2]) < 1e-6
    assert bridge.cell(2, 3).number_format == "#,##0;(#,##0)"
    # a workbook of someone else's in the way is refused, named
    (alike_out / "compare.xlsx").write_bytes(b"not ours")
    from ccgmodels.batch import outdir

    with pytest.raises(outdir.UnsafeOutput, match="compare.xlsx was not written by ccgmodels"):
        outdir.check_pages(alike_out)


def test_zero_comparable_scenarios(out, records):
    few = records[2:]
    page = parse(pages.write_pages(out, few)[1])
    assert "No scenario has a complete report to compare." in page.all_text
    assert page.imgs == [] and page.tables == []


def test_unreadable_results_are_noted_not_fatal(alike_out, alike_records):
    (alike_out / WHAT_IF / "results.csv").write_text("not,a\ntidy,table\n")
    page = parse(pages.write_pages(alike_out, alike_records)[1])
    assert f"{WHAT_IF}: left out, results could not be read" in page.all_text
    assert "nothing to compare like with like" in page.all_text


def test_pages_are_self_contained(out, records):
    for path in pages.write_pages(out, records):
        raw = path.read_text(encoding="utf-8")
        assert raw.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in raw
        assert '<meta charset="utf-8">' in raw and "<title>" in raw
        assert "http://" not in raw and "https://" not in raw and "<link" not in raw
        assert "<script" not in raw.lower() and " on" not in raw.split("<style>")[0]


def test_writing_is_atomic(out, records, monkeypatch):
    (out / "index.html").write_text("old index")
    pages.write_pages(out, records)
    assert "old index" not in (out / "index.html").read_text(encoding="utf-8")
    top = {p.name for p in out.iterdir() if p.is_file()}
    assert top == {"index.html", "compare.html"}
    # a failed replace leaves the old page and no temp file behind
    before = (out / "index.html").read_bytes()

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        pages.write_pages(out, records[:1])
    assert (out / "index.html").read_bytes() == before
    assert {p.name for p in out.iterdir() if p.is_file()} == top


@pytest.mark.parametrize("folder, expected", [
    ("cpr_2019_20", "cpr_2019_20"),
    ("_failed/cpr_failed/", "_failed/cpr_failed"),
    ("./cpr_2019_20", "cpr_2019_20"),
    ("../x", None), ("a/../../x", None), ("a/../b", None), ("_failed/../cpr", None),
    ("/etc", None), ("//host/x", None),
    ("https://example.com", None), ("javascript:alert(1)", None), ("C:\\x", None),
    ("a\\..\\b", None), ("", None), (".", None), (None, None), (3, None), ("a\nb", None),
])
def test_safe_folder(tmp_path, folder, expected):
    assert pages.safe_folder(tmp_path, folder) == expected


def test_safe_folder_rejects_a_symlink_out_of_the_folder(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "link").symlink_to(tmp_path)
    assert pages.safe_folder(tmp_path / "out", "link") is None
