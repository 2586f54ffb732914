"""The inputs of contract value triangulation and of a trust's workforce (issue 28 items 3
and 4): both sides of a contract name modelled years and a commissioner that contracts with the
trust; a workforce names each staff group once, of the vocabulary, with WTE for every year.
Each bad input gets a message naming the field and the value."""

from __future__ import annotations

import copy

from illustrative import PROVIDER

from ccgmodels.inputs.loading import check, validate_data
from ccgmodels.inputs.vocab import STAFF_GROUPS

WORKFORCE = {"pay_cost": 193800, "pay_award": 0.03, "agency_premium": 0.02,
             "staff_groups": [{"group": "nursing", "wte": 2000, "cost_per_wte": 50}]}


def problems_of(contract: dict | None = None, trust: dict | None = None) -> str:
    """The problems of CPR plus the illustrative trust on a contract for half of CPR's acute
    line, with ``contract`` and ``trust`` added; one per line."""
    _, data, found = check("cpr_2019_20")
    assert not found
    data = copy.deepcopy(data)
    data["organisations"][0]["contracts"] = [
        {"provider": "suhft", "lines": {"acute": 0.5}, **(contract or {})}]
    data["organisations"].append({**PROVIDER, **(trust or {})})
    _, problems = validate_data(data, "s.yaml")
    return "\n".join(str(p) for p in problems)


def test_both_sides_stated_validate():
    assert problems_of({"planned_value": {"2019/20": 70000}},
                       {"contract_income": {"cpr_ccg": 71000}, "workforce": WORKFORCE}) == ""


def test_contract_income_must_name_a_commissioner_contracting_with_the_trust():
    text = problems_of(trust={"contract_income": {"southend_ccg": {"2019/20": 5.0}}})
    assert ("s.yaml: organisations.suhft.contract_income.southend_ccg: suhft plans contract "
            "income from southend_ccg, which is not a commissioner of this scenario contracting "
            "with suhft (the commissioners that contract with it: cpr_ccg)") in text


def test_sides_name_modelled_years_only():
    text = problems_of({"planned_value": {"2030/31": 1.0}},
                       {"contract_income": {"cpr_ccg": {"2019/20": 5.0, "2024/25": 1.0}}})
    assert ("organisations.suhft.contract_income.cpr_ccg.2024/25: year outside the "
            "scenario's years 2019/20 to 2023/24") in text
    assert ("organisations.cpr_ccg.contracts.0.planned_value.2030/31: year outside the "
            "scenario's years 2019/20 to 2023/24") in text
    assert "2019/20: year outside" not in text


def test_workforce_groups_once_of_the_vocabulary_with_every_year():
    assert "nursing" in STAFF_GROUPS and "doctors" in STAFF_GROUPS
    twice = {**WORKFORCE, "staff_groups": [
        {"group": "nursing", "wte": 10, "cost_per_wte": 50},
        {"group": "nursing", "wte": {"2019/20": 1, "2020/21": 2}, "cost_per_wte": 50}]}
    text = problems_of(trust={"workforce": twice})
    assert ("organisations.suhft.workforce.staff_groups.1.group: staff group given twice") in text
    assert ("organisations.suhft.workforce.staff_groups.1.wte: missing years 2021/22, "
            "2022/23, 2023/24") in text
    text = problems_of(trust={"workforce": {**WORKFORCE, "staff_groups": [
        {"group": "nurses", "wte": 10, "cost_per_wte": 50}]}})
    assert "organisations.suhft.workforce.staff_groups.0.group" in text and "nurses" in text
    text = problems_of(trust={"workforce": {**WORKFORCE, "agency_premium": 2}})
    assert "agency_premium" in text and "fractions, not per cent" in text


def test_a_scheme_wte_change_names_a_staff_group_of_the_workforce():
    scheme = {"id": "agency", "name": "Reduce agency", "type": "pay",
              "category": "workforce_agency", "gross_saving": 1000, "status": "in_progress",
              "wte": -20, "staff_group": "doctors"}
    text = problems_of(trust={"workforce": WORKFORCE, "efficiency": {"schemes": [scheme]}})
    assert ("organisations.suhft.efficiency.schemes.agency.staff_group: not a staff group of "
            "the trust's workforce (nursing)") in text
