"""Tests for ccgmodels.models.run (run_scenario) and ccgmodels.models.results: the tidy table,
the footprint, the identity checks, providers and councils, and golden snapshots (the STP
summary of the same runs: ``tests/outputs/test_summaries.py``).

Golden snapshots live in tests/golden/<scenario>.csv; regenerate them only on purpose with
``python tests/regen_golden.py`` and review the diff (see that script's docstring).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from frames import value
from illustrative import cpr_with_provider_and_council
from oracle import footprint_of
from regen_golden import DECIMALS, read, snapshot

from ccgmodels.inputs.loading import ScenarioError, bundled_scenarios
from ccgmodels.models import measures, results
from ccgmodels.models.run import IdentityError, run_scenario


@pytest.fixture(scope="module")
def mixed():
    """The bundled CPR scenario plus a provider and a council."""
    return run_scenario(cpr_with_provider_and_council())


def test_results_are_tidy():
    df = run_scenario("cpr_2019_20")
    assert list(df.columns) == results.COLUMNS
    assert set(df["measure"]) <= set(measures.MEASURES)
    assert df["value"].notna().all()
    assert not df.duplicated(["org", "year", "measure", "item"]).any()
    units = df.drop_duplicates("measure").set_index("measure")["unit"]
    assert all(units[m] == measures.MEASURES[m].unit for m in units.index)


def test_overrides_reach_the_model():
    df = run_scenario("cpr_2019_20",
                      {"organisations.cpr_ccg.allocation.growth.programme": 0.0})
    assert value(df, "cpr_ccg", "allocation", "programme") == 247026  # 000:L1981, no growth


def test_bad_override_raises_scenario_error():
    with pytest.raises(ScenarioError, match="above 1"):
        run_scenario("cpr_2019_20", {"organisations.cpr_ccg.solutions.demand_mitigation_rate": 2})


# --- providers and councils --------------------------------------------------------------------


def test_provider_and_council_by_hand(mixed):
    # provider 2020/21: income 309,000, cost 317,200: do nothing -8,200; efficiency
    # 317,200 x 2% = 6,344; STF 2,000
    assert value(mixed, "suhft", "do_nothing_surplus") == pytest.approx(-8200)
    assert value(mixed, "suhft", "solutions", "efficiency") == pytest.approx(6344)
    # council 2020/21: 60,600 - 63,440 = -2,840; savings 1,500
    assert value(mixed, "southend_council", "do_nothing_surplus") == pytest.approx(-2840)
    assert value(mixed, "southend_council", "do_something_surplus") == pytest.approx(-1340)


def test_providers_and_councils_in_the_footprint(mixed):
    for measure in ("do_nothing_surplus", "do_something_surplus"):
        orgs = sum(value(mixed, o, measure) for o in ("cpr_ccg", "suhft", "southend_council"))
        assert value(mixed, "footprint", measure) == pytest.approx(orgs)
    assert value(mixed, "footprint", "solutions", "stf") == pytest.approx(2000 + 2500)
    assert value(mixed, "footprint", "solutions", "social_care") == pytest.approx(1500)


# --- footprint and identities --------------------------------------------------------------


@pytest.mark.parametrize("name", ["footprint_2019_20", "footprint_2019_20_tight_funding"])
def test_footprint_is_the_sum_of_organisations(name):
    df = run_scenario(name)
    orgs = df[df["org"] != "footprint"]
    summed = [m for m, d in measures.MEASURES.items() if d.additive]  # not the system rows
    fp = df[(df["org"] == "footprint") & df["measure"].isin(summed)]
    keys = ["scenario", "year", "measure", "item", "unit"]
    assert results.compare(footprint_of(orgs), fp, 1e-6, keys).empty
    # by hand for one measure: both CCGs' do nothing, every year
    dn = orgs[orgs["measure"] == "do_nothing_surplus"].groupby("year")["value"].sum()
    got = fp[fp["measure"] == "do_nothing_surplus"].set_index("year")["value"]
    pd.testing.assert_series_equal(got.sort_index(), dn.sort_index(), check_names=False)
    # measures that are not summed never appear in the footprint
    unsummed = {m for m, d in measures.MEASURES.items() if not d.additive}
    assert not set(fp["measure"]) & unsummed


def test_footprint_counts_items_only_some_organisations_report():
    # an item only one organisation has (CPR's delivered schemes, a QIPP category) is in the
    # footprint at that organisation's value: the others add nothing, not a missing total
    nan = np.nan
    a = {("qipp_status", "delivered"): np.array([10.0, 20.0]),
         ("qipp_status", "in_progress"): np.array([1.0, 2.0]),
         ("surplus", ""): np.array([5.0, 6.0])}
    b = {("qipp_status", "in_progress"): np.array([3.0, 4.0]),
         ("qipp", "target"): np.array([nan, 30.0])}
    fp = results.footprint([a, b])
    np.testing.assert_array_equal(fp[("qipp_status", "delivered")], [10.0, 20.0])
    np.testing.assert_array_equal(fp[("qipp_status", "in_progress")], [4.0, 6.0])
    np.testing.assert_array_equal(fp[("surplus", "")], [5.0, 6.0])
    # no organisation has a figure: no footprint figure either
    np.testing.assert_array_equal(fp[("qipp", "target")], [nan, 30.0])
    # and per Monte Carlo run, elementwise
    runs = results.footprint([{("qipp", "target"): np.array([[1.0, nan], [2.0, 3.0]])},
                              {("qipp", "target"): np.array([[1.0, nan], [1.0, 1.0]])}])
    np.testing.assert_array_equal(runs[("qipp", "target")], [[2.0, nan], [3.0, 4.0]])


def test_footprint_keeps_cpr_delivered_schemes_and_other_programme_qipp():
    """Issue 24: CPR's delivered schemes (2,731 in 2019/20: 1,045 + 811 + 726 + 84 + 65,
    000:L2040-L2045) and its other-programme QIPP were dropped from the footprint because
    Southend reports neither."""
    df = run_scenario("footprint_2019_20")
    y0 = df[df["year"] == "2019/20"]

    def v(org, measure, item):
        return y0[(y0["org"] == org) & (y0["measure"] == measure) & (y0["item"] == item)][
            "value"].sum()

    assert v("footprint", "qipp_status", "delivered") == pytest.approx(2731)
    assert v("footprint", "qipp_status", "delivered") == pytest.approx(
        v("cpr_ccg", "qipp_status", "delivered"))
    assert v("footprint", "qipp_category", "other_programme") == pytest.approx(
        v("cpr_ccg", "qipp_category", "other_programme") + v(
            "southend_ccg", "qipp_category", "other_programme"))
    statuses = y0[(y0["measure"] == "qipp_status")]
    fp_total = statuses[statuses["org"] == "footprint"]["value"].sum()
    assert fp_total == pytest.approx(statuses[statuses["org"] != "footprint"]["value"].sum())


def test_identity_check_fails_on_a_footprint_row_left_out():
    df = run_scenario("footprint_2019_20")
    drop = ((df["org"] == "footprint") & (df["measure"] == "qipp_status")
            & (df["item"] == "delivered") & (df["year"] == "2019/20"))
    assert drop.sum() == 1
    found = results.check_identities(df[~drop])
    assert list(found["identity"]) == ["footprint = sum of organisations"]
    assert list(found["item"]) == ["delivered"]


def test_check_identities_returns_the_offending_rows():
    df = run_scenario("footprint_2019_20")
    assert results.check_identities(df).empty
    bad = df.copy()
    hit = (bad["org"] == "cpr_ccg") & (bad["measure"] == "do_something_surplus") & (
        bad["year"] == "2021/22")
    bad.loc[hit, "value"] += 5
    found = results.check_identities(bad)
    assert set(found["identity"]) == {"footprint = sum of organisations",
                                      "do_something = do_nothing + solutions"}
    assert "2021/22" in set(found["year"])


def test_identity_error_is_an_assertion_error():
    assert issubclass(IdentityError, AssertionError)


# --- golden snapshots ------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_golden_snapshot(name):
    fresh = snapshot(name)
    stored = read(name)
    # both sides rounded to 3 decimals: allow one unit in the last place
    diff = results.compare(fresh, stored, tol=1.5 * 10 ** -DECIMALS)
    assert diff.empty, (
        f"{name}: {len(diff)} rows differ from tests/golden/{name}.csv. If the change is meant, "
        f"run `python tests/regen_golden.py {name}` and review the diff.\n"
        + diff.head(30).to_string())


def test_golden_snapshot_detects_a_change():
    stored = read("cpr_2019_20")
    changed = stored.copy()
    changed.loc[0, "value"] += 1
    diff = results.compare(changed, stored, tol=1.5 * 10 ** -DECIMALS)
    assert len(diff) == 1
    assert np.isclose(diff["value_a"].iloc[0] - diff["value_b"].iloc[0], 1)
