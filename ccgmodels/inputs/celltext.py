"""Text stays text in every spreadsheet ccgmodels writes: the one rule, for workbooks and CSVs.

A scenario's text (a title, a scheme's or an organisation's name, a source) is the user's, and a
spreadsheet program runs text that starts like a formula: ``=HYPERLINK(...)`` becomes a link,
``=cmd|' /C calc'!A0`` a command (CSV or formula injection). So:

* in a workbook, every cell written with text is stored as text (:func:`keep_text`): openpyxl
  would store a text starting ``=`` as a formula and ``#N/A`` as an error; the package's own
  formulas (worked-out columns, totals) are written on purpose and left alone;
* in a CSV, a text field that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  gets a leading single quote, as OWASP's CSV injection guidance says (:func:`csv_text`); a field
  that already starts with a quote gets one more, so that :func:`csv_read` gives back exactly
  the text written. Numbers, negative ones included, are numbers, not text, and are left alone.

No module here imports a spreadsheet library: the rule is plain text, used by the workbook
writers (:mod:`ccgmodels.outputs`) and by :func:`ccgmodels.models.results.write_tidy`.
"""

from __future__ import annotations

from typing import Any

#: the first characters that make a spreadsheet read a CSV field as a formula (OWASP)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: the prefix that keeps such a field text
QUOTE = "'"


def keep_text(cell: Any) -> Any:
    """``cell`` (an openpyxl cell) stored as text if it holds text: never a formula or an
    error code, whatever the text says. Returns the cell."""
    if isinstance(cell.value, str) and cell.data_type != "s":
        cell.data_type = "s"
    return cell


def csv_text(value: Any) -> Any:
    """``value`` as a CSV field: text that a spreadsheet would run (or that starts with the
    quote this adds) gets a leading ``'``; anything else, numbers included, unchanged."""
    if isinstance(value, str) and value.startswith((*FORMULA_START, QUOTE)):
        return QUOTE + value
    return value


def csv_read(value: Any) -> Any:
    """A field written by :func:`csv_text` as the text it was: one leading ``'`` removed."""
    if isinstance(value, str) and value.startswith(QUOTE):
        return value[1:]
    return value


def column_letter(n: int) -> str:
    """A spreadsheet's letters for column ``n`` (1 = ``A``, 27 = ``AA``), for naming a cell
    without openpyxl (the core reads an allocation table's CSV without it)."""
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out
