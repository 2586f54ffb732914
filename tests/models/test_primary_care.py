"""Tests for ccgmodels.models.primary_care: the primary care financial bridge and its levers.

Sources: 000 = the 2019/20 CPR & Southend operational plan (bridges at 000:L691-L715, in £m).
The baseline funding and STF rows (000:L700-L701, L713-L714) are read one column right, the only
alignment under which the printed end states (000:L702, L715) hold; the "no STF" end states are
those end states less the STF, written out below. The model works in £k.
"""

from __future__ import annotations

import numpy as np
import pytest

from ccgmodels.inputs.loading import load_scenario
from ccgmodels.models import primary_care as pc
from ccgmodels.models import results
from ccgmodels.models.run import run_scenario

BRIDGE_YEARS = ["2018/19", "2019/20", "2020/21"]
# printed end states, £m -> £k: CPR 000:L702, Southend 000:L715
PRINTED_END = {"cpr_ccg": [600, -600, 1100], "southend_ccg": [500, -500, 1600]}
SCENARIO = {"cpr_ccg": "cpr_2019_20", "southend_ccg": "southend_2019_20"}
ROUNDING = 100 + 1e-6  # the plan prints £m to one decimal (000:L695, L702, L715: ±0.1)


def bridge_of(org: str, **update) -> dict[str, np.ndarray]:
    b = load_scenario(SCENARIO[org]).org(org).primary_care_bridge
    return pc.bridge(b.model_copy(update=update))


def end_states(org: str, **update) -> dict[str, float]:
    lines = bridge_of(org, **update)
    years = list(load_scenario(SCENARIO[org]).org(org).primary_care_bridge.years)
    return dict(zip(years, lines["end_state"], strict=True))


@pytest.mark.parametrize("org", ["cpr_ccg", "southend_ccg"])
def test_end_states_reproduce_the_plan(org):
    got = end_states(org)
    for year, printed in zip(BRIDGE_YEARS, PRINTED_END[org], strict=True):
        assert abs(got[year] - printed) <= ROUNDING, (org, year, got[year], printed)


def test_cpr_end_states_exactly():
    # in-year + future model + baseline + STF (realigned, 000:L695-L702):
    # 2018/19: 0 - 1,400 + 2,000 + 0 = 600; 2019/20: (24,400 - 24,500) - 2,600 + 2,100 = -600;
    # 2020/21: -300 - 3,400 + 2,300 + 2,500 = 1,100
    got = end_states("cpr_ccg")
    assert [got[y] for y in BRIDGE_YEARS] == pytest.approx([600, -600, 1100])


@pytest.mark.parametrize("org", ["cpr_ccg", "southend_ccg"])
def test_future_model_is_the_subtotal_of_enablers(org):
    b = bridge_of(org)
    np.testing.assert_allclose(b["future_model"], b["workforce"] + b["estates"]
                               + b["other_enablers"])
    # CPR 000:L699 -1.4/-2.6/-3.4; Southend 000:L712 -1.4/-2.9/-3.5 (£m)
    expected = {"cpr_ccg": [-1400, -2600, -3400], "southend_ccg": [-1400, -2900, -3500]}
    np.testing.assert_allclose(b["future_model"][1:], expected[org])


def test_no_stf_gives_the_notes_end_states():
    # without STF, 2020/21 is CPR -1.4 (1.1 - 2.5, 000:L701-L702) and Southend -1.0 (1.6 - 2.6,
    # 000:L714-L715)
    assert end_states("cpr_ccg", stf_arrives=False)["2020/21"] == pytest.approx(-1400)
    assert end_states("southend_ccg", stf_arrives=False)["2020/21"] == pytest.approx(-1000)
    assert end_states("cpr_ccg", stf_arrives=False)["2019/20"] == pytest.approx(-600)


def test_stf_delayed_one_year_leaves_the_bridge():
    lines = bridge_of("cpr_ccg", stf_delay_years=1)
    # 2020/21 is the last bridge year: the money lands in 2021/22, outside it
    assert np.nansum(lines["stf"]) == 0
    assert end_states("cpr_ccg", stf_delay_years=1)["2020/21"] == pytest.approx(-1400)


def test_shift_later():
    np.testing.assert_allclose(pc.shift_later(np.array([1.0, 2.0, 3.0]), 1), [0, 1, 2])
    np.testing.assert_allclose(pc.shift_later(np.array([1.0, 2.0, 3.0]), 0), [1, 2, 3])
    np.testing.assert_allclose(pc.shift_later(np.array([1.0, 2.0, 3.0]), 5), [0, 0, 0])


def test_enabler_scale_makes_future_model_a_quarter_more_negative():
    base = bridge_of("cpr_ccg")
    scaled = bridge_of("cpr_ccg", enabler_scale=1.25)
    np.testing.assert_allclose(scaled["future_model"], 1.25 * base["future_model"])
    # 2020/21: -3,400 x 1.25 = -4,250; end state 1,100 - 850 = 250
    assert scaled["future_model"][-1] == pytest.approx(-4250)
    assert scaled["end_state"][-1] == pytest.approx(250)


def test_enabler_scale_broadcasts_one_value_per_run():
    scaled = bridge_of("cpr_ccg", enabler_scale=np.array([[1.0], [1.25]]))
    assert scaled["end_state"].shape == (2, 4)
    np.testing.assert_allclose(scaled["end_state"][:, -1], [1100, 250])


def test_income_follows_pccc_growth():
    # CPR 2017/18 income 22,900 grown at the 3.07% co-commissioning growth (23,587 to 24,311,
    # 000:L1980-L1984)
    b = load_scenario("cpr_2019_20").org("cpr_ccg").primary_care_bridge
    lines = pc.bridge(b.model_copy(update={"income_follows_pccc": True}), 0.0307)
    np.testing.assert_allclose(lines["income"], 22900 * 1.0307 ** np.arange(4))
    np.testing.assert_allclose(lines["in_year_position"], lines["income"]
                               - lines["expenditure"])


def test_check_bridge_names_the_broken_identity():
    lines = bridge_of("cpr_ccg")
    pc.check_bridge(lines)
    broken = {**lines, "end_state": lines["end_state"] + 1}
    with pytest.raises(AssertionError, match="end_state != in_year_position \\+ future_model"):
        pc.check_bridge(broken)
    broken = {**lines, "future_model": lines["future_model"] - 1}
    with pytest.raises(AssertionError, match="future_model != workforce \\+ estates"):
        pc.check_bridge(broken)
    broken = {**lines, "in_year_position": lines["in_year_position"] + 1}
    with pytest.raises(AssertionError, match="in_year_position != income - expenditure"):
        pc.check_bridge(broken)


def test_the_results_check_uses_the_same_bridge_identities():
    # one rule, two users: a bridge row changed in the table breaks the identity that
    # check_bridge would name, with the same words
    df = run_scenario("cpr_2019_20")
    hit = ((df["org"] == "cpr_ccg") & (df["measure"] == "pc_bridge")
           & (df["item"] == "in_year_position") & (df["year"] == "2019/20"))
    assert hit.sum() == 1
    bad = df.copy()
    bad.loc[hit, "value"] += 5
    found = results.check_identities(bad)
    own = found[found["org"] == "cpr_ccg"]
    assert set(own["identity"]) == {"bridge in_year_position = income - expenditure"}


def test_bridge_in_the_results_table():
    df = run_scenario("cpr_2019_20", {
        "organisations.cpr_ccg.primary_care_bridge.stf_arrives": False})
    end = df[(df["measure"] == "pc_bridge") & (df["item"] == "end_state")
             & (df["org"] == "cpr_ccg")].set_index("year")["value"]
    # 2017/18: the plan prints income and expenditure only, so no end state is made up
    assert list(end.index) == BRIDGE_YEARS
    assert end["2020/21"] == pytest.approx(-1400)
