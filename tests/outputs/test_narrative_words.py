"""The executive summary's words: every year of the horizon said, no rounding residual
celebrated (a stated materiality), no brackets inside brackets."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from ccgmodels.inputs.loading import bundled_scenarios, load_scenario
from ccgmodels.models.run import run_scenario
from ccgmodels.outputs import narrative

YEARS = ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]


def depth(text: str) -> int:
    """The deepest nesting of round brackets in ``text``."""
    d = deepest = 0
    for ch in text:
        d += ch == "("
        deepest = max(deepest, d)
        d -= ch == ")"
    return deepest


def test_balance_sentence_says_every_year():
    s = pd.Series([100.0, -2000.0, -3000.0, 100.0, -10.0], index=YEARS)
    assert narrative.balance_sentence(s) == (
        "The do-something position is in balance in 2019/20, in deficit from 2020/21 to "
        "2021/22, in balance again in 2022/23 and in deficit again in 2023/24; the deficits "
        "add up to £5,010k.")
    # within the materiality, -10 is break-even: in balance
    assert narrative.balance_sentence(s, 275.0).endswith(
        "in balance again from 2022/23 to 2023/24; the deficits add up to £5,000k.")
    assert narrative.balance_sentence(s.clip(lower=0)) == (
        "The do-something position is in balance in every year from 2019/20 to 2023/24.")
    assert narrative.balance_sentence(-s.abs()) == (
        "The do-something position is in deficit in every year from 2019/20 to 2023/24, the "
        "deficits adding up to £5,210k.")


def test_a_rounding_residual_is_break_even():
    assert narrative.position(12.0, 275.2) == "break-even"
    assert narrative.position(-274.0, 275.2) == "break-even"
    assert narrative.position(-300.0, 275.2) == "a deficit of £300k"
    assert narrative.position(1.0) == "a surplus of £1k"  # no materiality: as printed


def test_materiality_is_a_tenth_of_a_percent_of_allocation_capped_at_half_a_million():
    s = load_scenario("cpr_2019_20")
    r = run_scenario(s)
    # 0.1% of CPR's 2019/20 allocation 275,220 (000:L1984)
    assert narrative.materiality(r, "cpr_ccg") == pytest.approx(275.22)
    # the footprint of two CCGs (565,461): capped at £500k
    f = run_scenario(load_scenario("footprint_2019_20"))
    assert narrative.materiality(f, "footprint") == 500.0


def test_tornado_sentence_has_no_brackets_inside_brackets():
    s = load_scenario("cpr_2019_20")
    r = run_scenario(s)
    tornado = pd.DataFrame({
        "assumption": ["organisations.cpr_ccg.expenditure.price_inflation",
                       "organisations.cpr_ccg.demand.tariff_efficiency"],
        "value_low": [1540.0, -17365.0], "value_high": [-23017.0, -5156.0]})
    text = narrative.executive_summary(r, s, "footprint", tornado=tornado)
    last = text[-1]
    assert last.startswith("The two assumptions that move the 2023/24")
    assert "from a surplus of £1,540k at its low to a deficit of £23,017k at its high" in last
    assert depth(last) <= 1, last


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_summary_says_every_year_states_its_materiality_once_and_nests_no_brackets(name):
    s = load_scenario(name)
    r = run_scenario(s)
    text = narrative.executive_summary(r, s, "footprint")
    tol = narrative.materiality(r, "footprint")
    assert sum("is called break-even" in t for t in text) == 1
    balance = next(t for t in text if t.startswith("The do-something position is"))
    years = list(s.years)
    for y in years:  # each year named, or inside a run "from A to B" that holds it
        assert y in balance or any(f"from {a} to {b}" in balance and a <= y <= b
                                   for a in years for b in years), (y, balance)
    for t in text:
        assert depth(t) <= 1, t
        # no surplus or deficit smaller than the materiality is called one
        for amount in re.findall(r"(?:surplus|deficit) of £([\d,]+)k", t):
            assert float(amount.replace(",", "")) >= tol - 0.5, t
