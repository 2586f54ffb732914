"""A trust's workforce (ccgmodels.models.workforce): WTE by staff group after its efficiency
schemes' WTE changes, the pay bill, and the check that the base-year pay bill reconciles to
the stated pay cost within 1%.

Every expected figure is worked by hand below. Money in £k, staff in WTE.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest
from illustrative import PROVIDER

from ccgmodels.inputs.efficiency import Efficiency
from ccgmodels.inputs.loading import check, validate_data
from ccgmodels.inputs.workforce import Workforce
from ccgmodels.models import workforce as wf
from ccgmodels.models.run import run_scenario

YEARS = ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]
AWARD = {"2020/21": 0.03, "2021/22": 0.02, "2022/23": 0.02, "2023/24": 0.02}
DOCTORS = {"2019/20": 20, "2020/21": 22, "2021/22": 22, "2022/23": 22, "2023/24": 22}
WORKFORCE = {"pay_cost": 6180, "pay_award": AWARD, "agency_premium": 0.02, "bank_premium": 0.01,
             "staff_groups": [{"group": "nursing", "wte": 100, "cost_per_wte": 40},
                              {"group": "doctors", "wte": DOCTORS, "cost_per_wte": 100}]}
#: 10 fewer nurses from 2021/22 quarter 3 (half a year in it), in progress (p = 0.7)
SCHEME = {"id": "skill_mix", "name": "Skill mix", "type": "pay",
          "category": "workforce_establishment", "gross_saving": 400, "status": "in_progress",
          "start_year": "2021/22", "start_quarter": 3, "wte": -10, "staff_group": "nursing"}


def test_pay_bill_worked_by_hand():
    w = Workforce(**WORKFORCE)
    register = Efficiency(schemes=[SCHEME])
    changes = wf.scheme_wte_changes(register, YEARS)
    # -10 WTE x p 0.7 x phase: 0 before 2021/22, 0.5 in it (quarter 3: (5 - 3) / 4), 1 after
    np.testing.assert_allclose(changes["nursing"], [0, 0, -3.5, -7, -7])
    bill = wf.pay_bill(w, YEARS, changes)
    # base: (100 x 40 + 20 x 100) x (1 + 0.02 + 0.01) = 6,000 x 1.03
    assert bill["total"][0] == pytest.approx(6180.0)
    # 2020/21: (100 x 40 + 22 x 100) x 1.03 (award) x 1.03 (premia) = 6,200 x 1.0609
    assert bill["total"][1] == pytest.approx(6577.58)
    # 2021/22: (96.5 x 40 + 22 x 100) x 1.03 x 1.02 x 1.03 = 6,060 x 1.082118
    assert bill["total"][2] == pytest.approx(6557.63508)
    assert bill["nursing"][2] == pytest.approx(3860 * 1.082118)
    # 2023/24: (93 x 40 + 2,200) x 1.03 x 1.02^3 x 1.03 = 5,920 x 1.125795...
    assert bill["total"][4] == pytest.approx(5920 * 1.03 * 1.02 ** 3 * 1.03)
    np.testing.assert_allclose(bill["total"], bill["nursing"] + bill["doctors"])
    staff = wf.wte(w, YEARS, changes)
    np.testing.assert_allclose(staff["doctors"], [20, 22, 22, 22, 22])
    np.testing.assert_allclose(staff["nursing"], [100, 100, 96.5, 93, 93])


def test_a_pipeline_scheme_changes_no_wte():
    register = Efficiency(schemes=[{**SCHEME, "status": "pipeline"}])
    assert wf.scheme_wte_changes(register, YEARS) == {}


@pytest.mark.parametrize(("pay_cost", "warned"), [(6180, False), (6240, False), (6120, False),
                                                  (6300, True), (6000, True)])
def test_reconciliation_warns_beyond_one_per_cent(pay_cost, warned):
    # the base-year pay bill is 6,180: 6,240 and 6,120 are within 1% of their pay cost
    # (-60/6,240 = -0.96%, +60/6,120 = +0.98%); 6,300 (-1.9%) and 6,000 (+3.0%) are not
    w = Workforce(**{**WORKFORCE, "pay_cost": pay_cost})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        message = wf.check("suhft", "2019/20", w, 6180.0)
    flagged = [c for c in caught if issubclass(c.category, wf.WorkforceWarning)]
    assert bool(flagged) is warned and (message is not None) is warned
    if warned:
        text = str(flagged[0].message)
        assert text.startswith("suhft: the 2019/20 pay bill of its workforce, 6,180.0 £k")
        assert f"pay cost of {pay_cost:,.1f} £k" in text
        assert f"difference {6180 - pay_cost:+,.1f} £k" in text


def trust_scenario(workforce: dict, efficiency: dict | None = None):
    _, data, problems = check("cpr_2019_20")
    assert not problems
    data = copy.deepcopy(data)
    data["name"] = "cpr_with_a_workforce"
    trust = {**PROVIDER, "workforce": workforce, "consolidation": 0.5}
    if efficiency is not None:
        trust["efficiency"] = efficiency
    data["organisations"].append(trust)
    s, problems = validate_data(data, "workforce test")
    assert not problems, problems
    return s


def test_the_run_carries_wte_and_pay_bill_and_warns_on_a_pay_cost_out_of_line():
    s = trust_scenario({**WORKFORCE, "pay_cost": 7000}, {"schemes": [SCHEME]})
    with pytest.warns(wf.WorkforceWarning, match=r"suhft: the 2019/20 pay bill .* 6,180\.0 £k"
                                                 r".* pay cost of 7,000\.0 £k"):
        df = run_scenario(s)
    t = df[df["org"] == "suhft"]

    def row(measure, item):
        sel = t[(t["measure"] == measure) & (t["item"] == item)].sort_values("year")
        return sel["value"].to_numpy()

    # the whole trust's staff and pay bill, not its 50% footprint share
    np.testing.assert_allclose(row("workforce_wte", "nursing"), [100, 100, 96.5, 93, 93])
    np.testing.assert_allclose(row("workforce_wte", "total"), [120, 122, 118.5, 115, 115])
    assert row("pay_bill", "total")[1] == pytest.approx(6577.58)
    assert list(row("pay_cost_reconciliation", "difference")) == pytest.approx([-820.0])
    assert set(t[t["measure"] == "workforce_wte"]["unit"]) == {"WTE"}


def test_schemes_taking_a_group_below_zero_wte_are_flagged():
    w = Workforce(**WORKFORCE)
    register = Efficiency(schemes=[{**SCHEME, "wte": -200, "status": "delivered"}])
    # nursing 100 WTE: -200 x 0.5 in 2021/22 leaves 0, -200 after it leaves -100
    with pytest.warns(wf.WorkforceWarning, match=r"suhft: its efficiency schemes take the "
                      r"nursing staff group below 0 WTE in 2022/23, 2023/24"):
        wf.rows("suhft", w, YEARS, register)
