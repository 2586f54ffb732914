"""The key figures say whose figures each row adds up, and a scenario of more than one
organisation gets a table by organisation across years whose rows add up to its total."""

from __future__ import annotations

import re

import pytest

from ccgmodels.inputs.loading import bundled_scenarios, load_scenario
from ccgmodels.models.run import run_scenario
from ccgmodels.outputs import labels, report, tables


def test_system_key_figures_say_their_scope():
    rep = report.build("mid_south_essex_system_2019_20")
    html = rep.key_figures()
    rows = re.findall(r'<th scope="row">([^<]*)</th><td>([^<]*)</td>', html)
    scopes = dict(rows)
    assert scopes["Allocation"] == "commissioners only"
    assert scopes["QIPP still to identify"] == "commissioners only"
    assert scopes["Do nothing surplus/(deficit)"] == "all 5 organisations"
    assert scopes["Do something surplus/(deficit)"] == "all 5 organisations"
    assert all(scopes[label] for _, _, label, _ in report.KEY_ROWS if label in scopes)
    assert "Do something surplus/(deficit) by organisation (£k)" in html


def test_one_kind_of_organisation_needs_no_scope():
    s = load_scenario("footprint_2019_20")
    r = run_scenario(s)
    assert tables.scope_of(r, s, "allocation") == ""
    assert "Scope" not in report.build("cpr_2019_20").key_figures()


@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_table_by_organisation_adds_up_to_the_total(name):
    s = load_scenario(name)
    if len(labels.modelled(s)) < 2:
        pytest.skip("one organisation: no table by organisation")
    t = tables.by_organisation(run_scenario(s), s).frame
    assert len(t) == len(labels.modelled(s)) + 1
    gap = (t.drop(index="Total").sum() - t.loc["Total"]).abs().max()
    assert gap < 1.0, t  # the footprint is the sum of its organisations


def test_the_table_by_organisation_is_a_sheet_of_the_pack_after_the_headline():
    s = load_scenario("mid_south_essex_system_2019_20")
    book = tables.report_tables(run_scenario(s), s)
    assert list(book)[:2] == ["Headline", tables.BY_ORGANISATION]
    assert list(book[tables.BY_ORGANISATION].frame.index)[-1] == "Total"
