"""The report's data files: the Excel workbook of the report's tables, and ``results.csv`` /
``uncertainty.csv`` beside it. The only module that uses openpyxl.

Numbers are stored as numbers, formatted as plans print them: £k ``#,##0;(#,##0)`` (deficits in
brackets), counts ``#,##0``, fractions ``0.0%``; text is stored as text, never a formula,
whatever a title or a scheme's name says (:mod:`ccgmodels.inputs.celltext`). The workbook is an
Excel pack a finance team can reuse: a cover with the run's facts, every table an Excel Table,
the registers, the data with filters, and print set-up on every sheet (:func:`write_workbook`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from copy import copy
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..inputs.celltext import keep_text
from ..models.results import COLUMNS, write_tidy
from .riskplan import REGISTER_KEY, REGISTER_MONEY
from .tables import NUMBER_FORMATS, ReportTable, money, sheet_name_problem
from .triangulation import CONTRACT_MONEY

#: a value smaller than this is a rounding residual, stored as 0 so that it prints 0, not
#: "(0)" (``results.csv`` has 6 decimals: it reads 0 there too) [£k]
RESIDUAL = 5e-7


def _cell(v):
    """A worksheet value: numbers as float (a residual, :data:`RESIDUAL`, as 0), missing as an
    empty cell."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if hasattr(v, "item"):  # numpy scalar
        v = v.item()
    if isinstance(v, float):
        if math.isnan(v):
            return None
        return 0.0 if abs(v) < RESIDUAL else v
    return v


def _lines(text: str, per_line: int) -> int:
    """Lines ``text`` takes wrapped at its spaces into lines of ``per_line`` characters."""
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > per_line:
            lines, used = lines + 1, 0
        used = used + (1 if used else 0) + len(word)
        while used > per_line:  # a word longer than a line is broken
            lines, used = lines + 1, used - per_line
    return lines


#: the height of one line of the default font (Calibri 11) in a row [pt]
LINE_HEIGHT = 15.0
#: the tallest row Excel keeps [pt]: a longer text is cut in print (a list of hundreds of words
#: in one cell; the report's register has it whole)
MAX_ROW_HEIGHT = 409.0
#: characters of ordinary text a column width [characters of "0"] holds: text is narrower
#: than digits (about 1.15 a width in Calibri), less a margin so an estimate never clips a
#: wrapped line
CHARS_PER_WIDTH = 1.05


def _fit_rows(ws, wrapped: Mapping[int, float], first_row: int = 1,
              last_row: int | None = None) -> None:
    """Set the height of every row from ``first_row`` to ``last_row`` (default: the last) to
    hold its wrapped cells' text (a heading wraps at its spaces):
    ``wrapped`` maps a column (1-based) to its width [characters]. LibreOffice and Excel print
    the height stored in the file, and openpyxl stores none, so wrapped text overprinted the
    next row."""
    for row in ws.iter_rows(min_row=first_row, max_row=last_row):
        lines = 1
        for cell in row:
            width = wrapped.get(cell.column)
            if width is None or cell.value is None:
                continue
            per_line = max(int(width * CHARS_PER_WIDTH) - 1, 1)
            n = sum(_lines(part, per_line) for part in str(cell.value).split("\n"))
            lines = max(lines, n)
        ws.row_dimensions[row[0].row].height = min(LINE_HEIGHT * lines + 2, MAX_ROW_HEIGHT)


def _text(ws, row: int, col: int, value):
    """Cell (``row``, ``col``) of ``ws`` holding ``value``, text kept as text (never a formula:
    :func:`ccgmodels.inputs.celltext.keep_text`). Returns the cell."""
    return keep_text(ws.cell(row, col, value))


def _append(ws, values: Sequence) -> None:
    """``values`` appended as the next row of ``ws``, text kept as text (:func:`_text`)."""
    ws.append(values)
    row = ws._current_row  # the row just appended (max_row would count every cell each time)
    for j, v in enumerate(values, start=1):
        if isinstance(v, str):
            keep_text(ws.cell(row, j))


def _width(texts) -> float:
    return min(60.0, max(8.0, max((len(str(t)) for t in texts), default=0) + 2.0))


def _format_number(v, unit: str) -> str:
    if v is None:
        return ""
    return f"{v:.1%}" if unit == "fraction" else money(v)


#: number formats of the Data sheet's values, by the row's unit (more decimals than the tables)
DATA_FORMATS = {"£k": "#,##0.0;(#,##0.0)", "fraction": "0.00%", "count": "#,##0"}
#: the keyword of every workbook ccgmodels writes outside a report folder (compare.xlsx), so that
#: it never replaces a workbook of yours
MARK = "ccgmodels"
#: the sheets of finance triangulated with contracts and workforce (issue 28), and the
#: contract sheet's money columns, totalled in its Excel Table [£k]
CONTRACTS, WORKFORCE = "Contract triangulation", "Workforce"
#: the scheme register's money columns, totalled in its Excel Table [£k]
SCHEME_MONEY = ("Gross saving", "Investment", "Net saving", "Risk-adjusted saving")
#: the risk and mitigation register's sheet and money columns [£k]
RISKS_SHEET, RISK_MONEY = REGISTER_KEY, REGISTER_MONEY


@dataclass(frozen=True)
class Pack:
    """What the Excel pack holds beyond the report's tables.

    Attributes
    ----------
    title : str
        The scenario's title, in every sheet's footer.
    cover : sequence of (str, str)
        The run's facts (organisations, horizon, date, version, commit, run id, runs, seed).
    description : str
        The scenario's description.
    assumptions : pandas.DataFrame, optional
        :func:`ccgmodels.outputs.register.assumptions_register`.
    schemes : pandas.DataFrame, optional
        :func:`ccgmodels.outputs.register.scheme_register` [£k, fractions].
    scheme_subtotals : pandas.DataFrame, optional
        :func:`ccgmodels.outputs.register.scheme_subtotal_frame`: the scheme register's
        subtotals by status, the total in the plan and the pipeline apart [£k].
    efficiency_schemes : pandas.DataFrame, optional
        :func:`ccgmodels.outputs.plans.efficiency_schemes`: the trusts' and councils'
        efficiency registers [£k, fractions, WTE].
    contracts : pandas.DataFrame, optional
        :func:`ccgmodels.outputs.triangulation.contract_frame`: the contract value
        triangulation by pair and year [£k].
    workforce : pandas.DataFrame, optional
        :func:`ccgmodels.outputs.triangulation.workforce_frame`: each trust's WTE and pay bill
        by staff group and year [WTE, £k].
    risks : pandas.DataFrame, optional
        :func:`ccgmodels.outputs.riskplan.register_frame`: the risk and mitigation registers
        [£k, fractions].
    sources : pandas.DataFrame, optional
        The documents cited (key, title, publisher, date, where to get it).
    """

    title: str
    cover: Sequence[tuple[str, str]] = ()
    description: str = ""
    assumptions: pd.DataFrame | None = None
    schemes: pd.DataFrame | None = None
    scheme_subtotals: pd.DataFrame | None = None
    efficiency_schemes: pd.DataFrame | None = None
    contracts: pd.DataFrame | None = None
    workforce: pd.DataFrame | None = None
    risks: pd.DataFrame | None = None
    sources: pd.DataFrame | None = None


def table_name(sheet: str) -> str:
    """The Excel Table name of a sheet: letters, digits and underscores, e.g.
    ``STP_summary_2019_20``."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", sheet)
    return name if re.match(r"[A-Za-z_]", name) else f"T_{name}"


def _print_setup(ws, title: str, header_rows: str | None = "1:1") -> None:
    """Landscape A4, one page wide, the header row on every page, scenario and page in the
    footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
    if header_rows:
        ws.print_title_rows = header_rows
    ws.oddHeader.left.text = "&A"
    ws.oddFooter.left.text = title.replace("&", "&&")
    ws.oddFooter.right.text = "Page &P of &N"
    for part in (ws.oddHeader.left, ws.oddFooter.left, ws.oddFooter.right):
        part.size = 8


def _add_table(ws, name: str, rows: int, cols: int, totals: Mapping[int, str] | None = None,
               style: str = "TableStyleLight9") -> None:
    """An Excel Table over ``A1`` to (``rows`` + header, ``cols``); ``totals`` maps a column
    (1-based) to its SUBTOTAL totals row, labelled "Total" in the first column."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

    headers = [str(ws.cell(1, j).value) for j in range(1, cols + 1)]
    last = rows + 1 + (1 if totals else 0)
    table = Table(displayName=name, ref=f"A1:{get_column_letter(cols)}{last}")
    table.tableStyleInfo = TableStyleInfo(name=style, showRowStripes=True)
    columns = []
    for j, h in enumerate(headers, start=1):
        col = TableColumn(id=j, name=h)
        if totals and j == 1:
            col.totalsRowLabel = "Total"
        if totals and j in totals:
            col.totalsRowFunction = "sum"
        columns.append(col)
    table.tableColumns = columns
    if totals:
        table.totalsRowCount = 1
        _text(ws, last, 1, "Total")
        for j, fmt in totals.items():
            c = ws.cell(last, j, f"=SUBTOTAL(109,{name}[{headers[j - 1]}])")
            c.number_format = fmt
    ws.add_table(table)


def _unique_headers(texts: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for t in texts:
        t = str(t) if str(t) else " "
        n = seen.get(t, 0)
        seen[t] = n + 1
        out.append(t if n == 0 else f"{t} ({n + 1})")
    return out


def _cover_sheet(wb, pack: Pack, sheets: Sequence[str]) -> None:
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet("Cover", 0)
    _text(ws, 1, 1, pack.title).font = Font(bold=True, size=16, color="005EB8")
    ws.row_dimensions[1].height = 24  # the 16 pt title, not drawn over the page header
    _text(ws, 2, 1, pack.description).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells("A2:B2")
    ws.row_dimensions[2].height = max(30, 15 * (len(pack.description) // 90 + 1))
    row = 4
    for label, value in pack.cover:
        cell = _text(ws, row, 1, label)
        cell.font, cell.alignment = Font(bold=True), Alignment(vertical="top")
        _text(ws, row, 2, value).alignment = Alignment(wrap_text=True, vertical="top")
        row += 1
    row += 1
    ws.cell(row, 1, "Contents").font = Font(bold=True, size=12)
    for name in sheets:
        row += 1
        c = _text(ws, row, 1, name)
        c.hyperlink = f"#'{name}'!A1"
        c.font = Font(color="005EB8", underline="single")
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 100
    _fit_rows(ws, {2: 100}, 4, 3 + len(pack.cover))  # a long list of organisations wraps
    _print_setup(ws, pack.title, None)


def _frame_sheet(wb, name: str, frame: pd.DataFrame, title: str, formats: Mapping[str, str],
                 widths: Mapping[str, float], wrap: Sequence[str] = (),
                 totals: Sequence[str] = (), unprinted: Sequence[str] = ()) -> None:
    """A sheet of a plain frame (its columns across) as an Excel Table; ``unprinted`` columns
    (at the end) stay out of the print area."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name)
    headers = _unique_headers(list(frame.columns))
    _append(ws, headers)
    for rec in frame.itertuples(index=False):
        _append(ws, [_cell(v) for v in rec])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    fitted = {}
    for j, col in enumerate(frame.columns, start=1):
        letter = get_column_letter(j)
        # wide enough for the longest word of its heading and, unless it wraps, its values
        # (a heading wraps at its spaces: "Delivery probability" over two lines)
        words = [*str(headers[j - 1]).split()]
        if col not in wrap:
            words += [_shown(v, formats.get(col)) for v in frame[col]]
        fitted[j] = ws.column_dimensions[letter].width = max(widths.get(col, 12),
                                                              _width(words))
        # text after a column of numbers keeps a space from them ("1,045  2019/20 Q1")
        indent = int(j > 1 and frame.columns[j - 2] in formats and col not in formats)
        for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
            if col in formats:
                cell.number_format = formats[col]
            cell.alignment = Alignment(horizontal="left" if indent else None,
                                       wrap_text=col in wrap, vertical="top", indent=indent)
    ws.freeze_panes = "B2"
    cols = list(frame.columns)
    _fit_rows(ws, {j: w for j, w in fitted.items() if frame.columns[j - 1] in wrap}, 2)
    _fit_rows(ws, fitted, 1, 1)
    _add_table(ws, table_name(name), len(frame), len(cols),
               {cols.index(c) + 1: formats[c] for c in totals} if totals else None)
    _print_setup(ws, title)
    if unprinted:
        shown = len(cols) - len(unprinted)
        ws.print_area = f"A1:{get_column_letter(shown)}{len(frame) + 1 + bool(totals)}"


def _shown(v, fmt: str | None) -> str:
    """A value as its cell prints it (near enough to size its column)."""
    v = _cell(v)
    if v is None:
        return ""
    if isinstance(v, float | int) and not isinstance(v, bool) and fmt:
        return f"{v:.1%}" if "%" in fmt else money(v)
    return str(v)


def write_workbook(book: Mapping[str, ReportTable], path: str | Path,
                   results: pd.DataFrame | None = None, pack: Pack | None = None) -> Path:
    """Write the report tables to an Excel workbook, one sheet per table: the Excel pack.

    Each table sheet: the table's title over the label column, its column names across the
    bold, frozen header row, the whole an Excel Table named after the sheet
    (:func:`table_name`); numbers stored as numbers formatted ``#,##0;(#,##0)`` [£k, deficits
    in brackets], ``#,##0`` [count] or ``0.0%`` [fraction]; a table's own Total row in bold.
    With ``pack``, a ``Cover`` sheet first (the run's facts and the contents, linked), and
    after the tables ``Contract triangulation`` (by pair and year, its money totalled) and
    ``Workforce`` (WTE and pay bill by trust, staff group and year) where the scenario has
    them, ``Schemes`` (the QIPP scheme register, an Excel Table with a SUBTOTAL totals row of
    its money), ``Efficiency schemes`` (the trusts' and councils' registers, likewise),
    ``Risks and mitigations`` (the risk registers, where a body has one), ``Assumptions``
    (the register, its source column wrapped) and ``Sources`` (the documents its citations
    name).
    With ``results``, a last sheet ``Data`` holds the tidy rows as results.csv does (values
    rounded to its 6 decimals) as an Excel Table (filter buttons on every column), values
    formatted by their unit. Every sheet prints landscape on A4, one page wide, its header
    row repeated, the scenario and page number in its footer.

    Parameters
    ----------
    book : mapping of str to ReportTable
        :func:`ccgmodels.outputs.tables.report_tables` output; keys are the sheet names.
    path : str or Path
        The ``.xlsx`` file to write; its folder is created.
    results : pandas.DataFrame, optional
        Tidy results (``scenario, org, year, measure, item, value, unit, kind``).
    pack : Pack, optional
        The cover, the registers and the title for the footers.

    Returns
    -------
    Path
    """
    from datetime import datetime

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    extra = ([] if pack is None else
             [n for n, f in ((CONTRACTS, pack.contracts), (WORKFORCE, pack.workforce),
                             ("Schemes", pack.schemes),
                             ("Scheme subtotals", pack.scheme_subtotals),
                             ("Efficiency schemes", pack.efficiency_schemes),
                             (RISKS_SHEET, pack.risks),
                             ("Assumptions", pack.assumptions), ("Sources", pack.sources))
              if f is not None and len(f)])
    names = list(book) + extra + (["Data"] if results is not None else [])
    for name in names:
        problem = sheet_name_problem(name)
        if problem:
            raise ValueError(f"write_workbook {path}: {problem}")
    if len({n.lower() for n in [*names, *(["Cover"] if pack else [])]}) != len(names) + (
            1 if pack else 0):
        raise ValueError(f"write_workbook {path}: sheet names must be unique ignoring case: "
                         f"{names}")
    title = pack.title if pack is not None else ""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "ccgmodels"
    wb.properties.title = title or None
    wb.properties.created = datetime(2000, 1, 1)  # fixed, so the content is deterministic
    bold = Font(bold=True)
    rule = Border(top=Side(style="thin"))
    for name, table in book.items():
        ws = wb.create_sheet(name)
        frame = table.frame
        fmt = NUMBER_FORMATS[table.unit]
        _append(ws, _unique_headers([table.title, *[str(c) for c in frame.columns]]))
        for label, row in frame.iterrows():
            _append(ws, [str(label), *[_cell(v) for v in row.to_list()]])
        for cell in ws[1]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for cell in ws[1][1:]:
            cell.alignment = Alignment(horizontal="right", wrap_text=True, vertical="top")
        for (cell,) in ws.iter_rows(min_row=2, max_col=1):  # a long label wraps
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in ws.iter_rows(min_row=2, min_col=2):
            for cell in row:
                cell.number_format = fmt
        for row in ws.iter_rows(min_row=2):
            if str(row[0].value) in ("Total", "Total Surplus / (Deficit)"):
                for cell in row:
                    cell.font, cell.border = bold, rule
        ws.freeze_panes = "B2"
        widths = {1: _width([table.title, *map(str, frame.index)])}
        for j, col in enumerate(frame.columns, start=2):
            texts = [*str(col).split(), *(_format_number(_cell(v), table.unit)
                                          for v in frame[col])]
            widths[j] = _width(texts)
        for j, w in widths.items():
            ws.column_dimensions[get_column_letter(j)].width = w
        _fit_rows(ws, widths, 1, 1)
        _fit_rows(ws, {1: widths[1]}, 2)
        _add_table(ws, table_name(name), len(frame), len(frame.columns) + 1)
        _print_setup(ws, title or table.title)
    if pack is not None and CONTRACTS in extra:
        money_fmt = NUMBER_FORMATS["£k"]
        _frame_sheet(wb, CONTRACTS, pack.contracts, title,
                     {c: money_fmt for c in CONTRACT_MONEY},
                     {"Commissioner": 30, "Trust": 30, "Year": 10,
                      **{c: 16 for c in CONTRACT_MONEY}}, totals=CONTRACT_MONEY)
    if pack is not None and WORKFORCE in extra:
        money_fmt = NUMBER_FORMATS["£k"]
        _frame_sheet(wb, WORKFORCE, pack.workforce, title,
                     {"WTE": "#,##0.0", "Pay bill": money_fmt,
                      "Pay cost (finance plan)": money_fmt, "Difference": money_fmt},
                     {"Trust": 30, "Staff group": 36, "Year": 10, "WTE": 12, "Pay bill": 14,
                      "Pay cost (finance plan)": 16, "Difference": 14})
    if pack is not None and "Schemes" in extra:
        money_fmt = NUMBER_FORMATS["£k"]
        _frame_sheet(wb, "Schemes", pack.schemes, title,
                     {**{c: money_fmt for c in SCHEME_MONEY},
                      "Delivery probability": NUMBER_FORMATS["fraction"]},
                     {"Organisation": 18, "Scheme": 40, "Category": 16, "Status": 12,
                      "Phasing": 12, "Recurrent": 11, "Delivery probability": 12},
                     wrap=("Organisation", "Scheme", "Category"), totals=SCHEME_MONEY)
    if pack is not None and "Scheme subtotals" in extra:
        _frame_sheet(wb, "Scheme subtotals", pack.scheme_subtotals, title,
                     {c: NUMBER_FORMATS["£k"] for c in SCHEME_MONEY},
                     {"Organisation": 30, "Line": 48, **{c: 14 for c in SCHEME_MONEY}},
                     wrap=("Organisation", "Line"))
    if pack is not None and "Efficiency schemes" in extra:
        _frame_sheet(wb, "Efficiency schemes", pack.efficiency_schemes, title,
                     {**{c: NUMBER_FORMATS["£k"] for c in SCHEME_MONEY},
                      "Delivery probability": NUMBER_FORMATS["fraction"], "WTE": "#,##0.0"},
                     {"Organisation": 18, "Scheme": 36, "Type": 10, "Category": 18,
                      "Status": 12, "Phasing": 12, "Recurrent": 11,
                      "Delivery probability": 12},
                     wrap=("Organisation", "Scheme", "Category"),
                     totals=(*SCHEME_MONEY, "WTE"))
    if pack is not None and RISKS_SHEET in extra:
        money_fmt = NUMBER_FORMATS["£k"]
        _frame_sheet(wb, RISKS_SHEET, pack.risks, title,
                     {**{c: money_fmt for c in RISK_MONEY},
                      "Likelihood or probability": NUMBER_FORMATS["fraction"]},
                     {"Organisation": 18, "Type": 11, "Name": 30, "Year": 10,
                      "Likelihood or probability": 12, "Held against": 20, "Source": 44,
                      "Id": 24}, wrap=("Organisation", "Name", "Held against", "Source"),
                     unprinted=("Id",))
    if pack is not None and "Assumptions" in extra:
        frame = pack.assumptions.rename(columns={"path": "Path (for --set)"})
        years = [c for c in frame.columns if re.match(r"^\d{4}/\d{2}$", str(c))]
        _frame_sheet(wb, "Assumptions", frame, title, {},
                     # narrow enough to print one page wide at about two thirds of full
                     # size (7 pt), the long texts wrapped
                     {"Organisation": 18, "Assumption": 30, "Unit": 10, "All years": 24,
                      "Source": 56, "Flag": 12, "Path (for --set)": 50,
                      **{y: 9 for y in years}},
                     wrap=("Organisation", "Assumption", "Source", "All years"),
                     unprinted=("Path (for --set)",))
    if pack is not None and "Sources" in extra:
        _frame_sheet(wb, "Sources", pack.sources, title, {},
                     {"Key": 8, "Title": 50, "Publisher": 32, "Date": 16, "Where to get it": 64},
                     wrap=("Title", "Publisher", "Date", "Where to get it"))
    if results is not None:
        ws = wb.create_sheet("Data")
        data = results[COLUMNS]
        _data_rows(ws, data)
        for cell in ws[1]:
            cell.font = bold
        ws.freeze_panes = "A2"
        for j, col in enumerate(COLUMNS, start=1):
            texts = (["-000,000,000.000000"] if col in ("value", "value_real")
                     else [col, *data[col].astype(str)])
            ws.column_dimensions[get_column_letter(j)].width = _width(texts)
        _add_table(ws, "Data", len(data), len(COLUMNS), style="TableStyleLight1")
        _print_setup(ws, title or "Results")
    if pack is not None:
        _cover_sheet(wb, pack, names)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _data_rows(ws, data: pd.DataFrame) -> None:
    """The tidy results as the Data sheet's rows, each value formatted by its row's unit
    (:data:`DATA_FORMATS`).

    Formatted once: one template cell per unit carries the number format, and each value cell
    takes its style from that template (setting a format cell by cell looks it up each time).
    Values are rounded to 6 decimals as ``results.csv`` has them.
    """
    from openpyxl.cell import Cell

    _append(ws, COLUMNS)
    templates = {}
    for unit, fmt in DATA_FORMATS.items():
        t = Cell(ws)
        t.number_format = fmt
        templates[unit] = t._style
    frame = data.astype(object).where(data.notna(), None)
    for col in ("value", "value_real"):
        nums = pd.to_numeric(data[col], errors="coerce").to_numpy(dtype=float).tolist()
        frame[col] = [None if v != v else float(f"{v:.6f}") for v in nums]  # v != v: NaN
    frame["item"] = [v or None for v in frame["item"]]
    iu = COLUMNS.index("unit")
    iv, ir = COLUMNS.index("value") + 1, COLUMNS.index("value_real") + 1  # 1-based columns
    for i, row in enumerate(frame.to_numpy().tolist(), start=2):
        _append(ws, row)
        style = templates.get(row[iu])
        if style is not None:
            ws.cell(i, iv)._style = copy(style)
            ws.cell(i, ir)._style = copy(style)


def write_frames(frames: Mapping[str, pd.DataFrame], path: str | Path, title: str) -> Path:
    """Write plain frames (columns across, no index), one sheet each, as Excel Tables with
    money [£k] formatted ``#,##0;(#,##0)`` (every numeric column but a fraction's, named
    "Chance ..."), print set-up on every sheet and ``title`` in the footers: the comparison
    workbook."""
    from datetime import datetime

    from openpyxl import Workbook

    for name in frames:
        problem = sheet_name_problem(name)
        if problem:
            raise ValueError(f"write_frames {path}: {problem}")
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "ccgmodels"
    wb.properties.keywords = MARK
    wb.properties.title = title
    wb.properties.created = datetime(2000, 1, 1)
    for name, frame in frames.items():
        formats, widths = {}, {}
        for col in frame.columns:
            if pd.api.types.is_numeric_dtype(frame[col]):
                formats[col] = (NUMBER_FORMATS["fraction"] if str(col).startswith("Chance")
                                else NUMBER_FORMATS["£k"])
                widths[col] = max(12, min(30, len(str(col)) * 0.6))
            else:
                widths[col] = _width([col, *frame[col].astype(str)])
        _frame_sheet(wb, name, frame, title, formats, widths)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_report_files(output_dir: str | Path, results: pd.DataFrame,
                       book: Mapping[str, ReportTable],
                       summary: pd.DataFrame | None = None, pack: Pack | None = None
                       ) -> list[Path]:
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
    written.append(write_workbook(book, folder / "report.xlsx", results, pack))
    return written
