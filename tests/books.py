"""Helpers of the assumptions workbook tests: export a scenario, find a cell by its row's keys
and column header, edit cells and read the workbook back."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from ccgmodels.inputs.book.writer import export_book
from ccgmodels.inputs.loading import check, load_scenario

HEADER_ROW = 4


_EXPORTED: dict[str, bytes] = {}


def exported(tmp_path: Path, scenario: str = "mid_south_essex_system_2019_20") -> Path:
    """The bundled ``scenario``'s assumptions workbook as ``tmp_path/plan.xlsx`` (exported
    once per test session, then copied: the tests edit their own copy)."""
    if scenario not in _EXPORTED:
        first = tmp_path / "first.xlsx"
        export_book(load_scenario(scenario), first)
        _EXPORTED[scenario] = first.read_bytes()
        first.unlink()
    path = tmp_path / "plan.xlsx"
    path.write_bytes(_EXPORTED[scenario])
    return path


def cell_of(book, sheet: str, first, second, header: str):
    """The cell under ``header`` of the row whose first column is ``first`` (None: any) and
    which holds ``second`` (a field or key; None: any) in its second or third column."""
    ws = book[sheet]
    heads = {c.value: c.column for c in ws[HEADER_ROW] if c.value}
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        values = [c.value for c in row[:3]]
        if (first is None or values[0] == first) and (second is None or second in values[1:]):
            return ws.cell(row=row[0].row, column=heads[header])
    raise KeyError((sheet, first, second, header))


def edit(path: Path, *changes) -> list[str]:
    """Set cells ``(sheet, first, second, header, value)`` of the workbook at ``path``; returns
    each edited cell as ``Sheet!A1``."""
    book = openpyxl.load_workbook(path)
    refs = []
    for sheet, first, second, header, value in changes:
        cell = cell_of(book, sheet, first, second, header)
        cell.value = value
        refs.append(f"{sheet}!{cell.coordinate}")
    book.save(path)
    return refs


def problems_of(path: Path) -> list:
    scenario, _, problems = check(path)
    assert scenario is None and problems, "the workbook should not validate"
    return problems


def without(book: Path, *sheets: str, rename: dict[str, str] | None = None) -> Path:
    """``book`` with ``sheets`` deleted and the sheets of ``rename`` renamed (old -> new),
    saved in place."""
    wb = openpyxl.load_workbook(book)
    for sheet in sheets:
        del wb[sheet]
    for old, new in (rename or {}).items():
        wb[old].title = new
    wb.save(book)
    return book
