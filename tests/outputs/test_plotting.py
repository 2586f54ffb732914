"""Figures and presentation tables built from a real run of the bundled footprint scenario."""

import re

import pytest

from ccgmodels.models import uncertainty as u
from ccgmodels.models.run import run_scenario
from ccgmodels.outputs import chartdata, labels, plotting, summaries, tables


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


NAMES = {"cpr_ccg": "NHS Castle Point and Rochford CCG", "southend_ccg": "NHS Southend CCG",
         "footprint": "Footprint (2 CCGs)"}


@pytest.mark.parametrize("build, args", [
    (plotting.bridge_waterfall, ("cpr_ccg",)),
    (plotting.do_nothing_vs_something, ("footprint",)),
    (plotting.qipp_by, ("footprint", "status")),
    (plotting.qipp_by, ("cpr_ccg", "category")),
    (plotting.activity_by_pod, ("cpr_ccg",)),
    (plotting.allocation_vs_expenditure, ("southend_ccg",)),
])
def test_figures_have_title_units_source_and_alt_text(results, build, args):
    fig = build(results, *args, name=NAMES[args[0]])
    ax = fig.axes[0]
    assert NAMES[args[0]] in ax.get_title()
    assert ax.get_ylabel() in {"£k", "Index (base year = 100)"}
    # the source note names no scenario id and no document the scenario may not use
    notes = [t.get_text() for t in fig.texts if t.get_text().startswith("Source:")]
    assert notes and not any("footprint_2019_20" in n or "(000)" in n for n in notes)
    alt = plotting.alt_text(fig)
    assert NAMES[args[0]] in alt and re.search(r"\d", alt), alt
    assert labels.identifiers_in(alt) == [], alt
    legend = ax.get_legend()
    shown = [t.get_text() for t in legend.get_texts()] if legend else []
    assert not any(labels.identifiers_in(s) for s in shown), shown
    assert plotting.to_png(fig).startswith(b"\x89PNG")


def test_lines_are_in_thousands_with_deficits_in_brackets(results):
    fig = plotting.do_nothing_vs_something(results, "cpr_ccg")
    ax = fig.axes[0]
    do_nothing = next(li for li in ax.lines if li.get_label() == "Do nothing")
    assert do_nothing.get_ydata()[0] == pytest.approx(-7684.1, abs=0.1)  # -7,684.1 £k
    assert ax.yaxis.get_major_formatter()(-5000, 0) == "(5,000)"
    # the alt text carries the first and last values, as the tables print them
    assert "Do nothing (7,684) in 2019/20" in plotting.alt_text(fig)


def test_allocation_chart_shows_the_gap_not_zero(results):
    fig = plotting.allocation_vs_expenditure(results, "footprint")
    lo, hi = fig.axes[0].get_ylim()
    values = [v for li in fig.axes[0].lines for v in li.get_ydata()]
    # footprint allocation 565,461 in 2019/20 (000): the axis starts near the lowest line
    assert lo > 0.8 * min(values) and hi < 1.2 * max(values)


def test_waterfall_bars_carry_their_values(results):
    fig = plotting.bridge_waterfall(results, "cpr_ccg", "2020/21")
    texts = [t.get_text() for t in fig.axes[0].texts]
    # cpr 2020/21 (000:L689-715): workforce -2,800, STF 2,500, end state 1,100
    assert {"(2,800)", "2,500", "1,100"} <= set(texts)


def test_fan_chart_bands_do_not_overlap_and_tornado_names_the_organisation(results):
    from ccgmodels.inputs.loading import load_scenario
    from ccgmodels.models import uncertainty

    s = load_scenario("footprint_2019_20")
    summary = uncertainty.summarise(uncertainty.simulate(s, 50, 1))
    fig = plotting.fan_chart(summary, "footprint", name="Footprint (2 CCGs)")
    assert len([a for a in fig.axes if a.collections]) == 2  # one panel per measure
    assert "median" in plotting.alt_text(fig)
    table = uncertainty.tornado(s)
    names = {p: labels.assumption_name(s, p) for p in table["assumption"]}
    fig = plotting.tornado_chart(table, names=names, name="Footprint (2 CCGs)")
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(set(ticks)) == len(ticks), ticks  # each assumption once, with its organisation
    assert any("NHS Southend CCG" in t for t in ticks)
    # without display names, the organisation still tells the two CCGs' assumptions apart
    plain = [t.get_text() for t in plotting.tornado_chart(table).axes[0].get_yticklabels()]
    assert len(set(plain)) == len(plain) and any("(Southend ccg)" in t for t in plain), plain


def test_palette_is_colour_blind_safe(results):
    from matplotlib.colors import to_hex

    fig = plotting.do_nothing_vs_something(results, "footprint")
    colours = {to_hex(li.get_color()).upper() for li in fig.axes[0].lines
               if li.get_label() in ("Do nothing", "Do something")}
    assert colours <= {c.upper() for c in chartdata.CYCLE}


def test_no_pyplot_state(results):
    import sys

    plotting.bridge_waterfall(results, "cpr_ccg")
    if "matplotlib.pyplot" in sys.modules:
        assert sys.modules["matplotlib.pyplot"].get_fignums() == []


def test_missing_org_says_so(results):
    with pytest.raises(ValueError, match="no 'pc_bridge' rows for org 'nobody'"):
        plotting.bridge_waterfall(results, "nobody")


def test_charts_carry_units_and_source():
    sim = u.simulate("cpr_2019_20", 100, seed=1)
    figs = [plotting.fan_chart(u.summarise(sim), org="cpr_ccg"),
            plotting.tornado_chart(u.tornado(sim.scenario)),
            plotting.position_s_curve(sim.get("footprint", "do_something_surplus")[1:, -1],
                                      sim.scenario.name, year="2023/24")]
    for fig in figs:  # money in the tables' unit, £k, on the value axis
        ax = fig.axes[0]
        assert "£k" in ax.get_ylabel() + ax.get_xlabel()
        assert any(t.get_text().startswith("Source: ccgmodels") for t in fig.texts)
        assert not any("cpr_2019_20" in t.get_text() for t in fig.texts)


def test_a_long_title_wraps_inside_the_figure_and_a_short_one_does_not():
    """A title longer than the figure is wide (an ICB-era system's name lists its bodies) is
    broken into lines, not cut off at the figure's edge; the 2019/20 titles stay on one line."""
    import matplotlib.pyplot as plt

    results = run_scenario("cpr_2019_20")
    long_name = "System (1 ICB, 3 providers, 1 council) of a rather long name"
    fig = plotting.do_nothing_vs_something(results, "cpr_ccg", name=long_name)
    title = fig.axes[0].get_title()
    assert "\n" in title and title.replace("\n", " ").endswith(long_name)
    assert max(map(len, title.splitlines())) <= plotting.TITLE_WIDTH
    fig.canvas.draw()
    box = fig.axes[0].title.get_window_extent()
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width  # inside the figure
    short = plotting.do_nothing_vs_something(results, "cpr_ccg")
    assert "\n" not in short.axes[0].get_title()
    plt.close(fig)
    plt.close(short)
