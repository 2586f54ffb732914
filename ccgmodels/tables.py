"""Presentation helpers: money as NHS plans print it, results pivoted for display, and the
report's data files.

Plans print money in £k with thousands separators and deficits in brackets: -7684.1 is shown
``(7,684)``. Sign: surplus positive, deficit negative. These helpers only format and pivot; the
numbers stay in the tidy results table [£k].

The scenario report is a book of :class:`ReportTable` (:func:`report_tables`): the notebook
displays them and :func:`write_report_files` writes them, unformatted, to ``report.xlsx`` beside
``results.csv`` (and ``uncertainty.csv`` after a Monte Carlo run).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .results import COLUMNS, write_tidy

if TYPE_CHECKING:
    from .scenario import Scenario

#: measures of the headline summary, in display order, with their row labels
HEADLINE = {
    ("allocation", "total"): "Allocation",
    ("expenditure", "total"): "Plan expenditure",
    ("surplus", ""): "Plan surplus/(deficit)",
    ("do_nothing_surplus", ""): "Do nothing surplus/(deficit)",
    ("solutions", "total"): "Solutions",
    ("do_something_surplus", ""): "Do something surplus/(deficit)",
    ("do_something_cumulative_surplus", ""): "Do something cumulative",
}


def money(value: float, decimals: int = 0) -> str:
    """``value`` [£k] as a plan prints it: thousands separators, negatives in brackets.

    Examples
    --------
    >>> money(-7684.1)
    '(7,684)'
    >>> money(1189.7)
    '1,190'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{abs(value):,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        return f"{0:.{decimals}f}"
    return f"({text})" if value < 0 else text


def money_table(df: pd.DataFrame, decimals: int = 0) -> pd.DataFrame:
    """Every numeric cell of ``df`` formatted with :func:`money` [£k, as text]."""
    return df.apply(lambda col: col.map(lambda v: money(v, decimals))
                    if pd.api.types.is_numeric_dtype(col) else col)


def by_year(results: pd.DataFrame, org: str, measure: str,
            items: Sequence[str] | None = None) -> pd.DataFrame:
    """One measure of ``org`` as a table: items down, years across [unit of the measure]."""
    sel = results[(results["org"] == org) & (results["measure"] == measure)]
    wide = sel.pivot_table(index="item", columns="year", values="value", aggfunc="sum",
                           sort=False)
    wide = wide[sorted(wide.columns)]
    if items is not None:
        wide = wide.reindex([i for i in items if i in wide.index])
    wide.columns.name = None
    wide.index.name = measure
    return wide


def headline(results: pd.DataFrame, org: str) -> pd.DataFrame:
    """The headline summary of ``org``: allocation, plan, do nothing, solutions, do something,
    rows labelled as in :data:`HEADLINE`, years across [£k]. Rows absent for the org (a
    provider has no plan) are left out."""
    sel = results[results["org"] == org]
    keyed = sel.set_index(["measure", "item"])
    rows = {}
    for key, label in HEADLINE.items():
        if key in keyed.index:
            part = keyed.loc[[key]]
            rows[label] = part.groupby("year")["value"].sum()
    table = pd.DataFrame(rows).T
    table.index.name = f"{org} (£k)"
    return table


def headline_text(results: pd.DataFrame, org: str, year: str) -> str:
    """Rounded headline figures of ``org`` in ``year``, one per line, for checked notebook
    outputs [£k, rounded to the nearest £k]."""
    table = headline(results, org)
    lines = [f"{org} {year} (£k)"]
    for label, row in table.iterrows():
        if year in row.index:
            lines.append(f"{label}: {money(row[year])}")
    return "\n".join(lines)


def growth_table(results: pd.DataFrame, year: str) -> pd.DataFrame:
    """Demographic and non-demographic growth by organisation and point of delivery in
    ``year`` [fraction/yr]."""
    sel = results[results["measure"].isin(["growth_demographic", "growth_non_demographic"])
                  & (results["year"] == year)]
    wide = sel.pivot_table(index=["org", "item"], columns="measure", values="value")
    wide.columns.name = None
    return wide


def percent_table(df: pd.DataFrame, decimals: int = 1) -> pd.DataFrame:
    """Numeric cells of ``df`` (fractions) as per cent text, e.g. 0.0146 as ``1.5%``."""
    return df.apply(lambda col: col.map(lambda v: "" if pd.isna(v) else f"{v:.{decimals}%}"))


# --- the report's tables and files ------------------------------------------------------------

#: Excel number format of each table unit: £k with deficits in brackets, counts, fractions
NUMBER_FORMATS = {"£k": "#,##0;(#,##0)", "count": "#,##0", "fraction": "0.0%"}
#: rows of the uncertainty table: (measure, stat of uncertainty.summarise) -> label
UNCERTAINTY_ROWS = {
    ("do_nothing_surplus", "p5"): "Do nothing surplus/(deficit) p5",
    ("do_nothing_surplus", "p50"): "Do nothing surplus/(deficit) p50",
    ("do_nothing_surplus", "p95"): "Do nothing surplus/(deficit) p95",
    ("do_something_surplus", "p5"): "Do something surplus/(deficit) p5",
    ("do_something_surplus", "p50"): "Do something surplus/(deficit) p50",
    ("do_something_surplus", "p95"): "Do something surplus/(deficit) p95",
}
#: rows of the probability of balance table: (measure, stat) -> label
BALANCE_ROWS = {
    ("do_nothing_surplus", "prob_surplus_ge_0"): "P(do nothing surplus >= 0)",
    ("do_something_surplus", "prob_surplus_ge_0"): "P(do something surplus >= 0)",
}
#: tables of one measure by year: sheet name -> (measure, title)
BY_YEAR_TABLES = {
    "Solutions": ("solutions", "Solutions"),
    "QIPP": ("qipp", "QIPP"),
    "Primary care bridge": ("pc_bridge", "Primary care bridge"),
}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class ReportTable:
    """One table of the report: numbers (not text) and the unit they are in.

    Attributes
    ----------
    title : str
        Heading, naming the organisation and the unit.
    frame : pandas.DataFrame
        Row labels as the index, numeric columns [``unit``].
    unit : str
        ``"£k"``, ``"count"`` or ``"fraction"``.
    """

    title: str
    frame: pd.DataFrame
    unit: str

    def __post_init__(self) -> None:
        if self.unit not in NUMBER_FORMATS:
            raise ValueError(f"ReportTable {self.title!r}: unit {self.unit!r} is not one of "
                             f"{sorted(NUMBER_FORMATS)}")


def stp_key(year: str) -> str:
    """Sheet name of the STP summary of ``year``, e.g. ``"STP summary 2019-20"``."""
    return f"STP summary {year.replace('/', '-')}"


def sheet_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an Excel sheet name, or None when it can."""
    if not name or len(name) > 31:
        return f"sheet name {name!r} must be 1 to 31 characters long"
    if _SHEET_FORBIDDEN.search(name):
        return f"sheet name {name!r} contains one of []:*?/\\"
    if name.startswith("'") or name.endswith("'"):
        return f"sheet name {name!r} starts or ends with an apostrophe"
    return None


def _with_kind(results: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """``results`` with the ``kind`` column that :func:`finance.stp_summary` groups by, taken
    from the scenario's organisations when absent (a table read back from results.csv)."""
    if "kind" in results:
        return results
    kinds = {o.id: o.kind for o in scenario.organisations}
    return results.assign(kind=results["org"].map(kinds).fillna("footprint"))


def report_tables(results: pd.DataFrame, scenario: Scenario, org: str = "footprint",
                  summary: pd.DataFrame | None = None) -> dict[str, ReportTable]:
    """The tables of the scenario report, in order, keyed by a valid Excel sheet name.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy results of ``scenario`` (:func:`ccgmodels.model.run_scenario`, or results.csv
        read back) [£k unless the row's unit says otherwise].
    scenario : Scenario
        The scenario run: its base and end years, and each organisation's kind.
    org : str
        Organisation id, or ``"footprint"``.
    summary : pandas.DataFrame, optional
        :func:`ccgmodels.uncertainty.summarise` output; adds ``Uncertainty`` (p5, p50 and p95
        of the do-nothing and do-something surplus [£k]) and ``Probability of balance``
        (probability that the surplus is at least 0 [fraction]).

    Returns
    -------
    dict of str to ReportTable
        ``Headline``, ``STP summary <base year>``, ``STP summary <end year>``, ``Solutions``,
        ``QIPP``, ``Primary care bridge``, ``Activity``, ``Uncertainty``, ``Probability of
        balance``; a table with no rows for ``org`` is left out. Surplus positive, deficit
        negative.
    """
    if org not in set(results["org"]):
        raise ValueError(f"report_tables: org {org!r} has no results; orgs are "
                         f"{sorted(set(results['org']))}")
    book = {"Headline": ReportTable(f"Headline: {org} (£k)", headline(results, org), "£k")}
    with_kind = _with_kind(results, scenario)
    for year in dict.fromkeys([scenario.base_year, scenario.end_year]):
        from .finance import stp_summary

        book[stp_key(year)] = ReportTable(f"STP {year} summary (£k)",
                                          stp_summary(with_kind, year), "£k")
    measures = set(results.loc[results["org"] == org, "measure"])
    for key, (measure, title) in BY_YEAR_TABLES.items():
        if measure in measures:
            book[key] = ReportTable(f"{title}: {org} (£k)", by_year(results, org, measure), "£k")
    if "activity" in measures:
        book["Activity"] = ReportTable(f"Activity by point of delivery: {org} (count)",
                                       by_year(results, org, "activity"), "count")
    if summary is not None:
        book.update(uncertainty_tables(summary, org))
    for key in book:
        problem = sheet_name_problem(key)
        if problem:  # a bug in the keys above, never bad input
            raise AssertionError(problem)
    return book


def _stat_rows(summary: pd.DataFrame, org: str, rows: Mapping[tuple[str, str], str]
               ) -> pd.DataFrame:
    """Rows ``(measure, stat)`` of ``org`` in ``summary``, labelled by ``rows``, years across."""
    sel = summary[(summary["org"] == org) & (summary["item"].fillna("") == "")]
    wide = sel.pivot_table(index=["measure", "stat"], columns="year", values="value",
                           aggfunc="first")
    present = [k for k in rows if k in wide.index]
    table = wide.loc[present]
    table.index = pd.Index([rows[k] for k in present])
    table = table[sorted(table.columns)]
    table.columns.name = None
    return table


def uncertainty_tables(summary: pd.DataFrame, org: str) -> dict[str, ReportTable]:
    """``Uncertainty`` [£k] and ``Probability of balance`` [fraction] of ``org`` from
    :func:`ccgmodels.uncertainty.summarise` output; empty when it has no rows for ``org``."""
    out = {}
    spread = _stat_rows(summary, org, UNCERTAINTY_ROWS)
    if len(spread):
        spread.index.name = f"{org} (£k)"
        out["Uncertainty"] = ReportTable(f"Uncertainty: {org} (£k)", spread, "£k")
    balance = _stat_rows(summary, org, BALANCE_ROWS)
    if len(balance):
        balance.index.name = f"{org} (fraction of runs)"
        out["Probability of balance"] = ReportTable(
            f"Probability of balance: {org} (share of runs)", balance, "fraction")
    return out


def _value(results: pd.DataFrame, org: str, measure: str, item: str, year: str | None
           ) -> float | None:
    sel = results[(results["org"] == org) & (results["measure"] == measure)
                  & (results["item"].fillna("") == item) & (results["year"] == year)]
    return float(sel["value"].iloc[0]) if len(sel) and pd.notna(sel["value"].iloc[0]) else None


def headline_figures(results: pd.DataFrame, org: str = "footprint") -> dict:
    """One row of headline figures of ``org`` for an index of scenarios.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy results of one scenario (run_scenario output or results.csv read back).
    org : str
        Organisation id, or ``"footprint"``.

    Returns
    -------
    dict
        ``org``; ``base_year`` and ``end_year`` (first and last year of do_nothing_surplus);
        ``allocation``: end-year allocation total [£k]; ``do_nothing``: end-year
        do_nothing_surplus [£k]; ``do_something``: end-year do_something_surplus [£k];
        ``do_something_cumulative``: end-year do_something_cumulative_surplus [£k];
        ``qipp_gap``: base-year QIPP unidentified, target less identified [£k, positive when
        savings are still to be found]. Positions are surplus positive, deficit negative.
        A figure whose measure is absent for ``org`` (a provider has no allocation) is None.
    """
    years = sorted(set(results.loc[(results["org"] == org)
                                   & (results["measure"] == "do_nothing_surplus"), "year"]))
    if not years:
        raise ValueError(f"headline_figures: no do_nothing_surplus rows for org {org!r}")
    base, end = years[0], years[-1]
    return {
        "org": org, "base_year": base, "end_year": end,
        "allocation": _value(results, org, "allocation", "total", end),
        "do_nothing": _value(results, org, "do_nothing_surplus", "", end),
        "do_something": _value(results, org, "do_something_surplus", "", end),
        "do_something_cumulative": _value(results, org, "do_something_cumulative_surplus", "",
                                          end),
        "qipp_gap": _value(results, org, "qipp", "unidentified", base),
    }


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
        :func:`report_tables` output; keys are the sheet names.
    path : str or Path
        The ``.xlsx`` file to write; its folder is created.
    results : pandas.DataFrame, optional
        Tidy results (``scenario, org, year, measure, item, value, unit``).

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
            v = _cell(rec.value)
            ws.append([rec.scenario, rec.org, rec.year, rec.measure, _cell(rec.item) or None,
                       None if v is None else float(f"{v:.6f}"), rec.unit])
        for cell in ws[1]:
            cell.font = bold
        ws.freeze_panes = "A2"
        for j, col in enumerate(COLUMNS, start=1):
            texts = ["-000,000,000.000000"] if col == "value" else [col, *data[col].astype(str)]
            ws.column_dimensions[get_column_letter(j)].width = _width(texts)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_report_files(output_dir: str | Path, results: pd.DataFrame,
                       book: Mapping[str, ReportTable],
                       summary: pd.DataFrame | None = None) -> list[Path]:
    """Write the report's data files into ``output_dir``.

    ``results.csv`` (columns ``scenario, org, year, measure, item, value, unit``, 6 decimals,
    as ``ccgmodels run`` writes it), ``uncertainty.csv`` when ``summary`` is given (as
    :func:`ccgmodels.uncertainty.write_summary` writes it) and ``report.xlsx``
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
