"""Known-bad scenario files (tests/bad_scenarios/), overrides and the bundled scenarios.

Each bad file is cut down from ccgmodels/data/scenarios/cpr_2019_20.yaml with one thing broken;
each test asserts the exact field path and a fragment of the message. Figures in the files are
the CPR plan's (000:L1980-L2009), so only the broken value is made up.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from ccgmodels.inputs.loading import (
    Problem,
    ScenarioError,
    check,
    load_scenario,
    validate_data,
)
from ccgmodels.inputs.paths import get_path, parse_override, set_path

BAD = Path(__file__).resolve().parents[1] / "bad_scenarios"
SCENARIOS = Path(__file__).resolve().parents[2] / "ccgmodels" / "data" / "scenarios"
CPR = "organisations.cpr_ccg"


def problems_of(name: str) -> list[Problem]:
    scenario, _, problems = check(BAD / name)
    assert scenario is None, f"{name} should not validate"
    return problems


def only_problem(name: str) -> Problem:
    problems = problems_of(name)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# (file, field path, value shown, message fragment): one row per known-bad file
CASES = [
    ("unknown_field.yaml", f"{CPR}.allocation.growth.programe", 0.0587,
     "did you mean 'programme'?"),
    ("wrong_type.yaml", f"{CPR}.allocation.base.programme", "lots",
     "not a number: expected a number"),
    ("negative_money.yaml", f"{CPR}.expenditure.base.mental_health", -19175,
     "cannot be negative [£k]"),
    # 000:L2021 gives the QIPP rate as 3%; written 3 the message proposes 3 / 100
    ("percent_rate.yaml", f"{CPR}.qipp.rate", 3, "did you mean 0.03?"),
    ("growth_below_minus_100.yaml", f"{CPR}.allocation.growth.running_costs", -1.5,
     "below -1 (-100%)"),
    ("years_reversed.yaml", "end_year", "2018/19", "end_year is before base_year 2019/20"),
    ("bad_year.yaml", "base_year", "2019/21", "the second year must follow the first"),
    ("bridge_year_gap.yaml", f"{CPR}.primary_care_bridge.years", ["2017/18", "2019/20"],
     "gap between 2017/18 and 2019/20"),
    ("duplicate_scheme_id.yaml", f"{CPR}.qipp.schemes.avastin.id", "avastin",
     "duplicate scheme id"),
    ("unknown_status.yaml", f"{CPR}.qipp.schemes.prescribing.status", "planned",
     "'delivered', 'in_progress', 'scoping', 'unidentified' or 'pipeline'"),
    ("unknown_org_kind.yaml", f"{CPR}.kind", "trust", "'ccg', 'icb', 'provider', 'social_care'"),
    ("scheme_two_categories.yaml", f"{CPR}.qipp.schemes.prescribing_acute.category", "acute",
     "counted under two categories (prescribing and acute)"),
    # running costs line 3,486 (000:L2009) against a 4,000 saving
    ("saving_above_spend.yaml", f"{CPR}.qipp.schemes", 4000.0,
     "larger than the running_costs spend line they reduce (3,486 £k)"),
    ("range_low_above_high.yaml", f"uncertainty.{CPR}.allocation.growth.programme.low", 0.07,
     "low is above high (0.04)"),
    ("extends_missing_base.yaml", "extends", "cpr_2018_19", "base scenario cannot be read"),
    ("override_bad_path.yaml", f"overrides.{CPR}.qipp.schemes.avastine.net_saving", 168,
     "did you mean 'avastin'?"),
]


@pytest.mark.parametrize(("name", "path", "value", "fragment"), CASES,
                         ids=[c[0].removesuffix(".yaml") for c in CASES])
def test_bad_file_names_field_value_and_rule(name, path, value, fragment):
    p = only_problem(name)
    assert p.file == str(BAD / name)
    assert p.path == path
    assert p.value == value
    assert fragment in p.message


def test_every_bad_file_is_covered():
    covered = {c[0] for c in CASES} | {"empty.yaml", "not_yaml.yaml", "duplicate_key.yaml",
                                       "nan_inf.yaml", "several_problems.yaml"}
    assert {p.name for p in BAD.glob("*.yaml")} == covered


def test_missing_file():
    p = only_problem("no_such_file.yaml")
    assert (p.path, p.message) == ("", "file not found")


def test_empty_file():
    assert "file is empty" in only_problem("empty.yaml").message


def test_not_yaml_gives_line():
    p = only_problem("not_yaml.yaml")
    assert p.path == ""
    assert p.message.startswith("not valid YAML at line 12")  # the base: line


def test_duplicate_yaml_key():
    p = only_problem("duplicate_key.yaml")
    assert "duplicate key 'acute'" in p.message
    assert "at line 15, column 29" in p.message  # the second acute


def test_nan_and_inf_each_reported():
    problems = problems_of("nan_inf.yaml")
    assert [p.path for p in problems] == [f"{CPR}.expenditure.base.acute",
                                          f"{CPR}.expenditure.base.ambulance"]
    assert math.isnan(problems[0].value) and problems[1].value == math.inf
    assert all("not NaN or infinity" in p.message for p in problems)


def test_several_problems_all_reported_at_once():
    # several_problems.yaml breaks five fields: end_year, growth.programe, mental_health,
    # qipp.rate and one scheme status
    problems = problems_of("several_problems.yaml")
    assert sorted(p.path for p in problems) == sorted([
        "end_year",
        f"{CPR}.allocation.growth.programe",
        f"{CPR}.expenditure.base.mental_health",
        f"{CPR}.qipp.rate",
        f"{CPR}.qipp.schemes.prescribing.status",
    ])


def test_problem_reads_file_path_message_value():
    p = only_problem("percent_rate.yaml")
    assert str(p) == (f"{BAD / 'percent_rate.yaml'}: {CPR}.qipp.rate: 3 is above 1: rates are "
                      "fractions, not per cent (did you mean 0.03?) (got 3)")


def test_load_scenario_raises_with_every_problem():
    with pytest.raises(ScenarioError) as info:
        load_scenario(BAD / "several_problems.yaml")
    assert len(info.value.problems) == 5


# --- overrides (the same from the command line: tests/test_cli.py) ---------------------------


def test_override_addresses_list_elements_by_id():
    s = load_scenario("cpr_2019_20", {f"{CPR}.qipp.schemes.avastin.net_saving": 168,
                                      f"{CPR}.name": "CPR renamed"})
    assert s.org("cpr_ccg").name == "CPR renamed"
    avastin = [sc for sc in s.org("cpr_ccg").qipp.schemes if sc.id == "avastin"]
    assert avastin[0].net_saving == 168  # 000:L2044 prints 84; doubled here


def test_get_and_set_path_by_id():
    data = yaml.safe_load((SCENARIOS / "cpr_2019_20.yaml").read_text(encoding="utf-8"))
    path = f"{CPR}.qipp.schemes.avastin.net_saving"
    assert get_path(data, path) == 84  # 000:L2044
    changed = set_path(data, path, 100)
    assert get_path(changed, path) == 100
    assert get_path(data, path) == 84  # set_path copies
    with pytest.raises(KeyError, match="did you mean 'qipp'"):
        get_path(data, f"{CPR}.qip.rate")


def test_parse_override_reads_yaml_values():
    assert parse_override("a.b=0.05") == ("a.b", 0.05)
    assert parse_override("a.b=false") == ("a.b", False)
    assert parse_override("a.b=2019/20") == ("a.b", "2019/20")
    with pytest.raises(ValueError, match="expected path=value"):
        parse_override("a.b")


# --- bundled scenarios --------------------------------------------------------------------------


def test_footprint_organisations_identical_to_single_ccg_files():
    def orgs(name: str) -> dict:
        data = yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8"))
        return {o["id"]: o for o in data["organisations"]}

    footprint = orgs("footprint_2019_20")
    singles = {**orgs("cpr_2019_20"), **orgs("southend_2019_20")}
    assert set(footprint) == set(singles) == {"cpr_ccg", "southend_ccg"}
    for org_id, block in singles.items():
        assert footprint[org_id] == block, f"{org_id} differs between footprint and its file"


def test_organisation_without_kind_names_the_kind_field():
    data = yaml.safe_load((BAD / "unknown_org_kind.yaml").read_text(encoding="utf-8"))
    del data["organisations"][0]["kind"]
    scenario, problems = validate_data(data, "inline")
    assert scenario is None
    assert [(p.path, p.message) for p in problems] == [
        (f"{CPR}.kind", "required field is missing")]
