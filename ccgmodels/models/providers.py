"""Do nothing and do something of the NHS providers and councils in a footprint [£k].

A provider's and a council's position is income (or budget) less cost; their solutions are
efficiency and STF (providers) and recurrent savings (councils). Sign: surplus positive; rates
may be given year by year.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..inputs.scenario import Commissioner, Provider, SocialCare
from . import efficiency as eff
from . import icb, series, triangulation, workforce
from .arithmetic import cumulative, efficiency_saving, grow, position
from .measures import MeasureArrays


def income_less_cost(income, cost) -> MeasureArrays:
    """Do-nothing measures of an organisation whose position is income less cost [£k]."""
    dn = income - cost
    return {("income", "total"): income, ("do_nothing_expenditure", "total"): cost,
            ("do_nothing_surplus", ""): dn, ("do_nothing_cumulative_surplus", ""): cumulative(dn)}


def price_drivers(p: Provider, commissioners: Sequence[Commissioner]) -> tuple[object, object]:
    """The provider's price inflation and tariff efficiency [fraction/yr]: its own where given,
    else those of the first commissioner that contracts with it (the national driver pair, so
    the prices it is paid and the costs it pays move together), else none."""
    paying = [c for c in commissioners if any(k.provider == p.id for k in c.contracts)]
    inflation, efficiency = p.price_inflation, p.tariff_efficiency
    if inflation is None:
        inflation = paying[0].expenditure.price_inflation if paying else 0.0
    if efficiency is None:
        demand = paying[0].demand if paying else None
        efficiency = demand.tariff_efficiency if demand is not None else 0.0
    return inflation, efficiency


def provider(p: Provider, years: Sequence[str],
             contracts: Mapping[str, dict] | Sequence[dict] = (),
             prices: tuple[object, object] = (0.0, 0.0), today: bool = False,
             delivery=None, gap_delivery=None, detail: bool = True) -> MeasureArrays:
    """Do nothing and do something of an NHS provider [£k].

    ``contracts`` are the footprint commissioners' measures naming this provider
    (:func:`ccgmodels.models.system.contract_flows`), by commissioner id: their payments are
    its contract income, except where the trust states its own (``contract_income``: its side
    of the contract, :mod:`ccgmodels.models.triangulation`, whose mismatch with theirs is its
    ``contract_mismatch`` row); activity they avoid lowers its income (activity contracts) and,
    at ``marginal_cost_rate``, its cost (every contract). ``prices`` is its price inflation
    and tariff efficiency (:func:`price_drivers`). ``today``: judge the trust by today's
    breakeven rule, as an individual body (:func:`ccgmodels.models.icb.breakeven`): its
    planned surplus is its ``control_total`` row. ``delivery``, ``gap_delivery``: the delivery
    factors of its efficiency register's schemes ``(R, S)`` and gap ``(R, 1)`` in Monte Carlo
    runs (:mod:`ccgmodels.models.uncertainty`); ``detail``: each scheme's row.

    Notes
    -----
    ::

        price[t]        = prod (1 + inflation)                  (pay and prices)
        income          = other income * prod(1 + other_income_growth) * price
                          * prod(1 - tariff_efficiency) + contract income
        contract income = the trust's stated contract_income where given, else the
                          commissioners' contract payments (triangulation)
        contract_mismatch = contract income - contract payments, by commissioner (stated only)
        do nothing      = income - cost * prod(1 + cost_volume_growth) * price
        efficiency      = delivery * cost * (1 - prod(1 - e_t))   (CIP, counted once)
                          with an efficiency register: sum_s p_s * effect_s
                          + p(unidentified) * max(requirement - identified, 0), the
                          requirement by default the CIP above (models/efficiency.py); its
                          one-off schemes are left out of the underlying position
        contract_flows  = - income lost on activity contracts
        avoided_cost    = marginal_cost_rate * activity the commissioners avoid
        deficit_support = as given by year (non-recurrent, out of the underlying position)
        breakeven       = underlying_surplus >= planned_surplus   (today's rules, the whole
                          trust, before its footprint share)

    The contract payments carry the commissioners' prices (inflation less the tariff
    efficiency factor on tariff-priced activity), so a national price change moves the
    provider's income and cost together; the efficiency factor is met by its CIP.
    """
    inflation, efficiency = prices
    other = grow(p.income, p.other_income_growth, years) * series.combined_index(
        [inflation, (efficiency, -1)], years)
    n = len(years)
    paid, lost, avoided = np.zeros(n), np.zeros(n), np.zeros(n)
    by_commissioner = contracts if isinstance(contracts, Mapping) else dict(enumerate(contracts))
    views = {cid: c.get(("contract_payments", p.id), 0.0) for cid, c in by_commissioner.items()}
    for income in triangulation.trust_side(p, views, years).values():
        paid = paid + income
    for c in by_commissioner.values():
        lost = lost + c.get(("contract_income_lost", p.id), 0.0)
        avoided = avoided + c.get(("contract_activity_avoided", p.id), 0.0)
    cost = grow(p.cost, p.cost_volume_growth, years) * series.index(inflation, years)
    out = income_less_cost(other + paid, cost)
    out[("income", "other")], out[("income", "contracts")] = other * np.ones_like(paid), paid
    out.update({("contract_mismatch", k): v
                for k, v in triangulation.mismatches(p, views, years).items()})
    cip = efficiency_saving(cost, p.efficiency_rate, years)
    one_off, register = 0.0, {}
    if p.efficiency is None:
        cip = p.efficiency_delivery * cip
    else:  # the register meets the CIP (efficiency_delivery is 1: refused otherwise)
        # savings grow with what they come out of: the cost base, or the other income
        cost_index = grow(1.0, p.cost_volume_growth, years) * series.index(inflation, years)
        index = {"pay": cost_index, "non_pay": cost_index,
                 "income": grow(1.0, p.other_income_growth, years) * series.combined_index(
                     [inflation, (efficiency, -1)], years)}
        pl = eff.plan(p.efficiency, years, cip, index, delivery, gap_delivery)
        cip, one_off, register = pl.line, pl.one_off, eff.measures(pl, p.efficiency, detail)
    lines = {"efficiency": cip,
             "contract_flows": 0.0 - lost,
             "avoided_cost": p.marginal_cost_rate * avoided,
             "stf": np.array([p.stf.get(y, 0.0) for y in years])}
    if p.deficit_support:
        lines["deficit_support"] = icb.deficit_support(p.deficit_support, years)
    out.update(position(out[("do_nothing_surplus", "")], lines, non_recurrent_extra=one_off))
    out.update(register)
    rule = None
    if today:
        planned = series.levels(0.0 if p.planned_surplus is None else p.planned_surplus, years)
        out[("control_total", "")] = planned * np.ones(np.shape(out[("underlying_surplus", "")]))
        rule = icb.breakeven(out[("underlying_surplus", "")], planned)
    if p.consolidation != 1.0:  # the footprint's share of the provider (000:L2568)
        out = {k: p.consolidation * v for k, v in out.items()}
    if rule is not None:  # a flag, not money: not scaled by the footprint's share
        out[("business_rule", "breakeven")] = rule
    if p.workforce is not None:  # the whole trust's staff and pay bill, as its plan gives them
        out.update(workforce.rows(p.id, p.workforce, years, getattr(p, "efficiency", None)))
    return out


def social_care(sc: SocialCare, years: Sequence[str], pooling: Sequence[dict] = (),
                delivery=None, gap_delivery=None, detail: bool = True) -> MeasureArrays:
    """Do nothing and do something of a council's social care [£k].

    A council whose figures start after the scenario's base year (``first_year``) has no
    budget, cost or savings before it: rows of zero, outside the modelled books.

    ``pooling`` are the measures of the commissioners of ``bcf_from``: the Better Care Fund
    they pool with it (their ``bcf_pool``) is its income and cost alike (spent on the pooled
    services), so it leaves the council's position as it is and is eliminated in the
    footprint. The council's own budget, cost and savings enter at
    its ``consolidation`` share (a county on a footprint of part of it); the pooled BCF, all
    of it from the footprint's commissioners, in full.

    With an efficiency register (``efficiency``) the savings line is the register's expected
    savings, ``sum_s p_s * effect_s + p(unidentified) * max(requirement - identified, 0)``,
    the requirement by default the cumulative ``savings`` (models/efficiency.py; cash, as
    ``savings`` are); its one-off schemes are left out of the underlying position.
    ``delivery``, ``gap_delivery``, ``detail``: as :func:`provider`'s.
    """
    k = list(years).index(sc.first_year) if sc.first_year is not None else 0
    own = years[k:]
    share = sc.consolidation
    budget = share * _from_year(grow(sc.budget, sc.budget_growth, own), k)
    pooled = sum((c[("bcf_pool", "")] for c in pooling), 0.0) * np.ones(len(years))
    out = income_less_cost(budget + pooled,
                           share * _from_year(grow(sc.cost, sc.cost_growth, own), k) + pooled)
    out[("income", "budget")], out[("income", "bcf")] = budget, pooled
    savings = cumulative(np.array([sc.savings.get(y, 0.0) for y in years]))
    if sc.efficiency is None:
        out.update(position(out[("do_nothing_surplus", "")], {"social_care": share * savings}))
        return out
    live = (np.arange(len(years)) >= k) * 1.0  # no savings before the council's first year
    pl = eff.plan(sc.efficiency, years, savings, None, delivery, gap_delivery, live)
    out.update(position(out[("do_nothing_surplus", "")], {"social_care": share * pl.line},
                        non_recurrent_extra=share * pl.one_off))
    out.update({key: share * v for key, v in eff.measures(pl, sc.efficiency, detail).items()})
    return out


def _from_year(x, k: int) -> np.ndarray:
    """``x`` over the years from index ``k``, with zeros before it [unit of x]."""
    x = np.asarray(x, dtype=float)
    return np.concatenate([np.zeros((*x.shape[:-1], k)), x], axis=-1) if k else x
