"""How NHS England's allocation tables are read, word by word: which stream a sheet name or
header is about, which financial year it names, what a column holds, the unit of its money, a
cell's number, and an ICB's name or code compared loosely. Used by
:mod:`ccgmodels.inputs.allocations` (whose docstring says where the published shape comes from).
"""

from __future__ import annotations

import math
import re
from typing import Any

from . import years as fy

#: the money unit when neither a header nor the title block above it states one: the published
#: tables are in thousands of pounds [£k]
DEFAULT_UNIT = "£000s"

# which stream a sheet name or column header is about (first match wins, in this order:
# "primary medical care" before the other primary care; "other primary care" before "core")
_STREAM_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("running_costs", re.compile(r"running\s*cost|\bRCA\b", re.I)),
    ("specialised", re.compile(r"speciali[sz]ed", re.I)),
    ("primary_medical_care", re.compile(r"\bPMC\b|primary\s+medical|primary\s+care\s+medical",
                                        re.I)),
    ("delegated_primary_care", re.compile(r"other\s+primary\s+care|pharmac|optom|dental|\bPOD\b",
                                          re.I)),
    ("core_services", re.compile(r"\bcore\b", re.I)),
)
_YEAR = re.compile(r"(?<!\d)(20\d\d)\s*[/-]\s*(\d\d(?:\d\d)?)(?!\d)")
_CODE_HEADER = re.compile(r"\bcode\b", re.I)
_NAME_HEADER = re.compile(r"\bname\b|^\s*(ICB|integrated care board)\s*$", re.I)
_MILLIONS = re.compile(r"£\s*m\b|£\s*million|\(£m\)", re.I)
_THOUSANDS = re.compile(r"£\s*'?000|£\s*k\b|£\s*thousands?", re.I)
_PER_HEAD = re.compile(r"per\s+head|per\s+capita|£\s*/\s*head|per\s+person", re.I)


def stream_of(text: str) -> str | None:
    """The allocation stream a sheet name or header is about, or None."""
    for stream, pattern in _STREAM_WORDS:
        if pattern.search(text or ""):
            return stream
    return None


def year_of(text: str) -> str | None:
    """The financial year written in ``text`` (``2024/25``, ``2024-25``), or None."""
    for m in _YEAR.finditer(text or ""):
        try:
            return fy.parse_year(f"{m.group(1)}/{m.group(2)}")
        except ValueError:
            continue
    return None


def column_role(header: str) -> str | None:
    """What a column holds, from its header: ``code``, ``name``, ``population``, ``target``,
    ``distance_pct``, ``distance_money``, ``allocation`` or None (a column this reader does
    not use: region, growth, change, per head, non-recurrent, adjustments, baselines...).
    A weighted population is a ``population`` that a registered one on the same table wins
    over."""
    h = " ".join(str(header or "").split())
    if not h:
        return None
    low = h.lower()
    if "distance" in low:
        return "distance_pct" if "%" in h or "per cent" in low or "percent" in low \
            else "distance_money"
    if _PER_HEAD.search(h) or "growth" in low or "%" in h or "change" in low:
        return None
    if _CODE_HEADER.search(h) and "region" not in low and "postcode" not in low:
        return "code"
    if _NAME_HEADER.search(h) and "region" not in low:
        return "name"
    if "population" in low:
        return "population"
    if "target" in low:
        return "target"
    if "non-recurrent" in low or "non recurrent" in low or "adjustment" in low:
        return None
    if "allocation" in low or "allowance" in low:
        return "allocation"
    if stream_of(h) is not None and year_of(h) is not None:
        return "allocation"  # a stream and a year, e.g. "2026/27 RCA (£000s)"
    return None


def rank(header: str) -> int:
    """Preference between two allocation columns of one stream and year (higher wins): a
    combined or total allocation over a recurrent one over any other."""
    low = header.lower()
    if "combined" in low or "total" in low:
        return 3
    if "recurrent" in low:
        return 2
    return 1


def unit_factor(header: str, title: str) -> float | None:
    """[£k] per unit of a money column: 1 for £000s, 1000 for £m, None for £ per head."""
    if _PER_HEAD.search(header):
        return None
    for text in (header, title):
        if _MILLIONS.search(text):
            return 1000.0
        if _THOUSANDS.search(text):
            return 1.0
    return 1.0  # DEFAULT_UNIT


def number(raw: Any) -> tuple[float | None, bool]:
    """``(value, is_percent_text)`` of a cell: None for blank; raises ValueError for text
    that is not a number. ``is_percent_text``: written with a ``%`` sign."""
    if raw is None:
        return None, False
    if isinstance(raw, bool):
        raise ValueError("not a number")
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not math.isfinite(raw):
            raise ValueError("not a finite number")
        return float(raw), False
    text = str(raw).strip().replace(",", "").replace("£", "").replace("\u00a3", "").strip()
    if text in ("", "."):
        return None, False
    if text in ("-", "\u2013", "\u2014"):
        return 0.0, False
    pct = text.endswith("%")
    text = text.rstrip("%").strip()
    neg = text.startswith("(") and text.endswith(")")
    if neg:
        text = text[1:-1].strip()
    try:
        value = float(text)
    except ValueError:
        raise ValueError("not a number") from None
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return (-value if neg else value), pct


def icb_key(text: Any) -> str:
    """An ICB name or code compared loosely: case, spaces, "NHS" and "ICB" ignored."""
    t = " ".join(str(text or "").casefold().split())
    t = re.sub(r"^nhs\s+", "", t)
    t = re.sub(r"\s+(icb|integrated care board)$", "", t)
    return t.replace("&", "and")
