"""Illustrative organisations the tests add to a bundled scenario, so that every kind of
organisation (and every row of the STP summary) is used."""

from __future__ import annotations

import copy

from ccgmodels.inputs.loading import check, validate_data
from ccgmodels.inputs.scenario import Scenario

PROVIDER = {
    # ASSUMPTION: an illustrative provider; the documents give no 2019/20 provider finances
    "kind": "provider", "id": "suhft", "name": "Southend University Hospital (illustrative)",
    "income": 300000, "other_income_growth": 0.03, "cost": 305000, "cost_volume_growth": 0.04,
    "efficiency_rate": 0.02, "stf": {"2020/21": 2000},
}
COUNCIL = {
    # ASSUMPTION: an illustrative council; 003 gives Essex County Council figures for 2014/15
    "kind": "social_care", "id": "southend_council", "name": "Southend council (illustrative)",
    "budget": 60000, "budget_growth": 0.01, "cost": 61000, "cost_growth": 0.04,
    "savings": {"2020/21": 1500, "2021/22": 1000},
}


def cpr_with_provider_and_council() -> Scenario:
    """The bundled CPR scenario plus :data:`PROVIDER` and :data:`COUNCIL`, validated."""
    _, data, problems = check("cpr_2019_20")
    assert not problems
    data = copy.deepcopy(data)
    data["name"] = "cpr_with_provider_and_council"
    data["organisations"] += [PROVIDER, COUNCIL]
    s, problems = validate_data(data, "mixed")
    assert not problems, problems
    return s
