"""The efficiency register of a trust and a council (inputs/efficiency.py): its shape, and the
clear message each bad value gets (field path and value)."""

from __future__ import annotations

import copy

import pytest

from ccgmodels.inputs.loading import load_scenario, validate_data
from ccgmodels.inputs.vocab import EFFICIENCY_CATEGORIES, EFFICIENCY_TYPES, STATUSES

SCHEME = {"id": "agency_reduction", "name": "Reduce agency staffing", "type": "pay",
          "category": "workforce_agency", "gross_saving": 1200, "investment": 100,
          "status": "in_progress", "start_year": "2026/27", "start_quarter": 1,
          "recurrent": True, "wte": -12, "staff_group": "nursing"}


def scenario(efficiency=None, council_efficiency=None, **trust) -> dict:
    """A trust and a council, 2026/27 to 2028/29, with the registers given."""
    t = {"kind": "provider", "id": "trust", "name": "Trust", "income": 1000, "cost": 1000,
         **trust}
    c = {"kind": "social_care", "id": "council", "name": "Council", "budget": 500,
         "cost": 500, "savings": {"2026/27": 10}}
    if efficiency is not None:
        t["efficiency"] = efficiency
    if council_efficiency is not None:
        c["efficiency"] = council_efficiency
    return {"name": "eff", "title": "Eff", "base_year": "2026/27", "end_year": "2028/29",
            "organisations": [t, c]}


def problems(data) -> list:
    s, found = validate_data(copy.deepcopy(data), "eff.yaml")
    assert s is None
    return found


def test_register_on_a_trust_and_a_council_in_the_contract_shape():
    data = scenario({"requirement": {"2026/27": 480, "2027/28": 900},
                     "delivery_probability": {"delivered": 1.0, "in_progress": 0.7,
                                              "scoping": 0.3, "unidentified": 0.0,
                                              "pipeline": 0.0},
                     "schemes": [SCHEME]},
                    council_efficiency={"schemes": [{**SCHEME, "id": "homecare",
                                                     "type": "non_pay",
                                                     "category": "service_redesign",
                                                     "wte": None, "staff_group": None}]})
    s, found = validate_data(data, "eff.yaml")
    assert found == []
    trust, council = s.organisations
    e = trust.efficiency
    assert e.requirement == {"2026/27": 480.0, "2027/28": 900.0}
    assert e.delivery_probability["scoping"] == 0.3
    (sc,) = e.schemes
    assert (sc.type, sc.category, sc.gross, sc.net, sc.share) == (
        "pay", "workforce_agency", 1200.0, 1100.0, 1.0)
    assert (sc.wte, sc.staff_group) == (-12.0, "nursing")
    assert council.efficiency.schemes[0].category == "service_redesign"


def test_defaults_follow_qipp():
    s, _ = validate_data(scenario({"schemes": []}), "eff.yaml")
    e = s.organisations[0].efficiency
    assert e.requirement is None and e.schemes == []
    # the same ASSUMPTION defaults as a commissioner's QIPP register
    assert e.delivery_probability == {"delivered": 1.0, "in_progress": 0.7, "scoping": 0.0,
                                      "unidentified": 0.0, "pipeline": 0.0}
    assert s.organisations[1].efficiency is None


def test_vocabularies():
    assert EFFICIENCY_TYPES == ("pay", "non_pay", "income")
    assert "workforce_agency" in EFFICIENCY_CATEGORIES and "other" in EFFICIENCY_CATEGORIES
    assert len(set(EFFICIENCY_CATEGORIES)) == len(EFFICIENCY_CATEGORIES)
    assert "pipeline" in STATUSES


def test_duplicate_scheme_id_is_refused():
    (p,) = problems(scenario({"schemes": [SCHEME, {**SCHEME, "name": "Again"}]}))
    assert p.path == "organisations.trust.efficiency"
    assert "'agency_reduction' appears more than once" in p.message


@pytest.mark.parametrize(("field", "value", "fragment"), [
    ("type", "capital", "'pay', 'non_pay' or 'income'"),
    ("category", "agency", "'workforce_agency'"),
    ("status", "planned", "delivered"),
    ("gross_saving", -5, "cannot be negative [£k]"),
    ("start_quarter", 5, "4"),
    ("recurrent", "sometimes", "bool"),
])
def test_bad_scheme_value_names_field_and_value(field, value, fragment):
    (p,) = problems(scenario({"schemes": [{**SCHEME, field: value}]}))
    assert p.path == f"organisations.trust.efficiency.schemes.agency_reduction.{field}" or \
        p.path == f"organisations.trust.efficiency.schemes.0.{field}", p.path
    assert p.value == value
    assert fragment.lower() in p.message.lower(), p.message


def test_staff_group_needs_wte():
    (p,) = problems(scenario({"schemes": [{**SCHEME, "wte": None}]}))
    assert "staff_group 'nursing' is given without wte" in p.message


def test_register_with_efficiency_delivery_is_refused():
    (p,) = problems(scenario({"schemes": [SCHEME]}, efficiency_delivery=0.8))
    assert "efficiency_delivery is 0.8" in p.message
    assert "delivery then follows each scheme's status" in p.message
    # without a register, efficiency_delivery is as today
    s, found = validate_data(scenario(efficiency_delivery=0.8), "eff.yaml")
    assert found == [] and s.organisations[0].efficiency_delivery == 0.8


def test_requirement_and_start_years_inside_the_scenario():
    found = problems(scenario({"requirement": {"2030/31": 5},
                               "schemes": [{**SCHEME, "start_year": "2031/32"}]}))
    paths = sorted(p.path for p in found)
    assert paths == ["organisations.trust.efficiency.requirement.2030/31",
                     "organisations.trust.efficiency.schemes.agency_reduction.start_year"]


def test_bundled_scenarios_still_load_without_registers():
    s = load_scenario("west_yorkshire_2026_27")
    assert all(getattr(o, "efficiency", None) is None for o in s.organisations)


def test_range_on_efficiency_delivery_of_a_registered_trust_is_refused():
    data = scenario({"schemes": [SCHEME]})
    data["uncertainty"] = {"organisations.trust.efficiency_delivery":
                           {"dist": "uniform", "low": 0.6, "high": 1.0}}
    (p,) = problems(data)
    assert p.path == "uncertainty.organisations.trust.efficiency_delivery"
    assert "efficiency_delivery of trust is not used" in p.message
    # a range on the register's probabilities is drawn
    data["uncertainty"] = {"organisations.trust.efficiency.delivery_probability.in_progress":
                           {"dist": "uniform", "low": 0.5, "high": 0.9}}
    s, found = validate_data(data, "eff.yaml")
    assert found == []
