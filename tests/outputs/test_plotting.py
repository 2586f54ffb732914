"""Figures and presentation tables built from a real run of the bundled footprint scenario."""

import pytest

from ccgmodels.models.run import run_scenario
from ccgmodels.outputs import plotting, summaries, tables


@pytest.fixture(scope="module")
def results():
    return run_scenario("footprint_2019_20")


@pytest.mark.parametrize("value, text", [
    (-7684.1, "(7,684)"),  # cpr do nothing 2019/20: 275,220 - 282,904.1 (allocation - spend)
    (1189.7, "1,190"),
    (0.2, "0"),
    (-0.2, "0"),
    (1234567.0, "1,234,567"),
])
def test_money_as_plans_print_it(value, text):
    assert tables.money(value) == text


def test_headline_table(results):
    h = summaries.headline(results, "cpr_ccg")
    # cpr allocation 2019/20 = 247,026 + 3,883 + 24,311 = 275,220 (000:L1997-2001)
    assert h.loc["Allocation", "2019/20"] == pytest.approx(275220)
    shown = tables.money_table(h)
    assert shown.loc["Do nothing surplus/(deficit)", "2019/20"] == "(7,684)"


def test_waterfall_closes_on_end_state(results):
    bridge = results[(results["org"] == "cpr_ccg") & (results["measure"] == "pc_bridge")]
    steps = plotting.waterfall_steps(bridge, "2020/21")
    # cpr 2020/21 (000:L689-715): -300 - 2,800 - 100 - 500 + 2,300 + 2,500 = 1,100
    assert steps["value"].iloc[:-1].sum() == pytest.approx(1100)
    assert steps.iloc[-1][["label", "start", "value"]].tolist() == ["End state", 0.0, 1100.0]
    assert steps["end"].iloc[-2] == pytest.approx(steps["value"].iloc[-1])


@pytest.mark.parametrize("build, args", [
    (plotting.bridge_waterfall, ("cpr_ccg",)),
    (plotting.do_nothing_vs_something, ("footprint",)),
    (plotting.qipp_by, ("footprint", "status")),
    (plotting.qipp_by, ("cpr_ccg", "category")),
    (plotting.activity_by_pod, ("cpr_ccg",)),
    (plotting.allocation_vs_expenditure, ("southend_ccg",)),
])
def test_figures_have_title_units_and_source(results, build, args):
    fig = build(results, *args)
    ax = fig.axes[0]
    assert args[0] in ax.get_title()
    assert ax.get_ylabel() in {"£m", "Index (base year = 100)"}
    assert any(t.get_text().startswith("Source: ccgmodels scenario footprint_2019_20")
               for t in fig.texts)
    assert plotting.to_png(fig).startswith(b"\x89PNG")


def test_lines_are_in_millions(results):
    fig = plotting.do_nothing_vs_something(results, "cpr_ccg")
    do_nothing = next(li for li in fig.axes[0].lines if li.get_label() == "Do nothing")
    assert do_nothing.get_ydata()[0] == pytest.approx(-7.6841, abs=1e-3)  # -7,684.1 £k


def test_no_pyplot_state(results):
    import sys

    plotting.bridge_waterfall(results, "cpr_ccg")
    if "matplotlib.pyplot" in sys.modules:
        assert sys.modules["matplotlib.pyplot"].get_fignums() == []


def test_missing_org_says_so(results):
    with pytest.raises(ValueError, match="no 'pc_bridge' rows for org 'nobody'"):
        plotting.bridge_waterfall(results, "nobody")
