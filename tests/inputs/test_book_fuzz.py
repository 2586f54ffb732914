"""The workbook importer under random edits (issue 25): whatever is done to an exported
workbook's cells, rows, columns and sheets, importing it gives a valid scenario or raises
:class:`~ccgmodels.inputs.problems.ScenarioError` whose every problem names a sheet (and cell)
of the workbook, never any other exception.

Edits: random text, numbers, blanks, booleans, formula-like text (``=1+1``, ``#N/A``), the
words the importer treats specially (``(none)``, ``EXAMPLE``), deleted rows and columns,
deleted and renamed sheets, on cpr_2019_20's export (000), and on the ICB-era export of
tests/scenarios/icb_example_2025_26.yaml (its Places and Efficiency sheets). A few
examples in the quick tier, more in the slow one.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from books import exported
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ccgmodels.inputs.book.eras import sheet_name, sheets
from ccgmodels.inputs.book.layout import SHEETS
from ccgmodels.inputs.loading import load_scenario
from ccgmodels.inputs.problems import ScenarioError

NAMES = [s for s in SHEETS if s != "Cover"]
ICB_NAMES = [sheet_name(s, "icb") for s in sheets("icb") if s != "Cover"]
ICB_EXAMPLE = str(Path(__file__).parents[1] / "scenarios" / "icb_example_2025_26.yaml")
WORDS = ["(none)", "none", "EXAMPLE: x", "=1+1", "=A1", "=cmd|' /C calc'!A0", "#N/A", "-",
         "3.4%", "1,045", "(2,000)", "£84", "yes", "cpr_ccg", "acute", "2019/20", "2019-20",
         "organisations.cpr_ccg.qipp.rate", " ", "\u00a0", "x" * 300]
VALUES = st.one_of(st.none(), st.sampled_from(WORDS),  # text a cell can hold: no controls
                   st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20),
                   st.integers(-10**13, 10**13), st.booleans(),
                   st.floats(allow_nan=False, allow_infinity=False))
EDIT = st.one_of(
    st.tuples(st.just("cell"), st.sampled_from(NAMES), st.integers(1, 40), st.integers(1, 20),
              VALUES),
    st.tuples(st.just("delete_row"), st.sampled_from(NAMES), st.integers(1, 40)),
    st.tuples(st.just("delete_col"), st.sampled_from(NAMES), st.integers(1, 20)),
    st.tuples(st.just("delete_sheet"), st.sampled_from(NAMES)),
    st.tuples(st.just("rename_sheet"), st.sampled_from(NAMES), st.sampled_from(["x", "QIPP2"])),
)
SHEET = "|".join(map(re.escape, dict.fromkeys([*NAMES, *ICB_NAMES])))
NAMED = re.compile(rf"^({SHEET})(![A-Z]+\d+)?(:|$)")  # a sheet, or a sheet and cell


def _apply(book, edit) -> None:
    kind, sheet, *rest = edit
    if sheet not in book.sheetnames:
        return
    ws = book[sheet]
    if kind == "cell":
        row, col, value = rest
        ws.cell(row, col).value = value
    elif kind == "delete_row":
        ws.delete_rows(rest[0])
    elif kind == "delete_col":
        ws.delete_cols(rest[0])
    elif kind == "delete_sheet":
        del book[sheet]
    elif rest[0] not in book.sheetnames:
        ws.title = rest[0]


def _import(tmp_path, edits, scenario: str = "cpr_2019_20") -> None:
    path = exported(tmp_path, scenario)
    book = openpyxl.load_workbook(path)
    for edit in edits:
        _apply(book, edit)
    book.save(path)
    try:
        load_scenario(path)
    except ScenarioError as exc:
        assert exc.problems
        for p in exc.problems:
            assert p.file == str(path), str(p)
            assert NAMED.match(p.path), f"no sheet named: {p}"


FUZZ = given(edits=st.lists(EDIT, min_size=1, max_size=4))
QUICK = settings(max_examples=3, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])


@settings(QUICK, max_examples=1)  # the quick tier: one draw and the case the fuzz found; the
@FUZZ                              # slow twin below draws 25
@example(edits=[("delete_col", "Scenario", 2)])  # found by the fuzz: a KeyError, now named
@example(edits=[("delete_row", "Scenario", 5)])  # found by the fuzz: the name row, its sheet named
def test_an_edited_workbook_imports_or_names_its_sheet(tmp_path, edits):
    _import(tmp_path, edits)


@pytest.mark.slow
@settings(QUICK, max_examples=25, derandomize=False)
@FUZZ
def test_an_edited_workbook_imports_or_names_its_sheet_many(tmp_path, edits):
    _import(tmp_path, edits)


ICB_EDIT = st.one_of(
    st.tuples(st.just("cell"), st.sampled_from(ICB_NAMES), st.integers(1, 40),
              st.integers(1, 24), VALUES),
    st.tuples(st.just("delete_row"), st.sampled_from(ICB_NAMES), st.integers(1, 40)),
    st.tuples(st.just("delete_col"), st.sampled_from(ICB_NAMES), st.integers(1, 24)),
    st.tuples(st.just("delete_sheet"), st.sampled_from(ICB_NAMES)),
    st.tuples(st.just("rename_sheet"), st.sampled_from(ICB_NAMES),
              st.sampled_from(["x", "QIPP", "Places2"])),
)


@pytest.mark.slow  # the quick tier keeps the CCG workbook's case
@settings(QUICK, max_examples=2)
@given(edits=st.lists(ICB_EDIT, min_size=1, max_size=4))
@example(edits=[("delete_sheet", "Places")])
@example(edits=[("rename_sheet", "Efficiency", "QIPP")])  # either name reads
@example(edits=[("cell", "Places", 5, 1, "example_trust")])
def test_an_edited_icb_workbook_imports_or_names_its_sheet(tmp_path, edits):
    _import(tmp_path, edits, ICB_EXAMPLE)


@pytest.mark.slow
@settings(QUICK, max_examples=25, derandomize=False)
@given(edits=st.lists(ICB_EDIT, min_size=1, max_size=4))
def test_an_edited_icb_workbook_imports_or_names_its_sheet_many(tmp_path, edits):
    _import(tmp_path, edits, ICB_EXAMPLE)
