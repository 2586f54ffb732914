"""Tests for ccgmodels.models.schemes: QIPP phasing, delivery risk, target, gap and headroom.

Sources: 000 = the 2019/20 CPR & Southend operational plan, ``000:L2035`` its line 2035; NOTES.md
is /work/shared/sources/NOTES.md (section 1.1.11 checks the QIPP arithmetic).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml

from ccgmodels.inputs.loading import ScenarioError, check, load_scenario
from ccgmodels.inputs.scenario import Qipp, Scheme
from ccgmodels.models import schemes as sch
from ccgmodels.models.run import run_scenario

YEARS = ["2019/20", "2020/21", "2021/22"]


def scheme(**kw) -> Scheme:
    return Scheme(**{"id": "s", "name": "S", "category": "acute", "status": "delivered",
                     "net_saving": 100.0, **kw})


def value(df, measure, item, year="2019/20", org="cpr_ccg") -> float:
    sel = df[(df["org"] == org) & (df["measure"] == measure) & (df["item"] == item)
             & (df["year"] == year)]
    assert len(sel) == 1, (measure, item, year)
    return float(sel["value"].iloc[0])


# --- phasing --------------------------------------------------------------------------------


@pytest.mark.parametrize(("quarter", "share"), [(1, 1.0), (2, 0.75), (3, 0.5), (4, 0.25)])
def test_start_fraction(quarter, share):
    # (5 - q) / 4: a Q3 start runs for Q3 and Q4, half the year
    assert sch.start_fraction(quarter) == share


def test_start_fraction_rejects_a_fifth_quarter():
    with pytest.raises(ValueError, match="quarter must be 1 to 4"):
        sch.start_fraction(5)


def test_part_year_effect_recurrent():
    # 100 £k/yr from Q3 of 2019/20: half (50) in year, the full 100 afterwards; it counts 50
    # towards 2019/20's QIPP and the remaining full-year effect 50 towards 2020/21 (000:L2041)
    s = [scheme(start_quarter=3)]
    eff = sch.effects(s, YEARS)
    np.testing.assert_allclose(eff, [[50, 100, 100]])
    np.testing.assert_allclose(sch.qipp_contributions(s, eff), [[50, 50, 0]])


def test_part_year_effect_non_recurrent_only_in_year():
    s = [scheme(start_quarter=3, recurrent=False)]
    eff = sch.effects(s, YEARS)
    np.testing.assert_allclose(eff, [[50, 0, 0]])
    np.testing.assert_allclose(sch.qipp_contributions(s, eff), [[50, 0, 0]])


def test_later_start_year():
    s = [scheme(start_year="2020/21", start_quarter=2)]
    eff = sch.effects(s, YEARS)
    np.testing.assert_allclose(eff, [[0, 75, 100]])
    np.testing.assert_allclose(sch.qipp_contributions(s, eff), [[0, 75, 25]])


def test_no_schemes_gives_empty_arrays():
    eff = sch.effects([], YEARS)
    assert eff.shape == (0, 3)
    assert sch.qipp_contributions([], eff).shape == (0, 3)


def test_scheme_net_and_gross():
    s = scheme(net_saving=None, gross_saving=180.0, investment=27.0)
    assert (s.net, s.gross) == (153.0, 180.0)


# --- target, gap, headroom ------------------------------------------------------------------


def test_targets_stated_base_then_rate_times_allocation():
    q = Qipp(rate=0.03, target=8264)
    t = sch.targets(q, np.array([275220.0, 290000.0]))
    # 000:L2035 8,264 stated; then 3% x 290,000 = 8,700 (000:L2021 rule)
    np.testing.assert_allclose(t, [8264, 8700])
    np.testing.assert_allclose(sch.targets(Qipp(rate=0.03), np.array([1000.0])), [30.0])


def test_summary_by_hand():
    out = sch.summary(np.array([100.0]), np.array([80.0]), np.array([60.0]), 0.2)
    assert out["unidentified"][0] == 20.0  # 100 - 80
    assert out["headroom_target"][0] == pytest.approx(20.0)  # 0.2 x 100
    assert out["pipeline_target"][0] == pytest.approx(120.0)


def test_delivery_probabilities_by_status():
    q = Qipp(delivery_probability={"delivered": 1.0, "in_progress": 0.7},
             schemes=[scheme(id="a"), scheme(id="b", status="in_progress"),
                      scheme(id="c", status="scoping")])
    # scoping not given: 0; the unidentified gap has no probability given either: 0
    p, gap = sch.delivery_probabilities(q)
    np.testing.assert_allclose(p, [1.0, 0.7, 0.0])
    assert gap == 0.0


def test_delivery_probabilities_per_run_are_clipped_to_0_1():
    q = Qipp(schemes=[scheme(id="a", status="in_progress")])
    q = q.model_copy(update={"delivery_probability": {
        "in_progress": np.array([[0.5], [1.2], [-0.1]]), "unidentified": 0.3}})
    p, gap = sch.delivery_probabilities(q)
    np.testing.assert_allclose(p, [[0.5], [1.0], [0.0]])
    assert gap == pytest.approx(0.3)


def test_group_sum():
    out = sch.group_sum(["a", "b", "a"], np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    np.testing.assert_allclose(out["a"], [6, 8])
    np.testing.assert_allclose(out["b"], [3, 4])


# --- the CPR 2019/20 programme (000:L2019-L2068) ----------------------------------------------


@pytest.fixture(scope="module")
def cpr():
    return run_scenario("cpr_2019_20")


def test_cpr_qipp_reproduces_the_plan(cpr):
    assert value(cpr, "qipp", "target") == 8264  # 000:L2035
    assert value(cpr, "qipp", "identified") == pytest.approx(7858)  # schemes 000:L2041-L2068
    assert value(cpr, "qipp", "unidentified") == pytest.approx(406)  # planning gap, 000:L2034
    # 20% x 8,264 = 1,652.8, printed 1,653 (000:L2036)
    assert value(cpr, "qipp", "headroom_target") == pytest.approx(1652.8)
    assert round(value(cpr, "qipp", "headroom_target")) == 1653
    # pipeline 8,264 + 1,652.8 = 9,916.8; NOTES.md 1.1.11 prints 9,917
    assert value(cpr, "qipp", "pipeline_target") == pytest.approx(9917, abs=0.5)


def test_cpr_qipp_by_status_and_category(cpr):
    # NOTES.md 1.1.11: delivered 1,045+811+726+84+65 = 2,731; in progress 5,127; scoping 0
    assert value(cpr, "qipp_status", "delivered") == pytest.approx(2731)
    assert value(cpr, "qipp_status", "in_progress") == pytest.approx(5127)
    assert value(cpr, "qipp_status", "scoping") == 0
    # summary by category, 000:L2029-L2033
    for cat, v in {"acute": 4681, "continuing_care": 1000, "prescribing": 1712,
                   "other_programme": 65, "running_costs": 400}.items():
        assert value(cpr, "qipp_category", cat) == pytest.approx(v), cat
    # risk adjusted with the ASSUMPTION probabilities 1.0 / 0.7: 2,731 + 0.7 x 5,127 = 6,319.9
    assert value(cpr, "qipp", "risk_adjusted") == pytest.approx(6319.9)


def test_cpr_schemes_count_in_the_base_year_only(cpr):
    # every CPR scheme starts Q1 of 2019/20 and recurs: its full effect is already in 2019/20
    assert value(cpr, "qipp", "identified", "2020/21") == 0
    assert value(cpr, "solutions", "schemes", "2020/21") == pytest.approx(6319.9)


def test_part_year_start_through_the_model():
    # Avastin (84 £k, 000:L2044) moved to a Q3 start: 42 in 2019/20, the other 42 in 2020/21
    df = run_scenario("cpr_2019_20",
                      {"organisations.cpr_ccg.qipp.schemes.avastin.start_quarter": 3})
    assert value(df, "qipp_scheme", "avastin") == pytest.approx(42)
    assert value(df, "qipp_scheme", "avastin", "2020/21") == pytest.approx(42)
    assert value(df, "qipp", "identified") == pytest.approx(7858 - 42)


# --- invalid scheme lists: validated in validation.py -----------------------------------------


def cpr_data() -> dict:
    _, data, problems = check("cpr_2019_20")
    assert not problems
    return copy.deepcopy(data)


def load_modified(tmp_path, data) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_scenario(path)


def test_scheme_under_two_categories_is_an_error(tmp_path):
    data = cpr_data()
    schemes = data["organisations"][0]["qipp"]["schemes"]
    schemes.append({**schemes[3], "id": "avastin_again", "category": "prescribing"})
    with pytest.raises(ScenarioError) as err:
        load_modified(tmp_path, data)
    msg = str(err.value)
    assert "organisations.cpr_ccg.qipp.schemes.avastin_again.category" in msg
    assert "scheme 'Avastin' is counted under two categories (acute and prescribing)" in msg


def test_savings_larger_than_their_spend_line_is_an_error(tmp_path):
    data = cpr_data()
    data["organisations"][0]["qipp"]["schemes"].append(
        {"id": "huge", "name": "Huge", "category": "running_costs", "net_saving": 5000,
         "status": "scoping"})
    with pytest.raises(ScenarioError) as err:
        load_modified(tmp_path, data)
    # 400 (Running Cost Efficiencies) + 5,000 = 5,400 > the 3,486 running costs line (000:L2009)
    assert ("organisations.cpr_ccg.qipp.schemes: savings of 5,400 £k in running_costs are "
            "larger than the running_costs spend line they reduce (3,486 £k)") in str(err.value)
