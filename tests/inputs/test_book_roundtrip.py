"""The assumptions workbook round trip: export then import gives the scenario back exactly.

Compared as validated scenarios (``model_dump``, sources included), for every bundled scenario
(``extends:`` resolved) and for generated variants of them: numbers changed, by-year rates
switched between one number and a mapping, optional groups dropped, schemes added.
"""

from __future__ import annotations

import openpyxl
import pytest
from books import cell_of, exported
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ccgmodels.inputs.book.reader import scenario_yaml
from ccgmodels.inputs.book.writer import export_book
from ccgmodels.inputs.loading import bundled_scenarios, check, load_scenario, validate_data
from ccgmodels.inputs.paths import get_path, set_path

BUNDLED = sorted(bundled_scenarios())
#: the bundled scenarios with a CCG, which the generated variants below change (an ICB's
#: variants: tests/inputs/test_book_icb.py)
CCG_ERA = [n for n in BUNDLED if any(o.kind == "ccg" for o in load_scenario(n).organisations)]


def round_trip(scenario, path):
    export_book(scenario, path)
    back, _, problems = check(path)
    assert problems == [], "\n".join(map(str, problems))
    return back


def differences(a, b, path=""):
    """Dotted paths where two plain dumps differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in dict.fromkeys([*a, *b])
                for d in differences(a.get(k), b.get(k), f"{path}.{k}".lstrip("."))]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in differences(x, y, f"{path}.{i}")]
    return [] if a == b else [path]


@pytest.mark.parametrize("name", BUNDLED)  # the current plan (an ICB's) too
def test_every_bundled_scenario_comes_back_exactly(name, tmp_path):
    original = load_scenario(name)
    back = round_trip(original, tmp_path / f"{name}.xlsx")
    assert differences(original.model_dump(), back.model_dump()) == []
    assert back.sources == original.sources and back.sources  # citations travel too


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    data = load_scenario("cpr_2019_20").model_dump()
    data = set_path(data, "organisations.cpr_ccg.qipp.schemes.avastin.name", "=Avastin+1")
    scenario, problems = validate_data(data, "cpr")
    back = round_trip(scenario, tmp_path / "plan.xlsx")
    assert back.org("cpr_ccg").qipp.schemes[3].name == "=Avastin+1"


def test_the_written_yaml_loads_to_the_same_scenario(tmp_path):
    original = load_scenario("mid_south_essex_system_2019_20")
    back = round_trip(original, tmp_path / "plan.xlsx")
    (tmp_path / "scenario.yaml").write_text(scenario_yaml(back), encoding="utf-8")
    again = load_scenario(tmp_path / "scenario.yaml")
    assert again.model_dump() == original.model_dump()


@pytest.mark.parametrize("sheet, first, second, header, value, path, expected", [
    # CPR's Avastin scheme, 84 in the plan's scheme list, changed to 90
    ("QIPP", "cpr_ccg", "avastin", "Net saving", 90,
     "organisations.cpr_ccg.qipp.schemes.avastin.net_saving", 90),
    # typed as text with a thousands separator
    ("Allocations", "southend_ccg", "allocation.base.programme", "Value (every year)",
     "261,000 ", "organisations.southend_ccg.allocation.base.programme", 261000),
    # typed as a per cent, in text
    ("Plan", "cpr_ccg", "expenditure.price_inflation", "Value (every year)", "3.4%",
     "organisations.cpr_ccg.expenditure.price_inflation", 0.034),
    ("Activity", "southend_ccg", "ae", "Activity", 110000,
     "organisations.southend_ccg.demand.pods.ae.activity", 110000),
    ("Providers", "suhft", "cost", "Value (every year)", 300000,
     "organisations.suhft.cost", 300000),
    ("Solutions", "cpr_ccg", "qipp.delivery_probability.in_progress", "Value (every year)",
     0.6, "organisations.cpr_ccg.qipp.delivery_probability.in_progress", 0.6),
    ("Bridge", "southend_ccg", "primary_care_bridge.stf_arrives", "Value (every year)", "no",
     "organisations.southend_ccg.primary_care_bridge.stf_arrives", False),
    ("Councils", "essex_cc", "budget_growth", "Value (every year)", 0.05,
     "organisations.essex_cc.budget_growth", 0.05),
])
def test_a_changed_cell_changes_exactly_that_assumption(tmp_path, sheet, first, second,
                                                        header, value, path, expected):
    original = load_scenario("mid_south_essex_system_2019_20")
    target = exported(tmp_path, "mid_south_essex_system_2019_20")  # exported once, copied
    book = openpyxl.load_workbook(target)
    cell_of(book, sheet, first, second, header).value = value
    book.save(target)
    back, _, problems = check(target)
    assert problems == [], "\n".join(map(str, problems))
    assert len(differences(original.model_dump(), back.model_dump())) == 1
    assert get_path(original, path) != expected
    assert get_path(back, path) == pytest.approx(expected)


def test_one_number_or_a_number_each_year(tmp_path):
    """Clearing the Value cell and filling the year columns gives a rate by year."""
    original = load_scenario("cpr_2019_20")
    target = tmp_path / "plan.xlsx"
    export_book(original, target)
    book = openpyxl.load_workbook(target)
    row = "expenditure.volume_growth.mental_health"  # 3% a year (ASSUMPTION), no range
    cell_of(book, "Plan", "cpr_ccg", row, "Value (every year)").value = None
    years = original.years[1:]
    for i, year in enumerate(years):
        cell_of(book, "Plan", "cpr_ccg", row, year).value = 0.02 + i / 1000
    book.save(target)
    back = load_scenario(target)
    assert back.org("cpr_ccg").expenditure.volume_growth["mental_health"] == {
        y: pytest.approx(0.02 + i / 1000) for i, y in enumerate(years)}
    assert differences(original.model_dump(), back.model_dump()) == [
        "organisations.0.expenditure.volume_growth.mental_health"]


# --- generated variants ------------------------------------------------------------------

# Figures as a person types them: a cell holds 15 significant digits (Excel's precision, and
# what openpyxl writes), so generated rates have 6 decimals and money 2.
RATES = st.integers(-50_000, 120_000).map(lambda k: k / 1e6)
MONEY = st.integers(0, 500_000_000).map(lambda k: k / 100)
BASES = {name: load_scenario(name).model_dump() for name in CCG_ERA}


def _by_year(years):
    return st.one_of(RATES, st.fixed_dictionaries({y: RATES for y in years}))


@st.composite
def variants(draw):
    """A bundled scenario with some of its assumptions changed; only valid ones are kept."""
    data = BASES[draw(st.sampled_from(CCG_ERA))]
    years = load_scenario(data["name"]).years
    later = years[1:]
    ccgs = [o["id"] for o in data["organisations"] if o["kind"] == "ccg"]
    org = draw(st.sampled_from(ccgs))
    root = f"organisations.{org}"
    changes = {
        f"{root}.allocation.base.programme": MONEY,
        f"{root}.allocation.growth.programme": _by_year(later),
        f"{root}.expenditure.volume_growth.community": _by_year(later),
        f"{root}.expenditure.price_inflation_by_line.prescribing": _by_year(later),
        f"{root}.control_total": st.one_of(st.integers(-50_000, 50_000).map(float),
                                          st.fixed_dictionaries({y: MONEY for y in years})),
        f"{root}.solutions.stf": st.dictionaries(st.sampled_from(years), MONEY, max_size=3),
        f"{root}.solutions.demand_mitigation_rate": st.integers(0, 1000).map(lambda k: k / 1e3),
        f"{root}.solutions.contingency_release": st.booleans(),
        f"{root}.qipp.target": st.one_of(st.none(), MONEY),
        "deflator": _by_year(later),
        "delivery_correlation": st.integers(0, 100).map(lambda k: k / 100),
        "description": st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                               max_size=30).map(str.strip),
    }
    out = data
    for path in draw(st.lists(st.sampled_from(sorted(changes)), min_size=1, max_size=5,
                              unique=True)):
        out = set_path(out, path, draw(changes[path]))
    if draw(st.booleans()):  # one more scheme, given gross and investment
        scheme = {"id": "generated_scheme", "name": "Generated scheme",
                  "category": draw(st.sampled_from(["acute", "prescribing", "community"])),
                  "gross_saving": draw(st.integers(0, 500_000).map(lambda k: k / 1e3)),
                  "investment": draw(st.integers(0, 50).map(float)),
                  "status": draw(st.sampled_from(["delivered", "in_progress", "scoping"])),
                  "start_year": draw(st.sampled_from(years)),
                  "start_quarter": draw(st.integers(1, 4)), "recurrent": draw(st.booleans()),
                  "investment_line": draw(st.sampled_from([None, "running_costs"]))}
        orgs = [dict(o) for o in out["organisations"]]
        o = next(o for o in orgs if o["id"] == org)
        o["qipp"] = {**o["qipp"], "schemes": [*o["qipp"]["schemes"], scheme]}
        out = {**out, "organisations": orgs}
    if draw(st.booleans()):  # published allocation levels by year instead of growth
        levels = {y: {k: draw(MONEY) for k in ("programme", "running_costs",
                                                "primary_care_cocommissioning")}
                  for y in later}
        out = set_path(out, f"{root}.allocation.growth",
                       {"programme": 0.0, "running_costs": 0.0,
                        "primary_care_cocommissioning": 0.0})
        out = set_path(out, f"{root}.allocation.levels", levels)
        out = {**out, "uncertainty": {k: v for k, v in out["uncertainty"].items()
                                      if ".allocation.growth" not in k}}
    demand = get_path(out, f"{root}.demand")
    if demand and draw(st.booleans()):  # a point of delivery's own growth, year by year
        pod = draw(st.sampled_from(sorted(demand["pods"])))
        out = set_path(out, f"{root}.demand.pods.{pod}.non_demographic_growth",
                       draw(_by_year(later)))
    others = [o for o in out["organisations"] if o["kind"] != "ccg"]
    if others and draw(st.booleans()):  # the provider's and council's by-year figures
        for o in others:
            key = "cost_volume_growth" if o["kind"] == "provider" else "cost_growth"
            out = set_path(out, f"organisations.{o['id']}.{key}", draw(_by_year(later)))
            if o["kind"] == "provider":
                out = set_path(out, f"organisations.{o['id']}.stf",
                               draw(st.dictionaries(st.sampled_from(years), MONEY,
                                                    max_size=2)))
        out = {**out, "uncertainty": {k: v for k, v in out["uncertainty"].items()
                                      if "cost_growth" not in k and "cost_volume_growth" not in k}}
    if draw(st.booleans()):  # no primary care bridge, and nothing that points into it
        out = set_path(out, f"{root}.primary_care_bridge", None)
        out = {**out, "sources": {k: v for k, v in out["sources"].items()
                                  if not k.startswith(f"{root}.primary_care_bridge")}}
    scenario, problems = validate_data(out, "variant")
    return scenario


@pytest.mark.slow  # 30 generated scenarios, each exported and read back: ~10 s
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(variants().filter(lambda s: s is not None))
def test_generated_variants_come_back_exactly(tmp_path_factory, scenario):
    path = tmp_path_factory.mktemp("variant") / "plan.xlsx"
    back = round_trip(scenario, path)
    assert differences(scenario.model_dump(), back.model_dump()) == []
