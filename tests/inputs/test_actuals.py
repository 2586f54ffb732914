"""Actuals (or a forecast outturn) on a scenario: what loading checks (ccgmodels.inputs.actuals).

Measures and items are checked against the plan when the variance is worked out
(tests/models/test_outturn.py); here, the organisation, the basis and the figures' types.
"""

from __future__ import annotations

import pytest
from actuals_scenarios import ACTUALS, write

from ccgmodels.inputs.loading import load_scenario
from ccgmodels.inputs.problems import ScenarioError


def test_loads(tmp_path):
    s = load_scenario(write(tmp_path))
    assert s.actuals.basis == "forecast_outturn" and s.actuals.as_at == "month 9"
    assert s.actuals.figures["cpr_ccg"]["expenditure"] == {"acute": 144916, "prescribing": 28873}
    assert s.actuals.figures["cpr_ccg"]["surplus"] == -1420.1


def test_without_actuals_none():
    assert load_scenario("cpr_2019_20").actuals is None


def _problems(tmp_path, text) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(write(tmp_path, text))
    return [str(p) for p in info.value.problems]


def test_unknown_organisation(tmp_path):
    (p,) = _problems(tmp_path, ACTUALS.replace("    cpr_ccg:", "    cpr:"))
    assert "actuals.figures.cpr:" in p and "no organisation 'cpr'" in p and "cpr_ccg" in p


def test_unknown_basis(tmp_path):
    (p,) = _problems(tmp_path, ACTUALS.replace("forecast_outturn", "forecast"))
    assert "actuals.basis" in p and "forecast" in p


def test_figure_not_a_number(tmp_path):
    (p,) = _problems(tmp_path, ACTUALS.replace("acute: 144916", "acute: lots"))
    assert "actuals.figures.cpr_ccg.expenditure.acute" in p and "lots" in p
