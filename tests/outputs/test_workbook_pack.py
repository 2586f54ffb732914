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
    assert wb.sheetnames[-5:] == ["Schemes", "Scheme subtotals", "Assumptions", "Sources",
                                  "Data"]
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
def test_printed_rows_hold_their_wrapped_text_and_columns_their_headings(pack):
    """LibreOffice and Excel print the row heights stored in the file: every row of a wrapped
    cell has a height for its lines, and every column is as wide as its heading's longest
    word (issue 29: "Pipeline (outsid", "Delivery prob", overprinted registers)."""
    _, wb = pack
    for name in ("Schemes", "Assumptions"):
        ws = wb[name]
        for row in ws.iter_rows(min_row=2, max_row=ws.max_row - 1):
            wrapped = [c for c in row if c.alignment.wrap_text and c.value]
            if not wrapped:
                continue
            width = {c.column_letter: ws.column_dimensions[c.column_letter].width
                     for c in wrapped}
            lines = max(len(str(c.value)) / width[c.column_letter] for c in wrapped)
            height = ws.row_dimensions[row[0].row].height
            need = min(workbook.LINE_HEIGHT * max(1, int(lines)), workbook.MAX_ROW_HEIGHT)
            assert height is not None and height >= need, (name, row[0].row, height, lines)
        for cell in ws[1]:
            longest = max(map(len, str(cell.value).split()))
            assert ws.column_dimensions[cell.column_letter].width >= longest, (name, cell.value)
    status = wb["Schemes"]["D"]
    width = wb["Schemes"].column_dimensions["D"].width
    assert all(len(str(c.value)) <= width for c in status if c.value), width


def test_a_residual_is_stored_as_zero_not_as_a_tiny_deficit():
    assert workbook._cell(-5.8e-11) == 0.0 and str(workbook._cell(-5.8e-11)) == "0.0"
    assert workbook._cell(-1234.56789012) == -1234.56789012  # the number as shown, exactly
    assert workbook._cell(float("nan")) is None and workbook._cell("text") == "text"


def test_scheme_subtotals_sheet_totals_the_plan_by_status_and_keeps_the_pipeline_apart(pack):
    """The pack's scheme register subtotals as the report's do: each status, the total in the
    plan (every status but the pipeline), the pipeline on its own line, never added in."""
    _, wb = pack
    schemes = list(wb["Schemes"].iter_rows(values_only=True))
    head, body = schemes[0], [r for r in schemes[1:] if r[0] and r[0] != "Total"]
    org, status, net = (head.index(c) for c in ("Organisation", "Status", "Net saving"))
    lines = list(wb["Scheme subtotals"].iter_rows(values_only=True))
    assert lines[0][:3] == ("Organisation", "Line", "Gross saving")
    n = lines[0].index("Net saving")
    for who in {r[org] for r in body}:
        mine = [r for r in body if r[org] == who]
        subs = {r[1]: r[n] for r in lines[1:] if r[0] == who}
        in_plan = sum(r[net] or 0 for r in mine if not str(r[status]).startswith("Pipeline"))
        plan = next(v for k, v in subs.items() if k.startswith("Total in the plan"))
        assert plan == pytest.approx(in_plan)
        statuses = [v for k, v in subs.items() if k.startswith("Subtotal:")
                    and "Pipeline" not in k]
        assert sum(statuses) == pytest.approx(plan)
        pipeline = [r[net] or 0 for r in mine if str(r[status]).startswith("Pipeline")]
        if pipeline:
            assert subs["Subtotal: Pipeline (outside the plan)"] == pytest.approx(sum(pipeline))

