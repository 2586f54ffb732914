"""Finance triangulated with contracts and workforce, as the report and the Excel pack show
them: the contract value triangulation finance teams agree in contract rounds, and each
trust's workforce (WTE by staff group beside the pay bill, reconciled to its pay cost).

Every figure is read from the tidy results (cash) and the scenario's stated sides
(:mod:`ccgmodels.models.triangulation`, :mod:`ccgmodels.models.workforce`); nothing is typed.
Money in £k; staff in WTE.
"""

from __future__ import annotations

import pandas as pd

from ..inputs.scenario import Scenario
from ..inputs.vocab import FOOTPRINT
from ..models import triangulation as tri
from ..models import workforce as wf
from . import labels
from .tables import ReportTable, money

#: the columns of the pack's "Contract triangulation" sheet, its money columns totalled
CONTRACT_MONEY = ("Commissioner view", "Provider view", "Mismatch")
#: the columns of the pack's "Workforce" sheet [WTE, £k]
WORKFORCE_COLUMNS = ("Trust", "Staff group", "Year", "WTE", "Pay bill", "Pay cost (finance plan)",
                     "Difference")


def contract_frame(scenario: Scenario, cash: pd.DataFrame, org: str = FOOTPRINT
                   ) -> pd.DataFrame | None:
    """The triangulation table, one row per commissioner-trust pair and year: Commissioner,
    Trust, Year, Commissioner view, Provider view, Mismatch [£k cash]; the pairs of ``org``
    only unless the footprint; None when no commissioner contracts with a trust."""
    t = tri.table(scenario, cash)
    if org != FOOTPRINT:
        t = t[(t["commissioner"] == org) | (t["provider"] == org)]
    if not len(t):
        return None
    return pd.DataFrame({
        "Commissioner": [labels.org_name(scenario, c) for c in t["commissioner"]],
        "Trust": [labels.org_name(scenario, p) for p in t["provider"]],
        "Year": t["year"].to_numpy(),
        "Commissioner view": t["commissioner_view"].to_numpy(),
        "Provider view": t["provider_view"].to_numpy(),
        "Mismatch": t["mismatch"].to_numpy(),
    })


def contract_table(frame: pd.DataFrame) -> ReportTable:
    """The triangulation by year for the report: each pair's commissioner view, provider view
    and mismatch, then their totals over the pairs [£k cash]."""
    rows: dict[str, pd.Series] = {}
    for (com, trust), g in frame.groupby(["Commissioner", "Trust"], sort=False):
        g = g.set_index("Year")
        for col in CONTRACT_MONEY:
            rows[f"{com} with {trust}: {col.lower()}"] = g[col]
    totals = frame.groupby("Year", sort=False)[list(CONTRACT_MONEY)].sum()
    rows["Total commissioner view"] = totals["Commissioner view"]
    rows["Total provider view"] = totals["Provider view"]
    rows["Total"] = totals["Mismatch"]
    out = pd.DataFrame(rows).T
    out.index.name, out.columns.name = "Contract (£k)", None
    return ReportTable("Contract value triangulation: each side's plan and the mismatch "
                       "(provider less commissioner view), the Total row the mismatch (£k)",
                       out, "£k")


def contract_sentences(frame: pd.DataFrame) -> list[str]:
    """Whether the two sides agree, and where they do not: the largest mismatch and the
    total of each year with one [£k]."""
    off = frame[frame["Mismatch"].abs() >= 0.5]
    if not len(off):
        return ["Every contract's two sides agree in every year: each trust plans the income "
                "its commissioners plan to pay it, so there is no mismatch."]
    worst = off.loc[off["Mismatch"].abs().idxmax()]
    by_year = off.groupby("Year", sort=True)["Mismatch"].sum()
    years = "; ".join(f"{y} £{money(v)}k" for y, v in by_year.items())
    return [f"The two sides differ on {len(off)} of {len(frame)} contract-years. The largest: "
            f"{worst['Trust']} plans £{money(worst['Mismatch'])}k "
            f"{'more' if worst['Mismatch'] > 0 else 'less'} from {worst['Commissioner']} "
            f"than {worst['Commissioner']} plans to pay it in {worst['Year']}. The mismatch "
            f"by year: {years}."]


def _trusts(scenario: Scenario, results: pd.DataFrame, org: str) -> list:
    """The trusts with a workforce whose rows are in ``results`` (``org`` only unless the
    footprint)."""
    have = set(results.loc[results["measure"] == "workforce_wte", "org"])
    return [o for o in scenario.organisations if o.kind == "provider"
            and o.workforce is not None and o.id in have and org in (FOOTPRINT, o.id)]


def _rows(results: pd.DataFrame, org: str, measure: str) -> pd.DataFrame:
    sel = results[(results["org"] == org) & (results["measure"] == measure)]
    wide = sel.pivot_table(index="item", columns="year", values="value", aggfunc="sum",
                           sort=False)
    wide = wide[sorted(wide.columns)]
    wide.columns.name = None
    return wide


def workforce_frame(scenario: Scenario, results: pd.DataFrame, org: str = FOOTPRINT
                    ) -> pd.DataFrame | None:
    """Each trust's WTE and pay bill by staff group and year, with all staff groups, and the
    base year's pay cost and difference on that row: :data:`WORKFORCE_COLUMNS` [WTE, £k];
    None when no trust has a workforce."""
    records = []
    for o in _trusts(scenario, results, org):
        name = labels.org_name(scenario, o.id)
        staff, bill = _rows(results, o.id, "workforce_wte"), _rows(results, o.id, "pay_bill")
        recon = _rows(results, o.id, "pay_cost_reconciliation")
        for item in staff.index:
            for y in staff.columns:
                base = item == "total" and y == scenario.base_year
                records.append((name, labels.label(item, "workforce_wte"), y,
                                float(staff.loc[item, y]), float(bill.loc[item, y]),
                                float(recon.loc["pay_cost", y]) if base else None,
                                float(recon.loc["difference", y]) if base else None))
    return pd.DataFrame(records, columns=list(WORKFORCE_COLUMNS)) if records else None


def workforce_tables(scenario: Scenario, results: pd.DataFrame, org: str = FOOTPRINT
                     ) -> list[tuple[ReportTable, ReportTable, str]]:
    """For each trust with a workforce: its WTE by staff group and year [WTE, shown as a
    count], its pay bill by staff group and year [£k], and the sentence reconciling the
    base-year pay bill to its pay cost."""
    out = []
    for o in _trusts(scenario, results, org):
        name = labels.org_name(scenario, o.id)
        staff, bill = (_labelled(_rows(results, o.id, m), m, f"Staff group ({unit})")
                       for m, unit in (("workforce_wte", "WTE"), ("pay_bill", "£k")))
        pay = float(bill.loc["Total", scenario.base_year])
        out.append((ReportTable(f"Workforce of {name}: whole-time equivalent staff by staff "
                                "group (WTE)", staff, "count"),
                    ReportTable(f"Pay bill of {name} by staff group (£k)", bill, "£k"),
                    reconciliation_sentence(name, scenario.base_year, o.workforce, pay)))
    return out


def _labelled(frame: pd.DataFrame, measure: str, name: str) -> pd.DataFrame:
    """``frame`` with its staff groups by their display names and ``total`` as the Total
    row."""
    out = frame.copy()
    out.index = pd.Index(["Total" if i == "total" else labels.label(i, measure)
                          for i in frame.index], name=name)
    return out


def reconciliation_sentence(name: str, year: str, w, pay: float) -> str:
    """Whether the trust's base-year pay bill reconciles to its pay cost within the tolerance
    (:data:`ccgmodels.models.workforce.TOLERANCE`), with both figures [£k]."""
    r = wf.reconciliation(w, pay)
    share = float(r["share"])
    figures = (f"its {year} pay bill built from its workforce, £{money(r['pay_bill'])}k, "
               f"against the pay cost of its finance plan, £{money(r['pay_cost'])}k: "
               f"difference £{money(r['difference'])}k ({share:+.1%})")
    if abs(share) <= wf.TOLERANCE:
        return f"{name}: {figures}, within {wf.TOLERANCE:.0%}: the two reconcile."
    return (f"{name}: {figures}, more than {wf.TOLERANCE:.0%}: the two do not reconcile; the "
            "staff groups' WTE and cost per WTE, or the premia, differ from the finance plan.")
