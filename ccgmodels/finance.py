"""Commissioner plan, do nothing and do something, per organisation and for the footprint.

Sign convention (used in every table and report): **surplus positive, deficit negative**, as NHS
plans print "Surplus/(Deficit)"; savings and solutions are positive numbers that improve the
position. Money in £k. Arrays broadcast; years on the last axis, ``t = 0`` is the base year.

Notes
-----
Commissioner plan (000:L1997-2013)::

    allocation      = programme + running_costs + primary_care_cocommissioning
    allocation_x[t] = allocation_x[0] * (1 + growth_x) ** t
    contingency     = contingency_rate * allocation                       (0.5%, 000:L2015)
    expenditure     = sum(service lines) + contingency - unidentified QIPP
    surplus         = allocation - expenditure          (CPR 579, Southend 610 in 2019/20)

Do nothing: the plan's service lines are grossed up by the identified QIPP savings they already
net off (``gross = plan + scheme effect in the base year``) and grow with volume and price::

    spend_l[t] = gross_l * sum_p share_p * activity_index_p[t] * pod_price[t]     (points of
               + gross_l * (1 - sum_p share_p) * (1 + volume_l) ** t * price_l[t]   delivery)
    do_nothing_surplus[t] = allocation[t] - sum_l spend_l[t] - contingency[t]

Solutions, each its own line (004:L66-67)::

    efficiency[t]        = (cost base - mitigation)[t] * (1 - (1 - e) ** t)    provider lines
    demand_mitigation[t] = d * sum_l max(spend_l[t] - spend_l at base volumes[t], 0)
                           over mitigation_lines (patient activity: not BCF, other
                           programme or running costs); growth only, never a cost
    schemes[t]           = sum_s p(status_s) * effect_s[t] + p(unidentified) * unidentified[0]
    stf[t]               = transformation funding received
    social_care[t]       = cumulative recurrent social care savings (councils)
    do_something_surplus = do_nothing_surplus + solutions total                 (exactly)

With every delivery probability 1 and no other solution, the base-year do-something position
equals the plan's surplus.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from . import demand as dm
from . import schemes as sch
from .scenario import ALLOCATION_TYPES, SERVICE_LINES, Commissioner, Provider, SocialCare

SOLUTION_ITEMS = ("efficiency", "demand_mitigation", "schemes", "stf", "social_care")


def grow(base, rate, n_years: int) -> np.ndarray:
    """``base * (1 + rate) ** t`` for each year [unit of base]."""
    return np.asarray(base, dtype=float) * dm.growth_index(rate, n_years)


def allocation(o: Commissioner, n_years: int) -> dict[str, np.ndarray]:
    """Allocation by type and ``total`` in each year [£k]."""
    out = {
        t: grow(getattr(o.allocation.base, t), getattr(o.allocation.growth, t), n_years)
        for t in ALLOCATION_TYPES
    }
    out["total"] = sum(out[t] for t in ALLOCATION_TYPES)
    return out


def line_inflation(o: Commissioner) -> dict[str, object]:
    """Price inflation of each service line [fraction/yr]."""
    e = o.expenditure
    return {line: e.price_inflation_by_line.get(line, e.price_inflation) for line in SERVICE_LINES}


def efficiency_saving(cost_base, rate, n_years: int) -> np.ndarray:
    """Saving from efficiency ``rate`` a year compounding after the base year [£k]."""
    t = np.arange(n_years)
    return np.asarray(cost_base) * (1 - (1 - np.asarray(rate, dtype=float)) ** t)


def cumulative(series) -> np.ndarray:
    """Running total along the year axis [unit of series]."""
    return np.cumsum(series, axis=-1)


def commissioner(
    o: Commissioner,
    years: Sequence[str],
    growth_table: Mapping[str, float | None] | None = None,
    delivery: np.ndarray | None = None,
    gap_delivery=None,
) -> dict[tuple[str, str], np.ndarray]:
    """Every measure of one commissioner, keyed ``(measure, item)`` [£k unless stated].

    Parameters
    ----------
    o : Commissioner
    years : sequence of str
        Modelled years, base first.
    growth_table : mapping, optional
        Total 2019/20 growth by point of delivery of ``o.demand.growth_table`` [fraction/yr].
    delivery : array, optional
        Delivery factor of each scheme, shape ``(..., S)`` [fraction]; defaults to the
        probability of its status (the expected value).
    gap_delivery : float or array, optional
        Delivery factor of the unidentified QIPP gap, e.g. shape ``(R, 1)`` [fraction];
        defaults to ``qipp.delivery_probability['unidentified']``.
    """
    n = len(years)
    out: dict[tuple[str, str], np.ndarray] = {}
    alloc = allocation(o, n)
    for k, v in alloc.items():
        out[("allocation", k)] = v

    # QIPP schemes: savings against do nothing, and what each counts towards a year's QIPP
    q = o.qipp
    effect = sch.effects(q.schemes, list(years))
    contrib = sch.qipp_contributions(q.schemes, effect)
    p = sch.delivery_probabilities(q) if delivery is None else np.asarray(delivery)
    categories = [s.category for s in q.schemes]
    effect_by_line = sch.group_sum(categories, effect)

    plan_lines = {line: getattr(o.expenditure.base, line) for line in SERVICE_LINES}
    gross = {line: plan_lines[line] + effect_by_line.get(line, np.zeros(n))[0]
             for line in SERVICE_LINES}
    inflation = line_inflation(o)
    shares = dm.pod_shares(o.demand)
    pods = (dm.project_pods(o.demand, gross, inflation, n, growth_table)
            if o.demand is not None else [])

    spend: dict[str, np.ndarray] = {}
    base_volume: dict[str, np.ndarray] = {}
    for line in SERVICE_LINES:
        rest = 1.0 - shares.get(line, 0.0)
        price = dm.growth_index(inflation[line], n)
        volume = dm.growth_index(o.expenditure.volume_growth.get(line, 0.0), n)
        spend[line] = gross[line] * rest * volume * price
        base_volume[line] = gross[line] * rest * price
    for pp in pods:
        spend[pp.service_line] = spend[pp.service_line] + pp.cost
        base_volume[pp.service_line] = base_volume[pp.service_line] + pp.cost_at_base_volume
        out[("activity", pp.pod)] = pp.activity
        out[("activity_cost", pp.pod)] = pp.cost
        out[("unit_cost", pp.pod)] = np.divide(
            pp.cost, pp.activity, out=np.zeros(np.shape(pp.cost)), where=pp.activity > 0)
        out[("growth_demographic", pp.pod)] = np.asarray(pp.demographic) * np.ones(n)
        out[("growth_non_demographic", pp.pod)] = np.asarray(pp.non_demographic) * np.ones(n)

    contingency = o.contingency_rate * alloc["total"]
    dn_spend = sum(spend.values()) + contingency
    dn = alloc["total"] - dn_spend
    out[("do_nothing_expenditure", "total")] = dn_spend
    out[("do_nothing_surplus", "")] = dn
    out[("do_nothing_cumulative_surplus", "")] = cumulative(dn)

    # QIPP position and the commissioner plan (the base-year plan rolled forward)
    target = sch.targets(q, alloc["total"])
    identified = contrib.sum(axis=0) if q.schemes else np.zeros(n)
    risk_adjusted = (p[..., :, None] * contrib).sum(axis=-2) if q.schemes else np.zeros(n)
    qipp = sch.summary(target, identified, risk_adjusted, q.headroom_rate)
    # base-year gap, keeping a trailing axis so that it broadcasts against years (and runs)
    unidentified0 = (np.asarray(q.unidentified, dtype=float) if q.unidentified is not None
                     else qipp["unidentified"][..., :1])
    if q.unidentified is not None:  # a stated gap with no scheme list: base target unknown
        shape = np.broadcast_shapes(np.shape(qipp["target"]), np.shape(unidentified0) or (1,))
        for k in qipp:
            qipp[k] = np.array(np.broadcast_to(qipp[k], shape), dtype=float)
            qipp[k][..., 0] = (np.broadcast_to(unidentified0, shape[:-1] + (1,))[..., 0]
                               if k == "unidentified" else np.nan)
    for k, v in qipp.items():
        out[("qipp", k)] = v
    for s, row in zip(q.schemes, contrib, strict=True):
        out[("qipp_scheme", s.id)] = row
    for status, row in sch.group_sum([s.status for s in q.schemes], contrib).items():
        out[("qipp_status", status)] = row
    for category, row in sch.group_sum(categories, contrib).items():
        out[("qipp_category", category)] = row

    plan_spend = {line: spend[line] - effect_by_line.get(line, 0.0) for line in SERVICE_LINES}
    for line, v in plan_spend.items():
        out[("expenditure", line)] = v
    out[("expenditure", "contingency_reserve")] = contingency
    out[("expenditure", "unidentified_qipp")] = -unidentified0 * np.ones(n)
    total = sum(plan_spend.values()) + contingency - unidentified0
    out[("expenditure", "total")] = total
    out[("surplus", "")] = alloc["total"] - total

    # Solutions
    sol = o.solutions
    # cost of each line's activity growth; a shrinking line has no growth to mitigate, so
    # mitigation never adds cost (a higher rate never lowers do-something)
    growth_cost = {line: np.maximum(spend[line] - base_volume[line], 0.0)
                   if line in sol.mitigation_lines else np.zeros(n) for line in SERVICE_LINES}
    mitigation = sol.demand_mitigation_rate * sum(growth_cost.values())
    cost_base = sum(
        spend[line] - sol.demand_mitigation_rate * growth_cost[line]
        for line in sol.efficiency_lines
    ) if sol.efficiency_lines else np.zeros(n)
    p_unidentified = (q.delivery_probability.get("unidentified", 0.0) if gap_delivery is None
                      else gap_delivery)
    schemes_saving = (p[..., :, None] * effect).sum(axis=-2) if q.schemes else np.zeros(n)
    solutions = {
        "efficiency": efficiency_saving(cost_base, sol.efficiency_rate, n),
        "demand_mitigation": mitigation * np.ones(n),
        "schemes": schemes_saving + p_unidentified * unidentified0,
        "stf": np.array([sol.stf.get(y, 0.0) for y in years]),
        "social_care": np.zeros(n),
    }
    add_solutions(out, dn, solutions)
    out.update(business_rules(o, alloc["total"], plan_spend, out[("surplus", "")]))
    return out


def add_solutions(out: dict, do_nothing, solutions: Mapping[str, object]) -> None:
    """Write the solution lines, their total and the do-something position into ``out``."""
    shape = np.broadcast(do_nothing, *solutions.values()).shape
    total = np.zeros(shape)
    for item in SOLUTION_ITEMS:
        v = np.broadcast_to(np.asarray(solutions.get(item, 0.0), dtype=float), shape)
        out[("solutions", item)] = v
        total = total + v
    out[("solutions", "total")] = total
    out[("do_something_surplus", "")] = do_nothing + total
    out[("do_something_cumulative_surplus", "")] = cumulative(do_nothing + total)


def business_rules(o: Commissioner, alloc_total, plan_spend, surplus) -> dict:
    """Planning rules as results: 1 where the rule holds, 0 where it fails [flag].

    Rules: mental health spend grows at least at allocation growth (MHIS, 000:L2673); primary
    care and community spend grow at least at the overall uplift (000:L2676); the surplus meets
    the control total (000:L1976). Growth rules are judged from the second year.
    """
    def growth(x):
        x = np.asarray(x, dtype=float)
        g = np.full(x.shape, np.nan)
        g[..., 1:] = x[..., 1:] / np.where(x[..., :-1] == 0, np.nan, x[..., :-1]) - 1
        return g

    uplift = growth(alloc_total)
    primary = plan_spend["primary_care_cocommissioning"] + plan_spend["other_primary_care"]
    rules = {
        "mental_health_investment": growth(plan_spend["mental_health"]) >= uplift - 1e-12,
        "primary_care_growth": growth(primary) >= uplift - 1e-12,
        "community_growth": growth(plan_spend["community"]) >= uplift - 1e-12,
    }
    out = {}
    for k, v in rules.items():
        flag = v.astype(float)
        flag[..., 0] = np.nan
        out[("business_rule", k)] = flag
    if o.control_total is not None:
        out[("business_rule", "control_total")] = (surplus >= o.control_total - 1e-9) * 1.0
    return out


def income_less_cost(income, cost) -> dict[tuple[str, str], np.ndarray]:
    """Do-nothing measures of an organisation whose position is income less cost [£k]."""
    dn = income - cost
    return {("income", "total"): income, ("do_nothing_expenditure", "total"): cost,
            ("do_nothing_surplus", ""): dn, ("do_nothing_cumulative_surplus", ""): cumulative(dn)}


def provider(p: Provider, years: Sequence[str]) -> dict[tuple[str, str], np.ndarray]:
    """Do nothing and do something of an NHS provider [£k]."""
    n = len(years)
    out = income_less_cost(grow(p.income, p.income_growth, n), grow(p.cost, p.cost_growth, n))
    cost = out[("do_nothing_expenditure", "total")]
    add_solutions(out, out[("do_nothing_surplus", "")],
                  {"efficiency": efficiency_saving(cost, p.efficiency_rate, n),
                   "stf": np.array([p.stf.get(y, 0.0) for y in years])})
    return out


def social_care(sc: SocialCare, years: Sequence[str]) -> dict[tuple[str, str], np.ndarray]:
    """Do nothing and do something of a council's social care [£k]."""
    n = len(years)
    out = income_less_cost(grow(sc.budget, sc.budget_growth, n), grow(sc.cost, sc.cost_growth, n))
    savings = cumulative(np.array([sc.savings.get(y, 0.0) for y in years]))
    add_solutions(out, out[("do_nothing_surplus", "")], {"social_care": savings})
    return out


# --- summaries over a results table ----------------------------------------------------------

STP_ROWS = (
    "Commissioner Surplus / (Deficit)",
    "Provider Surplus / (Deficit)",
    "Footprint NHS Surplus / (Deficit)",
    "Indicative STF Allocation",
    "Surplus/(Deficit) after STF Allocation",
    "Social Care Surplus / (Deficit)",
    "Total Surplus / (Deficit)",
)


def stp_summary(results: pd.DataFrame, year: str) -> pd.DataFrame:
    """The STP summary template (004:L69-77) for one year from a results table [£k].

    Columns Do Nothing, Solutions and Do Something; Do Something = Do Nothing + Solutions in
    every row. STF is shown on its own row, so the organisation rows' solutions exclude it.
    """
    r = results[(results["year"] == year) & (results["org"] != "footprint")]
    kinds = r.groupby("org")["kind"].first() if "kind" in r else pd.Series(dtype=str)

    def total(kind: str, measure: str, item: str = "") -> float:
        orgs = kinds[kinds == kind].index
        sel = r[r["org"].isin(orgs) & (r["measure"] == measure) & (r["item"] == item)]
        return float(sel["value"].sum())

    rows = {}
    for label, kind in (("Commissioner", "ccg"), ("Provider", "provider"),
                        ("Social Care", "social_care")):
        dn = total(kind, "do_nothing_surplus")
        sol = total(kind, "solutions", "total") - total(kind, "solutions", "stf")
        rows[label] = (dn, sol)
    stf = sum(total(k, "solutions", "stf") for k in ("ccg", "provider", "social_care"))
    nhs = tuple(a + b for a, b in zip(rows["Commissioner"], rows["Provider"], strict=True))
    after = (nhs[0], nhs[1] + stf)
    table = [rows["Commissioner"], rows["Provider"], nhs, (0.0, stf), after, rows["Social Care"],
             (after[0] + rows["Social Care"][0], after[1] + rows["Social Care"][1])]
    df = pd.DataFrame(table, index=list(STP_ROWS), columns=["Do Nothing", "Solutions"])
    df["Do Something"] = df["Do Nothing"] + df["Solutions"]
    df.index.name = f"STP {year} Summary (£k)"
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
