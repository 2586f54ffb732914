"""Commissioner plan, do nothing and do something of each organisation, as named steps.

Sign convention (used in every table and report): **surplus positive, deficit negative**, as NHS
plans print "Surplus/(Deficit)"; savings and solutions are positive numbers that improve the
position. Money in £k. Arrays broadcast; years on the last axis, ``t = 0`` is the base year; an
assumption given as an array of shape ``(R, 1)`` evaluates R Monte Carlo runs at once.

A commissioner is evaluated by :func:`commissioner`, which calls the steps in order and adds
no arithmetic of its own:

1. :func:`allocation`: the recurrent allocation by type;
2. :func:`scheme_savings`: each QIPP scheme's saving and contribution by year;
3. :func:`plan_lines`: spend by service line with no new action (do-nothing lines);
4. :func:`do_nothing`: the do-nothing expenditure and surplus;
5. :func:`qipp`: the QIPP target, identified, risk-adjusted and unidentified savings;
6. :func:`plan`: the commissioner plan (the base-year plan rolled forward, QIPP delivered);
7. :func:`solutions`: what closes the gap, each its own line;
8. :func:`position`: the do-something position, do nothing plus solutions;

and :func:`business_rules` reports the planning rules as flags. The formulas are in each step's
docstring; with every delivery probability 1 and no other solution, the base-year do-something
position equals the plan's surplus.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..inputs.scenario import Commissioner, Provider, SocialCare
from ..inputs.vocab import ALLOCATION_TYPES, SERVICE_LINES
from . import demand as dm
from . import schemes as sch

SOLUTION_ITEMS = ("efficiency", "demand_mitigation", "schemes", "stf", "social_care")
Series = dict[tuple[str, str], np.ndarray]


def grow(base, rate, n_years: int) -> np.ndarray:
    """``base * (1 + rate) ** t`` for each year [unit of base]."""
    return np.asarray(base, dtype=float) * dm.growth_index(rate, n_years)


def cumulative(series) -> np.ndarray:
    """Running total along the year axis [unit of series]."""
    return np.cumsum(series, axis=-1)


def efficiency_saving(cost_base, rate, n_years: int) -> np.ndarray:
    """Saving from efficiency ``rate`` a year compounding after the base year [£k]::

        saving[t] = cost_base[t] * (1 - (1 - rate) ** t)
    """
    t = np.arange(n_years)
    return np.asarray(cost_base) * (1 - (1 - np.asarray(rate, dtype=float)) ** t)


# --- 1. allocation ---------------------------------------------------------------------------


def allocation(o: Commissioner, n_years: int) -> dict[str, np.ndarray]:
    """Allocation by type and ``total`` in each year [£k].

    Notes
    -----
    ::

        allocation_x[t] = allocation_x[0] * (1 + growth_x) ** t     x: programme, running
                                                                       costs, co-commissioning
        total           = programme + running_costs + primary_care_cocommissioning

    References
    ----------
    000:L1997-2013 (the CCGs' 2019/20 allocations: CPR 275,220, Southend 290,241 £k).
    """
    out = {
        t: grow(getattr(o.allocation.base, t), getattr(o.allocation.growth, t), n_years)
        for t in ALLOCATION_TYPES
    }
    out["total"] = sum(out[t] for t in ALLOCATION_TYPES)
    return out


# --- 2. scheme savings -----------------------------------------------------------------------


@dataclass(frozen=True)
class SchemeSavings:
    """The QIPP schemes of one commissioner by year [£k]; schemes on the first axis."""

    effect: np.ndarray  # (S, n): saving against do-nothing spend
    contribution: np.ndarray  # (S, n): what each counts towards the year's QIPP programme
    by_line: dict[str, np.ndarray]  # service line -> (n,): summed effect of its schemes


def scheme_savings(o: Commissioner, years: Sequence[str]) -> SchemeSavings:
    """Each scheme's saving and QIPP contribution by year (:mod:`ccgmodels.models.schemes`)."""
    effect = sch.effects(o.qipp.schemes, list(years))
    contribution = sch.qipp_contributions(o.qipp.schemes, effect)
    by_line = sch.group_sum([s.category for s in o.qipp.schemes], effect)
    return SchemeSavings(effect, contribution, by_line)


# --- 3. plan lines ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanLines:
    """Spend by service line if nothing changes [£k]."""

    gross: dict[str, object]  # base-year spend gross of the identified QIPP it nets off
    spend: dict[str, np.ndarray]  # do-nothing spend by year
    at_base_volume: dict[str, np.ndarray]  # base-year volumes at each year's price
    pods: list  # dm.PodProjection of every point of delivery


def line_inflation(o: Commissioner) -> dict[str, object]:
    """Price inflation of each service line [fraction/yr]."""
    e = o.expenditure
    return {line: e.price_inflation_by_line.get(line, e.price_inflation) for line in SERVICE_LINES}


def plan_lines(o: Commissioner, n_years: int, savings: SchemeSavings,
               growth_table: Mapping[str, float | None] | None = None) -> PlanLines:
    """Do-nothing spend of every service line.

    Notes
    -----
    The plan's lines are net of the identified QIPP schemes, so they are grossed up by the
    schemes' base-year effect, then grown: the share of a line its points of delivery cover by
    their activity and unit cost (:func:`ccgmodels.models.demand.project_pods`), the rest by
    the line's volume growth and price inflation::

        gross_l   = plan_l + sum of scheme effects on l in the base year
        spend_l[t] = sum_p activity_cost_p[t]
                   + gross_l * (1 - sum_p share_p) * (1 + volume_l) ** t * (1 + inflation_l) ** t

    References
    ----------
    000:L1997-2013 (the plans by service line); 000:L2485-2497 (SUHFT growth by point of
    delivery, when ``demand.growth_table`` names it).
    """
    plan = {line: getattr(o.expenditure.base, line) for line in SERVICE_LINES}
    gross = {line: plan[line] + savings.by_line.get(line, np.zeros(n_years))[0]
             for line in SERVICE_LINES}
    inflation = line_inflation(o)
    shares = dm.pod_shares(o.demand)
    pods = (dm.project_pods(o.demand, gross, inflation, n_years, growth_table)
            if o.demand is not None else [])
    spend: dict[str, np.ndarray] = {}
    at_base_volume: dict[str, np.ndarray] = {}
    for line in SERVICE_LINES:
        rest = 1.0 - shares.get(line, 0.0)
        price = dm.growth_index(inflation[line], n_years)
        volume = dm.growth_index(o.expenditure.volume_growth.get(line, 0.0), n_years)
        spend[line] = gross[line] * rest * volume * price
        at_base_volume[line] = gross[line] * rest * price
    for pp in pods:
        spend[pp.service_line] = spend[pp.service_line] + pp.cost
        at_base_volume[pp.service_line] = at_base_volume[pp.service_line] + pp.cost_at_base_volume
    return PlanLines(gross, spend, at_base_volume, pods)


def activity(lines: PlanLines, n_years: int) -> Series:
    """Activity, its cost, unit cost and growth drivers of each point of delivery
    [count/yr, £k, £k/unit, fraction/yr]."""
    out: Series = {}
    for pp in lines.pods:
        out[("activity", pp.pod)] = pp.activity
        out[("activity_cost", pp.pod)] = pp.cost
        out[("unit_cost", pp.pod)] = np.divide(
            pp.cost, pp.activity, out=np.zeros(np.shape(pp.cost)), where=pp.activity > 0)
        out[("growth_demographic", pp.pod)] = np.asarray(pp.demographic) * np.ones(n_years)
        out[("growth_non_demographic", pp.pod)] = np.asarray(pp.non_demographic) * np.ones(
            n_years)
    return out


# --- 4. do nothing ---------------------------------------------------------------------------


def contingency(o: Commissioner, allocation_total) -> np.ndarray:
    """Contingency reserve, ``contingency_rate * allocation`` [£k] (0.5%, 000:L2015)."""
    return o.contingency_rate * allocation_total


def do_nothing(o: Commissioner, allocation_total, lines: PlanLines) -> Series:
    """The do-nothing expenditure and surplus/(deficit) [£k].

    Notes
    -----
    ::

        do_nothing_expenditure[t] = sum_l spend_l[t] + contingency[t]
        do_nothing_surplus[t]     = allocation[t] - do_nothing_expenditure[t]
    """
    spend = sum(lines.spend.values()) + contingency(o, allocation_total)
    surplus = allocation_total - spend
    return {("do_nothing_expenditure", "total"): spend, ("do_nothing_surplus", ""): surplus,
            ("do_nothing_cumulative_surplus", ""): cumulative(surplus)}


# --- 5. QIPP ---------------------------------------------------------------------------------


def qipp(o: Commissioner, allocation_total, savings: SchemeSavings, p) -> tuple[Series, object]:
    """The QIPP programme of each year, and the base-year unidentified gap [£k].

    Notes
    -----
    See :mod:`ccgmodels.models.schemes` for target, identified, risk-adjusted, unidentified and
    headroom. A plan that states its unidentified QIPP but lists no schemes (Southend 235,
    000:L2110) has no known base-year target: its base-year target, identified and headroom
    are NaN (left out of the results) and its gap is the stated figure.

    Returns
    -------
    (dict, array)
        The ``qipp``, ``qipp_scheme``, ``qipp_status`` and ``qipp_category`` measures, and the
        base-year gap with a trailing axis, so that it broadcasts against years (and runs).
    """
    q = o.qipp
    n = np.shape(allocation_total)[-1]
    contrib = savings.contribution
    target = sch.targets(q, allocation_total)
    identified = contrib.sum(axis=0) if q.schemes else np.zeros(n)
    risk_adjusted = (p[..., :, None] * contrib).sum(axis=-2) if q.schemes else np.zeros(n)
    position = sch.summary(target, identified, risk_adjusted, q.headroom_rate)
    gap = (np.asarray(q.unidentified, dtype=float) if q.unidentified is not None
           else position["unidentified"][..., :1])
    if q.unidentified is not None:  # a stated gap with no scheme list: base target unknown
        shape = np.broadcast_shapes(np.shape(position["target"]), np.shape(gap) or (1,))
        for k in position:
            position[k] = np.array(np.broadcast_to(position[k], shape), dtype=float)
            position[k][..., 0] = (np.broadcast_to(gap, shape[:-1] + (1,))[..., 0]
                                   if k == "unidentified" else np.nan)
    out: Series = {("qipp", k): v for k, v in position.items()}
    for s, row in zip(q.schemes, contrib, strict=True):
        out[("qipp_scheme", s.id)] = row
    for status, row in sch.group_sum([s.status for s in q.schemes], contrib).items():
        out[("qipp_status", status)] = row
    for category, row in sch.group_sum([s.category for s in q.schemes], contrib).items():
        out[("qipp_category", category)] = row
    return out, gap


# --- 6. the commissioner plan ----------------------------------------------------------------


def plan(o: Commissioner, allocation_total, lines: PlanLines, savings: SchemeSavings,
         gap) -> Series:
    """The commissioner plan: the base-year plan rolled forward with its QIPP delivered [£k].

    Notes
    -----
    ::

        expenditure_l = spend_l - scheme effects on l
        expenditure   = sum_l expenditure_l + contingency - unidentified QIPP (base year)
        surplus       = allocation - expenditure      (CPR 579, Southend 610 in 2019/20)

    References
    ----------
    000:L1997-2013 (CPR and Southend 2019/20 plans); 000:L2015 (contingency 0.5%).
    """
    n = np.shape(allocation_total)[-1]
    out: Series = {}
    total = 0.0
    for line in SERVICE_LINES:
        out[("expenditure", line)] = lines.spend[line] - savings.by_line.get(line, 0.0)
        total = total + out[("expenditure", line)]
    reserve = contingency(o, allocation_total)
    out[("expenditure", "contingency_reserve")] = reserve
    out[("expenditure", "unidentified_qipp")] = -gap * np.ones(n)
    out[("expenditure", "total")] = total + reserve - gap
    out[("surplus", "")] = allocation_total - out[("expenditure", "total")]
    return out


# --- 7. solutions ----------------------------------------------------------------------------


def solutions(o: Commissioner, years: Sequence[str], lines: PlanLines, savings: SchemeSavings,
              p, p_gap, gap) -> dict[str, np.ndarray]:
    """What closes the gap, each its own line [£k, positive improves the position].

    Notes
    -----
    ::

        demand_mitigation[t] = d * sum_l max(spend_l[t] - spend_l at base volume[t], 0)
                               over mitigation_lines (patient activity: not BCF, other
                               programme or running costs); growth only, never a cost
        efficiency[t]        = (cost base - mitigation)[t] * (1 - (1 - e) ** t) over the
                               provider lines (efficiency_lines)
        schemes[t]           = sum_s p(status_s) * effect_s[t] + p(unidentified) * gap
        stf[t]               = transformation funding received

    References
    ----------
    004:L66-67 (the STP template's solutions: efficiency X%, demand mitigation X%).
    """
    n = len(years)
    sol = o.solutions
    # cost of each line's activity growth; a shrinking line has no growth to mitigate, so
    # mitigation never adds cost (a higher rate never lowers do-something)
    growth_cost = {line: np.maximum(lines.spend[line] - lines.at_base_volume[line], 0.0)
                   if line in sol.mitigation_lines else np.zeros(n) for line in SERVICE_LINES}
    mitigation = sol.demand_mitigation_rate * sum(growth_cost.values())
    cost_base = sum(
        lines.spend[line] - sol.demand_mitigation_rate * growth_cost[line]
        for line in sol.efficiency_lines
    ) if sol.efficiency_lines else np.zeros(n)
    schemes_saving = ((p[..., :, None] * savings.effect).sum(axis=-2) if o.qipp.schemes
                      else np.zeros(n))
    return {
        "efficiency": efficiency_saving(cost_base, sol.efficiency_rate, n),
        "demand_mitigation": mitigation * np.ones(n),
        "schemes": schemes_saving + p_gap * gap,
        "stf": np.array([sol.stf.get(y, 0.0) for y in years]),
        "social_care": np.zeros(n),
    }


# --- 8. position -----------------------------------------------------------------------------


def position(do_nothing_surplus, lines: Mapping[str, object]) -> Series:
    """The solution lines, their total and the do-something position [£k].

    Notes
    -----
    ::

        solutions total      = sum of the lines in SOLUTION_ITEMS (absent lines are 0)
        do_something_surplus = do_nothing_surplus + solutions total              (exactly)
    """
    shape = np.broadcast(do_nothing_surplus, *lines.values()).shape
    total = np.zeros(shape)
    out: Series = {}
    for item in SOLUTION_ITEMS:
        v = np.broadcast_to(np.asarray(lines.get(item, 0.0), dtype=float), shape)
        out[("solutions", item)] = v
        total = total + v
    out[("solutions", "total")] = total
    out[("do_something_surplus", "")] = do_nothing_surplus + total
    out[("do_something_cumulative_surplus", "")] = cumulative(do_nothing_surplus + total)
    return out


def commissioner(
    o: Commissioner,
    years: Sequence[str],
    growth_table: Mapping[str, float | None] | None = None,
    delivery: np.ndarray | None = None,
    gap_delivery=None,
) -> Series:
    """Every measure of one commissioner, keyed ``(measure, item)`` [£k unless stated].

    Parameters
    ----------
    o : Commissioner
    years : sequence of str
        Modelled years, base first.
    growth_table : mapping, optional
        Total base-year growth by point of delivery of ``o.demand.growth_table``
        [fraction/yr].
    delivery : array, optional
        Delivery factor of each scheme, shape ``(..., S)`` [fraction]; defaults to the
        probability of its status (the expected value).
    gap_delivery : float or array, optional
        Delivery factor of the unidentified QIPP gap, e.g. shape ``(R, 1)`` [fraction];
        defaults to the probability of ``unidentified``.
    """
    n = len(years)
    p, p_gap = sch.delivery_probabilities(o.qipp)
    p = p if delivery is None else np.asarray(delivery)
    p_gap = p_gap if gap_delivery is None else gap_delivery

    alloc = allocation(o, n)
    savings = scheme_savings(o, years)
    lines = plan_lines(o, n, savings, growth_table)
    nothing = do_nothing(o, alloc["total"], lines)
    programme, gap = qipp(o, alloc["total"], savings, p)
    planned = plan(o, alloc["total"], lines, savings, gap)
    closing = solutions(o, years, lines, savings, p, p_gap, gap)

    out: Series = {("allocation", k): v for k, v in alloc.items()}
    out.update(activity(lines, n))
    out.update(nothing)
    out.update(programme)
    out.update(planned)
    out.update(position(nothing[("do_nothing_surplus", "")], closing))
    plan_spend = {line: planned[("expenditure", line)] for line in SERVICE_LINES}
    out.update(business_rules(o, alloc["total"], plan_spend, planned[("surplus", "")]))
    return out


def business_rules(o: Commissioner, alloc_total, plan_spend, surplus) -> Series:
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


# --- providers and councils ------------------------------------------------------------------


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
    out.update(position(out[("do_nothing_surplus", "")],
                        {"efficiency": efficiency_saving(cost, p.efficiency_rate, n),
                         "stf": np.array([p.stf.get(y, 0.0) for y in years])}))
    return out


def social_care(sc: SocialCare, years: Sequence[str]) -> dict[tuple[str, str], np.ndarray]:
    """Do nothing and do something of a council's social care [£k]."""
    n = len(years)
    out = income_less_cost(grow(sc.budget, sc.budget_growth, n), grow(sc.cost, sc.cost_growth, n))
    savings = cumulative(np.array([sc.savings.get(y, 0.0) for y in years]))
    out.update(position(out[("do_nothing_surplus", "")], {"social_care": savings}))
    return out
