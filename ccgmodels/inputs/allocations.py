"""Read NHS England's published ICB allocation tables (xlsx or CSV) into one ICB's streams.

:func:`read_allocations` takes a file as NHS England publishes it and an ICB (its code, e.g.
``QH8``, or its name) and returns :class:`Allocations`: the ICB's allocation by stream
(:data:`~ccgmodels.inputs.vocab.ICB_ALLOCATION_ITEMS`) and financial year [£k], with its
population [people], target allocation [£k] and distance from target [fraction] by stream and
year where the file carries them, and the sheet and cell each figure was read from.

The published shape
-------------------
NHS England publishes each allocations round on its allocations page
(https://www.england.nhs.uk/allocations/; earlier rounds under
https://www.england.nhs.uk/allocations/previous/): per stream tables (core services,
primary medical care, other primary care, specialised services, running cost allowance) and one
spreadsheet of them all, "ICB allocations <year> (all funding streams, spreadsheet)"; e.g.
"Allocation of resources 2023/24 to 2024/25" (NHS England,
https://www.england.nhs.uk/publication/allocation-of-resources-2023-24-to-2024-25/), whose
workbook is "ICB Allocations Combined 2023-24 and 2024-25".

What this reader relies on, and how sure of it we are (the published workbook itself could not
be opened from here):

* **From a third-party reader of that workbook** (a public script, found by code search, that
  parses "ICB Allocations Combined 2023-24 and 2024-25 v1.2"; its code is not used here): one
  sheet per stream, named e.g. ``ICB Core Allocations 2024-25``, ``PMC Allocations 2024-25``,
  ``Other Primary Care`` and ``ICB running cost allowance``; a title block above the header
  row (the header on row 3, ICBs from row 4); the region in column B, the ICB code (``QH8``)
  in column C and the ICB name (``NHS Mid and South Essex ICB``) in column D; region and
  England total rows among the ICBs; money columns headed with their year, e.g. ``2024/25
  Combined allocation`` and ``2024/25 Recurrent allocation (...)``; the script reads the money
  as thousands of pounds.
* **From NHS England's earlier published allocation tables** (CCG era: "Annex A 2013/14
  Allocation & Indicative Target Allocation Working Paper", NHS England gateway reference 00337,
  read in a public copy at https://vdocuments.mx/raw-weighted-formula-underover-formula-code-ccg-at-nhs-airedale-wharfedale.html):
  the population, target and distance columns, headed ``Raw Population``, ``Weighted
  Population``, ``Indicative Target Allocations from the fair shares formula (£'000)``,
  ``Distance from Target (Under)/Over (£'000)`` and ``Distance from Target (Under)/Over (%)``,
  negatives in brackets.
* **Not verified**: the exact wording of every header in the current (2026/27 to 2028/29)
  workbook, and whether and where it carries target and distance columns. So this reader does
  not hard-code positions or full header texts: it finds the header row (the first row, within
  :data:`HEADER_SEARCH_ROWS`, naming an ICB code column and a name column) and recognises each
  column by the words of its header, the stream by the sheet's name, the title block, the file
  name or the header's words, and the year by a financial year in the header, the sheet's name,
  the title block or the file name (:mod:`ccgmodels.inputs.allocation_words`). The test
  fixture (``tests/allocation_tables.py``) is built in the shape above, a handful of ICBs with
  made-up numbers; it is not a copy of a published file.

Units: money is read as thousands of pounds [£k], the unit of the published tables, unless the
header (or a title row above it) says ``£m`` (multiplied by 1,000) or ``£`` per head (such a
column is not an allocation and is skipped). A distance in per cent is written as a fraction:
an xlsx cell formatted as a percentage holds the fraction already; a CSV cell ``1.5%`` or a bare
number under a ``%`` header is divided by 100. Brackets are negatives, thousands separators are
ignored, and a dash (``-``) is nil. Only the row whose code or name is the ICB's is read,
so the region and England total rows among the ICBs are passed over.

Errors (:class:`AllocationsError`) name the file, the sheet and cell (``Core 2026-27!F7``) or
the CSV row, the column and the value.

openpyxl (the ``workbook`` extra) is imported only when an xlsx is read.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import years as fy
from .allocation_words import (
    column_role,
    icb_key,
    number,
    rank,
    stream_of,
    unit_factor,
    year_of,
)
from .celltext import column_letter
from .limits import MAX_BOOK_BYTES, printable
from .vocab import ICB_ALLOCATION_ITEMS, ICB_STREAMS

#: rows searched for the header row (the published workbook's is row 3, under a title block)
HEADER_SEARCH_ROWS = 25

class AllocationsError(ValueError):
    """The allocations file cannot be read as NHS England's tables, or lacks the ICB asked for.

    ``where`` names the file and the sheet and cell (or CSV row); ``column`` the column's header;
    ``value`` the value found.
    """

    def __init__(self, where: str, message: str, column: str = "", value: Any = None):
        self.where, self.column, self.value = where, column, value
        text = f"{where}: {message}"
        if column:
            text += f" (column {printable(column)!r})"
        if value is not None:
            text += f" (got {printable(repr(value))[:80]})"
        super().__init__(text)


@dataclass
class Allocations:
    """One ICB's published allocations, read by :func:`read_allocations`.

    Attributes
    ----------
    code, name : str
        The ICB's code (``"QH8"``) and name as the file prints them.
    source : str
        The file read.
    streams : dict
        ``{stream: {year: allocation [£k]}}``, streams named as
        :data:`~ccgmodels.inputs.vocab.ICB_ALLOCATION_ITEMS`.
    population : dict
        ``{year: population [people]}`` (registered or weighted population as the file heads it;
        ``population_basis`` says which).
    target : dict
        ``{stream: {year: target allocation [£k]}}``.
    distance_from_target : dict
        ``{stream: {year: (allocation - target) / target [fraction]}}``: as the file gives it,
        else worked out from the allocation and the target of that stream and year.
    cells : dict
        ``{"<what>.<stream>.<year>": "file: sheet!cell"}``: where each figure was read.
    """

    code: str
    name: str
    source: str
    streams: dict[str, dict[str, float]]
    population: dict[str, float] = field(default_factory=dict)
    population_basis: str = ""
    target: dict[str, dict[str, float]] = field(default_factory=dict)
    distance_from_target: dict[str, dict[str, float]] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)

    @property
    def years(self) -> list[str]:
        """Every year any stream has an allocation for, in order."""
        return sorted({y for by_year in self.streams.values() for y in by_year})

    def rows(self) -> list[dict[str, Any]]:
        """The figures as tidy rows: ``stream, year, measure, value, unit, cell``; measure
        ``allocation`` [£k], ``target`` [£k], ``distance_from_target`` [fraction] or
        ``population`` [people] (stream empty)."""
        out = []
        for measure, table, unit in (("allocation", self.streams, "£k"),
                                     ("target", self.target, "£k"),
                                     ("distance_from_target", self.distance_from_target,
                                      "fraction")):
            for stream in ICB_ALLOCATION_ITEMS:
                for year, value in sorted(table.get(stream, {}).items()):
                    out.append({"stream": stream, "year": year, "measure": measure,
                                "value": value, "unit": unit,
                                "cell": self.cells.get(f"{measure}.{stream}.{year}", "")})
        for year, value in sorted(self.population.items()):
            out.append({"stream": "", "year": year, "measure": "population", "value": value,
                        "unit": "people", "cell": self.cells.get(f"population..{year}", "")})
        return out

    def fragment(self, base_year: str | None = None) -> tuple[dict[str, Any], list[str]]:
        """A scenario fragment for this ICB in the ``icb`` organisation's fields
        (:class:`~ccgmodels.inputs.icb.Icb`), and notes on what it leaves out.

        The fragment: ``population`` [people] of the base year; ``allocation.base`` (the
        streams in £k of the base year, the running cost allowance apart), ``allocation.levels``
        (the later years' published streams [£k], given only when every later year has every
        stream of the base year: a stream missing from a year is not taken as nil),
        ``allocation.rca_per_head`` (running cost allowance x 1000 / population [£/person]: by
        year where the file has each year's population, else the base year's rate for every
        year, noted), ``allocation.convergence.<stream>.target`` (the base year's target [£k];
        the pace of convergence is not in the tables, so left to the plan); and ``sources``:
        the sheet and cell of each, keyed by the same dotted paths (relative to the
        organisation).

        ``base_year`` defaults to the first year the file has.
        """
        years = self.years
        if not years:
            raise AllocationsError(self.source, f"no allocation read for {self.code}")
        base = fy.parse_year(base_year) if base_year else years[0]
        if base not in years:
            raise AllocationsError(self.source, f"no allocation for {self.code} in {base}; "
                                   f"the file has {', '.join(years)}")
        priced = [st for st in ICB_STREAMS if base in self.streams.get(st, {})]
        alloc: dict[str, Any] = {"base": {st: self.streams[st][base] for st in priced}}
        sources = {f"allocation.base.{st}": self.cells[f"allocation.{st}.{base}"]
                   for st in priced}
        notes: list[str] = []
        later = [y for y in years if y > base]
        gaps = [f"{st} {y}" for y in later for st in priced if y not in self.streams[st]]
        if later and not gaps:
            alloc["levels"] = {y: {st: self.streams[st][y] for st in priced} for y in later}
            sources.update({f"allocation.levels.{y}.{st}": self.cells[f"allocation.{st}.{y}"]
                            for y in later for st in priced})
        elif gaps:
            notes.append(f"allocation.levels left out: no figure for {', '.join(gaps)}; give "
                         "growth or the missing levels")
        out: dict[str, Any] = {}
        rca = self.streams.get("running_costs", {})
        if base in self.population:
            out["population"] = self.population[base]
            sources["population"] = self.cells[f"population..{base}"]
            per_head = {y: round(rca[y] * 1000 / self.population[y], 4) for y in years
                        if y in rca and self.population.get(y)}
            if set(per_head) >= {base, *later}:
                alloc["rca_per_head"] = per_head
            elif base in per_head:
                alloc["rca_per_head"] = per_head[base]
                if later:
                    notes.append("allocation.rca_per_head: the base year's rate for every year "
                                 "(no population for the later years)")
            if base in per_head:
                sources["allocation.rca_per_head"] = (
                    f"running cost allowance ({self.cells[f'allocation.running_costs.{base}']}) "
                    f"x 1000 / population ({sources['population']})")
        else:
            notes.append("population and allocation.rca_per_head left out: no population "
                         f"for {base}")
        for st in priced:
            if base in self.target.get(st, {}):
                alloc.setdefault("convergence", {})[st] = {"target": self.target[st][base]}
                sources[f"allocation.convergence.{st}.target"] = self.cells[
                    f"target.{st}.{base}"]
        out["allocation"] = alloc
        out["sources"] = sources
        return out, notes


# --- one table (a sheet, or a CSV file) -------------------------------------------------------


@dataclass
class _Cell:
    value: Any
    where: str  # "file: sheet!C14" or "file: row 14"
    percent_format: bool = False


@dataclass
class _Table:
    """A sheet or a CSV file as rows of cells, with how to name a cell."""

    file: str
    sheet: str | None  # None for a CSV file
    rows: list[list[_Cell]]

    def where(self, row: int, col: int | None = None) -> str:
        if self.sheet is None:
            return f"{self.file}: row {row}" + (f", column {col + 1}" if col is not None else "")
        if col is None:
            return f"{self.file}: sheet {self.sheet!r} row {row}"
        return f"{self.file}: {self.sheet}!{column_letter(col + 1)}{row}"


@dataclass
class _Column:
    index: int
    header: str
    role: str
    stream: str | None
    year: str | None
    factor: float | None


def _header_row(table: _Table) -> int | None:
    """Index of the header row: the first with a code column and a name column."""
    for i, row in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        roles = [column_role(str(c.value)) if isinstance(c.value, str) else None for c in row]
        if "code" in roles and "name" in roles:
            return i
    return None


def _title(table: _Table, header: int | None) -> str:
    """The text of the title block above the header row ("" when there is none)."""
    rows = table.rows[:header] if header is not None else []
    return " ".join(str(c.value) for r in rows for c in r if c.value is not None)


def _words(name: str) -> str:
    """A file name as words: ``icb_core_2026-27`` -> ``icb core 2026-27``."""
    return re.sub(r"_+", " ", name)


def _columns(table: _Table, header: int, default_stream: str | None) -> list[_Column]:
    title = _title(table, header)
    sheet_year = (year_of(table.sheet or "") or year_of(title)
                  or year_of(_words(Path(table.file).stem)))
    cols = []
    for j, c in enumerate(table.rows[header]):
        text = " ".join(str(c.value or "").split())
        role = column_role(text)
        if role is None:
            continue
        stream = stream_of(text) or default_stream
        year = year_of(text) or sheet_year
        factor = unit_factor(text, title) if role in ("allocation", "target",
                                                       "distance_money") else 1.0
        if factor is None:
            continue
        cols.append(_Column(j, text, role, stream, year, factor))
    return cols


def _find_row(table: _Table, header: int, cols: list[_Column], icb: str) -> int | None:
    """Index of the ICB's row under ``header``, or None; two such rows is an error."""
    code = next((c for c in cols if c.role == "code"), None)
    name = next((c for c in cols if c.role == "name"), None)
    want = icb_key(icb)
    found = []
    for i in range(header + 1, len(table.rows)):
        row = table.rows[i]
        for col in (code, name):
            if col is not None and col.index < len(row) and icb_key(row[col.index].value) == want:
                found.append(i)
                break
    if len(found) > 1:
        raise AllocationsError(table.where(found[1] + 1), f"{icb!r} is on two rows "
                               f"({found[0] + 1} and {found[1] + 1}); which one is meant?")
    return found[0] if found else None


def _listed(table: _Table, header: int, cols: list[_Column]) -> list[str]:
    code = next((c for c in cols if c.role == "code"), None)
    if code is None:
        return []
    return [str(r[code.index].value).strip() for r in table.rows[header + 1:]
            if code.index < len(r) and r[code.index].value not in (None, "")]


# --- reading files ----------------------------------------------------------------------------


def _xlsx_tables(path: Path) -> Iterator[_Table]:
    from .book.reader import sheet_cells

    sheets = sheet_cells(path)
    while True:
        try:
            title, rows = next(sheets)
        except StopIteration:
            return
        except ValueError as exc:
            raise AllocationsError(path.name, str(exc)) from None
        yield _Table(path.name, title, [
            [_Cell(v, f"{path.name}: {title}!{column_letter(j + 1)}{r}", "%" in fmt)
             for j, (v, fmt) in enumerate(cells)] for r, cells in enumerate(rows, start=1)])


def _csv_table(path: Path) -> _Table:
    size = path.stat().st_size
    if size > MAX_BOOK_BYTES:
        raise AllocationsError(path.name, f"is {size:,} bytes: an allocations table is read "
                               f"whole, and at most {MAX_BOOK_BYTES:,} (limits.MAX_BOOK_BYTES)")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="cp1252")
    except OSError as exc:
        raise AllocationsError(path.name, f"cannot be read: {exc.strerror}") from exc
    rows = [[_Cell(v if v.strip() != "" else None, f"{path.name}: row {r}, column {j + 1}")
             for j, v in enumerate(line)]
            for r, line in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)]
    return _Table(path.name, None, rows)


def read_allocations(path: str | Path, icb: str, stream: str | None = None) -> Allocations:
    """One ICB's allocations from NHS England's published tables.

    Parameters
    ----------
    path : str or Path
        An ``.xlsx`` workbook (every sheet whose name or headers name a stream is read; other
        sheets, such as notes, are skipped) or a ``.csv`` file (one table).
    icb : str
        The ICB's code (``"QH8"``) or name (``"NHS Mid and South Essex ICB"``; case, and a
        leading "NHS" or trailing "ICB", ignored).
    stream : str, optional
        The stream of a table whose sheet name, file name and headers do not say it (one of
        :data:`~ccgmodels.inputs.vocab.ICB_ALLOCATION_ITEMS`).

    Returns
    -------
    Allocations
        Allocation by stream and year [£k], population [people], target [£k] and distance
        from target [fraction] where the file has them.

    Raises
    ------
    AllocationsError
        The file cannot be read; a table has no ICB code and name header row; a column's
        stream or year cannot be told; the ICB is in no table; a cell of its row is not a
        number. Each names the file, the sheet and cell or CSV row, the column and the value.
    """
    path = Path(path)
    if stream is not None and stream not in ICB_ALLOCATION_ITEMS:
        raise AllocationsError(path.name, f"stream {stream!r} is not one of "
                               f"{', '.join(ICB_ALLOCATION_ITEMS)}")
    if not path.is_file():
        raise AllocationsError(str(path), "no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        tables: Iterable[_Table] = _xlsx_tables(path)
    elif suffix == ".csv":
        tables = [_csv_table(path)]
    else:
        raise AllocationsError(path.name, "is neither .xlsx nor .csv")
    return _read(tables, path.name, icb, stream)


def _read(tables: Iterable[_Table], file: str, icb: str, stream: str | None) -> Allocations:
    out = Allocations(code="", name="", source=file, streams={})
    seen: list[str] = []  # tables read, for the "not found" message
    listed: list[str] = []
    ranks: dict[tuple[str, str], int] = {}
    gaps: dict[tuple[str, str], float] = {}  # distance from target in £k, by (stream, year)
    for table in tables:
        header = _header_row(table)
        title = _title(table, header)
        default = (stream or stream_of(table.sheet or "") or stream_of(title)
                   or stream_of(_words(Path(table.file).stem)))
        if header is None:
            if table.sheet is None or default is not None:
                raise AllocationsError(
                    table.where(1) if table.sheet is None else f"{file}: sheet {table.sheet!r}",
                    f"no header row naming an ICB code column and a name column in the first "
                    f"{HEADER_SEARCH_ROWS} rows", column="ICB code")
            continue  # a notes or cover sheet
        cols = _columns(table, header, default)
        money = [c for c in cols if c.role in ("allocation", "target", "distance_money",
                                               "distance_pct")]
        if not any(c.role == "allocation" for c in cols):
            if default is None and table.sheet is not None:
                continue  # a sheet of something else that happens to list ICBs
            raise AllocationsError(table.where(header + 1), "no allocation column: headers "
                                   "are " + "; ".join(repr(str(c.value)) for c in
                                                      table.rows[header] if c.value),
                                   column="allocation")
        for c in money:
            if c.stream is None:
                raise AllocationsError(table.where(header + 1, c.index), "cannot tell which "
                                       "allocation stream this column is: name it in the sheet "
                                       "name, the file name or the header, or pass stream",
                                       column=c.header)
            if c.year is None:
                raise AllocationsError(table.where(header + 1, c.index), "cannot tell which "
                                       "financial year this column is: write it (2026/27) in "
                                       "the header or the sheet name", column=c.header)
        seen.append(table.sheet or file)
        listed += _listed(table, header, cols)
        i = _find_row(table, header, cols, icb)
        if i is None:
            continue
        _take(out, table, i, cols, ranks, gaps)
    if not out.code and not out.name:
        if not seen:
            raise AllocationsError(file, "no sheet names an allocation stream (core services, "
                                   "primary medical care, other primary care, specialised, "
                                   "running cost allowance)")
        some = ", ".join(dict.fromkeys(listed)) or "none"
        raise AllocationsError(file, f"no ICB {icb!r} in {', '.join(map(repr, seen))}; the "
                               f"codes listed are {printable(some)[:300]}")
    _derive_distance(out, gaps)
    return out


def _take(out: Allocations, table: _Table, i: int, cols: Sequence[_Column],
          ranks: dict[tuple[str, str], int], gaps: dict[tuple[str, str], float]) -> None:
    row = table.rows[i]
    n = i + 1
    for c in cols:
        cell = row[c.index] if c.index < len(row) else _Cell(None, table.where(n, c.index))
        where = table.where(n, c.index)
        if c.role in ("code", "name"):
            text = str(cell.value).strip() if cell.value is not None else ""
            if text and not getattr(out, c.role):
                setattr(out, c.role, text)
            continue
        try:
            value, pct_text = number(cell.value)
        except ValueError as exc:
            raise AllocationsError(where, f"{exc}: the ICB's {c.role.split('_')[0]} must be a "
                                   "number", column=c.header, value=cell.value) from None
        if value is None:
            continue
        if c.role == "population":  # a registered population over a weighted one
            preference = 1 if "weighted" in c.header.lower() else 2
            if preference > ranks.get(("population", c.year), 0):
                ranks["population", c.year] = preference
                out.population[c.year] = value
                out.cells[f"population..{c.year}"] = where
                out.population_basis = c.header
            continue
        if c.role == "distance_pct":
            if not cell.percent_format or pct_text:
                value /= 100  # a per cent written as a number (1.5 or 1.5%), not a fraction
            out.distance_from_target.setdefault(c.stream, {})[c.year] = value
            out.cells[f"distance_from_target.{c.stream}.{c.year}"] = where
            continue
        value *= c.factor
        if c.role == "target":
            out.target.setdefault(c.stream, {})[c.year] = value
            out.cells[f"target.{c.stream}.{c.year}"] = where
        elif c.role == "distance_money":
            out.cells[f"distance_money.{c.stream}.{c.year}"] = where
            gaps[c.stream, c.year] = value
        else:
            key = (c.stream, c.year)
            if rank(c.header) >= ranks.get(key, 0):
                ranks[key] = rank(c.header)
                out.streams.setdefault(c.stream, {})[c.year] = value
                out.cells[f"allocation.{c.stream}.{c.year}"] = where


def _derive_distance(out: Allocations, gaps: dict[tuple[str, str], float]) -> None:
    """Distance from target where the file gives none: from its distance in £k over the
    target, else from the allocation and the target: (allocation - target) / target."""
    for stream, by_year in out.target.items():
        for year, target in by_year.items():
            if year in out.distance_from_target.get(stream, {}) or not target:
                continue
            money = gaps.get((stream, year))
            alloc = out.streams.get(stream, {}).get(year)
            if money is not None:
                value, how = money / target, "distance [£k] / target"
            elif alloc is not None:
                value, how = (alloc - target) / target, "(allocation - target) / target"
            else:
                continue
            out.distance_from_target.setdefault(stream, {})[year] = value
            out.cells[f"distance_from_target.{stream}.{year}"] = f"worked out: {how}"
