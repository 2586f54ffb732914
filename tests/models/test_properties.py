"""Property tests (hypothesis): the identities and monotonicities the model promises hold for
any valid assumptions, not just the bundled ones.

Scenarios are built from the bundled files with random valid overrides through
``validate_data`` and run with ``run_scenario``. Each property is two tests: a few examples in
the quick tier, and the same property with many more, ``..._thorough``, in the slow tier (each
example is a model run or two).
"""

from __future__ import annotations

import copy
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import footprint_of

from ccgmodels.inputs.loading import check, validate_data
from ccgmodels.models import measures, results
from ccgmodels.models.run import run_scenario

ORGS = ("cpr_ccg", "southend_ccg")
BANDS = ("0-64", "65-84", "85+")
STATUSES = ("delivered", "in_progress", "scoping", "unidentified")
QUICK = settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
THOROUGH = settings(QUICK, max_examples=30)


def property_test(*strategies):
    """The decorated property as two tests: with QUICK examples under its own name, and with
    THOROUGH examples, marked slow, as ``<name>_thorough``."""
    def wrap(check):
        globals()[f"{check.__name__}_thorough"] = pytest.mark.slow(
            THOROUGH(given(*strategies)(check)))
        return QUICK(given(*strategies)(check))
    return wrap


growth = st.floats(-0.1, 0.15, allow_nan=False)
LATER = ("2020/21", "2021/22", "2022/23", "2023/24")
#: a rate given once, or year by year
by_year = st.one_of(growth, st.fixed_dictionaries({y: growth for y in LATER}))
small_rate = st.floats(0.0, 0.05, allow_nan=False)
unit = st.floats(0.0, 1.0, allow_nan=False)


@cache
def plain(name: str) -> dict:
    _, data, problems = check(name)
    assert not problems
    return data


def run(name: str, overrides: dict):
    # the deterministic model: the scenario's Monte Carlo ranges would name paths (a year of a
    # by-year rate) that the drawn overrides replace with one number
    data = {**copy.deepcopy(plain(name)), "uncertainty": {}}
    s, problems = validate_data(data, name, overrides)
    assert not problems, problems
    return run_scenario(s)


@st.composite
def org_overrides(draw, org: str) -> dict:
    """Random valid values for one CCG's growth, price, solution and bridge assumptions."""
    root = f"organisations.{org}"
    out = {f"{root}.allocation.growth.{t}": draw(by_year)
           for t in ("programme", "running_costs", "primary_care_cocommissioning")}
    out |= {f"{root}.demand.population_growth.{b}": draw(growth) for b in BANDS}
    out |= {f"{root}.demand.pods.elective.non_demographic_growth": draw(growth),
            f"{root}.expenditure.price_inflation": draw(st.one_of(
                small_rate, st.fixed_dictionaries({y: small_rate for y in LATER}))),
            f"{root}.expenditure.volume_growth.acute": draw(growth),
            f"{root}.demand.tariff_efficiency": draw(small_rate),
            f"{root}.solutions.demand_mitigation_rate": draw(unit),
            f"{root}.primary_care_bridge.enabler_scale": draw(st.floats(0.0, 2.0)),
            f"{root}.primary_care_bridge.stf_arrives": draw(st.booleans())}
    out |= {f"{root}.qipp.delivery_probability.{s}": draw(unit) for s in STATUSES}
    return out


@st.composite
def footprint_overrides(draw) -> dict:
    return draw(org_overrides("cpr_ccg")) | draw(org_overrides("southend_ccg"))


def pick(df, measure, item=""):
    sel = df[(df["measure"] == measure) & (df["item"] == item)]
    return sel.set_index(["org", "year"])["value"].sort_index()


@property_test(footprint_overrides())
def test_identities_hold_for_any_assumptions(over):
    df = run("footprint_2019_20", over)
    orgs = df[df["org"] != "footprint"]
    summed = [m for m, d in measures.MEASURES.items() if d.additive]  # not the system rows
    fp = df[(df["org"] == "footprint") & df["measure"].isin(summed)]
    keys = ["scenario", "year", "measure", "item", "unit"]
    assert results.compare(footprint_of(orgs), fp, 1e-6, keys).empty
    # do something = do nothing + solutions, every org and year
    ds = pick(df, "do_something_surplus")
    np.testing.assert_allclose(ds, pick(df, "do_nothing_surplus") + pick(df, "solutions",
                                                                          "total"), atol=1e-6)
    # bridge end state = in-year + future model + baseline funding + STF
    br = {i: pick(df, "pc_bridge", i) for i in ("end_state", "in_year_position",
                                                 "future_model", "baseline_funding", "stf")}
    rhs = (br["in_year_position"] + br["future_model"] + br["baseline_funding"] + br["stf"])
    np.testing.assert_allclose(br["end_state"], rhs.dropna().reindex(br["end_state"].index),
                               atol=1e-6)
    # QIPP gap = what the target leaves unidentified, never negative, for each organisation;
    # the footprint's is the sum of theirs
    q = {i: pick(df, "qipp", i) for i in ("target", "identified", "unidentified")}
    own = q["target"].index.get_level_values("org") != "footprint"
    np.testing.assert_allclose(q["unidentified"][own],
                               np.maximum(q["target"] - q["identified"], 0)[own], atol=1e-6)
    fp = q["unidentified"].xs("footprint", level="org")
    orgs = q["unidentified"][own].groupby(level="year").sum()
    np.testing.assert_allclose(fp.sort_index(), orgs.sort_index(), atol=1e-6)
    assert results.check_identities(df).empty


@property_test(org_overrides("cpr_ccg"))
def test_zero_growth_gives_flat_activity(over):
    root = "organisations.cpr_ccg.demand"
    zero = {f"{root}.growth_table": None}
    zero |= {f"{root}.population_growth.{b}": 0.0 for b in BANDS}
    zero |= {f"{root}.pods.{p}.non_demographic_growth": 0.0
             for p in plain("cpr_2019_20")["organisations"][0]["demand"]["pods"]}
    df = run("cpr_2019_20", over | zero)
    act = df[(df["measure"] == "activity") & (df["org"] == "cpr_ccg")]
    first = act.groupby("item")["value"].transform("first")
    np.testing.assert_allclose(act["value"], first)


DRIVERS = [*(f"demand.population_growth.{b}" for b in BANDS),
           "demand.pods.elective.non_demographic_growth",
           "demand.pods.prescribing_items.non_demographic_growth"]


@property_test(org_overrides("cpr_ccg"), st.sampled_from(DRIVERS), st.floats(0.001, 0.05))
def test_activity_never_falls_when_a_driver_rises(over, driver, delta):
    path = f"organisations.cpr_ccg.{driver}"
    low = over.get(path, plain_value(driver))
    a = run("cpr_2019_20", over | {path: low})
    b = run("cpr_2019_20", over | {path: min(low + delta, 1.0)})
    key = ["org", "year", "item"]
    va = a[a["measure"] == "activity"].set_index(key)["value"]
    vb = b[b["measure"] == "activity"].set_index(key)["value"]
    assert ((vb - va) >= -1e-9 * va.abs()).all()


def plain_value(driver: str) -> float:
    node = plain("cpr_2019_20")["organisations"][0]
    for part in driver.split("."):
        node = node[part]
    return float(node)


@property_test(org_overrides("cpr_ccg"), st.sampled_from(["programme", "running_costs",
                                                         "primary_care_cocommissioning"]),
               st.floats(0.001, 0.05))
def test_do_nothing_rises_with_allocation_growth(over, kind, delta):
    path = f"organisations.cpr_ccg.allocation.growth.{kind}"
    a = run("cpr_2019_20", over)
    rate = over[path]
    more = ({y: min(v + delta, 1.0) for y, v in rate.items()} if isinstance(rate, dict)
            else rate + delta)  # one more point in every year, given once or year by year
    b = run("cpr_2019_20", over | {path: more})
    dn_a = pick(a, "do_nothing_surplus")
    dn_b = pick(b, "do_nothing_surplus")
    assert (dn_b - dn_a >= -1e-6).all()
    assert dn_b.iloc[-1] > dn_a.iloc[-1]


@property_test(org_overrides("cpr_ccg"), st.floats(0.01, 0.5))
def test_more_mitigation_never_lowers_do_something(over, delta):
    path = "organisations.cpr_ccg.solutions.demand_mitigation_rate"
    a = run("cpr_2019_20", over)
    b = run("cpr_2019_20", over | {path: min(over[path] + delta, 1.0)})
    assert (pick(b, "do_something_surplus") - pick(a, "do_something_surplus") >= -1e-6).all()
