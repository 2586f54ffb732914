"""The programmes' scheme economics (000) as pipeline schemes: costed where the plan costs
them, described where it does not, joint schemes counted once, outside the QIPP plan."""

from __future__ import annotations

import numpy as np
import pytest
from frames import series

from ccgmodels import run_scenario
from ccgmodels.inputs import refdata
from ccgmodels.inputs.loading import ScenarioError

CPR = "organisations.cpr_ccg.qipp.schemes"


@pytest.fixture(scope="module")
def fp():
    return run_scenario("footprint_2019_20")


def economics(programme: str, measure: str, component: str | None = None) -> float:
    """A printed figure of scheme_economics.csv in £k."""
    ref = refdata.load("scheme_economics")
    row = ref[(ref.programme == programme) & (ref.measure == measure)]
    row = row[row.component.fillna("") == (component or "")]
    scale = {"£": 1e-3, "£k": 1.0, "£m": 1e3}[row["unit"].item()]
    return row["value"].item() * scale


def scheme(df, scheme_id, org="footprint", year="2019/20"):
    sel = df[(df.org == org) & (df.measure == "qipp_scheme") & (df.item == scheme_id)
             & (df.year == year)]
    return sel["value"].item()


def test_joint_programmes_net_as_printed_counted_once(fp):
    """000:L1230 respiratory net 370,017; 000:L1316 cardiology net 219,517; the two CCGs'
    shares add to the programme once."""
    assert scheme(fp, "respiratory_gpwer") == pytest.approx(economics("respiratory",
                                                                      "net_saving"))
    assert scheme(fp, "community_heart_failure") == pytest.approx(
        economics("cardiology_community_heart_failure", "net_saving"))
    assert scheme(fp, "respiratory_gpwer", "cpr_ccg") + scheme(
        fp, "respiratory_gpwer", "southend_ccg") == pytest.approx(370.017)


def test_childrens_programme_nets_its_prescribing_against_the_investment(fp):
    """000:L1007-L1018: the activity reductions alone are below the investment; with the
    £255,000+ prescribing reduction the programme saves 130,962."""
    activity = scheme(fp, "childrens_activity_reductions")
    assert activity == pytest.approx(economics("childrens_transformation", "gross_saving",
                                               "activity_reductions")
                                     - economics("childrens_transformation", "investment"))
    assert activity < 0
    assert activity + scheme(fp, "childrens_prescribing") == pytest.approx(130.962)


def test_carers_net_is_derived_not_the_printed_153k(fp):
    """000:L848 prints a net saving of £153,000 that its own gross and investment do not give:
    the model's net is gross less the CCG's half of the investment."""
    got = scheme(fp, "carers_respite", "southend_ccg")
    assert got == pytest.approx(economics("carers", "gross_saving")
                                - economics("carers", "investment") / 2)
    assert got != pytest.approx(economics("carers", "net_saving"))


def test_pipeline_stays_outside_the_plan(fp):
    """The CPR QIPP table (000:L2028-L2068) is unchanged by the pipeline: identified 7,858,
    gap 406; the pipeline is its own figure, and the do something does not count it while its
    delivery probability is 0."""
    assert series(fp, "qipp", "identified")[0] == pytest.approx(7858)
    assert series(fp, "qipp", "unidentified")[0] == pytest.approx(406)
    assert series(fp, "qipp_category", "acute")[0] == pytest.approx(4681)
    pipeline = series(fp, "qipp", "pipeline", org="footprint")
    assert pipeline[0] == pytest.approx(370.017 + 219.517 - 124.038 + 255 + 130)
    cover = series(fp, "qipp", "pipeline_cover", org="footprint")
    np.testing.assert_allclose(cover, series(fp, "qipp", "identified", org="footprint")
                               + pipeline - series(fp, "qipp", "pipeline_target",
                                                   org="footprint"))
    # described, uncosted items are no number
    assert fp[(fp.measure == "qipp_scheme") & (fp.item == "frailty")]["value"].isna().all()


def test_delivering_the_pipeline_improves_the_position_by_exactly_it(fp):
    df = run_scenario("footprint_2019_20", {
        f"organisations.{o}.qipp.delivery_probability.pipeline": 1.0
        for o in ("cpr_ccg", "southend_ccg")})
    lift = (series(df, "do_something_surplus", org="footprint")
            - series(fp, "do_something_surplus", org="footprint"))
    np.testing.assert_allclose(lift, series(fp, "qipp", "pipeline", org="footprint"),
                               atol=1e-6)


@pytest.mark.parametrize("override, fragment", [
    ({"organisations.cpr_ccg.qipp.schemes.respiratory_gpwer.share": 0.6},
     "joint scheme respiratory_gpwer is counted 111%"),
    ({f"{CPR}.frailty.status": "in_progress"}, "only a pipeline item may be described"),
    ({f"{CPR}.frailty.investment": 100}, "described, not costed"),
])
def test_joint_and_uncosted_schemes_are_checked(override, fragment):
    with pytest.raises(ScenarioError, match=fragment):
        run_scenario("footprint_2019_20", override)


def test_stp_opportunities_are_the_plans_figures_counted_once():
    """000:L2532-L2551 against stp_transformation_opportunities.csv: each sized opportunity
    as printed; the c£5m CVD opportunity cited twice (L2538, L2539) counts once in the total;
    the £3m crisis care is an investment, not a saving; the undescribed ones carry no number."""
    df = run_scenario("mid_south_essex_system_2019_20")
    got = df[df.measure == "system_opportunity"].set_index("item")["value"]
    ref = refdata.load("stp_transformation_opportunities")
    sized = ref[ref.measure.isin(["opportunity", "investment"]) & ref.value.notna()]
    scale = sized["unit"].map({"£m": 1000.0, "£k": 1.0})
    printed = dict(zip(sized.scheme_id, sized.value * scale, strict=True))
    for scheme_id, value in printed.items():
        assert got[scheme_id] == pytest.approx(value), scheme_id
    savings = sized[(sized.measure == "opportunity")]
    group = savings.double_count_group.fillna("")
    once = savings[(group == "") | ~group.duplicated()]
    assert got["total_saving"] == pytest.approx((once.value * scale[once.index]).sum())
    assert got["total_saving"] == pytest.approx(21_200)
    assert got["total_investment"] == pytest.approx(3_000)
    assert "system_discharge_pathways" not in got.index
