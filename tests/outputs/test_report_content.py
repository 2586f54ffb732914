"""The board report's content: display names, the assumptions and scheme registers, and the
executive summary written from the numbers."""

from __future__ import annotations

import re

import pytest

from ccgmodels.inputs.lineage import extends_of
from ccgmodels.inputs.loading import bundled_scenarios, load_scenario
from ccgmodels.models.run import run_scenario
from ccgmodels.outputs import labels, narrative, register, summaries, tables


@pytest.fixture(scope="module")
def base():
    return load_scenario("footprint_2019_20")


@pytest.fixture(scope="module")
def whatif():
    return load_scenario("footprint_2019_20_tight_funding")


@pytest.fixture(scope="module")
def results(base):
    return run_scenario(base)


def test_every_vocabulary_word_has_a_display_name_without_underscores():
    for words, names in labels.VOCABULARIES:
        assert set(words) == set(names), sorted(set(words) ^ set(names))
    for word in (*labels.SERVICE_LINE_NAMES, *labels.POD_NAMES, *labels.STATUS_NAMES,
                 *labels.BRIDGE_NAMES):
        shown = labels.label(word)
        assert "_" not in shown and shown[0].isupper(), (word, shown)
    assert labels.label("non_elective_zero_los") == (
        "Non-elective admissions, zero length of stay")
    assert labels.label("in_progress") == "In progress"
    assert labels.label("headroom_target", "qipp").startswith("Headroom")


def test_identifiers_are_found_in_text():
    assert labels.identifiers_in("the in_year_position and report.pdf and 2019/20") == [
        "in_year_position"]
    assert labels.identifiers_in("expenditure.price_inflation twice") == [
        "expenditure.price_inflation"]


def test_assumption_names_carry_the_organisation(base):
    assert labels.assumption_name(base, "organisations.*.expenditure.price_inflation") == (
        "Price inflation (all organisations)")
    assert labels.assumption_name(
        base, "organisations.southend_ccg.expenditure.volume_growth.acute") == (
        "Volume growth: Acute (NHS Southend CCG)")


def test_report_tables_show_display_names(results, base):
    book = tables.report_tables(results, base, "footprint")
    for key, table in book.items():
        shown = [str(i) for i in table.frame.index] + [table.title]
        assert not any(labels.identifiers_in(s) for s in shown), (key, shown)
    assert "Footprint (2 CCGs)" in book["Headline"].title


def test_register_cites_sources_and_flags_assumptions(base):
    reg = register.assumptions_register(base)
    assert len(reg) > 100 and set(reg["Flag"]) <= {
        register.FLAG_SOURCE, register.FLAG_ASSUMPTION, register.FLAG_DEFAULT,
        register.FLAG_NONE}
    row = reg[reg["path"] == "organisations.cpr_ccg.allocation.base.programme"].iloc[0]
    assert row["All years"] == "247,026" and row["Unit"] == "£k"
    assert row["Source"].startswith("000:") and row["Flag"] == register.FLAG_SOURCE
    growth = reg[reg["path"] ==
                 "organisations.cpr_ccg.allocation.growth.primary_care_cocommissioning"].iloc[0]
    assert growth["2020/21"] == "4.1%" and growth["2023/24"] == "3.54%"
    inflation = reg[reg["path"] == "organisations.cpr_ccg.expenditure.price_inflation"].iloc[0]
    assert inflation["Flag"] == register.FLAG_ASSUMPTION
    assert not any(labels.identifiers_in(a) for a in reg["Assumption"])


def test_register_marks_what_if_changes_against_the_base(base, whatif):
    assert extends_of("footprint_2019_20_tight_funding") == "footprint_2019_20"
    reg = register.assumptions_register(whatif, base)
    changed = reg[reg["Flag"] == register.FLAG_WHATIF]
    # the eight overrides of footprint_2019_20_tight_funding.yaml, each CCG
    want = {f"organisations.{o}.{p}" for o in ("cpr_ccg", "southend_ccg") for p in (
        "allocation.growth_adjustment", "qipp.delivery_probability.in_progress",
        "primary_care_bridge.stf_arrives", "solutions.demand_mitigation_rate")}
    assert set(changed["path"]) == want
    row = changed[changed["path"] == "organisations.cpr_ccg.allocation.growth_adjustment"]
    assert row["All years"].iloc[0] == "-1.0%"
    assert "changed from 0.0%" in row["Source"].iloc[0]


def test_scheme_register_risk_adjusts_by_status(base):
    reg = register.scheme_register(base)
    cpr = reg[reg["Organisation"] == "NHS Castle Point and Rochford CCG"]
    pipeline = cpr["Status"] == "Pipeline (outside the plan)"
    # the programmes' pipeline: respiratory at CPR's 48.67% share of 370.017 (000:L1230);
    # the described, uncosted ones carry no figures
    resp = cpr[cpr["Scheme"].str.startswith("Respiratory")].iloc[0]
    assert resp["Net saving"] == pytest.approx(0.4867 * 370.017)
    assert "joint, 48.7% share" in resp["Scheme"]
    assert cpr.loc[cpr["Scheme"].str.contains("not costed"), "Net saving"].isna().all()
    cpr = cpr[~pipeline]
    # 000:L2040-L2068: CPR's 2019/20 schemes add to 7,858; the second phase of the running
    # cost reduction, 350, starts in 2020/21
    in_base = cpr["Phasing"] == "2019/20 Q1"
    assert cpr.loc[in_base, "Net saving"].sum() == pytest.approx(7858)
    assert cpr.loc[~in_base, "Net saving"].tolist() == [350]
    presc = cpr[cpr["Scheme"] == "Prescribing"].iloc[0]
    assert presc["Status"] == "In progress" and presc["Delivery probability"] == 0.7
    assert presc["Risk-adjusted saving"] == pytest.approx(1712 * 0.7)
    assert set(reg["Recurrent"]) <= {"Yes", "No (one year)"}


def test_executive_summary_figures_come_from_the_results(results, base):
    text = narrative.executive_summary(results, base, "footprint")
    dn_end = summaries.value_at(results, "footprint", "do_nothing_surplus", "", "2023/24")
    ds_end = summaries.value_at(results, "footprint", "do_something_surplus", "", "2023/24")
    assert narrative.pounds(dn_end) in text[0] and "deficit" in text[0]
    assert narrative.pounds(ds_end) in text[2]
    # every number in the summary is one of the results' figures, in £k or a share
    figures = {narrative.pounds(v) for v in results["value"]}
    for sentence in text:
        for k in re.findall(r"£[\d,]+k", sentence):
            assert k in figures or k in sentence, k
    assert ("in balance from 2019/20 to 2020/21 and in deficit from 2021/22 to 2023/24"
            in text[3])


def test_stp_notes_explain_zero_rows(results, base):
    notes = narrative.stp_notes(summaries.stp_summary(results, "2023/24"), base)
    assert set(notes) == {"Provider Surplus / (Deficit)", "Indicative STF Allocation",
                          "Social Care Surplus / (Deficit)"}
    assert "No NHS provider" in notes["Provider Surplus / (Deficit)"]


def test_variance_bridge_is_exact_and_refuses_other_organisations(base, whatif):
    from ccgmodels.outputs import variance

    steps = variance.bridge(base, whatif)
    assert list(steps["step"]) == ["Opening", *variance.GROUPS, "Residual", "Closing"]
    v = steps.set_index("step")["value"]
    assert v["Opening"] == pytest.approx(
        summaries.value_at(run_scenario(base), "footprint", "do_something_surplus", "",
                           "2023/24"))
    assert v["Opening"] + v[list(variance.GROUPS)].sum() + v["Residual"] == pytest.approx(
        v["Closing"])
    assert v["Residual"] == pytest.approx(0, abs=1e-6)
    changed = steps.set_index("step")["changed"]
    # footprint_2019_20_tight_funding.yaml: 2 funding, 2 QIPP delivery, 4 solutions overrides
    assert changed[["Funding", "QIPP delivery", "Solutions"]].tolist() == [2, 2, 4]
    assert v["Demand"] == v["Prices"] == v["Other"] == 0
    assert variance.group_of(("organisations", 0, "demand", "tariff_efficiency")) == "Prices"
    with pytest.raises(variance.NotComparable, match="different organisations"):
        variance.bridge(base, load_scenario("cpr_2019_20"))


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_every_bundled_scenarios_register_reads_without_identifiers(name):
    """The assumptions register prints each source text: in every bundled scenario those texts
    name lines and fields as a reader knows them, never as the code does."""
    reg = register.assumptions_register(load_scenario(name))
    for column in ("Assumption", "Source"):
        bad = {t for t in reg[column] if labels.identifiers_in(str(t))}
        assert not bad, (column, sorted(bad)[:3])
