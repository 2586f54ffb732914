"""The assumptions workbook a finance team fills in: ``ccgmodels workbook export`` and ``new``.

Every sheet is laid out from :mod:`ccgmodels.inputs.book.layout` (the fields, units and allowed
values of the typed models), and :mod:`ccgmodels.inputs.book.reader` reads it back. Input cells
are yellow and unlocked; worked-out cells are grey formulas (a QIPP scheme's net saving, a
point of delivery's age mix total, each value's source looked up on the Sources sheet and its
ASSUMPTION flag). Statuses, service lines, kinds, points of delivery and years have drop-down
lists; each sheet's rows are a named Excel Table; money is formatted ``#,##0;(#,##0)`` [£k]
and rates as percentages of the fractions stored.

This is not the report workbook (:mod:`ccgmodels.outputs.workbook`): that one is output only.
"""

from __future__ import annotations

from copy import copy
from pathlib import Path
from typing import Any

from ..celltext import keep_text
from ..years import format_year, span, start_of
from . import eras as E
from . import layout as L
from . import words as W
from .sheetkit import blocks as _blocks
from .sheetkit import letter as _letter
from .sheetkit import list_name as _list_name
from .sheetkit import protect as _protect
from .sheetkit import text as _text

HEAD = 4  # the header row of every table
SPARE = 10  # blank input rows left at the end of each table
LAST = 5000  # the last row a lookup of the Sources sheet reaches
INPUT, DERIVED, HEADER, GREY = "FFF2CC", "E7E6E6", "005EB8", "BFBFBF"
FORMATS = {"money": "#,##0;(#,##0)", "rate": "0.0##%", "int": "0", "number": "#,##0.###",
           "text": "@", "year": "@", "choice": "@", "bool": "@", "list": "@"}
WIDTHS = {L.ORG: 16, L.LABEL: 56, L.FIELD: 30, "Description": 60, "Unit": 11, "Default": 12,
          L.VALUE: 16,
          "Source": 60, "Assumption?": 13, L.NOTE: 45, "Name": 40, "Id": 18, "Scheme id": 26,
          "Point of delivery": 22, "Provider": 14, "Assumption (dotted path)": 62,
          "Category": 22, "Investment line": 16, "Status": 12, "Risk id": 22,
          "Mitigation id": 22, "Evidence": 40, "Held against (risk ids)": 26,
          "Staff group": 18, "Type": 10, "Likelihood": 11, "Probability": 11}


def _styles():
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

    thin = Side(style="thin", color=GREY)
    return {
        "input": (PatternFill("solid", fgColor=INPUT), Protection(locked=False)),
        "derived": (PatternFill("solid", fgColor=DERIVED), Protection(locked=True)),
        "reference": (PatternFill("solid", fgColor=DERIVED), Protection(locked=True)),
        "reference_font": Font(color="808080", size=9),
        "header": (PatternFill("solid", fgColor=HEADER), Font(bold=True, color="FFFFFF")),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "wrap": Alignment(wrap_text=True, vertical="top"),
    }


class _Writer:
    def __init__(self, data: dict, examples: bool | tuple | dict, title: str):
        from openpyxl import Workbook

        self.data, self.examples, self.title = data, examples, title
        self.era, self.tables = E.book_era(data), E.tables(E.book_era(data))
        self.sheets: list[str] = []  # the sheets written after the cover, in order
        self.merged = E.predecessors(data["organisations"])  # a merger's predecessors
        self.book = Workbook()
        self.book.remove(self.book.active)
        self.st = _styles()
        self.sources: dict[str, str] = dict(data.get("sources") or {})
        # the first source below each group, looked up once: scanning every source for each
        # row made a national workbook's export quadratic in organisations
        self.first_below: dict[str, str] = {}
        for key in self.sources:
            parts = key.split(".")
            for i in range(1, len(parts)):
                self.first_below.setdefault(".".join(parts[:i]), key)
        self.years = span(data["base_year"], data["end_year"])
        self.lists: dict[str, tuple[str, tuple]] = {}  # (defined name, values) by name
        self.validations: dict[tuple, tuple[Any, list]] = {}  # (sheet, cells) by sheet, list
        self._styles: dict[tuple, Any] = {}
        self._ids: dict[Any, tuple[str, ...]] = {}  # by kinds, and "years"
        self.names = {o["id"]: o.get("name") for o in data["organisations"]}

    # -- cells --------------------------------------------------------------------------

    def cell(self, ws, row: int, col: int, value: Any, kind: str, scalar: str = "text",
             formula: bool = False):
        """Cell (``row``, ``col``) of ``ws`` holding ``value``, styled as a ``kind`` cell of a
        ``scalar``: text stays text (a name ``=A1`` is not a formula) unless ``formula``, the
        workbook's own worked-out cells."""
        c = ws.cell(row, col, value)
        if not formula:
            keep_text(c)
        c._style = copy(self._style_of(c, kind, scalar))
        return c

    def _style_of(self, c, kind: str, scalar: str):
        """The style of a cell of ``kind`` holding a ``scalar``, built once per workbook and
        copied to each such cell (openpyxl looks each style part up by hash on every set)."""
        filled = kind in ("input", "derived", "reference")
        key = (kind, scalar) if filled else ("plain", "")
        if key not in self._styles:
            if filled:
                c.fill, c.protection = self.st[kind]
                c.number_format = FORMATS.get(scalar, "General")
            if kind == "reference":
                c.font = self.st["reference_font"]
            c.border = self.st["border"]
            self._styles[key] = copy(c._style)
        return self._styles[key]

    def choose(self, ws, row: int, col: int, name: str, values) -> None:
        """A drop-down list of ``values`` (a named range on the Lists sheet) on cell (``row``,
        ``col``): one validation per list and sheet, its cells set once by :func:`_blocks`."""
        values = values if isinstance(values, tuple) else tuple(values)
        known = self.lists.get(name)
        if known is not None and known[1] is not values and known[1] != values:
            # the name is another list's
            name = f"{ws.title.lower().replace(' ', '_')}_{name}"
        if name not in self.lists:
            self.lists[name] = (self._list(name, list(values)), values)
        key = (ws.title, name)
        if key not in self.validations:
            self.validations[key] = (ws, [])
        self.validations[key][1].append((row, col))

    def drop_downs(self) -> None:
        """Each sheet's drop-down lists, one validation per list covering its cells as
        rectangles (:func:`_blocks`), in the order the lists were first used on the sheet.
        The cells are set once: openpyxl's ``DataValidation.add`` scans every range added
        before, so adding a national workbook's 40,000 cells one by one took 177 s."""
        from openpyxl.worksheet.cell_range import MultiCellRange
        from openpyxl.worksheet.datavalidation import DataValidation

        for (_, name), (ws, cells) in self.validations.items():
            dv = DataValidation(type="list", formula1=f"={self.lists[name][0]}", allow_blank=True,
                                showErrorMessage=True, errorStyle="warning",
                                errorTitle="Not in the list",
                                error=f"Choose one of the {name.replace('_', ' ')} values")
            dv.sqref = MultiCellRange(_blocks(cells))
            ws.add_data_validation(dv)

    def _list(self, name: str, values: list) -> str:
        from openpyxl.utils import get_column_letter
        from openpyxl.workbook.defined_name import DefinedName

        ws = self.book["Lists"] if "Lists" in self.book.sheetnames else None
        if ws is None:
            ws = self.book.create_sheet("Lists")
            ws.sheet_state = "hidden"
        col = len(self.lists) + 1
        _text(ws, 1, col, name)
        for i, v in enumerate(values, start=2):
            _text(ws, i, col, L.write_cell(v, "text"))
        letter = get_column_letter(col)
        ref = f"Lists!${letter}$2:${letter}${len(values) + 1}"
        self.book.defined_names[f"list_{name}"] = DefinedName(f"list_{name}", attr_text=ref)
        return f"list_{name}"

    def source_key(self, path: str) -> str:
        """The Sources key that tells where ``path`` comes from: itself or the nearest group
        above it, else the first entry below it, else ``path`` (so a source added for it
        shows)."""
        parts = path.split(".")
        for i in range(len(parts), 0, -1):
            if ".".join(parts[:i]) in self.sources:
                return ".".join(parts[:i])
        return self.first_below.get(path, path)

    def source(self, ws, row: int, col: int, path: str) -> None:
        from openpyxl.utils import get_column_letter

        key = self.source_key(path).replace('"', '""')  # a quote inside a formula's text
        self.cell(ws, row, col, f'=IFERROR(INDEX(Sources!$B${HEAD + 1}:$B${LAST},MATCH("{key}",'
                  f'Sources!$A${HEAD + 1}:$A${LAST},0)),"")', "derived", formula=True)
        ref = f"{get_column_letter(col)}{row}"
        self.cell(ws, row, col + 1, f'=IF(ISNUMBER(SEARCH("ASSUMPTION",{ref})),"ASSUMPTION",'
                  '"")', "derived", formula=True)

    # -- sheets -------------------------------------------------------------------------

    def sheet(self, name: str, headers: list[str], title: str):
        ws = self.book.create_sheet(E.sheet_name(name, self.era))
        _text(ws, 1, 1, title).font = _font(bold=True, size=13)
        _text(ws, 2, 1, E.sheet_note(name, self.era))
        fill, font = self.st["header"]
        for c, h in enumerate(headers, start=1):
            cell = _text(ws, HEAD, c, h)
            cell.fill, cell.font, cell.border = fill, font, self.st["border"]
            cell.alignment = self.st["wrap"]
        from openpyxl.utils import get_column_letter

        for c, h in enumerate(headers, start=1):
            ws.column_dimensions[get_column_letter(c)].width = WIDTHS.get(
                h, 16 if ": " in h else 12)
        ws.row_dimensions[HEAD].height = 60
        ws.freeze_panes = ws.cell(row=HEAD + 1, column=3)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = f"{HEAD}:{HEAD}"
        return ws

    def table(self, ws, ncols: int, last: int) -> None:
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.table import Table, TableStyleInfo

        t = Table(displayName=f"t_{ws.title.replace(' ', '_')}",
                  ref=f"A{HEAD}:{get_column_letter(ncols)}{last}")
        t.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
        ws.add_table(t)
        _protect(ws)

    def params(self, sheet: str) -> None:
        owners = [("", "", self.data)] if sheet == "Scenario" else [
            (o["kind"], o["id"], o) for o in self.data["organisations"]]
        rows = [(spec, kind, org, node, path) for kind, org, node in owners
                for spec in L.PARAMS[kind] if spec.sheet == sheet
                for path in self.expand(spec, node)
                if E.row_shown(self.era, self.merged, spec, org, node, path)
                and (spec.path != "demand.growth_table" or E.allowed(spec, self.data["base_year"])
                     or E.given(spec, node, path))]
        years = self.sheet_years(sheet)
        headers = L.param_columns(years)
        ws = self.sheet(sheet, headers, f"{sheet}: {self.title}")
        col = {h: i for i, h in enumerate(headers, start=1)}
        r = HEAD
        for spec, kind, org, node, path in rows:
            r += 1
            self.param_row(ws, r, col, years, spec, kind, org, node, path)
        labels = self.labels(sheet)
        orgs = self.ids() if sheet != "Scenario" else ()
        for _ in range(SPARE):  # a row added here names its assumption by label or path
            r += 1
            for h, c in col.items():
                self.cell(ws, r, c, None, "derived" if h in ("Source", "Assumption?",
                                                             "Description", "Unit",
                                                             "Default") else "input")
            if labels:
                self.choose(ws, r, col[L.LABEL], f"{sheet.lower()}_assumption", labels)
            if orgs:
                self.choose(ws, r, col[L.ORG], "organisation", orgs)
        self.table(ws, len(headers), r)
        ws.freeze_panes = ws.cell(row=HEAD + 1, column=col[L.FIELD] + 1)

    def ids(self, kinds: tuple[str, ...] | None = None) -> tuple[str, ...]:
        """The ids of the organisations (of ``kinds``), a drop-down's values: one tuple per
        kinds, built once (a list per row made a national export quadratic)."""
        key = kinds or ()
        if key not in self._ids:
            self._ids[key] = tuple(o["id"] for o in self.data["organisations"]
                                   if kinds is None or o.get("kind") in kinds)
        return self._ids[key]

    def labels(self, sheet: str) -> list[str]:
        """The labels of the assumptions of ``sheet`` for every kind of organisation the
        scenario holds, in the era's words: the drop-down of a spare row."""
        kinds = [""] if sheet == "Scenario" else list(dict.fromkeys(
            o["kind"] for o in self.data["organisations"]))
        return list(dict.fromkeys(label for kind in kinds
                                  for label in E.labels(kind, sheet, self.era)))

    def sheet_years(self, sheet: str) -> list[str]:
        """The year columns of a parameter sheet: the scenario's years, widened to every year
        its figures name (a bridge from two years before the base), consecutive."""
        starts = [start_of(y) for y in self.years]
        if sheet == "Bridge":  # the plans print the bridge from two years before the base
            starts += [starts[0] - 2, starts[0] + 1]
        owners = [("", self.data)] if sheet == "Scenario" else [
            (o["kind"], o) for o in self.data["organisations"]]
        for kind, node in owners:
            for spec in L.PARAMS[kind]:
                if spec.sheet != sheet or spec.shape not in ("by_year", "years"):
                    continue
                for path in self.expand(spec, node):
                    parts = path.split(".")
                    group = _get(node, parts[:parts.index(L.YEAR)] if L.YEAR in parts
                                 else parts)
                    if isinstance(group, dict):
                        starts += [start_of(y) for y in group]
        return [format_year(y) for y in range(min(starts), max(starts) + 1)]

    def expand(self, spec: L.Param, node: dict) -> list[str]:
        if not spec.path.endswith(".<key>"):
            return [spec.path]
        keys = list(_get(node, spec.path[:-6].split(".")) or {})
        if spec.path == "contract_income.<key>":  # a row for each commissioner paying it
            keys += [o["id"] for o in self.data["organisations"] if o["id"] not in keys
                     and any(c.get("provider") == node.get("id") for c in o.get("contracts")
                             or [])]
        return [f"{spec.path[:-6]}.{k}" for k in keys]

    def param_row(self, ws, r, col, years, spec, kind, org, node, path) -> None:
        where = f"organisations.{org}." if kind else ""
        self.cell(ws, r, col[L.ORG], org or None, "input" if kind else "derived")
        if kind:
            self.choose(ws, r, col[L.ORG], "organisation", self.ids())
        label = W.label(path, spec.description)
        if spec.path == "contract_income.<key>":  # the commissioner by its name, not its id
            label = label.replace(path[16:], self.names.get(path[16:]) or path[16:])
        self.cell(ws, r, col[L.LABEL], E.say(label, self.era), "derived")
        self.cell(ws, r, col[L.FIELD], path, "reference")  # the dotted path: grey, small
        self.cell(ws, r, col["Description"], E.say(W.help_text(spec.path, spec.description),
                                                   self.era), "derived")
        self.cell(ws, r, col["Unit"], W.unit(spec.unit), "derived")
        default = None if spec.default is None or spec.shape == "years" else \
            L.write_cell(spec.default, spec.scalar)
        self.cell(ws, r, col["Default"], default, "derived", spec.scalar)
        parts = path.split(".")
        value = None if L.YEAR in parts else _get(node, parts)
        by_year: dict = {}
        if L.YEAR in parts:
            i = parts.index(L.YEAR)
            group = _get(node, parts[:i]) or {}
            by_year = {y: _get(v, parts[i + 1:]) for y, v in group.items()}
        elif isinstance(value, dict):
            value, by_year = None, value
        one = spec.shape in ("value", "by_year", "list")
        self.cell(ws, r, col[L.VALUE], L.write_cell(value, spec.scalar),
                  "input" if one else "derived", spec.scalar)
        for y in years:
            self.cell(ws, r, col[y], L.write_cell(by_year.get(y), spec.scalar),
                      "input" if spec.shape in ("by_year", "years") else "derived",
                      spec.scalar)
        choices = E.allowed(spec, self.data["base_year"])
        if choices and spec.shape != "list":
            name = _list_name(spec.path, choices)
            cells = [col[L.VALUE]] if one else [col[y] for y in years]
            for c in cells:
                self.choose(ws, r, c, name, choices)
        if spec.scalar == "year":
            self.choose(ws, r, col[L.VALUE], "years", self.year_list())
        self.source(ws, r, col["Source"], where + path.split("." + L.YEAR)[0])

    def year_list(self) -> tuple[str, ...]:
        """The years a year's drop-down offers: three before the base to five after the end."""
        if "years" not in self._ids:
            first = start_of(self.years[0])
            self._ids["years"] = tuple(format_year(y) for y in range(
                first - 3, start_of(self.years[-1]) + 6))
        return self._ids["years"]

    def records(self, table: L.Table) -> None:
        bands = sorted({b for o in self.data["organisations"] if o.get("kind") in table.owners
                        for p in ((o.get("demand") or {}).get("pods") or {}).values()
                        for b in (p.get("age_mix") or {})}) if table.dynamic else []
        if table.dynamic:
            order = [b for o in self.data["organisations"]
                     for b in ((o.get("demand") or {}).get("population_growth") or {})]
            bands = list(dict.fromkeys([*order, *bands]))
        layout = L.record_columns(table, self.years, bands)
        ws_name = E.sheet_name(table.sheet, self.era)
        extra = [h for h, _ in table.derived]
        sourced = table.owned
        headers = [h for h, _, _ in layout] + extra + (["Source", "Assumption?"] if sourced
                                                       else []) + [L.NOTE]
        ws = self.sheet(table.sheet, headers, f"{ws_name}: {self.title}")
        col = {h: i for i, h in enumerate(headers, start=1)}
        r, stated = HEAD, set()
        for path, key, org, rec in self.items(table):
            r += 1
            stated.add(org)
            self.record_row(ws, r, col, layout, table, path, key, org, rec)
        ccgs = [o["id"] for o in self.data["organisations"] if o.get("kind") in table.owners]
        for org in (ccgs if table.owned else [None]) if table.collection != "organisations" \
                else []:
            if org not in stated:  # a register with no rows says so: never an empty sheet
                r += 1
                first = next(h for h, column, _ in layout if column.path != "@org")
                for h, c in col.items():
                    derived = h in extra or h in ("Source", "Assumption?")
                    self.cell(ws, r, c, org if h == L.ORG else L.NONE if h == first else None,
                              "derived" if derived else "input")
                self.cell(ws, r, col[L.NOTE], "None: to add some, replace this row with "
                          "them", "input")
                self.row_lists(ws, r, col, layout, table)
        for _ in range(SPARE):
            r += 1
            for h, c in col.items():
                derived = h in extra or h in ("Source", "Assumption?")
                self.cell(ws, r, c, None, "derived" if derived else "input")
            self.row_lists(ws, r, col, layout, table)
        self.table(ws, len(headers), r)
        totalled = [(h, column) for h, column, _ in layout if column.path in table.totals]
        if totalled:  # totals above the table, to set beside the organisation's own
            _text(ws, 3, col[totalled[0][0]] - 1, E.TOTALS).font = _font(bold=True)
        for h, column in totalled:
            letter = _letter(col[h])
            self.cell(ws, 3, col[h], f"=SUM({letter}{HEAD + 1}:{letter}{r})", "derived",
                      column.scalar, formula=True)
        for h in extra:  # a worked-out money column gets its total above the table
            if "saving" in h:
                _text(ws, 3, col[h] - 1, "Total [£k]").font = _font(bold=True)
                letter = _letter(col[h])
                self.cell(ws, 3, col[h], f"=SUM({letter}{HEAD + 1}:{letter}{r})", "derived",
                          "money", formula=True)

    def items(self, table: L.Table):
        """``(dotted path, key, organisation id, record)`` of each record, in order."""
        d = self.data
        if table.collection == "organisations":
            for o in d["organisations"]:
                yield f"organisations.{o['id']}", None, None, o
            return
        if not table.owned:
            group = d.get(table.collection) or ({} if table.keyed else [])
            pairs = group.items() if table.keyed else (
                (v.get("id", i) if isinstance(v, dict) else i, v) for i, v in enumerate(group))
            for k, v in pairs:
                yield f"{table.collection}.{k}", k if table.keyed else None, None, v
            return
        for o in d["organisations"]:
            if o.get("kind") not in table.owners:
                continue
            group = _get(o, table.collection.split(".")) or ([] if not table.keyed else {})
            root = f"organisations.{o['id']}.{table.collection}"
            if table.keyed:
                for k, v in group.items():
                    yield f"{root}.{k}", k, o["id"], v
            else:
                for i, v in enumerate(group):
                    yield f"{root}.{v.get('id', i) if isinstance(v, dict) else i}", None, \
                        o["id"], v

    def row_lists(self, ws, r: int, col: dict, layout, table: L.Table) -> None:
        """The drop-down lists of record row ``r``: every column with allowed values (and a
        commissioner's id in an owned table's Organisation column), on the rows written and
        on the spare rows alike."""
        for header, column, _ in layout:
            c = col[header]
            if column.choices:
                self.choose(ws, r, c, _list_name(column.path, column.choices), column.choices)
            elif column.scalar == "year":
                self.choose(ws, r, c, "years", self.year_list())
            elif column.path == "@org":
                self.choose(ws, r, c, f"{'_'.join(table.owners)}_id", self.ids(table.owners))
            elif column.path == "provider" and table.collection == "contracts":
                self.choose(ws, r, c, "provider_id", self.ids(("provider",)))

    def record_row(self, ws, r, col, layout, table, path, key, org, rec) -> None:
        for header, column, extra in layout:
            c = col[header]
            if column.path == "@org":
                value = org
            elif column.path == "@key":
                value = key
            elif column.path == "":
                value = rec
            else:
                value = _get(rec, column.path.split("."))
                if column.by_year:
                    value = (value.get(extra) if isinstance(value, dict) else None) if extra \
                        else (None if isinstance(value, dict) else value)
                elif table.dynamic and column.path == table.dynamic:
                    value = (value or {}).get(extra)
            self.cell(ws, r, c, L.write_cell(value, column.scalar), "input", column.scalar)
        self.row_lists(ws, r, col, layout, table)
        refs = {column.path: f"{_letter(col[h])}{r}" for h, column, extra in layout}
        for header, template in table.derived:
            if "{age_mix}" in template:
                mix = [col[h] for h, column, _ in layout if column.path == table.dynamic]
                if not mix:
                    continue
                formula = template.replace("{age_mix}", f"{_letter(mix[0])}{r}:"
                                                        f"{_letter(mix[-1])}{r}")
            elif "{}" in template:
                formula = template.replace("{}", refs[""])
            else:
                formula = template.format(**refs)
            self.cell(ws, r, col[header], formula, "derived",
                      "money" if "saving" in header else "rate", formula=True)
        if "Assumption?" in col:
            self.source(ws, r, col["Source"], path)
        note = None
        if self.examples is True or table.sheet in self.examples:
            why = self.examples.get(table.sheet) if isinstance(self.examples, dict) else None
            note = f"{L.EXAMPLE}: overwrite, then clear this note (or delete the row)" + (
                f". {why}" if why else "")
        self.cell(ws, r, col[L.NOTE], note, "input")


def _font(**kw):
    from openpyxl.styles import Font
    return Font(**kw)


def _get(node: Any, parts: list[str]) -> Any:
    for p in parts:
        if isinstance(node, dict):
            node = node.get(p)
        elif isinstance(node, list) and p.isdigit() and int(p) < len(node):
            node = node[int(p)]
        else:
            return None
    return node


def _cover(w: _Writer, note: str) -> None:
    ws = w.book.create_sheet("Cover", 0)
    ws.column_dimensions["A"].width = 4
    ws.column_dimensions["B"].width = 110
    _text(ws, 1, 2, "ccgmodels assumptions workbook").font = _font(bold=True,
                                                                                   size=15)
    _text(ws, 2, 2, w.title).font = _font(bold=True, size=12)
    _text(ws, 3, 2, note)
    r = 4
    for i, (heading, lines) in enumerate(L.COVER):
        r += 1
        _text(ws, r, 2, heading).font = _font(bold=True, size=12)
        more = E.ERA_COVER.get(w.era, ()) if i == 0 else ()
        for line in [E.say(t, w.era) for t in lines[:-1]] + list(more) + [
                E.say(t, w.era) for t in lines[-1:]]:
            r += 1
            c = _text(ws, r, 2, line)
            c.alignment = w.st["wrap"]
            ws.row_dimensions[r].height = 15 * (1 + len(line) // 105)
    r += 2
    _text(ws, r, 2, "Colour key").font = _font(bold=True, size=12)
    for kind, text in (("input", "an input: type here"),
                       ("derived", "worked out or descriptive: do not type here")):
        r += 1
        ws.cell(row=r, column=1).fill = w.st[kind][0]
        _text(ws, r, 2, text)
    r += 2
    _text(ws, r, 2, "Sheets").font = _font(bold=True, size=12)
    for name in w.sheets:
        r += 1
        text = E.sheet_note(name, w.era)
        _text(ws, r, 2, f"{E.sheet_name(name, w.era)}: {text}").alignment = w.st["wrap"]
        ws.row_dimensions[r].height = 15 * (1 + len(text) // 100)
    ws.page_setup.orientation = "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0


def write_book(data: dict, path: str | Path, *, examples: bool | tuple | dict = (),
               note: str = "") -> Path:
    """Write the assumptions workbook of plain scenario ``data`` (a scenario's
    ``model_dump()``, or the skeleton of :func:`new_book`) to ``path``.

    With ``examples`` (True, the names of record sheets, or ``{sheet: where the example comes
    from}``), every record row of those sheets is marked as the workbook's example (its note says
    EXAMPLE), which import refuses until the row is overwritten and the note cleared.
    """
    title = data.get("title") or "a new scenario"
    w = _Writer(data, examples, title)
    for sheet in E.sheets(w.era)[1:]:
        if sheet in w.tables:
            w.records(w.tables[sheet])
        else:
            w.params(sheet)
    w.sheets = list(E.sheets(w.era)[1:])
    _cover(w, note)
    w.drop_downs()
    if "Lists" in w.book.sheetnames:
        w.book.move_sheet("Lists", len(w.book.sheetnames))
    w.book.calculation.fullCalcOnLoad = True
    w.book.properties.title = f"ccgmodels assumptions: {title}"
    # what ``workbook -o`` knows its own file by: a workbook saved since (by Excel, under its
    # user's name) is the user's, never replaced without --force
    props = w.book.properties
    props.creator = props.keywords = props.lastModifiedBy = "ccgmodels"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    w.book.save(path)
    return path


def export_problems(scenario, source: str = "") -> list:
    """The scenario's organisations of a kind the workbook does not lay out, as
    :class:`~ccgmodels.inputs.problems.Problem` rows: say so, not a KeyError (none of today's
    kinds: a guard for a kind added to the models before the layout)."""
    from ..problems import Problem

    return [Problem(source or scenario.name, f"organisations.{o.id}.kind", o.kind,
                    "the assumptions workbook does not lay out this kind of organisation yet: "
                    "edit the scenario's YAML file")
            for o in scenario.organisations if o.kind not in L.PARAMS]


def export_book(scenario, path: str | Path, source: str = "") -> Path:
    """Write the assumptions workbook of a validated scenario (``extends:`` resolved);
    importing it gives the same scenario.

    Raises
    ------
    ScenarioError
        If it holds an organisation the workbook does not lay out (:func:`export_problems`).
    """
    from ..problems import ScenarioError

    unlaid = export_problems(scenario, source)
    if unlaid:
        raise ScenarioError(unlaid)
    note = (f"Exported from {source} by ccgmodels workbook export. " if source else "") + \
        "Import: ccgmodels workbook import THIS.xlsx -o scenario.yaml"
    return write_book(scenario.model_dump(), path, note=note)
