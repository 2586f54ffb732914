"""The Excel pack a finance team reuses: cover, registers, Excel Tables, number formats and
print set-up on every sheet, opened with openpyxl."""

from __future__ import annotations

import openpyxl
import pytest

from ccgmodels.outputs import register, report, workbook

MONEY = "#,##0;(#,##0)"


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pack")
    rep = report.build("footprint_2019_20_tight_funding", runs=50, seed=1,
                       output_dir=str(folder))
    rep.write_files()
    return rep, openpyxl.load_workbook(folder / "report.xlsx")


def test_cover_first_with_the_run_metadata_and_contents(pack):
    rep, wb = pack
    assert wb.sheetnames[0] == "Cover"
    assert wb.sheetnames[-4:] == ["Schemes", "Assumptions", "Sources", "Data"]
    ws = wb["Cover"]
    assert ws["A1"].value == rep.scenario.title
    facts = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(4, 20)}
    assert {"Organisations", "Horizon", "Prepared", "Model", "Run", "Compared with"} <= set(
        facts)
    assert "50 Monte Carlo runs, seed 1" in facts["Run"]
    links = {c.value: c.hyperlink.location if c.hyperlink.location else c.hyperlink.target
             for c in ws["A"] if c.hyperlink is not None}
    assert set(links) == set(wb.sheetnames[1:])


def test_every_table_is_a_named_excel_table(pack):
    _, wb = pack
    for ws in wb.worksheets[1:]:
        assert len(ws.tables) == 1, ws.title
        (name, ref), = ws.tables.items()
        assert workbook.table_name(ws.title) == name or ws.title == "Data"
        assert ref.startswith("A1:"), (ws.title, ref)
        # the table covers every filled row
        assert ref.endswith(str(ws.max_row)), (ws.title, ref, ws.max_row)


def test_every_sheet_prints_landscape_one_page_wide_with_footers(pack):
    rep, wb = pack
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.oddFooter.right.text == "Page &P of &N", ws.title
        assert ws.oddFooter.left.text == rep.scenario.title.replace("&", "&&"), ws.title
        if ws.title != "Cover":
            assert ws.print_title_rows == "$1:$1", ws.title


def test_data_sheet_is_filterable_with_number_formats(pack):
    _, wb = pack
    ws = wb["Data"]
    table = ws.tables["Data"]
    assert table.autoFilter is None or table.autoFilter.ref in (None, table.ref)
    assert table.headerRowCount in (None, 1)
    formats = {}
    for row in ws.iter_rows(min_row=2):
        formats.setdefault(row[7].value, set()).add(row[5].number_format)
    assert formats["£k"] == {workbook.DATA_FORMATS["£k"]}
    assert formats["fraction"] == {workbook.DATA_FORMATS["fraction"]}


def test_schemes_sheet_totals_its_money(pack):
    rep, wb = pack
    ws = wb["Schemes"]
    headers = [c.value for c in ws[1]]
    last = ws.max_row
    assert ws.cell(last, 1).value == "Total"
    net = headers.index("Net saving") + 1
    assert ws.cell(last, net).value == "=SUBTOTAL(109,Schemes[Net saving])"
    assert ws.cell(2, net).number_format == MONEY
    assert ws.tables["Schemes"].totalsRowCount == 1
    # the rows above the total are the register's, numbers as numbers; a described, uncosted
    # pipeline item's cell is blank, never 0
    values = [ws.cell(r, net).value for r in range(2, last)]
    expected = list(register.scheme_register(rep.scenario)["Net saving"])
    assert [v is None for v in values] == [e != e for e in expected]
    assert [v for v in values if v is not None] == pytest.approx([e for e in expected if e == e])
    assert any(v is None for v in values)


def test_assumptions_sheet_is_the_register_with_what_if_marks(pack):
    _, wb = pack
    ws = wb["Assumptions"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["Organisation", "Assumption", "Unit"]
    assert {"Source", "Flag", "Path (for --set)"} <= set(headers)
    flags = [r[headers.index("Flag")].value for r in ws.iter_rows(min_row=2)]
    assert flags.count("What-if") == 8
    # the dotted paths are for reuse, not print
    assert ws.print_area is not None and "Path" not in str(ws.print_area)


def test_table_sheets_keep_their_numbers_and_formats(pack):
    rep, wb = pack
    ws = wb["Headline"]
    assert ws["A1"].value == rep.book["Headline"].title
    assert ws["B2"].number_format == MONEY and isinstance(ws["B2"].value, int | float)
    total = [r for r in wb["Solutions"].iter_rows(min_row=2) if r[0].value == "Total"]
    assert total and all(c.font.b for c in total[0])


def test_sources_sheet_names_every_document_the_assumptions_cite(pack):
    """The pack's Sources sheet lists what the report's appendix lists; its Assumptions sheet
    writes citations out as the report does (no bare 000:L1997 left)."""
    from ccgmodels.inputs import documents

    rep, wb = pack
    rows = list(wb["Sources"].iter_rows(values_only=True))
    assert rows[0][:5] == ("Key", "Title", "Publisher", "Date", "Where to get it")
    assert [r[0] for r in rows[1:]] == [d.key for d in rep.cited()]
    assert {"000", "W01"} <= {r[0] for r in rows[1:]}
    ws = wb["Assumptions"]
    col = [c.value for c in ws[1]].index("Source")
    for (cell,) in ws.iter_rows(min_row=2, min_col=col + 1, max_col=col + 1):
        assert not documents.CITATION.search(str(cell.value or "")), cell.value
