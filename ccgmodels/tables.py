"""Presentation helpers: money as NHS plans print it, and results pivoted for display.

Plans print money in £k with thousands separators and deficits in brackets: -7684.1 is shown
``(7,684)``. These helpers only format; the numbers stay in the tidy results table [£k].
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

#: measures of the headline summary, in display order, with their row labels
HEADLINE = {
    ("allocation", "total"): "Allocation",
    ("expenditure", "total"): "Plan expenditure",
    ("surplus", ""): "Plan surplus/(deficit)",
    ("do_nothing_surplus", ""): "Do nothing surplus/(deficit)",
    ("solutions", "total"): "Solutions",
    ("do_something_surplus", ""): "Do something surplus/(deficit)",
    ("do_something_cumulative_surplus", ""): "Do something cumulative",
}


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


def headline(results: pd.DataFrame, org: str) -> pd.DataFrame:
    """The headline summary of ``org``: allocation, plan, do nothing, solutions, do something,
    rows labelled as in :data:`HEADLINE`, years across [£k]. Rows absent for the org (a
    provider has no plan) are left out."""
    sel = results[results["org"] == org]
    keyed = sel.set_index(["measure", "item"])
    rows = {}
    for key, label in HEADLINE.items():
        if key in keyed.index:
            part = keyed.loc[[key]]
            rows[label] = part.groupby("year")["value"].sum()
    table = pd.DataFrame(rows).T
    table.index.name = f"{org} (£k)"
    return table


def headline_text(results: pd.DataFrame, org: str, year: str) -> str:
    """Rounded headline figures of ``org`` in ``year``, one per line, for checked notebook
    outputs [£k, rounded to the nearest £k]."""
    table = headline(results, org)
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
