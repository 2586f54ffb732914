"""Summaries of a results table: the STP summary, the headline table and the key figures, each
picked in one place.

Every function reads a tidy results table (:func:`ccgmodels.models.run.run_scenario`, or
``results.csv`` read back with :func:`ccgmodels.models.results.read_tidy`: both carry the
``kind`` column, so both give the same answer). Money in £k; surplus positive, deficit negative.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..inputs.loading import load_scenario
from ..inputs.scenario import Scenario
from ..inputs.vocab import COMMISSIONER_KINDS, FOOTPRINT
from ..models.run import run_scenario

#: the headline measures, in display order: (measure, item) -> row label
HEADLINE = {
    ("allocation", "total"): "Allocation",
    ("expenditure", "total"): "Plan expenditure",
    ("surplus", ""): "Plan surplus/(deficit)",
    ("do_nothing_surplus", ""): "Do nothing surplus/(deficit)",
    ("solutions", "total"): "Solutions",
    ("do_something_surplus", ""): "Do something surplus/(deficit)",
    ("underlying_surplus", ""): "Underlying (recurrent) surplus/(deficit)",
    ("risk_adjusted_surplus", ""): "Risk-adjusted surplus/(deficit)",
    ("do_something_cumulative_surplus", ""): "Do something cumulative",
    ("qipp", "required"): "QIPP required to meet the control total",
}
#: the headline rows whose words differ in the ICB era (2022/23 on)
ICB_HEADLINE = {("qipp", "required"): "Efficiency required to meet the planned surplus",
                ("risk_adjusted_surplus", ""): "Risk-adjusted position"}
#: the key figures of a scenario (index and comparison pages): key -> (measure, item, year
#: ("base" or "end"), heading) [£k]
KEY_FIGURES = {
    "allocation": ("allocation", "total", "end", "Allocation, end year"),
    "do_nothing": ("do_nothing_surplus", "", "end", "Do nothing, end year"),
    "solutions": ("solutions", "total", "end", "Solutions, end year"),
    "do_something": ("do_something_surplus", "", "end", "Do something, end year"),
    "do_something_cumulative": ("do_something_cumulative_surplus", "", "end",
                                "Do something cumulative, end year"),
    "underlying": ("underlying_surplus", "", "end", "Underlying, end year"),
    "qipp_gap": ("qipp", "unidentified", "base", "QIPP gap, base year"),
}
#: the key figures' headings in the ICB era where they differ
ICB_KEY_HEADINGS = {"qipp_gap": "Efficiency gap, base year"}
#: the probability of balance among the key figures (from uncertainty.csv) [fraction]
PROB = "prob_surplus_ge_0"

STP_ROWS = (
    "Commissioner Surplus / (Deficit)",
    "Provider Surplus / (Deficit)",
    "Footprint NHS Surplus / (Deficit)",
    "Indicative STF Allocation",
    "Surplus/(Deficit) after STF Allocation",
    "Social Care Surplus / (Deficit)",
    "Total Surplus / (Deficit)",
)
#: the summary's rows in the ICB era: the system (no longer an STP) and, for the STP template's
#: STF row, the plain description of what it holds (non-recurrent funding from the centre)
ICB_STP_ROWS = (
    "Commissioner Surplus / (Deficit)",
    "Provider Surplus / (Deficit)",
    "System NHS Surplus / (Deficit)",
    "Non-recurrent support funding",
    "Surplus/(Deficit) after non-recurrent support funding",
    "Social Care Surplus / (Deficit)",
    "Total Surplus / (Deficit)",
)


def stp_rows(era: str | None = None) -> tuple[str, ...]:
    """The system summary's row labels in ``era``'s words."""
    return ICB_STP_ROWS if era == "icb" else STP_ROWS


def headline_rows(era: str | None = None) -> dict[tuple[str, str], str]:
    """:data:`HEADLINE` in ``era``'s words."""
    return {**HEADLINE, **ICB_HEADLINE} if era == "icb" else HEADLINE


def key_heading(key: str, era: str | None = None) -> str:
    """The heading of key figure ``key`` (:data:`KEY_FIGURES`) in ``era``'s words."""
    return (ICB_KEY_HEADINGS.get(key) if era == "icb" else None) or KEY_FIGURES[key][3]


def in_base_year_prices(results: pd.DataFrame) -> pd.DataFrame:
    """``results`` with every money value [£k] replaced by its base-year-price value
    (``value_real``), so that any table or chart built from it is in real terms; the unit
    and ``attrs["prices"]`` say so; nothing else changes."""
    money = results["unit"] == "£k"
    out = results.copy()
    out.loc[money, "value"] = results.loc[money, "value_real"]
    out.attrs["prices"] = "base-year prices"
    return out


def value_at(results: pd.DataFrame, org: str, measure: str, item: str, year: str | None
             ) -> float | None:
    """The one value of ``org``'s ``measure``/``item`` in ``year``, or None when there is none
    [unit of the measure]."""
    sel = results[(results["org"] == org) & (results["measure"] == measure)
                  & (results["item"].fillna("") == item) & (results["year"] == year)]
    return float(sel["value"].iloc[0]) if len(sel) and pd.notna(sel["value"].iloc[0]) else None


def years_of(results: pd.DataFrame, org: str) -> list[str]:
    """The modelled years of ``org`` (those of its do-nothing position), in order.

    Raises
    ------
    ValueError
        If ``org`` has no do-nothing rows.
    """
    years = sorted(set(results.loc[(results["org"] == org)
                                   & (results["measure"] == "do_nothing_surplus"), "year"]))
    if not years:
        raise ValueError(f"no do_nothing_surplus rows for org {org!r}; orgs are "
                         f"{sorted(set(results['org']))}")
    return years


def key_figures(results: pd.DataFrame, org: str = FOOTPRINT,
                uncertainty: pd.DataFrame | None = None) -> dict[str, Any]:
    """The key figures of ``org``: one row of a scenario index or comparison.

    Returns
    -------
    dict
        ``org``, ``base_year``, ``end_year`` and each key of :data:`KEY_FIGURES` [£k; None
        where the measure is absent for ``org``, e.g. a provider's allocation], plus
        :data:`PROB`, the share of Monte Carlo runs whose end-year do-something surplus is at
        least 0 [fraction; None without ``uncertainty``]. ``qipp_gap`` is positive while
        savings are still to be found.
    """
    years = years_of(results, org)
    out: dict[str, Any] = {"org": org, "base_year": years[0], "end_year": years[-1]}
    for key, (measure, item, when, _) in KEY_FIGURES.items():
        out[key] = value_at(results, org, measure, item, years[0] if when == "base"
                            else years[-1])
    out[PROB] = None
    if uncertainty is not None:
        u = uncertainty[uncertainty["stat"] == PROB]
        out[PROB] = value_at(u, org, "do_something_surplus", "", years[-1])
    return out


def headline(results: pd.DataFrame, org: str, era: str | None = None) -> pd.DataFrame:
    """The headline table of ``org``: the :data:`HEADLINE` rows that it has, years across
    [£k]."""
    sel = results[results["org"] == org]
    keyed = sel.set_index(["measure", "item"])
    rows = {}
    for key, label in headline_rows(era).items():
        if key in keyed.index:
            rows[label] = keyed.loc[[key]].groupby("year")["value"].sum()
    table = pd.DataFrame(rows).T
    table.index.name = f"{org} (£k)"
    return table


def stp_summary(results: pd.DataFrame, year: str, era: str | None = None) -> pd.DataFrame:
    """The STP summary template (004:L69-77) for one year from a results table [£k]; in the
    ICB era (``era="icb"``) the same figures as the system summary, in today's words.

    Columns Do Nothing, Solutions and Do Something; Do Something = Do Nothing + Solutions in
    every row. STF is shown on its own row, so the organisation rows' solutions exclude it.

    Raises
    ------
    ValueError
        If the table has no ``kind`` column (it says which organisations are commissioners,
        providers and councils) or no rows for ``year``.
    """
    if "kind" not in results:
        raise ValueError("stp_summary needs the results' kind column: read results.csv with "
                         "ccgmodels.models.results.read_tidy")
    r = results[(results["year"] == year) & (results["org"] != FOOTPRINT)]
    if r.empty:
        raise ValueError(f"stp_summary: no results for {year}; years are "
                         f"{sorted(set(results['year']))}")
    kinds = r.groupby("org")["kind"].first()

    def total(kind: str, measure: str, item: str = "") -> float:
        orgs = kinds[kinds.isin(COMMISSIONER_KINDS if kind == "ccg" else (kind,))].index
        sel = r[r["org"].isin(orgs) & (r["measure"] == measure) & (r["item"] == item)]
        return float(sel["value"].sum())

    # the row of non-recurrent support: the STF; in the ICB era the deficit support as well
    # (today's non-recurrent support from the centre), each out of the bodies' rows
    support = ("stf", "deficit_support") if era == "icb" else ("stf",)
    rows = {}
    for label, kind in (("Commissioner", "ccg"), ("Provider", "provider"),
                        ("Social Care", "social_care")):
        dn = total(kind, "do_nothing_surplus")
        sol = total(kind, "solutions", "total")
        for item in support:
            sol -= total(kind, "solutions", item)
        rows[label] = (dn, sol)
    stf = sum(total(k, "solutions", item) for item in support
              for k in ("ccg", "provider", "social_care"))
    nhs = tuple(a + b for a, b in zip(rows["Commissioner"], rows["Provider"], strict=True))
    after = (nhs[0], nhs[1] + stf)
    table = [rows["Commissioner"], rows["Provider"], nhs, (0.0, stf), after, rows["Social Care"],
             (after[0] + rows["Social Care"][0], after[1] + rows["Social Care"][1])]
    df = pd.DataFrame(table, index=list(stp_rows(era)), columns=["Do Nothing", "Solutions"])
    df["Do Something"] = df["Do Nothing"] + df["Solutions"]
    df.index.name = f"{'System' if era == 'icb' else 'STP'} {year} Summary (£k)"
    return df


def first_year_of_balance(years: Sequence[str], surplus) -> tuple[str | None, float]:
    """First year whose position is at least break-even, and the sum of the deficits before it.

    Returns
    -------
    (str or None, float)
        The year (None if never in balance) and the cumulative gap to it [£k, negative].
    """
    s = np.asarray(surplus, dtype=float)
    gap = 0.0
    for y, v in zip(years, s, strict=True):
        if v >= 0:
            return y, gap
        gap += v
    return None, gap


@dataclass(frozen=True)
class Opened:
    """A scenario, its results and the organisation a notebook shows."""

    scenario: Scenario
    results: pd.DataFrame
    org: str
    real_terms: bool = False

    @property
    def shown(self) -> pd.DataFrame:
        """The results as the notebook shows them: cash, or base-year prices."""
        return in_base_year_prices(self.results) if self.real_terms else self.results

    @property
    def intro(self) -> str:
        """One line naming the scenario, its years and the conventions of the figures."""
        s = self.scenario
        prices = (f"{s.base_year} prices; Monte Carlo figures in cash" if self.real_terms
                  else "cash")
        return (f"{s.title}: {s.base_year} to {s.end_year}; money in £k ({prices}), surplus "
                "positive, deficits in brackets")


#: what a notebook may need of a scenario: measure -> what the scenario lacks without it
NEEDS = {"activity": "models no activity by point of delivery (no commissioner has a demand "
                     "block)",
         "pc_bridge": "has no primary care financial bridge"}


def open_scenario(scenario: str | Path | Scenario, overrides: Mapping[str, Any] | None = None,
                  org: str = FOOTPRINT, real_terms: bool = False, needs: str | None = None
                  ) -> Opened:
    """Load (validating, with ``overrides``) and run a scenario for a notebook; with
    ``real_terms`` its money is shown in base-year prices (:func:`in_base_year_prices`);
    ``needs`` names a measure of :data:`NEEDS` the notebook draws.

    Raises
    ------
    ScenarioError
        If the scenario or an override is invalid.
    ValueError
        If ``org`` is neither an organisation of the scenario nor ``footprint``, or the
        scenario lacks what the notebook ``needs``.
    """
    s = scenario if isinstance(scenario, Scenario) else load_scenario(scenario, overrides)
    results = run_scenario(s)
    orgs = list(dict.fromkeys(results["org"]))
    if org not in orgs:
        raise ValueError(f"org {org!r} is not in scenario {s.name}: use one of {orgs}")
    if needs is not None and not ((results["org"] == org) & (results["measure"] == needs)).any():
        where = "" if org == FOOTPRINT else f" for {org}"
        raise ValueError(f"scenario {s.name} {NEEDS[needs]}{where}: this notebook has nothing "
                         "to show for it")
    return Opened(s, results, org, real_terms)
