"""Presentation helpers: money as NHS plans print it, results pivoted for display, and the
report's tables.

Plans print money in £k with thousands separators and deficits in brackets: -7684.1 is shown
``(7,684)``. Sign: surplus positive, deficit negative. These helpers only format and pivot; the
numbers stay in the tidy results table [£k].

The scenario report is a book of :class:`ReportTable` (:func:`report_tables`): the notebook
displays them and :func:`ccgmodels.outputs.workbook.write_report_files` writes them,
unformatted, to ``report.xlsx`` beside ``results.csv`` (and ``uncertainty.csv`` after a Monte
Carlo run).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from ..inputs.scenario import Scenario
from ..inputs.vocab import COMMISSIONER_KINDS, FOOTPRINT
from . import labels, summaries


def money(value: float, decimals: int = 0) -> str:
    """``value`` [£k] as a plan prints it: thousands separators, negatives in brackets.

    Examples
    --------
    >>> money(-7684.1)
    '(7,684)'
    >>> money(1189.7)
    '1,190'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{abs(value):,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        return f"{0:.{decimals}f}"
    return f"({text})" if value < 0 else text


def money_table(df: pd.DataFrame, decimals: int = 0) -> pd.DataFrame:
    """Every numeric cell of ``df`` formatted with :func:`money` [£k, as text]."""
    return df.apply(lambda col: col.map(lambda v: money(v, decimals))
                    if pd.api.types.is_numeric_dtype(col) else col)


def by_year(results: pd.DataFrame, org: str, measure: str,
            items: Sequence[str] | None = None) -> pd.DataFrame:
    """One measure of ``org`` as a table: items down, years across [unit of the measure]."""
    sel = results[(results["org"] == org) & (results["measure"] == measure)]
    wide = sel.pivot_table(index="item", columns="year", values="value", aggfunc="sum",
                           sort=False)
    wide = wide[sorted(wide.columns)]
    if items is not None:
        wide = wide.reindex([i for i in items if i in wide.index])
    wide.columns.name = None
    wide.index.name = measure
    return wide


def headline_text(results: pd.DataFrame, org: str, year: str, era: str | None = None) -> str:
    """Rounded headline figures of ``org`` in ``year``, one per line, for checked notebook
    outputs [£k, rounded to the nearest £k]."""
    table = summaries.headline(results, org, era)
    lines = [f"{org} {year} (£k)"]
    for label, row in table.iterrows():
        if year in row.index:
            lines.append(f"{label}: {money(row[year])}")
    return "\n".join(lines)


def growth_table(results: pd.DataFrame, year: str) -> pd.DataFrame:
    """Demographic and non-demographic growth by organisation and point of delivery in
    ``year`` [fraction/yr]."""
    sel = results[results["measure"].isin(["growth_demographic", "growth_non_demographic"])
                  & (results["year"] == year)]
    wide = sel.pivot_table(index=["org", "item"], columns="measure", values="value")
    wide.columns.name = None
    return wide


def percent_table(df: pd.DataFrame, decimals: int = 1) -> pd.DataFrame:
    """Numeric cells of ``df`` (fractions) as per cent text, e.g. 0.0146 as ``1.5%``."""
    return df.apply(lambda col: col.map(lambda v: "" if pd.isna(v) else f"{v:.{decimals}%}"))


# --- the report's tables and files ------------------------------------------------------------

#: Excel number format of each table unit: £k with deficits in brackets, counts, fractions
NUMBER_FORMATS = {"£k": "#,##0;(#,##0)", "count": "#,##0", "fraction": "0.0%"}
#: rows of the uncertainty table: (measure, stat of uncertainty.summarise) -> label
UNCERTAINTY_ROWS = {
    ("do_nothing_surplus", "p5"): "Do nothing surplus/(deficit), 5th percentile",
    ("do_nothing_surplus", "p50"): "Do nothing surplus/(deficit), median",
    ("do_nothing_surplus", "p95"): "Do nothing surplus/(deficit), 95th percentile",
    ("do_something_surplus", "p5"): "Do something surplus/(deficit), 5th percentile",
    ("do_something_surplus", "p50"): "Do something surplus/(deficit), median",
    ("do_something_surplus", "p95"): "Do something surplus/(deficit), 95th percentile",
    ("risk_adjusted_surplus", "p5"): "Risk-adjusted surplus/(deficit), 5th percentile",
    ("risk_adjusted_surplus", "p50"): "Risk-adjusted surplus/(deficit), median",
    ("risk_adjusted_surplus", "p95"): "Risk-adjusted surplus/(deficit), 95th percentile",
}
#: rows of the probability of balance table: (measure, stat) -> label
BALANCE_ROWS = {
    ("do_nothing_surplus", "prob_surplus_ge_0"): "Chance do nothing is at least break-even",
    ("do_something_surplus", "prob_surplus_ge_0"): "Chance do something is at least break-even",
    ("risk_adjusted_surplus", "prob_surplus_ge_0"):
        "Chance the risk-adjusted position is at least break-even",
}
#: tables of one measure by year: sheet name -> (measure, title)
BY_YEAR_TABLES = {
    "Solutions": ("solutions", "Solutions"),
    "QIPP": ("qipp", "QIPP"),
    "Primary care bridge": ("pc_bridge", "Primary care bridge"),
    "System position": ("system", "System position, flows between organisations eliminated"),
    "Eliminations": ("eliminations", "Flows between the footprint's organisations"),
}
#: the by-year tables whose sheet name or title differ in the ICB era: key -> (sheet, title)
ICB_TABLES = {"QIPP": ("Efficiency", "Efficiency"),
              "Eliminations": ("Eliminations", "Flows between the system's organisations")}
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class ReportTable:
    """One table of the report: numbers (not text) and the unit they are in.

    Attributes
    ----------
    title : str
        Heading, naming the organisation and the unit.
    frame : pandas.DataFrame
        Row labels as the index, numeric columns [``unit``].
    unit : str
        ``"£k"``, ``"count"`` or ``"fraction"``.
    """

    title: str
    frame: pd.DataFrame
    unit: str

    def __post_init__(self) -> None:
        if self.unit not in NUMBER_FORMATS:
            raise ValueError(f"ReportTable {self.title!r}: unit {self.unit!r} is not one of "
                             f"{sorted(NUMBER_FORMATS)}")


def stp_key(year: str, era: str | None = None) -> str:
    """Sheet name of the STP summary of ``year``, e.g. ``"STP summary 2019-20"`` (ICB era:
    ``"System summary 2025-26"``)."""
    return f"{labels.term('stp_summary', era)} {year.replace('/', '-')}"


def table_key(key: str, era: str | None = None) -> str:
    """The sheet name of by-year table ``key`` (:data:`BY_YEAR_TABLES`) in ``era``'s words."""
    return ICB_TABLES[key][0] if era == "icb" and key in ICB_TABLES else key


def sheet_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an Excel sheet name, or None when it can."""
    if not name or len(name) > 31:
        return f"sheet name {name!r} must be 1 to 31 characters long"
    if _SHEET_FORBIDDEN.search(name):
        return f"sheet name {name!r} contains one of []:*?/\\"
    if name.startswith("'") or name.endswith("'"):
        return f"sheet name {name!r} starts or ends with an apostrophe"
    return None


def report_tables(results: pd.DataFrame, scenario: Scenario, org: str = FOOTPRINT,
                  summary: pd.DataFrame | None = None) -> dict[str, ReportTable]:
    """The tables of the scenario report, in order, keyed by a valid Excel sheet name.

    Parameters
    ----------
    results : pandas.DataFrame
        Tidy results of ``scenario`` (:func:`ccgmodels.models.run.run_scenario`, or results.csv
        read back) [£k unless the row's unit says otherwise].
    scenario : Scenario
        The scenario run: its base and end years, and each organisation's kind.
    org : str
        Organisation id, or ``"footprint"``.
    summary : pandas.DataFrame, optional
        :func:`ccgmodels.models.uncertainty.summarise` output; adds ``Uncertainty`` (p5, p50 and p95
        of the do-nothing and do-something surplus [£k]) and ``Probability of balance``
        (probability that the surplus is at least 0 [fraction]).

    Returns
    -------
    dict of str to ReportTable
        ``Headline``, ``By organisation`` (a footprint of more than one organisation: the
        do-something position of each, :func:`by_organisation`), ``STP summary <base year>``,
        ``STP summary <end year>``, ``Solutions``,
        ``QIPP``, ``Primary care bridge``, ``Activity``, ``Uncertainty``, ``Probability of
        balance``; a table with no rows for ``org`` is left out. Surplus positive, deficit
        negative.
    """
    if org not in set(results["org"]):
        raise ValueError(f"report_tables: org {org!r} has no results; orgs are "
                         f"{sorted(set(results['org']))}")
    name, era = labels.org_name(scenario, org), scenario.era
    head = summaries.headline(results, org, era)
    head.index.name = f"{name} (£k)"
    book = {"Headline": ReportTable(f"Headline: {name} (£k)", head, "£k")}
    if org == FOOTPRINT and len(labels.modelled(scenario)) > 1:
        book[BY_ORGANISATION] = by_organisation(results, scenario)
    for year in dict.fromkeys([scenario.base_year, scenario.end_year]):
        book[stp_key(year, era)] = ReportTable(
            f"{'System' if era == 'icb' else 'STP'} {year} summary (£k)",
            summaries.stp_summary(results, year, era), "£k")
    measures = set(results.loc[results["org"] == org, "measure"])
    for key, (measure, title) in BY_YEAR_TABLES.items():
        if measure in measures:
            if era == "icb" and key in ICB_TABLES:
                key, title = ICB_TABLES[key]
            frame = by_year(results, org, measure)
            if era == "icb" and measure == "solutions" and "stf" in frame.index \
                    and (frame.loc["stf"].abs() < 0.5).all():
                frame = frame.drop("stf")  # no STF in the ICB era: not offered unless stated
            book[key] = ReportTable(f"{title}: {name} (£k)", _labelled(frame, measure, era),
                                    "£k")
    if "activity" in measures:
        book["Activity"] = ReportTable(f"Activity by point of delivery: {name} (count)",
                                       _labelled(by_year(results, org, "activity"), "activity",
                                                 era),
                                       "count")
    if scenario.actuals is not None:
        book[PLAN_VS_ACTUAL] = plan_vs_actual_table(results, scenario, org)
    if summary is not None:
        book.update(uncertainty_tables(summary, org, name))
    for key in book:
        problem = sheet_name_problem(key)
        if problem:  # a bug in the keys above, never bad input
            raise AssertionError(problem)
    return book


#: the sheet name of the table by organisation across years (a footprint of more than one)
BY_ORGANISATION = "By organisation"
#: the sheet name of the variance to plan table
PLAN_VS_ACTUAL = "Variance to plan"
BASIS_NAMES = {"actual": "Actual", "forecast_outturn": "Forecast outturn"}


def plan_vs_actual_table(results: pd.DataFrame, scenario: Scenario, org: str = FOOTPRINT,
                         percent: bool = False) -> ReportTable:
    """The base year's plan against the scenario's actuals (or forecast outturn): a row per
    figure of ``scenario.actuals`` for ``org`` (every organisation's for the footprint), with
    plan, actual (or forecast) and variance = actual - plan [£k], and with ``percent`` the
    variance % [fraction of the plan] (a column of another unit, so not in the Excel pack's
    sheet, whose columns share the table's unit) (:func:`ccgmodels.models.outturn
    .plan_vs_actual`)."""
    from ..models.outturn import plan_vs_actual

    rows = plan_vs_actual(scenario, results)
    if org != FOOTPRINT:
        rows = rows[rows["org"] == org]
    whole = org == FOOTPRINT and len(scenario.organisations) > 1
    labels_ = []
    for r in rows.itertuples():
        text = labels.label(r.measure, era=scenario.era)
        if r.item and r.item != "total":
            text += f": {labels.label(r.item, r.measure, scenario.era)}"
        if whole:
            text = f"{labels.org_name(scenario, r.org)}: {text}"
        labels_.append(text)
    basis = BASIS_NAMES[scenario.actuals.basis]
    frame = pd.DataFrame({"Plan": rows["plan"].to_numpy(), basis: rows["actual"].to_numpy(),
                          "Variance": rows["variance"].to_numpy(),
                          "Variance %": rows["variance_pct"].to_numpy()},
                         index=pd.Index(labels_, name=f"{scenario.base_year} (£k)"))
    if not percent:
        frame = frame.drop(columns="Variance %")
    when = f", {scenario.actuals.as_at}" if scenario.actuals.as_at else ""
    return ReportTable(f"Variance to plan: {labels.org_name(scenario, org)}, "
                       f"{scenario.base_year} {basis.lower()}{when} (£k)", frame, "£k")


def _labelled(frame: pd.DataFrame, measure: str, era: str | None = None) -> pd.DataFrame:
    """``frame`` with its item index as display names (:func:`labels.label`) in ``era``'s
    words."""
    out = frame.copy()
    out.index = pd.Index([labels.label(str(i), measure, era) for i in frame.index],
                         name=labels.label(measure, era=era))
    return out


def measure_table(results: pd.DataFrame, scenario: Scenario, org: str, measure: str,
                  title: str) -> ReportTable:
    """``org``'s ``measure`` by item and year as the report prints a table: items by display
    name, titled ``"<title>: <organisation> (£k)"`` (for a notebook showing a table the report
    has no key for, e.g. expenditure by service line) [£k]."""
    name = labels.org_name(scenario, org)
    return ReportTable(f"{title}: {name} (£k)",
                       _labelled(by_year(results, org, measure), measure, scenario.era), "£k")


def _stat_rows(summary: pd.DataFrame, org: str, rows: Mapping[tuple[str, str], str]
               ) -> pd.DataFrame:
    """Rows ``(measure, stat)`` of ``org`` in ``summary``, labelled by ``rows``, years across."""
    sel = summary[(summary["org"] == org) & (summary["item"].fillna("") == "")]
    wide = sel.pivot_table(index=["measure", "stat"], columns="year", values="value",
                           aggfunc="first")
    present = [k for k in rows if k in wide.index]
    table = wide.loc[present]
    table.index = pd.Index([rows[k] for k in present])
    table = table[sorted(table.columns)]
    table.columns.name = None
    return table


def uncertainty_tables(summary: pd.DataFrame, org: str, name: str | None = None
                       ) -> dict[str, ReportTable]:
    """``Uncertainty`` [£k] and ``Probability of balance`` [fraction] of ``org`` (shown as
    ``name``) from :func:`ccgmodels.models.uncertainty.summarise` output; empty when it has no
    rows for ``org``."""
    out = {}
    name = name or labels.humanise(org)
    spread = _stat_rows(summary, org, UNCERTAINTY_ROWS)
    if len(spread):
        spread.index.name = f"{name} (£k)"
        out["Uncertainty"] = ReportTable(f"Uncertainty: {name} (£k)", spread, "£k")
    balance = _stat_rows(summary, org, BALANCE_ROWS)
    if len(balance):
        balance.index.name = f"{name} (share of runs)"
        out["Probability of balance"] = ReportTable(
            f"Probability of balance: {name} (share of runs)", balance, "fraction")
    return out


def headline_lines(results, uncertainty=None, org: str = FOOTPRINT, era: str | None = None
                   ) -> list[str]:
    """The headline figures of a run for the terminal, £k as plans print them, in ``era``'s
    words."""
    h = summaries.key_figures(results, org, uncertainty)
    end, base = h["end_year"], h["base_year"]
    first = [f"{label} {money(h[key])}" for key, label in (
        ("allocation", "allocation"), ("do_nothing", "do nothing"), ("solutions", "solutions"),
        ("do_something", "do something"), ("underlying", "underlying"))
        if h.get(key) is not None]
    second = []
    if h.get("do_something_cumulative") is not None:
        second.append(f"do something cumulative to {end} "
                      f"{money(h['do_something_cumulative'])}")
    if h.get("qipp_gap") is not None:
        second.append(f"{labels.term('qipp', era)} still to identify in {base} "
                      f"{money(h['qipp_gap'])}")
    if h.get(summaries.PROB) is not None:
        second.append(f"chance do something is at least break-even in {end}: "
                      f"{h[summaries.PROB]:.0%}")
    return [f"{end} (£k): " + "; ".join(first), "; ".join(second)]


def scope_of(results: pd.DataFrame, scenario: Scenario, measure: str) -> str:
    """Whose figures a footprint row of ``measure`` adds up, in words: ``""`` when the
    footprint holds one organisation or one kind, ``"commissioners only"`` when only its
    commissioners have the measure, ``"all 5 organisations"`` when every kind of its
    organisations does, else the kinds that do (``"CCGs and providers only"``)."""
    orgs = labels.modelled(scenario)
    kinds = {o.kind for o in orgs}
    if len(orgs) < 2 or len(kinds) < 2:
        return ""
    have = set(results.loc[(results["measure"] == measure) & (results["org"] != FOOTPRINT),
                           "kind"])
    if have >= kinds:
        return f"all {len(orgs)} organisations"
    if have and have <= set(COMMISSIONER_KINDS):
        return "commissioners only"
    names = [labels.kind_name(k, 2, scenario.era) for k in sorted(have)]
    return " and ".join(names) + " only"


def by_organisation(results: pd.DataFrame, scenario: Scenario,
                    measure: str = "do_something_surplus", item: str = "") -> ReportTable:
    """``measure`` of every organisation by year, the footprint's total last [£k]: the table
    by organisation across years of a scenario of more than one organisation."""
    orgs = labels.modelled(scenario)
    sel = results[(results["measure"] == measure) & (results["item"].fillna("") == item)]
    rows = {}
    for o in orgs:
        rows[labels.org_name(scenario, o.id)] = sel[sel["org"] == o.id].groupby("year")[
            "value"].sum()
    rows["Total"] = sel[sel["org"] == FOOTPRINT].groupby("year")["value"].sum()
    frame = pd.DataFrame(rows).T.fillna(0.0)
    frame = frame[sorted(frame.columns)]
    name = labels.label(measure, era=scenario.era)
    frame.index.name = "Organisation"
    return ReportTable(f"{name} by organisation (£k)", frame, "£k")
