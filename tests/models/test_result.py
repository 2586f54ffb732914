"""The typed result (ccgmodels.models.run.ModelResult, OrgResult): its fields, the per-measure
attributes made from the measure catalogue, and its table, which is run_scenario's."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import ccgmodels
from ccgmodels.models import measures, run
from ccgmodels.models.run import ModelResult, OrgResult, run_model, run_scenario


@pytest.fixture(scope="module")
def cpr() -> ModelResult:
    return run_model("cpr_2019_20")


def test_every_catalogue_measure_is_an_attribute_documented_from_its_entry():
    for m in measures.MEASURES.values():
        doc = getattr(OrgResult, m.name).__doc__
        assert f"[{m.unit}]" in doc and m.definition in doc and m.formula in doc, m.name
        assert (m.items in doc) if m.items else ("None when absent" in doc), m.name


def test_a_new_catalogue_entry_gives_its_attribute_and_docstring():
    new = measures.Measure("waiting_list", "count", "", "People waiting", "stated",
                           display="Waiting list")
    prop = run._accessor(new)
    assert prop.__doc__.startswith("Waiting list: People waiting [count].")
    r = OrgResult("x", "ccg", ["2019/20"], {("waiting_list", ""): np.array([4.0])})
    assert prop.fget(r).tolist() == [4.0]
    assert prop.fget(OrgResult("x", "ccg", ["2019/20"], {})) is None


def test_attributes_read_the_arrays(cpr):
    r = cpr.org("cpr_ccg")
    assert r.years == cpr.years == ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]
    assert r.surplus is r.series[("surplus", "")]
    # surplus = allocation total - expenditure total (the catalogue's formula)
    np.testing.assert_allclose(r.surplus, r.allocation["total"] - r.expenditure["total"])
    assert set(r.solutions) == {i for (m, i) in r.series if m == "solutions"}
    assert r.income == {} and r.gp_access == {}  # a commissioner has neither


def test_org_finds_the_footprint_and_a_measure_in_its_own_years(cpr):
    assert cpr.org().org == "footprint" and cpr.org().years == cpr.years
    bridge = cpr.org("cpr_ccg", "pc_bridge")
    assert bridge.years == ["2017/18", "2018/19", "2019/20", "2020/21"]
    assert bridge.pc_bridge["end_state"].shape == (4,)
    assert bridge.surplus is None  # the bridge's years hold the bridge alone
    with pytest.raises(KeyError, match="'nobody'"):
        cpr.org("nobody")


def test_the_table_is_run_scenario(cpr):
    pd.testing.assert_frame_equal(cpr.table(), run_scenario("cpr_2019_20"))
    assert cpr.name == "cpr_2019_20" and cpr.deflator["2019/20"] == 1.0


def test_the_result_is_frozen_and_public(cpr):
    with pytest.raises(dataclasses.FrozenInstanceError):
        cpr.orgs = ()  # type: ignore[misc]
    assert ccgmodels.run_model is run_model and ccgmodels.ModelResult is ModelResult


def test_a_broken_identity_in_the_arrays_fails_the_table(cpr):
    r = cpr.org("cpr_ccg")
    broken = dataclasses.replace(r, series={**r.series, ("surplus", ""): r.surplus + 1})
    bad = dataclasses.replace(cpr, orgs=tuple(broken if o is r else o for o in cpr.orgs))
    with pytest.raises(run.IdentityError, match="rows break the model's identities"):
        bad.table()
