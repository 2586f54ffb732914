"""The assumptions workbook of the ICB era (issue 27): an ICB's rows, its places, today's sheet
names and words; export then import gives an ICB scenario back exactly; ``workbook new`` from
2022/23 lays out an ICB with its places; bad input is named by sheet, cell, field and value.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from books import HEADER_ROW, cell_of, edit, exported, problems_of, without

from ccgmodels.inputs.book import layout as L
from ccgmodels.inputs.book.blank import new_book
from ccgmodels.inputs.book.reader import scenario_yaml
from ccgmodels.inputs.book.writer import export_book
from ccgmodels.inputs.loading import check, load_scenario, validate_data
from ccgmodels.inputs.paths import set_path

EXAMPLE = str(Path(__file__).parents[1] / "scenarios" / "icb_example_2025_26.yaml")
#: the CCG era's words, which an ICB-era workbook's sheet names, headings and help leave out
#: (tests/inputs/test_eras.py's, and the register headings)
OLD_WORDS = re.compile(r"\bCCGs?\b|\bSTPs?\b|QIPP|[Cc]ontrol totals?|\bSTF\b|[Tt]ariff "
                       r"efficiency|[Ff]ootprint|GPFV|[Cc]o-commissioning")


def round_trip(scenario, path):
    export_book(scenario, path)
    back, _, problems = check(path)
    assert problems == [], "\n".join(map(str, problems))
    return back


def words_shown(path) -> list[tuple[str, str]]:
    """``(where, text)`` of every sheet name, title, note, header and row description of a
    workbook, and of its cover: the words a reader sees (not the figures, ids and field
    paths, nor the example rows' citations)."""
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb:
        if ws.sheet_state == "hidden":
            continue
        out.append((ws.title, ws.title))
        rows = ws.iter_rows() if ws.title == "Cover" else ws.iter_rows(max_row=HEADER_ROW)
        out += [(f"{ws.title}!{c.coordinate}", c.value) for row in rows for c in row
                if isinstance(c.value, str) and not c.value.startswith("=")]
        heads = {c.value: c.column for c in ws[HEADER_ROW]}
        if "Description" in heads:
            out += [(f"{ws.title}!{row[0].row}", row[heads["Description"] - 1].value)
                    for row in ws.iter_rows(min_row=HEADER_ROW + 1) if row[0].value]
    return [(w, t) for w, t in out if isinstance(t, str)]


def test_the_icb_example_comes_back_exactly(tmp_path):
    original = load_scenario(EXAMPLE)
    back = round_trip(original, tmp_path / "icb.xlsx")
    assert back.model_dump() == original.model_dump()
    assert back.sources == original.sources
    (tmp_path / "scenario.yaml").write_text(scenario_yaml(back), encoding="utf-8")
    assert load_scenario(tmp_path / "scenario.yaml").model_dump() == original.model_dump()


def test_shares_levels_and_targets_by_year_come_back_exactly(tmp_path):
    # the other shapes of an ICB's assumptions: places by share, published levels instead of
    # growth, a target published by year, deficit support on a trust, a surplus by year
    data = load_scenario(EXAMPLE).model_dump(exclude_defaults=True)
    icb = "organisations.merged_icb"
    data = set_path(data, f"{icb}.places", [
        {"id": "north", "name": "North place", "population": 500000, "share": 0.625},
        {"id": "south", "name": "South place", "population": 300000, "share": 0.375}])
    data = set_path(data, "organisations.north_icb.allocation.levels", {
        y: {"core_services": 600000 + 1000 * i} for i, y in
        enumerate(["2026/27", "2027/28", "2028/29"])})
    data = set_path(data, f"{icb}.allocation.convergence", {"primary_medical_care": {
        "target": {"2025/26": 99000, "2026/27": 101000, "2027/28": 103000, "2028/29": 105000},
        "convergence_pace": 0}})
    data = set_path(data, f"{icb}.planned_surplus", {"2025/26": 0, "2026/27": 500,
                                                     "2027/28": -250, "2028/29": 0})
    data = set_path(data, "organisations.example_trust.planned_surplus", 1200)
    original, problems = validate_data(data, "variant")
    assert problems == [], problems
    back = round_trip(original, tmp_path / "variant.xlsx")
    assert back.model_dump() == original.model_dump()


def test_an_icb_workbook_has_places_and_todays_sheet_names_and_words(tmp_path):
    book = exported(tmp_path, EXAMPLE)
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[:6] == ["Cover", "Scenario", "Organisations", "Allocations", "Plan",
                                 "Places"]
    assert "Efficiency" in wb.sheetnames and "QIPP" not in wb.sheetnames
    # the ICB's own rows: today's streams, the running cost allowance, convergence, merger
    for field in ("allocation.base.core_services", "allocation.rca_per_head", "population",
                  "allocation.convergence.core_services.target",
                  "allocation.convergence.core_services.convergence_pace"):
        assert cell_of(wb, "Allocations", "merged_icb", field, L.VALUE) is not None
    assert cell_of(wb, "Plan", "merged_icb", "predecessors", L.VALUE).value == \
        "north_icb, south_icb"
    assert cell_of(wb, "Plan", "merged_icb", "deficit_support", "2026/27").value == 3000
    assert cell_of(wb, "Providers", "example_trust", "deficit_support", "2025/26").value == 4000
    assert cell_of(wb, "Places", "merged_icb", "south", "Allocation: core services").value \
        == 400000
    assert cell_of(wb, "Places", "north_icb", None, "Place id").value == L.NONE
    fields = [c.value for c in wb["Plan"]["C"] if c.row > HEADER_ROW]  # the Field column
    assert "control_total" not in fields and "solutions.stf" not in fields
    # a predecessor shows its base year only (the rest of it is not evaluated), where blank
    rows = {(r[0], r[2]) for r in wb["Allocations"].iter_rows(min_row=HEADER_ROW + 1,
                                                              values_only=True)}
    assert ("north_icb", "allocation.base.specialised") in rows
    assert ("north_icb", "allocation.growth.core_services") not in rows
    assert ("merged_icb", "allocation.growth.specialised") in rows
    assert not any(r[0] == "north_icb" for r in wb["Solutions"].iter_rows(values_only=True))
    old = [(w, t) for w, t in words_shown(book) if OLD_WORDS.search(t)]
    assert old == [], old


def test_a_ccg_era_workbook_keeps_its_own_sheets(tmp_path):
    wb = openpyxl.load_workbook(exported(tmp_path, "cpr_2019_20"))
    assert tuple(wb.sheetnames[:-1]) == L.SHEETS  # and the hidden Lists
    assert "Places" not in wb.sheetnames


def test_new_from_2022_23_lays_out_an_icb_with_its_places(tmp_path):
    blank = new_book(tmp_path / "blank.xlsx", "2025/26")
    wb = openpyxl.load_workbook(blank)
    kinds = [r[0] for r in wb["Organisations"].iter_rows(min_row=HEADER_ROW + 1, max_row=7,
                                                          values_only=True)]
    assert kinds == ["icb", "provider", "social_care"]
    assert cell_of(wb, "Places", "my_icb", "my_place_1", "Name").value == "My first place"
    assert cell_of(wb, "Plan", "my_icb", "planned_surplus", L.VALUE) is not None
    assert cell_of(wb, "Providers", "my_trust", "deficit_support", "2026/27") is not None
    assert cell_of(wb, "Allocations", "my_icb", "allocation.rca_per_head", L.VALUE) is not None
    old = [(w, t) for w, t in words_shown(blank) if OLD_WORDS.search(t)]
    assert old == [], old
    texts = [str(p) for p in problems_of(blank)]
    examples = {t.split(": ")[1].split("!")[0] for t in texts if "example row" in t}
    assert examples == {"Organisations", "Places", "Activity", "Efficiency", "Contracts",
                        "Uncertainty", "Sources"}
    # before 2022/23, a CCG-era blank
    old_blank = openpyxl.load_workbook(new_book(tmp_path / "old.xlsx", "2019/20"))
    assert "QIPP" in old_blank.sheetnames and "Places" not in old_blank.sheetnames


def test_a_place_that_does_not_sum_is_named_by_its_column(tmp_path):
    book = exported(tmp_path, EXAMPLE)
    [ref] = edit(book, ("Places", "merged_icb", "north", "Allocation: core services", 601000))
    texts = [str(p) for p in problems_of(book)]
    assert texts == [f"{book}: {ref}: organisations.merged_icb.places.allocation.core_services"
                     ": the places' allocation core_services sums to 1,001,000.000 £k, not the "
                     "ICB's 1,000,000.000 £k (difference +1,000.000): the places must sum to "
                     "the ICB exactly (got 1001000.0)"]
    assert ref == "Places!F5"


def test_an_unknown_predecessor_is_named_by_its_cell(tmp_path):
    book = exported(tmp_path, EXAMPLE)
    [ref] = edit(book, ("Plan", "merged_icb", "predecessors", L.VALUE, "north_icb, west_icb"))
    texts = [str(p) for p in problems_of(book)]
    assert len(texts) == 1 and texts[0].startswith(
        f"{book}: {ref}: organisations.merged_icb.predecessors.1: names no organisation of "
        "this scenario"), texts
    assert texts[0].endswith("(got 'west_icb')")


def test_a_place_of_a_trust_and_a_lost_places_sheet(tmp_path):
    book = exported(tmp_path, EXAMPLE)
    [ref] = edit(book, ("Places", "merged_icb", "south", L.ORG, "example_trust"))
    texts = [str(p) for p in problems_of(book)]
    assert f"{book}: {ref}: names no ICB (icb) on the Organisations sheet (have north_icb, " \
        "south_icb, merged_icb) (got 'example_trust')" in texts, texts
    without(book, "Places")
    texts = [str(p) for p in problems_of(book)]
    assert len(texts) == 1 and texts[0].startswith(f"{book}: Places: sheet 'Places' is "
                                                   "missing"), texts


@pytest.mark.parametrize("cell, message", [
    ("Allocations", "rca"), ("Places", "people")])
def test_bad_icb_values_name_sheet_cell_field_and_value(tmp_path, cell, message):
    book = exported(tmp_path, EXAMPLE)
    if cell == "Allocations":
        [ref] = edit(book, ("Allocations", "merged_icb", "allocation.rca_per_head", "2026/27",
                            "lots"))
        field = "organisations.merged_icb.allocation.rca_per_head.2026/27"
    else:
        [ref] = edit(book, ("Places", "merged_icb", "north", "Population", -5))
        field = "organisations.merged_icb.places.north.population"
    texts = [str(p) for p in problems_of(book)]
    assert any(t.startswith(f"{book}: {ref}: {field}: ") for t in texts), texts
