"""Today's rules on the report's pages: a body that breaks even only with deficit support is
reported as failing the breakeven rule; the places and the restatement tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccgmodels.inputs.scenario import Scenario
from ccgmodels.inputs.vocab import SERVICE_LINES
from ccgmodels.models.run import run_scenario
from ccgmodels.outputs import bodies, report

EXAMPLE = Path(__file__).resolve().parents[1] / "scenarios" / "icb_example_2025_26.yaml"


def supported_icb() -> Scenario:
    # allocation 1000, spend 1100: do nothing (100) a year; deficit support 100 in 2025/26
    # and 2026/27 brings the reported position to 0, none in 2027/28; the trust earns 10
    icb = {"kind": "icb", "id": "a", "name": "NHS A ICB", "population": 1000.0,
           "allocation": {"base": {"core_services": 1000.0}, "rca_per_head": 0.0},
           "expenditure": {"base": {k: 1100.0 if k == "acute" else 0.0 for k in SERVICE_LINES}},
           "contingency_rate": 0.0, "deficit_support": {"2025/26": 100.0, "2026/27": 100.0}}
    trust = {"kind": "provider", "id": "t", "name": "A Trust", "income": 1010.0,
             "cost": 1000.0}
    return Scenario.model_validate({"name": "t", "title": "t", "base_year": "2025/26",
                                    "end_year": "2027/28", "organisations": [icb, trust]})


def test_report_says_a_body_breaking_even_only_with_deficit_support_fails():
    s = supported_icb()
    results = run_scenario(s)
    said = bodies.breakeven_sentences(results, s)
    assert said[0] == ("NHS A ICB fails the breakeven rule in 3 of 3 years: its underlying "
                       "position misses its planned surplus in 2025/26 by £100k; 2026/27 by "
                       "£100k; 2027/28 by £100k. In 2025/26, 2026/27 it breaks even only with "
                       "deficit support, which the rule does not count.")
    assert said[1] == ("A Trust meets the breakeven rule in every year on its underlying "
                       "position, without deficit support.")
    table = bodies.breakeven_table(results, s).frame
    assert table.loc["NHS A ICB: surplus/(deficit) with deficit support"].tolist() == [
        0.0, 0.0, -100.0]
    assert table.loc["NHS A ICB: underlying less planned surplus"].tolist() == [-100.0] * 3
    html = report.build(s).bodies()
    assert "Breakeven, body by body" in html
    assert "it breaks even only with deficit support" in html


def test_places_and_restatement_tables_of_the_example():
    r = report.build(EXAMPLE)
    book = r.book
    places = book["Places"].frame
    assert places.loc["North place: allocation"].iloc[0] == pytest.approx(699380.0)
    assert (places.loc["North place: surplus/(deficit)"]
            + places.loc["South place: surplus/(deficit)"]).iloc[0] == pytest.approx(0.0, abs=1e-6)
    restated = book["Restatement"].frame
    assert restated.loc["NHS Merged ICB (restated: the sum)", "Allocation"] == 1150000.0
    assert restated["Allocation"].iloc[:2].sum() == 1150000.0


def test_a_ccg_era_report_has_none_of_them():
    r = report.build("cpr_2019_20")
    assert not {"Breakeven", "Places", "Restatement"} & set(r.book)
    assert r.bodies() == ""
