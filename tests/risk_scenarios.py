"""Small scenarios with a risk and mitigation register, for the tests of every layer: the
bundled CPR scenario (one CCG) with an illustrative provider and council
(:mod:`illustrative`), a register on the CCG and one on the provider. Every register figure
here is made up for the tests (ASSUMPTION: illustrative, chosen so the expected values are easy
to work by hand)."""

from __future__ import annotations

import copy

from illustrative import COUNCIL, PROVIDER

from ccgmodels.inputs.loading import check, validate_data
from ccgmodels.inputs.scenario import Scenario

#: the CCG's register: net risk 0.4 * (2,000 + 5,000 + 9,000) / 3 = 2,133.33; gross 5,000;
#: mitigations 0.6 * 3,000 = 1,800 [£k a year]
CCG_RISKS = [{"id": "elective_income_shortfall", "name": "Elective activity below plan",
              "likelihood": 0.4, "low": 2000, "most_likely": 5000, "high": 9000,
              "source": "ASSUMPTION: illustrative"}]
CCG_MITIGATIONS = [{"id": "vacancy_control", "name": "Vacancy control", "value": 3000,
                    "probability": 0.6, "against": ["elective_income_shortfall"],
                    "source": "ASSUMPTION: illustrative"}]
#: the provider's: a certain risk of exactly 1,000 a year, at its 50% consolidation share 500
PROVIDER_RISKS = [{"id": "pay_award_unfunded", "name": "Pay award above funding",
                   "likelihood": 1.0, "low": 1000, "high": 1000}]


def base_data() -> dict:
    """The CPR scenario's data with the illustrative provider (at a 50% share) and council."""
    _, data, problems = check("cpr_2019_20")
    assert not problems
    data = copy.deepcopy(data)
    data["name"] = "cpr_with_registers"
    data["organisations"] += [dict(PROVIDER, consolidation=0.5), dict(COUNCIL)]
    return data


def with_registers(data: dict | None = None, ccg: bool = True, provider: bool = True
                   ) -> dict:
    """``data`` (default :func:`base_data`) with the CCG's and the provider's registers."""
    data = copy.deepcopy(data or base_data())
    orgs = {o["id"]: o for o in data["organisations"]}
    if ccg:
        orgs["cpr_ccg"]["risks"] = copy.deepcopy(CCG_RISKS)
        orgs["cpr_ccg"]["mitigations"] = copy.deepcopy(CCG_MITIGATIONS)
    if provider:
        orgs["suhft"]["risks"] = copy.deepcopy(PROVIDER_RISKS)
    return data


def scenario(data: dict) -> Scenario:
    """``data`` validated (it must be valid)."""
    s, problems = validate_data(data, "test")
    assert not problems, [str(p) for p in problems]
    return s
