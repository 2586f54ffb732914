"""Tests for ccgmodels.models.schemes: QIPP phasing, delivery risk, target, gap and headroom.

Sources: 000 = the 2019/20 CPR & Southend operational plan, ``000:L2035`` its line 2035 (keys as
in ccgmodels/data/documents.yaml); the QIPP arithmetic is written out beside each check.
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
    # 100 £k/yr from Q3 of 2019/20: half (50) in year, the full 100 afterwards (000:L2041)
    s = [scheme(start_quarter=3)]
    np.testing.assert_allclose(sch.phases(s, YEARS), [[0.5, 1, 1]])
    np.testing.assert_allclose(sch.effects(s, YEARS), [[50, 100, 100]])


def test_part_year_effect_non_recurrent_only_in_year():
    s = [scheme(start_quarter=3, recurrent=False)]
    np.testing.assert_allclose(sch.effects(s, YEARS), [[50, 0, 0]])


def test_later_start_year():
    s = [scheme(start_year="2020/21", start_quarter=2)]
    np.testing.assert_allclose(sch.effects(s, YEARS), [[0, 75, 100]])


def test_start_before_the_base_brings_only_the_rest_of_its_full_year_effect():
    # started in 2018/19 Q3: half was in 2018/19's outturn, the other half arrives in 2019/20
    # (as the plan's "FYE of 18/19 schemes", 000:L2041); started in 2017/18: nothing new
    s = [scheme(start_year="2018/19", start_quarter=3, net_saving=2090.0),
         scheme(id="old", start_year="2017/18"),
         scheme(id="one_off", start_year="2018/19", recurrent=False)]
    np.testing.assert_allclose(sch.effects(s, YEARS), [[1045, 1045, 1045], [0, 0, 0],
                                                      [0, 0, 0]])


def test_savings_are_indexed_with_their_line_and_investment_booked_to_its_own():
    # gross 180 off acute (growing 10% a year), investment 100 onto community (flat): the net
    # saving is 180 x 1.1 ** t - 100, and the lines move by -180 x 1.1 ** t and +100
    s = [scheme(net_saving=None, gross_saving=180.0, investment=100.0,
                investment_line="community")]
    index = {"acute": np.array([1.0, 1.1, 1.21]), "community": np.ones(3)}
    np.testing.assert_allclose(sch.effects(s, YEARS, index), [[80, 98, 117.8]])
    lines = sch.by_line(s, YEARS, index)
    np.testing.assert_allclose(lines["acute"], [180, 198, 217.8])
    np.testing.assert_allclose(lines["community"], [-100, -100, -100])


def test_a_net_cost_scheme_is_allowed():
    # the children's programme: investment 2,121,916 against reductions of 1,997,878
    # (000:L1007, L1018): 1,997.878 - 2,121.916 = a net cost of 124 £k
    s = scheme(net_saving=None, gross_saving=1997.878, investment=2121.916)
    assert s.net == pytest.approx(-124.038)
    np.testing.assert_allclose(sch.effects([s], YEARS), [[-124.038] * 3])


def test_no_schemes_gives_empty_arrays():
    assert sch.effects([], YEARS).shape == (0, 3)
    assert sch.by_line([], YEARS) == {}


def test_scheme_net_and_gross():
    s = scheme(net_saving=None, gross_saving=180.0, investment=27.0)
    assert (s.net, s.gross) == (153.0, 180.0)


# --- target, gap, headroom ------------------------------------------------------------------


def test_targets_stated_base_then_the_requirement():
    # base year: the stated 8,264 (000:L2035); after it, what the gap requires
    q = Qipp(rate=0.03, target=8264)
    t = sch.targets(q, np.array([7684.0, 12726.0]), np.array([7858.0, 8562.0]))
    np.testing.assert_allclose(t, [8264, 12726])
    # a stated gap and known schemes: the base-year target is the schemes plus the gap
    t = sch.targets(Qipp(unidentified=235), np.array([1225.0, 6438.0]),
                    np.array([1600.0, 2422.0]))
    np.testing.assert_allclose(t, [1835, 6438])
    # nothing stated: the requirement every year
    np.testing.assert_allclose(sch.targets(Qipp(), np.array([30.0]), np.array([0.0])), [30])


def test_summary_by_hand():
    out = sch.summary(np.array([100.0]), np.array([80.0]), np.array([60.0]), 0.2,
                      np.array([90.0]), np.array([30.0]))
    assert out["unidentified"][0] == 20.0  # 100 - 80
    assert out["headroom_target"][0] == pytest.approx(20.0)  # 0.2 x 100
    assert out["pipeline_target"][0] == pytest.approx(120.0)
    assert (out["required"][0], out["planning_rule"][0]) == (90.0, 30.0)
    # identified beyond the target leaves no gap, never a negative one
    over = sch.summary(np.array([100.0]), np.array([130.0]), np.array([130.0]), 0.2,
                       np.array([100.0]), np.array([30.0]))
    assert over["unidentified"][0] == 0.0


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
    # pipeline 8,264 + 1,652.8 = 9,916.8, i.e. 9,917 (000:L2035 + 20%, 000:L2036 prints 1,653)
    assert value(cpr, "qipp", "pipeline_target") == pytest.approx(9917, abs=0.5)


def test_cpr_qipp_by_status_and_category(cpr):
    # 000:L2041-L2068: delivered 1,045+811+726+84+65 = 2,731; in progress 5,127; scoping 0
    assert value(cpr, "qipp_status", "delivered") == pytest.approx(2731)
    assert value(cpr, "qipp_status", "in_progress") == pytest.approx(5127)
    assert value(cpr, "qipp_status", "scoping") == 0
    # summary by category, 000:L2029-L2033
    for cat, v in {"acute": 4681, "continuing_care": 1000, "prescribing": 1712,
                   "other_programme": 65, "running_costs": 400}.items():
        assert value(cpr, "qipp_category", cat) == pytest.approx(v), cat
    # risk adjusted with the ASSUMPTION probabilities 1.0 / 0.7: 2,731 + 0.7 x 5,127 = 6,319.9
    assert value(cpr, "qipp", "risk_adjusted") == pytest.approx(6319.9)


def test_cpr_recurrent_savings_carry_forward_indexed_with_their_line(cpr):
    # 2020/21: the 7,858 of 2019/20 schemes, each grown with its line, plus the 350 second phase
    # of the running-cost reduction (000:L1951); the acute schemes grow with the acute line
    acute = cpr[(cpr["org"] == "cpr_ccg") & (cpr["measure"] == "expenditure")
                & (cpr["item"] == "acute")].sort_values("year")["value"].to_numpy()
    dn = value(cpr, "qipp_category", "acute", "2020/21") / value(cpr, "qipp_category", "acute")
    assert dn > 1.03  # acute grows with demand and prices, and so do its savings
    identified = value(cpr, "qipp", "identified", "2020/21")
    assert 7858 + 350 < identified < 7858 * 1.06 + 350
    assert acute[1] > acute[0]


def test_part_year_start_through_the_model():
    # Avastin (84 £k, 000:L2044) moved to a Q3 start: 42 in 2019/20, the other 42 in 2020/21
    df = run_scenario("cpr_2019_20",
                      {"organisations.cpr_ccg.qipp.schemes.avastin.start_quarter": 3})
    assert value(df, "qipp_scheme", "avastin") == pytest.approx(42)
    # the full-year 84 in 2020/21, grown with the acute line's do-nothing index
    g = value(df, "qipp_scheme", "ebi_msb", "2020/21") / 811  # a Q1 acute scheme's index
    assert value(df, "qipp_scheme", "avastin", "2020/21") == pytest.approx(84 * g)
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
    assert ("organisations.cpr_ccg.qipp.schemes: savings of 5,750 £k in running_costs are "
            "larger than the running_costs spend line they reduce (3,486 £k)") in str(err.value)


# --- many runs at once ------------------------------------------------------------------------


def test_run_sums_equal_the_element_wise_sums():
    # pipeline, non-recurrent, a joint share and investment on another line, each line's index
    # drawn per run: the matrix products give the qipp and solutions sums to the last bits
    schemes = [
        scheme(id="a", net_saving=100.0, investment=20.0, investment_line="mental_health"),
        scheme(id="b", category="community", status="in_progress", net_saving=50.0,
               start_year="2020/21", start_quarter=3),
        scheme(id="c", status="pipeline", net_saving=70.0, share=0.4),
        scheme(id="d", status="in_progress", net_saving=30.0, recurrent=False,
               start_year="2019/20", start_quarter=2),
        scheme(id="e", category="community", net_saving=-10.0, investment=15.0),
    ]
    rng = np.random.default_rng(3)
    runs, n = 64, len(YEARS)
    index = {line: np.cumprod(1 + rng.uniform(0.0, 0.05, (runs, n)), axis=1)
             for line in ("acute", "community", "mental_health")}
    p = (rng.random((runs, len(schemes))) < 0.6) * 1.0
    got = sch.run_sums(schemes, YEARS, index, p)
    e = sch.effects(schemes, YEARS, index)  # (R, S, n)
    mask = sch.plan_mask(schemes)
    flags = np.array([float(not s.recurrent) for s in schemes])[:, None]
    want = {"identified": (mask * e).sum(axis=-2), "pipeline": ((1 - mask) * e).sum(axis=-2),
            "risk_adjusted": (mask * p[..., None] * e).sum(axis=-2),
            "delivered": (p[..., None] * e).sum(axis=-2),
            "slipped": (mask * (1 - p[..., None]) * e).sum(axis=-2),
            "non_recurrent": (flags * p[..., None] * e).sum(axis=-2)}
    for name, w in want.items():
        assert np.abs(w).max() > 1.0, name  # every sum has something in it
        np.testing.assert_allclose(getattr(got, name), w, rtol=1e-13, atol=1e-10, err_msg=name)
    lines = sch.by_line(schemes, YEARS, index)
    assert set(got.by_line) == set(lines)
    for line, w in lines.items():
        np.testing.assert_allclose(got.by_line[line], w, rtol=1e-13, err_msg=line)


def test_run_sums_only_for_schemes_of_one_value_each():
    assert sch.by_terms([scheme()])
    assert not sch.by_terms([])
    assert not sch.by_terms([scheme().model_copy(update={"gross_saving": np.ones((4, 1))})])
