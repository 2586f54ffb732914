"""The risk register's arithmetic (ccgmodels/models/risks.py) and its Monte Carlo
(ccgmodels/models/uncertainty.py): expected values worked by hand, the footprint, the draws,
and the tornado naming risks by the register's names."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from risk_scenarios import base_data, scenario, with_registers

from ccgmodels.models import risks
from ccgmodels.models import uncertainty as u
from ccgmodels.models.run import run_scenario

END = "2023/24"


@pytest.fixture(scope="module")
def registered():
    return scenario(with_registers())


@pytest.fixture(scope="module")
def table(registered):
    return run_scenario(registered)


def value(df, org, measure, item="", year="2019/20"):
    sel = df[(df["org"] == org) & (df["measure"] == measure) & (df["item"] == item)
             & (df["year"] == year)]
    assert len(sel) == 1, (org, measure, item, year)
    return float(sel["value"].iloc[0])


def test_expected_values_worked_by_hand(table):
    # CCG: gross = most likely 5,000; net = 0.4 * (2,000 + 5,000 + 9,000) / 3 = 2,133.333;
    # mitigations = 0.6 * 3,000 = 1,800; risk-adjusted = do something - 2,133.333 + 1,800
    assert value(table, "cpr_ccg", "risk_register", "gross_risk") == pytest.approx(5000)
    assert value(table, "cpr_ccg", "risk_register", "net_risk") == pytest.approx(6400 / 3)
    assert value(table, "cpr_ccg", "risk_register", "mitigations") == pytest.approx(1800)
    for year in ("2019/20", END):
        ds = value(table, "cpr_ccg", "do_something_surplus", year=year)
        assert value(table, "cpr_ccg", "risk_adjusted_surplus", year=year) == pytest.approx(
            ds - 6400 / 3 + 1800)
    # provider at its 50% share: a certain 1,000 risk is 500 of the footprint's
    assert value(table, "suhft", "risk_register", "net_risk") == pytest.approx(500)
    assert value(table, "suhft", "risk_register", "gross_risk") == pytest.approx(500)
    assert value(table, "suhft", "risk_adjusted_surplus") == pytest.approx(
        value(table, "suhft", "do_something_surplus") - 500)


def test_footprint_counts_a_body_without_a_register_at_its_do_something(table):
    # the council has no register: no rows of its own, and the footprint's risk-adjusted
    # position is its do something less every net risk plus every mitigation
    council = table[table["org"] == "southend_council"]
    assert not council["measure"].isin(["risk_register", "risk_adjusted_surplus"]).any()
    fp = value(table, "footprint", "do_something_surplus") - (6400 / 3 + 500) + 1800
    assert value(table, "footprint", "risk_adjusted_surplus") == pytest.approx(fp)
    assert value(table, "footprint", "risk_register", "net_risk") == pytest.approx(
        6400 / 3 + 500)


def test_no_register_no_rows():
    df = run_scenario(scenario(base_data()))
    assert not df["measure"].isin(["risk_register", "risk_adjusted_surplus"]).any()


def test_triangular_quantile_matches_its_mean_and_ends():
    q = risks.triangular_quantile(np.linspace(0, 1, 200001), 2000.0, 5000.0, 9000.0)
    assert q[0] == pytest.approx(2000) and q[-1] == pytest.approx(9000)
    assert q.mean() == pytest.approx(16000 / 3, rel=1e-4)  # (low + mode + high) / 3
    flat = risks.triangular_quantile(np.array([0.0, 0.3, 1.0]), 1000.0, 1000.0, 1000.0)
    assert list(flat) == [1000.0, 1000.0, 1000.0]


def test_run_0_is_the_deterministic_model_and_chunks_do_not_matter(registered, table):
    sim = u.simulate(registered, 300, seed=7, chunk_size=64)
    for org in ("cpr_ccg", "suhft", "footprint"):
        det = table[(table["org"] == org) & (table["measure"] == "risk_adjusted_surplus")]
        assert np.array_equal(sim.get(org, "risk_adjusted_surplus")[0],
                              det.sort_values("year")["value"].to_numpy())
    again = u.simulate(registered, 300, seed=7, chunk_size=300)
    assert np.array_equal(again.get("footprint", "risk_adjusted_surplus"),
                          sim.get("footprint", "risk_adjusted_surplus"))


def test_a_certain_risk_of_one_size_shifts_every_run_by_exactly_its_value():
    # likelihood 1, low = high = 1,000 on the provider (at 50%): every run 500 lower
    s = scenario(with_registers(ccg=False))
    sim = u.simulate(s, 200, seed=3)
    shift = (sim.get("suhft", "do_something_surplus")
             - sim.get("suhft", "risk_adjusted_surplus"))
    assert np.array_equal(shift, np.full_like(shift, 500.0))
    fp = (sim.get("footprint", "do_something_surplus")
          - sim.get("footprint", "risk_adjusted_surplus"))
    assert np.allclose(fp, 500.0, rtol=0, atol=1e-9)


def test_draws_follow_the_likelihood_and_the_range_and_leave_other_draws_alone(registered):
    runs = 4001
    sim = u.simulate(registered, runs, seed=11)
    net = sim.get("cpr_ccg", "risk_register", "net_risk")[1:]
    assert np.all(net == net[:, :1])  # one size a run, every year alike
    occurs = net[:, 0] > 0
    # Bernoulli(0.4) over 4,000 runs: standard error 0.0077, so 0.4 +- 0.04 is > 5 errors
    assert abs(occurs.mean() - 0.4) < 0.04
    sizes = net[occurs, 0]
    assert sizes.min() >= 2000 and sizes.max() <= 9000
    assert abs(sizes.mean() - 16000 / 3) < 150  # sd 1,434 / sqrt(1,600) = 36: > 4 errors
    mit = sim.get("cpr_ccg", "risk_register", "mitigations")[1:, 0]
    assert set(np.unique(mit)) <= {0.0, 3000.0} and abs((mit > 0).mean() - 0.6) < 0.04
    # the register has its own stream: the other draws are those of the scenario without it
    plain = u.simulate(scenario(base_data()), runs, seed=11)
    assert np.array_equal(plain.get("footprint", "do_something_surplus"),
                          sim.get("footprint", "do_something_surplus"))
    summary = u.summarise(sim)
    prob = summary[(summary["org"] == "footprint")
                   & (summary["measure"] == "risk_adjusted_surplus")
                   & (summary["stat"] == "prob_surplus_ge_0")]
    assert len(prob) == 5


def test_tornado_names_risks_and_mitigations_by_the_register(registered, table):
    t = u.tornado(registered)
    assert t.attrs["measure"] == "risk_adjusted_surplus"
    row = t[t["name"] == "Risk: Elective activity below plan"].iloc[0]
    central = value(table, "footprint", "risk_adjusted_surplus", year=END)
    assert row["central"] == pytest.approx(central)
    # not materialising gives back its expected 2,133.33; at its high it costs 9,000
    assert row["value_low"] == pytest.approx(central + 6400 / 3)
    assert row["value_high"] == pytest.approx(central + 6400 / 3 - 9000)
    assert row["swing"] == pytest.approx(9000)
    mit = t[t["name"] == "Mitigation: Vacancy control"].iloc[0]
    assert mit["value_high"] - mit["value_low"] == pytest.approx(3000)
    # the provider's risk at its 50% share
    pay = t[t["name"] == "Risk: Pay award above funding"].iloc[0]
    assert pay["swing"] == pytest.approx(500)
    assert t.loc[t["name"] == "", "assumption"].str.startswith("organisations.").all()
    # a body without a register: its do-something position, no register rows
    council = u.tornado(registered, org="southend_council")
    assert council.attrs["measure"] == "do_something_surplus"
    assert (council["name"] == "").all()


def test_a_council_has_no_register_money_before_its_first_year():
    data = with_registers(ccg=False, provider=False)
    council = next(o for o in data["organisations"] if o["id"] == "southend_council")
    council["first_year"] = "2021/22"
    council["savings"] = {}
    council["risks"] = [{"id": "care_costs", "name": "Care costs", "likelihood": 0.5,
                         "low": 300, "high": 900}]
    df = run_scenario(scenario(data))
    # 0.5 * (300 + 600 + 900) / 3 = 300 from 2021/22, nothing before
    net = [value(df, "southend_council", "risk_register", "net_risk", year=y)
           for y in ("2019/20", "2020/21", "2021/22", "2023/24")]
    assert net == pytest.approx([0, 0, 300, 300])
    t = u.tornado(scenario(data), org="southend_council", year="2020/21")
    assert t.loc[t["name"] == "Risk: Care costs", "swing"].iloc[0] == 0


_money = st.floats(0, 1e6, allow_nan=False)
_risk = st.tuples(_money, _money, _money, st.floats(0, 1)).map(
    lambda t: (*sorted(t[:3]), t[3]))  # low <= most likely <= high, likelihood


@settings(max_examples=40, deadline=None)
@given(st.lists(_risk, min_size=1, max_size=5), st.floats(0, 1), st.floats(0, 1))
def test_net_risk_lies_between_the_lows_and_highs_and_grows_with_likelihood(rows, u0, scale):
    low, mode, high, p = (np.array(c, dtype=float)[:, None] for c in zip(*rows, strict=True))
    reg = risks.Ranges(low, mode, high, p[:, 0], np.zeros((0, 1)), np.zeros(0))
    gross, net, mit = risks.expected(reg)
    tol = 1e-9 * (1 + high.sum())  # rounding of sums and square roots of ~1e6 £k
    assert (p[:, 0] @ low)[0] - tol <= net[0] <= (p[:, 0] @ high)[0] + tol
    assert gross[0] == pytest.approx(mode.sum()) and mit[0] == 0
    lower = risks.Ranges(low, mode, high, p[:, 0] * scale, reg.value, reg.probability)
    assert risks.expected(lower)[1][0] <= net[0] + tol
    # a quantile lies in its range and rises with the draw
    q = risks.triangular_quantile(np.array([u0, min(u0 + 0.1, 1.0)])[:, None], low[:, 0],
                                  mode[:, 0], high[:, 0])
    assert np.all(q >= low[:, 0] - tol) and np.all(q <= high[:, 0] + tol)
    assert np.all(q[1] >= q[0] - tol)
