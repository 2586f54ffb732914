"""Field metadata (ccgmodels.inputs.fields): each assumption's description, unit and bounds,
read once from the pydantic models and used alike by validation, uncertainty and the widgets
(the draws' clipping to the same bounds: ``tests/models/test_uncertainty.py``)."""

from __future__ import annotations

import math

import pytest

from ccgmodels.inputs import fields
from ccgmodels.inputs.loading import check, load_scenario, validate_data
from ccgmodels.inputs.scenario import Commissioner, Scenario

CPR = "organisations.cpr_ccg"


def with_range(name: str, path: str, dist: dict):
    """Bundled scenario ``name`` with one uncertainty range added, validated."""
    _, data, _ = check(name)
    return validate_data({**data, "uncertainty": {path: dist}}, name)


@pytest.fixture(scope="module")
def fp():
    return load_scenario("footprint_2019_20")


@pytest.mark.parametrize(("path", "low", "high", "unit"), [
    ("demand.tariff_efficiency", 0.0, 1.0, "fraction/yr"),  # Rate, or by year
    ("allocation.growth.programme", -1.0, 1.0, "fraction/yr"),  # Growth, or by year
    ("allocation.growth.programme.2021/22", -1.0, 1.0, "fraction/yr"),  # a year of it
    ("allocation.base.programme", 0.0, math.inf, "£k"),  # Money
    ("expenditure.volume_growth.acute", -1.0, 1.0, "fraction/yr"),  # a mapping's value
    ("qipp.delivery_probability.scoping", 0.0, 1.0, "fraction"),
    ("demand.pods.ae.activity", 0.0, math.inf, "count/yr"),  # Field(ge=0) on a Finite
    ("primary_care_bridge.enabler_scale", 0.0, math.inf, "factor"),
    ("primary_care_bridge.years.2019/20.workforce", -math.inf, 0.0, "£k"),  # le=0
    ("contingency_rate", 0.0, 1.0, "fraction"),
])
def test_bounds_and_units_of_commissioner_assumptions(path, low, high, unit):
    meta = fields.describe(Commissioner, path)
    assert (meta.low, meta.high, meta.unit) == (low, high, unit)
    assert meta.description


def test_union_members_are_picked_by_the_data_or_the_tag(fp):
    # organisations is a list of a discriminated union: the data says which member
    meta = fields.describe(Scenario, f"{CPR}.expenditure.price_inflation", fp)
    assert (meta.low, meta.high) == (-1.0, 1.0)
    # pydantic error locations carry the tag instead of the data
    names = fields.field_names(Scenario, ("organisations", 0, "provider"))
    assert "cost_volume_growth" in names and "allocation" not in names
    names = fields.field_names(Scenario, ("organisations", 0, "ccg"))
    assert "allocation" in names


def test_unknown_fields_are_key_errors():
    with pytest.raises(KeyError, match="no field 'nope' in Solutions"):
        fields.describe(Commissioner, "solutions.nope")
    with pytest.raises(KeyError, match="is a value"):
        fields.describe(Commissioner, "contingency_rate.deeper")
    assert fields.field_names(Commissioner, ("solutions", "nope")) == []


def test_validation_refuses_a_range_outside_the_same_bounds():
    _, problems = with_range("cpr_2019_20", f"{CPR}.allocation.base.programme",
                             {"dist": "uniform", "low": -5.0, "high": 10.0})
    assert [(p.path, p.value) for p in problems] == [
        (f"uncertainty.{CPR}.allocation.base.programme.low", -5.0)]
    assert "outside the field's bounds 0..inf" in problems[0].message
