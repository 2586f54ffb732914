"""NHS financial years.

A financial year runs April to March and is written ``"2019/20"`` in every file and every
output. Input may also be given as ``"2019-20"``, ``"19/20"`` or ``"2019/2020"``; anything else
is rejected with a message that names the accepted forms.
"""

from __future__ import annotations

import re

ACCEPTED_FORMS = "'2019/20', '2019-20', '19/20' or '2019/2020'"

_PATTERN = re.compile(r"^\s*(\d{2}|\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*$")


def parse_year(text: object) -> str:
    """Normalise a financial year to ``"YYYY/YY"``.

    Parameters
    ----------
    text : str
        A financial year such as ``"2019/20"``, ``"2019-20"``, ``"19/20"`` or ``"2019/2020"``.

    Returns
    -------
    str
        The year as ``"2019/20"``.

    Raises
    ------
    ValueError
        If ``text`` is not one of the accepted forms, or its second year does not follow the
        first.
    """
    if not isinstance(text, str):
        raise ValueError(f"a financial year must be text such as '2019/20', not {text!r}")
    match = _PATTERN.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a financial year: write {ACCEPTED_FORMS}")
    first, second = match.groups()
    if len(first) == 2 and len(second) == 4:
        raise ValueError(f"{text!r} is not a financial year: write {ACCEPTED_FORMS}")
    start = int(first) if len(first) == 4 else 2000 + int(first)
    end_full = int(second) if len(second) == 4 else None
    if end_full is not None:
        ok = end_full == start + 1
    else:
        ok = int(second) == (start + 1) % 100
    if not ok:
        raise ValueError(
            f"{text!r} is not a financial year: the second year must follow the first "
            f"(e.g. {start}/{(start + 1) % 100:02d})"
        )
    return format_year(start)


def format_year(start: int) -> str:
    """Write the financial year starting in April of ``start`` as ``"YYYY/YY"``."""
    return f"{start}/{(start + 1) % 100:02d}"


def start_of(year: str) -> int:
    """Calendar year in which ``year`` starts: ``start_of("2019/20") == 2019``."""
    return int(parse_year(year)[:4])


def span(first: str, last: str) -> list[str]:
    """Every financial year from ``first`` to ``last`` inclusive.

    Raises
    ------
    ValueError
        If ``last`` is before ``first``.
    """
    a, b = start_of(first), start_of(last)
    if b < a:
        raise ValueError(f"end year {format_year(b)} is before start year {format_year(a)}")
    return [format_year(y) for y in range(a, b + 1)]
