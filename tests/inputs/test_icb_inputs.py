"""An ICB's assumptions: clear errors for a bad merger, places that do not sum, convergence
that cannot be computed and CCG-era fields; a merger's restated base year."""

from __future__ import annotations

import copy

import pytest
from pydantic import ValidationError

from ccgmodels.inputs.icb import base_of, place_figures
from ccgmodels.inputs.scenario import Scenario
from ccgmodels.inputs.vocab import SERVICE_LINES


def spend(**lines: float) -> dict[str, float]:
    return {k: lines.get(k, 0.0) for k in SERVICE_LINES}


def icb(org_id: str, core: float = 1000.0, population: float = 1000.0, **extra) -> dict:
    return {"kind": "icb", "id": org_id, "name": org_id, "population": population,
            "allocation": {"base": {"core_services": core}, "rca_per_head": 10.0},
            "expenditure": {"base": spend(acute=core)}, **extra}


def scenario(*orgs: dict) -> dict:
    return {"name": "t", "title": "t", "base_year": "2025/26", "end_year": "2026/27",
            "organisations": list(orgs)}


def merged(**extra) -> dict:
    return {"kind": "icb", "id": "merged", "name": "Merged", "predecessors": ["north", "south"],
            "allocation": {"rca_per_head": 10.0}, "expenditure": {}, **extra}


def problem(data: dict) -> str:
    with pytest.raises(ValidationError) as exc:
        Scenario.model_validate(data)
    return str(exc.value)


def test_restated_base_is_the_sum_of_the_predecessors():
    s = Scenario.model_validate(scenario(icb("north", 600.0, 500.0), icb("south", 400.0, 300.0),
                                         merged()))
    orgs = {o.id: o for o in s.organisations}
    b = base_of(orgs, orgs["merged"])
    assert b.allocation["core_services"] == 1000.0
    assert b.expenditure["acute"] == 1000.0
    assert b.population == 800.0


def test_predecessor_not_in_the_scenario():
    msg = problem(scenario(icb("north"), merged()))
    assert "organisations.merged.predecessors.1" in msg
    assert "names no organisation of this scenario" in msg


def test_predecessor_that_is_not_an_icb():
    trust = {"kind": "provider", "id": "south", "name": "S", "income": 1.0, "cost": 1.0}
    msg = problem(scenario(icb("north"), trust, merged()))
    assert "south is a provider, not an ICB" in msg


def test_predecessor_of_two_successors_would_count_twice():
    other = merged() | {"id": "other", "name": "Other"}
    msg = problem(scenario(icb("north"), icb("south"), merged(), other))
    assert "predecessor of more than one ICB" in msg


def test_stated_base_of_a_merger_must_be_the_sum():
    m = merged(population=900.0)
    msg = problem(scenario(icb("north", population=500.0), icb("south", population=300.0), m))
    assert "organisations.merged.population" in msg and "800 people" in msg


def test_base_year_required_without_predecessors():
    org = icb("a")
    del org["allocation"]["base"]
    msg = problem(scenario(org))
    assert "organisations.a.allocation.base" in msg and "required" in msg


def test_council_pooling_with_a_predecessor_names_the_successor():
    council = {"kind": "social_care", "id": "c", "name": "C", "budget": 1.0, "cost": 1.0,
               "bcf_from": ["north"]}
    msg = problem(scenario(icb("north"), icb("south"), merged(), council))
    assert "north merged into merged" in msg


def places(north_core: float = 600.0, south_share: float | None = 0.4) -> list[dict]:
    return [{"id": "north", "name": "N", "population": 600.0,
             "allocation": {"core_services": north_core}, "expenditure": spend(acute=600.0)},
            {"id": "south", "name": "S", "population": 400.0, "share": south_share}]


def test_places_that_sum():
    s = Scenario.model_validate(scenario(icb("a", places=places())))
    o = s.organisations[0]
    figures = place_figures(o, base_of({"a": o}, o))
    assert figures["south"].allocation["core_services"] == pytest.approx(400.0)
    assert figures["south"].expenditure["acute"] == pytest.approx(400.0)


def test_places_that_do_not_sum():
    msg = problem(scenario(icb("a", places=places(north_core=650.0))))
    assert "organisations.a.places" in msg
    assert "allocation core_services sums to 1,050.000 £k, not the ICB's 1,000.000" in msg


def test_place_population_must_sum():
    p = places()
    p[1]["population"] = 300.0
    msg = problem(scenario(icb("a", places=p)))
    assert "population sums to 900, not the ICB's 1,000 people" in msg


def test_place_without_figures_or_share():
    msg = problem(scenario(icb("a", places=places(south_share=None))))
    assert "organisations.a.places.1.share" in msg
    assert "give the place's allocation and expenditure in £k, or its share" in msg


def test_duplicate_place():
    p = places()
    p[1]["id"] = "north"
    assert "duplicate place id" in problem(scenario(icb("a", places=p)))


def test_convergence_with_levels_needs_targets_by_year_and_no_pace():
    org = icb("a")
    org["allocation"] |= {"levels": {"2026/27": {"core_services": 1100.0}},
                          "convergence": {"core_services": {"target": 900.0,
                                                            "convergence_pace": 0.5}}}
    msg = problem(scenario(org))
    assert "published levels already include convergence" in msg
    assert "give the target of every modelled year" in msg


def test_rca_per_head_by_year_covers_every_year():
    org = copy.deepcopy(icb("a"))
    org["allocation"]["rca_per_head"] = {"2025/26": 18.76}
    msg = problem(scenario(org))
    assert "organisations.a.allocation.rca_per_head" in msg and "missing year 2026/27" in msg


def test_negative_rca_per_head():
    org = icb("a")
    org["allocation"]["rca_per_head"] = -1.0
    assert "rca_per_head" in problem(scenario(org))


def test_control_total_is_a_ccg_era_field():
    msg = problem(scenario(icb("a", control_total=0.0)))
    assert "control_total is a CCG-era field; an ICB states planned_surplus" in msg


def test_unknown_stream():
    org = icb("a")
    org["allocation"]["base"]["programme"] = 1.0
    assert "programme" in problem(scenario(org))


def test_deficit_support_outside_the_years():
    msg = problem(scenario(icb("a", deficit_support={"2030/31": 5.0})))
    assert "organisations.a.deficit_support.2030/31" in msg


def test_predecessor_contracts_would_be_lost():
    trust = {"kind": "provider", "id": "t", "name": "T", "income": 1.0, "cost": 1.0}
    north = icb("north", contracts=[{"provider": "t", "lines": {"acute": 0.5}}])
    msg = problem(scenario(north, icb("south"), merged(), trust))
    assert "north is restated into merged from its base-year figures only, so its contracts " \
           "would be lost: state them on merged" in msg


def test_a_dumped_icb_scenario_loads_again():
    """A resolved scenario (what a report's scenario.yaml holds) validates again: the dump
    carries no CCG-era control_total for the ICB to refuse."""
    s = Scenario.model_validate(scenario(icb("a", planned_surplus=5.0)))
    dumped = s.model_dump(mode="json")
    assert "control_total" not in dumped["organisations"][0]
    assert Scenario.model_validate(dumped).model_dump(mode="json") == dumped


def test_an_icb_scenario_reloads_from_its_own_dump():
    """What a batch writes beside a report (the scenario dumped) loads again: the CCG's
    control_total, carried as None in the dump, is not refused as a CCG-era field."""
    from pathlib import Path

    from ccgmodels.inputs.loading import load_scenario

    s = load_scenario(str(Path(__file__).parents[1] / "scenarios" / "icb_example_2025_26.yaml"))
    assert Scenario.model_validate(s.model_dump()) == s
    with pytest.raises(ValidationError, match="control_total is a CCG-era field"):
        Scenario.model_validate(scenario(icb("north_icb", control_total=0.0)))
