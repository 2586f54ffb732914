"""The tidy results table, its catalogue of measures, the footprint rule and the identity checks.

Every run produces one long table with columns ``scenario, org, year, measure, item, value,
value_real, unit, kind`` (money in £k cash; ``value_real`` the same money in base-year prices,
deflated by the scenario's ``deflator``, empty for rows that are not money or lie outside the
modelled years; ``item`` empty where a measure has no breakdown; ``kind`` the organisation's
kind, ``ccg``, ``provider``, ``social_care`` or ``footprint``). The same columns
are written to ``results.csv``, so anything computed from a results table gives the same answer
from a file read back. The footprint is the org ``footprint``: the sum of the organisations,
by :func:`footprint` (the one place that rule is written). :data:`MEASURES` documents every
measure once; the docs (``docs/measures.md``) are generated from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..inputs.celltext import FORMULA_START, QUOTE, csv_read, csv_text
from ..inputs.vocab import BRIDGE_ITEMS, FOOTPRINT

COLUMNS = ["scenario", "org", "year", "measure", "item", "value", "value_real", "unit", "kind"]
#: the columns that say what a row is (the others are its values)
KEY_COLUMNS = ["scenario", "org", "year", "measure", "item", "unit", "kind"]


def write_tidy(df: pd.DataFrame, path, columns: list[str] | None = None) -> None:
    """Write a tidy table as ``results.csv`` is written: ``columns`` (default all), 6 decimals,
    each text field that a spreadsheet would run as a formula quoted
    (:func:`ccgmodels.inputs.celltext.csv_text`; :func:`read_tidy` gives it back)."""
    frame = df if columns is None else df[columns]
    quoted = {}
    for col in frame.columns:
        if _is_text(frame[col]):
            texts = frame[col]
            if _quoted(texts, (*FORMULA_START, QUOTE)).any():
                quoted[col] = texts.map(csv_text)
    if quoted:  # a copy only when a field needs it
        frame = frame.assign(**quoted)
    frame.to_csv(path, index=False, float_format="%.6f")


def _is_text(column: pd.Series) -> bool:
    """Whether a column may hold text (object, or pandas's own string dtype)."""
    return column.dtype == object or pd.api.types.is_string_dtype(column.dtype)


def _quoted(texts: pd.Series, starts: tuple[str, ...]) -> pd.Series:
    """Whether each value is text starting with one of ``starts`` (anything else: False)."""
    return texts.map(lambda v: isinstance(v, str) and v.startswith(starts)).astype(bool)


def read_tidy(path) -> pd.DataFrame:
    """A tidy ``results.csv`` or ``uncertainty.csv``, years and items as text ("" for none),
    as :func:`write_tidy` was given it (the text it quoted unquoted)."""
    df = pd.read_csv(path, dtype={"scenario": str, "year": str, "item": str, "org": str,
                                  "measure": str, "unit": str, "kind": str})
    for col in df.columns:
        if _is_text(df[col]):
            quoted = _quoted(df[col], (QUOTE,))
            if quoted.any():
                df.loc[quoted, col] = df.loc[quoted, col].map(csv_read)
    df["item"] = df["item"].fillna("")
    return df


@dataclass(frozen=True)
class Measure:
    name: str
    unit: str
    items: str
    definition: str
    formula: str
    summed: bool = True  # whether the footprint value is the sum of the organisations'


#: the one definition of do nothing, used by the catalogue, the docs and the reports
DO_NOTHING = ("the base-year plan before all of its QIPP, identified and unidentified alike, "
              "carried forward with no new action: every line grown by its volume and price, "
              "recurrent savings neither added nor lost, the contingency held")

MEASURES: dict[str, Measure] = {m.name: m for m in [
    Measure("allocation", "£k", "programme, running_costs, primary_care_cocommissioning, total",
            "Recurrent allocation by type", "base * prod(1 + growth_t), or the published "
            "level; total = sum of types"),
    Measure("expenditure", "£k", "service line, contingency_reserve, unidentified_qipp, total",
            "Commissioner plan spend: do nothing with the year's QIPP programme delivered (the "
            "base-year plan as printed)", "line = do-nothing line - what the schemes take off "
            "it; contingency = rate * allocation; unidentified_qipp = -qipp unidentified; "
            "total = sum"),
    Measure("surplus", "£k", "", "Commissioner plan surplus/(deficit)",
            "allocation total - expenditure total"),
    Measure("control_total", "£k", "", "Surplus the organisation must reach",
            "stated (every year or by year), else 0 (break-even)"),
    Measure("do_nothing_expenditure", "£k", "total", f"Spend if nothing changes: {DO_NOTHING}",
            "sum_l gross_l * volume_index_l * price_index_l + contingency"),
    Measure("do_nothing_surplus", "£k", "", "In-year surplus/(deficit) if nothing changes",
            "allocation (or income) - do-nothing expenditure"),
    Measure("do_nothing_cumulative_surplus", "£k", "", "Running total of do_nothing_surplus",
            "cumsum over years"),
    Measure("solutions", "£k",
            "efficiency, demand_mitigation, schemes, contingency_release, primary_care_model, "
            "contract_flows, avoided_cost, stf, social_care, total",
            "What closes the gap, each its own line (positive improves the position)",
            "efficiency = cost base * (1 - prod(1 - e_t)); demand_mitigation = d * cost of "
            "activity growth; schemes = sum p(status) * effect + p(unidentified) * gap; "
            "contingency_release = min(contingency, QIPP slippage); primary_care_model = bridge "
            "enablers + CCG baseline funding; contract_flows = - savings a block contract gives "
            "back (commissioner) or - income lost on activity contracts (provider); "
            "avoided_cost = marginal cost rate * avoided activity; stf includes the bridge's "
            "GPFV STF; total = sum"),
    Measure("do_something_surplus", "£k", "", "Surplus/(deficit) after solutions",
            "do_nothing_surplus + solutions total"),
    Measure("do_something_cumulative_surplus", "£k", "", "Running total of "
            "do_something_surplus", "cumsum over years"),
    Measure("underlying_surplus", "£k", "", "Recurrent (underlying) surplus/(deficit): the "
            "exit run-rate", "do_something_surplus - STF - contingency release - "
            "non-recurrent scheme savings"),
    Measure("income", "£k", "other, contracts, budget, bcf, total",
            "Provider income (from outside the footprint's commissioners, and their contracts) "
            "or social care budget (and the BCF pooled with it)",
            "other = base * prod(1 + growth_t); contracts = the commissioners' payments; "
            "total = sum"),
    Measure("contract_payments", "£k", "provider id",
            "What a commissioner pays a footprint provider, do nothing",
            "sum over lines of share * do-nothing line spend", summed=False),
    Measure("contract_income_lost", "£k", "provider id", "Income a provider loses on activity "
            "contracts when the commissioner avoids activity", "share * avoided spend",
            summed=False),
    Measure("contract_activity_avoided", "£k", "provider id", "Spend a commissioner avoids on "
            "a provider's contracts by demand mitigation (QIPP schemes count as agreed in "
            "the contracts)", "share * mitigation of the line", summed=False),
    Measure("bcf_pool", "£k", "", "A commissioner's Better Care Fund line, do nothing (pooled "
            "with a council when the council names it)", "do-nothing BCF line", summed=False),
    Measure("eliminations", "£k", "contracts, bcf, total", "Flows between the footprint's "
            "organisations, left out of system income and expenditure (footprint only)",
            "sum of contract payments to footprint providers + BCF pooled with footprint "
            "councils", summed=False),
    Measure("system", "£k", "income, expenditure, do_nothing_surplus", "The footprint's income "
            "and expenditure net of eliminations, do nothing (footprint only)",
            "sum of allocations and incomes - eliminations; sum of expenditure - "
            "eliminations; surplus = income - expenditure = sum of surpluses", summed=False),
    Measure("pc_bridge_reconciliation", "£k", "income, expenditure", "Primary care bridge "
            "against the plan: bridge income less the co-commissioning allocation, bridge "
            "expenditure less the plan's co-commissioning line", "bridge - plan, years both "
            "cover"),
    Measure("activity", "count", "point of delivery", "Activity a year",
            "activity_0 * prod((1 + demographic_t) * (1 + non_demographic_t))"),
    Measure("activity_cost", "£k", "point of delivery", "Cost of the activity, do nothing",
            "activity * unit_cost_0 * prod((1 + inflation_t) * (1 - tariff_efficiency_t))"),
    Measure("unit_cost", "£k", "point of delivery", "Cost per unit of activity",
            "activity_cost / activity", summed=False),
    Measure("growth_demographic", "fraction", "point of delivery",
            "Demographic growth from the year before (none in the base year)",
            "sum_b age_mix_b * population_growth_b,t", summed=False),
    Measure("growth_non_demographic", "fraction", "point of delivery",
            "Non-demographic growth from the year before (none in the base year)",
            "stated, or (1 + table growth) / (1 + demographic_t) - 1", summed=False),
    Measure("qipp", "£k",
            "required, planning_rule, target, identified, risk_adjusted, unidentified, "
            "headroom_target, pipeline_target, pipeline, pipeline_cover",
            "QIPP position of the year, cumulative against do nothing",
            "required = max(0, control_total - do_nothing_surplus); planning_rule = rate * "
            "allocation; target = the stated base-year target (or identified + a stated gap), "
            "else required; identified = sum of the plan's scheme effects; unidentified = "
            "max(target - identified, 0); headroom = headroom_rate * target; pipeline_target = "
            "target + headroom; pipeline = sum of the pipeline schemes' effects (outside the "
            "plan); pipeline_cover = identified + pipeline - pipeline_target"),
    Measure("qipp_scheme", "£k", "scheme id", "A scheme's net saving against do nothing",
            "share * (gross - investment) * phase, indexed with its lines; empty for a "
            "described, uncosted pipeline item"),
    Measure("qipp_status", "£k", "status", "Scheme savings by status",
            "sum of qipp_scheme by status"),
    Measure("qipp_category", "£k", "service line", "Scheme savings by expenditure category",
            "sum of qipp_scheme by category"),
    Measure("mental_health_investment", "£k", "planned, required, shortfall",
            "Mental health investment standard (000:L2673)", "required = planned last year * "
            "(1 + programme allocation growth + uplift); shortfall = max(0, required - "
            "planned)"),
    Measure("pc_bridge", "£k", ", ".join(BRIDGE_ITEMS),
            "Primary care financial bridge (bridge years)",
            "in_year = income - expenditure; future_model = workforce + estates + "
            "other_enablers; end_state = in_year + future_model + baseline_funding + stf"),
    Measure("gp_access", "appointments/week", "do_nothing, each solution of the primary care "
            "strategy, unallocated, do_something", "GP appointments a week demanded beyond "
            "capacity across the footprint (its own years: the plan's, 000:L90), and what the "
            "strategy's solutions close (000:L632-637)", "do_something = do_nothing - sum of "
            "the solutions; solution_k = share_k * do_nothing * ramp", summed=False),
    Measure("system_opportunity", "£k", "opportunity id, total_saving, total_investment",
            "The STP's transformation opportunities across its footprint, as it sizes them "
            "(000:L2532-2551), in the base year: beside the position, not in it",
            "totals count a repeated opportunity once (duplicate_of)", summed=False),
    Measure("business_rule", "flag", "mental_health_investment, primary_care_growth, "
            "community_growth, control_total", "Planning rule met (1) or not (0)",
            "mental health growth >= programme allocation growth + uplift; primary care and "
            "community growth >= allocation growth; plan surplus >= control total",
            summed=False),
]}


def tidy(scenario: str, org: str, years, series: dict, kind: str = "",
         deflator: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Long rows from ``{(measure, item): array over years}`` for one organisation.

    ``deflator`` maps a year to its price index (base year 1): money rows [£k] of those years
    get ``value_real = value / index``. NaN values (a figure that does not exist, e.g. a
    growth rule in the base year) are dropped.
    """
    n = len(years)
    measures, items, values = [], [], []
    for (measure, item), v in series.items():
        v = np.asarray(v, dtype=float)
        if v.shape != (n,):
            raise ValueError(f"{org} {measure}[{item}]: expected one value per year, got shape "
                             f"{v.shape}")
        measures.append(measure)
        items.append(item)
        values.append(v)
    value = np.concatenate(values) if values else np.zeros(0)
    units = np.repeat(np.asarray([MEASURES[m].unit for m in measures], dtype=object), n)
    index = np.array([(deflator or {}).get(y, np.nan) for y in years], dtype=float)
    real = np.where(units == "£k", value / np.tile(index, len(values)), np.nan)
    df = pd.DataFrame({
        "scenario": scenario,
        "org": org,
        "year": np.tile(np.asarray(years, dtype=object), len(values)),
        "measure": np.repeat(np.asarray(measures, dtype=object), n),
        "item": np.repeat(np.asarray(items, dtype=object), n),
        "value": value,
        "value_real": real,
        "unit": units,
        "kind": kind,
    })
    return df[np.isfinite(value)].reset_index(drop=True)


def footprint(series: Iterable[Mapping[tuple[str, str], object]]
              ) -> dict[tuple[str, str], np.ndarray]:
    """The footprint's ``{(measure, item): array}``: the sum over organisations of every summed
    measure (:data:`MEASURES`), from each organisation's arrays over the same years.

    A figure is summed only where every organisation reporting that measure reports the item
    (elementwise: per year, and per run for Monte Carlo arrays of shape ``(R, n)``); elsewhere it
    is NaN. A footprint total that silently left an organisation out (Southend states its
    unidentified QIPP but no target) would mislead.
    """
    summed = {m.name for m in MEASURES.values() if m.summed}
    sums: dict[tuple[str, str], tuple] = {}  # (measure, item) -> (total, organisations counted)
    reporting: dict[str, object] = {}  # measure -> organisations reporting it
    for org_series in series:
        seen: dict[str, object] = {}
        for (measure, item), v in org_series.items():
            if measure not in summed:
                continue
            v = np.asarray(v, dtype=float)
            ok = np.isfinite(v)
            seen[measure] = seen.get(measure, False) | ok
            total, count = sums.get((measure, item), (0.0, 0))
            sums[(measure, item)] = (total + np.where(ok, v, 0.0), count + ok)
        for measure, ok in seen.items():
            reporting[measure] = reporting.get(measure, 0) + ok
    return {key: np.where((count == reporting[key[0]]) & (count > 0), total, np.nan)
            for key, (total, count) in sums.items()}


def compare(a: pd.DataFrame, b: pd.DataFrame, tol: float = 1e-6,
            keys: list[str] | None = None) -> pd.DataFrame:
    """Rows where two results tables differ by more than ``tol``, matched on ``keys`` (every
    column but value by default); the offending rows with ``value_a`` and ``value_b``."""
    keys = keys or KEY_COLUMNS
    m = a[[*keys, "value"]].merge(b[[*keys, "value"]], on=keys, how="outer",
                                  suffixes=("_a", "_b"), indicator=True)
    bad = (m["_merge"] != "both") | ((m["value_a"] - m["value_b"]).abs() > tol)
    return m[bad]


#: relative tolerance of the identity checks on top of the absolute one: sums of hundreds of
#: organisations' ~1e8 figures differ in the last bits with the order of summation
REL_TOL = 1e-12


def check_identities(df: pd.DataFrame, tol: float = 1e-6) -> pd.DataFrame:
    """Rows that break the model's identities; empty when all hold.

    Identities: each footprint row = the sum of the organisations' rows with its key;
    do_something = do_nothing + solutions total; solutions total = sum of its lines; bridge
    future_model = enablers and end_state = in-year + future model + baseline + STF; QIPP
    unidentified = max(target - identified, 0) for each organisation. Each within ``tol`` plus
    :data:`REL_TOL` of its size.
    """
    problems = []
    keys = ["scenario", "year", "measure", "item", "unit"]
    summed = [m.name for m in MEASURES.values() if m.summed]
    fp = df[(df["org"] == FOOTPRINT) & df["measure"].isin(summed)]
    if len(fp):
        orgs = df[(df["org"] != FOOTPRINT) & df["measure"].isin(set(fp["measure"]))]
        expect = orgs.groupby(keys, sort=False)["value"].sum()
        got = fp.set_index(keys)["value"]
        both = pd.concat([got.rename("value_b"), expect.rename("value_a")], axis=1,
                         join="inner")
        gap = (both["value_a"] - both["value_b"]).abs()
        bad = both[~(gap <= tol + REL_TOL * both["value_a"].abs())]
        if len(bad) or len(both) < len(got):
            missing = got.index.difference(both.index)
            bad = pd.concat([bad, pd.DataFrame({"value_b": got[missing]}, index=missing)])
            problems.append(bad.reset_index().assign(identity="footprint = sum of organisations"))

    wide = df[df["measure"].isin(_CHECKED)].set_index(["org", "year", "measure", "item"])[
        "value"].unstack(["measure", "item"])

    def col(measure: str, item: str = "") -> pd.Series:
        return wide[(measure, item)] if (measure, item) in wide.columns else pd.Series(
            np.nan, index=wide.index)

    def residual(name: str, lhs: pd.Series, rhs: pd.Series) -> None:
        gap = (lhs - rhs).abs()
        bad = gap[gap > tol + REL_TOL * rhs.abs()]
        if len(bad):
            problems.append(pd.DataFrame({"lhs": lhs[bad.index], "rhs": rhs[bad.index]})
                            .reset_index().assign(identity=name))

    total = col("solutions", "total")
    residual("do_something = do_nothing + solutions", col("do_something_surplus"),
             col("do_nothing_surplus") + total)
    lines = [c for c in wide.columns if c[0] == "solutions" and c[1] != "total"]
    residual("solutions total = sum of lines", total, wide[lines].sum(axis=1, min_count=1))
    residual("future_model = workforce + estates + other_enablers",
             col("pc_bridge", "future_model"), col("pc_bridge", "workforce")
             + col("pc_bridge", "estates") + col("pc_bridge", "other_enablers"))
    residual("end_state = in_year + future_model + baseline + stf", col("pc_bridge", "end_state"),
             col("pc_bridge", "in_year_position") + col("pc_bridge", "future_model")
             + col("pc_bridge", "baseline_funding") + col("pc_bridge", "stf"))
    access = [c for c in wide.columns if c[0] == "gp_access"
              and c[1] not in ("do_nothing", "do_something", "unallocated")]
    residual("gp access do_something = do_nothing - solutions", col("gp_access",
             "do_something"), col("gp_access", "do_nothing")
             - wide[access].sum(axis=1) if access else col("gp_access", "do_nothing"))
    residual("system surplus = sum of surpluses (flows eliminated)",
             col("system", "do_nothing_surplus").dropna(),
             col("do_nothing_surplus")[col("system", "do_nothing_surplus").dropna().index])
    # per organisation: the footprint's gap is the sum of theirs, and one organisation's
    # savings beyond its own target do not close another's gap
    own = wide.index.get_level_values("org") != FOOTPRINT
    residual("qipp unidentified = max(target - identified, 0)",
             col("qipp", "unidentified")[own],
             np.maximum(col("qipp", "target") - col("qipp", "identified"), 0.0)[own])
    return pd.concat(problems, ignore_index=True) if problems else pd.DataFrame()


_CHECKED = ("do_something_surplus", "do_nothing_surplus", "solutions", "pc_bridge", "qipp",
            "system", "gp_access")


def catalogue_markdown() -> str:
    """The measure catalogue as a Markdown table (``docs/measures.md``)."""
    lines = [
        "# Measures in `results.csv`",
        "",
        "Generated from `ccgmodels.models.results.MEASURES` (`ccgmodels catalogue`); do not "
        "edit by hand. Columns: `scenario, org, year, measure, item, value, unit, kind`. "
        "Sign: surplus positive, deficit negative; savings and solutions positive. Org "
        "`footprint` is the sum of the organisations for measures marked summed.",
        "",
        "| measure | unit | items | definition | formula | summed |",
        "|---|---|---|---|---|---|",
    ]
    for m in MEASURES.values():
        lines.append(f"| `{m.name}` | {m.unit} | {m.items or '(none)'} | {m.definition} | "
                     f"{m.formula} | {'yes' if m.summed else 'no'} |")
    return "\n".join(lines) + "\n"
