"""Eras: a scenario's planning regime, from its base year or stated (issue 27, item 1)."""

from __future__ import annotations

import json

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
