"""The assumptions workbook in the words a finance team reads (issue 29): each parameter row
named in plain words with its dotted path kept beside it, units as people type them, help text
free of any one plan's names and document citations, and the activity growth table offered only
where a table has the base year's figures."""

from __future__ import annotations

import re

import openpyxl
import pytest
from books import HEADER_ROW, edit, exported, problems_of

from ccgmodels.inputs.book import layout as L
from ccgmodels.inputs.book import words as W
from ccgmodels.inputs.book.blank import new_book
from ccgmodels.inputs.loading import check, load_scenario

#: names of the bundled plans' bodies and documents that a generic help text must not carry
PLAN_WORDS = ("EEAST", "SUHFT", "BTUH", "MEHT", "EPUT", "Southend", "Essex", "CPR",
              "Castle Point", "West Yorkshire")


def _rows(path):
    """Each parameter row as ``(sheet, row, {header: value})``."""
    book = openpyxl.load_workbook(path)
    for sheet in L.PARAM_SHEETS:
        ws = book[sheet]
        heads = [c.value for c in ws[HEADER_ROW]]
        for row in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True):
            cells = dict(zip(heads, row, strict=False))
            if cells.get(L.FIELD):
                yield sheet, cells


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    out = {}
    for name in ("mid_south_essex_system_2019_20", "west_yorkshire_2026_27"):
        out[name] = exported(tmp_path_factory.mktemp(name), name)
    return out


@pytest.mark.parametrize("name", ["mid_south_essex_system_2019_20", "west_yorkshire_2026_27"])
def test_every_row_has_a_plain_label_unit_and_help(books, name):
    seen: dict = {}
    rows = list(_rows(books[name]))
    assert len(rows) > 50
    for sheet, cells in rows:
        label, path = cells[L.LABEL], cells[L.FIELD]
        assert label and "_" not in label and not re.search(r"\w\.\w", label), (path, label)
        key = (sheet, cells[L.ORG], label)
        assert key not in seen, f"{label!r} names {seen.get(key)} and {path}"
        seen[key] = path
        text = cells["Description"] or ""
        assert not re.search(r"\d{3}:L\d+", text), (path, text)
        assert not any(w in text for w in PLAN_WORDS), (path, text)
        assert "{year" not in text and "[" not in text, (path, text)
        assert "fraction" not in (cells["Unit"] or ""), (path, cells["Unit"])
        if L.YEAR in path:  # a group by year is each year's, not the base year's
            assert "in the base year" not in text, (path, text)
    labels = {cells[L.FIELD]: cells[L.LABEL] for _, cells in rows}
    assert labels["expenditure.volume_growth.acute"] == "Acute volume growth"
    units = {cells[L.FIELD]: cells["Unit"] for _, cells in rows}
    assert units["expenditure.volume_growth.acute"] == "% a year"
    assert units["expenditure.base.acute"] == "£k"


def test_descriptions_are_made_plain_and_the_schema_keeps_its_citations():
    from ccgmodels.inputs.scenario import Commissioner

    raw = Commissioner.model_fields["contingency_rate"].description
    assert "000:L2015" in raw  # the schema and the sources keep it
    assert W.plain(raw) == "Contingency reserve as a share of allocation"
    assert W.plain("Ambulance (EEAST) services [£k]") == "Ambulance services"
    assert W.plain("Share of each year's activity growth avoided; ASSUMPTION (004:L66 leaves "
                   "it as X%) [fraction]") == "Share of each year's activity growth avoided"
    assert W.plain("Programme allocation in the base year [£k]", by_year=True) == \
        "Programme allocation in each year (one column a year)"
    assert W.unit("fraction/yr") == "% a year" and W.unit("fraction") == "%"


def test_a_row_named_by_its_label_alone_reads_the_same(tmp_path):
    """A row added on a spare row by picking its label (no dotted path) is read as that
    assumption; a label that names none is refused at its cell, with the closest one."""
    book = exported(tmp_path, "cpr_2019_20")
    edit(book, ("Plan", "cpr_ccg", "contingency_rate", L.FIELD, None))
    assert check(book)[0].model_dump() == load_scenario("cpr_2019_20").model_dump()
    refs = edit(book, ("Plan", "cpr_ccg", "Contingency reserve (share of allocation)",
                       L.LABEL, "Contingency reserve share"))
    texts = [str(p) for p in problems_of(book)]
    assert any(t.startswith(f"{book}: {refs[0]}: not an assumption of a ccg on this sheet; "
                            "did you mean 'Contingency reserve (share of allocation)'?")
               for t in texts), texts


def test_the_growth_table_is_offered_only_where_it_applies(tmp_path, books):
    blank = new_book(tmp_path / "blank.xlsx")  # base year 2025/26: no published table
    assert not any(cells[L.FIELD] == "demand.growth_table" for _, cells in _rows(blank))
    wb = openpyxl.load_workbook(blank)
    assert "list_growth_table" not in wb.defined_names
    wb = openpyxl.load_workbook(books["mid_south_essex_system_2019_20"])
    ref = wb.defined_names["list_growth_table"].attr_text
    sheet, cells = ref.split("!")
    assert sorted(str(c.value) for (c,) in wb[sheet][cells.replace("$", "")]) == [
        "btuh", "meht", "suhft"]  # the 2019/20 tables (reference data, 000:L2485-2497)
    help_text = next(c["Description"] for _, c in _rows(books["mid_south_essex_system_2019_20"])
                     if c[L.FIELD] == "demand.growth_table")
    assert "Leave it blank" in help_text and "Activity sheet" in help_text


def test_a_rate_typed_as_a_percentage_or_a_fraction_reads_the_same(tmp_path):
    """The cover and the Unit column say "%": 3% typed as text, as 3% in a percentage cell
    (stored 0.03) or as 0.03 all give CPR's QIPP planning rule of 3% (000:L2021)."""
    book = exported(tmp_path, "cpr_2019_20")
    original = load_scenario("cpr_2019_20").model_dump()
    assert original["organisations"][0]["qipp"]["rate"] == 0.03
    for typed in ("3%", " 3.0 % ", 0.03):
        edit(book, ("Solutions", "cpr_ccg", "qipp.rate", L.VALUE, typed))
        assert check(book)[0].model_dump() == original, typed
