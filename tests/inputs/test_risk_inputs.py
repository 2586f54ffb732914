"""The risk and mitigation register's inputs (ccgmodels/inputs/risks.py): its shape on every
kind of organisation, and bad registers refused with the field and a clear message."""

from __future__ import annotations

import copy

import pytest
from risk_scenarios import base_data, scenario, with_registers

from ccgmodels.inputs.loading import validate_data
from ccgmodels.inputs.risks import Risk


def problems(data) -> list[tuple[str, str]]:
    s, found = validate_data(data, "test")
    assert s is None
    return [(p.path, p.message) for p in found]


def org(data, org_id):
    return next(o for o in data["organisations"] if o["id"] == org_id)


def test_every_kind_takes_a_register_and_none_is_the_default():
    data = with_registers()
    org(data, "southend_council")["mitigations"] = [
        {"id": "reablement", "name": "Reablement", "value": {y: 100 for y in
                                                             ("2019/20", "2020/21", "2021/22",
                                                              "2022/23", "2023/24")},
         "probability": 0.5}]
    s = scenario(data)
    ccg, provider, council = (s.org(i) for i in ("cpr_ccg", "suhft", "southend_council"))
    assert [r.name for r in ccg.risks] == ["Elective activity below plan"]
    assert ccg.mitigations[0].against == ["elective_income_shortfall"]
    assert provider.risks[0].likelihood == 1.0 and provider.mitigations == []
    assert council.mitigations[0].value["2021/22"] == 100
    assert scenario(base_data()).org("cpr_ccg").risks == []


def test_most_likely_defaults_to_the_midpoint():
    r = Risk(id="x", name="X", likelihood=0.5, low=2000, high=9000)
    assert r.range_in("2019/20") == (2000.0, 5500.0, 9000.0)
    by_year = Risk(id="x", name="X", likelihood=0.5, low={"2019/20": 1, "2020/21": 2},
                   high={"2019/20": 3, "2020/21": 6})
    assert by_year.range_in("2020/21") == (2.0, 4.0, 6.0)


@pytest.mark.parametrize(("change", "path", "fragment"), [
    (lambda o: o["risks"][0].update(likelihood=40), "risks.elective_income_shortfall.likelihood",
     "did you mean 0.4?"),
    (lambda o: o["mitigations"][0].update(probability=-0.1),
     "mitigations.vacancy_control.probability", "cannot be negative"),
    (lambda o: o["risks"][0].update(low=10000), "risks.elective_income_shortfall",
     "low 10000 is above high 9000"),
    (lambda o: o["risks"][0].update(most_likely=9500), "risks.elective_income_shortfall",
     "most_likely 9500 must lie between low and high (2000 to 9000)"),
    (lambda o: o["risks"][0].update(low=-5), "risks.elective_income_shortfall.low",
     "cannot be negative"),
    (lambda o: o["risks"].append(dict(o["risks"][0], name="Again")), "risks.1.id",
     "duplicate risk id in this body's register"),
    (lambda o: o["mitigations"].append(dict(o["mitigations"][0])), "mitigations.1.id",
     "duplicate mitigation id"),
    (lambda o: o["mitigations"][0].update(against=["elective_shortfal"]),
     "mitigations.vacancy_control.against",
     "names no risk of cpr_ccg's register (its risks: elective_income_shortfall)"),
    (lambda o: o["risks"][0].update(high={"2019/20": 9000, "2020/21": 9000}),
     "risks.elective_income_shortfall.high", "missing years 2021/22, 2022/23, 2023/24"),
])
def test_a_bad_register_names_its_field(change, path, fragment):
    data = with_registers(provider=False)
    change(org(data, "cpr_ccg"))
    found = problems(data)
    assert any(p == f"organisations.cpr_ccg.{path}" and fragment in m for p, m in found), found


def test_against_names_a_risk_of_the_same_body():
    data = with_registers()
    # the provider's risk is not the CCG's
    org(data, "cpr_ccg")["mitigations"][0]["against"] = ["pay_award_unfunded"]
    assert ("organisations.cpr_ccg.mitigations.vacancy_control.against",
            "names no risk of cpr_ccg's register (its risks: elective_income_shortfall)"
            ) in problems(data)


def test_a_range_on_the_register_is_refused_with_a_reason():
    data = with_registers()
    data["uncertainty"] = copy.deepcopy(data.get("uncertainty", {}))
    key = "organisations.cpr_ccg.risks.elective_income_shortfall.likelihood"
    data["uncertainty"][key] = {"dist": "uniform", "low": 0.1, "high": 0.5}
    found = problems(data)
    assert any(p == f"uncertainty.{key}" and "draws each risk from its likelihood" in m
               for p, m in found), found


def test_a_merged_icbs_predecessor_cannot_carry_a_register():
    from pathlib import Path

    import yaml

    path = Path(__file__).resolve().parents[1] / "scenarios" / "icb_example_2025_26.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    north = org(data, "north_icb")
    north["risks"] = [{"id": "x", "name": "X", "likelihood": 0.5, "low": 1, "high": 2}]
    found = problems(data)
    assert any(p == "organisations.north_icb.risks" and "give its risks and mitigations to"
               in m for p, m in found), found


def test_a_dumped_register_loads_again():
    s = scenario(with_registers())
    again, found = validate_data(s.model_dump(mode="json"), "dump")
    assert found == [] and again == s
