"""The commissioner economics a finance director signs (issue: assumptions by year, one
do-nothing basis, no management action in do nothing, the requirement from the gap, risk once,
schemes as finance teams write them, recurrent and underlying positions, real terms).

Sources: 000 = the 2019/20 CPR & Southend operational plan (``000:L2015`` its line 2015); 004 =
the NHS England STP plans on a page; CONTEXT = shared/sources/CONTEXT.md (public figures).
Sign: surplus positive, deficit negative; savings positive. Money in £k.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from frames import series

from ccgmodels.inputs.loading import check, load_scenario
from ccgmodels.models import measures
from ccgmodels.models.run import run_scenario

CPR = "organisations.cpr_ccg"
SOU = "organisations.southend_ccg"
YEARS = ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]
LATER = YEARS[1:]


@pytest.fixture(scope="module")
def cpr():
    return run_scenario("cpr_2019_20")


@pytest.fixture(scope="module")
def fp():
    return run_scenario("footprint_2019_20")


def problems(name: str, overrides: dict) -> list[tuple[str, str]]:
    _, _, found = check(name, overrides)
    return [(p.path, p.message) for p in found]


# --- 1. assumptions by year ----------------------------------------------------------------


def test_allocation_growth_by_year_compounds_year_by_year():
    g = {"2020/21": 0.04, "2021/22": 0.03, "2022/23": 0.02, "2023/24": 0.01}
    df = run_scenario("cpr_2019_20", {f"{CPR}.allocation.growth.programme": g})
    np.testing.assert_allclose(series(df, "allocation", "programme"),
                               247026 * np.cumprod([1, 1.04, 1.03, 1.02, 1.01]))


def test_published_allocation_levels_replace_growth():
    levels = {y: {"programme": 250000 + 5000 * i, "running_costs": 3883,
                  "primary_care_cocommissioning": 25000} for i, y in enumerate(LATER)}
    df = run_scenario("cpr_2019_20", {
        "uncertainty": {}, f"{CPR}.allocation.growth": {}, f"{CPR}.allocation.levels": levels})
    np.testing.assert_allclose(series(df, "allocation", "programme"),
                               [247026, 250000, 255000, 260000, 265000])
    np.testing.assert_allclose(series(df, "allocation", "total")[1:],
                               [278883, 283883, 288883, 293883])
    # both at once is refused: which would apply?
    found = problems("cpr_2019_20", {f"{CPR}.allocation.levels": levels})
    assert (f"{CPR}.allocation.growth", "give allocation growth or levels by year, not both") \
        in found


@pytest.mark.parametrize(("path", "value", "where", "message"), [
    (f"{CPR}.expenditure.price_inflation", {"2020/21": 0.02, "2021/22": 0.02},
     f"{CPR}.expenditure.price_inflation", "missing years 2022/23, 2023/24: give a value for "
     "each year after the base (2020/21 to 2023/24), or one number for every year"),
    (f"{CPR}.expenditure.price_inflation", dict.fromkeys([*LATER, "2024/25"], 0.02),
     f"{CPR}.expenditure.price_inflation.2024/25", "year not modelled here"),
    (f"{CPR}.demand.population_growth.85+", dict.fromkeys(YEARS, 0.05),
     f"{CPR}.demand.population_growth.85+.2019/20", "year not modelled here: give a value "
     "for each year after the base"),
    (f"{CPR}.control_total", {"2019/20": 0, "2031/32": 5},
     f"{CPR}.control_total.2031/32", "year not modelled here: give a value for every modelled "
     "year"),
    (f"{CPR}.allocation.growth.programme", {"2020/21": 3.0, "2021/22": 0.02, "2022/23": 0.02,
                                            "2023/24": 0.02},
     f"{CPR}.allocation.growth.programme.2020/21", "3 is above 1 (100% a year): rates are "
     "fractions, not per cent (did you mean 0.03?)"),
])
def test_a_mapping_by_year_names_what_is_wrong(path, value, where, message):
    found = problems("cpr_2019_20", {"uncertainty": {}, path: value})
    assert any(p == where and message in m for p, m in found), found


# --- 2. defensible defaults: do nothing behaves as the documents say --------------------------


@pytest.mark.parametrize("name", ["cpr_2019_20", "southend_2019_20", "footprint_2019_20",
                                  "footprint_2019_20_tight_funding"])
def test_do_nothing_worsens_every_year(name):
    # "demand will far outstrip these increases if we do nothing" (004:L65): with the 2019/20
    # uplift no longer repeated, costs (volume, demography and prices) outgrow the allocation
    df = run_scenario(name)
    dn = series(df, "do_nothing_surplus", org="footprint")
    assert (dn < 0).all() and (np.diff(dn) < 0).all()


def test_allocations_grow_at_the_published_national_growth_of_each_year(cpr):
    # HFMA, 26 February 2019: core CCG funding +4.14% in 2020/21, 4% in 2021/22, 3.78% in
    # 2022/23, 3.54% in 2023/24; the 2019/20 uplift (5.87% for CPR, 000) is not repeated
    alloc = series(cpr, "allocation", "programme")
    np.testing.assert_allclose(alloc[1:] / alloc[:-1] - 1, [0.0414, 0.04, 0.0378, 0.0354])


# --- 3. one do-nothing basis -----------------------------------------------------------------


def test_every_commissioner_does_nothing_from_its_plan_before_all_its_qipp(fp):
    for org in ("cpr_ccg", "southend_ccg"):
        target = series(fp, "qipp", "target", org)[0]
        surplus = series(fp, "surplus", "", org)[0]
        assert series(fp, "do_nothing_surplus", "", org)[0] == pytest.approx(surplus - target)
    # Southend: schemes and a stated gap side by side, the target their sum: 1,600 + 235
    assert series(fp, "qipp", "target", "southend_ccg")[0] == pytest.approx(1835)
    assert series(fp, "qipp", "identified", "southend_ccg")[0] == pytest.approx(1600)
    assert series(fp, "qipp", "unidentified", "southend_ccg")[0] == pytest.approx(235)


def _strings(path: Path) -> list[str]:
    """Every string constant of a module, docstrings included, implicit concatenation joined."""
    return [n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def test_the_definition_is_written_once():
    # measures.DO_NOTHING is the one text of the definition of do nothing: no other module of
    # the package spells it out again (a copy would drift), and the report's methods section
    # reads it by name (the source is read, not imported: outputs is an upper layer)
    package = Path(measures.__file__).resolve().parents[1]
    clause = "recurrent savings neither added nor lost"
    assert clause in measures.DO_NOTHING
    holders = sorted(p.relative_to(package).as_posix() for p in package.rglob("*.py")
                     if any(clause in text for text in _strings(p)))
    assert holders == ["models/measures.py"]
    narrative = ast.parse((package / "outputs" / "narrative.py").read_text(encoding="utf-8"))
    assert any(isinstance(n, ast.Attribute) and n.attr == "DO_NOTHING"
               for n in ast.walk(narrative))


# --- 4. no new action in do nothing ----------------------------------------------------------


def test_running_costs_do_not_shrink_in_do_nothing_and_the_programme_is_a_scheme(cpr):
    # do nothing running costs grow with price inflation (2.5%), no -5% volume any more
    s = load_scenario("cpr_2019_20")
    gross = s.org("cpr_ccg").expenditure.base.running_costs + 400  # the 2019/20 scheme
    plan_line = series(cpr, "expenditure", "running_costs")
    savings = series(cpr, "qipp_category", "running_costs")
    np.testing.assert_allclose(plan_line + savings, gross * 1.025 ** np.arange(5))
    # the 20% programme: 400 in 2019/20, 750 from 2020/21 (000:L1951), indexed with the line
    np.testing.assert_allclose(savings, [400, 750 * 1.025, *(750 * 1.025 ** np.arange(2, 5))])


def test_recurrent_savings_are_indexed_with_their_line(cpr):
    # prescribing: the 1,712 scheme grows with the prescribing line's do-nothing index, so the
    # plan line is the do-nothing line less an indexed saving, not less a flat 1,712
    saving = series(cpr, "qipp_scheme", "prescribing")
    plan_line = series(cpr, "expenditure", "prescribing")
    dn_line = plan_line + saving
    np.testing.assert_allclose(saving, 1712 * dn_line / dn_line[0])


def test_bcf_grows_at_the_nhs_minimum_contributions_published_growth(cpr):
    # the NHS minimum contribution: +5.3% (2021/22, the Long Term Plan settlement; 2020/21
    # ASSUMPTION at the same rate), +5.66% in 2022/23 and 2023/24 (NHS England)
    bcf = series(cpr, "expenditure", "bcf")
    np.testing.assert_allclose(bcf[1:] / bcf[:-1] - 1, [0.053, 0.053, 0.0566, 0.0566])


# --- 5. the requirement from the gap ---------------------------------------------------------


def test_required_is_the_gap_to_the_control_total(cpr):
    dn = series(cpr, "do_nothing_surplus")
    np.testing.assert_allclose(series(cpr, "qipp", "required"), np.maximum(0 - dn, 0))
    # later years' target is the requirement, not 3% of allocation
    np.testing.assert_allclose(series(cpr, "qipp", "target")[1:],
                               series(cpr, "qipp", "required")[1:])
    np.testing.assert_allclose(series(cpr, "qipp", "planning_rule"),
                               0.03 * series(cpr, "allocation", "total"))
    np.testing.assert_allclose(series(cpr, "qipp", "headroom_target"),
                               0.2 * series(cpr, "qipp", "target"))
    # the base year keeps the plan: 8,264 target, 7,858 identified, 406 gap (000:L2034-35)
    assert series(cpr, "qipp", "target")[0] == 8264
    assert series(cpr, "qipp", "unidentified")[0] == pytest.approx(406)


def test_a_control_total_by_year_drives_the_requirement():
    ct = {"2019/20": 579, "2020/21": 1000, "2021/22": 0, "2022/23": 0, "2023/24": -500}
    df = run_scenario("cpr_2019_20", {f"{CPR}.control_total": ct})
    np.testing.assert_allclose(series(df, "control_total"), list(ct.values()))
    dn = series(df, "do_nothing_surplus")
    np.testing.assert_allclose(series(df, "qipp", "required"),
                               np.maximum(np.array(list(ct.values())) - dn, 0))
    # a surplus well above the control total requires nothing
    df = run_scenario("cpr_2019_20", {f"{CPR}.control_total": -1e6})
    np.testing.assert_array_equal(series(df, "qipp", "required"), 0)


# --- 6. risk once: the contingency ------------------------------------------------------------


def test_contingency_is_released_against_slippage_once(cpr):
    # 2019/20: slippage = 30% of the 5,127 in progress + the 406 gap = 1,944.1; the reserve,
    # 0.5% of 275,220 = 1,376.1 (000:L2015), covers 1,376.1 of it
    release = series(cpr, "solutions", "contingency_release")
    assert release[0] == pytest.approx(1376.1)
    reserve = series(cpr, "expenditure", "contingency_reserve")
    assert (release <= reserve + 1e-9).all()
    off = run_scenario("cpr_2019_20", {f"{CPR}.solutions.contingency_release": False})
    np.testing.assert_array_equal(series(off, "solutions", "contingency_release"), 0)
    np.testing.assert_allclose(series(cpr, "do_something_surplus")
                               - series(off, "do_something_surplus"), release)


def test_nothing_to_release_when_everything_is_delivered():
    over = {f"{CPR}.qipp.delivery_probability.{s}": 1.0
            for s in ("delivered", "in_progress", "scoping", "unidentified")}
    df = run_scenario("cpr_2019_20", over)
    np.testing.assert_array_equal(series(df, "solutions", "contingency_release"), 0)


# --- 7. schemes as finance teams write them ---------------------------------------------------


def test_a_net_cost_scheme_books_its_investment_to_the_line_that_pays():
    # the children's programme: reductions 1,997.878 off acute, investment 2,121.916 on
    # community (000:L1007, L1018): a net cost of 124.038 £k
    s = {"id": "childrens", "name": "Children's Transformation Programme", "category": "acute",
         "gross_saving": 1997.878, "investment": 2121.916, "investment_line": "community",
         "status": "in_progress"}
    base = run_scenario("cpr_2019_20")
    _, data, _ = check("cpr_2019_20")
    data["organisations"][0]["qipp"]["schemes"].append(s)
    from ccgmodels.inputs.loading import validate_data

    scenario, found = validate_data(data, "with_childrens")
    assert found == []
    df = run_scenario(scenario)
    assert series(df, "qipp_scheme", "childrens")[0] == pytest.approx(-124.038)
    # in the base-year plan (net of its schemes) the community line is the one that pays
    assert series(df, "expenditure", "community")[0] == series(base, "expenditure",
                                                               "community")[0]
    dn_comm = series(df, "do_nothing_expenditure", "total")[0] - series(
        base, "do_nothing_expenditure", "total")[0]
    assert dn_comm == pytest.approx(1997.878 - 2121.916)


def test_a_negative_net_saving_needs_its_investment():
    found = problems("cpr_2019_20", {f"{CPR}.qipp.schemes.avastin.net_saving": -50})
    assert (f"{CPR}.qipp.schemes.avastin.net_saving",
            "a negative net saving is a scheme that costs more than it saves: give its "
            "investment (and gross_saving) so the cost lands on a line") in found


def test_a_scheme_started_before_the_base_brings_its_remaining_full_year_effect():
    df = run_scenario("cpr_2019_20", {
        f"{CPR}.qipp.schemes.fye_18_19_schemes.net_saving": 2090,
        f"{CPR}.qipp.schemes.fye_18_19_schemes.start_year": "2018/19",
        f"{CPR}.qipp.schemes.fye_18_19_schemes.start_quarter": 3})
    # half of 2,090 was in 2018/19's outturn: 1,045 arrives in 2019/20, as the plan prints it
    assert series(df, "qipp_scheme", "fye_18_19_schemes")[0] == pytest.approx(1045)
    assert series(df, "qipp", "identified")[0] == pytest.approx(7858)


# --- 8. recurrent and underlying positions ----------------------------------------------------


def test_underlying_takes_out_non_recurrent_income_and_savings():
    df = run_scenario("cpr_2019_20", {
        f"{CPR}.solutions.stf": {"2020/21": 1000},
        f"{CPR}.qipp.schemes.ebi_msb.recurrent": False})
    ds = series(df, "do_something_surplus")
    one_off = (series(df, "solutions", "stf") + series(df, "solutions", "contingency_release")
               + series(df, "qipp_scheme", "ebi_msb"))  # delivered: probability 1
    np.testing.assert_allclose(series(df, "underlying_surplus"), ds - one_off)
    assert series(df, "qipp_scheme", "ebi_msb")[1] == 0  # a one-off is gone the next year
    fp = run_scenario("footprint_2019_20")
    np.testing.assert_allclose(series(fp, "underlying_surplus", org="footprint"),
                               series(fp, "underlying_surplus", org="cpr_ccg")
                               + series(fp, "underlying_surplus", org="southend_ccg"))


# --- 9. real terms ---------------------------------------------------------------------------


def test_money_in_base_year_prices_beside_cash(cpr):
    sel = cpr[(cpr["org"] == "cpr_ccg") & (cpr["measure"] == "allocation")
              & (cpr["item"] == "total")].sort_values("year")
    np.testing.assert_allclose(sel["value_real"], sel["value"] / 1.02 ** np.arange(5))
    assert cpr.loc[cpr["unit"] != "£k", "value_real"].isna().all()
    df = run_scenario("cpr_2019_20", {"deflator": {"2020/21": 0.05, "2021/22": 0.0,
                                                   "2022/23": 0.0, "2023/24": 0.0}})
    sel = df[(df["org"] == "footprint") & (df["measure"] == "do_nothing_surplus")]
    sel = sel.sort_values("year")
    np.testing.assert_allclose(sel["value_real"].to_numpy()[1:], sel["value"].to_numpy()[1:]
                               / 1.05)
