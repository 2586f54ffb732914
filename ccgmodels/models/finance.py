"""Commissioner plan, do nothing and do something of each organisation, as named steps.

Sign convention (used in every table and report): **surplus positive, deficit negative**, as NHS
plans print "Surplus/(Deficit)"; savings and solutions are positive numbers that improve the
position. Money in £k. Arrays broadcast; years on the last axis, ``t = 0`` is the base year; an
assumption given as an array of shape ``(R, 1)`` evaluates R Monte Carlo runs at once.

A commissioner is evaluated by :func:`commissioner`, which calls the steps in order and adds
no arithmetic of its own:

1. :func:`allocation`: the recurrent allocation by type (grown, or published levels);
2. :func:`plan_lines`: spend by service line before the base year's QIPP, with no new action
   (and :func:`activity`, its points of delivery);
3. :func:`scheme_savings`: each QIPP scheme's saving, indexed with its line, and
   :func:`ccgmodels.models.schemes.stated_plan`: a plan stated year by year as schemes;
4. :func:`do_nothing`: the do-nothing expenditure and surplus, and :func:`control_total`;
5. :func:`qipp`: the requirement from the gap, target, identified and unidentified savings;
6. :func:`ccgmodels.models.planning_rules.mhis_investment`: what meets the mental health
   investment standard;
7. :func:`plan`: the commissioner plan (do nothing with the identified QIPP delivered);
8. :func:`mitigation_by_line`, :func:`ccgmodels.models.system.contract_flows` and
   :func:`ccgmodels.models.system.bridge_in_plan`: demand mitigation, what the contracts pay
   and give back, and the primary care bridge in the plan;
9. :func:`solutions`: what closes the gap, each its own line (contingency released once);
10. :func:`ccgmodels.models.arithmetic.position` (with :func:`non_recurrent`): the
    do-something and the underlying (recurrent) position;

and :mod:`ccgmodels.models.planning_rules` reports the planning rules. An ICB
(:class:`ccgmodels.inputs.scenario.Icb`) goes through the same steps, with its allocation
streams, deficit support and the rows of its places and breakeven rule from
:mod:`ccgmodels.models.icb`.
Providers and councils are in :mod:`ccgmodels.models.providers`. The formulas are in each step's
docstring; with every delivery probability 1 and no other solution, the base-year do-something
position equals the plan's surplus.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..inputs.scenario import Commissioner, Icb, Scheme
from ..inputs.vocab import ALLOCATION_TYPES, SERVICE_LINES
from . import demand as dm
from . import icb, planning_rules, series, system
from . import schemes as sch
from .arithmetic import cumulative, grow, position
from .measures import MeasureArrays

# --- 1. allocation ---------------------------------------------------------------------------


def allocation(o: Commissioner, years: Sequence[str]) -> dict[str, np.ndarray]:
    """Allocation by type and ``total`` in each year [£k].

    Notes
    -----
    ::

        allocation_x[t] = allocation_x[0] * prod_{s<=t} (1 + growth_x[s])    x: programme,
                          (or the published level of year t)                  running costs,
                          * prod_{s<=t} (1 + growth_adjustment[s])            co-commissioning
        total           = sum of the three types

    References
    ----------
    000:L1997-2013 (the CCGs' 2019/20 allocations: CPR 275,220, Southend 290,241 £k).
    """
    a = o.allocation
    out = {}
    adjustment = series.index(a.growth_adjustment, years)
    for t in ALLOCATION_TYPES:
        if a.levels is not None:
            out[t] = series.levels({years[0]: getattr(a.base, t), **{
                y: getattr(a.levels[y], t) for y in years[1:]}}, years) * adjustment
        else:
            out[t] = grow(getattr(a.base, t), getattr(a.growth, t), years) * adjustment
    out["total"] = sum(out[t] for t in ALLOCATION_TYPES)
    return out


# --- 2. plan lines ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanLines:
    """Spend by service line if nothing changes [£k], and each line's growth index."""

    gross: dict[str, object]  # base-year spend before the base year's QIPP schemes
    spend: dict[str, np.ndarray]  # do-nothing spend by year
    at_base_volume: dict[str, np.ndarray]  # base-year volumes at each year's price
    index: dict[str, np.ndarray]  # spend / gross: 1 in the base year [index]
    pods: list  # dm.PodProjection of every point of delivery


def line_inflation(o: Commissioner) -> dict[str, object]:
    """Price inflation of each service line: a rate or ``{year: rate}`` [fraction/yr]."""
    e = o.expenditure
    return {line: e.price_inflation_by_line.get(line, e.price_inflation) for line in SERVICE_LINES}


def plan_lines(o: Commissioner, years: Sequence[str],
               growth_table: Mapping[str, float | None] | None = None) -> PlanLines:
    """Do-nothing spend of every service line: the base-year plan before all of its QIPP.

    Notes
    -----
    The plan's lines are net of its schemes, so they are grossed up by the schemes' base-year
    effect (gross savings back on their line, investment off the line that pays it) and then
    grown: the share of a line its points of delivery cover by their activity and unit cost
    (:func:`ccgmodels.models.demand.project_pods`), the rest by the line's volume growth and
    price inflation. The unidentified QIPP gap is not a line: do nothing never delivers it::

        gross_l    = plan_l + base-year scheme effects on l
        spend_l[t] = sum_p activity_cost_p[t]
                   + gross_l * (1 - sum_p share_p) * volume_index_l[t] * price_index_l[t]

    References
    ----------
    000:L1997-2013 (the plans by service line); 000:L2485-2497 (SUHFT growth by point of
    delivery, when ``demand.growth_table`` names it).
    """
    n = len(years)
    base_effect = sch.by_line(o.qipp.schemes, years[:1])
    gross = {line: getattr(o.expenditure.base, line)
             + float(np.asarray(base_effect.get(line, 0.0)).reshape(-1)[0])
             for line in SERVICE_LINES}
    inflation = line_inflation(o)
    shares = dm.pod_shares(o.demand)
    pods = (dm.project_pods(o.demand, gross, inflation, years, growth_table)
            if o.demand is not None else [])
    spend: dict[str, np.ndarray] = {}
    at_base_volume: dict[str, np.ndarray] = {}
    for line in SERVICE_LINES:
        rest = 1.0 - shares.get(line, 0.0)
        price = series.index(inflation[line], years)
        volume = series.index(o.expenditure.volume_growth.get(line, 0.0), years)
        spend[line] = gross[line] * rest * volume * price
        at_base_volume[line] = gross[line] * rest * price
    for pp in pods:
        spend[pp.service_line] = spend[pp.service_line] + pp.cost
        at_base_volume[pp.service_line] = at_base_volume[pp.service_line] + pp.cost_at_base_volume
    index = {line: (spend[line] / gross[line] if gross[line] else np.ones(n))
             for line in SERVICE_LINES}
    return PlanLines(gross, spend, at_base_volume, index, pods)


def activity(lines: PlanLines) -> MeasureArrays:
    """Activity, its cost, unit cost and growth drivers of each point of delivery
    [count/yr, £k, £k/unit, fraction/yr; growth from the year before, none in the base]."""
    out: MeasureArrays = {}
    for pp in lines.pods:
        out[("activity", pp.pod)] = pp.activity
        out[("activity_cost", pp.pod)] = pp.cost
        out[("unit_cost", pp.pod)] = np.divide(
            pp.cost, pp.activity, out=np.zeros(np.shape(pp.cost)), where=pp.activity > 0)
        for measure, rate in (("growth_demographic", pp.demographic),
                              ("growth_non_demographic", pp.non_demographic),
                              ("growth_total", pp.growth)):
            # at the rate's own shape (a rate no draw moves is one row for every run)
            rate = np.array(rate, dtype=float)
            rate[..., 0] = np.nan
            out[(measure, pp.pod)] = rate
    return out


# --- 3. scheme savings -----------------------------------------------------------------------


def scheme_savings(o: Commissioner, years: Sequence[str], lines: PlanLines) -> sch.SchemeSavings:
    """Each scheme's saving against do nothing, recurrent savings indexed with their line
    (:func:`ccgmodels.models.schemes.effects`)."""
    return sch.SchemeSavings(sch.effects(o.qipp.schemes, years, lines.index),
                         sch.by_line(o.qipp.schemes, years, lines.index))


# --- 4. do nothing ---------------------------------------------------------------------------


def contingency(o: Commissioner, allocation_total, years: Sequence[str]) -> np.ndarray:
    """Contingency reserve, ``contingency_rate * allocation`` (0.5%, 000:L2015), or the level
    the plan states [£k]."""
    if o.contingency is not None:
        return series.levels(o.contingency, years) * np.ones_like(allocation_total)
    return o.contingency_rate * allocation_total


def do_nothing(o: Commissioner, allocation_total, lines: PlanLines, years: Sequence[str]
               ) -> MeasureArrays:
    """The do-nothing expenditure and surplus/(deficit) [£k].

    Notes
    -----
    Do nothing is the base-year plan before all of its QIPP, identified and unidentified,
    carried forward with no new action::

        do_nothing_expenditure[t] = sum_l spend_l[t] + contingency[t]
        do_nothing_surplus[t]     = allocation[t] - do_nothing_expenditure[t]
    """
    spend = sum(lines.spend.values()) + contingency(o, allocation_total, years)
    surplus = allocation_total - spend
    return {("do_nothing_expenditure", "total"): spend, ("do_nothing_surplus", ""): surplus,
            ("do_nothing_cumulative_surplus", ""): cumulative(surplus)}


def control_total(o: Commissioner, years: Sequence[str]) -> np.ndarray:
    """The surplus to reach in each year: stated (every year or by year), else break-even;
    an ICB's planned surplus [£k]."""
    if isinstance(o, Icb):
        return series.levels(o.planned_surplus, years)
    return series.levels(0.0 if o.control_total is None else o.control_total, years)


# --- 5. QIPP ---------------------------------------------------------------------------------


def qipp(o: Commissioner, schemes: Sequence[Scheme], allocation_total, savings: sch.SchemeSavings,
         *, delivery, target, do_nothing_surplus, sums: sch.RunSums | None = None,
         detail: bool = True) -> MeasureArrays:
    """The QIPP position of each year: requirement, target, identified, gap [£k].

    Parameters
    ----------
    delivery : array
        Delivery factor of each scheme, shape ``(..., S)`` [fraction].
    target, do_nothing_surplus : array
        The control total and the do-nothing surplus by year [£k].
    sums : RunSums, optional
        The scheme sums, made for many runs at once (:func:`ccgmodels.models.schemes.run_sums`);
        by default summed from ``savings.effect``.
    detail : bool
        Whether to make each scheme's row and the sums by status and category (the Monte Carlo
        keeps none of them).

    Notes
    -----
    See :mod:`ccgmodels.models.schemes`; ``required = max(0, control_total - do nothing)``.
    """
    q = o.qipp
    n = np.shape(allocation_total)[-1]
    required = np.maximum(target - do_nothing_surplus, 0.0)
    e = savings.effect
    mask = sch.plan_mask(schemes)
    p = delivery
    if sums is not None:
        identified, risk_adjusted, pipeline = sums.identified, sums.risk_adjusted, sums.pipeline
    else:
        identified = (mask * e).sum(axis=-2) if schemes else np.zeros(n)
        risk_adjusted = (mask * p[..., :, None] * e).sum(axis=-2) if schemes else np.zeros(n)
        pipeline = ((1 - mask) * e).sum(axis=-2) if schemes else np.zeros(n)
    target = sch.targets(q, required, identified)
    position = sch.summary(target, identified, risk_adjusted, q.headroom_rate, required,
                           q.rate * allocation_total, pipeline)
    out: MeasureArrays = {("qipp", k): v for k, v in position.items()}
    if not detail:
        return out
    for i, s in enumerate(schemes):
        out[("qipp_scheme", s.id)] = e[..., i, :] if s.costed else np.full(
            np.shape(e[..., i, :]), np.nan)
    for status, row in sch.group_sum([s.status for s in schemes], e).items():
        out[("qipp_status", status)] = row
    for category, row in sch.group_sum([s.category for s in schemes], mask * e).items():
        out[("qipp_category", category)] = row
    return out


# --- 6. the commissioner plan ----------------------------------------------------------------


def plan(o: Commissioner, years: Sequence[str], allocation_total, lines: PlanLines,
         savings: sch.SchemeSavings, gap, mhis=0.0) -> MeasureArrays:
    """The commissioner plan: do nothing with the year's QIPP programme delivered [£k].

    Notes
    -----
    ::

        expenditure_l     = spend_l - what the schemes take off l
                            (+ the investment that meets the mental health investment
                            standard, on mental health)
        unidentified_qipp = - unidentified QIPP in the base year, 0 after it
        expenditure       = sum_l expenditure_l + contingency + unidentified_qipp
        surplus           = allocation - expenditure    (CPR 579, Southend 610 in 2019/20)

    In the base year this is the plan as printed, which nets off its unidentified QIPP; in a
    later year it carries only the identified schemes, so the part of the requirement still to
    find shows as a shortfall against the control total (``qipp/unidentified``), never as a
    saving.

    References
    ----------
    000:L1997-2013 (CPR and Southend 2019/20 plans); 000:L2015 (contingency 0.5%).
    """
    n = np.shape(allocation_total)[-1]
    out: MeasureArrays = {}
    total = 0.0
    for line in SERVICE_LINES:
        out[("expenditure", line)] = lines.spend[line] - savings.by_line.get(line, 0.0)
        if line == "mental_health":
            out[("expenditure", line)] = out[("expenditure", line)] + mhis
        total = total + out[("expenditure", line)]
    reserve = contingency(o, allocation_total, years)
    out[("expenditure", "contingency_reserve")] = reserve
    # the base-year plan as printed nets off its unidentified QIPP (Southend's (235),
    # 000:L2110); a later year's plan carries only what someone has identified, so what is
    # still to find shows in its surplus, not as a plug
    in_plan = np.where(np.arange(n) == 0, 0.0 - gap, 0.0)
    out[("expenditure", "unidentified_qipp")] = in_plan
    out[("expenditure", "total")] = total + reserve + in_plan
    out[("surplus", "")] = allocation_total - out[("expenditure", "total")]
    return out


# --- 7. solutions ----------------------------------------------------------------------------


def solutions(o: Commissioner, years: Sequence[str], savings: sch.SchemeSavings, mitigated,
              *, delivery, gap_delivery, unidentified, reserve, in_plan=1.0,
              given_back=0.0, bridge: Mapping[str, object] | None = None, mhis=0.0,
              sums: sch.RunSums | None = None) -> dict[str, np.ndarray]:
    """What closes the gap, each its own line [£k, positive improves the position].

    Parameters
    ----------
    mitigated : mapping
        Demand mitigation of each service line, gross of its investment [£k].
    delivery, gap_delivery : array
        Delivery factor of each scheme ``(..., S)`` and of the unidentified gap [fraction].
    unidentified : array
        The unidentified QIPP gap by year [£k].
    reserve : array
        The contingency reserve by year [£k].
    in_plan : array
        1 for each scheme of the QIPP plan, 0 for a pipeline scheme, shape ``(S, 1)``.
    given_back : array
        Savings a block contract gives back to the provider [£k].
    bridge : mapping, optional
        The primary care bridge's ``primary_care_model`` and ``stf`` lines
        (:func:`ccgmodels.models.system.bridge_in_plan`) [£k].
    mhis : array
        What meets the mental health investment standard [£k], a cost.
    sums : RunSums, optional
        The scheme sums made for many runs at once (:func:`ccgmodels.models.schemes.run_sums`).

    Notes
    -----
    ::

        demand_mitigation[t]   = (1 - investment) * d
                                 * sum_l max(spend_l[t] - spend_l at base volume[t], 0)
                                 over mitigation_lines (patient activity: not BCF, other
                                 programme or running costs); growth only, net of the
                                 investment in the services that avoid it
        schemes[t]             = sum_s p_s * effect_s[t] + p(unidentified) * gap[t]
        contingency_release[t] = min(max(contingency[t], 0), slippage[t]) when released, where
                                 slippage = sum_s (1 - p_s) * effect_s + (1 - p_gap) * gap
                                 over the plan's schemes (not the pipeline): the reserve
                                 held against QIPP slippage (000:L2015), counted once
        primary_care_model[t]  = the bridge's enablers + CCG baseline funding
        mental_health_investment[t] = - what meets the standard
        contract_flows[t]      = - savings a block contract gives back
        stf[t]                 = transformation funding received, the bridge's GPFV STF too

    Provider efficiency is counted once, by the providers (their ``efficiency_rate``) and in
    the prices commissioners pay (``demand.tariff_efficiency``): a commissioner has no
    efficiency line of its own.

    References
    ----------
    004:L66-67 (the STP template's solutions: efficiency X%, demand mitigation X%).
    """
    n = len(years)
    sol = o.solutions
    bridge = bridge or {}
    mitigation = sum(mitigated.values())
    e = savings.effect
    p = delivery
    if sums is not None:
        delivered, slipped = sums.delivered, sums.slipped + (1 - gap_delivery) * unidentified
    else:
        delivered = (p[..., :, None] * e).sum(axis=-2) if e.shape[-2] else np.zeros(n)
        slipped = (((in_plan * (1 - p[..., :, None])) * e).sum(axis=-2) if e.shape[-2]
                   else np.zeros(n)) + (1 - gap_delivery) * unidentified
    release = (np.minimum(np.maximum(reserve, 0.0), np.maximum(slipped, 0.0))
               if sol.contingency_release else np.zeros(n))
    return {
        "demand_mitigation": (1 - sol.demand_mitigation_investment) * mitigation * np.ones(n),
        "schemes": delivered + gap_delivery * unidentified,
        "contingency_release": release * np.ones(n),
        "primary_care_model": bridge.get("primary_care_model", np.zeros(n)),
        "mental_health_investment": 0.0 - mhis * np.ones(n),
        "contract_flows": 0.0 - given_back * np.ones(n),
        "stf": np.array([sol.stf.get(y, 0.0) for y in years]) + bridge.get("stf", 0.0),
        "social_care": np.zeros(n),
    }


def planned_mental_health(lines: PlanLines, savings: sch.SchemeSavings) -> np.ndarray:
    """The plan's mental health spend before the investment standard: do nothing less what
    the schemes take off it [£k]."""
    return lines.spend["mental_health"] - savings.by_line.get("mental_health", 0.0)


def mitigation_by_line(o: Commissioner, lines: PlanLines, n: int) -> dict[str, np.ndarray]:
    """Demand mitigation of each service line: the mitigated share of its activity growth
    [£k]; a shrinking line has no growth to mitigate, so mitigation never adds cost."""
    sol = o.solutions
    return {line: sol.demand_mitigation_rate
            * np.maximum(lines.spend[line] - lines.at_base_volume[line], 0.0)
            for line in SERVICE_LINES if line in sol.mitigation_lines}


def non_recurrent(schemes: Sequence[Scheme], savings: sch.SchemeSavings, p) -> np.ndarray:
    """The non-recurrent part of the schemes' expected saving [£k]."""
    flags = np.array([not s.recurrent for s in schemes], dtype=float)
    if not schemes:
        return np.zeros(savings.effect.shape[-1])
    return (flags[:, None] * p[..., :, None] * savings.effect).sum(axis=-2)


# --- 8. position -----------------------------------------------------------------------------


def commissioner(
    o: Commissioner,
    years: Sequence[str],
    growth_table: Mapping[str, float | None] | None = None,
    delivery: np.ndarray | None = None,
    gap_delivery=None,
    bridge_lines: Mapping[str, np.ndarray] | None = None,
    detail: bool = True,
) -> MeasureArrays:
    """Every measure of one commissioner, keyed ``(measure, item)`` [£k unless stated]: the
    steps of this module called in order, no arithmetic of its own.

    Parameters
    ----------
    o : Commissioner
    years : sequence of str
        Modelled years, base first.
    growth_table : mapping, optional
        Total base-year growth by point of delivery of ``o.demand.growth_table``
        [fraction/yr].
    delivery : array, optional
        Delivery factor of each scheme of :func:`ccgmodels.models.schemes.all_schemes` (a
        stated plan's mitigation included), shape ``(..., S)`` [fraction]; defaults to the
        probability of its status (the expected value).
    gap_delivery : float or array, optional
        Delivery factor of the unidentified QIPP gap, e.g. shape ``(R, 1)`` [fraction];
        defaults to the probability of ``unidentified``.
    bridge_lines : mapping, optional
        The primary care bridge's lines in its own years
        (:func:`ccgmodels.models.primary_care.bridge_of`), made once by the caller [£k].
    detail : bool
        Whether to make each scheme's row and the sums by status and category
        (``qipp_scheme``, ``qipp_status``, ``qipp_category``). Without them, a delivery factor
        per run ``(R, S)`` has the scheme sums made as matrix products
        (:func:`ccgmodels.models.schemes.run_sums`): the Monte Carlo's way.
    """
    if delivery is None or gap_delivery is None:  # the expected value: the probabilities
        p, p_gap = sch.delivery_probabilities(o.qipp, sch.all_schemes(o))
    p = p if delivery is None else np.asarray(delivery)
    p_gap = p_gap if gap_delivery is None else gap_delivery
    n = len(years)

    alloc, icb_rows = icb.allocation(o, years) if isinstance(o, Icb) else (
        allocation(o, years), {})
    types = icb.as_allocation_types(alloc) if isinstance(o, Icb) else alloc  # for the rules
    lines = plan_lines(o, years, growth_table)
    sums = None
    if (not detail and np.ndim(p) == 2 and not sch.stated_lines(o)
            and sch.by_terms(o.qipp.schemes)):  # many runs: no (R, S, n) array made
        schemes = list(o.qipp.schemes)
        sums = sch.run_sums(schemes, years, lines.index, p)
        savings = sch.SchemeSavings(None, sums.by_line)
    else:
        savings, schemes = sch.stated_plan(o, years, lines.spend,
                                           scheme_savings(o, years, lines))
    nothing = do_nothing(o, alloc["total"], lines, years)
    target = control_total(o, years)
    dn = nothing[("do_nothing_surplus", "")]
    programme = qipp(o, schemes, alloc["total"], savings, delivery=p, target=target,
                     do_nothing_surplus=dn, sums=sums, detail=detail)
    gap = programme[("qipp", "unidentified")]
    mhis = planning_rules.mhis_investment(o, years, types, planned_mental_health(lines, savings))
    planned = plan(o, years, alloc["total"], lines, savings, gap, mhis)
    plan_spend = {line: planned[("expenditure", line)] for line in SERVICE_LINES}
    mitigated = mitigation_by_line(o, lines, n)
    # the contracts are the plan's spend (its QIPP schemes agreed in them); the activity they
    # see change is demand mitigation
    flows = system.contract_flows(o, plan_spend, mitigated, n, years)
    bridge, reconciliation = system.bridge_in_plan(
        o, years, types["primary_care_cocommissioning"],
        plan_spend["primary_care_cocommissioning"], lines=bridge_lines)
    closing = solutions(o, years, savings, mitigated, delivery=p, gap_delivery=p_gap,
                        unidentified=gap, reserve=planned[("expenditure", "contingency_reserve")],
                        in_plan=sch.plan_mask(schemes),
                        given_back=flows.pop(("solutions", "given_back")), bridge=bridge,
                        mhis=mhis, sums=sums)
    if isinstance(o, Icb):  # non-recurrent income, its own line (today's rules)
        closing["deficit_support"] = icb.deficit_support(o.deficit_support, years)
    if ("solutions", "contract_value") in flows:  # stated contract values: its own side
        closing["contract_value"] = flows.pop(("solutions", "contract_value"))

    out: MeasureArrays = {("allocation", k): v for k, v in alloc.items()}
    out.update(icb_rows)
    out.update(activity(lines))
    out.update(nothing)
    out[("control_total", "")] = np.broadcast_to(target, np.shape(dn))
    out.update(programme)
    out.update(planned)
    out.update(position(dn, closing, non_recurrent_extra=(
        non_recurrent(schemes, savings, p) if sums is None else sums.non_recurrent)))
    out.update(flows)
    out[("bcf_pool", "")] = plan_spend["bcf"]
    out.update(reconciliation)
    out.update(planning_rules.mental_health_investment(o, years, types, plan_spend, mhis))
    out.update(planning_rules.business_rules(
        o, types, plan_spend, planned[("surplus", "")], target,
        unidentified=-planned[("expenditure", "unidentified_qipp")]))
    if isinstance(o, Icb):  # judged as a body on its underlying position (today's rule), not
        # on the 2019/20 plan's rules: the control total (000:L1976) and the growth rules of
        # that year's guidance (MHIS growth 000:L2673, primary care and community growth
        # 000:L2676) are not rules of the 2026/27 medium-term planning framework
        for rule in planning_rules.CCG_ERA_RULES:
            del out[("business_rule", rule)]
        out.update(icb.body_rows(o, years, out))
    return out
