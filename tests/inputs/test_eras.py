"""Eras: a scenario's planning regime, from its base year or stated (issue 27, item 1)."""

from __future__ import annotations

import json
import re

import pytest

from ccgmodels.inputs.loading import bundled_scenarios, load_scenario
from ccgmodels.inputs.problems import ScenarioError
from ccgmodels.inputs.vocab import ERAS, era_of


@pytest.mark.parametrize("year, era", [
    ("2014/15", "2014"), ("2016/17", "2014"),  # five year forward view, HWB plans
    ("2017/18", "ccg"), ("2019/20", "ccg"), ("2021/22", "ccg"),  # CCGs in STPs
    ("2022/23", "icb"), ("2025/26", "icb"), ("2026/27", "icb"),  # ICBs from 1 July 2022
])
def test_era_of_the_base_year(year, era):
    assert era_of(year) == era
    assert era in ERAS


def test_bundled_scenarios_keep_their_documents_era():
    eras = {name: load_scenario(name).era for name in bundled_scenarios()}
    assert eras["essex_ccgs_2014_15"] == "2014"
    assert {eras[n] for n in eras if n.endswith("2019_20") or "2019_20_" in n} == {"ccg"}


def test_a_stated_era_wins_and_a_derived_one_is_not_written_back():
    plain = load_scenario("cpr_2019_20")
    assert plain.era == "ccg" and "era" not in plain.model_dump()
    stated = load_scenario("cpr_2019_20", {"era": "icb"})
    assert stated.era == "icb" and stated.model_dump(mode="json")["era"] == "icb"
    # the era survives a round trip through a dump
    assert type(stated).model_validate(stated.model_dump()).era == "icb"


def test_an_unknown_era_is_refused_naming_the_field():
    with pytest.raises(ScenarioError, match="era"):
        load_scenario("cpr_2019_20", {"era": "2019"})


def test_schema_lists_era(tmp_path):
    from importlib import resources

    schema = json.loads(resources.files("ccgmodels.data").joinpath(
        "scenario.schema.json").read_text())
    assert "era" in schema["properties"]
    assert "era" not in schema.get("required", [])


#: 2019 terms an ICB-era workbook's own words (sheet names, notes, cover, descriptions) avoid
FORBIDDEN = re.compile(r"\bCCGs?\b|\bSTPs?\b|QIPP|[Cc]ontrol totals?|\bSTF\b|[Tt]ariff "
                       r"efficiency|[Ff]ootprint|GPFV|[Cc]o-commissioning")


def _workbook_words(path) -> list[str]:
    """The workbook's own words: sheet names, each sheet's title and note, the cover, the
    Description column (not the ids, paths, names and sources a scenario states)."""
    import openpyxl

    from ccgmodels.inputs.book.writer import HEAD

    wb = openpyxl.load_workbook(path)
    words = list(wb.sheetnames)
    for ws in wb:
        if ws.title == "Cover":
            words += [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
            continue
        words += [ws.cell(2, 1).value or ""]
        heads = [c.value for c in ws[HEAD]] if ws.max_row >= HEAD else []
        if "Description" in heads:
            col = heads.index("Description") + 1
            words += [ws.cell(r, col).value or "" for r in range(HEAD + 1, ws.max_row + 1)]
    return [w for w in words if isinstance(w, str)]


def test_an_icb_era_workbook_is_in_todays_words_and_reads_back(tmp_path):
    from ccgmodels.inputs.book.reader import read_book
    from ccgmodels.inputs.book.writer import export_book

    icb = load_scenario("cpr_2019_20", {"era": "icb"})
    path = export_book(icb, tmp_path / "icb.xlsx")
    words = _workbook_words(path)
    assert "Efficiency" in words and "QIPP" not in words
    assert any(w.startswith("Gross efficiency target") for w in words)  # the descriptions
    found = [w for w in words if FORBIDDEN.search(w.replace(icb.title, ""))]
    assert found == []
    assert load_scenario(str(path)) == icb  # the era and every figure round-trip
    _, cells, _ = read_book(path)
    assert cells["organisations.cpr_ccg.qipp.schemes"].startswith("Efficiency!")


def test_a_2019_workbook_keeps_the_qipp_sheet_and_either_name_reads(tmp_path):
    import openpyxl

    from ccgmodels.inputs.book.writer import export_book

    plain = load_scenario("cpr_2019_20")
    path = export_book(plain, tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(path)
    assert "QIPP" in wb.sheetnames and "Efficiency" not in wb.sheetnames
    wb["QIPP"].title = "Efficiency"  # a 2019 workbook with today's sheet name still reads
    wb.save(path)
    assert load_scenario(str(path)) == plain
