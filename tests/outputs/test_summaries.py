"""Tests for ccgmodels.outputs.summaries: the STP summary, headline and key figures, each the
same from a results table in memory and from ``results.csv`` read back.

Sources: 004 = the NHS England STP plans on a page examples (the summary template, L69-77).
Sign: surplus positive, deficit negative; solutions positive.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from frames import series, value
from illustrative import cpr_with_provider_and_council

from ccgmodels.inputs import refdata
from ccgmodels.models.results import read_tidy, write_tidy
from ccgmodels.models.run import run_scenario
from ccgmodels.outputs import summaries

YEARS = ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]
MIXED_ORGS = [
    {"kind": "provider", "id": "suhft", "name": "Southend Hospital (illustrative)",
     "income": 10000, "other_income_growth": 0.02, "cost": 10500,
     "cost_volume_growth": 0.03,
     "efficiency_rate": 0.01, "stf": {"2020/21": 2000}},
    {"kind": "social_care", "id": "southend_council", "name": "Southend Council (illustrative)",
     "budget": 5000, "budget_growth": 0.01, "cost": 5200, "cost_growth": 0.04,
     "savings": {"2020/21": 300}},
]


@pytest.fixture(scope="module")
def fp():
    return run_scenario("footprint_2019_20")


@pytest.fixture(scope="module")
def mixed():
    """CPR with an illustrative provider and council: every row of the STP summary is used."""
    from ccgmodels.inputs.loading import check, validate_data

    _, data, _ = check("cpr_2019_20")
    data = {**data, "organisations": [*data["organisations"], *MIXED_ORGS]}
    scenario, problems = validate_data(data, "mixed")
    assert problems == []
    return run_scenario(scenario)


@pytest.fixture(scope="module")
def cpr_mixed():
    """The bundled CPR scenario plus the tests' illustrative provider and council."""
    return run_scenario(cpr_with_provider_and_council())


@pytest.fixture(scope="module")
def system():
    return run_scenario("mid_south_essex_system_2019_20")


def read_back(df: pd.DataFrame, tmp_path) -> pd.DataFrame:
    write_tidy(df, tmp_path / "results.csv")
    return read_tidy(tmp_path / "results.csv")


def test_stp_summary_rows_add_up(fp):
    t = summaries.stp_summary(fp, "2020/21")
    assert list(t.index) == list(summaries.STP_ROWS)
    rows = dict(zip(["comm", "prov", "nhs", "stf", "after", "sc", "total"], t.index,
                    strict=True))
    for col in ("Do Nothing", "Solutions", "Do Something"):
        c = t[col]
        assert c[rows["nhs"]] == pytest.approx(c[rows["comm"]] + c[rows["prov"]])
        assert c[rows["after"]] == pytest.approx(c[rows["nhs"]] + c[rows["stf"]])
        assert c[rows["total"]] == pytest.approx(c[rows["after"]] + c[rows["sc"]])
    np.testing.assert_allclose(t["Do Something"], t["Do Nothing"] + t["Solutions"])
    # commissioner row = both CCGs' do nothing in 2020/21
    dn = sum(series(fp, "do_nothing_surplus", "", o)[1] for o in ("cpr_ccg", "southend_ccg"))
    assert t.loc[rows["comm"], "Do Nothing"] == pytest.approx(dn)


@pytest.mark.parametrize("year", ["2019/20", "2023/24"])
def test_stp_summary_from_results_csv_equals_the_one_in_memory(mixed, tmp_path, year):
    memory = summaries.stp_summary(mixed, year)
    disk = summaries.stp_summary(read_back(mixed, tmp_path), year)
    pd.testing.assert_frame_equal(disk, memory, rtol=0, atol=1e-6)
    # not all zeros: the provider, its STF and the council reach their rows
    assert memory.loc["Provider Surplus / (Deficit)", "Do Nothing"] == pytest.approx(
        series(mixed, "do_nothing_surplus", org="suhft")[YEARS.index(year)])
    assert memory.loc["Social Care Surplus / (Deficit)", "Do Nothing"] != 0
    assert (memory.abs().to_numpy() > 0).sum() >= 10


def test_stp_summary_of_a_year_outside_the_results_is_refused(fp):
    with pytest.raises(ValueError, match="no results for 2030/31; years are"):
        summaries.stp_summary(fp, "2030/31")


def test_stp_summary_without_kinds_is_refused(fp):
    with pytest.raises(ValueError, match="kind column"):
        summaries.stp_summary(fp.drop(columns="kind"), "2020/21")


@pytest.mark.parametrize(("surplus", "expected"), [
    ([-5.0, -3.0, 0.0, 2.0], ("2021/22", -8.0)),  # break-even counts as balance
    ([1.0, -3.0, 2.0, 2.0], ("2019/20", 0.0)),
    ([-1.0, -2.0, -3.0, -4.0], (None, -10.0)),
    ([-1.0, 5.0, -3.0, 4.0], ("2020/21", -1.0)),
])
def test_first_year_of_balance(surplus, expected):
    assert summaries.first_year_of_balance(YEARS[:4], surplus) == expected


@pytest.mark.parametrize("org", ["footprint", "cpr_ccg", "southend_ccg"])
def test_headline_and_key_figures_from_results_csv_equal_the_ones_in_memory(fp, tmp_path, org):
    disk = read_back(fp, tmp_path)
    pd.testing.assert_frame_equal(summaries.headline(disk, org), summaries.headline(fp, org),
                                  rtol=0, atol=1e-6)
    a, b = summaries.key_figures(fp, org), summaries.key_figures(disk, org)
    assert a.keys() == b.keys()
    for k in a:
        assert b[k] == (pytest.approx(a[k], abs=1e-6) if isinstance(a[k], float) else a[k])


def test_key_figures_pick_the_end_and_base_year(fp):
    k = summaries.key_figures(fp)
    assert (k["base_year"], k["end_year"]) == ("2019/20", "2023/24")
    assert k["do_something"] == pytest.approx(series(fp, "do_something_surplus",
                                                     org="footprint")[-1])
    assert k["qipp_gap"] == pytest.approx(series(fp, "qipp", "unidentified", "footprint")[0])
    assert k["prob_surplus_ge_0"] is None  # no Monte Carlo summary given


def test_open_scenario_refuses_an_unknown_org():
    opened = summaries.open_scenario("cpr_2019_20", org="cpr_ccg")
    assert opened.org == "cpr_ccg" and "money in £k" in opened.intro
    with pytest.raises(ValueError, match="org 'nowhere' is not in scenario cpr_2019_20"):
        summaries.open_scenario("cpr_2019_20", org="nowhere")


def test_real_terms_toggle_shows_base_year_prices_and_keeps_cash():
    cash = summaries.open_scenario("cpr_2019_20")
    real = summaries.open_scenario("cpr_2019_20", real_terms=True)
    assert "(cash)" in cash.intro and "2019/20 prices" in real.intro
    pd.testing.assert_frame_equal(real.results, cash.results)  # the files stay in cash
    a = summaries.headline(cash.shown, "footprint")
    b = summaries.headline(real.shown, "footprint")
    # 2% a year deflator (the scenario's labelled ASSUMPTION): 2023/24 is 1.02 ** 4 lower
    np.testing.assert_allclose(b["2023/24"], a["2023/24"] / 1.02 ** 4)
    np.testing.assert_allclose(b["2019/20"], a["2019/20"])


def test_providers_and_councils_in_the_stp_summary(cpr_mixed):
    t = summaries.stp_summary(cpr_mixed, "2020/21")
    prov = "Provider Surplus / (Deficit)"
    assert t.loc[prov, "Do Nothing"] == pytest.approx(-8200)
    assert t.loc[prov, "Solutions"] == pytest.approx(6344)  # STF has its own row
    # the provider's 2,000 and CPR's GPFV STF of 2,500 from its primary care bridge
    assert t.loc["Indicative STF Allocation", "Solutions"] == pytest.approx(4500)
    assert t.loc["Social Care Surplus / (Deficit)", "Do Something"] == pytest.approx(-1340)
    ccg = value(cpr_mixed, "cpr_ccg", "do_nothing_surplus")
    assert t.loc["Commissioner Surplus / (Deficit)", "Do Nothing"] == pytest.approx(ccg)
    assert t.loc["Total Surplus / (Deficit)", "Do Nothing"] == pytest.approx(
        ccg - 8200 - 2840)
    c = t["Do Something"]
    assert c["Total Surplus / (Deficit)"] == pytest.approx(
        c["Commissioner Surplus / (Deficit)"] + c[prov] + c["Indicative STF Allocation"]
        + c["Social Care Surplus / (Deficit)"])


def test_first_year_of_balance_of_the_footprint():
    df = run_scenario("footprint_2019_20")
    ds = df[(df["org"] == "footprint") & (df["measure"] == "do_nothing_surplus")]
    ds = ds.sort_values("year")
    year, gap = summaries.first_year_of_balance(list(ds["year"]), ds["value"].to_numpy())
    # do nothing never balances: each year's deficit is larger than the last (004:L65,
    # "demand will far outstrip these increases if we do nothing")
    assert (ds["value"] < 0).all() and (ds["value"].diff().dropna() < 0).all()
    assert year is None
    assert gap == pytest.approx(ds["value"].sum())
    ds = df[(df["org"] == "cpr_ccg") & (df["measure"] == "surplus")].sort_values("year")
    assert summaries.first_year_of_balance(list(ds["year"]), ds["value"].to_numpy()) == (
        "2019/20", 0.0)


def test_every_row_of_the_stp_summary_is_filled(system):
    # mid_south_essex_system_2019_20: commissioners, providers and councils
    for year in ("2020/21", "2023/24"):
        t = summaries.stp_summary(system, year)
        assert t.loc["Commissioner Surplus / (Deficit)", "Do Nothing"] < 0
        assert t.loc["Provider Surplus / (Deficit)", "Do Nothing"] < 0
        assert t.loc["Social Care Surplus / (Deficit)", "Do Nothing"] < 0
    # the GPFV STF of both bridges, 2,500 + 2,600 in 2020/21 (000:L689-715, realigned)
    assert summaries.stp_summary(system, "2020/21").loc[
        "Indicative STF Allocation", "Solutions"] == pytest.approx(5100)


def test_stp_summary_template_rows(system):
    """stp_summary_template.csv (004:L69-L77): the model's STP summary has the template's rows
    in its order, and its identities (do something = do nothing + solutions; total = after
    STF + social care)."""
    template = refdata.load("stp_summary_template").sort_values("row_order")
    labels = list(dict.fromkeys(template["row_label"]))
    table = summaries.stp_summary(system, "2020/21")  # mid_south_essex_system_2019_20
    assert [r.split(" 20")[0] for r in table.index] == [r.split(" 20")[0] for r in labels]
    np.testing.assert_allclose(table.iloc[:, 2], table.iloc[:, 0] + table.iloc[:, 1])
    np.testing.assert_allclose(table.iloc[6], table.iloc[4] + table.iloc[5])
