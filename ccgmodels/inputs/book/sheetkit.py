"""Small openpyxl helpers of the assumptions workbook's writer (:mod:`ccgmodels.inputs.book.
writer`): a cell kept as text, a column's letters, a sheet's protection, and the
drop-down lists' names and cell ranges (:func:`blocks`: few rectangles, so that a national
workbook's export stays linear)."""

from __future__ import annotations

from typing import Any

from ..celltext import column_letter, keep_text


def text(ws, row: int, col: int, value: Any):  # an unstyled cell, its text kept as text
    return keep_text(ws.cell(row=row, column=col, value=value))


def protect(ws) -> None:
    """Protect the sheet without a password: the worked-out (locked) cells cannot be typed
    over, the yellow (unlocked) ones can; rows may be inserted, deleted, sorted and filtered.
    Review > Unprotect Sheet lifts it, to add rows beyond the spare ones of a table."""
    p = ws.protection
    p.sheet = True
    # False: the action stays allowed under protection
    p.insertRows = p.deleteRows = p.formatColumns = p.formatRows = False
    p.sort = p.autoFilter = p.formatCells = False


def letter(c: int) -> str:
    return column_letter(c)


def list_name(path: str, choices) -> str:
    from ..vocab import SERVICE_LINES

    if tuple(choices) == tuple(SERVICE_LINES):
        return "service_line"
    return {"kind": "kind", "status": "status", "basis": "basis", "dist": "dist",
            "@key": "pod", "demand.growth_table": "growth_table"}.get(
        path, "yes_no" if tuple(choices) == ("Yes", "No") else path.split(".")[-1])


def blocks(cells: list[tuple[int, int]]) -> str:
    """The cells ``(row, column)`` as few rectangles, an Excel ``sqref`` (``"E5:E40 F7:H9"``):
    each column's consecutive rows become one run, and runs of the same rows in adjacent
    columns one block. Covers exactly the cells given, each once; linear in them after a sort.
    """
    runs: list[list[int]] = []  # [first row, last row, first column, last column]
    for row, col in sorted(set(cells), key=lambda rc: (rc[1], rc[0])):
        last = runs[-1] if runs else None
        if last and last[2] == col and last[1] == row - 1:
            last[1] = row
        else:
            runs.append([row, row, col, col])
    blocks: dict[tuple[int, int], list[int]] = {}  # the open block of each row span
    out: list[list[int]] = []
    for first, last, col, _ in runs:
        block = blocks.get((first, last))
        if block and block[3] == col - 1:
            block[3] = col
        else:
            blocks[(first, last)] = block = [first, last, col, col]
            out.append(block)
    return " ".join(
        f"{letter(c0)}{r0}" if (r0, c0) == (r1, c1) else f"{letter(c0)}{r0}:{letter(c1)}{r1}"
        for r0, r1, c0, c1 in sorted(out, key=lambda b: (b[2], b[0])))
