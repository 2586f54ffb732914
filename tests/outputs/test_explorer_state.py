"""The explorer's state without widgets: changes per organisation, the footprint-wide view, the
changes list, save with a relative ``extends:`` and reload."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ccgmodels.inputs.loading import bundled_scenarios, load_scenario
from ccgmodels.models.results import compare
from ccgmodels.models.run import run_scenario
from ccgmodels.outputs.explorer import (
    ExplorerState,
    default_folder,
    from_shown,
    parse,
    plain,
    scenario_title,
    text,
    to_shown,
)

GROWTH = "demand.population_growth.65-84"
CPR_GROWTH = f"organisations.cpr_ccg.{GROWTH}"
SOUTHEND_GROWTH = f"organisations.southend_ccg.{GROWTH}"
KEYS = ["org", "year", "measure", "item", "unit"]


@pytest.fixture
def state():
    return ExplorerState("footprint_2019_20")


def test_base_values_are_the_scenarios(state):
    # footprint_2019_20.yaml: over-65s population growth 0.0146 (cpr), 0.003 (southend)
    assert state.orgs == ["cpr_ccg", "southend_ccg", "footprint"]
    assert state.value("cpr_ccg", GROWTH) == 0.0146
    assert state.value("southend_ccg", GROWTH) == 0.003
    assert state.differs("footprint", GROWTH)
    assert not state.differs("footprint", "solutions.demand_mitigation_rate")
    assert state.rows() == [] and state.overrides() == {}


def test_switching_organisation_and_back_keeps_each_ones_changes(state):
    state.set("footprint", GROWTH, 0.03)
    # switching to cpr shows cpr's value, which the footprint-wide change set
    assert state.value("cpr_ccg", GROWTH) == 0.03
    state.set("cpr_ccg", "solutions.demand_mitigation_rate", 0.25)
    # back on the footprint, the footprint-wide change is still there, for both
    assert state.value("footprint", GROWTH) == 0.03 and not state.differs("footprint", GROWTH)
    assert state.value("southend_ccg", GROWTH) == 0.03
    assert state.overrides() == {CPR_GROWTH: 0.03,
                                 "organisations.cpr_ccg.solutions.demand_mitigation_rate": 0.25,
                                 SOUTHEND_GROWTH: 0.03}


def test_a_change_to_one_commissioner_leaves_the_other(state):
    state.set("cpr_ccg", GROWTH, 0.03)
    assert state.value("southend_ccg", GROWTH) == 0.003
    assert state.differs("footprint", GROWTH)
    assert state.values("footprint", GROWTH) == [("cpr_ccg", 0.03), ("southend_ccg", 0.003)]
    assert state.overrides() == {CPR_GROWTH: 0.03}


def test_the_changes_list_and_removing_one(state):
    state.set("footprint", GROWTH, 0.03)
    state.set("southend_ccg", "primary_care_bridge.stf_arrives", False)
    rows = state.rows()
    assert [(r.org, r.label, r.base, r.new) for r in rows] == [
        ("cpr_ccg", "Population growth, ages 65-84 [% a year]", "1.46%", "3.0%"),
        ("southend_ccg", "Population growth, ages 65-84 [% a year]", "0.3%", "3.0%"),
        ("southend_ccg", "GPFV STF arrives", "Yes", "No"),
    ]
    assert rows[0].path == CPR_GROWTH
    state.remove("cpr_ccg", GROWTH)
    assert state.value("cpr_ccg", GROWTH) == 0.0146
    assert state.overrides() == {SOUTHEND_GROWTH: 0.03,
                                 "organisations.southend_ccg.primary_care_bridge.stf_arrives":
                                 False}
    # setting a value back to the base is no change
    state.set("southend_ccg", GROWTH, 0.003)
    assert [r.key for r in state.rows()] == ["primary_care_bridge.stf_arrives"]


def test_save_writes_exactly_the_changes_and_reloads(state, tmp_path):
    state.set("footprint", GROWTH, 0.03)
    state.set("cpr_ccg", "qipp.delivery_probability.in_progress", 0.5)
    path = state.save_as("My what if", tmp_path / "chosen")
    assert path == tmp_path / "chosen" / "my_what_if.yaml"
    data = yaml.safe_load(path.read_text())
    assert data["extends"] == "footprint_2019_20"
    assert data["overrides"] == state.overrides() == {
        CPR_GROWTH: 0.03, "organisations.cpr_ccg.qipp.delivery_probability.in_progress": 0.5,
        SOUTHEND_GROWTH: 0.03}
    again = run_scenario(load_scenario(path))
    assert compare(again, run_scenario(state.scenario()), tol=1e-9, keys=KEYS).empty
    # reload: a state over the saved file starts where the saved one ended
    reloaded = ExplorerState(path)
    assert reloaded.value("southend_ccg", GROWTH) == 0.03 and reloaded.rows() == []
    with pytest.raises(FileExistsError):
        state.save(path)


def test_a_saved_file_extends_a_file_base_by_a_relative_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base = tmp_path / "bases" / "base.yaml"
    base.parent.mkdir()
    base.write_text("extends: cpr_2019_20\nname: base\n")
    state = ExplorerState(base)
    state.set("cpr_ccg", GROWTH, 0.04)
    path = state.save(tmp_path / "mine" / "what_if.yaml")
    data = yaml.safe_load(path.read_text())
    assert data["extends"] == "../bases/base.yaml"
    assert str(tmp_path) not in path.read_text()
    done = subprocess.run([sys.executable, "-m", "ccgmodels", "validate", str(path)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert load_scenario(path).org("cpr_ccg").demand.population_growth["65-84"] == 0.04


def test_default_folder_is_the_checkouts_ignored_folder(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "notebooks").mkdir()
    assert default_folder(tmp_path / "notebooks") == tmp_path / "my_scenarios"
    repo = Path(__file__).resolve().parents[2]
    assert "my_scenarios/" in (repo / ".gitignore").read_text().splitlines()
    if (repo / ".git").exists():  # a checkout, not an unpacked source tree
        ignored = subprocess.run(["git", "check-ignore", "-q", "my_scenarios/x.yaml"], cwd=repo)
        assert ignored.returncode == 0, "my_scenarios/ must be git-ignored"


def test_one_display_rule_for_rates_and_money():
    assert text("percent", 0.059) == "5.9%" and to_shown("percent", 0.059) == 5.9
    assert from_shown("percent", 6.1) == 0.061
    assert parse("percent", "3.0%") == 0.03 and parse("percent", " 3 ") == 0.03
    assert text("money", -1250.4) == "(1,250)" and parse("money", "(1,250)") == -1250
    assert text("percent", 0.0253) == "2.53%" and text("percent", 0.03) == "3.0%"
    assert text("toggle", False) == "No"
    with pytest.raises(ValueError):
        parse("percent", "three")


@pytest.mark.parametrize(("key", "low", "high", "refused"), [
    ("allocation.growth_adjustment", -1.0, 1.0, "-150"),  # a Growth: -100% to 100% a year
    ("solutions.demand_mitigation_rate", 0.0, 1.0, "-5"),  # a Rate: 0 to 100%
    ("contingency_rate", 0.0, 1.0, "101"),  # a Rate
])
def test_each_control_is_bounded_by_its_field_type(state, key, low, high, refused):
    # the explorer once missed a bound: a control's bounds are those of its field's type in
    # inputs/scenario.py and inputs/types.py, and an entry outside them is refused
    a = state.assumption("cpr_ccg", key)
    assert (a.low, a.high) == (low, high)
    with pytest.raises(ValueError, match=f"{refused} is out of range"):
        a.parse(refused)


def test_entry_outside_the_bounds_is_refused(state):
    a = state.assumption("cpr_ccg", "qipp.delivery_probability.scoping")
    assert a.parse("40") == 0.4
    with pytest.raises(ValueError, match="from 0.0% to 100.0%"):
        a.parse("140")


def test_a_by_year_value_is_one_assumption_a_year():
    by_year = {"2020/21": 0.03, "2021/22": 0.025, "2022/23": 0.02, "2023/24": 0.02}
    state = ExplorerState("cpr_2019_20", {
        "uncertainty": {}, "organisations.cpr_ccg.expenditure.price_inflation": by_year})
    keys = state.by_year("cpr_ccg")["expenditure.price_inflation"]
    assert keys == [f"expenditure.price_inflation.{y}" for y in by_year]
    state.set("cpr_ccg", "expenditure.price_inflation.2021/22", 0.04)
    assert [(r.label, r.base, r.new) for r in state.rows()] == [
        ("Price inflation, every service line [% a year], 2021/22", "2.5%", "4.0%")]
    assert state.scenario().org("cpr_ccg").expenditure.price_inflation["2021/22"] == 0.04


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_every_bundled_scenario(name):
    state = ExplorerState(name)
    org = state.orgs[-1]
    key = state.keys(org)[0]
    a = state.assumption(org, key)
    state.set(org, key, min(a.high, state.value(org, key) + 0.01))
    assert len(state.rows()) == len(state.values(org, key))
    assert run_scenario(state.scenario())["value"].notna().any()


def test_money_by_year_is_entered_in_thousands_with_separators():
    # essex_ccgs_2014_15.yaml: contingency {2013/14: -2795, 2014/15: 12260, ...} (003:L531)
    state = ExplorerState("essex_ccgs_2014_15")
    keys = state.by_year("essex_ccgs")["contingency"]
    assert keys[:2] == ["contingency.2013/14", "contingency.2014/15"]
    a = state.assumption("essex_ccgs", "contingency.2014/15")
    assert a.label == "Contingency as the plan states it [£k]" and a.kind == "money"
    assert a.text(state.value("essex_ccgs", "contingency.2013/14")) == "(2,795)"
    state.set("essex_ccgs", "contingency.2014/15", a.parse("13,000"))
    assert state.overrides() == {"organisations.essex_ccgs.contingency.2014/15": 13000}
    assert state.scenario().org("essex_ccgs").contingency["2014/15"] == 13000
    # a stated contingency replaces the rate: no rate control then
    assert "contingency_rate" not in state.keys("essex_ccgs")
    assert "contingency_rate" in ExplorerState("cpr_2019_20").keys("cpr_ccg")


def test_a_typed_rate_outside_the_controls_range_or_malformed_is_refused_not_clamped(state):
    # cpr_ccg price inflation 2.5% a year (footprint_2019_20.yaml), its control reaching 3
    # points either side: -0.5% to 5.5%; "25" once became 5.5%, "-3" -0.5% and "3,5" 3.0%
    a = state.assumption("cpr_ccg", "expenditure.price_inflation")
    base = state.base_value("cpr_ccg", "expenditure.price_inflation")
    assert a.range(base) == pytest.approx((-0.005, 0.055))
    for typed in ("25", "-3"):
        with pytest.raises(ValueError, match=rf"^{typed} is out of range: this control takes "
                                             r"from -0\.5% to 5\.5%$"):
            a.parse(typed, base)
    with pytest.raises(ValueError, match=r"'3,5' is not a number; write the decimal point as "
                                         r"a point \(3\.5\)"):
        a.parse("3,5", base)
    assert a.parse("3.5", base) == 0.035 and a.parse("3.5%", base) == 0.035
    for slip in ("3..5", "1,00", "--3", "%", "3 5 1"):
        with pytest.raises(ValueError, match="is not a number"):
            parse("percent", slip)
    assert parse("money", "1,250,000") == 1250000  # commas between thousands are fine


def test_every_kind_of_organisation_has_its_levers_with_plain_help():
    # the system scenario: two CCGs, a trust (SUHFT) and two councils; most of its gap is the
    # trust's and the councils' (mid_south_essex_system_2019_20.yaml)
    s = ExplorerState("mid_south_essex_system_2019_20")
    assert s.bodies == ["cpr_ccg", "southend_ccg", "suhft", "essex_cc", "southend_bc"]
    assert s.orgs[-1] == "footprint"
    assert {"efficiency_rate", "efficiency_delivery", "cost_volume_growth"} <= set(
        s.keys("suhft"))
    assert "budget_growth" in s.keys("essex_cc") and any(
        k.startswith("cost_growth.") for k in s.keys("essex_cc"))
    cip = s.assumption("suhft", "efficiency_rate")
    assert cip.label.startswith("Cost improvement (CIP)") and cip.kind == "percent"
    s.set("suhft", "efficiency_rate", 0.03)
    assert s.overrides() == {"organisations.suhft.efficiency_rate": 0.03}
    s.scenario()  # validates
    # help in plain words: no units in brackets, no schema, no dotted paths, no citations
    for org in s.orgs:
        for key in s.keys(org):
            help_ = s.assumption(org, key).help
            assert help_ and not re.search(r"\[|\{|\w\.\w+\.|\d{3}:L\d|fraction", help_), help_


def test_plain_words_from_a_schema_description():
    assert plain("Population growth a year by age band: a rate or {year: rate} "
                 "[fraction/yr]") == "Population growth a year by age band."
    assert plain("Contingency reserve as a share of allocation (000:L2015) [fraction]") == \
        "Contingency reserve as a share of allocation."


def test_scenarios_are_offered_by_their_titles():
    assert scenario_title("footprint_2019_20") == \
        "South east Essex CCGs 2019/20 plans (footprint)"
    assert scenario_title("my_file.yaml") == "my_file.yaml"
