"""The analyst explorer driven from Python: controls -> state -> overrides -> results -> saved
scenario. The widgets are a view over ccgmodels.outputs.explorer.ExplorerState (tested directly
in test_explorer_state.py); these tests move the widgets as an analyst would."""

import re
import subprocess
import sys

import numpy as np
import pytest
import yaml

pytest.importorskip("ipywidgets")

import ipywidgets as w  # noqa: E402

from ccgmodels.inputs.loading import bundled_scenarios, load_scenario  # noqa: E402
from ccgmodels.models.results import compare  # noqa: E402
from ccgmodels.models.run import run_scenario  # noqa: E402
from ccgmodels.outputs.widgets import Explorer, field_meta  # noqa: E402

GROWTH = "allocation.growth_adjustment"
CPR_GROWTH = f"organisations.cpr_ccg.{GROWTH}"
SOUTHEND_GROWTH = f"organisations.southend_ccg.{GROWTH}"
P_IN_PROGRESS = "qipp.delivery_probability.in_progress"
STF = "primary_care_bridge.stf_arrives"
KEYS = ["org", "year", "measure", "item", "unit"]


@pytest.fixture
def explorer(tmp_path):
    ex = Explorer("footprint_2019_20", draw=False, folder=tmp_path / "saved")
    ex.recompute()
    return ex


def test_controls_come_from_the_model_metadata(explorer):
    c = explorer.controls
    # Scheme.delivery_probability is a Rate: bounded 0..1, shown as 0..100 per cent
    assert (c[P_IN_PROGRESS].min, c[P_IN_PROGRESS].max) == (0.0, 100.0)
    assert field_meta(P_IN_PROGRESS)["unit"] == "fraction"
    assert field_meta("solutions.demand_mitigation_rate")["low"] == 0.0
    assert field_meta(GROWTH)["low"] == -1.0
    # starting values are the scenario's, in per cent (cpr_ccg, footprint_2019_20.yaml:
    # allocation growth as published, a change of 0; in_progress 0.7); population bands come
    # from demand.population_growth
    assert c[GROWTH].value == pytest.approx(0.0)
    assert c[P_IN_PROGRESS].value == pytest.approx(70)
    assert {"demand.population_growth.0-64", "demand.population_growth.85+", STF} <= set(c)
    assert all(getattr(x, "continuous_update", False) is False
               for x in c.values() if hasattr(x, "min"))
    assert explorer.overrides() == {}


def test_labels_are_whole_with_units_and_toggles_say_yes_or_no(explorer):
    labels = [row.children[0].value for row in explorer.controls_box.children]
    assert any("Allocation growth: change to the settlement, every year [% a year]" in t
               for t in labels)
    assert any("Population growth, ages 0-64 [% a year]" in t for t in labels)
    assert all(not getattr(x, "description", "") for x in explorer.controls.values()
               if isinstance(x, w.FloatSlider))  # labels beside, never cut in a description
    stf = explorer.controls[STF]
    assert isinstance(stf, w.ToggleButtons) and stf.options == (("Yes", True), ("No", False))


def test_raising_allocation_growth_raises_do_nothing_surplus(explorer):
    before = explorer.summary().loc["Do nothing surplus/(deficit)"]
    explorer.controls[GROWTH].value = 2.5  # per cent; the observer recomputes
    after = explorer.summary().loc["Do nothing surplus/(deficit)"]
    # footprint edits both CCGs
    assert explorer.overrides() == {CPR_GROWTH: 0.025, SOUTHEND_GROWTH: 0.025}
    # the base year is the plan year, before any growth applies: unchanged
    assert after["2019/20"] == pytest.approx(before["2019/20"])
    assert (after.iloc[1:] > before.iloc[1:] + 1000).all()


def test_switch_organisation_and_back_keeps_the_changes(explorer):
    # the case: 3.0% on the footprint, then switch to cpr_ccg
    explorer.controls[GROWTH].value = 3.0
    explorer.org_dropdown.value = "cpr_ccg"
    assert explorer.controls[GROWTH].value == pytest.approx(3.0)
    explorer.controls["solutions.demand_mitigation_rate"].value = 25
    explorer.org_dropdown.value = "footprint"
    assert explorer.controls[GROWTH].value == pytest.approx(3.0)
    assert explorer.overrides() == {
        CPR_GROWTH: 0.03, "organisations.cpr_ccg.solutions.demand_mitigation_rate": 0.25,
        SOUTHEND_GROWTH: 0.03}


def test_the_footprint_control_says_when_commissioners_differ(explorer):
    # base: no change to either CCG's allocation growth (footprint_2019_20.yaml)
    assert "Differs" not in explorer.notes[GROWTH].value
    explorer.org_dropdown.value = "cpr_ccg"
    explorer.controls[GROWTH].value = 1.0
    explorer.org_dropdown.value = "footprint"
    assert "Differs: NHS Castle Point" in explorer.notes[GROWTH].value
    assert "1.0%" in explorer.notes[GROWTH].value and "0.0%" in explorer.notes[GROWTH].value
    explorer.controls[GROWTH].value = 3.0
    assert "Differs" not in explorer.notes[GROWTH].value
    explorer.org_dropdown.value = "southend_ccg"
    explorer.controls[GROWTH].value = 2.0
    explorer.org_dropdown.value = "footprint"
    assert "Differs" in explorer.notes[GROWTH].value


def test_one_org_edits_only_that_org(explorer):
    explorer.org_dropdown.value = "cpr_ccg"
    explorer.controls["solutions.demand_mitigation_rate"].value = 25
    assert explorer.overrides() == {
        "organisations.cpr_ccg.solutions.demand_mitigation_rate": 0.25}
    sol = explorer.results
    sel = sol[(sol["measure"] == "solutions") & (sol["item"] == "demand_mitigation")
              & (sol["year"] == "2020/21")].set_index("org")["value"]
    # mitigation = 25% of the cost of activity growth > 0 for cpr only (finance.py Notes)
    assert sel["cpr_ccg"] > 0 and sel["southend_ccg"] == 0


def test_stf_toggle_removes_bridge_stf(explorer):
    explorer.controls[STF].value = False
    r = explorer.results
    stf = r[(r["measure"] == "pc_bridge") & (r["item"] == "stf") & (r["org"] == "footprint")]
    # with STF arriving, cpr's 2020/21 bridge has 2,500 STF (000:L689-715, cpr_2019_20.yaml)
    assert stf["value"].abs().sum() == 0


def test_the_changes_panel_lists_and_removes(explorer):
    explorer.draw = True
    explorer.controls[GROWTH].value = 3.0
    explorer.controls[STF].value = False
    rows = [r for r, _ in explorer.remove_buttons]
    assert [(r.org, r.key, r.base, r.new) for r in rows] == [
        ("cpr_ccg", GROWTH, "0.0%", "3.0%"), ("cpr_ccg", STF, "Yes", "No"),
        ("southend_ccg", GROWTH, "0.0%", "3.0%"), ("southend_ccg", STF, "Yes", "No")]
    first = [c.value for c in explorer.changes_box.children[2].children[:4]]
    assert [re.sub("<[^>]+>", "", v) for v in first] == [
        "NHS Castle Point and Rochford CCG",
        "Allocation growth: change to the settlement, every year [% a year]", "0.0%", "3.0%"]
    explorer.remove_buttons[0][1].click()  # cpr's growth back to base
    assert explorer.overrides() == {"organisations.cpr_ccg." + STF: False,
                                    SOUTHEND_GROWTH: 0.03, "organisations.southend_ccg." + STF:
                                    False}
    assert len(explorer.remove_buttons) == 3
    assert "Differs" in explorer.notes[GROWTH].value  # cpr 0.0%, southend 3.0%


def test_save_as_scenario_validates_and_reproduces(explorer, tmp_path):
    explorer.controls[GROWTH].value = 4.0
    explorer.controls[P_IN_PROGRESS].value = 50
    explorer.controls[STF].value = False
    path = explorer.save(tmp_path / "my what if.yaml")
    text = path.read_text()
    assert "extends: footprint_2019_20" in text and "name: my_what_if" in text
    assert yaml.safe_load(text)["overrides"] == explorer.overrides()
    done = subprocess.run([sys.executable, "-m", "ccgmodels", "validate", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    again = run_scenario(load_scenario(path))
    assert compare(again, explorer.results, tol=1e-9, keys=KEYS).empty


def test_save_button_writes_into_the_chosen_folder_and_refuses_to_overwrite(explorer, tmp_path):
    explorer.controls[GROWTH].value = 4.0
    explorer.save_name.value = "Exists"
    path = tmp_path / "saved" / "exists.yaml"
    path.parent.mkdir()
    path.write_text("keep me")
    explorer._on_save()
    assert path.read_text() == "keep me" and "Not saved" in explorer.message.value
    explorer.save_overwrite.value = True
    explorer._on_save()
    assert "extends: footprint_2019_20" in path.read_text()
    assert str(path) in explorer.message.value
    assert explorer.save_overwrite.value is False  # asks again next time


def test_scenario_dropdown_shows_that_scenarios_own_changes(explorer):
    explorer.controls[GROWTH].value = 2.0
    explorer.scenario_dropdown.value = "southend_2019_20"
    assert explorer.org == "southend_ccg"
    assert explorer.overrides() == {}
    assert set(explorer.results["scenario"]) == {"southend_2019_20"}
    explorer.scenario_dropdown.value = "footprint_2019_20"  # and back: nothing lost
    assert explorer.overrides() == {CPR_GROWTH: 0.02, SOUTHEND_GROWTH: 0.02}


def test_redraw_fills_the_visible_chart_and_others_on_their_tab():
    ex = Explorer("cpr_2019_20", draw=True)
    ex.recompute()
    assert "Do something surplus/(deficit)" in ex.table.value
    assert "Do something 2023/24" in ex.headline.value
    # three charts: do nothing vs something, allocation vs expenditure, bridge waterfall
    assert len(ex.images) == 3
    assert ex.pictures[0][:4] == b"\x89PNG"
    # each chart an image with its alt text: what it shows and its key numbers
    assert "<img" in ex.images[0].value and "alt='Line chart, Surplus/(deficit)" in \
        ex.images[0].value
    assert ex.pictures[2] == b"" and ex.charts[2].stale  # not drawn until shown
    ex.tabs.selected_index = 2
    assert ex.pictures[2][:4] == b"\x89PNG" and not ex.charts[2].stale
    assert "alt='Waterfall chart, Primary care bridge" in ex.images[2].value
    assert len(ex.figures()) == 3


def test_a_rate_given_by_year_gets_a_box_a_year():
    by_year = {"2020/21": 0.03, "2021/22": 0.025, "2022/23": 0.02, "2023/24": 0.02}
    e = Explorer("cpr_2019_20", overrides={  # (its Monte Carlo range is on the single rate)
        "uncertainty": {}, "organisations.cpr_ccg.expenditure.price_inflation": by_year},
        draw=False)
    names = [n for n in e.controls if n.startswith("expenditure.price_inflation")]
    assert names == [f"expenditure.price_inflation.{y}" for y in by_year]
    assert e.controls["expenditure.price_inflation.2021/22"].value == "2.5%"
    e.controls["expenditure.price_inflation.2021/22"].value = "4"
    over = e.overrides()
    assert over["organisations.cpr_ccg.expenditure.price_inflation.2021/22"] == 0.04
    assert e.controls["expenditure.price_inflation.2021/22"].value == "4.0%"
    results = e.results
    infl = results[(results["org"] == "cpr_ccg") & (results["measure"] == "expenditure")
                   & (results["item"] == "other_programme")].sort_values("year")["value"]
    np.testing.assert_allclose(infl.to_numpy()[2] / infl.to_numpy()[1], 1.04)
    # a typing slip is refused, said, and changes nothing
    e.controls["expenditure.price_inflation.2022/23"].value = "two"
    assert "Not changed" in e.message.value and len(e.overrides()) == len(over)


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_every_bundled_scenario_draws(name):
    ex = Explorer(name, draw=True)
    ex.widget()
    assert ex.pictures[0][:4] == b"\x89PNG"
    for org in [o for _, o in ex.org_dropdown.options]:
        ex.org_dropdown.value = org
        slider = next((c for c in ex.controls.values() if isinstance(c, w.FloatSlider)), None)
        if slider is not None:
            slider.value = min(slider.max, slider.value + 1)
        else:  # a council whose rates are all by year: its first box
            key = next(iter(ex.controls))
            a, value = ex.state.assumption(org, key), ex.state.value(org, key)
            ex.controls[key].value = a.text(value + (0.001 if a.kind == "percent" else 1))
        assert ex.overrides(), f"{name}, {org}: a moved control changed nothing"
        assert ex.pictures[0][:4] == b"\x89PNG"


def test_money_by_year_is_a_row_of_boxes_in_thousands():
    # essex_ccgs_2014_15.yaml: contingency (2,795) in 2013/14, 12,260 in 2014/15 (003:L531)
    ex = Explorer("essex_ccgs_2014_15", draw=False)
    ex.recompute()
    assert ex.controls["contingency.2013/14"].value == "(2,795)"
    assert ex.controls["contingency.2014/15"].value == "12,260"
    before = ex.summary().loc["Do nothing surplus/(deficit)", "2014/15"]
    ex.controls["contingency.2014/15"].value = "13260"  # typed without a separator
    assert ex.overrides() == {"organisations.essex_ccgs.contingency.2014/15": 13260}
    assert ex.controls["contingency.2014/15"].value == "13,260"  # shown back in thousands
    # 1,000 £k more held in contingency is 1,000 £k less do-nothing surplus (finance.py:
    # do-nothing expenditure = spend + contingency)
    after = ex.summary().loc["Do nothing surplus/(deficit)", "2014/15"]
    assert after == pytest.approx(before - 1000)


def test_a_by_year_row_on_the_footprint_says_which_years_differ():
    by_year = {"2020/21": 0.03, "2021/22": 0.025, "2022/23": 0.02, "2023/24": 0.02}
    ex = Explorer("footprint_2019_20", draw=False, overrides={"uncertainty": {}, **{
        f"organisations.{o}.expenditure.price_inflation": by_year
        for o in ("cpr_ccg", "southend_ccg")}})
    key = "expenditure.price_inflation.2021/22"
    assert ex.notes[key].value.endswith(">Every commissioner</span>")
    ex.org_dropdown.value = "cpr_ccg"
    ex.controls[key].value = "4.0"
    ex.org_dropdown.value = "footprint"
    assert "Differs in 2021/22: NHS Castle Point and Rochford CCG 4.0%" in ex.notes[key].value
    ex.controls[key].value = "2.5"  # the footprint sets both back to 2.5%: no change left
    assert "Differs" not in ex.notes[key].value and ex.overrides() == ex.state.fixed


def test_a_typed_rate_is_refused_beside_its_control_and_nothing_changes(explorer):
    # footprint price inflation 2.5% a year (footprint_2019_20.yaml): the slider reaches
    # -0.5% to 5.5%; "25" was clamped to 5.5% without a word
    key = "expenditure.price_inflation"
    entry, slider = explorer.entries[key], explorer.controls[key]
    assert slider.readout is False and entry.value == "2.5%"
    for typed in ("25", "-3", "3,5"):
        entry.value = typed
        assert "Not changed" in explorer.notes[key].value, typed
        assert explorer.overrides() == {} and entry.value == "2.5%"
        assert slider.value == pytest.approx(2.5)
    assert "out of range" in explorer.notes[key].value or "decimal point" in \
        explorer.notes[key].value
    entry.value = "3.5"
    assert explorer.overrides()["organisations.cpr_ccg.expenditure.price_inflation"] == 0.035
    assert slider.value == pytest.approx(3.5) and "Not changed" not in \
        explorer.notes[key].value


def test_dropdowns_show_names_and_a_trust_has_its_levers():
    ex = Explorer("mid_south_essex_system_2019_20", draw=False)
    ex.recompute()
    assert ("Mid and south Essex system 2019/20 (CCGs, SUHFT, their councils)",
            "mid_south_essex_system_2019_20") in ex.scenario_dropdown.options
    shown = [t for t, _ in ex.org_dropdown.options]
    assert "Southend University Hospital NHS Foundation Trust" in shown
    assert not any(re.search(r"\(\w+_\w+\)|_ccg|suhft", t) for t in shown), shown
    before = ex.summary().loc["Do something surplus/(deficit)"].iloc[-1]
    ex.org_dropdown.value = "suhft"
    ex.entries["efficiency_rate"].value = "3"  # CIP 2% -> 3% a year
    assert ex.overrides() == {"organisations.suhft.efficiency_rate": 0.03}
    assert ex.summary().loc["Do something surplus/(deficit)"].iloc[-1] > 0
    ex.org_dropdown.value = "footprint"
    assert ex.summary().loc["Do something surplus/(deficit)"].iloc[-1] > before


def test_a_risk_switched_off_redraws_the_risk_adjusted_headline(tmp_path):
    # issue 28 item 6: a checkbox per risk and mitigation of a register; tests/risk_scenarios.py
    # gives the provider a certain risk of 1,000 £k a year at a 50% consolidation share, 500 in
    # the footprint's position (ASSUMPTION: illustrative figures of the tests)
    from risk_scenarios import with_registers

    path = tmp_path / "with_registers.yaml"
    path.write_text(yaml.safe_dump(with_registers(), sort_keys=False), encoding="utf-8")
    ex = Explorer(str(path), draw=True, folder=tmp_path / "saved")
    ex.widget()
    key = "risks.pay_award_unfunded.likelihood"
    assert set(ex.switch_boxes) == {
        ("cpr_ccg", "risks.elective_income_shortfall.likelihood"),
        ("cpr_ccg", "mitigations.vacancy_control.probability"), ("suhft", key)}
    box = ex.switch_boxes[("suhft", key)]
    assert box.value is True and box.description.startswith("Risk: Pay award above funding")
    assert "Risk-adjusted" in ex.headline.value

    def risk_adjusted() -> float:
        found = re.search(r"data-row='Risk-adjusted surplus/\(deficit\)' data-value='([-\d.]+)'",
                          ex.headline.value)
        assert found, ex.headline.value
        return float(found.group(1))

    before = risk_adjusted()
    box.value = False
    assert ex.overrides() == {f"organisations.suhft.{key}": 0.0}
    assert risk_adjusted() == pytest.approx(before + 500, abs=0.01)
    assert [(r.label, r.base, r.new) for r in ex.state.rows()] == [
        ("Risk: Pay award above funding", "On (100.0%)", "Off")]
    box.value = True  # and back on: no change left
    assert ex.overrides() == {} and risk_adjusted() == pytest.approx(before, abs=0.01)
