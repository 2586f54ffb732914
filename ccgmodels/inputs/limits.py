"""The stated limits of what a scenario may be, and the checks of plain scenario data against
them that need no types.

A scenario is a document of a planning footprint over a few years: from one commissioner to a
national one of about 200 commissioners with their trusts and councils
(:func:`ccgmodels.inputs.synthetic.national`: 1.8 MB and 152,000 values as a file, 3.4 MB and
268,000 values once its defaults are filled in). Anything far outside that is refused before it
can cost time or memory, each refusal naming the field and (shortened) value:

============================  =========================================================
:data:`MAX_FILE_BYTES`        size of one scenario file, and of a scenario's text once
                              aliases are expanded [bytes]
:data:`MAX_NODES`             values in one document once aliases are expanded [count]
:data:`MAX_DEPTH`             nesting of mappings and lists [levels]
:data:`MAX_STRING`            length of one text value or key [characters]
:data:`MAX_MAGNITUDE`         size of any number; money is in £k, so 1e12 is £1,000 bn
:data:`MAX_EXTENDS`           length of an ``extends:`` chain [files]
:data:`MAX_YEARS`             length of the horizon, base to end year [years]
:data:`FIRST_YEAR`,           the calendar years a financial year may start in
:data:`LAST_YEAR`
:data:`MAX_PROBLEMS_SHOWN`    problems printed (the rest are counted) [count]
:data:`MAX_SHOWN`             characters of a value quoted in a message [characters]
============================  =========================================================

An assumptions workbook (``.xlsx``, a zip of XML parts) has limits of its own, checked by
:mod:`ccgmodels.inputs.book.checks` from the zip's directory and one streamed pass over each
sheet's XML, before any cell is read, so that a refusal costs well under 2 s of CPU and bounded
memory. They admit a national workbook (``synthetic.national(200)`` exported: 2.5 MB, 26 MB
unpacked, about 420,000 cells, its longest sheet 10,014 rows) with room to spare:

============================  =========================================================
:data:`MAX_BOOK_BYTES`        size of the workbook file [bytes]
:data:`MAX_BOOK_UNPACKED`     what its zip entries declare they unpack to, in all [bytes]
:data:`MAX_BOOK_PARTS`        entries in its zip [count]
:data:`MAX_BOOK_CELLS`        cells in all its sheets, and shared strings [count]
:data:`MAX_BOOK_ROWS`         rows of one sheet, or the highest row number used [rows]
:data:`MAX_BOOK_COLUMNS`      columns of one sheet (the highest column used) [columns]
============================  =========================================================

:func:`data_problems` walks plain data (after ``extends:`` and overrides, before the typed
models): its number of values, depth, text length, control characters and characters that cannot
be written as UTF-8 (lone surrogates), numbers too large to compute with, one financial year
written twice in two spellings, and a list of names holding one name twice. Given the writer of
scenario files, it checks a validated scenario's resolved form (every default filled in) the
same way, and that it fits :data:`MAX_FILE_BYTES` and :data:`MAX_NODES` as the file a report
re-reads: a scenario that validates can always be reported. :func:`coerced_booleans` compares
the data with the validated scenario and finds ``true``/``false`` that pydantic took as a
number.
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Callable, Iterator
from typing import Any

# sized for a national scenario's resolved form (3.4 MB, 268,000 values) with room to spare; a
# file at these limits takes a few seconds to read and validate (about 2 s a MB)
MAX_FILE_BYTES = 16 << 20
MAX_NODES = 500_000
MAX_DEPTH = 32
MAX_STRING = 10_000
MAX_MAGNITUDE = 1e12
MAX_EXTENDS = 8
MAX_YEARS = 50
FIRST_YEAR, LAST_YEAR = 1990, 2100
MAX_PROBLEMS_SHOWN = 50
MAX_SHOWN = 80
#: the longest id [characters]: it names a folder, with room for a prefix and suffix
MAX_ID = 64
MAX_BOOK_BYTES = 20 << 20
MAX_BOOK_UNPACKED = 64 << 20
MAX_BOOK_PARTS = 1_000
MAX_BOOK_CELLS = 1_000_000
MAX_BOOK_ROWS = 50_000
MAX_BOOK_COLUMNS = 200

Row = tuple[str, Any, str]


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


#: the value of a problem that is about no one value (a whole file, a count)
ABSENT = _Absent()

_repr = reprlib.Repr()
_repr.maxlevel, _repr.maxdict, _repr.maxlist, _repr.maxtuple = 3, 6, 6, 6
_repr.maxstring, _repr.maxother, _repr.maxlong = MAX_SHOWN, MAX_SHOWN, 40
_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators: an escape
# sequence in a title reaches a terminal, and a workbook cannot hold one. Text may keep line
# breaks and tabs; a key (a field name, id or year) may not.
_CONTROL_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_IN_KEY = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def shown(value: Any) -> str:
    """``value`` as a short text for a message: at most :data:`MAX_SHOWN` characters, built in
    time bounded by the limits whatever the value (:mod:`reprlib`, not :func:`repr`)."""
    text = printable(_repr.repr(value))
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 3] + "..."


def printable(text: str) -> str:
    """``text`` with every character UTF-8 cannot encode (a lone surrogate, or a byte of a file
    name that was not UTF-8) written as a backslash escape, so it can always be printed."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


#: what a terminal acts on rather than shows: C0 and C1 controls (escape sequences, carriage
#: return, newline), DEL, the Unicode line separators and the bidirectional overrides
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match) -> str:
    c = match.group()
    return _NAMED.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def terminal(text: object) -> str:
    """``text`` as one line safe to print: :func:`printable`, with every control character
    (an escape sequence, a newline that would forge a line, a bidirectional override)
    written as a backslash escape, so what a scenario says is shown, never acted on."""
    return _CONTROL.sub(_escaped, printable(str(text)))


def _key_text(key: Any) -> str:
    return key if isinstance(key, str) else str(key)


class _Over(Exception):
    """A walk stopped at a limit of the whole document: the row that says which."""


class _Size:
    """What a walk has counted: values, the bytes of their text (a lower bound of their size
    as a file) and an upper bound of their bytes as a YAML file. A text met again (an alias
    repeats one string object) is measured and checked once, however often it is counted."""

    __slots__ = ("values", "bytes", "text_bytes", "_seen", "fine")

    def __init__(self) -> None:
        self.values = 0
        self.bytes = 0
        self.text_bytes = 0
        self._seen: dict[int, tuple[int, int]] = {}
        #: ids of the texts already checked and found within the limits
        self.fine: set[int] = set()

    def value(self) -> None:
        self.values += 1
        if self.values > MAX_NODES:  # stop: the rest would only cost time
            raise _Over(f"holds more than {MAX_NODES:,} values")

    def text(self, text: str, depth: int) -> None:
        got = self._seen.get(id(text))
        if got is None:
            got = self._seen[id(text)] = (len(text.encode("utf-8", "surrogatepass")),
                                          text.count("\n") + text.count(" "))
        size, breaks = got
        # written by PyYAML (block style, allow_unicode): at most 3 bytes for each of the
        # text's (quotes doubled, escapes such as \ufeff), and a line and indent at each line
        # break and at each space it may fold a long line at
        self.bytes += 3 * size + breaks * (2 * depth + 4)
        self.text_bytes += size
        if self.text_bytes > MAX_FILE_BYTES:
            raise _Over(f"holds more than {MAX_FILE_BYTES:,} bytes of text (an alias repeating "
                        "a long text?)")


def _walk(node: Any, path: str, depth: int, size: _Size) -> Iterator[Row]:
    size.value()
    size.bytes += 2 * depth + 34  # indent, "- " or ": ", a line break, a number or quotes
    if depth > MAX_DEPTH:
        yield (path, None, f"nested more than {MAX_DEPTH} levels deep")
        return
    if isinstance(node, dict):
        yield from _years_once(node, path)
        for key, value in node.items():
            if not isinstance(key, str | int) or isinstance(key, bool):
                yield (path, key, "a key must be text such as a field name, not "
                       f"{type(key).__name__}")
                continue
            text = _key_text(key)
            where = f"{path}.{text}" if path else text
            size.value()
            size.bytes += 2 * depth + 8
            size.text(text, depth)
            if id(text) not in size.fine:
                yield from _text(text, where, "key", size)
            yield from _walk(value, where, depth + 1, size)
    elif isinstance(node, list):
        seen: set[str] = set()
        for i, value in enumerate(node):
            label = value.get("id") if isinstance(value, dict) else None
            where = f"{path}.{label if isinstance(label, str) else i}"
            if isinstance(value, str):
                if value in seen:
                    yield (where, value, "listed twice: each name counts once")
                seen.add(value)
            yield from _walk(value, where, depth + 1, size)
    elif isinstance(node, str):
        size.text(node, depth)
        if id(node) not in size.fine:
            yield from _text(node, path, "text", size)
    elif isinstance(node, float) and math.isfinite(node) and abs(node) > MAX_MAGNITUDE:
        yield (path, node, f"too large to compute with: numbers here are at most "
               f"{MAX_MAGNITUDE:g} in size (money is in £k)")
    elif isinstance(node, int) and not isinstance(node, bool) and abs(node) > MAX_MAGNITUDE:
        yield (path, node, f"too large to compute with: numbers here are at most "
               f"{MAX_MAGNITUDE:g} in size (money is in £k)")


def _text(text: str, path: str, what: str, size: _Size) -> Iterator[Row]:
    if len(text) <= MAX_STRING and text.isprintable():  # most text: no surrogate, no control
        size.fine.add(id(text))
        return
    if len(text) > MAX_STRING:
        yield (path, text, f"{what} of {len(text):,} characters: at most {MAX_STRING:,}")
    elif _SURROGATE.search(text):
        yield (path, text, f"{what} holds a character that is not valid Unicode (a lone "
               "surrogate such as \\ud800) and cannot be written to a file")
    elif found := (_CONTROL_IN_KEY if what == "key" else _CONTROL_IN_TEXT).search(text):
        allowed = "" if what == "key" else " (line breaks and tabs are kept)"
        yield (path, text, f"{what} holds the control character {found.group()!r} at "
               f"character {found.start() + 1}: remove it{allowed}")


def _years_once(node: dict, path: str) -> Iterator[Row]:
    from .years import parse_year

    spelt: dict[str, str] = {}
    for key in node:
        # a year starts with a digit: most keys are field names and ids, skipped cheaply
        if not isinstance(key, str) or not key.lstrip()[:1].isdigit():
            continue
        try:
            year = parse_year(key)
        except ValueError:
            continue
        if year in spelt:
            where = f"{path}.{key}" if path else key
            yield (where, key, f"the year {year} is given twice (as {spelt[year]!r} and "
                   f"{key!r}): give it once")
        else:
            spelt[year] = key


def data_problems(data: Any, written: Callable[[Any], str] | None = None) -> list[Row]:
    """Every limit plain scenario ``data`` breaks, as ``(path, value, message)`` rows.

    Parameters
    ----------
    data : object
        Plain scenario data: after ``extends:`` and overrides, or a validated scenario's
        resolved form (``Scenario.model_dump``).
    written : callable, optional
        The writer of scenario files (:func:`ccgmodels.inputs.yamlread.dump`). Given, ``data``
        is a resolved scenario, which must also fit :data:`MAX_NODES` and
        :data:`MAX_FILE_BYTES` as the file a report re-reads; it is written only when the
        bound counted on the walk does not already show that it fits.
    """
    size = _Size()
    what = ("the scenario with its defaults filled in (the copy a report re-reads)" if written
            else "the scenario with the scenarios it extends and its overrides")
    rows: list[Row] = []
    try:
        for row in _walk(data, "", 0, size):
            rows.append(row)
    except _Over as exc:  # the reason the walk stopped first, then what it had found
        return [("", ABSENT, f"{what} {exc}"), *rows]
    if written is not None and not rows and size.bytes > MAX_FILE_BYTES:
        exact = len(written(data).encode("utf-8"))
        if exact > MAX_FILE_BYTES:
            rows.append(("", ABSENT, f"{what} is {exact:,} bytes as a file: at most "
                         f"{MAX_FILE_BYTES:,}"))
    if not rows and isinstance(data, dict):
        rows = year_problems(data.get("base_year"), data.get("end_year"))
    return rows


def year_problems(base_year: Any, end_year: Any) -> list[Row]:
    """The horizon ``base_year`` to ``end_year`` outside :data:`FIRST_YEAR`..:data:`LAST_YEAR`
    or longer than :data:`MAX_YEARS`."""
    from .years import start_of

    out: list[Row] = []
    starts = {}
    for field, year in (("base_year", base_year), ("end_year", end_year)):
        try:
            starts[field] = start_of(year)
        except ValueError:  # not a year: the typed models say so
            continue
        if not FIRST_YEAR <= starts[field] <= LAST_YEAR:
            out.append((field, year, f"a financial year starting between {FIRST_YEAR} and "
                        f"{LAST_YEAR} is expected"))
    if out or len(starts) < 2:
        return out
    span = starts["end_year"] - starts["base_year"] + 1
    if span > MAX_YEARS:
        out.append(("end_year", end_year, f"a horizon of {span} years: at most {MAX_YEARS}"))
    return out


def coerced_booleans(data: Any, model: Any, path: str = "") -> list[Row]:
    """Where ``data`` (plain) has ``true``/``false`` and the validated ``model`` holds a number
    there: a boolean is never a number."""
    from .years import parse_year

    out: list[Row] = []
    if isinstance(data, bool):
        if not isinstance(model, bool) and isinstance(model, int | float):
            out.append((path, data, "true/false is not a number: write the number"))
        return out
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(model, dict):
                sub = model.get(key, _MISSING)
                if sub is _MISSING and isinstance(key, str):
                    try:
                        sub = model.get(parse_year(key), _MISSING)
                    except ValueError:
                        pass
            else:
                sub = getattr(model, str(key), _MISSING)
            if sub is not _MISSING:
                out.extend(coerced_booleans(value, sub, where))
    elif isinstance(data, list) and isinstance(model, list | tuple):
        for i, (value, sub) in enumerate(zip(data, model, strict=False)):
            label = value.get("id") if isinstance(value, dict) else None
            out.extend(coerced_booleans(value, sub, f"{path}.{label or i}"))
    return out


_MISSING = object()
