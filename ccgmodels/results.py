"""The tidy results table, its catalogue of measures, and the identity checks.

Every run produces one long table with columns ``scenario, org, year, measure, item, value,
unit`` (money in £k; ``item`` empty where a measure has no breakdown). The footprint is the org
``footprint``: the sum of the organisations. :data:`MEASURES` documents every measure once; the
docs (``docs/measures.md``) are generated from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

COLUMNS = ["scenario", "org", "year", "measure", "item", "value", "unit"]
FOOTPRINT = "footprint"


@dataclass(frozen=True)
class Measure:
    name: str
    unit: str
    items: str
    definition: str
    formula: str
    summed: bool = True  # whether the footprint value is the sum of the organisations'


MEASURES: dict[str, Measure] = {m.name: m for m in [
    Measure("allocation", "£k", "programme, running_costs, primary_care_cocommissioning, total",
            "Recurrent allocation by type", "base * (1 + growth) ** t; total = sum of types"),
    Measure("expenditure", "£k", "service line, contingency_reserve, unidentified_qipp, total",
            "Commissioner plan spend: the base-year plan rolled forward with its QIPP delivered",
            "line = do-nothing line - scheme effects; contingency = rate * allocation; "
            "unidentified_qipp = -(target - identified) in the base year; total = sum"),
    Measure("surplus", "£k", "", "Commissioner plan surplus/(deficit)",
            "allocation total - expenditure total"),
    Measure("do_nothing_expenditure", "£k", "total",
            "Spend with no new action: lines grossed up by base-year QIPP, grown by volume and "
            "price, plus contingency", "sum_l gross_l * volume_index_l * price_index_l + "
            "contingency"),
    Measure("do_nothing_surplus", "£k", "", "In-year surplus/(deficit) if nothing changes",
            "allocation (or income) - do-nothing expenditure"),
    Measure("do_nothing_cumulative_surplus", "£k", "", "Running total of do_nothing_surplus",
            "cumsum over years"),
    Measure("solutions", "£k",
            "efficiency, demand_mitigation, schemes, stf, social_care, total",
            "What closes the gap, each its own line (positive improves the position)",
            "efficiency = cost base * (1 - (1 - e) ** t); demand_mitigation = d * cost of "
            "activity growth; schemes = sum p(status) * effect + p(unidentified) * gap; "
            "total = sum"),
    Measure("do_something_surplus", "£k", "", "Surplus/(deficit) after solutions",
            "do_nothing_surplus + solutions total"),
    Measure("do_something_cumulative_surplus", "£k", "", "Running total of "
            "do_something_surplus", "cumsum over years"),
    Measure("income", "£k", "total", "Provider income or social care budget",
            "base * (1 + growth) ** t"),
    Measure("activity", "count", "point of delivery", "Activity a year",
            "activity_0 * ((1 + demographic) * (1 + non_demographic)) ** t"),
    Measure("activity_cost", "£k", "point of delivery", "Cost of the activity, do nothing",
            "activity * unit_cost_0 * ((1 + inflation) * (1 - tariff_efficiency)) ** t"),
    Measure("unit_cost", "£k", "point of delivery", "Cost per unit of activity",
            "activity_cost / activity", summed=False),
    Measure("growth_demographic", "fraction", "point of delivery",
            "Demographic growth a year", "sum_b age_mix_b * population_growth_b",
            summed=False),
    Measure("growth_non_demographic", "fraction", "point of delivery",
            "Non-demographic growth a year",
            "stated, or (1 + table growth) / (1 + demographic) - 1", summed=False),
    Measure("qipp", "£k",
            "target, identified, risk_adjusted, unidentified, headroom_target, pipeline_target",
            "QIPP programme of the year", "target = stated or rate * allocation; identified = "
            "sum of scheme contributions; unidentified = target - identified; headroom = "
            "headroom_rate * target; pipeline = target + headroom"),
    Measure("qipp_scheme", "£k", "scheme id", "A scheme's contribution to the year's QIPP",
            "part-year effect in the start year, remaining full-year effect the next"),
    Measure("qipp_status", "£k", "status", "QIPP contributions by scheme status",
            "sum of qipp_scheme by status"),
    Measure("qipp_category", "£k", "service line", "QIPP contributions by expenditure category",
            "sum of qipp_scheme by category"),
    Measure("pc_bridge", "£k",
            "income, expenditure, in_year_position, workforce, estates, other_enablers, "
            "future_model, baseline_funding, stf, end_state",
            "Primary care financial bridge (bridge years)",
            "in_year = income - expenditure; future_model = workforce + estates + "
            "other_enablers; end_state = in_year + future_model + baseline_funding + stf"),
    Measure("business_rule", "flag", "mental_health_investment, primary_care_growth, "
            "community_growth, control_total", "Planning rule met (1) or not (0)",
            "growth of the line >= allocation growth; surplus >= control total",
            summed=False),
]}


def tidy(scenario: str, org: str, years, series: dict, kind: str = "") -> pd.DataFrame:
    """Long rows from ``{(measure, item): array over years}`` for one organisation.

    NaN values (a figure that does not exist, e.g. a growth rule in the base year) are dropped.
    """
    frames = []
    for (measure, item), values in series.items():
        v = np.asarray(values, dtype=float)
        if v.ndim != 1 or len(v) != len(years):
            raise ValueError(f"{org} {measure}[{item}]: expected one value per year, got shape "
                             f"{v.shape}")
        frames.append(pd.DataFrame({"measure": measure, "item": item, "year": list(years),
                                    "value": v}))
    df = pd.concat(frames, ignore_index=True)
    df = df[np.isfinite(df["value"])]
    df["scenario"], df["org"], df["kind"] = scenario, org, kind
    df["unit"] = df["measure"].map(lambda m: MEASURES[m].unit)
    return df[[*COLUMNS, "kind"]]


def footprint_sum(df: pd.DataFrame) -> pd.DataFrame:
    """Sum over organisations of every summed measure, by scenario, year, measure and item.

    A figure is summed only where every organisation reporting that measure in that year
    reports it: a footprint total that silently left an organisation out (Southend states its
    unidentified QIPP but no target) would mislead.
    """
    summed = [m.name for m in MEASURES.values() if m.summed]
    part = df[df["measure"].isin(summed) & (df["org"] != FOOTPRINT)]
    keys = ["scenario", "year", "measure", "item", "unit"]
    fp = part.groupby(keys, as_index=False, sort=False).agg(
        value=("value", "sum"), n=("org", "nunique"))
    orgs = part.groupby(["scenario", "year", "measure"])["org"].nunique().rename("n_all")
    fp = fp.join(orgs, on=["scenario", "year", "measure"])
    return fp[fp["n"] == fp["n_all"]].drop(columns=["n", "n_all"])


def add_footprint(df: pd.DataFrame) -> pd.DataFrame:
    """Append org ``footprint``: see :func:`footprint_sum`."""
    fp = footprint_sum(df)
    fp["org"], fp["kind"] = FOOTPRINT, "footprint"
    return pd.concat([df, fp[df.columns]], ignore_index=True)


def compare(a: pd.DataFrame, b: pd.DataFrame, tol: float = 1e-6,
            keys: list[str] | None = None) -> pd.DataFrame:
    """Rows where two results tables differ by more than ``tol``, matched on ``keys`` (every
    column but value by default); the offending rows with ``value_a`` and ``value_b``."""
    keys = keys or [c for c in COLUMNS if c != "value"]
    m = a[[*keys, "value"]].merge(b[[*keys, "value"]], on=keys, how="outer",
                                  suffixes=("_a", "_b"), indicator=True)
    bad = (m["_merge"] != "both") | ((m["value_a"] - m["value_b"]).abs() > tol)
    return m[bad]


def _pivot(df: pd.DataFrame, measure: str) -> pd.DataFrame:
    sel = df[df["measure"] == measure]
    return sel.pivot_table(index=["org", "year"], columns="item", values="value",
                           aggfunc="sum")


def check_identities(df: pd.DataFrame, tol: float = 1e-6) -> pd.DataFrame:
    """Rows that break the model's identities; empty when all hold.

    Identities: footprint = sum of organisations; do_something = do_nothing + solutions total;
    solutions total = sum of its lines; bridge future_model = enablers and end_state =
    in-year + future model + baseline + STF; QIPP unidentified = target - identified.
    """
    problems = []
    orgs = df[df["org"] != FOOTPRINT]
    fp = df[df["org"] == FOOTPRINT]
    if len(fp):
        keys = ["scenario", "year", "measure", "item", "unit"]
        diff = compare(footprint_sum(orgs), fp, tol, keys)
        if len(diff):
            problems.append(diff.assign(identity="footprint = sum of organisations"))

    def residual(name: str, lhs: pd.Series, rhs: pd.Series) -> None:
        joined = pd.concat([lhs.rename("lhs"), rhs.rename("rhs")], axis=1).dropna()
        bad = joined[(joined["lhs"] - joined["rhs"]).abs() > tol]
        if len(bad):
            problems.append(bad.reset_index().assign(identity=name))

    ds = df[df["measure"] == "do_something_surplus"].set_index(["org", "year"])["value"]
    dn = df[df["measure"] == "do_nothing_surplus"].set_index(["org", "year"])["value"]
    sol = _pivot(df, "solutions")
    if len(sol):
        residual("do_something = do_nothing + solutions", ds, dn + sol["total"])
        parts = sol.drop(columns="total").sum(axis=1)
        residual("solutions total = sum of lines", sol["total"], parts)
    br = _pivot(df, "pc_bridge")
    if len(br):
        residual("future_model = workforce + estates + other_enablers", br["future_model"],
                 br["workforce"] + br["estates"] + br["other_enablers"])
        residual("end_state = in_year + future_model + baseline + stf", br["end_state"],
                 br["in_year_position"] + br["future_model"] + br["baseline_funding"]
                 + br["stf"])
    qp = _pivot(df, "qipp")
    if len(qp) and {"target", "identified", "unidentified"} <= set(qp.columns):
        residual("qipp unidentified = target - identified", qp["unidentified"],
                 qp["target"] - qp["identified"])
    return pd.concat(problems, ignore_index=True) if problems else pd.DataFrame()


def catalogue_markdown() -> str:
    """The measure catalogue as a Markdown table (``docs/measures.md``)."""
    lines = [
        "# Measures in `results.csv`",
        "",
        "Generated from `ccgmodels.results.MEASURES` (`ccgmodels catalogue`); do not edit by "
        "hand. Columns: `scenario, org, year, measure, item, value, unit`. Sign: surplus "
        "positive, deficit negative; savings and solutions positive. Org `footprint` is the sum "
        "of the organisations for measures marked summed.",
        "",
        "| measure | unit | items | definition | formula | summed |",
        "|---|---|---|---|---|---|",
    ]
    for m in MEASURES.values():
        lines.append(f"| `{m.name}` | {m.unit} | {m.items or '(none)'} | {m.definition} | "
                     f"{m.formula} | {'yes' if m.summed else 'no'} |")
    return "\n".join(lines) + "\n"
