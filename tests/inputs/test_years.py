"""Financial years (ccgmodels.inputs.years): accepted forms, arithmetic, round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccgmodels.inputs.years import ACCEPTED_FORMS, format_year, parse_year, span, start_of


@pytest.mark.parametrize("text", ["2019/20", "2019-20", "19/20", "2019/2020", " 2019 / 20 "])
def test_accepted_forms_normalise(text):
    assert parse_year(text) == "2019/20"


def test_century_boundary():
    # 1999/2000 is written 1999/00; 99/00 is read as 2099/00 (two-digit years are 20xx)
    assert parse_year("1999/2000") == "1999/00"
    assert parse_year("1999-00") == "1999/00"
    assert parse_year("99/00") == "2099/00"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2019/21", "the second year must follow the first (e.g. 2019/20)"),
        ("20/19", "the second year must follow the first"),
        ("2019/2021", "the second year must follow the first"),
        ("2019", ACCEPTED_FORMS),
        ("FY19", ACCEPTED_FORMS),
        ("19/2020", ACCEPTED_FORMS),
        ("2019/20/21", ACCEPTED_FORMS),
        ("", ACCEPTED_FORMS),
    ],
)
def test_rejected_forms_say_why(text, fragment):
    with pytest.raises(ValueError) as info:
        parse_year(text)
    assert repr(text) in str(info.value)
    assert fragment in str(info.value)


@pytest.mark.parametrize("value", [2019, 2019.2, None])
def test_non_text_rejected(value):
    # YAML reads an unquoted 2019 as a number: it must not pass as a year
    with pytest.raises(ValueError, match="must be text such as '2019/20'"):
        parse_year(value)


def test_start_and_format():
    assert start_of("2019/20") == 2019
    assert start_of("19-20") == 2019
    assert format_year(2019) == "2019/20"
    assert format_year(2009) == "2009/10"


def test_span():
    assert span("2019/20", "2023/24") == ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]
    assert span("2019/20", "2019/20") == ["2019/20"]


def test_reversed_span_rejected():
    with pytest.raises(ValueError, match="end year 2018/19 is before start year 2019/20"):
        span("2019/20", "2018/19")


YEARS = st.integers(min_value=1900, max_value=2999).map(format_year)


@given(YEARS)
def test_format_of_start_round_trips(year):
    assert format_year(start_of(year)) == year
    assert parse_year(year) == year


@given(YEARS, st.integers(min_value=0, max_value=30))
def test_span_length_and_ends(year, n):
    last = format_year(start_of(year) + n)
    years = span(year, last)
    assert len(years) == n + 1
    assert years[0] == year and years[-1] == last


@given(st.integers(min_value=2000, max_value=2098))
def test_short_and_long_forms_agree(start):
    short = f"{start % 100:02d}/{(start + 1) % 100:02d}"
    long = f"{start}/{start + 1}"
    dashed = f"{start}-{(start + 1) % 100:02d}"
    assert parse_year(short) == parse_year(long) == parse_year(dashed) == format_year(start)
