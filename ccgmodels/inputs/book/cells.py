"""A cell of the assumptions workbook read the way a person meant it, and written the way a
person reads it: :func:`read_cell`, :func:`read_list`, :func:`write_cell` (re-exported by
:mod:`ccgmodels.inputs.book.layout`), and the formulas a program saved without their values."""

from __future__ import annotations

import re
from typing import Any

BOOL_TEXT = {True: "Yes", False: "No"}

#: a cell with nothing in it (None, or only spaces)
BLANK = object()
_NUMBER = re.compile(r"\A[-+]?(\d{1,3}(,\d{3})+|\d*)(\.\d*)?([eE][-+]?\d+)?\Z")


def _number(text: str) -> float | str:
    """A number typed as text: thousands separators, a £ sign, brackets for a negative and a
    trailing % (3.4% is 0.034) are read as a person means them; anything else stays text, for
    validation to refuse with its own message."""
    t = text.replace("\u00a0", " ").strip().replace(" ", "")
    negative = t.startswith("(") and t.endswith(")")
    if negative:
        t = t[1:-1]
    per_cent = t.endswith("%")
    t = t.removesuffix("%").lstrip("£").removeprefix("-£")
    if text.strip().startswith("-£"):
        negative = True
    if not t or not _NUMBER.match(t) or t in (".", "-", "+"):
        return text.strip()
    value = float(t.replace(",", ""))
    value = -value if negative else value
    return value / 100 if per_cent else value


def read_cell(value: Any, scalar: str) -> Any:
    """The assumption a cell holds: :data:`BLANK`, or its value typed for ``scalar``
    (money, rate, number, int, bool, text, year, choice); what cannot be read is returned as
    the text typed, so that validation names it with its usual message."""
    if value is None:
        return BLANK
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return BLANK
    if scalar in ("money", "rate", "number", "int"):
        if isinstance(value, str):
            value = _number(value)
        if scalar == "int" and isinstance(value, float) and value.is_integer():
            return int(value)
        return value
    if scalar == "bool":
        if isinstance(value, str):
            low = value.lower()
            if low in ("yes", "y", "true"):
                return True
            if low in ("no", "n", "false"):
                return False
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, str) else str(value) if scalar == "text" else value


def read_list(value: Any) -> Any:
    """A list typed in one cell, comma separated: ``acute, ambulance``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return BLANK
    return [part.strip() for part in str(value).split(",") if part.strip()]


def write_cell(value: Any, scalar: str) -> Any:
    """What a cell shows for an assumption: booleans as Yes/No, lists comma separated."""
    if isinstance(value, bool):
        return BOOL_TEXT[value]
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


# --- a formula saved without its value (a program that does not calculate) -----------

UNSAVED = ("a formula with no saved value (the workbook was last written by a program that "
           "does not calculate): open and save it in Excel or LibreOffice, or type the number")


class Unsaved(str):
    """The text of a formula whose value the workbook does not hold."""


def formula_text(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


def is_formula(value: Any) -> bool:
    return isinstance(value, Unsaved)
