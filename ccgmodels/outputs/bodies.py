"""Today's rules on the report's pages: the breakeven rule body by body, an ICB's places and a
merger's restatement, as tables of the report's book and sentences read from the results.

Every figure is read from the tidy results (:func:`ccgmodels.models.run.run_scenario`); nothing
is typed. Money in £k; surplus positive, deficits in brackets in tables. The breakeven rule is
judged on each body's underlying position, which leaves deficit support out
(:mod:`ccgmodels.models.icb`).
"""

from __future__ import annotations

import pandas as pd

from ..inputs.scenario import Icb, Scenario
from . import labels
from .tables import ReportTable, money

#: the rows of the breakeven table of each body: (measure, item) -> row label
BREAKEVEN_ROWS = {
    ("do_something_surplus", ""): "surplus/(deficit) with deficit support",
    ("solutions", "deficit_support"): "deficit support (non-recurrent)",
    ("underlying_surplus", ""): "underlying surplus/(deficit)",
    ("control_total", ""): "planned surplus",
}
#: the rows of the places table of each place: measure -> row label
PLACE_ROWS = {"place_allocation": "allocation", "place_expenditure": "expenditure",
              "place_surplus": "surplus/(deficit)"}


def _row(results: pd.DataFrame, org: str, measure: str, item: str) -> pd.Series:
    """One measure of ``org`` by year [unit of the measure]; empty when it has none."""
    sel = results[(results["org"] == org) & (results["measure"] == measure)
                  & (results["item"] == item)]
    return sel.set_index("year")["value"].sort_index()


def judged(results: pd.DataFrame) -> list[str]:
    """The bodies judged by the breakeven rule, in the order of the results."""
    rule = results[(results["measure"] == "business_rule") & (results["item"] == "breakeven")]
    return list(dict.fromkeys(rule["org"]))


def breakeven_table(results: pd.DataFrame, scenario: Scenario) -> ReportTable | None:
    """Each body's position with and without deficit support, its planned surplus and the
    margin by which its underlying position meets or misses it, by year [£k]; None where no
    body is judged."""
    rows = {}
    for org in judged(results):
        name = labels.org_name(scenario, org)
        for (measure, item), label in BREAKEVEN_ROWS.items():
            row = _row(results, org, measure, item)
            if len(row):
                rows[f"{name}: {label}"] = row
        margin = (_row(results, org, "underlying_surplus", "")
                  - _row(results, org, "control_total", ""))
        rows[f"{name}: underlying less planned surplus"] = margin
    if not rows:
        return None
    frame = pd.DataFrame(rows).T
    frame.index.name, frame.columns.name = "Body (£k)", None
    return ReportTable("Breakeven, body by body, on the underlying position (£k)", frame, "£k")


def breakeven_sentences(results: pd.DataFrame, scenario: Scenario) -> list[str]:
    """One sentence per body judged: whether its underlying position (without deficit support)
    reaches its planned surplus in every year, and where it does so only with deficit
    support."""
    out = []
    for org in judged(results):
        name = labels.org_name(scenario, org)
        flag = _row(results, org, "business_rule", "breakeven")
        underlying = _row(results, org, "underlying_surplus", "")
        planned = _row(results, org, "control_total", "")
        reported = _row(results, org, "do_something_surplus", "")
        failed = [y for y, v in flag.items() if v < 0.5]
        if not failed:
            out.append(f"{name} meets the breakeven rule in every year on its underlying "
                       "position, without deficit support.")
            continue
        only_with = [y for y in failed if reported.get(y, -float("inf")) >= planned[y] - 1e-9]
        misses = "; ".join(f"{y} by £{money(planned[y] - underlying[y])}k" for y in failed)
        text = (f"{name} fails the breakeven rule in {len(failed)} of {len(flag)} years: its "
                f"underlying position misses its planned surplus in {misses}.")
        if only_with:
            text += (f" In {', '.join(only_with)} it breaks even only with deficit support, "
                     "which the rule does not count.")
        out.append(text)
    return out


def places_table(results: pd.DataFrame, scenario: Scenario, org: str) -> ReportTable | None:
    """The places of ICB ``org``: allocation, spend and surplus/(deficit) by year [£k]; None
    when it has no places."""
    icb = next((o for o in scenario.organisations if o.id == org and isinstance(o, Icb)), None)
    if icb is None or not icb.places:
        return None
    rows = {}
    for p in icb.places:
        for measure, label in PLACE_ROWS.items():
            rows[f"{p.name}: {label}"] = _row(results, org, measure, p.id)
    frame = pd.DataFrame(rows).T
    frame.index.name, frame.columns.name = "Place (£k)", None
    return ReportTable(f"Places of {icb.name}: they sum to the ICB (£k)", frame, "£k")


def restatement_table(results: pd.DataFrame, scenario: Scenario, org: str
                      ) -> ReportTable | None:
    """A merged ICB's base year restated from its predecessors: each predecessor's allocation
    (before running costs) and spend, and their sum [£k]; None when ``org`` names none."""
    icb = next((o for o in scenario.organisations if o.id == org and isinstance(o, Icb)), None)
    if icb is None or not icb.predecessors:
        return None
    rows = {}
    for item in (*icb.predecessors, "total"):
        name = (f"{icb.name} (restated: the sum)" if item == "total"
                else labels.org_name(scenario, item))
        rows[name] = {
            "Allocation": float(_row(results, org, "restated_allocation", item).iloc[0]),
            "Expenditure": float(_row(results, org, "restated_expenditure", item).iloc[0])}
    frame = pd.DataFrame(rows).T
    frame.index.name = f"{scenario.base_year} (£k)"
    return ReportTable(f"{icb.name}: base year restated from its predecessors (£k)", frame,
                       "£k")


def body_tables(results: pd.DataFrame, scenario: Scenario) -> dict[str, ReportTable]:
    """The book's tables of today's rules, keyed by Excel sheet name: ``Breakeven``, and
    ``Places <n>`` and ``Restatement <n>`` for each ICB that has them."""
    book = {}
    t = breakeven_table(results, scenario)
    if t is not None:
        book["Breakeven"] = t
    icbs = [o.id for o in scenario.organisations if isinstance(o, Icb)
            and o.id in set(results["org"])]
    for n, org in enumerate(icbs, 1):
        suffix = f" {n}" if len(icbs) > 1 else ""
        for key, make in (("Places", places_table), ("Restatement", restatement_table)):
            t = make(results, scenario, org)
            if t is not None:
                book[f"{key}{suffix}"] = t
    return book
