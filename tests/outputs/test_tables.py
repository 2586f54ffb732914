"""The report's tables and files (ccgmodels.outputs.tables, ccgmodels.outputs.workbook): every
number in report.xlsx is the number derived from results.csv (or uncertainty.csv) read back,
formatted as NHS plans print it."""

from __future__ import annotations

import math
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

from ccgmodels.inputs.loading import load_scenario
from ccgmodels.models import run as model
from ccgmodels.models import uncertainty as u
from ccgmodels.models.results import write_tidy
from ccgmodels.outputs import labels, summaries, tables
from ccgmodels.outputs.workbook import write_report_files, write_workbook

SCENARIO = "cpr_2019_20"
ORG = "footprint"
MONEY = "#,##0;(#,##0)"
# results.csv keeps 6 decimals; a table row sums at most a handful of rounded values
CSV_TOLERANCE = 1e-5


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(SCENARIO)


@pytest.fixture(scope="module")
def results():
    return model.run_scenario(SCENARIO)


@pytest.fixture(scope="module")
def sim(scenario):
    return u.simulate(scenario, runs=200, seed=1)


@pytest.fixture(scope="module")
def summary(sim):
    return u.summarise(sim)


@pytest.fixture(scope="module")
def book(results, scenario, summary):
    return tables.report_tables(results, scenario, ORG, summary)


@pytest.fixture(scope="module")
def written(tmp_path_factory, results, book, summary):
    folder = tmp_path_factory.mktemp("report")
    return folder, write_report_files(folder, results, book, summary)


@pytest.fixture(scope="module")
def workbook(written):
    folder, _ = written
    return openpyxl.load_workbook(folder / "report.xlsx")


@pytest.fixture(scope="module")
def csv(written):
    folder, _ = written
    df = pd.read_csv(folder / "results.csv", dtype={"item": str})
    return df.assign(item=df["item"].fillna(""))


@pytest.fixture(scope="module")
def uncertainty_csv(written):
    folder, _ = written
    df = pd.read_csv(folder / "uncertainty.csv", dtype={"item": str})
    return df.assign(item=df["item"].fillna(""))


def sheet_frame(ws) -> pd.DataFrame:
    """A table sheet as a frame: header row across, label column down; cells must be numbers."""
    rows = list(ws.values)
    for r in rows[1:]:
        bad = [v for v in r[1:] if v is not None and not isinstance(v, int | float)]
        assert not bad, f"{ws.title}: non-numeric cells {bad} in row {r[0]!r}"
    return pd.DataFrame([[np.nan if v is None else float(v) for v in r[1:]] for r in rows[1:]],
                        index=[r[0] for r in rows[1:]], columns=list(rows[0][1:]))


def stat_table(unc: pd.DataFrame, org: str, rows: dict) -> pd.DataFrame:
    """Expected uncertainty rows, built from uncertainty.csv one cell at a time."""
    years = sorted(unc.loc[unc["org"] == org, "year"].unique())
    out = {}
    for (measure, stat), label in rows.items():
        sel = unc[(unc["org"] == org) & (unc["measure"] == measure) & (unc["stat"] == stat)
                  & (unc["item"] == "")].set_index("year")["value"]
        out[label] = sel.reindex(years)
    return pd.DataFrame(out).T


def expected_from_csv(key: str, csv: pd.DataFrame, unc: pd.DataFrame, scenario) -> pd.DataFrame:
    if key == "Headline":
        return summaries.headline(csv, ORG)
    if key == "By organisation":  # each organisation's do-something position, then the total
        ds = csv[(csv["measure"] == "do_something_surplus") & (csv["item"] == "")]
        want = {labels.org_name(scenario, o.id): ds[ds["org"] == o.id].groupby("year")[
            "value"].sum() for o in labels.modelled(scenario)}
        want["Total"] = ds[ds["org"] == ORG].groupby("year")["value"].sum()
        return pd.DataFrame(want).T
    if key.startswith("STP summary "):
        year = key.removeprefix("STP summary ").replace("-", "/")
        return summaries.stp_summary(csv, year)  # results.csv carries kind
    measures = {"Solutions": "solutions", "QIPP": "qipp", "Primary care bridge": "pc_bridge",
                "Activity": "activity", "System position": "system",
                "Eliminations": "eliminations"}
    if key in measures:  # items shown by their display names
        want = tables.by_year(csv, ORG, measures[key])
        want.index = [labels.label(i, measures[key]) for i in want.index]
        return want
    if key == "Uncertainty":
        return stat_table(unc, ORG, {
            (m, s): f"{name} surplus/(deficit), {stat}"
            for m, name in (("do_nothing_surplus", "Do nothing"),
                            ("do_something_surplus", "Do something"))
            for s, stat in (("p5", "5th percentile"), ("p50", "median"),
                            ("p95", "95th percentile"))})
    if key == "Probability of balance":
        return stat_table(unc, ORG, {
            ("do_nothing_surplus", "prob_surplus_ge_0"):
                "Chance do nothing is at least break-even",
            ("do_something_surplus", "prob_surplus_ge_0"):
                "Chance do something is at least break-even"})
    raise AssertionError(f"no expectation for sheet {key!r}")


# --- the book ---------------------------------------------------------------------------------


def test_book_has_the_report_tables_in_order(book, scenario):
    # one organisation: no table by organisation (tests/outputs/test_key_figures_scope.py)
    assert list(book) == ["Headline", "STP summary 2019-20", "STP summary 2023-24", "Solutions",
                          "QIPP", "Primary care bridge", "System position", "Eliminations",
                          "Activity", "Uncertainty", "Probability of balance"]
    assert scenario.base_year == "2019/20" and scenario.end_year == "2023/24"
    units = {k: t.unit for k, t in book.items()}
    assert units["Activity"] == "count" and units["Probability of balance"] == "fraction"
    assert {units[k] for k in book if k not in ("Activity", "Probability of balance")} == {"£k"}
    for t in book.values():
        assert all(pd.api.types.is_numeric_dtype(t.frame[c]) for c in t.frame.columns)


def test_sheet_names_are_valid(workbook, book):
    for name in workbook.sheetnames:
        assert 1 <= len(name) <= 31, name
        assert not re.search(r"[\[\]:*?/\\]", name), name
    assert workbook.sheetnames == [*book, "Data"]


def test_uncertainty_tables_only_with_a_summary(results, scenario, tmp_path):
    plain = tables.report_tables(results, scenario, ORG)
    assert "Uncertainty" not in plain and "Probability of balance" not in plain
    paths = write_report_files(tmp_path, results, plain)
    assert [p.name for p in paths] == ["results.csv", "report.xlsx"]
    assert not (tmp_path / "uncertainty.csv").exists()
    wb = openpyxl.load_workbook(tmp_path / "report.xlsx")
    assert "Uncertainty" not in wb.sheetnames and "Probability of balance" not in wb.sheetnames


def test_tables_absent_for_the_org_are_left_out(results, scenario):
    no_bridge = results[results["measure"] != "pc_bridge"]
    assert "Primary care bridge" not in tables.report_tables(no_bridge, scenario, ORG)
    no_activity = results[results["measure"] != "activity"]
    assert "Activity" not in tables.report_tables(no_activity, scenario, ORG)


def test_unknown_org_is_named(results, scenario):
    with pytest.raises(ValueError, match="'nowhere_ccg'"):
        tables.report_tables(results, scenario, "nowhere_ccg")


def test_report_table_rejects_an_unknown_unit():
    with pytest.raises(ValueError, match="'£m'"):
        tables.ReportTable("x", pd.DataFrame({"a": [1.0]}), "£m")


def test_tables_from_results_csv_match_tables_from_the_run(book, csv, scenario, summary):
    # results.csv has no kind column: report_tables takes the kinds from the scenario
    again = tables.report_tables(csv, scenario, ORG, summary)
    assert list(again) == list(book)
    for key, t in book.items():
        pd.testing.assert_frame_equal(again[key].frame, t.frame, check_exact=False,
                                      atol=CSV_TOLERANCE, rtol=0, check_dtype=False)


# --- report.xlsx ------------------------------------------------------------------------------


def test_every_table_sheet_equals_the_table_derived_from_the_csv_files(
        workbook, book, csv, uncertainty_csv, scenario):
    for key, table in book.items():
        got = sheet_frame(workbook[key])
        want = expected_from_csv(key, csv, uncertainty_csv, scenario)
        assert list(got.index) == [str(i) for i in want.index], key
        assert list(got.columns) == [str(c) for c in want.columns], key
        assert got.shape == want.shape and got.size > 0, key
        np.testing.assert_allclose(got.to_numpy(), want.to_numpy(dtype=float),
                                   rtol=0, atol=CSV_TOLERANCE, err_msg=key)
        # and the sheet holds the numbers the notebook displays (openpyxl writes 16
        # significant digits; Excel keeps 15)
        np.testing.assert_allclose(got.to_numpy(), table.frame.to_numpy(dtype=float),
                                   rtol=1e-15, atol=0, err_msg=key)


def test_uncertainty_sheet_spread_is_ordered(workbook):
    got = sheet_frame(workbook["Uncertainty"])
    for name in ("Do nothing", "Do something"):
        p5, p50, p95 = (got.loc[f"{name} surplus/(deficit), {s}"]
                        for s in ("5th percentile", "median", "95th percentile"))
        assert (p5 <= p50).all() and (p50 <= p95).all()
    prob = sheet_frame(workbook["Probability of balance"])
    assert ((prob >= 0) & (prob <= 1)).all().all()


def test_number_formats_header_and_frozen_panes(workbook, book):
    formats = {"Activity": "#,##0", "Probability of balance": "0.0%"}
    for key in book:
        ws = workbook[key]
        assert ws.freeze_panes == "B2", key
        assert all(c.font.b for c in ws[1]), key
        want = formats.get(key, MONEY)
        cells = [c for row in ws.iter_rows(min_row=2, min_col=2) for c in row]
        assert cells and {c.number_format for c in cells} == {want}, key
        assert all(ws.column_dimensions[L].width >= 8 for L in "AB"), key
    data = workbook["Data"]
    assert data.freeze_panes == "A2"
    assert all(c.font.b for c in data[1])


def test_deficits_print_in_brackets_with_the_money_format():
    # the Excel section for negatives is "(#,##0)": the same text as tables.money
    pos, neg = MONEY.split(";")
    assert neg == f"({pos})"
    assert tables.money(-7684.1) == "(7,684)"


def test_data_sheet_equals_results_csv(workbook, csv):
    rows = list(workbook["Data"].values)
    assert list(rows[0]) == ["scenario", "org", "year", "measure", "item", "value",
                             "value_real", "unit", "kind"]
    data = pd.DataFrame(rows[1:], columns=rows[0])
    assert len(data) == len(csv)
    for col in ("scenario", "org", "year", "measure", "unit", "kind"):
        assert data[col].tolist() == csv[col].tolist(), col
    assert data["item"].fillna("").tolist() == csv["item"].tolist()
    values = data["value"].astype(float).to_numpy()
    expected = csv["value"].to_numpy(dtype=float)
    assert np.array_equal(np.isnan(values), np.isnan(expected))
    assert all(isinstance(v, int | float) for v in data["value"] if v is not None)
    assert np.array_equal(values[~np.isnan(values)], expected[~np.isnan(expected)])


def test_workbook_content_is_deterministic(book, results, tmp_path):
    a = write_workbook(book, tmp_path / "a.xlsx", results)
    b = write_workbook(book, tmp_path / "b.xlsx", results)
    wa, wb = openpyxl.load_workbook(a), openpyxl.load_workbook(b)
    assert wa.sheetnames == wb.sheetnames
    assert wa.properties.created == wb.properties.created
    for name in wa.sheetnames:
        cells_a = [(c.value, c.number_format) for row in wa[name].iter_rows() for c in row]
        cells_b = [(c.value, c.number_format) for row in wb[name].iter_rows() for c in row]
        assert cells_a == cells_b, name


def test_bad_sheet_name_is_refused(book, tmp_path):
    bad = {"QIPP 2019/20": book["QIPP"]}
    with pytest.raises(ValueError, match="QIPP 2019/20"):
        write_workbook(bad, tmp_path / "bad.xlsx")
    assert tables.sheet_name_problem("x" * 32) is not None
    assert tables.sheet_name_problem("Headline") is None


def test_missing_numbers_are_empty_cells(tmp_path):
    frame = pd.DataFrame({"2019/20": [np.nan, -1.5]}, index=["target", "gap"])
    path = write_workbook({"QIPP": tables.ReportTable("QIPP (£k)", frame, "£k")},
                                 tmp_path / "gaps.xlsx")
    ws = openpyxl.load_workbook(path)["QIPP"]
    assert ws["B2"].value is None and ws["B3"].value == -1.5


# --- files ------------------------------------------------------------------------------------


def test_results_and_uncertainty_csv_are_the_files_the_cli_writes(written, results, sim,
                                                                   tmp_path):
    folder, paths = written
    assert [p.name for p in paths] == ["results.csv", "uncertainty.csv", "report.xlsx"]
    assert all(p.parent == folder and p.exists() for p in paths)
    # ccgmodels run writes results.csv with write_tidy (batch/runs.py)
    write_tidy(results, tmp_path / "results.csv")
    assert (folder / "results.csv").read_bytes() == (tmp_path / "results.csv").read_bytes()
    ref = u.write_summary(sim, tmp_path)
    assert (folder / "uncertainty.csv").read_bytes() == ref.read_bytes()


def test_empty_output_dir_writes_nothing(results, book, summary, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert write_report_files("", results, book, summary) == []
    assert list(tmp_path.iterdir()) == []


# --- headline figures -------------------------------------------------------------------------


def one(results, org, measure, item, year) -> float:
    sel = results[(results["org"] == org) & (results["measure"] == measure)
                  & (results["item"] == item) & (results["year"] == year)]
    assert len(sel) == 1
    return float(sel["value"].iloc[0])


@pytest.mark.parametrize("org", ["footprint", "cpr_ccg"])
def test_headline_figures_agree_with_the_results_table(results, scenario, org):
    h = summaries.key_figures(results, org)
    base, end = scenario.base_year, scenario.end_year
    assert (h["org"], h["base_year"], h["end_year"]) == (org, base, end)
    assert h["allocation"] == one(results, org, "allocation", "total", end)
    assert h["do_nothing"] == one(results, org, "do_nothing_surplus", "", end)
    assert h["do_something"] == one(results, org, "do_something_surplus", "", end)
    assert h["do_something_cumulative"] == one(results, org, "do_something_cumulative_surplus",
                                               "", end)
    assert h["qipp_gap"] == one(results, org, "qipp", "unidentified", base)
    # do something = do nothing + solutions, and the gap is target less identified
    assert math.isclose(h["do_something"], h["do_nothing"]
                        + one(results, org, "solutions", "total", end), abs_tol=1e-6)
    assert math.isclose(h["qipp_gap"], one(results, org, "qipp", "target", base)
                        - one(results, org, "qipp", "identified", base), abs_tol=1e-6)
    assert all(isinstance(h[k], float) for k in ("allocation", "do_nothing", "do_something",
                                                 "do_something_cumulative", "qipp_gap"))


def test_headline_figures_from_csv_match_the_run(results, csv):
    a, b = summaries.key_figures(results), summaries.key_figures(csv)
    assert a.keys() == b.keys()
    for k in a:
        if isinstance(a[k], float):
            assert math.isclose(a[k], b[k], abs_tol=CSV_TOLERANCE), k
        else:
            assert a[k] == b[k], k


def test_headline_figures_absent_measure_is_none(results):
    # an organisation with no allocation or QIPP (a provider) reports None for them
    h = summaries.key_figures(results[~results["measure"].isin(["allocation", "qipp"])])
    assert h["allocation"] is None and h["qipp_gap"] is None
    assert h["do_nothing"] is not None


def test_headline_figures_unknown_org_is_named(results):
    with pytest.raises(ValueError, match="'nowhere_ccg'"):
        summaries.key_figures(results, "nowhere_ccg")
