"""Workbook import: an assumptions workbook (``ccgmodels workbook export`` or ``new``) read back
into a validated :class:`~ccgmodels.inputs.scenario.Scenario`, or every problem in it at once.

The sheets are read by their headers (:mod:`ccgmodels.inputs.book.layout`) into the plain data
a scenario file holds, and validated by :func:`~ccgmodels.inputs.loading.check` (which calls
this module for a ``.xlsx``): the messages are the YAML ones, each also naming the sheet and
cell the value came from (``plan.xlsx: QIPP!H7: organisations.cpr_ccg
.qipp.schemes.avastin.net_saving: money here cannot be negative [£k] ... (got -84.0)``).

Cells are read the way a person meant them: blank rows and trailing spaces are ignored, numbers
typed as text with thousands separators are numbers, ``3.4%`` typed as text is 0.034, and a
rate cell holding 3.4 gets the usual "did you mean 0.034?". A row whose note starts with
``EXAMPLE`` is the blank workbook's example and is refused until it is overwritten and the note
cleared (or the row deleted). openpyxl is imported here and in the workbook writers only.
"""

from __future__ import annotations

import difflib
import os
import stat
from pathlib import Path
from typing import Any

from ..celltext import column_letter
from ..limits import printable
from . import eras as E
from . import layout as L
from .cells import UNSAVED
from .cells import Unsaved as _Unsaved
from .cells import formula_text as _formula_text
from .cells import is_formula as _is_formula
from .checks import ABSENT, missing_sheets, size_problems, structure_problems

#: rows scanned for a sheet's header row
HEADER_SCAN = 12


_ABSENT = ABSENT  # the value of a problem that has none to show
Row = tuple[str, Any, str]  # (sheet and cell, value, message)


class _Reader:
    """One pass over a workbook: plain scenario data, the cell of each dotted path, and the
    problems found before validation."""

    def __init__(self, book, formulas=None):
        self.book, self.formulas = book, formulas
        # each sheet of the layout by the name the workbook gives it (either era's words)
        self.names = {L.sheet_id(n): n for n in book.sheetnames}
        # the era's tables, once the organisations are read (:meth:`era_known`)
        self.era = "ccg"
        self.tables = E.tables(self.era)
        self.seen: dict[str, str] = {}  # the cell of each parameter row read
        self.problems: list[Row] = []
        self.cells: dict[str, str] = {}
        self.top: dict[str, Any] = {}
        self.orgs: list[dict] = []
        self.kinds: dict[str, str] = {}
        # the layout as found, for checks.structure_problems: each sheet's header row
        # and headers, the rows of each register by owner (a commissioner's id, or "") and
        # its rows that say it has none; problems of the layout itself
        self.heads: dict[str, tuple[int, dict[str, int]]] = {}
        self.owners: dict[str, dict[str, int]] = {}
        self.nones: dict[str, dict[str, str]] = {}
        self.layout: list[Row] = []

    # -- bookkeeping --------------------------------------------------------------------

    def where(self, path: str, cell: str) -> None:
        """Remember that ``path`` (and, if not yet placed, each group above it) is in
        ``cell``."""
        self.cells[path] = cell
        parts = path.split(".")
        for i in range(1, len(parts)):
            self.cells.setdefault(".".join(parts[:i]), cell)

    def problem(self, cell: str, what: str, value: Any, message: str) -> None:
        self.problems.append((f"{cell}: {what}" if what else cell, value, message))

    # -- sheets -------------------------------------------------------------------------

    def header(self, sheet: str, first: str):
        """``(header row number, {header: column number}, rows below)`` of a sheet, or None
        when the sheet is absent (a problem if it is required)."""
        name = self.names.get(sheet, sheet)
        if name not in self.book.sheetnames:  # checks.structure_problems says so
            return None
        ws = self.book[name]  # its rows and columns are within the limits (checks)
        rows = list(ws.iter_rows(values_only=True))
        if self.formulas is not None:  # a formula with no saved value shows as its formula
            typed = list(self.formulas[name].iter_rows(values_only=True))
            rows = [tuple(v if v is not None or not _formula_text(f) else _Unsaved(f)
                          for v, f in zip(row, frow, strict=False))
                    for row, frow in zip(rows, typed, strict=False)]
        for r, row in enumerate(rows[:HEADER_SCAN], start=1):
            if row and isinstance(row[0], str) and row[0].strip() == first:
                heads = {}
                for c, v in enumerate(row, start=1):
                    if isinstance(v, str) and v.strip():
                        heads.setdefault(v.strip(), c)
                self.heads[sheet] = (r, heads)
                return r, heads, rows[r:]
        self.layout.append((f"{sheet}!A1", _ABSENT, f"no header row starting {first!r} in the "
                            f"first {HEADER_SCAN} rows: the sheet's layout was changed"))
        return None

    def params(self, sheet: str) -> None:
        found = self.header(sheet, L.ORG)
        if found is None:
            return
        top, heads, rows = found
        if any(h not in heads for h in (L.ORG, L.FIELD, L.VALUE)):
            return  # not read: checks.structure_problems names the column
        years = [h for h in heads if _is_year(h)]
        for r, row in enumerate(rows, start=top + 1):
            def at(header: str, row=row) -> Any:
                c = heads.get(header)
                return row[c - 1] if c is not None and c - 1 < len(row) else None

            def ref(header: str, r=r) -> str:
                return f"{sheet}!{column_letter(heads[header])}{r}"

            org = L.read_cell(at(L.ORG), "text")
            fld = L.read_cell(at(L.FIELD), "text")
            value, by_year = at(L.VALUE), {y: at(y) for y in years}
            filled = {y: v for y, v in by_year.items() if L.read_cell(v, "text") is not L.BLANK}
            has_value = L.read_cell(value, "text") is not L.BLANK
            unsaved = [(h, v) for h, v in [(L.VALUE, value), *filled.items()] if _is_formula(v)]
            if unsaved:
                self.problem(ref(unsaved[0][0]), "", unsaved[0][1], UNSAVED)
                continue
            label = L.read_cell(at(L.LABEL), "text")
            if fld is L.BLANK and label is not L.BLANK and (has_value or filled):
                # a row added by its label (the spare rows' drop-down), not its dotted path
                kind = "" if sheet == "Scenario" else self.kinds.get(org, "")
                known = E.labels(kind, sheet, self.era) if kind in L.PARAMS else {}
                fld = known.get(label, L.BLANK)
                if fld is L.BLANK and kind in L.PARAMS:
                    hint = difflib.get_close_matches(str(label), list(known), n=1)
                    self.problem(ref(L.LABEL), "", label, "not an assumption of "
                                 f"{'the scenario' if not kind else 'a ' + kind} on this sheet"
                                 + (f"; did you mean {hint[0]!r}?" if hint else "")
                                 + " (choose one from the drop-down, or give its dotted path "
                                 "in the Field column)")
                    continue
            if fld is L.BLANK:
                if has_value or filled:
                    self.problem(ref(L.FIELD), "", _ABSENT, "a value with no field: name the "
                                 "assumption in the Assumption column (or its dotted path in "
                                 "the Field column)")
                continue
            if sheet == "Scenario":
                kind, base = "", ""
            elif org is L.BLANK or org not in self.kinds:
                if has_value or filled:
                    self.problem(ref(L.ORG), "", org if org is not L.BLANK else _ABSENT,
                                 "names no organisation on the Organisations sheet (have "
                                 f"{', '.join(self.kinds) or 'none'})")
                continue
            else:
                kind, base = self.kinds[org], f"organisations.{org}."
                if kind not in L.PARAMS:  # an unknown kind: the Organisations sheet says so
                    continue
            spec, key = L.find_param(kind, fld)
            if spec is None:
                allowed = [p.path for p in L.PARAMS.get(kind, []) if p.sheet == sheet]
                hint = difflib.get_close_matches(fld, allowed, n=1)
                self.problem(ref(L.FIELD), "", fld, f"not an assumption of a {kind or 'scenario'}"
                             + (f"; did you mean {hint[0]!r}?" if hint else "")
                             + f" (this sheet has: {', '.join(allowed)})")
                continue
            parts = (spec.path[:-6].split(".") + [key]) if key else spec.path.split(".")
            target = self.org_data(org) if kind else self.top
            if (has_value or filled) and base + fld in self.seen:
                self.problem(ref(L.FIELD), base + fld, fld, "this assumption is given twice: "
                             f"also at {self.seen[base + fld]}; keep one row")
                continue
            if has_value or filled:
                self.seen[base + fld] = ref(L.FIELD)
            if spec.shape == "years":
                if has_value:
                    self.problem(ref(L.VALUE), base + fld, value, "give this year by year, in "
                                 "the year columns")
                for y in years:
                    p = [y if s == L.YEAR else s for s in parts]
                    if L.YEAR not in parts:
                        p = [*parts, y]
                    self.where(base + ".".join(p), ref(y))
                    if y in filled:
                        _put(target, p, L.read_cell(filled[y], spec.scalar))
                continue
            self.where(base + ".".join(parts), ref(L.VALUE))
            for y in years:
                self.where(base + ".".join([*parts, y]), ref(y))
            if spec.shape == "by_year" and filled:
                if has_value:
                    self.problem(ref(L.VALUE), base + fld, value, "give one number for every "
                                 "year or one in each year column, not both")
                    continue
                _put(target, parts, {y: L.read_cell(v, spec.scalar) for y, v in filled.items()})
                continue
            if filled:
                y0 = next(iter(filled))
                self.problem(ref(y0), base + fld, filled[y0], "one value for all years: "
                             f"write it in the {L.VALUE!r} column")
            if has_value:
                read = L.read_list(value) if spec.shape == "list" else \
                    L.read_cell(value, spec.scalar)
                _put(target, parts, read)

    def era_known(self) -> None:
        """The workbook's era, told by the organisations read and the sheets
        (:func:`E.era_of_book`): the registers' owners and the Places sheet follow it."""
        self.era = E.era_of_book(self.book.sheetnames, self.orgs)
        self.tables = E.tables(self.era)

    def org_data(self, org: str) -> dict:
        for o in self.orgs:
            if o.get("id") == org:
                return o
        raise KeyError(org)

    def records(self, table: L.Table) -> None:
        cols = L.record_columns(table, [], [])
        found = self.header(table.sheet, cols[0][0])
        if found is None:
            return
        top, heads, rows = found
        layout = []  # (header, column, year or key) for the headers present
        for header, c in heads.items():
            col = _column_of(table, header)
            if col is not None:
                layout.append((header, c, *col))
        if not table.owned:  # a problem of the whole table is shown at its first row
            self.cells.setdefault(table.collection, f"{table.sheet}!A{top + 1}")
        for i, row in enumerate(rows, start=top + 1):
            self.record(table, heads, layout, row, i)

    def record(self, table: L.Table, heads: dict, layout: list, row: tuple, r: int) -> None:
        sheet = table.sheet

        def ref(c: int) -> str:
            return f"{sheet}!{column_letter(c)}{r}"

        cells = {h: (row[c - 1] if c - 1 < len(row) else None) for h, c, *_ in layout}
        if all(L.read_cell(v, "text") is L.BLANK for v in cells.values()):
            return
        owner = next((L.read_cell(cells[h], "text") for h, _, col, _ in layout
                      if col.path == "@org"), "") if table.owned else ""
        owner = owner if isinstance(owner, str) else str(owner)
        counts = self.owners.setdefault(sheet, {})
        counts[owner] = counts.get(owner, 0) + 1
        first = next(((h, c) for h, c, col, _ in layout if col.path != "@org"), None)
        if first and _says_none(cells[first[0]]) and all(
                L.read_cell(v, "text") is L.BLANK for h, v in cells.items()
                if h not in (first[0], L.ORG)):
            self.nones.setdefault(sheet, {})[owner] = ref(first[1])
            return  # a register empty by choice: nothing to read
        unsaved = [(c, cells[h]) for h, c, *_ in layout if _is_formula(cells[h])]
        if unsaved:
            self.problem(ref(unsaved[0][0]), "", unsaved[0][1], UNSAVED)
            return
        note = row[heads[L.NOTE] - 1] if L.NOTE in heads and heads[L.NOTE] - 1 < len(row) \
            else None
        if isinstance(note, str) and note.strip().upper().startswith(L.EXAMPLE):
            self.problem(ref(heads[L.NOTE]), "", L.EXAMPLE, "this is the workbook's "
                         "example row: overwrite it with your own figures and clear its "
                         "note, or delete the row")
            return
        rec: dict[str, Any] = {}
        key = org = L.BLANK
        org_col = key_col = layout[0][1] if layout else 1
        placed: list[tuple[str, int]] = []  # (path below the record, column)
        for header, c, col, extra in layout:
            raw = cells[header]
            if col.path == "@org":
                org = L.read_cell(raw, "text")
                org_col = c
                continue
            if col.path == "@key":
                key = L.read_cell(raw, "text")
                key_col = c
                continue
            sub = col.path.split(".") if col.path else []
            if col.by_year and extra is not None:
                sub = [*sub, extra]
            elif table.dynamic and col.path == table.dynamic:
                sub = [*sub, extra]
            placed.append((".".join(sub), c))
            value = L.read_list(raw) if col.scalar == "list" else L.read_cell(raw, col.scalar)
            if value is L.BLANK:
                continue
            if col.by_year:  # the "every year" column comes first, then the years
                current = rec.get(col.path)
                if (isinstance(current, dict) if extra is None
                        else current is not None and not isinstance(current, dict)):
                    self.problem(ref(c), "", raw, "give one number for every year or one in "
                                 "each year column, not both")
                    continue
                if extra is not None:
                    rec.setdefault(col.path, {})[extra] = value
                    continue
            if not sub:
                rec = value  # a source's text
                continue
            _put(rec, sub, value)
        if table.owned:
            if org is L.BLANK or self.kinds.get(org) not in table.owners:
                self.problem(ref(org_col), "", org if org is not L.BLANK else _ABSENT,
                             f"names no {E.owner_words(table)} on the Organisations sheet "
                             "(have " + ", ".join(k for k, v in self.kinds.items()
                                                  if v in table.owners) + ")")
                return
            holder: Any = self.org_data(org)
            root = f"organisations.{org}.{table.collection}"
        else:
            holder, root = self.top, table.collection
        if table.collection == "organisations":
            self.orgs.append(rec)
            if isinstance(rec.get("id"), str):
                self.kinds.setdefault(rec["id"], rec.get("kind"))
            label = rec.get("id") if isinstance(rec.get("id"), str) else None
            index = len(self.orgs) - 1
        elif table.keyed:
            if key is L.BLANK:
                self.problem(ref(key_col), "", _ABSENT, "required: the row's key is empty")
                return
            group = _group(holder, table.collection.split("."), dict)
            if key in group:
                self.problem(ref(key_col), "", key, "listed twice on this sheet")
                return
            group[key] = rec
            label, index = str(key), None
        else:
            group = _group(holder, table.collection.split("."), list)
            group.append(rec)
            index = len(group) - 1
            label = rec.get("id") if isinstance(rec, dict) and isinstance(rec.get("id"), str) \
                else None
        if table.collection == "places":  # a sum over the places: the column's first cell
            for sub, c in placed:
                self.cells.setdefault(f"{root}.{sub}", ref(c))
        for name in {label, None if index is None else str(index)} - {None}:
            base = f"{root}.{name}"
            self.where(base, ref(key_col if table.keyed else placed[0][1]))
            for sub, c in placed:
                if sub or not table.keyed:  # a keyed record's own path is its key's cell
                    self.where(f"{base}.{sub}" if sub else base, ref(c))


def _says_none(value: Any) -> bool:
    """Whether a register's first cell says it has no rows (:data:`L.NONE`, or plain none)."""
    text = L.read_cell(value, "text")
    return isinstance(text, str) and text.lower() in (L.NONE, L.NONE.strip("()"))


def _column_of(table: L.Table, header: str):
    """``(column, year or key)`` a record table's header stands for, else None (derived
    columns, notes)."""
    if header == L.ORG and table.owned:
        return L.Column(L.ORG, "@org", "text"), None
    for col in table.columns:
        if header == col.label and not col.by_year:
            return col, None
        if col.by_year and header == f"{col.label}: every year":
            return col, None
        if col.by_year and header.startswith(f"{col.label}: ") and \
                _is_year(header.split(": ", 1)[1]):
            return col, header.split(": ", 1)[1]
    if table.dynamic and header.startswith(f"{L.AGE_MIX}: "):
        return L.Column(L.AGE_MIX, table.dynamic, "rate"), header.split(": ", 1)[1].strip()
    return None


def _is_year(text: str) -> bool:
    from ..years import parse_year

    try:
        return parse_year(text) == text
    except (ValueError, TypeError):
        return False


def _group(holder: dict, parts: list[str], kind: type) -> Any:
    node = holder
    for p in parts[:-1]:
        node = node.setdefault(p, {})
    return node.setdefault(parts[-1], kind())


def _put(holder: dict, parts: list[str], value: Any) -> None:
    node = holder
    for p in parts[:-1]:
        nxt = node.get(p)
        if not isinstance(nxt, dict):
            nxt = node[p] = {}
        node = nxt
    node[parts[-1]] = value


def _open(path: Path):
    """The workbook at ``path`` twice, its values and its formulas, or ``(None, problems)``."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None, [("", ABSENT, "file not found")]
    except OSError as exc:
        return None, [("", ABSENT, f"cannot be read: {exc.strerror}")]
    if not stat.S_ISREG(st.st_mode):
        return None, [("", ABSENT, "is not a regular file: a workbook is an .xlsx file")]
    import zipfile

    import openpyxl

    try:
        too_big = size_problems(path, st.st_size)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        return None, [("", ABSENT, "is not an Excel workbook (.xlsx) that can be read: "
                       f"{type(exc).__name__}: {printable(str(exc))[:120]}")]
    if too_big:
        return None, too_big
    books = []
    try:  # read only: streamed, each sheet's rows as its XML has them (its stated size unused)
        for values in (True, False):
            books.append(openpyxl.load_workbook(path, read_only=True, data_only=values))
            for ws in books[-1].worksheets:
                if hasattr(ws, "reset_dimensions"):
                    ws.reset_dimensions()
        return tuple(books), []
    except Exception as exc:  # noqa: BLE001 - zip, XML or openpyxl errors alike
        for book in books:
            book.close()
        return None, [("", ABSENT, "is not an Excel workbook (.xlsx) that can be read: "
                       f"{type(exc).__name__}: {printable(str(exc))[:120]}")]


def read_book(path: Path | str) -> tuple[dict | None, dict[str, str], list[Row]]:
    """The plain scenario data of a workbook, the sheet and cell of each dotted path in it
    (``{"organisations.cpr_ccg.qipp.schemes.avastin.net_saving": "QIPP!H9"}``, groups at
    their first cell), and the problems found reading it, before validation, as ``(sheet and
    cell, value, message)`` rows. :func:`ccgmodels.inputs.loading.check` validates it."""
    books, problems = _open(Path(path))
    if books is None:
        return None, {}, problems
    missing = missing_sheets(books[0].sheetnames)  # known at once: nothing else is read
    if missing:
        for book in books:
            book.close()
        return None, {}, missing
    reader = _Reader(*books)
    try:
        reader.records(reader.tables["Organisations"])
        reader.era_known()
        for sheet in L.PARAM_SHEETS:
            reader.params(sheet)
        for sheet in E.record_sheets(reader.era):
            reader.records(reader.tables[sheet])
    finally:
        for book in books:
            book.close()
    structure = structure_problems(reader)  # a sheet, column or register lost: nothing else
    if structure:
        return None, {}, _named(structure, reader.names)
    data = {**reader.top, "organisations": reader.orgs}
    return data, _named(reader.cells, reader.names), _named(reader.problems, reader.names)


def _named(found, names: dict[str, str]):
    """Cells (``{path: "QIPP!H9"}``) or problem rows with each sheet as the workbook names it
    (``Efficiency!H9`` in an ICB-era workbook)."""
    renamed = {k: v for k, v in names.items() if k != v}
    if not renamed:
        return found

    def fix(cell: str) -> str:
        sheet, bang, rest = cell.partition("!")
        return f"{renamed.get(sheet, sheet)}{bang}{rest}" if bang else renamed.get(cell, cell)

    if isinstance(found, dict):
        return {k: fix(v) for k, v in found.items()}
    return [(fix(row[0]), *row[1:]) if isinstance(row[0], str) else row for row in found]


def place(path: str, cells: dict[str, str]) -> str | None:
    """The cell of a dotted path, or of the nearest group above it that has one."""
    parts = path.split(".") if path else []
    while parts:
        cell = cells.get(".".join(parts))
        if cell:
            return cell
        parts.pop()
    return None


def sheet_of(path: str, cells: dict[str, str]) -> str | None:
    """The sheet that lays out a dotted path no cell holds (a required row deleted): of the read
    paths sharing most of its leading parts (for a scenario-level field, the other
    scenario-level fields), the sheet holding most of them (the Scenario sheet for ``name``)."""
    from collections import Counter

    parts = path.split(".") if path else []
    best: Counter = Counter()
    shared = -1
    for other, cell in cells.items():
        theirs = other.split(".")
        if (len(parts) == 1) != (len(theirs) == 1):
            continue  # a scenario-level field is found beside the others, not in an organisation
        n = 0
        for a, b in zip(parts, theirs, strict=False):
            if a != b:
                break
            n += 1
        if n > shared:
            best, shared = Counter(), n
        if n == shared:
            best[cell.split("!")[0]] += 1
    return best.most_common(1)[0][0] if best else None


def explain(path: str, message: str, data: dict | None = None) -> str:
    """``message`` with, for a missing group whose rows live on a record sheet (a
    commissioner's points of delivery), the sheet to add them on (named as in the era of the
    workbook's plain ``data``)."""
    if message == "required field is missing":
        for table in E.tables(E.book_era(data or {})).values():
            if table.owned and path.endswith(f".{table.collection}"):
                return f"{message}: add its rows on the {table.sheet} sheet"
    return message


def _whole(node: Any) -> Any:
    """``node`` with whole numbers written without a decimal point (247026, not 247026.0)."""
    if isinstance(node, dict):
        return {k: _whole(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_whole(v) for v in node]
    if isinstance(node, float) and node.is_integer() and abs(node) < 1e15:
        return int(node)
    return node


def scenario_yaml(scenario) -> str:
    """A scenario as YAML, defaults left out, its sources included: loading it gives the same
    scenario."""
    import yaml

    data = _whole(scenario.model_dump(mode="json", exclude_defaults=True))
    head = ("# Written by `ccgmodels workbook import` from an assumptions workbook.\n"
            "# Money in £k, rates as fractions; `sources` cites where each figure comes from.\n")
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def sheet_cells(path: Path | str):
    """Every sheet of any ``.xlsx`` at ``path``, as ``(title, rows)`` with each row a list of
    ``(value, number format)`` from column A (values as last saved), after the size checks an
    assumptions workbook passes; for other readers of published workbooks (e.g.
    :mod:`ccgmodels.inputs.allocations`).

    Raises
    ------
    ValueError
        The file is too big, or not an Excel workbook that can be read (the message says which).
    """
    import zipfile

    import openpyxl

    path = Path(path)
    try:
        too_big = size_problems(path, path.stat().st_size)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise ValueError("is not an Excel workbook (.xlsx) that can be read: "
                         f"{type(exc).__name__}") from exc
    if too_big:
        raise ValueError(f"refused: it {too_big[0][2]}")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zip, XML or openpyxl errors alike
        raise ValueError("is not an Excel workbook (.xlsx) that can be read: "
                         f"{type(exc).__name__}: {printable(str(exc))[:120]}") from exc
    try:
        for ws in book.worksheets:
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()
            yield ws.title, [[(c.value, str(getattr(c, "number_format", "") or ""))
                              for c in cells] for cells in ws.iter_rows()]
    finally:
        book.close()
