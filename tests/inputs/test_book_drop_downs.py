"""The exported workbook's drop-down lists: each list's validation covers exactly the cells the
layout gives a list (worked out here from :mod:`ccgmodels.inputs.book.layout` and the rows the
sheet holds, not from the writer), as whole column ranges, and a national workbook's export
looks each value's source up without scanning every source (issue 30, item 5)."""

from __future__ import annotations

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.worksheet.cell_range import CellRange, MultiCellRange

from ccgmodels.inputs.book import eras as E
from ccgmodels.inputs.book import layout as L
from ccgmodels.inputs.book.writer import HEAD, SPARE, _blocks, _Writer, export_book
from ccgmodels.inputs.loading import load_scenario, validate_data
from ccgmodels.inputs.synthetic import national
from ccgmodels.inputs.years import format_year, span, start_of


def _cells(ranges) -> set[tuple[int, int]]:
    """Every cell ``(row, column)`` of ``ranges`` (CellRanges), each range's cells counted."""
    return {(r, c) for cr in ranges for r in range(cr.min_row, cr.max_row + 1)
            for c in range(cr.min_col, cr.max_col + 1)}


def _scenario(name: str):
    if name == "national_6":
        scenario, problems = validate_data(national(6), "national_6")
        assert scenario is not None, problems
        return scenario
    return load_scenario(name)


def _listed(book, dv) -> tuple[str, ...]:
    """The values of the list a validation names (``=list_x``, a range of the Lists sheet)."""
    ref = book.defined_names[dv.formula1.lstrip("=")].attr_text
    sheet, cells = ref.split("!")
    return tuple(str(c.value) for (c,) in book[sheet][cells.replace("$", "")])


def _expected(book, scenario) -> dict[tuple[str, tuple[str, ...]], set[tuple[int, int]]]:
    """``{(sheet, the list's values): cells}``: the cells the layout gives each list, row by
    row as the sheets hold them, the spare rows at each table's end included (issue 29): a
    parameter row's organisation, and its value where the field has allowed values; a spare
    parameter row's organisation and assumption (by label); every record row's columns with
    allowed values, its organisation (an owned table) and a contract's provider."""
    years = span(scenario.base_year, scenario.end_year)
    year_list = tuple(format_year(y) for y in range(start_of(years[0]) - 3,
                                                     start_of(years[-1]) + 6))
    kind = {o.id: o.kind for o in scenario.organisations}
    ids = tuple(kind)
    out: dict = {}

    def add(sheet, values, row, col):
        out.setdefault((sheet, tuple(str(L.write_cell(v, "text")) for v in values)), set()).add(
            (row, col))

    for sheet in L.SHEETS[1:]:
        ws = book[sheet]
        heads = {c.value: c.column for c in ws[HEAD] if c.value}
        last = ws.max_row - SPARE  # then the spare rows
        if sheet in L.PARAM_SHEETS:
            year_cols = [c for h, c in heads.items() if h[:2].isdigit() and "/" in h]
            for r in range(HEAD + 1, last + 1):
                org, path = ws.cell(r, heads[L.ORG]).value, ws.cell(r, heads[L.FIELD]).value
                spec, _ = L.find_param(kind[org] if org else "", path)
                assert spec is not None, (sheet, r, org, path)
                if org:
                    add(sheet, ids, r, heads[L.ORG])
                if spec.choices and spec.shape != "list":
                    for c in ([heads[L.VALUE]] if spec.shape in ("value", "by_year")
                              else year_cols):
                        add(sheet, spec.choices, r, c)
                if spec.scalar == "year":
                    add(sheet, year_list, r, heads[L.VALUE])
            kinds = [""] if sheet == "Scenario" else list(dict.fromkeys(kind.values()))
            labels = tuple(dict.fromkeys(t for k in kinds for t in E.labels(k, sheet, "ccg")))
            for r in range(last + 1, ws.max_row + 1):
                add(sheet, labels, r, heads[L.LABEL])
                if sheet != "Scenario":
                    add(sheet, ids, r, heads[L.ORG])
            continue
        table = L.TABLES[sheet]
        columns = [(h, column) for h, column, _ in L.record_columns(table, years, [])
                   if column.choices or column.scalar == "year" or column.path == "@org"
                   or (sheet == "Contracts" and column.path == "provider")]
        for r in range(HEAD + 1, ws.max_row + 1):
            for h, column in columns:
                values = column.choices or (year_list if column.scalar == "year" else tuple(
                    i for i, k in kind.items()
                    if k in (table.owners if column.path == "@org" else ("provider",))))
                add(sheet, values, r, heads[h])
    return out


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """``{name: (scenario, its exported workbook)}``, each exported once."""
    out = {}
    for name in ("mid_south_essex_system_2019_20", "national_6"):
        scenario = _scenario(name)
        path = export_book(scenario, tmp_path_factory.mktemp("drop_downs") / "plan.xlsx")
        out[name] = scenario, openpyxl.load_workbook(path)
    return out


@pytest.mark.parametrize("name", ["mid_south_essex_system_2019_20", "national_6"])
def test_each_list_covers_exactly_the_cells_the_layout_gives_it(exported, name):
    scenario, book = exported[name]
    expected = _expected(book, scenario)
    found: dict = {}
    for sheet in L.SHEETS[1:]:
        for dv in book[sheet].data_validations.dataValidation:
            key = (sheet, _listed(book, dv))
            assert key not in found, f"{sheet}: two validations of one list"
            cells = _cells(dv.sqref.ranges)
            assert sum(cr.size["rows"] * cr.size["columns"] for cr in dv.sqref.ranges) == \
                len(cells), f"{sheet}: ranges overlap"
            found[key] = cells
            # the same rule and message on every list, as before
            assert (dv.type, dv.allow_blank, dv.showErrorMessage, dv.errorStyle,
                    dv.errorTitle) == ("list", True, True, "warning", "Not in the list")
            assert dv.error.startswith("Choose one of the ")
    assert found.keys() == expected.keys()
    for key, cells in expected.items():
        assert found[key] == cells, key
    assert sum(len(c) for c in expected.values()) > 100  # the test saw real lists


@pytest.mark.parametrize("name", ["mid_south_essex_system_2019_20", "national_6"])
def test_a_record_column_s_list_is_one_range(exported, name):
    """Record rows are consecutive, so each column a list covers on a record sheet is one
    range: a national workbook holds a few dozen ranges, not one per cell."""
    _, book = exported[name]
    seen = 0
    for sheet in L.TABLES:
        for dv in book[sheet].data_validations.dataValidation:
            columns = {c for _, c in _cells(dv.sqref.ranges)}
            assert len(dv.sqref.ranges) <= len(columns), (sheet, str(dv.sqref))
            seen += 1
    assert seen >= 8


@given(st.lists(st.tuples(st.integers(1, 30), st.integers(1, 8)), max_size=120))
def test_blocks_cover_exactly_the_cells_given_each_once(cells):
    ranges = MultiCellRange(_blocks(cells)).ranges
    assert _cells(ranges) == set(cells)
    assert sum(cr.size["rows"] * cr.size["columns"] for cr in ranges) == len(set(cells))
    runs = sum(1 for r, c in set(cells) if (r - 1, c) not in cells)  # consecutive rows
    assert len(ranges) <= runs


@given(st.integers(1, 5000), st.integers(0, 300), st.integers(1, 60), st.integers(0, 20))
def test_a_rectangle_of_cells_is_one_range(row, rows, col, cols):
    cells = [(r, c) for c in range(col, col + cols + 1) for r in range(row, row + rows + 1)]
    assert MultiCellRange(_blocks(cells)).ranges == {
        CellRange(min_row=row, max_row=row + rows, min_col=col, max_col=col + cols)}


def test_blocks_join_rows_then_adjacent_columns():
    assert _blocks([(5, 2), (6, 2), (7, 2), (9, 2)]) == "B5:B7 B9"
    assert _blocks([(5, 3), (6, 3), (5, 4), (6, 4), (5, 6)]) == "C5:D6 F5"
    assert CellRange("C5:D6").size == {"rows": 2, "columns": 2}


def test_source_key_is_the_nearest_group_above_else_the_first_entry_below():
    data = load_scenario("mid_south_essex_system_2019_20").model_dump()
    data["sources"] = {"organisations.a.qipp.schemes.x": "1", "organisations.a.qipp": "2",
                       "organisations.b.qipp.schemes.y": "3", "organisations.b.qipp.schemes.z":
                       "4", **data["sources"]}
    w = _Writer(data, (), "t")
    keys = list(w.sources)

    def scanned(path):  # the rule as written before, scanning every source
        parts = path.split(".")
        for i in range(len(parts), 0, -1):
            if ".".join(parts[:i]) in w.sources:
                return ".".join(parts[:i])
        below = [k for k in keys if k.startswith(path + ".")]
        return below[0] if below else path

    paths = {".".join(k.split(".")[:i]) for k in keys for i in range(1, k.count(".") + 2)}
    paths |= {"organisations.c.plan", "organisations.b.qipp.schemes", "organisations.b",
              "organisations.a.qipp.schemes.x.net_saving", "organisations"}
    for path in sorted(paths):
        assert w.source_key(path) == scanned(path), path
    assert w.source_key("organisations.b") == "organisations.b.qipp.schemes.y"
    assert w.source_key("organisations.a.qipp.schemes.w") == "organisations.a.qipp"
