"""The report's data files: the Excel workbook of the report's tables, and ``results.csv`` /
``uncertainty.csv`` beside it. The only module that uses openpyxl.

Numbers are stored as numbers, formatted as plans print them: £k ``#,##0;(#,##0)`` (deficits in
brackets), counts ``#,##0``, fractions ``0.0%``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..models.results import COLUMNS, write_tidy
from .tables import NUMBER_FORMATS, ReportTable, money, sheet_name_problem


def _cell(v):
    """A worksheet value: numbers as float, missing as an empty cell."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if hasattr(v, "item"):  # numpy scalar
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _width(texts) -> float:
    return min(60.0, max(8.0, max((len(str(t)) for t in texts), default=0) + 2.0))


def _format_number(v, unit: str) -> str:
    if v is None:
        return ""
    return f"{v:.1%}" if unit == "fraction" else money(v)


def write_workbook(book: Mapping[str, ReportTable], path: str | Path,
                   results: pd.DataFrame | None = None) -> Path:
    """Write the report tables to an Excel workbook, one sheet per table.

    Each sheet: the table's title over the label column, its column names across the bold,
    frozen header row; numbers stored as numbers formatted ``#,##0;(#,##0)`` [£k, deficits in
    brackets], ``#,##0`` [count] or ``0.0%`` [fraction]; label column and header row frozen.
    With ``results``, a last sheet ``Data`` holds the tidy rows as results.csv does (values
    rounded to its 6 decimals).

    Parameters
    ----------
    book : mapping of str to ReportTable
        :func:`ccgmodels.outputs.tables.report_tables` output; keys are the sheet names.
    path : str or Path
        The ``.xlsx`` file to write; its folder is created.
    results : pandas.DataFrame, optional
        Tidy results (``scenario, org, year, measure, item, value, unit, kind``).

    Returns
    -------
    Path
    """
    from datetime import datetime

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    names = list(book) + (["Data"] if results is not None else [])
    for name in names:
        problem = sheet_name_problem(name)
        if problem:
            raise ValueError(f"write_workbook {path}: {problem}")
    if len({n.lower() for n in names}) != len(names):
        raise ValueError(f"write_workbook {path}: sheet names must be unique ignoring case: "
                         f"{names}")
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "ccgmodels"
    wb.properties.created = datetime(2000, 1, 1)  # fixed, so the content is deterministic
    bold, right = Font(bold=True), Alignment(horizontal="right")
    for name, table in book.items():
        ws = wb.create_sheet(name)
        frame = table.frame
        fmt = NUMBER_FORMATS[table.unit]
        ws.append([table.title, *[str(c) for c in frame.columns]])
        for label, row in frame.iterrows():
            ws.append([str(label), *[_cell(v) for v in row.to_list()]])
        for cell in ws[1]:
            cell.font = bold
        for cell in ws[1][1:]:
            cell.alignment = right
        for row in ws.iter_rows(min_row=2, min_col=2):
            for cell in row:
                cell.number_format = fmt
        ws.freeze_panes = "B2"
        ws.column_dimensions["A"].width = _width([table.title, *map(str, frame.index)])
        for j, col in enumerate(frame.columns, start=2):
            texts = [str(col), *(_format_number(_cell(v), table.unit) for v in frame[col])]
            ws.column_dimensions[get_column_letter(j)].width = _width(texts)
    if results is not None:
        ws = wb.create_sheet("Data")
        data = results[COLUMNS]
        ws.append(COLUMNS)
        for rec in data.itertuples(index=False):
            v, r = _cell(rec.value), _cell(rec.value_real)
            ws.append([rec.scenario, rec.org, rec.year, rec.measure, _cell(rec.item) or None,
                       None if v is None else float(f"{v:.6f}"),
                       None if r is None else float(f"{r:.6f}"), rec.unit, rec.kind])
        for cell in ws[1]:
            cell.font = bold
        ws.freeze_panes = "A2"
        for j, col in enumerate(COLUMNS, start=1):
            texts = (["-000,000,000.000000"] if col in ("value", "value_real")
                     else [col, *data[col].astype(str)])
            ws.column_dimensions[get_column_letter(j)].width = _width(texts)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_report_files(output_dir: str | Path, results: pd.DataFrame,
                       book: Mapping[str, ReportTable],
                       summary: pd.DataFrame | None = None) -> list[Path]:
    """Write the report's data files into ``output_dir``.

    ``results.csv`` (columns ``scenario, org, year, measure, item, value, unit, kind``, 6 decimals,
    as ``ccgmodels run`` writes it), ``uncertainty.csv`` when ``summary`` is given (as
    :func:`ccgmodels.models.uncertainty.write_summary` writes it) and ``report.xlsx``
    (:func:`write_workbook` with the results as its ``Data`` sheet). Money in £k.

    Returns
    -------
    list of Path
        The files written; ``[]`` (and nothing written) when ``output_dir`` is ``""``.
    """
    if output_dir == "" or output_dir is None:
        return []
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "results.csv"]
    write_tidy(results, written[0], COLUMNS)
    if summary is not None:
        written.append(folder / "uncertainty.csv")
        write_tidy(summary, written[-1])
    written.append(write_workbook(book, folder / "report.xlsx", results))
    return written
