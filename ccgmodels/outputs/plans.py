"""The plan tables a finance team submits, body by body: the efficiency plan (a trust's cost
improvement programme, a council's savings plan) and the I&E summary (income, expenditure and
surplus/(deficit), do nothing and plan), as tables of the report's book and the Excel pack.

Every figure is read from the tidy results (:func:`ccgmodels.models.run.run_scenario`) or, for
the scheme register, the scenario; nothing is typed. Money in £k; surplus positive, deficits in
brackets in tables; savings positive.
"""

from __future__ import annotations

import pandas as pd

from ..inputs.scenario import Provider, Scenario, SocialCare
from ..inputs.vocab import COMMISSIONER_KINDS, FOOTPRINT
from ..models.efficiency import PLAN_ITEMS
from . import labels
from .tables import ReportTable

#: the sheet names (and book keys) of the tables
EFFICIENCY_PLAN = "Efficiency plan"
IE_SUMMARY = "I&E summary"
#: the solution line each kind of body's efficiency register feeds
LINE = {"provider": "efficiency", "social_care": "social_care"}
#: the I&E summary's rows of each body: (measure, item, label); income is a commissioner's
#: allocation
IE_ROWS = (
    ("income", "total", "income"),
    ("do_nothing_expenditure", "total", "expenditure, do nothing"),
    ("do_nothing_surplus", "", "surplus/(deficit), do nothing"),
    ("solutions", "total", "solutions"),
    ("do_something_surplus", "", "surplus/(deficit), plan (do something)"),
    ("underlying_surplus", "", "underlying surplus/(deficit), plan"),
)
#: the system's rows of the I&E summary: its income and expenditure net of the flows between
#: its bodies (eliminated), then the sums of the bodies' positions
SYSTEM_ROWS = (
    ("system", "income", "income (flows between bodies eliminated)"),
    ("system", "expenditure", "expenditure, do nothing (flows between bodies eliminated)"),
    ("do_nothing_surplus", "", "surplus/(deficit), do nothing"),
    ("solutions", "total", "solutions"),
    ("do_something_surplus", "", "surplus/(deficit), plan (do something)"),
    ("underlying_surplus", "", "underlying surplus/(deficit), plan"),
)
#: the efficiency scheme register's columns
SCHEME_COLUMNS = ["Organisation", "Scheme", "Type", "Category", "Status", "Gross saving",
                  "Investment", "Net saving", "Delivery probability", "Risk-adjusted saving",
                  "Phasing", "Recurrent", "WTE"]


def _row(results: pd.DataFrame, org: str, measure: str, item: str) -> pd.Series:
    """One measure of ``org`` by year [unit of the measure]; empty when it has none."""
    sel = results[(results["org"] == org) & (results["measure"] == measure)
                  & (results["item"].fillna("") == item)]
    return sel.set_index("year")["value"].sort_index()


def registered(results: pd.DataFrame) -> list[str]:
    """The bodies with an efficiency register, in the order of the results."""
    sel = results[(results["measure"] == "efficiency_plan") & (results["org"] != FOOTPRINT)]
    return list(dict.fromkeys(sel["org"]))


def efficiency_table(results: pd.DataFrame, scenario: Scenario) -> ReportTable | None:
    """Each body's efficiency plan by year: requirement, identified schemes by type and by
    recurrence, risk-adjusted, unidentified, pipeline, and what the position takes [£k,
    cumulative against do nothing]; None where no body has a register."""
    era = scenario.era
    rows = {}
    kinds = results.groupby("org")["kind"].first()
    for org in registered(results):
        name = labels.org_name(scenario, org)
        for item in PLAN_ITEMS:
            rows[f"{name}: {labels.label(item, 'efficiency_plan', era)}"] = _row(
                results, org, "efficiency_plan", item)
        line = _row(results, org, "solutions", LINE.get(kinds[org], "efficiency"))
        rows[f"{name}: in the position (expected)"] = line
    if not rows:
        return None
    frame = pd.DataFrame(rows).T
    frame.index.name, frame.columns.name = "Body (£k)", None
    title = labels.label("efficiency_plan", era=era)
    return ReportTable(f"{title}, body by body, cumulative against do nothing (£k)", frame,
                       "£k")


def efficiency_schemes(scenario: Scenario) -> pd.DataFrame:
    """Every scheme of every trust's and council's efficiency register: full-year gross
    saving, investment and net saving [£k/yr], the delivery probability of its status
    [fraction], the risk-adjusted net saving [£k/yr], when it starts, whether it recurs and
    its WTE change [WTE]. Columns :data:`SCHEME_COLUMNS`."""
    rows = []
    era = scenario.era
    for o in labels.modelled(scenario):
        if not isinstance(o, Provider | SocialCare) or o.efficiency is None:
            continue
        e = o.efficiency
        for s in e.schemes:
            p = float(e.delivery_probability.get(s.status, 0.0))
            rows.append({
                "Organisation": o.name, "Scheme": s.name,
                "Type": labels.EFFICIENCY_TYPE_NAMES[s.type],
                "Category": labels.EFFICIENCY_CATEGORY_NAMES[s.category],
                "Status": labels.label(s.status, era=era), "Gross saving": s.gross,
                "Investment": s.investment, "Net saving": s.net,
                "Delivery probability": p, "Risk-adjusted saving": p * s.net,
                "Phasing": f"{s.start_year or scenario.base_year} Q{s.start_quarter}",
                "Recurrent": "Yes" if s.recurrent else "No (one year)",
                "WTE": float("nan") if s.wte is None else s.wte})
    return pd.DataFrame(rows, columns=SCHEME_COLUMNS)


def ie_summary_table(results: pd.DataFrame, scenario: Scenario) -> ReportTable:
    """Each body's income (a commissioner's allocation), expenditure and surplus/(deficit) by
    year, do nothing and plan (do something), and its underlying position; then the system's,
    its income and expenditure net of the flows between its bodies [£k]."""
    rows = {}
    kinds = results.groupby("org")["kind"].first()
    for o in labels.modelled(scenario):
        if o.id not in kinds.index:
            continue
        name = labels.org_name(scenario, o.id)
        for measure, item, label in IE_ROWS:
            if measure == "income" and kinds[o.id] in COMMISSIONER_KINDS:
                measure = "allocation"
            row = _row(results, o.id, measure, item)
            if len(row):
                rows[f"{name}: {label}"] = row
    if FOOTPRINT in kinds.index and len(labels.modelled(scenario)) > 1:
        name = labels.org_name(scenario, FOOTPRINT)
        for measure, item, label in SYSTEM_ROWS:
            row = _row(results, FOOTPRINT, measure, item)
            if len(row):
                rows[f"{name}: {label}"] = row
    frame = pd.DataFrame(rows).T
    frame = frame[sorted(frame.columns)]
    frame.index.name, frame.columns.name = "Body (£k)", None
    return ReportTable("I&E summary, body by body: income, expenditure and surplus/(deficit), "
                       "do nothing and plan (£k)", frame, "£k")


def plan_tables(results: pd.DataFrame, scenario: Scenario) -> dict[str, ReportTable]:
    """The book's plan tables, keyed by Excel sheet name: ``Efficiency plan`` (when a body has
    an efficiency register) and ``I&E summary``."""
    book = {}
    t = efficiency_table(results, scenario)
    if t is not None:
        book[EFFICIENCY_PLAN] = t
    book[IE_SUMMARY] = ie_summary_table(results, scenario)
    return book
