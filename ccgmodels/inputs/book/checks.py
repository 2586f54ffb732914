"""What an assumptions workbook must be before its values are read: small enough to read
(:func:`size_problems`) and laid out as the writer laid it out (:func:`structure_problems`).

Size first, from the zip alone: a ``.xlsx`` is a zip of XML parts, and reading one with openpyxl
costs about 30 µs and a few hundred bytes a cell, so a workbook padded to a million rows or a few
hundred MiB would cost minutes and gigabytes before any limit on its rows could be applied. So
the file's size, each zip entry's declared unpacked size (which :mod:`zipfile` holds it to) and,
in one streamed pass over each sheet's XML (1 MiB at a time), its rows, highest row and column
and cells are checked against :mod:`ccgmodels.inputs.limits` first, stopping at the first limit
passed. Each refusal names the file (by its caller), the sheet and the limit.

Structure second, on the opened workbook: every sheet the layout needs is there by name and has
its header row with every column the layout writes; a register (a record sheet) with no rows is
an explicit choice, a row that says :data:`NONE`, never an empty or missing sheet. A sheet
renamed or deleted, a column deleted, a register emptied would otherwise lose its assumptions
without a word: every scheme of a commissioner, its QIPP target, the uncertainty ranges.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path
from typing import Any

from .. import limits

Row = tuple[str, Any, str]  # (sheet and cell, value, message), as the reader's


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


#: the value of a problem that has none to show (a missing sheet, an empty cell)
ABSENT = _Absent()

#: the unpacked XML read at a time [bytes]
CHUNK = 1 << 20
#: the most of a small part (the workbook's list of sheets, its relationships) read [bytes]
SMALL_PART = 4 << 20
_NS = rb"(?:[A-Za-z_][\w.-]*:)?"  # an XML namespace prefix, which a hostile file may use
_ROW = re.compile(rb"<" + _NS + rb"row\b")
_ROW_NUMBER = re.compile(rb"<" + _NS + rb"row\b[^>]*?\br\s*=\s*[\"'](\d+)")
_CELL = re.compile(rb"<" + _NS + rb"c\b")
_CELL_REF = re.compile(rb"<" + _NS + rb"c\b[^>]*?\br\s*=\s*[\"']([A-Za-z]{1,4})(\d+)")
_STRING = re.compile(rb"<" + _NS + rb"si\b")
_SHEET = re.compile(r"<(?:[\w.-]+:)?sheet\b([^>]*)>")
_REL = re.compile(r"<(?:[\w.-]+:)?Relationship\b([^>]*)>")
_ATTR = re.compile(r"([\w:.-]+)\s*=\s*[\"']([^\"']*)[\"']")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _attrs(text: str) -> dict[str, str]:
    return {k.split(":")[-1]: html.unescape(v) for k, v in _ATTR.findall(text)}


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """``{zip entry: sheet name}`` of the workbook's sheets (an entry not listed in the
    workbook keeps its own name)."""
    def small(name: str) -> str:
        try:
            with z.open(name) as fh:
                return fh.read(SMALL_PART).decode("utf-8", "replace")
        except KeyError:
            return ""

    targets = {}
    for rel in _REL.findall(small("xl/_rels/workbook.xml.rels")):
        a = _attrs(rel)
        target = a.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[a.get("Id", "")] = target
    out = {}
    for sheet in _SHEET.findall(small("xl/workbook.xml")):
        a = _attrs(sheet)
        if a.get("id") in targets and "name" in a:
            out[targets[a["id"]]] = a["name"]
    return out


class _Count:
    """Rows, cells and the highest row and column of the sheets scanned so far."""

    def __init__(self):
        self.cells = 0

    def scan(self, fh, sheet: str) -> Row | None:
        """One streamed pass over a sheet's XML; the first limit it passes, else None."""
        rows = top = wide = 0
        for buf, cut in _windows(fh):
            rows += len(_ROW.findall(buf, 0, cut))
            numbers = _ROW_NUMBER.findall(buf, 0, cut)
            refs = _CELL_REF.findall(buf, 0, cut)
            self.cells += len(_CELL.findall(buf, 0, cut))
            if numbers:
                top = max(top, max(map(int, numbers)))
            if refs:
                top = max(top, max(int(r) for _, r in refs))
                wide = max(wide, max(_column_number(c) for c, _ in refs))
            if max(rows, top) > limits.MAX_BOOK_ROWS:
                return (sheet, max(rows, top), f"has {max(rows, top):,} rows or more: a sheet "
                        f"of assumptions has at most {limits.MAX_BOOK_ROWS:,} "
                        "(limits.MAX_BOOK_ROWS); refused before reading it")
            if wide > limits.MAX_BOOK_COLUMNS:
                return (sheet, wide, f"uses column {wide:,}: a sheet of assumptions has at "
                        f"most {limits.MAX_BOOK_COLUMNS:,} columns (limits.MAX_BOOK_COLUMNS); "
                        "refused before reading it")
            if self.cells > limits.MAX_BOOK_CELLS:
                return (sheet, self.cells, f"brings the workbook to {self.cells:,} cells or "
                        f"more: an assumptions workbook has at most {limits.MAX_BOOK_CELLS:,} "
                        "(limits.MAX_BOOK_CELLS); refused before reading it")
        return None


def size_problems(path: Path, size: int) -> list[Row]:
    """The first limit of :mod:`ccgmodels.inputs.limits` the workbook at ``path`` (``size``
    bytes) passes, as one ``(sheet or "", value, message)`` row; [] when it is within them all.

    Raises
    ------
    zipfile.BadZipFile, OSError
        When the file is not a zip that can be read (the caller says so).
    """
    if size > limits.MAX_BOOK_BYTES:
        return [("", ABSENT, f"is {size:,} bytes: an assumptions workbook is at most "
                 f"{limits.MAX_BOOK_BYTES:,} (limits.MAX_BOOK_BYTES)")]
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        if len(infos) > limits.MAX_BOOK_PARTS:
            return [("", ABSENT, f"is a zip of {len(infos):,} parts: an assumptions workbook "
                     f"has at most {limits.MAX_BOOK_PARTS:,} (limits.MAX_BOOK_PARTS)")]
        unpacked = sum(i.file_size for i in infos)
        if unpacked > limits.MAX_BOOK_UNPACKED:
            return [("", ABSENT, f"unpacks to {unpacked:,} bytes: an assumptions workbook is "
                     f"at most {limits.MAX_BOOK_UNPACKED:,} (limits.MAX_BOOK_UNPACKED; an "
                     ".xlsx is a zip file)")]
        names = _sheet_parts(z)
        count = _Count()
        for info in infos:
            part = info.filename
            if part == "xl/sharedStrings.xml":
                with z.open(info) as fh:
                    strings = _count(fh, _STRING)
                if strings > limits.MAX_BOOK_CELLS:
                    return [("", ABSENT, f"holds {strings:,} texts or more: an assumptions "
                             f"workbook has at most {limits.MAX_BOOK_CELLS:,} "
                             "(limits.MAX_BOOK_CELLS); refused before reading it")]
            if not (part.startswith("xl/worksheets/") and part.endswith(".xml")):
                continue
            with z.open(info) as fh:
                found = count.scan(fh, names.get(part, part))
            if found:
                sheet, value, message = found
                return [(sheet, ABSENT, message)]
    return []


def _windows(fh):
    """A streamed part as ``(bytes, end)`` windows read :data:`CHUNK` at a time, each to be
    scanned up to ``end``: a tag never holds "<", so none straddles the last "<" near a
    window's end, and the rest (at most a few KiB) is carried into the next window."""
    carry = b""
    while True:
        chunk = fh.read(CHUNK)
        buf = carry + chunk
        cut = buf.rfind(b"<", max(0, len(buf) - 4096)) if chunk else len(buf)
        if cut <= 0:
            cut = len(buf)
        yield buf, cut
        if not chunk:
            return
        carry = buf[cut:]


def _count(fh, pattern: re.Pattern) -> int:
    """Matches of ``pattern`` (a tag start) in a streamed part, up to just past the limit."""
    n = 0
    for buf, cut in _windows(fh):
        n += len(pattern.findall(buf, 0, cut))
        if n > limits.MAX_BOOK_CELLS:
            break
    return n


def _years(top: dict) -> list[str]:
    """The scenario's years as the Scenario sheet gives them, or [] if they cannot be read."""
    from ..years import span

    try:
        return list(span(top.get("base_year"), top.get("end_year")))
    except (ValueError, TypeError, KeyError):
        return []


def needed_columns(sheet: str, years: list[str], era: str = "ccg") -> list[str]:
    """The headers a sheet must have to be read without losing a value: a parameter sheet's
    organisation, field, value and year columns; every column a record sheet is written with
    (not the worked-out ones, the notes nor the age bands, which come from the data)."""
    from . import eras as E
    from . import layout as L

    if sheet in E.tables(era):
        return [h for h, _, _ in L.record_columns(E.tables(era)[sheet], years, [])]
    return [L.ORG, L.FIELD, L.VALUE, *years]


def missing_sheets(names: list[str]) -> list[Row]:
    """A problem for each sheet of the layout not among the workbook's sheet ``names`` (a
    sheet renamed or deleted), each naming it, and the renamed sheet where one looks like it."""
    import difflib

    from . import layout as L

    needed = [s for s in L.SHEETS if s != "Cover"]  # and Places where there is an ICB: below
    names = [L.sheet_id(s) for s in names]  # either era's name of a sheet is that sheet
    others = [s for s in names if s not in needed]
    out: list[Row] = []
    for sheet in needed:
        if sheet in names:
            continue
        hint = difflib.get_close_matches(sheet, others, n=1, cutoff=0.6) or [
            s for s in others if sheet.lower() in s.lower() or s.lower() in sheet.lower()][:1]
        out.append((sheet, ABSENT, f"sheet {sheet!r} is missing" + (
            f" (renamed {hint[0]!r}?)" if hint else "") + ": every sheet of the layout is "
            "needed, under its own name, so that none of its assumptions is lost (the workbook "
            f"has {', '.join(names)})"))
    return out


def structure_problems(reader) -> list[Row]:
    """Every way the workbook read by ``reader`` (a :class:`ccgmodels.inputs.book.reader.
    _Reader` that has read every sheet) departs from the layout, as ``(sheet and cell, value,
    message)`` rows: a sheet missing or renamed (:func:`missing_sheets`), a header row or
    column missing, a register with no rows and no row saying it has none, or one saying so
    beside rows."""
    from . import eras as E
    from . import layout as L

    out = missing_sheets(reader.book.sheetnames) + reader.layout
    places = E.PLACES.sheet
    if reader.era == "icb" and places not in reader.book.sheetnames:  # an ICB's places
        out.append((places, ABSENT, f"sheet {places!r} is missing: a workbook with an ICB "
                    "needs it, under its own name, so that none of its places is lost (the "
                    f"workbook has {', '.join(reader.book.sheetnames)})"))
    years = _years(reader.top)
    needed = [s for s in E.sheets(reader.era) if s != "Cover"]
    for sheet in needed:
        if sheet not in reader.heads:
            continue
        top, heads = reader.heads[sheet]
        gone = [h for h in needed_columns(sheet, years, reader.era) if h not in heads]
        if gone:
            shown = ", ".join(repr(h) for h in gone[:6]) + (
                f" and {len(gone) - 6} more" if len(gone) > 6 else "")
            out.append((f"{sheet}!A{top}", ABSENT, f"the header row lacks {shown}: every "
                        "column the workbook was written with is needed, so that none of its "
                        "values is lost; put the column back (blank cells take the defaults)"))
    for sheet in E.record_sheets(reader.era):
        if sheet not in reader.heads:
            continue
        top, _ = reader.heads[sheet]
        table = reader.tables[sheet]
        ccgs = [o for o, kind in reader.kinds.items() if kind in table.owners]
        key = next(h for h, col, _ in L.record_columns(table, [], []) if col.path != "@org")
        counts, nones = reader.owners.get(sheet, {}), reader.nones.get(sheet, {})
        for owner in ccgs if table.owned else [""]:
            rows = counts.get(owner, 0)
            whose = f"for {E.owner_words(table).split(' (')[0]} {owner!r}" if owner else ""
            if rows == 0:
                say = (f"a row with Organisation {owner!r} and {key!r} {L.NONE}" if owner
                       else f"{L.NONE} under {key!r} in its first row")
                out.append((f"{sheet}!A{top + 1}", ABSENT, f"no rows {whose}".rstrip() + ": a "
                            f"register with none says so, in {say}; add its rows or that row "
                            "(a workbook from an earlier ccgmodels left an empty register "
                            "blank)"))
            elif owner in nones and rows > 1:
                out.append((nones[owner], L.NONE, f"says there are no rows {whose}".rstrip()
                            + f", beside {rows - 1} that are: delete one or the other"))
    return out
