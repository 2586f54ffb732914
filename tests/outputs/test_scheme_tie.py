"""Tables that reconcile: the scheme register's subtotals by status, its plan total and its
pipeline subtotal tie to the QIPP table's identified, risk-adjusted and pipeline figures, in
every bundled scenario and every year."""

from __future__ import annotations

import pytest

from ccgmodels.inputs.loading import bundled_scenarios, load_scenario
from ccgmodels.models.run import run_scenario
from ccgmodels.outputs import labels, register


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_scheme_register_ties_to_the_qipp_table(name):
    s = load_scenario(name)
    results = run_scenario(s)
    reg = register.scheme_register(s)
    pipeline = labels.label("pipeline", era=s.era)
    for o in s.organisations:
        if getattr(o, "qipp", None) is None:
            continue
        mine = reg[reg["Organisation"] == o.name]
        plan, pipe = mine[mine["Status"] != pipeline], mine[mine["Status"] == pipeline]
        for year in s.years:
            t = register.scheme_reconciliation(s, results, o.id, year)
            # the first row is the register's own subtotals, read from the register
            first = t.iloc[0]
            assert first.iloc[0] == pytest.approx(plan["Net saving"].sum(), abs=1e-6)
            assert first.iloc[1] == pytest.approx(plan["Risk-adjusted saving"].sum(), abs=1e-6)
            assert first.iloc[2] == pytest.approx(pipe["Net saving"].sum(), abs=1e-6)
            # and what the schemes save in the year is the QIPP table's figure
            assert t.loc["Difference"].abs().max() < 0.5, (o.id, year, t)
            qipp = results[(results["org"] == o.id) & (results["year"] == year)
                           & (results["measure"] == "qipp")].set_index("item")["value"]
            assert t.iloc[-2].iloc[0] == pytest.approx(qipp.get("identified", 0.0))
            assert t.iloc[-2].iloc[2] == pytest.approx(qipp.get("pipeline", 0.0))


def test_cpr_register_explains_its_difference_from_the_qipp_table():
    """CPR 2019/20: the register's plan total 8,208 (000:L2041-L2068, 7,858, plus the second
    phase of the running cost reduction, 350 from 2020/21) is 350 above the QIPP table's
    7,858 identified; risk-adjusted 6,564.9 = 2,731 + 0.7 x 5,477 against 6,320 = 2,731 +
    0.7 x 5,127; the pipeline (351 net) is outside both."""
    s = load_scenario("cpr_2019_20")
    t = register.scheme_reconciliation(s, run_scenario(s), "cpr_ccg")
    assert t.iloc[0].round(1).tolist() == [8208.0, 6564.9, 350.7]
    assert t.iloc[1].round(1).tolist() == [-350.0, -245.0, 0.0]
    assert t.iloc[-2].round(1).tolist() == [7858.0, 6319.9, 350.7]


def test_subtotals_by_status_add_up_to_the_plan_and_keep_the_pipeline_apart():
    s = load_scenario("cpr_2019_20")
    reg = register.scheme_register(s)
    parts = register.scheme_subtotals(reg, s.era)
    kinds = [k for k, _ in parts]
    assert kinds == ["schemes", "subtotal"] * 3 + ["plan", "schemes", "pipeline"]
    subtotals = sum(p["Net saving"].iloc[0] for k, p in parts if k == "subtotal")
    plan = next(p for k, p in parts if k == "plan")
    pipeline = next(p for k, p in parts if k == "pipeline")
    assert plan["Net saving"].iloc[0] == pytest.approx(subtotals) == pytest.approx(8208.0)
    assert plan["Gross saving"].iloc[0] == pytest.approx(8208.0)  # no pipeline in it
    assert pipeline["Gross saving"].iloc[0] == pytest.approx(1561.36, abs=0.01)
    # every scheme appears once
    assert sum(len(p) for k, p in parts if k == "schemes") == len(reg)
